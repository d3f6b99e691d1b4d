//! Typed decoding of a chunked `/query` answer straight from its text: one document (one line)
//! at a time, each row into the caller's type as soon as it is read. No JSON tree and no owned
//! value per cell: a row's values are viewed in place (strings borrowed from the text unless
//! they hold escapes, which are unescaped into one scratch string reused by every row), and
//! the buffers are reused from row to row and series to series. I/O-free.
//!
//! A document is read by hand ([`json`]) when it has the shape InfluxDB 1.x gives a
//! successful statement: `results`, each with `statement_id`, `series` and `partial`, each
//! series with `name`, `tags`, `columns`, `values` and `partial`, in any order so long as a
//! series' `name`, `columns` and `tags` come before its `values`. Any other document (an
//! error, `messages`, an unknown key, a key twice, text that is not JSON) is read by the owned
//! path, `results::parse_document` and the decoding of its `Series`, which decides what is
//! accepted and with which error: the hand reader only ever gives the same rows sooner.

use std::borrow::Cow;
use std::collections::VecDeque;

use super::answer::completeness;
use super::decode::{Cell, Plan, SeriesHead};
use super::results::parse_document;
use super::{FromRow, Series, StatementResult};
use crate::{Error, Precision, Result, Value};

mod json;

use json::{Invalid, Reader, Scan};

/// Where decoded rows go: a `Vec` for `query_as`, a queue for `query_stream`.
pub(crate) trait RowSink<M> {
    fn len(&self) -> usize;
    fn push(&mut self, row: M);
    fn truncate(&mut self, len: usize);
}

impl<M> RowSink<M> for Vec<M> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn push(&mut self, row: M) {
        Vec::push(self, row);
    }

    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
}

impl<M> RowSink<M> for VecDeque<M> {
    fn len(&self) -> usize {
        VecDeque::len(self)
    }

    fn push(&mut self, row: M) {
        self.push_back(row);
    }

    fn truncate(&mut self, len: usize) {
        VecDeque::truncate(self, len);
    }
}

/// A document that was read whole and holds no error of the server.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// Whether the document's last result says that more of the answer follows; `None` when
    /// the document holds no result.
    pub(crate) continues: Option<bool>,
    /// The first row (or series) that did not decode: the rows before it were pushed, none
    /// after it.
    pub(crate) failed: Option<Error>,
}

/// Decodes the rows of one document of a chunked answer of status `status` into `rows`, whose
/// times are in `epoch` (or RFC 3339 text).
///
/// # Errors
///
/// As `results::parse_document`: a document that is not the JSON of a query result, is cut
/// short, holds a request error or a failed statement (the first); then no row of the
/// document is left in `rows`.
pub(crate) fn decode_document<M: FromRow>(
    document: &[u8],
    status: u16,
    epoch: Option<Precision>,
    rows: &mut impl RowSink<M>,
) -> Result<Decoded> {
    let start = rows.len();
    match read_document(document, epoch, rows) {
        Ok(decoded) => Ok(decoded),
        Err(Invalid) => {
            // What the hand reader does not take, the owned path decides, so that a document
            // with an error, or a malformed one, fails exactly as in `Client::query` (the
            // first problem in the text's order), and the shapes serde accepts beyond objects
            // (a struct's fields as an array) still read.
            rows.truncate(start);
            decode_owned(document, status, epoch, rows)
        }
    }
}

/// Decodes a document the long way: parsed into owned results first, then each row.
fn decode_owned<M: FromRow>(
    document: &[u8],
    status: u16,
    epoch: Option<Precision>,
    rows: &mut impl RowSink<M>,
) -> Result<Decoded> {
    let results = parse_document(document, status)?;
    let continues = results.last().map(StatementResult::continues);
    let mut plan = Plan::default();
    let failed = (results.iter().flat_map(StatementResult::series))
        .try_for_each(|series| decode_series(series, &mut plan, epoch, rows))
        .err();
    Ok(Decoded { continues, failed })
}

/// Decodes the rows of one owned series.
fn decode_series<M: FromRow>(
    series: &Series,
    plan: &mut Plan,
    epoch: Option<Precision>,
    rows: &mut impl RowSink<M>,
) -> Result<()> {
    let head = SeriesHead {
        name: Cow::Borrowed(series.name()),
        tags: (series.tags().iter())
            .map(|(key, value)| (Cow::Borrowed(key.as_str()), Cow::Borrowed(value.as_str())))
            .collect(),
        columns: (series.columns().iter())
            .map(|column| Cow::Borrowed(column.as_str()))
            .collect(),
    };
    plan.prepare::<M>(&head, epoch)?;
    let mut cells = Vec::new();
    for (index, row) in series.rows().iter().enumerate() {
        cells.clear();
        cells.extend(row.iter().map(|value| match value {
            None => Cell::Null,
            Some(Value::Float(f)) => Cell::Float(*f),
            Some(Value::Integer(i)) => Cell::Integer(*i),
            Some(Value::Unsigned(u)) => Cell::Unsigned(*u),
            Some(Value::Boolean(b)) => Cell::Boolean(*b),
            Some(Value::String(text)) => Cell::Str(text),
        }));
        rows.push(plan.decode::<M>(&head, &cells, "", index)?);
    }
    Ok(())
}

