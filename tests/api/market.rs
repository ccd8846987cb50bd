//! The public price board (行情) through the real server: anyone reads it without logging in;
//! a category's figures equal the officials' price trends for the same period; prices per 斤
//! are the per-kg ones halved, half up; groups of fewer than five buyers (a category, a
//! township, a product, a day) are never shown, nor left alone to be subtracted; answers carry
//! an ETag and Cache-Control and a repeat answers 304; no buyer is ever named.

use farmgate_tests::prelude::*;

/// A 5斤装 box (2.5 kg net) from `township` at `price`, 500 in stock, in `category`.
fn box_from(township: &str, price: i64, category: &str) -> Product {
    Product::boxes(&format!("{township}脐橙"), price, 500)
        .sku_name("5斤装")
        .weight_grams(2800)
        .net_weight_grams(2500)
        .without_tiers()
        .from_township(township)
        .in_category(category)
}

async fn seller(
    app: &TestApp,
    name: &str,
    township: &str,
    price: i64,
    category: &str,
) -> SellerWithListing {
    app.verified_seller()
        .named(name)
        .with_listing(box_from(township, price, category))
        .await
}

/// The county's day from the statistics tests: a cooperative in 梅岭镇 (¥39.90 a 2.5 kg box,
/// ¥15.96/kg) sells to seven buyers (1 … 7 boxes), a company in 石桥镇 (¥29.90, ¥11.96/kg) to
/// five of them (1 box each), a family farm in 水南镇 (¥19.90, ¥7.96/kg) to four (2 boxes each).
struct Day {
    coop: SellerWithListing,
    buyers: Vec<Consumer>,
    category: Uuid,
    day: String,
}

async fn a_day_of_citrus(app: &TestApp) -> Day {
    let coop = seller(app, "梅岭脐橙专业合作社", "梅岭镇", 3990, "citrus").await;
    let store = seller(app, "青石农业发展有限公司", "石桥镇", 2990, "citrus").await;
    let farm = seller(app, "水南家庭农场", "水南镇", 1990, "citrus").await;
    let mut buyers = Vec::new();
    for i in 0..7i64 {
        let mut items = vec![(coop.sku, 1 + i)];
        if i < 5 {
            items.push((store.sku, 1));
        }
        if i < 4 {
            items.push((farm.sku, 2));
        }
        let buyer = app
            .consumer()
            .named("王小买")
            .in_city("广东省", "深圳市")
            .await;
        app.paid_order(&buyer, &items).await;
        buyers.push(buyer);
    }
    app.outbox_drained().await;
    Day {
        coop,
        buyers,
        category: app.category("citrus").await,
        day: app.today_in_china(),
    }
}

const FIGURES: [&str; 4] = ["avg_fen", "median_fen", "min_fen", "max_fen"];

fn days_before(day: &str, n: i64) -> String {
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a date");
    (d - chrono::Duration::days(n)).to_string()
}

