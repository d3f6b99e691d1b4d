//! Per-element escaping and the rules of what each element cannot hold, as InfluxDB 1.x reads
//! line protocol: a measurement escapes `,` and space; tag keys, tag values and field keys
//! escape `,`, `=` and space (field keys also `"`); a string value escapes `"` and `\`. Outside
//! string values the server keeps every other backslash as it is (`\\` stays two bytes), so a
//! trailing backslash, which would escape the separator after it, cannot be written, and there
//! is no escape for a line feed.
//!
//! Each writer appends the escaped text to the buffer or returns why it cannot; on an error
//! the buffer may hold a partial element, and the caller truncates the whole line.

use super::error::EncodeErrorKind as Kind;

/// Byte classes, looked up once per byte on the hot path.
const PLAIN: u8 = 0;
/// `,` and space: escaped everywhere outside string values.
const SEPARATOR: u8 = 1;
/// `=`: escaped in tags and field keys, written raw in measurement names.
const EQUALS: u8 = 2;
const LINE_FEED: u8 = 3;
const BACKSLASH: u8 = 4;
const QUOTE: u8 = 5;

const CLASS: [u8; 256] = {
    let mut class = [PLAIN; 256];
    class[b',' as usize] = SEPARATOR;
    class[b' ' as usize] = SEPARATOR;
    class[b'=' as usize] = EQUALS;
    class[b'\n' as usize] = LINE_FEED;
    class[b'\\' as usize] = BACKSLASH;
    class[b'"' as usize] = QUOTE;
    class
};

/// Writes a measurement name: only `,` and space are escaped. (The server also accepts `\=`
/// and `\"` in a name, but files such a point under a second spelling of the series key: once
/// the plain spelling exists, points written with the escaped one read back as nothing.)
pub(crate) fn write_measurement(buf: &mut Vec<u8>, name: &str) -> Result<(), Kind> {
    let bytes = name.as_bytes();
    match bytes.first() {
        None => return Err(Kind::Empty),
        Some(b'#') => return Err(Kind::LeadingHash),
        Some(b'\t' | b'\0') => return Err(Kind::LeadingWhitespace),
        Some(_) => {}
    }
    let mut copied = 0;
    let mut after_backslash = false;
    for (i, &byte) in bytes.iter().enumerate() {
        let class = CLASS[usize::from(byte)];
        if class == PLAIN {
            after_backslash = false;
            continue;
        }
        if after_backslash && class != LINE_FEED && class != BACKSLASH {
            return Err(Kind::BackslashBeforeSpecial);
        }
        match class {
            SEPARATOR => {
                buf.extend_from_slice(&bytes[copied..i]);
                buf.push(b'\\');
                copied = i;
            }
            LINE_FEED => return Err(Kind::LineFeed),
            _ => {}
        }
        after_backslash = class == BACKSLASH;
    }
    if after_backslash {
        return Err(Kind::TrailingBackslash);
    }
    buf.extend_from_slice(&bytes[copied..]);
    Ok(())
}

/// Writes a tag key or a non-empty tag value: `,`, `=` and space are escaped; `"` and `\` are
/// written raw. Returns whether the text holds a backslash (see the batch hazard).
#[inline]
pub(crate) fn write_tag_text(buf: &mut Vec<u8>, text: &str) -> Result<bool, Kind> {
    let bytes = text.as_bytes();
    // Most tag texts hold nothing special: one pass to tell, one copy.
    if !has_tag_special(bytes) {
        buf.extend_from_slice(bytes);
        return Ok(false);
    }
    write_special_tag_text(buf, bytes)
}

/// Whether `bytes` holds a byte of [`TAG_SPECIAL`]: eight bytes at a time from 8 bytes on (the
/// last word overlapping the one before), one at a time below.
#[inline(always)]
fn has_tag_special(bytes: &[u8]) -> bool {
    if bytes.len() < WORD {
        return bytes.iter().any(|&byte| TAG_SPECIAL[usize::from(byte)]);
    }
    let (words, _) = bytes.as_chunks::<WORD>();
    let last = bytes.last_chunk::<WORD>().unwrap_or(&[0; WORD]);
    words
        .iter()
        .chain([last])
        .any(|word| word_has_tag_special(u64::from_ne_bytes(*word)))
}

