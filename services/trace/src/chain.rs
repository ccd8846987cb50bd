//! The hash chain of a batch, its trace code and the daily Merkle digest. The byte-exact
//! format is specified in `services/trace/CHAIN.md`; this module is the reference
//! implementation and its tests pin the test vectors printed there.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash before the first event: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Domain separation: the version of the encoding is part of every hash.
pub const EVENT_PREFIX: &str = "farmgate-trace-v1\n";
/// Chain format v2 (CHAIN.md §13): personal values are salted commitments in the body.
pub const EVENT_PREFIX_V2: &str = "farmgate-trace-v2\n";

/// The chain format a batch's events are hashed with. A batch keeps the format it was created
/// with for all its events: its code is derived from event 0's hash, printed on labels already
/// sold, so a v1 batch never changes format and a v2 batch never takes a v1 event.
/// New batches get v2 unless the setting `trace_chain_version` says 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChainVersion {
    /// Bodies hold every value in clear; never published whole.
    V1,
    /// Personal values are salted commitments; the body is published as it was hashed.
    #[default]
    V2,
}

impl ChainVersion {
    /// The number stored in `batches.chain_version` and shown as `chain_version`.
    pub fn number(self) -> i16 {
        match self {
            ChainVersion::V1 => 1,
            ChainVersion::V2 => 2,
        }
    }

    /// `None` for a number that is no format.
    pub fn from_number(n: i64) -> Option<Self> {
        match n {
            1 => Some(ChainVersion::V1),
            2 => Some(ChainVersion::V2),
            _ => None,
        }
    }

    /// The domain-separation prefix of its hashes.
    pub fn prefix(self) -> &'static str {
        match self {
            ChainVersion::V1 => EVENT_PREFIX,
            ChainVersion::V2 => EVENT_PREFIX_V2,
        }
    }
}

/// Canonical JSON (a subset of RFC 8785 / JCS): object keys sorted by their UTF-16 code units,
/// no insignificant whitespace, strings with the minimal JSON escapes, integers only.
/// Returns `None` for a number that is not an integer (floats never enter the chain).
pub fn canonical_json(v: &Value) -> Option<String> {
    let mut out = String::new();
    write_canonical(v, &mut out)?;
    Some(out)
}

fn write_canonical(v: &Value, out: &mut String) -> Option<()> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                return None;
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_canonical(&map[k.as_str()], out)?;
            }
            out.push('}');
        }
    }
    Some(())
}

/// JSON string with exactly the escapes RFC 8785 prescribes.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{09}' => out.push_str("\\t"),
            '\u{0A}' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\u{0D}' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `hash = SHA-256( "farmgate-trace-v1\n" + prev_hash + "\n" + canonical_json(body) )`, hex:
/// a chain format v1 hash (every batch recorded before v2, CHAIN.md §4).
pub fn event_hash(prev_hash: &str, body: &Value) -> Option<String> {
    event_hash_as(ChainVersion::V1, prev_hash, body)
}

