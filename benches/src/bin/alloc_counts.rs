//! Allocations per point of every encoder in steady state.
//!
//! Each contender first encodes two batches (so that its reused buffers have grown), then
//! `BATCHES` more batches (argument 1, default 4) while a counting global allocator counts
//! every `alloc`, `alloc_zeroed` and `realloc` inside `Workload::encode` (the writers' flushes
//! between batches, `Workload::settle`, are not counted). Prints, one line per contender,
//! `id<TAB>allocations/point<TAB>of which reallocations/point<TAB>bytes requested/point`
//! (allocations include reallocations; bytes are the sizes asked for, new size for a realloc).
//!
//! `inflow-session` and `inflow-blocking-session` are the session write path itself:
//! `Session::write` of every point into a session emptied (its memory kept) between batches;
//! `inflow-writer` and `inflow-blocking-writer` are `Writer::write` into a writer flushed
//! between batches.
//!
//! `alloc-counts --query-body BODY_FILE ns|rfc3339` counts instead, per row, the allocations of
//! each query decoder of `inflow_benches::query_body` decoding a saved answer body (written by
//! `query-decode ROWS DIR`) once, after one decoding of warm-up.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use inflow_benches::query_body::{Decoder, decode_body};
use inflow_benches::{BATCH, Contender, Workload};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static REALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

fn count(size: usize) {
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    BYTES.fetch_add(size as u64, Ordering::Relaxed);
}

#[allow(unsafe_code)]
// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        REALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Batches written before counting. Two, for the writers: the first batch's flush leaves the
/// writer an empty new buffer (nothing was recycled yet), which the second grows; from the
/// third on, each batch is written into the recycled buffer of the one before the last.
const WARM_UP: usize = 2;

/// Allocations (reallocations included), reallocations, and bytes requested so far.
fn counts() -> (u64, u64, u64) {
    (
        ALLOCATIONS.load(Ordering::Relaxed),
        REALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    )
}

/// The allocations per row of each query decoder on the body at `path`.
fn query_body(path: &str, epoch: &str) {
    let epoch = match epoch {
        "ns" => Some(inflow::Precision::Nanoseconds),
        "rfc3339" => None,
        _ => {
            eprintln!("usage: alloc-counts --query-body BODY_FILE ns|rfc3339");
            std::process::exit(2)
        }
    };
    let body = std::fs::read(path).unwrap_or_else(|err| panic!("{path}: {err}"));
    for decoder in Decoder::ALL {
        let body = decoder.body(&body);
        black_box(decode_body(decoder, &body, epoch));
        let before = counts();
        let rows = decode_body(decoder, black_box(&body), epoch);
        let after = counts();
        #[allow(clippy::cast_precision_loss)]
        let per_row = |n: u64| n as f64 / rows as f64;
        println!(
            "{}\t{:.4}\t{:.4}\t{:.1}",
            decoder.id(),
            per_row(after.0 - before.0),
            per_row(after.1 - before.1),
            per_row(after.2 - before.2)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, path, epoch] = args.as_slice()
        && flag == "--query-body"
    {
        return query_body(path, epoch);
    }
    let batches: u64 = match std::env::args().nth(1) {
        None => 4,
        Some(arg) => arg.parse().unwrap_or_else(|_| {
            eprintln!("usage: alloc-counts [BATCHES]");
            std::process::exit(2)
        }),
    };
    let mut workload = Workload::new(BATCH);
    let points = batches * BATCH as u64;
    for contender in Contender::ALL {
        for _ in 0..WARM_UP {
            black_box(workload.encode(contender));
            workload.settle(contender);
        }
        let (mut allocations, mut reallocations, mut bytes) = (0, 0, 0);
        for _ in 0..batches {
            let before = counts();
            black_box(workload.encode(contender));
            let after = counts();
            allocations += after.0 - before.0;
            reallocations += after.1 - before.1;
            bytes += after.2 - before.2;
            // Outside the count: a writer sends its batch.
            workload.settle(contender);
        }
        #[allow(clippy::cast_precision_loss)]
        let per_point = |n: u64| n as f64 / points as f64;
        println!(
            "{}\t{:.4}\t{:.4}\t{:.1}",
            contender.id(),
            per_point(allocations),
            per_point(reallocations),
            per_point(bytes)
        );
    }
}
