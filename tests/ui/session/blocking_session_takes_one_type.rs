use inflow::{Measurement, blocking::Client};

#[derive(Measurement)]
struct Reading {
    value: f64,
}

#[derive(Measurement)]
struct Alarm {
    level: i64,
}

fn main() -> inflow::Result<()> {
    let client = Client::new("http://localhost:8086/db")?;
    let mut session = client.session::<Reading>();
    session.write(&Alarm { level: 3 })
}
