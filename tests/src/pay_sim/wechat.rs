//! A local WeChat Pay API v3 (direct merchant), speaking the published wire format.
//!
//! Every request must carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,
//! signature=…,timestamp=…,serial_no=…`; the simulator rebuilds `METHOD\nPATH?QUERY\nTS\nNONCE\nBODY\n`
//! from the request as it arrived and verifies it with the merchant public key. It refuses,
//! with `{"code","message"}`: a missing or malformed header, another `mchid`, another
//! `serial_no`, a timestamp more than 5 minutes off, or a signature that does not verify →
//! 401 `SIGN_ERROR`; a body that is not the API's JSON → 400 `PARAM_ERROR`; a repeated
//! `out_trade_no` with other contents → 400 `INVALID_REQUEST`; an unknown order →
//! 404 `ORDER_NOT_EXIST`; closing a paid order, refunding an unpaid one or more than was paid →
//! 400 `INVALID_REQUEST`; no bill for the day → 400 `NO_STATEMENT_EXIST`.
//!
//! Every answer (refusals included) is signed with the platform key and names it in
//! `Wechatpay-Serial`, except the bill file, which WeChat does not sign. Notifications
//! ([`WechatSim::pay`], [`WechatSim::settle_refund`], [`WechatSim::notification`]) are signed
//! the same way and their `resource` sealed with AEAD_AES_256_GCM under the APIv3 key.

mod client;
mod server;

use super::{Mode, keys, private_pem, public_pem, random_token, rsa_sign, rsa_verify};
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use farmgate_infra::pay::wechat::WechatConfig;
use serde_json::{Value, json};
use server::{china, handle, signature_headers, transaction_json};
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const MCH_ID: &str = "1900009191";
pub const APP_ID: &str = "wxd678efh567hg6787";
pub const MERCHANT_SERIAL: &str = "3775B6A45ACD588826D15E583A95F5DD00000001";
pub const PLATFORM_KEY_ID: &str = "PUB_KEY_ID_0119000091912026120600000000";
pub const API_V3_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
/// The official account's AppSecret the simulated web authorisation accepts.
pub const APP_SECRET: &str = "sim-app-secret-0123456789abcdef";

/// A trade as the simulator keeps it.
#[derive(Clone, Debug)]
pub struct SimTrade {
    pub out_trade_no: String,
    pub description: String,
    pub total: i64,
    /// `NOTPAY`, `SUCCESS`, `CLOSED`, `REFUND`.
    pub state: String,
    pub transaction_id: Option<String>,
    pub trade_type: &'static str,
    pub success_time: Option<DateTime<Utc>>,
    body: Value,
}

/// A refund as the simulator keeps it.
#[derive(Clone, Debug)]
pub struct SimRefund {
    pub out_refund_no: String,
    pub refund_id: String,
    pub out_trade_no: String,
    pub transaction_id: String,
    pub amount: i64,
    pub total: i64,
    /// `PROCESSING`, then `SUCCESS`, `ABNORMAL` or `CLOSED`.
    pub status: String,
    pub created: DateTime<Utc>,
}

/// A notification as WeChat Pay would POST it.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub event_id: String,
}

/// How a notification is made (defaults: the real platform key, serial, APIv3 key and now).
#[derive(Clone, Debug, Default)]
pub struct NotifyOptions {
    pub serial: Option<String>,
    pub timestamp: Option<i64>,
    pub api_v3_key: Option<String>,
    /// Sign with the stranger's key instead of the platform's.
    pub forged: bool,
    pub event_id: Option<String>,
}

/// A web authorisation code's person, and whether the code was used.
#[derive(Clone)]
struct Grant {
    openid: String,
    unionid: Option<String>,
    snapshot: bool,
    scope: String,
    used: bool,
}

struct Sim {
    mode: Mutex<Mode>,
    trades: Mutex<HashMap<String, SimTrade>>,
    refunds: Mutex<Vec<SimRefund>>,
    bills: Mutex<HashMap<String, Vec<u8>>>,
    requests: Mutex<usize>,
    base: Mutex<String>,
    /// Web authorisation codes given out, each for one person, usable once.
    codes: Mutex<HashMap<String, Grant>>,
    /// The openid this simulated WeChat user has.
    openid: String,
    /// Who is "holding the phone" now, when a test switches people ([`WechatSim::act_as`]).
    person: Mutex<Option<Grant>>,
    /// prepay_id → out_trade_no, for the WeChat client stand-in.
    prepays: Mutex<HashMap<String, String>>,
    /// Where the client stand-in's payment notifications are posted (our webhook).
    deliver_to: Mutex<Option<String>>,
    /// The official account's access tokens and JS-SDK tickets (`client.rs`).
    js: Mutex<JsState>,
}

