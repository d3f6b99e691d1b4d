//! Typed aggregates: the mean, peak and number of temperatures per location and per 10
//! minutes of an hour, empty intervals filled with the interval before, read into a row type
//! declared with `#[derive(FromRow)]`. An aggregate the field's type does not allow (the
//! mean of a string) does not compile.
//!
//! `cargo run -p inflow-examples --example typed_aggregate -- http://localhost:8086/databasename`

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use inflow::query::Fill;
use inflow::{Client, FromRow, Measurement, Queryable};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Reading {
    #[inflow(tag)]
    pub location: String,
    pub value: f64,
    #[inflow(timestamp)]
    pub time: DateTime<Utc>,
}

/// One row per location and interval: `time` is the interval's start, `location` the tag
/// grouped by, the other fields the aggregates of those names.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TenMinutes {
    pub time: DateTime<Utc>,
    #[inflow(tag)]
    pub location: String,
    pub mean: Option<f64>,
    pub peak: Option<f64>,
    pub count: Option<i64>,
}

/// The start of the hour the example writes in.
pub fn hour() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap()
}

/// Writes a few readings in [`hour`], then reads their aggregates per 10 minutes.
pub async fn run(url: &str) -> inflow::Result<(Vec<Reading>, Vec<TenMinutes>)> {
    let client = Client::new(url)?;
    let minute = |m: i64| hour() + chrono::Duration::minutes(m);
    let readings = vec![
        Reading {
            location: "attic".into(),
            value: 21.5,
            time: minute(1),
        },
        Reading {
            location: "attic".into(),
            value: 22.5,
            time: minute(7),
        },
        Reading {
            location: "attic".into(),
            value: 24.0,
            time: minute(35),
        },
        Reading {
            location: "cellar".into(),
            value: 12.0,
            time: minute(2),
        },
        Reading {
            location: "cellar".into(),
            value: 13.0,
            time: minute(52),
        },
    ];
    client.write_all(&readings).await?;

    let per_ten_minutes = Reading::select()
        .filter(|c| c.value.gt(-50.0))
        .since(hour())
        .before(minute(60))
        .group_by(|c| c.location)
        .aggregate::<TenMinutes, _>(|c| {
            (c.value.mean(), c.value.max().as_("peak"), c.value.count())
        })
        .group_by_time(Duration::from_secs(600))
        .fill(Fill::Previous);
    println!("{per_ten_minutes}");
    let rows = client.fetch(&per_ten_minutes).await?;
    Ok((readings, rows))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> inflow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://localhost:8086/databasename".to_owned());
    let (_, rows) = run(&url).await?;
    for row in rows {
        println!("{row:?}");
    }
    Ok(())
}
