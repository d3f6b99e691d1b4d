//! Typed reads: the derive gives `Reading` a column handle per tag and field, so a filter
//! that compares a tag with a number, a float with a string or orders a string does not
//! compile. Every value goes as a bound parameter and every key is quoted, so no value can
//! change the statement.
//!
//! `cargo run -p inflow-examples --example typed_select -- http://localhost:8086/databasename`

use inflow::query::Order;
use inflow::{Client, EpochTime, Measurement, Queryable};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Reading {
    #[inflow(tag)]
    pub location: String,
    #[inflow(tag)]
    pub floor: i16,
    pub value: f64,
    pub note: Option<String>,
    #[inflow(timestamp)]
    pub at: EpochTime,
}

/// Twelve readings, a minute apart, of three rooms in turn.
pub fn readings() -> Vec<Reading> {
    let rooms = [("attic", 2), ("kitchen", 0), ("cellar", -1)];
    (0..12)
        .map(|i| {
            let (location, floor) = rooms[i % 3];
            Reading {
                location: location.to_owned(),
                floor,
                value: 15.0 + i as f64,
                note: (i % 4 == 0).then(|| format!("checked by robot {i}")),
                at: EpochTime::seconds(1_700_000_000 + i as i64 * 60),
            }
        })
        .collect()
}

/// Writes the readings, then reads back with four typed statements: the warm rooms above the
/// ground floor, the last three readings of the attic, the readings of two rooms whose note
/// matches a regex, and the newest reading of each location, streamed.
pub async fn run(url: &str) -> inflow::Result<[Vec<Reading>; 4]> {
    let client = Client::new(url)?;
    client.write_all(&readings()).await?;

    // SELECT "note"::field, "value"::field, "floor"::tag, "location"::tag FROM "temperature"
    // WHERE "value"::field > $p0 AND "floor"::tag != $p1 AND time >= $p2
    let warm_upstairs = Reading::select()
        .filter(|c| c.value.gt(20.0).and(c.floor.ne(0)).and(c.floor.ne(-1)))
        .since(EpochTime::seconds(1_700_000_000));
    println!("{warm_upstairs}");
    let warm_upstairs = client.fetch(warm_upstairs).await?;

    let attic_last_three = client
        .fetch(
            Reading::select()
                .filter(|c| c.location.eq("attic"))
                .order_by_time(Order::Descending)
                .limit(3),
        )
        .await?;

    let checked = client
        .fetch(Reading::select().filter(|c| {
            c.location
                .in_(["kitchen", "cellar"])
                .and(c.note.matches("^checked by robot [0-9]+$"))
        }))
        .await?;

    // One series per location; the newest row of each, decoded as the chunks arrive.
    let mut newest = Vec::new();
    let mut rows = client
        .fetch_stream(
            Reading::select()
                .group_by(|c| c.location)
                .order_by_time(Order::Descending)
                .limit(1),
        )
        .await?;
    while let Some(reading) = rows.next().await {
        newest.push(reading?);
    }
    Ok([warm_upstairs, attic_last_three, checked, newest])
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let [warm, attic, checked, newest] = run(&url).await?;
    println!("warm upstairs: {warm:?}");
    println!("attic, last three: {attic:?}");
    println!("checked: {checked:?}");
    println!("newest per location: {newest:?}");
    Ok(())
}
