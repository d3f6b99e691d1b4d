//! The struct as the derive sees it: each field with its role and wire key, keeping the
//! original `syn` nodes for error spans.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type};

use crate::attr::{self, ContainerAttrs, FieldAttrs};
use crate::ctxt::Ctxt;
use crate::keys;

pub(crate) struct Container<'a> {
    pub(crate) input: &'a DeriveInput,
    /// The measurement name and where it comes from (the literal, or the struct's name).
    pub(crate) measurement: String,
    pub(crate) measurement_span: Span,
    pub(crate) fields: Vec<Field<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Tag,
    Field,
    Timestamp,
    Skip,
}

pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    pub(crate) role: Role,
    /// The key on the wire: the `rename` text, or the field's name without `r#`.
    pub(crate) key: String,
    /// The `rename` literal, or the field's name: where key errors point.
    pub(crate) key_span: Span,
    pub(crate) attrs: FieldAttrs,
}

impl Field<'_> {
    pub(crate) fn renamed(&self) -> Option<&LitStr> {
        self.attrs.rename.as_ref()
    }
}

/// Reads the struct, recording every problem of shape and attributes in `cx`. Returns `None`
/// when the input is not a struct with named fields.
pub(crate) fn container<'a>(cx: &mut Ctxt, input: &'a DeriveInput) -> Option<Container<'a>> {
    let ContainerAttrs { measurement } = attr::container(cx, &input.attrs);
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named),
            Fields::Unnamed(unnamed) => {
                cx.error_spanned_by(
                    unnamed,
                    "#[derive(Measurement)] needs named fields: a tuple struct has no names to use as keys",
                );
                None
            }
            Fields::Unit => {
                cx.error_spanned_by(
                    &input.ident,
                    "#[derive(Measurement)] needs a struct with named fields, and a unit struct has none",
                );
                None
            }
        },
        Data::Enum(data) => {
            cx.error_at(
                data.enum_token.span,
                "#[derive(Measurement)] works on structs with named fields, not on enums",
            );
            None
        }
        Data::Union(data) => {
            cx.error_at(
                data.union_token.span,
                "#[derive(Measurement)] works on structs with named fields, not on unions",
            );
            None
        }
    };
    let (measurement, measurement_span) = match measurement {
        Some(literal) => (literal.value(), literal.span()),
        None => (
            keys::snake_case(&input.ident.unraw().to_string()),
            input.ident.span(),
        ),
    };
    let fields = named?
        .named
        .iter()
        .filter_map(|field| {
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
            Some(Field {
                ident,
                ty: &field.ty,
                role,
                key,
                key_span,
                attrs,
            })
        })
        .collect();
    Some(Container {
        input,
        measurement,
        measurement_span,
        fields,
    })
}

/// A span for a field's type, for errors about what the type must implement.
pub(crate) fn type_span(ty: &Type) -> Span {
    ty.span()
}
