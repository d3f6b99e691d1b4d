//! Delivery: what becomes of every line of a write body, whatever happens to its requests.
//! I/O-free: the requests go through a [`Sender`], which the transport implements.
//!
//! A body (a session's buffer, a direct write's points, or line protocol given as text) is sent
//! in parts: cut at line boundaries to the maximum body size, each part retried by the sender
//! as its retry rule allows, and a part the server finds too large (HTTP 413) sent again in
//! halves. Every line ends in exactly one of three states, and the [`CommitReport`] of a write
//! that did not store everything says how many are in each:
//!
//! | the part's answer (after the sender's retries) | its lines become | then |
//! |---|---|---|
//! | 204 | **stored** | next part |
//! | 400 `partial write: … dropped=N` | **stored**, except N (plus each line named as unparsable) **refused**, with the server's reasons in the report | next part |
//! | 413, two lines or more | — (the part is split in halves, each sent as a part) | first half |
//! | 413, one line | **refused**: the line is handed back in the report, so that it cannot wedge the buffer | next part |
//! | 400 `unable to parse …` (no line written) | **refused**: every line of the part is handed back with the server's reason | next part |
//! | anything else: no answer, timeout, 5xx, 429, 401, 403, 404, an unexpected answer | **held**, with every line after it | stop: the write fails with this error |
//!
//! Parts go in order and the first held part stops the write, so the lines that leave the
//! buffer (stored or refused) are always its beginning and the held ones its end: a session
//! drops the first and keeps the second for its next commit; a direct write's caller knows that
//! the last [`held`](CommitReport::held) points of its list were not stored.
//!
//! A refusal in one part never stops the parts after it, and is reported with the write's
//! result even when a later part fails.

use std::fmt;
use std::future::Future;

use bytes::Bytes;

use crate::line_protocol::chunks_of;
use crate::{Error, ErrorKind, Result};

/// What became of the points of a write that did not store them all: how many were stored,
/// refused by the server (with its reasons), or are still held.
///
/// It comes with the error of a failed [`Session::commit`](crate::Session::commit) (or of a
/// direct write), through [`Error::commit_report`]. For
/// [`write_line_protocol`](crate::Client::write_line_protocol), it counts lines.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> inflow::Result<()> {
/// # let client = inflow::Client::new("http://localhost:8086/db")?;
/// # let mut session = client.session::<inflow::Point>();
/// if let Err(err) = session.commit().await {
///     if let Some(report) = err.commit_report() {
///         println!(
///             "{} stored, {} refused, {} still held",
///             report.stored(),
///             report.refused(),
///             report.held()
///         );
///         for line in report.refused_lines() {
///             eprintln!("the server cannot take {:?}: {}", line.line(), line.reason());
///         }
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitReport {
    stored: usize,
    refused: usize,
    held: usize,
    reasons: Vec<String>,
    refused_lines: Vec<RefusedLine>,
    unsent: String,
}

impl CommitReport {
    /// The points the server stored, as far as its answers tell: the points sent, less those
    /// it said it refused. InfluxDB 1.x undercounts one case: a request with both a field type
    /// conflict and points beyond the retention policy reports only the conflict's
    /// `dropped=N`, so the points beyond the retention policy count as stored here.
    #[must_use]
    pub fn stored(&self) -> usize {
        self.stored
    }

    /// The points the server refused: those a partial write dropped, and those handed back in
    /// [`refused_lines`](Self::refused_lines). They are no longer held: sending them again
    /// would be refused again.
    #[must_use]
    pub fn refused(&self) -> usize {
        self.refused
    }

    /// The points neither stored nor refused: a session keeps them buffered for its next
    /// commit; for a direct write of a list, they are the last `held` points of the list.
    #[must_use]
    pub fn held(&self) -> usize {
        self.held
    }

    /// The server's reasons for the points it refused, as it gave them (one per refused line
    /// or kind of refusal; InfluxDB 1.x names only the first of several refusals of one
    /// request that it parsed, with the count of all).
    #[must_use]
    pub fn reasons(&self) -> &[String] {
        &self.reasons
    }

    /// The lines the server can never accept, taken out of the buffer and handed back: a line
    /// larger than the server's maximum body size, or one it cannot parse.
    #[must_use]
    pub fn refused_lines(&self) -> &[RefusedLine] {
        &self.refused_lines
    }

