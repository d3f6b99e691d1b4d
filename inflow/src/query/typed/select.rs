//! `SELECT` of a measurement's own columns, decoded into the measurement's type.

use std::fmt;
use std::marker::PhantomData;

use super::column::Tag;
use super::filter::{Expr, Filter, Sql};
use super::scope::{Scope, time_methods};
use super::{Queryable, TypedQuery, VariantOf};
use crate::query::{FromRow, Query, quote_identifier};
use crate::{Measurement, Precision};

/// The order of rows in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Oldest first (the server's default).
    #[default]
    Ascending,
    /// Newest first.
    Descending,
}

/// A typed read of `M`'s points: built from `M::select()` (see
/// [`Queryable`](super::Queryable)), run with `client.fetch(...)` (or `fetch_stream`,
/// `query_as`), which decode each row into `M`.
///
/// The statement selects `M`'s fields and tags from `M`'s measurement (every column of each
/// measurement for an enum of measurements), with the filters ANDed, times compared as bound
/// nanoseconds, every value a bound parameter and every key quoted and typed (`"k"::tag`,
/// `"k"::field`), so that no value can change the statement and a tag and a field of the same
/// key are never confused. Answers come with integer nanosecond times.
///
/// ```
/// use inflow::{Measurement, Queryable, query::Order};
///
/// #[derive(Measurement)]
/// #[inflow(measurement = "temperature")]
/// struct Reading {
///     #[inflow(tag)]
///     location: String,
///     value: f64,
/// }
///
/// let select = Reading::select()
///     .filter(|c| c.location.eq("groningen").and(c.value.gt(20.5)))
///     .order_by_time(Order::Descending)
///     .limit(10);
/// assert_eq!(
///     select.to_string(),
///     r#"SELECT "value"::field, "location"::tag FROM "temperature" WHERE "location"::tag = $p0 AND "value"::field > $p1 ORDER BY time DESC LIMIT 10 -- $p0 = "groningen", $p1 = 20.5"#
/// );
/// ```
pub struct Select<M> {
    scope: Scope,
    group_by: Vec<&'static str>,
    group_by_all: bool,
    order: Order,
    limit: Option<u64>,
    offset: Option<u64>,
    slimit: Option<u64>,
    soffset: Option<u64>,
    retention_policy: Option<String>,
    database: Option<String>,
    chunk_size: Option<usize>,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Select<M> {
    fn clone(&self) -> Self {
        Select {
            scope: self.scope.clone(),
            group_by: self.group_by.clone(),
            group_by_all: self.group_by_all,
            order: self.order,
            limit: self.limit,
            offset: self.offset,
            slimit: self.slimit,
            soffset: self.soffset,
            retention_policy: self.retention_policy.clone(),
            database: self.database.clone(),
            chunk_size: self.chunk_size,
            marker: PhantomData,
        }
    }
}

impl<M: Queryable + Measurement> Default for Select<M> {
    fn default() -> Self {
        Select::new()
    }
}

impl<M: Queryable + Measurement> Select<M> {
    /// Every point of `M`'s measurements, oldest first.
    #[must_use]
    pub fn new() -> Self {
        Select {
            scope: Scope::default(),
            group_by: Vec::new(),
            group_by_all: false,
            order: Order::Ascending,
            limit: None,
            offset: None,
            slimit: None,
            soffset: None,
            retention_policy: None,
            database: None,
            chunk_size: None,
            marker: PhantomData,
        }
    }

    /// Only points that match `filter`, built from `M`'s column handles (ANDed with earlier
    /// filters).
    #[must_use]
    pub fn filter<N: VariantOf<M>, K>(
        mut self,
        filter: impl FnOnce(&M::Columns) -> Filter<N, K>,
    ) -> Self {
        self.scope.and(filter(&M::columns()).expr);
        self
    }

    time_methods!();

