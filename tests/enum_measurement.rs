//! Enums of measurements against a real InfluxDB 1.6, async and blocking: four kinds of point
//! (two newtype variants, two struct variants, one named by `measurement` and one after the
//! variant) written through one session, or one writer, and read back into their variants by
//! `query_as` and `query_stream` from one query over all the measurements; a measurement the
//! enum does not know is a decode error naming those it knows; `verify_schema` checks every
//! variant; and a commit's field type conflict names the variant's Rust field.

use std::time::Duration;

use inflow::{
    Client, EpochTime, ErrorKind, FieldType, Measurement, Point, Precision, Query, SchemaReport,
    Timestamp, line_protocol,
};
use inflow_tests::server::{self, Database};

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "cpu")]
struct CpuLoad {
    #[inflow(tag)]
    host: String,
    load: f64,
    #[inflow(timestamp)]
    at: EpochTime,
}

/// Named after the type: `mem_usage`.
#[derive(Debug, Clone, PartialEq, Measurement)]
struct MemUsage {
    #[inflow(tag)]
    host: String,
    used: u64,
    #[inflow(rename = "free bytes")]
    free: i64,
    #[inflow(timestamp)]
    at: EpochTime,
}

#[derive(Debug, Clone, PartialEq, Measurement)]
enum Metric {
    Cpu(CpuLoad),
    Mem(MemUsage),
    #[inflow(measurement = "disk io")]
    Disk {
        #[inflow(tag)]
        host: String,
        #[inflow(tag, rename = "dev")]
        device: String,
        reads: i64,
        busy: Option<bool>,
        #[inflow(skip)]
        cached: Vec<u8>,
        #[inflow(timestamp)]
        at: EpochTime,
    },
    /// Without `measurement`: named after the variant, `net_traffic`.
    NetTraffic {
        bytes: u64,
        #[inflow(timestamp)]
        at: EpochTime,
    },
}

#[test]
fn each_variant_writes_its_own_measurement() {
    let cpu = Metric::Cpu(CpuLoad {
        host: "a".to_owned(),
        load: 0.5,
        at: EpochTime::seconds(1),
    });
    let disk = Metric::Disk {
        host: "a".to_owned(),
        device: "sda".to_owned(),
        reads: 3,
        busy: None,
        cached: vec![1],
        at: EpochTime::seconds(2),
    };
    let net = Metric::NetTraffic {
        bytes: 9,
        at: EpochTime::seconds(3),
    };
    assert_eq!(cpu.measurement(), "cpu");
    assert_eq!(disk.measurement(), "disk io");
    assert_eq!(net.measurement(), "net_traffic");
    assert_eq!(
        line_protocol::to_line(&cpu, Precision::Seconds).unwrap(),
        "cpu,host=a load=0.5 1\n"
    );
    assert_eq!(
        line_protocol::to_line(&disk, Precision::Seconds).unwrap(),
        "disk\\ io,dev=sda,host=a reads=3i 2\n"
    );
    assert_eq!(
        line_protocol::to_line(&net, Precision::Seconds).unwrap(),
        "net_traffic bytes=9i 3\n"
    );
    assert_eq!(Metric::SCHEMA, None);
    let names: Vec<&str> = Metric::SCHEMAS.iter().map(|s| s.measurement()).collect();
    assert_eq!(names, ["cpu", "mem_usage", "disk io", "net_traffic"]);
    assert_eq!(Metric::SCHEMAS[0], CpuLoad::SCHEMA.unwrap());
    let disk = Metric::SCHEMAS[2];
    assert_eq!(disk.rust_type(), "Metric::Disk");
    assert_eq!(disk.tag_keys(), ["dev", "host"]);
    assert_eq!(disk.field_keys(), ["busy", "reads"]);
    assert_eq!(
        disk.field("busy").unwrap().field_type(),
        Some(FieldType::Boolean)
    );
    assert_eq!(CpuLoad::SCHEMAS, [CpuLoad::SCHEMA.unwrap()]);
}

