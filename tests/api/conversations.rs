//! Buyer ↔ seller conversations (咨询) through the real server: opening from a listing or an
//! order (one per buyer and subject, even when two opens race), both sides writing, unread
//! counts, one notice per burst, the seller's first-response figure, platform staff's audited
//! reading, reports and the operator's hiding — and the abuse: a third buyer, another
//! seller, the wrong role, oversized and malformed input.

use farmgate_tests::prelude::*;

const CONV: &str = "/api/v1/conversations";

fn conv(id: Uuid, tail: &str) -> String {
    format!("{CONV}/{id}{tail}")
}

async fn say(app: &TestApp, who: &Session, id: Uuid, body: &str) -> Resp {
    app.post(
        &conv(id, "/messages"),
        json!({"body": body}),
        Some(&who.token),
    )
    .await
}

both_backends! {
    async fn a_buyer_asks_about_a_listing_and_the_seller_answers_from_its_inbox(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;

        let r = app.post(CONV, json!({"listing_id": seller.listing}), Some(&buyer.token)).await;
        r.expect_status(201);
        let id = r.id();
        assert_eq!(r.str("subject_kind"), "listing");
        assert_eq!(r.str("viewer"), "buyer");
        let again = app.post(CONV, json!({"listing_id": seller.listing}), Some(&buyer.token)).await;
        again.expect_status(200);
        assert_eq!(again.id(), id, "one conversation per buyer and listing");

        say(&app, &buyer, id, "请问橙子是今年的新果吗？").await.expect_status(201);
        say(&app, &buyer, id, "能发顺丰吗？").await.expect_status(201);
        let inbox = app.get(&format!("/api/v1/orgs/{}/conversations", seller.org), Some(&seller.owner.token)).await;
        inbox.expect_status(200);
        assert_eq!(inbox.i64("total"), 1);
        assert_eq!(inbox.i64("items.0.unread"), 2);
        assert_eq!(inbox.i64("unread_total"), 2);
        assert!(!inbox.text.contains(&buyer.phone), "never the buyer's phone: {}", inbox.text);

        let seen = app.get(&conv(id, ""), Some(&seller.owner.token)).await;
        seen.expect_status(200);
        assert_eq!(seen.str("viewer"), "seller");
        assert_eq!(seen.len_of("messages"), 2);
        assert!(!seen.text.contains(&buyer.phone));
        let inbox = app.get(&format!("/api/v1/orgs/{}/conversations", seller.org), Some(&seller.owner.token)).await;
        assert_eq!(inbox.i64("items.0.unread"), 0, "reading clears the count");

        let answer = say(&app, &seller.owner, id, "是今年的新果，默认顺丰。").await;
        answer.expect_status(201);
        assert!(answer.i64("first_response_seconds") >= 0);
        let mine = app.get(CONV, Some(&buyer.token)).await;
        assert_eq!(mine.i64("items.0.unread"), 1);
        let theirs = app.get(&conv(id, ""), Some(&buyer.token)).await;
        assert_eq!(theirs.str("messages.2.side"), "seller");
        assert!(!theirs.bool("messages.2.mine"));

        let today = (app.clock.now() + chrono::Duration::hours(8)).date_naive();
        let fig = app.get(&format!("/api/v1/orgs/{}/conversation-figures?from={today}&to={today}", seller.org), Some(&seller.owner.token)).await;
        fig.expect_status(200);
        assert_eq!(fig.i64("conversations"), 1);
        assert_eq!(fig.i64("answered"), 1);
        app.get(&format!("/api/v1/orgs/{}/conversation-figures?from={today}&to={today}", seller.org), Some(&buyer.token)).await.expect_status(403);
    }

    async fn a_burst_of_messages_makes_one_notice_until_it_is_read(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let id = app.post(CONV, json!({"listing_id": seller.listing}), Some(&buyer.token)).await.id();
        for text in ["在吗", "想买十箱", "有优惠吗"] {
            say(&app, &buyer, id, text).await.expect_status(201);
        }
        assert_eq!(app.count("outbox_events", "topic = 'desk.conversation_message'").await, 1);
        app.get(&conv(id, ""), Some(&seller.owner.token)).await.expect_status(200);
        say(&app, &buyer, id, "还在吗").await.expect_status(201);
        assert_eq!(app.count("outbox_events", "topic = 'desk.conversation_message'").await, 2, "read, so the next message is noticed");
        say(&app, &seller.owner, id, "在的").await.expect_status(201);
        app.outbox_drained().await;
        assert_eq!(app.count("notifications", "kind = 'conversation_message' AND channel = 'in_app'").await, 3, "two to the seller's owner, one to the buyer");
    }

    async fn a_buyer_asks_about_an_order_and_only_its_parties_see_the_conversation(app) {
        let b = app.received_order(1).await;
        let third = app.consumer().named("李四").await;
        let other_seller = app.verified_seller().named("另一家合作社").with_listing(Product::oranges()).await;
        let agent = app.agent().await;
        let official = app.official().await;

        // Someone else's order, or the seller opening about it: not found.
        let r = app.post(CONV, json!({"order_id": b.order_id}), Some(&third.token)).await;
        assert_eq!(r.field_code("order_id"), Some("not_found"), "{}", r.text);
        app.post(CONV, json!({"order_id": b.order_id}), Some(&b.seller.owner.token)).await.expect_status(422);
        app.post(CONV, json!({"order_id": b.order_id}), Some(&agent.token)).await.expect_status(403);
        app.post(CONV, json!({"order_id": b.order_id}), Some(&official.token)).await.expect_status(403);
        let r = app.post(CONV, json!({"order_id": b.order_id, "seller_org_id": other_seller.org}), Some(&b.buyer.token)).await;
        assert_eq!(r.field_code("seller_org_id"), Some("not_found"));

        let r = app.post(CONV, json!({"order_id": b.order_id}), Some(&b.buyer.token)).await;
        r.expect_status(201);
        let id = r.id();
        assert_eq!(r.str("subject_kind"), "order");
        let m = say(&app, &b.buyer, id, "收到的橙子有两个坏了").await;
        m.expect_status(201);

        // A third buyer and another seller: as if it did not exist.
        app.get(&conv(id, ""), Some(&third.token)).await.expect_status(404);
        app.get(&conv(id, ""), Some(&other_seller.owner.token)).await.expect_status(404);
        say(&app, &third, id, "插话").await.expect_status(404);
        say(&app, &other_seller.owner, id, "插话").await.expect_status(404);
        app.get(&format!("/api/v1/orgs/{}/conversations", b.seller.org), Some(&other_seller.owner.token)).await.expect_status(403);
        app.get(&format!("/api/v1/orgs/{}/conversations", b.seller.org), Some(&b.buyer.token)).await.expect_status(403);
        app.get(CONV, None).await.expect_status(401);

        // Platform staff read for arbitration, with a reason, recorded; they do not write.
        let r = app.get(&conv(id, ""), Some(&agent.token)).await;
        assert_eq!(r.field_code("reason"), Some("required"), "{}", r.text);
        let r = app.get(&conv(id, "?reason=%E4%BB%B2%E8%A3%81%20GD1"), Some(&agent.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("viewer"), "staff");
        assert_eq!(r.len_of("readings"), 1);
        assert_eq!(app.count("desk_conversation_reads", "1 = 1").await, 1);
        say(&app, &agent, id, "平台介入").await.expect_status(403);
        app.get(&conv(id, ""), Some(&official.token)).await.expect_status(404);
    }

    async fn bad_messages_are_refused_and_nothing_is_written(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let id = app.post(CONV, json!({"listing_id": seller.listing}), Some(&buyer.token)).await.id();

        let r = say(&app, &buyer, id, &"长".repeat(1001)).await;
        assert_eq!(r.field_code("body"), Some("too_long"), "{}", r.text);
        let r = say(&app, &buyer, id, "   ").await;
        assert_eq!(r.field_code("body"), Some("required"));
        app.post(&conv(id, "/messages"), json!({"body": 7}), Some(&buyer.token)).await.expect_status(422);
        app.post(&conv(id, "/messages"), json!({"body": "x", "extra": 1}), Some(&buyer.token)).await.expect_status(422);
        app.post(CONV, json!({}), Some(&buyer.token)).await.expect_status(422);
        app.post(CONV, json!({"listing_id": seller.listing, "order_id": Uuid::now_v7()}), Some(&buyer.token)).await.expect_status(422);
        let r = app.post(CONV, json!({"listing_id": Uuid::now_v7()}), Some(&buyer.token)).await;
        assert_eq!(r.field_code("listing_id"), Some("not_found"));
        app.post(CONV, json!({"listing_id": seller.listing}), Some(&seller.owner.token)).await.expect_status(403);
        app.get("/api/v1/conversations/not-an-id", Some(&buyer.token)).await.expect_status(404);
        say(&app, &buyer, Uuid::now_v7(), "x").await.expect_status(404);
        assert_eq!(app.count("desk_conversation_messages", "1 = 1").await, 0);
        assert_eq!(app.count("desk_conversations", "1 = 1").await, 1);
    }

    async fn two_opens_at_once_make_one_conversation(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let body = json!({"listing_id": seller.listing});
        let (x, y, z) = tokio::join!(
            app.post(CONV, body.clone(), Some(&buyer.token)),
            app.post(CONV, body.clone(), Some(&buyer.token)),
            app.post(CONV, body.clone(), Some(&buyer.token)),
        );
        for r in [&x, &y, &z] {
            assert!(r.status == 200 || r.status == 201, "{}", r.text);
        }
        assert_eq!(x.id(), y.id());
        assert_eq!(y.id(), z.id());
        assert_eq!(app.count("desk_conversations", "1 = 1").await, 1);
    }

    async fn an_abusive_message_is_reported_once_and_the_operator_hides_it_keeping_it(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let op = app.operator().await;
        let third = app.consumer().named("李四").await;
        let id = app.post(CONV, json!({"listing_id": seller.listing}), Some(&buyer.token)).await.id();
        say(&app, &buyer, id, "问一下发货时间").await.expect_status(201);
        let r = say(&app, &seller.owner, id, "爱买不买（辱骂内容）").await;
        let rude = r.uuid("messages.1.id");
        let buyers = r.uuid("messages.0.id");
        let report = |m: Uuid| format!("/api/v1/conversation-messages/{m}/reports");

        // Nobody reports their own words.
        app.post(&report(buyers), json!({"reason": "x"}), Some(&buyer.token)).await.expect_status(403);
        app.post(&report(rude), json!({"reason": "骂人"}), Some(&seller.owner.token)).await.expect_status(403);
        app.post(&report(rude), json!({"reason": "骂人"}), Some(&third.token)).await.expect_status(404);
        app.post(&report(rude), json!({"reason": "骂".repeat(501)}), Some(&buyer.token)).await.expect_status(422);
        let r = app.post(&report(rude), json!({"reason": "卖家辱骂"}), Some(&buyer.token)).await;
        r.expect_status(201);
        let report_id = r.id();
        let twice = app.post(&report(rude), json!({"reason": "再举报"}), Some(&buyer.token)).await;
        assert_eq!(twice.code(), "already_reported");

        app.get("/api/v1/desk/conversation-reports", Some(&buyer.token)).await.expect_status(403);
        let q = app.get("/api/v1/desk/conversation-reports", Some(&op.token)).await;
        q.expect_status(200);
        assert_eq!(q.i64("total"), 1);
        assert_eq!(q.str("items.0.message.body"), "爱买不买（辱骂内容）");

        let hide = format!("/api/v1/desk/conversation-messages/{rude}/hide");
        app.post(&hide, json!({"reason": "辱骂"}), Some(&buyer.token)).await.expect_status(403);
        app.post(&hide, json!({"reason": ""}), Some(&op.token)).await.expect_status(422);
        let h = app.post(&hide, json!({"reason": "辱骂买家"}), Some(&op.token)).await;
        h.expect_status(200);
        assert!(h.bool("hidden"));
        assert_eq!(app.post(&hide, json!({"reason": "再次"}), Some(&op.token)).await.code(), "already_hidden");
        assert_eq!(app.get("/api/v1/desk/conversation-reports", Some(&op.token)).await.i64("total"), 0);
        assert_eq!(app.post_empty(&format!("/api/v1/desk/conversation-reports/{report_id}/dismiss"), Some(&op.token)).await.code(), "already_resolved");

        // Kept: the parties see that it was hidden, not what it said; staff see all.
        let seen = app.get(&conv(id, ""), Some(&buyer.token)).await;
        assert!(seen.bool("messages.1.hidden"));
        assert!(seen.body["messages"][1]["body"].is_null());
        assert!(!seen.text.contains("爱买不买"));
        assert_eq!(app.count("desk_conversation_messages", "hidden_at IS NOT NULL").await, 1);
        let staff = app.get(&conv(id, "?reason=arbitration"), Some(&op.token)).await;
        assert_eq!(staff.str("messages.1.body"), "爱买不买（辱骂内容）");
        assert_eq!(staff.str("messages.1.hidden_reason"), "辱骂买家");
    }

    async fn the_operator_dismisses_a_report(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let op = app.operator().await;
        let id = app.post(CONV, json!({"listing_id": seller.listing}), Some(&buyer.token)).await.id();
        let m = say(&app, &buyer, id, "你们是骗子吧").await.uuid("messages.0.id");
        let r = app.post(&format!("/api/v1/conversation-messages/{m}/reports"), json!({"reason": "诽谤"}), Some(&seller.owner.token)).await;
        r.expect_status(201);
        let path = format!("/api/v1/desk/conversation-reports/{}/dismiss", r.id());
        app.post_empty(&path, Some(&seller.owner.token)).await.expect_status(403);
        let d = app.post_empty(&path, Some(&op.token)).await;
        d.expect_status(200);
        assert_eq!(d.str("outcome"), "dismissed");
        assert_eq!(app.get("/api/v1/desk/conversation-reports?status=all", Some(&op.token)).await.i64("total"), 1);
        app.post_empty(&format!("/api/v1/desk/conversation-reports/{}/dismiss", Uuid::now_v7()), Some(&op.token)).await.expect_status(404);
    }
}
