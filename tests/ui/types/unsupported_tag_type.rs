use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(tag)]
    floor: f64,
    value: f64,
}

fn main() {}
