//! The generated encoder allocates nothing per point: once the buffer has room, encoding a
//! derived point (tags, every value type, optional fields) makes no allocation at all.
//!
//! Only the allocations of the thread that encodes are counted: the test harness's own threads
//! allocate now and then while a test runs (4 allocations in about one run of 15 did, before
//! this was so).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use inflow::line_protocol::Encoder;
use inflow::{EpochTime, Measurement, Precision};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations are counted (a constant initialiser and no destructor:
    /// reading it never allocates).
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

#[allow(unsafe_code)]
// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Measurement)]
#[inflow(measurement = "temperature")]
struct Reading<'a> {
    #[inflow(tag)]
    location: &'a str,
    #[inflow(tag)]
    sensor_type: &'static str,
    #[inflow(tag)]
    room: Option<String>,
    value: f64,
    count: i64,
    ok: bool,
    note: &'a str,
    upper: Option<f32>,
    #[inflow(timestamp)]
    time: EpochTime,
}

#[test]
fn encoding_derived_points_allocates_nothing() {
    let locations: Vec<String> = (0..100)
        .map(|i| format!("groningen-{i}, \"noord\""))
        .collect();
    let room = Some("attic".to_owned());
    let readings: Vec<Reading<'_>> = (0..5_000_i64)
        .map(|i| Reading {
            location: &locations[usize::try_from(i % 100).unwrap()],
            sensor_type: "ni1000",
            room: room.clone(),
            value: 20.0 + (i as f64) / 7.0,
            count: i * 1_000_003,
            ok: i % 3 == 0,
            note: "a \"quoted\" note\\",
            upper: (i % 2 == 0).then_some(1.5),
            time: EpochTime::nanos(1_475_848_864_000_000_000 + i),
        })
        .collect();
    let mut encoder = Encoder::with_capacity(Precision::Nanoseconds, 4 << 20);

    // The counter counts: one allocation on this thread is seen.
    COUNTED.set(true);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    drop(std::hint::black_box(Vec::<u8>::with_capacity(1)));
    let seen = ALLOCATIONS.load(Ordering::Relaxed) - before;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for reading in &readings {
        encoder.encode(reading).unwrap();
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    COUNTED.set(false);

    assert_eq!(
        seen, 1,
        "the counting allocator saw the test's own allocation"
    );

    assert_eq!(encoder.len(), readings.len());
    assert_eq!(
        allocations,
        0,
        "allocations while encoding {} points",
        readings.len()
    );
    let first = std::str::from_utf8(encoder.as_bytes())
        .unwrap()
        .lines()
        .next()
        .unwrap();
    assert_eq!(
        first,
        "temperature,location=groningen-0\\,\\ \"noord\",room=attic,sensor_type=ni1000 \
         count=0i,note=\"a \\\"quoted\\\" note\\\\\",ok=true,upper=1.5,value=20.0 1475848864000000000"
    );
}
