//! The async client: direct writes, sessions, and the one connection pool they share.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use tracing::Instrument as _;

use crate::builder::ClientBuilder;
use crate::config::{Target, WriteOptions};
use crate::line_protocol::{Encoder, chunks_of};
use crate::response::write_outcome;
use crate::retry::{RetryPolicy, parse_retry_after};
use crate::session::Session;
use crate::{Error, ErrorKind, Measurement, Precision, Result};

/// A client of one InfluxDB database: writes points directly, and opens [`Session`]s that
/// batch them.
///
/// Cloning is cheap and every clone shares one connection pool; `Client` is `Send + Sync`, so
/// one client can serve a whole program.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> inflow::Result<()> {
/// use inflow::{Client, Point};
///
/// let client = Client::new("http://user:pass@localhost:8086/databasename")?;
/// client.write(&Point::new("temperature").field("value", 21.3)).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) shared: Arc<Shared>,
}

#[derive(Debug, Clone)]
pub(crate) struct Shared {
    pub(crate) target: Target,
    pub(crate) write: WriteOptions,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_body_bytes: usize,
    #[cfg_attr(not(feature = "gzip"), allow(dead_code))]
    pub(crate) gzip_threshold: Option<usize>,
}

const _: () = {
    const fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Client>();
};

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.shared.target.base.as_str())
            .field("database", &self.shared.target.database)
            .field("auth", &self.shared.target.auth)
            .field("precision", &self.shared.write.precision)
            .field("retention_policy", &self.shared.write.retention_policy)
            .field("consistency", &self.shared.write.consistency)
            .field("timeout", &self.shared.timeout)
            .finish()
    }
}

impl Client {
    /// A client for `url`, `http[s]://[user:password@]host[:port][/prefix]/database`, with the
    /// default options. Credentials are percent-decoded and sent as an HTTP Basic header, never
    /// as URL parameters.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] when the URL is not of that form.
    pub fn new(url: &str) -> Result<Client> {
        Client::builder(url).build()
    }

    /// A builder for a client of `url`, to set precision, retention policy, timeout,
    /// consistency or credentials.
    pub fn builder(url: impl Into<String>) -> ClientBuilder<Client> {
        ClientBuilder::new(url)
    }

    /// The database written to.
    #[must_use]
    pub fn database(&self) -> &str {
        &self.shared.target.database
    }

    /// The precision of written timestamps.
    #[must_use]
    pub fn precision(&self) -> Precision {
        self.shared.write.precision
    }

    /// The retention policy written to, if not the database's default.
    #[must_use]
    pub fn retention_policy(&self) -> Option<&str> {
        self.shared.write.retention_policy.as_deref()
    }

