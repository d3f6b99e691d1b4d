//! Typed decoding of query rows into derived structs: the read half of `#[derive(Measurement)]`.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, Utc};

use crate::{EpochTime, Error, ErrorKind, Precision, Result, Schema, Value};

/// A type whose values can be read back from query rows: what `query_as` and `query_stream`
/// decode into.
///
/// `#[derive(Measurement)]` implements it: each tag is read from the series' `GROUP BY` tags
/// or from a column of its key, each field from the column of its key (renames honoured), the
/// timestamp from `time`, and skipped fields are `Default::default()`. A struct reads every
/// series alike, whatever its measurement; an enum of measurements reads each series into the
/// variant of the series' measurement (a newtype variant through its type's `FromRow`), and a
/// series of a measurement no variant writes is a decode error naming those it knows.
///
/// A tag that is absent, `null` or empty reads as the empty text into a `String` (and the other
/// text types) and as `None` into an `Option`: InfluxDB stores no empty tag value, so a tag
/// written empty is left out of the point (see [`TagValue`](crate::TagValue)) and reads back
/// absent, and the server cannot tell such a tag from one the query did not select. An integer,
/// `bool` or `char` tag reads back only the exact text it is written as (`-7`, `true`, `é`):
/// other text, or an absent tag outside an `Option`, is an error. A struct that borrows
/// (`&'a str`) cannot be built from a query: using it with `query_as` is a compile error.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from query rows",
    label = "not decodable from a query",
    note = "derive it with `#[derive(inflow::Measurement)]` on a struct whose fields own their data (String, not &str)"
)]
pub trait FromRow: Sized {
    /// The tag and field keys the type reads, in the order its decoder asks for them.
    #[doc(hidden)]
    const COLUMNS: &'static [Column];

    /// The keys to read from a series of `measurement`: a struct reads every series alike, an
    /// enum of measurements the keys of the variant that `measurement` names.
    ///
    /// # Errors
    ///
    /// When the type has no kind of point of that measurement.
    #[doc(hidden)]
    fn columns_for(measurement: &str) -> Result<&'static [Column]> {
        let _ = measurement;
        Ok(Self::COLUMNS)
    }

    /// Builds a value from one row.
    ///
    /// # Errors
    ///
    /// When a column is missing, `null` for a type that is not an `Option`, or of another type.
    #[doc(hidden)]
    fn from_row(row: &Row<'_>) -> Result<Self>;
}

/// A key a decoder reads. Generated code builds these.
///
/// A column whose `key` is empty ([`Column::POSITIONAL`]) is read by its position instead of
/// its name: the n-th entry of a type's columns reads the n-th column of the row that is not
/// `time`, whatever its name (what a tuple of aggregates reads: `SELECT mean(v), max(v)`
/// answers the columns `time`, `mean`, `max`). InfluxDB keeps no empty key, so no named column
/// is mistaken for one.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The key on the wire; empty for a column read by position.
    pub key: &'static str,
    /// Whether it is a tag (read from the series' tags first) or a field.
    pub tag: bool,
}

impl Column {
    /// A field read by its position in the row rather than by its key (see [`Column`]).
    pub const POSITIONAL: Column = Column {
        key: "",
        tag: false,
    };

    /// The tag `key`: for the hand-written `FromRow` impls of tests.
    #[cfg(test)]
    pub(crate) const fn tag(key: &'static str) -> Column {
        Column { key, tag: true }
    }

    /// The field `key`: for the hand-written `FromRow` impls of tests.
    #[cfg(test)]
    pub(crate) const fn field(key: &'static str) -> Column {
        Column { key, tag: false }
    }
}

/// A series as a decoder sees it: its measurement, its `GROUP BY` tags and its column names,
/// borrowed from the answer's text where they hold no escape.
#[derive(Debug, Default)]
pub(crate) struct SeriesHead<'a> {
    pub(crate) name: Cow<'a, str>,
    /// In the order the server sent them; for a key sent twice, the last one counts.
    pub(crate) tags: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub(crate) columns: Vec<Cow<'a, str>>,
}

/// One value of a row. A string without escapes is borrowed from the answer's text; one with
/// escapes is unescaped into the row's scratch text, at `start..end`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Null,
    Float(f64),
    Integer(i64),
    Unsigned(u64),
    Boolean(bool),
    Str(&'a str),
    Escaped { start: usize, end: usize },
}

/// Where each key of a type is found in one series: computed once per series, and reused
/// (with its allocation) for the next.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Plan {
    /// The keys the type reads from this series, which `sources` follows.
    keys: &'static [Column],
    sources: Vec<Source>,
    time: Option<usize>,
    epoch: Option<Precision>,
}

#[derive(Debug, Clone, Copy)]
enum Source {
    Column(usize),
    /// An index into the series' tags.
    Tag(usize),
    Missing,
}

impl Plan {
    /// Prepares the plan for decoding the rows of `series` into `M`, whose times are in `epoch`
    /// (or RFC 3339 text).
    ///
    /// # Errors
    ///
    /// When `M` is an enum of measurements without a variant for the series' measurement.
    pub(crate) fn prepare<M: FromRow>(
        &mut self,
        series: &SeriesHead<'_>,
        epoch: Option<Precision>,
    ) -> Result<()> {
        let keys = M::columns_for(&series.name)?;
        let column = |name: &str| series.columns.iter().position(|column| column == name);
        let time = column("time");
        self.sources.clear();
        self.sources
            .extend(keys.iter().enumerate().map(|(position, key)| {
                if key.key.is_empty() {
                    let index = (0..series.columns.len())
                        .filter(|&index| Some(index) != time)
                        .nth(position);
                    return index.map_or(Source::Missing, Source::Column);
                }
                let tag = key
                    .tag
                    .then(|| series.tags.iter().rposition(|(tag, _)| tag == key.key))
                    .flatten();
                match (tag, column(key.key)) {
                    (Some(tag), _) => Source::Tag(tag),
                    (None, Some(index)) => Source::Column(index),
                    (None, None) => Source::Missing,
                }
            }));
        self.keys = keys;
        self.time = time;
        self.epoch = epoch;
        Ok(())
    }

