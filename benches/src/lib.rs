//! The encoding workload of the benchmarks, shared by the criterion bench (`benches/encode.rs`),
//! the allocation counter and the callgrind driver (`src/bin/`).
//!
//! One batch is [`BATCH`] readings of one shape: measurement `temperature`, tags `location`
//! (`groningen-0` … `groningen-99`) and `sensor_type` (`ni1000`), fields `value` (f64), `count`
//! (i64) and `ok` (bool), and a distinct nanosecond timestamp per point. Every [`Contender`]
//! encodes that same batch into a buffer it reuses from one batch to the next, the way its
//! library is used to build a write body:
//!
//! | contender | what is timed |
//! |---|---|
//! | [`Contender::Limit`] | a hand-written encoder: pre-escaped static keys, `itoa`, `ryu`, tag values escaped for `,` `=` space, one reused `Vec<u8>` |
//! | [`Contender::LimitZmij`] | the same hand-written encoder with `zmij` in place of `ryu`, the float formatter inflow uses: the limit with inflow's own number formatting |
//! | [`Contender::InflowDerive`] | `#[derive(inflow::Measurement)]` through [`inflow::line_protocol::Encoder::encode`] (the path of `Session::write`), cleared between batches |
//! | [`Contender::InflowPoint`] | [`inflow::Point`]s built once, outside the timing, then encoded the same way |
//! | [`Contender::InflowSession`] | the derive through [`inflow::Session::write`], the batch written inside one `block_on` of a current-thread runtime, [`inflow::Session::discard`] between batches (nothing is sent) |
//! | [`Contender::InflowBlockingSession`] | the same through [`inflow::blocking::Session::write`], one call per point |
//! | [`Contender::InflowWriter`] | the derive through [`inflow::Writer::write`], the batch written inside one `block_on` of a current-thread runtime; nothing is sent while the batch is written (see [`Workload::settle`]) |
//! | [`Contender::InflowBlockingWriter`] | the same through [`inflow::blocking::Writer::write`], one call per point |
//! | [`Contender::Influxdb`] | `influxdb` 0.8: `#[derive(InfluxDbWriteable)]` → `try_into_query` → `Vec<WriteQuery>` → `Query::build`, as `Client::query` does |
//! | [`Contender::Influxdb2`] | `influxdb2` 0.5: `#[derive(WriteDataPoint)]` → `write_data_point_to` a `BytesMut` writer, then `split().freeze()` per point, as `Client::write` does |
//! | [`Contender::Influxdb2Vec`] | the same derive writing straight into the reused `Vec<u8>`: its own cost, without the client's chunking |
//! | [`Contender::LineProtocol`] | `influxdb-line-protocol` 2.0: `LineProtocolBuilder` appending to the reused `Vec<u8>` |
//!
//! The writers hold what they were given: after each batch, outside any measurement,
//! [`Workload::settle`] flushes them to a loopback sink that answers every request as a server
//! that stored it would (204), so that the next batch finds the writer empty, its buffer's memory
//! recycled, as in a writer's steady state.
//!
//! `verify.rs` (beside this crate's manifest, shared by the bench and the tests) checks, with
//! the independent parser of `inflow-tests`, that every contender's output reads back as the
//! same points.

pub mod query_body;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use bytes::{BufMut as _, BytesMut};
use inflow::line_protocol::Encoder;
use inflow::{EpochTime, Measurement, Point, Precision};
use influxdb::{InfluxDbWriteable, Query as _, WriteQuery};
use influxdb_line_protocol::LineProtocolBuilder;
use influxdb2::models::WriteDataPoint as _;
use influxdb2_derive::WriteDataPoint;

/// Readings per batch: the unit of every measurement.
pub const BATCH: usize = 5_000;

/// The server of the sessions' client: never contacted (no session commits).
const UNUSED_URL: &str = "http://127.0.0.1:8086/bench";

/// Distinct `location` tag values.
const LOCATIONS: usize = 100;

/// The first timestamp of a batch, in ns.
const FIRST_NANOS: i64 = 1_700_000_000_000_000_000;

