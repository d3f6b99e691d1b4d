//! Integer, `bool` and `char` tags against a real InfluxDB 1.6: written through a session as
//! their text, read back identical by `query_as` and `query_stream`, async and blocking; a tag
//! text that is not the type's is a decode error naming the column, the row and the type.

use chrono::{DateTime, TimeZone, Utc};
use inflow::{Client, ErrorKind, Measurement, Query};
use inflow_tests::roundtrip::write_and_read_back;
use inflow_tests::server;

/// Every typed tag type, with `Option` ones that are sometimes absent.
#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "typed")]
struct Typed {
    #[inflow(tag)]
    t_u8: u8,
    #[inflow(tag)]
    t_u16: u16,
    #[inflow(tag)]
    t_u32: u32,
    #[inflow(tag)]
    t_u64: u64,
    #[inflow(tag)]
    t_usize: usize,
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
    maybe_i64: Option<i64>,
    #[inflow(tag)]
    maybe_bool: Option<bool>,
    #[inflow(tag, rename = "maybe char")]
    maybe_char: Option<char>,
    n: i64,
    #[inflow(timestamp)]
    time: DateTime<Utc>,
}

/// Edges of every type: zero, minimum, maximum, both booleans, ASCII, non-ASCII and escaped
/// characters.
fn typed() -> Vec<Typed> {
    let chars = ['a', 'é', '🦀', ' ', ',', '=', '"', '温', '\''];
    let maybe_chars = [None, Some(' '), Some(','), Some('='), Some('€')];
    (0..chars.len())
        .map(|i| {
            let n = i64::try_from(i).unwrap();
            let (zero, min) = (i % 3 == 0, i % 3 == 1);
            macro_rules! edge {
                ($ty:ty) => {
                    if zero {
                        0
                    } else if min {
                        <$ty>::MIN
                    } else {
                        <$ty>::MAX
                    }
                };
            }
            Typed {
                t_u8: edge!(u8),
                t_u16: edge!(u16),
                t_u32: edge!(u32),
                t_u64: edge!(u64),
                t_usize: edge!(usize),
                t_i8: edge!(i8),
                t_i16: edge!(i16),
                t_i32: edge!(i32),
                t_i64: edge!(i64),
                t_isize: edge!(isize),
                t_bool: i % 2 == 0,
                t_char: chars[i],
                maybe_i64: [None, Some(i64::MIN), Some(0), Some(-1)][i % 4],
                maybe_bool: [None, Some(true), Some(false)][i % 3],
                maybe_char: maybe_chars[i % maybe_chars.len()],
                n,
                time: Utc.timestamp_nanos(1_000 + n),
            }
        })
        .collect()
}

const ALL: &str = "SELECT * FROM typed";
/// Tags in the series' tags rather than in columns; absent tags read back as `""`.
const GROUPED: &str = "SELECT * FROM typed GROUP BY *";

fn by_n(mut rows: Vec<Typed>) -> Vec<Typed> {
    rows.sort_by_key(|row| row.n);
    rows
}

/// A tag with one type, to write text into that is not of that type.
#[derive(Debug, Measurement)]
#[inflow(measurement = "small")]
struct Small {
    #[inflow(tag)]
    level: u8,
    value: f64,
}

#[derive(Debug, Measurement)]
#[inflow(measurement = "flagged")]
struct Flagged {
    #[inflow(tag)]
    on: bool,
    value: f64,
}

const NOT_TYPED: &str = "small,level=1 value=1 1\nsmall,level=256 value=2 2\n\
                         flagged,on=yes value=1 1\nflagged,on=true value=2 2\n";
const LEVEL_ERROR: &str = "cannot decode row 1 of series \"small\": column \"level\" holds the tag text \"256\", expected u8";
const FLAG_ERROR: &str = "cannot decode row 0 of series \"flagged\": column \"on\" holds the tag text \"yes\", expected bool (`true` or `false`)";

#[tokio::test]
async fn typed_tags_round_trip_through_a_session_query_as_and_query_stream() {
    let db = server::server().database("typed_tags");
    let client = Client::new(&db.url()).unwrap();
    let written = typed();
    for (read, rows) in write_and_read_back(&client, &written, &[ALL, GROUPED], 2).await {
        assert_eq!(by_n(rows), written, "{read}");
    }
    // The server holds the canonical texts.
    let raw = client
        .query("SELECT n, t_i64, t_bool, t_char FROM typed WHERE n = 1")
        .await
        .unwrap();
    let series = &raw[0].series()[0];
    assert_eq!(
        series.rows()[0][2..],
        [
            Some(inflow::Value::String("-9223372036854775808".to_owned())),
            Some(inflow::Value::String("false".to_owned())),
            Some(inflow::Value::String("é".to_owned())),
        ]
    );
}

#[tokio::test]
async fn a_tag_text_that_is_not_the_type_is_a_decode_error() {
    let db = server::server().database("typed_tags_bad");
    let client = Client::new(&db.url()).unwrap();
    client.write_line_protocol(NOT_TYPED).await.unwrap();

    let err = client
        .query_as::<Small>("SELECT * FROM small")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.message(), LEVEL_ERROR);
    let mut stream = client
        .query_stream::<Small>("SELECT * FROM small")
        .await
        .unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().level, 1);
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Decode, LEVEL_ERROR)
    );

    let err = client
        .query_as::<Flagged>("SELECT * FROM flagged")
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.message()), (ErrorKind::Decode, FLAG_ERROR));
}

#[test]
fn blocking_typed_tags_round_trip_and_refuse_other_text() {
    let db = server::server().database("typed_tags_blocking");
    let client = inflow::blocking::Client::new(&db.url()).unwrap();
    let written = typed();
    client
        .session::<Typed>()
        .scope(|session| session.write_all(&written))
        .unwrap();
    for query in [ALL, GROUPED] {
        let read: Vec<Typed> = client.query_as(query).unwrap();
        assert_eq!(by_n(read), written, "{query}");
        let streamed: Vec<Typed> = client
            .query_stream(Query::new(query).chunk_size(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(by_n(streamed), written, "{query}");
    }

    client.write_line_protocol(NOT_TYPED).unwrap();
    let err = client.query_as::<Small>("SELECT * FROM small").unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Decode, LEVEL_ERROR)
    );
    let results: Vec<_> = client
        .query_stream::<Flagged>("SELECT * FROM flagged")
        .unwrap()
        .collect();
    // The error ends the stream.
    assert_eq!(results.len(), 1);
    let err = results[0].as_ref().unwrap_err();
    assert_eq!((err.kind(), err.message()), (ErrorKind::Decode, FLAG_ERROR));
}
