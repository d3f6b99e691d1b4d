//! `#[derive(Measurement)]` end to end: every supported type, attribute and shape, encoded
//! byte for byte and read back by the independent parser of the test support.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use inflow::line_protocol::{self, Element, EncodeError, EncodeErrorKind, Encoder};
use inflow::{EpochTime, Measurement, Precision};
use inflow_tests::lp::{self, ParsedValue};

fn encode<M: Measurement>(point: &M, precision: Precision) -> String {
    line_protocol::to_line(point, precision).unwrap()
}

/// The example of MISSION.md, as a user would write it.
#[derive(Measurement)]
#[inflow(measurement = "temperature")]
struct Reading {
    #[inflow(tag)]
    location: String,
    #[inflow(tag)]
    sensor_type: &'static str,
    value: f64,
    #[inflow(rename = "upper_sensor")]
    upper: Option<f64>,
    #[inflow(timestamp)]
    time: DateTime<Utc>,
}

fn reading(upper: Option<f64>) -> Reading {
    Reading {
        location: "groningen".to_owned(),
        sensor_type: "ni1000",
        value: 21.3,
        upper,
        time: Utc.timestamp_opt(1_475_848_864, 0).unwrap(),
    }
}

#[test]
fn the_mission_example_encodes_to_the_expected_line() {
    assert_eq!(
        encode(&reading(Some(23.2)), Precision::Seconds),
        "temperature,location=groningen,sensor_type=ni1000 upper_sensor=23.2,value=21.3 1475848864\n"
    );
    assert_eq!(
        encode(&reading(None), Precision::Seconds),
        "temperature,location=groningen,sensor_type=ni1000 value=21.3 1475848864\n"
    );
    assert_eq!(
        encode(&reading(None), Precision::Nanoseconds),
        "temperature,location=groningen,sensor_type=ni1000 value=21.3 1475848864000000000\n"
    );
}

#[test]
fn the_schema_is_known_at_compile_time() {
    const SCHEMA: inflow::Schema = match Reading::SCHEMA {
        Some(schema) => schema,
        None => panic!("derived types have a schema"),
    };
    assert_eq!(SCHEMA.measurement(), "temperature");
    assert_eq!(SCHEMA.tag_keys(), ["location", "sensor_type"]);
    assert_eq!(SCHEMA.field_keys(), ["upper_sensor", "value"]);
    assert!(SCHEMA.has_timestamp());
    assert_eq!(reading(None).measurement(), "temperature");
}

#[derive(Measurement)]
#[allow(clippy::struct_field_names)]
struct EveryFieldType<'a> {
    f_f64: f64,
    f_f32: f32,
    f_i8: i8,
    f_i16: i16,
    f_i32: i32,
    f_i64: i64,
    f_isize: isize,
    f_u8: u8,
    f_u16: u16,
    f_u32: u32,
    f_u64: u64,
    f_usize: usize,
    f_bool: bool,
    f_string: String,
    f_str: &'a str,
    f_cow: Cow<'a, str>,
    f_box: Box<str>,
    f_arc: Arc<str>,
    f_rc: Rc<str>,
    o_f64: Option<f64>,
    o_i64: Option<i64>,
    o_u64: Option<u64>,
    o_bool: Option<bool>,
    o_string: Option<String>,
    o_str: Option<&'a str>,
    #[inflow(timestamp)]
    at: EpochTime,
}

