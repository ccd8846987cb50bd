//! Pre-sales (订单农业, issue #22) through the real server on both stacks: a cooperative opens
//! a pre-sale of a planned harvest with its terms; buyers reserve and pay the deposit through
//! an ordinary order (the sandbox gateway here), never past the maximum however many reserve at
//! once; an unpaid deposit lapses and gives its quantity back; a deposit never ships; the money
//! identity of docs/MONEY.md holds with a paid deposit.

use farmgate_tests::prelude::*;

/// 赣南脐橙 of a cooperative, with an open pre-sale of `max` boxes at ¥60.00, 30 % deposit.
pub(crate) struct Opened {
    pub(crate) seller: SellerWithListing,
    pub(crate) presale: Uuid,
}

fn harvest_day(app: &TestApp, days: i64) -> String {
    (app.clock.now() + chrono::Duration::hours(8) + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn terms(app: &TestApp, sku: Uuid, max: i64) -> Value {
    json!({
        "sku_id": sku,
        "plot": "青石镇上坪村 3 号果园 20 亩",
        "harvest_from": harvest_day(app, 60),
        "harvest_to": harvest_day(app, 80),
        "expected_yield": 1000,
        "max_quantity": max,
        "price_fen": 6000,
        "deposit_percent": 30,
        "cancellation_rules": "付定金后 7 天内可取消并全额退定金；减产时未满足部分自动退定金。",
    })
}

pub(crate) async fn opened(app: &TestApp, max: i64) -> Opened {
    let seller = app.verified_seller().with_listing(Product::oranges()).await;
    let r = app
        .post(
            &format!("/api/v1/orgs/{}/presales", seller.org),
            terms(app, seller.sku, max),
            Some(&seller.owner.token),
        )
        .await;
    r.expect_status(201);
    Opened {
        presale: r.id(),
        seller,
    }
}

pub(crate) async fn reserve(app: &TestApp, buyer: &Consumer, presale: Uuid, quantity: i64) -> Resp {
    app.post(
        &format!("/api/v1/presales/{presale}/reservations"),
        json!({"quantity": quantity, "address_id": buyer.address, "payment_method": "gateway"}),
        Some(&buyer.token),
    )
    .await
}

/// The buyer pays a deposit order in the sandbox.
pub(crate) async fn pay_in_sandbox(app: &TestApp, buyer: &Session, order: Uuid) {
    let intent = app
        .post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&buyer.token))
        .await;
    intent.expect_status(200);
    app.post(
        &format!("/api/v1/payments/sandbox/{}/complete", intent.id()),
        json!({"outcome": "succeeded"}),
        Some(&buyer.token),
    )
    .await
    .expect_status(200);
}

pub(crate) async fn presale(app: &TestApp, id: Uuid) -> Resp {
    let r = app.get(&format!("/api/v1/presales/{id}"), None).await;
    r.expect_status(200);
    r
}

