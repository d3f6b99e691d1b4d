//! A user's `TagValue`, `FieldValue` or `Timestamp` that panics in the middle of a write must
//! leave the session's buffer as it was: a session shared through a `tokio::sync::Mutex` is not
//! poisoned by the panic, so whatever half line stayed behind would be glued onto the next
//! point and stored under a corrupted measurement name. Read back from a real InfluxDB 1.6.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use inflow::line_protocol::{EncodeError, FieldSlot, TagSlot};
use inflow::{Client, FieldValue, Measurement, TagValue, Timestamp};
use inflow_tests::server::{self, Database, Row};

/// Where a [`Gauge`]'s user code panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panics {
    Nowhere,
    InTag,
    InField,
    InTimestamp,
}

const EVERY_PANIC: [Panics; 3] = [Panics::InTag, Panics::InField, Panics::InTimestamp];

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "gauge")]
struct Gauge {
    #[inflow(tag)]
    room: Room,
    level: Level,
    #[inflow(timestamp)]
    at: Tick,
}

/// A tag that panics, when told to, after writing its value.
#[derive(Debug, Clone, PartialEq)]
struct Room(String, Panics);

/// A field that panics, when told to, after writing its value.
#[derive(Debug, Clone, PartialEq)]
struct Level(i64, Panics);

/// A time in ns that panics, when told to, when the encoder reads it.
#[derive(Debug, Clone, PartialEq)]
struct Tick(i64, Panics);

impl TagValue for Room {
    fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
        tag.str(&self.0)?;
        assert!(self.1 != Panics::InTag, "a user's TagValue panicked");
        Ok(())
    }
}

impl FieldValue for Level {
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
        field.integer(self.0)?;
        assert!(self.1 != Panics::InField, "a user's FieldValue panicked");
        Ok(())
    }
}

impl Timestamp for Tick {
    fn unix_nanos(&self) -> Option<i128> {
        assert!(self.1 != Panics::InTimestamp, "a user's Timestamp panicked");
        Some(i128::from(self.0))
    }
}

impl Gauge {
    fn new(i: i64, panics: Panics) -> Gauge {
        Gauge {
            room: Room(format!("room {i}"), panics),
            level: Level(i * 10, panics),
            at: Tick(1_475_848_864_000_000_000 + i, panics),
        }
    }

    fn good(i: i64) -> Gauge {
        Gauge::new(i, Panics::Nowhere)
    }

    fn bad(panics: Panics) -> Gauge {
        Gauge::new(99, panics)
    }

    fn from_row(row: &Row) -> Gauge {
        Gauge {
            room: Room(
                row["room"].as_str().expect("room").to_owned(),
                Panics::Nowhere,
            ),
            level: Level(row["level"].as_i64().expect("level"), Panics::Nowhere),
            at: Tick(row["time"].as_i64().expect("time"), Panics::Nowhere),
        }
    }
}

/// What the server stored: every measurement of the database, and the gauges.
fn stored(db: &Database) -> (serde_json::Value, Vec<Gauge>) {
    let measurements = db.query("SHOW MEASUREMENTS")["results"][0]["series"][0]["values"].clone();
    let gauges = db.rows(None, "gauge").iter().map(Gauge::from_row).collect();
    (measurements, gauges)
}

fn expected() -> (serde_json::Value, Vec<Gauge>) {
    (
        serde_json::json!([["gauge"]]),
        (0..4).map(Gauge::good).collect(),
    )
}

#[tokio::test]
async fn a_panic_in_a_shared_session_write_leaves_only_the_good_points() {
    let db = server::server().database("panic_async");
    let client = Client::new(&db.url()).unwrap();
    let session = Arc::new(tokio::sync::Mutex::new(client.session::<Gauge>()));
    session.lock().await.write(&Gauge::good(0)).await.unwrap();
    for panics in EVERY_PANIC {
        let shared = Arc::clone(&session);
        let task =
            tokio::spawn(async move { shared.lock().await.write(&Gauge::bad(panics)).await });
        let failure = task.await.expect_err("the write panics");
        assert!(failure.is_panic(), "{panics:?}: {failure}");
        assert_eq!(session.lock().await.len(), 1, "{panics:?}");
    }
    let shared = Arc::clone(&session);
    tokio::spawn(async move {
        let mut session = shared.lock().await;
        for i in 1..4 {
            session.write(&Gauge::good(i)).await.unwrap();
        }
        session.commit().await.unwrap();
    })
    .await
    .unwrap();
    assert_eq!(stored(&db), expected());
}

#[test]
fn a_panic_in_a_blocking_session_write_leaves_only_the_good_points() {
    let db = server::server().database("panic_blocking");
    let client = inflow::blocking::Client::new(&db.url()).unwrap();
    let mut session = client.session::<Gauge>();
    session.write(&Gauge::good(0)).unwrap();
    for panics in EVERY_PANIC {
        let unwound = catch_unwind(AssertUnwindSafe(|| session.write(&Gauge::bad(panics))));
        assert!(unwound.is_err(), "{panics:?} did not panic");
        assert_eq!(session.len(), 1, "{panics:?}");
    }
    for i in 1..4 {
        session.write(&Gauge::good(i)).unwrap();
    }
    session.commit().unwrap();
    assert_eq!(stored(&db), expected());
}
