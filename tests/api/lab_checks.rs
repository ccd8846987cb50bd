//! Independent quality checks (#20): a testing body (检测机构) registers with its
//! accreditation, the operator verifies it, and its staff record third-party tests (第三方检测)
//! on any batch by its trace code. The test joins the batch's hashed record (an outside
//! verifier still recomputes every hash), shows on the scan page with the lab's name, and a
//! failed one recalls the batch and tells its buyers. Nobody else records one, and nobody
//! changes one.

use farmgate_tests::prelude::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n";

/// A verified testing body and its owner.
struct Lab {
    owner: Session,
    org: Uuid,
}

fn lab_body(name: &str) -> Value {
    let mut body = TestApp::org_body("testing_body", name);
    body["accreditation_no"] = json!("241512050123");
    body
}

async fn lab(app: &TestApp, name: &str) -> Lab {
    let owner = app.consumer().await.session;
    let r = app
        .post("/api/v1/orgs", lab_body(name), Some(&owner.token))
        .await;
    r.expect_status(201);
    let org = r.id();
    let op = app.operator().await;
    app.post_empty(&format!("/api/v1/admin/orgs/{org}/verify"), Some(&op.token))
        .await
        .expect_status(200);
    // The session read its memberships when it logged in: log in again to act for the lab.
    let owner = app.login_again(&owner).await;
    Lab { owner, org }
}

fn check(app: &TestApp, code: &str, result: &str) -> Value {
    let failed = result == "fail";
    json!({
        "code": code,
        "check_kind": "spot_check",
        "sampled_at": app.days_ago(1),
        "sampling_place": "青石县城东农贸市场 12 号摊位",
        "report_no": "QS-2026-1119-07",
        "standard": "GB 2763-2021",
        "method": "GB 23200.113-2018",
        "items": [
            {"name": "毒死蜱", "result": if failed { "0.12" } else { "未检出" }, "limit": "0.05", "unit": "mg/kg", "passed": !failed},
            {"name": "多菌灵", "result": "未检出", "limit": "0.5", "unit": "mg/kg", "passed": true}
        ],
        "result": result,
    })
}

async fn record(app: &TestApp, lab: &Lab, body: Value) -> Resp {
    app.post(
        &format!("/api/v1/labs/{}/checks", lab.org),
        body,
        Some(&lab.owner.token),
    )
    .await
}

async fn report(app: &TestApp, lab: &Lab, code: &str, bytes: &[u8]) -> Resp {
    app.upload(
        &format!("/api/v1/labs/{}/reports?code={code}", lab.org),
        &lab.owner,
        bytes.to_vec(),
        "检测报告.pdf",
    )
    .await
}

