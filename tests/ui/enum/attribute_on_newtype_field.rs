use inflow::Measurement;

#[derive(Measurement)]
struct CpuLoad {
    load: f64,
}

#[derive(Measurement)]
enum Metric {
    Cpu(#[inflow(tag)] CpuLoad),
}

fn main() {}