/// One encoder under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Contender {
    /// The hand-written limit.
    Limit,
    /// The hand-written limit, formatting floats with `zmij` (as inflow does) instead of `ryu`.
    LimitZmij,
    /// inflow's `#[derive(Measurement)]`.
    InflowDerive,
    /// inflow's dynamic `Point`.
    InflowPoint,
    /// inflow's derive through `Session::write` (async).
    InflowSession,
    /// inflow's derive through `blocking::Session::write`.
    InflowBlockingSession,
    /// inflow's derive through `Writer::write` (async).
    InflowWriter,
    /// inflow's derive through `blocking::Writer::write`.
    InflowBlockingWriter,
    /// `influxdb` 0.8's derive and batch query.
    Influxdb,
    /// `influxdb2` 0.5's derive, through its client's per-point `BytesMut` chunks.
    Influxdb2,
    /// `influxdb2` 0.5's derive alone, written straight into the reused `Vec<u8>`.
    Influxdb2Vec,
    /// `influxdb-line-protocol` 2.0's builder.
    LineProtocol,
}

impl Contender {
    /// Every contender, the limit first.
    pub const ALL: [Contender; 12] = [
        Contender::Limit,
        Contender::LimitZmij,
        Contender::InflowDerive,
        Contender::InflowPoint,
        Contender::InflowSession,
        Contender::InflowBlockingSession,
        Contender::InflowWriter,
        Contender::InflowBlockingWriter,
        Contender::Influxdb,
        Contender::Influxdb2,
        Contender::Influxdb2Vec,
        Contender::LineProtocol,
    ];

    /// The short name used on command lines and as the criterion benchmark id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Contender::Limit => "limit",
            Contender::LimitZmij => "limit-zmij",
            Contender::InflowDerive => "inflow-derive",
            Contender::InflowPoint => "inflow-point",
            Contender::InflowSession => "inflow-session",
            Contender::InflowBlockingSession => "inflow-blocking-session",
            Contender::InflowWriter => "inflow-writer",
            Contender::InflowBlockingWriter => "inflow-blocking-writer",
            Contender::Influxdb => "influxdb-0.8",
            Contender::Influxdb2 => "influxdb2-0.5",
            Contender::Influxdb2Vec => "influxdb2-0.5-vec",
            Contender::LineProtocol => "influxdb-line-protocol-2.0",
        }
    }

    /// What the contender is, for tables.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Contender::Limit => "hand-written limit (static keys, itoa, ryu, reused Vec)",
            Contender::LimitZmij => "the same limit with zmij instead of ryu",
            Contender::InflowDerive => "inflow `#[derive(Measurement)]` → `Encoder::encode`",
            Contender::InflowPoint => "inflow `Point` (built beforehand) → `Encoder::encode`",
            Contender::InflowSession => "inflow derive → `Session::write` (async)",
            Contender::InflowBlockingSession => "inflow derive → `blocking::Session::write`",
            Contender::InflowWriter => "inflow derive → `Writer::write` (async)",
            Contender::InflowBlockingWriter => "inflow derive → `blocking::Writer::write`",
            Contender::Influxdb => "`influxdb` 0.8.0 derive → `WriteQuery` → `build`",
            Contender::Influxdb2 => "`influxdb2` 0.5.2 derive → its client's `BytesMut` chunks",
            Contender::Influxdb2Vec => "`influxdb2` 0.5.2 derive → `write_data_point_to(&mut Vec)`",
            Contender::LineProtocol => "`influxdb-line-protocol` 2.0.0 builder",
        }
    }

    /// Whether the contender's batch ends up inside a background writer, which
    /// [`Workload::settle`] must empty before the next batch (its [`Workload::encode`] returns
    /// nothing).
    #[must_use]
    pub fn settles(self) -> bool {
        matches!(
            self,
            Contender::InflowWriter | Contender::InflowBlockingWriter
        )
    }

    /// The contender named `id` (see [`Contender::id`]).
    #[must_use]
    pub fn from_id(id: &str) -> Option<Contender> {
        Contender::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// The values of one reading, as plain data: what the limit and the builder read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// `groningen-{i % 100}`.
    pub location: &'static str,
    /// Always `ni1000`.
    pub sensor_type: &'static str,
    /// 15.00 … 24.99, some of them whole numbers.
    pub value: f64,
    /// Negative and positive integers up to eight digits.
    pub count: i64,
    /// Every third reading.
    pub ok: bool,
    /// ns since the Unix epoch, distinct per reading.
    pub time: i64,
}

