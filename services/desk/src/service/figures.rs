//! The desk's figures by the after-sales standard: per agent or per kind, over a period of
//! days (Asia/Shanghai) — first response and resolution times (p50/p90, minutes), the share
//! answered and resolved within the limit, the reopen rate, satisfaction by dimension and
//! follow-up completion. Tickets count in the period they were opened; merged duplicates do
//! not count.

use super::require_agent;
use crate::Desk;
use crate::domain::figures::{mean, percentile, share};
use crate::error::{DeskError, Result};
use crate::store::queries::{people, tickets};
use crate::store::{follow_up, survey, ticket};
use chrono::{Duration, NaiveDate, TimeZone};
use farmgate_identity::Actor;
use farmgate_kernel::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

farmgate_kernel::wire_enum!(
    /// What the figures are broken down by.
    FiguresGroup { Agent => "agent", Kind => "kind" }
);

#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day, inclusive; at most 366 days after `from`.
    pub to: NaiveDate,
    /// `agent` (default) or `kind`.
    #[param(inline)]
    pub group: Option<FiguresGroup>,
}

/// DeskSatisfaction by dimension (means 1–5).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeskSatisfaction {
    pub surveys: usize,
    pub speed: Option<f64>,
    pub attitude: Option<f64>,
    pub result: Option<f64>,
}

/// One group's figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GroupFigures {
    /// The agent's id or the kind's name; `null` for unassigned tickets.
    pub key: Option<String>,
    /// The agent's name or the kind's label.
    pub label: String,
    pub tickets: usize,
    pub closed: usize,
    pub first_response_p50_minutes: Option<i64>,
    pub first_response_p90_minutes: Option<i64>,
    pub resolution_p50_minutes: Option<i64>,
    pub resolution_p90_minutes: Option<i64>,
    /// Of the tickets answered, the share answered by the response limit.
    pub responded_within_limit: Option<f64>,
    /// Of the tickets closed, the share closed (first) by the resolution limit.
    pub resolved_within_limit: Option<f64>,
    /// Of the tickets closed, the share reopened by the customer.
    pub reopen_rate: Option<f64>,
    pub satisfaction: DeskSatisfaction,
    pub follow_ups_owed: usize,
    pub follow_ups_done: usize,
    pub follow_up_completion: Option<f64>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeskFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group: FiguresGroup,
    pub groups: Vec<GroupFigures>,
    pub total: GroupFigures,
}

fn minutes(d: Duration) -> i64 {
    d.num_minutes().max(0)
}

pub(crate) fn figures_of(
    key: Option<String>,
    label: String,
    ts: &[&ticket::Model],
    surveys: &[survey::Model],
    follow_ups: &[follow_up::Model],
) -> GroupFigures {
    let ids: Vec<Uuid> = ts.iter().map(|t| t.id).collect();
    let answered: Vec<&&ticket::Model> = ts
        .iter()
        .filter(|t| t.first_response_at.is_some())
        .collect();
    let first: Vec<i64> = answered
        .iter()
        .filter_map(|t| t.first_response_at.map(|a| minutes(a - t.created_at)))
        .collect();
    let closed: Vec<&&ticket::Model> = ts.iter().filter(|t| t.first_closed_at.is_some()).collect();
    let resolution: Vec<i64> = closed
        .iter()
        .filter_map(|t| t.first_closed_at.map(|c| minutes(c - t.created_at)))
        .collect();
    let responded_in_time = answered
        .iter()
        .filter(|t| t.first_response_at.is_some_and(|a| a <= t.respond_by))
        .count();
    let resolved_in_time = closed
        .iter()
        .filter(|t| t.first_closed_at.is_some_and(|c| c <= t.resolve_by))
        .count();
    let reopened = closed.iter().filter(|t| t.reopen_count > 0).count();
    let ss: Vec<&survey::Model> = surveys
        .iter()
        .filter(|s| ids.contains(&s.ticket_id))
        .collect();
    let fs: Vec<&follow_up::Model> = follow_ups
        .iter()
        .filter(|f| ids.contains(&f.ticket_id))
        .collect();
    let done = fs.iter().filter(|f| f.done_at.is_some()).count();
    GroupFigures {
        key,
        label,
        tickets: ts.len(),
        closed: closed.len(),
        first_response_p50_minutes: percentile(&first, 50),
        first_response_p90_minutes: percentile(&first, 90),
        resolution_p50_minutes: percentile(&resolution, 50),
        resolution_p90_minutes: percentile(&resolution, 90),
        responded_within_limit: share(responded_in_time, answered.len()),
        resolved_within_limit: share(resolved_in_time, closed.len()),
        reopen_rate: share(reopened, closed.len()),
        satisfaction: DeskSatisfaction {
            surveys: ss.len(),
            speed: mean(&ss.iter().map(|s| s.speed).collect::<Vec<_>>()),
            attitude: mean(&ss.iter().map(|s| s.attitude).collect::<Vec<_>>()),
            result: mean(&ss.iter().map(|s| s.result).collect::<Vec<_>>()),
        },
        follow_ups_owed: fs.len(),
        follow_ups_done: done,
        follow_up_completion: share(done, fs.len()),
    }
}

