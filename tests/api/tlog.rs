//! The trace transparency log through the real server (CHAIN.md §10–§11): signed checkpoints,
//! C2SP tiles, inclusion and consistency proofs, the "log inclusion" check of the verdict, and
//! what an insider with database access can no longer do quietly.

use farmgate_tests::prelude::*;
use farmgate_trace::tlog::{self, Leaf, PublicKey, TilePath};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

/// A seller's batch with two more records (three leaves).
pub(super) async fn recorded_batch(app: &TestApp) -> Batch {
    let seller = app
        .verified_seller()
        .with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100).without_tiers())
        .await;
    let batch = app.batch(&seller).await;
    for (i, text) in ["施肥", "疏果"].iter().enumerate() {
        app.add_event(
            &seller.owner,
            batch.id,
            "note",
            &app.days_ago(10 - i as i64),
            json!({"text": text}),
        )
        .await
        .expect_status(201);
    }
    batch
}

pub(super) async fn checkpoint(app: &TestApp) {
    app.state.trace.checkpoint_log().await.expect("checkpoint");
}

fn log_key(app: &TestApp) -> PublicKey {
    PublicKey::parse(&app.state.trace.log().key.note_vkey()).expect("the log's key")
}

async fn bytes(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let resp = reqwest::get(app.url(path))
        .await
        .expect("the server answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (
        status,
        headers,
        resp.bytes().await.expect("a body").to_vec(),
    )
}

async fn verdict(app: &TestApp, code: &str) -> Resp {
    app.get(&format!("/api/v1/trace/{code}/verify"), None).await
}

/// One of the verdict's checks by name.
fn named<'a>(v: &'a Resp, name: &str) -> &'a Value {
    v.body["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no {name} check: {}", v.text))
}

