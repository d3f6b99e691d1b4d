//! The error of encoding a point that line protocol cannot represent.

use std::fmt;

/// Longest excerpt of an offending value kept in an [`EncodeError`]; longer values are cut.
const MAX_SHOWN_CHARS: usize = 80;

/// Which part of a point an [`EncodeError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Element {
    /// The measurement name.
    Measurement,
    /// A tag key.
    TagKey,
    /// The value of a tag (its key is [`EncodeError::key`]).
    TagValue,
    /// A field key.
    FieldKey,
    /// The value of a field (its key is [`EncodeError::key`]).
    FieldValue,
    /// The timestamp.
    Timestamp,
    /// The point as a whole.
    Point,
}

impl Element {
    fn describe(self) -> &'static str {
        match self {
            Element::Measurement => "measurement name",
            Element::TagKey => "tag key",
            Element::TagValue => "tag value",
            Element::FieldKey => "field key",
            Element::FieldValue => "field value",
            Element::Timestamp => "timestamp",
            Element::Point => "point",
        }
    }
}

/// Why a point cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// A measurement name, tag key or field key is empty.
    Empty,
    /// A tag or field key is `time`, which InfluxDB reserves for the timestamp.
    ReservedKey,
    /// A line feed in a measurement name, key or tag value: line protocol has no escape for it
    /// (only string field values may hold one).
    LineFeed,
    /// A measurement name, key or tag value ends with a backslash, which would escape the
    /// separator after it.
    TrailingBackslash,
    /// A measurement name starts with `#`, which makes the whole line a comment.
    LeadingHash,
    /// A measurement name or field key starts with a tab or NUL, which the server strips.
    LeadingWhitespace,
    /// A backslash right before `,`, space, `=` or `"` in a measurement name: InfluxDB 1.x
    /// unescapes measurement names twice and the point becomes unreadable.
    BackslashBeforeSpecial,
    /// An odd run of backslashes right before `,`, `=` or space in a field key.
    OddBackslashRun,
    /// A float that is NaN or infinite.
    NotFinite,
    /// An unsigned integer above `i64::MAX`: InfluxDB 1.x stores integers as i64.
    IntegerOutOfRange,
    /// A timestamp outside `[-9223372036854775806, 9223372036854775806]` ns after conversion to
    /// the precision.
    TimestampOutOfRange,
    /// The point has no field left to write (every field was `None` or the type has none).
    NoFields,
    /// The series key (measurement and tags) plus a field key is longer than 65 535 bytes.
    KeyTooLong,
    /// A tag holds a backslash before an escaped space and a later `"`: InfluxDB 1.x's line
    /// splitter would glue the next line of a batch onto this one (see
    /// [the module documentation](crate::line_protocol#the-batch-hazard)).
    BatchHazard,
    /// A hand-written [`Measurement`](crate::Measurement) wrote its parts out of order (a tag
    /// after a field, or two timestamps).
    OutOfOrder,
}

impl EncodeErrorKind {
    fn explain(self) -> &'static str {
        match self {
            EncodeErrorKind::Empty => "is empty",
            EncodeErrorKind::ReservedKey => "is reserved by InfluxDB for the timestamp",
            EncodeErrorKind::LineFeed => "contains a line feed, which line protocol cannot escape",
            EncodeErrorKind::TrailingBackslash => {
                "ends with a backslash, which line protocol cannot represent"
            }
            EncodeErrorKind::LeadingHash => "starts with `#`, which would make the line a comment",
            EncodeErrorKind::LeadingWhitespace => {
                "starts with a tab or NUL, which the server strips"
            }
            EncodeErrorKind::BackslashBeforeSpecial => {
                "has a backslash right before `,`, space, `=` or `\"`, which InfluxDB 1.x stores unreadably"
            }
            EncodeErrorKind::OddBackslashRun => {
                "has an odd run of backslashes right before `,`, `=` or space, which line protocol cannot represent"
            }
            EncodeErrorKind::NotFinite => {
                "is not a finite number (NaN and infinities cannot be stored)"
            }
            EncodeErrorKind::IntegerOutOfRange => {
                "is above i64::MAX (9223372036854775807), the largest integer InfluxDB 1.x stores"
            }
            EncodeErrorKind::TimestampOutOfRange => {
                "is outside the range InfluxDB can store, 1677-09-21T00:12:43.145224194Z to 2262-04-11T23:47:16.854775806Z"
            }
            EncodeErrorKind::NoFields => {
                "has no field to write (a point needs at least one field that is not None)"
            }
            EncodeErrorKind::KeyTooLong => {
                "makes the series key longer than the 65535 bytes InfluxDB allows"
            }
            EncodeErrorKind::BatchHazard => {
                "has a backslash before a space and a later `\"`, which makes InfluxDB 1.x merge the next line of a batch into this one"
            }
            EncodeErrorKind::OutOfOrder => {
                "was written out of order by its Measurement impl (tags, then fields, then one timestamp)"
            }
        }
    }
}

