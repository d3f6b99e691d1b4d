//! A hand-written reader of the JSON InfluxDB answers queries with: objects, arrays, and rows
//! of numbers, strings, `true`, `false` and `null`, read in place. Strings are borrowed from
//! the text unless they hold an escape; numbers are typed as serde_json types them (an
//! integer stays exact, `Unsigned` only above `i64::MAX`).
//!
//! It reads what the server sends, and refuses ([`Invalid`]) anything else it is not sure to
//! read exactly as serde_json would: the caller then reads the same text the owned way (with
//! serde_json), so what is accepted, and every error text, stays serde_json's.

use std::borrow::Cow;

use super::Cell;

/// The text is not JSON this reader takes.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Invalid;

pub(super) type Scan<T> = Result<T, Invalid>;

/// A position in one JSON text.
pub(super) struct Reader<'de> {
    text: &'de str,
    at: usize,
}

impl<'de> Reader<'de> {
    /// A reader at the start of `text`.
    pub(super) fn new(text: &'de str) -> Self {
        Reader { text, at: 0 }
    }

    /// Reads an object whose members `member` reads, given each key (unescaped). Keys may
    /// repeat: the caller decides.
    pub(super) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'de, str>) -> Scan<()>,
    ) -> Scan<()> {
        self.delimited(b'{', b'}', |json| {
            json.expect(b'"')?;
            let key = json.text_in_quotes()?;
            json.skip_whitespace();
            json.expect(b':')?;
            member(json, key)
        })
    }

    /// Reads an array whose elements `element` reads.
    pub(super) fn array(&mut self, element: impl FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.delimited(b'[', b']', element)
    }

    /// Reads `open`, items separated by commas, each read by `item` from its first
    /// non-whitespace byte, and `close`.
    fn delimited(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Scan<()>,
    ) -> Scan<()> {
        self.skip_whitespace();
        self.expect(open)?;
        self.skip_whitespace();
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        loop {
            item(self)?;
            self.skip_whitespace();
            match self.bump()? {
                b',' => self.skip_whitespace(),
                byte if byte == close => return Ok(()),
                _ => return Err(Invalid),
            }
        }
    }

    /// Reads one row, an array of scalars, into `cells` (not cleared), unescaping strings with
    /// escapes into `escaped` (not cleared).
    pub(super) fn row(&mut self, cells: &mut Vec<Cell<'de>>, escaped: &mut String) -> Scan<()> {
        // The hot loop of a query's decoding: the position is kept in a local, and only the
        // rare cases (an escape, whitespace between values) go through `self`.
        let (text, bytes) = (self.text, self.bytes());
        let mut at = skip_whitespace_at(bytes, self.at);
        if bytes.get(at) != Some(&b'[') {
            return Err(Invalid);
        }
        at = skip_whitespace_at(bytes, at + 1);
        if bytes.get(at) == Some(&b']') {
            self.at = at + 1;
            return Ok(());
        }
        loop {
            let end = match bytes.get(at) {
                Some(b'"') => {
                    let stop = plain_run_at(bytes, at + 1)?;
                    if bytes[stop] == b'"' {
                        cells.push(Cell::Str(text.get(at + 1..stop).ok_or(Invalid)?));
                        stop + 1
                    } else {
                        self.at = at + 1;
                        let cell = self.string(escaped)?;
                        cells.push(cell);
                        self.at
                    }
                }
                Some(b'-' | b'0'..=b'9') => {
                    let (cell, end) = number_at(text, at)?;
                    cells.push(cell);
                    end
                }
                Some(b't') if bytes[at..].starts_with(b"true") => {
                    cells.push(Cell::Boolean(true));
                    at + 4
                }
                Some(b'f') if bytes[at..].starts_with(b"false") => {
                    cells.push(Cell::Boolean(false));
                    at + 5
                }
                Some(b'n') if bytes[at..].starts_with(b"null") => {
                    cells.push(Cell::Null);
                    at + 4
                }
                _ => return Err(Invalid),
            };
            // The server puts no whitespace between values.
            at = match bytes.get(end) {
                Some(b',' | b']') => end,
                _ => skip_whitespace_at(bytes, end),
            };
            match bytes.get(at) {
                Some(b',') => at = skip_whitespace_at(bytes, at + 1),
                Some(b']') => {
                    self.at = at + 1;
                    return Ok(());
                }
                _ => return Err(Invalid),
            }
        }
    }

    /// A string, unescaped: borrowed from the text unless it holds an escape.
    pub(super) fn text(&mut self) -> Scan<Cow<'de, str>> {
        self.skip_whitespace();
        self.expect(b'"')?;
        self.text_in_quotes()
    }

    /// `true` or `false`.
    pub(super) fn boolean(&mut self) -> Scan<bool> {
        self.skip_whitespace();
        for (word, value) in [(&b"true"[..], true), (b"false", false)] {
            if self.rest().starts_with(word) {
                self.at += word.len();
                return Ok(value);
            }
        }
        Err(Invalid)
    }

    /// An integer from 0 to `u64::MAX`.
    pub(super) fn unsigned(&mut self) -> Scan<u64> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'0'..=b'9') => {}
            _ => return Err(Invalid),
        }
        match self.number()? {
            Cell::Integer(value) => u64::try_from(value).map_err(|_| Invalid),
            Cell::Unsigned(value) => Ok(value),
            _ => Err(Invalid),
        }
    }

    /// Only whitespace may follow.
    pub(super) fn end(&mut self) -> Scan<()> {
        self.skip_whitespace();
        if self.at == self.text.len() {
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    /// A string whose opening quote was read, as text of its own.
    fn text_in_quotes(&mut self) -> Scan<Cow<'de, str>> {
        let mut escaped = String::new();
        Ok(match self.string(&mut escaped)? {
            Cell::Str(text) => Cow::Borrowed(text),
            _ => Cow::Owned(escaped),
        })
    }

    /// A string whose opening quote was read: borrowed when it holds no escape, else
    /// unescaped at the end of `escaped`.
    #[inline]
    fn string(&mut self, escaped: &mut String) -> Scan<Cell<'de>> {
        let start = self.at;
        let stop = self.plain_run()?;
        if self.bytes()[stop] == b'"' {
            self.at = stop + 1;
            return Ok(Cell::Str(&self.text[start..stop]));
        }
        let first = escaped.len();
        let mut stop = stop;
        loop {
            escaped.push_str(&self.text[self.at..stop]);
            self.at = stop + 1;
            if self.bytes()[stop] == b'"' {
                return Ok(Cell::Escaped {
                    start: first,
                    end: escaped.len(),
                });
            }
            self.escape(escaped)?;
            stop = self.plain_run()?;
        }
    }

    /// Where the run of plain characters from here ends: at a quote or a backslash. A control
    /// character, which JSON does not allow unescaped in a string, or the end of the text is
    /// invalid.
    fn plain_run(&self) -> Scan<usize> {
        plain_run_at(self.bytes(), self.at)
    }

    /// One escape whose backslash was read.
    fn escape(&mut self, escaped: &mut String) -> Scan<()> {
        let unescaped = match self.bump()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        if !self.rest().starts_with(b"\\u") {
                            return Err(Invalid);
                        }
                        self.at += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(Invalid);
                        }
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(Invalid),
                    unit => u32::from(unit),
                };
                char::from_u32(code).ok_or(Invalid)?
            }
            _ => return Err(Invalid),
        };
        escaped.push(unescaped);
        Ok(())
    }

    fn hex4(&mut self) -> Scan<u16> {
        let digits = self.rest().get(..4).ok_or(Invalid)?;
        let mut unit = 0_u16;
        for &digit in digits {
            let value = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return Err(Invalid),
            };
            unit = unit << 4 | u16::from(value);
        }
        self.at += 4;
        Ok(unit)
    }

    /// A JSON number, typed as serde_json types it: without `.`, `e` or `E` an integer (`i64`
    /// if it fits, else `u64` if it fits, else `f64`; `-0` is `-0.0`), otherwise `f64`,
    /// correctly rounded.
    fn number(&mut self) -> Scan<Cell<'de>> {
        let (cell, end) = number_at(self.text, self.at)?;
        self.at = end;
        Ok(cell)
    }

    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    fn rest(&self) -> &'de [u8] {
        &self.bytes()[self.at..]
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    fn bump(&mut self) -> Scan<u8> {
        let byte = self.peek().ok_or(Invalid)?;
        self.at += 1;
        Ok(byte)
    }

    fn expect(&mut self, byte: u8) -> Scan<()> {
        if self.bump()? == byte {
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    fn skip_whitespace(&mut self) {
        self.at = skip_whitespace_at(self.bytes(), self.at);
    }
}

/// A word whose lowest set bit is the high bit of the first byte of `word` (little-endian) that
/// ends a run of plain characters in a string; 0 when none does. (A byte's flag is exact up to
/// the first flagged byte; later ones may be flagged falsely by a borrow, and are not looked
/// at.)
fn stops_a_string(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    zero_byte(word ^ (ONES * u64::from(b'"')))
        | zero_byte(word ^ (ONES * u64::from(b'\\')))
        | control
}

/// The bytes that end a run of plain characters in a string: a quote, a backslash, or a
/// control character (which JSON does not allow unescaped).
static STOPS_A_STRING: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

#[inline(always)]
fn number_at(text: &str, start: usize) -> Scan<(Cell<'_>, usize)> {
    let bytes = text.as_bytes();
    let negative = bytes.get(start) == Some(&b'-');
    let integer = start + usize::from(negative);
    // The digits as an integer; wraps past 19 digits, where `long_integer` takes over.
    let mut digits = 0_u64;
    let at = match bytes.get(integer) {
        Some(b'0') => integer + 1,
        Some(b'1'..=b'9') => fold_digits_at(bytes, integer, &mut digits),
        _ => return Err(Invalid),
    };
    match bytes.get(at) {
        Some(b'.' | b'e' | b'E') => decimal(text, start, at, digits),
        _ if at - integer <= 19 => Ok((integer_cell(negative, digits), at)),
        _ => long_integer(text, start, at),
    }
}

/// The rest of a number whose integer digits, from `start` (its sign) to `at`, are `digits`
/// (wrapped past 19 digits): a fraction, an exponent or both.
fn decimal(text: &str, start: usize, mut at: usize, mut digits: u64) -> Scan<(Cell<'_>, usize)> {
    let bytes = text.as_bytes();
    let negative = bytes[start] == b'-';
    let integer_digits = at - start - usize::from(negative);
    let mut fraction_digits = 0;
    if bytes.get(at) == Some(&b'.') {
        let first = at + 1;
        at = fold_digits_at(bytes, first, &mut digits);
        fraction_digits = at - first;
        if fraction_digits == 0 {
            return Err(Invalid);
        }
    }
    if let Some(b'e' | b'E') = bytes.get(at) {
        return exponent(text, start, at);
    }
    if integer_digits + fraction_digits <= 15 {
        // Both the digits as an integer (below 2^53) and the power of ten are exact in
        // `f64`, so one correctly rounded division gives the correctly rounded value.
        let value = digits as f64 / POWERS_OF_TEN[fraction_digits];
        return Ok((Cell::Float(if negative { -value } else { value }), at));
    }
    Ok((Cell::Float(parse_float(&text[start..at])?), at))
}

/// A number from `start` whose exponent starts at `at` (its `e` or `E`).
#[cold]
fn exponent(text: &str, start: usize, mut at: usize) -> Scan<(Cell<'_>, usize)> {
    let bytes = text.as_bytes();
    at += 1;
    if let Some(b'+' | b'-') = bytes.get(at) {
        at += 1;
    }
    let first = at;
    at = fold_digits_at(bytes, first, &mut 0);
    if at == first {
        return Err(Invalid);
    }
    Ok((Cell::Float(parse_float(&text[start..at])?), at))
}

/// An integer of more than 19 digits, from `start` to `at`: `u64` if it fits, else the
/// nearest `f64`.
#[cold]
fn long_integer(text: &str, start: usize, at: usize) -> Scan<(Cell<'_>, usize)> {
    let negative = text.as_bytes()[start] == b'-';
    let integer = start + usize::from(negative);
    let cell = match checked_value(&text.as_bytes()[integer..at]) {
        Some(magnitude) => integer_cell(negative, magnitude),
        None => Cell::Float(parse_float(&text[start..at])?),
    };
    Ok((cell, at))
}

/// Where the run of plain characters of a string from `at` ends: at a quote or a backslash.
/// A control character, which JSON does not allow unescaped in a string, or the end of the
/// text is invalid.
#[inline(always)]
fn plain_run_at(bytes: &[u8], mut at: usize) -> Scan<usize> {
    // Strings in answers are short (tags, field values, times): eight bytes at a time, then
    // byte by byte, beats setting up a vectorised search.
    while let Some(eight) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes([
            eight[0], eight[1], eight[2], eight[3], eight[4], eight[5], eight[6], eight[7],
        ]);
        let found = stops_a_string(word);
        if found != 0 {
            at += (found.trailing_zeros() / 8) as usize;
            return checked_stop(bytes, at);
        }
        at += 8;
    }
    at += (bytes[at..].iter())
        .position(|&byte| STOPS_A_STRING[usize::from(byte)])
        .ok_or(Invalid)?;
    checked_stop(bytes, at)
}

