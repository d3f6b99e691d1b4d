use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    value: f64,
    #[inflow(timestamp, rename = "at")]
    time: std::time::SystemTime,
}

fn main() {}
