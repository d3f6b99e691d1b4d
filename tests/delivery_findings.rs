//! One regression test per finding of the delivery review, through the fault proxy, against
//! the real server. inflow promises that every point handed to it ends stored (once), refused
//! by the server with the reason reported to the caller, or still held (buffered, or handed
//! back); each test puts the client where that promise was broken.
//!
//! - Finding 3: a raw body whose lines carry no timestamp gets its time from the server, so a
//!   second copy of it is a second point: it must not be sent again once the server may have
//!   read it, and may be when the connection was refused at connect (nothing was sent).
//! - Finding 4: nothing a server sends may panic the client, however long it asks to wait.
//! - Finding 7: a write is stored only when the server answers `204 No Content`; another
//!   success or a redirect (never followed) is an error of kind `UnexpectedResponse`, and the
//!   points stay held.

use std::time::Duration;

use inflow::{Client, EpochTime, Error, ErrorKind, Measurement, RetryPolicy};
use inflow_tests::proxy::{Fault, FaultProxy};
use inflow_tests::server::{self, Database};

/// Retries soon and often, so that a client that retries does so within the test.
fn eager_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(5)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(20))
}

fn client_through(
    proxy: &FaultProxy,
    db: &Database,
    timeout: Duration,
    retry: RetryPolicy,
) -> Client {
    Client::builder(format!("{}/{}", proxy.base_url(), db.name()))
        .timeout(timeout)
        .retry(retry)
        .build()
        .unwrap()
}

/// Waits until the server answered every request the proxy forwarded (or the proxy is done
/// with it), so that what the server stored can be counted.
fn settle(proxy: &FaultProxy) {
    proxy.wait_until(|exchanges| {
        exchanges
            .iter()
            .all(|exchange| exchange.finished || exchange.server_status.is_some())
    });
}

// Finding 3: a retried raw body is stored twice.

#[tokio::test]
async fn a_raw_body_without_timestamps_is_not_sent_again_once_the_server_may_have_read_it() {
    let server = server::server();
    let db = server.database("finding3_held");
    let proxy = FaultProxy::start(server.base_url());
    // The first attempt reaches the server, which stores the point; its answer is held past
    // the client's timeout.
    proxy.plan(|number, _| match number {
        1 => Fault::HoldAnswer(Duration::from_secs(3)),
        _ => Fault::Pass,
    });
    let client = client_through(&proxy, &db, Duration::from_millis(500), eager_retries());
    let outcome = client.write_line_protocol("m value=1\n").await;
    settle(&proxy);
    let stored = db.count("m", "value");
    let requests = proxy.requests();
    assert_eq!(
        stored, 1,
        "the server holds {stored} points of one line without a timestamp, sent in {requests} \
         requests (the client answered {outcome:?})"
    );
    if let Err(err) = outcome {
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    }
}

#[tokio::test]
async fn a_raw_body_whose_every_line_has_a_timestamp_is_still_retried() {
    let server = server::server();
    let db = server.database("finding3_stamped");
    let proxy = FaultProxy::start(server.base_url());
    proxy.plan(|number, _| match number {
        1 => Fault::HoldAnswer(Duration::from_secs(3)),
        _ => Fault::Pass,
    });
    let client = client_through(&proxy, &db, Duration::from_millis(500), eager_retries());
    client
        .write_line_protocol("m value=1 1475848864000000000\n")
        .await
        .unwrap();
    settle(&proxy);
    // Retried at least once (more when the retry too outlived the timeout).
    assert!(proxy.requests() >= 2, "{:#?}", proxy.exchanges());
    assert_eq!(db.count("m", "value"), 1);
}

