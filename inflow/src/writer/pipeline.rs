//! The writer's I/O-free core: batches cut from the writer's buffer, spread over lanes by
//! series, sent in order within each lane, retried on the lane's own timer, and the accounting
//! that tells each `flush` and `close` what became of the points it waited for.
//!
//! # Lanes, and the order that is kept
//!
//! A cut batch is split by series (measurement and tag set) into one batch per lane: every
//! point of one series always goes to the same lane, and a lane sends one request at a time,
//! its batches in the order they were cut, the next only once the one before is settled
//! (stored or refused). So two points of one series and time reach the server in the order
//! they were written, and the one written later wins, even across retries; points of different
//! series travel in parallel, one request per lane.
//!
//! # Rounds
//!
//! A batch's head part is sent once per attempt. After a failure that may pass, the lane waits
//! for the retry policy's delay (its own timer: new writes do not hurry it). When the policy
//! gives up, the round is over: the batch is **stalled**, reported, and kept; its lane tries a
//! new round after the longer of the policy's longest backoff and the server's `Retry-After`,
//! or at once when a `flush` or `close` asks for it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::delivery::{CommitReport, Delivered};
use crate::line_protocol::escape::{line_end, series_key_end};
use crate::retry::RetryPolicy;
use crate::{Error, Result};

/// A batch of one lane: whole lines, the beginning of which may already be settled.
#[derive(Debug)]
struct Pending {
    id: u64,
    body: Bytes,
    lines: usize,
    /// Attempts made in the current round.
    attempts: u32,
    /// When the current round's first attempt started.
    round_started: Option<Instant>,
}

#[derive(Debug, Default)]
struct Lane {
    queue: VecDeque<Pending>,
    /// A request of this lane is out.
    sending: bool,
    /// The head is not sent before this instant.
    not_before: Option<Instant>,
    /// The head's retry policy gave up; it waits for its next round.
    stalled: bool,
}

impl Lane {
    fn pending_lines(&self) -> usize {
        self.queue.iter().map(|batch| batch.lines).sum()
    }
}

/// A request to make: the head of a lane.
#[derive(Debug)]
pub(crate) struct Send {
    pub(crate) lane: usize,
    pub(crate) body: Bytes,
    pub(crate) lines: usize,
}

/// What a delivery changed, for the writer's counters and its event stream.
#[derive(Debug, Default)]
pub(crate) struct Settled {
    /// Lines that left the lane (stored or refused).
    pub(crate) lines: usize,
    /// Their bytes.
    pub(crate) bytes: usize,
    pub(crate) stored: usize,
    pub(crate) refused: usize,
    /// The server's refusal of some lines, with its report.
    pub(crate) refusal: Option<Arc<Error>>,
    /// The retry policy gave up on the lane's head: its lane's lines, and the last error.
    pub(crate) stall: Option<(usize, Arc<Error>)>,
    /// Whether the head was scheduled to be sent again.
    pub(crate) retry: bool,
}

/// Someone waiting for every batch cut up to a moment to be settled or stalled.
#[derive(Debug)]
struct Waiter {
    id: u64,
    /// Per lane, the last batch waited for (`None`: none).
    targets: Vec<Option<u64>>,
    /// Per lane, whether a batch waited for stalled since the wait began.
    stalled: Vec<bool>,
    report: CommitReport,
    error: Option<Arc<Error>>,
}

/// The batches of every lane and the waiters on them.
#[derive(Debug)]
pub(crate) struct Pipeline {
    lanes: Vec<Lane>,
    next_id: u64,
    policy: RetryPolicy,
    waiters: Vec<Waiter>,
    next_waiter: u64,
    /// Bodies of settled batches, kept for the next cuts.
    spare: Vec<Vec<u8>>,
}

/// How many emptied buffers are kept for reuse.
const SPARE_BUFFERS: usize = 8;

impl Pipeline {
    pub(crate) fn new(lanes: usize, policy: RetryPolicy) -> Self {
        Pipeline {
            lanes: (0..lanes.max(1)).map(|_| Lane::default()).collect(),
            next_id: 0,
            policy,
            waiters: Vec::new(),
            next_waiter: 0,
            spare: Vec::new(),
        }
    }

