//! The seed's context-manager example: the session commits when its scope ends.
//!
//! `cargo run -p inflow-examples --example session_scope -- http://localhost:8086/databasename`

use inflow::{Client, EpochTime, Measurement, Session};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    pub value: f64,
    #[inflow(timestamp)]
    pub timestamp: EpochTime,
}

/// Writes two temperatures inside `with_session`, which commits at the end of the scope.
pub async fn run(url: &str) -> inflow::Result<Vec<Temperature>> {
    let client = Client::new(url)?;
    let written = vec![
        Temperature {
            value: 23.1,
            timestamp: EpochTime::seconds(1475848864),
        },
        Temperature {
            value: 25.0,
            timestamp: EpochTime::seconds(1475849823),
        },
    ];
    client
        .with_session(async |session: &mut Session<Temperature>| {
            for temperature in &written {
                session.write(temperature).await?;
            }
            Ok(())
        })
        .await?;
    Ok(written)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let written = run(&url).await?;
    println!("the scope committed {} points", written.len());
    Ok(())
}