#[tokio::test]
async fn a_raw_body_without_timestamps_refused_at_connect_is_retried_and_stored_once() {
    let server = server::server();
    let db = server.database("finding3_refused");
    let proxy = FaultProxy::start(server.base_url());
    proxy.refuse_connections();
    // Refusal is in force: a client that does not retry fails at connect.
    let unretried = client_through(&proxy, &db, Duration::from_secs(5), RetryPolicy::never());
    let refused = unretried
        .write_line_protocol("m value=1\n")
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Transport, "{refused:?}");

    let client = client_through(
        &proxy,
        &db,
        Duration::from_secs(5),
        RetryPolicy::default()
            .max_attempts(200)
            .initial_backoff(Duration::from_millis(20))
            .max_backoff(Duration::from_millis(20))
            .jitter(false),
    );
    // The write is polled first: its first connect happens while the socket is closed. The
    // proxy listens again later, while the client waits to retry.
    let (outcome, ()) = tokio::join!(client.write_line_protocol("m value=1\n"), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        proxy.accept_connections();
    });
    outcome.unwrap();
    settle(&proxy);
    assert_eq!(proxy.requests(), 1, "{:#?}", proxy.exchanges());
    assert_eq!(db.count("m", "value"), 1);
}

// Finding 4: a server header panics the client.

/// Writes one point through a proxy that answers the n-th write with `faults[n - 1]` (the last
/// one past the end), under `retry`, in a task of its own so that a panic is reported as such;
/// returns the error and how many requests the proxy saw.
async fn write_against(label: &str, faults: Vec<Fault>, retry: RetryPolicy) -> (Error, u64) {
    let server = server::server();
    let db = server.database(label);
    let proxy = FaultProxy::start(server.base_url());
    proxy.plan(move |number, _| {
        let at = usize::try_from(number - 1).unwrap().min(faults.len() - 1);
        faults[at].clone()
    });
    let client = client_through(&proxy, &db, Duration::from_secs(5), retry);
    let task = tokio::spawn(async move { client.write_line_protocol("m value=1 1\n").await });
    // A guard, not a measurement: a correct client gives up at once; one that sleeps what the
    // server asked would hang the test.
    let joined = tokio::time::timeout(Duration::from_secs(60), task)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the client still waits after {} requests: it did not give up",
                proxy.requests()
            )
        });
    let outcome = match joined {
        Ok(outcome) => outcome,
        Err(join) => {
            let payload = join.into_panic();
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!(
                "the client panicked on the server's answer after {} requests: {message}",
                proxy.requests()
            );
        }
    };
    let err = outcome.expect_err("a 503 is an error");
    (err, proxy.requests())
}

/// A 503 asking to wait u64::MAX seconds (the largest number a client may parse).
fn retry_after_forever() -> Fault {
    Fault::answer(
        503,
        &[
            ("Content-Type", "application/json"),
            ("Retry-After", "18446744073709551615"),
        ],
        "{\"error\":\"overloaded\"}",
    )
}

/// First a 429 asking to wait one second, so that a second has passed since the first
/// attempt when the 503 asking for u64::MAX seconds comes: no sum of the two may overflow.
fn throttled_then_forever() -> Vec<Fault> {
    vec![Fault::Throttle, retry_after_forever()]
}

