//! Service quality, as the seed manual measures it: per seller, carrier, category or seller
//! kind and period — claim rate (claims / delivered sub-orders), first-response and resolution
//! times (median and p90), resolution rate, share escalated, refunded amount, satisfaction.
//! Sellers see their own; the operator and officials see all (no buyer is named). And the
//! buyers whose claim rate is far above the norm, flagged for the operator to look at.
//!
//! Claims are ours; delivered parcels are counted by orders (`read::aftersales`), or handed in
//! by the statistics rollups (`quality_with`). Reachable as `farmgate_aftersales::metrics` too.

use crate::Aftersales;
use crate::domain::ClaimStatus;
use crate::error::{AftersalesError, Result};
use crate::store::claim;
use crate::store::queries::claims;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_identity::Actor;
use farmgate_kernel::FieldError;
use farmgate_kernel::id::{AccountId, ClaimId, OrderLineId, OrgId, SubOrderId};
use farmgate_kernel::stats::{bp, percentile};
use farmgate_kernel::wire_enum;
use farmgate_orders::domain::start_of;
use farmgate_orders::read::aftersales::{self as orders_read, ParcelGroup, ParcelKey};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

wire_enum!(
    /// How the figures are grouped.
    GroupBy {
        Seller => "seller",
        Carrier => "carrier",
        Category => "category",
        SellerKind => "seller_kind",
    }
);

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
    /// Arbitrations decided after their deadline, or still undecided past it.
    pub arbitration_overdue: u64,
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
    arbitration_overdue: u64,
    refunded: i64,
    satisfaction: Vec<i64>,
}

