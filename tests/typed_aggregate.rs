//! Typed aggregates against a real InfluxDB 1.6, async and blocking: every aggregate per
//! interval of time (with and without an offset), grouped by a tag, filtered and bounded in
//! time, and each fill mode, read into `#[derive(FromRow)]` rows. Each typed statement gives
//! exactly the rows of the same statement written by hand in InfluxQL (read into the same row
//! type), and `mean`, `sum`, `count`, `min` and `max` equal what Rust computes from the points
//! written.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use inflow::query::{Fill, TypedQuery};
use inflow::{Client, FromRow, Measurement, Query, Queryable};
use inflow_tests::server::{self, Database};

#[derive(Debug, Clone, Measurement)]
#[inflow(measurement = "agg_reading")]
struct Reading {
    #[inflow(tag)]
    location: String,
    value: f64,
    n: i64,
    note: String,
    ok: bool,
    #[inflow(timestamp)]
    time: DateTime<Utc>,
}

/// The aggregates of the float field per interval and location.
#[derive(Debug, Clone, PartialEq, FromRow)]
struct ValueStats {
    time: DateTime<Utc>,
    #[inflow(tag)]
    location: String,
    mean: Option<f64>,
    median: Option<f64>,
    stddev: Option<f64>,
    sum: Option<f64>,
    spread: Option<f64>,
    p90: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
}

/// The aggregates of the integer, string and boolean fields per interval and location.
#[derive(Debug, Clone, PartialEq, FromRow)]
struct OtherStats {
    #[inflow(timestamp)]
    start: DateTime<Utc>,
    #[inflow(tag)]
    location: String,
    count: Option<i64>,
    #[inflow(rename = "isum")]
    int_sum: Option<i64>,
    imax: Option<i64>,
    first_note: Option<String>,
    last_note: Option<String>,
    okmin: Option<bool>,
    okmax: Option<bool>,
    okcount: Option<i64>,
}

/// One aggregate per interval, for the fill modes.
#[derive(Debug, Clone, PartialEq, FromRow)]
struct Mean {
    time: DateTime<Utc>,
    mean: Option<f64>,
}

/// What the async and the blocking client both do.
trait Reader {
    fn fetch<Q: TypedQuery>(&self, query: Q) -> Vec<Q::Row>;
    fn query_as<R: FromRow>(&self, query: Query) -> Vec<R>;
}

struct AsyncClient(Client, tokio::runtime::Runtime);

impl Reader for AsyncClient {
    fn fetch<Q: TypedQuery>(&self, query: Q) -> Vec<Q::Row> {
        self.1.block_on(self.0.fetch(query)).unwrap()
    }

    fn query_as<R: FromRow>(&self, query: Query) -> Vec<R> {
        self.1.block_on(self.0.query_as(query)).unwrap()
    }
}

impl Reader for inflow::blocking::Client {
    fn fetch<Q: TypedQuery>(&self, query: Q) -> Vec<Q::Row> {
        inflow::blocking::Client::fetch(self, query).unwrap()
    }

    fn query_as<R: FromRow>(&self, query: Query) -> Vec<R> {
        inflow::blocking::Client::query_as(self, query).unwrap()
    }
}

/// 2024-01-01T00:00:00Z, a multiple of every interval used here.
const T0: i64 = 1_704_067_200;
const START: &str = "2024-01-01T00:00:00Z";
/// `T0 + 100 s`, excluded.
const END: &str = "2024-01-01T00:01:40Z";

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(T0 + seconds, 0).unwrap()
}

