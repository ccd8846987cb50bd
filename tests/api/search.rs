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