/// An event's hash in a given chain format: the format's prefix (`farmgate-trace-v1\n` or
/// `farmgate-trace-v2\n`) + `prev_hash` + `\n` + the canonical body, SHA-256, hex.
pub fn event_hash_as(version: ChainVersion, prev_hash: &str, body: &Value) -> Option<String> {
    let canonical = canonical_json(body)?;
    let prefix = version.prefix();
    let mut input = String::with_capacity(prefix.len() + 65 + canonical.len());
    input.push_str(prefix);
    input.push_str(prev_hash);
    input.push('\n');
    input.push_str(&canonical);
    Some(sha256_hex(input.as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// Trace codes

/// Crockford's base-32 alphabet: no I, L, O, U (nothing to confuse on a printed label).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// The check symbols add `*~$=U` to the alphabet (Crockford's mod-37 check).
const CHECK: &[u8; 37] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";
/// Data characters of a code: 15 × 5 = 75 bits of the first hash.
pub const CODE_DATA_CHARS: usize = 15;

/// The trace code of a batch: the first 75 bits of its first event's hash in Crockford
/// base-32, plus a mod-37 check character — 16 characters, shown as `XXXX-XXXX-XXXX-XXXX`.
///
/// Why 75 bits: among a billion batches the chance that any two share a code is about 1 in
/// 75,000 (n²/2⁷⁶), and the database refuses a duplicate anyway (the batch then gets a new
/// nonce and so a new first hash). Why the check character: one mistyped character is always
/// caught before the lookup.
pub fn trace_code(first_hash: &str) -> Option<String> {
    let bytes = hex::decode(first_hash).ok()?;
    if bytes.len() < 10 {
        return None;
    }
    // 75 bits from the first 10 bytes (80 bits), most significant first.
    let mut acc: u128 = 0;
    for b in &bytes[..10] {
        acc = (acc << 8) | u128::from(*b);
    }
    let bits = acc >> 5; // keep the top 75 of 80 bits
    let mut code = String::with_capacity(16);
    for i in (0..CODE_DATA_CHARS).rev() {
        let idx = usize::try_from((bits >> (5 * i)) & 0x1f).ok()?;
        code.push(char::from(CROCKFORD[idx]));
    }
    let check = usize::try_from(bits % 37).ok()?;
    code.push(char::from(CHECK[check]));
    Some(code)
}

/// Reads a code as people type it: any case, with or without hyphens or spaces, with Crockford's
/// aliases (I and L read as 1, O as 0). `None` when it cannot be a code or its check fails.
pub fn parse_code(input: &str) -> Option<String> {
    let cleaned: String = input
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        })
        .collect();
    if cleaned.len() != CODE_DATA_CHARS + 1 || !cleaned.is_ascii() {
        return None;
    }
    let (data, check) = cleaned.split_at(CODE_DATA_CHARS);
    let mut bits: u128 = 0;
    for c in data.bytes() {
        let v = CROCKFORD.iter().position(|&a| a == c)?;
        bits = (bits << 5) | u128::try_from(v).ok()?;
    }
    let expected = CHECK[usize::try_from(bits % 37).ok()?];
    (check.as_bytes().first() == Some(&expected)).then_some(cleaned)
}

/// `7QX4M2KD9PA1HZ3E` → `7QX4-M2KD-9PA1-HZ3E`.
pub fn display_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

// ---------------------------------------------------------------------------------------------
// Verification

/// One stored event as the verifier needs it.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub seq: i64,
    pub body: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// Why a chain does not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Break {
    /// There are no events at all.
    Empty,
    /// Events are missing or out of order: `seq` was expected.
    Sequence { expected: i64, found: i64 },
    /// The event's `prev_hash` is not the previous event's hash.
    Link { seq: i64 },
    /// The event's content does not hash to its stored hash (it was changed).
    Content { seq: i64 },
    /// The event's body is not canonically encodable.
    Encoding { seq: i64 },
    /// The code is not the one derived from the first event.
    Code,
    /// The batch's chain format (`batches.chain_version`) is none that exists.
    Version,
}

impl Break {
    pub fn seq(&self) -> Option<i64> {
        match self {
            Break::Empty | Break::Code | Break::Version => None,
            Break::Sequence { found, .. } => Some(*found),
            Break::Link { seq } | Break::Content { seq } | Break::Encoding { seq } => Some(*seq),
        }
    }

    pub fn describe(&self) -> (String, String) {
        match self {
            Break::Empty => ("没有任何记录".into(), "there are no records".into()),
            Break::Sequence { expected, found } => (
                format!("记录缺失或顺序被改动：应为第 {expected} 条，实际为第 {found} 条"),
                format!(
                    "a record is missing or out of order: expected #{expected}, found #{found}"
                ),
            ),
            Break::Link { seq } => (
                format!("第 {seq} 条记录与前一条不相连（前一条被删除或替换）"),
                format!("record #{seq} does not link to the one before it (deleted or replaced)"),
            ),
            Break::Content { seq } => (
                format!("第 {seq} 条记录的内容被改动过"),
                format!("record #{seq} was changed after it was written"),
            ),
            Break::Encoding { seq } => (
                format!("第 {seq} 条记录无法按规范编码"),
                format!("record #{seq} cannot be canonically encoded"),
            ),
            Break::Code => (
                "溯源码与首条记录不符".into(),
                "the trace code does not match the first record".into(),
            ),
            Break::Version => (
                "本批次登记的链格式版本不存在（被改动过）".into(),
                "the batch's registered chain format does not exist (it was changed)".into(),
            ),
        }
    }
}

/// Recomputes every hash in order as chain format v1; returns the head hash or the first break.
pub fn verify(code: &str, events: &[StoredEvent]) -> Result<String, Break> {
    verify_as(ChainVersion::V1, code, events)
}

