//! Issue #19, addresses as Chinese shops take them, through the real server: the 省/市/区
//! picker walks GB/T 2260 (public, cached a day, revalidated by ETag), paste-to-recognise fills
//! the form from a pasted chat message and saves nothing, and the address book is the buyer's
//! own — with the attacks: unknown and hostile codes, empty, oversized and malformed pastes,
//! no session, another buyer's address.

use farmgate_tests::prelude::*;

fn names(r: &Resp) -> Vec<String> {
    r.arr("")
        .iter()
        .filter_map(|d| d["name"].as_str().map(str::to_owned))
        .collect()
}

fn code_of(r: &Resp, name: &str) -> String {
    r.arr("")
        .iter()
        .find(|d| d["name"] == name)
        .and_then(|d| d["code"].as_str())
        .unwrap_or_else(|| panic!("{name} in {}", r.text))
        .to_owned()
}

both_backends! {
    async fn the_picker_walks_province_city_district_without_a_login_and_caches_a_day(app) {
        let provinces = app.get("/api/v1/regions", None).await;
        provinces.expect_status(200);
        assert!(names(&provinces).contains(&"江西省".to_owned()), "{}", provinces.text);
        assert_eq!(provinces.header("cache-control"), Some("public, max-age=86400"));
        let etag = provinces.header("etag").expect("an ETag").to_owned();

        let jiangxi = app.get(&format!("/api/v1/regions/{}", code_of(&provinces, "江西省")), None).await;
        jiangxi.expect_status(200);
        let ganzhou = app.get(&format!("/api/v1/regions/{}", code_of(&jiangxi, "赣州市")), None).await;
        ganzhou.expect_status(200);
        assert!(names(&ganzhou).contains(&"章贡区".to_owned()), "{}", ganzhou.text);
        assert!(!names(&ganzhou).contains(&"市辖区".to_owned()), "no placeholder");
        let leaf = app.get(&format!("/api/v1/regions/{}", code_of(&ganzhou, "章贡区")), None).await;
        leaf.expect_status(200);
        assert_eq!(leaf.text.trim(), "[]", "a district is a leaf");

        let again = app
            .send(app.http.get(app.url("/api/v1/regions")).header("if-none-match", &etag))
            .await;
        assert_eq!(again.status, 304, "{}", again.text);
    }

    async fn an_unknown_or_hostile_region_code_is_not_found(app) {
        for code in ["999999", "36000", "3600000", "abcdef", "..%2F..%2Fetc", "%00", "36%27%20OR%201=1"] {
            let r = app.get(&format!("/api/v1/regions/{code}"), None).await;
            assert_eq!(r.status, 404, "{code}: {}", r.text);
            assert_eq!(r.code(), "not_found", "{code}");
        }
    }

    async fn a_pasted_chat_message_fills_every_field_and_saves_nothing(app) {
        let buyer = app.consumer().await;
        let before = app.count("addresses", "1=1").await;

        let r = app.post("/api/v1/addresses/recognise",
            json!({"text": "收货人：张三，手机：+86 138-0013-8000，地址：江西省赣州市南康区唐江镇卢屋村8号 邮编：341400"}),
            Some(&buyer.token)).await;

        r.expect_status(200);
        assert_eq!(r.str("name"), "张三");
        assert_eq!(r.str("phone"), "13800138000");
        assert_eq!((r.str("province"), r.str("city"), r.str("district")), ("江西省", "赣州市", "南康区"));
        assert_eq!(r.str("street"), "唐江镇卢屋村8号");
        assert_eq!(r.str("district_code"), "360703");
        assert_eq!(app.count("addresses", "1=1").await, before, "nothing saved");

        // What it read saves as an address as it is.
        let mut input = serde_json::Map::new();
        for k in ["name", "phone", "province", "city", "district", "street"] {
            input.insert(k.to_owned(), r.at(k).clone());
        }
        app.post("/api/v1/me/addresses", Value::Object(input), Some(&buyer.token)).await.expect_status(201);
    }

    async fn a_paste_with_nothing_recognisable_answers_what_it_found_and_no_more(app) {
        let buyer = app.consumer().await;
        let r = app.post("/api/v1/addresses/recognise", json!({"text": "🍊🍊🍊 <script>alert(1)</script>"}), Some(&buyer.token)).await;
        r.expect_status(200);
        for k in ["phone", "province", "city", "district"] {
            assert!(r.at(k).is_null(), "{k}: {}", r.text);
        }
    }

    async fn recognising_needs_a_login_and_a_sensible_paste(app) {
        let buyer = app.consumer().await;
        let path = "/api/v1/addresses/recognise";
        app.post(path, json!({"text": "江西省赣州市章贡区红旗大道18号"}), None).await.expect_status(401);
        let empty = app.post(path, json!({"text": "   "}), Some(&buyer.token)).await;
        empty.expect_status(422);
        assert_eq!(empty.field_code("text"), Some("required"));
        let long = app.post(path, json!({"text": "江".repeat(301)}), Some(&buyer.token)).await;
        long.expect_status(422);
        assert_eq!(long.field_code("text"), Some("too_long"));
        app.post(path, json!({"text": "江".repeat(300)}), Some(&buyer.token)).await.expect_status(200);
        app.post(path, json!({"text": 42}), Some(&buyer.token)).await.expect_status(422);
        app.post(path, json!({"text": "x", "extra": true}), Some(&buyer.token)).await.expect_status(422);
        let huge = app.send(app.http.post(app.url(path)).bearer_auth(&buyer.token)
            .header("content-type", "application/json").body(vec![b' '; 3 * 1024 * 1024])).await;
        assert_eq!(huge.status, 413, "{}", huge.text);
    }

    async fn the_address_book_is_the_buyers_own_to_edit_make_default_and_delete(app) {
        let buyer = app.consumer().await;
        let other = app.consumer().await;
        let add = |name: &'static str, default: bool| json!({"name": name, "phone": "13800138000", "province": "江西省", "city": "赣州市", "district": "章贡区", "street": "红旗大道18号", "is_default": default});
        let first = app.post("/api/v1/me/addresses", add("王芳", false), Some(&buyer.token)).await;
        first.expect_status(201);
        let id = first.id();

        // Another buyer can neither change nor delete it.
        app.put(&format!("/api/v1/me/addresses/{id}"), add("李四", true), Some(&other.token)).await.expect_status(404);
        let gone = app.delete(&format!("/api/v1/me/addresses/{id}"), Some(&other.token)).await;
        assert_eq!(gone.status, 404);

        let made = app.put(&format!("/api/v1/me/addresses/{id}"), add("王芳", true), Some(&buyer.token)).await;
        made.expect_status(200);
        assert_eq!(made.str("region_code"), "360702", "the standard's names carry its code");
        // A district the bundled revision does not know is still saved, without a code.
        let newer = app.post("/api/v1/me/addresses", json!({"name": "赵六", "phone": "13800138000", "province": "江西省", "city": "赣州市", "district": "新设区", "street": "新城大道1号"}), Some(&buyer.token)).await;
        newer.expect_status(201);
        assert!(newer.at("region_code").is_null(), "{}", newer.text);
        app.delete(&format!("/api/v1/me/addresses/{}", newer.id()), Some(&buyer.token)).await;
        let list = app.get("/api/v1/me/addresses", Some(&buyer.token)).await;
        list.expect_status(200);
        assert_eq!(list.str("0.id"), id.to_string(), "the default comes first: {}", list.text);
        assert!(list.arr("").iter().filter(|a| a["is_default"] == true).count() == 1, "one default: {}", list.text);

        let deleted = app.delete(&format!("/api/v1/me/addresses/{id}"), Some(&buyer.token)).await;
        assert_eq!(deleted.status, 204);
        let list = app.get("/api/v1/me/addresses", Some(&buyer.token)).await;
        assert!(!list.text.contains(&id.to_string()));
    }

    async fn an_order_keeps_the_districts_code_with_its_address(app) {
        let seller = app.verified_seller().with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 10)).await;
        let buyer = app.consumer().await;
        let placed = app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;
        let order = app.get(&format!("/api/v1/orders/{}", placed.id), Some(&buyer.token)).await;
        order.expect_status(200);
        assert_eq!(order.str("address.district"), "章贡区");
        assert_eq!(order.str("address.region_code"), "360702", "{}", order.text);
    }
}
