//! The `WHERE` clause every typed statement shares: a filter and time bounds.

use std::time::Duration;

use super::filter::{Expr, Op, Sql};
use crate::Timestamp;
use crate::query::Param;

/// A filter and the time bounds, ANDed.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub(crate) filter: Expr,
    times: Vec<(Op, Param)>,
    /// `time >= now() - last`, in nanoseconds, or why it cannot be.
    last: Option<Result<i64, String>>,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            filter: Expr::Const(true),
            times: Vec::new(),
            last: None,
        }
    }
}

impl Scope {
    pub(crate) fn and(&mut self, filter: Expr) {
        let current = std::mem::replace(&mut self.filter, Expr::Const(true));
        self.filter = current.and(filter);
    }

    pub(crate) fn time(&mut self, op: Op, time: &(impl Timestamp + ?Sized)) {
        let nanos = match time.unix_nanos() {
            None => Err("a time bound of None".to_owned()),
            Some(nanos) => i64::try_from(nanos).map_err(|_| {
                format!("the time bound {nanos} ns is outside the times InfluxDB stores")
            }),
        };
        self.times
            .push((op, Param(nanos.map(serde_json::Value::from))));
    }

    pub(crate) fn last(&mut self, duration: Duration) {
        self.last =
            Some(i64::try_from(duration.as_nanos()).map_err(|_| {
                format!("last({duration:?}) reaches before the times InfluxDB stores")
            }));
    }

    /// Whether the points are bounded from below in time (`>=`, `>`, or `last`).
    pub(crate) fn has_lower_time_bound(&self) -> bool {
        self.last.is_some()
            || self
                .times
                .iter()
                .any(|(op, _)| matches!(op, Op::Ge | Op::Gt))
    }

    /// Whether anything restricts the points.
    pub(crate) fn is_everything(&self) -> bool {
        self.filter == Expr::Const(true) && self.times.is_empty() && self.last.is_none()
    }

    /// Appends ` WHERE …`, or nothing when nothing restricts the points.
    pub(crate) fn render(&self, sql: &mut Sql) {
        if self.is_everything() {
            return;
        }
        sql.text.push_str(" WHERE ");
        let mut first = true;
        let mut and = |sql: &mut Sql| {
            if !std::mem::take(&mut first) {
                sql.text.push_str(" AND ");
            }
        };
        if self.filter != Expr::Const(true) {
            and(sql);
            let alone = self.times.is_empty() && self.last.is_none();
            let parens = !alone && matches!(self.filter, Expr::Or(..));
            if parens {
                sql.text.push('(');
            }
            self.filter.render(sql);
            if parens {
                sql.text.push(')');
            }
        }
        for (op, time) in &self.times {
            and(sql);
            sql.text.push_str("time ");
            sql.text.push_str(op.text());
            sql.text.push(' ');
            sql.bind(time.clone());
        }
        if let Some(last) = &self.last {
            and(sql);
            match last {
                Ok(nanos) => sql.text.push_str(&format!("time >= now() - {nanos}ns")),
                Err(problem) => {
                    sql.text.push_str("true");
                    sql.fail(problem);
                }
            }
        }
    }
}

/// The time bounds of a typed statement with a `scope` field.
macro_rules! time_methods {
    () => {
        /// Only points at or after `start`.
        #[must_use]
        pub fn since(mut self, start: impl $crate::Timestamp) -> Self {
            self.scope
                .time($crate::query::typed::filter::Op::Ge, &start);
            self
        }

        /// Only points at or before `end`.
        #[must_use]
        pub fn until(mut self, end: impl $crate::Timestamp) -> Self {
            self.scope.time($crate::query::typed::filter::Op::Le, &end);
            self
        }

        /// Only points strictly after `start`.
        #[must_use]
        pub fn after(mut self, start: impl $crate::Timestamp) -> Self {
            self.scope
                .time($crate::query::typed::filter::Op::Gt, &start);
            self
        }

        /// Only points strictly before `end`.
        #[must_use]
        pub fn before(mut self, end: impl $crate::Timestamp) -> Self {
            self.scope.time($crate::query::typed::filter::Op::Lt, &end);
            self
        }

        /// Only points from `start` to `end`, both included.
        #[must_use]
        pub fn between(self, start: impl $crate::Timestamp, end: impl $crate::Timestamp) -> Self {
            self.since(start).until(end)
        }

        /// Only points of the last `duration`, up to the server's clock when it runs the
        /// statement (`time >= now() - duration`).
        #[must_use]
        pub fn last(mut self, duration: ::std::time::Duration) -> Self {
            self.scope.last(duration);
            self
        }
    };
}

pub(crate) use time_methods;
