//! Review replies and hiding, told to the buyer (#18): the seller's one public reply, the
//! operator hiding the review with a reason and restoring it each reach the review's author
//! once in the centre (and by no outside channel: nothing to act on), however often the event
//! is handled or by how many workers; nobody else hears of it. On their own order the buyer
//! sees the review marked as hidden with the reason; the operator does too; the seller and the
//! public do not see the hidden review at all.

use farmgate_infra::outbox::entity::event;
use farmgate_infra::outbox::{OutboxEvent, OutboxHandler};
use farmgate_notify::NotifyJob;
use farmgate_tests::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// A received order whose line the buyer reviewed; the review's id.
async fn reviewed(app: &TestApp) -> (ReceivedOrder, Uuid) {
    let b = app.received_order(1).await;
    let r = app
        .post(
            &format!("/api/v1/order-lines/{}/review", b.line_id),
            json!({"rating": 1, "text": "橙子有一半是坏的"}),
            Some(&b.buyer.token),
        )
        .await;
    r.expect_status(201);
    let id = r.id();
    (b, id)
}

fn path(id: Uuid, tail: &str) -> String {
    format!("/api/v1/reviews/{id}/{tail}")
}

/// Notification rows of `kind` to `who` on `channel` (any when `None`).
async fn rows(app: &TestApp, who: Uuid, kind: &str, channel: Option<&str>) -> i64 {
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
            [who.into()],
        ))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

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

/// Handles every event of `topic` again, and by two workers at once: a worker retrying.
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

/// `who`'s notifications of `kind`, newest first.
async fn centre(app: &TestApp, who: &Session, kind: &str) -> Resp {
    let r = app
        .get(
            &format!("/api/v1/notifications?kind={kind}"),
            Some(&who.token),
        )
        .await;
    r.expect_status(200);
    r
}

async fn order_review(app: &TestApp, b: &ReceivedOrder, who: &Session) -> Value {
    let r = app
        .get(&format!("/api/v1/orders/{}", b.order_id), Some(&who.token))
        .await;
    r.expect_status(200);
    r.body["sub_orders"][0]["lines"][0]["review"].clone()
}

