//! Delivery windows, places, bookings and notes (issue #22). Places move only by conditional
//! updates (`booked < capacity` to take one, `booked > 0` to give one back) inside the
//! booking's or the cancellation's transaction; a note is signed by a conditional update from
//! `open`, so two signings at once sign it once.

use crate::domain::delivery::{MAX_CODE_FAILURES, NoteStatus, SignedVia, Window};
use crate::store::{delivery_booking, delivery_note, delivery_slot_load, delivery_window};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;
use uuid::Uuid;

pub async fn windows_of(
    conn: &impl ConnectionTrait,
    seller: Uuid,
) -> Result<Vec<delivery_window::Model>, DbErr> {
    use delivery_window::Column as C;
    delivery_window::Entity::find()
        .filter(C::SellerOrgId.eq(seller))
        .filter(C::Deleted.eq(false))
        .order_by_asc(C::Weekday)
        .order_by_asc(C::StartMinute)
        .order_by_asc(C::RegionCode)
        .all(conn)
        .await
}

pub async fn count_windows(conn: &impl ConnectionTrait, seller: Uuid) -> Result<u64, DbErr> {
    use delivery_window::Column as C;
    delivery_window::Entity::find()
        .filter(C::SellerOrgId.eq(seller))
        .filter(C::Deleted.eq(false))
        .count(conn)
        .await
}

