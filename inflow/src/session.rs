//! Sessions: points batched in memory and sent in one request on commit.

use std::fmt;
use std::marker::PhantomData;
use std::num::NonZeroUsize;

use reqwest::Url;

use crate::client::SendFailure;
use crate::line_protocol::Encoder;
use crate::{Client, Error, ErrorKind, Measurement, Result};

/// The I/O-free part of a session, shared by the async and blocking ones: the encoded points
/// and the autocommit rule.
#[derive(Debug)]
pub(crate) struct Batch {
    encoder: Encoder,
    autocommit_every: Option<NonZeroUsize>,
    max_points: usize,
    max_bytes: usize,
}

/// The most points a session buffers unless configured otherwise.
pub const DEFAULT_MAX_BUFFERED_POINTS: usize = 1_000_000;
/// The most bytes of line protocol a session buffers unless configured otherwise (128 MiB).
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 128 << 20;

impl Batch {
    pub(crate) fn new(encoder: Encoder) -> Self {
        Batch {
            encoder,
            autocommit_every: None,
            max_points: DEFAULT_MAX_BUFFERED_POINTS,
            max_bytes: DEFAULT_MAX_BUFFERED_BYTES,
        }
    }

    /// Encodes `point` into the batch, unless the batch is full. Returns whether the batch is
    /// now due to be committed.
    #[inline]
    pub(crate) fn push<M: Measurement + ?Sized>(&mut self, point: &M) -> Result<bool> {
        let (points, bytes) = (self.encoder.len(), self.encoder.as_bytes().len());
        if points >= self.max_points {
            return Err(self.full(format!(
                "it holds {points} points, its limit; commit them before writing more (this point was not buffered)"
            )));
        }
        self.encoder.encode(point)?;
        if self.encoder.as_bytes().len() > self.max_bytes {
            self.encoder.truncate(bytes, points);
            return Err(self.full(format!(
                "this point would take it past its limit of {} bytes ({bytes} are buffered); commit before writing more (this point was not buffered)",
                self.max_bytes
            )));
        }
        Ok(self
            .autocommit_every
            .is_some_and(|every| self.encoder.len() >= every.get()))
    }

    fn full(&self, reason: String) -> Error {
        Error::new(
            ErrorKind::BufferFull,
            format!("the session's buffer is full: {reason}"),
        )
    }

    /// After a commit failed: forgets what was stored before the failure, keeps the rest. A
    /// partial write leaves nothing to keep: the server stored every point it could, and the
    /// others would be refused again.
    pub(crate) fn after_failure(&mut self, failure: &SendFailure) {
        if failure.error.kind() == ErrorKind::PartialWrite {
            self.encoder.clear();
        } else {
            self.encoder
                .drain_front(failure.sent_bytes, failure.sent_points);
        }
    }

    pub(crate) fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    pub(crate) fn clear(&mut self) {
        self.encoder.clear();
    }
}

/// Points of type `M` batched in memory and written together: the origin's `client.session()`.
///
/// [`write`](Session::write) only encodes the point into the session's buffer (a point that
/// cannot be represented is refused right there, and nothing buffered is touched);
/// [`commit`](Session::commit) sends everything buffered in one request. With
/// [`autocommit_every(n)`](Session::autocommit_every), the write that brings the buffer to `n`
/// points commits it. The retention policy is session-wide.
///
/// A commit that fails keeps every point, so a later `commit` retries them (retrying is safe:
/// a point written twice, same series and time, overwrites itself). A session dropped with
/// points not committed discards them, like a transaction never committed, and logs a warning
/// with the count through `tracing`.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> inflow::Result<()> {
/// use inflow::{Client, Point};
///
/// let client = Client::new("http://username:pass@localhost:8086/databasename")?;
/// let mut session = client.session::<Point>().autocommit_every(5);
/// session.write(&Point::new("temperature").field("value", 23.1).timestamp_secs(1475848864)).await?;
/// session.write(&Point::new("temperature").field("value", 25.0).timestamp_secs(1475849823)).await?;
/// session.commit().await?;
/// # Ok(()) }
/// ```
pub struct Session<M> {
    client: Client,
    url: Url,
    retention_policy: Option<String>,
    batch: Batch,
    points: PhantomData<fn(&M)>,
}

const _: () = {
    const fn sendable<T: Send>() {}
    // Even for a point type that is not `Sync`.
    sendable::<Session<std::cell::Cell<u8>>>();
};

impl<M> fmt::Debug for Session<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("measurement", &std::any::type_name::<M>())
            .field("database", &self.client.database())
            .field("retention_policy", &self.retention_policy)
            .field("autocommit_every", &self.batch.autocommit_every)
            .field("points", &self.batch.encoder.len())
            .field("bytes", &self.batch.encoder.as_bytes().len())
            .finish()
    }
}

impl<M: Measurement> Session<M> {
    pub(crate) fn new(client: Client) -> Self {
        let retention_policy = client.retention_policy().map(str::to_owned);
        Session {
            url: client.write_url(None),
            batch: Batch::new(Encoder::new(client.precision())),
            client,
            retention_policy,
            points: PhantomData,
        }
    }

    /// Commits automatically on the write that brings the buffer to `every` points (with 5, the
    /// fifth write sends). 0 turns autocommit off, the default.
    #[must_use]
    pub fn autocommit_every(mut self, every: usize) -> Self {
        self.batch.autocommit_every = NonZeroUsize::new(every);
        self
    }