/// Recomputes every hash in order in the batch's chain format; returns the head hash or the
/// first break.
pub fn verify_as(
    version: ChainVersion,
    code: &str,
    events: &[StoredEvent],
) -> Result<String, Break> {
    let Some(first) = events.first() else {
        return Err(Break::Empty);
    };
    let mut prev = GENESIS.to_owned();
    for (i, e) in events.iter().enumerate() {
        let expected = i64::try_from(i).unwrap_or(i64::MAX);
        if e.seq != expected {
            return Err(Break::Sequence {
                expected,
                found: e.seq,
            });
        }
        if e.prev_hash != prev {
            return Err(Break::Link { seq: e.seq });
        }
        let computed =
            event_hash_as(version, &prev, &e.body).ok_or(Break::Encoding { seq: e.seq })?;
        if computed != e.hash {
            return Err(Break::Content { seq: e.seq });
        }
        prev = computed;
    }
    if trace_code(&first.hash).as_deref() != Some(code) {
        return Err(Break::Code);
    }
    Ok(prev)
}

// ---------------------------------------------------------------------------------------------
// The daily digest: a Merkle root over every batch's head

/// `SHA-256("leaf\n" + code + "\n" + head)`.
pub fn merkle_leaf(code: &str, head: &str) -> String {
    sha256_hex(format!("leaf\n{code}\n{head}").as_bytes())
}

fn merkle_node(left: &str, right: &str) -> String {
    sha256_hex(format!("node\n{left}\n{right}").as_bytes())
}

/// The root of leaves in the given order (callers sort by code). An odd node at the end of a
/// level moves up unchanged. The root of no leaves is the hash of `"empty"`.
pub fn merkle_root(leaves: &[String]) -> String {
    if leaves.is_empty() {
        return sha256_hex(b"empty");
    }
    let mut level: Vec<String> = leaves.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => merkle_node(l, r),
                [single] => single.clone(),
                _ => String::new(),
            })
            .collect();
    }
    level.into_iter().next().unwrap_or_default()
}

/// The sibling hashes from a leaf to the root (`(hash, sibling_is_left)`), for a proof that one
/// batch's head is in a published digest.
pub fn merkle_proof(leaves: &[String], index: usize) -> Vec<(String, bool)> {
    let mut proof = Vec::new();
    let mut level: Vec<String> = leaves.to_vec();
    let mut i = index;
    while level.len() > 1 {
        let sibling = if i.is_multiple_of(2) { i + 1 } else { i - 1 };
        if let Some(s) = level.get(sibling) {
            proof.push((s.clone(), sibling < i));
        }
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => merkle_node(l, r),
                [single] => single.clone(),
                _ => String::new(),
            })
            .collect();
        i /= 2;
    }
    proof
}

/// Checks a proof: folds the leaf with its siblings and compares with the root.
pub fn verify_proof(leaf: &str, proof: &[(String, bool)], root: &str) -> bool {
    let acc = proof
        .iter()
        .fold(leaf.to_owned(), |acc, (sibling, sibling_is_left)| {
            if *sibling_is_left {
                merkle_node(sibling, &acc)
            } else {
                merkle_node(&acc, sibling)
            }
        });
    acc == root
}

