//! A local 快递100 (kuaidi100) 快递信息推送服务, speaking its published wire format, for the
//! tracking tests and the browser stories (`farmgate-pay-sim` serves one too):
//!
//! - `POST /poll`, `application/x-www-form-urlencoded`, `schema=json&param={company, number,
//!   key, parameters: {callbackurl, salt, resultv2, phone?}}` → `{result, returnCode,
//!   message}`: `200` taken; `600` a key that is not [`KEY`]; `701` a company it does not
//!   track; `700` a bad number (empty, longer than 32), a callback that is not http(s), no
//!   `salt`, a `resultv2` that is not 0/1/2/4/6, 顺丰 without `phone`, or a number the test
//!   told it to refuse; `501` the same company and number again (still being tracked); a
//!   form without `schema=json` or a `param` that is not JSON → `500`.
//! - [`TrackSim::push`] posts a parcel's whole track (newest line first) to the subscription's
//!   `callbackurl` — its origin replaced by the address the test gives, since the server
//!   announces its public address — as a form with `param` and `sign` = upper-case hex MD5 of
//!   `param + salt`, the way 快递100 does, and returns our answer.
//! - `POST /sim/push` (JSON `{number, state, lines: [{context, area?, status_code?}]}`) does
//!   the same from outside the test process (the browser stories), times taken from now;
//!   `GET /sim/subscriptions` lists what it took (`[{company, number}]`).
//!
//! Its MD5 is the `md-5` crate's, used here directly, not the adapter's `sign`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The enterprise key the simulator accepts.
pub const KEY: &str = "sim-kuaidi100-key-0123456789";

/// The companies it tracks (its own list, not the server's).
const COMPANIES: &[&str] = &[
    "shunfeng",
    "jd",
    "ems",
    "youzhengguonei",
    "zhongtong",
    "yuantong",
    "shentong",
    "yunda",
    "jtexpress",
    "debangkuaidi",
    "huitongkuaidi",
    "zhaijisong",
];

/// A subscription it took.
#[derive(Clone, Debug)]
pub struct Subscribed {
    pub company: String,
    pub number: String,
    pub callbackurl: String,
    pub salt: String,
    pub resultv2: String,
    pub phone: Option<String>,
}

/// One line of a track to push.
#[derive(Clone, Debug)]
pub struct Line {
    /// Beijing time, `yyyy-MM-dd HH:mm:ss`.
    pub time: String,
    pub context: String,
    pub area: Option<String>,
    pub status: Option<String>,
    pub status_code: Option<String>,
}

