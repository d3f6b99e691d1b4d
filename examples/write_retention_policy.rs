//! The origin's `client.write(..., retention_policy='rp_four_weeks')`: one write to another
//! retention policy, through a view of the client that shares its connections.
//!
//! Needs the retention policy to exist:
//! `CREATE RETENTION POLICY "rp_four_weeks" ON "databasename" DURATION 4w REPLICATION 1`.
//!
//! `cargo run -p inflow-examples --example write_retention_policy -- http://localhost:8086/databasename`

use chrono::{DateTime, Utc};
use inflow::{Client, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    pub value: f64,
    #[inflow(timestamp)]
    pub timestamp: DateTime<Utc>,
}

/// Writes a temperature of now to `rp_four_weeks`; returns it.
pub async fn run(url: &str) -> inflow::Result<Temperature> {
    let client = Client::new(url)?;
    let temperature = Temperature {
        value: 21.3,
        timestamp: Utc::now(),
    };
    client
        .with_retention_policy("rp_four_weeks")
        .write(&temperature)
        .await?;
    Ok(temperature)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    println!("wrote {:?}", run(&url).await?);
    Ok(())
}
