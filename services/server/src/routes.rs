//! Every route of the marketplace in one place, the OpenAPI document built from the same list,
//! and the middleware stack around them.

use crate::app::AppState;
use crate::settings::Settings;
use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use farmgate_infra::http::layers::{
    REQUEST_ID_HEADER, check_request_line, error_shape, security_headers,
    strict_transport_security, track_metrics,
};
use farmgate_infra::http::{ApiError, HttpCode, TrustProxy, secrets_match};
use farmgate_infra::{Infra, Metrics, db};
use serde::Serialize;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Farmgate 农源直供 API",
        description = "County agricultural marketplace with origin traceability. JSON over HTTP; \
errors are `{\"error\": {\"code\", \"message\", \"fields\"?, \"request_id\"?}}`; send \
`Accept-Language: en` for English messages. Authenticate with `Authorization: Bearer <token>` \
(from `POST /api/v1/auth/login`) or the `fg_session` cookie the pages use.",
        license(name = "MIT")
    ),
    components(schemas(
        farmgate_infra::http::error::ErrorBody,
        farmgate_infra::search::Sort,
        farmgate_kernel::Limit,
        farmgate_kernel::Offset,
        // Named by the seller's order list's `ship_by` query parameter.
        farmgate_orders::domain::ShipByFilter
    )),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "orgs", description = "Organisations, members and invitations"),
        (name = "catalog", description = "Categories, listings, SKUs, photos and search"),
        (name = "trace", description = "Batches, the hashed record, codes, labels, the public trace and its verification"),
        (name = "orders", description = "Addresses, the cart, checkout, shipping, receipt and the seller's order console"),
        (name = "payments", description = "Paying (offline, the sandbox gateway and its signed webhook), refunds and settlement statements"),
        (name = "presales", description = "Pre-sales (订单农业): a seller sells a planned harvest before it is grown; buyers reserve and pay a deposit through an ordinary order"),
        (name = "credit", description = "Credit terms (账期): a business buyer's credit line, orders paid on credit, monthly statements and their payments, receivables"),
        (name = "reviews", description = "Reviews of received lines, with photos and the listing's average"),
        (name = "aftersales", description = "Damage claims: evidence, the seller's answer, deadlines, arbitration, refunds, satisfaction"),
        (name = "desk", description = "The service desk: tickets from any page or the hotline, limits and countdowns, assignment, replies and internal notes, canned replies, merges, follow-up calls, satisfaction surveys, figures, problem-customer records"),
        (name = "finance", description = "Payouts: sellers' settlement bank accounts, payout batches for the bank (CSV/XLSX), paid or failed"),
        (name = "market", description = "The public price board (行情): prices per kg and per 斤 from paid orders, by category, township and product, with trends; small groups hidden"),
        (name = "stats", description = "County statistics for officials: sales, prices, traceability, onboarding, after-sales quality; CSV and XLSX exports"),
        (name = "invoices", description = "Invoices (发票) for business buyers: requested per sub-order, issued by the seller as a PDF with its SHA-256, red reversal after a refund"),
        (name = "notifications", description = "The notification centre (站内信): every person's notifications, the unread count, marking read, and preferences (channels per kind, quiet hours)"),
        (name = "news", description = "News and notices (资讯): articles by the operator or a county official, sanitised rich text with pictures, revisions, four-eyes approval within 48 hours, scheduled publishing, pinned notices; public list and article pages"),
        (name = "admin", description = "The platform operator's tools"),
        (name = "console", description = "The back-office homes: a seller's and the operator's work today as counts, each the length of a filtered list"),
        (name = "ops", description = "Health, readiness and metrics")
    )
)]
struct ApiDoc;

