//! The line-protocol encoder: the I/O-free core that every write goes through.
//!
//! An [`Encoder`] appends one line per point to a reusable byte buffer. A point is anything that
//! implements [`Measurement`]: a `#[derive(Measurement)]` struct, whose escaped names and key
//! order were computed at compile time, or a dynamic [`Point`](crate::Point).
//!
//! # What the encoder writes
//!
//! Exactly the canonical form InfluxDB 1.x itself produces when it builds a series key, and
//! the form its official clients write:
//!
//! | element | escaped | written raw |
//! |---|---|---|
//! | measurement | `,` and space | `=`, `"`, `\` |
//! | tag key, tag value | `,`, `=`, space | `"`, `\` |
//! | field key | `,`, `=`, space, `"` | `\` |
//! | string field value | `"`, `\` (inside `"…"`) | everything else, line feeds included |
//!
//! Floats are written in the shortest form that parses back to the same bits (`-0.0` stays
//! negative, whole numbers keep a `.0`, large and small ones take an exponent: `1e+21`,
//! `5e-324`; formatted by [`zmij`](https://docs.rs/zmij)), integers of every width with the
//! `i` suffix, booleans as `true`/`false`, tags in the order of their key bytes, and the
//! timestamp as an integer in the encoder's [`Precision`].
//!
//! Empty tag values and `None` tags and fields are left out, never written as text: the server
//! rejects an empty tag value, and a missing tag reads back as `""` anyway.
//!
//! # What it refuses
//!
//! Whatever the server cannot store faithfully is refused with an [`EncodeError`] naming the
//! element and the value, and the buffer is left exactly as it was: an empty measurement or key;
//! the key `time`; a line feed outside a string value; a trailing backslash in a measurement,
//! tag or field key; a measurement starting with `#`, tab or NUL, or with a backslash right
//! before `,`, space, `=` or `"`; an odd run of backslashes before `,`, `=` or space in a field
//! key; NaN and infinities; unsigned integers above `i64::MAX` (InfluxDB 1.x has no unsigned
//! type); a timestamp outside `[-9223372036854775806, 9223372036854775806]` ns once converted
//! to the precision; a series key over 65 535 bytes; a point with no field.
//!
//! # The batch hazard
//!
//! InfluxDB 1.x finds the end of each line with a scanner that skips every backslash together
//! with the byte after it, while its tag parser only looks one byte back. A tag holding a
//! backslash right before a space (the text `a\ b`, written `a\\ b`) makes them disagree about
//! where the tags end, and if a `"` follows, the scanner believes a string has started and
//! glues the *next line of the batch* onto this one: both points are then lost with a
//! `point is invalid` error, although the same line alone is accepted.
//!
//! inflow's choice: the encoder runs a model of the server's line splitter over every line whose
//! tags hold a backslash, and refuses a line the server would not end where it ends, with
//! [`EncodeErrorKind::BatchHazard`]. Such a point can never silently take its neighbour down
//! with it; the price is that this rare shape of tag cannot be written at all.
//!
//! ```
//! use inflow::{Point, Precision, line_protocol::{self, EncodeErrorKind}};
//!
//! // The tag key `k\ x` is written `k\\ x`; the splitter takes its space for the end of the
//! // tags, counts the `=` after it, and the `"` of the value then opens a "string".
//! let hazard = Point::new("m").tag("k\\ x", "a\"b").field("f", 1.0).timestamp_nanos(1);
//! let err = line_protocol::to_line(&hazard, Precision::Nanoseconds).unwrap_err();
//! assert_eq!(err.kind(), EncodeErrorKind::BatchHazard);
//!
//! // Without the quote, the same tag is safe and written.
//! let safe = Point::new("m").tag("k\\ x", "ab").field("f", 1.0).timestamp_nanos(1);
//! assert_eq!(line_protocol::to_line(&safe, Precision::Nanoseconds)?, "m,k\\\\ x=ab f=1.0 1\n");
//! # Ok::<(), inflow::line_protocol::EncodeError>(())
//! ```

mod digits;
mod error;
pub(crate) mod escape;

use std::time::SystemTime;

