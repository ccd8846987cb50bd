//! The verdict on a record as a list of checks (issue #17): the chain, the stored head and
//! count, and every cited file's bytes. The scan page's verdict hashes no file (it reads the
//! object store audit's last findings, so a scan stays one cached page); the verify API and
//! `farmgate verify` re-hash every cited file on the spot and record what they found for the
//! audit.
//!
//! The public verify API is open to anyone, and a record may cite 200 files of 10 MB: re-reading
//! them all on every call would be a lever for tiring the server out. So a file whose bytes
//! matched their recorded SHA-256 is remembered for [`REHASH_REUSE`] (60 s, in the cache,
//! keyed by the object key and the recorded hash) and the API's next calls within that time
//! reuse the match instead of reading the object again. A mismatch or a missing file is never
//! remembered, `farmgate verify` and the background audit always re-read (and a mismatch they
//! find forgets the remembered match at once). So bytes replaced right after a match are caught
//! by the API at most 60 s later, and at once by `farmgate verify` and the audit.
//!
//! Adding a check: a `CheckName`, and one line in [`Trace::quick_verdict`] (and, if it costs
//! more than a query, in [`Trace::verify_files`] instead).

use crate::Trace;
use crate::chain;
use crate::domain::{self, AuditFinding, FileFinding, Verdict};
use crate::error::Result;
use crate::service::Record;
use crate::store::{batch, event, object_audit, queries};
use farmgate_infra::objects::{ObjectKey, sha256_hex};
use farmgate_kernel::id::BatchId;
use std::time::Duration;

/// How long the public verify API reuses a file's matching re-hash (see the module comment).
pub const REHASH_REUSE: Duration = Duration::from_secs(60);

/// Whether a verification may reuse a recent matching re-hash of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rehash {
    /// Read and hash every cited file now (`farmgate verify`, the audit).
    Every,
    /// Reuse a file's match from the last [`REHASH_REUSE`] (the public verify API).
    ReuseRecentMatch,
}

/// The cache key remembering that the bytes under `key` hashed to `sha256`.
fn rehash_cache_key(key: &str, sha256: &str) -> String {
    format!("trace:rehash:{sha256}:{key}")
}

/// A file as a record cites it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitedFile {
    pub seq: i64,
    pub name: String,
    pub key: String,
    pub sha256: String,
}

/// Every file the record's events cite, in chain order.
pub fn cited_files(events: &[event::Model]) -> Vec<CitedFile> {
    events
        .iter()
        .flat_map(|e| {
            e.body["attachments"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |a| CitedFile {
                    seq: i64::from(e.seq),
                    name: a["name"].as_str().unwrap_or_default().to_owned(),
                    key: a["key"].as_str().unwrap_or_default().to_owned(),
                    sha256: a["sha256"].as_str().unwrap_or_default().to_owned(),
                })
        })
        .collect()
}

impl Trace {
    /// The checks that cost no more than a query: the chain, the head and count, and the
    /// files as the audit last found them.
    pub(super) async fn quick_verdict(
        &self,
        b: &batch::Model,
        events: &[event::Model],
        verification: &Result<String, chain::Break>,
    ) -> Result<Verdict> {
        let mut v = Verdict::default();
        v.set(domain::chain_check(verification, events.len()));
        let heads: Vec<(i64, &str)> = events
            .iter()
            .map(|e| (i64::from(e.seq), e.hash.as_str()))
            .collect();
        v.set(domain::head_check(
            &b.head_hash,
            i64::from(b.event_count),
            &heads,
        ));
        let cited: Vec<(i64, String, String)> = cited_files(events)
            .into_iter()
            .map(|f| (f.seq, f.name, f.key))
            .collect();
        let audits: Vec<AuditFinding> = if cited.is_empty() {
            Vec::new()
        } else {
            queries::audits_of(&self.infra().db, BatchId(b.id))
                .await?
                .into_iter()
                .map(|a| AuditFinding {
                    key: a.object_key,
                    ok: a.ok,
                    checked_at: a.checked_at,
                })
                .collect()
        };
        v.set(domain::audited_attachments_check(&cited, &audits));
        Ok(v)
    }

    /// Verifies a record completely: the quick checks, and every cited file's stored bytes
    /// hashed now (what was found is saved for the audit).
    #[tracing::instrument(skip_all, fields(trace.code = %code))]
    pub async fn verify_code(&self, code: &str) -> Result<Option<Record>> {
        self.verify_code_with(code, Rehash::Every).await
    }

