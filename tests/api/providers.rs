//! The real gateways through the real server, against the WeChat Pay and Alipay simulators
//! (`tests/src/pay_sim`), configured as a deployment is (`wechat_pay_*`, `alipay_*` settings,
//! key files): checkout offers exactly them; paying passes the payer's context (H5 with the
//! client address, JSAPI inside WeChat after the web authorisation, Alipay's phone or computer
//! cashier); notifications pay once (replays, forgeries, another key's serial, another amount
//! refused); a late notification is caught by the query job, across a provider outage; a lapsed
//! order's trade is closed; refunds go back through the gateway and their notifications (or,
//! when those never come, asking the provider) settle them, also when they come before the
//! payment's own notification.

use farmgate_tests::pay_sim::Mode;
use farmgate_tests::pay_sim::alipay::AlipaySim;
use farmgate_tests::pay_sim::setup::GatewaySetup;
use farmgate_tests::pay_sim::wechat::{self, Delivery, NotifyOptions, WechatSim};
use farmgate_tests::prelude::*;

const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
const WECHAT: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";
const DESKTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const WX_HOOK: &str = "/api/v1/payments/webhook/wechat";
const ALI_HOOK: &str = "/api/v1/payments/webhook/alipay";

/// A server with WeChat Pay and Alipay pointing at running simulators (sandbox off).
struct Gateways {
    app: TestApp,
    wechat: WechatSim,
    alipay: AlipaySim,
    _keys: tempfile::TempDir,
}

async fn with_gateways(backend: Backend) -> Option<Gateways> {
    let wechat = WechatSim::start().await;
    let alipay = AlipaySim::start().await;
    let keys = tempfile::tempdir().expect("a key directory");
    let setup = GatewaySetup::write(keys.path(), Some(&wechat), Some(&alipay));
    let app = TestApp::spawn_configured(backend, |s| {
        s.payment_sandbox = false;
        setup.apply(s);
    })
    .await?;
    Some(Gateways {
        app,
        wechat,
        alipay,
        _keys: keys,
    })
}

macro_rules! with_gateways {
    ($( async fn $name:ident($g:ident) $body:block )*) => {$(
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                let Some($g) = with_gateways(Backend::Embedded).await else { return };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn production() {
                let Some($g) = with_gateways(Backend::Production).await else { return };
                $body
            }
        }
    )*};
}

/// A gateway order of one box by a new buyer.
async fn gateway_order(app: &TestApp) -> (Consumer, SellerWithListing, Order) {
    let seller = app.seller_with_listing().await;
    let buyer = app.consumer().await;
    let order = app.checkout(&buyer, &[(seller.sku, 1)], "gateway").await;
    (buyer, seller, order)
}

/// `POST /orders/{id}/pay` from a browser.
async fn pay(
    app: &TestApp,
    buyer: &Session,
    order: Uuid,
    provider: Option<&str>,
    ua: &str,
) -> Resp {
    let path = match provider {
        Some(p) => format!("/api/v1/orders/{order}/pay?provider={p}"),
        None => format!("/api/v1/orders/{order}/pay"),
    };
    let req = app
        .http
        .post(app.url(&path))
        .bearer_auth(&buyer.token)
        .header("user-agent", ua);
    app.send(req).await
}

/// Posts a WeChat Pay notification as WeChat would.
async fn deliver(app: &TestApp, d: &Delivery) -> Resp {
    let mut req = app.http.post(app.url(WX_HOOK)).body(d.body.clone());
    for (k, v) in &d.headers {
        req = req.header(k, v);
    }
    app.send(req.header("content-type", "application/json"))
        .await
}

/// Our order number at the provider for an intent.
fn out_trade_no(intent: &Resp) -> String {
    intent.id().simple().to_string()
}

/// A started H5 payment of a new gateway order: (buyer, order, out_trade_no).
async fn paying_by_h5(g: &Gateways) -> (Consumer, SellerWithListing, Order, String) {
    let (buyer, seller, order) = gateway_order(&g.app).await;
    let r = pay(&g.app, &buyer, order.id, Some("wechat"), ANDROID).await;
    r.expect_status(200);
    let no = out_trade_no(&r);
    (buyer, seller, order, no)
}

