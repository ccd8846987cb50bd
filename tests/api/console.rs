//! Issue #19, the back office: a seller's and the operator's console home (today's work as
//! counts, each the length of a filtered list), the seller's order list narrowed by search,
//! ship-by state and payment days, and bulk acknowledge / ship with per-item results. Each
//! count is checked against the data behind it; another organisation's work never counts;
//! the wrong role is refused; bulk requests with another seller's ids mixed in and repeated
//! ids change only what they may.

use farmgate_tests::prelude::*;

fn console(org: Uuid) -> String {
    format!("/api/v1/orgs/{org}/console")
}

fn list(org: Uuid, query: &str) -> String {
    format!("/api/v1/orgs/{org}/sub-orders?{query}")
}

/// A second seller with one order of its own, paid (work that must never count for the first).
async fn other_seller_with_paid_order(app: &TestApp) -> (SellerWithListing, Order) {
    let other = app
        .verified_seller()
        .named("白云山家庭农场")
        .with_listing(Product::eggs())
        .await;
    let buyer = app.consumer().await;
    let order = app.paid_order(&buyer, &[(other.sku, 1)]).await;
    (other, order)
}

/// Creates and submits a listing (it waits for review).
async fn submitted_listing(app: &TestApp, seller: &SellerWithListing, title: &str) {
    let category = app.category("citrus").await;
    let r = app
        .post(
            &format!("/api/v1/orgs/{}/listings", seller.org),
            Product::boxes(title, 3990, 30).body(category),
            Some(&seller.owner.token),
        )
        .await;
    r.expect_status(201);
    app.post_empty(
        &format!("/api/v1/listings/{}/submit", r.id()),
        Some(&seller.owner.token),
    )
    .await
    .expect_status(200);
}

