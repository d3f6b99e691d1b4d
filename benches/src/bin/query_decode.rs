//! Query decoding against a real local InfluxDB (started here): `ROWS` rows (default 100,000)
//! read back with `query_as` into the struct that wrote them, with `query` into raw results,
//! and, as the baseline, the same query fetched with plain reqwest and parsed into
//! `serde_json::Value`; in the same run, best of 3. Prints rows/s and the ratio to the
//! baseline. Run it with `cargo run --release -p inflow-benches --bin query-decode`.

use std::time::Instant;

use inflow::{EpochTime, Measurement, Precision, Query};
use inflow_tests::server::Server;

#[derive(Debug, Clone, Measurement)]
#[inflow(measurement = "temperature")]
struct Reading {
    #[inflow(tag)]
    location: String,
    #[inflow(tag)]
    sensor_type: String,
    value: f64,
    count: i64,
    ok: bool,
    #[inflow(timestamp)]
    at: EpochTime,
}

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(100_000);
    let server = Server::start(false);
    let _ = server.post_query(None, "CREATE DATABASE decode");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|err| panic!("a runtime: {err}"));
    let client = inflow::Client::new(&server.url("decode")).unwrap_or_else(|err| panic!("{err}"));
    runtime.block_on(async {
        let mut session = client.session::<Reading>().autocommit_every(10_000);
        for i in 0..rows {
            let n = i64::try_from(i).unwrap_or(i64::MAX);
            let reading = Reading {
                location: format!("groningen-{}", i % 100),
                sensor_type: "ni1000".to_owned(),
                value: 15.25 + (n % 1000) as f64 / 8.0,
                count: n,
                ok: i % 3 == 0,
                at: EpochTime::nanos(1_700_000_000_000_000_000 + n * 1_000),
            };
            session
                .write(&reading)
                .await
                .unwrap_or_else(|err| panic!("{err}"));
        }
        session.commit().await.unwrap_or_else(|err| panic!("{err}"));
    });
    let query = || Query::new("SELECT * FROM temperature").epoch(Precision::Nanoseconds);
    let url = format!(
        "{}/query?db=decode&epoch=ns&q=SELECT%20*%20FROM%20temperature",
        server.base_url()
    );
    let http = reqwest::Client::new();
    let (mut baseline, mut typed, mut raw) = (0.0_f64, 0.0_f64, 0.0_f64);
    for _ in 0..3 {
        let started = Instant::now();
        let value: serde_json::Value = runtime.block_on(async {
            let body = http
                .get(&url)
                .send()
                .await
                .and_then(|r| r.error_for_status());
            let body = body
                .unwrap_or_else(|err| panic!("{err}"))
                .bytes()
                .await
                .unwrap_or_default();
            serde_json::from_slice(&body).unwrap_or_else(|err| panic!("{err}"))
        });
        let elapsed = started.elapsed();
        let got = value["results"][0]["series"][0]["values"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(got, rows);
        baseline = baseline.max(rows as f64 / elapsed.as_secs_f64());

        let started = Instant::now();
        let readings: Vec<Reading> = runtime
            .block_on(client.query_as(query()))
            .unwrap_or_else(|err| panic!("{err}"));
        let elapsed = started.elapsed();
        assert_eq!(readings.len(), rows);
        typed = typed.max(rows as f64 / elapsed.as_secs_f64());

        let started = Instant::now();
        let results = runtime
            .block_on(client.query(query()))
            .unwrap_or_else(|err| panic!("{err}"));
        let elapsed = started.elapsed();
        assert_eq!(results[0].series()[0].len(), rows);
        raw = raw.max(rows as f64 / elapsed.as_secs_f64());
    }
    println!("{rows} rows of SELECT * from InfluxDB on loopback, fetch and decode (best of 3)\n");
    println!("| path | rows/s | × baseline |");
    println!("|---|---:|---:|");
    println!("| reqwest + serde_json::Value (baseline) | {baseline:.0} | 1.00 |");
    println!(
        "| inflow query_as::<Reading> | {typed:.0} | {:.2} |",
        typed / baseline
    );
    println!(
        "| inflow query (raw results) | {raw:.0} | {:.2} |",
        raw / baseline
    );
}
