//! Building a client: every option checked once, when the client is built.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Client, Shared};
use crate::config::{
    self, Auth, Consistency, DEFAULT_MAX_BODY_SIZE, DEFAULT_TIMEOUT, Target, WriteOptions,
};
use crate::retry::RetryPolicy;
use crate::{Error, Precision, Result};

/// Configures a [`Client`] (or, with `ClientBuilder<blocking::Client>`, a blocking one).
///
/// ```
/// use std::time::Duration;
/// use inflow::{Client, Consistency, Precision};
///
/// let client = Client::builder("http://localhost:8086/telemetry")
///     .precision(Precision::Seconds)
///     .retention_policy("rp_four_weeks")
///     .timeout(Duration::from_secs(5))
///     .consistency(Consistency::One)
///     .build()?;
/// assert_eq!(client.database(), "telemetry");
/// # Ok::<(), inflow::Error>(())
/// ```
///
/// # Proxies
///
/// Like curl, the client sends its requests through the proxy named by the environment
/// variables `HTTP_PROXY` (for `http` URLs), `HTTPS_PROXY` (for `https` URLs) or `ALL_PROXY`
/// (either; each also in lower case), except for the hosts listed in `NO_PROXY`. The proxy
/// of an `http` URL sees each request whole, credentials included. Two exceptions:
///
/// - a server on this machine (`localhost`, `127.0.0.0/8`, `::1`) is always reached directly,
///   as Go's standard HTTP client does: a proxy elsewhere cannot reach the loopback interface
///   of this machine, and should not see the credentials meant for it;
/// - [`no_proxy`](Self::no_proxy) turns the environment's proxies off for every host.
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder<C = Client> {
    url: String,
    precision: Precision,
    retention_policy: Option<String>,
    consistency: Option<Consistency>,
    timeout: Duration,
    auth: Option<Result<Auth>>,
    retry: RetryPolicy,
    max_body_bytes: usize,
    gzip_threshold: Option<usize>,
    root_certificates: Vec<Result<reqwest::Certificate>>,
    environment_proxies: bool,
    flavor: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: only its parsed, redacted form is ever shown.
        let target = Target::parse(&self.url).ok();
        f.debug_struct("ClientBuilder")
            .field("target", &target)
            .field("precision", &self.precision)
            .field("retention_policy", &self.retention_policy)
            .field("consistency", &self.consistency)
            .field("timeout", &self.timeout)
            .field("auth", &self.auth.as_ref().map(|auth| auth.as_ref().ok()))
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("gzip_threshold", &self.gzip_threshold)
            .field("root_certificates", &self.root_certificates.len())
            .field("environment_proxies", &self.environment_proxies)
            .finish()
    }
}

impl<C> ClientBuilder<C> {
    pub(crate) fn new(url: impl Into<String>) -> Self {
        ClientBuilder {
            url: url.into(),
            precision: Precision::default(),
            retention_policy: None,
            consistency: None,
            timeout: DEFAULT_TIMEOUT,
            auth: None,
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_SIZE,
            gzip_threshold: None,
            root_certificates: Vec::new(),
            environment_proxies: true,
            flavor: PhantomData,
        }
    }

