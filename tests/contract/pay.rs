//! The payment-provider contract: the WeChat Pay API v3 and Alipay adapters
//! (`farmgate_infra::pay`) against local simulators that speak the same wire format, verify
//! our signatures and sign their own answers with keys generated for the run
//! (`farmgate_tests::pay_sim`). Nothing here reaches the internet.

use chrono::{Duration, Utc};
use farmgate_infra::Clock;
use farmgate_infra::pay::alipay::Alipay;
use farmgate_infra::pay::wechat::WechatPay;
use farmgate_infra::pay::{
    NewTrade, NotificationKind, PayError, RefundState, TradeRef, TradeState,
};
use farmgate_tests::pay_sim::alipay::AlipaySim;
use farmgate_tests::pay_sim::wechat::{self as wx, NotifyOptions, WechatSim};
use farmgate_tests::pay_sim::{self, Mode, keys, private_pem};

fn trade(no: &str, fen: i64) -> NewTrade {
    NewTrade {
        out_trade_no: no.into(),
        description: "烟台红富士苹果 5斤装".into(),
        amount_fen: fen,
        expires_at: Utc::now() + Duration::minutes(30),
    }
}

fn order_no() -> String {
    format!("FG{}", &uuid::Uuid::new_v4().simple().to_string()[..20])
}

/// Today in China: the bill date of everything a test just did.
fn china_today() -> chrono::NaiveDate {
    (Utc::now().naive_utc() + Duration::hours(8)).date()
}

async fn wechat() -> (WechatSim, WechatPay) {
    let sim = WechatSim::start().await;
    let pay = WechatPay::new(sim.config(), Clock::system()).expect("adapter");
    (sim, pay)
}

async fn alipay() -> (AlipaySim, Alipay) {
    let sim = AlipaySim::start().await;
    let pay = Alipay::new(sim.config(), Clock::system()).expect("adapter");
    (sim, pay)
}

