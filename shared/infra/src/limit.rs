//! Bounded concurrency for expensive steps: password hashing (Argon2, 19 MiB each), image
//! decoding, label sheets, exports. Without a bound, a few hundred parallel requests for any of
//! them take the memory and the cores of the whole server.
//!
//! A [`Limiter`] is a named semaphore with a queue: a caller takes a slot when one is free,
//! waits in the queue up to `queue_timeout` otherwise, and is turned away with [`Busy`] — the
//! HTTP answer `503 server_busy` with `Retry-After` — when the queue time is over or `max_waiting`
//! callers are already queued (so a flood cannot pile up waiting requests either). The series
//! `farmgate_limiter_in_use`, `farmgate_limiter_waiting` and `farmgate_limiter_rejected_total`
//! (label `name`) show each limiter at `/metrics`.
//!
//! Each room creates its limiters once, next to its service, and keeps them in its state:
//!
//! ```
//! # async fn demo() -> Result<(), farmgate_infra::http::ApiError> {
//! use farmgate_infra::limit::{Limiter, LimiterConfig};
//! let hashing = Limiter::new(
//!     "password_hash",
//!     LimiterConfig::cpu_bound(),
//!     &farmgate_infra::Metrics::new(),
//! );
//! // In a use case: the closure runs on the blocking pool while it holds a slot.
//! let hash = hashing.run_blocking(|| "argon2id$…".to_owned()).await?;
//! # let _ = hash;
//! # Ok(())
//! # }
//! ```
//!
//! A room whose use cases return their own error enum gives it a variant
//! `Busy(#[from] farmgate_infra::limit::Busy)` and maps it with `ApiError::from(busy)`.

use crate::Metrics;
use crate::http::ApiError;
use crate::metrics::LimiterSeries;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many at once, and how long and how many may wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimiterConfig {
    /// Slots: callers running the step at the same time.
    pub permits: usize,
    /// Longest a caller waits for a slot before it is answered busy.
    pub queue_timeout: Duration,
    /// Callers that may wait at once; the next one is answered busy at once.
    pub max_waiting: usize,
}

impl LimiterConfig {
    /// For a step that keeps a core busy: one slot per core (at least two), a short queue.
    pub fn cpu_bound() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            permits: cores.max(2),
            queue_timeout: Duration::from_secs(10),
            max_waiting: cores.max(2) * 16,
        }
    }
}

/// A named semaphore with a bounded queue. Cheap to clone; clones share the slots.
#[derive(Clone)]
pub struct Limiter {
    inner: Arc<Inner>,
}

struct Inner {
    name: &'static str,
    config: LimiterConfig,
    slots: Arc<Semaphore>,
    series: LimiterSeries,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("name", &self.inner.name)
            .field("config", &self.inner.config)
            .field("free", &self.inner.slots.available_permits())
            .finish()
    }
}

/// No slot within the queue time, or the queue is full: answer `503 server_busy` with `Retry-After`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{name} is busy: no free slot (retry after {retry_after_secs} s)")]
pub struct Busy {
    /// The limiter's name.
    pub name: &'static str,
    pub retry_after_secs: u64,
}

impl From<Busy> for ApiError {
    fn from(b: Busy) -> Self {
        tracing::warn!(limiter = b.name, "busy: request turned away");
        ApiError::busy(b.retry_after_secs)
    }
}

/// [`Limiter::run_blocking`] failed: no slot, or the closure panicked.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error("the blocking task failed")]
    Panicked(#[source] tokio::task::JoinError),
}

impl From<LimitError> for ApiError {
    fn from(e: LimitError) -> Self {
        match e {
            LimitError::Busy(b) => b.into(),
            LimitError::Panicked(join) => ApiError::internal(join),
        }
    }
}

/// A slot; it is given back when dropped.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    in_use: prometheus_client::metrics::gauge::Gauge,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.in_use.dec();
    }
}

/// Takes one off a gauge when dropped (a waiter that stops waiting for any reason).
struct Waiting(prometheus_client::metrics::gauge::Gauge);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Limiter {
    /// A limiter called `name` (a metric label: snake_case, e.g. `password_hash`).
    pub fn new(name: &'static str, config: LimiterConfig, metrics: &Metrics) -> Self {
        let config = LimiterConfig {
            permits: config.permits.max(1),
            ..config
        };
        Self {
            inner: Arc::new(Inner {
                name,
                config,
                slots: Arc::new(Semaphore::new(config.permits)),
                series: metrics.limiter(name),
            }),
        }
    }

