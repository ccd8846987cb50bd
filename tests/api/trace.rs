//! Traceability through the real server: batches, events, the rules, codes, the public page,
//! GS1 links, EPCIS, unit codes — and tampering with the database directly.

use farmgate_kernel::id::{BatchId, ListingId};
use farmgate_tests::prelude::*;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order as SqlOrder, Query};

/// 梅岭脐橙专业合作社 with one approved listing (赣南脐橙 10斤装) whose SKU has a GTIN.
async fn seller(app: &TestApp) -> SellerWithListing {
    app.verified_seller()
        .with_listing(
            Product::boxes("赣南脐橙 10斤装", 5990, 100)
                .without_tiers()
                .gtin("6901234567892"),
        )
        .await
}

/// A seller of [`seller`] and one batch of its listing, with nothing recorded yet.
async fn seller_and_batch(app: &TestApp) -> (SellerWithListing, Batch) {
    let seller = seller(app).await;
    let batch = app.batch(&seller).await;
    (seller, batch)
}

/// The look-ups the public JSON reports for a code.
async fn public_scans(app: &TestApp, code: &str) -> i64 {
    app.get(&format!("/api/v1/trace/{code}"), None)
        .await
        .i64("scans")
}

async fn verification(app: &TestApp, code: &str) -> Resp {
    app.get(&format!("/api/v1/trace/{code}/verify"), None).await
}

async fn attach(app: &TestApp, who: &Session, batch: Uuid, bytes: Vec<u8>, name: &str) -> Resp {
    app.upload(
        &format!("/api/v1/batches/{batch}/attachments"),
        who,
        bytes,
        name,
    )
    .await
}

