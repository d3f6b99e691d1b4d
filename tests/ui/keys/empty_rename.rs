use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(rename = "")]
    value: f64,
}

fn main() {}
