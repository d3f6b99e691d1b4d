//! Test support for inflow: an independent line-protocol parser that follows the InfluxDB 1.6
//! server, so that tests check what the encoder writes against what the server would read.

pub mod lp;
