//! After-sales over HTTP: evidence photos, filing, the buyer's, seller's and operator's lists,
//! answering, accepting, escalating, deciding, the thread and the satisfaction survey.

use crate::Aftersales;
use crate::domain::ClaimStatus;
use crate::metrics::{FlaggedBuyer, GroupBy, QualityReport};
use crate::recall::{NoticeView, RecallReport, RecallRequest};
use crate::service::{Decision, Escalation, FileClaim, NewMessage, Satisfaction, SellerAnswer};
use crate::views::{ClaimView, EvidenceView};
use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use farmgate_catalog::http::read_image_upload;
use farmgate_catalog::images::MAX_UPLOAD_BYTES;
use farmgate_identity::{Actor, AuthUser, Identity};
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

fn view(r: &crate::service::ClaimRecord, actor: &Actor) -> ClaimView {
    let role = crate::service::role_on(actor, &r.claim).unwrap_or(crate::service::Role::Operator);
    ClaimView::of(r, role, actor.account_id.as_uuid())
}

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct EvidenceUpload {
    /// JPEG, PNG or WebP from the phone's camera or album, at most 8 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a photo for a claim or a message (multipart field `file`); send its id with it.
#[utoipa::path(post, path = "/api/v1/claim-evidence", tag = "aftersales",
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = EvidenceView), (status = 413), (status = 415)))]
pub async fn upload_evidence(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<EvidenceView>)> {
    let bytes = read_image_upload(multipart).await?;
    let e = svc.upload_evidence(&actor, bytes).await?;
    Ok((StatusCode::CREATED, Json(EvidenceView::of(&e))))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EvidenceQuery {
    /// The original file as uploaded (operator only).
    pub original: Option<bool>,
}

/// A claim photo, for its uploader and the claim's parties.
#[utoipa::path(get, path = "/api/v1/claim-evidence/{id}", tag = "aftersales", params(("id" = Uuid, Path), EvidenceQuery),
    responses((status = 200, content_type = "image/jpeg"), (status = 404)))]
pub async fn evidence_file(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<EvidenceQuery>,
) -> ApiResult<Response> {
    let (bytes, content_type) = svc
        .evidence_file(&actor, id, q.original.unwrap_or(false))
        .await?;
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(resp)
}

/// File a claim on a received sub-order (the buyer, within the after-sales window). The
/// answer says by when the seller must respond (`respond_by`).
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/claims", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = FileClaim, responses((status = 201, body = ClaimView), (status = 404), (status = 409), (status = 422)))]
pub async fn file_claim(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<FileClaim>,
) -> ApiResult<(StatusCode, Json<ClaimView>)> {
    let r = svc.file(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(view(&r, &actor))))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ClaimsQuery {
    pub status: Option<ClaimStatus>,
    /// One order's claims.
    pub order_id: Option<Uuid>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

impl ClaimsQuery {
    fn page(&self) -> Page {
        Page {
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// The caller's claims, newest first.
#[utoipa::path(get, path = "/api/v1/claims", tag = "aftersales", params(ClaimsQuery),
    responses((status = 200, body = Paged<ClaimView>)))]
pub async fn my_claims(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ClaimsQuery>,
) -> ApiResult<Json<Paged<ClaimView>>> {
    let list = svc.my_claims(&actor, q.order_id, q.page()).await?;
    Ok(Json(list.map(|r| view(&r, &actor))))
}

/// A seller's claims, the nearest deadline first (members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/claims", tag = "aftersales", params(("id" = Uuid, Path), ClaimsQuery),
    responses((status = 200, body = Paged<ClaimView>), (status = 403)))]
pub async fn seller_claims(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<ClaimsQuery>,
) -> ApiResult<Json<Paged<ClaimView>>> {
    let list = svc
        .seller_claims(&actor, org, q.status, q.order_id, q.page())
        .await?;
    Ok(Json(list.map(|r| view(&r, &actor))))
}

/// The operator's queue: claims in arbitration by default, oldest first.
#[utoipa::path(get, path = "/api/v1/ops/claims", tag = "aftersales", params(ClaimsQuery),
    responses((status = 200, body = Paged<ClaimView>), (status = 403)))]
pub async fn ops_claims(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ClaimsQuery>,
) -> ApiResult<Json<Paged<ClaimView>>> {
    let list = svc
        .ops_claims(&actor, q.status, q.order_id, q.page())
        .await?;
    Ok(Json(list.map(|r| view(&r, &actor))))
}

/// One claim, for its buyer, its seller or the operator.
#[utoipa::path(get, path = "/api/v1/claims/{id}", tag = "aftersales", params(("id" = Uuid, Path)),
    responses((status = 200, body = ClaimView), (status = 404)))]
pub async fn get_claim(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ClaimView>> {
    let (r, role) = svc.claim_for(&actor, id).await?;
    Ok(Json(ClaimView::of(&r, role, actor.account_id.as_uuid())))
}

/// The seller answers: `{"decision": "full_refund"}`, `{"decision": "partial_refund", "basis":
/// {"by": "quantity" | "damage_level" | "agreed", ...}}` or `{"decision": "reject", "reason"}`.
#[utoipa::path(post, path = "/api/v1/claims/{id}/respond", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = SellerAnswer, responses((status = 200, body = ClaimView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn respond(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SellerAnswer>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.respond(&actor, id, &req).await?;
    Ok(Json(view(&r, &actor)))
}

/// The buyer accepts the seller's offer (refunded at once) or rejection.
#[utoipa::path(post, path = "/api/v1/claims/{id}/accept", tag = "aftersales", params(("id" = Uuid, Path)),
    responses((status = 200, body = ClaimView), (status = 403), (status = 404), (status = 409)))]
