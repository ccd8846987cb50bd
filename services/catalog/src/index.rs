//! Keeping the search index in step with the database, through the outbox.
//!
//! Every listing change enqueues `catalog.listing.changed` in its own transaction; the handler
//! here loads the listing as it is *now* and upserts or deletes its document — idempotent, so
//! at-least-once delivery is fine, and a search engine that is down only delays the update
//! (the outbox retries). Seller verification changes (identity events), a seller's shop credit
//! level changing (`catalog.seller.ranking_changed`), category renames and changes of the
//! county's search vocabulary reindex the listings they affect. `farmgate reindex` rebuilds everything.

use crate::Catalog;
use crate::domain::Availability;
use crate::domain::CreditSignal;
use crate::domain::ListingStatus;
use crate::error::{CatalogError, Result};
use crate::service::{origin_of, topics};
use crate::store::queries::{images, listings, signals, skus};
use crate::store::{category, listing, sku};
use async_trait::async_trait;
use farmgate_identity::{OrgStatus, OrgSummary};
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use farmgate_infra::search::suggest::{Suggestion, matched_chars};
use farmgate_infra::search::{Filters, SearchDoc, SearchRequest, SearchResponse, Sort};
use farmgate_kernel::id::{CategoryId, ListingId, OrgId};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Rows fetched per batch when rebuilding.
const REBUILD_BATCH: u64 = 2000;

/// A search as the API receives it, before validation.
#[derive(Clone, Debug, Default)]
pub struct SearchParams {
    pub q: String,
    pub filters: Filters,
    pub sort: Sort,
    pub page: u64,
    pub per_page: u64,
}

/// Builds the document of each listing that belongs in the index, from rows loaded in bulk.
fn documents(
    listings: &[listing::Model],
    skus: &[sku::Model],
    thumbs: &HashMap<Uuid, String>,
    categories: &[category::Model],
    sellers: &HashMap<Uuid, OrgSummary>,
    credit: &HashMap<Uuid, CreditSignal>,
) -> (Vec<SearchDoc>, Vec<Uuid>) {
    let mut by_listing: HashMap<Uuid, Vec<&sku::Model>> = HashMap::new();
    for s in skus {
        by_listing.entry(s.listing_id).or_default().push(s);
    }
    let mut docs = Vec::new();
    let mut gone = Vec::new();
    for l in listings {
        let Some(seller) = sellers.get(&l.seller_org_id) else {
            gone.push(l.id);
            continue;
        };
        let skus = by_listing.get(&l.id).cloned().unwrap_or_default();
        let active: Vec<&&sku::Model> = skus.iter().filter(|s| s.active).collect();
        let in_stock: Vec<&&sku::Model> = active.iter().copied().filter(|s| s.stock > 0).collect();
        let availability = crate::domain::availability(
            l.status,
            seller.status == OrgStatus::Verified,
            in_stock.len(),
        );
        // Hidden listings leave the index; sold-out ones stay, flagged, for shoppers who ask.
        if availability == Availability::Hidden || active.is_empty() {
            gone.push(l.id);
            continue;
        }
        let priced = if in_stock.is_empty() {
            &active
        } else {
            &in_stock
        };
        let cheapest = priced.iter().min_by_key(|s| s.price_fen);
        let path = Catalog::path_in(categories, l.category_id);
        let origin = origin_of(l);
        // Category names and places, not the seller's name: a search for 脐橙 should not
        // bring every product of 梅岭脐橙专业合作社.
        // Category names in both languages: `tea` and `fruit` find their categories.
        let keywords = [
            path.iter()
                .flat_map(|c| [c.name.as_str(), c.name_en.as_str()])
                .collect::<Vec<_>>()
                .join(" "),
            origin.to_string(),
        ]
        .join(" ");
        docs.push(SearchDoc {
            id: l.id,
            title: l.title.clone(),
            keywords,
            category_ids: path.iter().map(|c| c.id).collect(),
            township: l.township.clone(),
            seller_id: l.seller_org_id,
            seller_name: seller.name.clone(),
            seller_kind: seller.kind.as_str().to_owned(),
            price_from: cheapest.map_or(0, |s| s.price_fen),
            unit: cheapest.map_or_else(String::new, |s| s.unit.as_str().to_owned()),
            in_stock: !in_stock.is_empty(),
            sales: l.sales,
            credit: credit
                .get(&l.seller_org_id)
                .copied()
                .unwrap_or_default()
                .rank(),
            created_at: l.approved_at.unwrap_or(l.created_at).timestamp(),
            thumb_url: thumbs.get(&l.id).cloned(),
        });
    }
    (docs, gone)
}

