//! The writer's background task: cuts batches, sends them, and answers `flush` and `close`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::Url;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

use super::pipeline::Pipeline;
use super::{SchemaCheck, Shared, WriterEvent};
use crate::delivery::{CommitReport, Delivered};
use crate::schema_check::{name_conflicting_field, refuse_conflicts};
use crate::{Client, Error, ErrorKind, Result, Schema};

type Reply = oneshot::Sender<Result<CommitReport>>;

/// What a handle asks of the background task.
#[derive(Debug)]
pub(crate) enum Command {
    Flush(Reply),
    Close(Duration, Reply),
    /// The last handle is gone.
    Detach,
}

struct Closing {
    waiter: u64,
    deadline: Instant,
    reply: Reply,
}

pub(crate) struct Driver {
    shared: Arc<Shared>,
    client: Client,
    url: Url,
    /// The schemas of the points written, to name the Rust field of a type conflict.
    schemas: Vec<Schema>,
    /// The schema check to pass before the first request, when asked for.
    check: Option<Arc<SchemaCheck>>,
    pipeline: Pipeline,
    commands: mpsc::UnboundedReceiver<Command>,
    requests: JoinSet<(usize, Delivered)>,
    /// The lane of each request's task.
    lanes_of: HashMap<tokio::task::Id, usize>,
    flushes: HashMap<u64, Reply>,
    closing: Option<Closing>,
    detached: bool,
    /// `close` was answered: the task ends.
    finished: bool,
    /// When the open batch is due by its flush interval, and the batch it was drawn for.
    interval_due: Option<(Instant, Instant)>,
    /// The spool's files of the batches in the pipeline.
    #[cfg(feature = "spool")]
    spool: Option<super::spool::SpoolFiles>,
}

impl Driver {
    pub(crate) fn new(
        shared: Arc<Shared>,
        client: Client,
        url: Url,
        schemas: Vec<Schema>,
        check: Option<Arc<SchemaCheck>>,
        commands: mpsc::UnboundedReceiver<Command>,
    ) -> Self {
        let pipeline = Pipeline::new(shared.config.max_in_flight, client.shared.retry.clone());
        Driver {
            shared,
            schemas,
            check,
            client,
            url,
            pipeline,
            commands,
            requests: JoinSet::new(),
            lanes_of: HashMap::new(),
            flushes: HashMap::new(),
            closing: None,
            detached: false,
            finished: false,
            interval_due: None,
            #[cfg(feature = "spool")]
            spool: None,
        }
    }

    /// Keeps the batches in the spool's files, and cuts at once the points an earlier writer
    /// left in it: they go before any point taken from now on.
    #[cfg(feature = "spool")]
    pub(crate) fn start_spool(&mut self, files: super::spool::SpoolFiles) {
        self.spool = Some(files);
        if !self.shared.lock().open.is_empty() {
            self.cut(Instant::now(), true);
        }
    }

    pub(crate) async fn run(mut self) {
        loop {
            let now = Instant::now();
            self.cut(now, false);
            self.send_due(now);
            self.answer_waiters();
            if self
                .closing
                .as_ref()
                .is_some_and(|closing| now >= closing.deadline)
            {
                self.close_at_deadline();
            }
            if self.finished
                || (self.detached && self.pipeline.is_empty() && self.shared.lock().open.is_empty())
            {
                return;
            }
            let timer = self.next_timer();
            tokio::select! {
                command = self.commands.recv() => match command {
                    Some(command) => self.command(command),
                    // Every handle and their commands are gone: as a detach.
                    None => self.detached = true,
                },
                () = self.shared.wake.notified() => {}
                Some(joined) = self.requests.join_next_with_id(), if !self.requests.is_empty() => {
                    match joined {
                        Ok((id, (lane, delivered))) => {
                            self.lanes_of.remove(&id);
                            self.delivered(lane, delivered);
                        }
                        Err(failed) => self.request_failed(&failed),
                    }
                }
                () = sleep_until(timer), if timer.is_some() => {}
            }
        }
    }

    fn next_timer(&self) -> Option<Instant> {
        [
            self.interval_due.map(|(due, _)| due),
            self.pipeline.next_due(),
            self.closing.as_ref().map(|closing| closing.deadline),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Flush(reply) => {
                self.cut(Instant::now(), true);
                self.pipeline.resume_stalled();
                let waiter = self.pipeline.wait();
                self.flushes.insert(waiter, reply);
            }
            Command::Close(deadline, reply) => {
                if self.closing.is_some() {
                    let _ = reply.send(Err(super::closed()));
                    return;
                }
                self.shared.lock().closed = true;
                self.shared.room_made();
                let now = Instant::now();
                self.cut(now, true);
                self.pipeline.resume_stalled();
                let waiter = self.pipeline.wait();
                // A deadline past what an `Instant` holds is as good as none.
                let deadline = now
                    .checked_add(deadline)
                    .unwrap_or_else(|| now + Duration::from_secs(1 << 32));
                self.closing = Some(Closing {
                    waiter,
                    deadline,
                    reply,
                });
            }
            Command::Detach => {
                self.detached = true;
                self.cut(Instant::now(), true);
            }
        }
    }

