//! Typed deletes: InfluxDB deletes by tags and time only, so a delete's filter takes tag
//! conditions alone (a field condition does not compile), and a delete with neither a filter
//! nor a time bound is refused unless it says `everything()`.
//!
//! `cargo run -p inflow-examples --example typed_delete -- http://localhost:8086/databasename`

use inflow::{Client, EpochTime, ErrorKind, Measurement, Queryable};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "door")]
pub struct DoorEvent {
    #[inflow(tag)]
    pub building: String,
    #[inflow(tag)]
    pub door: u8,
    pub open: bool,
    #[inflow(timestamp)]
    pub at: EpochTime,
}

/// Eight events a minute apart: four in the north building, four in the south, doors 1 and 2
/// in turn.
pub fn events() -> Vec<DoorEvent> {
    (0..8)
        .map(|i| DoorEvent {
            building: if i < 4 { "north" } else { "south" }.to_owned(),
            door: (i % 2 + 1) as u8,
            open: i % 3 == 0,
            at: EpochTime::seconds(1_700_000_000 + i * 60),
        })
        .collect()
}

/// Writes the events, deletes those of door 2 of building "north" before the fourth minute,
/// shows that an unbounded delete is refused, and returns what is left.
pub async fn run(url: &str) -> inflow::Result<Vec<DoorEvent>> {
    let client = Client::new(url)?;
    client.write_all(&events()).await?;

    let delete = DoorEvent::delete()
        .filter(|c| c.building.eq("north").and(c.door.eq(2)))
        .before(EpochTime::seconds(1_700_000_000 + 3 * 60));
    // DELETE FROM "door" WHERE "building"::tag = $p0 AND "door"::tag = $p1 AND time < $p2
    println!("{delete}");
    client.delete(delete).await?;

    let refused = client.delete(DoorEvent::delete()).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidQuery);
    println!("refused: {refused}");

    client.fetch(DoorEvent::select()).await
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    for event in run(&url).await? {
        println!("{event:?}");
    }
    Ok(())
}
