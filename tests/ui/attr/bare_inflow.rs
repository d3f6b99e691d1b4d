use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow]
    value: f64,
}

fn main() {}
