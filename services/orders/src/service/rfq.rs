//! Requests for quotation (询价 → 报价 → 订单, issue #22). A business buyer's purchaser, manager
//! or owner posts what it needs to chosen verified sellers or to every seller listing in the
//! category; each invited seller quotes one of its own SKUs at a unit price; the buyer accepts
//! one or more quotes (split supply), and each acceptance is an ordinary order placed through
//! checkout, the quoted unit price applied to that one line ([`AcceptedQuote`], which only this
//! file makes), stock taken, an approval above the owner's limit, paid as usual.
//!
//! Who sees what: the buyer's members see the RFQ and every quote on it; an invited seller's
//! members see the RFQ (its place only as province, city and district) and their own quotes;
//! nobody else learns it exists (`not_found`). Rules and arithmetic: `domain/rfq.rs`.

use crate::Orders;
use crate::domain::rfq::{
    MAX_SELLERS, Need, NeedInput, Offer, QuoteState, QuoteStatus, RfqStatus, quote_state,
    rfq_number,
};
use crate::domain::{Address, PaymentMethod};
use crate::error::{Missing, OrdersError, Result};
use crate::service::checkout::address_snapshot;
use crate::service::{CheckoutRequest, ItemInput, OrderRecord};
use crate::store::queries::rfqs as rq;
use crate::store::{rfq, rfq_invitation, rfq_quote};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_catalog::read::rfq as catalog_rfq;
use farmgate_catalog::sale::ForSale;
use farmgate_identity::{Actor, OrgKind, OrgRole, OrgStatus};
use farmgate_infra::db::begin_write;
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::id::{AddressId, CategoryId, ListingId, OrgId, SkuId};
use farmgate_kernel::{FieldError, Page, Paged, ValidationErrors};
use rand::Rng;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

/// Outbox topics of requests for quotation; each payload is `{"org_id", "rfq_id"}`, the
/// organisation whose members are told.
pub mod topics {
    /// An RFQ was sent to a seller.
    pub const RFQ_POSTED: &str = "orders.rfq_posted";
    /// A seller quoted on the buyer's RFQ.
    pub const RFQ_QUOTED: &str = "orders.rfq_quoted";
    /// The buyer accepted a seller's quote (its order exists).
    pub const RFQ_ACCEPTED: &str = "orders.rfq_accepted";
}

/// What a buyer asks for.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostRfqRequest {
    /// The product, as a category of the catalogue.
    pub category_id: CategoryId,
    /// A listing the buyer has in mind: a hint to sellers, nothing more.
    #[serde(default)]
    pub listing_id: Option<ListingId>,
    /// What is wanted, in words (2–200 characters).
    pub title: String,
    /// 1–1,000,000 of `unit`.
    pub quantity: i64,
    /// 斤, 公斤, 箱, 袋, 个, 件, 只 or 盒.
    pub unit: String,
    /// Quality wanted (grade, size, packing …), at most 1,000 characters.
    #[serde(default)]
    pub quality: Option<String>,
    /// The delivery window, Shanghai dates, from today on, at most 180 days.
    pub deliver_from: NaiveDate,
    pub deliver_to: NaiveDate,
    /// Where to deliver: one of the poster's saved addresses.
    pub address_id: AddressId,
    /// When quoting ends (after now, within 180 days).
    pub closes_at: DateTime<Utc>,
    /// The verified sellers to ask (at most 50); absent or empty: every seller with an
    /// approved listing in the category.
    #[serde(default)]
    pub sellers: Option<Vec<OrgId>>,
}

/// A seller's quote, or its revision.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RfqQuoteRequest {
    /// One of the quoting organisation's SKUs on sale: the order will be of it.
    pub sku_id: SkuId,
    /// Fen per unit of the SKU (1 to 10,000,000).
    pub unit_price_fen: i64,
    /// What the seller can supply, in the SKU's unit (1–9,999).
    pub quantity: i64,
    /// Until when the quote holds (after now, within 180 days).
    pub expires_at: DateTime<Utc>,
    /// At most 500 characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// The buyer accepts a quote: the order is delivered to `address_id` (one of the accepting
/// member's own addresses; absent: the RFQ's, if it is theirs) and paid this way.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptQuoteRequest {
    #[serde(default)]
    pub address_id: Option<AddressId>,
    pub payment_method: PaymentMethod,
    /// A note to the seller (at most 200 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// A quote the buyer is accepting, as checkout applies it: the one line of `sku` is sold at