static LOCATION_NAMES: LazyLock<Vec<String>> =
    LazyLock::new(|| (0..LOCATIONS).map(|i| format!("groningen-{i}")).collect());

/// The `n` readings of a batch.
#[must_use]
pub fn samples(n: usize) -> Vec<Sample> {
    (0..n)
        .map(|i| {
            let step = i64::try_from(i).expect("a batch index fits in i64");
            let hundredths = 1_500 + (step * 37) % 1_000;
            Sample {
                location: &LOCATION_NAMES[i % LOCATIONS],
                sensor_type: "ni1000",
                #[allow(clippy::cast_precision_loss)] // below 2^53
                value: hundredths as f64 / 100.0,
                count: (step - 2_500) * 7_919,
                ok: i % 3 == 0,
                time: FIRST_NANOS + step * 1_000_000_007,
            }
        })
        .collect()
}

/// The reading as an inflow user writes it (owned tag value, as in inflow's README).
#[derive(Debug, Measurement)]
#[inflow(measurement = "temperature")]
pub struct Reading {
    /// `location` tag.
    #[inflow(tag)]
    pub location: String,
    /// `sensor_type` tag.
    #[inflow(tag)]
    pub sensor_type: &'static str,
    /// `value` field.
    pub value: f64,
    /// `count` field.
    pub count: i64,
    /// `ok` field.
    pub ok: bool,
    /// The timestamp.
    #[inflow(timestamp)]
    pub time: EpochTime,
}

impl From<&Sample> for Reading {
    fn from(s: &Sample) -> Self {
        Reading {
            location: s.location.to_owned(),
            sensor_type: s.sensor_type,
            value: s.value,
            count: s.count,
            ok: s.ok,
            time: EpochTime::nanos(s.time),
        }
    }
}

/// The reading for `influxdb` 0.8's derive. Its `try_into_query` consumes the struct, so the
/// struct borrows its tag values and is `Copy`: the batch pays no clone of ours.
#[derive(Debug, Clone, Copy, InfluxDbWriteable)]
pub struct InfluxdbReading {
    /// `location` tag.
    #[influxdb(tag)]
    pub location: &'static str,
    /// `sensor_type` tag.
    #[influxdb(tag)]
    pub sensor_type: &'static str,
    /// `value` field.
    pub value: f64,
    /// `count` field.
    pub count: i64,
    /// `ok` field.
    pub ok: bool,
    /// The timestamp (the field named `time`).
    pub time: influxdb::Timestamp,
}

impl From<&Sample> for InfluxdbReading {
    fn from(s: &Sample) -> Self {
        InfluxdbReading {
            location: s.location,
            sensor_type: s.sensor_type,
            value: s.value,
            count: s.count,
            ok: s.ok,
            time: influxdb::Timestamp::Nanoseconds(
                u128::try_from(s.time).expect("the timestamps are after 1970"),
            ),
        }
    }
}

/// The reading for `influxdb2` 0.5's derive (`influxdb2-derive` 0.1.1).
#[derive(Debug, Clone, Copy, WriteDataPoint)]
#[measurement = "temperature"]
pub struct Influxdb2Reading {
    /// `location` tag.
    #[influxdb(tag)]
    pub location: &'static str,
    /// `sensor_type` tag.
    #[influxdb(tag)]
    pub sensor_type: &'static str,
    /// `value` field.
    #[influxdb(field)]
    pub value: f64,
    /// `count` field.
    #[influxdb(field)]
    pub count: i64,
    /// `ok` field.
    #[influxdb(field)]
    pub ok: bool,
    /// The timestamp, ns.
    #[influxdb(timestamp)]
    pub time: i64,
}

