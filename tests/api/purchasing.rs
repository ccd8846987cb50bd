//! Issue #22, procurement: a business buyer's kind, its purchasing staff (purchasers order,
//! managers approve) and the owner's approval limit. A purchaser's order above the limit waits
//! for a manager's or the owner's approval before it can be paid — by a gateway or offline —
//! and a rejection cancels it with its stock returned. Identity owns the settings and roles;
//! orders asks it at checkout and when someone decides.

use farmgate_tests::prelude::*;

/// A verified hotel buyer with an owner, a purchaser and a manager (each with a delivery
/// address, logged in again after joining), a limit of ¥100, and a seller of eggs (¥45 a box,
/// ¥35 from 10; 20 in stock).
struct Hotel {
    org: Uuid,
    owner: Consumer,
    purchaser: Consumer,
    manager: Consumer,
    seller: SellerWithListing,
}

const LIMIT: i64 = 10_000;

async fn hotel(app: &TestApp) -> Hotel {
    let (org, owner) = app.hotel(Some(LIMIT)).await;
    let purchaser = app.joined(&owner, org, "purchaser", "采购员小李").await;
    let manager = app.joined(&owner, org, "manager", "采购经理老周").await;
    let seller = app.verified_seller().with_listing(Product::eggs()).await;
    Hotel {
        org,
        owner,
        purchaser,
        manager,
        seller,
    }
}

/// The purchaser orders `boxes` of eggs, to be paid by bank transfer.
async fn order(app: &TestApp, h: &Hotel, who: &Consumer, boxes: i64) -> Resp {
    let r = app
        .post(
            "/api/v1/orders",
            json!({"address_id": who.address, "payment_method": "offline",
                   "items": [{"sku_id": h.seller.sku, "quantity": boxes}]}),
            Some(&who.token),
        )
        .await;
    r.expect_status(201);
    r
}

async fn stock(app: &TestApp, h: &Hotel) -> i64 {
    app.listing(h.seller.listing, None).await.skus[0].stock
}

async fn decide(app: &TestApp, who: &Session, order: Uuid, what: &str) -> Resp {
    app.post(
        &format!("/api/v1/orders/{order}/{what}"),
        json!({"reason": "本周菜单需要"}),
        Some(&who.token),
    )
    .await
}

async fn confirm(app: &TestApp, order: Uuid) -> Resp {
    let finance = app.finance().await;
    app.post(
        &format!("/api/v1/orders/{order}/offline-payment"),
        json!({"reference": "BANK-20261207-1"}),
        Some(&finance.token),
    )
    .await
}

