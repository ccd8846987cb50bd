//! Damage claims through the real server: evidence photos, filing inside the window, the
//! seller's answer, the buyer's acceptance or escalation, the operator's final decision with
//! split liability and carrier recourse, the deadline scheduler, refunds through the orders
//! ledger (never above what was paid, never twice), the thread and the satisfaction survey,
//! recalls of a batch — and the bad input and abuse each of those meets.

use farmgate_tests::prelude::*;

/// A received parcel of 4 boxes at ¥59.90 and a claim for 3 of them, filed with one photo.
struct Filed {
    parcel: ReceivedOrder,
    /// The photo the claim was filed with.
    photo: Uuid,
    claim: Claim,
}

async fn filed(app: &TestApp) -> Filed {
    let parcel = app.received_order(4).await;
    let photo = app.evidence_photo(&parcel.buyer).await;
    let r = app
        .file_claim(
            &parcel.buyer,
            parcel.sub_order_id,
            parcel.line_id,
            3,
            &[photo],
        )
        .await;
    r.expect_status(201);
    Filed {
        parcel,
        photo,
        claim: r.json(),
    }
}

/// [`filed`], and the seller offered a refund of one box of the three.
async fn offered(app: &TestApp) -> Filed {
    let f = filed(app).await;
    app.post(
        &format!("/api/v1/claims/{}/respond", f.claim.id),
        json!({"decision": "partial_refund", "basis": {"by": "quantity", "lines": [{"line_id": f.parcel.line_id, "quantity": 1}]}, "note": "其余两个看照片只是轻微压痕"}),
        Some(&f.parcel.seller.owner.token),
    )
    .await
    .expect_status(200);
    f
}

/// [`offered`], and the buyer escalated the low offer to the operator.
async fn escalated(app: &TestApp) -> Filed {
    let f = offered(app).await;
    app.post(
        &format!("/api/v1/claims/{}/escalate", f.claim.id),
        json!({"reason": "三个都坏了，照片很清楚"}),
        Some(&f.parcel.buyer.token),
    )
    .await
    .expect_status(200);
    f
}

/// The operator's decision on an escalated claim: three boxes, 70 % the carrier's fault.
async fn decide(app: &TestApp, claim: Uuid) -> Resp {
    let op = app.operator().await;
    app.post(&format!("/api/v1/claims/{claim}/decide"),
        json!({"amount": 3 * 5990, "liability": [{"party": "carrier", "percent": 70}, {"party": "seller", "percent": 30}], "note": "照片显示外箱受压，承运方主责，包装偏薄"}),
        Some(&op.token)).await
}

