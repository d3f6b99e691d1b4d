use inflow::{Client, Measurement};

#[derive(Measurement)]
struct Reading {
    value: f64,
}

#[derive(Measurement)]
struct Alarm {
    level: i64,
}

async fn run(client: Client) -> inflow::Result<()> {
    let mut session = client.session::<Reading>();
    session.write(&Alarm { level: 3 }).await
}

fn main() {
    let _ = run;
}