    /// Decodes one row of `series`, the `index`-th, whose values are `cells` (with their
    /// unescaped strings in `escaped`).
    pub(crate) fn decode<M: FromRow>(
        &self,
        series: &SeriesHead<'_>,
        cells: &[Cell<'_>],
        escaped: &str,
        index: usize,
    ) -> Result<M> {
        M::from_row(&Row {
            plan: self,
            series,
            cells,
            escaped,
            index,
        })
    }
}

/// The error for a series of `measurement` that `rust_type`, an enum of measurements whose
/// variants write `schemas`, has no variant for. Generated code calls it.
#[doc(hidden)]
#[must_use]
pub fn unknown_measurement(rust_type: &str, measurement: &str, schemas: &[Schema]) -> Error {
    let mut known = String::new();
    for (index, schema) in schemas.iter().enumerate() {
        if index > 0 {
            known.push_str(if index + 1 == schemas.len() {
                " or "
            } else {
                ", "
            });
        }
        known.push_str(&format!("{:?}", schema.measurement()));
    }
    Error::new(
        ErrorKind::Decode,
        format!(
            "cannot decode series {:?} into `{rust_type}`: no variant is of that measurement; its variants are of {known}",
            crate::line_protocol::excerpt(measurement)
        ),
    )
}

/// One row being decoded: what generated decoders read from. It borrows the row's values
/// from the answer's text.
#[derive(Debug)]
pub struct Row<'r> {
    plan: &'r Plan,
    series: &'r SeriesHead<'r>,
    cells: &'r [Cell<'r>],
    escaped: &'r str,
    index: usize,
}

/// A borrowed view of one value: a tag's text or a column's value.
enum Found<'r> {
    Text(&'r str),
    Value(FieldRef<'r>),
    Absent,
}

impl Row<'_> {
    /// The measurement of the row's series: what an enum of measurements picks its variant by.
    #[doc(hidden)]
    #[must_use]
    pub fn measurement(&self) -> &str {
        &self.series.name
    }

    /// The value in column `column` of the row, `None` when the row is shorter or it is `null`.
    #[inline(always)]
    fn cell(&self, column: usize) -> Option<FieldRef<'_>> {
        match *self.cells.get(column)? {
            Cell::Null => None,
            Cell::Float(value) => Some(FieldRef::Float(value)),
            Cell::Integer(value) => Some(FieldRef::Integer(value)),
            Cell::Unsigned(value) => Some(FieldRef::Unsigned(value)),
            Cell::Boolean(value) => Some(FieldRef::Boolean(value)),
            Cell::Str(text) => Some(FieldRef::Str(text)),
            Cell::Escaped { start, end } => self.escaped.get(start..end).map(FieldRef::Str),
        }
    }

    #[inline(always)]
    fn found(&self, position: usize) -> Found<'_> {
        match self.plan.sources[position] {
            Source::Tag(tag) => Found::Text(&self.series.tags[tag].1),
            Source::Column(column) => self.cell(column).map_or(Found::Absent, Found::Value),
            Source::Missing => Found::Absent,
        }
    }

    /// The name of the column the key at `position` reads, for error messages: its key, or
    /// for a column read by position, the name the series gives it.
    #[cold]
    fn column_name(&self, position: usize) -> Cow<'_, str> {
        match (self.plan.keys[position].key, self.plan.sources[position]) {
            ("", Source::Column(column)) => Cow::Borrowed(&self.series.columns[column]),
            ("", _) => Cow::Owned(format!("#{} after time", position + 1)),
            (key, _) => Cow::Borrowed(key),
        }
    }

    #[cold]
    fn error(&self, column: &str, problem: &str, expected: &str) -> Error {
        Error::new(
            ErrorKind::Decode,
            format!(
                "cannot decode row {} of series {:?}: column {column:?} {problem}, expected {expected}",
                self.index, self.series.name
            ),
        )
    }

    /// Decodes the field at `position` of the type's keys.
    ///
    /// # Errors
    ///
    /// When it is missing for a non-`Option` type, or of another type.
    #[doc(hidden)]
    #[inline(always)]
    pub fn field<T: FromFieldValue>(&self, position: usize) -> Result<T> {
        let value = match self.found(position) {
            Found::Value(value) => Some(value),
            Found::Text(_) => {
                return Err(self.error(&self.column_name(position), "is a tag", T::EXPECTED));
            }
            Found::Absent => None,
        };
        T::from_field_value(value)
            .map_err(|problem| self.error(&self.column_name(position), &problem, T::EXPECTED))
    }

    /// Decodes the tag at `position` of the type's keys.
    ///
    /// # Errors
    ///
    /// When it is not text, or the type refuses an absent tag.
    #[doc(hidden)]
    #[inline(always)]
    pub fn tag<T: FromTagValue>(&self, position: usize) -> Result<T> {
        let text = match self.found(position) {
            Found::Text(text) | Found::Value(FieldRef::Str(text)) => Some(text),
            Found::Value(other) => {
                let problem = format!("holds {}", describe(other));
                return Err(self.error(&self.column_name(position), &problem, T::EXPECTED));
            }
            Found::Absent => None,
        };
        T::from_tag_value(text.filter(|text| !text.is_empty()))
            .map_err(|problem| self.error(&self.column_name(position), &problem, T::EXPECTED))
    }

    /// For a borrowed field type, which no decode trait implements: the derive's bounds keep
    /// `FromRow` from applying to such a struct, so this is never called.
    ///
    /// # Errors
    ///
    /// Always.
    #[doc(hidden)]
    pub fn borrowed<T>(&self) -> Result<T> {
        Err(Error::new(
            ErrorKind::Decode,
            "a borrowed field cannot be decoded from a query",
        ))
    }

    /// Decodes the `time` column.
    ///
    /// # Errors
    ///
    /// When it is missing for a non-`Option` type, or not a time.
    #[doc(hidden)]
    #[inline(always)]
    pub fn time<T: FromTimestamp>(&self) -> Result<T> {
        let nanos = match self.plan.time.and_then(|column| self.cell(column)) {
            None => None,
            Some(FieldRef::Str(text)) => Some(
                super::rfc3339::unix_nanos(text)
                    .ok_or_else(|| self.error("time", &format!("holds {text:?}"), T::EXPECTED))?,
            ),
            Some(FieldRef::Integer(units)) => Some(
                self.plan
                    .epoch
                    .unwrap_or(Precision::Nanoseconds)
                    .to_nanos(i128::from(units)),
            ),
            Some(other) => {
                return Err(self.error("time", &format!("holds {}", describe(other)), T::EXPECTED));
            }
        };
        T::from_unix_nanos(nanos).map_err(|problem| self.error("time", &problem, T::EXPECTED))
    }
}

