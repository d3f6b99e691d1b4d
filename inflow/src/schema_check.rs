//! A derived type's [`Schema`] against the server's: `SHOW FIELD KEYS` and `SHOW TAG KEYS`
//! compared with the tags and fields the type writes, and the server's field type conflicts
//! named after the Rust field that caused them.

use std::{fmt, slice};

use crate::query::quote_identifier;
use crate::query::request::strings_of_column;
use crate::{Client, Error, ErrorKind, FieldType, Measurement, Result, Schema, SchemaField};

impl Client {
    /// Compares the tags and fields `M` writes with those the server already has for its
    /// measurement (for an enum of measurements, each variant's: every schema of
    /// [`Measurement::SCHEMAS`]), in the client's retention policy when one is set: a field the server
    /// stores with another type, or a key that is a tag on one side and a field on the other,
    /// would make the server refuse `M`'s points (InfluxDB fixes a field's type with the first
    /// value written to it). Keys the server has and `M` does not are listed as information.
    /// A measurement the server does not have yet has nothing to conflict with.
    ///
    /// InfluxDB 1.x keeps field types per retention policy, but tag keys per database: a tag
    /// written into any retention policy counts.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// use inflow::{Client, Measurement};
    ///
    /// #[derive(Measurement)]
    /// struct Reading {
    ///     #[inflow(tag)]
    ///     sensor: String,
    ///     count: i64,
    /// }
    ///
    /// let client = Client::new("http://localhost:8086/db")?;
    /// let report = client.verify_schema::<Reading>().await?;
    /// for conflict in report.conflicts() {
    ///     // `Reading::count` (i64, written as integer) conflicts with the server's float
    ///     // field `count` of measurement `reading`
    ///     eprintln!("{conflict}");
    /// }
    /// assert!(report.is_compatible(), "{report}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidQuery`] when `M` has no static schema (a [`Point`](crate::Point));
    /// otherwise when the server refuses the queries (an unknown database, say).
    pub async fn verify_schema<M: Measurement + ?Sized>(&self) -> Result<SchemaReport> {
        self.verify_schema_in::<M>(self.retention_policy()).await
    }

    /// [`verify_schema`](Self::verify_schema) in `retention_policy` (the database's default
    /// when `None`), whatever the client's.
    pub(crate) async fn verify_schema_in<M: Measurement + ?Sized>(
        &self,
        retention_policy: Option<&str>,
    ) -> Result<SchemaReport> {
        self.verify_schemas_in(M::SCHEMAS, std::any::type_name::<M>(), retention_policy)
            .await
    }

    /// [`verify_schema_in`](Self::verify_schema_in) for `schemas`, the schemas of the type
    /// named `type_name`.
    pub(crate) async fn verify_schemas_in(
        &self,
        schemas: &[Schema],
        type_name: &str,
        retention_policy: Option<&str>,
    ) -> Result<SchemaReport> {
        if schemas.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidQuery,
                format!(
                    "`{type_name}` has no static schema to verify: its tags and fields are only known per point"
                ),
            ));
        }
        let mut report = SchemaReport::default();
        let servers = self.server_keys(schemas, retention_policy).await?;
        for (schema, server) in schemas.iter().zip(&servers) {
            compare(schema, server, &mut report);
        }
        Ok(report)
    }

    /// The server's field keys (with their types) and tag keys of each schema's measurement in
    /// `retention_policy`, asked in one request.
    async fn server_keys(
        &self,
        schemas: &[Schema],
        retention_policy: Option<&str>,
    ) -> Result<Vec<ServerKeys>> {
        let statements: Vec<String> = schemas
            .iter()
            .map(|schema| {
                let measurement = schema.measurement();
                let from = match retention_policy {
                    Some(rp) => {
                        format!("{}.{}", quote_identifier(rp), quote_identifier(measurement))
                    }
                    None => quote_identifier(measurement),
                };
                format!("SHOW FIELD KEYS FROM {from}; SHOW TAG KEYS FROM {from}")
            })
            .collect();
        let results = self.query(statements.join("; ")).await?;
        if results.len() != 2 * schemas.len() {
            return Err(Error::new(
                ErrorKind::UnexpectedResponse,
                format!(
                    "{} statements were answered with {} results",
                    2 * schemas.len(),
                    results.len()
                ),
            ));
        }
        Ok(results
            .chunks_exact(2)
            .map(|pair| {
                let (fields, tags) = (slice::from_ref(&pair[0]), slice::from_ref(&pair[1]));
                ServerKeys {
                    fields: strings_of_column(fields, "fieldKey")
                        .into_iter()
                        .zip(strings_of_column(fields, "fieldType"))
                        .collect(),
                    tags: strings_of_column(tags, "tagKey"),
                }
            })
            .collect())
    }
}

