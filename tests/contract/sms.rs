//! The SMS contract: the database outbox on SQLite and PostgreSQL, and the two provider
//! adapters (Alibaba Cloud, Tencent Cloud) against local simulators of their APIs that speak
//! the same wire format, recompute the same signatures with the shared test secret and answer
//! with the providers' own error shapes and codes (see `sms/aliyun_sim.rs`,
//! `sms/tencent_sim.rs`). Nothing here reaches the internet.

mod aliyun_sim;
mod sim;
mod tencent_sim;

use aliyun_sim::AliyunSim;
use farmgate_infra::sms::{
    AliyunConfig, AliyunSms, SmsError, SmsMessage, SmsOutbox, SmsSender, SmsTemplate, TemplateIds,
    TencentConfig, TencentSms, aliyun, tencent,
};
use farmgate_infra::{Clock, db};
use farmgate_kernel::{Page, Phone};
use farmgate_migrations::{Migrator, MigratorTrait};
use sim::{Delivered, Mode};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tencent_sim::TencentSim;

// ---------------------------------------------------------------------------------------------
// The providers, against their simulators

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Provider {
    Aliyun,
    Tencent,
}

enum Simulator {
    Aliyun(AliyunSim),
    Tencent(TencentSim),
}

impl Simulator {
    fn base(&self) -> String {
        match self {
            Self::Aliyun(s) => s.base.clone(),
            Self::Tencent(s) => s.base.clone(),
        }
    }

    fn set_mode(&self, mode: Mode) {
        match self {
            Self::Aliyun(s) => s.set_mode(mode),
            Self::Tencent(s) => s.set_mode(mode),
        }
    }

    fn delivered(&self) -> Vec<Delivered> {
        match self {
            Self::Aliyun(s) => s.delivered(),
            Self::Tencent(s) => s.delivered(),
        }
    }

    fn requests(&self) -> usize {
        match self {
            Self::Aliyun(s) => s.requests(),
            Self::Tencent(s) => s.requests(),
        }
    }
}

/// How an adapter is set up; [`Provider::setup`] gives the right one for the simulator.
struct Setup {
    key_id: String,
    secret: String,
    sign_name: String,
    endpoint: String,
    clock: Clock,
    timeout: Duration,
}

impl Provider {
    async fn start(self) -> Simulator {
        match self {
            Self::Aliyun => Simulator::Aliyun(AliyunSim::start().await),
            Self::Tencent => Simulator::Tencent(TencentSim::start().await),
        }
    }

    fn setup(self, sim: &Simulator) -> Setup {
        let (key_id, secret) = match self {
            Self::Aliyun => (aliyun_sim::KEY_ID, aliyun_sim::SECRET),
            Self::Tencent => (tencent_sim::SECRET_ID, tencent_sim::SECRET_KEY),
        };
        Setup {
            key_id: key_id.to_owned(),
            secret: secret.to_owned(),
            sign_name: "农源直供".to_owned(),
            endpoint: sim.base(),
            clock: Clock::system(),
            timeout: Duration::from_secs(5),
        }
    }

    /// `otp` and `shipped` match templates the simulated account has; `order_paid` names
    /// one registered with other variables, `claim_update` one that does not exist, and
    /// `recall` has no id.
    fn templates(self) -> TemplateIds {
        let ids = match self {
            Self::Aliyun => ["SMS_465960001", "SMS_465960002", "SMS_465960003", "SMS_1"],
            Self::Tencent => ["2013001", "2013002", "2013003", "1"],
        };
        TemplateIds::new()
            .with(SmsTemplate::Otp, ids[0])
            .with(SmsTemplate::Shipped, ids[1])
            .with(SmsTemplate::OrderPaid, ids[2])
            .with(SmsTemplate::ClaimUpdate, ids[3])
    }

