//! Reads return every row or fail: a server's `max-row-limit` cuts no read, an answer that ends
//! while its last chunk says more follows fails as truncated, and an answer that trickles in
//! times out chunk by chunk.

use std::sync::OnceLock;
use std::time::Duration;

use futures_util::StreamExt as _;
use inflow::{Client, EpochTime, ErrorKind, Measurement, Query};
use inflow_tests::domain::Reading;
use inflow_tests::proxy::{Fault, FaultProxy};
use inflow_tests::server::{self, Database, Server};

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

/// A database holding `written`, and a client of it through a fault proxy.
async fn behind_a_proxy<M: Measurement>(
    label: &str,
    written: &[M],
    timeout: Duration,
) -> (Database, FaultProxy, Client) {
    let server = server::server();
    let db = server.database(label);
    Client::new(&db.url())
        .unwrap()
        .write_all(written)
        .await
        .unwrap();
    let proxy = FaultProxy::start(server.base_url());
    let client = Client::builder(format!("{}/{}", proxy.base_url(), db.name()))
        .timeout(timeout)
        .build()
        .unwrap();
    (db, proxy, client)
}

/// `rows` readings.
fn readings(rows: u32) -> Vec<Reading> {
    (0..rows).map(Reading::sample).collect()
}

const ALL_ROWS: &str = "SELECT * FROM temperature";

/// The server's own chunked answer to `query`, uncompressed: one JSON document per line.
async fn chunked_answer(db: &Database, query: &str, chunk_size: usize) -> Vec<String> {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/query", db.server().base_url()),
        [
            ("db", db.name()),
            ("q", query),
            ("chunked", "true"),
            ("chunk_size", &chunk_size.to_string()),
        ],
    )
    .unwrap();
    let http = reqwest::Client::builder().no_gzip().build().unwrap();
    let body = http.get(url).send().await.unwrap().text().await.unwrap();
    body.lines().map(str::to_owned).collect()
}

/// The fault: the server's answer `lines`, ended cleanly after the first `kept`.
fn cut(lines: &[String], kept: usize) -> Fault {
    let body: String = lines[..kept]
        .iter()
        .map(|line| format!("{line}\n"))
        .collect();
    Fault::answer(200, &[("Content-Type", "application/json")], &body)
}

// The client asks for gzip-compressed answers, so the proxy's `Fault::CutAnswerAfterLines`
// would cut compressed bytes; the proxy sends the server's own answer, cut, instead.
#[tokio::test]
async fn an_answer_that_ends_while_more_was_announced_is_truncated() {
    let (db, proxy, client) = behind_a_proxy("cut", &readings(25), Duration::from_secs(30)).await;
    let in_sevens = || Query::new(ALL_ROWS).chunk_size(7);
    let lines = chunked_answer(&db, ALL_ROWS, 7).await;
    assert_eq!(lines.len(), 4, "chunks of 7, 7, 7 and 4 rows");
    assert!(lines[1].contains("\"partial\":true"), "{}", lines[1]);

    // The first two chunks arrive, and say that more follow.
    proxy.inject(cut(&lines, 2), 1);
    let items: Vec<inflow::Result<Reading>> = client
        .query_stream(in_sevens())
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 15, "14 rows, then the error, then the end");
    assert!(items[..14].iter().all(Result::is_ok));
    let err = items[14].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Truncated, "{err}");
    let err = client.query(in_sevens()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Truncated, "{err}");
    let err = client.query_as::<Reading>(in_sevens()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Truncated, "{err}");

    // Nothing arrives: no statement got its result.
    proxy.inject(cut(&lines, 0), 1);
    let err = client.query_as::<Reading>(in_sevens()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Truncated, "{err}");

    // Every chunk arrives: the answer is whole.
    proxy.inject(cut(&lines, 4), 1);
    let read = client.query_as::<Reading>(in_sevens()).await.unwrap();
    assert_eq!(read, (0..25).map(Reading::sample).collect::<Vec<_>>());
    assert_eq!(proxy.fault_counts().get("Answer"), Some(&5));
}

/// A reading of random text, which gzip hardly shrinks.
#[derive(Debug, Measurement)]
#[inflow(measurement = "noise")]
struct Noise {
    text: String,
    #[inflow(timestamp)]
    time: EpochTime,
}

fn noise(rows: u64) -> Vec<Noise> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ALPHABET[usize::try_from(state % 64).unwrap()] as char
    };
    (0..rows)
        .map(|i| Noise {
            text: (0..300).map(|_| next()).collect(),
            time: EpochTime::seconds(i64::try_from(i).unwrap()),
        })
        .collect()
}

#[tokio::test]
async fn an_answer_that_trickles_in_times_out_chunk_by_chunk() {
    let written = noise(100);
    let (_db, proxy, client) = behind_a_proxy("trickle", &written, Duration::from_secs(3)).await;
    // Chunks of 50 rows, some 15 kB (over 10 kB compressed), a byte a millisecond or more:
    // each takes over ten seconds to arrive, while every byte comes far within the timeout,
    // and so does the head of the answer (some 250 bytes).
    let query = || Query::new("SELECT * FROM noise").chunk_size(50);
    proxy.inject(Fault::Trickle(Duration::from_millis(1)), 1);
    let mut rows = client
        .query_stream::<Noise>(query())
        .await
        .expect("the head of the answer arrives in time");
    let err = rows.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        rows.next().await.is_none(),
        "the stream ends after the error"
    );

    let err = client.query_as::<Noise>(query()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(proxy.fault_counts().get("Trickle"), Some(&2));

    // Without the fault, the same reads succeed.
    proxy.inject(Fault::Pass, 1);
    let read = client.query_as::<Noise>(query()).await.unwrap();
    assert_eq!(read.len(), written.len());
    assert!(
        read.iter()
            .zip(&written)
            .all(|(read, written)| read.text == written.text)
    );
}
