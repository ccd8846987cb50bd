//! The transactional outbox.
//!
//! A domain change that must reach another system (search index, statistics rollups, cache
//! invalidation, notifications, deadlines) writes an event row in the *same* transaction as the
//! change, so either both happen or neither does. A worker then delivers each event to every
//! registered handler for its topic, at least once:
//!
//! - events are claimed a batch at a time with a lease, in one statement (`FOR UPDATE SKIP
//!   LOCKED` on PostgreSQL, so competing workers take disjoint batches without waiting for each
//!   other; SQLite has one writer), so exactly one worker holds an event at a time, and a crashed
//!   worker's lease simply runs out;
//! - each event is in a **lane** given by its topic ([`Outbox::route`]); every lane has its own
//!   loop and concurrency, so a flood in one (a full reindex) never delays another (a payment
//!   deadline), and reports its lag;
//! - repeated events of a coalescing topic for the same object ([`Outbox::coalesce`]: same
//!   topic and payload) claimed together are delivered once;
//! - each successful (event, handler) pair is recorded, so a retry after a partial failure does
//!   not run the handlers that already succeeded;
//! - a failure is retried with exponential backoff (capped), the error kept on the row;
//! - `available_at` in the future makes an event a scheduled job (claim deadlines use this).
//!
//! Handlers must still be idempotent: a lease can expire while a slow handler is running.

use crate::Metrics;
use async_trait::async_trait;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use farmgate_kernel::Clock;
use futures_util::StreamExt;
use rand::Rng;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

pub mod entity {
    //! The outbox tables, owned by infra.

    pub mod event {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "outbox_events")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub topic: String,
            pub payload: Json,
            pub created_at: DateTimeUtc,
            pub available_at: DateTimeUtc,
            pub attempts: i32,
            pub last_error: Option<String>,
            pub lease_owner: Option<String>,
            pub lease_until: Option<DateTimeUtc>,
            pub delivered_at: Option<DateTimeUtc>,
            /// The lane the event is claimed in ([`super::super::lane`]).
            pub lane: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod delivery {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "outbox_deliveries")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub event_id: Uuid,
            #[sea_orm(primary_key, auto_increment = false)]
            pub handler: String,
            pub delivered_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{delivery, event};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An event as a handler sees it.
#[derive(Clone, Debug)]
pub struct OutboxEvent {
    pub id: Uuid,
    pub topic: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    /// How many earlier attempts failed.
    pub attempts: i32,
}

impl OutboxEvent {
    /// The payload as a typed value.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, BoxError> {
        serde_json::from_value(self.payload.clone()).map_err(|e| {
            format!(
                "outbox event {} ({}) has an unreadable payload: {e}",
                self.id, self.topic
            )
            .into()
        })
    }
}

/// Something that reacts to outbox events.
#[async_trait]
pub trait OutboxHandler: Send + Sync + 'static {
    /// Stable name: it is recorded per delivered event, so renaming a handler re-delivers.
    fn name(&self) -> &'static str;
    /// Whether this handler wants events of `topic`.
    fn handles(&self, topic: &str) -> bool;
    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError>;
}

/// The lanes events are claimed in. A topic nobody routed is in [`lane::DEFAULT`].
pub mod lane {
    /// Domain events (paid, shipped, claims …) and anything not routed elsewhere.
    pub const DEFAULT: &str = "default";
    /// Timed jobs whose lateness someone feels: payment expiry and queries, ship-by and claim
    /// deadlines, automatic receipt.
    pub const DEADLINES: &str = "deadlines";
    /// Search index updates (a full reindex floods this lane alone).
    pub const SEARCH: &str = "search";
    /// Messages to people (text messages, WeChat, the notification centre).
    pub const NOTIFY: &str = "notify";
}

/// Where each topic goes: its lane, and whether repeats coalesce.
#[derive(Debug, Default)]
struct Routes {
    lanes: HashMap<String, &'static str>,
    coalescing: HashSet<String>,
}

/// The write side of the outbox, and the doorbell that wakes the local worker.
#[derive(Clone, Debug)]
pub struct Outbox {
    bell: Arc<watch::Sender<u64>>,
    clock: Clock,
    routes: Arc<RwLock<Routes>>,
}

impl Outbox {
    pub fn new(clock: Clock) -> Self {
        Self {
            bell: Arc::new(watch::channel(0).0),
            clock,
            routes: Arc::new(RwLock::new(Routes::default())),
        }
    }

