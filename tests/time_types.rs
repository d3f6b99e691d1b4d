//! The timestamps of the `time` and `jiff` libraries (`time::OffsetDateTime`,
//! `time::UtcDateTime`, `jiff::Timestamp`, `jiff::Zoned`): encoded with chrono's rules (floored
//! to the precision, refused outside the server's range by value), and written through a
//! session to a real InfluxDB 1.6 at the edges of its range in every precision, then read back
//! identical through `query_as` and `query_stream`, async and blocking.

use std::fmt::Debug;

use futures_util::StreamExt as _;
use inflow::line_protocol::{self, EncodeErrorKind, MAX_TIMESTAMP_NANOS, MIN_TIMESTAMP_NANOS};
use inflow::query::FromTimestamp;
use inflow::{Client, EpochTime, Measurement, Precision, Query, Timestamp};
use inflow_tests::server;

/// A time type under test, built here with its own library's API, not inflow's.
trait Instant:
    Timestamp + FromTimestamp + Clone + Debug + PartialEq + Send + Sync + Unpin + 'static
{
    /// The instant as it reads back from the server: in UTC where the type has a zone.
    fn utc(nanos: i128) -> Self;

    /// The instant as a user writes it: in a zone other than UTC where the type has one.
    fn local(nanos: i128) -> Self;

    /// The instant, through the library's own API.
    fn nanos(&self) -> i128;
}

impl Instant for time::OffsetDateTime {
    fn utc(nanos: i128) -> Self {
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap()
    }

    fn local(nanos: i128) -> Self {
        Self::utc(nanos).to_offset(time::UtcOffset::from_hms(-7, -30, 0).unwrap())
    }

    fn nanos(&self) -> i128 {
        self.unix_timestamp_nanos()
    }
}

impl Instant for time::UtcDateTime {
    fn utc(nanos: i128) -> Self {
        time::UtcDateTime::from_unix_timestamp_nanos(nanos).unwrap()
    }

    fn local(nanos: i128) -> Self {
        Self::utc(nanos)
    }

    fn nanos(&self) -> i128 {
        self.unix_timestamp_nanos()
    }
}

impl Instant for jiff::Timestamp {
    fn utc(nanos: i128) -> Self {
        jiff::Timestamp::from_nanosecond(nanos).unwrap()
    }

    fn local(nanos: i128) -> Self {
        Self::utc(nanos)
    }

    fn nanos(&self) -> i128 {
        self.as_nanosecond()
    }
}

impl Instant for jiff::Zoned {
    fn utc(nanos: i128) -> Self {
        jiff::Timestamp::utc(nanos).to_zoned(jiff::tz::TimeZone::UTC)
    }

    fn local(nanos: i128) -> Self {
        let zone = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(9));
        jiff::Timestamp::utc(nanos).to_zoned(zone)
    }

    fn nanos(&self) -> i128 {
        self.timestamp().as_nanosecond()
    }
}

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "stamped")]
struct Stamped<T: Instant> {
    /// Which precision wrote the row, so that each precision's rows are read on their own.
    #[inflow(tag)]
    precision: String,
    v: i64,
    #[inflow(timestamp)]
    time: T,
}

const MIN: i128 = MIN_TIMESTAMP_NANOS as i128;
const MAX: i128 = MAX_TIMESTAMP_NANOS as i128;

/// The first and last whole units of `precision` inside the server's range.
fn unit_edges(precision: Precision) -> (i128, i128, i128) {
    let unit = i128::from(precision.nanos_per_unit());
    (unit, -((-MIN).div_euclid(unit)), MAX.div_euclid(unit))
}

/// Instants at the edges of the range in `precision`, and around the epoch, with the instant
/// each is stored as: floored to the unit, toward the past (so -1 ns is a whole unit before).
fn storable(precision: Precision) -> Vec<(i128, i128)> {
    let (unit, first, _) = unit_edges(precision);
    [
        first * unit,
        (first + 1) * unit + (unit - 1) / 2,
        -1,
        0,
        1_475_848_864_123_456_789,
        MAX,
    ]
    .into_iter()
    .map(|nanos| (nanos, nanos.div_euclid(unit) * unit))
    .collect()
}

fn rows<T: Instant>(precision: Precision, local: bool) -> Vec<Stamped<T>> {
    storable(precision)
        .into_iter()
        .zip(0..)
        .map(|((written, stored), v)| Stamped {
            precision: precision.to_string(),
            v,
            time: if local {
                T::local(written)
            } else {
                T::utc(stored)
            },
        })
        .collect()
}

fn select(precision: Precision) -> String {
    format!("SELECT * FROM stamped WHERE \"precision\" = '{precision}'")
}

fn assert_read_back<T: Instant>(read: &[Stamped<T>], precision: Precision, how: &str) {
    let expected = rows::<T>(precision, false);
    assert_eq!(read, expected, "{precision:?}, {how}");
    // Equality aside, the same instants by the library's own count, in UTC.
    for (read, expected) in read.iter().zip(&expected) {
        assert_eq!(read.time.nanos(), expected.time.nanos());
        assert_eq!(format!("{:?}", read.time), format!("{:?}", expected.time));
    }
}