both_backends! {
    async fn a_testing_body_registers_with_its_accreditation_and_is_verified_like_any_organisation(app) {
        let person = app.consumer().await.session;
        let mut missing = TestApp::org_body("testing_body", "青石县农产品质量检测站");
        let r = app.post("/api/v1/orgs", missing.clone(), Some(&person.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("accreditation_no"), Some("required"));
        missing["accreditation_no"] = json!("<script>1</script>");
        assert_eq!(app.post("/api/v1/orgs", missing, Some(&person.token)).await.field_code("accreditation_no"), Some("invalid"));
        let mut coop = TestApp::org_body("cooperative", "梅岭合作社");
        coop["accreditation_no"] = json!("241512050123");
        assert_eq!(app.post("/api/v1/orgs", coop, Some(&person.token)).await.field_code("accreditation_no"), Some("not_allowed"));
        assert_eq!(app.count("organisations", "kind = 'testing_body'").await, 0, "nothing half-written");

        let r = app.post("/api/v1/orgs", lab_body("青石县农产品质量检测站"), Some(&person.token)).await;
        r.expect_status(201);
        assert_eq!(r.str("kind"), "testing_body");
        assert_eq!(r.str("status"), "pending");
        let op = app.operator().await;
        let queue = app.get("/api/v1/admin/orgs?status=pending", Some(&op.token)).await;
        assert_eq!(queue.find("items", "id", r.id().to_string())["accreditation_no"], "241512050123", "{}", queue.text);
        // A lab is not a seller: it cannot list produce.
        let person = app.login_again(&person).await;
        app.post_empty(&format!("/api/v1/admin/orgs/{}/verify", r.id()), Some(&op.token)).await.expect_status(200);
        let person = app.login_again(&person).await;
        let cat = app.category("citrus").await;
        let listing = app.post(&format!("/api/v1/orgs/{}/listings", r.id()), Product::oranges().body(cat), Some(&person.token)).await;
        listing.expect_status(403);
        // Changing the accreditation sends it back to review.
        let changed = app.patch(&format!("/api/v1/orgs/{}", r.id()), json!({"accreditation_no": "CNAS L9999"}), Some(&person.token)).await;
        changed.expect_status(200);
        assert_eq!(changed.str("status"), "pending");
        assert_eq!(changed.str("accreditation_no"), "CNASL9999");
    }

    async fn a_labs_spot_check_joins_the_hashed_record_and_the_scan_page_names_the_lab(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.inspected_batch(&seller).await;
        let lab = lab(&app, "青石县农产品质量检测站").await;
        let file = report(&app, &lab, &batch.code, PDF).await;
        file.expect_status(201);
        let mut body = check(&app, &batch.code.to_lowercase(), "pass");
        body["attachments"] = json!([file.id()]);

        let r = record(&app, &lab, body).await;

        r.expect_status(201);
        assert_eq!(r.i64("seq"), 2);
        assert_eq!(r.str("lab_name"), "青石县农产品质量检测站");
        let public = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;
        let e = public.find("events", "seq", 2);
        assert_eq!(e["kind"], "lab_check");
        assert_eq!(e["body"]["data"]["lab"]["name"], "青石县农产品质量检测站");
        assert_eq!(e["body"]["data"]["lab"]["org_id"], lab.org.to_string());
        assert_eq!(e["body"]["attachments"][0]["content_type"], "application/pdf");
        assert!(e["body"]["actor"]["commitment"].is_string(), "the lab's person is committed, not published");
        // An outsider recomputes every hash from the public JSON alone, the new kind included.
        assert_eq!(
            farmgate_trace::commit::verify_public(&batch.code, public.arr("events")).ok().as_deref(),
            Some(r.str("hash"))
        );
        assert!(app.get(&format!("/api/v1/trace/{}/verify", batch.code), None).await.bool("ok"));
        let page = app.get(&format!("/t/{}", batch.code), None).await;
        assert!(page.text.contains("data-testid=\"lab-checks\"") && page.text.contains("第三方检测"), "{}", page.text);
        assert!(page.text.contains("青石县农产品质量检测站") && page.text.contains("241512050123"));
        let en = app.get(&format!("/t/{}?lang=en", batch.code), None).await;
        assert!(en.text.contains("Third-party tests"));
        let mine = app.get(&format!("/api/v1/labs/{}/checks", lab.org), Some(&lab.owner.token)).await;
        assert_eq!(mine.len_of(""), 1);
        assert_eq!(mine.str("0.code"), batch.code);
    }

    async fn a_failed_spot_check_recalls_the_batch_and_tells_every_buyer(app) {
        let shipped = app.batch_shipped_to(2).await;
        let lab = lab(&app, "青石县农产品质量检测站").await;

        record(&app, &lab, check(&app, &shipped.batch.code, "fail")).await.expect_status(201);
        app.outbox_drained().await;

        assert_eq!(app.count("recalls", "1=1").await, 1);
        for buyer in &shipped.buyers {
            let notes = app.get("/api/v1/me/recall-notices", Some(&buyer.token)).await;
            assert_eq!(notes.len_of(""), 1, "{}", notes.text);
        }
        let page = app.get(&format!("/t/{}", shipped.batch.code), None).await;
        assert!(page.text.contains("data-testid=\"recalled\""));
        assert!(page.text.contains("第三方检测不合格") && page.text.contains("青石县农产品质量检测站"));
        assert!(page.text.contains("data-result=\"fail\""));
        assert!(app.get(&format!("/api/v1/trace/{}/verify", shipped.batch.code), None).await.bool("ok"));
    }

    async fn a_failed_check_of_a_batch_not_yet_shipped_stops_its_sale_too(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.inspected_batch(&seller).await;
        let lab = lab(&app, "县检测站").await;

        record(&app, &lab, check(&app, &batch.code, "fail")).await.expect_status(201);
        app.outbox_drained().await;

        assert_eq!(app.count("recalls", "1=1").await, 1);
        let b = app.get(&format!("/api/v1/batches/{}", batch.id), Some(&seller.owner.token)).await;
        assert_eq!(b.str("status"), "recalled");
    }

    async fn a_sellers_own_passing_inspection_right_after_a_failed_spot_check_does_not_stop_the_recall(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.inspected_batch(&seller).await;
        let lab = lab(&app, "县检测站").await;

        record(&app, &lab, check(&app, &batch.code, "fail")).await.expect_status(201);
        // Chained right away, or refused as written at the same moment as the recall itself
        // (`concurrent_update`): either way the recall is made.
        let own = app.add_event(&seller.owner, batch.id, "inspection", &app.days_ago(0), inspection("pass")).await;
        assert!(matches!(own.status, 201 | 409), "{}", own.text);
        app.outbox_drained().await;

        assert_eq!(app.count("recalls", "1=1").await, 1);
    }

    async fn only_the_staff_of_a_verified_testing_body_record_and_never_the_seller(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.inspected_batch(&seller).await;
        let before = app.count("batch_events", "1=1").await;
        // The seller, through its own record API and through a lab's path with its own org.
        let own = app.add_event(&seller.owner, batch.id, "lab_check", &app.days_ago(0), json!({"result": "pass"})).await;
        own.expect_status(422);
        assert_eq!(own.field_code("kind"), Some("not_allowed"));
        app.post(&format!("/api/v1/labs/{}/checks", seller.org), check(&app, &batch.code, "pass"), Some(&seller.owner.token)).await.expect_status(403);
        // A testing body still pending review.
        let pending_owner = app.consumer().await.session;
        let pending = app.post("/api/v1/orgs", lab_body("未审核检测站"), Some(&pending_owner.token)).await.id();
        let pending_owner = app.login_again(&pending_owner).await;
        let r = app.post(&format!("/api/v1/labs/{pending}/checks"), check(&app, &batch.code, "pass"), Some(&pending_owner.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "org_not_verified");
        // Someone else's lab, a consumer, an official (read-only), nobody.
        let lab = lab(&app, "县检测站").await;
        let consumer = app.consumer().await;
        app.post(&format!("/api/v1/labs/{}/checks", lab.org), check(&app, &batch.code, "pass"), Some(&consumer.token)).await.expect_status(403);
        let official = app.official().await;
        app.post(&format!("/api/v1/labs/{}/checks", lab.org), check(&app, &batch.code, "pass"), Some(&official.token)).await.expect_status(403);
        app.post(&format!("/api/v1/labs/{}/checks", lab.org), check(&app, &batch.code, "pass"), None).await.expect_status(401);
        // A lab's member who is also the seller's member tests nothing of that seller.
        let both = app.member(&seller.owner, seller.org, "13512340001", "两头兼职", "staff").await;
        let inv = app.post(&format!("/api/v1/orgs/{}/invitations", lab.org), json!({"login": "13512340001", "role": "staff"}), Some(&lab.owner.token)).await;
        inv.expect_status(201);
        app.accept_invitation(&both, inv.id()).await.expect_status(200);
        let both = app.login_again(&both).await;
        app.post(&format!("/api/v1/labs/{}/checks", lab.org), check(&app, &batch.code, "pass"), Some(&both.token)).await.expect_status(403);
        // The lab's list is its own.
        app.get(&format!("/api/v1/labs/{}/checks", lab.org), Some(&seller.owner.token)).await.expect_status(403);

        assert_eq!(app.count("batch_events", "1=1").await, before, "nothing was chained");
        assert_eq!(app.count("lab_checks", "1=1").await, 0);
    }

    async fn a_recorded_check_is_never_changed_and_a_correction_is_a_new_record(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.inspected_batch(&seller).await;
        let lab = lab(&app, "县检测站").await;
        let first = record(&app, &lab, check(&app, &batch.code, "pass")).await;
        first.expect_status(201);
        let path = format!("/api/v1/labs/{}/checks/{}", lab.org, first.id());
        for r in [
            app.put(&path, check(&app, &batch.code, "fail"), Some(&lab.owner.token)).await,
            app.patch(&path, json!({"result": "fail"}), Some(&lab.owner.token)).await,
            app.delete(&path, Some(&lab.owner.token)).await,
        ] {
            assert!(matches!(r.status, 404 | 405), "{} {}", r.status, r.text);
        }
        // A correction names the record; only this lab's own record on this batch.
        let mut wrong = check(&app, &batch.code, "pass");
        wrong["corrects"] = json!(1);
        assert_eq!(record(&app, &lab, wrong).await.field_code("corrects"), Some("not_found"));
        let other = lab_for_correction(&app).await;
        let mut theirs = check(&app, &batch.code, "pass");
        theirs["corrects"] = json!(first.i64("seq"));
        assert_eq!(record(&app, &other, theirs).await.field_code("corrects"), Some("not_found"));
        let mut fix = check(&app, &batch.code, "pass");
        fix["corrects"] = json!(first.i64("seq"));
        fix["report_no"] = json!("QS-2026-1119-07-R1");
        let second = record(&app, &lab, fix).await;
        second.expect_status(201);
        assert_eq!(second.i64("corrects"), first.i64("seq"));
        let public = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;
        assert_eq!(public.find("events", "seq", first.i64("seq"))["body"]["data"]["report_no"], "QS-2026-1119-07", "the first record is as it was");
        assert!(app.get(&format!("/api/v1/trace/{}/verify", batch.code), None).await.bool("ok"));
    }

    async fn bad_reports_and_contradictory_or_malformed_checks_are_refused_whole(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.inspected_batch(&seller).await;
        let lab = lab(&app, "县检测站").await;
        // Not a PDF (a picture, a script named .pdf), an unknown code.
        let png = report(&app, &lab, &batch.code, &png(200, 200)).await;
        png.expect_status(415);
        report(&app, &lab, &batch.code, b"<script>alert(1)</script>").await.expect_status(415);
        report(&app, &lab, "AAAAAAAAAAAAAAAA", PDF).await.expect_status(404);
        // A file the seller uploaded is not the lab's report.
        let sellers = app.upload(&format!("/api/v1/batches/{}/attachments", batch.id), &seller.owner, PDF.to_vec(), "自检.pdf").await;
        sellers.expect_status(201);
        let mut body = check(&app, &batch.code, "pass");
        body["attachments"] = json!([sellers.id()]);
        assert_eq!(record(&app, &lab, body).await.field_code("attachments"), Some("not_found"));
        // A pass with a failed item; an unknown code; an unknown field; a wrongly typed body.
        let mut lying = check(&app, &batch.code, "fail");
        lying["result"] = json!("pass");
        assert_eq!(record(&app, &lab, lying).await.field_code("result"), Some("contradicts_items"));
        record(&app, &lab, check(&app, "AAAAAAAAAAAAAAAA", "pass")).await.expect_status(404);
        let mut extra = check(&app, &batch.code, "pass");
        extra["seller_org_id"] = json!(seller.org);
        record(&app, &lab, extra).await.expect_status(422);
        record(&app, &lab, json!({"code": 5})).await.expect_status(422);
        let mut future = check(&app, &batch.code, "pass");
        future["sampled_at"] = json!(app.days_ago(-2));
        assert_eq!(record(&app, &lab, future).await.field_code("sampled_at"), Some("in_future"));
        let mut huge = check(&app, &batch.code, "pass");
        huge["items"] = json!((0..81).map(|i| json!({"name": format!("项目{i}"), "result": "未检出", "passed": true})).collect::<Vec<_>>());
        assert_eq!(record(&app, &lab, huge).await.field_code("items"), Some("out_of_range"));
        assert_eq!(app.count("lab_checks", "1=1").await, 0);
    }

    async fn two_labs_recording_at_once_both_join_the_chain_in_turn(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.inspected_batch(&seller).await;
        let a = lab(&app, "县检测站").await;
        let b = lab_for_correction(&app).await;
        let reqs = [&a, &b]
            .iter()
            .map(|l| {
                app.http
                    .post(app.url(&format!("/api/v1/labs/{}/checks", l.org)))
                    .bearer_auth(&l.owner.token)
                    .json(&check(&app, &batch.code, "pass"))
            })
            .collect();
        let answers = app.send_all(reqs).await;
        let mut seqs: Vec<i64> = answers.iter().map(|r| { r.expect_status(201); r.i64("seq") }).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, [2, 3]);
        assert!(app.get(&format!("/api/v1/trace/{}/verify", batch.code), None).await.bool("ok"));
    }
}

/// A second verified lab, for what one lab may not do to another's record.
async fn lab_for_correction(app: &TestApp) -> Lab {
    lab(app, "赣州市农产品检测中心").await
}