both_backends! {
    async fn the_seller_home_counts_new_paid_orders_and_ship_by_deadlines_of_its_own_only(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let first = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let _second = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let (other, _) = other_seller_with_paid_order(&app).await;

        let c = app.get(&console(seller.org), Some(&seller.owner.token)).await;
        c.expect_status(200);
        assert_eq!(c.i64("orders.new_paid"), 2, "{}", c.text);
        assert_eq!(c.i64("orders.ship_by_overdue"), 0);
        assert_eq!(c.i64("orders.ship_by_soon"), 0, "48 h to ship, the warning starts 12 h before");
        assert_eq!(c.str("orders.oldest_paid_at"), first.part().paid_at.as_deref().expect("paid"));
        // It is what the filtered list holds.
        let paid = app.get(&list(seller.org, "status=paid"), Some(&seller.owner.token)).await;
        paid.expect_status(200);
        assert_eq!(paid.i64("total"), 2);

        // Acknowledged, it is no longer new; 40 h later both are near their deadline.
        app.post_empty(&format!("/api/v1/sub-orders/{}/acknowledge", first.part().id), Some(&seller.owner.token))
            .await
            .expect_status(200);
        app.clock.advance(chrono::Duration::hours(40));
        let c = app.get(&console(seller.org), Some(&seller.owner.token)).await;
        assert_eq!((c.i64("orders.new_paid"), c.i64("orders.ship_by_soon")), (1, 2), "{}", c.text);
        let soon = app.get(&list(seller.org, "ship_by=soon"), Some(&seller.owner.token)).await;
        assert_eq!(soon.i64("total"), 2, "{}", soon.text);

        // Past it, they are overdue, and the list says the same.
        app.clock.advance(chrono::Duration::hours(9));
        let c = app.get(&console(seller.org), Some(&seller.owner.token)).await;
        assert_eq!((c.i64("orders.ship_by_overdue"), c.i64("orders.ship_by_soon")), (2, 0), "{}", c.text);
        let overdue = app.get(&list(seller.org, "ship_by=overdue"), Some(&seller.owner.token)).await;
        assert_eq!(overdue.i64("total"), 2);

        // The other seller's home counts only its own order.
        let o = app.get(&console(other.org), Some(&other.owner.token)).await;
        o.expect_status(200);
        assert_eq!((o.i64("orders.new_paid"), o.i64("orders.ship_by_overdue")), (1, 1), "{}", o.text);
    }

    async fn the_seller_home_counts_claims_awaiting_its_answer_with_the_nearest_deadline(app) {
        let received = app.received_order(2).await;
        let seller = &received.seller;
        let c = app.get(&console(seller.org), Some(&seller.owner.token)).await;
        assert_eq!(c.i64("claims.awaiting_answer"), 0);
        assert!(c.body["claims"]["next_due"].is_null());

        let claim = app.claim(&received.buyer, received.sub_order_id, received.line_id, 1).await;
        let c = app.get(&console(seller.org), Some(&seller.owner.token)).await;
        assert_eq!((c.i64("claims.awaiting_answer"), c.i64("claims.overdue")), (1, 0), "{}", c.text);
        let due = c.string("claims.next_due");
        let claim_view = app.get(&format!("/api/v1/claims/{}", claim.id), Some(&seller.owner.token)).await;
        assert_eq!(due, claim_view.string("respond_by"), "the claim's own answer deadline");

        // Another seller's home does not see it.
        let (other, _) = other_seller_with_paid_order(&app).await;
        let o = app.get(&console(other.org), Some(&other.owner.token)).await;
        assert_eq!(o.i64("claims.awaiting_answer"), 0);
    }

    async fn the_seller_home_counts_skus_low_on_stock_and_unread_conversations(app) {
        let seller = app
            .verified_seller()
            .with_listing(Product::boxes("赣南脐橙 礼盒", 8800, 4))
            .await;
        let c = app.get(&console(seller.org), Some(&seller.owner.token)).await;
        assert_eq!((c.i64("stock.low"), c.i64("stock.low_stock_threshold")), (1, 10), "{}", c.text);
        assert_eq!(c.i64("conversations.unread"), 0);

        let buyer = app.consumer().await;
        let conv = app.post("/api/v1/conversations", json!({"listing_id": seller.listing}), Some(&buyer.token)).await;
        conv.expect_status(201);
        app.post(&format!("/api/v1/conversations/{}/messages", conv.id()), json!({"body": "请问几天能发货？"}), Some(&buyer.token))
            .await
            .expect_status(201);
        let c = app.get(&console(seller.org), Some(&seller.owner.token)).await;
        assert_eq!(c.i64("conversations.unread"), 1, "{}", c.text);

        // A seller with plenty of stock and no messages counts neither.
        let (other, _) = other_seller_with_paid_order(&app).await;
        let o = app.get(&console(other.org), Some(&other.owner.token)).await;
        assert_eq!((o.i64("stock.low"), o.i64("conversations.unread")), (0, 0), "{}", o.text);
    }

    async fn the_seller_home_is_refused_to_anyone_but_its_members_and_the_operator(app) {
        let seller = app.seller_with_listing().await;
        let (other, _) = other_seller_with_paid_order(&app).await;
        let consumer = app.consumer().await;
        let finance = app.finance().await;
        let official = app.official().await;
        app.get(&console(seller.org), None).await.expect_status(401);
        for who in [&other.owner.token, &consumer.token, &finance.token, &official.token] {
            let r = app.get(&console(seller.org), Some(who)).await;
            r.expect_status(403);
            assert_eq!(r.code(), "forbidden");
        }
        let op = app.operator().await;
        app.get(&console(seller.org), Some(&op.token)).await.expect_status(200);
        app.get(&console(Uuid::now_v7()), Some(&op.token)).await.expect_status(404);
        app.get("/api/v1/orgs/not-an-id/console", Some(&op.token)).await.expect_status(404);
    }

    async fn the_operator_home_counts_each_queue_with_its_oldest(app) {
        let op = app.operator().await;
        let empty = app.get("/api/v1/admin/console", Some(&op.token)).await;
        empty.expect_status(200);
        let base_listings = empty.i64("listings.awaiting_review");
        let base_orgs = empty.i64("organisations.awaiting_review");

        let seller = app.seller_with_listing().await;
        submitted_listing(&app, &seller, "赣南脐橙 5斤装").await;
        app.clock.advance(chrono::Duration::minutes(30));
        submitted_listing(&app, &seller, "赣南脐橙 20斤装").await;
        let applicant = app.consumer().await;
        app.create_org(&applicant, "family_farm", "青石县山背家庭农场").await;
        let buyer = app.consumer().await;
        app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.clock.advance(chrono::Duration::minutes(11));

        let c = app.get("/api/v1/admin/console", Some(&op.token)).await;
        c.expect_status(200);
        assert_eq!(c.i64("listings.awaiting_review"), base_listings + 2, "{}", c.text);
        assert_eq!(c.i64("organisations.awaiting_review"), base_orgs + 1, "{}", c.text);
        assert!(c.string("listings.oldest_submitted_at") < c.string("at"));
        assert_eq!(c.i64("orders.unacknowledged_late"), 1, "paid 11 minutes ago, not acknowledged");
        assert_eq!(c.i64("orders.acknowledge_within_minutes"), 10);
        for key in ["claims.in_arbitration", "claims.overdue", "tickets.unassigned", "tickets.overdue",
                    "money.pending_payouts", "money.bank_accounts_to_verify",
                    "money.reconciliation_differences", "reports.reviews", "reports.conversation_messages"] {
            assert!(c.i64(key) >= 0, "{key} in {}", c.text);
        }

        // The queue page lists as many as the home counts.
        let queue = app.get("/api/v1/admin/listing-reviews?status=pending", Some(&op.token)).await;
        assert_eq!(queue.i64("total"), c.i64("listings.awaiting_review"));
    }

    async fn the_operator_home_counts_escalated_claims_and_tickets_nobody_holds(app) {
        let op = app.operator().await;
        let received = app.received_order(2).await;
        let claim = app.claim(&received.buyer, received.sub_order_id, received.line_id, 1).await;
        app.post(&format!("/api/v1/claims/{}/respond", claim.id),
                 json!({"decision": "reject", "reason": "照片显示外箱完好，无法确认运输破损"}),
                 Some(&received.seller.owner.token))
            .await
            .expect_status(200);
        app.post(&format!("/api/v1/claims/{}/escalate", claim.id), json!({"reason": "箱子确实被压坏了"}), Some(&received.buyer.token))
            .await
            .expect_status(200);
        let buyer = app.consumer().await;
        app.post("/api/v1/desk/tickets",
                 json!({"kind": "other", "subject": "发票怎么开？", "body": "我想开增值税普通发票，应该在哪里申请？"}),
                 Some(&buyer.token))
            .await
            .expect_status(201);

        let c = app.get("/api/v1/admin/console", Some(&op.token)).await;
        c.expect_status(200);
        assert_eq!((c.i64("claims.in_arbitration"), c.i64("claims.overdue")), (1, 0), "{}", c.text);
        assert!(c.body["claims"]["next_due"].is_string());
        assert_eq!(c.i64("tickets.unassigned"), 1, "{}", c.text);

        // Past every deadline they count as overdue.
        app.clock.advance(chrono::Duration::days(10));
        let c = app.get("/api/v1/admin/console", Some(&op.token)).await;
        assert_eq!(c.i64("claims.overdue"), 1, "{}", c.text);
        assert_eq!(c.i64("tickets.overdue"), 1, "{}", c.text);
    }

    async fn the_operator_home_is_refused_to_everyone_else(app) {
        let seller = app.seller_with_listing().await;
        let consumer = app.consumer().await;
        let finance = app.finance().await;
        let agent = app.agent().await;
        let official = app.official().await;
        app.get("/api/v1/admin/console", None).await.expect_status(401);
        for who in [&seller.owner.token, &consumer.token, &finance.token, &agent.token, &official.token] {
            let r = app.get("/api/v1/admin/console", Some(who)).await;
            r.expect_status(403);
            assert_eq!(r.code(), "forbidden");
        }
    }

    async fn the_order_list_finds_by_number_product_and_recipient_and_refuses_bad_filters(app) {
        let seller = app
            .verified_seller()
            .with_listing(Product::oranges_in_two_sizes("赣南脐橙"))
            .await;
        let buyer = app.consumer().await;
        let by_number = app.paid_order(&buyer, &[(seller.skus[0], 1)]).await;
        // Another recipient's name, at another address of the same buyer.
        let addr = app
            .post("/api/v1/me/addresses",
                  json!({"name": "赵小明", "phone": "13600000009", "province": "江西省", "city": "赣州市",
                         "district": "章贡区", "street": "文清路 8 号"}),
                  Some(&buyer.token))
            .await;
        addr.expect_status(201);
        let placed = app
            .post("/api/v1/orders",
                  json!({"address_id": addr.id(), "payment_method": "offline",
                         "items": [{"sku_id": seller.skus[1], "quantity": 1}]}),
                  Some(&buyer.token))
            .await;
        placed.expect_status(201);
        app.confirm_transfer(placed.id()).await;
        let token = Some(seller.owner.token.as_str());

        let r = app.get(&list(seller.org, &format!("q={}", by_number.number)), token).await;
        r.expect_status(200);
        assert_eq!(r.i64("total"), 1, "{}", r.text);
        assert_eq!(r.uuid("items.0.id"), by_number.id);
        let r = app.get(&list(seller.org, "q=%E8%B5%B5%E5%B0%8F%E6%98%8E"), token).await; // 赵小明
        assert_eq!((r.i64("total"), r.uuid("items.0.id")), (1, placed.id()), "{}", r.text);
        let r = app.get(&list(seller.org, "q=5%E6%96%A4"), token).await; // 5斤: one size only
        assert_eq!(r.i64("total"), 1, "{}", r.text);
        let r = app.get(&list(seller.org, "q=%E8%84%90%E6%A9%99"), token).await; // 脐橙: both
        assert_eq!(r.i64("total"), 2, "{}", r.text);
        // LIKE wildcards are matched as themselves.
        for wild in ["%25", "_", "%5C"] {
            let r = app.get(&list(seller.org, &format!("q={wild}")), token).await;
            assert_eq!(r.i64("total"), 0, "{wild}: {}", r.text);
        }
        // The day it was paid (China time) finds both; the day before none.
        let today = app.today_in_china();
        let r = app.get(&list(seller.org, &format!("from={today}&to={today}")), token).await;
        assert_eq!(r.i64("total"), 2, "{}", r.text);
        let yesterday = (app.clock.now() + chrono::Duration::hours(8) - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
        let r = app.get(&list(seller.org, &format!("from={yesterday}&to={yesterday}")), token).await;
        assert_eq!(r.i64("total"), 0);

        // Another seller searching finds nothing of this seller's.
        let (other, _) = other_seller_with_paid_order(&app).await;
        let r = app.get(&list(other.org, "q=%E8%B5%B5%E5%B0%8F%E6%98%8E"), Some(&other.owner.token)).await;
        assert_eq!(r.i64("total"), 0);

        // Bad filters: each a clear error.
        let long = "%E6%A9%99".repeat(41);
        let r = app.get(&list(seller.org, &format!("q={long}")), token).await;
        r.expect_status(422);
        assert_eq!(r.field_code("q"), Some("invalid"));
        let r = app.get(&list(seller.org, &format!("from={today}&to={yesterday}")), token).await;
        r.expect_status(422);
        assert_eq!(r.field_code("to"), Some("out_of_range"));
        app.get(&list(seller.org, "ship_by=tomorrow"), token).await.expect_status(400);
        app.get(&list(seller.org, "from=2026-13-01"), token).await.expect_status(400);
    }

    async fn bulk_acknowledge_answers_each_item_and_touches_no_other_sellers_order(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let a = app.paid_order(&buyer, &[(seller.sku, 1)]).await.part().id;
        let b = app.paid_order(&buyer, &[(seller.sku, 1)]).await.part().id;
        let (other, theirs) = other_seller_with_paid_order(&app).await;
        let theirs = theirs.part().id;
        let nobody = Uuid::now_v7();
        let path = format!("/api/v1/orgs/{}/sub-orders/acknowledge", seller.org);

        let r = app.post(&path, json!({"sub_order_ids": [a, theirs, a, nobody, b]}), Some(&seller.owner.token)).await;
        r.expect_status(200);
        assert_eq!((r.i64("done"), r.i64("refused")), (2, 3), "{}", r.text);
        let codes: Vec<Option<&str>> = r.arr("results").iter().map(|i| i["code"].as_str()).collect();
        assert_eq!(codes, [None, Some("not_found"), Some("duplicate"), Some("not_found"), None]);
        assert_eq!(r.str("results.0.status"), "acknowledged");
        assert_eq!(r.uuid("results.1.sub_order_id"), theirs);
        // The other seller's part is untouched, and nothing was recorded twice.
        let theirs_now = app.get(&format!("/api/v1/orgs/{}/sub-orders?status=paid", other.org), Some(&other.owner.token)).await;
        assert_eq!(theirs_now.i64("total"), 1);
        assert_eq!(app.count("order_events", "kind = 'acknowledged'").await, 2, "a and b, each once");

        // Again: already done counts as done, nothing changes.
        let again = app.post(&path, json!({"sub_order_ids": [a, b]}), Some(&seller.owner.token)).await;
        assert_eq!(again.i64("done"), 2);
        assert_eq!(app.count("order_events", "kind = 'acknowledged'").await, 2);

        // Even a member of both sellers cannot act on one seller's part through the other.
        let both = app.member(&other.owner, other.org, "13911110001", "张敏", "staff").await;
        let inv = app.post(&format!("/api/v1/orgs/{}/invitations", seller.org), json!({"login": "13911110001", "role": "staff"}), Some(&seller.owner.token)).await;
        inv.expect_status(201);
        app.clock.advance(chrono::Duration::minutes(2));
        app.accept_invitation(&both, inv.id()).await.expect_status(200);
        let both = app.login_again(&both).await;
        let r = app.post(&path, json!({"sub_order_ids": [theirs]}), Some(&both.token)).await;
        assert_eq!(r.str("results.0.code"), "not_found", "{}", r.text);
    }

    async fn bulk_actions_refuse_the_wrong_role_and_empty_oversized_or_malformed_lists(app) {
        let seller = app.seller_with_listing().await;
        let path = format!("/api/v1/orgs/{}/sub-orders/acknowledge", seller.org);
        let ship = format!("/api/v1/orgs/{}/sub-orders/ship", seller.org);
        let consumer = app.consumer().await;
        let op = app.operator().await;
        let (other, _) = other_seller_with_paid_order(&app).await;
        for who in [&consumer.token, &op.token, &other.owner.token] {
            app.post(&path, json!({"sub_order_ids": [Uuid::now_v7()]}), Some(who)).await.expect_status(403);
            app.post(&ship, json!({"items": []}), Some(who)).await.expect_status(403);
        }
        let t = Some(seller.owner.token.as_str());
        app.post(&path, json!({"sub_order_ids": []}), t).await.expect_status(422);
        let many: Vec<Uuid> = (0..101).map(|_| Uuid::now_v7()).collect();
        app.post(&path, json!({"sub_order_ids": many}), t).await.expect_status(422);
        app.post(&path, json!({"sub_order_ids": ["nope"]}), t).await.expect_status(422);
        app.post(&path, json!({"ids": []}), t).await.expect_status(422);
        app.post(&ship, json!({"items": [{"sub_order_id": Uuid::now_v7()}]}), t).await.expect_status(422);
    }

    async fn bulk_ship_ships_each_with_its_own_waybill_and_refuses_per_item(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.inspected_batch(&seller).await;
        let buyer = app.consumer().await;
        let one = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let two = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let (other, theirs) = other_seller_with_paid_order(&app).await;
        let pick = |o: &Order| json!([{"line_id": o.part().line().id, "batch_id": batch.id}]);
        let r = app
            .post(&format!("/api/v1/orgs/{}/sub-orders/ship", seller.org),
                  json!({"items": [
                      {"sub_order_id": one.part().id, "carrier": "顺丰速运", "tracking_no": "SF1000000001", "batches": pick(&one)},
                      {"sub_order_id": theirs.part().id, "carrier": "顺丰速运", "tracking_no": "SF1000000002"},
                      {"sub_order_id": two.part().id, "carrier": "", "tracking_no": "SF1000000003", "batches": pick(&two)},
                      {"sub_order_id": one.part().id, "carrier": "顺丰速运", "tracking_no": "SF1000000004", "batches": pick(&one)},
                  ]}),
                  Some(&seller.owner.token))
            .await;
        r.expect_status(200);
        assert_eq!((r.i64("done"), r.i64("refused")), (1, 3), "{}", r.text);
        assert_eq!(r.str("results.0.status"), "shipped");
        assert_eq!(r.str("results.1.code"), "not_found");
        assert_eq!(r.str("results.2.code"), "validation_failed");
        assert!(r.body["results"][2]["fields"]["carrier"].is_string(), "{}", r.text);
        assert_eq!(r.str("results.3.code"), "duplicate");
        assert_eq!(app.count("shipments", "1 = 1").await, 1, "one parcel, with its own waybill");
        assert_eq!(app.order(two.id, &seller.owner).await.part().status, "paid", "the refused one is unchanged");
        assert_eq!(app.order(theirs.id, &other.owner).await.part().status, "paid");
    }
}
