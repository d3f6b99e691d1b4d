use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(tag)]
    location: String,
    #[inflow(skip)]
    value: f64,
    #[inflow(timestamp)]
    time: std::time::SystemTime,
}

fn main() {}
