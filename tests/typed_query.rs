//! Typed queries against a real InfluxDB 1.6, async and blocking: every operator and combinator
//! of `Reading::select()` returns exactly the rows of the same query written by hand in
//! InfluxQL, and exactly the points written that the condition holds for (evaluated here in
//! Rust); deletes remove exactly the matching points; values holding quotes, backslashes,
//! `$`, `;`, comments, line feeds, unicode or regex metacharacters compare exactly and change
//! no statement.

#[path = "typed_query/reader.rs"]
mod reader;

use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use inflow::query::{Filter, Order, Select, TagsOnly, quote_identifier, regex_escape};
use inflow::{EpochTime, ErrorKind, FromRow, Measurement, Query, Queryable, TagValue};
use inflow_tests::server;
use reader::{Kind, Reader};

#[derive(Debug, Clone, Copy, PartialEq, TagValue)]
#[inflow(rename_all = "kebab-case")]
enum Room {
    Kitchen,
    LivingRoom,
}

/// Every kind of tag and field a typed query compares.
#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "reading")]
struct Reading {
    #[inflow(tag)]
    location: String,
    #[inflow(tag)]
    zone: Option<String>,
    #[inflow(tag)]
    floor: i16,
    #[inflow(tag)]
    lit: bool,
    #[inflow(tag)]
    wing: char,
    #[inflow(tag)]
    room: Option<Room>,
    value: f64,
    count: i64,
    ok: bool,
    label: String,
    note: Option<String>,
    spare: Option<f64>,
    #[inflow(timestamp)]
    time: DateTime<Utc>,
}

const POINTS: usize = 24;

/// The time of point `i`: `24 - i` hours and 30 minutes before `now`, so that `last(h hours)`
/// holds the points from `24 - h` on with half an hour to spare on either side.
fn time_of(now: DateTime<Utc>, i: usize) -> DateTime<Utc> {
    let hours = i64::try_from(POINTS - i).unwrap();
    now - TimeDelta::hours(hours) - TimeDelta::minutes(30)
}

/// 24 points, one per hour, whose columns vary independently enough that every condition
/// below selects some points and leaves out others.
fn readings(now: DateTime<Utc>) -> Vec<Reading> {
    (0..POINTS)
        .map(|i| {
            let n = i64::try_from(i).unwrap();
            Reading {
                location: ["attic", "cellar", "hall", "porch"][i % 4].to_owned(),
                zone: [None, Some("north"), Some("south")][i % 3].map(str::to_owned),
                floor: [-1, 0, 3][(i / 2) % 3],
                lit: i % 5 < 2,
                wing: ['a', 'é', 'b'][(i / 3) % 3],
                room: [None, Some(Room::Kitchen), Some(Room::LivingRoom)][(i / 4) % 3],
                value: 1.5 * (n - 10) as f64,
                count: n * 7 % 11 - 5,
                ok: i % 3 == 1,
                label: ["alpha", "beta", "gamma", "delta", "beta"][i % 5].to_owned(),
                note: [None, Some("checked"), Some("late"), Some("checked twice")][(i * 3 + 1) % 4]
                    .map(str::to_owned),
                spare: (i % 3 != 2).then(|| n as f64 / 4.0),
                time: time_of(now, i),
            }
        })
        .collect()
}

fn now() -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::seconds(1)).unwrap()
}

/// `SELECT * FROM reading WHERE <condition>`, for the hand-written side.
fn by_hand(condition: &str) -> Query {
    Query::new(format!("SELECT * FROM reading WHERE {condition}"))
}

/// A database with the readings written, and the client under test.
struct Fixture {
    reader: Reader,
    points: Vec<Reading>,
    _db: server::Database,
}

impl Fixture {
    fn new(kind: Kind, label: &str) -> Fixture {
        let db = server::server().database(label);
        let reader = Reader::new(kind, &db.url());
        let points = readings(now());
        reader.write(&points);
        Fixture {
            reader,
            points,
            _db: db,
        }
    }

    /// The points `holds` is true of, oldest first.
    fn model(&self, holds: impl Fn(&Reading) -> bool) -> Vec<Reading> {
        self.points.iter().filter(|p| holds(p)).cloned().collect()
    }

    /// The typed select and the hand-written query both return exactly the points `holds` is
    /// true of, which must be some but not all of them.
    fn case(
        &self,
        what: &str,
        select: Select<Reading>,
        hand: Query,
        holds: impl Fn(&Reading) -> bool,
    ) {
        let expected = self.model(holds);
        assert!(
            !expected.is_empty() && expected.len() < self.points.len(),
            "{what}: the model selects {} of {} points, which proves little",
            expected.len(),
            self.points.len()
        );
        self.rows(what, &select, hand, &expected);
    }

    /// The typed select and the hand-written query both return exactly `expected`.
    fn rows<M>(&self, what: &str, select: &Select<M>, hand: Query, expected: &[M])
    where
        M: Queryable + Measurement + FromRow + Unpin + PartialEq + Debug,
    {
        let typed = self.reader.fetch(select);
        assert_eq!(typed, expected, "{what}: {select}");
        let hand_text = hand.text().to_owned();
        let written: Vec<M> = self.reader.hand(hand);
        assert_eq!(written, expected, "{what}: by hand {hand_text}");
    }
}

