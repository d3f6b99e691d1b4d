//! Nothing is lost under faults: for each kind of fault, 50 commits of 1,000 points go through
//! a proxy that injects it into every other request, or through a server that is killed and
//! restarted; afterwards the server holds every point exactly once, and every failure the
//! caller saw was a typed, transient error after which the session still held its points.
//!
//! Run with `--nocapture` for the table of commits, points and errors per fault.

use std::time::{Duration, Instant};

use inflow::{Client, EpochTime, ErrorKind, Measurement, RetryPolicy};
use inflow_tests::proxy::{Fault, FaultProxy};
use inflow_tests::server::{self, Server};

const COMMITS: i64 = 50;
const POINTS: i64 = 1_000;

#[derive(Debug, Clone, Measurement)]
#[inflow(measurement = "fault")]
struct Sample {
    #[inflow(tag)]
    batch: String,
    value: i64,
    #[inflow(timestamp)]
    at: EpochTime,
}

fn sample(commit: i64, point: i64) -> Sample {
    let n = commit * POINTS + point;
    Sample {
        batch: format!("b{}", commit % 7),
        value: n,
        at: EpochTime::nanos(1_475_848_864_000_000_000 + n * 1_000),
    }
}

#[derive(Debug, Default)]
struct Tally {
    commits: i64,
    written: i64,
    errors: Vec<ErrorKind>,
}

impl Tally {
    /// Whether every error the caller saw was of `kind`.
    fn only(&self, kind: ErrorKind) -> bool {
        self.errors.iter().all(|seen| *seen == kind)
    }
}

