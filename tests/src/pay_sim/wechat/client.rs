//! What a browser inside WeChat reaches, beside the merchant API:
//!
//! - WeChat's web authorisation, `snsapi_base` (silent) or `snsapi_userinfo`: `GET /connect/oauth2/authorize?appid=…&redirect_uri=…&response_type=code&scope=…&state=…`
//!   redirects at once (302) to `redirect_uri?code=CODE&state=STATE`; `GET /sns/oauth2/access_token?appid=…&secret=…&code=…&grant_type=authorization_code`
//!   answers `{"access_token","expires_in","refresh_token","openid","scope"}` (plus `unionid`
//!   under `snsapi_userinfo` when the person has one, and `is_snapshotuser: 1` for WeChat's
//!   snapshot-page virtual user) once per code; a used code → `{"errcode":40163,"errmsg":"code
//!   been used"}`, an unknown one → 40029 (a wrong AppSecret: 40125), HTTP 200 either way, as
//!   WeChat does.
//! - A stand-in for the WeChat client's payment sheet (not a WeChat API: what
//!   `WeixinJSBridge.invoke('getBrandWCPayRequest', params)` does on a phone):
//!   `POST /sim/client/pay` with the params as JSON (sent as `text/plain`, so a page on
//!   another origin needs no preflight) — the `package` names the prepay id, the `paySign`
//!   must verify under the merchant key over `appId\ntimeStamp\nnonceStr\npackage\n` — pays
//!   the trade and posts the signed, encrypted `TRANSACTION.SUCCESS` notification to the
//!   address set by [`super::WechatSim::deliver_to`]. Answers
//!   `{"err_msg":"get_brand_wcpay_request:ok"}` (or `:fail`).

use super::{APP_ID, APP_SECRET, Grant, Sim, WechatSim};
use crate::pay_sim::{keys, random_token, rsa_verify};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

fn query(uri: &Uri) -> HashMap<String, String> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn cors(response: Response) -> Response {
    let mut response = response;
    response.headers_mut().insert(
        "access-control-allow-origin",
        axum::http::HeaderValue::from_static("*"),
    );
    response
}

/// The browser-facing routes; `None` for anything else (the merchant API).
pub(super) async fn handle(
    sim: &Arc<Sim>,
    method: &Method,
    uri: &Uri,
    body: &[u8],
) -> Option<Response> {
    match (method.as_str(), uri.path()) {
        ("GET", "/connect/oauth2/authorize") => Some(authorize(sim, &query(uri))),
        ("GET", "/sns/oauth2/access_token") => Some(access_token(sim, &query(uri))),
        ("OPTIONS", "/sim/client/pay") => Some(cors(StatusCode::NO_CONTENT.into_response())),
        ("POST", "/sim/client/pay") => Some(cors(client_pay(sim, body).await)),
        _ => None,
    }
}

fn authorize(sim: &Sim, q: &HashMap<String, String>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    if get("appid") != APP_ID
        || get("response_type") != "code"
        || !matches!(get("scope"), "snsapi_base" | "snsapi_userinfo")
        || !get("redirect_uri").starts_with("http")
    {
        return (StatusCode::BAD_REQUEST, "参数错误").into_response();
    }
    let code = random_token(32);
    let mut grant = sim.person.lock().unwrap().clone().unwrap_or(Grant {
        openid: sim.openid.clone(),
        unionid: None,
        snapshot: false,
        scope: String::new(),
        used: false,
    });
    grant.scope = get("scope").to_owned();
    sim.codes.lock().unwrap().insert(code.clone(), grant);
    let mut target = reqwest::Url::parse(get("redirect_uri")).expect("checked above");
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", get("state"));
    (StatusCode::FOUND, [("location", target.to_string())], "").into_response()
}

fn access_token(sim: &Sim, q: &HashMap<String, String>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let body = if get("appid") != APP_ID || get("secret") != APP_SECRET {
        json!({"errcode": 40125, "errmsg": "invalid appsecret"})
    } else if get("grant_type") != "authorization_code" {
        json!({"errcode": 40002, "errmsg": "invalid grant_type"})
    } else {
        match sim.codes.lock().unwrap().get_mut(get("code")) {
            Some(grant) if grant.used => json!({"errcode": 40163, "errmsg": "code been used"}),
            Some(grant) => {
                grant.used = true;
                let mut answer = json!({
                    "access_token": random_token(40),
                    "expires_in": 7200,
                    "refresh_token": random_token(40),
                    "openid": grant.openid,
                    "scope": grant.scope,
                });
                if grant.scope == "snsapi_userinfo"
                    && let Some(u) = &grant.unionid
                {
                    answer["unionid"] = json!(u);
                }
                if grant.snapshot {
                    answer["is_snapshotuser"] = json!(1);
                }
                answer
            }
            None => json!({"errcode": 40029, "errmsg": "invalid code"}),
        }
    };
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn client_pay(sim: &Arc<Sim>, body: &[u8]) -> Response {
    let fail = |why: &str| {
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            json!({"err_msg": "get_brand_wcpay_request:fail", "why": why}).to_string(),
        )
            .into_response()
    };
    let Ok(params) = serde_json::from_slice::<Value>(body) else {
        return fail("not JSON");
    };
    let text = |k: &str| params[k].as_str().unwrap_or("").to_owned();
    let message = format!(
        "{}\n{}\n{}\n{}\n",
        text("appId"),
        text("timeStamp"),
        text("nonceStr"),
        text("package")
    );
    if text("appId") != APP_ID
        || text("signType") != "RSA"
        || !rsa_verify(
            &keys()[0].to_public_key(),
            message.as_bytes(),
            &text("paySign"),
        )
    {
        return fail("paySign does not verify");
    }
    let prepay_id = text("package")
        .strip_prefix("prepay_id=")
        .unwrap_or("")
        .to_owned();
    let Some(out_trade_no) = sim.prepays.lock().unwrap().get(&prepay_id).cloned() else {
        return fail("unknown prepay_id");
    };
    let handle = WechatSim {
        base: sim.base.lock().unwrap().clone(),
        state: sim.clone(),
    };
    let total = handle.trade(&out_trade_no).map(|t| t.total).unwrap_or(0);
    let delivery = handle.pay(&out_trade_no, total);
    let target = sim.deliver_to.lock().unwrap().clone();
    if let Some(url) = target {
        // WeChat notifies from its servers, not the phone: posted here, the answer kept
        // out of the buyer's way (WeChat retries a refusal later).
        let client = reqwest::Client::new();
        match client
            .post(&url)
            .headers(delivery.headers.clone())
            .header("content-type", "application/json")
            .body(delivery.body.clone())
            .send()
            .await
        {
            Ok(r) => eprintln!(
                "wechat sim: notification for {out_trade_no} answered {}",
                r.status()
            ),
            Err(e) => eprintln!("wechat sim: notification for {out_trade_no} not delivered: {e}"),
        }
    }
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        json!({"err_msg": "get_brand_wcpay_request:ok"}).to_string(),
    )
        .into_response()
}
