//! Cache with TTL and counters: in-process by default, Redis when configured (and required as
//! soon as there is more than one server replica, so counters and invalidations are shared).

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("redis {op}: {source}")]
    Redis {
        op: &'static str,
        #[source]
        source: redis::RedisError,
    },
    #[error("counter {0} does not hold an integer")]
    NotACounter(String),
    /// The in-process cache holds as many tallies as it may.
    #[error("the in-process cache is full")]
    Full,
    /// The backend did not answer within its timeout.
    #[error("{backend} {op}: no answer within {timeout_ms} ms")]
    Timeout {
        backend: &'static str,
        op: &'static str,
        timeout_ms: u64,
    },
    /// The circuit is open: the backend was not called (see [`GuardedCache`]).
    #[error("{backend} is unavailable (circuit open)")]
    CircuitOpen { backend: &'static str },
}

impl CacheError {
    /// The backend could not be reached or did not answer (as opposed to an answer that refuses,
    /// such as a key that holds no counter): the guarded cache counts in this process instead.
    pub fn is_outage(&self) -> bool {
        matches!(
            self,
            CacheError::Redis { .. } | CacheError::Timeout { .. } | CacheError::CircuitOpen { .. }
        )
    }
}

/// A counter after an increment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    pub value: i64,
    /// Time until the counter disappears (its window ends).
    pub expires_in: Duration,
}

/// The cache contract. Values are bytes; counters are integers under their own keys. Every
/// entry has a TTL: the cache never grows without bound and never holds the only copy of
/// anything.
#[async_trait]
pub trait Cache: Send + Sync + 'static {
    /// `"memory"` or `"redis"`.
    fn backend(&self) -> &'static str;
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError>;
    async fn delete(&self, key: &str) -> Result<(), CacheError>;
    /// Adds `by` to the counter at `key`. A new counter starts at zero and lives for `ttl` (a
    /// fixed window: later increments do not extend it).
    async fn incr(&self, key: &str, by: i64, ttl: Duration) -> Result<Counter, CacheError>;
    /// Adds `by` to the field `field` of the tally at `key` (a Redis hash of counters): many
    /// counters that are taken together. A new tally lives for `ttl`.
    async fn tally(&self, key: &str, field: &str, by: i64, ttl: Duration)
    -> Result<(), CacheError>;
    /// One field of a tally (0 when there is none).
    async fn tally_of(&self, key: &str, field: &str) -> Result<i64, CacheError>;
    /// Removes the whole tally at `key` and returns its fields, atomically: a count added at
    /// the same moment is either in what is returned or in a new tally, never lost or taken
    /// twice.
    async fn take_tally(&self, key: &str) -> Result<Vec<(String, i64)>, CacheError>;
    async fn health(&self) -> Result<(), CacheError>;
    /// The circuit breaker's state, for a cache behind one ([`GuardedCache`]).
    fn circuit(&self) -> Option<crate::breaker::CircuitState> {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// In-process

struct Entry {
    value: Vec<u8>,
    expires_at: Instant,
}

/// A bounded map with lazy expiry. Fine for one process; use Redis for several.
pub struct MemoryCache {
    entries: Mutex<HashMap<String, Entry>>,
    tallies: Mutex<HashMap<String, Tally>>,
    max_entries: usize,
}

/// A tally in process: its counters and when it ends.
struct Tally {
    fields: HashMap<String, i64>,
    expires_at: Instant,
}

impl MemoryCache {
    pub fn new(max_entries: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            tallies: Mutex::new(HashMap::new()),
            max_entries: max_entries.max(16),
        }
    }

    fn with_tallies<R>(&self, f: impl FnOnce(&mut HashMap<String, Tally>) -> R) -> R {
        let mut guard = self.tallies.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        guard.retain(|_, t| t.expires_at > now);
        f(&mut guard)
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, Entry>) -> R) -> R {
        let mut guard = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// Makes room for one more entry: drop expired ones, then the soonest to expire.
    fn make_room(map: &mut HashMap<String, Entry>, max: usize, now: Instant) {
        if map.len() < max {
            return;
        }
        map.retain(|_, e| e.expires_at > now);
        while map.len() >= max {
            let victim = map
                .iter()
                .min_by_key(|(_, e)| e.expires_at)
                .map(|(k, _)| k.clone());
            match victim {
                Some(k) => {
                    map.remove(&k);
                }
                None => break,
            }
        }
    }
}

impl Default for MemoryCache {
    fn default() -> Self {
        Self::new(100_000)
    }
}

