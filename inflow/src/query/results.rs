//! The raw results of `/query`, parsed from JSON with integers kept exact. I/O-free.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::{Error, ErrorKind, Result, Value};

/// The result of one statement of a query.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StatementResult {
    #[serde(default)]
    statement_id: usize,
    #[serde(default)]
    series: Vec<Series>,
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    partial: bool,
    #[serde(default)]
    error: Option<String>,
}

impl StatementResult {
    /// The statement's position in the query, from 0.
    #[must_use]
    pub fn statement_id(&self) -> usize {
        self.statement_id
    }

    /// The series the statement returned (none for statements that return no rows).
    #[must_use]
    pub fn series(&self) -> &[Series] {
        &self.series
    }

    /// Takes the series out.
    #[must_use]
    pub fn into_series(self) -> Vec<Series> {
        self.series
    }

    /// The server's messages about the statement (warnings, such as a write sent by GET).
    #[must_use]
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Whether the server flagged the result as continued. `Client::query` joins the chunks of
    /// its answer into whole results, so what it returns is never flagged.
    #[must_use]
    pub fn is_partial(&self) -> bool {
        self.partial
    }
}

/// A message of the server about a statement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Message {
    /// `warning`, `info`, ...
    pub level: String,
    /// The message.
    pub text: String,
}

/// One series of a result: rows of one measurement (and one tag set, with `GROUP BY`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Series {
    #[serde(default)]
    name: String,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    columns: Vec<String>,
    #[serde(default)]
    values: Vec<Vec<Option<Value>>>,
    #[serde(default)]
    partial: bool,
}

impl Series {
    /// The measurement name (or `measurements`, `databases`, ... for `SHOW` statements).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tags this series was grouped by (`GROUP BY`); without grouping, tags are columns.
    #[must_use]
    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.tags
    }

    /// The column names, `time` first for `SELECT`.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The position of a column.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|column| column == name)
    }

    /// The number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there is no row.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The rows, each with one value per column; `None` where the server sent `null`.
    #[must_use]
    pub fn rows(&self) -> &[Vec<Option<Value>>] {
        &self.values
    }

    /// Whether the server flagged the series as continued. `Client::query` joins the chunks of
    /// its answer into whole series, so what it returns is never flagged.
    #[must_use]
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// The value of `column` in row `row`, `None` when absent or `null`.
    #[must_use]
    pub fn get(&self, row: usize, column: &str) -> Option<&Value> {
        let column = self.column(column)?;
        self.values.get(row)?.get(column)?.as_ref()
    }
}

/// The body of a `/query` answer, or one document of a chunked answer: results, or a
/// request-level error.
#[derive(Debug, Deserialize)]
pub(crate) struct ResponseBody {
    #[serde(default)]
    pub(crate) results: Vec<StatementResult>,
    #[serde(default)]
    pub(crate) error: Option<String>,
}

/// The error of an answer whose status is not a success: a parse error of the query (400) or
/// an authorization failure (401/403), with the server's message.
pub(crate) fn refusal(status: u16, body: &[u8]) -> Error {
    let message = match serde_json::from_slice::<ResponseBody>(body) {
        Ok(ResponseBody {
            error: Some(error), ..
        }) => error,
        _ => crate::v1::server_message(status, body),
    };
    let kind = match status {
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::QueryFailed,
    };
    Error::new(kind, message).with_status(status)
}

/// Parses one document (one line) of a chunked answer of status `status`: its results, or
/// its first error. A failed statement is an error naming the statement; in a chunked answer
/// the server sends the real error of a failed statement first, then `"not executed"` for
/// each statement after it, so the first error is the one to report.
pub(crate) fn parse_document(document: &[u8], status: u16) -> Result<Vec<StatementResult>> {
    let body: ResponseBody =
        serde_json::from_slice(document).map_err(|err| malformed(&err, status))?;
    if let Some(error) = body.error {
        return Err(Error::new(ErrorKind::QueryFailed, error).with_status(status));
    }
    if let Some(failed) = body.results.iter().find(|result| result.error.is_some()) {
        let error = failed.error.as_deref().unwrap_or_default();
        return Err(Error::new(
            ErrorKind::QueryFailed,
            format!("statement {}: {error}", failed.statement_id),
        )
        .with_status(status));
    }
    Ok(body.results)
}

