//! Aggregates: `mean`, `max`, `count`, ... of typed fields, over the whole range or per
//! interval of time (`GROUP BY time(…)`), with a `fill` for empty intervals, decoded into a
//! row type the user declares with `#[derive(FromRow)]`.
//!
//! What each aggregate accepts follows InfluxDB 1.x: `count`, `first` and `last` read every
//! kind of field; `min` and `max` numeric and boolean fields; `mean`, `median`, `sum`,
//! `spread`, `stddev` and `percentile` numeric fields only (the server refuses the others with
//! "unsupported … iterator type"). So an aggregate the field's kind does not allow does not
//! compile.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use super::column::{Boolean, Field, FieldColumn, FieldKind, Numeric, Tag};
use super::filter::{Filter, Sql};
use super::select::{Order, Select, display};
use super::{Queryable, TypedQuery, VariantOf};
use crate::query::{FromRow, Param, Query, quote_identifier};
use crate::{Measurement, Timestamp};

/// Field kinds with arithmetic aggregates: `mean`, `median`, `sum`, `spread`, `stddev` and
/// `percentile`.
#[diagnostic::on_unimplemented(
    message = "only numeric fields have a mean, median, sum, spread, stddev or percentile, and this field is not numeric",
    label = "not a numeric field",
    note = "a Text field allows count, first and last; a Boolean field count, first, last, min and max"
)]
pub trait Arithmetic: FieldKind {}
impl Arithmetic for Numeric {}

/// Field kinds with `min` and `max`: numeric and boolean fields (`false` is below `true`).
#[diagnostic::on_unimplemented(
    message = "only numeric and boolean fields have a min and max, and this field is a string",
    label = "not a numeric or boolean field",
    note = "a Text field allows count, first and last"
)]
pub trait Extremes: FieldKind {}
impl Extremes for Numeric {}
impl Extremes for Boolean {}

/// The aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Mean,
    Median,
    Min,
    Max,
    Sum,
    Count,
    First,
    Last,
    Spread,
    Stddev,
    Percentile,
}

impl Function {
    fn name(self) -> &'static str {
        match self {
            Function::Mean => "mean",
            Function::Median => "median",
            Function::Min => "min",
            Function::Max => "max",
            Function::Sum => "sum",
            Function::Count => "count",
            Function::First => "first",
            Function::Last => "last",
            Function::Spread => "spread",
            Function::Stddev => "stddev",
            Function::Percentile => "percentile",
        }
    }
}

/// One aggregate of a field of `M`, whose values are of the Rust type `O`: a column of an
/// [`Aggregate`]'s rows, named by [`as_`](Agg::as_) (by default the function's name, as the
/// server names it: `mean`, `max`, ...).
///
/// Built from a field handle: `c.value.mean()`, `c.value.percentile(95.0).as_("p95")`.
pub struct Agg<M, O> {
    column: AggColumn,
    marker: PhantomData<fn() -> (M, O)>,
}

impl<M, O> Clone for Agg<M, O> {
    fn clone(&self) -> Self {
        Agg {
            column: self.column.clone(),
            marker: PhantomData,
        }
    }
}

impl<M, O> fmt::Debug for Agg<M, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Agg")
            .field("function", &self.column.function.name())
            .field("field", &self.column.key)
            .field("name", &self.column.name())
            .finish()
    }
}

impl<M, O: Output> Agg<M, O> {
    fn new(function: Function, key: &'static str, percentile: Option<f64>) -> Self {
        Agg {
            column: AggColumn {
                function,
                key,
                percentile,
                alias: None,
                fits: O::fits,
                output: std::any::type_name::<O>(),
            },
            marker: PhantomData,
        }
    }

    /// Names the column (`AS "name"`): the key a row type reads it by.
    #[must_use]
    pub fn as_(mut self, name: impl Into<String>) -> Self {
        self.column.alias = Some(name.into());
        self
    }

    /// The column's name: the one given to [`as_`](Self::as_), or the function's.
    #[must_use]
    pub fn name(&self) -> &str {
        self.column.name()
    }
}

/// What an [`Agg`] renders, without its types.
#[derive(Debug, Clone)]
struct AggColumn {
    function: Function,
    key: &'static str,
    percentile: Option<f64>,
    alias: Option<String>,
    /// Whether a fill value fits the column's Rust type.
    fits: fn(&serde_json::Value) -> bool,
    output: &'static str,
}

impl AggColumn {
    fn name(&self) -> &str {
        self.alias.as_deref().unwrap_or(self.function.name())
    }

    fn render(&self, sql: &mut Sql) {
        sql.text.push_str(self.function.name());
        sql.text.push('(');
        sql.text.push_str(&quote_identifier(self.key));
        sql.text.push_str("::field");
        if let Some(rank) = self.percentile {
            sql.text.push_str(", ");
            if !(0.0..=100.0).contains(&rank) {
                sql.fail(&format!(
                    "percentile({rank}) of field {:?}: the percentile must be from 0 to 100",
                    self.key
                ));
            }
            sql.bind(Param::from(rank));
        }
        sql.text.push_str(") AS ");
        sql.text.push_str(&quote_identifier(self.name()));
    }

    /// `mean("value")`, for messages.
    fn describe(&self) -> String {
        format!("{}({:?})", self.function.name(), self.key)
    }
}

