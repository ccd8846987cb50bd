//! Chain format v2's salted commitments (CHAIN.md §13): in a v2 body every personal value —
//! the `actor`, and every string member of `data` named `phone` or ending in `_phone`, at any
//! depth — is replaced by `{"commitment": lower-hex(SHA-256(salt ‖ UTF-8(value)))}` with 32
//! random bytes of salt per value. The body that is hashed is then publishable as it is; the
//! salts and clear values (the *openings*) stay in the trace service's private table, and
//! whoever holds an opening can prove the value to anyone holding the public body.
//!
//! This module is pure: it splits a clear body into the body to hash and its openings, opens a
//! hashed body again with them (saying which do not match), and recomputes a v2 event's hash
//! from its public JSON form (what `farmgate verify --remote` needs).

use crate::chain::{self, ChainVersion};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// Bytes of salt per committed value.
pub const SALT_BYTES: usize = 32;
/// The one member of a commitment object.
pub const COMMITMENT_KEY: &str = "commitment";

/// A committed value with what opens it: the private half of a commitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Opening {
    /// Where the value sits in the body, as a JSON pointer (RFC 6901): `/actor`,
    /// `/data/certificate/contact_phone`.
    pub path: String,
    /// The 32 bytes of salt, 64 lower-case hex digits.
    pub salt: String,
    /// The clear value.
    pub value: String,
}

impl Opening {
    /// `lower-hex(SHA-256(salt ‖ UTF-8(value)))`, or `None` when the salt is not 32 bytes of hex.
    pub fn commitment(&self) -> Option<String> {
        let salt = hex::decode(&self.salt).ok()?;
        (salt.len() == SALT_BYTES).then(|| commitment(&salt, &self.value))
    }
}

/// `lower-hex(SHA-256(salt ‖ UTF-8(value)))`.
pub fn commitment(salt: &[u8], value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(value.as_bytes());
    hex::encode(h.finalize())
}

/// Whether a member of `data` holds personal data that v2 commits to (the rule that also masks
/// phones for the public: `phone`, or a name ending in `_phone`).
pub fn is_personal_key(key: &str) -> bool {
    key == "phone" || key.ends_with("_phone")
}

/// The commitment inside a commitment object, when `v` is one (an object whose only member is
/// `commitment`, a string of 64 lower-case hex digits).
pub fn commitment_of(v: &Value) -> Option<&str> {
    let obj = v.as_object()?;
    let c = obj.get(COMMITMENT_KEY)?.as_str()?;
    (obj.len() == 1 && c.len() == 64 && c.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then_some(c)
}

fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every place a v2 body must hold a commitment, with what it holds there: `/actor`, then the
/// personal members of `data` in key order.
fn personal_places(body: &Value) -> Vec<(String, &Value)> {
    fn walk<'a>(v: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                for k in keys {
                    let here = format!("{path}/{}", pointer_token(k));
                    let field = &map[k.as_str()];
                    if is_personal_key(k) && (field.is_string() || commitment_of(field).is_some()) {
                        out.push((here, field));
                    } else {
                        walk(field, &here, out);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(actor) = body.get("actor") {
        out.push(("/actor".to_owned(), actor));
    }
    if let Some(data) = body.get("data") {
        walk(data, "/data", &mut out);
    }
    out
}

/// Splits a clear body into the v2 body to hash (each personal value replaced by its
/// commitment) and its openings. `salt` gives 32 fresh random bytes each call (a fixed
/// sequence in the test vectors).
pub fn commit_body(
    clear: &Value,
    mut salt: impl FnMut() -> [u8; SALT_BYTES],
) -> (Value, Vec<Opening>) {
    let mut hashed = clear.clone();
    let mut openings = Vec::new();
    for (path, value) in personal_places(clear) {
        let Some(text) = value.as_str() else {
            continue; // already a commitment: nothing to open here
        };
        let s = salt();
        let c = commitment(&s, text);
        if let Some(slot) = hashed.pointer_mut(&path) {
            *slot = json!({ COMMITMENT_KEY: c });
        }
        openings.push(Opening {
            path,
            salt: hex::encode(s),
            value: text.to_owned(),
        });
    }
    (hashed, openings)
}

/// The body to hash in a chain format, with its openings: v1 hashes the clear body as it is
/// (no openings); v2 commits to its personal values with fresh random salts.
pub fn for_format(version: ChainVersion, clear: Value) -> (Value, Vec<Opening>) {
    match version {
        ChainVersion::V1 => (clear, Vec::new()),
        ChainVersion::V2 => commit_body(&clear, rand::random),
    }
}

/// What is wrong between a v2 body's commitments and its openings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpeningProblem {
    /// A commitment has no opening: the private value is gone.
    Missing { path: String },
    /// The opening's salt and value do not hash to the commitment: one of the three changed.
    Mismatch { path: String },
    /// A personal value stands in the body in clear, not as a commitment.
    Clear { path: String },
}

impl OpeningProblem {
    pub fn path(&self) -> &str {
        match self {
            OpeningProblem::Missing { path }
            | OpeningProblem::Mismatch { path }
            | OpeningProblem::Clear { path } => path,
        }
    }
}

/// A v2 body opened: the clear body (each commitment replaced by its proven value; a value that
/// does not prove stays out, as `null`) and what did not match.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    pub clear: Value,
    pub problems: Vec<OpeningProblem>,
}

