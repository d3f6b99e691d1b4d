use inflow::Measurement;

#[derive(Measurement)]
#[inflow(measurement)]
struct Reading {
    value: f64,
}

fn main() {}