pub(crate) use self::error::excerpt;
pub use self::error::{Element, EncodeError, EncodeErrorKind};
use crate::timestamp::{Timestamp, system_time_nanos};
use crate::{Measurement, Precision};

/// The earliest time InfluxDB stores, in ns since the Unix epoch (`MinInt64 + 2`).
pub const MIN_TIMESTAMP_NANOS: i64 = i64::MIN + 2;
/// The latest time InfluxDB stores, in ns since the Unix epoch (`MaxInt64 - 1`).
pub const MAX_TIMESTAMP_NANOS: i64 = i64::MAX - 1;
/// The longest series key (measurement and tags, escaped) plus field key the server accepts.
pub const MAX_KEY_LENGTH: usize = 65_535;

/// Encodes points as line protocol into one growing buffer, ready to be sent as a write body.
///
/// Every point is written whole or not at all: a point that cannot be represented is refused
/// with an [`EncodeError`] and the buffer keeps exactly the lines it had. The same holds when a
/// user's [`TagValue`](crate::TagValue), [`FieldValue`](crate::FieldValue) or [`Timestamp`]
/// implementation panics halfway through a line: the line is taken out again as the panic
/// unwinds, so an encoder (or a session) that outlives the panic, behind a mutex that does not
/// poison or a `catch_unwind`, holds no half line to glue onto the next point.
///
/// Points without a timestamp are stamped with the current time when they are encoded, as the
/// origin library does, so that the points of one batch never collapse onto the server's
/// receive time.
///
/// ```
/// use inflow::{Point, Precision, line_protocol::Encoder};
///
/// let mut encoder = Encoder::new(Precision::Seconds);
/// encoder.encode(&Point::new("temperature").field("value", 23.1).timestamp_secs(1475848864))?;
/// encoder.encode(&Point::new("temperature").field("value", 25.0).timestamp_secs(1475849823))?;
/// assert_eq!(encoder.len(), 2);
/// assert_eq!(
///     encoder.as_bytes(),
///     b"temperature value=23.1 1475848864\ntemperature value=25.0 1475849823\n"
/// );
/// # Ok::<(), inflow::line_protocol::EncodeError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Encoder {
    buf: Vec<u8>,
    precision: Precision,
    points: usize,
}

impl Encoder {
    /// An empty encoder writing timestamps in `precision`.
    #[must_use]
    pub fn new(precision: Precision) -> Self {
        Encoder {
            buf: Vec::new(),
            precision,
            points: 0,
        }
    }

    /// An empty encoder with room for `bytes` bytes of line protocol.
    #[must_use]
    pub fn with_capacity(precision: Precision, bytes: usize) -> Self {
        Encoder {
            buf: Vec::with_capacity(bytes),
            precision,
            points: 0,
        }
    }

    /// The precision of the timestamps written; the write request must declare the same.
    #[must_use]
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Appends one line for `point`, stamping it with the current time if it has no timestamp.
    ///
    /// # Errors
    ///
    /// An [`EncodeError`] when the point cannot be represented; the buffer is then unchanged.
    #[inline]
    pub fn encode<M: Measurement + ?Sized>(&mut self, point: &M) -> Result<(), EncodeError> {
        self.encode_with(point, || system_time_nanos(SystemTime::now()))
    }

    /// Appends one line for `point`, stamping it with `default_time` if it has no timestamp.
    ///
    /// # Errors
    ///
    /// An [`EncodeError`] when the point cannot be represented, or needs `default_time` and it is
    /// out of range; the buffer is then unchanged. An absent `default_time` (`None`) means the
    /// current time.
    pub fn encode_with_default_time<M, T>(
        &mut self,
        point: &M,
        default_time: &T,
    ) -> Result<(), EncodeError>
    where
        M: Measurement + ?Sized,
        T: Timestamp + ?Sized,
    {
        let default_time = default_time.unix_nanos();
        self.encode_with(point, || {
            default_time.unwrap_or_else(|| system_time_nanos(SystemTime::now()))
        })
    }

