//! Issue #18, a replacement's ship-by: a reship accepted on a claim makes a zero-price
//! replacement part. It gets the same reminder as a paid part and, unsent a grace period after
//! its deadline (or cancelled by the buyer once overdue), it is called off — and since nothing
//! was paid for it, the buyer gets the reshipped units' money back on the part they replace,
//! charged to the seller, once, also when the worker retries or races the seller shipping.

use farmgate_aftersales::UnsentReplacementJob;
use farmgate_infra::outbox::entity::event;
use farmgate_infra::outbox::{OutboxEvent, OutboxHandler};
use farmgate_orders::DeadlineJob;
use farmgate_tests::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn hours(n: i64) -> chrono::Duration {
    chrono::Duration::hours(n)
}

async fn pass(app: &TestApp, by: chrono::Duration) {
    app.clock.advance(by);
    app.state.infra.outbox.wake();
    app.outbox_drained().await;
}

/// The outbox events of `topic` about `sub_order`, as a handler sees them.
async fn events_about(app: &TestApp, topic: &str, sub_order: Uuid) -> Vec<OutboxEvent> {
    event::Entity::find()
        .filter(event::Column::Topic.eq(topic))
        .all(&app.state.infra.db)
        .await
        .expect("outbox query")
        .into_iter()
        .filter(|e| e.payload["sub_order_id"] == json!(sub_order))
        .map(|e| OutboxEvent {
            id: e.id,
            topic: e.topic,
            payload: e.payload,
            created_at: e.created_at,
            attempts: e.attempts,
        })
        .collect()
}

/// A received order of three boxes, a claim for one, a reship offered and accepted: the
/// parcel, the claim and the replacement part.
async fn reshipped(app: &TestApp) -> (ReceivedOrder, Claim, Uuid) {
    let parcel = app.received_order(3).await;
    let claim = app
        .claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 1)
        .await;
    app.post(
        &format!("/api/v1/claims/{}/respond", claim.id),
        json!({"decision": "reship", "note": "今天补发一箱"}),
        Some(&parcel.seller.owner.token),
    )
    .await
    .expect_status(200);
    let done = app
        .post_empty(
            &format!("/api/v1/claims/{}/accept", claim.id),
            Some(&parcel.buyer.token),
        )
        .await;
    done.expect_status(200);
    let done: Claim = done.json();
    let replacement = done
        .events
        .iter()
        .find(|e| e.kind == "accepted")
        .expect("accepted")
        .data
        .uuid("replacement_sub_order_id");
    (parcel, done, replacement)
}

/// Refunds made for unsent replacements.
async fn unsent_refunds(app: &TestApp) -> i64 {
    app.count("refunds", "idempotency_key LIKE 'claim:%:unsent'")
        .await
}

