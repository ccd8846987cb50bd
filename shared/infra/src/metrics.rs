//! Prometheus metrics, served as text at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    /// The route template (`/api/v1/orgs/{id}`), never the raw path, so ids do not explode
    /// the series count.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HandlerLabels {
    pub handler: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LaneLabels {
    pub lane: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NameLabels {
    pub name: String,
}

fn duration_histogram() -> Histogram {
    // 1 ms .. ~8 s
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

struct Inner {
    registry: Mutex<Registry>,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    outbox_delivered: Family<HandlerLabels, Counter>,
    outbox_failed: Family<HandlerLabels, Counter>,
    outbox_pending: Gauge,
    outbox_lag: Family<LaneLabels, Gauge>,
    events: Family<NameLabels, Counter>,
    limiter_in_use: Family<NameLabels, Gauge>,
    limiter_waiting: Family<NameLabels, Gauge>,
    limiter_rejected: Family<NameLabels, Counter>,
    circuit_state: Family<NameLabels, Gauge>,
    circuit_opened: Family<NameLabels, Counter>,
    circuit_rejected: Family<NameLabels, Counter>,
    backend_up: Family<BackendLabels, Gauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BackendLabels {
    /// `database`, `objects`, `cache` or `search`.
    pub backend: String,
}

/// The series of one circuit breaker (see [`crate::breaker`]).
#[derive(Clone, Debug, Default)]
pub struct CircuitSeries {
    /// 0 closed, 1 open, 2 half-open.
    pub state: Gauge,
    /// Times the circuit opened.
    pub opened: Counter,
    /// Calls turned away without reaching the backend.
    pub rejected: Counter,
}

/// The series of one limiter (see [`crate::limit`]), held so updates need no lookup.
#[derive(Clone, Debug, Default)]
pub struct LimiterSeries {
    /// Slots taken now.
    pub in_use: Gauge,
    /// Callers queued for a slot now.
    pub waiting: Gauge,
    /// Callers turned away (queue full or queue time over).
    pub rejected: Counter,
}

/// The process's metrics. Cheap to clone; every clone updates the same series.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("farmgate");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                duration_histogram,
            );
        let outbox_delivered = Family::<HandlerLabels, Counter>::default();
        let outbox_failed = Family::<HandlerLabels, Counter>::default();
        let outbox_pending = Gauge::default();
        let outbox_lag = Family::<LaneLabels, Gauge>::default();
        let events = Family::<NameLabels, Counter>::default();
        let limiter_in_use = Family::<NameLabels, Gauge>::default();
        let limiter_waiting = Family::<NameLabels, Gauge>::default();
        let limiter_rejected = Family::<NameLabels, Counter>::default();
        let circuit_state = Family::<NameLabels, Gauge>::default();
        let circuit_opened = Family::<NameLabels, Counter>::default();
        let circuit_rejected = Family::<NameLabels, Counter>::default();
        let backend_up = Family::<BackendLabels, Gauge>::default();
        registry.register(
            "circuit_state",
            "A backend's circuit breaker: 0 closed, 1 open (calls turned away), 2 half-open (probing)",
            circuit_state.clone(),
        );
        registry.register(
            "circuit_opened",
            "Times a backend's circuit breaker opened",
            circuit_opened.clone(),
        );
        registry.register(
            "circuit_rejected",
            "Calls a backend's open circuit breaker turned away without calling it",
            circuit_rejected.clone(),
        );
        registry.register(
            "backend_up",
            "1 when a backend answered the last readiness check, 0 when it was down or degraded",
            backend_up.clone(),
        );
        registry.register(
            "limiter_in_use",
            "Slots of a bounded expensive step in use",
            limiter_in_use.clone(),
        );
        registry.register(
            "limiter_waiting",
            "Callers queued for a slot of a bounded expensive step",
            limiter_waiting.clone(),
        );
        registry.register(
            "limiter_rejected",
            "Callers of a bounded expensive step answered busy (queue full or queue time over)",
            limiter_rejected.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests answered",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            http_duration.clone(),
        );
        registry.register(
            "outbox_delivered",
            "Outbox events delivered to a handler",
            outbox_delivered.clone(),
        );
        registry.register(
            "outbox_failed",
            "Outbox deliveries that failed and will be retried",
            outbox_failed.clone(),
        );
        registry.register(
            "outbox_pending",
            "Outbox events not yet delivered (last worker pass)",
            outbox_pending.clone(),
        );
        registry.register(
            "outbox_lag_seconds",
            "How long the oldest due, undelivered event of a lane has waited (0: none waits)",
            outbox_lag.clone(),
        );
        registry.register("events", "Domain events by name", events.clone());
        Self {
            inner: Arc::new(Inner {
                registry: Mutex::new(registry),
                http_requests,
                http_duration,
                outbox_delivered,
                outbox_failed,
                outbox_pending,
                outbox_lag,
                events,
                limiter_in_use,
                limiter_waiting,
                limiter_rejected,
                circuit_state,
                circuit_opened,
                circuit_rejected,
                backend_up,
            }),
        }
    }

    pub fn observe_http(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.inner
            .http_requests
            .get_or_create(&HttpLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.inner
            .http_duration
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    pub fn outbox_delivered(&self, handler: &str) {
        self.inner
            .outbox_delivered
            .get_or_create(&HandlerLabels {
                handler: handler.to_owned(),
            })
            .inc();
    }

    pub fn outbox_failed(&self, handler: &str) {
        self.inner
            .outbox_failed
            .get_or_create(&HandlerLabels {
                handler: handler.to_owned(),
            })
            .inc();
    }

    pub fn set_outbox_pending(&self, n: i64) {
        self.inner.outbox_pending.set(n);
    }

    /// The lag of an outbox lane, in seconds.
    pub fn set_outbox_lag(&self, lane: &str, seconds: i64) {
        self.inner
            .outbox_lag
            .get_or_create(&LaneLabels {
                lane: lane.to_owned(),
            })
            .set(seconds);
    }

    /// Counts a named domain event (`login_failed`, `trace_scan`, ...).
    pub fn event(&self, name: &str) {
        self.inner
            .events
            .get_or_create(&NameLabels {
                name: name.to_owned(),
            })
            .inc();
    }

    /// The series of the limiter called `name`.
    pub fn limiter(&self, name: &str) -> LimiterSeries {
        let labels = NameLabels {
            name: name.to_owned(),
        };
        LimiterSeries {
            in_use: self.inner.limiter_in_use.get_or_create(&labels).clone(),
            waiting: self.inner.limiter_waiting.get_or_create(&labels).clone(),
            rejected: self.inner.limiter_rejected.get_or_create(&labels).clone(),
        }
    }

    /// The series of the circuit breaker called `name`.
    pub fn circuit(&self, name: &str) -> CircuitSeries {
        let labels = NameLabels {
            name: name.to_owned(),
        };
        CircuitSeries {
            state: self.inner.circuit_state.get_or_create(&labels).clone(),
            opened: self.inner.circuit_opened.get_or_create(&labels).clone(),
            rejected: self.inner.circuit_rejected.get_or_create(&labels).clone(),
        }
    }

    /// Records whether `backend` answered its readiness check.
    pub fn set_backend_up(&self, backend: &str, up: bool) {
        self.inner
            .backend_up
            .get_or_create(&BackendLabels {
                backend: backend.to_owned(),
            })
            .set(i64::from(up));
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self
            .inner
            .registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_requests_show_in_the_text_exposition() {
        let m = Metrics::new();
        m.observe_http("GET", "/api/v1/orgs/{id}", 200, 0.003);
        m.event("login_failed");
        let text = m.render();
        assert!(text.contains(r#"farmgate_http_requests_total{method="GET",route="/api/v1/orgs/{id}",status="200"} 1"#), "{text}");
        assert!(
            text.contains(r#"farmgate_events_total{name="login_failed"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("farmgate_http_request_duration_seconds_bucket"),
            "{text}"
        );
    }

    /// The alert rules and the dashboard under deploy/monitoring query only series this
    /// registry publishes (a renamed metric would silently leave an alert that never fires).
    #[test]
    fn the_alerts_and_the_dashboard_name_only_published_metrics() {
        // A family is rendered once it has a series: give each one.
        let m = Metrics::new();
        m.observe_http("GET", "/healthz", 200, 0.001);
        m.outbox_delivered("h");
        m.outbox_failed("h");
        m.set_outbox_lag("default", 0);
        m.set_backend_up("redis", true);
        let _ = m.circuit("redis");
        m.event("login_failed");
        let _ = m.limiter("l");
        let text = m.render();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/monitoring");
        let mut seen = 0;
        for file in ["alerts.yml", "grafana-dashboard.json"] {
            let body = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
            assert!(!body.is_empty(), "{file} missing");
            for (at, _) in body.match_indices("farmgate_") {
                let name: String = body[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                let base = ["_total", "_bucket", "_count", "_sum"]
                    .iter()
                    .find_map(|suffix| name.strip_suffix(suffix))
                    .unwrap_or(&name);
                assert!(
                    text.contains(&format!("# TYPE {base} ")),
                    "{file} names {name}, which is not published"
                );
                seen += 1;
            }
        }
        assert!(seen >= 10, "only {seen} metric names found");
    }
}