impl From<&Sample> for Influxdb2Reading {
    fn from(s: &Sample) -> Self {
        Influxdb2Reading {
            location: s.location,
            sensor_type: s.sensor_type,
            value: s.value,
            count: s.count,
            ok: s.ok,
            time: s.time,
        }
    }
}

/// One batch in the input form of every contender, and the buffers they reuse.
#[derive(Debug)]
pub struct Workload {
    samples: Vec<Sample>,
    readings: Vec<Reading>,
    points: Vec<Point>,
    influxdb: Vec<InfluxdbReading>,
    influxdb2: Vec<Influxdb2Reading>,
    /// inflow's buffer (derive and `Point`).
    encoder: Encoder,
    /// The runtime the async session's writes are awaited on.
    runtime: tokio::runtime::Runtime,
    /// A session of a client that is never asked to send.
    session: inflow::Session<Reading>,
    /// The same, blocking.
    blocking_session: inflow::blocking::Session<Reading>,
    /// The runtime of the async writer (its background task runs only while this runtime is
    /// driven by a `block_on`: never while a batch is written, as no `write` waits).
    writer_runtime: tokio::runtime::Runtime,
    /// A writer that sends only when flushed, to [`Sink`].
    writer: inflow::Writer<Reading>,
    /// The same, blocking (its background task runs on the blocking client's thread).
    blocking_writer: inflow::blocking::Writer<Reading>,
    /// Where the writers' batches go.
    sink: Sink,
    /// Everyone else's buffer.
    out: Vec<u8>,
    /// `influxdb2`'s per-point buffer, as in its `Client::write_with_precision`.
    chunk: BytesMut,
}

impl Workload {
    /// A batch of `n` readings, with every contender's input built (not timed).
    #[must_use]
    pub fn new(n: usize) -> Self {
        let samples = samples(n);
        let sink = Sink::start();
        let writer_runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime");
        let writer = {
            let _entered = writer_runtime.enter();
            quiet_writer(
                inflow::Client::new(&sink.url)
                    .expect("a client")
                    .writer::<Reading>(),
            )
            .build()
            .expect("a writer")
        };
        let blocking_writer = quiet_writer(
            inflow::blocking::Client::new(&sink.url)
                .expect("a blocking client")
                .writer::<Reading>(),
        )
        .build()
        .expect("a blocking writer");
        Workload {
            readings: samples.iter().map(Reading::from).collect(),
            points: samples.iter().map(point).collect(),
            influxdb: samples.iter().map(InfluxdbReading::from).collect(),
            influxdb2: samples.iter().map(Influxdb2Reading::from).collect(),
            encoder: Encoder::new(Precision::Nanoseconds),
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a current-thread runtime"),
            session: inflow::Client::new(UNUSED_URL).expect("a client").session(),
            blocking_session: inflow::blocking::Client::new(UNUSED_URL)
                .expect("a blocking client")
                .session(),
            writer_runtime,
            writer,
            blocking_writer,
            sink,
            out: Vec::new(),
            chunk: BytesMut::new(),
            samples,
        }
    }

    /// The plain values of the batch.
    #[must_use]
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Encodes the whole batch with `contender` into its reused buffer, emptied first, and
    /// returns the body written.
    ///
    /// # Panics
    ///
    /// When an encoder refuses a reading (none does: the readings are all representable).
    #[inline(never)] // scripts/bench-counts counts the instructions inside this function
    pub fn encode(&mut self, contender: Contender) -> &[u8] {
        match contender {
            Contender::Limit => {
                encode_limit(&self.samples, &mut self.out, |value, out| {
                    out.extend_from_slice(ryu::Buffer::new().format_finite(value).as_bytes());
                });
                &self.out
            }
            Contender::LimitZmij => {
                encode_limit(&self.samples, &mut self.out, |value, out| {
                    out.extend_from_slice(zmij::Buffer::new().format_finite(value).as_bytes());
                });
                &self.out
            }
            Contender::InflowDerive => encode_inflow(&self.readings, &mut self.encoder),
            Contender::InflowPoint => encode_inflow(&self.points, &mut self.encoder),
            Contender::InflowSession => {
                write_session(&self.readings, &mut self.session, &self.runtime)
            }
            Contender::InflowBlockingSession => {
                write_blocking_session(&self.readings, &mut self.blocking_session)
            }
            Contender::InflowWriter => {
                write_writer(&self.readings, &self.writer, &self.writer_runtime);
                &[]
            }
            Contender::InflowBlockingWriter => {
                write_blocking_writer(&self.readings, &self.blocking_writer);
                &[]
            }
            Contender::Influxdb => {
                encode_influxdb(&self.influxdb, &mut self.out);
                &self.out
            }
            Contender::Influxdb2 => {
                encode_influxdb2(&self.influxdb2, &mut self.chunk, &mut self.out);
                &self.out
            }
            Contender::Influxdb2Vec => {
                encode_influxdb2_vec(&self.influxdb2, &mut self.out);
                &self.out
            }
            Contender::LineProtocol => {
                encode_line_protocol(&self.samples, &mut self.out);
                &self.out
            }
        }
    }
}