    /// Puts events of `topics` enqueued from now on in `lane` (the composition root does this
    /// once, before serving).
    pub fn route(&self, topics: &[&str], lane: &'static str) {
        let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        for topic in topics {
            routes.lanes.insert((*topic).to_owned(), lane);
        }
    }

    /// Repeated events of `topics` with the same payload, claimed together, are delivered
    /// once. Only for topics whose handlers read the object's current state (an index update),
    /// never for ones that record each occurrence.
    pub fn coalesce(&self, topics: &[&str]) {
        let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        for topic in topics {
            routes.coalescing.insert((*topic).to_owned());
        }
    }

    /// The lane of `topic`.
    pub fn lane_of(&self, topic: &str) -> &'static str {
        let routes = self.routes.read().unwrap_or_else(PoisonError::into_inner);
        routes.lanes.get(topic).copied().unwrap_or(lane::DEFAULT)
    }

    fn coalesces(&self, topic: &str) -> bool {
        let routes = self.routes.read().unwrap_or_else(PoisonError::into_inner);
        routes.coalescing.contains(topic)
    }

    /// Records an event inside the caller's transaction, deliverable now.
    pub async fn enqueue<C: ConnectionTrait>(
        &self,
        conn: &C,
        topic: &str,
        payload: &impl Serialize,
    ) -> Result<Uuid, DbErr> {
        let now = self.clock.now();
        self.enqueue_at(conn, topic, payload, now).await
    }

    /// Records an event that becomes deliverable at `at` (a scheduled job).
    pub async fn enqueue_at<C: ConnectionTrait>(
        &self,
        conn: &C,
        topic: &str,
        payload: &impl Serialize,
        at: DateTime<Utc>,
    ) -> Result<Uuid, DbErr> {
        let payload = serde_json::to_value(payload)
            .map_err(|e| DbErr::Custom(format!("outbox payload for {topic}: {e}")))?;
        let id = Uuid::now_v7();
        event::Entity::insert(event::ActiveModel {
            id: Set(id),
            topic: Set(topic.to_owned()),
            payload: Set(payload),
            created_at: Set(self.clock.now()),
            available_at: Set(at),
            attempts: Set(0),
            last_error: Set(None),
            lease_owner: Set(None),
            lease_until: Set(None),
            delivered_at: Set(None),
            lane: Set(self.lane_of(topic).to_owned()),
        })
        .exec_without_returning(conn)
        .await?;
        Ok(id)
    }

    /// Call after committing a transaction that enqueued events, to deliver them promptly
    /// instead of at the next poll. Every lane of the local worker looks (a lane that finds
    /// nothing goes back to waiting).
    pub fn wake(&self) {
        self.bell.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// One lane of the worker: its name and how many events it delivers at once.
#[derive(Clone, Debug)]
pub struct LaneConfig {
    pub name: &'static str,
    pub concurrency: usize,
}

/// How the worker paces itself.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// How often to look for due events when nobody rings.
    pub poll_interval: Duration,
    /// How long a claim lasts before another worker may take the event.
    pub lease: Duration,
    /// Events claimed per pass.
    pub batch_size: u64,
    /// First retry delay; doubles per failed attempt.
    pub backoff_base: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// Delivered events are kept this long, then deleted.
    pub retention: Duration,
    /// The lanes this worker serves, each with its own loop. Events of a lane not listed wait
    /// for a worker that serves it.
    pub lanes: Vec<LaneConfig>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(500),
            lease: Duration::from_secs(60),
            batch_size: 32,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(3600),
            retention: Duration::from_secs(7 * 24 * 3600),
            lanes: vec![
                LaneConfig {
                    name: lane::DEADLINES,
                    concurrency: 4,
                },
                LaneConfig {
                    name: lane::DEFAULT,
                    concurrency: 4,
                },
                LaneConfig {
                    name: lane::NOTIFY,
                    concurrency: 4,
                },
                // One at a time: the index applies its updates in order of claim.
                LaneConfig {
                    name: lane::SEARCH,
                    concurrency: 1,
                },
            ],
        }
    }
}

/// Whether an undelivered event of `topic` with exactly this payload is waiting: a scheduled
/// job asks before scheduling its next run, so a retried handler never schedules it twice.
/// Reads the (few) undelivered events of the topic.
pub async fn waiting_with<C: ConnectionTrait>(
    conn: &C,
    topic: &str,
    payload: &serde_json::Value,
) -> Result<bool, DbErr> {
    let waiting = event::Entity::find()
        .filter(event::Column::Topic.eq(topic))
        .filter(event::Column::DeliveredAt.is_null())
        .all(conn)
        .await?;
    Ok(waiting.iter().any(|e| &e.payload == payload))
}