both_backends! {
    async fn a_batch_gets_a_code_a_certificate_and_a_verifying_record(app) {
        let seller = seller(&app).await;

        let r = app.post(&format!("/api/v1/listings/{}/batches", seller.listing), batch_body(), Some(&seller.owner.token)).await;

        r.expect_status(201);
        let code = r.string("code");
        assert_eq!(code.len(), 16);
        assert_eq!(r.str("code_display").len(), 19);
        assert!(r.str("trace_url").ends_with(&format!("/t/{code}")));
        assert_eq!(r.str("facts.certificate.issuer"), "梅岭脐橙专业合作社");
        assert_eq!(r.i64("facts.plot.lat_e6"), 25712340, "coordinates enter the chain as integers");
        assert_eq!(r.str("events.0.kind"), "created");
        assert_eq!(r.str("events.0.prev_hash"), "0".repeat(64));
        assert!(r.bool("verification.ok"));
        assert!(verification(&app, &code).await.bool("ok"));
        // Any spelling of the code works.
        let lower = format!("{}-{}", &code[..8].to_lowercase(), &code[8..]);
        assert!(verification(&app, &lower).await.bool("ok"));
    }

    async fn a_harvest_inside_an_inputs_safe_interval_is_refused_naming_the_earliest_date(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let owner = &seller.owner;
        app.add_event(owner, batch.id, "planting", &app.days_ago(200), json!({"variety": "纽荷尔"})).await.expect_status(201);
        app.add_event(owner, batch.id, "input", &app.days_ago(20), json!({"category": "pesticide", "product": "阿维菌素", "dose": "1500倍液", "safe_interval_days": 14})).await.expect_status(201);

        let r = app.add_event(owner, batch.id, "harvest", &app.days_ago(10), json!({"quantity": 2000, "unit": "jin"})).await;

        r.expect_status(422);
        assert!(r.field("occurred_at").is_some_and(|m| m.contains("安全间隔期") && m.contains("最早")), "{}", r.text);
    }

    async fn records_out_of_order_before_the_batch_began_or_in_the_future_are_refused(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let owner = &seller.owner;
        app.add_event(owner, batch.id, "input", &app.days_ago(20), json!({"category": "pesticide", "product": "阿维菌素", "dose": "1500倍液", "safe_interval_days": 14})).await.expect_status(201);

        let r = app.add_event(owner, batch.id, "note", &app.days_ago(100), json!({"text": "补记"})).await;
        assert!(r.field("occurred_at").is_some(), "before the previous record: {}", r.text);
        let r = app.add_event(owner, batch.id, "note", "2025-01-01T00:00:00Z", json!({"text": "补记"})).await;
        assert!(r.field("occurred_at").is_some(), "before the batch began: {}", r.text);
        let future = (app.clock.now() + chrono::Duration::days(2)).to_rfc3339();
        let r = app.add_event(owner, batch.id, "note", &future, json!({"text": "明天"})).await;
        assert!(r.field("occurred_at").is_some(), "in the future: {}", r.text);
    }

    async fn records_with_bad_data_for_their_kind_or_of_the_systems_own_kind_are_refused(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let owner = &seller.owner;

        let r = app.add_event(owner, batch.id, "inspection", &app.days_ago(1), json!({"lab": "县站", "method": "GB", "items": "农残", "result": "maybe"})).await;
        assert!(r.field("data.result").is_some(), "{}", r.text);
        // "created" is the system's.
        let r = app.add_event(owner, batch.id, "created", &app.days_ago(1), json!({})).await;
        r.expect_status(422);
    }

    async fn only_accepted_records_enter_the_chain_each_hashed_onto_the_one_before(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let owner = &seller.owner;
        app.add_event(owner, batch.id, "planting", &app.days_ago(200), json!({"variety": "纽荷尔"})).await.expect_status(201);
        app.add_event(owner, batch.id, "input", &app.days_ago(20), json!({"category": "pesticide", "product": "阿维菌素", "dose": "1500倍液", "safe_interval_days": 14})).await.expect_status(201);
        app.add_event(owner, batch.id, "harvest", &app.days_ago(10), json!({"quantity": 2000, "unit": "jin"})).await.expect_status(422);

        let r = app.add_event(owner, batch.id, "harvest", &app.days_ago(5), json!({"quantity": 2000, "unit": "jin"})).await;

        r.expect_status(201);
        assert_eq!(r.i64("seq"), 3);
        let b = app.get(&format!("/api/v1/batches/{}", batch.id), Some(&owner.token)).await;
        let events = b.arr("events");
        assert_eq!(events.len(), 4, "only the accepted records are in the chain");
        for w in events.windows(2) {
            assert_eq!(w[1]["prev_hash"], w[0]["hash"]);
        }
        assert!(verification(&app, &batch.code).await.bool("ok"));
    }

    async fn a_failed_inspection_blocks_the_batch_until_a_passing_retest(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let owner = &seller.owner;
        let before = app.state.trace.ensure_shippable(BatchId(batch.id), ListingId(seller.listing)).await;
        assert!(
            matches!(&before, Err(farmgate_trace::TraceError::NotInspected)),
            "a batch ships only after an inspection passed: {before:?}"
        );

        app.add_event(owner, batch.id, "inspection", &app.days_ago(3), inspection("fail")).await.expect_status(201);

        let b = app.get(&format!("/api/v1/batches/{}", batch.id), Some(&owner.token)).await;
        assert_eq!(b.str("status"), "blocked");
        assert!(app.state.trace.ensure_shippable(BatchId(batch.id), ListingId(seller.listing)).await.is_err(), "a failed batch cannot be shipped");
        let page = app.get(&format!("/t/{}", batch.code), None).await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains("data-testid=\"blocked\""));
        app.add_event(owner, batch.id, "inspection", &app.days_ago(1), inspection("pass")).await.expect_status(201);
        assert!(app.state.trace.ensure_shippable(BatchId(batch.id), ListingId(seller.listing)).await.is_ok());
    }

    async fn a_lab_report_is_hashed_into_the_chain_and_the_file_served_is_the_file_hashed(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let owner = &seller.owner;
        let report = b"%PDF-1.4\n%fake but well-formed enough\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();

        let a = attach(&app, owner, batch.id, report.clone(), "检测报告.pdf").await;
        a.expect_status(201);
        let sha = farmgate_infra::objects::sha256_hex(&report);
        assert_eq!(a.str("sha256"), sha);
        let r = app.post(&format!("/api/v1/batches/{}/events", batch.id),
            json!({"kind": "inspection", "occurred_at": app.days_ago(1), "data": {"lab": "县检测站", "method": "GB 23200", "items": "农残", "result": "pass"}, "attachments": [a.id()]}),
            Some(&owner.token)).await;

        r.expect_status(201);
        assert_eq!(r.str("attachments.0.sha256"), sha);
        let url = r.string("attachments.0.url");
        let got = app.http.get(app.url(&url)).send().await.expect("download").bytes().await.expect("bytes");
        assert_eq!(farmgate_infra::objects::sha256_hex(&got), sha, "the file served is the file hashed");
        let page = app.get(&format!("/t/{}", batch.code), None).await;
        assert!(page.text.contains(&sha), "the page shows the report's hash");
    }

    async fn a_lab_report_is_a_pdf_or_image_within_the_size_limit_attached_to_ones_own_batch(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let owner = &seller.owner;
        let report = b"%PDF-1.4\n%fake but well-formed enough\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();

        // Not a PDF or image.
        attach(&app, owner, batch.id, b"<html>not a report</html>".to_vec(), "r.pdf").await.expect_status(415);
        attach(&app, owner, batch.id, b"PK\x03\x04 a zip".to_vec(), "r.pdf").await.expect_status(415);
        // Too big.
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(11 * 1024 * 1024, b'x');
        let part = reqwest::multipart::Part::bytes(big).file_name("big.pdf");
        let sent = app.http.post(app.url(&format!("/api/v1/batches/{}/attachments", batch.id))).bearer_auth(&owner.token)
            .multipart(reqwest::multipart::Form::new().part("file", part)).send().await;
        match sent {
            Ok(resp) => assert_eq!(resp.status().as_u16(), 413),
            Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
        }
        // Someone else's batch.
        let other = app.register("13800000005", "黄建华").await;
        attach(&app, &other, batch.id, report, "r.pdf").await.expect_status(403);
        let r = app.add_event(&other, batch.id, "note", &app.days_ago(1), json!({"text": "别人的批次"})).await;
        r.expect_status(403);
    }

    async fn the_public_page_shows_the_record_without_login_with_seller_text_escaped(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        app.add_event(&seller.owner, batch.id, "harvest", &app.days_ago(5), json!({"quantity": 2000, "unit": "jin", "note": "<script>alert(1)</script>"})).await.expect_status(201);

        let r = app.get(&format!("/t/{}", batch.code), None).await;

        r.expect_status(200);
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")));
        assert!(r.text.contains("赣南脐橙 10斤装"));
        assert!(r.text.contains("承诺达标合格证"));
        assert!(r.text.contains("data-testid=\"verdict\" data-ok=\"true\""));
        assert!(r.text.contains("梅岭脐橙专业合作社"));
        assert!(!r.text.contains("<script>alert(1)</script>"), "seller text is escaped");
        assert!(r.text.contains("购买同款"), "a link to buy");
        let en = app.get(&format!("/t/{}?lang=en", batch.code), None).await;
        assert!(en.text.contains("The record is intact and verifies"));
    }

    async fn the_public_page_caches_well_and_a_new_record_shows_at_once(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let page = format!("/t/{}", batch.code);
        let r = app.get(&page, None).await;
        let etag = r.header("etag").expect("an ETag").to_owned();

        assert!(r.header("cache-control").is_some_and(|c| c.contains("public") && c.contains("max-age")));
        let again = app.send(app.http.get(app.url(&page)).header("if-none-match", &etag)).await;
        again.expect_status(304);
        // The cached page is forgotten when a record is added.
        app.add_event(&seller.owner, batch.id, "packing", &app.days_ago(1), json!({"packages": 200, "spec": "10斤/箱"})).await.expect_status(201);
        let fresh = app.send(app.http.get(app.url(&page)).header("if-none-match", &etag)).await;
        fresh.expect_status(200);
        assert!(fresh.text.contains("10斤/箱"));
    }

    async fn scans_are_counted_by_the_pages_beacon_per_batch_per_day(app) {
        let (_seller, batch) = seller_and_batch(&app).await;
        let page = format!("/t/{}", batch.code);
        // The HTML counts nothing: a CDN's copy of it would not either.
        let etag = app.get(&page, None).await.header("etag").expect("an ETag").to_owned();
        app.send(app.http.get(app.url(&page)).header("if-none-match", &etag)).await.expect_status(304);
        app.get(&format!("{page}?lang=en"), None).await.expect_status(200);
        app.state.trace.flush_scans().await.expect("flush");
        assert_eq!(public_scans(&app, &batch.code).await, 0);

        // The beacon counts, with the script (JSON total) or without it (the pixel).
        for n in 1..=3 {
            let seen = app.post(&format!("{page}/seen"), json!({}), None).await;
            seen.expect_status(200);
            assert_eq!(seen.i64("scans"), n);
            assert_eq!(seen.header("cache-control"), Some("no-store"));
        }
        let pixel = app.http.get(app.url(&format!("{page}/seen.gif"))).send().await.expect("pixel");
        assert_eq!(pixel.status(), 200);
        assert_eq!(pixel.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/gif"));
        assert_eq!(pixel.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
        assert!(pixel.bytes().await.expect("bytes").starts_with(b"GIF89a"));
        // Tallied and not yet written, the JSON already says so; written, it still does.
        assert_eq!(public_scans(&app, &batch.code).await, 4);
        app.state.trace.flush_scans().await.expect("flush");
        assert_eq!(public_scans(&app, &batch.code).await, 4);
        assert_eq!(app.count("trace_scans", "1=1").await, 1, "counted per batch per day");
        assert_eq!(app.state.trace.flush_scans().await.expect("flush"), 0, "written once");
        assert_eq!(public_scans(&app, &batch.code).await, 4);
        // The next day has its own row.
        app.clock.advance(chrono::Duration::days(1));
        app.post(&format!("{page}/seen"), json!({}), None).await.expect_status(200);
        app.state.trace.flush_scans().await.expect("flush");
        assert_eq!(app.count("trace_scans", "1=1").await, 2);
        assert_eq!(public_scans(&app, &batch.code).await, 5);
    }

    async fn the_beacon_counts_nothing_for_a_code_that_is_no_batch(app) {
        let (_seller, batch) = seller_and_batch(&app).await;
        for code in ["AAAAAAAAAAAAAAAA", "not-a-code", "x"] {
            app.post(&format!("/t/{code}/seen"), json!({}), None).await.expect_status(404);
            let pixel = app.http.get(app.url(&format!("/t/{code}/seen.gif"))).send().await.expect("pixel");
            assert_eq!(pixel.status(), 404);
        }
        app.state.trace.flush_scans().await.expect("flush");
        assert_eq!(app.count("trace_scans", "1=1").await, 0);
        // A GET of the JSON beacon is not a count either.
        let get = app.get(&format!("/t/{}/seen", batch.code), None).await;
        assert_eq!(get.status, 405);
    }

    async fn concurrent_beacons_each_count_once(app) {
        let (_seller, batch) = seller_and_batch(&app).await;
        let url = app.url(&format!("/t/{}/seen", batch.code));
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let (http, url) = (app.http.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let r = http.post(url).send().await.expect("beacon");
                assert_eq!(r.status(), 200);
                r.json::<serde_json::Value>().await.expect("json")["scans"].as_i64().expect("a total")
            }));
        }
        let mut totals = Vec::new();
        for t in tasks {
            totals.push(t.await.expect("task"));
        }
        // Each answer includes its own look-up; the last to read saw every one.
        assert!(totals.iter().all(|n| (1..=40).contains(n)), "{totals:?}");
        assert_eq!(totals.iter().max(), Some(&40));
        app.state.trace.flush_scans().await.expect("flush");
        let json = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;
        assert_eq!(json.i64("scans"), 40);
    }

    async fn the_producers_phone_is_masked_for_the_public_on_the_page_and_in_the_json(app) {
        let (_seller, batch) = seller_and_batch(&app).await;

        let page = app.get(&format!("/t/{}", batch.code), None).await;
        let json = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;

        // 13800000001 on the certificate of `batch_body`.
        assert_eq!(json.str("facts.certificate.contact_phone"), "138****0001");
        assert!(page.text.contains("138****0001") && !page.text.contains("13800000001"));
        // Nowhere else either: not in event 0's data, nor any event, nor the EPCIS document.
        assert!(!json.text.contains("13800000001"), "{}", json.text);
        assert_eq!(json.str("events.0.data.certificate.contact_phone"), "138****0001", "{}", json.text);
        let epcis = app.get(&format!("/api/v1/trace/{}/epcis", batch.code), None).await;
        epcis.expect_status(200);
        assert!(!epcis.text.contains("13800000001"), "{}", epcis.text);
        // Chain format v2 (new batches): event 0's hashed body is published, the phone in it a
        // salted commitment, and the actor too (CHAIN.md §13).
        assert_eq!(json.i64("events.0.chain_version"), 2);
        assert_eq!(json.str("events.0.body.data.certificate.contact_phone.commitment").len(), 64);
        assert_eq!(json.str("events.0.body.actor.commitment").len(), 64);
        assert!(!json.str("events.0.body_canonical").contains("13800000001"));
    }

    async fn unknown_and_mistyped_codes_get_a_helpful_page(app) {
        let r = app.get("/t/ZZZZZZZZZZZZZZZZ", None).await;
        r.expect_status(404);
        assert!(r.text.contains("校验位不符"), "a typo is named as such");
        let r = app.get("/t/hello", None).await;
        r.expect_status(404);
        assert!(r.text.contains("<form"), "a way to type the code again");
        let r = app.get("/t/%3Cscript%3Ealert(1)%3C%2Fscript%3E", None).await;
        r.expect_status(404);
        assert!(!r.text.contains("<script>alert(1)</script>"));
        app.get("/api/v1/trace/NOTACODE/verify", None).await.expect_status(404);
    }

    async fn gs1_digital_links_lead_to_the_batch_and_bad_check_digits_are_refused(app) {
        let (_seller, batch) = seller_and_batch(&app).await;
        let page = format!("/t/{}", batch.code);

        let r = app.get("/01/6901234567892/10/ML-20261120-01", None).await;
        r.expect_status(303);
        assert_eq!(r.header("location"), Some(page.as_str()));
        let r = app.get("/01/06901234567892/10/ML-20261120-01", None).await;
        assert_eq!(r.header("location"), Some(page.as_str()), "GTIN-14 form too");
        app.get("/01/6901234567893/10/ML-20261120-01", None).await.expect_status(400);
        app.get("/01/6901234567892/10/NO-SUCH-LOT", None).await.expect_status(404);
    }

    async fn unit_codes_count_first_and_repeated_scans(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let (owner, code) = (&seller.owner, &batch.code);
        let units = format!("/api/v1/batches/{}/units", batch.id);
        app.post(&units, json!({"count": 0}), Some(&owner.token)).await.expect_status(422);
        app.post(&units, json!({"count": 5001}), Some(&owner.token)).await.expect_status(422);
        let r = app.post(&units, json!({"count": 3}), Some(&owner.token)).await;
        r.expect_status(201);
        let serial = r.string("1.serial");
        assert_eq!(r.i64("1.n"), 2);

        let first = app.get(&format!("/t/{code}/{serial}"), None).await;
        first.expect_status(200);
        assert!(first.header("cache-control").is_some_and(|c| c.contains("no-store")));
        assert!(first.text.contains("data-testid=\"unit\""));
        app.clock.advance(chrono::Duration::hours(3));
        let second = app.get(&format!("/t/{code}/{serial}"), None).await;
        assert!(second.text.contains("<strong>2</strong>"), "scanned twice");
        let listed = app.get(&units, Some(&owner.token)).await;
        assert_eq!(listed.i64("1.scans"), 2);
        assert!(listed.at("1.first_scanned_at").is_string());
        assert_eq!(listed.i64("0.scans"), 0);
        app.get(&format!("/t/{code}/NOSUCHSERIAL"), None).await.expect_status(404);
        let r = app.get(&format!("/01/6901234567892/10/ML-20261120-01/21/{serial}"), None).await;
        assert_eq!(r.header("location"), Some(format!("/t/{code}/{serial}").as_str()));
    }

    async fn a_batch_has_qr_codes_for_its_seller_only(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let id = batch.id;

        let svg = app.get(&format!("/api/v1/batches/{id}/qr.svg"), Some(&seller.owner.token)).await;
        svg.expect_status(200);
        assert!(svg.text.starts_with("<?xml") || svg.text.contains("<svg"));
        let png = app.http.get(app.url(&format!("/api/v1/batches/{id}/qr.png?size=256"))).bearer_auth(&seller.owner.token).send().await.expect("png");
        assert_eq!(png.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
        let bytes = png.bytes().await.expect("bytes");
        assert!(image::load_from_memory(&bytes).is_ok_and(|i| i.width() >= 256));
        let other = app.register("13800000005", "黄建华").await;
        app.get(&format!("/api/v1/batches/{id}/qr.svg"), Some(&other.token)).await.expect_status(403);
    }

    async fn a_label_sheet_prints_one_certificate_per_label_for_the_seller(app) {
        let (seller, batch) = seller_and_batch(&app).await;

        let sheet = app.get(&format!("/batches/{}/labels?per_page=12", batch.id), Some(&seller.owner.token)).await;

        sheet.expect_status(200);
        assert_eq!(sheet.text.matches("承诺达标合格证").count(), 12);
        assert!(sheet.text.contains("@page") && sheet.text.contains("<svg"));
        app.get(&format!("/batches/{}/labels", batch.id), None).await.expect_status(401);
    }

    async fn the_epcis_export_lists_the_records_as_gs1_events(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        app.add_event(&seller.owner, batch.id, "harvest", &app.days_ago(5), json!({"quantity": 2000, "unit": "jin"})).await.expect_status(201);
        app.add_event(&seller.owner, batch.id, "packing", &app.days_ago(4), json!({"packages": 200, "spec": "10斤/箱"})).await.expect_status(201);

        let doc = app.get(&format!("/api/v1/trace/{}/epcis", batch.code), None).await;

        doc.expect_status(200);
        assert_eq!(doc.str("type"), "EPCISDocument");
        assert_eq!(doc.str("schemaVersion"), "2.0");
        assert_eq!(doc.strings("epcisBody.eventList", "bizStep"), ["commissioning", "commissioning", "packing"]);
        assert_eq!(doc.str("epcisBody.eventList.0.ilmd.cbvmda:lotNumber"), "ML-20261120-01");
        assert!(doc.str("epcisBody.eventList.0.quantityList.0.epcClass").contains("/01/06901234567892/10/"));
    }

    async fn a_bad_batch_names_every_bad_field_and_nothing_is_written(app) {
        let seller = seller(&app).await;
        let mut body = batch_body();
        body["certificate"]["commitments"]["residues_within_limits"] = json!(false);
        body["started_on"] = json!("2026-12-30");
        body["harvest_date"] = json!("2099-01-01");
        body["plot"]["lat"] = json!(51.5);
        body["plot"]["lng"] = json!(-0.12);
        body["quantity"] = json!(0);
        body["quantity_unit"] = json!("ton");

        let r = app.post(&format!("/api/v1/listings/{}/batches", seller.listing), body, Some(&seller.owner.token)).await;

        r.expect_status(422);
        for f in ["certificate.commitments", "harvest_date", "plot.lat", "quantity", "quantity_unit"] {
            assert!(r.field(f).is_some(), "{f}: {}", r.text);
        }
        assert_eq!(app.count("batches", "1=1").await, 0);
        assert_eq!(app.count("batch_events", "1=1").await, 0);
    }

    async fn only_the_listings_seller_creates_its_batches(app) {
        let seller = seller(&app).await;
        let path = format!("/api/v1/listings/{}/batches", seller.listing);
        let other = app.register("13800000005", "黄建华").await;
        let op = app.operator().await;

        app.post(&path, batch_body(), Some(&other.token)).await.expect_status(403);
        app.post(&path, batch_body(), Some(&op.token)).await.expect_status(403);

        assert_eq!(app.count("batches", "1=1").await, 0);
        assert_eq!(app.count("batch_events", "1=1").await, 0);
    }

    async fn a_lot_number_is_used_once_per_listing(app) {
        let (seller, _batch) = seller_and_batch(&app).await;

        let dup = app.post(&format!("/api/v1/listings/{}/batches", seller.listing), batch_body(), Some(&seller.owner.token)).await;

        dup.expect_status(409);
        assert!(dup.field("lot").is_some());
        assert_eq!(app.count("batches", "1=1").await, 1);
    }

    async fn a_changed_event_is_reported_by_the_page_the_api_and_the_cli(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let code = &batch.code;
        app.add_event(&seller.owner, batch.id, "input", &app.days_ago(30), json!({"category": "pesticide", "product": "阿维菌素", "dose": "1500倍液", "safe_interval_days": 14})).await.expect_status(201);
        app.add_event(&seller.owner, batch.id, "harvest", &app.days_ago(5), json!({"quantity": 2000, "unit": "jin"})).await.expect_status(201);
        assert!(farmgate_server::verify::run(&app.state.trace, Some(code), false).await.expect("verify"));

        // Someone shortens the safe interval in the database.
        tamper(&app, batch.id, 1, |b| b["data"]["safe_interval_days"] = json!(3)).await;

        let v = verification(&app, code).await;
        assert!(!v.bool("ok"));
        assert_eq!(v.i64("broken_at"), 1);
        app.state.trace.forget_page(code).await;
        let page = app.get(&format!("/t/{code}"), None).await;
        assert!(page.text.contains("data-ok=\"false\"") && page.text.contains("第 1 条记录的内容被改动过"), "the page warns");
        assert!(!farmgate_server::verify::run(&app.state.trace, Some(code), false).await.expect("verify"), "the CLI reports the break");
    }

    async fn a_deleted_or_reordered_event_is_reported(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        for (i, text) in ["一", "二", "三"].iter().enumerate() {
            app.add_event(&seller.owner, batch.id, "note", &app.days_ago(10 - i64::try_from(i).expect("small")), json!({"text": text})).await.expect_status(201);
        }
        let events = stored_events(&app, batch.id).await;

        // Reorder: swap events 1 and 2.
        for (e, seq) in [(&events[1], -1), (&events[2], 1), (&events[1], 2)] {
            update_event(&app, e.id, "seq", seq.into()).await;
        }
        let v = verification(&app, &batch.code).await;
        assert!(!v.bool("ok"), "reordered: {}", v.text);
        // Delete one.
        delete_event(&app, events[2].id).await;
        let v = verification(&app, &batch.code).await;
        assert!(!v.bool("ok"), "deleted: {}", v.text);
        assert!(!farmgate_server::verify::run(&app.state.trace, None, false).await.expect("verify all"));
    }

    async fn a_consistent_rewrite_of_history_is_caught_by_the_published_digest(app) {
        let (seller, batch) = seller_and_batch(&app).await;
        let code = &batch.code;
        app.add_event(&seller.owner, batch.id, "inspection", &app.days_ago(2), json!({"lab": "县检测站", "method": "GB 23200", "items": "农残", "result": "fail"})).await.expect_status(201);
        app.add_event(&seller.owner, batch.id, "note", &app.days_ago(1), json!({"text": "复检安排中"})).await.expect_status(201);
        let digest = app.state.trace.publish_digest(app.clock.now()).await.expect("digest");
        let log = app.get("/api/v1/trace/digests", None).await;
        assert_eq!(log.str("0.root"), digest.root);
        let saved_root = digest.root.clone();
        let proof = app.get(&format!("/api/v1/trace/{code}/proof?digest={}", digest.seq), None).await;
        proof.expect_status(200);
        assert!(fold(&proof.body) == saved_root, "the proof folds to the published root");

        // Someone with database access turns the failed test into a pass and recomputes every
        // later hash, so the batch verifies on its own again.
        tamper(&app, batch.id, 1, |b| b["data"]["result"] = json!("pass")).await;
        rehash(&app, batch.id).await;

        // The chain alone sees nothing (the transparency log's check, in tests/api/tlog.rs,
        // reports it once a checkpoint covered the batch).
        assert!(Value::is_null(&verification(&app, code).await.body["broken_at"]), "the rewrite is self-consistent");
        // But the digest published before does not match any more.
        let checks = app.state.trace.verify_digests().await.expect("checks");
        assert!(!checks[0].root_matches, "{checks:?}");
        let proof = app.get(&format!("/api/v1/trace/{code}/proof?digest={}", digest.seq), None).await;
        assert_ne!(fold(&proof.body), saved_root, "a saved copy of the root exposes the rewrite");
        assert!(!farmgate_server::verify::run(&app.state.trace, None, true).await.expect("verify"));
    }

    async fn the_digest_reads_the_history_in_pages_and_any_page_size_gives_the_same_root(app) {
        // Three batches of different lengths, so pages end inside a batch and at its edge.
        let mut batches = Vec::new();
        for notes in [0, 2, 4] {
            let (seller, batch) = seller_and_batch(&app).await;
            for n in 0..notes {
                app.add_event(&seller.owner, batch.id, "note", &app.days_ago(1), json!({"text": format!("第{n}次巡田")})).await.expect_status(201);
            }
            batches.push(batch);
        }
        let digest = app.state.trace.publish_digest(app.clock.now()).await.expect("digest");
        assert!(digest.batch_count >= 3, "{digest:?}");
        for page in [1, 2, 3, 5, 7, 2_000] {
            let root = app.state.trace.digest_root_at(digest.cutoff, page).await.expect("root");
            assert_eq!(root, digest.root, "page size {page}");
        }
        // Every batch is in the root (its proof folds to it).
        for batch in &batches {
            let proof = app.get(&format!("/api/v1/trace/{}/proof?digest={}", batch.code, digest.seq), None).await;
            proof.expect_status(200);
            assert_eq!(fold(&proof.body), digest.root, "{}", batch.code);
        }
        // A rewrite in the middle of the longest history changes the root at every page size.
        tamper(&app, batches[2].id, 2, |b| b["data"]["text"] = json!("改写")).await;
        for page in [1, 2, 3, 2_000] {
            let root = app.state.trace.digest_root_at(digest.cutoff, page).await.expect("root");
            assert_ne!(root, digest.root, "page size {page}");
        }
    }
}

