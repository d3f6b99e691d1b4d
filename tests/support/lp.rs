//! An independent parser for InfluxDB 1.x line protocol, used by the tests to
//! check what the encoder emits.
//!
//! It follows how an InfluxDB **1.6** server parses a `/write` body (see
//! `shared/research/influxdb-1x-facts.md` §1–§3), including its quirks:
//!
//! * The body is split into lines on LF, except that a LF inside a quoted
//!   string field value does not split, and backslash + any byte is skipped as
//!   a pair by the splitter. Quote tracking uses the server's counting of `=`
//!   and `,` after the first space, so the "batch hazard" of facts §1.3 is
//!   reproduced (a tag containing `\\ ` followed by a `"` glues the next
//!   line onto this one, or splits this one at a LF inside a string value).
//! * Blank lines and lines whose first non-blank byte is `#` are skipped.
//!   Leading spaces, TABs and NULs of a line are skipped. CR is an ordinary
//!   byte, so a trailing CR makes a line invalid.
//! * The key must end with a space; after it, spaces, TABs and NULs are
//!   skipped before the fields and before the timestamp. So a TAB cannot
//!   replace the space, and the first field key loses a leading TAB or NUL.
//! * Measurement, tag keys and tag values end at a `,` / space / `=` that is
//!   not directly preceded by a backslash (the server only looks one byte
//!   back). The measurement is unescaped like `Point.Name()` (a backslash
//!   directly before `,` `"` space `=` is dropped), tag keys and values like
//!   `unescapeTag` (before `,` space `=` only), field keys like
//!   `escape.AppendUnescaped` (before `,` `"` space `=`). Every other
//!   backslash is kept, and `\\` is never collapsed outside string values.
//! * Field values: `"…"` strings (only `\\` → `\` and `\"` → `"` are
//!   unescaped; raw LF/CR/TAB/NUL are fine), `<int>i` integers (full `i64`),
//!   `<uint>u` unsigned integers (rejected by a 1.6 server, but parsed here as
//!   [`ParsedValue::Unsigned`] so that tests can detect them), floats in plain
//!   decimal syntax (no `+` sign, no NaN/Inf, overflow is an error, underflow
//!   silently becomes zero), and the booleans
//!   `t T true True TRUE f F false False FALSE`. As in the server, a field
//!   value runs to the next `,` outside quotes, so bytes after a closing
//!   quote are kept (`s="a"b` reads back as `a"`).
//! * The optional timestamp is `-?[0-9]+` within
//!   `[-9223372036854775806, 9223372036854775806]`. Only spaces may follow it.
//! * The series key (measurement + tags, as written, i.e. escaped) may not be
//!   longer than 65535 bytes, and neither may `series key + 4 + field key`.
//!
//! Where the server would accept a line but silently lose or mangle data, this
//! parser returns an error instead, because the encoder must never produce such
//! a line:
//!
//! * tag key `time` (the server drops the point) and field key `time` (the
//!   server drops the field when other fields exist, else the point);
//! * an empty field key or value that slips through the server's scanner;
//! * bytes that are not valid UTF-8 after unescaping (the server stores them
//!   and later replaces them with U+FFFD).

use std::collections::BTreeMap;
use std::fmt;
use std::num::IntErrorKind;
use std::ops::Range;

/// `MaxKeyLength` of the server.
const MAX_KEY_LENGTH: usize = 65535;
/// `len(tsm1.fieldKeySeparator)`, added to the series key size per field.
const FIELD_KEY_SEPARATOR_LEN: usize = 4;
/// `models.MinNanoTime`.
const MIN_NANO_TIME: i64 = i64::MIN + 2;
/// `models.MaxNanoTime`.
const MAX_NANO_TIME: i64 = i64::MAX - 1;
/// How much of an offending line is quoted in error messages.
const MAX_QUOTED_LINE: usize = 200;

/// One point as the server would store it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPoint {
    /// The unescaped measurement name.
    pub measurement: String,
    /// The unescaped tags (the server sorts them by key anyway).
    pub tags: BTreeMap<String, String>,
    /// The unescaped field keys and their typed values; for a key given twice
    /// the last value wins.
    pub fields: BTreeMap<String, ParsedValue>,
    /// The timestamp as written (nanoseconds unless a `precision` applies);
    /// `None` when the line has none.
    pub timestamp: Option<i64>,
}

/// A typed field value.
///
/// Equality compares floats by their bits (`f64::to_bits`), so `-0.0 != 0.0`
/// and a NaN equals itself; this makes `Eq` sound.
#[derive(Debug, Clone)]
pub enum ParsedValue {
    /// No suffix, e.g. `1.5`, `-0`, `1e10`.
    Float(f64),
    /// `i` suffix, e.g. `-3i`.
    Integer(i64),
    /// `u` suffix, e.g. `3u`. InfluxDB 1.6 rejects these.
    Unsigned(u64),
    /// `t`, `true`, `F`, `FALSE`, ...
    Boolean(bool),
    /// A double-quoted string, unescaped.
    String(String),
}

