#![doc = include_str!("../../README.md")]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![doc(test(attr(deny(warnings))))]

mod batch;
#[cfg(feature = "blocking")]
pub mod blocking;
mod builder;
mod client;
mod config;
mod delivery;
mod error;
pub mod line_protocol;
mod measurement;
mod point;
mod precision;
pub mod query;
mod retry;
mod session;
mod timestamp;
mod transport;
mod v1;
mod value;

pub use crate::batch::{DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_BUFFERED_POINTS};
pub use crate::builder::ClientBuilder;
pub use crate::client::Client;
pub use crate::config::{Consistency, DEFAULT_MAX_BODY_SIZE, DEFAULT_TIMEOUT};
pub use crate::delivery::{CommitReport, RefusedLine};
pub use crate::error::{Error, ErrorKind, Result};
pub use crate::measurement::{Measurement, Schema};
pub use crate::point::{Point, Value};
pub use crate::precision::{ParsePrecisionError, Precision};
pub use crate::query::{FromRow, Query};
pub use crate::retry::RetryPolicy;
pub use crate::session::Session;
pub use crate::timestamp::{EpochTime, Timestamp};
pub use crate::value::{FieldValue, TagValue};

/// Derives [`Measurement`](trait@Measurement) for a struct with named fields.
///
/// See the [crate documentation](crate) for the attributes.
#[cfg(feature = "derive")]
pub use inflow_derive::Measurement;

/// What generated code names, by absolute path, so that a user's own items named `Result`,
/// `Option` and so on never change its meaning. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::line_protocol::{EncodeError, Line, StaticKey};
    pub use core::default::Default;
    pub use core::option::Option::{self, None, Some};
    pub use core::primitive::str;
    pub use core::result::Result::{self, Ok};
}
