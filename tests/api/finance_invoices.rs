//! Platform finance's invoice desk through the real server: finance is not a member of the
//! platform's own store, so it reads every seller's invoices at `GET /finance/invoices`
//! (filtered by status and seller, paged), and issues or rejects the store's — only the store's.
//! Sellers, buyers and officials are refused; a bad filter is a clear error.

use super::invoices::{bought, issue, request};
use farmgate_tests::prelude::*;

const DESK: &str = "/api/v1/finance/invoices";

/// The platform's own store and a cooperative, each with an invoice a business buyer asked
/// for on one order.
struct Desk {
    store: Uuid,
    coop: SellerWithListing,
    buyer: Consumer,
    store_inv: Uuid,
    coop_inv: Uuid,
}

async fn desk(app: &TestApp) -> Desk {
    let op = app.operator().await;
    let store_id = app
        .verified_org(&op, &op, "platform_store", "农源直供平台自营店")
        .await;
    let store = Seller {
        owner: op.clone(),
        org: store_id,
        name: "农源直供平台自营店".to_owned(),
    };
    let listing = app.approved_listing(&store, &Product::oranges()).await;
    let b = bought(app).await;
    let order = app
        .paid_order(&b.buyer, &[(listing.skus[0].id, 10), (b.seller.sku, 10)])
        .await;
    let store_inv = request(app, &b.buyer, order.part_of(store_id).id, json!({}))
        .await
        .uuid("id");
    let coop_inv = request(app, &b.buyer, order.part_of(b.seller.org).id, json!({}))
        .await
        .uuid("id");
    Desk {
        store: store_id,
        coop: b.seller,
        buyer: b.buyer,
        store_inv,
        coop_inv,
    }
}

fn ids(r: &Resp) -> Vec<Uuid> {
    r.arr("items").iter().map(|i| i.uuid("id")).collect()
}

both_backends! {
    async fn finance_lists_every_sellers_invoices_and_issues_and_rejects_the_platform_stores(app) {
        let d = desk(&app).await;
        let finance = app.finance().await;
        let all = app.get(DESK, Some(&finance.token)).await;
        all.expect_status(200);
        assert_eq!(all.i64("total"), 2, "{}", all.text);
        // Newest first; finance may act on the store's only.
        assert_eq!(ids(&all), [d.coop_inv, d.store_inv]);
        let can = |id: Uuid| all.arr("items").iter().find(|i| i.uuid("id") == id).unwrap()["can"].clone();
        assert_eq!((can(d.store_inv)["issue"].as_bool(), can(d.store_inv)["reject"].as_bool()), (Some(true), Some(true)));
        assert_eq!((can(d.coop_inv)["issue"].as_bool(), can(d.coop_inv)["reject"].as_bool()), (Some(false), Some(false)));
        // Filtered by seller and status, paged.
        let mine = app.get(&format!("{DESK}?org={}&status=requested", d.store), Some(&finance.token)).await;
        assert_eq!(ids(&mine), [d.store_inv]);
        assert_eq!(mine.arr("items")[0]["seller_name"], "农源直供平台自营店");
        let first = app.get(&format!("{DESK}?limit=1"), Some(&finance.token)).await;
        assert_eq!((first.i64("total"), ids(&first)), (2, vec![d.coop_inv]));
        let second = app.get(&format!("{DESK}?limit=1&offset=1"), Some(&finance.token)).await;
        assert_eq!(ids(&second), [d.store_inv]);

        // Issue the store's with the existing API; it moves from the requested list to the issued.
        let issued = issue(&app, &finance, d.store_inv).await;
        issued.expect_status(200);
        let now = app.get(&format!("{DESK}?status=issued"), Some(&finance.token)).await;
        assert_eq!(ids(&now), [d.store_inv]);
        assert!(now.arr("items")[0]["pdf"]["sha256"].as_str().is_some_and(|h| h.len() == 64));
        let waiting = app.get(&format!("{DESK}?status=requested"), Some(&finance.token)).await;
        assert_eq!(ids(&waiting), [d.coop_inv]);
        // The cooperative's is its own to issue or reject.
        let r = app.post(&format!("/api/v1/invoices/{}/reject", d.coop_inv), json!({"reason": "抬头有误"}), Some(&finance.token)).await;
        assert_eq!((r.status, r.code()), (403, "forbidden"));

        // Another request on the store, rejected by finance with a reason the buyer reads.
        let op = app.operator().await;
        let store = Seller { owner: op.clone(), org: d.store, name: "农源直供平台自营店".to_owned() };
        let listing = app.approved_listing(&store, &Product::boxes("富硒大米 10公斤", 8800, 50)).await;
        let order = app.paid_order(&d.buyer, &[(listing.skus[0].id, 2)]).await;
        let again = request(&app, &d.buyer, order.part_of(d.store).id, json!({})).await.uuid("id");
        let r = app.post(&format!("/api/v1/invoices/{again}/reject"), json!({"reason": "x"}), Some(&finance.token)).await;
        r.expect_status(422);
        let r = app.post(&format!("/api/v1/invoices/{again}/reject"), json!({"reason": "请先核对开票抬头"}), Some(&finance.token)).await;
        r.expect_status(200);
        let rejected = app.get(&format!("{DESK}?status=rejected&org={}", d.store), Some(&finance.token)).await;
        assert_eq!(ids(&rejected), [again]);
        assert_eq!(rejected.arr("items")[0]["reject_reason"], "请先核对开票抬头");

        // The operator reads the desk but issues nothing.
        let seen = app.get(DESK, Some(&op.token)).await;
        seen.expect_status(200);
        assert_eq!(seen.i64("total"), 3);
        assert!(seen.arr("items").iter().all(|i| i["can"]["issue"] == json!(false)));
    }

    async fn only_finance_and_the_operator_read_the_desk_and_a_bad_filter_is_refused(app) {
        let d = desk(&app).await;
        let official = app.official().await;
        for who in [&d.coop.owner, &d.buyer.session, &official, &app.agent().await, &app.consumer().await.session] {
            let r = app.get(DESK, Some(&who.token)).await;
            assert_eq!((r.status, r.code()), (403, "forbidden"), "{}", r.text);
            // A seller cannot reach another seller's (or its own) through the desk's filter either.
            let r = app.get(&format!("{DESK}?org={}", d.store), Some(&who.token)).await;
            assert_eq!(r.status, 403);
        }
        let r = app.get(DESK, None).await;
        assert_eq!((r.status, r.code()), (401, "unauthenticated"));
        let finance = app.finance().await;
        for bad in ["status=paid", "org=not-a-uuid", "limit=0", "limit=500", "offset=-1", "limit=abc"] {
            let r = app.get(&format!("{DESK}?{bad}"), Some(&finance.token)).await;
            assert_eq!((r.status, r.code()), (400, "invalid_query"), "{bad}: {}", r.text);
        }
        // A seller that has none (or does not exist): an empty page, not an error.
        let none = app.get(&format!("{DESK}?org={}", Uuid::now_v7()), Some(&finance.token)).await;
        none.expect_status(200);
        assert_eq!((none.i64("total"), none.arr("items").len()), (0, 0));
        let _ = (d.store_inv, d.coop_inv);
    }
}
