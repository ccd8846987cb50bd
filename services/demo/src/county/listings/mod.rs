//! Demo listings: about sixty products of the demo county's sellers (`data.rs`), created,
//! submitted and approved through the catalogue's own use cases, each with a photo drawn at seed
//! time (`photo.rs`, no downloads). A few are left waiting for review, one as a draft and one
//! sold out, so every page has something to show.

mod data;
mod photo;

pub(super) use photo::{Shape, draw};

/// Every demo listing's title, category slug and township: the catalogue the search relevance
/// set (tests/contract/search_relevance.rs) is graded on.
pub fn catalogue() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    data::DEMOS
        .iter()
        .map(|d| (d.title, d.category, d.township))
}

use super::people::{CITY, COUNTY, PROVINCE, Seller};
use anyhow::Context;
use data::{DEMOS, PRODUCED_BY};
use farmgate_catalog::Catalog;
use farmgate_catalog::domain::{RevisionId, Tier, Unit};
use farmgate_catalog::service::{ListingPatch, NewListingRequest, SkuRequest};
use farmgate_identity::Actor;
use farmgate_kernel::id::{CategoryId, ListingId, SkuId};
use farmgate_kernel::region::RegionInput;

/// What the demo does with a listing after creating it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Live,
    /// Submitted, waiting in the operator's queue.
    Waiting,
    Draft,
    /// Live, then every SKU sold out.
    SoldOut,
    /// Live, with a title change waiting for review.
    ChangeWaiting,
}

struct Sku {
    name: &'static str,
    unit: Unit,
    price: i64,
    stock: i64,
    weight: i64,
    net: Option<i64>,
    /// Sold by catch weight (多退少补) within this tolerance, per mille.
    catch: Option<i64>,
    /// (min quantity, price)
    tiers: &'static [(i64, i64)],
}

struct Demo {
    /// Owner phone of the selling organisation.
    seller: &'static str,
    category: &'static str,
    title: &'static str,
    description: &'static str,
    township: &'static str,
    village: Option<&'static str>,
    /// When the goods come from outside the seller's county: (province, city, county, note).
    elsewhere: Option<(&'static str, &'static str, &'static str, &'static str)>,
    season: Option<&'static str>,
    storage: Option<&'static str>,
    shelf_life_days: Option<i64>,
    skus: &'static [Sku],
    shape: Shape,
    color: [u8; 3],
    sales: i64,
    fate: Fate,
}

