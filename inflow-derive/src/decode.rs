//! Code generation of the read side: `FromRow`, which `query_as` and `query_stream` decode
//! rows with.
//!
//! Every field type gets a bound of the form `for<'__inflow> Type: Trait`: written that way,
//! a bound that cannot hold (a borrowed `&'a str` cannot be built from a query) does not stop
//! the struct from compiling for writes, and becomes an error only where the type is decoded,
//! with the trait's message saying why.

use proc_macro2::{TokenStream, TokenTree};
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
    let mut seen: Vec<String> = Vec::new();
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
        // Every lifetime becomes the bound one, so that `Cow<'a, str>` and `Cow<'static, str>`
        // give one predicate, not two that differ by lifetime only (which rustc finds ambiguous).
        let erased = erase_lifetimes(quote!(#ty));
        let predicate: WherePredicate =
            syn::parse_quote_spanned!(span=> for<'__inflow> #erased: #bound);
        let text = quote!(#predicate).to_string();
        if !seen.contains(&text) {
            seen.push(text);
            where_clause.predicates.push(predicate);
        }
        // A borrowed type can never be decoded (no decode trait has an impl for a reference),
        // so the bound above keeps the impl from applying; the body must still type-check
        // without leaning on that bound, whose lifetimes can be ambiguous.
        let value = if borrows(ty) && field.role != Role::Skip {
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

/// The tokens with every lifetime (`'a`, `'static`) replaced by `'__inflow`.
fn erase_lifetimes(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut after_quote = false;
    for tree in tokens {
        let tree = match tree {
            TokenTree::Ident(ident) if after_quote => {
                TokenTree::Ident(proc_macro2::Ident::new("__inflow", ident.span()))
            }
            TokenTree::Group(group) => {
                let mut erased =
                    proc_macro2::Group::new(group.delimiter(), erase_lifetimes(group.stream()));
                erased.set_span(group.span());
                TokenTree::Group(erased)
            }
            other => other,
        };
        after_quote = matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == '\'');
        out.push(tree);
    }
    out.into_iter().collect()
}
