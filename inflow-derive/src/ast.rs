//! The input as the derive sees it: a struct's columns (each Rust field with its role, wire
//! key, escaped key and type), or an enum's variants (each a measurement type of its own, or a
//! struct variant with its columns), keeping the original `syn` nodes for error spans.
//! Computed once, this table feeds the encoder, the `Schema` and `FromRow`.

use proc_macro2::Span;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{DeriveInput, Fields, Ident, LitStr, Type};

use crate::attr::{self, FieldAttrs};
use crate::ctxt::Ctxt;
use crate::keys::{self, Problem};

/// A derive input that can be a measurement.
pub(crate) struct Container<'a> {
    pub(crate) input: &'a DeriveInput,
    pub(crate) data: Data<'a>,
}

pub(crate) enum Data<'a> {
    Struct(Struct<'a>),
    /// An enum of measurements: each variant one kind of point.
    Enum(Vec<Variant<'a>>),
}

/// A variant of an enum of measurements.
pub(crate) struct Variant<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) kind: VariantKind<'a>,
}

pub(crate) enum VariantKind<'a> {
    /// `Cpu(CpuLoad)`: written and read by the inner type's own impls.
    Newtype(&'a Type),
    /// `Disk { ... }`: a measurement of its own, like a struct.
    Struct(Struct<'a>),
}

/// A struct with named fields: one measurement.
pub(crate) struct Struct<'a> {
    pub(crate) measurement: Measurement,
    /// Every field, in declaration order.
    pub(crate) columns: Vec<Column<'a>>,
}

/// The measurement name, where it comes from (the literal, or the type's name) and its
/// escaped bytes, or why it cannot be written.
pub(crate) struct Measurement {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) escaped: Result<Vec<u8>, Problem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Tag,
    Field,
    Timestamp,
    Skip,
}

/// One Rust field and what it is on the wire.
pub(crate) struct Column<'a> {
    pub(crate) ident: &'a Ident,
    /// The field's visibility, which its column handle copies.
    pub(crate) vis: &'a syn::Visibility,
    pub(crate) ty: &'a Type,
    pub(crate) role: Role,
    /// The key on the wire: the `rename` text, or the field's name without `r#`.
    pub(crate) key: String,
    /// The `rename` literal, or the field's name: where key errors point.
    pub(crate) key_span: Span,
    /// The key escaped for its role (empty for the timestamp and skipped fields), or why
    /// line protocol cannot carry it.
    pub(crate) escaped: Result<Vec<u8>, Problem>,
    pub(crate) attrs: FieldAttrs,
}

impl Column<'_> {
    pub(crate) fn renamed(&self) -> Option<&LitStr> {
        self.attrs.rename.as_ref()
    }

    /// The field's name without `r#`, as the schema names it.
    pub(crate) fn rust_name(&self) -> String {
        self.ident.unraw().to_string()
    }

    /// The field's type as written, for messages (`Option<f64>`).
    pub(crate) fn rust_type(&self) -> String {
        type_text(self.ty)
    }

    /// A span for the field's type, for errors about what the type must implement.
    pub(crate) fn type_span(&self) -> Span {
        self.ty.span()
    }
}

impl<'a> Struct<'a> {
    /// The tags or the fields, in the order they are written: sorted by key bytes.
    pub(crate) fn written(&self, role: Role) -> Vec<&Column<'a>> {
        let mut columns: Vec<&Column<'a>> =
            self.columns.iter().filter(|c| c.role == role).collect();
        columns.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
        columns
    }

    pub(crate) fn timestamp(&self) -> Option<&Column<'a>> {
        self.columns.iter().find(|c| c.role == Role::Timestamp)
    }
}

/// Reads the input, recording every problem of shape and attributes in `cx`. Returns `None`
/// when the input is not a struct with named fields.
pub(crate) fn container<'a>(cx: &mut Ctxt, input: &'a DeriveInput) -> Option<Container<'a>> {
    let data = match &input.data {
        syn::Data::Struct(data) => {
            let measurement = attr::container(cx, &input.attrs).measurement;
            Data::Struct(structure(cx, input, &data.fields, measurement)?)
        }
        syn::Data::Enum(data) => Data::Enum(enumeration(cx, input, data)?),
        syn::Data::Union(data) => {
            cx.error_at(
                data.union_token.span,
                "#[derive(Measurement)] works on structs with named fields, not on unions",
            );
            return None;
        }
    };
    Some(Container { input, data })
}

fn structure<'a>(
    cx: &mut Ctxt,
    input: &'a DeriveInput,
    fields: &'a Fields,
    measurement: Option<LitStr>,
) -> Option<Struct<'a>> {
    let named = match fields {
        Fields::Named(named) => named,
        Fields::Unnamed(unnamed) => {
            cx.error_spanned_by(
                unnamed,
                "#[derive(Measurement)] needs named fields: a tuple struct has no names to use as keys",
            );
            return None;
        }
        Fields::Unit => {
            cx.error_spanned_by(
                &input.ident,
                "#[derive(Measurement)] needs a struct with named fields, and a unit struct has none",
            );
            return None;
        }
    };
    Some(named_struct(cx, &input.ident, named, measurement))
}

/// A struct, or a struct variant: its measurement is the `measurement` literal, or else the
/// name of the type (or variant) in snake case.
fn named_struct<'a>(
    cx: &mut Ctxt,
    ident: &Ident,
    named: &'a syn::FieldsNamed,
    measurement: Option<LitStr>,
) -> Struct<'a> {
    let (name, span) = match measurement {
        Some(literal) => (literal.value(), literal.span()),
        None => (keys::snake_case(&ident.unraw().to_string()), ident.span()),
    };
    let columns = named
        .named
        .iter()
        .filter_map(|field| column(cx, field))
        .collect();
    Struct {
        measurement: Measurement {
            escaped: keys::measurement(&name),
            name,
            span,
        },
        columns,
    }
}

