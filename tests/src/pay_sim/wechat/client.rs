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
//! - The official account's API for the JS-SDK: `GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`
//!   → `{"access_token","expires_in":7200}` (a wrong appid → 40013, a wrong secret → 40125);
//!   `GET /cgi-bin/ticket/getticket?access_token=…&type=jsapi` → `{"errcode":0,"errmsg":"ok",
//!   "ticket","expires_in"}`, or 40001 for a token it never gave or invalidated
//!   ([`super::WechatSim::invalidate_tokens`]), 42001 for an expired one, 40097 for another
//!   `type`; HTTP 200 either way. Both count their calls.
//! - A stand-in for the WeChat client's `wx.config` check (not a WeChat API):
//!   `POST /sim/client/js-config` with `{"appId","timestamp","nonceStr","signature","url"}`
//!   answers `{"err_msg":"config:ok"}` when the signature is SHA-1 of
//!   `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` under a live ticket it gave, else
//!   `{"err_msg":"config:invalid signature"}` (another appId: `config:invalid appid`).

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
        ("GET", "/cgi-bin/token") => Some(js_token(sim, &query(uri))),
        ("GET", "/cgi-bin/ticket/getticket") => Some(js_ticket(sim, &query(uri))),
        ("OPTIONS", "/sim/client/js-config") => Some(cors(StatusCode::NO_CONTENT.into_response())),
        ("POST", "/sim/client/js-config") => Some(cors(js_config_check(sim, body))),
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

fn wechat_error(code: i64, message: &str) -> Response {
    axum::Json(json!({ "errcode": code, "errmsg": message })).into_response()
}

fn js_token(sim: &Sim, q: &HashMap<String, String>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let mut js = sim.js.lock().unwrap();
    js.token_fetches += 1;
    if get("grant_type") != "client_credential" {
        return wechat_error(40002, "invalid grant_type");
    }
    if get("appid") != APP_ID {
        return wechat_error(40013, "invalid appid");
    }
    if get("secret") != APP_SECRET {
        return wechat_error(40125, "invalid appsecret");
    }
    let token = random_token(64);
    js.tokens.insert(
        token.clone(),
        std::time::Instant::now() + std::time::Duration::from_secs(7200),
    );
    axum::Json(json!({ "access_token": token, "expires_in": 7200 })).into_response()
}

fn js_ticket(sim: &Sim, q: &HashMap<String, String>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let mut js = sim.js.lock().unwrap();
    js.ticket_fetches += 1;
    match js.tokens.get(get("access_token")) {
        None => {
            return wechat_error(
                40001,
                "invalid credential, access_token is invalid or not latest",
            );
        }
        Some(until) if *until <= std::time::Instant::now() => {
            return wechat_error(42001, "access_token expired");
        }
        Some(_) => {}
    }
    if get("type") != "jsapi" {
        return wechat_error(40097, "invalid args");
    }
    let life = js.ticket_life.unwrap_or(7200);
    let ticket = format!("sim_{}", random_token(60));
    let until = std::time::Instant::now()
        + std::time::Duration::from_secs(u64::try_from(life.max(1)).unwrap_or(1));
    js.tickets.push((ticket.clone(), until));
    axum::Json(json!({ "errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": life }))
        .into_response()
}

fn js_config_check(sim: &Arc<Sim>, body: &[u8]) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return axum::Json(json!({ "err_msg": "config:invalid arguments" })).into_response();
    };
    if v["appId"].as_str() != Some(APP_ID) {
        return axum::Json(json!({ "err_msg": "config:invalid appid" })).into_response();
    }
    // wx.config takes the timestamp as a number or a string of digits.
    let timestamp = v["timestamp"]
        .as_i64()
        .or_else(|| v["timestamp"].as_str().and_then(|s| s.parse().ok()));
    let ok = match (
        timestamp,
        v["nonceStr"].as_str(),
        v["signature"].as_str(),
        v["url"].as_str(),
    ) {
        (Some(ts), Some(nonce), Some(signature), Some(url)) => {
            let sim = WechatSim {
                base: String::new(),
                state: sim.clone(),
            };
            sim.js_signature_valid(nonce, ts, url.split('#').next().unwrap_or(""), signature)
        }
        _ => false,
    };
    let answer = if ok {
        "config:ok"
    } else {
        "config:invalid signature"
    };
    axum::Json(json!({ "err_msg": answer })).into_response()
}
