use inflow::Measurement;

#[derive(Measurement)]
#[inflow(name = "temperature")]
struct Reading {
    value: f64,
}

fn main() {}