/// The Rust type of what `min`, `max`, `first`, `last` and `percentile` of a field of type
/// `T` give: the field's own value type (`String` for the string types).
pub type Selected<T> = <<T as FieldColumn>::Arg<'static> as AggregateInput>::Selected;

/// The Rust type of what `sum` and `spread` of a field of type `T` give: `i64` for the
/// integer types, `f64` for the float types (a sum of `u8` values does not fit a `u8`).
pub type Widened<T> = <<T as FieldColumn>::Arg<'static> as AggregateInput>::Widened;

/// What a comparison of a field takes, seen as the input of aggregates: their output types.
pub trait AggregateInput {
    /// The type of a selected value (`min`, `max`, `first`, `last`, `percentile`).
    type Selected: Output;
    /// The type of a `sum` or `spread`.
    type Widened: Output;
}

macro_rules! aggregate_inputs {
    ($($ty:ty => $selected:ty, $widened:ty);* $(;)?) => {$(
        impl AggregateInput for $ty {
            type Selected = $selected;
            type Widened = $widened;
        }
    )*};
}

aggregate_inputs! {
    i8 => i8, i64; i16 => i16, i64; i32 => i32, i64; i64 => i64, i64; isize => isize, i64;
    u8 => u8, i64; u16 => u16, i64; u32 => u32, i64; u64 => u64, i64; usize => usize, i64;
    f32 => f32, f64; f64 => f64, f64; bool => bool, bool; &'static str => String, String;
}

/// The Rust type of an aggregate's values: how a fill value for it is typed.
pub trait Output: 'static {
    /// The fill value of an aggregate of this type alone: the type itself for numbers,
    /// [`NoFillValue`] for booleans and strings (InfluxQL fills with numbers only).
    type Fill: FillValue;
    /// The kind of number, for the fill value of several aggregates.
    type Class: Class;

    /// Whether the server's answer holding `value` in place of an aggregate decodes as `Self`.
    #[doc(hidden)]
    fn fits(value: &serde_json::Value) -> bool;
}

macro_rules! integer_outputs {
    ($($ty:ty),*) => {$(
        impl Output for $ty {
            type Fill = $ty;
            type Class = IntClass;

            fn fits(value: &serde_json::Value) -> bool {
                value.as_i64().is_some_and(|value| <$ty>::try_from(value).is_ok())
            }
        }
    )*};
}

integer_outputs!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl Output for f64 {
    type Fill = f64;
    type Class = FloatClass;

    /// An integer is read back exactly up to 2^53.
    fn fits(value: &serde_json::Value) -> bool {
        value.as_f64().is_some() && value.as_i64().is_none_or(|i| i.unsigned_abs() <= 1 << 53)
    }
}

impl Output for f32 {
    type Fill = f32;
    type Class = FloatClass;

    fn fits(value: &serde_json::Value) -> bool {
        f64::fits(value)
            && value
                .as_f64()
                .is_some_and(|f| f.abs() <= f64::from(f32::MAX))
    }
}

impl Output for bool {
    type Fill = NoFillValue;
    type Class = NoClass;

    fn fits(_: &serde_json::Value) -> bool {
        false
    }
}

impl Output for String {
    type Fill = NoFillValue;
    type Class = NoClass;

    fn fits(_: &serde_json::Value) -> bool {
        false
    }
}

/// A number [`Fill::Value`] takes.
pub trait FillValue {
    /// The value as a bound parameter.
    #[doc(hidden)]
    fn into_param(self) -> Param;
}

macro_rules! fill_values {
    ($($ty:ty),*) => {$(
        impl FillValue for $ty {
            fn into_param(self) -> Param {
                Param::from(self)
            }
        }
    )*};
}

fill_values!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

/// The fill value of aggregates of booleans or strings, which InfluxQL cannot fill with a
/// value (`fill()` takes a number only): it has no values, so that `Fill::Value(...)` does not
/// compile for them. [`Fill::Null`], [`Fill::None`], [`Fill::Previous`] and [`Fill::Linear`]
/// apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoFillValue {}

impl FillValue for NoFillValue {
    fn into_param(self) -> Param {
        match self {}
    }
}

/// The kind of number of an aggregate, met with the others' to type one fill value for
/// several aggregates: floats only take an `f64`; any integer among numbers an `i64` (which
/// the float aggregates read exactly); any boolean or string aggregate no value.
pub trait Class: class_sealed::Sealed {
    /// The fill value of aggregates of this kind.
    type Fill: FillValue;
    /// The kind of aggregates of this kind and of `C`.
    type Meet<C: Class>: Class;
    #[doc(hidden)]
    type WithFloat: Class;
    #[doc(hidden)]
    type WithInt: Class;
}

/// Float aggregates.
#[derive(Debug, Clone, Copy)]
pub enum FloatClass {}
/// Integer aggregates.
#[derive(Debug, Clone, Copy)]
pub enum IntClass {}
/// Boolean and string aggregates.
#[derive(Debug, Clone, Copy)]
pub enum NoClass {}

impl Class for FloatClass {
    type Fill = f64;
    type Meet<C: Class> = C::WithFloat;
    type WithFloat = FloatClass;
    type WithInt = IntClass;
}

