//! The server's TCP side: a listener whose connections send their ACKs at
//! once, so that no small write of a client waits on a delayed ACK, and the
//! outside-client cap (`--max-outside`) on those connections.
//!
//! Why the ACKs: socketioxide pings each client as soon as it connects; the
//! client's pong gets no reply, so Linux delays its ACK by up to 40 ms, and
//! the client's next small write (its emit) waits that long under Nagle's
//! algorithm — rust_socketio gives no way to set TCP_NODELAY on its side.
//!
//! The cap: every connection counts as an outside one from its accept
//! (while the cap allows) until its first request proves it is a tour
//! client with the run's secret header, so that a connection that never
//! sends a request counts too. Nothing is read at accept: [`admit`], a
//! layer in front of the Socket.IO service, reads the request hyper has
//! already parsed.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::task::{Context, Poll};

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::cut::{Cuts, Switch};
use super::descriptors::{admit_outside, max_outside, release_outside};
use crate::protocol::{CLIENT_HEADER, SECRET_HEADER, WAIT_BOUND, is_client_secret};

/// Accepts connections with TCP_NODELAY on, and quick ACKs after each read;
/// its tour clients' connections are filed in `cuts` (see `super::cut`).
pub struct QuickListener(pub TcpListener, pub Arc<Cuts>);

/// An accepted connection that re-arms TCP_QUICKACK after every read, with
/// its kind ([`Conn`]) shared with the requests it carries.
pub struct QuickStream {
    stream: TcpStream,
    conn: Conn,
    /// For a connection accepted while the cap was full: when it is closed
    /// if it has not sent a request by then (a tour client sends its own at
    /// once). `None` for every other connection.
    silence_ends: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// What a connection is, as far as its first request has shown; each
/// request carries it (as `ConnectInfo`), and [`admit`] decides it.
#[derive(Clone, Debug)]
pub struct Conn(Arc<ConnState>);

#[derive(Debug)]
struct ConnState {
    /// One of the `kind` constants below.
    kind: AtomicU8,
    peer: std::net::SocketAddr,
    /// Cuts the connection (`drop NAME`), once filed in `cuts`.
    switch: Arc<Switch>,
    cuts: Arc<Cuts>,
}

/// The kinds of a connection (a `u8`, so that the request and the stream's
/// `Drop` change it with one atomic operation each).
mod kind {
    /// No request yet, counted as an outside connection.
    pub const SILENT_COUNTED: u8 = 0;
    /// No request yet, not counted: the cap was full at its accept.
    pub const SILENT: u8 = 1;
    /// A tour client: its first request carried the run's secret. Never refused.
    pub const TOUR: u8 = 2;
    /// An outside client, counted until it closes.
    pub const OUTSIDE: u8 = 3;
    /// An outside client past the cap: answered 503, then closed.
    pub const REFUSED: u8 = 4;
    /// The connection closed (its count, if any, given back).
    pub const CLOSED: u8 = 5;
}

/// Whether a refusal was said already (said once, not per client).
static REFUSAL_SAID: AtomicBool = AtomicBool::new(false);

impl Listener for QuickListener {
    type Io = QuickStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept loop handles (and backs off from) accept errors.
        let (stream, peer) = Listener::accept(&mut self.0).await;
        // Failing costs latency only, never correctness: ignore it.
        let _ = stream.set_nodelay(true);
        let counted = admit_outside();
        let kind = if counted {
            kind::SILENT_COUNTED
        } else {
            kind::SILENT
        };
        let silence_ends = (!counted).then(|| Box::pin(tokio::time::sleep(WAIT_BOUND)));
        let conn = Conn(Arc::new(ConnState {
            kind: AtomicU8::new(kind),
            peer,
            switch: Arc::default(),
            cuts: self.1.clone(),
        }));
        let stream = QuickStream {
            stream,
            conn,
            silence_ends,
        };
        (stream, peer)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

impl axum::extract::connect_info::Connected<IncomingStream<'_, QuickListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, QuickListener>) -> Self {
        stream.io().conn.clone()
    }
}

/// What [`Conn::classify`] decided for a request.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    Refuse,
}

