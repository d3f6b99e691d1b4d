use inflow::Measurement;

#[derive(Measurement)]
#[inflow(measurement = "metric")]
enum Metric {
    Cpu { load: f64 },
}

fn main() {}
