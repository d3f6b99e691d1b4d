//! Code generation of the column handles for typed queries: a struct with one handle per tag
//! and field, named as the Rust field, declared inside the derive's anonymous `const` block so
//! that its name never meets the user's items. An enum of measurements gets one member per
//! variant, named as the variant in snake case: a struct variant's handles, or a newtype
//! variant's type's own columns.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::DeriveInput;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::ast::{Role, Struct, Variant, VariantKind};
use crate::keys;

/// The members and their values of a columns struct of `data`, whose handles belong to
/// `owner` (the measurement type, or the enum of a struct variant).
fn handles(owner: &TokenStream, data: &Struct<'_>) -> (Vec<TokenStream>, Vec<TokenStream>) {
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
        members.push(quote!(#member_vis #member: #handle<#owner, #ty>));
        values.push(quote!(#member: #handle::__new(#key)));
    }
    (members, values)
}

const ALLOW: &str =
    "non_camel_case_types, missing_docs, unreachable_pub, missing_debug_implementations";

/// For a struct: `Queryable` with its columns struct, and `VariantOf<Self>`.
pub(crate) fn columns_impl(input: &DeriveInput, data: &Struct<'_>) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (members, values) = handles(&quote!(#ident #ty_generics), data);
    let allow: TokenStream = ALLOW.parse().unwrap_or_default();

    quote! {
        /// The column handles of a measurement for typed queries.
        #[allow(#allow)]
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

        #[automatically_derived]
        impl #impl_generics ::inflow::query::VariantOf<#ident #ty_generics> for #ident #ty_generics #where_clause {}
    }
}

/// For an enum of measurements: `Queryable` with a member per variant, `VariantOf<Self>`, and
/// `VariantOf<Self>` for the type of each newtype variant.
pub(crate) fn enum_columns_impl(input: &DeriveInput, variants: &[Variant<'_>]) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let owner = quote!(#ident #ty_generics);
    let allow: TokenStream = ALLOW.parse().unwrap_or_default();

    let mut items = Vec::new();
    let mut members = Vec::new();
    let mut values = Vec::new();
    let mut newtypes = std::collections::HashSet::new();
    for variant in variants {
        let name = keys::snake_case(&variant.ident.unraw().to_string());
        // `Type` becomes `type`, a keyword: written `r#type`.
        let member = syn::parse_str::<syn::Ident>(&name)
            .unwrap_or_else(|_| syn::Ident::new_raw(&name, variant.ident.span()));
        match &variant.kind {
            VariantKind::Newtype(ty) => {
                // Errors about the type (not a measurement) point at it, not at the derive.
                let span = ty.span();
                members.push(
                    quote_spanned!(span=> pub #member: <#ty as ::inflow::Queryable>::Columns),
                );
                values
                    .push(quote_spanned!(span=> #member: <#ty as ::inflow::Queryable>::columns()));
                // Two variants of one type are an error of their own: one impl is enough.
                if newtypes.insert(ty.to_token_stream().to_string()) {
                    items.push(quote_spanned! {span=>
                        #[automatically_derived]
                        impl #impl_generics ::inflow::query::VariantOf<#owner> for #ty #where_clause {}
                    });
                }
            }
            VariantKind::Struct(data) => {
                let columns = format_ident!("__InflowColumns_{}", variant.ident.unraw());
                let (variant_members, variant_values) = handles(&owner, data);
                items.push(quote! {
                    #[allow(#allow)]
                    #vis struct #columns #impl_generics #where_clause {
                        #(#variant_members,)*
                    }
                });
                members.push(quote!(pub #member: #columns #ty_generics));
                values.push(quote!(#member: #columns { #(#variant_values,)* }));
            }
        }
    }

    quote! {
        /// The column handles of each variant of an enum of measurements for typed queries.
        #[allow(#allow)]
        #vis struct __InflowColumns #impl_generics #where_clause {
            #(#members,)*
        }

        #(#items)*

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

        #[automatically_derived]
        impl #impl_generics ::inflow::query::VariantOf<#owner> for #owner #where_clause {}
    }
}
