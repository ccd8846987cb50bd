//! The public quality bulletin (#20): recalls and failed third-party tests by date, with
//! product, producer and what buyers should do — for anyone, cacheable, with no personal data.

use farmgate_tests::prelude::*;

both_backends! {
    async fn a_recall_shows_on_the_public_bulletin_with_what_buyers_should_do_and_no_personal_data(app) {
        let shipped = app.batch_shipped_to(2).await;
        let official = app.official().await;
        app.post(&format!("/api/v1/batches/{}/recall", shipped.batch.id), json!({"reason": "县农检站抽检：毒死蜱残留超标"}), Some(&official.token)).await.expect_status(200);

        let r = app.get("/api/v1/quality/bulletin", None).await;

        r.expect_status(200);
        assert_eq!(r.header("cache-control"), Some("public, max-age=300"));
        let e = r.find("entries", "code", shipped.batch.code.clone());
        assert_eq!(e["kind"], "recall");
        assert_eq!(e["product"], "赣南脐橙 10斤装");
        assert_eq!(e["producer"], shipped.seller.name);
        assert_eq!(e["finding"], "县农检站抽检：毒死蜱残留超标");
        assert!(e["advice"]["zh"].as_str().is_some_and(|a| a.contains("退款")));
        assert!(e["advice"]["en"].as_str().is_some_and(|a| a.contains("refund")));
        // Nobody's phone, name or account: not the buyers', not the official's.
        for buyer in &shipped.buyers {
            assert!(!r.text.contains(&buyer.phone) && !r.text.contains(&buyer.account_id.to_string()));
        }
        assert!(!r.text.contains(&official.account_id.to_string()) && !r.text.contains("13800000001"));
        // The same answer again is not sent twice.
        let etag = r.header("etag").unwrap_or_default().to_owned();
        let again = app.send(app.http.get(app.url("/api/v1/quality/bulletin")).header("if-none-match", etag)).await;
        assert_eq!(again.status, 304);

        let page = app.get("/quality", None).await;
        page.expect_status(200);
        assert!(page.text.contains("质量安全公告") && page.text.contains("赣南脐橙 10斤装") && page.text.contains("data-kind=\"recall\""));
        assert!(page.text.contains("og:title"));
        let en = app.get("/quality?lang=en", None).await;
        assert!(en.text.contains("Quality and safety bulletin") && en.text.contains("What to do"));
    }

    async fn a_failed_spot_check_is_on_the_bulletin_with_the_lab_and_what_failed(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.inspected_batch(&seller).await;
        let owner = app.consumer().await.session;
        let mut body = TestApp::org_body("testing_body", "青石县农产品质量检测站");
        body["accreditation_no"] = json!("241512050123");
        let lab = app.post("/api/v1/orgs", body, Some(&owner.token)).await.id();
        let op = app.operator().await;
        app.post_empty(&format!("/api/v1/admin/orgs/{lab}/verify"), Some(&op.token)).await.expect_status(200);
        let owner = app.login_again(&owner).await;
        app.post(&format!("/api/v1/labs/{lab}/checks"), json!({
            "code": batch.code, "check_kind": "spot_check", "sampled_at": app.days_ago(1),
            "sampling_place": "县城农贸市场", "report_no": "QS-77", "standard": "GB 2763-2021",
            "method": "GB 23200.113-2018", "result": "fail",
            "items": [{"name": "毒死蜱", "result": "0.12", "limit": "0.05", "unit": "mg/kg", "passed": false}],
        }), Some(&owner.token)).await.expect_status(201);
        app.outbox_drained().await;

        let r = app.get("/api/v1/quality/bulletin?days=30", None).await;

        let kinds: Vec<&str> = r.arr("entries").iter().filter(|e| e["code"] == batch.code.as_str()).filter_map(|e| e["kind"].as_str()).collect();
        assert!(kinds.contains(&"failed_test") && kinds.contains(&"recall"), "{}", r.text);
        let test = r.arr("entries").iter().find(|e| e["kind"] == "failed_test").cloned().unwrap_or_default();
        assert_eq!(test["lab"], "青石县农产品质量检测站");
        assert_eq!(test["report_no"], "QS-77");
        assert_eq!(test["finding"], "毒死蜱 0.12 mg/kg");
        assert!(!r.text.contains(&owner.account_id.to_string()), "who recorded it is not published");
        let page = app.get("/quality", None).await;
        assert!(page.text.contains("抽检不合格") && page.text.contains("青石县农产品质量检测站"));
    }

    async fn the_bulletin_refuses_a_window_out_of_range_and_escapes_what_it_shows(app) {
        app.get("/api/v1/quality/bulletin?days=0", None).await.expect_status(422);
        app.get("/api/v1/quality/bulletin?days=367", None).await.expect_status(422);
        app.get("/api/v1/quality/bulletin?days=abc", None).await.expect_status(400);
        app.get("/api/v1/quality/bulletin?who=1", None).await.expect_status(400);
        let empty = app.get("/quality?days=30", None).await;
        assert!(empty.text.contains("data-testid=\"bulletin-empty\""));
        // A reason with markup shows as text.
        let shipped = app.batch_shipped_to(1).await;
        let op = app.operator().await;
        app.post(&format!("/api/v1/batches/{}/recall", shipped.batch.id), json!({"reason": "<script>alert(1)</script>超标"}), Some(&op.token)).await.expect_status(200);
        let page = app.get("/quality", None).await;
        assert!(!page.text.contains("<script>alert(1)") && page.text.contains("&lt;script&gt;"), "{}", page.text);
    }
}
