use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(tag)]
    location: String,
    #[inflow(tag, rename = "location")]
    place: String,
    value: f64,
}

fn main() {}
