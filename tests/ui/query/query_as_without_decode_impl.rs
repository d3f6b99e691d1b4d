use inflow::{Client, Measurement, TagValue, line_protocol::{EncodeError, TagSlot}};

/// A tag type that can be written but not read back.
enum Room {
    Kitchen,
}

impl TagValue for Room {
    fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
        tag.str(match self {
            Room::Kitchen => "kitchen",
        })
    }
}

#[derive(Measurement)]
struct Temperature {
    #[inflow(tag)]
    room: Room,
    value: f64,
}

async fn run(client: Client) -> inflow::Result<Vec<Temperature>> {
    client.write(&Temperature { room: Room::Kitchen, value: 1.0 }).await?;
    client.query_as("SELECT * FROM temperature").await
}

fn main() {
    let _ = run;
}