/// `stop`, where a run of plain characters stops, unless it is at a control character.
fn checked_stop(bytes: &[u8], stop: usize) -> Scan<usize> {
    if bytes[stop] < 0x20 {
        return Err(Invalid);
    }
    Ok(stop)
}

/// Where the whitespace from `at` ends.
#[inline]
fn skip_whitespace_at(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(at) {
        at += 1;
    }
    at
}

/// 10^0 to 10^15, each exact in `f64`.
const POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// Folds the digits of `bytes` from `at` into `value` (wrapping), and returns where they end.
/// (Byte by byte: numbers in answers are short, or 19 digits for a time, where reading eight
/// digits at a time measured no faster.)
#[inline]
fn fold_digits_at(bytes: &[u8], mut at: usize, value: &mut u64) -> usize {
    while let Some(&byte) = bytes.get(at) {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        *value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
        at += 1;
    }
    at
}

/// The value of a run of digits, if it fits in `u64`.
fn checked_value(digits: &[u8]) -> Option<u64> {
    (digits.iter()).try_fold(0_u64, |value, digit| {
        value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    })
}

/// An integer's cell: `i64` if it fits, else `u64` if positive; a negative one below
/// `i64::MIN` rounded to the nearest `f64`, and `-0` as `-0.0`, as serde_json reads them.
fn integer_cell<'de>(negative: bool, magnitude: u64) -> Cell<'de> {
    if !negative {
        i64::try_from(magnitude).map_or(Cell::Unsigned(magnitude), Cell::Integer)
    } else if magnitude == 0 {
        Cell::Float(-0.0)
    } else if magnitude <= 1 << 63 {
        Cell::Integer((magnitude as i64).wrapping_neg())
    } else {
        Cell::Float(-(magnitude as f64))
    }
}