/// Several points of every kind, with an absent optional field and distinct times.
fn metrics() -> Vec<Metric> {
    let mut points = Vec::new();
    for n in 0..3_i64 {
        let host = format!("host {n}");
        points.push(Metric::Cpu(CpuLoad {
            host: host.clone(),
            load: 0.25 * n as f64,
            at: EpochTime::seconds(10 + n),
        }));
        points.push(Metric::Mem(MemUsage {
            host: host.clone(),
            used: 1 << (40 + n),
            free: -n,
            at: EpochTime::seconds(20 + n),
        }));
        points.push(Metric::Disk {
            host,
            device: format!("sd{n}"),
            reads: n * 100,
            busy: (n != 1).then_some(n == 0),
            cached: Vec::new(),
            at: EpochTime::seconds(30 + n),
        });
        points.push(Metric::NetTraffic {
            bytes: 7 + n as u64,
            at: EpochTime::seconds(40 + n),
        });
    }
    points
}

/// Rows by time, which differs across all points.
fn by_time(mut rows: Vec<Metric>) -> Vec<Metric> {
    rows.sort_by_key(|metric| match metric {
        Metric::Cpu(CpuLoad { at, .. })
        | Metric::Mem(MemUsage { at, .. })
        | Metric::Disk { at, .. }
        | Metric::NetTraffic { at, .. } => at.unix_nanos(),
    });
    rows
}

/// The queries that read every kind back: the measurements listed, and a regular expression
/// with the tags in the series' tags.
const QUERIES: [&str; 2] = [
    "SELECT * FROM cpu, mem_usage, \"disk io\", net_traffic",
    "SELECT * FROM /.*/ GROUP BY *",
];

/// The async client or the blocking one, to run each scenario through both.
trait Api {
    /// Writes `points` through one session, which holds them all, and commits.
    fn commit_in_one_session(&self, points: &[Metric]) -> inflow::Result<()>;
    fn write_in_one_session(&self, points: &[Metric]) {
        self.commit_in_one_session(points)
            .expect("the points are committed");
    }
    /// Writes `points` through a writer, flushes and closes it; returns how many were stored.
    fn write_through_writer(&self, points: &[Metric]) -> usize;
    fn query_as(&self, query: &str) -> inflow::Result<Vec<Metric>>;
    /// Every row of a streamed query in chunks of two rows, or the first error.
    fn query_stream(&self, query: &str) -> inflow::Result<Vec<Metric>>;
    fn verify_schema(&self) -> inflow::Result<SchemaReport>;
}

struct Async {
    client: Client,
    runtime: tokio::runtime::Runtime,
}

impl Async {
    fn new(db: &Database) -> Self {
        Async {
            client: Client::new(&db.url()).expect("a client"),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime"),
        }
    }
}

impl Api for Async {
    fn commit_in_one_session(&self, points: &[Metric]) -> inflow::Result<()> {
        self.runtime.block_on(async {
            let mut session = self.client.session::<Metric>();
            session.write_all(points).await?;
            assert_eq!(session.len(), points.len(), "one session holds every kind");
            session.commit().await
        })
    }

    fn write_through_writer(&self, points: &[Metric]) -> usize {
        self.runtime.block_on(async {
            let writer = self
                .client
                .writer::<Metric>()
                .batch_points(100)
                .build()
                .expect("a writer");
            for point in points {
                writer
                    .write(point)
                    .await
                    .expect("the writer takes the point");
            }
            writer.flush().await.expect("the writer flushes");
            writer
                .close(Duration::from_secs(10))
                .await
                .expect("the writer closes");
            // The stats count every point; a flush's report only those it waited for.
            usize::try_from(writer.stats().stored).expect("a count")
        })
    }

    fn query_as(&self, query: &str) -> inflow::Result<Vec<Metric>> {
        self.runtime.block_on(self.client.query_as(query))
    }

