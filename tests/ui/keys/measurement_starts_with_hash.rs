use inflow::Measurement;

#[derive(Measurement)]
#[inflow(measurement = "#temperature")]
struct Reading {
    value: f64,
}

fn main() {}
