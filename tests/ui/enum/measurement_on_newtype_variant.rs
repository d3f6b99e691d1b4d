use inflow::Measurement;

#[derive(Measurement)]
struct CpuLoad {
    load: f64,
}

#[derive(Measurement)]
enum Metric {
    #[inflow(measurement = "cpu")]
    Cpu(CpuLoad),
}

fn main() {}
