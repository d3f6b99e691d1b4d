//! The `Measurement` trait: what can be written as a point.

use crate::line_protocol::{EncodeError, Line};

/// A type whose values can be written to InfluxDB as points.
///
/// `#[derive(Measurement)]` implements it for a struct, with the measurement name, escaped keys
/// and tag order computed at compile time, and for an enum of measurements, whose values are
/// points of several measurements (each variant one); [`Point`](crate::Point) implements it
/// for points built at run time. Writing it by hand is possible (write the measurement name, then the
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

    /// The schemas of every kind of point the type writes, one per measurement: for a struct,
    /// its [`SCHEMA`](Self::SCHEMA) alone; for an enum of measurements, each variant's in the
    /// order of the variants (an enum's own `SCHEMA` is `None`, since its points have several
    /// shapes); empty when the shape is only known at run time.
    ///
    /// [`Client::verify_schema`](crate::Client::verify_schema) checks each of them.
    ///
    /// ```
    /// use inflow::Measurement;
    ///
    /// #[derive(Measurement)]
    /// struct CpuLoad {
    ///     load: f64,
    /// }
    ///
    /// #[derive(Measurement)]
    /// enum Metric {
    ///     Cpu(CpuLoad),
    ///     DiskFree { bytes: u64 },
    /// }
    ///
    /// assert_eq!(CpuLoad::SCHEMAS, [CpuLoad::SCHEMA.unwrap()]);
    /// assert_eq!(Metric::SCHEMA, None);
    /// let names: Vec<_> = Metric::SCHEMAS.iter().map(|schema| schema.measurement()).collect();
    /// assert_eq!(names, ["cpu_load", "disk_free"]);
    /// assert_eq!(Metric::SCHEMAS[1].rust_type(), "Metric::DiskFree");
    /// ```
    const SCHEMAS: &'static [Schema] = match &Self::SCHEMA {
        Some(schema) => std::slice::from_ref(schema),
        None => &[],
    };

    /// The measurement name of this point (unescaped).
    fn measurement(&self) -> &str;

    /// Writes this point into `line`.
    ///
    /// # Errors
    ///
    /// When the point cannot be represented in line protocol.
    fn encode(&self, line: &mut Line<'_>) -> Result<(), EncodeError>;
}

/// The compile-time shape of a derived [`Measurement`]: its measurement name, its tags and its
/// fields, each with the Rust field it comes from.
///
/// Keys are listed as they are on the wire (after `rename`), in the order they are written:
/// sorted by their bytes.
///
/// ```
/// use inflow::{FieldType, Measurement};
///
/// #[derive(Measurement)]
/// struct Reading {
///     #[inflow(tag)]
///     sensor: String,
///     #[inflow(rename = "count")]
///     hits: i64,
///     level: Option<f32>,
/// }
///
/// let schema = Reading::SCHEMA.unwrap();
/// assert_eq!(schema.rust_type(), "Reading");
/// assert_eq!(schema.tags()[0].rust_field(), "sensor");
/// let count = schema.field("count").unwrap();
/// assert_eq!((count.rust_field(), count.rust_type()), ("hits", "i64"));
/// assert_eq!(count.field_type(), Some(FieldType::Integer));
/// assert_eq!(schema.field("level").unwrap().field_type(), Some(FieldType::Float));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Schema {
    rust_type: &'static str,
    measurement: &'static str,
    tag_keys: &'static [&'static str],
    field_keys: &'static [&'static str],
    tags: &'static [SchemaTag],
    fields: &'static [SchemaField],
    has_timestamp: bool,
}

