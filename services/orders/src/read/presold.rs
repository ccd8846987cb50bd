//! Pre-sold volume (订单农业, issue #22: "plant to demand"): what buyers have put a deposit on,
//! per pre-sale. Read by the orders' own seller view (`GET /orgs/{id}/presales/volume`) and by
//! the statistics (`GET /stats/presold`, which applies the small-group rule); plain values, no
//! entity leaves the room, and no buyer is named (a buyer is an opaque id to count distinct).
//!
//! What counts: a reservation whose deposit is paid and still stands — `reserved`,
//! `balance_due` or `balance_paid`. A deposit not yet paid (`pending`), lapsed, unfilled,
//! forfeited or refunded is not demand any more. Its deposit counts as what is held: paid less
//! the shortfall refund of a harvest. Pre-sales cancelled by a failed inspection are left out.

use crate::domain::presale::{PresaleStatus, ReservationStatus};
use crate::store::{line, presale, presale_reservation};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// The reservation states that are demand: the deposit is paid and stands.
pub const COUNTED: [ReservationStatus; 3] = [
    ReservationStatus::Reserved,
    ReservationStatus::BalanceDue,
    ReservationStatus::BalancePaid,
];

/// One pre-sale and its paid reservations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresoldSale {
    pub presale_id: Uuid,
    pub seller_org_id: Uuid,
    pub listing_id: Uuid,
    pub sku_id: Uuid,
    pub title: String,
    pub unit: String,
    pub township: String,
    pub harvest_from: NaiveDate,
    pub expected_yield: i64,
    pub max_quantity: i64,
    /// The category the deposits were taken in (`None` while nobody has reserved).
    pub category_id: Option<Uuid>,
    pub reservations: Vec<PresoldReservation>,
}

/// A paid reservation: an opaque buyer (to count distinct buyers), its quantity and the
/// deposit held, fen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresoldReservation {
    pub buyer: Uuid,
    pub quantity: i64,
    pub deposit_fen: i64,
}

/// The pre-sales (of one seller, or of everyone) that are not cancelled, each with its paid
/// reservations. Pre-sales are few (a seller opens a handful a season), so this reads them
/// whole.
pub async fn presold<C: ConnectionTrait>(
    db: &C,
    seller: Option<Uuid>,
) -> Result<Vec<PresoldSale>, DbErr> {
    let mut q =
        presale::Entity::find().filter(presale::Column::Status.ne(PresaleStatus::Cancelled));
    if let Some(org) = seller {
        q = q.filter(presale::Column::SellerOrgId.eq(org));
    }
    let sales = q.all(db).await?;
    if sales.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = sales.iter().map(|p| p.id).collect();
    let reservations = presale_reservation::Entity::find()
        .filter(presale_reservation::Column::PresaleId.is_in(ids))
        .filter(presale_reservation::Column::Status.is_in(COUNTED))
        .all(db)
        .await?;
    // The category of each pre-sale: the line of any of its deposit orders.
    let deposit_of: HashMap<Uuid, Uuid> = reservations
        .iter()
        .map(|r| (r.deposit_order_id, r.presale_id))
        .collect();
    let mut category: HashMap<Uuid, Uuid> = HashMap::new();
    if !deposit_of.is_empty() {
        let rows: Vec<(Uuid, Uuid)> = line::Entity::find()
            .select_only()
            .columns([line::Column::OrderId, line::Column::CategoryId])
            .filter(line::Column::OrderId.is_in(deposit_of.keys().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (order, cat) in rows {
            if let Some(p) = deposit_of.get(&order) {
                category.insert(*p, cat);
            }
        }
    }
    let mut by_sale: HashMap<Uuid, Vec<PresoldReservation>> = HashMap::new();
    for r in reservations {
        by_sale
            .entry(r.presale_id)
            .or_default()
            .push(PresoldReservation {
                buyer: r.buyer_account_id,
                quantity: r.quantity,
                deposit_fen: (r.deposit_fen - r.shortfall_refund_fen).max(0),
            });
    }
    Ok(sales
        .into_iter()
        .map(|p| PresoldSale {
            category_id: category.get(&p.id).copied(),
            reservations: by_sale.remove(&p.id).unwrap_or_default(),
            presale_id: p.id,
            seller_org_id: p.seller_org_id,
            listing_id: p.listing_id,
            sku_id: p.sku_id,
            title: p.title,
            unit: p.unit,
            township: p.township,
            harvest_from: p.harvest_from,
            expected_yield: p.expected_yield,
            max_quantity: p.max_quantity,
        })
        .collect())
}