    fn sender(self, s: Setup) -> Arc<dyn SmsSender> {
        match self {
            Self::Aliyun => Arc::new(
                AliyunSms::new(
                    AliyunConfig {
                        access_key_id: s.key_id,
                        access_key_secret: s.secret,
                        sign_name: s.sign_name,
                        templates: self.templates(),
                        endpoint: Some(s.endpoint),
                        timeout: s.timeout,
                    },
                    s.clock,
                )
                .expect("aliyun adapter"),
            ),
            Self::Tencent => Arc::new(
                TencentSms::new(
                    TencentConfig {
                        secret_id: s.key_id,
                        secret_key: s.secret,
                        sdk_app_id: tencent_sim::SDK_APP_ID.to_owned(),
                        sign_name: s.sign_name,
                        templates: self.templates(),
                        region: None,
                        endpoint: Some(s.endpoint),
                        timeout: s.timeout,
                    },
                    s.clock,
                )
                .expect("tencent adapter"),
            ),
        }
    }

    /// The provider's code for one situation.
    fn code(self, aliyun: &'static str, tencent: &'static str) -> &'static str {
        match self {
            Self::Aliyun => aliyun,
            Self::Tencent => tencent,
        }
    }

    /// The number as the provider receives it.
    fn wire_phone(self, phone: &str) -> String {
        match self {
            Self::Aliyun => phone.to_owned(),
            Self::Tencent => format!("+86{phone}"),
        }
    }

    /// The template's variables as the provider matched them (Tencent numbers them).
    fn wire_params(self, params: &[(&str, &str)]) -> Vec<(String, String)> {
        params
            .iter()
            .enumerate()
            .map(|(i, (name, value))| match self {
                Self::Aliyun => ((*name).to_owned(), (*value).to_owned()),
                Self::Tencent => ((i + 1).to_string(), (*value).to_owned()),
            })
            .collect()
    }
}

fn phone(s: &str) -> Phone {
    Phone::parse(s).expect("phone")
}

fn code_to(to: &str, code: &str) -> SmsMessage {
    SmsMessage::one_time_code(phone(to), code).expect("message")
}

/// The error's kind and provider code.
fn kind_and_code(e: &SmsError) -> (&'static str, String) {
    (
        e.kind(),
        e.reply().map(|r| r.code.clone()).unwrap_or_default(),
    )
}

async fn a_code_is_signed_accepted_and_reaches_the_phone(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(p.setup(&sim));
    let receipt = sender
        .send(&code_to("13800138000", "246810"))
        .await
        .expect("accepted");
    assert_eq!(receipt.backend, sender.backend());
    assert!(
        !receipt.id.is_empty() && receipt.request_id.is_some(),
        "{receipt:?}"
    );
    assert_eq!(
        sim.delivered(),
        vec![Delivered {
            phone: p.wire_phone("13800138000"),
            sign_name: "农源直供".to_owned(),
            template: p.code("SMS_465960001", "2013001").to_owned(),
            params: p.wire_params(&[("code", "246810")]),
        }]
    );
}

async fn a_notification_carries_its_variables_in_the_templates_order(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(p.setup(&sim));
    let shipped = SmsMessage::new(
        phone("13912345678"),
        SmsTemplate::Shipped,
        [
            ("order", "FG20261128-0042"),
            ("tracking", "SF1401234567890"),
        ],
    )
    .expect("message");
    sender.send(&shipped).await.expect("accepted");
    let delivered = sim.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0].params,
        p.wire_params(&[
            ("order", "FG20261128-0042"),
            ("tracking", "SF1401234567890")
        ])
    );
}

async fn a_wrong_secret_is_an_authentication_failure(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(Setup {
        secret: "not-the-secret".to_owned(),
        ..p.setup(&sim)
    });
    let e = sender
        .send(&code_to("13800138000", "246810"))
        .await
        .expect_err("refused");
    assert_eq!(
        kind_and_code(&e),
        (
            "auth_failed",
            p.code("SignatureDoesNotMatch", "AuthFailure.SignatureFailure")
                .to_owned()
        )
    );
    assert!(e.needs_operator() && !e.is_transient());
    assert!(sim.delivered().is_empty());
}

