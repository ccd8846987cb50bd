//! Service quality, as the seed manual measures it: per seller, carrier, category or seller
//! kind and period — claim rate (claims / delivered sub-orders), first-response and resolution
//! times (median and p90), resolution rate, share escalated, refunded amount, satisfaction.
//! Sellers see their own; the operator and officials see all (no buyer is named). And the
//! buyers whose claim rate is far above the norm, flagged for the operator to look at.

use crate::Aftersales;
use crate::domain::ClaimStatus;
use crate::error::{AftersalesError, Result};
use crate::store::{claim, claim_line};
use chrono::{Duration, NaiveDate};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_kernel::FieldError;
use farmgate_kernel::id::OrgId;
use farmgate_kernel::stats::{bp, percentile};
use farmgate_orders::domain::SubOrderStatus;
use farmgate_orders::domain::start_of;
use farmgate_orders::store::{line, shipment, sub_order};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

/// How the figures are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Seller,
    Carrier,
    Category,
    SellerKind,
}

/// One group's figures. Rates are basis points (1/10 000) so they stay integers.
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq)]
pub struct QualityRow {
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub delivered: u64,
    pub claims: u64,
    pub claim_rate_bp: u64,
    pub first_response_p50_secs: Option<i64>,
    pub first_response_p90_secs: Option<i64>,
    pub resolution_p50_secs: Option<i64>,
    pub resolution_p90_secs: Option<i64>,
    pub resolved: u64,
    pub resolution_rate_bp: u64,
    pub escalated: u64,
    pub escalation_share_bp: u64,
    pub refunded: i64,
    /// Average satisfaction × 10 (45 = 4.5 stars), with how many rated.
    pub satisfaction_x10: Option<u64>,
    pub rated: u64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QualityReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub total: QualityRow,
    pub rows: Vec<QualityRow>,
}

/// A buyer flagged for the operator (never blocked).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FlaggedBuyer {
    pub account_id: Uuid,
    /// For the operator, who must be able to reach them.
    pub name: String,
    pub phone: Option<String>,
    pub claims: u64,
    pub delivered: u64,
    pub claim_rate_bp: u64,
    /// The platform's rate over the same days.
    pub platform_rate_bp: u64,
    pub refunded: i64,
}

/// Whether a buyer's claims stand out: at least three, and at least three times the platform's
/// rate (or half their parcels when the platform has almost none).
pub fn stands_out(claims: u64, delivered: u64, platform_bp: u64) -> bool {
    let rate = bp(claims, delivered.max(claims));
    claims >= 3 && (rate >= platform_bp.saturating_mul(3).max(1) || rate >= 5_000)
}

#[derive(Default)]
struct Acc {
    label: String,
    label_en: String,
    delivered: u64,
    claims: u64,
    first: Vec<i64>,
    resolution: Vec<i64>,
    resolved: u64,
    escalated: u64,
    refunded: i64,
    satisfaction: Vec<i64>,
}

impl Acc {
    fn add_claim(&mut self, c: &claim::Model) {
        self.claims += 1;
        if let Some(t) = c.first_response_at {
            self.first.push((t - c.created_at).num_seconds());
        }
        if let (Some(t), true) = (c.resolved_at, c.status == ClaimStatus::Resolved.as_str()) {
            self.resolution.push((t - c.created_at).num_seconds());
            self.resolved += 1;
        }
        if c.escalated {
            self.escalated += 1;
        }
        self.refunded += c.refunded_fen;
        if let Some(s) = c.satisfaction {
            self.satisfaction.push(i64::from(s));
        }
    }