    /// Moves the open batch into the pipeline when it is due, or at once when `now_anyway`.
    fn cut(&mut self, now: Instant, now_anyway: bool) {
        let config = &self.shared.config;
        let mut state = self.shared.lock();
        let Some(first_at) = state.first_at else {
            self.interval_due = None;
            return;
        };
        let due_at = match self.interval_due {
            Some((due, drawn_for)) if drawn_for == first_at => due,
            _ => {
                let jitter = if config.jitter.is_zero() {
                    Duration::ZERO
                } else {
                    Duration::from_nanos(fastrand::u64(
                        0..=u64::try_from(config.jitter.as_nanos()).unwrap_or(u64::MAX),
                    ))
                };
                let due = first_at
                    .checked_add(config.flush_interval.saturating_add(jitter))
                    .unwrap_or(first_at);
                self.interval_due = Some((due, first_at));
                due
            }
        };
        let due = now_anyway
            || self.detached
            || state.open.len() >= config.batch_points
            || state.open.as_bytes().len() >= config.batch_bytes
            || now >= due_at;
        if !due {
            return;
        }
        let lines = state.open.len();
        // The writes that follow go to a segment of their own.
        #[cfg(feature = "spool")]
        let segment = state.segment.as_mut().map(|segment| match segment.rotate() {
            Ok(generation) => (generation, true),
            Err((generation, error)) => {
                tracing::warn!(generation, error = %error, "the writer's spool could not start a new segment: the batch is kept in the open one until it is settled, and after a crash that segment is sent again whole");
                (generation, false)
            }
        });
        let body = state.open.swap_bytes(self.pipeline.spare_buffer());
        state.first_at = None;
        state.due_signalled = false;
        drop(state);
        self.interval_due = None;
        #[cfg(feature = "spool")]
        if let (Some(files), Some((generation, rotated))) = (&mut self.spool, segment) {
            let parts = self.pipeline.split_cut(body, lines);
            let paths = {
                let parts: Vec<_> = parts
                    .iter()
                    .map(|(lane, body, lines)| super::spool::PartFile {
                        lane: *lane,
                        body,
                        lines: *lines,
                    })
                    .collect();
                files.persist(generation, rotated, &parts)
            };
            for ((lane, body, lines), path) in parts.into_iter().zip(paths) {
                let id = self.pipeline.enqueue(lane, body, lines);
                files.track(id, generation, path);
            }
            files.release(generation);
            return;
        }
        self.pipeline.push_cut(body, lines);
    }

    fn send_due(&mut self, now: Instant) {
        let sends = self.pipeline.due(now);
        if sends.is_empty() {
            return;
        }
        for send in sends {
            let client = self.client.clone();
            let url = self.url.clone();
            let lane = send.lane;
            let check = self
                .check
                .as_ref()
                .filter(|check| !check.passed.load(Ordering::Acquire))
                .map(Arc::clone);
            let task = self.requests.spawn(async move {
                if let Some(check) = check
                    && let Err(error) = check_schema(&client, &check).await
                {
                    let mut report = CommitReport::default();
                    report.set_held(send.lines);
                    let delivered = Delivered {
                        settled_bytes: 0,
                        settled_lines: 0,
                        result: Err(error.with_report(report)),
                    };
                    return (send.lane, delivered);
                }
                let delivered = client.write_body_once(&url, send.body, send.lines).await;
                (send.lane, delivered)
            });
            self.lanes_of.insert(task.id(), lane);
        }
        self.shared.lock().stats.in_flight = self.pipeline.sending_lines() as u64;
    }

    /// A request's task ended without an outcome: it panicked (it is never aborted while the
    /// task runs). Its lane must not wait for it forever: its points are held, as after a
    /// transport error, and sent again.
    fn request_failed(&mut self, failed: &tokio::task::JoinError) {
        let Some(lane) = self.lanes_of.remove(&failed.id()) else {
            return;
        };
        let lines = self.pipeline.sending_lines_of(lane);
        let mut report = CommitReport::default();
        report.set_held(lines);
        let error = Error::new(
            ErrorKind::Transport,
            format!("the writer's request failed before it had an answer: {failed}"),
        )
        .with_report(report);
        self.delivered(
            lane,
            Delivered {
                settled_bytes: 0,
                settled_lines: 0,
                result: Err(error),
            },
        );
    }

