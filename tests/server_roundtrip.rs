//! Round trips through the real server: random points with adversarial names, keys and
//! values are written through sessions and read back identical; whatever cannot be stored is
//! refused before sending, with the session's buffer intact. Typed values at every edge (whole
//! floats of every magnitude, empty tags) are read back identical through `query_as` and
//! `query_stream`, and so are typed tags (any integer, `bool` and `char`, any variant of a
//! `#[derive(TagValue)]` enum) with `time` and `jiff` timestamps anywhere in the server's range,
//! at any precision.

use std::collections::BTreeMap;

use futures_util::StreamExt as _;
use inflow::line_protocol::{MAX_TIMESTAMP_NANOS, MIN_TIMESTAMP_NANOS};
use inflow::query::FromTimestamp;
use inflow::query::{Query, quote_identifier};
use inflow::{Client, EpochTime, Measurement, Point, Precision, TagValue, Timestamp, Value};
use inflow_tests::server;
use proptest::prelude::*;

/// Text from the bytes line protocol treats specially, wide characters and plain letters.
fn text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(vec![
            ",", "=", " ", "\"", "'", "\\", "\t", "\r", "#", "$", ";", "--", "€", "😀", "温", "é", "a", "Z", "0", "_",
        ])
        .prop_map(str::to_owned),
        2 => "[a-z]{1,6}",
        1 => Just("\n".to_owned()),
    ];
    prop::collection::vec(piece, 1..max).prop_map(|pieces| pieces.concat())
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<f64>().prop_filter("finite", |f| f.is_finite()),
        1 => prop::sample::select(vec![-0.0, 0.0, 5e-324, -5e-324, 2.2250738585072014e-308, f64::MAX, f64::MIN, 1e20, 1e-7, 0.1]),
    ]
}

fn field_value() -> impl Strategy<Value = (char, Value)> {
    prop_oneof![
        float().prop_map(|f| ('f', Value::Float(f))),
        prop_oneof![
            any::<i64>(),
            prop::sample::select(vec![i64::MIN, i64::MAX, 0, -1])
        ]
        .prop_map(|i| ('i', Value::Integer(i))),
        any::<bool>().prop_map(|b| ('b', Value::Boolean(b))),
        prop_oneof![3 => text(12), 1 => "[a-z]{500,2000}"].prop_map(|s| ('s', Value::String(s))),
    ]
}

#[derive(Debug, Clone)]
struct Generated {
    measurement: usize,
    tags: Vec<(String, String)>,
    fields: Vec<(String, char, Value)>,
    timestamp: i64,
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        0..4_usize,
        prop::collection::vec(
            (text(6), prop_oneof![3 => text(8), 1 => Just(String::new())]),
            0..3,
        ),
        prop::collection::vec((text(6), field_value()), 1..4),
        prop_oneof![
            any::<i64>(),
            prop::sample::select(vec![i64::MIN + 2, i64::MAX - 1, 0, -1]),
        ],
    )
        .prop_map(|(measurement, tags, fields, timestamp)| Generated {
            measurement,
            tags: tags
                .into_iter()
                .map(|(key, value)| (format!("{key}_t"), value))
                .collect(),
            // The key says the type, so that no two points disagree on a field's type.
            fields: fields
                .into_iter()
                .map(|(key, (kind, value))| (format!("{key}_{kind}"), kind, value))
                .collect(),
            timestamp,
        })
}

/// A point as the server gives it back: measurement, tags, fields by key, time in ns.
type Stored = (
    String,
    BTreeMap<String, String>,
    BTreeMap<String, Value>,
    i64,
);

fn normalised(kind: char, value: &Value) -> Value {
    match (kind, value) {
        // JSON prints integral floats as integers; they came from an f64, so they convert back exactly.
        ('f', Value::Integer(i)) => Value::Float(*i as f64),
        ('f', Value::Unsigned(u)) => Value::Float(*u as f64),
        _ => value.clone(),
    }
}

fn key(stored: &Stored) -> String {
    format!("{:?}", (&stored.0, &stored.1, stored.3))
}

