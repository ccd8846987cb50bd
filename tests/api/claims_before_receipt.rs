//! Issue #18, claims before receipt and the claim deadlines, through the real server: a parcel
//! the carrier reports lost is claimed and refunded once, closes as `undelivered` (never
//! received, out of 待收货) and settles at once by the claim's liability (docs/MONEY.md); "not received" waits until tracking stalls or the parcel is
//! overdue; the buyer's answer to an offer has a deadline (unanswered: accepted, exactly once,
//! even racing the buyer); overdue arbitrations come first in the operator's queue and count in
//! the figures; and each step notifies the people it concerns.

use farmgate_orders::payment::signature_header;
use farmgate_tests::prelude::*;

const SIG: &str = "farmgate-signature";

/// In-app notifications of `kind` to `who` (the id bound as a parameter: SQLite keeps ids as
/// bytes).
async fn notified(app: &TestApp, who: &Session, kind: &str) -> i64 {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = &app.state.infra.db;
    let backend = db.get_database_backend();
    let mark = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT COUNT(*) AS n FROM notifications WHERE recipient_id = {mark} AND kind = '{kind}' AND channel = 'in_app'"),
            [who.account_id.into()],
        ))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// A paid order of 2 boxes at ¥59.90 that the seller shipped (not received).
struct Shipped {
    buyer: Consumer,
    seller: SellerWithListing,
    order_id: Uuid,
    sub: Uuid,
    total: i64,
    waybill: String,
}

async fn shipped(app: &TestApp) -> Shipped {
    let seller = app
        .verified_seller()
        .with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100))
        .await;
    let buyer = app.consumer().await;
    let paid = app.paid_order(&buyer, &[(seller.sku, 2)]).await;
    let sub = paid.part().id;
    let waybill = format!("SF{:010}", Uuid::new_v4().as_u128() % 10_000_000_000);
    app.post(
        &format!("/api/v1/sub-orders/{sub}/ship"),
        json!({"carrier": "顺丰速运", "tracking_no": waybill}),
        Some(&seller.owner.token),
    )
    .await
    .expect_status(200);
    Shipped {
        buyer,
        seller,
        order_id: paid.id,
        sub,
        total: paid.total,
        waybill,
    }
}

/// The carrier posts `kind` about the parcel, signed.
async fn carrier_says(app: &TestApp, s: &Shipped, kind: &str) {
    let secret = app.state.orders.config().carrier_secret.clone();
    let now = app.clock.now();
    let body = serde_json::to_vec(
        &json!({"event_id": format!("sf-{}", Uuid::new_v4()), "carrier": "顺丰速运",
        "tracking_no": s.waybill, "kind": kind, "at": now.to_rfc3339()}),
    )
    .expect("json");
    let req = app
        .http
        .post(app.url("/api/v1/logistics/callback"))
        .header("content-type", "application/json")
        .header(
            SIG,
            signature_header(secret.as_bytes(), now.timestamp(), &body),
        )
        .body(body);
    app.send(req).await.expect_status(200);
}

async fn file(app: &TestApp, who: &Session, sub: Uuid, kind: &str) -> Resp {
    app.post(
        &format!("/api/v1/sub-orders/{sub}/claims"),
        json!({"kind": kind, "description": "快递一直没有送到，物流不再更新", "lines": [], "photos": []}),
        Some(&who.token),
    )
    .await
}

/// Advances the clock and lets the scheduler run.
async fn later(app: &TestApp, by: chrono::Duration) {
    app.clock.advance(by);
    app.state.infra.outbox.wake();
    app.outbox_drained().await;
}

fn kinds(r: &Resp) -> Vec<String> {
    r.arr("kinds")
        .iter()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect()
}

