//! Quoting for InfluxQL text, exactly as InfluxQL reads it: for what bound parameters cannot
//! carry, such as identifiers.

/// Quotes an identifier (database, retention policy, measurement, tag or field key) in double
/// quotes, so that any text names exactly itself: `\` → `\\`, `"` → `\"`, line feed → `\n`.
///
/// A carriage return has no escape in InfluxQL, and InfluxDB 1.6 reads a raw one as a line
/// feed even inside quotes (checked against the server), so a query naming an identifier that
/// holds one fails to parse, with [`ErrorKind::QueryFailed`](crate::ErrorKind::QueryFailed).
/// Such a name can be written, and read back through `SHOW MEASUREMENTS` or `SELECT *`.
///
/// ```
/// use inflow::query::quote_identifier;
///
/// assert_eq!(quote_identifier("cpu"), r#""cpu""#);
/// assert_eq!(quote_identifier("a \"b\"\\c"), r#""a \"b\"\\c""#);
/// assert_eq!(quote_identifier("m,x.y"), r#""m,x.y""#);
/// ```
#[must_use]
pub fn quote_identifier(identifier: &str) -> String {
    quote(identifier, '"')
}

/// Quotes a string literal in single quotes, so that any text compares as exactly itself:
/// `\` → `\\`, `'` → `\'`, line feed → `\n`. (Double quotes would make it an identifier: a
/// comparison with `"x"` silently matches nothing.)
///
/// A carriage return cannot be written in InfluxQL text at all (see [`quote_identifier`]):
/// bind a value that may hold one as a parameter instead ([`Query::bind`](super::Query::bind)),
/// which compares it exactly.
///
/// ```
/// use inflow::query::quote_string;
///
/// assert_eq!(quote_string("it's"), r"'it\'s'");
/// assert_eq!(quote_string("a\\b\nc"), r"'a\\b\nc'");
/// ```
#[must_use]
pub fn quote_string(text: &str) -> String {
    quote(text, '\'')
}

/// A qualified measurement, `"database"."retention policy"."measurement"`, each part quoted;
/// without a retention policy, `"database".."measurement"` (the database's default one).
///
/// ```
/// use inflow::query::qualified_measurement;
///
/// assert_eq!(qualified_measurement("db", Some("rp"), "cpu"), r#""db"."rp"."cpu""#);
/// assert_eq!(qualified_measurement("db", None, "cpu"), r#""db".."cpu""#);
/// ```
#[must_use]
pub fn qualified_measurement(
    database: &str,
    retention_policy: Option<&str>,
    measurement: &str,
) -> String {
    format!(
        "{}.{}.{}",
        quote_identifier(database),
        retention_policy.map(quote_identifier).unwrap_or_default(),
        quote_identifier(measurement)
    )
}

fn quote(text: &str, delimiter: char) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push(delimiter);
    for c in text.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            c if c == delimiter => {
                quoted.push('\\');
                quoted.push(c);
            }
            c => quoted.push(c),
        }
    }
    quoted.push(delimiter);
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_backslash_delimiter_and_line_feed_are_escaped() {
        assert_eq!(quote_identifier("€😀\t$x;--"), "\"€😀\t$x;--\"");
        assert_eq!(quote_identifier("a'b"), "\"a'b\"");
        assert_eq!(quote_string("a\"b"), "'a\"b'");
        assert_eq!(quote_string(r"a\'b"), r"'a\\\'b'");
        assert_eq!(quote_string(""), "''");
    }
}
