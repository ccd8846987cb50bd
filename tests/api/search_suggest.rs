//! Search as you type seen by an attacker (#21): a very long prefix, control characters,
//! broken encodings, markup, out-of-range limits and a burst of requests are each a clear
//! answer and leave the server serving; what is matched is counted in characters for the
//! page's highlight.

use farmgate_tests::prelude::*;

const SUGGEST: &str = "/api/v1/search/suggest";

async fn suggest(app: &TestApp, params: &[(&str, &str)]) -> Resp {
    app.send(app.http.get(app.url(SUGGEST)).query(params)).await
}

both_backends! {
    async fn the_matched_part_is_counted_in_characters_for_characters_pinyin_and_traditional(app) {
        let seller = app.verified_seller().await;
        app.approved_listing(&seller, &Product::oranges()).await;
        app.outbox_drained().await;
        for (q, matched) in [("脐", 1), ("臍", 1), ("qic", 2), ("qc", 2), ("脐橙", 2)] {
            let r = suggest(&app, &[("q", q)]).await;
            r.expect_status(200);
            let hit = r
                .arr("suggestions")
                .iter()
                .find(|s| s["text"] == "脐橙")
                .cloned()
                .unwrap_or_else(|| panic!("{q}: {}", r.text));
            assert_eq!(hit["matched"], matched, "{q}: {}", r.text);
            assert_eq!(r.str("q"), q, "the prefix is echoed as typed");
        }
    }

    async fn hostile_prefixes_get_a_clear_answer_and_the_server_keeps_serving(app) {
        let seller = app.verified_seller().await;
        app.approved_listing(&seller, &Product::oranges()).await;
        app.outbox_drained().await;

        // At the limit: answered. One past: a field error. Far past (60 KB of URL, near the
        // most a client can send): refused before any work, by the length check or the HTTP
        // layer.
        suggest(&app, &[("q", &"脐".repeat(200))]).await.expect_status(200);
        let r = suggest(&app, &[("q", &"脐".repeat(201))]).await;
        assert_eq!((r.status, r.field_code("q")), (422, Some("too_long")), "{}", r.text);
        let huge = "a".repeat(60_000);
        let r = suggest(&app, &[("q", huge.as_str())]).await;
        assert!([414, 422, 431, 400].contains(&r.status), "60 KB prefix: {}", r.status);

        // Control characters anywhere in the query string: 400, as on every endpoint.
        for q in ["\u{0}", "脐\u{1b}[31m", "\u{7f}", "qic\r\nSet-Cookie: x=1", "\u{9}"] {
            let r = suggest(&app, &[("q", q)]).await;
            assert_eq!((r.status, r.code()), (400, "control_characters"), "{q:?}: {}", r.text);
        }
        // Not UTF-8: the bytes become replacement characters, which start no name.
        let r = app.send(app.http.get(app.url(&format!("{SUGGEST}?q=%FF%FE")))).await;
        r.expect_status(200);
        assert_eq!(r.str("q"), "\u{fffd}\u{fffd}");
        assert!(r.arr("suggestions").is_empty(), "{}", r.text);

        // Markup, operators and invisible characters are only text: nothing found, nothing echoed as markup.
        for q in ["<mark>脐</mark>", "\u{202e}脐", "脐\u{200b}", "' OR 1=1 --", "%", "_", "*", "🍊"] {
            let r = suggest(&app, &[("q", q)]).await;
            r.expect_status(200);
            assert!(r.arr("suggestions").iter().all(|s| !s["text"].as_str().unwrap_or("<").contains('<')), "{q}: {}", r.text);
        }
        // Limits out of range or not numbers.
        for limit in ["0", "11", "-1", "abc", "99999999999999999999999", "1.5"] {
            let r = suggest(&app, &[("q", "qic"), ("limit", limit)]).await;
            assert!(r.status == 400 || r.status == 422, "limit={limit}: {} {}", r.status, r.text);
        }
        // An unknown parameter is ignored, a repeated one is not a crash.
        let r = app.send(app.http.get(app.url(&format!("{SUGGEST}?q=qic&q=pg&x=1")))).await;
        assert!(r.status == 200 || r.status == 400, "{}", r.text);

        // A burst of 300 keystrokes from many shoppers at once: every one answered, quickly.
        let started = std::time::Instant::now();
        let prefixes = ["q", "qi", "qic", "脐", "臍", "g", "ga", "gan", "赣", "z"];
        let answers = app
            .send_all(
                (0..300)
                    .map(|i| app.http.get(app.url(SUGGEST)).query(&[("q", prefixes[i % prefixes.len()])]))
                    .collect(),
            )
            .await;
        assert!(answers.iter().all(|r| r.status == 200), "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
        let r = suggest(&app, &[("q", "qic")]).await;
        r.expect_status(200);
        assert!(r.strings("suggestions", "text").contains(&"脐橙".to_owned()), "still right: {}", r.text);
        app.get("/healthz", None).await.expect_status(200);
    }
}
