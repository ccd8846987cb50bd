//! `farmgate witness`: a C2SP tlog-witness for the trace log (CHAIN.md §12), run by someone
//! other than the platform (the county market-supervision bureau, a cooperative federation).
//!
//! It keeps, on its own disk, the latest checkpoint it cosigned for each log it follows; on
//! `POST /add-checkpoint` it checks the log's signature and the consistency proof from that
//! checkpoint to the new one, cosigns (cosignature/v1) and remembers the new one. Anything that
//! does not extend what it saw is refused (409 with the size it knows, 422 for a proof that does
//! not verify) and logged loudly: a log can be extended, never rewritten.

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use farmgate_trace::tlog::{self, Checkpoint, NamedKey, PublicKey};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Mutex;

/// A witness: its key, the logs it follows (origin → the log's key), its state directory.
pub struct Witness {
    key: NamedKey,
    logs: HashMap<String, PublicKey>,
    dir: PathBuf,
    /// One add-checkpoint at a time: the state file is read, checked and replaced as one step.
    lock: Mutex<()>,
}

fn file_of(dir: &Path, origin: &str) -> PathBuf {
    let safe: String = origin
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{safe}.checkpoint"))
}

/// Replaces `path` with `bytes` so that a crash or power cut leaves either the old file or the
/// new one, never an empty or half-written one, and a cosigned checkpoint is on disk before the
/// cosignature leaves: write a temporary file beside it, flush it to the disk, rename it over
/// the old one, and flush the directory so the rename itself is durable.
fn replace_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("writing {}", tmp.display()))?;
    file.sync_all()
        .with_context(|| format!("flushing {} to disk", tmp.display()))?;
    drop(file);
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    if let Some(dir) = path.parent() {
        // A directory opens read-only on Unix, and fsync on it makes the rename durable.
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("flushing the directory {} to disk", dir.display()))?;
    }
    Ok(())
}

fn answer(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

impl Witness {
    pub fn new(key: NamedKey, logs: Vec<PublicKey>, dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Witness {
            key,
            logs: logs.into_iter().map(|k| (k.name().to_owned(), k)).collect(),
            dir,
            lock: Mutex::new(()),
        })
    }

    /// The latest checkpoint cosigned for `origin`, if any.
    fn known(&self, origin: &str) -> anyhow::Result<Option<Checkpoint>> {
        let path = file_of(&self.dir, origin);
        match std::fs::read(&path) {
            Ok(bytes) => Checkpoint::parse(&bytes)
                .map(Some)
                .with_context(|| format!("{} is not a checkpoint", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    fn remember(&self, cp: &Checkpoint) -> anyhow::Result<()> {
        replace_durably(&file_of(&self.dir, &cp.origin), cp.text().as_bytes())
    }

    /// One add-checkpoint request; the status and body of the answer.
    pub async fn add_checkpoint(&self, body: &[u8]) -> Response {
        let text = String::from_utf8_lossy(body);
        let Some((head, note)) = text.split_once("\n\n") else {
            return answer(
                StatusCode::BAD_REQUEST,
                "text/plain",
                "malformed request\n".into(),
            );
        };
        let mut lines = head.lines();
        let Some(old) = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            return answer(
                StatusCode::BAD_REQUEST,
                "text/plain",
                "no old size\n".into(),
            );
        };
        let proof: Option<Vec<tlog::Hash>> = lines
            .map(|l| B64.decode(l).ok()?.try_into().ok().map(tlog::Hash))
            .collect();
        let Some(proof) = proof else {
            return answer(
                StatusCode::BAD_REQUEST,
                "text/plain",
                "bad proof line\n".into(),
            );
        };
        // Which log? The checkpoint's first line is its origin.
        let origin = note.lines().next().unwrap_or_default();
        let Some(log_key) = self.logs.get(origin) else {
            return answer(StatusCode::NOT_FOUND, "text/plain", "unknown log\n".into());
        };
        let opened = match tlog::open_note(note.as_bytes(), std::slice::from_ref(log_key)) {
            Ok(n) if n.checkpoint.origin == origin => n,
            _ => {
                tracing::error!(origin, "WITNESS: a checkpoint not signed by the log's key");
                return answer(
                    StatusCode::FORBIDDEN,
                    "text/plain",
                    "bad log signature\n".into(),
                );
            }
        };
        let new = opened.checkpoint;
        let _guard = self.lock.lock().await;
        let known = match self.known(origin) {
            Ok(k) => k,
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "witness state unreadable");
                return answer(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "text/plain",
                    "state\n".into(),
                );
            }
        };
        let known_size = known.as_ref().map_or(0, |k| k.size);
        if old != known_size {
            return answer(
                StatusCode::CONFLICT,
                "text/x.tlog.size",
                format!("{known_size}\n"),
            );
        }
        if new.size < known_size {
            tracing::error!(
                origin,
                known_size,
                size = new.size,
                "WITNESS REFUSED: the log offered a smaller tree than it showed before"
            );
            return answer(
                StatusCode::CONFLICT,
                "text/x.tlog.size",
                format!("{known_size}\n"),
            );
        }
        let old_root = known.as_ref().map_or(tlog::EMPTY_HASH, |k| k.root);
        if !tlog::check_consistency(&proof, new.size, new.root, known_size, old_root) {
            tracing::error!(
                origin,
                known_size,
                size = new.size,
                "WITNESS REFUSED: THE LOG IS NOT CONSISTENT WITH THE CHECKPOINT THIS WITNESS COSIGNED — it was rewritten"
            );
            return answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                "text/plain",
                "the consistency proof does not verify\n".into(),
            );
        }
        if let Err(e) = self.remember(&new) {
            tracing::error!(error = %format!("{e:#}"), "witness state not written");
            return answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain",
                "state\n".into(),
            );
        }
        let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        match self.key.cosign(&new.text(), now) {
            Some(line) => {
                tracing::info!(origin, size = new.size, "witness cosigned");
                answer(StatusCode::OK, "text/plain; charset=utf-8", line)
            }
            None => answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain",
                "signing\n".into(),
            ),
        }
    }
}

async fn add_checkpoint(State(w): State<Arc<Witness>>, body: Bytes) -> Response {
    w.add_checkpoint(&body).await
}

/// The witness's routes: `POST /add-checkpoint`.
pub fn router(w: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .with_state(w)
}

/// Serves a witness on `addr` until interrupted.
pub async fn serve(w: Witness, addr: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(addr, cosignature_key = %w.key.cosignature_vkey(), "witness listening");
    axum::serve(listener, router(Arc::new(w)))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving the witness")
}

#[cfg(test)]
#[expect(
    clippy::expect_used,
    reason = "a test whose file operation fails stops, naming the step"
)]
mod tests {
    use super::*;

    #[test]
    fn the_state_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = std::env::temp_dir().join(format!(
            "farmgate-witness-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("log.checkpoint");

        replace_durably(&path, b"first\n").expect("first");
        replace_durably(&path, b"second, longer\n").expect("second");

        assert_eq!(std::fs::read(&path).expect("read"), b"second, longer\n");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["log.checkpoint"]);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
