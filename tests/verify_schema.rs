//! `verify_schema` against a real InfluxDB 1.6, async and blocking: conflicts created by
//! writing the other type (or the other kind of key) first, keys only the server has, a
//! measurement it does not have, field types per retention policy, and names that need
//! quoting; a session's partial write naming the Rust field of the server's type conflict; and
//! sessions that check their schema before their first commit (`Session::verify_schema`).

use inflow::{EpochTime, ErrorKind, FieldType, Measurement, Point, SchemaReport, ServerKey};
use inflow_tests::server::{self, Database};

#[derive(Debug, Measurement)]
#[inflow(measurement = "reading")]
struct Reading {
    #[inflow(tag)]
    sensor: String,
    count: i64,
    level: f64,
    #[inflow(timestamp)]
    at: EpochTime,
}

fn reading() -> Reading {
    Reading {
        sensor: "a".to_owned(),
        count: 7,
        level: 0.5,
        at: EpochTime::seconds(100),
    }
}

/// Names that InfluxQL must quote and line protocol must escape: quotes, backslashes,
/// spaces, commas, `=` and non-ASCII.
#[derive(Debug, Measurement)]
#[inflow(measurement = "we \"ir,d\\x € m")]
struct Odd {
    #[inflow(tag, rename = "t \"q=,\\y")]
    tag: String,
    #[inflow(rename = "f \"q\\\\=x, €")]
    value: i64,
    #[inflow(timestamp)]
    at: EpochTime,
}

/// InfluxDB refuses `/` and `\` in retention policy names.
const ODD_RETENTION_POLICY: &str = "r p\"x.y €";

fn blocking_client(db: &Database, retention_policy: Option<&str>) -> inflow::blocking::Client {
    let client = inflow::blocking::Client::new(&db.url()).expect("a client");
    match retention_policy {
        Some(rp) => client.with_retention_policy(rp),
        None => client,
    }
}

/// Runs the same check with the async client and the blocking one: both must give the same
/// report, which `check` judges.
fn verify_both<M: Measurement>(
    db: &Database,
    retention_policy: Option<&str>,
    check: impl Fn(&SchemaReport),
) {
    let blocking = blocking_client(db, retention_policy);
    let report = blocking
        .verify_schema::<M>()
        .expect("blocking verify_schema");
    check(&report);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let client = inflow::Client::new(&db.url()).expect("a client");
    let client = match retention_policy {
        Some(rp) => client.with_retention_policy(rp),
        None => client,
    };
    let async_report = runtime
        .block_on(client.verify_schema::<M>())
        .expect("verify_schema");
    assert_eq!(async_report, report, "async and blocking agree");
}

fn create_retention_policy(db: &Database) {
    let answer = db.query(&format!(
        "CREATE RETENTION POLICY {} ON {} DURATION INF REPLICATION 1",
        inflow::query::quote_identifier(ODD_RETENTION_POLICY),
        inflow::query::quote_identifier(db.name())
    ));
    assert!(!answer.to_string().contains("error"), "{answer}");
}

/// Writes `lines` as they are into the database's default retention policy, or `rp`.
fn seed(db: &Database, retention_policy: Option<&str>, lines: &str) {
    blocking_client(db, retention_policy)
        .write_line_protocol(lines)
        .expect("the seed is written");
}

#[test]
fn a_field_of_another_type_is_a_conflict_naming_the_rust_field() {
    let db = server::server().database("verify_type");
    seed(&db, None, "reading,sensor=a count=1.5,level=1 1\n");
    verify_both::<Reading>(&db, None, |report| {
        assert!(!report.is_compatible());
        assert_eq!(
            report.to_string(),
            "`Reading::count` (i64, written as integer) conflicts with the server's float field `count` of measurement `reading`"
        );
        let [conflict] = report.conflicts() else {
            panic!("{report:?}")
        };
        assert_eq!(conflict.written_as(), Some(FieldType::Integer));
        assert_eq!(conflict.server(), &ServerKey::Field("float".to_owned()));
    });
}

#[test]
fn a_tag_that_is_a_field_on_the_server_and_the_other_way_round_conflict() {
    let db = server::server().database("verify_swap");
    seed(&db, None, "reading,level=x count=1i,sensor=\"s\" 1\n");
    verify_both::<Reading>(&db, None, |report| {
        assert_eq!(
            report.to_string(),
            "`Reading::sensor` (written as tag) conflicts with the server's string field `sensor` of measurement `reading`\n\
             `Reading::level` (f64, written as float) conflicts with the server's tag `level` of measurement `reading`"
        );
    });
}

