//! The catalogue: categories, listings from every seller with their SKUs, review by the
//! operator, prices and stock with a change log, photos, and the search documents that keep
//! the search index current through the outbox.
//!
//! Other services use [`Catalog`]: `bundle` for a listing's facts (orders will snapshot them),
//! and later the stock operations. They never read the catalogue's tables.

pub mod domain;
pub mod error;
pub mod http;
pub mod images;
pub mod index;
pub mod read;
pub mod sale;
pub mod seed;
pub mod service;
pub mod store;
pub mod views;

pub use error::CatalogError;
pub use index::SearchIndexer;
pub use service::topics;

use farmgate_identity::Identity;
use farmgate_infra::Infra;
use farmgate_infra::search::SearchIndex;
use std::sync::Arc;

struct Inner {
    infra: Infra,
    identity: Identity,
    search: Arc<dyn SearchIndex>,
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
            }),
        }
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
