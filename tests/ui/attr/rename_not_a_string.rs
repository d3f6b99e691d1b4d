use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(rename = celsius)]
    value: f64,
}

fn main() {}
