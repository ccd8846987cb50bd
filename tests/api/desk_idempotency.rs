//! Opening a desk ticket with an `Idempotency-Key` (#18), as checkout does: a retry with the
//! same key and body answers with the ticket the first request opened, even when both arrive at
//! once; the key with another body is refused; keys are the opener's own.

use farmgate_tests::prelude::*;

const TICKETS: &str = "/api/v1/desk/tickets";

fn ticket(subject: &str) -> Value {
    json!({"kind": "seller_complaint", "subject": subject, "body": "下单两天了商家一直不回复。"})
}

async fn open(app: &TestApp, who: &Session, key: &str, body: Value) -> Resp {
    app.send(
        app.http
            .post(app.url(TICKETS))
            .bearer_auth(&who.token)
            .header("Idempotency-Key", key)
            .json(&body),
    )
    .await
}

both_backends! {
    async fn a_retried_ticket_with_the_same_key_is_the_same_ticket_and_another_body_under_it_is_refused(app) {
        let buyer = app.consumer().await;
        let other = app.consumer().await;

        let first = open(&app, &buyer, "tkt-0001", ticket("商家不回消息")).await;
        first.expect_status(201);
        let id = first.id();
        let again = open(&app, &buyer, "tkt-0001", ticket("商家不回消息")).await;
        again.expect_status(200);
        assert_eq!(again.id(), id, "the same ticket");
        assert_eq!(again.str("number"), first.str("number"));

        // Another body under the same key: refused, nothing new.
        let reused = open(&app, &buyer, "tkt-0001", ticket("另一件事")).await;
        reused.expect_status(409);
        assert_eq!(reused.code(), "idempotency_key_reused");
        // Someone else's same key is their own ticket.
        let theirs = open(&app, &other, "tkt-0001", ticket("商家不回消息")).await;
        theirs.expect_status(201);
        assert_ne!(theirs.id(), id);
        // A key too long is refused before anything is written.
        let long = open(&app, &buyer, &"k".repeat(81), ticket("商家不回消息")).await;
        long.expect_status(422);
        assert_eq!(long.field_code("Idempotency-Key"), Some("too_long"), "{}", long.text);
        assert_eq!(app.count("desk_tickets", "1 = 1").await, 2);
        // Without a key, the same body twice is two tickets (as before).
        app.post(TICKETS, ticket("没有钥匙"), Some(&buyer.token)).await.expect_status(201);
        app.post(TICKETS, ticket("没有钥匙"), Some(&buyer.token)).await.expect_status(201);
        assert_eq!(app.count("desk_tickets", "1 = 1").await, 4);

        // Two copies at the same moment: one ticket, both answered with it.
        let both = app.send_all(vec![
            app.http.post(app.url(TICKETS)).bearer_auth(&buyer.token).header("Idempotency-Key", "tkt-race").json(&ticket("同时提交")),
            app.http.post(app.url(TICKETS)).bearer_auth(&buyer.token).header("Idempotency-Key", "tkt-race").json(&ticket("同时提交")),
        ]).await;
        let mut statuses: Vec<u16> = both.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![200, 201], "{:?}", both.iter().map(|r| &r.text).collect::<Vec<_>>());
        assert_eq!(both[0].id(), both[1].id());
        assert_eq!(app.count("desk_tickets", "subject = '同时提交'").await, 1);
        assert_eq!(app.count("outbox_events", "topic = 'desk.ticket_opened'").await, 5, "one opening event per ticket");
    }
}