#[async_trait]
impl Cache for MemoryCache {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let now = Instant::now();
        Ok(self.with(|m| match m.get(key) {
            Some(e) if e.expires_at > now => Some(e.value.clone()),
            Some(_) => {
                m.remove(key);
                None
            }
            None => None,
        }))
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        let now = Instant::now();
        let max = self.max_entries;
        self.with(|m| {
            if !m.contains_key(key) {
                Self::make_room(m, max, now);
            }
            m.insert(
                key.to_owned(),
                Entry {
                    value: value.to_vec(),
                    expires_at: now + ttl,
                },
            );
        });
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.with(|m| m.remove(key));
        Ok(())
    }

    async fn incr(&self, key: &str, by: i64, ttl: Duration) -> Result<Counter, CacheError> {
        let now = Instant::now();
        let max = self.max_entries;
        self.with(|m| {
            let live = m.get(key).filter(|e| e.expires_at > now);
            let (current, expires_at) = match live {
                Some(e) => {
                    let v = std::str::from_utf8(&e.value)
                        .ok()
                        .and_then(|s| s.parse::<i64>().ok())
                        .ok_or_else(|| CacheError::NotACounter(key.to_owned()))?;
                    (v, e.expires_at)
                }
                None => {
                    m.remove(key);
                    Self::make_room(m, max, now);
                    (0, now + ttl)
                }
            };
            let value = current.saturating_add(by);
            m.insert(
                key.to_owned(),
                Entry {
                    value: value.to_string().into_bytes(),
                    expires_at,
                },
            );
            Ok(Counter {
                value,
                expires_in: expires_at.saturating_duration_since(now),
            })
        })
    }

    async fn tally(
        &self,
        key: &str,
        field: &str,
        by: i64,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let max = self.max_entries;
        self.with_tallies(|m| {
            if !m.contains_key(key) && m.len() >= max {
                // Bounded like the entries: a tally nobody takes must not grow the process.
                return Err(CacheError::Full);
            }
            let t = m.entry(key.to_owned()).or_insert_with(|| Tally {
                fields: HashMap::new(),
                expires_at: Instant::now() + ttl,
            });
            let v = t.fields.entry(field.to_owned()).or_insert(0);
            *v = v.saturating_add(by);
            Ok(())
        })
    }

    async fn tally_of(&self, key: &str, field: &str) -> Result<i64, CacheError> {
        Ok(self.with_tallies(|m| {
            m.get(key)
                .and_then(|t| t.fields.get(field).copied())
                .unwrap_or(0)
        }))
    }

    async fn take_tally(&self, key: &str) -> Result<Vec<(String, i64)>, CacheError> {
        Ok(self.with_tallies(|m| {
            m.remove(key)
                .map(|t| t.fields.into_iter().collect())
                .unwrap_or_default()
        }))
    }

    async fn health(&self) -> Result<(), CacheError> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Redis

