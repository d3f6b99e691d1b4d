use inflow::{FromRow, Measurement, Queryable};

#[derive(Measurement)]
struct Reading {
    value: f64,
    ok: bool,
}

#[derive(FromRow)]
struct Sum {
    sum: Option<f64>,
}

fn main() {
    let _ = Reading::aggregate::<Sum, _>(|c| c.ok.sum());
}
