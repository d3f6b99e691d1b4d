//! The blocking twins of [`Client`](crate::Client) and [`Session`](crate::Session), with the
//! same methods without `.await`.
//!
//! Each blocking client owns a helper thread that runs a single-threaded Tokio runtime, on
//! which the async client does its I/O; every blocking method waits for its async twin there.
//! The thread stops when the last clone of the client (and of its sessions) is dropped.
//!
//! # Not inside an async runtime
//!
//! These methods block the calling thread: calling them from async code (inside a Tokio
//! runtime) panics, as blocking a runtime's worker would stall it. Use the async client there,
//! or `tokio::task::spawn_blocking`.
//!
//! ```no_run
//! use inflow::blocking::Client;
//! use inflow::Point;
//!
//! let client = Client::new("http://username:pass@localhost:8086/databasename")?;
//! let mut session = client.session::<Point>().autocommit_every(5);
//! session.write(&Point::new("temperature").field("value", 23.1).timestamp_secs(1475848864))?;
//! session.commit()?;
//! # Ok::<(), inflow::Error>(())
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::thread::JoinHandle;

mod writer;

pub use self::writer::Writer;

use crate::query::{Delete, Queryable, RowStream, StatementResult, TypedQuery};
use crate::session::finish_scope;
use crate::{ClientBuilder, Error, ErrorKind, FromRow, Measurement, Precision, Query, Result};

/// The thread that drives the I/O of a blocking client.
pub(crate) struct RuntimeThread {
    pub(crate) handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RuntimeThread {
    fn start() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| runtime_error("could not create the runtime", err))?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("inflow-blocking".to_owned())
            .spawn(move || {
                // Drives the I/O and timers of every call until the client is dropped.
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })
            .map_err(|err| runtime_error("could not start its thread", err))?;
        Ok(RuntimeThread {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Runs `future` to completion on the calling thread, its I/O driven by the helper thread.
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }
}

fn runtime_error(what: &str, err: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Transport,
        format!("the blocking client {what}: {err}"),
    )
    .with_source(err)
}

impl Drop for RuntimeThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The blocking twin of [`inflow::Client`](crate::Client).
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<RuntimeThread>,
}

const _: () = {
    const fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Client>();
};

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Client")
            .field(&self.inner)
            .finish()
    }
}

impl Client {
    pub(crate) fn from_async(inner: crate::Client) -> Result<Self> {
        Ok(Client {
            inner,
            runtime: Arc::new(RuntimeThread::start()?),
        })
    }

    /// A client for `url`, as [`inflow::Client::new`](crate::Client::new).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] when the URL is not of the form
    /// `http[s]://[user:password@]host[:port][/prefix]/database`.
    pub fn new(url: &str) -> Result<Self> {
        Client::builder(url).build()
    }

    /// A builder for a blocking client of `url`, with the same options as the async one.
    pub fn builder(url: impl Into<String>) -> ClientBuilder<Client> {
        ClientBuilder::new(url)
    }

    /// The async client this one wraps, sharing its connections.
    #[must_use]
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// The database written to.
    #[must_use]
    pub fn database(&self) -> &str {
        self.inner.database()
    }

    /// The precision of written timestamps.
    #[must_use]
    pub fn precision(&self) -> Precision {
        self.inner.precision()
    }

    /// The retention policy written to, if not the database's default.
    #[must_use]
    pub fn retention_policy(&self) -> Option<&str> {
        self.inner.retention_policy()
    }

    /// See [`inflow::Client::with_retention_policy`](crate::Client::with_retention_policy).
    #[must_use]
    pub fn with_retention_policy(&self, retention_policy: impl Into<String>) -> Client {
        Client {
            inner: self.inner.with_retention_policy(retention_policy),
            runtime: Arc::clone(&self.runtime),
        }
    }

