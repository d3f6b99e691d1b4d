//! Running queries: the HTTP side of `Client::query`, `query_as` and `query_stream`, and the
//! admin helpers.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_core::Stream;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use tracing::Instrument as _;

use super::decode::Plan;
use super::results::{ResponseBody, parse_response, results_or_error};
use super::{FromRow, Query, Series, StatementResult, quote_identifier, scan};
use crate::client::transport_error;
use crate::{Client, Error, ErrorKind, Precision, Result};

/// Longest URL sent as a `GET`; longer read-only queries go in a `POST` form body.
const MAX_GET_URL: usize = 4096;
/// How long a streamed query may run in all; each read still has the client's timeout.
const STREAM_TOTAL_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

impl Client {
    /// Runs a query and returns one result per statement, each with its series.
    ///
    /// `SELECT` (without `INTO`) and `SHOW` go as `GET`, everything else as `POST`, decided by
    /// a scan of the statements' keywords; long queries go in a form body.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// use inflow::Client;
    ///
    /// let client = Client::new("http://localhost:8086/databasename")?;
    /// for result in client.query("SELECT * FROM temperature").await? {
    ///     for series in result.series() {
    ///         println!("{}: {:?} {} rows", series.name(), series.columns(), series.len());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::QueryFailed`] with the server's message when the server refuses the query
    /// or a statement fails (naming the statement); [`ErrorKind::InvalidQuery`] when a
    /// parameter could not be bound; unauthorized, forbidden, timeout or transport errors.
    pub async fn query(&self, query: impl Into<Query>) -> Result<Vec<StatementResult>> {
        let query = query.into();
        let (status, body) = self.run_query(&query, false).await?;
        parse_response(status, &body)
    }

    /// Runs a query and decodes every row of every series into `M`.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// use inflow::{Client, Measurement};
    /// use chrono::{DateTime, Utc};
    ///
    /// #[derive(Debug, Measurement)]
    /// #[inflow(measurement = "temperature")]
    /// struct Reading {
    ///     #[inflow(tag)]
    ///     location: String,
    ///     value: f64,
    ///     #[inflow(timestamp)]
    ///     time: DateTime<Utc>,
    /// }
    ///
    /// let client = Client::new("http://localhost:8086/databasename")?;
    /// let readings: Vec<Reading> = client.query_as("SELECT * FROM temperature").await?;
    /// for reading in &readings {
    ///     println!("{} at {}: {}", reading.location, reading.time, reading.value);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query); and [`ErrorKind::Decode`] naming the column, row and
    /// expected type when a row does not fit `M`.
    pub async fn query_as<M: FromRow>(&self, query: impl Into<Query>) -> Result<Vec<M>> {
        let query = query.into();
        let epoch = query.epoch;
        let results = self.query(query).await?;
        let mut rows = Vec::new();
        for result in &results {
            for series in result.series() {
                decode_series(series, epoch, &mut rows)?;
            }
        }
        Ok(rows)
    }

