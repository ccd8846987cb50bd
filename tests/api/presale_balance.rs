//! Pre-sales after the harvest (订单农业, issue #22, step 3) through the real server on both
//! stacks: each filled reservation owes its balance (price × filled − the deposit kept, to the
//! fen) as an ordinary order of its own; paid, the seller ships it from the harvested batch and
//! the buyer's order shows that batch's trace code; unpaid by its deadline the reservation is
//! forfeited and the deposit kept; a failed inspection of the batch cancels the pre-sale and
//! refunds every deposit and unshipped balance exactly once.

use crate::presales::{Reserved3, harvest, pay_in_sandbox, presale, three_reserved};
use farmgate_tests::prelude::*;

/// A buyer's one reservation as they see it.
async fn my_reservation(app: &TestApp, buyer: &Session) -> Resp {
    let r = app.get("/api/v1/me/reservations", Some(&buyer.token)).await;
    r.expect_status(200);
    r
}

/// Three paid reservations (4, 3, 3 boxes at ¥60.00, 30 %) harvested with a yield of 5: the
/// first filled whole, the second 1 of 3, the third nothing.
async fn harvested(app: &TestApp) -> Reserved3 {
    let r = three_reserved(app).await;
    harvest(app, &r.o.seller.owner, r.o.presale, r.batch, 5)
        .await
        .expect_status(200);
    r
}

/// The balance order of a buyer's reservation.
async fn balance_order(app: &TestApp, buyer: &Session) -> Uuid {
    my_reservation(app, buyer)
        .await
        .uuid("items.0.balance_order_id")
}

fn ship_body(app: &TestApp, batches: Value) -> Value {
    json!({"carrier": "顺丰速运", "tracking_no": app.fresh_waybill(), "batches": batches})
}

