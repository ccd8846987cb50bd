//! Delivery windows and signed delivery notes (送货时段, 签收单, issue #22). Rules:
//! `domain/delivery.rs`.
//!
//! A seller's members publish weekly windows per area; anyone reads the dated windows of the
//! next two weeks with the places left. Whoever orders for a business buyer (the order's buyer,
//! or the buyer's owner, manager or purchaser) books, moves or cancels a window for a sub-order
//! until it ships. A place is taken by a conditional update (`booked < capacity`) inside the
//! booking's transaction, so racing bookings never overfill a window; a cancelled unpaid order
//! or a paid part called off gives its place back in the transaction that cancels it
//! ([`release_delivery`]). Each sub-order's booking work is serialised (an advisory lock on
//! PostgreSQL; SQLite writes one at a time), so a booking and a cancellation never cross.
//!
//! After shipping the driver (a member of the seller) photographs the goods, which opens the
//! note; the receiver signs with a name, remarks and the quantities received — a member of the
//! buyer logged in, or on the driver's phone with the buyer's 6-digit code (five wrong codes
//! lock it). Signing is a conditional update from `open` in the transaction that records the
//! receipt through [`Orders::mark_received_in`], the path of "confirm receipt": once, whoever
//! signs and however many at once.

use crate::Orders;
use crate::domain::delivery::{
    self as rules, MAX_CODE_FAILURES, MAX_NOTE_LINES, MAX_WINDOWS, NoteStatus, SignedVia, Window,
    WindowInput,
};
use crate::domain::{SubOrderStatus, standing::shanghai_today};
use crate::error::{Missing, OrdersError, Result};
use crate::service::topics;
use crate::store::queries::delivery as dq;
use crate::store::queries::orders as q;
use crate::store::{delivery_booking, delivery_note, delivery_window, order, sub_order};
use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_catalog::images;
use farmgate_identity::read::purchasing;
use farmgate_identity::{Actor, OrgRole};
use farmgate_infra::db::{begin_write, serialise};
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::id::{OrgId, SubOrderId};
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The lock scope of a sub-order's delivery work.
const LOCK: &str = "orders.delivery";

/// A weekly window as anyone reads it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WindowView {
    pub id: Uuid,
    pub seller_org_id: OrgId,
    pub region_code: String,
    /// ISO weekday: 1 Monday … 7 Sunday.
    pub weekday: i32,
    /// `HH:MM`, Asia/Shanghai.
    pub start: String,
    pub end: String,
    pub capacity: i32,
    pub cutoff_hours: i32,
}

impl WindowView {
    pub fn of(w: &delivery_window::Model) -> Self {
        Self {
            id: w.id,
            seller_org_id: OrgId(w.seller_org_id),
            region_code: w.region_code.clone(),
            weekday: w.weekday,
            start: rules::format_minute(w.start_minute),
            end: rules::format_minute(w.end_minute),
            capacity: w.capacity,
            cutoff_hours: w.cutoff_hours,
        }
    }
}

/// A dated window: one date of a weekly window, with the places left.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SlotView {
    pub window_id: Uuid,
    pub region_code: String,
    /// The Shanghai date.
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Booking closes then.
    pub cutoff_at: DateTime<Utc>,
    pub capacity: i32,
    pub left: i32,
}

/// The window a sub-order is booked in.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookingView {
    pub window_id: Uuid,
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl BookingView {
    fn of(b: &delivery_booking::Model) -> Self {
        let minute = |t: DateTime<Utc>| {
            t.with_timezone(&farmgate_kernel::clock::shanghai())
                .format("%H:%M")
                .to_string()
        };
        Self {
            window_id: b.window_id,
            date: b.day,
            start: minute(b.starts_at),
            end: minute(b.ends_at),
            starts_at: b.starts_at,
            ends_at: b.ends_at,
        }
    }
}

