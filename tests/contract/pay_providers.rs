//! The orders service's `PaymentProvider` for WeChat Pay and for Alipay, against the same
//! simulators as `pay.rs`: an intent's id is the order number at the provider, a verified
//! notification becomes the payment event the orders service applies (or a refund outcome
//! outcome), the provider's own acknowledgement is what it gets back, and query, close and
//! refund go through.

use chrono::{Duration, Utc};
use farmgate_infra::Clock;
use farmgate_infra::pay::alipay::Alipay;
use farmgate_infra::pay::wechat::WechatPay;
use farmgate_orders::payment::{
    AlipayProvider, IntentRequest, Notice, Outcome, PayerContext, PaymentProvider, ProviderPayment,
    RefundCall, RefundNotice, Refusal, Verified, WebhookError, WechatPayProvider,
};
use farmgate_tests::pay_sim::alipay::AlipaySim;
use farmgate_tests::pay_sim::wechat::{NotifyOptions, WechatSim};
use uuid::Uuid;

fn request(intent_id: Uuid, payer: PayerContext<'_>) -> IntentRequest<'_> {
    IntentRequest {
        intent_id,
        order_number: "FG20261206-0001",
        amount_fen: 2580,
        expires_at: Utc::now() + Duration::minutes(30),
        payer,
    }
}

async fn wechat() -> (WechatSim, WechatPayProvider) {
    let sim = WechatSim::start().await;
    let pay = WechatPay::new(sim.config(), Clock::system()).expect("adapter");
    (sim, WechatPayProvider::new(pay))
}

async fn alipay() -> (AlipaySim, AlipayProvider) {
    let sim = AlipaySim::start().await;
    let pay = Alipay::new(sim.config(), Clock::system()).expect("adapter");
    (sim, AlipayProvider::new(pay))
}

fn verify(
    provider: &dyn PaymentProvider,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<Verified, WebhookError> {
    provider.verify_webhook(&Notice {
        headers,
        body,
        now: Utc::now(),
    })
}

#[tokio::test]
async fn wechat_pays_an_intent_and_its_notification_names_the_intent() {
    let (sim, provider) = wechat().await;
    let intent = Uuid::now_v7();
    let no = intent.simple().to_string();
    assert_eq!(provider.name(), "wechat");

    // Neither openid nor IP: WeChat cannot be asked.
    assert!(
        provider
            .create_intent(&request(intent, PayerContext::default()))
            .await
            .is_err()
    );
    let shown = provider
        .create_intent(&request(
            intent,
            PayerContext {
                wechat_openid: Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
                ..Default::default()
            },
        ))
        .await
        .expect("JSAPI");
    let params = shown.client_params.expect("wx.requestPayment parameters");
    for field in [
        "appId",
        "timeStamp",
        "nonceStr",
        "package",
        "signType",
        "paySign",
    ] {
        assert!(params[field].is_string(), "{field}");
    }
    assert_eq!(sim.trade(&no).expect("trade").total, 2580);
    assert_eq!(
        provider.query(intent).await.expect("query"),
        ProviderPayment::Unpaid
    );

    let delivery = sim.pay(&no, 2580);
    let Verified::Payment(event) =
        verify(&provider, &delivery.headers, &delivery.body).expect("verified")
    else {
        panic!("a payment");
    };
    assert_eq!(event.intent_id, intent);
    assert_eq!(event.outcome, Outcome::Succeeded);
    assert_eq!(event.amount_fen, 2580);
    assert_eq!(event.event_id, delivery.event_id);
    assert_eq!(
        provider.query(intent).await.expect("query"),
        ProviderPayment::Paid {
            transaction_id: event.transaction_id.clone(),
            amount_fen: 2580
        }
    );

    // Refund by the transaction the money came in with; the same refund id twice is one.
    let refund_id = Uuid::now_v7();
    let call = RefundCall {
        refund_id,
        transaction_id: Some(&event.transaction_id),
        amount_fen: 580,
        paid_fen: 2580,
    };
    let first = provider.refund(&call).await.expect("refund");
    let again = provider.refund(&call).await.expect("retry");
    assert_eq!(first.reference, again.reference);
    let settled = sim.settle_refund(&refund_id.simple().to_string(), "ABNORMAL");
    assert!(matches!(
        verify(&provider, &settled.headers, &settled.body),
        Ok(Verified::Refund(RefundNotice { succeeded: false, refund_id: r, amount_fen: Some(_), .. })) if r == refund_id
    ));
    assert!(
        provider
            .refund(&RefundCall {
                transaction_id: None,
                ..call
            })
            .await
            .is_err()
    );
}

#[tokio::test]
async fn wechat_h5_close_and_refusals_in_the_orders_terms() {
    let (sim, provider) = wechat().await;
    let intent = Uuid::now_v7();
    let shown = provider
        .create_intent(&request(
            intent,
            PayerContext {
                client_ip: Some("203.0.113.7"),
                ..Default::default()
            },
        ))
        .await
        .expect("H5");
    assert!(shown.pay_url.expect("h5_url").contains("prepay_id="));
    provider.close(intent).await.expect("close");
    assert_eq!(
        provider.query(intent).await.expect("query"),
        ProviderPayment::Closed
    );
    // Never prepaid: nothing to close, and unpaid when asked.
    provider
        .close(Uuid::now_v7())
        .await
        .expect("nothing to close");
    assert_eq!(
        provider.query(Uuid::now_v7()).await.expect("query"),
        ProviderPayment::Unpaid
    );

    let resource = serde_json::json!({
        "mchid": farmgate_tests::pay_sim::wechat::MCH_ID,
        "appid": farmgate_tests::pay_sim::wechat::APP_ID,
        "out_trade_no": intent.simple().to_string(),
        "transaction_id": "4200000000000000000000000009",
        "trade_state": "SUCCESS",
        "amount": { "total": 2580, "payer_total": 2580 },
    });
    let forged = sim.notification(
        "TRANSACTION.SUCCESS",
        &resource,
        &NotifyOptions {
            forged: true,
            ..Default::default()
        },
    );
    assert_eq!(
        verify(&provider, &forged.headers, &forged.body),
        Err(WebhookError::BadSignature)
    );
    let rotated = sim.notification(
        "TRANSACTION.SUCCESS",
        &resource,
        &NotifyOptions {
            serial: Some("PUB_KEY_ID_NEW".into()),
            ..Default::default()
        },
    );
    assert!(matches!(
        verify(&provider, &rotated.headers, &rotated.body),
        Err(WebhookError::UnknownKey(_))
    ));
    let mut foreign = resource.clone();
    foreign["out_trade_no"] = "FG-not-an-intent".into();
    let foreign = sim.notification("TRANSACTION.SUCCESS", &foreign, &NotifyOptions::default());
    assert!(matches!(
        verify(&provider, &foreign.headers, &foreign.body),
        Err(WebhookError::Malformed(_))
    ));

    let yes = provider.acknowledge(Ok(())).expect("WeChat's own answer");
    assert_eq!(yes.status, 200);
    assert!(String::from_utf8_lossy(&yes.body).contains("SUCCESS"));
    // WeChat retries on any 4xx/5xx; a forgery is the sender's fault (401), an unreadable or
    // inapplicable notification 400, and only our own failure a 500.
    for (why, status) in [
        (Refusal::Unverified, 401),
        (Refusal::Unreadable, 400),
        (Refusal::Ours, 500),
    ] {
        let no = provider.acknowledge(Err(why)).expect("WeChat's own answer");
        assert_eq!(no.status, status, "{why:?}");
        assert!(String::from_utf8_lossy(&no.body).contains("FAIL"));
    }
}

#[tokio::test]
async fn alipay_pays_an_intent_through_its_cashier_and_its_notification_names_the_intent() {
    let (sim, provider) = alipay().await;
    let intent = Uuid::now_v7();
    let no = intent.simple().to_string();
    assert_eq!(provider.name(), "alipay");
    // Not opened yet: unpaid, and nothing to close.
    assert_eq!(
        provider.query(intent).await.expect("query"),
        ProviderPayment::Unpaid
    );
    provider.close(intent).await.expect("nothing to close");

    let phone = provider
        .create_intent(&request(intent, PayerContext::default()))
        .await
        .expect("wap");
    let url = phone.pay_url.expect("cashier URL");
    assert!(url.contains("alipay.trade.wap.pay"));
    let desk = provider
        .create_intent(&request(
            Uuid::now_v7(),
            PayerContext {
                desktop: true,
                ..Default::default()
            },
        ))
        .await
        .expect("page");
    assert!(desk.pay_url.expect("url").contains("alipay.trade.page.pay"));

    assert_eq!(reqwest::get(&url).await.expect("open").status(), 200);
    let body = sim.pay(&no, 2580);
    let headers = axum::http::HeaderMap::new();
    let Verified::Payment(event) = verify(&provider, &headers, &body).expect("verified") else {
        panic!("a payment");
    };
    assert_eq!(event.intent_id, intent);
    assert_eq!(event.outcome, Outcome::Succeeded);
    assert_eq!(event.amount_fen, 2580);
    assert!(matches!(
        provider.query(intent).await.expect("query"),
        ProviderPayment::Paid {
            amount_fen: 2580,
            ..
        }
    ));

    let refund_id = Uuid::now_v7();
    let receipt = provider
        .refund(&RefundCall {
            refund_id,
            transaction_id: Some(&event.transaction_id),
            amount_fen: 580,
            paid_fen: 2580,
        })
        .await
        .expect("refund");
    assert_eq!(receipt.reference, refund_id.simple().to_string());
    let noted = verify(
        &provider,
        &headers,
        &sim.refund_notification(&no, &refund_id.simple().to_string()),
    )
    .expect("refund notification");
    assert!(
        matches!(noted, Verified::Refund(RefundNotice { succeeded: true, refund_id: r, .. }) if r == refund_id)
    );

    let mut tampered = String::from_utf8(body).expect("utf8");
    tampered = tampered.replace("total_amount=25.80", "total_amount=0.01");
    assert_eq!(
        verify(&provider, &headers, tampered.as_bytes()),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        provider
            .acknowledge(Ok(()))
            .expect("Alipay's own answer")
            .body,
        b"success"
    );
    for (why, status) in [
        (Refusal::Unverified, 400),
        (Refusal::Unreadable, 400),
        (Refusal::Ours, 500),
    ] {
        let no = provider.acknowledge(Err(why)).expect("Alipay's own answer");
        assert_eq!(
            (no.status, no.body.as_slice()),
            (status, &b"fail"[..]),
            "{why:?}"
        );
    }
}