fn bits(value: &Value) -> String {
    match value {
        Value::Float(f) => format!("f{:x}", f.to_bits()),
        other => format!("{other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20, max_shrink_iters: 50, ..ProptestConfig::default() })]

    #[test]
    fn random_points_read_back_identical(
        // No CR in names: InfluxQL reads a CR as a line feed even inside quotes, so a name with
        // one can be written but not named in a query (checked on the server; see quote_identifier).
        names in prop::collection::vec(text(8).prop_map(|name| name.replace('\r', "^")), 4),
        points in prop::collection::vec(generated(), 100),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let db = server::server().database("server_roundtrip");
        let client = Client::new(&db.url()).unwrap();
        let mut expected: BTreeMap<String, Stored> = BTreeMap::new();
        let mut kinds: BTreeMap<String, char> = BTreeMap::new();
        let mut refused = 0;
        runtime.block_on(async {
            let mut session = client.session::<Point>();
            for (i, generated) in points.iter().enumerate() {
                // Distinct times, so that no two points are merged by the server (same series
                // and time: it keeps one point with the fields of both). At the ends of the range
                // they count inwards from the edge itself, which clamping would collapse.
                let nth = i64::try_from(i).unwrap();
                let timestamp = match generated.timestamp & !0xfff {
                    block if block == i64::MIN & !0xfff => i64::MIN + 2 + nth,
                    block if block == i64::MAX & !0xfff => i64::MAX - 1 - nth,
                    block => block | nth,
                };
                let mut point = Point::new(names[generated.measurement].clone()).timestamp_nanos(timestamp);
                for (key, value) in &generated.tags {
                    point.set_tag(key.clone(), value.clone());
                }
                for (key, _, value) in &generated.fields {
                    point.set_field(key.clone(), value.clone());
                }
                let (len, bytes) = (session.len(), session.buffered_bytes());
                match session.write(&point).await {
                    Ok(()) => {
                        let tags: BTreeMap<String, String> = point.tags().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                        let fields: BTreeMap<String, Value> = point.fields().map(|(k, v)| (k.to_owned(), v.clone())).collect();
                        for (key, kind, _) in &generated.fields {
                            kinds.insert(key.clone(), *kind);
                        }
                        let stored = (point.measurement_name().to_owned(), tags, fields, timestamp);
                        expected.insert(key(&stored), stored);
                    }
                    Err(err) => {
                        prop_assert!(err.is_invalid_point(), "{err}");
                        prop_assert_eq!((session.len(), session.buffered_bytes()), (len, bytes), "the buffer is intact");
                        refused += 1;
                    }
                }
                if session.len() >= 25 {
                    session.commit().await.unwrap();
                }
            }
            session.commit().await.unwrap();

            let mut read: BTreeMap<String, Stored> = BTreeMap::new();
            for name in &names {
                let query = Query::new(format!("SELECT * FROM {} GROUP BY *", quote_identifier(name))).epoch(Precision::Nanoseconds);
                for result in client.query(query).await.unwrap() {
                    for series in result.series() {
                        let tags: BTreeMap<String, String> = series.tags().iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect();
                        for row in series.rows() {
                            let mut fields = BTreeMap::new();
                            let mut time = 0;
                            for (column, value) in series.columns().iter().zip(row) {
                                match (column.as_str(), value) {
                                    ("time", Some(Value::Integer(t))) => time = *t,
                                    (_, None) => {}
                                    (key, Some(value)) => {
                                        let kind = kinds.get(key).copied().unwrap_or('?');
                                        fields.insert(key.to_owned(), normalised(kind, value));
                                    }
                                }
                            }
                            let stored = (series.name().to_owned(), tags.clone(), fields, time);
                            read.insert(key(&stored), stored);
                        }
                    }
                }
            }
            prop_assert_eq!(read.len(), expected.len(), "refused {}", refused);
            for (key, want) in &expected {
                let got = read.get(key);
                prop_assert!(got.is_some(), "missing {:?}", want);
                let got = got.unwrap();
                let want_fields: BTreeMap<&String, String> = want.2.iter().map(|(k, v)| (k, bits(v))).collect();
                let got_fields: BTreeMap<&String, String> = got.2.iter().map(|(k, v)| (k, bits(v))).collect();
                prop_assert_eq!(got_fields, want_fields, "{:?}", want);
            }
            Ok(())
        })?;
    }
}

/// Every kind of typed value, each at its edges.
#[derive(Debug, Clone, Measurement)]
#[inflow(measurement = "edges")]
struct Edges {
    #[inflow(tag)]
    tag: String,
    #[inflow(tag)]
    maybe: Option<String>,
    wide: f64,
    narrow: f32,
    integer: i64,
    flag: bool,
    text: String,
    #[inflow(timestamp)]
    time: EpochTime,
}

impl Edges {
    /// What the server gives back: a tag written empty is left out, and reads back as `""`
    /// into a `String` and `None` into an `Option`. Floats by their bits, so that -0.0 and
    /// 0.0 differ.
    fn expected_back(&self) -> String {
        format!(
            "{:?}",
            (
                &self.tag,
                self.maybe.as_ref().filter(|maybe| !maybe.is_empty()),
                self.wide.to_bits(),
                self.narrow.to_bits(),
                self.integer,
                self.flag,
                &self.text,
                self.time.value(),
            )
        )
    }

    fn read_back(&self) -> String {
        format!(
            "{:?}",
            (
                &self.tag,
                self.maybe.as_ref(),
                self.wide.to_bits(),
                self.narrow.to_bits(),
                self.integer,
                self.flag,
                &self.text,
                self.time.value(),
            )
        )
    }
}

/// Whole floats of every magnitude (the server prints those below 1e21 as integers), around
/// 2^53, 2^63 and 2^64, short decimal forms, and any finite float.
fn edge_f64() -> impl Strategy<Value = f64> {
    let sign = |negative: bool, value: f64| if negative { -value } else { value };
    prop_oneof![
        // A whole float at or above 2^52, any mantissa: exponents 52 to 1023.
        (any::<u64>(), 52_u64..=1023, any::<bool>()).prop_map(
            move |(mantissa, exponent, negative)| {
                sign(
                    negative,
                    f64::from_bits(((exponent + 1023) << 52) | (mantissa & ((1 << 52) - 1))),
                )
            }
        ),
        any::<i64>().prop_map(|i| i as f64),
        any::<u64>().prop_map(|u| u as f64),
        (1_u32..=9, 0_i32..=308, any::<bool>()).prop_map(move |(digit, exponent, negative)| sign(
            negative,
            format!("{digit}e{exponent}").parse().unwrap()
        )),
        prop::sample::select(vec![
            1e16,
            9.2e18,
            -1e17,
            1e19,
            1e20,
            1e21,
            9.999_999_999_999_999e20,
            9_007_199_254_740_992.0,
            9_007_199_254_740_994.0,
            -9_223_372_036_854_775_808.0,
            9_223_372_036_854_775_808.0,
            18_446_744_073_709_551_616.0,
            f64::MAX,
            f64::MIN,
            -0.0,
            0.0,
            5e-324,
            f64::MIN_POSITIVE,
        ]),
        any::<f64>().prop_filter("finite", |f| f.is_finite()),
    ]
    .prop_filter("finite", |f| f.is_finite())
}

fn edge_f32() -> impl Strategy<Value = f32> {
    let sign = |negative: bool, value: f32| if negative { -value } else { value };
    prop_oneof![
        // A whole float at or above 2^23, any mantissa: exponents 23 to 127.
        (any::<u32>(), 23_u32..=127, any::<bool>()).prop_map(
            move |(mantissa, exponent, negative)| {
                sign(
                    negative,
                    f32::from_bits(((exponent + 127) << 23) | (mantissa & ((1 << 23) - 1))),
                )
            }
        ),
        any::<i32>().prop_map(|i| i as f32),
        (1_u32..=9, 0_i32..=38, any::<bool>()).prop_map(move |(digit, exponent, negative)| sign(
            negative,
            format!("{digit}e{exponent}").parse().unwrap()
        )),
        prop::sample::select(vec![
            1e19_f32,
            1e16,
            -1e17,
            16_777_216.0,
            16_777_218.0,
            f32::MAX,
            f32::MIN,
            -0.0,
            0.0,
            1e-45,
            f32::MIN_POSITIVE,
            0.1,
        ]),
        any::<f32>().prop_filter("finite", |f| f.is_finite()),
    ]
    .prop_filter("finite", |f| f.is_finite())
}

fn edges() -> impl Strategy<Value = Edges> {
    let tag = || prop_oneof![Just(String::new()), "[a-z ,=\"'€😀]{1,8}"];
    (
        tag(),
        prop_oneof![Just(None), tag().prop_map(Some)],
        edge_f64(),
        edge_f32(),
        prop_oneof![
            any::<i64>(),
            prop::sample::select(vec![i64::MIN, i64::MAX, 0, -1, (1 << 53) + 1])
        ],
        any::<bool>(),
        prop_oneof![Just(String::new()), "[ -~€😀]{1,20}"],
    )
        .prop_map(|(tag, maybe, wide, narrow, integer, flag, text)| Edges {
            tag,
            maybe,
            wide,
            narrow,
            integer,
            flag,
            text,
            time: EpochTime::nanos(0),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20, max_shrink_iters: 50, ..ProptestConfig::default() })]

    #[test]
    fn typed_values_at_every_edge_read_back_identical_through_query_as_and_query_stream(
        mut written in prop::collection::vec(edges(), 1..60),
    ) {
        for (i, edges) in written.iter_mut().enumerate() {
            edges.time = EpochTime::nanos(1_475_848_864_000_000_000 + i64::try_from(i).unwrap());
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let db = server::server().database("edges_roundtrip");
        let client = Client::new(&db.url()).unwrap();
        let expected: Vec<String> = written.iter().map(Edges::expected_back).collect();
        runtime.block_on(async {
            client.write_all(&written).await.unwrap();
            // Tags as columns, in one series.
            let query = Query::new("SELECT * FROM edges").epoch(Precision::Nanoseconds);
            let read: Vec<Edges> = client.query_as(query).await.unwrap();
            let read: Vec<String> = read.iter().map(Edges::read_back).collect();
            prop_assert_eq!(&read, &expected);
            // Tags from the series, a series per tag set, in small chunks.
            let query = Query::new("SELECT * FROM edges GROUP BY *").epoch(Precision::Nanoseconds).chunk_size(7);
            let mut streamed: Vec<Edges> = client
                .query_stream(query)
                .await
                .unwrap()
                .map(Result::unwrap)
                .collect()
                .await;
            streamed.sort_by_key(|edges| edges.time.value());
            let streamed: Vec<String> = streamed.iter().map(Edges::read_back).collect();
            prop_assert_eq!(&streamed, &expected);
            Ok(())
        })?;
    }
}

/// A closed set of tag values, one of them a text line protocol must escape.
#[derive(Debug, Clone, Copy, PartialEq, TagValue)]
#[inflow(rename_all = "SCREAMING_SNAKE_CASE")]
enum Phase {
    Idle,
    WarmingUp,
    #[inflow(rename = "x, =\"y\" é")]
    Odd,
}

const PHASES: [Phase; 3] = [Phase::Idle, Phase::WarmingUp, Phase::Odd];

/// Which library's timestamp a row was written with, so that each is read on its own.
#[derive(Debug, Clone, Copy, PartialEq, TagValue)]
#[inflow(rename_all = "lowercase")]
enum Library {
    Time,
    Jiff,
}

/// A timestamp type under test.
trait Clock:
    Timestamp + FromTimestamp + Clone + std::fmt::Debug + PartialEq + Send + Sync + Unpin + 'static
{
    const LIBRARY: Library;

    /// The instant, in a zone `offset_seconds` east of UTC where the type has one.
    fn at(nanos: i128, offset_seconds: i32) -> Self;
}

impl Clock for time::OffsetDateTime {
    const LIBRARY: Library = Library::Time;

    fn at(nanos: i128, offset_seconds: i32) -> Self {
        let offset = time::UtcOffset::from_whole_seconds(offset_seconds).unwrap();
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .unwrap()
            .to_offset(offset)
    }
}

impl Clock for jiff::Timestamp {
    const LIBRARY: Library = Library::Jiff;

    fn at(nanos: i128, _: i32) -> Self {
        jiff::Timestamp::from_nanosecond(nanos).unwrap()
    }
}

/// Every typed tag type; `n` makes each point a series of its own, so that no two points
/// merge, whatever their times.
#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "typed_tags")]
struct TypedTags<T: Clock> {
    #[inflow(tag)]
    library: Library,
    #[inflow(tag)]
    n: usize,
    #[inflow(tag)]
    t_u8: u8,
    #[inflow(tag)]
    t_u16: u16,
    #[inflow(tag)]
    t_u32: u32,
    #[inflow(tag)]
    t_u64: u64,
    #[inflow(tag)]
    t_i8: i8,
    #[inflow(tag)]
    t_i16: i16,
    #[inflow(tag)]
    t_i32: i32,
    #[inflow(tag)]
    t_i64: i64,
    #[inflow(tag)]
    t_isize: isize,
    #[inflow(tag)]
    t_bool: bool,
    #[inflow(tag)]
    t_char: char,
    #[inflow(tag)]
    phase: Phase,
    #[inflow(tag)]
    maybe_phase: Option<Phase>,
    #[inflow(tag)]
    maybe_char: Option<char>,
    #[inflow(tag)]
    maybe_u64: Option<u64>,
    value: i64,
    #[inflow(timestamp)]
    time: T,
}

/// The tags of one point, whatever its timestamp type.
#[derive(Debug, Clone)]
struct Tags {
    unsigned: (u8, u16, u32, u64),
    signed: (i8, i16, i32, i64, isize),
    flag: bool,
    character: char,
    phase: Phase,
    maybe: (Option<Phase>, Option<char>, Option<u64>),
}

fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        // Those line protocol escapes, and those it cannot write (`\` would escape the
        // separator after it; a line feed ends the line).
        1 => prop::sample::select(vec![',', '=', ' ', '"', '\\', '\n', '\r', '\t', '\0']),
    ]
}