    /// The precision of written timestamps. The default is nanoseconds: the server's native
    /// unit, lossless, and the one every InfluxDB version assumes without a `precision`
    /// parameter. (InfluxDB 1.x reads microseconds as `precision=u` and silently takes `us` for
    /// nanoseconds; 2.x does the reverse. Nanoseconds, milliseconds and seconds mean the same
    /// everywhere.)
    pub fn precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }

    /// The retention policy writes go to, instead of the database's default one.
    pub fn retention_policy(mut self, retention_policy: impl Into<String>) -> Self {
        self.retention_policy = Some(retention_policy.into());
        self
    }

    /// The write consistency for an InfluxDB Enterprise cluster (ignored by the open-source
    /// server).
    pub fn consistency(mut self, consistency: Consistency) -> Self {
        self.consistency = Some(consistency);
        self
    }

    /// How long one request may take, from sending to the end of the answer. The default is
    /// [`DEFAULT_TIMEOUT`](crate::DEFAULT_TIMEOUT), 30 seconds (the origin library has none, so a
    /// hung server hangs its caller).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Authenticates with HTTP Basic, replacing any credentials in the URL. For InfluxDB 2.x
    /// and 3.x, the password may be a token.
    ///
    /// The user name may not contain a `:` ([`build`](ClientBuilder::build) refuses it): HTTP
    /// Basic sends `user:password`, and the server reads the user name up to the first colon.
    pub fn basic_auth(mut self, username: &str, password: &str) -> Self {
        self.auth = Some(config::basic_auth(username, password));
        self
    }

    /// Authenticates with `Authorization: Token …`, the scheme of InfluxDB 2.x and 3.x (1.x does
    /// not understand it: use [`basic_auth`](Self::basic_auth) there).
    pub fn token(mut self, token: &str) -> Self {
        self.auth = Some(config::token_auth(token));
        self
    }

    /// How requests that failed for a reason that may pass are retried; the default is
    /// [`RetryPolicy::default()`], and [`RetryPolicy::never()`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest write body sent in one request; a larger batch is cut at line boundaries
    /// into several requests. The default, [`DEFAULT_MAX_BODY_SIZE`](crate::DEFAULT_MAX_BODY_SIZE)
    /// (10 MB), is well under InfluxDB's own limit of 25 MB; a server with a smaller limit that
    /// answers 413 gets the batch in halves.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Compresses write bodies of at least `threshold` bytes with gzip
    /// (`Content-Encoding: gzip`), and accepts gzip-compressed answers.
    #[cfg(feature = "gzip")]
    pub fn gzip(mut self, threshold: usize) -> Self {
        self.gzip_threshold = Some(threshold);
        self
    }

    /// Trusts the certificate(s) in `pem` for `https` URLs, on top of the system's roots: for a
    /// server with a self-signed certificate or a private authority.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        const MARKER: &[u8] = b"-----BEGIN CERTIFICATE-----";
        let certificate = if pem.windows(MARKER.len()).any(|window| window == MARKER) {
            reqwest::Certificate::from_pem(pem).map_err(|err| {
                Error::config("the root certificate is not valid PEM")
                    .with_source(err.without_url())
            })
        } else {
            Err(Error::config(
                "the root certificate is not PEM: no `-----BEGIN CERTIFICATE-----` in it",
            ))
        };
        self.root_certificates.push(certificate);
        self
    }

    /// Ignores the proxies named by the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`):
    /// every request goes straight to the server. See [Proxies](ClientBuilder#proxies).
    ///
    /// ```
    /// let client = inflow::Client::builder("http://influx.example.com:8086/telemetry")
    ///     .no_proxy()
    ///     .build()?;
    /// assert_eq!(client.database(), "telemetry");
    /// # Ok::<(), inflow::Error>(())
    /// ```
    pub fn no_proxy(mut self) -> Self {
        self.environment_proxies = false;
        self
    }

    fn build_async(self) -> Result<Client> {
        let mut target = Target::parse(&self.url)?;
        if let Some(auth) = self.auth {
            target.auth = Some(auth?);
        }
        if self.timeout.is_zero() {
            return Err(Error::config(
                "the timeout is zero: no request could ever finish",
            ));
        }
        if self.retention_policy.as_deref() == Some("") {
            return Err(Error::config("the retention policy name is empty"));
        }
        if self.max_body_bytes == 0 {
            return Err(Error::config("the maximum body size is zero"));
        }
        let root_certificates = self
            .root_certificates
            .into_iter()
            .collect::<Result<Vec<_>>>()?;
        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .read_timeout(self.timeout)
            .user_agent(concat!("inflow/", env!("CARGO_PKG_VERSION")))
            // A redirect is an error that names where it pointed (see the transport).
            .redirect(reqwest::redirect::Policy::none())
            .tls_certs_merge(root_certificates);
        // With the feature on, reqwest would ask for gzip answers from every client: only a
        // client that asked for gzip does.
        #[cfg(feature = "gzip")]
        {
            http = http.gzip(self.gzip_threshold.is_some());
        }
        if !self.environment_proxies || target.is_loopback() {
            http = http.no_proxy();
        }
        let http = http.build().map_err(|err| {
            Error::config("the HTTP client could not be set up").with_source(err.without_url())
        })?;
        Ok(Client {
            http,
            shared: Arc::new(Shared {
                target,
                write: WriteOptions {
                    precision: self.precision,
                    retention_policy: self.retention_policy,
                    consistency: self.consistency,
                },
                timeout: self.timeout,
                retry: self.retry,
                max_body_bytes: self.max_body_bytes,
                gzip_threshold: self.gzip_threshold,
            }),
        })
    }
}

impl ClientBuilder<Client> {
    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) naming what is wrong: a
    /// malformed URL, a scheme other than `http` or `https`, no database in the path, a query
    /// in the URL, a user name or password in the URL with an unencoded `/`, `?`, `#`, `\` or
    /// `@` (percent-encode them), a `:` in the user name, a zero timeout, an empty retention
    /// policy or token.
    pub fn build(self) -> Result<Client> {
        self.build_async()
    }
}

#[cfg(feature = "blocking")]
impl ClientBuilder<crate::blocking::Client> {
    /// Builds the blocking client.
    ///
    /// # Errors
    ///
    /// As for the async [`ClientBuilder::build`]; also when the helper thread that runs the
    /// client's I/O cannot be started.
    pub fn build(self) -> Result<crate::blocking::Client> {
        crate::blocking::Client::from_async(self.build_async()?)
    }
}
