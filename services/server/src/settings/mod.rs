//! Typed settings: environment variables (`FARMGATE_*`) over an optional TOML file over the
//! embedded defaults. No setting at all means a laptop-ready marketplace under `./data`.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod checks;
mod debug;
#[cfg(test)]
mod tests;

pub use checks::Refusal;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

/// Where text messages (phone codes) go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsProvider {
    /// Stored in the database for the operator to read; nothing is sent.
    #[default]
    Outbox,
    /// Alibaba Cloud SMS.
    Aliyun,
    /// Tencent Cloud SMS.
    Tencent,
}

/// Every setting, flat, named as its environment variable without the `FARMGATE_` prefix.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// This deployment serves the public: Secure cookies, HSTS, `/metrics` and `/readyz` detail
    /// kept from strangers, and the server refuses to start with any unsafe setting
    /// ([`Settings::production_refusals`]).
    pub production: bool,
    /// Where `serve` listens.
    pub addr: String,
    /// A second listen address serving only `/metrics` (keep it off the public network);
    /// unset means no separate listener.
    pub metrics_addr: Option<String>,
    /// A bearer token `/metrics` on the main address requires (at least 32 characters). In
    /// production without it, `/metrics` is not served on the main address at all.
    pub metrics_token: Option<String>,
    /// Where embedded backends keep their files (SQLite, objects, search index).
    pub data_dir: PathBuf,
    /// `postgres://...`; unset means the SQLite file `data_dir/farmgate.db`.
    pub database_url: Option<String>,
    /// A read replica for statistics queries; unset means the primary.
    pub database_replica_url: Option<String>,
    pub database_max_connections: u32,
    /// PostgreSQL: longest a request waits for a pooled connection (connecting included)
    /// before it is answered `503 unavailable` with `Retry-After` — what a database that is
    /// down, hung or out of connections costs a request. (SQLite waits for its write lock
    /// instead; a local file cannot be out of reach.)
    pub database_acquire_timeout_ms: u64,
    /// Run pending migrations when `serve` starts (turn off when a deploy job migrates).
    pub migrate_on_start: bool,
    /// `serve` runs the outbox worker in its own process (embedded mode needs it there: the
    /// search index lives in that process). Off on server replicas when `farmgate worker`
    /// processes deliver the outbox.
    pub run_worker: bool,
    /// `redis://...`; unset means the in-process cache (one replica only).
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so deployments (or test runs) can share one Redis.
    pub redis_prefix: String,
    /// Longest wait for a Redis answer (and for connecting). Redis answers in about a
    /// millisecond; this only cuts off one that hangs.
    pub redis_timeout_ms: u64,
    /// Redis failures in a row (timeouts, refused connections) that open its circuit breaker:
    /// then no call goes to Redis until a probe succeeds.
    pub redis_breaker_failures: u32,
    /// How long Redis's circuit stays open before one probe call is let through.
    pub redis_breaker_open_secs: u64,
    /// S3-compatible storage is used when a bucket is set; otherwise `data_dir/objects`.
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_bucket: Option<String>,
    pub s3_access_key: Option<String>,
    pub s3_secret_key: Option<String>,
    pub s3_path_style: bool,
    /// Meilisearch (catalogue search); unset means the embedded index.
    pub meili_url: Option<String>,
    pub meili_key: Option<String>,
    /// Prefix of our Meilisearch index names (several deployments can share one server).
    pub meili_index_prefix: String,
    /// The address people reach us at, for links printed on labels and QR codes.
    pub public_url: Option<String>,
    /// The browser pages; unset means `./frontend-assets` or the copy beside the source.
    pub assets_dir: Option<PathBuf>,
    /// Mark the session cookie `Secure` (set behind HTTPS).
    pub cookie_secure: bool,
    /// Believe `X-Forwarded-For` (only behind our own load balancer), read from the right.
    pub trust_proxy: bool,
    /// With `trust_proxy`: our proxies in front of the one that connects to us, whose entries
    /// are skipped from the right — a number (a CDN before the ingress: `"1"`) or networks and
    /// addresses (`"10.0.0.0/8, fd00::/8"`). Empty: the rightmost entry is the client.
    pub trusted_proxies: String,
    pub session_ttl_hours: u32,
    /// Log filter, e.g. `info` or `farmgate=debug,sea_orm=warn`.
    pub log: String,
    pub log_format: LogFormat,
    /// Largest JSON request body.
    pub body_limit_bytes: usize,
    /// Longest a request may take before it is answered 408.
    pub request_timeout_secs: u64,
    /// The sandbox payment gateway (a demo tool: the buyer "pays" on our own page). Off unless
    /// set, on in `serve --demo`, refused in production; off, its routes answer 404 and
    /// online payment is refused (`online_payment_unavailable`) until a real provider is
    /// configured.
    pub payment_sandbox: bool,
    /// A demo server's clock that `POST /api/v1/demo/clock` (the operator) moves forward, so
    /// the browser stories can pass deadlines (ship-by, overdue parcels) without waiting days.
    /// Off by default; refused in production; off, the route answers 404.
    pub demo_clock: bool,
    /// The secret payment gateway notifications are signed with (a random one per process when
    /// unset: the sandbox gateway still works).
    pub payment_webhook_secret: Option<String>,
    /// The secret carrier logistics callbacks are signed with.
    pub carrier_callback_secret: Option<String>,
    /// Days after shipping when an unconfirmed parcel counts as received.
    pub auto_receive_days: u32,
    /// Hours after payment by which a seller ships a sub-order (its ship-by deadline).
    pub ship_within_hours: u32,
    /// Hours before the ship-by deadline when the seller is reminded.
    pub ship_by_remind_hours: u32,
    /// Hours after the ship-by deadline when an unshipped sub-order is cancelled and refunded.
    pub ship_by_grace_hours: u32,
    /// Hours a seller has to answer a buyer's request to cancel; unanswered, it is accepted.
    pub cancel_answer_hours: u32,
    /// Hours a buyer has to pay or decline a catch-weight extra charge (补差价); unanswered, it
    /// is declined and nothing is charged.
    pub extra_charge_answer_hours: u32,
    /// Hours after a pre-sale's harvest a buyer has to pay the balance; unpaid, the
    /// reservation is cancelled and the deposit kept.
    pub presale_balance_pay_hours: u32,
    /// The account shown to buyers who pay by bank transfer.
    pub offline_payee: String,
    /// Log-in attempts one client address may make per 15 minutes (behind a shared NAT, raise
    /// it; the browser test server does).
    pub login_attempts_per_address: u32,
    /// Accounts one client address may register per hour (each costs a password hash).
    pub registrations_per_address_per_hour: u32,
    /// One-time codes one client address may ask for per hour (raise behind a shared NAT).
    pub codes_per_address_per_hour: u32,
    /// Seconds before another code for the same purpose may be sent to the same phone.
    pub code_resend_secs: u64,
    /// Hours a `farmgate admin create-operator` setup link works.
    pub setup_link_hours: u32,
    /// Hours a seller has to answer a damage claim.
    pub claim_response_hours: u32,
    /// Business minutes after payment when an unacknowledged paid order is re-sent to the
    /// seller and raised to the operators.
    pub notify_remind_minutes: u32,
    /// Business hours in Beijing time (`HH:MM-HH:MM`) in which those minutes count.
    pub notify_business_hours: String,
    /// Quiet hours in Beijing time of a person who chose none (`HH:MM-HH:MM`; empty: none).
    pub notify_quiet_hours: String,
    /// The WeChat mini program sending subscription messages (unset: no WeChat messages).
    pub notify_wechat_app_id: Option<String>,
    pub notify_wechat_app_secret: Option<String>,
    /// WeChat's API base URL.
    pub notify_wechat_endpoint: String,
    /// Subscription template ids per kind: `order_paid=ID;recall=ID`.
    pub notify_wechat_templates: String,
    /// `formal`, `trial` or `developer`: which version of the mini program a message opens.
    pub notify_wechat_state: String,
    /// The mini program page a message opens, `{link}` replaced by the site path.
    pub notify_wechat_page: Option<String>,
    /// The trace transparency log's name in its checkpoints (CHAIN.md §10), e.g.
    /// `nongyuan.example.cn/trace-log`; unset: the host of `public_url` + `/trace-log`.
    pub trace_log_origin: Option<String>,
    /// The log's Ed25519 signing key (signed-note format, `farmgate keygen`); unset: made once
    /// and kept in `data_dir/trace-log.key` (not in production, which needs the file).
    pub trace_log_key_file: Option<PathBuf>,
    /// Minutes between checkpoint runs (a checkpoint is signed only when the log grew).
    pub trace_checkpoint_minutes: u32,
    /// The witnesses asked to cosign each checkpoint, `<url> <cosignature verifier key>` each,
    /// separated by `;` (CHAIN.md §12, deploy/WITNESS.md).
    pub trace_witnesses: String,
    /// Cosignatures a checkpoint needs before it is published (0: the log's signature alone,
    /// shown as such on the scan page).
    pub trace_witness_quorum: u32,
    /// The chain format of trace batches created from now on: 2 (salted commitments, bodies
    /// published, CHAIN.md §13; the default) or 1. A batch keeps its format forever.
    pub trace_chain_version: u8,
    /// Public trace verifications (`/api/v1/trace/{code}/verify`) one client address may ask
    /// for per minute (an IPv6 client counts per /64); raise it behind a shared NAT.
    pub trace_verify_per_address_per_minute: u32,
    /// WeChat JS-SDK configurations (`/api/v1/wechat/js-config`) one client address may ask
    /// for per minute; raise it behind a shared NAT.
    pub wechat_js_per_address_per_minute: u32,
    /// Claims up to this many fen are refunded at once when the seller misses the deadline;
    /// larger ones go to the operator.
    pub claim_auto_approve_fen: i64,
    /// Hours a buyer has to answer a seller's offer on a claim; unanswered, it is accepted.
    pub claim_answer_hours: u32,
    /// Hours the operator has to decide an escalated claim before it is overdue.
    pub claim_arbitration_hours: u32,
    /// Hours before the seller's or the buyer's claim deadline they are reminded.
    pub claim_remind_hours: u32,
    /// Days without tracking movement after which a parcel may be claimed as not received.
    pub parcel_stalled_days: u32,
    /// Days after shipping when an unreceived parcel is overdue (may be claimed as not
    /// received whatever its tracking says).
    pub parcel_overdue_days: u32,
    /// The https base WeChat Pay and Alipay send notifications to
    /// (`<base>/api/v1/payments/webhook/{wechat,alipay}`); unset: `public_url`.
    pub payment_notify_base_url: Option<String>,
    /// Longest a call to WeChat Pay or Alipay may take.
    pub payment_timeout_secs: u64,
    /// Minutes after a gateway payment starts when the provider is asked whether it was paid
    /// (a late or lost notification), and again every as long until the order lapses.
    pub payment_query_after_minutes: u32,
    /// WeChat Pay (API v3): the merchant id (商户号). Setting any `wechat_pay_*` turns WeChat
    /// Pay on and requires the rest.
    #[serde(deserialize_with = "crate::payments::opt_text")]
    pub wechat_pay_mch_id: Option<String>,
    /// The official account's AppID buyers pay under (JSAPI, H5, web authorisation).
    #[serde(deserialize_with = "crate::payments::opt_text")]
    pub wechat_pay_app_id: Option<String>,
    /// The merchant API certificate's serial number (商户API证书序列号).
    #[serde(deserialize_with = "crate::payments::opt_text")]
    pub wechat_pay_merchant_serial: Option<String>,
    /// The merchant API private key file (`apiclient_key.pem`).
    pub wechat_pay_merchant_key_file: Option<PathBuf>,
    /// The APIv3 key (32 characters; never printed).
    #[serde(deserialize_with = "crate::payments::opt_text")]
    pub wechat_pay_api_v3_key: Option<String>,
    /// The WeChat Pay platform public key file (`pub_key.pem`, "微信支付公钥" mode) …
    pub wechat_pay_platform_public_key_file: Option<PathBuf>,
    /// … and its id (`PUB_KEY_ID_…`).
    #[serde(deserialize_with = "crate::payments::opt_text")]
    pub wechat_pay_platform_public_key_id: Option<String>,
    /// Or the platform certificate file (platform-certificate mode); both may be set while
    /// WeChat Pay migrates a merchant.
    pub wechat_pay_platform_certificate_file: Option<PathBuf>,
    /// WeChat Pay's API base; unset: `https://api.mch.weixin.qq.com` (tests: a simulator).
    pub wechat_pay_base_url: Option<String>,
    /// The official account's AppSecret, for the web authorisation that gives a buyer's
    /// openid (paying inside WeChat, logging in with WeChat); unset: WeChat Pay only by H5
    /// outside WeChat, and no WeChat log-in.
    #[serde(deserialize_with = "crate::payments::opt_text")]
    pub wechat_app_secret: Option<String>,
    /// The official account's AppID for logging in with WeChat inside WeChat's browser (with
    /// `wechat_app_secret`); must equal `wechat_pay_app_id` when both are set. Unset: no
    /// WeChat log-in.
    #[serde(deserialize_with = "crate::payments::opt_text")]
    pub wechat_app_id: Option<String>,
    /// WeChat's web authorisation page base; unset: `https://open.weixin.qq.com`.
    pub wechat_oauth_base_url: Option<String>,
    /// WeChat's official-account API base (code → openid); unset: `https://api.weixin.qq.com`.
    pub wechat_api_base_url: Option<String>,
    /// The carrier-tracking aggregator (issue #19): `kuaidi100`, or unset for none (sellers
    /// enter a parcel's logistics by hand).
    #[serde(deserialize_with = "crate::payments::opt_nonblank")]
    pub tracking_provider: Option<String>,
    /// 快递100's enterprise authorisation key (with `tracking_provider = "kuaidi100"`).
    #[serde(deserialize_with = "crate::payments::opt_nonblank")]
    pub kuaidi100_key: Option<String>,
    /// 快递100's subscription address; unset: `https://poll.kuaidi100.com/poll`.
    pub kuaidi100_poll_url: Option<String>,
    /// The secret each waybill's push salt is derived from (≥ 16 characters; a random one per
    /// process when unset, which makes pushes for parcels subscribed before a restart fail
    /// their signature: set it in production).
    #[serde(deserialize_with = "crate::payments::opt_nonblank")]
    pub tracking_secret: Option<String>,
    /// The base of the address the aggregator pushes to (`{base}/api/v1/logistics/kuaidi100`);
    /// unset: `public_url`.
    #[serde(deserialize_with = "crate::payments::opt_nonblank")]
    pub tracking_callback_base_url: Option<String>,
    /// Alipay: the application's AppID. Setting any `alipay_*` turns Alipay on and requires
    /// the rest.
    #[serde(deserialize_with = "crate::payments::opt_text")]
    pub alipay_app_id: Option<String>,
    /// The application private key file (PKCS#1 or PKCS#8, PEM or the key tool's base64).
    pub alipay_private_key_file: Option<PathBuf>,
    /// The Alipay public key file (支付宝公钥, PEM or base64).
    pub alipay_public_key_file: Option<PathBuf>,
    /// Alipay's gateway; unset: `https://openapi.alipay.com/gateway.do`.
    pub alipay_gateway_url: Option<String>,
    /// Where text messages go: `outbox` (stored, not sent), `aliyun` or `tencent`.
    pub sms_provider: SmsProvider,
    /// The provider's key id (Alibaba AccessKey ID, Tencent SecretId).
    pub sms_access_key_id: Option<String>,
    /// The provider's key secret (Alibaba AccessKey Secret, Tencent SecretKey).
    pub sms_access_key_secret: Option<String>,
    /// The approved sign name (签名) shown as 【…】 before every message.
    pub sms_sign_name: Option<String>,
    /// Tencent only: the SMS application's SdkAppId.
    pub sms_sdk_app_id: Option<String>,
    /// Tencent only: the API region; unset means ap-guangzhou.
    pub sms_region: Option<String>,
    /// The provider's API base URL; unset means its public endpoint.
    pub sms_endpoint: Option<String>,
    /// Longest a call to the provider may take.
    pub sms_timeout_secs: u64,
    /// Provider template ids, one per message we send.
    pub sms_template_otp: Option<String>,
    pub sms_template_order_paid: Option<String>,
    pub sms_template_shipped: Option<String>,
    pub sms_template_claim_update: Option<String>,
    pub sms_template_recall: Option<String>,
    pub sms_template_ship_by_near: Option<String>,
    pub sms_template_cancel_requested: Option<String>,
    pub sms_template_order_cancelled: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            production: false,
            addr: "127.0.0.1:8080".to_owned(),
            metrics_addr: None,
            metrics_token: None,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            database_replica_url: None,
            database_max_connections: 10,
            database_acquire_timeout_ms: 3_000,
            migrate_on_start: true,
            run_worker: true,
            redis_url: None,
            redis_prefix: "farmgate:".to_owned(),
            redis_timeout_ms: 250,
            redis_breaker_failures: 3,
            redis_breaker_open_secs: 5,
            s3_endpoint: None,
            s3_region: "us-east-1".to_owned(),
            s3_bucket: None,
            s3_access_key: None,
            s3_secret_key: None,
            s3_path_style: true,
            meili_url: None,
            meili_key: None,
            meili_index_prefix: "farmgate_".to_owned(),
            public_url: None,
            assets_dir: None,
            cookie_secure: false,
            trust_proxy: false,
            trusted_proxies: String::new(),
            session_ttl_hours: 24 * 14,
            log: "info".to_owned(),
            log_format: LogFormat::Pretty,
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            payment_sandbox: false,
            demo_clock: false,
            payment_webhook_secret: None,
            carrier_callback_secret: None,
            auto_receive_days: 7,
            ship_within_hours: 48,
            ship_by_remind_hours: 12,
            ship_by_grace_hours: 24,
            cancel_answer_hours: 24,
            extra_charge_answer_hours: 24,
            presale_balance_pay_hours: 72,
            offline_payee: farmgate_orders::DEFAULT_OFFLINE_PAYEE.to_owned(),
            login_attempts_per_address: 30,
            registrations_per_address_per_hour: 10,
            codes_per_address_per_hour: 30,
            code_resend_secs: 60,
            setup_link_hours: 24,
            claim_response_hours: 24,
            notify_remind_minutes: 10,
            notify_business_hours: "08:00-20:00".to_owned(),
            notify_quiet_hours: "22:00-08:00".to_owned(),
            notify_wechat_app_id: None,
            notify_wechat_app_secret: None,
            notify_wechat_endpoint: "https://api.weixin.qq.com".to_owned(),
            notify_wechat_templates: String::new(),
            notify_wechat_state: "formal".to_owned(),
            notify_wechat_page: None,
            trace_log_origin: None,
            trace_log_key_file: None,
            trace_checkpoint_minutes: 2,
            trace_witnesses: String::new(),
            trace_witness_quorum: 0,
            trace_chain_version: 2,
            trace_verify_per_address_per_minute: 60,
            wechat_js_per_address_per_minute: 60,
            claim_auto_approve_fen: 5_000,
            claim_answer_hours: 72,
            claim_arbitration_hours: 48,
            claim_remind_hours: 4,
            parcel_stalled_days: 3,
            parcel_overdue_days: 5,
            payment_notify_base_url: None,
            payment_timeout_secs: 10,
            payment_query_after_minutes: 5,
            wechat_pay_mch_id: None,
            wechat_pay_app_id: None,
            wechat_pay_merchant_serial: None,
            wechat_pay_merchant_key_file: None,
            wechat_pay_api_v3_key: None,
            wechat_pay_platform_public_key_file: None,
            wechat_pay_platform_public_key_id: None,
            wechat_pay_platform_certificate_file: None,
            wechat_pay_base_url: None,
            wechat_app_secret: None,
            wechat_app_id: None,
            wechat_oauth_base_url: None,
            wechat_api_base_url: None,
            tracking_provider: None,
            kuaidi100_key: None,
            kuaidi100_poll_url: None,
            tracking_secret: None,
            tracking_callback_base_url: None,
            alipay_app_id: None,
            alipay_private_key_file: None,
            alipay_public_key_file: None,
            alipay_gateway_url: None,
            sms_provider: SmsProvider::Outbox,
            sms_access_key_id: None,
            sms_access_key_secret: None,
            sms_sign_name: None,
            sms_sdk_app_id: None,
            sms_region: None,
            sms_endpoint: None,
            sms_timeout_secs: 10,
            sms_template_otp: None,
            sms_template_order_paid: None,
            sms_template_shipped: None,
            sms_template_claim_update: None,
            sms_template_recall: None,
            sms_template_ship_by_near: None,
            sms_template_cancel_requested: None,
            sms_template_order_cancelled: None,
        }
    }
}