fn tags() -> impl Strategy<Value = Tags> {
    let maybe_char = prop_oneof![Just(None), any_char().prop_map(Some)];
    (
        any::<(u8, u16, u32, u64)>(),
        any::<(i8, i16, i32, i64, isize)>(),
        any::<bool>(),
        any_char(),
        prop::sample::select(PHASES.to_vec()),
        (
            prop::option::of(prop::sample::select(PHASES.to_vec())),
            maybe_char,
            prop::option::of(any::<u64>()),
        ),
    )
        .prop_map(|(unsigned, signed, flag, character, phase, maybe)| Tags {
            unsigned,
            signed,
            flag,
            character,
            phase,
            maybe,
        })
}

/// The instants the server stores in `precision`: from the first whole unit at or after its
/// earliest instant to the last nanosecond of the unit that holds its latest (written as that
/// unit).
fn storable_range(precision: Precision) -> (i128, i128) {
    let unit = i128::from(precision.nanos_per_unit());
    let (min, max) = (
        i128::from(MIN_TIMESTAMP_NANOS),
        i128::from(MAX_TIMESTAMP_NANOS),
    );
    let first = -((-min).div_euclid(unit));
    (first * unit, max.div_euclid(unit) * unit + unit - 1)
}

/// Any storable instant in `precision`, its edges more often than chance would pick them.
fn instant(precision: Precision) -> impl Strategy<Value = i128> {
    let (lowest, highest) = storable_range(precision);
    prop_oneof![
        4 => lowest..=highest,
        1 => prop::sample::select(vec![lowest, lowest + 1, -1, 0, highest - 1, highest]),
    ]
}

