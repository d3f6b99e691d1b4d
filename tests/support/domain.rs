//! The domain types the client tests write, and how to read them back from query rows.

use chrono::{DateTime, TimeZone, Utc};
use inflow::Measurement;
use serde_json::Value;

use crate::server::Row;

/// The reading of MISSION.md.
#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Reading {
    /// Where.
    #[inflow(tag)]
    pub location: String,
    /// Which kind of sensor.
    #[inflow(tag)]
    pub sensor_type: String,
    /// The value.
    pub value: f64,
    /// The upper sensor's value, when there is one.
    #[inflow(rename = "upper_sensor")]
    pub upper: Option<f64>,
    /// When.
    #[inflow(timestamp)]
    pub time: DateTime<Utc>,
}

impl Reading {
    /// The `i`-th of a series of distinct readings, one second apart from 2016-10-07.
    #[must_use]
    pub fn sample(i: u32) -> Reading {
        Reading {
            location: ["groningen", "den haag", "a,b=c\"d"][i as usize % 3].to_owned(),
            sensor_type: "ni1000".to_owned(),
            value: 20.5 + f64::from(i) / 8.0,
            upper: i.is_multiple_of(2).then(|| 23.25 + f64::from(i)),
            time: Utc
                .timestamp_opt(1_475_848_864 + i64::from(i), 123_000_000)
                .single()
                .expect("a valid time"),
        }
    }

    /// A reading read back from a `SELECT *` row (times in ns).
    ///
    /// # Panics
    ///
    /// When the row lacks a column or has the wrong type.
    #[must_use]
    pub fn from_row(row: &Row) -> Reading {
        let text = |key: &str| {
            row[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} in {row:?}"))
                .to_owned()
        };
        Reading {
            location: text("location"),
            sensor_type: text("sensor_type"),
            value: row["value"].as_f64().expect("value"),
            upper: row.get("upper_sensor").and_then(Value::as_f64),
            time: Utc.timestamp_nanos(row["time"].as_i64().expect("time")),
        }
    }
}

/// Readings read back from rows, sorted by time.
#[must_use]
pub fn readings(rows: &[Row]) -> Vec<Reading> {
    let mut readings: Vec<Reading> = rows.iter().map(Reading::from_row).collect();
    readings.sort_by_key(|reading| reading.time);
    readings
}