const WORD: usize = 8;

/// Whether one of the eight bytes of `word` is `,`, space, `=`, `\` or a line feed: for each,
/// the classic test for a zero byte of `word ^ (byte × 8)`, which has no false positive
/// for the word as a whole.
#[inline(always)]
fn word_has_tag_special(word: u64) -> bool {
    const fn splat(byte: u8) -> u64 {
        u64::from_ne_bytes([byte; WORD])
    }
    #[inline(always)]
    fn zero_byte(word: u64, byte: u8) -> u64 {
        let x = word ^ splat(byte);
        x.wrapping_sub(splat(0x01)) & !x & splat(0x80)
    }
    (zero_byte(word, b',')
        | zero_byte(word, b' ')
        | zero_byte(word, b'=')
        | zero_byte(word, b'\\')
        | zero_byte(word, b'\n'))
        != 0
}

/// Bytes that make a tag text take the slow path: what is escaped, refused or tracked.
const TAG_SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        special[byte] = CLASS[byte] != PLAIN && CLASS[byte] != QUOTE;
        byte += 1;
    }
    special
};

fn write_special_tag_text(buf: &mut Vec<u8>, bytes: &[u8]) -> Result<bool, Kind> {
    if bytes.last() == Some(&b'\\') {
        return Err(Kind::TrailingBackslash);
    }
    let mut copied = 0;
    let mut backslash = false;
    for (i, &byte) in bytes.iter().enumerate() {
        match CLASS[usize::from(byte)] {
            PLAIN | QUOTE => {}
            SEPARATOR | EQUALS => {
                buf.extend_from_slice(&bytes[copied..i]);
                buf.push(b'\\');
                copied = i;
            }
            LINE_FEED => return Err(Kind::LineFeed),
            _ => backslash = true,
        }
    }
    buf.extend_from_slice(&bytes[copied..]);
    Ok(backslash)
}

/// Checks a tag key written at run time (static keys are checked when the derive expands).
pub(crate) fn check_tag_key(key: &str) -> Result<(), Kind> {
    match key {
        "" => Err(Kind::Empty),
        "time" => Err(Kind::ReservedKey),
        _ => Ok(()),
    }
}

/// Writes a field key: `,`, `=`, space and `"` are escaped (the Go client's style; `"` must be
/// escaped so that InfluxDB's line splitter never sees an unbalanced quote). A leading tab or
/// NUL is refused: the server skips them before the first field.
pub(crate) fn write_field_key(buf: &mut Vec<u8>, key: &str) -> Result<(), Kind> {
    match key.as_bytes() {
        [] => return Err(Kind::Empty),
        b"time" => return Err(Kind::ReservedKey),
        [b'\t' | b'\0', ..] => return Err(Kind::LeadingWhitespace),
        _ => {}
    }
    let bytes = key.as_bytes();
    let mut copied = 0;
    let mut backslash_run = 0_usize;
    for (i, &byte) in bytes.iter().enumerate() {
        let class = CLASS[usize::from(byte)];
        match class {
            PLAIN => {}
            SEPARATOR | EQUALS | QUOTE => {
                if class != QUOTE && backslash_run % 2 == 1 {
                    return Err(Kind::OddBackslashRun);
                }
                buf.extend_from_slice(&bytes[copied..i]);
                buf.push(b'\\');
                copied = i;
            }
            LINE_FEED => return Err(Kind::LineFeed),
            _ => {}
        }
        backslash_run = if class == BACKSLASH {
            backslash_run + 1
        } else {
            0
        };
    }
    if backslash_run > 0 {
        return Err(Kind::TrailingBackslash);
    }
    buf.extend_from_slice(&bytes[copied..]);
    Ok(())
}

