use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    value: f64,
    #[inflow(rename = "value")]
    celsius: f64,
}

fn main() {}