impl Acc {
    fn add_claim(&mut self, c: &claim::Model, now: DateTime<Utc>) {
        self.claims += 1;
        if let Some(due) = c.arbitrate_by {
            let decided_or_now = match c.status {
                ClaimStatus::Resolved => c.resolved_at.unwrap_or(now),
                _ => now,
            };
            if c.status != ClaimStatus::AwaitingBuyer && decided_or_now > due {
                self.arbitration_overdue += 1;
            }
        }
        if let Some(t) = c.first_response_at {
            self.first.push((t - c.created_at).num_seconds());
        }
        if let (Some(t), true) = (c.resolved_at, c.status == ClaimStatus::Resolved) {
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
            arbitration_overdue: self.arbitration_overdue,
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

impl Delivered {
    fn add(&mut self, (key, zh, en): Group, n: u64) {
        let g = self.groups.entry(key).or_insert((zh, en, 0));
        g.2 += n;
    }
}

/// A group's key, Chinese label and English label.
type Group = (String, String, String);

/// Where delivered parcels and claims are counted, per grouping.
struct Grouping {
    delivered: Delivered,
    /// At most one group per claim, in the order of the claims.
    claims: Vec<Option<Group>>,
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
    #[tracing::instrument(skip_all, fields(%from, %to, group_by = group_by.as_str()))]
    pub async fn quality_with(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        group_by: GroupBy,
        org: Option<OrgId>,
        delivered: Option<Delivered>,
    ) -> Result<QualityReport> {
        let staff = actor.is_staff_or_official();
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
        let period = (start_of(from), start_of(to) + Duration::days(1));
        let claims = claims::filed_between(&self.infra().db, period, org).await?;
        let grouping = self
            .grouping(group_by, period, org, delivered.is_none(), &claims)
            .await?;
        let delivered = delivered.unwrap_or(grouping.delivered);
        let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
        let mut total = Acc {
            delivered: delivered.total,
            ..Acc::default()
        };
        for (k, (zh, en, n)) in delivered.groups {
            let g = groups.entry(k).or_default();
            g.label = zh;
            g.label_en = en;
            g.delivered = n;
        }
        let now = self.now();
        for (c, group) in claims.iter().zip(grouping.claims) {
            total.add_claim(c, now);
            if let Some((k, zh, en)) = group {
                let g = groups.entry(k).or_default();
                g.label = zh;
                g.label_en = en;
                g.add_claim(c, now);
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

    /// The group of each claim and, when `count_delivered`, the delivered parcels per group
    /// (counted by orders; a parcel counts once under each category of its lines, and a claim
    /// under the category of its first claimed line).
    async fn grouping(
        &self,
        group_by: GroupBy,
        period: (DateTime<Utc>, DateTime<Utc>),
        org: Option<OrgId>,
        count_delivered: bool,
        claims: &[claim::Model],
    ) -> Result<Grouping> {
        let db = &self.infra().db;
        let counted = if count_delivered {
            let by = match group_by {
                GroupBy::Seller | GroupBy::SellerKind => ParcelGroup::Seller,
                GroupBy::Carrier => ParcelGroup::Carrier,
                GroupBy::Category => ParcelGroup::Category,
            };
            Some(orders_read::delivered_parcels(db, period, org, by).await?)
        } else {
            None
        };
        let mut delivered = Delivered {
            total: counted.as_ref().map_or(0, |c| c.total),
            ..Delivered::default()
        };
        let counted = counted.map(|c| c.groups).unwrap_or_default();
        let claim_groups = match group_by {
            GroupBy::Seller | GroupBy::SellerKind => {
                let mut sellers: Vec<OrgId> = counted
                    .iter()
                    .filter_map(|(k, _)| match k {
                        ParcelKey::Seller(s) => Some(*s),
                        _ => None,
                    })
                    .collect();
                sellers.extend(claims.iter().map(|c| OrgId(c.seller_org_id)));
                sellers.sort();
                sellers.dedup();
                let names = self.identity().org_summaries(&sellers).await?;
                let of_seller = |seller: OrgId| -> Group {
                    let s = names.get(&seller);
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
                for (k, n) in counted {
                    if let ParcelKey::Seller(s) = k {
                        delivered.add(of_seller(s), n);
                    }
                }
                claims
                    .iter()
                    .map(|c| Some(of_seller(OrgId(c.seller_org_id))))
                    .collect()
            }
            GroupBy::Carrier => {
                let of_carrier = |c: String| -> Group { (c.clone(), c.clone(), c) };
                for (k, n) in counted {
                    if let ParcelKey::Carrier(c) = k {
                        delivered.add(of_carrier(c), n);
                    }
                }
                let subs: Vec<SubOrderId> =
                    claims.iter().map(|c| SubOrderId(c.sub_order_id)).collect();
                let carriers = orders_read::carriers_of(db, &subs).await?;
                subs.iter()
                    .map(|s| carriers.get(s).cloned().map(of_carrier))
                    .collect()
            }
            GroupBy::Category => {
                let names: HashMap<Uuid, (String, String)> = self
                    .orders()
                    .catalog()
                    .categories()
                    .await?
                    .into_iter()
                    .map(|c| (c.id, (c.name, c.name_en)))
                    .collect();
                let of_category = |c: Uuid| -> Group {
                    let (zh, en) = names.get(&c).cloned().unwrap_or_default();
                    (c.to_string(), zh, en)
                };
                for (k, n) in counted {
                    if let ParcelKey::Category(c) = k {
                        delivered.add(of_category(c.0), n);
                    }
                }
                // The first claimed line of each claim, as stored, and its category.
                let ids: Vec<ClaimId> = claims.iter().map(|c| ClaimId(c.id)).collect();
                let mut first_line: HashMap<Uuid, OrderLineId> = HashMap::new();
                for l in claims::lines_of_claims(db, &ids).await? {
                    first_line
                        .entry(l.claim_id)
                        .or_insert(OrderLineId(l.line_id));
                }
                let lines: Vec<OrderLineId> = first_line.values().copied().collect();
                let categories = orders_read::line_categories(db, &lines).await?;
                claims
                    .iter()
                    .map(|c| {
                        let line = first_line.get(&c.id)?;
                        categories.get(line).map(|cat| of_category(cat.0))
                    })
                    .collect()
            }
        };
        Ok(Grouping {
            delivered,
            claims: claim_groups,
        })
    }

    /// Buyers whose claim rate over the last `days` is far above the platform's, for the
    /// operator to look at (they are not blocked).
    #[tracing::instrument(skip_all, fields(days = days))]
    pub async fn flagged_buyers(&self, actor: &Actor, days: i64) -> Result<Vec<FlaggedBuyer>> {
        actor.require_platform_staff()?;
        if !(7..=365).contains(&days) {
            return Err(AftersalesError::from(FieldError::new(
                "days",
                "out_of_range",
                "统计天数为 7 到 365",
                "from 7 to 365 days",
            )));
        }
        let since = self.now() - Duration::days(days);
        let db = &self.infra().db;
        let claims = claims::filed_since(db, since).await?;
        let received = orders_read::parcels_received_by_buyer(db, since).await?;
        let mut per: HashMap<Uuid, (u64, u64, i64)> = HashMap::new();
        for (buyer, n) in received.buyers {
            per.entry(buyer.0).or_default().1 += n;
        }
        for c in &claims {
            let e = per.entry(c.buyer_account_id).or_default();
            e.0 += 1;
            e.2 += c.refunded_fen;
        }
        let platform = bp(u64::try_from(claims.len()).unwrap_or(0), received.total);
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
            if let Ok(a) = self.identity().account(AccountId(f.account_id)).await {
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

    #[test]
    fn the_grouping_names_stay_as_clients_send_them() {
        let names: Vec<&str> = GroupBy::ALL.iter().map(|g| g.as_str()).collect();
        assert_eq!(names, ["seller", "carrier", "category", "seller_kind"]);
    }
}
