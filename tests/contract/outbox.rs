//! The outbox contract, on SQLite and PostgreSQL.

use async_trait::async_trait;
use farmgate_infra::outbox::{
    BoxError, LaneConfig, OutboxEvent, OutboxHandler, OutboxWorker, WorkerConfig, lane,
};
use farmgate_infra::{Clock, Metrics, Outbox, db};
use farmgate_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Records what it was given; fails the first `fail_first` calls.
struct Recorder {
    name: &'static str,
    topic_prefix: &'static str,
    seen: Mutex<Vec<Uuid>>,
    calls: AtomicUsize,
    fail_first: usize,
}

impl Recorder {
    fn new(name: &'static str, topic_prefix: &'static str, fail_first: usize) -> Arc<Self> {
        Arc::new(Self {
            name,
            topic_prefix,
            seen: Mutex::new(Vec::new()),
            calls: AtomicUsize::new(0),
            fail_first,
        })
    }

    fn seen(&self) -> Vec<Uuid> {
        self.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl OutboxHandler for Recorder {
    fn name(&self) -> &'static str {
        self.name
    }

    fn handles(&self, topic: &str) -> bool {
        topic.starts_with(self.topic_prefix)
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n < self.fail_first {
            return Err(format!("{} is down (call {})", self.name, n + 1).into());
        }
        if let Ok(mut v) = self.seen.lock() {
            v.push(event.id);
        }
        Ok(())
    }
}

struct Env {
    db: DatabaseConnection,
    clock: Clock,
    outbox: Outbox,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = db::sqlite_url_for(&dir.path().join("outbox.db")).expect("url");
    let conn = db::connect(&db::DbConfig {
        url,
        max_connections: 5,
    })
    .await
    .expect("sqlite");
    Migrator::up(&conn, None).await.expect("migrate");
    let clock = Clock::manual(chrono::Utc::now());
    Env {
        db: conn,
        outbox: Outbox::new(clock.clone()),
        clock,
        _dir: Some(dir),
    }
}

async fn postgres() -> Option<Env> {
    let Some(admin) = farmgate_tests::env("FARMGATE_TEST_POSTGRES_URL") else {
        farmgate_tests::skip_or_fail("PostgreSQL (FARMGATE_TEST_POSTGRES_URL)");
        return None;
    };
    let url = farmgate_tests::pg::fresh_database(&admin).await;
    let conn = db::connect(&db::DbConfig {
        url,
        max_connections: 5,
    })
    .await
    .expect("postgres");
    let clock = Clock::manual(chrono::Utc::now());
    Some(Env {
        db: conn,
        outbox: Outbox::new(clock.clone()),
        clock,
        _dir: None,
    })
}

fn worker(env: &Env, handlers: Vec<Arc<dyn OutboxHandler>>) -> OutboxWorker {
    let config = WorkerConfig {
        backoff_base: Duration::from_secs(10),
        backoff_max: Duration::from_secs(600),
        retention: Duration::from_secs(3600),
        ..WorkerConfig::default()
    };
    OutboxWorker::new(
        env.db.clone(),
        env.outbox.clone(),
        handlers,
        config,
        Metrics::new(),
    )
}

async fn count(env: &Env, where_clause: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM outbox_events WHERE {where_clause}");
    let row = env
        .db
        .query_one_raw(Statement::from_string(env.db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

async fn drain(w: &OutboxWorker) {
    while w.run_once().await.expect("worker pass") > 0 {}
}

async fn an_event_in_a_rolled_back_transaction_never_happened(env: Env) {
    let txn = env.db.begin().await.expect("begin");
    env.outbox
        .enqueue(&txn, "catalog.listing.changed", &json!({"id": 1}))
        .await
        .expect("enqueue");
    txn.rollback().await.expect("rollback");
    let rec = Recorder::new("search", "catalog.", 0);
    drain(&worker(&env, vec![rec.clone()])).await;
    assert!(rec.seen().is_empty());
    assert_eq!(count(&env, "1=1").await, 0);
}

async fn each_subscribed_handler_gets_each_committed_event_once(env: Env) {
    let txn = env.db.begin().await.expect("begin");
    let a = env
        .outbox
        .enqueue(&txn, "catalog.listing.changed", &json!({"id": "a"}))
        .await
        .expect("enqueue");
    let b = env
        .outbox
        .enqueue(&txn, "orders.paid", &json!({"id": "b"}))
        .await
        .expect("enqueue");
    txn.commit().await.expect("commit");
    let search = Recorder::new("search", "catalog.", 0);
    let stats = Recorder::new("stats", "", 0);
    let w = worker(&env, vec![search.clone(), stats.clone()]);
    drain(&w).await;
    drain(&w).await;
    assert_eq!(search.seen(), vec![a]);
    let mut all = stats.seen();
    all.sort();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(all, expected);
    assert_eq!(count(&env, "delivered_at IS NULL").await, 0);
    assert_eq!(w.pending().await.expect("pending"), 0);
}

async fn a_failing_handler_is_retried_with_backoff_and_the_others_are_not_repeated(env: Env) {
    let id = env
        .outbox
        .enqueue(&env.db, "orders.paid", &json!({"order": 7}))
        .await
        .expect("enqueue");
    let flaky = Recorder::new("notify", "orders.", 2);
    let steady = Recorder::new("stats", "orders.", 0);
    let w = worker(&env, vec![flaky.clone(), steady.clone()]);
    drain(&w).await;
    assert_eq!(steady.seen(), vec![id]);
    assert!(flaky.seen().is_empty());
    assert_eq!(
        count(&env, "attempts = 1 AND last_error LIKE '%notify is down%'").await,
        1
    );
    // Not due again until the backoff has passed.
    drain(&w).await;
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 1);
    env.clock.advance(chrono::Duration::seconds(13));
    drain(&w).await;
    assert_eq!(
        flaky.calls.load(Ordering::SeqCst),
        2,
        "second attempt after the first backoff"
    );
    assert_eq!(count(&env, "attempts = 2").await, 1);
    env.clock.advance(chrono::Duration::seconds(25));
    drain(&w).await;
    assert_eq!(flaky.seen(), vec![id], "delivered on the third attempt");
    assert_eq!(
        steady.calls.load(Ordering::SeqCst),
        1,
        "the handler that succeeded ran once"
    );
    assert_eq!(count(&env, "delivered_at IS NOT NULL").await, 1);
}

async fn a_scheduled_event_waits_for_its_time(env: Env) {
    let at = env.clock.now() + chrono::Duration::hours(24);
    let id = env
        .outbox
        .enqueue_at(&env.db, "aftersales.deadline", &json!({"claim": 1}), at)
        .await
        .expect("enqueue");
    let rec = Recorder::new("deadlines", "aftersales.", 0);
    let w = worker(&env, vec![rec.clone()]);
    drain(&w).await;
    assert!(rec.seen().is_empty());
    env.clock.advance(chrono::Duration::hours(24));
    drain(&w).await;
    assert_eq!(rec.seen(), vec![id]);
}

async fn competing_workers_deliver_each_event_once(env: Env) {
    let mut ids = Vec::new();
    for i in 0..40 {
        ids.push(
            env.outbox
                .enqueue(&env.db, "catalog.listing.changed", &json!({"i": i}))
                .await
                .expect("enqueue"),
        );
    }
    let rec = Recorder::new("search", "catalog.", 0);
    let workers: Vec<Arc<OutboxWorker>> = (0..4)
        .map(|_| Arc::new(worker(&env, vec![rec.clone()])))
        .collect();
    let mut tasks = Vec::new();
    for w in &workers {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                if w.run_once().await.is_err() {
                    // SQLite may report busy under contention; a later pass picks the event up.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker task");
    }
    drain(&workers[0]).await;
    let mut seen = rec.seen();
    let total = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(total, 40, "no event delivered twice");
    ids.sort();
    assert_eq!(seen, ids, "every event delivered");
}

async fn an_event_nobody_handles_is_settled(env: Env) {
    env.outbox
        .enqueue(&env.db, "identity.org.verified", &json!({}))
        .await
        .expect("enqueue");
    drain(&worker(&env, vec![Recorder::new("search", "catalog.", 0)])).await;
    assert_eq!(count(&env, "delivered_at IS NOT NULL").await, 1);
}

async fn a_crashed_workers_lease_runs_out_and_another_takes_over(env: Env) {
    let id = env
        .outbox
        .enqueue(&env.db, "catalog.x", &json!({}))
        .await
        .expect("enqueue");
    let until = env.clock.now() + chrono::Duration::seconds(60);
    env.db
        .execute_raw(Statement::from_sql_and_values(
            env.db.get_database_backend(),
            match env.db.get_database_backend() {
                sea_orm::DbBackend::Postgres => {
                    "UPDATE outbox_events SET lease_owner = 'dead', lease_until = $1"
                }
                _ => "UPDATE outbox_events SET lease_owner = 'dead', lease_until = ?",
            },
            [until.into()],
        ))
        .await
        .expect("fake a held lease");
    let rec = Recorder::new("search", "catalog.", 0);
    let w = worker(&env, vec![rec.clone()]);
    drain(&w).await;
    assert!(rec.seen().is_empty(), "a live lease is respected");
    env.clock.advance(chrono::Duration::seconds(61));
    drain(&w).await;
    assert_eq!(rec.seen(), vec![id]);
}

async fn delivered_events_are_pruned_after_the_retention(env: Env) {
    env.outbox
        .enqueue(&env.db, "catalog.x", &json!({}))
        .await
        .expect("enqueue");
    let w = worker(&env, vec![Recorder::new("search", "catalog.", 0)]);
    drain(&w).await;
    assert_eq!(w.prune().await.expect("prune"), 0, "too fresh to prune");
    env.clock.advance(chrono::Duration::hours(2));
    env.outbox
        .enqueue(&env.db, "catalog.y", &json!({}))
        .await
        .expect("enqueue");
    assert_eq!(w.prune().await.expect("prune"), 1);
    assert_eq!(count(&env, "1=1").await, 1, "the undelivered event stays");
}

/// A worker serving `lanes` only (each delivering one at a time), claiming `batch` per pass.
fn lane_worker(
    env: &Env,
    handlers: Vec<Arc<dyn OutboxHandler>>,
    lanes: &[&'static str],
    batch: u64,
) -> OutboxWorker {
    let config = WorkerConfig {
        batch_size: batch,
        lanes: lanes
            .iter()
            .map(|name| LaneConfig {
                name,
                concurrency: 2,
            })
            .collect(),
        ..WorkerConfig::default()
    };
    OutboxWorker::new(
        env.db.clone(),
        env.outbox.clone(),
        handlers,
        config,
        Metrics::new(),
    )
}

async fn a_flood_in_one_lane_never_delays_another(env: Env) {
    env.outbox.route(&["catalog.listing.changed"], lane::SEARCH);
    env.outbox.route(&["orders.payment_due"], lane::DEADLINES);
    assert_eq!(env.outbox.lane_of("orders.payment_due"), lane::DEADLINES);
    assert_eq!(env.outbox.lane_of("orders.paid"), lane::DEFAULT);
    // A full reindex's worth of index updates, all older than the deadline.
    for i in 0..120 {
        env.outbox
            .enqueue(&env.db, "catalog.listing.changed", &json!({"listing": i}))
            .await
            .expect("enqueue");
    }
    env.clock.advance(chrono::Duration::seconds(30));
    let due = env
        .outbox
        .enqueue(&env.db, "orders.payment_due", &json!({"order": "o-1"}))
        .await
        .expect("enqueue");
    assert_eq!(count(&env, "lane = 'search'").await, 120);
    assert_eq!(count(&env, "lane = 'deadlines'").await, 1);

    let search = Recorder::new("search", "catalog.", 0);
    let deadlines = Recorder::new("deadlines", "orders.", 0);
    let w = lane_worker(
        &env,
        vec![search.clone(), deadlines.clone()],
        &[lane::SEARCH, lane::DEADLINES],
        10,
    );
    // The lag of each lane: the search backlog has waited 30 s, the deadline not at all.
    let lag = w.report_lag().await.expect("lag");
    assert_eq!(lag, vec![(lane::SEARCH, 30), (lane::DEADLINES, 0)]);
    // One pass of the deadlines lane delivers the deadline, whatever waits in search.
    assert_eq!(
        w.run_lane_once(&LaneConfig {
            name: lane::DEADLINES,
            concurrency: 1
        })
        .await
        .expect("pass"),
        1
    );
    assert_eq!(deadlines.seen(), vec![due]);
    assert!(search.seen().is_empty());
    // A pass of the search lane takes one batch of it, oldest first.
    assert_eq!(
        w.run_lane_once(&LaneConfig {
            name: lane::SEARCH,
            concurrency: 2
        })
        .await
        .expect("pass"),
        10
    );
    drain(&w).await;
    assert_eq!(search.seen().len(), 120);
    assert_eq!(count(&env, "delivered_at IS NULL").await, 0);
}

async fn a_worker_leaves_the_lanes_it_does_not_serve(env: Env) {
    env.outbox.route(&["catalog.listing.changed"], lane::SEARCH);
    env.outbox
        .enqueue(&env.db, "catalog.listing.changed", &json!({"listing": 1}))
        .await
        .expect("enqueue");
    env.outbox
        .enqueue(&env.db, "orders.paid", &json!({"order": 1}))
        .await
        .expect("enqueue");
    let rec = Recorder::new("all", "", 0);
    let w = lane_worker(&env, vec![rec.clone()], &[lane::DEFAULT], 10);
    drain(&w).await;
    assert_eq!(rec.seen().len(), 1);
    assert_eq!(
        count(&env, "delivered_at IS NULL AND lane = 'search'").await,
        1
    );
}

async fn repeated_events_for_one_object_are_delivered_once(env: Env) {
    env.outbox.route(&["catalog.listing.changed"], lane::SEARCH);
    env.outbox.coalesce(&["catalog.listing.changed"]);
    // Five changes of listing 1 (e.g. five paid orders), two of listing 2, and a topic that
    // does not coalesce: each of its events counts.
    for _ in 0..5 {
        env.outbox
            .enqueue(&env.db, "catalog.listing.changed", &json!({"listing": 1}))
            .await
            .expect("enqueue");
    }
    for _ in 0..2 {
        env.outbox
            .enqueue(&env.db, "catalog.listing.changed", &json!({"listing": 2}))
            .await
            .expect("enqueue");
    }
    for _ in 0..2 {
        env.outbox
            .enqueue(&env.db, "orders.paid", &json!({"order": 9}))
            .await
            .expect("enqueue");
    }
    let index = Recorder::new("search", "catalog.", 0);
    let paid = Recorder::new("paid", "orders.", 0);
    let w = lane_worker(
        &env,
        vec![index.clone(), paid.clone()],
        &[lane::SEARCH, lane::DEFAULT],
        50,
    );
    drain(&w).await;
    assert_eq!(index.seen().len(), 2, "one delivery per listing");
    assert_eq!(
        paid.seen().len(),
        2,
        "a topic that does not coalesce keeps every event"
    );
    assert_eq!(
        count(&env, "delivered_at IS NULL").await,
        0,
        "the repeats are settled too"
    );
}

async fn a_failed_coalesced_delivery_leaves_every_repeat_for_later(env: Env) {
    env.outbox.coalesce(&["catalog.listing.changed"]);
    for _ in 0..3 {
        env.outbox
            .enqueue(&env.db, "catalog.listing.changed", &json!({"listing": 1}))
            .await
            .expect("enqueue");
    }
    let index = Recorder::new("search", "catalog.", 1);
    let w = worker(&env, vec![index.clone()]);
    drain(&w).await;
    assert!(index.seen().is_empty());
    assert_eq!(
        count(&env, "delivered_at IS NULL").await,
        3,
        "nothing settled on a failure"
    );
    assert_eq!(
        count(&env, "lease_owner IS NOT NULL").await,
        0,
        "no lease kept"
    );
    env.clock.advance(chrono::Duration::seconds(30));
    drain(&w).await;
    assert_eq!(index.seen().len(), 1);
    assert_eq!(count(&env, "delivered_at IS NULL").await, 0);
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case(super::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(env) = super::postgres().await {
                    super::$case(env).await;
                }
            }
        }
    )*};
}

contract!(
    an_event_in_a_rolled_back_transaction_never_happened,
    each_subscribed_handler_gets_each_committed_event_once,
    a_failing_handler_is_retried_with_backoff_and_the_others_are_not_repeated,
    a_scheduled_event_waits_for_its_time,
    competing_workers_deliver_each_event_once,
    an_event_nobody_handles_is_settled,
    a_crashed_workers_lease_runs_out_and_another_takes_over,
    delivered_events_are_pruned_after_the_retention,
    a_flood_in_one_lane_never_delays_another,
    a_worker_leaves_the_lanes_it_does_not_serve,
    repeated_events_for_one_object_are_delivered_once,
    a_failed_coalesced_delivery_leaves_every_repeat_for_later,
);
