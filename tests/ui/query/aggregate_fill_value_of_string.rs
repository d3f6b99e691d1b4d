use std::time::{Duration, SystemTime};

use inflow::query::Fill;
use inflow::{FromRow, Measurement, Queryable};

#[derive(Measurement)]
struct Reading {
    value: f64,
    note: String,
}

#[derive(FromRow)]
struct Last {
    time: SystemTime,
    last: Option<String>,
}

fn main() {
    // InfluxQL fills with numbers only: a string aggregate takes no fill value.
    let _ = Reading::aggregate::<Last, _>(|c| c.note.last())
        .since(SystemTime::UNIX_EPOCH)
        .group_by_time(Duration::from_secs(60))
        .fill(Fill::Value("none yet"));
}
