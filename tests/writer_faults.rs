//! The writer's fault table: 8 producers (tasks for the async writer, threads for the blocking
//! one) write 200,000 points through the fault proxy under each fault, then close. Every point
//! must be stored exactly once (count and sum read back), or handed back by `close`, or
//! reported as refused; none dropped, no panic. Prints the table (run with `--nocapture`).

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use inflow::{CommitReport, EpochTime, Measurement, RetryPolicy, WriterStats};
use inflow_tests::proxy::{Fault, FaultProxy};
use inflow_tests::server::{self, Server};

const PRODUCERS: u32 = 8;
const POINTS: u32 = 200_000;
const PER_PRODUCER: u32 = POINTS / PRODUCERS;
/// The client's timeout; answers held past it are held this long and more.
const TIMEOUT: Duration = Duration::from_millis(1000);

#[derive(Debug, Clone, Measurement)]
struct Tick {
    #[inflow(tag)]
    producer: u32,
    #[inflow(tag)]
    series: u32,
    value: i64,
    #[inflow(timestamp)]
    at: EpochTime,
}

/// A recent time: every point is within a one-hour retention policy, except those `refused`
/// places in 1970.
fn base_nanos() -> i64 {
    static BASE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *BASE.get_or_init(|| chrono::Utc::now().timestamp_nanos_opt().unwrap() - 600_000_000_000)
}

/// Whether the point is one the server refuses, in the scenario with refusals.
fn refused(scenario: Scenario, index: u32) -> bool {
    scenario == Scenario::MixWithRefusals && index % 100 == 7
}

fn tick(scenario: Scenario, producer: u32, index: u32) -> Tick {
    let at = if refused(scenario, index) {
        i64::from(index) + 1
    } else {
        base_nanos() + i64::from(index)
    };
    Tick {
        producer,
        series: index % 100,
        value: i64::from(producer) * 1_000_000 + i64::from(index),
        at: EpochTime::nanos(at),
    }
}

/// The count and sum of the points the server takes.
fn expected(scenario: Scenario) -> (u64, i64) {
    let stored: Vec<i64> = (0..PRODUCERS)
        .flat_map(|producer| {
            (0..PER_PRODUCER)
                .filter(move |&index| !refused(scenario, index))
                .map(move |index| tick(scenario, producer, index).value)
        })
        .collect();
    (stored.len() as u64, stored.iter().sum())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    RefusedConnections,
    ResetMidRequest,
    HeldPastTimeout,
    Unavailable,
    Throttled,
    ServerRestarted,
    Mix,
    /// The mix, and 1 point in 100 beyond the database's one-hour retention policy.
    MixWithRefusals,
}

impl Scenario {
    const ALL: [Scenario; 8] = [
        Scenario::RefusedConnections,
        Scenario::ResetMidRequest,
        Scenario::HeldPastTimeout,
        Scenario::Unavailable,
        Scenario::Throttled,
        Scenario::ServerRestarted,
        Scenario::Mix,
        Scenario::MixWithRefusals,
    ];

    fn name(self) -> &'static str {
        match self {
            Scenario::RefusedConnections => "refused connections",
            Scenario::ResetMidRequest => "reset mid-request",
            Scenario::HeldPastTimeout => "answer held past the timeout",
            Scenario::Unavailable => "503",
            Scenario::Throttled => "429 + Retry-After: 1",
            Scenario::ServerRestarted => "server killed and restarted",
            Scenario::Mix => "random mix",
            Scenario::MixWithRefusals => "random mix, 1% beyond the retention policy",
        }
    }

    /// The fault of each `/write` request; other requests pass.
    fn plan(self, proxy: &FaultProxy) {
        let write = |head: &str| head.starts_with("POST /write");
        match self {
            Scenario::RefusedConnections | Scenario::ServerRestarted => {}
            Scenario::ResetMidRequest => every(proxy, 3, Fault::ResetMidRequest),
            Scenario::HeldPastTimeout => {
                every(
                    proxy,
                    4,
                    Fault::HoldAnswer(TIMEOUT + Duration::from_millis(300)),
                );
            }
            Scenario::Unavailable => every(proxy, 3, Fault::Unavailable),
            Scenario::Throttled => every(proxy, 5, Fault::Throttle),
            Scenario::Mix | Scenario::MixWithRefusals => proxy.plan(move |_, head| {
                if !write(head) {
                    return Fault::Pass;
                }
                match fastrand::u32(0..12) {
                    0 => Fault::Refuse,
                    1 => Fault::ResetMidRequest,
                    2 => Fault::ResetAfterForward,
                    3 => Fault::HoldAnswer(TIMEOUT + Duration::from_millis(300)),
                    4 => Fault::Unavailable,
                    5 => Fault::Throttle,
                    _ => Fault::Pass,
                }
            }),
        }
    }
}

