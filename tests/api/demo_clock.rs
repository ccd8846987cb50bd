//! The demo clock (`demo_clock`): on a demo server the operator moves the platform's time
//! forward (`POST /api/v1/demo/clock`), and scheduled work that fell due runs — here a paid
//! part's ship-by deadline passes and its buyer may cancel at once. Nobody else may move it,
//! nothing outside 1–720 hours; without the setting the route does not exist (and production
//! refuses the setting: `settings::tests`).

use farmgate_tests::prelude::*;

const CLOCK: &str = "/api/v1/demo/clock";

fn with_demo_clock(s: &mut farmgate_server::Settings) {
    s.demo_clock = true;
}

both_backends_configured! { with_demo_clock;
    async fn the_operator_moves_the_clock_and_a_ship_by_deadline_passes(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let op = app.operator().await;
        let agent = app.agent().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let part = order.part().id;
        let cancel = format!("/api/v1/sub-orders/{part}/cancel");
        // Before the deadline the buyer cannot cancel at once.
        let early = app.post(&cancel, json!({}), Some(&buyer.token)).await;
        assert_eq!(early.code(), "not_overdue", "{}", early.text);

        app.post(CLOCK, json!({"hours": 49}), Some(&buyer.token)).await.expect_status(403);
        app.post(CLOCK, json!({"hours": 49}), Some(&agent.token)).await.expect_status(403);
        app.post(CLOCK, json!({"hours": 49}), None).await.expect_status(401);
        for bad in [json!({"hours": 0}), json!({"hours": 721}), json!({"hours": -5})] {
            let r = app.post(CLOCK, bad, Some(&op.token)).await;
            assert_eq!(r.field_code("hours"), Some("out_of_range"), "{}", r.text);
        }
        app.post(CLOCK, json!({"hours": "many"}), Some(&op.token)).await.expect_status(422);
        app.post(CLOCK, json!({"hours": 1, "extra": true}), Some(&op.token)).await.expect_status(422);

        let before = app.clock.now();
        let r = app.post(CLOCK, json!({"hours": 49}), Some(&op.token)).await;
        r.expect_status(200);
        let now: chrono::DateTime<chrono::Utc> = r.str("now").parse().expect("a time");
        assert!(now >= before + chrono::Duration::hours(49), "{now}");
        app.outbox_drained().await;

        // The deadline has passed: the buyer cancels at once, refunded in full.
        let done = app.post(&cancel, json!({}), Some(&buyer.token)).await;
        done.expect_status(200);
        let cancelled: Order = done.json();
        assert_eq!(cancelled.part().status, "cancelled");
        assert_eq!(cancelled.part().refunded, order.part().total, "refunded in full");
    }
}

both_backends! {
    async fn without_the_setting_there_is_no_demo_clock(app) {
        let op = app.operator().await;
        let before = app.clock.now();
        // No such route (404, or 405 where the demo's GET routes share the prefix).
        let r = app.post(CLOCK, json!({"hours": 49}), Some(&op.token)).await;
        assert!([404, 405].contains(&r.status), "{} {}", r.status, r.text);
        assert!(app.clock.now() < before + chrono::Duration::hours(1));
    }
}