/// A number's text as the correctly rounded `f64`; out of its range is invalid (serde_json
/// refuses it).
fn parse_float(text: &str) -> Scan<f64> {
    let value: f64 = text.parse().map_err(|_| Invalid)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Invalid)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::tests::json_cell;
    use super::*;

    /// A cell with its text resolved, to compare.
    #[derive(Debug, PartialEq)]
    enum Read {
        Null,
        Float(u64),
        Integer(i64),
        Unsigned(u64),
        Boolean(bool),
        Str(String, bool),
    }

    fn resolve(cells: &[Cell<'_>], escaped: &str) -> Vec<Read> {
        (cells.iter())
            .map(|cell| match *cell {
                Cell::Null => Read::Null,
                Cell::Float(f) => Read::Float(f.to_bits()),
                Cell::Integer(i) => Read::Integer(i),
                Cell::Unsigned(u) => Read::Unsigned(u),
                Cell::Boolean(b) => Read::Boolean(b),
                Cell::Str(text) => Read::Str(text.to_owned(), true),
                Cell::Escaped { start, end } => Read::Str(escaped[start..end].to_owned(), false),
            })
            .collect()
    }

    /// Every row of `values`, an array of rows, as the reader reads it.
    fn scan(values: &str) -> Scan<Vec<Vec<Read>>> {
        let mut json = Reader::new(values);
        let (mut cells, mut escaped) = (Vec::new(), String::new());
        let mut rows = Vec::new();
        json.array(|json| {
            cells.clear();
            escaped.clear();
            json.row(&mut cells, &mut escaped)?;
            rows.push(resolve(&cells, &escaped));
            Ok(())
        })?;
        json.end()?;
        Ok(rows)
    }

    /// One row as serde_json reads it, typed as the reader types it: an integer that fits
    /// `i64` is `Integer`, above it `Unsigned`; a string is compared by text (its `borrowed`
    /// flag is the reader's, which a test of its own checks).
    fn serde_row(row: &str) -> Option<Vec<Read>> {
        let serde_json::Value::Array(values) = serde_json::from_str(row).ok()? else {
            return None;
        };
        (values.into_iter())
            .map(|value| {
                Some(match value {
                    serde_json::Value::Null => Read::Null,
                    serde_json::Value::Bool(b) => Read::Boolean(b),
                    serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                        (Some(i), _) => Read::Integer(i),
                        (None, Some(u)) => Read::Unsigned(u),
                        (None, None) => Read::Float(n.as_f64()?.to_bits()),
                    },
                    serde_json::Value::String(text) => Read::Str(text, true),
                    _ => return None,
                })
            })
            .collect()
    }

    /// The row with every string's `borrowed` flag set, as `serde_row` sets it.
    fn texts(row: Option<Vec<Read>>) -> Option<Vec<Read>> {
        let texts = (row?.into_iter()).map(|read| match read {
            Read::Str(text, _) => Read::Str(text, true),
            other => other,
        });
        Some(texts.collect())
    }

    fn scan_row(row: &str) -> Option<Vec<Read>> {
        let mut rows = scan(&format!("[{row}]")).ok()?;
        (rows.len() == 1).then(|| rows.remove(0))
    }

    fn text(text: &str, borrowed: bool) -> Read {
        Read::Str(text.to_owned(), borrowed)
    }

    #[test]
    fn every_escape_is_unescaped_and_plain_strings_are_borrowed() {
        let row = r#"["plain","a\"b","\\","\/","\b\f\n\r\t","\u00e9\u00E9","\ud83d\ude00x","",""]"#;
        assert_eq!(
            scan_row(row).unwrap(),
            [
                text("plain", true),
                text("a\"b", false),
                text("\\", false),
                text("/", false),
                text("\u{8}\u{c}\n\r\t", false),
                text("éé", false),
                text("😀x", false),
                text("", true),
                text("", true),
            ]
        );
        assert_eq!(texts(scan_row(row)), serde_row(row));
    }

    #[test]
    fn bad_escapes_lone_surrogates_and_control_characters_are_invalid() {
        for row in [
            r#"["\x"]"#,
            r#"["\u00g0"]"#,
            r#"["\u00"]"#,
            r#"["\ud83d"]"#,
            r#"["\ud83dx"]"#,
            r#"["\ud83d\u0041"]"#,
            r#"["\ude00"]"#,
            "[\"a\u{1}b\"]",
            "[\"a\nb\"]",
            "[\"a\\\n\"]",
            r#"["a"#,
            r#"["\"#,
        ] {
            assert_eq!(scan_row(row), None, "{row}");
            assert_eq!(serde_row(row), None, "{row}");
        }
    }

    #[test]
    fn numbers_are_typed_as_serde_json_types_them() {
        let row = "[0,-0,-0.0,0.0,1,-1,9223372036854775807,9223372036854775808,\
                   -9223372036854775808,-9223372036854775809,18446744073709551615,\
                   18446744073709551616,123456789012345678901234567890,1.5,15.375,-2.5e-7,\
                   1E3,1e+3,1e-3,0.1,0.30000000000000004,123456789012345.6,1234567890123456.7,\
                   9007199254740993,9007199254740993.0,1e-400,-1e-400,0e999999999999,\
                   2.2250738585072011e-308,1.7976931348623157e308]";
        assert_eq!(texts(scan_row(row)), serde_row(row));
        let read = scan_row(row).unwrap();
        assert_eq!(read[1], Read::Float((-0.0_f64).to_bits()));
        assert_eq!(read[2], Read::Float((-0.0_f64).to_bits()));
        assert_eq!(read[7], Read::Unsigned(1 << 63));
        assert_eq!(read[8], Read::Integer(i64::MIN));
        assert_eq!(read[10], Read::Unsigned(u64::MAX));
        assert_eq!(read[11], Read::Float(18446744073709551616_f64.to_bits()));
    }

    #[test]
    fn what_json_refuses_as_a_number_is_invalid() {
        for number in [
            "01",
            "-01",
            "00",
            "+1",
            ".5",
            "1.",
            "-",
            "-.5",
            "1.e5",
            "1e",
            "1e+",
            "1E-",
            "--1",
            "1e400",
            "-1e400",
            "0x1",
            "1_0",
            "NaN",
            "Infinity",
            "-Infinity",
            "1.5.2",
            "tru",
            "nul",
            "falsey",
            "trux",
            "fals!",
            "nulx",
            "tRue",
            "{}",
            "[]",
            "[1]",
            "'a'",
        ] {
            let row = format!("[{number}]");
            assert_eq!(scan_row(&row), None, "{row}");
            assert_eq!(serde_row(&row), None, "{row}");
        }
    }

    #[test]
    fn whitespace_is_taken_wherever_json_allows_it() {
        let values = " \t\r\n[ \n[ 1 ,\t\"a\" ,\rtrue , null\n] ,\n[ ] , [false] \r\n] \n";
        assert_eq!(
            scan(values).unwrap(),
            [
                vec![
                    Read::Integer(1),
                    text("a", true),
                    Read::Boolean(true),
                    Read::Null
                ],
                vec![],
                vec![Read::Boolean(false)],
            ]
        );
        assert_eq!(scan(" [ ] ").unwrap(), Vec::<Vec<Read>>::new());
        for values in [
            "[] x",
            "[[1]]]",
            "[[1],]",
            "[,[1]]",
            "[[1,]]",
            "[[,1]]",
            "[[1] [2]]",
        ] {
            assert!(scan(values).is_err(), "{values}");
        }
    }

    #[test]
    fn every_cut_of_the_text_is_invalid_never_a_panic() {
        let values = r#"[[1700000000000000000,-0,"gr\u00f6ningen \ud83d\ude00\"",true,false,null,15.375,-2.5e-7],[ 1 , "a" ]]"#;
        assert!(scan(values).is_ok());
        for end in 0..values.len() {
            if let Some(cut) = values.get(..end) {
                assert_eq!(scan(cut).err(), Some(Invalid), "{cut}");
            }
        }
    }

    fn cell() -> impl Strategy<Value = String> {
        let escape = prop::sample::select(vec![
            r#"\""#,
            r"\\",
            r"\/",
            r"\b",
            r"\f",
            r"\n",
            r"\r",
            r"\t",
            r"\u00e9",
            r"\u20AC",
            r"\ud83d\ude00",
            r"\ud83d",
            r"\ude00",
            r"\x",
            "a",
            "é",
            " ",
            "\u{1}",
        ]);
        let number = (
            prop::sample::select(vec!["", "-", "+"]),
            prop::sample::select(vec!["0", "1", "00", "01", "9", "123456789012345678901234"]),
            prop::sample::select(vec!["", ".", ".0", ".5", ".125", ".30000000000000004"]),
            prop::sample::select(vec!["", "e", "e5", "E+2", "e-7", "e400", "e-400", "e0"]),
        )
            .prop_map(|(sign, integer, fraction, exponent)| {
                format!("{sign}{integer}{fraction}{exponent}")
            });
        prop_oneof![
            json_cell(),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| format!("{f:e}")),
            any::<u64>().prop_map(|n| format!("{}.{}", n >> 20, n & 0xfffff)),
            number,
            prop::collection::vec(escape, 0..4).prop_map(|atoms| format!("\"{}\"", atoms.concat())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn eight_bytes_at_a_time_stop_where_the_table_stops(
            bytes in prop::array::uniform8(prop_oneof![
                any::<u8>(),
                prop::sample::select(vec![b'"', b'\\', 0x1f, 0x20, 0x00, 0x7f, 0x80, 0xff, b'a']),
            ]),
        ) {
            let word = u64::from_le_bytes(bytes);
            let first = bytes.iter().position(|&byte| STOPS_A_STRING[usize::from(byte)]);
            let flagged = stops_a_string(word);
            prop_assert_eq!(
                (flagged != 0).then(|| (flagged.trailing_zeros() / 8) as usize),
                first,
                "{:?}",
                bytes
            );
        }

        #[test]
        fn random_rows_read_as_serde_json_reads_them(
            cells in prop::collection::vec(cell(), 0..6),
            spaces in prop::collection::vec(prop::sample::select(vec!["", "", " ", "\n\t\r "]), 14),
        ) {
            let mut row = format!("{}[", spaces[0]);
            for (index, cell) in cells.iter().enumerate() {
                if index > 0 {
                    row.push(',');
                }
                row.push_str(spaces[2 * index + 1]);
                row.push_str(cell);
                row.push_str(spaces[2 * index + 2]);
            }
            row.push(']');
            row.push_str(spaces[13]);
            prop_assert_eq!(texts(scan_row(&row)), serde_row(&row), "{}", row);
        }
    }
}
