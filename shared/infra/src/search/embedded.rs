//! The embedded search engine: tantivy, persisted under `data/search/`, one process.
//!
//! Text is analysed in Rust ([`Analyzer`]) and handed to tantivy as space-separated tokens, so
//! the index needs no custom tokenizer and the same analysis serves Meilisearch:
//!
//! | field | holds | used for |
//! | --- | --- | --- |
//! | `title_words` | jieba search-mode words of the title | Chinese words (boost 3) |
//! | `keyword_words` | words of categories, seller, places | secondary matches (boost 1) |
//! | `chars` | every Han character, with positions | single characters, unknown words (phrase) |
//! | `pinyin` | full pinyin, initials, word runs | pinyin and initials, prefix and typos |
//! | `category`, `township`, `seller_kind` | raw strings, fast | filters and facet counts |
//! | `price`, `in_stock`, `sales`, `created_at` | numbers, fast | filters and sorting |
//! | `credit` | the shop credit signal, fast | the relevance tiebreak ([`super::RANKING`]) |
//! | `doc` | the whole document as JSON, stored | rendering hits |
//!
//! ## Merges happen under the writer lock
//!
//! tantivy's default is to merge segments on background threads while the writer goes on
//! committing. A commit drops every committed segment whose documents are all deleted, and
//! `delete_all_documents` drops every segment; a background merge of such a segment then ends
//! on segments the `SegmentManager` no longer holds: tantivy logs WARN "couldn't find segment
//! in SegmentManager" and throws the merge away. Our write pattern hits this all the time — one
//! small commit per outbox event, the same listing upserted again and again (approval, stock,
//! price), and `clear` before a rebuild. So the writer merges nothing by itself
//! ([`NoMergePolicy`]); after each commit, still holding the writer lock, we ask the log merge
//! policy for candidates and run those merges to the end ([`merge_due`]). No commit or delete
//! can happen while a merge runs, and every merge ends on the segments it started from.

use super::suggest::{Suggester, Suggestion};
use super::text::{AnalyzedQuery, Analyzer, QueryPart, typo_budget};
use super::{
    Facets, SearchDoc, SearchError, SearchHit, SearchIndex, SearchRequest, SearchResponse, Sort,
};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::indexer::{LogMergePolicy, MergePolicy, NoMergePolicy};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, WhitespaceTokenizer};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, Term,
};
use uuid::Uuid;

const TOKENIZER: &str = "fg_ws";
const WRITER_BUDGET: usize = 64 * 1024 * 1024;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title_words: Field,
    keyword_words: Field,
    chars: Field,
    pinyin: Field,
    category: Field,
    seller: Field,
    township: Field,
    seller_kind: Field,
    price: Field,
    in_stock: Field,
    sales: Field,
    created_at: Field,
    credit: Field,
    doc: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |positions: bool| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(if positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                }),
        )
    };
    let fast_num = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title_words: b.add_text_field("title_words", text(false)),
        keyword_words: b.add_text_field("keyword_words", text(false)),
        chars: b.add_text_field("chars", text(true)),
        pinyin: b.add_text_field("pinyin", text(false)),
        category: b.add_text_field("category", STRING | tantivy::schema::FAST),
        seller: b.add_text_field("seller", STRING),
        township: b.add_text_field("township", STRING | tantivy::schema::FAST),
        seller_kind: b.add_text_field("seller_kind", STRING | tantivy::schema::FAST),
        price: b.add_u64_field("price", fast_num.clone()),
        in_stock: b.add_u64_field("in_stock", fast_num.clone()),
        sales: b.add_u64_field("sales", fast_num.clone()),
        created_at: b.add_i64_field("created_at", fast_num.clone()),
        credit: b.add_i64_field("credit", fast_num),
        doc: b.add_text_field("doc", STORED),
    };
    (b.build(), fields)
}

struct Inner {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: RwLock<Arc<Analyzer>>,
    /// Search as you type: every indexed listing's names, in memory ([`Suggester`]).
    suggester: Suggester,
}

impl Inner {
    fn analyzer(&self) -> Arc<Analyzer> {
        self.analyzer
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The embedded engine. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for EmbeddedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedIndex").finish_non_exhaustive()
    }
}

fn idx_err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Index(e.to_string())
}

fn u64_of(n: i64) -> u64 {
    u64::try_from(n.max(0)).unwrap_or(0)
}

