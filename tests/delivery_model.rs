//! The rule of delivery, checked against a model: random sequences of session writes and
//! commits go through the fault proxy to a real server, with a fault drawn at random for each
//! request, and afterwards every point is in exactly one state the caller could tell:
//!
//! - **stored** exactly once (by its time; every point has a time of its own), and only the
//!   valid ones;
//! - **refused** by the server and reported with the call that let it go: a type conflict or a
//!   point beyond the retention policy in a partial write's count and reasons, a point larger
//!   than the server's `max-body-size` handed back whole in `refused_lines`;
//! - or **held** in the session (`session.len()` always equals the report's `held`).
//!
//! Faults: connection reset before the server read the request, reset after it acted, answer
//! held past the client's timeout after the server stored, 503, 429 with `Retry-After` (0, and 1
//! beyond the retry budget), a redirect, a 200 with a wrong body (instead of forwarding, and
//! after the server stored). The server itself answers 413 for bodies over 20,000 bytes.
//!
//! Run with `--nocapture` for the counts of each fault and outcome.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use inflow::{Client, Error, Point, RetryPolicy, Session};
use inflow_tests::proxy::{Fault, FaultProxy};
use inflow_tests::server::{Database, Server};
use proptest::prelude::*;

const RP: &str = "one_hour";
const CASES: u32 = 200;

/// What a point of the model is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Stored once it is sent.
    Valid,
    /// Field `f` as a string where it is a float: dropped by the server (partial write).
    Conflicting,
    /// Older than the retention policy: dropped by the server (partial write).
    BeyondRetention,
    /// Larger than the server takes in one body: 413, handed back.
    Oversized,
}

#[derive(Debug, Clone)]
enum Op {
    Write(Kind),
    Commit,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        14 => Just(Kind::Valid),
        2 => Just(Kind::Conflicting),
        2 => Just(Kind::BeyondRetention),
        1 => Just(Kind::Oversized),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![6 => kind().prop_map(Op::Write), 1 => Just(Op::Commit)]
}

/// The faults a request may get, by index (see [`fault`]): a third of the requests pass.
const FAULTS: usize = 15;

fn fault(index: usize) -> Fault {
    match index {
        5 => Fault::Refuse,
        6 => Fault::ResetMidRequest,
        7 => Fault::ResetAfterForward,
        8 => Fault::HoldAnswer(Duration::from_millis(400)),
        9 => Fault::Unavailable,
        10 => Fault::answer(429, &[("Retry-After", "0")], r#"{"error":"slow down"}"#),
        11 => Fault::answer(429, &[("Retry-After", "1")], r#"{"error":"slow down"}"#),
        12 => Fault::answer(
            302,
            &[("Location", "http://u:pw@127.0.0.1:9/write?p=pw")],
            "",
        ),
        13 => Fault::answer(200, &[], "<html>please log in</html>"),
        14 => Fault::forward_then_answer(200, &[], r#"{"error":"not what a write answers"}"#),
        _ => Fault::Pass,
    }
}

#[derive(Debug, Clone)]
struct Case {
    ops: Vec<Op>,
    /// A fault index per request, cycled.
    faults: Vec<usize>,
    /// The client's largest body: small ones cut commits into parts, large ones draw 413s.
    max_body: usize,
    autocommit: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(op(), 4..40),
        prop::collection::vec(0..FAULTS, 1..48),
        prop_oneof![Just(3_000_usize), Just(100_000)],
        prop_oneof![Just(0_usize), Just(9)],
    )
        .prop_map(|(ops, faults, max_body, autocommit)| Case {
            ops,
            faults,
            max_body,
            autocommit,
        })
}

struct World {
    proxy: FaultProxy,
    db: Database,
    runtime: tokio::runtime::Runtime,
    counts: Mutex<BTreeMap<String, u64>>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        // The server lives as long as the process: its database borrows it.
        let server: &'static Server = Box::leak(Box::new(Server::start_configured(
            false,
            "max-body-size = 20000",
        )));
        let proxy = FaultProxy::start(server.base_url());
        let db = server.database("model");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let direct = Client::new(&db.url()).unwrap();
            direct.create_database().await.unwrap();
            direct
                .create_retention_policy(RP, Some(Duration::from_secs(3600)), false)
                .await
                .unwrap();
        });
        World {
            proxy,
            db,
            runtime,
            counts: Mutex::new(BTreeMap::new()),
        }
    })
}

fn count(counts: &mut BTreeMap<String, u64>, what: impl Into<String>, by: u64) {
    *counts.entry(what.into()).or_insert(0) += by;
}