fn rejected_code(result: Result<impl std::fmt::Debug, PayError>) -> String {
    match result {
        Err(PayError::Rejected { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// WeChat Pay

#[tokio::test]
async fn wechat_jsapi_prepay_query_pay_and_query_again() {
    let (sim, pay) = wechat().await;
    let no = order_no();
    let sheet = pay
        .jsapi_prepay(&trade(&no, 1234), "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
        .await
        .expect("prepay");
    assert!(sheet.prepay_id.starts_with("wx"));
    assert_eq!(sheet.package, format!("prepay_id={}", sheet.prepay_id));
    let message = format!(
        "{}\n{}\n{}\n{}\n",
        sheet.app_id, sheet.time_stamp, sheet.nonce_str, sheet.package
    );
    assert!(pay_sim::rsa_verify(
        &keys()[0].to_public_key(),
        message.as_bytes(),
        &sheet.pay_sign
    ));

    let before = pay.query(&no).await.expect("query");
    assert_eq!(before.state, TradeState::NotPaid);
    assert_eq!(before.transaction_id, None);
    assert_eq!(before.amount_fen, 1234);

    let delivery = sim.pay(&no, 1234);
    let n = pay
        .notification(&delivery.headers, &delivery.body)
        .expect("notification");
    assert_eq!(n.kind, NotificationKind::Paid);
    assert_eq!(n.out_trade_no, no);
    assert_eq!(n.event_id, delivery.event_id);

    let after = pay.query(&no).await.expect("query");
    assert_eq!(after.state, TradeState::Paid);
    assert_eq!(
        after.transaction_id.as_deref(),
        Some(n.transaction_id.as_str())
    );
    assert!(after.paid_at.is_some());
}

#[tokio::test]
async fn wechat_h5_prepay_gives_the_page_to_open_and_a_repeated_number_with_other_contents_is_refused()
 {
    let (sim, pay) = wechat().await;
    let no = order_no();
    let url = pay
        .h5_prepay(&trade(&no, 500), "203.0.113.7")
        .await
        .expect("h5");
    assert!(url.contains("prepay_id=wx"), "{url}");
    assert_eq!(sim.trade(&no).expect("trade").trade_type, "MWEB");
    // The same order again is the same trade; another amount under the same number is not.
    pay.h5_prepay(&trade(&no, 500), "203.0.113.7")
        .await
        .expect("same again");
    assert_eq!(
        rejected_code(pay.h5_prepay(&trade(&no, 600), "203.0.113.7").await),
        "INVALID_REQUEST"
    );
}

#[tokio::test]
async fn wechat_close_ends_an_unpaid_trade_but_not_a_paid_one() {
    let (sim, pay) = wechat().await;
    let no = order_no();
    pay.jsapi_prepay(&trade(&no, 100), "openid")
        .await
        .expect("prepay");
    pay.close(&no).await.expect("close");
    assert_eq!(
        pay.query(&no).await.expect("query").state,
        TradeState::Closed
    );

    let paid = order_no();
    pay.jsapi_prepay(&trade(&paid, 100), "openid")
        .await
        .expect("prepay");
    sim.pay(&paid, 100);
    assert_eq!(rejected_code(pay.close(&paid).await), "INVALID_REQUEST");
    assert_eq!(
        rejected_code(pay.query(&order_no()).await),
        "ORDER_NOT_EXIST"
    );
}

#[tokio::test]
async fn wechat_refunds_are_idempotent_by_our_refund_id_and_never_exceed_the_payment() {
    let (sim, pay) = wechat().await;
    let no = order_no();
    pay.jsapi_prepay(&trade(&no, 1000), "openid")
        .await
        .expect("prepay");
    // Before payment there is nothing to refund.
    assert_eq!(
        rejected_code(
            pay.refund(TradeRef::OutTradeNo(&no), "RF-early", 100, 1000, "坏果")
                .await
        ),
        "INVALID_REQUEST"
    );
    sim.pay(&no, 1000);

    let first = pay
        .refund(TradeRef::OutTradeNo(&no), "RF-1", 600, 1000, "坏果")
        .await
        .expect("refund");
    assert_eq!(first.state, RefundState::Processing);
    assert_eq!(first.amount_fen, 600);
    let retry = pay
        .refund(TradeRef::OutTradeNo(&no), "RF-1", 600, 1000, "坏果")
        .await
        .expect("retry");
    assert_eq!(
        retry.refund_id, first.refund_id,
        "a retry is the same refund"
    );
    assert_eq!(
        rejected_code(
            pay.refund(TradeRef::OutTradeNo(&no), "RF-2", 500, 1000, "坏果")
                .await
        ),
        "INVALID_REQUEST"
    );
    pay.refund(TradeRef::OutTradeNo(&no), "RF-2", 400, 1000, "坏果")
        .await
        .expect("the rest");

    let delivery = sim.settle_refund("RF-1", "SUCCESS");
    let n = pay
        .notification(&delivery.headers, &delivery.body)
        .expect("refund notification");
    assert_eq!(n.kind, NotificationKind::Refunded);
    let refund = n.refund.expect("refund info");
    assert_eq!(refund.out_refund_no.as_deref(), Some("RF-1"));
    assert_eq!(refund.amount_fen, Some(600));
    assert_eq!(refund.refund_id, first.refund_id);

    // By WeChat's transaction id instead of our order number: the same trade, already fully
    // refunded, so a third refund is refused.
    let transaction = sim.trade(&no).and_then(|t| t.transaction_id).expect("paid");
    assert_eq!(
        rejected_code(
            pay.refund(
                TradeRef::TransactionId(&transaction),
                "RF-3",
                1,
                1000,
                "坏果"
            )
            .await
        ),
        "INVALID_REQUEST"
    );

    let stuck = sim.settle_refund("RF-2", "ABNORMAL");
    let n = pay
        .notification(&stuck.headers, &stuck.body)
        .expect("abnormal");
    assert_eq!(n.kind, NotificationKind::RefundFailed);
}

#[tokio::test]
async fn wechat_trade_bill_lists_payments_and_refunds_and_a_quiet_day_is_refused() {
    let (sim, pay) = wechat().await;
    assert_eq!(
        rejected_code(pay.trade_bill(china_today()).await),
        "NO_STATEMENT_EXIST"
    );
    let no = order_no();
    pay.jsapi_prepay(&trade(&no, 1234), "openid")
        .await
        .expect("prepay");
    sim.pay(&no, 1234);
    pay.refund(TradeRef::OutTradeNo(&no), "RF-bill", 234, 1234, "坏果")
        .await
        .expect("refund");

    let lines = pay.trade_bill(china_today()).await.expect("bill");
    assert_eq!(lines.len(), 2);
    let paid = lines
        .iter()
        .find(|l| l.status == "SUCCESS")
        .expect("payment line");
    assert_eq!(paid.out_trade_no, no);
    assert_eq!(paid.amount_fen, 1234);
    assert_eq!(
        Some(paid.transaction_id.clone()),
        sim.trade(&no).expect("trade").transaction_id
    );
    let refund = lines
        .iter()
        .find(|l| l.status == "REFUND")
        .expect("refund line");
    let r = refund.refund.as_ref().expect("refund");
    assert_eq!(r.out_refund_no, "RF-bill");
    assert_eq!(r.amount_fen, 234);
}

#[tokio::test]
async fn wechat_notifications_forged_under_another_serial_stale_or_sealed_wrongly_are_refused() {
    let (sim, pay) = wechat().await;
    let no = order_no();
    pay.jsapi_prepay(&trade(&no, 1234), "openid")
        .await
        .expect("prepay");
    let good = sim.pay(&no, 1000);
    let resource = serde_json::json!({
        "mchid": wx::MCH_ID, "appid": wx::APP_ID, "out_trade_no": no,
        "transaction_id": "4200000000000000000000000001", "trade_type": "JSAPI",
        "trade_state": "SUCCESS", "success_time": "2026-12-06T10:00:00+08:00",
        "amount": { "total": 1234, "payer_total": 1234, "currency": "CNY" },
    });

    let forged = sim.notification(
        "TRANSACTION.SUCCESS",
        &resource,
        &NotifyOptions {
            forged: true,
            ..Default::default()
        },
    );
    assert!(matches!(
        pay.notification(&forged.headers, &forged.body),
        Err(PayError::BadSignature { .. })
    ));

    let rotated = sim.notification(
        "TRANSACTION.SUCCESS",
        &resource,
        &NotifyOptions {
            serial: Some("PUB_KEY_ID_NEW".into()),
            ..Default::default()
        },
    );
    assert!(matches!(
        pay.notification(&rotated.headers, &rotated.body),
        Err(PayError::WrongKeySerial { .. })
    ));

    let stale = sim.notification(
        "TRANSACTION.SUCCESS",
        &resource,
        &NotifyOptions {
            timestamp: Some(Utc::now().timestamp() - 3600),
            ..Default::default()
        },
    );
    assert!(matches!(
        pay.notification(&stale.headers, &stale.body),
        Err(PayError::Stale { .. })
    ));

    let sealed = sim.notification(
        "TRANSACTION.SUCCESS",
        &resource,
        &NotifyOptions {
            api_v3_key: Some("0".repeat(32)),
            ..Default::default()
        },
    );
    assert!(matches!(
        pay.notification(&sealed.headers, &sealed.body),
        Err(PayError::Decrypt { .. })
    ));

    // The good one still reads, and says what was paid: a mismatch is the caller's to see.
    let n = pay.notification(&good.headers, &good.body).expect("good");
    assert_eq!(n.amount_fen, 1234);
    assert_eq!(n.payer_total_fen, Some(1000));
    let mut cheap = resource.clone();
    cheap["amount"]["total"] = 1.into();
    let cheap = sim.notification("TRANSACTION.SUCCESS", &cheap, &NotifyOptions::default());
    assert_eq!(
        pay.notification(&cheap.headers, &cheap.body)
            .expect("read")
            .amount_fen,
        1
    );

    // A replay (same delivery) and a duplicate (same event id, delivered again) read the same.
    assert_eq!(
        pay.notification(&good.headers, &good.body).expect("replay"),
        n
    );
    let again = sim.notification(
        "TRANSACTION.SUCCESS",
        &resource,
        &NotifyOptions {
            event_id: Some(good.event_id.clone()),
            ..Default::default()
        },
    );
    assert_eq!(
        pay.notification(&again.headers, &again.body)
            .expect("dup")
            .event_id,
        n.event_id
    );
}

#[tokio::test]
async fn wechat_refuses_requests_signed_with_another_merchant_key() {
    let (sim, _) = wechat().await;
    let mut config = sim.config();
    config.merchant_key_pem = private_pem(&keys()[2]);
    let impostor = WechatPay::new(config, Clock::system()).expect("adapter");
    let err = impostor.query(&order_no()).await.expect_err("refused");
    assert!(
        matches!(err, PayError::Rejected { status: 401, ref code, .. } if code == "SIGN_ERROR"),
        "{err:?}"
    );
    // A clock 10 minutes off: WeChat refuses the request as expired, and its (signed) refusal
    // is itself 10 minutes from our clock, so what we report is the skew.
    let skewed = WechatPay::new(
        sim.config(),
        Clock::manual(Utc::now() - Duration::minutes(10)),
    )
    .expect("adapter");
    let before = sim.requests();
    assert!(matches!(
        skewed.query(&order_no()).await,
        Err(PayError::Stale { .. })
    ));
    assert_eq!(sim.requests(), before + 1, "the request did reach WeChat");
}

#[tokio::test]
async fn wechat_answers_signed_by_an_impostor_are_not_believed() {
    let (sim, pay) = wechat().await;
    sim.set_mode(Mode::ForgedAnswers);
    let err = pay
        .jsapi_prepay(&trade(&order_no(), 100), "openid")
        .await
        .expect_err("forged answer");
    assert!(
        matches!(err, PayError::BadSignature { what: "answer", .. }),
        "{err:?}"
    );
    // A signed refusal must verify too.
    assert!(matches!(
        pay.query(&order_no()).await,
        Err(PayError::BadSignature { .. })
    ));
}

#[tokio::test]
async fn wechat_down_or_unreachable_is_a_transport_error() {
    let (sim, pay) = wechat().await;
    sim.set_mode(Mode::Down);
    let err = pay.query(&order_no()).await.expect_err("down");
    assert!(err.is_transient(), "{err:?}");
    assert!(matches!(err, PayError::Transport { ref detail, .. } if detail.contains("502")));

    let mut config = sim.config();
    config.base_url = Some(pay_sim::closed_port().await);
    let nowhere = WechatPay::new(config, Clock::system()).expect("adapter");
    let err = nowhere
        .refund(TradeRef::OutTradeNo(&order_no()), "RF-1", 1, 1, "x")
        .await
        .expect_err("refused connection");
    assert!(matches!(err, PayError::Transport { .. }), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Alipay

/// Opens the signed payment URL the way the buyer's browser would.
async fn open(url: &str) -> reqwest::StatusCode {
    reqwest::get(url)
        .await
        .expect("the gateway answers")
        .status()
}

#[tokio::test]
async fn alipay_wap_and_page_pay_urls_open_the_cashier_and_query_follows_the_trade() {
    let (sim, pay) = alipay().await;
    let no = order_no();
    assert_eq!(rejected_code(pay.query(&no).await), "ACQ.TRADE_NOT_EXIST");
    assert_eq!(
        open(&pay.wap_pay(&trade(&no, 1234)).expect("url")).await,
        200
    );
    let t = sim.trade(&no).expect("the cashier created the trade");
    assert_eq!(t.total, 1234);

    let before = pay.query(&no).await.expect("query");
    assert_eq!(before.state, TradeState::NotPaid);
    assert_eq!(before.amount_fen, 1234);

    let body = sim.pay(&no, 1200);
    let n = pay.notification(&body).expect("notification");
    assert_eq!(n.kind, NotificationKind::Paid);
    assert_eq!(n.amount_fen, 1234);
    assert_eq!(n.payer_total_fen, Some(1200));
    let after = pay.query(&no).await.expect("query");
    assert_eq!(after.state, TradeState::Paid);
    assert_eq!(
        after.transaction_id.as_deref(),
        Some(n.transaction_id.as_str())
    );
    assert_eq!(after.payer_total_fen, Some(1200));

    let desk = order_no();
    assert_eq!(
        open(&pay.page_pay(&trade(&desk, 99)).expect("url")).await,
        200
    );
    assert_eq!(sim.trade(&desk).expect("trade").total, 99);
    // A URL whose amount was changed after signing is refused by the cashier.
    let cheap = order_no();
    let signed = pay.wap_pay(&trade(&cheap, 1234)).expect("url");
    let tampered = signed.replace("12.34", "0.01");
    assert_ne!(tampered, signed);
    assert_eq!(open(&tampered).await, 400);
    assert!(sim.trade(&cheap).is_none(), "no trade was opened");
}

#[tokio::test]
async fn alipay_close_ends_an_unpaid_trade_only() {
    let (sim, pay) = alipay().await;
    let no = order_no();
    open(&pay.wap_pay(&trade(&no, 100)).expect("url")).await;
    pay.close(&no).await.expect("close");
    assert_eq!(
        pay.query(&no).await.expect("query").state,
        TradeState::Closed
    );
    let paid = order_no();
    open(&pay.wap_pay(&trade(&paid, 100)).expect("url")).await;
    sim.pay(&paid, 100);
    assert_eq!(
        rejected_code(pay.close(&paid).await),
        "ACQ.TRADE_STATUS_ERROR"
    );
    assert_eq!(
        rejected_code(pay.close(&order_no()).await),
        "ACQ.TRADE_NOT_EXIST"
    );
}

#[tokio::test]
async fn alipay_refunds_are_idempotent_by_request_number_and_never_exceed_the_payment() {
    let (sim, pay) = alipay().await;
    let no = order_no();
    open(&pay.wap_pay(&trade(&no, 1000)).expect("url")).await;
    assert_eq!(
        rejected_code(
            pay.refund(TradeRef::OutTradeNo(&no), "RF1", 100, "坏果")
                .await
        ),
        "ACQ.TRADE_STATUS_ERROR"
    );
    sim.pay(&no, 1000);

    let first = pay
        .refund(TradeRef::OutTradeNo(&no), "RF1", 600, "坏果")
        .await
        .expect("refund");
    assert_eq!(first.state, RefundState::Succeeded);
    assert_eq!(first.total_refunded_fen, Some(600));
    let retry = pay
        .refund(TradeRef::OutTradeNo(&no), "RF1", 600, "坏果")
        .await
        .expect("retry");
    assert_eq!(retry.state, RefundState::AlreadyDone);
    assert_eq!(retry.total_refunded_fen, Some(600), "nothing more went out");
    assert_eq!(
        rejected_code(
            pay.refund(TradeRef::OutTradeNo(&no), "RF2", 500, "坏果")
                .await
        ),
        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    );

    let n = pay
        .notification(&sim.refund_notification(&no, "RF1"))
        .expect("refund notification");
    assert_eq!(n.kind, NotificationKind::Refunded);
    let refund = n.refund.expect("refund info");
    assert_eq!(refund.out_refund_no.as_deref(), Some("RF1"));
    assert_eq!(refund.total_refunded_fen, Some(600));

    // By Alipay's trade number instead of our order number.
    let trade_no = sim.trade(&no).expect("trade").trade_no;
    let rest = pay
        .refund(TradeRef::TransactionId(&trade_no), "RF2", 400, "坏果")
        .await
        .expect("the rest");
    assert_eq!(rest.total_refunded_fen, Some(1000));
    assert_eq!(
        pay.query(&no).await.expect("query").state,
        TradeState::Closed
    );
}

#[tokio::test]
async fn alipay_trade_bill_is_unzipped_decoded_and_read() {
    let (sim, pay) = alipay().await;
    assert_eq!(
        rejected_code(pay.trade_bill(china_today()).await),
        "isp.bill_not_exist"
    );
    let no = order_no();
    open(&pay.wap_pay(&trade(&no, 1234)).expect("url")).await;
    sim.pay(&no, 1234);
    pay.refund(TradeRef::OutTradeNo(&no), "RFbill", 234, "坏果")
        .await
        .expect("refund");
    let lines = pay.trade_bill(china_today()).await.expect("bill");
    assert_eq!(lines.len(), 2);
    let paid = lines
        .iter()
        .find(|l| l.status == "交易")
        .expect("payment line");
    assert_eq!(paid.out_trade_no, no);
    assert_eq!(paid.amount_fen, 1234);
    assert_eq!(paid.transaction_id, sim.trade(&no).expect("trade").trade_no);
    let refund = lines
        .iter()
        .find(|l| l.status == "退款")
        .expect("refund line");
    assert_eq!(refund.amount_fen, -234);
    let r = refund.refund.as_ref().expect("refund");
    assert_eq!((r.out_refund_no.as_str(), r.amount_fen), ("RFbill", 234));
}

#[tokio::test]
async fn alipay_notifications_forged_or_for_another_app_are_refused_and_replays_read_the_same() {
    let (sim, pay) = alipay().await;
    let no = order_no();
    open(&pay.wap_pay(&trade(&no, 1234)).expect("url")).await;
    let good = sim.pay(&no, 1234);
    let n = pay.notification(&good).expect("good");
    assert_eq!(pay.notification(&good).expect("replay"), n);

    let params: Vec<(String, String)> = form_urlencoded::parse(&good)
        .into_owned()
        .filter(|(k, _)| k != "sign" && k != "sign_type")
        .collect();
    assert!(matches!(
        pay.notification(&sim.notification(&params, true)),
        Err(PayError::BadSignature { .. })
    ));

    let with = |key: &str, value: &str| -> Vec<(String, String)> {
        params
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == key {
                        value.to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    };
    let other_app = sim.notification(&with("app_id", "2021000000000999"), false);
    assert!(matches!(
        pay.notification(&other_app),
        Err(PayError::WrongRecipient { .. })
    ));
    // A validly signed notification whose amount differs from the order says so.
    let cheap = pay
        .notification(&sim.notification(&with("total_amount", "0.01"), false))
        .expect("read");
    assert_eq!(cheap.amount_fen, 1);
    // A refund notification for a trade never paid reads as what it says (1.00 refunded on an
    // unpaid trade): the orders service, which knows nothing was paid, is the one to refuse it.
    let mut early = with("trade_status", "WAIT_BUYER_PAY");
    early.push(("refund_fee".into(), "1.00".into()));
    early.push(("out_biz_no".into(), "RFearly".into()));
    let n = pay
        .notification(&sim.notification(&early, false))
        .expect("read");
    assert_eq!(n.kind, NotificationKind::Refunded);
    assert_eq!(n.provider_state, "WAIT_BUYER_PAY");
    assert_eq!(n.refund.and_then(|r| r.total_refunded_fen), Some(100));
}

#[tokio::test]
async fn alipay_refuses_requests_signed_with_another_key_and_we_refuse_its_impostor_answers() {
    let (sim, pay) = alipay().await;
    let mut config = sim.config();
    config.app_private_key = private_pem(&keys()[2]);
    let impostor = Alipay::new(config, Clock::system()).expect("adapter");
    assert_eq!(
        rejected_code(impostor.query(&order_no()).await),
        "isv.invalid-signature"
    );
    let skewed =
        Alipay::new(sim.config(), Clock::manual(Utc::now() - Duration::hours(1))).expect("adapter");
    assert_eq!(
        rejected_code(skewed.query(&order_no()).await),
        "isv.invalid-timestamp"
    );
    let mut config = sim.config();
    config.app_id = "2021000000000999".into();
    let stranger = Alipay::new(config, Clock::system()).expect("adapter");
    assert_eq!(
        rejected_code(stranger.query(&order_no()).await),
        "isv.invalid-app-id"
    );

    sim.set_mode(Mode::ForgedAnswers);
    assert!(matches!(
        pay.query(&order_no()).await,
        Err(PayError::BadSignature { what: "answer", .. })
    ));
}

#[tokio::test]
async fn alipay_down_or_unreachable_is_a_transport_error() {
    let (sim, pay) = alipay().await;
    sim.set_mode(Mode::Down);
    let err = pay.close(&order_no()).await.expect_err("down");
    assert!(err.is_transient(), "{err:?}");
    let mut config = sim.config();
    config.gateway_url = Some(format!("{}/gateway.do", pay_sim::closed_port().await));
    let nowhere = Alipay::new(config, Clock::system()).expect("adapter");
    assert!(matches!(
        nowhere.query(&order_no()).await,
        Err(PayError::Transport { .. })
    ));
    assert!(sim.requests() >= 1);
}
