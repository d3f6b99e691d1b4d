//! The one place that builds where-clauses: the type's own, plus a bound for each column's
//! type on the trait its role needs.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use syn::{GenericParam, Generics, Ident, Type, WhereClause, WherePredicate};

use syn::spanned::Spanned;

use crate::ast::{Column, Role, Variant, VariantKind};

/// The trait a column's type implements to be written.
fn write_trait(role: Role) -> Option<TokenStream> {
    match role {
        Role::Tag => Some(quote!(::inflow::TagValue)),
        Role::Field => Some(quote!(::inflow::FieldValue)),
        Role::Timestamp => Some(quote!(::inflow::Timestamp)),
        Role::Skip => None,
    }
}

/// The trait a column's type implements to be read from a row.
fn read_trait(role: Role) -> TokenStream {
    match role {
        Role::Tag => quote!(::inflow::query::FromTagValue),
        Role::Field => quote!(::inflow::query::FromFieldValue),
        Role::Timestamp => quote!(::inflow::query::FromTimestamp),
        Role::Skip => quote!(::inflow::__private::Default),
    }
}

/// For the `Measurement` impl: the type's where clause, plus a bound for every tag, field
/// and timestamp type that mentions a type parameter (`T: FieldValue` for `value: T`).
pub(crate) fn write<'c, 'a: 'c>(
    generics: &Generics,
    columns: impl IntoIterator<Item = &'c Column<'a>>,
) -> Option<WhereClause> {
    let params: Vec<&Ident> = generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(ty) => Some(&ty.ident),
            _ => None,
        })
        .collect();
    if params.is_empty() {
        return generics.where_clause.clone();
    }
    let mut clause = own(generics);
    for column in columns {
        let Some(bound) = write_trait(column.role) else {
            continue;
        };
        if mentions_any(column.ty, &params) {
            let ty = column.ty;
            clause
                .predicates
                .push(syn::parse_quote_spanned!(column.type_span()=> #ty: #bound));
        }
    }
    Some(clause)
}

/// For the `FromRow` impl: the type's where clause, plus `for<'__inflow> Type: Trait` for
/// every column's type.
///
/// Written that way, a bound that cannot hold (a borrowed `&'a str` cannot be built from a
/// query) does not stop the type from compiling for writes, and becomes an error only where
/// the type is decoded, with the trait's message saying why.
pub(crate) fn read<'c, 'a: 'c>(
    generics: &Generics,
    columns: impl IntoIterator<Item = &'c Column<'a>>,
) -> WhereClause {
    read_bounds(
        generics,
        columns
            .into_iter()
            .map(|column| (column.ty, read_trait(column.role))),
    )
}

/// For the `FromRow` impl of an enum of measurements: as [`read`], for the columns of every
/// struct variant and `FromRow` for the type of every newtype variant.
pub(crate) fn read_enum(generics: &Generics, variants: &[Variant<'_>]) -> WhereClause {
    read_bounds(
        generics,
        variants.iter().flat_map(|variant| match &variant.kind {
            VariantKind::Newtype(ty) => vec![(*ty, quote!(::inflow::FromRow))],
            VariantKind::Struct(data) => data
                .columns
                .iter()
                .map(|column| (column.ty, read_trait(column.role)))
                .collect(),
        }),
    )
}

fn read_bounds<'a>(
    generics: &Generics,
    bounds: impl IntoIterator<Item = (&'a Type, TokenStream)>,
) -> WhereClause {
    let mut clause = own(generics);
    let mut seen: Vec<String> = Vec::new();
    for (ty, bound) in bounds {
        // Every lifetime becomes the bound one, so that `Cow<'a, str>` and `Cow<'static, str>`
        // give one predicate, not two that differ by lifetime only (which rustc finds ambiguous).
        let erased = erase_lifetimes(quote!(#ty), "__inflow");
        let predicate: WherePredicate =
            syn::parse_quote_spanned!(ty.span()=> for<'__inflow> #erased: #bound);
        let text = quote!(#predicate).to_string();
        if !seen.contains(&text) {
            seen.push(text);
            clause.predicates.push(predicate);
        }
    }
    clause
}

/// The type with every lifetime `'static`: how a constant outside the impls names it.
pub(crate) fn static_lifetimes(ty: &Type) -> TokenStream {
    erase_lifetimes(quote!(#ty), "static")
}

/// The type's own where clause, or an empty one to add to.
fn own(generics: &Generics) -> WhereClause {
    generics
        .where_clause
        .clone()
        .unwrap_or_else(|| WhereClause {
            where_token: Default::default(),
            predicates: Default::default(),
        })
}

fn mentions_any(ty: &Type, params: &[&Ident]) -> bool {
    fn walk(tokens: TokenStream, params: &[&Ident]) -> bool {
        tokens.into_iter().any(|tree| match tree {
            TokenTree::Ident(ident) => params.iter().any(|p| **p == ident),
            TokenTree::Group(group) => walk(group.stream(), params),
            _ => false,
        })
    }
    walk(quote!(#ty), params)
}

/// The tokens with every lifetime (`'a`, `'static`) replaced by `'name`.
fn erase_lifetimes(tokens: TokenStream, name: &str) -> TokenStream {
    let mut out = Vec::new();
    let mut after_quote = false;
    for tree in tokens {
        let tree = match tree {
            TokenTree::Ident(ident) if after_quote => {
                TokenTree::Ident(Ident::new(name, ident.span()))
            }
            TokenTree::Group(group) => {
                let mut erased = proc_macro2::Group::new(
                    group.delimiter(),
                    erase_lifetimes(group.stream(), name),
                );
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
