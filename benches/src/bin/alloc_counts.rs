//! Allocations per point of every encoder in steady state.
//!
//! Each contender first encodes one batch (so that its reused buffers have grown), then
//! `BATCHES` more batches (argument 1, default 4) while a counting global allocator counts
//! every `alloc`, `alloc_zeroed` and `realloc`. Prints, one line per contender,
//! `id<TAB>allocations/point<TAB>of which reallocations/point<TAB>bytes requested/point`
//! (allocations include reallocations; bytes are the sizes asked for, new size for a realloc).
//!
//! `inflow-session` and `inflow-blocking-session` are the session write path itself:
//! `Session::write` of every point into a session emptied (its memory kept) between batches.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

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

fn main() {
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
        black_box(workload.encode(contender));
        let (allocations, reallocations, bytes) = (
            ALLOCATIONS.load(Ordering::Relaxed),
            REALLOCATIONS.load(Ordering::Relaxed),
            BYTES.load(Ordering::Relaxed),
        );
        for _ in 0..batches {
            black_box(workload.encode(contender));
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations;
        let reallocations = REALLOCATIONS.load(Ordering::Relaxed) - reallocations;
        let bytes = BYTES.load(Ordering::Relaxed) - bytes;
        #[allow(clippy::cast_precision_loss)]
        let per_point = |n: u64| n as f64 / points as f64;
        println!(
            "{}\t{:.2}\t{:.2}\t{:.1}",
            contender.id(),
            per_point(allocations),
            per_point(reallocations),
            per_point(bytes)
        );
    }
}
