//! Typed decoding of a chunked `/query` answer straight from its text: one document (one line)
//! at a time, each row into the caller's type as soon as it is read. No JSON tree and no owned
//! value per cell: a row's values are viewed in place (strings borrowed from the text unless
//! they hold escapes, which are unescaped into one scratch string reused by every row), and
//! the buffers are reused from row to row and series to series. I/O-free.
//!
//! What it accepts and refuses is what `results::parse_document` and the decoding of its
//! `Series` do; only the path is shorter. Keys may come in any order: InfluxDB 1.x sends a
//! series' keys as `name`, `tags`, `columns`, `values`, `partial`, and the rows are decoded as
//! they are read when `name` and `columns` come before `values`. Otherwise `values` is kept as
//! raw text and decoded at the end of the series; and when `tags` comes after rows that were
//! decoded without them, the document is decoded again that way.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::FromRow;
use super::answer::completeness;
use super::decode::{Cell, Plan, SeriesHead};
use super::results::{Message, malformed};
use crate::{Error, ErrorKind, Precision, Result};

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
    let mut outcome = read_document(document, epoch, rows, false);
    if matches!(outcome, Err(Failure::Reorder)) {
        rows.truncate(start);
        outcome = read_document(document, epoch, rows, true);
    }
    let error = match outcome {
        Ok((summary, failed)) => match summary.error(status) {
            None => {
                return Ok(Decoded {
                    continues: summary.continues,
                    failed,
                });
            }
            Some(error) => error,
        },
        Err(Failure::Json(err)) => malformed(&err, status),
        Err(Failure::Reorder) => Error::new(
            ErrorKind::UnexpectedResponse,
            "a chunk of the answer could not be read in any order of its keys",
        )
        .with_status(status),
    };
    rows.truncate(start);
    Err(error)
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
    for line in body.split(|&byte| byte == b'\n') {
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

/// Why a document could not be read.
enum Failure {
    Json(serde_json::Error),
    /// `tags` came after rows decoded without them: read the document again, keeping each
    /// series' rows for its end.
    Reorder,
}

/// Reads one document; the first decode error is returned beside what the document says.
fn read_document<M: FromRow>(
    document: &[u8],
    epoch: Option<Precision>,
    rows: &mut impl RowSink<M>,
    keep_values: bool,
) -> std::result::Result<(Summary, Option<Error>), Failure> {
    let mut state = State {
        rows,
        epoch,
        keep_values,
        reorder: false,
        plan: Plan::default(),
        cells: Vec::new(),
        escaped: String::new(),
        failed: None,
        row_type: PhantomData,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(document);
    let read = DocumentSeed(&mut state)
        .deserialize(&mut deserializer)
        .and_then(|summary| deserializer.end().map(|()| summary));
    match read {
        Ok(summary) => Ok((summary, state.failed)),
        Err(_) if state.reorder => Err(Failure::Reorder),
        Err(err) => Err(Failure::Json(err)),
    }
}

/// What the decoder keeps while it reads one document.
struct State<'s, 'de, M, S> {
    rows: &'s mut S,
    epoch: Option<Precision>,
    /// Whether every series' `values` is kept as text and decoded at the end of the series.
    keep_values: bool,
    /// Set when the document must be read again with `keep_values`.
    reorder: bool,
    plan: Plan,
    /// The values of the row being read, and the unescaped text of those with escapes.
    cells: Vec<Cell<'de>>,
    escaped: String,
    failed: Option<Error>,
    row_type: PhantomData<fn() -> M>,
}

impl<'de, M: FromRow, S: RowSink<M>> State<'_, 'de, M, S> {
    /// Prepares the plan of `series`, unless a row or series before it failed.
    fn start_series(&mut self, series: &SeriesHead<'_>) {
        if self.failed.is_none()
            && let Err(error) = self.plan.prepare::<M>(series, self.epoch)
        {
            self.failed = Some(error);
        }
    }

    /// Reads the rows of `series` from `deserializer` (a series' `values`).
    fn read_values<D: Deserializer<'de>>(
        &mut self,
        series: &SeriesHead<'_>,
        deserializer: D,
    ) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_seq(ValuesVisitor {
            state: self,
            series,
        })
    }
}

/// What a document says besides its rows.
#[derive(Debug, Default)]
struct Summary {
    /// The request's error (`{"error": ...}` beside or instead of results).
    error: Option<String>,
    /// The first failed statement: its number and error.
    failed_statement: Option<(usize, String)>,
    continues: Option<bool>,
}

impl Summary {
    /// The error the document holds, as `results::parse_document` reports it.
    fn error(&self, status: u16) -> Option<Error> {
        if let Some(error) = &self.error {
            return Some(Error::new(ErrorKind::QueryFailed, error.clone()).with_status(status));
        }
        let (statement, error) = self.failed_statement.as_ref()?;
        Some(
            Error::new(
                ErrorKind::QueryFailed,
                format!("statement {statement}: {error}"),
            )
            .with_status(status),
        )
    }
}

/// Reads the key of an object among `names`: its index, or `None` for a key to ignore.
struct KeySeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> std::result::Result<Self::Value, E> {
        Ok(self.0.iter().position(|name| *name == key))
    }
}