fn every_tag_operator(f: &Fixture) {
    f.case(
        "tag eq",
        Reading::select().filter(|c| c.location.eq("attic")),
        by_hand("location = $v").bind("v", "attic"),
        |p| p.location == "attic",
    );
    f.case(
        "tag ne",
        Reading::select().filter(|c| c.location.ne("attic")),
        by_hand("location != $v").bind("v", "attic"),
        |p| p.location != "attic",
    );
    f.case(
        "optional tag ne matches points without the tag",
        Reading::select().filter(|c| c.zone.ne("north")),
        by_hand("zone != $v").bind("v", "north"),
        |p| p.zone.as_deref() != Some("north"),
    );
    f.case(
        "optional tag eq the empty text",
        Reading::select().filter(|c| c.zone.eq("")),
        by_hand("zone = ''"),
        |p| p.zone.is_none(),
    );
    f.case(
        "is_absent",
        Reading::select().filter(|c| c.zone.is_absent()),
        by_hand("zone = ''"),
        |p| p.zone.is_none(),
    );
    f.case(
        "is_present",
        Reading::select().filter(|c| c.zone.is_present()),
        by_hand("zone != ''"),
        |p| p.zone.is_some(),
    );
    f.case(
        "tag in_",
        Reading::select().filter(|c| c.location.in_(["attic", "hall", "nowhere"])),
        by_hand("location = 'attic' OR location = 'hall' OR location = 'nowhere'"),
        |p| ["attic", "hall"].contains(&p.location.as_str()),
    );
    let none: [&str; 0] = [];
    f.rows(
        "an empty in_ matches nothing",
        &Reading::select().filter(|c| c.location.in_(none)),
        by_hand("location = 'attic' AND location = 'hall'"),
        &[],
    );
    f.rows(
        "not of an empty in_ matches everything",
        &Reading::select().filter(|c| c.location.in_(none).not()),
        Query::new("SELECT * FROM reading"),
        &f.points,
    );
    f.case(
        "an empty in_ or a condition",
        Reading::select().filter(|c| c.location.in_(none).or(c.lit.eq(true))),
        by_hand("lit = 'true'"),
        |p| p.lit,
    );
    f.case(
        "tag matches",
        Reading::select().filter(|c| c.location.matches("^(attic|hall)$")),
        by_hand("location =~ /^(attic|hall)$/"),
        |p| ["attic", "hall"].contains(&p.location.as_str()),
    );
    f.case(
        "tag not_matches",
        Reading::select().filter(|c| c.location.not_matches("ll")),
        by_hand("location !~ /ll/"),
        |p| !p.location.contains("ll"),
    );
    f.case(
        "not_matches of an optional tag: absent is the empty text",
        Reading::select().filter(|c| c.zone.not_matches("^n")),
        by_hand("zone !~ /^n/"),
        |p| !p.zone.as_deref().unwrap_or("").starts_with('n'),
    );
    f.case(
        "matches the empty text: absent tags",
        Reading::select().filter(|c| c.zone.matches("^$")),
        by_hand("zone =~ /^$/"),
        |p| p.zone.is_none(),
    );
    f.case(
        "i16 tag eq",
        Reading::select().filter(|c| c.floor.eq(-1)),
        by_hand("floor = '-1'"),
        |p| p.floor == -1,
    );
    f.case(
        "i16 tag ne",
        Reading::select().filter(|c| c.floor.ne(0)),
        by_hand("floor != '0'"),
        |p| p.floor != 0,
    );
    f.case(
        "i16 tag in_",
        Reading::select().filter(|c| c.floor.in_([0, 3, 99])),
        by_hand("floor = '0' OR floor = '3' OR floor = '99'"),
        |p| [0, 3].contains(&p.floor),
    );
    f.case(
        "i16 tag matches",
        Reading::select().filter(|c| c.floor.matches("^-")),
        by_hand("floor =~ /^-/"),
        |p| p.floor < 0,
    );
    f.case(
        "bool tag eq",
        Reading::select().filter(|c| c.lit.eq(true)),
        by_hand("lit = 'true'"),
        |p| p.lit,
    );
    f.case(
        "bool tag ne",
        Reading::select().filter(|c| c.lit.ne(true)),
        by_hand("lit != 'true'"),
        |p| !p.lit,
    );
    f.case(
        "char tag eq",
        Reading::select().filter(|c| c.wing.eq('é')),
        by_hand("wing = 'é'"),
        |p| p.wing == 'é',
    );
    f.case(
        "char tag in_",
        Reading::select().filter(|c| c.wing.in_(['a', 'b'])),
        by_hand("wing = 'a' OR wing = 'b'"),
        |p| p.wing != 'é',
    );
    f.case(
        "enum tag eq",
        Reading::select().filter(|c| c.room.eq(Room::LivingRoom)),
        by_hand("room = 'living-room'"),
        |p| p.room == Some(Room::LivingRoom),
    );
    f.case(
        "enum tag ne",
        Reading::select().filter(|c| c.room.ne(Room::LivingRoom)),
        by_hand("room != 'living-room'"),
        |p| p.room != Some(Room::LivingRoom),
    );
    f.case(
        "enum tag is_absent",
        Reading::select().filter(|c| c.room.is_absent()),
        by_hand("room = ''"),
        |p| p.room.is_none(),
    );
    f.case(
        "enum tag in_",
        Reading::select().filter(|c| c.room.in_([Room::Kitchen])),
        by_hand("room = 'kitchen'"),
        |p| p.room == Some(Room::Kitchen),
    );
}