    #[inline]
    fn encode_with<M: Measurement + ?Sized>(
        &mut self,
        point: &M,
        now: impl FnOnce() -> i128,
    ) -> Result<(), EncodeError> {
        let unfinished = Unfinished::new(&mut self.buf);
        let mut line = Line::new(unfinished.buf, self.precision);
        let result = point.encode(&mut line).and_then(|()| line.finish(now));
        match result {
            Ok(()) => {
                unfinished.keep();
                self.points += 1;
                Ok(())
            }
            Err(err) => {
                drop(unfinished);
                Err(err.in_measurement(point.measurement()))
            }
        }
    }

    /// The number of points encoded since the encoder was created or cleared.
    #[must_use]
    pub fn len(&self) -> usize {
        self.points
    }

    /// Whether no point has been encoded since the encoder was created or cleared.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.points == 0
    }

    /// The line protocol written so far: one line per point, each ending with `\n`.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Forgets every point, keeping the buffer's memory for the next batch.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.points = 0;
    }

    /// Forgets the points after the first `points`, which take the first `bytes` bytes.
    pub(crate) fn truncate(&mut self, bytes: usize, points: usize) {
        self.buf.truncate(bytes);
        self.points = points;
    }

    /// Makes `buf`, which holds `points` whole lines, the encoder's buffer.
    pub(crate) fn restore(&mut self, buf: Vec<u8>, points: usize) {
        self.buf = buf;
        self.points = points;
    }

    /// Appends `bytes`, which hold `points` whole lines encoded by an encoder of the same
    /// precision.
    pub(crate) fn extend_encoded(&mut self, bytes: &[u8], points: usize) {
        self.buf.extend_from_slice(bytes);
        self.points += points;
    }

    /// Takes the written bytes out, leaving `buf` (emptied) as the encoder's buffer.
    pub(crate) fn swap_bytes(&mut self, mut buf: Vec<u8>) -> Vec<u8> {
        buf.clear();
        self.points = 0;
        std::mem::replace(&mut self.buf, buf)
    }

    /// Takes the written bytes out, leaving the encoder empty.
    #[must_use]
    pub fn take_bytes(&mut self) -> Vec<u8> {
        self.points = 0;
        std::mem::take(&mut self.buf)
    }
}

/// The line being written, taken out of the buffer again unless [kept](Unfinished::keep): on
/// an error, and when a user's impl panics halfway through the line. Only the bytes need it:
/// the point count grows after the line is kept.
///
/// Kept by `mem::forget`, so the path of a point that encodes costs nothing more; the drop runs
/// only on an error or an unwind.
struct Unfinished<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
}

impl<'b> Unfinished<'b> {
    #[inline]
    fn new(buf: &'b mut Vec<u8>) -> Self {
        let start = buf.len();
        Unfinished { buf, start }
    }

    #[inline]
    fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        self.buf.truncate(self.start);
    }
}

/// A piece of a batch: a range of whole lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub(crate) bytes: std::ops::Range<usize>,
    pub(crate) points: usize,
}

/// `body` cut at the line boundaries the server sees, into pieces of at most `max_bytes`.
pub(crate) fn chunks_of(body: &[u8], max_bytes: usize) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut points = 0;
    let mut line_start = 0;
    while line_start < body.len() {
        let line_end = (escape::line_end(body, line_start) + 1).min(body.len());
        if points > 0 && line_end - start > max_bytes {
            chunks.push(Chunk {
                bytes: start..line_start,
                points,
            });
            start = line_start;
            points = 0;
        }
        points += 1;
        line_start = line_end;
    }
    if points > 0 {
        chunks.push(Chunk {
            bytes: start..body.len(),
            points,
        });
    }
    chunks
}

