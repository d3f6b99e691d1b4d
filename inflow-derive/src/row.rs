//! `#[derive(FromRow)]`: a read-only row, such as the rows of an aggregate. Its fields are
//! read by key like a measurement's, through the same column table and the same `FromRow`
//! generation; a row has no measurement name and need not have a field (a row of tags).

use std::collections::HashMap;

use proc_macro2::Span;
use syn::{DeriveInput, Fields, Ident};

use crate::ast::{self, Column, Measurement, Role, Struct};
use crate::attr::{self, MEASUREMENT, TIMESTAMP};
use crate::check;
use crate::ctxt::Ctxt;

/// The key of the time column: a field of this name (or renamed to it) is the row's time.
const TIME: &str = "time";

/// Reads and checks a row struct, recording every problem in `cx`.
pub(crate) fn row<'a>(cx: &mut Ctxt, input: &'a DeriveInput) -> Option<Struct<'a>> {
    let fields = match &input.data {
        syn::Data::Struct(data) => &data.fields,
        syn::Data::Enum(data) => {
            cx.error_at(
                data.enum_token.span,
                "#[derive(FromRow)] works on structs with named fields, not on enums: to read \
                 the series of several measurements, derive `Measurement` on an enum of them",
            );
            return None;
        }
        syn::Data::Union(data) => {
            cx.error_at(
                data.union_token.span,
                "#[derive(FromRow)] works on structs with named fields, not on unions",
            );
            return None;
        }
    };
    let Fields::Named(named) = fields else {
        cx.error_spanned_by(
            &input.ident,
            "#[derive(FromRow)] needs named fields: a row reads each field by its name (or its \
             `rename`)",
        );
        return None;
    };
    if let Some(measurement) = attr::container(cx, &input.attrs).measurement {
        cx.error_spanned_by(
            measurement,
            format!(
                "inflow attribute `{MEASUREMENT}` does not apply to a row: a row is read from \
                 any series of a query; derive `Measurement` for a type that is written"
            ),
        );
    }
    let mut columns: Vec<Column<'a>> = named
        .named
        .iter()
        .filter_map(|field| ast::column(cx, field))
        .collect();
    time_by_name(cx, &mut columns);
    let data = Struct {
        // Never written: a row has no measurement.
        measurement: Measurement {
            name: String::new(),
            span: Span::call_site(),
            escaped: Ok(Vec::new()),
        },
        columns,
    };
    check::roles(cx, &data);
    distinct_keys(cx, &data);
    Some(data)
}

/// A field named `time` is the row's time, as if marked `#[inflow(timestamp)]`: the server
/// names the time column so. Another key cannot be `time`.
fn time_by_name(cx: &mut Ctxt, columns: &mut [Column<'_>]) {
    let mut marked = columns
        .iter()
        .find(|column| column.role == Role::Timestamp)
        .map(|column| column.ident.clone());
    for column in columns.iter_mut() {
        if column.key != TIME {
            continue;
        }
        let named_time = column.role == Role::Field && column.renamed().is_none();
        match &marked {
            None if named_time => {
                column.role = Role::Timestamp;
                marked = Some(column.ident.clone());
            }
            Some(first) if named_time => cx.error_at(
                column.key_span,
                format!(
                    "a field named `{TIME}` is the row's time, and `{first}` already is \
                     `#[inflow({TIMESTAMP})]`: rename one of them"
                ),
            ),
            _ if column.role == Role::Timestamp => {}
            _ => cx.error_at(
                column.key_span,
                format!(
                    "`{TIME}` is the row's time, not a tag or a field: name the field `{TIME}` or \
                     mark it `#[inflow({TIMESTAMP})]`"
                ),
            ),
        }
    }
}

/// No two fields or tags read with the same key.
fn distinct_keys(cx: &mut Ctxt, data: &Struct<'_>) {
    let mut seen: HashMap<&str, &Ident> = HashMap::new();
    for column in &data.columns {
        // `time` on a tag or a field is reported by `time_by_name`.
        if !matches!(column.role, Role::Tag | Role::Field) || column.key == TIME {
            continue;
        }
        if column.key.is_empty() {
            cx.error_at(column.key_span, "a row cannot read an empty key");
        } else if let Some(first) = seen.get(column.key.as_str()) {
            cx.error_at(
                column.key_span,
                format!("duplicate key {:?}: `{first}` already reads it", column.key),
            );
        } else {
            seen.insert(&column.key, column.ident);
        }
    }
}