fn every_field_operator(f: &Fixture) {
    // f64
    f.case(
        "f64 eq",
        Reading::select().filter(|c| c.value.eq(-1.5)),
        by_hand("value = $v").bind("v", -1.5),
        |p| p.value == -1.5,
    );
    f.case(
        "f64 ne",
        Reading::select().filter(|c| c.value.ne(-1.5)),
        by_hand("value != -1.5"),
        |p| p.value != -1.5,
    );
    f.case(
        "f64 gt",
        Reading::select().filter(|c| c.value.gt(3.0)),
        by_hand("value > 3"),
        |p| p.value > 3.0,
    );
    f.case(
        "f64 ge",
        Reading::select().filter(|c| c.value.ge(3.0)),
        by_hand("value >= 3"),
        |p| p.value >= 3.0,
    );
    f.case(
        "f64 lt",
        Reading::select().filter(|c| c.value.lt(-3.0)),
        by_hand("value < -3"),
        |p| p.value < -3.0,
    );
    f.case(
        "f64 le",
        Reading::select().filter(|c| c.value.le(-3.0)),
        by_hand("value <= -3"),
        |p| p.value <= -3.0,
    );
    f.case(
        "f64 in_",
        Reading::select().filter(|c| c.value.in_([0.0, 4.5, 0.1])),
        by_hand("value = 0 OR value = 4.5 OR value = 0.1"),
        |p| p.value == 0.0 || p.value == 4.5,
    );
    // i64
    f.case(
        "i64 eq",
        Reading::select().filter(|c| c.count.eq(-5)),
        by_hand("count = -5"),
        |p| p.count == -5,
    );
    f.case(
        "i64 ne",
        Reading::select().filter(|c| c.count.ne(-5)),
        by_hand("count != -5"),
        |p| p.count != -5,
    );
    f.case(
        "i64 gt",
        Reading::select().filter(|c| c.count.gt(2)),
        by_hand("count > 2"),
        |p| p.count > 2,
    );
    f.case(
        "i64 ge",
        Reading::select().filter(|c| c.count.ge(2)),
        by_hand("count >= 2"),
        |p| p.count >= 2,
    );
    f.case(
        "i64 lt",
        Reading::select().filter(|c| c.count.lt(-2)),
        by_hand("count < -2"),
        |p| p.count < -2,
    );
    f.case(
        "i64 le",
        Reading::select().filter(|c| c.count.le(-2)),
        by_hand("count <= -2"),
        |p| p.count <= -2,
    );
    f.case(
        "i64 in_",
        Reading::select().filter(|c| c.count.in_([0, 5, 100])),
        by_hand("count = 0 OR count = 5 OR count = 100"),
        |p| p.count == 0 || p.count == 5,
    );
    // bool
    f.case(
        "bool eq",
        Reading::select().filter(|c| c.ok.eq(true)),
        by_hand("ok = true"),
        |p| p.ok,
    );
    f.case(
        "bool ne",
        Reading::select().filter(|c| c.ok.ne(true)),
        by_hand("ok != true"),
        |p| !p.ok,
    );
    f.case(
        "bool in_",
        Reading::select().filter(|c| c.ok.in_([false])),
        by_hand("ok = false"),
        |p| !p.ok,
    );
    // String
    f.case(
        "string eq",
        Reading::select().filter(|c| c.label.eq("beta")),
        by_hand("label = 'beta'"),
        |p| p.label == "beta",
    );
    f.case(
        "string ne",
        Reading::select().filter(|c| c.label.ne("beta")),
        by_hand("label != 'beta'"),
        |p| p.label != "beta",
    );
    f.case(
        "string in_",
        Reading::select().filter(|c| c.label.in_(["alpha", "delta"])),
        by_hand("label = 'alpha' OR label = 'delta'"),
        |p| p.label == "alpha" || p.label == "delta",
    );
    f.case(
        "string matches",
        Reading::select().filter(|c| c.label.matches("^[ab]")),
        by_hand("label =~ /^[ab]/"),
        |p| p.label.starts_with(['a', 'b']),
    );
    f.case(
        "string not_matches",
        Reading::select().filter(|c| c.label.not_matches("ta$")),
        by_hand("label !~ /ta$/"),
        |p| !p.label.ends_with("ta"),
    );
    // Option<String>: a point without the field matches neither a comparison nor its negation.
    f.case(
        "optional string eq",
        Reading::select().filter(|c| c.note.eq("checked")),
        by_hand("note = 'checked'"),
        |p| p.note.as_deref() == Some("checked"),
    );
    f.case(
        "optional string ne",
        Reading::select().filter(|c| c.note.ne("checked")),
        by_hand("note != 'checked'"),
        |p| p.note.as_deref().is_some_and(|n| n != "checked"),
    );
    f.case(
        "optional string matches",
        Reading::select().filter(|c| c.note.matches("^checked")),
        by_hand("note =~ /^checked/"),
        |p| p.note.as_deref().is_some_and(|n| n.starts_with("checked")),
    );
    f.case(
        "optional string not_matches",
        Reading::select().filter(|c| c.note.not_matches("^checked")),
        by_hand("note !~ /^checked/"),
        |p| p.note.as_deref().is_some_and(|n| !n.starts_with("checked")),
    );
    // Option<f64>
    f.case(
        "optional f64 gt",
        Reading::select().filter(|c| c.spare.gt(2.0)),
        by_hand("spare > 2"),
        |p| p.spare.is_some_and(|s| s > 2.0),
    );
    f.case(
        "not of an optional f64 gt: points without it match neither",
        Reading::select().filter(|c| c.spare.gt(2.0).not()),
        by_hand("spare <= 2"),
        |p| p.spare.is_some_and(|s| s <= 2.0),
    );
    f.case(
        "optional f64 ne",
        Reading::select().filter(|c| c.spare.ne(0.25)),
        by_hand("spare != 0.25"),
        |p| p.spare.is_some_and(|s| s != 0.25),
    );
}

fn every_combinator(f: &Fixture) {
    f.case(
        "and",
        Reading::select().filter(|c| c.location.eq("attic").and(c.value.gt(0.0))),
        by_hand("location = 'attic' AND value > 0"),
        |p| p.location == "attic" && p.value > 0.0,
    );
    f.case(
        "&",
        Reading::select().filter(|c| c.location.eq("attic") & c.value.gt(0.0)),
        by_hand("location = 'attic' AND value > 0"),
        |p| p.location == "attic" && p.value > 0.0,
    );
    f.case(
        "or",
        Reading::select().filter(|c| c.location.eq("attic").or(c.count.eq(5))),
        by_hand("location = 'attic' OR count = 5"),
        |p| p.location == "attic" || p.count == 5,
    );
    f.case(
        "| and an or inside an and",
        Reading::select()
            .filter(|c| (c.location.eq("attic") | c.location.eq("hall")) & c.ok.eq(false)),
        by_hand("(location = 'attic' OR location = 'hall') AND ok = false"),
        |p| (p.location == "attic" || p.location == "hall") && !p.ok,
    );
    f.case(
        "an and inside an or",
        Reading::select().filter(|c| {
            c.location
                .eq("attic")
                .and(c.value.lt(0.0))
                .or(c.zone.eq("south").and(c.note.matches("late")))
        }),
        by_hand("(location = 'attic' AND value < 0) OR (zone = 'south' AND note =~ /late/)"),
        |p| {
            (p.location == "attic" && p.value < 0.0)
                || (p.zone.as_deref() == Some("south")
                    && p.note.as_deref().is_some_and(|n| n.contains("late")))
        },
    );
    f.case(
        "not of a tag and",
        Reading::select().filter(|c| c.location.eq("attic").and(c.floor.eq(-1)).not()),
        by_hand("location != 'attic' OR floor != '-1'"),
        |p| !(p.location == "attic" && p.floor == -1),
    );
    f.case(
        "! of an or of fields",
        Reading::select().filter(|c| !(c.value.gt(5.0) | c.count.lt(0))),
        by_hand("value <= 5 AND count >= 0"),
        |p| !(p.value > 5.0 || p.count < 0),
    );
    f.case(
        "not of regexes",
        Reading::select().filter(|c| c.location.matches("^a").or(c.label.not_matches("a$")).not()),
        by_hand("location !~ /^a/ AND label =~ /a$/"),
        |p| !p.location.starts_with('a') && p.label.ends_with('a'),
    );
    f.case(
        "not not",
        Reading::select().filter(|c| c.room.is_present().not().not()),
        by_hand("room != ''"),
        |p| p.room.is_some(),
    );
    f.case(
        "constant true and a condition",
        Reading::select()
            .filter(|c| Filter::<Reading, TagsOnly>::constant(true).and(c.ok.eq(true))),
        by_hand("ok = true"),
        |p| p.ok,
    );
    f.case(
        "constant false or a condition",
        Reading::select().filter(|c| Filter::<Reading>::constant(false).or(c.ok.eq(true))),
        by_hand("ok = true"),
        |p| p.ok,
    );
    f.rows(
        "constant false",
        &Reading::select().filter(|_| Filter::<Reading>::constant(false)),
        by_hand("ok = true AND ok = false"),
        &[],
    );
    f.rows(
        "constant true",
        &Reading::select().filter(|_| Filter::<Reading>::constant(true)),
        Query::new("SELECT * FROM reading"),
        &f.points,
    );
    f.case(
        "filters called twice are ANDed",
        Reading::select()
            .filter(|c| c.location.eq("attic").or(c.location.eq("hall")))
            .filter(|c| c.lit.eq(false)),
        by_hand("(location = 'attic' OR location = 'hall') AND lit = 'false'"),
        |p| (p.location == "attic" || p.location == "hall") && !p.lit,
    );
}

