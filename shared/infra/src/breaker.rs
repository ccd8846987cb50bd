//! A circuit breaker for a backend that may hang: after a few failures in a row the circuit
//! opens and callers are turned away at once (no network call) for a while; then one call is
//! let through as a probe (half-open): its success closes the circuit, its failure opens it
//! again. So a hung Redis costs each request nothing once the circuit is open, instead of a
//! timeout per call.
//!
//! ```text
//!            failures_to_open failures in a row
//!   Closed ───────────────────────────────────▶ Open ◀──────────┐
//!     ▲                                           │ open_for    │ probe fails
//!     │  probe succeeds                           ▼ passed      │
//!     └──────────────────────────────────────── HalfOpen ───────┘
//!                                     (one probe at a time; others turned away)
//! ```
//!
//! The series `farmgate_circuit_state{name}` (0 closed, 1 open, 2 half-open),
//! `farmgate_circuit_opened_total{name}` and `farmgate_circuit_rejected_total{name}` show it at
//! `/metrics`.

use crate::Metrics;
use crate::metrics::CircuitSeries;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// When to open and how long to stay open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Failures in a row that open the circuit.
    pub failures_to_open: u32,
    /// How long the circuit stays open before a probe is let through.
    pub open_for: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failures_to_open: 3,
            open_for: Duration::from_secs(5),
        }
    }
}

/// The state, as `/readyz` and the metrics name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CircuitState {
    Closed,
    Open,
    HalfOpen,
}

impl CircuitState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half_open",
        }
    }

    fn gauge(self) -> i64 {
        match self {
            Self::Closed => 0,
            Self::Open => 1,
            Self::HalfOpen => 2,
        }
    }
}

enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// A probe is out; everyone else is turned away until it comes back.
    HalfOpen,
}

/// A named circuit breaker. Share it behind an `Arc` (or inside a shared adapter).
pub struct Breaker {
    name: &'static str,
    config: BreakerConfig,
    state: Mutex<State>,
    series: CircuitSeries,
}

impl std::fmt::Debug for Breaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Breaker")
            .field("name", &self.name)
            .field("config", &self.config)
            .field("state", &self.state().as_str())
            .finish()
    }
}

/// Leave to make one call. Say how it went with [`Permit::succeeded`] or [`Permit::failed`];
/// a permit dropped without either (the caller was cancelled mid-call) counts as a failure, so
/// a lost probe cannot leave the circuit half-open for ever.
#[must_use = "say how the call went"]
pub struct Permit<'a> {
    breaker: &'a Breaker,
    done: bool,
}

impl Permit<'_> {
    pub fn succeeded(mut self) {
        self.done = true;
        self.breaker.record(true);
    }

    pub fn failed(mut self) {
        self.done = true;
        self.breaker.record(false);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.breaker.record(false);
        }
    }
}

