//! The async `Client` and `Session<M>` against a real InfluxDB 1.6: every write is read back
//! from the server and compared.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use inflow::{Client, Consistency, EpochTime, ErrorKind, Point, Precision, RetryPolicy};
use inflow_tests::domain::{Reading, readings};
use inflow_tests::logs::Captured;
use inflow_tests::server::{self, ADMIN_PASSWORD, ADMIN_USER, Server};

fn samples(range: std::ops::Range<u32>) -> Vec<Reading> {
    range.map(Reading::sample).collect()
}

#[tokio::test]
async fn write_sends_one_point_that_reads_back_identical() {
    let db = server::server().database("write_one");
    let client = Client::new(&db.url()).unwrap();
    let reading = Reading::sample(0);
    client.write(&reading).await.unwrap();
    assert_eq!(readings(&db.rows(None, "temperature")), vec![reading]);
}

#[tokio::test]
async fn write_all_sends_many_points_in_one_request() {
    let server = Server::start(false);
    let server: &'static Server = Box::leak(Box::new(server));
    let db = server.database("write_all");
    let client = Client::new(&db.url()).unwrap();
    let before = server.write_requests();
    let batch = samples(0..50);
    client.write_all(&batch).await.unwrap();
    assert_eq!(server.write_requests() - before, 1);
    assert_eq!(readings(&db.rows(None, "temperature")), batch);

    // Nothing to write: no request at all.
    client.write_all(Vec::<Reading>::new()).await.unwrap();
    assert_eq!(server.write_requests() - before, 1);
}

#[tokio::test]
async fn session_buffers_until_commit_and_commits_in_one_request() {
    let server: &'static Server = Box::leak(Box::new(Server::start(false)));
    let db = server.database("commit");
    let client = Client::new(&db.url()).unwrap();
    let before = server.write_requests();

    let mut session = client.session::<Reading>();
    for reading in samples(0..3) {
        session.write(&reading).await.unwrap();
    }
    assert_eq!(session.len(), 3);
    assert!(
        db.rows(None, "temperature").is_empty(),
        "nothing is sent before commit"
    );
    assert_eq!(server.write_requests(), before);

    session.commit().await.unwrap();
    assert!(session.is_empty());
    assert_eq!(server.write_requests() - before, 1);
    assert_eq!(readings(&db.rows(None, "temperature")), samples(0..3));

    // An empty commit sends nothing.
    session.commit().await.unwrap();
    assert_eq!(server.write_requests() - before, 1);
}

#[tokio::test]
async fn autocommit_every_five_sends_on_the_fifth_write() {
    let db = server::server().database("autocommit");
    let client = Client::new(&db.url()).unwrap();
    let mut session = client.session::<Reading>().autocommit_every(5);
    for (i, reading) in samples(0..12).iter().enumerate() {
        session.write(reading).await.unwrap();
        let written = db.rows(None, "temperature").len();
        assert_eq!(written, (i + 1) / 5 * 5, "after write {}", i + 1);
        assert_eq!(session.len(), (i + 1) % 5);
    }
    session.commit().await.unwrap();
    assert_eq!(readings(&db.rows(None, "temperature")), samples(0..12));
}

#[tokio::test]
async fn a_failed_commit_keeps_every_point_and_a_later_commit_stores_them_once() {
    let server = server::server();
    let db = server.database("keep");
    // A database that does not exist yet: the commit fails with 404.
    let missing = format!("{}_later", db.name());
    let client = Client::new(&server.url(&missing)).unwrap();
    let mut session = client.session::<Reading>().autocommit_every(3);
    session.write(&Reading::sample(0)).await.unwrap();
    session.write(&Reading::sample(1)).await.unwrap();
    let err = session.write(&Reading::sample(2)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DatabaseNotFound);
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.message(), format!("database not found: \"{missing}\""));
    assert_eq!(session.len(), 3, "the autocommit failed; the points stay");
    let err = session.commit().await.unwrap_err();
    assert!(err.is_database_not_found());
    assert_eq!(session.len(), 3);

    server.post_query(None, &format!("CREATE DATABASE \"{missing}\""));
    session.commit().await.unwrap();
    assert!(session.is_empty());
    let later = server.post_query(Some(&missing), "SELECT * FROM temperature");
    let rows = later["results"][0]["series"][0]["values"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(rows, 3);
    server.post_query(None, &format!("DROP DATABASE \"{missing}\""));
}

