//! A loopback HTTP proxy in front of the real server that injects faults into chosen
//! requests: it refuses the connection, resets it in the middle of the request, holds the
//! request past the client's timeout (and then forwards it, as a slow network would), or
//! answers 503, or 429 with `Retry-After`. Every response it forwards closes the connection,
//! so each request of the client comes on a connection of its own and faults land where the
//! plan says.
//!
//! The proxy only understands what the tests send through it: `/write` and `/ping` requests
//! with a `Content-Length`, and answers with one.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the proxy does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward it.
    Pass,
    /// Reset the connection as soon as it is accepted, before any byte is read.
    Refuse,
    /// Read part of the request, then reset the connection.
    ResetMidRequest,
    /// Hold the request this long, then forward it (the client has usually given up).
    Delay(Duration),
    /// Answer `503 Service Unavailable` without forwarding.
    Unavailable,
    /// Answer `429 Too Many Requests` with `Retry-After: 1` without forwarding.
    Throttle,
}

#[derive(Debug)]
struct Plan {
    fault: Fault,
    /// The fault hits every `every`-th request (1: all of them).
    every: u64,
}

/// The proxy; it runs on a thread of its own until the process ends.
#[derive(Debug)]
pub struct FaultProxy {
    address: SocketAddr,
    last_head: Arc<Mutex<String>>,
    plan: Arc<Mutex<Plan>>,
    requests: Arc<AtomicU64>,
    injected: Arc<AtomicU64>,
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
            .parse()
            .expect("an upstream of the form http://IP:PORT");
        let plan = Arc::new(Mutex::new(Plan {
            fault: Fault::Pass,
            every: 1,
        }));
        let requests = Arc::new(AtomicU64::new(0));
        let injected = Arc::new(AtomicU64::new(0));
        let last_head = Arc::new(Mutex::new(String::new()));
        let address = {
            let (plan, requests, injected, last_head) = (
                Arc::clone(&plan),
                Arc::clone(&requests),
                Arc::clone(&injected),
                Arc::clone(&last_head),
            );
            crate::background::serve(move |socket| {
                let plan = Arc::clone(&plan);
                let requests = Arc::clone(&requests);
                let injected = Arc::clone(&injected);
                let last_head = Arc::clone(&last_head);
                async move {
                    let number = requests.fetch_add(1, Ordering::SeqCst) + 1;
                    let fault = {
                        let plan = plan.lock().unwrap_or_else(PoisonError::into_inner);
                        if number.is_multiple_of(plan.every) {
                            plan.fault
                        } else {
                            Fault::Pass
                        }
                    };
                    if fault != Fault::Pass {
                        injected.fetch_add(1, Ordering::SeqCst);
                    }
                    let _ = serve(socket, upstream, fault, &last_head).await;
                }
            })
        };
        FaultProxy {
            address,
            last_head,
            plan,
            requests,
            injected,
        }
    }

    /// From now on, every `every`-th connection gets `fault`.
    ///
    /// # Panics
    ///
    /// When `every` is 0.
    pub fn inject(&self, fault: Fault, every: u64) {
        assert!(every > 0, "every must be at least 1");
        *self.plan.lock().unwrap_or_else(PoisonError::into_inner) = Plan { fault, every };
    }

    /// The base URL of the proxy.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The request line and headers of the last request that reached the proxy whole.
    #[must_use]
    pub fn last_request_head(&self) -> String {
        self.last_head
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests (connections) the proxy has seen.
    #[must_use]
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// How many faults were injected so far.
    #[must_use]
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    fault: Fault,
    last_head: &Mutex<String>,
) -> std::io::Result<()> {
    if fault == Fault::Refuse {
        return reset(client);
    }
    if fault == Fault::ResetMidRequest {
        let mut start = [0_u8; 64];
        let _ = client.read(&mut start).await?;
        return reset(client);
    }
    let request = read_message(&mut client).await?;
    let head_end = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(request.len());
    *last_head.lock().unwrap_or_else(PoisonError::into_inner) =
        String::from_utf8_lossy(&request[..head_end]).into_owned();
    let response = match fault {
        Fault::Unavailable => canned(503, "Service Unavailable", "", "injected: unavailable"),
        Fault::Throttle => canned(
            429,
            "Too Many Requests",
            "Retry-After: 1\r\n",
            "injected: throttled",
        ),
        Fault::Delay(delay) => {
            tokio::time::sleep(delay).await;
            forward(upstream, &request).await?
        }
        _ => forward(upstream, &request).await?,
    };
    // The client may have given up (after a delay); that is part of the fault.
    let _ = client.write_all(&response).await;
    let _ = client.shutdown().await;
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

fn canned(status: u16, reason: &str, headers: &str, message: &str) -> Vec<u8> {
    let body = format!("{{\"error\":\"{message}\"}}");
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n{headers}Connection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends `request` upstream on a fresh connection and returns the answer, marked
/// `Connection: close`.
async fn forward(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(request).await?;
    let response = read_message(&mut server).await?;
    let header_end = response.windows(2).position(|w| w == b"\r\n").unwrap_or(0);
    let mut marked = response[..header_end + 2].to_vec();
    marked.extend_from_slice(b"Connection: close\r\n");
    marked.extend_from_slice(&response[header_end + 2..]);
    Ok(marked)
}

/// Reads one HTTP/1.1 message: its head, and a body of `Content-Length` bytes.
async fn read_message(socket: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut message = Vec::new();
    let mut buf = [0_u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = message.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let read = socket.read(&mut buf).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        message.extend_from_slice(&buf[..read]);
    };
    let head = String::from_utf8_lossy(&message[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while message.len() < head_end + length {
        let read = socket.read(&mut buf).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        message.extend_from_slice(&buf[..read]);
    }
    Ok(message)
}
