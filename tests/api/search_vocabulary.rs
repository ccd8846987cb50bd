//! The county's search vocabulary (#21) and search as you type, through the real server on
//! both stacks: the operator adds a synonym and search finds what it did not find before;
//! every change is audited; other roles, malformed, oversized and duplicate entries are refused
//! with nothing written; suggestions follow characters, pinyin and initials.

use farmgate_tests::prelude::*;

const VOCABULARY: &str = "/api/v1/admin/search/vocabulary";

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

async fn suggestions(app: &TestApp, q: &str) -> Vec<String> {
    app.outbox_drained().await;
    let r = app
        .send(
            app.http
                .get(app.url("/api/v1/search/suggest"))
                .query(&[("q", q)]),
        )
        .await;
    r.expect_status(200);
    r.strings("suggestions", "text")
}

both_backends! {
    async fn a_county_synonym_makes_search_find_a_listing_it_did_not_find_and_is_audited(app) {
        let seller = app.verified_seller().await;
        app.approved_listing(&seller, &Product::boxes("客家米果 500克", 2990, 40)).await;
        app.approved_listing(&seller, &Product::boxes("赣南脐橙 10斤装", 3990, 40)).await;
        assert!(titles(&app, "粄子").await.is_empty(), "the dialect word is unknown before");

        let op = app.operator().await;
        let r = app
            .post(VOCABULARY, json!({ "kind": "synonyms", "text": "  粄子   米果 " }), Some(&op.token))
            .await;
        r.expect_status(201);
        assert_eq!(r.str("text"), "米果 粄子", "stored canonical: single-spaced, sorted");
        let id = r.id();

        assert_eq!(titles(&app, "粄子").await, ["客家米果 500克"]);
        assert_eq!(titles(&app, "米果").await, ["客家米果 500克"], "the listing still finds itself");

        // A word with its own reading is stored with it.
        let r = app
            .post(VOCABULARY, json!({ "kind": "word", "text": "客家 Ke Jia" }), Some(&op.token))
            .await;
        r.expect_status(201);
        assert_eq!(r.str("text"), "客家 ke jia");
        assert_eq!(titles(&app, "kejia").await, ["客家米果 500克"]);

        let list = app.get(VOCABULARY, Some(&op.token)).await;
        list.expect_status(200);
        assert_eq!(list.arr("entries").len(), 2);
        assert!(list.i64("shipped.words") > 50);
        assert_eq!(list.i64("limits.max_entries"), 500);
        let changes = list.arr("changes");
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|c| c["action"] == "added"
            && c["actor_id"] == json!(op.account_id)), "{}", list.text);

        app.delete(&format!("{VOCABULARY}/{id}"), Some(&op.token)).await.expect_status(204);
        assert!(titles(&app, "粄子").await.is_empty(), "removed: not understood any more");
        let list = app.get(VOCABULARY, Some(&op.token)).await;
        assert_eq!(list.arr("entries").len(), 1);
        assert_eq!(list.str("changes.0.action"), "removed");
        assert_eq!(list.str("changes.0.text"), "米果 粄子");
        assert_eq!(app.count("search_vocabulary_changes", "1 = 1").await, 3);
    }

    async fn only_the_operator_may_read_or_change_the_vocabulary(app) {
        let consumer = app.consumer().await;
        let seller = app.verified_seller().await;
        let official = app.official().await;
        let op = app.operator().await;
        let body = json!({ "kind": "synonyms", "text": "米果 粄子" });
        // An official's session is read-only: its writes stop before the handler.
        for (who, token, write_code) in [
            ("consumer", consumer.session.token.as_str(), "forbidden"),
            ("seller", seller.owner.token.as_str(), "forbidden"),
            ("official", official.token.as_str(), "read_only"),
        ] {
            let r = app.get(VOCABULARY, Some(token)).await;
            assert_eq!((r.status, r.code()), (403, "forbidden"), "{who} reads");
            let r = app.post(VOCABULARY, body.clone(), Some(token)).await;
            assert_eq!((r.status, r.code()), (403, write_code), "{who} adds");
        }
        let r = app.post(VOCABULARY, body.clone(), None).await;
        assert_eq!(r.status, 401);
        assert_eq!(app.count("search_vocabulary", "1 = 1").await, 0, "nothing written");

        let id = app.post(VOCABULARY, body, Some(&op.token)).await.id();
        for (token, code) in [
            (&consumer.session.token, "forbidden"),
            (&seller.owner.token, "forbidden"),
            (&official.token, "read_only"),
        ] {
            let r = app.delete(&format!("{VOCABULARY}/{id}"), Some(token)).await;
            assert_eq!((r.status, r.code()), (403, code));
        }
        assert_eq!(app.count("search_vocabulary", "1 = 1").await, 1, "still there");
        assert_eq!(app.count("search_vocabulary_changes", "1 = 1").await, 1);
    }

    async fn malformed_oversized_and_duplicate_entries_are_refused_and_nothing_is_written(app) {
        let op = app.operator().await;
        let long = "米".repeat(201);
        for (body, field, code) in [
            (json!({ "kind": "word", "text": "" }), "text", "required"),
            (json!({ "kind": "word", "text": long }), "text", "too_long"),
            (json!({ "kind": "word", "text": "崇义\n[english]" }), "text", "invalid"),
            (json!({ "kind": "word", "text": "apple" }), "text", "invalid"),
            (json!({ "kind": "word", "text": "米" }), "text", "invalid"),
            (json!({ "kind": "word", "text": "重庆 chong" }), "text", "invalid"),
            (json!({ "kind": "synonyms", "text": "米果" }), "text", "invalid"),
            (json!({ "kind": "synonyms", "text": "米果 米果" }), "text", "repeated_word"),
            (json!({ "kind": "synonyms", "text": "一二 二三 三四 四五 五六 六七 七八 八九 九十" }), "text", "too_many_words"),
            (json!({ "kind": "english", "text": "tea 茶叶" }), "text", "invalid"),
        ] {
            let r = app.post(VOCABULARY, body.clone(), Some(&op.token)).await;
            assert_eq!(r.status, 422, "{body}: {}", r.text);
            assert_eq!(r.field_code(field), Some(code), "{body}: {}", r.text);
        }
        // Wrongly typed or unknown fields, an unknown kind: the JSON error shape.
        for body in [
            json!({ "kind": "word", "text": 5 }),
            json!({ "kind": "phrase", "text": "米果" }),
            json!({ "kind": "word", "text": "米果", "extra": true }),
            json!({ "text": "米果" }),
        ] {
            let r = app.post(VOCABULARY, body.clone(), Some(&op.token)).await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"), "{body}");
        }
        // The shipped vocabulary already has these.
        for body in [
            json!({ "kind": "synonyms", "text": "马铃薯 土豆" }),
            json!({ "kind": "word", "text": "重庆 chong qing" }),
        ] {
            let r = app.post(VOCABULARY, body.clone(), Some(&op.token)).await;
            assert_eq!((r.status, r.code()), (409, "vocabulary_duplicate"), "{body}");
        }
        // One entry per word: a second reading of a word the county added is a duplicate.
        app.post(VOCABULARY, json!({ "kind": "word", "text": "崇义" }), Some(&op.token))
            .await
            .expect_status(201);
        let r = app
            .post(VOCABULARY, json!({ "kind": "word", "text": "崇義 chong yi" }), Some(&op.token))
            .await;
        assert_eq!((r.status, r.code()), (409, "vocabulary_duplicate"));
        let r = app.delete(&format!("{VOCABULARY}/{}", uuid::Uuid::new_v4()), Some(&op.token)).await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
        assert_eq!(app.count("search_vocabulary", "1 = 1").await, 1);
        assert_eq!(app.count("search_vocabulary_changes", "1 = 1").await, 1);
    }

    async fn concurrent_duplicate_adds_store_one_entry(app) {
        let op = app.operator().await;
        let answers = app
            .send_all(
                (0..6)
                    .map(|i| {
                        // The same group, typed in different orders and spacing.
                        let text = if i % 2 == 0 { "米果 粄子" } else { " 粄子  米果" };
                        app.http
                            .post(app.url(VOCABULARY))
                            .bearer_auth(&op.token)
                            .json(&json!({ "kind": "synonyms", "text": text }))
                    })
                    .collect(),
            )
            .await;
        let mut statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409, 409, 409, 409, 409], "{:?}", answers.iter().map(|r| &r.text).collect::<Vec<_>>());
        assert!(answers.iter().filter(|r| r.status == 409).all(|r| r.code() == "vocabulary_duplicate"));
        assert_eq!(app.count("search_vocabulary", "1 = 1").await, 1);
        assert_eq!(app.count("search_vocabulary_changes", "1 = 1").await, 1);
    }

    async fn suggestions_follow_characters_pinyin_and_initials_most_popular_first(app) {
        let seller = app.verified_seller().await;
        for title in ["赣南脐橙 10斤装", "红富士苹果 5斤", "苹果醋 1瓶"] {
            app.approved_listing(&seller, &Product::boxes(title, 3990, 40)).await;
        }
        for prefix in ["脐", "qic", "qc", "臍"] {
            assert!(suggestions(&app, prefix).await.contains(&"脐橙".to_owned()), "{prefix}");
        }
        let apples = suggestions(&app, "pg").await;
        assert_eq!(apples.first().map(String::as_str), Some("苹果"), "the word both titles share first: {apples:?}");
        assert!(suggestions(&app, "").await.is_empty());
        assert!(suggestions(&app, "zzzz").await.is_empty());

        let r = app
            .send(app.http.get(app.url("/api/v1/search/suggest")).query(&[("q", "pg"), ("limit", "1")]))
            .await;
        r.expect_status(200);
        assert_eq!(r.arr("suggestions").len(), 1);
        assert_eq!(r.str("suggestions.0.kind"), "word");
        let long = "苹".repeat(201);
        for (q, limit, field) in [("pg", "0", "limit"), ("pg", "11", "limit"), (long.as_str(), "5", "q")] {
            let r = app
                .send(app.http.get(app.url("/api/v1/search/suggest")).query(&[("q", q), ("limit", limit)]))
                .await;
            assert_eq!(r.status, 422, "{}", r.text);
            assert!(r.field_code(field).is_some(), "{}", r.text);
        }
    }
}
