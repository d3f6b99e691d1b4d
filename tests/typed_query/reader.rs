//! The reads and deletes a typed-query scenario needs, through the async client (on a runtime
//! of its own) or the blocking one, so that each scenario is written once and run for both.

use std::fmt::Debug;
use std::sync::Arc;

use inflow::query::{Delete, Select};
use inflow::{FromRow, Measurement, Query, Queryable};

/// The client under test.
pub(crate) enum Reader {
    Async {
        client: inflow::Client,
        /// Shared by the clients made from this one: their pooled connections run on it.
        runtime: Arc<tokio::runtime::Runtime>,
    },
    Blocking(inflow::blocking::Client),
}

/// Which client a scenario runs with.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Async,
    Blocking,
}

impl Reader {
    pub(crate) fn new(kind: Kind, url: &str) -> Reader {
        match kind {
            Kind::Async => Reader::Async {
                client: inflow::Client::new(url).unwrap(),
                runtime: Arc::new(
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap(),
                ),
            },
            Kind::Blocking => Reader::Blocking(inflow::blocking::Client::new(url).unwrap()),
        }
    }

    /// Writes `points` in one request.
    pub(crate) fn write<M: Measurement>(&self, points: &[M]) {
        match self {
            Reader::Async { client, runtime } => runtime.block_on(client.write_all(points)),
            Reader::Blocking(client) => client.write_all(points),
        }
        .expect("the points are written");
    }

    /// The rows of `select` through `fetch`, or its error; the same rows are checked to come
    /// through `fetch_stream` (in chunks of 3 rows) and through `query_as` of the select.
    pub(crate) fn try_fetch<M>(&self, select: &Select<M>) -> inflow::Result<Vec<M>>
    where
        M: Queryable + Measurement + FromRow + Unpin + PartialEq + Debug,
    {
        let (fetched, streamed, as_query) = match self {
            Reader::Async { client, runtime } => runtime.block_on(async {
                let fetched = client.fetch(select.clone()).await?;
                let mut stream = client.fetch_stream(select.clone().chunk_size(3)).await?;
                let mut streamed = Vec::new();
                while let Some(row) = stream.next().await {
                    streamed.push(row?);
                }
                let as_query = client.query_as::<M>(select).await?;
                Ok::<_, inflow::Error>((fetched, streamed, as_query))
            })?,
            Reader::Blocking(client) => (
                client.fetch(select.clone())?,
                client
                    .fetch_stream(select.clone().chunk_size(3))?
                    .collect::<inflow::Result<Vec<M>>>()?,
                client.query_as::<M>(select)?,
            ),
        };
        assert_eq!(streamed, fetched, "fetch_stream and fetch of {select}");
        assert_eq!(as_query, fetched, "query_as and fetch of {select}");
        Ok(fetched)
    }

    /// The rows of `select`.
    pub(crate) fn fetch<M>(&self, select: &Select<M>) -> Vec<M>
    where
        M: Queryable + Measurement + FromRow + Unpin + PartialEq + Debug,
    {
        self.try_fetch(select)
            .unwrap_or_else(|err| panic!("{select} failed: {err}"))
    }

    /// The rows of a query written by hand.
    pub(crate) fn hand<M: FromRow>(&self, query: Query) -> Vec<M> {
        let text = query.text().to_owned();
        match self {
            Reader::Async { client, runtime } => runtime.block_on(client.query_as::<M>(query)),
            Reader::Blocking(client) => client.query_as::<M>(query),
        }
        .unwrap_or_else(|err| panic!("{text} failed: {err}"))
    }

    /// Runs a raw statement (for setting up the database).
    pub(crate) fn run(&self, query: Query) {
        match self {
            Reader::Async { client, runtime } => runtime.block_on(client.query(query)),
            Reader::Blocking(client) => client.query(query),
        }
        .expect("the statement runs");
    }

    pub(crate) fn delete<M: Queryable + Measurement>(
        &self,
        delete: Delete<M>,
    ) -> inflow::Result<()> {
        match self {
            Reader::Async { client, runtime } => runtime.block_on(client.delete(delete)),
            Reader::Blocking(client) => client.delete(delete),
        }
    }

    /// The same client, writing to another retention policy.
    pub(crate) fn with_retention_policy(&self, rp: &str) -> Reader {
        match self {
            Reader::Async { client, runtime } => Reader::Async {
                client: client.with_retention_policy(rp),
                runtime: Arc::clone(runtime),
            },
            Reader::Blocking(client) => Reader::Blocking(client.with_retention_policy(rp)),
        }
    }
}
