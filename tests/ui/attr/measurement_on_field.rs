use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(measurement = "temperature")]
    value: f64,
}

fn main() {}
