//! Review moderation: the seller replies once, publicly; buyers and sellers report a review
//! with a reason (once each); the operator hides a review with a reason (kept, not deleted:
//! it leaves the listing's pages and average), restores it, or keeps it (dismisses the
//! reports). Every operator move is appended to the review's moderation history. A reply,
//! a hiding and a restoring each publish an outbox event in their transaction
//! (`orders.review_replied`, `orders.review_hidden`, `orders.review_restored`): notifications
//! tell the buyer, once per move.

use super::reviews::ReviewView;
use crate::Orders;
use crate::domain::moderation::{
    MAX_HIDE_REASON, MAX_REPORT_REASON, MAX_REVIEW_REPLY, Moderation, ModerationRefused, moderate,
};
use crate::error::{Missing, OrdersError, Result};
use crate::service::topics;
use crate::store::queries::review_moderation as q;
use crate::store::{review, review_moderation_event, review_report};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, Page, Paged, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The seller's public reply under a review.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewReplyView {
    pub text: String,
    pub at: DateTime<Utc>,
}

impl ReviewReplyView {
    pub fn of(r: &review::Model) -> Option<Self> {
        match (&r.seller_reply, r.seller_replied_at) {
            (Some(text), Some(at)) => Some(Self {
                text: text.clone(),
                at,
            }),
            _ => None,
        }
    }
}

/// A text: the seller's reply, or the reason of a report or of hiding.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewText {
    /// A reply: 1–500 characters. A report's reason: 1–500. A reason to hide: 1–200.
    pub text: String,
}

/// A report, as its reporter gets it back.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewReportView {
    pub id: Uuid,
    pub review_id: Uuid,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl ReviewReportView {
    fn of(r: &review_report::Model) -> Self {
        Self {
            id: r.id,
            review_id: r.review_id,
            reason: r.reason.clone(),
            created_at: r.created_at,
            resolved_at: r.resolved_at,
        }
    }
}

/// One step of a review's moderation history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ModerationStep {
    /// `hidden`, `restored` or `kept`.
    pub action: String,
    pub reason: Option<String>,
    pub actor_id: Uuid,
    pub at: DateTime<Utc>,
}

/// A review as the operator sees it: hidden or not, why, and its history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ModeratedReview {
    pub review: ReviewView,
    pub order_id: Uuid,
    pub seller_org_id: Uuid,
    pub hidden: bool,
    pub hidden_at: Option<DateTime<Utc>>,
    pub hidden_reason: Option<String>,
    pub history: Vec<ModerationStep>,
}

impl ModeratedReview {
    fn of(r: &review::Model, history: &[review_moderation_event::Model]) -> Self {
        Self {
            review: ReviewView::of(r),
            order_id: r.order_id,
            seller_org_id: r.seller_org_id,
            hidden: r.hidden_at.is_some(),
            hidden_at: r.hidden_at,
            hidden_reason: r.hidden_reason.clone(),
            history: history
                .iter()
                .map(|e| ModerationStep {
                    action: e.action.clone(),
                    reason: e.reason.clone(),
                    actor_id: e.actor_id,
                    at: e.at,
                })
                .collect(),
        }
    }
}

/// A report in the operator's queue, with the review it is about.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QueuedReviewReport {
    pub report: ReviewReportView,
    pub reporter_account_id: Uuid,
    pub review: ModeratedReview,
}

