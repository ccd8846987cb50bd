//! Shop credit as a search ranking signal (#20, #21), through the real server: the catalogue's
//! copy of each seller's level (`Catalog::set_credit_levels`, written by statistics' hourly
//! job) orders listings the text match and stock leave equal; a change rewrites that seller's
//! listings only. The bounds (never over a stronger text match, never a sold-out listing over
//! one in stock) are contract cases on both engines: `tests/contract/search.rs`.

use farmgate_catalog::domain::CreditSignal;
use farmgate_infra::search::{SearchDoc, SearchRequest};
use farmgate_kernel::id::OrgId;
use farmgate_tests::prelude::*;

const TITLE: &str = "奉节脐柑 5斤装";

/// Listing ids for `q` in the order search answers, once the outbox has passed every change on.
async fn ranked(app: &TestApp, q: &str) -> Vec<Uuid> {
    app.outbox_drained().await;
    let r = app
        .send(app.http.get(app.url("/api/v1/search")).query(&[("q", q)]))
        .await;
    r.expect_status(200);
    r.arr("hits").iter().map(|h| h.uuid("id")).collect()
}

/// The search document of a listing, as the index holds it now.
async fn indexed(app: &TestApp, listing: Uuid, q: &str) -> SearchDoc {
    app.outbox_drained().await;
    let found = app
        .state
        .catalog
        .search_index()
        .search(&SearchRequest {
            query: q.to_owned(),
            page: 1,
            per_page: 50,
            ..SearchRequest::default()
        })
        .await
        .expect("search");
    found
        .hits
        .into_iter()
        .map(|h| h.doc)
        .find(|d| d.id == listing)
        .expect("the listing is indexed")
}

/// Three sellers with the same listing (same title, price and stock), all new shops.
struct SameListing {
    first: SellerWithListing,
    second: SellerWithListing,
    third: SellerWithListing,
}

async fn same_listing(app: &TestApp) -> SameListing {
    let mut s = Vec::new();
    for name in ["奉节一号家庭农场", "奉节二号家庭农场", "奉节三号家庭农场"]
    {
        s.push(
            app.verified_seller()
                .named(name)
                .kind("family_farm")
                .with_listing(Product::boxes(TITLE, 3990, 50))
                .await,
        );
    }
    let third = s.pop().expect("three");
    let second = s.pop().expect("three");
    let first = s.pop().expect("three");
    SameListing {
        first,
        second,
        third,
    }
}

async fn set_levels(app: &TestApp, levels: &[(Uuid, CreditSignal)]) -> Vec<OrgId> {
    let levels: Vec<(OrgId, CreditSignal)> = levels.iter().map(|(o, l)| (OrgId(*o), *l)).collect();
    app.state
        .catalog
        .set_credit_levels(&levels)
        .await
        .expect("levels stored")
}

both_backends! {
    async fn a_better_credit_sellers_equal_listing_ranks_first_and_a_new_shop_stays_neutral(app) {
        let s = same_listing(&app).await;

        set_levels(&app, &[(s.first.org, CreditSignal::D), (s.third.org, CreditSignal::A)]).await;

        assert_eq!(
            ranked(&app, "奉节脐柑").await,
            [s.third.listing, s.second.listing, s.first.listing],
            "A, then the new shop, then D"
        );
    }

    async fn a_changed_level_rewrites_that_sellers_listings_only(app) {
        let s = same_listing(&app).await;
        // Make the index visibly stale for the second seller's listing: a rewrite would undo it.
        let mut stale = indexed(&app, s.second.listing, "奉节脐柑").await;
        stale.title = "奉节脐柑 旧文档".to_owned();
        app.state.catalog.search_index().upsert(vec![stale]).await.expect("upsert");

        let changed = set_levels(&app, &[(s.first.org, CreditSignal::B), (s.second.org, CreditSignal::New)]).await;

        assert_eq!(changed, [OrgId(s.first.org)], "a new shop staying new changes nothing");
        assert_eq!(indexed(&app, s.first.listing, "奉节脐柑").await.credit, 1, "B");
        assert_eq!(
            indexed(&app, s.second.listing, "奉节脐柑").await.title,
            "奉节脐柑 旧文档",
            "the other sellers' listings were not rewritten"
        );
        assert_eq!(app.count("outbox_events", "topic = 'catalog.seller.ranking_changed'").await, 1);
        assert_eq!(app.count("seller_ranking_signals", "credit_level = 'b'").await, 1);
    }

    async fn storing_the_same_levels_again_writes_nothing(app) {
        let s = same_listing(&app).await;
        set_levels(&app, &[(s.first.org, CreditSignal::C)]).await;

        let again = set_levels(&app, &[(s.first.org, CreditSignal::C), (s.third.org, CreditSignal::New)]).await;

        assert!(again.is_empty(), "{again:?}");
        assert_eq!(app.count("outbox_events", "topic = 'catalog.seller.ranking_changed'").await, 1);
        assert_eq!(app.state.catalog.credit_signal(OrgId(s.first.org)).await.expect("level"), CreditSignal::C);
        assert_eq!(app.state.catalog.credit_signal(OrgId(s.third.org)).await.expect("level"), CreditSignal::New);
    }

    async fn two_refreshes_at_once_store_one_level_and_rank_the_same(app) {
        let s = same_listing(&app).await;
        let levels = [(OrgId(s.second.org), CreditSignal::A)];

        let (a, b) = tokio::join!(
            app.state.catalog.set_credit_levels(&levels),
            app.state.catalog.set_credit_levels(&levels),
        );

        assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
        assert_eq!(app.count("seller_ranking_signals", "1 = 1").await, 1);
        assert_eq!(ranked(&app, "奉节脐柑").await[0], s.second.listing);
    }

    async fn the_hourly_credit_job_hands_statistics_levels_to_search(app) {
        let shop = app.verified_seller().named("奉节一号家庭农场").kind("family_farm")
            .with_listing(Product::boxes("奉节夏橙 10斤装", 2990, 50)).await;
        let same = app.approved_listing(&shop.seller(), &Product::boxes(TITLE, 3990, 50)).await;
        let newcomer = app.verified_seller().named("奉节二号家庭农场").kind("family_farm")
            .with_listing(Product::boxes(TITLE, 3990, 50)).await;
        // Ten parcels received in time, nothing else on record: 100 points, A.
        let buyer = app.consumer().await;
        for _ in 0..10 {
            let order = app.paid_order(&buyer, &[(shop.sku, 1)]).await;
            let part = order.part_of(shop.org).id;
            app.ship(&shop.owner, part).await;
            app.receive(&buyer, part).await;
        }
        let credit = app.get(&format!("/api/v1/credit/sellers/{}", shop.org), None).await;
        assert_eq!(credit.str("assessment.level"), "a", "{}", credit.text);
        app.outbox_drained().await;
        assert_eq!(app.state.catalog.credit_signal(OrgId(shop.org)).await.expect("level"), CreditSignal::New, "not before the job runs");

        app.clock.advance(chrono::Duration::hours(1));

        app.outbox_drained().await;
        assert_eq!(app.state.catalog.credit_signal(OrgId(shop.org)).await.expect("level"), CreditSignal::A);
        assert_eq!(app.state.catalog.credit_signal(OrgId(newcomer.org)).await.expect("level"), CreditSignal::New);
        assert_eq!(ranked(&app, "奉节脐柑").await, [same.id, newcomer.listing]);
        assert_eq!(
            app.count("outbox_events", "topic = 'stats.credit_ranking.due' AND delivered_at IS NULL").await,
            1,
            "the next refresh is scheduled once"
        );
    }
}
