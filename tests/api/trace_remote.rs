//! `farmgate verify --remote` (CHAIN.md §13) against the real server: a verifier outside the
//! platform that trusts only the keys it is given. Each insider tampering — even one that
//! rewrites the platform's own log tables and re-signs checkpoints with the platform's key — must
//! fail, naming what failed; the untouched demo passes.

use super::tlog::{checkpoint, recorded_batch, start_witness};
use farmgate_server::remote::{self, Options, Report};
use farmgate_tests::prelude::*;
use farmgate_trace::tlog::{self, Checkpoint, NamedKey, PublicKey};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

async fn sql<S: sea_orm::StatementBuilder>(app: &TestApp, stmt: S) {
    app.state
        .infra
        .db
        .execute(&stmt)
        .await
        .expect("tampering SQL");
}

/// A verifier that pins the log's key only (a site with no witnesses, as the demo).
fn with_log_key(app: &TestApp, codes: &[&str]) -> Options {
    Options {
        url: app.url(""),
        log_key: Some(app.state.trace.log().key.note_vkey()),
        codes: codes.iter().map(|c| (*c).to_owned()).collect(),
        ..Options::default()
    }
}

async fn verified(o: &Options) -> Report {
    remote::run(o).await.expect("the verifier ran")
}

/// Asserts the run failed and one failure line contains every word given.
fn assert_failed(r: &Report, words: &[&str]) {
    assert!(!r.ok, "it must not verify: {r:#?}");
    let failures = r.failures();
    assert!(
        failures.iter().any(|f| words.iter().all(|w| f.contains(w))),
        "a failure naming {words:?}: {failures:#?}"
    );
}

/// Rewrites a batch's record 1 and recomputes every hash after it, as a careful forger would.
async fn rewrite_consistently(app: &TestApp, batch: Uuid) {
    let db = &app.state.infra.db;
    let rows = db
        .query_all(
            &Query::select()
                .columns(["id", "seq", "body"])
                .from("batch_events")
                .and_where(Expr::col("batch_id").eq(batch))
                .to_owned(),
        )
        .await
        .expect("events");
    let mut events: Vec<(i32, Uuid, Value)> = rows
        .into_iter()
        .map(|r| {
            (
                r.try_get("", "seq").expect("seq"),
                r.try_get("", "id").expect("id"),
                r.try_get("", "body").expect("body"),
            )
        })
        .collect();
    events.sort_by_key(|e| e.0);
    events[1].2["data"]["text"] = json!("从未施肥");
    let mut prev = farmgate_trace::chain::GENESIS.to_owned();
    let version = crate::trace::batch_version(app, batch).await;
    for (_, id, body) in &events {
        let hash = farmgate_trace::chain::event_hash_as(version, &prev, body).expect("hash");
        sql(
            app,
            Query::update()
                .table("batch_events")
                .values([
                    ("body", body.clone().into()),
                    ("prev_hash", prev.clone().into()),
                    ("hash", hash.clone().into()),
                ])
                .and_where(Expr::col("id").eq(*id))
                .to_owned(),
        )
        .await;
        prev = hash;
    }
    sql(
        app,
        Query::update()
            .table("batches")
            .value("head_hash", prev)
            .and_where(Expr::col("id").eq(batch))
            .to_owned(),
    )
    .await;
}

/// Rebuilds the platform's log tables from the database as it is now (what an insider does
/// after rewriting records, so the log agrees with them).
async fn rebuild_log(app: &TestApp) {
    sql(
        app,
        Query::delete().from_table("trace_log_leaves").to_owned(),
    )
    .await;
    sql(
        app,
        Query::delete().from_table("trace_log_hashes").to_owned(),
    )
    .await;
    sql(
        app,
        Query::update()
            .table("trace_log_state")
            .value("size", 0)
            .to_owned(),
    )
    .await;
    app.state.trace.backfill_log().await.expect("rebuilt");
}

/// Publishes `note` as the latest checkpoint, as an insider with the database can.
async fn publish_forged(app: &TestApp, size: u64, root: &str, note: &str) {
    sql(
        app,
        Query::insert()
            .into_table("trace_log_checkpoints")
            .columns([
                "size",
                "root",
                "note",
                "published",
                "witness_report",
                "signed_at",
            ])
            .values_panic([
                (size as i64).into(),
                root.into(),
                note.into(),
                true.into(),
                "".into(),
                chrono::Utc::now().into(),
            ])
            .to_owned(),
    )
    .await;
}

