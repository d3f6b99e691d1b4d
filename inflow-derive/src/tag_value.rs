//! `#[derive(TagValue)]` on an enum of unit variants: a closed set of tag texts, written by
//! `TagValue`, read back by `FromTagValue` and compared in typed queries by `TagColumn`, checked at
//! compile time.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt as _;
use syn::{Attribute, Data, DeriveInput, Fields, Ident, LitStr};

use crate::attr::{self, INFLOW, RENAME};
use crate::ctxt::Ctxt;
use crate::keys;

/// `#[inflow(rename_all = "...")]` on the enum.
const RENAME_ALL: &str = "rename_all";
const ENUM_ATTRIBUTES: &str = "the enum takes `rename_all = \"...\"`";
const VARIANT_ATTRIBUTES: &str = "a variant takes `rename = \"...\"`";

/// The cases `rename_all` accepts, in the order the error message lists them.
const CASES: [&str; 7] = [
    "snake_case",
    "kebab-case",
    "lowercase",
    "UPPERCASE",
    "camelCase",
    "PascalCase",
    "SCREAMING_SNAKE_CASE",
];

/// One variant and the tag text it is written as.
pub(crate) struct Variant<'a> {
    ident: &'a Ident,
    text: String,
}

/// The variants and their texts, or `None` when the input is not an enum.
pub(crate) fn variants<'a>(cx: &mut Ctxt, input: &'a DeriveInput) -> Option<Vec<Variant<'a>>> {
    let data = match &input.data {
        Data::Enum(data) => data,
        Data::Struct(data) => {
            cx.error_spanned_by(
                data.struct_token,
                "`#[derive(TagValue)]` needs an enum of unit variants, not a struct",
            );
            return None;
        }
        Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "`#[derive(TagValue)]` needs an enum of unit variants, not a union",
            );
            return None;
        }
    };
    let rename_all = enum_attrs(cx, &input.attrs);
    if data.variants.is_empty() {
        cx.error_spanned_by(
            &input.ident,
            "an enum without variants has no value to write as a tag: add a variant",
        );
    }
    let mut out = Vec::with_capacity(data.variants.len());
    let mut seen: HashMap<String, &Ident> = HashMap::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            cx.error_spanned_by(
                &variant.fields,
                format!(
                    "the variant `{}` has fields: a tag is one of a closed set of texts, so every variant must be a unit variant",
                    variant.ident
                ),
            );
        }
        let rename = variant_attrs(cx, &variant.attrs);
        // An error about the text points at the string that made it.
        let (text, span) = match &rename {
            Some(text) => (text.value(), text.span()),
            None => {
                let name = variant.ident.unraw().to_string();
                let text = rename_all
                    .as_ref()
                    .map_or_else(|| name.clone(), |(case, _)| convert(case, &name));
                let span = rename_all
                    .as_ref()
                    .map_or(variant.ident.span(), |(_, lit)| lit.span());
                (text, span)
            }
        };
        if let Err(problem) = check_text(&text) {
            cx.error_at(
                span,
                format!(
                    "the tag text {text:?} of variant `{}` {problem}",
                    variant.ident
                ),
            );
        } else if let Some(first) = seen.get(&text) {
            cx.error_at(
                rename.as_ref().map_or(variant.ident.span(), LitStr::span),
                format!(
                    "the variants `{first}` and `{}` are both written as {text:?}: a tag text must name one variant; use `rename = \"...\"` on one of them",
                    variant.ident
                ),
            );
        } else {
            seen.insert(text.clone(), &variant.ident);
        }
        out.push(Variant {
            ident: &variant.ident,
            text,
        });
    }
    Some(out)
}

/// Why `text` cannot be a tag value, as the end of a sentence.
fn check_text(text: &str) -> Result<(), &'static str> {
    if text.is_empty() {
        Err("is empty: the server keeps no empty tag value, so it would read back as absent")
    } else if text.contains('\n') {
        Err("holds a line feed, which line protocol cannot carry in a tag value")
    } else if text.ends_with('\\') {
        Err("ends with a backslash, which would escape the character after it in line protocol")
    } else {
        Ok(())
    }
}

/// `rename_all`, with the string it was written as; `None` when absent or invalid.
fn enum_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> Option<(String, LitStr)> {
    let mut rename_all: Option<LitStr> = None;
    for_each_meta(cx, attrs, ENUM_ATTRIBUTES, |cx, meta, name| {
        match name.as_str() {
            RENAME_ALL => {
                let value = attr::string_value(cx, meta, RENAME_ALL)?;
                attr::set_once(cx, &mut rename_all, value, meta, RENAME_ALL);
            }
            RENAME => {
                attr::skip_value(meta)?;
                cx.error_spanned_by(
                    &meta.path,
                    format!("inflow attribute `rename` belongs on a variant, not on the enum; {ENUM_ATTRIBUTES}"),
                );
            }
            _ => unknown(cx, meta, &name, ENUM_ATTRIBUTES)?,
        }
        Ok(())
    });
    let lit = rename_all?;
    let case = lit.value();
    if CASES.contains(&case.as_str()) {
        Some((case, lit))
    } else {
        let known = CASES.map(|case| format!("{case:?}")).join(", ");
        cx.error_spanned_by(
            &lit,
            format!("unknown case {case:?} for `rename_all`; it takes one of {known}"),
        );
        None
    }
}

fn variant_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> Option<LitStr> {
    let mut rename = None;
    for_each_meta(cx, attrs, VARIANT_ATTRIBUTES, |cx, meta, name| {
        match name.as_str() {
            RENAME => {
                let value = attr::string_value(cx, meta, RENAME)?;
                attr::set_once(cx, &mut rename, value, meta, RENAME);
            }
            RENAME_ALL => {
                attr::skip_value(meta)?;
                cx.error_spanned_by(
                    &meta.path,
                    format!("inflow attribute `rename_all` belongs on the enum, not on a variant; {VARIANT_ATTRIBUTES}"),
                );
            }
            _ => unknown(cx, meta, &name, VARIANT_ATTRIBUTES)?,
        }
        Ok(())
    });
    rename
}