impl PartialEq for ParsedValue {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Float(a), Self::Float(b)) => a.to_bits() == b.to_bits(),
            (Self::Integer(a), Self::Integer(b)) => a == b,
            (Self::Unsigned(a), Self::Unsigned(b)) => a == b,
            (Self::Boolean(a), Self::Boolean(b)) => a == b,
            (Self::String(a), Self::String(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for ParsedValue {}

/// Why a line was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based number of the (first physical) line of the rejected point.
    pub line: usize,
    /// What is wrong, in the server's wording where it has one.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a whole `/write` body. Returns the points in order, or the first
/// line that the server would reject (or that would lose data, see the module
/// documentation).
pub fn parse_lines(body: &[u8]) -> Result<Vec<ParsedPoint>, ParseError> {
    let mut points = Vec::new();
    let mut pos = 0;
    let mut line = 1;
    while pos < body.len() {
        let end = scan_line(body, pos);
        let block = &body[pos..end];
        let block_line = line;
        line += count_lf(block) + 1;
        pos = end + 1;
        if let Some(text) = point_text(block) {
            let point = parse_point(text).map_err(|message| ParseError {
                line: block_line,
                message: describe(text, &message),
            })?;
            points.push(point);
        }
    }
    Ok(points)
}

/// Parses exactly one line (optionally terminated by one LF). It is an error
/// if the line is blank or a comment, or if the server would split the input
/// into more than one line.
pub fn parse_line(line: &[u8]) -> Result<ParsedPoint, ParseError> {
    let error = |message: String| ParseError { line: 1, message };
    let end = scan_line(line, 0);
    if end + 1 < line.len() {
        return Err(error(format!(
            "the input is more than one line: the server splits it at byte {end}"
        )));
    }
    let Some(text) = point_text(&line[..end]) else {
        return Err(error("no point: the line is blank or a comment".to_owned()));
    };
    parse_point(text).map_err(|message| error(describe(text, &message)))
}

/// The server's error wording: `unable to parse '<line>': <reason>`.
fn describe(text: &[u8], reason: &str) -> String {
    let shown = &text[..text.len().min(MAX_QUOTED_LINE)];
    let ellipsis = if text.len() > MAX_QUOTED_LINE {
        "…"
    } else {
        ""
    };
    format!(
        "unable to parse '{}{ellipsis}': {reason}",
        String::from_utf8_lossy(shown)
    )
}

fn count_lf(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Whitespace skipped at the start of a line and of the fields and timestamp
/// sections (`skipWhitespace`): space, TAB and NUL — not CR.
fn is_skipped_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0)
}

fn skip_blanks(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && is_skipped_blank(buf[i]) {
        i += 1;
    }
    i
}

/// Finds the end of the line starting at `start`: the index of the LF that
/// ends it, or `buf.len()`. Mirrors the server's splitter: backslash + byte is
/// skipped as a pair (when two more bytes follow), and after the first space a
/// `"` toggles "inside a string" whenever more `=` than `,` have been seen
/// outside strings.
fn scan_line(buf: &[u8], start: usize) -> usize {
    let mut i = start;
    let mut after_space = false;
    let mut quoted = false;
    let mut equals = 0usize;
    let mut commas = 0usize;
    while i < buf.len() {
        let b = buf[i];
        if b == b'\\' && i + 2 < buf.len() {
            i += 2;
            continue;
        }
        if b == b' ' {
            after_space = true;
        }
        if after_space {
            if !quoted && b == b'=' {
                equals += 1;
                i += 1;
                continue;
            }
            if !quoted && b == b',' {
                commas += 1;
                i += 1;
                continue;
            }
            if b == b'"' && equals > commas {
                quoted = !quoted;
                i += 1;
                continue;
            }
        }
        if b == b'\n' && !quoted {
            break;
        }
        i += 1;
    }
    i
}

/// The part of a line that is parsed as a point, or `None` for a blank line or
/// a comment: leading blanks are skipped and one trailing LF (present only when
/// the splitter kept it, e.g. after a backslash) is removed.
fn point_text(block: &[u8]) -> Option<&[u8]> {
    let start = skip_blanks(block, 0);
    if start >= block.len() || block[start] == b'#' {
        return None;
    }
    let end = if block.ends_with(b"\n") {
        block.len() - 1
    } else {
        block.len()
    };
    Some(&block[start..end])
}

/// Measurement and tags located in a line.
#[derive(Debug)]
struct Key {
    /// Where the (escaped) measurement is.
    measurement: Range<usize>,
    /// Where each tag's (escaped) key and value are, in line order.
    tags: Vec<(Range<usize>, Range<usize>)>,
    /// Index of the space that ends the key.
    end: usize,
}

fn escaped_at(buf: &[u8], i: usize) -> bool {
    i > 0 && buf[i - 1] == b'\\'
}

/// `scanKey`: the measurement and the tags. A separator counts as escaped when
/// the byte right before it is a backslash, whatever precedes that backslash.
fn scan_key(buf: &[u8]) -> Result<Key, String> {
    if buf.is_empty() || buf[0] == b',' {
        return Err("missing measurement".to_owned());
    }
    let mut i = 0;
    let has_tags = loop {
        i += 1;
        if i >= buf.len() {
            return Err("missing fields".to_owned());
        }
        if escaped_at(buf, i) {
            continue;
        }
        match buf[i] {
            b',' => break true,
            b' ' => break false,
            _ => {}
        }
    };
    let measurement = 0..i;
    let mut tags = Vec::new();
    if has_tags {
        i += 1;
        loop {
            let key_start = i;
            if i >= buf.len() || matches!(buf[i], b' ' | b',' | b'=') {
                return Err("missing tag key".to_owned());
            }
            loop {
                i += 1;
                if i >= buf.len() || (matches!(buf[i], b' ' | b',') && !escaped_at(buf, i)) {
                    return Err("missing tag value".to_owned());
                }
                if buf[i] == b'=' && !escaped_at(buf, i) {
                    break;
                }
            }
            let key = key_start..i;
            i += 1;
            let value_start = i;
            if i >= buf.len() || matches!(buf[i], b',' | b' ') {
                return Err("missing tag value".to_owned());
            }
            // The first byte of a value is not checked for `=` by the server.
            let more = loop {
                i += 1;
                if i >= buf.len() {
                    return Err("missing fields".to_owned());
                }
                if escaped_at(buf, i) {
                    continue;
                }
                match buf[i] {
                    b'=' => return Err("invalid tag format".to_owned()),
                    b',' => break true,
                    b' ' => break false,
                    _ => {}
                }
            };
            tags.push((key, value_start..i));
            if !more {
                break;
            }
            i += 1;
        }
    }
    let mut keys: Vec<&[u8]> = tags.iter().map(|(k, _)| &buf[k.clone()]).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err("duplicate tags".to_owned());
    }
    Ok(Key {
        measurement,
        tags,
        end: i,
    })
}

/// `scanFields`: validates the field section starting at `from` and returns
/// its range. Backslash + byte is skipped as a pair here (unlike in the key).
fn scan_fields(buf: &[u8], from: usize) -> Result<Range<usize>, String> {
    let start = skip_blanks(buf, from);
    let mut i = start;
    let mut quoted = false;
    let mut equals = 0usize;
    let mut commas = 0usize;
    while i < buf.len() {
        let b = buf[i];
        if b == b'\\' && i + 1 < buf.len() {
            i += 2;
            continue;
        }
        if b == b'"' && equals > commas {
            quoted = !quoted;
            i += 1;
            continue;
        }
        if b == b'=' && !quoted {
            equals += 1;
            // `i >= 2` always holds: a non-empty key and a space come first.
            let before = buf[i - 1];
            if matches!(before, b' ' | b',') && buf[i - 2] != b'\\' {
                return Err("missing field key".to_owned());
            }
            let Some(&next) = buf.get(i + 1) else {
                return Err("missing field value".to_owned());
            };
            if matches!(next, b',' | b' ') {
                return Err("missing field value".to_owned());
            }
            if next.is_ascii_digit() || matches!(next, b'.' | b'-' | b'N' | b'n') {
                i = scan_number(buf, i + 1)?;
                continue;
            }
            if next != b'"' {
                i = scan_boolean(buf, i + 1)?;
                continue;
            }
        }
        if b == b',' && !quoted {
            commas += 1;
        }
        if b == b' ' && !quoted {
            break;
        }
        i += 1;
    }
    if quoted {
        return Err("unbalanced quotes".to_owned());
    }
    if equals == 0 || commas + 1 != equals {
        return Err("invalid field format".to_owned());
    }
    Ok(start..i)
}