/// Each edge ±1 unit in every precision, for each type: what an `EpochTime` of those units
/// encodes to, or the same out-of-range error.
fn encodes_like_epoch_time<T: Instant>() {
    #[derive(Measurement)]
    #[inflow(measurement = "stamped")]
    struct Epoch {
        v: i64,
        #[inflow(timestamp)]
        time: EpochTime,
    }
    #[derive(Measurement)]
    #[inflow(measurement = "stamped")]
    struct Typed<T: Instant> {
        v: i64,
        #[inflow(timestamp)]
        time: T,
    }
    for precision in Precision::ALL {
        let (unit, first, last) = unit_edges(precision);
        for (units, storable) in [
            (first - 1, false),
            (first, true),
            (-1, true),
            (0, true),
            (last, true),
            (last + 1, false),
        ] {
            let epoch = Epoch {
                v: 1,
                time: EpochTime::new(i64::try_from(units).unwrap(), precision),
            };
            let epoch = line_protocol::to_line(&epoch, precision);
            // The unit's first and last nanosecond are both written as the unit.
            for nanos in [units * unit, units * unit + unit - 1] {
                let typed = Typed {
                    v: 1,
                    time: T::local(nanos),
                };
                match (line_protocol::to_line(&typed, precision), &epoch) {
                    (Ok(typed), Ok(epoch)) => {
                        assert!(storable, "{precision:?} {nanos}: {typed}");
                        assert_eq!(&typed, epoch);
                        assert_eq!(typed, format!("stamped v=1i {units}\n"));
                    }
                    (Err(typed), Err(epoch)) => {
                        assert!(!storable, "{precision:?} {nanos}: {typed}");
                        assert_eq!(typed.kind(), EncodeErrorKind::TimestampOutOfRange);
                        assert_eq!(epoch.kind(), EncodeErrorKind::TimestampOutOfRange);
                        assert!(
                            typed.to_string().contains(&format!("{nanos} ns")),
                            "{typed}"
                        );
                    }
                    (typed, epoch) => panic!("{precision:?} {nanos}: {typed:?} but {epoch:?}"),
                }
            }
        }
    }
}

async fn round_trip<T: Instant>(label: &str) {
    let db = server::server().database(label);
    for precision in Precision::ALL {
        let client = Client::builder(db.url())
            .precision(precision)
            .build()
            .unwrap();
        let mut session = client.session::<Stamped<T>>();
        for row in rows::<T>(precision, true) {
            session.write(&row).await.unwrap();
        }
        session.commit().await.unwrap();

        // RFC 3339 times, then integers in the precision, a few rows a chunk.
        let read: Vec<Stamped<T>> = client.query_as(select(precision)).await.unwrap();
        assert_read_back(&read, precision, "query_as");
        let query = Query::new(select(precision)).epoch(precision).chunk_size(2);
        let streamed: Vec<Stamped<T>> = client
            .query_stream::<Stamped<T>>(query)
            .await
            .unwrap()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_read_back(&streamed, precision, "query_stream");
    }
}

fn round_trip_blocking<T: Instant>(label: &str) {
    let db = server::server().database(label);
    for precision in Precision::ALL {
        let client = inflow::blocking::Client::builder(db.url())
            .precision(precision)
            .build()
            .unwrap();
        let mut session = client.session::<Stamped<T>>();
        for row in rows::<T>(precision, true) {
            session.write(&row).unwrap();
        }
        session.commit().unwrap();

        let read: Vec<Stamped<T>> = client.query_as(select(precision)).unwrap();
        assert_read_back(&read, precision, "blocking query_as");
        let query = Query::new(select(precision))
            .epoch(Precision::Nanoseconds)
            .chunk_size(2);
        let streamed: Vec<Stamped<T>> = client
            .query_stream::<Stamped<T>>(query)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_read_back(&streamed, precision, "blocking query_stream");
    }
}

macro_rules! time_type_tests {
    ($($module:ident: $ty:ty;)*) => {$(
        mod $module {
            use super::*;

            #[test]
            fn encodes_at_every_edge_like_epoch_time() {
                encodes_like_epoch_time::<$ty>();
            }

            #[tokio::test]
            async fn reads_back_identical_at_every_edge_and_precision() {
                round_trip::<$ty>(concat!("time_", stringify!($module))).await;
            }

            #[test]
            fn blocking_reads_back_identical_at_every_edge_and_precision() {
                round_trip_blocking::<$ty>(concat!("time_blocking_", stringify!($module)));
            }
        }
    )*};
}

time_type_tests! {
    offset_date_time: time::OffsetDateTime;
    utc_date_time: time::UtcDateTime;
    jiff_timestamp: jiff::Timestamp;
    jiff_zoned: jiff::Zoned;
}

#[test]
fn a_zoned_time_reads_back_as_the_same_instant_in_utc() {
    let written = <jiff::Zoned as Instant>::local(1_475_848_864_123_456_789);
    assert_ne!(written.time_zone(), &jiff::tz::TimeZone::UTC);
    let read = jiff::Zoned::from_unix_nanos(written.unix_nanos()).unwrap();
    assert_eq!(read.timestamp(), written.timestamp());
    assert_eq!(read.time_zone(), &jiff::tz::TimeZone::UTC);
    let written = <time::OffsetDateTime as Instant>::local(-1);
    let read = time::OffsetDateTime::from_unix_nanos(written.unix_nanos()).unwrap();
    assert_eq!(read, written);
    assert_eq!(read.offset(), time::UtcOffset::UTC);
}