impl Catalog {
    /// Re-reads these listings and brings their search documents up to date.
    #[tracing::instrument(skip_all, fields(listings = ids.len()))]
    pub async fn reindex(&self, ids: &[ListingId]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = ids.iter().map(ListingId::as_uuid).collect();
        let listings = listings::by_ids(&self.infra().db, &ids).await?;
        let found: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
        let missing: Vec<Uuid> = ids.iter().copied().filter(|i| !found.contains(i)).collect();
        let (docs, mut gone) = self.documents_for(&listings).await?;
        gone.extend(missing);
        self.search_index().upsert(docs).await?;
        self.search_index().delete(gone).await?;
        Ok(())
    }

    async fn documents_for(
        &self,
        listings: &[listing::Model],
    ) -> Result<(Vec<SearchDoc>, Vec<Uuid>)> {
        let db = &self.infra().db;
        let ids: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
        let skus = skus::of_listings(db, &ids).await?;
        let images = images::of_listings(db, &ids).await?;
        let mut thumbs = HashMap::new();
        for i in images {
            thumbs
                .entry(i.listing_id)
                .or_insert_with(|| format!("/media/{}", i.thumb_key));
        }
        let categories = self.categories().await?;
        let mut seller_ids: Vec<Uuid> = listings.iter().map(|l| l.seller_org_id).collect();
        seller_ids.sort_unstable();
        seller_ids.dedup();
        let sellers = self.sellers(&seller_ids).await?;
        let credit = signals::credit_of(db, &seller_ids).await?;
        Ok(documents(
            listings,
            &skus,
            &thumbs,
            &categories,
            &sellers,
            &credit,
        ))
    }

    /// Rebuilds the whole index from the database; returns the number of documents indexed.
    #[tracing::instrument(skip_all)]
    pub async fn rebuild_index(&self) -> Result<u64> {
        let db = &self.infra().db;
        self.search_index().clear().await?;
        let mut indexed = 0u64;
        let mut after: Option<Uuid> = None;
        loop {
            let mut batch = listings::page_after(db, after, REBUILD_BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.id);
            batch.retain(|l| l.status == ListingStatus::Approved);
            let (docs, _) = self.documents_for(&batch).await?;
            indexed += docs.len() as u64;
            self.search_index().upsert(docs).await?;
        }
        tracing::info!(
            indexed,
            backend = self.search_index().backend(),
            "search index rebuilt"
        );
        Ok(indexed)
    }

    /// Rebuilds when the index is empty but the catalogue is not (a fresh data directory, a
    /// schema change of the embedded index, a new Meilisearch).
    pub async fn rebuild_if_empty(&self) -> Result<bool> {
        if self.search_index().count().await? > 0 {
            return Ok(false);
        }
        if !listings::any_approved(&self.infra().db).await? {
            return Ok(false);
        }
        self.rebuild_index().await?;
        Ok(true)
    }

    /// Searches the catalogue.
    pub async fn search(&self, p: SearchParams) -> Result<SearchResponse> {
        let request = SearchRequest {
            query: p.q,
            filters: p.filters,
            sort: p.sort,
            page: p.page,
            per_page: p.per_page,
        };
        Ok(self.search_index().search(&request).await?)
    }

    /// Search as you type: names starting with `prefix`, most popular first, each with how
    /// much of it the prefix covers (for the page's highlight).
    pub async fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
        let mut found = self.search_index().suggest(prefix, limit).await?;
        let analyzer = self.search_index().analyzer();
        for s in &mut found {
            s.matched = matched_chars(&analyzer, &s.text, prefix);
        }
        Ok(found)
    }
}

/// A category as [`categories_naming`] reads it: id, parent, name, English name.
type CategoryNames<'a> = (Uuid, Option<Uuid>, &'a str, &'a str);

/// The categories whose name (Chinese, or English in any case) contains one of `words`, and
/// every category below them: the listings filed there carry those names in their documents.
fn categories_naming(all: &[CategoryNames], words: &[String]) -> Vec<CategoryId> {
    let words: Vec<String> = words
        .iter()
        .filter(|w| !w.trim().is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    let mut found: Vec<Uuid> = all
        .iter()
        .filter(|(_, _, name, name_en)| {
            let en = name_en.to_lowercase();
            words
                .iter()
                .any(|w| name.contains(w.as_str()) || en.contains(w.as_str()))
        })
        .map(|(id, ..)| *id)
        .collect();
    // Descendants, level by level (the tree is shallow; a cycle cannot loop: ids are unique).
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        for (id, ..) in all.iter().filter(|(_, p, ..)| *p == Some(parent)) {
            if !found.contains(id) {
                found.push(*id);
            }
        }
        i += 1;
    }
    found.into_iter().map(CategoryId).collect()
}