both_backends! {
    async fn a_cooperative_opens_a_presale_that_anyone_reads_with_its_terms(app) {
        let o = opened(&app, 600).await;

        let p = presale(&app, o.presale).await;
        assert_eq!(p.str("status"), "open");
        assert_eq!((p.i64("max_quantity"), p.i64("reserved_quantity"), p.i64("remaining")), (600, 0, 600));
        assert_eq!((p.i64("price_fen"), p.i64("deposit_percent"), p.i64("unit_deposit_fen")), (6000, 30, 1800));
        assert!(p.str("cancellation_rules").contains("退定金"), "{}", p.text);
        assert_eq!(p.str("listing_id"), o.seller.listing.to_string());
        let open = app.get("/api/v1/presales", None).await;
        open.expect_status(200);
        assert_eq!(open.i64("total"), 1);
        let mine = app.get(&format!("/api/v1/orgs/{}/presales", o.seller.org), Some(&o.seller.owner.token)).await;
        mine.expect_status(200);
        assert_eq!(mine.str("items.0.id"), o.presale.to_string());
    }

    async fn terms_out_of_range_are_each_named_and_nothing_is_written(app) {
        let seller = app.verified_seller().with_listing(Product::oranges()).await;
        let mut body = terms(&app, seller.sku, 2000);
        body["harvest_from"] = json!(harvest_day(&app, -1));
        body["price_fen"] = json!(0);
        body["deposit_percent"] = json!(101);
        body["cancellation_rules"] = json!("");

        let r = app.post(&format!("/api/v1/orgs/{}/presales", seller.org), body, Some(&seller.owner.token)).await;

        r.expect_status(422);
        for f in ["harvest_from", "price_fen", "deposit_percent", "cancellation_rules", "max_quantity"] {
            assert!(r.field_code(f).is_some(), "{f}: {}", r.text);
        }
        assert_eq!(app.count("presales", "1=1").await, 0);
    }

    async fn only_the_sellers_own_members_or_the_operator_open_a_presale_of_its_own_sku(app) {
        let seller = app.verified_seller().with_listing(Product::oranges()).await;
        let other = app.verified_seller().with_listing(Product::eggs()).await;
        let consumer = app.consumer().await;
        let path = format!("/api/v1/orgs/{}/presales", seller.org);

        let by_consumer = app.post(&path, terms(&app, seller.sku, 10), Some(&consumer.token)).await;
        let by_other_seller = app.post(&path, terms(&app, seller.sku, 10), Some(&other.owner.token)).await;
        let by_official = app.post(&path, terms(&app, seller.sku, 10), Some(&app.official().await.token)).await;
        let foreign_sku = app.post(&path, terms(&app, other.sku, 10), Some(&seller.owner.token)).await;
        let anonymous = app.post(&path, terms(&app, seller.sku, 10), None).await;

        by_consumer.expect_status(403);
        by_other_seller.expect_status(403);
        by_official.expect_status(403);
        anonymous.expect_status(401);
        foreign_sku.expect_status(422);
        assert_eq!(foreign_sku.field_code("sku_id"), Some("not_found"), "{}", foreign_sku.text);
        assert_eq!(app.count("presales", "1=1").await, 0);
        let by_operator = app.post(&path, terms(&app, seller.sku, 10), Some(&app.operator().await.token)).await;
        by_operator.expect_status(201);
        assert_eq!(by_operator.str("seller_org_id"), seller.org.to_string());
    }

    async fn a_buyer_reserves_and_pays_the_deposit_through_the_gateway(app) {
        let o = opened(&app, 600).await;
        let buyer = app.consumer().await;

        let r = reserve(&app, &buyer, o.presale, 7).await;
        r.expect_status(201);
        assert_eq!((r.str("status"), r.i64("deposit_fen")), ("pending", 7 * 1800));
        let order = r.uuid("deposit_order_id");
        assert_eq!(app.order(order, &buyer).await.total, 12_600);
        assert_eq!(presale(&app, o.presale).await.i64("remaining"), 593);
        pay_in_sandbox(&app, &buyer, order).await;

        let mine = app.get("/api/v1/me/reservations", Some(&buyer.token)).await;
        mine.expect_status(200);
        assert_eq!(mine.str("items.0.status"), "reserved", "{}", mine.text);
        assert_eq!(mine.i64("items.0.quantity"), 7);
        let paid = app.order(order, &buyer).await;
        assert_eq!(paid.status, "paid");
        let listing = app.listing(o.seller.listing, None).await;
        assert_eq!(listing.sales, 0, "a deposit sells nothing yet");
        let stranger = app.consumer().await;
        assert!(app.get("/api/v1/me/reservations", Some(&stranger.token)).await.i64("total") == 0);
    }

    async fn a_deposit_is_never_shipped_as_a_parcel(app) {
        let o = opened(&app, 600).await;
        let buyer = app.consumer().await;
        let order = reserve(&app, &buyer, o.presale, 2).await.uuid("deposit_order_id");
        pay_in_sandbox(&app, &buyer, order).await;
        let sub = app.order(order, &buyer).await.part().id;

        let r = app.post(
            &format!("/api/v1/sub-orders/{sub}/ship"),
            json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890"}),
            Some(&o.seller.owner.token),
        ).await;

        r.expect_status(409);
        assert_eq!(r.code(), "cannot_ship", "{}", r.text);
        assert_eq!(app.count("shipments", "1=1").await, 0);
    }

    async fn forty_buyers_racing_for_ten_units_reserve_exactly_ten(app) {
        let o = opened(&app, 10).await;
        let mut buyers = Vec::new();
        for _ in 0..40 {
            buyers.push(app.consumer().await);
        }

        let reqs = buyers
            .iter()
            .map(|b| {
                app.http
                    .post(app.url(&format!("/api/v1/presales/{}/reservations", o.presale)))
                    .bearer_auth(&b.token)
                    .json(&json!({"quantity": 1, "address_id": b.address, "payment_method": "gateway"}))
            })
            .collect();
        let answers = app.send_all(reqs).await;

        let won = answers.iter().filter(|r| r.status == 201).count();
        let full = answers.iter().filter(|r| r.status == 409 && r.code() == "presale_full").count();
        assert_eq!((won, full), (10, 30), "{:?}", answers.iter().map(|r| r.text.clone()).collect::<Vec<_>>());
        let p = presale(&app, o.presale).await;
        assert_eq!((p.i64("reserved_quantity"), p.i64("remaining")), (10, 0));
        assert_eq!(app.count("presale_reservations", "1=1").await, 10);
        assert_eq!(app.count("orders", "1=1").await, 10, "no deposit order without its reservation");
    }

    async fn one_buyer_asking_for_more_than_is_left_is_told_what_is_left(app) {
        let o = opened(&app, 10).await;
        let (a, b) = (app.consumer().await, app.consumer().await);
        reserve(&app, &a, o.presale, 8).await.expect_status(201);

        let r = reserve(&app, &b, o.presale, 3).await;

        r.expect_status(409);
        assert_eq!(r.code(), "presale_full");
        assert!(r.text.contains('2'), "{}", r.text);
    }

    async fn nobody_reserves_on_anothers_behalf_or_on_their_own_presale(app) {
        let o = opened(&app, 10).await;
        let (buyer, victim) = (app.consumer().await, app.consumer().await);
        let path = format!("/api/v1/presales/{}/reservations", o.presale);

        let with_victims_address = app.post(&path, json!({"quantity": 1, "address_id": victim.address, "payment_method": "gateway"}), Some(&buyer.token)).await;
        let naming_the_victim = app.post(&path, json!({"quantity": 1, "address_id": buyer.address, "payment_method": "gateway", "buyer_account_id": victim.account_id}), Some(&buyer.token)).await;
        let own_address = {
            let addr = app.post("/api/v1/me/addresses", address_body(), Some(&o.seller.owner.token)).await;
            addr.expect_status(201);
            app.post(&path, json!({"quantity": 1, "address_id": addr.id(), "payment_method": "gateway"}), Some(&o.seller.owner.token)).await
        };
        let anonymous = app.post(&path, json!({"quantity": 1, "address_id": buyer.address, "payment_method": "gateway"}), None).await;

        with_victims_address.expect_status(422);
        assert_eq!(with_victims_address.field_code("address_id"), Some("not_found"));
        naming_the_victim.expect_status(422);
        own_address.expect_status(403);
        anonymous.expect_status(401);
        assert_eq!(app.count("presale_reservations", "1=1").await, 0);
        assert_eq!(presale(&app, o.presale).await.i64("reserved_quantity"), 0);
    }

    async fn quantities_out_of_range_and_unknown_presales_are_refused(app) {
        let o = opened(&app, 10).await;
        let buyer = app.consumer().await;

        for q in [0, -1, 10_000] {
            let r = reserve(&app, &buyer, o.presale, q).await;
            r.expect_status(422);
            assert_eq!(r.field_code("quantity"), Some("out_of_range"), "{q}: {}", r.text);
        }
        reserve(&app, &buyer, Uuid::now_v7(), 1).await.expect_status(404);
        app.get("/api/v1/presales/not-an-id", None).await.expect_status(404);
        assert_eq!(app.count("presale_reservations", "1=1").await, 0);
    }

    async fn an_unpaid_deposit_lapses_and_gives_its_quantity_back(app) {
        let o = opened(&app, 10).await;
        let buyer = app.consumer().await;
        let order = reserve(&app, &buyer, o.presale, 4).await.uuid("deposit_order_id");
        let stock_before = app.listing(o.seller.listing, None).await;

        app.clock.advance(chrono::Duration::minutes(31));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;

        assert_eq!(app.order(order, &buyer).await.status, "expired");
        assert_eq!(presale(&app, o.presale).await.i64("remaining"), 10);
        let mine = app.get("/api/v1/me/reservations", Some(&buyer.token)).await;
        assert_eq!(mine.str("items.0.status"), "cancelled");
        let stock_after = app.listing(o.seller.listing, None).await;
        assert_eq!(stock_after.skus[0].stock, stock_before.skus[0].stock, "a deposit took no stock and gives none back");
    }

    async fn a_reservation_retried_with_its_key_at_once_is_made_once(app) {
        let o = opened(&app, 10).await;
        let buyer = app.consumer().await;
        let body = json!({"quantity": 2, "address_id": buyer.address, "payment_method": "gateway"});
        let reqs = (0..6)
            .map(|_| {
                app.http
                    .post(app.url(&format!("/api/v1/presales/{}/reservations", o.presale)))
                    .bearer_auth(&buyer.token)
                    .header("idempotency-key", "flaky-1")
                    .json(&body)
            })
            .collect();

        let answers = app.send_all(reqs).await;

        assert!(answers.iter().all(|r| r.status == 201), "{:?}", answers.iter().map(|r| r.text.clone()).collect::<Vec<_>>());
        let ids: std::collections::BTreeSet<String> = answers.iter().map(|r| r.str("id").to_owned()).collect();
        assert_eq!(ids.len(), 1);
        assert_eq!(presale(&app, o.presale).await.i64("reserved_quantity"), 2);
        assert_eq!(app.count("orders", "1=1").await, 1);
        let other = app.http
            .post(app.url(&format!("/api/v1/presales/{}/reservations", o.presale)))
            .bearer_auth(&buyer.token)
            .header("idempotency-key", "flaky-1")
            .json(&json!({"quantity": 3, "address_id": buyer.address, "payment_method": "gateway"}));
        let reused = app.send(other).await;
        reused.expect_status(409);
        assert_eq!(reused.code(), "idempotency_key_reused");
    }

    async fn a_closed_presale_takes_no_reservations_and_only_its_seller_closes_it(app) {
        let o = opened(&app, 10).await;
        let buyer = app.consumer().await;
        let path = format!("/api/v1/presales/{}/close", o.presale);

        app.post_empty(&path, Some(&buyer.token)).await.expect_status(403);
        let closed = app.post_empty(&path, Some(&o.seller.owner.token)).await;
        closed.expect_status(200);
        assert_eq!(closed.str("status"), "closed");
        let r = reserve(&app, &buyer, o.presale, 1).await;

        r.expect_status(409);
        assert_eq!(r.code(), "presale_closed");
        assert_eq!(app.get("/api/v1/presales", None).await.i64("total"), 0);
    }

    async fn the_money_identity_holds_with_a_paid_deposit(app) {
        let o = opened(&app, 10).await;
        let buyer = app.consumer().await;
        let order = reserve(&app, &buyer, o.presale, 3).await.uuid("deposit_order_id");
        pay_in_sandbox(&app, &buyer, order).await;
        let day = app.today_in_china();

        let m = app.get(&format!("/api/v1/platform/money?from={day}&to={day}"), Some(&app.finance().await.token)).await;

        m.expect_status(200);
        assert_eq!(m.i64("received"), 3 * 1800);
        assert_eq!(
            m.i64("received"),
            m.i64("refunds.total") + m.i64("commission") + m.i64("owed") - m.i64("platform_expense") - m.i64("carrier_recourse"),
            "{}", m.text
        );
    }
}

