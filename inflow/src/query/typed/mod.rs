//! Typed queries: reads and deletes of a derived measurement, built from column handles
//! that the derive generates, so that an ill-typed condition does not compile.

mod aggregate;
mod column;
mod delete;
pub(crate) mod filter;
mod regex;
mod run;
pub(crate) mod scope;
mod select;
#[cfg(test)]
mod tests;

pub use self::aggregate::{
    Agg, AggColumnHandle, Aggregate, AggregateInput, Aggregates, Arithmetic, Class, Extremes, Fill,
    FillValue, FloatClass, IntClass, NoClass, NoFillValue, Output, Selected, Widened,
};
pub use self::column::{
    Boolean, Field, FieldColumn, FieldKind, Matched, Numeric, Ordered, Tag, TagColumn, Text,
    tag_text,
};
pub use self::delete::{Delete, TagFilter};
pub use self::filter::{AnyColumns, Filter, Join, OnlyTags, TagsOnly};

pub use self::regex::regex_escape;
pub use self::select::{Order, Select};

use super::{FromRow, Query};

/// A measurement whose columns typed queries can name: `#[derive(Measurement)]` implements it.
///
/// [`Columns`](Queryable::Columns) is a struct the derive generates, with one public handle
/// per tag and field, named as the Rust field: a [`Tag<M, T>`](Tag) or a
/// [`Field<M, T>`](Field) where `T` is the field's Rust type (skipped fields and the
/// timestamp have none; time is bounded on the statement). The closures of
/// [`Select::filter`] and [`Delete::filter`] receive it, so its names never meet the user's
/// own items. An enum of measurements has one member per variant, named as the variant in
/// snake case (`c.disk.free`, `c.cpu_load.load`): a struct variant's handles, or a newtype
/// variant's type's own columns; its statements read every variant's measurement, and a
/// filter on one variant's column selects points of that variant (the others lack it).
///
/// ```
/// use inflow::{Measurement, Queryable};
///
/// #[derive(Measurement)]
/// struct Reading {
///     #[inflow(tag)]
///     location: String,
///     #[inflow(tag)]
///     floor: i16,
///     value: f64,
///     note: Option<String>,
/// }
///
/// let select = Reading::select().filter(|c| {
///     c.location.in_(["attic", "cellar"])
///         .and(c.floor.ne(-1))
///         .and(c.value.ge(20.0).or(c.note.matches("^checked")))
/// });
/// assert!(select.to_string().starts_with(r#"SELECT "note"::field, "value"::field, "floor"::tag, "location"::tag FROM "reading" WHERE "#));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no columns for typed queries",
    label = "not a derived measurement",
    note = "derive it with `#[derive(inflow::Measurement)]`"
)]
pub trait Queryable {
    /// The column handles.
    type Columns;

    /// The column handles, for building a [`Filter`] outside a `filter` closure.
    fn columns() -> Self::Columns;

    /// A read of every point of the type's measurements: narrow it with
    /// [`filter`](Select::filter), time bounds, order and limits.
    #[must_use]
    fn select() -> Select<Self>
    where
        Self: Sized + crate::Measurement,
    {
        Select::new()
    }

    /// Aggregates of the type's fields over all its points, read into rows of `R`: the same
    /// as `Self::select().aggregate::<R, _>(aggregates)` (see [`Aggregate`]).
    #[must_use]
    fn aggregate<R: FromRow, P: Aggregates<Self>>(
        aggregates: impl FnOnce(&Self::Columns) -> P,
    ) -> Aggregate<Self, P, R>
    where
        Self: Sized + crate::Measurement,
    {
        Select::new().aggregate(aggregates)
    }

    /// A delete of the type's points matching the filters and time bounds given next.
    #[must_use]
    fn delete() -> Delete<Self>
    where
        Self: Sized + crate::Measurement,
    {
        Delete::new()
    }
}

/// Whose filters a statement of `E` takes: `E` itself, and the type of each newtype variant
/// of an enum of measurements `E` (`#[derive(Measurement)]` implements it).
///
/// A filter on a variant's columns selects points of that variant: the other variants'
/// points lack its columns, and a point that lacks a column matches no comparison of it.
#[diagnostic::on_unimplemented(
    message = "a filter on the columns of `{Self}` cannot narrow a statement of `{E}`",
    label = "a filter of `{Self}`",
    note = "build the filter from the columns the closure receives (for an enum of measurements, `c.<variant>.<column>`)"
)]
pub trait VariantOf<E> {}

/// A typed statement that reads rows of one type: what `Client::fetch` and
/// `Client::fetch_stream` run.
pub trait TypedQuery {
    /// What each row decodes into.
    type Row: FromRow;

    /// The statement, with its parameters.
    fn to_query(&self) -> Query;
}