/// Calls `handle` for every item inside every `#[inflow(...)]`, recording syntax errors.
fn for_each_meta(
    cx: &mut Ctxt,
    attrs: &[Attribute],
    known: &str,
    mut handle: impl FnMut(&mut Ctxt, &syn::meta::ParseNestedMeta<'_>, String) -> syn::Result<()>,
) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(INFLOW)) {
        if let syn::Meta::Path(path) = &attr.meta {
            cx.error_spanned_by(path, format!("expected `#[inflow(...)]`: {known}"));
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            let path = &meta.path;
            let name = quote!(#path).to_string().replace(' ', "");
            handle(cx, &meta, name)
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
}

fn unknown(
    cx: &mut Ctxt,
    meta: &syn::meta::ParseNestedMeta<'_>,
    name: &str,
    known: &str,
) -> syn::Result<()> {
    attr::skip_value(meta)?;
    cx.error_spanned_by(
        &meta.path,
        format!("unknown inflow attribute `{name}`; {known}"),
    );
    Ok(())
}

/// A variant's name in `case`, one of [`CASES`]. Words are split as for measurement names
/// (`HTTPRequest` is `HTTP` and `Request`).
fn convert(case: &str, name: &str) -> String {
    let snake = keys::snake_case(name);
    let words = snake.split('_').filter(|word| !word.is_empty());
    let capitalized = |word: &str| {
        let mut chars = word.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect()
        })
    };
    match case {
        "snake_case" => words.collect::<Vec<_>>().join("_"),
        "kebab-case" => words.collect::<Vec<_>>().join("-"),
        "SCREAMING_SNAKE_CASE" => words.collect::<Vec<_>>().join("_").to_uppercase(),
        "lowercase" => name.to_lowercase(),
        "UPPERCASE" => name.to_uppercase(),
        "camelCase" => words
            .enumerate()
            .map(|(i, word)| {
                if i == 0 {
                    word.to_owned()
                } else {
                    capitalized(word)
                }
            })
            .collect(),
        _ => words.map(capitalized).collect(),
    }
}

pub(crate) fn tag_value_impl(input: &DeriveInput, variants: &[Variant<'_>]) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let idents: Vec<&Ident> = variants.iter().map(|variant| variant.ident).collect();
    let texts: Vec<&str> = variants
        .iter()
        .map(|variant| variant.text.as_str())
        .collect();
    let allowed = texts
        .iter()
        .map(|text| format!("{text:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let expected = format!("{} (one of {allowed})", ident.unraw());
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::inflow::TagValue for #ident #ty_generics #where_clause {
                #[inline]
                fn write_tag(
                    &self,
                    tag: ::inflow::line_protocol::TagSlot<'_, '_>,
                ) -> ::inflow::__private::Result<(), ::inflow::__private::EncodeError> {
                    tag.str(match self {
                        #(Self::#idents => #texts,)*
                    })
                }
            }

            #[automatically_derived]
            impl #impl_generics ::inflow::query::FromTagValue for #ident #ty_generics #where_clause {
                const EXPECTED: &'static ::inflow::__private::str = #expected;

                fn from_tag_value(
                    text: ::inflow::__private::Option<&::inflow::__private::str>,
                ) -> ::inflow::__private::Result<Self, ::inflow::__private::String> {
                    ::inflow::__private::typed_tag(text, |text| match text {
                        #(#texts => ::inflow::__private::Some(Self::#idents),)*
                        _ => ::inflow::__private::None,
                    })
                }
            }

            #[automatically_derived]
            impl #impl_generics ::inflow::query::TagColumn for #ident #ty_generics #where_clause {
                type Arg<'v> = Self;

                fn tag_text(
                    arg: Self,
                ) -> ::inflow::__private::Result<::inflow::__private::String, ::inflow::__private::String> {
                    ::inflow::__private::Ok(::inflow::__private::String::from(match arg {
                        #(Self::#idents => #texts,)*
                    }))
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case() {
        let expect = [
            ("snake_case", ["http_request", "low", "cpu2_load"]),
            ("kebab-case", ["http-request", "low", "cpu2-load"]),
            ("lowercase", ["httprequest", "low", "cpu2load"]),
            ("UPPERCASE", ["HTTPREQUEST", "LOW", "CPU2LOAD"]),
            ("camelCase", ["httpRequest", "low", "cpu2Load"]),
            ("PascalCase", ["HttpRequest", "Low", "Cpu2Load"]),
            ("SCREAMING_SNAKE_CASE", ["HTTP_REQUEST", "LOW", "CPU2_LOAD"]),
        ];
        assert_eq!(expect.map(|(case, _)| case), CASES);
        for (case, texts) in expect {
            for (name, text) in ["HTTPRequest", "Low", "Cpu2Load"].into_iter().zip(texts) {
                assert_eq!(convert(case, name), text, "{name} in {case}");
            }
        }
        assert_eq!(convert("camelCase", "ÄrgerMeter"), "ärgerMeter");
        assert_eq!(convert("SCREAMING_SNAKE_CASE", "ÄrgerMeter"), "ÄRGER_METER");
    }

    #[test]
    fn tag_texts() {
        assert!(check_text("low").is_ok());
        assert!(check_text("a b,c=d\\e").is_ok());
        assert!(check_text("").is_err());
        assert!(check_text("a\nb").is_err());
        assert!(check_text("a\\").is_err());
    }
}
