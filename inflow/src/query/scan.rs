//! A scan of InfluxQL text for what decides the HTTP method: the leading keyword of each
//! statement and whether a `SELECT` writes (`INTO`). String literals, quoted identifiers,
//! regex literals and comments are skipped, so a keyword inside them never counts.

/// Whether every statement only reads: `SELECT` without `INTO`, or `SHOW`. Such a query may
/// go as a `GET`; anything else must be a `POST` (1.x executes a write sent by `GET`, with only
/// a warning in its answer).
pub(crate) fn is_read_only(query: &str) -> bool {
    let mut statements = 0;
    let mut read_only = true;
    for statement in statements_of(query) {
        statements += 1;
        let reads = match statement.first() {
            Some(first) if first.eq_ignore_ascii_case("SHOW") => true,
            Some(first) if first.eq_ignore_ascii_case("SELECT") => !statement
                .iter()
                .any(|word| word.eq_ignore_ascii_case("INTO")),
            _ => false,
        };
        read_only &= reads;
    }
    statements > 0 && read_only
}

/// The bare words (keywords and unquoted identifiers) of each non-empty statement.
fn statements_of(query: &str) -> Vec<Vec<&str>> {
    let bytes = query.as_bytes();
    let mut statements = Vec::new();
    let mut words = Vec::new();
    let mut i = 0;
    // Whether the previous token lets a `/` start a regex literal (after `=~` or `!~`).
    let mut regex_may_follow = false;
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b';' => {
                if !words.is_empty() {
                    statements.push(std::mem::take(&mut words));
                }
                i += 1;
                regex_may_follow = false;
            }
            b'\'' | b'"' => {
                i = skip_delimited(bytes, i, byte);
                regex_may_follow = false;
            }
            b'/' if regex_may_follow => {
                i = skip_delimited(bytes, i, b'/');
                regex_may_follow = false;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |end| i + end + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = query[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |end| i + 2 + end + 2);
            }
            b'=' | b'!' if bytes.get(i + 1) == Some(&b'~') => {
                i += 2;
                regex_may_follow = true;
            }
            _ if byte.is_ascii_alphabetic() || byte == b'_' => {
                let end = bytes[i..]
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
                    .map_or(bytes.len(), |len| i + len);
                words.push(&query[i..end]);
                i = end;
                regex_may_follow = false;
            }
            _ if byte.is_ascii_whitespace() => i += 1,
            _ => {
                i += 1;
                regex_may_follow = false;
            }
        }
    }
    if !words.is_empty() {
        statements.push(words);
    }
    statements
}

/// The index just past a literal that starts at `start` with `delimiter` and ends at the next
/// unescaped one (a backslash escapes the byte after it), or the end of the text.
fn skip_delimited(bytes: &[u8], start: usize, delimiter: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == delimiter => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::is_read_only;

    #[test]
    fn reads_go_as_get() {
        for query in [
            "SELECT * FROM cpu",
            "select * from cpu",
            "  SHOW MEASUREMENTS",
            "SELECT * FROM cpu; SHOW DATABASES;",
            "SELECT * FROM \"into\" WHERE t = 'INTO'",
            "SELECT * FROM cpu WHERE host =~ /into;drop/",
            "-- DROP DATABASE x\nSELECT 1",
            "/* CREATE DATABASE x; */ SHOW DATABASES",
            "SELECT \"a\\\"INTO\" FROM m",
            "SELECT * FROM m WHERE s = 'it\\'s; DROP DATABASE d'",
            "SELECT mean(value) FROM m GROUP BY time(1h) fill(none);;",
        ] {
            assert!(is_read_only(query), "{query}");
        }
    }

    #[test]
    fn everything_else_goes_as_post() {
        for query in [
            "CREATE DATABASE x",
            "DROP SERIES FROM cpu",
            "DELETE FROM cpu",
            "SELECT * INTO copy FROM cpu",
            "select mean(v) into \"db\".\"rp\".\"m\" from m group by time(1h)",
            "SHOW DATABASES; DROP DATABASE x",
            "SELECT * FROM cpu WHERE a = 1 / 2; DROP DATABASE x",
            "GRANT ALL TO admin",
            "",
            "-- only a comment",
            ";;",
        ] {
            assert!(!is_read_only(query), "{query}");
        }
    }
}