impl Class for IntClass {
    type Fill = i64;
    type Meet<C: Class> = C::WithInt;
    type WithFloat = IntClass;
    type WithInt = IntClass;
}

impl Class for NoClass {
    type Fill = NoFillValue;
    type Meet<C: Class> = NoClass;
    type WithFloat = NoClass;
    type WithInt = NoClass;
}

mod class_sealed {
    pub trait Sealed {}
    impl Sealed for super::FloatClass {}
    impl Sealed for super::IntClass {}
    impl Sealed for super::NoClass {}
}

/// The aggregates of one statement: an [`Agg`], or a tuple of up to eight.
///
/// [`Fill`](Aggregates::Fill) is what [`Fill::Value`] takes: for one aggregate, its own type
/// (an `f64` for a `mean`, an `i64` for a `count`, a `u8` for the `max` of a `u8` field); for
/// several, an `f64` when all are floats and an `i64` when any is an integer (checked against
/// each aggregate's type when the statement is built); none when any is a boolean or a string.
pub trait Aggregates<M> {
    /// What [`Fill::Value`] takes.
    type Fill: FillValue;

    #[doc(hidden)]
    fn __columns(self) -> Vec<AggColumnHandle>;
}

/// An aggregate column without its types. Not a public API.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct AggColumnHandle(AggColumn);

impl<M, O: Output> Aggregates<M> for Agg<M, O> {
    type Fill = O::Fill;

    fn __columns(self) -> Vec<AggColumnHandle> {
        vec![AggColumnHandle(self.column)]
    }
}

impl<M, O: Output> Aggregates<M> for (Agg<M, O>,) {
    type Fill = O::Fill;

    fn __columns(self) -> Vec<AggColumnHandle> {
        vec![AggColumnHandle(self.0.column)]
    }
}

/// The meet of the classes of the outputs.
macro_rules! meet {
    ($last:ident) => { <$last as Output>::Class };
    ($first:ident, $($rest:ident),+) => {
        <<$first as Output>::Class as Class>::Meet<meet!($($rest),+)>
    };
}

macro_rules! tuple_aggregates {
    ($(($($out:ident . $index:tt),+))*) => {$(
        impl<M, $($out: Output),+> Aggregates<M> for ($(Agg<M, $out>,)+) {
            type Fill = <meet!($($out),+) as Class>::Fill;

            fn __columns(self) -> Vec<AggColumnHandle> {
                vec![$(AggColumnHandle(self.$index.column)),+]
            }
        }
    )*};
}

tuple_aggregates! {
    (A.0, B.1)
    (A.0, B.1, C.2)
    (A.0, B.1, C.2, D.3)
    (A.0, B.1, C.2, D.3, E.4)
    (A.0, B.1, C.2, D.3, E.4, F.5)
    (A.0, B.1, C.2, D.3, E.4, F.5, G.6)
    (A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7)
}

/// Aggregates of a field.
///
/// ```
/// use inflow::{Measurement, Queryable};
///
/// #[derive(Measurement)]
/// struct Reading {
///     #[inflow(tag)]
///     location: String,
///     value: f64,
///     ok: bool,
///     note: String,
/// }
///
/// let c = Reading::columns();
/// let _ = (c.value.mean(), c.value.percentile(95.0), c.ok.max(), c.note.count(), c.note.last());
/// ```
///
/// A string field has no `mean`:
///
/// ```compile_fail,E0277
/// # use inflow::{Measurement, Queryable};
/// # #[derive(Measurement)]
/// # struct Reading { value: f64, note: String }
/// let _ = Reading::columns().note.mean();
/// ```
impl<M, T: ?Sized + FieldColumn> Field<M, T>
where
    T::Arg<'static>: AggregateInput,
{
    /// The mean of the values (`mean`), of a numeric field.
    #[must_use]
    pub fn mean(self) -> Agg<M, f64>
    where
        T::Kind: Arithmetic,
    {
        Agg::new(Function::Mean, self.key(), None)
    }

    /// The middle value (`median`; the mean of the two middle ones for an even count), of a
    /// numeric field.
    #[must_use]
    pub fn median(self) -> Agg<M, f64>
    where
        T::Kind: Arithmetic,
    {
        Agg::new(Function::Median, self.key(), None)
    }

    /// The sample standard deviation (`stddev`), of a numeric field.
    #[must_use]
    pub fn stddev(self) -> Agg<M, f64>
    where
        T::Kind: Arithmetic,
    {
        Agg::new(Function::Stddev, self.key(), None)
    }

    /// The sum (`sum`), of a numeric field: an `i64` for integers, an `f64` for floats.
    #[must_use]
    pub fn sum(self) -> Agg<M, Widened<T>>
    where
        T::Kind: Arithmetic,
    {
        Agg::new(Function::Sum, self.key(), None)
    }

    /// The largest value minus the smallest (`spread`), of a numeric field: an `i64` for
    /// integers, an `f64` for floats.
    #[must_use]
    pub fn spread(self) -> Agg<M, Widened<T>>
    where
        T::Kind: Arithmetic,
    {
        Agg::new(Function::Spread, self.key(), None)
    }

    /// The value at the `rank` percentile, from 0 to 100 (`percentile`; the value that
    /// `rank` % of the values are at or below), of a numeric field. A rank outside 0 to 100
    /// cannot be sent.
    #[must_use]
    pub fn percentile(self, rank: f64) -> Agg<M, Selected<T>>
    where
        T::Kind: Arithmetic,
    {
        Agg::new(Function::Percentile, self.key(), Some(rank))
    }

    /// The smallest value (`min`), of a numeric or boolean field.
    #[must_use]
    pub fn min(self) -> Agg<M, Selected<T>>
    where
        T::Kind: Extremes,
    {
        Agg::new(Function::Min, self.key(), None)
    }

    /// The largest value (`max`), of a numeric or boolean field.
    #[must_use]
    pub fn max(self) -> Agg<M, Selected<T>>
    where
        T::Kind: Extremes,
    {
        Agg::new(Function::Max, self.key(), None)
    }

    /// The number of values (`count`).
    #[must_use]
    pub fn count(self) -> Agg<M, i64> {
        Agg::new(Function::Count, self.key(), None)
    }

    /// The oldest value (`first`).
    #[must_use]
    pub fn first(self) -> Agg<M, Selected<T>> {
        Agg::new(Function::First, self.key(), None)
    }

    /// The newest value (`last`).
    #[must_use]
    pub fn last(self) -> Agg<M, Selected<T>> {
        Agg::new(Function::Last, self.key(), None)
    }
}

