//! Paying and refunding: the buyer pays, an offline payment is confirmed, the sandbox
//! gateway's page, gateway notifications, refunds.

use super::header;
use super::views::OrderView;
use crate::Orders;
use crate::domain::{OfflineChannel, PaymentIntentId};
use crate::payment::Outcome;
use crate::service::{
    IntentView, Payer, PaymentMethodOffer, RefundRequest, SandboxIntentView, WebhookAck,
};
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::layers::ForeignProtocol;
use farmgate_infra::http::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, ClientIp};
use farmgate_kernel::id::{OrderId, SubOrderId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What checkout accepts: exactly the providers configured. A page offers these and no
/// others, and marks a `simulated` one as 模拟支付.
#[utoipa::path(get, path = "/api/v1/payments/methods", tag = "payments",
    responses(
        (status = 200, description = "The ways to pay, in the order to offer them", body = PaymentMethodsView),
    ))]
pub async fn payment_methods(State(orders): State<Orders>) -> Json<PaymentMethodsView> {
    Json(PaymentMethodsView {
        methods: orders.payment_methods(),
    })
}

/// The ways to pay checkout accepts now.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentMethodsView {
    pub methods: Vec<PaymentMethodOffer>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PayQuery {
    /// The gateway to pay an online order with (`wechat`, `alipay`, `sandbox`: one that
    /// `GET /api/v1/payments/methods` offers). Unset: WeChat Pay inside WeChat's browser,
    /// otherwise the first offered.
    #[param(max_length = 16, pattern = "^[a-z]{1,16}$")]
    pub provider: Option<String>,
}

/// Who pays, as the request shows it: the gateway asked for, the client address, the browser.
fn payer_of(q: PayQuery, ip: Option<std::net::IpAddr>, headers: &HeaderMap) -> Payer {
    Payer {
        provider: q.provider,
        client_ip: ip,
        user_agent: header(headers, "user-agent").map(str::to_owned),
    }
}

/// Pay an unpaid order (the buyer). Online, the answer's `pay_url` is the gateway's cashier
/// (Alipay's phone or computer cashier by the browser, WeChat Pay's H5 page in a phone
/// browser, the sandbox page), or inside WeChat its `client_params` go to
/// `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`; offline, `instructions_zh`/
/// `instructions_en` say where to transfer. The provider learns what it needs of the request:
/// the client address (as the server's trusted proxies forwarded it), phone or computer and
/// WeChat's browser from the `User-Agent`, and inside WeChat the buyer's openid (409
/// `wechat_authorization_needed` until `GET /api/v1/payments/wechat/authorize` has run).
/// Calling it again while the order is unpaid returns the same pending payment, so a retry
/// never charges twice (`Idempotency-Key` is accepted for clients that always send one).
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay", tag = "payments", params(("id" = Uuid, Path),
    ("Idempotency-Key" = Option<String>, Header), PayQuery),
    responses(
        (status = 200, description = "How to pay", body = IntentView),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `already_paid`, `order_closed`, `online_payment_unavailable`, `wechat_authorization_needed`, `approval_pending`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the provider is not offered", body = ErrorBody),
        (status = 503, description = "`payment_provider_unavailable`: the gateway could not be reached; the order stays payable", body = ErrorBody),
    ))]
pub async fn pay(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderId>,
    ApiQuery(q): ApiQuery<PayQuery>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> ApiResult<Json<IntentView>> {
    let payer = payer_of(q, ip, &headers);
    Ok(Json(orders.pay(&actor, id, &payer).await?))
}

/// Pay a catch-weight extra charge (补差价: a line weighed above its tolerance), its buyer only,
/// while it is `requested` and before its `answer_by`. Paying is the buyer's consent: the
/// answer is an intent for exactly the charge (not the order's total), through a gateway
/// (`?provider=` as for an order; always online, also on an order paid by bank transfer), and
/// the gateway's notification (or the query job) settles it once. Again while unpaid: the
/// same pending intent.
#[utoipa::path(post, path = "/api/v1/extra-charges/{id}/pay", tag = "payments", params(("id" = Uuid, Path), PayQuery),
    responses(
        (status = 200, description = "How to pay the extra", body = IntentView),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such charge, or another buyer's", body = ErrorBody),
        (status = 409, description = "Conflict: `extra_charge_paid`, `extra_charge_closed` (declined, lapsed, or past its *answer_by*), `online_payment_unavailable`, `wechat_authorization_needed`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the provider is not offered", body = ErrorBody),
        (status = 503, description = "`payment_provider_unavailable`: the gateway could not be reached; the charge stays payable", body = ErrorBody),
    ))]