/// Folds a proof the way CHAIN.md tells anyone to.
fn fold(proof: &Value) -> String {
    use sha2::Digest;
    let node =
        |l: &str, r: &str| hex::encode(sha2::Sha256::digest(format!("node\n{l}\n{r}").as_bytes()));
    let mut acc = proof.string("leaf");
    for step in proof.arr("path") {
        let h = step.str("hash");
        acc = if step["left"] == true {
            node(h, &acc)
        } else {
            node(&acc, h)
        };
    }
    acc
}

// Tampering, as someone with access to the database could: plain SQL on `batch_events`, not
// the trace service's own store (which is its business).

/// One row of `batch_events`, as stored.
pub(crate) struct StoredEvent {
    pub(crate) id: Uuid,
    pub(crate) seq: i32,
    pub(crate) body: Value,
}

/// A batch's stored events in chain order.
pub(crate) async fn stored_events(app: &TestApp, batch: Uuid) -> Vec<StoredEvent> {
    let db = &app.state.infra.db;
    let q = Query::select()
        .columns(["id", "seq", "body"])
        .from("batch_events")
        .and_where(Expr::col("batch_id").eq(batch))
        .order_by("seq", SqlOrder::Asc)
        .to_owned();
    db.query_all(&q)
        .await
        .expect("events")
        .into_iter()
        .map(|row| StoredEvent {
            id: row.try_get("", "id").expect("id"),
            seq: row.try_get("", "seq").expect("seq"),
            body: row.try_get("", "body").expect("body"),
        })
        .collect()
}

