//! Code generation of the `Schema` constants: the measurement, and each tag and field with the
//! Rust field it comes from. A field's line-protocol type is its type's `FieldValue::TYPE`,
//! read by the compiler, so that a generic or user-defined type says its own.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Type};

use crate::ast::{self, Role, Struct, Variant, VariantKind};
use crate::bound;

/// The constant holding every schema of an enum of measurements, in variant order.
pub(crate) fn all_schemas() -> Ident {
    Ident::new("__INFLOW_SCHEMAS", Span::call_site())
}

/// The constant holding the schemas of the variant at `index`.
pub(crate) fn variant_schemas(index: usize) -> Ident {
    format_ident!("__INFLOW_VARIANT_{}", index)
}

/// A `Schema` expression for `data`, whose Rust type is named `rust_type`; `ty` writes a
/// column's type as the expression can name it.
pub(crate) fn schema(
    rust_type: &str,
    data: &Struct<'_>,
    ty: &dyn Fn(&Type) -> TokenStream,
) -> TokenStream {
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
        let ty = ty(column.ty);
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

/// For an enum of measurements, constants outside its impls: the schemas of each variant (a
/// newtype variant's are its type's `SCHEMAS`; a struct variant's is named `Enum::Variant`),
/// all of them in one array, and an assertion that no two variants share a measurement where
/// one of them is a newtype variant, whose measurement is only known to the compiler. The
/// constants name types with `'static` for every lifetime: they cannot name the enum's
/// lifetimes, and no schema depends on one.
pub(crate) fn enum_schemas(input: &DeriveInput, variants: &[Variant<'_>]) -> TokenStream {
    let enum_name = input.ident.unraw().to_string();
    let mut constants = Vec::new();
    let mut names = Vec::new();
    for (index, variant) in variants.iter().enumerate() {
        let name = variant_schemas(index);
        let value = match &variant.kind {
            VariantKind::Newtype(ty) => {
                let ty = bound::static_lifetimes(ty);
                quote_spanned!(ty_span(variant)=> <#ty as ::inflow::Measurement>::SCHEMAS)
            }
            VariantKind::Struct(data) => {
                let rust_type = format!("{enum_name}::{}", variant.ident.unraw());
                let schema = schema(&rust_type, data, &bound::static_lifetimes);
                quote!(&[#schema])
            }
        };
        constants.push(quote! {
            const #name: &[::inflow::Schema] = #value;
        });
        names.push(name);
    }
    let all = all_schemas();
    let mut assertions = Vec::new();
    for (later, variant) in variants.iter().enumerate() {
        for (earlier, first) in variants.iter().enumerate().take(later) {
            if let Some(message) = shared_measurement_message(first, variant) {
                let (a, b) = (&names[earlier], &names[later]);
                assertions.push(quote_spanned! {ty_span(variant)=>
                    const _: () = ::core::assert!(
                        !::inflow::__private::share_a_measurement(#a, #b),
                        "{}",
                        #message,
                    );
                });
            }
        }
    }
    quote! {
        #(#constants)*
        const #all: [::inflow::Schema; 0 #(+ #names.len())*] =
            ::inflow::__private::concat_schemas(&[#(#names),*]);
        #(#assertions)*
    }
}

/// What to say when `first` and `later` write the same measurement, if only the compiler can
/// tell (two struct variants are compared by the derive itself).
fn shared_measurement_message(first: &Variant<'_>, later: &Variant<'_>) -> Option<String> {
    let describe = |variant: &Variant<'_>| match &variant.kind {
        VariantKind::Newtype(ty) => format!(
            "`{}` (through its type `{}`)",
            variant.ident,
            ast::type_text(ty)
        ),
        VariantKind::Struct(data) => format!("`{}` ({:?})", variant.ident, data.measurement.name),
    };
    match (&first.kind, &later.kind) {
        (VariantKind::Struct(_), VariantKind::Struct(_)) => None,
        _ => Some(format!(
            "the variants {} and {} write the same measurement: a query could not tell their \
             points apart; give one of them another measurement name",
            describe(first),
            describe(later)
        )),
    }
}

/// Where an error about a variant points: its type for a newtype variant, else its name.
fn ty_span(variant: &Variant<'_>) -> Span {
    match &variant.kind {
        VariantKind::Newtype(ty) => ty.span(),
        VariantKind::Struct(_) => variant.ident.span(),
    }
}