both_backends! {
    async fn the_owner_sets_the_buyer_kind_and_limit_and_every_member_reads_them(app) {
        let h = hotel(&app).await;
        for who in [&h.owner, &h.purchaser, &h.manager] {
            let r = app.get(&format!("/api/v1/orgs/{}/purchasing", h.org), Some(&who.token)).await;
            r.expect_status(200);
            assert_eq!((r.str("buyer_kind"), r.i64("approval_limit_fen")), ("hotel_restaurant", LIMIT), "{}", r.text);
        }
        let r = app.get("/api/v1/orgs/mine", Some(&h.purchaser.token)).await;
        assert_eq!(r.str("0.my_role"), "purchaser", "{}", r.text);
    }

    async fn a_purchasers_order_above_the_limit_waits_and_cannot_be_paid_until_approved(app) {
        let h = hotel(&app).await;
        let placed = order(&app, &h, &h.purchaser, 3).await;
        let id = placed.id();
        assert!(placed.i64("total") > LIMIT, "{}", placed.text);
        assert_eq!(placed.str("approval.status"), "pending", "{}", placed.text);
        assert_eq!(placed.i64("approval.limit_fen"), LIMIT);
        assert!(!placed.bool("can_pay"));

        let pay = app.post_empty(&format!("/api/v1/orders/{id}/pay"), Some(&h.purchaser.token)).await;
        assert_eq!((pay.status, pay.code()), (409, "approval_pending"), "{}", pay.text);
        let offline = confirm(&app, id).await;
        assert_eq!((offline.status, offline.code()), (409, "approval_pending"), "{}", offline.text);

        // The seller sees the order but neither the buyer's limit nor its approval.
        let seen = app.get(&format!("/api/v1/orders/{id}"), Some(&h.seller.owner.token)).await;
        seen.expect_status(200);
        assert!(seen.at("approval").is_null(), "{}", seen.text);
        assert!(!seen.strings("events", "kind").iter().any(|k| k.starts_with("approv")), "{}", seen.text);

        let approved = decide(&app, &h.manager, id, "approve").await;
        approved.expect_status(200);
        let mine = app.order(id, &h.purchaser).await;
        assert!(mine.can_pay, "{mine:#?}");
        assert!(mine.events.iter().any(|e| e.kind == "approved"), "{mine:#?}");
        confirm(&app, id).await.expect_status(200);
        assert_eq!(app.order(id, &h.purchaser).await.status, "paid");
    }

    async fn an_order_within_the_limit_or_by_a_manager_or_the_owner_does_not_wait(app) {
        let h = hotel(&app).await;
        let small = order(&app, &h, &h.purchaser, 1).await;
        assert!(small.i64("total") <= LIMIT, "{}", small.text);
        assert!(small.at("approval").is_null() && small.bool("can_pay"), "{}", small.text);
        for who in [&h.manager, &h.owner] {
            let big = order(&app, &h, who, 3).await;
            assert!(big.at("approval").is_null(), "{}", big.text);
            confirm(&app, big.id()).await.expect_status(200);
        }
    }

    async fn a_rejected_order_is_cancelled_and_its_stock_returned(app) {
        let h = hotel(&app).await;
        let before = stock(&app, &h).await;
        let id = order(&app, &h, &h.purchaser, 4).await.id();
        assert_eq!(stock(&app, &h).await, before - 4);

        let long = app
            .post(&format!("/api/v1/orders/{id}/reject"), json!({"reason": "太贵".repeat(101)}), Some(&h.owner.token))
            .await;
        assert_eq!((long.status, long.field_code("reason")), (422, Some("too_long")), "{}", long.text);
        let tampered = app
            .post(&format!("/api/v1/orders/{id}/approve"), json!({"status": "approved", "limit_fen": 99_999_999}), Some(&h.owner.token))
            .await;
        assert_eq!(tampered.status, 422, "unknown fields are refused: {}", tampered.text);
        assert_eq!(app.count("order_approvals", "status = 'pending'").await, 1, "nothing decided by a refused request");

        let r = decide(&app, &h.owner, id, "reject").await;
        r.expect_status(200);
        assert_eq!((r.str("order_status"), r.str("status")), ("cancelled", "rejected"), "{}", r.text);
        assert_eq!(r.str("reason"), "本周菜单需要");
        assert_eq!(r.str("decided_by_name"), "陈经理");
        let mine = app.order(id, &h.purchaser).await;
        assert!(mine.events.iter().any(|e| e.kind == "cancelled" && e.data["approval"] == "rejected"), "{mine:#?}");
        assert_eq!(stock(&app, &h).await, before, "the four boxes are back on sale");
        let again = decide(&app, &h.manager, id, "approve").await;
        assert_eq!((again.status, again.code()), (409, "already_decided"), "{}", again.text);
        let pay = confirm(&app, id).await;
        assert_eq!((pay.status, pay.code()), (409, "order_closed"), "{}", pay.text);
    }

    async fn two_managers_deciding_at_once_make_one_decision(app) {
        let h = hotel(&app).await;
        let before = stock(&app, &h).await;
        let id = order(&app, &h, &h.purchaser, 5).await.id();
        let body = json!({});
        let reqs = vec![
            app.http.post(app.url(&format!("/api/v1/orders/{id}/approve"))).bearer_auth(&h.manager.token).json(&body),
            app.http.post(app.url(&format!("/api/v1/orders/{id}/reject"))).bearer_auth(&h.owner.token).json(&body),
            app.http.post(app.url(&format!("/api/v1/orders/{id}/approve"))).bearer_auth(&h.owner.token).json(&body),
            app.http.post(app.url(&format!("/api/v1/orders/{id}/reject"))).bearer_auth(&h.manager.token).json(&body),
        ];
        let answers = app.send_all(reqs).await;
        let won: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
        assert_eq!(won.len(), 1, "{answers:#?}");
        for r in answers.iter().filter(|r| r.status != 200) {
            assert_eq!((r.status, r.code()), (409, "already_decided"), "{}", r.text);
        }
        let o = app.order(id, &h.purchaser).await;
        let rejected = won[0].str("status") == "rejected";
        assert_eq!(o.status, if rejected { "cancelled" } else { "pending_payment" });
        assert_eq!(stock(&app, &h).await, if rejected { before } else { before - 5 }, "stock returned once, only on a rejection");
        assert_eq!(app.count("order_approvals", "status <> 'pending'").await, 1);
    }

    async fn a_purchaser_cannot_approve_and_another_buyer_cannot_see_the_approval(app) {
        let h = hotel(&app).await;
        let id = order(&app, &h, &h.purchaser, 3).await.id();
        let own = decide(&app, &h.purchaser, id, "approve").await;
        assert_eq!((own.status, own.code()), (403, "forbidden"), "{}", own.text);
        let queue = app.get(&format!("/api/v1/orgs/{}/approvals", h.org), Some(&h.purchaser.token)).await;
        assert_eq!((queue.status, queue.code()), (403, "forbidden"), "{}", queue.text);

        // Another business buyer's owner, the seller and a consumer: not theirs to know of.
        let other = app.business_buyer().await;
        let consumer = app.consumer().await;
        for who in [&other.session, &h.seller.owner, &consumer.session] {
            let r = decide(&app, who, id, "reject").await;
            assert_eq!((r.status, r.code()), (404, "not_found"), "{}", r.text);
            let q = app.get(&format!("/api/v1/orgs/{}/approvals", h.org), Some(&who.token)).await;
            assert_eq!((q.status, q.code()), (404, "not_found"), "{}", q.text);
        }
        // An order that needed no approval has none to decide; an unknown order neither.
        let plain = order(&app, &h, &h.manager, 1).await.id();
        for o in [plain, Uuid::now_v7()] {
            let r = decide(&app, &h.manager, o, "approve").await;
            assert_eq!((r.status, r.code()), (404, "not_found"), "{}", r.text);
        }
        assert_eq!(app.count("order_approvals", "status = 'pending'").await, 1, "nothing decided");
    }

    async fn the_queue_shows_a_manager_what_waits_with_who_asked_and_the_lines(app) {
        let h = hotel(&app).await;
        let id = order(&app, &h, &h.purchaser, 3).await.id();
        order(&app, &h, &h.purchaser, 1).await;
        let q = app.get(&format!("/api/v1/orgs/{}/approvals?status=pending", h.org), Some(&h.manager.token)).await;
        q.expect_status(200);
        assert_eq!(q.i64("total"), 1, "{}", q.text);
        assert_eq!(q.str("items.0.order_id"), id.to_string());
        assert_eq!(q.str("items.0.requested_by_name"), "采购员小李");
        assert_eq!((q.i64("items.0.lines.0.quantity"), q.i64("items.0.limit_fen")), (3, LIMIT));
        let bad = app.get(&format!("/api/v1/orgs/{}/approvals?status=maybe", h.org), Some(&h.manager.token)).await;
        assert_eq!(bad.status, 400, "{}", bad.text);
    }

    async fn a_manager_demoted_a_moment_ago_approves_nothing(app) {
        let h = hotel(&app).await;
        let id = order(&app, &h, &h.purchaser, 3).await.id();
        app.patch(
            &format!("/api/v1/orgs/{}/members/{}", h.org, h.manager.account_id),
            json!({"role": "purchaser"}),
            Some(&h.owner.token),
        )
        .await
        .expect_status(200);
        // The same session, still cached with the old role: the role is read from identity now.
        let r = decide(&app, &h.manager, id, "approve").await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "{}", r.text);
    }

    async fn only_the_owner_sets_purchasing_and_bad_values_are_refused(app) {
        let h = hotel(&app).await;
        let path = format!("/api/v1/orgs/{}/purchasing", h.org);
        for who in [&h.purchaser, &h.manager] {
            let r = app.put(&path, json!({"approval_limit_fen": 1}), Some(&who.token)).await;
            assert_eq!((r.status, r.code()), (403, "forbidden"), "{}", r.text);
        }
        let stranger = app.business_buyer().await;
        let r = app.put(&path, json!({"approval_limit_fen": 1}), Some(&stranger.token)).await;
        assert_eq!(r.status, 403, "{}", r.text);
        let r = app.get(&path, Some(&stranger.token)).await;
        assert_eq!(r.status, 403, "{}", r.text);
        for limit in [-1i64, 1_000_000_001, i64::MAX] {
            let r = app.put(&path, json!({"approval_limit_fen": limit}), Some(&h.owner.token)).await;
            assert_eq!((r.status, r.field_code("approval_limit_fen")), (422, Some("out_of_range")), "{}", r.text);
        }
        let r = app.put(&path, json!({"buyer_kind": "spaceport"}), Some(&h.owner.token)).await;
        assert!(r.status == 400 || r.status == 422, "{}", r.text);
        let r = app.put(&path, json!({"approval_limit_fen": "100"}), Some(&h.owner.token)).await;
        assert!(r.status == 400 || r.status == 422, "{}", r.text);
        let r = app.put(&path, json!({"approval_limit_fen": 1, "bypass": true}), Some(&h.owner.token)).await;
        assert!(r.status == 400 || r.status == 422, "{}", r.text);
        let r = app.get(&path, Some(&h.owner.token)).await;
        assert_eq!(r.i64("approval_limit_fen"), LIMIT, "nothing refused was written: {}", r.text);
        // A seller has no purchasing settings.
        let r = app.put(&format!("/api/v1/orgs/{}/purchasing", h.seller.org), json!({}), Some(&h.seller.owner.token)).await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "{}", r.text);
        // Clearing the limit: the purchaser's big order no longer waits.
        app.put(&path, json!({"buyer_kind": "hotel_restaurant", "approval_limit_fen": null}), Some(&h.owner.token)).await.expect_status(200);
        assert!(order(&app, &h, &h.purchaser, 3).await.at("approval").is_null());
    }

    async fn purchasers_and_managers_belong_to_business_buyers_only(app) {
        let h = hotel(&app).await;
        let person = app.consumer().await;
        let r = app
            .post(
                &format!("/api/v1/orgs/{}/invitations", h.seller.org),
                json!({ "login": person.phone, "role": "manager" }),
                Some(&h.seller.owner.token),
            )
            .await;
        assert_eq!((r.status, r.field_code("role")), (422, Some("not_allowed")), "{}", r.text);
        let members = app.get(&format!("/api/v1/orgs/{}/members", h.seller.org), Some(&h.seller.owner.token)).await;
        let someone = members.uuid("0.account_id");
        let r = app
            .patch(
                &format!("/api/v1/orgs/{}/members/{someone}", h.seller.org),
                json!({"role": "purchaser"}),
                Some(&h.seller.owner.token),
            )
            .await;
        assert_eq!((r.status, r.field_code("role")), (422, Some("not_allowed")), "{}", r.text);
    }
}
