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
    async fn health(&self) -> Result<(), CacheError>;
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
    max_entries: usize,
}

impl MemoryCache {
    pub fn new(max_entries: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            max_entries: max_entries.max(16),
        }
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

impl RedisCache {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, CacheError> {
        let client =
            redis::Client::open(url).map_err(|source| CacheError::Redis { op: "open", source })?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(2);
        let conn = redis::aio::ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|source| CacheError::Redis {
                op: "connect",
                source,
            })?;
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            incr_script: redis::Script::new(INCR_LUA),
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

    async fn health(&self) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|source| CacheError::Redis { op: "PING", source })
    }
}
