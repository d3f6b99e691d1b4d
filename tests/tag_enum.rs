//! `#[derive(TagValue)]` enums as tags against a real InfluxDB 1.6: every variant written
//! through a session as its text (as named, renamed, or converted by `rename_all`), read back
//! identical by `query_as` and `query_stream`; a text that names no variant is a decode error
//! listing the allowed texts. Async and blocking.

use chrono::{DateTime, TimeZone, Utc};
use inflow::query::StatementResult;
use inflow::{Client, ErrorKind, Measurement, TagValue};
use inflow_tests::roundtrip::{write_and_read_back, write_and_read_back_blocking};
use inflow_tests::server;

/// Converted by `rename_all`, one variant renamed to a text line protocol must escape.
#[derive(Debug, Clone, Copy, PartialEq, TagValue)]
#[inflow(rename_all = "kebab-case")]
enum Level {
    Low,
    VeryHigh,
    HTTPError,
    #[inflow(rename = "n/a, =unknown")]
    Unknown,
}

/// Written as the variants are named.
#[derive(Debug, Clone, Copy, PartialEq, TagValue)]
enum Room {
    Kitchen,
    LivingRoom,
}

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "alarm")]
struct Alarm {
    #[inflow(tag)]
    level: Level,
    #[inflow(tag)]
    room: Option<Room>,
    n: i64,
    #[inflow(timestamp)]
    time: DateTime<Utc>,
}

const LEVELS: [(Level, &str); 4] = [
    (Level::Low, "low"),
    (Level::VeryHigh, "very-high"),
    (Level::HTTPError, "http-error"),
    (Level::Unknown, "n/a, =unknown"),
];

/// Every level with every room and with none.
fn alarms() -> Vec<Alarm> {
    let rooms = [None, Some(Room::Kitchen), Some(Room::LivingRoom)];
    (0_i64..)
        .zip(
            LEVELS
                .iter()
                .flat_map(|&(level, _)| rooms.map(|room| (level, room))),
        )
        .map(|(n, (level, room))| Alarm {
            level,
            room,
            n,
            time: Utc.timestamp_nanos(1_000 + n),
        })
        .collect()
}

fn by_n(mut rows: Vec<Alarm>) -> Vec<Alarm> {
    rows.sort_by_key(|row| row.n);
    rows
}

const ALL: &str = "SELECT * FROM alarm";
/// Tags in the series' tags rather than in columns.
const GROUPED: &str = "SELECT * FROM alarm GROUP BY *";

/// Every read of the written alarms gives them back, and the server holds exactly the texts,
/// one tag value per variant.
fn assert_round_trip(
    reads: Vec<(String, Vec<Alarm>)>,
    written: &[Alarm],
    tag_values: &[StatementResult],
) {
    assert_eq!(reads.len(), 4);
    for (read, rows) in reads {
        assert_eq!(by_n(rows), written, "{read}");
    }
    let mut values: Vec<String> = tag_values[0].series()[0]
        .rows()
        .iter()
        .map(|row| match &row[1] {
            Some(inflow::Value::String(text)) => text.clone(),
            other => panic!("tag value {other:?}"),
        })
        .collect();
    values.sort();
    let mut expected: Vec<String> = LEVELS
        .iter()
        .map(|(_, text)| (*text).to_owned())
        .chain(["Kitchen".to_owned(), "LivingRoom".to_owned()])
        .collect();
    expected.sort();
    assert_eq!(values, expected);
}

const TAG_VALUES: &str = "SHOW TAG VALUES FROM alarm WITH KEY IN (\"level\", \"room\")";

#[tokio::test]
async fn enum_tags_round_trip_through_a_session_query_as_and_query_stream() {
    let db = server::server().database("tag_enum");
    let client = Client::new(&db.url()).unwrap();
    let written = alarms();
    assert_eq!(written.len(), 12);
    let reads = write_and_read_back(&client, &written, &[ALL, GROUPED], 5).await;
    let tag_values = client.query(TAG_VALUES).await.unwrap();
    assert_round_trip(reads, &written, &tag_values);
}

#[test]
fn blocking_enum_tags_round_trip_through_a_session_query_as_and_query_stream() {
    let db = server::server().database("tag_enum_blocking");
    let client = inflow::blocking::Client::new(&db.url()).unwrap();
    let written = alarms();
    let reads = write_and_read_back_blocking(&client, &written, &[ALL, GROUPED], 5);
    let tag_values = client.query(TAG_VALUES).unwrap();
    assert_round_trip(reads, &written, &tag_values);

    // Texts that name no variant, written before every alarm: the second is row 1.
    client.write_line_protocol(UNKNOWN).unwrap();
    let err = client.query_as::<Alarm>(ALL).unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Decode, UNKNOWN_ERROR)
    );
}

const UNKNOWN: &str = "alarm,level=low n=0i 1\nalarm,level=Low n=1i 2\n";
const UNKNOWN_ERROR: &str = "cannot decode row 1 of series \"alarm\": column \"level\" holds the tag text \"Low\", expected Level (one of \"low\", \"very-high\", \"http-error\", \"n/a, =unknown\")";
const MISSING: &str = "alarm,room=Kitchen n=0i 1\n";
const MISSING_ERROR: &str = "cannot decode row 0 of series \"alarm\": column \"level\" is missing, null or empty, expected Level (one of \"low\", \"very-high\", \"http-error\", \"n/a, =unknown\")";

#[tokio::test]
async fn a_text_that_names_no_variant_is_a_decode_error_listing_the_allowed_texts() {
    let db = server::server().database("tag_enum_unknown");
    let client = Client::new(&db.url()).unwrap();
    client.write_line_protocol(UNKNOWN).await.unwrap();

    let err = client.query_as::<Alarm>(ALL).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Decode, UNKNOWN_ERROR)
    );
    let mut stream = client.query_stream::<Alarm>(ALL).await.unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().level, Level::Low);
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Decode, UNKNOWN_ERROR)
    );
}

#[tokio::test]
async fn an_absent_enum_tag_is_a_decode_error_outside_an_option() {
    let db = server::server().database("tag_enum_missing");
    let client = Client::new(&db.url()).unwrap();
    client.write_line_protocol(MISSING).await.unwrap();

    let err = client.query_as::<Alarm>(ALL).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Decode, MISSING_ERROR)
    );
}