    /// The same client (sharing its connections) writing to another retention policy: the
    /// origin's `Client.write(..., retention_policy=...)`.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// # let client = inflow::Client::new("http://localhost:8086/db")?;
    /// # let point = inflow::Point::new("m").field("f", 1);
    /// client.with_retention_policy("rp_four_weeks").write(&point).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_retention_policy(&self, retention_policy: impl Into<String>) -> Client {
        let mut shared = Shared::clone(&self.shared);
        shared.write.retention_policy = Some(retention_policy.into());
        Client {
            http: self.http.clone(),
            shared: Arc::new(shared),
        }
    }

    /// Writes one point in one request. A point without a timestamp is stamped now.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPoint`] before anything is sent when the point cannot be
    /// represented; otherwise the server's refusal, a timeout or a transport error.
    pub async fn write<M: Measurement + ?Sized>(&self, point: &M) -> Result<()> {
        let mut encoder = Encoder::new(self.precision());
        encoder.encode(point)?;
        self.send_all(&encoder).await
    }

    /// Writes every point of `points` in one request; nothing is sent when there is none.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPoint`] before anything is sent when any point cannot be
    /// represented; otherwise as [`write`](Self::write).
    pub async fn write_all<I>(&self, points: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Measurement,
    {
        let mut encoder = Encoder::new(self.precision());
        for point in points {
            encoder.encode(&point)?;
        }
        self.send_all(&encoder).await
    }

    async fn send_all(&self, encoder: &Encoder) -> Result<()> {
        self.send(&self.write_url(None), encoder.as_bytes(), encoder.len())
            .await
            .map_err(|failure| failure.error)
    }

    /// Sends line protocol encoded elsewhere (by Telegraf, say) as it is, at the client's
    /// precision, in one request (or several at line boundaries, past the maximum body size).
    /// Nothing is checked: the server's verdict comes back as the error.
    ///
    /// # Errors
    ///
    /// The server's refusal (for text it cannot parse, [`ErrorKind::WriteFailed`], or
    /// [`ErrorKind::PartialWrite`] when some lines were written), a timeout or a transport
    /// error.
    pub async fn write_line_protocol(&self, body: &str) -> Result<()> {
        // Not parsed: its line feeds stand for its lines (a string value may hold more).
        let lines = memchr::memchr_iter(b'\n', body.as_bytes()).count().max(1);
        self.send(&self.write_url(None), body.as_bytes(), lines)
            .await
            .map_err(|failure| failure.error)
    }

    /// A session that batches points of type `M` until it is committed. The retention policy
    /// and autocommit are set on the session.
    pub fn session<M: Measurement>(&self) -> Session<M> {
        Session::new(self.clone())
    }

    /// Runs `body` with a new session and commits what it wrote when `body` returns: the
    /// origin's `with client.session() as session:`.
    ///
    /// See [`Session::scope`] for what happens when `body` or the commit fails.
    ///
    /// # Errors
    ///
    /// The error of `body`, or else of the final commit.
    pub async fn with_session<M, T>(
        &self,
        body: impl AsyncFnOnce(&mut Session<M>) -> Result<T>,
    ) -> Result<T>
    where
        M: Measurement,
    {
        self.session().scope(body).await
    }

    /// Checks that the server answers, and returns its version (`X-Influxdb-Version`, empty
    /// when the server does not say).
    ///
    /// # Errors
    ///
    /// When the server does not answer with success.
    pub async fn ping(&self) -> Result<String> {
        let response = self
            .http
            .get(self.shared.target.endpoint("ping"))
            .send()
            .await
            .map_err(|err| transport_error(err, self.shared.timeout))?;
        let status = response.status();
        let version = response
            .headers()
            .get("x-influxdb-version")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if status.is_success() {
            Ok(version)
        } else {
            Err(
                Error::new(ErrorKind::Server, "the server answered /ping with an error")
                    .with_status(status.as_u16()),
            )
        }
    }

    pub(crate) fn write_url(&self, retention_policy: Option<&str>) -> Url {
        match retention_policy {
            None => self.shared.write.url(&self.shared.target),
            Some(rp) => {
                let mut options = self.shared.write.clone();
                options.retention_policy = Some(rp.to_owned());
                options.url(&self.shared.target)
            }
        }
    }

    /// Sends line protocol of `points` lines to `url`: in one request when it fits the maximum
    /// body size, otherwise cut at line boundaries into several; each request retried by the
    /// retry policy, and halved on HTTP 413. An empty body sends nothing.
    ///
    /// On failure, says how much of the body was stored before it: the session drops that part
    /// and keeps the rest. A partial write does not stop the other requests; it is reported
    /// once they are sent, as the whole body is then done.
    pub(crate) async fn send(
        &self,
        url: &Url,
        body: &[u8],
        points: usize,
    ) -> Result<(), SendFailure> {
        if body.is_empty() {
            return Ok(());
        }
        // The common case: the body fits in one request, and need not be cut at its lines.
        if body.len() <= self.shared.max_body_bytes {
            return match self.send_halving(url, body, points).await {
                Ok(()) => Ok(()),
                Err(error) => {
                    let stored = error.kind() == ErrorKind::PartialWrite;
                    Err(SendFailure {
                        error,
                        sent_bytes: if stored { body.len() } else { 0 },
                        sent_points: if stored { points } else { 0 },
                    })
                }
            };
        }
        let mut partial: Option<Error> = None;
        let mut sent_points = 0;
        for chunk in chunks_of(body, self.shared.max_body_bytes) {
            match self
                .send_halving(url, &body[chunk.bytes.clone()], chunk.points)
                .await
            {
                Ok(()) => {}
                Err(err) if err.kind() == ErrorKind::PartialWrite => {
                    if let Some(earlier) = partial.replace(err) {
                        tracing::warn!(error = %earlier, "a partial write of an earlier part of the batch");
                    }
                }
                Err(error) => {
                    return Err(SendFailure {
                        error,
                        sent_bytes: chunk.bytes.start,
                        sent_points,
                    });
                }
            }
            sent_points += chunk.points;
        }
        match partial {
            None => Ok(()),
            Some(error) => Err(SendFailure {
                error,
                sent_bytes: body.len(),
                sent_points,
            }),
        }
    }

    /// Sends one piece with retries; when the server finds it too large (413), sends each half.
    fn send_halving<'a>(
        &'a self,
        url: &'a Url,
        body: &'a [u8],
        points: usize,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>> {
        Box::pin(async move {
            match self.send_with_retries(url, body, points).await {
                Err(err) if err.status() == Some(413) && points > 1 => {
                    tracing::warn!(
                        bytes = body.len(),
                        points,
                        "the server found the body too large; sending it in halves"
                    );
                    for half in chunks_of(body, body.len().div_ceil(2)) {
                        self.send_halving(url, &body[half.bytes], half.points)
                            .await?;
                    }
                    Ok(())
                }
                other => other,
            }
        })
    }

    async fn send_with_retries(&self, url: &Url, body: &[u8], points: usize) -> Result<()> {
        let started = Instant::now();
        let policy = &self.shared.retry;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let error = match self.send_once(url, body, points, attempts).await {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            match policy.delay_after(attempts, &error, started.elapsed()) {
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

    async fn send_once(&self, url: &Url, body: &[u8], points: usize, attempt: u32) -> Result<()> {
        let target = &self.shared.target;
        let span = tracing::debug_span!(
            "inflow.write",
            database = %target.database,
            retention_policy = url
                .query_pairs()
                .find(|(key, _)| key == "rp")
                .map(|(_, rp)| rp.into_owned())
                .unwrap_or_default(),
            points,
            bytes = body.len(),
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let outcome = async {
            let mut request = self.http.post(url.clone()).header(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            request = match self.compressed(body) {
                Some(compressed) => request
                    .header(CONTENT_ENCODING, HeaderValue::from_static("gzip"))
                    .body(compressed),
                None => request.body(body.to_vec()),
            };
            if let Some(auth) = &target.auth {
                request = request.header(AUTHORIZATION, auth.header().clone());
            }
            let response = request
                .send()
                .await
                .map_err(|err| transport_error(err, self.shared.timeout))?;
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

/// A batch that was not (entirely) stored: the error, and how much of its beginning was.
#[derive(Debug)]
pub(crate) struct SendFailure {
    pub(crate) error: Error,
    pub(crate) sent_bytes: usize,
    pub(crate) sent_points: usize,
}

/// A request that got no usable answer, without the URL (which carries no secret, but keeps
/// messages short) and with the chain of causes in the message.
pub(crate) fn transport_error(err: reqwest::Error, timeout: Duration) -> Error {
    let err = err.without_url();
    if err.is_timeout() {
        return Error::timeout(timeout).with_source(err);
    }
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
    Error::new(kind, message).with_source(err)
}
