//! Traceability use cases: batches and their chain, attachments, unit codes, scans, the public
//! record, verification and the daily digest.

use crate::Trace;
use crate::chain::{self, GENESIS, StoredEvent};
use crate::domain::{self, CertificateBasis, EventKind};
use crate::error::{Result, TraceError};
use crate::store::{attachment, batch, digest, event, scan, unit};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use farmgate_catalog::service::ListingBundle;
use farmgate_identity::{Actor, OrgSummary, PlatformRole};
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::id::{ListingId, OrgId};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, Phone, ValidationErrors};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// Outbox topics.
pub mod topics {
    /// `{"cutoff"}`: time to publish the daily digest (a scheduled job).
    pub const DIGEST_DUE: &str = "trace.digest.due";
    /// `{"batch_id", "code"}`: a batch's record changed (caches, statistics).
    pub const BATCH_CHANGED: &str = "trace.batch.changed";
}

/// Largest attachment (lab reports, photos).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Unit codes per request.
pub const MAX_UNITS_PER_REQUEST: i64 = 5000;

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlotInput {
    pub village: String,
    /// 地块名称, e.g. 3号果园.
    pub name: String,
    /// Degrees, WGS-84; both or neither.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lng: Option<f64>,
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Commitments {
    pub no_banned_substances: bool,
    pub withdrawal_respected: bool,
    pub residues_within_limits: bool,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    /// Defaults to the listing's title.
    #[serde(default)]
    pub product_name: Option<String>,
    /// Defaults to the seller's name.
    #[serde(default)]
    pub issuer: Option<String>,
    pub contact_phone: String,
    pub basis: CertificateBasis,
    pub commitments: Commitments,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatchRequest {
    /// Defaults to the harvest date and a number (`20261120-1`).
    #[serde(default)]
    pub lot: Option<String>,
    /// When the lot began (planting, flowering): no record may be earlier.
    pub started_on: NaiveDate,
    pub harvest_date: NaiveDate,
    pub quantity: i64,
    pub quantity_unit: String,
    pub plot: PlotInput,
    pub certificate: CertificateInput,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEventRequest {
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    #[serde(default)]
    pub data: Value,
    /// Ids of attachments uploaded to this batch.
    #[serde(default)]
    pub attachments: Vec<Uuid>,
}

/// A batch in its seller's list.
#[derive(Clone, Debug)]
pub struct BatchListed {
    pub batch: batch::Model,
    pub product_name: String,
    /// Open, with a latest inspection that passed: it may go into a parcel.
    pub shippable: bool,
}

/// A batch with its whole record, as read from the database.
#[derive(Clone, Debug)]
pub struct Record {
    pub batch: batch::Model,
    pub events: Vec<event::Model>,
    pub verification: Result<String, chain::Break>,
    pub listing: Option<ListingBundle>,
    pub seller: Option<OrgSummary>,
}

impl Record {
    /// The created event's data: the batch's facts and certificate, as verified by the chain.
    pub fn facts(&self) -> Value {
        self.events
            .first()
            .map(|e| e.body["data"].clone())
            .unwrap_or(Value::Null)
    }
}

fn seconds(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_opt(t.timestamp(), 0).single().unwrap_or(t)
}

/// 00:00 Beijing time of a calendar day, in UTC.
pub fn start_of_day(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0)
        .and_then(|n| shanghai().from_local_datetime(&n).single())
        .map_or_else(
            || Utc.timestamp_opt(0, 0).single().unwrap_or_default(),
            |t| t.with_timezone(&Utc),
        )
}

/// The Beijing calendar day of an instant.
pub fn shanghai_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&shanghai()).date_naive()
}

fn stored(events: &[event::Model]) -> Vec<StoredEvent> {
    events
        .iter()
        .map(|e| StoredEvent {
            seq: i64::from(e.seq),
            body: e.body.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        })
        .collect()
}

/// Degrees to integer micro-degrees (the chain holds integers only); China's bounding box.
fn micro_degrees(lat: f64, lng: f64) -> Result<(i64, i64), FieldError> {
    let ok = (3.0..=54.0).contains(&lat) && (73.0..=136.0).contains(&lng);
    if !ok {
        return Err(FieldError::new(
            "plot.lat",
            "out_of_range",
            "坐标不在中国境内",
            "the coordinates are not in China",
        ));
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "bounded by the range check above"
    )]
    Ok(((lat * 1e6).round() as i64, (lng * 1e6).round() as i64))
}

