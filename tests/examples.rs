//! Every example of `examples/` runs against the real server, and what it wrote is read back.
//! The example files are compiled into this test as they are, so the code tested is the code
//! a user reads.

#![allow(dead_code, unreachable_pub)]

use chrono::{TimeZone, Utc};
use inflow::{Client, Value};
use inflow_tests::server::{self, Database, Row};

#[path = "../examples/demo.rs"]
mod demo;
#[path = "../examples/enum_measurement.rs"]
mod enum_measurement;
#[path = "../examples/query_temperatures.rs"]
mod query_temperatures;
#[path = "../examples/session_autocommit.rs"]
mod session_autocommit;
#[path = "../examples/session_commit.rs"]
mod session_commit;
#[path = "../examples/session_retention_policy.rs"]
mod session_retention_policy;
#[path = "../examples/session_scope.rs"]
mod session_scope;
#[path = "../examples/time_types.rs"]
mod time_types;
#[path = "../examples/typed_aggregate.rs"]
mod typed_aggregate;
#[path = "../examples/typed_delete.rs"]
mod typed_delete;
#[path = "../examples/typed_select.rs"]
mod typed_select;
#[path = "../examples/typed_tags.rs"]
mod typed_tags;
#[path = "../examples/verify_schema.rs"]
mod verify_schema;
#[path = "../examples/write_precision.rs"]
mod write_precision;
#[path = "../examples/write_retention_policy.rs"]
mod write_retention_policy;
#[path = "../examples/write_several_values.rs"]
mod write_several_values;
#[path = "../examples/write_single.rs"]
mod write_single;
#[path = "../examples/write_tags.rs"]
mod write_tags;
#[path = "../examples/write_timeout.rs"]
mod write_timeout;
#[path = "../examples/writer.rs"]
mod writer;

fn rows(db: &Database, retention_policy: Option<&str>) -> Vec<Row> {
    db.rows(retention_policy, "temperature")
}

fn seconds(row: &Row) -> i64 {
    row["time"].as_i64().unwrap() / 1_000_000_000
}

fn value_and_seconds(rows: &[Row]) -> Vec<(f64, i64)> {
    rows.iter()
        .map(|row| (row["value"].as_f64().unwrap(), seconds(row)))
        .collect()
}

fn four_weeks(db: &Database) {
    let _ = db.query(&format!(
        "CREATE RETENTION POLICY \"rp_four_weeks\" ON \"{}\" DURATION 4w REPLICATION 1",
        db.name()
    ));
}

#[tokio::test]
async fn seed_commit() {
    let db = server::server().database("ex_commit");
    let written = session_commit::run(&db.url()).await.unwrap();
    let expected: Vec<(f64, i64)> = written
        .iter()
        .map(|t| (t.value, t.timestamp.value()))
        .collect();
    assert_eq!(value_and_seconds(&rows(&db, None)), expected);
    assert_eq!(expected.len(), 2);
}

#[tokio::test]
async fn seed_context_manager() {
    let db = server::server().database("ex_scope");
    let written = session_scope::run(&db.url()).await.unwrap();
    let expected: Vec<(f64, i64)> = written
        .iter()
        .map(|t| (t.value, t.timestamp.value()))
        .collect();
    assert_eq!(value_and_seconds(&rows(&db, None)), expected);
}

#[tokio::test]
async fn seed_autocommit() {
    let db = server::server().database("ex_autocommit");
    let written = session_autocommit::run(&db.url()).await.unwrap();
    let expected: Vec<(f64, i64)> = written
        .iter()
        .map(|t| (t.value, t.timestamp.value()))
        .collect();
    assert_eq!(value_and_seconds(&rows(&db, None)), expected);
    assert_eq!(expected.len(), 5);
}

#[tokio::test]
async fn seed_retention_policy() {
    let db = server::server().database("ex_rp");
    four_weeks(&db);
    let written = session_retention_policy::run(&db.url()).await.unwrap();
    let stored = rows(&db, Some("rp_four_weeks"));
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["value"], written[0].value);
    let nanos = written[0].timestamp.timestamp_nanos_opt().unwrap();
    assert_eq!(stored[0]["time"], nanos);
    assert!(rows(&db, Some("autogen")).is_empty());
}

