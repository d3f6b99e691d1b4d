//! Queries: the [`Query`] builder with bound parameters, the raw results, typed decoding into
//! derived structs, and quoting for InfluxQL text.
//!
//! `Client::query` returns one [`StatementResult`] per statement with its [`Series`] (name,
//! tags, columns, rows); values keep their JSON types, integers exact as `i64`, `null` as
//! `None`. `Client::query_as::<M>` decodes rows into `M` through the derive, and
//! `Client::query_stream::<M>` decodes them as they arrive.
//!
//! # Typed queries
//!
//! `#[derive(Measurement)]` also implements [`Queryable`]: `Reading::select()` builds a
//! [`Select`] from the type's column handles, whose comparisons are checked by the compiler
//! (a tag compared with a number, a regex on a float field or a field condition in a
//! [`Delete`] does not compile), and `Client::fetch` runs it into `Vec<Reading>`. Every value
//! is a bound parameter and every key quoted; `Display` shows the statement.
//!
//! # Complete answers only
//!
//! Every query asks InfluxDB 1.x for a chunked answer (`chunked=true`): one JSON document per
//! line, each holding at most [`Query::chunk_size`] rows of one series. A chunk after which more
//! of its statement follows says so (`"partial": true`), and the last chunk of a statement does
//! not. A chunked answer is never cut at the server's `max-row-limit`; an answer in one piece
//! is cut there, and cannot show it: the server flags a cut series `"partial": true`, but it
//! also leaves that flag on any series longer than its internal chunk of 10,000 rows that it
//! sent whole. So a non-chunked answer cannot tell a reader whether it holds every row, and a
//! chunked one can: when the answer ends while its last chunk still says more follows, the
//! read fails with [`ErrorKind::Truncated`](crate::ErrorKind::Truncated) instead of returning
//! the rows it got as if they were all. `query` and `query_as` join the chunks back together,
//! so that their results read as one piece.
//!
//! # Timeouts
//!
//! The client's timeout bounds the wait for the answer's head and then, separately, the wait
//! for each chunk: an answer streamed over minutes succeeds as long as its chunks keep coming,
//! and a chunk that does not arrive whole in time fails with
//! [`ErrorKind::Timeout`](crate::ErrorKind::Timeout), even when its bytes trickle in one by
//! one.
//!
//! # Several statements
//!
//! InfluxDB 1.x answers a query of several statements with the results of each in turn. When
//! a statement fails, the statements after it are not run: in a chunked answer the server sends
//! the failed statement's real error, then `"not executed"` under the same statement number for
//! each statement left. The query fails with the first error, the real one (an answer in one
//! piece would have kept only `"not executed"`).

pub(crate) mod typed;
#[doc(hidden)]
pub use self::typed::AggColumnHandle;
pub use self::typed::{
    Agg, Aggregate, AggregateInput, Aggregates, Arithmetic, Class, Extremes, Fill, FillValue,
    FloatClass, IntClass, NoClass, NoFillValue, Output, Selected, Widened,
};
pub use self::typed::{
    AnyColumns, Boolean, Delete, Field, FieldColumn, FieldKind, Filter, Join, Matched, Numeric,
    OnlyTags, Order, Ordered, Queryable, Select, Tag, TagColumn, TagFilter, TagsOnly, Text,
    TypedQuery, VariantOf, regex_escape, tag_text,
};

mod answer;
pub(crate) mod decode;
mod quote;
pub(crate) mod request;
mod results;
mod rfc3339;
mod rows;
pub(crate) mod scan;

#[doc(hidden)]
pub use self::decode::{Column, Plan};
pub use self::decode::{FieldRef, FromFieldValue, FromRow, FromTagValue, FromTimestamp, Row};
pub use self::quote::{qualified_measurement, quote_identifier, quote_string};
pub use self::request::RowStream;
pub use self::results::{Message, Series, StatementResult};
#[doc(hidden)]
pub use self::rows::__decode_body;

use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

use crate::Precision;

/// A query: InfluxQL text, bound parameters, and where and how to run it.
///
/// Values are best given as bound parameters (`$name` in the text): the server replaces each
/// parameter with a literal after parsing the statement, so no value can change the statement.
/// Identifiers cannot be bound on every 1.x server; quote those with [`quote_identifier`].
///
/// ```
/// use inflow::query::Query;
///
/// let query = Query::new("SELECT * FROM temperature WHERE location = $loc AND value > $min")
///     .bind("loc", "groningen")
///     .bind("min", 20.5)
///     .epoch(inflow::Precision::Seconds);
/// assert_eq!(query.text(), "SELECT * FROM temperature WHERE location = $loc AND value > $min");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    text: String,
    params: serde_json::Map<String, serde_json::Value>,
    invalid_param: Option<String>,
    pub(crate) database: Option<String>,
    pub(crate) retention_policy: Option<String>,
    pub(crate) epoch: Option<Precision>,
    pub(crate) chunk_size: Option<usize>,
}

