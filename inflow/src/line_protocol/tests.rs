//! Unit tests of the encoder through dynamic points: value types, rejections, precision, and
//! the all-or-nothing rule for the buffer.

use super::*;
use crate::{EpochTime, Point, Value};

fn line(point: &Point) -> Result<String, EncodeError> {
    to_line(point, Precision::Nanoseconds)
}

fn field(value: impl Into<Value>) -> Result<String, EncodeError> {
    line(&Point::new("m").field("f", value).timestamp_nanos(1))
}

#[test]
fn floats_round_trip_in_shortest_form() {
    assert_eq!(field(21.3).unwrap(), "m f=21.3 1\n");
    assert_eq!(field(1.0).unwrap(), "m f=1.0 1\n");
    assert_eq!(field(-0.0).unwrap(), "m f=-0.0 1\n");
    assert_eq!(field(0.1 + 0.2).unwrap(), "m f=0.30000000000000004 1\n");
    assert_eq!(field(f64::MAX).unwrap(), "m f=1.7976931348623157e+308 1\n");
    assert_eq!(
        field(f64::MIN_POSITIVE).unwrap(),
        "m f=2.2250738585072014e-308 1\n"
    );
    assert_eq!(field(5e-324).unwrap(), "m f=5e-324 1\n");
    assert_eq!(field(1e21).unwrap(), "m f=1e+21 1\n");
    assert_eq!(field(1.1_f32).unwrap(), "m f=1.100000023841858 1\n");
    for value in [
        0.1,
        -2.5e-7,
        123_456_789.123_456_78,
        f64::EPSILON,
        -f64::MAX,
    ] {
        let text = field(value).unwrap();
        let number = text["m f=".len()..text.len() - " 1\n".len()]
            .parse::<f64>()
            .unwrap();
        assert_eq!(number.to_bits(), value.to_bits(), "{text}");
    }
}

#[test]
fn f32_fields_are_written_in_their_own_shortest_form() {
    let mut buf = Vec::new();
    let mut line = Line::new(&mut buf, Precision::Seconds);
    line.measurement("m").unwrap();
    line.field("f").float32(1.1).unwrap();
    line.finish(|| 0).unwrap();
    assert_eq!(buf, b"m f=1.1 0\n");
}

#[test]
fn non_finite_floats_are_refused() {
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let err = field(value).unwrap_err();
        assert_eq!(err.kind(), EncodeErrorKind::NotFinite);
        assert_eq!(err.element(), Element::FieldValue);
        assert_eq!(err.key(), Some("f"));
        assert_eq!(err.measurement(), Some("m"));
    }
    assert_eq!(
        field(f32::NAN).unwrap_err().kind(),
        EncodeErrorKind::NotFinite
    );
}

#[test]
fn integers_of_every_width_get_the_i_suffix() {
    assert_eq!(field(i64::MAX).unwrap(), "m f=9223372036854775807i 1\n");
    assert_eq!(field(i64::MIN).unwrap(), "m f=-9223372036854775808i 1\n");
    assert_eq!(field(-7_i8).unwrap(), "m f=-7i 1\n");
    assert_eq!(field(0_u8).unwrap(), "m f=0i 1\n");
    assert_eq!(field(u32::MAX).unwrap(), "m f=4294967295i 1\n");
    assert_eq!(
        field(i64::MAX as u64).unwrap(),
        "m f=9223372036854775807i 1\n"
    );
    assert_eq!(field(usize::MIN).unwrap(), "m f=0i 1\n");
    assert_eq!(
        field(isize::MIN).unwrap(),
        format!("m f={}i 1\n", isize::MIN)
    );
}

#[test]
fn unsigned_above_i64_max_is_refused() {
    let err = field(i64::MAX as u64 + 1).unwrap_err();
    assert_eq!(err.kind(), EncodeErrorKind::IntegerOutOfRange);
    assert_eq!(err.value(), Some("9223372036854775808"));
    assert_eq!(
        field(u64::MAX).unwrap_err().kind(),
        EncodeErrorKind::IntegerOutOfRange
    );
}

#[test]
fn booleans_and_strings() {
    assert_eq!(field(true).unwrap(), "m f=true 1\n");
    assert_eq!(field(false).unwrap(), "m f=false 1\n");
    assert_eq!(field("").unwrap(), "m f=\"\" 1\n");
    assert_eq!(
        field("say \"hi\" \\o/").unwrap(),
        "m f=\"say \\\"hi\\\" \\\\o/\" 1\n"
    );
    assert_eq!(field("two\nlines").unwrap(), "m f=\"two\nlines\" 1\n");
}