/// `unit_price_fen`, and the order's own transaction marks the quote accepted at `version`
/// ([`Orders::seal_acceptance`]) or the order does not stand. Only this file makes one, from a
/// stored open quote, so no request can name its own price.
#[derive(Clone, Debug)]
pub struct AcceptedQuote {
    quote_id: Uuid,
    version: i32,
    rfq_id: Uuid,
    rfq_number: String,
    seller: Uuid,
    sku: SkuId,
    unit_price_fen: i64,
}

impl AcceptedQuote {
    /// The quoted unit price when `sku` is the quoted SKU.
    pub(crate) fn price_of(&self, sku: SkuId) -> Option<i64> {
        (sku == self.sku).then_some(self.unit_price_fen)
    }

    /// What the order's `placed` event says of where it came from.
    pub(crate) fn event_data(&self) -> serde_json::Value {
        json!({"id": self.rfq_id, "number": self.rfq_number, "quote_id": self.quote_id})
    }
}

/// An RFQ as the viewer may see it.
#[derive(Clone, Debug)]
pub struct RfqDetail {
    pub rfq: rfq::Model,
    /// The viewer is of the buyer (sees every quote, the sellers asked and the full address).
    pub as_buyer: bool,
    pub buyer_name: String,
    pub category_name: Option<(String, String)>,
    /// The sellers asked, with their names (the buyer only; empty for a seller).
    pub sellers: Vec<(OrgId, String)>,
    pub quotes: Vec<QuoteDetail>,
    pub now: DateTime<Utc>,
}

impl RfqDetail {
    /// The delivery place as the viewer sees it: a seller sees province, city and district.
    pub fn place(&self) -> Address {
        let mut a: Address = serde_json::from_value(self.rfq.address.clone()).unwrap_or_default();
        if !self.as_buyer {
            a.name = String::new();
            a.phone = String::new();
            a.street = String::new();
        }
        a
    }

    /// Whether invited sellers may still quote.
    pub fn quoting_open(&self) -> bool {
        self.rfq.status == RfqStatus::Open && self.now < self.rfq.closes_at
    }
}

/// A quote with its seller's name and state now.
#[derive(Clone, Debug)]
pub struct QuoteDetail {
    pub quote: rfq_quote::Model,
    pub seller_name: String,
    pub state: QuoteState,
}

fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&shanghai()).date_naive()
}

/// The business buyer `actor` orders for: a verified one where it is owner, manager or
/// purchaser (staff do not buy). Anyone else: `forbidden`.
fn ordering_buyer(actor: &Actor) -> Result<OrgId> {
    actor
        .memberships
        .iter()
        .find(|m| {
            m.org_kind == OrgKind::BusinessBuyer
                && m.org_status == OrgStatus::Verified
                && matches!(
                    m.role,
                    OrgRole::Owner | OrgRole::Manager | OrgRole::Purchaser
                )
        })
        .map(|m| m.org_id)
        .ok_or(OrdersError::Forbidden)
}

/// The verified seller organisations `actor` sells for.
fn selling_orgs(actor: &Actor) -> Vec<Uuid> {
    actor
        .memberships
        .iter()
        .filter(|m| m.org_kind.is_seller() && m.org_status == OrgStatus::Verified)
        .map(|m| m.org_id.as_uuid())
        .collect()
}

fn not_own_sku() -> OrdersError {
    FieldError::new(
        "sku_id",
        "not_found",
        "没有这个你们在售的商品规格",
        "no such SKU of your organisation on sale",
    )
    .into()
}