    /// Rows in this order of time (`ORDER BY time DESC` for [`Order::Descending`]; with
    /// `group_by`, the server then also lists the series in reverse order of their tags).
    #[must_use]
    pub fn order_by_time(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// At most `rows` rows of each series (`LIMIT`): of all points, without `group_by`. Zero
    /// rows is no row at all (the server would read `LIMIT 0` as no limit).
    #[must_use]
    pub fn limit(mut self, rows: u64) -> Self {
        self.limit = Some(rows);
        self
    }

    /// Skips the first `rows` rows of each series (`OFFSET`; without a [`limit`](Self::limit),
    /// sent with the largest `LIMIT`, since the server would otherwise answer one row per
    /// series).
    #[must_use]
    pub fn offset(mut self, rows: u64) -> Self {
        self.offset = Some(rows);
        self
    }

    /// At most `series` series (`SLIMIT`), with `group_by`. Zero series is no row at all (the
    /// server would read `SLIMIT 0` as no limit).
    #[must_use]
    pub fn slimit(mut self, series: u64) -> Self {
        self.slimit = Some(series);
        self
    }

    /// Skips the first `series` series (`SOFFSET`; without an [`slimit`](Self::slimit), sent
    /// with the largest `SLIMIT`, since the server would otherwise answer no series).
    #[must_use]
    pub fn soffset(mut self, series: u64) -> Self {
        self.soffset = Some(series);
        self
    }

    /// One series per value of this tag (`GROUP BY`); call again for more tags.
    #[must_use]
    pub fn group_by<N: VariantOf<M>, T: ?Sized>(
        mut self,
        tag: impl FnOnce(&M::Columns) -> Tag<N, T>,
    ) -> Self {
        let key = tag(&M::columns()).key();
        if !self.group_by.contains(&key) {
            self.group_by.push(key);
        }
        self
    }

    /// One series per tag set (`GROUP BY *`).
    #[must_use]
    pub fn group_by_all_tags(mut self) -> Self {
        self.group_by_all = true;
        self
    }

    /// Reads from this retention policy instead of the database's default one.
    #[must_use]
    pub fn retention_policy(mut self, retention_policy: impl Into<String>) -> Self {
        self.retention_policy = Some(retention_policy.into());
        self
    }

    /// Runs in this database instead of the client's.
    #[must_use]
    pub fn database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// The rows per chunk of the answer (see [`Query::chunk_size`]).
    #[must_use]
    pub fn chunk_size(mut self, rows: usize) -> Self {
        self.chunk_size = Some(rows);
        self
    }

    fn sql(&self) -> Sql {
        self.sql_with(
            |sql| match M::SCHEMAS {
                [schema] => {
                    let fields = schema.field_keys().iter().map(|key| (key, "::field"));
                    let tags = schema.tag_keys().iter().map(|key| (key, "::tag"));
                    for (index, (key, hint)) in fields.chain(tags).enumerate() {
                        if index > 0 {
                            sql.text.push_str(", ");
                        }
                        sql.text.push_str(&quote_identifier(key));
                        sql.text.push_str(hint);
                    }
                }
                _ => sql.text.push('*'),
            },
            None,
            |_| {},
        )
    }

    /// The statement with `projection` writing what is selected, `interval` (`time(…)`) first
    /// in `GROUP BY`, and `fill` writing what follows `GROUP BY`: how an aggregate of this
    /// read is built.
    pub(super) fn sql_with(
        &self,
        projection: impl FnOnce(&mut Sql),
        interval: Option<&str>,
        fill: impl FnOnce(&mut Sql),
    ) -> Sql {
        let mut sql = Sql::default();
        sql.text.push_str("SELECT ");
        projection(&mut sql);
        sql.text.push_str(" FROM ");
        from(&mut sql, M::SCHEMAS, self.retention_policy.as_deref());
        // InfluxDB reads `LIMIT 0` and `SLIMIT 0` as no limit at all: at most zero rows or
        // series is a statement that matches nothing.
        if self.limit == Some(0) || self.slimit == Some(0) {
            let mut nothing = self.scope.clone();
            nothing.and(Expr::Const(false));
            nothing.render(&mut sql);
        } else {
            self.scope.render(&mut sql);
        }
        let mut group_by: Vec<String> = interval.map(str::to_owned).into_iter().collect();
        if self.group_by_all {
            group_by.push("*".to_owned());
        } else {
            group_by.extend(self.group_by.iter().map(|k| quote_identifier(k)));
        }
        if !group_by.is_empty() {
            sql.text.push_str(" GROUP BY ");
            sql.text.push_str(&group_by.join(", "));
        }
        fill(&mut sql);
        if self.order == Order::Descending {
            sql.text.push_str(" ORDER BY time DESC");
        }
        for (clause, value) in [
            ("LIMIT", limit_for(self.limit, self.offset)),
            ("OFFSET", self.offset),
            ("SLIMIT", limit_for(self.slimit, self.soffset)),
            ("SOFFSET", self.soffset),
        ] {
            if let Some(value) = value {
                sql.text.push_str(&format!(" {clause} {value}"));
            }
        }
        sql
    }

    /// The tags the read groups by: `None` for every tag (`GROUP BY *`).
    pub(super) fn grouped_tags(&self) -> Option<&[&'static str]> {
        (!self.group_by_all).then_some(self.group_by.as_slice())
    }

    /// Whether the read has a lower time bound (`since`, `after`, `between` or `last`).
    pub(super) fn has_lower_time_bound(&self) -> bool {
        self.scope.has_lower_time_bound()
    }

    /// The statement as a [`Query`], with its parameters, database and chunk size, asking for
    /// nanosecond times.
    #[must_use]
    pub fn to_query(&self) -> Query {
        self.query_of(self.sql())
    }

    /// `sql` as a query of this read: its database and chunk size, asking for nanosecond
    /// times.
    pub(super) fn query_of(&self, sql: Sql) -> Query {
        let mut query = sql.into_query().epoch(Precision::Nanoseconds);
        if let Some(database) = &self.database {
            query = query.database(database.clone());
        }
        if let Some(rows) = self.chunk_size {
            query = query.chunk_size(rows);
        }
        query
    }
}

/// The `LIMIT` (or `SLIMIT`) to send: the one asked for, or with an offset and none asked for,
/// the most the server counts. InfluxDB 1.6 answers an `OFFSET n` without `LIMIT` with the one
/// row after the first `n` of each series, and a `SOFFSET n` without `SLIMIT` with no series at
/// all; with a limit, both skip as they should. The limit leaves room for the offset, so that
/// their sum stays an i64.
fn limit_for(limit: Option<u64>, offset: Option<u64>) -> Option<u64> {
    const MOST: u64 = i64::MAX as u64;
    limit.or_else(|| {
        offset
            .filter(|&offset| offset > 0)
            .map(|offset| MOST.saturating_sub(offset).max(1))
    })
}

/// Appends the measurements of `schemas`, each quoted and after the retention policy.
pub(crate) fn from(sql: &mut Sql, schemas: &[crate::Schema], retention_policy: Option<&str>) {
    if schemas.is_empty() {
        sql.text.push_str("\"\"");
        sql.fail("the type names no measurement to read (its Measurement impl has no schema)");
    }
    for (index, schema) in schemas.iter().enumerate() {
        if index > 0 {
            sql.text.push_str(", ");
        }
        if let Some(rp) = retention_policy {
            sql.text.push_str(&quote_identifier(rp));
            sql.text.push('.');
        }
        sql.text.push_str(&quote_identifier(schema.measurement()));
    }
}

/// Writes `text -- $p0 = value, ...`: the statement and its parameters as JSON.
pub(crate) fn display(sql: &Sql, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&sql.text)?;
    for (index, param) in sql.params.iter().enumerate() {
        f.write_str(if index == 0 { " -- " } else { ", " })?;
        match &param.0 {
            Ok(value) => write!(f, "$p{index} = {value}")?,
            Err(problem) => write!(f, "$p{index} cannot be bound: {problem}")?,
        }
    }
    if let Some(problem) = &sql.problem {
        write!(f, " -- cannot run: {problem}")?;
    }
    Ok(())
}

impl<M: Queryable + Measurement> fmt::Display for Select<M> {
    /// The InfluxQL text, then its parameters after `--`: for reading, not for running.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(&self.sql(), f)
    }
}

impl<M: Queryable + Measurement> fmt::Debug for Select<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Select").field(&self.to_string()).finish()
    }
}

impl<M: Queryable + Measurement + FromRow> TypedQuery for Select<M> {
    type Row = M;

    fn to_query(&self) -> Query {
        Select::to_query(self)
    }
}

impl<M: Queryable + Measurement> From<Select<M>> for Query {
    fn from(select: Select<M>) -> Query {
        select.to_query()
    }
}

impl<M: Queryable + Measurement> From<&Select<M>> for Query {
    fn from(select: &Select<M>) -> Query {
        select.to_query()
    }
}
