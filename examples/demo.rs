//! The README's demo: writes a day of readings through a session, then reads them back and
//! prints them. `scripts/demo` starts a throwaway InfluxDB and runs it against it.
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
    pub sensor_type: &'static str,
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
                    sensor_type: "ni1000",
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

/// Runs `q` with a plain POST to `/query` and returns the JSON answer.
// (inflow's own query API comes with its next version; this is all the demo needs.)
async fn query(url: &str, q: &str) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let database_url = reqwest::Url::parse(url)?;
    let database = database_url.path().trim_matches('/').to_owned();
    let mut endpoint = database_url.join("/query")?;
    endpoint
        .query_pairs_mut()
        .append_pair("db", &database)
        .append_pair("q", q);
    let answer = reqwest::Client::new()
        .post(endpoint)
        .send()
        .await?
        .error_for_status()?;
    Ok(serde_json::from_slice(&answer.bytes().await?)?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8086/demo".to_owned());
    let database = url.rsplit('/').next().unwrap_or("demo").to_owned();
    query(&url, &format!("CREATE DATABASE \"{database}\"")).await?;

    let written = write(&url).await?;
    println!("wrote {} readings through a session\n", written.len());

    let answer = query(&url, "SELECT * FROM temperature").await?;
    let series = &answer["results"][0]["series"][0];
    let columns: Vec<&str> = series["columns"]
        .as_array()
        .map(|columns| columns.iter().filter_map(|c| c.as_str()).collect())
        .unwrap_or_default();
    println!(
        "{}",
        columns
            .iter()
            .map(|c| format!("{c:<22}"))
            .collect::<String>()
    );
    let rows = series["values"].as_array().cloned().unwrap_or_default();
    for row in &rows {
        let cells = row.as_array().cloned().unwrap_or_default();
        let line: String = cells
            .iter()
            .map(|cell| match cell {
                serde_json::Value::Null => format!("{:<22}", "-"),
                serde_json::Value::String(text) => format!("{text:<22}"),
                other => format!("{:<22}", other.to_string()),
            })
            .collect();
        println!("{line}");
    }
    println!("\nread back {} readings", rows.len());
    if rows.len() != written.len() {
        return Err(format!("expected {} readings back", written.len()).into());
    }
    Ok(())
}
