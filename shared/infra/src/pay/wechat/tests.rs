//! Notifications and the adapter's offline parts, with keys generated at test time: key 0
//! plays the merchant's, key 1 the platform's.

#![expect(clippy::expect_used, reason = "a failed setup is a failed test")]

use super::super::keys::test_keys::{private_pem, public_pem};
use super::super::keys::{PublicKey, aes_256_gcm_seal};
use super::super::{NotificationKind, RefundInfo};
use super::sign::{
    HEADER_NONCE, HEADER_SERIAL, HEADER_SIGNATURE, HEADER_TIMESTAMP, response_message,
};
use super::*;
use chrono::TimeZone;
use serde_json::Value;

const MCH_ID: &str = "1900009191";
const APP_ID: &str = "wxd678efh567hg6787";
const API_V3_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
const KEY_ID: &str = "PUB_KEY_ID_0119000091912026120600000000";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 2, 0, 0)
        .single()
        .expect("time")
}

fn config() -> WechatConfig {
    WechatConfig {
        mch_id: MCH_ID.into(),
        app_id: APP_ID.into(),
        merchant_key_pem: private_pem(0),
        merchant_serial: "3775B6A45ACD588826D15E583A95F5DD00000001".into(),
        api_v3_key: API_V3_KEY.into(),
        platform_public_key_pem: Some(public_pem(1)),
        platform_public_key_id: Some(KEY_ID.into()),
        platform_certificate_pem: None,
        base_url: Some("http://127.0.0.1:9".into()),
        notify_url: "https://shop.example/api/v1/payments/webhook/wechat".into(),
        timeout: Duration::from_secs(2),
    }
}

fn adapter() -> WechatPay {
    WechatPay::new(config(), Clock::manual(now())).expect("adapter")
}

/// A notification as WeChat Pay sends it: `resource` sealed under `key`, the body signed by
/// the platform key at `ts`, naming `serial`.
struct Sent {
    headers: HeaderMap,
    body: Vec<u8>,
}

fn notification(event_type: &str, resource: &Value, key: &str, ts: i64, serial: &str) -> Sent {
    let original_type = if event_type.starts_with("REFUND") {
        "refund"
    } else {
        "transaction"
    };
    let ciphertext = aes_256_gcm_seal(
        key.as_bytes(),
        "fdasflkja484",
        original_type,
        resource.to_string().as_bytes(),
    )
    .expect("seal");
    let body = serde_json::json!({
        "id": "EV-2018022511223320873",
        "create_time": "2026-12-06T10:00:00+08:00",
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": "支付成功",
        "resource": {
            "original_type": original_type,
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": ciphertext,
            "associated_data": original_type,
            "nonce": "fdasflkja484",
        },
    })
    .to_string()
    .into_bytes();
    sign(body, ts, serial)
}

fn sign(body: Vec<u8>, ts: i64, serial: &str) -> Sent {
    let platform = PrivateKey::parse(&private_pem(1), "platform").expect("key");
    let signature = platform
        .sign(&response_message(
            &ts.to_string(),
            "5K8264ILTKCH16CQ",
            &body,
        ))
        .expect("sign");
    let mut headers = HeaderMap::new();
    for (k, v) in [
        (HEADER_TIMESTAMP, ts.to_string()),
        (HEADER_NONCE, "5K8264ILTKCH16CQ".to_owned()),
        (HEADER_SIGNATURE, signature),
        (HEADER_SERIAL, serial.to_owned()),
    ] {
        headers.insert(k, v.parse().expect("header"));
    }
    Sent { headers, body }
}

fn paid(total: i64) -> Value {
    serde_json::json!({
        "mchid": MCH_ID, "appid": APP_ID,
        "out_trade_no": "FG20261206001", "transaction_id": "4200000001202612060000000001",
        "trade_type": "JSAPI", "trade_state": "SUCCESS", "trade_state_desc": "支付成功",
        "bank_type": "CMC", "attach": "", "success_time": "2026-12-06T10:00:00+08:00",
        "payer": { "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
        "amount": { "total": total, "payer_total": total - 100, "currency": "CNY", "payer_currency": "CNY" },
    })
}

fn refund(status: &str) -> Value {
    serde_json::json!({
        "mchid": MCH_ID, "out_trade_no": "FG20261206001",
        "transaction_id": "4200000001202612060000000001",
        "out_refund_no": "RF20261206001", "refund_id": "50000000382019052709732678859",
        "refund_status": status, "success_time": "2026-12-06T12:00:00+08:00",
        "user_received_account": "招商银行信用卡0403",
        "amount": { "total": 1234, "refund": 500, "payer_total": 1234, "payer_refund": 500 },
    })
}

fn verify(sent: &Sent) -> Result<super::super::Notification, PayError> {
    adapter().notification(&sent.headers, &sent.body)
}

#[test]
fn a_payment_notification_is_verified_decrypted_and_read() {
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &paid(1234),
        API_V3_KEY,
        now().timestamp(),
        KEY_ID,
    );
    let n = verify(&sent).expect("notification");
    assert_eq!(n.provider, "wechat");
    assert_eq!(n.kind, NotificationKind::Paid);
    assert_eq!(n.event_id, "EV-2018022511223320873");
    assert_eq!(n.out_trade_no, "FG20261206001");
    assert_eq!(n.transaction_id, "4200000001202612060000000001");
    assert_eq!(n.amount_fen, 1234);
    assert_eq!(n.payer_total_fen, Some(1134));
    assert_eq!(n.refund, None);
    assert_eq!(n.provider_state, "SUCCESS");
    assert_eq!(
        n.occurred_at,
        Some(
            Utc.with_ymd_and_hms(2026, 12, 6, 2, 0, 0)
                .single()
                .expect("t")
        )
    );
    // A redelivery reads the same, event id included: the caller deduplicates on it.
    assert_eq!(verify(&sent).expect("again"), n);
}

