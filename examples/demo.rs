//! The README's demo: writes a day of readings through a session, then reads them back into
//! the same struct and prints them. `scripts/demo` starts a throwaway InfluxDB and runs it against it.
//!
//! `cargo run -p inflow-examples --example demo -- http://127.0.0.1:8086/demo`

use chrono::{DateTime, Duration, TimeZone, Utc};
use inflow::{Client, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Reading {
    #[inflow(tag)]
    pub location: String,
    #[inflow(tag)]
    pub sensor_type: String,
    pub value: f64,
    #[inflow(rename = "upper_sensor")]
    pub upper: Option<f64>,
    #[inflow(timestamp)]
    pub time: DateTime<Utc>,
}

/// Readings every three hours of one day, in two places.
pub fn readings() -> Vec<Reading> {
    let start = Utc
        .with_ymd_and_hms(2016, 10, 7, 0, 0, 0)
        .single()
        .unwrap_or_default();
    (0..8)
        .flat_map(|step| {
            ["groningen", "den haag"]
                .into_iter()
                .enumerate()
                .map(move |(place, location)| Reading {
                    location: location.to_owned(),
                    sensor_type: "ni1000".to_owned(),
                    value: 14.0 + f64::from(step) * 1.25 - place as f64 * 0.5,
                    upper: (step % 2 == 0).then(|| 16.5 + f64::from(step)),
                    time: start + Duration::hours(3 * i64::from(step)),
                })
        })
        .collect()
}

/// Writes the readings through a session that autocommits every 5 writes, and commits the
/// rest; returns what it wrote.
pub async fn write(url: &str) -> inflow::Result<Vec<Reading>> {
    let client = Client::new(url)?;
    let written = readings();
    let mut session = client.session::<Reading>().autocommit_every(5);
    for reading in &written {
        session.write(reading).await?;
    }
    session.commit().await?;
    Ok(written)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8086/demo".to_owned());
    let client = Client::new(&url)?;
    client.create_database().await?;

    let written = write(&url).await?;
    println!("wrote {} readings through a session\n", written.len());

    let read: Vec<Reading> = client.query_as("SELECT * FROM temperature").await?;
    println!(
        "{:<27}{:<12}{:<10}{:>8}{:>14}",
        "time", "location", "sensor", "value", "upper_sensor"
    );
    for reading in &read {
        let upper = reading
            .upper
            .map_or_else(|| "-".to_owned(), |upper| upper.to_string());
        println!(
            "{:<27}{:<12}{:<10}{:>8}{:>14}",
            reading.time.to_rfc3339(),
            reading.location,
            reading.sensor_type,
            reading.value,
            upper
        );
    }
    println!("\nread back {} readings", read.len());
    if read.len() != written.len() {
        return Err("some readings are missing".into());
    }
    Ok(())
}
