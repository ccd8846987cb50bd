//! After checkout, through the real server: paying through the sandbox gateway and its signed
//! webhook (forged, stale, replayed, mismatched and late notifications), shipping from
//! inspected batches onto their trace records, logistics from the seller and a signed carrier
//! callback, receipt by the buyer or the scheduler, reviews, refunds that never exceed what was
//! paid, and the settlement statement that reconciles to the orders.

use farmgate_orders::payment::{Outcome, WebhookEvent, signature_header};
use farmgate_tests::prelude::*;

const SIG: &str = "farmgate-signature";

async fn post_signed(app: &TestApp, path: &str, secret: &str, t: i64, body: &[u8]) -> Resp {
    let req = app
        .http
        .post(app.url(path))
        .header("content-type", "application/json")
        .header(SIG, signature_header(secret.as_bytes(), t, body))
        .body(body.to_vec());
    app.send(req).await
}

/// 梅岭脐橙专业合作社 (oranges, with a batch not yet inspected) and 白云山家庭农场 (eggs, with
/// a batch never inspected), and a buyer who checked out 2 boxes of each, to pay through the
/// gateway.
struct Bought {
    oranges: SellerWithListing,
    eggs: SellerWithListing,
    /// The oranges' batch.
    batch: Batch,
    /// The eggs' batch.
    egg_batch: Batch,
    buyer: Consumer,
    /// The order as placed (or, after [`paid`], as paid).
    order: Order,
}

impl Bought {
    fn oranges_part(&self) -> &SubOrder {
        self.order.part_of(self.oranges.org)
    }

    fn eggs_part(&self) -> &SubOrder {
        self.order.part_of(self.eggs.org)
    }

    /// Posts a shipment of the oranges' part as `who`.
    async fn ship_oranges(&self, app: &TestApp, body: Value, who: &Session) -> Resp {
        app.post(
            &format!("/api/v1/sub-orders/{}/ship", self.oranges_part().id),
            body,
            Some(&who.token),
        )
        .await
    }
}

async fn bought(app: &TestApp) -> Bought {
    let oranges = app.seller_with_listing().await;
    let eggs = app
        .verified_seller()
        .named("白云山家庭农场")
        .with_listing(Product::eggs())
        .await;
    let buyer = app.consumer().await;
    let batch = app.batch(&oranges).await;
    let egg_batch = app.batch(&eggs).await;
    for sku in [oranges.sku, eggs.sku] {
        app.post(
            "/api/v1/cart/items",
            json!({"sku_id": sku, "quantity": 2}),
            Some(&buyer.token),
        )
        .await
        .expect_status(200);
    }
    let placed = app
        .post(
            "/api/v1/orders",
            json!({"address_id": buyer.address, "payment_method": "gateway"}),
            Some(&buyer.token),
        )
        .await;
    placed.expect_status(201);
    Bought {
        oranges,
        eggs,
        batch,
        egg_batch,
        buyer,
        order: placed.json(),
    }
}

/// The buyer pays a gateway order in the sandbox; returns the payment (intent) id.
async fn pay_in_sandbox(app: &TestApp, buyer: &Session, order: Uuid) -> Uuid {
    let intent = app
        .post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&buyer.token))
        .await;
    intent.expect_status(200);
    let iid = intent.id();
    app.post(
        &format!("/api/v1/payments/sandbox/{iid}/complete"),
        json!({"outcome": "succeeded"}),
        Some(&buyer.token),
    )
    .await
    .expect_status(200);
    iid
}

/// [`bought`] and paid in the sandbox.
async fn paid(app: &TestApp) -> Bought {
    let mut b = bought(app).await;
    pay_in_sandbox(app, &b.buyer, b.order.id).await;
    b.order = app.order(b.order.id, &b.buyer).await;
    b
}