impl Query {
    /// A query of `text` in the client's database.
    pub fn new(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            params: serde_json::Map::new(),
            invalid_param: None,
            database: None,
            retention_policy: None,
            epoch: None,
            chunk_size: None,
        }
    }

    /// Binds `$name` to `value`: a string, integer, float, boolean or time (sent as RFC 3339
    /// with nanoseconds, which time comparisons accept).
    #[must_use]
    pub fn bind(mut self, name: impl Into<String>, value: impl Into<Param>) -> Self {
        let name = name.into();
        match value.into().0 {
            Ok(value) => {
                self.params.insert(name, value);
            }
            Err(problem) => self.invalid_param = Some(format!("parameter ${name}: {problem}")),
        }
        self
    }

    /// Runs the query in `database` instead of the client's.
    #[must_use]
    pub fn database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// The retention policy unqualified measurements are read from (`rp=`).
    #[must_use]
    pub fn retention_policy(mut self, retention_policy: impl Into<String>) -> Self {
        self.retention_policy = Some(retention_policy.into());
        self
    }

    /// Asks for times as integers in `precision` (`epoch=`) instead of RFC 3339 text. Typed
    /// decoding reads both.
    #[must_use]
    pub fn epoch(mut self, precision: Precision) -> Self {
        self.epoch = Some(precision);
        self
    }

    /// The number of rows per chunk of the answer (the server's default is 10 000): the most
    /// rows `query_stream` decodes at a time, and the most the answer holds as text at a time.
    #[must_use]
    pub fn chunk_size(mut self, rows: usize) -> Self {
        self.chunk_size = Some(rows);
        self
    }

    /// The InfluxQL text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The bound parameters as the JSON object sent in `params`, if any.
    pub(crate) fn params_json(&self) -> Option<String> {
        (!self.params.is_empty())
            .then(|| serde_json::Value::Object(self.params.clone()).to_string())
    }

    /// Why a parameter could not be bound, if one could not.
    pub(crate) fn invalid_param(&self) -> Option<&str> {
        self.invalid_param.as_deref()
    }
}

impl From<&str> for Query {
    fn from(text: &str) -> Self {
        Query::new(text)
    }
}

impl From<String> for Query {
    fn from(text: String) -> Self {
        Query::new(text)
    }
}

impl From<&String> for Query {
    fn from(text: &String) -> Self {
        Query::new(text.as_str())
    }
}

/// A value for a bound parameter; converted from the usual Rust types.
#[derive(Debug, Clone, PartialEq)]
pub struct Param(pub(crate) Result<serde_json::Value, String>);

macro_rules! param_from {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Param {
            fn from(value: $ty) -> Self {
                Param(Ok(serde_json::Value::from(value)))
            }
        }
    )*};
}

param_from!(i8, i16, i32, i64, isize, u8, u16, u32, bool, &str, String);

impl From<usize> for Param {
    fn from(value: usize) -> Self {
        // usize is at most 64 bits on every platform Rust supports.
        Param::from(value as u64)
    }
}

impl From<u64> for Param {
    fn from(value: u64) -> Self {
        // 1.x reads a numeric parameter without a `.` as an i64, and refuses one above i64::MAX.
        Param(
            i64::try_from(value)
                .map(serde_json::Value::from)
                .map_err(|_| format!("{value} is above i64::MAX")),
        )
    }
}

impl From<f64> for Param {
    fn from(value: f64) -> Self {
        Param(
            serde_json::Number::from_f64(value)
                .map(serde_json::Value::Number)
                .ok_or_else(|| format!("{value} is not a finite number")),
        )
    }
}

impl From<f32> for Param {
    /// An `f32` field is written as its shortest text (`0.1`), which the server reads as the
    /// `f64` nearest to that text: the parameter is that `f64` (`0.1`), not the `f32` widened
    /// (`0.10000000149011612`), so that it compares equal to what was stored.
    fn from(value: f32) -> Self {
        let stored = value
            .is_finite()
            .then(|| zmij::Buffer::new().format_finite(value).parse::<f64>().ok())
            .flatten();
        Param::from(stored.unwrap_or(f64::from(value)))
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for Param {
    fn from(value: DateTime<Tz>) -> Self {
        Param(Ok(serde_json::Value::from(
            value
                .with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )))
    }
}

impl From<SystemTime> for Param {
    fn from(value: SystemTime) -> Self {
        Param::from(DateTime::<Utc>::from(value))
    }
}
