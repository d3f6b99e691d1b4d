//! The `Measurement` trait: what can be written as a point.

use crate::line_protocol::{EncodeError, Line};

/// A type whose values can be written to InfluxDB as points.
///
/// `#[derive(Measurement)]` implements it for a struct, with the measurement name, escaped keys
/// and tag order computed at compile time; [`Point`](crate::Point) implements it for points
/// built at run time. Writing it by hand is possible (write the measurement name, then the
/// tags in key order, then the fields, then at most one timestamp) but rarely needed.
///
/// ```
/// use inflow::{Measurement, Precision, line_protocol};
///
/// #[derive(Measurement)]
/// #[inflow(measurement = "cpu")]
/// struct CpuLoad {
///     #[inflow(tag)]
///     host: String,
///     load: f64,
///     #[inflow(timestamp)]
///     at: inflow::EpochTime,
/// }
///
/// let schema = CpuLoad::SCHEMA.expect("derived types have a static schema");
/// assert_eq!(schema.measurement(), "cpu");
/// assert_eq!(schema.tag_keys(), ["host"]);
/// assert_eq!(schema.field_keys(), ["load"]);
///
/// let load = CpuLoad { host: "a".into(), load: 0.5, at: inflow::EpochTime::seconds(7) };
/// assert_eq!(line_protocol::to_line(&load, Precision::Seconds)?, "cpu,host=a load=0.5 7\n");
/// # Ok::<(), inflow::line_protocol::EncodeError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an InfluxDB measurement",
    label = "cannot be written as a point",
    note = "add `#[derive(inflow::Measurement)]` to the struct, or build an `inflow::Point`"
)]
pub trait Measurement {
    /// What is known about the type's points at compile time, or `None` when their shape is
    /// only known at run time (as for [`Point`](crate::Point)).
    const SCHEMA: Option<Schema>;

    /// The measurement name of this point (unescaped).
    fn measurement(&self) -> &str;

    /// Writes this point into `line`.
    ///
    /// # Errors
    ///
    /// When the point cannot be represented in line protocol.
    fn encode(&self, line: &mut Line<'_>) -> Result<(), EncodeError>;
}

/// The compile-time shape of a derived [`Measurement`]: its measurement name and its keys.
///
/// Keys are listed as they are on the wire (after `rename`), in the order they are written:
/// sorted by their bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Schema {
    measurement: &'static str,
    tag_keys: &'static [&'static str],
    field_keys: &'static [&'static str],
    has_timestamp: bool,
}

impl Schema {
    #[doc(hidden)]
    #[must_use]
    pub const fn __new(
        measurement: &'static str,
        tag_keys: &'static [&'static str],
        field_keys: &'static [&'static str],
        has_timestamp: bool,
    ) -> Self {
        Schema {
            measurement,
            tag_keys,
            field_keys,
            has_timestamp,
        }
    }

    /// The measurement name (unescaped).
    #[must_use]
    pub const fn measurement(&self) -> &'static str {
        self.measurement
    }

    /// The tag keys, sorted by their bytes.
    #[must_use]
    pub const fn tag_keys(&self) -> &'static [&'static str] {
        self.tag_keys
    }

    /// The field keys, sorted by their bytes.
    #[must_use]
    pub const fn field_keys(&self) -> &'static [&'static str] {
        self.field_keys
    }

    /// Whether the type has a `#[inflow(timestamp)]` field. Without one, every point is stamped
    /// with the time it is written.
    #[must_use]
    pub const fn has_timestamp(&self) -> bool {
        self.has_timestamp
    }
}

impl<M: Measurement + ?Sized> Measurement for &M {
    const SCHEMA: Option<Schema> = M::SCHEMA;

    fn measurement(&self) -> &str {
        (**self).measurement()
    }

    fn encode(&self, line: &mut Line<'_>) -> Result<(), EncodeError> {
        (**self).encode(line)
    }
}

impl<M: Measurement + ?Sized> Measurement for Box<M> {
    const SCHEMA: Option<Schema> = M::SCHEMA;

    fn measurement(&self) -> &str {
        (**self).measurement()
    }

    fn encode(&self, line: &mut Line<'_>) -> Result<(), EncodeError> {
        (**self).encode(line)
    }
}
