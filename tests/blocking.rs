//! The blocking `Client` and `Session<M>` against a real InfluxDB 1.6: the same behaviours as
//! the async ones, each read back from the server.

use std::time::Duration;

use inflow::blocking::{Client, Session};
use inflow::{Consistency, ErrorKind, Point, Precision, RetryPolicy};
use inflow_tests::domain::{Reading, readings};
use inflow_tests::logs::Captured;
use inflow_tests::server::{self, ADMIN_PASSWORD, Server};

fn samples(range: std::ops::Range<u32>) -> Vec<Reading> {
    range.map(Reading::sample).collect()
}

#[test]
fn write_and_write_all_read_back_identical_in_one_request_each() {
    let server: &'static Server = Box::leak(Box::new(Server::start(false)));
    let db = server.database("b_write");
    let client = Client::new(&db.url()).unwrap();
    let before = server.write_requests();
    client.write(&Reading::sample(0)).unwrap();
    client.write_all(samples(1..40)).unwrap();
    client.write_all(Vec::<Reading>::new()).unwrap();
    assert_eq!(server.write_requests() - before, 2);
    assert_eq!(readings(&db.rows(None, "temperature")), samples(0..40));
}

#[test]
fn session_commit_autocommit_and_discard() {
    let db = server::server().database("b_session");
    let client = Client::new(&db.url()).unwrap();
    let mut session = client.session::<Reading>().autocommit_every(5);
    for (i, reading) in samples(0..7).iter().enumerate() {
        session.write(reading).unwrap();
        assert_eq!(db.rows(None, "temperature").len(), (i + 1) / 5 * 5);
    }
    assert_eq!(session.len(), 2);
    session.commit().unwrap();
    assert!(session.is_empty());
    session.write(&Reading::sample(20)).unwrap();
    assert_eq!(session.discard(), 1);
    session.commit().unwrap();
    assert_eq!(readings(&db.rows(None, "temperature")), samples(0..7));
}

#[test]
fn a_failed_commit_keeps_the_points_for_the_next_one() {
    let server = server::server();
    let db = server.database("b_keep");
    let missing = format!("{}_later", db.name());
    let client = Client::new(&server.url(&missing)).unwrap();
    let mut session = client.session::<Reading>();
    session.write(&Reading::sample(0)).unwrap();
    session.write(&Reading::sample(1)).unwrap();
    let err = session.commit().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DatabaseNotFound);
    assert_eq!(session.len(), 2);
    let _ = server.post_query(None, &format!("CREATE DATABASE \"{missing}\""));
    session.commit().unwrap();
    let answer = server.post_query(Some(&missing), "SELECT count(value) FROM temperature");
    assert_eq!(answer["results"][0]["series"][0]["values"][0][1], 2);
    let _ = server.post_query(None, &format!("DROP DATABASE \"{missing}\""));
}

#[test]
fn invalid_points_are_refused_before_anything_is_buffered_or_sent() {
    let db = server::server().database("b_invalid");
    let client = Client::new(&db.url()).unwrap();
    let mut session = client.session::<Reading>();
    session.write(&Reading::sample(0)).unwrap();
    let mut bad = Reading::sample(1);
    bad.location = "line\nfeed".to_owned();
    let err = session.write(&bad).unwrap_err();
    assert!(err.is_invalid_point());
    assert_eq!(session.len(), 1);
    assert!(client.write(&bad).unwrap_err().is_invalid_point());
    session.commit().unwrap();
    assert_eq!(
        readings(&db.rows(None, "temperature")),
        vec![Reading::sample(0)]
    );
}

#[test]
fn with_session_and_scope_commit_at_the_end_with_the_session_retention_policy() {
    let db = server::server().database("b_scope");
    let _ = db.query(&format!(
        "CREATE RETENTION POLICY \"rp_four_weeks\" ON \"{}\" DURATION 4w REPLICATION 1",
        db.name()
    ));
    let client = Client::new(&db.url()).unwrap();
    let written = client
        .with_session(|session: &mut Session<Reading>| {
            for reading in samples(0..3) {
                session.write(&reading)?;
            }
            Ok(session.len())
        })
        .unwrap();
    assert_eq!(written, 3);
    assert_eq!(readings(&db.rows(None, "temperature")), samples(0..3));

    let now = chrono::Utc::now();
    let mut recent = Reading::sample(9);
    recent.time = now;
    client
        .session::<Reading>()
        .retention_policy("rp_four_weeks")
        .scope(|session| session.write(&recent))
        .unwrap();
    assert_eq!(
        readings(&db.rows(Some("rp_four_weeks"), "temperature")),
        vec![recent.clone()]
    );
    let mut direct = recent;
    direct.time = now - chrono::Duration::seconds(1);
    client
        .with_retention_policy("rp_four_weeks")
        .write(&direct)
        .unwrap();
    assert_eq!(db.rows(Some("rp_four_weeks"), "temperature").len(), 2);
    assert_eq!(db.rows(Some("autogen"), "temperature").len(), 3);
}

#[test]
fn consistency_and_ping() {
    let db = server::server().database("b_consistency");
    let client = Client::builder(db.url())
        .consistency(Consistency::Quorum)
        .build()
        .unwrap();
    assert!(client.ping().unwrap().starts_with("1."));
    client.write(&Reading::sample(0)).unwrap();
    assert_eq!(
        readings(&db.rows(None, "temperature")),
        vec![Reading::sample(0)]
    );
}