impl EmbeddedIndex {
    /// Opens the index in `dir`, creating it when absent. An index written with another schema
    /// (an older version of this code) is discarded and recreated empty; the catalogue notices
    /// the empty index and rebuilds it from the database.
    pub fn open(dir: &Path, analyzer: Arc<Analyzer>) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(idx_err)?;
        let (schema, fields) = schema();
        let open = |schema: Schema| -> tantivy::Result<Index> {
            Index::open_or_create(
                MmapDirectory::open(dir)
                    .map_err(|e| tantivy::TantivyError::SystemError(e.to_string()))?,
                schema,
            )
        };
        let index = match open(schema.clone()) {
            Ok(i) => i,
            Err(tantivy::TantivyError::SchemaError(msg)) => {
                tracing::warn!(dir = %dir.display(), %msg, "search index schema changed; starting an empty index");
                std::fs::remove_dir_all(dir).map_err(idx_err)?;
                std::fs::create_dir_all(dir).map_err(idx_err)?;
                open(schema).map_err(idx_err)?
            }
            Err(e) => return Err(idx_err(e)),
        };
        Self::from_index(index, fields, analyzer)
    }

    /// An index in memory (for tests of code that needs an index but not its files).
    pub fn in_memory(analyzer: Arc<Analyzer>) -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields, analyzer)
    }

    fn from_index(
        index: Index,
        fields: Fields,
        analyzer: Arc<Analyzer>,
    ) -> Result<Self, SearchError> {
        // Tokenizers are not stored with the index: register after every open.
        index.tokenizers().register(
            TOKENIZER,
            TextAnalyzer::builder(WhitespaceTokenizer::default())
                .filter(LowerCaser)
                .build(),
        );
        let writer: IndexWriter = index
            .writer_with_num_threads(1, WRITER_BUDGET)
            .map_err(idx_err)?;
        // Merges run in `write`, under the writer lock (see the module comment).
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(idx_err)?;
        let me = Self {
            inner: Arc::new(Inner {
                index,
                reader,
                writer: Mutex::new(writer),
                fields,
                analyzer: RwLock::new(analyzer),
                suggester: Suggester::default(),
            }),
        };
        me.load_suggestions();
        Ok(me)
    }

    /// Fills the suggester from the documents already in the index (a restart), on a thread
    /// of its own so that opening a large index does not wait for it. It holds the writer
    /// lock meanwhile, so no upsert or delete can interleave with the loading.
    fn load_suggestions(&self) {
        let inner = self.inner.clone();
        if inner.reader.searcher().num_docs() == 0 {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("fg-suggest-load".to_owned())
            .spawn(move || {
                let _writer = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
                inner.reader.reload().ok();
                let searcher = inner.reader.searcher();
                let analyzer = inner.analyzer();
                let mut docs = Vec::new();
                for (ord, segment) in searcher.segment_readers().iter().enumerate() {
                    for id in segment.doc_ids_alive() {
                        let address = DocAddress::new(ord as SegmentOrdinal, id);
                        let Ok(stored) = searcher.doc::<TantivyDocument>(address) else {
                            continue;
                        };
                        let json = stored
                            .get_first(inner.fields.doc)
                            .and_then(|v| v.as_str())
                            .unwrap_or("");
                        if let Ok(d) = serde_json::from_str::<SearchDoc>(json) {
                            docs.push(d);
                        }
                        if docs.len() >= 5_000 {
                            inner.suggester.add(&analyzer, &docs);
                            docs.clear();
                        }
                    }
                }
                inner.suggester.add(&analyzer, &docs);
                tracing::info!(
                    listings = inner.suggester.len(),
                    "search suggestions loaded"
                );
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start loading search suggestions");
        }
    }

    fn to_document(inner: &Inner, d: &SearchDoc) -> Result<TantivyDocument, SearchError> {
        let f = inner.fields;
        let a = inner.analyzer();
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, d.id.to_string());
        doc.add_text(f.title_words, a.index_words(&d.title).join(" "));
        doc.add_text(f.keyword_words, a.index_words(&d.keywords).join(" "));
        doc.add_text(f.chars, a.chars(&d.title));
        doc.add_text(f.pinyin, a.pinyin_tokens(&d.title).join(" "));
        for c in &d.category_ids {
            doc.add_text(f.category, c.to_string());
        }
        doc.add_text(f.seller, d.seller_id.to_string());
        if let Some(t) = &d.township {
            doc.add_text(f.township, t);
        }
        doc.add_text(f.seller_kind, &d.seller_kind);
        doc.add_u64(f.price, u64_of(d.price_from));
        doc.add_u64(f.in_stock, u64::from(d.in_stock));
        doc.add_u64(f.sales, u64_of(d.sales));
        doc.add_i64(f.created_at, d.created_at);
        doc.add_i64(f.credit, d.credit);
        doc.add_text(f.doc, serde_json::to_string(d).map_err(idx_err)?);
        Ok(doc)
    }

    /// Runs `f` with the writer, commits, and makes the change visible to searches.
    async fn write(
        &self,
        f: impl FnOnce(&Inner, &mut IndexWriter) -> Result<(), SearchError> + Send + 'static,
    ) -> Result<(), SearchError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut writer = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
            if let Err(e) = f(&inner, &mut writer) {
                // A rollback builds a new writer inside, with tantivy's default merge policy.
                if writer.rollback().is_ok() {
                    writer.set_merge_policy(Box::new(NoMergePolicy));
                }
                return Err(e);
            }
            writer.commit().map_err(idx_err)?;
            merge_due(&inner.index, &mut writer);
            inner.reader.reload().map_err(idx_err)
        })
        .await
        .map_err(idx_err)?
    }

    fn build_query(
        inner: &Inner,
        request: &SearchRequest,
        analyzed: &AnalyzedQuery,
    ) -> Box<dyn Query> {
        let f = inner.fields;
        let term = |field: Field, text: &str| Term::from_field_text(field, text);
        let tq = |field: Field, text: &str, boost: f32| -> Box<dyn Query> {
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    term(field, text),
                    IndexRecordOption::WithFreqs,
                )),
                boost,
            ))
        };
        let han_word = |word: &str, boost: f32| -> Vec<(Occur, Box<dyn Query>)> {
            let mut out: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Should, tq(f.title_words, word, 3.0 * boost)),
                (Occur::Should, tq(f.keyword_words, word, boost)),
            ];
            let chars: Vec<Term> = word
                .chars()
                .map(|c| term(f.chars, &c.to_string()))
                .collect();
            if chars.len() == 1 {
                out.push((Occur::Should, tq(f.chars, word, 1.5 * boost)));
            } else if chars.len() > 1 {
                out.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(PhraseQuery::new(chars)),
                        1.5 * boost,
                    )),
                ));
            }
            out
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for part in &analyzed.parts {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            match part {
                QueryPart::Han { word, synonyms } => {
                    any.extend(han_word(word, 1.0));
                    for s in synonyms {
                        any.extend(han_word(s, 0.8));
                    }
                }
                QueryPart::Latin {
                    text,
                    synonyms,
                    exact,
                } => {
                    let budget = if *exact { 0 } else { typo_budget(text) };
                    if !*exact {
                        any.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(FuzzyTermQuery::new_prefix(term(f.pinyin, text), 0, true)),
                                2.0,
                            )),
                        ));
                    }
                    if budget > 0 {
                        any.push((
                            Occur::Should,
                            Box::new(FuzzyTermQuery::new_prefix(
                                term(f.pinyin, text),
                                budget,
                                true,
                            )),
                        ));
                    }
                    any.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new_prefix(
                                term(f.title_words, text),
                                0,
                                true,
                            )),
                            3.0,
                        )),
                    ));
                    // English category names are among the keywords.
                    any.push((Occur::Should, tq(f.keyword_words, text, 1.0)));
                    for s in synonyms {
                        any.extend(han_word(s, 0.8));
                    }
                }
                QueryPart::Sounds { word, pinyin } => {
                    any.extend(han_word(word, 1.0));
                    // Whole words only: a homophone is a word that sounds the same, not any
                    // word whose pinyin starts the same way.
                    any.push((Occur::Should, tq(f.pinyin, pinyin, 0.5)));
                }
                QueryPart::Characters { word } => {
                    any.extend(han_word(word, 1.0));
                    let all: Vec<(Occur, Box<dyn Query>)> = word
                        .chars()
                        .map(|c| (Occur::Must, tq(f.chars, &c.to_string(), 0.5)))
                        .collect();
                    any.push((Occur::Should, Box::new(BooleanQuery::new(all))));
                }
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        let filters = &request.filters;
        let exact = |field: Field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(term(field, text), IndexRecordOption::Basic))
        };
        if let Some(c) = filters.category {
            clauses.push((Occur::Must, exact(f.category, &c.to_string())));
        }
        if let Some(s) = filters.seller {
            clauses.push((Occur::Must, exact(f.seller, &s.to_string())));
        }
        if let Some(t) = &filters.township {
            clauses.push((Occur::Must, exact(f.township, t)));
        }
        if let Some(k) = &filters.seller_kind {
            clauses.push((Occur::Must, exact(f.seller_kind, k)));
        }
        if filters.price_min.is_some() || filters.price_max.is_some() {
            let lo = filters.price_min.map_or(Bound::Unbounded, |p| {
                Bound::Included(Term::from_field_u64(f.price, u64_of(p)))
            });
            let hi = filters.price_max.map_or(Bound::Unbounded, |p| {
                Bound::Included(Term::from_field_u64(f.price, u64_of(p)))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        if filters.in_stock_only {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.in_stock, 1),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if clauses.is_empty() {
            return Box::new(AllQuery);
        }
        if analyzed.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn run_search(
        inner: &Inner,
        request: &SearchRequest,
        analyzed: &AnalyzedQuery,
    ) -> Result<SearchResponse, SearchError> {
        let searcher = inner.reader.searcher();
        let analyzer = inner.analyzer();
        let query = Self::build_query(inner, request, analyzed);
        let limit = usize::try_from(request.per_page.max(1)).unwrap_or(20);
        let offset = usize::try_from(request.offset()).unwrap_or(0);
        let facets = (
            StrValueCounts("category"),
            StrValueCounts("township"),
            StrValueCounts("seller_kind"),
        );
        let addresses: Vec<DocAddress>;
        let total;
        let (cat, town, kind);
        if request.beyond_window() {
            let (n, (c, t, k)) = searcher.search(&query, &(Count, facets)).map_err(idx_err)?;
            addresses = Vec::new();
            total = n;
            (cat, town, kind) = (c, t, k);
        } else {
            let top = TopDocs::with_limit(limit).and_offset(offset);
            macro_rules! by {
                ($collector:expr) => {{
                    let (hits, n, (c, t, k)) = searcher
                        .search(&query, &($collector, Count, facets))
                        .map_err(idx_err)?;
                    addresses = hits.into_iter().map(|(_, a)| a).collect();
                    total = n;
                    (cat, town, kind) = (c, t, k);
                }};
            }
            match request.sort {
                Sort::Relevance => by!(top.tweak_score(relevance_key)),
                Sort::PriceAsc => by!(top.order_by_fast_field::<u64>("price", Order::Asc)),
                Sort::PriceDesc => by!(top.order_by_fast_field::<u64>("price", Order::Desc)),
                Sort::Newest => by!(top.order_by_fast_field::<i64>("created_at", Order::Desc)),
                Sort::Sales => by!(top.order_by_fast_field::<u64>("sales", Order::Desc)),
            }
        }
        let mut hits = Vec::with_capacity(addresses.len());
        for a in addresses {
            let stored: TantivyDocument = searcher.doc(a).map_err(idx_err)?;
            let json = stored
                .get_first(inner.fields.doc)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let doc: SearchDoc = serde_json::from_str(json).map_err(idx_err)?;
            let title_highlight = analyzer.highlight(&doc.title, analyzed);
            hits.push(SearchHit {
                doc,
                title_highlight,
            });
        }
        Ok(SearchResponse {
            hits,
            total: total as u64,
            facets: Facets {
                category: cat,
                township: town,
                seller_kind: kind,
            },
            notes: Default::default(),
        })
    }
}

#[async_trait]
impl SearchIndex for EmbeddedIndex {
    fn backend(&self) -> &'static str {
        "embedded"
    }

    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        self.write(move |inner, writer| {
            for d in &docs {
                let doc = Self::to_document(inner, d)?;
                writer.delete_term(Term::from_field_text(inner.fields.id, &d.id.to_string()));
                writer.add_document(doc).map_err(idx_err)?;
            }
            inner.suggester.add(&inner.analyzer(), &docs);
            Ok(())
        })
        .await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.write(move |inner, writer| {
            for id in &ids {
                writer.delete_term(Term::from_field_text(inner.fields.id, &id.to_string()));
            }
            inner.suggester.remove(&ids);
            Ok(())
        })
        .await
    }

    async fn search_analyzed(
        &self,
        request: &SearchRequest,
        query: &AnalyzedQuery,
    ) -> Result<SearchResponse, SearchError> {
        let inner = self.inner.clone();
        let request = request.clone();
        let query = query.clone();
        tokio::task::spawn_blocking(move || Self::run_search(&inner, &request, &query))
            .await
            .map_err(idx_err)?
    }

    fn analyzer(&self) -> Arc<Analyzer> {
        self.inner.analyzer()
    }

    async fn set_analyzer(&self, analyzer: Arc<Analyzer>) -> Result<(), SearchError> {
        *self
            .inner
            .analyzer
            .write()
            .unwrap_or_else(PoisonError::into_inner) = analyzer;
        Ok(())
    }

    async fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, SearchError> {
        Ok(self.inner.suggester.suggest(prefix, limit))
    }

    async fn clear(&self) -> Result<(), SearchError> {
        self.write(|inner, writer| {
            writer.delete_all_documents().map(|_| ()).map_err(idx_err)?;
            inner.suggester.clear();
            Ok(())
        })
        .await
    }

    async fn count(&self) -> Result<u64, SearchError> {
        Ok(self.inner.reader.searcher().num_docs())
    }

    async fn health(&self) -> Result<(), SearchError> {
        let _ = self.inner.index.searchable_segment_ids().map_err(idx_err)?;
        Ok(())
    }
}

