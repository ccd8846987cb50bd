//! What is for sale: the shop the history buys from, read in bulk through the owners' read
//! models (`farmgate_identity::read::demo`, `farmgate_catalog::read::demo`,
//! `farmgate_trace::read::demo`), with each listing's seasonal demand and popularity.

use super::calendar::category_season;
use super::order::CARRIERS;
use super::random::{pick, running_total};
use chrono::{DateTime, Utc};
use farmgate_catalog::domain::{Tier, Unit};
use farmgate_catalog::read::demo::{
    self as catalog_read, ActiveSku, ApprovedListing, CategoryTerms,
};
use farmgate_identity::read::demo::{self as identity_read, Organisation};
use farmgate_trace::read::demo as trace_read;
use rand::rngs::StdRng;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

pub(super) struct SkuInfo {
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) unit: Unit,
    pub(super) price_fen: i64,
    pub(super) weight_grams: i32,
    pub(super) tiers: Vec<Tier>,
}

pub(super) struct BatchInfo {
    pub(super) id: Uuid,
    pub(super) code: String,
    pub(super) lot: String,
    /// When it could first be packed (its earliest harvest or packing, else when it was
    /// recorded).
    pub(super) ready: DateTime<Utc>,
}

pub(super) struct ListingInfo {
    pub(super) id: Uuid,
    pub(super) seller: usize,
    pub(super) category: Uuid,
    pub(super) title: String,
    pub(super) commission_bp: i32,
    pub(super) claim_window_hours: i32,
    pub(super) season: [f64; 12],
    pub(super) popularity: f64,
    pub(super) skus: Vec<SkuInfo>,
    pub(super) batches: Vec<BatchInfo>,
}

pub(super) struct SellerInfo {
    pub(super) id: Uuid,
    /// Who ships and acknowledges (the owner).
    pub(super) staff: Uuid,
    pub(super) listings: Vec<usize>,
    pub(super) carrier: usize,
}

pub(super) struct Catalogue {
    pub(super) listings: Vec<ListingInfo>,
    pub(super) sellers: Vec<SellerInfo>,
}

/// The shop as the history buys from it: the approved listings of verified sellers that have an
/// active SKU, most popular first, each with its category's terms, its SKUs and its batches.
pub(super) async fn catalogue(
    db: &impl ConnectionTrait,
    rng: &mut StdRng,
) -> anyhow::Result<Catalogue> {
    let orgs: HashMap<Uuid, Organisation> = identity_read::verified_organisations(db)
        .await?
        .into_iter()
        .map(|o| (o.id.0, o))
        .collect();
    let categories: HashMap<Uuid, CategoryTerms> = catalog_read::categories(db)
        .await?
        .into_iter()
        .map(|c| (c.id.0, c))
        .collect();
    let mut listings: Vec<ApprovedListing> = catalog_read::approved_listings(db)
        .await?
        .into_iter()
        .filter(|l| {
            orgs.contains_key(&l.seller_org_id.0) && categories.contains_key(&l.category_id.0)
        })
        .collect();
    // Rank by what sold best so far: the Zipf law follows the shop's own popularity.
    listings.sort_by(|a, b| b.sales.cmp(&a.sales).then(a.created_at.cmp(&b.created_at)));
    let mut skus: HashMap<Uuid, Vec<ActiveSku>> = HashMap::new();
    for s in catalog_read::active_skus(db).await? {
        skus.entry(s.listing_id.0).or_default().push(s);
    }
    // Batches by listing, with the moment each could first ship.
    let mut batches: HashMap<Uuid, Vec<BatchInfo>> = HashMap::new();
    for b in trace_read::ready_batches(db).await? {
        batches.entry(b.listing_id.0).or_default().push(BatchInfo {
            id: b.id.0,
            ready: b.ready_at,
            code: b.code,
            lot: b.lot,
        });
    }
    let mut owners: HashMap<Uuid, Uuid> = HashMap::new();
    for (org, account) in identity_read::owners(db, None).await? {
        owners.insert(org.0, account.0);
    }
    let mut out = Catalogue {
        listings: Vec::new(),
        sellers: Vec::new(),
    };
    let mut seller_index: HashMap<Uuid, usize> = HashMap::new();
    let carrier_prefix = running_total(CARRIERS.iter().map(|c| f64::from(c.2)));
    for l in listings {
        let Some(list) = skus.remove(&l.id.0).filter(|v| !v.is_empty()) else {
            continue;
        };
        let (Some(org), Some(cat)) = (
            orgs.get(&l.seller_org_id.0),
            categories.get(&l.category_id.0),
        ) else {
            continue;
        };
        let seller = *seller_index.entry(org.id.0).or_insert_with(|| {
            out.sellers.push(SellerInfo {
                id: org.id.0,
                staff: owners.get(&org.id.0).copied().unwrap_or(org.created_by.0),
                listings: Vec::new(),
                carrier: pick(&carrier_prefix, rng).unwrap_or(0),
            });
            out.sellers.len() - 1
        });
        let rank = out.listings.len() as f64;
        out.sellers[seller].listings.push(out.listings.len());
        out.listings.push(ListingInfo {
            id: l.id.0,
            seller,
            category: l.category_id.0,
            title: l.title,
            commission_bp: cat.commission_bp,
            claim_window_hours: cat.claim_window_hours,
            season: category_season(&cat.name),
            popularity: 1.0 / (rank + 1.0),
            skus: list
                .into_iter()
                .map(|s| SkuInfo {
                    tiers: s.tiers,
                    id: s.id.0,
                    name: s.name,
                    unit: s.unit,
                    price_fen: s.price_fen,
                    weight_grams: s.weight_grams,
                })
                .collect(),
            batches: batches.remove(&l.id.0).unwrap_or_default(),
        });
    }
    Ok(out)
}
