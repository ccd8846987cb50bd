//! Desk photos housekeeping (#18): a photo uploaded and never sent is deleted — row and
//! objects — a day later by a job scheduled in the outbox table at upload (it survives a
//! restart, and two workers delete it once); a photo sent with a ticket or a conversation
//! message is never deleted. A person's photos appear in their data export (theirs only).

use farmgate_desk::AttachmentExpiryJob;
use farmgate_infra::objects::ObjectKey;
use farmgate_infra::outbox::entity::event;
use farmgate_infra::outbox::{OutboxEvent, OutboxHandler};
use farmgate_tests::prelude::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};

const UPLOAD: &str = "/api/v1/desk/attachments";

async fn photo(app: &TestApp, who: &Session) -> Uuid {
    let r = app.upload(UPLOAD, who, jpeg_with_exif(), "box.jpg").await;
    r.expect_status(201);
    r.id()
}

fn mark(app: &TestApp) -> &'static str {
    if app.state.infra.db.get_database_backend() == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    }
}

/// The photo's two object keys (original, display).
async fn keys(app: &TestApp, id: Uuid) -> Vec<ObjectKey> {
    let db = &app.state.infra.db;
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            format!(
                "SELECT original_key, display_key FROM desk_attachments WHERE id = {}",
                mark(app)
            ),
            [id.into()],
        ))
        .await
        .expect("query")
        .expect("the photo's row");
    ["original_key", "display_key"]
        .iter()
        .map(|c| {
            let k: String = row.try_get("", c).expect("a key");
            ObjectKey::parse(&k).expect("a valid key")
        })
        .collect()
}

/// Whether photo `id`'s row is there.
async fn has_row(app: &TestApp, id: Uuid) -> bool {
    let db = &app.state.infra.db;
    db.query_one_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        format!("SELECT id FROM desk_attachments WHERE id = {}", mark(app)),
        [id.into()],
    ))
    .await
    .expect("query")
    .is_some()
}

async fn stored(app: &TestApp, keys: &[ObjectKey]) -> usize {
    let mut n = 0;
    for k in keys {
        if app
            .state
            .infra
            .objects
            .exists(k)
            .await
            .expect("object store")
        {
            n += 1;
        }
    }
    n
}

