//! Handlers: credit terms (账期, issue #22) — a business buyer's line (granted by the operator
//! or finance), paying an order on credit, monthly statements and finance's bank transfers
//! against them, and finance's receivables.

use super::views::OrderView;
use crate::Orders;
use crate::service::credit::{
    CreditLineView, CreditTerms, Receivables, StatementPaymentRequest, StatementView,
};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::{OrderId, OrgId};
use uuid::Uuid;

/// A business buyer's credit line: its limit and terms, what it owes, what it may still order
/// on credit and what is overdue. Its members, the operator and finance (who also see every
/// change: who set what, when).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/credit", tag = "credit", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The line", body = CreditLineView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`: no line, or not the reader's organisation", body = ErrorBody),
    ))]
pub async fn get_credit_line(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<CreditLineView>> {
    Ok(Json(orders.credit_line(&actor, org).await?))
}

/// Grant a verified business buyer a credit line, or change its limit, terms or status
/// (`suspended` stops new orders on credit; what is owed stays owed): the operator and platform
/// finance. Every change is kept with who made it.
#[utoipa::path(put, path = "/api/v1/orgs/{id}/credit", tag = "credit", params(("id" = Uuid, Path)),
    request_body = CreditTerms,
    responses(
        (status = 200, description = "The line as set", body = CreditLineView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not the operator or finance), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such organisation", body = ErrorBody),
        (status = 409, description = "`not_business_buyer`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *limit_fen* or *terms_days* out of range", body = ErrorBody),
    ))]
pub async fn set_credit_line(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<CreditTerms>,
) -> ApiResult<Json<CreditLineView>> {
    Ok(Json(orders.set_credit_line(&actor, org, &req).await?))
}

/// Pay an order on credit (the buyer who placed it, while an owner, manager or purchaser of
/// its business buyer): the order is paid at once and its total is owed on the buyer's line,
/// billed on the month's statement. An order waiting for approval is approved first.
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay-on-credit", tag = "credit", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Paid on credit", body = OrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not the buyer, or not its owner, manager or purchaser now), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `no_credit_line`, `credit_limit_exceeded`, `credit_overdue`, `already_paid`, `order_closed`, `approval_pending`", body = ErrorBody),
    ))]
pub async fn pay_on_credit(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderId>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.pay_on_credit(&actor, id).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// A business buyer's monthly statements, newest first (without their lines): its members,
/// the operator and finance.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/credit/statements", tag = "credit", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The statements", body = Vec<StatementView>),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`: not the reader's organisation", body = ErrorBody),
    ))]
pub async fn org_statements(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<StatementView>>> {
    Ok(Json(orders.statements(&actor, org).await?))
}

/// One statement with its lines (orders on credit and their refunds) and payments.
#[utoipa::path(get, path = "/api/v1/credit/statements/{id}", tag = "credit", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The statement", body = StatementView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn get_statement(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StatementView>> {
    Ok(Json(orders.statement(&actor, id).await?))
}

/// Record a bank transfer against a statement (platform finance only), in part or in full.
/// The same reference again on the statement is the same payment (answered, not recorded
/// twice). What is paid is owed no more and frees as much credit.
#[utoipa::path(post, path = "/api/v1/credit/statements/{id}/payments", tag = "credit", params(("id" = Uuid, Path)),
    request_body = StatementPaymentRequest,
    responses(
        (status = 200, description = "The statement with the payment", body = StatementView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not finance), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`statement_paid`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *amount_fen* above what is left or below a fen, *reference*", body = ErrorBody),
    ))]
pub async fn record_statement_payment(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<StatementPaymentRequest>,
) -> ApiResult<Json<StatementView>> {
    Ok(Json(
        orders.record_statement_payment(&actor, id, &req).await?,
    ))
}

/// Every credit line with what it owes and what is overdue, and the receivables identity
/// `charged − refunded − paid = outstanding`: the operator and finance.
#[utoipa::path(get, path = "/api/v1/credit/receivables", tag = "credit",
    responses(
        (status = 200, description = "The receivables", body = Receivables),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
    ))]
pub async fn receivables(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Receivables>> {
    Ok(Json(orders.receivables(&actor).await?))
}
