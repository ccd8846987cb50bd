//! One batch against the verified log: its public record, the chain's links, every logged
//! record shown unchanged and none missing, each logged record's inclusion proved from the
//! hash tiles, and every attachment re-hashed.
//!
//! Chain format v2 publishes each event's full hashed body (personal values as salted
//! commitments, CHAIN.md §13), so every v2 hash is recomputed here from the public JSON, and
//! each attachment shown must be one the hashed body names. Chain format v1 publishes each
//! event's hash and prev_hash but not the body, so for v1 what is checked is that the hashes
//! the platform shows link up, give the code, and are the ones the witnessed log recorded.

use super::client::{Remote, TileFailure};
use super::log::{Logged, Verified};
use super::report::{BatchReport, Check};
use farmgate_trace::chain::{GENESIS, sha256_hex, trace_code};
use farmgate_trace::tlog::{self, Leaf};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct PublicBatch {
    code: String,
    events: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct PublicEvent {
    seq: i64,
    prev_hash: String,
    hash: String,
    #[serde(default)]
    chain_version: Option<i64>,
    #[serde(default)]
    attachments: Vec<PublicAttachment>,
    /// The event exactly as published, for recomputing a v2 hash.
    #[serde(skip)]
    raw: serde_json::Value,
}

impl PublicEvent {
    fn read(raw: serde_json::Value) -> Option<Self> {
        let mut e: Self = serde_json::from_value(raw.clone()).ok()?;
        e.raw = raw;
        Some(e)
    }

    /// The SHA-256 of every attachment the hashed (v2) body names.
    fn hashed_attachments(&self) -> Vec<&str> {
        self.raw
            .pointer("/body/attachments")
            .and_then(serde_json::Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|a| a.get("sha256").and_then(serde_json::Value::as_str))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct PublicAttachment {
    name: String,
    sha256: String,
    url: String,
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

fn seqs(logged: &[Logged]) -> String {
    let mut s: Vec<i64> = logged.iter().map(|l| l.seq).collect();
    s.sort_unstable();
    s.dedup();
    s.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// Checks one batch (its canonical code) given its leaves in the verified log.
pub async fn check(
    remote: &Remote,
    v: &Verified,
    code: &str,
    logged: &[Logged],
) -> anyhow::Result<BatchReport> {
    let mut report = BatchReport {
        code: code.to_owned(),
        ok: false,
        records: 0,
        logged: 0,
        pending: 0,
        checks: Vec::new(),
    };
    let answer = remote.get(&format!("/api/v1/trace/{code}")).await?;
    let public: Option<(String, Vec<PublicEvent>)> = (answer.status == 200)
        .then(|| serde_json::from_slice::<PublicBatch>(&answer.body).ok())
        .flatten()
        .and_then(|b| {
            let events = b
                .events
                .into_iter()
                .map(PublicEvent::read)
                .collect::<Option<Vec<_>>>()?;
            Some((b.code, events))
        });
    let Some((public_code, events)) = public else {
        report.checks.push(Check::fail(
            "found",
            match (answer.status, logged.is_empty()) {
                (404, true) => "no batch has this code, and the log holds no record of it (is it typed right? the last character is a check)".to_owned(),
                (404, false) => format!(
                    "the platform answers 404, but the witnessed log holds records {} of this code: the batch was deleted or its code changed",
                    seqs(logged)
                ),
                (200, _) => "the public record is not readable JSON of a batch".to_owned(),
                (s, _) => format!("the platform answers {s} for the public record"),
            },
        ));
        report.logged = logged.len();
        return Ok(report);
    };
    report.records = events.len();
    if public_code != code {
        report.checks.push(Check::fail(
            "found",
            format!(
                "asked for {code}, the platform answered with the record of {}",
                public_code
            ),
        ));
    }
    report.checks.push(chain_links(code, &events));
    let (check, logged_seqs, pending) = log_records(&events, logged);
    report.checks.push(check);
    report.logged = logged_seqs;
    report.pending = pending;
    report
        .checks
        .push(inclusion(remote, v, code, logged).await?);
    report.checks.push(attachments(remote, &events).await?);
    Ok(report)
}

/// The events as shown: numbered 0…n-1, each prev_hash the hash before it, record 0's hash
/// giving the code.
fn chain_links(code: &str, events: &[PublicEvent]) -> Check {
    const NAME: &str = "chain_links";
    let Some(first) = events.first() else {
        return Check::fail(NAME, "the record has no events");
    };
    let mut prev = GENESIS;
    for (i, e) in events.iter().enumerate() {
        if e.seq != i as i64 {
            return Check::fail(
                NAME,
                format!("the records are numbered {} where {i} should be: a record is missing or out of order", e.seq),
            )
            .at(i as i64);
        }
        if e.hash.len() != 64
            || !e
                .hash
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Check::fail(NAME, format!("record {i}'s hash is not 64 hex digits")).at(e.seq);
        }
        if e.prev_hash != prev {
            return Check::fail(
                NAME,
                format!(
                    "record {i} does not link to the record before it (prev_hash {}…, the hash before is {}…): a record was removed, inserted or changed",
                    short(&e.prev_hash),
                    short(prev)
                ),
            )
            .at(e.seq);
        }
        if e.chain_version == Some(2) {
            match farmgate_trace::commit::public_event_hash(&e.raw) {
                Ok(h) if h == e.hash => {}
                Ok(h) => {
                    return Check::fail(
                        NAME,
                        format!(
                            "record {i}'s published body hashes to {}…, not to its hash {}…: the record shown is not the one that was hashed",
                            short(&h),
                            short(&e.hash)
                        ),
                    )
                    .at(e.seq);
                }
                Err(err) => {
                    return Check::fail(
                        NAME,
                        format!("record {i}'s published body cannot be checked: {err}"),
                    )
                    .at(e.seq);
                }
            }
            let hashed = e.hashed_attachments();
            if let Some(a) = e
                .attachments
                .iter()
                .find(|a| !hashed.contains(&a.sha256.as_str()))
            {
                return Check::fail(
                    NAME,
                    format!(
                        "record {i} shows the file {} with SHA-256 {}…, which its hashed body does not name",
                        a.name,
                        short(&a.sha256)
                    ),
                )
                .at(e.seq);
            }
        }
        prev = &e.hash;
    }
    let v2 = events.iter().filter(|e| e.chain_version == Some(2)).count();
    let recomputed = if v2 == events.len() {
        "; every hash recomputed from its published body (chain format v2)".to_owned()
    } else if v2 == 0 {
        " (chain format v1 does not publish the hashed bodies, so the hashes themselves are not recomputed)".to_owned()
    } else {
        format!("; {v2} hashes recomputed from their published bodies (chain format v2)")
    };
    match trace_code(&first.hash) {
        Some(derived) if derived == code => Check::pass(
            NAME,
            format!(
                "{} records numbered 0…{}, each linked to the one before; record 0's hash gives this code{recomputed}",
                events.len(),
                events.len() - 1
            ),
        ),
        derived => Check::fail(
            NAME,
            format!(
                "record 0's hash gives the code {}, not {code}: the history was rewritten from its first record, or codes were changed or swapped",
                derived.unwrap_or_default()
            ),
        )
        .at(0),
    }
}

/// Every record the log holds for this code is shown, unchanged; what is shown and not logged
/// was recorded after the checkpoint. Returns the check, how many records are logged and how
/// many are pending.
fn log_records(events: &[PublicEvent], logged: &[Logged]) -> (Check, usize, usize) {
    const NAME: &str = "log_records";
    let mut by_seq: BTreeMap<i64, &Logged> = BTreeMap::new();
    for l in logged {
        if let Some(other) = by_seq.get(&l.seq)
            && other.event_hash != l.event_hash
        {
            let c = Check::fail(
                NAME,
                format!(
                    "the log holds two different hashes for record {} (leaves {} and {}): the record was rewritten and logged again",
                    l.seq, other.index, l.index
                ),
            )
            .at(l.seq);
            return (c, by_seq.len(), 0);
        }
        by_seq.entry(l.seq).or_insert(l);
    }
    let shown: BTreeMap<i64, &PublicEvent> = events.iter().map(|e| (e.seq, e)).collect();
    for (seq, l) in &by_seq {
        match shown.get(seq) {
            None => {
                let c = Check::fail(
                    NAME,
                    format!(
                        "record {seq} is in the witnessed log (leaf {}, hash {}…) but the platform no longer shows it: it was deleted",
                        l.index,
                        short(&l.event_hash)
                    ),
                )
                .at(*seq);
                return (c, by_seq.len(), 0);
            }
            Some(e) if e.hash != l.event_hash => {
                let c = Check::fail(
                    NAME,
                    format!(
                        "record {seq} was changed after it was logged: the log holds {}…, the platform shows {}…",
                        short(&l.event_hash),
                        short(&e.hash)
                    ),
                )
                .at(*seq);
                return (c, by_seq.len(), 0);
            }
            Some(_) => {}
        }
    }
    let last_logged = by_seq.keys().next_back().copied();
    let mut pending = 0;
    for e in events {
        if by_seq.contains_key(&e.seq) {
            continue;
        }
        if last_logged.is_some_and(|last| e.seq < last) {
            let c = Check::fail(
                NAME,
                format!(
                    "record {} is not in the log though later records are",
                    e.seq
                ),
            )
            .at(e.seq);
            return (c, by_seq.len(), pending);
        }
        pending += 1;
    }
    let detail = if by_seq.is_empty() {
        format!(
            "none of the {} records is in the checkpoint yet: they were recorded after it was signed, and the next checkpoint (minutes) covers them",
            events.len()
        )
    } else {
        format!(
            "all {} records the log holds for this code are shown unchanged and none is missing{}",
            by_seq.len(),
            if pending > 0 {
                format!("; {pending} recorded after the checkpoint (the next one covers them)")
            } else {
                String::new()
            }
        )
    };
    (Check::pass(NAME, detail), by_seq.len(), pending)
}

/// Each logged record of the code proves into the signed root (RFC 9162 inclusion proofs read
/// from the hash tiles, which `TileHashReader` authenticates against the root).
async fn inclusion(
    remote: &Remote,
    v: &Verified,
    code: &str,
    logged: &[Logged],
) -> anyhow::Result<Check> {
    const NAME: &str = "inclusion";
    let (size, root) = (v.checkpoint.size, v.checkpoint.root);
    for l in logged {
        let leaf = Leaf {
            code: code.to_owned(),
            seq: l.seq,
            event_hash: l.event_hash.clone(),
        };
        let index = l.index;
        let proof = v
            .tiles
            .with(remote, size, root, |r| {
                tlog_tiles::prove_record(size, index, r)
            })
            .await?;
        let ok = match &proof {
            Ok(p) => tlog::check_inclusion(p, size, root, index, leaf.hash()),
            Err(_) => false,
        };
        if !ok {
            let why = match proof {
                Err(TileFailure::Missing(path)) => {
                    format!("the site does not serve {path}, a tile of its own checkpoint")
                }
                Err(TileFailure::Proof(e)) => {
                    format!("the hash tiles served do not prove it into the signed root ({e})")
                }
                Ok(_) => "its inclusion proof does not verify against the signed root".to_owned(),
            };
            return Ok(
                Check::fail(NAME, format!("record {} (leaf {index}): {why}", l.seq)).at(l.seq),
            );
        }
    }
    Ok(Check::pass(
        NAME,
        if logged.is_empty() {
            "nothing of this code is in the checkpoint yet".to_owned()
        } else {
            format!(
                "each of the {} logged record(s) proves into the signed root of {size} records (inclusion proofs from the hash tiles)",
                logged.len()
            )
        },
    ))
}

/// Every cited file downloaded and its SHA-256 compared with the record's.
async fn attachments(remote: &Remote, events: &[PublicEvent]) -> anyhow::Result<Check> {
    const NAME: &str = "attachments";
    let mut n = 0;
    for e in events {
        for a in &e.attachments {
            let answer = remote.get(&a.url).await?;
            let problem = match answer.status {
                200 if sha256_hex(&answer.body) == a.sha256 => None,
                200 => Some(format!(
                    "its bytes hash to {}…, the record says {}…: the file was replaced",
                    short(&sha256_hex(&answer.body)),
                    short(&a.sha256)
                )),
                409 => Some(
                    "the platform refuses to serve it: its stored bytes no longer match the record"
                        .to_owned(),
                ),
                404 => Some("the file is gone".to_owned()),
                s => Some(format!("the platform answers {s} for it")),
            };
            if let Some(p) = problem {
                return Ok(
                    Check::fail(NAME, format!("{} (record {}): {p}", a.name, e.seq)).at(e.seq),
                );
            }
            n += 1;
        }
    }
    Ok(Check::pass(
        NAME,
        format!("{n} file(s) downloaded; each hashes to the SHA-256 its record shows"),
    ))
}
