//! End-to-end ingest into a real local InfluxDB (started here, as the tests do): `POINTS`
//! points (default 500,000) in commits of 5,000 through `Session` (async and blocking),
//! against the ceiling of POSTing the very same pre-encoded bodies with plain reqwest, in the
//! same run; each in a database of its own, each checked by `count(*)`. The three take turns
//! commit by commit, so that the server's ups and downs fall on all three alike. Prints
//! points/s and the ratio to the ceiling, per round and the median of `ROUNDS` rounds
//! (default 5). Run it with
//! `cargo run --profile bench -p inflow-benches --bin ingest [POINTS [ROUNDS]]`.

use std::time::{Duration, Instant};

use inflow::Precision;
use inflow::line_protocol::Encoder;
use inflow_benches::Reading;
use inflow_tests::server::Server;

const COMMIT: usize = 5_000;

/// The readings of the encoding benchmark, as many as asked for.
fn readings(points: usize) -> Vec<Reading> {
    inflow_benches::samples(points)
        .iter()
        .map(Reading::from)
        .collect()
}

/// The three ways in, in the order of the table.
const PATHS: [&str; 3] = [
    "raw reqwest POST of pre-encoded bodies (ceiling)",
    "inflow::Session (async)",
    "inflow::blocking::Session",
];

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|arg| arg.parse::<usize>().ok());
    let points = args.next().flatten().unwrap_or(500_000);
    let rounds = args.next().flatten().unwrap_or(5).max(1);
    let server = Server::start(false);
    let readings = readings(points);
    // The ceiling's bodies: the same lines, encoded before the clock starts.
    let bodies: Vec<Vec<u8>> = readings
        .chunks(COMMIT)
        .map(|chunk| {
            let mut encoder = Encoder::new(Precision::Nanoseconds);
            for reading in chunk {
                encoder.encode(reading).unwrap_or_default();
            }
            encoder.take_bytes()
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|err| panic!("a runtime: {err}"));
    let http = reqwest::Client::new();
    // Rounds of the three paths taking turns commit by commit (each into a database of its
    // own, the first path of each turn rotating), so that the server's own ups and downs fall
    // on all three alike; each path's time is the sum of its commits.
    let mut results: [Vec<f64>; 3] = Default::default();
    for round in 0..rounds {
        let databases: Vec<String> = (0..PATHS.len())
            .map(|path| format!("ingest_{path}_{round}"))
            .collect();
        for database in &databases {
            let _ = server.post_query(None, &format!("CREATE DATABASE {database}"));
        }
        let url = format!("{}/write?db={}", server.base_url(), databases[0]);
        let client =
            inflow::Client::new(&server.url(&databases[1])).unwrap_or_else(|err| panic!("{err}"));
        let mut session = client.session::<Reading>().autocommit_every(COMMIT);
        let blocking = inflow::blocking::Client::new(&server.url(&databases[2]))
            .unwrap_or_else(|err| panic!("{err}"));
        let mut blocking_session = blocking.session::<Reading>().autocommit_every(COMMIT);
        let mut elapsed = [Duration::ZERO; 3];
        for (turn, (chunk, body)) in readings.chunks(COMMIT).zip(&bodies).enumerate() {
            for step in 0..PATHS.len() {
                let path = (turn + step) % PATHS.len();
                let started = Instant::now();
                match path {
                    0 => runtime.block_on(async {
                        let response = http.post(&url).body(body.clone()).send().await;
                        assert!(response.is_ok_and(|r| r.status().as_u16() == 204));
                    }),
                    1 => runtime.block_on(async {
                        for reading in chunk {
                            session
                                .write(reading)
                                .await
                                .unwrap_or_else(|err| panic!("{err}"));
                        }
                    }),
                    _ => {
                        for reading in chunk {
                            blocking_session
                                .write(reading)
                                .unwrap_or_else(|err| panic!("{err}"));
                        }
                    }
                }
                elapsed[path] += started.elapsed();
            }
        }
        // A last chunk shorter than a commit is still buffered.
        let started = Instant::now();
        runtime
            .block_on(session.commit())
            .unwrap_or_else(|err| panic!("{err}"));
        elapsed[1] += started.elapsed();
        let started = Instant::now();
        blocking_session
            .commit()
            .unwrap_or_else(|err| panic!("{err}"));
        elapsed[2] += started.elapsed();
        for (path, database) in databases.iter().enumerate() {
            assert_eq!(
                inflow_benches::stored_temperatures(&server, database),
                points as u64,
                "{}",
                PATHS[path]
            );
            let rate = inflow_benches::points_per_second(points, elapsed[path]);
            eprintln!("round {round}: {} {rate:.0} points/s", PATHS[path]);
            results[path].push(rate);
        }
    }
    // The median round of each, and each round's ratio to the ceiling of the same round.
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let ratios = |path: usize| -> Vec<f64> {
        results[path]
            .iter()
            .zip(&results[0])
            .map(|(rate, ceiling)| rate / ceiling)
            .collect()
    };
    println!("{points} points in commits of {COMMIT} into InfluxDB on loopback, {rounds} rounds\n");
    println!("| path | median points/s | median × ceiling | × ceiling, every round |");
    println!("|---|---:|---:|---|");
    for (path, name) in PATHS.iter().enumerate() {
        let each = ratios(path);
        let listed: Vec<String> = each.iter().map(|ratio| format!("{ratio:.2}")).collect();
        println!(
            "| {name} | {:.0} | {:.2} | {} |",
            median(results[path].clone()),
            median(each),
            listed.join(", ")
        );
    }
}
