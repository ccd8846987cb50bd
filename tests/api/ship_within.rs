//! Issue #18, "48 h by default, per category": the operator gives a category its own
//! ship-within (12–240 h), its subcategories inherit it, the listing page promises it, and a
//! paid part's ship-by is its checkout promise after payment — the shortest of its lines'.
//! Only the operator sets it; out-of-range or wrongly typed values change nothing.

use farmgate_tests::prelude::*;

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("an RFC 3339 time")
        .with_timezone(&chrono::Utc)
}

/// Hours from payment to the part's ship-by deadline.
fn deadline_hours(part: &SubOrder) -> i64 {
    let paid = at(part.paid_at.as_deref().expect("paid"));
    let by = at(part.ship_by.as_deref().expect("a ship-by deadline"));
    (by - paid).num_hours()
}

async fn set_ship_within(app: &TestApp, op: &Session, slug: &str, hours: Value) -> Resp {
    let id = app.category(slug).await;
    app.patch(
        &format!("/api/v1/admin/categories/{id}"),
        json!({ "ship_within_hours": hours }),
        Some(&op.token),
    )
    .await
}

/// The category as the operator's tree shows it.
async fn admin_category(app: &TestApp, op: &Session, slug: &str) -> Value {
    let tree = app.get("/api/v1/admin/categories", Some(&op.token)).await;
    tree.expect_status(200);
    tree.arr("")
        .iter()
        .flat_map(|root| std::iter::once(root).chain(root.arr("children")))
        .find(|c| c["slug"] == slug)
        .cloned()
        .unwrap_or_else(|| panic!("no category {slug}"))
}

