use inflow::Measurement;

#[derive(Measurement)]
struct CpuLoad {
    load: f64,
}

#[derive(Measurement)]
enum Metric {
    Cpu(CpuLoad),
    Temperature(String, f64),
}

fn main() {}
