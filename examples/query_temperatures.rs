//! The origin's queries: `client.query('SELECT * FROM "temperatures"')`, with times as
//! RFC 3339 text, and with `epoch='s'`, with times as integer seconds; then the same rows
//! decoded into a struct.
//!
//! `cargo run -p inflow-examples --example query_temperatures -- http://localhost:8086/databasename`

use chrono::{DateTime, Utc};
use inflow::query::StatementResult;
use inflow::{Client, Measurement, Precision, Query};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperatures")]
pub struct Temperature {
    #[inflow(tag)]
    pub location: Option<String>,
    pub value: f64,
    #[inflow(timestamp)]
    pub time: DateTime<Utc>,
}

/// The three forms of reading `temperatures`: raw, raw with `epoch=s`, and typed.
pub async fn run(
    url: &str,
) -> inflow::Result<(Vec<StatementResult>, Vec<StatementResult>, Vec<Temperature>)> {
    let client = Client::new(url)?;
    let text_times = client.query(r#"SELECT * FROM "temperatures""#).await?;
    let epoch_seconds = client
        .query(Query::new(r#"SELECT * FROM "temperatures""#).epoch(Precision::Seconds))
        .await?;
    let typed: Vec<Temperature> = client.query_as(r#"SELECT * FROM "temperatures""#).await?;
    Ok((text_times, epoch_seconds, typed))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let (text_times, epoch_seconds, typed) = run(&url).await?;
    for (label, results) in [("RFC 3339 times", text_times), ("epoch='s'", epoch_seconds)] {
        println!("{label}:");
        for series in results.iter().flat_map(StatementResult::series) {
            println!("  {} {:?}", series.name(), series.columns());
            for row in series.rows() {
                println!("  {row:?}");
            }
        }
    }
    println!("typed: {typed:#?}");
    Ok(())
}
