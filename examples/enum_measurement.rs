//! Several kinds of point through one session: an enum of measurements, whose variants are a
//! measurement type of their own (`Cpu(CpuLoad)`) or a struct variant (`Disk { .. }`), written
//! in one batch and read back from one query over both measurements, each row into its
//! variant.
//!
//! `cargo run -p inflow-examples --example enum_measurement -- http://localhost:8086/databasename`

use inflow::{Client, EpochTime, Measurement};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "cpu")]
pub struct CpuLoad {
    #[inflow(tag)]
    pub host: String,
    pub load: f64,
    #[inflow(timestamp)]
    pub at: EpochTime,
}

#[derive(Debug, Clone, PartialEq, Measurement)]
pub enum Metric {
    /// Written and read as `CpuLoad` is: measurement `cpu`.
    Cpu(CpuLoad),
    /// A measurement of its own: `disk`.
    #[inflow(measurement = "disk")]
    Disk {
        #[inflow(tag)]
        host: String,
        #[inflow(tag)]
        device: String,
        free_bytes: u64,
        #[inflow(timestamp)]
        at: EpochTime,
    },
}

/// Writes a CPU load and a disk reading in one commit, then reads both measurements back
/// into `Metric`s; returns what it wrote and what it read.
pub async fn run(url: &str) -> inflow::Result<(Vec<Metric>, Vec<Metric>)> {
    let client = Client::new(url)?;
    let written = vec![
        Metric::Cpu(CpuLoad {
            host: "server01".to_owned(),
            load: 0.64,
            at: EpochTime::seconds(1_475_848_864),
        }),
        Metric::Disk {
            host: "server01".to_owned(),
            device: "sda".to_owned(),
            free_bytes: 52_000_000_000,
            at: EpochTime::seconds(1_475_848_865),
        },
    ];
    // Before writing, check that no variant's fields clash with what the server has.
    let report = client.verify_schema::<Metric>().await?;
    assert!(report.is_compatible(), "{report}");

    let mut session = client.session::<Metric>();
    session.write_all(&written).await?;
    session.commit().await?;

    let read: Vec<Metric> = client.query_as("SELECT * FROM cpu, disk").await?;
    Ok((written, read))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let (_, read) = run(&url).await?;
    for metric in read {
        println!("{metric:?}");
    }
    Ok(())
}
