//! Search as shoppers type it (#21): traditional characters find what their simplified forms
//! find, over a catalogue like the demo county's, on both engines' shared query understanding.

use farmgate_tests::prelude::*;

/// Titles of the hits for `q`, once the outbox has passed every change on.
async fn titles(app: &TestApp, q: &str) -> Vec<String> {
    app.outbox_drained().await;
    let r = app
        .send(app.http.get(app.url("/api/v1/search")).query(&[("q", q)]))
        .await;
    r.expect_status(200);
    let mut t = r.strings("hits", "title");
    t.sort();
    t
}

both_backends! {
    async fn traditional_character_queries_find_what_their_simplified_forms_find(app) {
        let seller = app.verified_seller().await;
        for title in [
            "赣南脐橙 10斤装",
            "手工笋干 500克",
            "红富士苹果 5斤",
            "农家土鸡蛋 30枚",
            "高山云雾茶 250克",
            "土蜂蜜 1斤",
            "五常稻花香大米 10斤",
        ] {
            app.approved_listing(&seller, &Product::boxes(title, 3990, 50)).await;
        }

        for (traditional, simplified, expected) in [
            ("臍橙", "脐橙", "赣南脐橙 10斤装"),
            ("筍乾", "笋干", "手工笋干 500克"),
            ("贛南臍橙", "赣南脐橙", "赣南脐橙 10斤装"),
            ("蘋果", "苹果", "红富士苹果 5斤"),
            ("土雞蛋", "土鸡蛋", "农家土鸡蛋 30枚"),
            ("雲霧茶", "云雾茶", "高山云雾茶 250克"),
            ("蜂蜜", "蜂蜜", "土蜂蜜 1斤"),
            ("稻花香大米", "稻花香大米", "五常稻花香大米 10斤"),
        ] {
            let want = titles(&app, simplified).await;
            assert_eq!(want, [expected], "{simplified}");
            assert_eq!(titles(&app, traditional).await, want, "{traditional} finds what {simplified} finds");
        }
        // Full-width and traditional together, as an older phone keyboard sends them.
        assert_eq!(titles(&app, "臍橙　１０斤").await, ["赣南脐橙 10斤装"]);
    }

    async fn a_title_written_in_traditional_characters_is_found_by_both_forms_and_highlighted(app) {
        let seller = app.verified_seller().await;
        app.approved_listing(&seller, &Product::boxes("贛南臍橙禮盒", 6990, 20)).await;
        app.approved_listing(&seller, &Product::boxes("手工笋干 500克", 3990, 50)).await;

        assert_eq!(titles(&app, "脐橙").await, ["贛南臍橙禮盒"]);
        assert_eq!(titles(&app, "臍橙").await, ["贛南臍橙禮盒"]);
        assert_eq!(titles(&app, "qicheng").await, ["贛南臍橙禮盒"], "pinyin of the folded title");
        app.outbox_drained().await;
        let r = app
            .send(app.http.get(app.url("/api/v1/search")).query(&[("q", "脐橙")]))
            .await;
        r.expect_status(200);
        assert!(r.str("hits.0.title_highlight").contains("<mark>臍橙</mark>"), "{}", r.text);
    }
}

/// The whole response for `q`, once the outbox has passed every change on.
async fn search(app: &TestApp, q: &str) -> serde_json::Value {
    app.outbox_drained().await;
    let r = app
        .send(app.http.get(app.url("/api/v1/search")).query(&[("q", q)]))
        .await;
    r.expect_status(200);
    r.json()
}

fn words(v: &serde_json::Value, field: &str) -> Vec<String> {
    v[field]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn hit_titles(v: &serde_json::Value) -> Vec<String> {
    let mut t: Vec<String> = v["hits"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    t.sort();
    t
}

both_backends! {
    async fn extra_words_relax_homophones_suggest_and_english_names_find_listings(app) {
        let seller = app.verified_seller().await;
        for title in [
            "赣南脐橙 10斤装",
            "石门土蜂蜜 百花蜜 500克",
            "野生金银花茶 100克",
            "野生猕猴桃 12个",
            "龙泉稻花香大米 当季新米 10斤",
            "散养土鸡蛋 30枚",
            "农家笋干 高山毛竹 500克",
        ] {
            app.approved_listing(&seller, &Product::boxes(title, 3990, 50)).await;
        }

        // Every word present: nothing dropped, no suggestion.
        let v = search(&app, "脐橙").await;
        assert_eq!(hit_titles(&v), ["赣南脐橙 10斤装"]);
        assert!(words(&v, "dropped_words").is_empty() && v["suggestion"].is_null(), "{v}");

        let v = search(&app, "脐橙 新鲜 包邮").await;
        assert_eq!(hit_titles(&v), ["赣南脐橙 10斤装"]);
        assert_eq!(words(&v, "dropped_words"), ["新鲜", "包邮"]);
        assert_eq!(words(&v, "kept_words"), ["脐橙"]);

        let v = search(&app, "蜂蜜 正宗 野生").await;
        assert_eq!(hit_titles(&v), ["石门土蜂蜜 百花蜜 500克"]);
        assert_eq!(words(&v, "dropped_words"), ["正宗", "野生"]);

        let v = search(&app, "大咪").await;
        assert_eq!(hit_titles(&v), ["龙泉稻花香大米 当季新米 10斤"]);
        assert_eq!(v["suggestion"], "大米");

        assert_eq!(hit_titles(&search(&app, "qi cheng").await), ["赣南脐橙 10斤装"]);
        assert_eq!(hit_titles(&search(&app, "eggs").await), ["散养土鸡蛋 30枚"]);
        assert_eq!(hit_titles(&search(&app, "honey").await), ["石门土蜂蜜 百花蜜 500克"]);
        // Category names are searchable in English too (Product::boxes lists in Citrus,
        // under Fruit).
        let fruit = search(&app, "fruit").await;
        assert!(!hit_titles(&fruit).is_empty(), "{fruit}");
    }
}
