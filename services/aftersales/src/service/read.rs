//! Reading: one claim with everything in it, and the buyer's, the seller's and the operator's
//! lists.

use super::{Evidence, Role};
use crate::Aftersales;
use crate::domain::{ClaimStatus, deadlines};
use crate::error::{AftersalesError, Missing, Result};
use crate::store::queries::{claims, evidence};
use crate::store::{claim, claim_line, event, message, recourse};
use farmgate_identity::Actor;
use farmgate_kernel::id::{ClaimId, OrderId, OrgId, SubOrderId};
use farmgate_kernel::{Page, Paged};
use farmgate_orders::read::aftersales::{self as orders_read, ClaimableLine, ClaimableSubOrder};

/// A claim with everything in it. Its parts are read by the HTTP views of this crate; other
/// crates see its id, number and status.
#[derive(Clone, Debug)]
pub struct ClaimRecord {
    pub(crate) claim: claim::Model,
    /// The sub-order claimed on, as it stands now (what is left to refund).
    pub(crate) sub: ClaimableSubOrder,
    pub(crate) lines: Vec<ClaimLine>,
    pub(crate) evidence: Vec<Evidence>,
    pub(crate) events: Vec<event::Model>,
    pub(crate) messages: Vec<message::Model>,
    pub(crate) recourse: Option<recourse::Model>,
    pub(crate) seller_name: String,
    /// In arbitration past its deadline when read.
    pub(crate) arbitration_overdue: bool,
}

/// A line of a claim: the claimed units beside the line as bought.
#[derive(Clone, Debug)]
pub struct ClaimLine {
    pub(crate) claimed: claim_line::Model,
    pub(crate) line: ClaimableLine,
}

impl ClaimRecord {
    pub fn id(&self) -> ClaimId {
        ClaimId(self.claim.id)
    }

    /// `SH…`, as the parties quote it.
    pub fn number(&self) -> &str {
        &self.claim.number
    }

    pub fn status(&self) -> ClaimStatus {
        self.claim.status
    }
}

/// The role `actor` has on a claim, if any.
pub(crate) fn role_on(actor: &Actor, c: &claim::Model) -> Option<Role> {
    if c.buyer_account_id == actor.account_id.as_uuid() {
        Some(Role::Buyer)
    } else if actor.membership(OrgId(c.seller_org_id)).is_some() {
        Some(Role::Seller)
    } else if actor.is_platform_staff() {
        Some(Role::Operator)
    } else {
        None
    }
}

impl Aftersales {
    /// A claim with everything in it, whoever asks.
    pub async fn record(&self, id: ClaimId) -> Result<Option<ClaimRecord>> {
        let db = &self.infra().db;
        let Some(c) = claims::by_id(db, id).await? else {
            return Ok(None);
        };
        let sub = orders_read::claimable_sub_order(db, SubOrderId(c.sub_order_id))
            .await?
            .ok_or(AftersalesError::NotFound(Missing::SubOrder))?;
        let lines = claims::lines_of(db, id)
            .await?
            .into_iter()
            .filter_map(|claimed| {
                let line = sub
                    .lines
                    .iter()
                    .find(|l| l.id.0 == claimed.line_id)?
                    .clone();
                Some(ClaimLine { claimed, line })
            })
            .collect();
        let seller_name = self
            .identity()
            .org_summaries(&[OrgId(c.seller_org_id)])
            .await?
            .into_values()
            .next()
            .map(|s| s.name)
            .unwrap_or_default();
        let arbitration_overdue =
            deadlines::arbitration_overdue(c.status, c.arbitrate_by, self.now());
        Ok(Some(ClaimRecord {
            arbitration_overdue,
            evidence: evidence::of_claim(db, id)
                .await?
                .iter()
                .map(Evidence::from)
                .collect(),
            events: claims::events_of(db, id).await?,
            messages: claims::messages_of(db, id).await?,
            recourse: claims::recourse_of(db, id).await?,
            claim: c,
            sub,
            lines,
            seller_name,
        }))
    }

    pub(super) async fn existing(&self, id: ClaimId) -> Result<ClaimRecord> {
        self.record(id)
            .await?
            .ok_or(AftersalesError::NotFound(Missing::Claim))
    }

    /// A claim as a party to it sees it (others are told it does not exist).
    #[tracing::instrument(skip_all, fields(claim.id = %id))]
    pub async fn claim_for(&self, actor: &Actor, id: ClaimId) -> Result<(ClaimRecord, Role)> {
        let r = self.existing(id).await?;
        let role = role_on(actor, &r.claim).ok_or(AftersalesError::NotFound(Missing::Claim))?;
        Ok((r, role))
    }

    /// A claim as one of its parties, in that role; the other parties are refused.
    pub(super) async fn claim_as(
        &self,
        actor: &Actor,
        id: ClaimId,
        role: Role,
    ) -> Result<ClaimRecord> {
        let (r, is) = self.claim_for(actor, id).await?;
        if is != role {
            return Err(AftersalesError::Forbidden);
        }
        Ok(r)
    }

    async fn page_of(
        &self,
        q: sea_orm::Select<claim::Entity>,
        page: Page,
    ) -> Result<Paged<ClaimRecord>> {
        let (rows, total) = claims::page(&self.infra().db, q, page).await?;
        let mut out = Vec::with_capacity(rows.len());
        for c in rows {
            if let Some(r) = self.record(ClaimId(c.id)).await? {
                out.push(r);
            }
        }
        Ok(Paged::new(out, total, page))
    }

    /// The buyer's claims, newest first.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn my_claims(
        &self,
        actor: &Actor,
        order: Option<OrderId>,
        page: Page,
    ) -> Result<Paged<ClaimRecord>> {
        let q = claims::of_order(claims::of_buyer(actor.account_id), order);
        self.page_of(q, page).await
    }

    /// A seller's claims, the most urgent first (members and the operator).
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn seller_claims(
        &self,
        actor: &Actor,
        org: OrgId,
        status: Option<ClaimStatus>,
        order: Option<OrderId>,
        page: Page,
    ) -> Result<Paged<ClaimRecord>> {
        actor.require_member_or_operator(org)?;
        let q = claims::with_status(claims::of_seller(org), status);
        self.page_of(claims::of_order(q, order), page).await
    }

    /// Every claim, for the operator and after-sales agents: by status (arbitration by
    /// default), overdue arbitrations first, then oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn ops_claims(
        &self,
        actor: &Actor,
        status: Option<ClaimStatus>,
        order: Option<OrderId>,
        page: Page,
    ) -> Result<Paged<ClaimRecord>> {
        if !actor.is_platform_staff() {
            return Err(AftersalesError::Forbidden);
        }
        // One order's claims in every state; otherwise a queue, arbitration by default.
        let status = if order.is_none() || status.is_some() {
            Some(status.unwrap_or(ClaimStatus::InArbitration))
        } else {
            None
        };
        let q = claims::with_status(claims::overdue_first(self.now()), status);
        self.page_of(claims::of_order(q, order), page).await
    }
}