fn every_time_bound(f: &Fixture) {
    let t = |i: usize| f.points[i].time;
    let system = |i: usize| SystemTime::from(t(i));
    let epoch = |i: usize| EpochTime::nanos(t(i).timestamp_nanos_opt().unwrap());
    let offset = |i: usize| {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(
            t(i).timestamp_nanos_opt().unwrap(),
        ))
        .unwrap()
    };
    let jiff = |i: usize| {
        jiff::Timestamp::from_nanosecond(i128::from(t(i).timestamp_nanos_opt().unwrap())).unwrap()
    };
    let ge = |i: usize| by_hand("time >= $t").bind("t", t(i));
    let le = |i: usize| by_hand("time <= $t").bind("t", t(i));
    let gt = |i: usize| by_hand("time > $t").bind("t", t(i));
    let lt = |i: usize| by_hand("time < $t").bind("t", t(i));
    let at = |i: usize| f.points[i].time;
    // Each bound at a point's own time, so that inclusive and strict bounds differ.
    let (a, b) = (5, 17);
    f.case("since chrono", Reading::select().since(t(a)), ge(a), |p| {
        p.time >= at(a)
    });
    f.case(
        "since SystemTime",
        Reading::select().since(system(a)),
        ge(a),
        |p| p.time >= at(a),
    );
    f.case(
        "since EpochTime",
        Reading::select().since(epoch(a)),
        ge(a),
        |p| p.time >= at(a),
    );
    f.case(
        "since time",
        Reading::select().since(offset(a)),
        ge(a),
        |p| p.time >= at(a),
    );
    f.case("since jiff", Reading::select().since(jiff(a)), ge(a), |p| {
        p.time >= at(a)
    });
    f.case("until chrono", Reading::select().until(t(b)), le(b), |p| {
        p.time <= at(b)
    });
    f.case(
        "until SystemTime",
        Reading::select().until(system(b)),
        le(b),
        |p| p.time <= at(b),
    );
    f.case(
        "until EpochTime",
        Reading::select().until(epoch(b)),
        le(b),
        |p| p.time <= at(b),
    );
    f.case(
        "until time",
        Reading::select().until(offset(b)),
        le(b),
        |p| p.time <= at(b),
    );
    f.case("until jiff", Reading::select().until(jiff(b)), le(b), |p| {
        p.time <= at(b)
    });
    f.case("after chrono", Reading::select().after(t(a)), gt(a), |p| {
        p.time > at(a)
    });
    f.case(
        "after EpochTime",
        Reading::select().after(epoch(a)),
        gt(a),
        |p| p.time > at(a),
    );
    f.case("after jiff", Reading::select().after(jiff(a)), gt(a), |p| {
        p.time > at(a)
    });
    f.case(
        "before SystemTime",
        Reading::select().before(system(b)),
        lt(b),
        |p| p.time < at(b),
    );
    f.case(
        "before time",
        Reading::select().before(offset(b)),
        lt(b),
        |p| p.time < at(b),
    );
    f.case(
        "before EpochTime",
        Reading::select().before(epoch(b)),
        lt(b),
        |p| p.time < at(b),
    );
    let between = by_hand("time >= $a AND time <= $b")
        .bind("a", t(a))
        .bind("b", t(b));
    let inside = |p: &Reading| p.time >= at(a) && p.time <= at(b);
    f.case(
        "between chrono",
        Reading::select().between(t(a), t(b)),
        between.clone(),
        inside,
    );
    f.case(
        "between SystemTime and EpochTime",
        Reading::select().between(system(a), epoch(b)),
        between.clone(),
        inside,
    );
    f.case(
        "between time and jiff",
        Reading::select().between(offset(a), jiff(b)),
        between,
        inside,
    );
    f.case(
        "between with a filter",
        Reading::select()
            .filter(|c| c.location.eq("attic").or(c.location.eq("hall")))
            .between(t(a), t(b)),
        by_hand("(location = 'attic' OR location = 'hall') AND time >= $a AND time <= $b")
            .bind("a", t(a))
            .bind("b", t(b)),
        |p| inside(p) && (p.location == "attic" || p.location == "hall"),
    );
    // Point i is 24 - i hours and 30 minutes old: last(6 h) holds the newest 5 (5 h 30 min
    // old and younger) whenever the test runs within half an hour of writing them.
    f.case(
        "last",
        Reading::select().last(Duration::from_secs(6 * 3600)),
        by_hand("time >= now() - 6h"),
        |p| p.time >= at(POINTS - 5),
    );
    f.case(
        "last with a filter",
        Reading::select()
            .filter(|c| c.ok.eq(false))
            .last(Duration::from_secs(6 * 3600)),
        by_hand("ok = false AND time >= now() - 6h"),
        |p| p.time >= at(POINTS - 5) && !p.ok,
    );
}

