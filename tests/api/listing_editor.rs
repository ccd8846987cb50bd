//! The seller's one-save listing editor (#19): photos uploaded before the listing exists (drafts
//! of the organisation, expiring after a day), attached by id in the create or in the
//! whole-listing save (`PUT /listings/{id}`), in the one transaction that writes the facts and
//! the SKUs — and the attacks: another organisation's photo, a photo already on a listing, a
//! non-image, an oversized one, too many, a double-tapped save, the wrong role.

use farmgate_catalog::images::MAX_UPLOAD_BYTES;
use farmgate_tests::prelude::*;
use std::collections::HashSet;

fn photos_url(org: Uuid) -> String {
    format!("/api/v1/orgs/{org}/photos")
}

/// Uploads a photo before saving; returns its id.
async fn draft(app: &TestApp, seller: &Seller, w: u32) -> Uuid {
    let r = app
        .upload(&photos_url(seller.org), &seller.owner, png(w, 300), "p.png")
        .await;
    r.expect_status(201);
    assert!(
        r.str("thumb_url").starts_with("/media/public/"),
        "{}",
        r.text
    );
    assert!(r.has("expires_at"));
    r.id()
}

/// A listing body in two sizes with these photos.
async fn body(app: &TestApp, title: &str, photos: &[Uuid]) -> Value {
    let mut b = Product::oranges_in_two_sizes(title).body(app.category("citrus").await);
    b["photo_ids"] = json!(photos);
    b
}

async fn create(app: &TestApp, seller: &Seller, body: Value) -> Resp {
    app.post(
        &format!("/api/v1/orgs/{}/listings", seller.org),
        body,
        Some(&seller.owner.token),
    )
    .await
}

/// The whole listing as the editor sends it back: every fact, every SKU (with ids), every
/// photo id in order.
fn whole(listing: &Value) -> Value {
    let skus: Vec<Value> = listing
        .arr("skus")
        .iter()
        .map(|s| {
            json!({
                "id": s["id"], "name": s["name"], "unit": s["unit"], "price": s["price"],
                "stock": s["stock"], "weight_grams": s["weight_grams"],
                "net_weight_grams": s["net_weight_grams"], "gtin": s["gtin"],
                "tiers": s["tiers"], "active": s["active"],
            })
        })
        .collect();
    let origin = &listing["origin"];
    json!({
        "category_id": listing["category"]["id"],
        "title": listing["title"],
        "description": listing["description"],
        "origin": {"province": origin["province"], "city": origin["city"], "county": origin["county"],
                   "township": origin["township"], "village": origin["village"]},
        "season": listing["season"],
        "storage": listing["storage"],
        "shelf_life_days": listing["shelf_life_days"],
        "skus": skus,
        "photo_ids": listing.strings("images", "id"),
    })
}

async fn seen(app: &TestApp, id: Uuid, who: &Session) -> Value {
    let r = app
        .get(&format!("/api/v1/listings/{id}"), Some(&who.token))
        .await;
    r.expect_status(200);
    r.body
}

async fn save(app: &TestApp, id: Uuid, who: &Session, body: Value) -> Resp {
    app.put(&format!("/api/v1/listings/{id}"), body, Some(&who.token))
        .await
}

/// Whether a public media URL answers 200.
async fn served(app: &TestApp, url: &str) -> bool {
    app.http
        .get(app.url(url))
        .send()
        .await
        .is_ok_and(|r| r.status().as_u16() == 200)
}

