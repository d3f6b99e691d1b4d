use std::time::{Duration, SystemTime};

use inflow::query::Fill;
use inflow::{Client, FromRow, Measurement, Queryable};

#[derive(Measurement)]
struct Reading {
    #[inflow(tag)]
    location: String,
    value: f64,
    small: u8,
    ok: bool,
    note: Option<String>,
}

#[derive(Debug, FromRow)]
struct Stats {
    time: chrono::DateTime<chrono::Utc>,
    #[inflow(tag)]
    location: String,
    mean: Option<f64>,
    #[inflow(rename = "max")]
    peak: Option<u8>,
    count: Option<i64>,
    last: Option<String>,
    ok: Option<bool>,
    #[inflow(skip)]
    seen: bool,
}

/// A row of tags and time only.
#[derive(Debug, FromRow)]
struct Buckets {
    #[inflow(timestamp)]
    start: SystemTime,
}

async fn run(client: Client) -> inflow::Result<()> {
    let stats = Reading::select()
        .filter(|c| c.value.gt(0.0))
        .last(Duration::from_secs(3600))
        .group_by(|c| c.location)
        .aggregate::<Stats, _>(|c| {
            (c.value.mean(), c.small.max(), c.value.count(), c.note.last(), c.ok.max().as_("ok"))
        })
        .group_by_time_offset(Duration::from_secs(60), Duration::from_secs(15))
        .fill(Fill::Previous);
    for row in client.fetch(&stats).await? {
        let _: (_, String, Option<f64>, Option<u8>, Option<i64>, Option<String>, Option<bool>, bool) =
            (row.time, row.location, row.mean, row.peak, row.count, row.last, row.ok, row.seen);
    }
    let single = Reading::aggregate::<Buckets, _>(|c| c.small.max())
        .since(SystemTime::UNIX_EPOCH)
        .group_by_time(Duration::from_secs(60))
        .fill(Fill::Value(7_u8));
    let buckets: Vec<Buckets> = client.fetch(single).await?;
    let _ = buckets.first().map(|b| b.start);
    let floats = Reading::aggregate::<Buckets, _>(|c| (c.value.mean(), c.value.stddev()))
        .since(SystemTime::UNIX_EPOCH)
        .group_by_time(Duration::from_secs(60))
        .fill(Fill::Linear)
        .fill(Fill::Value(-0.5));
    let _ = client.fetch(floats).await?;
    // A float and an integer: an integer fill value fits both.
    let mixed = Reading::aggregate::<Buckets, _>(|c| (c.value.mean(), c.value.count()))
        .since(SystemTime::UNIX_EPOCH)
        .group_by_time(Duration::from_secs(60))
        .fill(Fill::Value(0_i64));
    let _ = client.fetch(mixed).await?;
    Ok(())
}

fn main() {
    let _ = run;
}
