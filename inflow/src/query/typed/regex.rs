//! Regex literals for InfluxQL: a pattern written so that the server's scanner hands exactly
//! that pattern to its regex engine.
//!
//! Between `/…/` the scanner knows one escape, `\/`, and passes every other backslash on with
//! the byte after it; a raw line feed ends the statement. A pattern is therefore rewritten
//! with the regex engine's own escapes wherever the scanner would read it otherwise: a `/` as
//! `\x2f`, an escaped backslash `\\` as `\x5c` (so that no backslash ever stands before a `/`
//! the scanner would take as the end), line feed and carriage return as `\n` and `\r`, and the
//! text of a `\Q…\E` quote escaped character by character. Each rewrite matches what the
//! original pattern matched.

/// The `/…/` literal for `pattern`.
///
/// # Errors
///
/// When the pattern ends with a lone backslash, which no regex allows.
pub(crate) fn regex_literal(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 2);
    out.push('/');
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                None => return Err("the pattern ends with a lone backslash".to_owned()),
                Some('Q') => {
                    // A quote: literal text up to `\E` or the end.
                    let rest = chars.as_str();
                    let (quoted, after) = match rest.find("\\E") {
                        Some(end) => (&rest[..end], &rest[end + 2..]),
                        None => (rest, ""),
                    };
                    quoted.chars().for_each(|c| push_literal(&mut out, c));
                    chars = after.chars();
                }
                Some('\\') => out.push_str(r"\x5c"),
                Some('/') => out.push_str(r"\x2f"),
                Some('\n') => out.push_str(r"\x0a"),
                Some('\r') => out.push_str(r"\x0d"),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
            },
            '/' => out.push_str(r"\x2f"),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            c => out.push(c),
        }
    }
    out.push('/');
    Ok(out)
}

/// Appends `c` so that it matches itself, outside or inside a character class.
fn push_literal(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str(r"\x5c"),
        '/' => out.push_str(r"\x2f"),
        '\n' => out.push_str(r"\n"),
        '\r' => out.push_str(r"\r"),
        c if c.is_ascii_punctuation() => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

/// A regex that matches exactly `text` wherever it occurs (add `^` and `$` to match the
/// whole value): every ASCII punctuation character escaped, the rest as it is.
///
/// ```
/// use inflow::query::regex_escape;
///
/// assert_eq!(regex_escape("a.b/c"), r"a\.b\/c");
/// assert_eq!(format!("^{}$", regex_escape("1+1=2")), r"^1\+1\=2$");
/// ```
#[must_use]
pub fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What InfluxQL's scanner hands the regex engine for a literal: `\/` becomes `/`, any
    /// other backslash passes with the character after it read again; the literal ends at
    /// the first `/` not so escaped.
    fn scanned(literal: &str) -> Option<String> {
        let body = literal.strip_prefix('/')?;
        let mut out = String::new();
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '/' => return chars.next().is_none().then_some(out),
                '\n' => return None,
                '\\' if chars.peek() == Some(&'/') => {
                    chars.next();
                    out.push('/');
                }
                c => out.push(c),
            }
        }
        None
    }

    #[test]
    fn the_scanner_hands_on_a_pattern_that_matches_what_the_original_matched() {
        let cases = [
            ("^a$", "/^a$/"),
            ("a/b", r"/a\x2fb/"),
            (r"a\/b", r"/a\x2fb/"),
            (r"a\\", r"/a\x5c/"),
            (r"a\\/", r"/a\x5c\x2f/"),
            ("a\nb\r", r"/a\nb\r/"),
            (r"\d+\.\w", r"/\d+\.\w/"),
            (r"\Qa/b.c\E+", r"/a\x2fb\.c+/"),
            (r"\Qa\b", r"/a\x5cb/"),
            ("é😀[/]", r"/é😀[\x2f]/"),
        ];
        for (pattern, literal) in cases {
            let written = regex_literal(pattern).unwrap();
            assert_eq!(written, literal, "for {pattern:?}");
            assert!(
                scanned(&written).is_some(),
                "{written:?} scans as one literal"
            );
            assert!(!written[1..written.len() - 1].contains('/'), "{written}");
        }
    }

    #[test]
    fn a_lone_trailing_backslash_is_refused() {
        assert_eq!(
            regex_literal(r"ab\"),
            Err("the pattern ends with a lone backslash".to_owned())
        );
        assert!(regex_literal(r"ab\\").is_ok());
    }

    #[test]
    fn escaped_text_matches_itself_under_the_rust_regex_engine_too() {
        for text in ["a.b", "$x;", "(a|b)*", "é/ü\\", "[^]{}", "-- '\""] {
            let pattern = format!("^{}$", regex_escape(text));
            let regex = regex::Regex::new(&pattern).unwrap();
            assert!(regex.is_match(text), "{pattern}");
            assert!(!regex.is_match(&format!("{text}x")), "{pattern}");
        }
    }
}
