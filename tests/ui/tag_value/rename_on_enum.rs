use inflow::TagValue;

#[derive(TagValue)]
#[inflow(rename = "level")]
enum Level {
    Low,
    High,
}

fn main() {}
