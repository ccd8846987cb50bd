//! Meilisearch, for production and several replicas. The app configures the index at start
//! (searchable, filterable and sortable attributes, synonyms, typo tolerance, ranking) and
//! sends documents with the same derived fields the embedded engine builds — pinyin tokens and
//! single characters — so users get the same matches from either engine.

use super::text::{AnalyzedQuery, Analyzer, fold};
use super::{
    Facets, MAX_RESULT_WINDOW, SearchDoc, SearchError, SearchHit, SearchIndex, SearchRequest,
    SearchResponse, Sort,
};
use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::{
    MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use uuid::Uuid;

/// Where Meilisearch is, and the prefix of our index names (so deployments or tests can share
/// one server).
#[derive(Clone)]
pub struct MeiliConfig {
    pub url: String,
    pub key: String,
    pub index_prefix: String,
}

impl std::fmt::Debug for MeiliConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliConfig")
            .field("url", &self.url)
            .field("key", &"***")
            .field("index_prefix", &self.index_prefix)
            .finish()
    }
}

/// A document as Meilisearch stores it: the search document plus the derived fields. The
/// primary key is the search document's own `id` (a UUID string): a second `id` here would be
/// sent twice and, on the way back, taken by this struct and missing in the flattened one.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct MeiliDoc {
    #[serde(flatten)]
    doc: SearchDoc,
    /// Title and keywords with traditional characters folded to simplified, as the query is
    /// (Meilisearch's own tokenizer does not fold them).
    title_folded: String,
    keywords_folded: String,
    /// Space-separated Han characters of the title.
    chars: String,
    /// Pinyin tokens of the title.
    pinyin: String,
    /// Category ids as strings, for filtering and facets.
    category: Vec<String>,
    /// `in_stock` as a number (1 or 0) for the ranking rule `in_stock_rank:desc`.
    #[serde(default)]
    in_stock_rank: u8,
}

const TASK_TIMEOUT: Duration = Duration::from_secs(60);
const TASK_POLL: Duration = Duration::from_millis(50);

/// The Meilisearch engine.
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    uid: String,
    /// Shared by the clones of this handle, so a vocabulary change reaches all of them.
    analyzer: Arc<RwLock<Arc<Analyzer>>>,
}

impl std::fmt::Debug for MeiliIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliIndex")
            .field("uid", &self.uid)
            .finish_non_exhaustive()
    }
}

fn meili_err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Meili(e.to_string())
}

/// A filter value in Meilisearch syntax: double-quoted, with quotes and backslashes escaped.
fn quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

impl MeiliIndex {
    /// Connects, creates the listings index when missing and applies our settings (waiting
    /// for Meilisearch to finish). Safe to run at every start and from several replicas.
    pub async fn connect(
        config: &MeiliConfig,
        analyzer: Arc<Analyzer>,
    ) -> Result<Self, SearchError> {
        let client = Client::new(&config.url, Some(config.key.as_str())).map_err(meili_err)?;
        let uid = format!("{}listings", config.index_prefix);
        let me = Self {
            client,
            uid,
            analyzer: Arc::new(RwLock::new(analyzer)),
        };
        let created = me
            .client
            .create_index(&me.uid, Some("id"))
            .await
            .map_err(meili_err)?;
        // An existing index makes this task fail with index_already_exists, which is fine.
        let _ = me.wait(created).await?;
        let task = me
            .client
            .index(&me.uid)
            .set_settings(&me.settings())
            .await
            .map_err(meili_err)?;
        me.expect_success(task).await?;
        Ok(me)
    }

