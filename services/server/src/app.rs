//! Wiring: settings → backends → services → one router, and serving it with a graceful
//! shutdown.

pub use crate::adapters::build_search;
use crate::adapters::{build_sms, build_wechat};
use crate::routes;
use crate::settings::Settings;
use anyhow::Context;
use axum::Router;
use axum::extract::FromRef;
use farmgate_aftersales::{
    Aftersales, AftersalesConfig, FailedInspectionRecallJob, OfferDueJob, ResponseDueJob,
    UnsentReplacementJob,
};
use farmgate_catalog::{Catalog, DraftPhotoExpiryJob, SearchIndexer};
use farmgate_desk::{
    AttachmentExpiryJob as DeskAttachmentExpiryJob, ClaimResolvedJob as DeskClaimResolvedJob, Desk,
    DueJob as DeskDueJob,
};
use farmgate_finance::{Finance, RefundAfterPayoutJob};
use farmgate_identity::{Identity, IdentityConfig, PasswordCost};
use farmgate_infra::breaker::BreakerConfig;
use farmgate_infra::cache::{Cache, GuardedCache, MemoryCache, RedisCache};
use farmgate_infra::db::{self, DbConfig};
use farmgate_infra::http::{GuardedListener, PeerAddr};
use farmgate_infra::objects::{LocalDirStore, ObjectStore, S3Config, S3Store};
use farmgate_infra::outbox::{OutboxHandler, OutboxWorker, WorkerConfig};
use farmgate_infra::search::SearchIndex;
use farmgate_infra::search::embedded::EmbeddedIndex;
use farmgate_infra::search::text::Analyzer;
use farmgate_infra::{Clock, Infra, Metrics, Outbox};
use farmgate_invoicing::{Invoicing, RefundedAfterIssueJob};
use farmgate_migrations::{Migrator, MigratorTrait};
use farmgate_news::News;
use farmgate_notify::channels::sms::SmsChannel;
use farmgate_notify::{DeliverJob, Notify, NotifyJob, PaidReminderJob};
use farmgate_orders::{
    AccountErasedJob, AutoReceiveJob, DeadlineJob, Orders, OrdersConfig, PaymentDueJob,
    PaymentQueryJob, PresaleBatchJob, ReconcileJob, RefundJob, RefundQueryJob,
    TrackingSubscribeJob,
};
use farmgate_stats::{CreditRankingJob, RollupJob, Stats, schedule_credit_ranking};
use farmgate_trace::{AuditJob, CheckpointJob, DigestJob, Trace, TraceConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What every handler can reach, split per service by `FromRef`.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub infra: Infra,
    pub identity: Identity,
    pub catalog: Catalog,
    pub trace: Trace,
    pub orders: Orders,
    pub aftersales: Aftersales,
    pub desk: Desk,
    pub stats: Stats,
    pub invoicing: Invoicing,
    pub finance: Finance,
    pub notify: Notify,
    pub news: News,
    pub metrics: Metrics,
    pub assets: AssetsDir,
}

impl AppState {
    /// The services the demo data is made through (`serve --demo`, `seed-demo`,
    /// `demo-history`, and the tests and benchmarks that seed the demo county).
    pub fn demo_services(&self) -> farmgate_demo::Services {
        farmgate_demo::Services {
            infra: self.infra.clone(),
            identity: self.identity.clone(),
            catalog: self.catalog.clone(),
            trace: self.trace.clone(),
            orders: self.orders.clone(),
            aftersales: self.aftersales.clone(),
            stats: self.stats.clone(),
            finance: self.finance.clone(),
            news: self.news.clone(),
        }
    }
}

/// Where the browser pages are.
#[derive(Clone, Debug)]
pub struct AssetsDir(pub PathBuf);

/// Wraps the search index the settings chose.
pub type SearchWrapper = Arc<dyn Fn(Arc<dyn SearchIndex>) -> Arc<dyn SearchIndex> + Send + Sync>;

