//! The phone shop's buyer side (issue #19): buy now from a listing without touching the cart
//! (a quote shaped like the cart, then an order of those items), and the listing's photo on
//! every cart and order line.

use farmgate_tests::prelude::*;

async fn quote(app: &TestApp, who: &Session, items: Value) -> Resp {
    app.post(
        "/api/v1/cart/quote",
        json!({ "items": items }),
        Some(&who.token),
    )
    .await
}

async fn upload_photo(app: &TestApp, seller: &SellerWithListing) -> Resp {
    app.upload(
        &format!("/api/v1/listings/{}/images", seller.listing),
        &seller.owner,
        png(800, 600),
        "orange.png",
    )
    .await
}

/// Hearts a listing as `who` (the answer as it comes).
async fn heart(app: &TestApp, who: &Session, listing: Uuid) -> Resp {
    app.put(
        &format!("/api/v1/me/favourites/{listing}"),
        json!({}),
        Some(&who.token),
    )
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
    async fn buy_now_is_quoted_like_the_cart_and_ordered_without_touching_the_cart(app) {
        let oranges = app.seller_with_listing().await;
        let eggs = app
            .verified_seller()
            .named("白云山家庭农场")
            .with_listing(Product::eggs())
            .await;
        let buyer = app.consumer().await;
        app.post("/api/v1/cart/items", json!({"sku_id": eggs.sku, "quantity": 1}), Some(&buyer.token))
            .await
            .expect_status(200);

        let q = quote(&app, &buyer, json!([{"sku_id": oranges.sku, "quantity": 2}])).await;
        q.expect_status(200);
        assert_eq!(q.len_of("lines"), 1);
        assert_eq!(q.str("lines.0.state"), "on_sale");
        assert_eq!(q.i64("lines.0.quantity"), 2);
        assert!(!q.bool("lines.0.price_changed"), "a quote is at today's price");
        let unit = q.i64("lines.0.unit_price");
        assert_eq!(q.i64("goods_total"), unit * 2);
        assert_eq!(q.len_of("sellers"), 1);
        assert_eq!(q.i64("total"), q.i64("goods_total") + q.i64("sellers.0.shipping"));

        let cart = app.get("/api/v1/cart", Some(&buyer.token)).await;
        assert_eq!(cart.i64("count"), 1, "the quote wrote nothing into the cart");
        assert_eq!(cart.str("lines.0.sku_id"), eggs.sku.to_string());

        let placed = app
            .post(
                "/api/v1/orders",
                json!({"address_id": buyer.address, "payment_method": "offline",
                       "items": [{"sku_id": oranges.sku, "quantity": 2, "price_seen": q.i64("lines.0.price_seen")}]}),
                Some(&buyer.token),
            )
            .await;
        placed.expect_status(201);
        assert_eq!(placed.i64("total"), q.i64("total"), "the order charges what the quote said");
        let cart = app.get("/api/v1/cart", Some(&buyer.token)).await;
        assert_eq!(cart.i64("count"), 1, "buying now leaves the cart's eggs where they were");
    }

    async fn a_quote_of_nothing_too_much_or_a_mistyped_body_is_refused_and_an_unknown_sku_is_unavailable(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let r = quote(&app, &buyer, json!([])).await;
        r.expect_status(422);
        assert_eq!(r.field_code("items"), Some("empty"));

        let many: Vec<Value> = (0..51).map(|_| json!({"sku_id": Uuid::new_v4(), "quantity": 1})).collect();
        let r = quote(&app, &buyer, Value::Array(many)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("items"), Some("too_many"));

        for bad in [0, -1, 1_000_000] {
            let r = quote(&app, &buyer, json!([{"sku_id": seller.sku, "quantity": bad}])).await;
            r.expect_status(422);
            assert!(r.field("items[0].quantity").is_some(), "quantity {bad} is named");
        }
        let r = quote(&app, &buyer, json!([{"sku_id": seller.sku, "quantity": "two"}])).await;
        r.expect_status(422);
        assert_eq!(r.code(), "validation_failed");
        let r = app.post("/api/v1/cart/quote", json!({"items": [], "extra": 1}), Some(&buyer.token)).await;
        r.expect_status(422);

        let r = app.post("/api/v1/cart/quote", json!({"items": [{"sku_id": seller.sku, "quantity": 1}]}), None).await;
        r.expect_status(401);

        let r = quote(&app, &buyer, json!([{"sku_id": Uuid::new_v4(), "quantity": 1}])).await;
        r.expect_status(200);
        assert_eq!(r.str("lines.0.state"), "unavailable");
        assert_eq!(r.i64("total"), 0);
    }

    async fn cart_and_order_lines_show_the_listings_first_photo_and_none_without_one(app) {
        let oranges = app.seller_with_listing().await;
        let eggs = app
            .verified_seller()
            .named("白云山家庭农场")
            .with_listing(Product::eggs())
            .await;
        upload_photo(&app, &oranges).await.expect_status(201);
        let buyer = app.consumer().await;
        for sku in [oranges.sku, eggs.sku] {
            app.post("/api/v1/cart/items", json!({"sku_id": sku, "quantity": 1}), Some(&buyer.token))
                .await
                .expect_status(200);
        }
        let cart = app.get("/api/v1/cart", Some(&buyer.token)).await;
        let lines = cart.arr("lines");
        let image_of = |sku: Uuid| {
            lines
                .iter()
                .find(|l| l["sku_id"] == sku.to_string())
                .map(|l| l["image"].clone())
                .unwrap_or(Value::Null)
        };
        let photo = image_of(oranges.sku);
        let photo = photo.as_str().expect("the oranges' line has a photo");
        assert!(photo.starts_with("/media/") && photo.ends_with("thumb.jpg"), "{photo}");
        assert!(served(&app, photo).await, "the thumbnail is served");
        assert!(image_of(eggs.sku).is_null(), "no photo, no image");

        let q = quote(&app, &buyer, json!([{"sku_id": oranges.sku, "quantity": 1}])).await;
        assert_eq!(q.str("lines.0.image"), photo, "the quote shows the photo too");

        let placed = app
            .post("/api/v1/orders", json!({"address_id": buyer.address, "payment_method": "offline"}), Some(&buyer.token))
            .await;
        placed.expect_status(201);
        let id = placed.id();
        for r in [
            app.get(&format!("/api/v1/orders/{id}"), Some(&buyer.token)).await,
            app.get("/api/v1/orders", Some(&buyer.token)).await,
        ] {
            r.expect_status(200);
            let body: Value = r.json();
            let order = if body.get("items").is_some() { body["items"][0].clone() } else { body };
            let lines: Vec<Value> = order["sub_orders"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|s| s["lines"].as_array().cloned().unwrap_or_default())
                .collect();
            assert_eq!(lines.len(), 2);
            for l in lines {
                if l["sku_id"] == oranges.sku.to_string() {
                    assert_eq!(l["image"], photo, "the order line shows the photo");
                } else {
                    assert!(l["image"].is_null());
                }
            }
        }
    }

    async fn bank_transfer_instructions_name_the_amount_with_one_yuan_sign(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let o = app.checkout(&buyer, &[(seller.sku, 2)], "offline").await;
        let pay = app.post_empty(&format!("/api/v1/orders/{}/pay", o.id), Some(&buyer.token)).await;
        pay.expect_status(200);
        for lang in ["instructions_zh", "instructions_en"] {
            let text = pay.str(lang);
            assert!(!text.contains("¥¥"), "{lang}: {text}");
            assert_eq!(text.matches('¥').count(), 1, "{lang} names the amount once: {text}");
        }
    }

    async fn my_orders_tabs_list_and_count_each_state_and_never_count_another_buyers_orders(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let other = app.consumer().named("李雷").await;
        // Another buyer's orders in every state: none of them may show in our counts.
        let theirs = app.paid_order(&other, &[(seller.sku, 1)]).await;
        app.checkout(&other, &[(seller.sku, 1)], "offline").await;
        app.ship(&seller.owner, theirs.part().id).await;

        let unpaid = app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;
        let to_ship = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let to_receive = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.ship(&seller.owner, to_receive.part().id).await;
        let to_review = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.ship(&seller.owner, to_review.part().id).await;
        app.receive(&buyer, to_review.part().id).await;
        let reviewed = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        app.ship(&seller.owner, reviewed.part().id).await;
        app.receive(&buyer, reviewed.part().id).await;
        let line = reviewed.part().line().id;
        app.post(&format!("/api/v1/order-lines/{line}/review"), json!({"rating": 5}), Some(&buyer.token))
            .await
            .expect_status(201);

        let counts = app.get("/api/v1/orders/counts", Some(&buyer.token)).await;
        counts.expect_status(200);
        assert_eq!(
            [counts.i64("all"), counts.i64("pending_payment"), counts.i64("to_ship"), counts.i64("to_receive"), counts.i64("to_review")],
            [5, 1, 1, 1, 1],
            "{counts:?}"
        );
        for (tab, id) in [
            ("pending_payment", unpaid.id),
            ("to_ship", to_ship.id),
            ("to_receive", to_receive.id),
            ("to_review", to_review.id),
        ] {
            let r = app.get(&format!("/api/v1/orders?tab={tab}"), Some(&buyer.token)).await;
            r.expect_status(200);
            assert_eq!(r.i64("total"), 1, "{tab}");
            assert_eq!(r.str("items.0.id"), id.to_string(), "{tab}");
        }
        let all = app.get("/api/v1/orders?tab=all", Some(&buyer.token)).await;
        assert_eq!(all.i64("total"), 5);

        let theirs = app.get("/api/v1/orders/counts", Some(&other.token)).await;
        assert_eq!([theirs.i64("all"), theirs.i64("pending_payment"), theirs.i64("to_receive")], [2, 1, 1]);
        // A seller counts the orders it bought, not the ones it sold.
        let sold = app.get("/api/v1/orders/counts", Some(&seller.owner.token)).await;
        assert_eq!(sold.i64("all"), 0);

        app.get("/api/v1/orders?tab=shipped", Some(&buyer.token)).await.expect_status(400);
        app.get("/api/v1/orders/counts", None).await.expect_status(401);
    }

    async fn shipping_terms_are_the_viewers_and_match_what_the_cart_charges(app) {
        let anyone = app.get("/api/v1/shipping/terms", None).await;
        anyone.expect_status(200);
        assert_eq!((anyone.i64("free_from"), anyone.i64("fee_from"), anyone.bool("wholesale")), (9_900, 800, false));
        let business = app.business_buyer().await;
        let b = app.get("/api/v1/shipping/terms", Some(&business.token)).await;
        assert_eq!((b.i64("free_from"), b.bool("wholesale")), (50_000, true));

        // The terms are what the cart applies: under the threshold a light parcel pays fee_from,
        // from it nothing (Product::eggs is ¥45 a box).
        let eggs = app.verified_seller().with_listing(Product::eggs()).await;
        let buyer = app.consumer().await;
        let q = quote(&app, &buyer, json!([{"sku_id": eggs.sku, "quantity": 1}])).await;
        assert!(q.i64("goods_total") < anyone.i64("free_from"));
        assert!(q.i64("shipping") >= anyone.i64("fee_from"));
        let q = quote(&app, &buyer, json!([{"sku_id": eggs.sku, "quantity": 3}])).await;
        assert!(q.i64("goods_total") >= anyone.i64("free_from"));
        assert_eq!(q.i64("shipping"), 0);
    }

    async fn the_scan_page_shows_one_total_in_both_languages_its_beacon_counts_and_it_folds_the_technical_details(app) {
        let seller = app.seller_with_listing().await;
        upload_photo(&app, &seller).await.expect_status(201);
        let batch = app.inspected_batch(&seller).await;
        let page = format!("/t/{}", batch.code);
        let scans = |html: &str| -> i64 {
            let tag = html.find("data-testid=\"scans\"").expect("the count is on the page");
            let at = tag + html[tag..].find('>').expect("the tag ends") + 1;
            html[at..].split('<').next().unwrap_or_default().trim().parse().expect("a number")
        };
        let beacon = format!("{page}/seen");
        let first = app.get(&page, None).await;
        first.expect_status(200);
        assert_eq!(scans(&first.text), 0, "the HTML counts nothing: its beacon does");
        assert!(first.text.contains(&format!("data-beacon=\"{beacon}\"")), "the page names its beacon");
        assert!(first.text.contains("/assets/js/share-card.js"), "whose module sends the beacon");
        assert!(first.text.contains(&format!("<noscript><img src=\"{beacon}.gif\"")), "and a pixel without scripts");
        assert_eq!(app.post(&beacon, json!({}), None).await.i64("scans"), 1, "a first scan counts itself");
        let en = app.get(&format!("{page}?lang=en"), None).await;
        assert_eq!(scans(&en.text), 1, "the English page shows the same total");
        assert_eq!(app.post(&beacon, json!({}), None).await.i64("scans"), 2);
        let cached = app.get(&page, None).await;
        assert_eq!(scans(&cached.text), 2, "the cached page still shows the live count");
        assert!(cached.header("cache-control").is_some_and(|c| c.contains("public")), "still cacheable");
        assert_eq!(first.header("etag"), cached.header("etag"), "the same page between look-ups");
        assert!(!cached.text.contains("<!--fg:scans-->"));

        // What a shopper needs leads; hashes and API links sit behind 技术详情.
        let html = &first.text;
        let fold = html.find("data-testid=\"tech-details\"").expect("a technical details fold");
        for lead in ["data-testid=\"verdict\"", "data-testid=\"product-title\"", "data-testid=\"certificate\"", "data-testid=\"inspections\"", "data-testid=\"timeline\""] {
            let at = html.find(lead).unwrap_or_else(|| panic!("{lead} is on the page"));
            assert!(at < fold, "{lead} comes before the fold");
        }
        let before = &html[..fold];
        assert!(!before.contains("/api/v1/trace/"), "no API link before the fold");
        assert!(!before.contains("SHA-256"), "no SHA-256 before the fold");
        assert!(html[fold..].contains("/api/v1/trace/"), "the API links are in the fold");
        assert!(html.contains("<details class=\"tech\""), "folded");

        // A share card for WeChat.
        for tag in ["property=\"og:title\"", "property=\"og:description\"", "property=\"og:image\"", "property=\"og:url\""] {
            assert!(html.contains(tag), "{tag}");
        }
        assert!(html.contains("/media/public/listings/"), "the share image is the product photo");
    }

    async fn favourites_are_ones_own_kept_once_and_a_withdrawn_listing_stays_listed_as_unavailable(app) {
        let oranges = app.seller_with_listing().await;
        let eggs = app.verified_seller().with_listing(Product::eggs()).await;
        upload_photo(&app, &oranges).await.expect_status(201);
        let buyer = app.consumer().await;
        let other = app.consumer().named("李雷").await;
        heart(&app, &buyer, oranges.listing).await.expect_status(200);
        heart(&app, &buyer, oranges.listing).await.expect_status(200);
        heart(&app, &buyer, eggs.listing).await.expect_status(200);

        let list = app.get("/api/v1/me/favourites", Some(&buyer.token)).await;
        list.expect_status(200);
        assert_eq!(list.i64("total"), 2, "hearting twice keeps one");
        // Newest first (the test clock may stand still: equal times are allowed).
        let added: Vec<&str> = list.arr("items").iter().filter_map(|r| r["added_at"].as_str()).collect();
        assert!(added.windows(2).all(|w| w[0] >= w[1]), "newest first: {added:?}");
        let oranges_row = list
            .arr("items")
            .iter()
            .find(|r| r["listing_id"] == oranges.listing.to_string())
            .expect("the oranges are listed");
        assert_eq!(oranges_row["state"], "on_sale");
        assert!(oranges_row["image"].as_str().is_some_and(|i| i.starts_with("/media/")));
        let state = app.get(&format!("/api/v1/me/favourites/{}", oranges.listing), Some(&buyer.token)).await;
        assert!(state.bool("favourite"));

        // Nobody else's favourites are visible, in the list or one by one.
        let theirs = app.get("/api/v1/me/favourites", Some(&other.token)).await;
        assert_eq!(theirs.i64("total"), 0);
        let theirs = app.get(&format!("/api/v1/me/favourites/{}", oranges.listing), Some(&other.token)).await;
        assert!(!theirs.bool("favourite"));
        app.get("/api/v1/me/favourites", None).await.expect_status(401);

        // The operator withdraws the oranges: still listed, unavailable, under their title.
        let op = app.operator().await;
        app.post(&format!("/api/v1/admin/listings/{}/delist", oranges.listing), json!({"reason": "抽检农残超标，暂停销售"}), Some(&op.token))
            .await
            .expect_status(200);
        let list = app.get("/api/v1/me/favourites", Some(&buyer.token)).await;
        let row = list.arr("items").iter().find(|r| r["listing_id"] == oranges.listing.to_string()).cloned().expect("still listed");
        assert_eq!(row["state"], "unavailable");
        assert_eq!(row["available"], false);
        assert!(!row["title"].as_str().unwrap_or_default().is_empty(), "the title as it was");
        // A withdrawn listing cannot be hearted anew; an unknown one neither.
        heart(&app, &other, oranges.listing).await.expect_status(404);
        heart(&app, &other, Uuid::new_v4()).await.expect_status(404);
        app.put("/api/v1/me/favourites/not-an-id", json!({}), Some(&other.token)).await.expect_status(404);

        // Taking it out, twice, is fine; only one's own row goes.
        heart(&app, &other, eggs.listing).await.expect_status(200);
        for _ in 0..2 {
            app.delete(&format!("/api/v1/me/favourites/{}", eggs.listing), Some(&buyer.token)).await.expect_status(200);
        }
        assert_eq!(app.get("/api/v1/me/favourites", Some(&buyer.token)).await.i64("total"), 1);
        assert_eq!(app.get("/api/v1/me/favourites", Some(&other.token)).await.i64("total"), 1, "the other buyer's heart stays");

        // "Download my data" holds one's favourites, and nobody else's.
        let export = app.get("/api/v1/me/export", Some(&other.token)).await;
        export.expect_status(200);
        assert_eq!(export.len_of("orders.favourites"), 1, "{}", export.text);
        assert_eq!(export.str("orders.favourites.0.listing_id"), eggs.listing.to_string());
    }

    async fn two_hearts_racing_for_one_listing_make_one_favourite(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let path = format!("/api/v1/me/favourites/{}", seller.listing);
        let reqs = (0..8).map(|_| app.http.put(app.url(&path)).bearer_auth(&buyer.token).json(&json!({}))).collect();
        for r in app.send_all(reqs).await {
            r.expect_status(200);
        }
        assert_eq!(app.count("favourites", "1=1").await, 1);
        assert_eq!(app.get("/api/v1/me/favourites", Some(&buyer.token)).await.i64("total"), 1);
    }

    async fn erasing_an_account_takes_its_favourites_and_leaves_everyone_elses(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let other = app.consumer().named("李雷").await;
        for who in [&buyer, &other] {
            app.put(&format!("/api/v1/me/favourites/{}", seller.listing), json!({}), Some(&who.token))
                .await
                .expect_status(200);
        }
        app.post("/api/v1/me/erase", json!({"current_password": PASSWORD}), Some(&buyer.token)).await.expect_status(204);
        app.outbox_drained().await;
        assert_eq!(app.count("favourites", "1=1").await, 1, "only the other buyer's heart is left");
        assert_eq!(app.get("/api/v1/me/favourites", Some(&other.token)).await.i64("total"), 1);
    }
}