/// Three paid reservations of a pre-sale of eleven boxes at ¥60.00, 30 % deposit: 4, 3 and 3 in
/// that order (deposits ¥72.00, ¥54.00, ¥54.00), and a batch of the listing that passed its
/// inspection.
pub(crate) struct Reserved3 {
    pub(crate) o: Opened,
    pub(crate) buyers: Vec<Consumer>,
    pub(crate) orders: Vec<Uuid>,
    pub(crate) batch: Uuid,
}

pub(crate) async fn three_reserved(app: &TestApp) -> Reserved3 {
    // One box to spare, so a late reservation still fits.
    let o = opened(app, 11).await;
    let (mut buyers, mut orders) = (Vec::new(), Vec::new());
    for q in [4, 3, 3] {
        let b = app.consumer().await;
        let order = reserve(app, &b, o.presale, q)
            .await
            .uuid("deposit_order_id");
        pay_in_sandbox(app, &b, order).await;
        buyers.push(b);
        orders.push(order);
    }
    let batch = app.inspected_batch(&o.seller).await.id;
    Reserved3 {
        o,
        buyers,
        orders,
        batch,
    }
}

pub(crate) async fn harvest(
    app: &TestApp,
    who: &Session,
    presale: Uuid,
    batch: Uuid,
    actual: i64,
) -> Resp {
    app.post(
        &format!("/api/v1/presales/{presale}/harvest"),
        json!({"batch_id": batch, "actual_yield": actual}),
        Some(&who.token),
    )
    .await
}

