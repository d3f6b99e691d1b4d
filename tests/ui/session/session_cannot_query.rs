use inflow::{Client, Measurement};

#[derive(Measurement)]
struct Reading {
    value: f64,
}

async fn run(client: Client) {
    let session = client.session::<Reading>();
    // Sessions only write: queries go through the client.
    let _ = session.query("SELECT * FROM reading").await;
}

fn main() {
    let _ = run;
}
