//! Running typed statements with the async client.

use super::{Delete, Queryable, TypedQuery};
use crate::query::RowStream;
use crate::{Client, Measurement, Result};

impl Client {
    /// Runs a typed read and decodes every row into its row type.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// use inflow::{Client, Measurement, Queryable};
    ///
    /// #[derive(Debug, Measurement)]
    /// struct Reading {
    ///     #[inflow(tag)]
    ///     location: String,
    ///     value: f64,
    /// }
    ///
    /// let client = Client::new("http://localhost:8086/databasename")?;
    /// let warm = client
    ///     .fetch(Reading::select().filter(|c| c.value.gt(25.0)).last(std::time::Duration::from_secs(3600)))
    ///     .await?;
    /// println!("{warm:?}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`query_as`](Self::query_as); [`ErrorKind::InvalidQuery`](crate::ErrorKind::InvalidQuery)
    /// naming the value when one cannot be bound (a float that is not finite, a time outside
    /// what InfluxDB stores, a regex ending with a lone backslash).
    pub async fn fetch<Q: TypedQuery>(&self, query: Q) -> Result<Vec<Q::Row>> {
        self.query_as(query.to_query()).await
    }

    /// Runs a typed read and decodes its rows as they arrive (see
    /// [`query_stream`](Self::query_stream)).
    ///
    /// # Errors
    ///
    /// As [`fetch`](Self::fetch), for the request and its answer's head; then as the items of
    /// [`query_stream`](Self::query_stream).
    pub async fn fetch_stream<Q: TypedQuery>(&self, query: Q) -> Result<RowStream<Q::Row>> {
        self.query_stream(query.to_query()).await
    }

    /// Runs a typed delete.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidQuery`](crate::ErrorKind::InvalidQuery) for a delete with neither
    /// a filter nor a time bound that does not say [`everything`](Delete::everything), or a
    /// value that cannot be bound; as [`query`](Self::query) otherwise.
    pub async fn delete<M: Queryable + Measurement>(&self, delete: Delete<M>) -> Result<()> {
        let query = delete.check()?;
        self.query(query).await.map(drop)
    }
}