#[test]
fn refund_notifications_say_whether_the_money_arrived() {
    for (status, kind) in [
        ("SUCCESS", NotificationKind::Refunded),
        ("ABNORMAL", NotificationKind::RefundFailed),
        ("CLOSED", NotificationKind::RefundFailed),
    ] {
        let event = format!("REFUND.{status}");
        let sent = notification(
            &event,
            &refund(status),
            API_V3_KEY,
            now().timestamp(),
            KEY_ID,
        );
        let n = verify(&sent).expect("notification");
        assert_eq!(n.kind, kind, "{status}");
        assert_eq!(n.amount_fen, 1234);
        assert_eq!(
            n.refund,
            Some(RefundInfo {
                out_refund_no: Some("RF20261206001".into()),
                refund_id: Some("50000000382019052709732678859".into()),
                amount_fen: Some(500),
                total_refunded_fen: None,
            })
        );
    }
}

#[test]
fn other_trade_states_are_pending_or_closed() {
    for (state, kind) in [
        ("NOTPAY", NotificationKind::Pending),
        ("USERPAYING", NotificationKind::Pending),
        ("CLOSED", NotificationKind::Closed),
        ("REVOKED", NotificationKind::Closed),
        ("PAYERROR", NotificationKind::Closed),
    ] {
        let mut resource = paid(1234);
        resource["trade_state"] = state.into();
        let sent = notification(
            "TRANSACTION.SUCCESS",
            &resource,
            API_V3_KEY,
            now().timestamp(),
            KEY_ID,
        );
        assert_eq!(verify(&sent).expect("notification").kind, kind, "{state}");
    }
}

#[test]
fn a_forged_or_altered_notification_is_refused() {
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &paid(1234),
        API_V3_KEY,
        now().timestamp(),
        KEY_ID,
    );
    let mut altered = sent.body.clone();
    let at = altered.iter().position(|b| *b == b'E').expect("an E");
    altered[at] = b'F';
    assert!(matches!(
        adapter().notification(&sent.headers, &altered),
        Err(PayError::BadSignature {
            what: "notification",
            ..
        })
    ));
    // Signed by our own (merchant) key instead of the platform's.
    let merchant = PrivateKey::parse(&private_pem(0), "m").expect("key");
    let mut headers = sent.headers.clone();
    let forged = merchant
        .sign(&response_message(
            &now().timestamp().to_string(),
            "5K8264ILTKCH16CQ",
            &sent.body,
        ))
        .expect("sign");
    headers.insert(HEADER_SIGNATURE, forged.parse().expect("header"));
    assert!(matches!(
        adapter().notification(&headers, &sent.body),
        Err(PayError::BadSignature { .. })
    ));
}

#[test]
fn a_notification_under_another_key_serial_is_told_apart() {
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &paid(1234),
        API_V3_KEY,
        now().timestamp(),
        "PUB_KEY_ID_ROTATED",
    );
    assert!(matches!(
        verify(&sent),
        Err(PayError::WrongKeySerial { ref got, .. }) if got == "PUB_KEY_ID_ROTATED"
    ));
}

#[test]
fn an_old_notification_is_stale() {
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &paid(1234),
        API_V3_KEY,
        now().timestamp() - 600,
        KEY_ID,
    );
    assert!(matches!(verify(&sent), Err(PayError::Stale { .. })));
}