async fn an_unknown_key_id_is_an_authentication_failure(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(Setup {
        key_id: "LTAI5tSomebodyElse".to_owned(),
        ..p.setup(&sim)
    });
    let e = sender
        .send(&code_to("13800138000", "246810"))
        .await
        .expect_err("refused");
    assert_eq!(
        kind_and_code(&e),
        (
            "auth_failed",
            p.code(
                "InvalidAccessKeyId.NotFound",
                "AuthFailure.SecretIdNotFound"
            )
            .to_owned()
        )
    );
}

async fn a_request_from_a_clock_twenty_minutes_slow_is_refused(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(Setup {
        clock: Clock::manual(chrono::Utc::now() - chrono::Duration::minutes(20)),
        ..p.setup(&sim)
    });
    let e = sender
        .send(&code_to("13800138000", "246810"))
        .await
        .expect_err("refused");
    assert_eq!(
        kind_and_code(&e),
        (
            "auth_failed",
            p.code("InvalidTimeStamp.Expired", "AuthFailure.SignatureExpire")
                .to_owned()
        )
    );
}

async fn a_number_no_carrier_issued_is_an_invalid_number(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(p.setup(&sim));
    let e = sender
        .send(&code_to("15400000000", "246810"))
        .await
        .expect_err("refused");
    assert_eq!(
        kind_and_code(&e),
        (
            "invalid_number",
            p.code(
                "isv.MOBILE_NUMBER_ILLEGAL",
                "InvalidParameterValue.IncorrectPhoneNumber"
            )
            .to_owned()
        )
    );
    assert!(!e.is_transient() && !e.needs_operator());
    let text = e.to_string();
    assert!(
        !text.contains("15400000000") && !text.contains("246810"),
        "{text}"
    );
}

async fn a_second_code_within_the_window_is_rate_limited_with_a_retry_after(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(p.setup(&sim));
    sender
        .send(&code_to("13800138000", "111111"))
        .await
        .expect("the first is accepted");
    let e = sender
        .send(&code_to("13800138000", "222222"))
        .await
        .expect_err("the second is limited");
    assert_eq!(
        kind_and_code(&e),
        (
            "rate_limited",
            p.code(
                "isv.BUSINESS_LIMIT_CONTROL",
                "LimitExceeded.PhoneNumberThirtySecondLimit"
            )
            .to_owned()
        )
    );
    let window = match p {
        Provider::Aliyun => aliyun_sim::WINDOW,
        Provider::Tencent => tencent_sim::WINDOW,
    };
    assert_eq!(e.retry_after(), Some(window));
    assert!(e.is_transient());
    sender
        .send(&code_to("13900139000", "333333"))
        .await
        .expect("another number is not limited");
    assert_eq!(sim.delivered().len(), 2);
}

async fn an_unknown_template_or_sign_name_is_refused(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(p.setup(&sim));
    let claim = SmsMessage::new(
        phone("13800138000"),
        SmsTemplate::ClaimUpdate,
        [("claim", "C-1"), ("status", "已同意")],
    )
    .expect("message");
    let e = sender.send(&claim).await.expect_err("refused");
    assert_eq!(
        kind_and_code(&e),
        (
            "refused",
            p.code(
                "isv.SMS_TEMPLATE_ILLEGAL",
                "FailedOperation.TemplateIncorrectOrUnapproved"
            )
            .to_owned()
        )
    );
    let other_sign = p.sender(Setup {
        sign_name: "别家签名".to_owned(),
        ..p.setup(&sim)
    });
    let e = other_sign
        .send(&code_to("13800138000", "246810"))
        .await
        .expect_err("refused");
    assert_eq!(
        kind_and_code(&e),
        (
            "refused",
            p.code(
                "isv.SMS_SIGNATURE_ILLEGAL",
                "FailedOperation.SignatureIncorrectOrUnapproved"
            )
            .to_owned()
        )
    );
    assert!(e.needs_operator());
    assert!(sim.delivered().is_empty());
}

async fn a_template_registered_with_other_variables_is_refused(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(p.setup(&sim));
    let paid = SmsMessage::new(
        phone("13800138000"),
        SmsTemplate::OrderPaid,
        [("order", "FG20261128-0042")],
    )
    .expect("message");
    let e = sender.send(&paid).await.expect_err("refused");
    assert_eq!(
        kind_and_code(&e),
        (
            "refused",
            p.code(
                "isv.TEMPLATE_MISSING_PARAMETERS",
                "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"
            )
            .to_owned()
        )
    );
}

