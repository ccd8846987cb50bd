//! Issue #17: the verdict is a list of checks, and each kind of tampering an insider with the
//! database and the object store could try is reported by the verify API, the scan page and
//! `farmgate verify` — plus the object store audit and its operator alert.

use super::trace::{delete_event, stored_events, tamper, update_event};
use farmgate_infra::objects::{ObjectKey, sha256_hex};
use farmgate_tests::prelude::*;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

const REPORT: &[u8] = b"%PDF-1.4\n%fake but well-formed enough\n1 0 obj <<>> endobj\n%%EOF\n";

/// A batch with three records after `created`, the last citing a lab report.
struct Recorded {
    code: String,
    id: Uuid,
    /// The lab report's object key.
    report_key: String,
}

impl Recorded {
    /// Records one (each call a new seller, so the lot is always free).
    async fn new(app: &TestApp) -> Self {
        let seller = app
            .verified_seller()
            .with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100).without_tiers())
            .await;
        let batch = app.batch(&seller).await;
        let owner = &seller.owner;
        for (days, text) in [(9, "一"), (8, "二")] {
            app.add_event(
                owner,
                batch.id,
                "note",
                &app.days_ago(days),
                json!({"text": text}),
            )
            .await
            .expect_status(201);
        }
        let a = app
            .upload(
                &format!("/api/v1/batches/{}/attachments", batch.id),
                owner,
                REPORT.to_vec(),
                "检测报告.pdf",
            )
            .await;
        a.expect_status(201);
        let r = app.post(&format!("/api/v1/batches/{}/events", batch.id),
            json!({"kind": "inspection", "occurred_at": app.days_ago(1), "data": inspection("pass"), "attachments": [a.id()]}),
            Some(&owner.token)).await;
        r.expect_status(201);
        let report_key = r
            .string("attachments.0.url")
            .trim_start_matches("/media/")
            .to_owned();
        Self {
            code: batch.code,
            id: batch.id,
            report_key,
        }
    }

    /// The public verify answer, as anyone gets it.
    async fn verify(&self, app: &TestApp) -> Resp {
        let v = app
            .get(&format!("/api/v1/trace/{}/verify", self.code), None)
            .await;
        v.expect_status(200);
        v
    }

    /// Its events as stored, in order.
    async fn events(&self, app: &TestApp) -> Vec<super::trace::StoredEvent> {
        stored_events(app, self.id).await
    }
}

/// The check of this name in a verify answer.
fn check<'a>(v: &'a Resp, name: &str) -> &'a Value {
    v.arr("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {}", v.text))
}

/// Asserts every detector reports the batch broken, the named check failing.
async fn assert_caught(app: &TestApp, batch: &Recorded, failing: &str) {
    let code = batch.code.as_str();
    let v = batch.verify(app).await;
    assert!(!v.bool("ok"), "the API reports it: {}", v.text);
    assert_eq!(check(&v, failing)["ok"], false, "{failing}: {}", v.text);
    assert!(v.str("reason").len() > 4, "a reason in plain words");
    app.state.trace.forget_page(code).await;
    let page = app.get(&format!("/t/{code}"), None).await;
    page.expect_status(200);
    assert!(
        page.text
            .contains("data-testid=\"verdict\" data-ok=\"false\""),
        "the page warns"
    );
    assert!(
        page.text
            .contains(&format!("data-check=\"{failing}\" data-ok=\"false\"")),
        "the page names the check"
    );
    assert!(
        !farmgate_server::verify::run(&app.state.trace, Some(code), false)
            .await
            .expect("verify"),
        "the CLI reports it"
    );
}

async fn set_batch_column(app: &TestApp, id: Uuid, column: &'static str, value: sea_orm::Value) {
    let q = Query::update()
        .table("batches")
        .value(column, value)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    app.state
        .infra
        .db
        .execute(&q)
        .await
        .expect("update the batch");
}

