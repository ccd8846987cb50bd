//! The cache contract, on the in-process cache and on Redis.

use farmgate_infra::cache::{Cache, MemoryCache, RedisCache};
use std::sync::Arc;
use std::time::Duration;

fn memory() -> Arc<dyn Cache> {
    Arc::new(MemoryCache::new(1000))
}

async fn redis() -> Option<Arc<dyn Cache>> {
    let Some(url) = farmgate_tests::env("FARMGATE_TEST_REDIS_URL") else {
        farmgate_tests::skip_or_fail("Redis (FARMGATE_TEST_REDIS_URL)");
        return None;
    };
    let prefix = format!("fgcontract:{}:", uuid::Uuid::new_v4().simple());
    Some(Arc::new(
        RedisCache::connect(&url, &prefix, Duration::from_secs(2))
            .await
            .expect("redis"),
    ))
}

async fn values_round_trip_and_delete(cache: Arc<dyn Cache>) {
    assert_eq!(cache.get("k").await.expect("get"), None);
    cache
        .set("k", "脐橙".as_bytes(), Duration::from_secs(60))
        .await
        .expect("set");
    assert_eq!(
        cache.get("k").await.expect("get").as_deref(),
        Some("脐橙".as_bytes())
    );
    cache
        .set("k", b"v2", Duration::from_secs(60))
        .await
        .expect("overwrite");
    assert_eq!(
        cache.get("k").await.expect("get").as_deref(),
        Some(&b"v2"[..])
    );
    cache.delete("k").await.expect("delete");
    assert_eq!(cache.get("k").await.expect("get"), None);
    cache
        .delete("k")
        .await
        .expect("deleting a missing key is fine");
}

async fn values_expire_after_their_ttl(cache: Arc<dyn Cache>) {
    cache
        .set("short", b"x", Duration::from_millis(150))
        .await
        .expect("set");
    assert!(cache.get("short").await.expect("get").is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(cache.get("short").await.expect("get"), None);
}

async fn counters_count_within_a_fixed_window(cache: Arc<dyn Cache>) {
    let window = Duration::from_millis(400);
    let a = cache.incr("c", 1, window).await.expect("incr");
    assert_eq!(a.value, 1);
    assert!(
        a.expires_in <= window && a.expires_in > Duration::ZERO,
        "{a:?}"
    );
    let b = cache
        .incr("c", 2, Duration::from_secs(3600))
        .await
        .expect("incr");
    assert_eq!(b.value, 3);
    assert!(
        b.expires_in <= window,
        "a later increment does not extend the window: {b:?}"
    );
    let peek = cache.incr("c", 0, window).await.expect("peek");
    assert_eq!(peek.value, 3);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        cache.incr("c", 1, window).await.expect("incr").value,
        1,
        "a new window starts at zero"
    );
}

async fn concurrent_increments_are_not_lost(cache: Arc<dyn Cache>) {
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let c = cache.clone();
        tasks.push(tokio::spawn(async move {
            c.incr("race", 1, Duration::from_secs(60))
                .await
                .expect("incr")
                .value
        }));
    }
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.expect("task"));
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (1..=50).collect::<Vec<i64>>(),
        "every increment saw a distinct value"
    );
}

async fn a_value_that_is_not_a_number_is_not_a_counter(cache: Arc<dyn Cache>) {
    cache
        .set("text", b"hello", Duration::from_secs(60))
        .await
        .expect("set");
    assert!(
        cache
            .incr("text", 1, Duration::from_secs(60))
            .await
            .is_err()
    );
}

async fn tallies_add_up_and_are_taken_once(cache: Arc<dyn Cache>) {
    let ttl = Duration::from_secs(60);
    assert_eq!(cache.tally_of("t", "a").await.expect("tally_of"), 0);
    assert!(cache.take_tally("t").await.expect("take").is_empty());
    cache.tally("t", "a", 2, ttl).await.expect("tally");
    cache.tally("t", "a", 3, ttl).await.expect("tally");
    cache.tally("t", "b", 1, ttl).await.expect("tally");
    cache.tally("other", "a", 7, ttl).await.expect("tally");
    assert_eq!(cache.tally_of("t", "a").await.expect("tally_of"), 5);
    let mut taken = cache.take_tally("t").await.expect("take");
    taken.sort();
    assert_eq!(taken, vec![("a".to_owned(), 5), ("b".to_owned(), 1)]);
    assert!(
        cache.take_tally("t").await.expect("take").is_empty(),
        "taken once"
    );
    assert_eq!(cache.tally_of("t", "a").await.expect("tally_of"), 0);
    assert_eq!(
        cache.tally_of("other", "a").await.expect("tally_of"),
        7,
        "another tally is left alone"
    );
}

