//! Agents of the desk and their on-duty flag. Platform staff join the desk's list the first
//! time they use it; round-robin assignment picks among those on duty.

use super::require_agent;
use crate::Desk;
use crate::error::Result;
use crate::store::agent;
use crate::store::queries::people;
use farmgate_identity::Actor;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyChange {
    pub on_duty: bool,
}

impl Desk {
    /// Puts the calling agent on the desk's list (keeping their duty flag).
    pub(crate) async fn register_agent(&self, actor: &Actor) -> Result<()> {
        people::upsert_agent(
            &self.infra().db,
            actor.account_id.as_uuid(),
            &actor.display_name,
            None,
            self.now(),
        )
        .await?;
        Ok(())
    }

    /// The desk's agents, with who is on duty.
    pub async fn agents(&self, actor: &Actor) -> Result<Vec<agent::Model>> {
        require_agent(actor)?;
        self.register_agent(actor).await?;
        Ok(people::agents(&self.infra().db).await?)
    }

    /// The calling agent goes on or off duty.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn set_duty(&self, actor: &Actor, d: &DutyChange) -> Result<Vec<agent::Model>> {
        require_agent(actor)?;
        people::upsert_agent(
            &self.infra().db,
            actor.account_id.as_uuid(),
            &actor.display_name,
            Some(d.on_duty),
            self.now(),
        )
        .await?;
        Ok(people::agents(&self.infra().db).await?)
    }
}