    /// An empty buffer, reusing the memory of a settled batch when there is one.
    pub(crate) fn spare_buffer(&mut self) -> Vec<u8> {
        self.spare.pop().unwrap_or_default()
    }

    fn recycle(&mut self, body: Bytes) {
        if self.spare.len() < SPARE_BUFFERS
            && let Ok(owned) = body.try_into_mut()
        {
            let mut buf = Vec::from(owned);
            buf.clear();
            self.spare.push(buf);
        }
    }

    /// Takes a cut batch (`lines` whole lines), split over the lanes by series.
    pub(crate) fn push_cut(&mut self, body: Vec<u8>, lines: usize) {
        for (lane, part, lines) in self.split_cut(body, lines) {
            self.enqueue(lane, part, lines);
        }
    }

    /// Splits a cut batch (`lines` whole lines) by series: each lane's part, with its lines,
    /// for [`enqueue`](Self::enqueue).
    pub(crate) fn split_cut(
        &mut self,
        body: Vec<u8>,
        lines: usize,
    ) -> Vec<(usize, Vec<u8>, usize)> {
        if lines == 0 || body.is_empty() {
            self.spare.push(body);
            return Vec::new();
        }
        if self.lanes.len() == 1 {
            return vec![(0, body, lines)];
        }
        let mut parts: Vec<(Vec<u8>, usize)> = (0..self.lanes.len())
            .map(|_| (self.spare_buffer(), 0))
            .collect();
        let count = parts.len() as u64;
        let mut start = 0;
        while start < body.len() {
            let end = (line_end(&body, start) + 1).min(body.len());
            let key = &body[start..series_key_end(&body, start, end)];
            // Modulo a lane count that fits a usize: the result does too.
            #[allow(clippy::cast_possible_truncation)]
            let lane = (series_hash(key) % count) as usize;
            parts[lane].0.extend_from_slice(&body[start..end]);
            parts[lane].1 += 1;
            start = end;
        }
        self.recycle(Bytes::from(body));
        let mut split = Vec::new();
        for (lane, (part, lines)) in parts.into_iter().enumerate() {
            if lines == 0 {
                if self.spare.len() < SPARE_BUFFERS {
                    self.spare.push(part);
                }
            } else {
                split.push((lane, part, lines));
            }
        }
        split
    }

