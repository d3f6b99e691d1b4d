use inflow::Measurement;

#[derive(Measurement)]
struct Heartbeat;

fn main() {}