#[test]
fn tags_are_sorted_by_key_bytes_and_empty_values_left_out() {
    let point = Point::new("m")
        .tag("b", "2")
        .tag("a", "1")
        .tag("B", "upper")
        .tag("empty", "")
        .field("f", 1)
        .timestamp_nanos(1);
    assert_eq!(line(&point).unwrap(), "m,B=upper,a=1,b=2 f=1i 1\n");
}

#[test]
fn later_values_replace_earlier_ones_for_the_same_key() {
    let point = Point::new("m")
        .tag("t", "x")
        .tag("t", "y")
        .field("f", 1)
        .field("f", 2)
        .timestamp_nanos(1);
    assert_eq!(line(&point).unwrap(), "m,t=y f=2i 1\n");
}

#[test]
fn key_rejections_name_the_element() {
    let cases: [(Point, EncodeErrorKind, Element); 9] = [
        (
            Point::new("").field("f", 1),
            EncodeErrorKind::Empty,
            Element::Measurement,
        ),
        (
            Point::new("#m").field("f", 1),
            EncodeErrorKind::LeadingHash,
            Element::Measurement,
        ),
        (
            Point::new("m").tag("", "v").field("f", 1),
            EncodeErrorKind::Empty,
            Element::TagKey,
        ),
        (
            Point::new("m").tag("time", "v").field("f", 1),
            EncodeErrorKind::ReservedKey,
            Element::TagKey,
        ),
        (
            Point::new("m").tag("k\n", "v").field("f", 1),
            EncodeErrorKind::LineFeed,
            Element::TagKey,
        ),
        (
            Point::new("m").tag("k\\", "v").field("f", 1),
            EncodeErrorKind::TrailingBackslash,
            Element::TagKey,
        ),
        (
            Point::new("m").tag("k", "v\n").field("f", 1),
            EncodeErrorKind::LineFeed,
            Element::TagValue,
        ),
        (
            Point::new("m").field("time", 1),
            EncodeErrorKind::ReservedKey,
            Element::FieldKey,
        ),
        (
            Point::new("m").field("a\\=b", 1),
            EncodeErrorKind::OddBackslashRun,
            Element::FieldKey,
        ),
    ];
    for (point, kind, element) in cases {
        let err = line(&point).unwrap_err();
        assert_eq!(
            (err.kind(), err.element()),
            (kind, element),
            "{point:?}: {err}"
        );
    }
}

#[test]
fn a_point_without_fields_is_refused() {
    let err = line(&Point::new("m").tag("t", "v")).unwrap_err();
    assert_eq!(err.kind(), EncodeErrorKind::NoFields);
    assert_eq!(err.element(), Element::Point);
}

#[test]
fn refused_points_leave_the_buffer_exactly_as_it_was() {
    let mut encoder = Encoder::new(Precision::Seconds);
    encoder
        .encode(&Point::new("m").field("f", 1).timestamp_secs(1))
        .unwrap();
    let before = encoder.as_bytes().to_vec();
    let bad = [
        Point::new("m")
            .tag("a", "ok")
            .tag("b", "bad\\")
            .field("f", 1),
        Point::new("m")
            .tag("a", "ok")
            .field("f", 1)
            .field("g", f64::NAN),
        Point::new("m")
            .field("f", 1)
            .timestamp(EpochTime::seconds(i64::MAX)),
        Point::new("m").tag("a", "ok"),
    ];
    for point in &bad {
        assert!(encoder.encode(point).is_err());
        assert_eq!(encoder.as_bytes(), before.as_slice());
        assert_eq!(encoder.len(), 1);
    }
}

#[test]
fn timestamps_convert_exactly_in_every_precision() {
    let nanos = 1_475_848_864_123_456_789_i64;
    let expected = [
        "1475848864123456789",
        "1475848864123456",
        "1475848864123",
        "1475848864",
        "24597481",
        "409958",
    ];
    for (precision, units) in Precision::ALL.into_iter().zip(expected) {
        let point = Point::new("m").field("f", 1).timestamp_nanos(nanos);
        assert_eq!(
            to_line(&point, precision).unwrap(),
            format!("m f=1i {units}\n"),
            "{precision}"
        );
    }
}

#[test]
fn times_before_1970_truncate_towards_the_past() {
    let point = Point::new("m").field("f", 1).timestamp_nanos(-1);
    let expected = ["-1", "-1", "-1", "-1", "-1", "-1"];
    for (precision, units) in Precision::ALL.into_iter().zip(expected) {
        assert_eq!(
            to_line(&point, precision).unwrap(),
            format!("m f=1i {units}\n")
        );
    }
    let point = Point::new("m")
        .field("f", 1)
        .timestamp_nanos(-1_500_000_000);
    assert_eq!(to_line(&point, Precision::Seconds).unwrap(), "m f=1i -2\n");
}

