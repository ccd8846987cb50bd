//! SKUs: prices, stock and tiers apply at once (no review), and every change is logged.

use super::writing::{MAX_SKUS, sku_fields, too_many_skus};
use super::{SkuPatch, SkuRequest, tiers_of};
use crate::Catalog;
use crate::domain::{self, SkuChangeField, SkuInput, Tier};
use crate::error::{CatalogError, Missing, Result};
use crate::store::queries::listings;
use crate::store::queries::skus::{self, SkuChange};
use crate::store::sku;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{ListingId, SkuId};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{Money, ValidationErrors};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;

impl Catalog {
    /// Adds a SKU to a listing (its seller), logged as `created`.
    #[tracing::instrument(skip_all, fields(listing.id = %listing_id, sku.id = tracing::field::Empty))]
    pub async fn add_sku(
        &self,
        actor: &Actor,
        listing_id: ListingId,
        req: SkuRequest,
    ) -> Result<sku::Model> {
        let _ = self.listing_for_seller(actor, listing_id).await?;
        let mut errs = ValidationErrors::new();
        let parsed = SkuInput::parse("", &sku_fields(&req), &mut errs);
        errs.finish()?;
        let Some(parsed) = parsed else {
            return Err(CatalogError::Invalid(ValidationErrors::new()));
        };
        // Counted inside the write transaction with the listing row locked, so requests sent
        // together cannot all see room for one more.
        let txn = begin_write(&self.infra().db).await?;
        listings::lock(&txn, listing_id).await?;
        let count = skus::count(&txn, listing_id).await?;
        if count >= MAX_SKUS {
            return Err(CatalogError::field(too_many_skus()));
        }
        let created = self
            .insert_sku(&txn, listing_id, &parsed, i32::try_from(count).unwrap_or(0))
            .await?;
        tracing::Span::current().record("sku.id", tracing::field::display(created.id));
        let shown = format!("{} ¥{}", created.name, Money::from_fen(created.price_fen));
        self.log(&txn, &created, SkuChangeField::Created, "", &shown, actor)
            .await?;
        self.publish(&txn, listing_id).await?;
        self.commit(txn).await?;
        Ok(created)
    }

    /// Changes a SKU's price, stock, tiers or other facts (its seller). Tiers are checked
    /// against the new retail price, so a price cut below a tier is caught.
    #[tracing::instrument(skip_all, fields(sku.id = %sku_id, listing.id = tracing::field::Empty))]
    pub async fn update_sku(
        &self,
        actor: &Actor,
        sku_id: SkuId,
        patch: SkuPatch,
    ) -> Result<sku::Model> {
        let current = skus::by_id(&self.infra().db, sku_id)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Sku))?;
        let listing_id = ListingId(current.listing_id);
        tracing::Span::current().record("listing.id", tracing::field::display(listing_id));
        let _ = self.listing_for_seller(actor, listing_id).await?;
        let mut errs = ValidationErrors::new();
        let plan = plan_sku(None, &current, &patch, &mut errs);
        errs.finish()?;
        let Some(plan) = plan else {
            return Err(CatalogError::Invalid(ValidationErrors::new()));
        };
        let txn = begin_write(&self.infra().db).await?;
        let updated = self.apply_sku(&txn, current, plan, actor).await?;
        self.publish(&txn, listing_id).await?;
        self.commit(txn).await?;
        Ok(updated)
    }

    /// Writes a checked change of a SKU in the caller's transaction, logging price, stock,
    /// tiers and on-sale changes.
    pub(super) async fn apply_sku(
        &self,
        conn: &impl ConnectionTrait,
        current: sku::Model,
        plan: SkuPlan,
        actor: &Actor,
    ) -> Result<sku::Model> {
        let SkuPlan {
            price,
            stock,
            name,
            weight,
            net,
            catch,
            gtin,
            tiers,
            active: new_active,
            sort_order,
        } = plan;
        let old_tiers = tiers_of(&current);
        if price.fen() != current.price_fen {
            let (old, new) = (current.price_fen.to_string(), price.fen().to_string());
            self.log(conn, &current, SkuChangeField::Price, &old, &new, actor)
                .await?;
        }
        if stock != current.stock {
            let (old, new) = (current.stock.to_string(), stock.to_string());
            self.log(conn, &current, SkuChangeField::Stock, &old, &new, actor)
                .await?;
        }
        if tiers != old_tiers {
            let show = |t: &[Tier]| serde_json::to_string(t).unwrap_or_default();
            let (old, new) = (show(&old_tiers), show(&tiers));
            self.log(conn, &current, SkuChangeField::Tiers, &old, &new, actor)
                .await?;
        }
        if let Some(a) = new_active
            && a != current.active
        {
            let (old, new) = (current.active.to_string(), a.to_string());
            self.log(conn, &current, SkuChangeField::Active, &old, &new, actor)
                .await?;
        }
        let mut active: sku::ActiveModel = current.into();
        active.name = Set(name);
        active.price_fen = Set(price.fen());
        active.stock = Set(stock);
        active.weight_grams = Set(weight);
        active.net_weight_grams = Set(net);
        active.catch_tolerance_permille = Set(catch);
        active.gtin = Set(gtin);
        active.tiers = Set(serde_json::to_value(&tiers).unwrap_or_else(|_| json!([])));
        if let Some(a) = new_active {
            active.active = Set(a);
        }
        if let Some(o) = sort_order {
            active.sort_order = Set(o);
        }
        active.updated_at = Set(self.now());
        Ok(active.update(conn).await?)
    }

    /// Writes a new SKU row at position `order`.
    pub(super) async fn insert_sku(
        &self,
        conn: &impl ConnectionTrait,
        listing_id: ListingId,
        s: &SkuInput,
        order: i32,
    ) -> Result<sku::Model> {
        let now = self.now();
        let model = sku::Model {
            id: SkuId::new().as_uuid(),
            listing_id: listing_id.as_uuid(),
            name: s.name.clone(),
            unit: s.unit,
            price_fen: s.price.fen(),
            stock: s.stock,
            weight_grams: s.weight_grams,
            net_weight_grams: s.net_weight_grams,
            catch_tolerance_permille: s.catch_tolerance_permille,
            gtin: s.gtin.clone(),
            tiers: serde_json::to_value(&s.tiers).unwrap_or_else(|_| json!([])),
            active: true,
            sort_order: order,
            created_at: now,
            updated_at: now,
        };
        skus::insert(conn, &model).await?;
        Ok(model)
    }

    pub(super) async fn log(
        &self,
        conn: &impl ConnectionTrait,
        s: &sku::Model,
        field: SkuChangeField,
        old: &str,
        new: &str,
        actor: &Actor,
    ) -> Result<()> {
        skus::log_change(
            conn,
            SkuChange {
                sku: s,
                field,
                old,
                new,
                actor: actor.account_id,
                at: self.now(),
            },
        )
        .await?;
        Ok(())
    }
}

