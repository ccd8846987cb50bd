//! The demo data `farmgate serve --demo` seeds: it must be a working marketplace a newcomer can
//! click through — including a box to scan whose record verifies — and seeding twice must not
//! duplicate anything.

use farmgate_demo::{self as demo, Seeded};
use farmgate_tests::prelude::*;

both_backends! {
    async fn the_demo_seed_is_idempotent_and_its_boxes_scan_and_verify(app) {
        let first = demo::seed(&app.state.demo_services()).await.expect("seed");
        assert!(matches!(first, Seeded::Created { listings, .. } if listings > 0), "first seed creates data: {first:?}");
        let again = demo::seed(&app.state.demo_services()).await.expect("seed again");
        assert!(matches!(again, Seeded::AlreadyThere), "second seed adds nothing: {again:?}");

        // Every demo batch's record verifies, as the CLI checks it.
        assert!(farmgate_server::verify::run(&app.state.trace, None, false).await.expect("verify"));
        // Every demo batch is chain format v2 (CHAIN.md §13): anyone recomputes its hashes from
        // the public JSON alone, as tests/verifier/verify.py does in tests/run.sh step 6f.
        for c in app.state.trace.all_batch_codes().await.expect("codes") {
            let public = app.get(&format!("/api/v1/trace/{c}"), None).await;
            assert_eq!(public.i64("chain_version"), 2, "{c}");
            assert!(farmgate_trace::commit::verify_public(&c, public.arr("events")).is_ok(), "{c} recomputes from its public JSON");
        }

        // The showcase box: a verified page with a timeline, a downloadable inspection report
        // and unit codes that count scans.
        let code = demo::showcase_code(&app.state.demo_services()).await.expect("showcase batch");
        let page = app.get(&format!("/t/{code}"), None).await;
        page.expect_status(200);
        assert!(page.text.contains("data-ok=\"true\""), "the showcase record verifies");
        assert!(page.text.contains("承诺达标合格证"));
        let report = page
            .text
            .split("href=\"/media/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a report link on the page");
        let pdf = app.get(&format!("/media/{report}"), None).await;
        pdf.expect_status(200);
        assert!(pdf.text.starts_with("%PDF-"), "the report is a PDF");

        let v = app.get(&format!("/api/v1/trace/{code}/verify"), None).await;
        assert_eq!(v.body["ok"], true);
        let api = app.get(&format!("/api/v1/trace/{code}"), None).await;
        api.expect_status(200);
        let kinds = api.strings("events", "kind");
        for kind in ["created", "planting", "input", "harvest", "inspection", "packing", "shipping"] {
            assert!(kinds.iter().any(|k| k == kind), "the showcase chain has a {kind} event: {kinds:?}");
        }

        // Demo orders in every state a newcomer wants to click through, placed once.
        assert_eq!(app.count("orders", "1=1").await, 4);
        assert_eq!(app.count("orders", "status = 'pending_payment'").await, 1);
        assert_eq!(app.count("sub_orders", "status = 'received'").await, 3, "王芳's two parcels and the supermarket's boxes");
        assert_eq!(app.count("sub_orders", "status = 'acknowledged'").await, 1);
        assert_eq!(app.count("orders", "wholesale").await, 1, "the supermarket's order is at tier prices");
        assert_eq!(app.count("reviews", "1=1").await, 1);
        // A claim waits for its seller, so the claim inbox has work in the demo.
        assert_eq!(app.count("claims", "status = 'awaiting_seller'").await, 1);
        assert_eq!(app.count("claim_evidence", "claim_id IS NOT NULL").await, 2);
        // And one the operator decided, 60 % the carrier's and 40 % the platform's: a recourse
        // to collect for exactly the carrier's part of its refund, and a refund the seller's
        // payable does not bear.
        assert_eq!(app.count("claims", "status = 'resolved'").await, 1);
        assert_eq!(app.scalar("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM carrier_recourse WHERE status = 'open'").await,
                   app.scalar("SELECT CAST(SUM(carrier_fen) AS BIGINT) FROM refunds").await);
        assert!(app.scalar("SELECT CAST(SUM(platform_fen) AS BIGINT) FROM refunds").await > 0);
        assert_eq!(app.count("refunds", "seller_fen > 0").await, 0);
        let wang = app.login("13600000001", demo::DEMO_PASSWORD).await;
        let token = wang.string("session.token");
        let list = app.get("/api/v1/orders", Some(&token)).await;
        let mine: Page<Order> = list.json();
        let codes: Vec<&String> = mine.items[0].sub_orders.iter().flat_map(|s| &s.lines[0].trace_codes).collect();
        assert_eq!(codes.len(), 2, "every demo parcel leads to its trace page: {}", list.text);
        for code in codes {
            assert!(app.get(&format!("/api/v1/trace/{code}/verify"), None).await.bool("ok"));
        }
    }
}
