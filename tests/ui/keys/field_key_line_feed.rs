use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(rename = "upper
sensor")]
    value: f64,
}

fn main() {}
