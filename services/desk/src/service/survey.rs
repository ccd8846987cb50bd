//! The satisfaction survey: the customer rates a closed ticket once — speed, attitude and
//! result, 1–5 each, with an optional comment.

use super::read::{TicketRecord, Viewer};
use crate::Desk;
use crate::domain::{self, TicketEventKind, TicketId, TicketStatus};
use crate::error::{DeskError, Result};
use crate::store::queries::{people, tickets};
use crate::store::survey;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::text::clean_optional_text;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswer {
    /// How fast it was handled, 1–5.
    pub speed: i64,
    /// How the agent treated you, 1–5.
    pub attitude: i64,
    /// How well it was solved, 1–5.
    pub result: i64,
    /// Up to 500 characters.
    #[serde(default)]
    pub comment: Option<String>,
}

impl Desk {
    /// The customer rates their closed ticket, once.
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn rate(
        &self,
        actor: &Actor,
        id: TicketId,
        s: &SurveyAnswer,
    ) -> Result<TicketRecord> {
        let (t, viewer) = self.row_for(actor, id).await?;
        if viewer != Viewer::Customer {
            return Err(DeskError::Forbidden);
        }
        match t.status {
            TicketStatus::Closed => {}
            TicketStatus::Merged => return Err(DeskError::Merged),
            TicketStatus::Open | TicketStatus::Answered => return Err(DeskError::NotClosed),
        }
        let mut errs = ValidationErrors::new();
        let speed = errs.check("speed", domain::score("speed", s.speed));
        let attitude = errs.check("attitude", domain::score("attitude", s.attitude));
        let result = errs.check("result", domain::score("result", s.result));
        let comment = errs.check(
            "comment",
            clean_optional_text(s.comment.as_deref(), 500, true),
        );
        errs.finish()?;
        let (Some(speed), Some(attitude), Some(result), Some(comment)) =
            (speed, attitude, result, comment)
        else {
            return Err(DeskError::Invalid(ValidationErrors::new()));
        };
        let now = self.now();
        let me = actor.account_id.as_uuid();
        let txn = begin_write(&self.infra().db).await?;
        let fresh = people::insert_survey(
            &txn,
            survey::Model {
                ticket_id: id.0,
                account_id: me,
                speed,
                attitude,
                result,
                comment,
                at: now,
            },
        )
        .await?;
        if !fresh {
            return Err(DeskError::AlreadyRated);
        }
        tickets::insert_event(
            &txn,
            id.0,
            TicketEventKind::Rated,
            Some(me),
            json!({"speed": speed, "attitude": attitude, "result": result}),
            now,
        )
        .await?;
        txn.commit().await?;
        self.reread(actor, id).await
    }
}
