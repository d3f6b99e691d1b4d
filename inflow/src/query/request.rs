//! Running queries: the HTTP side of `Client::query`, `query_as` and `query_stream`, and the
//! admin helpers.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;

use super::answer::Answer;
use super::results::{Assembly, refusal};
use super::rows::{Decoded, decode_document};
use super::{FromRow, Query, StatementResult, quote_identifier, scan};
use crate::transport::transport_error;
use crate::{Client, Error, ErrorKind, Precision, Result, v1};

impl Client {
    /// Runs a query and returns one result per statement, each with its series.
    ///
    /// `SELECT` (without `INTO`) and `SHOW` go as `GET`, everything else as `POST`, decided by
    /// a scan of the statements' keywords; long queries go in a form body.
    ///
    /// The answer is asked for in chunks ([`Query::chunk_size`] rows each), which the server
    /// never cuts at its `max-row-limit`, and joined back into whole results; waiting for each
    /// chunk has the client's timeout (see [the module](crate::query) for why).
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
    /// or a statement fails (naming the statement; the first to fail when several do);
    /// [`ErrorKind::InvalidQuery`] when a parameter could not be bound;
    /// [`ErrorKind::Truncated`] when the answer ends while its last chunk says more follows;
    /// [`ErrorKind::Timeout`] when the answer's head or one of its chunks does not arrive whole
    /// within the client's timeout; unauthorized, forbidden or transport errors.
    pub async fn query(&self, query: impl Into<Query>) -> Result<Vec<StatementResult>> {
        let mut answer = self.answer(&query.into()).await?;
        let mut assembly = Assembly::default();
        while let Some(results) = answer.next_document().await {
            assembly.push(results?);
        }
        Ok(assembly.finish())
    }

    /// Runs a query and decodes every row of every series into `M`, chunk by chunk as the
    /// answer arrives (the rows are held once, decoded; the answer's text one chunk at a time).
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
        let mut answer = self.answer(&query).await?;
        let mut rows = Vec::new();
        let mut decode = |document: &[u8], status| {
            decoded(decode_document(document, status, query.epoch, &mut rows))
        };
        while let Some(failed) =
            std::future::poll_fn(|cx| answer.poll_document(cx, &mut decode)).await
        {
            if let Some(error) = failed? {
                return Err(error);
            }
        }
        Ok(rows)
    }

    /// Runs a query and decodes rows into `M` as they arrive: memory is bounded by the chunk
    /// size (see [`Query::chunk_size`]), not by the size of the result.
    ///
    /// Waiting for each chunk has the client's timeout, counted from when the stream is asked
    /// for a row that needs the chunk: time spent by the caller between rows does not count,
    /// and bytes that arrive without completing the chunk do not extend it.
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
    /// As [`query`](Self::query), for the request and its answer's head; then an item is an
    /// error, after which the stream ends, when a statement fails, a row does not decode
    /// ([`ErrorKind::Decode`]), a chunk does not arrive whole in time ([`ErrorKind::Timeout`])
    /// or the answer ends while its last chunk says more follows ([`ErrorKind::Truncated`]).
    pub async fn query_stream<M: FromRow>(&self, query: impl Into<Query>) -> Result<RowStream<M>> {
        let query = query.into();
        Ok(RowStream {
            answer: self.answer(&query).await?,
            ready: VecDeque::new(),
            failed: None,
            epoch: query.epoch,
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

    /// Sends `query` and opens its answer, or returns the server's refusal.
    async fn answer(&self, query: &Query) -> Result<Answer> {
        let timeout = self.shared.timeout;
        let response = self.send_query(query).await?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let body = tokio::time::timeout(timeout, response.bytes())
                .await
                .map_err(|_| Error::timeout(timeout))?
                .map_err(|err| transport_error(err, timeout))?;
            return Err(refusal(status, &body));
        }
        Ok(Answer::new(response, timeout))
    }

    /// Checks `query` and sends it, asking for a chunked answer; returns once the answer's
    /// head has arrived, within the client's timeout.
    async fn send_query(&self, query: &Query) -> Result<reqwest::Response> {
        if let Some(problem) = query.invalid_param() {
            return Err(Error::new(ErrorKind::InvalidQuery, problem));
        }
        if query.text().trim().is_empty() {
            return Err(Error::new(ErrorKind::InvalidQuery, "the query is empty"));
        }
        let database = query
            .database
            .as_deref()
            .unwrap_or(&self.shared.target.database);
        let pairs = v1::query_pairs(query, database);
        self.open_query(&pairs, scan::is_read_only(query.text()), database)
            .await
    }
}

/// What `Answer::poll_document` takes from a decoded document: the row that failed, if one
/// did, and whether more of the answer follows.
fn decoded(decoded: Result<Decoded>) -> Result<(Option<Error>, Option<bool>)> {
    decoded.map(|decoded| (decoded.failed, decoded.continues))
}

pub(crate) fn strings_of_column(results: &[StatementResult], column: &str) -> Vec<String> {
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
///
/// Each wait for the next chunk of the answer has the client's timeout: a chunk that does not
/// arrive whole in time ends the stream with [`ErrorKind::Timeout`], even if its bytes keep
/// coming. An answer that ends while its last chunk says more rows follow ends the stream with
/// [`ErrorKind::Truncated`]. After an error the stream ends.
pub struct RowStream<M> {
    answer: Answer,
    ready: VecDeque<M>,
    /// A row that did not decode, reported after the rows before it.
    failed: Option<Error>,
    epoch: Option<Precision>,
}

impl<M> std::fmt::Debug for RowStream<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream")
            .field("decoded_rows_waiting", &self.ready.len())
            .field("buffered_bytes", &self.answer.buffered_bytes())
            .finish_non_exhaustive()
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
}

impl<M: FromRow + Unpin> Stream for RowStream<M> {
    type Item = Result<M>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(row) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(row)));
            }
            if let Some(err) = this.failed.take() {
                this.answer.finish();
                return Poll::Ready(Some(Err(err)));
            }
            let (epoch, ready) = (this.epoch, &mut this.ready);
            let mut decode =
                |document: &[u8], status| decoded(decode_document(document, status, epoch, ready));
            match this.answer.poll_document(cx, &mut decode) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(err))) => return Poll::Ready(Some(Err(err))),
                Poll::Ready(Some(Ok(failed))) => this.failed = failed,
            }
        }
    }
}