async fn expiry_events(app: &TestApp) -> Vec<OutboxEvent> {
    event::Entity::find()
        .filter(event::Column::Topic.eq("desk.attachment_expiry"))
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

async fn pass(app: &TestApp, by: chrono::Duration) {
    app.clock.advance(by);
    app.state.infra.outbox.wake();
    app.outbox_drained().await;
}

both_backends! {
    async fn an_unsent_photo_is_deleted_after_a_day_and_a_sent_one_never(app) {
        let buyer = app.consumer().await;
        let seller = app.seller_with_listing().await;
        let unsent = photo(&app, &buyer).await;
        let on_ticket = photo(&app, &buyer).await;
        let in_chat = photo(&app, &buyer).await;
        let unsent_keys = keys(&app, unsent).await;
        let sent_keys = [keys(&app, on_ticket).await, keys(&app, in_chat).await].concat();
        assert_eq!(stored(&app, &unsent_keys).await, 2);
        assert_eq!(expiry_events(&app).await.len(), 3, "one expiry scheduled per upload");

        app.post("/api/v1/desk/tickets", json!({"kind": "seller_complaint", "subject": "箱子破了", "body": "见照片", "attachment_ids": [on_ticket]}), Some(&buyer.token)).await.expect_status(201);
        let conv = app.post("/api/v1/conversations", json!({"listing_id": seller.listing}), Some(&buyer.token)).await.id();
        app.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"body": "请看照片", "attachment_ids": [in_chat]}), Some(&buyer.token)).await.expect_status(201);

        // Not yet: 23 hours on, everything is there.
        pass(&app, chrono::Duration::hours(23)).await;
        app.get(&format!("{UPLOAD}/{unsent}"), Some(&buyer.token)).await.expect_status(200);
        assert_eq!(app.count("desk_attachments", "1=1").await, 3);

        // A day on: the unsent photo's row and objects are gone; the sent ones stay.
        pass(&app, chrono::Duration::hours(2)).await;
        app.get(&format!("{UPLOAD}/{unsent}"), Some(&buyer.token)).await.expect_status(404);
        assert!(!has_row(&app, unsent).await);
        assert_eq!(stored(&app, &unsent_keys).await, 0, "objects deleted");
        assert_eq!(app.count("desk_attachments", "1=1").await, 2);
        assert_eq!(stored(&app, &sent_keys).await, 4, "sent photos kept");
        app.get(&format!("{UPLOAD}/{on_ticket}"), Some(&buyer.token)).await.expect_status(200);

        // An expired photo cannot be sent any more.
        let r = app.post("/api/v1/desk/tickets", json!({"kind": "other", "subject": "再试", "body": "x", "attachment_ids": [unsent]}), Some(&buyer.token)).await;
        assert_eq!(r.field_code("attachment_ids"), Some("not_found"), "{}", r.text);

        // The job again, and two workers at once: nothing more is deleted, nothing fails.
        let job = AttachmentExpiryJob::new(app.state.desk.clone());
        let other = AttachmentExpiryJob::new(app.state.desk.clone());
        for e in expiry_events(&app).await {
            let (a, b) = tokio::join!(job.handle(&e), other.handle(&e));
            a.expect("worker a");
            b.expect("worker b");
        }
        assert_eq!(app.count("desk_attachments", "1=1").await, 2);
        assert_eq!(stored(&app, &sent_keys).await, 4);
    }

    async fn two_workers_expiring_the_same_photo_delete_it_once(app) {
        let buyer = app.consumer().await;
        let id = photo(&app, &buyer).await;
        let k = keys(&app, id).await;
        app.clock.advance(chrono::Duration::hours(25));
        let events = expiry_events(&app).await;
        assert_eq!(events.len(), 1);
        let a = app.state.desk.expire_attachment(id);
        let b = app.state.desk.expire_attachment(id);
        let (a, b) = tokio::join!(a, b);
        let deleted = [a.expect("worker a"), b.expect("worker b")];
        assert_eq!(deleted.iter().filter(|d| **d).count(), 1, "{deleted:?}");
        assert_eq!(app.count("desk_attachments", "1=1").await, 0);
        assert_eq!(stored(&app, &k).await, 0);
        // The scheduled event, when the worker gets to it, finds nothing to do.
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
    }

    async fn my_data_lists_the_desk_photos_i_uploaded_and_nobody_elses(app) {
        let buyer = app.consumer().await;
        let other = app.consumer().named("李四").await;
        let sent = photo(&app, &buyer).await;
        let kept = photo(&app, &buyer).await;
        let theirs = photo(&app, &other).await;
        let t = app.post("/api/v1/desk/tickets", json!({"kind": "other", "subject": "照片", "body": "见附件", "attachment_ids": [sent]}), Some(&buyer.token)).await;
        t.expect_status(201);
        let ticket = t.id();

        let r = app.get("/api/v1/me/export", Some(&buyer.token)).await;
        r.expect_status(200);
        let photos = r.arr("desk.attachments").clone();
        assert_eq!(photos.len(), 2, "{}", r.text);
        let of = |id: Uuid| photos.iter().find(|p| p["id"] == json!(id)).cloned().unwrap_or_default();
        assert_eq!(of(sent)["ticket_id"], json!(ticket));
        assert_eq!(of(sent)["sent"], true);
        assert_eq!(of(kept)["sent"], false);
        assert_eq!(of(sent)["sha256"].as_str().map(str::len), Some(64));
        assert!(!r.text.contains(&theirs.to_string()), "another person's photo");
        assert_eq!(app.get("/api/v1/me/export", Some(&other.token)).await.len_of("desk.attachments"), 1);
    }
}