/// The tree's root as the platform's tables now give it, and a checkpoint of it signed with
/// the platform's key alone.
async fn resigned(app: &TestApp, size: u64) -> (String, String) {
    let root = app
        .state
        .trace
        .consistency(size, size)
        .await
        .expect("root")
        .expect("within the published size")
        .to_root;
    let cp = Checkpoint {
        origin: app.state.trace.log().origin.clone(),
        size,
        root: tlog::parse_hex(&root).expect("hex"),
    };
    let note = app
        .state
        .trace
        .log()
        .key
        .sign_checkpoint(&cp)
        .expect("signed");
    (root, note)
}

both_backends! {
    async fn the_untouched_demo_verifies_from_outside_and_the_state_follows_the_log(app) {
        farmgate_demo::seed(&app.state.demo_services()).await.expect("seed");
        checkpoint(&app).await;
        let codes = app.state.trace.all_batch_codes().await.expect("codes");
        assert!(!codes.is_empty());
        let dir = tempfile::tempdir().expect("dir");
        let mut o = with_log_key(&app, &codes.iter().map(String::as_str).collect::<Vec<_>>());
        o.state = Some(dir.path().join("county.checkpoint"));

        let r = verified(&o).await;

        assert!(r.ok, "{:#?}", r.failures());
        assert_eq!(r.batches.len(), codes.len());
        for b in &r.batches {
            let names: Vec<&str> = b.checks.iter().map(|c| c.name).collect();
            assert_eq!(names, ["chain_links", "log_records", "inclusion", "attachments"], "{b:#?}");
            assert_eq!(b.records, b.logged, "every record is in the checkpoint: {b:#?}");
        }
        assert!(r.log.iter().any(|c| c.name == "consistency" && c.detail.contains("first run")));
        assert_eq!(r.checkpoint.as_ref().and_then(|c| c.log_signed), Some(true));
        let json = serde_json::to_value(&r).expect("json");
        assert_eq!(json["ok"], true);
        assert!(json["batches"][0]["checks"][0]["detail"].is_string());
        assert!(r.state_saved.is_some());

        let r = verified(&o).await;
        assert!(r.ok, "{:#?}", r.failures());
        assert!(r.log.iter().any(|c| c.name == "consistency" && c.detail.contains("same checkpoint")));
    }

    async fn a_record_after_the_checkpoint_is_pending_and_the_next_checkpoint_extends_the_state(app) {
        let first = recorded_batch(&app).await;
        checkpoint(&app).await;
        let dir = tempfile::tempdir().expect("dir");
        let mut o = with_log_key(&app, &[&first.code]);
        o.state = Some(dir.path().join("state"));
        assert!(verified(&o).await.ok);

        let batch = recorded_batch(&app).await;
        o.codes.push(batch.code.clone());
        let r = verified(&o).await;
        assert!(r.ok, "{:#?}", r.failures());
        let b = r.batches.last().expect("the new batch");
        assert_eq!((b.records, b.logged, b.pending), (3, 0, 3));
        assert!(r.log.iter().any(|c| c.name == "consistency" && c.detail.contains("same checkpoint")));
        checkpoint(&app).await;
        let r = verified(&o).await;
        assert!(r.ok, "{:#?}", r.failures());
        assert!(r.log.iter().any(|c| c.name == "consistency" && c.detail.contains("extends")), "{:#?}", r.log);
        assert_eq!(r.batches.last().map(|b| (b.logged, b.pending)), Some((3, 0)));
    }

    async fn dropping_the_last_record_with_the_head_and_count_rewritten_is_caught(app) {
        let batch = recorded_batch(&app).await;
        checkpoint(&app).await;
        let o = with_log_key(&app, &[&batch.code]);
        assert!(verified(&o).await.ok);
        let db = &app.state.infra.db;
        let rows = db.query_all(&Query::select().columns(["id", "seq", "hash"]).from("batch_events")
            .and_where(Expr::col("batch_id").eq(batch.id)).to_owned()).await.expect("events");
        let mut events: Vec<(i32, Uuid, String)> = rows.into_iter().map(|r| (r.try_get("", "seq").expect("seq"), r.try_get("", "id").expect("id"), r.try_get("", "hash").expect("hash"))).collect();
        events.sort_by_key(|e| e.0);
        sql(&app, Query::delete().from_table("batch_events").and_where(Expr::col("id").eq(events[2].1)).to_owned()).await;
        sql(&app, Query::update().table("batches").values([("head_hash", events[1].2.clone().into()), ("event_count", 2.into())]).and_where(Expr::col("id").eq(batch.id)).to_owned()).await;
        app.state.trace.forget_page(&batch.code).await;

        let r = verified(&o).await;

        assert_failed(&r, &["log_records", "record 2", "deleted"]);
        let b = &r.batches[0];
        assert!(b.checks.iter().any(|c| c.name == "chain_links" && c.ok), "the shortened chain links up on its own");
    }

    async fn a_published_body_that_does_not_hash_to_its_hash_is_caught(app) {
        // Chain format v2 publishes the hashed body: an insider who edits a stored record but
        // cannot change its logged hash is caught by recomputing the hash from the public JSON
        // alone, before any log check.
        let batch = recorded_batch(&app).await;
        checkpoint(&app).await;
        let o = with_log_key(&app, &[&batch.code]);
        let r = verified(&o).await;
        assert!(r.ok, "{:#?}", r.failures());
        assert!(r.batches[0].checks.iter().any(|c| c.name == "chain_links" && c.detail.contains("recomputed")), "{:#?}", r.batches[0]);
        let db = &app.state.infra.db;
        let row = db.query_one(&Query::select().columns(["id", "body"]).from("batch_events")
            .and_where(Expr::col("batch_id").eq(batch.id)).and_where(Expr::col("seq").eq(1)).to_owned())
            .await.expect("query").expect("record 1");
        let id: Uuid = row.try_get("", "id").expect("id");
        let mut body: Value = row.try_get("", "body").expect("body");
        body["data"]["text"] = json!("从未施肥");
        sql(&app, Query::update().table("batch_events").value("body", body).and_where(Expr::col("id").eq(id)).to_owned()).await;
        app.state.trace.forget_page(&batch.code).await;

        let r = verified(&o).await;

        assert_failed(&r, &["chain_links", "record 1", "published body hashes to"]);
    }

    async fn changed_and_swapped_codes_are_caught(app) {
        let a = recorded_batch(&app).await;
        let b = recorded_batch(&app).await;
        checkpoint(&app).await;
        let unused = farmgate_trace::chain::trace_code(&farmgate_trace::chain::sha256_hex(b"unused")).expect("code");
        let set_code = |id: Uuid, code: String| Query::update().table("batches").value("code", code).and_where(Expr::col("id").eq(id)).to_owned();
        // Swap.
        sql(&app, set_code(a.id, unused.clone())).await;
        sql(&app, set_code(b.id, a.code.clone())).await;
        sql(&app, set_code(a.id, b.code.clone())).await;

        let r = verified(&with_log_key(&app, &[&a.code, &b.code])).await;

        assert_failed(&r, &[&farmgate_trace::chain::display_code(&a.code), "chain_links", "record 0's hash gives the code"]);
        assert_failed(&r, &[&farmgate_trace::chain::display_code(&b.code), "log_records", "changed after it was logged"]);
        assert!(r.batches.iter().all(|b| !b.ok));

        // A code changed to one never logged: the old code is gone although the log holds it,
        // and the new one does not match its record.
        sql(&app, set_code(a.id, unused.clone())).await;
        let r = verified(&with_log_key(&app, &[&b.code, &unused])).await;
        assert_failed(&r, &["found", "404", "witnessed log holds records 0, 1, 2"]);
        assert_failed(&r, &[&farmgate_trace::chain::display_code(&unused), "chain_links"]);
    }

    async fn a_fork_two_checkpoints_of_the_same_size_is_caught_with_the_state_file(app) {
        let batch = recorded_batch(&app).await;
        checkpoint(&app).await;
        let dir = tempfile::tempdir().expect("dir");
        let mut o = with_log_key(&app, &[&batch.code]);
        o.state = Some(dir.path().join("state"));
        assert!(verified(&o).await.ok);
        let size = app.state.trace.latest_checkpoint().await.expect("cp").expect("published").size;

        // The insider rewrites the batch, rebuilds the log to the same size and signs it.
        rewrite_consistently(&app, batch.id).await;
        rebuild_log(&app).await;
        let (root, note) = resigned(&app, size).await;
        publish_forged(&app, size, &root, &note).await;
        app.state.trace.forget_page(&batch.code).await;

        let r = verified(&o).await;
        assert_failed(&r, &["log: consistency", "FORK"]);
        assert!(r.batches.iter().all(|b| !b.ok), "nothing is verified against a forked log");
        // Without the state, the log key alone accepts the re-signed log — and the batch itself
        // now agrees with it: the reason to keep state, and to have witnesses.
        o.state = None;
        assert!(verified(&o).await.ok, "the platform's key alone cannot tell");
    }

    async fn a_replaced_attachment_is_caught(app) {
        let seller = app.verified_seller().with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100).without_tiers()).await;
        let batch = app.batch(&seller).await;
        let report = b"%PDF-1.4\n%report\n%%EOF\n".to_vec();
        let a = app.upload(&format!("/api/v1/batches/{}/attachments", batch.id), &seller.owner, report, "检测报告.pdf").await;
        a.expect_status(201);
        let r = app.post(&format!("/api/v1/batches/{}/events", batch.id),
            json!({"kind": "inspection", "occurred_at": app.days_ago(1), "data": inspection("pass"), "attachments": [a.id()]}),
            Some(&seller.owner.token)).await;
        r.expect_status(201);
        checkpoint(&app).await;
        let o = with_log_key(&app, &[&batch.code]);
        assert!(verified(&o).await.ok);
        let key = r.string("attachments.0.url").trim_start_matches("/media/").to_owned();
        let key = farmgate_infra::objects::ObjectKey::parse(&key).expect("key");
        app.state.infra.objects.put(&key, bytes::Bytes::from_static(b"%PDF-1.4\nother\n%%EOF\n"), "application/pdf").await.expect("put");

        assert_failed(&verified(&o).await, &["attachments", "record 1", "检测报告.pdf"]);
    }
}

