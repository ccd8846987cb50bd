//! The operator's home: every queue the platform works, counted, with the oldest item's time
//! or the nearest deadline — listings and organisations awaiting review, claims to arbitrate
//! (overdue first), tickets unassigned or overdue, payouts pending at the bank and settlement
//! accounts to verify, open reconciliation differences, reports to moderate, and paid orders
//! sellers leave waiting. The operator only.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use farmgate_identity::AuthUser;
use farmgate_infra::Infra;
use farmgate_infra::http::ApiResult;
use farmgate_infra::http::error::ErrorBody;
use serde::Serialize;
use utoipa::ToSchema;

/// Listings (new ones and changes to live ones) awaiting review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingQueue {
    pub awaiting_review: u64,
    /// When the oldest was submitted (UTC).
    pub oldest_submitted_at: Option<DateTime<Utc>>,
}

/// Organisations awaiting verification.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgQueue {
    pub awaiting_review: u64,
    /// The oldest's last submission (UTC).
    pub oldest_waiting_since: Option<DateTime<Utc>>,
}

/// Claims in platform arbitration.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimsToArbitrate {
    pub in_arbitration: u64,
    /// Of those, past the decision deadline.
    pub overdue: u64,
    /// The nearest decision deadline (UTC), possibly past.
    pub next_due: Option<DateTime<Utc>>,
}

/// The desk's queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketWork {
    /// Open or answered, assigned to nobody.
    pub unassigned: u64,
    /// Open or answered, past a deadline.
    pub overdue: u64,
    pub oldest_unassigned_at: Option<DateTime<Utc>>,
}

/// Money waiting for the platform.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyWork {
    /// Payouts sent to the bank, not yet marked paid or failed.
    pub pending_payouts: u64,
    /// Their sum in fen.
    pub pending_payout_fen: i64,
    /// Sellers' settlement accounts awaiting verification.
    pub bank_accounts_to_verify: u64,
    /// Payment-reconciliation differences not yet resolved.
    pub reconciliation_differences: u64,
}

/// Reports to moderate.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportsToModerate {
    /// Reported reviews not yet hidden or kept.
    pub reviews: u64,
    pub oldest_review_report_at: Option<DateTime<Utc>>,
    /// Reported conversation messages not yet hidden or dismissed.
    pub conversation_messages: u64,
}

/// Orders sellers leave waiting (every seller).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderWatch {
    /// Paid parts unacknowledged for more than `acknowledge_within_minutes`.
    pub unacknowledged_late: u64,
    pub acknowledge_within_minutes: i64,
    /// Paid or acknowledged parts past their ship-by deadline.
    pub ship_by_overdue: u64,
}

/// The platform's work today.
#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorConsole {
    /// When the counts were taken (UTC).
    pub at: DateTime<Utc>,
    pub listings: ListingQueue,
    pub organisations: OrgQueue,
    pub claims: ClaimsToArbitrate,
    pub tickets: TicketWork,
    pub money: MoneyWork,
    pub reports: ReportsToModerate,
    pub orders: OrderWatch,
}

/// The operator's home: every queue, counted, with its oldest item or nearest deadline.
#[utoipa::path(get, path = "/api/v1/admin/console", tag = "console",
    responses(
        (status = 200, description = "The counts", body = OperatorConsole),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn operator_console(
    State(infra): State<Infra>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<OperatorConsole>> {
    actor.require_operator()?;
    let db = &infra.db;
    let now = infra.clock.now();
    let listings = farmgate_catalog::read::console::review_queue(db).await?;
    let orgs = farmgate_identity::read::console::org_queue(db).await?;
    let claims = farmgate_aftersales::read::console::arbitration(db, now).await?;
    let tickets = farmgate_desk::read::console::ticket_queue(db, now).await?;
    let money = farmgate_finance::read::console::money_queue(db).await?;
    let orders = farmgate_orders::read::console::platform_orders(db, now).await?;
    let conversation_messages = farmgate_desk::read::console::conversation_reports(db).await?;
    Ok(Json(OperatorConsole {
        at: now,
        listings: ListingQueue {
            awaiting_review: listings.count,
            oldest_submitted_at: listings.oldest_submitted_at,
        },
        organisations: OrgQueue {
            awaiting_review: orgs.count,
            oldest_waiting_since: orgs.oldest_applied_at,
        },
        claims: ClaimsToArbitrate {
            in_arbitration: claims.count,
            overdue: claims.overdue,
            next_due: claims.next_due,
        },
        tickets: TicketWork {
            unassigned: tickets.unassigned,
            overdue: tickets.overdue,
            oldest_unassigned_at: tickets.oldest_unassigned_at,
        },
        money: MoneyWork {
            pending_payouts: money.pending_payouts,
            pending_payout_fen: money.pending_payout_fen,
            bank_accounts_to_verify: money.bank_accounts_to_verify,
            reconciliation_differences: orders.reconciliation_differences,
        },
        reports: ReportsToModerate {
            reviews: orders.review_reports,
            oldest_review_report_at: orders.oldest_review_report_at,
            conversation_messages,
        },
        orders: OrderWatch {
            unacknowledged_late: orders.unacknowledged_late,
            acknowledge_within_minutes: farmgate_orders::read::console::ACKNOWLEDGE_WITHIN
                .num_minutes(),
            ship_by_overdue: orders.all.ship_by_overdue,
        },
    }))
}