/// Waits until the simulator has answered more than `before` requests.
async fn until_asked(sim: &WechatSim, before: usize) {
    for _ in 0..200 {
        if sim.requests() > before {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the provider was never asked");
}

with_gateways! {
    async fn checkout_offers_exactly_the_configured_gateways_and_no_sandbox(g) {
        let r = g.app.get("/api/v1/payments/methods", None).await;

        r.expect_status(200);
        let listed: Vec<(&str, &str, bool)> = r.arr("methods").iter().map(|m| (
            m["method"].as_str().unwrap_or_default(),
            m["provider"].as_str().unwrap_or_default(),
            m["simulated"].as_bool().unwrap_or(true),
        )).collect();
        assert_eq!(listed, vec![("gateway", "wechat", false), ("gateway", "alipay", false), ("offline", "offline", false)], "{}", r.text);
        let (buyer, _, order) = gateway_order(&g.app).await;
        let r = pay(&g.app, &buyer, order.id, Some("sandbox"), ANDROID).await;
        r.expect_status(422);
        g.app.get(&format!("/api/v1/payments/sandbox/{}", Uuid::now_v7()), Some(&buyer.token)).await.expect_status(404);
    }

    async fn a_phone_browser_pays_by_wechat_h5_and_the_signed_notification_pays_once(g) {
        let (buyer, seller, order) = gateway_order(&g.app).await;
        let r = pay(&g.app, &buyer, order.id, Some("wechat"), ANDROID).await;
        r.expect_status(200);
        assert!(r.str("pay_url").starts_with("https://wx.tenpay.com/"), "{}", r.text);
        assert_eq!(r.body["simulated"], false);
        let no = out_trade_no(&r);
        let trade = g.wechat.trade(&no).expect("prepaid at WeChat");
        assert_eq!((trade.trade_type, trade.total), ("MWEB", order.total));
        // The same tap again is the same payment, never a second trade.
        let again = pay(&g.app, &buyer, order.id, Some("wechat"), ANDROID).await;
        assert_eq!(again.id(), r.id());

        let paid = g.wechat.pay(&no, order.total);
        let first = deliver(&g.app, &paid).await;

        first.expect_status(200);
        assert_eq!(first.body["code"], "SUCCESS", "{}", first.text);
        let seen = g.app.order(order.id, &buyer).await;
        assert_eq!(seen.status, "paid");
        // Replayed: acknowledged, nothing more.
        deliver(&g.app, &paid).await.expect_status(200);
        assert_eq!(g.app.count("payments", "1=1").await, 1);
        assert_eq!(g.app.count("payments", "channel = 'wechat'").await, 1);
        let seller_view = g.app.order(order.id, &seller.owner).await;
        assert_eq!(seller_view.status, "paid");
    }

    async fn forged_foreign_key_and_wrong_amount_notifications_pay_nothing(g) {
        let (buyer, _, order, no) = paying_by_h5(&g).await;
        let trade = g.wechat.pay(&no, order.total);
        let mut resource = json!({
            "appid": wechat::APP_ID, "mchid": wechat::MCH_ID, "out_trade_no": no,
            "transaction_id": "4200000000000000000000000001", "trade_type": "MWEB",
            "trade_state": "SUCCESS", "trade_state_desc": "ok",
            "success_time": "2026-12-06T10:00:00+08:00",
            "amount": {"total": order.total, "payer_total": order.total, "currency": "CNY", "payer_currency": "CNY"},
            "payer": {"openid": "o1"},
        });
        let forged = g.wechat.notification("TRANSACTION.SUCCESS", &resource, &NotifyOptions { forged: true, ..Default::default() });
        let foreign = g.wechat.notification("TRANSACTION.SUCCESS", &resource, &NotifyOptions { serial: Some("PUB_KEY_ID_SOMEONE_ELSE".into()), ..Default::default() });
        resource["amount"]["total"] = json!(1);
        resource["amount"]["payer_total"] = json!(1);
        let cheap = g.wechat.notification("TRANSACTION.SUCCESS", &resource, &NotifyOptions::default());

        // Refused as the sender's fault, never as ours: 401 what does not verify, 400 what
        // verifies but cannot be applied.
        for (what, d, status) in [("forged", &forged, 401), ("another key", &foreign, 401), ("another amount", &cheap, 400)] {
            let r = deliver(&g.app, d).await;
            assert_eq!(r.status, status, "{what}: {}", r.text);
            assert_eq!(r.body["code"], "FAIL", "{what}: {}", r.text);
        }

        assert_eq!(g.app.order(order.id, &buyer).await.status, "pending_payment");
        assert_eq!(g.app.count("payments", "1=1").await, 0);
        // The genuine one still pays.
        deliver(&g.app, &trade).await.expect_status(200);
        assert_eq!(g.app.order(order.id, &buyer).await.status, "paid");
    }

    async fn inside_wechat_the_buyer_is_authorised_once_and_pays_with_the_jsapi_sheet(g) {
        let (buyer, _, order) = gateway_order(&g.app).await;
        let r = pay(&g.app, &buyer, order.id, None, WECHAT).await;
        r.expect_status(409);
        assert_eq!(r.code(), "wechat_authorization_needed");

        let go = g.app.get(&format!("/api/v1/payments/wechat/authorize?order={}", order.id), Some(&buyer.token)).await;
        go.expect_status(303);
        let to_wechat = go.header("location").unwrap_or_default().to_owned();
        assert!(to_wechat.starts_with(&format!("{}/connect/oauth2/authorize?appid={}", g.wechat.base, wechat::APP_ID)), "{to_wechat}");
        assert!(to_wechat.contains("scope=snsapi_base") && to_wechat.ends_with("#wechat_redirect"), "{to_wechat}");
        assert!(!to_wechat.contains(wechat::APP_SECRET));
        let back = g.app.http.get(to_wechat.split('#').next().unwrap_or_default()).send().await.expect("WeChat answers");
        assert_eq!(back.status().as_u16(), 302);
        let back_to = back.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let query = back_to.split_once('?').map(|(_, q)| q).unwrap_or_default().to_owned();
        // Someone else cannot attach the code to their account with this state.
        let stranger = g.app.consumer().await;
        let r = g.app.get(&format!("/api/v1/payments/wechat/oauth?{query}"), Some(&stranger.token)).await;
        r.expect_status(422);
        let r = g.app.get(&format!("/api/v1/payments/wechat/oauth?{query}"), Some(&buyer.token)).await;
        r.expect_status(303);
        assert_eq!(r.header("location"), Some(format!("/order.html?id={}&pay=wechat", order.id).as_str()));
        // The code works once.
        g.app.get(&format!("/api/v1/payments/wechat/oauth?{query}"), Some(&buyer.token)).await.expect_status(422);

        let r = pay(&g.app, &buyer, order.id, None, WECHAT).await;

        r.expect_status(200);
        assert_eq!(r.str("provider"), "wechat");
        let params = &r.body["client_params"];
        assert_eq!(params["appId"], wechat::APP_ID, "{}", r.text);
        assert_eq!(params["signType"], "RSA");
        let prepay = params["package"].as_str().unwrap_or_default().trim_start_matches("prepay_id=");
        assert_eq!(g.wechat.trade_of_prepay(prepay), Some(out_trade_no(&r)));
        assert_eq!(g.wechat.trade(&out_trade_no(&r)).map(|t| t.trade_type), Some("JSAPI"));
        assert_eq!(g.app.count("wechat_openids", &format!("openid = '{}'", g.wechat.openid())).await, 1);
    }

    async fn alipay_opens_the_phone_or_computer_cashier_and_its_notification_pays(g) {
        let (buyer, _, order) = gateway_order(&g.app).await;
        let phone = pay(&g.app, &buyer, order.id, Some("alipay"), ANDROID).await;
        phone.expect_status(200);
        assert!(phone.str("pay_url").contains("alipay.trade.wap.pay"), "{}", phone.text);
        let computer = pay(&g.app, &buyer, order.id, Some("alipay"), DESKTOP).await;
        assert!(computer.str("pay_url").contains("alipay.trade.page.pay"), "{}", computer.text);
        // The buyer opens the cashier: the trade exists at Alipay from then on.
        let opened = g.app.http.get(computer.str("pay_url")).send().await.expect("the cashier opens");
        assert!(opened.status().is_success() || opened.status().is_redirection(), "{}", opened.status());
        let no = out_trade_no(&computer);

        let body = g.alipay.pay(&no, order.total);
        let r = g.app.post_raw(ALI_HOOK, "application/x-www-form-urlencoded", body.clone(), None).await;

        r.expect_status(200);
        assert_eq!(r.text, "success");
        assert_eq!(g.app.order(order.id, &buyer).await.status, "paid");
        let r = g.app.post_raw(ALI_HOOK, "application/x-www-form-urlencoded", body, None).await;
        assert_eq!(r.text, "success", "a replay is acknowledged");
        assert_eq!(g.app.count("payments", "channel = 'alipay'").await, 1);
    }

    async fn junk_and_tampered_notifications_are_refused_in_each_providers_words_never_as_our_failure(g) {
        let (buyer, _, order) = gateway_order(&g.app).await;
        let computer = pay(&g.app, &buyer, order.id, Some("alipay"), DESKTOP).await;
        let opened = g.app.http.get(computer.str("pay_url")).send().await.expect("the cashier opens");
        assert!(opened.status().is_success() || opened.status().is_redirection(), "{}", opened.status());
        let no = out_trade_no(&computer);
        let genuine = g.alipay.pay(&no, order.total);
        let tampered = String::from_utf8(genuine.clone())
            .expect("a form is text")
            .replace("total_amount=", "total_amount=0")
            .into_bytes();
        let form = "application/x-www-form-urlencoded";
        let junk: Vec<(&str, &str, Vec<u8>)> = vec![
            // What a fuzzer sent (schemathesis found this answered 500 `internal`).
            ("json with control characters", "application/json", b"{\"event_id\":\"\x01\x02\x1f\",\"a\":\"\x00\"}".to_vec()),
            ("empty", "application/json", Vec::new()),
            ("form without a signature", form, b"notify_id=1&out_trade_no=x&trade_no=y&total_amount=1.00".to_vec()),
            ("not utf-8", form, vec![0xff, 0xfe, b'=', 0x80]),
            ("tampered amount", form, tampered),
        ];
        for (what, ct, body) in junk {
            let r = g.app.post_raw(ALI_HOOK, ct, body.clone(), None).await;
            assert_eq!((r.status, r.text.as_str()), (400, "fail"), "alipay, {what}");
            assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/plain")), "alipay, {what}");
            // WeChat Pay: without its signature headers nothing verifies (401 `FAIL`).
            let r = g.app.post_raw(WX_HOOK, ct, body, None).await;
            assert_eq!(r.status, 401, "wechat, {what}: {}", r.text);
            assert_eq!(r.body["code"], "FAIL", "wechat, {what}");
        }
        assert_eq!(g.app.order(order.id, &buyer).await.status, "pending_payment");
        assert_eq!(g.app.count("payments", "1=1").await, 0);
        // The genuine notification still pays.
        let r = g.app.post_raw(ALI_HOOK, form, genuine, None).await;
        assert_eq!((r.status, r.text.as_str()), (200, "success"));
        assert_eq!(g.app.order(order.id, &buyer).await.status, "paid");
    }

    async fn a_lost_notification_is_settled_by_the_query_job_once_the_provider_is_back(g) {
        let (buyer, _, order, no) = paying_by_h5(&g).await;
        // Paid at WeChat; the notification is lost, and WeChat Pay is down when we ask.
        let lost = g.wechat.pay(&no, order.total);
        g.wechat.set_mode(Mode::Down);
        let before = g.wechat.requests();
        g.app.clock.advance(chrono::Duration::minutes(6));
        g.app.state.infra.outbox.wake();
        until_asked(&g.wechat, before).await;

        let seen = g.app.order(order.id, &buyer).await;
        assert_eq!(seen.status, "pending_payment");
        assert!(seen.can_pay, "the order stays payable while the provider is down");

        g.wechat.set_mode(Mode::Normal);
        g.app.clock.advance(chrono::Duration::minutes(1));
        g.app.state.infra.outbox.wake();
        g.app.outbox_drained().await;
        for _ in 0..100 {
            if g.app.order(order.id, &buyer).await.status == "paid" { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(g.app.order(order.id, &buyer).await.status, "paid");

        // The notification turns up after all: the same payment, acknowledged.
        let r = deliver(&g.app, &lost).await;
        r.expect_status(200);
        assert_eq!(g.app.count("payments", "1=1").await, 1);
        assert_eq!(g.app.count("refunds", "1=1").await, 0);
    }

    async fn an_order_that_lapses_unpaid_has_its_trade_closed_at_the_provider(g) {
        let (buyer, _, order, no) = paying_by_h5(&g).await;

        g.app.clock.advance(chrono::Duration::minutes(31));
        g.app.state.infra.outbox.wake();
        g.app.outbox_drained().await;

        assert_eq!(g.app.order(order.id, &buyer).await.status, "expired");
        assert_eq!(g.wechat.trade(&no).map(|t| t.state), Some("CLOSED".to_owned()));
    }

    async fn refunds_go_back_through_wechat_and_its_notifications_settle_them(g) {
        let (buyer, _, order, no) = paying_by_h5(&g).await;
        deliver(&g.app, &g.wechat.pay(&no, order.total)).await.expect_status(200);
        let operator = g.app.operator().await;
        let sub = order.part().id;
        let refund = |amount: i64, key: &'static str| {
            let req = g.app.http.post(g.app.url(&format!("/api/v1/sub-orders/{sub}/refunds")))
                .bearer_auth(&operator.token)
                .header("idempotency-key", key)
                .json(&json!({"amount": amount, "reason": "压坏了"}));
            g.app.send(req)
        };
        refund(100, "r1").await.expect_status(200);
        refund(50, "r2").await.expect_status(200);
        g.app.outbox_drained().await;
        let ids: Vec<String> = {
            let seen = g.app.get(&format!("/api/v1/orders/{}", order.id), Some(&buyer.token)).await;
            seen.arr("refunds").iter().map(|r| r["id"].as_str().unwrap_or_default().replace('-', "")).collect()
        };
        assert_eq!(ids.len(), 2);
        for id in &ids {
            assert_eq!(g.wechat.refund(id).map(|r| r.status), Some("PROCESSING".to_owned()), "taken by WeChat");
        }
        assert_eq!(g.app.count("refunds", "status = 'pending'").await, 2, "on its way, not yet back");

        // A notice with another amount, then the genuine ones, one of them twice.
        let mut wrong = json!({"mchid": wechat::MCH_ID, "out_trade_no": no, "transaction_id": g.wechat.trade(&no).and_then(|t| t.transaction_id),
            "out_refund_no": ids[0], "refund_id": "50300000000000000000000001", "refund_status": "SUCCESS",
            "success_time": "2026-12-06T10:00:00+08:00", "user_received_account": "支付用户零钱",
            "amount": {"total": order.total, "refund": 99_999, "payer_total": order.total, "payer_refund": 99_999}});
        let r = deliver(&g.app, &g.wechat.notification("REFUND.SUCCESS", &wrong, &NotifyOptions::default())).await;
        assert!(r.status >= 400, "{}", r.text);
        wrong["amount"]["refund"] = json!(100);
        let forged = g.wechat.notification("REFUND.SUCCESS", &wrong, &NotifyOptions { forged: true, ..Default::default() });
        assert!(deliver(&g.app, &forged).await.status >= 400);
        assert_eq!(g.app.count("refunds", "status = 'pending'").await, 2);

        let back = g.wechat.settle_refund(&ids[0], "SUCCESS");
        deliver(&g.app, &back).await.expect_status(200);
        deliver(&g.app, &back).await.expect_status(200);
        deliver(&g.app, &g.wechat.settle_refund(&ids[1], "ABNORMAL")).await.expect_status(200);

        let seen = g.app.get(&format!("/api/v1/orders/{}", order.id), Some(&buyer.token)).await;
        let statuses: Vec<&str> = seen.arr("refunds").iter().map(|r| r["status"].as_str().unwrap_or_default()).collect();
        assert_eq!(statuses, vec!["succeeded", "failed"], "{}", seen.text);
        assert_eq!(g.app.count("refunds", "status = 'failed' AND failure = 'ABNORMAL'").await, 1);
    }

    async fn a_refund_notice_before_the_payments_own_notification_changes_nothing_twice(g) {
        let (buyer, _, order, no) = paying_by_h5(&g).await;
        // The payment's notification is held back; the query job finds it paid.
        let late = g.wechat.pay(&no, order.total);
        g.app.clock.advance(chrono::Duration::minutes(6));
        g.app.state.infra.outbox.wake();
        g.app.outbox_drained().await;
        assert_eq!(g.app.order(order.id, &buyer).await.status, "paid");
        let operator = g.app.operator().await;
        let req = g.app.http.post(g.app.url(&format!("/api/v1/sub-orders/{}/refunds", order.part().id)))
            .bearer_auth(&operator.token).header("idempotency-key", "k1")
            .json(&json!({"amount": order.total, "reason": "缺货"}));
        g.app.send(req).await.expect_status(200);
        g.app.outbox_drained().await;
        let refund_id = g.app.get(&format!("/api/v1/orders/{}", order.id), Some(&buyer.token)).await
            .arr("refunds")[0]["id"].as_str().unwrap_or_default().replace('-', "");

        deliver(&g.app, &g.wechat.settle_refund(&refund_id, "SUCCESS")).await.expect_status(200);
        let r = deliver(&g.app, &late).await;

        r.expect_status(200);
        assert_eq!(g.app.count("payments", "1=1").await, 1, "the late notice pays nothing again");
        assert_eq!(g.app.count("refunds", "status = 'succeeded'").await, 1, "and refunds nothing more");
        assert_eq!(g.app.order(order.id, &buyer).await.status, "paid");
    }

    async fn a_refund_whose_notification_never_comes_is_settled_by_asking_wechat(g) {
        let (buyer, _, order, no) = paying_by_h5(&g).await;
        deliver(&g.app, &g.wechat.pay(&no, order.total)).await.expect_status(200);
        let operator = g.app.operator().await;
        let req = g.app.http.post(g.app.url(&format!("/api/v1/sub-orders/{}/refunds", order.part().id)))
            .bearer_auth(&operator.token).header("idempotency-key", "q1")
            .json(&json!({"amount": 100, "reason": "少了一个"}));
        g.app.send(req).await.expect_status(200);
        g.app.outbox_drained().await;
        let refund_id = g.app.get(&format!("/api/v1/orders/{}", order.id), Some(&buyer.token)).await
            .arr("refunds")[0]["id"].as_str().unwrap_or_default().replace('-', "");
        assert_eq!(g.app.count("refunds", "status = 'pending'").await, 1);
        // WeChat pays it back; its notification is lost.
        let _lost = g.wechat.settle_refund(&refund_id, "SUCCESS");

        g.app.clock.advance(chrono::Duration::minutes(6));
        g.app.state.infra.outbox.wake();
        g.app.outbox_drained().await;

        for _ in 0..100 {
            if g.app.count("refunds", "status = 'succeeded'").await == 1 { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(g.app.count("refunds", "status = 'succeeded'").await, 1);
    }

    async fn finance_records_the_offline_channel_which_finance_and_the_operator_see_with_the_reference(g) {
        let seller = g.app.seller_with_listing().await;
        let buyer = g.app.consumer().await;
        let order = g.app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;
        let finance = g.app.finance().await;

        let r = g.app.post(&format!("/api/v1/orders/{}/offline-payment", order.id),
            json!({"reference": "COD-20261206-01", "channel": "cash_on_delivery"}), Some(&finance.token)).await;

        r.expect_status(200);
        let payments = r.arr("payments");
        assert_eq!(payments[0]["channel"], "cash_on_delivery", "{}", r.text);
        assert_eq!(payments[0]["reference"], "COD-20261206-01");
        let op = g.app.operator().await;
        let seen = g.app.get(&format!("/api/v1/orders/{}", order.id), Some(&op.token)).await;
        assert_eq!(seen.arr("payments")[0]["reference"], "COD-20261206-01");
        let mine = g.app.get(&format!("/api/v1/orders/{}", order.id), Some(&buyer.token)).await;
        assert_eq!(mine.arr("payments")[0]["channel"], "cash_on_delivery");
        assert!(mine.arr("payments")[0]["reference"].is_null(), "{}", mine.text);
        let theirs = g.app.get(&format!("/api/v1/orders/{}", order.id), Some(&seller.owner.token)).await;
        assert!(theirs.arr("payments").is_empty(), "{}", theirs.text);
        let bad = g.app.post(&format!("/api/v1/orders/{}/offline-payment", order.id),
            json!({"reference": "X-1", "channel": "cheque"}), Some(&finance.token)).await;
        assert!(bad.status == 422 || bad.status == 400, "{}", bad.text);
    }
}

/// Runs SQL behind the services' backs: what an insider, or a bug, does to the ledger.
async fn tamper(app: &TestApp, sql: &str) {
    use sea_orm::ConnectionTrait;
    app.state
        .infra
        .db
        .execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The run of `provider` for `day`, as finance sees the list.
async fn run_of(app: &TestApp, token: &str, provider: &str, day: &str) -> Value {
    let runs = app
        .get(
            &format!("/api/v1/reconciliation/runs?provider={provider}"),
            Some(token),
        )
        .await;
    runs.expect_status(200);
    runs.arr("items")
        .iter()
        .find(|r| r["date"] == day)
        .cloned()
        .unwrap_or_else(|| panic!("no {provider} run for {day}: {}", runs.text))
}

with_gateways! {
    async fn the_daily_job_compares_wechats_bill_with_the_ledger_and_every_disagreement_waits_for_a_person(g) {
        let app = &g.app;
        let day = app.today_in_china();
        // A: paid, and 1 yuan of it refunded back to the buyer: both agree with the bill.
        let (buyer, _, a, a_no) = paying_by_h5(&g).await;
        deliver(app, &g.wechat.pay(&a_no, a.total)).await.expect_status(200);
        let operator = app.operator().await;
        let req = app.http.post(app.url(&format!("/api/v1/sub-orders/{}/refunds", a.part().id)))
            .bearer_auth(&operator.token)
            .header("idempotency-key", "recon-a")
            .json(&json!({"amount": 100, "reason": "压坏了"}));
        app.send(req).await.expect_status(200);
        app.outbox_drained().await;
        let seen = app.get(&format!("/api/v1/orders/{}", a.id), Some(&buyer.token)).await;
        let refund_no = seen.str("refunds.0.id").replace('-', "");
        deliver(app, &g.wechat.settle_refund(&refund_no, "SUCCESS")).await.expect_status(200);
        // B: paid; then the ledger's amount is changed behind the service's back.
        let (_, _, b, b_no) = paying_by_h5(&g).await;
        deliver(app, &g.wechat.pay(&b_no, b.total)).await.expect_status(200);
        let b_tx = g.wechat.trade(&b_no).and_then(|t| t.transaction_id).expect("paid at WeChat");
        tamper(app, &format!("UPDATE payment_intents SET amount_fen = amount_fen + 1 WHERE transaction_id = '{b_tx}'")).await;
        // C: money WeChat took under an order number we never issued.
        let stranger = farmgate_infra::pay::wechat::WechatPay::new(g.wechat.config(), farmgate_infra::Clock::system()).expect("adapter");
        let c_no = "STRANGER0000000000000000000000C1".to_owned();
        stranger.h5_prepay(&farmgate_infra::pay::NewTrade {
            out_trade_no: c_no.clone(), description: "not ours".into(), amount_fen: 777,
            expires_at: chrono::Utc::now() + chrono::Duration::minutes(30),
        }, "203.0.113.7").await.expect("prepaid");
        let _never_delivered = g.wechat.pay(&c_no, 777);
        // E: a payment our ledger says WeChat took, that WeChat never took.
        let (_, _, _e, _e_no) = paying_by_h5(&g).await;
        tamper(app, "UPDATE payment_intents SET status = 'succeeded', transaction_id = '4200000000FAKE', completed_at = created_at WHERE status = 'pending'").await;
        let payments_before = app.count("payments", "1=1").await;

        // The next morning after 10:30 Beijing time, the daily job has run.
        app.clock.advance(chrono::Duration::hours(36));
        app.outbox_drained().await;

        let finance = app.finance().await;
        let run = run_of(app, &finance.token, "wechat", &day).await;
        assert_eq!(run["status"], "differences", "{run}");
        assert_eq!(run["triggered_by"], Value::Null, "the daily job, not a person");
        assert_eq!((run["bill_entries"].as_i64(), run["matched"].as_i64(), run["differences"].as_i64()), (Some(4), Some(2), Some(3)), "{run}");
        let detail = app.get(&format!("/api/v1/reconciliation/runs/{}", run["id"].as_str().unwrap_or_default()), Some(&finance.token)).await;
        detail.expect_status(200);
        let by_kind = |kind: &str| detail.arr("differences").iter().find(|d| d["kind"] == kind).cloned().unwrap_or_else(|| panic!("no {kind}: {}", detail.text));
        let mismatch = by_kind("amount_mismatch");
        assert_eq!(mismatch["out_trade_no"], json!(b_no));
        assert_eq!((mismatch["ours_fen"].as_i64(), mismatch["theirs_fen"].as_i64()), (Some(b.total + 1), Some(b.total)));
        let unknown = by_kind("unknown_trade");
        assert_eq!((unknown["out_trade_no"].as_str(), unknown["theirs_fen"].as_i64(), unknown["ours_fen"].as_i64()), (Some(c_no.as_str()), Some(777), None));
        let missing = by_kind("missing_in_bill");
        assert_eq!(missing["transaction_id"], "4200000000FAKE");
        assert_eq!(missing["theirs_fen"], Value::Null);
        // Alipay took nothing that day: an empty bill against an empty ledger agrees.
        let alipay = run_of(app, &finance.token, "alipay", &day).await;
        assert_eq!((alipay["status"].as_str(), alipay["bill_entries"].as_i64()), (Some("matched"), Some(0)), "{alipay}");

        // Nothing was "fixed": the ledger is as the insider left it, and no payment was made up.
        assert_eq!(app.count("payment_intents", &format!("transaction_id = '{b_tx}' AND amount_fen = {}", b.total + 1)).await, 1);
        assert_eq!(app.count("payments", "1=1").await, payments_before);
        // The day is done; its differences are resolved one by one, each once, with a note.
        let again = app.post("/api/v1/reconciliation/runs", json!({"provider": "wechat", "date": day}), Some(&finance.token)).await;
        again.expect_status(409);
        assert_eq!(again.code(), "already_reconciled");
        let path = format!("/api/v1/reconciliation/differences/{}/resolve", unknown["id"].as_str().unwrap_or_default());
        let short = app.post(&path, json!({"note": "x"}), Some(&finance.token)).await;
        short.expect_status(422);
        let seller_try = app.post(&path, json!({"note": "与我无关"}), Some(&app.consumer().await.token)).await;
        seller_try.expect_status(403);
        let note = json!({"note": "微信商户平台核实：非本平台订单，已联系微信退回"});
        let both = app.send_all(vec![
            app.http.post(app.url(&path)).bearer_auth(&finance.token).json(&note),
            app.http.post(app.url(&path)).bearer_auth(&operator.token).json(&note),
        ]).await;
        let mut statuses: Vec<u16> = both.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![200, 409], "resolved once");
        let open = app.get("/api/v1/reconciliation/differences", Some(&finance.token)).await;
        assert_eq!(open.i64("total"), 2, "{}", open.text);
        let resolved = app.get("/api/v1/reconciliation/differences?resolved=true", Some(&finance.token)).await;
        assert_eq!(resolved.str("items.0.resolution"), "微信商户平台核实：非本平台订单，已联系微信退回");
    }
}
