//! After-sales use cases. Each checks who may act and whose turn it is, applies the domain
//! rules, and writes its change with its claim event (and outbox events) in one transaction;
//! money moves only through `Orders::refund_sub_order`, keyed by the claim, so a retried or
//! concurrent decision can never pay twice.

use crate::Aftersales;
use crate::domain::{
    self, ClaimKind, ClaimStatus, ClaimedLine, EventKind, OnDeadline, Party, Share,
};
use crate::error::{AftersalesError, Result};
use crate::store::{claim, claim_line, event, evidence, message, recourse};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use farmgate_catalog::images;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::id::{AccountId, OrderLineId, OrgId, SubOrderId};
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, Money, Page, Paged, Phone, ValidationErrors};
use farmgate_orders::domain::{Address, SubOrderStatus};
use farmgate_orders::service::is_platform_staff;
use farmgate_orders::store::{line, order, shipment, sub_order};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

/// Outbox topics after-sales publishes.
pub mod topics {
    /// `{"claim_id"}`, scheduled at the response deadline.
    pub const RESPONSE_DUE: &str = "aftersales.response_due";
    /// `{"claim_id"}`: a claim was filed (statistics, notifications).
    pub const FILED: &str = "aftersales.filed";
    /// `{"claim_id"}`: a claim was resolved (statistics, the satisfaction survey).
    pub const RESOLVED: &str = "aftersales.resolved";
}

/// At most this many photos on a claim or a message.
pub const MAX_PHOTOS: usize = 9;
/// Photos an account may hold that no claim uses yet.
pub const MAX_UNUSED_EVIDENCE: u64 = 30;

/// Who is acting on a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Buyer,
    Seller,
    Operator,
    System,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Seller => "seller",
            Self::Operator => "operator",
            Self::System => "system",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineQuantity {
    pub line_id: Uuid,
    pub quantity: i64,
}

/// A claim as the buyer files it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileClaim {
    pub kind: ClaimKind,
    /// What happened (5–1000 characters).
    pub description: String,
    /// The lines and quantities affected.
    pub lines: Vec<LineQuantity>,
    /// Evidence ids from `POST /api/v1/claim-evidence`: at least one (the parcel and the
    /// waybill, please).
    pub photos: Vec<Uuid>,
    /// A phone to reach the buyer, when not the delivery phone.
    #[serde(default)]
    pub contact_phone: Option<String>,
}

/// How a partial refund is computed.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(tag = "by", rename_all = "snake_case", deny_unknown_fields)]
pub enum Basis {
    /// Damaged quantity × the price paid.
    Quantity { lines: Vec<LineQuantity> },
    /// 10, 30, 50, 80 or 100 % of each claimed line with its share of shipping.
    DamageLevel { percent: u8 },
    /// An amount agreed with the buyer (fen).
    Agreed { amount: i64 },
}

/// The seller's answer.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
pub enum SellerAnswer {
    /// Refund what was claimed, at once.
    FullRefund {
        #[serde(default)]
        liability: Option<Vec<Share>>,
    },
    /// Offer less; the buyer accepts or escalates.
    PartialRefund {
        basis: Basis,
        #[serde(default)]
        liability: Option<Vec<Share>>,
        #[serde(default)]
        note: Option<String>,
    },
    /// Send the damaged units again (补发) at no charge; the buyer accepts (the replacement
    /// sub-order is created and shipped like any other) or escalates. Without `lines`, the
    /// claimed lines and quantities.
    Reship {
        #[serde(default)]
        lines: Option<Vec<LineQuantity>>,
        #[serde(default)]
        liability: Option<Vec<Share>>,
        #[serde(default)]
        note: Option<String>,
    },
    /// Refuse, with a reason the buyer sees; the buyer accepts or escalates.
    Reject { reason: String },
}

