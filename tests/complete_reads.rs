//! Reads return every row or fail: a server's `max-row-limit` cuts no read, an answer that ends
//! while its last chunk says more follows fails as truncated, and an answer that trickles in
//! times out chunk by chunk.

use std::sync::OnceLock;

use futures_util::StreamExt as _;
use inflow::{Client, ErrorKind, Query};
use inflow_tests::domain::Reading;
use inflow_tests::server::Server;

/// A server that cuts every answer sent in one piece at 10 rows.
fn limited_server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start_configured(false, "max-row-limit = 10"))
}

#[tokio::test]
async fn a_max_row_limit_cuts_no_read() {
    let db = limited_server().database("limited");
    let client = Client::new(&db.url()).unwrap();
    let written: Vec<Reading> = (0..25).map(Reading::sample).collect();
    client.write_all(&written).await.unwrap();
    assert_eq!(
        db.rows(None, "temperature").len(),
        10,
        "the server cuts an answer in one piece"
    );
    let query = || Query::new("SELECT * FROM temperature");

    let read: Vec<Reading> = client.query_as(query()).await.unwrap();
    assert_eq!(read, written);
    let results = client.query(query()).await.unwrap();
    assert_eq!(results[0].series()[0].len(), written.len());
    let streamed: Vec<Reading> = client
        .query_stream(query().chunk_size(7))
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(streamed, written);
    // Not every error is a cut.
    let err = client
        .query_as::<Reading>(query().database("limited_nowhere"))
        .await
        .unwrap_err();
    assert_ne!(err.kind(), ErrorKind::Truncated);
}