/// Writes a string field value in double quotes, escaping only `"` and `\`. Any other byte,
/// line feeds included, is written raw: the server's line splitter does not end a line inside
/// a quoted string, and keeps every such byte as it is.
#[inline]
pub(crate) fn write_string_value(buf: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    buf.reserve(bytes.len() + 2);
    buf.push(b'"');
    let mut copied = 0;
    for i in memchr::memchr2_iter(b'"', b'\\', bytes) {
        buf.extend_from_slice(&bytes[copied..i]);
        buf.push(b'\\');
        copied = i;
    }
    buf.extend_from_slice(&bytes[copied..]);
    buf.push(b'"');
}

/// Where InfluxDB 1.x's line splitter (`scanLine`) ends the line that starts at `start`: the
/// index of its line feed, or the end of `buf`.
///
/// The splitter skips every backslash with the byte after it (when two more bytes follow) and
/// starts counting quotes at the first space it does not skip, while the tag scanner only looks
/// one byte back. A tag holding a backslash before an escaped space (`a\\ b`) makes the two
/// disagree; a later `"` then opens a "string" that swallows the next line of a batch (the
/// server answers `point is invalid` for both lines, while the first alone is accepted).
pub(crate) fn line_end(buf: &[u8], start: usize) -> usize {
    let mut quoted = false;
    let mut in_fields = false;
    let mut equals = 0_usize;
    let mut commas = 0_usize;
    let mut i = start;
    while i < buf.len() {
        let byte = buf[i];
        if byte == b'\\' && i + 2 < buf.len() {
            i += 2;
            continue;
        }
        if byte == b' ' {
            in_fields = true;
        }
        if in_fields {
            if !quoted && byte == b'=' {
                equals += 1;
            } else if !quoted && byte == b',' {
                commas += 1;
            } else if byte == b'"' && equals > commas {
                quoted = !quoted;
            }
        }
        if byte == b'\n' && !quoted {
            return i;
        }
        i += 1;
    }
    buf.len()
}

/// Where the series key (measurement and tags) of the line `buf[start..end]` ends: at its
/// first space that no backslash escapes, read as [`line_end`] reads it.
pub(crate) fn series_key_end(buf: &[u8], start: usize, end: usize) -> usize {
    let mut i = start;
    while i < end {
        match buf[i] {
            b'\\' => i += 2,
            b' ' => return i,
            _ => i += 1,
        }
    }
    end
}

