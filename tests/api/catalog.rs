//! The catalogue: listings from draft to review to search, SKUs, tiers, photos, delisting — and
//! the bad input that must be refused without leaving anything behind.

use farmgate_catalog::images::MAX_UPLOAD_BYTES;
use farmgate_infra::search::SearchDoc;
use farmgate_kernel::id::ListingId;
use farmgate_tests::prelude::*;

/// The body of a listing in two sizes ([`Product::oranges_in_two_sizes`]) in `category`.
fn listing_body(category: Uuid, title: &str) -> Value {
    Product::oranges_in_two_sizes(title).body(category)
}

/// A listing in two sizes, approved and searchable; returns its id.
async fn live_listing(app: &TestApp, seller: &Seller, title: &str) -> Uuid {
    app.approved_listing(seller, &Product::oranges_in_two_sizes(title))
        .await
        .id
}

/// A listing approved and then sold out on every SKU.
async fn sold_out_listing(app: &TestApp, seller: &Seller, title: &str) -> Uuid {
    let listing = app
        .approved_listing(seller, &Product::oranges_in_two_sizes(title))
        .await;
    for sku in &listing.skus {
        app.patch(
            &format!("/api/v1/skus/{}", sku.id),
            json!({"stock": 0}),
            Some(&seller.owner.token),
        )
        .await
        .expect_status(200);
    }
    listing.id
}

/// A draft that was never submitted.
async fn draft_listing(app: &TestApp, seller: &Seller, title: &str) -> Uuid {
    let cat = app.category("citrus").await;
    let r = app
        .post(
            &format!("/api/v1/orgs/{}/listings", seller.org),
            listing_body(cat, title),
            Some(&seller.owner.token),
        )
        .await;
    r.expect_status(201);
    r.id()
}

/// A draft created and submitted; returns (listing, revision waiting for review).
async fn submitted_listing(app: &TestApp, seller: &Seller, title: &str) -> (Uuid, Uuid) {
    let id = draft_listing(app, seller, title).await;
    let s = app
        .post_empty(
            &format!("/api/v1/listings/{id}/submit"),
            Some(&seller.owner.token),
        )
        .await;
    s.expect_status(200);
    (id, s.uuid("revision.id"))
}

/// The ids of a listing's SKUs as its seller sees them.
async fn sku_ids(app: &TestApp, listing: Uuid, who: &Session) -> Vec<Uuid> {
    app.listing(listing, Some(who))
        .await
        .skus
        .iter()
        .map(|s| s.id)
        .collect()
}

/// Search results for `q`, once the outbox has passed every change on.
async fn search(app: &TestApp, query: &str) -> Value {
    search_with(app, &[("q", query)]).await
}

/// Search results with explicit parameters (e.g. `in_stock=false`).
async fn search_with(app: &TestApp, params: &[(&str, &str)]) -> Value {
    app.outbox_drained().await;
    let r = app
        .send(app.http.get(app.url("/api/v1/search")).query(params))
        .await;
    r.expect_status(200);
    r.body
}