fn order_and_limits(f: &Fixture) {
    let mut newest_first = f.points.clone();
    newest_first.reverse();
    f.rows(
        "descending",
        &Reading::select().order_by_time(Order::Descending),
        Query::new("SELECT * FROM reading ORDER BY time DESC"),
        &newest_first,
    );
    f.rows(
        "ascending",
        &Reading::select().order_by_time(Order::Ascending),
        Query::new("SELECT * FROM reading ORDER BY time ASC"),
        &f.points,
    );
    f.rows(
        "limit and offset",
        &Reading::select().limit(5).offset(2),
        Query::new("SELECT * FROM reading LIMIT 5 OFFSET 2"),
        &f.points[2..7],
    );
    f.rows(
        "descending with a filter, limit and offset",
        &Reading::select()
            .filter(|c| c.value.gt(-5.0))
            .order_by_time(Order::Descending)
            .limit(3)
            .offset(1),
        Query::new("SELECT * FROM reading WHERE value > -5 ORDER BY time DESC LIMIT 3 OFFSET 1"),
        &f.model(|p| p.value > -5.0)
            .into_iter()
            .rev()
            .skip(1)
            .take(3)
            .collect::<Vec<_>>(),
    );

    // One series per location, in the order of the locations' texts; limits count per series.
    let series = |skip: usize, take: usize, per_series: usize, desc: bool| -> Vec<Reading> {
        let mut locations: Vec<&str> = f.points.iter().map(|p| p.location.as_str()).collect();
        locations.sort_unstable();
        locations.dedup();
        // SLIMIT and SOFFSET count series in ascending order; descending order then reverses
        // the series chosen.
        let mut chosen: Vec<&str> = locations.into_iter().skip(skip).take(take).collect();
        if desc {
            chosen.reverse();
        }
        chosen
            .into_iter()
            .flat_map(|location| {
                let mut rows = f.model(|p| p.location == location);
                if desc {
                    rows.reverse();
                }
                rows.into_iter().take(per_series)
            })
            .collect()
    };
    f.rows(
        "group_by",
        &Reading::select().group_by(|c| c.location),
        Query::new("SELECT * FROM reading GROUP BY location"),
        &series(0, 4, POINTS, false),
    );
    f.rows(
        "group_by with slimit and soffset",
        &Reading::select()
            .group_by(|c| c.location)
            .slimit(2)
            .soffset(1),
        Query::new("SELECT * FROM reading GROUP BY location SLIMIT 2 SOFFSET 1"),
        &series(1, 2, POINTS, false),
    );
    f.rows(
        "group_by with a limit per series, descending",
        &Reading::select()
            .group_by(|c| c.location)
            .order_by_time(Order::Descending)
            .limit(2)
            .slimit(3),
        Query::new("SELECT * FROM reading GROUP BY location ORDER BY time DESC LIMIT 2 SLIMIT 3"),
        &series(0, 3, 2, true),
    );
    // GROUP BY *: the series order is the server's; the rows are exactly the points.
    let select = Reading::select().group_by_all_tags();
    let typed = f.reader.fetch(&select);
    let hand: Vec<Reading> = f
        .reader
        .hand(Query::new("SELECT * FROM reading GROUP BY *"));
    assert_eq!(typed, hand, "group_by_all_tags");
    let mut by_time = typed;
    by_time.sort_by_key(|p| p.time);
    assert_eq!(by_time, f.points, "group_by_all_tags");
    let grouped = Reading::select().group_by(|c| c.zone).group_by(|c| c.room);
    let typed = f.reader.fetch(&grouped);
    let hand: Vec<Reading> = f
        .reader
        .hand(Query::new("SELECT * FROM reading GROUP BY zone, room"));
    assert_eq!(typed, hand, "group_by two tags");
    let mut by_time = typed;
    by_time.sort_by_key(|p| p.time);
    assert_eq!(by_time, f.points, "group_by two tags");
}

