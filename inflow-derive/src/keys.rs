//! Line-protocol rules for the names the derive knows at compile time: the measurement name and
//! the tag and field keys. Checked here so that a mistake is a compile error at the user's
//! token, and escaped here so that the generated code writes byte-string literals.
//!
//! The same rules hold at run time in `inflow::line_protocol`; the tests of the `tests` package
//! check both against an independent parser.

/// Why a name cannot be written, as the end of a sentence about it.
pub(crate) type Problem = &'static str;

const LINE_FEED: Problem = "contains a line feed, which line protocol cannot escape";
const LEADING_BLANK: Problem = "starts with a tab or NUL, which the server strips";
const TRAILING_BACKSLASH: Problem = "ends with a backslash, which line protocol cannot represent";

/// Escapes a measurement name: only `,` and space.
pub(crate) fn measurement(name: &str) -> Result<Vec<u8>, Problem> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.starts_with('#') {
        return Err("starts with `#`, which makes the line a comment");
    }
    if name.starts_with(['\t', '\0']) {
        return Err(LEADING_BLANK);
    }
    if name.contains('\n') {
        return Err(LINE_FEED);
    }
    if name.ends_with('\\') {
        return Err(TRAILING_BACKSLASH);
    }
    let bytes = name.as_bytes();
    if bytes
        .windows(2)
        .any(|pair| pair[0] == b'\\' && matches!(pair[1], b',' | b' ' | b'=' | b'"'))
    {
        return Err(
            "has a backslash right before `,`, space, `=` or `\"`, which InfluxDB 1.x stores unreadably",
        );
    }
    Ok(escape(bytes, b", "))
}

/// Escapes a tag key: `,`, `=` and space.
pub(crate) fn tag_key(key: &str) -> Result<Vec<u8>, Problem> {
    common_key_rules(key)?;
    Ok(escape(key.as_bytes(), b",= "))
}

/// Escapes a field key: `,`, `=`, space and `"`.
pub(crate) fn field_key(key: &str) -> Result<Vec<u8>, Problem> {
    common_key_rules(key)?;
    if key.starts_with(['\t', '\0']) {
        return Err(LEADING_BLANK);
    }
    let bytes = key.as_bytes();
    let mut run = 0;
    for &byte in bytes {
        if matches!(byte, b',' | b'=' | b' ') && run % 2 == 1 {
            return Err(
                "has an odd run of backslashes right before `,`, `=` or space, which line protocol cannot represent",
            );
        }
        run = if byte == b'\\' { run + 1 } else { 0 };
    }
    Ok(escape(bytes, b",= \""))
}

fn common_key_rules(key: &str) -> Result<(), Problem> {
    if key.is_empty() {
        return Err("is empty");
    }
    if key == "time" {
        return Err("is `time`, which InfluxDB reserves for the timestamp");
    }
    if key.contains('\n') {
        return Err(LINE_FEED);
    }
    if key.ends_with('\\') {
        return Err(TRAILING_BACKSLASH);
    }
    Ok(())
}

fn escape(bytes: &[u8], special: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    for &byte in bytes {
        if special.contains(&byte) {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out
}

/// The default measurement name of a struct: its name in snake case (`CpuLoad` → `cpu_load`,
/// `HTTPRequest` → `http_request`).
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let previous = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let starts_word = match previous {
                None | Some('_') => false,
                Some(p) => {
                    p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
                }
            };
            if starts_word {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        assert_eq!(snake_case("Reading"), "reading");
        assert_eq!(snake_case("CpuLoad"), "cpu_load");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("Sensor2Reading"), "sensor2_reading");
        assert_eq!(snake_case("already_snake"), "already_snake");
        assert_eq!(snake_case("ÄrgerMeter"), "ärger_meter");
    }

    #[test]
    fn escapes_per_element() {
        assert_eq!(measurement("a b,c=d\"e").unwrap(), b"a\\ b\\,c=d\"e");
        assert_eq!(tag_key("a b,c=d\"e").unwrap(), b"a\\ b\\,c\\=d\"e");
        assert_eq!(field_key("a b,c=d\"e").unwrap(), b"a\\ b\\,c\\=d\\\"e");
    }

    #[test]
    fn rejections() {
        assert!(measurement("").is_err());
        assert!(measurement("#x").is_err());
        assert!(measurement("a\\,b").is_err());
        assert!(measurement("a\\").is_err());
        assert!(tag_key("time").is_err());
        assert!(tag_key("a\nb").is_err());
        assert!(field_key("a\\=b").is_err());
        assert!(field_key("a\\\\=b").is_ok());
    }
}