    /// Runs a query with `chunked=true` and decodes rows into `M` as they arrive: memory is
    /// bounded by the chunk size (see [`Query::chunk_size`]), not by the size of the result.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// # #[derive(inflow::Measurement)] struct Reading { value: f64 }
    /// use inflow::{Client, Query};
    ///
    /// let client = Client::new("http://localhost:8086/databasename")?;
    /// let mut rows = client.query_stream::<Reading>(Query::new("SELECT * FROM reading").chunk_size(5000)).await?;
    /// let mut total = 0.0;
    /// while let Some(reading) = rows.next().await {
    ///     total += reading?.value;
    /// }
    /// println!("{total}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query), for the request; each item is an error when a chunk reports
    /// one or a row does not decode.
    pub async fn query_stream<M: FromRow>(&self, query: impl Into<Query>) -> Result<RowStream<M>> {
        let query = query.into();
        let response = self.send_query(&query, true).await?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let body = response
                .bytes()
                .await
                .map_err(|err| transport_error(err, self.shared.timeout))?;
            return Err(match parse_response(status, &body) {
                Err(err) => err,
                Ok(_) => Error::new(ErrorKind::QueryFailed, "the query failed").with_status(status),
            });
        }
        Ok(RowStream {
            body: Box::pin(response.bytes_stream()),
            pending: Vec::new(),
            ready: VecDeque::new(),
            epoch: query.epoch,
            status,
            timeout: self.shared.timeout,
            finished: false,
        })
    }

    /// Creates the client's database (nothing happens if it exists).
    ///
    /// # Errors
    ///
    /// When the server refuses.
    pub async fn create_database(&self) -> Result<()> {
        self.execute(format!(
            "CREATE DATABASE {}",
            quote_identifier(self.database())
        ))
        .await
    }

    /// Drops the client's database, with all its data.
    ///
    /// # Errors
    ///
    /// When the server refuses.
    pub async fn drop_database(&self) -> Result<()> {
        self.execute(format!(
            "DROP DATABASE {}",
            quote_identifier(self.database())
        ))
        .await
    }

    /// Creates a retention policy on the client's database that keeps data for `duration`
    /// (whole seconds; `None` keeps it forever), with one replica, optionally as the default.
    ///
    /// # Errors
    ///
    /// When the server refuses (for instance a duration under one hour).
    pub async fn create_retention_policy(
        &self,
        name: &str,
        duration: Option<Duration>,
        default: bool,
    ) -> Result<()> {
        let duration = duration.map_or_else(|| "INF".to_owned(), |d| format!("{}s", d.as_secs()));
        let default = if default { " DEFAULT" } else { "" };
        self.execute(format!(
            "CREATE RETENTION POLICY {} ON {} DURATION {duration} REPLICATION 1{default}",
            quote_identifier(name),
            quote_identifier(self.database())
        ))
        .await
    }

    /// The measurements of the client's database.
    ///
    /// # Errors
    ///
    /// When the server refuses.
    pub async fn show_measurements(&self) -> Result<Vec<String>> {
        let results = self.query("SHOW MEASUREMENTS").await?;
        Ok(strings_of_column(&results, "name"))
    }

    /// The field keys of `measurement` with their types (`float`, `integer`, `string`,
    /// `boolean`), as `(key, type)` pairs.
    ///
    /// # Errors
    ///
    /// When the server refuses.
    pub async fn show_field_keys(&self, measurement: &str) -> Result<Vec<(String, String)>> {
        let results = self
            .query(format!(
                "SHOW FIELD KEYS FROM {}",
                quote_identifier(measurement)
            ))
            .await?;
        let keys = strings_of_column(&results, "fieldKey");
        let types = strings_of_column(&results, "fieldType");
        Ok(keys.into_iter().zip(types).collect())
    }

    /// Runs a statement that returns no rows.
    async fn execute(&self, statement: String) -> Result<()> {
        self.query(statement).await.map(drop)
    }

    async fn run_query(&self, query: &Query, chunked: bool) -> Result<(u16, bytes::Bytes)> {
        let response = self.send_query(query, chunked).await?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|err| transport_error(err, self.shared.timeout))?;
        Ok((status, body))
    }

    async fn send_query(&self, query: &Query, chunked: bool) -> Result<reqwest::Response> {
        if let Some(problem) = query.invalid_param() {
            return Err(Error::new(ErrorKind::InvalidQuery, problem));
        }
        if query.text().trim().is_empty() {
            return Err(Error::new(ErrorKind::InvalidQuery, "the query is empty"));
        }
        let target = &self.shared.target;
        let database = query.database.as_deref().unwrap_or(&target.database);
        let params = query.params_json();
        let chunk_size = query.chunk_size.map(|rows| rows.to_string());
        let mut pairs: Vec<(&str, &str)> = vec![("q", query.text()), ("db", database)];
        if let Some(rp) = &query.retention_policy {
            pairs.push(("rp", rp));
        }
        if let Some(epoch) = query.epoch {
            pairs.push(("epoch", epoch_param(epoch)));
        }
        if let Some(params) = &params {
            pairs.push(("params", params));
        }
        if chunked {
            pairs.push(("chunked", "true"));
            if let Some(rows) = &chunk_size {
                pairs.push(("chunk_size", rows));
            }
        }
        let mut url = target.endpoint("query");
        url.query_pairs_mut().extend_pairs(&pairs);
        let read_only = scan::is_read_only(query.text());
        let mut request = if read_only && url.as_str().len() <= MAX_GET_URL {
            self.http.get(url)
        } else {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&pairs)
                .finish();
            self.http
                .post(target.endpoint("query"))
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(body)
        };
        if chunked {
            request = request.timeout(STREAM_TOTAL_TIMEOUT);
        }
        if let Some(auth) = &target.auth {
            request = request.header(AUTHORIZATION, auth.header().clone());
        }
        let span = tracing::debug_span!(
            "inflow.query",
            database = %database,
            method = if read_only { "GET" } else { "POST" },
            chunked,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let response = request
            .send()
            .instrument(span.clone())
            .await
            .map_err(|err| transport_error(err, self.shared.timeout));
        span.record("duration_ms", started.elapsed().as_secs_f64() * 1000.0);
        if let Ok(response) = &response {
            span.record("status", response.status().as_u16());
        }
        response
    }
}