/// What fills an interval of [`group_by_time`](Aggregate::group_by_time) that holds no
/// point (`fill(…)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fill<V> {
    /// `null`, which reads as `None` into an `Option` (the server's default).
    Null,
    /// No row for the interval (`fill(none)`).
    None,
    /// The aggregate of the interval before (`null` for the first).
    Previous,
    /// The value on the line between the intervals around it (`null` at the ends).
    Linear,
    /// This number, of the aggregates' type (see [`Aggregates::Fill`]).
    Value(V),
}

/// A statement of aggregates of `M`'s fields, read into rows of `R`: built by
/// [`Select::aggregate`] (or `M::aggregate`), run with `client.fetch(...)`.
///
/// It keeps what the [`Select`] it was built from says (filters, time bounds, tags to group
/// by, order, limits, retention policy, database), and adds
/// [`group_by_time`](Self::group_by_time) and [`fill`](Self::fill). Each aggregate is a column
/// of its name (`AS "name"`, quoted), each value a bound parameter.
///
/// `R` is a struct with `#[derive(inflow::FromRow)]`: a field per aggregate, read by the
/// aggregate's name; the tags grouped by, with `#[inflow(tag)]`; and the time, a field named
/// `time` or marked `#[inflow(timestamp)]`: the start of each interval of `group_by_time`, or
/// without it the start of the time range (the Unix epoch when the range has no start), except
/// that a lone `min`, `max`, `first`, `last` or `percentile` gives the time of its point. A
/// statement whose `R` reads a column it does not select (a name mistyped, a tag it does not
/// group by) cannot be sent. An aggregate over an interval without points is `null` (unless
/// filled), so declare its field an `Option` when intervals can be empty.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use inflow::{FromRow, Measurement, Queryable, query::Fill};
///
/// #[derive(Measurement)]
/// #[inflow(measurement = "temperature")]
/// struct Reading {
///     #[inflow(tag)]
///     location: String,
///     value: f64,
/// }
///
/// # #[allow(dead_code)] // read by `fetch`, which this example does not run
/// #[derive(Debug, FromRow)]
/// struct Stats {
///     time: std::time::SystemTime,
///     #[inflow(tag)]
///     location: String,
///     mean: Option<f64>,
///     peak: Option<f64>,
/// }
///
/// let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let stats = Reading::select()
///     .filter(|c| c.location.ne("attic"))
///     .between(start, start + Duration::from_secs(3600))
///     .group_by(|c| c.location)
///     .aggregate::<Stats, _>(|c| (c.value.mean(), c.value.max().as_("peak")))
///     .group_by_time(Duration::from_secs(600))
///     .fill(Fill::Value(0.0));
/// assert_eq!(
///     stats.to_string(),
///     r#"SELECT mean("value"::field) AS "mean", max("value"::field) AS "peak" FROM "temperature" WHERE "location"::tag != $p0 AND time >= $p1 AND time <= $p2 GROUP BY time(600000000000ns), "location" fill($p3) -- $p0 = "attic", $p1 = 1700000000000000000, $p2 = 1700003600000000000, $p3 = 0.0"#
/// );
/// ```
pub struct Aggregate<M, P, R> {
    select: Select<M>,
    columns: Vec<AggColumn>,
    /// The interval and its offset.
    interval: Option<(Duration, Duration)>,
    fill: Option<Fill<Param>>,
    marker: PhantomData<fn() -> (P, R)>,
}

impl<M, P, R> Clone for Aggregate<M, P, R> {
    fn clone(&self) -> Self {
        Aggregate {
            select: self.select.clone(),
            columns: self.columns.clone(),
            interval: self.interval,
            fill: self.fill.clone(),
            marker: PhantomData,
        }
    }
}

