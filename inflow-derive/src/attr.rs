//! Parsing of `#[inflow(...)]` attributes: on a struct, an enum of measurements, a variant and
//! a field.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Lit, LitStr, Token};

use crate::ctxt::Ctxt;

/// The one attribute namespace.
pub(crate) const INFLOW: &str = "inflow";
/// `#[inflow(measurement = "...")]` on the struct.
pub(crate) const MEASUREMENT: &str = "measurement";
/// `#[inflow(tag)]` on a field.
pub(crate) const TAG: &str = "tag";
/// `#[inflow(timestamp)]` on a field.
pub(crate) const TIMESTAMP: &str = "timestamp";
/// `#[inflow(rename = "...")]` on a field.
pub(crate) const RENAME: &str = "rename";
/// `#[inflow(skip)]` on a field.
pub(crate) const SKIP: &str = "skip";

const STRUCT_ATTRIBUTES: &str = "the struct takes `measurement = \"...\"`";
const VARIANT_ATTRIBUTES: &str =
    "a struct variant takes `measurement = \"...\"`, and its fields the field attributes";
const ENUM_ATTRIBUTES: &str = "an enum of measurements takes no inflow attribute: name each struct variant's measurement with `#[inflow(measurement = \"...\")]` on the variant; a newtype variant writes its type's measurement";
const FIELD_ATTRIBUTES: &str = "a field takes `tag`, `timestamp`, `rename = \"...\"` or `skip`";

/// A flag attribute and where it was written.
#[derive(Default)]
pub(crate) struct Flag(Option<Span>);

impl Flag {
    pub(crate) fn span(&self) -> Option<Span> {
        self.0
    }

    pub(crate) fn is_set(&self) -> bool {
        self.0.is_some()
    }
}

/// The attributes of the struct.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    pub(crate) measurement: Option<LitStr>,
}

/// The attributes of one field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) tag: Flag,
    pub(crate) timestamp: Flag,
    pub(crate) skip: Flag,
    pub(crate) rename: Option<LitStr>,
}

pub(crate) fn container(cx: &mut Ctxt, attrs: &[Attribute]) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for_each_inflow_meta(cx, attrs, |cx, meta, name| {
        match name.as_str() {
            MEASUREMENT => {
                let value = string_value(cx, meta, MEASUREMENT)?;
                set_once(cx, &mut out.measurement, value, meta, MEASUREMENT);
            }
            TAG | TIMESTAMP | RENAME | SKIP => {
                skip_value(meta)?;
                cx.error_spanned_by(
                    &meta.path,
                    format!(
                        "inflow attribute `{name}` belongs on a field, not on the struct; {STRUCT_ATTRIBUTES}"
                    ),
                );
            }
            _ => unknown(cx, meta, &name, STRUCT_ATTRIBUTES)?,
        }
        Ok(())
    });
    out
}

/// The attributes of an enum of measurements: none, but a misplaced one is named.
pub(crate) fn enum_container(cx: &mut Ctxt, attrs: &[Attribute]) {
    for_each_inflow_meta(cx, attrs, |cx, meta, name| {
        skip_value(meta)?;
        let message = match name.as_str() {
            MEASUREMENT => format!(
                "inflow attribute `{MEASUREMENT}` does not apply to an enum; {ENUM_ATTRIBUTES}"
            ),
            TAG | TIMESTAMP | RENAME | SKIP => format!(
                "inflow attribute `{name}` belongs on a field of a struct variant, not on the enum; {ENUM_ATTRIBUTES}"
            ),
            _ => format!("unknown inflow attribute `{name}`; {ENUM_ATTRIBUTES}"),
        };
        cx.error_spanned_by(&meta.path, message);
        Ok(())
    });
}

/// The attributes of a variant of an enum of measurements.
pub(crate) fn variant(cx: &mut Ctxt, attrs: &[Attribute]) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for_each_inflow_meta(cx, attrs, |cx, meta, name| {
        match name.as_str() {
            MEASUREMENT => {
                let value = string_value(cx, meta, MEASUREMENT)?;
                set_once(cx, &mut out.measurement, value, meta, MEASUREMENT);
            }
            RENAME => {
                skip_value(meta)?;
                cx.error_spanned_by(
                    &meta.path,
                    format!(
                        "inflow attribute `{RENAME}` renames a field, not a variant; to name the variant's measurement, write `{MEASUREMENT} = \"...\"`"
                    ),
                );
            }
            TAG | TIMESTAMP | SKIP => {
                skip_value(meta)?;
                cx.error_spanned_by(
                    &meta.path,
                    format!(
                        "inflow attribute `{name}` belongs on a field of a struct variant, not on a variant; {VARIANT_ATTRIBUTES}"
                    ),
                );
            }
            _ => unknown(cx, meta, &name, VARIANT_ATTRIBUTES)?,
        }
        Ok(())
    });
    out
}