both_backends! {
    async fn an_unsent_replacement_reminds_the_seller_then_lapses_and_refunds_the_reshipped_units_once(app) {
        let (parcel, claim, replacement) = reshipped(&app).await;
        let order = app.order(parcel.order_id, &parcel.buyer).await;
        let part = order.sub_order(replacement);
        assert!(part.ship_by.is_some(), "a replacement has a ship-by deadline");
        let unit = parcel.order.part().lines[0].unit_price;

        pass(&app, hours(36)).await;
        assert_eq!(events_about(&app, "orders.ship_by_near", replacement).await.len(), 1, "the seller is reminded");
        pass(&app, hours(36)).await;

        let seen = app.order(parcel.order_id, &parcel.buyer).await;
        assert_eq!(seen.sub_order(replacement).status, "cancelled", "called off unsent");
        let original = seen.sub_order(parcel.sub_order_id);
        assert_eq!(original.refunded, unit, "the reshipped box's price, on the part it replaces");
        assert_eq!(unsent_refunds(&app).await, 1);
        let after = app.get(&format!("/api/v1/claims/{}", claim.id), Some(&parcel.buyer.token)).await;
        after.expect_status(200);
        assert!(after.text.contains("unsent_replacement"), "the claim's log says so: {}", after.text);

        // The worker handles it again, twice at once, and the lapse again: nothing more.
        let cancelled = events_about(&app, "orders.replacement_cancelled", replacement).await;
        assert_eq!(cancelled.len(), 1, "one event, written with the cancellation");
        let (a, b) = (UnsentReplacementJob::new(app.state.aftersales.clone()), UnsentReplacementJob::new(app.state.aftersales.clone()));
        let (x, y) = tokio::join!(a.handle(&cancelled[0]), b.handle(&cancelled[0]));
        x.expect("worker a");
        y.expect("worker b");
        for lapse in events_about(&app, "orders.ship_by_lapse", replacement).await {
            DeadlineJob::new(app.state.orders.clone()).handle(&lapse).await.expect("lapse again");
        }
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        assert_eq!(unsent_refunds(&app).await, 1, "refunded once");
        let seen = app.order(parcel.order_id, &parcel.buyer).await;
        assert_eq!(seen.sub_order(parcel.sub_order_id).refunded, unit);
    }

    async fn the_buyer_cancels_an_overdue_replacement_and_gets_the_units_money_but_not_before_the_deadline(app) {
        let (parcel, _claim, replacement) = reshipped(&app).await;
        let unit = parcel.order.part().lines[0].unit_price;
        let path = format!("/api/v1/sub-orders/{replacement}/cancel");
        let early = app.post(&path, json!({}), Some(&parcel.buyer.token)).await;
        early.expect_status(409);
        assert_eq!(early.code(), "not_overdue");
        // Not the seller, not a stranger.
        app.post(&path, json!({}), Some(&parcel.seller.owner.token)).await.expect_status(403);
        let stranger = app.consumer().await;
        app.post(&path, json!({}), Some(&stranger.token)).await.expect_status(404);

        pass(&app, hours(48) + chrono::Duration::seconds(1)).await;
        app.post(&path, json!({"reason": "补发一直没发"}), Some(&parcel.buyer.token)).await.expect_status(200);
        app.post(&path, json!({}), Some(&parcel.buyer.token)).await.expect_status(200);
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        let seen = app.order(parcel.order_id, &parcel.buyer).await;
        assert_eq!(seen.sub_order(replacement).status, "cancelled");
        assert_eq!(seen.sub_order(parcel.sub_order_id).refunded, unit);
        pass(&app, hours(30)).await;
        assert_eq!(unsent_refunds(&app).await, 1, "the lapse later adds nothing");
    }

    async fn a_replacement_shipped_in_time_is_not_refunded_and_the_seller_racing_the_worker_wins_or_loses_whole(app) {
        // Shipped before the lapse: nothing happens at the lapse.
        let (parcel, _claim, replacement) = reshipped(&app).await;
        app.ship(&parcel.seller.owner, replacement).await;
        pass(&app, hours(80)).await;
        let seen = app.order(parcel.order_id, &parcel.buyer).await;
        assert_ne!(seen.sub_order(replacement).status, "cancelled");
        assert_eq!(seen.sub_order(parcel.sub_order_id).refunded, 0);
        assert_eq!(unsent_refunds(&app).await, 0);

        // At the lapse, the seller ships as the worker calls it off: one of them wins.
        for round in 0..3 {
            let (parcel, _claim, replacement) = reshipped(&app).await;
            let lapse = events_about(&app, "orders.ship_by_lapse", replacement).await;
            assert_eq!(lapse.len(), 1);
            app.clock.advance(hours(72));
            let job = DeadlineJob::new(app.state.orders.clone());
            let ship = format!("/api/v1/sub-orders/{replacement}/ship");
            let body = json!({"carrier": "顺丰速运", "tracking_no": format!("SF39{round:08}")});
            let (worker, shipped) = tokio::join!(job.handle(&lapse[0]), app.post(&ship, body, Some(&parcel.seller.owner.token)));
            worker.expect("the worker");
            app.state.infra.outbox.wake();
            app.outbox_drained().await;
            let seen = app.order(parcel.order_id, &parcel.buyer).await;
            let part = seen.sub_order(replacement);
            let refunded = seen.sub_order(parcel.sub_order_id).refunded;
            if shipped.status == 200 {
                assert_eq!(part.status, "shipped", "round {round}");
                assert_eq!(refunded, 0, "round {round}: shipped, so nothing refunded");
            } else {
                assert_eq!(shipped.status, 409, "round {round}: {}", shipped.text);
                assert_eq!(part.status, "cancelled", "round {round}");
                assert_eq!(refunded, parcel.order.part().lines[0].unit_price, "round {round}");
            }
        }
    }
}
