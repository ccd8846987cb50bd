//! Chain format v2 (issue #17, CHAIN.md §13): personal values are salted commitments, so the
//! public JSON carries every hashed body and anyone recomputes the chain from it alone; the
//! salts and clear values stay private, open to the seller and the operator; tampering with
//! either half is caught; v1 batches stay exactly as they were.

use super::trace::{batch_version, rehash, stored_events, tamper};
use farmgate_tests::prelude::*;
use farmgate_trace::chain::ChainVersion;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sha2::Digest;

/// 13800000001 is the certificate's contact phone in `batch_body`.
const PHONE: &str = "13800000001";

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A seller with a batch of three records (the last a passing inspection).
async fn recorded(app: &TestApp) -> (SellerWithListing, Batch) {
    let seller = app
        .verified_seller()
        .with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100).without_tiers())
        .await;
    let batch = app.batch(&seller).await;
    let owner = &seller.owner;
    app.add_event(
        owner,
        batch.id,
        "planting",
        &app.days_ago(200),
        json!({"variety": "纽荷尔"}),
    )
    .await
    .expect_status(201);
    app.add_event(
        owner,
        batch.id,
        "note",
        &app.days_ago(9),
        json!({"text": "疏果完成"}),
    )
    .await
    .expect_status(201);
    app.add_event(
        owner,
        batch.id,
        "inspection",
        &app.days_ago(1),
        inspection("pass"),
    )
    .await
    .expect_status(201);
    (seller, batch)
}

/// Recomputes every hash from the public JSON as CHAIN.md tells an outsider to, with nothing
/// of the platform's code: `SHA-256("farmgate-trace-v2\n" + prev + "\n" + canonical(body))`.
/// Returns the head.
fn recompute_from_public_json(record: &Resp) -> String {
    let mut prev = "0".repeat(64);
    for (i, e) in record.arr("events").iter().enumerate() {
        assert_eq!(e["seq"], i, "numbered 0..n-1");
        assert_eq!(e["chain_version"], 2);
        assert_eq!(e["prev_hash"], prev.as_str(), "links to the one before");
        let canonical = e["body_canonical"].as_str().expect("the canonical body");
        // The canonical text is the body object's canonical form (CHAIN.md §3).
        assert_eq!(
            farmgate_trace::chain::canonical_json(&e["body"]).as_deref(),
            Some(canonical)
        );
        let hash = sha256_hex(format!("farmgate-trace-v2\n{prev}\n{canonical}").as_bytes());
        assert_eq!(
            e["hash"],
            hash.as_str(),
            "record {i} recomputes to its hash"
        );
        assert_eq!(e["actor"], e["body"]["actor"], "the actor as hashed");
        assert_eq!(e["actor"]["commitment"].as_str().map(str::len), Some(64));
        prev = hash;
    }
    prev
}