    /// See [`inflow::Client::write`](crate::Client::write).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn write<M: Measurement + ?Sized>(&self, point: &M) -> Result<()> {
        self.runtime.block_on(self.inner.write(point))
    }

    /// See [`inflow::Client::write_all`](crate::Client::write_all).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn write_all<I>(&self, points: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Measurement,
    {
        self.runtime.block_on(self.inner.write_all(points))
    }

    /// See [`inflow::Client::write_line_protocol`](crate::Client::write_line_protocol).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn write_line_protocol(&self, body: &str) -> Result<()> {
        self.runtime.block_on(self.inner.write_line_protocol(body))
    }

    /// See [`inflow::Client::session`](crate::Client::session).
    pub fn session<M: Measurement>(&self) -> Session<M> {
        Session {
            inner: self.inner.session(),
            runtime: Arc::clone(&self.runtime),
        }
    }

    /// See [`inflow::Client::with_session`](crate::Client::with_session).
    ///
    /// # Errors
    ///
    /// The error of `body`, or else of the final commit.
    pub fn with_session<M, T>(&self, body: impl FnOnce(&mut Session<M>) -> Result<T>) -> Result<T>
    where
        M: Measurement,
    {
        self.session().scope(body)
    }

    /// See [`inflow::Client::query`](crate::Client::query).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn query(&self, query: impl Into<Query>) -> Result<Vec<StatementResult>> {
        self.runtime.block_on(self.inner.query(query))
    }

    /// See [`inflow::Client::query_as`](crate::Client::query_as).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn query_as<M: FromRow>(&self, query: impl Into<Query>) -> Result<Vec<M>> {
        self.runtime.block_on(self.inner.query_as(query))
    }

    /// See [`inflow::Client::query_stream`](crate::Client::query_stream): the rows as an
    /// [`Iterator`], decoded as they arrive.
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn query_stream<M: FromRow + Unpin>(&self, query: impl Into<Query>) -> Result<Rows<M>> {
        let stream = self.runtime.block_on(self.inner.query_stream(query))?;
        Ok(Rows {
            stream,
            runtime: Arc::clone(&self.runtime),
        })
    }

    /// See [`inflow::Client::fetch`](crate::Client::fetch).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn fetch<Q: TypedQuery>(&self, query: Q) -> Result<Vec<Q::Row>> {
        self.query_as(query.to_query())
    }

    /// See [`inflow::Client::fetch_stream`](crate::Client::fetch_stream): the rows as an
    /// [`Iterator`], decoded as they arrive.
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn fetch_stream<Q: TypedQuery>(&self, query: Q) -> Result<Rows<Q::Row>>
    where
        Q::Row: Unpin,
    {
        self.query_stream(query.to_query())
    }

    /// See [`inflow::Client::delete`](crate::Client::delete).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn delete<M: Queryable + Measurement>(&self, delete: Delete<M>) -> Result<()> {
        self.runtime.block_on(self.inner.delete(delete))
    }

    /// See [`inflow::Client::create_database`](crate::Client::create_database).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn create_database(&self) -> Result<()> {
        self.runtime.block_on(self.inner.create_database())
    }

    /// See [`inflow::Client::drop_database`](crate::Client::drop_database).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn drop_database(&self) -> Result<()> {
        self.runtime.block_on(self.inner.drop_database())
    }

    /// See [`inflow::Client::create_retention_policy`](crate::Client::create_retention_policy).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn create_retention_policy(
        &self,
        name: &str,
        duration: Option<std::time::Duration>,
        default: bool,
    ) -> Result<()> {
        self.runtime
            .block_on(self.inner.create_retention_policy(name, duration, default))
    }

    /// See [`inflow::Client::show_measurements`](crate::Client::show_measurements).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn show_measurements(&self) -> Result<Vec<String>> {
        self.runtime.block_on(self.inner.show_measurements())
    }

    /// See [`inflow::Client::show_field_keys`](crate::Client::show_field_keys).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn show_field_keys(&self, measurement: &str) -> Result<Vec<(String, String)>> {
        self.runtime
            .block_on(self.inner.show_field_keys(measurement))
    }

    /// See [`inflow::Client::verify_schema`](crate::Client::verify_schema).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn verify_schema<M: Measurement + ?Sized>(&self) -> Result<crate::SchemaReport> {
        self.runtime.block_on(self.inner.verify_schema::<M>())
    }

    /// See [`inflow::Client::ping`](crate::Client::ping).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn ping(&self) -> Result<String> {
        self.runtime.block_on(self.inner.ping())
    }
}

/// The rows of [`Client::query_stream`], decoded as they arrive.
pub struct Rows<M> {
    stream: RowStream<M>,
    runtime: Arc<RuntimeThread>,
}

