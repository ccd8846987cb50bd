//! The operator's platform analytics (issue #20) through the real server: platform-wide sales,
//! new and returning buyers, top sellers and products, claims and the service desk — equal to
//! the officials' statistics and the seller's own analytics for the same period, but without
//! the officials' small-group suppression; CSV/XLSX downloads without personal data; the
//! operator and platform finance only.

use farmgate_tests::prelude::*;

fn boxes(name: &str, price: i64) -> Product {
    Product::boxes(name, price, 500)
        .sku_name("5斤装")
        .weight_grams(2800)
        .net_weight_grams(2500)
        .without_tiers()
        .from_township("梅岭镇")
        .in_category("citrus")
}

both_backends! {
    async fn the_operator_sees_the_same_totals_as_officials_and_sellers_and_small_groups_unsuppressed(app) {
        let coop = app.verified_seller().named("梅岭脐橙专业合作社").with_listing(boxes("梅岭脐橙", 3990)).await;
        let farm = app.verified_seller().named("水南家庭农场").with_listing(boxes("水南脐橙", 1990)).await;
        // Six buyers of the cooperative, one of whom also buys from the farm (the farm has a
        // single buyer: a group the officials never show); one buyer comes back.
        let mut buyers = Vec::new();
        for i in 0..6i64 {
            let b = app.consumer().named("买家").in_city("广东省", "深圳市").await;
            let mut items = vec![(coop.sku, 1 + i)];
            if i == 0 {
                items.push((farm.sku, 2));
            }
            app.paid_order(&b, &items).await;
            buyers.push(b);
        }
        app.paid_order(&buyers[1], &[(coop.sku, 1)]).await;
        app.outbox_drained().await;
        let day = app.today_in_china();
        let op = app.operator().await;
        let official = app.official().await;
        let url = format!("/api/v1/analytics/platform?from={day}&to={day}");

        let r = app.get(&url, Some(&op.token)).await;

        r.expect_status(200);
        // Equal to the officials' total for the same day.
        let county = app.get(&format!("/api/v1/stats/sales?from={day}&to={day}&by=day"), Some(&official.token)).await;
        county.expect_status(200);
        for f in ["orders", "buyers", "lines", "goods_fen", "shipping_fen", "gmv_fen", "refund_fen", "net_fen"] {
            assert_eq!(r.at(&format!("total.{f}")), county.at(&format!("total.{f}")), "total {f}");
        }
        assert_eq!((r.i64("total.orders"), r.i64("total.buyers")), (7, 6));
        assert_eq!(r.i64("total.goods_fen"), (1 + 2 + 3 + 4 + 5 + 6 + 1) * 3990 + 2 * 1990);
        // All six are new today (first purchase ever), none returning.
        assert_eq!((r.i64("total.new_buyers"), r.i64("total.returning_buyers")), (6, 0));
        assert_eq!(r.len_of("series"), 1);
        assert_eq!(r.at("series.0.gmv_fen"), r.at("total.gmv_fen"));
        // Top sellers: both, the one-buyer farm included — the officials hide it.
        assert_eq!(r.strings("top_sellers", "key"), [coop.org.to_string(), farm.org.to_string()]);
        assert_eq!(r.i64("top_sellers.1.buyers"), 1);
        assert_eq!(r.i64("top_sellers.1.goods_fen"), 2 * 1990);
        let by_seller = app.get(&format!("/api/v1/stats/sales?from={day}&to={day}&by=seller"), Some(&official.token)).await;
        assert!(!by_seller.text.contains(&farm.org.to_string()), "officials do not see the farm alone");
        // Each seller's row equals its own analytics.
        for s in [&coop, &farm] {
            let own = app.get(&format!("/api/v1/analytics/sellers/{}/sales?from={day}&to={day}", s.org), Some(&s.owner.token)).await;
            let row = r.find("top_sellers", "key", s.org.to_string().as_str()).clone();
            for f in ["orders", "buyers", "lines", "goods_fen", "shipping_fen"] {
                assert_eq!(&row[f], own.at(&format!("total.{f}")), "{f} of {}", s.org);
            }
        }
        assert_eq!(r.strings("top_products", "key"), [coop.listing.to_string(), farm.listing.to_string()]);
        assert_eq!((r.i64("sellers"), r.i64("products")), (2, 2));
        // Claims: as the officials' after-sales view counts them.
        let quality = app.get(&format!("/api/v1/stats/aftersales?from={day}&to={day}"), Some(&official.token)).await;
        for f in ["delivered", "claims", "claim_rate_bp"] {
            assert_eq!(r.at(&format!("claims.{f}")), quality.at(&format!("total.{f}")), "claims {f}");
        }
        assert_eq!(r.i64("desk.conversations"), 0);
        // No buyer named anywhere.
        for b in &buyers {
            assert!(!r.text.contains(&b.phone) && !r.text.contains(&b.account_id.to_string()));
        }

        // Downloads: the series with the total first, the sellers, the claims; no phone.
        let csv = app.get(&format!("{url}&format=csv"), Some(&op.token)).await;
        csv.expect_status(200);
        assert!(csv.header("content-type").is_some_and(|c| c.contains("csv")));
        assert!(csv.text.contains("全平台") && csv.text.contains("新买家"), "{}", csv.text);
        let sellers = app.get(&format!("{url}&format=csv&view=sellers"), Some(&op.token)).await;
        assert!(sellers.text.contains("水南家庭农场") && sellers.text.contains("39.80"), "{}", sellers.text);
        for b in &buyers {
            assert!(!csv.text.contains(&b.phone) && !sellers.text.contains(&b.phone));
        }
        let xlsx = app.get(&format!("{url}&format=xlsx&view=claims"), Some(&op.token)).await;
        xlsx.expect_status(200);
        assert!(xlsx.header("content-disposition").is_some_and(|c| c.contains(".xlsx")));
        // Platform finance may read it too.
        app.get(&url, Some(&app.finance().await.token)).await.expect_status(200);
    }

    async fn a_buyer_who_bought_before_the_period_is_returning(app) {
        let coop = app.verified_seller().named("梅岭脐橙专业合作社").with_listing(boxes("梅岭脐橙", 3990)).await;
        let old = app.consumer().await;
        app.paid_order(&old, &[(coop.sku, 1)]).await;
        app.outbox_drained().await;
        app.clock.advance(chrono::Duration::days(2));
        let fresh = app.consumer().await;
        app.paid_order(&old, &[(coop.sku, 1)]).await;
        app.paid_order(&fresh, &[(coop.sku, 2)]).await;
        app.outbox_drained().await;
        let day = app.today_in_china();
        let op = app.operator().await;

        let today = app.get(&format!("/api/v1/analytics/platform?from={day}&to={day}"), Some(&op.token)).await;
        let from = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").expect("a date") - chrono::Duration::days(2);
        let both = app.get(&format!("/api/v1/analytics/platform?from={from}&to={day}&by=day"), Some(&op.token)).await;

        today.expect_status(200);
        assert_eq!((today.i64("total.buyers"), today.i64("total.new_buyers"), today.i64("total.returning_buyers")), (2, 1, 1));
        assert_eq!((both.i64("total.buyers"), both.i64("total.new_buyers"), both.i64("total.returning_buyers")), (2, 2, 0));
        assert_eq!(both.len_of("series"), 3);
        assert_eq!((both.i64("series.0.new_buyers"), both.i64("series.2.new_buyers"), both.i64("series.2.returning_buyers")), (1, 1, 1));
        assert_eq!(both.i64("series.1.orders"), 0);
    }

    async fn only_the_operator_and_finance_read_platform_analytics_and_bad_questions_get_field_errors(app) {
        let shop = app.verified_seller().with_listing(boxes("梅岭脐橙", 3990)).await;
        let buyer = app.consumer().await;
        let day = app.today_in_china();
        let url = format!("/api/v1/analytics/platform?from={day}&to={day}");
        assert_eq!(app.get(&url, None).await.status, 401);
        for who in [&app.official().await, &app.agent().await, &shop.owner, &*buyer] {
            let r = app.get(&url, Some(&who.token)).await;
            assert_eq!((r.status, r.code()), (403, "forbidden"));
        }
        let op = app.operator().await;
        let cases: Vec<(String, &str, &str)> = vec![
            (format!("{url}&by=year"), "by", "unknown"),
            (format!("{url}&format=pdf"), "format", "unknown"),
            (format!("{url}&format=csv&view=buyers"), "view", "unknown"),
            (format!("{url}&limit=0"), "limit", "out_of_range"),
            (format!("{url}&limit=101"), "limit", "out_of_range"),
            (format!("{url}&limit=99999999999999999999"), "limit", "out_of_range"),
            ("/api/v1/analytics/platform?from=2024-01-01&to=2026-01-01&by=month".into(), "to", "too_long"),
            ("/api/v1/analytics/platform?from=2026-05-01&to=2026-04-01".into(), "to", "before_from"),
            ("/api/v1/analytics/platform?to=2026-04-01".into(), "from", "required"),
        ];
        for (q, field, code) in cases {
            let r = app.get(&q, Some(&op.token)).await;
            assert_eq!((r.status, r.field_code(field)), (422, Some(code)), "{q}: {}", r.text);
        }
    }
}