/// A point that line protocol cannot represent, rejected before any of it was buffered.
///
/// It names the measurement, the element at fault, its key and (an excerpt of) the offending
/// value, so the message can be shown to a user as is:
///
/// ```
/// use inflow::{Point, Precision, line_protocol::{self, EncodeErrorKind, Element}};
///
/// let point = Point::new("temperature").tag("room", "kitchen\\").field("value", 21.5);
/// let err = line_protocol::to_line(&point, Precision::Seconds).unwrap_err();
/// assert_eq!(err.kind(), EncodeErrorKind::TrailingBackslash);
/// assert_eq!(err.element(), Element::TagValue);
/// assert_eq!(err.key(), Some("room"));
/// assert_eq!(
///     err.to_string(),
///     r#"cannot encode a point of measurement "temperature": the tag value of "room" ends with a backslash, which line protocol cannot represent (value: "kitchen\\")"#
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct EncodeError {
    // Boxed so that `Result<(), EncodeError>` stays one word on the encoding hot path.
    inner: Box<Inner>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: EncodeErrorKind,
    element: Element,
    measurement: Option<String>,
    key: Option<String>,
    value: Option<String>,
}

impl EncodeError {
    pub(crate) fn new(kind: EncodeErrorKind, element: Element) -> Self {
        EncodeError {
            inner: Box::new(Inner {
                kind,
                element,
                measurement: None,
                key: None,
                value: None,
            }),
        }
    }

    pub(crate) fn with_key(mut self, key: &str) -> Self {
        self.inner.key = Some(key.to_owned());
        self
    }

    pub(crate) fn with_value(mut self, value: impl fmt::Display) -> Self {
        self.inner.value = Some(value.to_string());
        self
    }

    /// Records the measurement the point belongs to, unless the error already names one.
    pub(crate) fn in_measurement(mut self, measurement: &str) -> Self {
        if self.inner.measurement.is_none() {
            self.inner.measurement = Some(excerpt(measurement));
        }
        self
    }

    /// Why the point cannot be encoded.
    #[must_use]
    pub fn kind(&self) -> EncodeErrorKind {
        self.inner.kind
    }

    /// Which part of the point is at fault.
    #[must_use]
    pub fn element(&self) -> Element {
        self.inner.element
    }

    /// The measurement of the point (an excerpt if it is long).
    #[must_use]
    pub fn measurement(&self) -> Option<&str> {
        self.inner.measurement.as_deref()
    }

    /// The tag or field key concerned, when the fault is in a key or a value.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        self.inner.key.as_deref()
    }

    /// The offending value as text (an excerpt if it is long), when there is one.
    #[must_use]
    pub fn value(&self) -> Option<&str> {
        self.inner.value.as_deref()
    }
}

/// A value short enough to print, with a marker when it was cut.
pub(crate) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()),
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.write_str("cannot encode a point")?;
        if let Some(measurement) = &inner.measurement {
            write!(f, " of measurement {measurement:?}")?;
        }
        f.write_str(": the ")?;
        f.write_str(inner.element.describe())?;
        match (inner.element, &inner.key) {
            (Element::TagValue | Element::FieldValue, Some(key)) => write!(f, " of {key:?}")?,
            (_, Some(key)) => write!(f, " {key:?}")?,
            (_, None) => {}
        }
        write!(f, " {}", inner.kind.explain())?;
        if let Some(value) = &inner.value {
            write!(f, " (value: {value:?})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("EncodeError")
            .field("kind", &inner.kind)
            .field("element", &inner.element)
            .field("measurement", &inner.measurement)
            .field("key", &inner.key)
            .field("value", &inner.value)
            .finish()
    }
}

impl std::error::Error for EncodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_of_unit_stays_one_word() {
        assert_eq!(
            size_of::<Result<(), EncodeError>>(),
            size_of::<usize>(),
            "the hot path returns this"
        );
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = "x".repeat(1000);
        let err = EncodeError::new(EncodeErrorKind::LineFeed, Element::TagValue)
            .with_key("k")
            .with_value(excerpt(&long))
            .in_measurement("m");
        let shown = err.value().unwrap();
        assert!(shown.starts_with(&"x".repeat(MAX_SHOWN_CHARS)));
        assert!(shown.ends_with("… (1000 bytes in all)"), "{shown}");
    }

    #[test]
    fn display_names_measurement_element_key_and_value() {
        let err = EncodeError::new(EncodeErrorKind::NotFinite, Element::FieldValue)
            .with_key("value")
            .with_value(f64::NAN)
            .in_measurement("cpu");
        assert_eq!(
            err.to_string(),
            "cannot encode a point of measurement \"cpu\": the field value of \"value\" is not a \
             finite number (NaN and infinities cannot be stored) (value: \"NaN\")"
        );
        let err = EncodeError::new(EncodeErrorKind::ReservedKey, Element::TagKey).with_key("time");
        assert_eq!(
            err.to_string(),
            "cannot encode a point: the tag key \"time\" is reserved by InfluxDB for the timestamp"
        );
    }
}
