//! Points built at run time: the origin library's untyped `write('temperature', value=21.3)`.

use std::fmt;

use crate::line_protocol::{EncodeError, FieldSlot, Line};
use crate::{FieldType, FieldValue, Measurement, Schema, Timestamp};

/// The value of a field of a [`Point`].
///
/// Converted from the usual Rust types with `From`, so [`Point::field`] takes them directly.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A float (`1.5`).
    Float(f64),
    /// A signed integer (`1i`).
    Integer(i64),
    /// An unsigned integer, written as a signed one: values above `i64::MAX` are refused when
    /// encoded, since InfluxDB 1.x stores no unsigned type.
    Unsigned(u64),
    /// A boolean.
    Boolean(bool),
    /// A string.
    String(String),
}

impl FieldValue for Value {
    /// Each value has its own type.
    const TYPE: Option<FieldType> = None;

    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
        match self {
            Value::Float(value) => field.float(*value),
            Value::Integer(value) => field.integer(*value),
            Value::Unsigned(value) => field.unsigned(*value),
            Value::Boolean(value) => field.boolean(*value),
            Value::String(value) => field.string(value),
        }
    }
}

macro_rules! value_from {
    ($($variant:ident($wide:ty): $($ty:ty),*;)*) => {$($(
        impl From<$ty> for Value {
            fn from(value: $ty) -> Self {
                Value::$variant(<$wide>::from(value))
            }
        }
    )*)*};
}

value_from! {
    Float(f64): f64, f32;
    Integer(i64): i8, i16, i32, i64;
    Unsigned(u64): u8, u16, u32, u64;
    Boolean(bool): bool;
    String(String): String, &str, Box<str>, &String;
}

impl From<isize> for Value {
    fn from(value: isize) -> Self {
        // isize is at most 64 bits on every platform Rust supports.
        Value::Integer(value as i64)
    }
}

impl From<usize> for Value {
    fn from(value: usize) -> Self {
        Value::Unsigned(value as u64)
    }
}

impl From<std::borrow::Cow<'_, str>> for Value {
    fn from(value: std::borrow::Cow<'_, str>) -> Self {
        Value::String(value.into_owned())
    }
}

/// A point whose measurement, tags and fields are only known at run time.
///
/// Tags and fields are kept sorted by key; setting a key twice keeps the last value, as the
/// server does. Nothing is checked until the point is encoded: then an unrepresentable name,
/// key or value is an [`EncodeError`] naming it.
///
/// ```
/// use inflow::{Point, Precision, line_protocol};
///
/// // The origin's `write('temperature', lower_sensor=20.9, upper_sensor=23.2, tags={...})`.
/// let point = Point::new("temperature")
///     .tag("location", "groningen")
///     .tag("sensor_type", "ni1000")
///     .field("lower_sensor", 20.9)
///     .field("upper_sensor", 23.2)
///     .timestamp_secs(1475848864);
/// assert_eq!(
///     line_protocol::to_line(&point, Precision::Seconds)?,
///     "temperature,location=groningen,sensor_type=ni1000 lower_sensor=20.9,upper_sensor=23.2 1475848864\n"
/// );
/// # Ok::<(), inflow::line_protocol::EncodeError>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Point {
    measurement: String,
    tags: Vec<(String, String)>,
    fields: Vec<(String, Value)>,
    timestamp: Option<i128>,
}

impl Point {
    /// A point of `measurement` with no tags, no fields and no timestamp yet.
    pub fn new(measurement: impl Into<String>) -> Self {
        Point {
            measurement: measurement.into(),
            tags: Vec::new(),
            fields: Vec::new(),
            timestamp: None,
        }
    }

    /// Adds a tag, or replaces the value of the tag with this key. An empty value leaves the
    /// tag out when the point is written.
    #[must_use]
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_tag(key, value);
        self
    }

    /// Adds a field, or replaces the value of the field with this key.
    #[must_use]
    pub fn field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.set_field(key, value);
        self
    }

    /// Sets the timestamp; without one, the point is stamped with the time it is written.
    #[must_use]
    pub fn timestamp(mut self, time: impl Timestamp) -> Self {
        self.set_timestamp(time);
        self
    }

    /// Sets the timestamp to `seconds` since the Unix epoch (the origin's integer timestamps).
    #[must_use]
    pub fn timestamp_secs(self, seconds: i64) -> Self {
        self.timestamp(crate::EpochTime::seconds(seconds))
    }

    /// Sets the timestamp to `nanos` nanoseconds since the Unix epoch.
    #[must_use]
    pub fn timestamp_nanos(self, nanos: i64) -> Self {
        self.timestamp(crate::EpochTime::nanos(nanos))
    }

    /// Adds or replaces a tag in place.
    pub fn set_tag(&mut self, key: impl Into<String>, value: impl Into<String>) {
        upsert(&mut self.tags, key.into(), value.into());
    }

    /// Adds or replaces a field in place.
    pub fn set_field(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        upsert(&mut self.fields, key.into(), value.into());
    }

    /// Sets the timestamp in place; `None` removes it.
    pub fn set_timestamp(&mut self, time: impl Timestamp) {
        self.timestamp = time.unix_nanos();
    }

    /// The measurement name.
    #[must_use]
    pub fn measurement_name(&self) -> &str {
        &self.measurement
    }

    /// The tags, sorted by key.
    pub fn tags(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The fields, sorted by key.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The timestamp in nanoseconds since the Unix epoch, if one was set.
    #[must_use]
    pub fn timestamp_unix_nanos(&self) -> Option<i128> {
        self.timestamp
    }
}

/// Inserts or replaces `key` in a list kept sorted by key bytes.
fn upsert<V>(list: &mut Vec<(String, V)>, key: String, value: V) {
    match list.binary_search_by(|(k, _)| k.as_bytes().cmp(key.as_bytes())) {
        Ok(at) => list[at].1 = value,
        Err(at) => list.insert(at, (key, value)),
    }
}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Point")
            .field("measurement", &self.measurement)
            .field("tags", &self.tags)
            .field("fields", &self.fields)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

impl Measurement for Point {
    const SCHEMA: Option<Schema> = None;

    fn measurement(&self) -> &str {
        &self.measurement
    }

    fn encode(&self, line: &mut Line<'_>) -> Result<(), EncodeError> {
        line.measurement(&self.measurement)?;
        for (key, value) in &self.tags {
            line.tag(key).str(value)?;
        }
        for (key, value) in &self.fields {
            value.write_field(line.field(key))?;
        }
        if let Some(nanos) = self.timestamp {
            line.timestamp(&RawNanos(nanos))?;
        }
        Ok(())
    }
}

struct RawNanos(i128);

impl Timestamp for RawNanos {
    fn unix_nanos(&self) -> Option<i128> {
        Some(self.0)
    }
}
