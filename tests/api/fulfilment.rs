//! After checkout, through the real server: paying through the sandbox gateway and its signed
//! webhook (forged, stale, replayed, mismatched and late notifications), shipping from
//! inspected batches onto their trace records, logistics from the seller and a signed carrier
//! callback, receipt by the buyer or the scheduler, reviews, refunds that never exceed what was
//! paid, and the settlement statement that reconciles to the orders.

use crate::orders::{buyer_with_address, seller};
use crate::trace::{add, batch, days_ago, page};
use farmgate_orders::payment::{Outcome, WebhookEvent, signature_header};
use farmgate_tests::{Resp, Session, TestApp, both_backends};
use serde_json::{Value, json};

const SIG: &str = "farmgate-signature";

fn id(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

async fn post_signed(app: &TestApp, path: &str, secret: &str, t: i64, body: &[u8]) -> Resp {
    let req = app
        .http
        .post(app.url(path))
        .header("content-type", "application/json")
        .header(SIG, signature_header(secret.as_bytes(), t, body))
        .body(body.to_vec());
    app.send(req).await
}

fn inspection(result: &str) -> Value {
    json!({"lab": "青石县农产品质量检测站", "method": "GB 23200.113", "items": "农残 56 项", "result": result})
}

/// A checkout of one SKU; returns the order as the buyer sees it.
async fn order_of(
    app: &TestApp,
    buyer: &Session,
    address: &str,
    sku: &str,
    qty: i64,
    method: &str,
) -> Value {
    let r = app
        .post(
            "/api/v1/orders",
            json!({"address_id": address, "payment_method": method, "items": [{"sku_id": sku, "quantity": qty}]}),
            Some(&buyer.token),
        )
        .await;
    r.expect_status(201);
    r.body
}

fn shanghai_today(app: &TestApp) -> String {
    (app.clock.now() + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string()
}

both_backends! {
    async fn parcels_ship_from_inspected_batches_onto_their_trace_records_and_are_received_and_reviewed(app) {
        let op = app.operator().await;
        let (a_owner, a_org, a_listing, a_sku) = seller(&app, &op, "13800000011", "梅岭脐橙专业合作社", "赣南脐橙 10斤装", 5990, 50).await;
        let (b_owner, b_org, b_listing, b_sku) = seller(&app, &op, "13800000012", "白云山家庭农场", "散养土鸡蛋 30枚", 4500, 20).await;
        let (buyer, address) = buyer_with_address(&app, "13600000011").await;
        let (code_batch, code) = batch(&app, &a_owner, &a_listing).await;

        for sku in [&a_sku, &b_sku] {
            app.post("/api/v1/cart/items", json!({"sku_id": sku, "quantity": 2}), Some(&buyer.token)).await.expect_status(200);
        }
        let placed = app.post("/api/v1/orders", json!({"address_id": address, "payment_method": "gateway"}), Some(&buyer.token)).await;
        placed.expect_status(201);
        let order = id(&placed.body["id"]);

        // Nothing ships before payment, and nobody else pays the buyer's order.
        let sub_a = |o: &Value| o["sub_orders"].as_array().and_then(|s| s.iter().find(|s| s["seller_name"] == "梅岭脐橙专业合作社").cloned()).unwrap_or_default();
        let sub_a_id = id(&sub_a(&placed.body)["id"]);
        let early = app.post(&format!("/api/v1/sub-orders/{sub_a_id}/ship"), json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890"}), Some(&a_owner.token)).await;
        early.expect_status(409);
        assert_eq!(early.code(), "cannot_ship");
        let stranger = app.register("13600000019", "路人").await;
        app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&stranger.token)).await.expect_status(404);
        app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&a_owner.token)).await.expect_status(403);

        let intent = app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&buyer.token)).await;
        intent.expect_status(200);
        assert_eq!(intent.body["provider"], "sandbox");
        assert_eq!(intent.body["amount"], placed.body["total"]);
        let iid = id(&intent.body["id"]);
        assert_eq!(intent.body["pay_url"], format!("/pay/sandbox.html?intent={iid}"));
        // Asking again gives the same payment, not a second one.
        let again = app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&buyer.token)).await;
        assert_eq!(again.body["id"], intent.body["id"]);
        let shown = app.get(&format!("/api/v1/payments/sandbox/{iid}"), Some(&buyer.token)).await;
        shown.expect_status(200);
        assert_eq!(shown.body["order_number"], placed.body["number"]);
        app.get(&format!("/api/v1/payments/sandbox/{iid}"), Some(&stranger.token)).await.expect_status(404);
        app.post(&format!("/api/v1/payments/sandbox/{iid}/complete"), json!({"outcome": "succeeded"}), Some(&stranger.token)).await.expect_status(404);
        let done = app.post(&format!("/api/v1/payments/sandbox/{iid}/complete"), json!({"outcome": "succeeded"}), Some(&buyer.token)).await;
        done.expect_status(200);
        assert_eq!(done.body["status"], "paid");
        assert_eq!(done.body["return_url"], format!("/order.html?id={order}"));
        let paid = app.get(&format!("/api/v1/orders/{order}"), Some(&buyer.token)).await;
        assert_eq!(paid.body["status"], "paid");
        assert_eq!((paid.body["viewer"].as_str(), paid.body["can_pay"].as_bool()), (Some("buyer"), Some(false)));
        let as_seller = app.get(&format!("/api/v1/orders/{order}"), Some(&a_owner.token)).await;
        assert_eq!(as_seller.body["viewer"], "seller");
        assert_eq!(as_seller.body["sub_orders"][0]["can_ship"], true);
        assert_eq!(as_seller.body["sub_orders"][0]["can_receive"], false);
        assert_eq!(app.count("payments", "provider = 'gateway'").await, 1);
        app.post_empty(&format!("/api/v1/orders/{order}/pay"), Some(&buyer.token)).await.expect_status(409);

        // Shipping: bad waybills, another seller, a batch that was never inspected, a failed
        // one, a batch of another listing, and a line left without its batch are all refused.
        let ship = |body: Value, who: &Session| {
            let path = format!("/api/v1/sub-orders/{sub_a_id}/ship");
            let token = who.token.clone();
            let app = &app;
            async move { app.post(&path, body, Some(&token)).await }
        };
        let line_a = id(&sub_a(&paid.body)["lines"][0]["id"]);
        let r = ship(json!({"carrier": "顺", "tracking_no": "12<3>"}), &a_owner).await;
        r.expect_status(422);
        assert!(r.field("carrier").is_some() && r.field("tracking_no").is_some(), "{}", r.text);
        ship(json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890"}), &b_owner).await.expect_status(404);
        ship(json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890"}), &buyer).await.expect_status(404);
        let r = ship(json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": line_a, "batch_id": code_batch}]}), &a_owner).await;
        r.expect_status(422);
        assert_eq!(r.field_code("batches[0].batch_id"), Some("not_inspected"), "{}", r.text);
        add(&app, &a_owner, &code_batch, "inspection", &days_ago(&app, 2), inspection("fail")).await.expect_status(201);
        let r = ship(json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": line_a, "batch_id": code_batch}]}), &a_owner).await;
        assert_eq!(r.field_code("batches[0].batch_id"), Some("batch_blocked"), "{}", r.text);
        add(&app, &a_owner, &code_batch, "inspection", &days_ago(&app, 1), inspection("pass")).await.expect_status(201);
        let (b_batch, _) = batch(&app, &b_owner, &b_listing).await;
        // The seller's batch list says which batches may go into a parcel.
        let list = app.get(&format!("/api/v1/orgs/{a_org}/batches"), Some(&a_owner.token)).await;
        assert_eq!(list.body[0]["id"], code_batch.as_str());
        assert_eq!(list.body[0]["shippable"], true, "its latest inspection passed");
        let list = app.get(&format!("/api/v1/orgs/{b_org}/batches"), Some(&b_owner.token)).await;
        assert_eq!(list.body[0]["shippable"], false, "never inspected");
        let r = ship(json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": line_a, "batch_id": b_batch}]}), &a_owner).await;
        assert_eq!(r.field_code("batches[0].batch_id"), Some("wrong_listing"), "{}", r.text);
        let r = ship(json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": uuid::Uuid::nil(), "batch_id": code_batch}]}), &a_owner).await;
        assert_eq!(r.field_code("batches[0].line_id"), Some("not_in_order"), "{}", r.text);
        let r = ship(json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890"}), &a_owner).await;
        assert_eq!(r.field_code("batches"), Some("batch_required"), "{}", r.text);
        assert_eq!(app.count("shipments", "1=1").await, 0, "nothing half-written");

        let shipped = ship(json!({"carrier": "顺丰速运", "tracking_no": "sf 1234 5678 90", "batches": [{"line_id": line_a, "batch_id": code_batch}]}), &a_owner).await;
        shipped.expect_status(200);
        let part = sub_a(&shipped.body);
        assert_eq!(part["status"], "shipped");
        assert!(part["acknowledged_at"].is_string(), "shipping acknowledges too");
        assert_eq!(part["shipment"]["tracking_no"], "SF1234567890");
        assert_eq!(part["shipment"]["batches"][0]["code"], code.as_str());
        assert_eq!(part["lines"][0]["trace_codes"], json!([code]));
        // The parcel is on the batch's record, which still verifies; the public page shows
        // only the ends of the waybill.
        let rec = app.get(&format!("/api/v1/trace/{code}/verify"), None).await;
        assert_eq!(rec.body["ok"], true, "{}", rec.text);
        let (status, html) = page(&app, &code).await;
        assert_eq!(status, 200);
        assert!(html.contains("SF12****7890") && !html.contains("SF1234567890"), "the waybill is masked in public");
        // Retrying the same shipment is harmless; another waybill is refused.
        ship(json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "batches": [{"line_id": line_a, "batch_id": code_batch}]}), &a_owner).await.expect_status(200);
        ship(json!({"carrier": "中通快递", "tracking_no": "ZT0000000001"}), &a_owner).await.expect_status(409);
        assert_eq!(app.count("shipments", "1=1").await, 1);

        // The egg farm's only batch has no passed inspection, so nothing traceable can go in
        // the box: it ships with a waybill alone, and its line shows no trace code.
        let sub_b_id = paid.body["sub_orders"].as_array().and_then(|s| s.iter().find(|s| s["seller_name"] == "白云山家庭农场")).map(|s| id(&s["id"])).unwrap_or_default();
        let r = app.post(&format!("/api/v1/sub-orders/{sub_b_id}/ship"), json!({"carrier": "中国邮政", "tracking_no": "EMS9876543210"}), Some(&b_owner.token)).await;
        r.expect_status(200);
        let eggs = r.body["sub_orders"].as_array().and_then(|s| s.first().cloned()).unwrap_or_default();
        assert_eq!(eggs["lines"][0]["trace_codes"], json!([]));
        assert_eq!(r.body["sub_orders"].as_array().map(Vec::len), Some(1), "a seller sees its own part");

        // Logistics from the seller, then from the carrier's signed callback.
        let r = app.post(&format!("/api/v1/sub-orders/{sub_a_id}/logistics"), json!({"kind": "picked_up", "location": "赣州分拨中心"}), Some(&a_owner.token)).await;
        r.expect_status(200);
        app.post(&format!("/api/v1/sub-orders/{sub_a_id}/logistics"), json!({"kind": "teleported"}), Some(&a_owner.token)).await.expect_status(422);
        app.post(&format!("/api/v1/sub-orders/{sub_a_id}/logistics"), json!({"kind": "in_transit", "at": "2020-01-01T00:00:00Z"}), Some(&a_owner.token)).await.expect_status(422);
        let carrier_secret = app.state.orders.config().carrier_secret.clone();
        let now = app.clock.now();
        let ev = serde_json::to_vec(&json!({"event_id": "sf-evt-1", "carrier": "顺丰速运", "tracking_no": "SF1234567890",
            "kind": "out_for_delivery", "at": now.to_rfc3339(), "location": "南昌市红谷滩区"})).unwrap_or_default();
        let r = post_signed(&app, "/api/v1/logistics/callback", &carrier_secret, now.timestamp(), &ev).await;
        r.expect_status(200);
        assert_eq!(r.body["recorded"], 1);
        let r = post_signed(&app, "/api/v1/logistics/callback", &carrier_secret, now.timestamp(), &ev).await;
        assert_eq!(r.body["recorded"], 0, "a redelivered callback is recorded once");
        let r = post_signed(&app, "/api/v1/logistics/callback", "not-the-carrier-secret", now.timestamp(), &ev).await;
        r.expect_status(400);
        assert_eq!(r.code(), "bad_signature");
        let r = post_signed(&app, "/api/v1/logistics/callback", &carrier_secret, now.timestamp() - 3600, &ev).await;
        assert_eq!(r.code(), "stale_notification");
        let unknown = serde_json::to_vec(&json!({"event_id": "sf-evt-2", "carrier": "顺丰速运", "tracking_no": "SF0000000000",
            "kind": "delivered", "at": now.to_rfc3339()})).unwrap_or_default();
        post_signed(&app, "/api/v1/logistics/callback", &carrier_secret, now.timestamp(), &unknown).await.expect_status(404);
        let seen = app.get(&format!("/api/v1/orders/{order}"), Some(&buyer.token)).await;
        let kinds: Vec<String> = sub_a(&seen.body)["shipment"]["events"].as_array().map(|a| a.iter().map(|e| id(&e["kind"])).collect()).unwrap_or_default();
        assert_eq!(kinds, ["picked_up", "out_for_delivery"]);

        // Reviews wait for receipt; receipt is the buyer's; then once a line.
        let r = app.post(&format!("/api/v1/order-lines/{line_a}/review"), json!({"rating": 5}), Some(&buyer.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "not_received");
        app.post_empty(&format!("/api/v1/sub-orders/{sub_a_id}/receive"), Some(&stranger.token)).await.expect_status(404);
        app.post_empty(&format!("/api/v1/sub-orders/{sub_a_id}/receive"), Some(&a_owner.token)).await.expect_status(404);
        let got = app.post_empty(&format!("/api/v1/sub-orders/{sub_a_id}/receive"), Some(&buyer.token)).await;
        got.expect_status(200);
        let part = sub_a(&got.body);
        assert_eq!(part["status"], "received");
        assert!(part["window_closes_at"].is_string(), "receipt opens the after-sales window");
        assert_eq!(part["lines"][0]["can_review"], true);
        app.post_empty(&format!("/api/v1/sub-orders/{sub_a_id}/receive"), Some(&buyer.token)).await.expect_status(200);
        assert_eq!(app.count("order_events", "kind = 'received'").await, 1, "receiving twice is one event");

        let photo = {
            let part = reqwest::multipart::Part::bytes(crate::catalog::jpeg_with_exif()).file_name("parcel.jpg".to_owned());
            let form = reqwest::multipart::Form::new().part("file", part);
            app.send(app.http.post(app.url("/api/v1/review-photos")).bearer_auth(&buyer.token).multipart(form)).await
        };
        photo.expect_status(201);
        let photo_id = id(&photo.body["id"]);
        let r = app.post(&format!("/api/v1/order-lines/{line_a}/review"), json!({"rating": 6}), Some(&buyer.token)).await;
        assert_eq!(r.field_code("rating"), Some("out_of_range"));
        let r = app.post(&format!("/api/v1/order-lines/{line_a}/review"), json!({"rating": 4, "photos": [uuid::Uuid::now_v7()]}), Some(&buyer.token)).await;
        assert_eq!(r.field_code("photos"), Some("not_found"));
        app.post(&format!("/api/v1/order-lines/{line_a}/review"), json!({"rating": 5}), Some(&stranger.token)).await.expect_status(404);
        let r = app.post(&format!("/api/v1/order-lines/{line_a}/review"),
            json!({"rating": 5, "text": "橙子很甜，包装完好，一个没坏", "photos": [photo_id]}), Some(&buyer.token)).await;
        r.expect_status(201);
        assert_eq!(r.body["reviewer"], "王**");
        assert!(r.body["photos"][0]["thumb_url"].as_str().is_some_and(|u| u.starts_with("/media/public/reviews/")));
        let r = app.post(&format!("/api/v1/order-lines/{line_a}/review"), json!({"rating": 1}), Some(&buyer.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "already_reviewed");
        let reviews = app.get(&format!("/api/v1/listings/{a_listing}/reviews"), None).await;
        reviews.expect_status(200);
        assert_eq!(reviews.body["count"], 1);
        assert_eq!(reviews.body["average"], 5.0);
        assert_eq!(reviews.body["stars"], json!([0, 0, 0, 0, 1]));
        assert_eq!(reviews.body["items"][0]["text"], "橙子很甜，包装完好，一个没坏");

        // The egg parcel nobody confirms is received by the scheduler after the configured days.
        app.clock.advance(chrono::Duration::days(7) + chrono::Duration::minutes(1));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        let later = app.get(&format!("/api/v1/orders/{order}"), Some(&buyer.token)).await;
        let eggs = later.body["sub_orders"].as_array().and_then(|s| s.iter().find(|s| s["id"] == sub_b_id.as_str()).cloned()).unwrap_or_default();
        assert_eq!(eggs["status"], "received", "{eggs}");
        assert_eq!(app.count("order_events", "kind = 'received'").await, 2);
    }

    async fn gateway_notifications_are_verified_replay_safe_and_idempotent(app) {
        let op = app.operator().await;
        let (_owner, _org, _listing, sku) = seller(&app, &op, "13800000021", "梅岭脐橙专业合作社", "赣南脐橙 10斤装", 5990, 50).await;
        let (buyer, address) = buyer_with_address(&app, "13600000021").await;
        let order = order_of(&app, &buyer, &address, &sku, 1, "gateway").await;
        let oid = id(&order["id"]);
        let intent = app.post_empty(&format!("/api/v1/orders/{oid}/pay"), Some(&buyer.token)).await;
        let iid: uuid::Uuid = id(&intent.body["id"]).parse().unwrap_or_default();
        let secret = app.state.orders.config().gateway_secret.clone();
        let now = app.clock.now().timestamp();
        let event = |event_id: &str, amount: i64| serde_json::to_vec(&WebhookEvent {
            event_id: event_id.into(), intent_id: iid, outcome: Outcome::Succeeded, amount_fen: amount, transaction_id: "WX4200001".into(),
        }).unwrap_or_default();
        let total = order["total"].as_i64().unwrap_or_default();
        let hook = "/api/v1/payments/webhook/sandbox";

        // Forged (no signature, wrong secret), stale, malformed, wrong amount: refused, unpaid.
        let r = app.post_raw(hook, "application/json", event("e1", total), None).await;
        r.expect_status(400);
        assert_eq!(r.code(), "bad_signature");
        let r = post_signed(&app, hook, "an-attackers-guess-0000", now, &event("e1", total)).await;
        assert_eq!(r.code(), "bad_signature");
        let r = post_signed(&app, hook, &secret, now - 600, &event("e1", total)).await;
        assert_eq!(r.code(), "stale_notification");
        let r = post_signed(&app, hook, &secret, now, b"{\"event_id\": 1}").await;
        assert_eq!(r.code(), "malformed_notification");
        let r = post_signed(&app, hook, &secret, now, &event("e1", 1)).await;
        assert_eq!(r.code(), "amount_mismatch");
        post_signed(&app, "/api/v1/payments/webhook/paypal", &secret, now, &event("e1", total)).await.expect_status(404);
        assert_eq!(app.get(&format!("/api/v1/orders/{oid}"), Some(&buyer.token)).await.body["status"], "pending_payment");

        // The genuine notification pays; replaying it, or a retry under a new event id, does not
        // pay twice.
        let body = event("e1", total);
        let r = post_signed(&app, hook, &secret, now, &body).await;
        r.expect_status(200);
        assert_eq!(r.body["result"], "paid");
        let r = post_signed(&app, hook, &secret, now, &body).await;
        assert_eq!(r.body["result"], "duplicate");
        let r = post_signed(&app, hook, &secret, now, &event("e1-retry", total)).await;
        assert_eq!(r.body["result"], "already_paid");
        assert_eq!(app.count("payments", "1=1").await, 1);
        assert_eq!(app.count("order_events", "kind = 'paid'").await, 1);

        // Money that arrives after the order expired goes straight back.
        let late = order_of(&app, &buyer, &address, &sku, 1, "gateway").await;
        let lid = id(&late["id"]);
        let li = app.post_empty(&format!("/api/v1/orders/{lid}/pay"), Some(&buyer.token)).await;
        let liid: uuid::Uuid = id(&li.body["id"]).parse().unwrap_or_default();
        app.clock.advance(chrono::Duration::minutes(31));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        assert_eq!(app.get(&format!("/api/v1/orders/{lid}"), Some(&buyer.token)).await.body["status"], "expired");
        let body = serde_json::to_vec(&WebhookEvent {
            event_id: "e2".into(), intent_id: liid, outcome: Outcome::Succeeded,
            amount_fen: late["total"].as_i64().unwrap_or_default(), transaction_id: "WX4200002".into(),
        }).unwrap_or_default();
        let r = post_signed(&app, hook, &secret, app.clock.now().timestamp(), &body).await;
        r.expect_status(200);
        assert_eq!(r.body["result"], "refunded_closed");
        app.outbox_drained().await;
        assert_eq!(app.count("refunds", "status = 'succeeded' AND sub_order_id IS NULL").await, 1);
        assert_eq!(app.get(&format!("/api/v1/orders/{lid}"), Some(&buyer.token)).await.body["status"], "expired");
    }

    async fn refunds_never_exceed_what_was_paid_and_the_statement_reconciles(app) {
        let op = app.operator().await;
        let (owner, org, _listing, sku) = seller(&app, &op, "13800000031", "梅岭脐橙专业合作社", "赣南脐橙 10斤装", 5990, 50).await;
        let (other, other_org, _l, _s) = seller(&app, &op, "13800000032", "白云山家庭农场", "散养土鸡蛋 30枚", 4500, 20).await;
        let (buyer, address) = buyer_with_address(&app, "13600000031").await;
        let mut subs = Vec::new();
        for qty in [2, 1] {
            let o = order_of(&app, &buyer, &address, &sku, qty, "offline").await;
            let oid = id(&o["id"]);
            let pay = app.post_empty(&format!("/api/v1/orders/{oid}/pay"), Some(&buyer.token)).await;
            pay.expect_status(200);
            assert!(pay.body["pay_url"].is_null());
            assert!(pay.body["instructions_zh"].as_str().is_some_and(|s| s.contains(o["number"].as_str().unwrap_or("?"))));
            app.post(&format!("/api/v1/orders/{oid}/offline-payment"), json!({"reference": format!("BANK-{qty}")}), Some(&op.token)).await.expect_status(200);
            let pid = id(&pay.body["id"]);
            let settled = app.count("payment_intents", "status = 'succeeded' AND provider = 'offline'").await;
            assert_eq!(settled, i64::try_from(subs.len()).unwrap_or(0) + 1, "{pid}: the confirmed transfer settles its instructions");
            subs.push((oid, id(&o["sub_orders"][0]["id"]), o["total"].as_i64().unwrap_or_default()));
        }
        let (first_order, first, first_total) = subs[0].clone();
        let refund = |sub: &str, amount: i64, key: Option<&str>, who: &Session| {
            let mut req = app.http.post(app.url(&format!("/api/v1/sub-orders/{sub}/refunds")))
                .bearer_auth(&who.token).json(&json!({"amount": amount, "reason": "三个果子压坏"}));
            if let Some(k) = key {
                req = req.header("idempotency-key", k);
            }
            app.send(req)
        };
        refund(&first, 3000, Some("r1"), &owner).await.expect_status(403);
        refund(&first, 3000, Some("r1"), &buyer).await.expect_status(403);
        let r = refund(&first, 3000, None, &op).await;
        assert_eq!(r.field_code("Idempotency-Key"), Some("required"));
        let r = refund(&first, 0, Some("r0"), &op).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"));
        let r = refund(&first, first_total + 1, Some("r0"), &op).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"));
        let r = refund(&first, 3000, Some("r1"), &op).await;
        r.expect_status(200);
        assert_eq!(r.body["refunded"], 3000);
        assert_eq!(r.body["sub_orders"][0]["refunded"], 3000);
        refund(&first, 3000, Some("r1"), &op).await.expect_status(200);
        assert_eq!(app.count("refunds", "1=1").await, 1, "the same key is the same refund");
        let r = refund(&first, 100, Some("r1"), &op).await;
        assert_eq!(r.code(), "idempotency_key_reused");
        // The rest can go back, but not a fen more.
        let r = refund(&first, first_total - 3000 + 1, Some("r2"), &op).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"));
        app.outbox_drained().await;
        assert_eq!(app.count("refunds", "status = 'succeeded' AND provider = 'offline'").await, 1);
        let _ = first_order;

        // Ship and receive both; nothing is payable until the windows close.
        for (_, sub, _) in &subs {
            app.post(&format!("/api/v1/sub-orders/{sub}/ship"), json!({"carrier": "顺丰速运", "tracking_no": format!("SF{}", &sub[..8])}), Some(&owner.token)).await.expect_status(200);
            app.post_empty(&format!("/api/v1/sub-orders/{sub}/receive"), Some(&buyer.token)).await.expect_status(200);
        }
        let today = shanghai_today(&app);
        // Handling times: shipping acknowledged both at once.
        let f = app.get(&format!("/api/v1/orgs/{org}/fulfilment?from={today}&to={today}"), Some(&owner.token)).await;
        f.expect_status(200);
        assert_eq!((f.body["paid"].as_u64(), f.body["acknowledged"].as_u64(), f.body["shipped"].as_u64()), (Some(2), Some(2), Some(2)));
        assert_eq!(f.body["acknowledged_within_target_bp"], 10_000);
        app.get(&format!("/api/v1/orgs/{org}/fulfilment?from={today}&to={today}"), Some(&other.token)).await.expect_status(403);
        let path = format!("/api/v1/orgs/{org}/settlement?from={today}&to={today}");
        let st = app.get(&path, Some(&owner.token)).await;
        st.expect_status(200);
        let t = &st.body["totals"];
        let sales: i64 = subs.iter().map(|s| s.2).sum();
        assert_eq!(t["sales"], sales);
        assert_eq!(t["refunds"], 3000);
        assert_eq!(t["payable"], 0, "windows still open");
        assert_eq!(t["sub_orders"], 2);
        let num = |v: &Value| v.as_i64().unwrap_or_default();
        assert_eq!(num(&t["sales"]) - num(&t["refunds"]) - num(&t["commission"]), num(&t["pending"]));

        app.clock.advance(chrono::Duration::hours(49));
        let st = app.get(&path, Some(&op.token)).await;
        let t = &st.body["totals"];
        assert_eq!(t["pending"], 0);
        // Reconcile with the orders: commission shrinks with the refund, half up.
        let lines = st.body["lines"].as_array().cloned().unwrap_or_default();
        assert_eq!(lines.len(), 2);
        let mut payable = 0;
        let mut commission = 0;
        for l in &lines {
            let (total, refunded) = (num(&l["total"]), num(&l["refunded"]));
            let full = app.get(&format!("/api/v1/orders/{}", id(&l["order_id"])), Some(&owner.token)).await;
            let c = num(&full.body["sub_orders"][0]["commission"]);
            let kept = (c * (total - refunded) * 2 + total) / (2 * total);
            assert_eq!(num(&l["commission"]), kept, "{l}");
            assert_eq!(num(&l["payable"]), total - refunded - kept);
            assert_eq!(l["state"], "payable");
            payable += num(&l["payable"]);
            commission += kept;
        }
        assert_eq!(num(&t["payable"]), payable);
        assert_eq!(num(&t["commission"]), commission);
        assert_eq!(num(&t["sales"]) - num(&t["refunds"]) - num(&t["commission"]), num(&t["payable"]));

        // Bad periods, and another seller's statement.
        let r = app.get(&format!("/api/v1/orgs/{org}/settlement?from={today}&to=2020-01-01"), Some(&owner.token)).await;
        assert_eq!(r.field_code("to"), Some("before_from"));
        let r = app.get(&format!("/api/v1/orgs/{org}/settlement?from=2020-01-01&to={today}"), Some(&owner.token)).await;
        assert_eq!(r.field_code("to"), Some("too_long"));
        app.get(&format!("/api/v1/orgs/{org}/settlement?from=yesterday&to={today}"), Some(&owner.token)).await.expect_status(400);
        app.get(&path, Some(&other.token)).await.expect_status(403);
        let theirs = app.get(&format!("/api/v1/orgs/{other_org}/settlement?from={today}&to={today}"), Some(&other.token)).await;
        assert_eq!(theirs.body["totals"]["sub_orders"], 0);

        // The operator's order list; nobody else gets it.
        let all = app.get("/api/v1/ops/orders?status=paid", Some(&op.token)).await;
        all.expect_status(200);
        assert_eq!(all.body["total"], 2);
        let number = id(&all.body["items"][0]["sub_orders"][0]["number"]);
        let one = app.get(&format!("/api/v1/ops/orders?number={number}"), Some(&op.token)).await;
        assert_eq!(one.body["total"], 1, "found by its sub-order number");
        app.get("/api/v1/ops/orders", Some(&buyer.token)).await.expect_status(403);
        app.get("/api/v1/ops/orders", Some(&owner.token)).await.expect_status(403);
    }
}