both_backends! {
    async fn a_parcel_the_carrier_lost_is_refunded_once_and_never_received_or_paid_to_the_seller(app) {
        let s = shipped(&app).await;
        let options = format!("/api/v1/sub-orders/{}/claim-options", s.sub);
        let before = app.get(&options, Some(&s.buyer.token)).await;
        before.expect_status(200);
        assert_eq!(kinds(&before), Vec::<String>::new(), "just shipped: nothing to claim yet");
        assert_eq!(file(&app, &s.buyer, s.sub, "lost").await.code(), "not_reported_lost");

        carrier_says(&app, &s, "lost").await;
        let now = app.get(&options, Some(&s.buyer.token)).await;
        assert_eq!(kinds(&now), ["not_received", "lost"]);
        let filed = file(&app, &s.buyer, s.sub, "lost").await;

        filed.expect_status(201);
        assert_eq!(filed.str("kind"), "lost");
        assert_eq!(filed.i64("claimed"), s.total, "the whole parcel, shipping too");
        let claim: Claim = filed.json();
        let full = app.post(&format!("/api/v1/claims/{}/respond", claim.id), json!({"decision": "full_refund"}), Some(&s.seller.owner.token)).await;
        full.expect_status(200);
        assert_eq!(full.str("status"), "resolved");
        assert_eq!(full.i64("refunded"), s.total);
        app.post(&format!("/api/v1/claims/{}/respond", claim.id), json!({"decision": "full_refund"}), Some(&s.seller.owner.token)).await.expect_status(409);

        // Closed at once as never delivered; past the 7-day receipt and the window it would
        // open it is still not received by the scheduler, and nothing is payable to the seller.
        let order = app.order(s.order_id, &s.buyer).await;
        assert_eq!(order.part().status, "undelivered", "closed: the parcel never came");
        later(&app, chrono::Duration::days(8)).await;
        later(&app, chrono::Duration::days(4)).await;
        assert_eq!(app.count("refunds", "1=1").await, 1, "refunded once");
        let order = app.order(s.order_id, &s.buyer).await;
        assert_eq!(order.part().status, "undelivered", "the lost parcel is not received");
        assert_eq!(order.refunded, s.total);
        let received = app.post_empty(&format!("/api/v1/sub-orders/{}/receive", s.sub), Some(&s.buyer.token)).await;
        assert_eq!(received.status, 409, "nothing to receive: {}", received.text);
        let to_receive = app.get("/api/v1/orders?tab=to_receive", Some(&s.buyer.token)).await;
        to_receive.expect_status(200);
        assert!(!to_receive.text.contains(&s.order_id.to_string()), "not waiting for a parcel: {}", to_receive.text);
        let events = app.get(&format!("/api/v1/orders/{}", s.order_id), Some(&s.buyer.token)).await;
        assert!(events.text.matches("\"undelivered\"").count() >= 2, "the status and its event: {}", events.text);
        let day = app.today_in_china();
        let from = (chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").expect("a day") - chrono::Duration::days(40)).to_string();
        let st = app.get(&format!("/api/v1/orgs/{}/settlement?from={from}&to={day}&limit=100", s.seller.org), Some(&s.seller.owner.token)).await;
        st.expect_status(200);
        assert_eq!(st.i64("totals.payable"), 0, "{}", st.text);
        assert_eq!(st.i64("totals.pending"), 0, "refunded in full at the seller's cost: nothing owed");
        let again = file(&app, &s.buyer, s.sub, "not_received").await;
        assert_eq!(again.code(), "nothing_to_refund", "{}", again.text);
    }

    async fn a_lost_parcel_the_carrier_bears_closes_undelivered_and_pays_the_seller_at_once_once(app) {
        let s = shipped(&app).await;
        app.verified_bank_account(&s.seller).await;
        carrier_says(&app, &s, "lost").await;
        let claim = file(&app, &s.buyer, s.sub, "lost").await;
        claim.expect_status(201);
        let id = claim.id();
        // The seller names the carrier: its own word that it lost the parcel.
        let answered = app.post(&format!("/api/v1/claims/{id}/respond"),
            json!({"decision": "full_refund", "liability": [{"party": "carrier", "percent": 100}]}),
            Some(&s.seller.owner.token)).await;
        answered.expect_status(200);
        assert_eq!(answered.str("status"), "resolved", "{}", answered.text);

        let order = app.order(s.order_id, &s.buyer).await;
        assert_eq!(order.part().status, "undelivered");
        assert_eq!(order.refunded, s.total, "the buyer has everything back");
        assert_eq!(app.count("carrier_recourse", "1=1").await, 1, "the platform claims it back from the carrier");
        // Settled now, not pending for ever: the seller handed the goods over and is owed
        // them less commission, the carrier's share being recovered by the platform.
        let day = app.today_in_china();
        let from = (chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").expect("a day") - chrono::Duration::days(40)).to_string();
        let st = app.get(&format!("/api/v1/orgs/{}/settlement?from={from}&to={day}&limit=100", s.seller.org), Some(&s.seller.owner.token)).await;
        st.expect_status(200);
        assert_eq!(st.i64("totals.pending"), 0, "{}", st.text);
        let payable = st.i64("totals.payable");
        assert_eq!(payable, s.total - st.i64("totals.commission"), "{}", st.text);
        assert!(payable > 0);
        assert_eq!(st.i64("totals.refunds_carrier"), s.total, "{}", st.text);
        let finance = app.finance().await;
        let batch = app.post("/api/v1/finance/payout-batches", json!({"period_end": day}), Some(&finance.token)).await;
        batch.expect_status(201);
        assert!(batch.text.contains(&s.sub.to_string()), "the closed parcel joins the payout: {}", batch.text);
        // Later days change nothing: it is never received and the payout was not doubled.
        later(&app, chrono::Duration::days(12)).await;
        assert_eq!(app.order(s.order_id, &s.buyer).await.part().status, "undelivered");
        assert_eq!(app.count("refunds", "1=1").await, 1);
        let again = app.post("/api/v1/finance/payout-batches", json!({"period_end": app.today_in_china()}), Some(&finance.token)).await;
        assert_eq!(again.code(), "nothing_to_pay", "{}", again.text);
    }

    async fn not_received_waits_while_tracking_moves_and_opens_once_the_parcel_is_overdue(app) {
        let s = shipped(&app).await;
        app.clock.advance(chrono::Duration::days(2));
        carrier_says(&app, &s, "in_transit").await;
        app.clock.advance(chrono::Duration::days(2));

        let early = file(&app, &s.buyer, s.sub, "not_received").await;

        assert_eq!(early.code(), "too_early", "moved two days ago, shipped four: {}", early.text);
        let damage = app.file_claim(&s.buyer, s.sub, Uuid::nil(), 1, &[]).await;
        assert_eq!(damage.code(), "not_received", "damage is claimed after receipt");
        let options = app.get(&format!("/api/v1/sub-orders/{}/claim-options", s.sub), Some(&s.buyer.token)).await;
        assert!(options.at("not_received_from").is_string(), "{}", options.text);
        assert_eq!(app.count("claims", "1=1").await, 0, "nothing written");

        // Five days after shipping the parcel is overdue, whatever the tracking says.
        app.clock.advance(chrono::Duration::days(1));
        let filed = file(&app, &s.buyer, s.sub, "not_received").await;
        filed.expect_status(201);
        assert_eq!(filed.str("status"), "awaiting_seller");
    }

    async fn claims_before_receipt_are_the_buyers_own_and_once_at_a_time(app) {
        let s = shipped(&app).await;
        carrier_says(&app, &s, "lost").await;
        let stranger = app.consumer().await;

        // Another buyer, the seller itself, the operator: no such sub-order of theirs.
        file(&app, &stranger, s.sub, "lost").await.expect_status(404);
        file(&app, &s.seller.owner, s.sub, "lost").await.expect_status(404);
        let op = app.operator().await;
        file(&app, &op, s.sub, "lost").await.expect_status(404);
        app.get(&format!("/api/v1/sub-orders/{}/claim-options", s.sub), Some(&stranger.token)).await.expect_status(404);
        app.get(&format!("/api/v1/sub-orders/{}/claim-options", s.sub), None).await.expect_status(401);
        let bad = app.post(&format!("/api/v1/sub-orders/{}/claims", s.sub), json!({"kind": "stolen", "description": "没收到", "lines": [], "photos": []}), Some(&s.buyer.token)).await;
        bad.expect_status(422);
        assert_eq!(app.count("claims", "1=1").await, 0);

        let first = file(&app, &s.buyer, s.sub, "lost").await;
        first.expect_status(201);
        let dup = file(&app, &s.buyer, s.sub, "not_received").await;
        assert_eq!(dup.code(), "claim_open", "{}", dup.text);
        assert_eq!(app.count("claims", "1=1").await, 1);
        // The buyer cannot answer for the seller.
        let id = first.id();
        app.post(&format!("/api/v1/claims/{id}/respond"), json!({"decision": "full_refund"}), Some(&s.buyer.token)).await.expect_status(403);
    }

    async fn a_rejected_not_received_claim_lets_the_parcel_be_received_again_later(app) {
        let s = shipped(&app).await;
        carrier_says(&app, &s, "lost").await;
        let claim = file(&app, &s.buyer, s.sub, "lost").await;
        claim.expect_status(201);
        let id = claim.id();
        app.post(&format!("/api/v1/claims/{id}/respond"), json!({"decision": "reject", "reason": "快递已找到，正在派送"}), Some(&s.seller.owner.token)).await.expect_status(200);
        app.post_empty(&format!("/api/v1/claims/{id}/accept"), Some(&s.buyer.token)).await.expect_status(200);

        later(&app, chrono::Duration::days(7) + chrono::Duration::minutes(1)).await;

        let order = app.order(s.order_id, &s.buyer).await;
        assert_eq!(order.part().status, "received", "the receipt clock started again");
        assert_eq!(app.count("refunds", "1=1").await, 0);
    }
}

/// A received parcel of 4 boxes with a claim for 3 that the seller answered with one box.
async fn offered(app: &TestApp) -> (ReceivedOrder, Claim) {
    let parcel = app.received_order(4).await;
    let claim = app
        .claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 3)
        .await;
    let r = app
        .post(
            &format!("/api/v1/claims/{}/respond", claim.id),
            json!({"decision": "partial_refund", "basis": {"by": "quantity", "lines": [{"line_id": parcel.line_id, "quantity": 1}]}}),
            Some(&parcel.seller.owner.token),
        )
        .await;
    r.expect_status(200);
    assert!(
        r.at("answer_by").is_string(),
        "the buyer is told by when to answer"
    );
    (parcel, claim)
}

both_backends! {
    async fn an_offer_the_buyer_leaves_unanswered_is_accepted_at_the_deadline(app) {
        let (parcel, claim) = offered(&app).await;
        app.outbox_drained().await;
        assert_eq!(notified(&app, &parcel.buyer, "claim_answered").await, 1, "the buyer hears of the offer");

        later(&app, chrono::Duration::hours(71)).await;
        let waiting = app.get(&format!("/api/v1/claims/{}", claim.id), Some(&parcel.buyer.token)).await;
        assert_eq!(waiting.str("status"), "awaiting_buyer");
        assert_eq!(notified(&app, &parcel.buyer, "claim_deadline_near").await, 1, "reminded 4 h before");
        assert_eq!(notified(&app, &parcel.seller.owner, "claim_deadline_near").await, 0, "the seller answered in time: no reminder");
        later(&app, chrono::Duration::hours(1) + chrono::Duration::minutes(1)).await;

        let done = app.get(&format!("/api/v1/claims/{}", claim.id), Some(&parcel.buyer.token)).await;
        assert_eq!(done.str("status"), "resolved", "{}", done.text);
        assert_eq!(done.i64("refunded"), 5990);
        let done: Claim = done.json();
        let accepted = done.events.iter().find(|e| e.kind == "accepted").expect("accepted");
        assert_eq!(accepted.data.at("automatic"), &json!(true));
        assert_eq!(app.count("refunds", "1=1").await, 1);
    }

    async fn the_deadline_and_the_buyer_accepting_at_the_same_moment_settle_the_offer_once(app) {
        for round in 1..=3 {
            let (parcel, claim) = offered(&app).await;
            app.clock.advance(chrono::Duration::hours(72) + chrono::Duration::seconds(1));

            let accept_path = format!("/api/v1/claims/{}/accept", claim.id);
            let (by_deadline, by_buyer) = tokio::join!(
                app.state.aftersales.offer_due(farmgate_kernel::id::ClaimId(claim.id)),
                app.post_empty(&accept_path, Some(&parcel.buyer.token)),
            );

            let deadline_won = by_deadline.expect("the deadline job runs");
            let buyer_won = by_buyer.status == 200;
            assert!(deadline_won ^ buyer_won || (!deadline_won && !buyer_won), "at most one settles it: deadline {deadline_won}, buyer {}", by_buyer.status);
            if !buyer_won {
                assert_eq!(by_buyer.code(), "not_your_turn", "{}", by_buyer.text);
            }
            app.state.infra.outbox.wake();
            app.outbox_drained().await;
            let c: Claim = app.get(&format!("/api/v1/claims/{}", claim.id), Some(&parcel.buyer.token)).await.json();
            assert_eq!(c.status, "resolved");
            assert_eq!(c.event_kinds().iter().filter(|k| **k == "accepted").count(), 1, "{:?}", c.event_kinds());
            assert_eq!(app.count("refunds", "1=1").await, round, "refunded once a round");
        }
    }

    async fn overdue_arbitrations_come_first_in_the_operators_queue_and_count_in_the_figures(app) {
        let op = app.operator().await;
        // B is filed first but escalated later; A is escalated first and becomes overdue.
        let (pb, b) = offered(&app).await;
        let (pa, a) = offered(&app).await;
        let escalate = |c: Uuid, who: Session| {
            let app = &app;
            async move {
                app.post(&format!("/api/v1/claims/{c}/escalate"), json!({"reason": "三个都坏了"}), Some(&who.token)).await
            }
        };
        let r = escalate(a.id, pa.buyer.session.clone()).await;
        r.expect_status(200);
        assert!(r.at("arbitrate_by").is_string());
        later(&app, chrono::Duration::hours(49)).await;
        escalate(b.id, pb.buyer.session.clone()).await.expect_status(200);

        let q = app.get("/api/v1/ops/claims", Some(&op.token)).await;
        q.expect_status(200);
        assert_eq!(q.i64("total"), 2);
        assert_eq!(q.uuid("items.0.id"), a.id, "the overdue one first: {}", q.text);
        assert!(q.bool("items.0.arbitration_overdue"));
        assert!(!q.bool("items.1.arbitration_overdue"));
        app.get("/api/v1/ops/claims", Some(&pa.buyer.token)).await.expect_status(403);
        app.outbox_drained().await;
        assert_eq!(notified(&app, &op, "claim_escalated").await, 2, "the operator hears of each arbitration");
        assert_eq!(notified(&app, &pa.buyer, "claim_escalated").await, 1);
        assert_eq!(notified(&app, &pa.seller.owner, "claim_escalated").await, 1);

        let day = app.today_in_china();
        let from = (chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").expect("a day") - chrono::Duration::days(5)).to_string();
        let f = app.get(&format!("/api/v1/aftersales/quality?from={from}&to={day}&group_by=seller"), Some(&op.token)).await;
        f.expect_status(200);
        assert_eq!(f.i64("total.arbitration_overdue"), 1, "{}", f.text);
    }
}
