// An enum of measurements derives and works with every name the generated code could reach
// for shadowed by something unrelated (the names of its parameters too), variants named like
// prelude items, raw field names, and a lifetime.

#![allow(dead_code, non_camel_case_types, non_upper_case_globals)]

use inflow::{EpochTime, FromRow, Measurement, Precision, line_protocol};

mod hostile {
    // Shadows the prelude and the names of the generated code.
    pub struct Result;
    pub struct Option;
    pub struct Vec;
    pub struct String;
    pub struct str;
    pub struct Ok;
    pub struct Err;
    pub struct Some;
    pub struct None;
    pub struct Schema;
    pub const measurement: () = ();
    pub const row: () = ();
    pub const line: () = ();
}

use hostile::*;

#[derive(Measurement)]
#[inflow(measurement = "cpu")]
struct CpuLoad<'a> {
    #[inflow(tag)]
    host: &'a ::core::primitive::str,
    load: f64,
}

#[derive(Measurement)]
struct Owned {
    #[inflow(tag)]
    host: ::std::string::String,
    value: i64,
}

#[derive(Measurement)]
enum Metric<'a> {
    Ok(CpuLoad<'a>),
    Some(Owned),
    #[inflow(measurement = "None")]
    None {
        #[inflow(tag)]
        r#type: &'a ::core::primitive::str,
        load: ::core::option::Option<f64>,
        #[inflow(rename = "Self")]
        r#match: u8,
        #[inflow(skip)]
        inner: (),
        #[inflow(timestamp)]
        at: EpochTime,
    },
}

/// Decodable: no borrowed field.
#[derive(Measurement)]
enum Readable {
    Owned(Owned),
    Err { count: u64 },
}

fn decodes<T: FromRow>() {}

fn main() {
    let point = Metric::None {
        r#type: "t",
        load: ::core::option::Option::None,
        r#match: 1,
        inner: (),
        at: EpochTime::seconds(2),
    };
    let text = line_protocol::to_line(&point, Precision::Seconds).unwrap();
    assert_eq!(text, "None,type=t Self=1i 2\n");
    let cpu = Metric::Ok(CpuLoad { host: "h", load: 1.5 });
    assert_eq!(cpu.measurement(), "cpu");
    let names: ::std::vec::Vec<_> = Metric::SCHEMAS.iter().map(|s| s.measurement()).collect();
    assert_eq!(names, ["cpu", "owned", "None"]);
    decodes::<Readable>();
    assert_eq!(Readable::SCHEMAS[1].measurement(), "err");
}
