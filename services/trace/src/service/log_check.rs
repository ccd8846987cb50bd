//! The "log inclusion" check of a batch's verdict (CHAIN.md §11): is what the database holds
//! for this code what the witnessed log recorded, and is its head a leaf of the latest
//! published checkpoint?

use crate::Trace;
use crate::error::Result;
use crate::store::log as store;
use crate::tlog::{self, Leaf, PublicKey};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One named check of a verdict, in both languages.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NamedCheck {
    /// `log inclusion`.
    pub name: String,
    /// `pass`, `pending` (recorded after the latest checkpoint: covered by the next one) or
    /// `fail` (tampering).
    pub status: String,
    pub ok: bool,
    pub message_zh: String,
    pub message_en: String,
    /// The checkpoint checked against: when it was signed and by whom.
    pub checkpoint_size: Option<u64>,
    pub checkpoint_signed_at: Option<DateTime<Utc>>,
    pub checkpoint_signers: Vec<String>,
}

impl NamedCheck {
    pub const LOG_INCLUSION: &'static str = "log inclusion";

    fn new(status: &str, zh: String, en: String) -> Self {
        NamedCheck {
            name: Self::LOG_INCLUSION.to_owned(),
            ok: status != "fail",
            status: status.to_owned(),
            message_zh: zh,
            message_en: en,
            checkpoint_size: None,
            checkpoint_signed_at: None,
            checkpoint_signers: Vec::new(),
        }
    }
}

impl Trace {
    /// Checks a code's events as the database holds them now (`(seq, hash)` in seq order;
    /// empty when the batch is gone) against the transparency log.
    #[tracing::instrument(skip_all, fields(trace.code = %code))]
    pub async fn check_log_inclusion(
        &self,
        code: &str,
        events: &[(i64, String)],
    ) -> Result<NamedCheck> {
        let db = &self.infra().db;
        let Some(cp) = store::latest_checkpoint(db, true).await? else {
            return Ok(NamedCheck::new(
                "pending",
                "尚无已发布的日志检查点，本批次将由下一个检查点覆盖".into(),
                "No log checkpoint is published yet; the next one will cover this batch".into(),
            ));
        };
        let size = u64::try_from(cp.size).unwrap_or(0);
        let view = self.latest_checkpoint().await?;
        let with_cp = |mut c: NamedCheck| {
            c.checkpoint_size = Some(size);
            c.checkpoint_signed_at = Some(cp.signed_at);
            c.checkpoint_signers = view.as_ref().map(|v| v.signers.clone()).unwrap_or_default();
            c
        };
        let logged: Vec<store::leaf::Model> = store::leaves_of_code(db, code)
            .await?
            .into_iter()
            .filter(|l| u64::try_from(l.idx).is_ok_and(|i| i < size))
            .collect();
        // Every logged event must still be in the database, unchanged.
        for l in &logged {
            let seq = i64::from(l.seq);
            match events.iter().find(|(s, _)| *s == seq) {
                None => {
                    return Ok(with_cp(NamedCheck::new(
                        "fail",
                        format!("第 {seq} 条记录已写入公开日志，但数据库中已不存在：记录被删除"),
                        format!(
                            "Record {seq} is in the witnessed log but missing from the database: it was deleted"
                        ),
                    )));
                }
                Some((_, h)) if *h != l.event_hash => {
                    return Ok(with_cp(NamedCheck::new(
                        "fail",
                        format!("第 {seq} 条记录与公开日志中的不一致：记录被改写"),
                        format!("Record {seq} differs from the witnessed log: it was rewritten"),
                    )));
                }
                Some(_) => {}
            }
        }
        let Some(head) = logged.iter().max_by_key(|l| l.seq) else {
            return Ok(with_cp(NamedCheck::new(
                "pending",
                "本批次记录于最新检查点之后，将由下一个检查点覆盖".into(),
                "Recorded after the latest checkpoint; the next one will cover it".into(),
            )));
        };
        // The head's inclusion proof, checked against the root in the signed note.
        let key = PublicKey::parse(&self.log().key.note_vkey())
            .map_err(|e| crate::TraceError::Internal(format!("trace log key: {e}")))?;
        let opened = tlog::open_note(cp.note.as_bytes(), &[key]);
        let proof = self.inclusion(code).await?;
        let proven = match (opened, proof) {
            (Ok(note), Some(p)) => {
                let leaf = Leaf {
                    code: head.code.clone(),
                    seq: i64::from(head.seq),
                    event_hash: head.event_hash.clone(),
                };
                let path: Option<Vec<tlog::Hash>> =
                    p.proof.iter().map(|h| tlog::parse_hex(h)).collect();
                path.is_some_and(|path| {
                    p.leaf_index == u64::try_from(head.idx).unwrap_or(u64::MAX)
                        && tlog::check_inclusion(
                            &path,
                            note.checkpoint.size,
                            note.checkpoint.root,
                            p.leaf_index,
                            leaf.hash(),
                        )
                })
            }
            _ => false,
        };
        if !proven {
            return Ok(with_cp(NamedCheck::new(
                "fail",
                "本批次的记录不在已签名的日志检查点中：日志被改写".into(),
                "This batch's head is not in the signed log checkpoint: the log was rewritten"
                    .into(),
            )));
        }
        let newer = events
            .iter()
            .filter(|(s, _)| *s > i64::from(head.seq))
            .count();
        let (zh, en) = if newer == 0 {
            (
                format!("最后一条记录（第 {} 条）已写入见证过的公开日志", head.seq),
                format!("The last record (#{}) is in the witnessed log", head.seq),
            )
        } else {
            (
                format!(
                    "第 {} 条及之前的记录已写入公开日志；之后的 {newer} 条将由下一个检查点覆盖",
                    head.seq
                ),
                format!(
                    "Records up to #{} are in the log; the {newer} after it will be covered by the next checkpoint",
                    head.seq
                ),
            )
        };
        Ok(with_cp(NamedCheck::new("pass", zh, en)))
    }

    /// Whether a code that no longer has a batch was ever in the log (a deleted batch: a
    /// tamper warning, not "not found").
    pub async fn logged_but_missing(&self, code: &str) -> Result<bool> {
        let Some(code) = crate::chain::parse_code(code) else {
            return Ok(false);
        };
        Ok(!store::leaves_of_code(&self.infra().db, &code)
            .await?
            .is_empty())
    }
}