/// Knobs the test harness turns; the binary uses the defaults.
#[derive(Clone)]
pub struct BuildOptions {
    pub clock: Clock,
    pub password_cost: PasswordCost,
    pub worker: WorkerConfig,
    /// Wraps the configured search index (tests use it to take the engine down and up).
    pub wrap_search: Option<SearchWrapper>,
    /// The command searches nothing (`verify`, `digest`, `stats-rebuild`): instead of opening
    /// the embedded index, which a running server holds locked, keep an empty one in memory.
    /// (Meilisearch, when configured, is shared and opened as usual.)
    pub no_search_index: bool,
}

impl std::fmt::Debug for BuildOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildOptions")
            .field("clock", &self.clock)
            .field("password_cost", &self.password_cost)
            .field("worker", &self.worker)
            .field("wrap_search", &self.wrap_search.is_some())
            .finish()
    }
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            clock: Clock::system(),
            password_cost: PasswordCost::default(),
            worker: WorkerConfig::default(),
            wrap_search: None,
            no_search_index: false,
        }
    }
}

/// A built application: the router, the services, and the outbox worker ready to run.
pub struct App {
    pub router: Router,
    pub state: AppState,
    pub worker: OutboxWorker,
    /// `run_worker`: `serve` runs [`App::worker`] too.
    pub run_worker: bool,
    /// `metrics_addr`: where `/metrics` is served on its own (kept off the public network).
    pub metrics_addr: Option<String>,
}

/// Refuses to go on, naming every unsafe setting, when production mode is on and something
/// unsafe is configured (`demo`: this run creates demo data). See
/// [`Settings::production_refusals`].
pub fn refuse_unsafe_production(settings: &Settings, demo: bool) -> anyhow::Result<()> {
    let refusals = settings.production_refusals(demo);
    if refusals.is_empty() {
        return Ok(());
    }
    let list = refusals
        .iter()
        .map(|r| format!("  - {r}"))
        .collect::<Vec<_>>()
        .join("\n");
    anyhow::bail!(
        "production mode refuses to start with {} unsafe setting(s):\n{list}",
        refusals.len()
    )
}

/// The object store the settings name: S3-compatible storage when a bucket is set, otherwise
/// the local directory `data_dir/objects` (also used by `farmgate backup` on its own).
pub async fn object_store(settings: &Settings) -> anyhow::Result<Arc<dyn ObjectStore>> {
    let objects: Arc<dyn ObjectStore> = match &settings.s3_bucket {
        Some(bucket) => {
            let store = S3Store::new(&S3Config {
                endpoint: settings.s3_endpoint.clone(),
                region: settings.s3_region.clone(),
                bucket: bucket.clone(),
                access_key: settings.s3_access_key.clone().unwrap_or_default(),
                secret_key: settings.s3_secret_key.clone().unwrap_or_default(),
                path_style: settings.s3_path_style,
            });
            store
                .ensure_bucket()
                .await
                .context("opening the S3 bucket")?;
            tracing::info!(backend = "s3", endpoint = ?settings.s3_endpoint, bucket = %bucket, "objects");
            Arc::new(store)
        }
        None => {
            let dir = settings.data_dir.join("objects");
            let store = LocalDirStore::open(&dir)
                .await
                .context("opening the local object directory")?;
            tracing::info!(backend = "local", dir = %dir.display(), "objects");
            Arc::new(store)
        }
    };
    Ok(objects)
}

