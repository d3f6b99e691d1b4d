//! The blocking twin of the background writer.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{Client, RuntimeThread};
use crate::{CommitReport, Error, Measurement, Result, WriterBuilder, WriterEvents, WriterStats};

/// The blocking twin of [`inflow::Writer`](crate::Writer): the same writer, its background
/// task on the blocking client's helper thread, with methods that block instead of awaiting.
///
/// [`write`](Writer::write) blocks only when the writer is full and its
/// [`Overflow`](crate::Overflow) policy says to wait for room.
///
/// ```no_run
/// use std::time::Duration;
/// use inflow::blocking::Client;
/// use inflow::Point;
///
/// let client = Client::new("http://localhost:8086/telemetry")?;
/// let writer = client.writer::<Point>().build()?;
/// let threads: Vec<_> = (0..4)
///     .map(|sensor| {
///         let writer = writer.clone();
///         std::thread::spawn(move || {
///             for reading in 0..100 {
///                 writer.write(
///                     &Point::new("reading")
///                         .tag("sensor", sensor.to_string())
///                         .field("value", reading)
///                         .timestamp_secs(1_700_000_000 + reading),
///                 )?;
///             }
///             Ok::<(), inflow::Error>(())
///         })
///     })
///     .collect();
/// for thread in threads {
///     thread.join().expect("a producer panicked")?;
/// }
/// writer.close(Duration::from_secs(10))?;
/// # Ok::<(), inflow::Error>(())
/// ```
pub struct Writer<M> {
    inner: crate::Writer<M>,
    runtime: Arc<RuntimeThread>,
}

const _: () = {
    const fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Writer<std::rc::Rc<u8>>>();
};

impl<M> Clone for Writer<M> {
    fn clone(&self) -> Self {
        Writer {
            inner: self.inner.clone(),
            runtime: Arc::clone(&self.runtime),
        }
    }
}

impl<M> fmt::Debug for Writer<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Writer")
            .field(&self.inner)
            .finish()
    }
}

impl<M: Measurement> Writer<M> {
    /// See [`inflow::Writer::write`](crate::Writer::write).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn write(&self, point: &M) -> Result<()> {
        self.inner.write_blocking(point)
    }

    /// See [`inflow::Writer::write_all`](crate::Writer::write_all).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn write_all<I>(&self, points: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Borrow<M>,
    {
        self.inner.write_all_blocking(points)
    }
}

impl<M> Writer<M> {
    /// See [`inflow::Writer::flush`](crate::Writer::flush).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn flush(&self) -> Result<CommitReport> {
        self.runtime.block_on(self.inner.flush())
    }

    /// See [`inflow::Writer::close`](crate::Writer::close).
    ///
    /// # Errors
    ///
    /// As the async twin.
    pub fn close(&self, deadline: Duration) -> Result<CommitReport> {
        self.runtime.block_on(self.inner.close(deadline))
    }

    /// See [`inflow::Writer::stats`](crate::Writer::stats).
    #[must_use]
    pub fn stats(&self) -> WriterStats {
        self.inner.stats()
    }

    /// See [`inflow::Writer::events`](crate::Writer::events); read them with
    /// [`WriterEvents::blocking_next`] or [`WriterEvents::try_next`].
    #[must_use]
    pub fn events(&self) -> WriterEvents {
        self.inner.events()
    }
}

impl<M: Measurement> WriterBuilder<M, Writer<M>> {
    /// Builds the writer and starts its background task on the blocking client's helper
    /// thread.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) when an option is out of
    /// range (a zero count or size, an empty retention policy name).
    pub fn build(mut self) -> Result<Writer<M>> {
        let runtime = self
            .runtime
            .take()
            .ok_or_else(|| Error::config("a blocking writer is built from a blocking client"))?;
        let inner = self.start(&runtime.handle)?;
        Ok(Writer { inner, runtime })
    }
}

impl Client {
    /// See [`inflow::Client::writer`](crate::Client::writer): a builder for a blocking
    /// [`Writer`].
    pub fn writer<M: Measurement>(&self) -> WriterBuilder<M, Writer<M>> {
        let mut builder = WriterBuilder::new(self.inner.clone());
        builder.runtime = Some(Arc::clone(&self.runtime));
        builder
    }
}
