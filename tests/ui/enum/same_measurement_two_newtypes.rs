use inflow::Measurement;

#[derive(Measurement)]
struct Reading {
    value: f64,
}

mod other {
    #[derive(inflow::Measurement)]
    pub struct Reading {
        pub count: i64,
    }
}

#[derive(Measurement)]
enum Metric {
    Float(Reading),
    Count(other::Reading),
}

fn main() {}
