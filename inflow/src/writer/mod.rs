//! The background writer: points from any number of tasks and threads, batched and sent by a
//! task of its own, with bounded memory and an account of every point.

mod driver;
mod pipeline;
#[cfg(feature = "spool")]
mod spool;

#[cfg(feature = "spool")]
pub use self::spool::SpoolSync;

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, broadcast, mpsc, oneshot};

use crate::delivery::CommitReport;
use crate::line_protocol::Encoder;
use crate::{Client, Error, ErrorKind, Measurement, Result};

use self::driver::{Command, Driver};

/// The most points a writer sends in one batch unless configured otherwise.
pub const DEFAULT_BATCH_POINTS: usize = 5_000;
/// The most bytes of line protocol a writer sends in one batch unless configured otherwise
/// (1 MiB).
pub const DEFAULT_BATCH_BYTES: usize = 1 << 20;
/// How long a writer lets a batch fill before sending it, unless configured otherwise.
pub const DEFAULT_FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// How many requests a writer has out at once unless configured otherwise.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 2;

/// What a write does when the writer holds as many points or bytes as it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Overflow {
    /// Wait until the writer has room: the async `write` awaits, the blocking one blocks. The
    /// default.
    #[default]
    Wait,
    /// Wait at most this long, then fail with [`ErrorKind::BufferFull`]; the point is not taken.
    WaitAtMost(Duration),
    /// Fail at once with [`ErrorKind::BufferFull`]; the point is not taken.
    Error,
}

/// Something the writer did that its caller should know about, as it happens: see
/// [`Writer::events`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum WriterEvent {
    /// The server refused `points` points of a batch (a field type conflict, points beyond
    /// the retention policy, a line it cannot parse or too large for it). They are not sent
    /// again; the error's [`commit_report`](Error::commit_report) has the server's reasons and
    /// the lines handed back.
    Refused {
        /// The points refused.
        points: usize,
        /// The server's answer.
        error: Arc<Error>,
    },
    /// The retry policy gave up on a batch: its lane's `points` points are still held, and
    /// will be sent again in a new round (or by the next `flush` or `close`).
    Stalled {
        /// The points still held in the lane that stalled.
        points: usize,
        /// The last attempt's error.
        error: Arc<Error>,
    },
    /// Points that nothing holds any more: the last handle was dropped without
    /// [`close`](Writer::close), and the retry policy gave up on them, or the runtime
    /// stopped. They are counted in [`WriterStats::dropped`].
    Abandoned {
        /// The points abandoned.
        points: usize,
    },
    /// This receiver fell behind and missed `events` events (they are counted in
    /// [`Writer::stats`] all the same).
    Missed {
        /// The events missed.
        events: u64,
    },
}

/// The counters of a writer, in points: see [`Writer::stats`].
///
/// At any moment, `accepted == stored + refused + pending + returned + dropped + left_in_spool`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriterStats {
    /// Points `write` took, and points found in the spool when the writer was built (those
    /// are counted in [`recovered`](Self::recovered) too).
    pub accepted: u64,
    /// Points the server stored.
    pub stored: u64,
    /// Points the server refused (reported as [`WriterEvent::Refused`]).
    pub refused: u64,
    /// Requests sent again after a failure that may pass.
    pub retried: u64,
    /// Points taken and not yet stored or refused: buffered, in flight, or waiting to be sent
    /// again.
    pub pending: u64,
    /// The bytes of line protocol of the pending points: what the writer's memory limit
    /// ([`max_pending_bytes`](WriterBuilder::max_pending_bytes)) bounds.
    pub pending_bytes: u64,
    /// Of the pending points, those in requests now out.
    pub in_flight: u64,
    /// Points [`close`](Writer::close) handed back unsent.
    pub returned: u64,
    /// Points abandoned: only after the last handle was dropped without `close` (see
    /// [`WriterEvent::Abandoned`]). Nothing else ever drops a point. A writer with a spool
    /// never drops: what it would abandon stays in the spool (see
    /// [`left_in_spool`](Self::left_in_spool)).
    pub dropped: u64,
    /// Points an earlier writer left in the spool directory, found when this one was built and
    /// sent before any point it took. Always 0 without a spool.
    pub recovered: u64,
    /// Points that a writer with a spool, dropped without [`close`](Writer::close), could not
    /// send and left in its spool directory, for the next writer opened on it. Always 0
    /// without a spool.
    pub left_in_spool: u64,
}

/// Events of a writer as they happen: see [`Writer::events`].
#[derive(Debug)]
pub struct WriterEvents {
    receiver: broadcast::Receiver<WriterEvent>,
}