pub async fn accept(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.accept(&actor, id).await?;
    Ok(Json(view(&r, &actor)))
}

/// The buyer asks the platform to step in (平台介入).
#[utoipa::path(post, path = "/api/v1/claims/{id}/escalate", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = Escalation, responses((status = 200, body = ClaimView), (status = 403), (status = 404), (status = 409)))]
pub async fn escalate(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<Escalation>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.escalate(&actor, id, &req).await?;
    Ok(Json(view(&r, &actor)))
}

/// The operator's final decision: amount (0 upholds a rejection), liability shares, reasoning.
#[utoipa::path(post, path = "/api/v1/claims/{id}/decide", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = Decision, responses((status = 200, body = ClaimView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn decide(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<Decision>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.decide(&actor, id, &req).await?;
    Ok(Json(view(&r, &actor)))
}

/// A message on the claim's thread, with photos.
#[utoipa::path(post, path = "/api/v1/claims/{id}/messages", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = NewMessage, responses((status = 201, body = ClaimView), (status = 404), (status = 422)))]
pub async fn post_message(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewMessage>,
) -> ApiResult<(StatusCode, Json<ClaimView>)> {
    let r = svc.post_message(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(view(&r, &actor))))
}

/// The buyer rates the handling (1–5 and a comment), once, after resolution.
#[utoipa::path(post, path = "/api/v1/claims/{id}/satisfaction", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = Satisfaction, responses((status = 200, body = ClaimView), (status = 404), (status = 409), (status = 422)))]
pub async fn rate(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<Satisfaction>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.rate(&actor, id, &req).await?;
    Ok(Json(view(&r, &actor)))
}

// ---------------------------------------------------------------------------------------------
// Recall

/// Recall a batch (召回) in one action: the operator, an after-sales agent, a county official
/// or its seller. Its record and public page show the recall, it never ships again, its listing
/// goes off sale, and every buyer of it gets a notice with a refund offer. Ordering it again
/// returns the same recall.
#[utoipa::path(post, path = "/api/v1/batches/{id}/recall", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = RecallRequest, responses((status = 200, body = RecallReport), (status = 403), (status = 404), (status = 422)))]
pub async fn recall(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RecallRequest>,
) -> ApiResult<Json<RecallReport>> {
    Ok(Json(svc.recall(&actor, id, &req).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// Recall reports (orders, buyers reached, quantities, refunds): the operator and officials see
/// all, a seller its own.
#[utoipa::path(get, path = "/api/v1/recalls", tag = "aftersales", params(PageQuery),
    responses((status = 200, body = Paged<RecallReport>)))]
pub async fn recalls(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<RecallReport>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(svc.recalls(&actor, page).await?))
}

/// The recall notices addressed to the caller, with instructions and the refund offered.
#[utoipa::path(get, path = "/api/v1/me/recall-notices", tag = "aftersales",
    responses((status = 200, body = Vec<NoticeView>)))]
pub async fn my_recall_notices(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<NoticeView>>> {
    Ok(Json(svc.my_recall_notices(&actor).await?))
}

/// Take the refund a recall offered (once; no need to send anything back).
#[utoipa::path(post, path = "/api/v1/recall-notices/{id}/refund", tag = "aftersales", params(("id" = Uuid, Path)),
    responses((status = 200, body = NoticeView), (status = 404)))]
pub async fn take_recall_refund(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<NoticeView>> {
    Ok(Json(svc.take_recall_refund(&actor, id).await?))
}

// ---------------------------------------------------------------------------------------------
// Service quality

#[derive(Debug, Deserialize, IntoParams)]
pub struct QualityQuery {
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: chrono::NaiveDate,
    /// Last day, inclusive (at most 366 days).
    pub to: chrono::NaiveDate,
    pub group_by: GroupBy,
    /// One seller (required for sellers; optional for the operator and officials).
    pub org_id: Option<OrgId>,
}

/// Service quality (claim rate, first-response and resolution times p50/p90, resolution rate,
/// escalations, refunds, satisfaction) by seller, carrier, category or seller kind.
#[utoipa::path(get, path = "/api/v1/aftersales/quality", tag = "aftersales", params(QualityQuery),
    responses((status = 200, body = QualityReport), (status = 403), (status = 422)))]
pub async fn quality(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<QualityQuery>,
) -> ApiResult<Json<QualityReport>> {
    Ok(Json(
        svc.quality(&actor, q.from, q.to, q.group_by, q.org_id)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FlaggedQuery {
    /// Look back this many days (7–365, default 90).
    pub days: Option<i64>,
}

/// Buyers whose claim rate is far above the platform's (flagged for a look, never blocked).
#[utoipa::path(get, path = "/api/v1/ops/flagged-buyers", tag = "aftersales", params(FlaggedQuery),
    responses((status = 200, body = Vec<FlaggedBuyer>), (status = 403)))]
pub async fn flagged_buyers(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<FlaggedQuery>,
) -> ApiResult<Json<Vec<FlaggedBuyer>>> {
    Ok(Json(
        svc.flagged_buyers(&actor, q.days.unwrap_or(90)).await?,
    ))
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Aftersales: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(evidence_file))
        .routes(routes!(file_claim))
        .routes(routes!(my_claims))
        .routes(routes!(seller_claims))
        .routes(routes!(ops_claims))
        .routes(routes!(get_claim))
        .routes(routes!(respond))
        .routes(routes!(accept))
        .routes(routes!(escalate))
        .routes(routes!(decide))
        .routes(routes!(post_message))
        .routes(routes!(rate))
        .routes(routes!(recall))
        .routes(routes!(recalls))
        .routes(routes!(my_recall_notices))
        .routes(routes!(take_recall_refund))
        .routes(routes!(quality))
        .routes(routes!(flagged_buyers))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload_evidence))
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
}
