//! End-to-end ingest into a real local InfluxDB (started here, as the tests do): `POINTS`
//! points (default 500,000) in commits of 5,000 through `Session` (async and blocking),
//! against the ceiling of POSTing the very same pre-encoded bodies with plain reqwest, in the
//! same run; each in a database of its own, each checked by `count(*)`. Prints points/s and
//! the ratio to the ceiling. Run it with `cargo run --release -p inflow-benches --bin ingest`.

use std::time::{Duration, Instant};

use inflow::line_protocol::Encoder;
use inflow::{EpochTime, Measurement, Precision};
use inflow_tests::server::Server;

const COMMIT: usize = 5_000;

#[derive(Debug, Clone, Measurement)]
#[inflow(measurement = "temperature")]
struct Reading {
    #[inflow(tag)]
    location: String,
    #[inflow(tag)]
    sensor_type: &'static str,
    value: f64,
    count: i64,
    ok: bool,
    #[inflow(timestamp)]
    at: EpochTime,
}

fn readings(points: usize) -> Vec<Reading> {
    (0..points)
        .map(|i| {
            let n = i64::try_from(i).unwrap_or(i64::MAX);
            Reading {
                location: format!("groningen-{}", i % 100),
                sensor_type: "ni1000",
                value: 15.0 + (n % 1000) as f64 / 8.0,
                count: n,
                ok: i % 3 == 0,
                at: EpochTime::nanos(1_700_000_000_000_000_000 + n * 1_000),
            }
        })
        .collect()
}

fn count(server: &Server, database: &str) -> u64 {
    let answer = server.post_query(Some(database), "SELECT count(value) FROM temperature");
    answer["results"][0]["series"][0]["values"][0][1]
        .as_u64()
        .unwrap_or(0)
}

fn rate(points: usize, elapsed: Duration) -> f64 {
    points as f64 / elapsed.as_secs_f64()
}

fn main() {
    let points: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(500_000);
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
    let mut results: Vec<(&str, f64)> = Vec::new();
    for round in 0..2 {
        let database = format!("raw{round}");
        let _ = server.post_query(None, &format!("CREATE DATABASE {database}"));
        let url = format!("{}/write?db={database}", server.base_url());
        let http = reqwest::Client::new();
        let started = Instant::now();
        runtime.block_on(async {
            for body in &bodies {
                let response = http.post(&url).body(body.clone()).send().await;
                assert!(response.is_ok_and(|r| r.status().as_u16() == 204));
            }
        });
        let elapsed = started.elapsed();
        assert_eq!(count(&server, &database), points as u64);
        results.push((
            "raw reqwest POST of pre-encoded bodies (ceiling)",
            rate(points, elapsed),
        ));

        let database = format!("session{round}");
        let _ = server.post_query(None, &format!("CREATE DATABASE {database}"));
        let client =
            inflow::Client::new(&server.url(&database)).unwrap_or_else(|err| panic!("{err}"));
        let started = Instant::now();
        runtime.block_on(async {
            let mut session = client.session::<Reading>().autocommit_every(COMMIT);
            for reading in &readings {
                session
                    .write(reading)
                    .await
                    .unwrap_or_else(|err| panic!("{err}"));
            }
            session.commit().await.unwrap_or_else(|err| panic!("{err}"));
        });
        let elapsed = started.elapsed();
        assert_eq!(count(&server, &database), points as u64);
        results.push(("inflow::Session (async)", rate(points, elapsed)));

        let database = format!("blocking{round}");
        let _ = server.post_query(None, &format!("CREATE DATABASE {database}"));
        let client = inflow::blocking::Client::new(&server.url(&database))
            .unwrap_or_else(|err| panic!("{err}"));
        let started = Instant::now();
        let mut session = client.session::<Reading>().autocommit_every(COMMIT);
        for reading in &readings {
            session.write(reading).unwrap_or_else(|err| panic!("{err}"));
        }
        session.commit().unwrap_or_else(|err| panic!("{err}"));
        let elapsed = started.elapsed();
        assert_eq!(count(&server, &database), points as u64);
        results.push(("inflow::blocking::Session", rate(points, elapsed)));
    }
    // The better of the two rounds of each, so that the server's warm-up counts for none.
    let best = |name: &str| {
        results
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, r)| *r)
            .fold(0.0, f64::max)
    };
    let ceiling = best("raw reqwest POST of pre-encoded bodies (ceiling)");
    println!(
        "{points} points in commits of {COMMIT} into InfluxDB on loopback (best of 2 rounds)\n"
    );
    println!("| path | points/s | × ceiling |");
    println!("|---|---:|---:|");
    for name in [
        "raw reqwest POST of pre-encoded bodies (ceiling)",
        "inflow::Session (async)",
        "inflow::blocking::Session",
    ] {
        println!(
            "| {name} | {:.0} | {:.2} |",
            best(name),
            best(name) / ceiling
        );
    }
}