/// The error for a document of an answer of status `status` that `err` could not read: cut
/// short, or not the JSON of a query result.
pub(crate) fn malformed(err: &serde_json::Error, status: u16) -> Error {
    let (kind, problem) = if err.is_eof() {
        (ErrorKind::Truncated, "the answer ends inside a chunk")
    } else {
        (
            ErrorKind::UnexpectedResponse,
            "a chunk of the answer is not the JSON of a query result",
        )
    };
    Error::new(kind, format!("{problem}: {err}")).with_status(status)
}

impl StatementResult {
    /// Whether the chunk this result came in says that more of its statement follows.
    pub(crate) fn continues(&self) -> bool {
        self.partial || self.series.last().is_some_and(|series| series.partial)
    }

    /// Appends the next chunk of the same statement: a series cut at the end of this chunk
    /// continues at the start of the next one with the same name, tags and columns.
    fn join(&mut self, next: StatementResult) {
        self.messages.extend(next.messages);
        self.partial = next.partial;
        let mut series = next.series.into_iter().peekable();
        if let Some(last) = self.series.last_mut()
            && last.partial
            && let Some(first) = series.next_if(|first| {
                (&first.name, &first.tags, &first.columns)
                    == (&last.name, &last.tags, &last.columns)
            })
        {
            last.values.extend(first.values);
            last.partial = first.partial;
        }
        self.series.extend(series);
    }
}

/// The results of a chunked answer joined back together: one result per statement, one series
/// per series, as if the answer had come in one piece.
#[derive(Debug, Default)]
pub(crate) struct Assembly {
    results: Vec<StatementResult>,
}

impl Assembly {
    /// Adds the results of the next document.
    pub(crate) fn push(&mut self, results: Vec<StatementResult>) {
        for result in results {
            match self.results.last_mut() {
                Some(last) if last.statement_id == result.statement_id => last.join(result),
                _ => self.results.push(result),
            }
        }
    }

    /// The joined results.
    pub(crate) fn finish(self) -> Vec<StatementResult> {
        self.results
    }
}

impl<'de> Deserialize<'de> for Value {
    /// JSON values with their types kept: integers as `Integer` (exact, never through `f64`;
    /// above `i64::MAX`, `Unsigned`), numbers with a fraction or exponent as `Float`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct ValueVisitor;