#[test]
fn the_range_ends_are_checked_after_conversion() {
    let at = |nanos: i128, precision| {
        let point = Point::new("m").field("f", 1).timestamp(Nanos(nanos));
        to_line(&point, precision)
    };
    let max = i128::from(MAX_TIMESTAMP_NANOS);
    let min = i128::from(MIN_TIMESTAMP_NANOS);
    assert_eq!(
        at(max, Precision::Nanoseconds).unwrap(),
        "m f=1i 9223372036854775806\n"
    );
    assert_eq!(
        at(min, Precision::Nanoseconds).unwrap(),
        "m f=1i -9223372036854775806\n"
    );
    for outside in [max + 1, min - 1, i128::from(i64::MIN), i128::MAX] {
        let err = at(outside, Precision::Nanoseconds).unwrap_err();
        assert_eq!(err.kind(), EncodeErrorKind::TimestampOutOfRange);
        assert_eq!(err.element(), Element::Timestamp);
    }
    // The server's own edges per precision: it multiplies first, then refuses a time outside
    // [-9223372036854775806, 9223372036854775806] ns (verified on InfluxDB 1.6).
    let edges = [
        (Precision::Seconds, 9_223_372_036_i128, 9_223_372_037_i128),
        (Precision::Minutes, 153_722_867, 153_722_868),
        (Precision::Hours, 2_562_047, 2_562_048),
        (
            Precision::Microseconds,
            9_223_372_036_854_775,
            9_223_372_036_854_776,
        ),
        (
            Precision::Milliseconds,
            9_223_372_036_854,
            9_223_372_036_855,
        ),
    ];
    for (precision, inside, outside) in edges {
        let unit = i128::from(precision.nanos_per_unit());
        assert!(at(inside * unit, precision).is_ok(), "{precision} {inside}");
        assert!(
            at(outside * unit, precision).is_err(),
            "{precision} {outside}"
        );
    }
    assert!(at(-9_223_372_036 * 1_000_000_000, Precision::Seconds).is_ok());
    assert!(at(-9_223_372_037 * 1_000_000_000, Precision::Seconds).is_err());
}

struct Nanos(i128);

impl Timestamp for Nanos {
    fn unix_nanos(&self) -> Option<i128> {
        Some(self.0)
    }
}

#[test]
fn points_without_timestamp_are_stamped_with_the_default_time() {
    let mut encoder = Encoder::new(Precision::Seconds);
    let point = Point::new("m").field("f", 1);
    encoder
        .encode_with_default_time(&point, &EpochTime::seconds(42))
        .unwrap();
    encoder
        .encode_with_default_time(&point.clone().timestamp_secs(7), &EpochTime::seconds(42))
        .unwrap();
    assert_eq!(encoder.as_bytes(), b"m f=1i 42\nm f=1i 7\n");
}

#[test]
fn points_without_timestamp_are_stamped_now() {
    let before = system_time_nanos(SystemTime::now());
    let text = to_line(&Point::new("m").field("f", 1), Precision::Nanoseconds).unwrap();
    let after = system_time_nanos(SystemTime::now());
    let stamped: i128 = text.trim_end()["m f=1i ".len()..].parse().unwrap();
    assert!(
        (before..=after).contains(&stamped),
        "{before} ≤ {stamped} ≤ {after}"
    );
}

#[test]
fn series_keys_over_the_limit_are_refused() {
    // The server accepts a series key of 65530 bytes with field `f` and refuses one more.
    let fits = Point::new("m")
        .tag("t", "v".repeat(65_526))
        .field("f", 1)
        .timestamp_nanos(1);
    assert!(line(&fits).is_ok());
    let over = Point::new("m")
        .tag("t", "v".repeat(65_527))
        .field("f", 1)
        .timestamp_nanos(1);
    let err = line(&over).unwrap_err();
    assert_eq!(err.kind(), EncodeErrorKind::KeyTooLong);
    assert_eq!(err.value(), Some("65536 bytes"));
}

#[test]
fn batch_hazard_is_refused_and_everything_else_with_backslashes_is_written() {
    let hazard = Point::new("m")
        .tag("k\\ x", "a\"b")
        .field("f", 1)
        .timestamp_nanos(1);
    let err = line(&hazard).unwrap_err();
    assert_eq!(err.kind(), EncodeErrorKind::BatchHazard);
    assert_eq!(err.value(), Some("m,k\\\\ x=a\"b"));
    let hazard = Point::new("m")
        .tag("x\\ y", "2")
        .tag("z", "q\"")
        .field("f", 1)
        .timestamp_nanos(1);
    assert_eq!(
        line(&hazard).unwrap_err().kind(),
        EncodeErrorKind::BatchHazard
    );
    // An even run before the space, no later quote, a quote before the space, or the space in
    // a value (the splitter then counts as many `,` as `=` and never opens a string): fine.
    let fine = [
        Point::new("m").tag("a", "x\\ y").tag("b", "\""),
        Point::new("m").tag("k\\\\ x", "a\"b"),
        Point::new("m").tag("k\\ x", "ab"),
        Point::new("m").tag("a", "\"").tag("b", "x\\ y"),
        Point::new("m").tag("k", "a\\ b\"c"),
    ];
    for point in fine {
        let point = point.field("f", 1).timestamp_nanos(1);
        assert!(line(&point).is_ok(), "{point:?}");
    }
}