both_backends! {
    async fn evidence_must_be_an_image_within_the_size_limit(app) {
        let parcel = app.received_order(4).await;
        let buyer = &parcel.buyer;

        let r = app.upload("/api/v1/claim-evidence", buyer, b"%PDF-1.4 not a photo".to_vec(), "x.pdf").await;
        r.expect_status(415);
        let mut big = png(10, 10);
        big.resize(9 * 1024 * 1024, 0);
        let head = format!(
            "POST /api/v1/claim-evidence HTTP/1.1\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary={MULTIPART_BOUNDARY}",
            buyer.token,
        );
        let r = app.send_raw(&head, multipart_file(&big)).await;
        r.expect_status(413);
        assert_eq!(r.code(), "payload_too_large");
        assert_eq!(app.count("claim_evidence", "1=1").await, 0, "nothing stored");
    }

    async fn an_evidence_photo_is_kept_with_its_hash_and_shown_only_to_its_uploader(app) {
        let parcel = app.received_order(4).await;
        let stranger = app.register("13600009999", "路人").await;

        let r = app.upload("/api/v1/claim-evidence", &parcel.buyer, jpeg_with_exif(), "parcel.jpg").await;

        r.expect_status(201);
        assert_eq!(r.str("sha256").len(), 64);
        let url = r.string("url");
        app.get(&url, Some(&parcel.buyer.token)).await.expect_status(200);
        app.get(&url, Some(&stranger.token)).await.expect_status(404);
        app.get(&url, None).await.expect_status(401);
    }

    async fn bad_claims_are_refused_and_nothing_is_written(app) {
        let ReceivedOrder { buyer, sub_order_id: sub, line_id: line, .. } = app.received_order(4).await;
        let stranger = app.register("13600009999", "路人").await;
        let p1 = app.evidence_photo(&buyer).await;

        // No photos, someone else's order, too many units, a line of another order, another
        // account's photo, no lines at all.
        let r = app.file_claim(&buyer, sub, line, 1, &[]).await;
        assert_eq!(r.field_code("photos"), Some("required"), "{}", r.text);
        app.file_claim(&stranger, sub, line, 1, &[p1]).await.expect_status(404);
        let r = app.file_claim(&buyer, sub, line, 5, &[p1]).await;
        assert_eq!(r.field_code("lines[0].quantity"), Some("out_of_range"), "{}", r.text);
        let r = app.file_claim(&buyer, sub, Uuid::nil(), 1, &[p1]).await;
        assert_eq!(r.field_code("lines[0].line_id"), Some("not_in_order"));
        let stranger_photo = app.evidence_photo(&stranger).await;
        let r = app.file_claim(&buyer, sub, line, 1, &[stranger_photo]).await;
        assert_eq!(r.field_code("photos"), Some("not_found"), "another account's photo");
        let r = app.post(&format!("/api/v1/sub-orders/{sub}/claims"), json!({"kind": "stolen", "description": "x", "lines": [], "photos": []}), Some(&buyer.token)).await;
        r.expect_status(422);
        // "Lost" is for a parcel that has not come: this one was received.
        let r = app.post(&format!("/api/v1/sub-orders/{sub}/claims"), json!({"kind": "lost", "description": "一直没收到", "lines": [], "photos": []}), Some(&buyer.token)).await;
        assert_eq!(r.code(), "already_received");

        assert_eq!(app.count("claims", "1=1").await, 0, "nothing half-written");
    }

    async fn a_claim_is_filed_awaiting_the_seller_and_the_buyer_is_told_the_deadline_at_once(app) {
        let parcel = app.received_order(4).await;
        let photo = app.evidence_photo(&parcel.buyer).await;

        let filed = app.file_claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 3, &[photo]).await;

        filed.expect_status(201);
        assert_eq!(filed.str("status"), "awaiting_seller");
        assert_eq!(filed.i64("claimed"), 3 * 5990);
        assert_eq!(filed.str("contact_phone"), DELIVERY_PHONE, "the delivery phone, unless another is given");
        let respond_by = chrono::DateTime::parse_from_rfc3339(filed.str("respond_by")).map(|t| t.to_utc());
        let due = app.clock.now() + chrono::Duration::hours(24);
        assert!(respond_by.is_ok_and(|t| (t - due).num_milliseconds().abs() < 1000), "the buyer is told the deadline at once: {respond_by:?}");
        assert!(!filed.bool("can.respond"));
        assert_eq!(filed.i64("refundable"), parcel.total, "the most any answer can refund");
        let of_order = app.get(&format!("/api/v1/claims?order_id={}", parcel.order_id), Some(&parcel.buyer.token)).await;
        assert_eq!(of_order.i64("total"), 1);
        assert_eq!(app.get(&format!("/api/v1/claims?order_id={}", Uuid::nil()), Some(&parcel.buyer.token)).await.i64("total"), 0);
    }

    async fn units_already_claimed_and_a_photo_already_used_cannot_be_claimed_again(app) {
        let Filed { parcel, photo: used, .. } = filed(&app).await;
        let (buyer, sub, line) = (&parcel.buyer, parcel.sub_order_id, parcel.line_id);

        let fresh = app.evidence_photo(buyer).await;
        let r = app.file_claim(buyer, sub, line, 2, &[fresh]).await;
        assert_eq!(r.field_code("lines[0].quantity"), Some("out_of_range"), "3 of 4 are claimed: {}", r.text);
        let r = app.file_claim(buyer, sub, line, 1, &[used]).await;
        assert_eq!(r.field_code("photos"), Some("not_found"));
    }

    async fn only_the_seller_answers_a_claim_and_bad_answers_are_refused(app) {
        let Filed { parcel, claim, .. } = filed(&app).await;
        let owner = &parcel.seller.owner;
        let respond = format!("/api/v1/claims/{}/respond", claim.id);
        let total = parcel.total;

        // Other sellers do not even see the claim; the buyer cannot answer it.
        let other_seller = app.verified_seller().named("白云山家庭农场").await;
        app.get(&format!("/api/v1/claims/{}", claim.id), Some(&other_seller.owner.token)).await.expect_status(404);
        app.post(&respond, json!({"decision": "full_refund"}), Some(&other_seller.owner.token)).await.expect_status(404);
        app.post(&respond, json!({"decision": "full_refund"}), Some(&parcel.buyer.token)).await.expect_status(403);
        let r = app.post(&respond, json!({"decision": "partial_refund", "basis": {"by": "damage_level", "percent": 40}}), Some(&owner.token)).await;
        assert_eq!(r.field_code("basis"), Some("invalid"), "{}", r.text);
        let r = app.post(&respond, json!({"decision": "partial_refund", "basis": {"by": "agreed", "amount": total + 1}}), Some(&owner.token)).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"), "{}", r.text);
        let r = app.post(&respond, json!({"decision": "reject", "reason": "x"}), Some(&owner.token)).await;
        r.expect_status(422);

        // Still the seller's turn, in its inbox.
        let inbox = app.get(&format!("/api/v1/orgs/{}/claims?status=awaiting_seller", claim.seller_id), Some(&owner.token)).await;
        assert_eq!(inbox.i64("total"), 1);
        assert!(inbox.bool("items.0.can.respond"));
    }

    async fn a_partial_offer_by_quantity_waits_for_the_buyer_and_cannot_be_changed(app) {
        let Filed { parcel, claim, .. } = filed(&app).await;
        let owner = &parcel.seller.owner;
        let respond = format!("/api/v1/claims/{}/respond", claim.id);

        // One box of the claimed three.
        let offered = app.post(&respond, json!({"decision": "partial_refund", "basis": {"by": "quantity", "lines": [{"line_id": parcel.line_id, "quantity": 1}]}, "note": "其余两个看照片只是轻微压痕"}), Some(&owner.token)).await;

        offered.expect_status(200);
        assert_eq!(offered.str("status"), "awaiting_buyer");
        assert_eq!(offered.i64("offered"), 5990);
        assert!(offered.at("first_response_at").is_string());
        app.post(&respond, json!({"decision": "full_refund"}), Some(&owner.token)).await.expect_status(409);
    }

    async fn the_parties_talk_in_the_claims_thread_and_strangers_stay_out(app) {
        let Filed { parcel, claim, .. } = offered(&app).await;
        let messages = format!("/api/v1/claims/{}/messages", claim.id);
        let stranger = app.register("13600009999", "路人").await;
        let photo = app.evidence_photo(&parcel.buyer).await;

        let r = app.post(&messages, json!({"body": "三个都裂了，请看第二张照片", "attachments": [photo]}), Some(&parcel.buyer.token)).await;
        r.expect_status(201);
        app.post(&messages, json!({"body": "已收到，稍后回复"}), Some(&parcel.seller.owner.token)).await.expect_status(201);
        app.post(&messages, json!({"body": "hi"}), Some(&stranger.token)).await.expect_status(404);
        app.post(&messages, json!({"body": ""}), Some(&parcel.buyer.token)).await.expect_status(422);

        let seen = app.get(&format!("/api/v1/claims/{}", claim.id), Some(&parcel.seller.owner.token)).await;
        assert_eq!(seen.len_of("messages"), 2);
        assert_eq!(seen.len_of("evidence"), 2, "message photos join the evidence");
    }

    async fn the_buyer_escalates_a_low_offer_to_the_queue_of_the_operator_and_agents(app) {
        let Filed { parcel, claim, .. } = offered(&app).await;
        let op = app.operator().await;

        // Rating waits for the end; escalating is the buyer's.
        let r = app.post(&format!("/api/v1/claims/{}/satisfaction", claim.id), json!({"rating": 5}), Some(&parcel.buyer.token)).await;
        assert_eq!(r.code(), "not_resolved");
        app.post(&format!("/api/v1/claims/{}/escalate", claim.id), json!({"reason": "三个都坏了"}), Some(&parcel.seller.owner.token)).await.expect_status(403);
        let esc = app.post(&format!("/api/v1/claims/{}/escalate", claim.id), json!({"reason": "三个都坏了，照片很清楚"}), Some(&parcel.buyer.token)).await;

        esc.expect_status(200);
        assert_eq!(esc.str("status"), "in_arbitration");
        assert!(esc.bool("escalated"));
        let queue = app.get("/api/v1/ops/claims", Some(&op.token)).await;
        assert_eq!(queue.i64("total"), 1);
        // After-sales agents work the same queue and read the order whole.
        let agent = app.agent().await;
        let by_order = app.get(&format!("/api/v1/ops/claims?order_id={}", claim.order_id), Some(&agent.token)).await;
        assert_eq!(by_order.i64("total"), 1);
        let whole = app.get(&format!("/api/v1/orders/{}", claim.order_id), Some(&agent.token)).await;
        whole.expect_status(200);
        assert_eq!(whole.str("viewer"), "operator");
        assert_eq!(whole.len_of("sub_orders"), 1);
        app.get("/api/v1/ops/claims", Some(&parcel.buyer.token)).await.expect_status(403);
    }

    async fn the_operators_decision_needs_whole_shares_and_an_amount_within_what_was_paid(app) {
        let Filed { parcel, claim, .. } = escalated(&app).await;
        let op = app.operator().await;
        let path = format!("/api/v1/claims/{}/decide", claim.id);

        app.post(&path, json!({"amount": 11980, "liability": [{"party": "carrier", "percent": 70}], "note": "运输挤压"}), Some(&parcel.buyer.token)).await.expect_status(403);
        let r = app.post(&path, json!({"amount": 11980, "liability": [{"party": "carrier", "percent": 70}], "note": "运输挤压"}), Some(&op.token)).await;
        assert_eq!(r.field_code("liability"), Some("invalid"));
        let r = app.post(&path, json!({"amount": parcel.total + 1, "liability": [{"party": "carrier", "percent": 100}], "note": "运输挤压"}), Some(&op.token)).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"));
        assert_eq!(app.count("refunds", "1=1").await, 0);
    }

    async fn the_operators_decision_is_final_refunds_once_and_opens_recourse_against_the_carrier(app) {
        let Filed { parcel, claim, .. } = escalated(&app).await;
        let op = app.operator().await;

        let d = decide(&app, claim.id).await;

        d.expect_status(200);
        assert_eq!(d.str("status"), "resolved");
        assert_eq!(d.i64("refunded"), 3 * 5990);
        assert_eq!(d.str("recourse.carrier"), "顺丰速运");
        assert_eq!(d.i64("recourse.amount"), (3 * 5990 * 70 + 50) / 100);
        let again = app.post(&format!("/api/v1/claims/{}/decide", claim.id), json!({"amount": 100, "liability": [{"party": "seller", "percent": 100}], "note": "改判"}), Some(&op.token)).await;
        assert_eq!(again.code(), "already_decided");
        assert_eq!(app.count("refunds", "1=1").await, 1, "paid once");
        app.outbox_drained().await;
        assert_eq!(app.count("refunds", "status = 'succeeded'").await, 1);
        assert_eq!(app.order(parcel.order_id, &parcel.buyer).await.refunded, 3 * 5990);
        let decided: Claim = d.json();
        assert_eq!(decided.event_kinds(), ["filed", "offered", "escalated", "decided", "refunded", "recourse_opened"]);
    }

    async fn satisfaction_is_rated_once_from_one_to_five(app) {
        let Filed { parcel, claim, .. } = escalated(&app).await;
        decide(&app, claim.id).await.expect_status(200);
        let path = format!("/api/v1/claims/{}/satisfaction", claim.id);

        let r = app.post(&path, json!({"rating": 0}), Some(&parcel.buyer.token)).await;
        assert_eq!(r.field_code("rating"), Some("out_of_range"));
        let r = app.post(&path, json!({"rating": 4, "comment": "处理及时"}), Some(&parcel.buyer.token)).await;
        r.expect_status(200);
        assert_eq!(r.i64("satisfaction"), 4);
        let r = app.post(&path, json!({"rating": 5}), Some(&parcel.buyer.token)).await;
        assert_eq!(r.code(), "already_rated");
    }
}