/// The setting names, which are also the accepted environment variables (upper-cased, with the
/// `FARMGATE_` prefix). Other `FARMGATE_*` variables (tests use `FARMGATE_TEST_*`) are ignored.
pub const KEYS: &[&str] = &[
    "production",
    "addr",
    "metrics_addr",
    "metrics_token",
    "data_dir",
    "database_url",
    "database_replica_url",
    "database_max_connections",
    "database_acquire_timeout_ms",
    "migrate_on_start",
    "run_worker",
    "redis_url",
    "redis_prefix",
    "redis_timeout_ms",
    "redis_breaker_failures",
    "redis_breaker_open_secs",
    "s3_endpoint",
    "s3_region",
    "s3_bucket",
    "s3_access_key",
    "s3_secret_key",
    "s3_path_style",
    "meili_url",
    "meili_key",
    "meili_index_prefix",
    "public_url",
    "assets_dir",
    "cookie_secure",
    "trust_proxy",
    "trusted_proxies",
    "session_ttl_hours",
    "log",
    "log_format",
    "body_limit_bytes",
    "request_timeout_secs",
    "payment_sandbox",
    "demo_clock",
    "payment_webhook_secret",
    "carrier_callback_secret",
    "auto_receive_days",
    "ship_within_hours",
    "ship_by_remind_hours",
    "ship_by_grace_hours",
    "cancel_answer_hours",
    "extra_charge_answer_hours",
    "presale_balance_pay_hours",
    "offline_payee",
    "login_attempts_per_address",
    "registrations_per_address_per_hour",
    "codes_per_address_per_hour",
    "code_resend_secs",
    "setup_link_hours",
    "claim_response_hours",
    "notify_remind_minutes",
    "notify_business_hours",
    "notify_quiet_hours",
    "notify_wechat_app_id",
    "notify_wechat_app_secret",
    "notify_wechat_endpoint",
    "notify_wechat_templates",
    "notify_wechat_state",
    "notify_wechat_page",
    "trace_log_origin",
    "trace_log_key_file",
    "trace_checkpoint_minutes",
    "trace_witnesses",
    "trace_witness_quorum",
    "trace_chain_version",
    "trace_verify_per_address_per_minute",
    "wechat_js_per_address_per_minute",
    "claim_auto_approve_fen",
    "claim_answer_hours",
    "claim_arbitration_hours",
    "claim_remind_hours",
    "parcel_stalled_days",
    "parcel_overdue_days",
    "payment_notify_base_url",
    "payment_timeout_secs",
    "payment_query_after_minutes",
    "wechat_pay_mch_id",
    "wechat_pay_app_id",
    "wechat_pay_merchant_serial",
    "wechat_pay_merchant_key_file",
    "wechat_pay_api_v3_key",
    "wechat_pay_platform_public_key_file",
    "wechat_pay_platform_public_key_id",
    "wechat_pay_platform_certificate_file",
    "wechat_pay_base_url",
    "wechat_app_secret",
    "wechat_app_id",
    "wechat_oauth_base_url",
    "wechat_api_base_url",
    "tracking_provider",
    "kuaidi100_key",
    "kuaidi100_poll_url",
    "tracking_secret",
    "tracking_callback_base_url",
    "alipay_app_id",
    "alipay_private_key_file",
    "alipay_public_key_file",
    "alipay_gateway_url",
    "sms_provider",
    "sms_access_key_id",
    "sms_access_key_secret",
    "sms_sign_name",
    "sms_sdk_app_id",
    "sms_region",
    "sms_endpoint",
    "sms_timeout_secs",
    "sms_template_otp",
    "sms_template_order_paid",
    "sms_template_shipped",
    "sms_template_claim_update",
    "sms_template_recall",
    "sms_template_ship_by_near",
    "sms_template_cancel_requested",
    "sms_template_order_cancelled",
];

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(Box<figment::Error>),
    #[error("invalid configuration: {0}")]
    Inconsistent(String),
}

