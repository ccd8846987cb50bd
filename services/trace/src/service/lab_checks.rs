//! Third-party tests (第三方检测): a verified testing body's staff upload the report PDF and
//! record the test on any batch by its trace code. The record is chained like every other
//! (its hash covers the lab's name and accreditation), indexed in `lab_checks` in the same
//! transaction, and never changed: a correction is a new record naming the one it corrects.
//! A failed test blocks the batch (`domain::advance`), and after-sales' job on
//! `trace.batch.changed` recalls it ([`crate::read::aftersales`]).

use super::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_BATCH, seconds, truncate};
use crate::Trace;
use crate::chain;
use crate::domain::{self, EventKind, LabCheckRequest, LabRef};
use crate::error::{Missing, Result, TraceError};
use crate::store::{attachment, batch, lab_checks, queries};
use farmgate_identity::{Actor, OrgStatus};
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::id::{BatchId, OrgId};
use farmgate_kernel::{FieldError, ValidationErrors};
use serde_json::json;
use uuid::Uuid;

/// Report files one person may upload to one batch.
pub const MAX_REPORTS_PER_PERSON: u64 = 20;

/// A third-party test just recorded: its index row and its record's hash.
#[derive(Clone, Debug)]
pub struct LabCheckRecorded {
    pub check: lab_checks::Model,
    pub hash: String,
}

impl Trace {
    /// The lab the actor records for: a verified testing body it belongs to, as the records
    /// name it. Checked against the database too (verification withdrawn a moment ago counts).
    async fn lab_for(&self, actor: &Actor, lab: OrgId) -> Result<LabRef> {
        actor.require_testing_member(lab)?;
        let body = self
            .identity()
            .testing_body(lab)
            .await?
            .ok_or(TraceError::Forbidden)?;
        if body.status != OrgStatus::Verified {
            return Err(farmgate_identity::IdentityError::OrgNotVerified.into());
        }
        Ok(LabRef {
            org_id: lab.as_uuid(),
            name: body.name,
            accreditation_no: body.accreditation_no,
        })
    }

    /// The batch behind a code a lab typed. A lab that is also a member of the batch's seller
    /// is refused: a third-party test is by someone else.
    async fn batch_for_lab(&self, actor: &Actor, code: &str) -> Result<batch::Model> {
        let code = chain::parse_code(code).ok_or(TraceError::NotFound(Missing::TraceCode))?;
        let b = queries::batch_by_code(&self.infra().db, &code)
            .await?
            .ok_or(TraceError::NotFound(Missing::TraceCode))?;
        if actor.membership(OrgId(b.seller_org_id)).is_some() {
            return Err(TraceError::Forbidden);
        }
        Ok(b)
    }

