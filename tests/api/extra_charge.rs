//! Catch weight's consented extra charge (补差价, issue #22) through the real server on both
//! stacks: a line weighed above its tolerance asks its buyer for the part above it; the buyer
//! pays it through the gateway with a payment of its own (the signed notification settles it
//! once, however often and however concurrently it comes), or declines, or lets it lapse;
//! nothing is charged otherwise. Paid, it joins the part's money: refunds may give it back and
//! never more than was paid, and the platform's money identity holds.

use farmgate_orders::payment::{Outcome, WebhookEvent, signature_header};
use farmgate_tests::prelude::*;

const HOOK: &str = "/api/v1/payments/webhook/sandbox";
const SIG: &str = "farmgate-signature";
const CW: &str = "sub_orders.0.lines.0.catch_weight";
const XC: &str = "sub_orders.0.lines.0.catch_weight.extra_charge";

/// 白云山土鸡 整只约3斤 at ¥168.00, 1,500 g nominal a bird, 5 % tolerance.
fn chickens() -> Product {
    Product::boxes("白云山散养土鸡 冰鲜整只 约3斤", 16800, 40)
        .sku_name("整只约3斤")
        .catch_weight(1500, 50)
        .without_tiers()
}

/// Two birds (3,000 g nominal, ¥336.00) paid by bank transfer, weighed at 3,300 g: 150 g above
/// the 3,150 g limit, worth ¥336.00 × 150 / 3,000 = ¥16.80, asked of the buyer.
struct Asked {
    seller: SellerWithListing,
    buyer: Consumer,
    order: Uuid,
    sub: Uuid,
    charge: Uuid,
    total: i64,
}

const EXTRA: i64 = 1680;

async fn asked(app: &TestApp) -> Asked {
    let seller = app.verified_seller().with_listing(chickens()).await;
    let buyer = app.consumer().await;
    let order = app.paid_order(&buyer, &[(seller.sku, 2)]).await;
    let part = order.part();
    let (sub, line) = (part.id, part.lines[0].id);
    let w = app
        .post(
            &format!("/api/v1/order-lines/{line}/weight"),
            json!({"actual_grams": 3300}),
            Some(&seller.owner.token),
        )
        .await;
    w.expect_status(200);
    Asked {
        charge: w.uuid(&format!("{XC}.id")),
        total: order.total,
        order: order.id,
        sub,
        seller,
        buyer,
    }
}

async fn pay(app: &TestApp, who: &Session, charge: Uuid) -> Resp {
    app.post_empty(
        &format!("/api/v1/extra-charges/{charge}/pay?provider=sandbox"),
        Some(&who.token),
    )
    .await
}

async fn decline(app: &TestApp, who: &Session, charge: Uuid) -> Resp {
    app.post_empty(
        &format!("/api/v1/extra-charges/{charge}/decline"),
        Some(&who.token),
    )
    .await
}

async fn seen(app: &TestApp, a: &Asked) -> Resp {
    let r = app
        .get(&format!("/api/v1/orders/{}", a.order), Some(&a.buyer.token))
        .await;
    r.expect_status(200);
    r
}

/// A signed sandbox notification that `intent` was paid `amount` by `transaction`.
fn notification(
    app: &TestApp,
    event: &str,
    intent: Uuid,
    amount: i64,
    transaction: &str,
) -> reqwest::RequestBuilder {
    let body = serde_json::to_vec(&WebhookEvent {
        event_id: event.into(),
        intent_id: intent,
        outcome: Outcome::Succeeded,
        amount_fen: amount,
        transaction_id: transaction.into(),
    })
    .expect("json");
    let secret = app.state.orders.config().gateway_secret.clone();
    app.http
        .post(app.url(HOOK))
        .header("content-type", "application/json")
        .header(
            SIG,
            signature_header(secret.as_bytes(), app.clock.now().timestamp(), &body),
        )
        .body(body)
}

/// The buyer pays the charge on the sandbox gateway's page.
async fn paid(app: &TestApp, a: &Asked) -> Uuid {
    let intent = pay(app, &a.buyer, a.charge).await;
    intent.expect_status(200);
    let done = app
        .post(
            &format!("/api/v1/payments/sandbox/{}/complete", intent.id()),
            json!({"outcome": "succeeded"}),
            Some(&a.buyer.token),
        )
        .await;
    done.expect_status(200);
    assert_eq!(done.str("status"), "extra_paid", "{}", done.text);
    intent.id()
}

