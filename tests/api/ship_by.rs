//! Issue #18, handling deadlines: every paid sub-order has a ship-by deadline (48 h after
//! payment by default), shown to the buyer and the seller; a shipment after it is recorded as
//! late so it can count against the seller.

use farmgate_tests::prelude::*;

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("an RFC 3339 time")
        .with_timezone(&chrono::Utc)
}

both_backends! {
    async fn a_paid_part_must_ship_within_48_hours_and_both_sides_see_the_deadline(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let unpaid = app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;
        assert_eq!(unpaid.part().ship_by, None, "no deadline before payment");

        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;

        let part = order.part();
        let paid_at = at(part.paid_at.as_deref().expect("paid"));
        let ship_by = at(part.ship_by.as_deref().expect("a ship-by deadline"));
        assert_eq!(ship_by - paid_at, chrono::Duration::hours(48));
        let seen_by_seller = app.order(order.id, &seller.owner).await;
        assert_eq!(seen_by_seller.part().ship_by, part.ship_by, "the seller sees the same deadline");
        assert!(!part.shipped_late);
    }

    async fn shipping_after_the_deadline_is_recorded_late_and_on_time_is_not(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let on_time = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let late = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.clock.advance(chrono::Duration::hours(47));
        app.ship(&seller.owner, on_time.part().id).await;

        app.clock.advance(chrono::Duration::hours(2));
        app.ship(&seller.owner, late.part().id).await;

        let on_time = app.order(on_time.id, &buyer).await;
        let late = app.order(late.id, &seller.owner).await;
        assert!(!on_time.part().shipped_late, "shipped an hour before the deadline");
        assert!(late.part().shipped_late, "shipped an hour after it");
        assert_eq!(late.part().status, "shipped");
        assert_eq!(app.count("sub_orders", "shipped_late").await, 1);
        // It counts in the seller's handling figures (paid in a period spanning both days).
        let paid_day = at(on_time.part().paid_at.as_deref().expect("paid"))
            .with_timezone(&farmgate_kernel::clock::shanghai())
            .date_naive();
        let to = paid_day + chrono::Duration::days(3);
        let f = app.get(&format!("/api/v1/orgs/{}/fulfilment?from={paid_day}&to={to}", seller.org), Some(&seller.owner.token)).await;
        f.expect_status(200);
        assert_eq!((f.i64("shipped"), f.i64("shipped_late")), (2, 1), "{}", f.text);
    }

    async fn another_seller_and_other_buyers_do_not_see_the_deadline_of_a_part_not_theirs(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let stranger = app.consumer().await;
        let other_seller = app.verified_seller().named("白云山家庭农场").with_listing(Product::eggs()).await;

        for who in [&stranger.token, &other_seller.owner.token] {
            app.get(&format!("/api/v1/orders/{}", order.id), Some(who)).await.expect_status(404);
        }
    }
}
