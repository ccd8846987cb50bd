//! Traceability through the real server: batches, events, the rules, codes, the public page,
//! GS1 links, EPCIS, unit codes — and tampering with the database directly.

use farmgate_kernel::id::{BatchId, ListingId};
use farmgate_tests::{Session, TestApp, both_backends, region};
use farmgate_trace::store::event;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};

/// A verified cooperative with one approved listing whose SKU has a GTIN.
async fn seller_with_listing(app: &TestApp) -> (Session, Session, String, String) {
    let op = app.operator().await;
    let owner = app.register("13800000001", "李国强").await;
    let org = app
        .verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社")
        .await;
    let tree = app.get("/api/v1/categories", None).await;
    let cat = tree.body[0]["children"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/listings"),
            json!({"category_id": cat, "title": "赣南脐橙 10斤装", "origin": region("梅岭镇", Some("茶坑村")),
                   "skus": [{"name": "10斤装", "unit": "box", "price": 5990, "stock": 100, "weight_grams": 5600, "gtin": "6901234567892"}]}),
            Some(&owner.token),
        )
        .await;
    r.expect_status(201);
    let listing = r.body["id"].as_str().unwrap_or_default().to_owned();
    let s = app
        .post_empty(
            &format!("/api/v1/listings/{listing}/submit"),
            Some(&owner.token),
        )
        .await;
    let rev = s.body["revision"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app.post_empty(
        &format!("/api/v1/admin/listing-reviews/{rev}/approve"),
        Some(&op.token),
    )
    .await
    .expect_status(200);
    (owner, op, org.to_string(), listing)
}

pub(crate) fn batch_body() -> Value {
    json!({
        "lot": "ML-20261120-01",
        "started_on": "2026-03-01",
        "harvest_date": "2026-11-18",
        "quantity": 2000,
        "quantity_unit": "jin",
        "plot": {"village": "茶坑村", "name": "3号果园", "lat": 25.71234, "lng": 115.12345},
        "certificate": {"contact_phone": "13800000001", "basis": "self_test",
            "commitments": {"no_banned_substances": true, "withdrawal_respected": true, "residues_within_limits": true}}
    })
}

/// Creates a batch; returns (id, code).
pub(crate) async fn batch(app: &TestApp, owner: &Session, listing: &str) -> (String, String) {
    let r = app
        .post(
            &format!("/api/v1/listings/{listing}/batches"),
            batch_body(),
            Some(&owner.token),
        )
        .await;
    r.expect_status(201);
    (
        r.body["id"].as_str().unwrap_or_default().to_owned(),
        r.body["code"].as_str().unwrap_or_default().to_owned(),
    )
}

pub(crate) fn days_ago(app: &TestApp, days: i64) -> String {
    (app.clock.now() - chrono::Duration::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) async fn add(
    app: &TestApp,
    owner: &Session,
    id: &str,
    kind: &str,
    at: &str,
    data: Value,
) -> farmgate_tests::Resp {
    app.post(
        &format!("/api/v1/batches/{id}/events"),
        json!({"kind": kind, "occurred_at": at, "data": data}),
        Some(&owner.token),
    )
    .await
}

async fn pdf(
    app: &TestApp,
    owner: &Session,
    id: &str,
    bytes: Vec<u8>,
    name: &str,
) -> farmgate_tests::Resp {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    app.send(
        app.http
            .post(app.url(&format!("/api/v1/batches/{id}/attachments")))
            .bearer_auth(&owner.token)
            .multipart(form),
    )
    .await
}

pub(crate) async fn page(app: &TestApp, code: &str) -> (u16, String) {
    let r = app.get(&format!("/t/{code}"), None).await;
    (r.status, r.text)
}

async fn verified(app: &TestApp, code: &str) -> Value {
    app.get(&format!("/api/v1/trace/{code}/verify"), None)
        .await
        .body
}

/// Rewrites one event's body in the database, as someone with database access could.
async fn tamper(app: &TestApp, batch: &str, seq: i32, f: impl FnOnce(&mut Value)) {
    let db = &app.state.infra.db;
    let id: uuid::Uuid = batch.parse().unwrap_or_default();
    let e = event::Entity::find()
        .filter(event::Column::BatchId.eq(id))
        .filter(event::Column::Seq.eq(seq))
        .one(db)
        .await
        .expect("query")
        .expect("event");
    let mut body = e.body.clone();
    f(&mut body);
    event::Entity::update_many()
        .col_expr(event::Column::Body, sea_orm::sea_query::Expr::value(body))
        .filter(event::Column::Id.eq(e.id))
        .exec(db)
        .await
        .expect("tamper");
}

both_backends! {
    async fn a_batch_gets_a_code_a_certificate_and_a_verifying_record(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let r = app.post(&format!("/api/v1/listings/{listing}/batches"), batch_body(), Some(&owner.token)).await;
        r.expect_status(201);
        let code = r.body["code"].as_str().unwrap_or_default().to_owned();
        assert_eq!(code.len(), 16);
        assert_eq!(r.body["code_display"].as_str().map(str::len), Some(19));
        assert!(r.body["trace_url"].as_str().is_some_and(|u| u.ends_with(&format!("/t/{code}"))));
        assert_eq!(r.body["facts"]["certificate"]["issuer"], "梅岭脐橙专业合作社");
        assert_eq!(r.body["facts"]["plot"]["lat_e6"], 25712340, "coordinates enter the chain as integers");
        assert_eq!(r.body["events"][0]["kind"], "created");
        assert_eq!(r.body["events"][0]["prev_hash"], "0".repeat(64));
        assert_eq!(r.body["verification"]["ok"], true);
        let v = verified(&app, &code).await;
        assert_eq!(v["ok"], true);
        // Any spelling of the code works.
        let lower = format!("{}-{}", &code[..8].to_lowercase(), &code[8..]);
        assert_eq!(verified(&app, &lower).await["ok"], true);
    }

    async fn events_chain_in_order_and_the_rules_refuse_bad_ones(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (id, code) = batch(&app, &owner, &listing).await;
        add(&app, &owner, &id, "planting", &days_ago(&app, 200), json!({"variety": "纽荷尔"})).await.expect_status(201);
        add(&app, &owner, &id, "input", &days_ago(&app, 20), json!({"category": "pesticide", "product": "阿维菌素", "dose": "1500倍液", "safe_interval_days": 14})).await.expect_status(201);
        // Inside the safe interval: refused, naming the earliest date.
        let r = add(&app, &owner, &id, "harvest", &days_ago(&app, 10), json!({"quantity": 2000, "unit": "jin"})).await;
        r.expect_status(422);
        assert!(r.field("occurred_at").is_some_and(|m| m.contains("安全间隔期") && m.contains("最早")), "{}", r.text);
        // Out of order, before the start, in the future: refused.
        let r = add(&app, &owner, &id, "note", &days_ago(&app, 100), json!({"text": "补记"})).await;
        assert!(r.field("occurred_at").is_some(), "before the previous record: {}", r.text);
        let r = add(&app, &owner, &id, "note", "2025-01-01T00:00:00Z", json!({"text": "补记"})).await;
        assert!(r.field("occurred_at").is_some(), "before the batch began: {}", r.text);
        let future = (app.clock.now() + chrono::Duration::days(2)).to_rfc3339();
        let r = add(&app, &owner, &id, "note", &future, json!({"text": "明天"})).await;
        assert!(r.field("occurred_at").is_some(), "in the future: {}", r.text);
        // Bad data by kind; "created" is the system's.
        let r = add(&app, &owner, &id, "inspection", &days_ago(&app, 1), json!({"lab": "县站", "method": "GB", "items": "农残", "result": "maybe"})).await;
        assert!(r.field("data.result").is_some(), "{}", r.text);
        let r = add(&app, &owner, &id, "created", &days_ago(&app, 1), json!({})).await;
        r.expect_status(422);
        let r = add(&app, &owner, &id, "harvest", &days_ago(&app, 5), json!({"quantity": 2000, "unit": "jin"})).await;
        r.expect_status(201);
        assert_eq!(r.body["seq"], 3);
        let b = app.get(&format!("/api/v1/batches/{id}"), Some(&owner.token)).await;
        let events = b.body["events"].as_array().cloned().unwrap_or_default();
        assert_eq!(events.len(), 4, "only the accepted records are in the chain");
        for w in events.windows(2) {
            assert_eq!(w[1]["prev_hash"], w[0]["hash"]);
        }
        assert_eq!(verified(&app, &code).await["ok"], true);
    }

    async fn a_failed_inspection_blocks_the_batch_until_a_passing_retest(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (id, code) = batch(&app, &owner, &listing).await;
        let listing_id = ListingId(listing.parse().unwrap_or_default());
        let batch_id = BatchId(id.parse().unwrap_or_default());
        let before = app.state.trace.ensure_shippable(batch_id, listing_id).await;
        assert!(
            matches!(&before, Err(farmgate_trace::TraceError::NotInspected)),
            "a batch ships only after an inspection passed: {before:?}"
        );
        let insp = |result: &str| json!({"lab": "青石县农产品质量检测站", "method": "GB 23200.113", "items": "农残 56 项", "result": result});
        add(&app, &owner, &id, "inspection", &days_ago(&app, 3), insp("fail")).await.expect_status(201);
        let b = app.get(&format!("/api/v1/batches/{id}"), Some(&owner.token)).await;
        assert_eq!(b.body["status"], "blocked");
        assert!(app.state.trace.ensure_shippable(batch_id, listing_id).await.is_err(), "a failed batch cannot be shipped");
        let (status, html) = page(&app, &code).await;
        assert_eq!(status, 200);
        assert!(html.contains("data-testid=\"blocked\""));
        add(&app, &owner, &id, "inspection", &days_ago(&app, 1), insp("pass")).await.expect_status(201);
        assert!(app.state.trace.ensure_shippable(batch_id, listing_id).await.is_ok());
    }

    async fn lab_reports_are_pdf_or_images_hashed_into_the_chain_and_downloadable(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (id, code) = batch(&app, &owner, &listing).await;
        let report = b"%PDF-1.4\n%fake but well-formed enough\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();
        let a = pdf(&app, &owner, &id, report.clone(), "检测报告.pdf").await;
        a.expect_status(201);
        let sha = farmgate_infra::objects::sha256_hex(&report);
        assert_eq!(a.body["sha256"], sha.as_str());
        let att = a.body["id"].as_str().unwrap_or_default().to_owned();
        let r = app.post(&format!("/api/v1/batches/{id}/events"),
            json!({"kind": "inspection", "occurred_at": days_ago(&app, 1), "data": {"lab": "县检测站", "method": "GB 23200", "items": "农残", "result": "pass"}, "attachments": [att]}),
            Some(&owner.token)).await;
        r.expect_status(201);
        assert_eq!(r.body["attachments"][0]["sha256"], sha.as_str());
        let url = r.body["attachments"][0]["url"].as_str().unwrap_or_default().to_owned();
        let got = app.http.get(app.url(&url)).send().await.expect("download").bytes().await.expect("bytes");
        assert_eq!(farmgate_infra::objects::sha256_hex(&got), sha, "the file served is the file hashed");
        let (_, html) = page(&app, &code).await;
        assert!(html.contains(&sha), "the page shows the report's hash");
        // Not a PDF or image; too big; someone else's batch.
        pdf(&app, &owner, &id, b"<html>not a report</html>".to_vec(), "r.pdf").await.expect_status(415);
        pdf(&app, &owner, &id, b"PK\x03\x04 a zip".to_vec(), "r.pdf").await.expect_status(415);
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(11 * 1024 * 1024, b'x');
        let part = reqwest::multipart::Part::bytes(big).file_name("big.pdf");
        let sent = app.http.post(app.url(&format!("/api/v1/batches/{id}/attachments"))).bearer_auth(&owner.token)
            .multipart(reqwest::multipart::Form::new().part("file", part)).send().await;
        match sent {
            Ok(resp) => assert_eq!(resp.status().as_u16(), 413),
            Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
        }
        let other = app.register("13800000005", "黄建华").await;
        pdf(&app, &other, &id, report, "r.pdf").await.expect_status(403);
        let r = add(&app, &other, &id, "note", &days_ago(&app, 1), json!({"text": "别人的批次"})).await;
        r.expect_status(403);
    }

    async fn the_public_page_shows_the_record_without_login_and_caches_well(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (id, code) = batch(&app, &owner, &listing).await;
        add(&app, &owner, &id, "harvest", &days_ago(&app, 5), json!({"quantity": 2000, "unit": "jin", "note": "<script>alert(1)</script>"})).await.expect_status(201);
        let r = app.get(&format!("/t/{code}"), None).await;
        r.expect_status(200);
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")));
        assert!(r.text.contains("赣南脐橙 10斤装"));
        assert!(r.text.contains("承诺达标合格证"));
        assert!(r.text.contains("data-testid=\"verdict\" data-ok=\"true\""));
        assert!(r.text.contains("梅岭脐橙专业合作社"));
        assert!(!r.text.contains("<script>alert(1)</script>"), "seller text is escaped");
        assert!(r.text.contains("购买同款"), "a link to buy");
        let etag = r.header("etag").unwrap_or_default().to_owned();
        assert!(r.header("cache-control").is_some_and(|c| c.contains("public") && c.contains("max-age")));
        let again = app.send(app.http.get(app.url(&format!("/t/{code}"))).header("if-none-match", &etag)).await;
        again.expect_status(304);
        let en = app.get(&format!("/t/{code}?lang=en"), None).await;
        assert!(en.text.contains("The record is intact and verifies"));
        // A new record shows at once: the cached page is forgotten.
        add(&app, &owner, &id, "packing", &days_ago(&app, 1), json!({"packages": 200, "spec": "10斤/箱"})).await.expect_status(201);
        let fresh = app.send(app.http.get(app.url(&format!("/t/{code}"))).header("if-none-match", &etag)).await;
        fresh.expect_status(200);
        assert!(fresh.text.contains("10斤/箱"));
        // Scans are counted.
        app.state.trace.flush_scans().await.expect("flush");
        let json = app.get(&format!("/api/v1/trace/{code}"), None).await;
        assert!(json.body["scans"].as_i64().unwrap_or(0) >= 4, "{}", json.body["scans"]);
        // The producer's phone is masked for the public, on the page and in the JSON.
        assert_eq!(json.body["facts"]["certificate"]["contact_phone"], "138****0001");
        assert!(r.text.contains("138****0001") && !r.text.contains("13800000001"));
        assert_eq!(app.count("trace_scans", "1=1").await, 1, "counted per batch per day");
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
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (_id, code) = batch(&app, &owner, &listing).await;
        let r = app.get("/01/6901234567892/10/ML-20261120-01", None).await;
        r.expect_status(303);
        assert_eq!(r.header("location"), Some(format!("/t/{code}").as_str()));
        let r = app.get("/01/06901234567892/10/ML-20261120-01", None).await;
        assert_eq!(r.header("location"), Some(format!("/t/{code}").as_str()), "GTIN-14 form too");
        app.get("/01/6901234567893/10/ML-20261120-01", None).await.expect_status(400);
        app.get("/01/6901234567892/10/NO-SUCH-LOT", None).await.expect_status(404);
    }

    async fn unit_codes_count_first_and_repeated_scans(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (id, code) = batch(&app, &owner, &listing).await;
        app.post(&format!("/api/v1/batches/{id}/units"), json!({"count": 0}), Some(&owner.token)).await.expect_status(422);
        app.post(&format!("/api/v1/batches/{id}/units"), json!({"count": 5001}), Some(&owner.token)).await.expect_status(422);
        let r = app.post(&format!("/api/v1/batches/{id}/units"), json!({"count": 3}), Some(&owner.token)).await;
        r.expect_status(201);
        let serial = r.body[1]["serial"].as_str().unwrap_or_default().to_owned();
        assert_eq!(r.body[1]["n"], 2);
        let first = app.get(&format!("/t/{code}/{serial}"), None).await;
        first.expect_status(200);
        assert!(first.header("cache-control").is_some_and(|c| c.contains("no-store")));
        assert!(first.text.contains("data-testid=\"unit\""));
        app.clock.advance(chrono::Duration::hours(3));
        let second = app.get(&format!("/t/{code}/{serial}"), None).await;
        assert!(second.text.contains("<strong>2</strong>"), "scanned twice");
        let units = app.get(&format!("/api/v1/batches/{id}/units"), Some(&owner.token)).await;
        assert_eq!(units.body[1]["scans"], 2);
        assert!(units.body[1]["first_scanned_at"].is_string());
        assert_eq!(units.body[0]["scans"], 0);
        app.get(&format!("/t/{code}/NOSUCHSERIAL"), None).await.expect_status(404);
        let r = app.get(&format!("/01/6901234567892/10/ML-20261120-01/21/{serial}"), None).await;
        assert_eq!(r.header("location"), Some(format!("/t/{code}/{serial}").as_str()));
    }

    async fn qr_codes_labels_and_epcis_export(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (id, code) = batch(&app, &owner, &listing).await;
        add(&app, &owner, &id, "harvest", &days_ago(&app, 5), json!({"quantity": 2000, "unit": "jin"})).await.expect_status(201);
        add(&app, &owner, &id, "packing", &days_ago(&app, 4), json!({"packages": 200, "spec": "10斤/箱"})).await.expect_status(201);
        let svg = app.get(&format!("/api/v1/batches/{id}/qr.svg"), Some(&owner.token)).await;
        svg.expect_status(200);
        assert!(svg.text.starts_with("<?xml") || svg.text.contains("<svg"));
        let png = app.http.get(app.url(&format!("/api/v1/batches/{id}/qr.png?size=256"))).bearer_auth(&owner.token).send().await.expect("png");
        assert_eq!(png.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
        let bytes = png.bytes().await.expect("bytes");
        assert!(image::load_from_memory(&bytes).is_ok_and(|i| i.width() >= 256));
        let sheet = app.get(&format!("/batches/{id}/labels?per_page=12"), Some(&owner.token)).await;
        sheet.expect_status(200);
        assert_eq!(sheet.text.matches("承诺达标合格证").count(), 12);
        assert!(sheet.text.contains("@page") && sheet.text.contains("<svg"));
        app.get(&format!("/batches/{id}/labels"), None).await.expect_status(401);
        let other = app.register("13800000005", "黄建华").await;
        app.get(&format!("/api/v1/batches/{id}/qr.svg"), Some(&other.token)).await.expect_status(403);
        let doc = app.get(&format!("/api/v1/trace/{code}/epcis"), None).await;
        doc.expect_status(200);
        assert_eq!(doc.body["type"], "EPCISDocument");
        assert_eq!(doc.body["schemaVersion"], "2.0");
        let steps: Vec<&str> = doc.body["epcisBody"]["eventList"].as_array().map(|l| l.iter().filter_map(|e| e["bizStep"].as_str()).collect()).unwrap_or_default();
        assert_eq!(steps, ["commissioning", "commissioning", "packing"]);
        assert_eq!(doc.body["epcisBody"]["eventList"][0]["ilmd"]["cbvmda:lotNumber"], "ML-20261120-01");
        assert!(doc.body["epcisBody"]["eventList"][0]["quantityList"][0]["epcClass"].as_str().is_some_and(|c| c.contains("/01/06901234567892/10/")));
    }

    async fn bad_batches_are_refused_and_nothing_is_written(app) {
        let (owner, op, _org, listing) = seller_with_listing(&app).await;
        let mut body = batch_body();
        body["certificate"]["commitments"]["residues_within_limits"] = json!(false);
        body["started_on"] = json!("2026-12-30");
        body["harvest_date"] = json!("2099-01-01");
        body["plot"]["lat"] = json!(51.5);
        body["plot"]["lng"] = json!(-0.12);
        body["quantity"] = json!(0);
        body["quantity_unit"] = json!("ton");
        let r = app.post(&format!("/api/v1/listings/{listing}/batches"), body, Some(&owner.token)).await;
        r.expect_status(422);
        for f in ["certificate.commitments", "harvest_date", "plot.lat", "quantity", "quantity_unit"] {
            assert!(r.field(f).is_some(), "{f}: {}", r.text);
        }
        let other = app.register("13800000005", "黄建华").await;
        app.post(&format!("/api/v1/listings/{listing}/batches"), batch_body(), Some(&other.token)).await.expect_status(403);
        app.post(&format!("/api/v1/listings/{listing}/batches"), batch_body(), Some(&op.token)).await.expect_status(403);
        assert_eq!(app.count("batches", "1=1").await, 0);
        assert_eq!(app.count("batch_events", "1=1").await, 0);
        batch(&app, &owner, &listing).await;
        let dup = app.post(&format!("/api/v1/listings/{listing}/batches"), batch_body(), Some(&owner.token)).await;
        dup.expect_status(409);
        assert!(dup.field("lot").is_some());
        assert_eq!(app.count("batches", "1=1").await, 1);
    }

    async fn a_changed_event_is_reported_by_the_page_the_api_and_the_cli(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (id, code) = batch(&app, &owner, &listing).await;
        add(&app, &owner, &id, "input", &days_ago(&app, 30), json!({"category": "pesticide", "product": "阿维菌素", "dose": "1500倍液", "safe_interval_days": 14})).await.expect_status(201);
        add(&app, &owner, &id, "harvest", &days_ago(&app, 5), json!({"quantity": 2000, "unit": "jin"})).await.expect_status(201);
        assert!(farmgate_server::verify::run(&app.state.trace, Some(&code), false).await.expect("verify"));
        // Someone shortens the safe interval in the database.
        tamper(&app, &id, 1, |b| b["data"]["safe_interval_days"] = json!(3)).await;
        let v = verified(&app, &code).await;
        assert_eq!(v["ok"], false);
        assert_eq!(v["broken_at"], 1);
        app.state.trace.forget_page(&code).await;
        let (_, html) = page(&app, &code).await;
        assert!(html.contains("data-ok=\"false\"") && html.contains("第 1 条记录的内容被改动过"), "the page warns");
        assert!(!farmgate_server::verify::run(&app.state.trace, Some(&code), false).await.expect("verify"), "the CLI reports the break");
    }

    async fn a_deleted_or_reordered_event_is_reported(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (id, code) = batch(&app, &owner, &listing).await;
        for (i, text) in ["一", "二", "三"].iter().enumerate() {
            add(&app, &owner, &id, "note", &days_ago(&app, 10 - i64::try_from(i).unwrap_or(0)), json!({"text": text})).await.expect_status(201);
        }
        let db = &app.state.infra.db;
        let batch_id: uuid::Uuid = id.parse().unwrap_or_default();
        // Reorder: swap events 1 and 2.
        let events = event::Entity::find().filter(event::Column::BatchId.eq(batch_id)).order_by_asc(event::Column::Seq).all(db).await.expect("events");
        for (e, seq) in [(&events[1], -1), (&events[2], 1), (&events[1], 2)] {
            event::Entity::update(event::ActiveModel { id: Set(e.id), seq: Set(seq), ..Default::default() }).exec(db).await.expect("reorder");
        }
        let v = verified(&app, &code).await;
        assert_eq!(v["ok"], false, "reordered: {v}");
        // Delete one.
        event::Entity::delete_by_id(events[2].id).exec(db).await.expect("delete");
        let v = verified(&app, &code).await;
        assert_eq!(v["ok"], false, "deleted: {v}");
        assert!(!farmgate_server::verify::run(&app.state.trace, None, false).await.expect("verify all"));
    }

    async fn a_consistent_rewrite_of_history_is_caught_by_the_published_digest(app) {
        let (owner, _op, _org, listing) = seller_with_listing(&app).await;
        let (id, code) = batch(&app, &owner, &listing).await;
        add(&app, &owner, &id, "inspection", &days_ago(&app, 2), json!({"lab": "县检测站", "method": "GB 23200", "items": "农残", "result": "fail"})).await.expect_status(201);
        add(&app, &owner, &id, "note", &days_ago(&app, 1), json!({"text": "复检安排中"})).await.expect_status(201);
        let digest = app.state.trace.publish_digest(app.clock.now()).await.expect("digest");
        let log = app.get("/api/v1/trace/digests", None).await;
        assert_eq!(log.body[0]["root"], digest.root.as_str());
        let saved_root = digest.root.clone();
        let proof = app.get(&format!("/api/v1/trace/{code}/proof?digest={}", digest.seq), None).await;
        proof.expect_status(200);
        assert!(fold(&proof.body) == saved_root, "the proof folds to the published root");
        // Someone with database access turns the failed test into a pass and recomputes every
        // later hash, so the batch verifies on its own again.
        tamper(&app, &id, 1, |b| b["data"]["result"] = json!("pass")).await;
        rehash(&app, &id).await;
        assert_eq!(verified(&app, &code).await["ok"], true, "the rewrite is self-consistent");
        // But the digest published before does not match any more.
        let checks = app.state.trace.verify_digests().await.expect("checks");
        assert!(!checks[0].root_matches, "{checks:?}");
        let proof = app.get(&format!("/api/v1/trace/{code}/proof?digest={}", digest.seq), None).await;
        assert_ne!(fold(&proof.body), saved_root, "a saved copy of the root exposes the rewrite");
        assert!(!farmgate_server::verify::run(&app.state.trace, None, true).await.expect("verify"));
    }
}

/// Folds a proof the way CHAIN.md tells anyone to.
fn fold(proof: &Value) -> String {
    use sha2::Digest;
    let node =
        |l: &str, r: &str| hex::encode(sha2::Sha256::digest(format!("node\n{l}\n{r}").as_bytes()));
    let mut acc = proof["leaf"].as_str().unwrap_or_default().to_owned();
    for step in proof["path"].as_array().cloned().unwrap_or_default() {
        let h = step["hash"].as_str().unwrap_or_default();
        acc = if step["left"] == true {
            node(h, &acc)
        } else {
            node(&acc, h)
        };
    }
    acc
}

/// Recomputes every hash of a batch from its (tampered) bodies, as a careful forger would.
async fn rehash(app: &TestApp, batch: &str) {
    let db = &app.state.infra.db;
    let id: uuid::Uuid = batch.parse().unwrap_or_default();
    let events = event::Entity::find()
        .filter(event::Column::BatchId.eq(id))
        .order_by_asc(event::Column::Seq)
        .all(db)
        .await
        .expect("events");
    let mut prev = farmgate_trace::chain::GENESIS.to_owned();
    for e in events {
        let hash = farmgate_trace::chain::event_hash(&prev, &e.body).expect("hash");
        event::Entity::update(event::ActiveModel {
            id: Set(e.id),
            prev_hash: Set(prev.clone()),
            hash: Set(hash.clone()),
            ..Default::default()
        })
        .exec(db)
        .await
        .expect("rehash");
        prev = hash;
    }
}
