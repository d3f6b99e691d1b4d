use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    #[inflow(rename = "a\\=b")]
    value: f64,
}

fn main() {}
