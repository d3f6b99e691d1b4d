//! Sessions: points batched in memory and sent in one request on commit.

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;
use std::num::NonZeroUsize;

use reqwest::Url;

use crate::batch::Batch;
use crate::delivery::CommitReport;
use crate::line_protocol::Encoder;
use crate::schema_check;
use crate::transport::Resend;
use crate::{Client, Error, Measurement, Result};

/// Points of type `M` batched in memory and written together: the origin's `client.session()`.
///
/// [`write`](Session::write) only encodes the point into the session's buffer (a point that
/// cannot be represented is refused right there, and nothing buffered is touched);
/// [`commit`](Session::commit) sends everything buffered in one request. With
/// [`autocommit_every(n)`](Session::autocommit_every), the write that brings the buffer to `n`
/// points commits it. The retention policy is session-wide.
///
/// After a commit, every point is in exactly one of three states: **stored**; **refused** by
/// the server, which the commit's error reports with the server's reasons (a partial write's
/// dropped points; a point too large for the server, or one it cannot parse, handed back whole
/// in [`CommitReport::refused_lines`](crate::CommitReport::refused_lines)); or **held** in the
/// session for the next commit (whatever the server did not take for a reason that may pass,
/// or that the caller must fix). A later `commit` sends the held points again, which is safe:
/// every point carries its time, and a point written twice, same series and time, overwrites
/// itself. [`Error::commit_report`] counts the three states.
///
/// A session dropped with points not committed discards them, like a transaction never
/// committed, and logs a warning with the count through `tracing`.
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
    /// A configuration mistake made on the session's builder methods, reported by every write
    /// and commit.
    invalid: Option<String>,
    /// Whether the next commit that sends checks `M`'s schema against the server's first
    /// ([`Session::verify_schema`]); cleared once a check passed.
    verify_schema: bool,
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
            .field("verify_schema", &self.verify_schema)
            .field("points", &self.batch.encoder().len())
            .field("bytes", &self.batch.encoder().as_bytes().len())
            .finish()
    }
}

impl<M: Measurement> Session<M> {
    pub(crate) fn new(client: Client) -> Self {
        let retention_policy = client.retention_policy().map(str::to_owned);
        let client_invalid = client
            .check_retention_policy()
            .err()
            .map(|err| err.message().to_owned());
        Session {
            url: client.write_url(None),
            batch: Batch::new(Encoder::new(client.precision())),
            client,
            retention_policy,
            invalid: client_invalid,
            verify_schema: false,
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
    /// past it is refused with [`ErrorKind::BufferFull`](crate::ErrorKind::BufferFull), so that a server that stays away
    /// never makes the buffer grow without bound.
    #[must_use]
    pub fn max_buffered_points(mut self, points: usize) -> Self {
        self.batch.max_points = points;
        self
    }

    /// The most bytes of line protocol the session buffers (default
    /// [`DEFAULT_MAX_BUFFERED_BYTES`](crate::DEFAULT_MAX_BUFFERED_BYTES), 128 MiB): a write past
    /// it is refused with [`ErrorKind::BufferFull`](crate::ErrorKind::BufferFull).
    #[must_use]
    pub fn max_buffered_bytes(mut self, bytes: usize) -> Self {
        self.batch.max_bytes = bytes;
        self
    }

    /// Writes this session's points to `retention_policy` instead of the client's.
    ///
    /// An empty name is refused: every later write and commit fails with
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig), and nothing is buffered.
    #[must_use]
    pub fn retention_policy(mut self, retention_policy: impl Into<String>) -> Self {
        let retention_policy = retention_policy.into();
        if retention_policy.is_empty() {
            self.invalid = Some("the session's retention policy name is empty".to_owned());
            return self;
        }
        self.url = self.client.write_url(Some(&retention_policy));
        self.retention_policy = Some(retention_policy);
        self
    }

    /// Before the first commit that has points to send, compares `M`'s schema with the
    /// server's, as [`Client::verify_schema`] does, in this session's retention policy: when a
    /// field the server stores with another type, or a key that is a tag on one side and a
    /// field on the other, would make the server refuse points, the commit fails with
    /// [`ErrorKind::SchemaConflict`](crate::ErrorKind::SchemaConflict), whose message is the
    /// report, and sends nothing (the points stay buffered). Once a check passed, later commits
    /// do not repeat it; a check that failed, or could not ask the server, is made again by the
    /// next commit.
    ///
    /// For a type without a static schema (a [`Point`](crate::Point)), every write and commit
    /// fails with [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig).
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// use inflow::{Client, ErrorKind, Measurement};
    ///
    /// #[derive(Measurement)]
    /// struct Reading {
    ///     #[inflow(tag)]
    ///     sensor: String,
    ///     count: i64,
    /// }
    ///
    /// let client = Client::new("http://localhost:8086/db")?;
    /// let mut session = client.session::<Reading>().verify_schema();
    /// session.write(&Reading { sensor: "a".into(), count: 7 }).await?;
    /// if let Err(err) = session.commit().await {
    ///     if err.kind() == ErrorKind::SchemaConflict {
    ///         // "`Reading::count` (i64, written as integer) conflicts with the server's
    ///         // float field `count` of measurement `reading`"
    ///         eprintln!("{}", err.message());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn verify_schema(mut self) -> Self {
        if M::SCHEMAS.is_empty() {
            self.invalid = Some(format!(
                "verify_schema: `{}` has no static schema to verify",
                std::any::type_name::<M>()
            ));
        }
        self.verify_schema = true;
        self
    }

