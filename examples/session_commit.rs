//! The seed's first session example: writes accumulate in the session, and `commit` sends
//! them all in one request. Without `commit`, they would be lost.
//!
//! `cargo run -p inflow-examples --example session_commit -- http://localhost:8086/databasename`

use inflow::{Client, EpochTime, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    pub value: f64,
    #[inflow(timestamp)]
    pub timestamp: EpochTime,
}

/// Writes two temperatures through a session and commits them; returns what it wrote.
pub async fn run(url: &str) -> inflow::Result<Vec<Temperature>> {
    let client = Client::new(url)?;
    let mut session = client.session::<Temperature>();
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
    for temperature in &written {
        session.write(temperature).await?;
    }
    session.commit().await?;
    Ok(written)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let written = run(&url).await?;
    println!("committed {} points", written.len());
    Ok(())
}