/// A precision, and points to write at it: their tags, instants and zone offsets (±26 h).
fn typed_points() -> impl Strategy<Value = (Precision, Vec<(Tags, i128, i32)>)> {
    prop::sample::select(Precision::ALL.to_vec()).prop_flat_map(|precision| {
        (
            Just(precision),
            prop::collection::vec((tags(), instant(precision), -93_599..=93_599_i32), 1..25),
        )
    })
}

fn typed_tags<T: Clock>(n: usize, tags: &Tags, nanos: i128, offset_seconds: i32) -> TypedTags<T> {
    let Tags {
        unsigned: (t_u8, t_u16, t_u32, t_u64),
        signed: (t_i8, t_i16, t_i32, t_i64, t_isize),
        flag,
        character,
        phase,
        maybe: (maybe_phase, maybe_char, maybe_u64),
    } = tags.clone();
    TypedTags {
        library: T::LIBRARY,
        n,
        t_u8,
        t_u16,
        t_u32,
        t_u64,
        t_i8,
        t_i16,
        t_i32,
        t_i64,
        t_isize,
        t_bool: flag,
        t_char: character,
        phase,
        maybe_phase,
        maybe_char,
        maybe_u64,
        value: i64::try_from(n).unwrap(),
        time: T::at(nanos, offset_seconds),
    }
}