both_backends! {
    async fn a_listing_with_two_photos_chosen_before_it_existed_and_two_skus_is_created_in_one_save(app) {
        let seller = app.verified_seller().await;
        let front = draft(&app, &seller, 400).await;
        let side = draft(&app, &seller, 500).await;

        let r = create(&app, &seller, body(&app, "赣南脐橙 一次保存", &[side, front]).await).await;

        r.expect_status(201);
        assert_eq!(r.strings("images", "id"), vec![side.to_string(), front.to_string()], "in the order sent");
        assert_eq!(r.len_of("skus"), 2);
        assert_eq!(r.str("status"), "draft");
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 0, "both drafts moved onto the listing");
        assert_eq!(app.count("listing_images", "1=1").await, 2);
        for url in r.strings("images", "thumb_url") {
            assert!(served(&app, &url).await, "{url}");
        }
    }

    async fn a_double_tapped_save_with_one_idempotency_key_makes_one_listing(app) {
        let seller = app.verified_seller().await;
        let photo = draft(&app, &seller, 400).await;
        let b = body(&app, "赣南脐橙 双击", &[photo]).await;
        let url = app.url(&format!("/api/v1/orgs/{}/listings", seller.org));
        let req = || app.http.post(&url).bearer_auth(&seller.owner.token)
            .header("Idempotency-Key", "save-7f3a").json(&b);

        let answers = app.send_all(vec![req(), req(), req()]).await;

        for a in &answers {
            a.expect_status(201);
            assert_eq!(a.id(), answers[0].id());
        }
        assert_eq!(app.count("listings", "1=1").await, 1);
        assert_eq!(app.count("listing_images", "1=1").await, 1);
        // The same key for another listing is refused, and makes nothing.
        let other = app.send(app.http.post(&url).bearer_auth(&seller.owner.token)
            .header("Idempotency-Key", "save-7f3a").json(&body(&app, "别的商品", &[]).await)).await;
        other.expect_status(409);
        assert_eq!(other.code(), "idempotency_key_reused");
        let bad = app.send(app.http.post(&url).bearer_auth(&seller.owner.token)
            .header("Idempotency-Key", "x".repeat(81)).json(&b)).await;
        bad.expect_status(422);
        assert_eq!(app.count("listings", "1=1").await, 1);
    }

    async fn another_organisations_photo_or_one_already_on_a_listing_is_refused_and_nothing_is_written(app) {
        let seller = app.verified_seller().await;
        let rival = app.verified_seller().named("另一家合作社").await;
        let theirs = draft(&app, &rival, 400).await;
        let mine = draft(&app, &seller, 400).await;

        let r = create(&app, &seller, body(&app, "偷来的图片", &[mine, theirs]).await).await;
        r.expect_status(422);
        assert_eq!(r.field_code("photo_ids[1]"), Some("unavailable"), "{}", r.text);
        assert_eq!(app.count("listings", "1=1").await, 0, "no listing half-written");
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 2, "both photos still waiting");

        create(&app, &seller, body(&app, "第一个商品", &[mine]).await).await.expect_status(201);
        let again = create(&app, &seller, body(&app, "第二个商品", &[mine]).await).await;
        again.expect_status(422);
        assert_eq!(again.field_code("photo_ids[0]"), Some("unavailable"));
        let twice = create(&app, &rival, body(&app, "同一张两次", &[theirs, theirs]).await).await;
        twice.expect_status(422);
        assert_eq!(twice.field_code("photo_ids[1]"), Some("duplicate"));
        assert_eq!(app.count("listings", "1=1").await, 1);
        assert_eq!(app.count("listing_images", "1=1").await, 1);
    }

    async fn two_listings_naming_the_same_photo_at_once_get_it_once(app) {
        let seller = app.verified_seller().await;
        let photo = draft(&app, &seller, 400).await;
        let url = app.url(&format!("/api/v1/orgs/{}/listings", seller.org));
        let a = body(&app, "甲商品脐橙", &[photo]).await;
        let b = body(&app, "乙商品脐橙", &[photo]).await;

        let answers = app.send_all(vec![
            app.http.post(&url).bearer_auth(&seller.owner.token).json(&a),
            app.http.post(&url).bearer_auth(&seller.owner.token).json(&b),
        ]).await;

        let mut statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![201, 422], "{answers:?}");
        assert_eq!(app.count("listings", "1=1").await, 1);
        assert_eq!(app.count("listing_images", "1=1").await, 1);
    }

    async fn a_refused_sku_leaves_nothing_written_and_the_photos_waiting(app) {
        let seller = app.verified_seller().await;
        let photo = draft(&app, &seller, 400).await;
        let mut b = body(&app, "坏价格脐橙", &[photo]).await;
        b["skus"][1]["price"] = json!(-5);

        let r = create(&app, &seller, b).await;

        r.expect_status(422);
        assert!(r.field("skus[1].price").is_some(), "{}", r.text);
        assert_eq!(app.count("listings", "1=1").await, 0);
        assert_eq!(app.count("skus", "1=1").await, 0);
        assert_eq!(app.count("listing_images", "1=1").await, 0);
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 1);
    }

    async fn a_non_image_an_oversized_photo_and_too_many_photos_are_refused(app) {
        let seller = app.verified_seller().await;
        let url = photos_url(seller.org);

        let pdf = app.upload(&url, &seller.owner, b"%PDF-1.7 licence".to_vec(), "a.jpg").await;
        pdf.expect_status(415);
        assert_eq!(pdf.code(), "unsupported_image");
        let mut big = png(10, 10);
        big.resize(MAX_UPLOAD_BYTES + 1, 0);
        let over = app.upload(&url, &seller.owner, big, "big.png").await;
        over.expect_status(413);
        let speck = app.upload(&url, &seller.owner, png(20, 20), "speck.png").await;
        speck.expect_status(422);
        let none = app.send(app.http.post(app.url(&url)).bearer_auth(&seller.owner.token)
            .multipart(reqwest::multipart::Form::new().text("other", "x"))).await;
        none.expect_status(422);
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 0);

        let mut ten = Vec::new();
        for _ in 0..10 {
            ten.push(draft(&app, &seller, 300).await);
        }
        let r = create(&app, &seller, body(&app, "十张图片脐橙", &ten).await).await;
        r.expect_status(409);
        assert_eq!(r.code(), "too_many_images");
        assert_eq!(app.count("listings", "1=1").await, 0);

        for _ in 10..farmgate_catalog::service::MAX_DRAFT_PHOTOS {
            draft(&app, &seller, 300).await;
        }
        let full = app.upload(&url, &seller.owner, png(300, 300), "p.png").await;
        full.expect_status(409);
        assert_eq!(full.code(), "too_many_drafts");
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 30);
    }

    async fn forty_photos_uploaded_at_once_keep_exactly_thirty_and_leave_no_files_behind(app) {
        let seller = app.verified_seller().await;
        let url = app.url(&photos_url(seller.org));
        let send = |n: u32| {
            let part = reqwest::multipart::Part::bytes(png(300 + n, 300)).file_name("p.png");
            app.http.post(&url).bearer_auth(&seller.owner.token)
                .multipart(reqwest::multipart::Form::new().part("file", part))
        };

        // All forty at once; the decoding queue may answer some `503 server_busy` (its
        // back-pressure, with Retry-After): a phone sends those again, at once too.
        let mut pending: Vec<u32> = (0..40).collect();
        let mut answers = Vec::new();
        for _ in 0..30 {
            if pending.is_empty() {
                break;
            }
            let got = app.send_all(pending.iter().map(|&n| send(n)).collect()).await;
            let mut again = Vec::new();
            for (n, r) in pending.iter().zip(got) {
                if r.status == 503 {
                    assert_eq!(r.code(), "server_busy", "{}", r.text);
                    again.push(*n);
                } else {
                    answers.push(r);
                }
            }
            pending = again;
        }

        assert!(pending.is_empty(), "still busy: {pending:?}");
        let kept: HashSet<String> = answers.iter().filter(|r| r.status == 201).map(|r| r.id().to_string()).collect();
        let refused = answers.iter().filter(|r| r.status == 409 && r.code() == "too_many_drafts").count();
        assert_eq!((kept.len(), refused), (30, 10),
            "{:?}", answers.iter().map(|r| (r.status, r.code())).collect::<Vec<_>>());
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 30);
        let objects = &app.state.infra.objects;
        let public = objects.list(&format!("public/photos/{}/", seller.org)).await.expect("list");
        let private = objects.list(&format!("private/photos/{}/", seller.org)).await.expect("list");
        assert_eq!((public.len(), private.len()), (60, 30), "a display and a thumbnail public, the original private, for each kept photo only");
        for k in public.iter().chain(&private) {
            let id = k.as_str().split('/').nth(3).unwrap_or_default();
            assert!(kept.contains(id), "{k} belongs to no kept photo");
        }
    }

    async fn only_a_selling_member_uploads_photos_for_its_organisation(app) {
        let seller = app.verified_seller().await;
        let rival = app.verified_seller().named("另一家合作社").await;
        let op = app.operator().await;
        let consumer = app.consumer().await;
        let owner = app.consumer().named("马超").await;
        let shop = app.verified_org(&owner, &op, "business_buyer", "青石县惠民社区超市").await;
        let owner = app.login_again(&owner).await;

        app.upload(&photos_url(seller.org), &rival.owner, png(300, 300), "p.png").await.expect_status(403);
        app.upload(&photos_url(seller.org), &consumer, png(300, 300), "p.png").await.expect_status(403);
        app.upload(&photos_url(shop), &owner, png(300, 300), "p.png").await.expect_status(403);
        let anon = app.send(app.http.post(app.url(&photos_url(seller.org)))
            .multipart(reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(png(300, 300)).file_name("p.png")))).await;
        anon.expect_status(401);
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 0);
    }

    async fn one_save_changes_facts_skus_and_photos_together(app) {
        let seller = app.verified_seller().await;
        let first = draft(&app, &seller, 400).await;
        let second = draft(&app, &seller, 400).await;
        let created = create(&app, &seller, body(&app, "赣南脐橙 编辑前", &[first, second]).await).await;
        created.expect_status(201);
        let id = created.id();
        let removed_thumb = created.string("images.0.thumb_url");
        let third = draft(&app, &seller, 400).await;

        let mut b = whole(&seen(&app, id, &seller.owner).await);
        b["title"] = json!("赣南脐橙 编辑后");
        b["description"] = json!("新的介绍");
        b["skus"][0]["price"] = json!(6290);
        let dropped = b["skus"][1]["id"].clone();
        let skus = b["skus"].as_array_mut().expect("skus");
        skus.remove(1);
        skus.push(json!({"name": "20斤装", "unit": "box", "price": 10990, "stock": 10, "weight_grams": 10800}));
        b["photo_ids"] = json!([second, third]);

        let r = save(&app, id, &seller.owner, b.clone()).await;

        r.expect_status(200);
        assert_eq!(r.str("title"), "赣南脐橙 编辑后");
        assert_eq!(r.str("description"), "新的介绍");
        assert_eq!(r.strings("images", "id"), vec![second.to_string(), third.to_string()]);
        let now = seen(&app, id, &seller.owner).await;
        assert_eq!(now.find("skus", "name", "10斤装")["price"], 6290);
        assert_eq!(now.find("skus", "name", "20斤装")["price"], 10990);
        assert_eq!(now.find("skus", "id", dropped)["active"], false, "a SKU left out stops being sold");
        let log = app.get(&format!("/api/v1/listings/{id}/changes"), Some(&seller.owner.token)).await;
        assert!(log.arr("").iter().any(|c| c["field"] == "price" && c["new"] == "6290"), "{}", log.text);
        assert!(!served(&app, &removed_thumb).await, "a removed photo's files go");
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 0);

        // The same save again changes nothing (the attached photo keeps its id).
        b["skus"][1]["id"] = now.find("skus", "name", "20斤装")["id"].clone();
        save(&app, id, &seller.owner, b).await.expect_status(200);
        assert_eq!(seen(&app, id, &seller.owner).await.len_of("skus"), 3);
        assert_eq!(app.count("listing_images", "1=1").await, 2);
    }

    async fn an_unknown_field_in_the_create_or_the_whole_save_is_refused_by_name(app) {
        let seller = app.verified_seller().await;
        let mut b = body(&app, "赣南脐橙 未知字段", &[]).await;
        b["colour"] = json!("orange");

        let r = create(&app, &seller, b).await;

        r.expect_status(422);
        assert!(r.field("colour").is_some(), "{}", r.text);
        assert_eq!(app.count("listings", "1=1").await, 0);
        let id = create(&app, &seller, body(&app, "赣南脐橙", &[]).await).await.id();
        let mut whole_body = whole(&seen(&app, id, &seller.owner).await);
        whole_body["colour"] = json!("orange");
        let r = save(&app, id, &seller.owner, whole_body).await;
        r.expect_status(422);
        assert!(r.field("colour").is_some(), "{}", r.text);
        let mut sku_id_on_create = body(&app, "赣南脐橙 规格编号", &[]).await;
        sku_id_on_create["skus"][0]["id"] = json!(Uuid::now_v7());
        let r = create(&app, &seller, sku_id_on_create).await;
        r.expect_status(422);
        assert_eq!(app.count("listings", "1=1").await, 1, "a new listing's SKUs have no id");
    }

    async fn a_refused_save_changes_nothing(app) {
        let seller = app.verified_seller().await;
        let photo = draft(&app, &seller, 400).await;
        let id = create(&app, &seller, body(&app, "赣南脐橙", &[photo]).await).await.id();
        let other = create(&app, &seller, body(&app, "别的脐橙商品", &[]).await).await;
        let before = seen(&app, id, &seller.owner).await;
        let new_photo = draft(&app, &seller, 400).await;

        let mut b = whole(&before);
        b["title"] = json!("改了标题");
        b["skus"][0]["price"] = json!(1);
        b["skus"][1]["id"] = other.at("skus.0.id").clone();
        b["photo_ids"] = json!([new_photo]);
        let r = save(&app, id, &seller.owner, b).await;
        r.expect_status(422);
        assert_eq!(r.field_code("skus[1].id"), Some("not_found"), "{}", r.text);

        let mut unit = whole(&before);
        unit["skus"][0]["unit"] = json!("jin");
        let r = save(&app, id, &seller.owner, unit).await;
        r.expect_status(422);
        assert_eq!(r.field_code("skus[0].unit"), Some("fixed"));

        let after = seen(&app, id, &seller.owner).await;
        assert_eq!(after.str("title"), "赣南脐橙");
        assert_eq!(after.at("skus.0.price"), before.at("skus.0.price"));
        assert_eq!(after.strings("images", "id"), vec![photo.to_string()]);
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 1, "the new photo still waits");
        let log = app.get(&format!("/api/v1/listings/{id}/changes"), Some(&seller.owner.token)).await;
        assert!(log.arr("").iter().all(|c| c["field"] == "created"), "{}", log.text);
    }

    async fn another_seller_cannot_save_a_listing_nor_take_its_photos(app) {
        let seller = app.verified_seller().await;
        let rival = app.verified_seller().named("另一家合作社").await;
        let photo = draft(&app, &seller, 400).await;
        let id = create(&app, &seller, body(&app, "赣南脐橙", &[photo]).await).await.id();
        let mine = create(&app, &rival, body(&app, "我的脐橙商品", &[]).await).await.id();
        let b = whole(&seen(&app, id, &seller.owner).await);

        save(&app, id, &rival.owner, b.clone()).await.expect_status(403);
        // Naming the seller's attached photo in the rival's own listing: not theirs to take.
        let mut theirs = whole(&seen(&app, mine, &rival.owner).await);
        theirs["photo_ids"] = json!([photo]);
        let r = save(&app, mine, &rival.owner, theirs).await;
        r.expect_status(422);
        assert_eq!(r.field_code("photo_ids[0]"), Some("unavailable"));
        assert_eq!(seen(&app, id, &seller.owner).await.strings("images", "id"), vec![photo.to_string()]);
    }

    async fn a_live_listing_saved_whole_keeps_its_title_until_review_while_prices_apply_at_once(app) {
        let seller = app.verified_seller().await;
        let live = app.approved_listing(&seller, &Product::oranges_in_two_sizes("赣南脐橙 上架中")).await;
        let mut b = whole(&seen(&app, live.id, &seller.owner).await);
        b["title"] = json!("赣南脐橙 新标题");
        b["skus"][0]["price"] = json!(5590);

        let r = save(&app, live.id, &seller.owner, b).await;

        r.expect_status(200);
        let public = app.get(&format!("/api/v1/listings/{}", live.id), None).await;
        assert_eq!(public.str("title"), "赣南脐橙 上架中");
        assert_eq!(public.at("skus.0.price"), &json!(5590));
        assert_eq!(r.str("revision.kind"), "change");
        assert_eq!(r.str("revision.title"), "赣南脐橙 新标题");
    }

    async fn a_photo_never_saved_is_removed_after_a_day_with_its_files(app) {
        let seller = app.verified_seller().await;
        let r = app.upload(&photos_url(seller.org), &seller.owner, png(300, 300), "p.png").await;
        r.expect_status(201);
        let (photo, thumb) = (r.id(), r.string("thumb_url"));
        let kept = draft(&app, &seller, 400).await;
        create(&app, &seller, body(&app, "留下的脐橙", &[kept]).await).await.expect_status(201);

        app.clock.advance(chrono::Duration::hours(23));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;
        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 1, "not yet");
        app.clock.advance(chrono::Duration::hours(2));
        app.state.infra.outbox.wake();
        app.outbox_drained().await;

        assert_eq!(app.count("listing_photo_drafts", "1=1").await, 0);
        assert!(!served(&app, &thumb).await);
        assert_eq!(app.count("listing_images", "1=1").await, 1, "the attached one stays");
        let late = create(&app, &seller, body(&app, "太迟的脐橙", &[photo]).await).await;
        late.expect_status(422);
        assert_eq!(late.field_code("photo_ids[0]"), Some("unavailable"));
    }

    async fn the_licence_picture_is_seen_by_the_operator_and_the_organisations_members_only(app) {
        let op = app.operator().await;
        let owner = app.consumer().named("李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let stranger = app.consumer().named("路人").await;
        let url = format!("/api/v1/orgs/{org}/documents");

        let r = app.upload(&format!("{url}?kind=business_licence"), &owner, jpeg_with_exif(), "licence.jpg").await;

        r.expect_status(201);
        assert_eq!(r.str("kind"), "business_licence");
        let file = r.string("url");
        let listed = app.get(&url, Some(&op.token)).await;
        listed.expect_status(200);
        assert_eq!(listed.strings("", "url"), vec![file.clone()]);
        let seen = app.http.get(app.url(&file)).bearer_auth(&op.token).send().await.expect("file");
        assert_eq!(seen.status().as_u16(), 200);
        assert_eq!(seen.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/jpeg"));
        assert!(seen.headers().get("cache-control").and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("private")));
        let bytes = seen.bytes().await.expect("bytes");
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF in what is shown");
        assert!(!bytes.windows(3).any(|w| w == b"GPS"));
        app.get(&file, Some(&owner.token)).await.expect_status(200);

        app.get(&file, Some(&stranger.token)).await.expect_status(403);
        app.get(&url, Some(&stranger.token)).await.expect_status(403);
        app.get(&file, None).await.expect_status(401);
        let public = format!("/media/private/orgs/{org}/documents/{}/display.jpg", r.id());
        app.get(&public, None).await.expect_status(404);
        app.get(&format!("{url}/{}/file", Uuid::now_v7()), Some(&op.token)).await.expect_status(404);
    }

    async fn only_the_owner_uploads_papers_and_bad_pictures_are_refused(app) {
        let owner = app.consumer().named("李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let rival = app.verified_seller().await;
        let url = format!("/api/v1/orgs/{org}/documents");

        app.upload(&url, &rival.owner, png(400, 300), "x.png").await.expect_status(403);
        let pdf = app.upload(&url, &owner, b"%PDF-1.7 licence".to_vec(), "licence.jpg").await;
        pdf.expect_status(415);
        let kind = app.upload(&format!("{url}?kind=passport"), &owner, png(400, 300), "x.png").await;
        kind.expect_status(400);
        assert_eq!(app.count("org_documents", "1=1").await, 0);
        for _ in 0..farmgate_catalog::service::MAX_ORG_DOCUMENTS {
            app.upload(&format!("{url}?kind=other"), &owner, png(400, 300), "x.png").await.expect_status(201);
        }
        let full = app.upload(&url, &owner, png(400, 300), "x.png").await;
        full.expect_status(409);
        assert_eq!(full.code(), "too_many_documents");
        assert_eq!(app.count("org_documents", "1=1").await, 5);
    }
}

/// An organisation's papers as the store holds them: every object under its documents folder.
async fn document_files(app: &TestApp, org: Uuid) -> Vec<String> {
    let keys = app
        .state
        .infra
        .objects
        .list(&format!("private/orgs/{org}/documents/"))
        .await
        .expect("list");
    keys.iter().map(|k| k.as_str().to_owned()).collect()
}

/// The ids of an organisation's papers the store holds files for.
async fn documents_with_files(app: &TestApp, org: Uuid) -> HashSet<String> {
    document_files(app, org)
        .await
        .iter()
        .filter_map(|k| k.split('/').nth(4).map(str::to_owned))
        .collect()
}

fn docs_url(org: Uuid) -> String {
    format!("/api/v1/orgs/{org}/documents")
}

async fn upload_doc(app: &TestApp, org: Uuid, who: &Session, kind: &str) -> Resp {
    app.upload(
        &format!("{}?kind={kind}", docs_url(org)),
        who,
        png(400, 300),
        "licence.png",
    )
    .await
}

// An organisation's papers (#19): replaced and removed by the owner until the operator verifies
// the organisation; after that, what was approved stays unless the operator removes it.
both_backends! {
    async fn before_verification_the_owner_replaces_the_licence_and_deletes_papers_with_their_files(app) {
        let owner = app.consumer().named("李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let first = upload_doc(&app, org, &owner, "business_licence").await;
        first.expect_status(201);
        let other = upload_doc(&app, org, &owner, "other").await;
        other.expect_status(201);

        let second = upload_doc(&app, org, &owner, "business_licence").await;

        second.expect_status(201);
        let listed = app.get(&docs_url(org), Some(&owner.token)).await;
        assert_eq!(listed.strings("", "id"), vec![other.id().to_string(), second.id().to_string()], "the new licence in place of the old");
        assert_eq!(documents_with_files(&app, org).await, HashSet::from([other.id().to_string(), second.id().to_string()]), "the old licence's files are gone");
        app.get(&format!("{}/{}/file", docs_url(org), first.id()), Some(&owner.token)).await.expect_status(404);

        app.delete(&format!("{}/{}", docs_url(org), other.id()), Some(&owner.token)).await.expect_status(204);

        assert_eq!(app.get(&docs_url(org), Some(&owner.token)).await.strings("", "id"), vec![second.id().to_string()]);
        assert_eq!(document_files(&app, org).await.len(), 2, "the licence's original and display copy only");
        app.delete(&format!("{}/{}", docs_url(org), other.id()), Some(&owner.token)).await.expect_status(404);
        assert_eq!(app.count("org_documents", "1=1").await, 1);
    }

    async fn a_verified_organisations_papers_stay_until_the_operator_removes_one(app) {
        let op = app.operator().await;
        let owner = app.consumer().named("李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let licence = upload_doc(&app, org, &owner, "business_licence").await;
        licence.expect_status(201);
        app.post_empty(&format!("/api/v1/admin/orgs/{org}/verify"), Some(&op.token)).await.expect_status(200);
        let doc = format!("{}/{}", docs_url(org), licence.id());

        let swap = upload_doc(&app, org, &owner, "business_licence").await;
        let delete = app.delete(&doc, Some(&owner.token)).await;

        swap.expect_status(409);
        assert_eq!(swap.code(), "documents_locked");
        delete.expect_status(409);
        assert_eq!(delete.code(), "documents_locked");
        assert_eq!(app.get(&docs_url(org), Some(&op.token)).await.strings("", "id"), vec![licence.id().to_string()], "what was approved stays");
        assert_eq!(documents_with_files(&app, org).await, HashSet::from([licence.id().to_string()]), "the refused upload left no files");
        // Adding a paper is not swapping one: the operator sees it beside the approved licence.
        let later = upload_doc(&app, org, &owner, "other").await;
        later.expect_status(201);

        app.delete(&doc, Some(&op.token)).await.expect_status(204);

        assert_eq!(documents_with_files(&app, org).await, HashSet::from([later.id().to_string()]));
        // With no licence left, the owner may upload one (the operator asked for it).
        upload_doc(&app, org, &owner, "business_licence").await.expect_status(201);
        assert_eq!(app.count("org_documents", "1=1").await, 2);
    }

    async fn only_the_owner_or_the_operator_removes_a_paper_and_never_through_another_organisation(app) {
        let op = app.operator().await;
        let owner = app.consumer().named("李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let staff = app.member(&owner, org, "13700000611", "王小明", "staff").await;
        let rival = app.verified_seller().await;
        let consumer = app.consumer().await;
        let licence = upload_doc(&app, org, &owner, "business_licence").await;
        licence.expect_status(201);
        let doc = format!("{}/{}", docs_url(org), licence.id());

        app.delete(&doc, Some(&staff.token)).await.expect_status(403);
        app.delete(&doc, Some(&rival.owner.token)).await.expect_status(403);
        app.delete(&doc, Some(&consumer.token)).await.expect_status(403);
        app.delete(&doc, None).await.expect_status(401);
        // Through the rival's own organisation, or the operator naming the wrong one: not there.
        app.delete(&format!("{}/{}", docs_url(rival.org), licence.id()), Some(&rival.owner.token)).await.expect_status(404);
        app.delete(&format!("{}/{}", docs_url(rival.org), licence.id()), Some(&op.token)).await.expect_status(404);
        app.delete(&format!("{}/not-a-uuid", docs_url(org)), Some(&owner.token)).await.expect_status(404);
        upload_doc(&app, org, &staff, "business_licence").await.expect_status(403);

        assert_eq!(app.get(&docs_url(org), Some(&op.token)).await.strings("", "id"), vec![licence.id().to_string()]);
        assert_eq!(document_files(&app, org).await.len(), 2);
    }

    async fn licences_uploaded_together_leave_exactly_one_with_its_files(app) {
        let owner = app.consumer().named("李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let url = app.url(&format!("{}?kind=business_licence", docs_url(org)));
        let send = |n: u32| {
            let part = reqwest::multipart::Part::bytes(png(400 + n, 300)).file_name("l.png");
            app.http.post(&url).bearer_auth(&owner.token)
                .multipart(reqwest::multipart::Form::new().part("file", part))
        };

        let answers = app.send_all((0..6).map(send).collect()).await;

        let kept: Vec<&Resp> = answers.iter().filter(|r| r.status == 201).collect();
        assert!(!kept.is_empty() && answers.iter().all(|r| r.status == 201 || r.code() == "server_busy"),
            "{:?}", answers.iter().map(|r| (r.status, r.code())).collect::<Vec<_>>());
        let listed = app.get(&docs_url(org), Some(&owner.token)).await;
        assert_eq!(listed.len_of(""), 1, "one current licence: {}", listed.text);
        assert_eq!(documents_with_files(&app, org).await, HashSet::from([listed.string("0.id")]), "the replaced ones' files are gone");
        assert_eq!(document_files(&app, org).await.len(), 2);
    }
}
