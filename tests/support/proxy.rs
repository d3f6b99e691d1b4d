//! A loopback HTTP proxy in front of the real server that injects faults into chosen
//! requests: it resets the connection before or after the server acted, holds the request or
//! the server's answer past the client's timeout, answers in the server's place (any status,
//! headers and body), replaces the server's answer, cuts a (chunked) query answer after some
//! of its lines, or sends it one byte at a time. Its listening socket can also be closed, so
//! that connection attempts are refused by the system.
//!
//! Every answer it sends closes the connection, so each request of the client comes on a
//! connection of its own and faults land where the plan says. A test chooses the fault of each
//! request with [`FaultProxy::plan`] (or [`FaultProxy::inject`] for "every n-th request"), and
//! reads afterwards what happened to each request with [`FaultProxy::exchanges`].
//!
//! It speaks the HTTP/1.1 that clients and InfluxDB speak: bodies framed by `Content-Length`
//! or `Transfer-Encoding: chunked` (answers of `chunked=true` queries, one JSON document per
//! line), any method and path.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::background::{self, Switch};

/// What the proxy does to a request. Every fault but [`Fault::Refuse`] and
/// [`Fault::ResetMidRequest`] reads the whole request first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Forward it, and its answer.
    Pass,
    /// Reset the connection once the request's head is read, without reading its body: the
    /// server never sees the request. The client's connection was established, so to the
    /// client this is a reset after sending, like [`Fault::ResetAfterForward`]; for a refusal
    /// at connect, see [`FaultProxy::refuse_connections`].
    Refuse,
    /// Read part of the request (its head), then reset the connection; the server never sees
    /// it.
    ResetMidRequest,
    /// Hold the request this long, then forward it and its answer (the client has usually
    /// given up, but the server acts on the request).
    Delay(Duration),
    /// Answer `503 Service Unavailable` with a JSON error body, without forwarding.
    Unavailable,
    /// Answer `429 Too Many Requests` with `Retry-After: 1`, without forwarding.
    Throttle,
    /// Forward the request, wait for the server's whole answer (the server read the body and
    /// acted), then reset the client's connection instead of answering.
    ResetAfterForward,
    /// Forward the request, wait for the server's whole answer, hold it this long, then send
    /// it (the client has usually timed out, although the server acted).
    HoldAnswer(Duration),
    /// Answer this without forwarding. The proxy adds `Connection: close`, and
    /// `Content-Length` unless `headers` frame the body themselves (`Content-Length` or
    /// `Transfer-Encoding`), in which case `body` is sent as it is.
    Answer {
        /// The status code.
        status: u16,
        /// Header names and values, sent in this order.
        headers: Vec<(String, String)>,
        /// The body.
        body: String,
    },
    /// Forward the request (the server acts on it), then send this answer instead of the
    /// server's, framed as for [`Fault::Answer`].
    ForwardThenAnswer {
        /// The status code.
        status: u16,
        /// Header names and values, sent in this order.
        headers: Vec<(String, String)>,
        /// The body.
        body: String,
    },
    /// Forward the request, and its answer cut after its first `n` lines (the JSON documents
    /// of a chunked query answer), ended cleanly as a complete HTTP message: the terminating
    /// chunk of a chunked answer, or a `Content-Length` of what is left.
    CutAnswerAfterLines(usize),
    /// Forward the request, then its answer one byte at a time (head included), with this
    /// pause between bytes.
    Trickle(Duration),
}

impl Fault {
    /// [`Fault::Answer`] from borrowed parts.
    #[must_use]
    pub fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Fault {
        Fault::Answer {
            status,
            headers: owned(headers),
            body: body.to_owned(),
        }
    }

    /// [`Fault::ForwardThenAnswer`] from borrowed parts.
    #[must_use]
    pub fn forward_then_answer(status: u16, headers: &[(&str, &str)], body: &str) -> Fault {
        Fault::ForwardThenAnswer {
            status,
            headers: owned(headers),
            body: body.to_owned(),
        }
    }

