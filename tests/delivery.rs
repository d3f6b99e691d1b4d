//! Every point of a write ends stored, refused by the server and reported, or held: the
//! findings of the delivery review, each against the real server (through the fault proxy
//! where a fault is needed), and `Session::write_all`, async and blocking.

use std::sync::OnceLock;

use inflow::{Client, ErrorKind, Point, RetryPolicy};
use inflow_tests::proxy::{Fault, FaultProxy};
use inflow_tests::server::{self, Database, Server};

/// A server that refuses bodies over 20,000 bytes with 413.
fn small_server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start_configured(false, "max-body-size = 20000"))
}

/// A point of about 200 bytes with a float `value`.
fn wide(n: i64) -> Point {
    Point::new("wide")
        .tag("pad", "p".repeat(150))
        .field("value", n as f64)
        .timestamp_nanos(1_000 + n)
}

/// The same series and field as `wide`, but a string: the server refuses it (type conflict).
fn conflicting(n: i64) -> Point {
    Point::new("wide")
        .tag("pad", "p".repeat(150))
        .field("value", "text")
        .timestamp_nanos(1_000 + n)
}

/// A fault proxy in front of the shared server, and the URL of `db` through it.
fn behind_proxy(db: &Database) -> (FaultProxy, String) {
    let proxy = FaultProxy::start(server::server().base_url());
    let url = db
        .url()
        .replace(server::server().base_url(), &proxy.base_url());
    (proxy, url)
}

/// The line protocol of `points`, as the client writes it.
fn lines_of(points: &[Point]) -> String {
    points
        .iter()
        .map(|point| inflow::line_protocol::to_line(point, inflow::Precision::Nanoseconds).unwrap())
        .collect()
}

async fn establish_float(client: &Client) {
    client
        .write(
            &Point::new("wide")
                .tag("pad", "p".repeat(150))
                .field("value", -1.0)
                .timestamp_nanos(1),
        )
        .await
        .unwrap();
}

// Finding 1: a 413 split whose first half came back as a partial write lost the second half.
#[tokio::test]
async fn after_a_partial_write_of_a_413_half_the_other_half_is_stored() {
    let db = small_server().database("split_partial");
    let client = Client::new(&db.url()).unwrap();
    client.create_database().await.unwrap();
    establish_float(&client).await;
    let mut session = client.session::<Point>();
    session.write(&conflicting(0)).await.unwrap();
    for n in 1..150 {
        session.write(&wide(n)).await.unwrap();
    }
    assert!(
        session.buffered_bytes() > 20_000,
        "the body must draw a 413"
    );
    let err = session.commit().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PartialWrite, "{err}");
    let report = err.commit_report().unwrap();
    assert_eq!(
        (report.stored(), report.refused(), report.held()),
        (149, 1, 0)
    );
    assert!(
        report.reasons()[0].contains("field type conflict"),
        "{report:?}"
    );
    assert!(session.is_empty());
    // The setup point and the 149 good ones.
    assert_eq!(db.count("wide", "value"), 150);
}

// Finding 2: a partial write followed by the failure of a later request went unreported.
#[tokio::test]
async fn a_partial_write_is_reported_even_when_a_later_request_fails() {
    let db = server::server().database("partial_then_reset");
    let (proxy, url) = behind_proxy(&db);
    let direct = Client::new(&db.url()).unwrap();
    direct.create_database().await.unwrap();
    establish_float(&direct).await;
    let client = Client::builder(url)
        .retry(RetryPolicy::never())
        .max_body_size(2_000)
        .build()
        .unwrap();
    let mut session = client.session::<Point>();
    session.write(&conflicting(0)).await.unwrap();
    for n in 1..20 {
        session.write(&wide(n)).await.unwrap();
    }
    // The body goes in two requests; the second one is reset.
    proxy.inject(Fault::ResetMidRequest, 2);
    let err = session.commit().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    let report = err.commit_report().unwrap();
    assert_eq!(report.refused(), 1, "{report:?}");
    assert!(
        report.reasons()[0].contains("field type conflict"),
        "{report:?}"
    );
    assert_eq!(report.stored() + report.refused() + report.held(), 20);
    assert_eq!(session.len(), report.held());
    assert!(report.held() > 0);
    assert!(err.to_string().contains("field type conflict"), "{err}");
    proxy.inject(Fault::Pass, 1);
    session.commit().await.unwrap();
    assert_eq!(
        db.count("wide", "value"),
        20,
        "the setup point and 19 good ones"
    );
}

