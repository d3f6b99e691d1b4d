//! Filters: a tree of typed comparisons, kept as an expression that renders to InfluxQL with
//! every value a bound parameter and every key quoted.

use std::fmt;
use std::marker::PhantomData;

use super::VariantOf;
use super::regex::regex_literal;
use crate::query::{Param, quote_identifier};

/// A condition on the columns of `M`, built from the column handles and combined with
/// [`and`](Filter::and), [`or`](Filter::or) and [`not`](Filter::not) (or `&`, `|` and `!`).
///
/// `K` records what the condition reads: [`TagsOnly`] for a condition on tags alone (what a
/// delete accepts), [`AnyColumns`] once a field is involved.
///
/// InfluxQL has no `NOT`: a negation is applied to each comparison inside it (`=` becomes
/// `!=`, `>` becomes `<=`, a regex match a non-match, `and` becomes `or`). A point that lacks
/// a field matches neither a comparison of that field nor its negation, as the server does.
pub struct Filter<M, K = AnyColumns> {
    pub(crate) expr: Expr,
    marker: PhantomData<fn() -> (M, K)>,
}

/// A [`Filter`] that reads tags only.
#[derive(Debug, Clone, Copy)]
pub enum TagsOnly {}

/// A [`Filter`] that reads fields (and maybe tags).
#[derive(Debug, Clone, Copy)]
pub enum AnyColumns {}

/// What reading both `Self` and `K` reads: tags only when both read tags only.
pub trait Join<K> {
    /// [`TagsOnly`] or [`AnyColumns`].
    type Out;
}

impl Join<TagsOnly> for TagsOnly {
    type Out = TagsOnly;
}
impl Join<AnyColumns> for TagsOnly {
    type Out = AnyColumns;
}
impl Join<TagsOnly> for AnyColumns {
    type Out = AnyColumns;
}
impl Join<AnyColumns> for AnyColumns {
    type Out = AnyColumns;
}

/// Conditions a delete accepts: on tags (and time) only.
#[diagnostic::on_unimplemented(
    message = "a delete filters on tags and time only, and this filter reads a field",
    label = "this filter compares a field",
    note = "InfluxDB refuses field conditions in DELETE and DROP SERIES; filter on tags, and bound the time with since/until/between"
)]
pub trait OnlyTags {}
impl OnlyTags for TagsOnly {}

impl<M, K> Clone for Filter<M, K> {
    fn clone(&self) -> Self {
        Filter::new(self.expr.clone())
    }
}

impl<M, K> fmt::Debug for Filter<M, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sql = Sql::default();
        self.expr.render(&mut sql);
        f.debug_struct("Filter")
            .field("influxql", &sql.text)
            .field("params", &sql.params)
            .finish()
    }
}

impl<M, K> Filter<M, K> {
    pub(crate) fn new(expr: Expr) -> Self {
        Filter {
            expr,
            marker: PhantomData,
        }
    }

    /// A filter every point matches (`true`) or none does (`false`).
    #[must_use]
    pub fn constant(value: bool) -> Self {
        Filter::new(Expr::Const(value))
    }

    /// Both conditions hold. `other` is a filter of `M`, or, for an enum of measurements
    /// `M`, of one of its newtype variants' types.
    #[must_use]
    pub fn and<N: VariantOf<M>, K2>(self, other: Filter<N, K2>) -> Filter<M, <K as Join<K2>>::Out>
    where
        K: Join<K2>,
    {
        Filter::new(self.expr.and(other.expr))
    }

    /// Either condition holds. `other` is a filter of `M`, or, for an enum of measurements
    /// `M`, of one of its newtype variants' types.
    #[must_use]
    pub fn or<N: VariantOf<M>, K2>(self, other: Filter<N, K2>) -> Filter<M, <K as Join<K2>>::Out>
    where
        K: Join<K2>,
    {
        Filter::new(self.expr.or(other.expr))
    }

    /// The same condition as a filter of `E`, an enum of measurements with a newtype variant of
    /// type `M`: to start a combination with a variant's filter.
    #[must_use]
    pub fn of<E>(self) -> Filter<E, K>
    where
        M: VariantOf<E>,
    {
        Filter::new(self.expr)
    }

    /// The condition does not hold (see the type's docs for fields a point lacks).
    #[must_use]
    #[allow(clippy::should_implement_trait)] // `!` is implemented too; this reads in chains
    pub fn not(self) -> Self {
        Filter::new(self.expr.negate())
    }
}

impl<M> From<Filter<M, TagsOnly>> for Filter<M, AnyColumns> {
    fn from(filter: Filter<M, TagsOnly>) -> Self {
        Filter::new(filter.expr)
    }
}

impl<M, K> std::ops::Not for Filter<M, K> {
    type Output = Self;

    fn not(self) -> Self {
        Filter::not(self)
    }
}

impl<M, K: Join<K2>, N: VariantOf<M>, K2> std::ops::BitAnd<Filter<N, K2>> for Filter<M, K> {
    type Output = Filter<M, <K as Join<K2>>::Out>;

    fn bitand(self, other: Filter<N, K2>) -> Self::Output {
        self.and(other)
    }
}

impl<M, K: Join<K2>, N: VariantOf<M>, K2> std::ops::BitOr<Filter<N, K2>> for Filter<M, K> {
    type Output = Filter<M, <K as Join<K2>>::Out>;

