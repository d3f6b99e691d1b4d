//! The `#[derive(Measurement)]`, `#[derive(FromRow)]` and `#[derive(TagValue)]` macros of [inflow](https://docs.rs/inflow).
//!
//! Use it through the `inflow` crate (`inflow::Measurement`), which documents the attributes;
//! the generated code names items of `inflow` only.

mod ast;
mod attr;
mod bound;
mod check;
mod columns;
mod ctxt;
mod decode;
mod encode;
mod expand;
mod fallback;
mod keys;
mod row;
mod schema;
mod tag_value;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `inflow::Measurement`: see the `inflow` crate for the attributes.
#[proc_macro_derive(Measurement, attributes(inflow))]
pub fn derive_measurement(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::measurement(&input).into()
}

/// Derives `inflow::FromRow` for a read-only row: see the `inflow` crate for the attributes.
#[proc_macro_derive(FromRow, attributes(inflow))]
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::from_row(&input).into()
}

/// Derives `inflow::TagValue` and `inflow::query::FromTagValue` for an enum of unit variants:
/// see the `inflow` crate for the attributes.
#[proc_macro_derive(TagValue, attributes(inflow))]
pub fn derive_tag_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::tag_value(&input).into()
}
