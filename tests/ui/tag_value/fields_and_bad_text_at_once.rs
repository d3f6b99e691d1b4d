use inflow::TagValue;

// Every mistake is reported, and none cascades into "TagValue is not implemented".
#[derive(TagValue)]
enum Level {
    Low { by: u8 },
    #[inflow(rename = "")]
    High,
}

fn tag<T: inflow::TagValue + inflow::query::FromTagValue>(_: T) {}

fn main() {
    tag(Level::High);
}