/// Advances the clock and lets the scheduler run.
async fn later(app: &TestApp, by: chrono::Duration) {
    app.clock.advance(by);
    app.state.infra.outbox.wake();
    app.outbox_drained().await;
}

/// A claim for 2 boxes (¥119.80, over the ¥50 line for automatic refunds) on a received
/// parcel of 10.
async fn large_claim(app: &TestApp) -> (ReceivedOrder, Claim) {
    let parcel = app.received_order(10).await;
    let claim = app
        .claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 2)
        .await;
    (parcel, claim)
}

both_backends! {
    async fn before_the_sellers_deadline_nothing_moves(app) {
        let (parcel, big) = large_claim(&app).await;

        later(&app, chrono::Duration::hours(23)).await;

        let b = app.get(&format!("/api/v1/claims/{}", big.id), Some(&parcel.buyer.token)).await;
        assert_eq!(b.str("status"), "awaiting_seller");
    }

    async fn a_small_claim_left_unanswered_past_the_deadline_is_refunded_at_the_platforms_cost(app) {
        // One box of a cheaper listing: ¥18.
        let farm = app.verified_seller().named("白云山家庭农场").with_listing(Product::boxes("散养土鸡蛋 10枚", 1800, 10)).await;
        let buyer = app.consumer().await;
        let parcel = app.received(&buyer, &farm, &[(farm.sku, 1)]).await;
        let small = app.claim(&buyer, parcel.sub_order_id, parcel.line_id, 1).await;

        later(&app, chrono::Duration::hours(23)).await;
        later(&app, chrono::Duration::hours(1) + chrono::Duration::minutes(1)).await;

        let s = app.get(&format!("/api/v1/claims/{}", small.id), Some(&buyer.token)).await;
        assert_eq!(s.str("status"), "resolved", "{}", s.text);
        assert_eq!(s.i64("refunded"), 1800);
        assert_eq!(s.at("liability"), &json!([{"party": "platform", "percent": 100}]), "unclear fault: the platform bears it");
        assert_eq!(app.count("refunds", "status = 'succeeded'").await, 1);
    }

    async fn a_large_claim_left_unanswered_past_the_deadline_goes_to_the_operator_and_the_seller_can_no_longer_answer(app) {
        let (parcel, big) = large_claim(&app).await;
        let op = app.operator().await;

        later(&app, chrono::Duration::hours(23)).await;
        later(&app, chrono::Duration::hours(1) + chrono::Duration::minutes(1)).await;

        let b = app.get(&format!("/api/v1/claims/{}", big.id), Some(&parcel.buyer.token)).await;
        assert_eq!(b.str("status"), "in_arbitration");
        assert!(b.bool("escalated"));
        assert_eq!(b.i64("refunded"), 0);
        let late = app.post(&format!("/api/v1/claims/{}/respond", big.id), json!({"decision": "full_refund"}), Some(&parcel.seller.owner.token)).await;
        assert_eq!(late.code(), "not_your_turn");
        let q = app.get("/api/v1/ops/claims?status=in_arbitration", Some(&op.token)).await;
        assert_eq!(q.i64("total"), 1);
        assert_eq!(app.count("refunds", "status = 'succeeded'").await, 0);
    }

    async fn a_claim_waits_for_receipt(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;
        let photo = app.evidence_photo(&buyer).await;

        let r = app.file_claim(&buyer, order.part().id, order.part().line().id, 1, &[photo]).await;

        assert_eq!(r.code(), "not_received");
    }

    async fn a_full_refund_settles_a_claim_at_once(app) {
        let parcel = app.received_order(3).await;
        let claim = app.claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 1).await;

        let full = app.post(&format!("/api/v1/claims/{}/respond", claim.id), json!({"decision": "full_refund"}), Some(&parcel.seller.owner.token)).await;

        // With the seller's liability by default: no recourse against anyone.
        full.expect_status(200);
        assert_eq!(full.str("status"), "resolved");
        assert_eq!(full.i64("refunded"), 5990);
        assert!(full.at("recourse").is_null());
    }

    async fn a_rejection_the_buyer_accepts_closes_the_claim_with_nothing_refunded(app) {
        let parcel = app.received_order(3).await;
        let claim = app.claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 1).await;

        let rej = app.post(&format!("/api/v1/claims/{}/respond", claim.id), json!({"decision": "reject", "reason": "签收时外箱完好，照片中橙子无破损"}), Some(&parcel.seller.owner.token)).await;
        rej.expect_status(200);
        assert_eq!(rej.str("status"), "awaiting_buyer");
        assert!(!rej.bool("can.accept"), "the seller's view");
        let acc = app.post_empty(&format!("/api/v1/claims/{}/accept", claim.id), Some(&parcel.buyer.token)).await;

        acc.expect_status(200);
        assert_eq!(acc.str("status"), "resolved");
        assert_eq!(acc.i64("refunded"), 0);
        app.post_empty(&format!("/api/v1/claims/{}/accept", claim.id), Some(&parcel.buyer.token)).await.expect_status(409);
        assert_eq!(app.count("refunds", "1=1").await, 0);
    }

    async fn an_accepted_reship_sends_a_free_replacement_that_ships_like_any_other_part(app) {
        let parcel = app.received_order(3).await;
        let (buyer, owner, sub) = (&parcel.buyer, &parcel.seller.owner, parcel.sub_order_id);
        let claim = app.claim(buyer, sub, parcel.line_id, 1).await;
        let respond = format!("/api/v1/claims/{}/respond", claim.id);

        let r = app.post(&respond, json!({"decision": "reship", "lines": [{"line_id": parcel.line_id, "quantity": 2}]}), Some(&owner.token)).await;
        assert_eq!(r.field_code("lines"), Some("invalid"), "more than was claimed");
        let offer = app.post(&respond, json!({"decision": "reship", "note": "今天补发一箱"}), Some(&owner.token)).await;
        offer.expect_status(200);
        assert_eq!(offer.str("status"), "awaiting_buyer");
        let done = app.post_empty(&format!("/api/v1/claims/{}/accept", claim.id), Some(&buyer.token)).await;

        done.expect_status(200);
        assert_eq!(done.i64("refunded"), 0);
        let done: Claim = done.json();
        let accepted = done.events.iter().find(|e| e.kind == "accepted").expect("an accepted event");
        let replacement = accepted.data.uuid("replacement_sub_order_id");
        let order = app.order(done.order_id, buyer).await;
        let part = order.sub_order(replacement);
        assert_eq!(part.status, "paid", "{order:?}");
        assert_eq!(part.total, 0);
        assert_eq!(part.line().quantity, 1);
        assert!(part.number.ends_with("-R1"));
        assert_eq!(part.replaces, Some(sub));
        assert_eq!(order.total, order.goods_total + order.shipping, "the order's totals are unchanged");
        app.post(&format!("/api/v1/sub-orders/{replacement}/ship"), json!({"carrier": "顺丰速运", "tracking_no": "SF3010000002"}), Some(&owner.token)).await.expect_status(200);
        app.receive(buyer, replacement).await;
        app.post_empty(&format!("/api/v1/claims/{}/accept", claim.id), Some(&buyer.token)).await.expect_status(409);
        assert_eq!(app.count("order_events", "kind = 'replacement'").await, 1);
    }

    async fn a_claim_after_the_window_is_refused(app) {
        let parcel = app.received_order(3).await;
        app.claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 1).await;

        // 48 h for fruit.
        app.clock.advance(chrono::Duration::hours(49));
        let photo = app.evidence_photo(&parcel.buyer).await;
        let late = app.file_claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 1, &[photo]).await;

        assert_eq!(late.code(), "window_closed", "{}", late.text);
        let mine = app.get("/api/v1/claims", Some(&parcel.buyer.token)).await;
        assert_eq!(mine.i64("total"), 1, "the refused claim is not listed");
    }
}

