use inflow::Measurement;

#[derive(Measurement)]
enum Metric {
    #[inflow(rename = "cpu")]
    Cpu { load: f64 },
}

fn main() {}
