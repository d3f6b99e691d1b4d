use inflow::Measurement;

#[derive(Measurement)]
#[inflow(measurement = "#temperature")]
struct Reading {
    #[inflow(tag, tag)]
    location: String,
    #[inflow(colour = "red")]
    value: f64,
    #[inflow(rename = "value")]
    other: f64,
    time: i64,
}

fn main() {}