/// Encodes one point as a line of line protocol (with its final `\n`).
///
/// A point without a timestamp is stamped with the current time.
///
/// ```
/// use inflow::{Point, Precision, line_protocol};
///
/// let point = Point::new("cpu").tag("host", "a b").field("load", 0.5).timestamp_secs(10);
/// assert_eq!(line_protocol::to_line(&point, Precision::Seconds)?, "cpu,host=a\\ b load=0.5 10\n");
/// # Ok::<(), inflow::line_protocol::EncodeError>(())
/// ```
///
/// # Errors
///
/// An [`EncodeError`] when the point cannot be represented.
pub fn to_line<M: Measurement + ?Sized>(
    point: &M,
    precision: Precision,
) -> Result<String, EncodeError> {
    let mut encoder = Encoder::new(precision);
    encoder.encode(point)?;
    // Every element is written from `&str` slices cut at ASCII bytes, and escapes are ASCII.
    Ok(String::from_utf8(encoder.take_bytes())
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned()))
}

/// A measurement name, or a tag or field key, escaped and checked when the derive expanded.
///
/// Generated code builds these; they are not meant to be written by hand.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct StaticKey {
    /// The text as the user wrote it, for error messages.
    pub name: &'static str,
    /// The escaped bytes, with a leading `,` and a trailing `=` (`,key=`). The `,` before the
    /// first field becomes the space that ends the series key when the line is finished.
    pub escaped: &'static [u8],
    /// Whether the text holds a backslash (tag keys; see the batch hazard).
    pub has_backslash: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Tags,
    Fields,
}

/// One line being written: what [`Measurement::encode`] receives.
///
/// Write the measurement name, then tags (in key order), then fields, then at most one
/// timestamp. The [`Encoder`] ends the line, stamps it when no timestamp was written, and on
/// any error removes everything the line wrote.
#[derive(Debug)]
pub struct Line<'a> {
    buf: &'a mut Vec<u8>,
    start: usize,
    precision: Precision,
    section: Section,
    /// Where the series key (measurement and tags) ends, once the first field is written.
    series_len: usize,
    tags_have_backslash: bool,
    timestamp: Option<i64>,
}

impl<'a> Line<'a> {
    /// A line over `buf` outside any encoder: for reading back what a value writes.
    pub(crate) fn scratch(buf: &'a mut Vec<u8>) -> Self {
        Line::new(buf, Precision::Nanoseconds)
    }

    #[inline]
    fn new(buf: &'a mut Vec<u8>, precision: Precision) -> Self {
        let start = buf.len();
        Line {
            buf,
            start,
            precision,
            section: Section::Tags,
            series_len: 0,
            tags_have_backslash: false,
            timestamp: None,
        }
    }

    /// The precision timestamps are written in.
    #[must_use]
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Writes the measurement name, checking and escaping it.
    ///
    /// # Errors
    ///
    /// When the name cannot be represented (see the [module docs](self)).
    pub fn measurement(&mut self, name: &str) -> Result<(), EncodeError> {
        if self.buf.len() != self.start {
            return Err(EncodeError::new(
                EncodeErrorKind::OutOfOrder,
                Element::Measurement,
            ));
        }
        escape::write_measurement(self.buf, name)
            .map_err(|kind| EncodeError::new(kind, Element::Measurement).with_value(excerpt(name)))
    }

    #[doc(hidden)]
    #[inline]
    pub fn static_measurement(&mut self, escaped: &'static [u8]) {
        self.buf.extend_from_slice(escaped);
    }