/// A session's check before its first commit: `Ok` when nothing in `report` conflicts, else
/// a [`SchemaConflict`](ErrorKind::SchemaConflict) error whose message is the report.
pub(crate) fn refuse_conflicts(report: &SchemaReport) -> Result<()> {
    if report.is_compatible() {
        return Ok(());
    }
    Err(Error::new(ErrorKind::SchemaConflict, report.to_string()))
}

/// What the server has for one measurement.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ServerKeys {
    /// `(key, type)`; a key can be listed once per type when its shards disagree.
    fields: Vec<(String, String)>,
    tags: Vec<String>,
}

/// The outcome of [`Client::verify_schema`] (and of the check a session set with
/// [`Session::verify_schema`](crate::Session::verify_schema) makes before its first commit):
/// the conflicts that would make the server refuse points, and the keys it has that the type
/// does not write.
///
/// `Display` lists them, one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaReport {
    conflicts: Vec<SchemaConflict>,
    server_only: Vec<ServerOnlyKey>,
}

impl SchemaReport {
    /// Whether nothing the type writes conflicts with the server's schema.
    #[must_use]
    pub fn is_compatible(&self) -> bool {
        self.conflicts.is_empty()
    }

    /// The conflicts: each makes the server refuse the points that carry the key.
    #[must_use]
    pub fn conflicts(&self) -> &[SchemaConflict] {
        &self.conflicts
    }

    /// For information: the keys the server has for the measurement and the type does not
    /// write (its points leave them out, which the server accepts).
    #[must_use]
    pub fn server_only(&self) -> &[ServerOnlyKey] {
        &self.server_only
    }
}

impl fmt::Display for SchemaReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.conflicts.is_empty() && self.server_only.is_empty() {
            return f.write_str("the schema matches the server's");
        }
        let mut lines = self
            .conflicts
            .iter()
            .map(ToString::to_string)
            .chain(self.server_only.iter().map(ToString::to_string));
        if let Some(first) = lines.next() {
            f.write_str(&first)?;
        }
        for line in lines {
            write!(f, "\n{line}")?;
        }
        Ok(())
    }
}

/// What a key is on the server: a tag, or a field of a type (as `SHOW FIELD KEYS` names it).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerKey {
    /// A tag key.
    Tag,
    /// A field key, with its type: `float`, `integer`, `string`, `boolean` (or `unsigned` on
    /// 2.x and later).
    Field(String),
}

impl fmt::Display for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerKey::Tag => f.write_str("tag"),
            ServerKey::Field(ty) => write!(f, "{ty} field"),
        }
    }
}

/// A key the type writes that the server has as something else: a field of another type, or
/// a tag where the type writes a field (or the other way round).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaConflict {
    rust_type: &'static str,
    measurement: &'static str,
    key: &'static str,
    rust_field: &'static str,
    /// The Rust field's type and line-protocol type, `None` for a tag.
    field: Option<(&'static str, FieldType)>,
    server: ServerKey,
}

impl SchemaConflict {
    /// The Rust type (`Reading`).
    #[must_use]
    pub fn rust_type(&self) -> &'static str {
        self.rust_type
    }

    /// The Rust field (`count`).
    #[must_use]
    pub fn rust_field(&self) -> &'static str {
        self.rust_field
    }

    /// The measurement.
    #[must_use]
    pub fn measurement(&self) -> &'static str {
        self.measurement
    }

    /// The key, as written on the wire.
    #[must_use]
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The type the Rust field is written as, `None` when it is a tag.
    #[must_use]
    pub fn written_as(&self) -> Option<FieldType> {
        self.field.map(|(_, ty)| ty)
    }

    /// What the key is on the server.
    #[must_use]
    pub fn server(&self) -> &ServerKey {
        &self.server
    }
}