async fn pass(app: &TestApp, hours: i64) {
    app.clock.advance(chrono::Duration::hours(hours));
    app.state.infra.outbox.wake();
    app.outbox_drained().await;
}

both_backends! {
    async fn above_the_tolerance_the_buyer_is_asked_for_the_extra_with_both_weights(app) {
        let a = asked(&app).await;

        let o = seen(&app, &a).await;

        assert_eq!((o.i64(&format!("{CW}.nominal_grams")), o.i64(&format!("{CW}.actual_grams"))), (3000, 3300));
        assert_eq!(o.i64(&format!("{XC}.amount")), EXTRA);
        assert_eq!(o.str(&format!("{XC}.status")), "requested");
        assert!(o.bool(&format!("{XC}.open")));
        assert_eq!(o.i64("sub_orders.0.extra_paid"), 0);
        assert_eq!(app.count("payments", "1=1").await, 1, "nothing taken without consent");
        // The buyer is asked at once, in the notification centre, with a link to the order.
        app.outbox_drained().await;
        let n = app.get("/api/v1/notifications", Some(&a.buyer.token)).await;
        n.expect_status(200);
        let asks: Vec<&Value> = n.arr("items").iter().filter(|i| i.str("kind") == "extra_charge_requested").collect();
        assert_eq!(asks.len(), 1, "{}", n.text);
        assert_eq!(asks[0].str("link"), format!("/order.html?id={}", a.order));
        let seller = app.get("/api/v1/notifications", Some(&a.seller.owner.token)).await;
        assert!(!seller.text.contains("extra_charge_requested"), "the seller is not asked: {}", seller.text);
    }

    async fn the_buyer_pays_the_extra_with_a_payment_of_its_own_and_it_joins_the_part(app) {
        let a = asked(&app).await;

        let intent = pay(&app, &a.buyer, a.charge).await;
        intent.expect_status(200);
        assert_eq!(intent.i64("amount"), EXTRA, "the extra, not the order's total");
        assert_eq!(intent.uuid("extra_charge_id"), a.charge);
        // The same tap again is the same payment.
        assert_eq!(pay(&app, &a.buyer, a.charge).await.id(), intent.id());
        let done = app.post(&format!("/api/v1/payments/sandbox/{}/complete", intent.id()), json!({"outcome": "succeeded"}), Some(&a.buyer.token)).await;
        done.expect_status(200);
        assert_eq!(done.str("status"), "extra_paid");

        let o = seen(&app, &a).await;
        assert_eq!(o.str(&format!("{XC}.status")), "paid");
        assert!(!o.bool(&format!("{XC}.open")));
        assert_eq!(o.i64("sub_orders.0.extra_paid"), EXTRA);
        assert_eq!(o.i64("total"), a.total, "the order's record is not rewritten");
        assert!(o.strings("events", "kind").contains(&"extra_paid".to_owned()));
        assert_eq!(app.count("payments", &format!("extra_charge_id IS NOT NULL AND amount_fen = {EXTRA}")).await, 1);
        // The part ships as usual.
        app.ship(&a.seller.owner, a.sub).await;
        // Paid: neither paid again nor declined.
        let again = pay(&app, &a.buyer, a.charge).await;
        assert_eq!((again.status, again.code()), (409, "extra_charge_paid"));
        let no = decline(&app, &a.buyer, a.charge).await;
        assert_eq!((no.status, no.code()), (409, "extra_charge_paid"));
    }

    async fn only_the_orders_buyer_pays_or_declines_the_extra(app) {
        let a = asked(&app).await;
        let other = app.consumer().await;

        for r in [pay(&app, &other, a.charge).await, decline(&app, &other, a.charge).await,
                  pay(&app, &a.seller.owner, a.charge).await, decline(&app, &a.seller.owner, a.charge).await,
                  pay(&app, &a.buyer, Uuid::now_v7()).await] {
            assert_eq!((r.status, r.code()), (404, "not_found"), "{}", r.text);
        }
        let nobody = app.post_empty(&format!("/api/v1/extra-charges/{}/pay", a.charge), None).await;
        nobody.expect_status(401);
        // Another buyer cannot open the sandbox page of the buyer's extra either.
        let intent = pay(&app, &a.buyer, a.charge).await;
        let theirs = app.post(&format!("/api/v1/payments/sandbox/{}/complete", intent.id()), json!({"outcome": "succeeded"}), Some(&other.token)).await;
        theirs.expect_status(404);
        assert_eq!(seen(&app, &a).await.str(&format!("{XC}.status")), "requested");
    }

    async fn eight_notifications_of_one_payment_at_once_pay_the_extra_once(app) {
        let a = asked(&app).await;
        let intent = pay(&app, &a.buyer, a.charge).await.id();

        // The gateway's notification redelivered, and the query job's event for the same
        // transaction, all at once.
        let reqs = (0..8).map(|i| {
            let event = if i % 2 == 0 { "evt_x1".to_owned() } else { format!("query:SBXT{i}") };
            notification(&app, &event, intent, EXTRA, "SBXT1")
        }).collect();
        let answers = app.send_all(reqs).await;

        for r in &answers {
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let results: Vec<&str> = answers.iter().map(|r| r.str("result")).collect();
        assert_eq!(results.iter().filter(|r| **r == "extra_paid").count(), 1, "{results:?}");
        assert_eq!(app.count("payments", "extra_charge_id IS NOT NULL").await, 1);
        assert_eq!(app.count("refunds", "1=1").await, 0, "the same payment is never given back");
        let o = seen(&app, &a).await;
        assert_eq!(o.i64("sub_orders.0.extra_paid"), EXTRA);
    }

    async fn a_notification_with_another_amount_pays_nothing(app) {
        let a = asked(&app).await;
        let intent = pay(&app, &a.buyer, a.charge).await.id();

        for amount in [1, EXTRA - 1, EXTRA + 1, a.total] {
            let r = app.send(notification(&app, &format!("evt_{amount}"), intent, amount, "SBXT9")).await;
            assert_eq!((r.status, r.code()), (400, "amount_mismatch"), "{amount}: {}", r.text);
        }

        assert_eq!(seen(&app, &a).await.str(&format!("{XC}.status")), "requested");
        assert_eq!(app.count("payments", "1=1").await, 1);
    }

    async fn declined_nothing_is_charged_and_a_late_payment_goes_back_whole(app) {
        let a = asked(&app).await;
        let intent = pay(&app, &a.buyer, a.charge).await.id();

        let d = decline(&app, &a.buyer, a.charge).await;
        d.expect_status(200);
        assert_eq!(d.str(&format!("{XC}.status")), "declined");
        decline(&app, &a.buyer, a.charge).await.expect_status(200);
        let after = pay(&app, &a.buyer, a.charge).await;
        assert_eq!((after.status, after.code()), (409, "extra_charge_closed"));

        // The buyer had paid at the gateway a moment before declining: the money goes back.
        let late = app.send(notification(&app, "evt_late", intent, EXTRA, "SBXLATE")).await;
        late.expect_status(200);
        assert_eq!(late.str("result"), "refunded_extra");
        let o = seen(&app, &a).await;
        assert_eq!(o.str(&format!("{XC}.status")), "declined");
        assert_eq!(o.i64("sub_orders.0.extra_paid"), 0);
        assert_eq!(app.count("payments", "extra_charge_id IS NOT NULL").await, 0);
        assert_eq!(app.count("refunds", &format!("amount_fen = {EXTRA} AND sub_order_id IS NULL AND idempotency_key = 'stray:SBXLATE'")).await, 1);
        assert!(o.strings("events", "kind").contains(&"extra_declined".to_owned()));
        // The part ships all the same.
        app.ship(&a.seller.owner, a.sub).await;
    }

    async fn unanswered_the_extra_lapses_as_declined_and_can_no_longer_be_paid(app) {
        let a = asked(&app).await;

        pass(&app, 23).await;
        assert_eq!(seen(&app, &a).await.str(&format!("{XC}.status")), "requested");
        pass(&app, 2).await;

        let o = seen(&app, &a).await;
        assert_eq!(o.str(&format!("{XC}.status")), "expired");
        let late = pay(&app, &a.buyer, a.charge).await;
        assert_eq!((late.status, late.code()), (409, "extra_charge_closed"));
        let no = decline(&app, &a.buyer, a.charge).await;
        assert_eq!((no.status, no.code()), (409, "extra_charge_closed"));
        assert_eq!(app.count("payments", "1=1").await, 1);
    }

    async fn a_seller_has_nothing_to_charge_without_an_over_tolerance_weighing(app) {
        let seller = app.verified_seller().with_listing(chickens()).await;
        let buyer = app.consumer().await;
        let light = app.paid_order(&buyer, &[(seller.sku, 2)]).await;
        let within = app.paid_order(&buyer, &[(seller.sku, 2)]).await;
        for (o, grams) in [(&light, 2900), (&within, 3150)] {
            app.post(&format!("/api/v1/order-lines/{}/weight", o.part().lines[0].id), json!({"actual_grams": grams}), Some(&seller.owner.token))
                .await
                .expect_status(200);
        }

        assert_eq!(app.count("extra_charges", "1=1").await, 0);
        let o = app.get(&format!("/api/v1/orders/{}", within.id), Some(&buyer.token)).await;
        assert!(o.at(XC).is_null());
        // A seller may not pay a charge into being for the buyer either.
        let r = app.post_empty(&format!("/api/v1/extra-charges/{}/pay", Uuid::now_v7()), Some(&seller.owner.token)).await;
        r.expect_status(404);
    }

    async fn a_refund_may_give_the_extra_back_and_never_more_than_was_paid(app) {
        let a = asked(&app).await;
        paid(&app, &a).await;
        let operator = app.operator().await;
        let refund = |amount: i64, key: &'static str| {
            let req = app.http.post(app.url(&format!("/api/v1/sub-orders/{}/refunds", a.sub)))
                .bearer_auth(&operator.token)
                .header("idempotency-key", key)
                .json(&json!({"amount": amount, "reason": "多退少补之后整单退款"}));
            app.send(req)
        };

        let over = refund(a.total + EXTRA + 1, "r0").await;
        over.expect_status(422);
        assert_eq!(over.field_code("amount"), Some("out_of_range"));
        let all = refund(a.total + EXTRA, "r1").await;
        all.expect_status(200);
        // The same request again is the same refund.
        refund(a.total + EXTRA, "r1").await.expect_status(200);
        let more = refund(1, "r2").await;
        assert_eq!(more.status, 422, "{}", more.text);

        let o = seen(&app, &a).await;
        assert_eq!(o.i64("sub_orders.0.refunded"), a.total + EXTRA);
        assert_eq!(o.i64(&format!("{XC}.refunded")), EXTRA);
        // One ledger row per payment it goes back against: the order's and the extra's.
        assert_eq!(app.count("refunds", "1=1").await, 2);
        // (Identified by key: `provider_ref` becomes the provider's refund number once settled.)
        assert_eq!(app.count("refunds", &format!("idempotency_key = 'r1' AND amount_fen = {} AND provider = 'offline'", a.total)).await, 1);
        assert_eq!(app.count("refunds", &format!("idempotency_key LIKE 'x1:%' AND amount_fen = {EXTRA} AND provider = 'sandbox'")).await, 1);
        assert_eq!(app.scalar("SELECT SUM(seller_fen) FROM refunds").await, a.total + EXTRA);
    }

    async fn a_part_called_off_after_the_extra_was_paid_refunds_the_extra_too(app) {
        let a = asked(&app).await;
        paid(&app, &a).await;

        pass(&app, 49).await;
        let r = app.post(&format!("/api/v1/sub-orders/{}/cancel", a.sub), json!({}), Some(&a.buyer.token)).await;

        r.expect_status(200);
        let o = seen(&app, &a).await;
        assert_eq!(o.str("sub_orders.0.status"), "cancelled");
        assert_eq!(o.i64("sub_orders.0.refunded"), a.total + EXTRA);
        assert_eq!(o.i64(&format!("{XC}.refunded")), EXTRA);
    }

    async fn the_paid_extra_joins_the_sellers_statement_and_the_platforms_money_identity(app) {
        let a = asked(&app).await;
        paid(&app, &a).await;
        app.ship(&a.seller.owner, a.sub).await;
        app.receive(&a.buyer, a.sub).await;
        let day = app.today_in_china();

        let m = app.get(&format!("/api/v1/platform/money?from={day}&to={day}"), Some(&app.finance().await.token)).await;

        m.expect_status(200);
        assert_eq!(m.i64("received"), a.total + EXTRA);
        assert_eq!(
            m.i64("received"),
            m.i64("refunds.total") + m.i64("commission") + m.i64("owed") - m.i64("platform_expense") - m.i64("carrier_recourse"),
            "{}", m.text
        );
        let st = app.get(&format!("/api/v1/orgs/{}/settlement?from={day}&to={day}", a.seller.org), Some(&a.seller.owner.token)).await;
        st.expect_status(200);
        assert_eq!(st.i64("totals.sales"), a.total + EXTRA);
        assert_eq!(st.i64("totals.sales") - st.i64("totals.refunds_seller") - st.i64("totals.commission"), st.i64("totals.payable") + st.i64("totals.pending"));
        assert_eq!(app.scalar("SELECT SUM(amount_fen) FROM payments").await, a.total + EXTRA, "the ledger holds both payments");
    }
}
