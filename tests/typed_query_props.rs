//! A property test of typed queries against a real InfluxDB 1.6: random points, random filter
//! trees over their tags and fields, random time bounds, order, limit and offset; the rows the
//! server returns are exactly the points the same condition holds for, evaluated here in Rust.
//!
//! The Rust evaluation is the reference model, written from the documented semantics rather
//! than from the library: an absent tag reads as the empty text; a point without a field
//! matches neither a comparison of that field nor the comparison's negation; `not` is pushed
//! down onto the comparisons (InfluxQL has no `NOT`): `and` and `or` swap, `=` becomes `!=`,
//! `>` becomes `<=`, a match a non-match; `in_` means "equals one of" (an `or` of `eq`s, none
//! of them: false).

use std::cell::Cell;

use inflow::query::{Field, Filter, Order, Select, Tag};
use inflow::{EpochTime, Measurement, Query, Queryable};
use inflow_tests::server;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use regex::Regex;

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "prop")]
struct P {
    #[inflow(tag)]
    a: Option<String>,
    #[inflow(tag)]
    b: Option<String>,
    #[inflow(tag)]
    c: Option<String>,
    f: Option<f64>,
    i: i64,
    flag: bool,
    s: String,
    #[inflow(timestamp)]
    time: EpochTime,
}

const BASE_SECONDS: i64 = 1_700_000_000;
const TAG_TEXTS: [&str; 4] = ["x", "y", "xy", "a.b"];
const STRING_TEXTS: [&str; 6] = ["", "a", "ab", "b.", "ba", "x"];
const FLOATS: [f64; 5] = [-1.5, 0.0, 0.5, 2.0, 3.25];

#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A filter tree; tags are numbered 0 (`a`), 1 (`b`), 2 (`c`).
#[derive(Debug, Clone)]
enum Node {
    Const(bool),
    TagEq(usize, String),
    TagNe(usize, String),
    TagIn(usize, Vec<String>),
    TagMatches(usize, String),
    TagNotMatches(usize, String),
    TagAbsent(usize),
    TagPresent(usize),
    Float(Op, f64),
    FloatIn(Vec<f64>),
    Int(Op, i64),
    IntIn(Vec<i64>),
    Flag(bool, bool),
    Text(bool, String),
    TextMatches(String),
    TextNotMatches(String),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

#[derive(Debug, Clone, Copy)]
enum Bound {
    Since,
    Until,
    After,
    Before,
}

#[derive(Debug, Clone)]
struct Read {
    filter: Node,
    /// Each bound at `BASE_SECONDS + n` seconds: point times, and one past either end.
    bounds: Vec<(Bound, i64)>,
    descending: bool,
    limit: Option<u64>,
    offset: Option<u64>,
}

fn op() -> impl Strategy<Value = Op> {
    prop::sample::select(vec![Op::Eq, Op::Ne, Op::Gt, Op::Ge, Op::Lt, Op::Le])
}

fn tag_text() -> impl Strategy<Value = String> {
    prop::sample::select(TAG_TEXTS.to_vec()).prop_map(str::to_owned)
}

/// Patterns of a small grammar that RE2 and Rust's regex read alike.
fn pattern() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "x", "y", "a", "b", r"\.", ".", "[ab]", "(x|y)", "x*", "b+", "(a|xy)",
    ]);
    (
        any::<bool>(),
        prop::collection::vec(piece, 0..3),
        any::<bool>(),
    )
        .prop_map(|(start, pieces, end)| {
            format!(
                "{}{}{}",
                if start { "^" } else { "" },
                pieces.concat(),
                if end { "$" } else { "" }
            )
        })
}

