//! Compile-fail tests of `#[derive(Measurement)]`, `#[derive(TagValue)]` and typed queries:
//! each file under `ui/<category>/` holds one mistake, and its `.stderr` is the message a user sees. Refresh
//! them with `TRYBUILD=overwrite cargo test -p inflow-tests --test ui` and read every change.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/shape/*.rs");
    cases.compile_fail("ui/attr/*.rs");
    cases.compile_fail("ui/keys/*.rs");
    cases.compile_fail("ui/types/*.rs");
    cases.compile_fail("ui/session/*.rs");
    cases.compile_fail("ui/query/*.rs");
    cases.compile_fail("ui/tag_value/*.rs");
    cases.compile_fail("ui/enum/*.rs");
    cases.compile_fail("ui/typed/*.rs");
}