#[test]
fn every_field_type_is_written_with_its_line_protocol_type() {
    let point = EveryFieldType {
        f_f64: -0.0,
        f_f32: 1.1,
        f_i8: i8::MIN,
        f_i16: i16::MAX,
        f_i32: -1,
        f_i64: i64::MIN,
        f_isize: 7,
        f_u8: u8::MAX,
        f_u16: 2,
        f_u32: u32::MAX,
        f_u64: i64::MAX as u64,
        f_usize: 3,
        f_bool: true,
        f_string: "a \"quoted\" string".to_owned(),
        f_str: "back\\slash",
        f_cow: Cow::Borrowed("cow"),
        f_box: "box".into(),
        f_arc: "arc".into(),
        f_rc: "rc".into(),
        o_f64: Some(2.5),
        o_i64: None,
        o_u64: Some(9),
        o_bool: Some(false),
        o_string: None,
        o_str: Some("line\nfeed"),
        at: EpochTime::seconds(1),
    };
    let text = encode(&point, Precision::Seconds);
    assert_eq!(
        text,
        "every_field_type f_arc=\"arc\",f_bool=true,f_box=\"box\",f_cow=\"cow\",f_f32=1.1,\
         f_f64=-0.0,f_i16=32767i,f_i32=-1i,f_i64=-9223372036854775808i,f_i8=-128i,f_isize=7i,\
         f_rc=\"rc\",f_str=\"back\\\\slash\",f_string=\"a \\\"quoted\\\" string\",f_u16=2i,\
         f_u32=4294967295i,f_u64=9223372036854775807i,f_u8=255i,f_usize=3i,o_bool=false,\
         o_f64=2.5,o_str=\"line\nfeed\",o_u64=9i 1\n"
    );
    let parsed = lp::parse_line(text.trim_end_matches('\n').as_bytes()).unwrap();
    assert_eq!(parsed.fields["f_f64"], ParsedValue::Float(-0.0));
    assert_eq!(parsed.fields["f_i64"], ParsedValue::Integer(i64::MIN));
    assert_eq!(
        parsed.fields["f_str"],
        ParsedValue::String("back\\slash".to_owned())
    );
    assert_eq!(
        parsed.fields["o_str"],
        ParsedValue::String("line\nfeed".to_owned())
    );
    assert!(!parsed.fields.contains_key("o_i64") && !parsed.fields.contains_key("o_string"));
}

#[test]
fn u64_above_i64_max_is_a_typed_error_naming_the_field() {
    #[derive(Measurement)]
    struct Counter {
        total: u64,
    }
    let err = line_protocol::to_line(&Counter { total: u64::MAX }, Precision::Seconds).unwrap_err();
    assert_eq!(err.kind(), EncodeErrorKind::IntegerOutOfRange);
    assert_eq!(err.key(), Some("total"));
    assert_eq!(err.measurement(), Some("counter"));
    assert_eq!(err.value(), Some("18446744073709551615"));
}

/// A user type as a tag.
#[derive(Clone, Copy)]
enum Room {
    Kitchen,
    Attic,
}

impl inflow::TagValue for Room {
    fn write_tag(&self, tag: line_protocol::TagSlot<'_, '_>) -> Result<(), EncodeError> {
        tag.str(match self {
            Room::Kitchen => "kitchen",
            Room::Attic => "attic",
        })
    }
}

#[derive(Measurement)]
#[inflow(measurement = "tags")]
struct EveryTagType<'a> {
    #[inflow(tag)]
    t_string: String,
    #[inflow(tag)]
    t_str: &'a str,
    #[inflow(tag)]
    t_cow: Cow<'a, str>,
    #[inflow(tag)]
    t_box: Box<str>,
    #[inflow(tag)]
    t_arc: Arc<str>,
    #[inflow(tag)]
    t_rc: Rc<str>,
    #[inflow(tag)]
    t_option: Option<String>,
    #[inflow(tag)]
    t_room: Room,
    #[inflow(tag)]
    t_option_room: Option<Room>,
    value: i32,
    #[inflow(timestamp)]
    at: EpochTime,
}