/// Puts other bytes under a stored object's key, as someone with the store's keys could.
async fn replace_object(app: &TestApp, key: &str, bytes: &[u8]) {
    let key = ObjectKey::parse(key).expect("key");
    app.state
        .infra
        .objects
        .put(
            &key,
            bytes::Bytes::copy_from_slice(bytes),
            "application/pdf",
        )
        .await
        .expect("put");
}

both_backends! {
    async fn an_untouched_batch_passes_every_check_and_the_page_says_what_was_checked(app) {
        let batch = Recorded::new(&app).await;
        let (code, key) = (&batch.code, &batch.report_key);

        let v = batch.verify(&app).await;

        assert!(v.bool("ok"), "{}", v.text);
        let names: Vec<&str> = v.arr("checks").iter().map(|c| c["name"].as_str().unwrap_or_default()).collect();
        // A v2 batch (the default, CHAIN.md §13) also has its commitments checked.
        assert_eq!(names, ["chain", "head", "attachments", "commitments", "log_inclusion"]);
        assert!(v.arr("checks").iter().all(|c| c["ok"] == true && c["detail_zh"].as_str().is_some_and(|d| !d.is_empty()) && c["detail_en"].as_str().is_some_and(|d| !d.is_empty())));
        assert!(check(&v, "attachments")["detail_en"].as_str().unwrap_or_default().contains("re-hashed"), "{}", v.text);
        let en = app.send(app.http.get(app.url(&format!("/api/v1/trace/{code}/verify"))).header("accept-language", "en")).await;
        assert!(check(&en, "head")["detail"].as_str().unwrap_or_default().contains("none was deleted"), "{}", en.text);
        let page = app.get(&format!("/t/{code}"), None).await;
        assert!(page.text.contains("data-check=\"chain\" data-ok=\"true\""));
        assert!(page.text.contains("data-check=\"head\" data-ok=\"true\""));
        assert!(page.text.contains("data-check=\"attachments\" data-ok=\"true\""));
        assert!(page.text.contains("data-check=\"commitments\" data-ok=\"true\""));
        assert!(page.text.contains("末尾没有记录被删除"), "the page says what was checked");
        let file = app.http.get(app.url(&format!("/media/{key}"))).send().await.expect("download");
        assert_eq!(file.status().as_u16(), 200);
        assert_eq!(sha256_hex(&file.bytes().await.expect("bytes")), sha256_hex(REPORT));
        assert!(farmgate_server::verify::run(&app.state.trace, Some(code), false).await.expect("verify"));
    }

    async fn an_edited_field_is_reported_everywhere(app) {
        let batch = Recorded::new(&app).await;
        tamper(&app, batch.id, 2, |b| b["data"]["text"] = json!("改过")).await;
        assert_caught(&app, &batch, "chain").await;
    }

    async fn deleting_the_last_event_is_caught_by_the_head_and_count(app) {
        let batch = Recorded::new(&app).await;
        let events = batch.events(&app).await;
        delete_event(&app, events[3].id).await;

        assert_caught(&app, &batch, "head").await;
        let v = batch.verify(&app).await;
        assert_eq!(check(&v, "chain")["ok"], true, "the shortened chain is consistent on its own");
        assert_eq!(v.i64("broken_at"), 3);
        // Deleting the last two, and moving the stored head back with them, still leaves the count.
        delete_event(&app, events[2].id).await;
        let hash1 = column_of(&app, "batch_events", events[1].id, "hash").await;
        set_batch_column(&app, batch.id, "head_hash", hash1.into()).await;
        assert_caught(&app, &batch, "head").await;
    }

    async fn deleting_a_middle_event_is_reported_everywhere(app) {
        let batch = Recorded::new(&app).await;
        let events = batch.events(&app).await;
        delete_event(&app, events[1].id).await;
        assert_caught(&app, &batch, "chain").await;
    }

    async fn reordering_two_events_is_reported_everywhere(app) {
        let batch = Recorded::new(&app).await;
        let events = batch.events(&app).await;
        for (e, seq) in [(&events[1], -1), (&events[2], 1), (&events[1], 2)] {
            update_event(&app, e.id, "seq", seq.into()).await;
        }
        assert_caught(&app, &batch, "chain").await;
    }

    async fn a_changed_stored_hash_column_is_reported_everywhere(app) {
        let batch = Recorded::new(&app).await;
        // The batch's stored head.
        set_batch_column(&app, batch.id, "head_hash", "ab".repeat(32).into()).await;
        assert_caught(&app, &batch, "head").await;
        // An event's stored hash.
        let other = Recorded::new(&app).await;
        let events = other.events(&app).await;
        update_event(&app, events[3].id, "hash", "cd".repeat(32).into()).await;
        assert_caught(&app, &other, "chain").await;
    }

    async fn replacing_a_files_bytes_in_the_object_store_is_reported_and_never_served(app) {
        let batch = Recorded::new(&app).await;
        let key = &batch.report_key;
        replace_object(&app, key, b"%PDF-1.4\n%a different report that says pass\n%%EOF\n").await;

        assert_caught(&app, &batch, "attachments").await;
        let v = batch.verify(&app).await;
        assert_eq!(check(&v, "chain")["ok"], true, "the chain itself is untouched");
        assert!(check(&v, "attachments")["detail_zh"].as_str().unwrap_or_default().contains("已被替换"), "{}", v.text);
        let file = app.get(&format!("/media/{key}"), None).await;
        file.expect_status(409);
        assert_eq!(file.str("error.code"), "file_altered");
        // A file that is gone is reported too.
        app.state.infra.objects.delete(&ObjectKey::parse(key).expect("key")).await.expect("delete");
        let v = batch.verify(&app).await;
        assert!(check(&v, "attachments")["detail_en"].as_str().unwrap_or_default().contains("gone"), "{}", v.text);
        app.get(&format!("/media/{key}"), None).await.expect_status(404);
    }

    async fn the_object_store_audit_finds_a_replaced_file_warns_the_page_and_alerts_the_operator(app) {
        let batch = Recorded::new(&app).await;
        let (code, key) = (&batch.code, &batch.report_key);
        let other = Recorded::new(&app).await;
        assert!(app.count("outbox_events", "topic = 'trace.audit.due'").await >= 1, "the audit is scheduled");
        assert_eq!(app.state.trace.audit_all().await.expect("audit"), (2, 0));
        let op = app.operator().await;
        let report = app.get("/api/v1/admin/trace/audit", Some(&op.token)).await;
        report.expect_status(200);
        assert_eq!(report.i64("audited"), 2);
        assert!(report.arr("alerts").is_empty());

        replace_object(&app, key, b"%PDF-1.4\nother bytes\n%%EOF\n").await;
        let (checked, mismatches) = app.state.trace.audit_all().await.expect("audit");

        assert_eq!((checked, mismatches), (2, 1));
        let report = app.get("/api/v1/admin/trace/audit", Some(&op.token)).await;
        assert_eq!(report.arr("alerts").len(), 1, "{}", report.text);
        assert_eq!(report.str("alerts.0.code"), code.as_str());
        assert_eq!(report.str("alerts.0.object_key"), key.as_str());
        assert_eq!(report.str("alerts.0.expected_sha256"), sha256_hex(REPORT));
        assert_eq!(report.string("alerts.0.batch_id"), batch.id.to_string());
        // The scan page warns without hashing anything itself (the audit's finding).
        let page = app.get(&format!("/t/{code}"), None).await;
        assert!(page.text.contains("data-check=\"attachments\" data-ok=\"false\""), "the page warns");
        assert!(page.text.contains("平台定期核对发现"));
        let other = app.get(&format!("/t/{}", other.code), None).await;
        assert!(other.text.contains("data-ok=\"true\""), "the other batch is unaffected");
        // Who may see the alerts.
        let official = app.official().await;
        app.get("/api/v1/admin/trace/audit", Some(&official.token)).await.expect_status(200);
        let someone = app.register("13800000009", "黄建华").await;
        app.get("/api/v1/admin/trace/audit", Some(&someone.token)).await.expect_status(403);
        app.get("/api/v1/admin/trace/audit", None).await.expect_status(401);
        // Restored bytes clear the alert on the next pass.
        replace_object(&app, key, REPORT).await;
        assert_eq!(app.state.trace.audit_all().await.expect("audit"), (2, 0));
        let report = app.get("/api/v1/admin/trace/audit", Some(&op.token)).await;
        assert!(report.arr("alerts").is_empty(), "{}", report.text);
    }

    async fn the_public_verify_reuses_a_files_match_for_60_seconds_then_reads_the_store_again(app) {
        let batch = Recorded::new(&app).await;
        assert!(batch.verify(&app).await.bool("ok"));
        // Bytes replaced right after a match: the API's calls within 60 s do not read the
        // object store again (that is what keeps 200 files of 10 MB from being re-read on
        // every anonymous call), so they still answer from the match.
        replace_object(&app, &batch.report_key, b"%PDF-1.4\nreplaced within the minute\n%%EOF\n").await;
        app.clock.advance(chrono::Duration::seconds(59));
        let v = batch.verify(&app).await;
        assert!(v.bool("ok"), "the match of a minute ago is reused: {}", v.text);

        // Once the 60 s are over, the next call reads the bytes again and reports them.
        app.clock.advance(chrono::Duration::seconds(2));
        let v = batch.verify(&app).await;
        assert!(!v.bool("ok"), "{}", v.text);
        assert_eq!(check(&v, "attachments")["ok"], false, "{}", v.text);
        // A mismatch is never reused as a match: the next call reads again and says so again.
        let v = batch.verify(&app).await;
        assert_eq!(check(&v, "attachments")["ok"], false, "{}", v.text);
    }

    async fn the_audit_or_the_cli_finding_a_replaced_file_ends_the_reuse_at_once(app) {
        let batch = Recorded::new(&app).await;
        let other = Recorded::new(&app).await;
        assert!(batch.verify(&app).await.bool("ok"));
        assert!(other.verify(&app).await.bool("ok"));
        replace_object(&app, &batch.report_key, b"%PDF-1.4\nreplaced\n%%EOF\n").await;
        replace_object(&app, &other.report_key, b"%PDF-1.4\nreplaced too\n%%EOF\n").await;

        // The background audit re-reads every file and forgets the match it contradicts.
        let (_, mismatches) = app.state.trace.audit_all().await.expect("audit");
        assert_eq!(mismatches, 2);
        let v = batch.verify(&app).await;
        assert_eq!(check(&v, "attachments")["ok"], false, "caught within the minute: {}", v.text);

        // So does `farmgate verify`, which never reuses a match.
        replace_object(&app, &other.report_key, REPORT).await;
        assert!(other.verify(&app).await.bool("ok"), "restored bytes match again");
        replace_object(&app, &other.report_key, b"%PDF-1.4\nreplaced again\n%%EOF\n").await;
        assert!(
            !farmgate_server::verify::run(&app.state.trace, Some(&other.code), false).await.expect("verify"),
            "the CLI re-reads the file"
        );
        let v = other.verify(&app).await;
        assert_eq!(check(&v, "attachments")["ok"], false, "{}", v.text);
    }
}

/// One column of one row, read straight from the database.
async fn column_of(app: &TestApp, table: &'static str, id: Uuid, column: &'static str) -> String {
    let q = Query::select()
        .column(column)
        .from(table)
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let row = app
        .state
        .infra
        .db
        .query_one(&q)
        .await
        .expect("query")
        .expect("row");
    row.try_get("", column).expect("column")
}