both_backends! {
    async fn a_v2_batch_is_recomputed_from_its_public_json_alone(app) {
        let (seller, batch) = recorded(&app).await;

        let public = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;

        public.expect_status(200);
        assert_eq!(public.i64("chain_version"), 2, "new batches are v2");
        let head = recompute_from_public_json(&public);
        let code = farmgate_trace::chain::trace_code(public.str("events.0.hash")).expect("a code");
        assert_eq!(code, batch.code, "the code is event 0's hash's");
        assert_eq!(app.get(&format!("/api/v1/trace/{}/verify", batch.code), None).await.str("head"), head);
        // The function the remote verifier uses agrees.
        assert_eq!(farmgate_trace::commit::verify_public(&batch.code, public.arr("events")), Ok(head));
        // The body is the record: its non-personal facts are the ones shown.
        assert_eq!(public.at("events.0.body.data.lot"), public.at("facts.lot"));
        assert_eq!(public.at("events.3.body.data.result"), "pass");
        // Nothing personal is published: no phone, no account id.
        assert!(!public.text.contains(PHONE), "{}", public.text);
        assert!(!public.text.contains(&seller.owner.account_id.to_string()), "the actor is committed, never shown");
        // The stored body is exactly the published one.
        let stored = stored_events(&app, batch.id).await;
        assert_eq!(stored[0].body, public.at("events.0.body").clone());
    }

    async fn a_v2_batchs_phone_is_never_unmasked_for_the_public_but_its_seller_sees_it(app) {
        let (seller, batch) = recorded(&app).await;

        let json = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;
        let epcis = app.get(&format!("/api/v1/trace/{}/epcis", batch.code), None).await;
        let page = app.get(&format!("/t/{}", batch.code), None).await;

        assert_eq!(json.str("facts.certificate.contact_phone"), "138****0001");
        assert_eq!(json.str("events.0.data.certificate.contact_phone"), "138****0001");
        assert_eq!(json.str("events.0.body.data.certificate.contact_phone.commitment").len(), 64);
        assert!(!json.text.contains(PHONE) && !epcis.text.contains(PHONE) && !page.text.contains(PHONE));
        assert!(page.text.contains("138****0001"), "the page shows the opened value, masked");
        // Its seller sees the value the commitment opens to.
        let own = app.get(&format!("/api/v1/batches/{}", batch.id), Some(&seller.owner.token)).await;
        assert_eq!(own.str("facts.certificate.contact_phone"), PHONE);
    }

    async fn the_seller_opens_a_commitment_and_anyone_checks_it_against_the_public_body(app) {
        let (seller, batch) = recorded(&app).await;
        let path = format!("/api/v1/batches/{}/events/0/openings", batch.id);

        let r = app.get(&path, Some(&seller.owner.token)).await;

        r.expect_status(200);
        assert_eq!(r.i64("chain_version"), 2);
        assert_eq!(r.strings("openings", "path"), ["/actor", "/data/certificate/contact_phone"]);
        let phone = r.find("openings", "path", "/data/certificate/contact_phone");
        assert_eq!(phone["value"], PHONE);
        assert_eq!(phone["ok"], true);
        // What a court does with the opening and the public body: SHA-256(salt ‖ value).
        let salt = hex::decode(phone["salt"].as_str().expect("salt")).expect("hex");
        assert_eq!(salt.len(), 32);
        let public = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;
        let committed = public.str("events.0.body.data.certificate.contact_phone.commitment");
        assert_eq!(sha256_hex(&[salt.as_slice(), PHONE.as_bytes()].concat()), committed);
        let actor = r.find("openings", "path", "/actor");
        assert_eq!(actor["value"], seller.owner.account_id.to_string());
        // Each value has its own salt.
        assert_ne!(actor["salt"], phone["salt"]);
        // A later record commits to its actor only.
        let later = app.get(&format!("/api/v1/batches/{}/events/2/openings", batch.id), Some(&seller.owner.token)).await;
        assert_eq!(later.strings("openings", "path"), ["/actor"]);

        // The operator may read them; nobody else.
        let op = app.operator().await;
        app.get(&path, Some(&op.token)).await.expect_status(200);
        let outsider = app.register("13800000005", "黄建华").await;
        app.get(&path, Some(&outsider.token)).await.expect_status(403);
        let official = app.official().await;
        app.get(&path, Some(&official.token)).await.expect_status(403);
        let other = app.verified_seller().await;
        app.get(&path, Some(&other.owner.token)).await.expect_status(403);
        app.get(&path, None).await.expect_status(401);
        app.get(&format!("/api/v1/batches/{}/events/9/openings", batch.id), Some(&seller.owner.token)).await.expect_status(404);
        app.get(&format!("/api/v1/batches/{}/events/x/openings", batch.id), Some(&seller.owner.token)).await.expect_status(404);
        app.get(&format!("/api/v1/batches/{}/events/0/openings", Uuid::now_v7()), Some(&seller.owner.token)).await.expect_status(404);
    }

    async fn a_changed_private_value_or_salt_is_caught_and_the_public_chain_still_verifies(app) {
        let (_seller, batch) = recorded(&app).await;
        let code = &batch.code;
        assert!(verdict(&app, code).await.bool("ok"));
        assert_eq!(check(&verdict(&app, code).await, "commitments")["ok"], true);

        // Someone rewrites the stored phone behind the commitment.
        set_opening(&app, batch.id, "/data/certificate/contact_phone", "value", "13900000009").await;

        let v = verdict(&app, code).await;
        v.expect_status(200);
        assert!(!v.bool("ok"), "{}", v.text);
        assert_eq!(check(&v, "commitments")["ok"], false);
        assert_eq!(check(&v, "commitments")["seq"], 0);
        assert_eq!(check(&v, "chain")["ok"], true, "the public chain is untouched");
        assert_page_and_cli_warn(&app, code, "commitments").await;
        // The changed value is shown nowhere: it is not the one recorded.
        let public = app.get(&format!("/api/v1/trace/{code}"), None).await;
        assert!(!public.text.contains("13900000009") && !public.text.contains("139****0009"), "{}", public.text);
        let public_head = recompute_from_public_json(&public);
        assert_eq!(farmgate_trace::commit::verify_public(code, public.arr("events")), Ok(public_head), "anyone still verifies the public chain");

        // The salt, on another batch.
        let (_s2, b2) = recorded(&app).await;
        set_opening(&app, b2.id, "/actor", "salt", &"00".repeat(32)).await;
        let v = verdict(&app, &b2.code).await;
        assert!(!v.bool("ok"));
        assert_eq!(check(&v, "commitments")["ok"], false);
        assert!(check(&v, "commitments")["detail_en"].as_str().is_some_and(|d| d.contains("/actor")), "{}", v.text);

        // An opening deleted.
        let (_s3, b3) = recorded(&app).await;
        let q = Query::delete().from_table("trace_commitments").and_where(Expr::col("batch_id").eq(b3.id)).and_where(Expr::col("seq").eq(2)).to_owned();
        app.state.infra.db.execute(&q).await.expect("delete an opening");
        let v = verdict(&app, &b3.code).await;
        assert_eq!(check(&v, "commitments")["ok"], false);
        assert_eq!(check(&v, "commitments")["seq"], 2);
    }

    async fn a_changed_commitment_breaks_the_chain_for_everyone(app) {
        let (_seller, batch) = recorded(&app).await;
        let code = &batch.code;

        tamper(&app, batch.id, 0, |b| b["data"]["certificate"]["contact_phone"]["commitment"] = json!("a".repeat(64))).await;

        let v = verdict(&app, code).await;
        assert!(!v.bool("ok"));
        assert_eq!(check(&v, "chain")["ok"], false);
        assert_eq!(v.i64("broken_at"), 0);
        assert_page_and_cli_warn(&app, code, "chain").await;
        let public = app.get(&format!("/api/v1/trace/{code}"), None).await;
        assert!(farmgate_trace::commit::verify_public(code, public.arr("events")).is_err(), "the public JSON alone shows it");

        // Rehashing the whole batch consistently makes the chain agree with itself again, but
        // the code no longer matches and the opening no longer opens.
        rehash(&app, batch.id).await;
        let v = verdict(&app, code).await;
        assert!(!v.bool("ok"));
        assert_eq!(check(&v, "commitments")["ok"], false, "{}", v.text);
    }

    async fn a_phone_written_in_clear_into_a_v2_body_is_reported(app) {
        let (_seller, batch) = recorded(&app).await;
        // A forger puts the clear phone back and recomputes every hash from the tampered event.
        tamper(&app, batch.id, 1, |b| b["data"]["contact_phone"] = json!(PHONE)).await;
        rehash(&app, batch.id).await;

        let v = verdict(&app, &batch.code).await;
        assert!(!v.bool("ok"));
        assert_eq!(check(&v, "commitments")["ok"], false, "{}", v.text);
        let public = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;
        assert!(!public.text.contains(PHONE), "masked even so: {}", public.text);
    }

    async fn the_digest_recomputes_v2_heads_and_catches_a_rewrite(app) {
        let (_seller, batch) = recorded(&app).await;
        let digest = app.state.trace.publish_digest(app.clock.now()).await.expect("digest");
        let checks = app.state.trace.verify_digests().await.expect("checks");
        assert!(checks[0].root_matches, "{checks:?}");

        tamper(&app, batch.id, 2, |b| b["data"]["text"] = json!("改过了")).await;
        rehash(&app, batch.id).await;

        let checks = app.state.trace.verify_digests().await.expect("checks");
        assert_eq!(checks[0].published_root, digest.root);
        assert!(!checks[0].root_matches, "{checks:?}");
    }
}