pub async fn window(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<delivery_window::Model>, DbErr> {
    delivery_window::Entity::find_by_id(id).one(conn).await
}

pub async fn insert_window(
    conn: &impl ConnectionTrait,
    row: delivery_window::Model,
) -> Result<(), DbErr> {
    delivery_window::Entity::insert(delivery_window::ActiveModel::from(row))
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// Changes a window that is not deleted; whether it did.
pub async fn update_window(
    conn: &impl ConnectionTrait,
    id: Uuid,
    w: &Window,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use delivery_window::Column as C;
    let done = delivery_window::Entity::update_many()
        .col_expr(C::RegionCode, Expr::value(w.region_code.clone()))
        .col_expr(C::Weekday, Expr::value(w.weekday))
        .col_expr(C::StartMinute, Expr::value(w.start_minute))
        .col_expr(C::EndMinute, Expr::value(w.end_minute))
        .col_expr(C::Capacity, Expr::value(w.capacity))
        .col_expr(C::CutoffHours, Expr::value(w.cutoff_hours))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Id.eq(id))
        .filter(C::Deleted.eq(false))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Marks a window deleted (its bookings keep it); whether it did.
pub async fn delete_window(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use delivery_window::Column as C;
    let done = delivery_window::Entity::update_many()
        .col_expr(C::Deleted, Expr::value(true))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Id.eq(id))
        .filter(C::Deleted.eq(false))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Places taken in these windows from `from` to `to` (inclusive).
pub async fn loads(
    conn: &impl ConnectionTrait,
    windows: Vec<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<delivery_slot_load::Model>, DbErr> {
    use delivery_slot_load::Column as C;
    delivery_slot_load::Entity::find()
        .filter(C::WindowId.is_in(windows))
        .filter(C::Day.gte(from))
        .filter(C::Day.lte(to))
        .all(conn)
        .await
}

/// Takes a place in the window on `day` if fewer than `capacity` are taken; whether it did.
pub async fn take_place(
    conn: &impl ConnectionTrait,
    window: Uuid,
    day: NaiveDate,
    capacity: i32,
) -> Result<bool, DbErr> {
    use delivery_slot_load::Column as C;
    delivery_slot_load::Entity::insert(delivery_slot_load::ActiveModel::from(
        delivery_slot_load::Model {
            window_id: window,
            day,
            booked: 0,
        },
    ))
    .on_conflict(
        OnConflict::columns([C::WindowId, C::Day])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    let done = delivery_slot_load::Entity::update_many()
        .col_expr(C::Booked, Expr::col(C::Booked).add(1))
        .filter(C::WindowId.eq(window))
        .filter(C::Day.eq(day))
        .filter(C::Booked.lt(capacity))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Gives a place back.
pub async fn free_place(
    conn: &impl ConnectionTrait,
    window: Uuid,
    day: NaiveDate,
) -> Result<(), DbErr> {
    use delivery_slot_load::Column as C;
    delivery_slot_load::Entity::update_many()
        .col_expr(C::Booked, Expr::col(C::Booked).sub(1))
        .filter(C::WindowId.eq(window))
        .filter(C::Day.eq(day))
        .filter(C::Booked.gt(0))
        .exec(conn)
        .await
        .map(|_| ())
}

pub async fn booking(
    conn: &impl ConnectionTrait,
    sub_order: Uuid,
) -> Result<Option<delivery_booking::Model>, DbErr> {
    delivery_booking::Entity::find_by_id(sub_order)
        .one(conn)
        .await
}

/// Writes a booking, replacing the sub-order's earlier one.
pub async fn put_booking(
    conn: &impl ConnectionTrait,
    row: delivery_booking::Model,
) -> Result<(), DbErr> {
    delivery_booking::Entity::delete_by_id(row.sub_order_id)
        .exec(conn)
        .await?;
    delivery_booking::Entity::insert(delivery_booking::ActiveModel::from(row))
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// Deletes a sub-order's booking and gives its place back; the booking it was, if any.
pub async fn release_booking(
    conn: &impl ConnectionTrait,
    sub_order: Uuid,
) -> Result<Option<delivery_booking::Model>, DbErr> {
    let Some(b) = booking(conn, sub_order).await? else {
        return Ok(None);
    };
    let gone = delivery_booking::Entity::delete_by_id(sub_order)
        .exec(conn)
        .await?;
    if gone.rows_affected == 1 {
        free_place(conn, b.window_id, b.day).await?;
    }
    Ok(Some(b))
}

/// A seller's bookings on a Shanghai date, earliest first.
pub async fn bookings_on(
    conn: &impl ConnectionTrait,
    seller: Uuid,
    day: NaiveDate,
) -> Result<Vec<delivery_booking::Model>, DbErr> {
    use delivery_booking::Column as C;
    delivery_booking::Entity::find()
        .filter(C::SellerOrgId.eq(seller))
        .filter(C::Day.eq(day))
        .order_by_asc(C::StartsAt)
        .order_by_asc(C::SubOrderId)
        .all(conn)
        .await
}

pub async fn note(
    conn: &impl ConnectionTrait,
    sub_order: Uuid,
) -> Result<Option<delivery_note::Model>, DbErr> {
    delivery_note::Entity::find_by_id(sub_order).one(conn).await
}

/// Creates the note with its code unless it exists (two at once: the first stays).
pub async fn ensure_note(
    conn: &impl ConnectionTrait,
    row: delivery_note::Model,
) -> Result<(), DbErr> {
    delivery_note::Entity::insert(delivery_note::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(delivery_note::Column::SubOrderId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// The goods' photo of an open note (a new one replaces the last); whether it was open.
pub async fn set_photo(
    conn: &impl ConnectionTrait,
    sub_order: Uuid,
    keys: (String, String),
    content_type: &str,
    sha256: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use delivery_note::Column as C;
    let done = delivery_note::Entity::update_many()
        .col_expr(C::PhotoOriginalKey, Expr::value(keys.0))
        .col_expr(C::PhotoDisplayKey, Expr::value(keys.1))
        .col_expr(C::PhotoContentType, Expr::value(content_type.to_owned()))
        .col_expr(C::PhotoSha256, Expr::value(sha256.to_owned()))
        .col_expr(C::OpenedBy, Expr::value(by))
        .col_expr(C::PhotoAt, Expr::value(at))
        .filter(C::SubOrderId.eq(sub_order))
        .filter(C::Status.eq(NoteStatus::Open))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Counts a wrong code unless the code is locked already; whether it was counted.
pub async fn count_wrong_code(conn: &impl ConnectionTrait, sub_order: Uuid) -> Result<bool, DbErr> {
    use delivery_note::Column as C;
    let done = delivery_note::Entity::update_many()
        .col_expr(C::CodeFailures, Expr::col(C::CodeFailures).add(1))
        .filter(C::SubOrderId.eq(sub_order))
        .filter(C::CodeFailures.lt(MAX_CODE_FAILURES))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// What a signature records.
pub struct Signature {
    pub name: String,
    pub by: Option<Uuid>,
    pub via: SignedVia,
    pub remarks: Option<String>,
    pub lines: Value,
    pub at: DateTime<Utc>,
}

/// Signs an open note that has its photo (and, signed with the code, whose code is not
/// locked); whether this call signed it.
pub async fn sign(
    conn: &impl ConnectionTrait,
    sub_order: Uuid,
    s: Signature,
) -> Result<bool, DbErr> {
    use delivery_note::Column as C;
    let mut q = delivery_note::Entity::update_many()
        .col_expr(C::Status, Expr::value(NoteStatus::Signed))
        .col_expr(C::SignerName, Expr::value(s.name))
        .col_expr(C::SignedBy, Expr::value(s.by))
        .col_expr(C::SignedVia, Expr::value(s.via))
        .col_expr(C::Remarks, Expr::value(s.remarks))
        .col_expr(C::Lines, Expr::value(s.lines))
        .col_expr(C::SignedAt, Expr::value(s.at))
        .filter(C::SubOrderId.eq(sub_order))
        .filter(C::Status.eq(NoteStatus::Open))
        .filter(C::PhotoDisplayKey.is_not_null());
    if s.via == SignedVia::Code {
        q = q.filter(C::CodeFailures.lt(MAX_CODE_FAILURES));
    }
    Ok(q.exec(conn).await?.rows_affected == 1)
}
