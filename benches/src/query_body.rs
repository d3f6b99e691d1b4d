//! Decoding a pre-fetched `/query` answer body, without a server in the timing: what
//! `query-decode` times, `decode-n` runs under callgrind and `alloc-counts --query-body`
//! counts allocations of.
//!
//! The body is a chunked answer (`chunked=true`, the server's default 10,000 rows per chunk:
//! one JSON document per line) to `SELECT * FROM temperature`, fetched once from a real
//! InfluxDB. Every [`Decoder`] decodes all of it, chunk by chunk, into its own row type:
//!
//! | decoder | what is timed |
//! |---|---|
//! | [`Decoder::Inflow`] | `inflow::query::__decode_body::<QueryReading>`: what `query_as` does with the answer's bytes |
//! | [`Decoder::JsonValue`] | `serde_json::from_slice::<serde_json::Value>` of each line: the baseline, which keeps nothing typed |
//! | [`Decoder::Influxdb`] | `influxdb` 0.8's serde integration on each line, as its `Client::json_query` does with a body (a probe for `{"error": ...}`, then `DatabaseQueryResult`), then `deserialize_next::<InfluxdbQueryReading>()` |
//!
//! `influxdb` 0.8 refuses a series with a key other than `name`, `columns` and `values`: every
//! chunk but the last of a chunked answer (`"partial": true` on the series), and any answer of
//! more than 10,000 rows from InfluxDB 1.x, which flags a long series `partial` even when it
//! sends it whole. So it is given the same body with the series' `"partial":true` taken out
//! ([`Decoder::body`], outside any measurement).

use inflow::{EpochTime, Measurement, Precision};
use serde::Deserialize;

/// The row `query-decode` writes and reads back with inflow.
#[derive(Debug, Clone, Measurement)]
#[inflow(measurement = "temperature")]
pub struct QueryReading {
    /// `location` tag.
    #[inflow(tag)]
    pub location: String,
    /// `sensor_type` tag.
    #[inflow(tag)]
    pub sensor_type: String,
    /// `value` field.
    pub value: f64,
    /// `count` field.
    pub count: i64,
    /// `ok` field.
    pub ok: bool,
    /// The timestamp.
    #[inflow(timestamp)]
    pub at: EpochTime,
}

/// The same row for `influxdb` 0.8's serde integration, which reads columns by name (`time`
/// an integer with `epoch=ns`, RFC 3339 text otherwise).
#[derive(Debug, Deserialize)]
pub struct InfluxdbQueryReading {
    /// `time` column.
    pub time: Time,
    /// `location` column.
    pub location: String,
    /// `sensor_type` column.
    pub sensor_type: String,
    /// `value` column.
    pub value: f64,
    /// `count` column.
    pub count: i64,
    /// `ok` column.
    pub ok: bool,
}

/// The `time` column as the server sends it: nanoseconds (`epoch=ns`) or RFC 3339 text.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Time {
    /// `epoch=ns`.
    Nanos(i64),
    /// Without `epoch`.
    Text(String),
}

/// A decoder of answer bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoder {
    /// `inflow::query::__decode_body` into [`QueryReading`].
    Inflow,
    /// `serde_json::Value` per line: the baseline.
    JsonValue,
    /// `influxdb` 0.8's serde integration into [`InfluxdbQueryReading`].
    Influxdb,
}

impl Decoder {
    /// Every decoder, the baseline second.
    pub const ALL: [Decoder; 3] = [Decoder::Inflow, Decoder::JsonValue, Decoder::Influxdb];

    /// The name on the command line and in reports.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Decoder::Inflow => "inflow",
            Decoder::JsonValue => "serde_json-value",
            Decoder::Influxdb => "influxdb",
        }
    }

    /// What the decoder is given of `body`: the body itself, or for `influxdb` 0.8, the body
    /// without the series' `"partial":true`, which it refuses.
    #[must_use]
    pub fn body(self, body: &[u8]) -> Vec<u8> {
        if self != Decoder::Influxdb {
            return body.to_vec();
        }
        // A cut series ends its rows with `]]`, then `,"partial":true}`.
        const FLAGGED: &[u8] = br#"]],"partial":true}"#;
        let mut out = Vec::with_capacity(body.len());
        let mut rest = body;
        while let Some(at) = rest.windows(FLAGGED.len()).position(|w| w == FLAGGED) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(b"]]}");
            rest = &rest[at + FLAGGED.len()..];
        }
        out.extend_from_slice(rest);
        out
    }

    /// The decoder named `id`.
    #[must_use]
    pub fn from_id(id: &str) -> Option<Decoder> {
        Decoder::ALL.into_iter().find(|decoder| decoder.id() == id)
    }
}

/// `influxdb` 0.8's probe for a request error (its `_DatabaseError` is private).
#[derive(Deserialize)]
struct DatabaseError {
    #[allow(dead_code)] // read only to see whether the body is an error
    error: String,
}

/// Decodes every row of `body` with `decoder`, times in `epoch` (`None`: RFC 3339), and
/// returns how many rows it read. What `decode-n` collects instructions inside of.
///
/// # Panics
///
/// When the body does not decode.
#[inline(never)]
#[must_use]
pub fn decode_body(decoder: Decoder, body: &[u8], epoch: Option<Precision>) -> usize {
    match decoder {
        Decoder::Inflow => inflow::query::__decode_body::<QueryReading>(body, epoch)
            .unwrap_or_else(|err| panic!("inflow: {err}"))
            .len(),
        Decoder::JsonValue => lines(body)
            .map(|line| {
                let value: serde_json::Value =
                    serde_json::from_slice(line).unwrap_or_else(|err| panic!("Value: {err}"));
                value["results"][0]["series"][0]["values"]
                    .as_array()
                    .map_or(0, Vec::len)
            })
            .sum(),
        Decoder::Influxdb => lines(body)
            .map(|line| {
                assert!(serde_json::from_slice::<DatabaseError>(line).is_err());
                let mut result: influxdb::integrations::serde_integration::DatabaseQueryResult =
                    serde_json::from_slice(line).unwrap_or_else(|err| panic!("influxdb: {err}"));
                let read = result
                    .deserialize_next::<InfluxdbQueryReading>()
                    .unwrap_or_else(|err| panic!("influxdb: {err}"));
                read.series
                    .iter()
                    .map(|series| series.values.len())
                    .sum::<usize>()
            })
            .sum(),
    }
}

/// The non-blank lines of a chunked answer.
fn lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    body.split(|&byte| byte == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
}