async fn a_template_without_an_id_is_not_sent_at_all(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(p.setup(&sim));
    let recall = SmsMessage::new(
        phone("13800138000"),
        SmsTemplate::Recall,
        [("product", "梅岭脐橙"), ("batch", "B-2026-11")],
    )
    .expect("message");
    let e = sender.send(&recall).await.expect_err("not configured");
    assert_eq!(e.kind(), "template_not_configured");
    assert_eq!(sim.requests(), 0);
}

async fn a_provider_that_is_down_slow_or_gone_is_unavailable(p: Provider) {
    let sim = p.start().await;
    let sender = p.sender(Setup {
        timeout: Duration::from_millis(500),
        ..p.setup(&sim)
    });

    sim.set_mode(Mode::Down);
    let e = sender
        .send(&code_to("13800138000", "246810"))
        .await
        .expect_err("down");
    assert_eq!(
        kind_and_code(&e),
        ("unavailable", p.code("http.503", "http.502").to_owned())
    );
    assert!(e.is_transient());

    sim.set_mode(Mode::Slow(Duration::from_secs(5)));
    let started = Instant::now();
    let e = sender
        .send(&code_to("13800138000", "246810"))
        .await
        .expect_err("too slow");
    assert_eq!(
        kind_and_code(&e),
        ("unavailable", "http.timeout".to_owned())
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "gave up after {:?}",
        started.elapsed()
    );

    let gone = p.sender(Setup {
        endpoint: sim::closed_port().await,
        ..p.setup(&sim)
    });
    let e = gone
        .send(&code_to("13800138000", "246810"))
        .await
        .expect_err("refused connection");
    assert_eq!(
        kind_and_code(&e),
        ("unavailable", "http.connect".to_owned())
    );
    let text = e.to_string();
    assert!(
        !text.contains("13800138000") && !text.contains("246810"),
        "{text}"
    );

    // (A number the timed-out request did not name: the simulator may still finish it.)
    sim.set_mode(Mode::Normal);
    sender
        .send(&code_to("13700137000", "246810"))
        .await
        .expect("back up");
}

macro_rules! both_providers {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn aliyun() {
                super::$case(super::Provider::Aliyun).await;
            }

            #[tokio::test]
            async fn tencent() {
                super::$case(super::Provider::Tencent).await;
            }
        }
    )*};
}

both_providers!(
    a_code_is_signed_accepted_and_reaches_the_phone,
    a_notification_carries_its_variables_in_the_templates_order,
    a_wrong_secret_is_an_authentication_failure,
    an_unknown_key_id_is_an_authentication_failure,
    a_request_from_a_clock_twenty_minutes_slow_is_refused,
    a_number_no_carrier_issued_is_an_invalid_number,
    a_second_code_within_the_window_is_rate_limited_with_a_retry_after,
    an_unknown_template_or_sign_name_is_refused,
    a_template_registered_with_other_variables_is_refused,
    a_template_without_an_id_is_not_sent_at_all,
    a_provider_that_is_down_slow_or_gone_is_unavailable,
);

// ---------------------------------------------------------------------------------------------
// The simulators are not mocks: a request changed after signing is refused

