//! Delivery windows and signed delivery notes (送货时段, 签收单, issue #22) through the real
//! server on both stacks: a cooperative publishes weekly windows per area; anyone reads the
//! dated windows with the places left; the hotel books, moves and cancels one for its order
//! before it ships, racing bookings never overfill a window, and a cancelled order or a paid
//! part called off gives its place back. After shipping the driver photographs the goods and
//! the receiver signs — a member logged in or the driver's phone with the hotel's code (five
//! wrong codes lock it) — and the signed note is the receipt, recorded once however many sign
//! at once. Nobody else books, photographs, signs or sees the code.

use farmgate_tests::prelude::*;

/// A verified hotel (its owner with an address in 赣州市章贡区, 360702; a purchaser; a staff
/// member) and a cooperative selling oranges (50 in stock).
struct World {
    org: Uuid,
    owner: Consumer,
    purchaser: Consumer,
    staff: Consumer,
    seller: SellerWithListing,
}

async fn world(app: &TestApp) -> World {
    let op = app.operator().await;
    let owner = app.consumer().named("陈经理").await;
    let org = app
        .verified_org(&owner, &op, "business_buyer", "青石宾馆")
        .await;
    let owner = Consumer {
        session: app.login_again(&owner).await,
        address: owner.address,
    };
    let purchaser = app.joined(&owner, org, "purchaser", "采购员小李").await;
    let staff = app.joined(&owner, org, "staff", "前台小王").await;
    let seller = app.seller_with_listing().await;
    World {
        org,
        owner,
        purchaser,
        staff,
        seller,
    }
}

/// Tomorrow's ISO weekday in Shanghai, and the dates (Shanghai) `days` from today.
fn tomorrow_weekday(app: &TestApp) -> i64 {
    use chrono::Datelike;
    i64::from(
        (app.clock.now() + chrono::Duration::hours(8 + 24))
            .weekday()
            .number_from_monday(),
    )
}

