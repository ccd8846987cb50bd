//! A local WeChat subscription-message API (the mini program's `cgi-bin`), speaking the
//! published wire format, for the notification channel's tests:
//!
//! - `POST /cgi-bin/stable_token` (`{"grant_type":"client_credential","appid","secret",
//!   "force_refresh"?}`) and `GET /cgi-bin/token?grant_type=client_credential&appid=&secret=`
//!   → `{"access_token","expires_in":7200}`; another appid → `40013`, another secret →
//!   `40125`, another grant type → `40002`, a body that is not that JSON → `47001`;
//! - `POST /cgi-bin/message/subscribe/send?access_token=` → `{"errcode":0,"errmsg":"ok",
//!   "msgid"}`; no token → `41001`; a token it never issued → `40001`; one it expired
//!   ([`WechatMsgSim::expire_tokens`]) → `42001`; a body that is not JSON → `47001`; no or
//!   an unknown `touser` → `40003`; an unknown `template_id` → `40037`; a person who did not
//!   subscribe to the template (or used the subscription up: one message per subscription) →
//!   `43101`; `data` without exactly the template's keys, each `{"value": non-empty string}`
//!   within the field type's length (`thing` 20, `character_string` 32, `phrase` 5 …), or a bad
//!   `miniprogram_state` / `lang` → `47003`.
//!
//! It accepts nothing it was not set up for: templates and subscriptions are declared by the
//! test ([`WechatMsgSim::template`], [`WechatMsgSim::subscribe`]).

use axum::Json;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub const APP_ID: &str = "wxsimminiprogram01";
pub const APP_SECRET: &str = "sim-mini-program-secret-0123456789";

/// A message the simulator accepted.
#[derive(Clone, Debug)]
pub struct SentMessage {
    pub touser: String,
    pub template_id: String,
    pub page: Option<String>,
    pub data: Value,
}

#[derive(Default)]
struct Sim {
    /// Issued tokens → still valid.
    tokens: Mutex<HashMap<String, bool>>,
    token_requests: Mutex<u32>,
    templates: Mutex<HashMap<String, Vec<String>>>,
    /// (openid, template) → subscriptions left.
    subscriptions: Mutex<HashMap<(String, String), u32>>,
    known: Mutex<HashSet<String>>,
    sent: Mutex<Vec<SentMessage>>,
}

/// A running simulator.
#[derive(Clone)]
pub struct WechatMsgSim {
    pub base: String,
    state: Arc<Sim>,
}

fn err(code: i64, msg: &str) -> Json<Value> {
    Json(json!({ "errcode": code, "errmsg": msg }))
}

fn limit_for(key: &str) -> Option<usize> {
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    match kind {
        "thing" => Some(20),
        "name" => Some(10),
        "phrase" | "symbol" => Some(5),
        "character_string" | "number" | "letter" | "amount" => Some(32),
        "time" | "date" | "phone_number" | "car_number" => Some(64),
        _ => None,
    }
}

fn issue(sim: &Sim, appid: Option<&str>, secret: Option<&str>, grant: Option<&str>) -> Json<Value> {
    if grant != Some("client_credential") {
        return err(40002, "invalid grant_type");
    }
    if appid != Some(APP_ID) {
        return err(40013, "invalid appid");
    }
    if secret != Some(APP_SECRET) {
        return err(40125, "invalid appsecret");
    }
    *sim.token_requests.lock().unwrap() += 1;
    let token = format!("SIMTOKEN{}", crate::pay_sim::random_token(40));
    sim.tokens.lock().unwrap().insert(token.clone(), true);
    Json(json!({ "access_token": token, "expires_in": 7200 }))
}

async fn stable_token(State(sim): State<Arc<Sim>>, body: String) -> Json<Value> {
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return err(47001, "data format error");
    };
    issue(
        &sim,
        v["appid"].as_str(),
        v["secret"].as_str(),
        v["grant_type"].as_str(),
    )
}