    /// The name of the variant, to count faults by kind.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Pass => "Pass",
            Fault::Refuse => "Refuse",
            Fault::ResetMidRequest => "ResetMidRequest",
            Fault::Delay(_) => "Delay",
            Fault::Unavailable => "Unavailable",
            Fault::Throttle => "Throttle",
            Fault::ResetAfterForward => "ResetAfterForward",
            Fault::HoldAnswer(_) => "HoldAnswer",
            Fault::Answer { .. } => "Answer",
            Fault::ForwardThenAnswer { .. } => "ForwardThenAnswer",
            Fault::CutAnswerAfterLines(_) => "CutAnswerAfterLines",
            Fault::Trickle(_) => "Trickle",
        }
    }

    /// Whether the request reaches the server under this fault (when the server can be
    /// reached at all).
    #[must_use]
    pub fn forwards(&self) -> bool {
        !matches!(
            self,
            Fault::Refuse
                | Fault::ResetMidRequest
                | Fault::Unavailable
                | Fault::Throttle
                | Fault::Answer { .. }
        )
    }
}

fn owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// What happened to one request that reached the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Its number, from 1, in the order the proxy read the requests' heads.
    pub number: u64,
    /// Its request line, e.g. `POST /write?db=x HTTP/1.1`.
    pub request_line: String,
    /// The fault the plan chose for it.
    pub fault: Fault,
    /// The status the server answered, when the request was forwarded and the server's whole
    /// answer read: the server acted on the request.
    pub server_status: Option<u16>,
    /// The status of the answer the proxy sent the client (whether the client was still
    /// listening is not known); `None` when it reset the connection or sent nothing.
    pub answered: Option<u16>,
    /// Whether the proxy is done with the request.
    pub finished: bool,
}

type Plan = Box<dyn FnMut(u64, &str) -> Fault + Send>;

struct Shared {
    plan: Mutex<Plan>,
    exchanges: Mutex<Vec<Exchange>>,
    last_head: Mutex<String>,
    requests: AtomicU64,
}

impl Shared {
    fn update(&self, number: u64, change: impl FnOnce(&mut Exchange)) {
        let mut exchanges = self
            .exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(exchange) = exchanges.iter_mut().find(|e| e.number == number) {
            change(exchange);
        }
    }
}

/// The proxy; it runs on a thread of its own until the process ends.
pub struct FaultProxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    switch: Switch,
}

impl fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultProxy")
            .field("address", &self.address)
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

