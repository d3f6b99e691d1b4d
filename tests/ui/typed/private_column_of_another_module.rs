mod sensors {
    #[derive(inflow::Measurement)]
    pub struct Reading {
        #[inflow(tag)]
        pub location: String,
        #[inflow(tag)]
        secret: String,
        pub value: f64,
    }
}

use inflow::Queryable;
use sensors::Reading;

fn main() {
    let _ = Reading::select().filter(|c| c.location.eq("a").and(c.secret.eq("b")));
}