    /// The slot for the tag `key`, checked and escaped when a value is written into it.
    pub fn tag<'l>(&'l mut self, key: &'l str) -> TagSlot<'l, 'a> {
        TagSlot {
            line: self,
            key: Key::Dynamic(key),
        }
    }

    #[doc(hidden)]
    #[inline]
    pub fn static_tag<'l>(&'l mut self, key: &'static StaticKey) -> TagSlot<'l, 'a> {
        TagSlot {
            line: self,
            key: Key::Static(key),
        }
    }

    /// The slot for the field `key`, checked and escaped when a value is written into it.
    pub fn field<'l>(&'l mut self, key: &'l str) -> FieldSlot<'l, 'a> {
        FieldSlot {
            line: self,
            key: Key::Dynamic(key),
        }
    }

    #[doc(hidden)]
    #[inline]
    pub fn static_field<'l>(&'l mut self, key: &'static StaticKey) -> FieldSlot<'l, 'a> {
        FieldSlot {
            line: self,
            key: Key::Static(key),
        }
    }

    /// Sets the point's timestamp; absent (`None`), the point is stamped when it is encoded.
    ///
    /// # Errors
    ///
    /// When the time is outside the range InfluxDB stores once converted to the precision, or
    /// a timestamp was already written.
    #[inline]
    pub fn timestamp<T: Timestamp + ?Sized>(&mut self, time: &T) -> Result<(), EncodeError> {
        if self.timestamp.is_some() {
            return Err(EncodeError::new(
                EncodeErrorKind::OutOfOrder,
                Element::Timestamp,
            ));
        }
        if let Some(units) = time.__units_of(self.precision) {
            self.timestamp = Some(self.check_units(units)?);
        } else if let Some(nanos) = time.unix_nanos() {
            self.timestamp = Some(self.to_units(nanos)?);
        }
        Ok(())
    }

    /// Checks a time given in whole units of the precision against the server's range.
    #[inline]
    fn check_units(&self, units: i64) -> Result<i64, EncodeError> {
        let per_unit = self.precision.nanos_per_unit();
        match units.checked_mul(per_unit) {
            Some(stored) if (MIN_TIMESTAMP_NANOS..=MAX_TIMESTAMP_NANOS).contains(&stored) => {
                Ok(units)
            }
            _ => self.to_units(i128::from(units) * i128::from(per_unit)),
        }
    }

    /// Converts ns to whole units of the precision, checking the server's range.
    #[inline]
    fn to_units(&self, nanos: i128) -> Result<i64, EncodeError> {
        // The common case in 64-bit arithmetic: a time InfluxDB can hold is an i64 of ns, and
        // flooring it to a coarser unit only moves it towards MIN, which is checked after.
        if let Ok(nanos64) = i64::try_from(nanos) {
            let per_unit = self.precision.nanos_per_unit();
            let units = if per_unit == 1 {
                nanos64
            } else {
                nanos64.div_euclid(per_unit)
            };
            if let Some(stored) = units.checked_mul(per_unit)
                && (MIN_TIMESTAMP_NANOS..=MAX_TIMESTAMP_NANOS).contains(&stored)
            {
                return Ok(units);
            }
        }
        let units = self.precision.from_nanos(nanos);
        let stored = self.precision.to_nanos(units);
        if (i128::from(MIN_TIMESTAMP_NANOS)..=i128::from(MAX_TIMESTAMP_NANOS)).contains(&stored) {
            #[allow(clippy::cast_possible_truncation)] // in range: |units| ≤ |stored| < 2⁶³
            Ok(units as i64)
        } else {
            Err(
                EncodeError::new(EncodeErrorKind::TimestampOutOfRange, Element::Timestamp)
                    .with_value(format_args!("{nanos} ns")),
            )
        }
    }

    #[inline(always)]
    fn write_tag(&mut self, key: Key<'_>, value: &str) -> Result<(), EncodeError> {
        if value.is_empty() {
            return Ok(());
        }
        if self.section != Section::Tags {
            return Err(
                EncodeError::new(EncodeErrorKind::OutOfOrder, Element::TagKey).with_key(key.name()),
            );
        }
        match key {
            Key::Static(key) => {
                self.buf.extend_from_slice(key.escaped);
                self.tags_have_backslash |= key.has_backslash;
            }
            Key::Dynamic(name) => {
                self.buf.push(b',');
                let backslash = escape::check_tag_key(name)
                    .and_then(|()| escape::write_tag_text(self.buf, name))
                    .map_err(|kind| EncodeError::new(kind, Element::TagKey).with_key(name))?;
                self.tags_have_backslash |= backslash;
                self.buf.push(b'=');
            }
        }
        let backslash = escape::write_tag_text(self.buf, value).map_err(|kind| {
            EncodeError::new(kind, Element::TagValue)
                .with_key(key.name())
                .with_value(excerpt(value))
        })?;
        self.tags_have_backslash |= backslash;
        Ok(())
    }

    /// Writes the separator and key of a field, ending the series key at the first one.
    ///
    /// Every field starts with `,`: [`Line::finish`] turns the first one into the space that
    /// ends the series key, so that a static key is one literal, separator included.
    #[inline(always)]
    fn begin_field(&mut self, key: Key<'_>) -> Result<(), EncodeError> {
        if self.section == Section::Tags {
            self.section = Section::Fields;
            self.series_len = self.buf.len() - self.start;
            if self.series_len == 0 {
                return Err(EncodeError::new(
                    EncodeErrorKind::OutOfOrder,
                    Element::Measurement,
                ));
            }
        }
        let key_len = match key {
            Key::Static(key) => {
                self.buf.extend_from_slice(key.escaped);
                key.escaped.len() - 2
            }
            Key::Dynamic(name) => {
                self.buf.push(b',');
                let key_start = self.buf.len();
                escape::write_field_key(self.buf, name)
                    .map_err(|kind| EncodeError::new(kind, Element::FieldKey).with_key(name))?;
                self.buf.push(b'=');
                self.buf.len() - key_start - 1
            }
        };
        // The server counts the escaped series key, 4 bytes of separator and the field key.
        if self.series_len + 4 + key_len > MAX_KEY_LENGTH {
            return Err(
                EncodeError::new(EncodeErrorKind::KeyTooLong, Element::FieldKey)
                    .with_key(key.name())
                    .with_value(format_args!("{} bytes", self.series_len + 4 + key_len)),
            );
        }
        Ok(())
    }

    #[inline]
    fn finish(self, now: impl FnOnce() -> i128) -> Result<(), EncodeError> {
        if self.section == Section::Tags {
            return Err(EncodeError::new(EncodeErrorKind::NoFields, Element::Point));
        }
        let units = match self.timestamp {
            Some(units) => units,
            None => self.to_units(now())?,
        };
        // The first field's `,` ends the series key.
        self.buf[self.start + self.series_len] = b' ';
        digits::write_line_end(self.buf, units);
        if self.tags_have_backslash && !escape::splitter_ends_line_here(&self.buf[self.start..]) {
            let series = &self.buf[self.start..self.start + self.series_len];
            return Err(
                EncodeError::new(EncodeErrorKind::BatchHazard, Element::TagValue)
                    .with_value(excerpt(&String::from_utf8_lossy(series))),
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
enum Key<'k> {
    Static(&'static StaticKey),
    Dynamic(&'k str),
}

impl Key<'_> {
    fn name(&self) -> &str {
        match self {
            Key::Static(key) => key.name,
            Key::Dynamic(name) => name,
        }
    }
}

/// Where one tag value goes: [`TagValue`](crate::TagValue) implementations write into it.
///
/// The key is written only together with a non-empty value, so an empty or absent value leaves
/// the tag out, as the server requires.
#[derive(Debug)]
pub struct TagSlot<'l, 'a> {
    line: &'l mut Line<'a>,
    key: Key<'l>,
}

impl TagSlot<'_, '_> {
    /// The tag's key, as written by the user (unescaped).
    #[must_use]
    pub fn key(&self) -> &str {
        self.key.name()
    }

    /// Writes the tag with this value; an empty value leaves the tag out.
    ///
    /// # Errors
    ///
    /// When the key or value holds a line feed or ends with a backslash, or the key is empty or
    /// `time`.
    #[inline]
    pub fn str(self, value: &str) -> Result<(), EncodeError> {
        self.line.write_tag(self.key, value)
    }

    /// Leaves the tag out of this point.
    #[allow(clippy::unused_self)] // consuming the slot is the point: one value per slot
    pub fn absent(self) {}
}

/// Where one field value goes: [`FieldValue`](crate::FieldValue) implementations write into it.
///
/// The key is written only together with a value, so an absent value leaves the field out.
#[derive(Debug)]
pub struct FieldSlot<'l, 'a> {
    line: &'l mut Line<'a>,
    key: Key<'l>,
}

impl FieldSlot<'_, '_> {
    /// The field's key, as written by the user (unescaped).
    #[must_use]
    pub fn key(&self) -> &str {
        self.key.name()
    }

    fn value_error(&self, kind: EncodeErrorKind, value: impl std::fmt::Display) -> EncodeError {
        EncodeError::new(kind, Element::FieldValue)
            .with_key(self.key.name())
            .with_value(value)
    }

    /// Writes a float in the shortest form that reads back as the same `f64`.
    ///
    /// # Errors
    ///
    /// When `value` is NaN or infinite.
    #[inline]
    pub fn float(self, value: f64) -> Result<(), EncodeError> {
        self.shortest_float(value, value.is_finite())
    }

    /// Writes an `f32` in its shortest form, which reads back as the same `f32` (the server
    /// stores the nearest `f64` of that decimal).
    ///
    /// # Errors
    ///
    /// When `value` is NaN or infinite.
    #[inline]
    pub fn float32(self, value: f32) -> Result<(), EncodeError> {
        self.shortest_float(value, value.is_finite())
    }

    #[inline]
    fn shortest_float<F>(self, value: F, is_finite: bool) -> Result<(), EncodeError>
    where
        F: zmij::Float + std::fmt::Display,
    {
        if !is_finite {
            return Err(self.value_error(EncodeErrorKind::NotFinite, value));
        }
        self.line.begin_field(self.key)?;
        let mut text = zmij::Buffer::new();
        self.line
            .buf
            .extend_from_slice(text.format_finite(value).as_bytes());
        Ok(())
    }

    /// Writes a signed integer (`42i`).
    ///
    /// # Errors
    ///
    /// When the key cannot be represented.
    #[inline]
    pub fn integer(self, value: i64) -> Result<(), EncodeError> {
        self.line.begin_field(self.key)?;
        let buf = &mut *self.line.buf;
        buf.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
        buf.push(b'i');
        Ok(())
    }

    /// Writes an unsigned integer as a signed one (`42i`): InfluxDB 1.x has no unsigned type.
    ///
    /// # Errors
    ///
    /// When `value` is above `i64::MAX`.
    #[inline]
    pub fn unsigned(self, value: u64) -> Result<(), EncodeError> {
        match i64::try_from(value) {
            Ok(value) => self.integer(value),
            Err(_) => Err(self.value_error(EncodeErrorKind::IntegerOutOfRange, value)),
        }
    }

    /// Writes a boolean (`true`/`false`).
    ///
    /// # Errors
    ///
    /// When the key cannot be represented.
    #[inline]
    pub fn boolean(self, value: bool) -> Result<(), EncodeError> {
        self.line.begin_field(self.key)?;
        self.line
            .buf
            .extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    /// Writes a string, quoted, escaping only `"` and `\`.
    ///
    /// # Errors
    ///
    /// When the key cannot be represented.
    #[inline]
    pub fn string(self, value: &str) -> Result<(), EncodeError> {
        self.line.begin_field(self.key)?;
        escape::write_string_value(self.line.buf, value);
        Ok(())
    }

    /// Leaves the field out of this point.
    #[allow(clippy::unused_self)] // consuming the slot is the point: one value per slot
    pub fn absent(self) {}
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod chunk_tests {
    use super::*;

    #[test]
    fn chunks_cut_at_line_boundaries_only() {
        let body = b"m s=\"a\nb\" 1\nm f=1 2\nm f=2 3\n";
        let all = chunks_of(body, 1000);
        assert_eq!(
            all,
            [Chunk {
                bytes: 0..body.len(),
                points: 3
            }]
        );
        let small = chunks_of(body, 12);
        assert_eq!(
            small,
            [
                Chunk {
                    bytes: 0..12,
                    points: 1
                },
                Chunk {
                    bytes: 12..20,
                    points: 1
                },
                Chunk {
                    bytes: 20..28,
                    points: 1
                }
            ]
        );
        let tiny = chunks_of(body, 1);
        assert_eq!(
            tiny.len(),
            3,
            "a line longer than the limit is a chunk of its own"
        );
        assert_eq!(chunks_of(b"", 10), []);
        let pairs = chunks_of(body, 16);
        assert_eq!(
            pairs,
            [
                Chunk {
                    bytes: 0..12,
                    points: 1
                },
                Chunk {
                    bytes: 12..28,
                    points: 2
                }
            ]
        );
    }
}