/// A value of a query's answer, borrowed from the answer: what
/// [`FromFieldValue::from_field_value`] converts. Integers keep their JSON text's exact
/// value (`Unsigned` only above `i64::MAX`); a number with a fraction or an exponent is a
/// `Float`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldRef<'a> {
    /// A number with a fraction or an exponent (`1.5`, `1e-7`, `-0`).
    Float(f64),
    /// An integer from `i64::MIN` to `i64::MAX`.
    Integer(i64),
    /// An integer above `i64::MAX`.
    Unsigned(u64),
    /// `true` or `false`.
    Boolean(bool),
    /// A string, unescaped.
    Str(&'a str),
}

impl FieldRef<'_> {
    /// The owned [`Value`] of the same type and value.
    ///
    /// ```
    /// use inflow::{Value, query::FieldRef};
    ///
    /// assert_eq!(FieldRef::Str("a").to_value(), Value::String("a".to_owned()));
    /// assert_eq!(FieldRef::Unsigned(u64::MAX).to_value(), Value::Unsigned(u64::MAX));
    /// ```
    #[must_use]
    pub fn to_value(self) -> Value {
        match self {
            FieldRef::Float(value) => Value::Float(value),
            FieldRef::Integer(value) => Value::Integer(value),
            FieldRef::Unsigned(value) => Value::Unsigned(value),
            FieldRef::Boolean(value) => Value::Boolean(value),
            FieldRef::Str(text) => Value::String(text.to_owned()),
        }
    }
}

impl<'a> From<&'a Value> for FieldRef<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Float(value) => FieldRef::Float(*value),
            Value::Integer(value) => FieldRef::Integer(*value),
            Value::Unsigned(value) => FieldRef::Unsigned(*value),
            Value::Boolean(value) => FieldRef::Boolean(*value),
            Value::String(text) => FieldRef::Str(text),
        }
    }
}

fn describe(value: FieldRef<'_>) -> String {
    match value {
        FieldRef::Float(f) => format!("the float {f}"),
        FieldRef::Integer(i) => format!("the integer {i}"),
        FieldRef::Unsigned(u) => format!("the integer {u}"),
        FieldRef::Boolean(b) => format!("the boolean {b}"),
        FieldRef::Str(s) => format!("the string {:?}", crate::line_protocol::excerpt(s)),
    }
}

/// A type a field can be read back into from a query: the decode side of
/// [`FieldValue`](crate::FieldValue).
///
/// A value comes as a [`FieldRef`] borrowed from the answer's text, so that a type that does
/// not keep text costs no allocation:
///
/// ```
/// use inflow::query::{FieldRef, FromFieldValue};
///
/// struct Celsius(f64);
///
/// impl FromFieldValue for Celsius {
///     const EXPECTED: &'static str = "Celsius";
///
///     fn from_field_value(value: Option<FieldRef<'_>>) -> Result<Self, String> {
///         f64::from_field_value(value).map(Celsius)
///     }
/// }
///
/// assert_eq!(f64::from_field_value(Some(FieldRef::Integer(3))), Ok(3.0));
/// assert_eq!(Celsius::from_field_value(Some(FieldRef::Float(-3.5))).map(|c| c.0), Ok(-3.5));
/// assert_eq!(
///     bool::from_field_value(Some(FieldRef::Str("x"))),
///     Err("holds the string \"x\"".to_owned())
/// );
/// assert_eq!(String::from_field_value(None), Err("is missing or null".to_owned()));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from a query result",
    label = "not decodable from a field value",
    note = "query_as builds owned values: use f64, f32, an integer type, bool, String, Box<str>, Arc<str>, Rc<str>, Cow<str>, or Option of them (not a reference such as &str)"
)]
pub trait FromFieldValue: Sized {
    /// What the type expects, for error messages.
    const EXPECTED: &'static str;

