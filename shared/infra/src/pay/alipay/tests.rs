//! Notifications and the signed payment URLs, with keys generated at test time: key 0 plays
//! the application's, key 1 Alipay's.

#![expect(clippy::expect_used, reason = "a failed setup is a failed test")]

use super::super::keys::test_keys::{private_pem, public_pem};
use super::super::{NotificationKind, RefundInfo};
use super::sign::sign_content;
use super::*;
use chrono::{TimeZone, Utc};

const APP_ID: &str = "2021000000000001";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 2, 0, 0)
        .single()
        .expect("time")
}

fn config() -> AlipayConfig {
    AlipayConfig {
        app_id: APP_ID.into(),
        app_private_key: private_pem(0),
        alipay_public_key: public_pem(1),
        gateway_url: Some("http://127.0.0.1:9/gateway.do".into()),
        notify_url: "https://shop.example/api/v1/payments/webhook/alipay".into(),
        return_url: "https://shop.example/orders".into(),
        timeout: Duration::from_secs(2),
    }
}

fn adapter() -> Alipay {
    Alipay::new(config(), Clock::manual(now())).expect("adapter")
}

/// A form body as Alipay posts it: the parameters, signed by Alipay's key, URL-encoded.
fn form(params: &[(&str, &str)]) -> Vec<u8> {
    let alipay = PrivateKey::parse(&private_pem(1), "alipay").expect("key");
    let content = sign_content(params.iter().copied(), &["sign", "sign_type"]);
    let signature = alipay.sign(content.as_bytes()).expect("sign");
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().copied())
        .append_pair("sign_type", "RSA2")
        .append_pair("sign", &signature)
        .finish()
        .into_bytes()
}

fn paid() -> Vec<(&'static str, &'static str)> {
    vec![
        ("gmt_create", "2026-12-06 09:59:00"),
        ("charset", "utf-8"),
        ("notify_time", "2026-12-06 10:00:02"),
        ("notify_type", "trade_status_sync"),
        ("notify_id", "2026120600222100002000001234567890"),
        ("app_id", APP_ID),
        ("version", "1.0"),
        ("trade_no", "2026120622001400000000000001"),
        ("out_trade_no", "FG20261206001"),
        ("buyer_id", "2088102122524333"),
        ("seller_id", "2088101106499364"),
        ("trade_status", "TRADE_SUCCESS"),
        ("total_amount", "12.34"),
        ("receipt_amount", "12.34"),
        ("buyer_pay_amount", "11.34"),
        ("subject", "苹果 5斤装 + 包邮"),
        ("gmt_payment", "2026-12-06 10:00:00"),
    ]
}

fn with(
    mut params: Vec<(&'static str, &'static str)>,
    key: &'static str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    params.retain(|(k, _)| *k != key);
    params.push((key, value));
    params
}

#[test]
fn a_payment_notification_is_verified_and_read() {
    let body = form(&paid());
    let n = adapter().notification(&body).expect("notification");
    assert_eq!(n.provider, "alipay");
    assert_eq!(n.kind, NotificationKind::Paid);
    assert_eq!(n.event_id, "2026120600222100002000001234567890");
    assert_eq!(n.out_trade_no, "FG20261206001");
    assert_eq!(n.transaction_id, "2026120622001400000000000001");
    assert_eq!(n.amount_fen, 1234);
    assert_eq!(n.payer_total_fen, Some(1134));
    assert_eq!(n.refund, None);
    assert_eq!(n.provider_state, "TRADE_SUCCESS");
    assert_eq!(n.occurred_at, Some(now()));
    // A redelivery reads the same.
    assert_eq!(adapter().notification(&body).expect("again"), n);
    // TRADE_FINISHED is paid too (the refund window has passed).
    let finished = form(&with(paid(), "trade_status", "TRADE_FINISHED"));
    assert_eq!(
        adapter().notification(&finished).expect("n").kind,
        NotificationKind::Paid
    );
}

#[test]
fn closed_pending_and_refund_notifications_are_told_apart() {
    let closed = with(
        with(paid(), "trade_status", "TRADE_CLOSED"),
        "gmt_close",
        "2026-12-06 10:30:00",
    );
    assert_eq!(
        adapter().notification(&form(&closed)).expect("n").kind,
        NotificationKind::Closed
    );
    let waiting = with(paid(), "trade_status", "WAIT_BUYER_PAY");
    assert_eq!(
        adapter().notification(&form(&waiting)).expect("n").kind,
        NotificationKind::Pending
    );

    let refunded = with(
        with(
            with(paid(), "refund_fee", "5.00"),
            "gmt_refund",
            "2026-12-06 12:00:00.123",
        ),
        "out_biz_no",
        "RF20261206001",
    );
    let n = adapter().notification(&form(&refunded)).expect("n");
    assert_eq!(n.kind, NotificationKind::Refunded);
    assert_eq!(
        n.refund,
        Some(RefundInfo {
            out_refund_no: Some("RF20261206001".into()),
            refund_id: None,
            amount_fen: None,
            total_refunded_fen: Some(500),
        })
    );
    // A full refund closes the trade, and is still a refund.
    let full = with(
        with(paid(), "refund_fee", "12.34"),
        "trade_status",
        "TRADE_CLOSED",
    );
    assert_eq!(
        adapter().notification(&form(&full)).expect("n").kind,
        NotificationKind::Refunded
    );
}

