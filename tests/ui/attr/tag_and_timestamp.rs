use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    value: f64,
    #[inflow(tag, timestamp)]
    time: std::time::SystemTime,
}

fn main() {}
