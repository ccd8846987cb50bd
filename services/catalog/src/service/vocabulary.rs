//! The county's search vocabulary (#21): the operator adds and removes words, synonym groups
//! and English names; they are merged over the shipped `lexicon.txt`.
//!
//! A change commits the entry, its audit row and a `catalog.vocabulary.changed` event in one
//! transaction. Then, in this process, the search engine gets the new vocabulary at once
//! ([`Catalog::apply_vocabulary`]): queries understand the new words from the next request.
//! Every other process notices within [`VOCABULARY_CHECK`] ([`Catalog::follow_vocabulary`],
//! a background task of `farmgate serve`), so any replica's searches understand it within
//! seconds. The outbox handler (`index.rs`) applies it in the worker's process too and
//! re-analyses the listings whose titles, origins or category names contain the words, so
//! their documents are segmented and read anew.

use super::topics;
use crate::Catalog;
use crate::domain::{MAX_ENTRIES, VocabularyEntry, VocabularyKind};
use crate::error::{CatalogError, Missing, Result};
use crate::store::queries::vocabulary as q;
use crate::store::{vocabulary, vocabulary_change};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_infra::db::{begin_write, violates};
use farmgate_infra::search::SearchError;
use farmgate_infra::search::lexicon::Lexicon;
use farmgate_infra::search::text::Analyzer;
use farmgate_kernel::FieldError;
use serde_json::json;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use uuid::Uuid;

/// How often each process checks whether another replica changed the vocabulary: a change
/// reaches every replica's searches within this (plus the time to build the dictionary).
pub const VOCABULARY_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// How many audit rows the operator page shows.
const RECENT_CHANGES: u64 = 50;

/// The vocabulary as the operator page shows it.
#[derive(Clone, Debug)]
pub struct VocabularyState {
    pub entries: Vec<vocabulary::Model>,
    pub changes: Vec<vocabulary_change::Model>,
    /// What the shipped defaults hold: words, synonym groups, English names.
    pub shipped: (usize, usize, usize),
}

/// A fingerprint of a set of entries: the engine holds the vocabulary with this fingerprint.
pub(crate) fn vocabulary_fingerprint(entries: &[(VocabularyKind, String)]) -> u64 {
    let mut h = DefaultHasher::new();
    entries.hash(&mut h);
    h.finish()
}

/// The shipped defaults with the county's entries merged on top, in the order they were added.
fn merged(entries: &[vocabulary::Model]) -> Lexicon {
    let mut lexicon = Lexicon::defaults();
    for e in entries {
        let parsed = VocabularyEntry {
            kind: e.kind,
            entry: e.entry.clone(),
            words: Vec::new(),
        }
        .lexicon();
        match parsed {
            Some(l) => lexicon.merge(&l),
            // Entries are validated before they are stored; one that no longer parses (a
            // stricter parser in a later version) is left out rather than stopping search.
            None => {
                tracing::warn!(entry.id = %e.id, entry = %e.entry, "vocabulary entry no longer parses; left out")
            }
        }
    }
    lexicon
}