#[test]
fn every_tag_type_and_absent_or_empty_tags_are_left_out() {
    let mut point = EveryTagType {
        t_string: "a b".to_owned(),
        t_str: "c,d",
        t_cow: Cow::Owned("e=f".to_owned()),
        t_box: "g\"h".into(),
        t_arc: "i\\j".into(),
        t_rc: "€".into(),
        t_option: Some("some".to_owned()),
        t_room: Room::Kitchen,
        t_option_room: Some(Room::Attic),
        value: 1,
        at: EpochTime::nanos(5),
    };
    assert_eq!(
        encode(&point, Precision::Nanoseconds),
        "tags,t_arc=i\\j,t_box=g\"h,t_cow=e\\=f,t_option=some,t_option_room=attic,t_rc=€,\
         t_room=kitchen,t_str=c\\,d,t_string=a\\ b value=1i 5\n"
    );
    point.t_option = None;
    point.t_option_room = None;
    point.t_string = String::new();
    point.t_str = "";
    assert_eq!(
        encode(&point, Precision::Nanoseconds),
        "tags,t_arc=i\\j,t_box=g\"h,t_cow=e\\=f,t_rc=€,t_room=kitchen value=1i 5\n"
    );
}

#[test]
fn timestamps_of_every_supported_type() {
    #[derive(Measurement)]
    struct Utc1 {
        v: i64,
        #[inflow(timestamp)]
        t: DateTime<Utc>,
    }
    #[derive(Measurement)]
    struct Offset {
        v: i64,
        #[inflow(timestamp)]
        t: DateTime<FixedOffset>,
    }
    #[derive(Measurement)]
    struct System {
        v: i64,
        #[inflow(timestamp)]
        t: SystemTime,
    }
    #[derive(Measurement)]
    struct Maybe {
        v: i64,
        #[inflow(timestamp)]
        t: Option<DateTime<Utc>>,
    }
    let instant = Utc.timestamp_opt(-1, 250_000_000).unwrap(); // 1969-12-31T23:59:59.25Z
    let offset = instant.with_timezone(&FixedOffset::west_opt(3600 * 5).unwrap());
    let system = UNIX_EPOCH - Duration::from_millis(750);
    assert_eq!(
        encode(&Utc1 { v: 1, t: instant }, Precision::Milliseconds),
        "utc1 v=1i -750\n"
    );
    assert_eq!(
        encode(&Offset { v: 1, t: offset }, Precision::Milliseconds),
        "offset v=1i -750\n"
    );
    assert_eq!(
        encode(&System { v: 1, t: system }, Precision::Milliseconds),
        "system v=1i -750\n"
    );
    assert_eq!(
        encode(&Utc1 { v: 1, t: instant }, Precision::Seconds),
        "utc1 v=1i -1\n"
    );
    assert_eq!(
        encode(
            &Maybe {
                v: 1,
                t: Some(instant)
            },
            Precision::Seconds
        ),
        "maybe v=1i -1\n"
    );

    // No timestamp: stamped with the time it is encoded, at the encoder's precision.
    let mut encoder = Encoder::new(Precision::Seconds);
    encoder
        .encode_with_default_time(&Maybe { v: 1, t: None }, &EpochTime::seconds(99))
        .unwrap();
    assert_eq!(encoder.as_bytes(), b"maybe v=1i 99\n");
}

/// An `EpochTime` in the encoder's own precision is written without a detour through ns; it
/// must take exactly the range, and the errors, of the same instant given in ns.
#[test]
fn an_epoch_time_in_the_encoders_precision_has_the_range_of_any_other_time() {
    struct Nanos(i128);
    impl inflow::Timestamp for Nanos {
        fn unix_nanos(&self) -> Option<i128> {
            Some(self.0)
        }
    }
    #[derive(Measurement)]
    struct Fast {
        v: i64,
        #[inflow(timestamp)]
        t: EpochTime,
    }
    #[derive(Measurement)]
    struct Slow {
        v: i64,
        #[inflow(timestamp)]
        t: Nanos,
    }
    let min = i128::from(line_protocol::MIN_TIMESTAMP_NANOS);
    let max = i128::from(line_protocol::MAX_TIMESTAMP_NANOS);
    for precision in Precision::ALL {
        let per_unit = i128::from(precision.nanos_per_unit());
        let (first, last) = (-((-min).div_euclid(per_unit)), max.div_euclid(per_unit));
        for (units, storable) in [
            (first - 1, false),
            (first, true),
            (0, true),
            (last, true),
            (last + 1, false),
        ] {
            let fast = Fast {
                v: 1,
                t: EpochTime::new(i64::try_from(units).unwrap(), precision),
            };
            let slow = Slow {
                v: 1,
                t: Nanos(units * per_unit),
            };
            let (fast, slow) = (
                line_protocol::to_line(&fast, precision),
                line_protocol::to_line(&slow, precision),
            );
            match (fast, slow) {
                (Ok(fast), Ok(slow)) => {
                    assert!(storable, "{precision:?} {units}: {fast}");
                    assert_eq!(fast, format!("fast v=1i {units}\n"));
                    assert_eq!(slow, format!("slow v=1i {units}\n"));
                }
                (Err(fast), Err(slow)) => {
                    assert!(!storable, "{precision:?} {units}: {fast}");
                    assert_eq!(fast.kind(), EncodeErrorKind::TimestampOutOfRange);
                    assert_eq!(
                        fast.to_string().replace("\"fast\"", "\"slow\""),
                        slow.to_string()
                    );
                }
                (fast, slow) => panic!("{precision:?} {units}: {fast:?} but {slow:?}"),
            }
        }
    }
}

