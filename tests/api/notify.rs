//! Notifications (#18) through the real server: a paid order reaches every member of the
//! seller once in the centre and once by text message, however often its event is handled and
//! by however many workers; quiet hours hold a text message but not a recall; a paid order
//! nobody acknowledges within 10 business minutes is sent again and raised to the operator;
//! preferences; and the attacks: someone else's notification, malformed ids and filters.

use farmgate_infra::outbox::entity::event;
use farmgate_infra::outbox::{OutboxEvent, OutboxHandler};
use farmgate_notify::{NotifyJob, PaidReminderJob};
use farmgate_tests::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Moves the app's clock forward to the next `hh:mm` in Beijing time.
fn advance_to_beijing(app: &TestApp, hh: u32, mm: u32) {
    use chrono::Timelike;
    let now = app.clock.now() + chrono::Duration::hours(8);
    let now_min = i64::from(now.hour() * 60 + now.minute());
    let target = i64::from(hh * 60 + mm);
    let mut minutes = target - now_min;
    if minutes <= 0 {
        minutes += 24 * 60;
    }
    app.clock.advance(
        chrono::Duration::minutes(minutes) - chrono::Duration::seconds(i64::from(now.second())),
    );
}

/// Moves the clock on and lets the worker deliver what fell due.
async fn pass(app: &TestApp, by: chrono::Duration) {
    app.clock.advance(by);
    app.state.infra.outbox.wake();
    app.outbox_drained().await;
}

async fn centre(app: &TestApp, who: &Session, query: &str) -> Resp {
    let r = app
        .get(&format!("/api/v1/notifications{query}"), Some(&who.token))
        .await;
    r.expect_status(200);
    r
}

async fn unread(app: &TestApp, who: &Session) -> i64 {
    let r = app
        .get("/api/v1/notifications/unread-count", Some(&who.token))
        .await;
    r.expect_status(200);
    r.i64("unread")
}

/// Notification rows to `who` matching `condition` (the account id is bound as a parameter:
/// SQLite keeps ids as bytes).
async fn rows_where(app: &TestApp, who: &Session, condition: &str) -> i64 {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = &app.state.infra.db;
    let backend = db.get_database_backend();
    let mark = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT COUNT(*) AS n FROM notifications WHERE recipient_id = {mark} AND {condition}"),
            [who.account_id.into()],
        ))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// Rows of `kind` by `channel` to `who`.
async fn rows(app: &TestApp, who: &Session, kind: &str, channel: &str) -> i64 {
    rows_where(
        app,
        who,
        &format!("kind = '{kind}' AND channel = '{channel}'"),
    )
    .await
}

