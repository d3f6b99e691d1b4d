//! Bounded buffers, batches cut to the body size, 413, partial writes in sessions, gzip and
//! concurrency, against the real server.

use std::time::Duration;

use inflow::{Client, EpochTime, ErrorKind, Measurement, Point, RetryPolicy};
use inflow_tests::server::{self, Server};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "bulk")]
struct Bulk {
    #[inflow(tag)]
    writer: String,
    value: i64,
    text: String,
    #[inflow(timestamp)]
    at: EpochTime,
}

fn bulk(writer: &str, n: i64) -> Bulk {
    Bulk {
        writer: writer.to_owned(),
        value: n,
        // A raw line feed in a string value: cuts must follow the server's line splitter.
        text: format!("line {n}\nstill the same point"),
        at: EpochTime::nanos(1_475_848_864_000_000_000 + n),
    }
}

fn count_and_sum(db: &server::Database) -> (i64, i64) {
    let answer = db.query("SELECT count(value), sum(value) FROM bulk");
    let row = &answer["results"][0]["series"][0]["values"][0];
    (row[1].as_i64().unwrap_or(0), row[2].as_i64().unwrap_or(0))
}

#[tokio::test]
async fn a_full_buffer_refuses_the_write_and_keeps_what_it_has() {
    let db = server::server().database("full");
    let client = Client::new(&db.url()).unwrap();
    let mut session = client.session::<Bulk>().max_buffered_points(3);
    for n in 0..3 {
        session.write(&bulk("w", n)).await.unwrap();
    }
    let err = session.write(&bulk("w", 3)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BufferFull);
    assert_eq!(
        err.to_string(),
        "buffer full: the session's buffer is full: it holds 3 points, its limit; commit them before writing more (this point was not buffered)"
    );
    assert_eq!(session.len(), 3);

    let mut by_bytes = client.session::<Bulk>().max_buffered_bytes(120);
    by_bytes.write(&bulk("w", 10)).await.unwrap();
    let bytes = by_bytes.buffered_bytes();
    let err = by_bytes.write(&bulk("w", 11)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BufferFull);
    assert_eq!((by_bytes.len(), by_bytes.buffered_bytes()), (1, bytes));

    session.commit().await.unwrap();
    by_bytes.commit().await.unwrap();
    session.write(&bulk("w", 3)).await.unwrap();
    session.commit().await.unwrap();
    assert_eq!(count_and_sum(&db), (5, 3 + 3 + 10));
}

#[tokio::test]
async fn a_batch_larger_than_the_body_size_goes_in_several_requests() {
    let server: &'static Server = Box::leak(Box::new(Server::start(false)));
    let db = server.database("split");
    let client = Client::builder(db.url())
        .max_body_size(8_000)
        .build()
        .unwrap();
    let mut session = client.session::<Bulk>();
    for n in 0..1_000 {
        session.write(&bulk("w", n)).await.unwrap();
    }
    let bytes = session.buffered_bytes();
    let before = server.write_requests();
    session.commit().await.unwrap();
    let requests = server.write_requests() - before;
    assert!(
        requests >= u64::try_from(bytes / 8_000).unwrap(),
        "{requests} requests for {bytes} bytes"
    );
    assert_eq!(count_and_sum(&db), (1_000, 999 * 1_000 / 2));
}

#[tokio::test]
async fn a_413_halves_the_batch_until_it_fits() {
    let server: &'static Server = Box::leak(Box::new(Server::start_configured(
        false,
        "max-body-size = 20000",
    )));
    let db = server.database("halves");
    let client = Client::new(&db.url()).unwrap();
    let points: Vec<Bulk> = (0..2_000).map(|n| bulk("w", n)).collect();
    client.write_all(&points).await.unwrap();
    assert_eq!(count_and_sum(&db), (2_000, 1_999 * 2_000 / 2));
    // A single point over the server's limit cannot be halved: the 413 comes back.
    let huge = Point::new("bulk")
        .field("value", 1)
        .field("text", "x".repeat(30_000))
        .timestamp_nanos(1);
    let err = client.write(&huge).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.status()),
        (ErrorKind::WriteFailed, Some(413))
    );
}

#[tokio::test]
async fn a_partial_write_in_a_commit_reports_the_server_and_is_not_retried() {
    let db = server::server().database("partial");
    let client = Client::new(&db.url()).unwrap();
    client
        .write(&Point::new("bulk").field("value", 1.5).timestamp_nanos(1))
        .await
        .unwrap();
    let mut session = client.session::<Point>();
    session
        .write(&Point::new("bulk").field("value", "text").timestamp_nanos(2))
        .await
        .unwrap();
    session
        .write(&Point::new("bulk").field("value", 2.5).timestamp_nanos(3))
        .await
        .unwrap();
    let err = session.commit().await.unwrap_err();
    assert_eq!(
        (err.kind(), err.dropped(), err.attempts()),
        (ErrorKind::PartialWrite, Some(1), 1)
    );
    assert!(err.message().contains("field type conflict"), "{err}");
    assert!(
        session.is_empty(),
        "what the server stored is not sent again"
    );
    let answer = db.query("SELECT count(value) FROM bulk");
    assert_eq!(answer["results"][0]["series"][0]["values"][0][1], 2);
}