    /// The most points the session buffers (default
    /// [`DEFAULT_MAX_BUFFERED_POINTS`](crate::DEFAULT_MAX_BUFFERED_POINTS), a million): a write
    /// past it is refused with [`ErrorKind::BufferFull`], so that a server that stays away
    /// never makes the buffer grow without bound.
    #[must_use]
    pub fn max_buffered_points(mut self, points: usize) -> Self {
        self.batch.max_points = points;
        self
    }

    /// The most bytes of line protocol the session buffers (default
    /// [`DEFAULT_MAX_BUFFERED_BYTES`](crate::DEFAULT_MAX_BUFFERED_BYTES), 128 MiB): a write past
    /// it is refused with [`ErrorKind::BufferFull`].
    #[must_use]
    pub fn max_buffered_bytes(mut self, bytes: usize) -> Self {
        self.batch.max_bytes = bytes;
        self
    }

    /// Writes this session's points to `retention_policy` instead of the client's.
    #[must_use]
    pub fn retention_policy(mut self, retention_policy: impl Into<String>) -> Self {
        let retention_policy = retention_policy.into();
        self.url = self.client.write_url(Some(&retention_policy));
        self.retention_policy = Some(retention_policy);
        self
    }

    /// Buffers `point`, then commits if autocommit is due.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPoint`] when the point cannot be represented, and
    /// [`ErrorKind::BufferFull`] when the buffer is at its limit: the point is not buffered and
    /// the buffer is untouched. When the point was buffered but the autocommit failed, the
    /// commit's error: every point, this one included, stays buffered for the next commit
    /// (the next write tries again).
    pub async fn write(&mut self, point: &M) -> Result<()> {
        if self.buffer(point)? {
            self.commit().await?;
        }
        Ok(())
    }

    /// Buffers `point` without committing; returns whether autocommit is due.
    #[inline]
    pub(crate) fn buffer(&mut self, point: &M) -> Result<bool> {
        self.batch.push(point)
    }

    /// Sends every buffered point in one request. With nothing buffered, sends nothing.
    ///
    /// # Errors
    ///
    /// The server's refusal, a timeout or a transport error, once the client's retry policy
    /// gave up. The points not stored stay buffered for a later commit (a batch larger than the
    /// maximum body size goes in several requests, and those that succeeded leave the buffer);
    /// after a [`PartialWrite`](ErrorKind::PartialWrite) the server stored every point it could,
    /// and the buffer is cleared.
    pub async fn commit(&mut self) -> Result<()> {
        match self
            .client
            .send(
                &self.url,
                self.batch.encoder().as_bytes(),
                self.batch.encoder().len(),
            )
            .await
        {
            Ok(()) => {
                self.batch.clear();
                Ok(())
            }
            Err(failure) => {
                self.batch.after_failure(&failure);
                Err(failure.error)
            }
        }
    }

    /// Runs `body` with this session, then commits what is buffered: the origin's context
    /// manager.
    ///
    /// The commit happens whether `body` succeeds or fails, as the origin's does, so the points
    /// written before a failure are not lost. If `body` failed, its error is returned; if the
    /// commit failed as well, the points it could not send are discarded with a warning (the
    /// session ends with the scope): use [`commit`](Self::commit) directly to retry instead.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// # let client = inflow::Client::new("http://localhost:8086/db")?;
    /// use inflow::Point;
    ///
    /// client
    ///     .session::<Point>()
    ///     .retention_policy("rp_four_weeks")
    ///     .scope(async |session| {
    ///         session.write(&Point::new("temperature").field("value", 23.1)).await
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The error of `body`, or else of the final commit.
    pub async fn scope<T>(mut self, body: impl AsyncFnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let outcome = body(&mut self).await;
        let committed = self.commit().await;
        finish_scope(outcome, committed)
    }

    /// The number of points buffered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.batch.encoder().len()
    }

    /// Whether no point is buffered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.batch.encoder().is_empty()
    }

    /// The size of the buffered line protocol, in bytes.
    #[must_use]
    pub fn buffered_bytes(&self) -> usize {
        self.batch.encoder().as_bytes().len()
    }

    /// The buffered line protocol: what the next commit sends, one line per point.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// use inflow::{Client, Point};
    ///
    /// let client = Client::new("http://localhost:8086/mydb")?;
    /// let mut session = client.session::<Point>();
    /// session.write(&Point::new("cpu").field("load", 0.5).timestamp_secs(1)).await?;
    /// assert_eq!(session.buffered_line_protocol(), b"cpu load=0.5 1000000000\n");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn buffered_line_protocol(&self) -> &[u8] {
        self.batch.encoder().as_bytes()
    }

    /// The retention policy this session writes to, if not the database's default.
    #[must_use]
    pub fn retention_policy_name(&self) -> Option<&str> {
        self.retention_policy.as_deref()
    }

    /// Throws the buffered points away without sending them; returns how many there were.
    pub fn discard(&mut self) -> usize {
        let discarded = self.len();
        self.batch.clear();
        discarded
    }
}

/// The result of a scope: the body's error first, then the commit's.
pub(crate) fn finish_scope<T>(outcome: Result<T>, committed: Result<()>) -> Result<T> {
    match (outcome, committed) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(commit)) => Err(commit),
        (Err(body), Ok(())) => Err(body),
        (Err(body), Err(commit)) => {
            tracing::warn!(error = %commit, "the commit at the end of a failed session scope failed too");
            Err(body)
        }
    }
}

impl<M> Drop for Session<M> {
    fn drop(&mut self) {
        let points = self.batch.encoder().len();
        if points > 0 {
            tracing::warn!(
                points,
                database = %self.client.database(),
                measurement = std::any::type_name::<M>(),
                "a session was dropped with {points} uncommitted points; they are discarded"
            );
        }
    }
}