/// Every `n`-th `/write` request gets `fault`.
fn every(proxy: &FaultProxy, n: u64, fault: Fault) {
    let mut writes = 0_u64;
    proxy.plan(move |_, head| {
        if !head.starts_with("POST /write") {
            return Fault::Pass;
        }
        writes += 1;
        if writes.is_multiple_of(n) {
            fault.clone()
        } else {
            Fault::Pass
        }
    });
}

/// What one run did.
struct Outcome {
    scenario: Scenario,
    flavor: &'static str,
    stats: WriterStats,
    close: Result<CommitReport, String>,
    returned: Vec<i64>,
    stored: (u64, i64),
    requests: u64,
    faults: u64,
    seconds: f64,
}

/// Starts the disturbance a scenario needs beside the producers; it ends when `done` is set.
/// `disturbed` is set once the fault is in force (at once for the scenarios without one):
/// producers wait for it before writing their second half, so that the fault always meets
/// points still to send, however fast the machine.
fn disturb(
    scenario: Scenario,
    proxy: &Arc<FaultProxy>,
    server: Option<&Arc<std::sync::Mutex<Server>>>,
    accepted: impl Fn() -> u64 + Send + 'static,
    done: &Arc<AtomicBool>,
    disturbed: &Arc<AtomicBool>,
) -> Option<std::thread::JoinHandle<()>> {
    let done = Arc::clone(done);
    let disturbed = Arc::clone(disturbed);
    match scenario {
        Scenario::RefusedConnections => {
            let proxy = Arc::clone(proxy);
            // Refused before the first point is written.
            proxy.refuse_connections();
            disturbed.store(true, Ordering::SeqCst);
            Some(std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(300));
                    proxy.accept_connections();
                    std::thread::sleep(Duration::from_millis(300));
                    proxy.refuse_connections();
                }
                proxy.accept_connections();
            }))
        }
        Scenario::ServerRestarted => {
            let server = Arc::clone(server.expect("a server of its own"));
            Some(std::thread::spawn(move || {
                while accepted() < u64::from(POINTS) / 3 && !done.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                server.lock().unwrap().stop();
                disturbed.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(1500));
                server.lock().unwrap().restart();
            }))
        }
        _ => {
            disturbed.store(true, Ordering::SeqCst);
            None
        }
    }
}

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(10)
        .initial_backoff(Duration::from_millis(50))
        .max_backoff(Duration::from_millis(400))
        .max_elapsed(Duration::from_secs(20))
}

/// The database of a run, on the shared server or on one of its own.
struct Target {
    own: Option<Arc<std::sync::Mutex<Server>>>,
    shared_db: Option<server::Database>,
    name: String,
    base_url: String,
}