impl Schema {
    #[doc(hidden)]
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        rust_type: &'static str,
        measurement: &'static str,
        tag_keys: &'static [&'static str],
        field_keys: &'static [&'static str],
        tags: &'static [SchemaTag],
        fields: &'static [SchemaField],
        has_timestamp: bool,
    ) -> Self {
        Schema {
            rust_type,
            measurement,
            tag_keys,
            field_keys,
            tags,
            fields,
            has_timestamp,
        }
    }

    /// The name of the Rust type the schema was derived from (`Reading`), or of the enum and
    /// its struct variant (`Metric::Disk`).
    #[must_use]
    pub const fn rust_type(&self) -> &'static str {
        self.rust_type
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

    /// The tags, in the order of [`tag_keys`](Self::tag_keys).
    #[must_use]
    pub const fn tags(&self) -> &'static [SchemaTag] {
        self.tags
    }

    /// The fields, in the order of [`field_keys`](Self::field_keys).
    #[must_use]
    pub const fn fields(&self) -> &'static [SchemaField] {
        self.fields
    }

    /// The tag written with `key`, if any.
    #[must_use]
    pub fn tag(&self, key: &str) -> Option<&'static SchemaTag> {
        self.tags.iter().find(|tag| tag.key == key)
    }

    /// The field written with `key`, if any.
    #[must_use]
    pub fn field(&self, key: &str) -> Option<&'static SchemaField> {
        self.fields.iter().find(|field| field.key == key)
    }

    /// Whether the type has a `#[inflow(timestamp)]` field. Without one, every point is stamped
    /// with the time it is written.
    #[must_use]
    pub const fn has_timestamp(&self) -> bool {
        self.has_timestamp
    }
}

/// A tag of a [`Schema`]: its key and the Rust field that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchemaTag {
    key: &'static str,
    rust_field: &'static str,
}

impl SchemaTag {
    #[doc(hidden)]
    #[must_use]
    pub const fn __new(key: &'static str, rust_field: &'static str) -> Self {
        SchemaTag { key, rust_field }
    }

    /// The tag key (unescaped).
    #[must_use]
    pub const fn key(&self) -> &'static str {
        self.key
    }

    /// The name of the Rust field (without `r#`).
    #[must_use]
    pub const fn rust_field(&self) -> &'static str {
        self.rust_field
    }
}

/// A field of a [`Schema`]: its key, the Rust field and type it comes from, and the line
/// protocol type it is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchemaField {
    key: &'static str,
    rust_field: &'static str,
    rust_type: &'static str,
    field_type: Option<FieldType>,
}

impl SchemaField {
    #[doc(hidden)]
    #[must_use]
    pub const fn __new(
        key: &'static str,
        rust_field: &'static str,
        rust_type: &'static str,
        field_type: Option<FieldType>,
    ) -> Self {
        SchemaField {
            key,
            rust_field,
            rust_type,
            field_type,
        }
    }

    /// The field key (unescaped).
    #[must_use]
    pub const fn key(&self) -> &'static str {
        self.key
    }

    /// The name of the Rust field (without `r#`).
    #[must_use]
    pub const fn rust_field(&self) -> &'static str {
        self.rust_field
    }

    /// The Rust type of the field as written in the struct (`Option<f64>`).
    #[must_use]
    pub const fn rust_type(&self) -> &'static str {
        self.rust_type
    }

    /// The type the field is written as: [`FieldValue::TYPE`](crate::FieldValue::TYPE) of
    /// its Rust type, `None` when only the value decides (as for [`Value`](crate::Value)).
    #[must_use]
    pub const fn field_type(&self) -> Option<FieldType> {
        self.field_type
    }
}

/// The type of a field's value in line protocol, as `SHOW FIELD KEYS` names it.
///
/// InfluxDB fixes a field's type with the first value written to it (per shard); a point with
/// a value of another type is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldType {
    /// A 64-bit float (`1.5`).
    Float,
    /// A signed 64-bit integer (`1i`). This client writes Rust's unsigned integers as these,
    /// since InfluxDB 1.x has no unsigned type.
    Integer,
    /// An unsigned 64-bit integer (`1u`): InfluxDB 2.x and later only.
    Unsigned,
    /// A string (`"text"`).
    String,
    /// A boolean (`true`).
    Boolean,
}

