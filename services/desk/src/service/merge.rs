//! Merging duplicates: an agent folds a ticket into another of the same customer; the
//! duplicate becomes `merged` (final, pointing at the one kept) and stops counting in the
//! queue and the figures.

use super::read::TicketRecord;
use super::require_agent;
use crate::Desk;
use crate::domain::{self, Move, TicketEventKind, TicketId, TicketStatus};
use crate::error::{DeskError, Missing, Result};
use crate::store::queries::tickets;
use crate::store::ticket;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::FieldError;
use sea_orm::Set;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The ticket to keep.
    #[schema(value_type = uuid::Uuid)]
    pub into: TicketId,
}

fn refuse(code: &'static str, zh: &str, en: &str) -> DeskError {
    FieldError::new("into", code, zh, en).into()
}

impl Desk {
    /// Folds ticket `id` into `m.into` (same customer, both still being worked).
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn merge(
        &self,
        actor: &Actor,
        id: TicketId,
        m: &MergeRequest,
    ) -> Result<TicketRecord> {
        require_agent(actor)?;
        let (t, _) = self.row_for(actor, id).await?;
        let now = self.now();
        let status = domain::transition(t.status, Move::Merge, t.closed_at, now)?;
        if m.into == id {
            return Err(refuse(
                "invalid",
                "不能合并到自身",
                "a ticket cannot be merged into itself",
            ));
        }
        let Some(target) = tickets::by_id(&self.infra().db, m.into.0).await? else {
            return Err(DeskError::NotFound(Missing::Ticket));
        };
        if !matches!(target.status, TicketStatus::Open | TicketStatus::Answered) {
            return Err(refuse(
                "not_active",
                "只能合并到处理中的工单",
                "merge into a ticket that is still being worked",
            ));
        }
        let same_customer = match (t.opener_account_id, target.opener_account_id) {
            (Some(a), Some(b)) => a == b,
            (None, None) => t.contact_phone.is_some() && t.contact_phone == target.contact_phone,
            _ => false,
        };
        if !same_customer {
            return Err(refuse(
                "other_customer",
                "只能合并同一客户的重复工单",
                "only duplicates of the same customer are merged",
            ));
        }
        let changes = ticket::ActiveModel {
            status: Set(status),
            merged_into: Set(Some(target.id)),
            next_due_at: Set(None),
            ..Default::default()
        };
        let me = actor.account_id.as_uuid();
        let txn = begin_write(&self.infra().db).await?;
        if !tickets::update_at_version(&txn, id.0, t.version, changes, now).await? {
            return Err(DeskError::Concurrent);
        }
        tickets::insert_event(
            &txn,
            id.0,
            TicketEventKind::Merged,
            Some(me),
            json!({"into": target.id}),
            now,
        )
        .await?;
        tickets::insert_event(
            &txn,
            target.id,
            TicketEventKind::Merged,
            Some(me),
            json!({"duplicate": id}),
            now,
        )
        .await?;
        txn.commit().await?;
        self.reread(actor, id).await
    }
}