    /// Stores a lab's report (a PDF, by its bytes; at most 10 MB) for the record it is about to
    /// make on the batch of `code`.
    #[tracing::instrument(skip_all, fields(org.id = %lab, bytes = bytes.len()))]
    pub async fn add_lab_report(
        &self,
        actor: &Actor,
        lab: OrgId,
        code: &str,
        name: &str,
        bytes: bytes::Bytes,
    ) -> Result<attachment::Model> {
        self.lab_for(actor, lab).await?;
        let b = self.batch_for_lab(actor, code).await?;
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(TraceError::TooLarge);
        }
        if !bytes.starts_with(b"%PDF-") {
            return Err(TraceError::UnsupportedFile);
        }
        // The batch's 200 files are shared with its seller: one lab's person may take only a
        // few of them, so uploading without end cannot keep the seller from adding its own.
        let db = &self.infra().db;
        if queries::count_attachments(db, BatchId(b.id)).await? >= MAX_ATTACHMENTS_PER_BATCH
            || queries::count_attachments_by(db, BatchId(b.id), actor.account_id.as_uuid()).await?
                >= MAX_REPORTS_PER_PERSON
        {
            return Err(TraceError::TooManyAttachments);
        }
        self.save_attachment(
            &b,
            actor,
            Uuid::now_v7(),
            name,
            "application/pdf",
            "pdf",
            bytes,
        )
        .await
    }

    /// Records a third-party test on the batch of `req.code`, for testing body `lab`.
    #[tracing::instrument(skip_all, fields(org.id = %lab))]
    pub async fn record_lab_check(
        &self,
        actor: &Actor,
        lab: OrgId,
        req: LabCheckRequest,
    ) -> Result<LabCheckRecorded> {
        let lab_ref = self.lab_for(actor, lab).await?;
        let b = self.batch_for_lab(actor, &req.code).await?;
        let now = self.now();
        let parsed = domain::parse_lab_check(&req, &lab_ref, now, b.started_on, seconds)?;
        let db = &self.infra().db;
        let mut errs = ValidationErrors::new();
        let mut files = Vec::new();
        if !req.attachments.is_empty() {
            let found = queries::attachments_of(db, BatchId(b.id), req.attachments.clone()).await?;
            for id in &req.attachments {
                // Only a report this person uploaded for this batch: a lab cites its own file,
                // never one the seller put there.
                match found.iter().find(|a| {
                    a.id == *id
                        && a.uploaded_by == actor.account_id.as_uuid()
                        && a.content_type == "application/pdf"
                }) {
                    Some(a) => files.push(json!({
                        "name": a.name, "content_type": a.content_type, "size": a.size_bytes,
                        "sha256": a.sha256, "key": a.object_key,
                    })),
                    None => errs.push(FieldError::new(
                        "attachments",
                        "not_found",
                        "报告文件不存在，或不是本机构为该批次上传的",
                        "a report is missing, or was not uploaded by you for this batch",
                    )),
                }
            }
        }
        if let Some(seq) = parsed.corrects {
            let earlier = lab_checks::of_batch(db, BatchId(b.id)).await?;
            if !earlier
                .iter()
                .any(|c| c.seq == seq && c.lab_org_id == lab.as_uuid())
            {
                errs.push(FieldError::new(
                    "corrects",
                    "not_found",
                    "本机构在该批次上没有这条检测记录",
                    "your lab has no test with that number on this batch",
                ));
            }
        }
        errs.finish()?;

        let txn = begin_write(db).await?;
        // Records of one batch take turns (a shipment, a recall, another lab at the same
        // moment): this one reads the chain after the earlier one committed.
        serialise(&txn, "trace.chain", b.id).await?;
        let b = queries::batch_by_id(&txn, BatchId(b.id))
            .await?
            .ok_or(TraceError::NotFound(Missing::Batch))?;
        let events = queries::events_of(&txn, BatchId(b.id)).await?;
        let at = truncate(now);
        let appended = self
            .write_chained(
                &txn,
                &b,
                &events,
                EventKind::LabCheck,
                parsed.data,
                files,
                actor.account_id,
                at,
            )
            .await?;
        let check = lab_checks::Model {
            id: Uuid::now_v7(),
            batch_id: b.id,
            code: b.code.clone(),
            seq: appended.event.seq,
            event_id: appended.event.id,
            listing_id: b.listing_id,
            seller_org_id: b.seller_org_id,
            lab_org_id: lab.as_uuid(),
            lab_name: lab_ref.name,
            recorded_by: actor.account_id.as_uuid(),
            check_kind: parsed.kind,
            result: if parsed.passed { "pass" } else { "fail" }.to_owned(),
            report_no: parsed.report_no,
            sampled_at: parsed.sampled_at,
            recorded_at: at,
            corrects_seq: parsed.corrects,
        };
        lab_checks::insert(&txn, check.clone()).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.forget_page(&b.code).await;
        if !parsed.passed {
            tracing::warn!(batch = %b.id, code = %b.code, lab = %lab, "third-party test failed");
        }
        Ok(LabCheckRecorded {
            check,
            hash: appended.event.hash,
        })
    }

    /// A lab's tests, newest first (its members and the operator).
    #[tracing::instrument(skip_all, fields(org.id = %lab))]
    pub async fn lab_checks_of(&self, actor: &Actor, lab: OrgId) -> Result<Vec<lab_checks::Model>> {
        actor.require_member_or_operator(lab)?;
        Ok(lab_checks::of_lab(&self.infra().db, lab, 500).await?)
    }
}