/// The keys of an object seen so far, to refuse one that comes twice.
#[derive(Default)]
struct Seen(u8);

impl Seen {
    fn first<E: de::Error>(
        &mut self,
        names: &'static [&'static str],
        key: usize,
    ) -> std::result::Result<(), E> {
        let bit = 1 << key;
        if self.0 & bit != 0 {
            return Err(E::duplicate_field(names[key]));
        }
        self.0 |= bit;
        Ok(())
    }

    fn has(&self, key: usize) -> bool {
        self.0 & (1 << key) != 0
    }
}

/// Reads a string, borrowed from the text when it holds no escape.
struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TextSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(
        self,
        text: &'de str,
    ) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Owned(text.to_owned()))
    }
}

const DOCUMENT_KEYS: &[&str] = &["results", "error"];

/// The document: `{"results": [...], "error": ...}`.
struct DocumentSeed<'a, 's, 'de, M, S>(&'a mut State<'s, 'de, M, S>);

impl<'de, M: FromRow, S: RowSink<M>> DeserializeSeed<'de> for DocumentSeed<'_, '_, 'de, M, S> {
    type Value = Summary;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Summary, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, M: FromRow, S: RowSink<M>> Visitor<'de> for DocumentSeed<'_, '_, 'de, M, S> {
    type Value = Summary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the object of a query's results")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Summary, A::Error> {
        let mut summary = Summary::default();
        let mut seen = Seen::default();
        while let Some(key) = map.next_key_seed(KeySeed(DOCUMENT_KEYS))? {
            let Some(key) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            seen.first(DOCUMENT_KEYS, key)?;
            if key == 0 {
                map.next_value_seed(ResultsSeed {
                    state: &mut *self.0,
                    summary: &mut summary,
                })?;
            } else {
                summary.error = map.next_value()?;
            }
        }
        Ok(summary)
    }
}

/// The array of a document's results.
struct ResultsSeed<'a, 's, 'de, M, S> {
    state: &'a mut State<'s, 'de, M, S>,
    summary: &'a mut Summary,
}

impl<'de, M: FromRow, S: RowSink<M>> DeserializeSeed<'de> for ResultsSeed<'_, '_, 'de, M, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, M: FromRow, S: RowSink<M>> Visitor<'de> for ResultsSeed<'_, '_, 'de, M, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of statement results")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(result) = seq.next_element_seed(ResultSeed(&mut *self.state))? {
            if let Some(error) = result.error
                && self.summary.failed_statement.is_none()
            {
                self.summary.failed_statement = Some((result.statement_id, error));
            }
            self.summary.continues = Some(result.continues);
        }
        Ok(())
    }
}

/// What one statement result says besides its rows.
struct StatementSummary {
    statement_id: usize,
    error: Option<String>,
    /// Whether the result or its last series says more of it follows.
    continues: bool,
}

const RESULT_KEYS: &[&str] = &["statement_id", "series", "messages", "partial", "error"];

/// One statement result.
struct ResultSeed<'a, 's, 'de, M, S>(&'a mut State<'s, 'de, M, S>);

impl<'de, M: FromRow, S: RowSink<M>> DeserializeSeed<'de> for ResultSeed<'_, '_, 'de, M, S> {
    type Value = StatementSummary;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, M: FromRow, S: RowSink<M>> Visitor<'de> for ResultSeed<'_, '_, 'de, M, S> {
    type Value = StatementSummary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a statement result")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let (mut statement_id, mut error, mut partial, mut last_series_partial) =
            (0, None, false, false);
        let mut seen = Seen::default();
        while let Some(key) = map.next_key_seed(KeySeed(RESULT_KEYS))? {
            let Some(key) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            seen.first(RESULT_KEYS, key)?;
            match key {
                0 => statement_id = map.next_value()?,
                1 => last_series_partial = map.next_value_seed(SeriesListSeed(&mut *self.0))?,
                2 => drop(map.next_value::<Vec<Message>>()?),
                3 => partial = map.next_value()?,
                _ => error = map.next_value()?,
            }
        }
        Ok(StatementSummary {
            statement_id,
            error,
            continues: partial || last_series_partial,
        })
    }
}

/// The series of a result; says whether the last one is flagged `partial`.
struct SeriesListSeed<'a, 's, 'de, M, S>(&'a mut State<'s, 'de, M, S>);

impl<'de, M: FromRow, S: RowSink<M>> DeserializeSeed<'de> for SeriesListSeed<'_, '_, 'de, M, S> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<bool, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, M: FromRow, S: RowSink<M>> Visitor<'de> for SeriesListSeed<'_, '_, 'de, M, S> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of series")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<bool, A::Error> {
        let mut last_partial = false;
        while let Some(partial) = seq.next_element_seed(SeriesSeed(&mut *self.0))? {
            last_partial = partial;
        }
        Ok(last_partial)
    }
}

const SERIES_KEYS: &[&str] = &["name", "tags", "columns", "values", "partial"];
const NAME: usize = 0;
const TAGS: usize = 1;
const COLUMNS: usize = 2;
const VALUES: usize = 3;

