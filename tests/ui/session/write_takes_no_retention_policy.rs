use inflow::{Client, Measurement};

#[derive(Measurement)]
struct Reading {
    value: f64,
}

async fn run(client: Client) -> inflow::Result<()> {
    let mut session = client.session::<Reading>();
    // The retention policy is session-wide: set it with `.retention_policy(...)`.
    session.write(&Reading { value: 1.0 }, "rp_four_weeks").await
}

fn main() {
    let _ = run;
}
