//! The one request path: every HTTP exchange with the server (writes, queries, ping, admin
//! statements) is built and sent here, with the client's credentials, timeout, tracing span,
//! gzip, retries and the mapping of failures to [`Error`]s. What the server's answers mean is
//! the dialect's business ([`crate::v1`]); what becomes of each line of a write body is
//! the delivery's ([`crate::delivery`]).
//!
//! Redirects are never followed: a write's body must not go to a server nobody named, and
//! credentials must not follow it. A 3xx answer is an
//! [`UnexpectedResponse`](ErrorKind::UnexpectedResponse) that names its `Location`.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, Url};
use tracing::Instrument as _;

use crate::delivery::{Delivered, Sender, deliver};
use crate::retry::parse_retry_after;
use crate::v1::{redirect_error, write_outcome};
use crate::{Client, Error, ErrorKind, Result};

/// Longest URL sent as a `GET`; longer read-only queries go in a `POST` form body.
const MAX_GET_URL: usize = 4096;
/// How long a query's answer may take in all: it is read chunk by chunk, each within the
/// client's timeout, and a large answer may stream for longer than one timeout.
const ANSWER_TOTAL_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// When a write may be sent again after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resend {
    /// After any transient failure: every line carries its time, so a second copy of a line
    /// the server already stored overwrites it with itself.
    Always,
    /// Only when the request certainly did not reach the server: a line without a time would
    /// be stored again at another time.
    OnlyUnsent,
}

