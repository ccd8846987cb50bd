//! The listener the server accepts connections with: plain TCP, except that the first request
//! line of each connection is measured before hyper reads it.
//!
//! Why: hyper answers a request line it will not parse (an address over 64 KB) itself, with a
//! bare `414` and no body, before any of our code runs — the one answer that would not speak
//! our error shape. [`RequestLineGuard`] counts the bytes of the first line as they arrive and,
//! past [`MAX_REQUEST_LINE_BYTES`], answers `414 uri_too_long` in our shape and closes the
//! connection; hyper never sees the line. Later requests on a kept-alive connection are checked
//! by the `check_request_line` middleware (which sees every address hyper accepted, i.e. up to
//! 64 KB); only an address over 64 KB sent on a reused connection still meets hyper's bare
//! answer.

use super::codes::HttpCode;
use super::error::ApiError;
use super::extract::PeerAddr;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use farmgate_kernel::error::Lang;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The longest request line (method, address and version) we read: 16 KB. Browsers and
/// proxies keep addresses far shorter (nginx refuses lines over 8 KB by default).
pub const MAX_REQUEST_LINE_BYTES: usize = 16 * 1024;

/// A TCP listener whose connections measure their first request line.
#[derive(Debug)]
pub struct GuardedListener {
    inner: TcpListener,
    max_line: usize,
}

impl GuardedListener {
    pub fn new(inner: TcpListener) -> Self {
        Self {
            inner,
            max_line: MAX_REQUEST_LINE_BYTES,
        }
    }
}

impl Listener for GuardedListener {
    type Io = RequestLineGuard<TcpStream>;
    type Addr = PeerAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    return (RequestLineGuard::new(stream, self.max_line), PeerAddr(addr));
                }
                // As axum's own listener: a connection that died while queued is no matter;
                // anything else (out of file descriptors) is worth a pause before retrying.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionRefused
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) => {}
                Err(e) => {
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr().map(PeerAddr)
    }
}

impl Connected<IncomingStream<'_, GuardedListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, GuardedListener>) -> Self {
        *stream.remote_addr()
    }
}

enum State {
    /// Reading the first line; `seen` bytes of it so far.
    FirstLine {
        seen: usize,
    },
    /// The first line was short enough: bytes pass untouched.
    Passing,
    /// The first line was too long: writing our answer, then end of stream for hyper.
    Refusing {
        answer: Vec<u8>,
        written: usize,
    },
    Closed,
}

/// A stream that refuses an over-long first request line with our `414` (see the module).
pub struct RequestLineGuard<T> {
    inner: T,
    max_line: usize,
    state: State,
}

impl<T> RequestLineGuard<T> {
    pub fn new(inner: T, max_line: usize) -> Self {
        Self {
            inner,
            max_line,
            state: State::FirstLine { seen: 0 },
        }
    }
}

/// `414 uri_too_long` in our shape (Chinese: the request's headers were never read).
fn uri_too_long_answer() -> Vec<u8> {
    let body = serde_json::to_vec(&ApiError::from(HttpCode::UriTooLong).body(Lang::Zh, None))
        .unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    answer
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for RequestLineGuard<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Passing => return Pin::new(&mut this.inner).poll_read(cx, buf),
                State::FirstLine { seen } => {
                    let before = buf.filled().len();
                    ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
                    let new = &buf.filled()[before..];
                    let within = match new.iter().position(|b| *b == b'\n') {
                        Some(end) => {
                            let ok = *seen + end <= this.max_line;
                            if ok {
                                this.state = State::Passing;
                            }
                            ok
                        }
                        None => {
                            // Also the end of the stream (nothing new): hyper sees it.
                            *seen += new.len();
                            *seen <= this.max_line
                        }
                    };
                    if within {
                        return Poll::Ready(Ok(()));
                    }
                    // Hyper never gets the rest of the line.
                    buf.set_filled(before);
                    tracing::info!(
                        limit = this.max_line,
                        "request line over the limit: answered 414"
                    );
                    this.state = State::Refusing {
                        answer: uri_too_long_answer(),
                        written: 0,
                    };
                }
                State::Refusing { answer, written } => {
                    while *written < answer.len() {
                        match ready!(Pin::new(&mut this.inner).poll_write(cx, &answer[*written..]))
                        {
                            Ok(0) | Err(_) => break,
                            Ok(n) => *written += n,
                        }
                    }
                    let _ = ready!(Pin::new(&mut this.inner).poll_flush(cx));
                    this.state = State::Closed;
                }
                // End of stream: hyper drops the incomplete request and closes.
                State::Closed => return Poll::Ready(Ok(())),
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for RequestLineGuard<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// What the server side reads through the guard, and what the client receives back.
    async fn exchange(sent: Vec<u8>, max_line: usize) -> (Vec<u8>, Vec<u8>) {
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let mut guard = RequestLineGuard::new(server, max_line);
        client.write_all(&sent).await.unwrap_or_default();
        client.shutdown().await.unwrap_or_default();
        let mut read = Vec::new();
        guard.read_to_end(&mut read).await.unwrap_or_default();
        drop(guard);
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap_or_default();
        (read, answer)
    }

    #[tokio::test]
    async fn a_short_request_passes_untouched() {
        let req = b"GET /api/v1/listings?q=x HTTP/1.1\r\nHost: a\r\n\r\n".to_vec();
        let (read, answer) = exchange(req.clone(), 64).await;
        assert_eq!(read, req);
        assert!(answer.is_empty());
    }

    #[tokio::test]
    async fn an_over_long_first_line_gets_our_414_and_never_reaches_hyper() {
        let mut req = b"GET /api/v1/listings?q=".to_vec();
        req.extend(std::iter::repeat_n(b'a', 500));
        req.extend_from_slice(b" HTTP/1.1\r\nHost: a\r\n\r\n");
        let (read, answer) = exchange(req, 100).await;
        assert!(read.len() <= 100, "hyper saw {} bytes", read.len());
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 414 "), "{text}");
        assert!(text.contains(r#""code":"uri_too_long""#), "{text}");
        assert!(text.contains("content-type: application/json"), "{text}");
    }

    #[tokio::test]
    async fn long_lines_after_the_first_are_not_the_guards_business() {
        let mut req = b"POST /api/v1/x HTTP/1.1\r\nContent-Length: 500\r\n\r\n".to_vec();
        req.extend(std::iter::repeat_n(b'b', 500));
        let (read, answer) = exchange(req.clone(), 100).await;
        assert_eq!(read, req);
        assert!(answer.is_empty());
    }
}