/// Connects every backend named by the settings (or the embedded default), logging one line
/// per backend, and migrates the database when asked.
pub async fn build_infra(settings: &Settings, options: &BuildOptions) -> anyhow::Result<Infra> {
    let db_url = settings
        .effective_database_url()
        .context("preparing the data directory")?;
    let db = db::connect_with_acquire_timeout(
        &DbConfig {
            url: db_url.clone(),
            max_connections: settings.database_max_connections,
        },
        Duration::from_millis(settings.database_acquire_timeout_ms),
    )
    .await
    .with_context(|| format!("connecting to the database at {}", db::redact_url(&db_url)))?;
    tracing::info!(backend = db::backend_name(&db), url = %db::redact_url(&db_url), "database");
    if settings.migrate_on_start {
        Migrator::up(&db, None)
            .await
            .context("running database migrations")?;
    }

    let objects = object_store(settings).await?;

    let metrics = Metrics::new();
    let cache: Arc<dyn Cache> = match &settings.redis_url {
        Some(url) => {
            let timeout = Duration::from_millis(settings.redis_timeout_ms);
            let redis = RedisCache::connect(url, &settings.redis_prefix, timeout)
                .await
                .context("connecting to Redis")?;
            tracing::info!(backend = "redis", url = %db::redact_url(url), "cache");
            // A cache must never be what makes a request slow or fail: short timeouts, a
            // circuit breaker, counters in process while Redis is away.
            Arc::new(GuardedCache::new(
                Arc::new(redis),
                timeout,
                BreakerConfig {
                    failures_to_open: settings.redis_breaker_failures,
                    open_for: Duration::from_secs(settings.redis_breaker_open_secs),
                },
                &metrics,
            ))
        }
        None => {
            tracing::info!(
                backend = "memory",
                "cache (in-process; use Redis with more than one replica)"
            );
            Arc::new(MemoryCache::default())
        }
    };
    tracing::info!(backend = db::backend_name(&db), "outbox");
    let sms = build_sms(settings, &db, &options.clock)?;

    Ok(Infra {
        db,
        objects,
        cache,
        outbox: Outbox::new(options.clock.clone()),
        sms,
        clock: options.clock.clone(),
        limits: farmgate_infra::limit::SharedLimits::new(&metrics),
        metrics,
    })
}