/// The verdict's log check in full (`log`), after checking that it is also one of the
/// verdict's checks, passing or failing with it.
fn log_check(v: &Resp) -> &Value {
    let listed = v.body["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "log_inclusion"))
        .unwrap_or_else(|| panic!("no log inclusion check: {}", v.text));
    let log = &v.body["log"];
    assert_eq!(listed["ok"], log["ok"], "{}", v.text);
    if log["ok"] == false {
        assert_eq!(
            v.body["ok"], false,
            "a failed log check fails the verdict: {}",
            v.text
        );
    }
    log
}

async fn sql<S: sea_orm::StatementBuilder>(app: &TestApp, stmt: S) {
    app.state
        .infra
        .db
        .execute(&stmt)
        .await
        .expect("tampering SQL");
}

/// The batch's last stored event: (id, seq).
async fn last_event(app: &TestApp, batch: Uuid) -> Uuid {
    let db = &app.state.infra.db;
    let q = Query::select()
        .columns(["id", "seq"])
        .from("batch_events")
        .and_where(Expr::col("batch_id").eq(batch))
        .to_owned();
    let rows = db.query_all(&q).await.expect("events");
    rows.into_iter()
        .map(|r| {
            (
                r.try_get::<i32>("", "seq").expect("seq"),
                r.try_get::<Uuid>("", "id").expect("id"),
            )
        })
        .max()
        .expect("an event")
        .1
}

both_backends! {
    async fn a_signed_checkpoint_tiles_and_an_inclusion_proof_verify_with_the_logs_key_alone(app) {
        let batch = recorded_batch(&app).await;
        checkpoint(&app).await;

        let (status, headers, note) = bytes(&app, "/tlog/checkpoint").await;
        assert_eq!(status, 200);
        assert_eq!(headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-cache"));
        let opened = tlog::open_note(&note, &[log_key(&app)]).expect("signed by the log");
        let cp = opened.checkpoint;
        assert_eq!(cp.origin, app.state.trace.log().origin);
        assert!(cp.size >= 3, "three records at least: {}", cp.size);

        let inc = app.get(&format!("/api/v1/trace/{}/inclusion", batch.code), None).await;
        inc.expect_status(200);
        assert_eq!(inc.i64("seq"), 2, "the head is the last record");
        let leaf = Leaf { code: batch.code.clone(), seq: 2, event_hash: inc.string("event_hash") };
        assert_eq!(inc.str("entry").as_bytes(), leaf.to_bytes());
        let index = u64::try_from(inc.i64("leaf_index")).expect("index");
        let proof: Vec<tlog::Hash> = inc.arr("proof").iter().map(|h| tlog::parse_hex(h.as_str().expect("hex")).expect("hash")).collect();
        assert!(tlog::check_inclusion(&proof, cp.size, cp.root, index, leaf.hash()), "the proof folds to the signed root");
        assert_eq!(inc.string("event_hash"), app.get(&format!("/api/v1/trace/{}/verify", batch.code), None).await.string("head"));

        // The entry bundle and the level-0 hash tile holding the leaf, immutable.
        let width = std::cmp::min(cp.size, 256);
        let entries = TilePath::Entries { index: 0, width }.path();
        let (status, headers, bundle) = bytes(&app, &format!("/tlog/{entries}")).await;
        assert_eq!(status, 200, "{entries}");
        assert!(headers.get("cache-control").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("immutable")));
        let entries = tlog::parse_entry_bundle(&bundle).expect("a bundle");
        assert_eq!(entries.len() as u64, width);
        assert_eq!(entries[index as usize], leaf.to_bytes());
        let hashes = TilePath::Hashes { level: 0, index: 0, width }.path();
        let (status, _, tile) = bytes(&app, &format!("/tlog/{hashes}")).await;
        assert_eq!(status, 200);
        assert_eq!(&tile[index as usize * 32..index as usize * 32 + 32], &leaf.hash().0);
        // A tile the published tree does not hold, or a spelling that is not the tile's name.
        for path in ["/tlog/tile/0/000", "/tlog/tile/0/000.p/255", "/tlog/tile/0/0", "/tlog/tile/entries/001.p/1"] {
            if path == "/tlog/tile/0/000.p/255" && cp.size == 255 { continue; }
            assert_eq!(bytes(&app, path).await.0, 404, "{path}");
        }

        // Consistency from a smaller size to the published one.
        let c = app.get(&format!("/api/v1/trace/log/consistency?from=1&to={}", cp.size), None).await;
        c.expect_status(200);
        let proof: Vec<tlog::Hash> = c.arr("proof").iter().map(|h| tlog::parse_hex(h.as_str().expect("hex")).expect("hash")).collect();
        let old = tlog::parse_hex(c.str("from_root")).expect("root");
        assert!(tlog::check_consistency(&proof, cp.size, cp.root, 1, old));
        app.get(&format!("/api/v1/trace/log/consistency?from=2&to={}", cp.size + 1), None).await.expect_status(404);
        app.get("/api/v1/trace/log/consistency?from=3&to=2", None).await.expect_status(404);
        app.get("/api/v1/trace/log/consistency?from=x&to=2", None).await.expect_status(400);

        // The verdict names the check and the checkpoint behind it.
        let v = verdict(&app, &batch.code).await;
        assert!(v.bool("ok"), "{}", v.text);
        let check = log_check(&v);
        assert_eq!(check["status"], "pass", "{check}");
        assert_eq!(check["checkpoint_signers"][0], app.state.trace.log().origin.as_str());
        assert!(check["checkpoint_signed_at"].is_string());
        assert!(farmgate_server::verify::run(&app.state.trace, Some(&batch.code), false).await.expect("verify"));
        // The scan page says what was checked, when the checkpoint was signed, and by whom.
        app.state.trace.forget_page(&batch.code).await;
        let page = app.get(&format!("/t/{}", batch.code), None).await;
        assert!(page.text.contains("data-testid=\"log-check\" data-status=\"pass\""), "{}", page.text);
        assert!(page.text.contains("仅由平台签署（未配置见证方）"), "demo mode says no witness signed");
    }

    async fn a_record_made_after_the_latest_checkpoint_is_pending_then_covered_by_the_next(app) {
        let batch = recorded_batch(&app).await;
        // Nothing new: no second checkpoint is signed for the same tree.
        checkpoint(&app).await;
        let before = app.count("trace_log_checkpoints", "1=1").await;
        checkpoint(&app).await;
        assert_eq!(app.count("trace_log_checkpoints", "1=1").await, before);

        let other = recorded_batch(&app).await;
        let check = log_check(&verdict(&app, &other.code).await).clone();
        assert_eq!(check["status"], "pending", "{check}");
        assert_eq!(check["ok"], true);
        app.get(&format!("/api/v1/trace/{}/inclusion", other.code), None).await.expect_status(404);

        checkpoint(&app).await;
        assert_eq!(log_check(&verdict(&app, &other.code).await)["status"], "pass");
        assert_eq!(log_check(&verdict(&app, &batch.code).await)["status"], "pass");
        // Every event is a leaf, once.
        assert_eq!(app.count("trace_log_leaves", "1=1").await, app.count("batch_events", "1=1").await);
    }

    async fn deleting_the_last_record_after_a_checkpoint_is_reported_by_the_api_and_the_cli(app) {
        let batch = recorded_batch(&app).await;
        checkpoint(&app).await;

        // The chain of the two remaining records still verifies on its own.
        let last = last_event(&app, batch.id).await;
        sql(&app, Query::delete().from_table("batch_events").and_where(Expr::col("id").eq(last)).to_owned()).await;

        let v = verdict(&app, &batch.code).await;
        assert_eq!(named(&v, "chain")["ok"], true, "the chain alone sees nothing: {}", v.text);
        assert!(!v.bool("ok"), "{}", v.text);
        let check = log_check(&v);
        assert_eq!(check["status"], "fail");
        assert!(check["message_en"].as_str().is_some_and(|m| m.contains("Record 2") && m.contains("deleted")), "{check}");
        assert!(!farmgate_server::verify::run(&app.state.trace, Some(&batch.code), false).await.expect("verify"));
        app.state.trace.forget_page(&batch.code).await;
        let page = app.get(&format!("/t/{}", batch.code), None).await;
        assert!(page.text.contains("data-check=\"log_inclusion\" data-ok=\"false\"") && page.text.contains("公开日志"), "the page warns: {}", page.text);
    }

    async fn a_consistent_rewrite_after_a_checkpoint_is_reported(app) {
        let batch = recorded_batch(&app).await;
        checkpoint(&app).await;

        // Rewrite record 1's text and recompute every hash, as a careful forger would.
        let db = &app.state.infra.db;
        let rows = db.query_all(&Query::select().columns(["id", "seq", "body"]).from("batch_events")
            .and_where(Expr::col("batch_id").eq(batch.id)).to_owned()).await.expect("events");
        let mut events: Vec<(i32, Uuid, Value)> = rows.into_iter().map(|r| (r.try_get("", "seq").expect("seq"), r.try_get("", "id").expect("id"), r.try_get("", "body").expect("body"))).collect();
        events.sort_by_key(|e| e.0);
        events[1].2["data"]["text"] = json!("从未施肥");
        let mut prev = farmgate_trace::chain::GENESIS.to_owned();
        let version = crate::trace::batch_version(&app, batch.id).await;
        for (_, id, body) in &events {
            let hash = farmgate_trace::chain::event_hash_as(version, &prev, body).expect("hash");
            sql(&app, Query::update().table("batch_events").values([("body", body.clone().into()), ("prev_hash", prev.clone().into()), ("hash", hash.clone().into())]).and_where(Expr::col("id").eq(*id)).to_owned()).await;
            prev = hash;
        }

        let v = verdict(&app, &batch.code).await;
        assert_eq!(named(&v, "chain")["ok"], true, "self-consistent: {}", v.text);
        assert!(!v.bool("ok"));
        assert!(log_check(&v)["message_en"].as_str().is_some_and(|m| m.contains("rewritten")), "{}", v.text);
        assert!(!farmgate_server::verify::run(&app.state.trace, None, false).await.expect("verify all"));

        // Rewriting the log's leaf too does not help: its hash no longer proves into the
        // signed root.
        sql(&app, Query::update().table("trace_log_leaves").value("event_hash", prev.clone()).and_where(Expr::col("code").eq(batch.code.clone())).and_where(Expr::col("seq").eq(2)).to_owned()).await;
        let v = verdict(&app, &batch.code).await;
        assert!(!v.bool("ok"), "{}", v.text);
        assert_eq!(log_check(&v)["status"], "fail");
    }

    async fn a_logged_batch_deleted_from_the_database_gets_a_tamper_warning_not_a_404(app) {
        let batch = recorded_batch(&app).await;
        checkpoint(&app).await;
        sql(&app, Query::delete().from_table("batch_events").and_where(Expr::col("batch_id").eq(batch.id)).to_owned()).await;
        sql(&app, Query::delete().from_table("batches").and_where(Expr::col("id").eq(batch.id)).to_owned()).await;

        let v = verdict(&app, &batch.code).await;
        v.expect_status(200);
        assert!(!v.bool("ok"));
        assert_eq!(log_check(&v)["status"], "fail");
        assert!(!farmgate_server::verify::run(&app.state.trace, Some(&batch.code), false).await.expect("verify"));
        let page = app.get(&format!("/t/{}", batch.code), None).await;
        page.expect_status(200);
        assert!(page.text.contains("记录被删除") && page.text.contains("data-ok=\"false\""), "{}", page.text);
        // A code that never existed is still simply not found.
        app.get("/api/v1/trace/9ZFBGPK3BKXTRQWU/verify", None).await.expect_status(404);
        app.get("/api/v1/trace/9ZFBGPK3BKXTRQWU/inclusion", None).await.expect_status(404);
        app.get("/t/9ZFBGPK3BKXTRQWU", None).await.expect_status(404);
    }

    async fn events_recorded_before_the_log_existed_are_carried_in_once(app) {
        let batch = recorded_batch(&app).await;
        // As before migration 22: no leaves, an empty tree.
        sql(&app, Query::delete().from_table("trace_log_leaves").to_owned()).await;
        sql(&app, Query::delete().from_table("trace_log_hashes").to_owned()).await;
        sql(&app, Query::delete().from_table("trace_log_checkpoints").to_owned()).await;
        sql(&app, Query::update().table("trace_log_state").value("size", 0).to_owned()).await;

        let carried = app.state.trace.backfill_log().await.expect("backfill");
        assert_eq!(carried as i64, app.count("batch_events", "1=1").await);
        assert_eq!(app.state.trace.backfill_log().await.expect("again"), 0, "once");
        checkpoint(&app).await;
        let v = verdict(&app, &batch.code).await;
        assert_eq!(log_check(&v)["status"], "pass", "{}", v.text);
    }
}

/// Starts a witness of the log signed by `log` on a random port; its URL and cosignature key.
pub(super) async fn start_witness(
    name: &str,
    log: &tlog::NamedKey,
    dir: &std::path::Path,
) -> (String, String) {
    use farmgate_server::witness::{Witness, router};
    let key = tlog::NamedKey::generate(name).expect("witness key");
    let vkey = key.cosignature_vkey();
    let w = Witness::new(
        key,
        vec![PublicKey::parse(&log.note_vkey()).expect("log key")],
        dir.join(name),
    )
    .expect("witness");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, router(std::sync::Arc::new(w))).await });
    (url, vkey)
}

