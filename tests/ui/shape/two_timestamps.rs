use inflow::Measurement;
use std::time::SystemTime;

#[derive(Measurement)]
struct Reading {
    value: f64,
    #[inflow(timestamp)]
    measured: SystemTime,
    #[inflow(timestamp)]
    received: SystemTime,
}

fn main() {}