    pub fn name(&self) -> &'static str {
        self.inner.name
    }

    /// Takes a slot: at once when one is free, after waiting in the queue otherwise.
    pub async fn acquire(&self) -> Result<Slot, Busy> {
        let inner = &self.inner;
        if let Ok(permit) = inner.slots.clone().try_acquire_owned() {
            return Ok(self.slot(permit));
        }
        let waiting_now = inner.series.waiting.inc() + 1;
        let waiting = Waiting(inner.series.waiting.clone());
        if usize::try_from(waiting_now).unwrap_or(usize::MAX) > inner.config.max_waiting {
            drop(waiting);
            return Err(self.busy());
        }
        let acquired = tokio::time::timeout(
            inner.config.queue_timeout,
            inner.slots.clone().acquire_owned(),
        )
        .await;
        drop(waiting);
        match acquired {
            Ok(Ok(permit)) => Ok(self.slot(permit)),
            // Timed out, or the semaphore closed (never: we do not close it).
            Ok(Err(_)) | Err(_) => Err(self.busy()),
        }
    }

    /// Runs `f` on the blocking pool while holding a slot.
    pub async fn run_blocking<F, T>(&self, f: F) -> Result<T, LimitError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = self.acquire().await?;
        let result = tokio::task::spawn_blocking(move || {
            let out = f();
            drop(slot);
            out
        })
        .await;
        result.map_err(LimitError::Panicked)
    }

    fn slot(&self, permit: OwnedSemaphorePermit) -> Slot {
        self.inner.series.in_use.inc();
        Slot {
            _permit: permit,
            in_use: self.inner.series.in_use.clone(),
        }
    }

    fn busy(&self) -> Busy {
        self.inner.series.rejected.inc();
        Busy {
            name: self.inner.name,
            retry_after_secs: self.inner.config.queue_timeout.as_secs().max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    fn limiter(permits: usize, queue_ms: u64, max_waiting: usize) -> (Limiter, Metrics) {
        let metrics = Metrics::new();
        let l = Limiter::new(
            "test_step",
            LimiterConfig {
                permits,
                queue_timeout: Duration::from_millis(queue_ms),
                max_waiting,
            },
            &metrics,
        );
        (l, metrics)
    }

    #[tokio::test]
    async fn a_free_slot_is_taken_at_once_and_given_back_on_drop() {
        let (l, metrics) = limiter(2, 50, 4);
        let a = l.acquire().await;
        let b = l.acquire().await;
        assert!(a.is_ok() && b.is_ok());
        assert!(
            metrics
                .render()
                .contains(r#"farmgate_limiter_in_use{name="test_step"} 2"#)
        );
        drop(a);
        assert!(l.acquire().await.is_ok(), "the slot came back");
    }

    #[tokio::test]
    async fn a_waiter_gets_the_slot_its_holder_gives_back() {
        let (l, _) = limiter(1, 2_000, 4);
        let held = l.acquire().await;
        let waiter = tokio::spawn({
            let l = l.clone();
            async move { l.acquire().await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(held);
        assert_eq!(waiter.await.ok(), Some(Ok(())));
    }

    #[tokio::test]
    async fn a_waiter_past_the_queue_time_is_answered_busy_with_retry_after() {
        let (l, metrics) = limiter(1, 30, 4);
        let _held = l.acquire().await;
        let refused = l.acquire().await.err();
        assert_eq!(
            refused.clone(),
            Some(Busy {
                name: "test_step",
                retry_after_secs: 1
            })
        );
        let resp = refused.map(ApiError::from).map(IntoResponse::into_response);
        let Some(resp) = resp else {
            panic!("no answer")
        };
        assert_eq!(resp.status().as_u16(), 503);
        assert_eq!(
            resp.headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("1")
        );
        let text = metrics.render();
        assert!(
            text.contains(r#"farmgate_limiter_rejected_total{name="test_step"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"farmgate_limiter_waiting{name="test_step"} 0"#),
            "{text}"
        );
    }

    #[tokio::test]
    async fn with_the_queue_full_the_next_caller_is_turned_away_at_once() {
        let (l, metrics) = limiter(1, 5_000, 1);
        let _held = l.acquire().await;
        let queued = tokio::spawn({
            let l = l.clone();
            async move { l.acquire().await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            metrics
                .render()
                .contains(r#"farmgate_limiter_waiting{name="test_step"} 1"#)
        );
        let started = std::time::Instant::now();
        assert!(l.acquire().await.is_err());
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "refused without waiting"
        );
        queued.abort();
    }

    #[tokio::test]
    async fn run_blocking_holds_a_slot_while_the_closure_runs() {
        let (l, _) = limiter(1, 20, 4);
        let slow = tokio::spawn({
            let l = l.clone();
            async move {
                l.run_blocking(|| std::thread::sleep(Duration::from_millis(300)))
                    .await
                    .is_ok()
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(matches!(
            l.run_blocking(|| 1).await,
            Err(LimitError::Busy(_))
        ));
        assert_eq!(slow.await.ok(), Some(true));
        assert_eq!(l.run_blocking(|| 2).await.ok(), Some(2));
    }
}

/// The limiters of the expensive steps several rooms share, made once at start and carried in
/// [`crate::Infra`]: decoding photos (listing photos, review photos, claim evidence, trace
/// attachments), drawing label sheets, and writing exports.
#[derive(Clone, Debug)]
pub struct SharedLimits {
    pub images: Limiter,
    pub labels: Limiter,
    pub exports: Limiter,
}

impl SharedLimits {
    pub fn new(metrics: &Metrics) -> Self {
        let cpu = LimiterConfig::cpu_bound();
        Self {
            images: Limiter::new("image_decode", cpu, metrics),
            labels: Limiter::new("label_sheet", cpu, metrics),
            // An export streams for a while: fewer at once, a short queue.
            exports: Limiter::new(
                "export",
                LimiterConfig {
                    permits: cpu.permits,
                    queue_timeout: Duration::from_secs(5),
                    max_waiting: cpu.permits * 4,
                },
                metrics,
            ),
        }
    }
}