#[test]
fn a_forged_or_altered_notification_is_refused() {
    let body = String::from_utf8(form(&paid())).expect("utf8");
    let altered = body.replace("total_amount=12.34", "total_amount=0.01");
    assert_ne!(altered, body);
    assert!(matches!(
        adapter().notification(altered.as_bytes()),
        Err(PayError::BadSignature {
            what: "notification",
            ..
        })
    ));
    // Signed with our own key, not Alipay's.
    let ours = PrivateKey::parse(&private_pem(0), "app").expect("key");
    let content = sign_content(paid(), &["sign", "sign_type"]);
    let forged = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(paid())
        .append_pair("sign", &ours.sign(content.as_bytes()).expect("sign"))
        .finish();
    assert!(matches!(
        adapter().notification(forged.as_bytes()),
        Err(PayError::BadSignature { .. })
    ));
    let unsigned = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(paid())
        .finish();
    assert!(matches!(
        adapter().notification(unsigned.as_bytes()),
        Err(PayError::BadSignature { .. })
    ));
}

#[test]
fn a_notification_signed_otherwise_than_rsa2_is_refused() {
    let body = String::from_utf8(form(&paid())).expect("utf8");
    let rsa1 = body.replace("sign_type=RSA2", "sign_type=RSA");
    assert_ne!(rsa1, body);
    assert!(matches!(
        adapter().notification(rsa1.as_bytes()),
        Err(PayError::Malformed { .. })
    ));
}

#[test]
fn a_notification_for_another_application_is_refused() {
    let other = with(paid(), "app_id", "2021000000000002");
    assert!(matches!(
        adapter().notification(&form(&other)),
        Err(PayError::WrongRecipient { ref got, .. }) if got == "2021000000000002"
    ));
}

#[test]
fn signed_amounts_that_are_not_plain_yuan_are_malformed() {
    for bad in ["1.234", "1e3", "-1.00", ""] {
        let params = with(paid(), "total_amount", bad);
        assert!(
            matches!(
                adapter().notification(&form(&params)),
                Err(PayError::Malformed { .. })
            ),
            "{bad:?}"
        );
    }
    let params = with(paid(), "trade_status", "SOMETHING_ELSE");
    assert!(matches!(
        adapter().notification(&form(&params)),
        Err(PayError::Malformed { .. })
    ));
    let mut params = paid();
    params.retain(|(k, _)| *k != "notify_id");
    assert!(matches!(
        adapter().notification(&form(&params)),
        Err(PayError::Malformed { .. })
    ));
}

#[test]
fn acknowledgements_are_the_words_alipay_reads() {
    assert_eq!(ack_success().body, b"success");
    assert_eq!(ack_success().status, 200);
    let fail = adapter().ack(Err(&PayError::BadSignature {
        provider: PROVIDER,
        what: "notification",
    }));
    assert_eq!(fail.body, b"fail");
    assert_eq!(fail.status, 400);
    assert_eq!(ack_failure(None).status, 500);
}

#[test]
fn the_payment_urls_are_signed_with_the_application_key() {
    let trade = NewTrade {
        out_trade_no: "FG20261206001".into(),
        description: "苹果 5斤装".into(),
        amount_fen: 1234,
        expires_at: now() + chrono::Duration::minutes(30),
    };
    let app_public = PublicKey::parse(&public_pem(0), "app").expect("public");
    for (url, method, product) in [
        (
            adapter().wap_pay(&trade).expect("url"),
            "alipay.trade.wap.pay",
            "QUICK_WAP_WAY",
        ),
        (
            adapter().page_pay(&trade).expect("url"),
            "alipay.trade.page.pay",
            "FAST_INSTANT_TRADE_PAY",
        ),
    ] {
        let url = reqwest::Url::parse(&url).expect("url");
        assert_eq!(url.path(), "/gateway.do");
        let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .expect(k)
        };
        assert_eq!(get("method"), method);
        assert_eq!(get("app_id"), APP_ID);
        assert_eq!(get("sign_type"), "RSA2");
        assert_eq!(get("charset"), "utf-8");
        assert_eq!(get("version"), "1.0");
        assert_eq!(get("timestamp"), "2026-12-06 10:00:00");
        assert_eq!(get("return_url"), "https://shop.example/orders");
        let biz: Value = serde_json::from_str(&get("biz_content")).expect("json");
        assert_eq!(biz["total_amount"], "12.34");
        assert_eq!(biz["product_code"], product);
        assert_eq!(biz["time_expire"], "2026-12-06 10:30:00");
        let content = sign_content(
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &["sign"],
        );
        assert!(app_public.verify(content.as_bytes(), &get("sign")));
    }
    let mut zero = trade.clone();
    zero.amount_fen = 0;
    assert!(adapter().wap_pay(&zero).is_err());
    let mut odd = trade;
    odd.out_trade_no = "FG/../1".into();
    assert!(adapter().page_pay(&odd).is_err());
}

#[test]
fn bad_settings_are_named_and_secrets_not_shown() {
    let mut c = config();
    c.alipay_public_key = "not a key".into();
    let err = Alipay::new(c, Clock::manual(now())).expect_err("bad key");
    assert!(err.to_string().contains("alipay.alipay_public_key"));
    let mut c = config();
    c.app_id = " ".into();
    assert!(Alipay::new(c, Clock::manual(now())).is_err());
    let debug = format!("{:?}", config());
    assert!(!debug.contains("PRIVATE KEY"));
}
