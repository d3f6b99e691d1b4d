use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    value: f64,
    time: i64,
}

fn main() {}