fn invalid_number() -> String {
    "invalid number".to_owned()
}

/// `scanNumber`: the character-level checks of the server, then the value is
/// parsed to check its range (the server does that only for long numbers,
/// which gives the same result).
fn scan_number(buf: &[u8], start: usize) -> Result<usize, String> {
    let mut i = start;
    if buf[i] == b'-' {
        i += 1;
        if i == buf.len() {
            return Err(invalid_number());
        }
    }
    let mut is_int = false;
    let mut is_unsigned = false;
    let mut decimal = false;
    let mut scientific = false;
    while i < buf.len() {
        let b = buf[i];
        if matches!(b, b',' | b' ') {
            break;
        }
        if i > start && !(is_int || is_unsigned) && matches!(b, b'i' | b'u') {
            is_int = b == b'i';
            is_unsigned = b == b'u';
            i += 1;
            continue;
        }
        if b == b'.' {
            if decimal {
                return Err(invalid_number());
            }
            decimal = true;
        }
        if i > start && matches!(b, b'e' | b'E') {
            scientific = true;
            i += 1;
            continue;
        }
        if matches!(b, b'+' | b'-') && matches!(buf[i - 1], b'e' | b'E') {
            i += 1;
            continue;
        }
        if !(b.is_ascii_digit() || b == b'.') {
            // Includes the server's explicit NaN check.
            return Err(invalid_number());
        }
        i += 1;
    }
    let token = &buf[start..i];
    if is_int || is_unsigned {
        if decimal || scientific || !token.ends_with(if is_int { b"i" } else { b"u" }) {
            return Err(invalid_number());
        }
        let digits = &token[..token.len() - 1];
        if is_int {
            parse_integer(digits)?;
        } else {
            parse_unsigned(digits)?;
        }
    } else {
        // `numericDigits` of the server: everything but a leading `-` and the
        // decimal point.
        let sign = usize::from(token.first() == Some(&b'-'));
        if token.len() - sign - usize::from(decimal) == 0 {
            return Err(invalid_number());
        }
        parse_float(token)?;
    }
    Ok(i)
}

/// `scanBoolean`: the token up to the next `,` or space must be one of the ten
/// accepted spellings.
fn scan_boolean(buf: &[u8], start: usize) -> Result<usize, String> {
    let end = buf[start..]
        .iter()
        .position(|&b| matches!(b, b',' | b' '))
        .map_or(buf.len(), |n| start + n);
    parse_boolean(&buf[start..end])?;
    Ok(end)
}

/// `-?[0-9]+` as an `i64` (the part before the `i` suffix).
fn parse_integer(digits: &[u8]) -> Result<i64, String> {
    let unsigned = digits.strip_prefix(b"-").unwrap_or(digits);
    if unsigned.is_empty() || !unsigned.iter().all(u8::is_ascii_digit) {
        return Err(invalid_number());
    }
    ascii(digits).parse::<i64>().map_err(|_| {
        format!(
            "unable to parse integer {}: value out of range",
            ascii(digits)
        )
    })
}

/// `[0-9]+` as a `u64` (the part before the `u` suffix).
fn parse_unsigned(digits: &[u8]) -> Result<u64, String> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid_number());
    }
    ascii(digits).parse::<u64>().map_err(|_| {
        format!(
            "unable to parse unsigned {}: value out of range",
            ascii(digits)
        )
    })
}

/// A float in the syntax the server accepts:
/// `-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?`, finite after rounding.
/// Underflow rounds to (signed) zero, as in Go's `strconv.ParseFloat`.
fn parse_float(token: &[u8]) -> Result<f64, String> {
    let invalid = || "invalid float".to_owned();
    let mut rest = token.strip_prefix(b"-").unwrap_or(token);
    let int_digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    rest = &rest[int_digits..];
    let mut frac_digits = 0;
    if let Some(after_dot) = rest.strip_prefix(b".") {
        frac_digits = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
        rest = &after_dot[frac_digits..];
    }
    if int_digits + frac_digits == 0 {
        return Err(invalid());
    }
    if let Some(exponent) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exponent = exponent
            .strip_prefix(b"+")
            .or_else(|| exponent.strip_prefix(b"-"))
            .unwrap_or(exponent);
        if exponent.is_empty() || !exponent.iter().all(u8::is_ascii_digit) {
            return Err(invalid());
        }
    } else if !rest.is_empty() {
        return Err(invalid());
    }
    match ascii(token).parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(invalid()),
    }
}

fn parse_boolean(token: &[u8]) -> Result<bool, String> {
    match token {
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => Ok(true),
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => Ok(false),
        _ => Err("invalid boolean".to_owned()),
    }
}

/// Only called on bytes already checked to be ASCII digits and signs.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("<non-ASCII>")
}

/// `scanTo`: index of the first `stop` not directly preceded by a backslash.
fn scan_to(buf: &[u8], stop: u8) -> usize {
    (0..buf.len())
        .find(|&i| buf[i] == stop && !escaped_at(buf, i))
        .unwrap_or(buf.len())
}

/// `scanFieldValue`: a field value ends at the first `,` outside quotes; only
/// `\"` and `\\` are skipped as pairs.
fn scan_field_value(buf: &[u8]) -> usize {
    let mut i = 0;
    let mut quoted = false;
    while i < buf.len() {
        match buf[i] {
            b'\\' if matches!(buf.get(i + 1), Some(b'"' | b'\\')) => {
                i += 2;
                continue;
            }
            b'"' => quoted = !quoted,
            b',' if !quoted => break,
            _ => {}
        }
        i += 1;
    }
    i
}

/// A field key and value as written (still escaped).
type RawField<'a> = (&'a [u8], &'a [u8]);

/// Splits the validated field section the way the server reads it back
/// (`walkFields` / the field iterator): the key ends at the first `=` not
/// directly preceded by a backslash — which is not always where the validating
/// scanner saw it. Checks the per-field key length on the way.
fn split_fields(fields: &[u8], key_len: usize) -> Result<Vec<RawField<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = fields;
    while !rest.is_empty() {
        let eq = scan_to(rest, b'=');
        let key = &rest[..eq];
        if eq + 2 > rest.len() {
            return Err(format!(
                "invalid value: field-key={}",
                String::from_utf8_lossy(key)
            ));
        }
        let size = key_len + FIELD_KEY_SEPARATOR_LEN + key.len();
        if size > MAX_KEY_LENGTH {
            return Err(format!(
                "max key length exceeded: {size} > {MAX_KEY_LENGTH}"
            ));
        }
        rest = &rest[eq + 1..];
        let end = scan_field_value(rest);
        out.push((key, &rest[..end]));
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    Ok(out)
}

