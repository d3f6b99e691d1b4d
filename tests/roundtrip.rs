//! Property tests of the encoder against the independent parser of the test support.
//!
//! For arbitrary points built from adversarial text (every byte line protocol treats
//! specially, unicode, the reserved key `time`), the encoder must either write a line that the
//! server's parsing rules read back as exactly the same point, or refuse the point, and it
//! refuses exactly the points that the rules of the facts (re-stated independently below) say
//! cannot be stored. Points are also encoded into one batch, parsed with the server's line
//! splitter, so a line that would swallow its neighbour fails the test.

use std::collections::BTreeMap;

use inflow::line_protocol::{EncodeErrorKind, Encoder};
use inflow::{EpochTime, Measurement, Point, Precision, Value};
use inflow_tests::lp::{self, ParsedPoint, ParsedValue};
use proptest::prelude::*;

const MIN_NS: i128 = i64::MIN as i128 + 2;
const MAX_NS: i128 = i64::MAX as i128 - 1;

/// Text made of the bytes line protocol treats specially, plus ordinary and wide characters.
fn adversarial_text() -> impl Strategy<Value = String> {
    // Weighted so that most points are representable and every rule is still hit often.
    let piece = prop_oneof![
        40 => prop::sample::select(vec![
            ",", "=", " ", "\"", "\r", "a", "Z", "0", "é", "😀", "温",
        ])
        .prop_map(str::to_owned),
        4 => Just("\\".to_owned()),
        1 => prop::sample::select(vec!["\n", "\t", "\0", "#", "time"]).prop_map(str::to_owned),
        10 => "[a-z]{1,4}",
    ];
    prop::collection::vec(piece, 0..7).prop_map(|pieces| pieces.concat())
}

/// Like [`adversarial_text`], but empty only now and then: for names and keys.
fn name_text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        30 => adversarial_text().prop_filter("not empty", |text| !text.is_empty()),
    ]
}

fn key_text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("time".to_owned()),
        12 => name_text(),
        6 => "[a-z_]{1,8}",
    ]
}

fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<f64>().prop_map(Value::Float),
        prop::num::f64::NORMAL.prop_map(Value::Float),
        prop::sample::select(vec![
            -0.0,
            0.0,
            5e-324,
            -5e-324,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            1e21,
            1e-7,
            0.1,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY
        ])
        .prop_map(Value::Float),
        any::<i64>().prop_map(Value::Integer),
        prop::sample::select(vec![i64::MIN, i64::MAX, 0, -1]).prop_map(Value::Integer),
        (0..=i64::MAX as u64).prop_map(Value::Unsigned),
        prop::sample::select(vec![0, i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX])
            .prop_map(Value::Unsigned),
        any::<bool>().prop_map(Value::Boolean),
        adversarial_text().prop_map(Value::String),
    ]
}

fn timestamp_nanos() -> impl Strategy<Value = Option<i128>> {
    prop_oneof![
        1 => Just(None),
        3 => any::<i64>().prop_map(|ns| Some(i128::from(ns))),
        2 => prop::sample::select(vec![MIN_NS, MAX_NS, MIN_NS - 1, MAX_NS + 1, 0, -1, 1])
            .prop_map(Some),
        2 => (-4_000_000_000_i64..4_000_000_000).prop_map(|s| Some(i128::from(s) * 1_000_000_000)),
    ]
}

fn precision() -> impl Strategy<Value = Precision> {
    prop::sample::select(Precision::ALL.to_vec())
}

#[derive(Debug, Clone)]
struct Input {
    measurement: String,
    tags: Vec<(String, String)>,
    fields: Vec<(String, Value)>,
    timestamp: Option<i128>,
}

fn input() -> impl Strategy<Value = Input> {
    (
        prop_oneof![3 => name_text(), 1 => "[a-z]{1,10}"],
        prop::collection::vec((key_text(), adversarial_text()), 0..4),
        prop_oneof![
            1 => Just(Vec::new()),
            15 => prop::collection::vec((key_text(), field_value()), 1..4),
        ],
        timestamp_nanos(),
    )
        .prop_map(|(measurement, tags, fields, timestamp)| Input {
            measurement,
            tags,
            fields,
            timestamp,
        })
}