/// Redis through a self-reconnecting connection manager. Keys are prefixed so one Redis can
/// serve several deployments.
#[derive(Clone)]
pub struct RedisCache {
    conn: redis::aio::ConnectionManager,
    prefix: String,
    incr_script: redis::Script,
    tally_script: redis::Script,
    take_script: redis::Script,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// INCRBY, and set the expiry only when this increment created the key; returns the value and
/// the remaining milliseconds. One round trip, atomic on the server.
const INCR_LUA: &str = r"
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
local t = redis.call('PTTL', KEYS[1])
if t < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  t = tonumber(ARGV[2])
end
return {v, t}
";

/// HINCRBY, and set the expiry only when this increment created the tally.
const TALLY_LUA: &str = r"
redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
";

/// HGETALL then DEL, as one step on the server.
const TAKE_LUA: &str = r"
local v = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return v
";

impl RedisCache {
    /// Connects, with `timeout` for connecting and for each answer: Redis on the same network
    /// answers in a millisecond, so a short timeout only cuts off a Redis that hangs.
    ///
    /// Only a URL that cannot be a Redis address is refused. A Redis that is down or hung when
    /// the process starts is not a reason to stay down with it (a cache blip at a rolling
    /// restart would otherwise stop every new pod): the manager is then created unconnected,
    /// connects on first use and reconnects after I/O errors, and until then every call fails
    /// fast as an outage (the guarded cache falls back).
    pub async fn connect(url: &str, prefix: &str, timeout: Duration) -> Result<Self, CacheError> {
        let client =
            redis::Client::open(url).map_err(|source| CacheError::Redis { op: "open", source })?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1);
        let attempt =
            redis::aio::ConnectionManager::new_with_config(client.clone(), config.clone());
        let conn = match tokio::time::timeout(timeout.saturating_mul(2), attempt).await {
            Ok(Ok(conn)) => conn,
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no answer within {} ms", millis(timeout) * 2),
                };
                tracing::warn!(error = %why, "Redis is unavailable at start; connecting on first use");
                redis::aio::ConnectionManager::new_lazy_with_config(client, config).map_err(
                    |source| CacheError::Redis {
                        op: "connect",
                        source,
                    },
                )?
            }
        };
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            incr_script: redis::Script::new(INCR_LUA),
            tally_script: redis::Script::new(TALLY_LUA),
            take_script: redis::Script::new(TAKE_LUA),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Cache for RedisCache {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let mut conn = self.conn.clone();
        redis::cmd("GET")
            .arg(self.key(key))
            .query_async(&mut conn)
            .await
            .map_err(|source| CacheError::Redis { op: "GET", source })
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("PX")
            .arg(millis(ttl))
            .query_async::<()>(&mut conn)
            .await
            .map_err(|source| CacheError::Redis { op: "SET", source })
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        redis::cmd("DEL")
            .arg(self.key(key))
            .query_async::<()>(&mut conn)
            .await
            .map_err(|source| CacheError::Redis { op: "DEL", source })
    }

    async fn incr(&self, key: &str, by: i64, ttl: Duration) -> Result<Counter, CacheError> {
        let mut conn = self.conn.clone();
        let (value, ms): (i64, i64) = self
            .incr_script
            .key(self.key(key))
            .arg(by)
            .arg(millis(ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(|source| {
                // Redis answers "ERR value is not an integer or out of range".
                if source.to_string().contains("not an integer") {
                    CacheError::NotACounter(key.to_owned())
                } else {
                    CacheError::Redis { op: "INCR", source }
                }
            })?;
        Ok(Counter {
            value,
            expires_in: Duration::from_millis(u64::try_from(ms).unwrap_or(0)),
        })
    }

    async fn tally(
        &self,
        key: &str,
        field: &str,
        by: i64,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        self.tally_script
            .key(self.key(key))
            .arg(field)
            .arg(by)
            .arg(millis(ttl))
            .invoke_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|source| CacheError::Redis {
                op: "HINCRBY",
                source,
            })
    }

    async fn tally_of(&self, key: &str, field: &str) -> Result<i64, CacheError> {
        let mut conn = self.conn.clone();
        let v: Option<i64> = redis::cmd("HGET")
            .arg(self.key(key))
            .arg(field)
            .query_async(&mut conn)
            .await
            .map_err(|source| CacheError::Redis { op: "HGET", source })?;
        Ok(v.unwrap_or(0))
    }

    async fn take_tally(&self, key: &str) -> Result<Vec<(String, i64)>, CacheError> {
        let mut conn = self.conn.clone();
        let flat: Vec<String> = self
            .take_script
            .key(self.key(key))
            .invoke_async(&mut conn)
            .await
            .map_err(|source| CacheError::Redis {
                op: "HGETALL",
                source,
            })?;
        let mut out = Vec::with_capacity(flat.len() / 2);
        for pair in flat.chunks_exact(2) {
            let n = pair[1]
                .parse::<i64>()
                .map_err(|_| CacheError::NotACounter(format!("{key} {}", pair[0])))?;
            out.push((pair[0].clone(), n));
        }
        Ok(out)
    }

    async fn health(&self) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|source| CacheError::Redis { op: "PING", source })
    }
}

// ---------------------------------------------------------------------------------------------
// Guarded: timeout, circuit breaker and an in-process fallback for counters

/// A cache in front of a remote one (Redis) that may hang or go away: every call has a short
/// timeout, failures open a circuit breaker (then calls fail at once, without a network call,
/// until a probe succeeds), and counters fall back to an in-process cache while the remote one
/// is unavailable.
///
/// What each use does while Redis is unavailable:
/// - `get` / `set` / `delete` fail at once with [`CacheError::CircuitOpen`] (or after the
///   timeout, for the calls that open the circuit). Every cached value has its truth in the
///   database, so callers treat a failed `get` as a miss and a failed `set` as nothing.
/// - `incr` counts in this process instead (rate limits and their windows): limits stay in
///   force, per replica rather than shared, so an attacker gets at most the limit times the
///   number of replicas for the outage, never unlimited tries. `delete` of a counter also
///   clears the in-process copy (giving back a login attempt's reservation).
pub struct GuardedCache {
    inner: std::sync::Arc<dyn Cache>,
    timeout: Duration,
    breaker: crate::breaker::Breaker,
    fallback: MemoryCache,
}