both_backends_configured! { chain_v1;
    async fn a_v1_batch_stays_v1_publishes_no_body_and_verifies_as_before(app) {
        let (seller, batch) = recorded(&app).await;

        let public = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;

        assert_eq!(public.i64("chain_version"), 1);
        assert_eq!(batch_version(&app, batch.id).await, ChainVersion::V1);
        for e in public.arr("events") {
            assert_eq!(e["chain_version"], 1);
            assert!(Value::is_null(&e["body"]) && Value::is_null(&e["actor"]), "a v1 body holds personal data in clear");
        }
        assert!(!public.text.contains(PHONE));
        assert_eq!(app.count("trace_commitments", "1=1").await, 0, "v1 commits to nothing");
        // Its hashes are v1 hashes of the stored bodies, the code event 0's, as before.
        let stored = stored_events(&app, batch.id).await;
        assert_eq!(stored[0].body["actor"], seller.owner.account_id.to_string());
        let h0 = farmgate_trace::chain::event_hash(farmgate_trace::chain::GENESIS, &stored[0].body).expect("hash");
        assert_eq!(public.str("events.0.hash"), h0);
        assert_eq!(farmgate_trace::chain::trace_code(&h0).as_deref(), Some(batch.code.as_str()));
        let v = verdict(&app, &batch.code).await;
        assert!(v.bool("ok"), "{}", v.text);
        assert!(v.arr("checks").iter().all(|c| c["name"] != "commitments"), "no commitments check for v1");
        assert!(farmgate_server::verify::run(&app.state.trace, Some(&batch.code), false).await.expect("verify"));
        let openings = app.get(&format!("/api/v1/batches/{}/events/0/openings", batch.id), Some(&seller.owner.token)).await;
        openings.expect_status(200);
        assert_eq!(openings.i64("chain_version"), 1);
        assert!(openings.arr("openings").is_empty());
        // A changed field and the digest work as before.
        let digest = app.state.trace.publish_digest(app.clock.now()).await.expect("digest");
        assert!(app.state.trace.verify_digests().await.expect("checks")[0].root_matches);
        tamper(&app, batch.id, 2, |b| b["data"]["text"] = json!("改过了")).await;
        let v = verdict(&app, &batch.code).await;
        assert_eq!(check(&v, "chain")["ok"], false);
        assert_eq!(v.i64("broken_at"), 2);
        rehash(&app, batch.id).await;
        let checks = app.state.trace.verify_digests().await.expect("checks");
        assert_eq!(checks[0].published_root, digest.root);
        assert!(!checks[0].root_matches);
    }
}