fn day(app: &TestApp, days: i64) -> String {
    (app.clock.now() + chrono::Duration::hours(8) + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A window for 赣州市 (a city code: it covers 章贡区) tomorrow 08:00–10:00, `capacity`
/// places, no cut-off.
fn window_body(app: &TestApp, region: &str, capacity: i64) -> Value {
    json!({"region_code": region, "weekday": tomorrow_weekday(app), "start": "08:00",
           "end": "10:00", "capacity": capacity, "cutoff_hours": 0})
}

async fn publish(app: &TestApp, w: &World, region: &str, capacity: i64) -> Uuid {
    let r = app
        .post(
            &format!("/api/v1/orgs/{}/delivery-windows", w.seller.org),
            window_body(app, region, capacity),
            Some(&w.seller.owner.token),
        )
        .await;
    r.expect_status(201);
    r.id()
}

/// Places left in the window on the date `days` from today (public read).
async fn left(app: &TestApp, w: &World, window: Uuid, days: i64) -> i64 {
    let r = app
        .get(
            &format!("/api/v1/orgs/{}/delivery-slots", w.seller.org),
            None,
        )
        .await;
    r.expect_status(200);
    let date = day(app, days);
    r.body
        .as_array()
        .expect("a list")
        .iter()
        .find(|s| s["window_id"] == json!(window) && s["date"] == json!(date))
        .and_then(|s| s["left"].as_i64())
        .expect("the dated window")
}

/// The hotel's owner orders a box of oranges (bank transfer); its sub-order.
async fn order(app: &TestApp, w: &World, who: &Consumer) -> (Uuid, Uuid) {
    let o = app.checkout(who, &[(w.seller.sku, 1)], "offline").await;
    (o.id, o.part().id)
}

async fn book(app: &TestApp, who: &Session, part: Uuid, window: Uuid, days: i64) -> Resp {
    app.put(
        &format!("/api/v1/sub-orders/{part}/delivery-slot"),
        json!({"window_id": window, "date": day(app, days)}),
        Some(&who.token),
    )
    .await
}

fn photo_path(part: Uuid) -> String {
    format!("/api/v1/sub-orders/{part}/delivery-note/photo")
}

fn sign_path(part: Uuid) -> String {
    format!("/api/v1/sub-orders/{part}/delivery-note/sign")
}

/// A paid, booked and shipped order of the hotel's owner; its sub-order.
async fn shipped(app: &TestApp, w: &World) -> (Uuid, Uuid) {
    let window = publish(app, w, "360700", 10).await;
    let (id, part) = order(app, w, &w.owner).await;
    app.confirm_transfer(id).await;
    book(app, &w.owner, part, window, 1)
        .await
        .expect_status(200);
    app.ship(&w.seller.owner, part).await;
    (id, part)
}

/// The driver's photo of the goods, and the code as the hotel's owner reads it.
async fn at_the_door(app: &TestApp, w: &World, part: Uuid) -> String {
    let r = app
        .upload(
            &photo_path(part),
            &w.seller.owner,
            jpeg_with_exif(),
            "goods.jpg",
        )
        .await;
    r.expect_status(200);
    assert_eq!(r.str("note.status"), "open", "{}", r.text);
    assert!(
        r.at("code").is_null(),
        "the driver never sees the code: {}",
        r.text
    );
    let mine = app
        .get(
            &format!("/api/v1/sub-orders/{part}/delivery"),
            Some(&w.owner.token),
        )
        .await;
    mine.expect_status(200);
    mine.str("code").to_owned()
}

/// In-app notifications of `kind` (to anyone).
async fn notified(app: &TestApp, kind: &str) -> i64 {
    app.outbox_drained().await;
    app.count(
        "notifications",
        &format!("kind = '{kind}' AND channel = 'in_app'"),
    )
    .await
}

async fn received_events(app: &TestApp, order: Uuid, viewer: &Session) -> usize {
    app.order(order, viewer)
        .await
        .events
        .iter()
        .filter(|e| e.kind == "received")
        .count()
}

both_backends! {
    async fn a_seller_publishes_windows_and_anyone_reads_the_dated_places_left(app) {
        let w = world(&app).await;
        let window = publish(&app, &w, "360700", 2).await;
        let slots = app.get(&format!("/api/v1/orgs/{}/delivery-slots", w.seller.org), None).await;
        slots.expect_status(200);
        let dates: Vec<&str> = slots.body.as_array().expect("list").iter().filter_map(|s| s["date"].as_str()).collect();
        assert_eq!(dates, [day(&app, 1), day(&app, 8)], "{}", slots.text);
        assert_eq!(slots.str("0.start"), "08:00");
        assert_eq!(left(&app, &w, window, 1).await, 2);

        let near = app.get(&format!("/api/v1/orgs/{}/delivery-slots?region=360702", w.seller.org), None).await;
        assert_eq!(near.body.as_array().map(Vec::len), Some(2), "a city covers its districts: {}", near.text);
        let far = app.get(&format!("/api/v1/orgs/{}/delivery-slots?region=110101", w.seller.org), None).await;
        assert_eq!(far.body.as_array().map(Vec::len), Some(0), "{}", far.text);
        let bad = app.get(&format!("/api/v1/orgs/{}/delivery-slots?region=abc", w.seller.org), None).await;
        assert_eq!((bad.status, bad.field_code("region")), (422, Some("invalid")), "{}", bad.text);

        // Changed, then withdrawn: nobody sees it any more.
        let mut body = window_body(&app, "360702", 5);
        body["end"] = json!("11:30");
        let changed = app.put(&format!("/api/v1/delivery-windows/{window}"), body, Some(&w.seller.owner.token)).await;
        changed.expect_status(200);
        assert_eq!((changed.str("end"), changed.i64("capacity")), ("11:30", 5), "{}", changed.text);
        let listed = app.get(&format!("/api/v1/orgs/{}/delivery-windows", w.seller.org), None).await;
        assert_eq!(listed.body.as_array().map(Vec::len), Some(1), "{}", listed.text);
        app.delete(&format!("/api/v1/delivery-windows/{window}"), Some(&w.seller.owner.token)).await.expect_status(204);
        let gone = app.get(&format!("/api/v1/orgs/{}/delivery-slots", w.seller.org), None).await;
        assert_eq!(gone.body.as_array().map(Vec::len), Some(0), "{}", gone.text);
        let again = app.delete(&format!("/api/v1/delivery-windows/{window}"), Some(&w.seller.owner.token)).await;
        assert_eq!(again.status, 404, "{}", again.text);
    }

    async fn only_the_sellers_members_publish_and_every_bad_field_is_named(app) {
        let w = world(&app).await;
        let path = format!("/api/v1/orgs/{}/delivery-windows", w.seller.org);
        let outsider = app.post(&path, window_body(&app, "360700", 2), Some(&w.owner.token)).await;
        assert_eq!((outsider.status, outsider.code()), (403, "forbidden"), "{}", outsider.text);
        let anonymous = app.post(&path, window_body(&app, "360700", 2), None).await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.text);
        // The hotel is an organisation, but not a seller.
        let buyer_org = app.post(&format!("/api/v1/orgs/{}/delivery-windows", w.org), window_body(&app, "360700", 2), Some(&w.owner.token)).await;
        assert_eq!(buyer_org.status, 403, "{}", buyer_org.text);

        let bad = app.post(&path, json!({"region_code": "3607", "weekday": 8, "start": "25:00",
            "end": "07:00", "capacity": 501, "cutoff_hours": -1}), Some(&w.seller.owner.token)).await;
        assert_eq!(bad.status, 422, "{}", bad.text);
        for f in ["region_code", "weekday", "start", "capacity", "cutoff_hours"] {
            assert!(bad.field_code(f).is_some(), "{f}: {}", bad.text);
        }
        let backwards = app.post(&path, json!({"region_code": "360700", "weekday": 1, "start": "10:00",
            "end": "09:00", "capacity": 1, "cutoff_hours": 0}), Some(&w.seller.owner.token)).await;
        assert_eq!(backwards.field_code("end"), Some("before_start"), "{}", backwards.text);
        let huge = app.post(&path, json!({"region_code": "360700", "weekday": 1, "start": "10:00",
            "end": "11:00", "capacity": i64::MAX, "cutoff_hours": 0}), Some(&w.seller.owner.token)).await;
        assert_eq!(huge.field_code("capacity"), Some("out_of_range"), "{}", huge.text);
        let unknown = app.post(&path, json!({"region_code": "360700", "weekday": 1, "start": "10:00",
            "end": "11:00", "capacity": 1, "cutoff_hours": 0, "price": 1}), Some(&w.seller.owner.token)).await;
        assert!(matches!(unknown.status, 400 | 422), "{}", unknown.text);
        assert_eq!(app.count("delivery_windows", "1 = 1").await, 0, "nothing half-written");

        // Another seller's member neither changes nor withdraws it.
        let window = publish(&app, &w, "360700", 2).await;
        let other = app.seller_with_listing().await;
        let put = app.put(&format!("/api/v1/delivery-windows/{window}"), window_body(&app, "360700", 9), Some(&other.owner.token)).await;
        assert_eq!(put.status, 404, "{}", put.text);
        let del = app.delete(&format!("/api/v1/delivery-windows/{window}"), Some(&other.owner.token)).await;
        assert_eq!(del.status, 404, "{}", del.text);
        assert_eq!(left(&app, &w, window, 1).await, 2);
    }

    async fn the_hotel_books_moves_and_cancels_a_window_and_the_places_follow(app) {
        let w = world(&app).await;
        let window = publish(&app, &w, "360700", 2).await;
        let (_, part) = order(&app, &w, &w.owner).await;

        let booked = book(&app, &w.owner, part, window, 1).await;
        booked.expect_status(200);
        assert_eq!(booked.str("booking.date"), day(&app, 1), "{}", booked.text);
        assert_eq!((booked.str("booking.start"), booked.bool("can_book")), ("08:00", true));
        assert_eq!(left(&app, &w, window, 1).await, 1);
        assert_eq!(notified(&app, "delivery_booked").await, 1, "the seller's one member is told");
        // The same again changes nothing.
        book(&app, &w.owner, part, window, 1).await.expect_status(200);
        assert_eq!(left(&app, &w, window, 1).await, 1);

        // The purchaser moves it a week on: the first date's place comes back.
        book(&app, &w.purchaser, part, window, 8).await.expect_status(200);
        assert_eq!((left(&app, &w, window, 1).await, left(&app, &w, window, 8).await), (2, 1));

        // The seller sees it, but does not book it.
        let seen = app.get(&format!("/api/v1/sub-orders/{part}/delivery"), Some(&w.seller.owner.token)).await;
        seen.expect_status(200);
        assert_eq!(seen.str("booking.date"), day(&app, 8));
        assert!(!seen.bool("can_book"));

        let cancelled = app.delete(&format!("/api/v1/sub-orders/{part}/delivery-slot"), Some(&w.owner.token)).await;
        cancelled.expect_status(200);
        assert!(cancelled.at("booking").is_null(), "{}", cancelled.text);
        assert_eq!(left(&app, &w, window, 8).await, 2);
    }

    async fn nobody_else_books_and_bad_windows_and_dates_are_refused(app) {
        let w = world(&app).await;
        let window = publish(&app, &w, "360700", 2).await;
        let (_, part) = order(&app, &w, &w.owner).await;

        let staff = book(&app, &w.staff, part, window, 1).await;
        assert_eq!((staff.status, staff.code()), (403, "forbidden"), "staff do not order: {}", staff.text);
        let seller = book(&app, &w.seller.owner, part, window, 1).await;
        assert_eq!(seller.status, 403, "{}", seller.text);
        let stranger = app.consumer().await;
        let other = book(&app, &stranger, part, window, 1).await;
        assert_eq!(other.status, 404, "another's order is not theirs to know of: {}", other.text);
        let seen = app.get(&format!("/api/v1/sub-orders/{part}/delivery"), Some(&stranger.token)).await;
        assert_eq!(seen.status, 404, "{}", seen.text);

        let wrong_day = book(&app, &w.owner, part, window, 2).await;
        assert_eq!((wrong_day.status, wrong_day.field_code("date")), (422, Some("out_of_range")), "{}", wrong_day.text);
        let too_far = book(&app, &w.owner, part, window, 15).await;
        assert_eq!(too_far.field_code("date"), Some("out_of_range"), "{}", too_far.text);
        let past = book(&app, &w.owner, part, window, -6).await;
        assert_eq!(past.field_code("date"), Some("out_of_range"), "{}", past.text);
        let beijing = publish(&app, &w, "110100", 2).await;
        let far = book(&app, &w.owner, part, beijing, 1).await;
        assert_eq!(far.field_code("window_id"), Some("out_of_area"), "{}", far.text);
        let others = app.seller_with_listing().await;
        let theirs = app.post(&format!("/api/v1/orgs/{}/delivery-windows", others.org),
            window_body(&app, "360700", 2), Some(&others.owner.token)).await;
        theirs.expect_status(201);
        let not_theirs = book(&app, &w.owner, part, theirs.id(), 1).await;
        assert_eq!(not_theirs.field_code("window_id"), Some("not_found"), "{}", not_theirs.text);
        let malformed = app.put(&format!("/api/v1/sub-orders/{part}/delivery-slot"),
            json!({"window_id": "x", "date": "tomorrow"}), Some(&w.owner.token)).await;
        assert!(matches!(malformed.status, 400 | 422), "{}", malformed.text);
        assert_eq!(app.count("delivery_bookings", "1 = 1").await, 0, "nothing half-written");
        assert_eq!(left(&app, &w, window, 1).await, 2);

        // A consumer's own order has no delivery window.
        let consumer_order = app.checkout(&stranger, &[(w.seller.sku, 1)], "offline").await;
        let consumer = book(&app, &stranger, consumer_order.part().id, window, 1).await;
        assert_eq!((consumer.status, consumer.code()), (409, "not_business_buyer"), "{}", consumer.text);

        // Shipped: the window no longer changes.
        let (id, part2) = order(&app, &w, &w.owner).await;
        app.confirm_transfer(id).await;
        book(&app, &w.owner, part2, window, 1).await.expect_status(200);
        app.ship(&w.seller.owner, part2).await;
        let late = book(&app, &w.owner, part2, window, 8).await;
        assert_eq!((late.status, late.code()), (409, "delivery_closed"), "{}", late.text);
        let late = app.delete(&format!("/api/v1/sub-orders/{part2}/delivery-slot"), Some(&w.owner.token)).await;
        assert_eq!(late.code(), "delivery_closed", "{}", late.text);
    }

    async fn eight_bookings_racing_for_three_places_give_exactly_three(app) {
        let w = world(&app).await;
        let window = publish(&app, &w, "360700", 3).await;
        let mut parts = Vec::new();
        for _ in 0..8 {
            parts.push(order(&app, &w, &w.owner).await.1);
        }
        let reqs = parts
            .iter()
            .map(|p| {
                app.http
                    .put(app.url(&format!("/api/v1/sub-orders/{p}/delivery-slot")))
                    .bearer_auth(&w.owner.token)
                    .json(&json!({"window_id": window, "date": day(&app, 1)}))
            })
            .collect();
        let answers = app.send_all(reqs).await;
        let ok = answers.iter().filter(|r| r.status == 200).count();
        let full = answers.iter().filter(|r| r.status == 409 && r.code() == "delivery_slot_full").count();
        assert_eq!((ok, full), (3, 5), "{:?}", answers.iter().map(|r| &r.text).collect::<Vec<_>>());
        assert_eq!(app.count("delivery_bookings", "1 = 1").await, 3);
        assert_eq!(app.scalar("SELECT SUM(booked) FROM delivery_slot_loads").await, 3);
        assert_eq!(left(&app, &w, window, 1).await, 0);
    }

    async fn a_cancelled_order_and_a_paid_part_called_off_give_their_places_back(app) {
        let w = world(&app).await;
        let window = publish(&app, &w, "360700", 1).await;
        let (unpaid, part) = order(&app, &w, &w.owner).await;
        book(&app, &w.owner, part, window, 1).await.expect_status(200);
        assert_eq!(left(&app, &w, window, 1).await, 0);
        app.post(&format!("/api/v1/orders/{unpaid}/cancel"), json!({}), Some(&w.owner.token)).await.expect_status(200);
        assert_eq!(left(&app, &w, window, 1).await, 1, "the unpaid order's place is back");
        assert_eq!(app.count("delivery_bookings", "1 = 1").await, 0);

        let (paid, part) = order(&app, &w, &w.owner).await;
        app.confirm_transfer(paid).await;
        book(&app, &w.owner, part, window, 1).await.expect_status(200);
        assert_eq!(left(&app, &w, window, 1).await, 0);
        app.post(&format!("/api/v1/sub-orders/{part}/cancel-request"), json!({"reason": "菜单改了"}), Some(&w.owner.token))
            .await.expect_status(200);
        app.post_empty(&format!("/api/v1/sub-orders/{part}/cancel-request/accept"), Some(&w.seller.owner.token))
            .await.expect_status(200);
        assert_eq!(left(&app, &w, window, 1).await, 1, "the paid part's place is back");
        let after = book(&app, &w.owner, part, window, 1).await;
        assert_eq!(after.code(), "delivery_closed", "{}", after.text);
    }

    async fn the_driver_photographs_the_goods_and_the_code_signs_the_note_which_is_the_receipt(app) {
        let w = world(&app).await;
        let (id, part) = shipped(&app, &w).await;

        let early = app.post(&sign_path(part), json!({"signer_name": "陈经理"}), Some(&w.owner.token)).await;
        assert_eq!((early.status, early.code()), (409, "delivery_photo_missing"), "{}", early.text);
        let not_a_photo = app.upload(&photo_path(part), &w.seller.owner, b"%PDF-1.4 no".to_vec(), "x.pdf").await;
        assert_eq!(not_a_photo.status, 415, "{}", not_a_photo.text);
        let by_buyer = app.upload(&photo_path(part), &w.owner, jpeg_with_exif(), "goods.jpg").await;
        assert_eq!(by_buyer.status, 404, "{}", by_buyer.text);
        let code = at_the_door(&app, &w, part).await;
        assert_eq!(code.len(), 6);

        // The photo: the parties only, privately cached, without EXIF.
        let photo = app.get(&photo_path(part), Some(&w.owner.token)).await;
        photo.expect_status(200);
        assert_eq!(photo.header("cache-control"), Some("private, max-age=3600"));
        assert!(!photo.text.contains("GPSLatitude"));
        let stranger = app.consumer().await;
        assert_eq!(app.get(&photo_path(part), Some(&stranger.token)).await.status, 404);

        let no_code = app.post(&sign_path(part), json!({"signer_name": "陈经理"}), Some(&w.seller.owner.token)).await;
        assert_eq!((no_code.status, no_code.code()), (403, "forbidden"), "the driver signs only with the code: {}", no_code.text);
        let line = app.order(id, &w.owner).await.part().line().id;
        let too_many = app.post(&sign_path(part), json!({"signer_name": "陈经理", "code": code,
            "lines": [{"line_id": line, "quantity": 2}]}), Some(&w.seller.owner.token)).await;
        assert_eq!(too_many.field_code("lines[0].quantity"), Some("out_of_range"), "{}", too_many.text);
        let long = app.post(&sign_path(part), json!({"signer_name": "陈".repeat(41), "code": code}), Some(&w.seller.owner.token)).await;
        assert_eq!(long.field_code("signer_name"), Some("too_long"), "{}", long.text);
        let foreign = app.post(&sign_path(part), json!({"signer_name": "陈经理", "code": code,
            "lines": [{"line_id": Uuid::nil(), "quantity": 1}]}), Some(&w.seller.owner.token)).await;
        assert_eq!(foreign.field_code("lines[0].line_id"), Some("not_found"), "{}", foreign.text);
        assert_eq!(app.order(id, &w.owner).await.part().status, "shipped", "nothing half-written");

        let signed = app.post(&sign_path(part), json!({"signer_name": "陈经理", "code": code,
            "remarks": "一箱外包装破损", "lines": [{"line_id": line, "quantity": 1}]}), Some(&w.seller.owner.token)).await;
        signed.expect_status(200);
        assert_eq!((signed.str("note.status"), signed.str("note.signed_via")), ("signed", "code"), "{}", signed.text);
        assert_eq!(signed.str("note.signer_name"), "陈经理");
        assert_eq!(signed.i64("lines.0.received"), 1);
        assert_eq!(signed.str("status"), "received");
        let mine = app.order(id, &w.owner).await;
        assert_eq!(mine.part().status, "received");
        assert_eq!(received_events(&app, id, &w.owner).await, 1);
        assert_eq!(notified(&app, "delivery_signed").await, 1, "the hotel's owner is told");

        let again = app.post(&sign_path(part), json!({"signer_name": "陈经理"}), Some(&w.owner.token)).await;
        assert_eq!((again.status, again.code()), (409, "delivery_note_signed"), "{}", again.text);
        let new_photo = app.upload(&photo_path(part), &w.seller.owner, jpeg_with_exif(), "goods.jpg").await;
        assert_eq!(new_photo.status, 409, "{}", new_photo.text);
        let printed = app.get(&format!("/api/v1/sub-orders/{part}/delivery"), Some(&w.owner.token)).await;
        assert!(printed.at("code").is_null(), "a signed note shows no code: {}", printed.text);
        assert_eq!(printed.str("note.remarks"), "一箱外包装破损");
    }

    async fn five_wrong_codes_lock_it_and_a_member_of_the_hotel_signs_instead(app) {
        let w = world(&app).await;
        let (id, part) = shipped(&app, &w).await;
        let code = at_the_door(&app, &w, part).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for left in (1..=4).rev() {
            let r = app.post(&sign_path(part), json!({"signer_name": "陈经理", "code": wrong}), Some(&w.seller.owner.token)).await;
            assert_eq!((r.status, r.code()), (409, "delivery_code_wrong"), "{}", r.text);
            assert!(r.text.contains(&format!("{left}")), "{}", r.text);
        }
        let fifth = app.post(&sign_path(part), json!({"signer_name": "陈经理", "code": wrong}), Some(&w.seller.owner.token)).await;
        assert_eq!(fifth.code(), "delivery_code_locked", "{}", fifth.text);
        let right = app.post(&sign_path(part), json!({"signer_name": "陈经理", "code": code}), Some(&w.seller.owner.token)).await;
        assert_eq!(right.code(), "delivery_code_locked", "the right code after five wrong ones: {}", right.text);
        assert_eq!(app.order(id, &w.owner).await.part().status, "shipped");

        // The staff at the hotel's door signs logged in.
        let signed = app.post(&sign_path(part), json!({"signer_name": "前台小王"}), Some(&w.staff.token)).await;
        signed.expect_status(200);
        assert_eq!(signed.str("note.signed_via"), "member", "{}", signed.text);
        assert!(signed.bool("note.code_locked"));
        assert_eq!(app.order(id, &w.owner).await.part().status, "received");
    }

    async fn signings_racing_at_the_door_sign_once_and_receive_once(app) {
        let w = world(&app).await;
        let (id, part) = shipped(&app, &w).await;
        let code = at_the_door(&app, &w, part).await;
        let sign = |who: &Session, body: Value| {
            app.http.post(app.url(&sign_path(part))).bearer_auth(&who.token).json(&body)
        };
        let answers = app.send_all(vec![
            sign(&w.seller.owner, json!({"signer_name": "陈经理", "code": code})),
            sign(&w.owner, json!({"signer_name": "陈经理"})),
            sign(&w.purchaser, json!({"signer_name": "小李"})),
            sign(&w.staff, json!({"signer_name": "小王"})),
        ]).await;
        let ok = answers.iter().filter(|r| r.status == 200).count();
        let signed = answers.iter().filter(|r| r.code() == "delivery_note_signed").count();
        assert_eq!((ok, signed), (1, 3), "{:?}", answers.iter().map(|r| &r.text).collect::<Vec<_>>());
        assert_eq!(received_events(&app, id, &w.owner).await, 1);
        assert_eq!(app.count("delivery_notes", "status = 'signed'").await, 1);
        // Confirming receipt afterwards changes nothing.
        app.receive(&w.owner, part).await;
        assert_eq!(received_events(&app, id, &w.owner).await, 1);
    }

    async fn the_seller_lists_the_days_deliveries_and_nobody_else_does(app) {
        let w = world(&app).await;
        let (_, part) = shipped(&app, &w).await;
        let path = format!("/api/v1/orgs/{}/deliveries?date={}", w.seller.org, day(&app, 1));
        let today = app.get(&path, Some(&w.seller.owner.token)).await;
        today.expect_status(200);
        assert_eq!(today.str("0.sub_order_id"), part.to_string(), "{}", today.text);
        assert_eq!(today.str("0.booking.start"), "08:00");
        let hotel = app.get(&path, Some(&w.owner.token)).await;
        assert_eq!(hotel.status, 403, "{}", hotel.text);
        let bad = app.get(&format!("/api/v1/orgs/{}/deliveries?date=soon", w.seller.org), Some(&w.seller.owner.token)).await;
        assert_eq!(bad.status, 400, "{}", bad.text);
    }
}