#[tokio::test]
async fn gzip_bodies_are_stored_like_plain_ones() {
    let db = server::server().database("gzip");
    let client = Client::builder(db.url()).gzip(1_000).build().unwrap();
    let points: Vec<Bulk> = (0..500).map(|n| bulk("g", n)).collect();
    client.write_all(&points).await.unwrap(); // compressed
    client.write(&bulk("g", 500)).await.unwrap(); // under the threshold: plain
    assert_eq!(count_and_sum(&db), (501, 500 * 501 / 2));
    let read: Vec<Bulk> = client.query_as("SELECT * FROM bulk").await.unwrap();
    assert_eq!(read[..500], points[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_client_shared_by_32_tasks_and_8_threads() {
    let db = server::server().database("concurrent");
    let client = Client::builder(db.url())
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(20)))
        .build()
        .unwrap();
    let per_task: i64 = 5_000;
    let mut tasks = Vec::new();
    for task in 0..32_i64 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut session = client.session::<Bulk>().autocommit_every(1_000);
            for i in 0..per_task {
                session
                    .write(&bulk(&format!("task{task}"), task * per_task + i))
                    .await
                    .unwrap();
            }
            session.commit().await.unwrap();
        }));
    }
    let blocking = inflow::blocking::Client::builder(db.url()).build().unwrap();
    let threads = tokio::task::spawn_blocking(move || {
        std::thread::scope(|scope| {
            for thread in 0..8_i64 {
                let client = blocking.clone();
                scope.spawn(move || {
                    let mut session = client.session::<Bulk>().autocommit_every(1_000);
                    for i in 0..per_task {
                        let n = (32 + thread) * per_task + i;
                        session.write(&bulk(&format!("thread{thread}"), n)).unwrap();
                    }
                    session.commit().unwrap();
                });
            }
        });
    });
    for task in tasks {
        task.await.unwrap();
    }
    threads.await.unwrap();
    let total = 40 * per_task;
    assert_eq!(total, 200_000);
    assert_eq!(count_and_sum(&db), (total, (total - 1) * total / 2));
}

#[tokio::test]
async fn https_with_a_self_signed_certificate_trusted_through_the_builder() {
    let server = server::server();
    let db = server.database("tls");
    let front = inflow_tests::tls::TlsFront::start(server.base_url());
    let url = format!("{}/{}", front.base_url(), db.name());
    let client = Client::builder(&url)
        .add_root_certificate_pem(front.certificate_pem().as_bytes())
        .build()
        .unwrap();
    client.write(&bulk("tls", 1)).await.unwrap();
    let read: Vec<Bulk> = client.query_as("SELECT * FROM bulk").await.unwrap();
    assert_eq!(read, vec![bulk("tls", 1)]);

    // Without trusting it: a TLS error, final, not retried.
    let untrusting = Client::new(&url).unwrap();
    let err = untrusting.write(&bulk("tls", 2)).await.unwrap_err();
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::Tls, 1), "{err}");
    assert!(!err.is_transient());
    let err = Client::builder(&url)
        .add_root_certificate_pem(b"not a certificate")
        .build()
        .unwrap_err();
    assert!(err.is_invalid_config());
}

#[tokio::test]
async fn credentials_travel_only_in_headers_and_never_show() {
    let server = server::auth_server();
    let db = server.database("secrets");
    let proxy = inflow_tests::proxy::FaultProxy::start(server.base_url());
    let url = format!(
        "{}/{}",
        proxy.base_url().replace(
            "http://",
            &format!("http://{}:{}@", server::ADMIN_USER, server::ADMIN_PASSWORD)
        ),
        db.name()
    );
    let captured = inflow_tests::logs::Captured::global();
    let client = Client::new(&url).unwrap();
    client.write(&bulk("s", 1)).await.unwrap();
    let head = proxy.last_request_head();
    let request_line = head.lines().next().unwrap();
    assert!(
        request_line.starts_with("POST /write?db="),
        "{request_line}"
    );
    assert!(
        !request_line.contains("u=")
            && !request_line.contains("p=")
            && !request_line.contains(server::ADMIN_PASSWORD)
    );
    assert!(
        head.to_ascii_lowercase().contains("authorization: basic "),
        "{head}"
    );

    // Failing requests: a wrong password, and a token the 1.x server does not understand.
    let wrong = Client::new(&url.replace(server::ADMIN_PASSWORD, "wr0ng-pa55")).unwrap();
    let wrong_err = wrong.write(&bulk("s", 2)).await.unwrap_err();
    let token = Client::builder(format!("{}/{}", proxy.base_url(), db.name()))
        .token("t0ken-s3cret")
        .build()
        .unwrap();
    let token_err = token.write(&bulk("s", 3)).await.unwrap_err();
    assert!(wrong_err.is_unauthorized() && token_err.is_unauthorized());
    assert!(
        proxy.last_request_head().contains("Token t0ken-s3cret")
            || proxy
                .last_request_head()
                .to_ascii_lowercase()
                .contains("authorization: token")
    );
    let shown = format!(
        "{}{wrong_err}{wrong_err:?}{token_err}{token_err:?}{client:?}{wrong:?}{token:?}",
        captured.text()
    );
    for secret in [server::ADMIN_PASSWORD, "wr0ng-pa55", "t0ken-s3cret"] {
        assert!(!shown.contains(secret), "{secret} leaked");
    }
}

#[tokio::test]
async fn only_a_client_that_asked_for_gzip_accepts_compressed_answers() {
    let db = server::server().database("gzip_accept");
    let proxy = inflow_tests::proxy::FaultProxy::start(server::server().base_url());
    let url = db
        .url()
        .replace(server::server().base_url(), &proxy.base_url());
    for (client, asks) in [
        (Client::new(&url).unwrap(), false),
        (Client::builder(&url).gzip(1_000).build().unwrap(), true),
    ] {
        client.ping().await.unwrap();
        let head = proxy.last_request_head().to_ascii_lowercase();
        assert_eq!(
            head.lines()
                .any(|line| line.starts_with("accept-encoding:") && line.contains("gzip")),
            asks,
            "{head}"
        );
    }
}