fn leaf() -> impl Strategy<Value = Node> {
    let tag = 0..3_usize;
    prop_oneof![
        any::<bool>().prop_map(Node::Const),
        (tag.clone(), tag_text()).prop_map(|(t, v)| Node::TagEq(t, v)),
        (tag.clone(), tag_text()).prop_map(|(t, v)| Node::TagNe(t, v)),
        (tag.clone(), prop::collection::vec(tag_text(), 0..3)).prop_map(|(t, v)| Node::TagIn(t, v)),
        (tag.clone(), pattern()).prop_map(|(t, p)| Node::TagMatches(t, p)),
        (tag.clone(), pattern()).prop_map(|(t, p)| Node::TagNotMatches(t, p)),
        tag.clone().prop_map(Node::TagAbsent),
        tag.prop_map(Node::TagPresent),
        (op(), prop::sample::select(FLOATS.to_vec())).prop_map(|(o, v)| Node::Float(o, v)),
        prop::collection::vec(prop::sample::select(FLOATS.to_vec()), 0..3).prop_map(Node::FloatIn),
        (op(), -3_i64..4).prop_map(|(o, v)| Node::Int(o, v)),
        prop::collection::vec(-3_i64..4, 0..3).prop_map(Node::IntIn),
        (any::<bool>(), any::<bool>()).prop_map(|(eq, v)| Node::Flag(eq, v)),
        (any::<bool>(), prop::sample::select(STRING_TEXTS.to_vec()))
            .prop_map(|(eq, v)| Node::Text(eq, v.to_owned())),
        pattern().prop_map(Node::TextMatches),
        pattern().prop_map(Node::TextNotMatches),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    leaf().prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Node::And(Box::new(l), Box::new(r))),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Node::Or(Box::new(l), Box::new(r))),
            inner.prop_map(|n| Node::Not(Box::new(n))),
        ]
    })
}

fn points() -> impl Strategy<Value = Vec<P>> {
    let tag = || prop::option::of(tag_text());
    let point = (
        tag(),
        tag(),
        tag(),
        prop::option::weighted(0.8, prop::sample::select(FLOATS.to_vec())),
        -3_i64..4,
        any::<bool>(),
        prop::sample::select(STRING_TEXTS.to_vec()),
    );
    prop::collection::vec(point, 4..14).prop_map(|points| {
        (0_i64..)
            .zip(points)
            .map(|(n, (a, b, c, f, i, flag, s))| P {
                a,
                b,
                c,
                f,
                i,
                flag,
                s: s.to_owned(),
                time: EpochTime::seconds(BASE_SECONDS + n),
            })
            .collect()
    })
}

fn read() -> impl Strategy<Value = Read> {
    let bound = prop::sample::select(vec![
        Bound::Since,
        Bound::Until,
        Bound::After,
        Bound::Before,
    ]);
    (
        node(),
        prop::collection::vec((bound, -1_i64..15), 0..3),
        any::<bool>(),
        prop::option::weighted(0.3, 0_u64..6),
        prop::option::weighted(0.3, 0_u64..4),
    )
        .prop_map(|(filter, bounds, descending, limit, offset)| Read {
            filter,
            bounds,
            descending,
            limit,
            offset,
        })
}

// ---- the model ----

fn tag_of(point: &P, tag: usize) -> &str {
    [&point.a, &point.b, &point.c][tag].as_deref().unwrap_or("")
}

fn compare<T: PartialOrd>(op: Op, x: &T, v: &T) -> bool {
    match op {
        Op::Eq => x == v,
        Op::Ne => x != v,
        Op::Gt => x > v,
        Op::Ge => x >= v,
        Op::Lt => x < v,
        Op::Le => x <= v,
    }
}

fn negated(op: Op) -> Op {
    match op {
        Op::Eq => Op::Ne,
        Op::Ne => Op::Eq,
        Op::Gt => Op::Le,
        Op::Ge => Op::Lt,
        Op::Lt => Op::Ge,
        Op::Le => Op::Gt,
    }
}

fn matches(pattern: &str, text: &str) -> bool {
    Regex::new(pattern)
        .expect("a pattern of the grammar")
        .is_match(text)
}