impl<M: Queryable + Measurement> Select<M> {
    /// The aggregates `aggregates` builds from `M`'s field handles (an [`Agg`] or a tuple of
    /// them), over the points this read selects, read into rows of `R`: see [`Aggregate`].
    ///
    /// `R` comes first: `.aggregate::<Stats, _>(|c| (c.value.mean(), c.value.count()))`.
    #[must_use]
    pub fn aggregate<R: FromRow, P: Aggregates<M>>(
        self,
        aggregates: impl FnOnce(&M::Columns) -> P,
    ) -> Aggregate<M, P, R> {
        let columns = aggregates(&M::columns())
            .__columns()
            .into_iter()
            .map(|AggColumnHandle(column)| column)
            .collect();
        Aggregate {
            select: self,
            columns,
            interval: None,
            fill: None,
            marker: PhantomData,
        }
    }
}

/// What `Select::group_by_time` asks for, so that calling it says why it cannot be: never
/// implemented.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "group_by_time needs aggregates: a read of the points themselves has no intervals",
    label = "this read selects points, not aggregates",
    note = "call `.aggregate::<Row, _>(|c| (c.value.mean(), ...))` first, then `.group_by_time(...)` and `.fill(...)` on the aggregate"
)]
pub trait GroupByTimeNeedsAggregates {}

impl<M: Queryable + Measurement> Select<M> {
    /// Never compiles: see [`Aggregate::group_by_time`].
    #[doc(hidden)]
    #[must_use]
    pub fn group_by_time(self, interval: Duration) -> Self
    where
        M: GroupByTimeNeedsAggregates,
    {
        let _ = interval;
        self
    }
}

