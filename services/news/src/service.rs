//! News use cases. Each checks who may act, applies the domain rules, and writes its change in
//! one transaction. Who may do what:
//! - writing (create, edit, submit, upload pictures): the operator and county officials, each
//!   on their own articles;
//! - reviewing (approve, reject), pinning: an operator, never on their own article;
//! - withdrawing: an operator, or the article's author;
//! - reading in the back office: the author and operators; anyone else is told it does not
//!   exist. The public reads only what is public now.

use crate::News;
use crate::domain::{
    ArticleId, ArticleInput, Move, NewsCategory, ParsedArticle, QueueAge, ReviewRefusal,
    ReviewStatus, Reviewer, check_reviewer, next, parse_reason, public_from, queue_age,
};
use crate::error::{Missing, NewsError, Result};
use crate::store::queries::{self, Approval};
use crate::store::{article, image, revision};
use bytes::Bytes;
use farmgate_catalog::images;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::{FieldError, Page, Paged};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// Pinned notices the home page shows at most.
pub const MAX_PINNED: u64 = 5;
/// Pictures one writer may upload in a day.
pub const MAX_IMAGES_PER_DAY: u64 = 200;

/// An article as the back office sees it: the article, its newest revision and the public one.
#[derive(Clone, Debug)]
pub struct ArticleRecord {
    pub article: article::Model,
    pub working: revision::Model,
    pub published: Option<revision::Model>,
}

/// A public article with the revision the public sees.
#[derive(Clone, Debug)]
pub struct PublicRecord {
    pub article: article::Model,
    pub revision: revision::Model,
}

/// A submitted article waiting for review, and how long it has waited.
#[derive(Clone, Debug)]
pub struct QueueRecord {
    pub record: ArticleRecord,
    pub age: QueueAge,
}

/// Why an article is rejected or withdrawn.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewsReason)]
pub struct Reason {
    /// 2–500 characters, shown to the author.
    pub reason: String,
}

/// Pin an article to the home page, or unpin it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewsPin)]
pub struct Pin {
    pub pinned: bool,
}

fn is_writer(actor: &Actor) -> bool {
    actor.is_operator() || actor.is_official()
}

fn role_of(actor: &Actor) -> &'static str {
    if actor.is_operator() {
        "operator"
    } else {
        "official"
    }
}

fn refusal(r: ReviewRefusal) -> NewsError {
    match r {
        ReviewRefusal::NotOperator => NewsError::NotOperator,
        ReviewRefusal::OwnArticle => NewsError::OwnArticle,
    }
}

fn object_key(s: &str) -> Result<ObjectKey> {
    ObjectKey::parse(s).map_err(|e| NewsError::Internal(e.to_string()))
}

impl News {
    /// Parses an article off the async threads (the sanitiser reads the whole body) and checks
    /// that every picture it shows is the writer's own upload or public already.
    async fn parse(&self, actor: &Actor, input: ArticleInput) -> Result<ParsedArticle> {
        let now = self.now();
        let parsed = tokio::task::spawn_blocking(move || input.parse(now))
            .await
            .map_err(|e| NewsError::Internal(format!("sanitising an article: {e}")))??;
        let ids = parsed.image_ids();
        let usable =
            queries::usable_images(&self.infra().db, &ids, actor.account_id.as_uuid()).await?;
        if usize::try_from(usable).unwrap_or(0) != ids.len() {
            return Err(FieldError::new(
                "body_html",
                "unknown_image",
                "正文或封面中的图片不存在或不是你上传的",
                "a picture in the body or the cover is missing or not yours",
            )
            .into());
        }
        Ok(parsed)
    }

    fn revision_of(
        &self,
        article: ArticleId,
        number: i32,
        p: ParsedArticle,
        actor: &Actor,
    ) -> revision::Model {
        revision::Model {
            id: Uuid::now_v7(),
            article_id: article.0,
            number,
            title: p.title,
            summary: p.summary,
            body_html: p.body_html,
            category: p.category,
            cover_image_id: p.cover_image_id,
            publish_at: p.publish_at,
            created_by: actor.account_id.as_uuid(),
            created_at: self.now(),
        }
    }

