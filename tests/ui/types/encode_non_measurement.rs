use inflow::{Precision, line_protocol::Encoder};

struct Reading {
    value: f64,
}

fn main() {
    let mut encoder = Encoder::new(Precision::Seconds);
    let _ = encoder.encode(&Reading { value: 1.0 });
}
