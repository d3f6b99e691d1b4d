use std::borrow::Cow;
use std::time::SystemTime;

use inflow::{Measurement, Precision, line_protocol};

#[derive(Measurement)]
#[inflow(measurement = "weather station")]
struct Observation<'a, T> {
    #[inflow(tag)]
    station: Cow<'a, str>,
    #[inflow(tag, rename = "kind")]
    sensor: Option<&'a str>,
    #[inflow(rename = "temperature")]
    value: T,
    humidity: Option<f32>,
    #[inflow(skip)]
    cached: Vec<u8>,
    #[inflow(timestamp)]
    at: Option<SystemTime>,
}

fn main() {
    let observation = Observation {
        station: Cow::Borrowed("de bilt"),
        sensor: None,
        value: 3_i16,
        humidity: Some(0.5),
        cached: Vec::new(),
        at: None,
    };
    let line = line_protocol::to_line(&observation, Precision::Seconds).unwrap();
    assert!(line.starts_with("weather\\ station,station=de\\ bilt humidity=0.5,temperature=3i "));
    assert!(observation.cached.is_empty());
}