/// `scanTime` and the checks after it; `from` is where the fields ended.
fn scan_timestamp(buf: &[u8], from: usize) -> Result<Option<i64>, String> {
    let start = skip_blanks(buf, from);
    let mut i = start;
    while i < buf.len() && !matches!(buf[i], b'\n' | b' ') {
        if !(buf[i].is_ascii_digit() || (i == start && buf[i] == b'-')) {
            return Err("bad timestamp".to_owned());
        }
        i += 1;
    }
    if i == start {
        // The server ignores whatever follows an empty timestamp (only a LF
        // can be there).
        return Ok(None);
    }
    let text = ascii(&buf[start..i]);
    let ts = text.parse::<i64>().map_err(|e| {
        let why = match e.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "value out of range",
            _ => "invalid syntax",
        };
        format!("strconv.ParseInt: parsing {text:?}: {why}")
    })?;
    if !(MIN_NANO_TIME..=MAX_NANO_TIME).contains(&ts) {
        return Err(format!(
            "time outside range {MIN_NANO_TIME} - {MAX_NANO_TIME}"
        ));
    }
    if buf[i..].iter().any(|&b| b != b' ') {
        return Err("point is invalid".to_owned());
    }
    Ok(Some(ts))
}

/// Removes each backslash that directly precedes one of `specials` (the
/// server's `Unescape`, `unescapeTag` and `AppendUnescaped` all amount to
/// this); other backslashes stay.
fn unescape(raw: &[u8], specials: &[u8]) -> Vec<u8> {
    raw.iter()
        .enumerate()
        .filter(|&(i, &b)| !(b == b'\\' && raw.get(i + 1).is_some_and(|n| specials.contains(n))))
        .map(|(_, &b)| b)
        .collect()
}

/// `unescapeStringField`: left to right, `\\` → `\` and `\"` → `"`.
fn unescape_string(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && matches!(raw.get(i + 1), Some(b'\\' | b'"')) {
            i += 1;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

const MEASUREMENT_SPECIALS: &[u8] = b", =\"";
const TAG_SPECIALS: &[u8] = b", =";
const FIELD_KEY_SPECIALS: &[u8] = b", =\"";

fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{what} is not valid UTF-8: {:?}",
            String::from_utf8_lossy(e.as_bytes())
        )
    })
}

/// The typed value of a field, typed as the server's field iterator does: by
/// its first byte (and for numbers its last byte).
fn field_value(raw: &[u8]) -> Result<ParsedValue, String> {
    let Some(&first) = raw.first() else {
        return Err("missing field value".to_owned());
    };
    if first == b'"' {
        if raw.len() < 2 {
            return Err("unbalanced quotes".to_owned());
        }
        let text = utf8(
            unescape_string(&raw[1..raw.len() - 1]),
            "string field value",
        )?;
        return Ok(ParsedValue::String(text));
    }
    if b"0123456789-.nNiIu".contains(&first) {
        return match raw.split_last() {
            Some((b'i', digits)) => parse_integer(digits).map(ParsedValue::Integer),
            Some((b'u', digits)) => parse_unsigned(digits).map(ParsedValue::Unsigned),
            _ => parse_float(raw).map(ParsedValue::Float),
        };
    }
    parse_boolean(raw).map(ParsedValue::Boolean)
}

