use inflow::Measurement;

#[derive(Measurement)]
enum Metric {}

fn main() {}