    /// Converts a value, borrowed from the answer (`None` when the column is missing or
    /// `null`).
    ///
    /// # Errors
    ///
    /// Why the value does not fit, as the end of a sentence ("holds the string \"x\"").
    fn from_field_value(value: Option<FieldRef<'_>>) -> std::result::Result<Self, String>;
}

/// A type a tag can be read back into from a query: the decode side of
/// [`TagValue`](crate::TagValue).
///
/// Implemented for `String`, `Box<str>`, `Rc<str>`, `Arc<str>`, `Cow<str>`, the integers
/// `i8`…`i64`, `isize`, `u8`…`u64`, `usize`, `bool` and `char`, and `Option` of them. An
/// integer, `bool` or `char` reads only the text its `TagValue` writes (decimal without `+` or
/// leading zeros, `true`/`false`, one character), so that two tag values the server keeps apart
/// never decode to the same value; any other text, or an absent tag outside an `Option`, is a
/// decode error naming the column, the row and the type.
///
/// ```
/// use inflow::query::FromTagValue;
///
/// assert_eq!(i16::from_tag_value(Some("-7")), Ok(-7));
/// assert_eq!(char::from_tag_value(Some("é")), Ok('é'));
/// assert_eq!(Option::<bool>::from_tag_value(None), Ok(None));
/// assert!(u8::from_tag_value(Some("+7")).is_err());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from a query result",
    label = "not decodable from a tag value",
    note = "query_as builds owned values: use String, Box<str>, Arc<str>, Rc<str>, Cow<str>, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, bool, char, or Option of them (not a reference such as &str)",
    note = "for a unit-only enum of tag values, add `#[derive(inflow::TagValue)]` to it, which reads it back too; for another type, implement `inflow::query::FromTagValue`"
)]
pub trait FromTagValue: Sized {
    /// What the type expects, for error messages.
    const EXPECTED: &'static str;

    /// Converts a tag's text (`None` when the tag is absent, `null` or empty: the server keeps
    /// no empty tag value, so a tag written empty reads back absent).
    ///
    /// # Errors
    ///
    /// Why the text does not fit, as the end of a sentence.
    fn from_tag_value(text: Option<&str>) -> std::result::Result<Self, String>;
}

/// A type a timestamp can be read back into from a query: the decode side of
/// [`Timestamp`](crate::Timestamp).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from a query's time",
    label = "not decodable from a time",
    note = "supported: chrono::DateTime<Utc>, DateTime<FixedOffset>, SystemTime, inflow::EpochTime, time::OffsetDateTime and time::UtcDateTime (feature `time`), jiff::Timestamp and jiff::Zoned (feature `jiff`, read in UTC), and Option of each"
)]
pub trait FromTimestamp: Sized {
    /// What the type expects, for error messages.
    const EXPECTED: &'static str;

    /// Converts nanoseconds since the Unix epoch (`None` when there is no time).
    ///
    /// # Errors
    ///
    /// Why the time does not fit, as the end of a sentence.
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String>;
}

const MISSING: &str = "is missing or null";

#[inline]
fn required<T>(value: Option<T>) -> std::result::Result<T, String> {
    value.ok_or_else(|| MISSING.to_owned())
}

/// The `f64` of an integer the server printed, whose nearest `f64` is `nearest`: that float
/// when it is the integer exactly, or when the server prints that float as this integer; `None`
/// otherwise (an integer field that no `f64` holds exactly, such as 2^53 + 1).
///
/// The server prints a whole float below 10^21 without fraction or exponent, as the shortest
/// digits that read back as that float, followed by zeros (1e16 as `10000000000000000`). So a
/// float printed as an integer is the nearest float to that integer, and the integer is the
/// float's shortest form written out, which is what Rust's `Display` writes too.
fn whole_float(nearest: f64, exact: bool, printed: impl std::fmt::Display) -> Option<f64> {
    /// Writes into a fixed array: a whole `f64` from an `i64` or `u64` takes at most 21 bytes.
    struct Digits {
        bytes: [u8; 24],
        len: usize,
    }
    impl std::fmt::Write for Digits {
        fn write_str(&mut self, text: &str) -> std::fmt::Result {
            let end = self.len + text.len();
            self.bytes
                .get_mut(self.len..end)
                .ok_or(std::fmt::Error)?
                .copy_from_slice(text.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    fn digits(value: impl std::fmt::Display) -> Option<Digits> {
        let mut digits = Digits {
            bytes: [0; 24],
            len: 0,
        };
        std::fmt::Write::write_fmt(&mut digits, format_args!("{value}")).ok()?;
        Some(digits)
    }
    if exact {
        return Some(nearest);
    }
    let (float, integer) = (digits(nearest)?, digits(printed)?);
    (float.bytes[..float.len] == integer.bytes[..integer.len]).then_some(nearest)
}

impl FromFieldValue for f64 {
    const EXPECTED: &'static str = "f64";

    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)] // see whole_float
    #[inline]
    fn from_field_value(value: Option<FieldRef<'_>>) -> std::result::Result<Self, String> {
        let value = required(value)?;
        let whole = match value {
            FieldRef::Float(f) => return Ok(f),
            FieldRef::Integer(i) => {
                let nearest = i as f64;
                whole_float(nearest, nearest as i128 == i128::from(i), i)
            }
            FieldRef::Unsigned(u) => {
                let nearest = u as f64;
                whole_float(nearest, nearest as u128 == u128::from(u), u)
            }
            _ => None,
        };
        whole.ok_or_else(|| format!("holds {}", describe(value)))
    }
}

impl FromFieldValue for f32 {
    const EXPECTED: &'static str = "f32";

    /// An `f32` is written in its own shortest form, which the server stores as the nearest
    /// `f64`; the nearest `f32` of that `f64` is the one written.
    #[inline]
    fn from_field_value(value: Option<FieldRef<'_>>) -> std::result::Result<Self, String> {
        let wide = f64::from_field_value(value)?;
        #[allow(clippy::cast_possible_truncation)] // nearest f32, as above
        let narrow = wide as f32;
        if narrow.is_finite() {
            Ok(narrow)
        } else {
            Err(format!("holds {wide}, beyond f32"))
        }
    }
}

macro_rules! from_integer {
    ($($ty:ty),*) => {$(
        impl FromFieldValue for $ty {
            const EXPECTED: &'static str = stringify!($ty);

            #[inline]
            fn from_field_value(value: Option<FieldRef<'_>>) -> std::result::Result<Self, String> {
                let fits = |n: &dyn std::fmt::Display| format!("holds {n}, which does not fit {}", stringify!($ty));
                match required(value)? {
                    FieldRef::Integer(i) => <$ty>::try_from(i).map_err(|_| fits(&i)),
                    FieldRef::Unsigned(u) => <$ty>::try_from(u).map_err(|_| fits(&u)),
                    other => Err(format!("holds {}", describe(other))),
                }
            }
        }
    )*};
}

from_integer!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl FromFieldValue for bool {
    const EXPECTED: &'static str = "bool";

    #[inline]
    fn from_field_value(value: Option<FieldRef<'_>>) -> std::result::Result<Self, String> {
        match required(value)? {
            FieldRef::Boolean(b) => Ok(b),
            other => Err(format!("holds {}", describe(other))),
        }
    }
}

impl FromFieldValue for Value {
    const EXPECTED: &'static str = "a value";

    #[inline]
    fn from_field_value(value: Option<FieldRef<'_>>) -> std::result::Result<Self, String> {
        required(value).map(FieldRef::to_value)
    }
}

impl<T: FromFieldValue> FromFieldValue for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;

    #[inline]
    fn from_field_value(value: Option<FieldRef<'_>>) -> std::result::Result<Self, String> {
        value
            .map(|value| T::from_field_value(Some(value)))
            .transpose()
    }
}

