use inflow::Measurement;

#[derive(Measurement)]
#[inflow(measurement = "temp\\,erature")]
struct Reading {
    value: f64,
}

fn main() {}
