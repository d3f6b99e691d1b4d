use inflow::TagValue;

#[derive(TagValue)]
enum Level {}

fn main() {}
