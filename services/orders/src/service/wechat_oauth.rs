//! Learning a buyer's WeChat openid (web authorisation, `snsapi_base`) so they can pay
//! inside WeChat: the pay endpoint answers `wechat_authorization_needed`; the page opens
//! `GET /api/v1/payments/wechat/authorize?order=…`, which sends the browser to WeChat with a
//! `state` signed for this buyer, this order and ten minutes; WeChat sends it back to
//! `GET /api/v1/payments/wechat/oauth?code=…&state=…`; the code is exchanged for the openid
//! at WeChat's API (never in the browser), kept for the account, and the buyer returns to
//! the order to pay. A state signed for someone else, altered or expired is refused, so
//! nobody can attach their openid to another buyer's account.

use crate::Orders;
use crate::error::{Missing, OrdersError, Result};
use crate::store::queries::payments;
use chrono::Duration;
use farmgate_identity::Actor;
use farmgate_kernel::FieldError;
use farmgate_kernel::id::OrderId;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// How long the round trip through WeChat may take.
const STATE_TTL_MINUTES: i64 = 10;

fn bad_state() -> OrdersError {
    OrdersError::field(FieldError::new(
        "state",
        "invalid_state",
        "授权已过期或无效，请重新支付",
        "the authorisation expired or is not yours; start paying again",
    ))
}

impl Orders {
    fn state_mac(&self, account: Uuid, order: Uuid, exp: i64) -> Option<Hmac<Sha256>> {
        let mut m =
            <Hmac<Sha256> as KeyInit>::new_from_slice(self.config().gateway_secret.as_bytes())
                .ok()?;
        m.update(format!("wechat-oauth|{account}|{order}|{exp}").as_bytes());
        Some(m)
    }

    /// Where to send the buyer's browser to learn their openid for paying `order`.
    #[tracing::instrument(skip_all, fields(order.id = %order))]
    pub async fn wechat_authorize_url(&self, actor: &Actor, order: OrderId) -> Result<String> {
        let oauth = self
            .config()
            .wechat_oauth
            .as_ref()
            .ok_or(OrdersError::OnlinePaymentUnavailable)?;
        let record = self.order_for(actor, order).await?;
        if record.order.buyer_account_id != actor.account_id.as_uuid() {
            return Err(OrdersError::Forbidden);
        }
        let account = actor.account_id.as_uuid();
        let exp = (self.now() + Duration::minutes(STATE_TTL_MINUTES)).timestamp();
        let mac = self
            .state_mac(account, order.0, exp)
            .ok_or_else(|| OrdersError::Internal("no state key".into()))?;
        let state = format!(
            "{}.{exp}.{}",
            order.0.simple(),
            hex::encode(mac.finalize().into_bytes())
        );
        Ok(oauth.client.authorize_url(&oauth.redirect_uri, &state))
    }

    /// WeChat sent the buyer back with a code: the openid is asked for and kept. Returns the
    /// order to go back to.
    #[tracing::instrument(skip_all)]
    pub async fn wechat_authorized(
        &self,
        actor: &Actor,
        code: &str,
        state: &str,
    ) -> Result<OrderId> {
        let oauth = self
            .config()
            .wechat_oauth
            .as_ref()
            .ok_or(OrdersError::NotFound(Missing::PaymentProvider))?;
        let account = actor.account_id.as_uuid();
        let mut parts = state.split('.');
        let (Some(order), Some(exp), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad_state());
        };
        let order = Uuid::try_parse(order).map_err(|_| bad_state())?;
        let exp: i64 = exp.parse().map_err(|_| bad_state())?;
        let sig = hex::decode(sig).map_err(|_| bad_state())?;
        let genuine = self
            .state_mac(account, order, exp)
            .is_some_and(|m| m.verify_slice(&sig).is_ok());
        if !genuine || self.now().timestamp() > exp {
            return Err(bad_state());
        }
        let openid = oauth.client.openid(code).await.map_err(|e| {
            if e.is_transient() {
                OrdersError::ProviderUnavailable(e.to_string())
            } else {
                tracing::info!(error = %e, "WeChat refused the authorisation code");
                OrdersError::field(FieldError::new(
                    "code",
                    "invalid_code",
                    "微信授权失败，请重新支付",
                    "WeChat did not accept the authorisation; start paying again",
                ))
            }
        })?;
        payments::save_wechat_openid(
            &self.infra().db,
            account,
            &oauth.app_id,
            &openid,
            self.now(),
        )
        .await?;
        Ok(OrderId(order))
    }
}
