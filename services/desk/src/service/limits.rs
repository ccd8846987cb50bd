//! The response and resolution limits per kind and urgency: built-in defaults
//! (`domain::default_limit`), any pair overridden by the operator.

use super::require_agent;
use crate::Desk;
use crate::domain::{Limit, TicketKind, TicketUrgency, default_limit};
use crate::error::{DeskError, Result};
use crate::store::limit;
use crate::store::queries::people;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One kind × urgency pair and its limits.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitRow {
    pub kind: TicketKind,
    pub urgency: TicketUrgency,
    /// Minutes to the first response (1 or more).
    pub respond_minutes: i32,
    /// Minutes to resolution (no less than the response, at most 60 days).
    pub resolve_minutes: i32,
    /// Set by the operator (otherwise the built-in default). Ignored on input.
    #[serde(default)]
    pub overridden: bool,
}

/// The pairs to change; the others keep theirs.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsUpdate {
    pub limits: Vec<LimitRow>,
}

/// The limit of one pair.
pub(crate) async fn limit_for(
    conn: &impl ConnectionTrait,
    kind: TicketKind,
    urgency: TicketUrgency,
) -> Result<Limit> {
    let rows = people::limits(conn).await?;
    Ok(rows
        .iter()
        .find(|r| r.kind == kind.as_str() && r.urgency == urgency.as_str())
        .map_or_else(
            || default_limit(kind, urgency),
            |r| Limit {
                respond_minutes: r.respond_minutes,
                resolve_minutes: r.resolve_minutes,
            },
        ))
}

impl Desk {
    /// Every pair's limits (agents see them; the operator changes them).
    pub async fn limits(&self, actor: &Actor) -> Result<Vec<LimitRow>> {
        require_agent(actor)?;
        let rows = people::limits(&self.infra().db).await?;
        let mut out = Vec::new();
        for k in TicketKind::ALL {
            for u in TicketUrgency::ALL {
                let o = rows
                    .iter()
                    .find(|r| r.kind == k.as_str() && r.urgency == u.as_str());
                let d = default_limit(*k, *u);
                out.push(LimitRow {
                    kind: *k,
                    urgency: *u,
                    respond_minutes: o.map_or(d.respond_minutes, |r| r.respond_minutes),
                    resolve_minutes: o.map_or(d.resolve_minutes, |r| r.resolve_minutes),
                    overridden: o.is_some(),
                });
            }
        }
        Ok(out)
    }

    /// The operator sets some pairs' limits. New tickets get them; open tickets keep the
    /// deadlines they were given.
    #[tracing::instrument(skip_all)]
    pub async fn set_limits(&self, actor: &Actor, u: &LimitsUpdate) -> Result<Vec<LimitRow>> {
        actor.require_operator()?;
        let mut errs = ValidationErrors::new();
        if u.limits.is_empty() || u.limits.len() > TicketKind::ALL.len() * TicketUrgency::ALL.len()
        {
            errs.push(FieldError::new(
                "limits",
                "out_of_range",
                "请提交 1 到 20 项",
                "send 1 to 20 pairs",
            ));
        }
        for (i, r) in u.limits.iter().enumerate() {
            let l = Limit {
                respond_minutes: r.respond_minutes,
                resolve_minutes: r.resolve_minutes,
            };
            if !l.is_sensible() {
                errs.push(FieldError::new(
                    format!("limits[{i}]"),
                    "out_of_range",
                    "响应时限须大于 0，解决时限不短于响应时限且不超过 60 天",
                    "the response limit must be positive and the resolution limit no shorter, at most 60 days",
                ));
            }
        }
        errs.finish()?;
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        for r in &u.limits {
            people::upsert_limit(
                &txn,
                limit::Model {
                    kind: r.kind.as_str().to_owned(),
                    urgency: r.urgency.as_str().to_owned(),
                    respond_minutes: r.respond_minutes,
                    resolve_minutes: r.resolve_minutes,
                    updated_by: actor.account_id.as_uuid(),
                    updated_at: now,
                },
            )
            .await?;
        }
        txn.commit().await.map_err(DeskError::from)?;
        self.limits(actor).await
    }
}
