//! A TCP gate in front of a real backend (Redis, PostgreSQL, the S3 server), to take it away
//! from one server under test without stopping the backend every other test shares:
//! [`Gate::cut`] closes every connection through it and closes new ones as soon as they arrive
//! (what a client sees when Redis dies or its node is rebooted); [`Gate::black_hole`] accepts
//! connections and holds every byte without answering (a `SIGSTOP`ped server, a dropped
//! network: the client waits until its own timeout); [`Gate::open`] lets them through again
//! (bytes held while black-holed are delivered then).
//!
//! ```ignore
//! let gate = Gate::to(host_port(&redis_url)).await;
//! settings.redis_url = Some(gate.url_for(&redis_url));
//! gate.black_hole();
//! ```

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the gate does to the traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// Forward both ways.
    None,
    /// Accept, read, and never answer.
    BlackHole,
    /// Close every connection.
    Cut,
}

/// The gate; it stops (closing every connection) when dropped.
#[derive(Debug)]
pub struct Gate {
    addr: SocketAddr,
    fault: watch::Sender<Fault>,
    task: tokio::task::JoinHandle<()>,
}

impl Gate {
    /// A gate on a free loopback port that forwards to `upstream` (`host:port`).
    pub async fn to(upstream: String) -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port for the gate");
        let addr = listener.local_addr().expect("the gate's address");
        let (fault, rx) = watch::channel(Fault::None);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(connection(client, upstream.clone(), rx.clone()));
            }
        });
        Gate { addr, fault, task }
    }

    /// `url` (`scheme://[user@]host:port/rest`) with the gate's address in place of its host
    /// and port.
    pub fn url_for(&self, url: &str) -> String {
        url.replacen(&host_port(url), &self.addr.to_string(), 1)
    }

    /// The backend is gone: every connection through the gate is closed, and new ones are
    /// closed on arrival.
    pub fn cut(&self) {
        self.fault.send_replace(Fault::Cut);
    }

    /// The backend hangs: connections are accepted and nothing is ever answered.
    pub fn black_hole(&self) {
        self.fault.send_replace(Fault::BlackHole);
    }

    /// The backend is back.
    pub fn open(&self) {
        self.fault.send_replace(Fault::None);
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.task.abort();
        self.cut();
    }
}

/// `host:port` of a `scheme://[user[:password]@]host:port/…` URL.
pub fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..end];
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_owned()
}

async fn connection(client: TcpStream, upstream: String, mut fault: watch::Receiver<Fault>) {
    let now = *fault.borrow_and_update();
    match now {
        Fault::Cut => return,
        Fault::BlackHole => {
            // Hold the connection, answer nothing, until the fault changes.
            let _held = client;
            let _ = fault.changed().await;
            return;
        }
        Fault::None => {}
    }
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return;
    };
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    // Either direction ending (or a cut) ends both: the sockets close.
    tokio::select! {
        _ = pump(cr, sw, fault.clone()) => {}
        _ = pump(sr, cw, fault) => {}
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut fault: watch::Receiver<Fault>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = tokio::select! {
            r = from.read(&mut buf) => match r {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            },
            changed = fault.changed() => {
                if changed.is_err() || *fault.borrow() == Fault::Cut {
                    return;
                }
                continue;
            }
        };
        // Held while black-holed; dropped on a cut.
        loop {
            let now = *fault.borrow_and_update();
            match now {
                Fault::None => break,
                Fault::Cut => return,
                Fault::BlackHole => {
                    if fault.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_is_found_in_backend_urls() {
        assert_eq!(host_port("redis://127.0.0.1:6390/"), "127.0.0.1:6390");
        assert_eq!(
            host_port("postgres://postgres@127.0.0.1:5499/fg_1?sslmode=disable"),
            "127.0.0.1:5499"
        );
        assert_eq!(
            host_port("postgres://u:p@w@localhost:5432"),
            "localhost:5432"
        );
        assert_eq!(host_port("http://127.0.0.1:8014"), "127.0.0.1:8014");
    }
}
