use std::time::{Duration, SystemTime};

use inflow::{Measurement, Queryable};

#[derive(Measurement)]
struct Reading {
    value: f64,
}

fn main() {
    // Intervals of time need an aggregate: `Reading::select().aggregate(...)` has them.
    let _ = Reading::select()
        .since(SystemTime::UNIX_EPOCH)
        .group_by_time(Duration::from_secs(60));
}