impl Settings {
    /// Defaults, then the TOML file (`--config` or `FARMGATE_CONFIG`), then the environment.
    pub fn load(config_file: Option<&Path>) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        let file = config_file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("FARMGATE_CONFIG").map(PathBuf::from));
        if let Some(file) = file {
            if !file.exists() {
                return Err(SettingsError::MissingFile(file));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(Env::prefixed("FARMGATE_").only(KEYS));
        let settings: Settings = figment
            .extract()
            .map_err(|e| SettingsError::Invalid(Box::new(e)))?;
        settings.check()?;
        Ok(settings)
    }

    /// The proxies of ours named by `trusted_proxies`.
    pub fn trusted_proxies(&self) -> Result<farmgate_infra::http::TrustedProxies, String> {
        self.trusted_proxies.parse()
    }

    /// The provider template ids that are set.
    pub fn sms_templates(&self) -> farmgate_infra::sms::TemplateIds {
        use farmgate_infra::sms::SmsTemplate;
        let mut ids = farmgate_infra::sms::TemplateIds::new();
        for (template, id) in [
            (SmsTemplate::Otp, &self.sms_template_otp),
            (SmsTemplate::OrderPaid, &self.sms_template_order_paid),
            (SmsTemplate::Shipped, &self.sms_template_shipped),
            (SmsTemplate::ClaimUpdate, &self.sms_template_claim_update),
            (SmsTemplate::Recall, &self.sms_template_recall),
            (SmsTemplate::ShipByNear, &self.sms_template_ship_by_near),
            (
                SmsTemplate::CancelRequested,
                &self.sms_template_cancel_requested,
            ),
            (
                SmsTemplate::OrderCancelled,
                &self.sms_template_order_cancelled,
            ),
        ] {
            if let Some(id) = id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
                ids.set(template, id);
            }
        }
        ids
    }

    /// The notification settings (checked at load: the windows parse).
    pub fn notify_config(&self) -> farmgate_notify::NotifyConfig {
        use farmgate_notify::domain::hours::{DEFAULT_BUSINESS_HOURS, DayWindow};
        farmgate_notify::NotifyConfig {
            remind_after: chrono::Duration::minutes(i64::from(self.notify_remind_minutes)),
            business_hours: DayWindow::parse(&self.notify_business_hours)
                .unwrap_or(DEFAULT_BUSINESS_HOURS),
            default_quiet_hours: DayWindow::parse(&self.notify_quiet_hours).ok(),
        }
    }

    /// The database URL in effect: the configured one, or the SQLite file under the data dir.
    pub fn effective_database_url(&self) -> std::io::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => farmgate_infra::db::sqlite_url_for(&self.data_dir.join("farmgate.db")),
        }
    }

    /// The folder of browser pages.
    pub fn effective_assets_dir(&self) -> PathBuf {
        if let Some(dir) = &self.assets_dir {
            return dir.clone();
        }
        let cwd = PathBuf::from("frontend-assets");
        if cwd.is_dir() {
            return cwd;
        }
        // Running from elsewhere in a checkout (tests, `cargo run` in a subfolder).
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frontend-assets")
    }
}

impl SmsProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Outbox => "outbox",
            Self::Aliyun => "aliyun",
            Self::Tencent => "tencent",
        }
    }
}