/// Decodes a whole chunked answer body (what a 200 answer to a query with `chunked=true`
/// holds) into `M`: the entry point of the query benchmarks, which time decoding without a
/// server.
///
/// # Errors
///
/// As `Client::query_as` for the answer's body.
#[doc(hidden)]
pub fn __decode_body<M: FromRow>(body: &[u8], epoch: Option<Precision>) -> Result<Vec<M>> {
    const STATUS: u16 = 200;
    let mut rows = Vec::new();
    let mut continues = None;
    for line in memchr::memchr_iter(b'\n', body)
        .chain([body.len()])
        .scan(0, |start, end| {
            let line = &body[*start..end];
            *start = end + 1;
            Some(line)
        })
    {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let decoded = decode_document(line, STATUS, epoch, &mut rows)?;
        if let Some(error) = decoded.failed {
            return Err(error);
        }
        continues = decoded.continues.or(continues);
    }
    completeness(continues, STATUS)?;
    Ok(rows)
}

/// Reads one document of the server's shape by hand (see the module's docs): the rows go to
/// `rows` as they are read, up to the first that does not decode.
fn read_document<M: FromRow>(
    document: &[u8],
    epoch: Option<Precision>,
    rows: &mut impl RowSink<M>,
) -> Scan<Decoded> {
    let text = std::str::from_utf8(document).map_err(|_| Invalid)?;
    let mut json = Reader::new(text);
    let mut state = State {
        rows,
        epoch,
        plan: Plan::default(),
        cells: Vec::new(),
        escaped: String::new(),
        failed: None,
        row_type: std::marker::PhantomData,
    };
    let mut continues = None;
    let mut seen = Seen::default();
    json.object(|json, key| match &*key {
        "results" => {
            seen.first(0)?;
            json.array(|json| {
                continues = Some(read_result(json, &mut state)?);
                Ok(())
            })
        }
        _ => Err(Invalid),
    })?;
    json.end()?;
    Ok(Decoded {
        continues,
        failed: state.failed,
    })
}

/// Reads one statement result; says whether it or its last series says more follows.
fn read_result<'de, M: FromRow>(
    json: &mut Reader<'de>,
    state: &mut State<'_, 'de, M, impl RowSink<M>>,
) -> Scan<bool> {
    let (mut partial, mut last_series_partial) = (false, false);
    let mut seen = Seen::default();
    json.object(|json, key| match &*key {
        "statement_id" => {
            seen.first(0)?;
            usize::try_from(json.unsigned()?).map_err(|_| Invalid)?;
            Ok(())
        }
        "series" => {
            seen.first(1)?;
            json.array(|json| {
                last_series_partial = read_series(json, state)?;
                Ok(())
            })
        }
        "partial" => {
            seen.first(2)?;
            partial = json.boolean()?;
            Ok(())
        }
        _ => Err(Invalid),
    })?;
    Ok(partial || last_series_partial)
}

/// Reads one series, decoding its rows as they are read; says whether it is flagged
/// `partial`.
fn read_series<'de, M: FromRow>(
    json: &mut Reader<'de>,
    state: &mut State<'_, 'de, M, impl RowSink<M>>,
) -> Scan<bool> {
    const NAME: u8 = 0;
    const TAGS: u8 = 1;
    const COLUMNS: u8 = 2;
    const VALUES: u8 = 3;
    const PARTIAL: u8 = 4;
    let mut series = SeriesHead::default();
    let mut partial = false;
    let mut seen = Seen::default();
    json.object(|json, key| {
        let key = match &*key {
            "name" => NAME,
            "tags" => TAGS,
            "columns" => COLUMNS,
            "values" => VALUES,
            "partial" => PARTIAL,
            _ => return Err(Invalid),
        };
        seen.first(key)?;
        // `values` needs `name` and `columns` before it (each comes once), and `tags`, which is
        // optional, must not come after it: the rows are decoded as they are read.
        match key {
            NAME => series.name = json.text()?,
            TAGS if !seen.has(VALUES) => json.object(|json, key| {
                let value = json.text()?;
                series.tags.push((key, value));
                Ok(())
            })?,
            COLUMNS => json.array(|json| {
                series.columns.push(json.text()?);
                Ok(())
            })?,
            VALUES if seen.has(NAME) && seen.has(COLUMNS) => {
                state.start_series(&series);
                let mut index = 0;
                json.array(|json| {
                    state.cells.clear();
                    state.escaped.clear();
                    json.row(&mut state.cells, &mut state.escaped)?;
                    state.decode_row(&series, index);
                    index += 1;
                    Ok(())
                })?;
            }
            PARTIAL => partial = json.boolean()?,
            // Rows before the series' head, or tags after them.
            _ => return Err(Invalid),
        }
        Ok(())
    })?;
    if !seen.has(VALUES) {
        state.start_series(&series);
    }
    Ok(partial)
}