    /// [`Trace::verify_code`], choosing whether a recent matching re-hash of a file may be
    /// reused (the public API does; see the module comment).
    #[tracing::instrument(skip_all, fields(trace.code = %code, ?rehash))]
    pub async fn verify_code_with(&self, code: &str, rehash: Rehash) -> Result<Option<Record>> {
        let Some(mut record) = self.record_by_code(code).await? else {
            return Ok(None);
        };
        self.verify_files(&mut record, rehash).await?;
        Ok(Some(record))
    }

    /// Re-hashes every file the record cites (or reuses a recent match, as `rehash` allows)
    /// and replaces the attachments check with what was found.
    pub async fn verify_files(&self, record: &mut Record, rehash: Rehash) -> Result<()> {
        let mut findings = Vec::new();
        for f in cited_files(&record.events) {
            let cache_key = rehash_cache_key(&f.key, &f.sha256);
            if rehash == Rehash::ReuseRecentMatch && self.recently_matched(&cache_key).await {
                findings.push(FileFinding {
                    seq: f.seq,
                    name: f.name,
                    key: f.key,
                    found: Some(f.sha256.clone()),
                    recorded: f.sha256,
                });
                continue;
            }
            let found = self.stored_hash(&f.key).await?;
            let finding = FileFinding {
                seq: f.seq,
                name: f.name,
                key: f.key,
                recorded: f.sha256,
                found,
            };
            self.save_finding(record.batch.id, &finding).await?;
            if finding.ok() {
                self.remember_match(&cache_key).await;
            }
            findings.push(finding);
        }
        record.verdict.set(domain::attachments_check(&findings));
        Ok(())
    }

    /// Whether the file's bytes matched within [`REHASH_REUSE`] by this process's clock. The
    /// cache entry expires by itself too; a cache that is down means "no" (re-read).
    async fn recently_matched(&self, cache_key: &str) -> bool {
        let Ok(Some(bytes)) = self.infra().cache.get(cache_key).await else {
            return false;
        };
        let Some(at) = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(chrono::DateTime::from_timestamp_millis)
        else {
            return false;
        };
        let age = self.now() - at;
        age >= chrono::Duration::zero() && age.to_std().is_ok_and(|age| age < REHASH_REUSE)
    }

    /// Remembers that a file's bytes matched now (best effort: the cache is never on the path
    /// of an answer).
    async fn remember_match(&self, cache_key: &str) {
        let at = self.now().timestamp_millis().to_string();
        if let Err(e) = self
            .infra()
            .cache
            .set(cache_key, at.as_bytes(), REHASH_REUSE)
            .await
        {
            tracing::warn!(error = %e, "could not remember a trace file's re-hash");
        }
    }

    /// The SHA-256 of the bytes stored under a key now (`None`: no such object, or a key that
    /// cannot be one).
    pub(super) async fn stored_hash(&self, key: &str) -> Result<Option<String>> {
        let Ok(key) = ObjectKey::parse(key) else {
            return Ok(None);
        };
        Ok(self
            .infra()
            .objects
            .get(&key)
            .await?
            .map(|o| sha256_hex(&o.bytes)))
    }

    /// Saves what was found for one object; a new mismatch forgets the batch's cached page so
    /// its warning shows at once.
    pub(super) async fn save_finding(&self, batch_id: uuid::Uuid, f: &FileFinding) -> Result<()> {
        let db = &self.infra().db;
        let ok = f.ok();
        queries::save_audit(
            db,
            object_audit::Model {
                object_key: f.key.clone(),
                batch_id,
                expected_sha256: f.recorded.clone(),
                found_sha256: f.found.clone(),
                ok,
                checked_at: self.now(),
                first_failed_at: None,
            },
        )
        .await?;
        if !ok {
            tracing::error!(object.key = %f.key, batch.id = %batch_id, "a trace file's stored bytes do not match its recorded SHA-256");
            // The public verify API must not reuse an earlier match of these bytes.
            let cache_key = rehash_cache_key(&f.key, &f.recorded);
            if let Err(e) = self.infra().cache.delete(&cache_key).await {
                tracing::warn!(error = %e, "could not forget a trace file's re-hash");
            }
            if let Some(b) = queries::batch_by_id(db, BatchId(batch_id)).await? {
                self.forget_page(&b.code).await;
            }
        }
        Ok(())
    }
}
