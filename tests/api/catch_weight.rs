//! Catch weight (多退少补, issue #22) through the real server on both stacks: a SKU sold by
//! nominal net weight with a tolerance, a line weighed once at packing, a light line refunded at
//! once through the refund ledger (exact to the fen, rounded up for the buyer), nothing charged
//! above nominal without the buyer's consent, shipping waiting for the weight, the trace record
//! showing both weights, and the money identity of docs/MONEY.md holding afterwards.

use farmgate_tests::prelude::*;

/// 白云山土鸡 整只约3斤 at ¥168.00, 1,500 g nominal a bird, 5 % tolerance.
fn chickens() -> Product {
    Product::boxes("白云山散养土鸡 冰鲜整只 约3斤", 16800, 40)
        .sku_name("整只约3斤")
        .catch_weight(1500, 50)
        .without_tiers()
}

/// A paid order of two birds (3,000 g nominal, ¥336.00), not yet shipped.
struct Weighable {
    seller: SellerWithListing,
    buyer: Consumer,
    order: Uuid,
    sub: Uuid,
    line: Uuid,
}

async fn two_birds_paid(app: &TestApp) -> Weighable {
    let seller = app.verified_seller().with_listing(chickens()).await;
    let buyer = app.consumer().await;
    let order = app.paid_order(&buyer, &[(seller.sku, 2)]).await;
    let part = order.part();
    Weighable {
        sub: part.id,
        line: part.lines[0].id,
        order: order.id,
        seller,
        buyer,
    }
}

async fn weigh(app: &TestApp, who: &Session, line: Uuid, grams: i64) -> Resp {
    app.post(
        &format!("/api/v1/order-lines/{line}/weight"),
        json!({"actual_grams": grams}),
        Some(&who.token),
    )
    .await
}

async fn order_json(app: &TestApp, id: Uuid, who: &Session) -> Resp {
    let r = app
        .get(&format!("/api/v1/orders/{id}"), Some(&who.token))
        .await;
    r.expect_status(200);
    r
}

