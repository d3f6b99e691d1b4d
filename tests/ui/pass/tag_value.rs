use inflow::query::FromTagValue;
use inflow::{Measurement, Precision, TagValue, line_protocol};

// A user's own `Result`, `Option`, `String` and `str` change nothing in the generated code.
#[allow(dead_code)]
type Result = ();
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct String;

#[derive(Debug, PartialEq, TagValue)]
#[inflow(rename_all = "SCREAMING_SNAKE_CASE")]
enum Level {
    VeryLow = 3,
    #[inflow(rename = "high, =really")]
    High,
    r#Medium,
}

#[derive(TagValue)]
enum Room {
    Kitchen,
}

#[derive(Measurement)]
struct Alarm {
    #[inflow(tag)]
    level: Level,
    #[inflow(tag)]
    room: core::option::Option<Room>,
    count: i64,
}

fn main() {
    let alarm = Alarm { level: Level::High, room: Some(Room::Kitchen), count: 1 };
    let line = line_protocol::to_line(&alarm, Precision::Seconds).unwrap();
    assert!(line.starts_with("alarm,level=high\\,\\ \\=really,room=Kitchen count=1i "), "{line}");
    assert_eq!(Level::from_tag_value(Some("VERY_LOW")), Ok(Level::VeryLow));
    assert_eq!(Level::from_tag_value(Some("MEDIUM")), Ok(Level::Medium));
    assert!(Level::from_tag_value(Some("High")).is_err());
    assert!(Level::from_tag_value(None).is_err());
}