impl Line {
    /// A line at `at` (UTC), written in Beijing time.
    pub fn at(at: chrono::DateTime<chrono::Utc>, context: &str) -> Self {
        Self {
            time: (at + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            context: context.to_owned(),
            area: None,
            status: None,
            status_code: None,
        }
    }

    pub fn area(mut self, area: &str) -> Self {
        self.area = Some(area.to_owned());
        self
    }

    pub fn state(mut self, status: &str, code: &str) -> Self {
        self.status = Some(status.to_owned());
        self.status_code = Some(code.to_owned());
        self
    }
}

#[derive(Default)]
struct Sim {
    subs: Mutex<Vec<Subscribed>>,
    requests: Mutex<u32>,
    refuse: Mutex<HashSet<String>>,
    down: Mutex<bool>,
    /// Where `/sim/push` delivers (the server's real address).
    deliver_to: Mutex<Option<String>>,
    /// Each number's track so far, newest first (for `/sim/push`).
    tracks: Mutex<HashMap<String, Vec<Line>>>,
}

/// A running simulator.
#[derive(Clone)]
pub struct TrackSim {
    pub base: String,
    state: Arc<Sim>,
}

fn answer(result: bool, code: &str, message: &str) -> (StatusCode, Json<Value>) {
    (
        StatusCode::OK,
        Json(json!({"result": result, "returnCode": code, "message": message})),
    )
}

async fn poll(State(sim): State<Arc<Sim>>, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    *sim.requests.lock().unwrap() += 1;
    if *sim.down.lock().unwrap() {
        return (StatusCode::BAD_GATEWAY, "<html>502 Bad Gateway</html>").into_response();
    }
    let form: HashMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    if form.get("schema").map(String::as_str) != Some("json") {
        return answer(false, "500", "服务器错误").into_response();
    }
    let Some(param) = form
        .get("param")
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
    else {
        return answer(false, "500", "服务器错误").into_response();
    };
    if param["key"].as_str() != Some(KEY) {
        return answer(false, "600", "您不是合法的订阅者").into_response();
    }
    let company = param["company"].as_str().unwrap_or_default();
    if !COMPANIES.contains(&company) {
        return answer(false, "701", "拒绝订阅的快递公司").into_response();
    }
    let number = param["number"].as_str().unwrap_or_default();
    let p = &param["parameters"];
    let callbackurl = p["callbackurl"].as_str().unwrap_or_default();
    let salt = p["salt"].as_str();
    let resultv2 = p["resultv2"].as_str().unwrap_or("0");
    let phone = p["phone"].as_str().filter(|s| !s.is_empty());
    let bad = number.is_empty()
        || number.chars().count() > 32
        || !(callbackurl.starts_with("http://") || callbackurl.starts_with("https://"))
        || salt.is_none()
        || !["0", "1", "2", "4", "6"].contains(&resultv2)
        || (company == "shunfeng" && phone.is_none())
        || sim.refuse.lock().unwrap().contains(number);
    if bad {
        return answer(false, "700", "订阅方的订阅数据存在错误").into_response();
    }
    let mut subs = sim.subs.lock().unwrap();
    if subs
        .iter()
        .any(|s| s.company == company && s.number == number)
    {
        return answer(false, "501", "重复订阅").into_response();
    }
    subs.push(Subscribed {
        company: company.to_owned(),
        number: number.to_owned(),
        callbackurl: callbackurl.to_owned(),
        salt: salt.unwrap_or_default().to_owned(),
        resultv2: resultv2.to_owned(),
        phone: phone.map(str::to_owned),
    });
    answer(true, "200", "提交成功").into_response()
}

#[derive(Deserialize)]
struct SimPush {
    number: String,
    state: String,
    lines: Vec<SimLine>,
}

#[derive(Deserialize)]
struct SimLine {
    context: String,
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    status_code: Option<String>,
}

async fn sim_push(State(sim): State<Arc<Sim>>, Json(p): Json<SimPush>) -> (StatusCode, String) {
    let Some(target) = sim.deliver_to.lock().unwrap().clone() else {
        return (StatusCode::CONFLICT, "no server to deliver to".to_owned());
    };
    let now = chrono::Utc::now();
    let new: Vec<Line> = p
        .lines
        .iter()
        .map(|l| {
            let mut line = Line::at(now, &l.context);
            line.area = l.area.clone();
            line.status_code = l.status_code.clone();
            line
        })
        .collect();
    let track = {
        let mut tracks = sim.tracks.lock().unwrap();
        let t = tracks.entry(p.number.clone()).or_default();
        for l in new.into_iter() {
            t.insert(0, l);
        }
        t.clone()
    };
    let me = TrackSim {
        base: String::new(),
        state: sim.clone(),
    };
    match me.try_push(&target, &p.number, &p.state, &track).await {
        Some((status, body)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            body,
        ),
        None => (StatusCode::NOT_FOUND, "not subscribed".to_owned()),
    }
}

async fn sim_subscriptions(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let subs = sim.subs.lock().unwrap();
    Json(json!(
        subs.iter()
            .map(|s| json!({"company": s.company, "number": s.number}))
            .collect::<Vec<_>>()
    ))
}

/// Upper-case hex MD5.
pub fn md5_upper(text: &str) -> String {
    hex::encode_upper(Md5::digest(text.as_bytes()))
}

impl TrackSim {
    pub async fn start() -> Self {
        let state = Arc::new(Sim::default());
        let router = axum::Router::new()
            .route("/poll", post(poll))
            .route("/sim/push", post(sim_push))
            .route("/sim/subscriptions", axum::routing::get(sim_subscriptions))
            .with_state(state.clone());
        let base = crate::pay_sim::serve(router).await;
        Self { base, state }
    }

