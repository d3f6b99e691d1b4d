use std::time::{Duration, UNIX_EPOCH};

use super::*;
use crate::{EpochTime, ErrorKind, Measurement};

#[derive(Debug, Measurement)]
#[inflow(measurement = "temp \"room\"")]
struct Reading {
    #[inflow(tag)]
    location: String,
    #[inflow(tag, rename = "fl oor")]
    floor: Option<i16>,
    #[inflow(tag)]
    wing: char,
    value: f64,
    count: i64,
    ok: bool,
    note: Option<String>,
    #[inflow(timestamp)]
    at: EpochTime,
    #[inflow(skip)]
    _local: u8,
}

/// The statement of `select`, and its parameters as JSON.
fn sql(query: &Query) -> (String, Option<String>) {
    (query.text().to_owned(), query.params_json())
}

fn filter_text<K>(
    filter: impl FnOnce(&<Reading as Queryable>::Columns) -> Filter<Reading, K>,
) -> String {
    let query = Reading::select().filter(filter).to_query();
    let text = query.text();
    text[text.find(" WHERE ").map_or(text.len(), |at| at + 7)..].to_owned()
}

#[test]
fn a_select_names_the_types_fields_and_tags_typed_and_quoted() {
    let (text, params) = sql(&Reading::select().to_query());
    assert_eq!(
        text,
        r#"SELECT "count"::field, "note"::field, "ok"::field, "value"::field, "fl oor"::tag, "location"::tag, "wing"::tag FROM "temp \"room\"""#
    );
    assert_eq!(params, None);
    assert_eq!(
        Reading::select().to_query().epoch,
        Some(crate::Precision::Nanoseconds)
    );
}

#[test]
fn every_comparison_binds_its_value_and_types_its_column() {
    let query = Reading::select()
        .filter(|c| {
            c.location
                .eq("a'b")
                .and(c.floor.ne(-1))
                .and(c.wing.eq('é'))
                .and(c.value.gt(1.0))
                .and(c.value.ge(1.5))
                .and(c.count.lt(7))
                .and(c.count.le(8))
                .and(c.ok.eq(true))
                .and(c.note.eq("x"))
        })
        .to_query();
    assert_eq!(
        query.text(),
        r#"SELECT "count"::field, "note"::field, "ok"::field, "value"::field, "fl oor"::tag, "location"::tag, "wing"::tag FROM "temp \"room\"" WHERE "location"::tag = $p0 AND "fl oor"::tag != $p1 AND "wing"::tag = $p2 AND "value"::field > $p3 AND "value"::field >= $p4 AND "count"::field < $p5 AND "count"::field <= $p6 AND "ok"::field = $p7 AND "note"::field = $p8"#
    );
    assert_eq!(
        query.params_json().as_deref(),
        Some(
            r#"{"p0":"a'b","p1":"-1","p2":"é","p3":1.0,"p4":1.5,"p5":7,"p6":8,"p7":true,"p8":"x"}"#
        )
    );
}

#[test]
fn or_inside_and_is_parenthesized_and_and_inside_or_too() {
    assert_eq!(
        filter_text(|c| c
            .location
            .eq("a")
            .or(c.location.eq("b"))
            .and(c.value.gt(1.0))),
        r#"("location"::tag = $p0 OR "location"::tag = $p1) AND "value"::field > $p2"#
    );
    assert_eq!(
        filter_text(|c| c.location.eq("a").and(c.value.gt(1.0)).or(c.ok.eq(false))),
        r#"("location"::tag = $p0 AND "value"::field > $p1) OR "ok"::field = $p2"#
    );
    assert_eq!(
        filter_text(|c| c
            .ok
            .eq(true)
            .and(c.location.eq("a").or(c.value.gt(1.0).and(c.count.lt(2))))),
        r#""ok"::field = $p0 AND ("location"::tag = $p1 OR ("value"::field > $p2 AND "count"::field < $p3))"#
    );
}

#[test]
fn not_is_pushed_onto_each_comparison() {
    assert_eq!(
        filter_text(|c| c.location.eq("a").and(c.value.gt(1.0)).not()),
        r#""location"::tag != $p0 OR "value"::field <= $p1"#
    );
    assert_eq!(
        filter_text(|c| !(c.count.ge(1) | c.count.lt(0) | c.value.le(2.0) | c.value.ne(3.0))),
        r#""count"::field < $p0 AND "count"::field >= $p1 AND "value"::field > $p2 AND "value"::field = $p3"#
    );
    assert_eq!(
        filter_text(|c| c.note.matches("^a").not() & c.location.not_matches("b").not()),
        r#""note"::field !~ /^a/ AND "location"::tag =~ /b/"#
    );
    assert_eq!(
        filter_text(|c| c.location.in_(["a"]).not().not()),
        r#""location"::tag = $p0"#
    );
}

