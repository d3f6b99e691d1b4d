//! The derive's output is clean under strict lints (like thiserror's `test_lints.rs`): clippy
//! runs on this file with `--all-targets -D warnings` in the test command.

#![deny(
    unused_qualifications,
    unused_imports,
    unused_results,
    unreachable_pub,
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]

use inflow::{EpochTime, Measurement, Precision, line_protocol};

/// A reading, derived with every kind of field the derive handles.
#[derive(Debug, Measurement)]
#[inflow(measurement = "lints")]
pub struct Linted<'a, T> {
    /// A tag.
    #[inflow(tag)]
    pub location: &'a str,
    /// An optional tag.
    #[inflow(tag, rename = "kind")]
    pub sensor: Option<String>,
    /// A generic field.
    pub value: T,
    /// An optional field.
    pub upper: Option<f64>,
    /// A skipped field.
    #[inflow(skip)]
    pub note: (),
    /// The timestamp.
    #[inflow(timestamp)]
    pub at: EpochTime,
}

#[test]
fn derives_under_strict_lints() {
    let point = Linted {
        location: "x",
        sensor: None,
        value: 2_u16,
        upper: None,
        note: (),
        at: EpochTime::seconds(1),
    };
    assert_eq!(
        line_protocol::to_line(&point, Precision::Seconds).as_deref(),
        Ok("lints,location=x value=2i 1\n")
    );
}
