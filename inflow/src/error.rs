//! The one error type of the client: what went wrong, with the server's own words.

use std::fmt;
use std::time::Duration;

use crate::delivery::CommitReport;
use crate::line_protocol::EncodeError;

/// A `Result` whose error is [`inflow::Error`](Error).
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A point cannot be represented in line protocol; nothing was sent, and nothing already
    /// buffered was touched. [`Error::encode_error`] says which element and why.
    InvalidPoint,
    /// The client's configuration is invalid (a malformed URL, an unsupported scheme, no
    /// database, an unusable option).
    InvalidConfig,
    /// The database does not exist (HTTP 404 on a write).
    DatabaseNotFound,
    /// The retention policy does not exist (InfluxDB 1.x answers HTTP 500).
    RetentionPolicyNotFound,
    /// The credentials are missing or wrong (HTTP 401).
    Unauthorized,
    /// The user may not do this (HTTP 403).
    Forbidden,
    /// Some points were written and some were refused (HTTP 400 whose message starts with
    /// `partial write:`). The written points stay written; [`Error::dropped`] counts the
    /// refused ones as the server reports them.
    PartialWrite,
    /// The server refused the write as a whole (another HTTP 4xx, e.g. no line could be
    /// parsed, or the body is too large).
    WriteFailed,
    /// A query failed: the server refused it (a parse error, HTTP 400) or one of its statements
    /// failed (in an HTTP 200 answer; the message names the statement).
    QueryFailed,
    /// A query is invalid before it is sent (a parameter that cannot be bound, an empty query).
    InvalidQuery,
    /// A row could not be decoded into the requested type; the message names the column, the
    /// row and the expected type.
    Decode,
    /// The server failed (HTTP 5xx); the request may succeed later.
    Server,
    /// The server asked the client to slow down (HTTP 429); the request may succeed later.
    Throttled,
    /// A session's buffer is full (its point or byte limit): commit before writing more. The
    /// point was not buffered.
    BufferFull,
    /// The request did not complete within the configured timeout.
    Timeout,
    /// The request could not be sent or its answer not read (connection refused or reset,
    /// DNS); it may succeed later.
    Transport,
    /// The answer is not one the request can have: a write answered with a success other than
    /// `204 No Content`, a redirect (never followed; the message names its `Location`), or a
    /// body that is not what the endpoint sends. Whether the server acted on the request is
    /// unknown: a write's points are kept (sending them again stores no second copy).
    UnexpectedResponse,
    /// A query's answer ended before it was complete: a chunked answer whose last chunk says
    /// that more follows. No row of an incomplete answer is returned as if it were all.
    Truncated,
    /// The writer was closed: it takes no more points, and has no flush to do.
    Closed,
    /// The writer's spool (the `spool` feature) could not read or write one of its files; the
    /// message names the file. A write that met it did not take its points.
    Spool,
    /// The writer's spool directory is in use by another writer (of this process or another):
    /// a spool directory serves one writer at a time.
    SpoolLocked,
    /// A session set to check its type's schema before its first commit
    /// ([`Session::verify_schema`](crate::Session::verify_schema)) found that the server's
    /// schema conflicts with it: the message is the [`SchemaReport`](crate::SchemaReport), one
    /// line each. Nothing was sent; the points stay buffered, and the next commit checks again.
    SchemaConflict,
    /// The server's TLS certificate is not trusted (see
    /// [`ClientBuilder::add_root_certificate_pem`](crate::ClientBuilder::add_root_certificate_pem)).
    Tls,
}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            ErrorKind::InvalidPoint => "invalid point",
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::DatabaseNotFound => "database not found",
            ErrorKind::RetentionPolicyNotFound => "retention policy not found",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::PartialWrite => "partial write",
            ErrorKind::WriteFailed => "write failed",
            ErrorKind::QueryFailed => "query failed",
            ErrorKind::InvalidQuery => "invalid query",
            ErrorKind::Decode => "cannot decode",
            ErrorKind::Server => "server error",
            ErrorKind::Throttled => "throttled",
            ErrorKind::BufferFull => "buffer full",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Transport => "transport error",
            ErrorKind::UnexpectedResponse => "unexpected response",
            ErrorKind::Truncated => "truncated answer",
            ErrorKind::Closed => "closed",
            ErrorKind::Tls => "TLS error",
            ErrorKind::Spool => "spool error",
            ErrorKind::SpoolLocked => "spool in use",
            ErrorKind::SchemaConflict => "schema conflict",
        }
    }
}