impl<T: FromTagValue> FromTagValue for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;

    #[inline]
    fn from_tag_value(text: Option<&str>) -> std::result::Result<Self, String> {
        text.map(|text| T::from_tag_value(Some(text))).transpose()
    }
}

impl<T: FromTimestamp> FromTimestamp for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;

    #[inline]
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String> {
        nanos
            .map(|nanos| T::from_unix_nanos(Some(nanos)))
            .transpose()
    }
}

/// String types read both fields (string values) and tags; an absent tag is the empty text,
/// which is how a tag written empty comes back.
macro_rules! from_text {
    ($($ty:ty => $convert:expr),* $(,)?) => {$(
        impl FromFieldValue for $ty {
            const EXPECTED: &'static str = "a string";

            #[inline]
            fn from_field_value(value: Option<FieldRef<'_>>) -> std::result::Result<Self, String> {
                match required(value)? {
                    FieldRef::Str(text) => Ok($convert(text)),
                    other => Err(format!("holds {}", describe(other))),
                }
            }
        }

        impl FromTagValue for $ty {
            const EXPECTED: &'static str = "a string";

            #[inline]
            fn from_tag_value(text: Option<&str>) -> std::result::Result<Self, String> {
                Ok($convert(text.unwrap_or_default()))
            }
        }
    )*};
}

from_text! {
    String => str::to_owned,
    Box<str> => Box::from,
    Rc<str> => Rc::from,
    Arc<str> => Arc::from,
    Cow<'_, str> => |text: &str| Cow::Owned(text.to_owned()),
}

// Typed tags: the decode side of the integer, `bool` and `char` tags of `TagValue`.

/// Reads a typed tag, which must be present and be exactly the text its `TagValue` writes.
/// Public for `#[derive(TagValue)]`'s generated code only.
#[doc(hidden)]
pub fn typed_tag<T>(
    text: Option<&str>,
    parse: impl FnOnce(&str) -> Option<T>,
) -> std::result::Result<T, String> {
    let text = text.ok_or_else(|| "is missing, null or empty".to_owned())?;
    parse(text).ok_or_else(|| {
        format!(
            "holds the tag text {:?}",
            crate::line_protocol::excerpt(text)
        )
    })
}

macro_rules! integer_tag {
    ($($ty:ty),*) => {$(
        impl FromTagValue for $ty {
            const EXPECTED: &'static str = stringify!($ty);

            /// Only the decimal text an integer tag is written as: `+1` and `01` are other tag
            /// values (other series) that happen to parse as the same number.
            #[inline]
            fn from_tag_value(text: Option<&str>) -> std::result::Result<Self, String> {
                typed_tag(text, |text| {
                    let value = text.parse::<$ty>().ok()?;
                    (itoa::Buffer::new().format(value) == text).then_some(value)
                })
            }
        }
    )*};
}