impl Client {
    /// A request to `url` carrying the client's credentials.
    pub(crate) fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let request = self.http.request(method, url);
        match &self.shared.target.auth {
            Some(auth) => request.header(AUTHORIZATION, auth.header().clone()),
            None => request,
        }
    }

    /// Sends `request`; a failure to get an answer, and a redirect, are errors.
    pub(crate) async fn exchange(&self, request: RequestBuilder) -> Result<Response> {
        let response = request
            .send()
            .await
            .map_err(|err| transport_error(err, self.shared.timeout))?;
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|value| value.to_str().ok());
            return Err(redirect_error(
                response.status().as_u16(),
                location,
                response.url(),
            ));
        }
        Ok(response)
    }

    /// Sends a `/query` with `pairs` as its parameters: as a `GET` when it only reads and its
    /// URL is short, otherwise as a `POST` form (InfluxDB 1.x executes writes sent as `GET`
    /// too, with only a warning). Returns once the answer's head has arrived, within the
    /// client's timeout; the answer itself is read chunk by chunk by the caller.
    pub(crate) async fn open_query(
        &self,
        pairs: &[(&str, String)],
        read_only: bool,
        database: &str,
    ) -> Result<Response> {
        let endpoint = self.shared.target.endpoint("query");
        let mut url = endpoint.clone();
        url.query_pairs_mut().extend_pairs(pairs);
        let as_get = read_only && url.as_str().len() <= MAX_GET_URL;
        let request = if as_get {
            self.request(Method::GET, url)
        } else {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            self.request(Method::POST, endpoint)
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(body)
        }
        .timeout(ANSWER_TOTAL_TIMEOUT);
        let span = tracing::debug_span!(
            "inflow.query",
            database = %database,
            method = if as_get { "GET" } else { "POST" },
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let timeout = self.shared.timeout;
        let response =
            tokio::time::timeout(timeout, self.exchange(request).instrument(span.clone()))
                .await
                .map_err(|_| Error::timeout(timeout))
                .and_then(|answered| answered);
        span.record("duration_ms", started.elapsed().as_secs_f64() * 1000.0);
        if let Ok(response) = &response {
            span.record("status", response.status().as_u16());
        }
        response
    }

    /// Writes `body` (`lines` lines of line protocol) to `url`, in as many requests as its size
    /// and the server's answers need, and accounts for every line.
    pub(crate) async fn write_body(
        &self,
        url: &Url,
        body: Bytes,
        lines: usize,
        resend: Resend,
    ) -> Delivered {
        if body.is_empty() {
            return Delivered {
                settled_bytes: 0,
                settled_lines: 0,
                result: Ok(()),
            };
        }
        let mut sender = WritePart {
            client: self,
            url,
            resend,
        };
        deliver(&mut sender, &body, lines, self.shared.max_body_bytes).await
    }

    /// Writes `body` as [`write_body`](Self::write_body) does, but tries each request once:
    /// the caller (a writer, on timers of its own) decides when to send the rest again.
    pub(crate) async fn write_body_once(&self, url: &Url, body: Bytes, lines: usize) -> Delivered {
        let mut sender = WriteOnce { client: self, url };
        deliver(&mut sender, &body, lines, self.shared.max_body_bytes).await
    }

    async fn send_with_retries(
        &self,
        url: &Url,
        body: Bytes,
        lines: usize,
        resend: Resend,
    ) -> Result<()> {
        let started = Instant::now();
        let policy = &self.shared.retry;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let error = match self.send_once(url, body.clone(), lines, attempts).await {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            let may_resend = resend == Resend::Always || error.was_unsent();
            match policy
                .delay_after(attempts, &error, started.elapsed())
                .filter(|_| may_resend)
            {
                Some(delay) => {
                    tracing::warn!(
                        attempt = attempts,
                        delay_ms = delay.as_secs_f64() * 1000.0,
                        error = %error,
                        "write failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                None => return Err(error.with_attempts(attempts)),
            }
        }
    }

    async fn send_once(&self, url: &Url, body: Bytes, lines: usize, attempt: u32) -> Result<()> {
        let target = &self.shared.target;
        let span = tracing::debug_span!(
            "inflow.write",
            database = %target.database,
            retention_policy = url
                .query_pairs()
                .find(|(key, _)| key == "rp")
                .map(|(_, rp)| rp.into_owned())
                .unwrap_or_default(),
            points = lines,
            bytes = body.len(),
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let outcome = async {
            let mut request = self.request(Method::POST, url.clone()).header(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            request = match self.compressed(&body) {
                Some(compressed) => request
                    .header(CONTENT_ENCODING, HeaderValue::from_static("gzip"))
                    .body(compressed),
                None => request.body(body),
            };
            let response = self.exchange(request).await?;
            let status = response.status().as_u16();
            tracing::Span::current().record("status", status);
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| parse_retry_after(value, chrono::Utc::now()));
            let answer = response
                .bytes()
                .await
                .map_err(|err| transport_error(err, self.shared.timeout))?;
            write_outcome(status, &answer).map_err(|err| err.with_retry_after(retry_after))
        }
        .instrument(span.clone())
        .await;
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        span.record("duration_ms", duration_ms);
        span.in_scope(|| match &outcome {
            Ok(()) => tracing::debug!(duration_ms, "write succeeded"),
            Err(err) => tracing::warn!(duration_ms, error = %err, "write failed"),
        });
        outcome
    }

    /// The body gzip-compressed, when compression is on and the body reaches the threshold.
    #[cfg(feature = "gzip")]
    fn compressed(&self, body: &[u8]) -> Option<Vec<u8>> {
        use std::io::Write as _;
        let threshold = self.shared.gzip_threshold?;
        if body.len() < threshold {
            return None;
        }
        let mut encoder = flate2::write::GzEncoder::new(
            Vec::with_capacity(body.len() / 4),
            flate2::Compression::fast(),
        );
        encoder.write_all(body).ok()?;
        encoder.finish().ok()
    }

    #[cfg(not(feature = "gzip"))]
    #[allow(clippy::unused_self)]
    fn compressed(&self, _body: &[u8]) -> Option<Vec<u8>> {
        None
    }
}

/// The sender of a delivery's parts: each part in one request, retried as `resend` allows.
struct WritePart<'c> {
    client: &'c Client,
    url: &'c Url,
    resend: Resend,
}

impl Sender for WritePart<'_> {
    fn send(&mut self, part: Bytes, lines: usize) -> impl Future<Output = Result<()>> + Send {
        self.client
            .send_with_retries(self.url, part, lines, self.resend)
    }
}

/// The sender of a delivery's parts that tries each part once.
struct WriteOnce<'c> {
    client: &'c Client,
    url: &'c Url,
}

impl Sender for WriteOnce<'_> {
    fn send(&mut self, part: Bytes, lines: usize) -> impl Future<Output = Result<()>> + Send {
        self.client.send_once(self.url, part, lines, 1)
    }
}

/// A request that got no usable answer, without the URL (which carries no secret, but keeps
/// messages short) and with the chain of causes in the message.
pub(crate) fn transport_error(err: reqwest::Error, timeout: Duration) -> Error {
    let err = err.without_url();
    if err.is_timeout() {
        return Error::timeout(timeout).with_source(err);
    }
    // No connection was made: the server cannot have read anything.
    let unsent = err.is_connect();
    let mut message = err.to_string();
    let mut cause = std::error::Error::source(&err);
    while let Some(inner) = cause {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        cause = inner.source();
    }
    // A certificate the client does not trust stays untrusted: not worth a retry.
    let kind = if message.contains("certificate") {
        ErrorKind::Tls
    } else {
        ErrorKind::Transport
    };
    let error = Error::new(kind, message).with_source(err);
    if unsent { error.unsent() } else { error }
}