    /// Queues `body` (`lines` whole lines) as the last batch of `lane`; returns its id.
    pub(crate) fn enqueue(&mut self, lane: usize, body: Vec<u8>, lines: usize) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.lanes[lane].queue.push_back(Pending {
            id,
            body: Bytes::from(body),
            lines,
            attempts: 0,
            round_started: None,
        });
        id
    }

    /// The id of the head batch of `lane`.
    #[cfg(feature = "spool")]
    pub(crate) fn head_id(&self, lane: usize) -> Option<u64> {
        self.lanes[lane].queue.front().map(|head| head.id)
    }

    /// The head batch of `lane`: its id, what is left of it, and its lines.
    #[cfg(feature = "spool")]
    pub(crate) fn head(&self, lane: usize) -> Option<(u64, &[u8], usize)> {
        self.lanes[lane]
            .queue
            .front()
            .map(|head| (head.id, &head.body[..], head.lines))
    }

    /// The requests due at `now`: the head of every lane that is neither sending nor waiting.
    pub(crate) fn due(&mut self, now: Instant) -> Vec<Send> {
        let mut sends = Vec::new();
        for (index, lane) in self.lanes.iter_mut().enumerate() {
            if lane.sending || lane.not_before.is_some_and(|at| at > now) {
                continue;
            }
            let Some(head) = lane.queue.front_mut() else {
                continue;
            };
            lane.sending = true;
            lane.not_before = None;
            lane.stalled = false;
            head.round_started.get_or_insert(now);
            sends.push(Send {
                lane: index,
                body: head.body.clone(),
                lines: head.lines,
            });
        }
        sends
    }

    /// The earliest instant a waiting lane is due.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.lanes
            .iter()
            .filter(|lane| !lane.sending && !lane.queue.is_empty())
            .filter_map(|lane| lane.not_before)
            .min()
    }

    /// Takes the outcome of the request of `lane` sent from [`due`](Self::due).
    pub(crate) fn delivered(&mut self, lane: usize, delivered: Delivered, now: Instant) -> Settled {
        let Delivered {
            settled_bytes,
            settled_lines,
            result,
        } = delivered;
        let mut settled = Settled {
            lines: settled_lines,
            bytes: settled_bytes,
            ..Settled::default()
        };
        self.lanes[lane].sending = false;
        let Some(head) = self.lanes[lane].queue.front_mut() else {
            return settled;
        };
        let head_id = head.id;
        head.lines = head.lines.saturating_sub(settled_lines);
        let finished = head.lines == 0;
        if !finished {
            // Not when finished: an empty slice is a new empty `Bytes`, which would let go
            // of the batch's memory instead of handing it back to `recycle` below.
            head.body = head.body.slice(settled_bytes.min(head.body.len())..);
        }
        let error = result.err().map(Arc::new);
        let report = error.as_ref().and_then(|error| error.commit_report());
        match report {
            Some(report) => {
                settled.stored = report.stored();
                settled.refused = report.refused();
                if report.refused() > 0 {
                    settled.refusal.clone_from(&error);
                }
            }
            None => settled.stored = settled_lines,
        }
        if finished {
            if let Some(done) = self.lanes[lane].queue.pop_front() {
                self.recycle(done.body);
            }
        } else if let Some(error) = &error {
            settled.retry = self.schedule_retry(lane, error, now);
            if !settled.retry {
                settled.stall = Some((self.lanes[lane].pending_lines(), Arc::clone(error)));
            }
        }
        for waiter in &mut self.waiters {
            if waiter.targets[lane].is_none_or(|target| head_id > target) {
                continue;
            }
            match report {
                Some(report) => waiter.report.add_settled(report),
                None => waiter.report.add_stored(settled.stored),
            }
            if settled.refused > 0 || settled.stall.is_some() {
                waiter.error = waiter.error.take().or_else(|| error.clone());
            }
            if settled.stall.is_some() {
                waiter.stalled[lane] = true;
            }
        }
        settled
    }

    /// Schedules the head of `lane` for another attempt after `error`; `false` when the retry
    /// policy gave up, and the lane waits for its next round.
    fn schedule_retry(&mut self, lane: usize, error: &Error, now: Instant) -> bool {
        let lane = &mut self.lanes[lane];
        let Some(head) = lane.queue.front_mut() else {
            return false;
        };
        head.attempts = head.attempts.saturating_add(1);
        let elapsed = head.round_started.map_or(Duration::ZERO, |started| {
            now.saturating_duration_since(started)
        });
        if let Some(delay) = self.policy.delay_after(head.attempts, error, elapsed) {
            lane.not_before = now.checked_add(delay);
            return true;
        }
        head.attempts = 0;
        head.round_started = None;
        lane.stalled = true;
        let pause = error
            .retry_after()
            .unwrap_or_default()
            .max(self.policy.longest_backoff());
        lane.not_before = Some(now.checked_add(pause).unwrap_or(now));
        false
    }

    /// Ends the pause of every stalled lane: their heads are due now, in a new round.
    pub(crate) fn resume_stalled(&mut self) {
        for lane in &mut self.lanes {
            if lane.stalled {
                lane.stalled = false;
                lane.not_before = None;
            }
        }
    }

    /// Starts waiting for every batch cut so far; returns the waiter's id.
    pub(crate) fn wait(&mut self) -> u64 {
        let id = self.next_waiter;
        self.next_waiter += 1;
        self.waiters.push(Waiter {
            id,
            targets: self
                .lanes
                .iter()
                .map(|lane| lane.queue.back().map(|batch| batch.id))
                .collect(),
            stalled: vec![false; self.lanes.len()],
            report: CommitReport::default(),
            error: None,
        });
        id
    }

    /// The waiters whose batches are all settled or stalled, with their outcome: `Ok` with
    /// the count of stored points when every point was stored, otherwise an error whose
    /// report counts the stored, refused and still held points.
    pub(crate) fn finished_waiters(&mut self) -> Vec<(u64, Result<CommitReport>)> {
        let mut finished = Vec::new();
        let mut index = 0;
        while index < self.waiters.len() {
            if self.is_finished(&self.waiters[index]) {
                let waiter = self.waiters.swap_remove(index);
                let held = self.held_for(&waiter);
                finished.push((
                    waiter.id,
                    outcome(waiter.report, held, waiter.error, not_sent),
                ));
            } else {
                index += 1;
            }
        }
        finished
    }

    /// Ends the wait `id` now, whatever its batches' state: those not settled count as held,
    /// and `error` is the outcome's error when no request failed.
    pub(crate) fn finish_now(&mut self, id: u64, error: fn() -> Error) -> Result<CommitReport> {
        let Some(index) = self.waiters.iter().position(|waiter| waiter.id == id) else {
            return Err(error());
        };
        let waiter = self.waiters.swap_remove(index);
        let held = self.held_for(&waiter);
        outcome(waiter.report, held, waiter.error, error)
    }

    fn is_finished(&self, waiter: &Waiter) -> bool {
        self.lanes.iter().enumerate().all(|(index, lane)| {
            waiter.stalled[index]
                || waiter.targets[index]
                    .is_none_or(|target| lane.queue.front().is_none_or(|head| head.id > target))
        })
    }

    /// The lines of the batches `waiter` waits for that are still in their lanes.
    fn held_for(&self, waiter: &Waiter) -> usize {
        self.lanes
            .iter()
            .zip(&waiter.targets)
            .map(|(lane, target)| {
                lane.queue
                    .iter()
                    .filter(|batch| target.is_some_and(|target| batch.id <= target))
                    .map(|batch| batch.lines)
                    .sum::<usize>()
            })
            .sum()
    }

    /// Whether no batch is waiting or being sent.
    pub(crate) fn is_empty(&self) -> bool {
        self.lanes.iter().all(|lane| lane.queue.is_empty())
    }

    /// The lines of the request of `lane` now out (0 when none is).
    pub(crate) fn sending_lines_of(&self, lane: usize) -> usize {
        self.lanes
            .get(lane)
            .filter(|lane| lane.sending)
            .and_then(|lane| lane.queue.front())
            .map_or(0, |batch| batch.lines)
    }

    /// The lines of the requests now out.
    pub(crate) fn sending_lines(&self) -> usize {
        self.lanes
            .iter()
            .filter(|lane| lane.sending)
            .filter_map(|lane| lane.queue.front())
            .map(|batch| batch.lines)
            .sum()
    }

    /// Takes every batch out (a request still out is forgotten): their line protocol, lane by
    /// lane, each lane's in the order written, and the number of lines.
    pub(crate) fn take_unsent(&mut self) -> (Vec<u8>, usize) {
        let mut unsent = Vec::new();
        let mut lines = 0;
        for lane in &mut self.lanes {
            lane.sending = false;
            lane.not_before = None;
            lane.stalled = false;
            for batch in lane.queue.drain(..) {
                unsent.extend_from_slice(&batch.body);
                lines += batch.lines;
            }
        }
        (unsent, lines)
    }
}

/// The outcome of a wait: its report with `held` points still held, and its first error (or
/// `otherwise` when points are held and no request failed).
fn outcome(
    mut report: CommitReport,
    held: usize,
    error: Option<Arc<Error>>,
    otherwise: fn() -> Error,
) -> Result<CommitReport> {
    report.set_held(held);
    match error {
        None if report.is_complete() => Ok(report),
        None => Err(otherwise().with_report(report)),
        Some(error) => Err(error.summary().with_report(report)),
    }
}

fn not_sent() -> Error {
    Error::new(crate::ErrorKind::Transport, "not every point could be sent")
}

/// A hash of a series key, the same for the same bytes in every process (FNV-1a).
fn series_hash(key: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in key {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests;
