//! CHAIN.md §13's test vectors (keep in step with the document; they were computed
//! independently in Python, as `tests/verifier/verify.py` does again).

use super::*;
use crate::chain::{GENESIS, canonical_json, event_hash_as, trace_code};

const ACTOR: &str = "01a20000-0000-7000-8000-000000000002";

/// Vector 4's clear body: event 0 with a certificate whose contact phone is personal.
fn clear_v4() -> Value {
    json!({"batch": "01a20000-0000-7000-8000-000000000001", "seq": 0, "kind": "created",
        "occurred_at": "2026-11-20T00:00:00Z", "recorded_at": "2026-11-20T01:02:03Z", "actor": ACTOR,
        "data": {"lot": "ML-01", "quantity": 2000,
                 "certificate": {"issuer": "梅岭脐橙专业合作社", "contact_phone": "13800000001"}},
        "attachments": []})
}

/// Salts 0x01…01, 0x02…02, … in the order values are committed.
fn salts(first: u8) -> impl FnMut() -> [u8; SALT_BYTES] {
    let mut next = first;
    move || {
        let s = [next; SALT_BYTES];
        next += 1;
        s
    }
}

const V4_CANONICAL: &str = r#"{"actor":{"commitment":"743d6c57b37bf21e56a945b08ddd7ab803d0f368d4e324a3850e92c1a3e519f9"},"attachments":[],"batch":"01a20000-0000-7000-8000-000000000001","data":{"certificate":{"contact_phone":{"commitment":"7386714c0d146f1f7b4e6c5e7daea19d71cc813918b251ad16ec7a7127765a6f"},"issuer":"梅岭脐橙专业合作社"},"lot":"ML-01","quantity":2000},"kind":"created","occurred_at":"2026-11-20T00:00:00Z","recorded_at":"2026-11-20T01:02:03Z","seq":0}"#;
const V4_HASH: &str = "b384954ab23a9bcf170807c423c9804aab188b4d03ea306426e1bcaa36ff8822";
const V5_HASH: &str = "77c4cb059c998b5750f82a39cab6497b8429290618da19644a3ee6fc29ccca1b";

fn v5_clear() -> Value {
    json!({"batch": "01a20000-0000-7000-8000-000000000001", "seq": 1, "kind": "note",
        "occurred_at": "2026-11-21T02:30:00Z", "recorded_at": "2026-11-21T02:31:07Z", "actor": ACTOR,
        "data": {"text": "施肥完毕"}, "attachments": []})
}

#[test]
fn vector_4_commits_the_actor_and_the_phone_and_hashes_as_v2() {
    let (hashed, openings) = commit_body(&clear_v4(), salts(1));
    assert_eq!(
        openings,
        vec![
            Opening {
                path: "/actor".into(),
                salt: "01".repeat(32),
                value: ACTOR.into()
            },
            Opening {
                path: "/data/certificate/contact_phone".into(),
                salt: "02".repeat(32),
                value: "13800000001".into()
            },
        ]
    );
    assert_eq!(
        commitment(&[1; 32], ACTOR),
        "743d6c57b37bf21e56a945b08ddd7ab803d0f368d4e324a3850e92c1a3e519f9"
    );
    assert_eq!(canonical_json(&hashed).as_deref(), Some(V4_CANONICAL));
    let hash = event_hash_as(ChainVersion::V2, GENESIS, &hashed).unwrap_or_default();
    assert_eq!(hash, V4_HASH);
    assert_eq!(trace_code(&hash).as_deref(), Some("PE29AJNJ7ADWY5R1"));
    assert_ne!(
        event_hash_as(ChainVersion::V1, GENESIS, &hashed).as_deref(),
        Some(V4_HASH),
        "the format is part of the hash"
    );
    assert!(
        !V4_CANONICAL.contains("13800000001"),
        "no phone in what is published"
    );
}

