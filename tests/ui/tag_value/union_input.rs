use inflow::TagValue;

#[derive(TagValue)]
union Level {
    low: u8,
    high: u16,
}

fn main() {}
