//! A TCP gate in front of a real backend, to take it away from one server under test without
//! stopping the backend every other test shares: [`Gate::cut`] closes every connection through
//! it and closes new ones as soon as they arrive (what a client sees when Redis dies or its
//! node is rebooted); [`Gate::open`] lets them through again.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

pub struct Gate {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<AbortHandle>>>,
    accept: AbortHandle,
}

impl Gate {
    /// A gate on a free loopback port that forwards to `upstream` (`host:port`).
    pub async fn to(upstream: String) -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("its address");
        let open = Arc::new(AtomicBool::new(true));
        let conns: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let (o, c) = (open.clone(), conns.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !o.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                c.lock().expect("the list").push(task.abort_handle());
            }
        })
        .abort_handle();
        Gate {
            addr,
            open,
            conns,
            accept,
        }
    }

    /// `url` (`scheme://host:port/rest`) with the gate's address in place of its host and port.
    pub fn url_for(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
        let path = rest.find('/').map_or("", |i| &rest[i..]);
        format!("{scheme}://{}{path}", self.addr)
    }

    /// The backend is gone: every connection through the gate is closed, and new ones are
    /// closed on arrival.
    pub fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for task in self.conns.lock().expect("the list").drain(..) {
            task.abort();
        }
    }

    /// The backend is back.
    pub fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

/// `host:port` of a `scheme://host:port/…` URL.
pub fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_owned()
}