both_backends! {
    async fn after_harvest_each_filled_reservation_owes_its_balance_to_the_fen(app) {
        let r = harvested(&app).await;

        let mut seen = Vec::new();
        for b in &r.buyers {
            let mine = my_reservation(&app, b).await;
            seen.push((mine.str("items.0.status").to_owned(), mine.i64("items.0.balance_fen")));
        }

        // 4 × 6000 − 7200 kept; 1 × 6000 − (5400 − 3600) kept; nothing filled, nothing owed.
        assert_eq!(seen, vec![
            ("balance_due".to_owned(), 16_800),
            ("balance_due".to_owned(), 4_200),
            ("unfilled".to_owned(), 0),
        ]);
        assert!(my_reservation(&app, &r.buyers[2]).await.at("items.0.balance_order_id").is_null());
        let order = app.order(balance_order(&app, &r.buyers[0]).await, &r.buyers[0]).await;
        assert_eq!((order.status.as_str(), order.total, order.shipping), ("pending_payment", 16_800, 0));
        assert_eq!((order.part().line().quantity, order.part().line().unit_price), (4, 6000));
        assert!(order.can_pay);
        let p = presale(&app, r.o.presale).await;
        assert!(p.str("balance_rule_zh").contains("定金不退"), "{}", p.text);
        assert!(p.str("balance_rule_en").contains("deposit kept"), "{}", p.text);
    }

    async fn the_buyer_pays_the_balance_and_the_seller_ships_it_from_the_harvested_batch(app) {
        let r = harvested(&app).await;
        let buyer = &r.buyers[0];
        let order = balance_order(&app, buyer).await;

        pay_in_sandbox(&app, buyer, order).await;
        assert_eq!(my_reservation(&app, buyer).await.str("items.0.status"), "balance_paid");
        let paid = app.order(order, buyer).await;
        assert_eq!(paid.status, "paid");
        assert!(paid.part().ship_by.is_some(), "a paid balance ships by a deadline");
        let sub = paid.part().id;
        let shipped = app
            .post(&format!("/api/v1/sub-orders/{sub}/ship"), ship_body(&app, json!([])), Some(&r.o.seller.owner.token))
            .await;

        shipped.expect_status(200);
        let code = presale(&app, r.o.presale).await.str("batch_code").to_owned();
        let seen = app.order(order, buyer).await;
        assert_eq!(seen.part().line().trace_codes, vec![code.clone()], "{seen:#?}");
        let scan = app.get(&format!("/api/v1/trace/{code}"), None).await;
        scan.expect_status(200);
        assert!(scan.text.contains("shipping"), "the scan shows the parcel: {}", scan.text);
        assert_eq!(app.listing(r.o.seller.listing, None).await.sales, 4, "the sale is counted once, at the balance");
    }

    async fn a_balance_ships_from_no_other_batch_and_only_by_its_seller(app) {
        let r = harvested(&app).await;
        let buyer = &r.buyers[0];
        let order = balance_order(&app, buyer).await;
        pay_in_sandbox(&app, buyer, order).await;
        let part = app.order(order, buyer).await.part().clone();
        let mut other = batch_body();
        other["lot"] = json!("ML-20261120-09");
        let other = app.post(&format!("/api/v1/listings/{}/batches", r.o.seller.listing), other, Some(&r.o.seller.owner.token)).await;
        other.expect_status(201);
        let other = other.id();
        app.add_event(&r.o.seller.owner, other, "inspection", &app.days_ago(1), inspection("pass")).await.expect_status(201);
        let stranger = app.verified_seller().with_listing(Product::eggs()).await;
        let path = format!("/api/v1/sub-orders/{}/ship", part.id);

        let wrong = app.post(&path, ship_body(&app, json!([{"line_id": part.line().id, "batch_id": other}])), Some(&r.o.seller.owner.token)).await;
        let by_stranger = app.post(&path, ship_body(&app, json!([])), Some(&stranger.owner.token)).await;
        let by_buyer = app.post(&path, ship_body(&app, json!([])), Some(&buyer.token)).await;

        wrong.expect_status(422);
        assert_eq!(wrong.field_code("batches"), Some("not_presale_batch"), "{}", wrong.text);
        assert!(matches!(by_stranger.status, 403 | 404), "{}", by_stranger.text);
        assert!(matches!(by_buyer.status, 403 | 404), "{}", by_buyer.text);
        assert_eq!(app.count("shipments", "1=1").await, 0);
    }

    async fn nobody_pays_anothers_balance(app) {
        let r = harvested(&app).await;
        let order = balance_order(&app, &r.buyers[0]).await;

        let by_other_buyer = app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&r.buyers[1].token)).await;
        let by_seller = app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&r.o.seller.owner.token)).await;

        by_other_buyer.expect_status(404);
        assert_ne!(by_seller.status, 200, "{}", by_seller.text);
        assert_eq!(app.order(order, &r.buyers[0]).await.status, "pending_payment");
        assert_eq!(my_reservation(&app, &r.buyers[0]).await.str("items.0.status"), "balance_due");
    }

    async fn a_payment_notified_twice_at_once_pays_the_balance_once(app) {
        let r = harvested(&app).await;
        let buyer = &r.buyers[1];
        let order = balance_order(&app, buyer).await;
        let intent = app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&buyer.token)).await;
        intent.expect_status(200);
        let reqs = (0..4)
            .map(|_| {
                app.http
                    .post(app.url(&format!("/api/v1/payments/sandbox/{}/complete", intent.id())))
                    .bearer_auth(&buyer.token)
                    .json(&json!({"outcome": "succeeded"}))
            })
            .collect();

        let answers = app.send_all(reqs).await;

        assert!(answers.iter().any(|a| a.status == 200), "{:?}", answers.iter().map(|a| a.text.clone()).collect::<Vec<_>>());
        assert!(answers.iter().all(|a| a.status < 500), "{:?}", answers.iter().map(|a| a.text.clone()).collect::<Vec<_>>());
        assert_eq!(app.count("payments", "amount_fen = 4200").await, 1);
        assert_eq!(app.order(order, buyer).await.total, 4_200);
        assert_eq!(my_reservation(&app, buyer).await.str("items.0.status"), "balance_paid");
        assert_eq!(app.listing(r.o.seller.listing, None).await.sales, 1);
    }

    async fn an_unpaid_balance_past_its_deadline_is_forfeited_and_the_deposit_kept(app) {
        let r = harvested(&app).await;
        let buyer = &r.buyers[0];
        let order = balance_order(&app, buyer).await;
        let stock_before = app.listing(r.o.seller.listing, None).await.skus[0].stock;

        app.clock.advance(chrono::Duration::hours(71));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        assert_eq!(app.order(order, buyer).await.status, "pending_payment", "72 h to pay");
        app.clock.advance(chrono::Duration::hours(2));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;

        assert_eq!(app.order(order, buyer).await.status, "expired");
        assert_eq!(my_reservation(&app, buyer).await.str("items.0.status"), "forfeited");
        let deposit = app.order(r.orders[0], buyer).await;
        assert_eq!((deposit.status.as_str(), deposit.refunded), ("paid", 0), "the deposit is kept");
        assert_eq!(app.listing(r.o.seller.listing, None).await.skus[0].stock, stock_before, "a balance took no stock and gives none back");
        let paid_late = app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&buyer.token)).await;
        assert_eq!(paid_late.status, 409, "{}", paid_late.text);
    }

    async fn a_reservation_racing_the_harvest_is_never_paid_after_it(app) {
        let r = three_reserved(&app).await;
        let mut late = Vec::new();
        for _ in 0..6 {
            late.push(app.consumer().await);
        }
        let mut reqs: Vec<reqwest::RequestBuilder> = late
            .iter()
            .map(|b| {
                app.http
                    .post(app.url(&format!("/api/v1/presales/{}/reservations", r.o.presale)))
                    .bearer_auth(&b.token)
                    .json(&json!({"quantity": 1, "address_id": b.address, "payment_method": "gateway"}))
            })
            .collect();
        reqs.insert(3, app.http
            .post(app.url(&format!("/api/v1/presales/{}/harvest", r.o.presale)))
            .bearer_auth(&r.o.seller.owner.token)
            .json(&json!({"batch_id": r.batch, "actual_yield": 10})));

        let answers = app.send_all(reqs).await;

        let harvest = &answers[3];
        let reserved = answers.iter().filter(|a| a.status == 201).count();
        let texts: Vec<String> = answers.iter().map(|a| format!("{} {}", a.status, a.text)).collect();
        if harvest.status == 200 {
            assert_eq!(reserved, 0, "{texts:?}");
        } else {
            assert_eq!(harvest.code(), "deposits_pending", "{texts:?}");
            assert!(reserved >= 1, "{texts:?}");
        }
        let status = presale(&app, r.o.presale).await.str("status").to_owned();
        let pending = app.count("presale_reservations", "status = 'pending'").await;
        assert!(!(status == "harvested" && pending > 0), "{status} with {pending} pending: {texts:?}");
    }

    async fn a_failed_inspection_cancels_the_presale_and_refunds_everything_exactly_once(app) {
        let r = harvested(&app).await;
        let paid_balance = balance_order(&app, &r.buyers[0]).await;
        pay_in_sandbox(&app, &r.buyers[0], paid_balance).await;
        let unpaid_balance = balance_order(&app, &r.buyers[1]).await;

        app.add_event(&r.o.seller.owner, r.batch, "inspection", &app.days_ago(0), inspection("fail")).await.expect_status(201);
        // The job four times at once beside the worker's own run, as retries and a second
        // worker would run it: one of them cancels.
        let batch = farmgate_kernel::id::BatchId(r.batch);
        let orders = &app.state.orders;
        let (a, b, c, d) = tokio::join!(
            orders.void_presales_of_batch(batch),
            orders.void_presales_of_batch(batch),
            orders.void_presales_of_batch(batch),
            orders.void_presales_of_batch(batch),
        );
        let again = [a, b, c, d];
        app.state.infra.outbox.wake();
        app.outbox_drained().await;

        assert!(again.iter().all(|a| matches!(a, Ok(0 | 1))), "{again:?}");
        assert!(again.iter().filter(|a| matches!(a, Ok(1))).count() <= 1, "{again:?}");
        assert_eq!(presale(&app, r.o.presale).await.str("status"), "cancelled");
        let statuses: Vec<String> = {
            let mut v = Vec::new();
            for b in &r.buyers {
                v.push(my_reservation(&app, b).await.str("items.0.status").to_owned());
            }
            v
        };
        assert_eq!(statuses, vec!["refunded", "refunded", "unfilled"]);
        let first_deposit = app.order(r.orders[0], &r.buyers[0]).await;
        let first_balance = app.order(paid_balance, &r.buyers[0]).await;
        assert_eq!((first_deposit.refunded, first_balance.refunded), (7_200, 16_800));
        assert_eq!(first_balance.part().status, "cancelled");
        let second_deposit = app.order(r.orders[1], &r.buyers[1]).await;
        assert_eq!(second_deposit.refunded, 5_400, "shortfall 3,600 then the 1,800 kept");
        assert_eq!(app.order(unpaid_balance, &r.buyers[1]).await.status, "cancelled");
        // Shortfall refunds (3,600 + 5,400) and the failed inspection's (7,200 + 16,800 + 1,800).
        assert_eq!(app.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM refunds").await, 34_800);
        assert_eq!(app.count("refunds", "1=1").await, 5);
        assert_eq!(app.count("refunds", "status = 'succeeded'").await, 5, "the sandbox paid each back once");
        let day = app.today_in_china();
        let m = app.get(&format!("/api/v1/platform/money?from={day}&to={day}"), Some(&app.finance().await.token)).await;
        m.expect_status(200);
        assert_eq!((m.i64("received"), m.i64("refunds.total")), (34_800, 34_800), "{}", m.text);
    }

    async fn a_batch_that_stays_shippable_cancels_nothing(app) {
        let r = harvested(&app).await;

        app.add_event(&r.o.seller.owner, r.batch, "inspection", &app.days_ago(0), inspection("pass")).await.expect_status(201);
        app.state.infra.outbox.wake();
        app.outbox_drained().await;

        assert_eq!(presale(&app, r.o.presale).await.str("status"), "harvested");
        assert_eq!(my_reservation(&app, &r.buyers[0]).await.str("items.0.status"), "balance_due");
        assert_eq!(app.count("refunds", "1=1").await, 2);
    }
}

