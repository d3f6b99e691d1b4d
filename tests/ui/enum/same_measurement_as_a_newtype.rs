use inflow::Measurement;

#[derive(Measurement)]
#[inflow(measurement = "cpu")]
struct CpuLoad {
    load: f64,
}

#[derive(Measurement)]
enum Metric {
    Cpu(CpuLoad),
    #[inflow(measurement = "cpu")]
    CpuSystem { load: f64 },
}

fn main() {}