impl Trace {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }

    /// A batch a member of its seller (or the operator, read-only) may see.
    async fn batch_for(&self, actor: &Actor, id: Uuid) -> Result<batch::Model> {
        let b = batch::Entity::find_by_id(id)
            .one(&self.infra().db)
            .await?
            .ok_or(TraceError::not_found("批次", "batch"))?;
        // After-sales agents and county officials read batches too (a recall names one).
        if actor
            .require_platform(&[PlatformRole::AfterSalesAgent, PlatformRole::Official])
            .is_err()
        {
            actor.require_member_or_operator(OrgId(b.seller_org_id))?;
        }
        Ok(b)
    }

    /// A batch its seller is about to change.
    async fn batch_for_seller(&self, actor: &Actor, id: Uuid) -> Result<batch::Model> {
        let b = batch::Entity::find_by_id(id)
            .one(&self.infra().db)
            .await?
            .ok_or(TraceError::not_found("批次", "batch"))?;
        if actor.membership(OrgId(b.seller_org_id)).is_none() {
            return Err(TraceError::Forbidden);
        }
        actor.require_selling_member(OrgId(b.seller_org_id))?;
        Ok(b)
    }

    /// Records a batch with its compliance certificate: event 0 of its chain, from whose hash
    /// the trace code is derived.
    pub async fn create_batch(
        &self,
        actor: &Actor,
        listing_id: Uuid,
        req: NewBatchRequest,
    ) -> Result<Record> {
        let bundle = self
            .catalog()
            .bundle(ListingId(listing_id))
            .await?
            .ok_or(TraceError::not_found("商品", "listing"))?;
        let org = OrgId(bundle.listing.seller_org_id);
        if actor.membership(org).is_none() {
            return Err(TraceError::Forbidden);
        }
        actor.require_selling_member(org)?;
        let seller = self.identity().ensure_can_sell(org).await?;
        let now = self.now();
        let today = shanghai_day(now);
        let mut errs = ValidationErrors::new();
        let lot = match req.lot.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) => {
                let ok = l.len() <= 40
                    && l.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                if !ok {
                    errs.push(FieldError::new(
                        "lot",
                        "invalid",
                        "批号只能用字母、数字和 - _ .，最多 40 位",
                        "letters, digits and - _ . only, at most 40",
                    ));
                }
                Some(l.to_owned())
            }
            None => None,
        };
        if req.started_on > req.harvest_date {
            errs.push(FieldError::new(
                "started_on",
                "after_harvest",
                "开始日期不能晚于采收日期",
                "the start cannot be after the harvest",
            ));
        }
        for (field, d) in [
            ("started_on", req.started_on),
            ("harvest_date", req.harvest_date),
        ] {
            if d > today {
                errs.push(FieldError::new(
                    field,
                    "in_future",
                    "日期不能晚于今天",
                    "the date cannot be in the future",
                ));
            }
            if d < today - Duration::days(3 * 366) {
                errs.push(FieldError::new(
                    field,
                    "too_old",
                    "日期太早（超过三年）",
                    "the date is more than three years ago",
                ));
            }
        }
        let unit = farmgate_catalog::domain::Unit::parse(&req.quantity_unit);
        if unit.is_none() {
            errs.push(FieldError::new(
                "quantity_unit",
                "invalid",
                "请选择单位",
                "choose a unit",
            ));
        }
        if !(1..=100_000_000).contains(&req.quantity) {
            errs.push(FieldError::new(
                "quantity",
                "out_of_range",
                "数量须在 1 到 1 亿之间",
                "between 1 and 100,000,000",
            ));
        }
        let village = errs.check("plot.village", clean_text(&req.plot.village, 1, 20, false));
        let plot_name = errs.check("plot.name", clean_text(&req.plot.name, 1, 60, false));
        let coords = match (req.plot.lat, req.plot.lng) {
            (Some(lat), Some(lng)) => errs.check("plot.lat", micro_degrees(lat, lng)).map(Some),
            (None, None) => Some(None),
            _ => {
                errs.push(FieldError::new(
                    "plot.lng",
                    "required",
                    "经纬度须同时填写",
                    "give both latitude and longitude",
                ));
                None
            }
        };
        let c = &req.certificate;
        let product_name = errs.check(
            "certificate.product_name",
            clean_text(
                c.product_name.as_deref().unwrap_or(&bundle.listing.title),
                1,
                60,
                false,
            ),
        );
        let issuer = errs.check(
            "certificate.issuer",
            clean_text(c.issuer.as_deref().unwrap_or(&seller.name), 1, 100, false),
        );
        let contact = errs.check("certificate.contact_phone", Phone::parse(&c.contact_phone));
        let m = &c.commitments;
        if !(m.no_banned_substances && m.withdrawal_respected && m.residues_within_limits) {
            errs.push(FieldError::new(
                "certificate.commitments",
                "required",
                "承诺达标合格证须作出全部三项承诺",
                "the certificate makes all three promises",
            ));
        }
        errs.finish()?;
        let (
            Some(village),
            Some(plot_name),
            Some(coords),
            Some(product_name),
            Some(issuer),
            Some(contact),
            Some(unit),
        ) = (
            village,
            plot_name,
            coords,
            product_name,
            issuer,
            contact,
            unit,
        )
        else {
            return Err(TraceError::Invalid(ValidationErrors::new()));
        };
        let existing = batch::Entity::find()
            .filter(batch::Column::ListingId.eq(listing_id))
            .count(&self.infra().db)
            .await?;
        let lot = lot
            .unwrap_or_else(|| format!("{}-{}", req.harvest_date.format("%Y%m%d"), existing + 1));
        let origin = farmgate_catalog::service::origin_of(&bundle.listing);
        let id = Uuid::now_v7();
        let occurred_at = start_of_day(req.started_on);
        let recorded_at = truncate(now);
        for nonce in 0..5u32 {
            let data = json!({
                "listing": listing_id,
                "seller": org.as_uuid(),
                "lot": lot,
                "product_name": product_name,
                "quantity": req.quantity,
                "quantity_unit": unit.as_str(),
                "started_on": req.started_on.to_string(),
                "harvest_date": req.harvest_date.to_string(),
                "origin": {
                    "province": origin.province, "city": origin.city, "county": origin.county,
                    "township": origin.township, "village": village.clone(),
                },
                "plot": { "name": plot_name, "lat_e6": coords.map(|c| c.0), "lng_e6": coords.map(|c| c.1) },
                "certificate": {
                    "issuer": issuer,
                    "contact_phone": contact.as_str(),
                    "issued_at": seconds(recorded_at),
                    "basis": c.basis,
                    "commitments": { "no_banned_substances": true, "withdrawal_respected": true, "residues_within_limits": true },
                },
                "nonce": nonce,
            });
            let body = json!({
                "batch": id, "seq": 0, "kind": EventKind::Created.as_str(),
                "occurred_at": seconds(occurred_at), "recorded_at": seconds(recorded_at),
                "actor": actor.account_id.as_uuid(), "data": data, "attachments": [],
            });
            let hash = chain::event_hash(GENESIS, &body)
                .ok_or_else(|| TraceError::Internal("encoding the first record".into()))?;
            let code = chain::trace_code(&hash)
                .ok_or_else(|| TraceError::Internal("deriving the code".into()))?;
            let txn = begin_write(&self.infra().db).await?;
            let inserted = batch::Entity::insert(batch::ActiveModel {
                id: Set(id),
                code: Set(code.clone()),
                listing_id: Set(listing_id),
                seller_org_id: Set(org.as_uuid()),
                lot: Set(lot.clone()),
                started_on: Set(req.started_on),
                status: Set("open".to_owned()),
                head_hash: Set(hash.clone()),
                event_count: Set(1),
                last_event_at: Set(occurred_at),
                scans: Set(0),
                units_issued: Set(0),
                created_by: Set(actor.account_id.as_uuid()),
                created_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await;
            match inserted {
                Ok(_) => {}
                Err(e) => {
                    let which = unique_violation(&e).unwrap_or_default();
                    drop(txn);
                    if which.contains("code") {
                        continue; // a 75-bit collision: a new nonce, a new first hash
                    }
                    if which.contains("lot") {
                        return Err(TraceError::Taken {
                            field: "lot",
                            zh: "该商品已有相同批号的批次",
                            en: "this listing already has a batch with that lot",
                        });
                    }
                    return Err(e.into());
                }
            }
            event::Entity::insert(event::ActiveModel {
                id: Set(Uuid::now_v7()),
                batch_id: Set(id),
                seq: Set(0),
                kind: Set(EventKind::Created.as_str().to_owned()),
                occurred_at: Set(occurred_at),
                recorded_at: Set(recorded_at),
                actor_id: Set(actor.account_id.as_uuid()),
                body: Set(body),
                prev_hash: Set(GENESIS.to_owned()),
                hash: Set(hash),
            })
            .exec_without_returning(&txn)
            .await?;
            self.infra()
                .outbox
                .enqueue(
                    &txn,
                    topics::BATCH_CHANGED,
                    &json!({ "batch_id": id, "code": code }),
                )
                .await?;
            txn.commit().await?;
            self.infra().outbox.wake();
            return self
                .record(id)
                .await?
                .ok_or(TraceError::not_found("批次", "batch"));
        }
        Err(TraceError::Internal(
            "could not find a free trace code".into(),
        ))
    }

    /// Loads a batch's whole record and verifies its chain.
    pub async fn record(&self, id: Uuid) -> Result<Option<Record>> {
        let Some(b) = batch::Entity::find_by_id(id).one(&self.infra().db).await? else {
            return Ok(None);
        };
        self.record_of(b).await.map(Some)
    }

    /// The record behind a trace code (any spelling people type).
    pub async fn record_by_code(&self, code: &str) -> Result<Option<Record>> {
        let Some(code) = chain::parse_code(code) else {
            return Ok(None);
        };
        let Some(b) = batch::Entity::find()
            .filter(batch::Column::Code.eq(code))
            .one(&self.infra().db)
            .await?
        else {
            return Ok(None);
        };
        self.record_of(b).await.map(Some)
    }

    async fn record_of(&self, b: batch::Model) -> Result<Record> {
        let events = event::Entity::find()
            .filter(event::Column::BatchId.eq(b.id))
            .order_by_asc(event::Column::Seq)
            .all(&self.infra().db)
            .await?;
        let verification = chain::verify(&b.code, &stored(&events));
        let listing = self.catalog().bundle(ListingId(b.listing_id)).await?;
        let seller = self.identity().org_summary(OrgId(b.seller_org_id)).await?;
        Ok(Record {
            batch: b,
            events,
            verification,
            listing,
            seller,
        })
    }

    /// A batch with its record, for its seller and the operator.
    pub async fn detail(&self, actor: &Actor, id: Uuid) -> Result<Record> {
        let b = self.batch_for(actor, id).await?;
        self.record_of(b).await
    }

    /// An organisation's batches, newest first.
    /// A seller's batches, newest first, each with its product name and whether it may go into
    /// a parcel now (open, and its latest inspection passed).
    pub async fn batches_of(&self, actor: &Actor, org: OrgId) -> Result<Vec<BatchListed>> {
        actor.require_member_or_operator(org)?;
        let db = &self.infra().db;
        let list = batch::Entity::find()
            .filter(batch::Column::SellerOrgId.eq(org.as_uuid()))
            .order_by_desc(batch::Column::CreatedAt)
            .limit(500)
            .all(db)
            .await?;
        let mut out = Vec::with_capacity(list.len());
        for b in list {
            let product_name = event::Entity::find()
                .filter(event::Column::BatchId.eq(b.id))
                .filter(event::Column::Seq.eq(0))
                .one(db)
                .await?
                .and_then(|e| e.body["data"]["product_name"].as_str().map(str::to_owned))
                .unwrap_or_default();
            let inspected = event::Entity::find()
                .filter(event::Column::BatchId.eq(b.id))
                .filter(event::Column::Kind.eq(EventKind::Inspection.as_str()))
                .order_by_desc(event::Column::Seq)
                .one(db)
                .await?
                .is_some_and(|e| e.body["data"]["result"] == "pass");
            out.push(BatchListed {
                shippable: inspected && b.status == "open",
                batch: b,
                product_name,
            });
        }
        Ok(out)
    }

    /// Stores a lab report or photo for later events. PDFs and images only, by their bytes.
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        batch_id: Uuid,
        name: &str,
        bytes: bytes::Bytes,
    ) -> Result<attachment::Model> {
        let b = self.batch_for_seller(actor, batch_id).await?;
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(TraceError::TooLarge);
        }
        let (content_type, ext) = if bytes.starts_with(b"%PDF-") {
            ("application/pdf", "pdf")
        } else {
            match farmgate_catalog::images::sniff(&bytes) {
                Some(k) => (k.content_type(), k.extension()),
                None => return Err(TraceError::UnsupportedFile),
            }
        };
        let name: String = name
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
            .take(120)
            .collect::<String>()
            .trim()
            .to_owned();
        let name = if name.is_empty() {
            format!("attachment.{ext}")
        } else {
            name
        };
        let id = Uuid::now_v7();
        let key = ObjectKey::parse(&format!("public/trace/{}/{id}.{ext}", b.id))
            .map_err(|e| TraceError::Internal(e.to_string()))?;
        let stored = self.infra().objects.put(&key, bytes, content_type).await?;
        let model = attachment::Model {
            id,
            batch_id: b.id,
            object_key: key.to_string(),
            name,
            content_type: content_type.to_owned(),
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            sha256: stored.sha256,
            uploaded_by: actor.account_id.as_uuid(),
            created_at: self.now(),
        };
        attachment::Entity::insert(attachment::ActiveModel::from(model.clone()))
            .exec_without_returning(&self.infra().db)
            .await?;
        Ok(model)
    }

    /// Appends an event to a batch's chain, after the domain rules.
    pub async fn append(
        &self,
        actor: &Actor,
        batch_id: Uuid,
        req: NewEventRequest,
    ) -> Result<event::Model> {
        let b = self.batch_for_seller(actor, batch_id).await?;
        if req.kind == EventKind::Recall {
            return Err(TraceError::field(FieldError::new(
                "kind",
                "not_allowed",
                "召回由平台或主管部门发起（POST /api/v1/batches/{id}/recall）",
                "a recall is ordered through POST /api/v1/batches/{id}/recall",
            )));
        }
        let data = domain::parse_event_data(req.kind, &req.data)?;
        let occurred_at = truncate(req.occurred_at);
        let now = self.now();
        let events = event::Entity::find()
            .filter(event::Column::BatchId.eq(b.id))
            .order_by_asc(event::Column::Seq)
            .all(&self.infra().db)
            .await?;
        let previous = events.iter().skip(1).last().map(|e| e.occurred_at);
        let mut errs = ValidationErrors::new();
        errs.check(
            "occurred_at",
            domain::check_time(occurred_at, now, b.started_on, previous),
        );
        if req.kind == EventKind::Harvest {
            let uses = domain::pesticide_uses(events.iter().filter_map(|e| {
                EventKind::parse(&e.kind).map(|k| (k, e.occurred_at, &e.body["data"]))
            }));
            errs.check(
                "occurred_at",
                domain::check_safe_interval(occurred_at, &uses),
            );
        }
        if req.attachments.len() > 10 {
            errs.push(FieldError::new(
                "attachments",
                "too_many",
                "每条记录最多 10 个附件",
                "at most 10 attachments a record",
            ));
        }
        let mut files = Vec::new();
        if !req.attachments.is_empty() {
            let found = attachment::Entity::find()
                .filter(attachment::Column::Id.is_in(req.attachments.clone()))
                .filter(attachment::Column::BatchId.eq(b.id))
                .all(&self.infra().db)
                .await?;
            for id in &req.attachments {
                match found.iter().find(|a| a.id == *id) {
                    Some(a) => files.push(json!({
                        "name": a.name, "content_type": a.content_type, "size": a.size_bytes,
                        "sha256": a.sha256, "key": a.object_key,
                    })),
                    None => errs.push(FieldError::new(
                        "attachments",
                        "not_found",
                        "附件不存在或不属于本批次",
                        "an attachment is missing or belongs to another batch",
                    )),
                }
            }
        }
        errs.finish()?;
        let txn = begin_write(&self.infra().db).await?;
        let model = self
            .write_chained(
                &txn,
                &b,
                &events,
                req.kind,
                data,
                files,
                actor.account_id.as_uuid(),
                occurred_at,
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.forget_page(&b.code).await;
        Ok(model)
    }

    /// Appends a record the system writes for another service (a shipment packed from the
    /// batch), inside that service's transaction, so the order and the chain change together.
    /// Returns the batch's trace code; the caller forgets its cached page after committing.
    #[expect(
        clippy::too_many_arguments,
        reason = "one record, written by another service"
    )]
    pub async fn append_system<C: ConnectionTrait>(
        &self,
        conn: &C,
        batch_id: Uuid,
        kind: EventKind,
        data: Value,
        actor_id: Uuid,
        occurred_at: DateTime<Utc>,
        seller_org: OrgId,
    ) -> Result<String> {
        let b = batch::Entity::find_by_id(batch_id)
            .one(conn)
            .await?
            .ok_or(TraceError::not_found("批次", "batch"))?;
        if b.seller_org_id != seller_org.as_uuid() {
            return Err(TraceError::Forbidden);
        }
        let data = domain::parse_event_data(kind, &data)?;
        let events = event::Entity::find()
            .filter(event::Column::BatchId.eq(b.id))
            .order_by_asc(event::Column::Seq)
            .all(conn)
            .await?;
        self.write_chained(
            conn,
            &b,
            &events,
            kind,
            data,
            Vec::new(),
            actor_id,
            truncate(occurred_at),
        )
        .await?;
        Ok(b.code)
    }

    /// Hashes the next record onto a batch's chain and writes it with the batch's new head and
    /// its change event, on `conn` (a transaction the caller commits).
    #[expect(clippy::too_many_arguments, reason = "the parts of one chained record")]
    async fn write_chained<C: ConnectionTrait>(
        &self,
        conn: &C,
        b: &batch::Model,
        events: &[event::Model],
        kind: EventKind,
        data: Value,
        files: Vec<Value>,
        actor_id: Uuid,
        occurred_at: DateTime<Utc>,
    ) -> Result<event::Model> {
        let now = self.now();
        let seq = i32::try_from(events.len()).unwrap_or(i32::MAX);
        let prev = events
            .last()
            .map_or_else(|| GENESIS.to_owned(), |e| e.hash.clone());
        let recorded_at = truncate(now);
        let body = json!({
            "batch": b.id, "seq": seq, "kind": kind.as_str(),
            "occurred_at": seconds(occurred_at), "recorded_at": seconds(recorded_at),
            "actor": actor_id, "data": data, "attachments": files,
        });
        let hash = chain::event_hash(&prev, &body)
            .ok_or_else(|| TraceError::Internal("encoding the record".into()))?;
        let mut inspections: Vec<bool> = events
            .iter()
            .filter(|e| e.kind == EventKind::Inspection.as_str())
            .map(|e| e.body["data"]["result"] == "pass")
            .collect();
        if kind == EventKind::Inspection {
            inspections.push(data["result"] == "pass");
        }
        // A recall is final: later records (a retest) never reopen the batch.
        let status = if kind == EventKind::Recall || b.status == "recalled" {
            "recalled"
        } else if domain::shippable(&inspections) {
            "open"
        } else {
            "blocked"
        };
        let model = event::Model {
            id: Uuid::now_v7(),
            batch_id: b.id,
            seq,
            kind: kind.as_str().to_owned(),
            occurred_at,
            recorded_at,
            actor_id,
            body,
            prev_hash: prev,
            hash: hash.clone(),
        };
        // The unique (batch, seq) index turns a concurrent append into a clear conflict.
        event::Entity::insert(event::ActiveModel::from(model.clone()))
            .exec_without_returning(conn)
            .await
            .map_err(|e| match unique_violation(&e) {
                Some(_) => TraceError::conflict(
                    "concurrent_update",
                    "另一条记录刚刚写入，请重试",
                    "another record was just written; please retry",
                ),
                None => e.into(),
            })?;
        batch::Entity::update_many()
            .col_expr(batch::Column::HeadHash, Expr::value(hash))
            .col_expr(batch::Column::EventCount, Expr::value(seq + 1))
            .col_expr(batch::Column::LastEventAt, Expr::value(occurred_at))
            .col_expr(batch::Column::Status, Expr::value(status))
            .filter(batch::Column::Id.eq(b.id))
            .exec(conn)
            .await?;
        self.infra()
            .outbox
            .enqueue(
                conn,
                topics::BATCH_CHANGED,
                &json!({ "batch_id": b.id, "code": b.code }),
            )
            .await?;
        Ok(model)
    }

    /// Issues per-box serial codes (一物一码).
    pub async fn issue_units(
        &self,
        actor: &Actor,
        batch_id: Uuid,
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
        if i64::from(b.units_issued) + count > 100_000 {
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
        let claimed = batch::Entity::update_many()
            .col_expr(
                batch::Column::UnitsIssued,
                Expr::value(start + i32::try_from(count).unwrap_or(0)),
            )
            .filter(batch::Column::Id.eq(b.id))
            .filter(batch::Column::UnitsIssued.eq(start))
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            return Err(TraceError::conflict(
                "busy",
                "刚刚有人同时生成了单品码，请刷新后再试",
                "unit codes were being issued at the same moment; refresh and try again",
            ));
        }
        for chunk in rows.chunks(500) {
            unit::Entity::insert_many(chunk.iter().cloned().map(unit::ActiveModel::from))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(rows)
    }

    pub async fn units(&self, actor: &Actor, batch_id: Uuid) -> Result<Vec<unit::Model>> {
        let b = self.batch_for(actor, batch_id).await?;
        Ok(unit::Entity::find()
            .filter(unit::Column::BatchId.eq(b.id))
            .order_by_asc(unit::Column::N)
            .limit(100_000)
            .all(&self.infra().db)
            .await?)
    }

    /// A box scanned: counts it durably (the first scan's time is the anti-counterfeit hint).
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
        let res = unit::Entity::update_many()
            .col_expr(unit::Column::Scans, Expr::col(unit::Column::Scans).add(1))
            .filter(unit::Column::BatchId.eq(record.batch.id))
            .filter(unit::Column::Serial.eq(serial.clone()))
            .exec(db)
            .await?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        unit::Entity::update_many()
            .col_expr(unit::Column::FirstScannedAt, Expr::value(Some(now)))
            .filter(unit::Column::Serial.eq(serial.clone()))
            .filter(unit::Column::FirstScannedAt.is_null())
            .exec(db)
            .await?;
        self.scans().record(record.batch.id, shanghai_day(now));
        let u = unit::Entity::find()
            .filter(unit::Column::Serial.eq(serial))
            .one(db)
            .await?
            .ok_or(TraceError::not_found("单品码", "unit code"))?;
        Ok(Some((record, u)))
    }

    /// Whether a batch may go into a parcel: of this listing, with an intact chain and a latest
    /// inspection that passed. The orders service calls this before linking a shipment.
    pub async fn ensure_shippable(&self, batch_id: Uuid, listing_id: Uuid) -> Result<Record> {
        let record = self
            .record(batch_id)
            .await?
            .ok_or(TraceError::not_found("批次", "batch"))?;
        if record.batch.listing_id != listing_id {
            return Err(TraceError::conflict(
                "wrong_listing",
                "该批次不属于这个商品",
                "this batch is not of this listing",
            ));
        }
        if record.batch.status == "recalled" {
            return Err(TraceError::conflict(
                "batch_recalled",
                "该批次已召回，不能发货",
                "this batch is recalled and cannot be shipped",
            ));
        }
        if record.batch.status == "blocked" {
            return Err(TraceError::conflict(
                "batch_blocked",
                "该批次检测不合格，不能发货",
                "this batch failed its inspection and cannot be shipped",
            ));
        }
        let inspected = record
            .events
            .iter()
            .rfind(|e| e.kind == EventKind::Inspection.as_str())
            .is_some_and(|e| e.body["data"]["result"] == "pass");
        if !inspected {
            return Err(TraceError::conflict(
                "not_inspected",
                "该批次还没有合格的检测记录，检测合格后才能发货",
                "this batch has no passed inspection yet and cannot be shipped",
            ));
        }
        if record.verification.is_err() {
            return Err(TraceError::conflict(
                "chain_broken",
                "该批次溯源记录校验失败，不能发货",
                "this batch's record does not verify and cannot be shipped",
            ));
        }
        Ok(record)
    }

    /// The batch a GS1 Digital Link names: a GTIN of one of the listing's SKUs and the lot.
    pub async fn code_for_gs1(&self, gtin: &str, lot: &str) -> Result<Option<String>> {
        let listings: Vec<Uuid> = (self.catalog().listings_with_gtin(gtin).await?)
            .iter()
            .map(ListingId::as_uuid)
            .collect();
        if listings.is_empty() {
            return Ok(None);
        }
        let found = batch::Entity::find()
            .filter(batch::Column::ListingId.is_in(listings))
            .filter(batch::Column::Lot.eq(lot))
            .limit(2)
            .all(&self.infra().db)
            .await?;
        // A GTIN belongs to one brand owner, but nothing stops two sellers typing the same
        // one: when the link is ambiguous it leads nowhere rather than to someone else's lot.
        Ok(match found.as_slice() {
            [only] => Some(only.code.clone()),
            _ => None,
        })
    }

    /// Forgets the cached public page of a batch (after its record changed).
    pub async fn forget_page(&self, code: &str) {
        for lang in ["zh", "en"] {
            let _ = self
                .infra()
                .cache
                .delete(&crate::page::cache_key(code, lang))
                .await;
        }
    }

    /// Writes the scan counts gathered in memory to the database.
    pub async fn flush_scans(&self) -> Result<usize> {
        let pending: Vec<_> = self.scans().take().into_iter().collect();
        let n = pending.len();
        for (i, &((batch_id, day), count)) in pending.iter().enumerate() {
            if let Err(e) = self.write_scans(batch_id, day, count).await {
                // Nothing counted is lost: what was not written waits for the next flush.
                for &((b, d), c) in &pending[i..] {
                    self.scans().add(b, d, c);
                }
                return Err(e);
            }
        }
        Ok(n)
    }

    async fn write_scans(&self, batch_id: Uuid, day: NaiveDate, count: i64) -> Result<()> {
        let db = &self.infra().db;
        {
            scan::Entity::insert(scan::ActiveModel {
                batch_id: Set(batch_id),
                day: Set(day),
                scans: Set(count),
            })
            .on_conflict(
                OnConflict::columns([scan::Column::BatchId, scan::Column::Day])
                    .value(
                        scan::Column::Scans,
                        Expr::col((scan::Entity, scan::Column::Scans)).add(count),
                    )
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
            batch::Entity::update_many()
                .col_expr(
                    batch::Column::Scans,
                    Expr::col(batch::Column::Scans).add(count),
                )
                .filter(batch::Column::Id.eq(batch_id))
                .exec(db)
                .await?;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // The daily digest

    /// Every batch's head as of `cutoff`, as Merkle leaves sorted by code: the hash of its
    /// events recorded by then, recomputed from their bodies (never read from a stored column).
    /// Two queries whatever the number of batches; a record that no longer hashes at all gets
    /// a head no real hash can equal, so it cannot match a published root.
    async fn heads_at(&self, cutoff: DateTime<Utc>) -> Result<Vec<(String, String)>> {
        let db = &self.infra().db;
        let codes: HashMap<Uuid, String> = batch::Entity::find()
            .select_only()
            .column(batch::Column::Id)
            .column(batch::Column::Code)
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let rows: Vec<(Uuid, i32, Value)> = event::Entity::find()
            .select_only()
            .column(event::Column::BatchId)
            .column(event::Column::Seq)
            .column(event::Column::Body)
            .filter(event::Column::RecordedAt.lte(cutoff))
            .order_by_asc(event::Column::BatchId)
            .order_by_asc(event::Column::Seq)
            .into_tuple()
            .all(db)
            .await?;
        // Per batch: (next expected seq, running hash, or None once it stopped hashing).
        let mut running: HashMap<Uuid, (i32, Option<String>)> = HashMap::new();
        for (batch_id, seq, body) in rows {
            let entry = running
                .entry(batch_id)
                .or_insert((0, Some(GENESIS.to_owned())));
            // Only the unbroken prefix 0, 1, 2 … counts (a later event recorded early is not
            // part of the history as of the cutoff).
            if seq != entry.0 {
                continue;
            }
            entry.0 += 1;
            entry.1 = entry
                .1
                .as_deref()
                .and_then(|prev| chain::event_hash(prev, &body));
        }
        let mut heads = Vec::with_capacity(running.len());
        for (batch_id, (_, head)) in running {
            let Some(code) = codes.get(&batch_id) else {
                continue;
            };
            heads.push((
                code.clone(),
                head.unwrap_or_else(|| "unhashable".to_owned()),
            ));
        }
        heads.sort();
        Ok(heads)
    }

    /// Publishes the digest covering everything recorded up to `cutoff` (idempotent per cutoff).
    pub async fn publish_digest(&self, cutoff: DateTime<Utc>) -> Result<digest::Model> {
        let db = &self.infra().db;
        if let Some(existing) = digest::Entity::find()
            .filter(digest::Column::Cutoff.eq(cutoff))
            .one(db)
            .await?
        {
            return Ok(existing);
        }
        let heads = self.heads_at(cutoff).await?;
        let leaves: Vec<String> = heads
            .iter()
            .map(|(c, h)| chain::merkle_leaf(c, h))
            .collect();
        let root = chain::merkle_root(&leaves);
        let last = digest::Entity::find()
            .order_by_desc(digest::Column::Seq)
            .one(db)
            .await?;
        let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |d| (d.seq + 1, d.hash));
        let day = shanghai_day(cutoff - Duration::seconds(1)).to_string();
        let count = heads.len() as u64;
        let model = digest::Model {
            seq,
            day: day.clone(),
            cutoff,
            root: root.clone(),
            batch_count: i64::try_from(count).unwrap_or(i64::MAX),
            prev_hash: prev.clone(),
            hash: chain::digest_entry_hash(&day, &root, count, &prev),
            created_at: self.now(),
        };
        digest::Entity::insert(digest::ActiveModel::from(model.clone()))
            .exec_without_returning(db)
            .await?;
        tracing::info!(seq, day = %day, batches = count, root = %root, "trace digest published");
        Ok(model)
    }

    pub async fn digests(&self) -> Result<Vec<digest::Model>> {
        Ok(digest::Entity::find()
            .order_by_asc(digest::Column::Seq)
            .all(&self.infra().db)
            .await?)
    }

    /// Recomputes every published digest from the records as they are now. A rewrite of any
    /// batch's history before a digest's cutoff changes its recomputed root.
    pub async fn verify_digests(&self) -> Result<Vec<DigestCheck>> {
        let mut out = Vec::new();
        let mut prev = GENESIS.to_owned();
        for d in self.digests().await? {
            let heads = self.heads_at(d.cutoff).await?;
            let leaves: Vec<String> = heads
                .iter()
                .map(|(c, h)| chain::merkle_leaf(c, h))
                .collect();
            let root = chain::merkle_root(&leaves);
            let entry = chain::digest_entry_hash(
                &d.day,
                &d.root,
                u64::try_from(d.batch_count).unwrap_or(0),
                &d.prev_hash,
            );
            out.push(DigestCheck {
                seq: d.seq,
                day: d.day.clone(),
                root_matches: root == d.root,
                log_intact: entry == d.hash && d.prev_hash == prev,
                published_root: d.root.clone(),
                recomputed_root: root,
            });
            prev = d.hash.clone();
        }
        Ok(out)
    }

    /// A proof that a batch's head as of a digest is in that digest's root.
    pub async fn proof(&self, code: &str, digest_seq: i64) -> Result<Option<Proof>> {
        let Some(code) = chain::parse_code(code) else {
            return Ok(None);
        };
        let Some(d) = digest::Entity::find_by_id(digest_seq)
            .one(&self.infra().db)
            .await?
        else {
            return Ok(None);
        };
        let heads = self.heads_at(d.cutoff).await?;
        let Some(index) = heads.iter().position(|(c, _)| *c == code) else {
            return Ok(None);
        };
        let leaves: Vec<String> = heads
            .iter()
            .map(|(c, h)| chain::merkle_leaf(c, h))
            .collect();
        Ok(Some(Proof {
            digest_seq: d.seq,
            day: d.day,
            root: d.root,
            head: heads[index].1.clone(),
            leaf: leaves[index].clone(),
            path: chain::merkle_proof(&leaves, index)
                .into_iter()
                .map(|(hash, left)| ProofStep { hash, left })
                .collect(),
        }))
    }

    /// Schedules the next daily digest unless one is already waiting.
    pub async fn schedule_digest(&self) -> Result<()> {
        use farmgate_infra::outbox::entity::event as outbox_event;
        let waiting = outbox_event::Entity::find()
            .filter(outbox_event::Column::Topic.eq(topics::DIGEST_DUE))
            .filter(outbox_event::Column::DeliveredAt.is_null())
            .count(&self.infra().db)
            .await?;
        if waiting > 0 {
            return Ok(());
        }
        let next = start_of_day(shanghai_day(self.now()) + Duration::days(1));
        self.infra()
            .outbox
            .enqueue_at(
                &self.infra().db,
                topics::DIGEST_DUE,
                &json!({ "cutoff": next }),
                next,
            )
            .await?;
        Ok(())
    }
}

/// How one published digest compares with the records now.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DigestCheck {
    pub seq: i64,
    pub day: String,
    /// The records still hash to the published root.
    pub root_matches: bool,
    /// The log entry chains to the one before and hashes to itself.
    pub log_intact: bool,
    pub published_root: String,
    pub recomputed_root: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProofStep {
    pub hash: String,
    /// The sibling is on the left.
    pub left: bool,
}

/// A Merkle inclusion proof of a batch's head in a digest.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Proof {
    pub digest_seq: i64,
    pub day: String,
    pub root: String,
    pub head: String,
    pub leaf: String,
    pub path: Vec<ProofStep>,
}
