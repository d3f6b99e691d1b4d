use inflow::Measurement;

#[derive(Measurement)]
#[inflow(tag)]
struct Reading {
    value: f64,
}

fn main() {}
