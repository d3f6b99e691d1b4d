//! The seed's autocommit example: with `autocommit_every(5)`, the fifth write sends the batch.
//!
//! `cargo run -p inflow-examples --example session_autocommit -- http://localhost:8086/databasename`

use inflow::{Client, EpochTime, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    pub value: f64,
    #[inflow(timestamp)]
    pub timestamp: EpochTime,
}

/// Writes five temperatures; the fifth write commits them. Returns what it wrote.
pub async fn run(url: &str) -> inflow::Result<Vec<Temperature>> {
    let client = Client::new(url)?;
    let mut session = client.session::<Temperature>().autocommit_every(5);
    let written: Vec<Temperature> = [
        (23.1, 1475848864),
        (25.0, 1475849823),
        (22.9, 1475849825),
        (28.2, 1475849912),
        // This next write triggers the autocommit.
        (25.1, 1475849999),
    ]
    .into_iter()
    .map(|(value, seconds)| Temperature {
        value,
        timestamp: EpochTime::seconds(seconds),
    })
    .collect();
    for temperature in &written {
        session.write(temperature).await?;
    }
    assert!(session.is_empty(), "the fifth write committed the batch");
    Ok(written)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let written = run(&url).await?;
    println!("autocommitted {} points", written.len());
    Ok(())
}