impl Input {
    fn point(&self) -> Point {
        let mut point = Point::new(self.measurement.clone());
        for (key, value) in &self.tags {
            point.set_tag(key.clone(), value.clone());
        }
        for (key, value) in &self.fields {
            point.set_field(key.clone(), value.clone());
        }
        if let Some(nanos) = self.timestamp {
            point.set_timestamp(Nanos(nanos));
        }
        point
    }

    /// Later values win for a key given twice, as in `Point` and on the server.
    fn tags(&self) -> BTreeMap<&str, &str> {
        self.tags
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn fields(&self) -> BTreeMap<&str, &Value> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v)).collect()
    }

    /// Whether InfluxDB 1.x can store this point, by the rules of facts §1–§3 (the batch hazard
    /// aside, which is checked against the parser's own splitter).
    fn representable(&self, precision: Precision) -> bool {
        let m = self.measurement.as_str();
        let measurement_ok = !m.is_empty()
            && !m.starts_with(['#', '\t', '\0'])
            && !m.contains('\n')
            && !m.ends_with('\\')
            && !["\\,", "\\ ", "\\=", "\\\""]
                .iter()
                .any(|bad| m.contains(bad));
        let tags_ok = self.tags().iter().all(|(key, value)| {
            value.is_empty()
                || (!key.is_empty()
                    && *key != "time"
                    && !key.contains('\n')
                    && !key.ends_with('\\')
                    && !value.contains('\n')
                    && !value.ends_with('\\'))
        });
        let fields = self.fields();
        let fields_ok = !fields.is_empty()
            && fields
                .iter()
                .all(|(key, value)| field_key_ok(key) && value_ok(value));
        measurement_ok && tags_ok && fields_ok && self.timestamp_units(precision).is_some()
    }

    fn timestamp_units(&self, precision: Precision) -> Option<i64> {
        let nanos = self.timestamp.unwrap_or(0);
        let unit = i128::from(precision.nanos_per_unit());
        let units = nanos.div_euclid(unit);
        ((MIN_NS..=MAX_NS).contains(&(units * unit))).then(|| i64::try_from(units).unwrap())
    }

    fn expected(&self, precision: Precision) -> ParsedPoint {
        ParsedPoint {
            measurement: self.measurement.clone(),
            tags: self
                .tags()
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            fields: self
                .fields()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), parsed(v)))
                .collect(),
            timestamp: self.timestamp_units(precision),
        }
    }
}

fn field_key_ok(key: &str) -> bool {
    if key.is_empty() || key == "time" || key.contains('\n') || key.ends_with('\\') {
        return false;
    }
    if key.starts_with(['\t', '\0']) {
        return false;
    }
    // An odd run of backslashes right before `,`, `=` or space.
    let bytes = key.as_bytes();
    (0..bytes.len()).all(|i| {
        if !matches!(bytes[i], b',' | b'=' | b' ') {
            return true;
        }
        let run = bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count();
        run % 2 == 0
    })
}

fn value_ok(value: &Value) -> bool {
    match value {
        Value::Float(f) => f.is_finite(),
        Value::Unsigned(u) => i64::try_from(*u).is_ok(),
        _ => true,
    }
}

fn parsed(value: &Value) -> ParsedValue {
    match value {
        Value::Float(f) => ParsedValue::Float(*f),
        Value::Integer(i) => ParsedValue::Integer(*i),
        Value::Unsigned(u) => ParsedValue::Integer(i64::try_from(*u).unwrap()),
        Value::Boolean(b) => ParsedValue::Boolean(*b),
        Value::String(s) => ParsedValue::String(s.clone()),
    }
}

struct Nanos(i128);

impl inflow::Timestamp for Nanos {
    fn unix_nanos(&self) -> Option<i128> {
        Some(self.0)
    }
}

/// Whether the server's splitter would glue a following line onto `line` (which ends in LF).
fn swallows_next_line(line: &[u8]) -> bool {
    let mut batch = line.to_vec();
    batch.extend_from_slice(b"next f=1i 1\n");
    !matches!(lp::parse_lines(&batch), Ok(points) if points.len() == 2)
}

