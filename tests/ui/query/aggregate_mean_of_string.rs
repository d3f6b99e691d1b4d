use inflow::{FromRow, Measurement, Queryable};

#[derive(Measurement)]
struct Reading {
    value: f64,
    note: String,
}

#[derive(FromRow)]
struct Mean {
    mean: Option<f64>,
}

fn main() {
    // A string has no mean: the server refuses it ("unsupported mean iterator type").
    let _ = Reading::aggregate::<Mean, _>(|c| c.note.mean());
}
