//! The events added to notifications after the first round (#18): a parcel out for delivery
//! (the buyer), a payout paid (the seller's members), a listing approved or rejected with the
//! reason (the seller's members), an invitation (the account holding the invited phone; a phone
//! without an account is texted nothing). Each reaches each recipient once per channel however
//! often its event is handled, and nobody else.

use farmgate_infra::outbox::entity::event;
use farmgate_infra::outbox::{OutboxEvent, OutboxHandler};
use farmgate_notify::NotifyJob;
use farmgate_tests::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Notification rows of `kind` to `who` (any channel when `channel` is `None`).
async fn rows(app: &TestApp, who: &Session, kind: &str, channel: Option<&str>) -> i64 {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = &app.state.infra.db;
    let backend = db.get_database_backend();
    let mark = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let channel = channel
        .map(|c| format!(" AND channel = '{c}'"))
        .unwrap_or_default();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT COUNT(*) AS n FROM notifications WHERE recipient_id = {mark} AND kind = '{kind}'{channel}"),
            [who.account_id.into()],
        ))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// The outbox events of `topic`, as a handler sees them.
async fn events(app: &TestApp, topic: &str) -> Vec<OutboxEvent> {
    event::Entity::find()
        .filter(event::Column::Topic.eq(topic))
        .all(&app.state.infra.db)
        .await
        .expect("outbox query")
        .into_iter()
        .map(|e| OutboxEvent {
            id: e.id,
            topic: e.topic,
            payload: e.payload,
            created_at: e.created_at,
            attempts: e.attempts,
        })
        .collect()
}

/// Handles every event of `topic` again, twice, and two workers at once: a worker retrying.
async fn handle_again(app: &TestApp, topic: &str) {
    let all = events(app, topic).await;
    assert!(!all.is_empty(), "no {topic} event");
    let job = NotifyJob::new(app.state.notify.clone());
    let other = NotifyJob::new(app.state.notify.clone());
    for e in &all {
        job.handle(e).await.expect("handled again");
        let (a, b) = tokio::join!(job.handle(e), other.handle(e));
        a.expect("worker a");
        b.expect("worker b");
    }
    app.outbox_drained().await;
}

/// `who`'s one notification of `kind` in the centre.
async fn the_one(app: &TestApp, who: &Session, kind: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/notifications?kind={kind}"),
            Some(&who.token),
        )
        .await;
    r.expect_status(200);
    assert_eq!(r.i64("total"), 1, "{}", r.text);
    r.arr("items")[0].clone()
}