/// The relevance order ([`super::RANKING`]): the text match (the score to about four
/// significant digits, so float noise does not decide), then in stock, the shop credit signal
/// and sales. Tuples compare in order, so each signal only breaks the ties of those before it.
type RelevanceKey = (Score, u64, i64, u64);

fn relevance_key(segment: &SegmentReader) -> impl Fn(DocId, Score) -> RelevanceKey + use<> {
    let fast = segment.fast_fields();
    let in_stock = fast.u64("in_stock").ok();
    let credit = fast.i64("credit").ok();
    let sales = fast.u64("sales").ok();
    move |doc, score| {
        (
            text_match(score),
            in_stock.as_ref().and_then(|c| c.first(doc)).unwrap_or(0),
            credit.as_ref().and_then(|c| c.first(doc)).unwrap_or(0),
            sales.as_ref().and_then(|c| c.first(doc)).unwrap_or(0),
        )
    }
}

/// A score with its last 10 of 23 mantissa bits cleared: two scores within about 1 part in
/// 8,000 of each other count as the same text match.
fn text_match(score: Score) -> Score {
    if score.is_finite() && score > 0.0 {
        Score::from_bits(score.to_bits() & !0x3FF)
    } else {
        score
    }
}

/// Runs, to the end, the merges the log merge policy asks for among the committed segments.
/// Called with the writer lock held, right after a commit, so that no commit or delete runs
/// while a merge does (see the module comment). A failed merge loses nothing — its segments stay
/// as they were — so it is logged and the write still succeeds.
fn merge_due(index: &Index, writer: &mut IndexWriter) {
    let policy = LogMergePolicy::default();
    // A merge can make a bigger segment that is itself due with others: a few rounds at most.
    for _ in 0..8 {
        let segments = match index.searchable_segment_metas() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "search index: could not list segments to merge");
                return;
            }
        };
        let candidates = policy.compute_merge_candidates(&segments);
        if candidates.is_empty() {
            return;
        }
        for candidate in candidates {
            let n = candidate.0.len();
            if let Err(e) = writer.merge(&candidate.0).wait() {
                tracing::warn!(error = %e, segments = n, "search index: a segment merge failed; its segments stay as they are");
                return;
            }
        }
    }
}