impl WriterEvents {
    /// The next event; `None` once the writer's task has ended and every event was read.
    pub async fn next(&mut self) -> Option<WriterEvent> {
        Self::received(self.receiver.recv().await)
    }

    /// The next event if one is waiting, without waiting.
    pub fn try_next(&mut self) -> Option<WriterEvent> {
        match self.receiver.try_recv() {
            Ok(event) => Some(event),
            Err(broadcast::error::TryRecvError::Lagged(events)) => {
                Some(WriterEvent::Missed { events })
            }
            Err(_) => None,
        }
    }

    /// The next event, blocking the thread until there is one (from synchronous code only:
    /// inside an async runtime this panics, as any blocking wait there would stall it).
    pub fn blocking_next(&mut self) -> Option<WriterEvent> {
        Self::received(self.receiver.blocking_recv())
    }

    fn received(
        received: std::result::Result<WriterEvent, broadcast::error::RecvError>,
    ) -> Option<WriterEvent> {
        match received {
            Ok(event) => Some(event),
            Err(broadcast::error::RecvError::Lagged(events)) => {
                Some(WriterEvent::Missed { events })
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// The schema check a writer makes before its first request.
#[derive(Debug)]
pub(crate) struct SchemaCheck {
    pub(crate) schemas: Vec<crate::Schema>,
    pub(crate) type_name: &'static str,
    pub(crate) retention_policy: Option<String>,
    pub(crate) passed: AtomicBool,
}

/// How many events wait for a slow receiver before it misses some.
const EVENTS_KEPT: usize = 1024;

/// The writer's settings.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) batch_points: usize,
    pub(crate) batch_bytes: usize,
    pub(crate) flush_interval: Duration,
    pub(crate) jitter: Duration,
    pub(crate) max_in_flight: usize,
    pub(crate) max_pending_points: usize,
    pub(crate) max_pending_bytes: usize,
    pub(crate) overflow: Overflow,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            batch_points: DEFAULT_BATCH_POINTS,
            batch_bytes: DEFAULT_BATCH_BYTES,
            flush_interval: DEFAULT_FLUSH_INTERVAL,
            jitter: Duration::ZERO,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_pending_points: crate::DEFAULT_MAX_BUFFERED_POINTS,
            max_pending_bytes: crate::DEFAULT_MAX_BUFFERED_BYTES,
            overflow: Overflow::Wait,
        }
    }
}

/// What producers and the background task share.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Async producers waiting for room.
    room: Notify,
    /// Blocking producers waiting for room.
    room_changed: Condvar,
    /// The background task: a batch is due, or the first point of one arrived.
    wake: Notify,
    commands: mpsc::UnboundedSender<Command>,
    events: broadcast::Sender<WriterEvent>,
    config: Config,
}

/// The buffer and the counters, behind the writer's lock.
#[derive(Debug)]
pub(crate) struct State {
    /// The batch being filled.
    open: Encoder,
    /// When its first point arrived.
    first_at: Option<Instant>,
    /// The background task was told the batch is full.
    due_signalled: bool,
    /// Points and bytes taken and not yet settled (stored, refused, returned or dropped).
    pending_points: usize,
    pending_bytes: usize,
    /// Counts the changes that may make room, for blocking producers waiting for one.
    room_generation: u64,
    closed: bool,
    stats: WriterStats,
    /// The spool's open segment: every point taken is appended to it before `write` returns.
    #[cfg(feature = "spool")]
    segment: Option<spool::Segment>,
}

impl State {
    /// An empty writer's state, encoding times in `precision`.
    pub(crate) fn new(precision: crate::Precision) -> Self {
        State {
            open: Encoder::new(precision),
            first_at: None,
            due_signalled: false,
            pending_points: 0,
            pending_bytes: 0,
            room_generation: 0,
            closed: false,
            stats: WriterStats::default(),
            #[cfg(feature = "spool")]
            segment: None,
        }
    }

    /// Settles `points` points of `bytes` bytes: they no longer take room.
    pub(crate) fn release(&mut self, points: usize, bytes: usize) {
        self.pending_points = self.pending_points.saturating_sub(points);
        self.pending_bytes = self.pending_bytes.saturating_sub(bytes);
        self.stats.pending = self.pending_points as u64;
        self.stats.pending_bytes = self.pending_bytes as u64;
        self.room_generation = self.room_generation.wrapping_add(1);
    }
}

