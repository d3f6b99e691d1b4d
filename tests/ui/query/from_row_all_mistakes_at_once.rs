use inflow::FromRow;

#[derive(FromRow)]
#[inflow(measurement = "stats")]
struct Stats {
    time: std::time::SystemTime,
    #[inflow(tag, rename = "time")]
    zone: String,
    #[inflow(rename = "time")]
    when: std::time::SystemTime,
    mean: f64,
    #[inflow(rename = "mean")]
    average: f64,
}

#[derive(FromRow)]
struct Pair(f64, f64);

fn main() {}
