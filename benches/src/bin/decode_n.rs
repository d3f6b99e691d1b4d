//! Decodes a saved query answer body (written by `query-decode DIR`) `REPEAT` times with one
//! decoder: what callgrind runs, collecting only inside `inflow_benches::query_body::decode_body`,
//! to count instructions per row (see BENCHMARKS.md, "Query decoding").
//!
//! `decode-n DECODER BODY_FILE ns|rfc3339 [REPEAT]`, DECODER one of `inflow`,
//! `serde_json-value`, `influxdb`.

use std::hint::black_box;

use inflow::Precision;
use inflow_benches::query_body::{Decoder, decode_body};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!("usage: decode-n inflow|serde_json-value|influxdb BODY_FILE ns|rfc3339 [REPEAT]");
        std::process::exit(2)
    };
    let [decoder, path, epoch, rest @ ..] = args.as_slice() else {
        usage()
    };
    let decoder = Decoder::from_id(decoder).unwrap_or_else(|| usage());
    let epoch = match epoch.as_str() {
        "ns" => Some(Precision::Nanoseconds),
        "rfc3339" => None,
        _ => usage(),
    };
    let repeat: usize = match rest.first() {
        None => 1,
        Some(n) => n.parse().unwrap_or_else(|_| usage()),
    };
    let body = decoder.body(&std::fs::read(path).unwrap_or_else(|err| panic!("{path}: {err}")));
    let mut rows = 0;
    for _ in 0..repeat {
        rows += decode_body(decoder, black_box(&body), epoch);
    }
    println!("{rows}");
}
