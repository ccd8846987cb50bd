//! Bulk actions on a seller's order list: acknowledge many paid parts, or ship many with a
//! waybill each. Each item is its own use case (the same `acknowledge` / `ship` a single
//! button calls, each in its own transaction), so one refused item changes nothing of its
//! own and stops nothing else; the answer says, item by item, what happened.
//!
//! Guarded twice: the caller must be a selling member of the organisation in the path (else
//! the whole request is refused), and every item must be a part that organisation sells —
//! another seller's part is answered `not_found` even when the caller belongs to that seller
//! too. An id named twice is done once; its repeats are answered `duplicate`.

use crate::Orders;
use crate::error::{Missing, OrdersError, Result};
use crate::service::ShipRequest;
use crate::store::queries::orders as q;
use farmgate_identity::Actor;
use farmgate_infra::http::ApiError;
use farmgate_kernel::FieldError;
use farmgate_kernel::error::Lang;
use farmgate_kernel::id::{OrgId, SubOrderId};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

/// The most items one bulk request may carry.
pub const MAX_BULK_ITEMS: usize = 100;

/// Parts to acknowledge.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkAcknowledge {
    /// 1–100 sub-order ids.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub sub_order_ids: Vec<SubOrderId>,
}

/// One part to ship, with its own waybill.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkShipItem {
    #[schema(value_type = uuid::Uuid)]
    pub sub_order_id: SubOrderId,
    /// A code of the carrier list, or `other` with `carrier_name` (as for one part).
    pub carrier: String,
    #[serde(default)]
    pub carrier_name: Option<String>,
    pub tracking_no: String,
    #[serde(default)]
    pub batches: Vec<crate::service::BatchPick>,
}

/// Parts to ship.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkShip {
    /// 1–100 parts, each with its carrier and waybill.
    pub items: Vec<BulkShipItem>,
}

/// What happened to one item.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BulkItemResult {
    #[schema(value_type = uuid::Uuid)]
    pub sub_order_id: SubOrderId,
    /// Done (or it already was).
    pub ok: bool,
    /// The part's status afterwards, when it is the caller's.
    pub status: Option<String>,
    /// Why not: the code the single action would answer (`not_found`, `cannot_acknowledge`,
    /// `cannot_ship`, `validation_failed`, …) or `duplicate`.
    pub code: Option<String>,
    pub message: Option<String>,
    /// Field errors of this item (`carrier`, `tracking_no`, `batches`), by field.
    pub fields: Option<std::collections::BTreeMap<String, String>>,
}

/// Every item's result, in the order given.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub done: u64,
    pub refused: u64,
    pub results: Vec<BulkItemResult>,
}

impl BulkResult {
    fn of(results: Vec<BulkItemResult>) -> Self {
        let done = results.iter().filter(|r| r.ok).count() as u64;
        Self {
            done,
            refused: results.len() as u64 - done,
            results,
        }
    }
}

fn count_ok(n: usize) -> std::result::Result<(), FieldError> {
    if n == 0 || n > MAX_BULK_ITEMS {
        return Err(FieldError::new(
            "items",
            "out_of_range",
            "一次处理 1 到 100 个订单",
            "1 to 100 orders at a time",
        ));
    }
    Ok(())
}

fn refused(id: SubOrderId, e: OrdersError, lang: Lang) -> BulkItemResult {
    let e = ApiError::from(e);
    BulkItemResult {
        sub_order_id: id,
        ok: false,
        status: None,
        code: Some(e.code.to_string()),
        message: Some(e.message.get(lang).to_owned()),
        fields: e.fields.as_ref().map(|f| f.by_field(lang)),
    }
}

fn duplicate(id: SubOrderId, lang: Lang) -> BulkItemResult {
    let msg = match lang {
        Lang::Zh => "同一订单重复出现，已按一次处理",
        Lang::En => "named more than once; done once",
    };
    BulkItemResult {
        sub_order_id: id,
        ok: false,
        status: None,
        code: Some("duplicate".into()),
        message: Some(msg.into()),
        fields: None,
    }
}

impl Orders {
    /// The part, when `org` sells it (else `not_found`, whoever else sells it).
    async fn part_of(&self, org: OrgId, id: SubOrderId) -> Result<()> {
        match q::sub_order(&self.infra().db, id.0).await? {
            Some(s) if s.seller_org_id == org.as_uuid() => Ok(()),
            _ => Err(OrdersError::NotFound(Missing::SubOrder)),
        }
    }

    fn status_of(record: &crate::service::OrderRecord, id: SubOrderId) -> Option<String> {
        record
            .subs
            .iter()
            .find(|s| s.id == id.0)
            .map(|s| s.status.as_str().to_owned())
    }

    /// Acknowledges each part `org` sells; per-item results.
    #[tracing::instrument(skip_all, fields(org.id = %org, items = req.sub_order_ids.len()))]
    pub async fn bulk_acknowledge(
        &self,
        actor: &Actor,
        org: OrgId,
        req: &BulkAcknowledge,
        lang: Lang,
    ) -> Result<BulkResult> {
        actor.require_selling_member(org)?;
        count_ok(req.sub_order_ids.len()).map_err(OrdersError::field)?;
        let mut seen = HashSet::new();
        let mut results = Vec::with_capacity(req.sub_order_ids.len());
        for &id in &req.sub_order_ids {
            if !seen.insert(id) {
                results.push(duplicate(id, lang));
                continue;
            }
            let done = match self.part_of(org, id).await {
                Ok(()) => self.acknowledge(actor, id).await,
                Err(e) => Err(e),
            };
            results.push(match done {
                Ok(record) => BulkItemResult {
                    sub_order_id: id,
                    ok: true,
                    status: Self::status_of(&record, id),
                    code: None,
                    message: None,
                    fields: None,
                },
                Err(e @ (OrdersError::Db(_) | OrdersError::Internal(_))) => return Err(e),
                Err(e) => refused(id, e, lang),
            });
        }
        Ok(BulkResult::of(results))
    }

    /// Ships each part `org` sells with its own waybill; per-item results.
    #[tracing::instrument(skip_all, fields(org.id = %org, items = req.items.len()))]
    pub async fn bulk_ship(
        &self,
        actor: &Actor,
        org: OrgId,
        req: &BulkShip,
        lang: Lang,
    ) -> Result<BulkResult> {
        actor.require_selling_member(org)?;
        count_ok(req.items.len()).map_err(OrdersError::field)?;
        let mut seen = HashSet::new();
        let mut results = Vec::with_capacity(req.items.len());
        for item in &req.items {
            let id = item.sub_order_id;
            if !seen.insert(id) {
                results.push(duplicate(id, lang));
                continue;
            }
            let ship = ShipRequest {
                carrier: item.carrier.clone(),
                carrier_name: item.carrier_name.clone(),
                tracking_no: item.tracking_no.clone(),
                batches: item.batches.clone(),
            };
            let done = match self.part_of(org, id).await {
                Ok(()) => self.ship(actor, id, &ship).await,
                Err(e) => Err(e),
            };
            results.push(match done {
                Ok(record) => BulkItemResult {
                    sub_order_id: id,
                    ok: true,
                    status: Self::status_of(&record, id),
                    code: None,
                    message: None,
                    fields: None,
                },
                Err(e @ (OrdersError::Db(_) | OrdersError::Internal(_))) => return Err(e),
                Err(e) => refused(id, e, lang),
            });
        }
        Ok(BulkResult::of(results))
    }
}
