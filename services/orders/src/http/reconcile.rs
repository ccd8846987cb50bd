//! Reconciliation (对账) over HTTP, for the operator and platform finance: the daily runs, a
//! run started by hand (a failed day again, or a day before the job existed), and resolving
//! each difference with what was done about it.

use crate::Orders;
use crate::domain::reconcile::{DifferenceKind, RunStatus};
use crate::store::{recon_difference, recon_run};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::{Page, Paged};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One provider's bill of one day compared with the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationRunView {
    pub id: Uuid,
    /// `wechat` or `alipay`.
    pub provider: String,
    /// The bill's day (Asia/Shanghai).
    pub date: NaiveDate,
    pub status: RunStatus,
    /// Payment and refund lines the bill carried.
    pub bill_entries: i64,
    pub matched: i64,
    pub differences: i64,
    /// Why the bill could not be had (a failed run; tried again).
    pub error: Option<String>,
    /// Who started it by hand; `null` for the daily job.
    pub triggered_by: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ReconciliationRunView {
    fn of(r: recon_run::Model) -> Self {
        Self {
            id: r.id,
            provider: r.provider,
            date: r.bill_date,
            status: r.status,
            bill_entries: r.bill_entries,
            matched: r.matched,
            differences: r.differences,
            error: r.error,
            triggered_by: r.triggered_by,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// A bill line and the ledger that disagree.
#[derive(Debug, Serialize, ToSchema)]
pub struct DifferenceView {
    pub id: Uuid,
    pub run_id: Uuid,
    pub provider: String,
    pub date: NaiveDate,
    pub kind: DifferenceKind,
    pub kind_zh: &'static str,
    pub kind_en: &'static str,
    /// Our order number at the provider (the payment intent).
    pub out_trade_no: Option<String>,
    pub out_refund_no: Option<String>,
    pub transaction_id: Option<String>,
    /// Fen, as our ledger has it (`null`: nothing).
    pub ours_fen: Option<i64>,
    /// Fen, as the bill has it (`null`: nothing).
    pub theirs_fen: Option<i64>,
    pub resolved: bool,
    pub resolution: Option<String>,
    /// `null` on a resolved difference: a later day's bill carried it.
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl DifferenceView {
    fn of(d: recon_difference::Model) -> Self {
        Self {
            id: d.id,
            run_id: d.run_id,
            provider: d.provider,
            date: d.bill_date,
            kind: d.kind,
            kind_zh: d.kind.label_zh(),
            kind_en: d.kind.label_en(),
            out_trade_no: d.out_trade_no,
            out_refund_no: d.out_refund_no,
            transaction_id: d.transaction_id,
            ours_fen: d.ours_fen,
            theirs_fen: d.theirs_fen,
            resolved: d.resolved,
            resolution: d.resolution,
            resolved_by: d.resolved_by,
            resolved_at: d.resolved_at,
        }
    }
}

/// A run with its differences.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationRunDetail {
    pub run: ReconciliationRunView,
    pub differences: Vec<DifferenceView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunsQuery {
    /// Only this provider's runs.
    pub provider: Option<String>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DifferencesQuery {
    /// `false` (the default): the open ones.
    pub resolved: Option<bool>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// Reconcile a provider's bill of a day now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconcileRequest {
    /// `wechat` or `alipay`: a provider this server is configured with.
    pub provider: String,
    /// A day that has ended (Asia/Shanghai).
    pub date: NaiveDate,
}

/// Resolve a difference with what was done about it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// 2–500 characters: what was found and done (a refund issued, a notification replayed…).
    pub note: String,
}

/// Reconciliation runs, newest day first (operator, finance).
#[utoipa::path(get, path = "/api/v1/reconciliation/runs", tag = "payments", params(RunsQuery),
    responses(
        (status = 200, description = "A page of runs", body = Paged<ReconciliationRunView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the operator or finance", body = ErrorBody),
    ))]
pub async fn reconciliation_runs(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<RunsQuery>,
) -> ApiResult<Json<Paged<ReconciliationRunView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let (runs, total) = orders
        .reconciliation_runs(&actor, q.provider.as_deref(), page.limit(), page.offset())
        .await?;
    Ok(Json(
        Paged::new(runs, total, page).map(ReconciliationRunView::of),
    ))
}

/// Reconciles a provider's bill of a day now: a day the job could not do (the bill was not
/// ready), or one before reconciliation existed. A day already reconciled is refused: its
/// differences are resolved one by one.
#[utoipa::path(post, path = "/api/v1/reconciliation/runs", tag = "payments", request_body = ReconcileRequest,
    responses(
        (status = 201, description = "The run: `matched`, `differences`, or `failed` with the reason (tried again by the job)", body = ReconciliationRunView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such provider configured", body = ErrorBody),
        (status = 409, description = "Conflict: `no_bill` (offline, sandbox), `already_reconciled`, `concurrent_update` (the day is being reconciled)", body = ErrorBody),
        (status = 422, description = "`validation_failed` (the day has not ended)", body = ErrorBody),
    ))]
pub async fn start_reconciliation(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<ReconcileRequest>,
) -> ApiResult<(StatusCode, Json<ReconciliationRunView>)> {
    let run = orders.reconcile(&actor, &req.provider, req.date).await?;
    Ok((StatusCode::CREATED, Json(ReconciliationRunView::of(run))))
}

/// A run and every difference it found (operator, finance).
#[utoipa::path(get, path = "/api/v1/reconciliation/runs/{id}", tag = "payments", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The run and its differences", body = ReconciliationRunDetail),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn reconciliation_run(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ReconciliationRunDetail>> {
    let (run, diffs) = orders.reconciliation_run(&actor, id).await?;
    Ok(Json(ReconciliationRunDetail {
        run: ReconciliationRunView::of(run),
        differences: diffs.into_iter().map(DifferenceView::of).collect(),
    }))
}

/// Differences across runs, oldest day first: the open ones unless `resolved=true`.
#[utoipa::path(get, path = "/api/v1/reconciliation/differences", tag = "payments", params(DifferencesQuery),
    responses(
        (status = 200, description = "A page of differences", body = Paged<DifferenceView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
    ))]
pub async fn reconciliation_differences(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<DifferencesQuery>,
) -> ApiResult<Json<Paged<DifferenceView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let (diffs, total) = orders
        .reconciliation_differences(
            &actor,
            q.resolved.unwrap_or(false),
            page.limit(),
            page.offset(),
        )
        .await?;
    Ok(Json(Paged::new(diffs, total, page).map(DifferenceView::of)))
}

/// Resolves a difference with a note (once; the ledger is corrected, if at all, through the
/// actions that own it: a refund, a replayed notification).
#[utoipa::path(post, path = "/api/v1/reconciliation/differences/{id}/resolve", tag = "payments",
    params(("id" = Uuid, Path)), request_body = ResolveRequest,
    responses(
        (status = 200, description = "Resolved", body = DifferenceView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `already_resolved`", body = ErrorBody),
        (status = 422, description = "`validation_failed` (the note: 2–500 characters)", body = ErrorBody),
    ))]
pub async fn resolve_difference(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ResolveRequest>,
) -> ApiResult<Json<DifferenceView>> {
    let d = orders.resolve_difference(&actor, id, &req.note).await?;
    Ok(Json(DifferenceView::of(d)))
}
