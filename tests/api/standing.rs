//! Standing orders (定期订单, issue #22) through the real server on both stacks: a hotel's
//! owner sets one up with a cooperative, the cooperative accepts it once, and the scheduled job
//! makes each period's order as an ordinary order (today's tier prices, stock checked, a short
//! line reduced and the buyer told) — exactly once per period, whether the job runs twice, at
//! once on two workers, or again after a restart; paused, nothing is made; a change of lines
//! goes back to the seller. Nobody else reads or moves it.

use farmgate_tests::prelude::*;

/// A verified hotel (its owner with an address) and a cooperative selling eggs (¥45 a box,
/// ¥35 from 10; 20 in stock) and oranges (¥59.90, ¥49.90 from 10; 50 in stock).
struct World {
    org: Uuid,
    owner: Consumer,
    eggs: SellerWithListing,
    oranges_sku: Uuid,
}

async fn world(app: &TestApp) -> World {
    let (org, owner) = app.hotel(None).await;
    let eggs = app.verified_seller().with_listing(Product::eggs()).await;
    let oranges = app
        .approved_listing(&eggs.seller(), &Product::oranges())
        .await;
    World {
        org,
        owner,
        oranges_sku: oranges.skus[0].id,
        eggs,
    }
}

/// The Shanghai date `days` from today.
fn day(app: &TestApp, days: i64) -> String {
    (app.clock.now() + chrono::Duration::hours(8) + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Every day from today, the order made a day before delivery: the first period is tomorrow,
/// made at once.
fn terms(app: &TestApp, w: &World, lines: Value, start_in: i64) -> Value {
    json!({
        "seller_org_id": w.eggs.org,
        "lines": lines,
        "schedule": {"kind": "every_days", "days": 1},
        "lead_days": 1,
        "start_date": day(app, start_in),
        "address_id": w.owner.address,
        "payment_method": "offline",
    })
}

async fn set_up(app: &TestApp, w: &World, body: Value) -> Resp {
    app.post(
        &format!("/api/v1/orgs/{}/standing-orders", w.org),
        body,
        Some(&w.owner.token),
    )
    .await
}

async fn accepted(app: &TestApp, w: &World, body: Value) -> Uuid {
    let r = set_up(app, w, body).await;
    r.expect_status(201);
    let id = r.id();
    act(app, &w.eggs.owner, id, "accept")
        .await
        .expect_status(200);
    app.outbox_drained().await;
    id
}

async fn act(app: &TestApp, who: &Session, id: Uuid, what: &str) -> Resp {
    app.post_empty(
        &format!("/api/v1/standing-orders/{id}/{what}"),
        Some(&who.token),
    )
    .await
}

async fn standing(app: &TestApp, who: &Session, id: Uuid) -> Resp {
    let r = app
        .get(&format!("/api/v1/standing-orders/{id}"), Some(&who.token))
        .await;
    r.expect_status(200);
    r
}

async fn generated(app: &TestApp, id: Uuid) -> i64 {
    app.count("orders", &format!("idempotency_key LIKE 'standing:{id}:%'"))
        .await
}

/// Runs `sql` with the standing order's id bound where it says `{id}` (SQLite keeps ids as
/// blobs, so they are bound, never spliced); the count it selects, or the rows it changed.
async fn with_id(app: &TestApp, sql: &str, id: Uuid) -> i64 {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = &app.state.infra.db;
    let backend = db.get_database_backend();
    let mark = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let stmt = Statement::from_sql_and_values(backend, sql.replace("{id}", mark), [id.into()]);
    if sql.starts_with("SELECT") {
        let row = db.query_one_raw(stmt).await.expect("query").expect("a row");
        row.try_get::<i64>("", "n").expect("a count")
    } else {
        i64::try_from(
            db.execute_raw(stmt)
                .await
                .expect("statement")
                .rows_affected(),
        )
        .unwrap_or(0)
    }
}

async fn runs(app: &TestApp, id: Uuid, period: Option<&str>) -> i64 {
    let and = period
        .map(|p| format!(" AND period = '{p}'"))
        .unwrap_or_default();
    with_id(
        app,
        &format!(
            "SELECT COUNT(*) AS n FROM standing_order_runs WHERE standing_order_id = {{id}}{and}"
        ),
        id,
    )
    .await
}

fn period(d: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a date")
}

both_backends! {
    async fn the_seller_accepts_once_and_the_first_period_becomes_an_ordinary_order_at_tier_prices(app) {
        let w = world(&app).await;
        let r = set_up(&app, &w, terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 12}]), 0)).await;
        r.expect_status(201);
        assert_eq!(r.str("status"), "pending", "{}", r.text);
        let id = r.id();
        app.outbox_drained().await;
        assert_eq!(generated(&app, id).await, 0, "nothing before the seller accepts");
        assert_eq!(app.count("notifications", "kind = 'standing_awaiting'").await, 1);

        let a = act(&app, &w.eggs.owner, id, "accept").await;
        a.expect_status(200);
        assert_eq!((a.str("status"), a.str("next_delivery")), ("active", day(&app, 1).as_str()), "{}", a.text);
        app.outbox_drained().await;

        let s = standing(&app, &w.owner, id).await;
        assert_eq!(s.str("runs.0.outcome"), "generated", "{}", s.text);
        assert_eq!(s.str("runs.0.period"), day(&app, 1));
        assert_eq!(s.str("next_delivery"), day(&app, 2), "the chain moved on one period");
        let order = app.order(s.uuid("runs.0.order_id"), &w.owner).await;
        let body = app.get(&format!("/api/v1/orders/{}", s.uuid("runs.0.order_id")), Some(&w.owner.token)).await;
        assert_eq!(body.i64("sub_orders.0.lines.0.quantity"), 12, "{}", body.text);
        assert_eq!(body.i64("sub_orders.0.lines.0.unit_price"), 3500, "the tier price of 10 and more");
        assert_eq!(body.str("status"), "pending_payment");
        assert_eq!(order.id, s.uuid("runs.0.order_id"));
        assert_eq!(generated(&app, id).await, 1);
        let seller_sees = standing(&app, &w.eggs.owner, id).await;
        assert_eq!(seller_sees.str("runs.0.outcome"), "generated");
        assert_eq!(app.count("notifications", "kind = 'standing_generated'").await, 2, "the orderer and the seller's owner");
    }

    async fn the_same_period_run_twice_and_at_once_makes_one_order_and_one_next_period(app) {
        let w = world(&app).await;
        // Starts in three days: its first period's order is not due yet.
        let id = accepted(&app, &w, terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 2}]), 3)).await;
        let p = period(&day(&app, 3));
        assert_eq!(standing(&app, &w.owner, id).await.str("next_delivery"), day(&app, 3));

        let orders = &app.state.orders;
        let (a, b, c) = tokio::join!(
            orders.run_standing_period(id, p),
            orders.run_standing_period(id, p),
            orders.run_standing_period(id, p),
        );
        let outcomes = [a.expect("a"), b.expect("b"), c.expect("c")];
        assert!(outcomes.iter().any(|o| o.is_some()), "{outcomes:?}");
        let again = orders.run_standing_period(id, p).await.expect("again");
        assert_eq!(again, None, "a period the chain left is stale");

        assert_eq!(generated(&app, id).await, 1);
        assert_eq!(runs(&app, id, None).await, 1);
        assert_eq!(standing(&app, &w.owner, id).await.str("next_delivery"), day(&app, 4));
        assert_eq!(
            app.count("outbox_events", &format!("topic = 'orders.standing_due' AND CAST(payload AS TEXT) LIKE '%{id}%' AND CAST(payload AS TEXT) LIKE '%{}%'", day(&app, 4))).await,
            1,
            "one chain: the next period scheduled once"
        );
        // The first period's own event comes due later and finds nothing to do.
        app.clock.advance(chrono::Duration::days(3));
        app.outbox_drained().await;
        assert_eq!(runs(&app, id, Some(&p.to_string())).await, 1);
        assert_eq!(app.count("orders", &format!("idempotency_key = 'standing:{id}:{p}'")).await, 1);
    }

    async fn a_restart_between_placing_the_order_and_recording_the_run_makes_no_second_order(app) {
        let mut app = app;
        let w = world(&app).await;
        let id = accepted(&app, &w, terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 2}]), 0)).await;
        let p = day(&app, 1);
        assert_eq!(generated(&app, id).await, 1);
        // As if the worker died after checkout committed and before the run was written.
        assert_eq!(with_id(&app, "DELETE FROM standing_order_runs WHERE standing_order_id = {id}", id).await, 1);
        assert_eq!(with_id(&app, &format!("UPDATE standing_orders SET next_period = '{p}' WHERE id = {{id}}"), id).await, 1);
        app.stop().await;
        let again = app.start_on_same_database().await;

        let outcome = again.state.orders.run_standing_period(id, period(&p)).await.expect("run");

        assert_eq!(outcome.map(|o| o.as_str()), Some("generated"));
        assert_eq!(again.count("orders", &format!("idempotency_key LIKE 'standing:{id}:%'")).await, 1);
        let s = standing(&again, &w.owner, id).await;
        assert_eq!(s.str("runs.0.outcome"), "generated", "{}", s.text);
        assert_eq!(s.str("next_delivery"), day(&again, 2));
        // And the next period comes due on the new server.
        again.clock.advance(chrono::Duration::days(1));
        again.outbox_drained().await;
        assert_eq!(again.count("orders", &format!("idempotency_key LIKE 'standing:{id}:%'")).await, 2);
    }

    async fn paused_nothing_is_generated_until_resumed(app) {
        let w = world(&app).await;
        let id = accepted(&app, &w, terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 1}]), 2)).await;
        act(&app, &w.owner, id, "pause").await.expect_status(200);
        assert_eq!(act(&app, &w.owner, id, "pause").await.code(), "standing_order_state");

        app.clock.advance(chrono::Duration::days(1));
        app.outbox_drained().await;

        let s = standing(&app, &w.owner, id).await;
        assert_eq!((s.str("runs.0.outcome"), s.str("status")), ("paused", "paused"), "{}", s.text);
        assert_eq!(generated(&app, id).await, 0);

        act(&app, &w.owner, id, "resume").await.expect_status(200);
        app.clock.advance(chrono::Duration::days(1));
        app.outbox_drained().await;
        assert_eq!(generated(&app, id).await, 1);
        assert_eq!(standing(&app, &w.owner, id).await.str("runs.0.outcome"), "generated");
    }

    async fn a_short_line_is_reduced_an_empty_one_left_out_and_the_buyer_told(app) {
        let w = world(&app).await;
        // 20 eggs in stock, 30 wanted; the oranges sold out first.
        let seller = &w.eggs.owner;
        app.checkout(&app.business_buyer().await, &[(w.oranges_sku, 50)], "offline").await;
        let id = accepted(&app, &w, terms(&app, &w, json!([
            {"sku_id": w.eggs.sku, "quantity": 30},
            {"sku_id": w.oranges_sku, "quantity": 5},
        ]), 0)).await;

        let s = standing(&app, seller, id).await;
        assert_eq!(s.str("runs.0.outcome"), "generated", "{}", s.text);
        let order = app.get(&format!("/api/v1/orders/{}", s.uuid("runs.0.order_id")), Some(&w.owner.token)).await;
        assert_eq!(order.arr("sub_orders.0.lines").len(), 1, "{}", order.text);
        assert_eq!(order.i64("sub_orders.0.lines.0.quantity"), 20);
        let short = s.arr("runs.0.shortages");
        assert_eq!(short.len(), 2, "{}", s.text);
        assert_eq!((short[0].i64("wanted"), short[0].i64("ordered")), (30, 20));
        assert_eq!((short[1].i64("wanted"), short[1].i64("ordered")), (5, 0));
        let told = app.get("/api/v1/notifications?kind=standing_short", Some(&w.owner.token)).await;
        told.expect_status(200);
        assert_eq!(told.i64("total"), 1, "{}", told.text);
        assert!(told.text.contains("20/30"), "{}", told.text);
    }

    async fn nothing_in_stock_makes_no_order_and_tells_the_buyer(app) {
        let w = world(&app).await;
        app.checkout(&app.business_buyer().await, &[(w.eggs.sku, 20)], "offline").await;
        let id = accepted(&app, &w, terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 5}]), 0)).await;
        let s = standing(&app, &w.owner, id).await;
        assert_eq!(s.str("runs.0.outcome"), "short", "{}", s.text);
        assert_eq!(generated(&app, id).await, 0);
        let told = app.get("/api/v1/notifications?kind=standing_short", Some(&w.owner.token)).await;
        assert_eq!(told.i64("total"), 1, "{}", told.text);
    }

    async fn a_change_of_lines_goes_back_to_the_seller_and_an_address_alone_does_not(app) {
        let w = world(&app).await;
        let body = terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 2}]), 3);
        let id = accepted(&app, &w, body.clone()).await;
        let second = app.post("/api/v1/me/addresses", json!({
            "name": "陈经理", "phone": "13900000001", "province": "江西省", "city": "赣州市",
            "district": "章贡区", "street": "青石宾馆后门"}), Some(&w.owner.token)).await;
        second.expect_status(201);

        let mut moved = body.clone();
        moved["address_id"] = json!(second.id());
        let r = app.put(&format!("/api/v1/standing-orders/{id}"), moved.clone(), Some(&w.owner.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("status"), "active", "{}", r.text);

        let mut more = moved;
        more["lines"] = json!([{"sku_id": w.eggs.sku, "quantity": 3}]);
        let r = app.put(&format!("/api/v1/standing-orders/{id}"), more, Some(&w.owner.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("status"), "pending", "{}", r.text);
        assert!(r.at("next_delivery").is_null(), "{}", r.text);
        app.clock.advance(chrono::Duration::days(3));
        app.outbox_drained().await;
        assert_eq!(generated(&app, id).await, 0, "nothing while the seller has not accepted again");

        act(&app, &w.eggs.owner, id, "accept").await.expect_status(200);
        app.outbox_drained().await;
        assert_eq!(generated(&app, id).await, 1);
    }

    async fn a_consumer_cannot_set_one_up_nor_a_buyer_for_another_organisation(app) {
        let w = world(&app).await;
        let consumer = app.consumer().await;
        let body = terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 2}]), 0);
        let r = app.post(&format!("/api/v1/orgs/{}/standing-orders", w.org), body.clone(), Some(&consumer.token)).await;
        assert_eq!(r.status, 403, "{}", r.text);
        let other = app.business_buyer().await;
        let r = app.post(&format!("/api/v1/orgs/{}/standing-orders", w.org), body, Some(&other.token)).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(app.count("standing_orders", "1=1").await, 0);
    }

    async fn another_organisation_neither_reads_nor_moves_it_and_another_seller_cannot_accept_it(app) {
        let w = world(&app).await;
        let r = set_up(&app, &w, terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 2}]), 0)).await;
        r.expect_status(201);
        let id = r.id();
        let other_buyer = app.business_buyer().await;
        let other_seller = app.verified_seller().with_listing(Product::oranges()).await;

        for who in [&other_buyer.session, &other_seller.owner] {
            assert_eq!(app.get(&format!("/api/v1/standing-orders/{id}"), Some(&who.token)).await.status, 404);
            for what in ["accept", "decline", "pause", "end"] {
                assert_eq!(act(&app, who, id, what).await.status, 404, "{what}");
            }
            let put = app.put(&format!("/api/v1/standing-orders/{id}"), terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 9}]), 0), Some(&who.token)).await;
            assert_eq!(put.status, 404, "{}", put.text);
            assert_eq!(app.get(&format!("/api/v1/orgs/{}/standing-orders", w.org), Some(&who.token)).await.status, 403);
        }
        // Each side only makes its own moves.
        assert_eq!(act(&app, &w.owner, id, "accept").await.status, 403);
        assert_eq!(act(&app, &w.eggs.owner, id, "end").await.status, 403);
        let s = standing(&app, &w.owner, id).await;
        assert_eq!(s.str("status"), "pending");
        assert_eq!(s.i64("lines.0.quantity"), 2);
        let list = app.get(&format!("/api/v1/orgs/{}/standing-orders", w.eggs.org), Some(&w.eggs.owner.token)).await;
        list.expect_status(200);
        assert_eq!(list.str("items.0.id"), id.to_string());
    }

    async fn another_sellers_sku_and_quantities_out_of_range_are_each_named_and_nothing_is_written(app) {
        let w = world(&app).await;
        let stranger = app.verified_seller().with_listing(Product::oranges()).await;
        let mut body = terms(&app, &w, json!([
            {"sku_id": stranger.sku, "quantity": 1},
            {"sku_id": w.eggs.sku, "quantity": 0},
            {"sku_id": w.oranges_sku, "quantity": 10000},
        ]), -1);
        body["lead_days"] = json!(15);
        body["schedule"] = json!({"kind": "weekly", "weekdays": [0, 8]});

        let r = set_up(&app, &w, body).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.field_code("lines[0].sku_id"), Some("not_found"), "{}", r.text);
        for f in ["lines[1].quantity", "lines[2].quantity", "lead_days", "start_date", "schedule.weekdays"] {
            assert_eq!(r.field_code(f), Some("out_of_range"), "{f}: {}", r.text);
        }
        let r = set_up(&app, &w, terms(&app, &w, json!([]), 0)).await;
        assert_eq!(r.field_code("lines"), Some("out_of_range"), "{}", r.text);
        let r = set_up(&app, &w, json!({"seller_org_id": w.eggs.org, "lines": "eggs"})).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(app.count("standing_orders", "1=1").await, 0);
    }

    async fn a_purchasers_period_order_above_the_owners_limit_waits_for_approval_like_any_order(app) {
        let w = world(&app).await;
        app.put(&format!("/api/v1/orgs/{}/purchasing", w.org),
            json!({"buyer_kind": "hotel_restaurant", "approval_limit_fen": 10_000}), Some(&w.owner.token))
            .await
            .expect_status(200);
        let purchaser = app.joined(&w.owner, w.org, "purchaser", "采购员小李").await;
        let mut body = terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 12}]), 0);
        body["address_id"] = json!(purchaser.address);
        let r = app.post(&format!("/api/v1/orgs/{}/standing-orders", w.org), body, Some(&purchaser.token)).await;
        r.expect_status(201);
        let id = r.id();
        act(&app, &w.eggs.owner, id, "accept").await.expect_status(200);
        app.outbox_drained().await;

        let s = standing(&app, &purchaser, id).await;
        assert_eq!(s.str("runs.0.outcome"), "generated", "{}", s.text);
        let order = app.get(&format!("/api/v1/orders/{}", s.uuid("runs.0.order_id")), Some(&purchaser.token)).await;
        // 12 boxes at the tier price of ¥35: above the owner's ¥100.
        assert!(order.i64("total") >= 42_000, "{}", order.text);
        assert_eq!(order.str("approval.status"), "pending", "{}", order.text);
        let pay = app.post_empty(&format!("/api/v1/orders/{}/pay", s.uuid("runs.0.order_id")), Some(&purchaser.token)).await;
        assert_eq!((pay.status, pay.code()), (409, "approval_pending"), "{}", pay.text);
    }

    async fn a_line_taken_off_sale_is_refused_and_one_sold_out_today_is_not(app) {
        let w = world(&app).await;
        // The seller switches the oranges off and sells the eggs out.
        app.patch(&format!("/api/v1/skus/{}", w.oranges_sku), json!({"active": false}), Some(&w.eggs.owner.token))
            .await
            .expect_status(200);
        app.patch(&format!("/api/v1/skus/{}", w.eggs.sku), json!({"stock": 0}), Some(&w.eggs.owner.token))
            .await
            .expect_status(200);

        let r = set_up(&app, &w, terms(&app, &w, json!([
            {"sku_id": w.eggs.sku, "quantity": 2},
            {"sku_id": w.oranges_sku, "quantity": 1},
        ]), 1)).await;

        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.field_code("lines[1].sku_id"), Some("not_on_sale"), "{}", r.text);
        assert_eq!(r.field_code("lines[0].sku_id"), None, "sold out today is not off sale: {}", r.text);
        assert_eq!(app.count("standing_orders", "1=1").await, 0, "nothing written");
        // Sold out alone is agreed to: each period checks its own stock.
        let ok = set_up(&app, &w, terms(&app, &w, json!([{"sku_id": w.eggs.sku, "quantity": 2}]), 1)).await;
        ok.expect_status(201);
    }
}