impl fmt::Display for SchemaConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let SchemaConflict {
            rust_type,
            measurement,
            key,
            rust_field,
            field,
            server,
        } = self;
        match field {
            Some((ty, written_as)) => write!(
                f,
                "`{rust_type}::{rust_field}` ({ty}, written as {written_as}) conflicts with the server's {server} `{key}`"
            )?,
            None => write!(
                f,
                "`{rust_type}::{rust_field}` (written as tag) conflicts with the server's {server} `{key}`"
            )?,
        }
        write!(f, " of measurement `{measurement}`")
    }
}

/// A key the server has for a measurement and the type does not write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOnlyKey {
    measurement: &'static str,
    key: String,
    server: ServerKey,
}

impl ServerOnlyKey {
    /// The measurement.
    #[must_use]
    pub fn measurement(&self) -> &'static str {
        self.measurement
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What the key is on the server.
    #[must_use]
    pub fn server(&self) -> &ServerKey {
        &self.server
    }
}

impl fmt::Display for ServerOnlyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server's {} `{}` of measurement `{}` is not written by the type",
            self.server, self.key, self.measurement
        )
    }
}

/// Adds to `report` how `schema` compares with what the server has for its measurement.
fn compare(schema: &Schema, server: &ServerKeys, report: &mut SchemaReport) {
    let conflict = |key: &'static str, rust_field, field, server| SchemaConflict {
        rust_type: schema.rust_type(),
        measurement: schema.measurement(),
        key,
        rust_field,
        field,
        server,
    };
    let server_keys = server
        .fields
        .iter()
        .map(|(key, ty)| (key, ServerKey::Field(ty.clone())))
        .chain(server.tags.iter().map(|key| (key, ServerKey::Tag)));
    for (key, on_server) in server_keys {
        if let Some(field) = schema.field(key) {
            let Some(written_as) = field.field_type() else {
                // Only the value decides its type: nothing to compare.
                continue;
            };
            if on_server != ServerKey::Field(written_as.as_str().to_owned()) {
                report.conflicts.push(conflict(
                    field.key(),
                    field.rust_field(),
                    Some((field.rust_type(), written_as)),
                    on_server,
                ));
            }
        } else if let Some(tag) = schema.tag(key) {
            if on_server != ServerKey::Tag {
                report
                    .conflicts
                    .push(conflict(tag.key(), tag.rust_field(), None, on_server));
            }
        } else {
            report.server_only.push(ServerOnlyKey {
                measurement: schema.measurement(),
                key: key.clone(),
                server: on_server,
            });
        }
    }
}

/// A session's partial write, with the Rust field named when the server's reason is a field
/// type conflict on a field one of `schemas` writes: the server's message stays as it is, and
/// the error's `Display` adds "`Reading::count` (i64, written as integer) conflicts with the
/// server's float field `count`".
pub(crate) fn name_conflicting_field(error: Error, schemas: &[Schema]) -> Error {
    if error.kind() != ErrorKind::PartialWrite {
        return error;
    }
    let explanation = error.partial_write_reasons().iter().find_map(|reason| {
        schemas.iter().find_map(|schema| {
            schema
                .fields()
                .iter()
                .find_map(|field| explain(reason, schema, field))
        })
    });
    match explanation {
        Some(explanation) => error.with_explanation(explanation),
        None => error,
    }
}

/// The server's reason, when it is a type conflict on `field` of `schema`, said of the Rust
/// field. InfluxDB 1.x writes the names as they are between the quotes, unescaped, so the
/// known names are matched rather than parsed out.
fn explain(reason: &str, schema: &Schema, field: &SchemaField) -> Option<String> {
    let rest = reason
        .strip_prefix("field type conflict: input field \"")?
        .strip_prefix(field.key())?
        .strip_prefix("\" on measurement \"")?
        .strip_prefix(schema.measurement())?
        .strip_prefix("\" is type ")?;
    let (written, existing) = rest.split_once(", already exists as type ")?;
    let existing = existing.split_whitespace().next()?;
    Some(format!(
        "`{}::{}` ({}, written as {written}) conflicts with the server's {existing} field `{}`",
        schema.rust_type(),
        field.rust_field(),
        field.rust_type(),
        field.key()
    ))
}

#[cfg(test)]
mod tests;