#[test]
fn keys_only_the_server_has_are_information_and_no_conflict() {
    let db = server::server().database("verify_extra");
    seed(
        &db,
        None,
        "reading,sensor=a,site=x count=1i,level=1,extra=true 1\n",
    );
    verify_both::<Reading>(&db, None, |report| {
        assert!(report.is_compatible());
        assert!(report.conflicts().is_empty());
        assert_eq!(
            report.to_string(),
            "the server's boolean field `extra` of measurement `reading` is not written by the type\n\
             the server's tag `site` of measurement `reading` is not written by the type"
        );
    });
}

#[test]
fn a_measurement_the_server_does_not_have_has_nothing_to_conflict_with() {
    let db = server::server().database("verify_missing");
    seed(&db, None, "other,sensor=1 count=1.5 1\n");
    verify_both::<Reading>(&db, None, |report| {
        assert_eq!(report, &SchemaReport::default());
        assert_eq!(report.to_string(), "the schema matches the server's");
    });
}

#[test]
fn field_types_are_compared_in_the_clients_retention_policy() {
    let db = server::server().database("verify_rp");
    create_retention_policy(&db);
    seed(&db, None, "reading,sensor=a count=1.5 1\n");
    seed(
        &db,
        Some(ODD_RETENTION_POLICY),
        "reading,sensor=a count=1i,level=2 1\n",
    );
    verify_both::<Reading>(&db, Some(ODD_RETENTION_POLICY), |report| {
        assert_eq!(report, &SchemaReport::default());
    });
    verify_both::<Reading>(&db, None, |report| {
        let [conflict] = report.conflicts() else {
            panic!("{report:?}")
        };
        assert_eq!(conflict.key(), "count");
    });
}

#[test]
fn names_that_need_quoting_are_asked_for_exactly() {
    let db = server::server().database("verify_quoting");
    create_retention_policy(&db);
    let schema = Odd::SCHEMA.unwrap();
    let (tag, field) = (schema.tag_keys()[0], schema.field_keys()[0]);
    for rp in [None, Some(ODD_RETENTION_POLICY)] {
        let other_type = Point::new(schema.measurement())
            .tag(tag, "v")
            .field(field, 1.5)
            .field("extra \" \\€", true)
            .timestamp_secs(1);
        blocking_client(&db, rp)
            .write(&other_type)
            .expect("the seed is written");
        verify_both::<Odd>(&db, rp, |report| {
            assert_eq!(
                report.to_string(),
                "`Odd::value` (i64, written as integer) conflicts with the server's float field `f \"q\\\\=x, €` of measurement `we \"ir,d\\x € m`\n\
                 the server's boolean field `extra \" \\€` of measurement `we \"ir,d\\x € m` is not written by the type"
            );
        });
    }
}

#[test]
fn a_type_without_a_static_schema_cannot_be_verified() {
    let db = server::server().database("verify_point");
    let err = blocking_client(&db, None)
        .verify_schema::<Point>()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidQuery);
    assert_eq!(
        err.message(),
        "`inflow::point::Point` has no static schema to verify: its tags and fields are only known per point"
    );
}

/// The commit's error keeps the server's message and adds the Rust field.
fn assert_names_the_field(err: &inflow::Error, message: &str, explanation: &str) {
    assert_eq!(err.kind(), ErrorKind::PartialWrite);
    assert_eq!(err.message(), message);
    assert_eq!(
        err.to_string(),
        format!("partial write (HTTP 400): {message} ({explanation})")
    );
}

#[test]
fn a_sessions_partial_write_names_the_rust_field_of_the_type_conflict() {
    let db = server::server().database("verify_partial");
    seed(&db, None, "reading,sensor=a count=1.5,level=1 1\n");
    let message = "partial write: field type conflict: input field \"count\" on measurement \"reading\" is type integer, already exists as type float dropped=1";
    let explanation = "`Reading::count` (i64, written as integer) conflicts with the server's float field `count`";

    let client = blocking_client(&db, None);
    let mut session = client.session::<Reading>();
    session.write(&reading()).unwrap();
    let err = session.commit().unwrap_err();
    assert_names_the_field(&err, message, explanation);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let client = inflow::Client::new(&db.url()).unwrap();
        let mut session = client.session::<Reading>();
        session.write(&reading()).await.unwrap();
        let err = session.commit().await.unwrap_err();
        assert_names_the_field(&err, message, explanation);
    });
}

