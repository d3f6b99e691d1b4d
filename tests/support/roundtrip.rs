//! The round trip that tests of written types share: points written through a session, then
//! read back with `query_as` and `query_stream`.

use inflow::{Client, FromRow, Measurement, Query};

/// Writes `points` through one session and commits, then reads the points back for each of
/// `queries`, once with `query_as` and once with `query_stream` in chunks of `chunk_size`
/// rows. Returns each read, in the order its rows came, with a label naming it.
///
/// # Panics
///
/// When the write or a read fails.
pub async fn write_and_read_back<M>(
    client: &Client,
    points: &[M],
    queries: &[&str],
    chunk_size: usize,
) -> Vec<(String, Vec<M>)>
where
    M: Measurement + FromRow + Unpin,
{
    let mut session = client.session::<M>();
    session
        .write_all(points)
        .await
        .expect("the points are written");
    session.commit().await.expect("the points are committed");
    let mut reads = Vec::new();
    for &query in queries {
        let read: Vec<M> = client.query_as(query).await.expect("query_as reads");
        reads.push((format!("query_as of {query}"), read));
        let mut stream = client
            .query_stream::<M>(Query::new(query).chunk_size(chunk_size))
            .await
            .expect("query_stream starts");
        let mut streamed = Vec::new();
        while let Some(row) = stream.next().await {
            streamed.push(row.expect("query_stream reads"));
        }
        reads.push((format!("query_stream of {query}"), streamed));
    }
    reads
}

/// The blocking twin of [`write_and_read_back`]: the same writes and reads through
/// [`inflow::blocking::Client`], labelled the same way.
///
/// # Panics
///
/// When the write or a read fails.
pub fn write_and_read_back_blocking<M>(
    client: &inflow::blocking::Client,
    points: &[M],
    queries: &[&str],
    chunk_size: usize,
) -> Vec<(String, Vec<M>)>
where
    M: Measurement + FromRow + Unpin,
{
    let mut session = client.session::<M>();
    session.write_all(points).expect("the points are written");
    session.commit().expect("the points are committed");
    let mut reads = Vec::new();
    for &query in queries {
        let read: Vec<M> = client.query_as(query).expect("query_as reads");
        reads.push((format!("query_as of {query}"), read));
        let streamed = client
            .query_stream::<M>(Query::new(query).chunk_size(chunk_size))
            .expect("query_stream starts")
            .map(|row| row.expect("query_stream reads"))
            .collect();
        reads.push((format!("query_stream of {query}"), streamed));
    }
    reads
}