/// Builds the whole application.
pub async fn build(settings: &Settings, options: BuildOptions) -> anyhow::Result<App> {
    let infra = build_infra(settings, &options).await?;
    let identity = Identity::new(
        infra.clone(),
        IdentityConfig {
            session_ttl: chrono::Duration::hours(i64::from(settings.session_ttl_hours.max(1))),
            // Production is served over HTTPS: the session cookie never travels in the clear.
            cookie_secure: settings.cookie_secure || settings.production,
            password_cost: options.password_cost,
            login_limits: farmgate_identity::LoginLimits {
                per_ip_attempts: settings.login_attempts_per_address,
                ..farmgate_identity::LoginLimits::default()
            },
            code_limits: farmgate_identity::CodeLimits {
                per_address_per_hour: settings.codes_per_address_per_hour,
                resend_after: std::time::Duration::from_secs(settings.code_resend_secs),
                ..farmgate_identity::CodeLimits::default()
            },
            hash_limits: farmgate_identity::HashLimits::default(),
            registrations_per_address_per_hour: settings.registrations_per_address_per_hour,
            setup_link_ttl: chrono::Duration::hours(i64::from(settings.setup_link_hours)),
            wechat_login: crate::payments::wechat_login(settings)?,
            wechat_js: crate::payments::wechat_js(settings, infra.cache.clone())?,
        },
    )
    .await
    .context("starting the identity service")?;
    // A demo account (or staff still on the demo password) would be a known way in.
    if settings.production
        && identity
            .demo_password_in_use()
            .await
            .context("checking for the demo password")?
    {
        anyhow::bail!(
            "production mode refuses to start: an account still has the demo password (demo data, or staff who never changed it); erase the demo data or change those passwords"
        );
    }
    let mut search = if options.no_search_index && settings.meili_url.is_none() {
        let analyzer = Arc::new(
            tokio::task::spawn_blocking(Analyzer::new)
                .await
                .context("loading the segmenter")?,
        );
        let index: Arc<dyn SearchIndex> =
            Arc::new(EmbeddedIndex::in_memory(analyzer).context("making an empty search index")?);
        index
    } else {
        build_search(settings).await?
    };
    if let Some(wrap) = &options.wrap_search {
        search = wrap(search);
    }
    let catalog = Catalog::new(infra.clone(), identity.clone(), search)
        .with_default_ship_within_hours(i32::try_from(settings.ship_within_hours).unwrap_or(48));
    let added = catalog
        .ensure_categories()
        .await
        .context("seeding the category tree")?;
    if added > 0 {
        tracing::info!(categories = added, "category tree seeded");
    }
    // The county's search words over the shipped ones, before the first search.
    catalog
        .apply_vocabulary()
        .await
        .context("loading the county's search vocabulary")?;
    let trace = Trace::new(
        infra.clone(),
        identity.clone(),
        catalog.clone(),
        TraceConfig {
            public_url: settings.public_url.clone(),
            log: Some(crate::log_key::log_config(settings)?),
            chain_version: if settings.trace_chain_version == 1 {
                farmgate_trace::chain::ChainVersion::V1
            } else {
                farmgate_trace::chain::ChainVersion::V2
            },
            verify_per_address_per_minute: settings.trace_verify_per_address_per_minute,
        },
    );
    trace
        .schedule_digest()
        .await
        .context("scheduling the daily trace digest")?;
    // Events recorded before the transparency log existed go into it once (CHAIN.md §10).
    trace
        .backfill_log()
        .await
        .context("carrying trace events into the transparency log")?;
    trace
        .schedule_checkpoints()
        .await
        .context("scheduling the trace log's checkpoints")?;
    trace
        .schedule_audit()
        .await
        .context("scheduling the trace object store audit")?;
    let orders = Orders::new(
        infra.clone(),
        identity.clone(),
        catalog.clone(),
        trace.clone(),
        orders_config(
            settings,
            crate::payments::build(settings)?,
            crate::tracking::build(settings)?,
        ),
    );
    let yesterday = infra
        .clock
        .now()
        .with_timezone(&farmgate_kernel::clock::shanghai())
        .date_naive()
        - chrono::Duration::days(1);
    orders
        .schedule_reconciliation(yesterday)
        .await
        .context("scheduling the daily reconciliation")?;
    orders
        .schedule_credit_day(yesterday)
        .await
        .context("scheduling the daily credit-terms run")?;
    let aftersales = Aftersales::new(
        infra.clone(),
        identity.clone(),
        orders.clone(),
        AftersalesConfig {
            respond_within: chrono::Duration::hours(i64::from(settings.claim_response_hours)),
            auto_approve_up_to: farmgate_kernel::Money::from_fen(settings.claim_auto_approve_fen),
            answer_within: chrono::Duration::hours(i64::from(settings.claim_answer_hours)),
            arbitrate_within: chrono::Duration::hours(i64::from(settings.claim_arbitration_hours)),
            remind_before: chrono::Duration::hours(i64::from(settings.claim_remind_hours)),
            transit: farmgate_aftersales::domain::deadlines::TransitPolicy {
                stalled_after: chrono::Duration::days(i64::from(settings.parcel_stalled_days)),
                overdue_after: chrono::Duration::days(i64::from(settings.parcel_overdue_days)),
            },
        },
    );
    // "Download my data" asks every room that holds something about a person.
    identity.add_personal_data_part(std::sync::Arc::new(
        farmgate_orders::read::personal_data::OrdersPersonalData(orders.clone()),
    ));
    identity.add_personal_data_part(std::sync::Arc::new(
        farmgate_aftersales::service::personal_data::AftersalesPersonalData(aftersales.clone()),
    ));
    let replica = match &settings.database_replica_url {
        Some(url) => {
            let conn = db::connect_with_acquire_timeout(
                &DbConfig {
                    url: url.clone(),
                    max_connections: settings.database_max_connections,
                },
                Duration::from_millis(settings.database_acquire_timeout_ms),
            )
            .await
            .context("connecting to the statistics read replica")?;
            tracing::info!(backend = db::backend_name(&conn), "statistics read replica");
            Some(conn)
        }
        None => None,
    };
    let desk = Desk::new(
        infra.clone(),
        identity.clone(),
        orders.clone(),
        catalog.clone(),
        aftersales.clone(),
    );
    identity.add_personal_data_part(std::sync::Arc::new(
        farmgate_desk::service::personal_data::DeskPersonalData(desk.clone()),
    ));
    let stats = Stats::new(infra.clone(), replica, aftersales.clone());
    // Shop credit as a search ranking signal: recomputed hourly, handed to the catalogue.
    schedule_credit_ranking(&stats)
        .await
        .context("scheduling the shop credit refresh for search")?;
    let invoicing = Invoicing::new(infra.clone(), identity.clone());
    identity.add_personal_data_part(std::sync::Arc::new(
        farmgate_invoicing::service::personal_data::InvoicingPersonalData(invoicing.clone()),
    ));
    let finance = Finance::new(infra.clone(), identity.clone());
    // Notifications go out by text message through the platform's SMS sender, and by WeChat
    // subscription message when a mini program is configured.
    let mut channels: Vec<Arc<dyn farmgate_notify::channels::ChannelAdapter>> =
        vec![Arc::new(SmsChannel::new(infra.sms.clone()))];
    if let Some(wechat) = build_wechat(settings, &infra.clock)? {
        channels.push(Arc::new(wechat));
    }
    let notify = Notify::new(
        infra.clone(),
        identity.clone(),
        settings.notify_config(),
        channels,
    );
    let news = News::new(infra.clone());
    let assets = AssetsDir(settings.effective_assets_dir());
    tracing::info!(dir = %assets.0.display(), "pages");
    let state = AppState {
        metrics: infra.metrics.clone(),
        infra: infra.clone(),
        identity,
        catalog: catalog.clone(),
        trace: trace.clone(),
        orders: orders.clone(),
        aftersales: aftersales.clone(),
        desk: desk.clone(),
        stats: stats.clone(),
        invoicing: invoicing.clone(),
        finance: finance.clone(),
        notify: notify.clone(),
        news,
        assets,
    };
    route_outbox_lanes(&infra.outbox);
    // Every outbox handler of every service.
    let handlers: Vec<Arc<dyn OutboxHandler>> = vec![
        Arc::new(CreditRankingJob::new(stats.clone(), catalog.clone())),
        Arc::new(DraftPhotoExpiryJob::new(catalog.clone())),
        Arc::new(SearchIndexer::new(catalog)),
        Arc::new(DigestJob::new(trace.clone())),
        Arc::new(CheckpointJob::new(trace.clone())),
        Arc::new(AuditJob::new(trace)),
        Arc::new(PaymentDueJob::new(orders.clone())),
        Arc::new(AutoReceiveJob::new(orders.clone())),
        Arc::new(DeadlineJob::new(orders.clone())),
        Arc::new(RefundJob::new(orders.clone())),
        Arc::new(ReconcileJob::new(orders.clone())),
        Arc::new(PaymentQueryJob::new(orders.clone())),
        Arc::new(RefundQueryJob::new(orders.clone())),
        Arc::new(TrackingSubscribeJob::new(orders.clone())),
        Arc::new(farmgate_orders::CreditJob::new(orders.clone())),
        Arc::new(PresaleBatchJob::new(orders.clone())),
        Arc::new(farmgate_orders::StandingDueJob::new(orders.clone())),
        Arc::new(AccountErasedJob::new(orders)),
        Arc::new(ResponseDueJob::new(aftersales.clone())),
        Arc::new(OfferDueJob::new(aftersales.clone())),
        Arc::new(UnsentReplacementJob::new(aftersales.clone())),
        Arc::new(FailedInspectionRecallJob::new(aftersales)),
        Arc::new(DeskDueJob::new(desk.clone())),
        Arc::new(DeskAttachmentExpiryJob::new(desk.clone())),
        Arc::new(DeskClaimResolvedJob::new(desk)),
        Arc::new(RollupJob::new(stats)),
        Arc::new(RefundedAfterIssueJob::new(invoicing)),
        Arc::new(RefundAfterPayoutJob::new(finance)),
        Arc::new(NotifyJob::new(notify.clone())),
        Arc::new(DeliverJob::new(notify.clone())),
        Arc::new(PaidReminderJob::new(notify)),
    ];
    let worker = OutboxWorker::new(
        infra.db.clone(),
        infra.outbox.clone(),
        handlers,
        options.worker.clone(),
        infra.metrics.clone(),
    );
    let router = routes::router(state.clone(), settings);
    Ok(App {
        router,
        state,
        worker,
        run_worker: settings.run_worker,
        metrics_addr: settings.metrics_addr.clone(),
    })
}