    fn current(&self) -> Arc<Analyzer> {
        self.analyzer
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn settings(&self) -> Settings {
        // Synonym groups, and the words a synonym's pinyin or an English name stands for, as
        // in the embedded engine (both from the same vocabulary).
        let analyzer = self.current();
        let synonyms = analyzer.synonym_map();
        Settings::new()
            // The folded forms beside the originals: documents sent before the folded fields
            // existed are still found by their titles until `farmgate reindex` re-sends them.
            .with_searchable_attributes([
                "title",
                "title_folded",
                "keywords",
                "keywords_folded",
                "chars",
                "pinyin",
            ])
            .with_filterable_attributes([
                "category",
                "seller_id",
                "township",
                "seller_kind",
                "price_from",
                "in_stock",
            ])
            .with_sortable_attributes(["price_from", "created_at", "sales"])
            // `sort` first: a requested order applies to every match, as in the embedded engine
            // (by default Meilisearch sorts only within words/typo/proximity/attribute buckets).
            // Without a sort in the request the rule does nothing. After the text match, the
            // same tiebreaks as the embedded engine (`super::RANKING`): in stock, shop credit,
            // sales — each only among documents every rule before it leaves equal.
            .with_ranking_rules([
                "sort",
                "words",
                "typo",
                "proximity",
                "attribute",
                "exactness",
                "in_stock_rank:desc",
                "credit:desc",
                "sales:desc",
            ])
            .with_synonyms(synonyms)
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                // Typos only on pinyin, as in the embedded engine (titles and keywords match
                // exactly or by prefix).
                disable_on_attributes: Some(vec![
                    "chars".to_owned(),
                    "title".to_owned(),
                    "keywords".to_owned(),
                ]),
                // English names match exactly: `eggs` is not a slip of some pinyin.
                disable_on_words: Some(analyzer.english_words()),
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: Some(4),
                    two_typos: Some(8),
                }),
                disable_on_numbers: Some(true),
            })
            .with_pagination(PaginationSetting {
                max_total_hits: usize::try_from(MAX_RESULT_WINDOW).unwrap_or(10_000),
            })
    }

    async fn wait(&self, task: TaskInfo) -> Result<Task, SearchError> {
        task.wait_for_completion(&self.client, Some(TASK_POLL), Some(TASK_TIMEOUT))
            .await
            .map_err(meili_err)
    }

    async fn expect_success(&self, task: TaskInfo) -> Result<(), SearchError> {
        match self.wait(task).await? {
            Task::Succeeded { .. } => Ok(()),
            Task::Failed { content } => Err(SearchError::Task(format!("{:?}", content.error))),
            other => Err(SearchError::Task(format!(
                "unexpected task state {other:?}"
            ))),
        }
    }

    /// Deletes our index and its documents (tests clean up after themselves with it).
    pub async fn delete_index(&self) -> Result<(), SearchError> {
        let task = self
            .client
            .index(&self.uid)
            .delete()
            .await
            .map_err(meili_err)?;
        self.expect_success(task).await
    }

    fn to_meili(analyzer: &Analyzer, d: SearchDoc) -> MeiliDoc {
        MeiliDoc {
            title_folded: fold(&d.title),
            keywords_folded: fold(&d.keywords),
            chars: analyzer.chars(&d.title),
            pinyin: with_prefixes(&analyzer.pinyin_tokens(&d.title)),
            category: d.category_ids.iter().map(Uuid::to_string).collect(),
            in_stock_rank: u8::from(d.in_stock),
            doc: d,
        }
    }

    fn filter(request: &SearchRequest) -> String {
        let f = &request.filters;
        let mut parts = Vec::new();
        if let Some(c) = f.category {
            parts.push(format!("category = {}", quoted(&c.to_string())));
        }
        if let Some(s) = f.seller {
            parts.push(format!("seller_id = {}", quoted(&s.to_string())));
        }
        if let Some(t) = &f.township {
            parts.push(format!("township = {}", quoted(t)));
        }
        if let Some(k) = &f.seller_kind {
            parts.push(format!("seller_kind = {}", quoted(k)));
        }
        if let Some(p) = f.price_min {
            parts.push(format!("price_from >= {p}"));
        }
        if let Some(p) = f.price_max {
            parts.push(format!("price_from <= {p}"));
        }
        if f.in_stock_only {
            parts.push("in_stock = true".to_owned());
        }
        parts.join(" AND ")
    }
}

/// Pinyin tokens and every prefix of each, space-separated. Meilisearch matches by prefix only
/// the last word of a query; the embedded engine matches every pinyin part by prefix
/// ("hf pg", "daohua dami"), so the prefixes are indexed as words of their own.
fn with_prefixes(tokens: &[String]) -> String {
    let mut seen = HashSet::new();
    let mut out: Vec<&str> = Vec::new();
    for t in tokens {
        for (i, c) in t.char_indices() {
            let prefix = &t[..i + c.len_utf8()];
            if seen.insert(prefix) {
                out.push(prefix);
            }
        }
    }
    out.join(" ")
}

