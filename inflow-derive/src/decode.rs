//! Code generation of the read side: `FromRow`, which `query_as` and `query_stream` decode
//! rows with.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::DeriveInput;

use crate::ast::{Role, Struct};
use crate::bound;

pub(crate) fn from_row_impl(input: &DeriveInput, data: &Struct<'_>) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = bound::read(&input.generics, &data.columns);

    let mut columns = Vec::new();
    let mut members = Vec::new();
    for column in &data.columns {
        let member = column.ident;
        let ty = column.ty;
        let span = column.type_span();
        let value = match column.role {
            Role::Tag | Role::Field => {
                let position = columns.len();
                let key = column.key.as_str();
                let is_tag = column.role == Role::Tag;
                columns.push(quote!(::inflow::query::Column { key: #key, tag: #is_tag }));
                if is_tag {
                    quote_spanned!(span=> row.tag::<#ty>(#position)?)
                } else {
                    quote_spanned!(span=> row.field::<#ty>(#position)?)
                }
            }
            Role::Timestamp => quote_spanned!(span=> row.time::<#ty>()?),
            Role::Skip => {
                quote_spanned!(span=> <#ty as ::inflow::__private::Default>::default())
            }
        };
        // A borrowed type can never be decoded (no decode trait has an impl for a reference),
        // so the bound keeps the impl from applying; the body must still type-check without
        // leaning on that bound, whose lifetimes can be ambiguous.
        let value = if borrows(ty) && column.role != Role::Skip {
            quote_spanned!(span=> row.borrowed::<#ty>()?)
        } else {
            value
        };
        members.push(quote!(#member: #value));
    }

    quote! {
        #[automatically_derived]
        impl #impl_generics ::inflow::FromRow for #ident #ty_generics #where_clause {
            const COLUMNS: &'static [::inflow::query::Column] = &[#(#columns),*];

            fn from_row(
                row: &::inflow::query::Row<'_>,
            ) -> ::inflow::__private::Result<Self, ::inflow::Error> {
                ::inflow::__private::Ok(Self {
                    #(#members,)*
                })
            }
        }
    }
}

/// Whether a type holds a reference (`&` anywhere in it).
fn borrows(ty: &syn::Type) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tree| match tree {
            TokenTree::Punct(punct) => punct.as_char() == '&',
            TokenTree::Group(group) => walk(group.stream()),
            _ => false,
        })
    }
    walk(quote!(#ty))
}
