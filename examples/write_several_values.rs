//! The origin's `client.write('temperature', lower_sensor=20.9, upper_sensor=23.2)`: several
//! field values in one point, and several points in one request with `write_all`.
//!
//! `cargo run -p inflow-examples --example write_several_values -- http://localhost:8086/databasename`

use inflow::{Client, EpochTime, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    pub lower_sensor: f64,
    pub upper_sensor: f64,
    #[inflow(timestamp)]
    pub timestamp: EpochTime,
}

/// Writes two points of two values each in one request; returns them.
pub async fn run(url: &str) -> inflow::Result<Vec<Temperature>> {
    let client = Client::new(url)?;
    let written = vec![
        Temperature {
            lower_sensor: 20.9,
            upper_sensor: 23.2,
            timestamp: EpochTime::seconds(1475848864),
        },
        Temperature {
            lower_sensor: 21.4,
            upper_sensor: 23.9,
            timestamp: EpochTime::seconds(1475849823),
        },
    ];
    client.write_all(&written).await?;
    Ok(written)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    println!("wrote {:?}", run(&url).await?);
    Ok(())
}
