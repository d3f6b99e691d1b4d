//! The child process of `tests/writer_spool.rs`: writes points through a blocking writer with
//! a spool until its parent kills it with SIGKILL, which only another process can undergo.
//!
//! `spool-child MODE URL DIR COUNT`:
//! - `flow`: writes points `0..COUNT`, about 50 a millisecond at most, printing after each
//!   write that returned `Ok` a line `INDEX STORED` (`STORED`: the writer's count of points the
//!   server stored so far), then keeps printing `idle STORED` until killed.
//! - `fill`: writes points `0..COUNT` without ever cutting a batch (every point stays in the
//!   spool's open segment), prints `done`, and waits to be killed.
//!
//! Point `i` is `tick,series=<i % 50> value=<i> <i + 1>` (nanoseconds): a count and a sum read
//! back tell which points were stored.

use std::io::Write;
use std::time::Duration;

use inflow::blocking::Client;
use inflow::{EpochTime, Measurement, RetryPolicy};

#[derive(Debug, Measurement)]
struct Tick {
    #[inflow(tag)]
    series: u32,
    value: i64,
    #[inflow(timestamp)]
    at: EpochTime,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, url, dir, count] = &args[..] else {
        panic!("usage: spool-child flow|fill URL DIR COUNT");
    };
    let count: u32 = count.parse().expect("a count");
    let client = Client::builder(url)
        .retry(RetryPolicy::default().max_backoff(Duration::from_millis(200)))
        .build()
        .expect("a client");
    let builder = client.writer::<Tick>().spool(dir).max_in_flight(2);
    let writer = match mode.as_str() {
        "flow" => builder
            .batch_points(300)
            .flush_interval(Duration::from_millis(20)),
        "fill" => builder
            .batch_points(usize::MAX)
            .flush_interval(Duration::from_secs(3600)),
        other => panic!("unknown mode {other}"),
    }
    .build()
    .expect("a spooled writer");
    let mut stdout = std::io::stdout().lock();
    for index in 0..count {
        writer
            .write(&Tick {
                series: index % 50,
                value: i64::from(index),
                at: EpochTime::nanos(i64::from(index) + 1),
            })
            .expect("the write is taken");
        if mode == "flow" {
            writeln!(stdout, "{index} {}", writer.stats().stored).expect("stdout");
            // A steady flow rather than a burst: the parent kills it mid-flow.
            if index % 50 == 49 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
    loop {
        if mode == "flow" {
            writeln!(stdout, "idle {}", writer.stats().stored).expect("stdout");
        } else {
            writeln!(stdout, "done").expect("stdout");
        }
        stdout.flush().expect("stdout");
        std::thread::sleep(Duration::from_millis(20));
    }
}
