//! The background writer against the real server: many producers, flush, close, backpressure,
//! events and counters.

use std::time::Duration;

use inflow::{
    Client, EpochTime, ErrorKind, Measurement, Overflow, Point, RetryPolicy, WriterEvent,
};
use inflow_tests::proxy::{Fault, FaultProxy};
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
    // The report counts what close waited for: what was still to be sent when it began.
    assert!(report.stored() <= 40_000, "{report}");
    assert!(report.is_complete(), "{report}");
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

/// A fault proxy in front of the shared server, and the URL of `db` through it.
fn behind_proxy(db: &server::Database) -> (FaultProxy, String) {
    let proxy = FaultProxy::start(server::server().base_url());
    let url = db
        .url()
        .replace(server::server().base_url(), &proxy.base_url());
    (proxy, url)
}

/// A new database behind a fault proxy, and a client of it through the proxy that retries
/// quickly.
fn quickly_retrying_behind_proxy(label: &str) -> (server::Database, FaultProxy, Client) {
    let db = server::server().database(label);
    let (proxy, url) = behind_proxy(&db);
    let client = Client::builder(url).retry(quick_retries()).build().unwrap();
    (db, proxy, client)
}

/// The requests numbered up to `last` answer 503 when they are writes.
fn unavailable_first(proxy: &FaultProxy, last: u64) {
    proxy.plan(move |number, head| {
        if head.starts_with("POST /write") && number <= last {
            Fault::Unavailable
        } else {
            Fault::Pass
        }
    });
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(100))
        .max_elapsed(Duration::from_secs(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_the_server_away_producers_wait_within_the_limit_and_everything_is_stored_when_it_returns()
 {
    let (db, proxy, client) = quickly_retrying_behind_proxy("writer_backpressure");
    let writer = client
        .writer::<Tick>()
        .batch_points(500)
        .max_pending_points(3_000)
        .max_pending_bytes(1 << 20)
        .build()
        .unwrap();
    proxy.refuse_connections();
    let mut tasks = Vec::new();
    for producer in 0..4 {
        let writer = writer.clone();
        tasks.push(tokio::spawn(async move {
            for index in 0..5_000 {
                writer.write(&tick(producer, index)).await.unwrap();
            }
        }));
    }
    // The producers fill the writer to its limit and wait there: nothing can be stored.
    let mut seen_full = false;
    for _ in 0..500 {
        let stats = writer.stats();
        assert!(stats.pending <= 3_000, "{stats:?}");
        assert!(stats.pending_bytes <= 1 << 20, "{stats:?}");
        assert_eq!(
            stats.accepted, stats.pending,
            "nothing stored yet: {stats:?}"
        );
        if stats.pending >= 2_900 {
            seen_full = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen_full, "the writer filled up: {:?}", writer.stats());
    assert!(
        tasks.iter().all(|task| !task.is_finished()),
        "every producer waits"
    );
    proxy.accept_connections();
    for task in tasks {
        task.await.unwrap();
    }
    let stats_before_close = writer.stats();
    assert!(stats_before_close.pending <= 3_000);
    writer.close(Duration::from_secs(30)).await.unwrap();
    assert_eq!(db.count("tick", "value"), 20_000);
    assert_eq!(sum(&db), expected_sum(4, 5_000));
    assert_eq!(writer.stats().stored, 20_000);
}

#[tokio::test]
async fn with_the_error_policy_a_full_writer_refuses_the_point_at_once_and_does_not_take_it() {
    let (db, proxy, client) = quickly_retrying_behind_proxy("writer_full_error");
    let writer = client
        .writer::<Tick>()
        .batch_points(40)
        .max_pending_points(100)
        .overflow(Overflow::Error)
        .build()
        .unwrap();
    proxy.refuse_connections();
    for index in 0..100 {
        writer.write(&tick(0, index)).await.unwrap();
    }
    let err = writer.write(&tick(0, 100)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BufferFull, "{err}");
    assert!(err.to_string().contains("not taken"), "{err}");
    assert_eq!(writer.stats().accepted, 100);
    proxy.accept_connections();
    writer.close(Duration::from_secs(30)).await.unwrap();
    assert_eq!(db.count("tick", "value"), 100);
    let answer = db.query("SELECT \"value\" FROM \"tick\" WHERE \"value\" = 100");
    assert!(
        answer["results"][0]["series"].is_null(),
        "the refused point was not stored: {answer}"
    );
}

#[tokio::test]
async fn waiting_at_most_a_while_ends_in_buffer_full() {
    let (db, proxy, client) = quickly_retrying_behind_proxy("writer_full_wait");
    let writer = client
        .writer::<Tick>()
        .max_pending_points(10)
        .overflow(Overflow::WaitAtMost(Duration::from_millis(200)))
        .build()
        .unwrap();
    proxy.refuse_connections();
    writer
        .write_all((0..10).map(|index| tick(0, index)))
        .await
        .unwrap();
    let err = writer.write(&tick(0, 10)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BufferFull, "{err}");
    assert_eq!(writer.stats().accepted, 10);
    // A list that can never fit is refused at once, whatever the policy.
    let err = writer
        .write_all((0..11).map(|index| tick(1, index)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BufferFull, "{err}");
    assert!(err.to_string().contains("can never fit"), "{err}");
    proxy.accept_connections();
    writer.close(Duration::from_secs(30)).await.unwrap();
    assert_eq!(db.count("tick", "value"), 10);
}

#[tokio::test]
async fn a_point_that_cannot_be_represented_is_refused_in_the_caller_and_nothing_else_is_touched() {
    let db = server::server().database("writer_invalid");
    let client = Client::new(&db.url()).unwrap();
    let writer = client.writer::<Point>().build().unwrap();
    writer
        .write(&Point::new("m").field("f", 1).timestamp_nanos(1))
        .await
        .unwrap();
    let err = writer
        .write(&Point::new("m").field("f", f64::NAN).timestamp_nanos(2))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPoint, "{err}");
    let err = writer
        .write_all([
            Point::new("m").field("f", 3).timestamp_nanos(3),
            Point::new("m").field("f", f64::INFINITY).timestamp_nanos(4),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPoint, "{err}");
    assert!(err.to_string().contains("point 1 of the list"), "{err}");
    assert_eq!(writer.stats().accepted, 1);
    let report = writer.flush().await.unwrap();
    assert_eq!(report.stored(), 1);
    assert_eq!(db.count("m", "f"), 1);
    writer.close(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_refused_batch_is_reported_by_flush_and_as_an_event_and_not_sent_again() {
    let db = server::server().database("writer_refused");
    let client = Client::new(&db.url()).unwrap();
    client
        .write(&Point::new("m").field("f", 1.5).timestamp_nanos(1))
        .await
        .unwrap();
    let writer = client.writer::<Point>().build().unwrap();
    let mut events = writer.events();
    writer
        .write_all([
            Point::new("m").field("f", 2.5).timestamp_nanos(2),
            Point::new("m").field("f", "text").timestamp_nanos(3),
        ])
        .await
        .unwrap();
    let err = writer.flush().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PartialWrite, "{err}");
    let report = err.commit_report().unwrap();
    assert_eq!(
        (report.stored(), report.refused(), report.held()),
        (1, 1, 0),
        "{report}"
    );
    assert!(
        report.reasons()[0].contains("field type conflict"),
        "{:?}",
        report.reasons()
    );
    match events.try_next() {
        Some(WriterEvent::Refused { points, error }) => {
            assert_eq!(points, 1);
            assert_eq!(error.kind(), ErrorKind::PartialWrite);
        }
        other => panic!("expected a refusal event, got {other:?}"),
    }
    let stats = writer.stats();
    assert_eq!(
        (stats.stored, stats.refused, stats.pending),
        (1, 1, 0),
        "{stats:?}"
    );
    // Nothing is left to send: the next flush has nothing to report.
    let report = writer.flush().await.unwrap();
    assert_eq!(report.stored(), 0);
    writer.close(Duration::from_secs(5)).await.unwrap();
    assert_eq!(db.count("m", "f"), 2);
}

#[tokio::test]
async fn when_the_retry_policy_gives_up_the_points_stay_held_and_flush_says_so() {
    let db = server::server().database("writer_stalled");
    let (proxy, url) = behind_proxy(&db);
    let client = Client::builder(url)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let writer = client.writer::<Tick>().build().unwrap();
    let mut events = writer.events();
    proxy.inject(Fault::Unavailable, 1);
    writer
        .write_all((0..50).map(|index| tick(0, index)))
        .await
        .unwrap();
    let err = writer.flush().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    let report = err.commit_report().unwrap();
    assert_eq!(
        (report.stored(), report.refused(), report.held()),
        (0, 0, 50),
        "{report}"
    );
    // One event per lane that stalled, with the points held in it.
    let mut stalled = 0;
    while stalled < 50 {
        match events.next().await {
            Some(WriterEvent::Stalled { points, error }) => {
                assert_eq!(error.kind(), ErrorKind::Server);
                stalled += points;
            }
            other => panic!("expected a stall event, got {other:?}"),
        }
    }
    assert_eq!(stalled, 50);
    assert_eq!(writer.stats().pending, 50);
    // The server is back: the next flush tries the held points again at once.
    proxy.inject(Fault::Pass, 1);
    let report = writer.flush().await.unwrap();
    assert_eq!(report.stored(), 50);
    assert_eq!(db.count("tick", "value"), 50);
    writer.close(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn close_hands_back_what_it_could_not_send_by_its_deadline() {
    let (db, proxy, client) = quickly_retrying_behind_proxy("writer_close_deadline");
    let writer = client.writer::<Tick>().build().unwrap();
    proxy.refuse_connections();
    let points: Vec<Tick> = (0..30).map(|index| tick(2, index)).collect();
    writer.write_all(&points).await.unwrap();
    let err = writer.close(Duration::from_millis(300)).await.unwrap_err();
    let report = err.commit_report().expect("a report");
    assert_eq!(report.held(), 30, "{report}");
    let mut expected: Vec<String> = points
        .iter()
        .map(|point| inflow::line_protocol::to_line(point, inflow::Precision::Nanoseconds).unwrap())
        .collect();
    let mut unsent: Vec<String> = report
        .unsent_line_protocol()
        .split_inclusive('\n')
        .map(str::to_owned)
        .collect();
    expected.sort();
    unsent.sort();
    assert_eq!(unsent, expected);
    let stats = writer.stats();
    assert_eq!(
        (stats.returned, stats.pending, stats.dropped),
        (30, 0, 0),
        "{stats:?}"
    );
    assert_eq!(
        writer.write(&tick(2, 99)).await.unwrap_err().kind(),
        ErrorKind::Closed
    );
    assert_eq!(writer.flush().await.unwrap_err().kind(), ErrorKind::Closed);
    proxy.accept_connections();
    assert_eq!(db.count("tick", "value"), 0);
}

#[tokio::test]
async fn a_writer_dropped_without_close_keeps_sending_in_the_background() {
    let db = server::server().database("writer_dropped");
    let client = Client::new(&db.url()).unwrap();
    let writer = client
        .writer::<Tick>()
        .flush_interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    let watcher = writer.events();
    writer
        .write_all((0..1_000).map(|index| tick(3, index)))
        .await
        .unwrap();
    drop(writer);
    // Not a timing assertion: wait for the background task to end (its event stream closes).
    let mut watcher = watcher;
    assert!(
        watcher.next().await.is_none(),
        "no event: nothing refused or abandoned"
    );
    assert_eq!(db.count("tick", "value"), 1_000);
}

#[tokio::test]
async fn of_two_points_of_one_series_and_time_the_one_written_later_wins_across_retries() {
    let (db, proxy, client) = quickly_retrying_behind_proxy("writer_order");
    let writer = client
        .writer::<Point>()
        .batch_points(10)
        .max_in_flight(4)
        .build()
        .unwrap();
    // The first requests fail and are retried while later batches are cut.
    unavailable_first(&proxy, 3);
    for round in 0..20_i64 {
        for series in 0..10 {
            writer
                .write(
                    &Point::new("order")
                        .tag("series", series.to_string())
                        .field("round", round)
                        .timestamp_nanos(1),
                )
                .await
                .unwrap();
        }
    }
    writer.close(Duration::from_secs(30)).await.unwrap();
    let answer = db.query("SELECT \"round\" FROM \"order\" GROUP BY \"series\"");
    let series = answer["results"][0]["series"].as_array().unwrap();
    assert_eq!(series.len(), 10);
    for one in series {
        assert_eq!(one["values"][0][1], 19, "the last write wins: {one}");
    }
}

#[test]
fn the_blocking_writer_takes_points_from_threads_and_closes() {
    let db = server::server().database("writer_blocking");
    let client = inflow::blocking::Client::new(&db.url()).unwrap();
    let writer = client.writer::<Tick>().batch_points(300).build().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|producer| {
            let writer = writer.clone();
            std::thread::spawn(move || {
                for index in 0..1_000 {
                    writer.write(&tick(producer, index)).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    writer.flush().unwrap();
    assert_eq!(writer.stats().stored, 4_000);
    writer.close(Duration::from_secs(10)).unwrap();
    assert_eq!(db.count("tick", "value"), 4_000);
    assert_eq!(sum(&db), expected_sum(4, 1_000));
    assert_eq!(writer.stats().stored, 4_000);
}

#[tokio::test]
async fn options_out_of_range_are_refused_when_the_writer_is_built() {
    let client = Client::new("http://localhost:8086/db").unwrap();
    for (builder, option) in [
        (client.writer::<Point>().batch_points(0), "batch_points"),
        (client.writer::<Point>().batch_bytes(0), "batch_bytes"),
        (client.writer::<Point>().max_in_flight(0), "max_in_flight"),
        (
            client.writer::<Point>().max_pending_points(0),
            "max_pending_points",
        ),
        (
            client.writer::<Point>().max_pending_bytes(0),
            "max_pending_bytes",
        ),
        (
            client.writer::<Point>().flush_interval(Duration::ZERO),
            "flush_interval",
        ),
        (
            client.writer::<Point>().retention_policy(""),
            "retention policy",
        ),
    ] {
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
        assert!(err.to_string().contains(option), "{option}: {err}");
    }
}

#[test]
fn an_async_writer_needs_a_runtime() {
    let client = Client::new("http://localhost:8086/db").unwrap();
    let err = client.writer::<Point>().build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.to_string().contains("Tokio runtime"), "{err}");
}

/// Polls `done` every 20 ms for up to 30 s: waiting for the background task, not timing it.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..1_500 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

#[tokio::test]
async fn a_failed_request_is_retried_on_the_writer_s_own_timer_without_new_writes() {
    let (db, proxy, client) = quickly_retrying_behind_proxy("writer_timer_retry");
    let writer = client
        .writer::<Tick>()
        .batch_points(10)
        .max_in_flight(1)
        .build()
        .unwrap();
    unavailable_first(&proxy, 2);
    writer
        .write_all((0..10).map(|index| tick(4, index)))
        .await
        .unwrap();
    // No further write, no flush: the retry comes from the writer's timer.
    assert!(
        eventually(|| db.count("tick", "value") == 10).await,
        "stored: {}, {:?}",
        db.count("tick", "value"),
        writer.stats()
    );
    // The server answers before the writer reads the answer.
    assert!(eventually(|| writer.stats().pending == 0).await);
    let stats = writer.stats();
    assert_eq!(
        (stats.stored, stats.retried, stats.pending),
        (10, 2, 0),
        "{stats:?}"
    );
    assert_eq!(proxy.fault_counts().get("Unavailable"), Some(&2));
    writer.close(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_batch_smaller_than_its_size_is_sent_once_the_flush_interval_has_passed() {
    let db = server::server().database("writer_interval");
    let client = Client::new(&db.url()).unwrap();
    let writer = client
        .writer::<Tick>()
        .batch_points(1_000)
        .flush_interval(Duration::from_millis(100))
        .jitter(Duration::from_millis(50))
        .build()
        .unwrap();
    writer
        .write_all((0..7).map(|index| tick(5, index)))
        .await
        .unwrap();
    assert!(
        eventually(|| db.count("tick", "value") == 7).await,
        "{:?}",
        writer.stats()
    );
    assert!(eventually(|| writer.stats().stored == 7).await);
    writer.close(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_writer_dropped_without_close_abandons_what_its_retry_policy_gave_up_on_and_says_so() {
    let db = server::server().database("writer_abandon");
    let (proxy, url) = behind_proxy(&db);
    let client = Client::builder(url)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let writer = client.writer::<Tick>().build().unwrap();
    let mut events = writer.events();
    proxy.refuse_connections();
    writer
        .write_all((0..20).map(|index| tick(6, index)))
        .await
        .unwrap();
    drop(writer);
    let mut abandoned = 0;
    while let Some(event) = events.next().await {
        match event {
            WriterEvent::Abandoned { points } => abandoned += points,
            other => panic!("expected only abandonments, got {other:?}"),
        }
    }
    assert_eq!(abandoned, 20);
    proxy.accept_connections();
    assert_eq!(db.count("tick", "value"), 0);
}

#[test]
fn a_runtime_that_stops_under_a_writer_counts_what_it_abandoned() {
    let db = server::server().database("writer_runtime_gone");
    let (proxy, url) = behind_proxy(&db);
    proxy.refuse_connections();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let writer = runtime.block_on(async {
        let client = Client::builder(&url)
            .retry(quick_retries())
            .build()
            .unwrap();
        let writer = client.writer::<Tick>().build().unwrap();
        writer
            .write_all((0..15).map(|index| tick(7, index)))
            .await
            .unwrap();
        writer
    });
    let mut events = writer.events();
    drop(runtime);
    let stats = writer.stats();
    assert_eq!((stats.dropped, stats.pending), (15, 0), "{stats:?}");
    assert!(matches!(
        events.try_next(),
        Some(WriterEvent::Abandoned { points: 15 })
    ));
}

/// Writes one `tick` point of `producer` whose `value` is a float: `Tick::value`, an integer,
/// then conflicts with the server's field.
async fn make_value_a_float(client: &Client, producer: u32) {
    client
        .write(
            &Point::new("tick")
                .tag("producer", producer.to_string())
                .tag("series", "0")
                .field("value", 0.5)
                .timestamp_nanos(1),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_type_conflict_refused_to_a_writer_names_the_rust_field() {
    let db = server::server().database("writer_conflict_field");
    let client = Client::new(&db.url()).unwrap();
    // `value` exists as a float: the writer's integer `Tick::value` conflicts with it.
    make_value_a_float(&client, 9).await;
    let writer = client.writer::<Tick>().build().unwrap();
    let mut events = writer.events();
    writer.write(&tick(9, 1)).await.unwrap();
    let err = writer.flush().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PartialWrite, "{err}");
    assert!(
        err.to_string()
            .contains("`Tick::value` (i64, written as integer)"),
        "{err}"
    );
    match events.try_next() {
        Some(WriterEvent::Refused { error, .. }) => {
            assert!(error.to_string().contains("`Tick::value`"), "{error}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    writer.close(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_writer_that_verifies_the_schema_sends_nothing_while_it_conflicts() {
    let db = server::server().database("writer_verify_schema");
    let client = Client::new(&db.url()).unwrap();
    make_value_a_float(&client, 8).await;
    let writer = client.writer::<Tick>().verify_schema().build().unwrap();
    writer
        .write_all((0..5).map(|index| tick(8, index + 10)))
        .await
        .unwrap();
    let err = writer.flush().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SchemaConflict, "{err}");
    assert!(
        err.message()
            .contains("`Tick::value` (i64, written as integer)"),
        "{err}"
    );
    let report = err.commit_report().unwrap();
    assert_eq!(
        (report.stored(), report.refused(), report.held()),
        (0, 0, 5),
        "{report}"
    );
    assert_eq!(db.count("tick", "value"), 1, "nothing was sent");
    // The conflict gone (another database has no `tick`), the next flush checks again and sends.
    let (fresh, url) = {
        let fresh = server::server().database("writer_verify_schema_ok");
        let url = fresh.url();
        (fresh, url)
    };
    let client = Client::new(&url).unwrap();
    let writer_ok = client.writer::<Tick>().verify_schema().build().unwrap();
    writer_ok
        .write_all((0..5).map(|index| tick(8, index)))
        .await
        .unwrap();
    assert_eq!(writer_ok.flush().await.unwrap().stored(), 5);
    assert_eq!(fresh.count("tick", "value"), 5);
    writer_ok.close(Duration::from_secs(5)).await.unwrap();
    let err = writer.close(Duration::from_millis(500)).await.unwrap_err();
    assert_eq!(err.commit_report().unwrap().held(), 5, "{err}");
    let err = client
        .writer::<Point>()
        .verify_schema()
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
}