impl<M> fmt::Debug for Rows<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Rows").field(&self.stream).finish()
    }
}

impl<M: FromRow + Unpin> Iterator for Rows<M> {
    type Item = Result<M>;

    fn next(&mut self) -> Option<Result<M>> {
        self.runtime.block_on(self.stream.next())
    }
}

/// The blocking twin of [`inflow::Session`](crate::Session).
pub struct Session<M> {
    inner: crate::Session<M>,
    runtime: Arc<RuntimeThread>,
}

const _: () = {
    const fn sendable<T: Send>() {}
    // Even for a point type that is not `Sync`.
    sendable::<Session<std::cell::Cell<u8>>>();
};

impl<M> fmt::Debug for Session<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Session")
            .field(&self.inner)
            .finish()
    }
}

impl<M: Measurement> Session<M> {
    /// See [`inflow::Session::autocommit_every`](crate::Session::autocommit_every).
    #[must_use]
    pub fn autocommit_every(self, every: usize) -> Self {
        Session {
            inner: self.inner.autocommit_every(every),
            runtime: self.runtime,
        }
    }

    /// See [`inflow::Session::max_buffered_points`](crate::Session::max_buffered_points).
    #[must_use]
    pub fn max_buffered_points(self, points: usize) -> Self {
        Session {
            inner: self.inner.max_buffered_points(points),
            runtime: self.runtime,
        }
    }

    /// See [`inflow::Session::max_buffered_bytes`](crate::Session::max_buffered_bytes).
    #[must_use]
    pub fn max_buffered_bytes(self, bytes: usize) -> Self {
        Session {
            inner: self.inner.max_buffered_bytes(bytes),
            runtime: self.runtime,
        }
    }

    /// See [`inflow::Session::retention_policy`](crate::Session::retention_policy).
    #[must_use]
    pub fn retention_policy(self, retention_policy: impl Into<String>) -> Self {
        Session {
            inner: self.inner.retention_policy(retention_policy),
            runtime: self.runtime,
        }
    }

    /// See [`inflow::Session::verify_schema`](crate::Session::verify_schema): the first commit
    /// that sends checks `M`'s schema against the server's.
    #[must_use]
    pub fn verify_schema(self) -> Self {
        Session {
            inner: self.inner.verify_schema(),
            runtime: self.runtime,
        }
    }

    /// See [`inflow::Session::write`](crate::Session::write).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn write(&mut self, point: &M) -> Result<()> {
        // Buffering needs no runtime: only a due autocommit enters it.
        if self.inner.buffer(point)? {
            self.runtime.block_on(self.inner.commit())?;
        }
        Ok(())
    }

    /// See [`inflow::Session::write_all`](crate::Session::write_all).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn write_all<I>(&mut self, points: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: std::borrow::Borrow<M>,
    {
        if self.inner.buffer_all(points)? {
            self.runtime.block_on(self.inner.commit())?;
        }
        Ok(())
    }

    /// See [`inflow::Session::commit`](crate::Session::commit).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn commit(&mut self) -> Result<()> {
        self.runtime.block_on(self.inner.commit())
    }

    /// See [`inflow::Session::scope`](crate::Session::scope).
    ///
    /// # Errors
    ///
    /// The error of `body`, or else of the final commit.
    pub fn scope<T>(mut self, body: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let outcome = body(&mut self);
        let committed = self.commit();
        let committed = self.inner.hand_back(committed);
        finish_scope(outcome, committed)
    }

    /// The number of points buffered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether no point is buffered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The size of the buffered line protocol, in bytes.
    #[must_use]
    pub fn buffered_bytes(&self) -> usize {
        self.inner.buffered_bytes()
    }

    /// The buffered line protocol: what the next commit sends, one line per point.
    #[must_use]
    pub fn buffered_line_protocol(&self) -> &[u8] {
        self.inner.buffered_line_protocol()
    }

    /// The retention policy this session writes to, if not the database's default.
    #[must_use]
    pub fn retention_policy_name(&self) -> Option<&str> {
        self.inner.retention_policy_name()
    }

    /// See [`inflow::Session::discard`](crate::Session::discard).
    pub fn discard(&mut self) -> usize {
        self.inner.discard()
    }
}
