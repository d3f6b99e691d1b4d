//! Loopback servers of the test support (the fault proxy, the TLS front) run here: a thread of
//! their own with a Tokio runtime, one task per accepted connection.

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};

/// Binds a free loopback port and serves each connection with `handle` on a background thread
/// until the process ends; returns the address.
pub(crate) fn serve<F, Fut>(handle: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    let address = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("a tokio listener");
            loop {
                if let Ok((socket, _)) = listener.accept().await {
                    tokio::spawn(handle(socket));
                }
            }
        });
    });
    address
}