const VARIANT_SHAPES: &str = "each variant holds one measurement type (`Cpu(CpuLoad)`) or is a struct variant with named fields (`Disk { free: u64 }`)";

/// An enum of measurements. Its variants are read even after an error in one of them, so that
/// every mistake is reported at once.
fn enumeration<'a>(
    cx: &mut Ctxt,
    input: &'a DeriveInput,
    data: &'a syn::DataEnum,
) -> Option<Vec<Variant<'a>>> {
    attr::enum_container(cx, &input.attrs);
    for param in &input.generics.params {
        let (what, ident) = match param {
            syn::GenericParam::Type(ty) => ("type", &ty.ident),
            syn::GenericParam::Const(konst) => ("const", &konst.ident),
            syn::GenericParam::Lifetime(_) => continue,
        };
        cx.error_spanned_by(
            ident,
            format!(
                "an enum of measurements cannot have {what} parameters: the schemas of its \
                 variants are listed in a constant, which cannot depend on `{ident}`"
            ),
        );
    }
    if data.variants.is_empty() {
        cx.error_spanned_by(
            &input.ident,
            format!("an enum without variants has no point to write: {VARIANT_SHAPES}"),
        );
        return None;
    }
    Some(
        data.variants
            .iter()
            .filter_map(|variant| enum_variant(cx, variant))
            .collect(),
    )
}

fn enum_variant<'a>(cx: &mut Ctxt, variant: &'a syn::Variant) -> Option<Variant<'a>> {
    let measurement = attr::variant(cx, &variant.attrs).measurement;
    let ident = &variant.ident;
    let kind = match &variant.fields {
        Fields::Named(named) => VariantKind::Struct(named_struct(cx, ident, named, measurement)),
        Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1 => {
            let field = &unnamed.unnamed[0];
            if let Some(literal) = measurement {
                cx.error_spanned_by(
                    &literal,
                    format!(
                        "`measurement` does not apply to the newtype variant `{ident}`: it writes \
                         the points of its type, under that type's measurement name; set the name \
                         on the type, or make `{ident}` a struct variant"
                    ),
                );
            }
            if let Some(attr) = field.attrs.iter().find(|a| a.path().is_ident(attr::INFLOW)) {
                cx.error_spanned_by(
                    attr,
                    format!(
                        "the field of the newtype variant `{ident}` takes no inflow attribute: \
                         it is written as the point its type describes"
                    ),
                );
            }
            VariantKind::Newtype(&field.ty)
        }
        Fields::Unnamed(unnamed) => {
            let message = if unnamed.unnamed.is_empty() {
                format!("the variant `{ident}` holds nothing to write: {VARIANT_SHAPES}")
            } else {
                format!(
                    "the tuple variant `{ident}` holds {} values, but a tuple variant holds \
                     exactly one: the measurement type whose points it writes; for several \
                     values, make it a struct variant with named fields, whose names are the keys",
                    unnamed.unnamed.len()
                )
            };
            cx.error_spanned_by(unnamed, message);
            return None;
        }
        Fields::Unit => {
            cx.error_spanned_by(
                ident,
                format!(
                    "the unit variant `{ident}` has no point to write: {VARIANT_SHAPES}; for a \
                     closed set of tag values, derive `TagValue` instead"
                ),
            );
            return None;
        }
    };
    Some(Variant { ident, kind })
}

pub(crate) fn column<'a>(cx: &mut Ctxt, field: &'a syn::Field) -> Option<Column<'a>> {
    let ident = field.ident.as_ref()?;
    let attrs = attr::field(cx, &field.attrs);
    let role = if attrs.skip.is_set() {
        Role::Skip
    } else if attrs.timestamp.is_set() {
        Role::Timestamp
    } else if attrs.tag.is_set() {
        Role::Tag
    } else {
        Role::Field
    };
    let (key, key_span) = match &attrs.rename {
        Some(literal) => (literal.value(), literal.span()),
        None => (ident.unraw().to_string(), ident.span()),
    };
    let escaped = match role {
        Role::Tag => keys::tag_key(&key),
        Role::Field => keys::field_key(&key),
        Role::Timestamp | Role::Skip => Ok(Vec::new()),
    };
    Some(Column {
        ident,
        vis: &field.vis,
        ty: &field.ty,
        role,
        key,
        key_span,
        escaped,
        attrs,
    })
}

/// A type's tokens as a person writes them: `Option<f64>`, `&'a str`, `Vec<(u8, u8)>`.
pub(crate) fn type_text(ty: &Type) -> String {
    let spaced = ty.to_token_stream().to_string();
    let mut text = String::with_capacity(spaced.len());
    let mut chars = spaced.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let previous = text.chars().last();
            let next = chars.peek().copied();
            let glued = matches!(previous, Some('<' | '&' | '(' | '[' | ':' | '\''))
                || matches!(next, Some('<' | '>' | ',' | ')' | ']' | ':' | ';'))
                || (previous == Some('>') && next == Some('>'));
            if glued {
                continue;
            }
        }
        text.push(c);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::type_text;

    #[test]
    fn types_read_as_written() {
        for text in [
            "f64",
            "Option<f64>",
            "&'a str",
            "std::borrow::Cow<'static, str>",
            "Option<Vec<u8>>",
            "(u8, u8)",
            "[u8; 4]",
            "&mut T",
            "<T as Trait>::Assoc",
        ] {
            let ty: syn::Type = syn::parse_str(text).unwrap();
            assert_eq!(type_text(&ty), text);
        }
    }
}
