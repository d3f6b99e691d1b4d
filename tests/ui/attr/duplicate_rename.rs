use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(rename = "celsius", rename = "degrees")]
    value: f64,
}

fn main() {}