    fn query_stream(&self, query: &str) -> inflow::Result<Vec<Metric>> {
        self.runtime.block_on(async {
            let mut stream = self
                .client
                .query_stream::<Metric>(Query::new(query).chunk_size(2))
                .await?;
            let mut rows = Vec::new();
            while let Some(row) = stream.next().await {
                rows.push(row?);
            }
            Ok(rows)
        })
    }

    fn verify_schema(&self) -> inflow::Result<SchemaReport> {
        self.runtime.block_on(self.client.verify_schema::<Metric>())
    }
}

impl Api for inflow::blocking::Client {
    fn commit_in_one_session(&self, points: &[Metric]) -> inflow::Result<()> {
        let mut session = self.session::<Metric>();
        session.write_all(points)?;
        assert_eq!(session.len(), points.len(), "one session holds every kind");
        session.commit()
    }

    fn write_through_writer(&self, points: &[Metric]) -> usize {
        let writer = self
            .writer::<Metric>()
            .batch_points(100)
            .build()
            .expect("a writer");
        for point in points {
            writer.write(point).expect("the writer takes the point");
        }
        writer.flush().expect("the writer flushes");
        writer
            .close(Duration::from_secs(10))
            .expect("the writer closes");
        usize::try_from(writer.stats().stored).expect("a count")
    }

    fn query_as(&self, query: &str) -> inflow::Result<Vec<Metric>> {
        inflow::blocking::Client::query_as(self, query)
    }

    fn query_stream(&self, query: &str) -> inflow::Result<Vec<Metric>> {
        inflow::blocking::Client::query_stream::<Metric>(self, Query::new(query).chunk_size(2))?
            .collect()
    }

    fn verify_schema(&self) -> inflow::Result<SchemaReport> {
        inflow::blocking::Client::verify_schema::<Metric>(self)
    }
}

/// Runs `scenario` once with the async client and once with the blocking one, each in a
/// database of its own named after `name`.
fn with_both(name: &str, scenario: impl Fn(&Database, &dyn Api)) {
    let db = server::server().database(&format!("{name}_async"));
    scenario(&db, &Async::new(&db));
    let db = server::server().database(&format!("{name}_blocking"));
    let client = inflow::blocking::Client::new(&db.url()).expect("a client");
    scenario(&db, &client);
}

#[test]
fn every_kind_goes_through_one_session_and_back_into_its_variant() {
    with_both("enum_round_trip", |_, api| {
        let written = metrics();
        api.write_in_one_session(&written);
        for query in QUERIES {
            let read = api.query_as(query).expect("query_as reads");
            assert_eq!(
                by_time(read),
                by_time(written.clone()),
                "query_as of {query}"
            );
            let streamed = api.query_stream(query).expect("query_stream reads");
            assert_eq!(
                by_time(streamed),
                by_time(written.clone()),
                "query_stream of {query}"
            );
        }
    });
}

#[test]
fn a_writer_carries_every_kind() {
    with_both("enum_writer", |_, api| {
        let written = metrics();
        assert_eq!(api.write_through_writer(&written), written.len());
        let read = api.query_as(QUERIES[1]).expect("query_as reads");
        assert_eq!(by_time(read), by_time(written));
    });
}

#[test]
fn a_measurement_of_no_variant_is_a_decode_error_naming_the_known_ones() {
    with_both("enum_unknown", |db, api| {
        api.write_in_one_session(&metrics());
        inflow::blocking::Client::new(&db.url())
            .unwrap()
            .write(&Point::new("other, one").field("x", 1.0).timestamp_secs(50))
            .unwrap();
        let expected = "cannot decode series \"other, one\" into `Metric`: no variant is of that \
             measurement; its variants are of \"cpu\", \"mem_usage\", \"disk io\" or \"net_traffic\"";
        for result in [
            api.query_as("SELECT * FROM /.*/"),
            api.query_stream("SELECT * FROM /.*/"),
        ] {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode);
            assert_eq!(err.message(), expected);
        }
        // Without the other measurement, the same data decodes.
        let read = api
            .query_as("SELECT * FROM /^[^o]/")
            .expect("query_as reads");
        assert_eq!(by_time(read), by_time(metrics()));
    });
}