impl Catalog {
    /// The county's vocabulary and its recent changes (operator).
    pub async fn vocabulary(&self, actor: &Actor) -> Result<VocabularyState> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let db = &self.infra().db;
        let shipped = Lexicon::defaults();
        Ok(VocabularyState {
            entries: q::all(db).await?,
            changes: q::recent_changes(db, RECENT_CHANGES).await?,
            shipped: (
                shipped.words.len(),
                shipped.synonyms.len(),
                shipped.english.len(),
            ),
        })
    }

    /// Adds an entry (operator); searches understand it at once, listings mentioning its words
    /// are re-analysed through the outbox.
    #[tracing::instrument(skip_all, fields(vocabulary.kind = kind.as_str()))]
    pub async fn add_vocabulary(
        &self,
        actor: &Actor,
        kind: VocabularyKind,
        text: &str,
    ) -> Result<vocabulary::Model> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let entry = VocabularyEntry::parse(kind, text).map_err(CatalogError::field)?;
        if entry.is_shipped(&Lexicon::defaults()) {
            return Err(CatalogError::VocabularyDuplicate);
        }
        let db = &self.infra().db;
        if q::count(db).await? >= MAX_ENTRIES {
            return Err(CatalogError::field(FieldError::new(
                "text",
                "limit_reached",
                format!("本县词库最多 {MAX_ENTRIES} 条，请先删除不用的"),
                format!("at most {MAX_ENTRIES} entries: remove one first"),
            )));
        }
        if kind == VocabularyKind::Word {
            // One entry per word: a new reading replaces the old entry, it does not pile up.
            let word = entry.words.first().map(String::as_str).unwrap_or_default();
            if !q::words_named(db, word).await?.is_empty() {
                return Err(CatalogError::VocabularyDuplicate);
            }
        }
        let now = self.now();
        let model = vocabulary::Model {
            id: Uuid::now_v7(),
            kind,
            entry: entry.entry.clone(),
            created_by: actor.account_id.as_uuid(),
            created_at: now,
        };
        let txn = begin_write(db).await?;
        if let Err(e) = q::insert(&txn, &model).await {
            return Err(if violates(&e, &q::ENTRY) {
                CatalogError::VocabularyDuplicate
            } else {
                e.into()
            });
        }
        self.record_vocabulary_change(&txn, "added", &model, actor, &entry.words)
            .await?;
        self.commit(txn).await?;
        tracing::info!(vocabulary.id = %model.id, entry = %model.entry, "vocabulary entry added");
        self.apply_vocabulary_now().await;
        Ok(model)
    }

    /// Removes an entry (operator); the reverse of [`Self::add_vocabulary`].
    #[tracing::instrument(skip_all, fields(vocabulary.id = %id))]
    pub async fn remove_vocabulary(&self, actor: &Actor, id: Uuid) -> Result<()> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let txn = begin_write(&self.infra().db).await?;
        let model = q::by_id(&txn, id)
            .await?
            .ok_or(CatalogError::NotFound(Missing::VocabularyEntry))?;
        if !q::delete(&txn, id).await? {
            return Err(CatalogError::NotFound(Missing::VocabularyEntry));
        }
        let words = VocabularyEntry::parse(model.kind, &model.entry)
            .map(|e| e.words)
            .unwrap_or_default();
        self.record_vocabulary_change(&txn, "removed", &model, actor, &words)
            .await?;
        self.commit(txn).await?;
        tracing::info!(entry = %model.entry, "vocabulary entry removed");
        self.apply_vocabulary_now().await;
        Ok(())
    }

    async fn record_vocabulary_change(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        action: &str,
        model: &vocabulary::Model,
        actor: &Actor,
        words: &[String],
    ) -> Result<()> {
        q::record_change(
            txn,
            &vocabulary_change::Model {
                id: Uuid::now_v7(),
                action: action.to_owned(),
                entry_id: model.id,
                kind: model.kind,
                entry: model.entry.clone(),
                actor_id: actor.account_id.as_uuid(),
                at: self.now(),
            },
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(txn, topics::VOCABULARY_CHANGED, &json!({ "words": words }))
            .await?;
        Ok(())
    }

    /// After a committed change: the engine gets the vocabulary now. A failure (Meilisearch
    /// down) is not the operator's: the change is stored and the outbox applies it on retry.
    async fn apply_vocabulary_now(&self) {
        if let Err(e) = self.apply_vocabulary().await {
            tracing::warn!(error = %e, "vocabulary stored; the search engine takes it on the outbox's retry");
        }
    }

    /// Every replica's check (the server runs it every [`VOCABULARY_CHECK`]): when the stored
    /// vocabulary's version moved since this process last looked — a change made through
    /// another replica — applies it. Costs two small indexed queries when nothing moved; a
    /// failure keeps the old version seen, so the next check tries again. Returns whether the
    /// engine's vocabulary changed.
    pub async fn follow_vocabulary(&self) -> Result<bool> {
        let version = q::version(&self.infra().db).await?;
        let mut seen = self.inner.vocabulary_seen.lock().await;
        if *seen == Some(version) {
            return Ok(false);
        }
        let changed = self.apply_vocabulary().await?;
        if changed {
            tracing::info!(
                changes = version.0,
                "search vocabulary changed elsewhere; applied here"
            );
        }
        *seen = Some(version);
        Ok(changed)
    }

    /// Gives the search engine the shipped vocabulary merged with the county's, when it does
    /// not hold exactly that already; returns whether it changed. Called at start, after each
    /// change, and by the outbox handler (so every process that runs the worker follows).
    pub async fn apply_vocabulary(&self) -> Result<bool> {
        let mut held = self.inner.vocabulary.lock().await;
        let entries = q::all(&self.infra().db).await?;
        let keys: Vec<(VocabularyKind, String)> =
            entries.iter().map(|e| (e.kind, e.entry.clone())).collect();
        let fingerprint = vocabulary_fingerprint(&keys);
        if *held == fingerprint {
            return Ok(false);
        }
        let lexicon = merged(&entries);
        // Building the segmenter's dictionary takes a moment of CPU.
        let analyzer = tokio::task::spawn_blocking(move || Analyzer::with_lexicon(lexicon))
            .await
            .map_err(|e| SearchError::Task(format!("building the vocabulary: {e}")))?;
        self.search_index().set_analyzer(Arc::new(analyzer)).await?;
        *held = fingerprint;
        tracing::info!(entries = entries.len(), "search vocabulary applied");
        Ok(true)
    }
}
