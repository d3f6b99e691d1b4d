use inflow::Measurement;

#[derive(Measurement)]
struct CpuLoad {
    load: f64,
}

#[derive(Measurement)]
enum Metric {
    Cpu(CpuLoad),
    Idle,
}

fn main() {}
