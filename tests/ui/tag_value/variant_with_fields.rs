use inflow::TagValue;

#[derive(TagValue)]
enum Level {
    Low,
    Custom(String),
}

fn main() {}