#[tokio::test]
async fn an_invalid_point_is_refused_at_write_and_the_buffer_is_untouched() {
    let db = server::server().database("invalid");
    let client = Client::new(&db.url()).unwrap();
    let mut session = client.session::<Reading>();
    session.write(&Reading::sample(0)).await.unwrap();
    let bytes = session.buffered_bytes();
    let mut bad = Reading::sample(1);
    bad.value = f64::NAN;
    let err = session.write(&bad).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPoint);
    assert!(err.is_invalid_point());
    let encode = err.encode_error().expect("the encoder's error");
    assert_eq!(encode.key(), Some("value"));
    assert_eq!(
        err.to_string(),
        "cannot encode a point of measurement \"temperature\": the field value of \"value\" is \
         not a finite number (NaN and infinities cannot be stored) (value: \"NaN\")"
    );
    assert_eq!((session.len(), session.buffered_bytes()), (1, bytes));
    session.commit().await.unwrap();
    assert_eq!(
        readings(&db.rows(None, "temperature")),
        vec![Reading::sample(0)]
    );

    // A direct write of a bad point sends nothing.
    let err = client.write(&bad).await.unwrap_err();
    assert!(err.is_invalid_point());
    let err = client
        .write_all([Reading::sample(5), bad])
        .await
        .unwrap_err();
    assert!(err.is_invalid_point());
    assert_eq!(db.rows(None, "temperature").len(), 1);
}

#[tokio::test]
async fn discard_throws_the_buffer_away() {
    let db = server::server().database("discard");
    let client = Client::new(&db.url()).unwrap();
    let mut session = client.session::<Reading>();
    session.write(&Reading::sample(0)).await.unwrap();
    session.write(&Reading::sample(1)).await.unwrap();
    assert_eq!(session.discard(), 2);
    session.commit().await.unwrap();
    assert!(db.rows(None, "temperature").is_empty());
}

#[tokio::test]
async fn with_session_commits_when_the_scope_ends() {
    let db = server::server().database("scope");
    let client = Client::new(&db.url()).unwrap();
    let count = client
        .with_session(async |session: &mut inflow::Session<Reading>| {
            for reading in samples(0..4) {
                session.write(&reading).await?;
            }
            Ok(session.len())
        })
        .await
        .unwrap();
    assert_eq!(count, 4);
    assert_eq!(readings(&db.rows(None, "temperature")), samples(0..4));
}

