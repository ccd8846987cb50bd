//! Issue #18, handling deadlines after the ship-by deadline: the seller's reminder before it;
//! the buyer's cancel-for-refund once it has passed; the automatic cancellation a grace period
//! later, once, even against the buyer and a second worker at the same moment; and the
//! buyer's request to cancel that the seller accepts or refuses within a limit (unanswered:
//! accepted; shipping refuses it). Every way refunds in full once and returns the stock.

use farmgate_infra::outbox::entity::event;
use farmgate_infra::outbox::{OutboxEvent, OutboxHandler};
use farmgate_orders::DeadlineJob;
use farmgate_tests::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn hours(n: i64) -> chrono::Duration {
    chrono::Duration::hours(n)
}

/// Moves the clock on and lets the worker deliver what fell due.
async fn pass(app: &TestApp, by: chrono::Duration) {
    app.clock.advance(by);
    app.state.infra.outbox.wake();
    app.outbox_drained().await;
}

/// The outbox events of `topic`, as a handler sees them.
async fn events(app: &TestApp, topic: &str) -> Vec<OutboxEvent> {
    event::Entity::find()
        .filter(event::Column::Topic.eq(topic))
        .all(&app.state.infra.db)
        .await
        .expect("outbox query")
        .into_iter()
        .map(|e| OutboxEvent {
            id: e.id,
            topic: e.topic,
            payload: e.payload,
            created_at: e.created_at,
            attempts: e.attempts,
        })
        .collect()
}

async fn stock(app: &TestApp, seller: &SellerWithListing) -> i64 {
    app.listing(seller.listing, None).await.skus[0].stock
}

/// In-app notifications of `kind` (to anyone).
async fn notified(app: &TestApp, kind: &str) -> i64 {
    app.count(
        "notifications",
        &format!("kind = '{kind}' AND channel = 'in_app'"),
    )
    .await
}

fn cancel_path(part: uuid::Uuid) -> String {
    format!("/api/v1/sub-orders/{part}/cancel")
}

fn request_path(part: uuid::Uuid, what: &str) -> String {
    format!("/api/v1/sub-orders/{part}/cancel-request{what}")
}

/// The `cause` of the part's `cancelled` event.
fn cancel_cause(order: &Order, part: uuid::Uuid) -> String {
    order
        .events
        .iter()
        .filter(|e| e.kind == "cancelled" && e.sub_order_id == Some(part))
        .map(|e| e.data["cause"].as_str().unwrap_or("").to_owned())
        .collect::<Vec<_>>()
        .join(",")
}