both_backends! {
    async fn a_parcel_out_for_delivery_tells_its_buyer_once_however_often_it_goes_out(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let other = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.ship(&seller.owner, order.part().id).await;
        let path = format!("/api/v1/sub-orders/{}/logistics", order.part().id);
        app.post(&path, json!({"kind": "in_transit"}), Some(&seller.owner.token)).await.expect_status(200);
        app.outbox_drained().await;
        assert_eq!(rows(&app, &buyer, "order_out_for_delivery", None).await, 0, "in transit tells nothing");

        app.post(&path, json!({"kind": "out_for_delivery", "location": "南昌市红谷滩区"}), Some(&seller.owner.token)).await.expect_status(200);
        // A second attempt (the buyer was out) records its event and tells nobody again.
        app.post(&path, json!({"kind": "out_for_delivery"}), Some(&seller.owner.token)).await.expect_status(200);
        app.outbox_drained().await;
        handle_again(&app, "orders.out_for_delivery").await;

        assert_eq!(events(&app, "orders.out_for_delivery").await.len(), 1);
        let n = the_one(&app, &buyer, "order_out_for_delivery").await;
        assert!(n["title"]["zh"].as_str().unwrap_or("").contains(&order.part().number), "{n}");
        assert!(n["body"]["en"].as_str().unwrap_or("").contains("out for delivery"), "{n}");
        assert_eq!(n["link"], json!(format!("/order.html?id={}", order.id)));
        assert_eq!(rows(&app, &buyer, "order_out_for_delivery", Some("in_app")).await, 1);
        assert_eq!(rows(&app, &buyer, "order_out_for_delivery", Some("sms")).await, 0, "no text message for it");
        assert_eq!(rows(&app, &seller.owner, "order_out_for_delivery", None).await, 0);
        assert_eq!(rows(&app, &other, "order_out_for_delivery", None).await, 0);
    }

    async fn a_paid_payout_tells_every_member_of_its_seller_once_and_no_other_seller(app) {
        let a = app.verified_seller().named("青石县甲合作社").with_listing(Product::oranges()).await;
        let b = app.verified_seller().named("青石县乙家庭农场").with_listing(Product::oranges()).await;
        let staff = app.member(&a.owner, a.org, "13700009901", "甲社出纳", "staff").await;
        let buyer = app.consumer().await;
        app.verified_bank_account(&a).await;
        app.verified_bank_account(&b).await;
        app.payable_parcel(&buyer, &a, 2).await;
        app.payable_parcel(&buyer, &b, 1).await;
        let finance = app.finance().await;
        let batch = app.post("/api/v1/finance/payout-batches", json!({"period_end": app.today_in_china()}), Some(&finance.token)).await;
        batch.expect_status(201);
        let payouts = batch.arr("payouts").clone();
        let of_a = payouts.iter().find(|p| p["org_id"] == json!(a.org)).expect("a's payout");
        let id = of_a["id"].as_str().expect("id");
        let amount = of_a["amount"].as_i64().expect("amount");

        // Another seller's owner cannot mark it paid, and nothing is told.
        app.post(&format!("/api/v1/finance/payouts/{id}/paid"), json!({"reference": "ICBC001"}), Some(&a.owner.token)).await.expect_status(403);
        app.outbox_drained().await;
        assert_eq!(rows(&app, &a.owner, "payout_paid", None).await, 0);

        app.post(&format!("/api/v1/finance/payouts/{id}/paid"), json!({"reference": "ICBC20261206001"}), Some(&finance.token)).await.expect_status(200);
        // The same reference again changes nothing and tells nobody again.
        app.post(&format!("/api/v1/finance/payouts/{id}/paid"), json!({"reference": "ICBC20261206001"}), Some(&finance.token)).await.expect_status(200);
        app.outbox_drained().await;
        handle_again(&app, "finance.payout.paid").await;

        assert_eq!(events(&app, "finance.payout.paid").await.len(), 1);
        for member in [&a.owner, &staff] {
            let n = the_one(&app, member, "payout_paid").await;
            let yuan = format!("¥{}.{:02}", amount / 100, amount % 100);
            assert!(n["title"]["zh"].as_str().unwrap_or("").contains(&yuan), "{n}");
            assert!(n["body"]["en"].as_str().unwrap_or("").contains("ICBC20261206001"), "{n}");
            assert_eq!(n["link"], "/seller/payouts.html");
            assert_eq!(rows(&app, member, "payout_paid", None).await, 1, "in the centre only");
        }
        assert_eq!(rows(&app, &b.owner, "payout_paid", None).await, 0, "b's payout is not paid");
        assert_eq!(rows(&app, &finance, "payout_paid", None).await, 0);
    }

    async fn a_listing_decision_tells_the_sellers_members_and_a_rejection_says_why(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        let category = app.category("citrus").await;
        let created = app.post(&format!("/api/v1/orgs/{}/listings", seller.org), Product::oranges().body(category), Some(&seller.owner.token)).await;
        created.expect_status(201);
        let listing = created.id();
        let submitted = app.post_empty(&format!("/api/v1/listings/{listing}/submit"), Some(&seller.owner.token)).await;
        submitted.expect_status(200);
        let rev = submitted.uuid("revision.id");

        // The seller cannot decide their own listing: nothing is told.
        app.post(&format!("/api/v1/admin/listing-reviews/{rev}/reject"), json!({"reason": "自己驳回自己"}), Some(&seller.owner.token)).await.expect_status(403);
        app.post(&format!("/api/v1/admin/listing-reviews/{rev}/reject"), json!({"reason": ""}), Some(&op.token)).await.expect_status(422);
        app.outbox_drained().await;
        assert_eq!(rows(&app, &seller.owner, "listing_rejected", None).await, 0);

        let reason = "标题含绝对化用语，请修改";
        app.post(&format!("/api/v1/admin/listing-reviews/{rev}/reject"), json!({"reason": reason}), Some(&op.token)).await.expect_status(200);
        app.outbox_drained().await;
        handle_again(&app, "catalog.listing.rejected").await;
        let n = the_one(&app, &seller.owner, "listing_rejected").await;
        assert!(n["body"]["zh"].as_str().unwrap_or("").contains(reason), "{n}");
        assert!(n["title"]["zh"].as_str().unwrap_or("").contains("赣南脐橙"), "{n}");
        assert_eq!(n["link"], json!(format!("/seller/edit.html?id={listing}")));

        // Resubmitted and approved: told once of that too.
        let again = app.post_empty(&format!("/api/v1/listings/{listing}/submit"), Some(&seller.owner.token)).await;
        again.expect_status(200);
        let rev2 = again.uuid("revision.id");
        app.post_empty(&format!("/api/v1/admin/listing-reviews/{rev2}/approve"), Some(&op.token)).await.expect_status(200);
        app.outbox_drained().await;
        handle_again(&app, "catalog.listing.approved").await;
        let n = the_one(&app, &seller.owner, "listing_approved").await;
        assert!(n["title"]["en"].as_str().unwrap_or("").contains("approved"), "{n}");
        assert_eq!(rows(&app, &seller.owner, "listing_rejected", None).await, 1);
        assert_eq!(rows(&app, &op, "listing_approved", None).await, 0);
    }

    async fn an_invitation_reaches_the_account_holding_the_phone_and_a_phone_without_one_gets_nothing(app) {
        let seller = app.verified_seller().await;
        let invitee = app.register("13700009902", "王小二").await;
        let stranger = app.consumer().await;

        let inv = app.post(&format!("/api/v1/orgs/{}/invitations", seller.org), json!({"login": invitee.phone, "role": "staff"}), Some(&seller.owner.token)).await;
        inv.expect_status(201);
        // Someone who is not the owner cannot invite: nothing is told.
        app.post(&format!("/api/v1/orgs/{}/invitations", seller.org), json!({"login": "13700009903", "role": "staff"}), Some(&stranger.token)).await.expect_status(403);
        // A phone without an account: the invitation is made, nothing is sent anywhere.
        let texts_before = app.count("sms_outbox", "phone = '13700009904'").await;
        app.post(&format!("/api/v1/orgs/{}/invitations", seller.org), json!({"login": "13700009904", "role": "staff"}), Some(&seller.owner.token)).await.expect_status(201);
        app.outbox_drained().await;
        handle_again(&app, "identity.invitation.sent").await;

        assert_eq!(events(&app, "identity.invitation.sent").await.len(), 2);
        let n = the_one(&app, &invitee, "invitation_received").await;
        assert!(n["title"]["zh"].as_str().unwrap_or("").contains("梅岭"), "{n}");
        assert_eq!(n["link"], "/account.html#invitations");
        assert_eq!(rows(&app, &invitee, "invitation_received", Some("in_app")).await, 1);
        assert_eq!(rows(&app, &invitee, "invitation_received", None).await, 1, "no outside channel");
        assert_eq!(rows(&app, &stranger, "invitation_received", None).await, 0);
        assert_eq!(rows(&app, &seller.owner, "invitation_received", None).await, 0);
        assert_eq!(app.count("notifications", "kind = 'invitation_received'").await, 1);
        assert_eq!(app.count("sms_outbox", "phone = '13700009904'").await, texts_before);
    }
}
