//! Code generation of the read side: `FromRow`, which `query_as` and `query_stream` decode
//! rows with.
//!
//! Every field type gets a bound of the form `for<'__inflow> Type: Trait`: written that way,
//! a bound that cannot hold (a borrowed `&'a str` cannot be built from a query) does not stop
//! the struct from compiling for writes, and becomes an error only where the type is decoded,
//! with the trait's message saying why.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{WhereClause, WherePredicate};

use crate::ast::{self, Container, Role};

pub(crate) fn from_row_impl(container: &Container<'_>) -> TokenStream {
    let input = container.input;
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();

    let mut where_clause = input
        .generics
        .where_clause
        .clone()
        .unwrap_or_else(|| WhereClause {
            where_token: Default::default(),
            predicates: Default::default(),
        });
    let mut columns = Vec::new();
    let mut members = Vec::new();
    for field in &container.fields {
        let member = field.ident;
        let ty = field.ty;
        let span = ast::type_span(ty);
        let (bound, value) = match field.role {
            Role::Tag | Role::Field => {
                let position = columns.len();
                let key = field.key.as_str();
                let is_tag = field.role == Role::Tag;
                columns.push(quote!(::inflow::query::Column { key: #key, tag: #is_tag }));
                if is_tag {
                    (
                        quote!(::inflow::query::FromTagValue),
                        quote_spanned!(span=> row.tag::<#ty>(#position)?),
                    )
                } else {
                    (
                        quote!(::inflow::query::FromFieldValue),
                        quote_spanned!(span=> row.field::<#ty>(#position)?),
                    )
                }
            }
            Role::Timestamp => (
                quote!(::inflow::query::FromTimestamp),
                quote_spanned!(span=> row.time::<#ty>()?),
            ),
            Role::Skip => (
                quote!(::inflow::__private::Default),
                quote_spanned!(span=> <#ty as ::inflow::__private::Default>::default()),
            ),
        };
        let predicate: WherePredicate =
            syn::parse_quote_spanned!(span=> for<'__inflow> #ty: #bound);
        where_clause.predicates.push(predicate);
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