#[tokio::test]
async fn a_failing_scope_still_commits_what_it_wrote_and_returns_its_error() {
    let db = server::server().database("scope_err");
    let client = Client::new(&db.url()).unwrap();
    let err = client
        .with_session(async |session: &mut inflow::Session<Reading>| {
            session.write(&Reading::sample(0)).await?;
            let mut bad = Reading::sample(1);
            bad.location = "trailing\\".to_owned();
            session.write(&bad).await
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPoint);
    assert_eq!(
        readings(&db.rows(None, "temperature")),
        vec![Reading::sample(0)]
    );
}

#[tokio::test]
async fn the_session_retention_policy_applies_to_every_write() {
    let db = server::server().database("rp");
    let _ = db.query(&format!(
        "CREATE RETENTION POLICY \"rp_four_weeks\" ON \"{}\" DURATION 4w REPLICATION 1",
        db.name()
    ));
    let client = Client::new(&db.url()).unwrap();
    let now = chrono::Utc::now();
    let recent: Vec<Reading> = samples(0..3)
        .into_iter()
        .enumerate()
        .map(|(i, mut reading)| {
            reading.time = now - chrono::Duration::seconds(i as i64 + 1);
            reading
        })
        .collect();
    client
        .session::<Reading>()
        .retention_policy("rp_four_weeks")
        .scope(async |session| {
            for reading in &recent {
                session.write(reading).await?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let mut expected = recent.clone();
    expected.sort_by_key(|r| r.time);
    assert_eq!(
        readings(&db.rows(Some("rp_four_weeks"), "temperature")),
        expected
    );
    assert!(db.rows(Some("autogen"), "temperature").is_empty());

    // The origin's per-call override on a direct write.
    let mut direct = Reading::sample(7);
    direct.time = now;
    client
        .with_retention_policy("rp_four_weeks")
        .write(&direct)
        .await
        .unwrap();
    assert_eq!(db.rows(Some("rp_four_weeks"), "temperature").len(), 4);
    assert!(db.rows(Some("autogen"), "temperature").is_empty());

    // A client-wide retention policy from the builder.
    let client = Client::builder(db.url())
        .retention_policy("rp_four_weeks")
        .build()
        .unwrap();
    let mut built = Reading::sample(8);
    built.time = now + chrono::Duration::seconds(1);
    client.write(&built).await.unwrap();
    assert_eq!(db.rows(Some("rp_four_weeks"), "temperature").len(), 5);
}

#[tokio::test]
async fn dynamic_points_through_a_session() {
    let db = server::server().database("dynamic");
    let client = Client::new(&db.url()).unwrap();
    let mut session = client.session::<Point>();
    session
        .write(
            &Point::new("temperature")
                .field("value", 23.1)
                .timestamp_secs(1_475_848_864),
        )
        .await
        .unwrap();
    session
        .write(
            &Point::new("temperature")
                .tag("location", "groningen")
                .field("lower_sensor", 20.9)
                .field("upper_sensor", 23.2)
                .timestamp_secs(1_475_849_823),
        )
        .await
        .unwrap();
    session.commit().await.unwrap();
    let rows = db.rows(None, "temperature");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["time"], 1_475_848_864_000_000_000_i64);
    assert_eq!(rows[0]["value"], 23.1);
    assert_eq!(rows[1]["location"], "groningen");
    assert_eq!(rows[1]["lower_sensor"], 20.9);
    assert_eq!(rows[1]["upper_sensor"], 23.2);
}

#[tokio::test]
async fn precision_truncates_and_untimed_points_are_stamped_by_the_client() {
    let db = server::server().database("precision");
    let client = Client::builder(db.url())
        .precision(Precision::Seconds)
        .build()
        .unwrap();
    assert_eq!(client.precision(), Precision::Seconds);
    client
        .write(
            &Point::new("p")
                .field("v", 1)
                .timestamp(EpochTime::nanos(1_475_848_864_999_999_999)),
        )
        .await
        .unwrap();
    let rows = db.rows(None, "p");
    assert_eq!(rows[0]["time"], 1_475_848_864_000_000_000_i64);

    // Without timestamps, points are stamped when written, not by the server: at ns
    // precision two points of one batch stay two rows.
    let client = Client::new(&db.url()).unwrap();
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mut session = client.session::<Point>();
    session
        .write(&Point::new("untimed").field("v", 1))
        .await
        .unwrap();
    session
        .write(&Point::new("untimed").field("v", 2))
        .await
        .unwrap();
    session.commit().await.unwrap();
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let rows = db.rows(None, "untimed");
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        let time = u128::try_from(row["time"].as_i64().unwrap()).unwrap();
        assert!((before..=after).contains(&time));
    }

    // At hour precision the stamp is a whole hour.
    let client = Client::builder(db.url())
        .precision(Precision::Hours)
        .build()
        .unwrap();
    client
        .write(&Point::new("hourly").field("v", 1))
        .await
        .unwrap();
    let time = db.rows(None, "hourly")[0]["time"].as_i64().unwrap();
    assert_eq!(time % 3_600_000_000_000, 0);
}

#[tokio::test]
async fn server_errors_map_to_kinds_with_the_message_verbatim() {
    let server = server::server();
    let db = server.database("errors");
    let client = Client::new(&db.url()).unwrap();

    // Unknown retention policy: InfluxDB 1.x answers 500.
    let err = client
        .with_retention_policy("nope")
        .write(&Reading::sample(0))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RetentionPolicyNotFound);
    assert_eq!(
        (err.status(), err.message()),
        (Some(500), "retention policy not found: nope")
    );

    // A parse error of line protocol encoded elsewhere.
    let err = client.write_line_protocol("m f= 1\n").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WriteFailed);
    assert_eq!(
        (err.status(), err.message()),
        (Some(400), "unable to parse 'm f= 1': missing field value")
    );
    assert_eq!(
        err.to_string(),
        "write failed (HTTP 400): unable to parse 'm f= 1': missing field value"
    );

    // Some lines parse, some do not: the good ones are written, dropped=0.
    let err = client
        .write_line_protocol("good f=1 1\nbad line\n")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PartialWrite);
    assert_eq!(err.dropped(), Some(0));
    assert!(
        err.message()
            .starts_with("partial write: unable to parse 'bad line'"),
        "{err}"
    );
    assert_eq!(db.rows(None, "good").len(), 1);

    // A field type conflict drops the point.
    client
        .write(&Point::new("typed").field("f", 1.5).timestamp_nanos(1))
        .await
        .unwrap();
    let err = client
        .write_all([
            Point::new("typed").field("f", "text").timestamp_nanos(2),
            Point::new("typed").field("f", 2.5).timestamp_nanos(3),
        ])
        .await
        .unwrap_err();
    assert!(err.is_partial_write());
    assert_eq!(err.dropped(), Some(1));
    assert_eq!(
        err.message(),
        "partial write: field type conflict: input field \"f\" on measurement \"typed\" is type string, already exists as type float dropped=1"
    );
    assert_eq!(db.rows(None, "typed").len(), 2);

    // Points beyond the retention policy's duration are dropped, the others written.
    let _ = db.query(&format!(
        "CREATE RETENTION POLICY \"short\" ON \"{}\" DURATION 1h REPLICATION 1",
        db.name()
    ));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let err = client
        .with_retention_policy("short")
        .write_all([
            Point::new("old").field("v", 1).timestamp_nanos(1),
            Point::new("old").field("v", 2).timestamp_nanos(now),
        ])
        .await
        .unwrap_err();
    assert!(err.is_partial_write());
    assert_eq!(
        (err.dropped(), err.message()),
        (
            Some(1),
            "partial write: points beyond retention policy dropped=1"
        )
    );
    assert_eq!(db.rows(Some("short"), "old").len(), 1);

    // Unknown database.
    let client = Client::new(&server.url("no_such_database")).unwrap();
    let err = client.write(&Reading::sample(0)).await.unwrap_err();
    assert!(err.is_database_not_found());
    assert_eq!(err.message(), "database not found: \"no_such_database\"");
}

