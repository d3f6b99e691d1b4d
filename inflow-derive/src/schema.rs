//! Code generation of the `Schema` constant: the measurement, and each tag and field with the
//! Rust field it comes from. A field's line-protocol type is its type's `FieldValue::TYPE`,
//! read by the compiler, so that a generic or user-defined type says its own.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Ident;
use syn::ext::IdentExt;

use crate::ast::{Role, Struct};

pub(crate) fn schema(ident: &Ident, data: &Struct<'_>) -> TokenStream {
    let rust_type = ident.unraw().to_string();
    let measurement = data.measurement.name.as_str();
    let tags = data.written(Role::Tag);
    let fields = data.written(Role::Field);
    let tag_keys = tags.iter().map(|column| column.key.as_str());
    let field_keys = fields.iter().map(|column| column.key.as_str());
    let tag_items = tags.iter().map(|column| {
        let key = column.key.as_str();
        let rust_field = column.rust_name();
        quote!(::inflow::SchemaTag::__new(#key, #rust_field))
    });
    let field_items = fields.iter().map(|column| {
        let key = column.key.as_str();
        let rust_field = column.rust_name();
        let rust_type = column.rust_type();
        let ty = column.ty;
        let field_type = quote_spanned!(column.type_span()=> <#ty as ::inflow::FieldValue>::TYPE);
        quote!(::inflow::SchemaField::__new(#key, #rust_field, #rust_type, #field_type))
    });
    let has_timestamp = data.timestamp().is_some();
    quote! {
        ::inflow::Schema::__new(
            #rust_type,
            #measurement,
            &[#(#tag_keys),*],
            &[#(#field_keys),*],
            &[#(#tag_items),*],
            &[#(#field_items),*],
            #has_timestamp,
        )
    }
}