/// One point of the model: its kind, time and the value it was written with.
#[derive(Debug, Clone)]
struct Planned {
    kind: Kind,
    time: i64,
    value: f64,
    point: Point,
}

fn planned(measurement: &str, index: usize, kind: Kind, now: i64) -> Planned {
    let index_i64 = i64::try_from(index).unwrap();
    // Valid and conflicting points share one instant's neighbourhood (one shard); points
    // beyond the retention policy are two hours old.
    let time = match kind {
        Kind::BeyondRetention => now - 2 * 3_600_000_000_000 + index_i64,
        _ => now + index_i64,
    };
    let value = index as f64 + 0.5;
    let base = Point::new(measurement).tag("k", "v").timestamp_nanos(time);
    let point = match kind {
        Kind::Valid | Kind::BeyondRetention => {
            base.field("f", value).field("note", "n".repeat(400))
        }
        Kind::Conflicting => base.field("f", "not a float"),
        Kind::Oversized => base.field("f", value).field("note", "x".repeat(25_000)),
    };
    Planned {
        kind,
        time,
        value,
        point,
    }
}

/// The model of one case: the points planned, those in the session's buffer (in order), those
/// that left it, and the counts of outcomes.
#[derive(Default)]
struct Model {
    planned: Vec<Planned>,
    buffer: VecDeque<usize>,
    left: Vec<usize>,
    counts: BTreeMap<String, u64>,
}

impl Model {
    /// What a call (a write that may autocommit, or a commit) did to the buffer, checked
    /// against the model: the points that left it are its beginning, and every refused one is
    /// reported.
    fn reconcile(&mut self, session: &Session<Point>, outcome: &Result<(), Error>) {
        let held = session.len();
        assert!(
            held <= self.buffer.len(),
            "the session holds points it was never given"
        );
        let gone: Vec<usize> = self.buffer.drain(..self.buffer.len() - held).collect();
        let bad_dropped = gone
            .iter()
            .filter(|&&i| {
                matches!(
                    self.planned[i].kind,
                    Kind::Conflicting | Kind::BeyondRetention
                )
            })
            .count();
        let oversized: BTreeSet<usize> = gone
            .iter()
            .copied()
            .filter(|&i| self.planned[i].kind == Kind::Oversized)
            .collect();
        match outcome {
            Ok(()) => {
                assert_eq!(held, 0, "a commit that succeeded holds nothing");
                assert_eq!(
                    bad_dropped + oversized.len(),
                    0,
                    "points the server refused left the session without a report"
                );
                count(&mut self.counts, "calls: ok", 1);
            }
            Err(err) => {
                count(
                    &mut self.counts,
                    format!("calls: error {:?}", err.kind()),
                    1,
                );
                let report = err.commit_report().unwrap_or_else(|| {
                    panic!("a failed commit without a report: {err:?}");
                });
                assert_eq!(report.held(), held, "{err:?}");
                // The server names handed-back lines; they are exactly the oversized points.
                let handed_back: BTreeSet<&str> = report
                    .refused_lines()
                    .iter()
                    .map(inflow::RefusedLine::line)
                    .collect();
                let expected: BTreeSet<String> = oversized
                    .iter()
                    .map(|&i| {
                        inflow::line_protocol::to_line(
                            &self.planned[i].point,
                            inflow::Precision::Nanoseconds,
                        )
                        .unwrap()
                    })
                    .collect();
                assert_eq!(
                    handed_back,
                    expected.iter().map(String::as_str).collect(),
                    "handed back: the oversized points that left"
                );
                let partially_refused = report.refused() - report.refused_lines().len();
                // The server counts every point it dropped, except that a request with both a type
                // conflict and points beyond the retention policy reports only the conflict.
                assert!(
                    partially_refused <= bad_dropped
                        && (bad_dropped == 0) == (partially_refused == 0),
                    "{bad_dropped} points refused by the server, {partially_refused} reported: {err:?}"
                );
                assert!(
                    bad_dropped == 0 || !report.reasons().is_empty(),
                    "refusals come with the server's reasons"
                );
                count(
                    &mut self.counts,
                    "points refused and reported",
                    report.refused() as u64,
                );
                count(
                    &mut self.counts,
                    "points handed back",
                    report.refused_lines().len() as u64,
                );
            }
        }
        self.left.extend(gone);
    }
}

