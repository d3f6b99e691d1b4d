//! Timestamps from the `time` and `jiff` libraries (inflow's features `time` and `jiff`): a
//! `time::OffsetDateTime` in a zone of its own and a `jiff::Timestamp`, written at the
//! client's precision (nanoseconds here, the default) and read back as the same instants.
//!
//! `cargo run -p inflow-examples --example time_types -- http://localhost:8086/databasename`

use inflow::{Client, Measurement};

/// A timestamp in `time`: the server keeps no offset, so it reads back in UTC (and compares
/// equal, since `OffsetDateTime`s compare their instants).
#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "door")]
pub struct DoorOpened {
    #[inflow(tag)]
    pub door: String,
    pub seconds_open: f64,
    #[inflow(timestamp)]
    pub at: time::OffsetDateTime,
}

/// A timestamp in `jiff`.
#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "badge")]
pub struct BadgeScanned {
    #[inflow(tag)]
    pub reader: String,
    pub badge: i64,
    #[inflow(timestamp)]
    pub at: jiff::Timestamp,
}

/// What [`run`] wrote and read back: the door events, then the badge scans.
pub type Events = (Vec<DoorOpened>, Vec<BadgeScanned>);

/// Writes two door events and two badge scans, and reads both back; returns what it wrote
/// and what it read.
pub async fn run(url: &str) -> inflow::Result<(Events, Events)> {
    let client = Client::new(url)?;
    // 2016-10-07 14:01:04.123456789 UTC, written from a clock at UTC-07:00.
    let opened = time::OffsetDateTime::from_unix_timestamp_nanos(1_475_848_864_123_456_789)
        .expect("within time's range")
        .to_offset(time::UtcOffset::from_hms(-7, 0, 0).expect("a valid offset"));
    let doors = vec![
        DoorOpened {
            door: "front".to_owned(),
            seconds_open: 4.5,
            at: opened,
        },
        DoorOpened {
            door: "back".to_owned(),
            seconds_open: 12.0,
            at: opened + time::Duration::nanoseconds(1),
        },
    ];
    let scanned = jiff::Timestamp::new(1_475_848_870, 987_654_321).expect("within jiff's range");
    let badges = vec![
        BadgeScanned {
            reader: "lobby".to_owned(),
            badge: 1042,
            at: scanned,
        },
        BadgeScanned {
            reader: "lobby".to_owned(),
            badge: 7,
            at: scanned + jiff::SignedDuration::from_millis(1500),
        },
    ];
    client.write_all(&doors).await?;
    client.write_all(&badges).await?;

    let read_doors: Vec<DoorOpened> = client.query_as("SELECT * FROM door").await?;
    let read_badges: Vec<BadgeScanned> = client.query_as("SELECT * FROM badge").await?;
    Ok(((doors, badges), (read_doors, read_badges)))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let (_, (doors, badges)) = run(&url).await?;
    for door in doors {
        println!("{door:?}");
    }
    for badge in badges {
        println!("{badge:?}");
    }
    Ok(())
}
