use inflow::{EpochTime, Measurement, Queryable};

#[derive(Measurement)]
struct Reading {
    #[inflow(tag)]
    location: String,
    #[inflow(tag)]
    floor: i16,
    value: f64,
    count: i64,
    ok: bool,
    note: String,
    #[inflow(timestamp)]
    at: EpochTime,
    #[inflow(skip)]
    cache: u32,
}

fn main() {
    let _ = Reading::select().filter(|c| c.floor.eq("1"));
}