impl Orders {
    /// A buyer posts an RFQ; it is sent (outbox `orders.rfq_posted`, one per seller) in the
    /// same transaction that writes it.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn post_rfq(&self, actor: &Actor, req: &PostRfqRequest) -> Result<RfqDetail> {
        let buyer = ordering_buyer(actor)?;
        let db = &self.infra().db;
        let now = self.now();
        let need = Need::parse(
            &NeedInput {
                title: &req.title,
                quantity: req.quantity,
                unit: &req.unit,
                quality: req.quality.as_deref(),
                deliver_from: req.deliver_from,
                deliver_to: req.deliver_to,
                closes_at: req.closes_at,
            },
            now,
            today(now),
        );
        let mut errs = need.as_ref().err().cloned().unwrap_or_default();
        let address = self.address_field(actor, req.address_id, &mut errs).await?;
        let category = CategoryId(req.category_id.0);
        if catalog_rfq::category_name(db, category).await?.is_none() {
            errs.push(FieldError::new(
                "category_id",
                "not_found",
                "没有这个品类",
                "no such category",
            ));
        }
        if let Some(l) = req.listing_id
            && !farmgate_catalog::read::stats::listing_exists(db, l).await?
        {
            errs.push(FieldError::new(
                "listing_id",
                "not_found",
                "没有这个商品",
                "no such listing",
            ));
        }
        let chosen: BTreeSet<OrgId> = req.sellers.iter().flatten().copied().collect();
        let whole_category = chosen.is_empty();
        if chosen.len() > MAX_SELLERS {
            errs.push(FieldError::new(
                "sellers",
                "too_many",
                format!("最多询价 {MAX_SELLERS} 家"),
                format!("at most {MAX_SELLERS} sellers"),
            ));
        }
        let candidates: Vec<OrgId> = if whole_category {
            catalog_rfq::sellers_in_category(db, category, 4 * MAX_SELLERS as u64).await?
        } else {
            chosen.iter().copied().collect()
        };
        let summaries = self.identity().org_summaries(&candidates).await?;
        let sellers: Vec<OrgId> = candidates
            .iter()
            .copied()
            .filter(|o| {
                summaries
                    .get(o)
                    .is_some_and(|s| s.kind.is_seller() && s.status == OrgStatus::Verified)
                    && *o != buyer
            })
            .take(MAX_SELLERS)
            .collect();
        if !whole_category && sellers.len() != chosen.len() {
            errs.push(FieldError::new(
                "sellers",
                "not_found",
                "只能向已认证的卖家询价",
                "only verified sellers can be asked",
            ));
        } else if sellers.is_empty() && errs.is_empty() {
            errs.push(FieldError::new(
                "sellers",
                "none",
                "这个品类还没有已认证的卖家",
                "no verified seller lists in this category yet",
            ));
        }
        errs.finish()?;
        let (Ok(need), Some(address)) = (need, address) else {
            return Err(OrdersError::Invalid(ValidationErrors::new()));
        };
        let id = Uuid::now_v7();
        let number = rfq_number(now, rand::rng().random());
        let txn = begin_write(db).await?;
        rfq::ActiveModel {
            id: Set(id),
            number: Set(number),
            buyer_org_id: Set(buyer.as_uuid()),
            created_by: Set(actor.account_id.as_uuid()),
            category_id: Set(category.0),
            listing_id: Set(req.listing_id.map(|l| l.0)),
            title: Set(need.title),
            quantity: Set(need.quantity),
            unit: Set(need.unit),
            quality: Set(need.quality),
            deliver_from: Set(need.deliver_from),
            deliver_to: Set(need.deliver_to),
            address_id: Set(address.id),
            address: Set(json!(address_snapshot(&address))),
            closes_at: Set(need.closes_at),
            whole_category: Set(whole_category),
            status: Set(RfqStatus::Open),
            created_at: Set(now),
            closed_at: Set(None),
        }
        .insert(&txn)
        .await?;
        for s in &sellers {
            rfq_invitation::ActiveModel {
                rfq_id: Set(id),
                seller_org_id: Set(s.as_uuid()),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            self.infra()
                .outbox
                .enqueue(
                    &txn,
                    topics::RFQ_POSTED,
                    &json!({"org_id": s, "rfq_id": id}),
                )
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        tracing::info!(rfq.id = %id, sellers = sellers.len(), "rfq posted");
        self.rfq_for(actor, id).await
    }

    /// The RFQ as `actor` may see it: a member of its buyer, or of a seller it was sent to;
    /// anyone else `not_found`.
    pub async fn rfq_for(&self, actor: &Actor, id: Uuid) -> Result<RfqDetail> {
        let db = &self.infra().db;
        let r = rq::rfq(db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Rfq))?;
        let as_buyer = actor.membership(OrgId(r.buyer_org_id)).is_some();
        let mut seller = None;
        if !as_buyer {
            for o in selling_orgs(actor) {
                if rq::invited(db, id, o).await? {
                    seller = Some(o);
                    break;
                }
            }
            if seller.is_none() {
                return Err(OrdersError::NotFound(Missing::Rfq));
            }
        }
        self.detail(r, seller).await
    }