#[cfg(feature = "spool")]
impl State {
    /// Opens the spool, and takes the points an earlier writer left in it.
    fn open_spool(&mut self, config: &spool::SpoolConfig) -> Result<spool::SpoolFiles> {
        let opened = spool::open(config, self.open.precision())?;
        let (lines, bytes) = (opened.recovered_lines, opened.recovered.len());
        if lines > 0 {
            self.open.extend_encoded(&opened.recovered, lines);
            self.pending_points += lines;
            self.pending_bytes += bytes;
            self.stats.accepted += lines as u64;
            self.stats.recovered += lines as u64;
            self.stats.pending = self.pending_points as u64;
            // Sent at once: the driver cuts them as it starts.
            self.first_at = Some(Instant::now());
        }
        self.segment = Some(opened.segment);
        Ok(opened.files)
    }
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A user's `encode` that panicked left the buffer as it was (the encoder takes the
        // unfinished line out as the panic unwinds): the state is whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every producer waiting for room.
    pub(crate) fn room_made(&self) {
        self.room.notify_waiters();
        self.room_changed.notify_all();
    }

    pub(crate) fn report(&self, event: WriterEvent) {
        // No receiver is not an error: the counters keep the count.
        let _ = self.events.send(event);
    }

    /// Takes `point` when there is room for it.
    fn take<M: Measurement + ?Sized>(&self, point: &M) -> Result<Taken> {
        let config = &self.config;
        let mut state = self.lock();
        if state.closed {
            return Err(closed());
        }
        if state.pending_points >= config.max_pending_points {
            return Ok(Taken::Full(state.room_generation));
        }
        let (points_before, bytes_before) = (state.open.len(), state.open.as_bytes().len());
        state.open.encode(point)?;
        let added = state.open.as_bytes().len() - bytes_before;
        if state.pending_bytes + added > config.max_pending_bytes {
            state.open.truncate(bytes_before, points_before);
            return too_large(added, 1, config).map(|()| Taken::Full(state.room_generation));
        }
        #[cfg(feature = "spool")]
        {
            let state = &mut *state;
            if let Some(segment) = &mut state.segment
                && let Err(err) = segment.append(&state.open.as_bytes()[bytes_before..], 1)
            {
                state.open.truncate(bytes_before, points_before);
                return Err(err);
            }
        }
        Ok(self.accepted(&mut state, 1, added))
    }

    /// Takes the encoded `block` (`points` lines) whole when there is room for it.
    fn take_block(&self, block: &Encoder) -> Result<Taken> {
        let config = &self.config;
        let (points, bytes) = (block.len(), block.as_bytes().len());
        too_large(bytes, points, config)?;
        let mut state = self.lock();
        if state.closed {
            return Err(closed());
        }
        if state.pending_points + points > config.max_pending_points
            || state.pending_bytes + bytes > config.max_pending_bytes
        {
            return Ok(Taken::Full(state.room_generation));
        }
        #[cfg(feature = "spool")]
        if let Some(segment) = &mut state.segment {
            segment.append(block.as_bytes(), points)?;
        }
        state.open.extend_encoded(block.as_bytes(), points);
        Ok(self.accepted(&mut state, points, bytes))
    }

    /// Counts a write that was taken, and wakes the background task when the write began a
    /// batch or made it due; [`Taken::Due`] in the second case.
    #[inline]
    fn accepted(&self, state: &mut State, points: usize, bytes: usize) -> Taken {
        state.pending_points += points;
        state.pending_bytes += bytes;
        state.stats.accepted += points as u64;
        state.stats.pending = state.pending_points as u64;
        state.stats.pending_bytes = state.pending_bytes as u64;
        if state.first_at.is_none() {
            state.first_at = Some(Instant::now());
            self.wake.notify_one();
        }
        if !state.due_signalled
            && (state.open.len() >= self.config.batch_points
                || state.open.as_bytes().len() >= self.config.batch_bytes)
        {
            state.due_signalled = true;
            self.wake.notify_one();
            return Taken::Due;
        }
        Taken::Yes
    }

