use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(tag, rename = "time")]
    when: String,
    value: f64,
}

fn main() {}