both_backends! {
    async fn a_category_promising_24_hours_makes_its_parts_ship_within_24_hours_of_payment(app) {
        let op = app.operator().await;
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        assert_eq!(app.listing(seller.listing, None).await.ship_within_hours, 48, "the default before");

        set_ship_within(&app, &op, "citrus", json!(24)).await.expect_status(200);
        assert_eq!(admin_category(&app, &op, "citrus").await["ship_within_hours"], 24);
        assert_eq!(app.listing(seller.listing, None).await.ship_within_hours, 24, "the listing page promises it");

        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        assert_eq!(deadline_hours(order.part()), 24);
        assert_eq!(order.part().ship_within_hours, Some(24), "kept on the order");
        let seen = app.order(order.id, &seller.owner).await;
        assert_eq!(seen.part().ship_by, order.part().ship_by, "the seller sees the same deadline");

        // The buyer may cancel once those 24 hours have passed, not a day later.
        app.clock.advance(chrono::Duration::hours(24) + chrono::Duration::seconds(1));
        let r = app.post(&format!("/api/v1/sub-orders/{}/cancel", order.part().id), json!({}), Some(&buyer.token)).await;
        r.expect_status(200);
        assert_eq!(r.json::<Order>().part().status, "cancelled");
    }

    async fn a_subcategory_inherits_its_parents_promise_unless_it_sets_its_own(app) {
        let op = app.operator().await;
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        set_ship_within(&app, &op, "fruit", json!(72)).await.expect_status(200);
        assert_eq!(admin_category(&app, &op, "citrus").await["ship_within_hours"], Value::Null, "its own stays unset");
        assert_eq!(app.listing(seller.listing, None).await.ship_within_hours, 72, "inherited from 水果");
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        assert_eq!(deadline_hours(order.part()), 72);

        set_ship_within(&app, &op, "citrus", json!(36)).await.expect_status(200);
        assert_eq!(app.listing(seller.listing, None).await.ship_within_hours, 36, "its own wins");
        // Cleared with null: the parent's again; absent from a patch: left as it is.
        set_ship_within(&app, &op, "citrus", Value::Null).await.expect_status(200);
        assert_eq!(app.listing(seller.listing, None).await.ship_within_hours, 72);
        let id = app.category("fruit").await;
        app.patch(&format!("/api/v1/admin/categories/{id}"), json!({"sort_order": 3}), Some(&op.token)).await.expect_status(200);
        assert_eq!(admin_category(&app, &op, "fruit").await["ship_within_hours"], 72);
    }

    async fn a_mixed_part_ships_within_the_shortest_promise_of_its_lines_and_each_seller_has_its_own(app) {
        let op = app.operator().await;
        let seller = app.seller_with_listing().await;
        let eggs = app.approved_listing(&seller.seller(), &Product::eggs().in_category("eggs")).await;
        let other = app.verified_seller().named("白云山家庭农场").with_listing(Product::eggs().in_category("eggs")).await;
        let tea = app.approved_listing(&other.seller(), &Product::boxes("崇义绿茶 250克", 8800, 30).in_category("green-tea")).await;
        set_ship_within(&app, &op, "citrus", json!(24)).await.expect_status(200);
        set_ship_within(&app, &op, "tea", json!(120)).await.expect_status(200);
        let buyer = app.consumer().await;

        let order = app.paid_order(&buyer, &[(seller.sku, 1), (eggs.skus[0].id, 1), (other.sku, 1), (tea.skus[0].id, 1)]).await;
        let mixed = order.part_of(seller.org);
        assert_eq!(deadline_hours(mixed), 24, "oranges (24 h) and eggs (default 48 h) in one parcel: 24 h");
        let slow = order.part_of(other.org);
        assert_eq!(deadline_hours(slow), 48, "eggs (48 h) and tea (120 h): the eggs' promise");
        assert_eq!(slow.ship_within_hours, Some(48));

        let tea_only = app.paid_order(&buyer, &[(tea.skus[0].id, 1)]).await;
        assert_eq!(deadline_hours(tea_only.part()), 120, "tea alone: its longer promise");
    }

    async fn a_part_keeps_the_promise_it_was_sold_under_when_the_category_changes_before_payment(app) {
        let op = app.operator().await;
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        set_ship_within(&app, &op, "citrus", json!(24)).await.expect_status(200);
        let order = app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;
        assert_eq!(order.part().ship_within_hours, Some(24), "fixed at checkout");
        assert_eq!(order.part().ship_by, None, "no deadline before payment");
        set_ship_within(&app, &op, "citrus", json!(96)).await.expect_status(200);
        app.confirm_transfer(order.id).await;
        let paid = app.order(order.id, &buyer).await;
        assert_eq!(deadline_hours(paid.part()), 24, "the promise the buyer saw at checkout");
    }

    async fn a_promise_out_of_range_or_of_the_wrong_type_is_refused_and_changes_nothing(app) {
        let op = app.operator().await;
        let id = app.category("citrus").await;
        for bad in [json!(11), json!(241), json!(0), json!(-24), json!(100000)] {
            let r = set_ship_within(&app, &op, "citrus", bad.clone()).await;
            r.expect_status(422);
            assert_eq!(r.code(), "validation_failed", "{bad}");
            assert!(r.text.contains("ship_within_hours"), "{}", r.text);
        }
        for bad in [json!("24"), json!(24.5), json!(true), json!([24])] {
            let r = set_ship_within(&app, &op, "citrus", bad.clone()).await;
            r.expect_status(422);
            assert_eq!(r.code(), "validation_failed", "{bad}");
        }
        // A valid name with an invalid promise: neither is written.
        let r = app.patch(&format!("/api/v1/admin/categories/{id}"), json!({"name": "柑橘", "ship_within_hours": 500}), Some(&op.token)).await;
        r.expect_status(422);
        let c = admin_category(&app, &op, "citrus").await;
        assert_eq!((c["name"].as_str(), &c["ship_within_hours"]), (Some("柑橘橙柚"), &Value::Null), "nothing half-written");
        // The bounds themselves are fine.
        set_ship_within(&app, &op, "citrus", json!(12)).await.expect_status(200);
        set_ship_within(&app, &op, "citrus", json!(240)).await.expect_status(200);
        // A new category too.
        let fruit = app.category("fruit").await;
        let r = app.post("/api/v1/admin/categories", json!({"parent_id": fruit, "name": "枇杷", "name_en": "Loquat", "slug": "loquat", "ship_within_hours": 5}), Some(&op.token)).await;
        r.expect_status(422);
        assert!(r.text.contains("ship_within_hours"), "{}", r.text);
        assert_eq!(app.count("categories", "slug = 'loquat'").await, 0);
        let r = app.post("/api/v1/admin/categories", json!({"parent_id": fruit, "name": "枇杷", "name_en": "Loquat", "slug": "loquat", "ship_within_hours": 24}), Some(&op.token)).await;
        r.expect_status(201);
        assert_eq!(r.json::<Value>()["ship_within_hours"], 24);
    }

    async fn only_the_operator_sets_a_promise_not_a_seller_a_buyer_or_a_stranger(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let id = app.category("citrus").await;
        let path = format!("/api/v1/admin/categories/{id}");
        for who in [&seller.owner.token, &buyer.token] {
            app.patch(&path, json!({"ship_within_hours": 240}), Some(who)).await.expect_status(403);
        }
        app.patch(&path, json!({"ship_within_hours": 240}), None).await.expect_status(401);
        // Nor through the listing it sells: a listing carries no promise of its own.
        let category = app.category("citrus").await;
        let mut body = Product::oranges().body(category);
        body["ship_within_hours"] = json!(240);
        let r = app.post(&format!("/api/v1/orgs/{}/listings", seller.org), body, Some(&seller.owner.token)).await;
        assert_eq!(r.status, 422, "{} {}", r.status, r.text);
        assert_eq!(app.listing(seller.listing, None).await.ship_within_hours, 48, "unchanged");
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        assert_eq!(deadline_hours(order.part()), 48);
    }

    async fn a_replacement_ships_under_the_promise_its_original_was_sold_with(app) {
        let op = app.operator().await;
        set_ship_within(&app, &op, "citrus", json!(24)).await.expect_status(200);
        let received = app.received_order(1).await;
        set_ship_within(&app, &op, "citrus", json!(96)).await.expect_status(200);
        let line = received.order.part().lines[0].id;
        let made = app.state.orders
            .create_replacement(farmgate_kernel::id::SubOrderId(received.order.part().id), &[(farmgate_kernel::id::OrderLineId(line), 1)], "test:replacement", None)
            .await
            .expect("a replacement");
        let order = app.order(received.order.id, &received.buyer).await;
        let r = order.sub_order(made.id);
        assert_eq!(deadline_hours(r), 24, "the original's promise, not today's category");
    }
}
