//! Loopback servers of the test support (the fault proxy, the TLS front) run here: a thread of
//! their own with a Tokio runtime, one task per accepted connection.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::task::Poll;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Binds a free loopback port and serves each connection with `handle` on a background thread
/// until the process ends; returns the address.
pub(crate) fn serve<F, Fut>(handle: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    serve_switchable(handle).0
}

/// Closes and opens again the listening socket of a server started by [`serve_switchable`].
#[derive(Debug)]
pub(crate) struct Switch(UnboundedSender<Control>);

#[derive(Debug)]
enum Control {
    Close(mpsc::Sender<()>),
    Open(mpsc::Sender<std::io::Result<()>>),
}

impl Switch {
    /// Closes the listening socket; returns once it is closed, so that from then on a
    /// connection attempt is refused by the system (the client's connect fails: nothing was
    /// sent). Connections already accepted go on.
    pub(crate) fn close(&self) {
        let (done, wait) = mpsc::channel();
        if self.0.send(Control::Close(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    /// Listens again on the same address; returns once it listens.
    pub(crate) fn open(&self) -> std::io::Result<()> {
        let (done, wait) = mpsc::channel();
        self.0
            .send(Control::Open(done))
            .map_err(|_| std::io::Error::other("the server thread is gone"))?;
        wait.recv()
            .map_err(|_| std::io::Error::other("the server thread is gone"))?
    }
}

enum Event {
    Accepted(std::io::Result<TcpStream>),
    Control(Control),
}

/// [`serve`], with a [`Switch`] that closes the listening socket and opens it again on the same
/// port.
pub(crate) fn serve_switchable<F, Fut>(handle: F) -> (SocketAddr, Switch)
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    // std sets SO_REUSEADDR on Unix, so the port can be bound again while connections accepted
    // on it (or closed from it, in TIME_WAIT) remain.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    let address = listener.local_addr().expect("an address");
    let (switch, mut commands) = unbounded_channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let mut listener = Some(TcpListener::from_std(listener).expect("a tokio listener"));
            let mut controlled = true;
            loop {
                let event = std::future::poll_fn(|cx| {
                    if controlled {
                        match commands.poll_recv(cx) {
                            Poll::Ready(Some(command)) => {
                                return Poll::Ready(Event::Control(command));
                            }
                            // The switch is gone: serve on as we are.
                            Poll::Ready(None) => controlled = false,
                            Poll::Pending => {}
                        }
                    }
                    match &listener {
                        Some(listening) => listening
                            .poll_accept(cx)
                            .map(|accepted| Event::Accepted(accepted.map(|(socket, _)| socket))),
                        None => Poll::Pending,
                    }
                })
                .await;
                match event {
                    Event::Accepted(Ok(socket)) => {
                        tokio::spawn(handle(socket));
                    }
                    Event::Accepted(Err(_)) => {}
                    Event::Control(Control::Close(done)) => {
                        listener = None;
                        let _ = done.send(());
                    }
                    Event::Control(Control::Open(done)) => {
                        let opened = match listener {
                            Some(_) => Ok(()),
                            None => listen(address).map(|listening| listener = Some(listening)),
                        };
                        let _ = done.send(opened);
                    }
                }
            }
        });
    });
    (address, Switch(switch))
}

fn listen(address: SocketAddr) -> std::io::Result<TcpListener> {
    let listener = std::net::TcpListener::bind(address)?;
    listener.set_nonblocking(true)?;
    TcpListener::from_std(listener)
}