/// What the encoder did with a point, once checked against the rules and the parser.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Written,
    RefusedAsBatchHazard,
    Refused,
}

fn check(input: &Input, precision: Precision) -> Result<Outcome, TestCaseError> {
    let point = input.point();
    let mut encoder = Encoder::new(precision);
    encoder
        .encode(&Point::new("before").field("f", 1).timestamp_nanos(1))
        .unwrap();
    let before = encoder.as_bytes().to_vec();
    let default_time = EpochTime::nanos(0);
    match encoder.encode_with_default_time(&point, &default_time) {
        Ok(()) => {
            prop_assert!(
                input.representable(precision),
                "wrote an unrepresentable point: {:?}",
                input
            );
            let line = &encoder.as_bytes()[before.len()..];
            prop_assert!(
                !swallows_next_line(line),
                "line would swallow the next: {:?}",
                String::from_utf8_lossy(line)
            );
            let points = lp::parse_lines(encoder.as_bytes())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(points.len(), 2);
            prop_assert_eq!(&points[1], &input.expected(precision));
            Ok(Outcome::Written)
        }
        Err(err) if err.kind() == EncodeErrorKind::BatchHazard => {
            prop_assert!(input.representable(precision));
            prop_assert_eq!(encoder.as_bytes(), before.as_slice());
            // The refusal is warranted: in a batch, the server's line splitter either glues the
            // next line onto this one, or cuts this one at a line feed inside a string value
            // (then it does not parse even alone).
            let line = hazard_line(&point, precision);
            let alone = lp::parse_lines(&line);
            let fine_alone =
                matches!(&alone, Ok(points) if *points == vec![input.expected(precision)]);
            prop_assert!(
                !fine_alone || swallows_next_line(&line),
                "refused a line that is safe in a batch: {:?}",
                String::from_utf8_lossy(&line)
            );
            Ok(Outcome::RefusedAsBatchHazard)
        }
        Err(err) => {
            prop_assert!(
                !input.representable(precision),
                "refused a representable point: {:?}: {}",
                input,
                err
            );
            prop_assert_eq!(encoder.as_bytes(), before.as_slice(), "the buffer changed");
            prop_assert_eq!(encoder.len(), 1);
            let named = excerpt(&input.measurement);
            prop_assert_eq!(err.measurement(), Some(named.as_str()));
            Ok(Outcome::Refused)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn every_point_is_written_exactly_or_refused_for_a_stated_reason(
        input in input(),
        precision in precision(),
    ) {
        check(&input, precision)?;
    }
}

/// The property's three outcomes, each reached by a known point, so that the property above
/// cannot pass by never reaching one of them.
#[test]
fn the_property_reaches_every_outcome() {
    let input = |tags: &[(&str, &str)], field: Value| Input {
        measurement: "m".to_owned(),
        tags: tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        fields: vec![("f".to_owned(), field)],
        timestamp: Some(1),
    };
    let cases = [
        (input(&[("t", "a b")], Value::Float(1.5)), Outcome::Written),
        (
            input(&[("k\\ x", "a\"b")], Value::Integer(1)),
            Outcome::RefusedAsBatchHazard,
        ),
        (
            input(&[("k\\ x", "1"), ("z", "q\"")], Value::Integer(1)),
            Outcome::RefusedAsBatchHazard,
        ),
        (input(&[("t", "a\\")], Value::Float(1.5)), Outcome::Refused),
        (input(&[], Value::Float(f64::NAN)), Outcome::Refused),
    ];
    for (input, expected) in cases {
        assert_eq!(
            check(&input, Precision::Nanoseconds).unwrap(),
            expected,
            "{input:?}"
        );
    }
}

fn excerpt(text: &str) -> String {
    match text.char_indices().nth(80) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()),
    }
}

