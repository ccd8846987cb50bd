//! One agent's own view (我的工作台): their figures over a period — the same measures as the
//! desk's figures (`figures.rs`), over the tickets assigned to them and opened in the period,
//! by kind and in total, with their claims' follow-up calls — for themselves; the operator
//! may look at any agent's. Their tickets are the queue with `mine=true` (overdue first, then
//! the nearest deadline, each with its countdown).

use super::figures::{GroupFigures, figures_of, kind_label, period};
use super::require_agent;
use crate::Desk;
use crate::domain::figures::share;
use crate::error::{DeskError, Missing, Result};
use crate::store::queries::{attachments, people, tickets};
use crate::store::ticket;
use chrono::NaiveDate;
use farmgate_identity::Actor;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AgentFiguresQuery {
    /// The agent; the caller when absent (another agent's: the operator only).
    pub agent: Option<Uuid>,
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day, inclusive; at most 366 days after `from`.
    pub to: NaiveDate,
}

/// One agent's figures over a period.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgentFigures {
    pub agent_id: Uuid,
    pub agent_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Over every ticket assigned to the agent and opened in the period.
    pub total: GroupFigures,
    /// The same, per kind of ticket.
    pub by_kind: Vec<GroupFigures>,
    /// Follow-up calls after resolved claims given to the agent in the period.
    pub claim_follow_ups_owed: usize,
    pub claim_follow_ups_done: usize,
    pub claim_follow_up_completion: Option<f64>,
}

impl Desk {
    /// An agent's own figures (or, for the operator, any agent's).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn agent_figures(
        &self,
        actor: &Actor,
        q: &AgentFiguresQuery,
    ) -> Result<AgentFigures> {
        require_agent(actor)?;
        let me = actor.account_id.as_uuid();
        let agent = q.agent.unwrap_or(me);
        if agent != me && !actor.is_operator() {
            return Err(DeskError::Forbidden);
        }
        let (from, to) = period(q.from, q.to)?;
        let db = &self.infra().db;
        let agent_name = match people::agent(db, agent).await? {
            Some(a) => a.display_name,
            None if agent == me => actor.display_name.clone(),
            None => return Err(DeskError::NotFound(Missing::Agent)),
        };
        let ts: Vec<ticket::Model> = tickets::created_between(db, from, to)
            .await?
            .into_iter()
            .filter(|t| t.assignee_id == Some(agent))
            .collect();
        let ids: Vec<Uuid> = ts.iter().map(|t| t.id).collect();
        let surveys = people::surveys_of(db, &ids).await?;
        let follow_ups = people::follow_ups_of(db, &ids).await?;
        let mut kinds: BTreeMap<String, Vec<&ticket::Model>> = BTreeMap::new();
        for t in &ts {
            kinds.entry(t.kind.as_str().to_owned()).or_default().push(t);
        }
        let by_kind = kinds
            .iter()
            .map(|(k, ts)| figures_of(Some(k.clone()), kind_label(k), ts, &surveys, &follow_ups))
            .collect();
        let all: Vec<&ticket::Model> = ts.iter().collect();
        let claims = attachments::claim_follow_ups_of(db, agent, from, to).await?;
        let done = claims.iter().filter(|f| f.done_at.is_some()).count();
        Ok(AgentFigures {
            agent_id: agent,
            agent_name: agent_name.clone(),
            from: q.from,
            to: q.to,
            total: figures_of(
                Some(agent.to_string()),
                agent_name,
                &all,
                &surveys,
                &follow_ups,
            ),
            by_kind,
            claim_follow_ups_owed: claims.len(),
            claim_follow_ups_done: done,
            claim_follow_up_completion: share(done, claims.len()),
        })
    }
}
