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

/// Owned, so that it can be read back too.
#[derive(Debug, Measurement)]
pub struct Owned {
    /// A tag.
    #[inflow(tag)]
    pub location: String,
    /// A field.
    pub value: f64,
}

/// An enum of measurements: a newtype variant and a struct variant.
#[derive(Debug, Measurement)]
pub enum LintedEnum<'a> {
    /// Another type's points.
    Borrowed(Linted<'a, i64>),
    /// Owned points.
    Owned(Owned),
    /// A measurement of its own.
    #[inflow(measurement = "own")]
    Own {
        /// A tag.
        #[inflow(tag)]
        location: &'a str,
        /// A field.
        count: Option<u32>,
        /// A skipped field.
        #[inflow(skip)]
        note: (),
        /// The timestamp.
        #[inflow(timestamp)]
        at: EpochTime,
    },
}

/// Readable from a query.
#[derive(Debug, Measurement)]
pub enum Readable {
    /// Another type's points.
    Owned(Owned),
    /// A measurement of its own.
    Count {
        /// A field.
        count: u32,
    },
}

#[test]
fn an_enum_derives_under_strict_lints() {
    const fn readable<T: inflow::FromRow>() {}
    readable::<Readable>();
    let point = LintedEnum::Own {
        location: "x",
        count: Some(3),
        note: (),
        at: EpochTime::seconds(1),
    };
    assert_eq!(
        line_protocol::to_line(&point, Precision::Seconds).as_deref(),
        Ok("own,location=x count=3i 1\n")
    );
    assert_eq!(LintedEnum::SCHEMAS.len(), 3);
}