        impl Visitor<'_> for ValueVisitor {
            type Value = Value;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, string or boolean")
            }

            fn visit_bool<E: de::Error>(self, value: bool) -> std::result::Result<Value, E> {
                Ok(Value::Boolean(value))
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> std::result::Result<Value, E> {
                Ok(Value::Integer(value))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> std::result::Result<Value, E> {
                Ok(i64::try_from(value).map_or(Value::Unsigned(value), Value::Integer))
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> std::result::Result<Value, E> {
                Ok(Value::Float(value))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> std::result::Result<Value, E> {
                Ok(Value::String(value.to_owned()))
            }

            fn visit_string<E: de::Error>(self, value: String) -> std::result::Result<Value, E> {
                Ok(Value::String(value))
            }
        }

        deserializer.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_json_types_and_integers_stay_exact() {
        let body = br#"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","i","f","s","b","n","u"],"values":[["1970-01-01T00:00:01Z",9007199254740993,1.5,"x<",true,null,18446744073709551615],[1,-9223372036854775808,-0,"",false,null,1]]}]}]}"#;
        let results = parse_document(body, 200).unwrap();
        let series = &results[0].series()[0];
        assert_eq!(series.name(), "cpu");
        assert_eq!(series.tags()["host"], "a");
        let rows = series.rows();
        assert_eq!(rows[0][1], Some(Value::Integer(9_007_199_254_740_993)));
        assert_eq!(rows[0][2], Some(Value::Float(1.5)));
        assert_eq!(rows[0][3], Some(Value::String("x<".to_owned())));
        assert_eq!(rows[0][4], Some(Value::Boolean(true)));
        assert_eq!(rows[0][5], None);
        assert_eq!(rows[0][6], Some(Value::Unsigned(u64::MAX)));
        assert_eq!(rows[1][1], Some(Value::Integer(i64::MIN)));
        assert_eq!(rows[1][0], Some(Value::Integer(1)));
        assert!(matches!(rows[1][2], Some(Value::Float(f)) if f == 0.0 && f.is_sign_negative()));
        assert_eq!(series.get(0, "s"), Some(&Value::String("x<".to_owned())));
    }

    #[test]
    fn errors_name_the_statement_or_carry_the_server_message() {
        let err = parse_document(
            br#"{"results":[{"statement_id":1,"error":"database not found: nodb"}]}"#,
            200,
        )
        .unwrap_err();
        assert_eq!(
            (err.kind(), err.message()),
            (
                ErrorKind::QueryFailed,
                "statement 1: database not found: nodb"
            )
        );
        let err = refusal(400, br#"{"error":"error parsing query: found SELEC, expected SELECT, SHOW at line 1, char 1"}"#);
        assert_eq!(err.kind(), ErrorKind::QueryFailed);
        assert_eq!(err.status(), Some(400));
        assert!(
            err.message()
                .starts_with("error parsing query: found SELEC")
        );
        let err = refusal(401, br#"{"error":"authorization failed"}"#);
        assert_eq!(err.kind(), ErrorKind::Unauthorized);
        let results = parse_document(br#"{"results":[{"statement_id":0,"messages":[{"level":"warning","text":"deprecated"}]}]}"#, 200).unwrap();
        assert_eq!(results[0].messages()[0].text, "deprecated");
        assert!(results[0].series().is_empty());
    }

    #[test]
    fn a_document_cut_short_is_truncated_and_one_that_is_not_json_unexpected() {
        let err =
            parse_document(br#"{"results":[{"statement_id":0,"series":[{"na"#, 200).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Truncated, "{err}");
        let err = parse_document(b"<html>proxy error</html>", 200).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err}");
    }

    /// The chunks of `SELECT * FROM m GROUP BY host; SHOW DATABASES` with `chunk_size=2`, as
    /// the server sends them: one series per chunk, `partial` on the result while more of the
    /// statement follows and on the series while the same series continues.
    const CHUNKS: [&str; 4] = [
        r#"{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"host":"a"},"columns":["time","v"],"values":[[1,1],[2,2]],"partial":true}],"partial":true}]}"#,
        r#"{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"host":"a"},"columns":["time","v"],"values":[[3,3]]}],"partial":true}]}"#,
        r#"{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"host":"b"},"columns":["time","v"],"values":[[4,4]]}]}]}"#,
        r#"{"results":[{"statement_id":1,"series":[{"name":"databases","columns":["name"],"values":[["d"]]}]}]}"#,
    ];

    #[test]
    fn chunks_of_a_statement_and_a_series_join_into_one() {
        let mut assembly = Assembly::default();
        let mut continues = Vec::new();
        for chunk in CHUNKS {
            let results = parse_document(chunk.as_bytes(), 200).unwrap();
            continues.push(results.iter().any(StatementResult::continues));
            assembly.push(results);
        }
        assert_eq!(continues, [true, true, false, false]);
        let results = assembly.finish();
        assert_eq!(results.len(), 2);
        let series = results[0].series();
        assert_eq!(series.len(), 2);
        assert_eq!(
            (series[0].tags()["host"].as_str(), series[0].len()),
            ("a", 3)
        );
        assert_eq!(
            (series[1].tags()["host"].as_str(), series[1].len()),
            ("b", 1)
        );
        assert_eq!(series[0].rows()[2][1], Some(Value::Integer(3)));
        assert!(!results[0].is_partial() && !series[0].is_partial());
        assert_eq!(results[1].statement_id(), 1);
        assert_eq!(results[1].series()[0].name(), "databases");
    }
}
