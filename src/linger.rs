//! Closing a connection without losing its last answers.
//!
//! When a connection ends (drain on shutdown, `--max-connection-age`), the
//! server has often just written a large answer the kernel is still sending,
//! while the client keeps sending small frames (HTTP/2 WINDOW_UPDATE, PING
//! acks). Closing a socket with unread input makes the kernel send RST and
//! throw away the unsent output: the client sees "connection reset" instead
//! of its answer. So a [`Lingering`] connection, once dropped, is shut down
//! for writing (FIN after the queued output) and read to its end, for at
//! most [`LINGER`], before it is closed. A [`Drain`] tells when every
//! connection has been let go, so the process does not exit under them.
//! [`accept`] is the other end of a connection's life: it bounds how many
//! are open at once (`--max-connections`) and backs off on accept errors.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// Longest a closed connection is read to its end before it is dropped.
pub(crate) const LINGER: Duration = Duration::from_secs(2);

/// Counts live connections: each holds a token (a sender of a channel that
/// is never sent on); the channel closes when the last token is gone.
#[derive(Debug)]
pub(crate) struct Drain {
    token: mpsc::Sender<()>,
    done: mpsc::Receiver<()>,
}

impl Drain {
    pub(crate) fn new() -> Self {
        let (token, done) = mpsc::channel(1);
        Self { token, done }
    }

    /// A token for one connection (or for whatever hands connections out).
    pub(crate) fn token(&self) -> mpsc::Sender<()> {
        self.token.clone()
    }

    /// Waits until every token is dropped, for at most `bound`.
    pub(crate) async fn wait(self, bound: Duration) {
        let Self { token, mut done } = self;
        drop(token);
        if tokio::time::timeout(bound, done.recv()).await.is_err() {
            tracing::warn!("connections still open at exit; closing them");
        }
    }
}

/// Pause after a failed accept (out of file descriptors and the like), so
/// the loop does not spin on an error that persists.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Accepts the next connection on `listener` once one of `slots` is free;
/// the connection holds its slot until its socket is closed. At the cap,
/// new connections wait in the kernel's listen backlog.
pub(crate) async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> (TcpStream, SocketAddr, OwnedSemaphorePermit) {
    loop {
        // The semaphores given here are never closed.
        let Ok(slot) = Arc::clone(slots).acquire_owned().await else {
            return std::future::pending().await;
        };
        match listener.accept().await {
            Ok((stream, peer)) => return (stream, peer, slot),
            Err(e) => {
                tracing::warn!(error.message = %e, "cannot accept a connection");
                drop(slot);
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

/// A TCP connection that lingers when dropped (see the module docs).
#[derive(Debug)]
pub(crate) struct Lingering {
    /// Always `Some` until dropped.
    stream: Option<TcpStream>,
    token: Option<mpsc::Sender<()>>,
    /// The connection's slot of `--max-connections`, held until the socket
    /// is closed.
    slot: Option<OwnedSemaphorePermit>,
}

impl Lingering {
    pub(crate) fn new(
        stream: TcpStream,
        token: mpsc::Sender<()>,
        slot: OwnedSemaphorePermit,
    ) -> Self {
        Self {
            stream: Some(stream),
            token: Some(token),
            slot: Some(slot),
        }
    }

    fn stream(&mut self) -> io::Result<Pin<&mut TcpStream>> {
        self.stream
            .as_mut()
            .map(Pin::new)
            .ok_or_else(|| io::ErrorKind::NotConnected.into())
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        let (Some(mut stream), token, slot) =
            (self.stream.take(), self.token.take(), self.slot.take())
        else {
            return;
        };
        // Outside a runtime (never in the server) it just closes.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let _held = (token, slot);
            let _ = tokio::time::timeout(LINGER, async {
                let _ = stream.shutdown().await;
                let mut sink = [0u8; 4096];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            })
            .await;
        });
    }
}

impl AsyncRead for Lingering {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl AsyncWrite for Lingering {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_write_vectored(cx, bufs),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.as_ref().is_some_and(|s| s.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().stream() {
            Ok(stream) => stream.poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl Connected for Lingering {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        match &self.stream {
            Some(stream) => stream.connect_info(),
            None => TcpConnectInfo {
                local_addr: None,
                remote_addr: None,
            },
        }
    }
}
