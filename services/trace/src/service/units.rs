//! Per-box serial codes (一物一码): issuing them, listing them, and counting a box's scans.

use super::{MAX_UNITS_PER_REQUEST, Record, shanghai_day};
use crate::Trace;
use crate::error::{Missing, Result, TraceError};
use crate::store::{queries, unit};
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::FieldError;
use farmgate_kernel::id::BatchId;
use uuid::Uuid;

/// The most unit codes one batch may have.
const MAX_UNITS_PER_BATCH: i64 = 100_000;

impl Trace {
    /// Issues per-box serial codes (一物一码).
    #[tracing::instrument(skip_all, fields(batch.id = %batch_id, count = count))]
    pub async fn issue_units(
        &self,
        actor: &Actor,
        batch_id: BatchId,
        count: i64,
    ) -> Result<Vec<unit::Model>> {
        let b = self.batch_for_seller(actor, batch_id).await?;
        if !(1..=MAX_UNITS_PER_REQUEST).contains(&count) {
            return Err(TraceError::field(FieldError::new(
                "count",
                "out_of_range",
                "一次可生成 1 到 5000 个",
                "1 to 5000 at a time",
            )));
        }
        if i64::from(b.units_issued) + count > MAX_UNITS_PER_BATCH {
            return Err(TraceError::field(FieldError::new(
                "count",
                "too_many",
                "每个批次最多 10 万个单品码",
                "at most 100,000 unit codes a batch",
            )));
        }
        let now = self.now();
        let start = b.units_issued;
        let rows: Vec<unit::Model> = (0..count)
            .map(|i| unit::Model {
                id: Uuid::now_v7(),
                batch_id: b.id,
                n: start + i32::try_from(i).unwrap_or(0) + 1,
                serial: crate::serial::new_serial(),
                scans: 0,
                first_scanned_at: None,
                created_at: now,
            })
            .collect();
        let txn = begin_write(&self.infra().db).await?;
        // Claim the numbers first, only if nobody issued any since we read the count: two
        // requests at once never hand out the same numbers.
        let end = start + i32::try_from(count).unwrap_or(0);
        if !queries::claim_unit_numbers(&txn, batch_id, start, end).await? {
            return Err(TraceError::Busy);
        }
        queries::insert_units(&txn, &rows).await?;
        txn.commit().await?;
        Ok(rows)
    }

    /// A batch's unit codes, by number.
    #[tracing::instrument(skip_all, fields(batch.id = %batch_id))]
    pub async fn units(&self, actor: &Actor, batch_id: BatchId) -> Result<Vec<unit::Model>> {
        let b = self.batch_for(actor, batch_id).await?;
        Ok(queries::units_of(&self.infra().db, BatchId(b.id)).await?)
    }

    /// A box scanned: counts it durably (the first scan's time is the anti-counterfeit hint).
    #[tracing::instrument(skip_all, fields(trace.code = %code))]
    pub async fn scan_unit(
        &self,
        code: &str,
        serial: &str,
    ) -> Result<Option<(Record, unit::Model)>> {
        let Some(record) = self.record_by_code(code).await? else {
            return Ok(None);
        };
        let serial = serial.trim().to_ascii_uppercase();
        if serial.len() > 16 || !serial.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        let now = self.now();
        let db = &self.infra().db;
        if !queries::count_unit_scan(db, record.id(), &serial).await? {
            return Ok(None);
        }
        queries::mark_first_scan(db, &serial, now).await?;
        self.record_scan(record.id(), shanghai_day(now)).await;
        let u = queries::unit_by_serial(db, &serial)
            .await?
            .ok_or(TraceError::NotFound(Missing::Unit))?;
        Ok(Some((record, u)))
    }
}
