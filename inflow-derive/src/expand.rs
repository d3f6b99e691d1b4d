//! Each derive from input to tokens: read the input, check it, then generate the impls from
//! its column table; or, after any error, the errors and the fallback impls.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::{self, Data};
use crate::ctxt::Ctxt;
use crate::{check, columns, decode, encode, fallback, row, schema, tag_value};

/// `#[derive(Measurement)]`.
pub(crate) fn measurement(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let container = ast::container(&mut cx, input);
    if let Some(container) = &container {
        check::container(&mut cx, container);
    }
    match (cx.finish(), container) {
        (None, Some(container)) => {
            let impls = match &container.data {
                Data::Struct(data) => {
                    let from_row = decode::from_row_impl(input, data);
                    let measurement = encode::measurement_impl(input, data);
                    let columns = columns::columns_impl(input, data);
                    quote!(#from_row #measurement #columns)
                }
                Data::Enum(variants) => {
                    let schemas = schema::enum_schemas(input, variants);
                    let from_row = decode::enum_from_row_impl(input, variants);
                    let measurement = encode::enum_measurement_impl(input, variants);
                    let columns = columns::enum_columns_impl(input, variants);
                    quote!(#schemas #from_row #measurement #columns)
                }
            };
            quote! {
                const _: () = {
                    #impls
                };
            }
        }
        (errors, _) => with_fallback(errors, fallback::measurement(input)),
    }
}

/// `#[derive(FromRow)]`: the read side of a measurement, alone.
pub(crate) fn from_row(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let data = row::row(&mut cx, input);
    match (cx.finish(), data) {
        (None, Some(data)) => {
            let from_row = decode::from_row_impl(input, &data);
            quote! {
                const _: () = {
                    #from_row
                };
            }
        }
        (errors, _) => with_fallback(errors, fallback::from_row(input)),
    }
}

/// `#[derive(TagValue)]`.
pub(crate) fn tag_value(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let variants = tag_value::variants(&mut cx, input);
    match (cx.finish(), variants) {
        (None, Some(variants)) => tag_value::tag_value_impl(input, &variants),
        (errors, _) => with_fallback(errors, fallback::tag_value(input)),
    }
}

fn with_fallback(errors: Option<syn::Error>, fallback: TokenStream) -> TokenStream {
    let mut tokens = errors.map_or_else(TokenStream::new, |errors| errors.to_compile_error());
    tokens.extend(fallback);
    tokens
}