    fn delivered(&mut self, lane: usize, mut delivered: Delivered) {
        delivered.result = delivered
            .result
            .map_err(|error| name_conflicting_field(error, &self.schemas));
        #[cfg(feature = "spool")]
        let head = self.pipeline.head_id(lane);
        let settled = self.pipeline.delivered(lane, delivered, Instant::now());
        #[cfg(feature = "spool")]
        if let (Some(files), Some(head)) = (&mut self.spool, head)
            && settled.lines > 0
        {
            match self.pipeline.head(lane) {
                Some((id, rest, lines)) if id == head => files.shortened(id, rest, lines),
                _ => files.settled(head),
            }
        }
        {
            let mut state = self.shared.lock();
            state.release(settled.lines, settled.bytes);
            state.stats.stored += settled.stored as u64;
            state.stats.refused += settled.refused as u64;
            if settled.retry {
                state.stats.retried += 1;
            }
            state.stats.in_flight = self.pipeline.sending_lines() as u64;
        }
        self.shared.room_made();
        if let Some(error) = settled.refusal {
            tracing::warn!(database = %self.client.database(), points = settled.refused, error = %error, "the server refused points of a writer's batch");
            self.shared.report(WriterEvent::Refused {
                points: settled.refused,
                error,
            });
        }
        if let Some((points, error)) = settled.stall {
            if self.detached && self.closing.is_none() {
                self.abandon(&error);
            } else {
                tracing::warn!(database = %self.client.database(), points, error = %error, "a writer's retry policy gave up on a batch; its points are held and will be sent again");
                self.shared.report(WriterEvent::Stalled { points, error });
            }
        }
    }

    /// No handle is left and the retry policy gave up: nobody can take these points back.
    fn abandon(&mut self, error: &Error) {
        let (unsent, lines) = self.pipeline.take_unsent();
        self.drop_points(lines, unsent.len(), Some(error));
    }

    fn drop_points(&mut self, lines: usize, bytes: usize, error: Option<&Error>) {
        if lines == 0 {
            return;
        }
        #[cfg(feature = "spool")]
        if let Some(files) = &mut self.spool {
            files.keep_all();
            {
                let mut state = self.shared.lock();
                state.release(lines, bytes);
                state.stats.left_in_spool += lines as u64;
            }
            tracing::warn!(
                database = %self.client.database(),
                points = lines,
                dir = %files.dir().display(),
                "a writer dropped without close could not send {lines} points: they are kept in its spool for the next writer opened on it"
            );
            return;
        }
        {
            let mut state = self.shared.lock();
            state.release(lines, bytes);
            state.stats.dropped += lines as u64;
        }
        match error {
            Some(error) => tracing::warn!(
                database = %self.client.database(),
                points = lines,
                error = %error,
                "a writer dropped without close abandoned {lines} points the server did not take"
            ),
            None => tracing::warn!(
                database = %self.client.database(),
                points = lines,
                "a writer dropped without close abandoned {lines} points: its runtime stopped"
            ),
        }
        self.shared.report(WriterEvent::Abandoned { points: lines });
    }

    fn answer_waiters(&mut self) {
        for (waiter, outcome) in self.pipeline.finished_waiters() {
            if let Some(reply) = self.flushes.remove(&waiter) {
                let _ = reply.send(outcome);
            } else if self
                .closing
                .as_ref()
                .is_some_and(|closing| closing.waiter == waiter)
            {
                self.finish_close(outcome);
            }
        }
    }

    /// Answers `close` with `outcome`, handing back what is still held.
    fn finish_close(&mut self, mut outcome: Result<CommitReport>) {
        self.requests.abort_all();
        let (unsent, lines) = self.pipeline.take_unsent();
        // The caller has them now.
        #[cfg(feature = "spool")]
        if let Some(files) = &mut self.spool {
            files.clear();
        }
        if lines > 0 {
            let mut state = self.shared.lock();
            state.release(lines, unsent.len());
            state.stats.returned += lines as u64;
            state.stats.in_flight = 0;
        }
        if let Err(error) = &mut outcome
            && let Some(report) = error.report_mut()
        {
            report.set_held(lines);
            report.hand_back_unsent(String::from_utf8_lossy(&unsent).into_owned());
        }
        for (waiter, reply) in self.flushes.drain() {
            let _ = reply.send(self.pipeline.finish_now(waiter, closed_before_done));
        }
        if let Some(closing) = self.closing.take() {
            let _ = closing.reply.send(outcome);
        }
        // Later commands find the writer closed.
        self.commands.close();
        self.finished = true;
        self.shared.room_made();
    }

    fn close_at_deadline(&mut self) {
        let Some(waiter) = self.closing.as_ref().map(|closing| closing.waiter) else {
            return;
        };
        let outcome = self.pipeline.finish_now(waiter, || {
            Error::new(
                ErrorKind::Timeout,
                "the writer's close deadline passed before every point was sent",
            )
        });
        self.finish_close(outcome);
    }
}

/// The writer's schema check: `Ok` once it passed (here or in another request).
async fn check_schema(client: &Client, check: &SchemaCheck) -> Result<()> {
    if check.passed.load(Ordering::Acquire) {
        return Ok(());
    }
    let report = client
        .verify_schemas_in(
            &check.schemas,
            check.type_name,
            check.retention_policy.as_deref(),
        )
        .await?;
    refuse_conflicts(&report)?;
    check.passed.store(true, Ordering::Release);
    Ok(())
}

fn closed_before_done() -> Error {
    Error::new(
        ErrorKind::Closed,
        "the writer was closed before this flush was done",
    )
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The runtime stopped with points still held (an orderly end leaves none).
        let (lines, bytes) = {
            let state = self.shared.lock();
            (state.pending_points, state.pending_bytes)
        };
        self.drop_points(lines, bytes, None);
    }
}