#[tokio::test]
async fn the_aliyun_simulator_refuses_a_request_changed_after_signing_and_a_replay() {
    let sim = AliyunSim::start().await;
    let host = sim.base.trim_start_matches("http://").to_owned();
    let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let empty = sim::sha256_hex(b"");
    let headers = [
        ("host", host.as_str()),
        ("x-acs-action", "SendSms"),
        ("x-acs-content-sha256", empty.as_str()),
        ("x-acs-date", date.as_str()),
        ("x-acs-signature-nonce", "6a1f0c9e2b7d4e3f8a5b1c0d9e8f7a6b"),
        ("x-acs-version", "2017-05-25"),
    ];
    let query = |to: &str| {
        aliyun::canonical_query(&[
            ("PhoneNumbers", to),
            ("SignName", aliyun_sim::SIGN_NAME),
            ("TemplateCode", "SMS_465960001"),
            ("TemplateParam", r#"{"code":"135790"}"#),
        ])
    };
    let signed = aliyun::authorization(
        aliyun_sim::KEY_ID,
        aliyun_sim::SECRET,
        "POST",
        "/",
        &query("13800138000"),
        &headers,
        &empty,
    );
    let http = reqwest::Client::new();
    let send = |query: String| {
        let mut request = http
            .post(format!("{}/?{query}", sim.base))
            .header("authorization", &signed);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move {
            let response = request.send().await.expect("simulator answers");
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.expect("json");
            (status, body["Code"].as_str().unwrap_or_default().to_owned())
        }
    };
    assert_eq!(
        send(query("13900139000")).await,
        (400, "SignatureDoesNotMatch".to_owned()),
        "another number under the same signature"
    );
    assert_eq!(send(query("13800138000")).await, (200, "OK".to_owned()));
    assert_eq!(
        send(query("13800138000")).await,
        (400, "SignatureNonceUsed".to_owned()),
        "the same request again"
    );
    assert_eq!(sim.delivered().len(), 1);
}

#[tokio::test]
async fn the_tencent_simulator_refuses_a_body_changed_after_signing() {
    let sim = TencentSim::start().await;
    let host = sim.base.trim_start_matches("http://").to_owned();
    let now = chrono::Utc::now().timestamp();
    let body = |to: &str| {
        serde_json::json!({
            "PhoneNumberSet": [to],
            "SmsSdkAppId": tencent_sim::SDK_APP_ID,
            "SignName": tencent_sim::SIGN_NAME,
            "TemplateId": "2013001",
            "TemplateParamSet": ["135790"],
        })
        .to_string()
    };
    let headers = [
        ("content-type", tencent::CONTENT_TYPE),
        ("host", host.as_str()),
        ("x-tc-action", "SendSms"),
    ];
    let signed = tencent::authorization(
        tencent_sim::SECRET_ID,
        tencent_sim::SECRET_KEY,
        "sms",
        now,
        "POST",
        "/",
        "",
        &headers,
        body("+8613800138000").as_bytes(),
    );
    let http = reqwest::Client::new();
    let send = |body: String| {
        let mut request = http
            .post(format!("{}/", sim.base))
            .header("authorization", &signed)
            .header("x-tc-timestamp", now.to_string())
            .header("x-tc-version", "2021-01-11")
            .header("x-tc-region", "ap-guangzhou")
            .body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move {
            let answer: serde_json::Value = request
                .send()
                .await
                .expect("simulator answers")
                .json()
                .await
                .expect("json");
            let response = &answer["Response"];
            response["Error"]["Code"]
                .as_str()
                .or_else(|| response["SendStatusSet"][0]["Code"].as_str())
                .unwrap_or_default()
                .to_owned()
        }
    };
    assert_eq!(
        send(body("+8613900139000")).await,
        "AuthFailure.SignatureFailure",
        "another number under the same signature"
    );
    assert_eq!(send(body("+8613800138000")).await, "Ok");
    assert_eq!(sim.delivered().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// The outbox, on SQLite and PostgreSQL

struct Db {
    conn: farmgate_infra::DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Db {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = db::sqlite_url_for(&dir.path().join("sms.db")).expect("url");
    let conn = db::connect(&db::DbConfig {
        url,
        max_connections: 5,
    })
    .await
    .expect("sqlite");
    Migrator::up(&conn, None).await.expect("migrate");
    Db {
        conn,
        _dir: Some(dir),
    }
}

async fn postgres() -> Option<Db> {
    let Some(admin) = farmgate_tests::env("FARMGATE_TEST_POSTGRES_URL") else {
        farmgate_tests::skip_or_fail("PostgreSQL (FARMGATE_TEST_POSTGRES_URL)");
        return None;
    };
    let url = farmgate_tests::pg::fresh_database(&admin).await;
    let conn = db::connect(&db::DbConfig {
        url,
        max_connections: 5,
    })
    .await
    .expect("postgres");
    Some(Db { conn, _dir: None })
}

async fn the_outbox_lists_newest_first_and_finds_the_latest_code_to_a_phone(db: Db) {
    let clock = Clock::manual(chrono::Utc::now());
    let outbox = SmsOutbox::new(db.conn.clone(), clock.clone());
    let first = outbox
        .send(&code_to("13800138000", "111111"))
        .await
        .expect("stored");
    assert_eq!(first.backend, "outbox");
    clock.advance(chrono::Duration::seconds(1));
    let shipped = SmsMessage::new(
        phone("13912345678"),
        SmsTemplate::Shipped,
        [
            ("order", "FG20261128-0042"),
            ("tracking", "SF1401234567890"),
        ],
    )
    .expect("message");
    outbox.send(&shipped).await.expect("stored");
    clock.advance(chrono::Duration::seconds(1));
    let last = outbox
        .send(&code_to("13800138000", "222222"))
        .await
        .expect("stored");

    let page = outbox.recent(Page::clamped(2, 0)).await.expect("recent");
    assert_eq!(page.total, 3);
    let listed: Vec<(String, SmsTemplate)> = page
        .items
        .iter()
        .map(|m| (m.to.as_str().to_owned(), m.template))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("13800138000".to_owned(), SmsTemplate::Otp),
            ("13912345678".to_owned(), SmsTemplate::Shipped),
        ]
    );
    assert_eq!(page.items[0].id.to_string(), last.id);
    assert_eq!(
        page.items[1].params,
        vec![
            ("order".to_owned(), "FG20261128-0042".to_owned()),
            ("tracking".to_owned(), "SF1401234567890".to_owned())
        ]
    );
    let rest = outbox.recent(Page::clamped(2, 2)).await.expect("recent");
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].id.to_string(), first.id);
    assert_eq!(rest.items[0].param("code"), Some("111111"));

    let latest = outbox
        .latest_to(&phone("13800138000"))
        .await
        .expect("latest")
        .expect("a message");
    assert_eq!(latest.param("code"), Some("222222"));
    // PostgreSQL keeps microseconds.
    assert!((latest.created_at - clock.now()).num_milliseconds().abs() <= 1);
    let debug = format!("{latest:?}");
    assert!(
        !debug.contains("222222") && !debug.contains("13800138000"),
        "{debug}"
    );
    assert!(
        outbox
            .latest_to(&phone("13700137000"))
            .await
            .expect("latest")
            .is_none()
    );
}