/// Whether `node` holds for `point`, under `negate` negations pushed down to it.
fn holds(node: &Node, point: &P, negate: bool) -> bool {
    let or_of = |eqs: Vec<Node>| {
        eqs.into_iter().fold(Node::Const(false), |any, eq| {
            Node::Or(Box::new(any), Box::new(eq))
        })
    };
    match node {
        Node::Const(value) => *value != negate,
        Node::TagEq(t, v) => (tag_of(point, *t) == v) != negate,
        Node::TagNe(t, v) => (tag_of(point, *t) != v) != negate,
        Node::TagIn(t, vs) => holds(
            &or_of(vs.iter().map(|v| Node::TagEq(*t, v.clone())).collect()),
            point,
            negate,
        ),
        Node::TagMatches(t, p) => matches(p, tag_of(point, *t)) != negate,
        Node::TagNotMatches(t, p) => matches(p, tag_of(point, *t)) == negate,
        Node::TagAbsent(t) => tag_of(point, *t).is_empty() != negate,
        Node::TagPresent(t) => tag_of(point, *t).is_empty() == negate,
        // A field the point lacks matches neither the comparison nor its negation.
        Node::Float(op, v) => point
            .f
            .is_some_and(|f| compare(if negate { negated(*op) } else { *op }, &f, v)),
        Node::FloatIn(vs) => holds(
            &or_of(vs.iter().map(|v| Node::Float(Op::Eq, *v)).collect()),
            point,
            negate,
        ),
        Node::Int(op, v) => compare(if negate { negated(*op) } else { *op }, &point.i, v),
        Node::IntIn(vs) => holds(
            &or_of(vs.iter().map(|v| Node::Int(Op::Eq, *v)).collect()),
            point,
            negate,
        ),
        Node::Flag(eq, v) => ((point.flag == *v) == *eq) != negate,
        Node::Text(eq, v) => ((point.s == *v) == *eq) != negate,
        Node::TextMatches(p) => matches(p, &point.s) != negate,
        Node::TextNotMatches(p) => matches(p, &point.s) == negate,
        Node::And(l, r) if negate => holds(l, point, true) || holds(r, point, true),
        Node::And(l, r) => holds(l, point, false) && holds(r, point, false),
        Node::Or(l, r) if negate => holds(l, point, true) && holds(r, point, true),
        Node::Or(l, r) => holds(l, point, false) || holds(r, point, false),
        Node::Not(inner) => holds(inner, point, !negate),
    }
}

/// The rows `read` returns from `points` (written oldest first), by the model.
fn expected(read: &Read, points: &[P]) -> Vec<P> {
    let mut rows: Vec<P> = points
        .iter()
        .filter(|p| holds(&read.filter, p, false))
        .filter(|p| {
            let seconds = p.time.value() - BASE_SECONDS;
            read.bounds.iter().all(|&(bound, at)| match bound {
                Bound::Since => seconds >= at,
                Bound::Until => seconds <= at,
                Bound::After => seconds > at,
                Bound::Before => seconds < at,
            })
        })
        .cloned()
        .collect();
    if read.descending {
        rows.reverse();
    }
    let offset = usize::try_from(read.offset.unwrap_or(0)).unwrap();
    let limit = read
        .limit
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap());
    rows.into_iter().skip(offset).take(limit).collect()
}

// ---- the typed query ----

type Columns = <P as Queryable>::Columns;

fn tag(c: &Columns, t: usize) -> Tag<P, Option<String>> {
    [c.a, c.b, c.c][t]
}