    /// Organisations' names, asked of identity.
    async fn org_names(&self, orgs: &[OrgId]) -> Result<HashMap<OrgId, String>> {
        Ok(self
            .identity()
            .org_summaries(orgs)
            .await?
            .into_iter()
            .map(|(k, v)| (k, v.name))
            .collect())
    }

    /// The RFQ with the quotes `seller` may see (all when `None`: the buyer).
    async fn detail(&self, r: rfq::Model, seller: Option<Uuid>) -> Result<RfqDetail> {
        let db = &self.infra().db;
        let now = self.now();
        let quotes = rq::quotes_of(db, r.id, seller).await?;
        let invited = if seller.is_none() {
            rq::invitations(db, r.id).await?
        } else {
            Vec::new()
        };
        let mut orgs: Vec<OrgId> = invited.iter().copied().map(OrgId).collect();
        orgs.extend(quotes.iter().map(|q| OrgId(q.seller_org_id)));
        orgs.push(OrgId(r.buyer_org_id));
        let names = self.org_names(&orgs).await?;
        let name = |o: Uuid| names.get(&OrgId(o)).cloned().unwrap_or_default();
        let category_name = catalog_rfq::category_name(db, CategoryId(r.category_id)).await?;
        Ok(RfqDetail {
            as_buyer: seller.is_none(),
            buyer_name: name(r.buyer_org_id),
            category_name,
            sellers: invited.iter().map(|o| (OrgId(*o), name(*o))).collect(),
            quotes: quotes
                .into_iter()
                .map(|q| QuoteDetail {
                    seller_name: name(q.seller_org_id),
                    state: quote_state(q.status, q.expires_at, now),
                    quote: q,
                })
                .collect(),
            rfq: r,
            now,
        })
    }

