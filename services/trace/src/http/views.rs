//! What the trace API answers: batches with their records, events, attachments, unit codes,
//! verification results and the digest log.

use crate::chain::{ChainVersion, canonical_json, display_code};
use crate::domain::{BatchStatus, Check, CheckName, EventKind};
use crate::service::Record;
use crate::store::{attachment, digest, event, unit};
use chrono::{DateTime, Utc};
use farmgate_kernel::error::Lang as KLang;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: Option<Uuid>,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub url: String,
}

impl AttachmentView {
    pub(super) fn of(a: &attachment::Model) -> Self {
        Self {
            id: Some(a.id),
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size_bytes,
            sha256: a.sha256.clone(),
            url: format!("/media/{}", a.object_key),
        }
    }

    /// An attachment as its record cites it (the id is not part of the chain).
    fn from_body(v: &Value) -> Self {
        Self {
            id: None,
            name: v["name"].as_str().unwrap_or_default().to_owned(),
            content_type: v["content_type"].as_str().unwrap_or_default().to_owned(),
            size: v["size"].as_i64().unwrap_or(0),
            sha256: v["sha256"].as_str().unwrap_or_default().to_owned(),
            url: format!("/media/{}", v["key"].as_str().unwrap_or_default()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i32,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// What was recorded, for reading: personal values in clear for the seller and the
    /// operator, masked for everyone else (in v2, the values the commitments open to).
    pub data: Value,
    pub attachments: Vec<AttachmentView>,
    pub prev_hash: String,
    pub hash: String,
    /// The chain format the hash is computed in: 1 or 2 (CHAIN.md §4, §13).
    pub chain_version: i16,
    /// v2: the actor as hashed, a salted commitment `{"commitment": "<hex>"}`; v1: absent
    /// (a v1 body holds the actor in clear and is never published).
    #[schema(value_type = Option<Object>)]
    pub actor: Option<Value>,
    /// v2: the body exactly as hashed, every personal value a salted commitment: the hash is
    /// `SHA-256("farmgate-trace-v2\n" + prev_hash + "\n" + canonical(body))` (CHAIN.md §13).
    /// v1: absent.
    #[schema(value_type = Option<Object>)]
    pub body: Option<Value>,
    /// v2: `body` in canonical form (CHAIN.md §3), the exact text hashed after the prefix.
    pub body_canonical: Option<String>,
}

impl EventView {
    /// An event as the views show it: `e` opened (see `Record::events`), `hashed` its body as
    /// hashed.
    pub(super) fn of(
        e: &event::Model,
        hashed: Option<&Value>,
        version: Option<ChainVersion>,
    ) -> Self {
        let v2 = version == Some(ChainVersion::V2);
        let published = hashed.filter(|_| v2);
        Self {
            seq: e.seq,
            kind: e.kind,
            occurred_at: e.occurred_at,
            recorded_at: e.recorded_at,
            data: e.body["data"].clone(),
            attachments: e.body["attachments"]
                .as_array()
                .map(|a| a.iter().map(AttachmentView::from_body).collect())
                .unwrap_or_default(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
            chain_version: version.map_or(0, ChainVersion::number),
            actor: published.map(|b| b["actor"].clone()),
            body: published.cloned(),
            body_canonical: published.and_then(canonical_json),
        }
    }
}

/// One check of a verdict.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TraceCheck)]
pub struct CheckView {
    /// `chain`, `head` or `attachments` (more may be added: show unknown ones as they are).
    pub name: CheckName,
    pub ok: bool,
    /// What was checked and found, in the language asked for.
    pub detail: String,
    pub detail_zh: String,
    pub detail_en: String,
    /// The record the failure is at, when there is one.
    pub seq: Option<i64>,
}

impl CheckView {
    fn of(c: &Check, lang: KLang) -> Self {
        CheckView {
            name: c.name,
            ok: c.ok,
            detail: if lang == KLang::En {
                c.en.clone()
            } else {
                c.zh.clone()
            },
            detail_zh: c.zh.clone(),
            detail_en: c.en.clone(),
            seq: c.seq,
        }
    }
}

/// The verdict on a record: `ok` only when every check passed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub ok: bool,
    pub events: usize,
    /// The head the chain recomputes to (when the chain verifies).
    pub head: Option<String>,
    /// The record where the first failed check breaks, when it names one.
    pub broken_at: Option<i64>,
    /// The first failed check's detail.
    pub reason: Option<String>,
    /// Every check made, in order.
    pub checks: Vec<CheckView>,
    /// The transparency log's check in full (status `pass`, `pending` or `fail`; the checkpoint
    /// checked against, when it was signed and by whom), also one of `checks`.
    pub log: Option<crate::service::NamedCheck>,
}

impl Verification {
    /// The verdict on a code the witnessed log holds but the database no longer has.
    pub fn vanished(check: crate::service::NamedCheck, lang: KLang) -> Self {
        let mut v = crate::domain::Verdict::default();
        v.set(crate::domain::Check::log_inclusion(
            check.ok,
            check.message_zh.clone(),
            check.message_en.clone(),
        ));
        Self {
            ok: false,
            events: 0,
            head: None,
            broken_at: Some(0),
            reason: Some(if lang == KLang::En {
                check.message_en.clone()
            } else {
                check.message_zh.clone()
            }),
            checks: v.checks.iter().map(|c| CheckView::of(c, lang)).collect(),
            log: Some(check),
        }
    }

    pub(super) fn of(record: &Record, lang: KLang) -> Self {
        let v = &record.verdict;
        let failure = v.first_failure();
        Self {
            ok: v.ok(),
            events: record.events.len(),
            head: record.verification.as_ref().ok().cloned(),
            broken_at: failure.and_then(|c| c.seq),
            reason: failure.map(|c| {
                if lang == KLang::En {
                    c.en.clone()
                } else {
                    c.zh.clone()
                }
            }),
            checks: v.checks.iter().map(|c| CheckView::of(c, lang)).collect(),
            log: record.log_check.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingRef {
    pub id: Uuid,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TraceSellerRef)]
pub struct SellerRef {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub verified: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchView {
    pub id: Uuid,
    pub code: String,
    pub code_display: String,
    pub trace_url: String,
    pub lot: String,
    pub listing: Option<ListingRef>,
    pub seller: Option<SellerRef>,
    /// The batch's facts and certificate as recorded in its first event.
    pub facts: Value,
    pub status: BatchStatus,
    /// The chain format of every event of the batch: 1 or 2 (0: the stored format is unknown).
    pub chain_version: i16,
    pub events: Vec<EventView>,
    pub verification: Verification,
    pub scans: i64,
    pub units_issued: i32,
    pub created_at: DateTime<Utc>,
}

/// Masks every phone number in a recorded body (fields named `phone` or `…_phone`, at any
/// depth), as the scan page shows them: `138****0001`.
fn mask_phones(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, field) in map.iter_mut() {
                match field {
                    Value::String(s) if k == "phone" || k.ends_with("_phone") => {
                        *s = farmgate_kernel::Phone::mask(s).unwrap_or_default();
                    }
                    other => mask_phones(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_phones),
        _ => {}
    }
}

impl BatchView {
    /// The view with every phone number masked, in the facts and in every event: what the
    /// public and anyone but the seller's members and the platform staff see.
    pub(super) fn masked(mut self) -> Self {
        mask_phones(&mut self.facts);
        for e in &mut self.events {
            mask_phones(&mut e.data);
            // A v2 body holds commitments only, and is published as hashed. One that holds a
            // personal value in clear was not written by the platform (its commitments check
            // fails): it is published masked, so it no longer hashes — never the value.
            if let Some(body) = &mut e.body
                && let Some(path) = crate::commit::clear_personal_value(body)
            {
                tracing::warn!(event.seq = e.seq, at = %path, "a v2 body holds personal data in clear: masked");
                mask_phones(&mut body["data"]);
                if body["actor"].is_string() {
                    body["actor"] = Value::String("***".to_owned());
                }
                e.actor = Some(body["actor"].clone());
                e.body_canonical = canonical_json(body);
            }
        }
        self
    }

    /// A record as its seller sees it; `base` is the address QR codes point at.
    pub(super) fn of(record: &Record, pending_scans: i64, base: &str, lang: KLang) -> Self {
        let b = &record.batch;
        BatchView {
            id: b.id,
            code: b.code.clone(),
            code_display: display_code(&b.code),
            trace_url: format!("{base}/t/{}", b.code),
            lot: b.lot.clone(),
            listing: record.listing.as_ref().map(|l| ListingRef {
                id: l.id.as_uuid(),
                title: l.title.clone(),
            }),
            seller: record.seller.as_ref().map(|s| SellerRef {
                id: s.id.as_uuid(),
                name: s.name.clone(),
                kind: s.kind.as_str().to_owned(),
                verified: s.status == farmgate_identity::OrgStatus::Verified,
            }),
            facts: record.facts(),
            status: b.status,
            chain_version: record.version.map_or(0, ChainVersion::number),
            events: record
                .events
                .iter()
                .enumerate()
                .map(|(i, e)| EventView::of(e, record.hashed.get(i), record.version))
                .collect(),
            verification: Verification::of(record, lang),
            scans: b.scans + pending_scans,
            units_issued: b.units_issued,
            created_at: b.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchSummary {
    pub id: Uuid,
    pub code: String,
    pub code_display: String,
    pub lot: String,
    pub listing_id: Uuid,
    pub product_name: String,
    /// May go into a parcel now: open, and its latest inspection passed.
    pub shippable: bool,
    pub status: BatchStatus,
    pub events: i32,
    pub scans: i64,
    pub units_issued: i32,
    pub created_at: DateTime<Utc>,
}

impl BatchSummary {
    pub(super) fn of(l: crate::service::BatchListed) -> Self {
        let b = l.batch;
        BatchSummary {
            code_display: display_code(&b.code),
            id: b.id,
            code: b.code,
            lot: b.lot,
            listing_id: b.listing_id,
            product_name: l.product_name,
            shippable: l.shippable,
            status: b.status,
            events: b.event_count,
            scans: b.scans,
            units_issued: b.units_issued,
            created_at: b.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    pub n: i32,
    pub serial: String,
    pub url: String,
    pub scans: i64,
    pub first_scanned_at: Option<DateTime<Utc>>,
}

impl UnitView {
    pub(super) fn of(u: &unit::Model, code: &str, base: &str) -> Self {
        UnitView {
            n: u.n,
            serial: u.serial.clone(),
            url: format!("{base}/t/{code}/{}", u.serial),
            scans: u.scans,
            first_scanned_at: u.first_scanned_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DigestView {
    pub seq: i64,
    pub day: String,
    pub cutoff: DateTime<Utc>,
    pub root: String,
    pub batch_count: i64,
    pub prev_hash: String,
    pub hash: String,
}

impl From<digest::Model> for DigestView {
    fn from(d: digest::Model) -> Self {
        DigestView {
            seq: d.seq,
            day: d.day,
            cutoff: d.cutoff,
            root: d.root,
            batch_count: d.batch_count,
            prev_hash: d.prev_hash,
            hash: d.hash,
        }
    }
}
