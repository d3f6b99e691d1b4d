use inflow::Measurement;

#[derive(Measurement)]
enum Metric {
    #[inflow(tag)]
    Cpu { load: f64 },
}

fn main() {}
