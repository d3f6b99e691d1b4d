//! A service's readings: several tasks write through one background writer, which batches
//! them, and the service shuts down with `close`, keeping whatever could not be sent.
//!
//! `cargo run -p inflow-examples --example writer -- http://localhost:8086/databasename`

use std::time::Duration;

use inflow::{Client, EpochTime, Measurement, WriterEvent};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "reading")]
pub struct Reading {
    #[inflow(tag)]
    pub sensor: u16,
    pub celsius: f64,
    #[inflow(timestamp)]
    pub at: EpochTime,
}

/// Four sensor tasks write 250 readings each through one writer, then the writer is closed.
/// Returns every reading written.
pub async fn run(url: &str) -> inflow::Result<Vec<Reading>> {
    let client = Client::new(url)?;
    let writer = client
        .writer::<Reading>()
        .batch_points(200)
        .flush_interval(Duration::from_millis(250))
        .build()?;

    // Refusals and batches the retry policy gave up on are reported as they happen.
    let mut events = writer.events();
    let watcher = tokio::spawn(async move {
        while let Some(event) = events.next().await {
            if let WriterEvent::Refused { points, error } = event {
                eprintln!("the server refused {points} readings: {error}");
            }
        }
    });

    let mut sensors = Vec::new();
    for sensor in 0..4_u16 {
        let writer = writer.clone();
        sensors.push(tokio::spawn(async move {
            let mut written = Vec::new();
            for tick in 0..250 {
                let reading = Reading {
                    sensor,
                    celsius: 20.0 + f64::from(sensor) + f64::from(tick) / 100.0,
                    at: EpochTime::seconds(1_700_000_000 + i64::from(tick)),
                };
                writer.write(&reading).await?;
                written.push(reading);
            }
            Ok::<_, inflow::Error>(written)
        }));
    }
    let mut written = Vec::new();
    for sensor in sensors {
        written.extend(sensor.await.expect("a sensor task panicked")?);
    }

    // Shut down: send what is left; what cannot be sent within 10 s is handed back.
    if let Err(err) = writer.close(Duration::from_secs(10)).await {
        if let Some(report) = err.commit_report() {
            eprintln!("kept for later: {}", report.unsent_line_protocol());
        }
        return Err(err);
    }
    drop(writer);
    watcher.await.expect("the event watcher panicked");
    Ok(written)
}

#[tokio::main]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let written = run(&url).await?;
    println!("stored {} readings", written.len());
    Ok(())
}
