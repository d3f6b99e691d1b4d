use inflow::line_protocol::{EncodeError, TagSlot};
use inflow::{Measurement, Queryable, TagValue};

struct Room(u8);

impl TagValue for Room {
    fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
        tag.str(if self.0 == 0 { "kitchen" } else { "attic" })
    }
}

#[derive(Measurement)]
struct Reading {
    #[inflow(tag)]
    room: Room,
    value: f64,
}

fn main() {
    let _ = Reading::select().filter(|c| c.room.eq(Room(0)));
}