/// [`paid`], the oranges' batch passed its inspection, and their part shipped from it with
/// waybill SF1234567890.
async fn shipped(app: &TestApp) -> Bought {
    let b = paid(app).await;
    app.add_event(
        &b.oranges.owner,
        b.batch.id,
        "inspection",
        &app.days_ago(1),
        inspection("pass"),
    )
    .await
    .expect_status(201);
    let line = b.oranges_part().line().id;
    b.ship_oranges(app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": line, "batch_id": b.batch.id}]}), &b.oranges.owner)
        .await
        .expect_status(200);
    b
}

both_backends! {
    async fn nothing_ships_before_payment_and_nobody_else_pays_the_buyers_order(app) {
        let b = bought(&app).await;
        let stranger = app.register("13600000019", "路人").await;
        let pay = format!("/api/v1/orders/{}/pay", b.order.id);

        let early = b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890"}), &b.oranges.owner).await;

        early.expect_status(409);
        assert_eq!(early.code(), "cannot_ship");
        app.post_empty(&pay, Some(&stranger.token)).await.expect_status(404);
        app.post_empty(&pay, Some(&b.oranges.owner.token)).await.expect_status(403);
    }

    async fn the_buyer_pays_once_through_the_sandbox_gateway_and_the_seller_may_then_ship(app) {
        let b = bought(&app).await;
        let order = b.order.id;
        let stranger = app.register("13600000019", "路人").await;

        let intent = app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&b.buyer.token)).await;
        intent.expect_status(200);
        assert_eq!(intent.str("provider"), "sandbox");
        assert_eq!(intent.i64("amount"), b.order.total);
        let iid = intent.id();
        assert_eq!(intent.str("pay_url"), format!("/pay/sandbox.html?intent={iid}"));
        // Asking again gives the same payment, not a second one.
        let again = app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&b.buyer.token)).await;
        assert_eq!(again.id(), iid);
        let shown = app.get(&format!("/api/v1/payments/sandbox/{iid}"), Some(&b.buyer.token)).await;
        shown.expect_status(200);
        assert_eq!(shown.str("order_number"), b.order.number);
        app.get(&format!("/api/v1/payments/sandbox/{iid}"), Some(&stranger.token)).await.expect_status(404);
        app.post(&format!("/api/v1/payments/sandbox/{iid}/complete"), json!({"outcome": "succeeded"}), Some(&stranger.token)).await.expect_status(404);
        let done = app.post(&format!("/api/v1/payments/sandbox/{iid}/complete"), json!({"outcome": "succeeded"}), Some(&b.buyer.token)).await;

        done.expect_status(200);
        assert_eq!(done.str("status"), "paid");
        assert_eq!(done.str("return_url"), format!("/order.html?id={order}"));
        let paid = app.order(order, &b.buyer).await;
        assert_eq!(paid.status, "paid");
        assert_eq!((paid.viewer.as_str(), paid.can_pay), ("buyer", false));
        let as_seller = app.order(order, &b.oranges.owner).await;
        assert_eq!(as_seller.viewer, "seller");
        assert!(as_seller.sub_orders[0].can_ship);
        assert!(!as_seller.sub_orders[0].can_receive);
        assert_eq!(app.count("payments", "provider = 'gateway'").await, 1);
        app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&b.buyer.token)).await.expect_status(409);
    }

    async fn a_parcel_with_a_bad_waybill_or_a_batch_that_may_not_go_in_it_is_refused_and_nothing_is_written(app) {
        let b = paid(&app).await;
        let (a_owner, code_batch) = (&b.oranges.owner, b.batch.id);
        let line_a = b.oranges_part().line().id;

        let r = b.ship_oranges(&app, json!({"carrier": "顺", "tracking_no": "12<3>"}), a_owner).await;
        r.expect_status(422);
        assert!(r.field("carrier").is_some() && r.field("tracking_no").is_some(), "{}", r.text);
        // Another seller, the buyer.
        b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890"}), &b.eggs.owner).await.expect_status(404);
        b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890"}), &b.buyer).await.expect_status(404);
        // A batch that was never inspected, a failed one.
        let r = b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": line_a, "batch_id": code_batch}]}), a_owner).await;
        r.expect_status(422);
        assert_eq!(r.field_code("batches[0].batch_id"), Some("not_inspected"), "{}", r.text);
        app.add_event(a_owner, code_batch, "inspection", &app.days_ago(2), inspection("fail")).await.expect_status(201);
        let r = b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": line_a, "batch_id": code_batch}]}), a_owner).await;
        assert_eq!(r.field_code("batches[0].batch_id"), Some("batch_blocked"), "{}", r.text);
        app.add_event(a_owner, code_batch, "inspection", &app.days_ago(1), inspection("pass")).await.expect_status(201);
        // A batch of another listing, a line not in the order, a line left without its batch.
        let r = b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": line_a, "batch_id": b.egg_batch.id}]}), a_owner).await;
        assert_eq!(r.field_code("batches[0].batch_id"), Some("wrong_listing"), "{}", r.text);
        let r = b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": Uuid::nil(), "batch_id": code_batch}]}), a_owner).await;
        assert_eq!(r.field_code("batches[0].line_id"), Some("not_in_order"), "{}", r.text);
        let r = b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890"}), a_owner).await;
        assert_eq!(r.field_code("batches"), Some("batch_required"), "{}", r.text);

        assert_eq!(app.count("shipments", "1=1").await, 0, "nothing half-written");
    }

    async fn the_sellers_batch_list_says_which_batches_may_go_into_a_parcel(app) {
        let b = bought(&app).await;
        app.add_event(&b.oranges.owner, b.batch.id, "inspection", &app.days_ago(2), inspection("fail")).await.expect_status(201);
        app.add_event(&b.oranges.owner, b.batch.id, "inspection", &app.days_ago(1), inspection("pass")).await.expect_status(201);

        let list = app.get(&format!("/api/v1/orgs/{}/batches", b.oranges.org), Some(&b.oranges.owner.token)).await;
        assert_eq!(list.uuid("0.id"), b.batch.id);
        assert!(list.bool("0.shippable"), "its latest inspection passed");
        let list = app.get(&format!("/api/v1/orgs/{}/batches", b.eggs.org), Some(&b.eggs.owner.token)).await;
        assert!(!list.bool("0.shippable"), "never inspected");
    }

    async fn a_parcel_ships_from_an_inspected_batch_onto_its_trace_record_and_the_public_sees_only_the_ends_of_the_waybill(app) {
        let b = paid(&app).await;
        let code = b.batch.code.clone();
        app.add_event(&b.oranges.owner, b.batch.id, "inspection", &app.days_ago(1), inspection("pass")).await.expect_status(201);
        let line = b.oranges_part().line().id;

        let shipped = b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "sf 1234 5678 90", "batches": [{"line_id": line, "batch_id": b.batch.id}]}), &b.oranges.owner).await;

        shipped.expect_status(200);
        let order: Order = shipped.json();
        let part = order.part_of(b.oranges.org);
        assert_eq!(part.status, "shipped");
        assert!(part.acknowledged_at.is_some(), "shipping acknowledges too");
        let shipment = part.shipment.as_ref().expect("a shipment");
        assert_eq!(shipment.tracking_no, "SF1234567890");
        assert_eq!(shipment.batches[0].code, code);
        assert_eq!(part.lines[0].trace_codes, std::slice::from_ref(&code));
        // The parcel is on the batch's record, which still verifies; the public page shows
        // only the ends of the waybill.
        let rec = app.get(&format!("/api/v1/trace/{code}/verify"), None).await;
        assert!(rec.bool("ok"), "{}", rec.text);
        let page = app.get(&format!("/t/{code}"), None).await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains("SF12****7890") && !page.text.contains("SF1234567890"), "the waybill is masked in public");
    }

    async fn shipping_again_with_the_same_waybill_is_harmless_and_another_waybill_is_refused(app) {
        let b = shipped(&app).await;
        let line = b.oranges_part().line().id;

        b.ship_oranges(&app, json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": line, "batch_id": b.batch.id}]}), &b.oranges.owner).await.expect_status(200);
        b.ship_oranges(&app, json!({"carrier": "中通快递", "tracking_no": "ZT0000000001"}), &b.oranges.owner).await.expect_status(409);

        assert_eq!(app.count("shipments", "1=1").await, 1);
    }

    async fn a_part_with_no_passed_batch_ships_with_a_waybill_alone_and_shows_no_trace_code(app) {
        // The egg farm's only batch has no passed inspection, so nothing traceable can go in
        // the box.
        let b = paid(&app).await;

        let r = app.post(&format!("/api/v1/sub-orders/{}/ship", b.eggs_part().id), json!({"carrier": "中国邮政", "tracking_no": "EMS9876543210"}), Some(&b.eggs.owner.token)).await;

        r.expect_status(200);
        assert_eq!(r.at("sub_orders.0.lines.0.trace_codes"), &json!([]));
        assert_eq!(r.len_of("sub_orders"), 1, "a seller sees its own part");
    }

    async fn logistics_come_from_the_seller_and_from_the_carriers_signed_callback_once_each(app) {
        let b = shipped(&app).await;
        let path = format!("/api/v1/sub-orders/{}/logistics", b.oranges_part().id);
        let owner = &b.oranges.owner;

        let r = app.post(&path, json!({"kind": "picked_up", "location": "赣州分拨中心"}), Some(&owner.token)).await;
        r.expect_status(200);
        app.post(&path, json!({"kind": "teleported"}), Some(&owner.token)).await.expect_status(422);
        app.post(&path, json!({"kind": "in_transit", "at": "2020-01-01T00:00:00Z"}), Some(&owner.token)).await.expect_status(422);
        let carrier_secret = app.state.orders.config().carrier_secret.clone();
        let now = app.clock.now();
        let ev = serde_json::to_vec(&json!({"event_id": "sf-evt-1", "carrier": "顺丰速运", "tracking_no": "SF1234567890",
            "kind": "out_for_delivery", "at": now.to_rfc3339(), "location": "南昌市红谷滩区"})).expect("json");
        let r = post_signed(&app, "/api/v1/logistics/callback", &carrier_secret, now.timestamp(), &ev).await;
        r.expect_status(200);
        assert_eq!(r.i64("recorded"), 1);
        let r = post_signed(&app, "/api/v1/logistics/callback", &carrier_secret, now.timestamp(), &ev).await;
        assert_eq!(r.i64("recorded"), 0, "a redelivered callback is recorded once");
        let r = post_signed(&app, "/api/v1/logistics/callback", "not-the-carrier-secret", now.timestamp(), &ev).await;
        r.expect_status(400);
        assert_eq!(r.code(), "bad_signature");
        let r = post_signed(&app, "/api/v1/logistics/callback", &carrier_secret, now.timestamp() - 3600, &ev).await;
        assert_eq!(r.code(), "stale_notification");
        let unknown = serde_json::to_vec(&json!({"event_id": "sf-evt-2", "carrier": "顺丰速运", "tracking_no": "SF0000000000",
            "kind": "delivered", "at": now.to_rfc3339()})).expect("json");
        post_signed(&app, "/api/v1/logistics/callback", &carrier_secret, now.timestamp(), &unknown).await.expect_status(404);

        let seen = app.order(b.order.id, &b.buyer).await;
        let kinds: Vec<&str> = seen.part_of(b.oranges.org).shipment.as_ref().expect("a shipment").events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["picked_up", "out_for_delivery"]);
    }

    async fn only_the_buyer_confirms_receipt_which_opens_the_after_sales_window_and_the_review(app) {
        let b = shipped(&app).await;
        let sub = b.oranges_part().id;
        let line = b.oranges_part().line().id;
        let stranger = app.register("13600000019", "路人").await;

        // Reviews wait for receipt.
        let r = app.post(&format!("/api/v1/order-lines/{line}/review"), json!({"rating": 5}), Some(&b.buyer.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "not_received");
        app.post_empty(&format!("/api/v1/sub-orders/{sub}/receive"), Some(&stranger.token)).await.expect_status(404);
        app.post_empty(&format!("/api/v1/sub-orders/{sub}/receive"), Some(&b.oranges.owner.token)).await.expect_status(404);
        let got = app.post_empty(&format!("/api/v1/sub-orders/{sub}/receive"), Some(&b.buyer.token)).await;

        got.expect_status(200);
        let order: Order = got.json();
        let part = order.sub_order(sub);
        assert_eq!(part.status, "received");
        assert!(part.window_closes_at.is_some(), "receipt opens the after-sales window");
        assert!(part.lines[0].can_review);
        app.post_empty(&format!("/api/v1/sub-orders/{sub}/receive"), Some(&b.buyer.token)).await.expect_status(200);
        assert_eq!(app.count("order_events", "kind = 'received'").await, 1, "receiving twice is one event");
    }

    async fn a_received_line_is_reviewed_once_with_a_photo_and_the_listing_shows_it(app) {
        let b = shipped(&app).await;
        let line = b.oranges_part().line().id;
        app.receive(&b.buyer, b.oranges_part().id).await;
        let stranger = app.register("13600000019", "路人").await;
        let review = format!("/api/v1/order-lines/{line}/review");
        let photo = app.upload("/api/v1/review-photos", &b.buyer, jpeg_with_exif(), "parcel.jpg").await;
        photo.expect_status(201);

        let r = app.post(&review, json!({"rating": 6}), Some(&b.buyer.token)).await;
        assert_eq!(r.field_code("rating"), Some("out_of_range"));
        let r = app.post(&review, json!({"rating": 4, "photos": [Uuid::now_v7()]}), Some(&b.buyer.token)).await;
        assert_eq!(r.field_code("photos"), Some("not_found"));
        app.post(&review, json!({"rating": 5}), Some(&stranger.token)).await.expect_status(404);
        let r = app.post(&review, json!({"rating": 5, "text": "橙子很甜，包装完好，一个没坏", "photos": [photo.id()]}), Some(&b.buyer.token)).await;

        r.expect_status(201);
        assert_eq!(r.str("reviewer"), "王**");
        assert!(r.str("photos.0.thumb_url").starts_with("/media/public/reviews/"));
        let r = app.post(&review, json!({"rating": 1}), Some(&b.buyer.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "already_reviewed");
        let reviews = app.get(&format!("/api/v1/listings/{}/reviews", b.oranges.listing), None).await;
        reviews.expect_status(200);
        assert_eq!(reviews.i64("count"), 1);
        assert_eq!(reviews.body["average"], 5.0);
        assert_eq!(reviews.at("stars"), &json!([0, 0, 0, 0, 1]));
        assert_eq!(reviews.str("items.0.text"), "橙子很甜，包装完好，一个没坏");
    }

    async fn a_parcel_nobody_confirms_is_received_by_the_scheduler_after_the_configured_days(app) {
        let b = paid(&app).await;
        let eggs = b.eggs_part().id;
        app.ship(&b.eggs.owner, eggs).await;

        app.clock.advance(chrono::Duration::days(7) + chrono::Duration::minutes(1));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;

        let later = app.order(b.order.id, &b.buyer).await;
        assert_eq!(later.sub_order(eggs).status, "received", "{later:?}");
        assert_eq!(app.count("order_events", "kind = 'received'").await, 1);
    }
}

/// A gateway order of one box, its payment started; the webhook's secret and clock.
struct Webhook {
    buyer: Consumer,
    seller: SellerWithListing,
    order: Order,
    intent: Uuid,
    secret: String,
    now: i64,
}

const HOOK: &str = "/api/v1/payments/webhook/sandbox";

async fn awaiting_the_gateway(app: &TestApp) -> Webhook {
    let seller = app.seller_with_listing().await;
    let buyer = app.consumer().await;
    let order = app.checkout(&buyer, &[(seller.sku, 1)], "gateway").await;
    let intent = app
        .post_empty(
            &format!("/api/v1/orders/{}/pay", order.id),
            Some(&buyer.token),
        )
        .await;
    intent.expect_status(200);
    Webhook {
        intent: intent.id(),
        secret: app.state.orders.config().gateway_secret.clone(),
        now: app.clock.now().timestamp(),
        buyer,
        seller,
        order,
    }
}

/// A notification that payment `intent` of `amount` succeeded.
fn succeeded(event_id: &str, intent: Uuid, amount: i64, transaction: &str) -> Vec<u8> {
    serde_json::to_vec(&WebhookEvent {
        event_id: event_id.into(),
        intent_id: intent,
        outcome: Outcome::Succeeded,
        amount_fen: amount,
        transaction_id: transaction.into(),
    })
    .expect("json")
}

both_backends! {
    async fn forged_stale_malformed_and_mismatched_notifications_are_refused_and_pay_nothing(app) {
        let w = awaiting_the_gateway(&app).await;
        let event = |id: &str, amount: i64| succeeded(id, w.intent, amount, "WX4200001");
        let total = w.order.total;

        let r = app.post_raw(HOOK, "application/json", event("e1", total), None).await;
        r.expect_status(400);
        assert_eq!(r.code(), "bad_signature");
        let r = post_signed(&app, HOOK, "an-attackers-guess-0000", w.now, &event("e1", total)).await;
        assert_eq!(r.code(), "bad_signature");
        let r = post_signed(&app, HOOK, &w.secret, w.now - 600, &event("e1", total)).await;
        assert_eq!(r.code(), "stale_notification");
        let r = post_signed(&app, HOOK, &w.secret, w.now, b"{\"event_id\": 1}").await;
        assert_eq!(r.code(), "malformed_notification");
        let r = post_signed(&app, HOOK, &w.secret, w.now, &event("e1", 1)).await;
        assert_eq!(r.code(), "amount_mismatch");
        post_signed(&app, "/api/v1/payments/webhook/paypal", &w.secret, w.now, &event("e1", total)).await.expect_status(404);

        assert_eq!(app.order(w.order.id, &w.buyer).await.status, "pending_payment");
    }

    async fn the_genuine_notification_pays_once_however_often_it_comes(app) {
        let w = awaiting_the_gateway(&app).await;
        let body = succeeded("e1", w.intent, w.order.total, "WX4200001");

        let r = post_signed(&app, HOOK, &w.secret, w.now, &body).await;

        r.expect_status(200);
        assert_eq!(r.str("result"), "paid");
        // Replayed, or retried under a new event id: not paid twice.
        let r = post_signed(&app, HOOK, &w.secret, w.now, &body).await;
        assert_eq!(r.str("result"), "duplicate");
        let r = post_signed(&app, HOOK, &w.secret, w.now, &succeeded("e1-retry", w.intent, w.order.total, "WX4200001")).await;
        assert_eq!(r.str("result"), "already_paid");
        assert_eq!(app.count("payments", "1=1").await, 1);
        assert_eq!(app.count("order_events", "kind = 'paid'").await, 1);
    }

    async fn money_that_arrives_after_the_order_expired_goes_straight_back(app) {
        let w = awaiting_the_gateway(&app).await;
        let late = app.checkout(&w.buyer, &[(w.seller.sku, 1)], "gateway").await;
        let li = app.post_empty(&format!("/api/v1/orders/{}/pay", late.id), Some(&w.buyer.token)).await;
        let late_intent = li.id();
        app.clock.advance(chrono::Duration::minutes(31));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        assert_eq!(app.order(late.id, &w.buyer).await.status, "expired");

        let body = succeeded("e2", late_intent, late.total, "WX4200002");
        let r = post_signed(&app, HOOK, &w.secret, app.clock.now().timestamp(), &body).await;

        r.expect_status(200);
        assert_eq!(r.str("result"), "refunded_closed");
        app.outbox_drained().await;
        assert_eq!(app.count("refunds", "status = 'succeeded' AND sub_order_id IS NULL").await, 1);
        assert_eq!(app.order(late.id, &w.buyer).await.status, "expired");
    }
}

/// A seller with two offline orders by one buyer (2 boxes, then 1), each paid by a transfer
/// the operator confirmed; another seller with none.
struct Ledger {
    seller: SellerWithListing,
    other: SellerWithListing,
    buyer: Consumer,
    orders: Vec<Order>,
}

impl Ledger {
    fn first_sub(&self) -> Uuid {
        self.orders[0].part().id
    }
}

async fn two_paid_offline_orders(app: &TestApp) -> Ledger {
    let seller = app.seller_with_listing().await;
    let other = app
        .verified_seller()
        .named("白云山家庭农场")
        .with_listing(Product::eggs())
        .await;
    let buyer = app.consumer().await;
    let mut orders = Vec::new();
    for qty in [2, 1] {
        let o = app.checkout(&buyer, &[(seller.sku, qty)], "offline").await;
        app.post_empty(&format!("/api/v1/orders/{}/pay", o.id), Some(&buyer.token))
            .await
            .expect_status(200);
        app.confirm_transfer(o.id).await;
        orders.push(app.order(o.id, &buyer).await);
    }
    Ledger {
        seller,
        other,
        buyer,
        orders,
    }
}

/// The operator refunds `amount` of a part, with an idempotency key when given.
async fn refund(app: &TestApp, sub: Uuid, amount: i64, key: Option<&str>, who: &Session) -> Resp {
    let mut req = app
        .http
        .post(app.url(&format!("/api/v1/sub-orders/{sub}/refunds")))
        .bearer_auth(&who.token)
        .json(&json!({"amount": amount, "reason": "三个果子压坏"}));
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    app.send(req).await
}

/// [`two_paid_offline_orders`], ¥30 of the first refunded, both shipped and received; `today`
/// is the day (in China) that happened.
async fn settled(app: &TestApp) -> (Ledger, String) {
    let ledger = two_paid_offline_orders(app).await;
    let op = app.operator().await;
    refund(app, ledger.first_sub(), 3000, Some("r1"), &op)
        .await
        .expect_status(200);
    app.outbox_drained().await;
    for order in &ledger.orders {
        app.ship(&ledger.seller.owner, order.part().id).await;
        app.receive(&ledger.buyer, order.part().id).await;
    }
    let today = app.today_in_china();
    (ledger, today)
}

both_backends! {
    async fn offline_payment_instructions_name_the_order_and_the_confirmed_transfer_settles_them(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let mut settled = 0;
        for qty in [2, 1] {
            let o = app.checkout(&buyer, &[(seller.sku, qty)], "offline").await;

            let pay = app.post_empty(&format!("/api/v1/orders/{}/pay", o.id), Some(&buyer.token)).await;
            app.confirm_transfer(o.id).await;

            pay.expect_status(200);
            assert!(pay.at("pay_url").is_null());
            assert!(pay.str("instructions_zh").contains(&o.number));
            settled += 1;
            assert_eq!(app.count("payment_intents", "status = 'succeeded' AND provider = 'offline'").await, settled, "{}: the confirmed transfer settles its instructions", pay.id());
        }
    }

    async fn only_the_operator_refunds_with_an_idempotency_key_and_never_more_than_was_paid(app) {
        let ledger = two_paid_offline_orders(&app).await;
        let (first, first_total) = (ledger.first_sub(), ledger.orders[0].total);
        let op = app.operator().await;

        refund(&app, first, 3000, Some("r1"), &ledger.seller.owner).await.expect_status(403);
        refund(&app, first, 3000, Some("r1"), &ledger.buyer).await.expect_status(403);
        let r = refund(&app, first, 3000, None, &op).await;
        assert_eq!(r.field_code("Idempotency-Key"), Some("required"));
        let r = refund(&app, first, 0, Some("r0"), &op).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"));
        let r = refund(&app, first, first_total + 1, Some("r0"), &op).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"));
        let r = refund(&app, first, 3000, Some("r1"), &op).await;
        r.expect_status(200);
        assert_eq!(r.i64("refunded"), 3000);
        assert_eq!(r.i64("sub_orders.0.refunded"), 3000);
        refund(&app, first, 3000, Some("r1"), &op).await.expect_status(200);
        assert_eq!(app.count("refunds", "1=1").await, 1, "the same key is the same refund");
        let r = refund(&app, first, 100, Some("r1"), &op).await;
        assert_eq!(r.code(), "idempotency_key_reused");
        // The rest can go back, but not a fen more.
        let r = refund(&app, first, first_total - 3000 + 1, Some("r2"), &op).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"));
        app.outbox_drained().await;
        assert_eq!(app.count("refunds", "status = 'succeeded' AND provider = 'offline'").await, 1);
    }

    async fn handling_times_count_paid_acknowledged_and_shipped_parts_for_their_seller_only(app) {
        let (ledger, today) = settled(&app).await;
        let path = format!("/api/v1/orgs/{}/fulfilment?from={today}&to={today}", ledger.seller.org);

        let f = app.get(&path, Some(&ledger.seller.owner.token)).await;

        // Shipping acknowledged both at once.
        f.expect_status(200);
        assert_eq!((f.i64("paid"), f.i64("acknowledged"), f.i64("shipped")), (2, 2, 2));
        assert_eq!(f.i64("acknowledged_within_target_bp"), 10_000);
        app.get(&path, Some(&ledger.other.owner.token)).await.expect_status(403);
    }

    async fn a_statement_holds_payouts_back_while_after_sales_windows_are_open(app) {
        let (ledger, today) = settled(&app).await;

        let st = app.get(&format!("/api/v1/orgs/{}/settlement?from={today}&to={today}", ledger.seller.org), Some(&ledger.seller.owner.token)).await;

        st.expect_status(200);
        let sales: i64 = ledger.orders.iter().map(|o| o.total).sum();
        assert_eq!(st.i64("totals.sales"), sales);
        assert_eq!(st.i64("totals.refunds"), 3000);
        assert_eq!(st.i64("totals.payable"), 0, "windows still open");
        assert_eq!(st.i64("totals.sub_orders"), 2);
        assert_eq!(st.i64("totals.sales") - st.i64("totals.refunds") - st.i64("totals.commission"), st.i64("totals.pending"));
    }

    async fn once_the_windows_close_the_statement_reconciles_with_the_orders_and_commission_shrinks_with_refunds(app) {
        let (ledger, today) = settled(&app).await;
        let op = app.operator().await;

        app.clock.advance(chrono::Duration::hours(49));
        let st = app.get(&format!("/api/v1/orgs/{}/settlement?from={today}&to={today}", ledger.seller.org), Some(&op.token)).await;

        assert_eq!(st.i64("totals.pending"), 0);
        // Reconcile with the orders: commission shrinks with the refund, half up.
        let lines = st.arr("lines");
        assert_eq!(lines.len(), 2);
        let mut payable = 0;
        let mut commission = 0;
        for l in lines {
            let (total, refunded) = (l.i64("total"), l.i64("refunded"));
            let full = app.get(&format!("/api/v1/orders/{}", l.uuid("order_id")), Some(&ledger.seller.owner.token)).await;
            let c = full.i64("sub_orders.0.commission");
            let kept = (c * (total - refunded) * 2 + total) / (2 * total);
            assert_eq!(l.i64("commission"), kept, "{l}");
            assert_eq!(l.i64("payable"), total - refunded - kept);
            assert_eq!(l.str("state"), "payable");
            payable += l.i64("payable");
            commission += kept;
        }
        assert_eq!(st.i64("totals.payable"), payable);
        assert_eq!(st.i64("totals.commission"), commission);
        assert_eq!(st.i64("totals.sales") - st.i64("totals.refunds") - st.i64("totals.commission"), st.i64("totals.payable"));
    }

    async fn a_statement_refuses_bad_periods_and_other_sellers(app) {
        let (ledger, today) = settled(&app).await;
        let (org, owner, other) = (ledger.seller.org, &ledger.seller.owner, &ledger.other);

        let r = app.get(&format!("/api/v1/orgs/{org}/settlement?from={today}&to=2020-01-01"), Some(&owner.token)).await;
        assert_eq!(r.field_code("to"), Some("before_from"));
        let r = app.get(&format!("/api/v1/orgs/{org}/settlement?from=2020-01-01&to={today}"), Some(&owner.token)).await;
        assert_eq!(r.field_code("to"), Some("too_long"));
        app.get(&format!("/api/v1/orgs/{org}/settlement?from=yesterday&to={today}"), Some(&owner.token)).await.expect_status(400);
        app.get(&format!("/api/v1/orgs/{org}/settlement?from={today}&to={today}"), Some(&other.owner.token)).await.expect_status(403);
        let theirs = app.get(&format!("/api/v1/orgs/{}/settlement?from={today}&to={today}", other.org), Some(&other.owner.token)).await;
        assert_eq!(theirs.i64("totals.sub_orders"), 0);
    }

    async fn the_operator_finds_orders_by_status_and_sub_order_number_and_nobody_else_can(app) {
        let (ledger, _) = settled(&app).await;
        let op = app.operator().await;

        let all = app.get("/api/v1/ops/orders?status=paid", Some(&op.token)).await;

        all.expect_status(200);
        assert_eq!(all.i64("total"), 2);
        let number = all.str("items.0.sub_orders.0.number");
        let one = app.get(&format!("/api/v1/ops/orders?number={number}"), Some(&op.token)).await;
        assert_eq!(one.i64("total"), 1, "found by its sub-order number");
        app.get("/api/v1/ops/orders", Some(&ledger.buyer.token)).await.expect_status(403);
        app.get("/api/v1/ops/orders", Some(&ledger.seller.owner.token)).await.expect_status(403);
    }
}

// ---- Issue #15: retries and replays at the same moment (findings 11 and 13, and the class:
// payments, refunds, shipping and reviews that check and then write).

/// `times` copies of one request, sent at once; the answers.
async fn at_once(
    app: &TestApp,
    times: usize,
    req: impl Fn() -> reqwest::RequestBuilder,
) -> Vec<Resp> {
    app.send_all((0..times).map(|_| req()).collect()).await
}

fn statuses(answers: &[Resp]) -> Vec<String> {
    answers
        .iter()
        .map(|r| format!("{} {}", r.status, r.text))
        .collect()
}

both_backends! {
    async fn eight_identical_refunds_sent_at_once_with_one_key_make_one_refund_and_every_answer_shows_it(app) {
        // The whole payment, so a second refund would also run into "more than was paid":
        // every retry must still hear about the one refund, not an error.
        let ledger = two_paid_offline_orders(&app).await;
        let (sub, total) = (ledger.first_sub(), ledger.orders[0].total);
        let op = app.operator().await;

        let answers = at_once(&app, 8, || {
            app.http.post(app.url(&format!("/api/v1/sub-orders/{sub}/refunds"))).bearer_auth(&op.token)
                .header("idempotency-key", "refund-flaky-1").json(&json!({"amount": total, "reason": "三个果子压坏"}))
        }).await;

        for r in &answers {
            assert_eq!(r.status, 200, "{:?}", statuses(&answers));
            assert_eq!(r.i64("refunded"), total);
            assert_eq!(r.len_of("refunds"), 1);
        }
        assert_eq!(app.count("refunds", "1=1").await, 1);
        assert_eq!(app.count("order_events", "kind = 'refunded'").await, 1);
    }

    async fn eight_pay_taps_at_once_start_one_payment_and_every_answer_names_it(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.checkout(&buyer, &[(seller.sku, 1)], "gateway").await;

        let answers = at_once(&app, 8, || {
            app.http.post(app.url(&format!("/api/v1/orders/{}/pay", order.id))).bearer_auth(&buyer.token)
        }).await;

        let first = answers[0].id();
        for r in &answers {
            assert_eq!(r.status, 200, "{:?}", statuses(&answers));
            assert_eq!(r.id(), first, "one payment, never two that could each take the money");
        }
        assert_eq!(app.count("payment_intents", "1=1").await, 1);
    }

    async fn a_replayed_payment_event_id_with_another_amount_is_refused_as_a_mismatch(app) {
        let w = awaiting_the_gateway(&app).await;
        let genuine = succeeded("e1", w.intent, w.order.total, "WX4200001");
        post_signed(&app, HOOK, &w.secret, w.now, &genuine).await.expect_status(200);

        let changed = post_signed(&app, HOOK, &w.secret, w.now, &succeeded("e1", w.intent, w.order.total + 100, "WX4200001")).await;

        changed.expect_status(409);
        assert_eq!(changed.code(), "notification_mismatch");
        assert_eq!(app.count("payments", "1=1").await, 1);
    }

    async fn a_replayed_payment_event_id_with_another_transaction_or_outcome_is_refused_and_the_genuine_replay_is_a_duplicate(app) {
        let w = awaiting_the_gateway(&app).await;
        let genuine = succeeded("e1", w.intent, w.order.total, "WX4200001");
        post_signed(&app, HOOK, &w.secret, w.now, &genuine).await.expect_status(200);
        let failed = serde_json::to_vec(&WebhookEvent {
            event_id: "e1".into(), intent_id: w.intent, outcome: Outcome::Failed,
            amount_fen: w.order.total, transaction_id: "WX4200001".into(),
        }).expect("json");

        let other_transaction = post_signed(&app, HOOK, &w.secret, w.now, &succeeded("e1", w.intent, w.order.total, "WX4209999")).await;
        let other_outcome = post_signed(&app, HOOK, &w.secret, w.now, &failed).await;
        let same = post_signed(&app, HOOK, &w.secret, w.now, &genuine).await;

        assert_eq!(other_transaction.code(), "notification_mismatch");
        assert_eq!(other_outcome.code(), "notification_mismatch");
        same.expect_status(200);
        assert_eq!(same.str("result"), "duplicate");
        assert_eq!(app.order(w.order.id, &w.buyer).await.status, "paid");
        assert_eq!(app.count("refunds", "1=1").await, 0, "nothing given back for a replay");
    }

    async fn a_carrier_event_id_sent_again_with_other_content_is_refused_and_the_genuine_redelivery_records_nothing(app) {
        let b = shipped(&app).await;
        let secret = app.state.orders.config().carrier_secret.clone();
        let now = app.clock.now();
        let event = |kind: &str| serde_json::to_vec(&json!({"event_id": "sf-evt-1", "carrier": "顺丰速运", "tracking_no": "SF1234567890",
            "kind": kind, "at": now.to_rfc3339(), "location": "南昌市红谷滩区"})).expect("json");
        post_signed(&app, "/api/v1/logistics/callback", &secret, now.timestamp(), &event("out_for_delivery")).await.expect_status(200);

        let changed = post_signed(&app, "/api/v1/logistics/callback", &secret, now.timestamp(), &event("delivered")).await;
        let same = post_signed(&app, "/api/v1/logistics/callback", &secret, now.timestamp(), &event("out_for_delivery")).await;

        changed.expect_status(409);
        assert_eq!(changed.code(), "notification_mismatch");
        same.expect_status(200);
        assert_eq!(same.i64("recorded"), 0);
        let seen = app.order(b.order.id, &b.buyer).await;
        let kinds: Vec<&str> = seen.part_of(b.oranges.org).shipment.as_ref().expect("a shipment").events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["out_for_delivery"]);
    }

    async fn the_same_shipment_sent_twice_at_once_ships_once_and_both_answers_show_it(app) {
        let b = paid(&app).await;
        let part = b.eggs_part().id;
        let owner = &b.eggs.owner;

        let answers = at_once(&app, 2, || {
            app.http.post(app.url(&format!("/api/v1/sub-orders/{part}/ship"))).bearer_auth(&owner.token)
                .json(&json!({"carrier": "中国邮政", "tracking_no": "EMS9876543210"}))
        }).await;

        for r in &answers {
            assert_eq!(r.status, 200, "{:?}", statuses(&answers));
            assert_eq!(r.str("sub_orders.0.status"), "shipped");
        }
        assert_eq!(app.count("shipments", "1=1").await, 1);
        assert_eq!(app.count("order_events", "kind = 'shipped'").await, 1);
    }

    async fn one_photo_in_two_reviews_posted_at_once_is_used_by_one(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let first = app.received(&buyer, &seller, &[(seller.sku, 1)]).await;
        let second = app.received(&buyer, &seller, &[(seller.sku, 1)]).await;
        let photo = app.upload("/api/v1/review-photos", &buyer, jpeg_with_exif(), "box.jpg").await;
        photo.expect_status(201);
        let review = |line: Uuid| {
            app.http.post(app.url(&format!("/api/v1/order-lines/{line}/review"))).bearer_auth(&buyer.token)
                .json(&json!({"rating": 5, "photos": [photo.id()]}))
        };

        let answers = app.send_all(vec![review(first.line_id), review(second.line_id)]).await;

        let mut codes: Vec<u16> = answers.iter().map(|r| r.status).collect();
        codes.sort_unstable();
        assert_eq!(codes, [201, 422], "{:?}", statuses(&answers));
        let refused = answers.iter().find(|r| r.status == 422).expect("a refusal");
        assert_eq!(refused.field_code("photos"), Some("not_found"));
        assert_eq!(app.count("reviews", "1=1").await, 1, "nothing half-written");
    }
}