/// What the simulated official-account API has given out.
#[derive(Default)]
struct JsState {
    /// Live access tokens and when each expires.
    tokens: HashMap<String, std::time::Instant>,
    /// Every JS-SDK ticket given out, with its expiry, newest last.
    tickets: Vec<(String, std::time::Instant)>,
    token_fetches: usize,
    ticket_fetches: usize,
    /// Seconds a new ticket lives (`expires_in`); unset: 7200.
    ticket_life: Option<i64>,
}

/// A running simulator.
#[derive(Clone)]
pub struct WechatSim {
    pub base: String,
    state: Arc<Sim>,
}

impl WechatSim {
    pub async fn start() -> Self {
        let state = Arc::new(Sim {
            mode: Mutex::new(Mode::Normal),
            trades: Mutex::new(HashMap::new()),
            refunds: Mutex::new(Vec::new()),
            bills: Mutex::new(HashMap::new()),
            requests: Mutex::new(0),
            base: Mutex::new(String::new()),
            codes: Mutex::new(HashMap::new()),
            openid: format!("oSim{}", random_token(24)),
            person: Mutex::new(None),
            prepays: Mutex::new(HashMap::new()),
            deliver_to: Mutex::new(None),
            js: Mutex::new(JsState::default()),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        let base = super::serve(router).await;
        *state.base.lock().unwrap() = base.clone();
        Self { base, state }
    }

    /// The adapter's settings for this simulator: the merchant key (keys()[0]) and the
    /// platform public key (keys()[1]) under its id.
    pub fn config(&self) -> WechatConfig {
        WechatConfig {
            mch_id: MCH_ID.into(),
            app_id: APP_ID.into(),
            merchant_key_pem: private_pem(&keys()[0]),
            merchant_serial: MERCHANT_SERIAL.into(),
            api_v3_key: API_V3_KEY.into(),
            platform_public_key_pem: Some(public_pem(&keys()[1])),
            platform_public_key_id: Some(PLATFORM_KEY_ID.into()),
            platform_certificate_pem: None,
            base_url: Some(self.base.clone()),
            notify_url: "https://shop.example/api/v1/payments/webhook/wechat".into(),
            timeout: Duration::from_secs(5),
        }
    }

    /// The openid the simulated web authorisation gives.
    pub fn openid(&self) -> String {
        self.state
            .person
            .lock()
            .unwrap()
            .as_ref()
            .map_or_else(|| self.state.openid.clone(), |p| p.openid.clone())
    }

    /// From now on web authorisation answers for this person (another WeChat user opening
    /// the site), with a unionid when given (told only under `snsapi_userinfo`, as WeChat does).
    pub fn act_as(&self, openid: &str, unionid: Option<&str>) {
        *self.state.person.lock().unwrap() = Some(Grant {
            openid: openid.to_owned(),
            unionid: unionid.map(str::to_owned),
            snapshot: false,
            scope: String::new(),
            used: false,
        });
    }

    /// From now on web authorisation answers for WeChat's snapshot-page virtual user
    /// (`is_snapshotuser: 1`, a made-up openid).
    pub fn act_as_snapshot_user(&self) {
        *self.state.person.lock().unwrap() = Some(Grant {
            openid: format!("oSnap{}", random_token(20)),
            unionid: None,
            snapshot: true,
            scope: String::new(),
            used: false,
        });
    }

    /// The out_trade_no a prepay id was given for.
    pub fn trade_of_prepay(&self, prepay_id: &str) -> Option<String> {
        self.state.prepays.lock().unwrap().get(prepay_id).cloned()
    }

    /// Where the WeChat client stand-in (`POST /sim/client/pay`) posts its notifications.
    pub fn deliver_to(&self, url: &str) {
        *self.state.deliver_to.lock().unwrap() = Some(url.to_owned());
    }

    /// Access tokens fetched (`GET /cgi-bin/token`), refused ones included.
    pub fn token_fetches(&self) -> usize {
        self.state.js.lock().unwrap().token_fetches
    }

    /// JS-SDK tickets asked for (`GET /cgi-bin/ticket/getticket`), refused ones included.
    pub fn ticket_fetches(&self) -> usize {
        self.state.js.lock().unwrap().ticket_fetches
    }

    /// Every access token given so far stops working (another server of the same app took a
    /// new one): a ticket asked for with one is refused with 40001.
    pub fn invalidate_tokens(&self) {
        self.state.js.lock().unwrap().tokens.clear();
    }

    /// New tickets live this many seconds.
    pub fn set_ticket_life(&self, secs: i64) {
        self.state.js.lock().unwrap().ticket_life = Some(secs);
    }

    /// The newest JS-SDK ticket given out.
    pub fn latest_ticket(&self) -> Option<String> {
        self.state
            .js
            .lock()
            .unwrap()
            .tickets
            .last()
            .map(|(t, _)| t.clone())
    }

    /// Whether `signature` is what WeChat's client computes for a `wx.config` with these
    /// values, under a ticket given out and still live: SHA-1 of
    /// `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (computed here, not by the adapter).
    pub fn js_signature_valid(
        &self,
        nonce_str: &str,
        timestamp: i64,
        url: &str,
        signature: &str,
    ) -> bool {
        let now = std::time::Instant::now();
        self.state
            .js
            .lock()
            .unwrap()
            .tickets
            .iter()
            .filter(|(_, until)| *until > now)
            .any(|(ticket, _)| {
                let plain = format!(
                    "jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}"
                );
                hex::encode(Sha1::digest(plain.as_bytes())) == signature
            })
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    /// Requests received (refused ones included).
    pub fn requests(&self) -> usize {
        *self.state.requests.lock().unwrap()
    }

    pub fn trade(&self, out_trade_no: &str) -> Option<SimTrade> {
        self.state.trades.lock().unwrap().get(out_trade_no).cloned()
    }

    pub fn refund(&self, out_refund_no: &str) -> Option<SimRefund> {
        self.state
            .refunds
            .lock()
            .unwrap()
            .iter()
            .find(|r| r.out_refund_no == out_refund_no)
            .cloned()
    }

    /// The buyer pays `payer_total` fen of the trade (the rest a WeChat coupon): the trade
    /// becomes `SUCCESS` and the notification WeChat would send is returned.
    pub fn pay(&self, out_trade_no: &str, payer_total: i64) -> Delivery {
        let resource = {
            let mut trades = self.state.trades.lock().unwrap();
            let trade = trades.get_mut(out_trade_no).expect("a trade to pay");
            trade.state = "SUCCESS".into();
            trade.transaction_id = Some(format!("42000{}", &random_token(23)));
            trade.success_time = Some(Utc::now());
            let mut t = transaction_json(trade);
            t["amount"]["payer_total"] = payer_total.into();
            t
        };
        self.notification("TRANSACTION.SUCCESS", &resource, &NotifyOptions::default())
    }

    /// The refund reaches the buyer (`SUCCESS`) or does not (`ABNORMAL`, `CLOSED`); returns
    /// the `REFUND.*` notification.
    pub fn settle_refund(&self, out_refund_no: &str, status: &str) -> Delivery {
        let refund = {
            let mut refunds = self.state.refunds.lock().unwrap();
            let r = refunds
                .iter_mut()
                .find(|r| r.out_refund_no == out_refund_no)
                .expect("a refund to settle");
            r.status = status.into();
            r.clone()
        };
        let resource = json!({
            "mchid": MCH_ID,
            "out_trade_no": refund.out_trade_no,
            "transaction_id": refund.transaction_id,
            "out_refund_no": refund.out_refund_no,
            "refund_id": refund.refund_id,
            "refund_status": status,
            "success_time": Utc::now().with_timezone(&china()).to_rfc3339(),
            "user_received_account": "支付用户零钱",
            "amount": { "total": refund.total, "refund": refund.amount, "payer_total": refund.total, "payer_refund": refund.amount },
        });
        self.notification(
            &format!("REFUND.{status}"),
            &resource,
            &NotifyOptions::default(),
        )
    }

    /// Any notification: `resource` sealed, the envelope signed.
    pub fn notification(
        &self,
        event_type: &str,
        resource: &Value,
        options: &NotifyOptions,
    ) -> Delivery {
        let original_type = if event_type.starts_with("REFUND") {
            "refund"
        } else {
            "transaction"
        };
        let nonce = random_token(12);
        let key = options.api_v3_key.as_deref().unwrap_or(API_V3_KEY);
        let cipher = Aes256Gcm::new_from_slice(key.as_bytes()).expect("32-byte key");
        let nonce_array: [u8; 12] = nonce.as_bytes().try_into().expect("12 bytes");
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce_array),
                Payload {
                    msg: resource.to_string().as_bytes(),
                    aad: original_type.as_bytes(),
                },
            )
            .expect("seal");
        let event_id = options
            .event_id
            .clone()
            .unwrap_or_else(|| format!("EV-{}", random_token(20)));
        let body = json!({
            "id": event_id,
            "create_time": Utc::now().with_timezone(&china()).to_rfc3339(),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": if original_type == "refund" { "退款结果通知" } else { "支付成功" },
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": B64.encode(sealed),
                "associated_data": original_type,
                "nonce": nonce,
            },
        })
        .to_string()
        .into_bytes();
        let timestamp = options.timestamp.unwrap_or_else(|| Utc::now().timestamp());
        let serial = options.serial.as_deref().unwrap_or(PLATFORM_KEY_ID);
        let signer = if options.forged {
            &keys()[2]
        } else {
            &keys()[1]
        };
        let headers = signature_headers(signer, timestamp, serial, &body);
        Delivery {
            headers,
            body,
            event_id,
        }
    }
}