both_backends! {
    async fn a_short_harvest_fills_first_come_and_refunds_the_unfilled_deposit_exactly(app) {
        let r = three_reserved(&app).await;

        let h = harvest(&app, &r.o.seller.owner, r.o.presale, r.batch, 5).await;

        h.expect_status(200);
        assert_eq!((h.str("status"), h.i64("actual_yield")), ("harvested", 5));
        assert!(!h.str("batch_code").is_empty());
        let mut seen = Vec::new();
        for (b, order) in r.buyers.iter().zip(&r.orders) {
            let mine = app.get("/api/v1/me/reservations", Some(&b.token)).await;
            seen.push((mine.i64("items.0.filled_quantity"), mine.i64("items.0.shortfall_refund_fen")));
            let o = app.order(*order, b).await;
            assert_eq!(o.refunded, mine.i64("items.0.shortfall_refund_fen"), "{o:?}");
        }
        assert_eq!(seen, vec![(4, 0), (1, 3600), (0, 5400)]);
        assert_eq!(app.count("refunds", "1=1").await, 2);
        assert_eq!(app.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM refunds").await, 9000);
    }

    async fn harvesting_twice_or_at_once_refunds_once(app) {
        let r = three_reserved(&app).await;
        let reqs = (0..6)
            .map(|_| {
                app.http
                    .post(app.url(&format!("/api/v1/presales/{}/harvest", r.o.presale)))
                    .bearer_auth(&r.o.seller.owner.token)
                    .json(&json!({"batch_id": r.batch, "actual_yield": 5}))
            })
            .collect();

        let answers = app.send_all(reqs).await;
        let again = harvest(&app, &r.o.seller.owner, r.o.presale, r.batch, 2).await;

        let ok = answers.iter().filter(|a| a.status == 200).count();
        let twice = answers.iter().filter(|a| a.status == 409 && a.code() == "already_harvested").count();
        assert_eq!((ok, twice), (1, 5), "{:?}", answers.iter().map(|a| a.text.clone()).collect::<Vec<_>>());
        again.expect_status(409);
        assert_eq!(again.code(), "already_harvested");
        assert_eq!(app.count("refunds", "1=1").await, 2);
        assert_eq!(app.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM refunds").await, 9000);
        app.outbox_drained().await;
        assert_eq!(app.count("refunds", "status = 'succeeded'").await, 2, "the sandbox paid both back once");
    }

    async fn only_the_seller_harvests_with_a_shippable_batch_of_its_listing(app) {
        let r = three_reserved(&app).await;
        let other = app.verified_seller().with_listing(Product::eggs()).await;
        let foreign = app.inspected_batch(&other).await.id;
        let mut raw_body = batch_body();
        raw_body["lot"] = json!("ML-20261120-02");
        let uninspected = app.post(&format!("/api/v1/listings/{}/batches", r.o.seller.listing), raw_body, Some(&r.o.seller.owner.token)).await;
        uninspected.expect_status(201);
        let uninspected = uninspected.id();

        harvest(&app, &r.buyers[0], r.o.presale, r.batch, 5).await.expect_status(403);
        harvest(&app, &other.owner, r.o.presale, r.batch, 5).await.expect_status(403);
        let wrong = harvest(&app, &r.o.seller.owner, r.o.presale, foreign, 5).await;
        let raw = harvest(&app, &r.o.seller.owner, r.o.presale, uninspected, 5).await;
        let negative = harvest(&app, &r.o.seller.owner, r.o.presale, r.batch, -1).await;

        wrong.expect_status(422);
        assert_eq!(wrong.field_code("batch_id"), Some("wrong_listing"), "{}", wrong.text);
        raw.expect_status(422);
        assert_eq!(raw.field_code("batch_id"), Some("not_inspected"), "{}", raw.text);
        negative.expect_status(422);
        assert_eq!(negative.field_code("actual_yield"), Some("out_of_range"));
        assert_eq!(app.count("refunds", "1=1").await, 0);
        assert_eq!(presale(&app, r.o.presale).await.str("status"), "open");
    }

    async fn a_harvest_waits_for_unpaid_deposits(app) {
        let r = three_reserved(&app).await;
        let late = app.consumer().await;
        reserve(&app, &late, r.o.presale, 1).await.expect_status(201);

        let h = harvest(&app, &r.o.seller.owner, r.o.presale, r.batch, 5).await;

        h.expect_status(409);
        assert_eq!(h.code(), "deposits_pending");
        assert_eq!(app.count("refunds", "1=1").await, 0);
    }

    async fn a_failed_crop_gives_every_deposit_back_and_the_money_reconciles(app) {
        let r = three_reserved(&app).await;

        harvest(&app, &r.o.seller.owner, r.o.presale, r.batch, 0).await.expect_status(200);
        app.outbox_drained().await;

        let day = app.today_in_china();
        let m = app.get(&format!("/api/v1/platform/money?from={day}&to={day}"), Some(&app.finance().await.token)).await;
        m.expect_status(200);
        assert_eq!((m.i64("received"), m.i64("refunds.total")), (18_000, 18_000), "{}", m.text);
        assert_eq!(
            m.i64("received"),
            m.i64("refunds.total") + m.i64("commission") + m.i64("owed") - m.i64("platform_expense") - m.i64("carrier_recourse"),
            "{}", m.text
        );
    }
}