/// The `epoch` parameter: 1.x reads `u` for microseconds (`us` would be nanoseconds).
fn epoch_param(precision: Precision) -> &'static str {
    precision.as_str()
}

fn decode_series<M: FromRow>(
    series: &Series,
    epoch: Option<Precision>,
    rows: &mut impl Extend<M>,
) -> Result<()> {
    let plan = Plan::new::<M>(series, epoch);
    for index in 0..series.len() {
        rows.extend(std::iter::once(plan.decode::<M>(index)?));
    }
    Ok(())
}

fn strings_of_column(results: &[StatementResult], column: &str) -> Vec<String> {
    results
        .iter()
        .flat_map(StatementResult::series)
        .flat_map(|series| {
            let index = series.column(column);
            series
                .rows()
                .iter()
                .filter_map(move |row| match index.and_then(|i| row.get(i)) {
                    Some(Some(crate::Value::String(text))) => Some(text.clone()),
                    _ => None,
                })
        })
        .collect()
}

/// Rows of a streamed query, decoded as they arrive: an async [`Stream`], and
/// [`next`](RowStream::next) for use without a stream library.
pub struct RowStream<M> {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    /// The start of a JSON document whose end has not arrived yet.
    pending: Vec<u8>,
    ready: VecDeque<M>,
    epoch: Option<Precision>,
    status: u16,
    timeout: Duration,
    finished: bool,
}

impl<M> std::fmt::Debug for RowStream<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream")
            .field("decoded_rows_waiting", &self.ready.len())
            .field("buffered_bytes", &self.pending.len())
            .field("finished", &self.finished)
            .finish()
    }
}

impl<M: FromRow> RowStream<M> {
    /// The next row, `None` at the end.
    pub async fn next(&mut self) -> Option<Result<M>>
    where
        M: Unpin,
    {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Decodes every complete line (one JSON document each) of `pending`.
    fn decode_complete_lines(&mut self) -> Result<()> {
        let mut consumed = 0;
        while let Some(end) = memchr::memchr(b'\n', &self.pending[consumed..]) {
            let line = &self.pending[consumed..consumed + end];
            consumed += end + 1;
            decode_document(line, self.epoch, self.status, &mut self.ready)?;
        }
        self.pending.drain(..consumed);
        Ok(())
    }
}

/// Decodes one JSON document of a chunked answer into `ready`.
fn decode_document<M: FromRow>(
    document: &[u8],
    epoch: Option<Precision>,
    status: u16,
    ready: &mut VecDeque<M>,
) -> Result<()> {
    if document.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let body: ResponseBody = serde_json::from_slice(document).map_err(|err| {
        Error::new(
            ErrorKind::QueryFailed,
            format!("a chunk of the answer is not the JSON of a query result: {err}"),
        )
    })?;
    for result in results_or_error(body, status)? {
        for series in result.series() {
            decode_series(series, epoch, ready)?;
        }
    }
    Ok(())
}

impl<M: FromRow + Unpin> Stream for RowStream<M> {
    type Item = Result<M>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(row) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(row)));
            }
            if this.finished {
                return Poll::Ready(None);
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => {
                    this.pending.extend_from_slice(&bytes);
                    if let Err(err) = this.decode_complete_lines() {
                        this.finished = true;
                        return Poll::Ready(Some(Err(err)));
                    }
                }
                Poll::Ready(Some(Err(err))) => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(transport_error(err, this.timeout))));
                }
                Poll::Ready(None) => {
                    this.finished = true;
                    let rest = std::mem::take(&mut this.pending);
                    if let Err(err) =
                        decode_document(&rest, this.epoch, this.status, &mut this.ready)
                    {
                        return Poll::Ready(Some(Err(err)));
                    }
                }
            }
        }
    }
}
