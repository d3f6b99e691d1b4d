use inflow::Measurement;

#[derive(Measurement)]
struct Reading(String, f64);

fn main() {}