/// Counts added while others take: every count is taken exactly once.
async fn concurrent_tallies_and_takes_lose_nothing(cache: Arc<dyn Cache>) {
    let ttl = Duration::from_secs(60);
    let mut adders = Vec::new();
    for i in 0..8 {
        let c = cache.clone();
        adders.push(tokio::spawn(async move {
            for _ in 0..50 {
                c.tally("busy", &format!("f{}", i % 3), 1, ttl)
                    .await
                    .expect("tally");
            }
        }));
    }
    let taker = {
        let c = cache.clone();
        tokio::spawn(async move {
            let mut sum = 0;
            for _ in 0..40 {
                sum += c
                    .take_tally("busy")
                    .await
                    .expect("take")
                    .iter()
                    .map(|(_, n)| n)
                    .sum::<i64>();
                tokio::task::yield_now().await;
            }
            sum
        })
    };
    for a in adders {
        a.await.expect("adder");
    }
    let mut total = taker.await.expect("taker");
    total += cache
        .take_tally("busy")
        .await
        .expect("take")
        .iter()
        .map(|(_, n)| n)
        .sum::<i64>();
    assert_eq!(total, 400);
}

async fn health_answers(cache: Arc<dyn Cache>) {
    cache.health().await.expect("healthy");
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn memory() {
                super::$case(super::memory()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis() {
                if let Some(cache) = super::redis().await {
                    super::$case(cache).await;
                }
            }
        }
    )*};
}

contract!(
    values_round_trip_and_delete,
    values_expire_after_their_ttl,
    counters_count_within_a_fixed_window,
    concurrent_increments_are_not_lost,
    a_value_that_is_not_a_number_is_not_a_counter,
    tallies_add_up_and_are_taken_once,
    concurrent_tallies_and_takes_lose_nothing,
    health_answers,
);

#[tokio::test]
async fn the_memory_cache_stays_within_its_bound() {
    let cache = MemoryCache::new(16);
    for i in 0..100 {
        cache
            .set(&format!("k{i}"), b"v", Duration::from_secs(60))
            .await
            .expect("set");
    }
    let mut present = 0;
    for i in 0..100 {
        if cache.get(&format!("k{i}")).await.expect("get").is_some() {
            present += 1;
        }
    }
    assert!(present <= 16, "{present} entries kept");
    assert!(
        cache.get("k99").await.expect("get").is_some(),
        "the newest entry is kept"
    );
}

/// A Redis that is down when the process starts does not stop it: `connect` answers at once,
/// every call fails fast as an outage (what the guarded cache falls back on), and once a Redis
/// answers at that address the same cache uses it without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_at_start_is_connected_to_once_it_answers() {
    if farmgate_tests::env("FARMGATE_TEST_REDIS_URL").is_none() {
        farmgate_tests::skip_or_fail("Redis (FARMGATE_TEST_REDIS_URL)");
        return;
    }
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().expect("its address").port()
    };
    let url = format!("redis://127.0.0.1:{port}/");
    let started = std::time::Instant::now();
    let cache = RedisCache::connect(&url, "fgdown:", Duration::from_millis(300))
        .await
        .expect("a Redis that is down is not a reason to refuse");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "connect waited {:?}",
        started.elapsed()
    );
    let refused = cache.get("k").await.expect_err("nothing answers yet");
    assert!(refused.is_outage(), "an outage, not a refusal: {refused}");

    let dir = tempfile::tempdir().expect("a dir for Redis");
    let mut server = std::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-server (installed wherever FARMGATE_TEST_REDIS_URL is set)");
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut answered = None;
    while std::time::Instant::now() < deadline {
        if cache
            .set("k", b"back", Duration::from_secs(60))
            .await
            .is_ok()
        {
            answered = cache.get("k").await.ok().flatten();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        answered.as_deref(),
        Some(&b"back"[..]),
        "the cache reconnected"
    );
}
