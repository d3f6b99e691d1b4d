//! The InfluxDB 1.x dialect of the HTTP API, in one place: the URL of a write and its
//! parameters, and what the server's answers mean (status and body to a typed result). The
//! 1.x-compatible APIs of 2.x and 3.x speak it too, with the differences noted where they
//! matter; another dialect would be a sibling of this file. I/O-free.

use reqwest::Url;

use crate::config::{Target, WriteOptions};
use crate::query::Query;
use crate::{Error, ErrorKind, Precision, Result};

/// The `/write` URL of `target`'s database with `options`: `db`, and `rp`, `precision` and
/// `consistency` when they differ from the server's defaults.
pub(crate) fn write_url(target: &Target, options: &WriteOptions) -> Url {
    let mut url = target.endpoint("write");
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("db", &target.database);
        if let Some(rp) = &options.retention_policy {
            query.append_pair("rp", rp);
        }
        // Nanoseconds are what every server assumes without the parameter; leaving it out
        // also avoids the spellings on which 1.x and 2.x disagree (`u` and `us`).
        if options.precision != Precision::Nanoseconds {
            query.append_pair("precision", options.precision.as_str());
        }
        if let Some(consistency) = options.consistency {
            query.append_pair("consistency", consistency.as_str());
        }
    }
    url
}

/// The server's message from an error body: `{"error": "…"}` (1.x, 3.x), `{"message": "…"}`
/// (2.x), or the body as text; trimmed, never empty.
pub(crate) fn server_message(status: u16, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error: Option<String>,
        message: Option<String>,
    }
    let from_json = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .and_then(|parsed| parsed.error.or(parsed.message));
    let message = from_json.unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned());
    if message.is_empty() {
        reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|code| code.canonical_reason())
            .unwrap_or("no message")
            .to_owned()
    } else {
        message
    }
}

/// The parameters of a `/query` of `query` in `database`, asking for a chunked answer:
/// `q`, `db`, and `rp`, `epoch` (1.x reads `u` for microseconds; `us` would silently be
/// nanoseconds), `params` (bound parameters as JSON) and `chunk_size` when given.
pub(crate) fn query_pairs(query: &Query, database: &str) -> Vec<(&'static str, String)> {
    let mut pairs = vec![("q", query.text().to_owned()), ("db", database.to_owned())];
    if let Some(rp) = &query.retention_policy {
        pairs.push(("rp", rp.clone()));
    }
    if let Some(epoch) = query.epoch {
        pairs.push(("epoch", epoch.as_str().to_owned()));
    }
    if let Some(params) = query.params_json() {
        pairs.push(("params", params));
    }
    // Exactly `true`: the server reads `chunked=1` as not chunked.
    pairs.push(("chunked", "true".to_owned()));
    if let Some(rows) = query.chunk_size {
        pairs.push(("chunk_size", rows.to_string()));
    }
    pairs
}

/// How much of an unexpected answer's body an error quotes.
const QUOTED_BODY: usize = 200;

/// The outcome of a `/write`: success is 204 only, what 1.x and the 1.x-compatible APIs of 2.x
/// and 3.x answer; every failure a typed error with the server's message verbatim. Any other
/// success (a login page of a proxy, a `202`) leaves unknown whether the points were stored.
pub(crate) fn write_outcome(status: u16, body: &[u8]) -> Result<()> {
    if status == 204 {
        return Ok(());
    }
    if (100..300).contains(&status) {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        let start: String = text.chars().take(QUOTED_BODY).collect();
        let more = if start.len() < text.len() { "…" } else { "" };
        return Err(Error::new(
            ErrorKind::UnexpectedResponse,
            format!(
                "a write was answered with HTTP {status} instead of 204 No Content, so whether the points were stored is unknown (they are kept); the answer began: {start:?}{more}"
            ),
        )
        .with_status(status));
    }
    let message = server_message(status, body);
    let kind = match status {
        400 if message.starts_with("partial write") => ErrorKind::PartialWrite,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        429 => ErrorKind::Throttled,
        404 if message.contains("database not found") || message.contains("dbrp mapping") => {
            ErrorKind::DatabaseNotFound
        }
        // 1.x answers an unknown retention policy with a 500 that no retry can fix.
        500 if message.starts_with("retention policy not found") => {
            ErrorKind::RetentionPolicyNotFound
        }
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::WriteFailed,
    };
    let dropped = (kind == ErrorKind::PartialWrite)
        .then(|| dropped_count(&message))
        .flatten();
    let error = Error::new(kind, message)
        .with_status(status)
        .with_dropped(dropped);
    // 429 and 503 say that the server did not take the request.
    if matches!(status, 429 | 503) {
        Err(error.unsent())
    } else {
        Err(error)
    }
}