/// A retention policy and a database with names no bare identifier could hold.
fn retention_policy_and_database(f: &Fixture, kind: Kind) {
    let rp = "r p\"x.y €";
    f.reader.run(Query::new(format!(
        "CREATE RETENTION POLICY {} ON {} DURATION INF REPLICATION 1",
        quote_identifier(rp),
        quote_identifier(f._db.name())
    )));
    let elsewhere: Vec<Reading> = f.points[..5]
        .iter()
        .map(|p| Reading {
            label: "in the other policy".to_owned(),
            ..p.clone()
        })
        .collect();
    f.reader.with_retention_policy(rp).write(&elsewhere);
    f.rows(
        "retention policy",
        &Reading::select().retention_policy(rp),
        Query::new(r#"SELECT * FROM "r p\"x.y €"."reading""#),
        &elsewhere,
    );
    f.rows(
        "retention policy with a filter",
        &Reading::select()
            .retention_policy(rp)
            .filter(|c| c.location.eq("attic")),
        Query::new(r#"SELECT * FROM "r p\"x.y €".reading WHERE location = 'attic'"#),
        &elsewhere
            .iter()
            .filter(|p| p.location == "attic")
            .cloned()
            .collect::<Vec<_>>(),
    );
    let other = server::server().database("typed_query_other");
    let there: Vec<Reading> = f.points[10..13]
        .iter()
        .map(|p| Reading {
            label: "in the other database".to_owned(),
            ..p.clone()
        })
        .collect();
    Reader::new(kind, &other.url()).write(&there);
    f.rows(
        "database",
        &Reading::select().database(other.name()),
        Query::new("SELECT * FROM reading").database(other.name()),
        &there,
    );
}

fn every_operator(kind: Kind) {
    let f = Fixture::new(kind, "typed_query");
    every_tag_operator(&f);
    every_field_operator(&f);
    every_combinator(&f);
    every_time_bound(&f);
    order_and_limits(&f);
    retention_policy_and_database(&f, kind);
}

#[test]
fn every_operator_returns_exactly_the_rows_of_the_hand_written_query_async() {
    every_operator(Kind::Async);
}

#[test]
fn every_operator_returns_exactly_the_rows_of_the_hand_written_query_blocking() {
    every_operator(Kind::Blocking);
}

/// The server reads `LIMIT 0` and `SLIMIT 0` as no limit at all; a typed limit of zero rows or
/// series returns no row.
fn zero_limits(kind: Kind) {
    let f = Fixture::new(kind, "typed_query_zero");
    let unlimited: Vec<Reading> = f.reader.hand(Query::new("SELECT * FROM reading LIMIT 0"));
    assert_eq!(unlimited, f.points, "the server's LIMIT 0");
    let unlimited: Vec<Reading> = f.reader.hand(Query::new(
        "SELECT * FROM reading GROUP BY location SLIMIT 0",
    ));
    assert_eq!(unlimited.len(), f.points.len(), "the server's SLIMIT 0");
    for select in [
        Reading::select().limit(0),
        Reading::select()
            .filter(|c| c.location.eq("attic"))
            .order_by_time(Order::Descending)
            .limit(0)
            .offset(1),
        Reading::select().since(f.points[3].time).limit(0),
        Reading::select().group_by(|c| c.location).limit(0),
        Reading::select().group_by(|c| c.location).slimit(0),
        Reading::select().group_by_all_tags().slimit(0).soffset(1),
    ] {
        assert_eq!(f.reader.fetch(&select), Vec::new(), "{select}");
    }
    let one = Reading::select().limit(1);
    assert_eq!(f.reader.fetch(&one), f.points[..1], "{one}");
}

/// The server answers `OFFSET n` without `LIMIT` with one row per series, and `SOFFSET n`
/// without `SLIMIT` with no series; a typed offset alone skips exactly that many.
fn offsets_alone(kind: Kind) {
    let f = Fixture::new(kind, "typed_query_offset");
    let one_row: Vec<Reading> = f.reader.hand(Query::new("SELECT * FROM reading OFFSET 3"));
    assert_eq!(one_row, f.points[3..4], "the server's OFFSET alone");
    let no_series: Vec<Reading> = f.reader.hand(Query::new(
        "SELECT * FROM reading GROUP BY location SOFFSET 1",
    ));
    assert_eq!(no_series, Vec::new(), "the server's SOFFSET alone");

    let select = Reading::select().offset(3);
    assert_eq!(f.reader.fetch(&select), f.points[3..], "{select}");
    let select = Reading::select()
        .order_by_time(Order::Descending)
        .offset(20);
    let mut oldest_four = f.points[..4].to_vec();
    oldest_four.reverse();
    assert_eq!(f.reader.fetch(&select), oldest_four, "{select}");
    // One series per location (attic, cellar, hall, porch), each of 6 points.
    let of = |locations: &[&str], skip: usize| -> Vec<Reading> {
        locations
            .iter()
            .flat_map(|&location| f.model(|p| p.location == location).into_iter().skip(skip))
            .collect()
    };
    let select = Reading::select().group_by(|c| c.location).offset(4);
    let expected = of(&["attic", "cellar", "hall", "porch"], 4);
    assert_eq!(expected.len(), 8);
    assert_eq!(f.reader.fetch(&select), expected, "{select}");
    let select = Reading::select().group_by(|c| c.location).soffset(1);
    assert_eq!(
        f.reader.fetch(&select),
        of(&["cellar", "hall", "porch"], 0),
        "{select}"
    );
    let select = Reading::select()
        .group_by(|c| c.location)
        .soffset(2)
        .offset(5);
    assert_eq!(
        f.reader.fetch(&select),
        of(&["hall", "porch"], 5),
        "{select}"
    );
}

#[test]
fn an_offset_without_a_limit_skips_exactly_that_many_async() {
    offsets_alone(Kind::Async);
}

#[test]
fn an_offset_without_a_limit_skips_exactly_that_many_blocking() {
    offsets_alone(Kind::Blocking);
}

#[test]
fn a_limit_of_zero_returns_no_row_async() {
    zero_limits(Kind::Async);
}

#[test]
fn a_limit_of_zero_returns_no_row_blocking() {
    zero_limits(Kind::Blocking);
}

/// Held by the tests that delete points or drop databases. InfluxDB 1.6 once answered a
/// `DELETE` with "engine is closed" while another test of this file dropped a database on the
/// same server: the server's own race, which these tests keep apart.
static DELETES_AND_DROPS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn deletes_and_drops() -> std::sync::MutexGuard<'static, ()> {
    DELETES_AND_DROPS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Deletes remove exactly the matching points: after each, every row read back is the points
/// written minus the ones deleted so far.
fn deletes(kind: Kind) {
    let _apart = deletes_and_drops();
    let f = Fixture::new(kind, "typed_delete");
    let mut left = f.points.clone();
    let everything = || {
        let rows: Vec<Reading> = f.reader.hand(Query::new("SELECT * FROM reading"));
        rows
    };
    assert_eq!(everything(), left);
    let mut delete =
        |what: &str, delete: inflow::query::Delete<Reading>, gone: &dyn Fn(&Reading) -> bool| {
            let before = left.len();
            left.retain(|p| !gone(p));
            assert!(
                left.len() < before && !left.is_empty(),
                "{what}: the model deletes {} of {before} points, which proves little",
                before - left.len()
            );
            let text = delete.to_string();
            f.reader
                .delete(delete)
                .unwrap_or_else(|err| panic!("{what}: {text} failed: {err}"));
            assert_eq!(everything(), left, "{what}: {text}");
        };
    let t = |i: usize| f.points[i].time;
    delete(
        "by a tag",
        Reading::delete().filter(|c| c.location.eq("attic")),
        &|p| p.location == "attic",
    );
    delete(
        "by an absent tag before a time",
        Reading::delete()
            .filter(|c| c.zone.is_absent())
            .before(t(12)),
        &|p| p.zone.is_none() && p.time < t(12),
    );
    delete(
        "by time alone, both bounds included",
        Reading::delete().between(
            EpochTime::nanos(t(20).timestamp_nanos_opt().unwrap()),
            t(21),
        ),
        &|p| p.time >= t(20) && p.time <= t(21),
    );
    delete(
        "by an or of typed tags",
        Reading::delete().filter(|c| c.room.eq(Room::Kitchen).or(c.floor.eq(3))),
        &|p| p.room == Some(Room::Kitchen) || p.floor == 3,
    );
    delete(
        "by a negated tag condition after a time",
        Reading::delete()
            .filter(|c| c.wing.eq('a').not())
            .after(SystemTime::from(t(14))),
        &|p| p.wing != 'a' && p.time > t(14),
    );
    delete(
        "by a regex on a tag since a time",
        Reading::delete()
            .filter(|c| c.location.matches("^h").and(c.lit.ne(true)))
            .since(t(0)),
        &|p| p.location.starts_with('h') && !p.lit,
    );

    // Neither a filter nor a time bound: refused, nothing deleted.
    let err = f.reader.delete(Reading::delete()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidQuery, "{err}");
    assert!(err.to_string().contains("everything()"), "{err}");
    let err = f
        .reader
        .delete(Reading::delete().filter(|_| Filter::<Reading, TagsOnly>::constant(true)))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidQuery, "{err}");
    assert_eq!(everything(), left);

    f.reader
        .delete(Reading::delete().everything())
        .expect("everything() deletes");
    assert_eq!(everything(), Vec::new());
}

#[test]
fn deletes_remove_exactly_the_matching_points_async() {
    deletes(Kind::Async);
}

#[test]
fn deletes_remove_exactly_the_matching_points_blocking() {
    deletes(Kind::Blocking);
}

/// Values that would end or change a statement written by pasting them in, and regex
/// metacharacters: each compares as exactly itself.
const ODD: &[&str] = &[
    "'\"",
    "a'b",
    "a\"b",
    "a\\b",
    "a\\\\b",
    "\\'",
    "\\\"",
    "$",
    "$p0",
    "$p1",
    "$$",
    ";",
    "a;b",
    "--",
    "-- x",
    "/*",
    "*/",
    "a/b",
    "/",
    "tab\there",
    "cr\rhere",
    "é😀",
    ".*",
    "^a+$",
    "[x]",
    "(a|b)",
    "a.b",
    "a|b",
    "{1}",
    "\\Qx\\E",
    "\\E",
    "x' OR 1=1 --",
    "' OR ''='",
    "x'; DROP MEASUREMENT odd; --",
    "\"; DROP DATABASE x; --",
    "a, b=c d",
];

/// Values a string field holds that no tag can (a line feed, a trailing backslash).
const ODD_FIELD_ONLY: &[&str] = &["line\nfeed", "\n", "a\r\nb", "trail\\", "\\"];

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "odd")]
struct Odd {
    #[inflow(tag)]
    name: Option<String>,
    text: String,
    n: i64,
    #[inflow(timestamp)]
    time: EpochTime,
}

