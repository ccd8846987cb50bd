//! Reading orders: one order whole (`OrderRecord`), as the caller may see it; the buyer's
//! orders; every order for the operator; a seller's sub-orders.

use crate::Orders;
use crate::domain::{OrderFilter, PlatformOrderFilter};
use crate::error::{Missing, OrdersError, Result};
use crate::store::queries::{orders as q, payments, reviews, shipments};
use crate::store::{
    event, line, order, payment, refund, review, shipment, shipment_batch, shipment_event,
    sub_order,
};
use farmgate_identity::Actor;
use farmgate_kernel::id::{ListingId, OrderId, OrgId};
use farmgate_kernel::{Page, Paged};
use std::collections::HashMap;
use uuid::Uuid;

/// An order with everything in it.
#[derive(Clone, Debug)]
pub struct OrderRecord {
    pub order: order::Model,
    pub subs: Vec<sub_order::Model>,
    pub lines: Vec<line::Model>,
    pub events: Vec<event::Model>,
    pub payments: Vec<payment::Model>,
    pub seller_names: HashMap<Uuid, String>,
    pub shipments: Vec<shipment::Model>,
    pub shipment_batches: Vec<shipment_batch::Model>,
    pub shipment_events: Vec<shipment_event::Model>,
    /// The parcels' subscriptions with the tracking aggregator (issue #19).
    pub tracking: Vec<crate::store::tracking_subscription::Model>,
    pub reviews: Vec<review::Model>,
    pub refunds: Vec<refund::Model>,
    /// Each line's listing photo as a thumbnail URL, by listing id (asked of the catalogue;
    /// a listing without photos is absent).
    pub thumbs: HashMap<Uuid, String>,
    /// Lines sold by catch weight, as weighed at packing (issue #22).
    pub catch_weights: Vec<crate::store::catch_weight::Model>,
    /// The approval a purchaser's order above the buyer's limit waits for (issue #22).
    pub approval: Option<crate::store::order_approval::Model>,
    /// Extra charges (补差价) asked for lines weighed above their tolerance.
    pub extra_charges: Vec<crate::store::extra_charge::Model>,
}

impl Orders {
    /// An order with its sub-orders, lines, events, payments, parcels, reviews and refunds.
    pub async fn record(&self, id: OrderId) -> Result<Option<OrderRecord>> {
        let db = &self.infra().db;
        let id = id.0;
        let Some(o) = q::order(db, id).await? else {
            return Ok(None);
        };
        let subs = q::sub_orders_of_order(db, id).await?;
        let lines = q::lines_of_order(db, id).await?;
        let events = q::events_of_order(db, id).await?;
        let payments = payments::payments_of_order(db, id).await?;
        let sellers: Vec<OrgId> = subs.iter().map(|s| OrgId(s.seller_org_id)).collect();
        let seller_names = self
            .identity()
            .org_summaries(&sellers)
            .await?
            .into_iter()
            .map(|(k, v)| (k.as_uuid(), v.name))
            .collect();
        let shipments = shipments::shipments_of_order(db, id).await?;
        let ship_ids: Vec<Uuid> = shipments.iter().map(|s| s.id).collect();
        let shipment_batches = shipments::batches_of_shipments(db, &ship_ids).await?;
        let shipment_events = shipments::events_of_shipments(db, &ship_ids).await?;
        let tracking = shipments::subscriptions_of_shipments(db, &ship_ids).await?;
        let reviews = reviews::reviews_of_order(db, id).await?;
        let refunds = payments::refunds_of_order(db, id).await?;
        let catch_weights = crate::store::queries::catch_weights::of_order(db, id).await?;
        let approval = crate::store::queries::approvals::of_order(db, id).await?;
        let extra_charges = crate::store::queries::extra_charges::of_order(db, id).await?;
        let listing_ids: Vec<ListingId> = lines.iter().map(|l| ListingId(l.listing_id)).collect();
        let thumbs = self
            .catalog()
            .thumbnails(&listing_ids)
            .await?
            .into_iter()
            .map(|(k, v)| (k.as_uuid(), v))
            .collect();
        Ok(Some(OrderRecord {
            order: o,
            subs,
            lines,
            events,
            payments,
            seller_names,
            shipments,
            shipment_batches,
            shipment_events,
            tracking,
            reviews,
            refunds,
            thumbs,
            catch_weights,
            approval,
            extra_charges,
        }))
    }

    /// Orders by id, in that order (ids no longer there are skipped).
    pub(crate) async fn records(&self, ids: Vec<Uuid>) -> Result<Vec<OrderRecord>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = self.record(OrderId(id)).await? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// An order that must exist (it was just read or written).
    pub(crate) async fn existing(&self, id: OrderId) -> Result<OrderRecord> {
        self.record(id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Order))
    }

    /// An order as `actor` may see it: the buyer, a seller with a part in it, or the operator.
    #[tracing::instrument(skip_all, fields(order.id = %id))]
    pub async fn order_for(&self, actor: &Actor, id: OrderId) -> Result<OrderRecord> {
        let record = self.existing(id).await?;
        let buyer = record.order.buyer_account_id == actor.account_id.as_uuid();
        let seller = record
            .subs
            .iter()
            .any(|s| actor.membership(OrgId(s.seller_org_id)).is_some());
        if buyer || seller || actor.is_platform_staff() || actor.is_finance() {
            Ok(record)
        } else {
            Err(OrdersError::NotFound(Missing::Order))
        }
    }

    /// The buyer's orders, newest first.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn my_orders(&self, actor: &Actor, page: Page) -> Result<Paged<OrderRecord>> {
        let (ids, total) = q::order_ids_of_buyer(
            &self.infra().db,
            actor.account_id.as_uuid(),
            page.offset(),
            page.limit(),
        )
        .await?;
        Ok(Paged::new(self.records(ids).await?, total, page))
    }

    /// Every order, for the operator (and after-sales agents, platform finance), narrowed by
    /// the platform filter.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn all_orders(
        &self,
        actor: &Actor,
        filter: &PlatformOrderFilter,
        page: Page,
    ) -> Result<Paged<OrderRecord>> {
        // Finance too: it finds the offline orders waiting for their money here.
        if !actor.is_finance() {
            actor.require_platform_staff()?;
        }
        let (ids, total) = q::order_ids(
            &self.infra().db,
            filter,
            self.now(),
            page.offset(),
            page.limit(),
        )
        .await?;
        Ok(Paged::new(self.records(ids).await?, total, page))
    }

    /// A seller's sub-orders (members and the operator), newest first, narrowed by the filter
    /// (status, ship-by state, payment days, a search text).
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn seller_sub_orders(
        &self,
        actor: &Actor,
        org: OrgId,
        filter: &OrderFilter,
        page: Page,
    ) -> Result<Paged<(sub_order::Model, OrderRecord)>> {
        actor.require_member_or_operator(org)?;
        let (subs, total) = q::paid_sub_orders_of_seller(
            &self.infra().db,
            org.as_uuid(),
            filter,
            self.now(),
            page.offset(),
            page.limit(),
        )
        .await?;
        let mut out = Vec::with_capacity(subs.len());
        for s in subs {
            if let Some(r) = self.record(OrderId(s.order_id)).await? {
                out.push((s, r));
            }
        }
        Ok(Paged::new(out, total, page))
    }
}