#[tokio::test]
async fn write_single_is_stamped_now() {
    let db = server::server().database("ex_single");
    let before = Utc::now().timestamp_nanos_opt().unwrap();
    let written = write_single::run(&db.url()).await.unwrap();
    let after = Utc::now().timestamp_nanos_opt().unwrap();
    let stored = rows(&db, None);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["value"], written.value);
    assert!((before..=after).contains(&stored[0]["time"].as_i64().unwrap()));
}

#[tokio::test]
async fn write_with_tags() {
    let db = server::server().database("ex_tags");
    let written = write_tags::run(&db.url()).await.unwrap();
    let stored = rows(&db, None);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["location"], written.location.as_str());
    assert_eq!(stored[0]["sensor_type"], written.sensor_type.as_str());
    assert_eq!(
        (stored[0]["value"].as_f64().unwrap(), seconds(&stored[0])),
        (written.value, written.timestamp.value())
    );
}

#[tokio::test]
async fn write_several_values_in_one_request() {
    let db = server::server().database("ex_several");
    let written = write_several_values::run(&db.url()).await.unwrap();
    let stored: Vec<(f64, f64, i64)> = rows(&db, None)
        .iter()
        .map(|row| {
            (
                row["lower_sensor"].as_f64().unwrap(),
                row["upper_sensor"].as_f64().unwrap(),
                seconds(row),
            )
        })
        .collect();
    let expected: Vec<(f64, f64, i64)> = written
        .iter()
        .map(|t| (t.lower_sensor, t.upper_sensor, t.timestamp.value()))
        .collect();
    assert_eq!(stored, expected);
}

#[tokio::test]
async fn write_to_a_retention_policy() {
    let db = server::server().database("ex_write_rp");
    four_weeks(&db);
    let written = write_retention_policy::run(&db.url()).await.unwrap();
    let stored = rows(&db, Some("rp_four_weeks"));
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0]["time"],
        written.timestamp.timestamp_nanos_opt().unwrap()
    );
    assert!(rows(&db, Some("autogen")).is_empty());
}

#[tokio::test]
async fn write_with_second_precision() {
    let db = server::server().database("ex_precision");
    let written = write_precision::run(&db.url()).await.unwrap();
    let stored = rows(&db, None);
    assert_eq!(stored.len(), 1);
    // 1475848864.75 s is stored at 1475848864 s: truncated to the precision.
    assert_eq!(
        stored[0]["time"],
        written.timestamp.timestamp() * 1_000_000_000
    );
    assert_eq!(stored[0]["time"], 1_475_848_864_000_000_000_i64);
}

#[tokio::test]
async fn write_with_a_timeout() {
    let db = server::server().database("ex_timeout");
    let written = write_timeout::run(&db.url()).await.unwrap();
    assert_eq!(
        value_and_seconds(&rows(&db, None)),
        vec![(written.value, written.timestamp.value())]
    );
}