/// An error of inflow: its [`kind`](Error::kind), the HTTP status and the server's message
/// verbatim when there was an answer, and the underlying cause.
///
/// No secret is ever part of it: credentials travel in headers, and neither `Display` nor
/// `Debug` shows a URL with them.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    status: Option<u16>,
    message: String,
    dropped: Option<u64>,
    retry_after: Option<Duration>,
    attempts: u32,
    /// The request certainly did not reach the server (no connection was made, or the server
    /// said it did not take it), so that even a body without timestamps may be sent again.
    unsent: bool,
    report: Option<Box<CommitReport>>,
    location: Option<String>,
    /// For the error of a scope's body: the error of the scope's final commit.
    final_commit: Option<Error>,
    /// What the message means for the caller's types (the Rust field of a type conflict).
    explanation: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                status: None,
                message: message.into(),
                dropped: None,
                retry_after: None,
                attempts: 1,
                unsent: false,
                report: None,
                location: None,
                final_commit: None,
                explanation: None,
                source: None,
            }),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidConfig, message)
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_dropped(mut self, dropped: Option<u64>) -> Self {
        self.inner.dropped = dropped;
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.inner.retry_after = retry_after;
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// The error of the point at `index` of a list.
    pub(crate) fn in_list(mut self, index: usize) -> Self {
        self.inner.message = format!("point {index} of the list: {}", self.inner.message);
        self
    }

    pub(crate) fn unsent(mut self) -> Self {
        self.inner.unsent = true;
        self
    }

    pub(crate) fn with_report(mut self, report: CommitReport) -> Self {
        self.inner.report = Some(Box::new(report));
        self
    }

    /// Adds what the server's message means for the caller's types, shown after the message.
    pub(crate) fn with_explanation(mut self, explanation: String) -> Self {
        self.inner.explanation = Some(explanation);
        self
    }

    pub(crate) fn with_final_commit(mut self, commit: Error) -> Self {
        self.inner.final_commit = Some(commit);
        self
    }

    /// This error without its cause, report or final commit: what a writer reports again to
    /// each `flush` that waited for the request.
    pub(crate) fn summary(&self) -> Error {
        let inner = &self.inner;
        let mut summary = Error::new(inner.kind, inner.message.clone());
        summary.inner.status = inner.status;
        summary.inner.dropped = inner.dropped;
        summary.inner.retry_after = inner.retry_after;
        summary.inner.attempts = inner.attempts;
        summary.inner.unsent = inner.unsent;
        summary.inner.location.clone_from(&inner.location);
        summary.inner.explanation.clone_from(&inner.explanation);
        summary
    }

    pub(crate) fn report_mut(&mut self) -> Option<&mut CommitReport> {
        self.inner.report.as_deref_mut()
    }

    pub(crate) fn with_location(mut self, location: String) -> Self {
        self.inner.location = Some(location);
        self
    }

    /// Whether the request certainly did not reach the server.
    pub(crate) fn was_unsent(&self) -> bool {
        self.inner.unsent
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// What kind of failure this is.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status of the server's answer, when there was one.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The server's message verbatim (the `error` of its JSON body) when it answered with one;
    /// otherwise inflow's own description.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// For a [`PartialWrite`](ErrorKind::PartialWrite): the server's `dropped=N`. InfluxDB 1.x
    /// reports 0 for lines it could not parse although they were not written, so
    /// 0 does not mean that every point was stored.
    #[must_use]
    pub fn dropped(&self) -> Option<u64> {
        self.inner.dropped
    }

    /// For a [`PartialWrite`](ErrorKind::PartialWrite): the server's reasons, one per refused
    /// line or kind of refusal, as it gave them (`unable to parse '<line>': <why>`, or
    /// `field type conflict: …`). InfluxDB 1.x names the lines it could not parse; for points
    /// it parsed but refused, it gives only the first reason. For a write sent in several
    /// requests, the reasons of all of them.
    #[must_use]
    pub fn partial_write_reasons(&self) -> Vec<&str> {
        if let Some(report) = &self.inner.report {
            return report.reasons().iter().map(String::as_str).collect();
        }
        if self.kind() != ErrorKind::PartialWrite {
            return Vec::new();
        }
        let message = self.inner.message.trim_end();
        let message = message.strip_prefix("partial write:").unwrap_or(message);
        let message = message
            .rsplit_once(" dropped=")
            .map_or(message, |(reasons, _)| reasons);
        message
            .split('\n')
            .map(str::trim)
            .filter(|reason| !reason.is_empty())
            .collect()
    }

    /// For a write (a session's commit, a direct write) that did not store every point: what
    /// became of each, stored, refused by the server, or still held. `None` for errors
    /// raised before a commit began (an invalid point, a full buffer, an invalid
    /// configuration), and for reads. For the error of a session scope's
    /// body, the report of the scope's final commit, if it failed too.
    #[must_use]
    pub fn commit_report(&self) -> Option<&CommitReport> {
        self.inner
            .report
            .as_deref()
            .or_else(|| self.inner.final_commit.as_ref()?.commit_report())
    }

    /// For the error of a session scope's body
    /// ([`Session::scope`](crate::Session::scope), [`Client::with_session`](crate::Client::with_session)):
    /// the error of the scope's final commit, when it failed too.
    #[must_use]
    pub fn final_commit(&self) -> Option<&Error> {
        self.inner.final_commit.as_ref()
    }

    /// For an [`UnexpectedResponse`](ErrorKind::UnexpectedResponse) that is a redirect: where it
    /// pointed (without any credentials). Redirects are never followed.
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.inner.location.as_deref()
    }

    /// The delay the server asked for in a `Retry-After` header.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// How many attempts were made before giving up (1 when the request was not retried).
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether the failure may pass on its own, so that the same request may succeed later:
    /// no connection, a timeout, HTTP 429 or 5xx other than an unknown retention policy.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        crate::retry::is_transient(self)
    }

    /// For an [`InvalidPoint`](ErrorKind::InvalidPoint): what the encoder refused.
    #[must_use]
    pub fn encode_error(&self) -> Option<&EncodeError> {
        self.inner
            .source
            .as_deref()
            .and_then(|source| source.downcast_ref::<EncodeError>())
    }

    /// Whether the point was refused before anything was sent.
    #[must_use]
    pub fn is_invalid_point(&self) -> bool {
        self.kind() == ErrorKind::InvalidPoint
    }

    /// Whether the configuration is invalid.
    #[must_use]
    pub fn is_invalid_config(&self) -> bool {
        self.kind() == ErrorKind::InvalidConfig
    }

    /// Whether the database does not exist.
    #[must_use]
    pub fn is_database_not_found(&self) -> bool {
        self.kind() == ErrorKind::DatabaseNotFound
    }

    /// Whether the credentials are missing or wrong.
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        self.kind() == ErrorKind::Unauthorized
    }

    /// Whether the user lacks the permission.
    #[must_use]
    pub fn is_forbidden(&self) -> bool {
        self.kind() == ErrorKind::Forbidden
    }

    /// Whether some points were written and others refused.
    #[must_use]
    pub fn is_partial_write(&self) -> bool {
        self.kind() == ErrorKind::PartialWrite
    }

    /// Whether the request timed out.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    pub(crate) fn timeout(after: Duration) -> Self {
        Error::new(
            ErrorKind::Timeout,
            format!("no complete answer within {after:?}"),
        )
    }
}