/// A recall ordered by the county official for a batch that went to two buyers, while a
/// third buyer's paid order of the same listing waits to ship.
struct Recalled {
    shipped: ShippedBatch,
    late_buyer: Consumer,
    late_order: Order,
    /// The official's answer.
    recall: Resp,
}

async fn recalled(app: &TestApp) -> Recalled {
    let shipped = app.batch_shipped_to(2).await;
    let late_buyer = app.consumer().await;
    let late_order = app
        .paid_order(&late_buyer, &[(shipped.seller.sku, 1)])
        .await;
    let official = app.official().await;
    let recall = app
        .post(
            &format!("/api/v1/batches/{}/recall", shipped.batch.id),
            json!({"reason": "县农检站抽检：毒死蜱残留超标"}),
            Some(&official.token),
        )
        .await;
    recall.expect_status(200);
    Recalled {
        shipped,
        late_buyer,
        late_order,
        recall,
    }
}

both_backends! {
    async fn a_recall_is_ordered_with_a_reason_by_an_official_or_the_operator_and_nobody_else(app) {
        let shipped = app.batch_shipped_to(1).await;
        let official = app.official().await;
        let other = app.verified_seller().named("白云山家庭农场").with_listing(Product::boxes("散养土鸡蛋", 4500, 10)).await;
        let path = format!("/api/v1/batches/{}/recall", shipped.batch.id);

        app.post(&path, json!({"reason": "抽检发现农残超标"}), Some(&shipped.buyers[0].token)).await.expect_status(403);
        app.post(&path, json!({"reason": "抽检发现农残超标"}), Some(&other.owner.token)).await.expect_status(403);
        app.post(&path, json!({"reason": "x"}), Some(&official.token)).await.expect_status(422);
        app.post(&format!("/api/v1/batches/{}/recall", Uuid::nil()), json!({"reason": "抽检发现农残超标"}), Some(&official.token)).await.expect_status(404);

        assert_eq!(app.count("recalls", "1=1").await, 0);
    }

    async fn a_recall_reaches_every_buyer_of_the_batch_in_one_action_and_is_ordered_once(app) {
        let Recalled { shipped, recall: r, .. } = recalled(&app).await;
        let (official, op) = (app.official().await, app.operator().await);

        assert_eq!(r.str("ordered_role"), "official");
        assert_eq!(r.str("listing_title"), "赣南脐橙 10斤装");
        assert_eq!(r.str("seller_name"), "梅岭脐橙专业合作社");
        assert_eq!(r.i64("orders"), 2);
        assert_eq!(r.i64("buyers_reached"), 2);
        assert_eq!(r.at("quantities"), &json!([{"unit": "box", "quantity": 4}]));
        assert_eq!(r.i64("offered"), 4 * 5990);
        // The official can read the batch the recall names.
        app.get(&format!("/api/v1/batches/{}", shipped.batch.id), Some(&official.token)).await.expect_status(200);
        let again = app.post(&format!("/api/v1/batches/{}/recall", shipped.batch.id), json!({"reason": "再次召回"}), Some(&op.token)).await;
        assert_eq!(again.id(), r.id(), "ordering it again returns the same recall");
        assert_eq!(app.count("recalls", "1=1").await, 1);
    }

    async fn a_recalled_batch_says_so_first_on_its_public_page_and_its_record_still_verifies(app) {
        let Recalled { shipped, .. } = recalled(&app).await;
        let code = &shipped.batch.code;

        let page = app.get(&format!("/t/{code}"), None).await;

        page.expect_status(200);
        assert!(page.text.contains("data-testid=\"recalled\"") && page.text.contains("毒死蜱残留超标"));
        // The recall is in the record, which still verifies.
        assert!(app.get(&format!("/api/v1/trace/{code}/verify"), None).await.bool("ok"));
    }

    async fn a_recalled_batch_never_ships_again_its_listing_goes_off_sale_and_sellers_cannot_recall_by_hand(app) {
        let Recalled { shipped, late_order, .. } = recalled(&app).await;
        let (owner, batch) = (&shipped.seller.owner, shipped.batch.id);
        let late = late_order.part();

        let s = app.post(&format!("/api/v1/sub-orders/{}/ship", late.id),
            json!({"carrier": "顺丰速运", "tracking_no": "SF4000000099", "batches": [{"line_id": late.line().id, "batch_id": batch}]}), Some(&owner.token)).await;
        assert_eq!(s.field_code("batches[0].batch_id"), Some("batch_recalled"), "{}", s.text);
        let listed = app.get(&format!("/api/v1/listings/{}", shipped.seller.listing), None).await;
        assert_ne!(listed.body["status"], "approved", "{}", listed.text);
        let by_hand = app.post(&format!("/api/v1/batches/{batch}/events"),
            json!({"kind": "recall", "occurred_at": app.days_ago(0), "data": {"reason": "自己召回"}}), Some(&owner.token)).await;
        assert_eq!(by_hand.field_code("kind"), Some("not_allowed"));
    }

    async fn each_buyer_of_a_recalled_batch_is_told_and_takes_the_refund_once(app) {
        let Recalled { shipped, late_buyer, .. } = recalled(&app).await;
        let buyers = &shipped.buyers;

        let notes = app.get("/api/v1/me/recall-notices", Some(&buyers[0].token)).await;
        notes.expect_status(200);
        assert_eq!(notes.len_of(""), 1);
        assert_eq!(notes.i64("0.offered"), 2 * 5990);
        assert_eq!(notes.str("0.status"), "offered");
        assert!(notes.str("0.instructions_zh").contains("停止食用"));
        let refund = format!("/api/v1/recall-notices/{}/refund", notes.uuid("0.id"));

        // Nobody takes another's.
        app.post_empty(&refund, Some(&buyers[1].token)).await.expect_status(404);
        let took = app.post_empty(&refund, Some(&buyers[0].token)).await;

        took.expect_status(200);
        assert_eq!(took.str("status"), "refunded");
        app.post_empty(&refund, Some(&buyers[0].token)).await.expect_status(200);
        assert_eq!(app.count("refunds", "1=1").await, 1, "refunded once");
        // The buyer whose parcel never left is not told.
        assert_eq!(app.get("/api/v1/me/recall-notices", Some(&late_buyer.token)).await.body, json!([]));
    }

    async fn the_recall_report_gives_officials_aggregates_without_personal_data(app) {
        let Recalled { shipped, .. } = recalled(&app).await;
        let buyer = &shipped.buyers[0];
        let notes = app.get("/api/v1/me/recall-notices", Some(&buyer.token)).await;
        app.post_empty(&format!("/api/v1/recall-notices/{}/refund", notes.uuid("0.id")), Some(&buyer.token)).await.expect_status(200);

        let list = app.get("/api/v1/recalls", Some(&app.official().await.token)).await;

        list.expect_status(200);
        assert_eq!(list.i64("total"), 1);
        assert_eq!(list.i64("items.0.refunds_taken"), 1);
        assert_eq!(list.i64("items.0.refunded"), 2 * 5990);
        assert!(!list.text.contains(&buyer.phone), "no personal data in the report");
        assert_eq!(app.get("/api/v1/recalls", Some(&buyer.token)).await.i64("total"), 0, "a consumer sees none");
        assert_eq!(app.get("/api/v1/recalls", Some(&shipped.seller.owner.token)).await.i64("total"), 1, "the seller sees its own");
    }

    async fn a_failed_inspection_after_sale_recalls_the_batch_by_itself(app) {
        let shipped = app.batch_shipped_to(1).await;

        app.add_event(&shipped.seller.owner, shipped.batch.id, "inspection", &app.days_ago(0), inspection("fail")).await.expect_status(201);
        app.outbox_drained().await;

        assert_eq!(app.count("recalls", "ordered_role = 'system'").await, 1);
        let notes = app.get("/api/v1/me/recall-notices", Some(&shipped.buyers[0].token)).await;
        assert_eq!(notes.len_of(""), 1);
        let page = app.get(&format!("/t/{}", shipped.batch.code), None).await;
        assert!(page.text.contains("data-testid=\"recalled\""));
    }

    async fn a_passing_retest_does_not_reopen_a_recalled_batch(app) {
        let shipped = app.batch_shipped_to(1).await;
        let (owner, batch) = (&shipped.seller.owner, shipped.batch.id);
        app.add_event(owner, batch, "inspection", &app.days_ago(0), inspection("fail")).await.expect_status(201);
        app.outbox_drained().await;

        app.add_event(owner, batch, "inspection", &app.days_ago(0), inspection("pass")).await.expect_status(201);

        let b = app.get(&format!("/api/v1/batches/{batch}"), Some(&owner.token)).await;
        assert_eq!(b.str("status"), "recalled");
    }
}