impl FaultProxy {
    /// A proxy to `upstream` (`http://127.0.0.1:PORT`), passing everything until told
    /// otherwise.
    ///
    /// # Panics
    ///
    /// When no loopback port can be had.
    #[must_use]
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("an upstream of the form http://IP:PORT");
        let shared = Arc::new(Shared {
            plan: Mutex::new(Box::new(|_, _| Fault::Pass)),
            exchanges: Mutex::new(Vec::new()),
            last_head: Mutex::new(String::new()),
            requests: AtomicU64::new(0),
        });
        let (address, switch) = {
            let shared = Arc::clone(&shared);
            background::serve_switchable(move |socket| {
                let shared = Arc::clone(&shared);
                async move {
                    let _ = exchange(socket, upstream, &shared).await;
                }
            })
        };
        FaultProxy {
            address,
            shared,
            switch,
        }
    }

    /// From now on, every `every`-th request (by [`Exchange::number`]) gets `fault`, and the
    /// others pass.
    ///
    /// # Panics
    ///
    /// When `every` is 0.
    pub fn inject(&self, fault: Fault, every: u64) {
        assert!(every > 0, "every must be at least 1");
        self.plan(move |number, _| {
            if number.is_multiple_of(every) {
                fault.clone()
            } else {
                Fault::Pass
            }
        });
    }

    /// From now on, `plan(number, head)` chooses the fault of each request, from its number
    /// (from 1, see [`Exchange::number`]) and its head (request line and headers, e.g.
    /// `POST /write?db=x HTTP/1.1\r\nHost: ...`). It runs on the proxy's thread, one request at
    /// a time.
    pub fn plan(&self, plan: impl FnMut(u64, &str) -> Fault + Send + 'static) {
        *self
            .shared
            .plan
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Box::new(plan);
    }

    /// The base URL of the proxy.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The request line and headers of the last request that reached the proxy whole.
    #[must_use]
    pub fn last_request_head(&self) -> String {
        self.shared
            .last_head
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests the proxy has seen (their heads read); connection attempts refused
    /// while [`FaultProxy::refuse_connections`] is in force are not among them.
    #[must_use]
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// How many requests got another fault than [`Fault::Pass`].
    #[must_use]
    pub fn injected(&self) -> u64 {
        self.exchanges()
            .iter()
            .filter(|exchange| exchange.fault != Fault::Pass)
            .count() as u64
    }

    /// What happened to each request so far, in the order of their numbers.
    #[must_use]
    pub fn exchanges(&self) -> Vec<Exchange> {
        let mut exchanges = self
            .shared
            .exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        exchanges.sort_by_key(|exchange| exchange.number);
        exchanges
    }

    /// How many requests got each kind of fault ([`Fault::name`]), `Pass` included.
    #[must_use]
    pub fn fault_counts(&self) -> BTreeMap<&'static str, u64> {
        let mut counts = BTreeMap::new();
        for exchange in self.exchanges() {
            *counts.entry(exchange.fault.name()).or_insert(0) += 1;
        }
        counts
    }

    /// Blocks until `done(exchanges)` holds, polling every 10 ms. It is for waiting on the
    /// proxy's thread (e.g. until the server answered a request whose client gave up); it
    /// blocks the calling thread, so the client must not need it meanwhile.
    ///
    /// # Panics
    ///
    /// When it does not hold within 30 s.
    pub fn wait_until(&self, mut done: impl FnMut(&[Exchange]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if done(&self.exchanges()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the proxy did not get there within 30 s: {:#?}",
                self.exchanges()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Blocks until the proxy is done with every request it has seen ([`Exchange::finished`]);
    /// see [`FaultProxy::wait_until`].
    pub fn wait_until_finished(&self) {
        self.wait_until(|exchanges| exchanges.iter().all(|exchange| exchange.finished));
    }

    /// Closes the proxy's listening socket: until [`FaultProxy::accept_connections`], every
    /// connection attempt is refused by the system (the client's connect fails, so it knows
    /// that nothing was sent). Returns once the socket is closed; requests already accepted go
    /// on.
    pub fn refuse_connections(&self) {
        self.switch.close();
    }

    /// Listens again on the same port after [`FaultProxy::refuse_connections`].
    ///
    /// # Panics
    ///
    /// When the port cannot be bound again (another socket took it meanwhile).
    pub fn accept_connections(&self) {
        self.switch
            .open()
            .unwrap_or_else(|err| panic!("listening again on {}: {err}", self.address));
    }
}

/// Serves one connection: reads a request, asks the plan for its fault, and acts.
async fn exchange(client: TcpStream, upstream: SocketAddr, shared: &Shared) -> std::io::Result<()> {
    let _ = client.set_nodelay(true);
    let mut reader = BufReader::new(client);
    let Some(head) = read_head(&mut reader).await? else {
        return Ok(());
    };
    let number = shared.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let fault = {
        let mut plan = shared.plan.lock().unwrap_or_else(PoisonError::into_inner);
        plan(number, &head.text())
    };
    shared
        .exchanges
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Exchange {
            number,
            request_line: head.start.clone(),
            fault: fault.clone(),
            server_status: None,
            answered: None,
            finished: false,
        });
    let outcome = act(reader, head, upstream, shared, number, fault).await;
    shared.update(number, |exchange| exchange.finished = true);
    outcome
}

async fn act(
    mut reader: BufReader<TcpStream>,
    head: Head,
    upstream: SocketAddr,
    shared: &Shared,
    number: u64,
    fault: Fault,
) -> std::io::Result<()> {
    if matches!(fault, Fault::Refuse | Fault::ResetMidRequest) {
        return reset(reader.into_inner());
    }
    let body = read_body(&mut reader, &head, None).await?;
    let mut client = reader.into_inner();
    *shared
        .last_head
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = head.text();
    let request = Message {
        head,
        body,
        chunked: false,
        framed_by_headers: false,
    };
    let forwarded = if fault.forwards() {
        if let Fault::Delay(delay) = fault {
            tokio::time::sleep(delay).await;
        }
        let answer = forward(upstream, &request).await?;
        let status = answer.head.status();
        shared.update(number, |exchange| exchange.server_status = status);
        Some(answer)
    } else {
        None
    };
    let trickle_pause = match fault {
        Fault::Trickle(pause) => Some(pause),
        _ => None,
    };
    let answer = match (fault, forwarded) {
        (Fault::Unavailable, _) => canned(
            503,
            &owned(&[("Content-Type", "application/json")]),
            "{\"error\":\"injected: unavailable\"}",
        ),
        (Fault::Throttle, _) => canned(
            429,
            &owned(&[("Content-Type", "application/json"), ("Retry-After", "1")]),
            "{\"error\":\"injected: throttled\"}",
        ),
        (
            Fault::Answer {
                status,
                headers,
                body,
            }
            | Fault::ForwardThenAnswer {
                status,
                headers,
                body,
            },
            _,
        ) => canned(status, &headers, &body),
        (Fault::ResetAfterForward, _) => return reset(client),
        (Fault::HoldAnswer(hold), Some(answer)) => {
            tokio::time::sleep(hold).await;
            answer
        }
        (Fault::CutAnswerAfterLines(lines), Some(mut answer)) => {
            answer.body = answer
                .body
                .split_inclusive(|byte| *byte == b'\n')
                .take(lines)
                .flatten()
                .copied()
                .collect();
            answer
        }
        (_, Some(answer)) => answer,
        (_, None) => return Ok(()),
    };
    let status = answer.head.status();
    let bytes = answer.encode();
    // The client may have given up (after a delay); that is part of the fault.
    let sent = match trickle_pause {
        Some(pause) => trickle(&mut client, &bytes, pause).await,
        None => client.write_all(&bytes).await,
    };
    if sent.is_ok() {
        shared.update(number, |exchange| exchange.answered = status);
    }
    let _ = client.shutdown().await;
    Ok(())
}

async fn trickle(client: &mut TcpStream, bytes: &[u8], pause: Duration) -> std::io::Result<()> {
    for (at, byte) in bytes.iter().enumerate() {
        if at > 0 {
            tokio::time::sleep(pause).await;
        }
        client.write_all(std::slice::from_ref(byte)).await?;
        client.flush().await?;
    }
    Ok(())
}

/// Closes the connection with a reset (SO_LINGER 0), as a crashed peer would.
fn reset(socket: TcpStream) -> std::io::Result<()> {
    // Deprecated because a non-zero linger blocks the thread on drop; a zero one does not.
    #[allow(deprecated)]
    socket.set_linger(Some(Duration::ZERO))?;
    drop(socket);
    Ok(())
}

/// The start line and the headers of a message.
#[derive(Debug, Clone)]
struct Head {
    start: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The status of an answer.
    fn status(&self) -> Option<u16> {
        self.start.split(' ').nth(1)?.parse().ok()
    }

    /// Whether the message is framed by chunks.
    fn chunked(&self) -> bool {
        self.header("transfer-encoding")
            .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"))
    }

    fn text(&self) -> String {
        let mut text = self.start.clone();
        for (name, value) in &self.headers {
            text.push_str("\r\n");
            text.push_str(name);
            text.push_str(": ");
            text.push_str(value);
        }
        text
    }
}

/// One HTTP message, its body decoded from its framing.
#[derive(Debug)]
struct Message {
    head: Head,
    body: Vec<u8>,
    /// Sent with `Transfer-Encoding: chunked`, one chunk per line.
    chunked: bool,
    /// The headers frame `body` themselves: send both as they are.
    framed_by_headers: bool,
}

impl Message {
    /// The message as it goes on the wire, marked `Connection: close`.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 256);
        out.extend_from_slice(self.head.start.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.head.headers {
            let connection = ["connection", "keep-alive"]
                .iter()
                .any(|skipped| name.eq_ignore_ascii_case(skipped));
            let framing = ["content-length", "transfer-encoding"]
                .iter()
                .any(|skipped| name.eq_ignore_ascii_case(skipped));
            if connection || (framing && !self.framed_by_headers) {
                continue;
            }
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"Connection: close\r\n");
        if self.framed_by_headers {
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&self.body);
        } else if self.head.status().is_some_and(bodiless) {
            out.extend_from_slice(b"\r\n");
        } else if self.chunked {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            for line in self.body.split_inclusive(|byte| *byte == b'\n') {
                out.extend_from_slice(format!("{:x}\r\n", line.len()).as_bytes());
                out.extend_from_slice(line);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
        } else {
            out.extend_from_slice(
                format!("Content-Length: {}\r\n\r\n", self.body.len()).as_bytes(),
            );
            out.extend_from_slice(&self.body);
        }
        out
    }
}

/// Whether an answer of this status has no body.
fn bodiless(status: u16) -> bool {
    (100..200).contains(&status) || status == 204 || status == 304
}

fn canned(status: u16, headers: &[(String, String)], body: &str) -> Message {
    let framed_by_headers = headers.iter().any(|(name, _)| {
        name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
    });
    Message {
        head: Head {
            start: format!("HTTP/1.1 {status} {}", reason(status)),
            headers: headers.to_vec(),
        },
        body: body.as_bytes().to_vec(),
        chunked: false,
        framed_by_headers,
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Request Entity Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Injected",
    }
}

/// Sends `request` upstream on a fresh connection and returns the whole answer.
async fn forward(upstream: SocketAddr, request: &Message) -> std::io::Result<Message> {
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&request.encode()).await?;
    let mut reader = BufReader::new(&mut server);
    let head = read_head(&mut reader)
        .await?
        .ok_or(std::io::ErrorKind::UnexpectedEof)?;
    let status = head.status().ok_or(std::io::ErrorKind::InvalidData)?;
    let body = read_body(&mut reader, &head, Some(status)).await?;
    let chunked = head.chunked();
    Ok(Message {
        head,
        body,
        chunked,
        framed_by_headers: false,
    })
}

/// Reads a message's start line and headers; `None` when the peer closed before sending any.
async fn read_head<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<Option<Head>> {
    let mut start = String::new();
    if reader.read_line(&mut start).await? == 0 {
        return Ok(None);
    }
    let mut head = Head {
        start: start.trim_end().to_owned(),
        headers: Vec::new(),
    };
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            return Ok(Some(head));
        }
        if head.headers.len() > 200 {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        let (name, value) = line
            .split_once(':')
            .ok_or(std::io::ErrorKind::InvalidData)?;
        head.headers
            .push((name.trim().to_owned(), value.trim().to_owned()));
    }
}

/// Reads a message's body, decoded from its framing; `status` is that of an answer (`None`
/// for a request, whose body without framing is empty).
async fn read_body<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    head: &Head,
    status: Option<u16>,
) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if status.is_some_and(bodiless) {
        return Ok(body);
    }
    if head.chunked() {
        loop {
            let mut size = String::new();
            if reader.read_line(&mut size).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let size = size.trim_end();
            let size = size.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    let mut trailer = String::new();
                    if reader.read_line(&mut trailer).await? == 0 || trailer.trim_end().is_empty() {
                        return Ok(body);
                    }
                }
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..]).await?;
            let mut end = [0_u8; 2];
            reader.read_exact(&mut end).await?;
        }
    }
    match head.header("content-length") {
        Some(length) => {
            let length: usize = length
                .parse()
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            body.resize(length, 0);
            reader.read_exact(&mut body).await?;
        }
        None if status.is_some() => {
            reader.read_to_end(&mut body).await?;
        }
        None => {}
    }
    Ok(body)
}