#[tokio::test]
async fn the_demo_writes_and_reads_back_every_reading() {
    let db = server::server().database("ex_demo");
    let written = demo::write(&db.url()).await.unwrap();
    let mut stored: Vec<(String, f64, Option<f64>, i64)> = rows(&db, None)
        .iter()
        .map(|row| {
            (
                row["location"].as_str().unwrap().to_owned(),
                row["value"].as_f64().unwrap(),
                row.get("upper_sensor").and_then(serde_json::Value::as_f64),
                row["time"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, f64, Option<f64>, i64)> = written
        .iter()
        .map(|r| {
            (
                r.location.clone(),
                r.value,
                r.upper,
                r.time.timestamp_nanos_opt().unwrap(),
            )
        })
        .collect();
    stored.sort_by(|a, b| (a.3, &a.0).cmp(&(b.3, &b.0)));
    expected.sort_by(|a, b| (a.3, &a.0).cmp(&(b.3, &b.0)));
    assert_eq!(stored, expected);
    assert_eq!(stored.len(), 16);
    assert_eq!(
        Utc.timestamp_nanos(stored[0].3).to_rfc3339(),
        "2016-10-07T00:00:00+00:00"
    );
}

#[tokio::test]
async fn the_origin_queries_with_and_without_epoch() {
    let db = server::server().database("ex_query");
    let written = vec![
        query_temperatures::Temperature {
            location: Some("groningen".to_owned()),
            value: 23.1,
            time: Utc.timestamp_opt(1_475_848_864, 0).unwrap(),
        },
        query_temperatures::Temperature {
            location: None,
            value: 25.5,
            time: Utc.timestamp_opt(1_475_849_823, 0).unwrap(),
        },
    ];
    Client::new(&db.url())
        .unwrap()
        .write_all(&written)
        .await
        .unwrap();
    let (text_times, epoch_seconds, typed) = query_temperatures::run(&db.url()).await.unwrap();
    let text = &text_times[0].series()[0];
    assert_eq!(text.name(), "temperatures");
    assert_eq!(text.columns(), ["time", "location", "value"]);
    assert_eq!(
        text.get(0, "time"),
        Some(&Value::String("2016-10-07T14:01:04Z".to_owned()))
    );
    assert_eq!(text.get(1, "location"), None);
    let seconds = &epoch_seconds[0].series()[0];
    assert_eq!(seconds.get(0, "time"), Some(&Value::Integer(1_475_848_864)));
    assert_eq!(seconds.get(1, "time"), Some(&Value::Integer(1_475_849_823)));
    assert_eq!(seconds.get(1, "value"), Some(&Value::Float(25.5)));
    assert_eq!(typed, written);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writer_tasks_and_close() {
    let db = server::server().database("ex_writer");
    let written = writer::run(&db.url()).await.unwrap();
    assert_eq!(written.len(), 1_000);
    let answer = db.query("SELECT \"celsius\", \"sensor\" FROM \"reading\"");
    let values = answer["results"][0]["series"][0]["values"]
        .as_array()
        .unwrap();
    assert_eq!(values.len(), 1_000);
    let mut stored: Vec<(String, f64)> = values
        .iter()
        .map(|row| {
            (
                row[2].as_str().unwrap().to_owned(),
                row[1].as_f64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, f64)> = written
        .iter()
        .map(|reading| (reading.sensor.to_string(), reading.celsius))
        .collect();
    let order = |a: &(String, f64), b: &(String, f64)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1));
    stored.sort_by(order);
    expected.sort_by(order);
    assert_eq!(stored, expected);
}

#[tokio::test]
async fn enum_measurement() {
    let db = server::server().database("ex_enum");
    let (written, read) = enum_measurement::run(&db.url()).await.unwrap();
    assert_eq!(written.len(), 2);
    // One row per measurement: `cpu` first, then `disk`, as the server orders its series.
    assert_eq!(read, written);
    assert_eq!(db.rows(None, "cpu").len(), 1);
    let disk = db.rows(None, "disk");
    assert_eq!(disk.len(), 1);
    assert_eq!(disk[0]["device"].as_str(), Some("sda"));
    assert_eq!(disk[0]["free_bytes"].as_i64(), Some(52_000_000_000));
}

#[tokio::test]
async fn typed_tags_read_back_into_their_types() {
    let db = server::server().database("ex_typed_tags");
    let (written, read) = typed_tags::run(&db.url()).await.unwrap();
    assert_eq!(written.len(), 3);
    assert_eq!(read, written);
    // The server holds each tag as its text; an absent `Option` is no tag at all.
    let stored = db.rows(None, "probe");
    let tags: Vec<[Option<&str>; 5]> = stored
        .iter()
        .map(|row| {
            ["rack", "primary", "zone", "health", "slot"]
                .map(|key| row.get(key).and_then(serde_json::Value::as_str))
        })
        .collect();
    assert_eq!(
        tags,
        [
            [Some("17"), Some("true"), Some("é"), Some("ok"), Some("-3")],
            [Some("17"), Some("false"), Some("b"), Some("degraded"), None],
            [
                Some("65535"),
                Some("true"),
                Some(" "),
                Some("down"),
                Some("-128")
            ],
        ]
    );
}

#[tokio::test]
async fn time_and_jiff_timestamps_read_back_as_the_same_instants() {
    let db = server::server().database("ex_time_types");
    let ((doors, badges), (read_doors, read_badges)) = time_types::run(&db.url()).await.unwrap();
    assert_eq!((doors.len(), badges.len()), (2, 2));
    assert_eq!(read_doors, doors);
    assert_eq!(read_badges, badges);
    // Read back in UTC, to the nanosecond.
    assert_eq!(read_doors[0].at.offset(), time::UtcOffset::UTC);
    let nanos = |rows: &[Row]| -> Vec<i64> {
        rows.iter()
            .map(|row| row["time"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        nanos(&db.rows(None, "door")),
        [1_475_848_864_123_456_789, 1_475_848_864_123_456_790]
    );
    assert_eq!(
        nanos(&db.rows(None, "badge")),
        [1_475_848_870_987_654_321, 1_475_848_872_487_654_321]
    );
}

#[tokio::test]
async fn verify_schema_writes_only_without_a_conflict() {
    // A fresh database has nothing to conflict with: the reading is written.
    let db = server::server().database("ex_verify_ok");
    let (report, wrote) = verify_schema::run(&db.url()).await.unwrap();
    assert!(report.is_compatible(), "{report}");
    assert!(wrote);
    assert_eq!(report.to_string(), "the schema matches the server's");
    assert_eq!(db.rows(None, "pump").len(), 1);

    // `starts` written as a float first: the server would drop every reading.
    let db = server::server().database("ex_verify_conflict");
    Client::new(&db.url())
        .unwrap()
        .write_line_protocol("pump,station=south starts=1.5,valve=\"open\" 1\n")
        .await
        .unwrap();
    let (report, wrote) = verify_schema::run(&db.url()).await.unwrap();
    assert!(!wrote);
    assert_eq!(
        report.to_string(),
        "`PumpReading::starts` (i64, written as integer) conflicts with the server's float field `starts` of measurement `pump`\n\
         the server's string field `valve` of measurement `pump` is not written by the type"
    );
    assert_eq!(db.rows(None, "pump").len(), 1, "only the seed is stored");
}

#[tokio::test]
async fn typed_select_reads_exactly_the_rows_each_filter_names() {
    let db = server::server().database("ex_typed_select");
    let [warm, attic, checked, newest] = typed_select::run(&db.url()).await.unwrap();
    let written = typed_select::readings();
    let pick = |indexes: &[usize]| -> Vec<typed_select::Reading> {
        indexes.iter().map(|&i| written[i].clone()).collect()
    };
    // Readings i = 0..12 go to attic (floor 2), kitchen (0), cellar (-1) in turn, value 15 + i,
    // a note on i = 0, 4, 8.
    assert_eq!(warm, pick(&[6, 9]));
    assert_eq!(attic, pick(&[9, 6, 3]));
    assert_eq!(checked, pick(&[4, 8]));
    // One series per location, the newest row of each; newest first also reverses the order
    // of the series (kitchen, cellar, attic), as the server does.
    assert_eq!(newest, pick(&[10, 11, 9]));
}

#[tokio::test]
async fn typed_delete_removes_only_the_matching_points() {
    let db = server::server().database("ex_typed_delete");
    let left = typed_delete::run(&db.url()).await.unwrap();
    let mut expected = typed_delete::events();
    // Only event 1 is north, door 2 and before the fourth minute (event 3 is at it).
    expected.remove(1);
    assert_eq!(left, expected);
    assert_eq!(db.rows(None, "door").len(), 7);
}

#[tokio::test]
async fn typed_aggregate_reads_each_interval_filled_with_the_one_before() {
    let db = server::server().database("ex_typed_aggregate");
    let (written, rows) = typed_aggregate::run(&db.url()).await.unwrap();
    assert_eq!(written.len(), 5);
    let at = |m: i64| typed_aggregate::hour() + chrono::Duration::minutes(m);
    let row = |location: &str, m, mean, peak, count| typed_aggregate::TenMinutes {
        time: at(m),
        location: location.to_owned(),
        mean,
        peak,
        count,
    };
    // Series by location; an interval without points repeats the one before, and a count of
    // none is null until a point arrives (fill(previous) fills the count too).
    assert_eq!(
        rows,
        [
            row("attic", 0, Some(22.0), Some(22.5), Some(2)),
            row("attic", 10, Some(22.0), Some(22.5), Some(2)),
            row("attic", 20, Some(22.0), Some(22.5), Some(2)),
            row("attic", 30, Some(24.0), Some(24.0), Some(1)),
            row("attic", 40, Some(24.0), Some(24.0), Some(1)),
            row("attic", 50, Some(24.0), Some(24.0), Some(1)),
            row("cellar", 0, Some(12.0), Some(12.0), Some(1)),
            row("cellar", 10, Some(12.0), Some(12.0), Some(1)),
            row("cellar", 20, Some(12.0), Some(12.0), Some(1)),
            row("cellar", 30, Some(12.0), Some(12.0), Some(1)),
            row("cellar", 40, Some(12.0), Some(12.0), Some(1)),
            row("cellar", 50, Some(13.0), Some(13.0), Some(1)),
        ]
    );
}