#[test]
fn dynamic_points_precision_and_stamping() {
    let db = server::server().database("b_points");
    let client = Client::builder(db.url())
        .precision(Precision::Seconds)
        .build()
        .unwrap();
    let mut session = client.session::<Point>();
    session
        .write(
            &Point::new("temperature")
                .field("value", 23.1)
                .timestamp_secs(1_475_848_864),
        )
        .unwrap();
    session
        .write(&Point::new("temperature").field("value", 25.5))
        .unwrap();
    session.commit().unwrap();
    let rows = db.rows(None, "temperature");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["time"], 1_475_848_864_000_000_000_i64);
    assert_eq!(rows[1]["time"].as_i64().unwrap() % 1_000_000_000, 0);
}

#[test]
fn server_and_transport_errors_are_typed() {
    let server = server::server();
    let db = server.database("b_errors");
    let client = Client::new(&db.url()).unwrap();
    let err = client
        .with_retention_policy("nope")
        .write(&Reading::sample(0))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RetentionPolicyNotFound);
    let err = client.write_line_protocol("m f= 1\n").unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (
            ErrorKind::WriteFailed,
            "unable to parse 'm f= 1': missing field value"
        )
    );
    let err = Client::new(&server.url("b_nowhere"))
        .unwrap()
        .write(&Reading::sample(0))
        .unwrap_err();
    assert!(err.is_database_not_found());

    let auth = server::auth_server();
    let adb = auth.database("b_auth");
    let err = Client::new(&format!("{}/{}", auth.base_url(), adb.name()))
        .unwrap()
        .write(&Reading::sample(0))
        .unwrap_err();
    assert!(err.is_unauthorized());
    Client::new(&adb.url())
        .unwrap()
        .write(&Reading::sample(0))
        .unwrap();
    assert_eq!(adb.rows(None, "temperature").len(), 1);

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::builder(format!("http://{closed}/db"))
        .timeout(Duration::from_secs(2))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    assert_eq!(
        client.write(&Reading::sample(0)).unwrap_err().kind(),
        ErrorKind::Transport
    );
}

#[test]
fn one_client_serves_many_threads() {
    let db = server::server().database("b_threads");
    let client = Client::new(&db.url()).unwrap();
    std::thread::scope(|scope| {
        for thread in 0..8_u32 {
            let client = client.clone();
            scope.spawn(move || {
                let mut session = client.session::<Reading>().autocommit_every(50);
                for i in 0..200 {
                    session.write(&Reading::sample(thread * 1000 + i)).unwrap();
                }
                session.commit().unwrap();
            });
        }
    });
    assert_eq!(db.count("temperature", "value"), 1600);
}

#[test]
fn dropping_a_session_warns_and_debug_shows_no_secret() {
    let auth = server::auth_server();
    let db = auth.database("b_dropped");
    let client = Client::new(&db.url()).unwrap();
    let captured = Captured::global();
    {
        let mut session = client.session::<Reading>();
        session.write(&Reading::sample(0)).unwrap();
        assert!(!format!("{session:?}").contains(ADMIN_PASSWORD));
    }
    let logs = captured.lines_with(db.name());
    assert!(
        logs.contains("a session was dropped with 1 uncommitted points; they are discarded"),
        "{logs}"
    );
    assert!(!format!("{client:?}{}", captured.text()).contains(ADMIN_PASSWORD));
    assert!(db.rows(None, "temperature").is_empty());
}

#[test]
#[should_panic(expected = "Cannot start a runtime from within a runtime")]
fn calling_the_blocking_client_inside_an_async_runtime_panics_as_documented() {
    let client = Client::new(&format!("{}/any", server::server().base_url())).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let _ = client.ping();
    });
}

#[test]
fn partial_writes_type_conflicts_forbidden_users_and_timeouts() {
    let db = server::server().database("b_partial");
    let client = Client::new(&db.url()).unwrap();
    client
        .write(&Point::new("typed").field("f", 1.5).timestamp_nanos(1))
        .unwrap();
    let err = client
        .write_all([
            Point::new("typed").field("f", "text").timestamp_nanos(2),
            Point::new("typed").field("f", 2.5).timestamp_nanos(3),
        ])
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.dropped()),
        (ErrorKind::PartialWrite, Some(1))
    );
    assert!(
        err.message()
            .starts_with("partial write: field type conflict"),
        "{err}"
    );
    assert_eq!(db.rows(None, "typed").len(), 2);

    let auth = server::auth_server();
    let adb = auth.database("b_forbidden");
    let reader = format!("reader_{}", adb.name());
    let _ = auth.post_query(
        None,
        &format!("CREATE USER \"{reader}\" WITH PASSWORD 'ro-pw'"),
    );
    let _ = auth.post_query(
        None,
        &format!("GRANT READ ON \"{}\" TO \"{reader}\"", adb.name()),
    );
    let err = Client::new(&auth.url_as(&reader, "ro-pw", adb.name()))
        .unwrap()
        .write(&Reading::sample(0))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.status()),
        (ErrorKind::Forbidden, Some(403))
    );
    let _ = auth.post_query(None, &format!("DROP USER \"{reader}\""));

    // A server that accepts the connection and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(5));
        drop(held);
    });
    let client = Client::builder(format!("http://{address}/db"))
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = client.write(&Reading::sample(0)).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}
