//! Tags of other types than text: an integer, a `bool`, a `char` and a closed set of names
//! (`#[derive(TagValue)]` on a unit-only enum), written as their text and read back into the
//! same types with `query_as`.
//!
//! `cargo run -p inflow-examples --example typed_tags -- http://localhost:8086/databasename`

use inflow::{Client, EpochTime, Measurement, TagValue};

/// Written as `ok`, `degraded` and `down`; any other text reads back as a decode error that
/// lists these three.
#[derive(Debug, Clone, Copy, PartialEq, TagValue)]
#[inflow(rename_all = "snake_case")]
pub enum Health {
    Ok,
    Degraded,
    Down,
}

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "probe")]
pub struct Probe {
    /// Written as `17`.
    #[inflow(tag)]
    pub rack: u16,
    /// Written as `true` or `false`.
    #[inflow(tag)]
    pub primary: bool,
    /// Written as the character itself.
    #[inflow(tag)]
    pub zone: char,
    #[inflow(tag)]
    pub health: Health,
    /// Left out of the line when `None`.
    #[inflow(tag)]
    pub slot: Option<i8>,
    pub latency_ms: f64,
    #[inflow(timestamp)]
    pub at: EpochTime,
}

/// Writes three probes through one session and reads them back; returns what it wrote and
/// what it read.
pub async fn run(url: &str) -> inflow::Result<(Vec<Probe>, Vec<Probe>)> {
    let client = Client::new(url)?;
    let written = vec![
        Probe {
            rack: 17,
            primary: true,
            zone: 'é',
            health: Health::Ok,
            slot: Some(-3),
            latency_ms: 0.8,
            at: EpochTime::seconds(1_475_848_864),
        },
        Probe {
            rack: 17,
            primary: false,
            zone: 'b',
            health: Health::Degraded,
            slot: None,
            latency_ms: 12.5,
            at: EpochTime::seconds(1_475_848_865),
        },
        Probe {
            rack: u16::MAX,
            primary: true,
            zone: ' ',
            health: Health::Down,
            slot: Some(i8::MIN),
            latency_ms: 250.0,
            at: EpochTime::seconds(1_475_848_866),
        },
    ];
    let mut session = client.session::<Probe>();
    session.write_all(&written).await?;
    session.commit().await?;

    // Tags come back as text; each is parsed into its field's type.
    let read: Vec<Probe> = client.query_as("SELECT * FROM probe").await?;
    Ok((written, read))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let (_, read) = run(&url).await?;
    for probe in read {
        println!("{probe:?}");
    }
    Ok(())
}