/// Whether a text matches a raw pattern, in Rust.
type Holds = dyn Fn(&str) -> bool;

fn odd_points() -> Vec<Odd> {
    let tagged = ODD.iter().map(|v| (Some(*v), *v));
    let untagged = ODD_FIELD_ONLY.iter().map(|v| (None, *v));
    (0_i64..)
        .zip(tagged.chain(untagged))
        .map(|(n, (name, text))| Odd {
            name: name.map(str::to_owned),
            text: text.to_owned(),
            n,
            time: EpochTime::seconds(1_600_000_000 + n),
        })
        .collect()
}

fn odd_values(kind: Kind) {
    let _apart = deletes_and_drops();
    let db = server::server().database("typed_query_odd");
    let reader = Reader::new(kind, &db.url());
    let points = odd_points();
    reader.write(&points);
    let f = OddFixture {
        reader: &reader,
        points: &points,
    };
    for &v in ODD {
        let exact = |p: &Odd| p.name.as_deref() == Some(v);
        f.check(
            &format!("tag eq {v:?}"),
            Odd::select().filter(|c| c.name.eq(v)),
            Query::new("SELECT * FROM odd WHERE \"name\" = $v").bind("v", v),
            exact,
        );
        f.check(
            &format!("tag ne {v:?}"),
            Odd::select().filter(|c| c.name.ne(v)),
            Query::new("SELECT * FROM odd WHERE \"name\" != $v").bind("v", v),
            |p| p.name.as_deref() != Some(v),
        );
        f.check(
            &format!("tag in_ {v:?}"),
            Odd::select().filter(|c| c.name.in_([v, "a'b"])),
            Query::new("SELECT * FROM odd WHERE \"name\" = $v OR \"name\" = 'a\\'b'").bind("v", v),
            |p| p.name.as_deref() == Some(v) || p.name.as_deref() == Some("a'b"),
        );
        f.check(
            &format!("tag matches the escaped {v:?}"),
            Odd::select().filter(|c| c.name.matches(format!("^{}$", regex_escape(v)))),
            Query::new("SELECT * FROM odd WHERE \"name\" = $v").bind("v", v),
            exact,
        );
        f.check(
            &format!("tag not_matches the escaped {v:?}"),
            Odd::select().filter(|c| c.name.not_matches(format!("^{}$", regex_escape(v)))),
            Query::new("SELECT * FROM odd WHERE \"name\" != $v").bind("v", v),
            |p| p.name.as_deref() != Some(v),
        );
    }
    for &v in ODD.iter().chain(ODD_FIELD_ONLY) {
        let exact = |p: &Odd| p.text == v;
        f.check(
            &format!("string field eq {v:?}"),
            Odd::select().filter(|c| c.text.eq(v)),
            Query::new("SELECT * FROM odd WHERE text = $v").bind("v", v),
            exact,
        );
        f.check(
            &format!("string field matches the escaped {v:?}"),
            Odd::select().filter(|c| c.text.matches(format!("^{}$", regex_escape(v)))),
            Query::new("SELECT * FROM odd WHERE text = $v").bind("v", v),
            exact,
        );
        f.check(
            &format!("string field ne {v:?}"),
            Odd::select().filter(|c| c.text.ne(v)),
            Query::new("SELECT * FROM odd WHERE text != $v").bind("v", v),
            |p| p.text != v,
        );
    }
    // Raw patterns holding what the regex literal must carry through to the regex engine.
    let raw: &[(&str, &str, &Holds)] = &[
        ("a/b", r"/a\/b/", &|t| t.contains("a/b")),
        ("^/$", r"/^\/$/", &|t| t == "/"),
        (r"a\\b", r"/a\\b/", &|t| t.contains("a\\b")),
        (r"\\$", r"/\\$/", &|t| t.ends_with('\\')),
        (r"^trail\\", r"/^trail\x5c/", &|t| t.starts_with("trail\\")),
        (r"\Q$p0\E", r"/\$p0/", &|t| t.contains("$p0")),
        (r"\Q/*\E", r"/\/\*/", &|t| t.contains("/*")),
        (r"^\Qa\b\E$", r"/^a\\b$/", &|t| t == "a\\b"),
        (r"\Q\Qx\E", r"/\\Qx/", &|t| t.contains("\\Qx")),
        ("line\nfeed", r"/line\nfeed/", &|t| t.contains("line\nfeed")),
        ("^\n$", r"/^\n$/", &|t| t == "\n"),
        ("\r\n", r"/\r\n/", &|t| t.contains("\r\n")),
        ("\t", "/\t/", &|t| t.contains('\t')),
        ("😀$", "/😀$/", &|t| t.ends_with('😀')),
        (r"^\$\$?$", r"/^\$\$?$/", &|t| t == "$" || t == "$$"),
        (r"[;']", r"/[;']/", &|t| t.contains([';', '\''])),
    ];
    for &(pattern, literal, holds) in raw {
        let hand =
            |field: &str| Query::new(format!("SELECT * FROM odd WHERE {field} =~ {literal}"));
        f.check(
            &format!("string field matches the pattern {pattern:?}"),
            Odd::select().filter(|c| c.text.matches(pattern)),
            hand("text"),
            |p| holds(&p.text),
        );
        if points.iter().any(|p| p.name.as_deref().is_some_and(holds)) {
            f.check(
                &format!("tag matches the pattern {pattern:?}"),
                Odd::select().filter(|c| c.name.matches(pattern)),
                hand("\"name\""),
                |p| p.name.as_deref().is_some_and(holds),
            );
        }
    }
    // Values not stored match nothing, whatever they would do pasted into a statement.
    for v in [
        "zz' OR 1=1 --",
        "zz' OR ''='",
        "zz\" OR 1=1 --",
        "zz'; DROP MEASUREMENT odd; --",
        "$p0 OR 1=1",
        "zz\\' OR 1=1 --",
    ] {
        let select = Odd::select().filter(|c| c.name.eq(v).or(c.text.eq(v)));
        assert_eq!(reader.fetch(&select), Vec::new(), "{select}");
        let select = Odd::select().filter(|c| c.name.matches(format!("^{}$", regex_escape(v))));
        assert_eq!(reader.fetch(&select), Vec::new(), "{select}");
        let delete = Odd::delete().filter(|c| c.name.eq(v));
        reader.delete(delete).unwrap();
    }
    // Nothing was dropped or deleted.
    let all: Vec<Odd> = reader.hand(Query::new("SELECT * FROM odd"));
    assert_eq!(all, points);

    // A text no tag can hold (a line feed, a trailing backslash) is no tag's value: no point
    // equals it, every point differs from it.
    for v in ODD_FIELD_ONLY {
        let select = Odd::select().filter(|c| c.name.eq(v));
        assert_eq!(reader.fetch(&select), Vec::new(), "{select}");
        let select = Odd::select().filter(|c| c.name.ne(v));
        assert_eq!(reader.fetch(&select), points, "{select}");
    }
    // A pattern no regex can be is refused before anything is sent, saying why.
    let err = reader
        .try_fetch(&Odd::select().filter(|c| c.text.matches("trail\\")))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidQuery, "{err}");
    assert!(err.to_string().contains("lone backslash"), "{err}");
}

