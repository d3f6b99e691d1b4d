use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(tag, rename = "location\\")]
    location: String,
    value: f64,
}

fn main() {}