/// Writes COMMITS batches of POINTS points, committing each until it succeeds, and returns
/// what happened. A failed commit must leave every point in the session.
async fn write_through(client: &Client, between_commits: impl Fn(i64)) -> Tally {
    let mut tally = Tally::default();
    let mut session = client.session::<Sample>();
    for commit in 0..COMMITS {
        between_commits(commit);
        for point in 0..POINTS {
            session.write(&sample(commit, point)).await.unwrap();
        }
        tally.written += POINTS;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match session.commit().await {
                Ok(()) => break,
                Err(err) => {
                    assert!(
                        err.is_transient(),
                        "a final error under a transient fault: {err:?}"
                    );
                    assert_eq!(
                        usize::try_from(POINTS).unwrap(),
                        session.len(),
                        "a failed commit keeps its points"
                    );
                    tally.errors.push(err.kind());
                    assert!(attempts < 200, "the commit never went through: {err}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
        tally.commits += 1;
    }
    tally
}

fn stored(server: &Server, database: &str) -> (i64, i64) {
    let answer = server.post_query(Some(database), "SELECT count(value), sum(value) FROM fault");
    let row = &answer["results"][0]["series"][0]["values"][0];
    (row[1].as_i64().unwrap_or(0), row[2].as_i64().unwrap_or(0))
}

fn report(fault: &str, tally: &Tally, stored: (i64, i64)) {
    let mut kinds: Vec<String> = tally
        .errors
        .iter()
        .map(|kind| format!("{kind:?}"))
        .collect();
    kinds.dedup();
    eprintln!(
        "| {fault} | {} | {} | {} | {} ({}) |",
        tally.commits,
        tally.written,
        stored.0,
        tally.errors.len(),
        kinds.join(", ")
    );
}

async fn check_fault(label: &str, fault: Fault, timeout: Duration, retry: RetryPolicy) -> Tally {
    let server = server::server();
    let db = server.database(label);
    let proxy = FaultProxy::start(server.base_url());
    proxy.inject(fault, 2);
    let client = Client::builder(format!("{}/{}", proxy.base_url(), db.name()))
        .timeout(timeout)
        .retry(retry)
        .build()
        .unwrap();
    let tally = write_through(&client, |_| {}).await;
    let stored = stored(server, db.name());
    report(label, &tally, stored);
    let expected_sum = (COMMITS * POINTS) * (COMMITS * POINTS - 1) / 2;
    assert_eq!(
        stored,
        (COMMITS * POINTS, expected_sum),
        "every point exactly once"
    );
    assert!(
        proxy.injected() >= 25,
        "the fault was injected {} times",
        proxy.injected()
    );
    tally
}

/// [`check_fault`] with a timeout of 5 s and no retries: every failure reaches the caller.
async fn check_unretried(label: &str, fault: Fault) -> Tally {
    check_fault(label, fault, Duration::from_secs(5), RetryPolicy::never()).await
}

#[tokio::test]
async fn refused_connections() {
    let tally = check_unretried("refused", Fault::Refuse).await;
    assert!(tally.only(ErrorKind::Transport));
    assert!(!tally.errors.is_empty());
}

#[tokio::test]
async fn connections_reset_mid_request() {
    let tally = check_unretried("reset", Fault::ResetMidRequest).await;
    assert!(tally.only(ErrorKind::Transport));
    assert!(!tally.errors.is_empty());
}

#[tokio::test]
async fn requests_delayed_past_the_timeout() {
    // The proxy forwards each delayed request after the client gave up: the server stores it,
    // and the commit that follows sends the same points again, which overwrite themselves.
    let tally = check_fault(
        "delayed",
        Fault::Delay(Duration::from_millis(500)),
        Duration::from_millis(200),
        RetryPolicy::never(),
    )
    .await;
    assert!(tally.only(ErrorKind::Timeout));
    assert!(!tally.errors.is_empty());
}

#[tokio::test]
async fn service_unavailable_answers() {
    let tally = check_unretried("unavailable", Fault::Unavailable).await;
    assert!(tally.only(ErrorKind::Server));
    // The first request passes, then every other one fails: 49 of the 50 commits fail once.
    assert_eq!(tally.errors.len(), 49);
}

#[tokio::test]
async fn throttled_answers() {
    let tally = check_unretried("throttled", Fault::Throttle).await;
    assert!(tally.only(ErrorKind::Throttled));
    assert_eq!(tally.errors.len(), 49);
}

#[tokio::test]
async fn retries_absorb_transient_faults_and_honour_retry_after() {
    let retry = RetryPolicy::default()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(50));
    // 503 on every other request: the caller sees nothing.
    let tally = check_fault(
        "retried",
        Fault::Unavailable,
        Duration::from_secs(5),
        retry.clone(),
    )
    .await;
    assert!(tally.errors.is_empty(), "{:?}", tally.errors);

    // 429 with Retry-After: 1 on every request but every other: the client waits the second.
    let server = server::server();
    let db = server.database("retry_after");
    let proxy = FaultProxy::start(server.base_url());
    proxy.inject(Fault::Throttle, 2);
    let client = Client::builder(format!("{}/{}", proxy.base_url(), db.name()))
        .retry(retry)
        .build()
        .unwrap();
    client.write(&sample(0, 0)).await.unwrap(); // request 1 passes
    let started = Instant::now();
    client.write(&sample(0, 1)).await.unwrap(); // request 2 is throttled, request 3 passes
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(stored(server, db.name()).0, 2);
}

#[tokio::test]
async fn a_server_killed_mid_session_and_restarted() {
    let mut server = Server::start(false);
    let database = "restarted";
    let _ = server.post_query(None, &format!("CREATE DATABASE {database}"));
    let client = Client::builder(server.url(database))
        .timeout(Duration::from_secs(2))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let mut tally = Tally::default();
    let mut session = client.session::<Sample>();
    for commit in 0..COMMITS {
        if commit == 20 {
            server.stop();
        }
        for point in 0..POINTS {
            session.write(&sample(commit, point)).await.unwrap();
        }
        tally.written += POINTS;
        match session.commit().await {
            Ok(()) => {}
            Err(err) => {
                assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
                tally.errors.push(err.kind());
            }
        }
        if commit == 25 {
            // Six commits failed while the server was down; their points are all still here.
            assert_eq!(session.len(), usize::try_from(6 * POINTS).unwrap());
            server.restart();
        }
        tally.commits += 1;
    }
    session.commit().await.unwrap();
    let stored = stored(&server, database);
    report("killed and restarted", &tally, stored);
    assert_eq!(
        tally.errors.len(),
        6,
        "commits 20 to 25 failed while the server was down"
    );
    let expected_sum = (COMMITS * POINTS) * (COMMITS * POINTS - 1) / 2;
    assert_eq!(stored, (COMMITS * POINTS, expected_sum));
}