/// What the decoder keeps while it reads one document.
struct State<'s, 'de, M, S> {
    rows: &'s mut S,
    epoch: Option<Precision>,
    plan: Plan,
    /// The values of the row being read, and the unescaped text of those with escapes.
    cells: Vec<Cell<'de>>,
    escaped: String,
    /// The first row or series that did not decode; no row is decoded after it.
    failed: Option<Error>,
    row_type: std::marker::PhantomData<fn() -> M>,
}

impl<M: FromRow, S: RowSink<M>> State<'_, '_, M, S> {
    /// Prepares the plan of `series`, unless a row or series before it failed.
    fn start_series(&mut self, series: &SeriesHead<'_>) {
        if self.failed.is_none()
            && let Err(error) = self.plan.prepare::<M>(series, self.epoch)
        {
            self.failed = Some(error);
        }
    }

    /// Decodes the `index`-th row of `series`, in `cells`, unless a row or series before it
    /// failed.
    fn decode_row(&mut self, series: &SeriesHead<'_>, index: usize) {
        if self.failed.is_none() {
            match (self.plan).decode::<M>(series, &self.cells, &self.escaped, index) {
                Ok(row) => self.rows.push(row),
                Err(error) => self.failed = Some(error),
            }
        }
    }
}

/// The keys of an object seen so far: a key twice is left to the owned path, which refuses it.
#[derive(Default)]
struct Seen(u8);

impl Seen {
    fn first(&mut self, key: u8) -> Scan<()> {
        let bit = 1 << key;
        if self.0 & bit != 0 {
            return Err(Invalid);
        }
        self.0 |= bit;
        Ok(())
    }

    fn has(&self, key: u8) -> bool {
        self.0 & (1 << key) != 0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::Row;
    use super::super::decode::Column;
    use super::*;
    use crate::{EpochTime, ErrorKind, Value};

    /// Every value a row can hold, kept as the old path's types: tags as text, fields as
    /// values, the time as nanoseconds.
    #[derive(Debug, PartialEq)]
    struct Lenient {
        host: Option<String>,
        region: Option<String>,
        value: Option<Value>,
        count: Option<Value>,
        note: Option<String>,
        time: Option<EpochTime>,
    }

    impl FromRow for Lenient {
        const COLUMNS: &'static [Column] = &[
            Column::tag("host"),
            Column::tag("region"),
            Column::field("value"),
            Column::field("count"),
            Column::field("note"),
        ];

        fn from_row(row: &Row<'_>) -> Result<Self> {
            Ok(Lenient {
                host: row.tag(0)?,
                region: row.tag(1)?,
                value: row.field(2)?,
                count: row.field(3)?,
                note: row.field(4).or_else(|_| Ok::<_, Error>(None))?,
                time: row.time()?,
            })
        }
    }

    /// Required types, which fail on most random rows: a decode error must stop at the same
    /// row with the same message.
    #[derive(Debug, PartialEq)]
    struct Strict {
        host: String,
        value: f64,
        count: u64,
        ok: bool,
        note: String,
        time: EpochTime,
    }

    impl FromRow for Strict {
        const COLUMNS: &'static [Column] = &[
            Column::tag("host"),
            Column::field("value"),
            Column::field("count"),
            Column::field("ok"),
            Column::field("note"),
        ];

