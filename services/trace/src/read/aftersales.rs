//! What after-sales (`farmgate-aftersales`) reads of trace, and why: a recall (召回) names the
//! batch on its record and notices (code, lot), takes its listing off sale, is ordered by the
//! batch's seller or the county, and happens by itself when an inspection of a batch that has
//! shipped fails, or when a testing body's third-party test fails (shipped or not: the lab
//! found it on sale or at the farm, and the listing must stop selling it). [`batch_to_recall`] gives exactly that; the recall event itself is written
//! through `Trace::append_system`.

use crate::store::batch;
use farmgate_kernel::id::{BatchId, ListingId, OrgId};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect};
use uuid::Uuid;

/// A batch as a recall needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchToRecall {
    pub id: BatchId,
    /// The trace code its labels and public page carry.
    pub code: String,
    pub lot: String,
    pub listing_id: ListingId,
    pub seller: OrgId,
    /// Its latest inspection failed (status `blocked`) and it is not recalled yet.
    pub blocked: bool,
    /// Its latest third-party test failed (whatever the seller recorded since) and it is not
    /// recalled yet: the lab's name and report.
    pub failed_lab_check: Option<FailedLabCheck>,
}

/// A failed third-party test, as a recall's reason names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedLabCheck {
    pub lab_name: String,
    pub report_no: String,
}

/// The batch, as a recall needs it; `None` when there is no such batch.
pub async fn batch_to_recall(
    conn: &impl ConnectionTrait,
    id: BatchId,
) -> Result<Option<BatchToRecall>, DbErr> {
    // The status as stored, whatever type the entity gives it.
    let row: Option<(Uuid, String, String, Uuid, Uuid, String)> = batch::Entity::find_by_id(id.0)
        .select_only()
        .columns([
            batch::Column::Id,
            batch::Column::Code,
            batch::Column::Lot,
            batch::Column::ListingId,
            batch::Column::SellerOrgId,
            batch::Column::Status,
        ])
        .into_tuple()
        .one(conn)
        .await?;
    let Some((id, code, lot, listing, seller, status)) = row else {
        return Ok(None);
    };
    let blocked = status == "blocked";
    // Read from the tests themselves, not from the status: a seller's own passing inspection
    // chained right after a lab's failure reopens the batch, but must not stop the recall.
    let failed_lab_check = if status == "recalled" {
        None
    } else {
        crate::store::lab_checks::of_batch(conn, BatchId(id))
            .await?
            .into_iter()
            .next_back()
            .filter(|c| c.result == "fail")
            .map(|c| FailedLabCheck {
                lab_name: c.lab_name,
                report_no: c.report_no,
            })
    };
    Ok(Some(BatchToRecall {
        id: BatchId(id),
        code,
        lot,
        listing_id: ListingId(listing),
        seller: OrgId(seller),
        blocked,
        failed_lab_check,
    }))
}

/// A failed third-party test, as the public quality bulletin shows it: public facts only (the
/// lab, the batch, what failed), never who sampled or recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedTest {
    pub batch_id: BatchId,
    pub code: String,
    pub listing_id: ListingId,
    pub seller: OrgId,
    pub lab_name: String,
    pub report_no: String,
    /// 抽检 or 委托检测.
    pub check_kind: crate::domain::LabCheckKind,
    pub sampled_at: chrono::DateTime<chrono::Utc>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// The items over their limits, as the record names them (`毒死蜱 0.12 mg/kg`).
    pub failed_items: Vec<String>,
    /// The lot, from the record's first event.
    pub lot: String,
}

/// Failed third-party tests recorded in `[from, to]`, newest first (at most `limit`).
pub async fn failed_tests(
    conn: &impl ConnectionTrait,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    limit: u64,
) -> Result<Vec<FailedTest>, DbErr> {
    use crate::store::{event, lab_checks};
    let rows = lab_checks::failed_between(conn, from, to, limit).await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let body = event::Entity::find_by_id(c.event_id)
            .one(conn)
            .await?
            .map(|e| e.body)
            .unwrap_or_default();
        let failed_items = body["data"]["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["passed"] == false)
            .map(|i| {
                [&i["name"], &i["result"], &i["unit"]]
                    .iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let lot = batch::Entity::find_by_id(c.batch_id)
            .one(conn)
            .await?
            .map(|b| b.lot)
            .unwrap_or_default();
        out.push(FailedTest {
            batch_id: BatchId(c.batch_id),
            code: c.code,
            listing_id: ListingId(c.listing_id),
            seller: OrgId(c.seller_org_id),
            lab_name: c.lab_name,
            report_no: c.report_no,
            check_kind: c.check_kind,
            sampled_at: c.sampled_at,
            recorded_at: c.recorded_at,
            failed_items,
            lot,
        });
    }
    Ok(out)
}
