use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(tag)]
    #[inflow(tag)]
    location: String,
    value: f64,
}

fn main() {}
