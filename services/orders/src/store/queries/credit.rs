//! Credit terms (issue #22): lines, the ledger, statements and their payments. What is owed
//! (`outstanding_fen`) and what a statement has been paid (`paid_fen`) move only by
//! conditional updates, so concurrent orders or payments never pass a limit or a total.

use crate::domain::credit::{CreditStatus, EntryKind};
use crate::store::{
    credit_entry, credit_line, credit_line_change, credit_statement, credit_statement_payment,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

pub async fn line(
    conn: &impl ConnectionTrait,
    org: Uuid,
) -> Result<Option<credit_line::Model>, DbErr> {
    credit_line::Entity::find_by_id(org).one(conn).await
}

/// Every line, oldest first (finance's receivables).
pub async fn lines(conn: &impl ConnectionTrait) -> Result<Vec<credit_line::Model>, DbErr> {
    credit_line::Entity::find()
        .order_by_asc(credit_line::Column::CreatedAt)
        .order_by_asc(credit_line::Column::OrgId)
        .all(conn)
        .await
}

/// Grants a line or changes its terms (never what is owed), and keeps who did it. The caller
/// serialises writers of one organisation's line.
pub async fn set_line(
    conn: &impl ConnectionTrait,
    org: Uuid,
    limit_fen: i64,
    terms_days: i32,
    status: CreditStatus,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    use credit_line::Column as C;
    if line(conn, org).await?.is_some() {
        credit_line::Entity::update_many()
            .col_expr(C::LimitFen, Expr::value(limit_fen))
            .col_expr(C::TermsDays, Expr::value(terms_days))
            .col_expr(C::Status, Expr::value(status))
            .col_expr(C::UpdatedBy, Expr::value(by))
            .col_expr(C::UpdatedAt, Expr::value(at))
            .filter(C::OrgId.eq(org))
            .exec(conn)
            .await?;
    } else {
        credit_line::ActiveModel::from(credit_line::Model {
            org_id: org,
            limit_fen,
            terms_days,
            status,
            outstanding_fen: 0,
            updated_by: by,
            created_at: at,
            updated_at: at,
        })
        .insert(conn)
        .await?;
    }
    credit_line_change::ActiveModel::from(credit_line_change::Model {
        id: Uuid::now_v7(),
        org_id: org,
        limit_fen,
        terms_days,
        status,
        changed_by: by,
        changed_at: at,
    })
    .insert(conn)
    .await?;
    Ok(())
}

/// A line's changes, newest first.
pub async fn changes(
    conn: &impl ConnectionTrait,
    org: Uuid,
) -> Result<Vec<credit_line_change::Model>, DbErr> {
    use credit_line_change::Column as C;
    credit_line_change::Entity::find()
        .filter(C::OrgId.eq(org))
        .order_by_desc(C::ChangedAt)
        .order_by_desc(C::Id)
        .all(conn)
        .await
}

/// Owes `amount` more, if the line is active and stays within its limit; `false` otherwise.
/// One statement: two orders at once cannot both pass on the same room under the limit.
pub async fn charge(conn: &impl ConnectionTrait, org: Uuid, amount: i64) -> Result<bool, DbErr> {
    use credit_line::Column as C;
    let done = credit_line::Entity::update_many()
        .col_expr(C::OutstandingFen, Expr::col(C::OutstandingFen).add(amount))
        .filter(C::OrgId.eq(org))
        .filter(C::Status.eq(CreditStatus::Active))
        .filter(
            Expr::col(C::OutstandingFen)
                .add(amount)
                .lte(Expr::col(C::LimitFen)),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Owes `amount` less (a refund of an order on credit, a payment against a statement).
pub async fn reduce(conn: &impl ConnectionTrait, org: Uuid, amount: i64) -> Result<(), DbErr> {
    use credit_line::Column as C;
    credit_line::Entity::update_many()
        .col_expr(C::OutstandingFen, Expr::col(C::OutstandingFen).sub(amount))
        .filter(C::OrgId.eq(org))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn insert_entry(
    conn: &impl ConnectionTrait,
    row: credit_entry::Model,
) -> Result<(), DbErr> {
    credit_entry::ActiveModel::from(row).insert(conn).await?;
    Ok(())
}

/// The charge of an order paid on credit, if it was.
pub async fn charge_of_order(
    conn: &impl ConnectionTrait,
    order: Uuid,
) -> Result<Option<credit_entry::Model>, DbErr> {
    use credit_entry::Column as C;
    credit_entry::Entity::find()
        .filter(C::OrderId.eq(order))
        .filter(C::Kind.eq(EntryKind::Charge))
        .one(conn)
        .await
}

/// Which of these orders were paid on credit.
pub async fn credit_orders_among(
    conn: &impl ConnectionTrait,
    orders: Vec<Uuid>,
) -> Result<Vec<Uuid>, DbErr> {
    use credit_entry::Column as C;
    let mut out = Vec::new();
    for chunk in orders.chunks(500) {
        let rows = credit_entry::Entity::find()
            .filter(C::Kind.eq(EntryKind::Charge))
            .filter(C::OrderId.is_in(chunk.to_vec()))
            .all(conn)
            .await?;
        out.extend(rows.into_iter().filter_map(|e| e.order_id));
    }
    Ok(out)
}

/// Every entry of a line (or of every line), oldest first.
pub async fn entries(
    conn: &impl ConnectionTrait,
    org: Option<Uuid>,
) -> Result<Vec<credit_entry::Model>, DbErr> {
    use credit_entry::Column as C;
    let mut q = credit_entry::Entity::find();
    if let Some(org) = org {
        q = q.filter(C::OrgId.eq(org));
    }
    q.order_by_asc(C::CreatedAt)
        .order_by_asc(C::Id)
        .all(conn)
        .await
}

/// The charges, refunds and credit brought forward of a line not billed yet, from before
/// `until`.
pub async fn unbilled(
    conn: &impl ConnectionTrait,
    org: Uuid,
    until: DateTime<Utc>,
) -> Result<Vec<credit_entry::Model>, DbErr> {
    use credit_entry::Column as C;
    credit_entry::Entity::find()
        .filter(C::OrgId.eq(org))
        .filter(C::Kind.is_in([
            EntryKind::Charge,
            EntryKind::Refund,
            EntryKind::CreditBrought,
        ]))
        .filter(C::StatementId.is_null())
        .filter(C::CreatedAt.lt(until))
        .order_by_asc(C::CreatedAt)
        .order_by_asc(C::Id)
        .all(conn)
        .await
}

/// Bills these entries on a statement; how many were still unbilled.
pub async fn bill(
    conn: &impl ConnectionTrait,
    ids: Vec<Uuid>,
    statement: Uuid,
) -> Result<u64, DbErr> {
    use credit_entry::Column as C;
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += credit_entry::Entity::update_many()
            .col_expr(C::StatementId, Expr::value(statement))
            .filter(C::Id.is_in(chunk.to_vec()))
            .filter(C::StatementId.is_null())
            .exec(conn)
            .await?
            .rows_affected;
    }
    Ok(n)
}

/// The lines of a statement: the entries it billed, oldest first.
pub async fn billed_on(
    conn: &impl ConnectionTrait,
    statement: Uuid,
) -> Result<Vec<credit_entry::Model>, DbErr> {
    use credit_entry::Column as C;
    credit_entry::Entity::find()
        .filter(C::StatementId.eq(statement))
        .filter(C::Kind.ne(EntryKind::Payment))
        .order_by_asc(C::CreatedAt)
        .order_by_asc(C::Id)
        .all(conn)
        .await
}

pub async fn statement(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<credit_statement::Model>, DbErr> {
    credit_statement::Entity::find_by_id(id).one(conn).await
}

pub async fn statement_of_month(
    conn: &impl ConnectionTrait,
    org: Uuid,
    month: &str,
) -> Result<Option<credit_statement::Model>, DbErr> {
    use credit_statement::Column as C;
    credit_statement::Entity::find()
        .filter(C::OrgId.eq(org))
        .filter(C::Month.eq(month))
        .one(conn)
        .await
}

pub async fn insert_statement(
    conn: &impl ConnectionTrait,
    row: credit_statement::Model,
) -> Result<(), DbErr> {
    credit_statement::ActiveModel::from(row)
        .insert(conn)
        .await?;
    Ok(())
}

/// A line's statements, newest month first (or every line's, for finance).
pub async fn statements(
    conn: &impl ConnectionTrait,
    org: Option<Uuid>,
) -> Result<Vec<credit_statement::Model>, DbErr> {
    use credit_statement::Column as C;
    let mut q = credit_statement::Entity::find();
    if let Some(org) = org {
        q = q.filter(C::OrgId.eq(org));
    }
    q.order_by_desc(C::Month)
        .order_by_asc(C::OrgId)
        .all(conn)
        .await
}

/// Whether a line has a statement unpaid after its due date (before `today`).
pub async fn has_overdue(
    conn: &impl ConnectionTrait,
    org: Uuid,
    today: NaiveDate,
) -> Result<bool, DbErr> {
    use credit_statement::Column as C;
    Ok(credit_statement::Entity::find()
        .filter(C::OrgId.eq(org))
        .filter(C::DueDate.lt(today))
        .filter(Expr::col(C::PaidFen).lt(Expr::col(C::TotalFen)))
        .one(conn)
        .await?
        .is_some())
}

/// Statements unpaid after their due date whose buyer was not told yet.
pub async fn overdue_unnotified(
    conn: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<credit_statement::Model>, DbErr> {
    use credit_statement::Column as C;
    credit_statement::Entity::find()
        .filter(C::DueDate.lt(today))
        .filter(Expr::col(C::PaidFen).lt(Expr::col(C::TotalFen)))
        .filter(C::OverdueNotifiedAt.is_null())
        .all(conn)
        .await
}

/// Unpaid statements falling due between `today` and `until` (inclusive) whose members have
/// not been told yet.
pub async fn due_soon_unnotified(
    conn: &impl ConnectionTrait,
    today: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<credit_statement::Model>, DbErr> {
    use credit_statement::Column as C;
    credit_statement::Entity::find()
        .filter(C::DueDate.gte(today))
        .filter(C::DueDate.lte(until))
        .filter(Expr::col(C::PaidFen).lt(Expr::col(C::TotalFen)))
        .filter(C::DueSoonNotifiedAt.is_null())
        .all(conn)
        .await
}

/// Marks a statement's due-soon notice given; `false` when another worker did a moment ago.
pub async fn mark_due_soon_notified(
    conn: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use credit_statement::Column as C;
    let done = credit_statement::Entity::update_many()
        .col_expr(C::DueSoonNotifiedAt, Expr::value(at))
        .filter(C::Id.eq(id))
        .filter(C::DueSoonNotifiedAt.is_null())
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Marks an overdue statement told; `false` when another worker did a moment ago.
pub async fn mark_notified(
    conn: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use credit_statement::Column as C;
    let done = credit_statement::Entity::update_many()
        .col_expr(C::OverdueNotifiedAt, Expr::value(at))
        .filter(C::Id.eq(id))
        .filter(C::OverdueNotifiedAt.is_null())
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Pays `amount` of a statement, never past its total; `false` when that would overpay it.
pub async fn pay_statement(
    conn: &impl ConnectionTrait,
    id: Uuid,
    amount: i64,
) -> Result<bool, DbErr> {
    use credit_statement::Column as C;
    let done = credit_statement::Entity::update_many()
        .col_expr(C::PaidFen, Expr::col(C::PaidFen).add(amount))
        .filter(C::Id.eq(id))
        .filter(
            Expr::col(C::PaidFen)
                .add(amount)
                .lte(Expr::col(C::TotalFen)),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

pub async fn payment_by_reference(
    conn: &impl ConnectionTrait,
    statement: Uuid,
    reference: &str,
) -> Result<Option<credit_statement_payment::Model>, DbErr> {
    use credit_statement_payment::Column as C;
    credit_statement_payment::Entity::find()
        .filter(C::StatementId.eq(statement))
        .filter(C::Reference.eq(reference))
        .one(conn)
        .await
}

pub async fn insert_payment(
    conn: &impl ConnectionTrait,
    row: credit_statement_payment::Model,
) -> Result<(), DbErr> {
    credit_statement_payment::ActiveModel::from(row)
        .insert(conn)
        .await?;
    Ok(())
}

pub async fn payments_of(
    conn: &impl ConnectionTrait,
    statement: Uuid,
) -> Result<Vec<credit_statement_payment::Model>, DbErr> {
    use credit_statement_payment::Column as C;
    credit_statement_payment::Entity::find()
        .filter(C::StatementId.eq(statement))
        .order_by_asc(C::CreatedAt)
        .order_by_asc(C::Id)
        .all(conn)
        .await
}
