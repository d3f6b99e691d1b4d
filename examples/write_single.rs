//! The origin's simplest write, `client.write('temperature', value=21.3)`: one point, one
//! request, stamped with the current time since it has no timestamp.
//!
//! `cargo run -p inflow-examples --example write_single -- http://localhost:8086/databasename`

use inflow::{Client, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    pub value: f64,
}

/// Writes one temperature now; returns it.
pub async fn run(url: &str) -> inflow::Result<Temperature> {
    let client = Client::new(url)?;
    let temperature = Temperature { value: 21.3 };
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