pub(crate) async fn update_event(
    app: &TestApp,
    id: Uuid,
    column: &'static str,
    value: sea_orm::Value,
) {
    let q = Query::update()
        .table("batch_events")
        .value(column, value)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    app.state
        .infra
        .db
        .execute(&q)
        .await
        .expect("update an event");
}

pub(crate) async fn delete_event(app: &TestApp, id: Uuid) {
    let q = Query::delete()
        .from_table("batch_events")
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    app.state
        .infra
        .db
        .execute(&q)
        .await
        .expect("delete an event");
}

/// Rewrites the body of event `seq` of a batch.
pub(crate) async fn tamper(app: &TestApp, batch: Uuid, seq: i32, f: impl FnOnce(&mut Value)) {
    let events = stored_events(app, batch).await;
    let event = events.iter().find(|e| e.seq == seq).expect("the event");
    let mut body = event.body.clone();
    f(&mut body);
    update_event(app, event.id, "body", body.into()).await;
}

/// Recomputes every hash of a batch from its (tampered) bodies and moves its stored head, as a
/// careful forger would.
pub(crate) async fn rehash(app: &TestApp, batch: Uuid) {
    let version = batch_version(app, batch).await;
    let mut prev = farmgate_trace::chain::GENESIS.to_owned();
    for e in stored_events(app, batch).await {
        let hash = farmgate_trace::chain::event_hash_as(version, &prev, &e.body).expect("hash");
        update_event(app, e.id, "prev_hash", prev.clone().into()).await;
        update_event(app, e.id, "hash", hash.clone().into()).await;
        prev = hash;
    }
    // And the batch's stored head, which the verdict compares with the last event.
    let q = Query::update()
        .table("batches")
        .value("head_hash", prev)
        .and_where(Expr::col("id").eq(batch))
        .to_owned();
    app.state
        .infra
        .db
        .execute(&q)
        .await
        .expect("update the head");
}

/// The chain format a batch was created with (`batches.chain_version`), as a forger reads it.
pub(crate) async fn batch_version(
    app: &TestApp,
    batch: Uuid,
) -> farmgate_trace::chain::ChainVersion {
    let q = Query::select()
        .column("chain_version")
        .from("batches")
        .and_where(Expr::col("id").eq(batch))
        .to_owned();
    let row = app
        .state
        .infra
        .db
        .query_one(&q)
        .await
        .expect("query")
        .expect("the batch");
    let n: i16 = row.try_get("", "chain_version").expect("chain_version");
    farmgate_trace::chain::ChainVersion::from_number(i64::from(n)).expect("a chain format")
}
