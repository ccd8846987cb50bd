//! What the news endpoints answer with. The public views name no person: an article is
//! "by the platform" or "by the county" (`author_role`), never by an official's name.

use crate::domain::{IMAGE_PATH, NewsCategory, ReviewStatus};
use crate::service::{ArticleRecord, PublicRecord, QueueRecord};
use crate::store::{image, revision};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

fn image_url(id: Option<Uuid>) -> Option<String> {
    id.map(|i| format!("{IMAGE_PATH}{i}"))
}

/// The public page of an article.
pub fn public_path(id: Uuid) -> String {
    format!("/news/{id}")
}

/// One revision of an article, as saved.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = NewsRevisionView)]
pub struct RevisionView {
    pub id: Uuid,
    /// 1, 2, 3 … in the order saved.
    pub number: i32,
    pub title: String,
    pub summary: Option<String>,
    /// Sanitised.
    pub body_html: String,
    pub category: NewsCategory,
    pub cover_image_url: Option<String>,
    pub publish_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The one the public sees (or saw, when withdrawn).
    pub published: bool,
}

impl RevisionView {
    pub fn of(r: &revision::Model, published: Option<Uuid>) -> Self {
        Self {
            id: r.id,
            number: r.number,
            title: r.title.clone(),
            summary: r.summary.clone(),
            body_html: r.body_html.clone(),
            category: r.category,
            cover_image_url: image_url(r.cover_image_id),
            publish_at: r.publish_at,
            created_at: r.created_at,
            published: published == Some(r.id),
        }
    }
}

/// An article in the back office: where its newest revision stands and what is public.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = NewsArticleView)]
pub struct ArticleView {
    pub id: Uuid,
    /// Of the newest revision: `draft`, `submitted`, `approved`, `rejected`.
    pub status: ReviewStatus,
    pub author_id: Uuid,
    pub author_name: String,
    /// `operator` or `official`.
    pub author_role: String,
    /// The newest revision (what is edited and reviewed).
    pub working: RevisionView,
    /// The approved revision the public sees, once there is one.
    pub published: Option<RevisionView>,
    /// Visible to the public now.
    pub public: bool,
    /// From when it is (or will be) public.
    pub public_from: Option<DateTime<Utc>>,
    /// The public page.
    pub url: String,
    pub pinned: bool,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<String>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdraw_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ArticleView {
    pub fn of(r: &ArticleRecord, now: DateTime<Utc>) -> Self {
        let a = &r.article;
        Self {
            id: a.id,
            status: a.status,
            author_id: a.author_id,
            author_name: a.author_name.clone(),
            author_role: a.author_role.clone(),
            working: RevisionView::of(&r.working, a.published_revision_id),
            published: r
                .published
                .as_ref()
                .map(|p| RevisionView::of(p, a.published_revision_id)),
            public: crate::domain::is_public(a.public_from, a.withdrawn_at.is_some(), now)
                && a.published_revision_id.is_some(),
            public_from: a.public_from,
            url: public_path(a.id),
            pinned: a.pinned,
            submitted_at: a.submitted_at,
            reviewed_at: a.reviewed_at,
            reject_reason: a.reject_reason.clone(),
            withdrawn_at: a.withdrawn_at,
            withdraw_reason: a.withdraw_reason.clone(),
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// A submitted article in the review queue, with its age against the 48-hour rule.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NewsQueueItem {
    pub article: ArticleView,
    /// Minutes since it was submitted.
    pub age_minutes: i64,
    /// Past the 48 hours the management rules give.
    pub overdue: bool,
    /// When the 48 hours run out.
    pub due_at: DateTime<Utc>,
}

impl NewsQueueItem {
    pub fn of(q: &QueueRecord, now: DateTime<Utc>) -> Self {
        Self {
            article: ArticleView::of(&q.record, now),
            age_minutes: q.age.minutes,
            overdue: q.age.overdue,
            due_at: q.age.due_at,
        }
    }
}

/// A public article: its approved revision.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicArticleView {
    pub id: Uuid,
    pub title: String,
    pub summary: Option<String>,
    /// Sanitised rich text.
    pub body_html: String,
    pub category: NewsCategory,
    pub cover_image_url: Option<String>,
    /// `operator` (the platform) or `official` (the county).
    pub author_role: String,
    pub pinned: bool,
    pub published_at: DateTime<Utc>,
    /// The public page (share it).
    pub url: String,
}

impl PublicArticleView {
    pub fn of(p: &PublicRecord) -> Self {
        Self {
            id: p.article.id,
            title: p.revision.title.clone(),
            summary: p.revision.summary.clone(),
            body_html: p.revision.body_html.clone(),
            category: p.revision.category,
            cover_image_url: image_url(p.revision.cover_image_id),
            author_role: p.article.author_role.clone(),
            pinned: p.article.pinned,
            published_at: p.article.public_from.unwrap_or(p.article.created_at),
            url: public_path(p.article.id),
        }
    }
}

/// A public article in a list: no body.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicSummaryView {
    pub id: Uuid,
    pub title: String,
    pub summary: Option<String>,
    pub category: NewsCategory,
    pub cover_image_url: Option<String>,
    pub author_role: String,
    pub pinned: bool,
    pub published_at: DateTime<Utc>,
    pub url: String,
}

impl PublicSummaryView {
    pub fn of(p: &PublicRecord) -> Self {
        let full = PublicArticleView::of(p);
        Self {
            id: full.id,
            title: full.title,
            summary: full.summary,
            category: full.category,
            cover_image_url: full.cover_image_url,
            author_role: full.author_role,
            pinned: full.pinned,
            published_at: full.published_at,
            url: full.url,
        }
    }
}

/// A page of public articles.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicNewsPage {
    pub items: Vec<PublicSummaryView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// The pinned notices for the home page.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PinnedNews {
    pub items: Vec<PublicSummaryView>,
}

/// A page of back-office articles.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NewsArticlePage {
    pub items: Vec<ArticleView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// A page of the review queue.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NewsQueuePage {
    pub items: Vec<NewsQueueItem>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// Every revision of an article, newest first.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NewsRevisions {
    pub items: Vec<RevisionView>,
}

/// An uploaded picture: put `url` in the body (`<img src>`) or its id as the cover.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NewsImageView {
    pub id: Uuid,
    pub url: String,
    pub width: i32,
    pub height: i32,
    /// Of the original, as uploaded.
    pub size_bytes: i64,
    pub sha256: String,
}

impl NewsImageView {
    pub fn of(m: &image::Model) -> Self {
        Self {
            id: m.id,
            url: format!("{IMAGE_PATH}{}", m.id),
            width: m.width,
            height: m.height,
            size_bytes: m.size_bytes,
            sha256: m.sha256.clone(),
        }
    }
}
