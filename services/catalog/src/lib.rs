//! The catalogue: categories, listings from every seller with their SKUs, review by the
//! operator, prices and stock with a change log, photos, and the search documents that keep
//! the search index current through the outbox.
//!
//! It owns the tables `categories`, `listings`, `listing_revisions`, `skus`, `sku_changes`,
//! `listing_images`, `search_vocabulary` and `search_vocabulary_changes`, and the search
//! index's documents. It calls identity (who acts, whether
//! an organisation may sell, public organisation facts) and the shared infrastructure
//! (database, outbox, object store, search index); nothing else.
//!
//! Other services use [`Catalog`]: `listing_card` for a listing's facts (trace, after-sales;
//! the card is `read::ListingCard`),
//! `for_sale` / `take_stock` / `return_stock` / `add_sales` inside their own transaction
//! (orders), `freeze_for_recall` (after-sales recalls), `listings_with_gtin` (trace). Bulk
//! readers (the statistics, the demo history) use the read models in `read/`. Nobody else
//! reads the catalogue's tables (`store` is private); the search load script fills the shop
//! through `bulk`.
//!
//! Layout: `domain/` (rules, the review machine), `store/` (entities and queries),
//! `service/` (use cases, one file per family), `http/` (routes, handlers, views), `read/`
//! (read models other rooms use), `error.rs`
//! (the codes), `index.rs` (search documents and the indexer), `images.rs` (photo
//! processing), `seed.rs` (the starting category tree).

pub mod bulk;
pub mod domain;
pub mod error;
pub mod http;
pub mod images;
pub mod index;
pub mod read;
pub mod seed;
pub mod service;
pub(crate) mod store;

pub use error::CatalogError;
pub use index::SearchIndexer;
pub use service::{DraftPhotoExpiryJob, sale, topics};

use farmgate_identity::Identity;
use farmgate_infra::Infra;
use farmgate_infra::search::SearchIndex;
use std::sync::Arc;

struct Inner {
    infra: Infra,
    identity: Identity,
    search: Arc<dyn SearchIndex>,
    /// Which county vocabulary the search engine holds (a fingerprint of its entries; the
    /// engine starts with the shipped defaults), and the lock that applies one change at a time.
    vocabulary: tokio::sync::Mutex<u64>,
    /// The stored vocabulary version this process last applied ([`Catalog::follow_vocabulary`]).
    vocabulary_seen: tokio::sync::Mutex<Option<(u64, Option<uuid::Uuid>)>>,
    /// The platform's ship-within (hours) for categories that set none: what a listing page
    /// promises then (the same setting orders' deadlines use, `ship_within_hours`).
    default_ship_within_hours: i32,
}

/// The catalogue service. Cheap to clone.
#[derive(Clone)]
pub struct Catalog {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("search", &self.inner.search.backend())
            .finish_non_exhaustive()
    }
}

impl Catalog {
    pub fn new(infra: Infra, identity: Identity, search: Arc<dyn SearchIndex>) -> Self {
        Self {
            inner: Arc::new(Inner {
                infra,
                identity,
                search,
                vocabulary: tokio::sync::Mutex::new(service::vocabulary_fingerprint(&[])),
                vocabulary_seen: tokio::sync::Mutex::new(None),
                default_ship_within_hours: 48,
            }),
        }
    }

    /// The platform's default ship-within (hours) that listing pages promise where no
    /// category on the path sets one (48 unless the settings say otherwise). Set once while
    /// building the service, before it is shared.
    pub fn with_default_ship_within_hours(mut self, hours: i32) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.default_ship_within_hours = hours;
        }
        self
    }

    /// See [`Self::with_default_ship_within_hours`].
    pub fn default_ship_within_hours(&self) -> i32 {
        self.inner.default_ship_within_hours
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub fn search_index(&self) -> &Arc<dyn SearchIndex> {
        &self.inner.search
    }
}
