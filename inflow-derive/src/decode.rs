//! Code generation of the read side: `FromRow`, which `query_as` and `query_stream` decode
//! rows with.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::DeriveInput;
use syn::ext::IdentExt;

use crate::ast::{Role, Struct, Variant, VariantKind};
use crate::{bound, schema};

/// For a struct: every series is read alike.
pub(crate) fn from_row_impl(input: &DeriveInput, data: &Struct<'_>) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = bound::read(&input.generics, &data.columns);
    let (columns, members) = read_struct(data);

    quote! {
        #[automatically_derived]
        impl #impl_generics ::inflow::FromRow for #ident #ty_generics #where_clause {
            const COLUMNS: &'static [::inflow::query::Column] = &[#(#columns),*];

            fn from_row(
                __inflow_row: &::inflow::query::Row<'_>,
            ) -> ::inflow::__private::Result<Self, ::inflow::Error> {
                ::inflow::__private::Ok(Self {
                    #(#members,)*
                })
            }
        }
    }
}

/// For an enum of measurements: a series is read into the first variant that writes its
/// measurement (the derive makes sure no two do), a newtype variant by its type's impl.
pub(crate) fn enum_from_row_impl(input: &DeriveInput, variants: &[Variant<'_>]) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = bound::read_enum(&input.generics, variants);
    let rust_type = ident.unraw().to_string();
    let all_schemas = schema::all_schemas();

    let mut columns_for = Vec::new();
    let mut from_row = Vec::new();
    for (index, variant) in variants.iter().enumerate() {
        let schemas = schema::variant_schemas(index);
        let variant_ident = variant.ident;
        let (columns, value) = match &variant.kind {
            VariantKind::Newtype(ty) => {
                let span = syn::spanned::Spanned::span(ty);
                (
                    quote_spanned!(span=> <#ty as ::inflow::FromRow>::columns_for(__inflow_measurement)),
                    quote_spanned!(span=> Self::#variant_ident(<#ty as ::inflow::FromRow>::from_row(__inflow_row)?)),
                )
            }
            VariantKind::Struct(data) => {
                let (columns, members) = read_struct(data);
                (
                    quote!(::inflow::__private::Ok(&[#(#columns),*])),
                    quote!(Self::#variant_ident { #(#members,)* }),
                )
            }
        };
        columns_for.push(quote! {
            if ::inflow::__private::has_measurement(#schemas, __inflow_measurement) {
                return #columns;
            }
        });
        from_row.push(quote! {
            if ::inflow::__private::has_measurement(#schemas, __inflow_measurement) {
                return ::inflow::__private::Ok(#value);
            }
        });
    }

    quote! {
        #[automatically_derived]
        impl #impl_generics ::inflow::FromRow for #ident #ty_generics #where_clause {
            const COLUMNS: &'static [::inflow::query::Column] = &[];

            fn columns_for(
                __inflow_measurement: &::inflow::__private::str,
            ) -> ::inflow::__private::Result<&'static [::inflow::query::Column], ::inflow::Error> {
                #(#columns_for)*
                ::inflow::__private::Err(
                    ::inflow::__private::unknown_measurement(#rust_type, __inflow_measurement, &#all_schemas),
                )
            }

            fn from_row(
                __inflow_row: &::inflow::query::Row<'_>,
            ) -> ::inflow::__private::Result<Self, ::inflow::Error> {
                let __inflow_measurement = __inflow_row.measurement();
                #(#from_row)*
                ::inflow::__private::Err(
                    ::inflow::__private::unknown_measurement(#rust_type, __inflow_measurement, &#all_schemas),
                )
            }
        }
    }
}

/// The keys a struct (or struct variant) reads, and each field's initializer, reading the
/// keys by their position.
fn read_struct(data: &Struct<'_>) -> (Vec<TokenStream>, Vec<TokenStream>) {
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
                    quote_spanned!(span=> __inflow_row.tag::<#ty>(#position)?)
                } else {
                    quote_spanned!(span=> __inflow_row.field::<#ty>(#position)?)
                }
            }
            Role::Timestamp => quote_spanned!(span=> __inflow_row.time::<#ty>()?),
            Role::Skip => {
                quote_spanned!(span=> <#ty as ::inflow::__private::Default>::default())
            }
        };
        // A borrowed type can never be decoded (no decode trait has an impl for a reference),
        // so the bound keeps the impl from applying; the body must still type-check without
        // leaning on that bound, whose lifetimes can be ambiguous.
        let value = if borrows(ty) && column.role != Role::Skip {
            quote_spanned!(span=> __inflow_row.borrowed::<#ty>()?)
        } else {
            value
        };
        members.push(quote!(#member: #value));
    }
    (columns, members)
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