#[test]
fn a_partial_write_on_names_that_need_escaping_names_the_rust_field() {
    let db = server::server().database("verify_partial_odd");
    let schema = Odd::SCHEMA.unwrap();
    let client = blocking_client(&db, None);
    client
        .write(
            &Point::new(schema.measurement())
                .tag(schema.tag_keys()[0], "v")
                .field(schema.field_keys()[0], 1.5)
                .timestamp_secs(1),
        )
        .unwrap();
    let mut session = client.session::<Odd>();
    session
        .write(&Odd {
            tag: "v".to_owned(),
            value: 1,
            at: EpochTime::seconds(2),
        })
        .unwrap();
    let err = session.commit().unwrap_err();
    assert_names_the_field(
        &err,
        "partial write: field type conflict: input field \"f \"q\\\\=x, €\" on measurement \"we \"ir,d\\x € m\" is type integer, already exists as type float dropped=1",
        "`Odd::value` (i64, written as integer) conflicts with the server's float field `f \"q\\\\=x, €`",
    );
}

/// A session of either client set to check its schema first, its async methods run to
/// completion, so that each scenario below is written once for both.
trait CheckedSession {
    fn write(&mut self, point: &Reading) -> inflow::Result<()>;
    fn commit(&mut self) -> inflow::Result<()>;
    fn len(&self) -> usize;
}

struct AsyncSession {
    runtime: tokio::runtime::Runtime,
    session: inflow::Session<Reading>,
}

impl CheckedSession for AsyncSession {
    fn write(&mut self, point: &Reading) -> inflow::Result<()> {
        self.runtime.block_on(self.session.write(point))
    }

    fn commit(&mut self) -> inflow::Result<()> {
        self.runtime.block_on(self.session.commit())
    }

    fn len(&self) -> usize {
        self.session.len()
    }
}

impl CheckedSession for inflow::blocking::Session<Reading> {
    fn write(&mut self, point: &Reading) -> inflow::Result<()> {
        inflow::blocking::Session::write(self, point)
    }

    fn commit(&mut self) -> inflow::Result<()> {
        inflow::blocking::Session::commit(self)
    }

    fn len(&self) -> usize {
        inflow::blocking::Session::len(self)
    }
}

/// A session of `Reading`, async or blocking, writing to `retention_policy` (the database's
/// default when `None`), with `verify_schema` set when `verify` is.
fn session(
    blocking: bool,
    db: &Database,
    retention_policy: Option<&str>,
    verify: bool,
) -> Box<dyn CheckedSession> {
    if blocking {
        let mut session = blocking_client(db, None).session::<Reading>();
        if let Some(rp) = retention_policy {
            session = session.retention_policy(rp);
        }
        return Box::new(if verify {
            session.verify_schema()
        } else {
            session
        });
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut session = inflow::Client::new(&db.url())
        .expect("a client")
        .session::<Reading>();
    if let Some(rp) = retention_policy {
        session = session.retention_policy(rp);
    }
    let session = if verify {
        session.verify_schema()
    } else {
        session
    };
    Box::new(AsyncSession { runtime, session })
}

const COUNT_CONFLICT: &str = "`Reading::count` (i64, written as integer) conflicts with the server's float field `count` of measurement `reading`";

/// A commit refused by the session's own check: nothing sent, every point held.
fn assert_schema_conflict(err: &inflow::Error, points: usize) {
    assert_eq!(err.kind(), ErrorKind::SchemaConflict, "{err}");
    assert_eq!(err.message(), COUNT_CONFLICT);
    assert_eq!(
        err.to_string(),
        format!("schema conflict: {COUNT_CONFLICT}")
    );
    let report = err.commit_report().expect("a commit report");
    assert_eq!(
        (report.stored(), report.refused(), report.held()),
        (0, 0, points)
    );
}

fn conflict_refused_before_sending(blocking: bool) {
    let db = server::server().database("verify_session_conflict");
    seed(&db, None, "reading,sensor=a count=1.5,level=1 1\n");
    let mut checked = session(blocking, &db, None, true);
    checked.write(&reading()).unwrap();
    let err = checked.commit().unwrap_err();
    assert_schema_conflict(&err, 1);
    assert_eq!(checked.len(), 1, "the point stays buffered");
    // A check that failed is made again.
    assert_schema_conflict(&checked.commit().unwrap_err(), 1);
    assert_eq!(checked.len(), 1);

    // Sent without the check, the same point is refused by the server: the session's
    // refusal above came before anything was sent.
    let mut unchecked = session(blocking, &db, None, false);
    unchecked.write(&reading()).unwrap();
    let err = unchecked.commit().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PartialWrite, "{err}");
    assert_eq!(unchecked.len(), 0);
    assert_eq!(db.rows(None, "reading").len(), 1, "only the seed is stored");
}

