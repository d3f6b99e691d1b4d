//! End-to-end ingest into a real local InfluxDB (started here, as the tests do) through the
//! background [`inflow::Writer`], against the ceiling of POSTing the very same points,
//! pre-encoded in batches of the writer's batch size, with plain reqwest, one or two requests at
//! a time; all in the same run.
//!
//! `POINTS` points (default 500,000) of `SERIES` series (default 1,000: `location` takes that
//! many values), four ways, each into a database of its own and checked by `count(*)`:
//!
//! - raw reqwest POSTs of pre-encoded bodies of `BATCH` (5,000) points, one in flight;
//! - the same, two in flight (two tasks taking the next body in turn): the ceiling the writer,
//!   with its default two requests in flight, is measured against;
//! - `Writer::write` from 1 producer task, `batch_points(BATCH)`, `max_in_flight(2)`;
//! - the same writer fed by 8 producer tasks, each writing the points of its own series (a
//!   series is one producer's, as one sensor is one task's).
//!
//! The writer spreads the series over its lanes (one per request in flight), each lane sending
//! one request at a time: with a single series it would use one lane, one request in flight,
//! however many it is allowed. So the points have many series.
//!
//! The server's pace moves from minute to minute, so the four take turns slice by slice
//! (`SLICE` points, default 100,000; the first path of each turn rotating), each slice ending
//! with everything stored (the writer's slice ends when its `flush` returns), and each path's
//! time is the sum of its slices. Prints points/s and the ratio to the two-in-flight ceiling,
//! per round and the median of `ROUNDS` rounds (default 5), and the write requests each path
//! made (the server's `writeReq`). Encoding is inside the writer's timing, not the ceiling's.
//!
//! ```text
//! cargo run --profile bench -p inflow-benches --bin ingest-writer [POINTS [ROUNDS [SLICE [SERIES]]]]
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use inflow::Precision;
use inflow::line_protocol::Encoder;
use inflow_benches::Reading;
use inflow_tests::server::Server;

/// Points per batch: the ceiling's bodies and the writer's `batch_points`.
const BATCH: usize = 5_000;
/// Producer tasks of the many-producer writer.
const PRODUCERS: usize = 8;
/// Requests in flight of the writer (its default) and of the faster ceiling.
const IN_FLIGHT: usize = 2;

/// The ways in, in the order of the table.
const PATHS: [&str; 4] = [
    "raw reqwest POST of pre-encoded bodies, 1 in flight",
    "raw reqwest POST of pre-encoded bodies, 2 in flight (ceiling)",
    "inflow::Writer, 1 producer task",
    "inflow::Writer, 8 producer tasks",
];
/// The path every ratio is taken against.
const CEILING: usize = 1;

/// The encoding benchmark's readings, as many as asked for, over `series` locations.
fn readings(points: usize, series: usize) -> Vec<Reading> {
    inflow_benches::samples(points)
        .iter()
        .enumerate()
        .map(|(i, sample)| Reading {
            location: format!("site-{}", i % series),
            ..Reading::from(sample)
        })
        .collect()
}

async fn post(http: &reqwest::Client, url: &str, body: Bytes) {
    let response = http.post(url).body(body).send().await;
    match response {
        Ok(response) if response.status().as_u16() == 204 => {}
        Ok(response) => panic!("the server answered {}", response.status()),
        Err(err) => panic!("a raw POST failed: {err}"),
    }
}

/// POSTs `bodies` with `in_flight` requests out at once.
async fn post_all(http: &reqwest::Client, url: &str, bodies: &[Bytes], in_flight: usize) {
    if in_flight == 1 {
        for body in bodies {
            post(http, url, body.clone()).await;
        }
        return;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let bodies: Arc<[Bytes]> = bodies.into();
    let mut tasks = Vec::new();
    for _ in 0..in_flight {
        let (http, url, next, bodies) = (
            http.clone(),
            url.to_owned(),
            Arc::clone(&next),
            Arc::clone(&bodies),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(index) else {
                    break;
                };
                post(&http, &url, body.clone()).await;
            }
        }));
    }
    for task in tasks {
        task.await
            .unwrap_or_else(|err| panic!("a poster panicked: {err}"));
    }
}

/// Writes `readings[range]` through `writer` from `producers` tasks (task `t` writes the
/// points of the series `s` with `s % producers == t`), then flushes.
async fn write_slice(
    writer: &inflow::Writer<Reading>,
    readings: &Arc<Vec<Reading>>,
    range: std::ops::Range<usize>,
    producers: usize,
    series: usize,
) {
    let mut tasks = Vec::new();
    for producer in 0..producers {
        let (writer, readings, range) = (writer.clone(), Arc::clone(readings), range.clone());
        tasks.push(tokio::spawn(async move {
            for index in range {
                if (index % series) % producers != producer {
                    continue;
                }
                writer
                    .write(&readings[index])
                    .await
                    .unwrap_or_else(|err| panic!("the writer refused a point: {err}"));
            }
        }));
    }
    for task in tasks {
        task.await
            .unwrap_or_else(|err| panic!("a producer panicked: {err}"));
    }
    let report = writer
        .flush()
        .await
        .unwrap_or_else(|err| panic!("a flush failed: {err}"));
    assert_eq!(report.refused(), 0, "{report:?}");
}