#[test]
fn points_without_a_timestamp_field_are_stamped_now() {
    #[derive(Measurement)]
    struct Untimed {
        v: i64,
    }
    assert!(!Untimed::SCHEMA.unwrap().has_timestamp());
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let text = encode(&Untimed { v: 1 }, Precision::Seconds);
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let stamped: u64 = text.trim_end()["untimed v=1i ".len()..].parse().unwrap();
    assert!((before..=after).contains(&stamped));
}

#[derive(Measurement)]
#[inflow(measurement = "generic")]
struct Generic<'a, T, G: Clone = String>
where
    T: Copy,
{
    #[inflow(tag)]
    location: &'a str,
    #[inflow(tag)]
    kind: G,
    value: T,
    other: Option<T>,
    #[inflow(skip)]
    _note: std::marker::PhantomData<&'a ()>,
}

#[test]
fn generic_structs_with_lifetimes_and_bounds() {
    let point = Generic::<f64> {
        location: "here",
        kind: "k".to_owned(),
        value: 1.5,
        other: None,
        _note: std::marker::PhantomData,
    };
    let text = encode(&point, Precision::Seconds);
    assert!(
        text.starts_with("generic,kind=k,location=here value=1.5 "),
        "{text}"
    );
    let point = Generic::<u8, &str> {
        location: "here",
        kind: "k",
        value: 3,
        other: Some(4),
        _note: std::marker::PhantomData,
    };
    let text = encode(&point, Precision::Seconds);
    assert!(
        text.starts_with("generic,kind=k,location=here other=4i,value=3i "),
        "{text}"
    );
}