    /// An organisation's RFQs, newest first: a buyer's own, or those sent to a seller, for its
    /// members.
    pub async fn rfqs_of_org(
        &self,
        actor: &Actor,
        org: OrgId,
        page: Page,
    ) -> Result<Paged<RfqDetail>> {
        let m = actor.membership(org).ok_or(OrdersError::Forbidden)?;
        let db = &self.infra().db;
        let buyer = m.org_kind == OrgKind::BusinessBuyer;
        let (rows, total) = if buyer {
            rq::of_buyer(db, org.as_uuid(), page.limit(), page.offset()).await?
        } else if m.org_kind.is_seller() {
            rq::sent_to(db, org.as_uuid(), page.limit(), page.offset()).await?
        } else {
            return Err(OrdersError::Forbidden);
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.detail(r, (!buyer).then_some(org.as_uuid())).await?);
        }
        Ok(Paged::new(out, total, page))
    }

    /// The buyer closes its RFQ: no more quotes or acceptances (orders made stand). Closing a
    /// closed one returns it as it is.
    pub async fn close_rfq(&self, actor: &Actor, id: Uuid) -> Result<RfqDetail> {
        let r = self.buyers_rfq(actor, id).await?;
        rq::close(&self.infra().db, r.id, self.now()).await?;
        self.rfq_for(actor, id).await
    }

    /// The RFQ if `actor` orders for its buyer; `not_found` for anyone outside the buyer,
    /// `forbidden` for its staff.
    async fn buyers_rfq(&self, actor: &Actor, id: Uuid) -> Result<rfq::Model> {
        let r = rq::rfq(&self.infra().db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Rfq))?;
        if actor.membership(OrgId(r.buyer_org_id)).is_none() {
            return Err(OrdersError::NotFound(Missing::Rfq));
        }
        if ordering_buyer(actor)? != OrgId(r.buyer_org_id) {
            return Err(OrdersError::Forbidden);
        }
        Ok(r)
    }

    /// The SKU on sale of an organisation the actor sells for and the RFQ was sent to.
    async fn quotable_sku(&self, actor: &Actor, rfq: &rfq::Model, sku: SkuId) -> Result<ForSale> {
        let sale = self
            .catalog()
            .for_sale(&[sku])
            .await?
            .remove(&sku)
            .filter(|s| s.unavailable.is_none())
            .ok_or_else(not_own_sku)?;
        let org = sale.listing.seller_org_id;
        if !selling_orgs(actor).contains(&org)
            || !rq::invited(&self.infra().db, rfq.id, org).await?
        {
            return Err(not_own_sku());
        }
        // The buyer asked for this product: a quote is for something in its category (or a
        // sub-category, as the sellers the RFQ reached were found), not whatever sells.
        if sale.category.id != rfq.category_id && sale.category.parent_id != Some(rfq.category_id) {
            return Err(FieldError::new(
                "sku_id",
                "other_category",
                "这个商品规格不属于询价的品类",
                "this SKU is not in the category the buyer asked for",
            )
            .into());
        }
        Ok(sale)
    }

    /// An invited seller quotes: one of its SKUs on sale, while quoting is open. The buyer's
    /// members are told (`orders.rfq_quoted`).
    #[tracing::instrument(skip_all, fields(rfq.id = %id))]
    pub async fn quote_rfq(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &RfqQuoteRequest,
    ) -> Result<QuoteDetail> {
        let detail = self.rfq_for(actor, id).await?;
        if detail.as_buyer {
            return Err(OrdersError::Forbidden);
        }
        if !detail.quoting_open() {
            return Err(OrdersError::RfqClosed);
        }
        let now = self.now();
        let offer = Offer::parse(
            req.unit_price_fen,
            req.quantity,
            req.expires_at,
            req.note.as_deref(),
            now,
        );
        let sale = self.quotable_sku(actor, &detail.rfq, req.sku_id).await;
        let (offer, sale) = match (offer, sale) {
            (Ok(o), Ok(s)) => (o, s),
            (Err(mut e), Err(OrdersError::Invalid(more))) => {
                for f in more.errors() {
                    e.push(f.clone());
                }
                return Err(OrdersError::Invalid(e));
            }
            (Err(e), _) => return Err(OrdersError::Invalid(e)),
            (_, Err(e)) => return Err(e),
        };
        let txn = begin_write(&self.infra().db).await?;
        let q = rfq_quote::ActiveModel {
            id: Set(Uuid::now_v7()),
            rfq_id: Set(id),
            seller_org_id: Set(sale.listing.seller_org_id),
            created_by: Set(actor.account_id.as_uuid()),
            sku_id: Set(sale.sku.id),
            title: Set(format!("{} {}", sale.listing.title, sale.sku.name)),
            unit: Set(sale.sku.unit.as_str().to_owned()),
            unit_price_fen: Set(offer.unit_price_fen),
            quantity: Set(offer.quantity),
            expires_at: Set(offer.expires_at),
            note: Set(offer.note),
            status: Set(QuoteStatus::Open),
            version: Set(1),
            order_id: Set(None),
            accepted_by: Set(None),
            accepted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::RFQ_QUOTED,
                &json!({"org_id": detail.rfq.buyer_org_id, "rfq_id": id}),
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(QuoteDetail {
            state: quote_state(q.status, q.expires_at, now),
            seller_name: sale.seller.name.clone(),
            quote: q,
        })
    }

    /// A quote of an organisation the actor sells for (anyone else: `not_found`), with its RFQ.
    async fn own_quote(&self, actor: &Actor, id: Uuid) -> Result<(rfq_quote::Model, rfq::Model)> {
        let db = &self.infra().db;
        let q = rq::quote(db, id)
            .await?
            .filter(|q| selling_orgs(actor).contains(&q.seller_org_id))
            .ok_or(OrdersError::NotFound(Missing::RfqQuote))?;
        let r = rq::rfq(db, q.rfq_id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Rfq))?;
        Ok((q, r))
    }

    /// Why a quote that is not open (at `now`) cannot move.
    fn not_open(q: &rfq_quote::Model, now: DateTime<Utc>) -> OrdersError {
        match quote_state(q.status, q.expires_at, now) {
            QuoteState::Expired => OrdersError::QuoteExpired,
            _ => OrdersError::QuoteClosed,
        }
    }

    /// The seller revises its open quote while the RFQ is open (the version moves on, so an
    /// acceptance of what the buyer saw before fails instead of ordering at the new price).
    #[tracing::instrument(skip_all, fields(quote.id = %id))]
    pub async fn revise_quote(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &RfqQuoteRequest,
    ) -> Result<QuoteDetail> {
        let (q, r) = self.own_quote(actor, id).await?;
        let now = self.now();
        if r.status != RfqStatus::Open {
            return Err(OrdersError::RfqClosed);
        }
        if quote_state(q.status, q.expires_at, now) != QuoteState::Open {
            return Err(Self::not_open(&q, now));
        }
        let offer = Offer::parse(
            req.unit_price_fen,
            req.quantity,
            req.expires_at,
            req.note.as_deref(),
            now,
        )
        .map_err(OrdersError::Invalid)?;
        let sale = self.quotable_sku(actor, &r, req.sku_id).await?;
        if sale.listing.seller_org_id != q.seller_org_id {
            return Err(not_own_sku());
        }
        let revised = rfq_quote::Model {
            sku_id: sale.sku.id,
            title: format!("{} {}", sale.listing.title, sale.sku.name),
            unit: sale.sku.unit.as_str().to_owned(),
            unit_price_fen: offer.unit_price_fen,
            quantity: offer.quantity,
            expires_at: offer.expires_at,
            note: offer.note,
            ..q.clone()
        };
        if !rq::revise(&self.infra().db, &revised, now).await? {
            return Err(OrdersError::QuoteClosed);
        }
        self.quote_detail(id).await
    }

    /// The seller withdraws its open quote (until it is accepted).
    pub async fn withdraw_quote(&self, actor: &Actor, id: Uuid) -> Result<QuoteDetail> {
        let (q, _) = self.own_quote(actor, id).await?;
        if !rq::withdraw(&self.infra().db, q.id, self.now()).await? {
            return Err(OrdersError::QuoteClosed);
        }
        self.quote_detail(id).await
    }

    async fn quote_detail(&self, id: Uuid) -> Result<QuoteDetail> {
        let q = rq::quote(&self.infra().db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::RfqQuote))?;
        let seller_name = self
            .org_names(&[OrgId(q.seller_org_id)])
            .await?
            .remove(&OrgId(q.seller_org_id))
            .unwrap_or_default();
        Ok(QuoteDetail {
            state: quote_state(q.status, q.expires_at, self.now()),
            seller_name,
            quote: q,
        })
    }

    /// The buyer accepts a quote: an ordinary order through checkout for the quoted quantity
    /// of the quoted SKU at the quoted unit price. Two acceptances at once make one order (the
    /// other answers `quote_closed`); an expired or withdrawn quote, or a closed RFQ, none.
    #[tracing::instrument(skip_all, fields(quote.id = %id))]
    pub async fn accept_quote(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &AcceptQuoteRequest,
    ) -> Result<OrderRecord> {
        let db = &self.infra().db;
        let q = rq::quote(db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::RfqQuote))?;
        let r = self
            .buyers_rfq(actor, q.rfq_id)
            .await
            .map_err(|e| match e {
                OrdersError::NotFound(_) => OrdersError::NotFound(Missing::RfqQuote),
                e => e,
            })?;
        if r.status != RfqStatus::Open {
            return Err(OrdersError::RfqClosed);
        }
        let now = self.now();
        if quote_state(q.status, q.expires_at, now) != QuoteState::Open {
            return Err(Self::not_open(&q, now));
        }
        let accepted = AcceptedQuote {
            quote_id: q.id,
            version: q.version,
            rfq_id: r.id,
            rfq_number: r.number.clone(),
            seller: q.seller_org_id,
            sku: SkuId(q.sku_id),
            unit_price_fen: q.unit_price_fen,
        };
        let order = CheckoutRequest {
            address_id: req.address_id.unwrap_or(AddressId(r.address_id)),
            items: Some(vec![ItemInput {
                sku_id: SkuId(q.sku_id),
                quantity: q.quantity,
                price_seen: None,
            }]),
            payment_method: req.payment_method,
            note: req.note.clone(),
        };
        self.checkout_quoted(actor, order, &accepted).await
    }

    /// In the order's transaction, after its lines: the quote accepted with the order, if it
    /// is still the open version the buyer accepted and its RFQ open; else the order must not
    /// stand (`quote_closed`, `quote_expired`, `rfq_closed`). The seller is told.
    pub(crate) async fn seal_acceptance(
        &self,
        txn: &DatabaseTransaction,
        q: &AcceptedQuote,
        (order_id, by): (Uuid, Uuid),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let open = rq::rfq(txn, q.rfq_id)
            .await?
            .is_some_and(|r| r.status == RfqStatus::Open);
        if !open {
            return Err(OrdersError::RfqClosed);
        }
        if !rq::accept(txn, q.quote_id, q.version, (order_id, by), now).await? {
            return Err(match rq::quote(txn, q.quote_id).await? {
                Some(stored) => Self::not_open(&stored, now),
                None => OrdersError::QuoteClosed,
            });
        }
        self.infra()
            .outbox
            .enqueue(
                txn,
                topics::RFQ_ACCEPTED,
                &json!({"org_id": q.seller, "rfq_id": q.rfq_id}),
            )
            .await?;
        Ok(())
    }
}
