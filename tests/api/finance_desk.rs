//! Platform finance's desk: the offline orders waiting for their money, found through the
//! operator's order list, which finance may read and nobody selling may.

use farmgate_tests::prelude::*;

both_backends! {
    async fn finance_lists_the_offline_orders_waiting_for_money_and_sellers_cannot(app) {
        let seller = app.verified_seller().with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 20)).await;
        let buyer = app.consumer().await;
        let waiting = app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;
        let online = app.checkout(&buyer, &[(seller.sku, 1)], "gateway").await;
        let paid = app.paid_order(&buyer, &[(seller.sku, 2)]).await;
        let finance = app.finance().await;
        let path = "/api/v1/ops/orders?payment_method=offline&status=pending_payment";

        let r = app.get(path, Some(&finance.token)).await;

        r.expect_status(200);
        assert_eq!(r.i64("total"), 1, "{}", r.text);
        assert_eq!(r.str("items.0.id"), waiting.id.to_string());
        assert_eq!(r.str("items.0.payment_method"), "offline");
        // Finance reads every order; the filters narrow it.
        let all = app.get("/api/v1/ops/orders", Some(&finance.token)).await;
        all.expect_status(200);
        assert_eq!(all.i64("total"), 3, "{}", all.text);
        let ids: Vec<String> = all.arr("items").iter().map(|o| o["id"].as_str().unwrap_or_default().to_owned()).collect();
        assert!(ids.contains(&online.id.to_string()) && ids.contains(&paid.id.to_string()), "{ids:?}");
        // A seller (owed the money), a buyer and an official read no one's orders here.
        for who in [&seller.owner, &buyer.session, &app.official().await] {
            let r = app.get(path, Some(&who.token)).await;
            r.expect_status(403);
        }
        // Not a method.
        let r = app.get("/api/v1/ops/orders?payment_method=cash", Some(&finance.token)).await;
        r.expect_status(400);
    }
}