impl Target {
    fn new(scenario: Scenario, flavor: &str) -> Target {
        if scenario == Scenario::ServerRestarted {
            let server = Server::start(false);
            let name = format!("writer_restart_{flavor}");
            server.post_query(None, &format!("CREATE DATABASE \"{name}\""));
            let base_url = server.base_url().to_owned();
            return Target {
                own: Some(Arc::new(std::sync::Mutex::new(server))),
                shared_db: None,
                name,
                base_url,
            };
        }
        let db = server::server().database(&format!("writer_faults_{flavor}"));
        if scenario == Scenario::MixWithRefusals {
            let _ = db.query(&format!(
                "CREATE RETENTION POLICY \"hour\" ON \"{}\" DURATION 1h REPLICATION 1 DEFAULT",
                db.name()
            ));
        }
        Target {
            own: None,
            name: db.name().to_owned(),
            shared_db: Some(db),
            base_url: server::server().base_url().to_owned(),
        }
    }

    /// The count and sum of the stored values.
    fn stored(&self) -> (u64, i64) {
        let q = "SELECT count(\"value\"), sum(\"value\") FROM \"tick\"";
        let answer = match &self.own {
            Some(server) => server.lock().unwrap().post_query(Some(&self.name), q),
            None => self.shared_db.as_ref().unwrap().query(q),
        };
        let row = &answer["results"][0]["series"][0]["values"][0];
        (row[1].as_u64().unwrap_or(0), row[2].as_i64().unwrap_or(0))
    }
}

/// The values of the lines handed back by `close`.
fn values_of(report: &CommitReport) -> Vec<i64> {
    report
        .unsent_line_protocol()
        .lines()
        .map(|line| {
            let value = line.split(" value=").nth(1).expect("a value field");
            value[..value.find('i').expect("an integer")]
                .parse()
                .expect("digits")
        })
        .collect()
}

