//! Review moderation through the real server: the seller's one public reply, reports by
//! buyers and sellers (once each), the operator's queue, hiding with a reason (kept, out of
//! the listing's page and average) and restoring — and the abuse: another seller replying,
//! replying or reporting twice, a consumer or an agent hiding, oversized text.

use farmgate_tests::prelude::*;

/// A received order whose line the buyer reviewed; the review's id.
async fn reviewed(app: &TestApp, rating: i64) -> (ReceivedOrder, Uuid) {
    let b = app.received_order(1).await;
    let r = app
        .post(
            &format!("/api/v1/order-lines/{}/review", b.line_id),
            json!({"rating": rating, "text": "橙子个头小，有两个坏了"}),
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

both_backends! {
    async fn the_seller_replies_once_and_the_reply_shows_under_the_review(app) {
        let (b, id) = reviewed(&app, 2).await;
        let other = app.verified_seller().named("另一家合作社").with_listing(Product::oranges()).await;

        let r = app.post(&path(id, "reply"), json!({"text": "非常抱歉，已联系您补发"}), Some(&b.seller.owner.token)).await;
        r.expect_status(201);
        assert_eq!(r.str("reply.text"), "非常抱歉，已联系您补发");

        let twice = app.post(&path(id, "reply"), json!({"text": "再说一句"}), Some(&b.seller.owner.token)).await;
        twice.expect_status(409);
        assert_eq!(twice.code(), "already_replied");
        // Another seller, the buyer, the operator: not theirs to answer.
        app.post(&path(id, "reply"), json!({"text": "x"}), Some(&other.owner.token)).await.expect_status(404);
        app.post(&path(id, "reply"), json!({"text": "x"}), Some(&b.buyer.token)).await.expect_status(403);
        let op = app.operator().await;
        app.post(&path(id, "reply"), json!({"text": "x"}), Some(&op.token)).await.expect_status(403);

        let listing = app.get(&format!("/api/v1/listings/{}/reviews", b.seller.listing), None).await;
        listing.expect_status(200);
        assert_eq!(listing.str("items.0.reply.text"), "非常抱歉，已联系您补发");
    }

    async fn a_reply_is_checked_before_anything_is_written(app) {
        let (b, id) = reviewed(&app, 3).await;
        let r = app.post(&path(id, "reply"), json!({"text": "长".repeat(501)}), Some(&b.seller.owner.token)).await;
        assert_eq!(r.field_code("text"), Some("too_long"), "{}", r.text);
        let r = app.post(&path(id, "reply"), json!({"text": "  "}), Some(&b.seller.owner.token)).await;
        assert_eq!(r.field_code("text"), Some("required"), "{}", r.text);
        app.post(&path(id, "reply"), json!({"text": 5}), Some(&b.seller.owner.token)).await.expect_status(422);
        app.post(&path(Uuid::now_v7(), "reply"), json!({"text": "x"}), Some(&b.seller.owner.token)).await.expect_status(404);
        app.post("/api/v1/reviews/not-an-id/reply", json!({"text": "x"}), Some(&b.seller.owner.token)).await.expect_status(404);
        assert_eq!(app.count("reviews", "seller_reply IS NOT NULL").await, 0);
        // The reply still works afterwards.
        app.post(&path(id, "reply"), json!({"text": "谢谢"}), Some(&b.seller.owner.token)).await.expect_status(201);
    }

    async fn buyers_and_sellers_report_once_and_the_operator_hides_with_a_reason_and_restores(app) {
        let (b, id) = reviewed(&app, 1).await;
        let reader = app.consumer().named("赵六").await;
        let op = app.operator().await;
        let agent = app.agent().await;

        let r = app.post(&path(id, "reports"), json!({"text": "内容含辱骂"}), Some(&reader.token)).await;
        r.expect_status(201);
        assert_eq!(r.str("reason"), "内容含辱骂");
        app.post(&path(id, "reports"), json!({"text": "评价与事实不符，是竞争对手所写"}), Some(&b.seller.owner.token)).await.expect_status(201);
        let twice = app.post(&path(id, "reports"), json!({"text": "再举报一次"}), Some(&reader.token)).await;
        twice.expect_status(409);
        assert_eq!(twice.code(), "already_reported");
        app.post(&path(id, "reports"), json!({"text": "x".repeat(501)}), Some(&reader.token)).await.expect_status(422);
        app.post(&path(id, "reports"), json!({"text": "x"}), Some(&agent.token)).await.expect_status(403);
        assert_eq!(app.count("review_reports", "1 = 1").await, 2);

        // The queue is the operator's.
        app.get("/api/v1/review-reports", Some(&reader.token)).await.expect_status(403);
        app.get("/api/v1/review-reports", Some(&agent.token)).await.expect_status(403);
        let q = app.get("/api/v1/review-reports", Some(&op.token)).await;
        q.expect_status(200);
        assert_eq!(q.i64("total"), 2);
        assert_eq!(q.uuid("items.0.review.review.id"), id);
        app.get("/api/v1/review-reports?status=nonsense", Some(&op.token)).await.expect_status(400);

        // Hiding: the operator only, with a reason.
        app.post(&path(id, "hide"), json!({"text": "辱骂"}), Some(&reader.token)).await.expect_status(403);
        app.post(&path(id, "hide"), json!({"text": "辱骂"}), Some(&b.seller.owner.token)).await.expect_status(403);
        app.post(&path(id, "hide"), json!({"text": "辱骂"}), Some(&agent.token)).await.expect_status(403);
        let r = app.post(&path(id, "hide"), json!({"text": ""}), Some(&op.token)).await;
        assert_eq!(r.field_code("text"), Some("required"));
        let before = app.get(&format!("/api/v1/listings/{}/reviews", b.seller.listing), None).await;
        assert_eq!(before.i64("count"), 1);
        let hidden = app.post(&path(id, "hide"), json!({"text": "含人身攻击内容"}), Some(&op.token)).await;
        hidden.expect_status(200);
        assert!(hidden.bool("hidden"));
        assert_eq!(hidden.str("hidden_reason"), "含人身攻击内容");
        assert_eq!(hidden.str("history.0.action"), "hidden");
        let again = app.post(&path(id, "hide"), json!({"text": "再隐藏"}), Some(&op.token)).await;
        assert_eq!(again.code(), "already_hidden");

        // Kept, not deleted; gone from the page and the average; the reports resolved.
        assert_eq!(app.count("reviews", "hidden_at IS NOT NULL").await, 1, "kept, not deleted");
        let page = app.get(&format!("/api/v1/listings/{}/reviews", b.seller.listing), None).await;
        assert_eq!(page.i64("count"), 0);
        assert_eq!(page.i64("total"), 0);
        assert!(page.body["average"].is_null(), "{}", page.text);
        assert_eq!(app.get("/api/v1/review-reports", Some(&op.token)).await.i64("total"), 0);
        assert_eq!(app.get("/api/v1/review-reports?status=all", Some(&op.token)).await.i64("total"), 2);
        // A hidden review is reported no more.
        let late = app.consumer().named("钱七").await;
        app.post(&path(id, "reports"), json!({"text": "x"}), Some(&late.token)).await.expect_status(404);

        // Restored whole.
        app.post_empty(&path(id, "restore"), Some(&reader.token)).await.expect_status(403);
        let back = app.post_empty(&path(id, "restore"), Some(&op.token)).await;
        back.expect_status(200);
        assert!(!back.bool("hidden"));
        assert_eq!(back.len_of("history"), 2);
        assert_eq!(app.post_empty(&path(id, "restore"), Some(&op.token)).await.code(), "not_hidden");
        let page = app.get(&format!("/api/v1/listings/{}/reviews", b.seller.listing), None).await;
        assert_eq!(page.i64("count"), 1);
        assert_eq!(page.body["average"], 1.0);
    }

    async fn keeping_a_reported_review_dismisses_its_reports(app) {
        let (_b, id) = reviewed(&app, 4).await;
        let reader = app.consumer().named("赵六").await;
        let op = app.operator().await;
        app.post(&path(id, "reports"), json!({"text": "广告"}), Some(&reader.token)).await.expect_status(201);
        app.post_empty(&path(id, "keep"), Some(&reader.token)).await.expect_status(403);
        let kept = app.post_empty(&path(id, "keep"), Some(&op.token)).await;
        kept.expect_status(200);
        assert!(!kept.bool("hidden"));
        assert_eq!(kept.str("history.0.action"), "kept");
        assert_eq!(app.get("/api/v1/review-reports", Some(&op.token)).await.i64("total"), 0);
        app.post_empty(&path(Uuid::now_v7(), "keep"), Some(&op.token)).await.expect_status(404);
    }

    async fn two_replies_at_once_make_one(app) {
        let (b, id) = reviewed(&app, 5).await;
        let p = path(id, "reply");
        let (x, y) = tokio::join!(
            app.post(&p, json!({"text": "谢谢惠顾"}), Some(&b.seller.owner.token)),
            app.post(&p, json!({"text": "欢迎再来"}), Some(&b.seller.owner.token)),
        );
        let mut statuses = [x.status, y.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "{} / {}", x.text, y.text);
    }

    async fn the_operator_lists_hidden_reviews_latest_first_and_restores_from_the_list(app) {
        let (b, first) = reviewed(&app, 1).await;
        let (_c, second) = reviewed(&app, 2).await;
        let (_d, shown) = reviewed(&app, 5).await;
        let op = app.operator().await;
        let agent = app.agent().await;
        let reader = app.consumer().named("赵六").await;

        // Empty at first; nobody but the operator reads it.
        let empty = app.get("/api/v1/hidden-reviews", Some(&op.token)).await;
        empty.expect_status(200);
        assert_eq!(empty.i64("total"), 0);
        for who in [&agent, &reader, &b.seller.owner, &b.buyer] {
            app.get("/api/v1/hidden-reviews", Some(&who.token)).await.expect_status(403);
        }
        app.get("/api/v1/hidden-reviews", None).await.expect_status(401);
        app.get("/api/v1/hidden-reviews?limit=0", Some(&op.token)).await.expect_status(400);
        app.get("/api/v1/hidden-reviews?limit=abc", Some(&op.token)).await.expect_status(400);
        app.get("/api/v1/hidden-reviews?sneaky=1", Some(&op.token)).await.expect_status(400);

        app.post(&path(first, "hide"), json!({"text": "含人身攻击内容"}), Some(&op.token)).await.expect_status(200);
        app.clock.advance(chrono::Duration::minutes(5));
        app.post(&path(second, "hide"), json!({"text": "广告"}), Some(&op.token)).await.expect_status(200);

        let list = app.get("/api/v1/hidden-reviews", Some(&op.token)).await;
        list.expect_status(200);
        assert_eq!(list.i64("total"), 2, "the shown one is not listed: {}", list.text);
        assert_eq!(list.uuid("items.0.review.id"), second, "the latest hidden first");
        assert_eq!(list.str("items.0.hidden_reason"), "广告");
        assert_eq!(list.uuid("items.1.review.id"), first);
        assert_eq!(list.str("items.1.history.0.action"), "hidden");
        assert!(!list.text.contains(&shown.to_string()));
        let paged = app.get("/api/v1/hidden-reviews?limit=1&offset=1", Some(&op.token)).await;
        assert_eq!(paged.len_of("items"), 1);
        assert_eq!(paged.uuid("items.0.review.id"), first);

        // Restored: it leaves the list.
        app.post_empty(&path(first, "restore"), Some(&op.token)).await.expect_status(200);
        let list = app.get("/api/v1/hidden-reviews", Some(&op.token)).await;
        assert_eq!(list.i64("total"), 1);
        assert_eq!(list.uuid("items.0.review.id"), second);
    }
}
