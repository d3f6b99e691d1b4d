use inflow::TagValue;

#[derive(TagValue)]
#[inflow(rename_all = "lowercase")]
enum Level {
    High,
    HIGH,
}

fn main() {}
