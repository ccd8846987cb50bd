//! The county's vocabulary reaches every replica and every listing it concerns (#21): a change
//! made through one server is understood by another server's searches within seconds, without
//! that server's worker handling the change; a word that appears in a listing's origin or
//! category name (not its title) re-analyses that listing.

use farmgate_tests::prelude::*;
use std::time::{Duration, Instant};

const VOCABULARY: &str = "/api/v1/admin/search/vocabulary";

async fn titles(app: &TestApp, q: &str) -> Vec<String> {
    let r = app
        .send(app.http.get(app.url("/api/v1/search")).query(&[("q", q)]))
        .await;
    r.expect_status(200);
    let mut t = r.strings("hits", "title");
    t.sort();
    t
}

/// Searches `q` on `app` until the titles are `want` or `within` has passed; returns how long
/// it took, or what it found last.
async fn until_found(
    app: &TestApp,
    q: &str,
    want: &[&str],
    within: Duration,
) -> Result<Duration, Vec<String>> {
    let start = Instant::now();
    loop {
        let got = titles(app, q).await;
        if got == want {
            return Ok(start.elapsed());
        }
        if start.elapsed() > within {
            return Err(got);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

both_backends! {
    async fn a_synonym_added_through_one_replica_is_understood_by_another_within_seconds(app) {
        let seller = app.verified_seller().await;
        app.approved_listing(&seller, &Product::boxes("客家米果 500克", 2990, 40)).await;
        app.outbox_drained().await;
        let replica = app.start_replica().await;
        // Its index is rebuilt from the database in the background.
        until_found(&replica, "米果", &["客家米果 500克"], Duration::from_secs(30))
            .await
            .expect("the replica's index is rebuilt");
        assert!(titles(&replica, "粄子").await.is_empty(), "the dialect word is unknown before");

        let op = app.operator().await;
        let id = app
            .post(VOCABULARY, json!({ "kind": "synonyms", "text": "粄子 米果" }), Some(&op.token))
            .await
            .id();
        assert_eq!(titles(&app, "粄子").await, ["客家米果 500克"], "the server that took the change at once");
        // The replica's worker does not look for events (an hour between looks): it learns of
        // the change by its own check of the vocabulary's version.
        let took = until_found(&replica, "粄子", &["客家米果 500克"], Duration::from_secs(10))
            .await
            .unwrap_or_else(|got| panic!("the replica still finds {got:?} after 10 s"));
        assert!(took <= Duration::from_secs(8), "took {took:?}");

        app.delete(&format!("{VOCABULARY}/{id}"), Some(&op.token)).await.expect_status(204);
        until_found(&replica, "粄子", &[], Duration::from_secs(10))
            .await
            .unwrap_or_else(|got| panic!("the replica still finds {got:?} after the removal"));
        // The replica's own outbox lane never ran the change: it was not needed.
        assert_eq!(
            replica.state.catalog.search_index().count().await.expect("count"),
            1
        );
    }

    async fn a_word_in_a_place_or_category_name_re_analyses_the_listings_that_carry_it(app) {
        let seller = app.verified_seller().await;
        let op = app.operator().await;
        let fruit = app.category("fruit").await;
        app.post(
            "/api/v1/admin/categories",
            json!({ "parent_id": fruit, "name": "鄱禾柑", "name_en": "Pohe mandarin", "slug": "pohe" }),
            Some(&op.token),
        )
        .await
        .expect_status(201);
        // Neither title names the word: one listing's village does, the other's category.
        app.approved_listing(&seller, &Product::boxes("高山云雾茶 250克", 6800, 40).from_village("湴塘村")).await;
        app.approved_listing(&seller, &Product::boxes("蜜橘 5斤装", 3900, 40).in_category("pohe")).await;
        app.approved_listing(&seller, &Product::boxes("赣南脐橙 10斤装", 5990, 40)).await;
        app.outbox_drained().await;

        // The county teaches search the two names as words: a query for either is then one
        // word, which only documents segmented with the new vocabulary contain.
        for text in ["湴塘", "鄱禾柑"] {
            app.post(VOCABULARY, json!({ "kind": "word", "text": text }), Some(&op.token))
                .await
                .expect_status(201);
        }
        app.outbox_drained().await;
        assert_eq!(titles(&app, "湴塘").await, ["高山云雾茶 250克"], "re-analysed for its village");
        assert_eq!(titles(&app, "鄱禾柑").await, ["蜜橘 5斤装"], "re-analysed for its category");
    }
}
