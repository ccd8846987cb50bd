//! The transactional outbox.
//!
//! A domain change that must reach another system (search index, statistics rollups, cache
//! invalidation, notifications, deadlines) writes an event row in the *same* transaction as the
//! change, so either both happen or neither does. A worker then delivers each event to every
//! registered handler for its topic, at least once:
//!
//! - an event is claimed with a lease by a compare-and-set update, so with several server
//!   replicas on PostgreSQL exactly one worker holds it at a time, and a crashed worker's lease
//!   simply runs out;
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
use rand::Rng;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
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

/// The write side of the outbox, and the doorbell that wakes the local worker.
#[derive(Clone, Debug)]
pub struct Outbox {
    notify: Arc<Notify>,
    clock: Clock,
}

impl Outbox {
    pub fn new(clock: Clock) -> Self {
        Self {
            notify: Arc::new(Notify::new()),
            clock,
        }
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
        })
        .exec_without_returning(conn)
        .await?;
        Ok(id)
    }

    /// Call after committing a transaction that enqueued events, to deliver them promptly
    /// instead of at the next poll.
    pub fn wake(&self) {
        self.notify.notify_one();
    }
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

/// Delivers outbox events to handlers. Run one per process; several processes may share a
/// database.
pub struct OutboxWorker {
    db: DatabaseConnection,
    outbox: Outbox,
    handlers: Vec<Arc<dyn OutboxHandler>>,
    config: WorkerConfig,
    worker_id: String,
    metrics: Metrics,
}

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

    /// Runs until `shutdown` turns true: wakes on the doorbell or every poll interval, delivers
    /// everything due, and prunes old delivered events now and then.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.worker_id, handlers = self.handlers.len(), "outbox worker started");
        let mut passes: u64 = 0;
        loop {
            if *shutdown.borrow() {
                break;
            }
            loop {
                match self.run_once().await {
                    Ok(0) => break,
                    Ok(_) => continue,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox pass failed; will retry");
                        break;
                    }
                }
            }
            passes += 1;
            if passes.is_multiple_of(1200) {
                if let Err(e) = self.prune().await {
                    tracing::warn!(error = %e, "outbox prune failed");
                }
                if let Ok(n) = self.pending().await {
                    self.metrics
                        .set_outbox_pending(i64::try_from(n).unwrap_or(i64::MAX));
                }
            }
            tokio::select! {
                _ = shutdown.changed() => {}
                () = self.outbox.notify.notified() => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
        tracing::info!(worker = %self.worker_id, "outbox worker stopped");
    }

    /// Claims and delivers one batch of due events; returns how many it claimed.
    pub async fn run_once(&self) -> Result<usize, DbErr> {
        let now = self.outbox.clock.now();
        let candidates: Vec<Uuid> = event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .filter(event::Column::DeliveredAt.is_null())
            .filter(event::Column::AvailableAt.lte(now))
            .filter(
                Condition::any()
                    .add(event::Column::LeaseUntil.is_null())
                    .add(event::Column::LeaseUntil.lt(now)),
            )
            .order_by_asc(event::Column::AvailableAt)
            .order_by_asc(event::Column::Id)
            .limit(self.config.batch_size)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut claimed = 0;
        for id in candidates {
            if let Some(ev) = self.claim(id, now).await? {
                claimed += 1;
                self.deliver(ev).await?;
            }
        }
        Ok(claimed)
    }

    /// Compare-and-set: the lease is ours only if nobody else holds a live one.
    async fn claim(&self, id: Uuid, now: DateTime<Utc>) -> Result<Option<event::Model>, DbErr> {
        let until = now + to_chrono(self.config.lease);
        let res = event::Entity::update_many()
            .col_expr(
                event::Column::LeaseOwner,
                Expr::value(self.worker_id.clone()),
            )
            .col_expr(event::Column::LeaseUntil, Expr::value(until))
            .filter(event::Column::Id.eq(id))
            .filter(event::Column::DeliveredAt.is_null())
            .filter(
                Condition::any()
                    .add(event::Column::LeaseUntil.is_null())
                    .add(event::Column::LeaseUntil.lt(now)),
            )
            .exec(&self.db)
            .await?;
        if res.rows_affected != 1 {
            return Ok(None);
        }
        event::Entity::find_by_id(id).one(&self.db).await
    }

    async fn deliver(&self, ev: event::Model) -> Result<(), DbErr> {
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
                let msg: String = msg.chars().take(2000).collect();
                update
                    .col_expr(event::Column::Attempts, Expr::value(attempts))
                    .col_expr(
                        event::Column::AvailableAt,
                        Expr::value(now + to_chrono(delay)),
                    )
                    .col_expr(event::Column::LastError, Expr::value(Some(msg)))
            }
        };
        update.exec(&self.db).await?;
        Ok(())
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
