//! Reading the carrier recourse (operator and platform finance): the list by status and
//! carrier, one recourse with its collections, and the totals by carrier. What each carrier
//! was charged (`opened`) equals the carrier-charged refunds of the orders ledger: a recourse
//! is opened for exactly the carrier's part of a claim's refund (`settle`).

use crate::Aftersales;
use crate::domain::RecourseStatus;
use crate::domain::recourse::{RecoursePeriod, outstanding};
use crate::error::{AftersalesError, Missing, Result};
use crate::store::queries::recourse as q;
use crate::store::{collection, recourse};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_kernel::{Page, Paged};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A recourse as the operator and finance see it; amounts in fen.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecourseItem {
    pub id: Uuid,
    pub claim_id: Uuid,
    pub claim_number: Option<String>,
    pub seller_org_id: Uuid,
    pub carrier: String,
    pub tracking_no: String,
    /// The carrier's part of the claim's refund.
    pub amount: i64,
    pub collected: i64,
    pub written_off: i64,
    /// `amount − collected − written_off`.
    pub outstanding: i64,
    pub status: RecourseStatus,
    pub write_off_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One part the carrier paid.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CollectionView {
    pub id: Uuid,
    pub amount: i64,
    /// The day the money arrived (Asia/Shanghai).
    pub collected_on: NaiveDate,
    pub reference: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecourseDetail {
    pub recourse: RecourseItem,
    pub collections: Vec<CollectionView>,
}

/// What one carrier (or all of them) was charged, paid, and was let off; fen.
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct CarrierTotals {
    /// The carrier; empty in the grand total.
    pub carrier: String,
    pub recourses: i64,
    pub opened: i64,
    pub collected: i64,
    pub written_off: i64,
    pub outstanding: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecourseTotals {
    /// The period asked for (recourses opened from `from` to `to`, Beijing days); `null`: all.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub carriers: Vec<CarrierTotals>,
    pub all: CarrierTotals,
}

pub(super) fn item_of(r: &recourse::Model, claim_number: Option<String>) -> RecourseItem {
    RecourseItem {
        id: r.id,
        claim_id: r.claim_id,
        claim_number,
        seller_org_id: r.seller_org_id,
        carrier: r.carrier.clone(),
        tracking_no: r.tracking_no.clone(),
        amount: r.amount_fen,
        collected: r.collected_fen,
        written_off: r.written_off_fen,
        outstanding: outstanding(r.amount_fen, r.collected_fen, r.written_off_fen),
        status: r.status,
        write_off_reason: r.write_off_reason.clone(),
        created_at: r.created_at,
        closed_at: r.closed_at,
    }
}

fn collection_view(c: &collection::Model) -> CollectionView {
    CollectionView {
        id: c.id,
        amount: c.amount_fen,
        collected_on: c.collected_on,
        reference: c.reference.clone(),
        created_at: c.created_at,
    }
}

/// The operator and platform finance follow the recourse; nobody else.
pub(super) fn require_recourse_staff(actor: &Actor) -> Result<()> {
    actor
        .require_platform(&[PlatformRole::Operator, PlatformRole::Finance])
        .map_err(|_| AftersalesError::Forbidden)
}

impl Aftersales {
    /// A page of recourses, newest first, of one status and/or carrier, opened in a period.
    #[tracing::instrument(skip_all)]
    pub async fn recourses(
        &self,
        actor: &Actor,
        status: Option<RecourseStatus>,
        carrier: Option<&str>,
        period: Option<RecoursePeriod>,
        page: Page,
    ) -> Result<Paged<RecourseItem>> {
        require_recourse_staff(actor)?;
        let db = &self.infra().db;
        let carrier = carrier.map(str::trim).filter(|c| !c.is_empty());
        let opened = period.map(|p| p.bounds());
        let (rows, total) = q::page(db, status, carrier, opened, page).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.claim_id).collect();
        let numbers = q::claim_numbers(db, &ids).await?;
        let items = rows
            .iter()
            .map(|r| item_of(r, numbers.get(&r.claim_id).cloned()))
            .collect();
        Ok(Paged::new(items, total, page))
    }

    /// One recourse with its collections.
    #[tracing::instrument(skip_all, fields(recourse.id = %id))]
    pub async fn recourse(&self, actor: &Actor, id: Uuid) -> Result<RecourseDetail> {
        require_recourse_staff(actor)?;
        self.recourse_detail(id).await
    }

    pub(super) async fn recourse_detail(&self, id: Uuid) -> Result<RecourseDetail> {
        let db = &self.infra().db;
        let r = q::by_id(db, id)
            .await?
            .ok_or(AftersalesError::NotFound(Missing::Recourse))?;
        let number = q::claim_numbers(db, &[r.claim_id])
            .await?
            .remove(&r.claim_id);
        let collections = q::collections_of(db, id).await?;
        Ok(RecourseDetail {
            recourse: item_of(&r, number),
            collections: collections.iter().map(collection_view).collect(),
        })
    }

    /// What each carrier was charged, paid and let off, and what it still owes: of the
    /// recourses opened in `period` (Beijing days), or of all.
    #[tracing::instrument(skip_all)]
    pub async fn recourse_totals(
        &self,
        actor: &Actor,
        period: Option<RecoursePeriod>,
    ) -> Result<RecourseTotals> {
        require_recourse_staff(actor)?;
        let sums = q::sums_by_carrier(&self.infra().db, period.map(|p| p.bounds())).await?;
        let mut all = CarrierTotals::default();
        let carriers = sums
            .into_iter()
            .map(|s| {
                let t = CarrierTotals {
                    outstanding: outstanding(s.opened, s.collected, s.written_off),
                    carrier: s.carrier,
                    recourses: s.count,
                    opened: s.opened,
                    collected: s.collected,
                    written_off: s.written_off,
                };
                all.recourses += t.recourses;
                all.opened += t.opened;
                all.collected += t.collected;
                all.written_off += t.written_off;
                all.outstanding += t.outstanding;
                t
            })
            .collect();
        Ok(RecourseTotals {
            from: period.map(|p| p.from()),
            to: period.map(|p| p.to()),
            carriers,
            all,
        })
    }
}