    fn row(mut self, key: String) -> QualityRow {
        self.first.sort_unstable();
        self.resolution.sort_unstable();
        let rated = u64::try_from(self.satisfaction.len()).unwrap_or(0);
        let sat_sum = u64::try_from(self.satisfaction.iter().sum::<i64>()).unwrap_or(0);
        QualityRow {
            key,
            label: self.label,
            label_en: self.label_en,
            delivered: self.delivered,
            claims: self.claims,
            claim_rate_bp: bp(self.claims, self.delivered),
            first_response_p50_secs: percentile(&self.first, 50),
            first_response_p90_secs: percentile(&self.first, 90),
            resolution_p50_secs: percentile(&self.resolution, 50),
            resolution_p90_secs: percentile(&self.resolution, 90),
            resolved: self.resolved,
            resolution_rate_bp: bp(self.resolved, self.claims),
            escalated: self.escalated,
            escalation_share_bp: bp(self.escalated, self.claims),
            refunded: self.refunded,
            satisfaction_x10: (rated > 0).then(|| (sat_sum * 20 / rated).div_ceil(2)),
            rated,
        }
    }
}

/// Parcels delivered in a period, counted elsewhere (the statistics rollups): the total and
/// per group key (label, English label, count).
#[derive(Clone, Debug, Default)]
pub struct Delivered {
    pub total: u64,
    pub groups: BTreeMap<String, (String, String, u64)>,
}

impl Aftersales {
    /// Service quality for the period (Shanghai dates, inclusive), grouped.
    pub async fn quality(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        group_by: GroupBy,
        org: Option<OrgId>,
    ) -> Result<QualityReport> {
        self.quality_with(actor, from, to, group_by, org, None)
            .await
    }

