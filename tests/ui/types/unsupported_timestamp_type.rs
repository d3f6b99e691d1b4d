use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    value: f64,
    #[inflow(timestamp)]
    time: i64,
}

fn main() {}
