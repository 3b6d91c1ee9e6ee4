//! The server's TCP side: a listener whose connections send their ACKs at
//! once, so that no small write of a client waits on a delayed ACK, and
//! that closes an outside connection past the cap (`--max-outside`).
//!
//! Why: socketioxide pings each client as soon as it connects; the client's
//! pong gets no reply, so Linux delays its ACK by up to 40 ms, and the
//! client's next small write (its emit) waits that long under Nagle's
//! algorithm — rust_socketio gives no way to set TCP_NODELAY on its side.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};

use super::descriptors::{admit_outside, max_outside, release_outside};
use std::task::{Context, Poll};

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts connections with TCP_NODELAY on, and quick ACKs after each read.
pub struct QuickListener(pub TcpListener);

/// An accepted connection that re-arms TCP_QUICKACK after every read, and
/// tells a tour client's connection from an outside one by its first
/// request's head.
pub struct QuickStream {
    stream: TcpStream,
    peer: std::net::SocketAddr,
    kind: Kind,
}

/// Whether a refusal was said on stderr already (said once, not per client).
static REFUSAL_SAID: AtomicBool = AtomicBool::new(false);

/// The longest request head read to tell a connection's kind: a tour
/// client's websocket upgrade is well under it.
const HEAD_LIMIT: usize = 16 * 1024;

/// What a connection is, as far as its first request has shown.
enum Kind {
    /// Its request head so far: the run's secret not seen, the head not ended.
    Unknown(Vec<u8>),
    /// A tour client: its upgrade request carried the run's secret. Never refused.
    Tour,
    /// An outside client, counted (`descriptors::admit_outside`) until it closes.
    Outside,
    /// An outside client past the cap: told why, then closed.
    Refused,
}

/// Why an outside connection is closed at once: an HTTP answer any client
/// can show (a Socket.IO client reports it as its connect error).
fn refusal() -> String {
    let body = format!(
        "sockets-tour: at most {} outside clients may be connected at once (--max-outside); \
         this one was closed\n",
        max_outside()
    );
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: text/plain\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
}

impl Listener for QuickListener {
    type Io = QuickStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept loop handles (and backs off from) accept errors.
        let (stream, addr) = Listener::accept(&mut self.0).await;
        // Failing costs latency only, never correctness: ignore it.
        let _ = stream.set_nodelay(true);
        let kind = Kind::Unknown(Vec::new());
        (
            QuickStream {
                stream,
                peer: addr,
                kind,
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
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

    /// Learns the connection's kind from `read`, the bytes it just sent: a
    /// tour client as soon as the run's secret shows, an outside one once
    /// the head ends without it (admitted while under the cap).
    fn classify(&mut self, read: &[u8]) {
        let Kind::Unknown(head) = &mut self.kind else {
            return;
        };
        head.extend_from_slice(read);
        let secret = crate::protocol::client_secret().as_bytes();
        if head.windows(secret.len()).any(|w| w == secret) {
            self.kind = Kind::Tour;
            return;
        }
        let ended = head.windows(4).any(|w| w == b"\r\n\r\n") || head.len() >= HEAD_LIMIT;
        if !ended {
            return;
        }
        let cap = max_outside();
        let admitted = admit_outside();
        self.kind = if admitted {
            Kind::Outside
        } else {
            Kind::Refused
        };
        if !admitted {
            // Best effort: the answer fits in the socket's buffer, and the
            // connection closes after it either way.
            let _ = self.stream.try_write(refusal().as_bytes());
            if !REFUSAL_SAID.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "sockets-tour: closed an outside connection from {}: {cap} outside clients \
                     are connected already (--max-outside {cap}); others past the cap are \
                     closed too, without another word",
                    self.peer
                );
            }
        }
    }
}

impl Drop for QuickStream {
    fn drop(&mut self) {
        if matches!(self.kind, Kind::Outside) {
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
        if matches!(self.kind, Kind::Refused) {
            return Poll::Ready(Err(io::ErrorKind::ConnectionRefused.into()));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.ack_now();
            let this = &mut *self;
            this.classify(&buf.filled()[before..]);
            if matches!(this.kind, Kind::Refused) {
                // The server never sees the request: the answer was sent.
                buf.set_filled(before);
                return Poll::Ready(Err(io::ErrorKind::ConnectionRefused.into()));
            }
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
