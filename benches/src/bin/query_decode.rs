//! Query decoding against a real local InfluxDB (started here): `ROWS` rows (default 100,000)
//! read back with `query_as` into the struct that wrote them, with `query` into raw results,
//! and, as the baseline, the same query fetched with plain reqwest and parsed into
//! `serde_json::Value`; in the same run, best of 3. Prints rows/s and the ratio to the
//! baseline.
//!
//! Then, with no server in the timing: the chunked answer body of the same query, fetched
//! once with `epoch=ns` and once with RFC 3339 times, decoded by each
//! [`inflow_benches::query_body::Decoder`] in the same run, best of 7: client CPU per
//! row, and the ratio to decoding into `serde_json::Value`. With a directory as second argument
//! the two bodies are saved there (`query-body-ns.jsonl`, `query-body-rfc3339.jsonl`) for
//! `decode-n` (instructions) and `alloc-counts --query-body` (allocations).
//!
//! `cargo run --profile bench -p inflow-benches --bin query-decode [ROWS] [DIR]`

use std::time::{Duration, Instant};

use inflow::{EpochTime, Precision, Query};
use inflow_benches::query_body::{Decoder, QueryReading as Reading, decode_body};
use inflow_tests::server::Server;

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(100_000);
    let save_to = std::env::args().nth(2);
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

    decode_bodies(&runtime, &http, &server, rows, save_to.as_deref());
}

/// Times each decoder on the pre-fetched bodies: best of 7 per decoder, in turn.
fn decode_bodies(
    runtime: &tokio::runtime::Runtime,
    http: &reqwest::Client,
    server: &Server,
    rows: usize,
    save_to: Option<&str>,
) {
    const RUNS: usize = 7;
    println!(
        "\n{rows} rows, chunked answer body fetched once, decoded without a server (best of {RUNS})\n"
    );
    println!("| times | decoder | ns/row | × serde_json::Value |");
    println!("|---|---|---:|---:|");
    for (name, epoch, parameter) in [
        ("ns", Some(Precision::Nanoseconds), "&epoch=ns"),
        ("rfc3339", None, ""),
    ] {
        let url = format!(
            "{}/query?db=decode&chunked=true{parameter}&q=SELECT%20*%20FROM%20temperature",
            server.base_url()
        );
        let body = runtime.block_on(async {
            let response = http
                .get(&url)
                .send()
                .await
                .and_then(|r| r.error_for_status());
            response
                .unwrap_or_else(|err| panic!("{err}"))
                .bytes()
                .await
                .unwrap_or_else(|err| panic!("{err}"))
        });
        if let Some(dir) = save_to {
            let path = format!("{dir}/query-body-{name}.jsonl");
            std::fs::write(&path, &body).unwrap_or_else(|err| panic!("{path}: {err}"));
        }
        let bodies = Decoder::ALL.map(|decoder| decoder.body(&body));
        let mut best = [Duration::MAX; Decoder::ALL.len()];
        for _ in 0..RUNS {
            for (index, decoder) in Decoder::ALL.into_iter().enumerate() {
                let started = Instant::now();
                let decoded = decode_body(decoder, std::hint::black_box(&bodies[index]), epoch);
                best[index] = best[index].min(started.elapsed());
                assert_eq!(decoded, rows, "{}", decoder.id());
            }
        }
        let per_row = |elapsed: Duration| elapsed.as_nanos() as f64 / rows as f64;
        let baseline = per_row(best[1]);
        for (index, decoder) in Decoder::ALL.into_iter().enumerate() {
            println!(
                "| {name} | {} | {:.1} | {:.2} |",
                decoder.id(),
                per_row(best[index]),
                per_row(best[index]) / baseline
            );
        }
    }
}
