//! Reconciliation (对账) through the real server: who may see and start it, what it refuses.
//! The runs against the WeChat Pay and Alipay simulators' bills are in `reconcile_bills`.

use chrono::{Duration, Utc};
use farmgate_tests::prelude::*;
use serde_json::json;

fn yesterday() -> String {
    (Utc::now() + Duration::hours(8) - Duration::days(1))
        .date_naive()
        .to_string()
}

both_backends! {
    async fn only_the_operator_and_finance_see_or_start_reconciliation(app) {
        let seller = app.verified_seller().with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 5)).await;
        let buyer = app.consumer().await;
        let official = app.official().await;
        let agent = app.agent().await;
        let body = json!({"provider": "wechat", "date": yesterday()});

        for who in [&seller.owner, &buyer, &official, &agent] {
            for path in ["/api/v1/reconciliation/runs", "/api/v1/reconciliation/differences"] {
                let r = app.get(path, Some(&who.token)).await;
                r.expect_status(403);
                assert_eq!(r.code(), "forbidden", "{path}: {}", r.text);
            }
            let r = app.post("/api/v1/reconciliation/runs", body.clone(), Some(&who.token)).await;
            r.expect_status(403);
        }
        let anonymous = app.get("/api/v1/reconciliation/runs", None).await;
        anonymous.expect_status(401);
        for who in [app.operator().await, app.finance().await] {
            let runs = app.get("/api/v1/reconciliation/runs", Some(&who.token)).await;
            runs.expect_status(200);
            assert_eq!(runs.i64("total"), 0, "{}", runs.text);
            let open = app.get("/api/v1/reconciliation/differences", Some(&who.token)).await;
            open.expect_status(200);
            assert_eq!(open.i64("total"), 0, "{}", open.text);
        }
        assert_eq!(app.count("reconciliation_runs", "1=1").await, 0);
    }

    async fn offline_and_sandbox_keep_no_bill_and_unknown_providers_and_open_days_are_refused(app) {
        let finance = app.finance().await;
        let run = |body| app.post("/api/v1/reconciliation/runs", body, Some(&finance.token));

        for provider in ["offline", "sandbox"] {
            let r = run(json!({"provider": provider, "date": yesterday()})).await;
            r.expect_status(409);
            assert_eq!(r.code(), "no_bill", "{provider}: {}", r.text);
        }
        // Not configured here (nor anywhere): nothing to download.
        let r = run(json!({"provider": "wechat", "date": yesterday()})).await;
        r.expect_status(404);
        let r = run(json!({"provider": "../../etc", "date": yesterday()})).await;
        r.expect_status(404);
        // Today has not ended; a date that is no date; an unknown field; a body that is no object.
        let today = (Utc::now() + Duration::hours(8)).date_naive().to_string();
        let r = run(json!({"provider": "offline", "date": today})).await;
        r.expect_status(422);
        assert_eq!(r.field_code("date"), Some("not_closed"), "{}", r.text);
        for bad in [
            json!({"provider": "offline", "date": "2026-13-01"}),
            json!({"provider": "offline", "date": yesterday(), "force": true}),
            json!({"provider": "offline"}),
            json!([1, 2]),
        ] {
            let r = run(bad.clone()).await;
            assert!(r.status == 400 || r.status == 422, "{bad}: {} {}", r.status, r.text);
        }
        assert_eq!(app.count("reconciliation_runs", "1=1").await, 0);
    }

    async fn a_difference_that_does_not_exist_cannot_be_resolved(app) {
        let finance = app.finance().await;
        let id = uuid::Uuid::now_v7();
        let r = app
            .post(&format!("/api/v1/reconciliation/differences/{id}/resolve"), json!({"note": "核实无误"}), Some(&finance.token))
            .await;
        r.expect_status(404);
        let r = app.get(&format!("/api/v1/reconciliation/runs/{id}"), Some(&finance.token)).await;
        r.expect_status(404);
        let r = app
            .post("/api/v1/reconciliation/differences/not-an-id/resolve", json!({"note": "核实无误"}), Some(&finance.token))
            .await;
        assert!(r.status == 400 || r.status == 404, "{}", r.text);
    }
}
