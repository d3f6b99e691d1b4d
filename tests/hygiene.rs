//! The derive's output names everything by absolute path: shadowing the prelude in the user's
//! module changes nothing (like serde's `test_gen.rs`).

#![allow(dead_code, non_camel_case_types, clippy::upper_case_acronyms)]
#![no_implicit_prelude]

mod shadowed {
    // Every prelude name the generated code could reach for, shadowed by something unrelated.
    struct Result;
    struct Option;
    struct Vec;
    struct String;
    struct Box;
    struct str;
    struct Ok;
    struct Err;
    struct Some;
    struct None;
    struct StaticKey;
    struct Line;
    mod core {}
    mod std {}

    #[derive(::inflow::Measurement)]
    #[inflow(measurement = "hygiene")]
    pub(crate) struct Hygiene<'a, T> {
        #[inflow(tag)]
        pub(crate) location: &'a ::core::primitive::str,
        pub(crate) value: T,
        pub(crate) maybe: ::core::option::Option<::core::primitive::f64>,
        #[inflow(timestamp)]
        pub(crate) at: ::inflow::EpochTime,
    }
}

#[test]
fn derives_and_encodes_with_the_prelude_shadowed() {
    let point = shadowed::Hygiene {
        location: "x",
        value: 1_i64,
        maybe: ::core::option::Option::Some(0.5),
        at: ::inflow::EpochTime::seconds(3),
    };
    let line = ::inflow::line_protocol::to_line(&point, ::inflow::Precision::Seconds);
    ::std::assert_eq!(
        line.as_deref(),
        ::core::result::Result::Ok("hygiene,location=x maybe=0.5,value=1i 3\n")
    );
}
