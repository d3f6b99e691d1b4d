use inflow::Measurement;

#[derive(Measurement)]
enum Metric {
    #[inflow(measurement = "cpu")]
    CpuUser { load: f64 },
    #[inflow(measurement = "cpu")]
    CpuSystem { load: f64 },
}

fn main() {}