fn titles(result: &Value) -> Vec<String> {
    result.strings("hits", "title")
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn sku_body(name: &str, price: i64) -> Value {
    json!({"name": name, "unit": "box", "price": price, "stock": 30, "weight_grams": 1800})
}

async fn upload_photo(
    app: &TestApp,
    listing: Uuid,
    who: &Session,
    bytes: Vec<u8>,
    name: &str,
) -> Resp {
    app.upload(
        &format!("/api/v1/listings/{listing}/images"),
        who,
        bytes,
        name,
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
    async fn the_category_tree_for_county_produce_is_there_from_the_start(app) {
        let r = app.get("/api/v1/categories", None).await;

        r.expect_status(200);
        assert_eq!(r.strings("", "name"), ["水果", "蔬菜", "粮油米面", "禽畜肉蛋", "水产", "茶叶", "山货干货", "加工食品"]);
        assert!(r.len_of("0.children") >= 4);
        assert_eq!(r.i64("3.claim_window_hours"), 24, "eggs and meat: 24 h claims");
    }

    async fn a_draft_is_neither_public_nor_searchable(app) {
        let seller = app.verified_seller().await;
        let cat = app.category("citrus").await;

        let r = app.post(&format!("/api/v1/orgs/{}/listings", seller.org), listing_body(cat, "赣南脐橙 梅岭果园 10斤装"), Some(&seller.owner.token)).await;

        r.expect_status(201);
        assert_eq!(r.str("status"), "draft");
        assert_eq!(r.str("availability"), "hidden");
        app.get(&format!("/api/v1/listings/{}", r.id()), None).await.expect_status(404);
        assert!(titles(&search(&app, "脐橙").await).is_empty(), "a draft is not searchable");
    }

    async fn a_submitted_listing_waits_in_the_review_queue_and_is_not_searchable(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        let id = draft_listing(&app, &seller, "赣南脐橙 梅岭果园 10斤装").await;

        let s = app.post_empty(&format!("/api/v1/listings/{id}/submit"), Some(&seller.owner.token)).await;

        s.expect_status(200);
        assert_eq!(s.str("status"), "pending");
        assert_eq!(s.str("revision.kind"), "new");
        app.post_empty(&format!("/api/v1/listings/{id}/submit"), Some(&seller.owner.token)).await.expect_status(409);
        let queue = app.get("/api/v1/admin/listing-reviews", Some(&op.token)).await;
        queue.expect_status(200);
        assert_eq!(queue.i64("total"), 1);
        assert_eq!(queue.uuid("items.0.revision.id"), s.uuid("revision.id"));
        assert!(titles(&search(&app, "脐橙").await).is_empty(), "waiting for review is not searchable");
    }

    async fn an_approved_listing_is_public_and_found_by_chinese_and_pinyin_queries(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        let (id, rev) = submitted_listing(&app, &seller, "赣南脐橙 梅岭果园 10斤装").await;

        let a = app.post_empty(&format!("/api/v1/admin/listing-reviews/{rev}/approve"), Some(&op.token)).await;

        a.expect_status(200);
        assert_eq!(a.str("status"), "approved");
        let public = app.get(&format!("/api/v1/listings/{id}"), None).await;
        public.expect_status(200);
        assert_eq!(public.str("availability"), "on_sale");
        assert_eq!(public.i64("price_from"), 3990);
        assert!(public.bool("seller.verified"));
        assert!(!public.has("status"), "the public does not see review details");
        for q in ["脐橙", "qicheng", "qc", "赣南 qicheng"] {
            assert_eq!(titles(&search(&app, q).await), ["赣南脐橙 梅岭果园 10斤装"], "query {q}");
        }
        let hit = search(&app, "脐橙").await;
        assert_eq!(hit.str("hits.0.title_highlight"), "赣南<mark>脐橙</mark> 梅岭果园 10斤装");
        assert_eq!(hit.str("hits.0.seller.kind"), "cooperative");
        assert_eq!(hit.i64("facets.township.梅岭镇"), 1);
    }

    async fn a_rejected_listing_shows_the_reason_and_can_be_resubmitted(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        let (id, rev) = submitted_listing(&app, &seller, "脐橙 最甜最好 第一名").await;

        app.post(&format!("/api/v1/admin/listing-reviews/{rev}/reject"), json!({"reason": ""}), Some(&op.token)).await.expect_status(422);
        let rej = app.post(&format!("/api/v1/admin/listing-reviews/{rev}/reject"), json!({"reason": "标题含绝对化用语“第一名”，请修改"}), Some(&op.token)).await;

        rej.expect_status(200);
        assert_eq!(rej.str("status"), "rejected");
        let mine = app.get(&format!("/api/v1/listings/{id}"), Some(&seller.owner.token)).await;
        assert_eq!(mine.str("status_reason"), "标题含绝对化用语“第一名”，请修改");
        app.patch(&format!("/api/v1/listings/{id}"), json!({"title": "赣南脐橙 果园直发"}), Some(&seller.owner.token)).await.expect_status(200);
        let again = app.post_empty(&format!("/api/v1/listings/{id}/submit"), Some(&seller.owner.token)).await;
        again.expect_status(200);
        assert_eq!(again.str("status"), "pending");
        app.post_empty(&format!("/api/v1/admin/listing-reviews/{rev}/approve"), Some(&op.token)).await.expect_status(409);
    }

    async fn changing_a_live_title_waits_for_review_while_the_old_one_stays_live(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;

        let r = app.patch(&format!("/api/v1/listings/{id}"), json!({"title": "赣南脐橙 新果上市 10斤装", "storage": "冷藏 4℃"}), Some(&seller.owner.token)).await;

        r.expect_status(200);
        assert_eq!(r.str("title"), "赣南脐橙 10斤装", "the live title stays until reviewed");
        assert_eq!(r.str("storage"), "冷藏 4℃", "other fields apply at once");
        assert_eq!(r.str("revision.kind"), "change");
        assert_eq!(r.str("revision.status"), "pending");
        assert_eq!(r.str("revision.previous.title"), "赣南脐橙 10斤装");
        assert_eq!(titles(&search(&app, "脐橙").await), ["赣南脐橙 10斤装"]);
        app.post_empty(&format!("/api/v1/admin/listing-reviews/{}/approve", r.uuid("revision.id")), Some(&op.token)).await.expect_status(200);
        assert_eq!(titles(&search(&app, "新果").await), ["赣南脐橙 新果上市 10斤装"]);
        assert_eq!(app.listing(id, None).await.availability, "on_sale");
    }

    async fn optional_facts_of_a_listing_are_cleared_with_an_empty_string_or_zero(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;

        let cleared = app.patch(&format!("/api/v1/listings/{id}"), json!({"storage": "", "shelf_life_days": 0}), Some(&seller.owner.token)).await;

        cleared.expect_status(200);
        assert!(cleared.at("storage").is_null());
        assert!(cleared.at("shelf_life_days").is_null());
    }

    async fn prices_and_stock_apply_at_once_are_logged_and_reach_search(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let small = sku_ids(&app, id, &seller.owner).await[1];

        let r = app.patch(&format!("/api/v1/skus/{small}"), json!({"price": 3590, "stock": 80}), Some(&seller.owner.token)).await;

        r.expect_status(200);
        assert_eq!(r.i64("price"), 3590);
        let hit = search(&app, "脐橙").await;
        assert_eq!(hit.i64("hits.0.price_from"), 3590);
        let log = app.get(&format!("/api/v1/listings/{id}/changes"), Some(&seller.owner.token)).await;
        log.expect_status(200);
        let fields = log.strings("", "field");
        assert!(fields.iter().any(|f| f == "price") && fields.iter().any(|f| f == "stock"), "{fields:?}");
        let price = log.find("", "field", "price");
        assert_eq!((price.str("old"), price.str("new")), ("3990", "3590"));
        app.get(&format!("/api/v1/listings/{id}/changes"), None).await.expect_status(401);
    }

    async fn a_listing_sold_out_everywhere_leaves_default_search_but_its_page_stays(app) {
        let seller = app.verified_seller().await;

        let id = sold_out_listing(&app, &seller, "赣南脐橙 10斤装").await;

        let page = app.get(&format!("/api/v1/listings/{id}"), None).await;
        page.expect_status(200);
        assert_eq!(page.str("availability"), "sold_out");
        assert!(titles(&search(&app, "脐橙").await).is_empty());
        let all = search_with(&app, &[("q", "脐橙"), ("in_stock", "false")]).await;
        assert_eq!(titles(&all), ["赣南脐橙 10斤装"]);
        assert!(!all.bool("hits.0.in_stock"));
    }

    async fn the_operator_forces_a_listing_off_sale_and_it_disappears(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let delist = format!("/api/v1/admin/listings/{id}/delist");

        app.post(&delist, json!({"reason": "x"}), Some(&op.token)).await.expect_status(422);
        app.post(&delist, json!({"reason": "抽检农残超标"}), Some(&seller.owner.token)).await.expect_status(403);
        let r = app.post(&delist, json!({"reason": "抽检农残超标，暂停销售"}), Some(&op.token)).await;

        r.expect_status(200);
        assert_eq!(r.str("status"), "delisted");
        app.get(&format!("/api/v1/listings/{id}"), None).await.expect_status(404);
        assert!(titles(&search(&app, "脐橙").await).is_empty());
        let mine = app.get(&format!("/api/v1/listings/{id}"), Some(&seller.owner.token)).await;
        assert_eq!(mine.str("status_reason"), "抽检农残超标，暂停销售");
    }

    async fn wholesale_tiers_are_shown_to_verified_business_buyers_only(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let path = format!("/api/v1/listings/{id}");
        let consumer = app.consumer().await;
        let business = app.business_buyer().await;

        let anon = app.get(&path, None).await;
        assert!(!anon.has("skus.0.tiers"), "{}", anon.text);
        let seen = app.get(&path, Some(&consumer.token)).await;
        assert!(!seen.has("skus.0.tiers"));
        let b = app.get(&path, Some(&business.token)).await;
        assert_eq!(b.at("skus.0.tiers"), &json!([{"min_quantity": 20, "price": 5200}]));
        let mine = app.get(&path, Some(&seller.owner.token)).await;
        assert!(mine.at("skus.0.tiers").is_array());
    }

    async fn bad_prices_stock_and_tiers_are_refused_and_nothing_is_created(app) {
        let seller = app.verified_seller().await;
        let cat = app.category("citrus").await;
        let path = format!("/api/v1/orgs/{}/listings", seller.org);
        let create = |body: Value| app.post(&path, body, Some(&seller.owner.token));

        let mut body = listing_body(cat, "赣南脐橙 10斤装");
        body["skus"][0]["price"] = json!(0);
        body["skus"][1]["price"] = json!(-100);
        body["skus"][1]["stock"] = json!(-1);
        let r = create(body).await;
        r.expect_status(422);
        for f in ["skus[0].price", "skus[1].price", "skus[1].stock"] {
            assert!(r.field(f).is_some(), "{f}: {}", r.text);
        }
        let mut body = listing_body(cat, "赣南脐橙 10斤装");
        body["skus"][0]["tiers"] = json!([{"min_quantity": 20, "price": 6500}]);
        let r = create(body).await;
        r.expect_status(422);
        assert!(r.field("skus[0].tiers").is_some(), "a tier above retail: {}", r.text);
        let mut body = listing_body(cat, "赣南脐橙 10斤装");
        body["skus"][0]["tiers"] = json!([{"min_quantity": 20, "price": 5200}, {"min_quantity": 20, "price": 5000}]);
        let r = create(body).await;
        assert!(r.field("skus[0].tiers").is_some(), "overlapping tiers: {}", r.text);
        let mut body = listing_body(cat, "赣南脐橙 10斤装");
        body["skus"][0]["gtin"] = json!("6901234567893");
        body["skus"][0]["unit"] = json!("ton");
        let r = create(body).await;
        r.expect_status(422);

        assert_eq!(app.count("listings", "1=1").await, 0);
        assert_eq!(app.count("skus", "1=1").await, 0);
    }

    async fn a_price_cut_below_a_tier_or_negative_stock_is_refused_and_the_sku_stays_as_it_was(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let big = sku_ids(&app, id, &seller.owner).await[0];

        let r = app.patch(&format!("/api/v1/skus/{big}"), json!({"price": 5000}), Some(&seller.owner.token)).await;
        r.expect_status(422);
        assert!(r.field("tiers").is_some(), "a price cut below a tier is caught: {}", r.text);
        let r = app.patch(&format!("/api/v1/skus/{big}"), json!({"stock": -5}), Some(&seller.owner.token)).await;
        r.expect_status(422);

        let after = app.listing(id, Some(&seller.owner)).await;
        assert_eq!(after.skus[0].price, 5990);
        assert_eq!(after.skus[0].stock, 100);
    }

    async fn an_origin_outside_the_sellers_county_needs_an_explanation(app) {
        let seller = app.verified_seller().await;
        let cat = app.category("apple-pear").await;
        let mut body = listing_body(cat, "烟台红富士苹果 5斤装");
        body["origin"] = json!({"province": "山东省", "city": "烟台市", "county": "栖霞市"});
        let path = format!("/api/v1/orgs/{}/listings", seller.org);

        let r = app.post(&path, body.clone(), Some(&seller.owner.token)).await;
        r.expect_status(422);
        assert!(r.field("origin_note").is_some(), "{}", r.text);
        body["origin_note"] = json!("合作社统一采购，产地山东烟台");
        app.post(&path, body, Some(&seller.owner.token)).await.expect_status(201);
    }

    async fn another_verified_seller_cannot_touch_a_listing(app) {
        let seller = app.verified_seller().await;
        let cat = app.category("citrus").await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let sku = sku_ids(&app, id, &seller.owner).await[0];
        let other = app.verified_seller().await;

        app.patch(&format!("/api/v1/listings/{id}"), json!({"description": "改掉"}), Some(&other.owner.token)).await.expect_status(403);
        app.patch(&format!("/api/v1/skus/{sku}"), json!({"price": 1}), Some(&other.owner.token)).await.expect_status(403);
        app.post(&format!("/api/v1/orgs/{}/listings", seller.org), listing_body(cat, "冒名商品 10斤"), Some(&other.owner.token)).await.expect_status(403);
        app.get(&format!("/api/v1/orgs/{}/listings", seller.org), Some(&other.owner.token)).await.expect_status(403);

        assert_eq!(app.count("listings", "1=1").await, 1);
    }

    async fn an_organisation_waiting_for_verification_cannot_list(app) {
        let cat = app.category("citrus").await;
        let newcomer = app.register("13800000009", "周明").await;
        let pending = app.create_org(&newcomer, "family_farm", "高山蔬菜家庭农场").await;

        let r = app.post(&format!("/api/v1/orgs/{pending}/listings"), listing_body(cat, "高山蔬菜 5斤"), Some(&newcomer.token)).await;

        r.expect_status(409);
        assert_eq!(r.code(), "org_not_verified");
        assert_eq!(app.count("listings", "1=1").await, 0);
    }

    async fn a_business_buyer_does_not_sell(app) {
        let cat = app.category("citrus").await;
        let op = app.operator().await;
        let buyer = app.register("13700000001", "马超").await;
        let shop = app.verified_org(&buyer, &op, "business_buyer", "惠民社区超市").await;
        let buyer = app.login_again(&buyer).await;

        let r = app.post(&format!("/api/v1/orgs/{shop}/listings"), listing_body(cat, "超市自营 10斤"), Some(&buyer.token)).await;

        r.expect_status(403);
        assert_eq!(app.count("listings", "1=1").await, 0);
    }

    async fn an_official_reads_listings_but_never_writes_them(app) {
        let seller = app.verified_seller().await;
        let cat = app.category("citrus").await;
        let official = app.official().await;

        let r = app.post(&format!("/api/v1/orgs/{}/listings", seller.org), listing_body(cat, "官方 10斤装"), Some(&official.token)).await;

        assert_eq!(r.code(), "read_only");
        assert_eq!(app.count("listings", "1=1").await, 0);
    }

    async fn when_a_seller_loses_verification_its_listings_leave_search(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        assert_eq!(titles(&search(&app, "脐橙").await).len(), 1);

        app.post(&format!("/api/v1/admin/orgs/{}/reject", seller.org), json!({"reason": "营业执照已吊销"}), Some(&op.token)).await.expect_status(200);

        assert!(titles(&search(&app, "脐橙").await).is_empty());
    }

    async fn a_photo_is_resized_into_public_copies_that_never_change(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;

        let r = upload_photo(&app, id, &seller.owner, png(2000, 1500), "orange.png").await;

        r.expect_status(201);
        let thumb = r.string("thumb_url");
        assert!(thumb.starts_with("/media/public/"), "{thumb}");
        let got = app.http.get(app.url(&thumb)).send().await.expect("thumb");
        assert_eq!(got.status().as_u16(), 200);
        assert_eq!(got.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/jpeg"));
        assert!(got.headers().get("cache-control").and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("immutable")));
        let bytes = got.bytes().await.expect("bytes");
        let size = image::load_from_memory(&bytes).map(|i| (i.width(), i.height())).expect("a JPEG");
        assert_eq!(size, (360, 270));
        let shown = app.get(&format!("/api/v1/listings/{id}"), None).await;
        assert_eq!(shown.str("images.0.url"), r.str("url"));
    }

    async fn exif_and_gps_never_reach_the_public_copies_and_the_original_stays_private(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;

        let r = upload_photo(&app, id, &seller.owner, jpeg_with_exif(), "photo.jpg").await;

        r.expect_status(201);
        let url = r.string("url");
        let public = app.http.get(app.url(&url)).send().await.expect("display").bytes().await.expect("bytes");
        assert!(!public.windows(4).any(|w| w == b"Exif"), "public copy has no EXIF");
        assert!(!public.windows(3).any(|w| w == b"GPS"));
        let private = url.replace("/media/public/", "/media/private/").replace("display.jpg", "original.jpg");
        app.get(&private, None).await.expect_status(404);
        let search_hit = search(&app, "脐橙").await;
        assert!(search_hit.str("hits.0.thumb_url").ends_with("thumb.jpg"));
    }

    async fn an_upload_that_is_not_an_image_is_refused(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;

        let r = upload_photo(&app, id, &seller.owner, b"%PDF-1.7 fake report".to_vec(), "photo.jpg").await;
        r.expect_status(415);
        assert_eq!(r.code(), "unsupported_image");
        let r = upload_photo(&app, id, &seller.owner, b"<html><script>alert(1)</script>".to_vec(), "x.png").await;
        r.expect_status(415);

        assert_eq!(app.count("listing_images", "1=1").await, 0);
    }

    async fn a_photo_over_8_mb_is_refused_with_a_clear_message(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;

        // Just over 8 MB, under the route's body limit: the server reads it all and refuses.
        let mut big = png(10, 10);
        big.resize(MAX_UPLOAD_BYTES + 1, 0);
        let r = upload_photo(&app, id, &seller.owner, big, "big.png").await;
        r.expect_status(413);
        assert_eq!(r.code(), "payload_too_large");
        assert_eq!(r.str("error.message"), "图片太大：文件不超过 8 MB，边长不超过 8000 像素");
        assert!(r.at("error.request_id").is_string(), "{}", r.text);
        // Far over the body limit: the server stops reading at the limit, answers 413 and
        // closes the connection while the client is still sending. An HTTP client may then
        // report the broken pipe instead of the answer (pages check the size before sending);
        // a raw connection that keeps reading gets the answer.
        let mut big = png(10, 10);
        big.resize(9 * 1024 * 1024, 0);
        let head = format!("POST /api/v1/listings/{id}/images HTTP/1.1\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary={MULTIPART_BOUNDARY}", seller.owner.token);
        let r = app.send_raw(&head, multipart_file(&big)).await;
        r.expect_status(413);
        assert_eq!(r.code(), "payload_too_large", "{}", r.text);
        assert!(r.str("error.message").contains("8 MB"), "{}", r.text);

        assert!(app.get(&format!("/api/v1/listings/{id}"), None).await.arr("images").is_empty());
        assert_eq!(app.count("listing_images", "1=1").await, 0);
    }

    async fn only_the_listings_seller_uploads_its_photos(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let other = app.verified_seller().await;

        let r = upload_photo(&app, id, &other.owner, png(10, 10), "x.png").await;

        r.expect_status(403);
        assert_eq!(app.count("listing_images", "1=1").await, 0);
    }

    async fn bad_search_parameters_are_refused(app) {
        let search = |params: &[(&str, &str)]| app.send(app.http.get(app.url("/api/v1/search")).query(params));

        let long = "苹".repeat(201);
        let r = search(&[("q", long.as_str())]).await;
        r.expect_status(422);
        assert!(r.field("q").is_some());
        for (k, v) in [("page", "0"), ("per_page", "100"), ("price_min", "-1"), ("sort", "cheapest")] {
            let r = search(&[(k, v)]).await;
            assert!(r.status == 422 || r.status == 400, "{k}={v}: {}", r.text);
        }
        let r = search(&[("price_min", "500"), ("price_max", "100")]).await;
        r.expect_status(422);
    }

    async fn hostile_queries_are_harmless_and_a_page_past_the_end_is_empty(app) {
        let search = |params: &[(&str, &str)]| app.send(app.http.get(app.url("/api/v1/search")).query(params));

        for q in ["((((", "title:* OR 1=1 --", "<script>alert(1)</script>", "苹果\" AND \"", "\\\\"] {
            search(&[("q", q)]).await.expect_status(200);
        }
        // Control characters in a query string are refused as everywhere (issue #15, 17).
        let r = search(&[("q", "\u{1}\u{2}\u{7f}")]).await;
        r.expect_status(400);
        assert_eq!(r.code(), "control_characters");
        let r = search(&[("page", "5000"), ("per_page", "20")]).await;
        r.expect_status(200);
        assert_eq!(r.at("hits"), &json!([]), "a page past the end is empty, not an error");
    }

    async fn the_operator_adds_categories_two_levels_deep_with_unique_slugs_and_nobody_else_can(app) {
        let op = app.operator().await;
        let fruit = app.category("fruit").await;

        let r = app.post("/api/v1/admin/categories", json!({"parent_id": fruit, "name": "枇杷", "name_en": "Loquat", "slug": "loquat"}), Some(&op.token)).await;

        r.expect_status(201);
        let id = r.id();
        let dup = app.post("/api/v1/admin/categories", json!({"name": "枇杷2", "name_en": "Loquat", "slug": "loquat"}), Some(&op.token)).await;
        dup.expect_status(422);
        let deep = app.post("/api/v1/admin/categories", json!({"parent_id": id, "name": "三级", "name_en": "Third", "slug": "third"}), Some(&op.token)).await;
        assert!(deep.field("parent_id").is_some(), "{}", deep.text);
        let seller = app.register("13800000001", "李国强").await;
        app.post("/api/v1/admin/categories", json!({"name": "x", "name_en": "x", "slug": "x"}), Some(&seller.token)).await.expect_status(403);
    }

    async fn an_inactive_category_is_not_offered(app) {
        let op = app.operator().await;
        let fruit = app.category("fruit").await;
        let id = app.post("/api/v1/admin/categories", json!({"parent_id": fruit, "name": "枇杷", "name_en": "Loquat", "slug": "loquat"}), Some(&op.token)).await.id();

        app.patch(&format!("/api/v1/admin/categories/{id}"), json!({"active": false}), Some(&op.token)).await.expect_status(200);

        let public = app.get("/api/v1/categories", None).await;
        assert!(!public.text.contains("枇杷"), "inactive categories are not offered");
    }
}

/// A listing approved while the search engine is down appears once it is back: the approval
/// commits, the index update waits in the outbox, failing and retrying, and nothing is lost.
async fn engine_down_then_back(backend: Backend) {
    let Some((app, switch)) = TestApp::spawn_with_switchable_search(backend).await else {
        return;
    };
    let seller = app.verified_seller().await;
    let op = app.operator().await;
    let (id, rev) = submitted_listing(&app, &seller, "赣南脐橙 停机期间上架").await;

    switch.set_down(true);
    let approved = app
        .post_empty(
            &format!("/api/v1/admin/listing-reviews/{rev}/approve"),
            Some(&op.token),
        )
        .await;

    approved.expect_status(200);
    let mut failed = 0;
    for _ in 0..200 {
        failed = app
            .count(
                "outbox_events",
                "delivered_at IS NULL AND attempts > 0 AND last_error LIKE '%down%'",
            )
            .await;
        if failed > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(
        failed > 0,
        "the index update is kept and retried while the engine is down"
    );
    let r = app
        .send(
            app.http
                .get(app.url("/api/v1/search"))
                .query(&[("q", "脐橙")]),
        )
        .await;
    r.expect_status(503);
    assert_eq!(r.code(), "unavailable");
    app.get(&format!("/api/v1/listings/{id}"), None)
        .await
        .expect_status(200);
    switch.set_down(false);
    app.clock.advance(chrono::Duration::minutes(10));
    assert_eq!(
        titles(&search(&app, "脐橙").await),
        ["赣南脐橙 停机期间上架"]
    );
}

mod a_listing_approved_while_the_search_engine_is_down_appears_once_it_is_back {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn embedded() {
        super::engine_down_then_back(farmgate_tests::Backend::Embedded).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn production() {
        super::engine_down_then_back(farmgate_tests::Backend::Production).await;
    }
}

both_backends! {
    async fn a_seller_adds_a_sku_that_sells_at_once_and_is_logged(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let mut body = sku_body("3斤尝鲜装", 1990);
        body["gtin"] = json!("6901234567892");
        body["tiers"] = json!([{"min_quantity": 10, "price": 1700}]);

        let r = app.post(&format!("/api/v1/listings/{id}/skus"), body, Some(&seller.owner.token)).await;

        r.expect_status(201);
        assert_eq!(r.str("name"), "3斤尝鲜装");
        assert_eq!(r.i64("price"), 1990);
        assert_eq!(r.i64("stock"), 30);
        assert_eq!(r.str("unit"), "box");
        assert!(r.bool("on_sale"));
        assert_eq!(r.at("tiers"), &json!([{"min_quantity": 10, "price": 1700}]));
        let new_sku = r.id();
        // No review needed: the public page and search show it at once.
        let public = app.get(&format!("/api/v1/listings/{id}"), None).await;
        public.expect_status(200);
        assert_eq!(public.strings("skus", "name"), ["10斤装", "5斤装", "3斤尝鲜装"], "added last");
        assert_eq!(public.i64("price_from"), 1990);
        assert_eq!(public.str("availability"), "on_sale");
        let hit = search(&app, "脐橙").await;
        assert_eq!(hit.i64("hits.0.price_from"), 1990, "search has the new cheapest price");
        let log = app.get(&format!("/api/v1/listings/{id}/changes"), Some(&seller.owner.token)).await;
        log.expect_status(200);
        let created: Vec<&Value> = log.arr("").iter().filter(|c| c["sku_id"] == new_sku.to_string()).collect();
        assert_eq!(created.len(), 1, "{}", log.text);
        assert_eq!(created[0].str("field"), "created");
        assert!(created[0].str("new").contains("3斤尝鲜装"), "{}", log.text);
    }

    async fn adding_a_sku_is_for_the_listings_seller_only(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let path = format!("/api/v1/listings/{id}/skus");
        let skus_before = app.count("skus", "1=1").await;
        let changes_before = app.count("sku_changes", "1=1").await;

        app.post(&path, sku_body("3斤装", 1990), None).await.expect_status(401);
        let other = app.verified_seller().await;
        let r = app.post(&path, sku_body("3斤装", 1990), Some(&other.owner.token)).await;
        r.expect_status(403);
        assert_eq!(r.code(), "forbidden");
        let consumer = app.register("13600000001", "王芳").await;
        app.post(&path, sku_body("3斤装", 1990), Some(&consumer.token)).await.expect_status(403);
        let official = app.official().await;
        let r = app.post(&path, sku_body("3斤装", 1990), Some(&official.token)).await;
        r.expect_status(403);
        assert_eq!(r.code(), "read_only");

        assert_eq!(app.count("skus", "1=1").await, skus_before, "no SKU from a refused request");
        assert_eq!(app.count("sku_changes", "1=1").await, changes_before, "no log entry either");
    }

    async fn a_bad_sku_is_refused_field_by_field_and_nothing_is_written(app) {
        let seller = app.verified_seller().await;
        let owner = &seller.owner;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let path = format!("/api/v1/listings/{id}/skus");
        let skus_before = app.count("skus", "1=1").await;
        let changes_before = app.count("sku_changes", "1=1").await;

        let r = app.post_raw(&path, "application/json", b"{\"name\": \"3\xe6\x96\xa4\xe8\xa3\x85\", \"price\":".to_vec(), Some(&owner.token)).await;
        r.expect_status(400);
        assert_eq!(r.code(), "malformed_json");
        let r = app.post(&path, json!({"name": "3斤装", "unit": "box", "stock": 30, "weight_grams": 1800}), Some(&owner.token)).await;
        r.expect_status(422);
        assert!(r.field("price").is_some(), "a missing price is named: {}", r.text);
        let mut unknown = sku_body("3斤装", 1990);
        unknown["colour"] = json!("orange");
        let r = app.post(&path, unknown, Some(&owner.token)).await;
        r.expect_status(422);
        assert!(r.field("colour").is_some(), "{}", r.text);
        let r = app.post(&path, json!({"name": "", "unit": "box", "price": 0, "stock": -1, "weight_grams": 0}), Some(&owner.token)).await;
        r.expect_status(422);
        for f in ["name", "price", "stock", "weight_grams"] {
            assert!(r.field(f).is_some(), "{f}: {}", r.text);
        }
        let mut tier = sku_body("3斤装", 1990);
        tier["tiers"] = json!([{"min_quantity": 10, "price": 2500}]);
        let r = app.post(&path, tier, Some(&owner.token)).await;
        r.expect_status(422);
        assert!(r.field("tiers").is_some(), "a tier above retail: {}", r.text);
        let mut gtin = sku_body("3斤装", 1990);
        gtin["gtin"] = json!("6901234567893");
        let r = app.post(&path, gtin, Some(&owner.token)).await;
        r.expect_status(422);
        assert!(r.field("gtin").is_some(), "a bad check digit: {}", r.text);

        assert_eq!(app.count("skus", "1=1").await, skus_before, "no SKU from a refused request");
        assert_eq!(app.count("sku_changes", "1=1").await, changes_before, "no log entry either");
        assert_eq!(app.listing(id, None).await.price_from, Some(3990));
    }

    async fn a_sku_for_an_unknown_or_malformed_listing_is_not_found(app) {
        let seller = app.verified_seller().await;

        let r = app.post(&format!("/api/v1/listings/{}/skus", Uuid::new_v4()), sku_body("3斤装", 1990), Some(&seller.owner.token)).await;
        r.expect_status(404);
        assert_eq!(r.code(), "not_found");
        app.post("/api/v1/listings/not-a-uuid/skus", sku_body("3斤装", 1990), Some(&seller.owner.token)).await.expect_status(404);

        assert_eq!(app.count("skus", "1=1").await, 0);
    }

    async fn a_listing_holds_at_most_twenty_skus(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let path = format!("/api/v1/listings/{id}/skus");

        // The listing has 2; 18 more fit, the 21st does not.
        for n in 0..18 {
            app.post(&path, sku_body(&format!("规格{n}"), 2000 + n), Some(&seller.owner.token)).await.expect_status(201);
        }
        let r = app.post(&path, sku_body("第21个", 1990), Some(&seller.owner.token)).await;

        r.expect_status(422);
        assert_eq!(r.field_code("skus"), Some("too_many"), "{}", r.text);
        assert_eq!(sku_ids(&app, id, &seller.owner).await.len(), 20);
    }

    async fn a_seller_removes_a_photo_and_its_files_and_thumbnail_go_with_it(app) {
        let seller = app.verified_seller().await;
        let owner = &seller.owner;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let first = upload_photo(&app, id, owner, png(300, 240), "a.png").await;
        first.expect_status(201);
        let second = upload_photo(&app, id, owner, png(240, 240), "b.png").await;
        second.expect_status(201);
        let first_id = first.id();
        let (first_url, first_thumb) = (first.string("url"), first.string("thumb_url"));
        let second_thumb = second.string("thumb_url");
        assert_eq!(search(&app, "脐橙").await.str("hits.0.thumb_url"), first_thumb, "the first photo is the thumbnail");
        assert!(served(&app, &first_url).await && served(&app, &first_thumb).await);
        let original = format!("private/listings/{id}/{first_id}/original.png");
        let key = farmgate_infra::objects::ObjectKey::parse(&original).expect("a key");
        assert!(app.state.infra.objects.get(&key).await.expect("objects").is_some(), "the original is kept privately");

        let r = app.delete(&format!("/api/v1/listings/{id}/images/{first_id}"), Some(&owner.token)).await;

        r.expect_status(204);
        let listing = app.get(&format!("/api/v1/listings/{id}"), None).await;
        assert_eq!(listing.strings("images", "thumb_url"), std::slice::from_ref(&second_thumb));
        assert_eq!(app.count("listing_images", "1=1").await, 1);
        assert!(!served(&app, &first_url).await, "the display copy is gone");
        assert!(!served(&app, &first_thumb).await, "the thumbnail is gone");
        assert!(app.state.infra.objects.get(&key).await.expect("objects").is_none(), "the original is gone");
        assert!(served(&app, &second_thumb).await, "the other photo stays");
        assert_eq!(search(&app, "脐橙").await.str("hits.0.thumb_url"), second_thumb, "search shows the remaining photo");
        let again = app.delete(&format!("/api/v1/listings/{id}/images/{first_id}"), Some(&owner.token)).await;
        again.expect_status(404);
        assert_eq!(again.code(), "not_found");
    }

    async fn removing_a_photo_refuses_outsiders_and_photos_of_other_listings(app) {
        let seller = app.verified_seller().await;
        let owner = &seller.owner;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let other_listing = live_listing(&app, &seller, "赣南脐橙 5斤装").await;
        let photo = upload_photo(&app, id, owner, png(240, 240), "a.png").await;
        photo.expect_status(201);
        let (image, thumb) = (photo.id(), photo.string("thumb_url"));
        let path = format!("/api/v1/listings/{id}/images/{image}");

        app.delete(&path, None).await.expect_status(401);
        let other = app.verified_seller().await;
        let r = app.delete(&path, Some(&other.owner.token)).await;
        r.expect_status(403);
        assert_eq!(r.code(), "forbidden");
        let official = app.official().await;
        assert_eq!(app.delete(&path, Some(&official.token)).await.code(), "read_only");
        // The photo belongs to another listing (of the same seller): not found here.
        let r = app.delete(&format!("/api/v1/listings/{other_listing}/images/{image}"), Some(&owner.token)).await;
        r.expect_status(404);
        // Unknown and malformed ids.
        app.delete(&format!("/api/v1/listings/{id}/images/{}", Uuid::new_v4()), Some(&owner.token)).await.expect_status(404);
        app.delete(&format!("/api/v1/listings/{}/images/{image}", Uuid::new_v4()), Some(&owner.token)).await.expect_status(404);
        let r = app.delete(&format!("/api/v1/listings/{id}/images/not-a-uuid"), Some(&owner.token)).await;
        r.expect_status(404);
        assert_eq!(r.code(), "not_found");

        assert_eq!(app.count("listing_images", "1=1").await, 1, "still there");
        assert!(served(&app, &thumb).await, "its files too");
        let listing = app.get(&format!("/api/v1/listings/{id}"), None).await;
        assert_eq!(listing.uuid("images.0.id"), image);
    }

    async fn a_sellers_public_page_shows_its_listings_on_sale_and_nothing_else(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        let small = live_listing(&app, &seller, "赣南脐橙 5斤装").await;
        let popular = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        sold_out_listing(&app, &seller, "赣南脐橙 售罄礼盒").await;
        draft_listing(&app, &seller, "赣南脐橙 草稿").await;
        let delisted = live_listing(&app, &seller, "赣南脐橙 下架款").await;
        app.post(&format!("/api/v1/admin/listings/{delisted}/delist"), json!({"reason": "抽检农残超标，暂停销售"}), Some(&op.token)).await.expect_status(200);
        let neighbour = app.verified_seller().await;
        live_listing(&app, &neighbour, "高山蜜柚 2个装").await;
        app.state.catalog.set_sales(ListingId(small), 5).await.expect("sales");
        app.state.catalog.set_sales(ListingId(popular), 50).await.expect("sales");
        app.outbox_drained().await;

        let r = app.get(&format!("/api/v1/sellers/{}", seller.org), None).await;

        r.expect_status(200);
        assert_eq!(r.uuid("seller.id"), seller.org);
        assert_eq!(r.str("seller.name"), "梅岭脐橙专业合作社");
        assert_eq!(r.str("seller.kind"), "cooperative");
        assert!(r.bool("seller.verified"));
        assert_eq!(r.str("seller.region.county"), "青石县");
        assert_eq!(r.strings("listings", "title"), ["赣南脐橙 10斤装", "赣南脐橙 5斤装"], "on sale only, best sellers first");
        assert_eq!(r.i64("listings.0.price_from"), 3990);
        assert_eq!(r.i64("listings.0.sales"), 50);
        assert!(!r.has("licence_no") && !r.has("seller.licence_no"), "no registration details in public");
        let theirs = app.get(&format!("/api/v1/sellers/{}", neighbour.org), None).await;
        theirs.expect_status(200);
        assert_eq!(theirs.strings("listings", "title"), ["高山蜜柚 2个装"]);
    }

    async fn only_a_verified_seller_has_a_public_page(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        app.get(&format!("/api/v1/sellers/{}", seller.org), None).await.expect_status(200);
        let newcomer = app.register("13800000009", "周明").await;
        let pending = app.create_org(&newcomer, "family_farm", "高山蔬菜家庭农场").await;
        let buyer = app.register("13700000001", "马超").await;
        let shop = app.verified_org(&buyer, &op, "business_buyer", "惠民社区超市").await;

        for (what, path) in [
            ("unknown", format!("/api/v1/sellers/{}", Uuid::new_v4())),
            ("malformed", "/api/v1/sellers/not-a-uuid".to_owned()),
            ("waiting for verification", format!("/api/v1/sellers/{pending}")),
            ("a business buyer, not a seller", format!("/api/v1/sellers/{shop}")),
        ] {
            let r = app.get(&path, None).await;
            assert_eq!(r.status, 404, "{what}: {}", r.text);
            assert_eq!(r.code(), "not_found", "{what}");
        }
        // A seller that loses its verification loses its page.
        app.post(&format!("/api/v1/admin/orgs/{}/reject", seller.org), json!({"reason": "营业执照已吊销"}), Some(&op.token)).await.expect_status(200);
        app.get(&format!("/api/v1/sellers/{}", seller.org), None).await.expect_status(404);
    }

    async fn the_operator_sees_inactive_categories_that_nobody_else_sees(app) {
        let op = app.operator().await;
        let fruit = app.category("fruit").await;
        let r = app.post("/api/v1/admin/categories", json!({"parent_id": fruit, "name": "枇杷", "name_en": "Loquat", "slug": "loquat"}), Some(&op.token)).await;
        r.expect_status(201);
        let loquat = r.id();
        app.patch(&format!("/api/v1/admin/categories/{loquat}"), json!({"active": false}), Some(&op.token)).await.expect_status(200);

        let all = app.get("/api/v1/admin/categories", Some(&op.token)).await;

        all.expect_status(200);
        assert_eq!(all.len_of(""), 8, "the same roots as the public tree");
        let fruit_root = all.find("", "id", fruit.to_string());
        let child = fruit_root.find("children", "id", loquat.to_string());
        assert_eq!(child.str("name"), "枇杷", "{}", all.text);
        assert!(!child.bool("active"));
        assert_eq!(child.uuid("parent_id"), fruit);
        let public = app.get("/api/v1/categories", None).await;
        assert!(!public.text.contains(&loquat.to_string()), "the public tree leaves it out");

        app.get("/api/v1/admin/categories", None).await.expect_status(401);
        let seller = app.verified_seller().await;
        for who in [seller.owner, app.register("13600000001", "王芳").await, app.official().await, app.agent().await] {
            let r = app.get("/api/v1/admin/categories", Some(&who.token)).await;
            r.expect_status(403);
            assert_eq!(r.code(), "forbidden");
            assert!(!r.text.contains("枇杷"));
        }
    }

    async fn staff_of_one_seller_cannot_write_to_another_sellers_listings(app) {
        let seller_a = app.verified_seller().await;
        let staff = app.member(&seller_a.owner, seller_a.org, "13800000002", "刘晓燕", "staff").await;
        let mine = live_listing(&app, &seller_a, "赣南脐橙 10斤装").await;
        // Staff work on their own organisation's listings…
        app.patch(&format!("/api/v1/listings/{mine}"), json!({"storage": "冷藏 4℃"}), Some(&staff.token)).await.expect_status(200);
        app.post(&format!("/api/v1/listings/{mine}/skus"), sku_body("3斤装", 1990), Some(&staff.token)).await.expect_status(201);
        // …but not on another's.
        let seller_b = app.verified_seller().await;
        let theirs = live_listing(&app, &seller_b, "龙泉高山蜜柚 2个装").await;
        let photo = upload_photo(&app, theirs, &seller_b.owner, png(240, 240), "b.png").await;
        photo.expect_status(201);
        let image = photo.id();
        let sku = sku_ids(&app, theirs, &seller_b.owner).await[0];
        let before = app.get(&format!("/api/v1/listings/{theirs}"), Some(&seller_b.owner.token)).await;
        let changes_before = app.count("sku_changes", "1=1").await;
        let cat = app.category("citrus").await;

        let attempts = [
            app.patch(&format!("/api/v1/listings/{theirs}"), json!({"description": "改掉"}), Some(&staff.token)).await,
            app.patch(&format!("/api/v1/skus/{sku}"), json!({"price": 1, "stock": 0}), Some(&staff.token)).await,
            app.post(&format!("/api/v1/listings/{theirs}/skus"), sku_body("1元秒杀", 100), Some(&staff.token)).await,
            upload_photo(&app, theirs, &staff, png(10, 10), "x.png").await,
            app.delete(&format!("/api/v1/listings/{theirs}/images/{image}"), Some(&staff.token)).await,
            app.post_empty(&format!("/api/v1/listings/{theirs}/submit"), Some(&staff.token)).await,
            app.post(&format!("/api/v1/orgs/{}/listings", seller_b.org), listing_body(cat, "冒名商品 10斤"), Some(&staff.token)).await,
            app.get(&format!("/api/v1/orgs/{}/listings", seller_b.org), Some(&staff.token)).await,
            app.get(&format!("/api/v1/listings/{theirs}/changes"), Some(&staff.token)).await,
        ];

        for (i, r) in attempts.iter().enumerate() {
            assert_eq!(r.status, 403, "attempt {i}: {}", r.text);
            assert_eq!(r.code(), "forbidden", "attempt {i}");
        }
        let after = app.get(&format!("/api/v1/listings/{theirs}"), Some(&seller_b.owner.token)).await;
        assert_eq!(before.body, after.body, "nothing about the other listing changed");
        assert_eq!(app.count("sku_changes", "1=1").await, changes_before);
        assert_eq!(app.count("listing_images", "1=1").await, 1);
        assert_eq!(app.count("listings", "1=1").await, 2, "no listing created for the other seller");
    }

    async fn reindex_rebuilds_a_lost_or_corrupted_search_index_from_the_database(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        for title in ["赣南脐橙 梅岭果园 10斤装", "赣南脐橙 茶坑村 5斤装", "高山脐橙 礼盒装"] {
            live_listing(&app, &seller, title).await;
        }
        sold_out_listing(&app, &seller, "脐橙 售罄款").await;
        draft_listing(&app, &seller, "脐橙 草稿").await;
        let delisted = live_listing(&app, &seller, "脐橙 下架款").await;
        app.post(&format!("/api/v1/admin/listings/{delisted}/delist"), json!({"reason": "抽检农残超标，暂停销售"}), Some(&op.token)).await.expect_status(200);
        let on_sale = sorted(titles(&search(&app, "脐橙").await));
        let everything = sorted(titles(&search_with(&app, &[("q", "脐橙"), ("in_stock", "false")]).await));
        assert_eq!(on_sale.len(), 3);
        assert_eq!(everything.len(), 4, "sold out stays in the index, flagged");
        let index = app.state.catalog.search_index().clone();
        assert_eq!(index.count().await.expect("count"), 4);

        // Lose the index, then leave a stale document behind (a listing that no longer exists).
        index.clear().await.expect("clear");
        index.upsert(vec![SearchDoc {
            id: Uuid::new_v4(),
            title: "脐橙 幽灵商品".to_owned(),
            keywords: String::new(),
            category_ids: Vec::new(),
            township: Some("梅岭镇".to_owned()),
            seller_id: seller.org,
            seller_name: "梅岭脐橙专业合作社".to_owned(),
            seller_kind: "cooperative".to_owned(),
            price_from: 1,
            unit: "box".to_owned(),
            in_stock: true,
            sales: 0,
            credit: 0,
            created_at: 0,
            thumb_url: None,
        }]).await.expect("upsert");
        assert_eq!(titles(&search(&app, "脐橙").await), ["脐橙 幽灵商品"], "the index really is wrong now");

        // What `farmgate reindex` runs.
        let indexed = app.state.catalog.rebuild_index().await.expect("rebuild");

        assert_eq!(indexed, 4, "three on sale and one sold out; no draft, no delisted");
        assert_eq!(index.count().await.expect("count"), 4, "and the ghost is gone");
        let r = search_with(&app, &[("q", "脐橙")]).await;
        assert_eq!(sorted(titles(&r)), on_sale);
        assert_eq!(r.i64("total"), 3);
        assert_eq!(r.i64("facets.township.梅岭镇"), 3);
        assert_eq!(sorted(titles(&search_with(&app, &[("q", "脐橙"), ("in_stock", "false")]).await)), everything);
        assert_eq!(titles(&search(&app, "qicheng").await).len(), 3, "pinyin is rebuilt too");
        // Twice is the same as once.
        assert_eq!(app.state.catalog.rebuild_index().await.expect("rebuild"), 4);
        assert_eq!(index.count().await.expect("count"), 4);
    }

    async fn an_empty_index_is_rebuilt_only_when_the_catalogue_has_live_listings(app) {
        let catalog = app.state.catalog.clone();
        assert!(!catalog.rebuild_if_empty().await.expect("rebuild if empty"), "nothing to rebuild in an empty catalogue");
        let seller = app.verified_seller().await;
        draft_listing(&app, &seller, "脐橙 草稿").await;
        assert!(!catalog.rebuild_if_empty().await.expect("rebuild if empty"), "a draft alone is not indexed");
        live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        live_listing(&app, &seller, "赣南脐橙 5斤装").await;
        assert!(!catalog.rebuild_if_empty().await.expect("rebuild if empty"), "a populated index is left alone");

        catalog.search_index().clear().await.expect("clear");
        assert!(titles(&search(&app, "脐橙").await).is_empty());

        assert!(catalog.rebuild_if_empty().await.expect("rebuild if empty"));
        assert_eq!(catalog.search_index().count().await.expect("count"), 2);
        assert_eq!(sorted(titles(&search(&app, "脐橙").await)), ["赣南脐橙 10斤装", "赣南脐橙 5斤装"]);
    }

    async fn a_server_starting_with_an_empty_search_index_rebuilds_it(app) {
        let mut app = app;
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        live_listing(&app, &seller, "赣南脐橙 5斤装").await;
        draft_listing(&app, &seller, "脐橙 草稿").await;
        assert_eq!(titles(&search(&app, "脐橙").await).len(), 2);
        app.stop().await;

        // Same database, new data directory: the embedded index starts empty and nothing is
        // left in the outbox to fill it; only the rebuild at start can.
        let second = app.start_on_same_database().await;

        let mut found = Vec::new();
        for _ in 0..200 {
            found = sorted(titles(&search(&second, "脐橙").await));
            if found.len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(found, ["赣南脐橙 10斤装", "赣南脐橙 5斤装"], "rebuilt in the background at start");
        assert_eq!(second.state.catalog.search_index().count().await.expect("count"), 2);
        second.get(&format!("/api/v1/listings/{id}"), None).await.expect_status(200);
    }
}

// The limits of 20 SKUs and 9 photos per listing are checked by counting before the write
// transaction opens, so requests arriving together all see room and all insert. Both tests fail
// today on both backends (reported; see `Catalog::add_sku` and `Catalog::add_image`) and are
// ignored until the check moves inside the transaction: run with `--run-ignored only`.

// Two phones of the same cooperative adding SKUs at once.
both_backends! {
    async fn skus_added_at_the_same_moment_still_stop_at_twenty(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        let path = format!("/api/v1/listings/{id}/skus");
        for n in 0..16 {
            app.post(&path, sku_body(&format!("规格{n}"), 2000 + n), Some(&seller.owner.token))
                .await
                .expect_status(201);
        }

        // 18 SKUs; two phones of the same cooperative add six more at once.
        let tries = (0..6)
            .map(|n| {
                app.http
                    .post(app.url(&path))
                    .bearer_auth(&seller.owner.token)
                    .json(&sku_body(&format!("同时{n}"), 1990))
            })
            .collect();
        let answers = app.send_all(tries).await;

        let created = answers.iter().filter(|r| r.status == 201).count();
        let refused = answers
            .iter()
            .filter(|r| r.status == 422 && r.field_code("skus") == Some("too_many"))
            .count();
        assert_eq!(
            (created, refused),
            (2, 4),
            "{:?}",
            answers
                .iter()
                .map(|r| (r.status, r.text.as_str()))
                .collect::<Vec<_>>()
        );
        assert_eq!(sku_ids(&app, id, &seller.owner).await.len(), 20);
    }
}

// Several photos uploaded at once (a phone sending a whole album).
both_backends! {
    async fn photos_uploaded_at_the_same_moment_still_stop_at_nine(app) {
        let seller = app.verified_seller().await;
        let id = live_listing(&app, &seller, "赣南脐橙 10斤装").await;
        for n in 0..7 {
            upload_photo(&app, id, &seller.owner, png(200 + n, 200), "a.png")
                .await
                .expect_status(201);
        }

        let tries = (0..4)
            .map(|n| {
                let part =
                    reqwest::multipart::Part::bytes(png(240 + n, 200)).file_name("b.png".to_owned());
                app.http
                    .post(app.url(&format!("/api/v1/listings/{id}/images")))
                    .bearer_auth(&seller.owner.token)
                    .multipart(reqwest::multipart::Form::new().part("file", part))
            })
            .collect();
        let answers = app.send_all(tries).await;

        let created = answers.iter().filter(|r| r.status == 201).count();
        let refused = answers
            .iter()
            .filter(|r| r.status == 409 && r.code() == "too_many_images")
            .count();
        assert_eq!(
            (created, refused),
            (2, 2),
            "{:?}",
            answers
                .iter()
                .map(|r| (r.status, r.code()))
                .collect::<Vec<_>>()
        );
        assert_eq!(app.count("listing_images", "1=1").await, 9);
    }
}

both_backends! {
    async fn a_listing_names_its_producer_when_the_seller_did_not_grow_it(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        let grower = app.register("13800000602", "王秀英").await;
        let farm = app.verified_org(&grower, &op, "family_farm", "白云山土鸡家庭农场").await;
        let buyer_owner = app.register("13700000603", "马超").await;
        let shop = app.verified_org(&buyer_owner, &op, "business_buyer", "惠民社区超市").await;
        let pending_owner = app.register("13800000604", "周明").await;
        let pending = app.create_org(&pending_owner, "family_farm", "高山蔬菜家庭农场").await;
        let cat = app.category("citrus").await;
        let path = format!("/api/v1/orgs/{}/listings", seller.org);
        let create = |producer: Value| {
            let mut body = listing_body(cat, "白云山脐橙 代销 10斤装");
            body["producer_org_id"] = producer;
            app.post(&path, body, Some(&seller.owner.token))
        };

        // Only a verified producing organisation may be named.
        for bad in [json!(shop), json!(pending), json!(Uuid::now_v7())] {
            let r = create(bad).await;
            assert_eq!(r.field_code("producer_org_id"), Some("invalid"), "{}", r.text);
        }
        assert_eq!(app.count("listings", "1=1").await, 0, "nothing half-written");
        let r = create(json!(farm)).await;
        r.expect_status(201);
        assert_eq!(r.uuid("producer.id"), farm);
        assert_eq!(r.str("producer.name"), "白云山土鸡家庭农场");
        assert_eq!(r.uuid("seller.id"), seller.org);
        let id = r.id();
        // Cleared with the nil id; naming the seller itself means no separate producer.
        let r = app.patch(&format!("/api/v1/listings/{id}"), json!({"producer_org_id": Uuid::nil()}), Some(&seller.owner.token)).await;
        r.expect_status(200);
        assert!(r.at("producer").is_null());
        let r = app.patch(&format!("/api/v1/listings/{id}"), json!({"producer_org_id": seller.org}), Some(&seller.owner.token)).await;
        assert!(r.at("producer").is_null());
    }
}