impl Conn {
    /// Decides the connection's kind on its first request (later ones find
    /// it decided): a tour client if `headers` carry the run's secret, else
    /// an outside one, counted, or refused when the cap is full.
    fn classify(&self, headers: &axum::http::HeaderMap) -> Verdict {
        let state = &self.0.kind;
        let was = state.load(Ordering::Acquire);
        if was != kind::SILENT_COUNTED && was != kind::SILENT {
            return if was == kind::REFUSED {
                Verdict::Refuse
            } else {
                Verdict::Pass
            };
        }
        // A header read here must be in head::KEPT_HEADERS (which runs first).
        let proven = headers
            .get(SECRET_HEADER)
            .is_some_and(|v| is_client_secret(v.as_bytes()));
        let becomes = if proven {
            kind::TOUR
        } else if was == kind::SILENT_COUNTED || admit_outside() {
            kind::OUTSIDE
        } else {
            kind::REFUSED
        };
        let swapped = state.compare_exchange(was, becomes, Ordering::AcqRel, Ordering::Acquire);
        let counted_before = was == kind::SILENT_COUNTED;
        let counted_now = becomes == kind::OUTSIDE;
        if swapped.is_err() {
            // Closed meanwhile: its `Drop` gave back what it held before;
            // give back what was counted here.
            if counted_now && !counted_before {
                release_outside();
            }
            return Verdict::Refuse;
        }
        if counted_before && !counted_now {
            release_outside();
        }
        if proven && let Some(name) = headers.get(CLIENT_HEADER).and_then(|v| v.to_str().ok()) {
            self.0.cuts.file(name, &self.0.switch);
        }
        if becomes == kind::REFUSED {
            self.say_refused();
            Verdict::Refuse
        } else {
            Verdict::Pass
        }
    }

    fn say_refused(&self) {
        if !REFUSAL_SAID.swap(true, Ordering::Relaxed) {
            let cap = max_outside();
            crate::runtime::say_aside(format!(
                "sockets-tour: closed an outside connection from {}: {cap} outside clients are \
                 connected already (--max-outside {cap}); others past the cap are closed too, \
                 without another word",
                self.0.peer
            ));
        }
    }
}

/// The layer in front of the Socket.IO service: passes a tour client's and
/// an admitted outside client's requests on, and answers one past the cap
/// with `503` and the reason (a Socket.IO client reports it as its connect
/// error), closing its connection.
pub async fn admit(ConnectInfo(conn): ConnectInfo<Conn>, request: Request, next: Next) -> Response {
    match conn.classify(request.headers()) {
        Verdict::Pass => next.run(request).await,
        Verdict::Refuse => refusal(),
    }
}

fn refusal() -> Response {
    let body = format!(
        "sockets-tour: at most {} outside clients may be connected at once (--max-outside); \
         this one was closed\n",
        max_outside()
    );
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        [(axum::http::header::CONNECTION, "close")],
        body,
    )
        .into_response()
}

impl QuickStream {
    /// Sends any pending ACK now; Linux turns quick ACKs off again by itself.
    fn ack_now(&self) {
        #[cfg(target_os = "linux")]
        {
            // Latency only, as above.
            let _ = socket2::SockRef::from(&self.stream).set_tcp_quickack(true);
        }
    }

    /// Whether this connection, accepted past the cap, has stayed silent
    /// too long (registers for a wake-up at the deadline otherwise).
    fn silent_too_long(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(ends) = self.silence_ends.as_mut() else {
            return false;
        };
        if self.conn.0.kind.load(Ordering::Acquire) != kind::SILENT {
            self.silence_ends = None;
            return false;
        }
        ends.as_mut().poll(cx).is_ready()
    }
}

impl Drop for QuickStream {
    fn drop(&mut self) {
        let was = self.conn.0.kind.swap(kind::CLOSED, Ordering::AcqRel);
        if was == kind::SILENT_COUNTED || was == kind::OUTSIDE {
            release_outside();
        }
    }
}

impl AsyncRead for QuickStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.conn.0.switch.is_cut(cx) {
            // As a lost network: the rest is never read, and the peer sees
            // the connection end (failing to shut down changes nothing here).
            let _ = socket2::SockRef::from(&self.stream).shutdown(std::net::Shutdown::Both);
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        match polled {
            Poll::Ready(Ok(())) if buf.filled().len() > before => self.ack_now(),
            // Read what came before the deadline counts: only a connection
            // still silent when nothing is left to read is ended (as if it
            // had closed), so a busy runtime never ends a tour client.
            Poll::Pending if self.silent_too_long(cx) => return Poll::Ready(Ok(())),
            _ => {}
        }
        polled
    }
}

impl AsyncWrite for QuickStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