fn run_async(scenario: Scenario) -> Outcome {
    let target = Target::new(scenario, "async");
    let proxy = Arc::new(FaultProxy::start(&target.base_url));
    scenario.plan(&proxy);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let (stats, close) = runtime.block_on(async {
        let client = inflow::Client::builder(format!("{}/{}", proxy.base_url(), target.name))
            .timeout(TIMEOUT)
            .retry(policy())
            .build()
            .unwrap();
        let writer = client.writer::<Tick>().build().unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let disturbed = Arc::new(AtomicBool::new(false));
        let watched = writer.clone();
        let disturbance = disturb(
            scenario,
            &proxy,
            target.own.as_ref(),
            move || watched.stats().accepted,
            &done,
            &disturbed,
        );
        let mut tasks = Vec::new();
        for producer in 0..PRODUCERS {
            let writer = writer.clone();
            let disturbed = Arc::clone(&disturbed);
            tasks.push(tokio::spawn(async move {
                for index in 0..PER_PRODUCER {
                    while index == PER_PRODUCER / 2 && !disturbed.load(Ordering::SeqCst) {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    writer
                        .write(&tick(scenario, producer, index))
                        .await
                        .unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.expect("a producer panicked");
        }
        let close = writer.close(Duration::from_secs(120)).await;
        done.store(true, Ordering::SeqCst);
        if let Some(disturbance) = disturbance {
            disturbance.join().expect("the disturbance panicked");
        }
        (writer.stats(), close)
    });
    finish(scenario, "async", &target, &proxy, stats, close, started)
}

fn run_blocking(scenario: Scenario) -> Outcome {
    let target = Target::new(scenario, "blocking");
    let proxy = Arc::new(FaultProxy::start(&target.base_url));
    scenario.plan(&proxy);
    let started = Instant::now();
    let client = inflow::blocking::Client::builder(format!("{}/{}", proxy.base_url(), target.name))
        .timeout(TIMEOUT)
        .retry(policy())
        .build()
        .unwrap();
    let writer = client.writer::<Tick>().build().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let disturbed = Arc::new(AtomicBool::new(false));
    let watched = writer.clone();
    let disturbance = disturb(
        scenario,
        &proxy,
        target.own.as_ref(),
        move || watched.stats().accepted,
        &done,
        &disturbed,
    );
    let threads: Vec<_> = (0..PRODUCERS)
        .map(|producer| {
            let writer = writer.clone();
            let disturbed = Arc::clone(&disturbed);
            std::thread::spawn(move || {
                for index in 0..PER_PRODUCER {
                    while index == PER_PRODUCER / 2 && !disturbed.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    writer.write(&tick(scenario, producer, index)).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a producer panicked");
    }
    let close = writer.close(Duration::from_secs(120));
    done.store(true, Ordering::SeqCst);
    if let Some(disturbance) = disturbance {
        disturbance.join().expect("the disturbance panicked");
    }
    let stats = writer.stats();
    finish(scenario, "blocking", &target, &proxy, stats, close, started)
}

fn finish(
    scenario: Scenario,
    flavor: &'static str,
    target: &Target,
    proxy: &FaultProxy,
    stats: WriterStats,
    close: inflow::Result<CommitReport>,
    started: Instant,
) -> Outcome {
    let returned = match &close {
        Ok(_) => Vec::new(),
        Err(err) => err.commit_report().map(values_of).unwrap_or_default(),
    };
    Outcome {
        scenario,
        flavor,
        stats,
        close: close.map_err(|err| format!("{err} ({:?})", err.commit_report())),
        returned,
        stored: target.stored(),
        requests: proxy
            .exchanges()
            .iter()
            .filter(|exchange| exchange.request_line.starts_with("POST /write"))
            .count() as u64,
        faults: proxy.injected(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn check(outcome: &Outcome) {
    let what = format!("{} / {}", outcome.scenario.name(), outcome.flavor);
    let stats = outcome.stats;
    let total = u64::from(POINTS);
    let (stored_expected, sum_expected) = expected(outcome.scenario);
    assert_eq!(stats.accepted, total, "{what}: every write was taken");
    assert_eq!(stats.dropped, 0, "{what}: nothing dropped");
    assert_eq!(stats.pending, 0, "{what}: nothing left pending after close");
    assert_eq!(
        stats.refused,
        total - stored_expected,
        "{what}: exactly the points beyond the retention policy are refused: {stats:?}"
    );
    assert_eq!(
        stats.stored + stats.returned + stats.refused,
        total,
        "{what}: every point stored, refused or handed back: {stats:?}, close: {:?}",
        outcome.close.as_ref().err()
    );
    assert_eq!(
        outcome.returned.len() as u64,
        stats.returned,
        "{what}: close handed back the lines it counts"
    );
    let (count, sum) = outcome.stored;
    if outcome.returned.is_empty() {
        assert_eq!(
            (count, sum),
            (stored_expected, sum_expected),
            "{what}: each point stored once"
        );
    } else {
        // Points handed back may have been stored too (their request was out at the deadline).
        let returned_sum: i64 = outcome.returned.iter().sum();
        assert!(
            count >= stats.stored && count <= stored_expected,
            "{what}: {count} stored"
        );
        assert!(sum + returned_sum >= sum_expected, "{what}: nothing lost");
    }
    if matches!(
        outcome.scenario,
        Scenario::RefusedConnections | Scenario::ServerRestarted
    ) {
        assert!(stats.retried > 0, "{what}: the fault was met");
    } else {
        assert!(outcome.faults > 0, "{what}: the fault was injected");
    }
}

#[test]
fn every_point_of_eight_producers_is_stored_once_or_handed_back_under_each_fault() {
    let mut outcomes = Vec::new();
    for scenario in Scenario::ALL {
        for run in [run_async, run_blocking] {
            let outcome = run(scenario);
            check(&outcome);
            outcomes.push(outcome);
        }
    }
    let mut table = String::from(
        "\n| fault | writer | points | stored (read back) | handed back | refused | dropped | /write requests | faults injected | retried | seconds |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for outcome in &outcomes {
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            outcome.scenario.name(),
            outcome.flavor,
            outcome.stats.accepted,
            outcome.stored.0,
            outcome.stats.returned,
            outcome.stats.refused,
            outcome.stats.dropped,
            outcome.requests,
            outcome.faults,
            outcome.stats.retried,
            outcome.seconds,
        );
    }
    println!("{table}");
}
