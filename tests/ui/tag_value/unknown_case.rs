use inflow::TagValue;

#[derive(TagValue)]
#[inflow(rename_all = "Title Case")]
enum Level {
    Low,
    High,
}

fn main() {}