        fn columns_for(measurement: &str) -> Result<&'static [Column]> {
            if measurement == "unknown" {
                return Err(Error::new(ErrorKind::Decode, "no variant for \"unknown\""));
            }
            Ok(Self::COLUMNS)
        }

        fn from_row(row: &Row<'_>) -> Result<Self> {
            Ok(Strict {
                host: row.tag(0)?,
                value: row.field(1)?,
                count: row.field(2)?,
                ok: row.field(3)?,
                note: row.field(4)?,
                time: row.time()?,
            })
        }
    }

    /// Fields read by position: the columns after `time`, whatever their names.
    #[derive(Debug, PartialEq)]
    struct Pair(Option<f64>, Option<String>);

    impl FromRow for Pair {
        const COLUMNS: &'static [Column] = &[Column::POSITIONAL, Column::POSITIONAL];

        fn from_row(row: &Row<'_>) -> Result<Self> {
            Ok(Pair(row.field(0)?, row.field(1)?))
        }
    }

    /// What the old path gives: the document parsed into `StatementResult`s, then each series
    /// decoded; the rows before a decode error, and the error.
    fn old_path<M: FromRow>(
        document: &[u8],
        epoch: Option<Precision>,
    ) -> Result<(Vec<M>, Option<Error>, Option<bool>)> {
        let mut rows = Vec::new();
        let decoded = decode_owned(document, 200, epoch, &mut rows)?;
        Ok((rows, decoded.failed, decoded.continues))
    }

    fn new_path<M: FromRow>(
        document: &[u8],
        epoch: Option<Precision>,
    ) -> Result<(Vec<M>, Option<Error>, Option<bool>)> {
        let mut rows = Vec::new();
        let decoded = decode_document(document, 200, epoch, &mut rows)?;
        Ok((rows, decoded.failed, decoded.continues))
    }

    type Outcome<M> =
        std::result::Result<(Vec<M>, Option<String>, Option<bool>), (ErrorKind, String)>;

    /// An outcome to compare: rows, the decode error's text, `continues`; or the error.
    fn outcome<M>(read: Result<(Vec<M>, Option<Error>, Option<bool>)>) -> Outcome<M> {
        read.map(|(rows, failed, continues)| {
            (rows, failed.map(|e| e.message().to_owned()), continues)
        })
        .map_err(|error| (error.kind(), error.message().to_owned()))
    }

    /// Whether the hand reader reads `document` itself, without the owned path.
    fn read_fast(document: &[u8]) -> bool {
        let mut rows = Vec::<Lenient>::new();
        read_document(document, None, &mut rows).is_ok()
    }

    fn same_as_old_path(document: &[u8]) {
        for epoch in [None, Some(Precision::Milliseconds)] {
            assert_eq!(
                outcome(new_path::<Lenient>(document, epoch)),
                outcome(old_path::<Lenient>(document, epoch)),
                "{}",
                String::from_utf8_lossy(document)
            );
            assert_eq!(
                outcome(new_path::<Strict>(document, epoch)),
                outcome(old_path::<Strict>(document, epoch)),
                "{}",
                String::from_utf8_lossy(document)
            );
            assert_eq!(
                outcome(new_path::<Pair>(document, epoch)),
                outcome(old_path::<Pair>(document, epoch)),
                "{}",
                String::from_utf8_lossy(document)
            );
        }
    }

    fn decode<M: FromRow>(document: &str) -> Result<Vec<M>> {
        __decode_body(document.as_bytes(), Some(Precision::Nanoseconds))
    }

    #[test]
    fn escapes_are_read_in_names_tags_columns_and_values() {
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"m\"\\\n\u00e9\ud83d\ude00","tags":{"region":"a\u003cb"},"columns":["time","host","note","va\u006cue"],"values":[[1,"h\"\\\n","\u00e9\ud83d\ude00 x",1.5],[2,"plain","\ud83d\ude00",null]]}]}]}"#;
        let rows: Vec<Lenient> = decode(document).unwrap();
        assert_eq!(rows[0].host.as_deref(), Some("h\"\\\n"));
        assert_eq!(rows[0].region.as_deref(), Some("a<b"));
        assert_eq!(rows[0].note.as_deref(), Some("é😀 x"));
        assert_eq!(rows[0].value, Some(Value::Float(1.5)));
        assert_eq!(rows[1].host.as_deref(), Some("plain"));
        assert_eq!(rows[1].note.as_deref(), Some("😀"));
        assert_eq!(rows[1].time, Some(EpochTime::nanos(2)));
        let err = decode::<Strict>(document).unwrap_err();
        assert_eq!(
            err.message(),
            r#"cannot decode row 0 of series "m\"\\\né😀": column "count" is missing or null, expected u64"#
        );
        same_as_old_path(document.as_bytes());
    }

    #[test]
    fn numbers_keep_their_type_sign_and_exact_value() {
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","value","count"],"values":[[1,-0,18446744073709551615],[2,-0.0,9223372036854775808],[3,1e300,-9223372036854775808],[4,9007199254740993,9223372036854775807]]}]}]}"#;
        let rows: Vec<Lenient> = decode(document).unwrap();
        let Some(Value::Float(zero)) = rows[0].value else {
            panic!("{:?}", rows[0].value)
        };
        assert!(zero == 0.0 && zero.is_sign_negative());
        assert_eq!(rows[0].count, Some(Value::Unsigned(u64::MAX)));
        assert_eq!(rows[1].count, Some(Value::Unsigned(1 << 63)));
        assert_eq!(rows[2].value, Some(Value::Float(1e300)));
        assert_eq!(rows[2].count, Some(Value::Integer(i64::MIN)));
        assert_eq!(rows[3].value, Some(Value::Integer(9_007_199_254_740_993)));
        assert_eq!(rows[3].count, Some(Value::Integer(i64::MAX)));
        same_as_old_path(document.as_bytes());
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"host":"h"},"columns":["time","value","count","ok","note"],"values":[[1,1,18446744073709551615,true,""]]}]}]}"#;
        let rows: Vec<Strict> = decode(document).unwrap();
        assert_eq!(rows[0].count, u64::MAX);
        let document = document.replace("18446744073709551615", "-1");
        let err = decode::<Strict>(&document).unwrap_err();
        assert_eq!(
            err.message(),
            "cannot decode row 0 of series \"m\": column \"count\" holds -1, which does not fit u64, expected u64"
        );
    }

    #[test]
    fn null_reads_as_absent_in_a_cell_and_is_refused_where_the_old_path_refused_it() {
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"region":"r"},"columns":["time","host","value","count","note"],"values":[[null,null,null,null,null],[],[null]]}],"error":null}],"error":null}"#;
        let rows: Vec<Lenient> = decode(document).unwrap();
        assert_eq!(rows.len(), 3);
        for row in &rows {
            assert_eq!(
                (&row.host, &row.value, &row.count, &row.note, &row.time),
                (&None, &None, &None, &None, &None)
            );
            assert_eq!(row.region.as_deref(), Some("r"));
        }
        same_as_old_path(document.as_bytes());
        for null_at in [
            r#"{"results":null}"#,
            r#"{"results":[null]}"#,
            r#"{"results":[{"statement_id":null}]}"#,
            r#"{"results":[{"series":null}]}"#,
            r#"{"results":[{"series":[null]}]}"#,
            r#"{"results":[{"messages":null}]}"#,
            r#"{"results":[{"partial":null}]}"#,
            r#"{"results":[{"series":[{"name":null}]}]}"#,
            r#"{"results":[{"series":[{"tags":null}]}]}"#,
            r#"{"results":[{"series":[{"tags":{"host":null}}]}]}"#,
            r#"{"results":[{"series":[{"columns":null}]}]}"#,
            r#"{"results":[{"series":[{"columns":[null]}]}]}"#,
            r#"{"results":[{"series":[{"name":"m","columns":[],"values":null}]}]}"#,
            r#"{"results":[{"series":[{"name":"m","columns":[],"values":[null]}]}]}"#,
            r#"{"results":[{"series":[{"values":[null],"name":"m"}]}]}"#,
            r#"{"results":[{"series":[{"partial":null}]}]}"#,
            r#"null"#,
        ] {
            let err = decode::<Lenient>(null_at).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::UnexpectedResponse,
                "{null_at}: {err}"
            );
            same_as_old_path(null_at.as_bytes());
        }
    }

    #[test]
    fn keys_in_any_order_and_unknown_keys_read_the_same() {
        let documents = [
            // The server's order.
            r#"{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"host":"g"},"columns":["time","value","note"],"values":[[1,2.5,"a"],[2,3,"b"]],"partial":true}],"partial":true}]}"#,
            // Values first, tags last.
            r#"{"results":[{"partial":true,"series":[{"partial":true,"values":[[1,2.5,"a"],[2,3,"b"]],"columns":["time","value","note"],"name":"m","tags":{"host":"g"}}],"statement_id":0}]}"#,
            // Tags after rows that were read without them.
            r#"{"results":[{"series":[{"name":"m","columns":["time","value","note"],"values":[[1,2.5,"a"],[2,3,"b"]],"tags":{"host":"g"},"partial":true}],"statement_id":0,"partial":true}]}"#,
            // Unknown keys everywhere, with values of every shape.
            r#"{"x":{"a":[1,{"b":null}]},"results":[{"y":[[]],"statement_id":0,"series":[{"z":"\u00e9","name":"m","tags":{"host":"g"},"columns":["time","value","note"],"w":1e5,"values":[[1,2.5,"a"],[2,3,"b"]],"partial":true,"v":null}],"partial":true,"u":false}],"t":true}"#,
        ];
        let expected: Vec<Lenient> = decode::<Lenient>(&format!(
            "{}\n{{\"results\":[{{\"statement_id\":0}}]}}",
            documents[0]
        ))
        .unwrap();
        assert_eq!(expected.len(), 2);
        assert_eq!(expected[0].host.as_deref(), Some("g"));
        // The server's order is read by hand; the others by the owned path.
        assert!(read_fast(documents[0].as_bytes()));
        for document in &documents[1..] {
            assert!(!read_fast(document.as_bytes()), "{document}");
        }
        for document in documents {
            let (rows, failed, continues) = new_path::<Lenient>(document.as_bytes(), None).unwrap();
            assert_eq!(
                (rows, failed.is_none(), continues),
                (
                    decode::<Lenient>(&format!(
                        "{}\n{{\"results\":[{{\"statement_id\":0}}]}}",
                        documents[0]
                    ))
                    .unwrap(),
                    true,
                    Some(true)
                ),
                "{document}"
            );
            same_as_old_path(document.as_bytes());
        }
    }

    #[test]
    fn a_series_without_rows_is_still_checked_against_the_type() {
        // `Strict` has no variant for "unknown": the owned path fails even without rows.
        let document =
            r#"{"results":[{"statement_id":0,"series":[{"name":"unknown","columns":["time"]}]}]}"#;
        assert!(read_fast(document.as_bytes()));
        let (rows, failed, _) = new_path::<Strict>(document.as_bytes(), None).unwrap();
        assert!(rows.is_empty());
        assert_eq!(
            failed.map(|error| error.message().to_owned()).as_deref(),
            Some("no variant for \"unknown\"")
        );
        same_as_old_path(document.as_bytes());
    }

    #[test]
    fn rows_before_the_series_head_or_tags_after_them_go_to_the_owned_path() {
        for document in [
            r#"{"results":[{"series":[{"values":[[1,2.5]],"name":"m","columns":["time","value"]}]}]}"#,
            r#"{"results":[{"series":[{"name":"m","values":[[1,2.5]],"columns":["time","value"]}]}]}"#,
            r#"{"results":[{"series":[{"columns":["time","value"],"values":[[1,2.5]],"name":"m"}]}]}"#,
            r#"{"results":[{"series":[{"name":"m","columns":["time","value"],"values":[[1,2.5]],"tags":{"host":"a"}}]}]}"#,
        ] {
            assert!(!read_fast(document.as_bytes()), "{document}");
            let (rows, failed, _) = new_path::<Lenient>(document.as_bytes(), None).unwrap();
            assert_eq!((rows.len(), failed.is_none()), (1, true), "{document}");
            same_as_old_path(document.as_bytes());
        }
        let in_order = r#"{"results":[{"series":[{"name":"m","tags":{"host":"a"},"columns":["time","value"],"values":[[1,2.5]]}]}]}"#;
        assert!(read_fast(in_order.as_bytes()));
    }

    #[test]
    fn a_key_twice_is_refused_as_the_old_path_refuses_it() {
        for document in [
            r#"{"results":[],"results":[]}"#,
            r#"{"results":[{"statement_id":0,"statement_id":1}]}"#,
            r#"{"results":[{"series":[{"name":"m","columns":[],"values":[],"name":"n"}]}]}"#,
            r#"{"results":[{"series":[{"name":"m","columns":[],"values":[],"values":[]}]}]}"#,
            r#"{"results":[{"series":[{"tags":{},"tags":{}}]}]}"#,
        ] {
            let err = new_path::<Lenient>(document.as_bytes(), None).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{document}");
            assert!(err.message().contains("duplicate field"), "{err}");
            same_as_old_path(document.as_bytes());
        }
    }

    #[test]
    fn statement_and_request_errors_win_over_rows_and_decode_errors() {
        let rows_then_failure = r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","value"],"values":[[1,1],[2,"x"]]}]},{"statement_id":1,"error":"boom"},{"statement_id":1,"error":"not executed"}]}"#;
        let mut sink = vec![Lenient {
            host: None,
            region: None,
            value: None,
            count: None,
            note: None,
            time: None,
        }];
        let err = decode_document(rows_then_failure.as_bytes(), 200, None, &mut sink).unwrap_err();
        assert_eq!(
            (err.kind(), err.message()),
            (ErrorKind::QueryFailed, "statement 1: boom")
        );
        assert_eq!(sink.len(), 1, "the document's rows are taken back");
        same_as_old_path(rows_then_failure.as_bytes());
        let request_error = r#"{"results":[{"statement_id":0,"error":"first"}],"error":"request"}"#;
        let err = new_path::<Lenient>(request_error.as_bytes(), None).unwrap_err();
        assert_eq!(
            (err.kind(), err.message()),
            (ErrorKind::QueryFailed, "request")
        );
        same_as_old_path(request_error.as_bytes());
        // A decode error keeps the rows before it and stops at the first failing row.
        let decode_failure = r#"{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"host":"h"},"columns":["time","value","count","ok","note"],"values":[[1,1,2,true,"a"],[2,"x",2,true,"b"],[3,true,2,true,"c"]]}]}]}"#;
        let (rows, failed, continues) =
            new_path::<Strict>(decode_failure.as_bytes(), None).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            failed.map(|e| e.message().to_owned()).as_deref(),
            Some(
                "cannot decode row 1 of series \"m\": column \"value\" holds the string \"x\", expected f64"
            )
        );
        assert_eq!(continues, Some(false));
        same_as_old_path(decode_failure.as_bytes());
        let unknown = decode_failure.replace("\"name\":\"m\"", "\"name\":\"unknown\"");
        let (rows, failed, _) = new_path::<Strict>(unknown.as_bytes(), None).unwrap();
        assert!(rows.is_empty());
        assert_eq!(
            failed.map(|e| e.message().to_owned()).as_deref(),
            Some("no variant for \"unknown\"")
        );
        same_as_old_path(unknown.as_bytes());
    }

    #[test]
    fn a_stream_queue_gets_the_rows_of_a_good_document_and_none_of_a_failed_one() {
        let good = r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","value"],"values":[[1,1.5],[2,2.5]]}]}]}"#;
        let failed = good.replace("}]}]}", "}],\"error\":\"boom\"}]}");
        let mut queue = VecDeque::<Lenient>::new();
        decode_document(good.as_bytes(), 200, None, &mut queue).unwrap();
        assert_eq!(queue.len(), 2);
        let err = decode_document(failed.as_bytes(), 200, None, &mut queue).unwrap_err();
        assert_eq!(err.message(), "statement 0: boom");
        assert_eq!(
            queue
                .iter()
                .map(|row| row.value.clone())
                .collect::<Vec<_>>(),
            [Some(Value::Float(1.5)), Some(Value::Float(2.5))]
        );
        // A body whose lines start with blanks or are blank reads as the answer does.
        let body = format!("\n  {good}\r\n \n{good}");
        assert_eq!(
            __decode_body::<Lenient>(body.as_bytes(), None)
                .unwrap()
                .len(),
            4
        );
    }

    #[test]
    fn columns_read_by_position_skip_time_and_name_the_series_column() {
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["mean","time","max"],"values":[[1.5,0,"a"],[2,0,null]]}]}]}"#;
        let rows: Vec<Pair> = decode(document).unwrap();
        assert_eq!(
            rows,
            [Pair(Some(1.5), Some("a".to_owned())), Pair(Some(2.0), None)]
        );
        let err = decode::<Pair>(&document.replace("\"a\"", "true")).unwrap_err();
        assert_eq!(
            err.message(),
            "cannot decode row 0 of series \"m\": column \"max\" holds the boolean true, expected a string"
        );
        let short = r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","mean"],"values":[[0,1]]}]}]}"#;
        let rows: Vec<Pair> = decode(short).unwrap();
        assert_eq!(rows, [Pair(Some(1.0), None)]);
        same_as_old_path(document.as_bytes());
    }

    #[test]
    fn a_document_cut_short_or_not_json_is_an_error_never_a_panic() {
        let document = r#"{"results":[{"statement_id":0,"series":[{"name":"m\u00e9","tags":{"host":"h"},"columns":["time","value","count","ok","note"],"values":[[1,1.5,2,true,"a\"b"],[2,-0,18446744073709551615,false,"\ud83d\ude00"]],"partial":true}],"partial":true}]}"#;
        for end in 0..document.len() {
            let cut = &document.as_bytes()[..end];
            let err = new_path::<Lenient>(cut, None).unwrap_err();
            assert!(
                matches!(
                    err.kind(),
                    ErrorKind::Truncated | ErrorKind::UnexpectedResponse
                ),
                "{end}: {err}"
            );
            same_as_old_path(cut);
        }
        for garbage in [
            &b"<html>proxy error</html>"[..],
            b"",
            b"{\"results\":[{\"series\":[{\"name\":\"m\",\"columns\":[\"a\"],\"values\":[[{}]]}]}]}",
            b"{\"results\":[{\"series\":[{\"name\":\"m\",\"columns\":[\"a\"],\"values\":[[[1]]]}]}]}",
            b"{\"results\":[]} x",
            b"{\"results\":[{\"series\":[{\"name\":\"\xff\"}]}]}",
            b"{\"results\":[{\"series\":[{\"name\":\"\\ud83d\"}]}]}",
        ] {
            assert!(new_path::<Lenient>(garbage, None).is_err());
            same_as_old_path(garbage);
        }
        // serde reads a struct's fields from an array too; the old path took this document.
        assert!(new_path::<Lenient>(b"[[]]", None).unwrap().0.is_empty());
        same_as_old_path(b"[[]]");
    }

    /// JSON text of a string: plain characters and escapes of every kind.
    fn json_string() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "",
            "a",
            "host",
            "é",
            "<",
            r#"\""#,
            r"\\",
            r"\n",
            r"\u00e9",
            r"\ud83d\ude00",
            r"\u003c",
            " ",
            "2016-10-07T03:00:00.000000123Z",
            "1970-01-01T00:00:01+01:00",
        ]);
        prop::collection::vec(atoms, 0..4).prop_map(|atoms| format!("\"{}\"", atoms.concat()))
    }

    pub(super) fn json_cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            prop::sample::select(vec![
                "-0",
                "-0.0",
                "1.5",
                "1e300",
                "2.5e-7",
                "0",
                "1",
                "-1",
                "9007199254740993",
                "1E3",
                "1e+3",
                "-2.5E-7",
                "0.30000000000000004",
                "123456789012345.6",
                "1234567890123456.7",
                "18446744073709551616",
                "-9223372036854775808",
                "-9223372036854775809",
                "123456789012345678901234567890",
                "1e400",
                "01",
                "1.",
                " 1 ",
                "\n\t-0\r ",
                " \"a\" ",
                " null\n",
            ])
            .prop_map(str::to_owned),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| format!("{f:?}")),
            json_string(),
        ]
    }

    /// A JSON object of `entries` (key, value text), in the order given, which is shuffled.
    fn object(entries: Vec<(&'static str, String)>) -> impl Strategy<Value = String> {
        Just(entries).prop_shuffle().prop_map(|entries| {
            let body: Vec<String> = entries
                .into_iter()
                .map(|(key, value)| format!("\"{key}\":{value}"))
                .collect();
            format!("{{{}}}", body.join(","))
        })
    }

    fn optional(entry: (&'static str, String), present: bool) -> Option<(&'static str, String)> {
        present.then_some(entry)
    }

    fn series() -> impl Strategy<Value = String> {
        let names = prop::sample::select(vec!["\"m\"", "\"cpu\"", "\"unknown\"", r#""m\u00e9\"""#]);
        let column = prop::sample::select(vec![
            "time", "host", "region", "value", "count", "ok", "note", "mean", "x",
        ]);
        let columns = prop::collection::vec(column, 0..7);
        let tag_key = prop::sample::select(vec!["host", "region", "value"]);
        let tags = prop::collection::vec((tag_key, json_string()), 0..3);
        let rows = prop::collection::vec(prop::collection::vec(json_cell(), 0..8), 0..5);
        // Each of name, columns and values is left out of one series in eight.
        let left_out = 0..8_u8;
        (names, tags, columns, rows, any::<[bool; 2]>(), left_out).prop_flat_map(
            |(name, tags, columns, rows, present, left_out)| {
                let tags: Vec<String> = tags
                    .iter()
                    .map(|(key, value)| format!("\"{key}\":{value}"))
                    .collect();
                let columns: Vec<String> = columns
                    .iter()
                    .map(|column| format!("\"{column}\""))
                    .collect();
                let rows: Vec<String> = rows
                    .iter()
                    .map(|row| format!("[{}]", row.join(",")))
                    .collect();
                let entries = [
                    optional(("name", name.to_owned()), left_out != 0),
                    optional(("tags", format!("{{{}}}", tags.join(","))), present[1]),
                    optional(
                        ("columns", format!("[{}]", columns.join(","))),
                        left_out != 1,
                    ),
                    optional(("values", format!("[{}]", rows.join(","))), left_out != 2),
                    optional(("partial", present[0].to_string()), present[0]),
                    optional(("unknown", "[{\"a\":1}]".to_owned()), !present[1]),
                ];
                object(entries.into_iter().flatten().collect())
            },
        )
    }

    fn statement() -> impl Strategy<Value = String> {
        let error = prop::sample::select(vec![None, None, None, Some("\"boom\""), Some("null")]);
        (
            0..3_usize,
            prop::collection::vec(series(), 0..3),
            error,
            any::<[bool; 3]>(),
        )
            .prop_flat_map(|(id, series, error, present)| {
                let entries = [
                    optional(("statement_id", id.to_string()), present[0]),
                    optional(
                        ("series", format!("[{}]", series.join(","))),
                        !series.is_empty(),
                    ),
                    optional(("partial", present[1].to_string()), true),
                    optional(
                        ("messages", r#"[{"level":"warning","text":"w"}]"#.to_owned()),
                        present[2],
                    ),
                    error.map(|error| ("error", error.to_owned())),
                ];
                object(entries.into_iter().flatten().collect())
            })
    }

    fn document() -> impl Strategy<Value = String> {
        let error = prop::sample::select(vec![
            None,
            None,
            None,
            None,
            Some("\"request\""),
            Some("null"),
        ]);
        (prop::collection::vec(statement(), 0..3), error).prop_flat_map(|(results, error)| {
            let entries = [
                Some(("results", format!("[{}]", results.join(",")))),
                error.map(|error| ("error", error.to_owned())),
                Some(("other", "{\"results\":1}".to_owned())),
            ];
            object(entries.into_iter().flatten().collect())
        })
    }

    /// A document as InfluxDB 1.x sends a successful answer: its keys in the server's order,
    /// with none of the optional keys the hand reader leaves to the owned path.
    fn server_document() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec!["\"m\"", "\"cpu\"", r#""m\u00e9\"""#]);
        let column = prop::sample::select(vec![
            "time", "host", "region", "value", "count", "ok", "note", "mean", "x",
        ]);
        let tag_key = prop::sample::select(vec!["host", "region", "value"]);
        let valid_cell = json_cell().prop_filter("JSON", |cell| {
            serde_json::from_str::<serde_json::Value>(cell).is_ok()
        });
        let series = (
            name,
            prop::collection::vec((tag_key, json_string()), 0..3),
            prop::collection::vec(column, 0..7),
            prop::collection::vec(prop::collection::vec(valid_cell, 0..8), 0..5),
            any::<[bool; 3]>(),
        )
            .prop_map(|(name, tags, columns, rows, present)| {
                let mut series = format!("{{\"name\":{name}");
                if present[0] {
                    let tags: Vec<String> = (tags.iter())
                        .map(|(key, value)| format!("\"{key}\":{value}"))
                        .collect();
                    series.push_str(&format!(",\"tags\":{{{}}}", tags.join(",")));
                }
                let columns: Vec<String> = (columns.iter())
                    .map(|column| format!("\"{column}\""))
                    .collect();
                series.push_str(&format!(",\"columns\":[{}]", columns.join(",")));
                if present[1] {
                    let rows: Vec<String> = (rows.iter())
                        .map(|row| format!("[{}]", row.join(",")))
                        .collect();
                    series.push_str(&format!(",\"values\":[{}]", rows.join(",")));
                }
                if present[2] {
                    series.push_str(&format!(",\"partial\":{}", present[0]));
                }
                series + "}"
            });
        let statement = (
            prop_oneof![0..3_u64, Just(u64::MAX)],
            prop::collection::vec(series, 0..3),
            any::<Option<bool>>(),
        )
            .prop_map(|(id, series, partial)| {
                let mut statement = format!("{{\"statement_id\":{id}");
                if !series.is_empty() {
                    statement.push_str(&format!(",\"series\":[{}]", series.join(",")));
                }
                if let Some(partial) = partial {
                    statement.push_str(&format!(",\"partial\":{partial}"));
                }
                statement + "}"
            });
        prop::collection::vec(statement, 0..3)
            .prop_map(|results| format!("{{\"results\":[{}]}}", results.join(",")))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn documents_of_the_server_s_shape_are_read_by_hand_as_the_old_path_reads_them(
            document in server_document(),
        ) {
            prop_assert!(read_fast(document.as_bytes()), "{}", document);
            same_as_old_path(document.as_bytes());
        }

        #[test]
        fn random_documents_decode_as_the_old_path_does(document in document()) {
            same_as_old_path(document.as_bytes());
        }

        #[test]
        fn random_documents_cut_or_with_a_byte_changed_fail_as_the_old_path_does(
            document in document(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let cut_at = at.index(document.len() + 1);
            same_as_old_path(&document.as_bytes()[..cut_at]);
            let mut changed = document.into_bytes();
            if !changed.is_empty() {
                let index = at.index(changed.len());
                changed[index] = byte;
                same_as_old_path(&changed);
            }
        }
    }
}
