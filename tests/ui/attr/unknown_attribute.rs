use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(tags)]
    location: String,
    value: f64,
}

fn main() {}
