//! Encodes `BATCHES` batches of the benchmark's readings with one encoder, or sets up only:
//! the program scripts/bench-counts runs under callgrind.
//!
//! `encode-n CONTENDER BATCHES` builds the inputs of every contender (whichever is chosen, so
//! that the setup is always the same work), then encodes `BATCHES` × 5,000 points with
//! `CONTENDER`. `encode-n baseline BATCHES` does the same setup and encodes nothing. The
//! difference of the two instruction counts, over the points, is the cost per point.
//! `encode-n --list` prints the contenders' ids.

use std::hint::black_box;
use std::process::ExitCode;

use inflow_benches::{BATCH, Contender, Workload};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        for contender in Contender::ALL {
            println!("{}", contender.id());
        }
        return ExitCode::SUCCESS;
    }
    let (Some(which), Some(Ok(batches))) =
        (args.first(), args.get(1).map(|arg| arg.parse::<usize>()))
    else {
        eprintln!("usage: encode-n (baseline | CONTENDER) BATCHES   (encode-n --list)");
        return ExitCode::from(2);
    };
    let contender = match which.as_str() {
        "baseline" => None,
        id => match Contender::from_id(id) {
            Some(contender) => Some(contender),
            None => {
                eprintln!("unknown contender {id:?}; see encode-n --list");
                return ExitCode::from(2);
            }
        },
    };
    let mut workload = Workload::new(BATCH);
    let mut bytes = 0;
    if let Some(contender) = contender {
        for _ in 0..batches {
            bytes += black_box(workload.encode(contender)).len();
            // A writer sends its batch here, outside `Workload::encode` (not counted).
            bytes += workload.settle(contender).map_or(0, <[u8]>::len);
        }
    }
    println!("{bytes}");
    ExitCode::SUCCESS
}
