//! Test support for inflow: an independent line-protocol parser that follows the InfluxDB 1.6
//! server, so that tests check what the encoder writes against what the server would read; and
//! a real InfluxDB 1.6 server, started for the tests.

mod background;
pub mod domain;
pub mod logs;
pub mod lp;
pub mod proxy;
pub mod roundtrip;
pub mod server;
pub mod tls;