struct OddFixture<'a> {
    reader: &'a Reader,
    points: &'a [Odd],
}

impl OddFixture<'_> {
    fn check(&self, what: &str, select: Select<Odd>, hand: Query, holds: impl Fn(&Odd) -> bool) {
        let expected: Vec<Odd> = self.points.iter().filter(|p| holds(p)).cloned().collect();
        assert!(
            !expected.is_empty() && expected.len() < self.points.len(),
            "{what}: the model selects {} of {} points, which proves little",
            expected.len(),
            self.points.len()
        );
        assert_eq!(self.reader.fetch(&select), expected, "{what}: {select}");
        let text = hand.text().to_owned();
        let by_hand: Vec<Odd> = self.reader.hand(hand);
        assert_eq!(by_hand, expected, "{what}: by hand {text}");
    }
}

#[test]
fn odd_values_compare_exactly_and_inject_nothing_async() {
    odd_values(Kind::Async);
}

#[test]
fn odd_values_compare_exactly_and_inject_nothing_blocking() {
    odd_values(Kind::Blocking);
}

/// Retention policy and database names holding quotes, backslashes, `;`, comments and
/// unicode name exactly that policy or database. (The server refuses names holding `/`, `\`
/// or a character that does not print, such as a tab or a line feed, so none is tried.)
fn odd_names(kind: Kind) {
    let _apart = deletes_and_drops();
    let server = server::server();
    let home = server.database("typed_query_names");
    let reader = Reader::new(kind, &home.url());
    let point = |n: i64| Odd {
        name: Some("x".to_owned()),
        text: format!("point {n}"),
        n,
        time: EpochTime::seconds(1_600_000_000 + n),
    };
    let names = [
        "a'b",
        "a\"b",
        "$p0",
        "x; DROP DATABASE y",
        "-- x",
        "* x *",
        "é😀 .x",
        "a'b\"c $p0 * x * é😀 .x",
        "x\"; DROP DATABASE y -- '",
    ];
    for (n, name) in (0_i64..).zip(names) {
        reader.run(Query::new(format!(
            "CREATE RETENTION POLICY {} ON {} DURATION INF REPLICATION 1",
            quote_identifier(name),
            quote_identifier(home.name())
        )));
        let written = vec![point(n)];
        reader.with_retention_policy(name).write(&written);
        let select = Odd::select().retention_policy(name);
        assert_eq!(reader.fetch(&select), written, "{select}");

        let database = format!("{}_{name}", home.name());
        server.post_query(
            None,
            &format!("CREATE DATABASE {}", quote_identifier(&database)),
        );
        let url = format!(
            "{}/{}",
            server.base_url(),
            percent_encoding::utf8_percent_encode(&database, percent_encoding::NON_ALPHANUMERIC)
        );
        let written = vec![point(100 + n)];
        Reader::new(kind, &url).write(&written);
        let select = Odd::select().database(&database);
        let read = reader.fetch(&select);
        server.post_query(
            None,
            &format!("DROP DATABASE {}", quote_identifier(&database)),
        );
        assert_eq!(read, written, "{select}");
    }
    // Every policy still holds its point: no name dropped anything.
    let all: Vec<Odd> = reader.hand(Query::new(format!(
        "SELECT * FROM {}",
        names
            .iter()
            .map(|name| format!("{}.odd", quote_identifier(name)))
            .collect::<Vec<_>>()
            .join(", ")
    )));
    assert_eq!(all.len(), names.len());
}

#[test]
fn odd_retention_policy_and_database_names_name_exactly_themselves_async() {
    odd_names(Kind::Async);
}

#[test]
fn odd_retention_policy_and_database_names_name_exactly_themselves_blocking() {
    odd_names(Kind::Blocking);
}