integer_tag!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl FromTagValue for bool {
    const EXPECTED: &'static str = "bool (`true` or `false`)";

    #[inline]
    fn from_tag_value(text: Option<&str>) -> std::result::Result<Self, String> {
        typed_tag(text, |text| match text {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
    }
}

impl FromTagValue for char {
    const EXPECTED: &'static str = "char (one character)";

    #[inline]
    fn from_tag_value(text: Option<&str>) -> std::result::Result<Self, String> {
        typed_tag(text, |text| {
            let mut chars = text.chars();
            let first = chars.next()?;
            chars.next().is_none().then_some(first)
        })
    }
}

// End of typed tags.

fn utc(nanos: i128) -> std::result::Result<DateTime<Utc>, String> {
    let seconds =
        i64::try_from(nanos.div_euclid(1_000_000_000)).map_err(|_| "is out of range".to_owned())?;
    let subsec =
        u32::try_from(nanos.rem_euclid(1_000_000_000)).map_err(|_| "is out of range".to_owned())?;
    DateTime::from_timestamp(seconds, subsec).ok_or_else(|| "is out of chrono's range".to_owned())
}

impl FromTimestamp for DateTime<Utc> {
    const EXPECTED: &'static str = "DateTime<Utc>";

    #[inline]
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String> {
        utc(required(nanos)?)
    }
}

impl FromTimestamp for DateTime<FixedOffset> {
    const EXPECTED: &'static str = "DateTime<FixedOffset>";

    #[inline]
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String> {
        utc(required(nanos)?).map(|time| time.fixed_offset())
    }
}

impl FromTimestamp for SystemTime {
    const EXPECTED: &'static str = "SystemTime";

    #[inline]
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String> {
        let nanos = required(nanos)?;
        let magnitude = Duration::from_nanos(
            u64::try_from(nanos.unsigned_abs()).map_err(|_| "is out of range".to_owned())?,
        );
        if nanos >= 0 {
            UNIX_EPOCH.checked_add(magnitude)
        } else {
            UNIX_EPOCH.checked_sub(magnitude)
        }
        .ok_or_else(|| "is out of SystemTime's range".to_owned())
    }
}

impl FromTimestamp for EpochTime {
    const EXPECTED: &'static str = "EpochTime";

    #[inline]
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String> {
        i64::try_from(required(nanos)?)
            .map(EpochTime::nanos)
            .map_err(|_| "is out of range".to_owned())
    }
}

// The other time libraries, built from the same nanoseconds as chrono's types: the server's
// whole range (an i64 of ns, about 1677 to 2262) is inside each library's, so the error is
// there only for a caller that passes a wider value.

#[cfg(feature = "time")]
impl FromTimestamp for time::OffsetDateTime {
    const EXPECTED: &'static str = "time::OffsetDateTime";

    /// In UTC: the server keeps no offset.
    #[inline]
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String> {
        time::OffsetDateTime::from_unix_timestamp_nanos(required(nanos)?)
            .map_err(|_| "is out of time's range".to_owned())
    }
}

#[cfg(feature = "time")]
impl FromTimestamp for time::UtcDateTime {
    const EXPECTED: &'static str = "time::UtcDateTime";

    #[inline]
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String> {
        time::UtcDateTime::from_unix_timestamp_nanos(required(nanos)?)
            .map_err(|_| "is out of time's range".to_owned())
    }
}

#[cfg(feature = "jiff")]
impl FromTimestamp for jiff::Timestamp {
    const EXPECTED: &'static str = "jiff::Timestamp";

    #[inline]
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String> {
        jiff::Timestamp::from_nanosecond(required(nanos)?)
            .map_err(|_| "is out of jiff's range".to_owned())
    }
}

/// In UTC ([`jiff::tz::TimeZone::UTC`]): the server keeps no time zone, so a `Zoned` written
/// in another zone reads back as the same instant in UTC. Convert it with
/// [`jiff::Zoned::in_tz`] or [`jiff::Zoned::with_time_zone`] where the zone matters.
#[cfg(feature = "jiff")]
impl FromTimestamp for jiff::Zoned {
    const EXPECTED: &'static str = "jiff::Zoned";

    #[inline]
    fn from_unix_nanos(nanos: Option<i128>) -> std::result::Result<Self, String> {
        jiff::Timestamp::from_unix_nanos(nanos)
            .map(|timestamp| timestamp.to_zoned(jiff::tz::TimeZone::UTC))
    }
}

/// Tuples read a row by position: the time, then the columns after it in the order the
/// statement selects them (what a typed aggregate's `(c.value.mean(), c.value.max())` answers).
macro_rules! tuple_rows {
    ($($n:literal: ($($t:ident $i:tt),+);)*) => {$(
        impl<Time: FromTimestamp, $($t: FromFieldValue),+> FromRow for (Time, $($t,)+) {
            const COLUMNS: &'static [Column] = &[Column::POSITIONAL; $n];

            fn from_row(row: &Row<'_>) -> Result<Self> {
                Ok((row.time()?, $(row.field::<$t>($i)?,)+))
            }
        }
    )*};
}

tuple_rows! {
    1: (A 0);
    2: (A 0, B 1);
    3: (A 0, B 1, C 2);
    4: (A 0, B 1, C 2, D 3);
    5: (A 0, B 1, C 2, D 3, E 4);
    6: (A 0, B 1, C 2, D 3, E 4, F 5);
    7: (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
    8: (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's range and the instants beside the epoch, each as every time type reads it.
    #[cfg(any(feature = "time", feature = "jiff"))]
    const SERVER_EDGES: [i128; 5] = [
        crate::line_protocol::MIN_TIMESTAMP_NANOS as i128,
        -1,
        0,
        1,
        crate::line_protocol::MAX_TIMESTAMP_NANOS as i128,
    ];

    #[cfg(feature = "time")]
    #[test]
    fn time_types_read_every_time_the_server_holds() {
        for nanos in SERVER_EDGES {
            let offset = time::OffsetDateTime::from_unix_nanos(Some(nanos)).unwrap();
            let utc = time::UtcDateTime::from_unix_nanos(Some(nanos)).unwrap();
            assert_eq!(offset.unix_timestamp_nanos(), nanos);
            assert_eq!(offset.offset(), time::UtcOffset::UTC);
            assert_eq!(utc.unix_timestamp_nanos(), nanos);
        }
        assert_eq!(
            time::OffsetDateTime::from_unix_nanos(None).unwrap_err(),
            MISSING
        );
        assert_eq!(
            time::UtcDateTime::from_unix_nanos(Some(i128::MAX)).unwrap_err(),
            "is out of time's range"
        );
        assert_eq!(Option::<time::UtcDateTime>::from_unix_nanos(None), Ok(None));
    }

    #[cfg(feature = "jiff")]
    #[test]
    fn jiff_types_read_every_time_the_server_holds_zoned_in_utc() {
        for nanos in SERVER_EDGES {
            let timestamp = jiff::Timestamp::from_unix_nanos(Some(nanos)).unwrap();
            let zoned = jiff::Zoned::from_unix_nanos(Some(nanos)).unwrap();
            assert_eq!(timestamp.as_nanosecond(), nanos);
            assert_eq!(zoned.timestamp(), timestamp);
            assert_eq!(zoned.time_zone(), &jiff::tz::TimeZone::UTC);
        }
        assert_eq!(jiff::Zoned::from_unix_nanos(None).unwrap_err(), MISSING);
        assert_eq!(
            jiff::Timestamp::from_unix_nanos(Some(i128::MIN)).unwrap_err(),
            "is out of jiff's range"
        );
        assert_eq!(Option::<jiff::Zoned>::from_unix_nanos(None), Ok(None));
    }

    fn float(value: Value) -> std::result::Result<f64, String> {
        f64::from_field_value(Some(FieldRef::from(&value)))
    }

    #[test]
    fn whole_floats_printed_as_integers_read_back_exactly() {
        // What the server prints for whole floats above 2^53: their shortest digits and zeros.
        for (printed, written) in [
            (Value::Integer(10_000_000_000_000_000), 1e16_f64),
            (Value::Integer(-100_000_000_000_000_000), -1e17),
            (Value::Integer(9_200_000_000_000_000_000), 9.2e18),
            (
                Value::Integer(9_007_199_254_740_994),
                9_007_199_254_740_994.0,
            ),
            (Value::Unsigned(10_000_000_000_000_000_000), 1e19),
            (
                Value::Unsigned(9_223_372_036_854_776_000),
                9.223_372_036_854_776e18,
            ),
            (Value::Integer(0), 0.0),
        ] {
            let read = float(printed.clone()).unwrap();
            assert_eq!(read.to_bits(), written.to_bits(), "{printed:?}");
        }
        let read = f32::from_field_value(Some(FieldRef::Unsigned(10_000_000_000_000_000_000)));
        assert_eq!(read.map(f32::to_bits), Ok(1e19_f32.to_bits()));
        let read = f32::from_field_value(Some(FieldRef::Integer(-340_282_350_000_000_000)));
        assert_eq!(read.map(f32::to_bits), Ok((-3.402_823_5e17_f32).to_bits()));
    }

    #[test]
    fn integers_read_into_floats_only_when_exact_or_printed_from_a_float() {
        // Integers that a float holds exactly, though no float prints that way.
        assert_eq!(
            float(Value::Integer(i64::MIN)),
            Ok(-9_223_372_036_854_775_808.0)
        );
        assert_eq!(
            float(Value::Integer(1 << 62)),
            Ok(4_611_686_018_427_387_904.0)
        );
        // Integer fields beyond what an f64 holds.
        for value in [
            Value::Integer((1 << 53) + 1),
            Value::Integer(i64::MAX),
            Value::Integer(-9_200_000_000_000_000_001),
            Value::Unsigned(u64::MAX),
        ] {
            let err = float(value.clone()).unwrap_err();
            assert!(err.starts_with("holds the integer"), "{value:?}: {err}");
        }
    }

    #[test]
    fn an_absent_tag_is_empty_text_or_none() {
        assert_eq!(String::from_tag_value(None), Ok(String::new()));
        assert_eq!(Arc::<str>::from_tag_value(None).as_deref(), Ok(""));
        assert_eq!(Option::<String>::from_tag_value(None), Ok(None));
        assert_eq!(
            Option::<String>::from_tag_value(Some("a")),
            Ok(Some("a".to_owned()))
        );
    }

    #[test]
    fn typed_tags_read_back_their_canonical_text() {
        assert_eq!(u8::from_tag_value(Some("255")), Ok(255));
        assert_eq!(i8::from_tag_value(Some("-128")), Ok(-128));
        assert_eq!(
            i64::from_tag_value(Some("-9223372036854775808")),
            Ok(i64::MIN)
        );
        assert_eq!(
            u64::from_tag_value(Some("18446744073709551615")),
            Ok(u64::MAX)
        );
        assert_eq!(usize::from_tag_value(Some("0")), Ok(0));
        assert_eq!(bool::from_tag_value(Some("true")), Ok(true));
        assert_eq!(bool::from_tag_value(Some("false")), Ok(false));
        assert_eq!(char::from_tag_value(Some("é")), Ok('é'));
        assert_eq!(char::from_tag_value(Some(" ")), Ok(' '));
        assert_eq!(Option::<u16>::from_tag_value(Some("7")), Ok(Some(7)));
        assert_eq!(Option::<u16>::from_tag_value(None), Ok(None));
        assert_eq!(Option::<char>::from_tag_value(None), Ok(None));
    }

    #[test]
    fn typed_tags_refuse_other_text_and_absence() {
        for text in ["", "abc", "256", "-1", "+1", "01", "-0", " 1", "1.0", "1e2"] {
            let err = u8::from_tag_value(Some(text)).unwrap_err();
            assert_eq!(err, format!("holds the tag text {text:?}"));
        }
        for text in ["-0", "+5", "-05", "9223372036854775808"] {
            assert!(i64::from_tag_value(Some(text)).is_err(), "{text}");
        }
        for text in ["True", "TRUE", "t", "1", "yes", "false "] {
            assert!(bool::from_tag_value(Some(text)).is_err(), "{text}");
        }
        for text in ["ab", "é!", ""] {
            assert!(char::from_tag_value(Some(text)).is_err(), "{text}");
        }
        assert_eq!(
            u32::from_tag_value(None),
            Err("is missing, null or empty".to_owned())
        );
        assert!(bool::from_tag_value(None).is_err());
        assert!(char::from_tag_value(None).is_err());
        assert!(Option::<i32>::from_tag_value(Some("x")).is_err());
    }

    /// A row type written by hand as the derive writes one: a tag, three fields, the time.
    #[derive(Debug, PartialEq)]
    struct Sample {
        host: String,
        load: f64,
        on: bool,
        note: Option<f64>,
        at: DateTime<Utc>,
    }

    impl FromRow for Sample {
        const COLUMNS: &'static [Column] = &[
            Column::tag("host"),
            Column::field("load"),
            Column::field("on"),
            Column::field("note"),
        ];

        fn from_row(row: &Row<'_>) -> Result<Self> {
            Ok(Sample {
                host: row.tag(0)?,
                load: row.field(1)?,
                on: row.field(2)?,
                note: row.field(3)?,
                at: row.time()?,
            })
        }
    }

    /// Only the time, of type `T`.
    #[derive(Debug, PartialEq)]
    struct Timed<T>(T);

    impl<T: FromTimestamp> FromRow for Timed<T> {
        const COLUMNS: &'static [Column] = &[];

        fn from_row(row: &Row<'_>) -> Result<Self> {
            row.time().map(Timed)
        }
    }

    /// Every row of the one series of a 1.x answer (one document of a chunked answer).
    fn decode_all<M: FromRow>(document: &str, epoch: Option<Precision>) -> Result<Vec<M>> {
        super::super::rows::__decode_body(document.as_bytes(), epoch)
    }

    #[test]
    fn rows_decode_tags_fields_and_rfc3339_times() {
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","load","note","on"],"values":[["2016-10-07T03:00:00.000000123Z","a",1.5,2.5,true],["1969-12-31T23:59:59.5Z","b",-2,null,false]]}]}]}"#;
        let rows: Vec<Sample> = decode_all(document, None).unwrap();
        assert_eq!(
            rows,
            [
                Sample {
                    host: "a".to_owned(),
                    load: 1.5,
                    on: true,
                    note: Some(2.5),
                    at: DateTime::from_timestamp_nanos(1_475_809_200_000_000_123),
                },
                Sample {
                    host: "b".to_owned(),
                    load: -2.0,
                    on: false,
                    note: None,
                    at: DateTime::from_timestamp_nanos(-500_000_000),
                },
            ]
        );
        // The same tag from the series' tags (GROUP BY), and a time in an epoch.
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"c"},"columns":["time","load","note","on"],"values":[[7,0.25,null,true]]}]}]}"#;
        let rows: Vec<Sample> = decode_all(document, Some(Precision::Seconds)).unwrap();
        assert_eq!(rows[0].host, "c");
        assert_eq!(rows[0].at, DateTime::from_timestamp_nanos(7_000_000_000));
    }

    #[test]
    fn every_time_type_reads_the_time_column() {
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","f"],"values":[["1970-01-01T00:00:01.000000002+00:00",1],[null,2]]}]}]}"#;
        let utc: Result<Vec<Timed<DateTime<Utc>>>> = decode_all(document, None);
        let err = utc.unwrap_err();
        assert!(err.message().contains("row 1"), "{err}");
        let optional: Vec<Timed<Option<DateTime<Utc>>>> = decode_all(document, None).unwrap();
        assert_eq!(
            optional,
            [
                Timed(Some(DateTime::from_timestamp_nanos(1_000_000_002))),
                Timed(None)
            ]
        );
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time"],"values":[["1970-01-01T00:00:01.000000002Z"]]}]}]}"#;
        let fixed: Vec<Timed<DateTime<FixedOffset>>> = decode_all(document, None).unwrap();
        assert_eq!(fixed[0].0.timestamp_nanos_opt(), Some(1_000_000_002));
        assert_eq!(fixed[0].0.offset().local_minus_utc(), 0);
        let utc: Vec<Timed<DateTime<Utc>>> = decode_all(document, None).unwrap();
        assert_eq!(utc[0].0, DateTime::from_timestamp_nanos(1_000_000_002));
    }

    #[test]
    fn a_field_of_another_type_names_row_column_and_type() {
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","host","load","note","on"],"values":[[1,"a","high",null,true]]}]}]}"#;
        let err = decode_all::<Sample>(document, Some(Precision::Nanoseconds)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(
            err.message()
                .starts_with(r#"cannot decode row 0 of series "cpu": column "load""#),
            "{err}"
        );
    }

    #[test]
    fn a_tuple_reads_the_time_then_the_columns_after_it_by_position() {
        let body = br#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","mean","max","n"],"values":[[10,1.5,2,7],[20,null,null,null]]}]}]}"#;
        type Bucket = (EpochTime, Option<f64>, Option<f64>, Option<i64>);
        let rows: Vec<Bucket> =
            crate::query::__decode_body(body, Some(Precision::Nanoseconds)).unwrap();
        assert_eq!(
            rows,
            [
                (EpochTime::nanos(10), Some(1.5), Some(2.0), Some(7)),
                (EpochTime::nanos(20), None, None, None)
            ]
        );
        let short = br#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","mean"],"values":[[10,1.5]]}]}]}"#;
        let err = crate::query::__decode_body::<(EpochTime, f64, f64)>(short, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    }
}
