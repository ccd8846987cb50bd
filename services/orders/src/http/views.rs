//! What the API returns. Who sees what: the buyer sees the whole order; a seller sees the
//! order's address and its own part (with its commission) once the order is paid; the
//! operator sees everything. The delivery phone is masked for a seller until payment.

use super::payment_view::PaymentView;
use crate::domain::{
    self, Address, EventKind, LogisticsKind, LogisticsSource, OrderMove, OrderStatus,
    PaymentMethod, RefundStatus, SubOrderMove, SubOrderStatus, order_transition,
    sub_order_transition,
};
use crate::service::{CartLine, OrderRecord};
use crate::store::{address, event, line, refund, review, shipment, sub_order};
use chrono::{DateTime, Utc};
use farmgate_catalog::domain::unit_price;
use farmgate_catalog::sale::Unavailable;
use farmgate_identity::Actor;
use farmgate_kernel::id::{
    AddressId, BatchId, ListingId, OrderId, OrderLineId, OrgId, RefundId, ShipmentId, SkuId,
    SubOrderId,
};
use farmgate_kernel::{Money, Phone, wire_enum};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

wire_enum!(
    /// Where a cart line stands now.
    CartLineState {
        OnSale => "on_sale",
        SoldOut => "sold_out",
        /// Fewer left than wanted.
        Short => "short",
        Unavailable => "unavailable",
    }
);

wire_enum!(
    /// How the viewer relates to an order.
    Viewer {
        Buyer => "buyer",
        Seller => "seller",
        Operator => "operator",
    }
);

#[derive(Debug, Serialize, ToSchema)]
pub struct AddressView {
    pub id: AddressId,
    pub name: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub street: String,
    pub is_default: bool,
    /// The district's GB/T 2260 code when the names are the standard's (`GET /api/v1/regions`).
    pub region_code: Option<String>,
}