/// Points of three locations at uneven seconds in [0, 100), each location with intervals of
/// 10 s without points; values are quarters, whose sums and means are exact in f64.
fn points() -> Vec<Reading> {
    let seconds: [(&str, &[i64]); 3] = [
        (
            "a",
            &[
                0, 3, 7, 12, 15, 22, 26, 29, 36, 51, 55, 58, 64, 71, 74, 88, 95, 99,
            ],
        ),
        ("b", &[1, 2, 9, 33, 34, 36, 47, 61, 62, 79, 80, 81, 82, 83]),
        ("c", &[5, 15, 25, 35, 45]),
    ];
    let mut points = Vec::new();
    for (location, seconds) in seconds {
        for (i, &second) in seconds.iter().enumerate() {
            let i = i64::try_from(i).unwrap() + second;
            points.push(Reading {
                location: location.to_owned(),
                value: (i % 13) as f64 * 0.25 - 1.75,
                n: i * 3 - 40,
                note: format!("{location}{second}"),
                ok: i % 3 == 0,
                time: at(second),
            });
        }
    }
    points
}

fn seed(label: &str) -> (Database, Vec<Reading>) {
    let db = server::server().database(label);
    let points = points();
    let runtime = runtime();
    runtime
        .block_on(Client::new(&db.url()).unwrap().write_all(&points))
        .unwrap();
    (db, points)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The points of the filter the scenarios use: not `c`, and `value >= -1.5`.
fn kept(point: &Reading) -> bool {
    point.location != "c" && point.value >= -1.5
}

/// The start of the interval holding `second`, for intervals of `interval` starting `offset`
/// after its multiples.
fn bucket(second: i64, interval: i64, offset: i64) -> i64 {
    (second - offset).div_euclid(interval) * interval + offset
}

/// Per location and interval from the one holding 0 to the one holding 99: the values of the
/// points kept, in time order.
fn buckets(
    points: &[Reading],
    interval: i64,
    offset: i64,
) -> BTreeMap<(String, i64), Vec<&Reading>> {
    let mut buckets = BTreeMap::new();
    for location in ["a", "b"] {
        let mut start = bucket(0, interval, offset);
        while start <= 99 {
            buckets.insert((location.to_owned(), start), Vec::new());
            start += interval;
        }
    }
    let mut sorted: Vec<&Reading> = points.iter().filter(|p| kept(p)).collect();
    sorted.sort_by_key(|p| p.time);
    for point in sorted {
        let second = point.time.timestamp() - T0;
        buckets
            .get_mut(&(point.location.clone(), bucket(second, interval, offset)))
            .unwrap()
            .push(point);
    }
    buckets
}

fn value_stats(reader: &impl Reader, points: &[Reading], offset: u64) {
    let typed = reader.fetch(
        Reading::select()
            .filter(|c| c.location.ne("c").and(c.value.ge(-1.5)))
            .since(at(0))
            .before(at(100))
            .group_by(|c| c.location)
            .aggregate::<ValueStats, _>(|c| {
                (
                    c.value.mean(),
                    c.value.median(),
                    c.value.stddev(),
                    c.value.sum(),
                    c.value.spread(),
                    c.value.percentile(90.0).as_("p90"),
                    c.value.min(),
                    c.value.max(),
                )
            })
            .group_by_time_offset(Duration::from_secs(10), Duration::from_secs(offset)),
    );
    let by_hand: Vec<ValueStats> = reader.query_as(Query::new(format!(
        r#"SELECT mean("value"), median("value"), stddev("value"), sum("value"), spread("value"), percentile("value", 90) AS "p90", min("value"), max("value") FROM "agg_reading" WHERE "location" != 'c' AND "value" >= -1.5 AND time >= '{START}' AND time < '{END}' GROUP BY time(10s, {offset}s), "location""#
    )));
    assert_eq!(typed, by_hand);

    // The same aggregates read into a tuple: the time, then the columns in the order selected.
    let tuples = reader.fetch(
        Reading::select()
            .filter(|c| c.location.ne("c").and(c.value.ge(-1.5)))
            .since(at(0))
            .before(at(100))
            .group_by(|c| c.location)
            .aggregate::<(DateTime<Utc>, Option<f64>, Option<f64>), _>(|c| {
                (c.value.mean(), c.value.max())
            })
            .group_by_time_offset(Duration::from_secs(10), Duration::from_secs(offset)),
    );
    let from_rows: Vec<_> = typed
        .iter()
        .map(|row| (row.time, row.mean, row.max))
        .collect();
    assert_eq!(tuples, from_rows);

    let expected: Vec<_> = buckets(points, 10, i64::try_from(offset).unwrap())
        .into_iter()
        .map(|((location, start), values)| {
            let values: Vec<f64> = values.iter().map(|p| p.value).collect();
            let sum = values.iter().sum::<f64>();
            let count = values.len() as f64;
            let some = |value| (!values.is_empty()).then_some(value);
            (
                at(start),
                location,
                some(sum / count),
                some(sum),
                some(values.iter().copied().fold(f64::INFINITY, f64::min)),
                some(values.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            )
        })
        .collect();
    let read: Vec<_> = typed
        .iter()
        .map(|row| {
            (
                row.time,
                row.location.clone(),
                row.mean,
                row.sum,
                row.min,
                row.max,
            )
        })
        .collect();
    assert_eq!(read, expected);
    assert!(read.iter().any(|row| row.2.is_none()), "no empty interval");
    assert!(read.iter().filter(|row| row.2.is_some()).count() >= 10);
}

fn other_stats(reader: &impl Reader, points: &[Reading]) {
    let typed = reader.fetch(
        Reading::select()
            .filter(|c| c.location.ne("c").and(c.value.ge(-1.5)))
            .between(at(0), at(99))
            .group_by(|c| c.location)
            .aggregate::<OtherStats, _>(|c| {
                (
                    c.n.count(),
                    c.n.sum().as_("isum"),
                    c.n.max().as_("imax"),
                    c.note.first().as_("first_note"),
                    c.note.last().as_("last_note"),
                    c.ok.min().as_("okmin"),
                    c.ok.max().as_("okmax"),
                    c.ok.count().as_("okcount"),
                )
            })
            .group_by_time(Duration::from_secs(20)),
    );
    let by_hand: Vec<OtherStats> = reader.query_as(Query::new(format!(
        r#"SELECT count("n"), sum("n") AS "isum", max("n") AS "imax", first("note") AS "first_note", last("note") AS "last_note", min("ok") AS "okmin", max("ok") AS "okmax", count("ok") AS "okcount" FROM "agg_reading" WHERE "location" != 'c' AND "value" >= -1.5 AND time >= '{START}' AND time <= '2024-01-01T00:01:39Z' GROUP BY time(20s), "location""#
    )));
    assert_eq!(typed, by_hand);

    let expected: Vec<_> = buckets(points, 20, 0)
        .into_iter()
        .map(|((location, start), values)| {
            let some = |value| (!values.is_empty()).then_some(value);
            (
                at(start),
                location,
                some(values.len() as i64),
                some(values.iter().map(|p| p.n).sum::<i64>()),
                values.iter().map(|p| p.n).max(),
                values.first().map(|p| p.note.clone()),
                values.last().map(|p| p.note.clone()),
                values.iter().map(|p| p.ok).min(),
                values.iter().map(|p| p.ok).max(),
            )
        })
        .collect();
    let read: Vec<_> = typed
        .iter()
        .map(|row| {
            let count = row.count.filter(|&count| count > 0);
            (
                row.start,
                row.location.clone(),
                count,
                row.int_sum,
                row.imax,
                row.first_note.clone(),
                row.last_note.clone(),
                row.okmin,
                row.okmax,
            )
        })
        .collect();
    assert_eq!(read, expected);
    assert!(read.iter().any(|row| row.2.is_some() && row.7 != row.8));
}

/// Location `a` over [0, 100) per 10 s: the interval [40, 50) has no point.
fn fills(reader: &impl Reader, points: &[Reading]) {
    let means = |fill: Fill<f64>, by_hand: &str| {
        let typed = reader.fetch(
            Reading::select()
                .filter(|c| c.location.eq("a"))
                .since(at(0))
                .before(at(100))
                .aggregate::<Mean, _>(|c| c.value.mean())
                .group_by_time(Duration::from_secs(10))
                .fill(fill),
        );
        let written: Vec<Mean> = reader.query_as(Query::new(format!(
            r#"SELECT mean("value") FROM "agg_reading" WHERE "location" = 'a' AND time >= '{START}' AND time < '{END}' GROUP BY time(10s) fill({by_hand})"#
        )));
        assert_eq!(typed, written, "fill({by_hand})");
        typed
    };
    let mut expected: Vec<(DateTime<Utc>, Option<f64>)> = Vec::new();
    for start in (0..100).step_by(10) {
        let values: Vec<f64> = points
            .iter()
            .filter(|p| p.location == "a")
            .filter(|p| (start..start + 10).contains(&(p.time.timestamp() - T0)))
            .map(|p| p.value)
            .collect();
        let mean = (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
        expected.push((at(start), mean));
    }
    let pairs = |rows: Vec<Mean>| {
        rows.into_iter()
            .map(|r| (r.time, r.mean))
            .collect::<Vec<_>>()
    };
    let empty = expected
        .iter()
        .position(|(_, mean)| mean.is_none())
        .unwrap();
    assert_eq!(expected[empty].0, at(40));
    assert!(expected[empty - 1].1.is_some() && expected[empty + 1].1.is_some());

    assert_eq!(pairs(means(Fill::Null, "null")), expected);

    let mut none = expected.clone();
    none.remove(empty);
    assert_eq!(pairs(means(Fill::None, "none")), none);

    let mut previous = expected.clone();
    previous[empty].1 = previous[empty - 1].1;
    assert_eq!(pairs(means(Fill::Previous, "previous")), previous);

    let mut value = expected.clone();
    value[empty].1 = Some(-7.5);
    assert_eq!(pairs(means(Fill::Value(-7.5), "-7.5")), value);

    let linear = pairs(means(Fill::Linear, "linear"));
    let (before, after) = (
        expected[empty - 1].1.unwrap(),
        expected[empty + 1].1.unwrap(),
    );
    let between = linear[empty].1.unwrap();
    assert!(
        (before.min(after)..=before.max(after)).contains(&between),
        "{between} is not between {before} and {after}"
    );
    let mut others = linear.clone();
    others.remove(empty);
    assert_eq!(others, none);
}

fn every_scenario(reader: &impl Reader, points: &[Reading]) {
    value_stats(reader, points, 0);
    value_stats(reader, points, 4);
    other_stats(reader, points);
    fills(reader, points);
}

#[test]
fn aggregates_equal_the_statements_written_by_hand_and_rust_s_sums_async() {
    let (db, points) = seed("typed_aggregate_async");
    let reader = AsyncClient(Client::new(&db.url()).unwrap(), runtime());
    every_scenario(&reader, &points);
}

#[test]
fn aggregates_equal_the_statements_written_by_hand_and_rust_s_sums_blocking() {
    let (db, points) = seed("typed_aggregate_blocking");
    let reader = inflow::blocking::Client::new(&db.url()).unwrap();
    every_scenario(&reader, &points);
}

#[test]
fn a_statement_that_cannot_be_sent_fails_before_sending_naming_why() {
    let (db, _) = seed("typed_aggregate_refused");
    let client = inflow::blocking::Client::new(&db.url()).unwrap();
    let error = client
        .fetch(
            Reading::aggregate::<Mean, _>(|c| c.value.mean()).group_by_time(Duration::from_secs(1)),
        )
        .unwrap_err();
    assert_eq!(error.kind(), inflow::ErrorKind::InvalidQuery);
    assert!(
        error
            .to_string()
            .contains("group_by_time needs a lower time bound"),
        "{error}"
    );
    let error = client
        .fetch(Reading::aggregate::<Mean, _>(|c| c.value.max()))
        .unwrap_err();
    assert_eq!(error.kind(), inflow::ErrorKind::InvalidQuery);
    assert!(
        error.to_string().contains(r#"reads the column "mean""#),
        "{error}"
    );
}