    /// The check of [`verify_schema`](Self::verify_schema), when it is still due; an error
    /// holds every buffered point in its report.
    async fn verify_schema_once(&mut self) -> Result<()> {
        if !self.verify_schema {
            return Ok(());
        }
        let checked = match self
            .client
            .verify_schema_in::<M>(self.retention_policy.as_deref())
            .await
        {
            Ok(report) => schema_check::refuse_conflicts(&report),
            Err(err) => Err(err),
        };
        if let Err(err) = checked {
            let mut report = CommitReport::default();
            report.set_held(self.len());
            return Err(err.with_report(report));
        }
        self.verify_schema = false;
        Ok(())
    }

    fn check_config(&self) -> Result<()> {
        match &self.invalid {
            None => Ok(()),
            Some(problem) => Err(Error::config(problem.clone())),
        }
    }

    /// Buffers `point`, then commits if autocommit is due.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPoint`](crate::ErrorKind::InvalidPoint) when the point cannot be represented, and
    /// [`ErrorKind::BufferFull`](crate::ErrorKind::BufferFull) when the buffer is at its limit: the point is not buffered and
    /// the buffer is untouched. When the point was buffered but the autocommit failed, the
    /// commit's error: every point, this one included, stays buffered for the next commit
    /// (the next write tries again).
    pub async fn write(&mut self, point: &M) -> Result<()> {
        if self.buffer(point)? {
            // Boxed: a commit's future is large, and every write that does not commit would
            // otherwise carry (and set up) room for it.
            Box::pin(self.commit()).await?;
        }
        Ok(())
    }

    /// Buffers `point` without committing; returns whether autocommit is due.
    #[inline]
    pub(crate) fn buffer(&mut self, point: &M) -> Result<bool> {
        self.check_config()?;
        self.batch.push(point)
    }

