//! The seed's retention-policy example: the retention policy is session-wide (a session's
//! `write` takes none).
//!
//! Needs the retention policy to exist:
//! `CREATE RETENTION POLICY "rp_four_weeks" ON "databasename" DURATION 4w REPLICATION 1`.
//!
//! `cargo run -p inflow-examples --example session_retention_policy -- http://localhost:8086/databasename`

use chrono::{DateTime, Utc};
use inflow::{Client, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    pub value: f64,
    #[inflow(timestamp)]
    pub timestamp: DateTime<Utc>,
}

/// Writes a temperature of now to `rp_four_weeks` in a scoped session; returns it.
pub async fn run(url: &str) -> inflow::Result<Vec<Temperature>> {
    let client = Client::new(url)?;
    // A point inside the four weeks the policy keeps.
    let written = vec![Temperature {
        value: 23.1,
        timestamp: Utc::now(),
    }];
    client
        .session::<Temperature>()
        .retention_policy("rp_four_weeks")
        .scope(async |session| session.write(&written[0]).await)
        .await?;
    Ok(written)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let written = run(&url).await?;
    println!("wrote {} point to rp_four_weeks", written.len());
    Ok(())
}
