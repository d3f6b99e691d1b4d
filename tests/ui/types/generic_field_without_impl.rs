use inflow::{Measurement, Precision, line_protocol};

#[derive(Measurement)]
struct Reading<T> {
    value: T,
}

struct Celsius(f64);

fn main() {
    let _ = line_protocol::to_line(&Reading { value: Celsius(1.0) }, Precision::Seconds);
}