/// New batches in chain format v1, as before v2 existed.
fn chain_v1(s: &mut farmgate_server::settings::Settings) {
    s.trace_chain_version = 1;
}

async fn verdict(app: &TestApp, code: &str) -> Resp {
    app.get(&format!("/api/v1/trace/{code}/verify"), None).await
}

fn check<'a>(v: &'a Resp, name: &str) -> &'a Value {
    v.arr("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {}", v.text))
}

async fn assert_page_and_cli_warn(app: &TestApp, code: &str, failing: &str) {
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
    assert!(!page.text.contains(PHONE));
    assert!(
        !farmgate_server::verify::run(&app.state.trace, Some(code), false)
            .await
            .expect("verify"),
        "the CLI reports it"
    );
}

/// Changes one column of a private opening, as someone with the database could.
async fn set_opening(app: &TestApp, batch: Uuid, path: &str, column: &'static str, value: &str) {
    let q = Query::update()
        .table("trace_commitments")
        .value(column, value)
        .and_where(Expr::col("batch_id").eq(batch))
        .and_where(Expr::col("seq").eq(0))
        .and_where(Expr::col("path").eq(path))
        .to_owned();
    let r = app
        .state
        .infra
        .db
        .execute(&q)
        .await
        .expect("update an opening");
    assert_eq!(r.rows_affected(), 1);
}