/// Which lane each topic's events are claimed in (issue #23): timed jobs whose lateness people
/// feel in their own lane, search updates in theirs (a full reindex floods only it), messages
/// to people in theirs; everything else in the default lane. Index updates for one object
/// coalesce (the indexer reads the listing as it is now).
fn route_outbox_lanes(outbox: &farmgate_infra::Outbox) {
    use farmgate_infra::outbox::lane;
    let catalog_search = [
        farmgate_catalog::topics::LISTING_CHANGED,
        farmgate_catalog::topics::CATEGORY_CHANGED,
        farmgate_catalog::topics::VOCABULARY_CHANGED,
        farmgate_catalog::topics::SELLER_RANKING_CHANGED,
    ];
    outbox.route(&catalog_search, lane::SEARCH);
    outbox.coalesce(&[
        farmgate_catalog::topics::LISTING_CHANGED,
        farmgate_catalog::topics::CATEGORY_CHANGED,
        farmgate_catalog::topics::SELLER_RANKING_CHANGED,
    ]);
    {
        use farmgate_orders::service::topics as orders;
        outbox.route(
            &[
                orders::PAYMENT_DUE,
                orders::PAYMENT_QUERY,
                orders::REFUND_QUERY,
                orders::AUTO_RECEIVE,
                orders::SHIP_BY_REMIND,
                orders::SHIP_BY_LAPSE,
                orders::CANCEL_ANSWER_DUE,
                orders::STANDING_DUE,
                farmgate_aftersales::service::topics::RESPONSE_DUE,
                farmgate_aftersales::service::topics::OFFER_DUE,
                farmgate_desk::service::topics::DUE,
            ],
            lane::DEADLINES,
        );
    }
    outbox.route(
        &[
            farmgate_notify::service::topics::DELIVER,
            farmgate_notify::service::topics::PAID_REMINDER,
        ],
        lane::NOTIFY,
    );
}

