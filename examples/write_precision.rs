//! The origin's `Client(url, precision='s')`: timestamps are sent in seconds. Conversion is
//! exact, and a time between two seconds is truncated to the earlier one.
//!
//! `cargo run -p inflow-examples --example write_precision -- http://localhost:8086/databasename`

use chrono::{DateTime, Utc};
use inflow::{Client, Measurement, Precision};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    pub value: f64,
    #[inflow(timestamp)]
    pub timestamp: DateTime<Utc>,
}

/// Writes a temperature at 1475848864.75 s with second precision; returns it.
pub async fn run(url: &str) -> inflow::Result<Temperature> {
    let client = Client::builder(url).precision(Precision::Seconds).build()?;
    let timestamp = DateTime::from_timestamp(1475848864, 750_000_000).unwrap_or_default();
    let temperature = Temperature {
        value: 21.3,
        timestamp,
    };
    // Stored at 1475848864 s: the .75 s is below the precision.
    client.write(&temperature).await?;
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