#[test]
fn a_resource_sealed_under_another_key_or_tampered_does_not_open() {
    let other_key = "b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &paid(1234),
        other_key,
        now().timestamp(),
        KEY_ID,
    );
    assert!(matches!(verify(&sent), Err(PayError::Decrypt { .. })));

    // Validly signed (the platform signs what it sends), but the ciphertext changed: the tag fails.
    let good = notification(
        "TRANSACTION.SUCCESS",
        &paid(1234),
        API_V3_KEY,
        now().timestamp(),
        KEY_ID,
    );
    let mut body: Value = serde_json::from_slice(&good.body).expect("json");
    body["resource"]["associated_data"] = "refund".into();
    let resent = sign(body.to_string().into_bytes(), now().timestamp(), KEY_ID);
    assert!(matches!(verify(&resent), Err(PayError::Decrypt { .. })));
}

#[test]
fn a_notification_for_another_merchant_or_app_is_refused() {
    let mut resource = paid(1234);
    resource["mchid"] = "1900000002".into();
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &resource,
        API_V3_KEY,
        now().timestamp(),
        KEY_ID,
    );
    assert!(matches!(
        verify(&sent),
        Err(PayError::WrongRecipient { .. })
    ));
    let mut resource = paid(1234);
    resource["appid"] = "wx0000000000000000".into();
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &resource,
        API_V3_KEY,
        now().timestamp(),
        KEY_ID,
    );
    assert!(matches!(
        verify(&sent),
        Err(PayError::WrongRecipient { .. })
    ));
}

#[test]
fn signed_nonsense_is_malformed() {
    let sent = notification(
        "MARKETING.CARD",
        &paid(1234),
        API_V3_KEY,
        now().timestamp(),
        KEY_ID,
    );
    assert!(matches!(verify(&sent), Err(PayError::Malformed { .. })));
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &paid(-5),
        API_V3_KEY,
        now().timestamp(),
        KEY_ID,
    );
    assert!(matches!(verify(&sent), Err(PayError::Malformed { .. })));
    let mut resource = paid(1234);
    resource["trade_state"] = "WHATEVER".into();
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &resource,
        API_V3_KEY,
        now().timestamp(),
        KEY_ID,
    );
    assert!(matches!(verify(&sent), Err(PayError::Malformed { .. })));
    let sent = sign(b"not json".to_vec(), now().timestamp(), KEY_ID);
    assert!(matches!(verify(&sent), Err(PayError::Malformed { .. })));
}

#[test]
fn acknowledgements_have_the_documented_shape() {
    let ok = ack_success();
    assert_eq!(ok.status, 200);
    assert_eq!(ok.content_type, "application/json");
    let body: Value = serde_json::from_slice(&ok.body).expect("json");
    assert_eq!(
        body,
        serde_json::json!({"code": "SUCCESS", "message": "成功"})
    );
    let bad = adapter().ack(Err(&PayError::BadSignature {
        provider: PROVIDER,
        what: "notification",
    }));
    assert_eq!(bad.status, 401);
    let body: Value = serde_json::from_slice(&bad.body).expect("json");
    assert_eq!(body["code"], "FAIL");
    assert_eq!(ack_failure(None).status, 500);
    assert_eq!(
        ack_failure(Some(&PayError::Malformed {
            provider: PROVIDER,
            what: "x".into()
        }))
        .status,
        400
    );
}

#[test]
fn the_payment_sheet_parameters_are_signed_with_the_merchant_key() {
    let p = adapter()
        .jsapi_payment("wx201410272009395522657a690389285100".into())
        .expect("params");
    assert_eq!(p.app_id, APP_ID);
    assert_eq!(p.time_stamp, now().timestamp().to_string());
    assert_eq!(p.package, "prepay_id=wx201410272009395522657a690389285100");
    assert_eq!(p.sign_type, "RSA");
    assert_eq!(p.nonce_str.len(), 32);
    let merchant = PublicKey::parse(&public_pem(0), "m").expect("public");
    let message = format!(
        "{APP_ID}\n{}\n{}\n{}\n",
        p.time_stamp, p.nonce_str, p.package
    );
    assert!(merchant.verify(message.as_bytes(), &p.pay_sign));
    let json = serde_json::to_value(&p).expect("json");
    for field in [
        "appId",
        "timeStamp",
        "nonceStr",
        "package",
        "signType",
        "paySign",
    ] {
        assert!(json.get(field).is_some(), "{field}");
    }
    assert!(json.get("prepay_id").is_none());
}