/// Two witnesses with quorum two; the verifier holds only their keys. The insider rewrites a
/// batch consistently, rebuilds the platform's log tables, has the platform sign checkpoints of
/// the forged tree and publishes them from the database: every variant fails.
async fn a_rewrite_of_the_batch_and_the_log_is_caught_with_only_the_witness_keys(backend: Backend) {
    let dir = tempfile::tempdir().expect("a directory");
    let log = NamedKey::generate("farmgate.local/trace-log").expect("log key");
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
    let mut o = Options {
        url: app.url(""),
        witness_keys: vec![k1.clone(), k2.clone()],
        state: Some(dir.path().join("journalist.checkpoint")),
        codes: vec![batch.code.clone()],
        ..Options::default()
    };
    let r = verified(&o).await;
    assert!(r.ok, "{:#?}", r.failures());
    let cp = r.checkpoint.as_ref().expect("checkpoint");
    assert_eq!(cp.cosigners.len(), 2);
    assert_eq!(cp.log_signed, None, "no log key was given");
    let genuine = app
        .state
        .trace
        .checkpoint_note()
        .await
        .expect("note")
        .expect("published");
    let size = cp.size;

    // 1. The genuine tree, re-published with the platform's signature alone.
    let (root, note) = resigned(&app, size).await;
    publish_forged(&app, size, &root, &note).await;
    assert_failed(
        &verified(&o).await,
        &["log: cosignatures", "only 0 of the 2"],
    );

    // 2. A consistent rewrite of the batch and of the log tables, the forged tree grown and
    // signed by the platform (the witnesses refuse it), then published from the database.
    rewrite_consistently(&app, batch.id).await;
    rebuild_log(&app).await;
    recorded_batch(&app).await;
    checkpoint(&app).await;
    assert!(
        app.count("trace_log_checkpoints", "published = false")
            .await
            >= 1,
        "the witnesses refused it"
    );
    let forged_size = u64::try_from(app.count("trace_log_leaves", "1=1").await).expect("size");
    let (root, note) = resigned_any(&app, forged_size).await;
    publish_forged(&app, forged_size, &root, &note).await;
    app.state.trace.forget_page(&batch.code).await;
    assert_failed(&verified(&o).await, &["log: cosignatures"]);

    // 3. The same, with the witnesses' cosignature lines copied from the genuine checkpoint.
    let copied: String = genuine
        .lines()
        .filter(|l| l.starts_with("— witness."))
        .map(|l| format!("{l}\n"))
        .collect();
    publish_forged(&app, forged_size, &root, &format!("{note}{copied}")).await;
    assert_failed(
        &verified(&o).await,
        &["log: signatures", "not validly signed"],
    );

    // 4. The genuine cosigned checkpoint served again, over the rewritten log tables.
    publish_forged(
        &app,
        size,
        &tlog::hex(
            &tlog::open_note(genuine.as_bytes(), &[PublicKey::parse(&k1).expect("k1")])
                .expect("genuine")
                .checkpoint
                .root,
        ),
        &genuine,
    )
    .await;
    let r = verified(&o).await;
    assert_failed(&r, &[&farmgate_trace::chain::display_code(&batch.code)]);
    assert!(
        r.failures()
            .iter()
            .any(|f| f.contains("log: entries") || f.contains("changed after it was logged")),
        "{:#?}",
        r.failures()
    );
    // And a verifier holding only the log's key but the earlier state sees the rewrite too.
    o.witness_keys.clear();
    o.log_key = Some(log.note_vkey());
    publish_forged(&app, forged_size, &root, &note).await;
    assert_failed(&verified(&o).await, &["log: consistency", "rewritten"]);
}

