//! Test-side types for the answers tests read most: an order and its parts, a listing, a
//! claim, a batch, a page of items. Read one with [`Resp::json`](crate::Resp::json) or
//! [`Json::get_as`](crate::json::Json::get_as).
//!
//! They name only the fields tests use (serde ignores the rest), and they are written here, not
//! imported from the services, so a test reads the API the way a client does: if a field is
//! renamed, these fail to parse and the test says which.

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

/// A page of a list endpoint: `{"total": n, "items": [...]}`.
#[derive(Clone, Debug, Deserialize)]
pub struct Page<T> {
    pub total: i64,
    pub items: Vec<T>,
}

/// An order as its viewer sees it (`GET /api/v1/orders/{id}`, checkout's answer).
#[derive(Clone, Debug, Deserialize)]
pub struct Order {
    pub id: Uuid,
    pub number: String,
    pub status: String,
    pub wholesale: bool,
    pub goods_total: i64,
    pub shipping: i64,
    pub total: i64,
    pub refunded: i64,
    /// `buyer`, `seller` or `operator`.
    pub viewer: String,
    pub can_pay: bool,
    pub address: Value,
    pub sub_orders: Vec<SubOrder>,
    pub events: Vec<OrderEvent>,
}

impl Order {
    /// The one part of a one-seller order; panics when there are several.
    #[track_caller]
    pub fn part(&self) -> &SubOrder {
        match self.sub_orders.as_slice() {
            [only] => only,
            parts => panic!("expected one sub-order, found {}: {self:#?}", parts.len()),
        }
    }

    /// The part a seller ships.
    #[track_caller]
    pub fn part_of(&self, seller: Uuid) -> &SubOrder {
        self.sub_orders
            .iter()
            .find(|s| s.seller_id == seller)
            .unwrap_or_else(|| panic!("no sub-order of seller {seller} in {self:#?}"))
    }

    /// The part with this id.
    #[track_caller]
    pub fn sub_order(&self, id: Uuid) -> &SubOrder {
        self.sub_orders
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no sub-order {id} in {self:#?}"))
    }

    /// The kinds of the order's events, oldest first.
    pub fn event_kinds(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.kind.as_str()).collect()
    }
}

/// One seller's part of an order.
#[derive(Clone, Debug, Deserialize)]
pub struct SubOrder {
    pub id: Uuid,
    pub number: String,
    pub seller_id: Uuid,
    pub seller_name: String,
    pub status: String,
    pub goods_total: i64,
    pub shipping: i64,
    pub total: i64,
    /// Seller and operator only.
    pub commission: Option<i64>,
    pub refunded: i64,
    pub paid_at: Option<String>,
    pub acknowledged_at: Option<String>,
    pub window_closes_at: Option<String>,
    /// The seller ships by then (issue #18).
    pub ship_by: Option<String>,
    /// The handling time promised at checkout, hours from payment (its categories').
    pub ship_within_hours: Option<i64>,
    /// Shipped after `ship_by`.
    pub shipped_late: bool,
    /// The buyer's request to cancel (`status`, `reason`, `answer_by`, `refusal`…), if any.
    pub cancel_request: Option<Value>,
    pub can_request_cancel: bool,
    pub can_answer_cancel: bool,
    pub shipment: Option<Shipment>,
    pub replaces: Option<Uuid>,
    pub can_ship: bool,
    pub can_receive: bool,
    pub lines: Vec<Line>,
}

impl SubOrder {
    /// The one line of a one-line part; panics when there are several.
    #[track_caller]
    pub fn line(&self) -> &Line {
        match self.lines.as_slice() {
            [only] => only,
            lines => panic!("expected one line, found {}: {self:#?}", lines.len()),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct Line {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub sku_id: Uuid,
    pub quantity: i64,
    pub retail_price: i64,
    pub unit_price: i64,
    pub line_total: i64,
    pub trace_codes: Vec<String>,
    pub can_review: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_no: String,
    pub batches: Vec<ShipmentBatch>,
    pub events: Vec<LogisticsEvent>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ShipmentBatch {
    pub line_id: Uuid,
    pub batch_id: Uuid,
    pub code: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct LogisticsEvent {
    pub kind: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct OrderEvent {
    pub kind: String,
    pub sub_order_id: Option<Uuid>,
    pub data: Value,
}

/// A listing (`GET /api/v1/listings/{id}`). `status` only for its seller and the operator.
#[derive(Clone, Debug, Deserialize)]
pub struct Listing {
    pub id: Uuid,
    pub title: String,
    pub skus: Vec<Sku>,
    pub price_from: Option<i64>,
    pub sales: i64,
    pub availability: String,
    pub status: Option<String>,
    /// The seller ships within this many hours of payment (the category's promise).
    pub ship_within_hours: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Sku {
    pub id: Uuid,
    pub name: String,
    pub price: i64,
    pub stock: i64,
    pub active: bool,
    pub on_sale: bool,
}

/// A damage claim as one of its parties sees it.
#[derive(Clone, Debug, Deserialize)]
pub struct Claim {
    pub id: Uuid,
    pub number: String,
    pub order_id: Uuid,
    pub sub_order_id: Uuid,
    pub seller_id: Uuid,
    /// `awaiting_seller`, `awaiting_buyer`, `in_arbitration`, `resolved`.
    pub status: String,
    pub claimed: i64,
    pub offered: i64,
    pub refunded: i64,
    pub refundable: i64,
    pub escalated: bool,
    pub events: Vec<ClaimEvent>,
}

impl Claim {
    /// The kinds of the claim's events, oldest first.
    pub fn event_kinds(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.kind.as_str()).collect()
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct ClaimEvent {
    pub kind: String,
    pub data: Value,
}

/// A traceability batch as its seller sees it.
#[derive(Clone, Debug, Deserialize)]
pub struct Batch {
    pub id: Uuid,
    /// The 16-character code printed on the box (`/t/{code}`).
    pub code: String,
    /// `active`, `blocked`, `recalled` …
    pub status: String,
}