    /// Buffers every point of `points`, then commits once if autocommit is due: the origin's
    /// `session.write(template, rows)`. With `autocommit_every(5)`, a list of six points goes in
    /// one commit.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> inflow::Result<()> {
    /// use inflow::{Client, Point};
    ///
    /// let client = Client::new("http://localhost:8086/mydb")?;
    /// let mut session = client.session::<Point>();
    /// let rows = [(1, 21.5), (2, 22.0)];
    /// session
    ///     .write_all(rows.iter().map(|&(at, value)| {
    ///         Point::new("temperature").field("value", value).timestamp_secs(at)
    ///     }))
    ///     .await?;
    /// assert_eq!(session.len(), 2);
    /// # session.discard();
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// When a point of the list cannot be represented ([`ErrorKind::InvalidPoint`](crate::ErrorKind::InvalidPoint), naming its
    /// index) or does not fit ([`ErrorKind::BufferFull`](crate::ErrorKind::BufferFull)), no point of the list is buffered and
    /// the session is as it was before the call. When the list was buffered but the autocommit
    /// failed, the commit's error, as for [`write`](Self::write).
    pub async fn write_all<I>(&mut self, points: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Borrow<M>,
    {
        if self.buffer_all(points)? {
            self.commit().await?;
        }
        Ok(())
    }

    /// Buffers every point of `points` or none; returns whether autocommit is due.
    pub(crate) fn buffer_all<I>(&mut self, points: I) -> Result<bool>
    where
        I: IntoIterator,
        I::Item: Borrow<M>,
    {
        self.check_config()?;
        self.batch.push_all::<M, I>(points)
    }

    /// Sends every buffered point, in one request when it fits the maximum body size. With
    /// nothing buffered, sends nothing.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SchemaConflict`](crate::ErrorKind::SchemaConflict) when the session checks
    /// its schema first ([`verify_schema`](Self::verify_schema)) and the server's conflicts
    /// with it: nothing was sent.
    ///
    /// When not every point was stored: the error that stopped the commit (the server's
    /// refusal, a timeout or a transport error, once the client's retry policy gave up), or,
    /// when every request was answered, the server's refusal of some points
    /// ([`PartialWrite`](crate::ErrorKind::PartialWrite), or
    /// [`WriteFailed`](crate::ErrorKind::WriteFailed) for lines handed back). Its
    /// [`commit_report`](Error::commit_report) says how many points were stored, refused and
    /// are still held; the held ones stay buffered for the next commit.
    pub async fn commit(&mut self) -> Result<()> {
        self.check_config()?;
        if self.batch.encoder().is_empty() {
            return Ok(());
        }
        self.verify_schema_once().await?;
        let flight = self.batch.in_flight();
        let delivered = self
            .client
            .write_body(&self.url, flight.body(), flight.lines(), Resend::Always)
            .await;
        flight.settle(delivered.settled_bytes, delivered.settled_lines);
        delivered
            .result
            .map_err(|err| schema_check::name_conflicting_field(err, M::SCHEMAS))
    }

    /// Runs `body` with this session, then commits what is buffered: the origin's context
    /// manager.
    ///
    /// The commit happens whether `body` succeeds or fails, as the origin's does, so the points
    /// written before a failure are not lost. If `body` failed, its error is returned, with the
    /// commit's error in [`Error::final_commit`] if that failed as well. A failed commit's
    /// report ([`Error::commit_report`]) says what was stored and refused, and since the session
    /// ends with the scope, the points it still held are handed back in it
    /// ([`CommitReport::unsent_line_protocol`](crate::CommitReport::unsent_line_protocol)).
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
        finish_scope(outcome, self.hand_back(committed))
    }

    /// At the end of a scope, hands the points a failed commit still holds back in its error:
    /// the session ends with the scope.
    pub(crate) fn hand_back(&mut self, committed: Result<()>) -> Result<()> {
        let mut err = match committed {
            Ok(()) => return Ok(()),
            Err(err) => err,
        };
        if !self.is_empty()
            && let Some(report) = err.report_mut()
        {
            let lines = String::from_utf8_lossy(self.batch.encoder().as_bytes()).into_owned();
            report.hand_back_unsent(lines);
            self.batch.clear();
        }
        Err(err)
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
        (Err(body), Err(commit)) => Err(body.with_final_commit(commit)),
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

#[cfg(test)]
mod tests {
    use crate::{Client, ErrorKind, Point};

    #[tokio::test]
    async fn verify_schema_on_a_type_without_a_schema_refuses_every_write_and_commit() {
        let client = Client::new("http://localhost:8086/db").unwrap();
        let mut session = client.session::<Point>().verify_schema();
        let err = session
            .write(&Point::new("cpu").field("load", 0.5))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        assert_eq!(
            err.message(),
            "verify_schema: `inflow::point::Point` has no static schema to verify"
        );
        assert!(session.is_empty());
        assert_eq!(
            session.commit().await.unwrap_err().kind(),
            ErrorKind::InvalidConfig
        );
    }
}