impl GuardedCache {
    pub fn new(
        inner: std::sync::Arc<dyn Cache>,
        timeout: Duration,
        breaker: crate::breaker::BreakerConfig,
        metrics: &crate::Metrics,
    ) -> Self {
        Self {
            inner,
            timeout,
            breaker: crate::breaker::Breaker::new("cache", breaker, metrics),
            fallback: MemoryCache::new(100_000),
        }
    }

    /// Runs one call through the breaker with the timeout.
    async fn call<T>(
        &self,
        op: &'static str,
        f: impl std::future::Future<Output = Result<T, CacheError>>,
    ) -> Result<T, CacheError> {
        let backend = self.inner.backend();
        let Some(permit) = self.breaker.permit() else {
            return Err(CacheError::CircuitOpen { backend });
        };
        match tokio::time::timeout(self.timeout, f).await {
            Ok(Ok(v)) => {
                permit.succeeded();
                Ok(v)
            }
            // The backend answered: a wrong value is not an outage.
            Ok(Err(e @ CacheError::NotACounter(_))) => {
                permit.succeeded();
                Err(e)
            }
            Ok(Err(e)) => {
                permit.failed();
                Err(e)
            }
            Err(_) => {
                permit.failed();
                Err(CacheError::Timeout {
                    backend,
                    op,
                    timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                })
            }
        }
    }
}

#[async_trait]
impl Cache for GuardedCache {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        self.call("GET", self.inner.get(key)).await
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        self.call("SET", self.inner.set(key, value, ttl)).await
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        // A counter counted here during an outage is cleared too.
        let _ = self.fallback.delete(key).await;
        self.call("DEL", self.inner.delete(key)).await
    }

    async fn incr(&self, key: &str, by: i64, ttl: Duration) -> Result<Counter, CacheError> {
        match self.call("INCR", self.inner.incr(key, by, ttl)).await {
            Err(e) if e.is_outage() => {
                tracing::debug!(error = %e, "counting in this process while the cache is unavailable");
                self.fallback.incr(key, by, ttl).await
            }
            other => other,
        }
    }

    async fn tally(
        &self,
        key: &str,
        field: &str,
        by: i64,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        match self
            .call("HINCRBY", self.inner.tally(key, field, by, ttl))
            .await
        {
            Err(e) if e.is_outage() => {
                tracing::debug!(error = %e, "tallying in this process while the cache is unavailable");
                self.fallback.tally(key, field, by, ttl).await
            }
            other => other,
        }
    }

    /// The remote tally's field plus what this process tallied during an outage.
    async fn tally_of(&self, key: &str, field: &str) -> Result<i64, CacheError> {
        let here = self.fallback.tally_of(key, field).await?;
        let there = self.call("HGET", self.inner.tally_of(key, field)).await?;
        Ok(here.saturating_add(there))
    }

    /// What this process tallied during an outage, and the remote tally when it answers (when
    /// it does not, the remote tally stays there for a later take).
    async fn take_tally(&self, key: &str) -> Result<Vec<(String, i64)>, CacheError> {
        let mut taken = self.fallback.take_tally(key).await?;
        match self.call("HGETALL", self.inner.take_tally(key)).await {
            Ok(remote) => taken.extend(remote),
            Err(e) if taken.is_empty() => return Err(e),
            Err(e) => tracing::debug!(error = %e, "took only this process's tally"),
        }
        Ok(taken)
    }

    async fn health(&self) -> Result<(), CacheError> {
        self.call("PING", self.inner.health()).await
    }

    fn circuit(&self) -> Option<crate::breaker::CircuitState> {
        Some(self.breaker.state())
    }
}

