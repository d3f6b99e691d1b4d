use inflow::TagValue;

#[derive(TagValue)]
enum Level {
    #[inflow(rename = "")]
    Low,
    High,
}

fn main() {}