/// Seeds the demo listings that are missing (by seller and title); returns how many it added.
pub(super) async fn seed(
    catalog: &Catalog,
    operator: &Actor,
    sellers: &[Seller],
) -> anyhow::Result<usize> {
    let mut added = 0;
    for (n, d) in DEMOS.iter().enumerate() {
        let Some((_, account, org, kind)) = sellers.iter().find(|(phone, ..)| *phone == d.seller)
        else {
            continue;
        };
        let actor = super::seller_actor(*account, *org, *kind);
        let existing = catalog.seller_listings(&actor, *org, None).await?;
        if existing.iter().any(|b| b.listing.title == d.title) {
            continue;
        }
        let category = catalog
            .category_by_slug(d.category)
            .await?
            .with_context(|| format!("demo category {}", d.category))?;
        let (province, city, county, note) = match d.elsewhere {
            Some((p, c, k, note)) => (p, c, k, Some(note)),
            None => (PROVINCE, CITY, COUNTY, None),
        };
        let origin = RegionInput {
            province: province.into(),
            city: city.into(),
            county: county.into(),
            township: d.elsewhere.is_none().then(|| d.township.to_owned()),
            village: if d.elsewhere.is_none() {
                d.village.map(Into::into)
            } else {
                None
            },
        };
        let stock_zero = d.fate == Fate::SoldOut;
        let skus = d
            .skus
            .iter()
            .map(|s| SkuRequest {
                name: s.name.to_owned(),
                unit: s.unit,
                price: s.price,
                // A sold-out demo goes live with stock, then sells out, as in real life.
                stock: if stock_zero { 50 } else { s.stock },
                weight_grams: s.weight,
                net_weight_grams: s.net,
                catch_tolerance_permille: s.catch,
                gtin: Some(gtin_for(n, s.name)),
                tiers: s
                    .tiers
                    .iter()
                    .map(|&(min_quantity, price)| Tier {
                        min_quantity,
                        price,
                    })
                    .collect(),
            })
            .collect();
        let created = catalog
            .create_listing(
                &actor,
                *org,
                NewListingRequest {
                    category_id: CategoryId(category.id),
                    title: d.title.to_owned(),
                    description: d.description.to_owned(),
                    origin,
                    origin_note: note.map(Into::into),
                    season: d.season.map(Into::into),
                    storage: d.storage.map(Into::into),
                    shelf_life_days: d.shelf_life_days,
                    producer_org_id: PRODUCED_BY
                        .iter()
                        .find(|(title, _)| *title == d.title)
                        .and_then(|(_, phone)| sellers.iter().find(|(p, ..)| p == phone))
                        .map(|(_, _, org, _)| *org),
                    skus,
                    photo_ids: Vec::new(),
                },
            )
            .await
            .with_context(|| format!("creating demo listing {}", d.title))?;
        let id = ListingId(created.listing.id);
        let photo = draw(d.shape, d.color, n as u64 + 1);
        catalog.store_image(id, photo.into(), *account).await?;
        if d.fate != Fate::Draft {
            let submitted = catalog.submit(&actor, id).await?;
            if d.fate != Fate::Waiting {
                if let Some(rev) = submitted.revision {
                    catalog
                        .decide(operator, RevisionId(rev.id), true, None)
                        .await?;
                }
                catalog.set_sales(id, d.sales).await?;
            }
        }
        if d.fate == Fate::SoldOut {
            for s in &created.skus {
                catalog
                    .update_sku(
                        &actor,
                        SkuId(s.id),
                        farmgate_catalog::service::SkuPatch {
                            stock: Some(0),
                            ..Default::default()
                        },
                    )
                    .await?;
            }
        }
        if d.fate == Fate::ChangeWaiting {
            catalog
                .update_listing(
                    &actor,
                    id,
                    ListingPatch {
                        title: Some(format!("{} 新姜上市", d.title)),
                        ..Default::default()
                    },
                )
                .await?;
        }
        added += 1;
    }
    Ok(added)
}

/// A valid GTIN-13 with the Chinese prefix 69, derived from the listing, so demo labels can
/// carry GS1 Digital Links.
fn gtin_for(n: usize, name: &str) -> String {
    let mut h: u64 = 1469598103934665603;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(1099511628211);
    }
    let body = format!("69{:05}{:05}", 10_000 + n, h % 100_000);
    let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_gtins_have_valid_check_digits() {
        for (i, d) in DEMOS.iter().enumerate() {
            let g = gtin_for(i, d.skus[0].name);
            assert!(farmgate_catalog::domain::parse_gtin(&g).is_ok(), "{g}");
        }
    }

    #[test]
    fn there_are_about_sixty_demo_listings_across_every_top_category() {
        assert!(DEMOS.len() >= 55, "{}", DEMOS.len());
        let roots: std::collections::HashSet<&str> = DEMOS
            .iter()
            .filter_map(|d| {
                farmgate_catalog::seed::TREE
                    .iter()
                    .find(|(_, _, _, _, children)| {
                        children.iter().any(|(slug, _, _)| *slug == d.category)
                    })
                    .map(|(slug, ..)| *slug)
            })
            .collect();
        assert_eq!(roots.len(), farmgate_catalog::seed::TREE.len(), "{roots:?}");
    }

    #[test]
    fn drawn_photos_are_images() {
        let png = draw(Shape::Round, [240, 140, 30], 1);
        assert!(image::load_from_memory(&png).is_ok());
    }
}
