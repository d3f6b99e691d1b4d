//! Code generation of the write side: the `Measurement` impl, with names escaped and tags
//! ordered at compile time, so the generated encoder only copies byte-string literals and
//! formats values.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{DeriveInput, Ident, LitByteStr};

use crate::ast::{Column, Role, Struct, Variant, VariantKind};
use crate::{bound, schema};

/// For a struct: its schema, and its fields read through `self`.
pub(crate) fn measurement_impl(input: &DeriveInput, data: &Struct<'_>) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = bound::write(&input.generics, &data.columns);

    let measurement = data.measurement.name.as_str();
    let body = encode_body(data, &|column| {
        let member = column.ident;
        quote!(&self.#member)
    });
    let schema = schema::schema(&ident.unraw().to_string(), data, &|ty| quote!(#ty));

    quote! {
        #[automatically_derived]
        impl #impl_generics ::inflow::Measurement for #ident #ty_generics #where_clause {
            const SCHEMA: ::inflow::__private::Option<::inflow::Schema> =
                ::inflow::__private::Some(#schema);

            #[inline]
            fn measurement(&self) -> &::inflow::__private::str {
                #measurement
            }

            #[inline]
            fn encode(
                &self,
                __inflow_line: &mut ::inflow::__private::Line<'_>,
            ) -> ::inflow::__private::Result<(), ::inflow::__private::EncodeError> {
                #body
            }
        }
    }
}

/// For an enum of measurements: each variant's point, a newtype variant's by its type's impl.
/// The enum has no schema of its own; `SCHEMAS` lists every variant's (see
/// [`schema::enum_schemas`]).
pub(crate) fn enum_measurement_impl(input: &DeriveInput, variants: &[Variant<'_>]) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = bound::write(
        &input.generics,
        variants.iter().flat_map(|variant| match &variant.kind {
            VariantKind::Struct(data) => data.columns.as_slice(),
            VariantKind::Newtype(_) => &[],
        }),
    );
    let all_schemas = schema::all_schemas();
    let inner = Ident::new("__inflow_inner", Span::call_site());

    let mut names = Vec::new();
    let mut encodes = Vec::new();
    for variant in variants {
        let variant_ident = variant.ident;
        match &variant.kind {
            VariantKind::Newtype(ty) => {
                let span = syn::spanned::Spanned::span(ty);
                names.push(quote_spanned! {span=>
                    Self::#variant_ident(#inner) => <#ty as ::inflow::Measurement>::measurement(#inner),
                });
                encodes.push(quote_spanned! {span=>
                    Self::#variant_ident(#inner) => <#ty as ::inflow::Measurement>::encode(#inner, __inflow_line),
                });
            }
            VariantKind::Struct(data) => {
                let measurement = data.measurement.name.as_str();
                names.push(quote!(Self::#variant_ident { .. } => #measurement,));
                let bindings = data
                    .columns
                    .iter()
                    .filter(|column| column.role != Role::Skip)
                    .map(|column| {
                        let member = column.ident;
                        let binding = binding(column);
                        quote!(#member: #binding)
                    });
                let body = encode_body(data, &|column| {
                    let binding = binding(column);
                    quote!(#binding)
                });
                encodes.push(quote! {
                    Self::#variant_ident { #(#bindings,)* .. } => { #body }
                });
            }
        }
    }

    quote! {
        #[automatically_derived]
        impl #impl_generics ::inflow::Measurement for #ident #ty_generics #where_clause {
            const SCHEMA: ::inflow::__private::Option<::inflow::Schema> = ::inflow::__private::None;
            const SCHEMAS: &'static [::inflow::Schema] = &#all_schemas;

            #[inline]
            fn measurement(&self) -> &::inflow::__private::str {
                match self {
                    #(#names)*
                }
            }

            #[inline]
            fn encode(
                &self,
                __inflow_line: &mut ::inflow::__private::Line<'_>,
            ) -> ::inflow::__private::Result<(), ::inflow::__private::EncodeError> {
                match self {
                    #(#encodes)*
                }
            }
        }
    }
}

/// The local a struct variant's field is bound to: prefixed, so that it cannot name an item of
/// the user's (a unit struct or a constant in scope would turn the binding into a pattern).
fn binding(column: &Column<'_>) -> Ident {
    format_ident!("__inflow_{}", column.rust_name())
}

/// Writes one point of `data`: the measurement, the tags, the fields and the timestamp.
/// `value` gives a reference to a column's value.
fn encode_body(data: &Struct<'_>, value: &dyn Fn(&Column<'_>) -> TokenStream) -> TokenStream {
    let escaped_measurement = LitByteStr::new(
        data.measurement.escaped.as_deref().unwrap_or_default(),
        data.measurement.span,
    );
    let write_tags = write_calls(data, Role::Tag, value);
    let write_fields = write_calls(data, Role::Field, value);
    let write_timestamp = data.timestamp().map(|column| {
        let value = value(column);
        let ty = column.ty;
        quote_spanned! {column.type_span()=>
            __inflow_line.timestamp::<#ty>(#value)?;
        }
    });
    quote! {
        __inflow_line.static_measurement(#escaped_measurement);
        #(#write_tags)*
        #(#write_fields)*
        #write_timestamp
        ::inflow::__private::Ok(())
    }
}

/// Each tag or each field, in key order: a constant with its escaped key (`,key=`), and the
/// trait call, spanned at the field's type so that an unsupported type is reported there.
fn write_calls(
    data: &Struct<'_>,
    role: Role,
    value: &dyn Fn(&Column<'_>) -> TokenStream,
) -> Vec<TokenStream> {
    let (kind, value_trait, method, slot) = match role {
        Role::Tag => (
            "TAG",
            quote!(TagValue),
            quote!(write_tag),
            quote!(static_tag),
        ),
        _ => (
            "FIELD",
            quote!(FieldValue),
            quote!(write_field),
            quote!(static_field),
        ),
    };
    data.written(role)
        .into_iter()
        .enumerate()
        .map(|(index, column)| {
            let value = value(column);
            let ty = column.ty;
            let name = column.key.as_str();
            // The batch guards against backslashes in tag keys (see `StaticKey`).
            let has_backslash = role == Role::Tag && name.contains('\\');
            let constant = Ident::new(&format!("__INFLOW_{kind}_{index}"), Span::call_site());
            let mut escaped = vec![b','];
            escaped.extend(column.escaped.as_deref().unwrap_or_default());
            escaped.push(b'=');
            let escaped = LitByteStr::new(&escaped, column.key_span);
            let call = quote_spanned! {column.type_span()=>
                <#ty as ::inflow::#value_trait>::#method(#value, __inflow_line.#slot(&#constant))?;
            };
            quote! {
                const #constant: ::inflow::__private::StaticKey = ::inflow::__private::StaticKey {
                    name: #name,
                    escaped: #escaped,
                    has_backslash: #has_backslash,
                };
                #call
            }
        })
        .collect()
}