async fn token(
    State(sim): State<Arc<Sim>>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Value> {
    issue(
        &sim,
        q.get("appid").map(String::as_str),
        q.get("secret").map(String::as_str),
        q.get("grant_type").map(String::as_str),
    )
}

async fn send(
    State(sim): State<Arc<Sim>>,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> Json<Value> {
    let Some(token) = q.get("access_token") else {
        return err(41001, "access_token missing");
    };
    match sim.tokens.lock().unwrap().get(token) {
        None => {
            return err(
                40001,
                "invalid credential, access_token is invalid or not latest",
            );
        }
        Some(false) => return err(42001, "access_token expired"),
        Some(true) => {}
    }
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return err(47001, "data format error");
    };
    let Some(touser) = v["touser"].as_str().filter(|s| !s.is_empty()) else {
        return err(40003, "invalid openid");
    };
    if !sim.known.lock().unwrap().contains(touser) {
        return err(40003, "invalid openid");
    }
    let Some(template_id) = v["template_id"].as_str() else {
        return err(40037, "invalid template_id");
    };
    let Some(keys) = sim.templates.lock().unwrap().get(template_id).cloned() else {
        return err(40037, "invalid template_id");
    };
    if let Some(state) = v.get("miniprogram_state")
        && !matches!(state.as_str(), Some("developer" | "trial" | "formal"))
    {
        return err(47003, "argument invalid! miniprogram_state");
    }
    if let Some(lang) = v.get("lang")
        && !matches!(lang.as_str(), Some("zh_CN" | "en_US" | "zh_HK" | "zh_TW"))
    {
        return err(47003, "argument invalid! lang");
    }
    if let Some(page) = v.get("page")
        && !page
            .as_str()
            .is_some_and(|p| !p.is_empty() && p.len() <= 1024)
    {
        return err(47003, "argument invalid! page");
    }
    let Some(data) = v["data"].as_object() else {
        return err(47003, "argument invalid! data is empty");
    };
    let mut given: Vec<&String> = data.keys().collect();
    given.sort();
    let mut wanted: Vec<&String> = keys.iter().collect();
    wanted.sort();
    if given != wanted {
        return err(
            47003,
            "argument invalid! data keys do not match the template",
        );
    }
    for (key, field) in data {
        let Some(value) = field.get("value").and_then(Value::as_str) else {
            return err(
                47003,
                &format!("argument invalid! data.{key}.value is empty"),
            );
        };
        let Some(max) = limit_for(key) else {
            return err(
                47003,
                &format!("argument invalid! data.{key} has an unknown type"),
            );
        };
        if value.trim().is_empty() || value.chars().count() > max {
            return err(47003, &format!("argument invalid! data.{key}.value"));
        }
    }
    {
        let mut subs = sim.subscriptions.lock().unwrap();
        let left = subs
            .entry((touser.to_owned(), template_id.to_owned()))
            .or_insert(0);
        if *left == 0 {
            return err(43101, "user refuse to accept the msg");
        }
        *left -= 1;
    }
    let mut sent = sim.sent.lock().unwrap();
    sent.push(SentMessage {
        touser: touser.to_owned(),
        template_id: template_id.to_owned(),
        page: v["page"].as_str().map(str::to_owned),
        data: v["data"].clone(),
    });
    Json(json!({ "errcode": 0, "errmsg": "ok", "msgid": 3_000_000 + sent.len() }))
}

impl WechatMsgSim {
    pub async fn start() -> Self {
        let state = Arc::new(Sim::default());
        let router = axum::Router::new()
            .route("/cgi-bin/stable_token", post(stable_token))
            .route("/cgi-bin/token", get(token))
            .route("/cgi-bin/message/subscribe/send", post(send))
            .with_state(state.clone());
        let base = crate::pay_sim::serve(router).await;
        Self { base, state }
    }

    /// Declares a subscription template with its field keys (`thing1`, `character_string2` …).
    pub fn template(&self, id: &str, keys: &[&str]) {
        self.state.templates.lock().unwrap().insert(
            id.to_owned(),
            keys.iter().map(|k| (*k).to_owned()).collect(),
        );
    }

    /// A person (openid) known to the app who subscribed `times` messages of `template`.
    pub fn subscribe(&self, openid: &str, template: &str, times: u32) {
        self.state.known.lock().unwrap().insert(openid.to_owned());
        *self
            .state
            .subscriptions
            .lock()
            .unwrap()
            .entry((openid.to_owned(), template.to_owned()))
            .or_insert(0) += times;
    }

    /// A person known to the app who never subscribed (or refused).
    pub fn known(&self, openid: &str) {
        self.state.known.lock().unwrap().insert(openid.to_owned());
    }

    /// Every token issued so far stops working (`42001`), as when another client refreshed it.
    pub fn expire_tokens(&self) {
        for valid in self.state.tokens.lock().unwrap().values_mut() {
            *valid = false;
        }
    }

    /// How many tokens were issued.
    pub fn token_requests(&self) -> u32 {
        *self.state.token_requests.lock().unwrap()
    }

    /// The messages accepted, in order.
    pub fn sent(&self) -> Vec<SentMessage> {
        self.state.sent.lock().unwrap().clone()
    }
}