#[cfg(test)]
mod guarded_tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// A cache that hangs (never answers) while `hung` is set, and counts the calls it gets.
    #[derive(Default)]
    struct Hanging {
        hung: AtomicBool,
        calls: AtomicUsize,
        inner: MemoryCache,
    }

    impl Hanging {
        async fn gate(&self) {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.hung.load(Ordering::SeqCst) {
                std::future::pending::<()>().await;
            }
        }
    }

    #[async_trait]
    impl Cache for Arc<Hanging> {
        fn backend(&self) -> &'static str {
            "redis"
        }
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
            self.gate().await;
            self.inner.get(key).await
        }
        async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
            self.gate().await;
            self.inner.set(key, value, ttl).await
        }
        async fn delete(&self, key: &str) -> Result<(), CacheError> {
            self.gate().await;
            self.inner.delete(key).await
        }
        async fn incr(&self, key: &str, by: i64, ttl: Duration) -> Result<Counter, CacheError> {
            self.gate().await;
            self.inner.incr(key, by, ttl).await
        }
        async fn tally(
            &self,
            key: &str,
            field: &str,
            by: i64,
            ttl: Duration,
        ) -> Result<(), CacheError> {
            self.gate().await;
            self.inner.tally(key, field, by, ttl).await
        }
        async fn tally_of(&self, key: &str, field: &str) -> Result<i64, CacheError> {
            self.gate().await;
            self.inner.tally_of(key, field).await
        }
        async fn take_tally(&self, key: &str) -> Result<Vec<(String, i64)>, CacheError> {
            self.gate().await;
            self.inner.take_tally(key).await
        }
        async fn health(&self) -> Result<(), CacheError> {
            self.gate().await;
            Ok(())
        }
    }

    fn guarded(open_ms: u64) -> (GuardedCache, Arc<Hanging>) {
        let remote = Arc::new(Hanging::default());
        let cache = GuardedCache::new(
            Arc::new(remote.clone()),
            Duration::from_millis(30),
            crate::breaker::BreakerConfig {
                failures_to_open: 2,
                open_for: Duration::from_millis(open_ms),
            },
            &crate::Metrics::new(),
        );
        (cache, remote)
    }

    #[tokio::test]
    async fn a_hung_cache_opens_the_circuit_and_later_calls_do_not_reach_it() {
        let (cache, remote) = guarded(60_000);
        remote.hung.store(true, Ordering::SeqCst);
        assert!(matches!(
            cache.get("a").await,
            Err(CacheError::Timeout { .. })
        ));
        assert!(matches!(
            cache.get("a").await,
            Err(CacheError::Timeout { .. })
        ));
        let before = remote.calls.load(Ordering::SeqCst);
        for _ in 0..10 {
            assert!(matches!(
                cache.get("a").await,
                Err(CacheError::CircuitOpen { .. })
            ));
        }
        assert_eq!(
            remote.calls.load(Ordering::SeqCst),
            before,
            "no call reached it"
        );
        assert_eq!(cache.circuit(), Some(crate::breaker::CircuitState::Open));
    }

    #[tokio::test]
    async fn counters_keep_counting_in_process_while_the_cache_is_unavailable() {
        let (cache, remote) = guarded(60_000);
        remote.hung.store(true, Ordering::SeqCst);
        let ttl = Duration::from_secs(60);
        let mut last = 0;
        for _ in 0..6 {
            last = cache
                .incr("login:pair", 1, ttl)
                .await
                .map(|c| c.value)
                .unwrap_or(-1);
        }
        assert_eq!(last, 6, "every attempt is counted, so a limit still holds");
        let _ = cache.delete("login:pair").await;
        assert_eq!(
            cache.incr("login:pair", 1, ttl).await.map(|c| c.value).ok(),
            Some(1)
        );
    }

    #[tokio::test]
    async fn tallies_made_during_an_outage_are_taken_with_the_remote_ones_once() {
        let (cache, remote) = guarded(20);
        let ttl = Duration::from_secs(60);
        assert!(
            cache.tally("scans", "b1", 2, ttl).await.is_ok(),
            "remote tally"
        );
        remote.hung.store(true, Ordering::SeqCst);
        for _ in 0..3 {
            assert!(
                cache.tally("scans", "b1", 1, ttl).await.is_ok(),
                "tallied here"
            );
        }
        // Taking while the remote hangs gives this process's part and leaves the remote's.
        let here = cache.take_tally("scans").await.ok();
        assert_eq!(here, Some(vec![("b1".to_owned(), 3)]));
        remote.hung.store(false, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(cache.tally_of("scans", "b1").await.ok(), Some(2));
        let there = cache.take_tally("scans").await.ok();
        assert_eq!(there, Some(vec![("b1".to_owned(), 2)]));
        assert_eq!(cache.take_tally("scans").await.ok(), Some(vec![]));
    }

    #[tokio::test]
    async fn once_the_cache_answers_again_a_probe_closes_the_circuit() {
        let (cache, remote) = guarded(20);
        remote.hung.store(true, Ordering::SeqCst);
        let _ = cache.health().await;
        let _ = cache.health().await;
        assert!(cache.health().await.is_err());
        remote.hung.store(false, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(cache.health().await.is_ok(), "the probe reaches it");
        assert_eq!(cache.circuit(), Some(crate::breaker::CircuitState::Closed));
        assert!(cache.set("k", b"v", Duration::from_secs(5)).await.is_ok());
        assert_eq!(cache.get("k").await.ok().flatten(), Some(b"v".to_vec()));
    }
}
