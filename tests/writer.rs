//! The background writer against the real server: many producers, flush, close, backpressure,
//! events and counters.

use std::time::Duration;

use inflow::{Client, EpochTime, ErrorKind, Measurement};
use inflow_tests::server;

/// A point of the writer tests: `value` is unique per producer and index, so that a count and
/// a sum read back tell whether each was stored exactly once.
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

fn tick(producer: u32, index: u32) -> Tick {
    Tick {
        producer,
        series: index % 50,
        value: i64::from(producer) * 1_000_000 + i64::from(index),
        at: EpochTime::nanos(i64::from(index) + 1),
    }
}

fn expected_sum(producers: u32, per_producer: u32) -> i64 {
    (0..producers)
        .flat_map(|producer| (0..per_producer).map(move |index| tick(producer, index).value))
        .sum()
}

fn sum(db: &server::Database) -> i64 {
    let answer = db.query("SELECT sum(\"value\") FROM \"tick\"");
    answer["results"][0]["series"][0]["values"][0][1]
        .as_i64()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_producers_write_through_one_writer_and_close_stores_every_point_once() {
    let db = server::server().database("writer_many");
    let client = Client::new(&db.url()).unwrap();
    let writer = client.writer::<Tick>().batch_points(700).build().unwrap();
    let mut tasks = Vec::new();
    for producer in 0..8 {
        let writer = writer.clone();
        tasks.push(tokio::spawn(async move {
            for index in 0..5_000 {
                writer.write(&tick(producer, index)).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let report = writer.close(Duration::from_secs(30)).await.unwrap();
    assert_eq!(report.stored(), 40_000, "{report}");
    assert_eq!(db.count("tick", "value"), 40_000);
    assert_eq!(sum(&db), expected_sum(8, 5_000));
    let stats = writer.stats();
    assert_eq!(stats.accepted, 40_000);
    assert_eq!(stats.stored, 40_000);
    assert_eq!(stats.pending, 0);
    assert_eq!(stats.dropped, 0);
    let err = writer.write(&tick(0, 0)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed);
}
