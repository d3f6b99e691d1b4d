//! Code generation of the write side: the `Measurement` impl, with names escaped and tags
//! ordered at compile time, so the generated encoder only copies byte-string literals and
//! formats values.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{DeriveInput, Ident, LitByteStr};

use crate::ast::{Role, Struct};
use crate::{bound, schema};

pub(crate) fn measurement_impl(input: &DeriveInput, data: &Struct<'_>) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = bound::write(&input.generics, &data.columns);

    let measurement = data.measurement.name.as_str();
    let escaped_measurement = LitByteStr::new(
        data.measurement.escaped.as_deref().unwrap_or_default(),
        data.measurement.span,
    );
    let write_tags = write_calls(data, Role::Tag);
    let write_fields = write_calls(data, Role::Field);
    let write_timestamp = data.timestamp().map(|column| {
        let member = column.ident;
        let ty = column.ty;
        quote_spanned! {column.type_span()=>
            line.timestamp::<#ty>(&self.#member)?;
        }
    });
    let schema = schema::schema(ident, data);

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
                line: &mut ::inflow::__private::Line<'_>,
            ) -> ::inflow::__private::Result<(), ::inflow::__private::EncodeError> {
                line.static_measurement(#escaped_measurement);
                #(#write_tags)*
                #(#write_fields)*
                #write_timestamp
                ::inflow::__private::Ok(())
            }
        }
    }
}

/// Each tag or each field, in key order: a constant with its escaped key (`,key=`), and the
/// trait call, spanned at the field's type so that an unsupported type is reported there.
fn write_calls<'c>(data: &'c Struct<'_>, role: Role) -> impl Iterator<Item = TokenStream> + 'c {
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
        .map(move |(index, column)| {
            let member = column.ident;
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
                <#ty as ::inflow::#value_trait>::#method(&self.#member, line.#slot(&#constant))?;
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
}
