//! Code generation: the `Measurement` impl, with names escaped and tags ordered at compile
//! time, so the generated encoder only copies byte-string literals and formats values.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::{DeriveInput, GenericParam, Ident, LitByteStr, Type, WhereClause};

use crate::ast::{self, Container, Field, Role};
use crate::ctxt::Ctxt;
use crate::{check, keys};

pub(crate) fn expand(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let container = ast::container(&mut cx, input);
    if let Some(container) = &container {
        check::container(&mut cx, container);
    }
    match (cx.finish(), container) {
        (None, Some(container)) => measurement_impl(&container),
        (Some(errors), _) => {
            let mut tokens = errors.to_compile_error();
            tokens.extend(fallback_impl(input));
            tokens
        }
        (None, None) => fallback_impl(input),
    }
}

/// After errors: an impl that satisfies every use of the type, so the user sees only the
/// errors above and no cascade of "Measurement is not implemented".
fn fallback_impl(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::inflow::FromRow for #ident #ty_generics #where_clause {
                const COLUMNS: &'static [::inflow::query::Column] = &[];

                fn from_row(
                    _: &::inflow::query::Row<'_>,
                ) -> ::inflow::__private::Result<Self, ::inflow::Error> {
                    ::core::unreachable!()
                }
            }

            #[automatically_derived]
            impl #impl_generics ::inflow::Measurement for #ident #ty_generics #where_clause {
                const SCHEMA: ::inflow::__private::Option<::inflow::Schema> = ::inflow::__private::None;

                fn measurement(&self) -> &::inflow::__private::str {
                    ::core::unreachable!()
                }

                fn encode(
                    &self,
                    _: &mut ::inflow::__private::Line<'_>,
                ) -> ::inflow::__private::Result<(), ::inflow::__private::EncodeError> {
                    ::core::unreachable!()
                }
            }
        };
    }
}

fn measurement_impl(container: &Container<'_>) -> TokenStream {
    let input = container.input;
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = where_clause(container);

    let measurement = container.measurement.as_str();
    let escaped_measurement = byte_literal(
        &keys::measurement(measurement).unwrap_or_default(),
        container.measurement_span,
    );

    let mut tags: Vec<&Field<'_>> = by_role(container, Role::Tag);
    let mut fields: Vec<&Field<'_>> = by_role(container, Role::Field);
    tags.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    fields.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    let timestamp = container.fields.iter().find(|f| f.role == Role::Timestamp);

    let tag_keys = tags.iter().map(|f| f.key.as_str());
    let field_keys = fields.iter().map(|f| f.key.as_str());
    let has_timestamp = timestamp.is_some();

    let write_tags = tags.iter().enumerate().map(|(i, field)| {
        let mut escaped = vec![b','];
        escaped.extend(keys::tag_key(&field.key).unwrap_or_default());
        escaped.push(b'=');
        let has_backslash = field.key.contains('\\');
        write_call(
            field,
            i,
            "TAG",
            &escaped,
            has_backslash,
            quote!(TagValue),
            quote!(write_tag),
            quote!(static_tag),
        )
    });
    let write_fields = fields.iter().enumerate().map(|(i, field)| {
        let mut escaped = vec![b','];
        escaped.extend(keys::field_key(&field.key).unwrap_or_default());
        escaped.push(b'=');
        write_call(
            field,
            i,
            "FIELD",
            &escaped,
            false,
            quote!(FieldValue),
            quote!(write_field),
            quote!(static_field),
        )
    });
    let write_timestamp = timestamp.map(|field| {
        let member = field.ident;
        let ty = field.ty;
        quote_spanned! {ast::type_span(ty)=>
            line.timestamp::<#ty>(&self.#member)?;
        }
    });

    let from_row = crate::decode::from_row_impl(container);

    quote! {
        const _: () = {
            #from_row

            #[automatically_derived]
            impl #impl_generics ::inflow::Measurement for #ident #ty_generics #where_clause {
                const SCHEMA: ::inflow::__private::Option<::inflow::Schema> =
                    ::inflow::__private::Some(::inflow::Schema::__new(
                        #measurement,
                        &[#(#tag_keys),*],
                        &[#(#field_keys),*],
                        #has_timestamp,
                    ));

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
        };
    }
}

fn by_role<'c, 'a>(container: &'c Container<'a>, role: Role) -> Vec<&'c Field<'a>> {
    container.fields.iter().filter(|f| f.role == role).collect()
}

/// One tag or field: a constant with its escaped key, and the trait call, spanned at the
/// field's type so that an unsupported type is reported there.
#[allow(clippy::too_many_arguments)]
fn write_call(
    field: &Field<'_>,
    index: usize,
    kind: &str,
    escaped: &[u8],
    has_backslash: bool,
    value_trait: TokenStream,
    method: TokenStream,
    slot: TokenStream,
) -> TokenStream {
    let member = field.ident;
    let ty = field.ty;
    let name = field.key.as_str();
    let constant = Ident::new(&format!("__INFLOW_{kind}_{index}"), Span::call_site());
    let escaped = byte_literal(escaped, field.key_span);
    let call = quote_spanned! {ast::type_span(ty)=>
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
}

fn byte_literal(bytes: &[u8], span: Span) -> LitByteStr {
    LitByteStr::new(bytes, span)
}

/// The struct's where clause, plus a bound for every tag, field and timestamp type that
/// mentions a type parameter (`T: FieldValue` for `value: T`).
fn where_clause(container: &Container<'_>) -> Option<WhereClause> {
    let generics = &container.input.generics;
    let params: Vec<&Ident> = generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(ty) => Some(&ty.ident),
            _ => None,
        })
        .collect();
    let mut clause = generics.where_clause.clone();
    if params.is_empty() {
        return clause;
    }
    let clause = clause.get_or_insert_with(|| WhereClause {
        where_token: Default::default(),
        predicates: Default::default(),
    });
    for field in &container.fields {
        if !mentions_any(field.ty, &params) {
            continue;
        }
        let ty = field.ty;
        let bound = match field.role {
            Role::Tag => quote!(::inflow::TagValue),
            Role::Field => quote!(::inflow::FieldValue),
            Role::Timestamp => quote!(::inflow::Timestamp),
            Role::Skip => continue,
        };
        clause
            .predicates
            .push(syn::parse_quote_spanned!(ast::type_span(ty)=> #ty: #bound));
    }
    Some(clause.clone())
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
