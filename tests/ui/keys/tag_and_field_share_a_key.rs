use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(tag, rename = "value")]
    location: String,
    value: f64,
}

fn main() {}