/// Writes each point with `T`'s timestamps through a session: what the server can store is read
/// back identical (its time floored to the precision) through `query_as` and `query_stream`;
/// what it cannot is refused before sending, the buffer intact.
async fn typed_round_trip<T: Clock>(
    client: &Client,
    precision: Precision,
    points: &[(Tags, i128, i32)],
) -> Result<(), TestCaseError> {
    let unit = i128::from(precision.nanos_per_unit());
    let mut session = client.session::<TypedTags<T>>();
    let mut expected = Vec::new();
    for (n, (tags, nanos, offset)) in points.iter().enumerate() {
        let point = typed_tags::<T>(n, tags, *nanos, *offset);
        let (len, bytes) = (session.len(), session.buffered_bytes());
        match session.write(&point).await {
            Ok(()) => {
                let floored = nanos.div_euclid(unit) * unit;
                expected.push(TypedTags {
                    time: T::at(floored, 0),
                    ..point
                });
            }
            Err(err) => {
                prop_assert!(err.is_invalid_point(), "{err}");
                let unwritable = [Some(tags.character), tags.maybe.1]
                    .iter()
                    .any(|c| matches!(c, Some('\\' | '\n')));
                prop_assert!(unwritable, "{err}: {point:?}");
                prop_assert_eq!((session.len(), session.buffered_bytes()), (len, bytes));
            }
        }
    }
    session.commit().await.unwrap();

    let library = match T::LIBRARY {
        Library::Time => "time",
        Library::Jiff => "jiff",
    };
    let select = format!("SELECT * FROM typed_tags WHERE library = '{library}'");
    let by_n = |mut rows: Vec<TypedTags<T>>| {
        rows.sort_by_key(|row| row.n);
        rows
    };
    let read: Vec<TypedTags<T>> = client.query_as(select.as_str()).await.unwrap();
    prop_assert_eq!(&by_n(read), &expected, "query_as, {:?}", precision);
    let query = Query::new(format!("{select} GROUP BY *")).chunk_size(7);
    let streamed: Vec<TypedTags<T>> = client
        .query_stream(query)
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    prop_assert_eq!(&by_n(streamed), &expected, "query_stream, {:?}", precision);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 50, ..ProptestConfig::default() })]

    #[test]
    fn typed_tags_and_time_types_read_back_identical_at_any_value_and_precision(
        (precision, points) in typed_points(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let db = server::server().database("typed_roundtrip");
        let client = Client::builder(db.url()).precision(precision).build().unwrap();
        runtime.block_on(async {
            typed_round_trip::<time::OffsetDateTime>(&client, precision, &points).await?;
            typed_round_trip::<jiff::Timestamp>(&client, precision, &points).await
        })?;
    }
}