/// The delay before attempt `attempts + 1`: `base × 2^(attempts-1)`, capped, plus up to 20%
/// jitter so replicas retrying the same failure do not stampede.
pub fn backoff(attempts: i32, base: Duration, max: Duration) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let raw = base.saturating_mul(2u32.saturating_pow(exp));
    let capped = raw.min(max);
    let jitter_ms = u64::try_from(capped.as_millis() / 5).unwrap_or(0);
    let extra = if jitter_ms > 0 {
        rand::rng().random_range(0..=jitter_ms)
    } else {
        0
    };
    capped + Duration::from_millis(extra)
}

/// An error with its causes, `outer: inner: innermost`, for the row an operator reads.
fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    out
}

fn to_chrono(d: Duration) -> ChronoDuration {
    ChronoDuration::from_std(d).unwrap_or(ChronoDuration::MAX)
}

/// Delivers outbox events to handlers. Any number of workers (in `serve` or `farmgate
/// worker` processes) may share a database.
pub struct OutboxWorker {
    db: DatabaseConnection,
    outbox: Outbox,
    handlers: Vec<Arc<dyn OutboxHandler>>,
    config: WorkerConfig,
    worker_id: String,
    metrics: Metrics,
}

/// How often a running worker reports each lane's lag.
const LAG_EVERY: Duration = Duration::from_secs(15);

impl OutboxWorker {
    pub fn new(
        db: DatabaseConnection,
        outbox: Outbox,
        handlers: Vec<Arc<dyn OutboxHandler>>,
        config: WorkerConfig,
        metrics: Metrics,
    ) -> Self {
        Self {
            db,
            outbox,
            handlers,
            config,
            worker_id: format!("worker-{}", Uuid::new_v4().simple()),
            metrics,
        }
    }