/// Counts the values of a string fast field over the matched documents (facet counts).
struct StrValueCounts(&'static str);

struct StrValueCountsSegment {
    column: Option<tantivy::columnar::StrColumn>,
    counts: Vec<u64>,
}

impl Collector for StrValueCounts {
    type Fruit = BTreeMap<String, u64>;
    type Child = StrValueCountsSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let column = segment.fast_fields().str(self.0)?;
        let n = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(StrValueCountsSegment {
            column,
            counts: vec![0; n],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        let mut out = BTreeMap::new();
        for fruit in fruits {
            for (k, v) in fruit {
                *out.entry(k).or_insert(0) += v;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for StrValueCountsSegment {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(c) = &self.column {
            for ord in c.term_ords(doc) {
                if let Some(n) = usize::try_from(ord)
                    .ok()
                    .and_then(|o| self.counts.get_mut(o))
                {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = HashMap::new();
        if let Some(c) = self.column {
            let mut s = String::new();
            for (ord, &n) in self.counts.iter().enumerate() {
                if n > 0 && c.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                    out.insert(s.clone(), n);
                }
            }
        }
        out
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::OnceLock;

    /// Every log line of the test process (tantivy logs through `log`; the subscriber's
    /// `tracing-log` bridge brings those records in).
    fn captured() -> &'static Mutex<Vec<u8>> {
        static LOG: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
        let log = LOG.get_or_init(|| Mutex::new(Vec::new()));
        static INIT: OnceLock<()> = OnceLock::new();
        INIT.get_or_init(|| {
            struct W;
            impl Write for W {
                fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                    captured_raw().extend_from_slice(buf);
                    Ok(buf.len())
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    Ok(())
                }
            }
            fn captured_raw() -> std::sync::MutexGuard<'static, Vec<u8>> {
                captured().lock().unwrap_or_else(PoisonError::into_inner)
            }
            let _ = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::WARN)
                .with_ansi(false)
                .with_writer(|| W)
                .try_init();
        });
        log
    }

    fn doc(n: u128, title: &str, version: i64) -> SearchDoc {
        SearchDoc {
            id: Uuid::from_u128(n),
            title: title.to_owned(),
            keywords: "水果 青石县".to_owned(),
            category_ids: vec![Uuid::from_u128(7)],
            township: Some("梅岭镇".to_owned()),
            seller_id: Uuid::from_u128(1000 + n),
            seller_name: "梅岭合作社".to_owned(),
            seller_kind: "cooperative".to_owned(),
            price_from: 1000 + version,
            unit: "box".to_owned(),
            in_stock: true,
            sales: version,
            credit: 0,
            created_at: 1_700_000_000,
            thumb_url: None,
        }
    }

    const TITLES: [&str; 4] = ["赣南脐橙", "高山云雾茶", "农家土鸡蛋", "手工笋干"];

    /// The write pattern of demo start and of a busy outbox: many small concurrent upserts of
    /// the same listings (each one deletes the previous version, so whole segments empty out),
    /// deletes, and a rebuild (`clear`, then everything again) in the middle of it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_upserts_and_a_rebuild_merge_without_losing_segments() {
        let log = captured();
        let dir = tempfile::tempdir().expect("temp dir");
        let ix =
            EmbeddedIndex::open(&dir.path().join("s"), Arc::new(Analyzer::new())).expect("open");
        let all = |version: i64| -> Vec<SearchDoc> {
            (0..40u128)
                .map(|n| doc(n, TITLES[(n % 4) as usize], version))
                .collect()
        };
        ix.upsert(all(0)).await.expect("first load");
        let mut tasks = Vec::new();
        for w in 0..8u128 {
            let ix = ix.clone();
            tasks.push(tokio::spawn(async move {
                for round in 0..20i64 {
                    let n = (w * 5 + round as u128) % 40;
                    ix.upsert(vec![doc(n, TITLES[(n % 4) as usize], round)])
                        .await
                        .expect("upsert");
                    if round % 13 == 0 {
                        ix.delete(vec![Uuid::from_u128(500 + w)])
                            .await
                            .expect("delete");
                    }
                }
            }));
        }
        let rebuild = {
            let ix = ix.clone();
            tokio::spawn(async move {
                for _ in 0..3 {
                    tokio::time::sleep(std::time::Duration::from_millis(40)).await;
                    ix.clear().await.expect("clear");
                    ix.upsert(all(99)).await.expect("rebuild");
                }
            })
        };
        for t in tasks {
            t.await.expect("writer task");
        }
        rebuild.await.expect("rebuild task");
        ix.upsert(all(100)).await.expect("last load");

        let text = String::from_utf8_lossy(&log.lock().unwrap_or_else(PoisonError::into_inner))
            .into_owned();
        let lost = text
            .lines()
            .filter(|l| l.contains("couldn't find segment") || l.contains("committed_ids"))
            .count();
        assert_eq!(lost, 0, "merges ended on missing segments:\n{text}");
        assert!(
            !text.contains("Starting the merge failed"),
            "a merge could not start:\n{text}"
        );

        assert_eq!(ix.count().await.expect("count"), 40, "every listing once");
        let searcher = ix.inner.reader.searcher();
        assert!(
            searcher.segment_readers().len() < 12,
            "segments are merged: {}",
            searcher.segment_readers().len()
        );
        let request = |q: &str| SearchRequest {
            query: q.to_owned(),
            page: 1,
            per_page: 50,
            ..SearchRequest::default()
        };
        let found = ix.search(&request("脐橙")).await.expect("search");
        assert_eq!(found.total, 10);
        assert!(
            found.hits.iter().all(|h| h.doc.sales == 100),
            "the last version answers"
        );
        assert_eq!(ix.search(&request("笋干")).await.expect("search").total, 10);
    }
}
