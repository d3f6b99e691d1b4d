//! `DELETE` of a measurement's points, by tags and time.

use std::fmt;
use std::marker::PhantomData;

use super::filter::{Filter, OnlyTags, Sql, TagsOnly};
use super::scope::{Scope, time_methods};
use super::select::display;
use super::{Queryable, VariantOf};
use crate::query::{Query, quote_identifier};
use crate::{Error, ErrorKind, Measurement};

/// A typed delete of `M`'s points: built from `M::delete()` (see
/// [`Queryable`](super::Queryable)), run with `client.delete(...)`.
///
/// InfluxDB deletes by tags and time only, so the filters take tag conditions alone (a field
/// condition does not compile). A delete with neither a filter nor a time bound would remove
/// every point of the measurement: it is refused unless [`everything`](Delete::everything)
/// says so.
///
/// ```
/// use inflow::{Measurement, Queryable, EpochTime};
///
/// #[derive(Measurement)]
/// struct Reading {
///     #[inflow(tag)]
///     location: String,
///     value: f64,
/// }
///
/// let delete = Reading::delete()
///     .filter(|c| c.location.eq("attic"))
///     .before(EpochTime::seconds(1_700_000_000));
/// assert_eq!(
///     delete.to_string(),
///     r#"DELETE FROM "reading" WHERE "location"::tag = $p0 AND time < $p1 -- $p0 = "attic", $p1 = 1700000000000000000"#
/// );
/// ```
pub struct Delete<M> {
    scope: Scope,
    everything: bool,
    database: Option<String>,
    marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Delete<M> {
    fn clone(&self) -> Self {
        Delete {
            scope: self.scope.clone(),
            everything: self.everything,
            database: self.database.clone(),
            marker: PhantomData,
        }
    }
}

impl<M: Queryable + Measurement> Default for Delete<M> {
    fn default() -> Self {
        Delete::new()
    }
}

impl<M: Queryable + Measurement> Delete<M> {
    /// A delete of nothing yet: add a filter or a time bound, or call
    /// [`everything`](Delete::everything).
    #[must_use]
    pub fn new() -> Self {
        Delete {
            scope: Scope::default(),
            everything: false,
            database: None,
            marker: PhantomData,
        }
    }

    /// Only points whose tags match `filter` (ANDed with earlier filters).
    #[must_use]
    pub fn filter<N: VariantOf<M>, K: OnlyTags>(
        mut self,
        filter: impl FnOnce(&M::Columns) -> Filter<N, K>,
    ) -> Self {
        self.scope.and(filter(&M::columns()).expr);
        self
    }

    time_methods!();

    /// Deletes every point of the measurement when no filter or time bound is given.
    #[must_use]
    pub fn everything(mut self) -> Self {
        self.everything = true;
        self
    }

    /// Runs in this database instead of the client's.
    #[must_use]
    pub fn database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    fn sql(&self) -> Sql {
        let mut sql = Sql::default();
        for (index, schema) in M::SCHEMAS.iter().enumerate() {
            if index > 0 {
                sql.text.push_str("; ");
            }
            sql.text.push_str("DELETE FROM ");
            sql.text.push_str(&quote_identifier(schema.measurement()));
            // Each statement binds its own parameters: `$pN` numbers run on across statements.
            self.scope.render(&mut sql);
        }
        if M::SCHEMAS.is_empty() {
            sql.fail(
                "the type names no measurement to delete from (its Measurement impl has no schema)",
            );
        }
        if self.scope.is_everything() && !self.everything {
            sql.fail("a delete without a filter or time bound removes every point of the measurement: call `everything()` to mean that");
        }
        sql
    }

    /// The statement as a [`Query`].
    #[must_use]
    pub fn to_query(&self) -> Query {
        let mut query = self.sql().into_query();
        if let Some(database) = &self.database {
            query = query.database(database.clone());
        }
        query
    }

    /// Why the delete cannot run, if it cannot.
    pub(crate) fn check(&self) -> Result<Query, Error> {
        let sql = self.sql();
        match &sql.problem {
            Some(problem) => Err(Error::new(ErrorKind::InvalidQuery, problem.clone())),
            None => Ok(self.to_query()),
        }
    }
}

impl<M: Queryable + Measurement> fmt::Display for Delete<M> {
    /// The InfluxQL text, then its parameters after `--`: for reading, not for running.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(&self.sql(), f)
    }
}

impl<M: Queryable + Measurement> fmt::Debug for Delete<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Delete").field(&self.to_string()).finish()
    }
}

/// A tag filter, for places that name the type.
pub type TagFilter<M> = Filter<M, TagsOnly>;