impl Workload {
    /// What follows a batch of `contender`, outside any measurement. For the writers
    /// ([`Contender::settles`]): flushes the writer, whose batch the sink answers as stored, so
    /// that it holds nothing when the next batch begins (its buffer's memory recycled for the
    /// next batch, as in a writer's steady state), and returns the batch as the sink received
    /// it. `None` for every other contender: [`Workload::encode`] returned its body.
    ///
    /// # Panics
    ///
    /// When the flush does not report the whole batch stored.
    pub fn settle(&mut self, contender: Contender) -> Option<&[u8]> {
        let report = match contender {
            Contender::InflowWriter => self.writer_runtime.block_on(self.writer.flush()),
            Contender::InflowBlockingWriter => self.blocking_writer.flush(),
            _ => return None,
        };
        let report = report.unwrap_or_else(|err| panic!("the flush to the sink failed: {err}"));
        assert_eq!(
            report.stored(),
            self.readings.len(),
            "the sink did not get the whole batch"
        );
        self.out.clear();
        self.out.extend_from_slice(
            &self
                .sink
                .last_body
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        Some(&self.out)
    }
}

/// A writer that sends only when flushed: batches and a flush interval far beyond a bench's
/// batch, one lane (so that a flush sends the batch in one request, whose buffer comes back
/// whole for the next batch), and room for everything.
fn quiet_writer<W>(
    builder: inflow::WriterBuilder<Reading, W>,
) -> inflow::WriterBuilder<Reading, W> {
    builder
        .batch_points(100_000_000)
        .batch_bytes(1 << 40)
        .flush_interval(Duration::from_secs(24 * 3600))
        .max_in_flight(1)
        .max_pending_points(100_000_000)
        .max_pending_bytes(1 << 40)
}

/// A loopback HTTP endpoint standing in for the server when the writers are flushed between
/// batches: it answers every request `204 No Content` (what InfluxDB answers a write it
/// stored) and keeps the last request's body. Its thread only runs while a flush is out.
#[derive(Debug)]
struct Sink {
    /// `http://127.0.0.1:PORT/bench`.
    url: String,
    last_body: Arc<Mutex<Vec<u8>>>,
}

impl Sink {
    fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().expect("a bound port").port();
        let last_body = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&last_body);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = Arc::clone(&kept);
                std::thread::spawn(move || {
                    let _ = serve(stream, &kept);
                });
            }
        });
        Sink {
            url: format!("http://127.0.0.1:{port}/bench"),
            last_body,
        }
    }
}

/// Answers the requests of one connection: reads each (head, then `Content-Length` bytes of
/// body), keeps the body, answers 204.
fn serve(mut stream: TcpStream, kept: &Mutex<Vec<u8>>) -> std::io::Result<()> {
    let mut received = Vec::with_capacity(1 << 20);
    let mut chunk = vec![0; 1 << 16];
    loop {
        let head_end = loop {
            if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            received.extend_from_slice(&chunk[..n]);
        };
        let length = String::from_utf8_lossy(&received[..head_end])
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())
                    .flatten()
            })
            .unwrap_or(0);
        while received.len() < head_end + length {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            received.extend_from_slice(&chunk[..n]);
        }
        {
            let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
            kept.clear();
            kept.extend_from_slice(&received[head_end..head_end + length]);
        }
        received.drain(..head_end + length);
        stream.write_all(b"HTTP/1.1 204 No Content\r\n\r\n")?;
    }
}

