use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(skip, tag)]
    location: String,
    value: f64,
}

fn main() {}