async fn run(case: &Case, measurement: &str) {
    let world = world();
    let counts = &world.counts;
    let faults: Vec<Fault> = case.faults.iter().map(|&i| fault(i)).collect();
    let mut next = 0_usize;
    world.proxy.plan(move |_, head| {
        if !head.starts_with("POST /write") {
            return Fault::Pass;
        }
        next += 1;
        faults[(next - 1) % faults.len()].clone()
    });
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    )
    .unwrap();
    let direct = Client::new(&world.db.url())
        .unwrap()
        .with_retention_policy(RP);
    // `f` is a float in the shard of the valid points, so that a string `f` conflicts.
    direct
        .write(
            &Point::new(measurement)
                .tag("k", "v")
                .field("f", -1.0)
                .timestamp_nanos(now - 1),
        )
        .await
        .unwrap();
    let url = world
        .db
        .url()
        .replace(world.db.server().base_url(), &world.proxy.base_url());
    let client = Client::builder(url)
        .timeout(Duration::from_millis(250))
        .max_body_size(case.max_body)
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5))
                .max_elapsed(Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    let mut session = client
        .session::<Point>()
        .retention_policy(RP)
        .autocommit_every(case.autocommit);
    let mut model = Model::default();
    for op in &case.ops {
        let outcome = match op {
            Op::Write(kind) => {
                let index = model.planned.len();
                model.planned.push(planned(measurement, index, *kind, now));
                model.buffer.push_back(index);
                let outcome = session.write(&model.planned[index].point).await;
                if session.len() == model.buffer.len() && outcome.is_ok() {
                    continue;
                }
                outcome
            }
            Op::Commit => session.commit().await,
        };
        model.reconcile(&session, &outcome);
    }
    // Faults off: what is held goes out (a slow answer may still time out: try a few times).
    world.proxy.plan(|_, _| Fault::Pass);
    for _ in 0..5 {
        if session.is_empty() {
            break;
        }
        let outcome = session.commit().await;
        model.reconcile(&session, &outcome);
    }
    assert!(
        session.is_empty(),
        "points still held after the faults stopped"
    );
    world.proxy.wait_until(|exchanges| {
        exchanges
            .iter()
            .all(|exchange| exchange.finished || exchange.server_status.is_some())
    });

    // What the server holds: each valid point once, by its time, with its value; nothing else.
    let answer = world
        .db
        .query(&format!("SELECT f FROM \"{RP}\".\"{measurement}\""));
    let mut stored: BTreeMap<i64, f64> = BTreeMap::new();
    let rows = answer["results"][0]["series"][0]["values"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for row in &rows {
        let time = row[0].as_i64().expect("times in ns");
        let value = row[1].as_f64().unwrap();
        assert!(stored.insert(time, value).is_none(), "a time stored twice");
    }
    assert_eq!(stored.remove(&(now - 1)), Some(-1.0), "the setup point");
    let expected: BTreeMap<i64, f64> = model
        .planned
        .iter()
        .filter(|point| point.kind == Kind::Valid)
        .map(|point| (point.time, point.value))
        .collect();
    assert_eq!(
        stored, expected,
        "the server holds exactly the valid points, each once"
    );
    assert_eq!(model.left.len(), model.planned.len());
    count(
        &mut model.counts,
        "points written",
        model.planned.len() as u64,
    );
    count(&mut model.counts, "points stored", expected.len() as u64);
    let mut counts = counts.lock().unwrap_or_else(PoisonError::into_inner);
    for (what, by) in model.counts {
        count(&mut counts, what, by);
    }
    count(&mut counts, "cases", 1);
}

#[test]
fn every_point_ends_stored_refused_and_reported_or_held() {
    let world = world();
    let number = AtomicU32::new(0);
    let config = ProptestConfig {
        cases: CASES,
        max_shrink_iters: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(case in case())| {
        let measurement = format!("m{}", number.fetch_add(1, Ordering::SeqCst));
        world.runtime.block_on(run(&case, &measurement));
    });
    let counts = world.counts.lock().unwrap_or_else(PoisonError::into_inner);
    println!("outcomes over {CASES} cases:");
    for (what, count) in counts.iter() {
        println!("  {what:>40}: {count}");
    }
    let mut faults: BTreeMap<String, u64> = BTreeMap::new();
    for exchange in world.proxy.exchanges() {
        let label = match &exchange.fault {
            Fault::Answer {
                status, headers, ..
            } => format!("answer {status} {headers:?}"),
            Fault::ForwardThenAnswer { status, .. } => format!("forward, then answer {status}"),
            other => other.name().to_owned(),
        };
        count(&mut faults, label, 1);
    }
    println!("faults per request:");
    for (fault, count) in &faults {
        println!("  {fault:>60}: {count}");
    }
    assert_eq!(counts.get("cases"), Some(&u64::from(CASES)));
}
