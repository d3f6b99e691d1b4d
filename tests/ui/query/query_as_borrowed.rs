use inflow::{Client, Measurement};

#[derive(Measurement)]
#[inflow(measurement = "temperature")]
struct Reading<'a> {
    #[inflow(tag)]
    location: &'a str,
    #[inflow(tag)]
    sensor_type: &'static str,
    value: f64,
}

async fn run(client: Client) -> inflow::Result<()> {
    // Writing a borrowed struct is fine; reading one back cannot be: nothing to borrow from.
    client.write(&Reading { location: "here", sensor_type: "ni1000", value: 1.0 }).await?;
    let _readings: Vec<Reading<'_>> = client.query_as("SELECT * FROM temperature").await?;
    Ok(())
}

fn main() {
    let _ = run;
}