/// A line as the note lists it: what was ordered and, once signed, what was received.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NoteLine {
    pub line_id: Uuid,
    pub title: String,
    pub sku_name: String,
    pub unit: String,
    pub ordered: i64,
    /// Signed: what the receiver counted.
    #[serde(default)]
    pub received: Option<i64>,
}

/// A delivery note.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NoteView {
    /// `open` (the driver is at the door) or `signed`.
    pub status: NoteStatus,
    /// The goods' photo (`GET /api/v1/sub-orders/{id}/delivery-note/photo`), once taken.
    pub photo_url: Option<String>,
    pub photo_sha256: Option<String>,
    pub photo_at: Option<DateTime<Utc>>,
    pub signer_name: Option<String>,
    pub signed_via: Option<SignedVia>,
    /// Server time of the signature.
    pub signed_at: Option<DateTime<Utc>>,
    pub remarks: Option<String>,
    /// Wrong codes so far; at 5 the code is locked (a member of the buyer signs instead).
    pub code_failures: i32,
    pub code_locked: bool,
}

/// A sub-order's delivery: its window, its note, and for the buyer the code.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub sub_order_id: SubOrderId,
    pub order_id: Uuid,
    pub number: String,
    pub seller_org_id: OrgId,
    pub status: SubOrderStatus,
    /// Who is asking: `buyer` (the order's buyer or a member of its buyer), `seller` or
    /// `operator`.
    pub viewer: &'static str,
    /// The delivery address's area code (windows must cover it).
    pub region_code: Option<String>,
    pub booking: Option<BookingView>,
    /// The caller may book, move or cancel the window now.
    pub can_book: bool,
    pub note: Option<NoteView>,
    /// The buyer's delivery code: to the buyer's side only, while the note is open.
    pub code: Option<String>,
    pub lines: Vec<NoteLine>,
}

/// A date and window to deliver a sub-order in.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookSlotRequest {
    pub window_id: Uuid,
    /// A Shanghai date of the window within the next 14 days, before its cut-off.
    pub date: NaiveDate,
}

/// What was received, line by line.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceivedLine {
    pub line_id: Uuid,
    /// 0 to the quantity ordered.
    pub quantity: i64,
}

/// The receiver's signature.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignNoteRequest {
    /// Who signs (1–40 characters).
    pub signer_name: String,
    /// Up to 200 characters ("两箱外包装破损").
    #[serde(default)]
    pub remarks: Option<String>,
    /// Quantities received; lines left out were received in full.
    #[serde(default)]
    pub lines: Vec<ReceivedLine>,
    /// On the driver's phone: the buyer's 6-digit delivery code.
    #[serde(default)]
    pub code: Option<String>,
}

/// A booked delivery as the seller's day lists it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeliveryRow {
    pub sub_order_id: SubOrderId,
    pub order_id: Uuid,
    pub number: String,
    pub status: SubOrderStatus,
    pub booking: BookingView,
    pub region_code: Option<String>,
    pub note_status: Option<NoteStatus>,
}

/// Who the caller is to a sub-order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// The order's buyer, or a member of its buyer organisation; `orders`: may book.
    Buyer {
        orders: bool,
    },
    /// A member of the seller.
    Seller,
    Operator,
}