/// Parses one line (already stripped of leading blanks and the line end).
fn parse_point(buf: &[u8]) -> Result<ParsedPoint, String> {
    let key = scan_key(buf)?;
    let key_len = key.end;
    if key_len > MAX_KEY_LENGTH {
        return Err(format!(
            "max key length exceeded: {key_len} > {MAX_KEY_LENGTH}"
        ));
    }
    let fields_range = scan_fields(buf, key.end)?;
    if fields_range.is_empty() {
        return Err("missing fields".to_owned());
    }
    let raw_fields = split_fields(&buf[fields_range.clone()], key_len)?;
    let timestamp = scan_timestamp(buf, fields_range.end)?;

    let measurement = utf8(
        unescape(&buf[key.measurement.clone()], MEASUREMENT_SPECIALS),
        "measurement",
    )?;
    let mut tags = BTreeMap::new();
    for (k, v) in &key.tags {
        let tag_key = utf8(unescape(&buf[k.clone()], TAG_SPECIALS), "tag key")?;
        let tag_value = utf8(unescape(&buf[v.clone()], TAG_SPECIALS), "tag value")?;
        if tag_key == "time" {
            return Err(format!(
                "invalid tag key: input tag \"time\" on measurement {measurement:?} is invalid"
            ));
        }
        tags.insert(tag_key, tag_value);
    }
    let mut fields = BTreeMap::new();
    for (k, v) in raw_fields {
        let field_key = utf8(unescape(k, FIELD_KEY_SPECIALS), "field key")?;
        if field_key.is_empty() {
            return Err("missing field key".to_owned());
        }
        if field_key == "time" {
            return Err(format!(
                "invalid field name: input field \"time\" on measurement {measurement:?} is invalid"
            ));
        }
        let value = field_value(v)?;
        fields.insert(field_key, value);
    }
    Ok(ParsedPoint {
        measurement,
        tags,
        fields,
        timestamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> ParsedPoint {
        one_bytes(line.as_bytes())
    }

    fn one_bytes(line: &[u8]) -> ParsedPoint {
        let points = parse_lines(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert_eq!(points.len(), 1, "{line:?}: {points:?}");
        let single = parse_line(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert_eq!(single, points[0]);
        single
    }

    fn err(line: &str) -> ParseError {
        err_bytes(line.as_bytes())
    }

    fn err_bytes(line: &[u8]) -> ParseError {
        let e = parse_lines(line).expect_err(&format!("{line:?} should be rejected"));
        assert!(parse_line(line).is_err(), "{line:?}");
        e
    }

    fn rejects(line: &str, reason: &str) {
        let e = err(line);
        assert!(
            e.message.contains(reason),
            "{line:?}: expected {reason:?}, got {:?}",
            e.message
        );
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn field(line: &str, key: &str) -> ParsedValue {
        let p = one(line);
        p.fields
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("{line:?}: no field {key:?} in {p:?}"))
    }

    fn float(line: &str) -> f64 {
        match field(line, "f") {
            ParsedValue::Float(v) => v,
            other => panic!("{line:?}: not a float: {other:?}"),
        }
    }

    fn string(line: &str) -> String {
        match field(line, "s") {
            ParsedValue::String(v) => v,
            other => panic!("{line:?}: not a string: {other:?}"),
        }
    }

    // ---- API basics -------------------------------------------------------

    #[test]
    fn full_point() {
        let p = one("cpu,host=a,region=eu f=1.5,i=-3i,u=7u,b=true,s=\"hi\" 1700000000000000000");
        assert_eq!(p.measurement, "cpu");
        assert_eq!(p.tags, map(&[("host", "a"), ("region", "eu")]));
        assert_eq!(p.fields.len(), 5);
        assert_eq!(p.fields["f"], ParsedValue::Float(1.5));
        assert_eq!(p.fields["i"], ParsedValue::Integer(-3));
        assert_eq!(p.fields["u"], ParsedValue::Unsigned(7));
        assert_eq!(p.fields["b"], ParsedValue::Boolean(true));
        assert_eq!(p.fields["s"], ParsedValue::String("hi".to_owned()));
        assert_eq!(p.timestamp, Some(1_700_000_000_000_000_000));
    }

    #[test]
    fn value_equality_is_bitwise_for_floats() {
        assert_ne!(ParsedValue::Float(0.0), ParsedValue::Float(-0.0));
        assert_eq!(ParsedValue::Float(f64::NAN), ParsedValue::Float(f64::NAN));
        assert_eq!(ParsedValue::Float(1.5), ParsedValue::Float(1.5));
        assert_ne!(ParsedValue::Float(1.0), ParsedValue::Integer(1));
        assert_ne!(ParsedValue::Integer(1), ParsedValue::Unsigned(1));
        assert_ne!(
            ParsedValue::Boolean(true),
            ParsedValue::String("true".to_owned())
        );
        assert_ne!(one("m f=0 1"), one("m f=-0 1"));
    }

    #[test]
    fn error_display_and_line_numbers() {
        let e = parse_lines(b"m f=1 1\n\nm f=2 2\nbad\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("bad"), "{e}");
        assert!(e.to_string().starts_with("line 4: unable to parse 'bad': "));
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.to_string().contains("missing fields"));
        // A string with a LF inside counts as two physical lines.
        let e = parse_lines(b"m s=\"a\nb\" 1\nm f=x 2").unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(parse_line(b"m f=x").unwrap_err().line, 1);
    }

    #[test]
    fn parse_line_is_exactly_one_line() {
        assert_eq!(one("m f=1 1"), parse_line(b"m f=1 1\n").unwrap());
        assert!(parse_line(b"m f=1 1\nm f=2 2").is_err());
        assert!(parse_line(b"m f=1 1\n\n").is_err());
        assert!(parse_line(b"").is_err());
        assert!(parse_line(b"   ").is_err());
        assert!(parse_line(b"# comment").is_err());
        // A LF inside a string is part of the line.
        assert_eq!(
            parse_line(b"m s=\"a\nb\" 1").unwrap().fields["s"],
            ParsedValue::String("a\nb".to_owned())
        );
    }

    // ---- §1.1 line structure -----------------------------------------------

    #[test]
    fn lf_inside_string_does_not_split() {
        let points = parse_lines(b"m s=\"x\ny\",t=\"p q\" 1\nm2 f=1 2").unwrap();
        assert_eq!(points.len(), 2);
        assert_eq!(
            points[0].fields["s"],
            ParsedValue::String("x\ny".to_owned())
        );
        assert_eq!(points[0].fields["t"], ParsedValue::String("p q".to_owned()));
        assert_eq!(points[0].timestamp, Some(1));
        assert_eq!(points[1].measurement, "m2");
        assert_eq!(points[1].timestamp, Some(2));
    }

    #[test]
    fn backslash_lf_does_not_split() {
        assert_eq!(one("m\\\nx f=1 1").measurement, "m\\\nx");
    }

    #[test]
    fn comments_blank_lines_and_leading_blanks() {
        assert_eq!(parse_lines(b"#m f=1 1").unwrap(), vec![]);
        assert_eq!(parse_lines(b"  \t# m f=1 1\n").unwrap(), vec![]);
        assert_eq!(parse_lines(b"").unwrap(), vec![]);
        assert_eq!(parse_lines(b"\n\n \n\t\n").unwrap(), vec![]);
        assert_eq!(one("\tm f=1 1").measurement, "m");
        assert_eq!(one("  \0m f=1 1").measurement, "m");
        let points = parse_lines(b"# header\n\nm f=1 1\n\n# x\nm f=2 2\n").unwrap();
        assert_eq!(points.len(), 2);
    }

    #[test]
    fn cr_is_not_whitespace() {
        rejects("m f=1\r", "invalid number");
        rejects("m f=1 1\r", "bad timestamp");
        rejects("m f=1 1\r\nm f=2 2\r\n", "bad timestamp");
    }

    #[test]
    fn section_separators() {
        let p = one("m  f=1  1");
        assert_eq!(p.fields["f"], ParsedValue::Float(1.0));
        assert_eq!(p.timestamp, Some(1));
        assert_eq!(one("m f=1 1   ").timestamp, Some(1));
        assert_eq!(one("m f=1   ").timestamp, None);
        rejects("m\tf=1 1", "invalid field format");
        rejects("m f=1\t1", "invalid number");
        rejects("m f=1, g=2 1", "invalid field format");
        rejects("m f=1 1 x", "point is invalid");
        rejects("m f=1 1 1", "point is invalid");
        rejects("m f=1 1\t", "bad timestamp");
    }

    // ---- §1.2 measurement ---------------------------------------------------

    #[test]
    fn measurement_escapes() {
        assert_eq!(one("m\\,x f=1 1").measurement, "m,x");
        assert_eq!(one("m\\ x f=1 1").measurement, "m x");
        assert_eq!(one("\\ m f=1 1").measurement, " m");
        assert_eq!(one("\\,m f=1 1").measurement, ",m");
        assert_eq!(one("m=x f=1 1").measurement, "m=x");
        assert_eq!(one("m\"x f=1 1").measurement, "m\"x");
        assert_eq!(one("m\\=x f=1 1").measurement, "m=x");
        assert_eq!(one("m\\\"x f=1 1").measurement, "m\"x");
        assert_eq!(one("m\\x f=1 1").measurement, "m\\x");
        assert_eq!(one("m\\\\x f=1 1").measurement, "m\\\\x");
        assert_eq!(one("\\#m f=1 1").measurement, "\\#m");
        assert_eq!(one("a\\b\\,c f=1 1").measurement, "a\\b,c");
    }

    #[test]
    fn measurement_backslash_before_special() {
        // Content `a\,b` written as `a\\,b`: `Point.Name()` gives back `a\,b`.
        assert_eq!(one("a\\\\,b f=1 1").measurement, "a\\,b");
        assert_eq!(one("a\\\\ b f=1 1").measurement, "a\\ b");
        assert_eq!(one("a\\\\=b f=1 1").measurement, "a\\=b");
    }

    #[test]
    fn measurement_errors() {
        rejects("m\\ f=1 1", "invalid field format");
        rejects("m\\\\ f=1 1", "invalid field format");
        rejects(",t=a f=1 1", "missing measurement");
        rejects(", f=1 1", "missing measurement");
        rejects("m", "missing fields");
        rejects("m 1", "invalid field format");
        rejects("m ", "invalid field format");
    }

    #[test]
    fn measurement_literal_bytes() {
        assert_eq!(one("m\tx f=1 1").measurement, "m\tx");
        assert_eq!(one("m\rx f=1 1").measurement, "m\rx");
        assert_eq!(one("€😀 f=1 1").measurement, "€😀");
        assert_eq!(one("温度😀 f=1 1").measurement, "温度😀");
        assert_eq!(one("time f=1 1").measurement, "time");
    }

    #[test]
    fn lf_in_measurement_splits_the_line() {
        let e = err("a\nb f=1.5 1");
        assert_eq!(e.line, 1);
        assert!(
            e.message.contains("unable to parse 'a': missing fields"),
            "{e}"
        );
        let e = parse_lines(b"b f=1.5 1\na\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    // ---- §1.3 tags ---------------------------------------------------------

    #[test]
    fn tag_escapes() {
        assert_eq!(one("m,t=a\\,b f=1 1").tags, map(&[("t", "a,b")]));
        assert_eq!(one("m,t=a\\ b f=1 1").tags, map(&[("t", "a b")]));
        assert_eq!(one("m,t=a\\=b f=1 1").tags, map(&[("t", "a=b")]));
        assert_eq!(one("m,t\\,k=a f=1 1").tags, map(&[("t,k", "a")]));
        assert_eq!(
            one("m,t\\=k\\=x=a\\=y f=1 1").tags,
            map(&[("t=k=x", "a=y")])
        );
        assert_eq!(one("m,t\\ k=a f=1 1").tags, map(&[("t k", "a")]));
        assert_eq!(one("m,t=a\"b f=1 1").tags, map(&[("t", "a\"b")]));
        assert_eq!(one("m,t=a\\\"b f=1 1").tags, map(&[("t", "a\\\"b")]));
        assert_eq!(one("m,t=a\\\\b f=1 1").tags, map(&[("t", "a\\\\b")]));
        assert_eq!(one("m,t=a\\b f=1 1").tags, map(&[("t", "a\\b")]));
    }

    #[test]
    fn tag_backslash_runs() {
        assert_eq!(one("m,t=a\\\\,b f=1 1").tags, map(&[("t", "a\\,b")]));
        assert_eq!(one("m,t=a\\\\\\,b f=1 1").tags, map(&[("t", "a\\\\,b")]));
        assert_eq!(one("m,t=a\\\\ b f=1 1").tags, map(&[("t", "a\\ b")]));
        assert_eq!(one("m,k\\\\ x=a\"b f=1 1").tags, map(&[("k\\ x", "a\"b")]));
    }

    #[test]
    fn tag_errors() {
        rejects("m,t=a=b f=1 1", "invalid tag format");
        rejects("m,t=a\\ f=1 1", "invalid tag format");
        rejects("m,t=a\\\\ f=1 1", "invalid tag format");
        rejects("m,k\\=v f=1.5 1", "missing tag value");
        rejects("m,t= f=1 1", "missing tag value");
        rejects("m,t=,u=a f=1 1", "missing tag value");
        rejects("m,t f=1 1", "missing tag value");
        rejects("m,=a f=1 1", "missing tag key");
        rejects("m, f=1 1", "missing tag key");
        rejects("m,t=a, f=1 1", "missing tag key");
        rejects("m,t=a", "missing fields");
        rejects("m,t=a,t=b f=1 1", "duplicate tags");
        rejects("m,t=a,u=b,t=c f=1 1", "duplicate tags");
        rejects("m,b=1,a=2,b=3 f=1 1", "duplicate tags");
        rejects("m,time=a f=1 1", "invalid tag key");
    }

    #[test]
    fn tags_are_sorted_and_literal() {
        assert_eq!(one("m,b=1,a=2 f=1 1").tags, map(&[("a", "2"), ("b", "1")]));
        assert_eq!(one("x,b=2,a=1 f=1 1"), one("x,a=1,b=2 f=1 1"));
        assert_eq!(one("m,t=a\tb f=1 1").tags, map(&[("t", "a\tb")]));
        assert_eq!(one("m,t=a\rb f=1 1").tags, map(&[("t", "a\rb")]));
        assert_eq!(one("m,#t=#v f=1 1").tags, map(&[("#t", "#v")]));
        assert_eq!(one("m,😀=€ f=1 1").tags, map(&[("😀", "€")]));
        assert_eq!(one("m,Time=a f=1 1").tags, map(&[("Time", "a")]));
    }

    #[test]
    fn batch_hazard_glues_lines() {
        // Alone the line is fine …
        assert_eq!(one("m,k\\\\ x=a\"b f=1 1").fields.len(), 1);
        // … but it swallows the next line, and the glued line is invalid.
        rejects("m,k\\\\ x=a\"b f=1 1\nm2 f=1 2", "point is invalid");
    }

    #[test]
    fn batch_hazard_variants() {
        // A `"` in a field key after such a tag also glues the next line.
        rejects("m,k\\\\ x=a f\"k=1 1\nm2 f=1 2", "point is invalid");
        // And a raw LF inside a string value of the same line splits it.
        rejects("m,k\\\\ x=a\"b s=\"1\n2\" 1", "unbalanced quotes");
        assert!(parse_line(b"m,k\\\\ x=a\"b s=\"1\n2\" 1").is_err());
        // Without the `"` in the key the same string is fine.
        assert_eq!(string("m,k\\\\ x=ab s=\"1\n2\" 1"), "1\n2");
    }

    #[test]
    fn leading_equals_in_a_tag_value_is_accepted() {
        // The server does not check the first byte of a tag value for `=`.
        assert_eq!(one("m,t==a f=1 1").tags, map(&[("t", "=a")]));
    }

    // ---- §1.4 field keys ---------------------------------------------------

    #[test]
    fn field_key_escapes() {
        assert!(one("m f\"k=1 1").fields.contains_key("f\"k"));
        assert!(one("m f\\\"k=1 1").fields.contains_key("f\"k"));
        assert!(one("m f\\\\\"k=1 1").fields.contains_key("f\\\"k"));
        assert!(one("m f\\,k=1 1").fields.contains_key("f,k"));
        assert!(one("m f\\=k=1 1").fields.contains_key("f=k"));
        assert!(one("m f\\ k=1 1").fields.contains_key("f k"));
        assert!(one("m f\\k=1 1").fields.contains_key("f\\k"));
        assert!(one("m f\\\\k=1 1").fields.contains_key("f\\\\k"));
        assert!(one("m f\\\\\\=k=1 1").fields.contains_key("f\\\\=k"));
        assert!(one("m a\\\\\\ b=1 1").fields.contains_key("a\\\\ b"));
    }

    #[test]
    fn field_key_errors() {
        rejects("m f\\=1 1", "invalid field format");
        rejects("m f\\\\=1 1", "invalid value: field-key=f\\\\=1");
        rejects("m f\\\\=k=1 1", "invalid boolean");
        rejects("m time=1 1", "invalid field name");
        rejects("m time=1,g=2 1", "invalid field name");
        rejects("m =1 1", "missing field key");
        rejects("m f=1,=2 1", "missing field key");
        rejects("m \t=1 1", "missing field key");
        rejects("m f= 1", "missing field value");
        rejects("m f=", "missing field value");
        rejects("m f=,g=1 1", "missing field value");
        rejects("m f=1,g 1", "invalid field format");
        rejects("m f 1", "invalid field format");
    }

    #[test]
    fn field_key_misc() {
        let p = one("m f=1,f=2 1");
        assert_eq!(p.fields.len(), 1);
        assert_eq!(p.fields["f"], ParsedValue::Float(2.0));
        let p = one("m,f=tag f=1 1");
        assert_eq!(p.tags["f"], "tag");
        assert_eq!(p.fields["f"], ParsedValue::Float(1.0));
        assert!(one("m Time=1 1").fields.contains_key("Time"));
        // Field order does not matter.
        assert_eq!(one("m b=1,a=2 1"), one("m a=2,b=1 1"));
    }

    #[test]
    fn field_key_split_like_the_server_reads_it() {
        // The validating scanner sees `a\\` `=t` `,c=1`, but the server reads
        // the key up to the first `=` not preceded by a backslash.
        let p = one("m a\\\\=t,c=1 1");
        assert_eq!(p.fields.len(), 1);
        assert_eq!(p.fields["a\\=t,c"], ParsedValue::Float(1.0));
    }

    #[test]
    fn leading_blanks_of_the_first_field_key_are_skipped() {
        // The server skips spaces, TABs and NULs before the field section, so
        // a first field key cannot start with TAB or NUL.
        assert!(one("m \tk=1 1").fields.contains_key("k"));
        assert!(one("m \0k=1 1").fields.contains_key("k"));
        assert!(one("m a=1,\tk=1 1").fields.contains_key("\tk"));
        assert!(one("m a=1,\0k=1 1").fields.contains_key("\0k"));
    }

    // ---- §1.5 string field values ------------------------------------------

    #[test]
    fn string_values() {
        rejects("m s='a' 1", "invalid boolean");
        rejects("m s=a 1", "invalid boolean");
        assert_eq!(string(r#"m s="a\b" 1"#), "a\\b");
        assert_eq!(string(r#"m s="a\\b" 1"#), "a\\b");
        assert_eq!(string(r#"m s="a\nb" 1"#), "a\\nb");
        assert_eq!(string(r#"m s="a\,b" 1"#), "a\\,b");
        assert_eq!(string(r#"m s="a\"b" 1"#), "a\"b");
        assert_eq!(string(r#"m s="a\\\"b" 1"#), "a\\\"b");
        assert_eq!(string(r#"m s="a\\" 1"#), "a\\");
        assert_eq!(string(r#"m s="\\\\" 1"#), "\\\\");
        rejects(r#"m s="a\" 1"#, "unbalanced quotes");
        rejects(r#"m s="a 1"#, "unbalanced quotes");
        assert_eq!(string("m s=\"line1\nline2\" 1"), "line1\nline2");
        assert_eq!(string("m s=\"a\r\nb\tc\" 1"), "a\r\nb\tc");
        assert_eq!(string("m s=\"a\0b\" 1"), "a\0b");
        assert_eq!(string(r#"m s="a,b=c d" 1"#), "a,b=c d");
        assert_eq!(string(r#"m s="" 1"#), "");
        assert_eq!(string(r#"m s="€😀" 1"#), "€😀");
        assert_eq!(string(r#"m s="x",f=1 1"#), "x");
        // Bytes after the closing quote are kept by the server's scanner and
        // the value is read as everything between the first and last byte.
        assert_eq!(string(r#"m s="a"b 1"#), "a\"");
    }

    #[test]
    fn long_strings_have_no_limit() {
        let value = "x".repeat(1 << 20);
        assert_eq!(string(&format!("m s=\"{value}\" 1")), value);
    }

    #[test]
    fn invalid_utf8_is_rejected() {
        assert!(err_bytes(b"m\xff f=1 1").message.contains("UTF-8"));
        assert!(err_bytes(b"m,t=\xff f=1 1").message.contains("UTF-8"));
        assert!(err_bytes(b"m s=\"\xff\" 1").message.contains("UTF-8"));
    }

    // ---- §1.6 key length ---------------------------------------------------

    #[test]
    fn key_length_limit() {
        // Series key 65530 bytes + 4 + field key 1 = 65535: accepted.
        let ok = format!("m,t={} f=1 1", "v".repeat(65526));
        assert_eq!(one(&ok).tags["t"].len(), 65526);
        let e = err(&format!("m,t={} f=1 1", "v".repeat(65527)));
        assert!(
            e.message
                .ends_with(": max key length exceeded: 65536 > 65535")
        );
        // A longer field key pushes the same series over the limit.
        rejects(
            &format!("m,t={} ff=1 1", "v".repeat(65526)),
            "65536 > 65535",
        );
        // The series key alone over the limit.
        rejects(&format!("{} f=1 1", "m".repeat(65536)), "65536 > 65535");
        // The limit counts escaped bytes.
        let escaped = format!("m,t={} f=1 1", "\\ ".repeat(32764));
        rejects(&escaped, "65537 > 65535");
    }

    // ---- §2.1 floats ---------------------------------------------------------

    #[test]
    fn float_spellings() {
        let cases: &[(&str, f64)] = &[
            ("1", 1.0),
            ("1.", 1.0),
            (".5", 0.5),
            ("-.5", -0.5),
            ("1e10", 1e10),
            ("1E10", 1e10),
            ("1e+10", 1e10),
            ("1e-10", 1e-10),
            ("1.5e3", 1500.0),
            ("1.e3", 1000.0),
            ("00012", 12.0),
            ("-1.25", -1.25),
            ("0.30000000000000004", 0.30000000000000004),
            ("2.2250738585072014e-308", 2.2250738585072014e-308),
        ];
        for &(text, value) in cases {
            let got = float(&format!("m f={text} 1"));
            assert_eq!(got.to_bits(), value.to_bits(), "{text}");
        }
        assert_eq!(float("m f=-0 1").to_bits(), (-0.0f64).to_bits());
        assert_eq!(float("m f=-0.0 1").to_bits(), (-0.0f64).to_bits());
        assert_eq!(float("m f=0 1").to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn float_rejections() {
        for text in ["+1", "+Inf", "Inf", "inf", "Infinity", "e3", "+.5"] {
            rejects(&format!("m f={text} 1"), "invalid boolean");
        }
        for text in [
            "NaN", "nan", "-NaN", "-Inf", "1.1.1", "0x10", "1_000", "-", ".", "-.", "1-1",
            "1.5e3.2",
        ] {
            rejects(&format!("m f={text} 1"), "invalid number");
        }
        for text in ["1e", "1e+", "1E-", "-e3", "1e5.", "1e5e5", ".e5"] {
            rejects(&format!("m f={text} 1"), "invalid float");
        }
    }

    #[test]
    fn float_range() {
        for text in ["1e400", "-1e400", "1.7976931348623159e308"] {
            rejects(&format!("m f={text} 1"), "invalid float");
        }
        rejects(&format!("m f={} 1", "9".repeat(310)), "invalid float");
        for text in ["1e-400", "2e-324"] {
            assert_eq!(float(&format!("m f={text} 1")).to_bits(), 0);
        }
        let tiny = format!("m f=0.{}1 1", "0".repeat(400));
        assert_eq!(float(&tiny).to_bits(), 0);
        assert_eq!(float("m f=-1e-400 1").to_bits(), (-0.0f64).to_bits());
        assert_eq!(float("m f=5e-324 1"), 5e-324);
        assert_eq!(float("m f=4.9e-324 1"), 5e-324);
    }

    #[test]
    fn float_round_trip_of_positional_formatting() {
        let values = [
            f64::MAX,
            -f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1e300,
            0.1,
            1.0 / 3.0,
            123456789.125,
            -0.0,
        ];
        for value in values {
            for text in [
                format!("{value}"),
                format!("{value:e}"),
                format!("{value:?}"),
            ] {
                let got = float(&format!("m f={text} 1"));
                assert_eq!(got.to_bits(), value.to_bits(), "{text}");
            }
        }
    }

    // ---- §2.2–2.4 integers, unsigned, booleans -----------------------------------

    #[test]
    fn integers() {
        assert_eq!(
            field("m i=9223372036854775807i 1", "i"),
            ParsedValue::Integer(i64::MAX)
        );
        assert_eq!(
            field("m i=-9223372036854775808i 1", "i"),
            ParsedValue::Integer(i64::MIN)
        );
        assert_eq!(field("m i=01i 1", "i"), ParsedValue::Integer(1));
        assert_eq!(field("m i=-0i 1", "i"), ParsedValue::Integer(0));
        assert_eq!(field("m i=0i", "i"), ParsedValue::Integer(0));
        rejects(
            "m i=9223372036854775808i 1",
            "unable to parse integer 9223372036854775808",
        );
        rejects("m i=-9223372036854775809i 1", "unable to parse integer");
        rejects("m i=+1i 1", "invalid boolean");
        rejects("m i=i 1", "invalid boolean");
        for text in ["1.0i", "1e3i", "1I", "1ii", "1i2", "-i", "1iu", ".5i"] {
            rejects(&format!("m i={text} 1"), "invalid number");
        }
    }

    #[test]
    fn unsigned_is_parsed_for_detection() {
        assert_eq!(field("m u=1u 1", "u"), ParsedValue::Unsigned(1));
        assert_eq!(field("m u=0u 1", "u"), ParsedValue::Unsigned(0));
        assert_eq!(
            field("m u=18446744073709551615u 1", "u"),
            ParsedValue::Unsigned(u64::MAX)
        );
        rejects("m u=18446744073709551616u 1", "unable to parse unsigned");
        rejects("m u=-1u 1", "invalid number");
        rejects("m u=1.5u 1", "invalid number");
        rejects("m u=1ui 1", "invalid number");
        rejects("m u=u 1", "invalid boolean");
    }

    #[test]
    fn booleans() {
        for text in ["t", "T", "true", "True", "TRUE"] {
            assert_eq!(
                field(&format!("m b={text} 1"), "b"),
                ParsedValue::Boolean(true),
                "{text}"
            );
        }
        for text in ["f", "F", "false", "False", "FALSE"] {
            assert_eq!(
                field(&format!("m b={text} 1"), "b"),
                ParsedValue::Boolean(false),
                "{text}"
            );
        }
        for text in ["tRUE", "fAlse", "yes", "truee", "1b", "tr", "t\"x\""] {
            let e = err(&format!("m b={text} 1"));
            assert!(
                e.message.contains("invalid boolean") || e.message.contains("invalid number"),
                "{text}: {}",
                e.message
            );
        }
        assert_eq!(field("m b=t,c=1i", "b"), ParsedValue::Boolean(true));
    }

    // ---- §3 timestamps -------------------------------------------------------

    #[test]
    fn timestamps() {
        assert_eq!(one("m f=1").timestamp, None);
        assert_eq!(one("m f=1 0").timestamp, Some(0));
        assert_eq!(one("m f=1 -1").timestamp, Some(-1));
        assert_eq!(one("m f=1 01").timestamp, Some(1));
        assert_eq!(
            one("m f=1 9223372036854775806").timestamp,
            Some(9_223_372_036_854_775_806)
        );
        assert_eq!(
            one("m f=1 -9223372036854775806").timestamp,
            Some(-9_223_372_036_854_775_806)
        );
        for ts in [
            "9223372036854775807",
            "-9223372036854775807",
            "-9223372036854775808",
        ] {
            rejects(&format!("m f=1 {ts}"), "time outside range");
        }
        rejects("m f=1 9223372036854775808", "out of range");
        rejects("m f=1 99999999999999999999", "out of range");
        for ts in ["1.5", "1e9", "+1", "--1", "0x1", "1-", "a"] {
            rejects(&format!("m f=1 {ts}"), "bad timestamp");
        }
        rejects("m f=1 -", "ParseInt");
    }
}
