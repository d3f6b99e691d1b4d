//! Code generation of the column handles for typed queries: a struct with one handle per tag
//! and field, named as the Rust field, declared inside the derive's anonymous `const` block so
//! that its name never meets the user's items.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::{Role, Struct};

/// For a struct: `Queryable` with its columns struct.
pub(crate) fn columns_impl(input: &DeriveInput, data: &Struct<'_>) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();

    let mut members = Vec::new();
    let mut values = Vec::new();
    for column in &data.columns {
        let handle = match column.role {
            Role::Tag => quote!(::inflow::query::Tag),
            Role::Field => quote!(::inflow::query::Field),
            Role::Timestamp | Role::Skip => continue,
        };
        let (member, member_vis, ty, key) =
            (column.ident, column.vis, column.ty, column.key.as_str());
        members.push(quote!(#member_vis #member: #handle<#ident #ty_generics, #ty>));
        values.push(quote!(#member: #handle::__new(#key)));
    }

    quote! {
        /// The column handles of a measurement for typed queries.
        #[allow(non_camel_case_types, missing_docs, unreachable_pub, missing_debug_implementations)]
        #vis struct __InflowColumns #impl_generics #where_clause {
            #(#members,)*
        }

        #[automatically_derived]
        impl #impl_generics ::inflow::Queryable for #ident #ty_generics #where_clause {
            type Columns = __InflowColumns #ty_generics;

            #[inline]
            fn columns() -> Self::Columns {
                __InflowColumns {
                    #(#values,)*
                }
            }
        }
    }
}

/// For an enum of measurements: `Queryable` without columns.
pub(crate) fn no_columns_impl(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::inflow::Queryable for #ident #ty_generics #where_clause {
            type Columns = ();

            #[inline]
            fn columns() -> Self::Columns {}
        }
    }
}
