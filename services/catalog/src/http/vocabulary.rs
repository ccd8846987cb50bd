//! Search as you type (anyone) and the county's search vocabulary (operator, `/ops/vocabulary.html`).

use crate::Catalog;
use crate::domain::{MAX_ENTRIES, MAX_ENTRY_CHARS, MAX_GROUP_WORDS, VocabularyKind};
use crate::error::CatalogError;
use crate::store::{vocabulary, vocabulary_change};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_infra::search::suggest::{MAX_SUGGESTIONS, Suggestion};
use farmgate_infra::search::text::MAX_QUERY_CHARS;
use farmgate_kernel::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// What the shopper has typed so far: characters, pinyin (`qic`) or initials (`qc`).
    #[serde(default)]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// 1–10 (default 8).
    #[param(minimum = 1, maximum = 10)]
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestView {
    pub q: String,
    /// Product names, words of titles, categories and places starting with `q`, most popular
    /// (sales, stock) first.
    pub suggestions: Vec<Suggestion>,
}

/// Search as you type: suggestions after each keystroke.
#[utoipa::path(get, path = "/api/v1/search/suggest", tag = "catalog", params(SuggestQuery),
    responses(
        (status = 200, description = "Suggestions, most popular first (empty for an empty `q`); cached for a few seconds", body = SuggestView),
        (status = 400, description = "Bad request: `invalid_query`", body = ErrorBody),
        (status = 422, description = "Bad parameters: `validation_failed`", body = ErrorBody),
        (status = 503, description = "Search engine down: `unavailable`", body = ErrorBody),
    ))]
pub async fn search_suggest(
    State(catalog): State<Catalog>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiResult<Response> {
    let text = q.q.unwrap_or_default();
    let mut errs = ValidationErrors::new();
    if text.chars().count() > MAX_QUERY_CHARS {
        errs.push(FieldError::new(
            "q",
            "too_long",
            format!("最多 {MAX_QUERY_CHARS} 个字"),
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = q.limit.unwrap_or(8);
    if !(1..=MAX_SUGGESTIONS).contains(&limit) {
        errs.push(FieldError::new(
            "limit",
            "out_of_range",
            format!("1 到 {MAX_SUGGESTIONS} 条"),
            format!("1 to {MAX_SUGGESTIONS}"),
        ));
    }
    errs.finish().map_err(CatalogError::from)?;
    let suggestions = catalog.suggest(&text, limit).await?;
    let mut resp = Json(SuggestView {
        q: text,
        suggestions,
    })
    .into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    Ok(resp)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyEntryView {
    pub id: Uuid,
    pub kind: VocabularyKind,
    /// The entry as stored: folded to simplified characters, single-spaced, a group's words
    /// sorted.
    pub text: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

impl VocabularyEntryView {
    fn of(m: &vocabulary::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            text: m.entry.clone(),
            created_by: m.created_by,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyChangeView {
    /// `added` or `removed`.
    pub action: String,
    pub entry_id: Uuid,
    pub kind: VocabularyKind,
    pub text: String,
    /// The operator's account.
    pub actor_id: Uuid,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyLimits {
    pub max_entries: u64,
    pub max_entry_chars: usize,
    pub max_group_words: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShippedCounts {
    pub words: usize,
    pub synonym_groups: usize,
    pub english_names: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyView {
    /// The county's entries, oldest first, merged over the shipped vocabulary in that order.
    pub entries: Vec<VocabularyEntryView>,
    /// The latest 50 additions and removals, newest first.
    pub changes: Vec<VocabularyChangeView>,
    pub shipped: ShippedCounts,
    pub limits: VocabularyLimits,
}

/// The county's search vocabulary and who changed it (operator).
#[utoipa::path(get, path = "/api/v1/admin/search/vocabulary", tag = "admin",
    responses(
        (status = 200, description = "The county's entries, recent changes, shipped counts and limits", body = VocabularyView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
    ))]
pub async fn list_vocabulary(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<VocabularyView>> {
    let s = catalog.vocabulary(&actor).await?;
    Ok(Json(VocabularyView {
        entries: s.entries.iter().map(VocabularyEntryView::of).collect(),
        changes: s
            .changes
            .iter()
            .map(|c: &vocabulary_change::Model| VocabularyChangeView {
                action: c.action.clone(),
                entry_id: c.entry_id,
                kind: c.kind,
                text: c.entry.clone(),
                actor_id: c.actor_id,
                at: c.at,
            })
            .collect(),
        shipped: ShippedCounts {
            words: s.shipped.0,
            synonym_groups: s.shipped.1,
            english_names: s.shipped.2,
        },
        limits: VocabularyLimits {
            max_entries: MAX_ENTRIES,
            max_entry_chars: MAX_ENTRY_CHARS,
            max_group_words: MAX_GROUP_WORDS,
        },
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVocabularyEntry {
    pub kind: VocabularyKind,
    /// One line: `word` (2–16 Chinese characters, optionally its pinyin, one syllable per
    /// character: `重庆 chong qing`); `synonyms` (2–8 Chinese words separated by spaces);
    /// `english` (`english words = chinese words`). At most 200 characters.
    #[schema(max_length = 200)]
    pub text: String,
}

/// Add a word, synonym group or English name (operator). Searches understand it at once;
/// listings whose titles contain its words are re-analysed in the background.
#[utoipa::path(post, path = "/api/v1/admin/search/vocabulary", tag = "admin",
    request_body = NewVocabularyEntry,
    responses(
        (status = 201, description = "The entry as stored", body = VocabularyEntryView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 409, description = "Already in the county's or the shipped vocabulary: `vocabulary_duplicate`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Malformed, too long, or the limit reached (fields kind, text): `validation_failed`", body = ErrorBody),
    ))]
pub async fn add_vocabulary(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<NewVocabularyEntry>,
) -> ApiResult<(StatusCode, Json<VocabularyEntryView>)> {
    let m = catalog.add_vocabulary(&actor, req.kind, &req.text).await?;
    Ok((StatusCode::CREATED, Json(VocabularyEntryView::of(&m))))
}

/// Remove an entry (operator); listings mentioning its words are re-analysed.
#[utoipa::path(delete, path = "/api/v1/admin/search/vocabulary/{id}", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such entry: `not_found`", body = ErrorBody),
    ))]
pub async fn remove_vocabulary(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    catalog.remove_vocabulary(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