#[tokio::test]
async fn a_retry_after_of_u64_max_seconds_is_given_up_on_at_once_by_the_default_policy() {
    let (err, requests) = write_against(
        "finding4_default",
        throttled_then_forever(),
        RetryPolicy::default(),
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::Server, "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert_eq!(requests, 2, "the wait asked for is beyond max_elapsed");
}

#[tokio::test]
async fn a_retry_after_of_u64_max_seconds_with_backoffs_of_duration_max() {
    let (err, requests) = write_against(
        "finding4_max_backoff",
        throttled_then_forever(),
        RetryPolicy::default()
            .max_backoff(Duration::MAX)
            .initial_backoff(Duration::MAX),
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::Server, "{err:?}");
    assert_eq!(requests, 2, "the wait asked for is beyond max_elapsed");
}

#[tokio::test]
async fn a_backoff_of_duration_max_is_given_up_on_at_once() {
    // No Retry-After: the policy's own delay, Duration::MAX, is beyond max_elapsed.
    let (err, requests) = write_against(
        "finding4_backoff",
        vec![Fault::Unavailable],
        RetryPolicy::default()
            .max_backoff(Duration::MAX)
            .initial_backoff(Duration::MAX)
            .jitter(false),
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::Server, "{err:?}");
    assert_eq!(requests, 1, "the backoff is beyond max_elapsed");
}

// Finding 7: anything 2xx or 3xx counts as stored.

#[derive(Debug, Clone, Measurement)]
#[inflow(measurement = "held")]
struct Held {
    value: i64,
    #[inflow(timestamp)]
    at: EpochTime,
}

fn held(n: i64) -> Held {
    Held {
        value: n,
        at: EpochTime::nanos(1_475_848_864_000_000_000 + n),
    }
}

/// A write (`Client::write`) and a session's commit of three points, answered by `answer`,
/// each fail with `UnexpectedResponse` and `status`, with no credential of a redirect's
/// `Location` shown and no request sent there; the session keeps its points, which a later
/// commit stores. `answer(location)` is the answer, given where a redirect would point.
async fn check_unexpected(
    label: &str,
    answer: impl Fn(&str) -> Fault,
    status: u16,
) -> (Error, Error) {
    let server = server::server();
    let db = server.database(label);
    // Where a redirect points: a proxy that would store nothing but says 204 to anything.
    let elsewhere = FaultProxy::start(server.base_url());
    elsewhere.inject(Fault::answer(204, &[], ""), 1);
    let location = format!(
        "{}/write?db={}",
        elsewhere
            .base_url()
            .replace("http://", "http://user:secret@"),
        db.name()
    );
    let proxy = FaultProxy::start(server.base_url());
    let fault = answer(&location);
    proxy.plan(move |_, head| {
        if head.starts_with("POST /write") {
            fault.clone()
        } else {
            Fault::Pass
        }
    });
    let client = client_through(&proxy, &db, Duration::from_secs(5), eager_retries());

    let write = client.write(&held(0)).await;
    let mut session = client.session::<Held>();
    for n in 1..=3 {
        session.write(&held(n)).await.unwrap();
    }
    let commit = session.commit().await;
    let (write_err, commit_err) = match (write, commit) {
        (Err(write_err), Err(commit_err)) => (write_err, commit_err),
        (write, commit) => panic!(
            "a write answered {status} counts as stored: Client::write gave {write:?}, \
             Session::commit gave {commit:?} and left {} of its 3 points held; {} requests went \
             to the Location",
            session.len(),
            elsewhere.requests()
        ),
    };
    for err in [&write_err, &commit_err] {
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err:?}");
        assert_eq!(err.status(), Some(status), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("secret"), "a credential shows: {shown}");
    }
    assert_eq!(session.len(), 3, "a commit without a 204 keeps its points");
    assert_eq!(elsewhere.requests(), 0, "a redirect was followed");

    // The points still held are stored by a commit the server answers.
    proxy.inject(Fault::Pass, 1);
    session.commit().await.unwrap();
    assert_eq!(session.len(), 0);
    assert_eq!(db.count("held", "value"), 3);
    (write_err, commit_err)
}

async fn check_redirect(label: &str, status: u16) {
    let (write_err, commit_err) = check_unexpected(
        label,
        |location| Fault::answer(status, &[("Location", location)], ""),
        status,
    )
    .await;
    for err in [write_err, commit_err] {
        let shown = err.to_string();
        assert!(
            shown.contains("127.0.0.1:") && shown.contains("/write"),
            "the message names the Location: {shown}"
        );
    }
}

#[tokio::test]
async fn a_200_login_page_is_not_stored() {
    check_unexpected(
        "finding7_login",
        |_| Fault::answer(200, &[("Content-Type", "text/html")], "<html>login</html>"),
        200,
    )
    .await;
}

#[tokio::test]
async fn a_200_with_an_error_body_is_not_stored() {
    check_unexpected(
        "finding7_error_body",
        |_| {
            Fault::answer(
                200,
                &[("Content-Type", "application/json")],
                "{\"error\":\"x\"}",
            )
        },
        200,
    )
    .await;
}

#[tokio::test]
async fn a_202_is_not_stored() {
    check_unexpected("finding7_accepted", |_| Fault::answer(202, &[], ""), 202).await;
}

#[tokio::test]
async fn a_301_is_not_followed() {
    check_redirect("finding7_301", 301).await;
}

#[tokio::test]
async fn a_302_is_not_followed() {
    check_redirect("finding7_302", 302).await;
}

#[tokio::test]
async fn a_303_is_not_followed() {
    check_redirect("finding7_303", 303).await;
}

#[tokio::test]
async fn a_307_is_not_followed() {
    check_redirect("finding7_307", 307).await;
}