both_backends! {
    async fn the_seller_is_reminded_before_the_deadline_once_and_not_of_a_part_already_shipped(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let waiting = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let shipped = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.ship(&seller.owner, shipped.part().id).await;

        pass(&app, hours(35)).await;
        assert_eq!(events(&app, "orders.ship_by_near").await.len(), 0, "not yet: 13 h left");
        pass(&app, hours(1)).await;

        let near = events(&app, "orders.ship_by_near").await;
        assert_eq!(near.len(), 1, "one reminder, for the part still waiting");
        assert_eq!(near[0].payload["sub_order_id"].as_str(), Some(waiting.part().id.to_string().as_str()));
        // The scheduled event handled again, and by two workers at once: no second reminder.
        let remind = events(&app, "orders.ship_by_remind").await;
        assert_eq!(remind.len(), 2);
        let (a, b) = (DeadlineJob::new(app.state.orders.clone()), DeadlineJob::new(app.state.orders.clone()));
        for e in &remind {
            let (x, y) = tokio::join!(a.handle(e), b.handle(e));
            x.expect("worker a");
            y.expect("worker b");
        }
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        assert_eq!(events(&app, "orders.ship_by_near").await.len(), 1);
        assert_eq!(notified(&app, "ship_by_near").await, 1, "the seller's one member, once");
        let seen = app.order(waiting.id, &seller.owner).await;
        assert!(seen.event_kinds().contains(&"ship_by_reminded"));
    }

    async fn after_the_deadline_the_buyer_cancels_at_once_for_a_full_refund_and_the_stock_returns(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let before = stock(&app, &seller).await;
        let order = app.paid_order(&buyer, &[(seller.sku, 2)]).await;
        let part = order.part().id;
        assert_eq!(stock(&app, &seller).await, before - 2);
        assert!(order.part().can_request_cancel);

        let early = app.post(&cancel_path(part), json!({}), Some(&buyer.token)).await;
        early.expect_status(409);
        assert_eq!(early.code(), "not_overdue");

        pass(&app, hours(48) + chrono::Duration::seconds(1)).await;
        let r = app.post(&cancel_path(part), json!({"reason": "等不及了"}), Some(&buyer.token)).await;
        r.expect_status(200);
        let cancelled: Order = r.json();
        assert_eq!(cancelled.part().status, "cancelled");
        assert_eq!(cancelled.part().refunded, order.part().total, "refunded in full");
        assert_eq!(cancel_cause(&cancelled, part), "overdue");
        assert_eq!(stock(&app, &seller).await, before, "the stock is back");

        // Clicked again, and the automatic cancellation later: nothing more.
        app.post(&cancel_path(part), json!({}), Some(&buyer.token)).await.expect_status(200);
        pass(&app, hours(25)).await;
        assert_eq!(app.count("refunds", "amount_fen > 0").await, 1, "one refund");
        assert_eq!(stock(&app, &seller).await, before, "the stock went back once");
        assert_eq!(events(&app, "orders.cancelled_late").await.len(), 1);
        assert_eq!(notified(&app, "order_cancelled_late").await, 2, "the buyer and the seller's member");
        let seen = app.order(order.id, &seller.owner).await;
        assert_eq!(seen.part().status, "cancelled", "the seller sees it");
    }

    async fn only_the_buyer_cancels_an_overdue_part_and_not_once_it_has_shipped(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let shipped = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        pass(&app, hours(49)).await;
        app.ship(&seller.owner, shipped.part().id).await;
        let part = order.part().id;
        let stranger = app.consumer().await;
        let other = app.verified_seller().named("白云山家庭农场").with_listing(Product::eggs()).await;
        let operator = app.operator().await;

        for (who, status, code) in [
            (&stranger.token, 404, "not_found"),
            (&other.owner.token, 404, "not_found"),
            (&seller.owner.token, 403, "forbidden"),
            (&operator.token, 403, "forbidden"),
        ] {
            let r = app.post(&cancel_path(part), json!({}), Some(who)).await;
            r.expect_status(status);
            assert_eq!(r.code(), code);
        }
        assert_eq!(app.post(&cancel_path(part), json!({}), None).await.status, 401);
        let bad = app.post(&cancel_path(part), json!({"reason": 5}), Some(&buyer.token)).await;
        bad.expect_status(422);
        let long = app.post(&cancel_path(part), json!({"reason": "长".repeat(201)}), Some(&buyer.token)).await;
        long.expect_status(422);
        let after = app.post(&cancel_path(shipped.part().id), json!({}), Some(&buyer.token)).await;
        after.expect_status(409);
        assert_eq!(after.code(), "cannot_cancel");
        let nobody = app.post(&cancel_path(uuid::Uuid::new_v4()), json!({}), Some(&buyer.token)).await;
        nobody.expect_status(404);
        assert_eq!(app.count("refunds", "1 = 1").await, 0, "nothing refunded");
        assert_eq!(app.order(order.id, &buyer).await.part().status, "paid");
    }

    async fn an_unshipped_part_is_cancelled_and_refunded_automatically_after_the_grace_period(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let before = stock(&app, &seller).await;
        let lapsing = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let late = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        pass(&app, hours(60)).await;
        app.ship(&seller.owner, late.part().id).await;
        assert_eq!(app.order(lapsing.id, &buyer).await.part().status, "paid", "not yet");

        pass(&app, hours(12)).await;

        let order = app.order(lapsing.id, &buyer).await;
        assert_eq!(order.part().status, "cancelled");
        assert_eq!(order.part().refunded, order.part().total);
        assert_eq!(cancel_cause(&order, order.part().id), "lapsed");
        let shipped = app.order(late.id, &buyer).await;
        assert_eq!((shipped.part().status.as_str(), shipped.part().shipped_late), ("shipped", true), "shipped late is not cancelled");
        assert_eq!(stock(&app, &seller).await, before - 1, "the lapsed part's box is back");
        assert_eq!(notified(&app, "order_cancelled_late").await, 2, "the buyer and the seller");
        assert_eq!(app.count("refunds", "1 = 1").await, 1);
    }

    async fn the_automatic_cancellation_racing_the_buyer_and_a_second_worker_refunds_once(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let before = stock(&app, &seller).await;
        let order = app.paid_order(&buyer, &[(seller.sku, 3)]).await;
        let part = order.part().id;
        let lapse = events(&app, "orders.ship_by_lapse").await;
        assert_eq!(lapse.len(), 1, "scheduled at payment");

        // The deadline and the grace period pass; the background worker, two more workers
        // and the buyer all go for it at once.
        app.clock.advance(hours(72));
        let (a, b) = (DeadlineJob::new(app.state.orders.clone()), DeadlineJob::new(app.state.orders.clone()));
        let path = cancel_path(part);
        app.state.infra.outbox.wake();
        let (x, y, by_buyer) = tokio::join!(
            a.handle(&lapse[0]),
            b.handle(&lapse[0]),
            app.post(&path, json!({}), Some(&buyer.token)),
        );
        x.expect("worker a");
        y.expect("worker b");
        by_buyer.expect_status(200);
        app.outbox_drained().await;

        let seen = app.order(order.id, &buyer).await;
        assert_eq!(seen.part().status, "cancelled");
        assert_eq!(app.count("refunds", "1 = 1").await, 1, "exactly one refund");
        assert_eq!(seen.part().refunded, seen.part().total);
        assert_eq!(seen.events.iter().filter(|e| e.kind == "cancelled").count(), 1, "one cancellation");
        assert_eq!(stock(&app, &seller).await, before, "three boxes back, once");
        assert_eq!(events(&app, "orders.cancelled_late").await.len(), 1);
    }

    async fn the_seller_refuses_a_cancel_request_with_a_reason_and_the_buyer_is_told(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let part = order.part().id;

        let r = app.post(&request_path(part, ""), json!({"reason": "买错了规格"}), Some(&buyer.token)).await;
        r.expect_status(200);
        let asked: Order = r.json();
        let req = asked.part().cancel_request.clone().expect("a request");
        assert_eq!(req["status"], "open");
        assert_eq!(req["reason"], "买错了规格");
        assert!(!asked.part().can_request_cancel, "asked once");
        let again = app.post(&request_path(part, ""), json!({"reason": "再问一次"}), Some(&buyer.token)).await;
        again.expect_status(409);
        assert_eq!(again.code(), "cancel_already_requested");
        assert!(app.order(order.id, &seller.owner).await.part().can_answer_cancel);
        app.outbox_drained().await;
        assert_eq!(notified(&app, "cancel_requested").await, 1, "the seller's member");

        let r = app.post(&request_path(part, "/refuse"), json!({"reason": "已打包待发"}), Some(&seller.owner.token)).await;
        r.expect_status(200);
        let refused: Order = r.json();
        let req = refused.part().cancel_request.clone().expect("a request");
        assert_eq!((req["status"].as_str(), req["refusal"].as_str()), (Some("refused"), Some("已打包待发")));
        assert_eq!(refused.part().status, "paid");
        let accept = app.post_empty(&request_path(part, "/accept"), Some(&seller.owner.token)).await;
        accept.expect_status(409);
        assert_eq!(accept.code(), "cancel_request_closed");
        // The answer limit passing later changes nothing.
        pass(&app, hours(25)).await;
        assert_eq!(notified(&app, "cancel_refused").await, 1, "the buyer is told");
        let seen = app.order(order.id, &buyer).await;
        assert_eq!(seen.part().status, "paid");
        assert_eq!(app.count("refunds", "1 = 1").await, 0);
    }

    async fn an_accepted_or_unanswered_request_cancels_and_refunds_in_full(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let before = stock(&app, &seller).await;
        let accepted = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let unanswered = app.paid_order(&buyer, &[(seller.sku, 2)]).await;
        for o in [&accepted, &unanswered] {
            app.post(&request_path(o.part().id, ""), json!({"reason": "不需要了"}), Some(&buyer.token)).await.expect_status(200);
        }

        let r = app.post_empty(&request_path(accepted.part().id, "/accept"), Some(&seller.owner.token)).await;
        r.expect_status(200);
        let done: Order = r.json();
        assert_eq!(done.part().status, "cancelled");
        assert_eq!(done.part().refunded, done.part().total);
        assert_eq!(cancel_cause(&done, done.part().id), "request_accepted");
        app.post_empty(&request_path(accepted.part().id, "/accept"), Some(&seller.owner.token)).await.expect_status(200);

        pass(&app, hours(24)).await;
        let lapsed = app.order(unanswered.id, &buyer).await;
        assert_eq!(lapsed.part().status, "cancelled", "unanswered in 24 h: accepted");
        assert_eq!(lapsed.part().cancel_request.as_ref().map(|r| r["status"].clone()), Some(json!("accepted")));
        assert_eq!(cancel_cause(&lapsed, lapsed.part().id), "request_unanswered");
        let late = app.post(&request_path(unanswered.part().id, "/refuse"), json!({"reason": "太晚了吗"}), Some(&seller.owner.token)).await;
        late.expect_status(409);
        assert_eq!(late.code(), "cancel_request_closed");
        assert_eq!(app.count("refunds", "1 = 1").await, 2, "one refund each");
        assert_eq!(stock(&app, &seller).await, before);
        assert_eq!(notified(&app, "cancel_accepted").await, 2, "the buyer, each time");
    }

    async fn a_refusal_after_the_limit_is_refused_and_the_request_counts_as_accepted(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let part = order.part().id;
        app.post(&request_path(part, ""), json!({"reason": "不需要了"}), Some(&buyer.token)).await.expect_status(200);

        // At the limit: the worker may or may not have accepted it yet; either way no refusal.
        app.clock.advance(hours(24));
        let late = app.post(&request_path(part, "/refuse"), json!({"reason": "不同意"}), Some(&seller.owner.token)).await;
        late.expect_status(409);
        assert!(["answer_too_late", "cancel_request_closed"].contains(&late.code()), "{}", late.code());
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        assert_eq!(app.order(order.id, &buyer).await.part().status, "cancelled");
        assert_eq!(app.count("refunds", "1 = 1").await, 1);
    }

    async fn shipping_refuses_an_open_request_and_a_shipped_part_cannot_be_asked_for(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let part = order.part().id;
        app.post(&request_path(part, ""), json!({"reason": "不需要了"}), Some(&buyer.token)).await.expect_status(200);

        app.ship(&seller.owner, part).await;

        let seen = app.order(order.id, &buyer).await;
        assert_eq!(seen.part().status, "shipped");
        assert_eq!(seen.part().cancel_request.as_ref().map(|r| r["status"].clone()), Some(json!("refused")));
        let accept = app.post_empty(&request_path(part, "/accept"), Some(&seller.owner.token)).await;
        accept.expect_status(409);
        assert_eq!(accept.code(), "cancel_request_closed");
        pass(&app, hours(25)).await;
        assert_eq!(app.order(order.id, &buyer).await.part().status, "shipped", "the limit passing changes nothing");
        assert_eq!(notified(&app, "cancel_refused").await, 1);

        let other = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.ship(&seller.owner, other.part().id).await;
        let r = app.post(&request_path(other.part().id, ""), json!({"reason": "不需要了"}), Some(&buyer.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "cannot_cancel");
        assert_eq!(app.count("refunds", "1 = 1").await, 0);
    }

    async fn cancel_requests_are_asked_by_the_buyer_and_answered_by_the_seller_only(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let part = order.part().id;
        let stranger = app.consumer().await;
        let other = app.verified_seller().named("白云山家庭农场").with_listing(Product::eggs()).await;
        let operator = app.operator().await;
        let ask = json!({"reason": "不需要了"});

        for (who, status) in [(&stranger.token, 404), (&other.owner.token, 404), (&seller.owner.token, 403), (&operator.token, 403)] {
            app.post(&request_path(part, ""), ask.clone(), Some(who)).await.expect_status(status);
        }
        let none = app.post_empty(&request_path(part, "/accept"), Some(&seller.owner.token)).await;
        none.expect_status(409);
        assert_eq!(none.code(), "cancel_request_closed", "nothing asked yet");
        for body in [json!({}), json!({"reason": 5}), json!({"reason": " "}), json!({"reason": "长".repeat(201)}), json!({"reason": "ok", "extra": 1})] {
            let r = app.post(&request_path(part, ""), body.clone(), Some(&buyer.token)).await;
            r.expect_status(422);
        }
        app.post(&request_path(part, ""), ask.clone(), Some(&buyer.token)).await.expect_status(200);

        for (who, status) in [(&buyer.token, 404), (&stranger.token, 404), (&other.owner.token, 404)] {
            app.post_empty(&request_path(part, "/accept"), Some(who)).await.expect_status(status);
            app.post(&request_path(part, "/refuse"), json!({"reason": "不同意"}), Some(who)).await.expect_status(status);
        }
        app.post(&request_path(part, "/refuse"), json!({"reason": ""}), Some(&seller.owner.token)).await.expect_status(422);
        app.post(&request_path(part, "/refuse"), json!({}), Some(&seller.owner.token)).await.expect_status(422);
        assert_eq!(app.post_empty(&request_path(part, "/accept"), None).await.status, 401);

        let seen = app.order(order.id, &buyer).await;
        assert_eq!(seen.part().status, "paid");
        assert_eq!(seen.part().cancel_request.as_ref().map(|r| r["status"].clone()), Some(json!("open")), "nothing half-answered");
        assert_eq!(app.count("refunds", "1 = 1").await, 0);
    }

    async fn two_requests_at_once_make_one_and_an_acceptance_racing_the_limit_refunds_once(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let part = order.part().id;
        let path = request_path(part, "");
        let (a, b) = tokio::join!(
            app.post(&path, json!({"reason": "不需要了"}), Some(&buyer.token)),
            app.post(&path, json!({"reason": "不需要了"}), Some(&buyer.token)),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "one request: {} / {}", a.text, b.text);
        assert_eq!(events(&app, "orders.cancel_requested").await.len(), 1);

        // The limit comes: the scheduled acceptance (twice, as two workers) and the seller's
        // own acceptance at the same moment.
        app.clock.advance(hours(24));
        let due = events(&app, "orders.cancel_answer_due").await;
        assert_eq!(due.len(), 1, "scheduled when asked");
        let (w1, w2) = (DeadlineJob::new(app.state.orders.clone()), DeadlineJob::new(app.state.orders.clone()));
        let accept = request_path(part, "/accept");
        let (x, y, by_seller) = tokio::join!(
            w1.handle(&due[0]),
            w2.handle(&due[0]),
            app.post_empty(&accept, Some(&seller.owner.token)),
        );
        x.expect("worker 1");
        y.expect("worker 2");
        by_seller.expect_status(200);
        app.state.infra.outbox.wake();
        app.outbox_drained().await;

        let seen = app.order(order.id, &buyer).await;
        assert_eq!(seen.part().status, "cancelled");
        assert_eq!(app.count("refunds", "1 = 1").await, 1, "exactly one refund");
        assert_eq!(seen.events.iter().filter(|e| e.kind == "cancelled").count(), 1);
        assert_eq!(events(&app, "orders.cancel_accepted").await.len(), 1, "the buyer is told once");
    }
}
