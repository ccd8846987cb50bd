//! Pre-sold volume (订单农业, issue #22: "plant to demand") through the real server on both
//! stacks: a seller sees what buyers put a paid deposit on, per product and harvest month (its
//! members and the operator only); officials see it per category and township, with every
//! group of fewer than five distinct buyers hidden and its complement protected.

use crate::presales::{opened, pay_in_sandbox, reserve};
use farmgate_tests::prelude::*;

fn harvest_month(app: &TestApp, days: i64) -> String {
    (app.clock.now() + chrono::Duration::hours(8) + chrono::Duration::days(days))
        .format("%Y-%m")
        .to_string()
}

/// A pre-sale of `product` by a new seller: ¥60.00 a unit, 30 % deposit (¥18.00 a unit).
async fn presale_of(app: &TestApp, product: Product) -> (SellerWithListing, Uuid) {
    let seller = app.verified_seller().with_listing(product).await;
    let day = |d: i64| {
        (app.clock.now() + chrono::Duration::hours(8) + chrono::Duration::days(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    let r = app
        .post(
            &format!("/api/v1/orgs/{}/presales", seller.org),
            json!({
                "sku_id": seller.sku, "plot": "上坪村 3 号地块", "harvest_from": day(60),
                "harvest_to": day(80), "expected_yield": 1000, "max_quantity": 500,
                "price_fen": 6000, "deposit_percent": 30,
                "cancellation_rules": "付定金后 7 天内可取消并全额退定金。",
            }),
            Some(&seller.owner.token),
        )
        .await;
    r.expect_status(201);
    let id = r.id();
    (seller, id)
}

/// `n` new buyers each reserve `quantity` and pay the deposit.
async fn paid_by(app: &TestApp, presale: Uuid, n: usize, quantity: i64) {
    for _ in 0..n {
        let b = app.consumer().await;
        let r = reserve(app, &b, presale, quantity).await;
        r.expect_status(201);
        pay_in_sandbox(app, &b, r.uuid("deposit_order_id")).await;
    }
}

both_backends! {
    async fn a_seller_sees_paid_reservations_per_product_and_harvest_month(app) {
        let o = opened(&app, 100).await;
        paid_by(&app, o.presale, 2, 3).await;
        // A deposit not paid yet is no demand.
        let late = app.consumer().await;
        reserve(&app, &late, o.presale, 4).await.expect_status(201);

        let r = app.get(&format!("/api/v1/orgs/{}/presales/volume", o.seller.org), Some(&o.seller.owner.token)).await;

        r.expect_status(200);
        assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{}", r.text);
        assert_eq!(r.str("0.harvest_month"), harvest_month(&app, 60));
        assert_eq!(r.str("0.sku_id"), o.seller.sku.to_string());
        assert_eq!((r.i64("0.reserved_quantity"), r.i64("0.deposit_fen")), (6, 6 * 1800));
        assert_eq!((r.i64("0.reservations"), r.i64("0.buyers")), (2, 2));
        assert_eq!((r.i64("0.max_quantity"), r.i64("0.expected_yield"), r.i64("0.presales")), (100, 1000, 1));
        let by_operator = app.get(&format!("/api/v1/orgs/{}/presales/volume", o.seller.org), Some(&app.operator().await.token)).await;
        by_operator.expect_status(200);
        assert_eq!(by_operator.i64("0.reserved_quantity"), 6);
    }

    async fn nobody_outside_the_seller_reads_its_presold_volume(app) {
        let o = opened(&app, 100).await;
        paid_by(&app, o.presale, 1, 3).await;
        let other = app.verified_seller().with_listing(Product::eggs()).await;
        let path = format!("/api/v1/orgs/{}/presales/volume", o.seller.org);

        let by_other = app.get(&path, Some(&other.owner.token)).await;
        let by_consumer = app.get(&path, Some(&app.consumer().await.token)).await;
        let by_official = app.get(&path, Some(&app.official().await.token)).await;
        let anonymous = app.get(&path, None).await;
        let not_an_id = app.get("/api/v1/orgs/nope/presales/volume", Some(&o.seller.owner.token)).await;

        by_other.expect_status(403);
        by_consumer.expect_status(403);
        by_official.expect_status(403);
        anonymous.expect_status(401);
        not_an_id.expect_status(404);
        // Its own empty figures for the other seller.
        let own = app.get(&format!("/api/v1/orgs/{}/presales/volume", other.org), Some(&other.owner.token)).await;
        own.expect_status(200);
        assert_eq!(own.text.trim(), "[]");
    }

    async fn officials_see_presold_volume_with_small_groups_and_their_complement_hidden(app) {
        let official = app.official().await;
        let (_, tea) = presale_of(&app, Product::boxes("崇义绿茶 250克", 8800, 30).in_category("green-tea")).await;
        paid_by(&app, tea, 1, 1).await;

        // One buyer in all: nothing is shown, not even the total.
        let few = app.get("/api/v1/stats/presold?by=category", Some(&official.token)).await;
        few.expect_status(200);
        assert!(few.bool("total.suppressed"), "{}", few.text);
        assert!(few.body["total"]["deposit_fen"].is_null() && few.body["rows"].as_array().is_some_and(Vec::is_empty), "{}", few.text);

        let (_, oranges) = presale_of(&app, Product::oranges()).await;
        paid_by(&app, oranges, 6, 1).await;
        let (_, eggs) = presale_of(&app, Product::eggs().in_category("eggs")).await;
        paid_by(&app, eggs, 5, 2).await;

        let r = app.get("/api/v1/stats/presold?by=category", Some(&official.token)).await;

        r.expect_status(200);
        assert_eq!(r.i64("total.deposit_fen"), (10 + 6 + 1) * 1800);
        assert_eq!(r.i64("total.buyers"), 12);
        assert_eq!(r.i64("total.reservations"), 12);
        assert_eq!(r.i64("total.quantities.box"), 17);
        // Eggs (5 buyers) stand alone; tea (1 buyer) is hidden, and with it the smallest listed
        // group (oranges), so total − listed cannot be read as tea's figures.
        let rows = r.body["rows"].as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 1, "{}", r.text);
        assert_eq!((r.i64("rows.0.buyers"), r.i64("rows.0.deposit_fen")), (5, 10 * 1800));
        assert!(r.str("rows.0.label").contains("蛋"), "{}", r.text);
        assert_eq!(r.i64("other_groups"), 2);
        assert_eq!(r.i64("other.deposit_fen"), 7 * 1800);
        assert!(r.body["other"]["buyers"].is_null());
        assert!(!r.text.contains("绿茶"), "{}", r.text);

        // By township: all three grow in 梅岭镇, one group of twelve buyers.
        let t = app.get("/api/v1/stats/presold?by=township", Some(&official.token)).await;
        t.expect_status(200);
        assert_eq!((t.str("rows.0.key"), t.i64("rows.0.buyers")), ("梅岭镇", 12));
        assert!(t.body["other"].is_null(), "{}", t.text);
        // The default: category × township.
        let both = app.get("/api/v1/stats/presold", Some(&official.token)).await;
        both.expect_status(200);
        assert_eq!(both.str("by"), "category_township");
        assert_eq!(both.i64("other_groups"), 2);
    }

    async fn only_officials_read_presold_volume_and_a_bad_breakdown_is_named(app) {
        let seller = app.verified_seller().with_listing(Product::oranges()).await;

        let by_seller = app.get("/api/v1/stats/presold", Some(&seller.owner.token)).await;
        let by_operator = app.get("/api/v1/stats/presold", Some(&app.operator().await.token)).await;
        let by_consumer = app.get("/api/v1/stats/presold", Some(&app.consumer().await.token)).await;
        let anonymous = app.get("/api/v1/stats/presold", None).await;
        let bad = app.get("/api/v1/stats/presold?by=seller", Some(&app.official().await.token)).await;
        let long = app.get(&format!("/api/v1/stats/presold?by={}", "x".repeat(300)), Some(&app.official().await.token)).await;

        by_seller.expect_status(403);
        by_operator.expect_status(403);
        by_consumer.expect_status(403);
        anonymous.expect_status(401);
        bad.expect_status(422);
        assert_eq!(bad.field_code("by"), Some("unknown"), "{}", bad.text);
        long.expect_status(422);
        let empty = app.get("/api/v1/stats/presold", Some(&app.official().await.token)).await;
        empty.expect_status(200);
        assert_eq!(empty.i64("total.deposit_fen"), 0);
        assert!(!empty.bool("total.suppressed"));
    }
}
