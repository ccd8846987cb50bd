//! Issue #19, "verified business buyers see their tier price on cards": `GET
//! /api/v1/wholesale-prices` gives the cheapest wholesale tier of each listing a page of cards
//! shows, to those who may see tiers — a verified business buyer (every seller's), a seller's
//! members (their own only), the operator — and to nobody else; drafts and delisted listings are
//! never told. Search answers stay the same for everyone (and cacheable).

use farmgate_tests::prelude::*;

fn path(ids: &[Uuid]) -> String {
    let list: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    format!("/api/v1/wholesale-prices?listings={}", list.join(","))
}

fn listed(r: &Resp) -> Vec<String> {
    r.arr("prices")
        .iter()
        .filter_map(|p| p["listing_id"].as_str().map(str::to_owned))
        .collect()
}

both_backends! {
    async fn a_business_buyer_gets_each_cards_cheapest_tier_and_a_consumer_none(app) {
        let seller = app.verified_seller().await;
        let other = app.verified_seller().named("梅岭果蔬合作社").await;
        // 10斤装 ¥59.90 with ¥52 from 20 boxes; 5斤装 without tiers.
        let two = app.approved_listing(&seller, &Product::oranges_in_two_sizes("赣南脐橙 礼盒")).await;
        // One SKU, ¥45 with ¥35 from 10 boxes.
        let eggs = app.approved_listing(&other, &Product::eggs()).await;
        let plain = app.approved_listing(&other, &Product::boxes("高山茶油 5斤", 9900, 10).without_tiers()).await;
        let unknown = Uuid::now_v7();
        let ids = [eggs.id, two.id, plain.id, unknown, two.id];

        let business = app.business_buyer().await;
        let r = app.get(&path(&ids), Some(&business.token)).await;
        r.expect_status(200);
        assert_eq!(r.header("cache-control"), Some("private, max-age=30"), "never in a shared cache");
        assert_eq!(listed(&r), vec![eggs.id.to_string(), two.id.to_string()], "in the order asked, once each, only those with tiers: {}", r.text);
        let first = &r.arr("prices")[0];
        assert_eq!((first["price"].as_i64(), first["min_quantity"].as_i64(), first["retail_price"].as_i64()), (Some(3500), Some(10), Some(4500)), "{}", r.text);
        assert_eq!(first["unit"], "box");
        let second = &r.arr("prices")[1];
        assert_eq!((second["price"].as_i64(), second["min_quantity"].as_i64()), (Some(5200), Some(20)));
        assert_eq!(second["sku_id"].as_str(), Some(two.skus[0].id.to_string().as_str()), "the 10斤装 SKU");

        // A consumer, who sees retail prices only, is told nothing.
        let consumer = app.consumer().await;
        let r = app.get(&path(&ids), Some(&consumer.token)).await;
        r.expect_status(200);
        assert!(listed(&r).is_empty(), "{}", r.text);
        // Nobody logged in: asked to log in.
        let r = app.get(&path(&ids), None).await;
        assert_eq!((r.status, r.code()), (401, "unauthenticated"));
        // The operator sees every tier.
        let op = app.operator().await;
        assert_eq!(listed(&app.get(&path(&ids), Some(&op.token)).await).len(), 2);
    }

    async fn a_seller_sees_its_own_tiers_but_not_a_competitors(app) {
        let seller = app.verified_seller().await;
        let rival = app.verified_seller().named("梅岭果蔬合作社").await;
        let mine = app.approved_listing(&seller, &Product::oranges()).await;
        let theirs = app.approved_listing(&rival, &Product::eggs()).await;
        let r = app.get(&path(&[mine.id, theirs.id]), Some(&seller.owner.token)).await;
        r.expect_status(200);
        assert_eq!(listed(&r), vec![mine.id.to_string()], "a competitor's wholesale price stays hidden: {}", r.text);
    }

    async fn drafts_and_delisted_listings_are_never_told(app) {
        let seller = app.verified_seller().await;
        let live = app.approved_listing(&seller, &Product::oranges()).await;
        let gone = app.approved_listing(&seller, &Product::eggs()).await;
        let op = app.operator().await;
        app.post(&format!("/api/v1/admin/listings/{}/delist", gone.id), json!({"reason": "抽检农残超标，暂停销售"}), Some(&op.token))
            .await
            .expect_status(200);
        let cat = app.category("citrus").await;
        let draft = app
            .post(&format!("/api/v1/orgs/{}/listings", seller.org), Product::boxes("新茶 未上架", 8800, 5).body(cat), Some(&seller.owner.token))
            .await;
        draft.expect_status(201);
        let draft_id: Uuid = draft.str("id").parse().expect("an id");

        let business = app.business_buyer().await;
        let r = app.get(&path(&[gone.id, draft_id, live.id]), Some(&business.token)).await;
        r.expect_status(200);
        assert_eq!(listed(&r), vec![live.id.to_string()], "{}", r.text);
    }

    async fn malformed_empty_and_oversized_lists_are_refused(app) {
        let business = app.business_buyer().await;
        let t = Some(business.token.as_str());
        let r = app.get("/api/v1/wholesale-prices", t).await;
        assert_eq!((r.status, r.code()), (400, "invalid_query"), "{}", r.text);
        for bad in ["", ",,", "not-an-id", "1%27%20OR%201%3D1"] {
            let r = app.get(&format!("/api/v1/wholesale-prices?listings={bad}"), t).await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"), "{bad}: {}", r.text);
            assert!(r.field("listings").is_some(), "{bad}: {}", r.text);
        }
        let r = app.get("/api/v1/wholesale-prices?listings=%00", t).await;
        assert_eq!((r.status, r.code()), (400, "control_characters"), "{}", r.text);
        let many: Vec<Uuid> = (0..61).map(|_| Uuid::now_v7()).collect();
        let r = app.get(&path(&many), t).await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"), "{}", r.text);
        let r = app.get(&format!("{}&extra=1", path(&many[..2])), t).await;
        assert_eq!((r.status, r.code()), (400, "invalid_query"), "an unknown parameter: {}", r.text);
        let r = app.get(&path(&many[..60]), t).await;
        r.expect_status(200);
        assert!(listed(&r).is_empty());
    }
}
