//! The origin's `Client(url, timeout=...)`: every request must finish within the timeout, or
//! fails with a timeout error (ours has a default of 30 s; the origin's has none).
//!
//! `cargo run -p inflow-examples --example write_timeout -- http://localhost:8086/databasename`

use std::time::Duration;

use inflow::{Client, EpochTime, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Temperature {
    pub value: f64,
    #[inflow(timestamp)]
    pub timestamp: EpochTime,
}

/// Writes one temperature with a 2-second timeout; returns it.
pub async fn run(url: &str) -> inflow::Result<Temperature> {
    let client = Client::builder(url)
        .timeout(Duration::from_secs(2))
        .build()?;
    let temperature = Temperature {
        value: 21.3,
        timestamp: EpochTime::seconds(1475848864),
    };
    match client.write(&temperature).await {
        Err(err) if err.is_timeout() => {
            eprintln!("the server did not answer within 2 s: {err}");
            Err(err)
        }
        other => other.map(|()| temperature),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    println!("wrote {:?}", run(&url).await?);
    Ok(())
}