#[derive(Deserialize)]
struct ListingEvent {
    listing_id: ListingId,
}

#[derive(Deserialize)]
struct CategoryEvent {
    category_id: CategoryId,
}

#[derive(Deserialize)]
struct VocabularyEvent {
    words: Vec<String>,
}

#[derive(Deserialize)]
struct OrgEvent {
    org_id: OrgId,
}

/// The outbox handler that keeps the search index current.
pub struct SearchIndexer {
    catalog: Catalog,
}

impl SearchIndexer {
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }
}

fn boxed(e: CatalogError) -> BoxError {
    Box::new(e)
}

#[async_trait]
impl OutboxHandler for SearchIndexer {
    fn name(&self) -> &'static str {
        "catalog-search-index"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::LISTING_CHANGED
            || topic == topics::CATEGORY_CHANGED
            || topic == topics::VOCABULARY_CHANGED
            || topic == topics::SELLER_RANKING_CHANGED
            || topic.starts_with("identity.org.")
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let db = &self.catalog.infra().db;
        let ids = match event.topic.as_str() {
            topics::LISTING_CHANGED => vec![event.parse::<ListingEvent>()?.listing_id],
            topics::CATEGORY_CHANGED => {
                let c = event.parse::<CategoryEvent>()?.category_id;
                let mut ids = listings::ids_in_category(db, c).await?;
                let children: Vec<CategoryId> = self
                    .catalog
                    .categories()
                    .await
                    .map_err(boxed)?
                    .into_iter()
                    .filter(|x| x.parent_id == Some(c.as_uuid()))
                    .map(|x| CategoryId(x.id))
                    .collect();
                for child in children {
                    ids.extend(listings::ids_in_category(db, child).await?);
                }
                ids
            }
            topics::VOCABULARY_CHANGED => {
                // This process's engine first (the API's process already has it), then the
                // listings whose segmentation and readings the words change.
                self.catalog.apply_vocabulary().await.map_err(boxed)?;
                let words = event.parse::<VocabularyEvent>()?.words;
                let mut ids = listings::ids_mentioning(db, &words).await?;
                // Category names (and their English) are in the documents of every listing
                // filed under the category or below it.
                let all = self.catalog.categories().await.map_err(boxed)?;
                let names: Vec<CategoryNames> = all
                    .iter()
                    .map(|c| (c.id, c.parent_id, c.name.as_str(), c.name_en.as_str()))
                    .collect();
                for c in categories_naming(&names, &words) {
                    ids.extend(listings::ids_in_category(db, c).await?);
                }
                ids.sort_unstable_by_key(ListingId::as_uuid);
                ids.dedup();
                ids
            }
            // A seller's verification or its shop credit changed: its listings only.
            _ => {
                let org = event.parse::<OrgEvent>()?.org_id;
                listings::all_ids_of_seller(db, org).await?
            }
        };
        for chunk in ids.chunks(500) {
            self.catalog.reindex(chunk).await.map_err(boxed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(
        n: u128,
        parent: Option<u128>,
        name: &'static str,
        name_en: &'static str,
    ) -> CategoryNames<'static> {
        (
            Uuid::from_u128(n),
            parent.map(Uuid::from_u128),
            name,
            name_en,
        )
    }

    #[test]
    fn a_word_in_a_category_name_reaches_the_categories_below_it() {
        let all = [
            cat(1, None, "水果", "Fruit"),
            cat(2, Some(1), "柑橘", "Citrus"),
            cat(3, Some(2), "脐橙", "Navel oranges"),
            cat(4, None, "茶叶", "Tea"),
        ];
        let ids = |words: &[&str]| {
            let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
            let mut got: Vec<u128> = categories_naming(&all, &words)
                .into_iter()
                .map(|c| c.as_uuid().as_u128())
                .collect();
            got.sort_unstable();
            got
        };
        assert_eq!(ids(&["柑橘"]), [2, 3]);
        assert_eq!(ids(&["orange"]), [3], "English, any case");
        assert_eq!(ids(&["TEA", "果"]), [1, 2, 3, 4]);
        assert!(ids(&["大米", " "]).is_empty());
    }
}
