use inflow::Measurement;

#[derive(Measurement)]
enum Reading {
    Celsius(f64),
    Fahrenheit(f64),
}

fn main() {}