// Finding 5: one point the server can never accept wedged the session.
#[tokio::test]
async fn a_point_too_large_for_the_server_is_handed_back_and_the_rest_stored() {
    let db = small_server().database("wedge");
    let client = Client::new(&db.url()).unwrap();
    client.create_database().await.unwrap();
    let mut session = client.session::<Point>();
    for n in 0..50 {
        session.write(&wide(n)).await.unwrap();
    }
    let huge = Point::new("wide")
        .field("value", 0.5)
        .field("text", "x".repeat(30_000))
        .timestamp_nanos(7);
    session.write(&huge).await.unwrap();
    for n in 50..100 {
        session.write(&wide(n)).await.unwrap();
    }
    let err = session.commit().await.unwrap_err();
    assert_eq!(
        (err.kind(), err.status()),
        (ErrorKind::WriteFailed, Some(413)),
        "{err}"
    );
    let report = err.commit_report().unwrap();
    assert_eq!(
        (report.stored(), report.refused(), report.held()),
        (100, 1, 0)
    );
    let refused = &report.refused_lines()[0];
    assert_eq!(refused.status(), 413);
    assert_eq!(
        refused.line(),
        inflow::line_protocol::to_line(&huge, inflow::Precision::Nanoseconds).unwrap()
    );
    assert!(
        session.is_empty(),
        "nothing is left to wedge the next commit"
    );
    session.write(&wide(100)).await.unwrap();
    session.commit().await.unwrap();
    assert_eq!(db.count("wide", "value"), 101);

    // A direct write of a list says the same, and stores the rest.
    let err = client
        .write_all([wide(200), huge.clone(), wide(201)])
        .await
        .unwrap_err();
    let report = err.commit_report().unwrap();
    assert_eq!(
        (report.stored(), report.refused(), report.held()),
        (2, 1, 0)
    );
    assert_eq!(db.count("wide", "value"), 103);
}

#[tokio::test]
async fn write_all_buffers_a_list_and_autocommits_once_it_is_whole() {
    let db = server::server().database("write_all_session");
    let client = Client::new(&db.url()).unwrap();
    client.create_database().await.unwrap();
    let before = server::server().write_requests();
    let mut session = client.session::<Point>().autocommit_every(5);
    let six: Vec<Point> = (0..6).map(wide).collect();
    session.write_all(&six).await.unwrap();
    assert!(
        session.is_empty(),
        "six points with autocommit every 5: committed"
    );
    assert_eq!(
        server::server().write_requests() - before,
        1,
        "in one request"
    );
    assert_eq!(db.count("wide", "value"), 6);

    // A list with a point that cannot be encoded leaves the session as it was.
    session.write(&wide(10)).await.unwrap();
    let bad = Point::new("wide")
        .field("value", f64::INFINITY)
        .timestamp_nanos(5);
    let err = session
        .write_all([wide(11), wide(12), bad])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPoint);
    assert!(
        err.to_string().starts_with("point 2 of the list: "),
        "{err}"
    );
    assert_eq!(session.len(), 1);
    assert_eq!(
        session.buffered_line_protocol(),
        inflow::line_protocol::to_line(&wide(10), inflow::Precision::Nanoseconds)
            .unwrap()
            .as_bytes()
    );
    session.commit().await.unwrap();
    assert_eq!(db.count("wide", "value"), 7);
}