    /// [`quality`](Self::quality), with the delivered parcels given instead of counted from
    /// the sub-orders (the county dashboard passes its rollups, so only claims are read).
    pub async fn quality_with(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        group_by: GroupBy,
        org: Option<OrgId>,
        delivered: Option<Delivered>,
    ) -> Result<QualityReport> {
        let staff = actor
            .require_platform(&[
                PlatformRole::Operator,
                PlatformRole::AfterSalesAgent,
                PlatformRole::Official,
            ])
            .is_ok();
        // A seller sees its own figures only.
        let org = match org {
            Some(o) => {
                actor
                    .require_member_or_operator(o)
                    .or_else(|e| if staff { Ok(()) } else { Err(e) })?;
                Some(o)
            }
            None if staff => None,
            None => {
                return Err(AftersalesError::from(FieldError::new(
                    "org_id",
                    "required",
                    "请指定店铺",
                    "say which seller",
                )));
            }
        };
        if to < from || (to - from).num_days() > 366 {
            return Err(AftersalesError::from(FieldError::new(
                "to",
                "out_of_range",
                "查询区间应在 1 到 366 天之间，且结束不早于开始",
                "the period is 1 to 366 days and ends after it starts",
            )));
        }
        let (start, end) = (start_of(from), start_of(to) + Duration::days(1));
        let db = &self.infra().db;
        let mut sq = sub_order::Entity::find()
            .filter(sub_order::Column::Status.eq(SubOrderStatus::Received.as_str()))
            .filter(sub_order::Column::ReceivedAt.gte(start))
            .filter(sub_order::Column::ReceivedAt.lt(end));
        let mut cq = claim::Entity::find()
            .filter(claim::Column::CreatedAt.gte(start))
            .filter(claim::Column::CreatedAt.lt(end));
        if let Some(o) = org {
            sq = sq.filter(sub_order::Column::SellerOrgId.eq(o.as_uuid()));
            cq = cq.filter(claim::Column::SellerOrgId.eq(o.as_uuid()));
        }
        let subs = if delivered.is_some() {
            Vec::new()
        } else {
            sq.all(db).await?
        };
        let claims = cq.all(db).await?;
        // What each sub-order groups under.
        let mut sub_ids: Vec<Uuid> = subs.iter().map(|s| s.id).collect();
        sub_ids.extend(claims.iter().map(|c| c.sub_order_id));
        sub_ids.sort();
        sub_ids.dedup();
        let mut keys: HashMap<Uuid, Vec<(String, String, String)>> = HashMap::new();
        match group_by {
            GroupBy::Seller | GroupBy::SellerKind => {
                let mut sellers: Vec<Uuid> = subs.iter().map(|s| s.seller_org_id).collect();
                sellers.extend(claims.iter().map(|c| c.seller_org_id));
                sellers.sort();
                sellers.dedup();
                let ids: Vec<OrgId> = sellers.iter().copied().map(OrgId).collect();
                let names = self.identity().org_summaries(&ids).await?;
                let of_seller = |seller: Uuid| {
                    let s = names.get(&OrgId(seller));
                    if group_by == GroupBy::Seller {
                        let name = s.map(|s| s.name.clone()).unwrap_or_default();
                        (seller.to_string(), name.clone(), name)
                    } else {
                        let kind = s.map(|s| s.kind);
                        (
                            kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
                            kind.map(|k| k.label_zh().to_owned()).unwrap_or_default(),
                            kind.map(|k| k.label_en().to_owned()).unwrap_or_default(),
                        )
                    }
                };
                for s in &subs {
                    keys.insert(s.id, vec![of_seller(s.seller_org_id)]);
                }
                for c in &claims {
                    keys.insert(c.sub_order_id, vec![of_seller(c.seller_org_id)]);
                }
            }
            GroupBy::Carrier => {
                for sh in shipment::Entity::find()
                    .filter(shipment::Column::SubOrderId.is_in(sub_ids.clone()))
                    .all(db)
                    .await?
                {
                    keys.insert(
                        sh.sub_order_id,
                        vec![(sh.carrier.clone(), sh.carrier.clone(), sh.carrier)],
                    );
                }
            }
            GroupBy::Category => {
                let lines = line::Entity::find()
                    .filter(line::Column::SubOrderId.is_in(sub_ids.clone()))
                    .all(db)
                    .await?;
                let cats: Vec<Uuid> = lines.iter().map(|l| l.category_id).collect();
                let names: HashMap<Uuid, (String, String)> = self
                    .orders()
                    .catalog()
                    .categories()
                    .await?
                    .into_iter()
                    .filter(|c| cats.contains(&c.id))
                    .map(|c| (c.id, (c.name, c.name_en)))
                    .collect();
                for l in lines {
                    let e = keys.entry(l.sub_order_id).or_default();
                    let (zh, en) = names.get(&l.category_id).cloned().unwrap_or_default();
                    let k = (l.category_id.to_string(), zh, en);
                    if !e.contains(&k) {
                        e.push(k);
                    }
                }
            }
        }
        // A claim counts under the category of its first claimed line.
        let claim_lines = claim_line::Entity::find()
            .filter(
                claim_line::Column::ClaimId.is_in(claims.iter().map(|c| c.id).collect::<Vec<_>>()),
            )
            .all(db)
            .await?;
        let claimed_lines = if group_by == GroupBy::Category {
            line::Entity::find()
                .filter(
                    line::Column::SubOrderId
                        .is_in(claims.iter().map(|c| c.sub_order_id).collect::<Vec<_>>()),
                )
                .all(db)
                .await?
        } else {
            Vec::new()
        };
        // The first claimed line of each claim, and each line's category.
        let mut first_line: HashMap<Uuid, Uuid> = HashMap::new();
        for l in &claim_lines {
            first_line.entry(l.claim_id).or_insert(l.line_id);
        }
        let line_category: HashMap<Uuid, Uuid> = claimed_lines
            .iter()
            .map(|l| (l.id, l.category_id))
            .collect();
        let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
        let mut total = Acc::default();
        if let Some(d) = delivered {
            total.delivered = d.total;
            for (k, (zh, en, n)) in d.groups {
                let g = groups.entry(k).or_default();
                g.label = zh;
                g.label_en = en;
                g.delivered = n;
            }
        }
        for s in &subs {
            total.delivered += 1;
            for (k, zh, en) in keys.get(&s.id).into_iter().flatten() {
                let g = groups.entry(k.clone()).or_default();
                g.label.clone_from(zh);
                g.label_en.clone_from(en);
                g.delivered += 1;
            }
        }
        for c in &claims {
            total.add_claim(c);
            let all = keys.get(&c.sub_order_id).cloned().unwrap_or_default();
            let chosen = if group_by == GroupBy::Category {
                let cat = first_line
                    .get(&c.id)
                    .and_then(|id| line_category.get(id))
                    .map(ToString::to_string);
                all.into_iter()
                    .filter(|(k, _, _)| Some(k) == cat.as_ref())
                    .take(1)
                    .collect()
            } else {
                all
            };
            for (k, zh, en) in chosen {
                let g = groups.entry(k).or_default();
                g.label = zh;
                g.label_en = en;
                g.add_claim(c);
            }
        }
        let mut rows: Vec<QualityRow> = groups.into_iter().map(|(k, a)| a.row(k)).collect();
        rows.sort_by(|a, b| b.claims.cmp(&a.claims).then(a.key.cmp(&b.key)));
        let mut total = total.row("all".to_owned());
        total.label = "全部".to_owned();
        total.label_en = "All".to_owned();
        Ok(QualityReport {
            from,
            to,
            group_by,
            total,
            rows,
        })
    }

