//! Damage claims through the real server: evidence photos, filing inside the window, the
//! seller's answer, the buyer's acceptance or escalation, the operator's final decision with
//! split liability and carrier recourse, the deadline scheduler, refunds through the orders
//! ledger (never above what was paid, never twice), the thread and the satisfaction survey —
//! and the bad input and abuse each of those meets.

use crate::catalog::jpeg_with_exif;
use crate::orders::{buyer_with_address, seller};
use farmgate_tests::{Resp, Session, TestApp, both_backends};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

async fn upload(app: &TestApp, who: &Session, bytes: Vec<u8>, name: &str) -> Resp {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    app.send(
        app.http
            .post(app.url("/api/v1/claim-evidence"))
            .bearer_auth(&who.token)
            .multipart(form),
    )
    .await
}

async fn photo(app: &TestApp, who: &Session) -> String {
    let r = upload(app, who, jpeg_with_exif(), "parcel.jpg").await;
    r.expect_status(201);
    id(&r.body["id"])
}

/// A paid, shipped and received sub-order of `qty` boxes at ¥59.90 (+ shipping) from a fresh
/// seller; returns (operator, seller owner, buyer, sub-order id, line id, sub-order total).
async fn received(
    app: &TestApp,
    phone_suffix: u32,
    qty: i64,
) -> (Session, Session, Session, String, String, i64) {
    let op = app.operator().await;
    let (owner, _org, _listing, sku) = seller(
        app,
        &op,
        &format!("1380000{phone_suffix:04}"),
        "梅岭脐橙专业合作社",
        "赣南脐橙 10斤装",
        5990,
        100,
    )
    .await;
    let (buyer, address) = buyer_with_address(app, &format!("1360000{phone_suffix:04}")).await;
    let o = app
        .post("/api/v1/orders", json!({"address_id": address, "payment_method": "offline", "items": [{"sku_id": sku, "quantity": qty}]}), Some(&buyer.token))
        .await;
    o.expect_status(201);
    let oid = id(&o.body["id"]);
    app.post(
        &format!("/api/v1/orders/{oid}/offline-payment"),
        json!({"reference": "BANK-1"}),
        Some(&op.token),
    )
    .await
    .expect_status(200);
    let sub = id(&o.body["sub_orders"][0]["id"]);
    let line = id(&o.body["sub_orders"][0]["lines"][0]["id"]);
    app.post(
        &format!("/api/v1/sub-orders/{sub}/ship"),
        json!({"carrier": "顺丰速运", "tracking_no": format!("SF9{phone_suffix:09}")}),
        Some(&owner.token),
    )
    .await
    .expect_status(200);
    app.post_empty(
        &format!("/api/v1/sub-orders/{sub}/receive"),
        Some(&buyer.token),
    )
    .await
    .expect_status(200);
    let total = o.body["total"].as_i64().unwrap_or_default();
    (op, owner, buyer, sub, line, total)
}

async fn file(
    app: &TestApp,
    who: &Session,
    sub: &str,
    line: &str,
    qty: i64,
    photos: Vec<String>,
) -> Resp {
    app.post(
        &format!("/api/v1/sub-orders/{sub}/claims"),
        json!({"kind": "damaged_in_transit", "description": "箱子被压扁，三个橙子破裂流汁",
               "lines": [{"line_id": line, "quantity": qty}], "photos": photos}),
        Some(&who.token),
    )
    .await
}

