//! Checks a struct against the server's schema before writing: InfluxDB fixes a field's type
//! with the first value written to it and drops later points of another type, so a field
//! that is an integer in Rust and a float on the server would lose every point. The report
//! names the Rust field; the example writes only when nothing conflicts.
//!
//! `cargo run -p inflow-examples --example verify_schema -- http://localhost:8086/databasename`

use inflow::{Client, EpochTime, Measurement, SchemaReport};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "pump")]
pub struct PumpReading {
    #[inflow(tag)]
    pub station: String,
    /// Written as an integer (`7i`).
    pub starts: i64,
    pub pressure: f64,
    #[inflow(timestamp)]
    pub at: EpochTime,
}

/// Compares `PumpReading` with what the server has for `pump`, prints the report, and writes
/// a reading only when nothing conflicts. Returns the report and whether it wrote.
pub async fn run(url: &str) -> inflow::Result<(SchemaReport, bool)> {
    let client = Client::new(url)?;
    let report = client.verify_schema::<PumpReading>().await?;
    // One line per conflict ("`PumpReading::starts` (i64, written as integer) conflicts with
    // the server's float field `starts` of measurement `pump`"), then the keys only the server
    // has, for information.
    println!("{report}");
    if !report.is_compatible() {
        return Ok((report, false));
    }
    client
        .write(&PumpReading {
            station: "north".to_owned(),
            starts: 7,
            pressure: 2.5,
            at: EpochTime::seconds(1_475_848_864),
        })
        .await?;
    Ok((report, true))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let (report, wrote) = run(&url).await?;
    if !wrote {
        eprintln!("not written: {} conflict(s)", report.conflicts().len());
    }
    Ok(())
}