/// Opens a v2 body with its openings. An opening whose path holds no commitment is ignored
/// (it proves nothing and is shown nowhere).
pub fn open_body(hashed: &Value, openings: &[Opening]) -> Opened {
    let mut clear = hashed.clone();
    let mut problems = Vec::new();
    for (path, value) in personal_places(hashed) {
        let Some(c) = commitment_of(value) else {
            problems.push(OpeningProblem::Clear { path });
            continue;
        };
        let proven = match openings.iter().find(|o| o.path == path) {
            None => {
                problems.push(OpeningProblem::Missing { path: path.clone() });
                Value::Null
            }
            Some(o) if o.commitment().as_deref() == Some(c) => Value::String(o.value.clone()),
            Some(_) => {
                problems.push(OpeningProblem::Mismatch { path: path.clone() });
                Value::Null
            }
        };
        if let Some(slot) = clear.pointer_mut(&path) {
            *slot = proven;
        }
    }
    Opened { clear, problems }
}

/// Why a v2 event's public JSON does not give its hash.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PublicEventError {
    #[error("the event is not chain format v2 (chain_version {0})")]
    NotV2(String),
    #[error("the event has no {0}")]
    Missing(&'static str),
    #[error("the body's {0} differs from the event's")]
    Disagrees(&'static str),
    #[error("the body holds a personal value in clear at {0}")]
    ClearPersonalValue(String),
    #[error("the body is not canonically encodable")]
    Encoding,
}

/// Recomputes a v2 event's hash from its public JSON form alone (an element of `events` in
/// `GET /api/v1/trace/{code}`): `chain_version` 2, `prev_hash`, and `body`, the object that was
/// hashed. Also refuses a body whose `seq` differs from the event's, or one that holds a
/// personal value in clear. The caller compares the result with the event's `hash` and the next
/// event's `prev_hash` (or uses [`verify_public`] for a whole record).
pub fn public_event_hash(event: &Value) -> Result<String, PublicEventError> {
    match event.get("chain_version").and_then(Value::as_i64) {
        Some(2) => {}
        other => {
            return Err(PublicEventError::NotV2(
                other.map_or_else(|| "missing".to_owned(), |v| v.to_string()),
            ));
        }
    }
    let prev = event
        .get("prev_hash")
        .and_then(Value::as_str)
        .ok_or(PublicEventError::Missing("prev_hash"))?;
    let body = event
        .get("body")
        .filter(|b| b.is_object())
        .ok_or(PublicEventError::Missing("body"))?;
    if event.get("seq").is_some_and(|s| body.get("seq") != Some(s)) {
        return Err(PublicEventError::Disagrees("seq"));
    }
    if let Some(e_actor) = event.get("actor")
        && body.get("actor") != Some(e_actor)
    {
        return Err(PublicEventError::Disagrees("actor"));
    }
    if let Some((path, _)) = personal_places(body)
        .into_iter()
        .find(|(_, v)| commitment_of(v).is_none())
    {
        return Err(PublicEventError::ClearPersonalValue(path));
    }
    chain::event_hash_as(ChainVersion::V2, prev, body).ok_or(PublicEventError::Encoding)
}

/// Verifies a whole v2 record from its public JSON `events` alone, as [`chain::verify_as`] does
/// from the database: numbered `0…n-1`, each `prev_hash` the previous hash, each `hash`
/// recomputed from the public body, and `code` derived from event 0's hash. Returns the head.
pub fn verify_public(code: &str, events: &[Value]) -> Result<String, chain::Break> {
    let mut stored = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let seq = e
            .get("seq")
            .and_then(Value::as_i64)
            .unwrap_or(i64::try_from(i).unwrap_or(i64::MAX));
        let hash = e.get("hash").and_then(Value::as_str).unwrap_or_default();
        // A body that does not give a v2 hash is a changed record (its recomputed hash cannot
        // be the stored one).
        let body = match public_event_hash(e) {
            Ok(_) => e.get("body").cloned().unwrap_or(Value::Null),
            Err(PublicEventError::Encoding) => return Err(chain::Break::Encoding { seq }),
            Err(_) => return Err(chain::Break::Content { seq }),
        };
        stored.push(chain::StoredEvent {
            seq,
            body,
            prev_hash: e
                .get("prev_hash")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            hash: hash.to_owned(),
        });
    }
    chain::verify_as(ChainVersion::V2, code, &stored)
}

/// The first place of a v2 body that holds a personal value in clear instead of a commitment.
pub fn clear_personal_value(body: &Value) -> Option<String> {
    personal_places(body)
        .into_iter()
        .find(|(_, v)| commitment_of(v).is_none())
        .map(|(p, _)| p)
}

/// The commitments of a body, by path (for the openings view).
pub fn commitments(hashed: &Value) -> Map<String, Value> {
    personal_places(hashed)
        .into_iter()
        .filter_map(|(p, v)| commitment_of(v).map(|c| (p, Value::String(c.to_owned()))))
        .collect()
}

#[cfg(test)]
mod tests;