#[test]
fn verify_schema_checks_every_variant() {
    with_both("enum_verify", |db, api| {
        assert_eq!(api.verify_schema().unwrap(), SchemaReport::default());
        // Each kind's conflict, created by writing the other type first.
        inflow::blocking::Client::new(&db.url())
            .unwrap()
            .write_line_protocol(
                "cpu,host=a load=\"high\" 1\n\
                 mem_usage,host=a used=1.5 1\n\
                 disk\\ io,host=a reads=true,extra=1i 1\n\
                 net_traffic,bytes=x n=1 1\n",
            )
            .unwrap();
        let report = api.verify_schema().unwrap();
        assert!(!report.is_compatible());
        assert_eq!(
            report.to_string(),
            "`CpuLoad::load` (f64, written as float) conflicts with the server's string field `load` of measurement `cpu`\n\
             `MemUsage::used` (u64, written as integer) conflicts with the server's float field `used` of measurement `mem_usage`\n\
             `Metric::Disk::reads` (i64, written as integer) conflicts with the server's boolean field `reads` of measurement `disk io`\n\
             `Metric::NetTraffic::bytes` (u64, written as integer) conflicts with the server's tag `bytes` of measurement `net_traffic`\n\
             the server's integer field `extra` of measurement `disk io` is not written by the type\n\
             the server's float field `n` of measurement `net_traffic` is not written by the type"
        );
    });
}

#[test]
fn a_sessions_partial_write_names_the_field_of_the_variant() {
    with_both("enum_partial", |db, api| {
        inflow::blocking::Client::new(&db.url())
            .unwrap()
            .write_line_protocol("disk\\ io,host=a reads=1.5 1\n")
            .unwrap();
        let err = api.commit_in_one_session(&metrics()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PartialWrite);
        assert_eq!(
            err.message(),
            "partial write: field type conflict: input field \"reads\" on measurement \"disk io\" is type integer, already exists as type float dropped=3"
        );
        assert!(
            err.to_string().contains(
                "(`Metric::Disk::reads` (i64, written as integer) conflicts with the server's float field `reads`)"
            ),
            "{err}"
        );
        assert_eq!(err.commit_report().map(|r| r.stored()), Some(9));
    });
}

/// An enum whose newtype variant holds another enum of measurements.
#[derive(Debug, PartialEq, Measurement)]
enum Nested {
    Metric(Metric),
    Alarm { level: i64 },
}

#[tokio::test]
async fn a_newtype_variant_can_hold_an_enum_of_measurements() {
    let names: Vec<&str> = Nested::SCHEMAS.iter().map(|s| s.measurement()).collect();
    assert_eq!(
        names,
        ["cpu", "mem_usage", "disk io", "net_traffic", "alarm"]
    );
    let db = server::server().database("enum_nested");
    let client = Client::new(&db.url()).unwrap();
    let mut written: Vec<Nested> = metrics().into_iter().map(Nested::Metric).collect();
    written.push(Nested::Alarm { level: 3 });
    let mut session = client.session::<Nested>();
    session.write_all(&written).await.unwrap();
    session.commit().await.unwrap();
    let read: Vec<Nested> = client.query_as("SELECT * FROM /.*/").await.unwrap();
    let (alarms, metrics): (Vec<Nested>, Vec<Nested>) = read
        .into_iter()
        .partition(|row| matches!(row, Nested::Alarm { .. }));
    assert_eq!(alarms, [Nested::Alarm { level: 3 }]);
    let metrics: Vec<Metric> = metrics
        .into_iter()
        .map(|row| match row {
            Nested::Metric(metric) => metric,
            Nested::Alarm { .. } => unreachable!(),
        })
        .collect();
    assert_eq!(by_time(metrics), by_time(self::metrics()));
}