#[tokio::test]
async fn authentication_errors_come_from_an_auth_enabled_server() {
    let server = server::auth_server();
    let db = server.database("auth");
    // The admin writes.
    let admin = Client::new(&db.url()).unwrap();
    admin.write(&Reading::sample(0)).await.unwrap();
    assert_eq!(db.rows(None, "temperature").len(), 1);

    // No credentials.
    let anonymous = Client::new(&format!("{}/{}", server.base_url(), db.name())).unwrap();
    let err = anonymous.write(&Reading::sample(1)).await.unwrap_err();
    assert!(err.is_unauthorized());
    assert_eq!(
        (err.status(), err.message()),
        (Some(401), "unable to parse authentication credentials")
    );

    // A wrong password.
    let wrong = Client::new(&server.url_as("admin", "not-the-password", db.name())).unwrap();
    let err = wrong.write(&Reading::sample(1)).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Unauthorized, "authorization failed")
    );

    // A user who may only read.
    let reader = format!("reader_{}", db.name());
    server.post_query(
        None,
        &format!("CREATE USER \"{reader}\" WITH PASSWORD 'read-only-pw'"),
    );
    server.post_query(
        None,
        &format!("GRANT READ ON \"{}\" TO \"{reader}\"", db.name()),
    );
    let read_only = Client::new(&server.url_as(&reader, "read-only-pw", db.name())).unwrap();
    let err = read_only.write(&Reading::sample(1)).await.unwrap_err();
    assert!(err.is_forbidden());
    assert_eq!(err.status(), Some(403));
    assert_eq!(
        err.message(),
        format!(
            "\"{reader}\" user is not authorized to write to database \"{}\"",
            db.name()
        )
    );

    // Credentials set on the builder replace those of the URL.
    let built = Client::builder(format!("{}/{}", server.base_url(), db.name()))
        .basic_auth(ADMIN_USER, ADMIN_PASSWORD)
        .build()
        .unwrap();
    built.write(&Reading::sample(2)).await.unwrap();
    assert_eq!(db.rows(None, "temperature").len(), 2);
    server.post_query(None, &format!("DROP USER \"{reader}\""));
}