    /// Runs until `shutdown` turns true: one loop per lane, each woken by the doorbell or every
    /// poll interval, delivering everything due in its lane; and a housekeeping loop that
    /// reports the lanes' lag and prunes old delivered events now and then.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        tracing::info!(
            worker = %self.worker_id, handlers = self.handlers.len(),
            lanes = ?self.config.lanes.iter().map(|l| l.name).collect::<Vec<_>>(),
            "outbox worker started"
        );
        let this = Arc::new(self);
        let mut loops = Vec::new();
        for lane in this.config.lanes.clone() {
            let worker = this.clone();
            let stop = shutdown.clone();
            loops.push(tokio::spawn(
                async move { worker.lane_loop(lane, stop).await },
            ));
        }
        this.housekeeping(shutdown).await;
        for l in loops {
            let _ = l.await;
        }
        tracing::info!(worker = %this.worker_id, "outbox worker stopped");
    }

    async fn lane_loop(&self, lane: LaneConfig, mut shutdown: watch::Receiver<bool>) {
        let mut bell = self.outbox.bell.subscribe();
        loop {
            if *shutdown.borrow() {
                break;
            }
            bell.borrow_and_update();
            loop {
                match self.run_lane_once(&lane).await {
                    Ok(0) => break,
                    Ok(_) => {
                        if *shutdown.borrow() {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(lane = lane.name, error = %e, "outbox pass failed; will retry");
                        break;
                    }
                }
            }
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = bell.changed() => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
    }

    async fn housekeeping(&self, mut shutdown: watch::Receiver<bool>) {
        let mut rounds: u64 = 0;
        loop {
            if *shutdown.borrow() {
                break;
            }
            if let Err(e) = self.report_lag().await {
                tracing::warn!(error = %e, "could not measure the outbox lag");
            }
            // Every 10 minutes or so: the full count and the prune.
            if rounds.is_multiple_of(40) {
                if let Err(e) = self.prune().await {
                    tracing::warn!(error = %e, "outbox prune failed");
                }
                if let Ok(n) = self.pending().await {
                    self.metrics
                        .set_outbox_pending(i64::try_from(n).unwrap_or(i64::MAX));
                }
            }
            rounds += 1;
            tokio::select! {
                _ = shutdown.changed() => {}
                () = tokio::time::sleep(LAG_EVERY) => {}
            }
        }
    }

    /// One pass over every lane this worker serves: claims and delivers one batch of due
    /// events in each; returns how many it claimed in all. (The running worker has a loop per
    /// lane; this is for commands and tests that drain the outbox in step.)
    pub async fn run_once(&self) -> Result<usize, DbErr> {
        let mut claimed = 0;
        for lane in &self.config.lanes {
            claimed += self.run_lane_once(lane).await?;
        }
        Ok(claimed)
    }

    /// Claims and delivers one batch of due events of `lane`; returns how many it claimed.
    pub async fn run_lane_once(&self, lane: &LaneConfig) -> Result<usize, DbErr> {
        let now = self.outbox.clock.now();
        let claimed = self.claim_batch(lane.name, now).await?;
        let count = claimed.len();
        // Coalescing topics: the oldest of each (topic, payload) is delivered for all.
        let mut leaders: Vec<(event::Model, Vec<Uuid>)> = Vec::with_capacity(count);
        for ev in claimed {
            if self.outbox.coalesces(&ev.topic)
                && let Some((_, followers)) = leaders
                    .iter_mut()
                    .find(|(l, _)| l.topic == ev.topic && l.payload == ev.payload)
            {
                followers.push(ev.id);
                continue;
            }
            leaders.push((ev, Vec::new()));
        }
        let mut deliveries = futures_util::stream::iter(leaders)
            .map(|(ev, followers)| async move {
                let retry_at = self.deliver(ev).await?;
                self.settle_followers(&followers, retry_at).await
            })
            .buffer_unordered(lane.concurrency.max(1));
        while let Some(result) = deliveries.next().await {
            result?;
        }
        Ok(count)
    }

    /// Takes up to `batch_size` due events of `lane` nobody holds, oldest first, with a lease,
    /// in one statement.
    async fn claim_batch(
        &self,
        lane: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<event::Model>, DbErr> {
        let backend = self.db.get_database_backend();
        let until = now + to_chrono(self.config.lease);
        let limit = i64::try_from(self.config.batch_size).unwrap_or(i64::MAX);
        // PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
        // SQLite: the statement holds the only write lock, so two workers never overlap.
        let lock = match backend {
            DbBackend::Postgres => " FOR UPDATE SKIP LOCKED",
            _ => "",
        };
        let p = |i: usize| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        };
        let sql = format!(
            "UPDATE outbox_events SET lease_owner = {}, lease_until = {} \
             WHERE id IN (SELECT id FROM outbox_events \
               WHERE lane = {} AND delivered_at IS NULL AND available_at <= {} \
                 AND (lease_until IS NULL OR lease_until < {}) \
               ORDER BY available_at, id LIMIT {}{lock}) \
             RETURNING *",
            p(1),
            p(2),
            p(3),
            p(4),
            p(5),
            p(6),
        );
        let values: Vec<sea_orm::Value> = vec![
            self.worker_id.clone().into(),
            until.into(),
            lane.to_owned().into(),
            now.into(),
            now.into(),
            limit.into(),
        ];
        let mut events = event::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
            .all(&self.db)
            .await?;
        events.sort_by_key(|e| (e.available_at, e.id));
        Ok(events)
    }

    /// Settles events coalesced into another one's delivery: delivered with it, or, when it
    /// failed (`retry_at`), released to be tried again with it, not before.
    async fn settle_followers(
        &self,
        followers: &[Uuid],
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), DbErr> {
        if followers.is_empty() {
            return Ok(());
        }
        let now = self.outbox.clock.now();
        let mut update = event::Entity::update_many()
            .col_expr(
                event::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                event::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(event::Column::Id.is_in(followers.iter().copied()))
            .filter(event::Column::LeaseOwner.eq(self.worker_id.clone()));
        update = match retry_at {
            None => update.col_expr(event::Column::DeliveredAt, Expr::value(Some(now))),
            Some(at) => update.col_expr(event::Column::AvailableAt, Expr::value(at)),
        };
        update.exec(&self.db).await?;
        Ok(())
    }

    /// Hands `ev` to every handler of its topic that has not had it: `None` when all
    /// succeeded (delivered), else when it will be tried again.
    async fn deliver(&self, ev: event::Model) -> Result<Option<DateTime<Utc>>, DbErr> {
        let done: Vec<String> = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Handler)
            .filter(delivery::Column::EventId.eq(ev.id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let event = OutboxEvent {
            id: ev.id,
            topic: ev.topic.clone(),
            payload: ev.payload.clone(),
            created_at: ev.created_at,
            attempts: ev.attempts,
        };
        let mut failure: Option<String> = None;
        for handler in self.handlers.iter().filter(|h| h.handles(&ev.topic)) {
            let name = handler.name();
            if done.iter().any(|d| d == name) {
                continue;
            }
            match handler.handle(&event).await {
                Ok(()) => {
                    delivery::Entity::insert(delivery::ActiveModel {
                        event_id: Set(ev.id),
                        handler: Set(name.to_owned()),
                        delivered_at: Set(self.outbox.clock.now()),
                    })
                    .on_conflict(
                        OnConflict::columns([delivery::Column::EventId, delivery::Column::Handler])
                            .do_nothing()
                            .to_owned(),
                    )
                    .exec_without_returning(&self.db)
                    .await?;
                    self.metrics.outbox_delivered(name);
                }
                Err(e) => {
                    self.metrics.outbox_failed(name);
                    tracing::warn!(
                        event.id = %ev.id, event.topic = %ev.topic, handler = name,
                        attempts = ev.attempts + 1, error = %cause_chain(e.as_ref()),
                        "outbox handler failed; will retry"
                    );
                    let msg = format!("{name}: {}", cause_chain(e.as_ref()));
                    failure = Some(match failure {
                        Some(prev) => format!("{prev}; {msg}"),
                        None => msg,
                    });
                }
            }
        }
        let now = self.outbox.clock.now();
        let mut retry_at = None;
        let mut update = event::Entity::update_many()
            .col_expr(
                event::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                event::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(event::Column::Id.eq(ev.id))
            .filter(event::Column::LeaseOwner.eq(self.worker_id.clone()));
        update = match failure {
            None => update.col_expr(event::Column::DeliveredAt, Expr::value(Some(now))),
            Some(msg) => {
                let attempts = ev.attempts.saturating_add(1);
                let delay = backoff(attempts, self.config.backoff_base, self.config.backoff_max);
                let at = now + to_chrono(delay);
                retry_at = Some(at);
                let msg: String = msg.chars().take(2000).collect();
                update
                    .col_expr(event::Column::Attempts, Expr::value(attempts))
                    .col_expr(event::Column::AvailableAt, Expr::value(at))
                    .col_expr(event::Column::LastError, Expr::value(Some(msg)))
            }
        };
        update.exec(&self.db).await?;
        Ok(retry_at)
    }

    /// Each served lane's lag — how long its oldest due, undelivered event has waited (0 when
    /// none waits) — as the `outbox_lag_seconds{lane}` gauge; also returned.
    pub async fn report_lag(&self) -> Result<Vec<(&'static str, i64)>, DbErr> {
        let now = self.outbox.clock.now();
        let mut out = Vec::with_capacity(self.config.lanes.len());
        for lane in &self.config.lanes {
            let oldest: Option<DateTime<Utc>> = event::Entity::find()
                .select_only()
                .column(event::Column::AvailableAt)
                .filter(event::Column::Lane.eq(lane.name))
                .filter(event::Column::DeliveredAt.is_null())
                .filter(event::Column::AvailableAt.lte(now))
                .order_by_asc(event::Column::AvailableAt)
                .limit(1)
                .into_tuple()
                .one(&self.db)
                .await?;
            let lag = oldest.map_or(0, |at| (now - at).num_seconds().max(0));
            self.metrics.set_outbox_lag(lane.name, lag);
            out.push((lane.name, lag));
        }
        Ok(out)
    }

    /// Events not yet delivered.
    pub async fn pending(&self) -> Result<u64, DbErr> {
        event::Entity::find()
            .filter(event::Column::DeliveredAt.is_null())
            .count(&self.db)
            .await
    }

    /// Deletes delivered events older than the retention period.
    pub async fn prune(&self) -> Result<u64, DbErr> {
        let cutoff = self.outbox.clock.now() - to_chrono(self.config.retention);
        delivery::Entity::delete_many()
            .filter(delivery::Column::DeliveredAt.lt(cutoff))
            .exec(&self.db)
            .await?;
        let res = event::Entity::delete_many()
            .filter(event::Column::DeliveredAt.lt(cutoff))
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(60);
        let b1 = backoff(1, base, max);
        let b3 = backoff(3, base, max);
        let b30 = backoff(30, base, max);
        assert!(
            b1 >= Duration::from_secs(1) && b1 <= Duration::from_millis(1200),
            "{b1:?}"
        );
        assert!(
            b3 >= Duration::from_secs(4) && b3 <= Duration::from_millis(4800),
            "{b3:?}"
        );
        assert!(b30 >= max && b30 <= Duration::from_secs(72), "{b30:?}");
    }
}