fn a_check_that_passed_is_not_repeated(blocking: bool) {
    let db = server::server().database("verify_session_once");
    // Keys only the server has are no conflict.
    seed(&db, None, "reading,sensor=b count=1i,extra=true 1\n");
    let mut checked = session(blocking, &db, None, true);
    checked.write(&reading()).unwrap();
    checked.commit().unwrap();
    assert_eq!(checked.len(), 0);

    // `count` as a float in another shard group: a check now reports the conflict, but the
    // session checked once already, and its next point (in the first shard group, where
    // `count` is an integer) is sent and stored.
    seed(
        &db,
        None,
        "reading,sensor=a count=1.5 1000000000000000000\n",
    );
    let report = blocking_client(&db, None)
        .verify_schema::<Reading>()
        .unwrap();
    assert_eq!(report.conflicts().len(), 1, "{report}");
    checked
        .write(&Reading {
            at: EpochTime::seconds(200),
            ..reading()
        })
        .unwrap();
    checked.commit().unwrap();
    assert_eq!(db.rows(None, "reading").len(), 4);
}

fn a_check_that_could_not_ask_the_server_is_made_again(blocking: bool) {
    let db = server::server().database("verify_session_retry");
    let answer = db.query(&format!("DROP DATABASE \"{}\"", db.name()));
    assert!(!answer.to_string().contains("error"), "{answer}");
    let mut checked = session(blocking, &db, None, true);
    checked.write(&reading()).unwrap();
    let err = checked.commit().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::QueryFailed, "{err}");
    assert_eq!(err.commit_report().map(|report| report.held()), Some(1));
    assert_eq!(checked.len(), 1);

    let answer = db.query(&format!("CREATE DATABASE \"{}\"", db.name()));
    assert!(!answer.to_string().contains("error"), "{answer}");
    seed(&db, None, "reading,sensor=a count=1.5 1\n");
    assert_schema_conflict(&checked.commit().unwrap_err(), 1);
}

fn the_check_is_made_in_the_sessions_retention_policy(blocking: bool) {
    let db = server::server().database("verify_session_rp");
    create_retention_policy(&db);
    seed(
        &db,
        Some(ODD_RETENTION_POLICY),
        "reading,sensor=a count=1.5 1\n",
    );
    let mut checked = session(blocking, &db, Some(ODD_RETENTION_POLICY), true);
    checked.write(&reading()).unwrap();
    assert_schema_conflict(&checked.commit().unwrap_err(), 1);

    let mut default_policy = session(blocking, &db, None, true);
    default_policy.write(&reading()).unwrap();
    default_policy.commit().unwrap();
    assert_eq!(db.rows(Some("autogen"), "reading").len(), 1);
}

macro_rules! session_check_tests {
    ($($scenario:ident),* $(,)?) => {
        mod session_verify_schema {
            mod asynchronous {
                $(
                    #[test]
                    fn $scenario() {
                        super::super::$scenario(false);
                    }
                )*
            }

            mod blocking {
                $(
                    #[test]
                    fn $scenario() {
                        super::super::$scenario(true);
                    }
                )*
            }
        }
    };
}

session_check_tests!(
    conflict_refused_before_sending,
    a_check_that_passed_is_not_repeated,
    a_check_that_could_not_ask_the_server_is_made_again,
    the_check_is_made_in_the_sessions_retention_policy,
);

#[test]
fn a_scope_refused_by_the_check_hands_its_points_back() {
    let db = server::server().database("verify_session_scope");
    seed(&db, None, "reading,sensor=a count=1.5,level=1 1\n");
    let err = blocking_client(&db, None)
        .session::<Reading>()
        .verify_schema()
        .scope(|session| session.write(&reading()))
        .unwrap_err();
    assert_schema_conflict(&err, 1);
    assert_eq!(
        err.commit_report().unwrap().unsent_line_protocol(),
        "reading,sensor=a count=7i,level=0.5 100000000000\n"
    );
}
