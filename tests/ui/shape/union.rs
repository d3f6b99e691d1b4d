use inflow::Measurement;

#[derive(Measurement)]
union Reading {
    celsius: f64,
    count: i64,
}

fn main() {}
