#![doc = include_str!("../../README.md")]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![doc(test(attr(deny(warnings))))]

// Lets the crate's own unit tests use its derives, whose code names `::inflow`.
#[cfg(test)]
extern crate self as inflow;

mod batch;
#[cfg(feature = "blocking")]
pub mod blocking;
mod builder;
mod client;
mod config;
mod delivery;
mod error;
pub mod line_protocol;
mod measurement;
mod point;
mod precision;
pub mod query;
mod retry;
mod schema_check;
mod session;
mod timestamp;
mod transport;
mod v1;
mod value;
mod writer;

pub use crate::batch::{DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_BUFFERED_POINTS};
pub use crate::builder::ClientBuilder;
pub use crate::client::Client;
pub use crate::config::{Consistency, DEFAULT_MAX_BODY_SIZE, DEFAULT_TIMEOUT};
pub use crate::delivery::{CommitReport, RefusedLine};
pub use crate::error::{Error, ErrorKind, Result};
pub use crate::measurement::{FieldType, Measurement, Schema, SchemaField, SchemaTag};
pub use crate::point::{Point, Value};
pub use crate::precision::{ParsePrecisionError, Precision};
pub use crate::query::{FromRow, Query, Queryable};
pub use crate::retry::RetryPolicy;
pub use crate::schema_check::{SchemaConflict, SchemaReport, ServerKey, ServerOnlyKey};
pub use crate::session::Session;
pub use crate::timestamp::{EpochTime, Timestamp};
pub use crate::value::{FieldValue, TagValue};
#[cfg(feature = "spool")]
pub use crate::writer::SpoolSync;
pub use crate::writer::{
    DEFAULT_BATCH_BYTES, DEFAULT_BATCH_POINTS, DEFAULT_FLUSH_INTERVAL, DEFAULT_MAX_IN_FLIGHT,
    Overflow, Writer, WriterBuilder, WriterEvent, WriterEvents, WriterStats,
};

/// Derives [`Measurement`](trait@Measurement) and [`FromRow`] for a struct with named fields,
/// or for an enum of measurements (each variant a newtype holding a measurement type, or a
/// struct variant).
///
/// See the [crate documentation](crate) for the attributes.
#[cfg(feature = "derive")]
pub use inflow_derive::Measurement;

/// Derives [`FromRow`](trait@FromRow) for a read-only row: a struct with named fields that
/// `query_as`, `query_stream` and `fetch` decode rows into, such as the rows of an
/// [`Aggregate`](query::Aggregate).
///
/// Each field is read from the column of its name, or of `#[inflow(rename = "...")]`;
/// `#[inflow(tag)]` reads a tag (from the series' `GROUP BY` tags, or a column); the time is a
/// field named `time` or marked `#[inflow(timestamp)]`; `#[inflow(skip)]` leaves a field at
/// its `Default`. The types are read as for a measurement (see
/// [`FromFieldValue`](query::FromFieldValue), [`FromTagValue`](query::FromTagValue) and
/// [`FromTimestamp`](query::FromTimestamp)); `Option` fields read `null` as `None`. A row has
/// no measurement name, and need not have a field. `#[derive(Measurement)]` implements
/// `FromRow` too: a type derives one or the other.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> inflow::Result<()> {
/// use inflow::{Client, FromRow};
///
/// #[derive(Debug, FromRow)]
/// struct HourlyPeak {
///     time: chrono::DateTime<chrono::Utc>,
///     #[inflow(tag)]
///     location: String,
///     #[inflow(rename = "max")]
///     peak: Option<f64>,
/// }
///
/// let client = Client::new("http://localhost:8086/databasename")?;
/// let peaks: Vec<HourlyPeak> = client
///     .query_as(r#"SELECT max("value") FROM "temperature" WHERE time > now() - 1d GROUP BY time(1h), "location""#)
///     .await?;
/// for HourlyPeak { time, location, peak } in peaks {
///     println!("{time} {location}: {peak:?}");
/// }
/// # Ok(()) }
/// ```
#[cfg(feature = "derive")]
pub use inflow_derive::FromRow;

/// Derives [`TagValue`](trait@TagValue) and [`FromTagValue`](query::FromTagValue) for an enum
/// of unit variants: a closed set of tag texts.
///
/// Each variant is written as its name, or as `#[inflow(rename = "text")]` on the variant;
/// `#[inflow(rename_all = "...")]` on the enum converts every other name to `"snake_case"`,
/// `"kebab-case"`, `"lowercase"`, `"UPPERCASE"`, `"camelCase"`, `"PascalCase"` or
/// `"SCREAMING_SNAKE_CASE"` (words split as for measurement names: `HTTPRequest` is
/// `http_request`). A query reads back exactly those texts; any other text is a decode error
/// listing them, and an absent tag is an error unless the field is an `Option`. The texts are
/// checked at compile time: not empty (the server keeps no empty tag value), no line feed, no
/// trailing backslash, and no two variants written alike.
///
/// ```
/// use inflow::{Measurement, Precision, TagValue, line_protocol, query::FromTagValue};
///
/// #[derive(Debug, PartialEq, TagValue)]
/// #[inflow(rename_all = "snake_case")]
/// enum Level {
///     Low,
///     VeryHigh,
///     #[inflow(rename = "n/a")]
///     Unknown,
/// }
///
/// #[derive(Measurement)]
/// struct Alarm {
///     #[inflow(tag)]
///     level: Level,
///     count: i64,
/// }
///
/// let line = line_protocol::to_line(&Alarm { level: Level::VeryHigh, count: 1 }, Precision::Seconds)?;
/// assert!(line.starts_with("alarm,level=very_high count=1i "));
/// assert_eq!(Level::from_tag_value(Some("n/a")), Ok(Level::Unknown));
/// assert!(Level::from_tag_value(Some("VeryHigh")).is_err());
/// # Ok::<(), line_protocol::EncodeError>(())
/// ```
#[cfg(feature = "derive")]
pub use inflow_derive::TagValue;

/// What generated code names, by absolute path, so that a user's own items named `Result`,
/// `Option` and so on never change its meaning. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::line_protocol::{EncodeError, Line, StaticKey};
    pub use crate::measurement::{concat_schemas, has_measurement, share_a_measurement};
    pub use crate::query::decode::{typed_tag, unknown_measurement};
    pub use core::default::Default;
    pub use core::option::Option::{self, None, Some};
    pub use core::primitive::str;
    pub use core::result::Result::{self, Err, Ok};
    pub use std::string::String;
}
