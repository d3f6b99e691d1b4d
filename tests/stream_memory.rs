//! Streaming a million rows keeps memory flat: the peak of the process's heap while
//! `query_stream` reads 1,000,000 rows stays bounded by the chunk size, while `query_as` of
//! the same rows holds them all, decoded, and otherwise no more than a stream does (it decodes
//! the answer chunk by chunk, never holding its whole text). A counting global allocator
//! measures both in one run.
//!
//! This binary holds one test only, so that nothing else allocates while it measures.
//! Run with `--nocapture` to see the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use inflow::{Client, EpochTime, Measurement, Query};
use inflow_tests::server;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

#[allow(unsafe_code)]
// SAFETY: every call is forwarded unchanged to the system allocator; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Starts a measurement: the peak so far is forgotten; returns the heap in use now.
fn start_measuring() -> usize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

fn peak_since(baseline: usize) -> usize {
    PEAK.load(Ordering::Relaxed).saturating_sub(baseline)
}

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "stream")]
struct Sample {
    #[inflow(tag)]
    sensor: String,
    value: i64,
    #[inflow(timestamp)]
    at: EpochTime,
}

const ROWS: i64 = 1_000_000;
const MIB: f64 = 1024.0 * 1024.0;

#[tokio::test(flavor = "current_thread")]
async fn streaming_a_million_rows_keeps_memory_flat() {
    let db = server::server().database("stream_million");
    let client = Client::new(&db.url()).unwrap();
    let mut session = client.session::<Sample>().autocommit_every(25_000);
    for i in 0..ROWS {
        let sample = Sample {
            sensor: format!("sensor-{}", i % 10),
            value: i,
            at: EpochTime::nanos(1_475_848_864_000_000_000 + i * 1_000),
        };
        session.write(&sample).await.unwrap();
    }
    session.commit().await.unwrap();
    drop(session);
    let query = || Query::new("SELECT * FROM stream").epoch(inflow::Precision::Nanoseconds);

    let baseline = start_measuring();
    let mut rows = client
        .query_stream::<Sample>(query().chunk_size(10_000))
        .await
        .unwrap();
    let (mut count, mut sum) = (0_i64, 0_i64);
    while let Some(sample) = rows.next().await {
        let sample = sample.unwrap();
        sum += sample.value;
        count += 1;
    }
    drop(rows);
    let streaming_peak = peak_since(baseline);

    let baseline = start_measuring();
    let all: Vec<Sample> = client.query_as(query()).await.unwrap();
    let collected_peak = peak_since(baseline);

    assert_eq!(count, ROWS);
    assert_eq!(sum, ROWS * (ROWS - 1) / 2);
    assert_eq!(all.len(), usize::try_from(ROWS).unwrap());
    assert_eq!(all.iter().map(|s| s.value).sum::<i64>(), sum);
    eprintln!(
        "peak heap for {ROWS} rows: streaming (chunks of 10000) {:.1} MiB, query_as {:.1} MiB ({:.0}x)",
        streaming_peak as f64 / MIB,
        collected_peak as f64 / MIB,
        collected_peak as f64 / streaming_peak as f64
    );
    const STREAMING_BOUND: usize = 32 << 20;
    assert!(
        streaming_peak < STREAMING_BOUND,
        "streaming peaked at {streaming_peak} bytes"
    );
    let decoded = all.capacity() * size_of::<Sample>()
        + all.iter().map(|s| s.sensor.capacity()).sum::<usize>();
    assert!(
        collected_peak < decoded + STREAMING_BOUND,
        "query_as peaked at {collected_peak} bytes for {decoded} bytes of rows"
    );
    assert!(
        collected_peak > 10 * streaming_peak,
        "{collected_peak} vs {streaming_peak}"
    );
}