both_backends! {
    async fn the_sellers_reply_tells_the_buyer_once_in_the_centre_and_nobody_else(app) {
        let (b, id) = reviewed(&app).await;
        let staff = app.member(&b.seller.owner, b.seller.org, "13700009911", "社员小周", "staff").await;
        let reader = app.consumer().named("路人甲").await;

        // A refused reply (not theirs, too long) tells nobody.
        app.post(&path(id, "reply"), json!({"text": "x"}), Some(&b.buyer.token)).await.expect_status(403);
        app.post(&path(id, "reply"), json!({"text": "长".repeat(501)}), Some(&b.seller.owner.token)).await.expect_status(422);
        app.outbox_drained().await;
        assert_eq!(rows(&app, b.buyer.account_id, "review_replied", None).await, 0);

        // Two replies at once: one wins, one notice.
        let body = json!({"text": "非常抱歉，已为您补发"});
        let p = path(id, "reply");
        let (x, y) = tokio::join!(
            app.post(&p, body.clone(), Some(&b.seller.owner.token)),
            app.post(&p, body.clone(), Some(&staff.token)),
        );
        let mut codes = [x.status, y.status];
        codes.sort();
        assert_eq!(codes, [201, 409], "{} / {}", x.text, y.text);
        app.outbox_drained().await;
        handle_again(&app, "orders.review_replied").await;

        assert_eq!(events(&app, "orders.review_replied").await.len(), 1);
        let n = centre(&app, &b.buyer, "review_replied").await;
        assert_eq!(n.i64("total"), 1, "{}", n.text);
        let one = &n.arr("items")[0];
        let order = app.get(&format!("/api/v1/orders/{}", b.order_id), Some(&b.buyer.token)).await;
        let zh = one["body"]["zh"].as_str().unwrap_or("");
        assert!(zh.contains(order.str("sub_orders.0.number")), "{one}");
        assert!(zh.contains(order.str("sub_orders.0.lines.0.title")), "{one}");
        assert!(one["body"]["en"].as_str().unwrap_or("").contains("replied"), "{one}");
        assert_eq!(one["link"], json!(format!("/order.html?id={}", b.order_id)));
        assert_eq!(rows(&app, b.buyer.account_id, "review_replied", Some("in_app")).await, 1);
        assert_eq!(rows(&app, b.buyer.account_id, "review_replied", None).await, 1, "no text message, no WeChat");
        for other in [&b.seller.owner, &staff, &reader.session] {
            assert_eq!(rows(&app, other.account_id, "review_replied", None).await, 0);
        }

        // The buyer sees the reply under their review on the order page.
        let mine = order_review(&app, &b, &b.buyer).await;
        assert_eq!(mine["reply"]["text"], "非常抱歉，已为您补发", "{mine}");
        assert!(mine["hidden"].is_null(), "{mine}");
    }

    async fn hiding_marks_the_buyers_own_review_with_the_reason_and_restoring_clears_it_each_told_once(app) {
        let (b, id) = reviewed(&app).await;
        let op = app.operator().await;
        let agent = app.agent().await;
        let reason = "含有与商品无关的广告内容";

        // A refused hide (not the operator, no reason) tells nobody.
        app.post(&path(id, "hide"), json!({"text": reason}), Some(&agent.token)).await.expect_status(403);
        app.post(&path(id, "hide"), json!({"text": ""}), Some(&op.token)).await.expect_status(422);
        app.outbox_drained().await;
        assert_eq!(rows(&app, b.buyer.account_id, "review_hidden", None).await, 0);

        // Two operators at once: one hides, one notice.
        let hide = path(id, "hide");
        let (x, y) = tokio::join!(
            app.post(&hide, json!({"text": reason}), Some(&op.token)),
            app.post(&hide, json!({"text": reason}), Some(&op.token)),
        );
        let mut codes = [x.status, y.status];
        codes.sort();
        assert_eq!(codes, [200, 409], "{} / {}", x.text, y.text);
        app.outbox_drained().await;
        handle_again(&app, "orders.review_hidden").await;

        let n = centre(&app, &b.buyer, "review_hidden").await;
        assert_eq!(n.i64("total"), 1, "{}", n.text);
        let one = &n.arr("items")[0];
        assert!(one["body"]["zh"].as_str().unwrap_or("").contains(reason), "{one}");
        assert!(one["title"]["zh"].as_str().unwrap_or("").contains("已被平台隐藏"), "{one}");
        assert!(one["body"]["en"].as_str().unwrap_or("").contains(reason), "{one}");
        assert_eq!(rows(&app, b.buyer.account_id, "review_hidden", None).await, 1, "in the centre only");
        assert_eq!(rows(&app, b.seller.owner.account_id, "review_hidden", None).await, 0);
        assert_eq!(rows(&app, op.account_id, "review_hidden", None).await, 0);

        // The buyer's own order shows it marked, with the reason; the operator's too.
        let mine = order_review(&app, &b, &b.buyer).await;
        assert_eq!(mine["hidden"]["reason"], reason, "{mine}");
        assert_eq!(mine["text"], "橙子有一半是坏的");
        let staff_view = order_review(&app, &b, &op).await;
        assert_eq!(staff_view["hidden"]["reason"], reason, "{staff_view}");
        // The seller's copy of the order and the public listing do not show it.
        let sellers = order_review(&app, &b, &b.seller.owner).await;
        assert!(sellers.is_null(), "{sellers}");
        let page = app.get(&format!("/api/v1/listings/{}/reviews", b.seller.listing), None).await;
        assert_eq!(page.i64("total"), 0);
        // Hidden, the buyer still cannot write a second review of the line.
        let again = app.post(&format!("/api/v1/order-lines/{}/review", b.line_id), json!({"rating": 5}), Some(&b.buyer.token)).await;
        again.expect_status(409);

        // Restored: the mark goes, the buyer is told once, the public sees it again.
        app.post_empty(&path(id, "restore"), Some(&agent.token)).await.expect_status(403);
        app.post_empty(&path(id, "restore"), Some(&op.token)).await.expect_status(200);
        app.post_empty(&path(id, "restore"), Some(&op.token)).await.expect_status(409);
        app.outbox_drained().await;
        handle_again(&app, "orders.review_restored").await;
        let n = centre(&app, &b.buyer, "review_restored").await;
        assert_eq!(n.i64("total"), 1, "{}", n.text);
        assert!(n.arr("items")[0]["title"]["en"].as_str().unwrap_or("").contains("shown again"));
        let mine = order_review(&app, &b, &b.buyer).await;
        assert!(mine["hidden"].is_null(), "{mine}");
        assert!(!order_review(&app, &b, &b.seller.owner).await.is_null());
        assert_eq!(app.get(&format!("/api/v1/listings/{}/reviews", b.seller.listing), None).await.i64("total"), 1);

        // Hidden again for another reason: a second notice, with the new reason.
        app.post(&path(id, "hide"), json!({"text": "辱骂他人"}), Some(&op.token)).await.expect_status(200);
        app.outbox_drained().await;
        let n = centre(&app, &b.buyer, "review_hidden").await;
        assert_eq!(n.i64("total"), 2, "{}", n.text);
        assert!(n.arr("items")[0]["body"]["zh"].as_str().unwrap_or("").contains("辱骂他人"), "{}", n.text);
        // Keeping reported reviews tells nobody.
        assert_eq!(events(&app, "orders.review_hidden").await.len(), 2);
    }
}