/// Serves until Ctrl-C or SIGTERM (or `shutdown` turning true), then drains in-flight requests
/// and stops the outbox worker.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = if app.run_worker {
        tokio::spawn(app.worker.run(stop_rx))
    } else {
        tracing::info!("outbox worker off (run_worker = false): `farmgate worker` delivers it");
        tokio::spawn(async {})
    };
    // Scan counts are tallied in the cache (Redis when configured: shared, and kept when this
    // replica dies) and written every few seconds (and at shutdown). Every replica flushes:
    // a take is atomic, so each count is written once whichever replica takes it, and what
    // this process tallied in memory during a Redis outage is written by this process.
    let trace = app.state.trace.clone();
    let (scans_stop_tx, mut scans_stop) = watch::channel(false);
    let scans = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = scans_stop.changed() => break,
                () = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            }
            if let Err(e) = trace.flush_scans().await {
                tracing::warn!(error = %e, "could not write scan counts; will retry");
            }
        }
        if let Err(e) = trace.flush_scans().await {
            tracing::warn!(error = %e, "could not write the last scan counts");
        }
    });
    // The county's search vocabulary changed through another replica: apply it here within
    // seconds (#21), without waiting for this process's worker or a restart.
    let catalog = app.state.catalog.clone();
    let (vocab_stop_tx, mut vocab_stop) = watch::channel(false);
    let vocabulary = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = vocab_stop.changed() => break,
                () = tokio::time::sleep(farmgate_catalog::service::VOCABULARY_CHECK) => {}
            }
            if let Err(e) = catalog.follow_vocabulary().await {
                tracing::warn!(error = %e, "could not check the search vocabulary; will retry");
            }
        }
    });
    // An empty index with a populated catalogue (new data directory, new Meilisearch, a
    // changed index format) is rebuilt in the background; the server answers meanwhile.
    let catalog = app.state.catalog.clone();
    tokio::spawn(async move {
        match catalog.rebuild_if_empty().await {
            Ok(true) => tracing::info!("search index was empty and has been rebuilt"),
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "could not rebuild the empty search index; run farmgate reindex")
            }
        }
    });
    // One stop signal for both listeners.
    let (down_tx, down_rx) = watch::channel(false);
    tokio::spawn(async move {
        tokio::select! {
            () = os_signal() => {}
            _ = shutdown.wait_for(|stop| *stop) => {}
        }
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = down_tx.send(true);
    });
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|down| *down).await;
    };
    let metrics_server = match &app.metrics_addr {
        Some(addr) => {
            let metrics_listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening for /metrics on {addr}"))?;
            tracing::info!(%addr, "metrics listening");
            let router = routes::metrics_router(app.state.clone());
            let signal = stopped(down_rx.clone());
            Some(tokio::spawn(async move {
                axum::serve(metrics_listener, router)
                    .with_graceful_shutdown(signal)
                    .await
            }))
        }
        None => None,
    };
    axum::serve(
        GuardedListener::new(listener),
        app.router.into_make_service_with_connect_info::<PeerAddr>(),
    )
    .with_graceful_shutdown(stopped(down_rx))
    .await
    .context("serving HTTP")?;
    if let Some(m) = metrics_server {
        match m.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "the metrics listener failed"),
            Err(e) => tracing::warn!(error = %e, "the metrics listener panicked"),
            Ok(Ok(())) => {}
        }
    }
    let _ = stop_tx.send(true);
    let _ = scans_stop_tx.send(true);
    let _ = vocab_stop_tx.send(true);
    let _ = worker.await;
    let _ = scans.await;
    let _ = vocabulary.await;
    tracing::info!("stopped");
    Ok(())
}