#[test]
fn out_of_order_writes_by_hand_are_refused() {
    let mut buf = Vec::new();
    let mut line = Line::new(&mut buf, Precision::Seconds);
    line.measurement("m").unwrap();
    line.field("f").integer(1).unwrap();
    let err = line.tag("t").str("v").unwrap_err();
    assert_eq!(err.kind(), EncodeErrorKind::OutOfOrder);
    line.timestamp(&EpochTime::seconds(1)).unwrap();
    let err = line.timestamp(&EpochTime::seconds(2)).unwrap_err();
    assert_eq!(err.kind(), EncodeErrorKind::OutOfOrder);
}

#[test]
fn take_bytes_and_clear_reset_the_count() {
    let mut encoder = Encoder::with_capacity(Precision::Seconds, 64);
    encoder
        .encode(&Point::new("m").field("f", 1).timestamp_secs(1))
        .unwrap();
    assert_eq!(encoder.take_bytes(), b"m f=1i 1\n");
    assert!(encoder.is_empty());
    encoder
        .encode(&Point::new("m").field("f", 1).timestamp_secs(1))
        .unwrap();
    encoder.clear();
    assert!(encoder.is_empty() && encoder.as_bytes().is_empty());
    assert_eq!(encoder.precision(), Precision::Seconds);
}

/// Where a [`Fragile`] point's user code panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panics {
    Nowhere,
    InTag,
    InField,
    InTimestamp,
}

/// A point whose tag, field and timestamp are user types that panic where told, each after the
/// line already holds something, as a `#[derive(Measurement)]` struct of such types would.
#[derive(Debug)]
struct Fragile {
    panics: Panics,
    value: i64,
}

struct Room(Panics);
struct Reading(Panics, i64);
struct Tick(Panics, i64);

impl crate::TagValue for Room {
    fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
        tag.str("kitchen")?;
        assert!(self.0 != Panics::InTag, "a user's TagValue panicked");
        Ok(())
    }
}

impl crate::FieldValue for Reading {
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
        field.integer(self.1)?;
        assert!(self.0 != Panics::InField, "a user's FieldValue panicked");
        Ok(())
    }
}

impl Timestamp for Tick {
    fn unix_nanos(&self) -> Option<i128> {
        assert!(self.0 != Panics::InTimestamp, "a user's Timestamp panicked");
        Some(i128::from(self.1))
    }
}

impl Measurement for Fragile {
    const SCHEMA: Option<crate::Schema> = None;

    fn measurement(&self) -> &str {
        "fragile"
    }

    fn encode(&self, line: &mut Line<'_>) -> Result<(), EncodeError> {
        line.measurement("fragile")?;
        crate::TagValue::write_tag(&Room(self.panics), line.tag("room"))?;
        crate::FieldValue::write_field(&Reading(self.panics, self.value), line.field("value"))?;
        line.timestamp(&Tick(self.panics, self.value))
    }
}

#[test]
fn a_panicking_user_impl_leaves_the_buffer_exactly_as_it_was() {
    let good = |value| Fragile {
        panics: Panics::Nowhere,
        value,
    };
    let mut encoder = Encoder::new(Precision::Nanoseconds);
    encoder.encode(&good(1)).unwrap();
    let text = |encoder: &Encoder| String::from_utf8_lossy(encoder.as_bytes()).into_owned();
    let before = text(&encoder);
    for panics in [Panics::InTag, Panics::InField, Panics::InTimestamp] {
        let bad = Fragile { panics, value: 7 };
        let unwound =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| encoder.encode(&bad)));
        assert!(unwound.is_err(), "{panics:?} did not panic");
        assert_eq!(text(&encoder), before, "{panics:?}");
        assert_eq!(encoder.len(), 1, "{panics:?}");
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            encoder.encode_with_default_time(&bad, &EpochTime::seconds(1))
        }));
        assert!(unwound.is_err(), "{panics:?} did not panic");
        assert_eq!(text(&encoder), before, "{panics:?}");
        assert_eq!(encoder.len(), 1, "{panics:?}");
    }
    encoder.encode(&good(2)).unwrap();
    assert_eq!(
        text(&encoder),
        "fragile,room=kitchen value=1i 1\nfragile,room=kitchen value=2i 2\n"
    );
    assert_eq!(encoder.len(), 2);
}
