use inflow::TagValue;

#[derive(TagValue)]
enum Level {
    #[inflow(rename = "low\nest")]
    Low,
    High,
}

fn main() {}
