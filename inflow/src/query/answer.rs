//! A chunked `/query` answer as it arrives: one JSON document per line, each within the
//! client's timeout, and an end that tells a complete answer from a cut one.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use tokio::time::{Instant, Sleep};

use super::StatementResult;
use super::results::parse_document;
use crate::transport::transport_error;
use crate::{Error, ErrorKind, Result};

/// How far away a deadline that cannot be represented is put (a timeout of `Duration::MAX`).
const FAR_FUTURE: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// The documents of a chunked answer, one at a time.
///
/// Waiting for each document has its own deadline, the client's timeout, which starts when the
/// caller asks for the document and is not moved by bytes that arrive without completing it:
/// an answer that trickles in a byte at a time times out like one that stalls.
pub(crate) struct Answer {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    /// Bytes received and not yet parsed start at `consumed`.
    buffer: Vec<u8>,
    consumed: usize,
    /// `buffer[consumed..searched]` holds no line feed.
    searched: usize,
    status: u16,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
    waiting: bool,
    body_ended: bool,
    finished: bool,
    /// What the last document said: `None` before the first, `Some(true)` when more follows.
    continues: Option<bool>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("buffered_bytes", &(self.buffer.len() - self.consumed))
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl Answer {
    /// The answer of `response` (a success), read with `timeout` for each document. Must be
    /// called inside the Tokio runtime that runs the request.
    pub(crate) fn new(response: reqwest::Response, timeout: Duration) -> Self {
        Answer {
            status: response.status().as_u16(),
            body: Box::pin(response.bytes_stream()),
            buffer: Vec::new(),
            consumed: 0,
            searched: 0,
            timeout,
            deadline: Box::pin(tokio::time::sleep_until(deadline_after(timeout))),
            waiting: false,
            body_ended: false,
            finished: false,
            continues: None,
        }
    }

    /// The bytes received but not yet parsed.
    pub(crate) fn buffered_bytes(&self) -> usize {
        self.buffer.len() - self.consumed
    }

    /// Ends the answer early: no more documents are read.
    pub(crate) fn finish(&mut self) {
        self.finished = true;
    }

    /// The results of the next document; `None` after the last one of a complete answer. An
    /// error ends the answer: a failed statement, a chunk that does not arrive in time, a
    /// transport error, or an answer that ends while its last chunk says more follows.
    pub(crate) async fn next_document(&mut self) -> Option<Result<Vec<StatementResult>>> {
        std::future::poll_fn(|cx| self.poll_document(cx, &mut parse_results)).await
    }

    /// Reads the next document with `parse`, which is given the document's text and the
    /// answer's status and returns what it read with whether the document says that more of
    /// the answer follows (`None` when the document holds no result). See
    /// [`next_document`](Self::next_document).
    pub(crate) fn poll_document<T>(
        &mut self,
        cx: &mut Context<'_>,
        parse: &mut impl FnMut(&[u8], u16) -> Result<(T, Option<bool>)>,
    ) -> Poll<Option<Result<T>>> {
        loop {
            if self.finished {
                return Poll::Ready(None);
            }
            if let Some(document) = self.next_line(parse) {
                self.waiting = false;
                return Poll::Ready(Some(document));
            }
            if self.body_ended {
                self.finished = true;
                return Poll::Ready(completeness(self.continues, self.status).err().map(Err));
            }
            if !self.waiting {
                self.waiting = true;
                let deadline = deadline_after(self.timeout);
                self.deadline.as_mut().reset(deadline);
            }
            match self.body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => {
                    self.buffer.drain(..self.consumed);
                    self.searched -= self.consumed;
                    self.consumed = 0;
                    self.buffer.extend_from_slice(&bytes);
                }
                Poll::Ready(Some(Err(err))) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(transport_error(err, self.timeout))));
                }
                Poll::Ready(None) => {
                    self.body_ended = true;
                    // The server ends every document with a line feed; one without is read
                    // as it is, and fails if it was cut.
                    if self.buffer[self.consumed..]
                        .iter()
                        .any(|byte| !byte.is_ascii_whitespace())
                    {
                        self.buffer.push(b'\n');
                    }
                }
                Poll::Pending => {
                    if self.deadline.as_mut().poll(cx).is_ready() {
                        self.finished = true;
                        return Poll::Ready(Some(Err(Error::new(
                            ErrorKind::Timeout,
                            format!(
                                "no complete chunk of the query's answer within {:?}",
                                self.timeout
                            ),
                        ))));
                    }
                    return Poll::Pending;
                }
            }
        }
    }

    /// Parses the next complete non-blank line of the buffer, if there is one.
    fn next_line<T>(
        &mut self,
        parse: &mut impl FnMut(&[u8], u16) -> Result<(T, Option<bool>)>,
    ) -> Option<Result<T>> {
        while let Some(offset) = memchr::memchr(b'\n', &self.buffer[self.searched..]) {
            let end = self.searched + offset;
            let line = &self.buffer[self.consumed..end];
            self.consumed = end + 1;
            self.searched = self.consumed;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(match parse(line, self.status) {
                Ok((parsed, continues)) => {
                    self.continues = continues.or(self.continues);
                    Ok(parsed)
                }
                Err(err) => {
                    self.finished = true;
                    Err(err)
                }
            });
        }
        self.searched = self.buffer.len();
        None
    }
}

/// Reads a document into raw results.
fn parse_results(document: &[u8], status: u16) -> Result<(Vec<StatementResult>, Option<bool>)> {
    let results = parse_document(document, status)?;
    let continues = results.last().map(StatementResult::continues);
    Ok((results, continues))
}

/// Whether an answer of status `status` that has ended was complete, given what its last
/// document said (`continues`): the server sends at least one result per statement, and flags
/// every chunk after which more of the answer follows.
pub(crate) fn completeness(continues: Option<bool>, status: u16) -> Result<()> {
    let problem = match continues {
        Some(false) => return Ok(()),
        Some(true) => "the answer ended after a chunk that says more rows follow",
        None => "the answer ended before its first chunk",
    };
    Err(Error::new(ErrorKind::Truncated, problem).with_status(status))
}

fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout).unwrap_or_else(|| now + FAR_FUTURE)
}
