use std::time::{Duration, SystemTime};

use inflow::query::Fill;
use inflow::{FromRow, Measurement, Queryable};

#[derive(Measurement)]
struct Reading {
    value: f64,
}

#[derive(FromRow)]
struct Count {
    time: SystemTime,
    count: Option<i64>,
}

fn main() {
    // A count is an integer: a fill of 0.5 does not fit it.
    let _ = Reading::aggregate::<Count, _>(|c| c.value.count())
        .since(SystemTime::UNIX_EPOCH)
        .group_by_time(Duration::from_secs(60))
        .fill(Fill::Value(0.5));
}