/// Text messages of `template` stored for `who`'s phone.
async fn texts(app: &TestApp, who: &Session, template: &str) -> i64 {
    app.count(
        "sms_outbox",
        &format!("phone = '{}' AND template = '{template}'", who.phone),
    )
    .await
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

both_backends! {
    async fn a_desk_ticket_tells_each_party_of_the_others_reply_the_agent_of_its_assignment_and_the_customer_of_its_closing(app) {
        let agent = app.agent().await;
        let other_agent = app.staff("13900000911", farmgate_identity::PlatformRole::AfterSalesAgent).await;
        let buyer = app.consumer().await;
        let opened = app.post("/api/v1/desk/tickets", json!({"kind": "seller_complaint", "subject": "商家不回消息", "body": "下单两天了商家一直不回复。"}), Some(&buyer.token)).await;
        opened.expect_status(201);
        let id = opened.id();
        let number = opened.str("number").to_owned();
        let path = |tail: &str| format!("/api/v1/desk/tickets/{id}{tail}");

        // The agent answers first (and so takes it): the customer hears of the reply.
        app.post(&path("/messages"), json!({"body": "您好，我们已联系商家。"}), Some(&agent.token)).await.expect_status(201);
        app.outbox_drained().await;
        let list = centre(&app, &buyer, "?kind=ticket_replied").await;
        assert_eq!(list.i64("total"), 1, "{}", list.text);
        let n = &list.arr("items")[0];
        assert!(n["title"]["zh"].as_str().unwrap_or("").contains(&number), "{n}");
        assert_eq!(n["link"], json!(format!("/ticket.html?id={id}")));
        assert_eq!(rows(&app, &agent, "ticket_replied", "in_app").await, 0, "not told of their own reply");

        // The customer writes back: the assigned agent hears of it, nobody else.
        app.post(&path("/messages"), json!({"body": "好的，谢谢"}), Some(&buyer.token)).await.expect_status(201);
        app.outbox_drained().await;
        let list = centre(&app, &agent, "?kind=ticket_replied").await;
        assert_eq!(list.i64("total"), 1, "{}", list.text);
        assert_eq!(list.arr("items")[0]["link"], json!(format!("/ops/desk.html?ticket={id}")));
        assert_eq!(rows(&app, &other_agent, "ticket_replied", "in_app").await, 0);
        assert_eq!(rows(&app, &buyer, "ticket_replied", "in_app").await, 1, "still one");

        // Assigned by hand to another agent of the desk: that agent is told, once.
        app.put("/api/v1/desk/agents", json!({"on_duty": true}), Some(&other_agent.token)).await.expect_status(200);
        app.post(&path("/assign"), json!({"agent_id": other_agent.account_id}), Some(&agent.token)).await.expect_status(200);
        app.outbox_drained().await;
        assert_eq!(rows(&app, &other_agent, "ticket_assigned", "in_app").await, 1);

        // Closed: the customer is told, once, however often the event is handled.
        app.post_empty(&path("/close"), Some(&other_agent.token)).await.expect_status(200);
        app.outbox_drained().await;
        let closed = events(&app, "desk.ticket_closed").await;
        assert_eq!(closed.len(), 1);
        let job = NotifyJob::new(app.state.notify.clone());
        job.handle(&closed[0]).await.expect("handled again");
        assert_eq!(rows(&app, &buyer, "ticket_closed", "in_app").await, 1);
        assert_eq!(rows(&app, &agent, "ticket_closed", "in_app").await, 0);
        // No outside channel for desk notices: the centre only.
        assert_eq!(rows_where(&app, &buyer, "kind LIKE 'ticket_%' AND channel <> 'in_app'").await, 0);
    }

    async fn a_paid_order_reaches_every_member_of_the_seller_once_in_the_centre_and_once_by_text(app) {
        advance_to_beijing(&app, 10, 0);
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        app.outbox_drained().await;
        let before = unread(&app, &seller.owner).await;
        assert_eq!(centre(&app, &seller.owner, "?kind=org_verified").await.i64("total"), 1, "told of its verification");

        let order = app.paid_order(&buyer, &[(seller.sku, 2)]).await;
        app.outbox_drained().await;

        let list = centre(&app, &seller.owner, "?kind=order_paid").await;
        assert_eq!(list.i64("total"), 1, "{}", list.text);
        let n = &list.arr("items")[0];
        assert_eq!(n["kind"], "order_paid");
        assert!(n["title"]["zh"].as_str().unwrap_or("").contains(&order.part().number), "{n}");
        assert!(n["title"]["en"].as_str().unwrap_or("").starts_with("New order"), "{n}");
        assert_eq!(n["read_at"], Value::Null);
        assert_eq!(unread(&app, &seller.owner).await, before + 1);
        assert_eq!(rows(&app, &seller.owner, "order_paid", "sms").await, 1);
        assert_eq!(texts(&app, &seller.owner, "order_paid").await, 1);
        assert_eq!(rows_where(&app, &seller.owner, "channel = 'sms' AND status = 'sent'").await, 1);
        // The buyer is not told of their own payment as a seller would be.
        assert_eq!(rows(&app, &buyer, "order_paid", "in_app").await, 0);
    }

    async fn the_same_event_handled_again_or_by_two_workers_at_once_notifies_nobody_twice(app) {
        advance_to_beijing(&app, 10, 0);
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.outbox_drained().await;
        let paid = events(&app, "orders.paid").await;
        assert_eq!(paid.len(), 1);

        // A retried event, and two replicas racing on the same one.
        let job = NotifyJob::new(app.state.notify.clone());
        let other = NotifyJob::new(app.state.notify.clone());
        job.handle(&paid[0]).await.expect("handled again");
        let (a, b) = tokio::join!(job.handle(&paid[0]), other.handle(&paid[0]));
        a.expect("worker a");
        b.expect("worker b");
        app.state.infra.outbox.wake();
        app.outbox_drained().await;

        assert_eq!(rows(&app, &seller.owner, "order_paid", "in_app").await, 1);
        assert_eq!(rows(&app, &seller.owner, "order_paid", "sms").await, 1);
        assert_eq!(texts(&app, &seller.owner, "order_paid").await, 1);
        assert_eq!(events(&app, "notify.deliver").await.len(), 1, "one delivery job");
        assert_eq!(events(&app, "notify.paid_reminder").await.len(), 1, "one reminder");
    }

    async fn at_night_a_text_message_waits_for_the_end_of_quiet_hours_but_the_centre_has_it_at_once(app) {
        advance_to_beijing(&app, 23, 0);
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.outbox_drained().await;

        assert_eq!(centre(&app, &seller.owner, "?kind=order_paid&unread=true").await.i64("total"), 1, "in the centre at once");
        assert_eq!(rows(&app, &seller.owner, "order_paid", "sms").await, 1);
        assert_eq!(texts(&app, &seller.owner, "order_paid").await, 0, "no text at 23:00");

        advance_to_beijing(&app, 7, 55);
        pass(&app, chrono::Duration::zero()).await;
        assert_eq!(texts(&app, &seller.owner, "order_paid").await, 0, "still quiet at 07:55");
        pass(&app, chrono::Duration::minutes(7)).await;
        assert_eq!(texts(&app, &seller.owner, "order_paid").await, 1, "sent when quiet hours end at 08:00");
    }

    async fn a_recall_at_night_goes_by_text_message_at_once_to_every_buyer_of_the_batch(app) {
        let shipped = app.batch_shipped_to(2).await;
        advance_to_beijing(&app, 23, 30);
        let official = app.official().await;
        app.post(
            &format!("/api/v1/batches/{}/recall", shipped.batch.id),
            json!({"reason": "县农检站抽检：毒死蜱残留超标"}),
            Some(&official.token),
        )
        .await
        .expect_status(200);
        app.outbox_drained().await;

        for buyer in &shipped.buyers {
            let list = centre(&app, buyer, "?kind=recall").await;
            assert_eq!(list.i64("total"), 1, "{}", list.text);
            assert_eq!(list.arr("items")[0]["urgent"], true);
            assert_eq!(texts(&app, buyer, "recall").await, 1, "urgent: quiet hours do not hold it");
        }
    }

    async fn a_paid_order_nobody_acknowledges_in_ten_business_minutes_is_sent_again_and_raised_to_the_operator(app) {
        advance_to_beijing(&app, 10, 0);
        let op = app.operator().await;
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.outbox_drained().await;

        pass(&app, chrono::Duration::minutes(9)).await;
        assert_eq!(rows(&app, &seller.owner, "order_paid_reminder", "in_app").await, 0, "not yet");
        assert_eq!(rows(&app, &op, "order_unacknowledged", "in_app").await, 0);

        pass(&app, chrono::Duration::minutes(2)).await;
        assert_eq!(rows(&app, &seller.owner, "order_paid_reminder", "in_app").await, 1);
        assert_eq!(texts(&app, &seller.owner, "order_paid").await, 2, "the reminder by text too");
        let ops = centre(&app, &op, "?kind=order_unacknowledged").await;
        assert_eq!(ops.i64("total"), 1, "{}", ops.text);
        assert!(ops.arr("items")[0]["body"]["zh"].as_str().unwrap_or("").contains(&seller.name));

        // The reminder handled again sends nothing new.
        let reminder = events(&app, "notify.paid_reminder").await;
        PaidReminderJob::new(app.state.notify.clone()).handle(&reminder[0]).await.expect("again");
        app.outbox_drained().await;
        assert_eq!(rows(&app, &op, "order_unacknowledged", "in_app").await, 1);
        assert_eq!(texts(&app, &seller.owner, "order_paid").await, 2);
    }

    async fn a_paid_order_read_or_acknowledged_in_time_is_not_escalated(app) {
        advance_to_beijing(&app, 10, 0);
        let op = app.operator().await;
        let seller = app.seller_with_listing().await;
        let (read_buyer, ack_buyer) = (app.consumer().await, app.consumer().await);
        app.paid_order(&read_buyer, &[(seller.sku, 1)]).await;
        let acked = app.paid_order(&ack_buyer, &[(seller.sku, 1)]).await;
        app.outbox_drained().await;

        let list = centre(&app, &seller.owner, "?unread=true&kind=order_paid").await;
        assert_eq!(list.i64("total"), 2);
        let first = list.arr("items").iter().find(|n| !n["title"]["zh"].as_str().unwrap_or("").contains(&acked.part().number)).expect("the other order").clone();
        let read = app.post_empty(&format!("/api/v1/notifications/{}/read", first["id"].as_str().unwrap_or("")), Some(&seller.owner.token)).await;
        read.expect_status(200);
        assert!(read.body["read_at"].is_string());
        app.post_empty(&format!("/api/v1/sub-orders/{}/acknowledge", acked.part().id), Some(&seller.owner.token)).await.expect_status(200);

        pass(&app, chrono::Duration::minutes(15)).await;
        assert_eq!(rows(&app, &seller.owner, "order_paid_reminder", "in_app").await, 0);
        assert_eq!(rows(&app, &op, "order_unacknowledged", "in_app").await, 0);
    }

    async fn ten_business_minutes_from_a_payment_near_closing_time_end_next_morning(app) {
        advance_to_beijing(&app, 19, 55);
        let op = app.operator().await;
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.outbox_drained().await;

        pass(&app, chrono::Duration::minutes(30)).await;
        assert_eq!(rows(&app, &op, "order_unacknowledged", "in_app").await, 0, "closed for the night");
        advance_to_beijing(&app, 8, 20);
        pass(&app, chrono::Duration::zero()).await;
        assert_eq!(rows(&app, &op, "order_unacknowledged", "in_app").await, 1, "due 08:05 or so next morning");
    }

    async fn nobody_reads_or_marks_someone_elses_notifications_and_bad_ids_and_filters_are_refused(app) {
        advance_to_beijing(&app, 10, 0);
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        app.outbox_drained().await;
        app.post_empty("/api/v1/notifications/read-all", Some(&seller.owner.token)).await.expect_status(200);
        assert_eq!(unread(&app, &seller.owner).await, 0);
        app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.outbox_drained().await;
        let list = centre(&app, &seller.owner, "").await;
        let id = list.arr("items")[0]["id"].as_str().unwrap_or("").to_owned();

        let theirs = app.post_empty(&format!("/api/v1/notifications/{id}/read"), Some(&buyer.token)).await;
        assert_eq!((theirs.status, theirs.code()), (404, "not_found"));
        let all = app.post_empty("/api/v1/notifications/read-all", Some(&buyer.token)).await;
        all.expect_status(200);
        assert_eq!(all.i64("marked"), 0);
        assert_eq!(unread(&app, &seller.owner).await, 1, "still unread for its owner");
        assert_eq!(centre(&app, &buyer, "").await.i64("total"), 0);

        let bad_id = app.post_empty("/api/v1/notifications/not-an-id/read", Some(&seller.owner.token)).await;
        assert_eq!(bad_id.status, 404);
        let nobody = app.post_empty(&format!("/api/v1/notifications/{}/read", Uuid::new_v4()), Some(&seller.owner.token)).await;
        assert_eq!(nobody.status, 404);
        for q in ["?kind=bogus", "?unread=maybe", "?limit=500", "?offset=-1", "?colour=red"] {
            let r = app.get(&format!("/api/v1/notifications{q}"), Some(&seller.owner.token)).await;
            assert_eq!((r.status, r.code()), (400, "invalid_query"), "{q}: {}", r.text);
        }
        assert_eq!(app.get("/api/v1/notifications", None).await.status, 401);
        assert_eq!(app.get("/api/v1/notifications/unread-count", None).await.status, 401);

        let mine = app.post_empty("/api/v1/notifications/read-all", Some(&seller.owner.token)).await;
        assert_eq!(mine.i64("marked"), 1);
        assert_eq!(unread(&app, &seller.owner).await, 0);
        assert_eq!(centre(&app, &seller.owner, "?unread=true").await.i64("total"), 0);
        assert_eq!(centre(&app, &seller.owner, "?kind=order_paid").await.i64("total"), 1);
    }

    async fn preferences_choose_channels_and_quiet_hours_and_refuse_what_cannot_be(app) {
        let seller = app.seller_with_listing().await;
        let p = app.get("/api/v1/notifications/preferences", Some(&seller.owner.token)).await;
        p.expect_status(200);
        assert_eq!(p.str("quiet_hours"), "22:00-08:00");
        let paid = p.find("kinds", "kind", "order_paid");
        assert_eq!((paid["sms"].clone(), paid["sms_available"].clone()), (json!(true), json!(true)));
        assert_eq!(p.find("kinds", "kind", "recall")["urgent"], true);

        let path = "/api/v1/notifications/preferences";
        for body in [
            json!({"quiet_hours": "25:00-08:00"}),
            json!({"quiet_hours": "08:00-08:00"}),
            json!({"kinds": [{"kind": "org_verified", "sms": true, "wechat": false}]}),
            json!({"kinds": [{"kind": "recall", "sms": false, "wechat": false}]}),
            json!({"kinds": [{"kind": "order_paid", "sms": true, "wechat": true}, {"kind": "order_paid", "sms": false, "wechat": true}]}),
        ] {
            let r = app.put(path, body.clone(), Some(&seller.owner.token)).await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"), "{body}: {}", r.text);
        }
        let unknown = app.put(path, json!({"kinds": [{"kind": "bogus", "sms": true, "wechat": true}]}), Some(&seller.owner.token)).await;
        assert!(matches!(unknown.status, 400 | 422), "{}", unknown.text);
        assert_eq!(app.get("/api/v1/notifications/preferences", Some(&seller.owner.token)).await.str("quiet_hours"), "22:00-08:00", "nothing half-saved");

        // No quiet hours, and no text messages for new orders.
        let saved = app.put(path, json!({"quiet_hours": null, "kinds": [{"kind": "order_paid", "sms": false, "wechat": true}]}), Some(&seller.owner.token)).await;
        saved.expect_status(200);
        assert_eq!(saved.body["quiet_hours"], Value::Null);
        assert_eq!(saved.find("kinds", "kind", "order_paid")["sms"], false);

        advance_to_beijing(&app, 23, 0);
        let buyer = app.consumer().await;
        app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.outbox_drained().await;
        assert_eq!(rows(&app, &seller.owner, "order_paid", "in_app").await, 1);
        assert_eq!(rows(&app, &seller.owner, "order_paid", "sms").await, 0, "turned off");
    }

    async fn the_buyer_hears_of_shipping_and_delivery(app) {
        advance_to_beijing(&app, 10, 0);
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.ship(&seller.owner, order.part().id).await;
        app.receive(&buyer, order.part().id).await;
        app.outbox_drained().await;

        let list = centre(&app, &buyer, "").await;
        let mut kinds: Vec<&str> = list.arr("items").iter().filter_map(|n| n["kind"].as_str()).collect();
        kinds.sort_unstable();
        assert_eq!(kinds, vec!["order_delivered", "order_shipped"], "{}", list.text);
        let shipped = list.find("items", "kind", "order_shipped");
        assert!(shipped["body"]["zh"].as_str().unwrap_or("").contains("顺丰速运"), "{shipped}");
        assert_eq!(shipped["link"], format!("/order.html?id={}", order.id));
    }
}