impl Desk {
    /// The figures for a period (agents and the operator).
    #[tracing::instrument(skip_all)]
    pub async fn figures(&self, actor: &Actor, q: &FiguresQuery) -> Result<DeskFigures> {
        require_agent(actor)?;
        let (from, to) = period(q.from, q.to)?;
        let db = &self.infra().db;
        let ts = tickets::created_between(db, from, to).await?;
        let ids: Vec<Uuid> = ts.iter().map(|t| t.id).collect();
        let surveys = people::surveys_of(db, &ids).await?;
        let follow_ups = people::follow_ups_of(db, &ids).await?;
        let group = q.group.unwrap_or(FiguresGroup::Agent);
        let mut groups: BTreeMap<Option<String>, Vec<&ticket::Model>> = BTreeMap::new();
        for t in &ts {
            let key = match group {
                FiguresGroup::Agent => t.assignee_id.map(|a| a.to_string()),
                FiguresGroup::Kind => Some(t.kind.as_str().to_owned()),
            };
            groups.entry(key).or_default().push(t);
        }
        let names: BTreeMap<String, String> = people::agents(db)
            .await?
            .into_iter()
            .map(|a| (a.account_id.to_string(), a.display_name))
            .collect();
        let out = groups
            .iter()
            .map(|(key, ts)| {
                let label = match (group, key) {
                    (_, None) => "未分配 / unassigned".to_owned(),
                    (FiguresGroup::Agent, Some(k)) => {
                        names.get(k).cloned().unwrap_or_else(|| k.clone())
                    }
                    (FiguresGroup::Kind, Some(k)) => kind_label(k),
                };
                figures_of(key.clone(), label, ts, &surveys, &follow_ups)
            })
            .collect();
        let all: Vec<&ticket::Model> = ts.iter().collect();
        Ok(DeskFigures {
            from: q.from,
            to: q.to,
            group,
            groups: out,
            total: figures_of(None, "合计 / total".to_owned(), &all, &surveys, &follow_ups),
        })
    }
}

/// A kind's label in both languages (the figures' labels).
pub(crate) fn kind_label(k: &str) -> String {
    crate::domain::TicketKind::parse(k).map_or_else(
        || k.to_owned(),
        |k| format!("{} / {}", k.label_zh(), k.label_en()),
    )
}

/// The instants a period of Asia/Shanghai days spans (the last day inclusive), refused when
/// it runs backwards or over 366 days.
pub(crate) fn period(
    first: NaiveDate,
    last: NaiveDate,
) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> {
    if last < first || (last - first).num_days() > 366 {
        return Err(DeskError::from(FieldError::new(
            "to",
            "out_of_range",
            "结束日期须不早于开始日期，且跨度不超过 366 天",
            "the last day must not precede the first, at most 366 days later",
        )));
    }
    let tz = farmgate_kernel::clock::shanghai();
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .single()
            .map(|t| t.to_utc())
    };
    let (Some(from), Some(to)) = (start(first), start(last + Duration::days(1))) else {
        return Err(DeskError::Internal("an unmappable day".to_owned()));
    };
    Ok((from, to))
}
