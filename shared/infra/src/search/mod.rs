//! The catalogue search index: an embedded engine (tantivy with jieba segmentation, persisted
//! under `data/`) by default, Meilisearch in production. One contract, one test suite
//! (`tests/contract/search.rs`), the same text analysis ([`text::Analyzer`]) on both sides, so
//! users get the same results whichever engine answers.

pub mod embedded;
pub mod lexicon;
pub mod meili;
pub mod pinyin;
pub mod query;
pub mod suggest;
pub mod text;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// What the index knows about a listing: enough to find it, filter it, sort it and show it in
/// a result list without asking the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: Uuid,
    pub title: String,
    /// Secondary text: category names and place names.
    pub keywords: String,
    /// The listing's category and its ancestors, so a parent category filter finds children.
    pub category_ids: Vec<Uuid>,
    pub township: Option<String>,
    pub seller_id: Uuid,
    pub seller_name: String,
    /// `cooperative`, `family_farm`, `platform_store`, ...
    pub seller_kind: String,
    /// Lowest price of a SKU on sale (or of any SKU when sold out), in fen.
    pub price_from: i64,
    pub unit: String,
    pub in_stock: bool,
    pub sales: i64,
    /// The seller's shop credit as a ranking signal ([`credit_rank`]): +2 (A) to −2 (D), 0 for
    /// a new shop or one not judged yet. A bounded tiebreak after the text match and stock
    /// ([`RANKING`]). Documents written before it existed read as 0.
    #[serde(default)]
    pub credit: i64,
    /// Unix seconds (UTC) the listing was first approved.
    pub created_at: i64,
    pub thumb_url: Option<String>,
}

/// How results are ordered by relevance, on both engines (documented for shoppers and sellers
/// in `services/catalog/README.md`, "Ranking"):
///
/// 1. **text match** — how well the listing matches the words (embedded: the tantivy score,
///    compared to about four significant digits; Meilisearch: its `words`, `typo`, `proximity`,
///    `attribute` and `exactness` rules);
/// 2. **in stock** before sold out (only visible when a search asks for sold-out listings too);
/// 3. **shop credit** ([`SearchDoc::credit`]: A, B, new, C, D);
/// 4. **sales**, most first.
///
/// Each signal only orders listings the ones before it leave equal: credit can never lift a
/// weaker text match over a stronger one, and a new shop is neither lifted nor pushed down.
pub const RANKING: [&str; 4] = ["text match", "in stock", "shop credit", "sales"];

/// The ranking signal of a shop credit level (`new`, `a`, `b`, `c`, `d`, as stats publishes
/// them): A +2, B +1, new 0, C −1, D −2; anything else 0 (neutral).
pub fn credit_rank(level: &str) -> i64 {
    match level {
        "a" => 2,
        "b" => 1,
        "c" => -1,
        "d" => -2,
        _ => 0,
    }
}

/// Result order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
    Sales,
}

/// Filters; all must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    pub category: Option<Uuid>,
    pub seller: Option<Uuid>,
    pub township: Option<String>,
    pub seller_kind: Option<String>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// Only listings with something in stock (the default for shoppers).
    pub in_stock_only: bool,
}

/// A search as the engines receive it. Paging is by page so both engines count exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    /// 1-based.
    pub page: u64,
    pub per_page: u64,
}

/// The deepest result a search returns (page × per_page): beyond it, pages are empty.
pub const MAX_RESULT_WINDOW: u64 = 10_000;

impl SearchRequest {
    pub fn offset(&self) -> u64 {
        self.page.saturating_sub(1).saturating_mul(self.per_page)
    }

    /// Whether the requested page lies beyond the result window.
    pub fn beyond_window(&self) -> bool {
        self.offset().saturating_add(self.per_page) > MAX_RESULT_WINDOW
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    pub doc: SearchDoc,
    /// The title as HTML: matched words in `<mark>`, everything else escaped.
    pub title_highlight: String,
}

/// Counts per value of the faceted fields, over all matches (not just this page).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    pub category: BTreeMap<String, u64>,
    pub township: BTreeMap<String, u64>,
    pub seller_kind: BTreeMap<String, u64>,
}

/// What the search did with the query beyond matching it as typed ([`query`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QueryNotes {
    /// Words left out because no listing had them all together (empty: none).
    pub dropped: Vec<String>,
    /// The words the results match when some were dropped.
    pub kept: Vec<String>,
    /// "Did you mean": the query with words replaced by vocabulary words that sound the same.
    pub suggestion: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
    pub total: u64,
    pub facets: Facets,
    pub notes: QueryNotes,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index I/O: {0}")]
    Index(String),
    #[error("meilisearch: {0}")]
    Meili(String),
    #[error("search task: {0}")]
    Task(String),
}

/// The search index contract.
#[async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    /// `"embedded"` or `"meilisearch"`.
    fn backend(&self) -> &'static str;
    /// Adds or replaces documents by id. Visible to searches when this returns.
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError>;
    /// Removes documents by id; unknown ids are fine.
    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), SearchError>;
    /// Searches as [`query::run`] describes: the query as typed, then homophones, characters
    /// apart and relaxation when it finds too little. Engines implement [`Self::search_analyzed`].
    async fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        query::run(self, request).await
    }
    /// Runs one understood query, every part required (the engine's part of a search).
    async fn search_analyzed(
        &self,
        request: &SearchRequest,
        query: &text::AnalyzedQuery,
    ) -> Result<SearchResponse, SearchError>;
    /// The query understanding this engine indexes and searches with (the vocabulary of the
    /// moment: [`Self::set_analyzer`] replaces it).
    fn analyzer(&self) -> Arc<text::Analyzer>;
    /// Replaces the vocabulary: searches use it at once, documents upserted from now on are
    /// analysed with it (Meilisearch: its synonym and typo settings are updated and waited
    /// for). Documents already indexed keep their old analysis until they are upserted again —
    /// the catalogue reindexes the listings a vocabulary change affects.
    async fn set_analyzer(&self, analyzer: Arc<text::Analyzer>) -> Result<(), SearchError>;
    /// Search as you type: titles, words of titles, categories and places that start with
    /// `prefix` (characters, full pinyin or initials), most popular first. The default asks
    /// the engine's own prefix search; the embedded engine answers from memory
    /// ([`suggest::Suggester`]).
    async fn suggest(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<suggest::Suggestion>, SearchError> {
        suggest::by_search(self, prefix, limit).await
    }
    /// Removes every document (before a rebuild).
    async fn clear(&self) -> Result<(), SearchError>;
    async fn count(&self) -> Result<u64, SearchError>;
    async fn health(&self) -> Result<(), SearchError>;
}
