//! A search index the test can switch off and on, like an engine that goes down.

use farmgate_infra::search::{SearchDoc, SearchError, SearchIndex, SearchRequest, SearchResponse};
use uuid::Uuid;

/// Turns the search engine off and on for a test.
#[derive(Clone, Debug, Default)]
pub struct SearchSwitch {
    pub(crate) down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SearchSwitch {
    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A search index that fails every call while its switch is down, like an engine that is
/// unreachable.
pub(crate) struct SwitchableIndex {
    pub(crate) inner: std::sync::Arc<dyn SearchIndex>,
    pub(crate) down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SwitchableIndex {
    fn check(&self) -> Result<(), SearchError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            Err(SearchError::Meili(
                "the search engine is down (test switch)".to_owned(),
            ))
        } else {
            Ok(())
        }
    }
}

#[async_trait::async_trait]
impl SearchIndex for SwitchableIndex {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        self.check()?;
        self.inner.upsert(docs).await
    }
    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), SearchError> {
        self.check()?;
        self.inner.delete(ids).await
    }
    async fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        self.check()?;
        self.inner.search(request).await
    }
    async fn search_analyzed(
        &self,
        request: &SearchRequest,
        query: &farmgate_infra::search::text::AnalyzedQuery,
    ) -> Result<SearchResponse, SearchError> {
        self.check()?;
        self.inner.search_analyzed(request, query).await
    }
    fn analyzer(&self) -> std::sync::Arc<farmgate_infra::search::text::Analyzer> {
        self.inner.analyzer()
    }
    async fn set_analyzer(
        &self,
        analyzer: std::sync::Arc<farmgate_infra::search::text::Analyzer>,
    ) -> Result<(), SearchError> {
        self.check()?;
        self.inner.set_analyzer(analyzer).await
    }
    async fn suggest(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<farmgate_infra::search::suggest::Suggestion>, SearchError> {
        self.check()?;
        self.inner.suggest(prefix, limit).await
    }
    async fn clear(&self) -> Result<(), SearchError> {
        self.check()?;
        self.inner.clear().await
    }
    async fn count(&self) -> Result<u64, SearchError> {
        self.check()?;
        self.inner.count().await
    }
    async fn health(&self) -> Result<(), SearchError> {
        self.check()?;
        self.inner.health().await
    }
}
