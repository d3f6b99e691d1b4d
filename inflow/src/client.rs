//! The async client: direct writes, sessions, and the one connection pool they share.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::{Method, Url};

use crate::builder::ClientBuilder;
use crate::config::{Target, WriteOptions};
use crate::delivery::every_line_has_a_time;
use crate::line_protocol::{Encoder, chunks_of};
use crate::retry::RetryPolicy;
use crate::session::Session;
use crate::transport::Resend;
use crate::v1;
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
    /// origin's `Client.write(..., retention_policy=...)`. An empty name is refused: every
    /// write of the returned client fails with [`ErrorKind::InvalidConfig`].
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
    /// represented; otherwise the server's refusal, a timeout or a transport error (the point
    /// was not stored unless the error is a [`PartialWrite`](ErrorKind::PartialWrite)).
    pub async fn write<M: Measurement + ?Sized>(&self, point: &M) -> Result<()> {
        let mut encoder = Encoder::new(self.precision());
        encoder.encode(point)?;
        self.write_encoded(encoder).await
    }

    /// Writes every point of `points` in one request (or several at line boundaries, past the
    /// maximum body size); nothing is sent when there is none.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPoint`] before anything is sent when any point cannot be
    /// represented (the message says which, counting from 0); otherwise as
    /// [`write`](Self::write), with a [`CommitReport`](crate::CommitReport) in
    /// [`Error::commit_report`]: how many points were stored and refused, and how many at the
    /// end of the list were not sent ([`held`](crate::CommitReport::held)).
    pub async fn write_all<I>(&self, points: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Measurement,
    {
        let mut encoder = Encoder::new(self.precision());
        for (index, point) in points.into_iter().enumerate() {
            encoder
                .encode(&point)
                .map_err(|err| Error::from(err).in_list(index))?;
        }
        self.write_encoded(encoder).await
    }

    async fn write_encoded(&self, mut encoder: Encoder) -> Result<()> {
        self.check_retention_policy()?;
        let lines = encoder.len();
        let body = Bytes::from(encoder.take_bytes());
        self.write_body(&self.write_url(None), body, lines, Resend::Always)
            .await
            .result
    }

    /// Sends line protocol encoded elsewhere (by Telegraf, say) as it is, at the client's
    /// precision, in one request (or several at line boundaries, past the maximum body size).
    /// Nothing is checked: the server's verdict comes back as the error.
    ///
    /// A line without a timestamp is stamped by the server when it stores it, so sending it
    /// twice would store it twice. Such a body is therefore sent again only when the first
    /// attempt certainly did not reach the server (no connection, or an answer of 429 or 503);
    /// after a timeout or a connection lost mid-request, the error comes back and the caller
    /// decides. Give every line a timestamp to have it retried like any other write.
    ///
    /// # Errors
    ///
    /// The server's refusal (for text it cannot parse, [`ErrorKind::WriteFailed`], or
    /// [`ErrorKind::PartialWrite`] when some lines were written), a timeout or a transport
    /// error. Its [`CommitReport`](crate::CommitReport) counts lines: stored, refused (the
    /// lines the server could not parse are handed back), and held (the last lines of the
    /// text, not sent).
    pub async fn write_line_protocol(&self, body: &str) -> Result<()> {
        self.check_retention_policy()?;
        let bytes = body.as_bytes();
        let lines = chunks_of(bytes, usize::MAX)
            .first()
            .map_or(0, |whole| whole.points);
        let resend = if every_line_has_a_time(bytes) {
            Resend::Always
        } else {
            Resend::OnlyUnsent
        };
        self.write_body(
            &self.write_url(None),
            Bytes::copy_from_slice(bytes),
            lines,
            resend,
        )
        .await
        .result
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
        let request = self.request(Method::GET, self.shared.target.endpoint("ping"));
        let response = self.exchange(request).await?;
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

    /// An empty retention policy given to [`with_retention_policy`](Self::with_retention_policy)
    /// fails every write.
    pub(crate) fn check_retention_policy(&self) -> Result<()> {
        if self.shared.write.retention_policy.as_deref() == Some("") {
            return Err(Error::config("the retention policy name is empty"));
        }
        Ok(())
    }

    pub(crate) fn write_url(&self, retention_policy: Option<&str>) -> Url {
        match retention_policy {
            None => v1::write_url(&self.shared.target, &self.shared.write),
            Some(rp) => {
                let mut options = self.shared.write.clone();
                options.retention_policy = Some(rp.to_owned());
                v1::write_url(&self.shared.target, &options)
            }
        }
    }
}