    /// The line protocol of the held points when nothing holds them any more: a session scope
    /// ([`Session::scope`](crate::Session::scope)) ends with its session, so the points its
    /// final commit could not send are handed back here, one line each. Empty otherwise (a
    /// session keeps its held points; a direct write's are the end of the caller's list).
    #[must_use]
    pub fn unsent_line_protocol(&self) -> &str {
        &self.unsent
    }

    /// Adds the stored and refused points of `other` (with its reasons and refused lines).
    pub(crate) fn add_settled(&mut self, other: &CommitReport) {
        self.stored += other.stored;
        self.refused += other.refused;
        self.reasons.extend(other.reasons.iter().cloned());
        self.refused_lines
            .extend(other.refused_lines.iter().cloned());
    }

    /// Adds `points` stored points.
    pub(crate) fn add_stored(&mut self, points: usize) {
        self.stored += points;
    }

    /// Sets the count of points still held.
    pub(crate) fn set_held(&mut self, points: usize) {
        self.held = points;
    }

    /// Hands the held points back as line protocol.
    pub(crate) fn hand_back_unsent(&mut self, line_protocol: String) {
        self.unsent = line_protocol;
    }

    /// Whether every point was stored.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.refused == 0 && self.held == 0
    }
}

impl fmt::Display for CommitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} stored, {} refused by the server, {} still held",
            self.stored, self.refused, self.held
        )
    }
}

/// A line the server can never accept, handed back with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedLine {
    line: String,
    status: u16,
    reason: String,
}