impl FieldType {
    /// The type's name as `SHOW FIELD KEYS` gives it: `float`, `integer`, `unsigned`, `string`
    /// or `boolean`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldType::Float => "float",
            FieldType::Integer => "integer",
            FieldType::Unsigned => "unsigned",
            FieldType::String => "string",
            FieldType::Boolean => "boolean",
        }
    }

    /// The type named `name` as `SHOW FIELD KEYS` gives it, or `None` for another text.
    #[must_use]
    pub fn from_name(name: &str) -> Option<FieldType> {
        [
            FieldType::Float,
            FieldType::Integer,
            FieldType::Unsigned,
            FieldType::String,
            FieldType::Boolean,
        ]
        .into_iter()
        .find(|ty| ty.as_str() == name)
    }
}

impl std::fmt::Display for FieldType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The schemas of `parts` one after the other, as one array: an enum's
/// [`SCHEMAS`](Measurement::SCHEMAS). Generated code calls it in a constant.
#[doc(hidden)]
#[must_use]
pub const fn concat_schemas<const N: usize>(parts: &[&[Schema]]) -> [Schema; N] {
    let mut out = [Schema::__new("", "", &[], &[], &[], &[], false); N];
    let mut at = 0;
    let mut part = 0;
    while part < parts.len() {
        let mut index = 0;
        while index < parts[part].len() {
            out[at] = parts[part][index];
            at += 1;
            index += 1;
        }
        part += 1;
    }
    assert!(at == N, "the schemas do not fill the array");
    out
}

/// Whether a schema of `a` and one of `b` have the same measurement: two variants of an enum
/// that could not be told apart when decoded. Generated code asserts it is not so.
#[doc(hidden)]
#[must_use]
pub const fn share_a_measurement(a: &[Schema], b: &[Schema]) -> bool {
    let mut i = 0;
    while i < a.len() {
        let mut j = 0;
        while j < b.len() {
            if same_bytes(a[i].measurement.as_bytes(), b[j].measurement.as_bytes()) {
                return true;
            }
            j += 1;
        }
        i += 1;
    }
    false
}

const fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether one of `schemas` is of `measurement`: which variant of an enum a series decodes
/// into. Generated code calls it.
#[doc(hidden)]
#[must_use]
pub fn has_measurement(schemas: &[Schema], measurement: &str) -> bool {
    schemas
        .iter()
        .any(|schema| schema.measurement == measurement)
}

impl<M: Measurement + ?Sized> Measurement for &M {
    const SCHEMA: Option<Schema> = M::SCHEMA;
    const SCHEMAS: &'static [Schema] = M::SCHEMAS;

    fn measurement(&self) -> &str {
        (**self).measurement()
    }

    fn encode(&self, line: &mut Line<'_>) -> Result<(), EncodeError> {
        (**self).encode(line)
    }
}

impl<M: Measurement + ?Sized> Measurement for Box<M> {
    const SCHEMA: Option<Schema> = M::SCHEMA;
    const SCHEMAS: &'static [Schema] = M::SCHEMAS;

    fn measurement(&self) -> &str {
        (**self).measurement()
    }

    fn encode(&self, line: &mut Line<'_>) -> Result<(), EncodeError> {
        (**self).encode(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn schema(measurement: &'static str) -> Schema {
        Schema::__new("T", measurement, &[], &[], &[], &[], false)
    }

    const CPU: Schema = schema("cpu");
    const DISK: Schema = schema("disk");
    const ALL: [Schema; 3] = concat_schemas(&[&[CPU], &[], &[DISK, CPU]]);

    #[test]
    fn an_enums_schemas_are_its_variants_in_order() {
        assert_eq!(ALL, [CPU, DISK, CPU]);
        assert!(share_a_measurement(&[CPU], &ALL[1..]));
        assert!(!share_a_measurement(
            &[CPU],
            &[DISK, schema("cpu2"), schema("cp")]
        ));
        assert!(!share_a_measurement(&[], &ALL));
        assert!(has_measurement(&ALL, "disk"));
        assert!(!has_measurement(&ALL, "Disk"));
    }
}