/// A checkpoint of the platform's tables at `size` signed with its key, whatever is published.
async fn resigned_any(app: &TestApp, size: u64) -> (String, String) {
    let (root, _) = root_of_tables(app, size).await;
    let cp = Checkpoint {
        origin: app.state.trace.log().origin.clone(),
        size,
        root: tlog::parse_hex(&root).expect("hex"),
    };
    let note = app
        .state
        .trace
        .log()
        .key
        .sign_checkpoint(&cp)
        .expect("signed");
    (root, note)
}

/// The root of the log tables at `size`, read through a checkpoint published for the purpose.
async fn root_of_tables(app: &TestApp, size: u64) -> (String, ()) {
    // `consistency` answers only within the published size: publish a placeholder first.
    publish_forged(app, size, "", "placeholder").await;
    let root = app
        .state
        .trace
        .consistency(size, size)
        .await
        .expect("root")
        .expect("within the published size")
        .to_root;
    (root, ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewrite_of_the_batch_and_the_log_is_caught_with_only_the_witness_keys_embedded() {
    a_rewrite_of_the_batch_and_the_log_is_caught_with_only_the_witness_keys(Backend::Embedded)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewrite_of_the_batch_and_the_log_is_caught_with_only_the_witness_keys_production() {
    a_rewrite_of_the_batch_and_the_log_is_caught_with_only_the_witness_keys(Backend::Production)
        .await;
}

#[tokio::test]
async fn usage_and_network_errors_are_errors_not_verdicts() {
    let log = NamedKey::generate("farmgate.local/trace-log").expect("key");
    let base = Options {
        url: "http://127.0.0.1:9".into(),
        ..Options::default()
    };
    let cases = [
        (Options { ..base.clone() }, "nothing to trust"),
        (
            Options {
                witness_keys: vec![log.note_vkey()],
                ..base.clone()
            },
            "not a witness",
        ),
        (
            Options {
                log_key: Some(log.cosignature_vkey()),
                ..base.clone()
            },
            "witness (cosignature) key",
        ),
        (
            Options {
                witness_keys: vec![log.cosignature_vkey()],
                quorum: Some(2),
                ..base.clone()
            },
            "only 1 witness",
        ),
        (
            Options {
                log_key: Some(log.note_vkey()),
                codes: vec!["9ZFB-GPK3-BKXT-RQWV".into()],
                ..base.clone()
            },
            "not a trace code",
        ),
        (
            Options {
                log_key: Some(log.note_vkey()),
                url: "nongyuan.example.cn".into(),
                ..base.clone()
            },
            "address",
        ),
        (
            Options {
                log_key: Some(log.note_vkey()),
                ..base.clone()
            },
            "GET http://127.0.0.1:9/tlog/checkpoint",
        ),
    ];
    for (o, words) in cases {
        let e = remote::run(&o).await.expect_err("an error");
        assert!(format!("{e:#}").contains(words), "{words}: {e:#}");
    }
}
