use chrono::{DateTime, Utc};
use inflow::Measurement;

#[derive(Measurement)]
#[inflow(measurement = "temperature")]
struct Reading {
    #[inflow(tag)] location: String,
    #[inflow(tag)] sensor_type: &'static str,
    value: f64,
    #[inflow(rename = "upper_sensor")] upper: Option<f64>,
    #[inflow(timestamp)] time: DateTime<Utc>,
}

fn main() {
    let reading = Reading {
        location: "groningen".into(),
        sensor_type: "ni1000",
        value: 21.3,
        upper: None,
        time: Utc::now(),
    };
    assert_eq!(reading.measurement(), "temperature");
    let _ = (reading.location, reading.sensor_type, reading.value, reading.upper, reading.time);
}