fn counts(
    distribution: Option<&HashMap<String, HashMap<String, usize>>>,
    field: &str,
) -> BTreeMap<String, u64> {
    distribution
        .and_then(|d| d.get(field))
        .map(|m| {
            m.iter()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| (k.clone(), *n as u64))
                .collect()
        })
        .unwrap_or_default()
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    fn backend(&self) -> &'static str {
        "meilisearch"
    }

    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        let analyzer = self.current();
        let docs: Vec<MeiliDoc> = docs
            .into_iter()
            .map(|d| Self::to_meili(&analyzer, d))
            .collect();
        let task = self
            .client
            .index(&self.uid)
            .add_or_replace(&docs, Some("id"))
            .await
            .map_err(meili_err)?;
        self.expect_success(task).await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let task = self
            .client
            .index(&self.uid)
            .delete_documents(&ids)
            .await
            .map_err(meili_err)?;
        self.expect_success(task).await
    }

    fn analyzer(&self) -> Arc<Analyzer> {
        self.current()
    }

    async fn set_analyzer(&self, analyzer: Arc<Analyzer>) -> Result<(), SearchError> {
        *self
            .analyzer
            .write()
            .unwrap_or_else(PoisonError::into_inner) = analyzer;
        // Synonyms and the English names typos are not allowed on live in the index settings.
        let task = self
            .client
            .index(&self.uid)
            .set_settings(&self.settings())
            .await
            .map_err(meili_err)?;
        self.expect_success(task).await
    }

    async fn search_analyzed(
        &self,
        request: &SearchRequest,
        analyzed: &AnalyzedQuery,
    ) -> Result<SearchResponse, SearchError> {
        let analyzer = self.current();
        let words = analyzed.as_words();
        let filter = Self::filter(request);
        let sort: Vec<&str> = match request.sort {
            Sort::Relevance => vec![],
            Sort::PriceAsc => vec!["price_from:asc"],
            Sort::PriceDesc => vec!["price_from:desc"],
            Sort::Newest => vec!["created_at:desc"],
            Sort::Sales => vec!["sales:desc"],
        };
        let facets = ["category", "township", "seller_kind"];
        let index = self.client.index(&self.uid);
        let page = usize::try_from(request.page.max(1)).unwrap_or(1);
        let per_page = usize::try_from(request.per_page.max(1)).unwrap_or(20);
        let mut q = index.search();
        q.with_query(&words)
            .with_matching_strategy(MatchingStrategies::ALL)
            .with_facets(Selectors::Some(&facets))
            .with_page(page)
            .with_hits_per_page(per_page);
        if !filter.is_empty() {
            q.with_filter(&filter);
        }
        if !sort.is_empty() {
            q.with_sort(&sort);
        }
        let res = q.execute::<MeiliDoc>().await.map_err(meili_err)?;
        let hits = res
            .hits
            .into_iter()
            .map(|h| {
                let doc = h.result.doc;
                let title_highlight = analyzer.highlight(&doc.title, analyzed);
                SearchHit {
                    doc,
                    title_highlight,
                }
            })
            .collect();
        let distribution = res.facet_distribution.as_ref();
        Ok(SearchResponse {
            hits,
            total: res.total_hits.or(res.estimated_total_hits).unwrap_or(0) as u64,
            facets: Facets {
                category: counts(distribution, "category"),
                township: counts(distribution, "township"),
                seller_kind: counts(distribution, "seller_kind"),
            },
            notes: Default::default(),
        })
    }

    async fn clear(&self) -> Result<(), SearchError> {
        let task = self
            .client
            .index(&self.uid)
            .delete_all_documents()
            .await
            .map_err(meili_err)?;
        self.expect_success(task).await
    }

    async fn count(&self) -> Result<u64, SearchError> {
        let stats = self
            .client
            .index(&self.uid)
            .get_stats()
            .await
            .map_err(meili_err)?;
        Ok(stats.number_of_documents as u64)
    }

    async fn health(&self) -> Result<(), SearchError> {
        let h = self.client.health().await.map_err(meili_err)?;
        if h.status == "available" {
            Ok(())
        } else {
            Err(SearchError::Meili(format!("status {}", h.status)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Filters;

    #[test]
    fn filter_values_are_quoted_and_escaped() {
        assert_eq!(quoted(r#"梅岭"镇\"#), r#""梅岭\"镇\\""#);
        let request = SearchRequest {
            filters: Filters {
                township: Some("梅岭镇".into()),
                seller_kind: Some("cooperative".into()),
                price_min: Some(1000),
                in_stock_only: true,
                ..Filters::default()
            },
            ..SearchRequest::default()
        };
        assert_eq!(
            MeiliIndex::filter(&request),
            r#"township = "梅岭镇" AND seller_kind = "cooperative" AND price_from >= 1000 AND in_stock = true"#
        );
    }
}