/// The API routes of every service, with the OpenAPI document they describe.
pub fn api() -> (Router<AppState>, serde_json::Value) {
    let (routes, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(farmgate_identity::http::router())
        .merge(farmgate_catalog::http::router())
        .merge(farmgate_trace::http::router())
        .merge(farmgate_orders::http::router())
        .merge(farmgate_aftersales::http::router())
        .merge(farmgate_desk::http::router())
        .merge(farmgate_stats::http::router())
        .merge(farmgate_invoicing::http::router())
        .merge(farmgate_finance::http::router())
        .merge(farmgate_notify::http::router())
        .merge(farmgate_news::http::router())
        .merge(crate::console::router())
        .split_for_parts();
    // The derive's document always serialises; an empty one would fail every OpenAPI test.
    let mut doc = serde_json::to_value(&doc).unwrap_or_default();
    farmgate_infra::http::openapi::complete(&mut doc);
    (routes, doc)
}

/// How `/metrics` is served on the main address.
#[derive(Clone)]
enum MetricsAccess {
    /// To anyone (development and demo).
    Open,
    /// To a caller with `Authorization: Bearer <metrics_token>`.
    Token(std::sync::Arc<str>),
    /// Not at all (production without a token: only the metrics address serves it).
    Off,
}

/// The whole HTTP surface: API, operations endpoints, pages, and the middleware stack.
pub fn router(state: AppState, settings: &Settings) -> Router {
    let (api, openapi) = api();
    let openapi = std::sync::Arc::new(openapi);
    let assets = state.assets.0.clone();
    let pages = ServeDir::new(&assets)
        .append_index_html_on_directories(true)
        .not_found_service(ServeFile::new(assets.join("404.html")));
    let access = match (&settings.metrics_token, settings.production) {
        (Some(token), _) => MetricsAccess::Token(token.trim().into()),
        (None, true) => MetricsAccess::Off,
        (None, false) => MetricsAccess::Open,
    };
    let readiness = Readiness {
        detail: !settings.production,
    };
    // Settings were checked at start, so the proxies parse; a bad value here trusts no proxy.
    let trust = TrustProxy {
        enabled: settings.trust_proxy,
        trusted: settings.trusted_proxies().unwrap_or_default(),
    };

    let mut router = Router::new()
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .route("/healthz", get(healthz))
        .route(
            "/readyz",
            get(
                move |infra: State<Infra>, catalog: State<farmgate_catalog::Catalog>| {
                    readyz(infra, catalog, readiness)
                },
            ),
        );
    if settings.demo_clock {
        // A demo server's time machine for the browser stories; never in production.
        router = router.route(
            "/api/v1/demo/clock",
            axum::routing::post(crate::demo_clock::advance),
        );
    }
    if !matches!(access, MetricsAccess::Off) {
        router = router.route(
            "/metrics",
            get(
                move |metrics: State<Metrics>, headers: axum::http::HeaderMap| {
                    guarded_metrics(metrics, headers, access.clone())
                },
            ),
        );
    }
    let router = router
        .fallback_service(pages)
        .layer(middleware::from_fn_with_state(state.metrics.clone(), track_metrics))
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(header::HeaderName::from_static(REQUEST_ID_HEADER), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &axum::http::Request<_>| {
                            let id = req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
                            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
                        })
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(header::HeaderName::from_static(REQUEST_ID_HEADER)))
                .layer(CatchPanicLayer::new())
                // Compression wraps the error shaping, so it compresses the final body.
                .layer(CompressionLayer::new())
                .layer(middleware::from_fn(error_shape))
                .layer(middleware::from_fn(security_headers))
                .layer(middleware::from_fn(check_request_line))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(settings.request_timeout_secs.max(1)),
                ))
                .layer(axum::Extension(trust)),
        );
    if settings.production {
        router.layer(middleware::from_fn(strict_transport_security))
    } else {
        router
    }
}

/// The router of the separate metrics address (`metrics_addr`): `/metrics` to anyone who can
/// reach that address, which is kept off the public network.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        // `farmgate worker` has no other port: its liveness probe asks here.
        .route("/healthz", get(healthz))
        .with_state(state)
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// How long `/readyz` waits for each backend (all at once): it answers within a second either
/// way, also when a backend hangs.
const READINESS_CHECK_TIMEOUT: Duration = Duration::from_millis(800);