/// A digest entry of the published log: `SHA-256("digest\n" + day + "\n" + root + "\n" +
/// count + "\n" + previous entry hash)`, so rewriting an old entry breaks every later one.
pub fn digest_entry_hash(day: &str, root: &str, count: u64, prev: &str) -> String {
    sha256_hex(format!("digest\n{day}\n{root}\n{count}\n{prev}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_and_escapes_minimally() {
        let v = json!({"b": 1, "a": [true, null, "x\"y\\z\n\u{1}"], "中": "文", "A": {"z": -5, "y": 0}});
        assert_eq!(
            canonical_json(&v).as_deref(),
            Some(r#"{"A":{"y":0,"z":-5},"a":[true,null,"x\"y\\z\n\u0001"],"b":1,"中":"文"}"#)
        );
        assert_eq!(
            canonical_json(&json!({"f": 1.5})),
            None,
            "floats never enter the chain"
        );
    }

    #[test]
    fn the_test_vector_in_chain_md_holds() {
        // CHAIN.md, "Test vector": keep in step with the document.
        let body = json!({"batch": "01a20000-0000-7000-8000-000000000001", "seq": 0, "kind": "created",
            "occurred_at": "2026-11-20T00:00:00Z", "recorded_at": "2026-11-20T01:02:03Z",
            "actor": "01a20000-0000-7000-8000-000000000002", "data": {"lot": "ML-01", "quantity": 2000}, "attachments": []});
        let canonical = canonical_json(&body).unwrap_or_default();
        assert_eq!(
            canonical,
            r#"{"actor":"01a20000-0000-7000-8000-000000000002","attachments":[],"batch":"01a20000-0000-7000-8000-000000000001","data":{"lot":"ML-01","quantity":2000},"kind":"created","occurred_at":"2026-11-20T00:00:00Z","recorded_at":"2026-11-20T01:02:03Z","seq":0}"#
        );
        let hash = event_hash(GENESIS, &body).unwrap_or_default();
        assert_eq!(
            hash,
            "4fdeb85a635cfbac5f80c1e3f883be035c3a97ef5a0b7ee36dbb53191a9eb001"
        );
        let code = trace_code(&hash).unwrap_or_default();
        assert_eq!(code, "9ZFBGPK3BKXTRQWU");
        assert_eq!(display_code(&code), "9ZFB-GPK3-BKXT-RQWU");
        assert_eq!(parse_code(&code).as_deref(), Some(code.as_str()));
    }

    #[test]
    fn the_second_event_vector_in_chain_md_holds() {
        // CHAIN.md §7, vector 2: an inspection citing a file, chained onto vector 1.
        let file = b"%PDF-1.4\n%%EOF\n";
        assert_eq!(
            sha256_hex(file),
            "14bcd090baf31edba64e9cbd8cdfc15f943344aa72cb3675ad8e91bfcbce03ad"
        );
        let body = json!({"batch": "01a20000-0000-7000-8000-000000000001", "seq": 1, "kind": "inspection",
            "occurred_at": "2026-11-21T02:30:00Z", "recorded_at": "2026-11-21T02:31:07Z",
            "actor": "01a20000-0000-7000-8000-000000000002",
            "data": {"lab": "县检测站", "method": "GB 23200.113", "items": "农残 56 项", "result": "pass"},
            "attachments": [{"name": "检测报告.pdf", "content_type": "application/pdf", "size": file.len(),
                "sha256": sha256_hex(file),
                "key": "public/trace/01a20000-0000-7000-8000-000000000001/01a20000-0000-7000-8000-000000000003.pdf"}]});
        assert_eq!(
            canonical_json(&body).as_deref(),
            Some(
                r#"{"actor":"01a20000-0000-7000-8000-000000000002","attachments":[{"content_type":"application/pdf","key":"public/trace/01a20000-0000-7000-8000-000000000001/01a20000-0000-7000-8000-000000000003.pdf","name":"检测报告.pdf","sha256":"14bcd090baf31edba64e9cbd8cdfc15f943344aa72cb3675ad8e91bfcbce03ad","size":15}],"batch":"01a20000-0000-7000-8000-000000000001","data":{"items":"农残 56 项","lab":"县检测站","method":"GB 23200.113","result":"pass"},"kind":"inspection","occurred_at":"2026-11-21T02:30:00Z","recorded_at":"2026-11-21T02:31:07Z","seq":1}"#
            )
        );
        let first = "4fdeb85a635cfbac5f80c1e3f883be035c3a97ef5a0b7ee36dbb53191a9eb001";
        assert_eq!(
            event_hash(first, &body).as_deref(),
            Some("66acbe4fdf27ca25ffbbe5751730b08f94045c226a7606306c4703b750528459")
        );
    }

    #[test]
    fn the_check_symbol_vectors_in_chain_md_hold() {
        // CHAIN.md §5: one code for each check symbol outside the data alphabet, from
        // SHA-256("vector <i>").
        for (i, code) in [
            (1, "ENC5F20E286S8PF*"),
            (3, "G0ERPN2GW4PJN0D="),
            (25, "HZZPRDC788TXR1Q$"),
            (34, "6ZFRR1EMFRGPSDGU"),
            (45, "RYCDJ8X76H5C501~"),
        ] {
            let hash = sha256_hex(format!("vector {i}").as_bytes());
            assert_eq!(trace_code(&hash).as_deref(), Some(code), "vector {i}");
            assert_eq!(parse_code(code).as_deref(), Some(code));
            assert_eq!(
                parse_code(&display_code(code).to_lowercase()).as_deref(),
                Some(code),
                "hyphens and case do not matter"
            );
        }
        // The aliases apply to the data characters only: `u` is the check symbol U.
        assert_eq!(
            parse_code("6zfr-r1em-frgp-sdgu").as_deref(),
            Some("6ZFRR1EMFRGPSDGU")
        );
        assert_eq!(
            parse_code("9ZFB-GPK3-BKXT-RQWU").as_deref(),
            parse_code("9zfb gpk3 bkxt rqwu").as_deref()
        );
        assert_eq!(
            parse_code("9ZFBGPK3BKXTRQWu").as_deref(),
            Some("9ZFBGPK3BKXTRQWU")
        );
    }

    #[test]
    fn codes_survive_how_people_type_them_and_catch_a_typo() {
        let hash = sha256_hex(b"some batch");
        let code = trace_code(&hash).unwrap_or_default();
        let shown = display_code(&code);
        assert_eq!(shown.len(), 19);
        assert_eq!(
            parse_code(&shown.to_lowercase()).as_deref(),
            Some(code.as_str())
        );
        // Change one character: the check catches it.
        let mut typo: Vec<char> = code.chars().collect();
        typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert_eq!(parse_code(&typo), None);
        assert_eq!(parse_code("SHORT"), None);
        assert_eq!(parse_code("<script>alert(1)</script>"), None);
    }

    fn chain(n: usize) -> (String, Vec<StoredEvent>) {
        let mut prev = GENESIS.to_owned();
        let mut events = Vec::new();
        for i in 0..n {
            let body = json!({"seq": i, "kind": if i == 0 { "created" } else { "note" }, "data": {"text": format!("第{i}条")}});
            let hash = event_hash(&prev, &body).unwrap_or_default();
            events.push(StoredEvent {
                seq: i64::try_from(i).unwrap_or(0),
                body,
                prev_hash: prev.clone(),
                hash: hash.clone(),
            });
            prev = hash;
        }
        (trace_code(&events[0].hash).unwrap_or_default(), events)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let (code, events) = chain(5);
        assert_eq!(verify(&code, &events), Ok(events[4].hash.clone()));
    }

    #[test]
    fn a_changed_event_is_caught() {
        let (code, mut events) = chain(5);
        events[2].body["data"]["text"] = json!("改过了");
        assert_eq!(verify(&code, &events), Err(Break::Content { seq: 2 }));
    }

    #[test]
    fn a_deleted_event_is_caught() {
        let (code, mut events) = chain(5);
        events.remove(2);
        assert_eq!(
            verify(&code, &events),
            Err(Break::Sequence {
                expected: 2,
                found: 3
            })
        );
        // Even if the sequence numbers are rewritten to close the gap, the link breaks.
        for (i, e) in events.iter_mut().enumerate() {
            e.seq = i64::try_from(i).unwrap_or(0);
        }
        assert_eq!(verify(&code, &events), Err(Break::Link { seq: 2 }));
    }

    #[test]
    fn two_swapped_events_are_caught() {
        let (code, mut events) = chain(5);
        events.swap(1, 3);
        assert!(verify(&code, &events).is_err());
        let (a, b) = (events[1].seq, events[3].seq);
        events[1].seq = b;
        events[3].seq = a;
        assert!(verify(&code, &events).is_err());
    }

    #[test]
    fn a_rewritten_first_event_no_longer_matches_the_printed_code() {
        let (code, mut events) = chain(3);
        // Rewrite the whole chain consistently from a changed first event.
        events[0].body["data"]["text"] = json!("伪造");
        let mut prev = GENESIS.to_owned();
        for e in &mut events {
            e.prev_hash = prev.clone();
            e.hash = event_hash(&prev, &e.body).unwrap_or_default();
            prev = e.hash.clone();
        }
        assert_eq!(verify(&code, &events), Err(Break::Code));
    }

    #[test]
    fn merkle_proofs_show_a_head_is_in_the_digest() {
        let leaves: Vec<String> = (0..7)
            .map(|i| merkle_leaf(&format!("C{i}"), &sha256_hex(&[i])))
            .collect();
        let root = merkle_root(&leaves);
        for i in 0..leaves.len() {
            let proof = merkle_proof(&leaves, i);
            assert!(verify_proof(&leaves[i], &proof, &root), "leaf {i}");
        }
        let forged = merkle_leaf("C3", &sha256_hex(b"rewritten"));
        assert!(!verify_proof(&forged, &merkle_proof(&leaves, 3), &root));
        assert_ne!(merkle_root(&leaves[..6]), root);
        assert_eq!(merkle_root(&[]), sha256_hex(b"empty"));
    }
}