fn ordered<T>(field: Field<P, T>, op: Op, v: T::Arg<'_>) -> Filter<P>
where
    T: inflow::query::FieldColumn<Kind = inflow::query::Numeric> + ?Sized,
{
    match op {
        Op::Eq => field.eq(v),
        Op::Ne => field.ne(v),
        Op::Gt => field.gt(v),
        Op::Ge => field.ge(v),
        Op::Lt => field.lt(v),
        Op::Le => field.le(v),
    }
}

fn build(node: &Node, c: &Columns) -> Filter<P> {
    let tags = |filter: Filter<P, inflow::query::TagsOnly>| Filter::<P>::from(filter);
    match node {
        Node::Const(value) => Filter::constant(*value),
        Node::TagEq(t, v) => tags(tag(c, *t).eq(v)),
        Node::TagNe(t, v) => tags(tag(c, *t).ne(v)),
        Node::TagIn(t, vs) => tags(tag(c, *t).in_(vs.iter().map(String::as_str))),
        Node::TagMatches(t, p) => tags(tag(c, *t).matches(p)),
        Node::TagNotMatches(t, p) => tags(tag(c, *t).not_matches(p)),
        Node::TagAbsent(t) => tags(tag(c, *t).is_absent()),
        Node::TagPresent(t) => tags(tag(c, *t).is_present()),
        Node::Float(op, v) => ordered(c.f, *op, *v),
        Node::FloatIn(vs) => c.f.in_(vs.iter().copied()),
        Node::Int(op, v) => ordered(c.i, *op, *v),
        Node::IntIn(vs) => c.i.in_(vs.iter().copied()),
        Node::Flag(true, v) => c.flag.eq(*v),
        Node::Flag(false, v) => c.flag.ne(*v),
        Node::Text(true, v) => c.s.eq(v),
        Node::Text(false, v) => c.s.ne(v),
        Node::TextMatches(p) => c.s.matches(p),
        Node::TextNotMatches(p) => c.s.not_matches(p),
        Node::And(l, r) => build(l, c).and(build(r, c)),
        Node::Or(l, r) => build(l, c) | build(r, c),
        Node::Not(inner) => !build(inner, c),
    }
}

fn select(read: &Read) -> Select<P> {
    let mut select = P::select().filter(|c| build(&read.filter, c));
    for &(bound, at) in &read.bounds {
        let time = EpochTime::seconds(BASE_SECONDS + at);
        select = match bound {
            Bound::Since => select.since(time),
            Bound::Until => select.until(time),
            Bound::After => select.after(time),
            Bound::Before => select.before(time),
        };
    }
    if read.descending {
        select = select.order_by_time(Order::Descending);
    }
    if let Some(limit) = read.limit {
        select = select.limit(limit);
    }
    if let Some(offset) = read.offset {
        select = select.offset(offset);
    }
    select
}

#[test]
fn random_filters_return_exactly_the_points_the_model_selects() {
    let db = server::server().database("typed_query_props");
    let client = inflow::blocking::Client::new(&db.url()).unwrap();
    let (reads_run, some_but_not_all) = (Cell::new(0_u32), Cell::new(0_u32));
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(
        &(points(), prop::collection::vec(read(), 6)),
        |(points, reads)| {
            // Each case starts from an empty measurement.
            client.delete(P::delete().everything()).unwrap();
            client.write_all(&points).unwrap();
            let all: Vec<P> = client.query_as(Query::new("SELECT * FROM prop")).unwrap();
            prop_assert_eq!(&all, &points);
            for read in &reads {
                let select = select(read);
                let want = expected(read, &points);
                let got = client
                    .fetch(select.clone())
                    .map_err(|err| TestCaseError::fail(format!("{select}: {err}")))?;
                prop_assert_eq!(&got, &want, "{}", select);
                reads_run.set(reads_run.get() + 1);
                if !want.is_empty() && want.len() < points.len() {
                    some_but_not_all.set(some_but_not_all.get() + 1);
                }
            }
            Ok(())
        },
    );
    if let Err(err) = result {
        panic!("{err}");
    }
    println!(
        "{} reads, {} of them selecting some points but not all",
        reads_run.get(),
        some_but_not_all.get()
    );
    // The reads told points apart: many selected some points but not all.
    assert!(
        some_but_not_all.get() * 3 >= reads_run.get(),
        "only {} of {} reads selected some but not all points",
        some_but_not_all.get(),
        reads_run.get()
    );
}