#[derive(Serialize)]
struct Check {
    backend: &'static str,
    ok: bool,
    /// `ok`; `degraded` (down, and the API answers what it can without it); `unavailable`
    /// (the database: nothing works without it).
    status: &'static str,
    /// The cache's circuit breaker: `closed`, `open` or `half_open`.
    #[serde(skip_serializing_if = "Option::is_none")]
    circuit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct ReadinessBody {
    /// `ok`, `degraded` (a backend other than the database is down: still ready) or
    /// `unavailable` (the database is down: not ready).
    status: &'static str,
    database: Check,
    objects: Check,
    cache: Check,
    search: Check,
}

/// Runs one backend's health check within [`READINESS_CHECK_TIMEOUT`].
async fn checked<E: std::fmt::Display>(
    backend: &'static str,
    down_status: &'static str,
    health: impl std::future::Future<Output = Result<(), E>>,
) -> Check {
    let error = match tokio::time::timeout(READINESS_CHECK_TIMEOUT, health).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!(
            "no answer within {} ms",
            READINESS_CHECK_TIMEOUT.as_millis()
        )),
    };
    if let Some(error) = &error {
        tracing::warn!(backend, %error, "readiness check failed");
    }
    Check {
        backend,
        ok: error.is_none(),
        status: if error.is_none() { "ok" } else { down_status },
        circuit: None,
        error,
    }
}

/// Whether `/readyz` says why a backend failed (not in production: backend error text names
/// hosts, users and versions; the log has it).
#[derive(Clone, Copy)]
struct Readiness {
    detail: bool,
}

/// Readiness: the database answers. Only the database decides, so a load balancer never takes
/// every replica out because a cache or the search engine blinked; the other backends are
/// reported `degraded` (and in `farmgate_backend_up`), and the API answers what it can without
/// them (search `503 unavailable`, photos `503 unavailable`, sessions from the database, rate
/// limits counted in process). Answers within a second either way.
async fn readyz(
    State(infra): State<Infra>,
    State(catalog): State<farmgate_catalog::Catalog>,
    readiness: Readiness,
) -> Response {
    let search = catalog.search_index();
    let (database, objects, mut cache, search) = tokio::join!(
        checked(
            db::backend_name(&infra.db),
            "unavailable",
            db::ping(&infra.db, READINESS_CHECK_TIMEOUT)
        ),
        checked(infra.objects.backend(), "degraded", infra.objects.health()),
        checked(infra.cache.backend(), "degraded", infra.cache.health()),
        checked(search.backend(), "degraded", search.health()),
    );
    cache.circuit = infra.cache.circuit().map(|c| c.as_str());
    for (name, check) in [
        ("database", &database),
        ("objects", &objects),
        ("cache", &cache),
        ("search", &search),
    ] {
        infra.metrics.set_backend_up(name, check.ok);
    }
    let (status, word) = if !database.ok {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    } else if objects.ok && cache.ok && search.ok {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::OK, "degraded")
    };
    let mut body = ReadinessBody {
        status: word,
        database,
        objects,
        cache,
        search,
    };
    if !readiness.detail {
        for c in [
            &mut body.database,
            &mut body.objects,
            &mut body.cache,
            &mut body.search,
        ] {
            c.error = None;
        }
    }
    (status, Json(body)).into_response()
}

/// `/metrics` on the main address: as [`MetricsAccess`] says.
async fn guarded_metrics(
    metrics_state: State<Metrics>,
    headers: axum::http::HeaderMap,
    access: MetricsAccess,
) -> Response {
    if let MetricsAccess::Token(token) = &access {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !secrets_match(given.trim().as_bytes(), token.as_bytes()) {
            return ApiError::from(HttpCode::Unauthenticated).into_response();
        }
    }
    metrics(metrics_state).await
}

/// Prometheus text exposition.
async fn metrics(State(metrics): State<Metrics>) -> Response {
    let mut resp = metrics.render().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    resp
}