#[test]
fn bad_settings_are_named_and_their_values_not_shown() {
    let mut c = config();
    c.api_v3_key = "short".into();
    let err = WechatPay::new(c, Clock::manual(now())).expect_err("short key");
    assert!(err.to_string().contains("wechat.api_v3_key"));
    assert!(!err.to_string().contains("short"));

    let mut c = config();
    c.platform_public_key_pem = None;
    assert!(WechatPay::new(c, Clock::manual(now())).is_err());

    let mut c = config();
    c.platform_public_key_id = None;
    assert!(WechatPay::new(c, Clock::manual(now())).is_err());

    let mut c = config();
    c.merchant_key_pem = public_pem(0);
    assert!(WechatPay::new(c, Clock::manual(now())).is_err());

    let mut c = config();
    c.base_url = Some("https://api.example/v3".into());
    assert!(WechatPay::new(c, Clock::manual(now())).is_err());

    let mut c = config();
    c.notify_url = "http://shop.example/api/v1/payments/webhook/wechat".into();
    let err = WechatPay::new(c, Clock::manual(now())).expect_err("plain http");
    assert!(err.to_string().contains("wechat.notify_url"));

    let debug = format!("{:?}", config());
    assert!(!debug.contains(API_V3_KEY));
    assert!(!debug.contains("PRIVATE KEY"));
}

#[test]
fn numbers_that_would_change_a_url_are_refused_before_sending() {
    assert!(check_number("FG20261206001", "n", 32).is_ok());
    for bad in ["", "a/b", "a?b", "a b", "订单", &"x".repeat(33)] {
        assert!(check_number(bad, "n", 32).is_err(), "{bad}");
    }
}

#[test]
fn expiry_times_are_written_in_china_time() {
    assert_eq!(format_time(now()), "2026-12-06T10:00:00+08:00");
}

/// A platform certificate for key 1 (self-made: only its key and serial matter here).
fn platform_certificate(serial: &[u8]) -> String {
    use rsa::pkcs8::EncodePublicKey;
    use std::str::FromStr;
    use x509_cert::der::asn1::{BitString, UtcTime};
    use x509_cert::der::{Decode, EncodePem, oid::ObjectIdentifier, pem::LineEnding};
    use x509_cert::name::Name;
    use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
    use x509_cert::time::{Time, Validity};
    use x509_cert::{Certificate, TbsCertificate};

    let key = super::super::keys::test_keys::pair()[1].to_public_key();
    let spki_der = key.to_public_key_der().expect("spki");
    let sha256_rsa = AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11"),
        parameters: None,
    };
    let time = |secs: u64| {
        Time::UtcTime(
            UtcTime::from_unix_duration(std::time::Duration::from_secs(secs)).expect("time"),
        )
    };
    let tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: x509_cert::serial_number::SerialNumber::new(serial).expect("serial"),
        signature: sha256_rsa.clone(),
        issuer: Name::from_str("CN=Tenpay.com Root CA").expect("name"),
        validity: Validity {
            not_before: time(1_700_000_000),
            not_after: time(1_900_000_000),
        },
        subject: Name::from_str("CN=Tenpay.com sign").expect("name"),
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(spki_der.as_bytes())
            .expect("spki"),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: None,
    };
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sha256_rsa,
        signature: BitString::from_bytes(&[0u8; 256]).expect("bits"),
    }
    .to_pem(LineEnding::LF)
    .expect("pem")
}

#[test]
fn in_certificate_mode_the_serial_and_key_come_from_the_certificate() {
    let serial = [0x5Fu8, 0x2E, 0xA1, 0x00, 0x7C];
    let mut c = config();
    c.platform_public_key_pem = None;
    c.platform_public_key_id = None;
    c.platform_certificate_pem = Some(platform_certificate(&serial));
    let pay = WechatPay::new(c, Clock::manual(now())).expect("adapter");
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &paid(1234),
        API_V3_KEY,
        now().timestamp(),
        "5F2EA1007C",
    );
    assert_eq!(
        pay.notification(&sent.headers, &sent.body)
            .expect("verified")
            .amount_fen,
        1234
    );
    let sent = notification(
        "TRANSACTION.SUCCESS",
        &paid(1234),
        API_V3_KEY,
        now().timestamp(),
        KEY_ID,
    );
    assert!(matches!(
        pay.notification(&sent.headers, &sent.body),
        Err(PayError::WrongKeySerial { .. })
    ));
}

#[test]
fn a_serial_with_its_high_bit_set_is_written_without_the_der_zero_byte() {
    let cert =
        super::super::keys::Certified::parse(&platform_certificate(&[0x00, 0x9A, 0x01]), "c")
            .expect("certificate");
    assert_eq!(cert.serial, "9A01");
}

#[test]
fn both_keys_are_trusted_while_wechat_migrates_a_merchant() {
    let mut c = config();
    c.platform_certificate_pem = Some(platform_certificate(&[0x11, 0x22]));
    let pay = WechatPay::new(c, Clock::manual(now())).expect("adapter");
    for serial in ["1122", KEY_ID] {
        let sent = notification(
            "TRANSACTION.SUCCESS",
            &paid(1234),
            API_V3_KEY,
            now().timestamp(),
            serial,
        );
        pay.notification(&sent.headers, &sent.body).expect(serial);
    }
}
