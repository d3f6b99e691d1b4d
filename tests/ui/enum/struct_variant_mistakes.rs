use inflow::Measurement;

// A struct variant follows the rules of a struct: here, no field and a reserved key.
#[derive(Measurement)]
enum Metric {
    Cpu { load: f64 },
    Disk {
        #[inflow(tag)]
        device: String,
    },
    Net {
        #[inflow(rename = "time")]
        bytes: u64,
    },
}

fn main() {}
