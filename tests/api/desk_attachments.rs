//! Photos on desk items (#18) through the real server: a customer attaches photos to a
//! ticket and a reply, an agent to a reply and a note, both parties of a conversation to
//! their messages; each photo is re-encoded (no EXIF), kept with its hash and served only to
//! whom may read its message. And the attacks: another buyer, another seller, an anonymous
//! caller, someone else's photo id, a photo sent twice, too many, not a picture, oversized,
//! a note's photo asked for by the customer, a hidden message's photo — each a clear error,
//! nothing half-written.

use farmgate_tests::prelude::*;

const UPLOAD: &str = "/api/v1/desk/attachments";
const TICKETS: &str = "/api/v1/desk/tickets";

async fn photo(app: &TestApp, who: &Session) -> Uuid {
    let r = app.upload(UPLOAD, who, jpeg_with_exif(), "box.jpg").await;
    r.expect_status(201);
    r.id()
}

fn url(id: Uuid) -> String {
    format!("{UPLOAD}/{id}")
}

fn complaint(photos: &[Uuid]) -> Value {
    json!({"kind": "seller_complaint", "subject": "收到的箱子破了", "body": "外箱破损，见照片。", "attachment_ids": photos})
}

both_backends! {
    async fn a_customer_sends_photos_with_a_ticket_and_a_reply_and_only_the_parties_see_them(app) {
        let buyer = app.consumer().await;
        let other = app.consumer().named("李四").await;
        let seller = app.seller_with_listing().await;
        let agent = app.agent().await;

        let up = app.upload(UPLOAD, &buyer, jpeg_with_exif(), "box.jpg").await;
        up.expect_status(201);
        assert_eq!(up.str("sha256").len(), 64);
        let first = up.id();
        // Not sent yet: its uploader's only.
        app.get(&url(first), Some(&buyer.token)).await.expect_status(200);
        app.get(&url(first), Some(&other.token)).await.expect_status(404);
        app.get(&url(first), Some(&agent.token)).await.expect_status(404);
        app.get(&url(first), None).await.expect_status(401);

        let second = photo(&app, &buyer).await;
        let t = app.post(TICKETS, complaint(&[first, second]), Some(&buyer.token)).await;
        t.expect_status(201);
        let ticket = t.id();
        assert_eq!(t.len_of("messages.0.attachments"), 2, "{}", t.text);
        let shown = t.string("messages.0.attachments.0.url");

        // The opener and agents see it; another buyer, a seller, nobody else.
        let img = app.get(&shown, Some(&buyer.token)).await;
        img.expect_status(200);
        assert!(!img.text.contains("Exif"), "re-encoded without EXIF");
        app.get(&shown, Some(&agent.token)).await.expect_status(200);
        app.get(&shown, Some(&other.token)).await.expect_status(404);
        app.get(&shown, Some(&seller.owner.token)).await.expect_status(404);
        app.get(&shown, None).await.expect_status(401);

        // An agent's reply with a photo, and a note with one: the customer sees the reply's.
        let reply_photo = photo(&app, &agent).await;
        let note_photo = photo(&app, &agent).await;
        let path = format!("{TICKETS}/{ticket}/messages");
        app.post(&path, json!({"body": "请看这张说明图", "attachment_ids": [reply_photo]}), Some(&agent.token)).await.expect_status(201);
        app.post(&path, json!({"body": "内部：物流单号截图", "internal": true, "attachment_ids": [note_photo]}), Some(&agent.token)).await.expect_status(201);
        let seen = app.get(&format!("{TICKETS}/{ticket}"), Some(&buyer.token)).await;
        assert_eq!(seen.len_of("messages"), 2, "the note is not the customer's: {}", seen.text);
        assert_eq!(seen.uuid("messages.1.attachments.0.id"), reply_photo);
        app.get(&url(reply_photo), Some(&buyer.token)).await.expect_status(200);
        app.get(&url(note_photo), Some(&buyer.token)).await.expect_status(404);
        app.get(&url(note_photo), Some(&agent.token)).await.expect_status(200);
        let other_agent = app.staff("13900000913", farmgate_identity::PlatformRole::AfterSalesAgent).await;
        app.get(&url(note_photo), Some(&other_agent.token)).await.expect_status(200);

        // The customer writes back with a photo.
        let back = photo(&app, &buyer).await;
        let r = app.post(&path, json!({"body": "补充一张", "attachment_ids": [back]}), Some(&buyer.token)).await;
        r.expect_status(201);
        assert_eq!(app.count("desk_attachments", "ticket_id IS NOT NULL").await, 5);
    }

    async fn photos_that_are_not_the_senders_or_sent_already_or_too_many_are_refused_with_nothing_written(app) {
        let buyer = app.consumer().await;
        let other = app.consumer().named("李四").await;
        let theirs = photo(&app, &other).await;

        // Someone else's photo: as if it did not exist, and no ticket is opened.
        let r = app.post(TICKETS, complaint(&[theirs]), Some(&buyer.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("attachment_ids"), Some("not_found"), "{}", r.text);
        // An id that is nobody's, a repeated id, too many, a wrongly typed list.
        let r = app.post(TICKETS, complaint(&[Uuid::now_v7()]), Some(&buyer.token)).await;
        assert_eq!(r.field_code("attachment_ids"), Some("not_found"));
        let mine = photo(&app, &buyer).await;
        let r = app.post(TICKETS, complaint(&[mine, mine]), Some(&buyer.token)).await;
        assert_eq!(r.field_code("attachment_ids"), Some("duplicate"));
        let seven: Vec<Uuid> = (0..7).map(|_| Uuid::now_v7()).collect();
        let r = app.post(TICKETS, complaint(&seven), Some(&buyer.token)).await;
        assert_eq!(r.field_code("attachment_ids"), Some("too_many"));
        app.post(TICKETS, json!({"kind": "seller_complaint", "subject": "x", "body": "y", "attachment_ids": "all"}), Some(&buyer.token)).await.expect_status(422);
        app.post(TICKETS, json!({"kind": "seller_complaint", "subject": "x", "body": "y", "attachment_ids": ["not-a-uuid"]}), Some(&buyer.token)).await.expect_status(422);
        assert_eq!(app.count("desk_tickets", "1=1").await, 0, "nothing half-written");
        assert_eq!(app.count("desk_attachments", "ticket_id IS NOT NULL").await, 0);

        // Sent once; sending it again with another ticket is refused and opens nothing.
        app.post(TICKETS, complaint(&[mine]), Some(&buyer.token)).await.expect_status(201);
        let r = app.post(TICKETS, complaint(&[mine]), Some(&buyer.token)).await;
        assert_eq!(r.field_code("attachment_ids"), Some("not_found"));
        assert_eq!(app.count("desk_tickets", "1=1").await, 1);
        // The other buyer's photo is still theirs, unsent.
        app.get(&url(theirs), Some(&other.token)).await.expect_status(200);

        // Two messages racing with the same photo: one wins, the other writes nothing.
        let ticket = app.post(TICKETS, complaint(&[]), Some(&buyer.token)).await.id();
        let raced = photo(&app, &buyer).await;
        let path = format!("{TICKETS}/{ticket}/messages");
        let (a, b) = tokio::join!(
            app.post(&path, json!({"body": "第一条", "attachment_ids": [raced]}), Some(&buyer.token)),
            app.post(&path, json!({"body": "第二条", "attachment_ids": [raced]}), Some(&buyer.token)),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert!(statuses == [201, 409] || statuses == [201, 422], "{} / {}", a.text, b.text);
        assert_eq!(app.count("desk_attachments", "message_id IS NOT NULL").await, 2, "the first ticket's and the raced one, once");
        assert_eq!(app.count("desk_messages", "1=1").await, 3, "two openings and one reply");
    }

    async fn an_upload_must_be_a_photo_within_the_limits(app) {
        let buyer = app.consumer().await;
        let r = app.upload(UPLOAD, &buyer, b"%PDF-1.4 not a photo".to_vec(), "x.jpg").await;
        r.expect_status(415);
        assert_eq!(r.code(), "unsupported_image");
        let r = app.upload(UPLOAD, &buyer, b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(), "x.png").await;
        r.expect_status(415);
        let mut big = png(10, 10);
        big.resize(9 * 1024 * 1024, 0);
        let head = format!(
            "POST {UPLOAD} HTTP/1.1\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary={MULTIPART_BOUNDARY}",
            buyer.token,
        );
        let r = app.send_raw(&head, multipart_file(&big)).await;
        r.expect_status(413);
        assert_eq!(r.code(), "payload_too_large");
        let r = app.upload(UPLOAD, &buyer, png_bomb(20_000, 20_000), "bomb.png").await;
        assert!(r.status == 413 || r.status == 415 || r.status == 422, "{}", r.text);
        assert_eq!(app.count("desk_attachments", "1=1").await, 0, "nothing stored");

        // At most 20 unsent at a time.
        for _ in 0..20 {
            photo(&app, &buyer).await;
        }
        let r = app.upload(UPLOAD, &buyer, png(40, 40), "one-more.png").await;
        r.expect_status(409);
        assert_eq!(r.code(), "too_many_attachments");
        assert_eq!(app.count("desk_attachments", "1=1").await, 20);
    }

    async fn conversation_photos_reach_the_two_parties_and_staff_and_leave_with_a_hidden_message(app) {
        let seller = app.seller_with_listing().await;
        let other_seller = app.verified_seller().named("另一家合作社").with_listing(Product::oranges()).await;
        let buyer = app.consumer().await;
        let stranger = app.consumer().named("路人").await;
        let op = app.operator().await;

        let conv = app.post("/api/v1/conversations", json!({"listing_id": seller.listing}), Some(&buyer.token)).await.id();
        let mine = photo(&app, &buyer).await;
        let path = format!("/api/v1/conversations/{conv}/messages");
        let r = app.post(&path, json!({"body": "这个规格的果子有这么大吗？", "attachment_ids": [mine]}), Some(&buyer.token)).await;
        r.expect_status(201);
        assert_eq!(r.uuid("messages.0.attachments.0.id"), mine);
        let message = r.uuid("messages.0.id");

        app.get(&url(mine), Some(&seller.owner.token)).await.expect_status(200);
        app.get(&url(mine), Some(&op.token)).await.expect_status(200);
        app.get(&url(mine), Some(&stranger.token)).await.expect_status(404);
        app.get(&url(mine), Some(&other_seller.owner.token)).await.expect_status(404);
        app.get(&url(mine), None).await.expect_status(401);

        // The seller cannot send the buyer's photo as its own.
        let r = app.post(&path, json!({"body": "是的", "attachment_ids": [mine]}), Some(&seller.owner.token)).await;
        assert_eq!(r.field_code("attachment_ids"), Some("not_found"));
        let seller_photo = photo(&app, &seller.owner).await;
        app.post(&path, json!({"body": "实拍图", "attachment_ids": [seller_photo]}), Some(&seller.owner.token)).await.expect_status(201);
        assert_eq!(app.count("desk_conversation_messages", "1=1").await, 2);

        // Hidden: the parties no longer get the photo; staff still do.
        app.post(&format!("/api/v1/desk/conversation-messages/{message}/hide"), json!({"reason": "含联系方式"}), Some(&op.token)).await.expect_status(200);
        app.get(&url(mine), Some(&seller.owner.token)).await.expect_status(404);
        app.get(&url(mine), Some(&buyer.token)).await.expect_status(404);
        app.get(&url(mine), Some(&op.token)).await.expect_status(200);
        let seen = app.get(&format!("/api/v1/conversations/{conv}"), Some(&seller.owner.token)).await;
        assert_eq!(seen.len_of("messages.0.attachments"), 0, "{}", seen.text);
    }
}