#[test]
fn the_schema_names_each_rust_field_and_the_type_it_is_written_as() {
    use inflow::{FieldType, FieldValue, Schema, Value, line_protocol::FieldSlot};

    /// A user's type that says what it writes, and one that does not.
    struct Celsius(f64);
    impl FieldValue for Celsius {
        const TYPE: Option<FieldType> = Some(FieldType::Float);
        fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
            field.float(self.0)
        }
    }
    struct Either(Value);
    impl FieldValue for Either {
        fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
            self.0.write_field(field)
        }
    }
    #[derive(Measurement)]
    struct Typed<'a> {
        #[inflow(tag, rename = "where")]
        r#loc: &'a str,
        #[inflow(tag)]
        floor: Option<u8>,
        #[inflow(rename = "count")]
        hits: i64,
        r#ratio: Option<f32>,
        unsigned: u64,
        on: bool,
        text: Cow<'a, str>,
        temperature: Celsius,
        either: Either,
        dynamic: Value,
        #[inflow(timestamp)]
        at: EpochTime,
    }
    let fields = |schema: Schema| {
        schema
            .fields()
            .iter()
            .map(|f| (f.key(), f.rust_field(), f.rust_type(), f.field_type()))
            .collect::<Vec<_>>()
    };
    let schema = Typed::SCHEMA.unwrap();
    assert_eq!(schema.rust_type(), "Typed");
    assert_eq!(
        schema
            .tags()
            .iter()
            .map(|t| (t.key(), t.rust_field()))
            .collect::<Vec<_>>(),
        [("floor", "floor"), ("where", "loc")]
    );
    assert_eq!(schema.tag_keys(), ["floor", "where"]);
    let (float, integer) = (Some(FieldType::Float), Some(FieldType::Integer));
    assert_eq!(
        fields(schema),
        [
            ("count", "hits", "i64", integer),
            ("dynamic", "dynamic", "Value", None),
            ("either", "either", "Either", None),
            ("on", "on", "bool", Some(FieldType::Boolean)),
            ("ratio", "ratio", "Option<f32>", float),
            ("temperature", "temperature", "Celsius", float),
            ("text", "text", "Cow<'a, str>", Some(FieldType::String)),
            ("unsigned", "unsigned", "u64", integer),
        ]
    );
    assert_eq!(
        schema.field_keys(),
        fields(schema).iter().map(|f| f.0).collect::<Vec<_>>()
    );
    assert_eq!(schema.field("count").unwrap().rust_field(), "hits");
    assert_eq!(schema.tag("where").unwrap().rust_field(), "loc");
    assert_eq!((schema.field("hits"), schema.tag("loc")), (None, None));

    // A generic field's type is its parameter's, per instantiation.
    assert_eq!(
        fields(Generic::<f64>::SCHEMA.unwrap()),
        [
            ("other", "other", "Option<T>", float),
            ("value", "value", "T", float)
        ]
    );
    assert_eq!(
        fields(Generic::<u8>::SCHEMA.unwrap())[1],
        ("value", "value", "T", integer)
    );
}

#[test]
fn default_measurement_name_is_snake_case_and_raw_identifiers_lose_r_hash() {
    #[derive(Measurement)]
    struct HTTPRequestLatency {
        #[inflow(tag)]
        r#type: &'static str,
        r#match: bool,
    }
    let point = HTTPRequestLatency {
        r#type: "get",
        r#match: true,
    };
    let text = encode(&point, Precision::Seconds);
    assert!(
        text.starts_with("http_request_latency,type=get match=true "),
        "{text}"
    );
}

#[test]
fn skipped_fields_are_never_written_and_need_no_trait() {
    struct NotAValue;
    #[derive(Measurement)]
    struct WithSkip {
        v: i64,
        #[inflow(skip)]
        _cache: NotAValue,
    }
    let text = encode(
        &WithSkip {
            v: 1,
            _cache: NotAValue,
        },
        Precision::Seconds,
    );
    assert!(text.starts_with("with_skip v=1i "));
    assert_eq!(WithSkip::SCHEMA.unwrap().field_keys(), ["v"]);
}

#[test]
fn static_names_are_escaped_at_compile_time_as_the_server_reads_them() {
    #[derive(Measurement)]
    #[inflow(measurement = "my measurement,x=\"y\"")]
    struct Odd {
        #[inflow(tag, rename = "tag key,=\"")]
        tag: &'static str,
        #[inflow(rename = "field key,=\"\\k")]
        value: f64,
        #[inflow(rename = "€😀")]
        emoji: bool,
        #[inflow(timestamp)]
        at: EpochTime,
    }
    let text = encode(
        &Odd {
            tag: "v",
            value: 1.0,
            emoji: true,
            at: EpochTime::nanos(1),
        },
        Precision::Nanoseconds,
    );
    assert_eq!(
        text,
        "my\\ measurement\\,x=\"y\",tag\\ key\\,\\=\"=v field\\ key\\,\\=\\\"\\k=1.0,€😀=true 1\n"
    );
    let parsed = lp::parse_line(text.trim_end().as_bytes()).unwrap();
    assert_eq!(parsed.measurement, "my measurement,x=\"y\"");
    assert_eq!(
        parsed.tags,
        BTreeMap::from([("tag key,=\"".to_owned(), "v".to_owned())])
    );
    assert_eq!(parsed.fields["field key,=\"\\k"], ParsedValue::Float(1.0));
    assert_eq!(parsed.fields["€😀"], ParsedValue::Boolean(true));
}