both_backends! {
    async fn the_listing_shows_a_sku_sold_by_catch_weight_with_its_tolerance(app) {
        let seller = app.verified_seller().with_listing(chickens()).await;

        let l = app.get(&format!("/api/v1/listings/{}", seller.listing), None).await;

        l.expect_status(200);
        assert_eq!(l.i64("skus.0.net_weight_grams"), 1500);
        assert_eq!(l.i64("skus.0.catch_tolerance_permille"), 50);
    }

    async fn a_catch_weight_needs_a_nominal_net_weight_and_a_tolerance_of_one_to_two_hundred_per_mille(app) {
        let seller = app.verified_seller().await;
        let category = app.category("citrus").await;
        let mut no_net = chickens().body(category);
        no_net["skus"][0].as_object_mut().unwrap().remove("net_weight_grams");
        let r = app.post(&format!("/api/v1/orgs/{}/listings", seller.org), no_net, Some(&seller.owner.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("skus[0].net_weight_grams"), Some("net_weight_required"), "{}", r.text);

        for bad in [0, -1, 201, 1_000_000] {
            let mut body = chickens().body(category);
            body["skus"][0]["catch_tolerance_permille"] = json!(bad);
            let r = app.post(&format!("/api/v1/orgs/{}/listings", seller.org), body, Some(&seller.owner.token)).await;
            r.expect_status(422);
            assert_eq!(r.field_code("skus[0].catch_tolerance_permille"), Some("out_of_range"), "{bad}: {}", r.text);
        }
        assert_eq!(app.count("listings", "1=1").await, 0, "nothing half-written");
    }

    async fn the_line_snapshots_the_nominal_weight_and_waits_to_be_weighed(app) {
        let w = two_birds_paid(&app).await;

        let o = order_json(&app, w.order, &w.buyer).await;

        let cw = "sub_orders.0.lines.0.catch_weight";
        assert_eq!(o.i64(&format!("{cw}.nominal_grams")), 3000);
        assert_eq!(o.i64(&format!("{cw}.tolerance_permille")), 50);
        assert!(o.at(&format!("{cw}.actual_grams")).is_null());
    }

    async fn a_light_line_is_refunded_its_share_at_once_exact_to_the_fen(app) {
        let w = two_birds_paid(&app).await;

        let r = weigh(&app, &w.seller.owner, w.line, 2900).await;

        r.expect_status(200);
        // ¥336.00 × 100 g / 3,000 g = ¥11.20 exactly.
        let o = order_json(&app, w.order, &w.buyer).await;
        let cw = "sub_orders.0.lines.0.catch_weight";
        assert_eq!(o.i64(&format!("{cw}.actual_grams")), 2900);
        assert_eq!(o.str(&format!("{cw}.outcome")), "light");
        assert_eq!(o.i64(&format!("{cw}.refund")), 1120);
        assert_eq!(o.i64("sub_orders.0.refunded"), 1120);
        assert_eq!(o.i64("refunded"), 1120);
        assert!(o.strings("events", "kind").contains(&"weighed".to_owned()));
        assert_eq!(app.count("refunds", "amount_fen = 1120 AND seller_fen = 1120").await, 1);
    }

    async fn a_refund_is_rounded_up_to_the_fen_in_the_buyers_favour(app) {
        let w = two_birds_paid(&app).await;

        weigh(&app, &w.seller.owner, w.line, 2999).await.expect_status(200);

        // ¥336.00 × 1 g / 3,000 g = 11.2 fen → 12 fen.
        let o = order_json(&app, w.order, &w.seller.owner).await;
        assert_eq!(o.i64("sub_orders.0.refunded"), 12);
        assert_eq!(o.i64("sub_orders.0.lines.0.catch_weight.refund"), 12);
    }

    async fn within_the_tolerance_nothing_changes_hands(app) {
        let w = two_birds_paid(&app).await;

        weigh(&app, &w.seller.owner, w.line, 3150).await.expect_status(200);

        let o = order_json(&app, w.order, &w.buyer).await;
        assert_eq!(o.str("sub_orders.0.lines.0.catch_weight.outcome"), "within");
        assert_eq!(o.i64("sub_orders.0.refunded"), 0);
        assert_eq!(app.count("refunds", "1=1").await, 0);
    }

    async fn above_the_tolerance_the_extra_is_recorded_and_never_charged_without_consent(app) {
        let w = two_birds_paid(&app).await;
        let before = order_json(&app, w.order, &w.buyer).await;

        weigh(&app, &w.seller.owner, w.line, 3300).await.expect_status(200);

        // 150 g above the 3,150 g limit: ¥336.00 × 150 / 3,000 = ¥16.80 — recorded, not taken.
        let o = order_json(&app, w.order, &w.buyer).await;
        assert_eq!(o.str("sub_orders.0.lines.0.catch_weight.outcome"), "over");
        assert_eq!(o.i64("sub_orders.0.lines.0.catch_weight.extra"), 1680);
        assert_eq!(o.i64("total"), before.i64("total"));
        assert_eq!(o.i64("sub_orders.0.total"), before.i64("sub_orders.0.total"));
        assert_eq!(app.count("payments", "1=1").await, 1, "the one payment of the order");
    }

    async fn a_retried_weighing_is_answered_and_refunds_once(app) {
        let w = two_birds_paid(&app).await;

        weigh(&app, &w.seller.owner, w.line, 2900).await.expect_status(200);
        weigh(&app, &w.seller.owner, w.line, 2900).await.expect_status(200);

        assert_eq!(order_json(&app, w.order, &w.buyer).await.i64("refunded"), 1120);
        assert_eq!(app.count("refunds", "1=1").await, 1);
    }

    async fn another_weight_for_a_weighed_line_is_refused(app) {
        let w = two_birds_paid(&app).await;
        weigh(&app, &w.seller.owner, w.line, 2900).await.expect_status(200);

        let r = weigh(&app, &w.seller.owner, w.line, 2500).await;

        r.expect_status(409);
        assert_eq!(r.code(), "already_weighed");
        assert_eq!(order_json(&app, w.order, &w.buyer).await.i64("refunded"), 1120);
    }

    async fn eight_weighings_sent_at_once_make_one_entry_and_one_refund(app) {
        let w = two_birds_paid(&app).await;

        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for i in 0..8 {
            let grams = if i % 2 == 0 { 2900 } else { 2800 };
            let (app, owner, line) = (app.clone(), w.seller.owner.clone(), w.line);
            tasks.push(tokio::spawn(async move { (grams, weigh(&app, &owner, line, grams).await) }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.push(t.await.expect("task"));
        }

        let won: Vec<i64> = all.iter().filter(|(_, r)| r.status == 200).map(|(g, _)| *g).collect();
        assert!(!won.is_empty(), "someone weighs it");
        assert!(won.iter().all(|g| *g == won[0]), "only one weight is ever accepted: {won:?}");
        for (_, r) in all.iter().filter(|(_, r)| r.status != 200) {
            assert_eq!((r.status, r.code()), (409, "already_weighed"), "{}", r.text);
        }
        let expected = if won[0] == 2900 { 1120 } else { 2240 };
        assert_eq!(order_json(&app, w.order, &w.buyer).await.i64("refunded"), expected);
        assert_eq!(app.count("refunds", "1=1").await, 1);
        assert_eq!(app.count("catch_weights", "1=1").await, 1);
    }

    async fn zero_negative_and_absurd_weights_are_refused_and_nothing_is_written(app) {
        let w = two_birds_paid(&app).await;

        for grams in [0, -500, 6001, i64::MAX] {
            let r = weigh(&app, &w.seller.owner, w.line, grams).await;
            r.expect_status(422);
            assert_eq!(r.field_code("actual_grams"), Some("out_of_range"), "{grams}: {}", r.text);
        }
        let r = app.post(&format!("/api/v1/order-lines/{}/weight", w.line), json!({"actual_grams": "3 斤"}), Some(&w.seller.owner.token)).await;
        assert!(r.status == 400 || r.status == 422, "{}", r.text);

        assert_eq!(app.count("catch_weights", "1=1").await, 0);
        assert_eq!(app.count("refunds", "1=1").await, 0);
    }

    async fn only_the_lines_own_seller_weighs_it(app) {
        let w = two_birds_paid(&app).await;
        let other = app.verified_seller().with_listing(chickens()).await;

        let theirs = weigh(&app, &other.owner, w.line, 2900).await;
        let buyers = weigh(&app, &w.buyer, w.line, 2900).await;
        let nobody = app.post(&format!("/api/v1/order-lines/{}/weight", w.line), json!({"actual_grams": 2900}), None).await;
        let missing = weigh(&app, &w.seller.owner, Uuid::now_v7(), 2900).await;

        theirs.expect_status(404);
        buyers.expect_status(404);
        nobody.expect_status(401);
        missing.expect_status(404);
        assert_eq!(app.count("catch_weights", "1=1").await, 0);
    }

    async fn a_line_sold_by_fixed_weight_is_not_weighed(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;

        let r = weigh(&app, &seller.owner, order.part().lines[0].id, 5000).await;

        r.expect_status(409);
        assert_eq!(r.code(), "not_sold_by_weight");
    }

    async fn an_unpaid_line_is_not_weighed(app) {
        let seller = app.verified_seller().with_listing(chickens()).await;
        let buyer = app.consumer().await;
        let placed = app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;

        let r = weigh(&app, &seller.owner, placed.part().lines[0].id, 1400).await;

        r.expect_status(409);
        assert_eq!(r.code(), "cannot_weigh");
        assert_eq!(app.count("refunds", "1=1").await, 0);
    }

    async fn shipping_waits_for_the_weight_and_a_shipped_line_keeps_it(app) {
        let w = two_birds_paid(&app).await;

        let r = app.post(&format!("/api/v1/sub-orders/{}/ship", w.sub), json!({"carrier": "顺丰速运", "tracking_no": "SF1400000022"}), Some(&w.seller.owner.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("weights"), Some("weight_required"), "{}", r.text);

        weigh(&app, &w.seller.owner, w.line, 2950).await.expect_status(200);
        app.ship(&w.seller.owner, w.sub).await;

        let late = weigh(&app, &w.seller.owner, w.line, 2900).await;
        late.expect_status(409);
        assert_eq!(late.code(), "already_weighed");
        let o = order_json(&app, w.order, &w.buyer).await;
        assert_eq!(o.str("sub_orders.0.status"), "shipped");
        assert_eq!(o.i64("sub_orders.0.lines.0.catch_weight.actual_grams"), 2950);
    }

    async fn the_trace_record_of_the_parcel_shows_both_weights(app) {
        let w = two_birds_paid(&app).await;
        let batch = app.inspected_batch(&w.seller).await;
        weigh(&app, &w.seller.owner, w.line, 2900).await.expect_status(200);

        app.ship_from_batch(&w.seller.owner, w.sub, w.line, batch.id).await;

        let public = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;
        public.expect_status(200);
        assert!(public.text.contains("标称净重 3000 克，实称 2900 克"), "{}", public.text);
        let page = app.get(&format!("/t/{}", batch.code), None).await;
        assert!(page.text.contains("实称 2900 克"), "the scan page shows it too");
    }

    async fn the_money_reconciles_after_a_catch_weight_refund(app) {
        let w = two_birds_paid(&app).await;
        weigh(&app, &w.seller.owner, w.line, 2900).await.expect_status(200);
        app.ship(&w.seller.owner, w.sub).await;
        app.receive(&w.buyer, w.sub).await;
        let day = app.today_in_china();
        let total = order_json(&app, w.order, &w.buyer).await.i64("total");

        let m = app.get(&format!("/api/v1/platform/money?from={day}&to={day}"), Some(&app.finance().await.token)).await;

        m.expect_status(200);
        assert_eq!(m.i64("received"), total);
        assert_eq!((m.i64("refunds.total"), m.i64("refunds.seller")), (1120, 1120));
        assert_eq!(
            m.i64("received"),
            m.i64("refunds.total") + m.i64("commission") + m.i64("owed") - m.i64("platform_expense") - m.i64("carrier_recourse"),
            "{}", m.text
        );
        let st = app.get(&format!("/api/v1/orgs/{}/settlement?from={day}&to={day}", w.seller.org), Some(&w.seller.owner.token)).await;
        st.expect_status(200);
        assert_eq!(st.i64("totals.refunds_seller"), 1120);
        assert_eq!(st.i64("totals.sales") - st.i64("totals.refunds_seller") - st.i64("totals.commission"), st.i64("totals.payable") + st.i64("totals.pending"));
    }
}