impl Breaker {
    /// A breaker called `name` (a metric label: snake_case, e.g. `cache`).
    pub fn new(name: &'static str, config: BreakerConfig, metrics: &Metrics) -> Self {
        let config = BreakerConfig {
            failures_to_open: config.failures_to_open.max(1),
            ..config
        };
        let series = metrics.circuit(name);
        series.state.set(CircuitState::Closed.gauge());
        Self {
            name,
            config,
            state: Mutex::new(State::Closed { failures: 0 }),
            series,
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// The state now (an open circuit whose time is over reads as half-open: the next call
    /// probes).
    pub fn state(&self) -> CircuitState {
        self.with(|s| match s {
            State::Closed { .. } => CircuitState::Closed,
            State::Open { until } if Instant::now() >= *until => CircuitState::HalfOpen,
            State::Open { .. } => CircuitState::Open,
            State::HalfOpen => CircuitState::HalfOpen,
        })
    }

    /// Leave to call the backend, or `None`: the circuit is open (or a probe is out), do not
    /// call it.
    pub fn permit(&self) -> Option<Permit<'_>> {
        let now = Instant::now();
        let allowed = self.with(|s| match s {
            State::Closed { .. } => true,
            State::Open { until } if now >= *until => {
                *s = State::HalfOpen;
                true
            }
            State::Open { .. } | State::HalfOpen => false,
        });
        if allowed {
            self.publish();
            Some(Permit {
                breaker: self,
                done: false,
            })
        } else {
            self.series.rejected.inc();
            None
        }
    }

    fn record(&self, ok: bool) {
        let now = Instant::now();
        let opened = self.with(|s| {
            let next = match (&*s, ok) {
                (_, true) => State::Closed { failures: 0 },
                (State::Closed { failures }, false)
                    if failures + 1 < self.config.failures_to_open =>
                {
                    State::Closed {
                        failures: *failures + 1,
                    }
                }
                // A late failure of a call made before the circuit opened keeps it open as it is.
                (State::Open { until }, false) => State::Open { until: *until },
                (State::Closed { .. } | State::HalfOpen, false) => State::Open {
                    until: now + self.config.open_for,
                },
            };
            let opened = matches!(next, State::Open { .. }) && !matches!(s, State::Open { .. });
            *s = next;
            opened
        });
        if opened {
            self.series.opened.inc();
            tracing::warn!(
                circuit = self.name,
                open_for_ms = u64::try_from(self.config.open_for.as_millis()).unwrap_or(u64::MAX),
                "circuit opened: calls are turned away until a probe succeeds"
            );
        }
        self.publish();
    }

    fn publish(&self) {
        self.series.state.set(self.state().gauge());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(open_ms: u64) -> (Breaker, Metrics) {
        let metrics = Metrics::new();
        let b = Breaker::new(
            "test_backend",
            BreakerConfig {
                failures_to_open: 2,
                open_for: Duration::from_millis(open_ms),
            },
            &metrics,
        );
        (b, metrics)
    }

    fn fail(b: &Breaker) {
        if let Some(p) = b.permit() {
            p.failed();
        }
    }

    #[test]
    fn failures_in_a_row_open_the_circuit_and_calls_are_turned_away() {
        let (b, metrics) = breaker(60_000);
        fail(&b);
        assert_eq!(b.state(), CircuitState::Closed, "one failure is not enough");
        fail(&b);
        assert_eq!(b.state(), CircuitState::Open);
        assert!(b.permit().is_none());
        let text = metrics.render();
        assert!(
            text.contains(r#"farmgate_circuit_state{name="test_backend"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"farmgate_circuit_opened_total{name="test_backend"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"farmgate_circuit_rejected_total{name="test_backend"} 1"#),
            "{text}"
        );
    }

    #[test]
    fn a_success_between_failures_starts_the_count_again() {
        let (b, _) = breaker(60_000);
        fail(&b);
        if let Some(p) = b.permit() {
            p.succeeded();
        }
        fail(&b);
        assert_eq!(b.state(), CircuitState::Closed);
    }

    #[test]
    fn after_the_open_time_one_probe_goes_and_its_success_closes_the_circuit() {
        let (b, _) = breaker(20);
        fail(&b);
        fail(&b);
        std::thread::sleep(Duration::from_millis(40));
        let probe = b.permit();
        assert!(probe.is_some(), "the probe is let through");
        assert!(b.permit().is_none(), "only one probe at a time");
        if let Some(p) = probe {
            p.succeeded();
        }
        assert_eq!(b.state(), CircuitState::Closed);
        assert!(b.permit().is_some());
    }

    #[test]
    fn a_failed_or_abandoned_probe_opens_the_circuit_again() {
        let (b, _) = breaker(20);
        fail(&b);
        fail(&b);
        std::thread::sleep(Duration::from_millis(40));
        fail(&b);
        assert_eq!(b.state(), CircuitState::Open);
        std::thread::sleep(Duration::from_millis(40));
        drop(b.permit());
        assert_eq!(
            b.state(),
            CircuitState::Open,
            "a probe dropped mid-call counts as failed"
        );
    }
}
