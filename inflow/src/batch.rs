//! The batch: encoded points waiting to be sent, their limits and the autocommit rule, and the
//! hand-over of the buffer to a commit. I/O-free; sessions (async and blocking) share it.

use std::borrow::Borrow;
use std::num::NonZeroUsize;

use bytes::Bytes;

use crate::line_protocol::Encoder;
use crate::{Error, ErrorKind, Measurement, Result};

/// The most points a session buffers unless configured otherwise.
pub const DEFAULT_MAX_BUFFERED_POINTS: usize = 1_000_000;
/// The most bytes of line protocol a session buffers unless configured otherwise (128 MiB).
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 128 << 20;

/// Encoded points, the limits of how many may wait, and when they are due to be committed.
#[derive(Debug)]
pub(crate) struct Batch {
    encoder: Encoder,
    pub(crate) autocommit_every: Option<NonZeroUsize>,
    pub(crate) max_points: usize,
    pub(crate) max_bytes: usize,
}

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
    /// now due to be committed. On error the batch is as it was.
    #[inline]
    pub(crate) fn push<M: Measurement + ?Sized>(&mut self, point: &M) -> Result<bool> {
        self.encode(point)?;
        Ok(self.is_due())
    }

    /// Encodes every point of `points`, or none: when one cannot be encoded or does not fit,
    /// the batch is left as it was before the call. Returns whether the batch is now due.
    pub(crate) fn push_all<M, I>(&mut self, points: I) -> Result<bool>
    where
        M: Measurement + ?Sized,
        I: IntoIterator,
        I::Item: Borrow<M>,
    {
        let (points_before, bytes_before) = (self.encoder.len(), self.encoder.as_bytes().len());
        for (index, point) in points.into_iter().enumerate() {
            if let Err(err) = self.encode(point.borrow()) {
                self.encoder.truncate(bytes_before, points_before);
                return Err(err.in_list(index));
            }
        }
        Ok(self.is_due())
    }

    #[inline]
    fn encode<M: Measurement + ?Sized>(&mut self, point: &M) -> Result<()> {
        let (points, bytes) = (self.encoder.len(), self.encoder.as_bytes().len());
        if points >= self.max_points {
            return Err(full(format!(
                "it holds {points} points, its limit; commit them before writing more (this point was not buffered)"
            )));
        }
        self.encoder.encode(point)?;
        if self.encoder.as_bytes().len() > self.max_bytes {
            self.encoder.truncate(bytes, points);
            return Err(full(format!(
                "this point would take it past its limit of {} bytes ({bytes} are buffered); commit before writing more (this point was not buffered)",
                self.max_bytes
            )));
        }
        Ok(())
    }

    fn is_due(&self) -> bool {
        self.autocommit_every
            .is_some_and(|every| self.encoder.len() >= every.get())
    }

    pub(crate) fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    pub(crate) fn clear(&mut self) {
        self.encoder.clear();
    }

    /// Hands the buffered body to a commit. Until [`InFlight::settle`] says which beginning of
    /// it left the batch, the batch owns it still: an `InFlight` dropped before (a commit
    /// cancelled half way) puts every point back.
    pub(crate) fn in_flight(&mut self) -> InFlight<'_> {
        let lines = self.encoder.len();
        let body = Bytes::from(self.encoder.take_bytes());
        InFlight {
            batch: self,
            body: Some(body),
            lines,
        }
    }

    /// Puts `body` back as the buffer, without its first `settled_bytes` bytes
    /// (`settled_lines` lines), reusing its memory when nothing else holds it.
    fn restore(&mut self, body: Bytes, settled_bytes: usize, settled_lines: usize, lines: usize) {
        let mut buf = match body.try_into_mut() {
            Ok(owned) => Vec::from(owned),
            Err(shared) => shared.to_vec(),
        };
        buf.drain(..settled_bytes.min(buf.len()));
        self.encoder
            .restore(buf, lines.saturating_sub(settled_lines));
    }
}

fn full(reason: String) -> Error {
    Error::new(
        ErrorKind::BufferFull,
        format!("the session's buffer is full: {reason}"),
    )
}

/// A batch's body while a commit sends it.
#[derive(Debug)]
pub(crate) struct InFlight<'b> {
    batch: &'b mut Batch,
    body: Option<Bytes>,
    lines: usize,
}

impl InFlight<'_> {
    /// The body to send (a cheap handle on the batch's bytes).
    pub(crate) fn body(&self) -> Bytes {
        self.body.clone().unwrap_or_default()
    }

    /// The lines (points) of the body.
    pub(crate) fn lines(&self) -> usize {
        self.lines
    }

    /// The commit is over: the first `bytes` bytes (`lines` lines) of the body left the
    /// batch, stored or refused; the rest is held again.
    pub(crate) fn settle(mut self, bytes: usize, lines: usize) {
        if let Some(body) = self.body.take() {
            self.batch.restore(body, bytes, lines, self.lines);
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(body) = self.body.take() {
            self.batch.restore(body, 0, 0, self.lines);
        }
    }
}

#[cfg(test)]
mod tests;
