use inflow::TagValue;

#[derive(TagValue)]
struct Level {
    value: String,
}

fn main() {}
