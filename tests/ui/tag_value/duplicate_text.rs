use inflow::TagValue;

#[derive(TagValue)]
enum Level {
    Low,
    #[inflow(rename = "Low")]
    Lowest,
}

fn main() {}
