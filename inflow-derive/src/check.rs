//! Rules across fields: one timestamp, at least one field, no clash or reserved key, and keys
//! that line protocol can represent.

use std::collections::HashMap;

use syn::Ident;

use crate::ast::{Container, Data, Role, Struct, Variant, VariantKind};
use crate::attr::{RENAME, SKIP, TAG, TIMESTAMP};
use crate::ctxt::Ctxt;

pub(crate) fn container(cx: &mut Ctxt, container: &Container<'_>) {
    match &container.data {
        Data::Struct(data) => structure(cx, &container.input.ident, data),
        Data::Enum(variants) => enumeration(cx, variants),
    }
}

/// Each struct variant as a struct, and no two struct variants of one measurement: a query
/// could not tell their series apart. (The measurement of a newtype variant is its type's,
/// unknown here: generated constant assertions compare it with the others.)
fn enumeration(cx: &mut Ctxt, variants: &[Variant<'_>]) {
    let mut seen: HashMap<&str, &Ident> = HashMap::new();
    for variant in variants {
        let VariantKind::Struct(data) = &variant.kind else {
            continue;
        };
        structure(cx, variant.ident, data);
        let name = data.measurement.name.as_str();
        if let Some(first) = seen.get(name) {
            cx.error_at(
                data.measurement.span,
                format!(
                    "the variants `{first}` and `{}` both write measurement {name:?}: a query \
                     could not tell their points apart; give one another name with \
                     `#[inflow(measurement = \"...\")]`",
                    variant.ident
                ),
            );
        } else {
            seen.insert(name, variant.ident);
        }
    }
}

fn structure(cx: &mut Ctxt, ident: &Ident, data: &Struct<'_>) {
    let measurement = &data.measurement;
    if let Err(problem) = &measurement.escaped {
        cx.error_at(
            measurement.span,
            format!("the measurement name {:?} {problem}", measurement.name),
        );
    }
    roles(cx, data);
    if !data.columns.iter().any(|f| f.role == Role::Field) {
        cx.error_spanned_by(
            ident,
            "a measurement needs at least one field: every field here is a tag, the timestamp or skipped",
        );
    }
    wire_keys(cx, data);
}

/// Attribute combinations that make no sense on one field, and a second timestamp.
pub(crate) fn roles(cx: &mut Ctxt, data: &Struct<'_>) {
    let mut timestamp = None;
    for field in &data.columns {
        let attrs = &field.attrs;
        if let (Some(_), Some(second)) = (attrs.tag.span(), attrs.timestamp.span()) {
            cx.error_at(
                second,
                format!("a field cannot be both `{TAG}` and `{TIMESTAMP}`: pick one"),
            );
        }
        if attrs.skip.is_set() {
            for (other, span) in [(TAG, attrs.tag.span()), (TIMESTAMP, attrs.timestamp.span())] {
                if let Some(span) = span {
                    cx.error_at(span, format!("a `{SKIP}` field cannot also be `{other}`"));
                }
            }
            if let Some(rename) = field.renamed() {
                cx.error_spanned_by(
                    rename,
                    format!("a `{SKIP}` field is never written, so `{RENAME}` has no effect"),
                );
            }
        }
        if field.role == Role::Timestamp {
            if let Some(rename) = field.renamed() {
                cx.error_spanned_by(
                    rename,
                    format!("the timestamp is always stored as `time`, so `{RENAME}` does not apply to it"),
                );
            }
            match timestamp {
                None => timestamp = Some(field.ident),
                Some(first) => cx.error_spanned_by(
                    field.ident,
                    format!(
                        "only one field can be `#[inflow({TIMESTAMP})]`, and `{first}` already is"
                    ),
                ),
            }
        }
    }
}

/// Keys that line protocol cannot represent, and two tags or fields with the same key.
fn wire_keys(cx: &mut Ctxt, data: &Struct<'_>) {
    let mut seen: HashMap<&str, (&Ident, Role)> = HashMap::new();
    for field in &data.columns {
        let what = match field.role {
            Role::Tag => "tag key",
            Role::Field => "field key",
            Role::Timestamp | Role::Skip => continue,
        };
        if let Err(problem) = &field.escaped {
            let message = if field.key == "time" {
                format!(
                    "`time` cannot be a {what}: InfluxDB reserves it for the timestamp; mark the \
                     field `#[inflow(timestamp)]` if it is the point's time, or give it another key \
                     with `#[inflow(rename = \"...\")]`"
                )
            } else {
                format!("the {what} {:?} {problem}", field.key)
            };
            cx.error_at(field.key_span, message);
            continue;
        }
        if let Some((first, first_role)) = seen.get(field.key.as_str()) {
            let first_what = if *first_role == Role::Tag {
                "tag"
            } else {
                "field"
            };
            cx.error_at(
                field.key_span,
                format!(
                    "duplicate key {:?}: the {first_what} `{first}` is already written with this key",
                    field.key
                ),
            );
        } else {
            seen.insert(&field.key, (field.ident, field.role));
        }
    }
}