both_backends! {
    async fn the_board_shows_the_officials_figures_per_kilogram_and_per_jin_to_anyone(app) {
        let d = a_day_of_citrus(&app).await;
        let official = app.official().await;
        let cat = d.category.to_string();

        let board = app.get("/api/v1/market/prices", None).await;

        board.expect_status(200);
        let row = board.find("categories", "key", cat.as_str()).clone();
        let stats = app.get(&format!("/api/v1/stats/prices?from={0}&to={0}", d.day), Some(&official.token)).await;
        let theirs = stats.find("rows", "key", cat.as_str()).clone();
        for f in FIGURES {
            assert_eq!(row.at(&format!("today.{f}")), theirs.at(f), "today's {f} = the statistics' {f}");
        }
        assert_eq!(row.at("today.lines"), theirs.at("lines"));
        assert_eq!(row.at("today.quantity"), theirs.at("quantity"));
        // By hand: 28 boxes at 1596 fen/kg, 5 at 1196, 8 at 796; 102 500 g in all, 16 lines.
        // Average 142 590 000 / 102 500 = 1391.1 → 1391 fen/kg; per 斤 695.56 → 696.
        assert_eq!(row.str("today.basis"), "kg");
        assert_eq!(
            (row.i64("today.avg_fen"), row.i64("today.median_fen"), row.i64("today.min_fen"), row.i64("today.max_fen")),
            (1391, 1596, 796, 1596)
        );
        assert_eq!(
            (row.i64("today.per_jin.avg_fen"), row.i64("today.per_jin.median_fen"), row.i64("today.per_jin.min_fen"), row.i64("today.per_jin.max_fen")),
            (696, 798, 398, 798)
        );
        assert_eq!((row.i64("today.quantity"), row.i64("today.lines")), (102_500, 16));
        assert_eq!(row.at("week"), row.at("today"), "everything was sold today, this week");
        assert_eq!(board.i64("min_buyers"), 5);

        // The category's page over 30 days equals the statistics over the same 30 days.
        let page = app.get(&format!("/api/v1/market/prices/{cat}?days=30"), None).await;
        page.expect_status(200);
        let from = days_before(&d.day, 29);
        assert_eq!(page.str("from"), from);
        let stats30 = app.get(&format!("/api/v1/stats/prices?from={from}&to={}", d.day), Some(&official.token)).await;
        let theirs30 = stats30.find("rows", "key", cat.as_str()).clone();
        for f in FIGURES {
            assert_eq!(page.at(&format!("period.{f}")), theirs30.at(f), "30 days' {f}");
        }
        assert!(page.bool("published"));
        assert_eq!(page.len_of("trend"), 30);
        let last = page.arr("trend").last().cloned().unwrap_or_default();
        assert_eq!(last.str("start"), d.day);
        assert_eq!(last.at("price"), page.at("today"));
        assert!(page.arr("trend")[..29].iter().all(|p| p["price"].is_null()), "no sales before today");

        // Townships: 梅岭镇 (7 buyers) and 石桥镇 (5) have enough, 水南镇 (4) does not; with one
        // hidden, the smallest shown goes with it so 水南镇 cannot be computed. Same for products.
        assert_eq!(page.strings("townships", "label"), ["梅岭镇"]);
        assert_eq!(page.i64("townships.0.price.max_fen"), 1596);
        assert_eq!(page.strings("products", "key"), [d.coop.listing.to_string()]);
        assert_eq!(page.i64("products.0.price.lines"), 7);

        // 90 days by week, 365 by month.
        let q = app.get(&format!("/api/v1/market/prices/{cat}?days=90"), None).await;
        assert_eq!(q.str("grain"), "week");
        let y = app.get(&format!("/api/v1/market/prices/{cat}?days=365"), None).await;
        assert_eq!(y.str("grain"), "month");
        assert_eq!(y.at("period.avg_fen"), page.at("period.avg_fen"));

        // No buyer is named anywhere.
        for text in [&board.text, &page.text, &q.text, &y.text] {
            assert!(!text.contains("王小买"), "no buyer names: {text}");
            for b in &d.buyers {
                assert!(!text.contains(&b.phone) && !text.contains(&b.account_id.to_string()), "no buyer ids or phones");
            }
            assert!(!text.contains("深圳"), "no destinations");
        }
    }

    async fn a_category_bought_by_four_people_is_not_shown(app) {
        let apples = seller(&app, "苹果家庭农场", "梅岭镇", 2000, "apple-pear").await;
        for _ in 0..4 {
            let buyer = app.consumer().named("买家").in_city("广东省", "广州市").await;
            app.paid_order(&buyer, &[(apples.sku, 1)]).await;
        }
        app.outbox_drained().await;
        let cat = app.category("apple-pear").await.to_string();

        let board = app.get("/api/v1/market/prices", None).await;

        board.expect_status(200);
        assert!(!board.strings("categories", "key").contains(&cat), "{}", board.text);
        let page = app.get(&format!("/api/v1/market/prices/{cat}"), None).await;
        page.expect_status(200);
        assert!(!page.bool("published"));
        assert!(page.at("today").is_null() && page.at("week").is_null() && page.at("period").is_null());
        assert!(page.arr("townships").is_empty() && page.arr("products").is_empty());
        assert!(page.arr("trend").iter().all(|p| p["price"].is_null()));

        // A fifth buyer publishes it.
        let buyer = app.consumer().named("买家").in_city("广东省", "广州市").await;
        app.paid_order(&buyer, &[(apples.sku, 1)]).await;
        app.outbox_drained().await;
        let page = app.get(&format!("/api/v1/market/prices/{cat}"), None).await;
        assert!(page.bool("published"));
        assert_eq!(page.i64("today.max_fen"), 800, "¥20 for 2.5 kg is 800 fen/kg");
        assert_eq!(page.i64("today.per_jin.max_fen"), 400);
    }

    async fn board_answers_are_cacheable_and_bad_questions_are_refused(app) {
        let r = app.get("/api/v1/market/prices", None).await;
        r.expect_status(200);
        let etag = r.header("etag").expect("an ETag").to_owned();
        assert!(r.header("cache-control").is_some_and(|c| c.contains("public") && c.contains("max-age")));
        let again = app.send(app.http.get(app.url("/api/v1/market/prices")).header("if-none-match", &etag)).await;
        assert_eq!(again.status, 304);
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        let other = app.send(app.http.get(app.url("/api/v1/market/prices")).header("if-none-match", "\"nope\"")).await;
        assert_eq!(other.status, 200);

        let cat = app.category("citrus").await;
        let r = app.get(&format!("/api/v1/market/prices/{cat}"), None).await;
        r.expect_status(200);
        assert!(r.header("etag").is_some());
        let bad = app.get(&format!("/api/v1/market/prices/{cat}?days=7"), None).await;
        assert_eq!(bad.status, 422);
        assert_eq!(bad.field_code("days"), Some("unknown"));
        for missing in [Uuid::new_v4().to_string(), "not-a-category".to_owned(), "x".repeat(300)] {
            let r = app.get(&format!("/api/v1/market/prices/{missing}"), None).await;
            assert_eq!(r.status, 404, "{missing}");
            assert_eq!(r.code(), "not_found");
        }
    }

    async fn a_seller_sees_where_its_price_sits_in_its_category(app) {
        let d = a_day_of_citrus(&app).await;
        let cat = d.category;
        let owner = &d.coop.owner;

        // The cooperative's box: ¥39.90 for 2.5 kg is 1596 fen/kg. Of the 102 500 g sold,
        // 32 500 g went cheaper (3171 bp), none dearer.
        let r = app.get(&format!("/api/v1/market/prices/{cat}/position?price_fen=1596&per=kg"), Some(&owner.token)).await;

        r.expect_status(200);
        assert!(r.bool("published") && r.bool("comparable"));
        assert_eq!((r.i64("position.below_bp"), r.i64("position.above_bp")), (3171, 0));
        assert_eq!(
            (r.i64("position.p25_fen"), r.i64("position.median_fen"), r.i64("position.p75_fen")),
            (1196, 1596, 1596)
        );
        assert_eq!((r.i64("p25_per_jin_fen"), r.i64("p75_per_jin_fen")), (598, 798));
        // ¥7.00 a 斤 is 1400 fen/kg: dearer than 32 500 g, cheaper than 70 000 g.
        let r = app.get(&format!("/api/v1/market/prices/{cat}/position?price_fen=700&per=jin"), Some(&owner.token)).await;
        assert_eq!(r.i64("price_fen"), 1400);
        assert_eq!((r.i64("position.below_bp"), r.i64("position.above_bp")), (3171, 6829));
        // Per box, where the category is priced per kg: not comparable, nothing placed.
        let r = app.get(&format!("/api/v1/market/prices/{cat}/position?price_fen=3990&per=box"), Some(&owner.token)).await;
        assert!(r.bool("published") && !r.bool("comparable") && r.at("position").is_null());
        // A category with no sales: nothing published.
        let apples = app.category("apple-pear").await;
        let r = app.get(&format!("/api/v1/market/prices/{apples}/position?price_fen=800"), Some(&owner.token)).await;
        r.expect_status(200);
        assert!(!r.bool("published") && r.at("position").is_null() && r.at("period").is_null());

        // Only sellers (and the operator) ask; bad questions are field errors.
        let url = format!("/api/v1/market/prices/{cat}/position?price_fen=1596");
        assert_eq!(app.get(&url, None).await.status, 401);
        let buyer = &d.buyers[0];
        let r = app.get(&url, Some(&buyer.token)).await;
        assert_eq!((r.status, r.code()), (403, "forbidden"));
        app.get(&url, Some(&app.operator().await.token)).await.expect_status(200);
        for (q, field, code) in [
            ("price_fen=abc", "price_fen", "invalid"),
            ("price_fen=0", "price_fen", "invalid"),
            ("price_fen=100000001", "price_fen", "invalid"),
            ("per=kg", "price_fen", "invalid"),
            ("price_fen=100&per=ton", "per", "unknown"),
        ] {
            let r = app.get(&format!("/api/v1/market/prices/{cat}/position?{q}"), Some(&owner.token)).await;
            assert_eq!(r.status, 422, "{q}");
            assert_eq!(r.field_code(field), Some(code), "{q}");
        }
        let r = app.get(&format!("/api/v1/market/prices/{}/position?price_fen=1", Uuid::new_v4()), Some(&owner.token)).await;
        assert_eq!(r.status, 404);
    }

    async fn shop_credit_is_recomputed_from_the_records_and_a_new_shop_shows_new(app) {
        let shop = seller(&app, "梅岭脐橙专业合作社", "梅岭镇", 3990, "citrus").await;
        let newcomer = seller(&app, "水南家庭农场", "水南镇", 1990, "citrus").await;
        // Ten buyers each receive a box; five review it (5, 5, 4, 3, 5 stars: 4.4 average,
        // 4 of 5 positive); one files a damage claim (1 of 10 parcels: 10 %).
        for i in 0..10usize {
            let buyer = app.consumer().named("买家").in_city("广东省", "深圳市").await;
            let order = app.paid_order(&buyer, &[(shop.sku, 1)]).await;
            let part = order.part_of(shop.org).clone();
            app.ship(&shop.owner, part.id).await;
            app.receive(&buyer, part.id).await;
            let line = part.line().id;
            if let Some(stars) = [5, 5, 4, 3, 5].get(i) {
                app.post(&format!("/api/v1/order-lines/{line}/review"), json!({"rating": stars}), Some(&buyer.token))
                    .await
                    .expect_status(201);
            }
            if i == 9 {
                app.claim(&buyer, part.id, line, 1).await;
            }
        }
        // The newcomer has three received parcels.
        for _ in 0..3 {
            let buyer = app.consumer().named("买家").in_city("广东省", "深圳市").await;
            let order = app.paid_order(&buyer, &[(newcomer.sku, 1)]).await;
            let part = order.part_of(newcomer.org).id;
            app.ship(&newcomer.owner, part).await;
            app.receive(&buyer, part).await;
        }

        let c = app.get(&format!("/api/v1/credit/sellers/{}", shop.org), None).await;

        c.expect_status(200);
        assert_eq!(
            (c.i64("figures.orders"), c.i64("figures.received"), c.i64("figures.ratings"), c.i64("figures.rating_sum"), c.i64("figures.positive")),
            (10, 10, 5, 22, 4)
        );
        assert_eq!((c.i64("rating_x100"), c.i64("positive_bp")), (440, 8000));
        assert_eq!((c.i64("figures.claims"), c.i64("claim_rate_bp")), (1, 1000));
        assert_eq!((c.i64("figures.shipped_with_deadline"), c.i64("figures.shipped_late"), c.i64("on_time_bp")), (10, 0, 10_000));
        assert_eq!((c.i64("figures.recalls"), c.i64("figures.months")), (0, 0));
        assert!(c.at("response_avg_secs").is_null(), "no conversations");
        // 100 − 10 (4.4 stars) − 25 (claims above 5 %) = 65: C.
        assert_eq!((c.str("assessment.level"), c.i64("assessment.score")), ("c", 65));
        assert_eq!(c.strings("assessment.deductions", "reason"), ["rating_below_4_5", "claims_above_5"]);
        assert!(!c.text.contains("买家") && !c.text.contains("深圳"), "no buyer in credit: {}", c.text);

        let n = app.get(&format!("/api/v1/credit/sellers/{}", newcomer.org), None).await;
        n.expect_status(200);
        assert_eq!(n.str("assessment.level"), "new");
        assert!(n.at("assessment.score").is_null() && n.arr("assessment.deductions").is_empty());
        assert_eq!(n.i64("figures.received"), 3);

        // The operator's list, sortable; nobody else reads it.
        let op = app.operator().await;
        let list = app.get("/api/v1/credit/sellers?sort=claim_rate&order=desc", Some(&op.token)).await;
        list.expect_status(200);
        assert_eq!(list.str("0.org_id"), shop.org.to_string());
        let asc = app.get("/api/v1/credit/sellers?sort=claim_rate&order=asc", Some(&op.token)).await;
        assert_eq!(asc.str("0.org_id"), newcomer.org.to_string());
        assert_eq!(app.get("/api/v1/credit/sellers", Some(&shop.owner.token)).await.status, 403);
        assert_eq!(app.get("/api/v1/credit/sellers", None).await.status, 401);
        let bad = app.get("/api/v1/credit/sellers?sort=nope", Some(&op.token)).await;
        assert_eq!((bad.status, bad.field_code("sort")), (422, Some("unknown")));
        let bad = app.get("/api/v1/credit/sellers?order=up", Some(&op.token)).await;
        assert_eq!((bad.status, bad.field_code("order")), (422, Some("unknown")));
        // Not a seller, not an organisation: 404.
        for missing in [Uuid::new_v4().to_string(), "nope".to_owned()] {
            assert_eq!(app.get(&format!("/api/v1/credit/sellers/{missing}"), None).await.status, 404);
        }
    }

    async fn a_seller_reads_its_own_sales_by_day_product_and_province_and_downloads_them(app) {
        let shop = seller(&app, "梅岭脐橙专业合作社", "梅岭镇", 3990, "citrus").await;
        let other = seller(&app, "水南家庭农场", "水南镇", 1990, "citrus").await;
        // Two buyers in 深圳 and one in 上海; the first comes back for a second order.
        let sz = app.consumer().named("买家").in_city("广东省", "深圳市").await;
        let sh = app.consumer().named("买家").in_city("上海市", "上海市").await;
        let sz2 = app.consumer().named("买家").in_city("广东省", "深圳市").await;
        let o1 = app.paid_order(&sz, &[(shop.sku, 2)]).await;
        let o2 = app.paid_order(&sz, &[(shop.sku, 1), (other.sku, 1)]).await;
        let o3 = app.paid_order(&sh, &[(shop.sku, 1)]).await;
        app.paid_order(&sz2, &[(other.sku, 1)]).await;
        let mine: i64 = [&o1, &o2, &o3].iter().map(|o| o.part_of(shop.org).total).sum();
        let day = app.today_in_china();
        let url = format!("/api/v1/analytics/sellers/{}/sales?from={day}&to={day}", shop.org);

        let r = app.get(&url, Some(&shop.owner.token)).await;

        r.expect_status(200);
        assert_eq!((r.i64("total.orders"), r.i64("total.lines"), r.i64("total.buyers")), (3, 3, 2));
        assert_eq!(r.i64("total.goods_fen"), 4 * 3990);
        assert_eq!(r.i64("total.goods_fen") + r.i64("total.shipping_fen"), mine, "what its parts cost");
        assert_eq!((r.i64("repeat_buyers"), r.i64("repeat_share_bp")), (1, 5000));
        assert_eq!(r.len_of("series"), 1);
        assert_eq!(r.at("series.0.goods_fen"), r.at("total.goods_fen"));
        assert_eq!(r.strings("products", "key"), [shop.listing.to_string()]);
        assert_eq!(r.strings("provinces", "key"), ["广东省", "上海市"]);
        assert_eq!(r.i64("provinces.0.goods_fen"), 3 * 3990);
        assert!(!r.text.contains(&sz.phone) && !r.text.contains(&sz.account_id.to_string()), "no buyer named");

        let csv = app.get(&format!("{url}&format=csv&view=provinces"), Some(&shop.owner.token)).await;
        csv.expect_status(200);
        assert!(csv.header("content-type").is_some_and(|c| c.contains("csv")));
        assert!(csv.text.contains("广东省") && csv.text.contains("119.70"), "{}", csv.text);
        assert!(!csv.text.contains(&sz.phone));
        let xlsx = app.get(&format!("{url}&format=xlsx&view=products"), Some(&shop.owner.token)).await;
        xlsx.expect_status(200);
        assert!(xlsx.header("content-disposition").is_some_and(|c| c.contains(".xlsx")));

        // Another seller, a buyer and nobody are refused; the operator may look.
        assert_eq!(app.get(&url, Some(&other.owner.token)).await.status, 403);
        assert_eq!(app.get(&url, Some(&sz.token)).await.status, 403);
        assert_eq!(app.get(&url, None).await.status, 401);
        app.get(&url, Some(&app.operator().await.token)).await.expect_status(200);
        for (q, field) in [("&by=year", "by"), ("&format=pdf", "format"), ("&format=csv&view=buyers", "view")] {
            let r = app.get(&format!("{url}{q}"), Some(&shop.owner.token)).await;
            assert_eq!((r.status, r.field_code(field)), (422, Some("unknown")), "{q}");
        }
        let r = app.get(&format!("/api/v1/analytics/sellers/{}/sales?from={day}", shop.org), Some(&shop.owner.token)).await;
        assert_eq!(r.status, 422);
        assert_eq!(app.get(&format!("/api/v1/analytics/sellers/nope/sales?from={day}&to={day}"), Some(&shop.owner.token)).await.status, 404);
    }
}