pub async fn pay_extra(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<uuid::Uuid>,
    ApiQuery(q): ApiQuery<PayQuery>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> ApiResult<Json<IntentView>> {
    let payer = payer_of(q, ip, &headers);
    Ok(Json(orders.pay_extra(&actor, id, &payer).await?))
}

/// Decline a catch-weight extra charge (its buyer): nothing is charged and the part ships as
/// it is. A payment started for it is asked about at its gateway first (paid there: 409
/// `extra_charge_paid`) and otherwise closed. Declining again returns the order as it is.
#[utoipa::path(post, path = "/api/v1/extra-charges/{id}/decline", tag = "payments", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Declined", body = OrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such charge, or another buyer's", body = ErrorBody),
        (status = 409, description = "Conflict: `extra_charge_paid`, `extra_charge_closed` (lapsed, or past its *answer_by*)", body = ErrorBody),
        (status = 503, description = "`payment_provider_unavailable`: a payment started for it could not be asked about", body = ErrorBody),
    ))]
pub async fn decline_extra(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<uuid::Uuid>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.decline_extra(&actor, id).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfflinePayment {
    /// The bank transfer's serial number, or the receipt number for cash.
    pub reference: String,
    /// How the money came; unset: a bank transfer. The ledger records it.
    #[serde(default)]
    pub channel: Option<OfflineChannel>,
}

/// Confirm a bank transfer or cash payment with the bank's reference (platform finance only:
/// never a seller, who is owed the money, nor the operator). Only orders the buyer chose to
/// pay offline. The ledger records the channel (`bank_transfer`, `cash_on_delivery`) with the
/// reference; finance and the operator see both on the order. Confirming a paid order again
/// changes nothing (200).
#[utoipa::path(post, path = "/api/v1/orders/{id}/offline-payment", tag = "orders", params(("id" = Uuid, Path)),
    request_body = OfflinePayment,
    responses(
        (status = 200, description = "Paid", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `not_offline`, `order_closed`, `approval_pending`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn confirm_offline_payment(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(req): ApiJson<OfflinePayment>,
) -> ApiResult<Json<OrderView>> {
    let (record, _) = orders
        .confirm_offline_payment(
            &actor,
            id,
            &req.reference,
            req.channel.unwrap_or(OfflineChannel::BankTransfer),
        )
        .await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// The sandbox gateway's page: what the buyer is about to pay.
#[utoipa::path(get, path = "/api/v1/payments/sandbox/{id}", tag = "payments", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The payment", body = SandboxIntentView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn sandbox_intent(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<PaymentIntentId>,
) -> ApiResult<Json<SandboxIntentView>> {
    Ok(Json(orders.sandbox_intent(&actor, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SandboxComplete {
    pub outcome: Outcome,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SandboxResult {
    /// What the webhook handler made of the gateway's signed notification.
    pub status: crate::domain::WebhookResult,
    /// Where the gateway sends the buyer back to.
    pub return_url: String,
}

/// Finish on the sandbox gateway's page: the gateway signs a notification and posts it to
/// the webhook handler, as a real gateway would.
#[utoipa::path(post, path = "/api/v1/payments/sandbox/{id}/complete", tag = "payments", params(("id" = Uuid, Path)),
    request_body = SandboxComplete,
    responses(
        (status = 200, description = "What the gateway's notification did", body = SandboxResult),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `intent_closed`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn sandbox_complete(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<PaymentIntentId>,
    ApiJson(req): ApiJson<SandboxComplete>,
) -> ApiResult<Json<SandboxResult>> {
    let (ack, order_id, extra) = orders.sandbox_complete(&actor, id, req.outcome).await?;
    // Back from paying an extra charge (补差价), the order page says so rather than "paid".
    let return_url = match extra {
        Some(_) => format!("/order.html?id={order_id}&extra=1"),
        None => format!("/order.html?id={order_id}"),
    };
    Ok(Json(SandboxResult {
        status: ack.result,
        return_url,
    }))
}

/// A payment gateway's notification. The sandbox signs with the header `Farmgate-Signature:
/// t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`; refused when the signature is wrong (400
/// `bad_signature`), older than five minutes (400 `stale_notification`) or the amount differs;
/// an event id seen before is acknowledged without effect when it says the same, and refused
/// (409 `notification_mismatch`) when it says something else. WeChat Pay (`wechat`: its
/// `Wechatpay-*` headers, encrypted JSON) and Alipay (`alipay`: signed form parameters) are
/// checked by their own protocols and answered with their own acknowledgements instead
/// (`{"code":"SUCCESS"}` / a 4xx-5xx; `success` / `fail`). A notification they refuse is
/// answered as the sender's fault — WeChat Pay: 401 when it does not verify, 400 when it
/// cannot be read or applied; Alipay: 400 `fail` — and only our own failure is a 5xx.
#[utoipa::path(post, path = "/api/v1/payments/webhook/{provider}", tag = "payments", params(("provider" = inline(NotifyingProvider), Path)),
    request_body(description = "The sandbox's and WeChat Pay's JSON, or Alipay's form", content(
        (crate::payment::WebhookEvent = "application/json"),
        (String = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Handled (or a duplicate, acknowledged without effect): our JSON (the sandbox), WeChat Pay's `{\"code\":\"SUCCESS\"}` or Alipay's `success`", content(
            (WebhookReply = "application/json"),
            (String = "text/plain"))),
        (status = 400, description = "Refused: `bad_signature`, `stale_notification`, `malformed_notification`, `amount_mismatch` (the sandbox); WeChat Pay's {\"code\":\"FAIL\"} (unreadable or not applicable) and Alipay's \"fail\" are the provider's own words", content(
            (WebhookRefusal = "application/json"),
            (String = "text/plain"))),
        (status = 401, description = "WeChat Pay's {\"code\":\"FAIL\"}, the provider's own words: the notification does not verify", body = ProviderJsonAck),
        (status = 404, description = "`not_found`: no such provider or payment", body = ErrorBody),
        (status = 409, description = "Conflict: `notification_mismatch` (the event id came before with other content)", body = ErrorBody),
    ))]
pub async fn webhook(
    State(orders): State<Orders>,
    ApiPath(provider): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = orders.handle_webhook(&provider, &headers, &body).await;
    // WeChat Pay and Alipay read their own acknowledgement, not ours.
    let own = orders.provider_named(&provider).and_then(|p| {
        p.acknowledge(match &result {
            Ok(_) => Ok(()),
            Err(e) => Err(e.refusal()),
        })
    });
    match (own, result) {
        (Some(ack), result) => {
            if let Err(e) = &result {
                tracing::info!(provider = %provider, error = %e, "payment notification not accepted");
            }
            let status =
                StatusCode::from_u16(ack.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            // The provider reads its own words: kept out of our error shape.
            (
                status,
                [(CONTENT_TYPE, ack.content_type)],
                Extension(ForeignProtocol),
                ack.body,
            )
                .into_response()
        }
        (None, Ok(ack)) => Json(ack).into_response(),
        (None, Err(e)) => ApiError::from(e).into_response(),
    }
}

/// The providers that notify (a provider that is not configured answers 404 `not_found`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifyingProvider {
    Sandbox,
    Wechat,
    Alipay,
}

/// WeChat Pay's acknowledgement of its notification (`{"code":"SUCCESS","message":"成功"}`,
/// or `FAIL`), as the provider reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderJsonAck {
    pub code: String,
    pub message: String,
}

/// A handled notification: our JSON (the sandbox), or WeChat Pay's acknowledgement.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum WebhookReply {
    Ours(WebhookAck),
    Provider(ProviderJsonAck),
}

/// A refused notification: our error (the sandbox), or WeChat Pay's `FAIL`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum WebhookRefusal {
    Ours(ErrorBody),
    Provider(ProviderJsonAck),
}

/// Refund part or all of a sub-order (operator or after-sales agent). Needs an
/// `Idempotency-Key`: the same key again returns the refund made the first time. The money
/// goes back through the order's payment provider.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/refunds", tag = "payments", params(("id" = Uuid, Path),
    ("Idempotency-Key" = String, Header)), request_body = RefundRequest,
    responses(
        (status = 200, description = "Refunded", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `idempotency_key_reused`, `not_paid`, `refund_exceeds_paid`, `concurrent_update`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn refund(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RefundRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders
        .refund_by_operator(&actor, id, &req, header(&headers, "idempotency-key"))
        .await?;
    Ok(Json(OrderView::of(&record, &actor)))
}