fn point(s: &Sample) -> Point {
    Point::new("temperature")
        .tag("location", s.location)
        .tag("sensor_type", s.sensor_type)
        .field("value", s.value)
        .field("count", s.count)
        .field("ok", s.ok)
        .timestamp_nanos(s.time)
}

/// The hand-written limit: what a careful programmer writes for exactly this shape. Keys and
/// separators are static pre-escaped byte strings (in inflow's order, so that the output is
/// byte for byte inflow's), tag values are escaped for `,` `=` and space, numbers go through
/// `itoa` and `write_float` (`ryu` or `zmij`). It checks nothing: no NaN, no range, no key
/// length, no line feed.
#[inline(never)]
fn encode_limit(samples: &[Sample], out: &mut Vec<u8>, write_float: impl Fn(f64, &mut Vec<u8>)) {
    out.clear();
    let mut int = itoa::Buffer::new();
    for s in samples {
        out.extend_from_slice(b"temperature,location=");
        escape_tag_value(out, s.location.as_bytes());
        out.extend_from_slice(b",sensor_type=");
        escape_tag_value(out, s.sensor_type.as_bytes());
        out.extend_from_slice(b" count=");
        out.extend_from_slice(int.format(s.count).as_bytes());
        out.extend_from_slice(if s.ok { b"i,ok=true" } else { b"i,ok=false" });
        out.extend_from_slice(b",value=");
        write_float(s.value, out);
        out.push(b' ');
        out.extend_from_slice(int.format(s.time).as_bytes());
        out.push(b'\n');
    }
}

/// Escapes `,` `=` and space with a backslash, copying the runs between them whole.
#[inline]
fn escape_tag_value(out: &mut Vec<u8>, value: &[u8]) {
    let mut copied = 0;
    for (i, &byte) in value.iter().enumerate() {
        if matches!(byte, b',' | b'=' | b' ') {
            out.extend_from_slice(&value[copied..i]);
            out.push(b'\\');
            copied = i;
        }
    }
    out.extend_from_slice(&value[copied..]);
}

#[inline(never)]
fn encode_inflow<'e, M: Measurement>(points: &[M], encoder: &'e mut Encoder) -> &'e [u8] {
    encoder.clear();
    for point in points {
        if let Err(err) = encoder.encode(point) {
            panic!("inflow refused a reading: {err}");
        }
    }
    encoder.as_bytes()
}

/// `Session::write` of every reading, awaited inside one `block_on`; the session is emptied
/// first and never commits.
#[inline(never)]
fn write_session<'s>(
    readings: &[Reading],
    session: &'s mut inflow::Session<Reading>,
    runtime: &tokio::runtime::Runtime,
) -> &'s [u8] {
    session.discard();
    runtime.block_on(async {
        for reading in readings {
            if let Err(err) = session.write(reading).await {
                panic!("the session refused a reading: {err}");
            }
        }
    });
    session.buffered_line_protocol()
}

/// `blocking::Session::write` of every reading; the session is emptied first and never
/// commits.
#[inline(never)]
fn write_blocking_session<'s>(
    readings: &[Reading],
    session: &'s mut inflow::blocking::Session<Reading>,
) -> &'s [u8] {
    session.discard();
    for reading in readings {
        if let Err(err) = session.write(reading) {
            panic!("the blocking session refused a reading: {err}");
        }
    }
    session.buffered_line_protocol()
}

/// `Writer::write` of every reading, awaited inside one `block_on`. No write waits (the writer
/// has room for everything and sends nothing until flushed), so the writer's background task is
/// not polled meanwhile.
#[inline(never)]
fn write_writer(
    readings: &[Reading],
    writer: &inflow::Writer<Reading>,
    runtime: &tokio::runtime::Runtime,
) {
    runtime.block_on(async {
        for reading in readings {
            if let Err(err) = writer.write(reading).await {
                panic!("the writer refused a reading: {err}");
            }
        }
    });
}