/// The kinds of the notifications in `who`'s centre.
async fn notice_kinds(app: &TestApp, who: &Session) -> Vec<String> {
    let r = app.get("/api/v1/notifications", Some(&who.token)).await;
    r.expect_status(200);
    r.at("items")
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

both_backends! {
    async fn the_seller_hears_of_deposits_as_presale_notices_and_buyers_hear_of_the_harvest(app) {
        let r = harvested(&app).await;
        app.outbox_drained().await;

        let seller = notice_kinds(&app, &r.o.seller.owner).await;
        assert_eq!(seller.iter().filter(|k| *k == "presale_deposit_paid").count(), 3, "{seller:?}");
        assert!(!seller.iter().any(|k| k == "order_paid"), "a deposit is no new paid order: {seller:?}");
        assert!(notice_kinds(&app, &r.buyers[0]).await.contains(&"presale_balance_due".to_owned()));
        assert!(notice_kinds(&app, &r.buyers[2]).await.contains(&"presale_unfilled".to_owned()));

        let order = balance_order(&app, &r.buyers[0]).await;
        pay_in_sandbox(&app, &r.buyers[0], order).await;
        app.outbox_drained().await;
        let seller = notice_kinds(&app, &r.o.seller.owner).await;
        assert_eq!(seller.iter().filter(|k| *k == "order_paid").count(), 1, "the balance is the order to ship: {seller:?}");
    }

    async fn a_refunded_presale_tells_its_buyers(app) {
        let r = harvested(&app).await;

        app.add_event(&r.o.seller.owner, r.batch, "inspection", &app.days_ago(0), inspection("fail")).await.expect_status(201);
        app.state.infra.outbox.wake();
        app.outbox_drained().await;

        for b in &r.buyers[..2] {
            let kinds = notice_kinds(&app, b).await;
            assert_eq!(kinds.iter().filter(|k| *k == "presale_refunded").count(), 1, "{kinds:?}");
        }
        assert!(!notice_kinds(&app, &r.buyers[2]).await.contains(&"presale_refunded".to_owned()));
    }
}

both_backends! {
    async fn the_statistics_count_a_presale_once_at_its_balance_live_and_rebuilt(app) {
        let r = harvested(&app).await;
        let order = balance_order(&app, &r.buyers[0]).await;
        pay_in_sandbox(&app, &r.buyers[0], order).await;
        app.outbox_drained().await;
        let sums = "SELECT COALESCE(SUM(goods_fen), 0) + COALESCE(SUM(refund_fen), 0) FROM stats_sales";
        let live = (app.scalar(sums).await, app.scalar("SELECT COALESCE(MAX(goods_fen), 0) FROM stats_sales").await);

        app.state.stats.rebuild().await.map_err(|e| e.to_string()).expect("rebuild");
        let rebuilt = (app.scalar(sums).await, app.scalar("SELECT COALESCE(MAX(goods_fen), 0) FROM stats_sales").await);

        assert_eq!(live.1, 16_800, "the paid balance is the one sale; no deposit counts");
        assert_eq!(live, rebuilt, "live and rebuilt agree");
    }
}
