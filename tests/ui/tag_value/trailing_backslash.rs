use inflow::TagValue;

#[derive(TagValue)]
enum Level {
    #[inflow(rename = "low\\")]
    Low,
    High,
}

fn main() {}