#[test]
fn constants_fold_away_and_an_empty_in_matches_nothing() {
    let none: [&str; 0] = [];
    assert_eq!(filter_text(|c| c.location.in_(none)), "false");
    assert_eq!(filter_text(|c| c.location.in_(none).not()), "");
    assert_eq!(
        filter_text(|c| c.location.in_(none).or(c.ok.eq(true))),
        r#""ok"::field = $p0"#
    );
    assert_eq!(
        filter_text(|c| c.location.in_(none).and(c.ok.eq(true))),
        "false"
    );
    assert_eq!(
        filter_text(|c| c.count.in_([1, 2, 3])),
        r#""count"::field = $p0 OR "count"::field = $p1 OR "count"::field = $p2"#
    );
    assert_eq!(
        filter_text(|_| Filter::<Reading, TagsOnly>::constant(true)),
        ""
    );
}

#[test]
fn absent_and_present_tags_compare_with_the_empty_text() {
    let query = Reading::select()
        .filter(|c| c.floor.is_absent().or(c.wing.is_present()))
        .to_query();
    assert!(
        query
            .text()
            .ends_with(r#"WHERE "fl oor"::tag = $p0 OR "wing"::tag != $p1"#)
    );
    assert_eq!(query.params_json().as_deref(), Some(r#"{"p0":"","p1":""}"#));
}

#[test]
fn time_bounds_are_bound_nanoseconds_anded_after_the_filter() {
    let start = UNIX_EPOCH + Duration::from_secs(10);
    let query = Reading::select()
        .filter(|c| c.location.eq("a").or(c.location.eq("b")))
        .between(start, EpochTime::millis(20_000))
        .after(chrono::DateTime::<chrono::Utc>::from(start))
        .before(EpochTime::seconds(30))
        .last(Duration::from_secs(60))
        .to_query();
    let text = query.text();
    assert!(
        text.ends_with(r#"WHERE ("location"::tag = $p0 OR "location"::tag = $p1) AND time >= $p2 AND time <= $p3 AND time > $p4 AND time < $p5 AND time >= now() - 60000000000ns"#),
        "{text}"
    );
    assert_eq!(
        query.params_json().as_deref(),
        Some(
            r#"{"p0":"a","p1":"b","p2":10000000000,"p3":20000000000,"p4":10000000000,"p5":30000000000}"#
        )
    );
    let alone = Reading::select()
        .filter(|c| c.location.eq("a").or(c.location.eq("b")))
        .to_query();
    assert!(
        alone
            .text()
            .ends_with(r#"WHERE "location"::tag = $p0 OR "location"::tag = $p1"#)
    );
}

#[test]
fn a_time_or_value_that_cannot_be_bound_makes_the_query_invalid_naming_it() {
    let far = Reading::select()
        .since(EpochTime::seconds(i64::MAX))
        .to_query();
    assert!(
        far.invalid_param()
            .unwrap()
            .contains("outside the times InfluxDB stores"),
        "{far:?}"
    );
    let none = Reading::select().until(None::<EpochTime>).to_query();
    assert!(
        none.invalid_param()
            .unwrap()
            .contains("a time bound of None")
    );
    let nan = Reading::select()
        .filter(|c| c.value.eq(f64::NAN))
        .to_query();
    let problem = nan.invalid_param().unwrap();
    assert!(
        problem.contains("field \"value\"") && problem.contains("not a finite number"),
        "{problem}"
    );
    let regex = Reading::select()
        .filter(|c| c.location.matches("a\\"))
        .to_query();
    assert!(regex.invalid_param().unwrap().contains("lone backslash"));
    let long = Reading::select().last(Duration::MAX).to_query();
    assert!(long.invalid_param().unwrap().contains("last("));
}

#[test]
fn order_limits_groups_and_retention_policy_render_in_influxql_order() {
    let query = Reading::select()
        .group_by(|c| c.location)
        .group_by(|c| c.floor)
        .group_by(|c| c.location)
        .order_by_time(Order::Descending)
        .limit(10)
        .offset(2)
        .slimit(3)
        .soffset(1)
        .retention_policy("r\"p")
        .database("other")
        .chunk_size(500)
        .to_query();
    assert!(
        query.text().ends_with(r#" FROM "r\"p"."temp \"room\"" GROUP BY "location", "fl oor" ORDER BY time DESC LIMIT 10 OFFSET 2 SLIMIT 3 SOFFSET 1"#),
        "{}",
        query.text()
    );
    assert_eq!(query.database.as_deref(), Some("other"));
    assert_eq!(query.chunk_size, Some(500));
    let all = Reading::select().group_by_all_tags().to_query();
    assert!(all.text().ends_with(" GROUP BY *"));
}

#[test]
fn an_offset_alone_is_sent_with_the_largest_limit_and_a_zero_limit_matches_nothing() {
    let text = |select: Select<Reading>| select.to_query().text().to_owned();
    assert!(text(Reading::select().offset(2)).ends_with(" LIMIT 9223372036854775805 OFFSET 2"));
    assert!(
        text(Reading::select().group_by(|c| c.location).soffset(1))
            .ends_with(" SLIMIT 9223372036854775806 SOFFSET 1")
    );
    assert!(text(Reading::select().offset(0)).ends_with(" OFFSET 0"));
    assert!(!text(Reading::select().offset(0)).contains(" LIMIT "));
    assert!(
        text(Reading::select().filter(|c| c.ok.eq(true)).limit(0))
            .ends_with(r#" FROM "temp \"room\"" WHERE false LIMIT 0"#)
    );
    assert!(
        text(Reading::select().since(EpochTime::seconds(1)).slimit(0))
            .ends_with(" WHERE false AND time >= $p0 SLIMIT 0")
    );
}

#[test]
fn display_shows_the_statement_with_its_parameters() {
    let select = Reading::select().filter(|c| c.location.eq("x\n'").and(c.count.gt(3)));
    assert_eq!(
        select.to_string(),
        format!("{} -- $p0 = \"x\\n'\", $p1 = 3", select.to_query().text())
    );
    let bad = Reading::select().filter(|c| c.value.lt(f64::INFINITY));
    assert!(bad.to_string().ends_with("$p0 cannot be bound: the value compared with field \"value\": inf is not a finite number"), "{bad}");
    assert!(format!("{:?}", Reading::select()).starts_with("Select(\"SELECT "));
}

#[test]
fn a_delete_takes_tags_and_time_and_refuses_to_mean_everything_by_accident() {
    let delete = Reading::delete()
        .filter(|c| c.location.eq("a").and(c.wing.ne('b')))
        .since(EpochTime::seconds(1));
    assert_eq!(
        delete.to_query().text(),
        r#"DELETE FROM "temp \"room\"" WHERE "location"::tag = $p0 AND "wing"::tag != $p1 AND time >= $p2"#
    );
    let everything = Reading::delete();
    let err = everything.check().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidQuery);
    assert!(err.to_string().contains("call `everything()`"), "{err}");
    let meant = Reading::delete().everything();
    assert_eq!(
        meant.check().unwrap().text(),
        r#"DELETE FROM "temp \"room\"""#
    );
    assert_eq!(
        Reading::delete()
            .database("d")
            .to_query()
            .database
            .as_deref(),
        Some("d")
    );
}

#[test]
fn tag_texts_are_what_the_tag_value_writes() {
    assert_eq!(
        tag_text("a,b=c d\\"),
        Err(tag_text("a,b=c d\\").unwrap_err())
    );
    assert_eq!(tag_text("a,b=c d"), Ok("a,b=c d".to_owned()));
    assert_eq!(tag_text("a\\,b"), Ok("a\\,b".to_owned()));
    assert_eq!(tag_text("a\\\\ b"), Ok("a\\\\ b".to_owned()));
    assert_eq!(tag_text(&Some(-3_i64)), Ok("-3".to_owned()));
    assert_eq!(tag_text(&true), Ok("true".to_owned()));
    assert_eq!(tag_text(""), Ok(String::new()));
    assert!(tag_text("a\nb").unwrap_err().contains("line feed"));
    assert_eq!(<u8 as TagColumn>::tag_text(7), Ok("7".to_owned()));
    assert_eq!(
        <Option<bool> as TagColumn>::tag_text(false),
        Ok("false".to_owned())
    );
    assert_eq!(
        <std::borrow::Cow<'_, str> as TagColumn>::tag_text("é"),
        Ok("é".to_owned())
    );
}

#[derive(Debug, Measurement)]
enum Metric {
    Cpu {
        #[inflow(tag)]
        host: String,
        load: f64,
    },
    Disk {
        free: i64,
    },
    Room(Reading),
    Type {
        kind: bool,
    },
}

#[test]
fn an_enum_of_measurements_reads_and_deletes_every_variants_measurement() {
    assert_eq!(
        Metric::select()
            .since(EpochTime::seconds(0))
            .to_query()
            .text(),
        r#"SELECT * FROM "cpu", "disk", "temp \"room\"", "type" WHERE time >= $p0"#
    );
    assert_eq!(
        Metric::delete()
            .before(EpochTime::seconds(0))
            .to_query()
            .text(),
        r#"DELETE FROM "cpu" WHERE time < $p0; DELETE FROM "disk" WHERE time < $p1; DELETE FROM "temp \"room\"" WHERE time < $p2; DELETE FROM "type" WHERE time < $p3"#
    );
}

#[test]
fn an_enum_of_measurements_has_the_handles_of_each_variant() {
    let select = Metric::select()
        .filter(|c| {
            c.cpu
                .load
                .gt(0.5)
                .or(c.disk.free.lt(10))
                .or(c.r#type.kind.eq(true))
        })
        .filter(|c| c.room.location.eq("attic"))
        .group_by(|c| c.cpu.host)
        .group_by(|c| c.room.floor);
    assert!(
        select.to_query().text().ends_with(
            r#" WHERE ("load"::field > $p0 OR "free"::field < $p1 OR "kind"::field = $p2) AND "location"::tag = $p3 GROUP BY "host", "fl oor""#
        ),
        "{select}"
    );
    let started_by_a_variant =
        Metric::select().filter(|c| c.room.value.gt(1.0).of::<Metric>().or(c.disk.free.eq(0)));
    assert!(
        started_by_a_variant
            .to_query()
            .text()
            .ends_with(r#" WHERE "value"::field > $p0 OR "free"::field = $p1"#)
    );
    let delete = Metric::delete().filter(|c| c.cpu.host.eq("a").and(c.room.wing.ne('b')));
    assert!(
        delete
            .to_query()
            .text()
            .starts_with(r#"DELETE FROM "cpu" WHERE "host"::tag = $p0 AND "wing"::tag != $p1; "#)
    );
}

#[test]
fn an_f32_compares_as_the_f64_its_shortest_text_is_stored_as() {
    for (value, json) in [
        (0.1_f32, "0.1"),
        (16_777_217.0, "16777216.0"),
        (1e-7, "1e-7"),
        (-3.4e38, "-3.4e38"),
    ] {
        let query = Query::new("").bind("x", value);
        let expected: f64 = json.parse().unwrap();
        assert_eq!(
            query.params_json(),
            Some(format!("{{\"x\":{}}}", serde_json::Value::from(expected)))
        );
    }
    let nan = Query::new("").bind("x", f32::NAN);
    assert!(nan.invalid_param().unwrap().contains("not a finite number"));
}

#[test]
fn a_tuple_row_reads_no_more_columns_than_the_statement_aggregates() {
    let two = Reading::aggregate::<(EpochTime, Option<f64>, Option<f64>), _>(|c| c.value.mean())
        .since(EpochTime::seconds(0))
        .group_by_time(Duration::from_secs(60))
        .to_query();
    let problem = two.invalid_param().unwrap();
    assert!(
        problem.contains("reads 2 columns after the time, and the statement selects 1 aggregates"),
        "{problem}"
    );
    let fits = Reading::aggregate::<(EpochTime, Option<f64>, Option<i64>), _>(|c| {
        (c.value.mean(), c.count.count())
    })
    .since(EpochTime::seconds(0))
    .group_by_time(Duration::from_secs(60))
    .to_query();
    assert_eq!(fits.invalid_param(), None);
}

#[test]
fn deletes_and_filters_show_their_statement_and_parameters() {
    let delete = Reading::delete().filter(|c| c.location.eq("a"));
    assert_eq!(
        delete.to_string(),
        r#"DELETE FROM "temp \"room\"" WHERE "location"::tag = $p0 -- $p0 = "a""#
    );
    assert_eq!(
        format!("{delete:?}"),
        format!("Delete({:?})", delete.to_string())
    );
    let unbounded = Reading::delete();
    assert!(unbounded.to_string().ends_with(" -- cannot run: a delete without a filter or time bound removes every point of the measurement: call `everything()` to mean that"), "{unbounded}");
    let filter = Reading::columns().count.gt(3);
    assert_eq!(
        format!("{filter:?}"),
        r#"Filter { influxql: "\"count\"::field > $p0", params: [Param(Ok(Number(3)))] }"#
    );
}