impl RefusedLine {
    /// The line, as line protocol (with its final line feed when it had one).
    #[must_use]
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The HTTP status of the refusal (413 for a line larger than the server takes, 400 for a
    /// line it cannot parse).
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The server's reason.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Sends one part of a body, with whatever retries its rule allows.
pub(crate) trait Sender {
    /// Sends `part`, which holds `lines` lines; the error is the last attempt's.
    fn send(&mut self, part: Bytes, lines: usize) -> impl Future<Output = Result<()>> + Send;
}

/// The end of a delivery: the beginning of the body that left it (stored or refused), and the
/// result to give the caller.
#[derive(Debug)]
pub(crate) struct Delivered {
    /// Bytes at the start of the body that are stored or refused.
    pub(crate) settled_bytes: usize,
    /// Lines in those bytes.
    pub(crate) settled_lines: usize,
    /// `Ok` when every line was stored; otherwise the error, with its [`CommitReport`].
    pub(crate) result: Result<()>,
}

/// A range of whole lines of the body.
#[derive(Debug, Clone)]
struct Part {
    start: usize,
    end: usize,
    lines: usize,
}

/// Sends `body` (`lines` lines, none empty) in parts of at most `max_part_bytes`, and accounts
/// for every line (see the module's table).
pub(crate) async fn deliver<S: Sender + Send>(
    sender: &mut S,
    body: &Bytes,
    lines: usize,
    max_part_bytes: usize,
) -> Delivered {
    let mut report = CommitReport::default();
    let mut partial: Option<Error> = None;
    let mut dropped = 0_u64;
    // Parts still to send, the next one last. A body that fits goes whole without a scan.
    let mut pending: Vec<Part> = if body.len() <= max_part_bytes {
        vec![Part {
            start: 0,
            end: body.len(),
            lines,
        }]
    } else {
        parts_of(body, 0, body.len(), max_part_bytes)
    };
    let mut settled = 0;
    let mut settled_lines = 0;
    let mut stopped = None;
    while let Some(part) = pending.pop() {
        if part.start == part.end {
            continue;
        }
        let bytes = body.slice(part.start..part.end);
        match sender.send(bytes.clone(), part.lines).await {
            Ok(()) => report.stored += part.lines,
            Err(err) => match verdict(&err, part.lines) {
                Verdict::Partial { refused } => {
                    report.stored += part.lines - refused;
                    report.refused += refused;
                    report
                        .reasons
                        .extend(err.partial_write_reasons().into_iter().map(str::to_owned));
                    dropped = dropped.saturating_add(err.dropped().unwrap_or(0));
                    if partial.is_none() {
                        partial = Some(err);
                    }
                }
                Verdict::Halve => {
                    let half = (part.end - part.start).div_ceil(2);
                    pending.extend(parts_of(body, part.start, part.end, half));
                    continue;
                }
                Verdict::RefuseLines => {
                    hand_back(&mut report, &bytes, &err);
                }
                Verdict::Hold => {
                    stopped = Some(err);
                    break;
                }
            },
        }
        settled = part.end;
        settled_lines += part.lines;
    }
    report.held = lines.saturating_sub(settled_lines);
    let result = match (stopped, partial) {
        (None, None) if report.refused_lines.is_empty() => Ok(()),
        (Some(err), _) => Err(err.with_report(report)),
        (None, Some(err)) => Err(err.with_dropped(Some(dropped)).with_report(report)),
        (None, None) => {
            let first = &report.refused_lines[0];
            let (status, reason) = (first.status, first.reason.clone());
            Err(Error::new(ErrorKind::WriteFailed, reason)
                .with_status(status)
                .with_report(report))
        }
    };
    Delivered {
        settled_bytes: settled,
        settled_lines,
        result,
    }
}

/// The lines of `body[start..end]` in parts of at most `max_bytes`, the first part last.
fn parts_of(body: &[u8], start: usize, end: usize, max_bytes: usize) -> Vec<Part> {
    let mut parts: Vec<Part> = chunks_of(&body[start..end], max_bytes)
        .into_iter()
        .map(|chunk| Part {
            start: start + chunk.bytes.start,
            end: start + chunk.bytes.end,
            lines: chunk.points,
        })
        .collect();
    parts.reverse();
    parts
}

/// What a failed part's error means for its lines.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Written, except `refused` lines.
    Partial { refused: usize },
    /// Too large as a whole: send it in halves.
    Halve,
    /// The server can never accept these lines.
    RefuseLines,
    /// Not stored; may be later.
    Hold,
}

fn verdict(err: &Error, lines: usize) -> Verdict {
    match (err.kind(), err.status()) {
        (ErrorKind::PartialWrite, _) => {
            let dropped = err
                .dropped()
                .and_then(|dropped| usize::try_from(dropped).ok())
                .unwrap_or(0);
            // 1.x counts parse failures as dropped=0 but names each unparsable line.
            let unparsable = err
                .partial_write_reasons()
                .iter()
                .filter(|reason| reason.starts_with("unable to parse"))
                .count();
            Verdict::Partial {
                refused: dropped.saturating_add(unparsable).min(lines),
            }
        }
        (_, Some(413)) if lines > 1 => Verdict::Halve,
        (_, Some(413)) => Verdict::RefuseLines,
        (ErrorKind::WriteFailed, Some(400)) if err.message().starts_with("unable to parse") => {
            Verdict::RefuseLines
        }
        _ => Verdict::Hold,
    }
}

/// Hands every line of `part` back in `report`, each with the server's reason for it.
fn hand_back(report: &mut CommitReport, part: &[u8], err: &Error) {
    let status = err.status().unwrap_or_default();
    let mut start = 0;
    for chunk in chunks_of(part, 1) {
        let line = String::from_utf8_lossy(&part[chunk.bytes.clone()]).into_owned();
        start += chunk.bytes.len();
        let reason = reason_for_line(err.message(), line.trim_end_matches('\n'))
            .unwrap_or_else(|| err.message().to_owned());
        report.refused += chunk.points;
        report.reasons.push(reason.clone());
        report.refused_lines.push(RefusedLine {
            line,
            status,
            reason,
        });
    }
    debug_assert_eq!(start, part.len());
}

/// The server's `unable to parse '<line>': <why>` for `line`, when the message has one.
fn reason_for_line(message: &str, line: &str) -> Option<String> {
    let needle = format!("unable to parse '{line}': ");
    let at = message.find(&needle)?;
    let end = message[at..]
        .find('\n')
        .map_or(message.len(), |end| at + end);
    Some(message[at..end].to_owned())
}

/// Whether every line of raw line protocol ends with a timestamp, so that storing it twice
/// overwrites it with itself: a last section of digits (with an optional `-`) after a space
/// that is outside any string value. Comments and blank lines have no point to duplicate.
pub(crate) fn every_line_has_a_time(body: &[u8]) -> bool {
    chunks_of(body, 1).iter().all(|line| {
        let text = body[line.bytes.clone()].trim_ascii();
        if text.is_empty() || text.starts_with(b"#") {
            return true;
        }
        let Some(space) = text.iter().rposition(|&byte| byte == b' ') else {
            return false;
        };
        let time = &text[space + 1..];
        let digits = time.strip_prefix(b"-").unwrap_or(time);
        // A space inside a string value is followed by the string's closing quote, and one in
        // a key by `=`: only a time leaves nothing but digits after the last space.
        !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
    })
}

#[cfg(test)]
mod tests;