impl AddressView {
    pub fn of(a: &address::Model) -> Self {
        Self {
            id: AddressId(a.id),
            name: a.name.clone(),
            phone: a.phone.clone(),
            province: a.province.clone(),
            city: a.city.clone(),
            district: a.district.clone(),
            street: a.street.clone(),
            is_default: a.is_default,
            region_code: crate::domain::divisions::Divisions::get().code_for(
                &a.province,
                &a.city,
                &a.district,
            ),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CartLineView {
    pub sku_id: SkuId,
    pub listing_id: Option<ListingId>,
    pub title: String,
    pub sku_name: String,
    pub unit: String,
    pub seller_id: Option<OrgId>,
    pub seller_name: String,
    pub quantity: i64,
    /// The unit price now (fen), with a business buyer's tier applied.
    pub unit_price: i64,
    /// The retail price when it was added (fen).
    pub price_seen: i64,
    pub price_changed: bool,
    pub line_total: i64,
    pub stock: i64,
    pub state: CartLineState,
    pub image: Option<String>,
}

/// One seller's part of the cart: it ships as one parcel, so it pays one shipping fee.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartSellerView {
    pub seller_id: OrgId,
    pub seller_name: String,
    /// Goods on sale now (fen).
    pub goods_total: i64,
    /// The parcel's shipping fee as checkout will charge it (free above the threshold).
    pub shipping: i64,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CartView {
    pub lines: Vec<CartLineView>,
    /// Goods you can buy now (fen), before shipping.
    pub goods_total: i64,
    /// Shipping of every seller's parcel.
    pub shipping: i64,
    /// What checkout would charge now.
    pub total: i64,
    pub sellers: Vec<CartSellerView>,
    pub count: usize,
}

impl CartView {
    pub fn of(lines: &[CartLine], wholesale: bool) -> Self {
        let mut out = Vec::with_capacity(lines.len());
        let mut goods = 0i64;
        // seller → (name, goods, grams)
        let mut parcels: Vec<(Uuid, String, i64, i64)> = Vec::new();
        for l in lines {
            let item = &l.item;
            let Some(s) = &l.sale else {
                out.push(CartLineView {
                    sku_id: SkuId(item.sku_id),
                    listing_id: None,
                    title: String::new(),
                    sku_name: String::new(),
                    unit: String::new(),
                    seller_id: None,
                    seller_name: String::new(),
                    quantity: item.quantity,
                    unit_price: 0,
                    price_seen: item.price_seen_fen,
                    price_changed: false,
                    line_total: 0,
                    stock: 0,
                    state: CartLineState::Unavailable,
                    image: None,
                });
                continue;
            };
            let unit = unit_price(
                Money::from_fen(s.sku.price_fen),
                &s.tiers,
                item.quantity,
                wholesale,
            )
            .fen();
            let state = match s.unavailable {
                Some(Unavailable::SoldOut) => CartLineState::SoldOut,
                Some(_) => CartLineState::Unavailable,
                None if s.sku.stock < item.quantity => CartLineState::Short,
                None => CartLineState::OnSale,
            };
            let line_total = unit.saturating_mul(item.quantity);
            if state == CartLineState::OnSale {
                goods += line_total;
                let grams = i64::from(s.sku.weight_grams).saturating_mul(item.quantity);
                match parcels.iter_mut().find(|p| p.0 == s.listing.seller_org_id) {
                    Some(p) => {
                        p.2 += line_total;
                        p.3 += grams;
                    }
                    None => parcels.push((
                        s.listing.seller_org_id,
                        s.seller.name.clone(),
                        line_total,
                        grams,
                    )),
                }
            }
            out.push(CartLineView {
                sku_id: SkuId(item.sku_id),
                listing_id: Some(ListingId(s.listing.id)),
                title: s.listing.title.clone(),
                sku_name: s.sku.name.clone(),
                unit: s.sku.unit.as_str().to_owned(),
                seller_id: Some(OrgId(s.listing.seller_org_id)),
                seller_name: s.seller.name.clone(),
                quantity: item.quantity,
                unit_price: unit,
                price_seen: item.price_seen_fen,
                price_changed: item.price_seen_fen != s.sku.price_fen,
                line_total,
                stock: s.sku.stock,
                state,
                image: s.thumb_url.clone(),
            });
        }
        let sellers: Vec<CartSellerView> = parcels
            .into_iter()
            .map(|(seller_id, seller_name, goods_total, grams)| {
                let shipping =
                    domain::shipping_fee(Money::from_fen(goods_total), grams, wholesale).fen();
                CartSellerView {
                    seller_id: OrgId(seller_id),
                    seller_name,
                    goods_total,
                    shipping,
                    total: goods_total + shipping,
                }
            })
            .collect();
        let shipping = sellers.iter().map(|p| p.shipping).sum::<i64>();
        Self {
            count: out.len(),
            lines: out,
            goods_total: goods,
            shipping,
            total: goods + shipping,
            sellers,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    pub id: OrderLineId,
    pub listing_id: ListingId,
    pub sku_id: SkuId,
    pub title: String,
    pub sku_name: String,
    pub unit: String,
    pub quantity: i64,
    pub retail_price: i64,
    pub unit_price: i64,
    pub line_total: i64,
    /// Seller and operator only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commission: Option<i64>,
    /// The trace codes of the batches this line was packed from (`/t/{code}`).
    pub trace_codes: Vec<String>,
    pub review: Option<LineReview>,
    /// The buyer may review it now (received, not yet reviewed).
    pub can_review: bool,
    /// The listing's first photo as a thumbnail URL (`/media/…`), when it has one.
    pub image: Option<String>,
    /// Sold by catch weight (多退少补): the nominal weight and, once weighed at packing, the
    /// actual one and what it settled. `null` for a line sold by fixed weight.
    pub catch_weight: Option<CatchWeightView>,
}

/// A line sold by catch weight, as both the buyer and the seller see it. Weights are the
/// line's totals in grams.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatchWeightView {
    pub nominal_grams: i64,
    pub tolerance_permille: i32,
    /// `null` until the seller weighs it (before shipping).
    pub actual_grams: Option<i64>,
    pub outcome: Option<crate::domain::catch_weight::CatchOutcome>,
    /// Refunded at once because it was light, fen.
    pub refund: i64,
    /// Heavier than the tolerance: what the part above it is worth, fen — never charged
    /// without the buyer's consent.
    pub extra: i64,
    pub weighed_at: Option<DateTime<Utc>>,
    /// The extra asked of the buyer (补差价): paid through its own payment, declined, or
    /// lapsed. `null` unless the line was weighed above its tolerance.
    pub extra_charge: Option<ExtraChargeView>,
}

/// A catch-weight line's extra charge.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtraChargeView {
    /// Pay with `POST /api/v1/extra-charges/{id}/pay`, decline with `…/decline`.
    pub id: Uuid,
    pub amount: i64,
    pub status: crate::domain::extra_charge::ExtraChargeStatus,
    /// Unanswered by then, it is declined and nothing is charged.
    pub answer_by: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    /// Still `requested`: the buyer may pay or decline it until `answer_by` (the scheduled
    /// lapse then closes it; paying or declining after `answer_by` is refused
    /// `extra_charge_closed`).
    pub open: bool,
    /// Given back by later refunds of the part, fen.
    pub refunded: i64,
}

impl CatchWeightView {
    fn of(l: &line::Model, r: &OrderRecord) -> Option<Self> {
        let (per_unit, tolerance) = (l.catch_nominal_grams?, l.catch_tolerance_permille?);
        let w = r.catch_weights.iter().find(|w| w.line_id == l.id);
        let c = r.extra_charges.iter().find(|c| c.line_id == l.id);
        Some(Self {
            nominal_grams: i64::from(per_unit).saturating_mul(l.quantity),
            tolerance_permille: tolerance,
            actual_grams: w.map(|w| w.actual_grams),
            outcome: w.map(|w| w.outcome),
            refund: w.map_or(0, |w| w.refund_fen),
            extra: w.map_or(0, |w| w.extra_fen),
            weighed_at: w.map(|w| w.entered_at),
            extra_charge: c.map(|c| ExtraChargeView {
                id: c.id,
                amount: c.amount_fen,
                status: c.status,
                answer_by: c.answer_by,
                answered_at: c.answered_at,
                open: c.status == crate::domain::extra_charge::ExtraChargeStatus::Requested,
                refunded: c.refunded_fen,
            }),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineReview {
    pub id: Uuid,
    pub rating: i16,
    pub text: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The seller's public reply, once.
    pub reply: Option<crate::service::ReviewReplyView>,
    /// Set when the operator hid the review (已被平台隐藏): why and when. Only its buyer and
    /// platform staff get the review once hidden; the public and the seller do not.
    pub hidden: Option<HiddenMark>,
}

/// Why and when the platform hid a review.
#[derive(Debug, Serialize, ToSchema)]
pub struct HiddenMark {
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

impl LineView {
    fn of(
        l: &line::Model,
        money_view: bool,
        r: &OrderRecord,
        (buyer, staff): (bool, bool),
        received: bool,
    ) -> Self {
        let review = r.reviews.iter().find(|v| v.line_id == l.id);
        // A hidden review stays with its author and the platform only.
        let shown = review.filter(|v| v.hidden_at.is_none() || buyer || staff);
        Self {
            trace_codes: {
                let mut codes: Vec<String> = r
                    .shipment_batches
                    .iter()
                    .filter(|b| b.line_id == l.id)
                    .map(|b| b.code.clone())
                    .collect();
                codes.sort();
                codes.dedup();
                codes
            },
            review: shown.map(LineReview::of),
            can_review: buyer && received && review.is_none(),
            image: r.thumbs.get(&l.listing_id).cloned(),
            id: OrderLineId(l.id),
            listing_id: ListingId(l.listing_id),
            sku_id: SkuId(l.sku_id),
            title: l.title.clone(),
            sku_name: l.sku_name.clone(),
            unit: l.unit.clone(),
            quantity: l.quantity,
            retail_price: l.retail_price_fen,
            unit_price: l.unit_price_fen,
            line_total: l.line_fen,
            commission: money_view.then_some(l.commission_fen),
            catch_weight: CatchWeightView::of(l, r),
        }
    }
}

impl LineReview {
    fn of(r: &review::Model) -> Self {
        Self {
            id: r.id,
            rating: r.rating,
            text: r.body.clone(),
            created_at: r.created_at,
            reply: crate::service::ReviewReplyView::of(r),
            hidden: r.hidden_at.map(|at| HiddenMark {
                reason: r.hidden_reason.clone(),
                at,
            }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentBatchView {
    pub line_id: OrderLineId,
    pub batch_id: BatchId,
    pub code: String,
    pub lot: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogisticsView {
    pub kind: LogisticsKind,
    pub at: DateTime<Utc>,
    pub location: Option<String>,
    pub note: Option<String>,
    pub source: LogisticsSource,
}

/// Where a parcel's automatic tracking stands (issue #19).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingView {
    /// `pending` (the aggregator has not been asked yet), `subscribed` (its track fills the
    /// timeline), `refused` (enter the logistics by hand).
    pub status: crate::domain::tracking::SubscriptionStatus,
    /// The aggregator's answer code, when it answered (`200`, `501` already tracked, `700` …).
    pub return_code: Option<String>,
    /// Its words: why it refused, or why it stopped tracking (`3天查询无记录`).
    pub message: Option<String>,
    /// When it last pushed the parcel's track.
    pub last_push_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentView {
    pub id: ShipmentId,
    /// The carrier's name (the list's Chinese name, or as the seller typed it).
    pub carrier: String,
    /// The carrier list's code (`GET /api/v1/carriers`); absent for a carrier typed by hand
    /// and for parcels shipped before the list.
    pub carrier_code: Option<String>,
    /// The carrier's English name, for a carrier of the list.
    pub carrier_name_en: Option<String>,
    /// The automatic tracking of a parcel of a listed carrier, when an aggregator is
    /// configured; absent otherwise (the seller enters its logistics).
    pub tracking: Option<TrackingView>,
    pub tracking_no: String,
    pub shipped_at: DateTime<Utc>,
    pub batches: Vec<ShipmentBatchView>,
    pub events: Vec<LogisticsView>,
}

impl ShipmentView {
    fn of(s: &shipment::Model, r: &OrderRecord) -> Self {
        Self {
            id: ShipmentId(s.id),
            carrier: s.carrier.clone(),
            carrier_code: s.carrier_code.clone(),
            carrier_name_en: s
                .carrier_code
                .as_deref()
                .and_then(crate::domain::carriers::carrier_by_code)
                .map(|c| c.name_en.to_owned()),
            tracking: r
                .tracking
                .iter()
                .find(|t| t.shipment_id == s.id)
                .map(|t| TrackingView {
                    status: t.status,
                    return_code: t.return_code.clone(),
                    message: t.message.clone(),
                    last_push_at: t.last_push_at,
                }),
            tracking_no: s.tracking_no.clone(),
            shipped_at: s.shipped_at,
            batches: r
                .shipment_batches
                .iter()
                .filter(|b| b.shipment_id == s.id)
                .map(|b| ShipmentBatchView {
                    line_id: OrderLineId(b.line_id),
                    batch_id: BatchId(b.batch_id),
                    code: b.code.clone(),
                    lot: b.lot.clone(),
                })
                .collect(),
            events: r
                .shipment_events
                .iter()
                .filter(|e| e.shipment_id == s.id)
                .map(|e| LogisticsView {
                    kind: e.kind,
                    at: e.at,
                    location: e.location.clone(),
                    note: e.note.clone(),
                    source: e.source,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView {
    pub id: RefundId,
    pub sub_order_id: Option<SubOrderId>,
    pub amount: i64,
    pub reason: String,
    /// `pending` until the payment provider confirms, then `succeeded`, or `failed` when it
    /// could not pay it back (finance then pays it by hand).
    pub status: RefundStatus,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
}

impl RefundView {
    fn of(r: &refund::Model) -> Self {
        Self {
            id: RefundId(r.id),
            sub_order_id: r.sub_order_id.map(SubOrderId),
            amount: r.amount_fen,
            reason: r.reason.clone(),
            status: r.status,
            created_at: r.created_at,
            settled_at: r.settled_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubOrderView {
    pub id: SubOrderId,
    pub number: String,
    pub seller_id: OrgId,
    pub seller_name: String,
    pub status: SubOrderStatus,
    pub goods_total: i64,
    pub shipping: i64,
    pub total: i64,
    /// Seller and operator only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commission: Option<i64>,
    pub paid_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
    /// When an unconfirmed shipment counts as received.
    pub auto_receive_at: Option<DateTime<Utc>>,
    /// When the after-sales window closes (after receipt).
    pub window_closes_at: Option<DateTime<Utc>>,
    /// The seller ships by then (set when paid; absent for parts paid before deadlines
    /// existed). Shown to the buyer and the seller alike.
    pub ship_by: Option<DateTime<Utc>>,
    /// The handling time promised at checkout, hours from payment (发货时限): the strictest
    /// of its lines' promises (each its category's, else the platform's default); absent for
    /// parts sold before categories could promise one.
    pub ship_within_hours: Option<i32>,
    /// Shipped after `ship_by` (counts against the seller).
    pub shipped_late: bool,
    /// The buyer's request to cancel, when one was made (issue #18).
    pub cancel_request: Option<CancelRequestView>,
    pub refunded: i64,
    /// Catch-weight extra charges (补差价) the buyer paid on this part, fen (beside `total`;
    /// refunds may give them back).
    pub extra_paid: i64,
    pub shipment: Option<ShipmentView>,
    /// For a zero-price replacement (补发): the part it replaces.
    pub replaces: Option<SubOrderId>,
    /// The viewer's next steps on this part.
    pub can_acknowledge: bool,
    pub can_ship: bool,
    /// The seller may correct the parcel's waybill (`PUT …/shipment`): shipped, not signed
    /// for, not received.
    pub can_correct_waybill: bool,
    pub can_receive: bool,
    /// The buyer may ask the seller to cancel (paid, not shipped, not asked before); once
    /// `ship_by` has passed the buyer may also cancel at once (`POST …/cancel`).
    pub can_request_cancel: bool,
    /// The seller may accept or refuse the buyer's open request.
    pub can_answer_cancel: bool,
    pub lines: Vec<LineView>,
}

/// The buyer's request to cancel a part, and the seller's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelRequestView {
    pub status: domain::CancelRequestStatus,
    pub reason: Option<String>,
    pub requested_at: Option<DateTime<Utc>>,
    /// Unanswered by then, it is accepted.
    pub answer_by: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    /// The seller's reason, when refused.
    pub refusal: Option<String>,
}

impl CancelRequestView {
    fn of(s: &sub_order::Model) -> Option<Self> {
        Some(Self {
            status: s.cancel_request?,
            reason: s.cancel_reason.clone(),
            requested_at: s.cancel_requested_at,
            answer_by: s.cancel_answer_by,
            answered_at: s.cancel_answered_at,
            refusal: s.cancel_refusal.clone(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OrderEventView)]
pub struct EventView {
    pub kind: EventKind,
    pub sub_order_id: Option<SubOrderId>,
    pub at: DateTime<Utc>,
    pub data: Value,
}

impl EventView {
    fn of(e: &event::Model) -> Self {
        Self {
            kind: e.kind,
            sub_order_id: e.sub_order_id.map(SubOrderId),
            at: e.at,
            data: e.data.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub id: OrderId,
    pub number: String,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    pub wholesale: bool,
    pub address: Address,
    pub goods_total: i64,
    pub shipping: i64,
    pub total: i64,
    pub pay_by: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub refunded: i64,
    /// How the viewer relates to the order.
    pub viewer: Viewer,
    pub can_pay: bool,
    pub can_cancel: bool,
    pub sub_orders: Vec<SubOrderView>,
    pub refunds: Vec<RefundView>,
    /// How the order was paid: the buyer, platform finance and the operator (references to
    /// finance and the operator only); empty for a seller.
    pub payments: Vec<PaymentView>,
    pub events: Vec<EventView>,
    /// The approval a purchaser's order above the business buyer's limit waits for (issue
    /// #22); shown to the buyer and platform staff, `null` for an order that needed none.
    pub approval: Option<ApprovalView>,
}

/// Where an order's purchase approval stands (issue #22).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalView {
    pub status: crate::domain::approval::ApprovalStatus,
    /// The order's total and the limit it was over, in fen.
    pub total_fen: i64,
    pub limit_fen: i64,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

impl ApprovalView {
    pub fn of(a: &crate::store::order_approval::Model) -> Self {
        Self {
            status: a.status,
            total_fen: a.total_fen,
            limit_fen: a.limit_fen,
            requested_at: a.created_at,
            decided_at: a.decided_at,
            reason: a.reason.clone(),
        }
    }
}

impl OrderView {
    /// The order as `viewer` may see it (a seller sees only its own parts).
    pub fn of(r: &OrderRecord, viewer: &Actor) -> Self {
        let o = &r.order;
        let buyer = o.buyer_account_id == viewer.account_id.as_uuid();
        let operator = viewer.is_platform_staff();
        // Finance sees every part and its money (to match a transfer), not the buyer's phone.
        let finance = viewer.is_finance();
        let sells = |s: &sub_order::Model| viewer.membership(OrgId(s.seller_org_id)).is_some();
        let mut address: Address = serde_json::from_value(o.address.clone()).unwrap_or_default();
        if !buyer && !operator && o.paid_at.is_none() {
            address.phone = Phone::mask(&address.phone).unwrap_or_default();
        }
        let subs: Vec<SubOrderView> = r
            .subs
            .iter()
            .filter(|s| buyer || operator || finance || sells(s))
            .map(|s| {
                let money_view = operator || finance || sells(s);
                let may = |m| sub_order_transition(s.status, m).is_ok();
                SubOrderView {
                    id: SubOrderId(s.id),
                    number: s.number.clone(),
                    seller_id: OrgId(s.seller_org_id),
                    seller_name: r
                        .seller_names
                        .get(&s.seller_org_id)
                        .cloned()
                        .unwrap_or_default(),
                    status: s.status,
                    goods_total: s.goods_fen,
                    shipping: s.shipping_fen,
                    total: s.total_fen,
                    commission: money_view.then_some(s.commission_fen),
                    paid_at: s.paid_at,
                    acknowledged_at: s.acknowledged_at,
                    shipped_at: s.shipped_at,
                    received_at: s.received_at,
                    auto_receive_at: s.auto_receive_at,
                    window_closes_at: s.window_closes_at,
                    ship_by: s.ship_by,
                    ship_within_hours: s.ship_within_hours,
                    shipped_late: s.shipped_late,
                    cancel_request: CancelRequestView::of(s),
                    refunded: s.refunded_fen,
                    extra_paid: s.extra_fen,
                    replaces: r
                        .events
                        .iter()
                        .find(|e| e.kind == EventKind::Replacement && e.sub_order_id == Some(s.id))
                        .and_then(|e| e.data["replaces"].as_str())
                        .and_then(|v| v.parse().ok()),
                    can_acknowledge: sells(s) && may(SubOrderMove::Acknowledge),
                    can_ship: sells(s) && may(SubOrderMove::Ship),
                    can_correct_waybill: sells(s)
                        && may(SubOrderMove::CorrectWaybill)
                        && !r.shipment_events.iter().any(|e| {
                            e.kind == LogisticsKind::Delivered
                                && r.shipments
                                    .iter()
                                    .any(|x| x.id == e.shipment_id && x.sub_order_id == s.id)
                        }),
                    can_receive: buyer && may(SubOrderMove::Receive),
                    can_request_cancel: buyer
                        && s.cancel_request.is_none()
                        && may(SubOrderMove::CancelPaid),
                    can_answer_cancel: sells(s)
                        && s.cancel_request == Some(domain::CancelRequestStatus::Open),
                    shipment: r
                        .shipments
                        .iter()
                        .find(|x| x.sub_order_id == s.id)
                        .map(|x| ShipmentView::of(x, r)),
                    lines: r
                        .lines
                        .iter()
                        .filter(|l| l.sub_order_id == s.id)
                        .map(|l| {
                            LineView::of(
                                l,
                                money_view,
                                r,
                                (buyer, operator),
                                may(SubOrderMove::Review),
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        let whole = buyer || operator;
        let visible: Vec<Uuid> = subs.iter().map(|s| s.id.0).collect();
        let open = order_transition(o.status, OrderMove::Pay).is_ok();
        Self {
            id: OrderId(o.id),
            number: o.number.clone(),
            status: o.status,
            payment_method: o.payment_method,
            wholesale: o.wholesale,
            address,
            goods_total: if whole {
                o.goods_fen
            } else {
                subs.iter().map(|s| s.goods_total).sum()
            },
            shipping: if whole {
                o.shipping_fen
            } else {
                subs.iter().map(|s| s.shipping).sum()
            },
            total: if whole {
                o.total_fen
            } else {
                subs.iter().map(|s| s.total).sum()
            },
            pay_by: o.pay_by,
            paid_at: o.paid_at,
            note: o.note.clone(),
            created_at: o.created_at,
            viewer: if buyer {
                Viewer::Buyer
            } else if operator {
                Viewer::Operator
            } else {
                Viewer::Seller
            },
            can_pay: buyer && open && crate::service::approval::ensure_approved(r).is_ok(),
            can_cancel: (buyer || operator)
                && order_transition(o.status, OrderMove::Cancel).is_ok(),
            refunded: if whole {
                o.refunded_fen
            } else {
                subs.iter().map(|s| s.refunded).sum()
            },
            refunds: r
                .refunds
                .iter()
                .filter(|x| whole || x.sub_order_id.is_some_and(|id| visible.contains(&id)))
                .map(RefundView::of)
                .collect(),
            payments: r
                .payments
                .iter()
                .filter(|_| buyer || operator || finance)
                .map(|p| PaymentView::of(p, operator || finance))
                .collect(),
            events: r
                .events
                .iter()
                .filter(|e| whole || e.sub_order_id.is_none_or(|id| visible.contains(&id)))
                // The buyer's purchasing limit is its own business, not its sellers'.
                .filter(|e| {
                    whole || !matches!(e.kind, EventKind::ApprovalRequested | EventKind::Approved)
                })
                .map(EventView::of)
                .collect(),
            approval: r.approval.as_ref().filter(|_| whole).map(ApprovalView::of),
            sub_orders: subs,
        }
    }
}