/// A received parcel of 4 boxes with three claims of one box each; the seller answered the
/// first with a full refund after 2 h.
struct Quality {
    parcel: ReceivedOrder,
    /// The day (in China) the claims were filed on, taken before the clock moved.
    today: String,
}

async fn three_claims_on_one_parcel(app: &TestApp) -> Quality {
    let parcel = app.received_order(4).await;
    let today = app.today_in_china();
    let mut claims = Vec::new();
    for _ in 0..3 {
        claims.push(
            app.claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 1)
                .await,
        );
    }
    app.clock.advance(chrono::Duration::hours(2));
    app.post(
        &format!("/api/v1/claims/{}/respond", claims[0].id),
        json!({"decision": "full_refund"}),
        Some(&parcel.seller.owner.token),
    )
    .await
    .expect_status(200);
    Quality { parcel, today }
}

/// The quality report's path for the day of the claims, grouped by `group`, for one seller
/// or all.
fn quality(q: &Quality, group: &str, org: Option<Uuid>) -> String {
    let today = &q.today;
    let mut path = format!("/api/v1/aftersales/quality?from={today}&to={today}&group_by={group}");
    if let Some(o) = org {
        path.push_str(&format!("&org_id={o}"));
    }
    path
}

both_backends! {
    async fn a_sellers_quality_counts_claims_first_responses_resolutions_and_refunds_per_carrier(app) {
        let q = three_claims_on_one_parcel(&app).await;
        let parcel = &q.parcel;
        let seller = &parcel.seller;

        let own = app.get(&quality(&q, "carrier", Some(seller.org)), Some(&seller.owner.token)).await;

        own.expect_status(200);
        assert_eq!((own.i64("total.delivered"), own.i64("total.claims")), (1, 3));
        assert_eq!(own.i64("total.claim_rate_bp"), 30_000, "three claims on one delivered parcel");
        assert_eq!(own.i64("total.first_response_p50_secs"), 7200);
        assert_eq!(own.i64("total.resolved"), 1);
        assert_eq!(own.i64("total.resolution_rate_bp"), 3_333);
        assert_eq!(own.i64("total.refunded"), 5990);
        assert_eq!(own.str("rows.0.key"), "顺丰速运");
    }

    async fn a_seller_sees_only_its_own_quality_and_bad_periods_and_groups_are_refused(app) {
        let q = three_claims_on_one_parcel(&app).await;
        let parcel = &q.parcel;
        let (org, owner) = (parcel.seller.org, &parcel.seller.owner);
        let op = app.operator().await;
        let today = &q.today;

        assert_eq!(app.get(&quality(&q, "carrier", None), Some(&owner.token)).await.field_code("org_id"), Some("required"));
        let other = app.verified_seller().named("白云山家庭农场").with_listing(Product::boxes("散养土鸡蛋", 4500, 10)).await;
        app.get(&quality(&q, "carrier", Some(org)), Some(&other.owner.token)).await.expect_status(403);
        let empty = app.get(&quality(&q, "carrier", Some(other.org)), Some(&other.owner.token)).await;
        assert_eq!(empty.i64("total.claims"), 0);
        app.get(&quality(&q, "carrier", Some(org)), Some(&parcel.buyer.token)).await.expect_status(403);
        let r = app.get(&format!("/api/v1/aftersales/quality?from={today}&to=2020-01-01&group_by=seller"), Some(&op.token)).await;
        assert_eq!(r.field_code("to"), Some("out_of_range"));
        app.get(&format!("/api/v1/aftersales/quality?from={today}&to={today}&group_by=planet"), Some(&op.token)).await.expect_status(400);
    }

    async fn the_operator_and_officials_see_every_sellers_quality_by_kind_and_category_and_no_buyer_is_named(app) {
        let q = three_claims_on_one_parcel(&app).await;
        let parcel = &q.parcel;
        let op = app.operator().await;
        let official = app.official().await;

        let all = app.get(&quality(&q, "seller", None), Some(&op.token)).await;
        let kinds = app.get(&quality(&q, "seller_kind", None), Some(&official.token)).await;
        let cats = app.get(&quality(&q, "category", None), Some(&op.token)).await;

        assert_eq!(all.str("rows.0.label"), "梅岭脐橙专业合作社");
        kinds.expect_status(200);
        assert_eq!(kinds.str("rows.0.key"), "cooperative");
        assert_eq!(kinds.str("rows.0.label_en"), "farmer cooperative");
        assert!(!kinds.text.contains(&parcel.buyer.account_id.to_string()));
        assert_eq!(cats.i64("rows.0.claims"), 3);
    }

    async fn a_buyer_with_many_claims_on_one_parcel_is_flagged_to_the_operator_only(app) {
        let q = three_claims_on_one_parcel(&app).await;
        let parcel = &q.parcel;
        let op = app.operator().await;

        let flagged = app.get("/api/v1/ops/flagged-buyers", Some(&op.token)).await;

        flagged.expect_status(200);
        assert_eq!(flagged.str("0.account_id"), parcel.buyer.account_id.to_string());
        assert_eq!(flagged.i64("0.claims"), 3);
        assert_eq!(flagged.str("0.name"), "王芳", "the operator can reach the buyer");
        app.get("/api/v1/ops/flagged-buyers", Some(&app.official().await.token)).await.expect_status(403);
        app.get("/api/v1/ops/flagged-buyers?days=3", Some(&op.token)).await.expect_status(422);
    }

    async fn a_flagged_buyer_can_still_claim(app) {
        let q = three_claims_on_one_parcel(&app).await;
        let parcel = &q.parcel;
        let photo = app.evidence_photo(&parcel.buyer).await;

        let r = app.file_claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 1, &[photo]).await;

        // Flagged, not blocked.
        r.expect_status(201);
    }
}