    /// Buyers whose claim rate over the last `days` is far above the platform's, for the
    /// operator to look at (they are not blocked).
    pub async fn flagged_buyers(&self, actor: &Actor, days: i64) -> Result<Vec<FlaggedBuyer>> {
        actor.require_platform(&[PlatformRole::Operator, PlatformRole::AfterSalesAgent])?;
        if !(7..=365).contains(&days) {
            return Err(AftersalesError::from(FieldError::new(
                "days",
                "out_of_range",
                "统计天数为 7 到 365",
                "from 7 to 365 days",
            )));
        }
        let since = self.infra().clock.now() - Duration::days(days);
        let db = &self.infra().db;
        let claims = claim::Entity::find()
            .filter(claim::Column::CreatedAt.gte(since))
            .all(db)
            .await?;
        let subs = sub_order::Entity::find()
            .filter(sub_order::Column::ReceivedAt.gte(since))
            .all(db)
            .await?;
        let orders: HashMap<Uuid, Uuid> = farmgate_orders::store::order::Entity::find()
            .filter(
                farmgate_orders::store::order::Column::Id
                    .is_in(subs.iter().map(|s| s.order_id).collect::<Vec<_>>()),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.buyer_account_id))
            .collect();
        let mut per: HashMap<Uuid, (u64, u64, i64)> = HashMap::new();
        for s in &subs {
            if let Some(b) = orders.get(&s.order_id) {
                per.entry(*b).or_default().1 += 1;
            }
        }
        for c in &claims {
            let e = per.entry(c.buyer_account_id).or_default();
            e.0 += 1;
            e.2 += c.refunded_fen;
        }
        let platform = bp(
            u64::try_from(claims.len()).unwrap_or(0),
            u64::try_from(subs.len()).unwrap_or(0),
        );
        let mut out: Vec<FlaggedBuyer> = per
            .into_iter()
            .filter(|(_, (c, d, _))| stands_out(*c, *d, platform))
            .map(|(account_id, (claims, delivered, refunded))| FlaggedBuyer {
                account_id,
                name: String::new(),
                phone: None,
                claims,
                delivered,
                claim_rate_bp: bp(claims, delivered.max(claims)),
                platform_rate_bp: platform,
                refunded,
            })
            .collect();
        out.sort_by(|a, b| {
            b.claim_rate_bp
                .cmp(&a.claim_rate_bp)
                .then(b.claims.cmp(&a.claims))
        });
        for f in &mut out {
            if let Ok(a) = self
                .identity()
                .account(farmgate_kernel::id::AccountId(f.account_id))
                .await
            {
                f.name = a.display_name;
                f.phone = a.phone;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buyers_stand_out_only_with_several_claims_far_above_the_norm() {
        // Platform 2 %: a buyer with 3 claims on 10 parcels (30 %) stands out.
        assert!(stands_out(3, 10, 200));
        // Two claims are never enough, whatever the rate.
        assert!(!stands_out(2, 2, 200));
        // 3 of 100 (3 %) is not three times 2 %.
        assert!(!stands_out(3, 100, 200));
        // Half one's parcels claimed stands out even when the platform rate is high.
        assert!(stands_out(5, 10, 4_000));
    }
}