#[allow(clippy::too_many_lines)]
fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|arg| arg.parse::<usize>().ok());
    let points = args.next().flatten().unwrap_or(500_000);
    let rounds = args.next().flatten().unwrap_or(5).max(1);
    let slice = args
        .next()
        .flatten()
        .unwrap_or(100_000)
        .clamp(BATCH, points.max(BATCH));
    let series = args.next().flatten().unwrap_or(1_000).max(1);
    let server = Server::start(false);
    let readings = Arc::new(readings(points, series));
    // The ceiling's bodies: the same lines, encoded before the clock starts.
    let bodies: Vec<Bytes> = readings
        .chunks(BATCH)
        .map(|chunk| {
            let mut encoder = Encoder::new(Precision::Nanoseconds);
            for reading in chunk {
                encoder.encode(reading).unwrap_or_default();
            }
            Bytes::from(encoder.take_bytes())
        })
        .collect();
    let bodies_per_slice = slice.div_ceil(BATCH);
    let slice = bodies_per_slice * BATCH;
    // Two workers, one per core of the machine the figures were taken on.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|err| panic!("a runtime: {err}"));
    let http = reqwest::Client::new();
    let mut results: [Vec<f64>; 4] = Default::default();
    let mut requests = [0_u64; 4];
    for round in 0..rounds {
        let databases: Vec<String> = (0..PATHS.len())
            .map(|path| format!("ingest_writer_{path}_{round}"))
            .collect();
        for database in &databases {
            let _ = server.post_query(None, &format!("CREATE DATABASE {database}"));
        }
        let urls: Vec<String> = databases
            .iter()
            .map(|database| format!("{}/write?db={database}", server.base_url()))
            .collect();
        let writers: Vec<inflow::Writer<Reading>> = (2..4)
            .map(|path| {
                let client = inflow::Client::new(&server.url(&databases[path]))
                    .unwrap_or_else(|err| panic!("{err}"));
                let _entered = runtime.enter();
                client
                    .writer::<Reading>()
                    .batch_points(BATCH)
                    .max_in_flight(IN_FLIGHT)
                    .build()
                    .unwrap_or_else(|err| panic!("{err}"))
            })
            .collect();
        let mut elapsed = [Duration::ZERO; 4];
        for (turn, start) in (0..points).step_by(slice).enumerate() {
            let end = (start + slice).min(points);
            let first_body = start / BATCH;
            let slice_bodies = &bodies[first_body..end.div_ceil(BATCH)];
            for step in 0..PATHS.len() {
                let path = (turn + round + step) % PATHS.len();
                let requests_before = server.write_requests();
                let started = Instant::now();
                runtime.block_on(async {
                    match path {
                        0 => post_all(&http, &urls[0], slice_bodies, 1).await,
                        1 => post_all(&http, &urls[1], slice_bodies, IN_FLIGHT).await,
                        2 => write_slice(&writers[0], &readings, start..end, 1, series).await,
                        _ => {
                            write_slice(&writers[1], &readings, start..end, PRODUCERS, series)
                                .await;
                        }
                    }
                });
                elapsed[path] += started.elapsed();
                requests[path] += server.write_requests() - requests_before;
            }
        }
        for writer in &writers {
            runtime
                .block_on(writer.close(Duration::from_secs(60)))
                .unwrap_or_else(|err| panic!("a close failed: {err}"));
        }
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
            let _ = server.post_query(None, &format!("DROP DATABASE {database}"));
        }
    }
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let ratios = |path: usize| -> Vec<f64> {
        results[path]
            .iter()
            .zip(&results[CEILING])
            .map(|(rate, ceiling)| rate / ceiling)
            .collect()
    };
    println!(
        "{points} points of {series} series into InfluxDB on loopback, batches of {BATCH}, \
         slices of {slice}, {rounds} rounds\n"
    );
    println!(
        "| path | median points/s | median × ceiling (2 in flight) | × ceiling, every round | points/request |"
    );
    println!("|---|---:|---:|---|---:|");
    for (path, name) in PATHS.iter().enumerate() {
        let each = ratios(path);
        let listed: Vec<String> = each.iter().map(|ratio| format!("{ratio:.2}")).collect();
        #[allow(clippy::cast_precision_loss)]
        let per_request = (points * rounds) as f64 / requests[path].max(1) as f64;
        println!(
            "| {name} | {:.0} | {:.2} | {} | {per_request:.0} |",
            median(results[path].clone()),
            median(each),
            listed.join(", "),
        );
    }
}