    /// The subscription address to configure (`kuaidi100_poll_url`).
    pub fn poll_url(&self) -> String {
        format!("{}/poll", self.base)
    }

    /// Where `POST /sim/push` delivers (a demo server's address).
    pub fn deliver_to(&self, base: &str) {
        *self.state.deliver_to.lock().unwrap() = Some(base.trim_end_matches('/').to_owned());
    }

    /// Subscriptions taken, in order.
    pub fn subscriptions(&self) -> Vec<Subscribed> {
        self.state.subs.lock().unwrap().clone()
    }

    /// Subscription requests received (taken or not).
    pub fn requests(&self) -> u32 {
        *self.state.requests.lock().unwrap()
    }

    /// Refuse subscriptions of this number (`700`).
    pub fn refuse(&self, number: &str) {
        self.state.refuse.lock().unwrap().insert(number.to_owned());
    }

    /// Answer 502 with an HTML page (a gateway in front of it down), or normally again.
    pub fn set_down(&self, down: bool) {
        *self.state.down.lock().unwrap() = down;
    }

    /// The `param` 快递100 would push for a number's track (newest line first).
    pub fn param(&self, company: &str, number: &str, state: &str, lines: &[Line]) -> String {
        let data: Vec<Value> = lines
            .iter()
            .map(|l| {
                let mut v = json!({
                    "time": l.time,
                    "ftime": l.time,
                    "context": l.context,
                });
                if let Some(a) = &l.area {
                    v["areaName"] = json!(a);
                }
                if let Some(s) = &l.status {
                    v["status"] = json!(s);
                }
                if let Some(c) = &l.status_code {
                    v["statusCode"] = json!(c);
                }
                v
            })
            .collect();
        let done = state == "3";
        json!({
            "status": if done { "shutdown" } else { "polling" },
            "billstatus": "got",
            "message": "",
            "autoCheck": "0",
            "comOld": "",
            "comNew": "",
            "lastResult": {
                "message": "ok",
                "state": state,
                "status": "200",
                "condition": "F00",
                "ischeck": if done { "1" } else { "0" },
                "com": company,
                "nu": number,
                "data": data,
            }
        })
        .to_string()
    }

    /// Pushes a subscribed number's track to the server at `target` (its origin), signed with
    /// the subscription's salt; (HTTP status, body) of our answer, `None` when not subscribed.
    pub async fn try_push(
        &self,
        target: &str,
        number: &str,
        state: &str,
        lines: &[Line],
    ) -> Option<(u16, String)> {
        let sub = self
            .state
            .subs
            .lock()
            .unwrap()
            .iter()
            .find(|s| s.number == number)
            .cloned()?;
        let param = self.param(&sub.company, number, state, lines);
        let sign = md5_upper(&format!("{param}{}", sub.salt));
        let url = reqwest::Url::parse(&sub.callbackurl).ok()?;
        let to = format!("{}{}", target.trim_end_matches('/'), url.path());
        let r = reqwest::Client::new()
            .post(to)
            .form(&[("param", param.as_str()), ("sign", sign.as_str())])
            .send()
            .await
            .ok()?;
        let status = r.status().as_u16();
        Some((status, r.text().await.unwrap_or_default()))
    }

    /// As [`TrackSim::try_push`], for a number that must be subscribed.
    pub async fn push(
        &self,
        target: &str,
        number: &str,
        state: &str,
        lines: &[Line],
    ) -> (u16, Value) {
        let (status, body) = self
            .try_push(target, number, state, lines)
            .await
            .expect("the number is subscribed");
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }
}
