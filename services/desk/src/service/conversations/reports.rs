//! Abusive messages: a party reports the other party's message (once, with a reason); the
//! operator's queue lists the reports; the operator hides the message with a reason (kept,
//! not deleted; the parties see that it was hidden) or dismisses the report.

use super::read::MessageView;
use super::write::ConversationText;
use super::{Party, party_of};
use crate::Desk;
use crate::domain::conversation::{MAX_OPERATOR_REASON, MAX_REPORT_REASON, ReportOutcome};
use crate::error::{DeskError, Missing, Result};
use crate::store::conversation_report;
use crate::store::queries::conversations as q;
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{Limit, Offset, Page, Paged, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConversationReportView {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub message_id: Uuid,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub outcome: Option<ReportOutcome>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Staff only: the reported message, in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageView>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter_account_id: Option<Uuid>,
}

impl ConversationReportView {
    fn of(r: &conversation_report::Model) -> Self {
        Self {
            id: r.id,
            conversation_id: r.conversation_id,
            message_id: r.message_id,
            reason: r.reason.clone(),
            created_at: r.created_at,
            outcome: r.outcome,
            resolved_at: r.resolved_at,
            message: None,
            reporter_account_id: None,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConversationReportPage {
    pub items: Vec<ConversationReportView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

farmgate_kernel::wire_enum!(
    /// Which reports the queue lists.
    ReportFilter { Open => "open", All => "all" }
);

#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQueueQuery {
    /// `open` (default, oldest first) or `all` (newest first).
    #[param(inline)]
    #[serde(default)]
    pub status: Option<ReportFilter>,
    pub limit: Option<Limit>,
    pub offset: Option<Offset>,
}

fn reason(t: &ConversationText, max: usize) -> Result<String> {
    let mut errs = ValidationErrors::new();
    let r = errs.check("reason", clean_text(&t.reason, 1, max, true));
    errs.finish()?;
    Ok(r.unwrap_or_default())
}

impl Desk {
    /// A party reports the other party's message as abusive, once.
    #[tracing::instrument(skip_all, fields(message.id = %id))]
    pub async fn report_conversation_message(
        &self,
        actor: &Actor,
        id: Uuid,
        t: &ConversationText,
    ) -> Result<ConversationReportView> {
        let db = &self.infra().db;
        let m = q::message(db, id)
            .await?
            .ok_or(DeskError::NotFound(Missing::Message))?;
        let c = q::by_id(db, m.conversation_id)
            .await?
            .ok_or(DeskError::NotFound(Missing::Message))?;
        match party_of(actor, &c) {
            None => return Err(DeskError::NotFound(Missing::Message)),
            // Staff hide; nobody reports their own words.
            Some(Party::Staff) => return Err(DeskError::Forbidden),
            Some(_) if m.author_account_id == actor.account_id.as_uuid() => {
                return Err(DeskError::Forbidden);
            }
            Some(_) => {}
        }
        let reason = reason(t, MAX_REPORT_REASON)?;
        let r = conversation_report::Model {
            id: Uuid::now_v7(),
            message_id: id,
            conversation_id: c.id,
            reporter_account_id: actor.account_id.as_uuid(),
            reason,
            outcome: None,
            resolved_by: None,
            resolved_at: None,
            created_at: self.now(),
        };
        q::insert_report(db, r.clone())
            .await
            .map_err(|e| match unique_violation(&e) {
                Some(_) => DeskError::AlreadyReported,
                None => e.into(),
            })?;
        Ok(ConversationReportView::of(&r))
    }

    /// The operator's queue of reported messages.
    pub async fn conversation_reports(
        &self,
        actor: &Actor,
        q_: &ReportQueueQuery,
    ) -> Result<ConversationReportPage> {
        actor.require_operator()?;
        let db = &self.infra().db;
        let page = Page {
            limit: q_.limit,
            offset: q_.offset,
        };
        let open = q_.status.unwrap_or(ReportFilter::Open) == ReportFilter::Open;
        let (rows, total) = q::reports(db, open, page.offset(), page.limit()).await?;
        let messages: HashMap<Uuid, _> =
            q::messages_by_ids(db, rows.iter().map(|r| r.message_id).collect())
                .await?
                .into_iter()
                .map(|m| (m.id, m))
                .collect();
        let me = actor.account_id.as_uuid();
        let items = rows
            .iter()
            .map(|r| {
                let mut v = ConversationReportView::of(r);
                v.message = messages
                    .get(&r.message_id)
                    .map(|m| MessageView::of(m, Party::Staff, me));
                v.reporter_account_id = Some(r.reporter_account_id);
                v
            })
            .collect();
        let p = Paged::new(items, total, page);
        Ok(ConversationReportPage {
            items: p.items,
            total: p.total,
            limit: p.limit,
            offset: p.offset,
        })
    }

    /// The operator hides a message with a reason; its open reports are resolved as hidden.
    #[tracing::instrument(skip_all, fields(message.id = %id))]
    pub async fn hide_conversation_message(
        &self,
        actor: &Actor,
        id: Uuid,
        t: &ConversationText,
    ) -> Result<MessageView> {
        actor.require_operator()?;
        let why = reason(t, MAX_OPERATOR_REASON)?;
        let db = &self.infra().db;
        q::message(db, id)
            .await?
            .ok_or(DeskError::NotFound(Missing::Message))?;
        let me = actor.account_id.as_uuid();
        let now = self.now();
        let txn = begin_write(db).await?;
        if !q::hide_message(&txn, id, &why, me, now).await? {
            return Err(DeskError::AlreadyHidden);
        }
        q::resolve_reports(&txn, id, None, ReportOutcome::Hidden, me, now).await?;
        txn.commit().await?;
        let m = q::message(db, id)
            .await?
            .ok_or(DeskError::NotFound(Missing::Message))?;
        Ok(MessageView::of(&m, Party::Staff, me))
    }

    /// The operator dismisses a report: the message stays as it is.
    #[tracing::instrument(skip_all, fields(report.id = %id))]
    pub async fn dismiss_conversation_report(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<ConversationReportView> {
        actor.require_operator()?;
        let db = &self.infra().db;
        let r = q::report(db, id)
            .await?
            .ok_or(DeskError::NotFound(Missing::Report))?;
        let n = q::resolve_reports(
            db,
            r.message_id,
            Some(id),
            ReportOutcome::Dismissed,
            actor.account_id.as_uuid(),
            self.now(),
        )
        .await?;
        if n == 0 {
            return Err(DeskError::AlreadyResolved);
        }
        let r = q::report(db, id)
            .await?
            .ok_or(DeskError::NotFound(Missing::Report))?;
        Ok(ConversationReportView::of(&r))
    }
}
