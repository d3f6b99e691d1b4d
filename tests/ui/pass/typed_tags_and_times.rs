// Typed tags (integers, bool, char, a derived TagValue enum, and Option of each) and the
// `time` and `jiff` timestamps, in one derived measurement and read back by `FromRow`.
use inflow::query::FromRow;
use inflow::{Measurement, TagValue};

#[derive(Debug, PartialEq, TagValue)]
#[inflow(rename_all = "kebab-case")]
enum Site {
    NorthWing,
    SouthWing,
}

#[derive(Measurement)]
struct Sample {
    #[inflow(tag)]
    rack: u8,
    #[inflow(tag)]
    slot: i64,
    #[inflow(tag)]
    spare: Option<usize>,
    #[inflow(tag)]
    online: bool,
    #[inflow(tag)]
    grade: char,
    #[inflow(tag)]
    site: Site,
    #[inflow(tag)]
    previous_site: Option<Site>,
    watts: f64,
    #[inflow(timestamp)]
    at: time::OffsetDateTime,
}

#[derive(Measurement)]
struct Tick {
    #[inflow(tag)]
    lane: u16,
    count: i64,
    #[inflow(timestamp)]
    at: jiff::Timestamp,
}

fn readable<T: FromRow>() {}

fn main() {
    readable::<Sample>();
    readable::<Tick>();
    let _ = (Sample::SCHEMA, Tick::SCHEMAS);
}