/// A page of hidden reviews (the operator's list to restore from).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HiddenReviewPage {
    pub items: Vec<ModeratedReview>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewReportPage {
    pub items: Vec<QueuedReviewReport>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

fn text_of(field: &str, t: &ReviewText, max: usize) -> Result<String> {
    let mut errs = ValidationErrors::new();
    let v = errs.check(field, clean_text(&t.text, 1, max, true));
    errs.finish()?;
    v.ok_or_else(|| OrdersError::Invalid(ValidationErrors::new()))
}

impl From<ModerationRefused> for OrdersError {
    fn from(e: ModerationRefused) -> Self {
        match e {
            ModerationRefused::AlreadyHidden => Self::AlreadyHidden,
            ModerationRefused::NotHidden => Self::NotHidden,
        }
    }
}

impl Orders {
    async fn review_row(&self, id: Uuid) -> Result<review::Model> {
        q::review(&self.infra().db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Review))
    }

    /// The seller (a member of the reviewed seller) replies, once, publicly.
    #[tracing::instrument(skip_all, fields(review.id = %id))]
    pub async fn reply_to_review(
        &self,
        actor: &Actor,
        id: Uuid,
        t: &ReviewText,
    ) -> Result<review::Model> {
        let r = self.review_row(id).await?;
        if actor.membership(OrgId(r.seller_org_id)).is_none() {
            // Another seller's review is none of theirs: as if it did not exist.
            return Err(
                if actor.memberships.iter().any(|m| m.org_kind.is_seller()) {
                    OrdersError::NotFound(Missing::Review)
                } else {
                    OrdersError::Forbidden
                },
            );
        }
        actor.require_selling_member(OrgId(r.seller_org_id))?;
        let text = text_of("text", t, MAX_REVIEW_REPLY)?;
        if r.seller_reply.is_some() {
            return Err(OrdersError::AlreadyReplied);
        }
        let now = self.now();
        // The reply and the buyer's notice commit together: a reply refused (another got in
        // first) tells nobody, and one reply tells the buyer once.
        let txn = begin_write(&self.infra().db).await?;
        if !q::set_reply(&txn, id, &text, actor.account_id.as_uuid(), now).await? {
            return Err(OrdersError::AlreadyReplied);
        }
        let outbox = &self.infra().outbox;
        outbox
            .enqueue(&txn, topics::REVIEW_REPLIED, &json!({ "review_id": id }))
            .await?;
        txn.commit().await?;
        outbox.wake();
        self.review_row(id).await
    }

    /// A buyer or a seller reports a shown review, once, with a reason.
    #[tracing::instrument(skip_all, fields(review.id = %id))]
    pub async fn report_review(
        &self,
        actor: &Actor,
        id: Uuid,
        t: &ReviewText,
    ) -> Result<ReviewReportView> {
        if actor.is_staff_or_official() {
            // The operator hides; agents and officials have nothing to report to.
            return Err(OrdersError::Forbidden);
        }
        let r = self.review_row(id).await?;
        if r.hidden_at.is_some() {
            return Err(OrdersError::NotFound(Missing::Review));
        }
        let reason = text_of("text", t, MAX_REPORT_REASON)?;
        let m = review_report::Model {
            id: Uuid::now_v7(),
            review_id: id,
            reporter_account_id: actor.account_id.as_uuid(),
            reason,
            resolved_at: None,
            created_at: self.now(),
        };
        q::insert_report(&self.infra().db, m.clone())
            .await
            .map_err(|e| match unique_violation(&e) {
                Some(_) => OrdersError::AlreadyReported,
                None => e.into(),
            })?;
        Ok(ReviewReportView::of(&m))
    }

    /// The operator hides, restores or keeps a review. Hiding needs a reason; hiding and
    /// keeping resolve the open reports.
    #[tracing::instrument(skip_all, fields(review.id = %id))]
    pub async fn moderate_review(
        &self,
        actor: &Actor,
        id: Uuid,
        m: Moderation,
        reason: Option<&ReviewText>,
    ) -> Result<ModeratedReview> {
        actor.require_operator()?;
        let reason = match (m, reason) {
            (Moderation::Hide, Some(t)) => Some(text_of("text", t, MAX_HIDE_REASON)?),
            (Moderation::Hide, None) => {
                return Err(OrdersError::field(FieldError::new(
                    "text",
                    "required",
                    "隐藏评价须写明理由",
                    "hiding a review needs a reason",
                )));
            }
            (_, Some(t)) => Some(text_of("text", t, MAX_HIDE_REASON)?),
            (_, None) => None,
        };
        let r = self.review_row(id).await?;
        moderate(r.hidden_at.is_some(), m)?;
        let now = self.now();
        let me = actor.account_id.as_uuid();
        let txn = begin_write(&self.infra().db).await?;
        let changed = match m {
            Moderation::Hide => {
                q::set_hidden(
                    &txn,
                    id,
                    Some((reason.as_deref().unwrap_or_default(), me, now)),
                )
                .await?
            }
            Moderation::Restore => q::set_hidden(&txn, id, None).await?,
            Moderation::Keep => true,
        };
        if !changed {
            // Another operator moved it first.
            return Err(match m {
                Moderation::Hide => OrdersError::AlreadyHidden,
                _ => OrdersError::NotHidden,
            });
        }
        if m != Moderation::Restore {
            q::resolve_reports(&txn, id, now).await?;
        }
        let step = Uuid::now_v7();
        // The buyer hears of hiding and restoring (not of reports kept), in the same
        // transaction: one notice per move.
        let topic = match m {
            Moderation::Hide => Some(topics::REVIEW_HIDDEN),
            Moderation::Restore => Some(topics::REVIEW_RESTORED),
            Moderation::Keep => None,
        };
        if let Some(topic) = topic {
            self.infra()
                .outbox
                .enqueue(
                    &txn,
                    topic,
                    &json!({ "review_id": id, "moderation_id": step }),
                )
                .await?;
        }
        q::insert_event(
            &txn,
            review_moderation_event::Model {
                id: step,
                review_id: id,
                action: m.as_str().to_owned(),
                reason,
                actor_id: me,
                at: now,
            },
        )
        .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        let r = self.review_row(id).await?;
        let history = q::events(&self.infra().db, id).await?;
        Ok(ModeratedReview::of(&r, &history))
    }

    /// The operator's queue of review reports (open ones, oldest first; or all, newest first).
    #[tracing::instrument(skip_all)]
    pub async fn review_reports(
        &self,
        actor: &Actor,
        open_only: bool,
        page: Page,
    ) -> Result<ReviewReportPage> {
        actor.require_operator()?;
        let db = &self.infra().db;
        let (rows, total) = q::reports(db, open_only, page.offset(), page.limit()).await?;
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.review_id).collect();
        ids.sort();
        ids.dedup();
        let mut reviews: HashMap<Uuid, ModeratedReview> = HashMap::new();
        for r in q::reviews_by_ids(db, ids).await? {
            let history = q::events(db, r.id).await?;
            reviews.insert(r.id, ModeratedReview::of(&r, &history));
        }
        let items = rows
            .iter()
            .filter_map(|r| {
                reviews.get(&r.review_id).map(|review| QueuedReviewReport {
                    report: ReviewReportView::of(r),
                    reporter_account_id: r.reporter_account_id,
                    review: review.clone(),
                })
            })
            .collect();
        let paged = Paged::new(items, total, page);
        Ok(ReviewReportPage {
            items: paged.items,
            total: paged.total,
            limit: paged.limit,
            offset: paged.offset,
        })
    }

    /// The operator's list of hidden reviews, the latest hidden first, each with why and its
    /// history (to restore one).
    #[tracing::instrument(skip_all)]
    pub async fn hidden_reviews(&self, actor: &Actor, page: Page) -> Result<HiddenReviewPage> {
        actor.require_operator()?;
        let db = &self.infra().db;
        let (rows, total) = q::hidden(db, page.offset(), page.limit()).await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let history = q::events(db, r.id).await?;
            items.push(ModeratedReview::of(r, &history));
        }
        let paged = Paged::new(items, total, page);
        Ok(HiddenReviewPage {
            items: paged.items,
            total: paged.total,
            limit: paged.limit,
            offset: paged.offset,
        })
    }
}