pub(crate) fn field(cx: &mut Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for_each_inflow_meta(cx, attrs, |cx, meta, name| {
        match name.as_str() {
            TAG => set_flag(cx, &mut out.tag, meta, TAG)?,
            TIMESTAMP => set_flag(cx, &mut out.timestamp, meta, TIMESTAMP)?,
            SKIP => set_flag(cx, &mut out.skip, meta, SKIP)?,
            RENAME => {
                let value = string_value(cx, meta, RENAME)?;
                set_once(cx, &mut out.rename, value, meta, RENAME);
            }
            MEASUREMENT => {
                skip_value(meta)?;
                cx.error_spanned_by(
                    &meta.path,
                    format!(
                        "inflow attribute `measurement` belongs on the struct, not on a field; {FIELD_ATTRIBUTES}"
                    ),
                );
            }
            _ => unknown(cx, meta, &name, FIELD_ATTRIBUTES)?,
        }
        Ok(())
    });
    out
}

/// Calls `handle` for every item inside every `#[inflow(...)]`, recording syntax errors.
fn for_each_inflow_meta(
    cx: &mut Ctxt,
    attrs: &[Attribute],
    mut handle: impl FnMut(&mut Ctxt, &ParseNestedMeta<'_>, String) -> syn::Result<()>,
) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(INFLOW)) {
        if let syn::Meta::Path(path) = &attr.meta {
            cx.error_spanned_by(
                path,
                format!("expected `#[inflow(...)]`: {FIELD_ATTRIBUTES}, {STRUCT_ATTRIBUTES}"),
            );
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            let path = &meta.path;
            let name = quote::quote!(#path).to_string().replace(' ', "");
            handle(cx, &meta, name)
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
}

fn unknown(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>, name: &str, known: &str) -> syn::Result<()> {
    skip_value(meta)?;
    cx.error_spanned_by(
        &meta.path,
        format!("unknown inflow attribute `{name}`; {known}"),
    );
    Ok(())
}

/// Consumes `= value` or `(...)` after an attribute name so parsing can go on after an error.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

fn set_flag(
    cx: &mut Ctxt,
    flag: &mut Flag,
    meta: &ParseNestedMeta<'_>,
    name: &str,
) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        skip_value(meta)?;
        cx.error_spanned_by(
            &meta.path,
            format!("inflow attribute `{name}` takes no value: write `#[inflow({name})]`"),
        );
        return Ok(());
    }
    if flag.is_set() {
        cx.error_spanned_by(&meta.path, format!("duplicate inflow attribute `{name}`"));
    } else {
        flag.0 = Some(meta.path.span());
    }
    Ok(())
}

pub(crate) fn set_once(
    cx: &mut Ctxt,
    slot: &mut Option<LitStr>,
    value: Option<LitStr>,
    meta: &ParseNestedMeta<'_>,
    name: &str,
) {
    let Some(value) = value else { return };
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("duplicate inflow attribute `{name}`"));
    } else {
        *slot = Some(value);
    }
}

/// Parses `= "text"`; anything else is recorded as an error and gives `None`.
pub(crate) fn string_value(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    name: &str,
) -> syn::Result<Option<LitStr>> {
    if !meta.input.peek(Token![=]) {
        skip_value(meta)?;
        cx.error_spanned_by(
            &meta.path,
            format!("inflow attribute `{name}` needs a string: write `{name} = \"...\"`"),
        );
        return Ok(None);
    }
    let value: syn::Expr = meta.value()?.parse()?;
    match &value {
        syn::Expr::Lit(syn::ExprLit {
            lit: Lit::Str(text),
            ..
        }) => Ok(Some(text.clone())),
        _ => {
            cx.error_spanned_by(
                &value,
                format!(
                    "inflow attribute `{name}` needs a string literal: write `{name} = \"...\"`"
                ),
            );
            Ok(None)
        }
    }
}
