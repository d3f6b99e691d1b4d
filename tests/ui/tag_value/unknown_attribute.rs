use inflow::TagValue;

#[derive(TagValue)]
enum Level {
    #[inflow(default)]
    Low,
    High,
}

fn main() {}