    #[cfg(feature = "blocking")]
    /// Blocks the thread until the room generation moves past `generation`, the writer is
    /// closed, or `until` passes; `false` when `until` passed.
    fn wait_for_room_blocking(&self, generation: u64, until: Option<Instant>) -> bool {
        let mut state = self.lock();
        while state.room_generation == generation && !state.closed {
            match until {
                None => {
                    state = self
                        .room_changed
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                Some(until) => {
                    let Some(left) = until.checked_duration_since(Instant::now()) else {
                        return false;
                    };
                    state = self
                        .room_changed
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
        true
    }
}

/// Whether a write was taken.
enum Taken {
    Yes,
    /// Taken, and the batch is now due: the background task was woken.
    Due,
    /// Not now: the writer is full (at this room generation).
    Full(#[cfg_attr(not(feature = "blocking"), allow(dead_code))] u64),
}

/// An error when `points` points of `bytes` bytes could never fit the writer's limits.
fn too_large(bytes: usize, points: usize, config: &Config) -> Result<()> {
    if points > config.max_pending_points || bytes > config.max_pending_bytes {
        return Err(Error::new(
            ErrorKind::BufferFull,
            format!(
                "{points} points of {bytes} bytes can never fit the writer's limits of {} points and {} bytes; they were not taken",
                config.max_pending_points, config.max_pending_bytes
            ),
        ));
    }
    Ok(())
}

fn full(waited: Option<Duration>) -> Error {
    let message = match waited {
        None => "the writer holds as many points as it may; the point was not taken".to_owned(),
        Some(waited) => format!("the writer had no room for {waited:?}; the point was not taken"),
    };
    Error::new(ErrorKind::BufferFull, message)
}

fn closed() -> Error {
    Error::new(
        ErrorKind::Closed,
        "the writer was closed: it takes no more points",
    )
}

/// Tells the background task when the last handle is gone.
struct LastHandle {
    shared: Arc<Shared>,
}

impl Drop for LastHandle {
    fn drop(&mut self) {
        let _ = self.shared.commands.send(Command::Detach);
    }
}

/// Writes points of type `M` from any number of tasks and threads through a background task
/// that batches them: for services that emit points all the time. Built by
/// [`Client::writer`].
///
/// [`write`](Writer::write) encodes the point in the caller (a point that cannot be
/// represented is refused right there, nothing else touched) and appends it to the writer's
/// buffer; it never waits for the server. The background task sends a batch when it reaches
/// [`batch_points`](WriterBuilder::batch_points) points or
/// [`batch_bytes`](WriterBuilder::batch_bytes) bytes, or when
/// [`flush_interval`](WriterBuilder::flush_interval) has passed since its first point,
/// whichever comes first, with up to [`max_in_flight`](WriterBuilder::max_in_flight) requests
/// out at once.
///
/// # Every point is accounted for
///
/// Each point taken ends **stored**, **refused** by the server (reported: as a
/// [`WriterEvent::Refused`], in [`stats`](Writer::stats), and in the result of the `flush` or
/// `close` that waited for it), or **held** until it is stored: a failure that may pass is
/// retried on the lane's own timer with the client's [`RetryPolicy`](crate::RetryPolicy), and
/// when the policy gives up the points stay held (reported as [`WriterEvent::Stalled`]) and
/// are tried again later. [`close`](Writer::close) hands back what it could not send by its
/// deadline. Nothing is dropped to make room: a full writer makes its producers wait (or fail
/// at once, as [`Overflow`] says).
///
/// # Order
///
/// Points of one series (measurement and tag set) travel in one lane: its batches go one
/// request at a time, in the order written, each only once the one before is settled, retries
/// included. So of two points with the same series and time, the one written later is stored
/// last and wins. Points of different series may be stored in any order.
///
/// # Shutting down
///
/// Call [`close`](Writer::close) (from any handle) and keep what it hands back. Dropping the
/// last handle without `close` lets the background task go on sending what is left while the
/// runtime runs; what it then cannot send (the retry policy gave up, or the runtime stopped)
/// is abandoned with a warning through `tracing` and counted in [`WriterStats::dropped`]; with
/// a spool (feature `spool`), it stays in the spool instead, for the next writer opened on it.
///
/// ```no_run
/// # #[tokio::main]
/// # async fn main() -> inflow::Result<()> {
/// use std::time::Duration;
/// use inflow::{Client, Point};
///
/// let client = Client::new("http://localhost:8086/telemetry")?;
/// let writer = client.writer::<Point>().batch_points(1000).build()?;
/// let mut tasks = Vec::new();
/// for sensor in 0..4 {
///     let writer = writer.clone();
///     tasks.push(tokio::spawn(async move {
///         for reading in 0..100 {
///             let point = Point::new("reading")
///                 .tag("sensor", sensor.to_string())
///                 .field("value", reading)
///                 .timestamp_secs(1_700_000_000 + reading);
///             writer.write(&point).await?;
///         }
///         Ok::<(), inflow::Error>(())
///     }));
/// }
/// for task in tasks {
///     task.await.expect("a producer panicked")?;
/// }
/// writer.close(Duration::from_secs(10)).await?;
/// assert_eq!(writer.stats().stored, 400);
/// # Ok(()) }
/// ```
pub struct Writer<M> {
    shared: Arc<Shared>,
    last_handle: Arc<LastHandle>,
    points: PhantomData<fn(&M)>,
}

const _: () = {
    const fn shareable<T: Send + Sync + Clone>() {}
    // Even for a point type that is neither `Send` nor `Sync`: the writer holds bytes.
    shareable::<Writer<std::rc::Rc<u8>>>();
};

impl<M> Clone for Writer<M> {
    fn clone(&self) -> Self {
        Writer {
            shared: Arc::clone(&self.shared),
            last_handle: Arc::clone(&self.last_handle),
            points: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Writer<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer")
            .field("measurement", &std::any::type_name::<M>())
            .field("config", &self.shared.config)
            .field("stats", &self.stats())
            .finish()
    }
}

impl<M: Measurement> Writer<M> {
    /// Takes `point`: encodes it and appends it to the writer's buffer. Never waits for the
    /// server; waits for room only when the writer is full and its [`Overflow`] policy says so.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPoint`] when the point cannot be represented,
    /// [`ErrorKind::BufferFull`] when there is no room and the policy says not to wait (or to
    /// wait no longer), and [`ErrorKind::Closed`] once the writer is closed. In each case the
    /// point was not taken and nothing else was touched.
    pub async fn write(&self, point: &M) -> Result<()> {
        match self.shared.take(point)? {
            Taken::Yes => Ok(()),
            Taken::Due => {
                give_way().await;
                Ok(())
            }
            Taken::Full(_) => self.wait_for_room(|| self.shared.take(point)).await,
        }
    }

    /// Takes every point of `points`, or none: they are encoded first, and appended together
    /// once there is room for all of them.
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write); a point that cannot be represented is named by its index in
    /// the list. Nothing of the list is taken.
    pub async fn write_all<I>(&self, points: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Borrow<M>,
    {
        let block = self.encode_all(points)?;
        match self.shared.take_block(&block)? {
            Taken::Yes => Ok(()),
            Taken::Due => {
                give_way().await;
                Ok(())
            }
            Taken::Full(_) => self.wait_for_room(|| self.shared.take_block(&block)).await,
        }
    }

    pub(crate) fn encode_all<I>(&self, points: I) -> Result<Encoder>
    where
        I: IntoIterator,
        I::Item: Borrow<M>,
    {
        let precision = self.shared.lock().open.precision();
        let mut block = Encoder::new(precision);
        for (index, point) in points.into_iter().enumerate() {
            block
                .encode(point.borrow())
                .map_err(|err| Error::from(err).in_list(index))?;
        }
        Ok(block)
    }

    async fn wait_for_room(&self, mut take: impl FnMut() -> Result<Taken>) -> Result<()> {
        let until = match self.shared.config.overflow {
            Overflow::Error => return Err(full(None)),
            Overflow::Wait => None,
            Overflow::WaitAtMost(most) => Some(tokio::time::Instant::now() + most),
        };
        loop {
            let room = self.shared.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            if let Taken::Yes | Taken::Due = take()? {
                return Ok(());
            }
            match until {
                None => room.await,
                Some(until) => {
                    if tokio::time::timeout_at(until, room).await.is_err() {
                        return match take()? {
                            Taken::Yes | Taken::Due => Ok(()),
                            Taken::Full(_) => Err(full(self.shared.config.overflow_wait())),
                        };
                    }
                }
            }
        }
    }

    /// The blocking `write`: the same, waiting for room by blocking the thread.
    #[cfg(feature = "blocking")]
    pub(crate) fn write_blocking(&self, point: &M) -> Result<()> {
        self.take_blocking(|| self.shared.take(point))
    }

    /// The blocking `write_all`.
    #[cfg(feature = "blocking")]
    pub(crate) fn write_all_blocking<I>(&self, points: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Borrow<M>,
    {
        let block = self.encode_all(points)?;
        self.take_blocking(|| self.shared.take_block(&block))
    }

    #[cfg(feature = "blocking")]
    fn take_blocking(&self, mut take: impl FnMut() -> Result<Taken>) -> Result<()> {
        let until = match self.shared.config.overflow {
            Overflow::Error => None,
            Overflow::Wait => None,
            Overflow::WaitAtMost(most) => Some(Instant::now() + most),
        };
        loop {
            let generation = match take()? {
                Taken::Yes | Taken::Due => return Ok(()),
                Taken::Full(generation) => generation,
            };
            if self.shared.config.overflow == Overflow::Error {
                return Err(full(None));
            }
            if !self.shared.wait_for_room_blocking(generation, until) {
                return match take()? {
                    Taken::Yes | Taken::Due => Ok(()),
                    Taken::Full(_) => Err(full(self.shared.config.overflow_wait())),
                };
            }
        }
    }
}

/// Lets the background task run once a batch is due: it was woken into this worker's LIFO
/// slot, which no other worker takes, so a producer whose writes never wait would keep it from
/// running (and the batch from being sent) until the producer stops.
async fn give_way() {
    tokio::task::yield_now().await;
}

impl Config {
    fn overflow_wait(&self) -> Option<Duration> {
        match self.overflow {
            Overflow::WaitAtMost(most) => Some(most),
            Overflow::Wait | Overflow::Error => None,
        }
    }
}

impl<M> Writer<M> {
    /// Sends what is buffered now, and returns once every point written before the call is
    /// stored, refused, or still held after the retry policy gave up on it (a batch the
    /// policy gave up on earlier is tried again first).
    ///
    /// On success, the report counts the points it waited for that were stored after the call
    /// (points already stored before it are not in it: [`stats`](Self::stats) has the totals).
    ///
    /// # Errors
    ///
    /// When not every point was stored: the first error met, whose
    /// [`commit_report`](Error::commit_report) counts the points stored, refused (with the
    /// server's reasons) and still held (they stay in the writer and are sent again later);
    /// [`ErrorKind::Closed`] once the writer is closed.
    pub async fn flush(&self) -> Result<CommitReport> {
        let (reply, outcome) = oneshot::channel();
        self.command(Command::Flush(reply))?;
        outcome.await.map_err(|_| closed())?
    }

    /// Closes the writer for every handle: takes no more points, sends what it holds, stops
    /// its background task, and returns within `deadline`.
    ///
    /// Points it could not send by then (the deadline passed, or the retry policy gave up) are
    /// handed back in the error's report as line protocol
    /// ([`CommitReport::unsent_line_protocol`]), to be kept or written later: writing them
    /// again is safe, as every point carries its time and a point written twice overwrites
    /// itself (one may already be stored if its request was out at the deadline).
    ///
    /// # Errors
    ///
    /// When not every point was stored: as for [`flush`](Self::flush), with the unsent points
    /// handed back; [`ErrorKind::Closed`] when the writer was already closed.
    pub async fn close(&self, deadline: Duration) -> Result<CommitReport> {
        let (reply, outcome) = oneshot::channel();
        self.command(Command::Close(deadline, reply))?;
        outcome.await.map_err(|_| closed())?
    }

    fn command(&self, command: Command) -> Result<()> {
        if self.shared.lock().closed {
            return Err(closed());
        }
        self.shared.commands.send(command).map_err(|_| closed())
    }

    /// The writer's counters now.
    #[must_use]
    pub fn stats(&self) -> WriterStats {
        self.shared.lock().stats
    }

    /// A receiver of the writer's events from now on: every refused batch, every batch the
    /// retry policy gave up on, and every point abandoned. Events never wait for receivers: a
    /// receiver that falls more than a thousand events behind misses the oldest, and is told
    /// how many ([`WriterEvent::Missed`]).
    #[must_use]
    pub fn events(&self) -> WriterEvents {
        WriterEvents {
            receiver: self.shared.events.subscribe(),
        }
    }
}

/// Configures a [`Writer`]: from [`Client::writer`] (or, for a blocking one,
/// `inflow::blocking::Client::writer`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> inflow::Result<()> {
/// use std::time::Duration;
/// use inflow::{Client, Overflow, Point};
///
/// let client = Client::new("http://localhost:8086/telemetry")?;
/// let writer = client
///     .writer::<Point>()
///     .batch_points(10_000)
///     .flush_interval(Duration::from_millis(500))
///     .jitter(Duration::from_millis(100))
///     .max_in_flight(4)
///     .max_pending_points(500_000)
///     .overflow(Overflow::WaitAtMost(Duration::from_secs(5)))
///     .retention_policy("rp_four_weeks")
///     .build()?;
/// # drop(writer);
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct WriterBuilder<M, W = Writer<M>> {
    pub(crate) client: Client,
    config: Config,
    retention_policy: Option<String>,
    invalid: Option<String>,
    /// Check the schema before the first request.
    check_schema: bool,
    #[cfg(feature = "spool")]
    spool_dir: Option<std::path::PathBuf>,
    #[cfg(feature = "spool")]
    spool_sync: SpoolSync,
    /// The blocking client's runtime, for a blocking writer.
    #[cfg(feature = "blocking")]
    pub(crate) runtime: Option<Arc<crate::blocking::RuntimeThread>>,
    flavor: PhantomData<fn(&M) -> W>,
}

impl<M, W> fmt::Debug for WriterBuilder<M, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("WriterBuilder");
        f.field("measurement", &std::any::type_name::<M>())
            .field("config", &self.config)
            .field("retention_policy", &self.retention_policy);
        #[cfg(feature = "spool")]
        f.field("spool_dir", &self.spool_dir)
            .field("spool_sync", &self.spool_sync);
        f.finish()
    }
}

impl<M, W> WriterBuilder<M, W> {
    pub(crate) fn new(client: Client) -> Self {
        let retention_policy = client.retention_policy().map(str::to_owned);
        let invalid = client
            .check_retention_policy()
            .err()
            .map(|err| err.message().to_owned());
        WriterBuilder {
            client,
            config: Config::default(),
            retention_policy,
            invalid,
            check_schema: false,
            #[cfg(feature = "spool")]
            spool_dir: None,
            #[cfg(feature = "spool")]
            spool_sync: SpoolSync::default(),
            #[cfg(feature = "blocking")]
            runtime: None,
            flavor: PhantomData,
        }
    }

    /// Sends a batch once it holds this many points (default [`DEFAULT_BATCH_POINTS`]). At
    /// least 1. A batch is cut when the background task runs: when producers outpace it, a
    /// batch holds more, and goes in as many requests as the client's maximum body size needs.
    pub fn batch_points(mut self, points: usize) -> Self {
        self.config.batch_points = points;
        self
    }

    /// Sends a batch once it holds this many bytes of line protocol (default
    /// [`DEFAULT_BATCH_BYTES`]). At least 1. A batch larger than the client's maximum body
    /// size goes in several requests.
    pub fn batch_bytes(mut self, bytes: usize) -> Self {
        self.config.batch_bytes = bytes;
        self
    }

    /// Sends a batch once this long has passed since its first point, however few points it
    /// holds (default [`DEFAULT_FLUSH_INTERVAL`]). At least a millisecond.
    pub fn flush_interval(mut self, interval: Duration) -> Self {
        self.config.flush_interval = interval;
        self
    }

    /// Adds a delay drawn at random between zero and `jitter` to each batch's flush interval,
    /// so that many writers started together do not send together. Default: none.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.config.jitter = jitter;
        self
    }

    /// The most requests out at once (default [`DEFAULT_MAX_IN_FLIGHT`]). At least 1. Each
    /// carries the points of its own share of the series (see [`Writer`]'s "Order").
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.config.max_in_flight = requests;
        self
    }

    /// The most points the writer holds that are not yet stored or refused: buffered, in
    /// flight, or waiting to be sent again (default
    /// [`DEFAULT_MAX_BUFFERED_POINTS`](crate::DEFAULT_MAX_BUFFERED_POINTS)). At least 1.
    pub fn max_pending_points(mut self, points: usize) -> Self {
        self.config.max_pending_points = points;
        self
    }

    /// The most bytes of line protocol the writer holds that are not yet stored or refused
    /// (default [`DEFAULT_MAX_BUFFERED_BYTES`](crate::DEFAULT_MAX_BUFFERED_BYTES)). At least 1.
    pub fn max_pending_bytes(mut self, bytes: usize) -> Self {
        self.config.max_pending_bytes = bytes;
        self
    }

    /// What a write does when the writer is full (default [`Overflow::Wait`]).
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.config.overflow = overflow;
        self
    }

    /// Keeps every point taken in files of `dir` until the server settled it, so that a crash
    /// loses nothing: a write appends its points to the spool before it returns (a write that
    /// cannot append fails with [`ErrorKind::Spool`] and takes nothing), each batch is in a
    /// file of its own before it is sent, and what the server stored or refused leaves the
    /// directory. How far it goes to the disk is [`spool_sync`](Self::spool_sync)'s
    /// ([`SpoolSync::Batch`] unless set: a crash of the process loses nothing, power loss at
    /// most the points of the last flush interval).
    ///
    /// Building the writer creates `dir` if needed and locks it (a second writer on the same
    /// directory fails with [`ErrorKind::SpoolLocked`] while any handle of the first lives). The
    /// points an earlier writer left in it (it crashed, or was dropped without
    /// [`close`](Writer::close) while the server was away) are sent first, once, before any
    /// point the new writer takes; what the server had acknowledged is not sent again. Open a
    /// directory with a writer of the same database, retention policy and precision as the one
    /// that left points in it (another precision is refused when the writer is built).
    ///
    /// [`close`](Writer::close) empties the directory: the points it could not send are handed
    /// back. Dropping the last handle without `close` leaves what could not be sent in the
    /// spool for the next writer ([`WriterStats::left_in_spool`]) instead of abandoning it.
    ///
    /// The files are written by the writer's background task, on the runtime's thread: with
    /// [`SpoolSync::Always`] or [`SpoolSync::Batch`], each cut waits for the disk there.
    #[cfg(feature = "spool")]
    pub fn spool(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.spool_dir = Some(dir.into());
        self
    }

    /// When the spool's files are synced to the disk (default [`SpoolSync::Batch`]; see each
    /// policy for what it survives). Without [`spool`](Self::spool), nothing.
    #[cfg(feature = "spool")]
    pub fn spool_sync(mut self, sync: SpoolSync) -> Self {
        self.spool_sync = sync;
        self
    }

    /// Before the writer's first request, compares `M`'s schema with the server's, as
    /// [`Client::verify_schema`] does, in the writer's retention policy. When a field the server
    /// stores with another type, or a key that is a tag on one side and a field on the other,
    /// would make the server refuse points, nothing is sent: the batches are held with an
    /// [`ErrorKind::SchemaConflict`] error whose message is the report (a
    /// [`WriterEvent::Stalled`], and the result of `flush`), and the check is made again with
    /// the next round, or the next `flush`. Once a check passed, it is not repeated. For a type
    /// without a static schema (a [`Point`](crate::Point)), `build` fails.
    pub fn verify_schema(mut self) -> Self {
        self.check_schema = true;
        self
    }

    /// Writes to `retention_policy` instead of the client's. An empty name is refused when the
    /// writer is built.
    pub fn retention_policy(mut self, retention_policy: impl Into<String>) -> Self {
        let retention_policy = retention_policy.into();
        if retention_policy.is_empty() {
            self.invalid = Some("the writer's retention policy name is empty".to_owned());
        }
        self.retention_policy = Some(retention_policy);
        self
    }

    fn check(&self) -> Result<()> {
        if let Some(problem) = &self.invalid {
            return Err(Error::config(problem.clone()));
        }
        let config = &self.config;
        let zero = [
            ("batch_points", config.batch_points == 0),
            ("batch_bytes", config.batch_bytes == 0),
            ("max_in_flight", config.max_in_flight == 0),
            ("max_pending_points", config.max_pending_points == 0),
            ("max_pending_bytes", config.max_pending_bytes == 0),
            (
                "flush_interval",
                config.flush_interval < Duration::from_millis(1),
            ),
        ];
        match zero.iter().find(|(_, is_zero)| *is_zero) {
            Some((option, _)) => Err(Error::config(format!(
                "the writer's {option} must be at least {}",
                if *option == "flush_interval" {
                    "a millisecond"
                } else {
                    "1"
                }
            ))),
            None => Ok(()),
        }
    }

    /// Starts the background task on `runtime`.
    pub(crate) fn start(self, runtime: &tokio::runtime::Handle) -> Result<Writer<M>>
    where
        M: Measurement,
    {
        self.check()?;
        if self.check_schema && M::SCHEMAS.is_empty() {
            return Err(Error::config(format!(
                "verify_schema: `{}` has no static schema to verify",
                std::any::type_name::<M>()
            )));
        }
        let (commands, received) = mpsc::unbounded_channel();
        let (events, _) = broadcast::channel(EVENTS_KEPT);
        #[cfg_attr(not(feature = "spool"), allow(unused_mut))]
        let mut state = State::new(self.client.precision());
        #[cfg(feature = "spool")]
        let spool_files = match &self.spool_dir {
            Some(dir) => {
                let config = spool::SpoolConfig {
                    dir: dir.clone(),
                    sync: self.spool_sync,
                };
                Some(state.open_spool(&config)?)
            }
            None => None,
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            room: Notify::new(),
            room_changed: Condvar::new(),
            wake: Notify::new(),
            commands,
            events,
            config: self.config,
        });
        let url = self.client.write_url(self.retention_policy.as_deref());
        let check = self.check_schema.then(|| {
            Arc::new(SchemaCheck {
                schemas: M::SCHEMAS.to_vec(),
                type_name: std::any::type_name::<M>(),
                retention_policy: self.retention_policy.clone(),
                passed: AtomicBool::new(false),
            })
        });
        #[cfg_attr(not(feature = "spool"), allow(unused_mut))]
        let mut driver = Driver::new(
            Arc::clone(&shared),
            self.client,
            url,
            M::SCHEMAS.to_vec(),
            check,
            received,
        );
        #[cfg(feature = "spool")]
        if let Some(files) = spool_files {
            driver.start_spool(files);
        }
        runtime.spawn(driver.run());
        Ok(Writer {
            last_handle: Arc::new(LastHandle {
                shared: Arc::clone(&shared),
            }),
            shared,
            points: PhantomData,
        })
    }
}

impl<M: Measurement> WriterBuilder<M, Writer<M>> {
    /// Builds the writer and starts its background task on the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] when an option is out of range (a zero count or size, an
    /// empty retention policy name) or when called outside a Tokio runtime.
    pub fn build(self) -> Result<Writer<M>> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::config(
                "a writer runs a background task: build it inside a Tokio runtime (or use inflow::blocking)",
            )
        })?;
        self.start(&runtime)
    }
}

impl Client {
    /// A builder for a [`Writer`] of points of type `M`: a background task that batches the
    /// points of any number of producers, for services that write all the time.
    pub fn writer<M: Measurement>(&self) -> WriterBuilder<M> {
        WriterBuilder::new(self.clone())
    }
}

#[cfg(test)]
mod tests;