    fn bitor(self, other: Filter<N, K2>) -> Self::Output {
        self.or(other)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Tag,
    Field,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn negate(self) -> Op {
        match self {
            Op::Eq => Op::Ne,
            Op::Ne => Op::Eq,
            Op::Gt => Op::Le,
            Op::Ge => Op::Lt,
            Op::Lt => Op::Ge,
            Op::Le => Op::Gt,
        }
    }

    pub(crate) fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

/// A value compared with a column: a bound parameter, or why it cannot be one.
pub(crate) struct FilterValue;

impl FilterValue {
    pub(crate) fn tag(key: &str, text: Result<String, String>) -> Param {
        Param(
            text.map(serde_json::Value::String)
                .map_err(|problem| format!("the value compared with tag {key:?}: {problem}")),
        )
    }

    pub(crate) fn field(key: &str, value: Param) -> Param {
        Param(
            value
                .0
                .map_err(|problem| format!("the value compared with field {key:?}: {problem}")),
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Const(bool),
    Compare {
        key: &'static str,
        role: Role,
        op: Op,
        value: Param,
    },
    Regex {
        key: &'static str,
        role: Role,
        negated: bool,
        /// The regex literal, `/…/`, or why the pattern cannot be one.
        literal: Result<String, String>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    pub(crate) fn regex(key: &'static str, role: Role, negated: bool, pattern: &str) -> Expr {
        Expr::Regex {
            key,
            role,
            negated,
            literal: regex_literal(pattern)
                .map_err(|problem| format!("the regex compared with {key:?}: {problem}")),
        }
    }

    pub(crate) fn into_filter<M, K>(self) -> Filter<M, K> {
        Filter::new(self)
    }

    pub(crate) fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::Const(true), other) | (other, Expr::Const(true)) => other,
            (Expr::Const(false), _) | (_, Expr::Const(false)) => Expr::Const(false),
            (left, right) => Expr::And(Box::new(left), Box::new(right)),
        }
    }

    pub(crate) fn or(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::Const(false), other) | (other, Expr::Const(false)) => other,
            (Expr::Const(true), _) | (_, Expr::Const(true)) => Expr::Const(true),
            (left, right) => Expr::Or(Box::new(left), Box::new(right)),
        }
    }

    pub(crate) fn negate(self) -> Expr {
        match self {
            Expr::Const(value) => Expr::Const(!value),
            Expr::Compare {
                key,
                role,
                op,
                value,
            } => Expr::Compare {
                key,
                role,
                op: op.negate(),
                value,
            },
            Expr::Regex {
                key,
                role,
                negated,
                literal,
            } => Expr::Regex {
                key,
                role,
                negated: !negated,
                literal,
            },
            Expr::And(left, right) => left.negate().or(right.negate()),
            Expr::Or(left, right) => left.negate().and(right.negate()),
        }
    }

    /// Appends the condition to `sql`: `true`/`false`, or comparisons joined by `AND`/`OR`,
    /// an `OR` inside an `AND` and an `AND` inside an `OR` in parentheses.
    pub(crate) fn render(&self, sql: &mut Sql) {
        match self {
            Expr::Const(value) => sql.text.push_str(if *value { "true" } else { "false" }),
            Expr::Compare {
                key,
                role,
                op,
                value,
            } => {
                column(sql, key, *role);
                sql.text.push(' ');
                sql.text.push_str(op.text());
                sql.text.push(' ');
                sql.bind(value.clone());
            }
            Expr::Regex {
                key,
                role,
                negated,
                literal,
            } => {
                column(sql, key, *role);
                sql.text.push_str(if *negated { " !~ " } else { " =~ " });
                match literal {
                    Ok(literal) => sql.text.push_str(literal),
                    Err(problem) => {
                        sql.text.push_str("//");
                        sql.fail(problem);
                    }
                }
            }
            Expr::And(left, right) => {
                operand(sql, left, true);
                sql.text.push_str(" AND ");
                operand(sql, right, true);
            }
            Expr::Or(left, right) => {
                operand(sql, left, false);
                sql.text.push_str(" OR ");
                operand(sql, right, false);
            }
        }
    }
}

fn column(sql: &mut Sql, key: &str, role: Role) {
    sql.text.push_str(&quote_identifier(key));
    sql.text.push_str(match role {
        Role::Tag => "::tag",
        Role::Field => "::field",
    });
}

/// Renders an operand of `AND` (`in_and`) or `OR`: in parentheses when it is the other one.
fn operand(sql: &mut Sql, expr: &Expr, in_and: bool) {
    let compound = match expr {
        Expr::And(..) => !in_and,
        Expr::Or(..) => in_and,
        _ => false,
    };
    if compound {
        sql.text.push('(');
    }
    expr.render(sql);
    if compound {
        sql.text.push(')');
    }
}

/// InfluxQL text being built, with its parameters (`$p0`, `$p1`, ...) in order, and the first
/// reason it cannot be sent, if any.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) params: Vec<Param>,
    pub(crate) problem: Option<String>,
}

impl Sql {
    /// Writes `$pN` for `value`.
    pub(crate) fn bind(&mut self, value: Param) {
        use std::fmt::Write as _;
        let _ = write!(self.text, "$p{}", self.params.len());
        self.params.push(value);
    }

    pub(crate) fn fail(&mut self, problem: &str) {
        self.problem.get_or_insert_with(|| problem.to_owned());
    }

    /// The query: the text with every parameter bound.
    pub(crate) fn into_query(self) -> crate::Query {
        let mut query = crate::Query::new(self.text);
        for (index, param) in self.params.into_iter().enumerate() {
            query = query.bind(format!("p{index}"), param);
        }
        if let Some(problem) = self.problem {
            query.invalid_param = Some(problem);
        }
        query
    }
}
