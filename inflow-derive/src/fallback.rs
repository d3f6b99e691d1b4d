//! What is emitted after errors: impls of every trait the derive would have implemented, with
//! bodies that are never run, so that the user sees only the errors and no cascade of "trait
//! not implemented" where the type is used.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

/// For `#[derive(Measurement)]`: `Measurement`, `FromRow` and `Queryable`.
pub(crate) fn measurement(input: &DeriveInput) -> TokenStream {
    impls(
        input,
        &[
            (
                quote!(::inflow::Measurement),
                quote! {
                    const SCHEMA: ::inflow::__private::Option<::inflow::Schema> =
                        ::inflow::__private::None;

                    fn measurement(&self) -> &::inflow::__private::str {
                        ::core::unreachable!()
                    }

                    fn encode(
                        &self,
                        _: &mut ::inflow::__private::Line<'_>,
                    ) -> ::inflow::__private::Result<(), ::inflow::__private::EncodeError> {
                        ::core::unreachable!()
                    }
                },
            ),
            from_row_items(),
            (
                quote!(::inflow::Queryable),
                quote! {
                    type Columns = ();

                    fn columns() -> Self::Columns {}
                },
            ),
        ],
    )
}

/// For `#[derive(FromRow)]`: `FromRow`.
pub(crate) fn from_row(input: &DeriveInput) -> TokenStream {
    impls(input, &[from_row_items()])
}

fn from_row_items() -> (TokenStream, TokenStream) {
    (
        quote!(::inflow::FromRow),
        quote! {
            const COLUMNS: &'static [::inflow::query::Column] = &[];

            fn from_row(
                _: &::inflow::query::Row<'_>,
            ) -> ::inflow::__private::Result<Self, ::inflow::Error> {
                ::core::unreachable!()
            }
        },
    )
}

/// For `#[derive(TagValue)]`: `TagValue`, `FromTagValue` and `TagColumn`.
pub(crate) fn tag_value(input: &DeriveInput) -> TokenStream {
    impls(
        input,
        &[
            (
                quote!(::inflow::TagValue),
                quote! {
                    fn write_tag(
                        &self,
                        _: ::inflow::line_protocol::TagSlot<'_, '_>,
                    ) -> ::inflow::__private::Result<(), ::inflow::__private::EncodeError> {
                        ::core::unreachable!()
                    }
                },
            ),
            (
                quote!(::inflow::query::FromTagValue),
                quote! {
                    const EXPECTED: &'static ::inflow::__private::str = "";

                    fn from_tag_value(
                        _: ::inflow::__private::Option<&::inflow::__private::str>,
                    ) -> ::inflow::__private::Result<Self, ::inflow::__private::String> {
                        ::core::unreachable!()
                    }
                },
            ),
            (
                quote!(::inflow::query::TagColumn),
                quote! {
                    type Arg<'v> = Self;

                    fn tag_text(
                        _: Self,
                    ) -> ::inflow::__private::Result<::inflow::__private::String, ::inflow::__private::String> {
                        ::core::unreachable!()
                    }
                },
            ),
        ],
    )
}

/// One impl per `(trait, items)` for the input type, with its own generics and bounds.
fn impls(input: &DeriveInput, traits: &[(TokenStream, TokenStream)]) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let impls = traits.iter().map(|(path, items)| {
        quote! {
            #[automatically_derived]
            impl #impl_generics #path for #ident #ty_generics #where_clause {
                #items
            }
        }
    });
    quote! {
        const _: () = {
            #(#impls)*
        };
    }
}