    /// A new article, as a draft of its author.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn create(&self, actor: &Actor, input: ArticleInput) -> Result<ArticleRecord> {
        if !is_writer(actor) {
            return Err(NewsError::Forbidden);
        }
        let parsed = self.parse(actor, input).await?;
        let id = ArticleId(Uuid::now_v7());
        let rev = self.revision_of(id, 1, parsed, actor);
        let now = self.now();
        let a = article::Model {
            id: id.0,
            author_id: actor.account_id.as_uuid(),
            author_name: actor.display_name.chars().take(100).collect(),
            author_role: role_of(actor).to_owned(),
            status: ReviewStatus::Draft,
            working_revision_id: rev.id,
            published_revision_id: None,
            category: None,
            public_from: None,
            pinned: false,
            submitted_at: None,
            reviewed_by: None,
            reviewed_at: None,
            reject_reason: None,
            withdrawn_at: None,
            withdrawn_by: None,
            withdraw_reason: None,
            created_at: now,
            updated_at: now,
        };
        let txn = begin_write(&self.infra().db).await?;
        queries::insert_article(&txn, a).await?;
        queries::insert_revision(&txn, rev).await?;
        txn.commit().await?;
        tracing::info!(article.id = %id, "news article drafted");
        self.record(actor, id).await
    }

    /// The article for its author (only they edit and submit it); not found for others.
    async fn own_article(&self, actor: &Actor, id: ArticleId) -> Result<article::Model> {
        let a = queries::article(&self.infra().db, id)
            .await?
            .ok_or(NewsError::NotFound(Missing::Article))?;
        if a.author_id == actor.account_id.as_uuid() && is_writer(actor) {
            Ok(a)
        } else if actor.is_operator() {
            Err(NewsError::Forbidden)
        } else {
            Err(NewsError::NotFound(Missing::Article))
        }
    }

    /// An edit: a new revision, the working one, as a draft. A published article stays public
    /// as approved until this revision is.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, article.id = %id))]
    pub async fn edit(
        &self,
        actor: &Actor,
        id: ArticleId,
        input: ArticleInput,
    ) -> Result<ArticleRecord> {
        let a = self.own_article(actor, id).await?;
        if next(a.status, Move::Edit).is_none() {
            return Err(NewsError::WrongStatus(a.status));
        }
        let parsed = self.parse(actor, input).await?;
        let txn = begin_write(&self.infra().db).await?;
        // The conditional update first: on PostgreSQL it holds the article's row until commit,
        // so two edits at once number their revisions one after the other.
        let mut rev = self.revision_of(id, 0, parsed, actor);
        let from = [
            ReviewStatus::Draft,
            ReviewStatus::Approved,
            ReviewStatus::Rejected,
        ];
        if !queries::start_revision(&txn, id, rev.id, &from, self.now()).await? {
            let status = queries::article(&txn, id)
                .await?
                .map_or(a.status, |a| a.status);
            return Err(NewsError::WrongStatus(status));
        }
        rev.number = queries::last_revision_number(&txn, id).await? + 1;
        queries::insert_revision(&txn, rev).await?;
        txn.commit().await?;
        self.record(actor, id).await
    }

    /// The author sends the draft for review; the 48 hours start.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, article.id = %id))]
    pub async fn submit(&self, actor: &Actor, id: ArticleId) -> Result<ArticleRecord> {
        let a = self.own_article(actor, id).await?;
        if next(a.status, Move::Submit).is_none() {
            return Err(NewsError::WrongStatus(a.status));
        }
        if !queries::submit(&self.infra().db, id, self.now()).await? {
            return Err(self.lost(id, a.status).await?);
        }
        self.record(actor, id).await
    }

    async fn lost(&self, id: ArticleId, was: ReviewStatus) -> Result<NewsError> {
        let now = queries::article(&self.infra().db, id)
            .await?
            .map_or(was, |a| a.status);
        Ok(NewsError::WrongStatus(now))
    }

    /// The article for a reviewer: an operator who did not write it.
    async fn for_review(&self, actor: &Actor, id: ArticleId) -> Result<article::Model> {
        if !actor.is_operator() {
            // Officials and everyone else: not their move (an official sees their own
            // article's id, so "not found" would mislead them).
            return Err(if is_writer(actor) {
                NewsError::NotOperator
            } else {
                NewsError::Forbidden
            });
        }
        let a = queries::article(&self.infra().db, id)
            .await?
            .ok_or(NewsError::NotFound(Missing::Article))?;
        check_reviewer(Reviewer {
            is_operator: true,
            is_author: a.author_id == actor.account_id.as_uuid(),
        })
        .map_err(refusal)?;
        Ok(a)
    }

    /// Approves the submitted revision: it becomes the public one, at once or at its scheduled
    /// time. Of two approvals at once, one wins; the other is told the article moved on.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, article.id = %id))]
    pub async fn approve(&self, actor: &Actor, id: ArticleId) -> Result<ArticleRecord> {
        let a = self.for_review(actor, id).await?;
        if next(a.status, Move::Approve).is_none() {
            return Err(NewsError::WrongStatus(a.status));
        }
        let db = &self.infra().db;
        let rev = queries::revision(db, a.working_revision_id)
            .await?
            .ok_or_else(|| NewsError::Internal("an article without its revision".to_owned()))?;
        let now = self.now();
        let currently = if a.withdrawn_at.is_none() {
            a.public_from
        } else {
            None
        };
        let approval = Approval {
            revision: rev.id,
            category: rev.category,
            public_from: public_from(now, rev.publish_at, currently),
            reviewer: actor.account_id.as_uuid(),
            at: now,
        };
        let txn = begin_write(db).await?;
        if !queries::approve(&txn, id, &approval).await? {
            drop(txn);
            return Err(self.lost(id, a.status).await?);
        }
        let shown = ParsedArticle {
            title: String::new(),
            summary: None,
            body_html: rev.body_html.clone(),
            category: rev.category,
            cover_image_id: rev.cover_image_id,
            publish_at: None,
        }
        .image_ids();
        queries::make_images_public(&txn, &shown, now).await?;
        txn.commit().await?;
        tracing::info!(revision = rev.number, public_from = %approval.public_from, "news article approved");
        self.record(actor, id).await
    }

    /// Sends the submitted revision back to its author with a reason.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, article.id = %id))]
    pub async fn reject(
        &self,
        actor: &Actor,
        id: ArticleId,
        req: &Reason,
    ) -> Result<ArticleRecord> {
        let a = self.for_review(actor, id).await?;
        let reason = parse_reason(&req.reason)?;
        if next(a.status, Move::Reject).is_none() {
            return Err(NewsError::WrongStatus(a.status));
        }
        let ok = queries::reject(
            &self.infra().db,
            id,
            a.working_revision_id,
            actor.account_id.as_uuid(),
            &reason,
            self.now(),
        )
        .await?;
        if !ok {
            return Err(self.lost(id, a.status).await?);
        }
        self.record(actor, id).await
    }

    /// Takes a published article down, with a reason (an operator, or its author). Approving a
    /// new revision publishes it again.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, article.id = %id))]
    pub async fn withdraw(
        &self,
        actor: &Actor,
        id: ArticleId,
        req: &Reason,
    ) -> Result<ArticleRecord> {
        let db = &self.infra().db;
        let a = queries::article(db, id)
            .await?
            .ok_or(NewsError::NotFound(Missing::Article))?;
        let author = a.author_id == actor.account_id.as_uuid() && is_writer(actor);
        if !(actor.is_operator() || author) {
            return Err(if is_writer(actor) {
                NewsError::NotFound(Missing::Article)
            } else {
                NewsError::Forbidden
            });
        }
        let reason = parse_reason(&req.reason)?;
        if !queries::withdraw(db, id, actor.account_id.as_uuid(), &reason, self.now()).await? {
            return Err(NewsError::NotPublished);
        }
        tracing::info!("news article withdrawn");
        self.record(actor, id).await
    }

    /// Pins an article to the home page (shown while it is public), or unpins it: operators.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, article.id = %id))]
    pub async fn pin(&self, actor: &Actor, id: ArticleId, req: &Pin) -> Result<ArticleRecord> {
        if !actor.is_operator() {
            return Err(if is_writer(actor) {
                NewsError::NotOperator
            } else {
                NewsError::Forbidden
            });
        }
        if !queries::set_pinned(&self.infra().db, id, req.pinned, self.now()).await? {
            return Err(NewsError::NotFound(Missing::Article));
        }
        self.record(actor, id).await
    }

    async fn complete(&self, a: article::Model) -> Result<ArticleRecord> {
        let db = &self.infra().db;
        let mut ids = vec![a.working_revision_id];
        ids.extend(a.published_revision_id);
        let revs: HashMap<Uuid, revision::Model> = queries::revisions(db, ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let working = revs
            .get(&a.working_revision_id)
            .cloned()
            .ok_or_else(|| NewsError::Internal("an article without its revision".to_owned()))?;
        let published = a.published_revision_id.and_then(|p| revs.get(&p).cloned());
        Ok(ArticleRecord {
            article: a,
            working,
            published,
        })
    }

    async fn complete_all(&self, items: Vec<article::Model>) -> Result<Vec<ArticleRecord>> {
        let mut out = Vec::with_capacity(items.len());
        for a in items {
            out.push(self.complete(a).await?);
        }
        Ok(out)
    }

    fn may_read(actor: &Actor, a: &article::Model) -> bool {
        actor.is_operator() || (is_writer(actor) && a.author_id == actor.account_id.as_uuid())
    }

    /// One article in the back office: its author or an operator.
    pub async fn record(&self, actor: &Actor, id: ArticleId) -> Result<ArticleRecord> {
        let a = queries::article(&self.infra().db, id)
            .await?
            .filter(|a| Self::may_read(actor, a))
            .ok_or(NewsError::NotFound(Missing::Article))?;
        self.complete(a).await
    }

    /// Every revision of an article, newest first: its author or an operator.
    pub async fn revisions(&self, actor: &Actor, id: ArticleId) -> Result<Vec<revision::Model>> {
        self.record(actor, id).await?;
        Ok(queries::revisions_of(&self.infra().db, id).await?)
    }

    /// The back office list: an official's own articles; an operator's own, or everyone's
    /// with `all`.
    pub async fn listed(
        &self,
        actor: &Actor,
        all: bool,
        status: Option<ReviewStatus>,
        page: Page,
    ) -> Result<Paged<ArticleRecord>> {
        if !is_writer(actor) {
            return Err(NewsError::Forbidden);
        }
        let author = if all && actor.is_operator() {
            None
        } else {
            Some(actor.account_id.as_uuid())
        };
        let p = queries::listed(&self.infra().db, author, status, page).await?;
        let items = self.complete_all(p.items).await?;
        Ok(Paged {
            items,
            total: p.total,
            limit: p.limit,
            offset: p.offset,
        })
    }

    /// The review queue: submitted articles, longest waiting first, with their age against
    /// the 48-hour rule. Operators.
    pub async fn queue(&self, actor: &Actor, page: Page) -> Result<Paged<QueueRecord>> {
        if !actor.is_operator() {
            return Err(if is_writer(actor) {
                NewsError::NotOperator
            } else {
                NewsError::Forbidden
            });
        }
        let now = self.now();
        let p = queries::queue(&self.infra().db, page).await?;
        let mut items = Vec::with_capacity(p.items.len());
        for a in p.items {
            let submitted = a.submitted_at.unwrap_or(a.updated_at);
            items.push(QueueRecord {
                record: self.complete(a).await?,
                age: queue_age(submitted, now),
            });
        }
        Ok(Paged {
            items,
            total: p.total,
            limit: p.limit,
            offset: p.offset,
        })
    }

    async fn public_records(&self, items: Vec<article::Model>) -> Result<Vec<PublicRecord>> {
        let ids = items
            .iter()
            .filter_map(|a| a.published_revision_id)
            .collect();
        let mut revs: HashMap<Uuid, revision::Model> = queries::revisions(&self.infra().db, ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        Ok(items
            .into_iter()
            .filter_map(|a| {
                let r = revs.remove(&a.published_revision_id?)?;
                Some(PublicRecord {
                    article: a,
                    revision: r,
                })
            })
            .collect())
    }

    /// Public articles, newest first, optionally of one category.
    pub async fn public_list(
        &self,
        category: Option<NewsCategory>,
        page: Page,
    ) -> Result<Paged<PublicRecord>> {
        let p = queries::public_list(&self.infra().db, category, self.now(), page).await?;
        let items = self.public_records(p.items).await?;
        Ok(Paged {
            items,
            total: p.total,
            limit: p.limit,
            offset: p.offset,
        })
    }

    /// The pinned notices the home page shows.
    pub async fn pinned(&self) -> Result<Vec<PublicRecord>> {
        let items = queries::pinned(&self.infra().db, self.now(), MAX_PINNED).await?;
        self.public_records(items).await
    }

    /// One public article (its approved revision), or not found.
    pub async fn public_article(&self, id: ArticleId) -> Result<PublicRecord> {
        let a = queries::public_article(&self.infra().db, id, self.now())
            .await?
            .ok_or(NewsError::NotFound(Missing::Article))?;
        self.public_records(vec![a])
            .await?
            .pop()
            .ok_or(NewsError::NotFound(Missing::Article))
    }

    /// Stores a picture for an article: checked by its bytes (JPEG, PNG, WebP; size and
    /// decompression bombs refused before decoding), the original kept privately with its
    /// SHA-256, a re-encoded copy without EXIF shown.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn upload_image(&self, actor: &Actor, bytes: Bytes) -> Result<image::Model> {
        if !is_writer(actor) {
            return Err(NewsError::Forbidden);
        }
        let db = &self.infra().db;
        let me = actor.account_id.as_uuid();
        let day_ago = self.now() - chrono::Duration::days(1);
        if queries::images_uploaded_since(db, me, day_ago).await? >= MAX_IMAGES_PER_DAY {
            return Err(FieldError::new(
                "file",
                "too_many",
                format!("每天最多上传 {MAX_IMAGES_PER_DAY} 张图片"),
                format!("at most {MAX_IMAGES_PER_DAY} pictures a day"),
            )
            .into());
        }
        let processed = images::process_limited(
            &self.infra().limits.images,
            bytes.clone(),
            images::MIN_EVIDENCE_SIDE,
        )
        .await?;
        let id = Uuid::now_v7();
        let original = object_key(&format!(
            "private/news/{id}/original.{}",
            processed.kind.extension()
        ))?;
        let display = object_key(&format!("private/news/{id}/display.jpg"))?;
        let objects = &self.infra().objects;
        let put = objects
            .put(&original, bytes, processed.kind.content_type())
            .await
            .map_err(|e| NewsError::Internal(format!("storing a news picture: {e}")))?;
        objects
            .put(&display, processed.display.into(), "image/jpeg")
            .await
            .map_err(|e| NewsError::Internal(format!("storing a news picture: {e}")))?;
        let m = image::Model {
            id,
            uploaded_by: me,
            original_key: original.to_string(),
            display_key: display.to_string(),
            content_type: processed.kind.content_type().to_owned(),
            size_bytes: i64::try_from(put.size).unwrap_or(i64::MAX),
            sha256: put.sha256,
            width: i32::try_from(processed.width).unwrap_or(i32::MAX),
            height: i32::try_from(processed.height).unwrap_or(i32::MAX),
            uploaded_at: self.now(),
            public_at: None,
        };
        Ok(queries::insert_image(db, m).await?)
    }

    /// A picture's shown copy: to anyone once an approved revision shows it; before that to
    /// its uploader and operators. `true` with the bytes when it is public.
    pub async fn image_file(&self, actor: Option<&Actor>, id: Uuid) -> Result<(Vec<u8>, bool)> {
        let not_found = || NewsError::NotFound(Missing::Image);
        let m = queries::image(&self.infra().db, id)
            .await?
            .ok_or_else(not_found)?;
        let public = m.public_at.is_some();
        let allowed = public
            || actor.is_some_and(|a| a.is_operator() || a.account_id.as_uuid() == m.uploaded_by);
        if !allowed {
            return Err(not_found());
        }
        let obj = self
            .infra()
            .objects
            .get(&object_key(&m.display_key)?)
            .await
            .map_err(|e| NewsError::Internal(format!("reading a news picture: {e}")))?
            .ok_or_else(not_found)?;
        Ok((obj.bytes.to_vec(), public))
    }
}
