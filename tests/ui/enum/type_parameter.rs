use inflow::Measurement;

#[derive(Measurement)]
enum Metric<T> {
    Reading { value: T },
}

fn main() {}
