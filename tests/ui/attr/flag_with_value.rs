use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(tag = true)]
    location: String,
    value: f64,
}

fn main() {}
