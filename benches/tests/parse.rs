//! Every encoder of the benchmark writes the same points, checked with `inflow-tests`'s
//! independent parser; the limit and inflow's `Point` write inflow's derive's very bytes.

#[path = "../verify.rs"]
mod verify;

use inflow_benches::{BATCH, Contender, Workload};

#[test]
fn every_encoder_writes_the_same_points() {
    let mut workload = Workload::new(BATCH);
    let (report, all_agree) = verify::report(&verify::verify(&mut workload));
    assert!(all_agree, "{report}");
}

#[test]
fn the_limit_and_the_point_write_what_the_derive_writes() {
    let mut workload = Workload::new(BATCH);
    for verdict in verify::verify(&mut workload) {
        if matches!(
            verdict.contender,
            Contender::Limit | Contender::LimitZmij | Contender::InflowPoint
        ) {
            assert!(verdict.same_bytes_as_inflow, "{verdict:?}");
        }
    }
}