#[test]
fn a_static_key_with_backslash_space_still_guards_the_batch() {
    #[derive(Measurement)]
    struct Hazard {
        #[inflow(tag, rename = "k\\ x")]
        k: &'static str,
        v: i64,
        #[inflow(timestamp)]
        at: EpochTime,
    }
    let at = EpochTime::nanos(1);
    assert_eq!(
        encode(&Hazard { k: "ab", v: 1, at }, Precision::Nanoseconds),
        "hazard,k\\\\ x=ab v=1i 1\n"
    );
    let err = line_protocol::to_line(
        &Hazard {
            k: "a\"b",
            v: 1,
            at,
        },
        Precision::Nanoseconds,
    )
    .unwrap_err();
    assert_eq!(err.kind(), EncodeErrorKind::BatchHazard);
    assert_eq!(err.measurement(), Some("hazard"));
}

#[test]
fn runtime_rejections_of_derived_points_name_what_is_wrong() {
    #[derive(Measurement)]
    #[inflow(measurement = "temperature")]
    struct Simple {
        #[inflow(tag)]
        location: String,
        value: f64,
        #[inflow(timestamp)]
        at: Option<EpochTime>,
    }
    let ok = |location: &str, value: f64| Simple {
        location: location.to_owned(),
        value,
        at: Some(EpochTime::seconds(1)),
    };
    let mut encoder = Encoder::new(Precision::Seconds);
    encoder.encode(&ok("a", 1.0)).unwrap();
    let cases = [
        (
            ok("a\\", 1.0),
            EncodeErrorKind::TrailingBackslash,
            Element::TagValue,
        ),
        (
            ok("a\nb", 1.0),
            EncodeErrorKind::LineFeed,
            Element::TagValue,
        ),
        (
            ok("a", f64::NAN),
            EncodeErrorKind::NotFinite,
            Element::FieldValue,
        ),
        (
            ok("a", f64::NEG_INFINITY),
            EncodeErrorKind::NotFinite,
            Element::FieldValue,
        ),
        (
            Simple {
                at: Some(EpochTime::seconds(i64::MAX)),
                ..ok("a", 1.0)
            },
            EncodeErrorKind::TimestampOutOfRange,
            Element::Timestamp,
        ),
    ];
    for (point, kind, element) in cases {
        let err = encoder.encode(&point).unwrap_err();
        assert_eq!((err.kind(), err.element()), (kind, element), "{err}");
        assert_eq!(err.measurement(), Some("temperature"));
        assert_eq!(
            encoder.as_bytes(),
            b"temperature,location=a value=1.0 1\n",
            "buffer untouched"
        );
    }
    let err = encoder.encode(&ok("kitchen\\", 1.0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot encode a point of measurement \"temperature\": the tag value of \"location\" ends \
         with a backslash, which line protocol cannot represent (value: \"kitchen\\\\\")"
    );
}

#[test]
fn a_point_whose_fields_are_all_none_is_refused() {
    #[derive(Measurement)]
    struct Sparse {
        a: Option<f64>,
        b: Option<i64>,
    }
    let err = line_protocol::to_line(&Sparse { a: None, b: None }, Precision::Seconds).unwrap_err();
    assert_eq!(err.kind(), EncodeErrorKind::NoFields);
    assert_eq!(err.measurement(), Some("sparse"));
    let text = encode(
        &Sparse {
            a: None,
            b: Some(1),
        },
        Precision::Seconds,
    );
    assert!(text.starts_with("sparse b=1i "));
}

#[test]
fn references_and_boxes_of_measurements_encode_the_same() {
    let point = reading(Some(1.0));
    let boxed: Box<Reading> = Box::new(reading(Some(1.0)));
    let expected = encode(&point, Precision::Seconds);
    assert_eq!(encode(&&point, Precision::Seconds), expected);
    assert_eq!(encode(&boxed, Precision::Seconds), expected);
}
