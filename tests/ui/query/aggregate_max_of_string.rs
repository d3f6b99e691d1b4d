use inflow::{FromRow, Measurement, Queryable};

#[derive(Measurement)]
struct Reading {
    value: f64,
    note: String,
}

#[derive(FromRow)]
struct Max {
    max: Option<String>,
}

fn main() {
    // min and max take numbers and booleans, not strings.
    let _ = Reading::aggregate::<Max, _>(|c| c.note.max());
}