async fn two_codes_in_the_same_instant_still_have_a_latest(db: Db) {
    // A manual clock that does not move: the id decides.
    let outbox = SmsOutbox::new(db.conn.clone(), Clock::manual(chrono::Utc::now()));
    for code in ["111111", "222222", "333333"] {
        outbox
            .send(&code_to("13800138000", code))
            .await
            .expect("stored");
    }
    let latest = outbox
        .latest_to(&phone("13800138000"))
        .await
        .expect("latest")
        .expect("a message");
    assert_eq!(latest.param("code"), Some("333333"));
}

async fn old_messages_can_be_purged(db: Db) {
    let clock = Clock::manual(chrono::Utc::now());
    let outbox = SmsOutbox::new(db.conn.clone(), clock.clone());
    outbox
        .send(&code_to("13800138000", "111111"))
        .await
        .expect("stored");
    clock.advance(chrono::Duration::days(8));
    outbox
        .send(&code_to("13800138000", "222222"))
        .await
        .expect("stored");
    let purged = outbox
        .purge_before(clock.now() - chrono::Duration::days(7))
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    let left = outbox
        .recent(Page {
            limit: None,
            offset: None,
        })
        .await
        .expect("recent");
    assert_eq!(left.total, 1);
    assert_eq!(left.items[0].param("code"), Some("222222"));
}

macro_rules! both_databases {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn sqlite() {
                super::$case(super::sqlite().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(db) = super::postgres().await {
                    super::$case(db).await;
                }
            }
        }
    )*};
}

both_databases!(
    the_outbox_lists_newest_first_and_finds_the_latest_code_to_a_phone,
    two_codes_in_the_same_instant_still_have_a_latest,
    old_messages_can_be_purged,
);