/// The line a hazardous point would have been: measurement, tags, fields and timestamp written
/// by hand with the escaping of the facts' table.
fn hazard_line(point: &Point, precision: Precision) -> Vec<u8> {
    fn escape(text: &str, special: &[char]) -> String {
        text.chars()
            .flat_map(|c| special.contains(&c).then_some('\\').into_iter().chain([c]))
            .collect()
    }
    let mut line = escape(point.measurement_name(), &[',', ' ']);
    for (key, value) in point.tags().filter(|(_, v)| !v.is_empty()) {
        line += &format!(
            ",{}={}",
            escape(key, &[',', '=', ' ']),
            escape(value, &[',', '=', ' '])
        );
    }
    let fields: Vec<String> = point
        .fields()
        .map(|(key, value)| {
            let value = match value {
                Value::Float(f) => format!("{f:?}"),
                Value::Integer(i) => format!("{i}i"),
                Value::Unsigned(u) => format!("{u}i"),
                Value::Boolean(b) => b.to_string(),
                Value::String(s) => format!("\"{}\"", escape(s, &['"', '\\'])),
            };
            format!("{}={value}", escape(key, &[',', '=', ' ', '"']))
        })
        .collect();
    let unit = i128::from(precision.nanos_per_unit());
    let units = point.timestamp_unix_nanos().unwrap_or(0).div_euclid(unit);
    format!("{line} {} {units}\n", fields.join(",")).into_bytes()
}

/// A derived struct with adversarial values: the same property through generated code.
#[derive(Debug, Measurement)]
#[inflow(measurement = "derived")]
struct Derived {
    #[inflow(tag)]
    location: String,
    #[inflow(tag, rename = "sensor type")]
    sensor: Option<String>,
    text: String,
    value: f64,
    count: i64,
    #[inflow(timestamp)]
    at: Option<EpochTime>,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn derived_points_round_trip_or_are_refused(
        location in adversarial_text(),
        sensor in proptest::option::of(adversarial_text()),
        text in adversarial_text(),
        value in any::<f64>(),
        count in any::<i64>(),
        seconds in proptest::option::of(-9_223_372_036_i64..=9_223_372_036),
    ) {
        let derived = Derived { location: location.clone(), sensor: sensor.clone(), text: text.clone(), value, count, at: seconds.map(EpochTime::seconds) };
        let input = Input {
            measurement: "derived".to_owned(),
            tags: [("location".to_owned(), location), ("sensor type".to_owned(), sensor.unwrap_or_default())].into(),
            fields: vec![
                ("count".to_owned(), Value::Integer(count)),
                ("text".to_owned(), Value::String(text)),
                ("value".to_owned(), Value::Float(value)),
            ],
            timestamp: Some(i128::from(seconds.unwrap_or(0)) * 1_000_000_000),
        };
        let mut encoder = Encoder::new(Precision::Seconds);
        let default_time = EpochTime::seconds(0);
        match encoder.encode_with_default_time(&derived, &default_time) {
            Ok(()) => {
                prop_assert!(input.representable(Precision::Seconds));
                let points = lp::parse_lines(encoder.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(points, vec![input.expected(Precision::Seconds)]);
                prop_assert!(!swallows_next_line(encoder.as_bytes()));
            }
            Err(err) if err.kind() == EncodeErrorKind::BatchHazard => {
                let line = hazard_line(&input.point(), Precision::Seconds);
                let fine_alone = matches!(lp::parse_lines(&line), Ok(points) if points == vec![input.expected(Precision::Seconds)]);
                prop_assert!(!fine_alone || swallows_next_line(&line));
            }
            Err(err) => {
                prop_assert!(!input.representable(Precision::Seconds), "refused {:?}: {}", derived, err);
                prop_assert!(encoder.as_bytes().is_empty());
            }
        }
    }
}

/// The case the property found: a tag key with a backslash before a space makes the splitter
/// count quotes from there, and a line feed inside a string value then ends the line early.
#[test]
fn a_line_the_splitter_would_cut_inside_a_string_is_refused() {
    let input = Input {
        measurement: ",".to_owned(),
        tags: vec![
            ("xe".to_owned(), "\"".to_owned()),
            ("\\ ".to_owned(), ",".to_owned()),
        ],
        fields: vec![(",".to_owned(), Value::String("\n".to_owned()))],
        timestamp: None,
    };
    assert_eq!(
        check(&input, Precision::Nanoseconds).unwrap(),
        Outcome::RefusedAsBatchHazard
    );
}