/// One series; says whether it is flagged `partial`.
struct SeriesSeed<'a, 's, 'de, M, S>(&'a mut State<'s, 'de, M, S>);

impl<'de, M: FromRow, S: RowSink<M>> DeserializeSeed<'de> for SeriesSeed<'_, '_, 'de, M, S> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<bool, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, M: FromRow, S: RowSink<M>> Visitor<'de> for SeriesSeed<'_, '_, 'de, M, S> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a series")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<bool, A::Error> {
        let state = self.0;
        let mut series = SeriesHead::default();
        let mut partial = false;
        let mut kept: Option<&'de RawValue> = None;
        let mut seen = Seen::default();
        while let Some(key) = map.next_key_seed(KeySeed(SERIES_KEYS))? {
            let Some(key) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            seen.first(SERIES_KEYS, key)?;
            match key {
                NAME => series.name = map.next_value_seed(TextSeed)?,
                TAGS => {
                    map.next_value_seed(TagsSeed(&mut series.tags))?;
                    if seen.has(VALUES) && kept.is_none() && !series.tags.is_empty() {
                        // The rows were decoded without these tags.
                        state.reorder = true;
                        return Err(de::Error::custom("tags after values"));
                    }
                }
                COLUMNS => series.columns = map.next_value_seed(ColumnsSeed)?,
                VALUES if !state.keep_values && seen.has(NAME) && seen.has(COLUMNS) => {
                    state.start_series(&series);
                    map.next_value_seed(ValuesSeed {
                        state: &mut *state,
                        series: &series,
                    })?;
                }
                VALUES => kept = Some(map.next_value()?),
                _ => partial = map.next_value()?,
            }
        }
        if let Some(values) = kept {
            state.start_series(&series);
            let mut deserializer = serde_json::Deserializer::from_str(values.get());
            state
                .read_values(&series, &mut deserializer)
                .map_err(de::Error::custom)?;
        } else if !seen.has(VALUES) {
            state.start_series(&series);
        }
        Ok(partial)
    }
}

/// A series' `GROUP BY` tags.
struct TagsSeed<'a, 'de>(&'a mut Vec<(Cow<'de, str>, Cow<'de, str>)>);

impl<'de> DeserializeSeed<'de> for TagsSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TagsSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of tags")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(TextSeed)? {
            let value = map.next_value_seed(TextSeed)?;
            self.0.push((key, value));
        }
        Ok(())
    }
}

/// A series' column names.
struct ColumnsSeed;

impl<'de> DeserializeSeed<'de> for ColumnsSeed {
    type Value = Vec<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ColumnsSeed {
    type Value = Vec<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of column names")
    }

    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut columns = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(column) = seq.next_element_seed(TextSeed)? {
            columns.push(column);
        }
        Ok(columns)
    }
}

/// A series' rows, decoded as they are read.
struct ValuesSeed<'a, 'h, 's, 'de, M, S> {
    state: &'a mut State<'s, 'de, M, S>,
    series: &'h SeriesHead<'h>,
}

impl<'de, M: FromRow, S: RowSink<M>> DeserializeSeed<'de> for ValuesSeed<'_, '_, '_, 'de, M, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<(), D::Error> {
        self.state.read_values(self.series, deserializer)
    }
}

struct ValuesVisitor<'a, 'h, 's, 'de, M, S> {
    state: &'a mut State<'s, 'de, M, S>,
    series: &'h SeriesHead<'h>,
}

impl<'de, M: FromRow, S: RowSink<M>> Visitor<'de> for ValuesVisitor<'_, '_, '_, 'de, M, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let state = self.state;
        let mut index = 0;
        loop {
            state.cells.clear();
            state.escaped.clear();
            let row = RowSeed {
                cells: &mut state.cells,
                escaped: &mut state.escaped,
            };
            if seq.next_element_seed(row)?.is_none() {
                return Ok(());
            }
            if state.failed.is_none() {
                match state
                    .plan
                    .decode::<M>(self.series, &state.cells, &state.escaped, index)
                {
                    Ok(row) => state.rows.push(row),
                    Err(error) => state.failed = Some(error),
                }
            }
            index += 1;
        }
    }
}

/// One row's values, into the reused buffers.
struct RowSeed<'a, 'de> {
    cells: &'a mut Vec<Cell<'de>>,
    escaped: &'a mut String,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row: an array of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(cell) = seq.next_element_seed(CellSeed(&mut *self.escaped))? {
            self.cells.push(cell);
        }
        Ok(())
    }
}

/// One value: JSON types kept, integers exact (`Unsigned` only above `i64::MAX`), `null`.
struct CellSeed<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = Cell<'de>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Cell<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = Cell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, string, boolean or null")
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Boolean(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Integer(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> std::result::Result<Cell<'de>, E> {
        Ok(i64::try_from(value).map_or(Cell::Unsigned(value), Cell::Integer))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Float(value))
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Str(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> std::result::Result<Cell<'de>, E> {
        let start = self.0.len();
        self.0.push_str(text);
        Ok(Cell::Escaped {
            start,
            end: self.0.len(),
        })
    }
}