/// Whether the splitter ends `line` (which ends with its line feed) at that line feed, when
/// more lines follow it in a batch.
pub(crate) fn splitter_ends_line_here(line: &[u8]) -> bool {
    debug_assert_eq!(line.last(), Some(&b'\n'));
    // Only a backslash right before the line feed is read differently at the end of `line`
    // than with a next line after it: followed by two more bytes, it would skip the line feed.
    let Some(last) = line.len().checked_sub(2) else {
        return line_end(line, 0) == 0;
    };
    line[last] != b'\\' && line_end(line, 0) == last + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement(name: &str) -> Result<String, Kind> {
        let mut buf = Vec::new();
        write_measurement(&mut buf, name).map(|()| String::from_utf8(buf).unwrap())
    }

    fn tag(text: &str) -> Result<String, Kind> {
        let mut buf = Vec::new();
        write_tag_text(&mut buf, text).map(|_| String::from_utf8(buf).unwrap())
    }

    fn field_key(key: &str) -> Result<String, Kind> {
        let mut buf = Vec::new();
        write_field_key(&mut buf, key).map(|()| String::from_utf8(buf).unwrap())
    }

    fn string_value(value: &str) -> String {
        let mut buf = Vec::new();
        write_string_value(&mut buf, value);
        String::from_utf8(buf).unwrap()
    }

    /// The word-at-a-time scan finds exactly the bytes of the table: every byte value at every
    /// position of texts up to 17 bytes long, among neighbours that differ from it by one bit
    /// or by a borrow (so that a carry between bytes would show).
    #[test]
    fn the_word_scan_finds_exactly_the_special_bytes() {
        let table = |bytes: &[u8]| bytes.iter().any(|&b| TAG_SPECIAL[usize::from(b)]);
        for len in 1..=17 {
            for position in 0..len {
                for byte in 0..=u8::MAX {
                    for filler in [
                        b'a',
                        0x00,
                        0xff,
                        byte ^ 1,
                        byte.wrapping_add(1),
                        byte.wrapping_sub(1),
                    ] {
                        if TAG_SPECIAL[usize::from(filler)] {
                            continue;
                        }
                        let mut text = vec![filler; len];
                        text[position] = byte;
                        assert_eq!(has_tag_special(&text), table(&text), "{text:?}");
                    }
                }
            }
        }
        assert!(!has_tag_special(b""));
    }

    #[test]
    fn measurement_escapes_only_comma_and_space() {
        assert_eq!(measurement("m,x").unwrap(), r"m\,x");
        assert_eq!(measurement("m x").unwrap(), r"m\ x");
        assert_eq!(measurement(" m").unwrap(), r"\ m");
        assert_eq!(measurement(",m").unwrap(), r"\,m");
        assert_eq!(measurement("m=x").unwrap(), "m=x");
        assert_eq!(measurement("m\"x").unwrap(), "m\"x");
        assert_eq!(measurement(r"m\x").unwrap(), r"m\x");
        assert_eq!(measurement(r"m\\x").unwrap(), r"m\\x");
        assert_eq!(measurement(r"a\b,c").unwrap(), r"a\b\,c");
        assert_eq!(measurement("m\tx\ry").unwrap(), "m\tx\ry");
        assert_eq!(measurement("€😀").unwrap(), "€😀");
        assert_eq!(measurement("time").unwrap(), "time");
        assert_eq!(measurement("m#").unwrap(), "m#");
    }

    #[test]
    fn measurement_rejections() {
        assert_eq!(measurement(""), Err(Kind::Empty));
        assert_eq!(measurement("#m"), Err(Kind::LeadingHash));
        assert_eq!(measurement("\tm"), Err(Kind::LeadingWhitespace));
        assert_eq!(measurement("\0m"), Err(Kind::LeadingWhitespace));
        assert_eq!(measurement("a\nb"), Err(Kind::LineFeed));
        assert_eq!(measurement("m\\"), Err(Kind::TrailingBackslash));
        assert_eq!(measurement(r"m\\"), Err(Kind::TrailingBackslash));
        for special in [",", " ", "=", "\""] {
            let name = format!("a\\{special}b");
            assert_eq!(
                measurement(&name),
                Err(Kind::BackslashBeforeSpecial),
                "{name:?}"
            );
            let name = format!("a\\\\{special}b");
            assert_eq!(
                measurement(&name),
                Err(Kind::BackslashBeforeSpecial),
                "{name:?}"
            );
        }
    }

    #[test]
    fn tags_escape_comma_equals_space_and_nothing_else() {
        assert_eq!(tag("a,b").unwrap(), r"a\,b");
        assert_eq!(tag("a b").unwrap(), r"a\ b");
        assert_eq!(tag("a=b").unwrap(), r"a\=b");
        assert_eq!(tag("t=k=x").unwrap(), r"t\=k\=x");
        assert_eq!(tag("a\"b").unwrap(), "a\"b");
        assert_eq!(tag(r"a\b").unwrap(), r"a\b");
        assert_eq!(tag(r"a\\b").unwrap(), r"a\\b");
        // Backslash runs before an escaped special round-trip: the server undoes only the
        // escape right before the special, so `a\\\,b` reads back as `a\\,b`.
        assert_eq!(tag(r"a\,b").unwrap(), r"a\\,b");
        assert_eq!(tag(r"a\\,b").unwrap(), r"a\\\,b");
        assert_eq!(tag(r"a\ b").unwrap(), r"a\\ b");
        assert_eq!(tag("#x\t\r€").unwrap(), "#x\t\r€");
    }

    #[test]
    fn tag_rejections_and_backslash_report() {
        assert_eq!(tag("a\nb"), Err(Kind::LineFeed));
        assert_eq!(tag("a\\"), Err(Kind::TrailingBackslash));
        assert_eq!(tag(r"a\\"), Err(Kind::TrailingBackslash));
        assert_eq!(write_tag_text(&mut Vec::new(), "plain"), Ok(false));
        assert_eq!(write_tag_text(&mut Vec::new(), r"a\b"), Ok(true));
        assert_eq!(check_tag_key(""), Err(Kind::Empty));
        assert_eq!(check_tag_key("time"), Err(Kind::ReservedKey));
        assert_eq!(check_tag_key("Time"), Ok(()));
    }

    #[test]
    fn field_keys_escape_comma_equals_space_and_quote() {
        assert_eq!(field_key("f,k").unwrap(), r"f\,k");
        assert_eq!(field_key("f k").unwrap(), r"f\ k");
        assert_eq!(field_key("f=k").unwrap(), r"f\=k");
        assert_eq!(field_key("f\"k").unwrap(), r#"f\"k"#);
        assert_eq!(field_key(r#"f\"k"#).unwrap(), r#"f\\"k"#);
        assert_eq!(field_key(r"f\k").unwrap(), r"f\k");
        assert_eq!(field_key(r"f\\k").unwrap(), r"f\\k");
        // An even run before a special works: the server reads `f\\\=k` as the key `f\\=k`.
        assert_eq!(field_key(r"f\\=k").unwrap(), r"f\\\=k");
    }

    #[test]
    fn field_key_rejections() {
        assert_eq!(field_key(""), Err(Kind::Empty));
        assert_eq!(field_key("time"), Err(Kind::ReservedKey));
        assert_eq!(field_key("a\nb"), Err(Kind::LineFeed));
        assert_eq!(field_key("\tf"), Err(Kind::LeadingWhitespace));
        assert_eq!(field_key("\0f"), Err(Kind::LeadingWhitespace));
        assert_eq!(field_key("f\t\0").unwrap(), "f\t\0");
        assert_eq!(field_key("f\\"), Err(Kind::TrailingBackslash));
        assert_eq!(field_key(r"f\\"), Err(Kind::TrailingBackslash));
        for special in [",", "=", " "] {
            let key = format!("f\\{special}k");
            assert_eq!(field_key(&key), Err(Kind::OddBackslashRun), "{key:?}");
            let key = format!("f\\\\\\{special}k");
            assert_eq!(field_key(&key), Err(Kind::OddBackslashRun), "{key:?}");
        }
    }

    #[test]
    fn string_values_escape_quote_and_backslash_only() {
        assert_eq!(string_value(""), r#""""#);
        assert_eq!(string_value("a\"b"), r#""a\"b""#);
        assert_eq!(string_value(r"a\b"), r#""a\\b""#);
        assert_eq!(string_value("a\\"), r#""a\\""#);
        assert_eq!(string_value("x\ny\r\t\0,= "), "\"x\ny\r\t\0,= \"");
        assert_eq!(string_value(r"a\nb"), r#""a\\nb""#);
    }

    #[test]
    fn line_ends_follow_the_server_splitter() {
        let body = b"m s=\"a\nb\" 1\nm f=1 2\n";
        assert_eq!(line_end(body, 0), 11);
        assert_eq!(line_end(body, 12), 19);
        assert_eq!(line_end(b"m f=1 2", 0), 7);
    }

    #[test]
    fn splitter_model_matches_the_recorded_hazard() {
        let ends_here = |line: &[u8]| splitter_ends_line_here(&[line, b"\n"].concat());
        // Recorded on InfluxDB 1.6: `m,k\\ x=a"b f=1 1` glues the next line onto itself;
        // without the quote it does not.
        assert!(!ends_here(br#"m,k\\ x=a"b f=1 1"#));
        assert!(ends_here(br"m,k\\ x=ab f=1 1"));
        assert!(ends_here(br#"m,k=a"b f=1 1"#));
        assert!(ends_here(br#"m,k\\\ x=a"b f=1 1"#));
        assert!(ends_here(b"m s=\"x\ny\",t=\"p q\" 1"));
        assert!(ends_here(br#"m,k\\ x=ab s="q",t="\"" 1"#));
        // A backslash before the line feed would take it, and the next line, with it.
        assert!(!ends_here(br"m f=1 1\"));
    }
}