fn region_of(o: &order::Model) -> Option<String> {
    o.address
        .get("region_code")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

fn before_shipping(s: SubOrderStatus) -> bool {
    matches!(
        s,
        SubOrderStatus::PendingPayment | SubOrderStatus::Paid | SubOrderStatus::Acknowledged
    )
}

fn key(s: &str) -> Result<ObjectKey> {
    ObjectKey::parse(s).map_err(|e| OrdersError::Internal(e.to_string()))
}

/// Gives back the place of a sub-order's booking inside the caller's transaction (a
/// cancelled order, a paid part called off). Nothing booked: nothing happens.
pub(crate) async fn release_delivery(
    txn: &impl ConnectionTrait,
    sub_order: Uuid,
) -> Result<(), DbErr> {
    serialise(txn, LOCK, sub_order).await?;
    dq::release_booking(txn, sub_order).await.map(|_| ())
}

impl Orders {
    /// A seller's weekly windows (public).
    pub async fn delivery_windows(&self, seller: OrgId) -> Result<Vec<WindowView>> {
        Ok(dq::windows_of(&self.infra().db, seller.0)
            .await?
            .iter()
            .map(WindowView::of)
            .collect())
    }

    /// The dated windows of the next 14 days still open for booking, with places left,
    /// optionally only those serving `region` (public).
    pub async fn delivery_slots(
        &self,
        seller: OrgId,
        region: Option<&str>,
    ) -> Result<Vec<SlotView>> {
        if let Some(r) = region
            && !rules::valid_region(r)
        {
            return Err(OrdersError::field(FieldError::new(
                "region",
                "invalid",
                "地区应为 6 位行政区划代码",
                "the area is a 6-digit administrative division code",
            )));
        }
        let db = &self.infra().db;
        let now = self.now();
        let windows: Vec<_> = dq::windows_of(db, seller.0)
            .await?
            .into_iter()
            .filter(|w| region.is_none_or(|r| rules::covers(&w.region_code, r)))
            .collect();
        let today = shanghai_today(now);
        let last = today + Duration::days(rules::HORIZON_DAYS);
        let loads: HashMap<(Uuid, NaiveDate), i32> =
            dq::loads(db, windows.iter().map(|w| w.id).collect(), today, last)
                .await?
                .into_iter()
                .map(|l| ((l.window_id, l.day), l.booked))
                .collect();
        let mut out = Vec::new();
        for w in &windows {
            for day in rules::dates_of(w.weekday, now) {
                let (starts_at, ends_at, cutoff_at) =
                    rules::dated(day, w.start_minute, w.end_minute, w.cutoff_hours);
                if now >= cutoff_at {
                    continue;
                }
                let booked = loads.get(&(w.id, day)).copied().unwrap_or(0);
                out.push(SlotView {
                    window_id: w.id,
                    region_code: w.region_code.clone(),
                    date: day,
                    start: rules::format_minute(w.start_minute),
                    end: rules::format_minute(w.end_minute),
                    starts_at,
                    ends_at,
                    cutoff_at,
                    capacity: w.capacity,
                    left: (w.capacity - booked).max(0),
                });
            }
        }
        out.sort_by_key(|s| (s.starts_at, s.window_id));
        Ok(out)
    }

    /// A member of a verified seller publishes a weekly window.
    #[tracing::instrument(skip_all, fields(org.id = %seller))]
    pub async fn create_delivery_window(
        &self,
        actor: &Actor,
        seller: OrgId,
        input: &WindowInput,
    ) -> Result<WindowView> {
        actor.require_selling_member(seller)?;
        let w = Window::parse(input)?;
        let db = &self.infra().db;
        if dq::count_windows(db, seller.0).await? >= MAX_WINDOWS {
            return Err(OrdersError::TooManyDeliveryWindows);
        }
        let now = self.now();
        let row = delivery_window::Model {
            id: Uuid::now_v7(),
            seller_org_id: seller.0,
            region_code: w.region_code,
            weekday: w.weekday,
            start_minute: w.start_minute,
            end_minute: w.end_minute,
            capacity: w.capacity,
            cutoff_hours: w.cutoff_hours,
            deleted: false,
            created_at: now,
            updated_at: now,
        };
        dq::insert_window(db, row.clone()).await?;
        Ok(WindowView::of(&row))
    }

    /// The seller's window, for its members (anyone else: `not_found`).
    async fn own_window(&self, actor: &Actor, id: Uuid) -> Result<delivery_window::Model> {
        let not_found = || OrdersError::NotFound(Missing::DeliveryWindow);
        let w = dq::window(&self.infra().db, id)
            .await?
            .filter(|w| !w.deleted)
            .ok_or_else(not_found)?;
        let org = OrgId(w.seller_org_id);
        if actor.membership(org).is_none() {
            return Err(not_found());
        }
        actor.require_selling_member(org)?;
        Ok(w)
    }

    /// Changes a window: dates booked already keep their bookings (a smaller capacity only
    /// stops new ones).
    #[tracing::instrument(skip_all, fields(window.id = %id))]
    pub async fn change_delivery_window(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &WindowInput,
    ) -> Result<WindowView> {
        self.own_window(actor, id).await?;
        let w = Window::parse(input)?;
        let db = &self.infra().db;
        if !dq::update_window(db, id, &w, self.now()).await? {
            return Err(OrdersError::NotFound(Missing::DeliveryWindow));
        }
        let row = dq::window(db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::DeliveryWindow))?;
        Ok(WindowView::of(&row))
    }

    /// Withdraws a window: nobody books it any more; bookings made stay.
    #[tracing::instrument(skip_all, fields(window.id = %id))]
    pub async fn delete_delivery_window(&self, actor: &Actor, id: Uuid) -> Result<()> {
        self.own_window(actor, id).await?;
        dq::delete_window(&self.infra().db, id, self.now()).await?;
        Ok(())
    }

    /// The sub-order, its order and who the caller is to it (`not_found` to anyone else).
    async fn delivery_party(
        &self,
        actor: &Actor,
        id: SubOrderId,
    ) -> Result<(sub_order::Model, order::Model, Side)> {
        let db = &self.infra().db;
        let not_found = || OrdersError::NotFound(Missing::SubOrder);
        let sub = q::sub_order(db, id.0).await?.ok_or_else(not_found)?;
        let o = q::order(db, sub.order_id).await?.ok_or_else(not_found)?;
        let me = actor.account_id;
        let side = if o.buyer_account_id == me.as_uuid() {
            Side::Buyer { orders: true }
        } else if let Some(org) = o
            .buyer_org_id
            .filter(|b| actor.membership(OrgId(*b)).is_some())
        {
            let role = purchasing::member_role(db, OrgId(org), me).await?;
            Side::Buyer {
                orders: matches!(
                    role,
                    Some(OrgRole::Owner | OrgRole::Manager | OrgRole::Purchaser)
                ),
            }
        } else if actor.membership(OrgId(sub.seller_org_id)).is_some() {
            Side::Seller
        } else if actor.is_platform_staff() {
            Side::Operator
        } else {
            return Err(not_found());
        };
        Ok((sub, o, side))
    }

    async fn delivery_view(
        &self,
        sub: &sub_order::Model,
        o: &order::Model,
        side: Side,
    ) -> Result<DeliveryView> {
        let db = &self.infra().db;
        let booking = dq::booking(db, sub.id).await?;
        let note = dq::note(db, sub.id).await?;
        let signed: HashMap<Uuid, i64> = note
            .as_ref()
            .and_then(|n| n.lines.clone())
            .and_then(|l| serde_json::from_value::<Vec<NoteLine>>(l).ok())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|l| l.received.map(|r| (l.line_id, r)))
            .collect();
        let lines = q::lines_of_sub_order(db, sub.id)
            .await?
            .into_iter()
            .map(|l| NoteLine {
                line_id: l.id,
                received: signed.get(&l.id).copied(),
                title: l.title,
                sku_name: l.sku_name,
                unit: l.unit,
                ordered: l.quantity,
            })
            .collect();
        let buyer = matches!(side, Side::Buyer { .. });
        let code = note
            .as_ref()
            .filter(|n| buyer && n.status == NoteStatus::Open)
            .map(|n| n.code.clone());
        Ok(DeliveryView {
            sub_order_id: SubOrderId(sub.id),
            order_id: sub.order_id,
            number: sub.number.clone(),
            seller_org_id: OrgId(sub.seller_org_id),
            status: sub.status,
            viewer: match side {
                Side::Buyer { .. } => "buyer",
                Side::Seller => "seller",
                Side::Operator => "operator",
            },
            region_code: region_of(o),
            booking: booking.as_ref().map(BookingView::of),
            can_book: side == Side::Buyer { orders: true }
                && o.buyer_org_id.is_some()
                && before_shipping(sub.status),
            note: note.as_ref().map(|n| NoteView {
                status: n.status,
                photo_url: n
                    .photo_display_key
                    .as_ref()
                    .map(|_| format!("/api/v1/sub-orders/{}/delivery-note/photo", sub.id)),
                photo_sha256: n.photo_sha256.clone(),
                photo_at: n.photo_at,
                signer_name: n.signer_name.clone(),
                signed_via: n.signed_via,
                signed_at: n.signed_at,
                remarks: n.remarks.clone(),
                code_failures: n.code_failures,
                code_locked: n.code_failures >= MAX_CODE_FAILURES,
            }),
            code,
            lines,
        })
    }

    /// Creates the note with its code once the part has shipped (the buyer asks for the code,
    /// or the driver takes the photo: whoever comes first).
    async fn ensure_note(&self, sub: &sub_order::Model) -> Result<()> {
        dq::ensure_note(
            &self.infra().db,
            delivery_note::Model {
                sub_order_id: sub.id,
                seller_org_id: sub.seller_org_id,
                code: rules::new_code(),
                code_failures: 0,
                status: NoteStatus::Open,
                photo_original_key: None,
                photo_display_key: None,
                photo_content_type: None,
                photo_sha256: None,
                opened_by: None,
                photo_at: None,
                signer_name: None,
                signed_by: None,
                signed_via: None,
                remarks: None,
                lines: None,
                signed_at: None,
                created_at: self.now(),
            },
        )
        .await?;
        Ok(())
    }

    /// A sub-order's delivery as its buyer's side, its seller or platform staff see it; the
    /// buyer's side gets the code once the part has shipped.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn delivery(&self, actor: &Actor, id: SubOrderId) -> Result<DeliveryView> {
        let (sub, o, side) = self.delivery_party(actor, id).await?;
        if matches!(side, Side::Buyer { .. }) && sub.status == SubOrderStatus::Shipped {
            self.ensure_note(&sub).await?;
        }
        self.delivery_view(&sub, &o, side).await
    }

    /// Books (or moves) the delivery window of a business buyer's sub-order before it ships.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn book_delivery(
        &self,
        actor: &Actor,
        id: SubOrderId,
        req: &BookSlotRequest,
    ) -> Result<DeliveryView> {
        let (sub, o, side) = self.booker(actor, id).await?;
        let db = &self.infra().db;
        let window = dq::window(db, req.window_id)
            .await?
            .filter(|w| !w.deleted && w.seller_org_id == sub.seller_org_id);
        let Some(window) = window else {
            return Err(OrdersError::field(FieldError::new(
                "window_id",
                "not_found",
                "卖家没有这个送货时段",
                "the seller has no such delivery window",
            )));
        };
        let mut errs = ValidationErrors::new();
        let region = region_of(&o).unwrap_or_default();
        if !rules::covers(&window.region_code, &region) {
            errs.push(FieldError::new(
                "window_id",
                "out_of_area",
                "该时段不送往订单的收货地区",
                "this window does not serve the order's delivery area",
            ));
        }
        let now = self.now();
        if let Err(e) = rules::check_date(
            req.date,
            window.weekday,
            window.start_minute,
            window.cutoff_hours,
            now,
        ) {
            errs.push(e);
        }
        errs.finish()?;
        let (starts_at, ends_at, _) = rules::dated(
            req.date,
            window.start_minute,
            window.end_minute,
            window.cutoff_hours,
        );
        let txn = begin_write(db).await?;
        serialise(&txn, LOCK, sub.id).await?;
        // Read again under the lock: a cancellation or a shipment a moment ago wins.
        let now_sub = q::sub_order(&txn, sub.id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        if !before_shipping(now_sub.status) {
            return Err(OrdersError::DeliveryClosed {
                status: now_sub.status,
            });
        }
        let earlier = dq::booking(&txn, sub.id).await?;
        if earlier
            .as_ref()
            .is_some_and(|b| b.window_id == window.id && b.day == req.date)
        {
            drop(txn);
            return self.delivery_view(&now_sub, &o, side).await;
        }
        if !dq::take_place(&txn, window.id, req.date, window.capacity).await? {
            return Err(OrdersError::DeliverySlotFull);
        }
        if let Some(b) = &earlier {
            dq::free_place(&txn, b.window_id, b.day).await?;
        }
        dq::put_booking(
            &txn,
            delivery_booking::Model {
                sub_order_id: sub.id,
                window_id: window.id,
                day: req.date,
                seller_org_id: sub.seller_org_id,
                starts_at,
                ends_at,
                booked_by: actor.account_id.as_uuid(),
                created_at: earlier.as_ref().map_or(now, |b| b.created_at),
                updated_at: now,
            },
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::DELIVERY_BOOKED,
                &json!({"sub_order_id": sub.id, "date": req.date,
                        "start": rules::format_minute(window.start_minute),
                        "end": rules::format_minute(window.end_minute)}),
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.delivery_view(&now_sub, &o, side).await
    }

    /// Cancels a sub-order's booking before it ships (nothing booked: nothing changes).
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn cancel_delivery_booking(
        &self,
        actor: &Actor,
        id: SubOrderId,
    ) -> Result<DeliveryView> {
        let (sub, o, side) = self.booker(actor, id).await?;
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, LOCK, sub.id).await?;
        let now_sub = q::sub_order(&txn, sub.id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        if !before_shipping(now_sub.status) {
            return Err(OrdersError::DeliveryClosed {
                status: now_sub.status,
            });
        }
        dq::release_booking(&txn, sub.id).await?;
        txn.commit().await?;
        self.delivery_view(&now_sub, &o, side).await
    }

    /// The caller books for this business buyer's sub-order, which has not shipped.
    async fn booker(
        &self,
        actor: &Actor,
        id: SubOrderId,
    ) -> Result<(sub_order::Model, order::Model, Side)> {
        let (sub, o, side) = self.delivery_party(actor, id).await?;
        if side != (Side::Buyer { orders: true }) {
            return Err(OrdersError::Forbidden);
        }
        if o.buyer_org_id.is_none() {
            return Err(OrdersError::NotBusinessBuyer);
        }
        if !before_shipping(sub.status) {
            return Err(OrdersError::DeliveryClosed { status: sub.status });
        }
        Ok((sub, o, side))
    }

    /// A seller's booked deliveries on a Shanghai date, for its members.
    pub async fn deliveries_on(
        &self,
        actor: &Actor,
        seller: OrgId,
        day: NaiveDate,
    ) -> Result<Vec<DeliveryRow>> {
        if !actor.is_platform_staff() {
            actor.require_selling_member(seller)?;
        }
        let db = &self.infra().db;
        let mut out = Vec::new();
        for b in dq::bookings_on(db, seller.0, day).await? {
            let Some(sub) = q::sub_order(db, b.sub_order_id).await? else {
                continue;
            };
            let region = q::order(db, sub.order_id)
                .await?
                .and_then(|o| region_of(&o));
            let note = dq::note(db, sub.id).await?;
            out.push(DeliveryRow {
                sub_order_id: SubOrderId(sub.id),
                order_id: sub.order_id,
                number: sub.number.clone(),
                status: sub.status,
                booking: BookingView::of(&b),
                region_code: region,
                note_status: note.map(|n| n.status),
            });
        }
        Ok(out)
    }

    /// The driver photographs the goods at the door: the note opens (a new photo replaces the
    /// last until it is signed). Stored privately: the original with its SHA-256, and a copy
    /// re-encoded without EXIF for the parties.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn upload_delivery_photo(
        &self,
        actor: &Actor,
        id: SubOrderId,
        bytes: Bytes,
    ) -> Result<DeliveryView> {
        let sub = self.sub_of_seller(actor, id).await?;
        if sub.status != SubOrderStatus::Shipped {
            return Err(OrdersError::NotShippedToReceive);
        }
        self.ensure_note(&sub).await?;
        let processed = images::process_limited(
            &self.infra().limits.images,
            bytes.clone(),
            images::MIN_EVIDENCE_SIDE,
        )
        .await?;
        let photo = Uuid::now_v7();
        let original = key(&format!(
            "private/delivery/{}/{photo}/original.{}",
            sub.id,
            processed.kind.extension()
        ))?;
        let display = key(&format!("private/delivery/{}/{photo}/display.jpg", sub.id))?;
        let objects = &self.infra().objects;
        let put = objects
            .put(&original, bytes, processed.kind.content_type())
            .await
            .map_err(|e| OrdersError::Internal(e.to_string()))?;
        objects
            .put(&display, processed.display.into(), "image/jpeg")
            .await
            .map_err(|e| OrdersError::Internal(e.to_string()))?;
        let db = &self.infra().db;
        if !dq::set_photo(
            db,
            sub.id,
            (original.to_string(), display.to_string()),
            processed.kind.content_type(),
            &put.sha256,
            actor.account_id.as_uuid(),
            self.now(),
        )
        .await?
        {
            return Err(OrdersError::DeliveryNoteSigned);
        }
        let o = q::order(db, sub.order_id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        self.delivery_view(&sub, &o, Side::Seller).await
    }

    /// The goods' photo, for the parties (private, never cached by a shared cache).
    pub async fn delivery_photo(&self, actor: &Actor, id: SubOrderId) -> Result<(Vec<u8>, String)> {
        let (sub, _, _) = self.delivery_party(actor, id).await?;
        let not_found = || OrdersError::NotFound(Missing::DeliveryNote);
        let note = dq::note(&self.infra().db, sub.id)
            .await?
            .ok_or_else(not_found)?;
        let k = note.photo_display_key.ok_or_else(not_found)?;
        let obj = self
            .infra()
            .objects
            .get(&key(&k)?)
            .await
            .map_err(|e| OrdersError::Internal(e.to_string()))?
            .ok_or_else(not_found)?;
        Ok((obj.bytes.to_vec(), obj.content_type))
    }

    /// The receiver signs the note: a member of the buyer logged in, or on the driver's phone
    /// (a member of the seller) with the buyer's code. The signed note is the receipt.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn sign_delivery_note(
        &self,
        actor: &Actor,
        id: SubOrderId,
        req: &SignNoteRequest,
    ) -> Result<DeliveryView> {
        let (sub, o, side) = self.delivery_party(actor, id).await?;
        let via = match side {
            Side::Buyer { .. } => SignedVia::Member,
            Side::Seller if req.code.is_some() => {
                actor.require_selling_member(OrgId(sub.seller_org_id))?;
                SignedVia::Code
            }
            _ => return Err(OrdersError::Forbidden),
        };
        let db = &self.infra().db;
        let ordered = q::lines_of_sub_order(db, sub.id).await?;
        let mut errs = ValidationErrors::new();
        let name = errs.check("signer_name", clean_text(&req.signer_name, 1, 40, false));
        let remarks = errs.check(
            "remarks",
            clean_optional_text(req.remarks.as_deref(), 200, true),
        );
        let mut received: HashMap<Uuid, i64> = HashMap::new();
        if req.lines.len() > MAX_NOTE_LINES {
            errs.push(FieldError::new(
                "lines",
                "out_of_range",
                format!("最多 {MAX_NOTE_LINES} 行"),
                format!("at most {MAX_NOTE_LINES} lines"),
            ));
        }
        for (i, l) in req.lines.iter().enumerate().take(MAX_NOTE_LINES) {
            match ordered.iter().find(|o| o.id == l.line_id) {
                None => errs.push(FieldError::new(
                    format!("lines[{i}].line_id"),
                    "not_found",
                    "不是这张签收单的商品",
                    "not a line of this delivery",
                )),
                Some(_) if received.contains_key(&l.line_id) => errs.push(FieldError::new(
                    format!("lines[{i}].line_id"),
                    "duplicate",
                    "同一商品只能填一次",
                    "each line once",
                )),
                Some(o) if !(0..=o.quantity).contains(&l.quantity) => errs.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    "out_of_range",
                    format!("实收数量为 0–{}", o.quantity),
                    format!("the quantity received is 0–{}", o.quantity),
                )),
                Some(_) => {
                    received.insert(l.line_id, l.quantity);
                }
            }
        }
        if via == SignedVia::Code
            && req.code.as_deref().is_none_or(|c| {
                c.trim().len() != 6 || !c.trim().bytes().all(|b| b.is_ascii_digit())
            })
        {
            errs.push(FieldError::new(
                "code",
                "invalid",
                "签收码为 6 位数字",
                "the delivery code is 6 digits",
            ));
        }
        errs.finish()?;
        let (Some(name), Some(remarks)) = (name, remarks) else {
            return Err(OrdersError::Internal("checked fields".into()));
        };
        if !matches!(
            sub.status,
            SubOrderStatus::Shipped | SubOrderStatus::Received
        ) {
            return Err(OrdersError::NotShippedToReceive);
        }
        let note = dq::note(db, sub.id).await?;
        let Some(note) = note.filter(|n| n.photo_display_key.is_some()) else {
            return Err(OrdersError::DeliveryPhotoMissing);
        };
        if note.status == NoteStatus::Signed {
            return Err(OrdersError::DeliveryNoteSigned);
        }
        if via == SignedVia::Code {
            if note.code_failures >= MAX_CODE_FAILURES {
                return Err(OrdersError::DeliveryCodeLocked);
            }
            let given = req.code.as_deref().unwrap_or_default();
            if !rules::code_matches(&note.code, given) {
                dq::count_wrong_code(db, sub.id).await?;
                let failures = dq::note(db, sub.id)
                    .await?
                    .map_or(MAX_CODE_FAILURES, |n| n.code_failures);
                let left = MAX_CODE_FAILURES - failures;
                tracing::info!(left, "wrong delivery code");
                return Err(if left <= 0 {
                    OrdersError::DeliveryCodeLocked
                } else {
                    OrdersError::DeliveryCodeWrong { left }
                });
            }
        }
        let lines: Vec<NoteLine> = ordered
            .iter()
            .map(|l| NoteLine {
                line_id: l.id,
                title: l.title.clone(),
                sku_name: l.sku_name.clone(),
                unit: l.unit.clone(),
                ordered: l.quantity,
                received: Some(received.get(&l.id).copied().unwrap_or(l.quantity)),
            })
            .collect();
        let signer = (via == SignedVia::Member).then(|| actor.account_id.as_uuid());
        let closes = self.window_closes(sub.id).await?;
        let now = self.now();
        let txn = begin_write(db).await?;
        serialise(&txn, LOCK, sub.id).await?;
        let signed = dq::sign(
            &txn,
            sub.id,
            dq::Signature {
                name: name.clone(),
                by: signer,
                via,
                remarks,
                lines: json!(lines),
                at: now,
            },
        )
        .await?;
        if !signed {
            let again = dq::note(&txn, sub.id).await?;
            return Err(match again {
                Some(n) if n.status == NoteStatus::Signed => OrdersError::DeliveryNoteSigned,
                Some(n) if n.code_failures >= MAX_CODE_FAILURES => OrdersError::DeliveryCodeLocked,
                _ => OrdersError::DeliveryPhotoMissing,
            });
        }
        self.mark_received_in(
            &txn,
            &sub,
            signer,
            closes,
            json!({"automatic": false, "window_closes_at": closes,
                   "delivery_note": {"signer_name": name, "via": via}}),
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::DELIVERY_SIGNED,
                &json!({"sub_order_id": sub.id, "signer_name": name, "via": via}),
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        let sub = q::sub_order(db, sub.id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        self.delivery_view(&sub, &o, side).await
    }
}