impl From<EncodeError> for Error {
    fn from(err: EncodeError) -> Self {
        Error::new(ErrorKind::InvalidPoint, err.to_string()).with_source(err)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        if inner.kind == ErrorKind::InvalidPoint {
            f.write_str(&inner.message)?;
        } else {
            f.write_str(inner.kind.describe())?;
            if let Some(status) = inner.status {
                write!(f, " (HTTP {status})")?;
            }
            write!(f, ": {}", inner.message)?;
        }
        if let Some(explanation) = &inner.explanation {
            write!(f, " ({explanation})")?;
        }
        if inner.attempts > 1 {
            write!(f, " (after {} attempts)", inner.attempts)?;
        }
        // Only when the points went different ways: otherwise the message says it all.
        if let Some(report) = inner.report.as_deref().filter(|report| {
            [report.stored(), report.refused(), report.held()]
                .iter()
                .filter(|&&count| count > 0)
                .count()
                > 1
        }) {
            write!(f, "; of the points written: {report}")?;
            if let Some(reason) = report.reasons().first()
                && !inner.message.contains(reason.as_str())
            {
                write!(f, " ({reason})")?;
            }
        }
        if let Some(commit) = &inner.final_commit {
            write!(f, "; the final commit failed too: {commit}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let mut debug = f.debug_struct("Error");
        debug
            .field("kind", &inner.kind)
            .field("status", &inner.status)
            .field("message", &inner.message);
        if let Some(dropped) = inner.dropped {
            debug.field("dropped", &dropped);
        }
        if inner.attempts > 1 {
            debug.field("attempts", &inner.attempts);
        }
        if let Some(location) = &inner.location {
            debug.field("location", location);
        }
        if let Some(report) = &inner.report {
            debug.field("report", report);
        }
        if let Some(commit) = &inner.final_commit {
            debug.field("final_commit", commit);
        }
        if let Some(explanation) = &inner.explanation {
            debug.field("explanation", explanation);
        }
        if let Some(source) = &inner.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}