/// The operator's final decision.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Fen to refund; 0 upholds a rejection.
    pub amount: i64,
    pub liability: Vec<Share>,
    /// The reasoning, shown to both parties.
    pub note: String,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Why the buyer asks the platform to step in.
    pub reason: String,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    pub body: String,
    #[serde(default)]
    pub attachments: Vec<Uuid>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Satisfaction {
    /// 1 to 5.
    pub rating: i64,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A claim with everything in it.
#[derive(Clone, Debug)]
pub struct ClaimRecord {
    pub claim: claim::Model,
    /// The sub-order claimed on, as it stands now (what is left to refund).
    pub sub: sub_order::Model,
    pub order_number: String,
    pub lines: Vec<(claim_line::Model, line::Model)>,
    pub evidence: Vec<evidence::Model>,
    pub events: Vec<event::Model>,
    pub messages: Vec<message::Model>,
    pub recourse: Option<recourse::Model>,
    pub seller_name: String,
}

/// The role `actor` has on a claim, if any.
pub fn role_on(actor: &Actor, c: &claim::Model) -> Option<Role> {
    if c.buyer_account_id == actor.account_id.as_uuid() {
        Some(Role::Buyer)
    } else if actor.membership(OrgId(c.seller_org_id)).is_some() {
        Some(Role::Seller)
    } else if is_platform_staff(actor) {
        Some(Role::Operator)
    } else {
        None
    }
}

fn not_your_turn() -> AftersalesError {
    AftersalesError::conflict(
        "not_your_turn",
        "售后申请当前不在等待你处理的状态",
        "the claim is not waiting for you",
    )
}

impl Aftersales {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }

    // -----------------------------------------------------------------------------------------
    // Evidence

    /// Stores a photo: the original privately with its SHA-256 and upload time, and a copy
    /// re-encoded without EXIF for the parties to see.
    pub async fn upload_evidence(&self, actor: &Actor, bytes: Bytes) -> Result<evidence::Model> {
        let unused = evidence::Entity::find()
            .filter(evidence::Column::AccountId.eq(actor.account_id.as_uuid()))
            .filter(evidence::Column::ClaimId.is_null())
            .count(&self.infra().db)
            .await?;
        if unused >= MAX_UNUSED_EVIDENCE {
            return Err(AftersalesError::conflict(
                "too_many_photos",
                "未使用的照片太多，请先提交售后申请",
                "too many photos not yet used in a claim",
            ));
        }
        let input = bytes.clone();
        let processed = tokio::task::spawn_blocking(move || images::process(&input))
            .await
            .map_err(|e| AftersalesError::Internal(e.to_string()))??;
        let id = Uuid::now_v7();
        let account = actor.account_id.as_uuid();
        let key =
            |s: String| ObjectKey::parse(&s).map_err(|e| AftersalesError::Internal(e.to_string()));
        let original = key(format!(
            "private/claims/{account}/{id}/original.{}",
            processed.kind.extension()
        ))?;
        let display = key(format!("private/claims/{account}/{id}/display.jpg"))?;
        let objects = &self.infra().objects;
        let stored = objects
            .put(&original, bytes, processed.kind.content_type())
            .await?;
        objects
            .put(&display, processed.display.into(), "image/jpeg")
            .await?;
        let model = evidence::Model {
            id,
            account_id: account,
            claim_id: None,
            original_key: original.to_string(),
            display_key: display.to_string(),
            content_type: processed.kind.content_type().to_owned(),
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            sha256: stored.sha256,
            uploaded_at: self.now(),
        };
        evidence::Entity::insert(evidence::ActiveModel::from(model.clone()))
            .exec_without_returning(&self.infra().db)
            .await?;
        Ok(model)
    }

    /// A photo as its uploader or a party to its claim may see it (the re-encoded copy; the
    /// original to the operator when `original`).
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        id: Uuid,
        original: bool,
    ) -> Result<(Vec<u8>, String)> {
        let db = &self.infra().db;
        let e = evidence::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(AftersalesError::not_found("照片", "photo"))?;
        let role = match e.claim_id {
            Some(cid) => claim::Entity::find_by_id(cid)
                .one(db)
                .await?
                .and_then(|c| role_on(actor, &c)),
            None => (e.account_id == actor.account_id.as_uuid()).then_some(Role::Buyer),
        };
        let Some(role) = role else {
            return Err(AftersalesError::not_found("照片", "photo"));
        };
        let key = if original && role == Role::Operator {
            &e.original_key
        } else {
            &e.display_key
        };
        let key =
            ObjectKey::parse(key).map_err(|err| AftersalesError::Internal(err.to_string()))?;
        let obj = self
            .infra()
            .objects
            .get(&key)
            .await?
            .ok_or(AftersalesError::not_found("照片", "photo"))?;
        Ok((obj.bytes.to_vec(), obj.content_type))
    }

    /// Evidence ids `actor` uploaded and no claim uses yet; errors name `field`.
    async fn own_unused_evidence(
        &self,
        actor: &Actor,
        ids: &[Uuid],
        field: &str,
        claim_id: Option<Uuid>,
        errs: &mut ValidationErrors,
    ) -> Result<Vec<Uuid>> {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        if ids.len() > MAX_PHOTOS {
            errs.push(FieldError::new(
                field,
                "too_many",
                format!("最多 {MAX_PHOTOS} 张照片"),
                format!("at most {MAX_PHOTOS} photos"),
            ));
            return Ok(Vec::new());
        }
        if ids.is_empty() {
            return Ok(ids);
        }
        let mut q = evidence::Entity::find()
            .filter(evidence::Column::Id.is_in(ids.clone()))
            .filter(evidence::Column::AccountId.eq(actor.account_id.as_uuid()));
        q = match claim_id {
            Some(c) => q.filter(
                evidence::Column::ClaimId
                    .is_null()
                    .or(evidence::Column::ClaimId.eq(c)),
            ),
            None => q.filter(evidence::Column::ClaimId.is_null()),
        };
        let found = q.count(&self.infra().db).await?;
        if usize::try_from(found).unwrap_or(0) != ids.len() {
            errs.push(FieldError::new(
                field,
                "not_found",
                "照片不存在、不是你上传的或已用于其他申请",
                "a photo is missing, not yours, or already used",
            ));
        }
        Ok(ids)
    }

    // -----------------------------------------------------------------------------------------
    // Filing

    /// The buyer files a claim on a received sub-order, inside its after-sales window.
    pub async fn file(&self, actor: &Actor, sub_id: Uuid, req: &FileClaim) -> Result<ClaimRecord> {
        let db = &self.infra().db;
        let not_found = || AftersalesError::not_found("子订单", "sub-order");
        let sub = sub_order::Entity::find_by_id(sub_id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        let o = order::Entity::find_by_id(sub.order_id)
            .one(db)
            .await?
            .filter(|o| o.buyer_account_id == actor.account_id.as_uuid())
            .ok_or_else(not_found)?;
        if sub.status != SubOrderStatus::Received {
            return Err(AftersalesError::conflict(
                "not_received",
                "确认收货后才能申请售后",
                "a claim can be filed once the parcel is received",
            ));
        }
        let now = self.now();
        let closes = sub.window_closes_at.unwrap_or(now);
        if now > closes {
            return Err(AftersalesError::conflict(
                "window_closed",
                format!(
                    "已超过售后期限（{}）",
                    farmgate_kernel::clock::format_shanghai(closes)
                ),
                "the after-sales window of this parcel has closed",
            ));
        }
        let mut errs = ValidationErrors::new();
        let description = errs.check("description", clean_text(&req.description, 5, 1000, true));
        let phone = match req.contact_phone.as_deref().map(str::trim) {
            Some(p) if !p.is_empty() => errs
                .check("contact_phone", Phone::parse(p))
                .map(|p| p.as_str().to_owned()),
            _ => None,
        };
        if req.photos.is_empty() {
            errs.push(FieldError::new(
                "photos",
                "required",
                "请至少上传一张照片（包裹外观和快递面单）",
                "add at least one photo (the parcel and the waybill)",
            ));
        }
        let photos = self
            .own_unused_evidence(actor, &req.photos, "photos", None, &mut errs)
            .await?;
        let lines = line::Entity::find()
            .filter(line::Column::SubOrderId.eq(sub.id))
            .all(db)
            .await?;
        if req.lines.is_empty() {
            errs.push(FieldError::new(
                "lines",
                "required",
                "请选择有问题的商品和数量",
                "choose the lines and quantities affected",
            ));
        }
        let mut claimed: Vec<(line::Model, i64)> = Vec::new();
        for (i, lq) in req.lines.iter().enumerate() {
            let Some(l) = lines.iter().find(|l| l.id == lq.line_id) else {
                errs.push(FieldError::new(
                    format!("lines[{i}].line_id"),
                    "not_in_order",
                    "这件商品不在该订单中",
                    "this line is not part of the order",
                ));
                continue;
            };
            if claimed.iter().any(|(c, _)| c.id == l.id) {
                errs.push(FieldError::new(
                    format!("lines[{i}].line_id"),
                    "duplicate",
                    "同一商品只能出现一次",
                    "name each line once",
                ));
                continue;
            }
            let before: i64 = claim_line::Entity::find()
                .filter(claim_line::Column::LineId.eq(l.id))
                .all(db)
                .await?
                .iter()
                .map(|c| c.quantity)
                .sum();
            let left = l.quantity - before;
            if lq.quantity < 1 || lq.quantity > left {
                errs.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    "out_of_range",
                    format!(
                        "可申请 1 到 {left} 件（共买 {}，已申请 {before}）",
                        l.quantity
                    ),
                    format!(
                        "1 to {left} can be claimed ({} bought, {before} already claimed)",
                        l.quantity
                    ),
                ));
                continue;
            }
            claimed.push((l.clone(), lq.quantity));
        }
        errs.finish()?;
        let Some(description) = description else {
            return Err(AftersalesError::Invalid(ValidationErrors::new()));
        };
        let refundable = sub.total_fen - sub.refunded_fen;
        let by_qty = domain::by_quantity(
            &claimed
                .iter()
                .map(|(l, q)| ClaimedLine {
                    unit_price: Money::from_fen(l.unit_price_fen),
                    quantity: *q,
                })
                .collect::<Vec<_>>(),
        )
        .fen();
        let amount = std::cmp::min(by_qty, refundable);
        if amount < 1 {
            return Err(AftersalesError::conflict(
                "nothing_to_refund",
                "该订单已全额退款",
                "this sub-order has been refunded in full",
            ));
        }
        let address: Address = serde_json::from_value(o.address.clone()).unwrap_or_default();
        let id = Uuid::now_v7();
        let respond_by = now + self.config().respond_within;
        let number = format!(
            "SH{}",
            farmgate_orders::domain::order_number(now, rand::rng().random_range(0..100_000_000))
        );
        let txn = begin_write(db).await?;
        claim::ActiveModel {
            id: Set(id),
            number: Set(number),
            order_id: Set(o.id),
            sub_order_id: Set(sub.id),
            buyer_account_id: Set(o.buyer_account_id),
            seller_org_id: Set(sub.seller_org_id),
            kind: Set(req.kind.as_str().to_owned()),
            description: Set(description.clone()),
            contact_name: Set(address.name.clone()),
            contact_phone: Set(phone.unwrap_or_else(|| address.phone.clone())),
            status: Set(ClaimStatus::AwaitingSeller.as_str().to_owned()),
            claimed_fen: Set(amount),
            offered_fen: Set(0),
            refunded_fen: Set(0),
            respond_by: Set(respond_by),
            first_response_at: Set(None),
            resolved_at: Set(None),
            escalated: Set(false),
            liability: Set(None),
            satisfaction: Set(None),
            satisfaction_comment: Set(None),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        for (l, q) in &claimed {
            claim_line::ActiveModel {
                claim_id: Set(id),
                line_id: Set(l.id),
                quantity: Set(*q),
                amount_fen: Set(l.unit_price_fen.saturating_mul(*q)),
            }
            .insert(&txn)
            .await?;
        }
        evidence::Entity::update_many()
            .col_expr(evidence::Column::ClaimId, Expr::value(id))
            .filter(evidence::Column::Id.is_in(photos))
            .exec(&txn)
            .await?;
        append(
            &txn,
            id,
            EventKind::Filed,
            Some(actor.account_id.as_uuid()),
            Role::Buyer,
            json!({
                "kind": req.kind, "description": description, "claimed_fen": amount,
                "lines": claimed.iter().map(|(l, q)| json!({"line_id": l.id, "quantity": q})).collect::<Vec<_>>(),
                "respond_by": respond_by,
            }),
            now,
        )
        .await?;
        let outbox = &self.infra().outbox;
        outbox
            .enqueue_at(
                &txn,
                topics::RESPONSE_DUE,
                &json!({"claim_id": id}),
                respond_by,
            )
            .await?;
        outbox
            .enqueue(&txn, topics::FILED, &json!({"claim_id": id}))
            .await?;
        txn.commit().await?;
        outbox.wake();
        self.existing(id).await
    }

    // -----------------------------------------------------------------------------------------
    // Reading

    pub async fn record(&self, id: Uuid) -> Result<Option<ClaimRecord>> {
        let db = &self.infra().db;
        let Some(c) = claim::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        let cl = claim_line::Entity::find()
            .filter(claim_line::Column::ClaimId.eq(id))
            .all(db)
            .await?;
        let order_lines = line::Entity::find()
            .filter(line::Column::SubOrderId.eq(c.sub_order_id))
            .all(db)
            .await?;
        let lines = cl
            .into_iter()
            .filter_map(|x| {
                let l = order_lines.iter().find(|l| l.id == x.line_id)?.clone();
                Some((x, l))
            })
            .collect();
        let sub = sub_order::Entity::find_by_id(c.sub_order_id)
            .one(db)
            .await?
            .ok_or(AftersalesError::not_found("子订单", "sub-order"))?;
        let order_number = order::Entity::find_by_id(c.order_id)
            .one(db)
            .await?
            .map(|o| o.number)
            .unwrap_or_default();
        let seller_name = self
            .identity()
            .org_summaries(&[OrgId(c.seller_org_id)])
            .await?
            .into_values()
            .next()
            .map(|s| s.name)
            .unwrap_or_default();
        Ok(Some(ClaimRecord {
            evidence: evidence::Entity::find()
                .filter(evidence::Column::ClaimId.eq(id))
                .order_by_asc(evidence::Column::UploadedAt)
                .all(db)
                .await?,
            events: event::Entity::find()
                .filter(event::Column::ClaimId.eq(id))
                .order_by_asc(event::Column::At)
                .order_by_asc(event::Column::Id)
                .all(db)
                .await?,
            messages: message::Entity::find()
                .filter(message::Column::ClaimId.eq(id))
                .order_by_asc(message::Column::At)
                .all(db)
                .await?,
            recourse: recourse::Entity::find()
                .filter(recourse::Column::ClaimId.eq(id))
                .one(db)
                .await?,
            claim: c,
            sub,
            order_number,
            lines,
            seller_name,
        }))
    }

    async fn existing(&self, id: Uuid) -> Result<ClaimRecord> {
        self.record(id)
            .await?
            .ok_or_else(AftersalesError::claim_not_found)
    }

    /// A claim as a party to it sees it (others are told it does not exist).
    pub async fn claim_for(&self, actor: &Actor, id: Uuid) -> Result<(ClaimRecord, Role)> {
        let r = self.existing(id).await?;
        let role = role_on(actor, &r.claim).ok_or_else(AftersalesError::claim_not_found)?;
        Ok((r, role))
    }

    async fn page_of(
        &self,
        q: sea_orm::Select<claim::Entity>,
        page: Page,
    ) -> Result<Paged<ClaimRecord>> {
        let db = &self.infra().db;
        let total = q.clone().count(db).await?;
        let rows = q.offset(page.offset()).limit(page.limit()).all(db).await?;
        let mut out = Vec::with_capacity(rows.len());
        for c in rows {
            if let Some(r) = self.record(c.id).await? {
                out.push(r);
            }
        }
        Ok(Paged::new(out, total, page))
    }

    /// The buyer's claims, newest first.
    pub async fn my_claims(
        &self,
        actor: &Actor,
        order: Option<Uuid>,
        page: Page,
    ) -> Result<Paged<ClaimRecord>> {
        let q = claim::Entity::find()
            .filter(claim::Column::BuyerAccountId.eq(actor.account_id.as_uuid()))
            .order_by_desc(claim::Column::CreatedAt);
        self.page_of(of_order(q, order), page).await
    }

    /// A seller's claims, the most urgent first (members and the operator).
    pub async fn seller_claims(
        &self,
        actor: &Actor,
        org: OrgId,
        status: Option<ClaimStatus>,
        order: Option<Uuid>,
        page: Page,
    ) -> Result<Paged<ClaimRecord>> {
        actor.require_member_or_operator(org)?;
        let mut q = claim::Entity::find()
            .filter(claim::Column::SellerOrgId.eq(org.as_uuid()))
            .order_by_asc(claim::Column::RespondBy);
        if let Some(s) = status {
            q = q.filter(claim::Column::Status.eq(s.as_str()));
        }
        self.page_of(of_order(q, order), page).await
    }

    /// Every claim, for the operator and after-sales agents: by status (arbitration first by
    /// default), oldest first.
    pub async fn ops_claims(
        &self,
        actor: &Actor,
        status: Option<ClaimStatus>,
        order: Option<Uuid>,
        page: Page,
    ) -> Result<Paged<ClaimRecord>> {
        if !is_platform_staff(actor) {
            return Err(AftersalesError::Forbidden);
        }
        let mut q = claim::Entity::find().order_by_asc(claim::Column::CreatedAt);
        // One order's claims in every state; otherwise a queue, arbitration by default.
        if order.is_none() || status.is_some() {
            let s = status.unwrap_or(ClaimStatus::InArbitration);
            q = q.filter(claim::Column::Status.eq(s.as_str()));
        }
        self.page_of(of_order(q, order), page).await
    }

    // -----------------------------------------------------------------------------------------
    // Deciding

    /// The seller's answer, while it is their turn.
    pub async fn respond(
        &self,
        actor: &Actor,
        id: Uuid,
        answer: &SellerAnswer,
    ) -> Result<ClaimRecord> {
        let (r, role) = self.claim_for(actor, id).await?;
        if role != Role::Seller {
            return Err(AftersalesError::Forbidden);
        }
        actor.require_selling_member(OrgId(r.claim.seller_org_id))?;
        if !domain::seller_may_answer(ClaimStatus::parse(&r.claim.status)) {
            return Err(not_your_turn());
        }
        let refundable = self.refundable(&r).await?;
        let who = Some(actor.account_id.as_uuid());
        match answer {
            SellerAnswer::FullRefund { liability } => {
                let shares = domain::check_liability(liability.as_deref().unwrap_or(&[Share {
                    party: Party::Seller,
                    percent: 100,
                }]))?;
                let amount = std::cmp::min(r.claim.claimed_fen, refundable.fen());
                self.resolve(
                    &r,
                    ClaimStatus::AwaitingSeller,
                    amount,
                    &shares,
                    who,
                    Role::Seller,
                    EventKind::Offered,
                    json!({"decision": "full_refund", "amount_fen": amount}),
                )
                .await
            }
            SellerAnswer::PartialRefund {
                basis,
                liability,
                note,
            } => {
                let mut errs = ValidationErrors::new();
                let shares = errs.check(
                    "liability",
                    domain::check_liability(liability.as_deref().unwrap_or(&[Share {
                        party: Party::Seller,
                        percent: 100,
                    }])),
                );
                let note = errs.check("note", clean_optional_text(note.as_deref(), 500, true));
                let amount = errs
                    .check("basis", self.amount_by(&r, basis).await?)
                    .and_then(|a| {
                        errs.check("amount", domain::check_amount("amount", a, refundable))
                    });
                errs.finish()?;
                let (Some(shares), Some(amount)) = (shares, amount) else {
                    return Err(AftersalesError::Invalid(ValidationErrors::new()));
                };
                self.move_to(
                    &r,
                    ClaimStatus::AwaitingSeller,
                    ClaimStatus::AwaitingBuyer,
                    amount.fen(),
                    false,
                    who,
                    Role::Seller,
                    EventKind::Offered,
                    json!({"decision": "partial_refund", "basis": basis, "amount_fen": amount.fen(),
                           "liability": shares, "note": note.flatten()}),
                )
                .await
            }
            SellerAnswer::Reship {
                lines,
                liability,
                note,
            } => {
                let mut errs = ValidationErrors::new();
                let shares = errs.check(
                    "liability",
                    domain::check_liability(liability.as_deref().unwrap_or(&[Share {
                        party: Party::Seller,
                        percent: 100,
                    }])),
                );
                let note = errs.check("note", clean_optional_text(note.as_deref(), 500, true));
                let picked: Vec<LineQuantity> = match lines {
                    Some(ls) => ls.clone(),
                    None => r
                        .lines
                        .iter()
                        .map(|(c, _)| LineQuantity {
                            line_id: c.line_id,
                            quantity: c.quantity,
                        })
                        .collect(),
                };
                let fits = !picked.is_empty()
                    && picked.iter().all(|p| {
                        r.lines.iter().any(|(c, _)| {
                            c.line_id == p.line_id && (1..=c.quantity).contains(&p.quantity)
                        })
                    });
                if !fits {
                    errs.push(FieldError::new(
                        "lines",
                        "invalid",
                        "补发只能针对申请中的商品，且不超过申请数量",
                        "a reship names claimed lines, up to the claimed quantity",
                    ));
                }
                errs.finish()?;
                self.move_to(
                    &r,
                    ClaimStatus::AwaitingSeller,
                    ClaimStatus::AwaitingBuyer,
                    0,
                    false,
                    who,
                    Role::Seller,
                    EventKind::Offered,
                    json!({"decision": "reship", "lines": picked, "liability": shares,
                           "note": note.flatten()}),
                )
                .await
            }
            SellerAnswer::Reject { reason } => {
                let reason = clean_text(reason, 5, 500, true).map_err(|e| e.at("reason"))?;
                self.move_to(
                    &r,
                    ClaimStatus::AwaitingSeller,
                    ClaimStatus::AwaitingBuyer,
                    0,
                    false,
                    who,
                    Role::Seller,
                    EventKind::Rejected,
                    json!({"reason": reason}),
                )
                .await
            }
        }
    }

    /// The buyer accepts the seller's offer (refunded at once) or rejection (closed).
    pub async fn accept(&self, actor: &Actor, id: Uuid) -> Result<ClaimRecord> {
        let (r, role) = self.claim_for(actor, id).await?;
        if role != Role::Buyer {
            return Err(AftersalesError::Forbidden);
        }
        if !domain::buyer_may_answer(ClaimStatus::parse(&r.claim.status)) {
            return Err(not_your_turn());
        }
        let offer = r.events.iter().rev().find(|e| {
            e.kind == EventKind::Offered.as_str() || e.kind == EventKind::Rejected.as_str()
        });
        let shares: Vec<Share> = offer
            .and_then(|e| serde_json::from_value(e.data["liability"].clone()).ok())
            .unwrap_or_else(|| {
                vec![Share {
                    party: Party::Seller,
                    percent: 100,
                }]
            });
        let mut data = json!({"amount_fen": r.claim.offered_fen});
        if let Some(e) = offer.filter(|e| e.data["decision"] == "reship") {
            let lines: Vec<LineQuantity> =
                serde_json::from_value(e.data["lines"].clone()).unwrap_or_default();
            let made = self
                .orders()
                .create_replacement(
                    SubOrderId(r.claim.sub_order_id),
                    &lines
                        .iter()
                        .map(|l| (OrderLineId(l.line_id), l.quantity))
                        .collect::<Vec<_>>(),
                    &format!("claim:{}:reship", r.claim.id),
                    Some(actor.account_id),
                )
                .await?;
            data =
                json!({"reship": true, "replacement_sub_order_id": made.id, "number": made.number});
        }
        self.resolve(
            &r,
            ClaimStatus::AwaitingBuyer,
            r.claim.offered_fen,
            &shares,
            Some(actor.account_id.as_uuid()),
            Role::Buyer,
            EventKind::Accepted,
            data,
        )
        .await
    }

    /// The buyer asks the platform to step in (平台介入) on a rejection or a low offer.
    pub async fn escalate(&self, actor: &Actor, id: Uuid, req: &Escalation) -> Result<ClaimRecord> {
        let (r, role) = self.claim_for(actor, id).await?;
        if role != Role::Buyer {
            return Err(AftersalesError::Forbidden);
        }
        if !domain::buyer_may_answer(ClaimStatus::parse(&r.claim.status)) {
            return Err(not_your_turn());
        }
        let reason = clean_text(&req.reason, 2, 500, true).map_err(|e| e.at("reason"))?;
        self.move_to(
            &r,
            ClaimStatus::AwaitingBuyer,
            ClaimStatus::InArbitration,
            r.claim.offered_fen,
            true,
            Some(actor.account_id.as_uuid()),
            Role::Buyer,
            EventKind::Escalated,
            json!({"reason": reason}),
        )
        .await
    }

    /// The operator's final decision, with the liability split.
    pub async fn decide(&self, actor: &Actor, id: Uuid, d: &Decision) -> Result<ClaimRecord> {
        let (r, role) = self.claim_for(actor, id).await?;
        if role != Role::Operator {
            return Err(AftersalesError::Forbidden);
        }
        let from = ClaimStatus::parse(&r.claim.status);
        if !domain::operator_may_decide(from) {
            return Err(AftersalesError::conflict(
                "already_decided",
                "该申请已处理完毕，平台裁决为最终决定",
                "the claim is settled; the platform's decision is final",
            ));
        }
        let refundable = self.refundable(&r).await?;
        let mut errs = ValidationErrors::new();
        let shares = errs.check("liability", domain::check_liability(&d.liability));
        let note = errs.check("note", clean_text(&d.note, 2, 500, true));
        if d.amount != 0 {
            errs.check(
                "amount",
                domain::check_amount("amount", Money::from_fen(d.amount), refundable),
            );
        }
        errs.finish()?;
        let (Some(shares), Some(note), Some(from)) = (shares, note, from) else {
            return Err(AftersalesError::Invalid(ValidationErrors::new()));
        };
        self.resolve(
            &r,
            from,
            d.amount,
            &shares,
            Some(actor.account_id.as_uuid()),
            Role::Operator,
            EventKind::Decided,
            json!({"amount_fen": d.amount, "liability": shares, "note": note}),
        )
        .await
    }

    /// The scheduler at the response deadline: a claim the seller has not answered is
    /// refunded at once when small, and goes to the operator otherwise. Early or repeated
    /// calls change nothing.
    pub async fn response_due(&self, id: Uuid) -> Result<bool> {
        let Some(r) = self.record(id).await? else {
            return Ok(false);
        };
        if r.claim.status != ClaimStatus::AwaitingSeller.as_str() || self.now() < r.claim.respond_by
        {
            return Ok(false);
        }
        match domain::on_deadline(
            Money::from_fen(r.claim.claimed_fen),
            self.config().auto_approve_up_to,
        ) {
            OnDeadline::AutoApprove => {
                let amount = std::cmp::min(r.claim.claimed_fen, self.refundable(&r).await?.fen());
                self.resolve(
                    &r,
                    ClaimStatus::AwaitingSeller,
                    amount,
                    &[Share {
                        party: Party::Platform,
                        percent: 100,
                    }],
                    None,
                    Role::System,
                    EventKind::AutoApproved,
                    json!({"reason": "seller_missed_deadline", "amount_fen": amount}),
                )
                .await?;
            }
            OnDeadline::Escalate => {
                self.move_to(
                    &r,
                    ClaimStatus::AwaitingSeller,
                    ClaimStatus::InArbitration,
                    0,
                    true,
                    None,
                    Role::System,
                    EventKind::Escalated,
                    json!({"reason": "seller_missed_deadline"}),
                )
                .await?;
            }
        }
        Ok(true)
    }

    /// What is left of the sub-order's payment.
    async fn refundable(&self, r: &ClaimRecord) -> Result<Money> {
        let sub = sub_order::Entity::find_by_id(r.claim.sub_order_id)
            .one(&self.infra().db)
            .await?
            .ok_or(AftersalesError::not_found("子订单", "sub-order"))?;
        Ok(Money::from_fen(sub.total_fen - sub.refunded_fen))
    }

    async fn amount_by(&self, r: &ClaimRecord, basis: &Basis) -> Result<Result<Money, FieldError>> {
        let sub = sub_order::Entity::find_by_id(r.claim.sub_order_id)
            .one(&self.infra().db)
            .await?
            .ok_or(AftersalesError::not_found("子订单", "sub-order"))?;
        let claimed = |l: &line::Model, q: i64| ClaimedLine {
            unit_price: Money::from_fen(l.unit_price_fen),
            quantity: q,
        };
        Ok(match basis {
            Basis::Agreed { amount } => Ok(Money::from_fen(*amount)),
            Basis::DamageLevel { percent } => domain::by_damage_level(
                &r.lines
                    .iter()
                    .map(|(c, l)| claimed(l, c.quantity))
                    .collect::<Vec<_>>(),
                Money::from_fen(sub.goods_fen),
                Money::from_fen(sub.shipping_fen),
                *percent,
            ),
            Basis::Quantity { lines } => {
                let mut out = Vec::new();
                for lq in lines {
                    match r.lines.iter().find(|(c, _)| c.line_id == lq.line_id) {
                        Some((c, l)) if (1..=c.quantity).contains(&lq.quantity) => {
                            out.push(claimed(l, lq.quantity));
                        }
                        _ => {
                            return Ok(Err(FieldError::new(
                                "basis",
                                "invalid",
                                "按数量退款只能针对申请中的商品，且不超过申请数量",
                                "a refund by quantity names claimed lines, up to the claimed quantity",
                            )));
                        }
                    }
                }
                Ok(domain::by_quantity(&out))
            }
        })
    }

    /// Moves a claim between open states, once (the status is the update's condition).
    #[expect(clippy::too_many_arguments, reason = "one appended step")]
    async fn move_to(
        &self,
        r: &ClaimRecord,
        from: ClaimStatus,
        to: ClaimStatus,
        offered: i64,
        escalate: bool,
        actor: Option<Uuid>,
        role: Role,
        kind: EventKind,
        data: Value,
    ) -> Result<ClaimRecord> {
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        let mut up = claim::Entity::update_many()
            .col_expr(claim::Column::Status, Expr::value(to.as_str()))
            .col_expr(claim::Column::OfferedFen, Expr::value(offered))
            .filter(claim::Column::Id.eq(r.claim.id))
            .filter(claim::Column::Status.eq(from.as_str()));
        if escalate {
            up = up.col_expr(claim::Column::Escalated, Expr::value(true));
        }
        if role == Role::Seller && r.claim.first_response_at.is_none() {
            up = up.col_expr(claim::Column::FirstResponseAt, Expr::value(now));
        }
        if up.exec(&txn).await?.rows_affected != 1 {
            return Err(not_your_turn());
        }
        append(&txn, r.claim.id, kind, actor, role, data, now).await?;
        txn.commit().await?;
        self.existing(r.claim.id).await
    }

    /// Settles a claim: refunds `amount` through the orders ledger (keyed by the claim, so
    /// it is paid once whatever happens), records the liability, and opens a carrier recourse
    /// when the carrier has a share.
    #[expect(clippy::too_many_arguments, reason = "one appended step")]
    async fn resolve(
        &self,
        r: &ClaimRecord,
        from: ClaimStatus,
        amount: i64,
        shares: &[Share],
        actor: Option<Uuid>,
        role: Role,
        kind: EventKind,
        data: Value,
    ) -> Result<ClaimRecord> {
        let refund = if amount > 0 {
            Some(
                self.orders()
                    .refund_sub_order(
                        SubOrderId(r.claim.sub_order_id),
                        amount,
                        &format!("售后 {}", r.claim.number),
                        &format!("claim:{}", r.claim.id),
                        actor.map(AccountId),
                    )
                    .await?,
            )
        } else {
            None
        };
        let now = self.now();
        let db = &self.infra().db;
        let ship = shipment::Entity::find()
            .filter(shipment::Column::SubOrderId.eq(r.claim.sub_order_id))
            .one(db)
            .await?;
        let txn = begin_write(db).await?;
        let mut up = claim::Entity::update_many()
            .col_expr(
                claim::Column::Status,
                Expr::value(ClaimStatus::Resolved.as_str()),
            )
            .col_expr(claim::Column::RefundedFen, Expr::value(amount))
            .col_expr(claim::Column::ResolvedAt, Expr::value(now))
            .col_expr(claim::Column::Liability, Expr::value(json!(shares)))
            .filter(claim::Column::Id.eq(r.claim.id))
            .filter(claim::Column::Status.eq(from.as_str()));
        if role == Role::Seller && r.claim.first_response_at.is_none() {
            up = up.col_expr(claim::Column::FirstResponseAt, Expr::value(now));
        }
        if up.exec(&txn).await?.rows_affected != 1 {
            return Err(not_your_turn());
        }
        append(&txn, r.claim.id, kind, actor, role, data, now).await?;
        if let Some(refund) = &refund {
            append(
                &txn,
                r.claim.id,
                EventKind::Refunded,
                actor,
                role,
                json!({"refund_id": refund.id, "amount_fen": refund.amount_fen}),
                now,
            )
            .await?;
        }
        let carrier = domain::carrier_part(Money::from_fen(amount), shares);
        if let (Some(ship), true) = (&ship, carrier.fen() > 0) {
            let rid = Uuid::now_v7();
            recourse::ActiveModel {
                id: Set(rid),
                claim_id: Set(r.claim.id),
                seller_org_id: Set(r.claim.seller_org_id),
                carrier: Set(ship.carrier.clone()),
                tracking_no: Set(ship.tracking_no.clone()),
                amount_fen: Set(carrier.fen()),
                evidence: Set(json!(
                    r.evidence
                        .iter()
                        .map(|e| json!({"id": e.id, "sha256": e.sha256}))
                        .collect::<Vec<_>>()
                )),
                status: Set("open".to_owned()),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            append(
                &txn,
                r.claim.id,
                EventKind::RecourseOpened,
                actor,
                role,
                json!({"recourse_id": rid, "carrier": ship.carrier, "amount_fen": carrier.fen()}),
                now,
            )
            .await?;
        }
        self.infra()
            .outbox
            .enqueue(&txn, topics::RESOLVED, &json!({"claim_id": r.claim.id}))
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.existing(r.claim.id).await
    }

    // -----------------------------------------------------------------------------------------
    // The thread and the survey

    /// A message on the claim's thread from the buyer, the seller or the operator.
    pub async fn post_message(
        &self,
        actor: &Actor,
        id: Uuid,
        m: &NewMessage,
    ) -> Result<ClaimRecord> {
        let (r, role) = self.claim_for(actor, id).await?;
        let mut errs = ValidationErrors::new();
        let body = errs.check("body", clean_text(&m.body, 1, 1000, true));
        let photos = self
            .own_unused_evidence(actor, &m.attachments, "attachments", Some(id), &mut errs)
            .await?;
        errs.finish()?;
        let Some(body) = body else {
            return Err(AftersalesError::Invalid(ValidationErrors::new()));
        };
        let txn = begin_write(&self.infra().db).await?;
        message::ActiveModel {
            id: Set(Uuid::now_v7()),
            claim_id: Set(id),
            author_id: Set(actor.account_id.as_uuid()),
            author_role: Set(role.as_str().to_owned()),
            body: Set(body),
            attachments: Set(json!(photos)),
            at: Set(self.now()),
        }
        .insert(&txn)
        .await?;
        if !photos.is_empty() {
            evidence::Entity::update_many()
                .col_expr(evidence::Column::ClaimId, Expr::value(id))
                .filter(evidence::Column::Id.is_in(photos))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        self.existing(r.claim.id).await
    }

    /// The buyer rates how the claim was handled, once, after it is resolved.
    pub async fn rate(&self, actor: &Actor, id: Uuid, s: &Satisfaction) -> Result<ClaimRecord> {
        let (r, role) = self.claim_for(actor, id).await?;
        if role != Role::Buyer {
            return Err(AftersalesError::Forbidden);
        }
        if r.claim.status != ClaimStatus::Resolved.as_str() {
            return Err(AftersalesError::conflict(
                "not_resolved",
                "处理完毕后才能评价",
                "rate the handling once the claim is resolved",
            ));
        }
        let mut errs = ValidationErrors::new();
        let rating = errs.check("rating", farmgate_orders::domain::parse_rating(s.rating));
        let comment = errs.check(
            "comment",
            clean_optional_text(s.comment.as_deref(), 500, true),
        );
        errs.finish()?;
        let (Some(rating), Some(comment)) = (rating, comment) else {
            return Err(AftersalesError::Invalid(ValidationErrors::new()));
        };
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        let done = claim::Entity::update_many()
            .col_expr(claim::Column::Satisfaction, Expr::value(rating))
            .col_expr(
                claim::Column::SatisfactionComment,
                Expr::value(comment.clone()),
            )
            .filter(claim::Column::Id.eq(id))
            .filter(claim::Column::Satisfaction.is_null())
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Err(AftersalesError::conflict(
                "already_rated",
                "已经评价过了",
                "you have already rated this claim",
            ));
        }
        append(
            &txn,
            id,
            EventKind::Rated,
            Some(actor.account_id.as_uuid()),
            Role::Buyer,
            json!({"rating": rating, "comment": comment}),
            now,
        )
        .await?;
        txn.commit().await?;
        self.existing(id).await
    }
}

fn of_order(
    q: sea_orm::Select<claim::Entity>,
    order: Option<Uuid>,
) -> sea_orm::Select<claim::Entity> {
    match order {
        Some(o) => q.filter(claim::Column::OrderId.eq(o)),
        None => q,
    }
}

/// Appends to a claim's event log.
async fn append(
    conn: &impl ConnectionTrait,
    claim_id: Uuid,
    kind: EventKind,
    actor: Option<Uuid>,
    role: Role,
    data: Value,
    at: DateTime<Utc>,
) -> Result<()> {
    event::ActiveModel {
        id: Set(Uuid::now_v7()),
        claim_id: Set(claim_id),
        kind: Set(kind.as_str().to_owned()),
        actor_id: Set(actor),
        actor_role: Set(role.as_str().to_owned()),
        data: Set(data),
        at: Set(at),
    }
    .insert(conn)
    .await?;
    Ok(())
}