/// `farmgate worker`: delivers the outbox until Ctrl-C or SIGTERM (or `shutdown`), serving only
/// `/metrics` and `/healthz` on `metrics_addr` when one is set. In-flight deliveries finish
/// before it stops (a delivery cut short is retried by another worker once its lease ends).
pub async fn work(app: App, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = tokio::spawn(app.worker.run(stop_rx));
    let metrics_server = match &app.metrics_addr {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening for /metrics on {addr}"))?;
            tracing::info!(%addr, "metrics listening");
            let router = routes::metrics_router(app.state.clone());
            let signal = stop_rx_wait(stop_tx.subscribe());
            Some(tokio::spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(signal)
                    .await
            }))
        }
        None => None,
    };
    tokio::select! {
        () = os_signal() => {}
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
    tracing::info!("stopping the worker: finishing in-flight deliveries");
    let _ = stop_tx.send(true);
    let _ = worker.await;
    if let Some(m) = metrics_server {
        let _ = m.await;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn stop_rx_wait(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

async fn os_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// The orders service's settings. Without a configured secret the sandbox gateway and the
/// carrier callback get a random one for this process: the sandbox still works end to end
/// (it signs in-process), and nobody can forge a notification with a secret they cannot know.
fn orders_config(
    settings: &Settings,
    gateways: crate::payments::Gateways,
    tracking: Option<farmgate_orders::TrackingConfig>,
) -> OrdersConfig {
    let secret = |configured: &Option<String>, what: &str| match configured {
        Some(s) => s.clone(),
        None => {
            tracing::info!("{what} secret not set: using a random one for this process");
            let mut bytes = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            hex::encode(bytes)
        }
    };
    OrdersConfig {
        auto_receive_after: chrono::Duration::days(i64::from(settings.auto_receive_days)),
        ship_within: chrono::Duration::hours(i64::from(settings.ship_within_hours)),
        ship_by_remind_before: chrono::Duration::hours(i64::from(settings.ship_by_remind_hours)),
        ship_by_grace: chrono::Duration::hours(i64::from(settings.ship_by_grace_hours)),
        cancel_answer_within: chrono::Duration::hours(i64::from(settings.cancel_answer_hours)),
        extra_charge_answer_within: chrono::Duration::hours(i64::from(
            settings.extra_charge_answer_hours,
        )),
        presale_balance_pay_within: chrono::Duration::hours(i64::from(
            settings.presale_balance_pay_hours,
        )),
        gateway_secret: secret(&settings.payment_webhook_secret, "payment webhook"),
        carrier_secret: secret(&settings.carrier_callback_secret, "carrier callback"),
        offline_payee: settings.offline_payee.clone(),
        sandbox: settings.payment_sandbox && !settings.production,
        online: gateways.online,
        wechat_oauth: gateways.wechat_oauth,
        tracking,
        payment_query_after: chrono::Duration::minutes(i64::from(
            settings.payment_query_after_minutes,
        )),
        ..OrdersConfig::default()
    }
}