/// Two witnesses (the market-supervision bureau, a cooperative federation), quorum two: a
/// checkpoint is published with both cosignatures; after a rewrite of the log (an event
/// changed and the tree rebuilt from the database) both refuse, and nothing new is published.
async fn witnesses_cosign_an_extension_and_refuse_a_rewrite(backend: Backend) {
    let dir = tempfile::tempdir().expect("a directory");
    let log = tlog::NamedKey::generate("farmgate.local/trace-log").expect("log key");
    let key_file = dir.path().join("trace-log.key");
    std::fs::write(&key_file, log.to_private()).expect("key file");
    let (u1, k1) = start_witness("witness.scjgj.example", &log, dir.path()).await;
    let (u2, k2) = start_witness("witness.coop-federation.example", &log, dir.path()).await;
    let witnesses = format!("{u1} {k1}; {u2} {k2}");
    let Some(app) = TestApp::spawn_configured(backend, |s| {
        s.trace_log_key_file = Some(key_file.clone());
        s.trace_witnesses = witnesses;
        s.trace_witness_quorum = 2;
    })
    .await
    else {
        return;
    };
    let batch = recorded_batch(&app).await;
    checkpoint(&app).await;

    let keys = [
        PublicKey::parse(&log.note_vkey()).expect("log"),
        PublicKey::parse(&k1).expect("w1"),
        PublicKey::parse(&k2).expect("w2"),
    ];
    let (_, _, note) = bytes(&app, "/tlog/checkpoint").await;
    let opened = tlog::open_note(&note, &keys).expect("verifies");
    let cosigned: Vec<&str> = opened
        .signers
        .iter()
        .filter(|s| s.witness)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(cosigned.len(), 2, "{}", String::from_utf8_lossy(&note));
    assert!(
        opened
            .signers
            .iter()
            .filter(|s| s.witness)
            .all(|s| s.timestamp.is_some_and(|t| t > 1_700_000_000))
    );
    let published = opened.checkpoint.size;
    let v = verdict(&app, &batch.code).await;
    let check = log_check(&v);
    assert_eq!(check["status"], "pass", "{check}");
    assert!(
        check["checkpoint_signers"]
            .as_array()
            .is_some_and(|s| s.iter().any(|n| n == "witness.scjgj.example")),
        "{check}"
    );
    let page = app.get(&format!("/t/{}", batch.code), None).await;
    assert!(
        page.text.contains("见证方：witness.scjgj.example"),
        "{}",
        page.text
    );

    // An insider rewrites record 1's hash and rebuilds the whole log from the database.
    let db = &app.state.infra.db;
    let rows = db
        .query_all(
            &Query::select()
                .columns(["id", "seq"])
                .from("batch_events")
                .and_where(Expr::col("batch_id").eq(batch.id))
                .to_owned(),
        )
        .await
        .expect("events");
    let first = rows
        .iter()
        .find(|r| r.try_get::<i32>("", "seq").expect("seq") == 1)
        .expect("record 1");
    let id: Uuid = first.try_get("", "id").expect("id");
    sql(
        &app,
        Query::update()
            .table("batch_events")
            .value("hash", "f".repeat(64))
            .and_where(Expr::col("id").eq(id))
            .to_owned(),
    )
    .await;
    sql(
        &app,
        Query::delete().from_table("trace_log_leaves").to_owned(),
    )
    .await;
    sql(
        &app,
        Query::delete().from_table("trace_log_hashes").to_owned(),
    )
    .await;
    sql(
        &app,
        Query::update()
            .table("trace_log_state")
            .value("size", 0)
            .to_owned(),
    )
    .await;
    app.state.trace.backfill_log().await.expect("rebuilt");
    // The forged log grows, and its new checkpoint goes to the witnesses.
    recorded_batch(&app).await;
    checkpoint(&app).await;

    let (_, _, still) = bytes(&app, "/tlog/checkpoint").await;
    assert_eq!(
        still, note,
        "the rewritten log's checkpoint is not published"
    );
    assert_eq!(
        tlog::open_note(&still, &keys).expect("old").checkpoint.size,
        published
    );
    assert!(
        app.count("trace_log_checkpoints", "published = false")
            .await
            >= 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witnesses_cosign_an_extension_and_refuse_a_rewrite_embedded() {
    witnesses_cosign_an_extension_and_refuse_a_rewrite(Backend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witnesses_cosign_an_extension_and_refuse_a_rewrite_production() {
    witnesses_cosign_an_extension_and_refuse_a_rewrite(Backend::Production).await;
}