// ---- Issue #15, findings 8 and 12: claims filed at the same moment. The remaining quantity
// is read and the claim written in one turn per sub-order, so the units of a line are claimed
// once however many requests arrive together.

/// Files a claim for `quantity` units of `line` with each photo, all at once; the answers.
async fn claims_at_once(
    app: &TestApp,
    buyer: &Session,
    sub_order: Uuid,
    line: Uuid,
    quantity: i64,
    photos: &[Uuid],
) -> Vec<Resp> {
    let reqs = photos
        .iter()
        .map(|photo| {
            app.http
                .post(app.url(&format!("/api/v1/sub-orders/{sub_order}/claims")))
                .bearer_auth(&buyer.token)
                .json(&json!({"kind": "damaged_in_transit", "description": "箱子被压扁，三个橙子破裂流汁",
                              "lines": [{"line_id": line, "quantity": quantity}], "photos": [photo]}))
        })
        .collect();
    app.send_all(reqs).await
}

both_backends! {
    async fn six_claims_for_the_whole_line_filed_at_the_same_moment_make_one_claim_and_the_others_hear_none_is_left(app) {
        let parcel = app.received_order(3).await;
        let mut photos = Vec::new();
        for _ in 0..6 {
            photos.push(app.evidence_photo(&parcel.buyer).await);
        }

        let answers = claims_at_once(&app, &parcel.buyer, parcel.sub_order_id, parcel.line_id, 3, &photos).await;

        let accepted = answers.iter().filter(|r| r.status == 201).count();
        assert_eq!(accepted, 1, "{:?}", answers.iter().map(|r| format!("{} {}", r.status, r.text)).collect::<Vec<_>>());
        for r in answers.iter().filter(|r| r.status != 201) {
            r.expect_status(422);
            assert_eq!(r.field_code("lines[0].quantity"), Some("out_of_range"), "{}", r.text);
        }
        assert_eq!(app.count("claims", "1=1").await, 1);
        assert_eq!(app.count("claim_lines", "1=1").await, 1, "nothing half-written");
        assert_eq!(app.count("claim_events", "kind = 'filed'").await, 1);
        assert_eq!(app.count("claim_evidence", "claim_id IS NOT NULL").await, 1, "only the accepted claim's photo is used");
    }

    async fn two_claims_for_part_of_a_line_filed_at_once_both_fit_but_a_third_at_once_does_not(app) {
        // 4 boxes; three claims of 2 at the same moment: two fit exactly, the third is told
        // nothing is left.
        let parcel = app.received_order(4).await;
        let mut photos = Vec::new();
        for _ in 0..3 {
            photos.push(app.evidence_photo(&parcel.buyer).await);
        }

        let answers = claims_at_once(&app, &parcel.buyer, parcel.sub_order_id, parcel.line_id, 2, &photos).await;

        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 2, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 1, "{statuses:?}");
        assert_eq!(app.scalar("SELECT SUM(quantity) FROM claim_lines").await, 4, "never more than was bought");
    }

    async fn one_photo_in_two_claims_filed_at_once_on_different_parcels_is_used_by_one(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let first = app.received(&buyer, &seller, &[(seller.sku, 1)]).await;
        let second = app.received(&buyer, &seller, &[(seller.sku, 1)]).await;
        let photo = app.evidence_photo(&buyer).await;
        let file = |parcel: &ReceivedOrder| {
            app.http
                .post(app.url(&format!("/api/v1/sub-orders/{}/claims", parcel.sub_order_id)))
                .bearer_auth(&buyer.token)
                .json(&json!({"kind": "damaged_in_transit", "description": "箱子被压扁，三个橙子破裂流汁",
                              "lines": [{"line_id": parcel.line_id, "quantity": 1}], "photos": [photo]}))
        };

        let answers = app.send_all(vec![file(&first), file(&second)]).await;

        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        assert!(statuses == [201, 422] || statuses == [422, 201], "{statuses:?}");
        let refused = answers.iter().find(|r| r.status == 422).expect("a refusal");
        assert_eq!(refused.field_code("photos"), Some("not_found"), "{}", refused.text);
        assert_eq!(app.count("claims", "1=1").await, 1, "nothing half-written");
    }
}