#[test]
fn blocking_write_all_buffers_a_list_and_autocommits_once_it_is_whole() {
    let db = server::server().database("write_all_blocking");
    let client = inflow::blocking::Client::new(&db.url()).unwrap();
    client.create_database().unwrap();
    let mut session = client.session::<Point>().autocommit_every(5);
    session.write_all((0..4).map(wide)).unwrap();
    assert_eq!(session.len(), 4);
    session.write_all((4..6).map(wide)).unwrap();
    assert!(session.is_empty());
    assert_eq!(db.count("wide", "value"), 6);
    let err = session
        .write_all([wide(7), Point::new("wide").timestamp_nanos(1)])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPoint);
    assert!(session.is_empty());
}

#[tokio::test]
async fn an_empty_retention_policy_is_refused_everywhere() {
    let db = server::server().database("empty_rp");
    let client = Client::new(&db.url()).unwrap();
    let mut session = client.session::<Point>().retention_policy("");
    let err = session.write(&wide(1)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(
        err.message().contains("retention policy name is empty"),
        "{err}"
    );
    assert!(session.is_empty());
    assert_eq!(
        session.commit().await.unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );

    let empty = client.with_retention_policy("");
    assert_eq!(
        empty.write(&wide(1)).await.unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );
    assert_eq!(
        empty
            .write_line_protocol("m f=1 1\n")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidConfig
    );
    let mut inherited = empty.session::<Point>();
    assert_eq!(
        inherited.write(&wide(1)).await.unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );
    let blocking = inflow::blocking::Client::new(&db.url()).unwrap();
    let mut session = blocking.session::<Point>().retention_policy("");
    assert_eq!(
        session.write(&wide(1)).unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );
}

// A scope ends with its session: what its final commit could not send is handed back.
#[tokio::test]
async fn a_scope_hands_back_what_its_final_commit_could_not_send() {
    let db = server::server().database("scope_hand_back");
    let (proxy, url) = behind_proxy(&db);
    let client = Client::builder(url)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    proxy.inject(Fault::Unavailable, 1);
    let points: Vec<Point> = (0..3).map(wide).collect();
    let expected = lines_of(&points);

    let err = client
        .with_session(async |session: &mut inflow::Session<Point>| session.write_all(&points).await)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    let report = err.commit_report().unwrap();
    assert_eq!((report.stored(), report.held()), (0, 3));
    assert_eq!(report.unsent_line_protocol(), expected);

    // The body fails, then the commit: the body's error, with the commit's.
    let err = client
        .session::<Point>()
        .scope(async |session| {
            session.write_all(&points).await?;
            session.write(&Point::new("wide").timestamp_nanos(1)).await
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPoint);
    let commit = err.final_commit().expect("the final commit failed too");
    assert_eq!(commit.kind(), ErrorKind::Server);
    assert_eq!(
        err.commit_report().unwrap().unsent_line_protocol(),
        expected
    );
    assert!(
        err.to_string().contains("the final commit failed too"),
        "{err}"
    );

    proxy.inject(Fault::Pass, 1);
    assert_eq!(db.count("wide", "value"), 0, "nothing was stored");
}

#[test]
fn a_blocking_scope_hands_back_what_its_final_commit_could_not_send() {
    let db = server::server().database("scope_hand_back_blocking");
    let (proxy, url) = behind_proxy(&db);
    proxy.inject(Fault::Unavailable, 1);
    let points: Vec<Point> = (0..3).map(wide).collect();
    let expected = lines_of(&points);
    let blocking = inflow::blocking::Client::builder(url)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = blocking
        .with_session(|session: &mut inflow::blocking::Session<Point>| session.write_all(&points))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(
        err.commit_report().unwrap().unsent_line_protocol(),
        expected
    );
    assert_eq!(db.count("wide", "value"), 0, "nothing was stored");
}