/// `blocking::Writer::write` of every reading.
#[inline(never)]
fn write_blocking_writer(readings: &[Reading], writer: &inflow::blocking::Writer<Reading>) {
    for reading in readings {
        if let Err(err) = writer.write(reading) {
            panic!("the blocking writer refused a reading: {err}");
        }
    }
}

/// `influxdb` 0.8: `Client::query(Vec<WriteQuery>)` calls `Query::build` on the batch, which
/// builds every query and joins the lines; the body is the resulting `String` (copied into
/// `out` here so that every contender's body ends up in a reused buffer).
#[inline(never)]
fn encode_influxdb(readings: &[InfluxdbReading], out: &mut Vec<u8>) {
    let queries: Vec<WriteQuery> = readings
        .iter()
        .map(|reading| match reading.try_into_query("temperature") {
            Ok(query) => query,
            Err(_) => panic!("influxdb refused a reading"),
        })
        .collect();
    let body = match queries.build() {
        Ok(body) => body.get(),
        Err(err) => panic!("influxdb refused the batch: {err}"),
    };
    out.clear();
    out.extend_from_slice(body.as_bytes());
}

/// `influxdb2` 0.5: `Client::write_with_precision` maps every point of the stream to
/// `write_data_point_to` a `BytesMut` writer, flushes it, and sends `split().freeze()` as one
/// chunk of the body; here each chunk is appended to `out` instead of being sent.
#[inline(never)]
fn encode_influxdb2(readings: &[Influxdb2Reading], chunk: &mut BytesMut, out: &mut Vec<u8>) {
    out.clear();
    for reading in readings {
        let mut writer = chunk.writer();
        let written = reading
            .write_data_point_to(&mut writer)
            .and_then(|()| writer.flush());
        if let Err(err) = written {
            panic!("influxdb2 refused a reading: {err}");
        }
        let piece = chunk.split().freeze();
        out.extend_from_slice(&piece);
    }
}

/// `influxdb2` 0.5's derive alone: what it costs without the client's chunking.
#[inline(never)]
fn encode_influxdb2_vec(readings: &[Influxdb2Reading], out: &mut Vec<u8>) {
    out.clear();
    for reading in readings {
        if let Err(err) = reading.write_data_point_to(&mut *out) {
            panic!("influxdb2 refused a reading: {err}");
        }
    }
}

/// `influxdb-line-protocol` 2.0: one builder appending every line to `out`.
#[inline(never)]
fn encode_line_protocol(samples: &[Sample], out: &mut Vec<u8>) {
    out.clear();
    let mut builder = LineProtocolBuilder::new_with(out);
    for s in samples {
        builder = builder
            .measurement("temperature")
            .tag("location", s.location)
            .tag("sensor_type", s.sensor_type)
            .field("value", s.value)
            .field("count", s.count)
            .field("ok", s.ok)
            .timestamp(s.time)
            .close_line();
    }
    let _ = builder.build();
}

/// How many `temperature` values `database` of `server` holds (the ingest benchmarks' check
/// that every point arrived).
#[must_use]
pub fn stored_temperatures(server: &inflow_tests::server::Server, database: &str) -> u64 {
    let answer = server.post_query(Some(database), "SELECT count(value) FROM temperature");
    answer["results"][0]["series"][0]["values"][0][1]
        .as_u64()
        .unwrap_or(0)
}

/// Points per second.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn points_per_second(points: usize, elapsed: Duration) -> f64 {
    points as f64 / elapsed.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_escapes_tag_values() {
        let mut out = Vec::new();
        escape_tag_value(&mut out, b"a b,c=d");
        assert_eq!(out, b"a\\ b\\,c\\=d");
    }

    #[test]
    fn the_batch_has_whole_and_fractional_floats() {
        let samples = samples(BATCH);
        assert!(samples.iter().any(|s| s.value.fract() == 0.0));
        assert!(samples.iter().any(|s| s.value.fract() != 0.0));
        let times: std::collections::BTreeSet<i64> = samples.iter().map(|s| s.time).collect();
        assert_eq!(times.len(), BATCH);
    }
}