/// Methods of [`Select`] that apply to the points aggregated: each sets the same on the
/// statement.
macro_rules! select_methods {
    ($($(#[$doc:meta])* fn $name:ident $([$($generics:tt)*])? ($($arg:ident: $ty:ty),*);)*) => {$(
        $(#[$doc])*
        #[must_use]
        pub fn $name $(<$($generics)*>)? (mut self, $($arg: $ty),*) -> Self {
            self.select = self.select.$name($($arg),*);
            self
        }
    )*};
}

impl<M: Queryable + Measurement, P: Aggregates<M>, R: FromRow> Aggregate<M, P, R> {
    select_methods! {
        /// Only points that match `filter` (see [`Select::filter`]).
        fn filter[N: VariantOf<M>, K](filter: impl FnOnce(&M::Columns) -> Filter<N, K>);
        /// Only points at or after `start`.
        fn since(start: impl Timestamp);
        /// Only points at or before `end`.
        fn until(end: impl Timestamp);
        /// Only points strictly after `start`.
        fn after(start: impl Timestamp);
        /// Only points strictly before `end`.
        fn before(end: impl Timestamp);
        /// Only points from `start` to `end`, both included.
        fn between(start: impl Timestamp, end: impl Timestamp);
        /// Only points of the last `duration`, up to the server's clock (`time >= now() - …`).
        fn last(duration: Duration);
        /// Rows in this order of time.
        fn order_by_time(order: Order);
        /// At most `rows` rows of each series (`LIMIT`).
        fn limit(rows: u64);
        /// Skips the first `rows` rows of each series (`OFFSET`).
        fn offset(rows: u64);
        /// At most `series` series (`SLIMIT`).
        fn slimit(series: u64);
        /// Skips the first `series` series (`SOFFSET`).
        fn soffset(series: u64);
        /// One series per value of this tag (`GROUP BY`), which the rows can read with
        /// `#[inflow(tag)]`; call again for more tags.
        fn group_by[N: VariantOf<M>, T: ?Sized](tag: impl FnOnce(&M::Columns) -> Tag<N, T>);
        /// One series per tag set (`GROUP BY *`).
        fn group_by_all_tags();
        /// Reads from this retention policy instead of the database's default one.
        fn retention_policy(retention_policy: impl Into<String>);
        /// Runs in this database instead of the client's.
        fn database(database: impl Into<String>);
        /// The rows per chunk of the answer (see [`Query::chunk_size`]).
        fn chunk_size(rows: usize);
    }

    /// One row per `interval` of time (`GROUP BY time(…)`), each interval starting at a
    /// multiple of `interval` since the Unix epoch. The statement needs a lower time bound
    /// (`since`, `after`, `between` or `last`): without one the server would make an interval
    /// for every `interval` since 1677, and that cannot be sent. The upper bound is the
    /// server's clock unless given.
    #[must_use]
    pub fn group_by_time(self, interval: Duration) -> Self {
        self.group_by_time_offset(interval, Duration::ZERO)
    }

    /// As [`group_by_time`](Self::group_by_time), with intervals starting `offset` after the
    /// multiples of `interval` (`GROUP BY time(interval, offset)`).
    #[must_use]
    pub fn group_by_time_offset(mut self, interval: Duration, offset: Duration) -> Self {
        self.interval = Some((interval, offset));
        self
    }

    /// What fills an interval without points: see [`Fill`]. The value of
    /// [`Fill::Value`] is typed by the aggregates (see [`Aggregates::Fill`]). Applies with
    /// [`group_by_time`](Self::group_by_time) only.
    #[must_use]
    pub fn fill(mut self, fill: Fill<P::Fill>) -> Self {
        self.fill = Some(match fill {
            Fill::Null => Fill::Null,
            Fill::None => Fill::None,
            Fill::Previous => Fill::Previous,
            Fill::Linear => Fill::Linear,
            Fill::Value(value) => Fill::Value(value.into_param()),
        });
        self
    }

    fn sql(&self) -> Sql {
        let interval = self.interval.map(|(interval, offset)| {
            let nanos = |duration: Duration| i64::try_from(duration.as_nanos()).ok();
            match (nanos(interval), nanos(offset)) {
                (Some(interval), Some(0)) => Ok(format!("time({interval}ns)")),
                (Some(interval), Some(offset)) => Ok(format!("time({interval}ns, {offset}ns)")),
                _ => Err(format!(
                    "group_by_time_offset({interval:?}, {offset:?}) is beyond the times InfluxDB stores"
                )),
            }
        });
        let mut sql = self.select.sql_with(
            |sql| {
                for (index, column) in self.columns.iter().enumerate() {
                    if index > 0 {
                        sql.text.push_str(", ");
                    }
                    column.render(sql);
                }
            },
            interval
                .as_ref()
                .and_then(|interval| interval.as_deref().ok()),
            |sql| self.render_fill(sql),
        );
        if let Some(Err(problem)) = &interval {
            sql.fail(problem);
        }
        if let Some(problem) = self.problem() {
            sql.fail(&problem);
        }
        sql
    }

    fn render_fill(&self, sql: &mut Sql) {
        let Some(fill) = &self.fill else { return };
        sql.text.push_str(" fill(");
        match fill {
            Fill::Null => sql.text.push_str("null"),
            Fill::None => sql.text.push_str("none"),
            Fill::Previous => sql.text.push_str("previous"),
            Fill::Linear => sql.text.push_str("linear"),
            Fill::Value(value) => sql.bind(value.clone()),
        }
        sql.text.push(')');
    }

    /// Why the statement cannot be sent, if it cannot: a mistake the server would not
    /// report, or would answer with a cost or a result nobody wants.
    fn problem(&self) -> Option<String> {
        let names: Vec<&str> = self.columns.iter().map(AggColumn::name).collect();
        for (index, column) in self.columns.iter().enumerate() {
            let name = column.name();
            if name.is_empty() || name == "time" {
                return Some(format!(
                    "the aggregate {} cannot be named {name:?}: the server would name it otherwise",
                    column.describe()
                ));
            }
            if names[..index].contains(&name) {
                return Some(format!(
                    "two aggregates are named {name:?}: name one of them with as_(...)"
                ));
            }
        }
        match (&self.interval, &self.fill) {
            (Some((interval, _)), _) if interval.is_zero() => {
                return Some("group_by_time needs an interval above zero".to_owned());
            }
            (Some(_), _) if !self.select.has_lower_time_bound() => {
                return Some(
                    "group_by_time needs a lower time bound (since, after, between or last): \
                     without one the server makes an interval for every step since 1677"
                        .to_owned(),
                );
            }
            (None, Some(_)) => {
                return Some(
                    "fill applies to the empty intervals of group_by_time, which the statement does not have"
                        .to_owned(),
                );
            }
            (_, Some(Fill::Value(Param(Ok(value))))) => {
                if let Some(column) = self.columns.iter().find(|c| !(c.fits)(value)) {
                    return Some(format!(
                        "the fill value {value} does not fit the {} of {}",
                        column.output,
                        column.describe()
                    ));
                }
            }
            _ => {}
        }
        self.row_problem(&names)
    }

    /// Whether `R` reads only columns the statement selects.
    fn row_problem(&self, names: &[&str]) -> Option<String> {
        let row = std::any::type_name::<R>();
        let positional = R::COLUMNS.iter().filter(|c| c.key.is_empty()).count();
        if positional > names.len() {
            return Some(format!(
                "the row type `{row}` reads {positional} columns after the time, and the statement selects {} aggregates",
                names.len()
            ));
        }
        for column in R::COLUMNS.iter().filter(|c| !c.key.is_empty()) {
            if column.tag {
                if self
                    .select
                    .grouped_tags()
                    .is_some_and(|tags| !tags.contains(&column.key))
                {
                    return Some(format!(
                        "the row type `{row}` reads the tag {:?}, which the statement does not group by: add group_by(|c| c.<that tag>)",
                        column.key
                    ));
                }
            } else if !names.contains(&column.key) {
                return Some(format!(
                    "the row type `{row}` reads the column {:?}, which the statement does not select: its aggregates are named {}",
                    column.key,
                    names
                        .iter()
                        .map(|name| format!("{name:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        None
    }

    /// The statement as a [`Query`], with its parameters, database and chunk size, asking for
    /// nanosecond times.
    #[must_use]
    pub fn to_query(&self) -> Query {
        self.select.query_of(self.sql())
    }
}

impl<M: Queryable + Measurement, P: Aggregates<M>, R: FromRow> fmt::Display for Aggregate<M, P, R> {
    /// The InfluxQL text, then its parameters after `--`: for reading, not for running.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(&self.sql(), f)
    }
}

impl<M: Queryable + Measurement, P: Aggregates<M>, R: FromRow> fmt::Debug for Aggregate<M, P, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Aggregate").field(&self.to_string()).finish()
    }
}

impl<M: Queryable + Measurement, P: Aggregates<M>, R: FromRow> TypedQuery for Aggregate<M, P, R> {
    type Row = R;

    fn to_query(&self) -> Query {
        Aggregate::to_query(self)
    }
}

impl<M: Queryable + Measurement, P: Aggregates<M>, R: FromRow> TypedQuery for &Aggregate<M, P, R> {
    type Row = R;

    fn to_query(&self) -> Query {
        Aggregate::to_query(self)
    }
}

impl<M: Queryable + Measurement, P: Aggregates<M>, R: FromRow> From<Aggregate<M, P, R>> for Query {
    fn from(aggregate: Aggregate<M, P, R>) -> Query {
        aggregate.to_query()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::{EpochTime, FromRow, Queryable};

    #[derive(Debug, Measurement)]
    #[inflow(measurement = "temp \"room\"")]
    struct Reading {
        #[inflow(tag)]
        location: String,
        #[inflow(tag, rename = "fl oor")]
        floor: i16,
        value: f64,
        small: u8,
        count: i64,
        ok: bool,
        note: Option<String>,
    }

    // Rows whose columns these tests check; the server tests decode them.
    #[derive(Debug, FromRow)]
    #[allow(dead_code)]
    struct Stats {
        time: EpochTime,
        mean: Option<f64>,
    }

    #[derive(Debug, FromRow)]
    #[allow(dead_code)]
    struct ByLocation {
        #[inflow(timestamp)]
        at: EpochTime,
        #[inflow(tag)]
        location: String,
        #[inflow(rename = "mean")]
        average: Option<f64>,
        #[inflow(skip)]
        _unread: u8,
    }

    #[derive(Debug, FromRow)]
    struct Nothing {}

    fn at(seconds: u64) -> std::time::SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn text<P: Aggregates<Reading>, R: FromRow>(aggregate: &Aggregate<Reading, P, R>) -> String {
        aggregate.to_string()
    }

    fn problem<P: Aggregates<Reading>, R: FromRow>(aggregate: &Aggregate<Reading, P, R>) -> String {
        aggregate
            .to_query()
            .invalid_param()
            .expect("the statement should not be sendable")
            .to_owned()
    }

    #[test]
    fn every_aggregate_renders_its_function_typed_field_and_quoted_name() {
        let all = Reading::aggregate::<Nothing, _>(|c| {
            (
                c.value.mean(),
                c.value.median().as_("med \"x\""),
                c.count.sum(),
                c.value.spread(),
                c.value.stddev(),
                c.value.percentile(95.5),
                c.ok.min(),
                c.small.max(),
            )
        });
        assert_eq!(
            text(&all),
            r#"SELECT mean("value"::field) AS "mean", median("value"::field) AS "med \"x\"", sum("count"::field) AS "sum", spread("value"::field) AS "spread", stddev("value"::field) AS "stddev", percentile("value"::field, $p0) AS "percentile", min("ok"::field) AS "min", max("small"::field) AS "max" FROM "temp \"room\"" -- $p0 = 95.5"#
        );
        let selectors = Reading::aggregate::<Nothing, _>(|c| {
            (c.note.count(), c.note.first(), c.ok.last().as_("ok"))
        });
        assert_eq!(
            text(&selectors),
            r#"SELECT count("note"::field) AS "count", first("note"::field) AS "first", last("ok"::field) AS "ok" FROM "temp \"room\"""#
        );
        assert_eq!(
            selectors.to_query().epoch,
            Some(crate::Precision::Nanoseconds)
        );
    }

    #[test]
    fn the_select_s_filters_bounds_tags_order_and_limits_apply_around_time_and_fill() {
        let aggregate = Reading::select()
            .filter(|c| c.location.eq("a'b").or(c.value.gt(1.5)))
            .since(at(60))
            .group_by(|c| c.location)
            .order_by_time(Order::Descending)
            .limit(3)
            .aggregate::<ByLocation, _>(|c| c.value.mean())
            .before(at(120))
            .group_by(|c| c.floor)
            .group_by_time_offset(Duration::from_secs(10), Duration::from_millis(2500))
            .fill(Fill::Value(-1.5))
            .offset(1)
            .slimit(2)
            .soffset(1)
            .retention_policy("r p")
            .database("d")
            .chunk_size(7);
        assert_eq!(
            text(&aggregate),
            r#"SELECT mean("value"::field) AS "mean" FROM "r p"."temp \"room\"" WHERE ("location"::tag = $p0 OR "value"::field > $p1) AND time >= $p2 AND time < $p3 GROUP BY time(10000000000ns, 2500000000ns), "location", "fl oor" fill($p4) ORDER BY time DESC LIMIT 3 OFFSET 1 SLIMIT 2 SOFFSET 1 -- $p0 = "a'b", $p1 = 1.5, $p2 = 60000000000, $p3 = 120000000000, $p4 = -1.5"#
        );
        let query = aggregate.to_query();
        assert_eq!(query.database.as_deref(), Some("d"));
        assert_eq!(query.chunk_size, Some(7));
        assert_eq!(query.invalid_param(), None);
    }

    #[test]
    fn each_fill_mode_renders_after_group_by() {
        let base = Reading::aggregate::<Stats, _>(|c| c.value.mean())
            .last(Duration::from_secs(3600))
            .group_by_time(Duration::from_secs(60));
        for (fill, rendered) in [
            (Fill::Null, " fill(null)"),
            (Fill::None, " fill(none)"),
            (Fill::Previous, " fill(previous)"),
            (Fill::Linear, " fill(linear)"),
            (Fill::Value(0.25), " fill($p0) -- $p0 = 0.25"),
        ] {
            assert_eq!(
                text(&base.clone().fill(fill)),
                format!(
                    r#"SELECT mean("value"::field) AS "mean" FROM "temp \"room\"" WHERE time >= now() - 3600000000000ns GROUP BY time(60000000000ns){rendered}"#
                )
            );
        }
    }

    #[test]
    fn a_fill_value_of_several_aggregates_is_checked_against_each() {
        let start = Reading::select().since(at(0));
        // Floats only: an f64; an integer among them: an i64, which must fit each.
        let floats = start
            .clone()
            .aggregate::<Nothing, _>(|c| (c.value.mean(), c.value.max()))
            .group_by_time(Duration::from_secs(1))
            .fill(Fill::Value(0.5));
        assert_eq!(floats.to_query().invalid_param(), None);
        let mixed = start
            .clone()
            .aggregate::<Nothing, _>(|c| (c.value.mean(), c.small.max(), c.count.count()))
            .group_by_time(Duration::from_secs(1));
        assert_eq!(
            mixed
                .clone()
                .fill(Fill::Value(255))
                .to_query()
                .invalid_param(),
            None
        );
        assert_eq!(
            problem(&mixed.fill(Fill::Value(256))),
            r#"the fill value 256 does not fit the u8 of max("small")"#
        );
        let huge = start
            .aggregate::<Nothing, _>(|c| (c.value.mean(), c.count.count()))
            .group_by_time(Duration::from_secs(1))
            .fill(Fill::Value((1 << 53) + 1));
        assert_eq!(
            problem(&huge),
            r#"the fill value 9007199254740993 does not fit the f64 of mean("value")"#
        );
    }

    #[test]
    fn statements_the_server_would_misread_cannot_be_sent() {
        let mean = || Reading::aggregate::<Nothing, _>(|c| c.value.mean());
        assert_eq!(
            problem(&mean().group_by_time(Duration::from_secs(1))),
            "group_by_time needs a lower time bound (since, after, between or last): without one the server makes an interval for every step since 1677"
        );
        assert_eq!(
            problem(&mean().until(at(5)).group_by_time(Duration::from_secs(1))),
            problem(&mean().group_by_time(Duration::from_secs(1)))
        );
        assert_eq!(
            problem(&mean().after(at(5)).group_by_time(Duration::ZERO)),
            "group_by_time needs an interval above zero"
        );
        assert_eq!(
            problem(&mean().fill(Fill::Linear)),
            "fill applies to the empty intervals of group_by_time, which the statement does not have"
        );
        assert_eq!(
            problem(
                &mean()
                    .since(at(0))
                    .group_by_time(Duration::from_secs(u64::MAX))
            ),
            "group_by_time_offset(18446744073709551615s, 0ns) is beyond the times InfluxDB stores"
        );
        assert_eq!(
            problem(&Reading::aggregate::<Nothing, _>(|c| (
                c.value.max(),
                c.count.max()
            ))),
            r#"two aggregates are named "max": name one of them with as_(...)"#
        );
        for name in ["", "time"] {
            assert_eq!(
                problem(&Reading::aggregate::<Nothing, _>(|c| c
                    .value
                    .max()
                    .as_(name))),
                format!(
                    r#"the aggregate max("value") cannot be named {name:?}: the server would name it otherwise"#
                )
            );
        }
        for rank in [-1.0, 100.5, f64::NAN] {
            let query = Reading::aggregate::<Nothing, _>(|c| c.value.percentile(rank)).to_query();
            assert!(query.invalid_param().is_some(), "{rank}");
        }
    }

    #[test]
    fn a_row_type_reading_a_column_the_statement_lacks_cannot_be_sent() {
        assert_eq!(
            problem(&Reading::aggregate::<Stats, _>(|c| c.value.max())),
            format!(
                r#"the row type `{}` reads the column "mean", which the statement does not select: its aggregates are named "max""#,
                std::any::type_name::<Stats>()
            )
        );
        assert_eq!(
            problem(&Reading::aggregate::<ByLocation, _>(|c| c.value.mean())),
            format!(
                r#"the row type `{}` reads the tag "location", which the statement does not group by: add group_by(|c| c.<that tag>)"#,
                std::any::type_name::<ByLocation>()
            )
        );
        let all_tags = Reading::aggregate::<ByLocation, _>(|c| c.value.mean()).group_by_all_tags();
        assert_eq!(all_tags.to_query().invalid_param(), None);
        assert!(text(&all_tags).ends_with(" GROUP BY *"));
    }

    #[test]
    fn derived_rows_list_their_keys_and_read_time_by_name_or_mark() {
        let keys = |columns: &[crate::query::Column]| {
            columns.iter().map(|c| (c.key, c.tag)).collect::<Vec<_>>()
        };
        assert_eq!(keys(Stats::COLUMNS), [("mean", false)]);
        assert_eq!(
            keys(ByLocation::COLUMNS),
            [("location", true), ("mean", false)]
        );
        assert!(Nothing::COLUMNS.is_empty());
    }
}
