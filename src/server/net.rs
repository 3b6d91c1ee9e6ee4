//! The server's TCP side: a listener whose connections send their ACKs at
//! once, so that no small write of a client waits on a delayed ACK.
//!
//! Why: socketioxide pings each client as soon as it connects; the client's
//! pong gets no reply, so Linux delays its ACK by up to 40 ms, and the
//! client's next small write (its emit) waits that long under Nagle's
//! algorithm — rust_socketio gives no way to set TCP_NODELAY on its side.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts connections with TCP_NODELAY on, and quick ACKs after each read.
pub struct QuickListener(pub TcpListener);

/// An accepted connection that re-arms TCP_QUICKACK after every read.
pub struct QuickStream(TcpStream);

impl Listener for QuickListener {
    type Io = QuickStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept loop handles (and backs off from) accept errors.
        let (stream, addr) = Listener::accept(&mut self.0).await;
        // Failing costs latency only, never correctness: ignore it.
        let _ = stream.set_nodelay(true);
        (QuickStream(stream), addr)
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
            let _ = socket2::SockRef::from(&self.0).set_tcp_quickack(true);
        }
    }
}

impl AsyncRead for QuickStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.0).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.ack_now();
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
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