#[tokio::test]
async fn timeouts_and_refused_connections_are_typed() {
    // A listener that accepts and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = Client::builder(format!("http://{address}/db"))
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = client.write(&Reading::sample(0)).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "timed out: no complete answer within 300ms"
    );
    // With retries, the error says how many attempts were made.
    let client = Client::builder(format!("http://{address}/db"))
        .timeout(Duration::from_millis(100))
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let err = client.write(&Reading::sample(0)).await.unwrap_err();
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::Timeout, 3));
    assert_eq!(
        err.to_string(),
        "timed out: no complete answer within 100ms (after 3 attempts)"
    );
    silent.abort();

    // Nobody listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::builder(format!("http://{closed}/db"))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = client.write(&Reading::sample(0)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(err.is_transient());
    assert!(
        err.message().contains("Connection refused") || err.message().contains("connect"),
        "{err}"
    );
}

#[tokio::test]
async fn dropping_a_session_with_points_discards_them_with_a_warning() {
    let db = server::server().database("dropped");
    let client = Client::new(&db.url()).unwrap();
    let captured = Captured::global();
    {
        let mut session = client.session::<Reading>();
        session.write(&Reading::sample(0)).await.unwrap();
        session.write(&Reading::sample(1)).await.unwrap();
    }
    let logs = captured.lines_with(db.name());
    assert!(logs.contains("WARN"), "{logs}");
    assert!(
        logs.contains("a session was dropped with 2 uncommitted points; they are discarded"),
        "{logs}"
    );
    assert!(db.rows(None, "temperature").is_empty());
}

#[tokio::test]
async fn each_request_has_a_span_and_no_secret_is_ever_shown() {
    let server = server::auth_server();
    let db = server.database("spans");
    let client = Client::new(&db.url()).unwrap();
    let captured = Captured::global();
    client.write_all(samples(0..2)).await.unwrap();
    let wrong = Client::new(&server.url_as("admin", "wrong-s3cret", db.name())).unwrap();
    let err = wrong.write(&Reading::sample(3)).await.unwrap_err();
    let logs = captured.lines_with(db.name());
    assert!(logs.contains("inflow.write"), "{logs}");
    assert!(logs.contains(&format!("database={}", db.name())), "{logs}");
    assert!(
        logs.contains("points=2") && logs.contains("status=204"),
        "{logs}"
    );
    assert!(
        logs.contains("status=401") && logs.contains("write failed"),
        "{logs}"
    );
    assert!(logs.contains("duration_ms"), "{logs}");
    // Every line captured from every test of this process, not only this test's.
    let shown = format!("{}{err}{err:?}{client:?}{wrong:?}", captured.text());
    for secret in [ADMIN_PASSWORD, "wrong-s3cret"] {
        assert!(!shown.contains(secret), "a secret leaked: {shown}");
    }
    assert!(format!("{client:?}").contains("<redacted>"));
}

#[tokio::test]
async fn bad_urls_and_options_are_configuration_errors() {
    for (url, message) in [
        (
            "localhost:8086/db",
            "unsupported URL scheme `localhost`: use http or https",
        ),
        (
            "ftp://localhost/db",
            "unsupported URL scheme `ftp`: use http or https",
        ),
        (
            "http://localhost:8086",
            "the URL names no database: put it in the path, as in http://localhost:8086/mydb",
        ),
        (
            "http://localhost:8086/db?precision=s",
            "the URL may not have a query (`?…`) or fragment (`#…`): set options on the builder",
        ),
    ] {
        let err = Client::new(url).unwrap_err();
        assert!(err.is_invalid_config());
        assert_eq!(err.message(), message);
    }
    let err = Client::builder("http://localhost/db")
        .timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration: the timeout is zero: no request could ever finish"
    );
    let err = Client::builder("http://localhost/db")
        .token("")
        .build()
        .unwrap_err();
    assert!(err.is_invalid_config());
}

#[tokio::test]
async fn every_consistency_level_is_accepted_by_the_server() {
    let db = server::server().database("consistency");
    for (i, consistency) in [
        Consistency::Any,
        Consistency::One,
        Consistency::Quorum,
        Consistency::All,
    ]
    .into_iter()
    .enumerate()
    {
        let client = Client::builder(db.url())
            .consistency(consistency)
            .build()
            .unwrap();
        client
            .write(&Reading::sample(u32::try_from(i).unwrap()))
            .await
            .unwrap();
    }
    assert_eq!(readings(&db.rows(None, "temperature")), samples(0..4));
}

#[tokio::test]
async fn ping_reports_the_server_version() {
    let client = Client::new(&format!("{}/any", server::server().base_url())).unwrap();
    let version = client.ping().await.unwrap();
    assert!(version.starts_with("1."), "{version}");
}