/// A redirect, which is never followed: an error that names where it pointed, without any
/// credentials or query (which may hold them).
pub(crate) fn redirect_error(status: u16, location: Option<&str>, from: &Url) -> Error {
    let target = location.map(|location| {
        from.join(location).ok().map(|mut url| {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        })
    });
    let message = match &target {
        Some(Some(location)) => format!(
            "the server redirected the request to {location} (HTTP {status}); redirects are not followed: give the client the URL of the server itself"
        ),
        Some(None) => format!(
            "the server redirected the request to an unreadable location (HTTP {status}); redirects are not followed"
        ),
        None => format!("the server answered with a redirect (HTTP {status}) without a location"),
    };
    let error = Error::new(ErrorKind::UnexpectedResponse, message).with_status(status);
    match target.flatten() {
        Some(location) => error.with_location(location),
        None => error,
    }
}

/// The `N` of a message ending in ` dropped=N`.
fn dropped_count(message: &str) -> Option<u64> {
    let (_, count) = message.trim_end().rsplit_once(" dropped=")?;
    count.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Consistency;

    #[test]
    fn write_urls_carry_only_what_differs_from_the_defaults() {
        let target = Target::parse("http://localhost:8086/my db").unwrap();
        let mut options = WriteOptions {
            precision: Precision::Nanoseconds,
            retention_policy: None,
            consistency: None,
        };
        assert_eq!(
            write_url(&target, &options).as_str(),
            "http://localhost:8086/write?db=my+db"
        );
        options.precision = Precision::Seconds;
        options.retention_policy = Some("four weeks&x".to_owned());
        options.consistency = Some(Consistency::Quorum);
        assert_eq!(
            write_url(&target, &options).as_str(),
            "http://localhost:8086/write?db=my+db&rp=four+weeks%26x&precision=s&consistency=quorum"
        );
    }

    // Bodies as recorded from a live 1.6.7 server.
    #[test]
    fn write_statuses_map_to_kinds_with_the_message_verbatim() {
        assert!(write_outcome(204, b"").is_ok());
        let cases: [(u16, &str, ErrorKind, &str); 8] = [
            (
                400,
                r#"{"error":"partial write: field type conflict: input field \"f\" on measurement \"m\" is type string, already exists as type float dropped=3"}"#,
                ErrorKind::PartialWrite,
                r#"partial write: field type conflict: input field "f" on measurement "m" is type string, already exists as type float dropped=3"#,
            ),
            (
                400,
                r#"{"error":"unable to parse 'm f= 1': missing field value"}"#,
                ErrorKind::WriteFailed,
                "unable to parse 'm f= 1': missing field value",
            ),
            (
                404,
                r#"{"error":"database not found: \"nope\""}"#,
                ErrorKind::DatabaseNotFound,
                r#"database not found: "nope""#,
            ),
            (
                500,
                r#"{"error":"retention policy not found: nope"}"#,
                ErrorKind::RetentionPolicyNotFound,
                "retention policy not found: nope",
            ),
            (
                401,
                r#"{"error":"authorization failed"}"#,
                ErrorKind::Unauthorized,
                "authorization failed",
            ),
            (
                403,
                r#"{"error":"\"ro\" user is not authorized to write to database \"adb\""}"#,
                ErrorKind::Forbidden,
                r#""ro" user is not authorized to write to database "adb""#,
            ),
            (503, "", ErrorKind::Server, "Service Unavailable"),
            (
                404,
                r#"{"code":"not found","message":"no dbrp mapping found"}"#,
                ErrorKind::DatabaseNotFound,
                "no dbrp mapping found",
            ),
        ];
        for (status, body, kind, message) in cases {
            let err = write_outcome(status, body.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), kind, "{body}");
            assert_eq!(err.message(), message);
            assert_eq!(err.status(), Some(status));
        }
    }

    #[test]
    fn partial_writes_carry_the_dropped_count() {
        let body = br#"{"error":"partial write: points beyond retention policy dropped=1"}"#;
        assert_eq!(write_outcome(400, body).unwrap_err().dropped(), Some(1));
        let body = br#"{"error":"partial write: unable to parse 'bad line': invalid field format\nunable to parse 'm f=x 2': invalid boolean dropped=0"}"#;
        let err = write_outcome(400, body).unwrap_err();
        assert_eq!(err.dropped(), Some(0));
        assert_eq!(
            err.partial_write_reasons(),
            [
                "unable to parse 'bad line': invalid field format",
                "unable to parse 'm f=x 2': invalid boolean"
            ]
        );
    }

    #[test]
    fn plain_text_and_empty_bodies_still_give_a_message() {
        assert_eq!(
            server_message(404, b"404 page not found\n"),
            "404 page not found"
        );
        assert_eq!(server_message(413, b""), "Payload Too Large");
        let err = write_outcome(404, b"404 page not found\n").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WriteFailed);
    }

    #[test]
    fn a_write_is_stored_on_204_only() {
        for status in [200, 201, 202, 203, 205, 206, 101] {
            let err = write_outcome(status, b"<html>please log in</html>").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{status}");
            assert_eq!(err.status(), Some(status));
            assert!(err.message().contains("please log in"), "{err}");
            assert!(!err.is_transient());
        }
        let long = "é".repeat(300);
        let err = write_outcome(200, long.as_bytes()).unwrap_err();
        assert!(
            err.message().contains(&format!("{:?}…", "é".repeat(200))),
            "{err}"
        );
        let short = write_outcome(200, "é".repeat(200).as_bytes()).unwrap_err();
        assert!(!short.message().contains('…'), "{short}");
    }

    #[test]
    fn throttling_and_server_failures_have_kinds_of_their_own() {
        let err = write_outcome(429, br#"{"error":"slow down"}"#).unwrap_err();
        assert_eq!(
            (err.kind(), err.message()),
            (ErrorKind::Throttled, "slow down")
        );
        assert!(err.is_transient());
        let err = write_outcome(503, b"request throttled, queue full").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
    }

    #[test]
    fn only_answers_that_say_so_mark_a_request_as_not_taken() {
        for status in [429, 503] {
            assert!(
                write_outcome(status, b"").unwrap_err().was_unsent(),
                "{status}"
            );
        }
        for status in [400, 404, 413, 500, 502, 504] {
            assert!(
                !write_outcome(status, b"").unwrap_err().was_unsent(),
                "{status}"
            );
        }
    }

    #[test]
    fn a_redirect_names_where_it_points_without_credentials() {
        let from = Url::parse("http://db.example:8086/write?db=x").unwrap();
        let err = redirect_error(
            302,
            Some("https://user:s3cret@elsewhere:9/write?db=x&p=s3cret#frag"),
            &from,
        );
        assert_eq!(
            (err.kind(), err.status()),
            (ErrorKind::UnexpectedResponse, Some(302))
        );
        assert_eq!(err.location(), Some("https://elsewhere:9/write"));
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(shown.contains("https://elsewhere:9/write"), "{shown}");
            assert!(
                !shown.contains("s3cret") && !shown.contains("user"),
                "{shown}"
            );
        }
        let relative = redirect_error(307, Some("/login"), &from);
        assert_eq!(relative.location(), Some("http://db.example:8086/login"));
        let missing = redirect_error(301, None, &from);
        assert!(
            missing.message().contains("without a location"),
            "{missing}"
        );
        assert_eq!(missing.location(), None);
        let unreadable = redirect_error(301, Some("http://[::"), &from);
        assert_eq!(unreadable.location(), None);
        assert!(
            unreadable.message().contains("an unreadable location"),
            "{unreadable}"
        );
    }
}
