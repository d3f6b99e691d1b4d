use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    values: Vec<f64>,
}

fn main() {}
