//! Encodes derived readings and a dynamic point as line protocol and prints the batch.
//!
//! Run with `cargo run -p inflow-examples --example encode`.

use chrono::{DateTime, Utc};
use inflow::line_protocol::{EncodeError, Encoder};
use inflow::{Measurement, Point, Precision};

#[derive(Measurement)]
#[inflow(measurement = "temperature")]
struct Reading<'a> {
    #[inflow(tag)]
    location: &'a str,
    #[inflow(tag)]
    sensor_type: &'static str,
    value: f64,
    #[inflow(rename = "upper_sensor")]
    upper: Option<f64>,
    #[inflow(timestamp)]
    time: DateTime<Utc>,
}

fn main() -> Result<(), EncodeError> {
    let mut batch = Encoder::new(Precision::Seconds);
    for (i, location) in ["groningen", "den haag"].into_iter().enumerate() {
        batch.encode(&Reading {
            location,
            sensor_type: "ni1000",
            value: 21.3 + i as f64,
            upper: (i == 0).then_some(23.2),
            time: DateTime::from_timestamp(1_475_848_864 + i as i64, 0).unwrap_or_default(),
        })?;
    }
    batch.encode(
        &Point::new("temperature")
            .field("value", 23.1)
            .timestamp_secs(1_475_848_864),
    )?;

    // A point that cannot be written is refused with a clear error, and the batch is intact.
    let refused = batch.encode(&Point::new("temperature").field("value", f64::NAN));
    if let Err(err) = refused {
        eprintln!("refused: {err}");
    }

    print!("{}", String::from_utf8_lossy(batch.as_bytes()));
    eprintln!("{} points, {} bytes", batch.len(), batch.as_bytes().len());
    Ok(())
}