both_backends! {
    async fn a_partial_offer_escalated_to_arbitration_is_decided_finally_with_split_liability(app) {
        let (op, owner, buyer, sub, line, total) = received(&app, 101, 4).await;
        let stranger = app.register("13600009999", "路人").await;

        // Evidence: images only, within the size limit; the original is kept with its hash.
        let r = upload(&app, &buyer, b"%PDF-1.4 not a photo".to_vec(), "x.pdf").await;
        r.expect_status(415);
        let mut big = crate::catalog::png(10, 10);
        big.resize(9 * 1024 * 1024, 0);
        let head = format!(
            "POST /api/v1/claim-evidence HTTP/1.1\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary={}",
            buyer.token,
            crate::catalog::BOUNDARY
        );
        let r = app.send_raw(&head, crate::catalog::multipart_file(&big)).await;
        r.expect_status(413);
        assert_eq!(r.code(), "payload_too_large");
        assert_eq!(app.count("claim_evidence", "1=1").await, 0, "nothing stored");
        let r = upload(&app, &buyer, jpeg_with_exif(), "parcel.jpg").await;
        r.expect_status(201);
        assert_eq!(r.body["sha256"].as_str().map(str::len), Some(64));
        let p1 = id(&r.body["id"]);
        let url = id(&r.body["url"]);
        app.get(&url, Some(&buyer.token)).await.expect_status(200);
        app.get(&url, Some(&stranger.token)).await.expect_status(404);
        app.get(&url, None).await.expect_status(401);

        // Bad claims: no photos, someone else's order, too many units, a line of another order.
        let r = file(&app, &buyer, &sub, &line, 1, vec![]).await;
        assert_eq!(r.field_code("photos"), Some("required"), "{}", r.text);
        file(&app, &stranger, &sub, &line, 1, vec![p1.clone()]).await.expect_status(404);
        let r = file(&app, &buyer, &sub, &line, 5, vec![p1.clone()]).await;
        assert_eq!(r.field_code("lines[0].quantity"), Some("out_of_range"), "{}", r.text);
        let r = file(&app, &buyer, &sub, &uuid::Uuid::nil().to_string(), 1, vec![p1.clone()]).await;
        assert_eq!(r.field_code("lines[0].line_id"), Some("not_in_order"));
        let stranger_photo = photo(&app, &stranger).await;
        let r = file(&app, &buyer, &sub, &line, 1, vec![stranger_photo]).await;
        assert_eq!(r.field_code("photos"), Some("not_found"), "another account's photo");
        let r = app.post(&format!("/api/v1/sub-orders/{sub}/claims"), json!({"kind": "lost", "description": "x", "lines": [], "photos": []}), Some(&buyer.token)).await;
        r.expect_status(422);
        assert_eq!(app.count("claims", "1=1").await, 0, "nothing half-written");

        let filed = file(&app, &buyer, &sub, &line, 3, vec![p1.clone()]).await;
        filed.expect_status(201);
        let c = &filed.body;
        assert_eq!(c["status"], "awaiting_seller");
        assert_eq!(c["claimed"], 3 * 5990);
        assert_eq!(c["contact_phone"], "13600000001", "the delivery phone, unless another is given");
        let respond_by = chrono::DateTime::parse_from_rfc3339(c["respond_by"].as_str().unwrap_or_default()).map(|t| t.to_utc());
        let due = app.clock.now() + chrono::Duration::hours(24);
        assert!(respond_by.is_ok_and(|t| (t - due).num_milliseconds().abs() < 1000), "the buyer is told the deadline at once: {respond_by:?}");
        assert_eq!(c["can"]["respond"], false);
        assert_eq!(c["refundable"], total, "the most any answer can refund");
        let cid = id(&c["id"]);
        let of_order = app.get(&format!("/api/v1/claims?order_id={}", id(&c["order_id"])), Some(&buyer.token)).await;
        assert_eq!(of_order.body["total"], 1);
        assert_eq!(app.get(&format!("/api/v1/claims?order_id={}", uuid::Uuid::nil()), Some(&buyer.token)).await.body["total"], 0);
        // The same units cannot be claimed twice; the photo is used.
        let p2 = photo(&app, &buyer).await;
        let r = file(&app, &buyer, &sub, &line, 2, vec![p2.clone()]).await;
        assert_eq!(r.field_code("lines[0].quantity"), Some("out_of_range"), "{}", r.text);
        let r = file(&app, &buyer, &sub, &line, 1, vec![p1.clone()]).await;
        assert_eq!(r.field_code("photos"), Some("not_found"));

        // Only the seller answers, only on its turn; other sellers do not see the claim.
        let (other_seller, _, _, _) = seller(&app, &op, "13800000199", "白云山家庭农场", "散养土鸡蛋", 4500, 10).await;
        app.get(&format!("/api/v1/claims/{cid}"), Some(&other_seller.token)).await.expect_status(404);
        app.post(&format!("/api/v1/claims/{cid}/respond"), json!({"decision": "full_refund"}), Some(&other_seller.token)).await.expect_status(404);
        app.post(&format!("/api/v1/claims/{cid}/respond"), json!({"decision": "full_refund"}), Some(&buyer.token)).await.expect_status(403);
        let r = app.post(&format!("/api/v1/claims/{cid}/respond"), json!({"decision": "partial_refund", "basis": {"by": "damage_level", "percent": 40}}), Some(&owner.token)).await;
        assert_eq!(r.field_code("basis"), Some("invalid"), "{}", r.text);
        let r = app.post(&format!("/api/v1/claims/{cid}/respond"), json!({"decision": "partial_refund", "basis": {"by": "agreed", "amount": total + 1}}), Some(&owner.token)).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"), "{}", r.text);
        let r = app.post(&format!("/api/v1/claims/{cid}/respond"), json!({"decision": "reject", "reason": "x"}), Some(&owner.token)).await;
        r.expect_status(422);
        let inbox = app.get(&format!("/api/v1/orgs/{}/claims?status=awaiting_seller", id(&c["seller_id"])), Some(&owner.token)).await;
        assert_eq!(inbox.body["total"], 1);
        assert_eq!(inbox.body["items"][0]["can"]["respond"], true);

        // 30 % of the claimed 3 of 4 boxes... by quantity: one box.
        let offered = app.post(&format!("/api/v1/claims/{cid}/respond"), json!({"decision": "partial_refund", "basis": {"by": "quantity", "lines": [{"line_id": line, "quantity": 1}]}, "note": "其余两个看照片只是轻微压痕"}), Some(&owner.token)).await;
        offered.expect_status(200);
        assert_eq!(offered.body["status"], "awaiting_buyer");
        assert_eq!(offered.body["offered"], 5990);
        assert!(offered.body["first_response_at"].is_string());
        app.post(&format!("/api/v1/claims/{cid}/respond"), json!({"decision": "full_refund"}), Some(&owner.token)).await.expect_status(409);

        // The thread, with a photo; strangers stay out.
        let r = app.post(&format!("/api/v1/claims/{cid}/messages"), json!({"body": "三个都裂了，请看第二张照片", "attachments": [p2]}), Some(&buyer.token)).await;
        r.expect_status(201);
        app.post(&format!("/api/v1/claims/{cid}/messages"), json!({"body": "已收到，稍后回复"}), Some(&owner.token)).await.expect_status(201);
        app.post(&format!("/api/v1/claims/{cid}/messages"), json!({"body": "hi"}), Some(&stranger.token)).await.expect_status(404);
        app.post(&format!("/api/v1/claims/{cid}/messages"), json!({"body": ""}), Some(&buyer.token)).await.expect_status(422);
        let seen = app.get(&format!("/api/v1/claims/{cid}"), Some(&owner.token)).await;
        assert_eq!(seen.body["messages"].as_array().map(Vec::len), Some(2));
        assert_eq!(seen.body["evidence"].as_array().map(Vec::len), Some(2), "message photos join the evidence");

        // Rating waits for the end; the buyer escalates the low offer.
        let r = app.post(&format!("/api/v1/claims/{cid}/satisfaction"), json!({"rating": 5}), Some(&buyer.token)).await;
        assert_eq!(r.code(), "not_resolved");
        app.post(&format!("/api/v1/claims/{cid}/escalate"), json!({"reason": "三个都坏了"}), Some(&owner.token)).await.expect_status(403);
        let esc = app.post(&format!("/api/v1/claims/{cid}/escalate"), json!({"reason": "三个都坏了，照片很清楚"}), Some(&buyer.token)).await;
        esc.expect_status(200);
        assert_eq!(esc.body["status"], "in_arbitration");
        assert_eq!(esc.body["escalated"], true);
        let queue = app.get("/api/v1/ops/claims", Some(&op.token)).await;
        assert_eq!(queue.body["total"], 1);
        // After-sales agents work the same queue and read the order whole.
        let agent = app.staff("13900000109", farmgate_identity::PlatformRole::AfterSalesAgent).await;
        let by_order = app.get(&format!("/api/v1/ops/claims?order_id={}", id(&c["order_id"])), Some(&agent.token)).await;
        assert_eq!(by_order.body["total"], 1);
        let whole = app.get(&format!("/api/v1/orders/{}", id(&c["order_id"])), Some(&agent.token)).await;
        whole.expect_status(200);
        assert_eq!(whole.body["viewer"], "operator");
        assert_eq!(whole.body["sub_orders"].as_array().map(Vec::len), Some(1));
        app.get("/api/v1/ops/claims", Some(&buyer.token)).await.expect_status(403);

        // The operator decides: wrong shares and amounts are refused, then it is final.
        app.post(&format!("/api/v1/claims/{cid}/decide"), json!({"amount": 11980, "liability": [{"party": "carrier", "percent": 70}], "note": "运输挤压"}), Some(&buyer.token)).await.expect_status(403);
        let r = app.post(&format!("/api/v1/claims/{cid}/decide"), json!({"amount": 11980, "liability": [{"party": "carrier", "percent": 70}], "note": "运输挤压"}), Some(&op.token)).await;
        assert_eq!(r.field_code("liability"), Some("invalid"));
        let r = app.post(&format!("/api/v1/claims/{cid}/decide"), json!({"amount": total + 1, "liability": [{"party": "carrier", "percent": 100}], "note": "运输挤压"}), Some(&op.token)).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"));
        let d = app.post(&format!("/api/v1/claims/{cid}/decide"),
            json!({"amount": 3 * 5990, "liability": [{"party": "carrier", "percent": 70}, {"party": "seller", "percent": 30}], "note": "照片显示外箱受压，承运方主责，包装偏薄"}), Some(&op.token)).await;
        d.expect_status(200);
        assert_eq!(d.body["status"], "resolved");
        assert_eq!(d.body["refunded"], 3 * 5990);
        assert_eq!(d.body["recourse"]["carrier"], "顺丰速运");
        assert_eq!(d.body["recourse"]["amount"], (3 * 5990 * 70 + 50) / 100);
        let again = app.post(&format!("/api/v1/claims/{cid}/decide"), json!({"amount": 100, "liability": [{"party": "seller", "percent": 100}], "note": "改判"}), Some(&op.token)).await;
        assert_eq!(again.code(), "already_decided");
        assert_eq!(app.count("refunds", "1=1").await, 1, "paid once");
        app.outbox_drained().await;
        assert_eq!(app.count("refunds", "status = 'succeeded'").await, 1);
        let order = app.get(&format!("/api/v1/orders/{}", id(&d.body["order_id"])), Some(&buyer.token)).await;
        assert_eq!(order.body["refunded"], 3 * 5990);
        let kinds: Vec<String> = d.body["events"].as_array().map(|a| a.iter().map(|e| id(&e["kind"])).collect()).unwrap_or_default();
        assert_eq!(kinds, ["filed", "offered", "escalated", "decided", "refunded", "recourse_opened"]);

        // Satisfaction: once, 1 to 5.
        let r = app.post(&format!("/api/v1/claims/{cid}/satisfaction"), json!({"rating": 0}), Some(&buyer.token)).await;
        assert_eq!(r.field_code("rating"), Some("out_of_range"));
        let r = app.post(&format!("/api/v1/claims/{cid}/satisfaction"), json!({"rating": 4, "comment": "处理及时"}), Some(&buyer.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["satisfaction"], 4);
        let r = app.post(&format!("/api/v1/claims/{cid}/satisfaction"), json!({"rating": 5}), Some(&buyer.token)).await;
        assert_eq!(r.code(), "already_rated");
    }

    async fn a_missed_deadline_refunds_small_claims_and_sends_large_ones_to_the_operator(app) {
        let (op, owner, buyer, sub, line, _total) = received(&app, 201, 10).await;
        // Two boxes (¥119.80) are over the ¥50 auto-approval line.
        let big = file(&app, &buyer, &sub, &line, 2, vec![photo(&app, &buyer).await]).await;
        big.expect_status(201);
        let big_id = id(&big.body["id"]);
        // A small claim on another sub-order: 1 box of a cheaper listing.
        let (_o2, _org2, _l2, cheap_sku) = seller(&app, &op, "13800000202", "白云山家庭农场", "散养土鸡蛋 10枚", 1800, 10).await;
        let addresses = app.get("/api/v1/me/addresses", Some(&buyer.token)).await;
        let address = id(&addresses.body[0]["id"]);
        let o = app.post("/api/v1/orders", json!({"address_id": address, "payment_method": "offline", "items": [{"sku_id": cheap_sku, "quantity": 1}]}), Some(&buyer.token)).await;
        let oid = id(&o.body["id"]);
        let small_sub = id(&o.body["sub_orders"][0]["id"]);
        let small_line = id(&o.body["sub_orders"][0]["lines"][0]["id"]);
        app.post(&format!("/api/v1/orders/{oid}/offline-payment"), json!({"reference": "BANK-2"}), Some(&op.token)).await.expect_status(200);
        let farm = app.login("13800000202", farmgate_tests::PASSWORD).await;
        let farm_token = id(&farm.body["session"]["token"]);
        app.post(&format!("/api/v1/sub-orders/{small_sub}/ship"), json!({"carrier": "中国邮政", "tracking_no": "EMS0000000202"}), Some(&farm_token)).await.expect_status(200);
        app.post_empty(&format!("/api/v1/sub-orders/{small_sub}/receive"), Some(&buyer.token)).await.expect_status(200);
        let small = file(&app, &buyer, &small_sub, &small_line, 1, vec![photo(&app, &buyer).await]).await;
        small.expect_status(201);
        let small_id = id(&small.body["id"]);

        // Before the deadline nothing moves.
        app.clock.advance(chrono::Duration::hours(23));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        assert_eq!(app.get(&format!("/api/v1/claims/{big_id}"), Some(&buyer.token)).await.body["status"], "awaiting_seller");

        app.clock.advance(chrono::Duration::hours(1) + chrono::Duration::minutes(1));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        let s = app.get(&format!("/api/v1/claims/{small_id}"), Some(&buyer.token)).await;
        assert_eq!(s.body["status"], "resolved", "{}", s.text);
        assert_eq!(s.body["refunded"], 1800);
        assert_eq!(s.body["liability"], json!([{"party": "platform", "percent": 100}]), "unclear fault: the platform bears it");
        let b = app.get(&format!("/api/v1/claims/{big_id}"), Some(&buyer.token)).await;
        assert_eq!(b.body["status"], "in_arbitration");
        assert_eq!(b.body["escalated"], true);
        assert_eq!(b.body["refunded"], 0);
        // The seller can no longer answer; the operator can.
        let late = app.post(&format!("/api/v1/claims/{big_id}/respond"), json!({"decision": "full_refund"}), Some(&owner.token)).await;
        assert_eq!(late.code(), "not_your_turn");
        let q = app.get("/api/v1/ops/claims?status=in_arbitration", Some(&op.token)).await;
        assert_eq!(q.body["total"], 1);
        app.outbox_drained().await;
        assert_eq!(app.count("refunds", "status = 'succeeded'").await, 1);
    }

    async fn claims_wait_for_receipt_close_with_the_window_and_settle_by_full_refund_or_accepted_rejection(app) {
        let (op, owner, buyer, sub, line, _total) = received(&app, 301, 3).await;
        // Before receipt: refused.
        let (_o, _org, _l, sku) = seller(&app, &op, "13800000302", "白云山家庭农场", "散养土鸡蛋 10枚", 1800, 10).await;
        let addresses = app.get("/api/v1/me/addresses", Some(&buyer.token)).await;
        let o = app.post("/api/v1/orders", json!({"address_id": id(&addresses.body[0]["id"]), "payment_method": "offline", "items": [{"sku_id": sku, "quantity": 1}]}), Some(&buyer.token)).await;
        let unshipped_sub = id(&o.body["sub_orders"][0]["id"]);
        let unshipped_line = id(&o.body["sub_orders"][0]["lines"][0]["id"]);
        let r = file(&app, &buyer, &unshipped_sub, &unshipped_line, 1, vec![photo(&app, &buyer).await]).await;
        assert_eq!(r.code(), "not_received");

        // Full refund settles at once, with the seller's liability by default.
        let one = file(&app, &buyer, &sub, &line, 1, vec![photo(&app, &buyer).await]).await;
        let one_id = id(&one.body["id"]);
        let full = app.post(&format!("/api/v1/claims/{one_id}/respond"), json!({"decision": "full_refund"}), Some(&owner.token)).await;
        full.expect_status(200);
        assert_eq!(full.body["status"], "resolved");
        assert_eq!(full.body["refunded"], 5990);
        assert!(full.body["recourse"].is_null());

        // A rejection the buyer accepts closes with nothing refunded.
        let two = file(&app, &buyer, &sub, &line, 1, vec![photo(&app, &buyer).await]).await;
        let two_id = id(&two.body["id"]);
        let rej = app.post(&format!("/api/v1/claims/{two_id}/respond"), json!({"decision": "reject", "reason": "签收时外箱完好，照片中橙子无破损"}), Some(&owner.token)).await;
        rej.expect_status(200);
        assert_eq!(rej.body["status"], "awaiting_buyer");
        assert_eq!(rej.body["can"]["accept"], false, "the seller's view");
        let acc = app.post_empty(&format!("/api/v1/claims/{two_id}/accept"), Some(&buyer.token)).await;
        acc.expect_status(200);
        assert_eq!(acc.body["status"], "resolved");
        assert_eq!(acc.body["refunded"], 0);
        app.post_empty(&format!("/api/v1/claims/{two_id}/accept"), Some(&buyer.token)).await.expect_status(409);
        assert_eq!(app.count("refunds", "1=1").await, 1);

        // Reship: offered, accepted, and the zero-price replacement ships like any other.
        let three = file(&app, &buyer, &sub, &line, 1, vec![photo(&app, &buyer).await]).await;
        let three_id = id(&three.body["id"]);
        let r = app.post(&format!("/api/v1/claims/{three_id}/respond"), json!({"decision": "reship", "lines": [{"line_id": line, "quantity": 2}]}), Some(&owner.token)).await;
        assert_eq!(r.field_code("lines"), Some("invalid"), "more than was claimed");
        let offer = app.post(&format!("/api/v1/claims/{three_id}/respond"), json!({"decision": "reship", "note": "今天补发一箱"}), Some(&owner.token)).await;
        offer.expect_status(200);
        assert_eq!(offer.body["status"], "awaiting_buyer");
        let done = app.post_empty(&format!("/api/v1/claims/{three_id}/accept"), Some(&buyer.token)).await;
        done.expect_status(200);
        assert_eq!(done.body["refunded"], 0);
        let replacement = id(&done.body["events"].as_array().and_then(|e| e.iter().find(|e| e["kind"] == "accepted")).map(|e| e["data"]["replacement_sub_order_id"].clone()).unwrap_or_default());
        let order = app.get(&format!("/api/v1/orders/{}", id(&done.body["order_id"])), Some(&buyer.token)).await;
        let part = order.body["sub_orders"].as_array().and_then(|s| s.iter().find(|s| s["id"] == replacement.as_str()).cloned()).unwrap_or_default();
        assert_eq!(part["status"], "paid", "{}", order.text);
        assert_eq!(part["total"], 0);
        assert_eq!(part["lines"][0]["quantity"], 1);
        assert!(part["number"].as_str().is_some_and(|n| n.ends_with("-R1")));
        assert_eq!(part["replaces"], sub.as_str());
        assert_eq!(order.body["total"], order.body["goods_total"].as_i64().unwrap_or(0) + order.body["shipping"].as_i64().unwrap_or(0), "the order's totals are unchanged");
        app.post(&format!("/api/v1/sub-orders/{replacement}/ship"), json!({"carrier": "顺丰速运", "tracking_no": "SF3010000002"}), Some(&owner.token)).await.expect_status(200);
        app.post_empty(&format!("/api/v1/sub-orders/{replacement}/receive"), Some(&buyer.token)).await.expect_status(200);
        app.post_empty(&format!("/api/v1/claims/{three_id}/accept"), Some(&buyer.token)).await.expect_status(409);
        assert_eq!(app.count("order_events", "kind = 'replacement'").await, 1);

        // After the window (48 h for fruit): refused.
        app.clock.advance(chrono::Duration::hours(49));
        let late = file(&app, &buyer, &sub, &line, 1, vec![photo(&app, &buyer).await]).await;
        assert_eq!(late.code(), "window_closed", "{}", late.text);
        let mine = app.get("/api/v1/claims", Some(&buyer.token)).await;
        assert_eq!(mine.body["total"], 3);
    }
}

/// A seller whose listing has an inspected batch, and `buyers` buyers who each received one
/// parcel packed from it; returns (operator, seller, listing, sku, batch id, code, buyers).
async fn shipped_batch(
    app: &TestApp,
    buyers: usize,
) -> (
    Session,
    Session,
    String,
    String,
    String,
    String,
    Vec<Session>,
) {
    let op = app.operator().await;
    let (owner, _org, listing, sku) = seller(
        app,
        &op,
        "13800000401",
        "梅岭脐橙专业合作社",
        "赣南脐橙 10斤装",
        5990,
        100,
    )
    .await;
    let (batch_id, code) = crate::trace::batch(app, &owner, &listing).await;
    crate::trace::add(app, &owner, &batch_id, "inspection", &crate::trace::days_ago(app, 1),
        json!({"lab": "青石县农产品质量检测站", "method": "GB 23200.113", "items": "农残 56 项", "result": "pass"})).await.expect_status(201);
    let mut out = Vec::new();
    for i in 0..buyers {
        let (buyer, address) = buyer_with_address(app, &format!("136000004{i:02}")).await;
        let o = app.post("/api/v1/orders", json!({"address_id": address, "payment_method": "offline", "items": [{"sku_id": sku, "quantity": 2}]}), Some(&buyer.token)).await;
        o.expect_status(201);
        let oid = id(&o.body["id"]);
        app.post(
            &format!("/api/v1/orders/{oid}/offline-payment"),
            json!({"reference": "BANK-R"}),
            Some(&op.token),
        )
        .await
        .expect_status(200);
        let sub = id(&o.body["sub_orders"][0]["id"]);
        let line = id(&o.body["sub_orders"][0]["lines"][0]["id"]);
        app.post(&format!("/api/v1/sub-orders/{sub}/ship"),
            json!({"carrier": "顺丰速运", "tracking_no": format!("SF40000000{i:02}"), "batches": [{"line_id": line, "batch_id": batch_id}]}),
            Some(&owner.token)).await.expect_status(200);
        out.push(buyer);
    }
    (op, owner, listing, sku, batch_id, code, out)
}

both_backends! {
    async fn a_recalled_batch_reaches_every_buyer_offers_refunds_and_never_ships_again(app) {
        let (op, owner, listing, sku, batch_id, code, buyers) = shipped_batch(&app, 2).await;
        let official = app.staff("13900000403", farmgate_identity::PlatformRole::Official).await;
        let path = format!("/api/v1/batches/{batch_id}/recall");
        app.post(&path, json!({"reason": "抽检发现农残超标"}), Some(&buyers[0].token)).await.expect_status(403);
        let (other, _, _, _) = seller(&app, &op, "13800000402", "白云山家庭农场", "散养土鸡蛋", 4500, 10).await;
        app.post(&path, json!({"reason": "抽检发现农残超标"}), Some(&other.token)).await.expect_status(403);
        app.post(&path, json!({"reason": "x"}), Some(&official.token)).await.expect_status(422);
        app.post(&format!("/api/v1/batches/{}/recall", uuid::Uuid::nil()), json!({"reason": "抽检发现农残超标"}), Some(&official.token)).await.expect_status(404);
        // Another paid order still waiting to ship.
        let (late_buyer, address) = buyer_with_address(&app, "13600000499").await;
        let o = app.post("/api/v1/orders", json!({"address_id": address, "payment_method": "offline", "items": [{"sku_id": sku, "quantity": 1}]}), Some(&late_buyer.token)).await;
        let oid = id(&o.body["id"]);
        app.post(&format!("/api/v1/orders/{oid}/offline-payment"), json!({"reference": "BANK-L"}), Some(&op.token)).await.expect_status(200);

        // The county official orders it: one action.
        let r = app.post(&path, json!({"reason": "县农检站抽检：毒死蜱残留超标"}), Some(&official.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["ordered_role"], "official");
        assert_eq!(r.body["listing_title"], "赣南脐橙 10斤装");
        assert_eq!(r.body["seller_name"], "梅岭脐橙专业合作社");
        // The official can read the batch the recall names.
        app.get(&format!("/api/v1/batches/{batch_id}"), Some(&official.token)).await.expect_status(200);
        assert_eq!(r.body["orders"], 2);
        assert_eq!(r.body["buyers_reached"], 2);
        assert_eq!(r.body["quantities"], json!([{"unit": "box", "quantity": 4}]));
        assert_eq!(r.body["offered"], 4 * 5990);
        let again = app.post(&path, json!({"reason": "再次召回"}), Some(&op.token)).await;
        assert_eq!(again.body["id"], r.body["id"], "ordering it again returns the same recall");
        assert_eq!(app.count("recalls", "1=1").await, 1);

        // The public page says so first, and the record still verifies (the recall is in it).
        let (status, html) = crate::trace::page(&app, &code).await;
        assert_eq!(status, 200);
        assert!(html.contains("data-testid=\"recalled\"") && html.contains("毒死蜱残留超标"));
        assert_eq!(app.get(&format!("/api/v1/trace/{code}/verify"), None).await.body["ok"], true);
        // It never ships again, the listing is off sale, and sellers cannot write a recall by hand.
        let late_sub = id(&o.body["sub_orders"][0]["id"]);
        let late_line = id(&o.body["sub_orders"][0]["lines"][0]["id"]);
        let s = app.post(&format!("/api/v1/sub-orders/{late_sub}/ship"),
            json!({"carrier": "顺丰速运", "tracking_no": "SF4000000099", "batches": [{"line_id": late_line, "batch_id": batch_id}]}), Some(&owner.token)).await;
        assert_eq!(s.field_code("batches[0].batch_id"), Some("batch_recalled"), "{}", s.text);
        let listed = app.get(&format!("/api/v1/listings/{listing}"), None).await;
        assert_ne!(listed.body["status"], "approved", "{}", listed.text);
        let by_hand = app.post(&format!("/api/v1/batches/{batch_id}/events"),
            json!({"kind": "recall", "occurred_at": crate::trace::days_ago(&app, 0), "data": {"reason": "自己召回"}}), Some(&owner.token)).await;
        assert_eq!(by_hand.field_code("kind"), Some("not_allowed"));

        // Each buyer is told, and takes the refund once; nobody takes another's.
        let notes = app.get("/api/v1/me/recall-notices", Some(&buyers[0].token)).await;
        notes.expect_status(200);
        assert_eq!(notes.body.as_array().map(Vec::len), Some(1));
        assert_eq!(notes.body[0]["offered"], 2 * 5990);
        assert_eq!(notes.body[0]["status"], "offered");
        assert!(notes.body[0]["instructions_zh"].as_str().is_some_and(|s| s.contains("停止食用")));
        let nid = id(&notes.body[0]["id"]);
        app.post_empty(&format!("/api/v1/recall-notices/{nid}/refund"), Some(&buyers[1].token)).await.expect_status(404);
        let took = app.post_empty(&format!("/api/v1/recall-notices/{nid}/refund"), Some(&buyers[0].token)).await;
        took.expect_status(200);
        assert_eq!(took.body["status"], "refunded");
        app.post_empty(&format!("/api/v1/recall-notices/{nid}/refund"), Some(&buyers[0].token)).await.expect_status(200);
        assert_eq!(app.count("refunds", "1=1").await, 1, "refunded once");
        assert_eq!(app.get("/api/v1/me/recall-notices", Some(&late_buyer.token)).await.body, json!([]));

        // The report: officials see aggregates; a consumer sees none.
        let list = app.get("/api/v1/recalls", Some(&official.token)).await;
        list.expect_status(200);
        assert_eq!(list.body["total"], 1);
        assert_eq!(list.body["items"][0]["refunds_taken"], 1);
        assert_eq!(list.body["items"][0]["refunded"], 2 * 5990);
        assert!(!list.text.contains("13600000400"), "no personal data in the report");
        assert_eq!(app.get("/api/v1/recalls", Some(&buyers[0].token)).await.body["total"], 0);
        assert_eq!(app.get("/api/v1/recalls", Some(&owner.token)).await.body["total"], 1, "the seller sees its own");
    }

    async fn a_failed_inspection_after_sale_recalls_the_batch_by_itself(app) {
        let (_op, owner, _listing, _sku, batch_id, code, buyers) = shipped_batch(&app, 1).await;
        crate::trace::add(&app, &owner, &batch_id, "inspection", &crate::trace::days_ago(&app, 0),
            json!({"lab": "青石县农产品质量检测站", "method": "GB 23200.113", "items": "农残 56 项", "result": "fail"})).await.expect_status(201);
        app.outbox_drained().await;
        assert_eq!(app.count("recalls", "ordered_role = 'system'").await, 1);
        let notes = app.get("/api/v1/me/recall-notices", Some(&buyers[0].token)).await;
        assert_eq!(notes.body.as_array().map(Vec::len), Some(1));
        let (_, html) = crate::trace::page(&app, &code).await;
        assert!(html.contains("data-testid=\"recalled\""));
        // A passing retest does not reopen a recalled batch.
        crate::trace::add(&app, &owner, &batch_id, "inspection", &crate::trace::days_ago(&app, 0),
            json!({"lab": "青石县农产品质量检测站", "method": "GB 23200.113", "items": "农残 56 项", "result": "pass"})).await.expect_status(201);
        let b = app.get(&format!("/api/v1/batches/{batch_id}"), Some(&owner.token)).await;
        assert_eq!(b.body["status"], "recalled");
    }
}

both_backends! {
    async fn service_quality_is_measured_per_seller_carrier_and_kind_and_outlying_buyers_are_flagged(app) {
        let (op, owner, buyer, sub, line, _total) = received(&app, 501, 4).await;
        let today = (app.clock.now() + chrono::Duration::hours(8)).format("%Y-%m-%d").to_string();
        // Three claims on one parcel, one box each; the seller answers the first after 2 h.
        let mut ids = Vec::new();
        for _ in 0..3 {
            let c = file(&app, &buyer, &sub, &line, 1, vec![photo(&app, &buyer).await]).await;
            c.expect_status(201);
            ids.push(id(&c.body["id"]));
        }
        app.clock.advance(chrono::Duration::hours(2));
        app.post(&format!("/api/v1/claims/{}/respond", ids[0]), json!({"decision": "full_refund"}), Some(&owner.token)).await.expect_status(200);
        let org = id(&app.get(&format!("/api/v1/claims/{}", ids[0]), Some(&owner.token)).await.body["seller_id"]);

        let q = |group: &str, org: Option<&str>| {
            let mut path = format!("/api/v1/aftersales/quality?from={today}&to={today}&group_by={group}");
            if let Some(o) = org {
                path.push_str(&format!("&org_id={o}"));
            }
            path
        };
        let own = app.get(&q("carrier", Some(&org)), Some(&owner.token)).await;
        own.expect_status(200);
        let t = &own.body["total"];
        assert_eq!((t["delivered"].as_u64(), t["claims"].as_u64()), (Some(1), Some(3)));
        assert_eq!(t["claim_rate_bp"], 30_000, "three claims on one delivered parcel");
        assert_eq!(t["first_response_p50_secs"], 7200);
        assert_eq!(t["resolved"], 1);
        assert_eq!(t["resolution_rate_bp"], 3_333);
        assert_eq!(t["refunded"], 5990);
        assert_eq!(own.body["rows"][0]["key"], "顺丰速运");
        // Sellers see their own only; bad periods and groups are refused.
        assert_eq!(app.get(&q("carrier", None), Some(&owner.token)).await.field_code("org_id"), Some("required"));
        let (other, other_org, _, _) = seller(&app, &op, "13800000502", "白云山家庭农场", "散养土鸡蛋", 4500, 10).await;
        app.get(&q("carrier", Some(&org)), Some(&other.token)).await.expect_status(403);
        let empty = app.get(&q("carrier", Some(&other_org)), Some(&other.token)).await;
        assert_eq!(empty.body["total"]["claims"], 0);
        app.get(&q("carrier", Some(&org)), Some(&buyer.token)).await.expect_status(403);
        let r = app.get(&format!("/api/v1/aftersales/quality?from={today}&to=2020-01-01&group_by=seller"), Some(&op.token)).await;
        assert_eq!(r.field_code("to"), Some("out_of_range"));
        app.get(&format!("/api/v1/aftersales/quality?from={today}&to={today}&group_by=planet"), Some(&op.token)).await.expect_status(400);
        // The operator and officials see every seller, by kind too; no buyer is named.
        let all = app.get(&q("seller", None), Some(&op.token)).await;
        assert_eq!(all.body["rows"][0]["label"], "梅岭脐橙专业合作社");
        let official = app.staff("13900000503", farmgate_identity::PlatformRole::Official).await;
        let kinds = app.get(&q("seller_kind", None), Some(&official.token)).await;
        kinds.expect_status(200);
        assert_eq!(kinds.body["rows"][0]["key"], "cooperative");
        assert!(!kinds.text.contains(&buyer.account_id.to_string()));
        let cats = app.get(&q("category", None), Some(&op.token)).await;
        assert_eq!(cats.body["rows"][0]["claims"], 3);

        // The buyer with three claims on one parcel stands out; the operator sees it, others do not.
        let flagged = app.get("/api/v1/ops/flagged-buyers", Some(&op.token)).await;
        flagged.expect_status(200);
        assert_eq!(flagged.body[0]["account_id"], buyer.account_id.to_string());
        assert_eq!(flagged.body[0]["claims"], 3);
        assert_eq!(flagged.body[0]["name"], "王芳", "the operator can reach the buyer");
        assert_eq!(kinds.body["rows"][0]["label_en"], "farmer cooperative");
        app.get("/api/v1/ops/flagged-buyers", Some(&official.token)).await.expect_status(403);
        app.get("/api/v1/ops/flagged-buyers?days=3", Some(&op.token)).await.expect_status(422);
        // Flagged, not blocked: the buyer can still claim.
        let photo_id = photo(&app, &buyer).await;
        file(&app, &buyer, &sub, &line, 1, vec![photo_id]).await.expect_status(201);
    }
}