#[test]
fn vector_5_chains_a_second_v2_event_and_the_public_json_alone_verifies_both() {
    let (e0, _) = commit_body(&clear_v4(), salts(1));
    let (e1, o1) = commit_body(&v5_clear(), salts(3));
    assert_eq!(o1.len(), 1, "a note commits only its actor");
    assert_eq!(
        event_hash_as(ChainVersion::V2, V4_HASH, &e1).as_deref(),
        Some(V5_HASH)
    );
    let public = vec![
        json!({"seq": 0, "chain_version": 2, "prev_hash": GENESIS, "hash": V4_HASH, "actor": e0["actor"], "body": e0}),
        json!({"seq": 1, "chain_version": 2, "prev_hash": V4_HASH, "hash": V5_HASH, "actor": e1["actor"], "body": e1}),
    ];
    assert_eq!(public_event_hash(&public[1]).as_deref(), Ok(V5_HASH));
    assert_eq!(
        verify_public("PE29AJNJ7ADWY5R1", &public),
        Ok(V5_HASH.to_owned())
    );

    // A changed commitment in the public body changes the hash.
    let mut changed = public.clone();
    changed[1]["body"]["actor"]["commitment"] = json!("0".repeat(64));
    changed[1]["actor"] = changed[1]["body"]["actor"].clone();
    assert_eq!(
        verify_public("PE29AJNJ7ADWY5R1", &changed),
        Err(chain::Break::Content { seq: 1 })
    );
    // A body that shows a phone in clear is refused, whatever its hash.
    let mut clear = public[0].clone();
    clear["body"]["data"]["certificate"]["contact_phone"] = json!("13800000001");
    assert_eq!(
        public_event_hash(&clear),
        Err(PublicEventError::ClearPersonalValue(
            "/data/certificate/contact_phone".into()
        ))
    );
    // A v1 event is not recomputable from its public JSON.
    assert!(matches!(
        public_event_hash(&json!({"chain_version": 1, "prev_hash": GENESIS})),
        Err(PublicEventError::NotV2(_))
    ));
}

#[test]
fn an_opening_proves_its_value_and_a_changed_value_salt_or_commitment_does_not() {
    let (hashed, openings) = commit_body(&clear_v4(), salts(1));
    let opened = open_body(&hashed, &openings);
    assert_eq!(opened.problems, vec![]);
    assert_eq!(
        opened.clear,
        clear_v4(),
        "opening gives back the clear body"
    );

    let mut value = openings.clone();
    value[1].value = "13900000009".into();
    let opened = open_body(&hashed, &value);
    assert_eq!(
        opened.problems,
        vec![OpeningProblem::Mismatch {
            path: "/data/certificate/contact_phone".into()
        }]
    );
    assert_eq!(
        opened.clear["data"]["certificate"]["contact_phone"],
        Value::Null,
        "an unproven value is not shown"
    );

    let mut salt = openings.clone();
    salt[0].salt = "03".repeat(32);
    assert_eq!(
        open_body(&hashed, &salt).problems,
        vec![OpeningProblem::Mismatch {
            path: "/actor".into()
        }]
    );
    let mut short = openings.clone();
    short[0].salt = "01".into();
    assert_eq!(
        open_body(&hashed, &short).problems.len(),
        1,
        "a salt that is not 32 bytes proves nothing"
    );

    let mut commitment_changed = hashed.clone();
    commitment_changed["actor"]["commitment"] = json!("f".repeat(64));
    assert_eq!(
        open_body(&commitment_changed, &openings).problems,
        vec![OpeningProblem::Mismatch {
            path: "/actor".into()
        }]
    );
    assert_eq!(
        open_body(&hashed, &openings[1..]).problems,
        vec![OpeningProblem::Missing {
            path: "/actor".into()
        }]
    );
    assert_eq!(
        open_body(&clear_v4(), &openings).problems.len(),
        2,
        "personal values in clear in a v2 body are reported"
    );
}

#[test]
fn phones_are_committed_at_any_depth_and_nothing_else_is() {
    let clear = json!({"actor": ACTOR, "data": {"phone": "13800000001", "text": "13800000002",
        "parties": [{"contact_phone": "13800000003", "name": "县农贸市场"}], "count": 3}});
    let (hashed, openings) = commit_body(&clear, salts(1));
    let paths: Vec<&str> = openings.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/actor", "/data/parties/0/contact_phone", "/data/phone"]
    );
    assert_eq!(
        hashed["data"]["text"], "13800000002",
        "free text is not a personal field"
    );
    assert_eq!(hashed["data"]["parties"][0]["name"], "县农贸市场");
    assert_eq!(commitments(&hashed).len(), 3);
    assert_eq!(
        commitment_of(&json!({"commitment": "A".repeat(64)})),
        None,
        "lower-case hex only"
    );
    assert_eq!(
        commitment_of(&json!({"commitment": "a".repeat(64), "x": 1})),
        None
    );
}
