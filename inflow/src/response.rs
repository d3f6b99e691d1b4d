//! What the server's answers mean: status and body to a typed result. I/O-free.

use crate::{Error, ErrorKind, Result};

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

/// The outcome of a `/write`: success is 204 (or any 2xx), every failure a typed error with the
/// server's message verbatim.
pub(crate) fn write_outcome(status: u16, body: &[u8]) -> Result<()> {
    if (200..300).contains(&status) {
        return Ok(());
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
    Err(Error::new(kind, message)
        .with_status(status)
        .with_dropped(dropped))
}

/// The `N` of a message ending in ` dropped=N`.
fn dropped_count(message: &str) -> Option<u64> {
    let (_, count) = message.trim_end().rsplit_once(" dropped=")?;
    count.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Bodies as recorded from a live 1.6.7 server (facts §4.2).
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
}