both_backends! {
    async fn a_recall_refund_taken_six_times_at_once_is_paid_once_and_every_answer_says_refunded(app) {
        let Recalled { shipped, .. } = recalled(&app).await;
        let buyer = &shipped.buyers[0];
        let notes = app.get("/api/v1/me/recall-notices", Some(&buyer.token)).await;
        let refund = format!("/api/v1/recall-notices/{}/refund", notes.uuid("0.id"));

        let answers = app.send_all((0..6).map(|_| app.http.post(app.url(&refund)).bearer_auth(&buyer.token)).collect()).await;

        for r in &answers {
            assert_eq!(r.status, 200, "{:?}", answers.iter().map(|r| format!("{} {}", r.status, r.text)).collect::<Vec<_>>());
            assert_eq!(r.str("status"), "refunded");
            assert_eq!(r.i64("offered"), 2 * 5990, "the refund made once, not what was left after it");
        }
        assert_eq!(app.count("refunds", "1=1").await, 1, "refunded once");
        assert_eq!(app.scalar("SELECT SUM(amount_fen) FROM refunds").await, 2 * 5990);
    }

    async fn a_recall_ordered_four_times_at_once_is_made_once_and_every_answer_is_it(app) {
        let shipped = app.batch_shipped_to(2).await;
        let official = app.official().await;
        let path = format!("/api/v1/batches/{}/recall", shipped.batch.id);

        let answers = app.send_all((0..4).map(|_| app.http.post(app.url(&path)).bearer_auth(&official.token)
            .json(&json!({"reason": "县农检站抽检：毒死蜱残留超标"}))).collect()).await;

        let first = answers[0].id();
        for r in &answers {
            assert_eq!(r.status, 200, "{:?}", answers.iter().map(|r| format!("{} {}", r.status, r.text)).collect::<Vec<_>>());
            assert_eq!(r.id(), first);
        }
        assert_eq!(app.count("recalls", "1=1").await, 1);
        assert_eq!(app.count("recall_notices", "1=1").await, 2, "one notice per buyer, not per request");
    }

    async fn accepting_and_escalating_an_offer_at_the_same_moment_moves_the_claim_once_and_refunds_only_if_it_was_accepted(app) {
        // Before, accepting refunded first and moved the claim second: when the escalation
        // moved it in between, the money had gone out for a claim still open.
        let f = offered(&app).await;
        let buyer = &f.parcel.buyer;
        let claim = f.claim.id;

        let answers = app.send_all(vec![
            app.http.post(app.url(&format!("/api/v1/claims/{claim}/accept"))).bearer_auth(&buyer.token),
            app.http.post(app.url(&format!("/api/v1/claims/{claim}/escalate"))).bearer_auth(&buyer.token)
                .json(&json!({"reason": "三个都坏了，照片很清楚"})),
        ]).await;

        let won: Vec<u16> = answers.iter().map(|r| r.status).collect();
        assert_eq!(won.iter().filter(|s| **s == 200).count(), 1, "one move: {:?}", answers.iter().map(|r| format!("{} {}", r.status, r.text)).collect::<Vec<_>>());
        let status = app.get(&format!("/api/v1/claims/{claim}"), Some(&buyer.token)).await.str("status").to_owned();
        let refunds = app.count("refunds", "1=1").await;
        match status.as_str() {
            "resolved" => assert_eq!(refunds, 1, "accepted: the offer is refunded once"),
            other => assert_eq!(refunds, 0, "{other}: nothing is refunded for a claim still open"),
        }
    }

    async fn a_parcel_shipped_from_a_batch_at_the_moment_it_is_recalled_is_either_refused_or_told(app) {
        let shipped = app.batch_shipped_to(1).await;
        let late_buyer = app.consumer().await;
        let late = app.paid_order(&late_buyer, &[(shipped.seller.sku, 1)]).await;
        let official = app.official().await;
        let part = late.part();

        let answers = app.send_all(vec![
            app.http.post(app.url(&format!("/api/v1/sub-orders/{}/ship", part.id))).bearer_auth(&shipped.seller.owner.token)
                .json(&json!({"carrier": "顺丰速运", "tracking_no": "SF5550001112", "batches": [{"line_id": part.line().id, "batch_id": shipped.batch.id}]})),
            app.http.post(app.url(&format!("/api/v1/batches/{}/recall", shipped.batch.id))).bearer_auth(&official.token)
                .json(&json!({"reason": "县农检站抽检：毒死蜱残留超标"})),
        ]).await;

        answers[1].expect_status(200);
        assert!(matches!(answers[0].status, 200 | 409 | 422), "{}", answers[0].text);
        // Every parcel that left from the batch is one its buyer is told about.
        assert_eq!(app.count("shipment_batches", "1=1").await, app.count("recall_notices", "1=1").await, "ship: {}", answers[0].text);
    }
}
