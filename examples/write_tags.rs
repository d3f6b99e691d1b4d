//! The origin's `client.write('temperature', value=21.3, tags={'location': ..., 'sensor_type': ...})`:
//! tags are fields of the struct marked `#[inflow(tag)]`.
//!
//! `cargo run -p inflow-examples --example write_tags -- http://localhost:8086/databasename`

use inflow::{Client, EpochTime, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    #[inflow(tag)]
    pub location: String,
    #[inflow(tag)]
    pub sensor_type: String,
    pub value: f64,
    #[inflow(timestamp)]
    pub timestamp: EpochTime,
}

/// Writes one tagged temperature; returns it.
pub async fn run(url: &str) -> inflow::Result<Temperature> {
    let client = Client::new(url)?;
    let temperature = Temperature {
        location: "groningen".to_owned(),
        sensor_type: "ni1000".to_owned(),
        value: 21.3,
        timestamp: EpochTime::seconds(1475848864),
    };
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