/// A SKU change, checked and ready to write.
pub(super) struct SkuPlan {
    price: Money,
    stock: i64,
    name: String,
    weight: i32,
    net: Option<i32>,
    catch: Option<i32>,
    gtin: Option<String>,
    tiers: Vec<Tier>,
    active: Option<bool>,
    /// Set by the whole-listing save, which orders the SKUs as sent.
    pub(super) sort_order: Option<i32>,
}

/// Checks a change of `current`; problems go into `errs` under `prefix` (`skus[2]`) or bare
/// names. Tiers are checked against the new retail price, so a price cut below a tier is caught.
pub(super) fn plan_sku(
    prefix: Option<&str>,
    current: &sku::Model,
    patch: &SkuPatch,
    errs: &mut ValidationErrors,
) -> Option<SkuPlan> {
    let n = |f: &str| match prefix {
        Some(p) => format!("{p}.{f}"),
        None => f.to_owned(),
    };
    let price = match patch.price {
        Some(p) => errs.check(&n("price"), domain::parse_price(&n("price"), p)),
        None => Some(Money::from_fen(current.price_fen)),
    };
    let stock = match patch.stock {
        Some(s) => errs.check(&n("stock"), domain::parse_stock(&n("stock"), s)),
        None => Some(current.stock),
    };
    let name = match &patch.name {
        Some(v) => errs.check(&n("name"), clean_text(v, 1, 30, false)),
        None => Some(current.name.clone()),
    };
    let weight = match patch.weight_grams {
        Some(w) => errs.check(
            &n("weight_grams"),
            domain::parse_weight(&n("weight_grams"), w),
        ),
        None => Some(current.weight_grams),
    };
    let net = match patch.net_weight_grams {
        // 0 clears it.
        Some(0) => Some(None),
        Some(w) => errs
            .check(
                &n("net_weight_grams"),
                domain::parse_weight(&n("net_weight_grams"), w),
            )
            .map(Some),
        None => Some(current.net_weight_grams),
    };
    let catch = match patch.catch_tolerance_permille {
        // 0 sells it by a fixed weight again.
        Some(0) => Some(None),
        Some(t) => errs
            .check(
                &n("catch_tolerance_permille"),
                domain::parse_catch_tolerance(&n("catch_tolerance_permille"), t),
            )
            .map(Some),
        None => Some(current.catch_tolerance_permille),
    };
    if let (Some(nw), Some(c)) = (net, catch) {
        errs.check(
            &n("net_weight_grams"),
            domain::check_catch_weight(&n("net_weight_grams"), nw, c),
        );
    }
    let gtin = match patch.gtin.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(g) => errs.check(&n("gtin"), domain::parse_gtin(g)).map(Some),
        None => Some(current.gtin.clone()),
    };
    let old_tiers = tiers_of(current);
    let tiers = match (&patch.tiers, price) {
        (Some(t), Some(p)) => errs.check(&n("tiers"), domain::parse_tiers(p, t)),
        (None, Some(p)) => errs.check(&n("tiers"), domain::parse_tiers(p, &old_tiers)),
        _ => None,
    };
    Some(SkuPlan {
        price: price?,
        stock: stock?,
        name: name?,
        weight: weight?,
        net: net?,
        catch: catch?,
        gtin: gtin?,
        tiers: tiers?,
        active: patch.active,
        sort_order: None,
    })
}
