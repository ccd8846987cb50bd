//! WeChat's web authorisation round trip (see `service::wechat_oauth`): two browser
//! navigations inside WeChat, answered with redirects.

use crate::Orders;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};
use farmgate_kernel::id::OrderId;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeQuery {
    /// The order the buyer is about to pay.
    pub order: OrderId,
}

/// Inside WeChat, before paying: sends the buyer's browser to WeChat's web authorisation
/// (`snsapi_base`, silent), which returns to `GET /api/v1/payments/wechat/oauth` with a code
/// for the buyer's openid. The buyer's own order only.
#[utoipa::path(get, path = "/api/v1/payments/wechat/authorize", tag = "payments", params(AuthorizeQuery),
    responses(
        (status = 303, description = "To WeChat's authorisation page"),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the buyer", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`online_payment_unavailable`: WeChat Pay is not configured", body = ErrorBody),
    ))]
pub async fn wechat_authorize(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AuthorizeQuery>,
) -> ApiResult<Response> {
    let url = orders.wechat_authorize_url(&actor, q.order).await?;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OauthReturn {
    /// WeChat's one-time code.
    #[param(max_length = 128)]
    pub code: String,
    /// What we sent, signed for this buyer and order.
    #[param(max_length = 200)]
    pub state: String,
}

/// Where WeChat's web authorisation returns: the code is exchanged for the buyer's openid at
/// WeChat's API and kept for the account (for JSAPI payments), and the buyer goes back to
/// the order to pay. A state signed for another buyer, altered or expired is refused.
#[utoipa::path(get, path = "/api/v1/payments/wechat/oauth", tag = "payments", params(OauthReturn),
    responses(
        (status = 303, description = "Back to the order page"),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`: WeChat Pay is not configured", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the state or the code refused", body = ErrorBody),
        (status = 503, description = "`payment_provider_unavailable`: WeChat could not be reached", body = ErrorBody),
    ))]
pub async fn wechat_oauth(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<OauthReturn>,
) -> ApiResult<Response> {
    let order = orders.wechat_authorized(&actor, &q.code, &q.state).await?;
    Ok(Redirect::to(&format!("/order.html?id={order}&pay=wechat")).into_response())
}
