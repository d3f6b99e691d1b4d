use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use inflow::{Client, EpochTime, Measurement};

#[derive(Debug, Measurement)]
#[inflow(measurement = "temperature")]
struct Reading<'a, T> {
    #[inflow(tag)]
    location: Cow<'a, str>,
    #[inflow(tag)]
    sensor: Cow<'static, str>,
    #[inflow(tag)]
    room: Option<Arc<str>>,
    value: T,
    upper: Option<f32>,
    #[inflow(skip)]
    cache: Vec<u8>,
    #[inflow(timestamp)]
    time: DateTime<Utc>,
}

#[derive(Debug, Measurement)]
struct Untimed {
    count: u64,
    #[inflow(timestamp)]
    at: Option<EpochTime>,
}

async fn run(client: Client) -> inflow::Result<()> {
    let readings: Vec<Reading<'static, i64>> = client.query_as("SELECT * FROM temperature").await?;
    let untimed: Vec<Untimed> = client.query_as("SELECT * FROM untimed").await?;
    println!("{readings:?} {untimed:?}");
    Ok(())
}

fn main() {
    let _ = run;
}
