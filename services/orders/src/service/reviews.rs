//! Reviews: after receipt the buyer rates each line once (1–5 stars, text, up to 9 photos);
//! the listing shows them with the average.

use super::review_moderation::ReviewReplyView;
use crate::Orders;
use crate::domain::{
    self, MAX_REVIEW_PHOTOS, MAX_UNUSED_PHOTOS, ReviewPhotoId, SubOrderMove, average,
    sub_order_transition,
};
use crate::error::{Missing, OrdersError, Result};
use crate::store::queries::{orders as q, reviews};
use crate::store::{review, review_photo};
use bytes::Bytes;
use farmgate_catalog::images;
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::id::{ListingId, OrderLineId};
use farmgate_kernel::text::clean_optional_text;
use farmgate_kernel::{FieldError, Page, Paged, ValidationErrors};
use sea_orm::{EntityTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

/// A review as the buyer writes it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// 1 to 5 stars.
    pub rating: i64,
    #[serde(default)]
    pub text: Option<String>,
    /// Ids from `POST /api/v1/review-photos`.
    #[serde(default)]
    pub photos: Vec<ReviewPhotoId>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PhotoView {
    pub id: Uuid,
    pub url: String,
    pub thumb_url: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = LineReviewView)]
pub struct ReviewView {
    pub id: Uuid,
    pub line_id: OrderLineId,
    pub listing_id: ListingId,
    pub rating: i16,
    pub text: Option<String>,
    pub photos: Vec<PhotoView>,
    /// The reviewer, masked (王**).
    pub reviewer: String,
    pub sku_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The seller's public reply, once.
    pub reply: Option<ReviewReplyView>,
}

impl ReviewView {
    pub fn of(r: &review::Model) -> Self {
        let photos = r
            .photos
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| PhotoView {
                        id: p["id"]
                            .as_str()
                            .and_then(|s| s.parse().ok())
                            .unwrap_or_default(),
                        url: format!("/media/{}", p["display"].as_str().unwrap_or_default()),
                        thumb_url: format!("/media/{}", p["thumb"].as_str().unwrap_or_default()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            id: r.id,
            line_id: OrderLineId(r.line_id),
            listing_id: ListingId(r.listing_id),
            rating: r.rating,
            text: r.body.clone(),
            photos,
            reviewer: r.reviewer.clone(),
            sku_name: r.sku_name.clone(),
            created_at: r.created_at,
            reply: ReviewReplyView::of(r),
        }
    }
}

/// A listing's reviews with the average.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ListingReviews {
    pub count: u64,
    /// One decimal; `null` with no reviews.
    pub average: Option<f64>,
    /// How many reviews gave 1, 2, 3, 4 and 5 stars.
    pub stars: [u64; 5],
    pub items: Vec<ReviewView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

impl Orders {
    /// Stores a review photo (sniffed, re-encoded without EXIF, with a thumbnail).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn upload_review_photo(&self, actor: &Actor, bytes: Bytes) -> Result<PhotoView> {
        let account = actor.account_id.as_uuid();
        let unused = reviews::count_unused_photos(&self.infra().db, account).await?;
        if unused >= MAX_UNUSED_PHOTOS {
            return Err(OrdersError::TooManyPhotos);
        }
        let processed = images::process_limited(
            &self.infra().limits.images,
            bytes.clone(),
            images::MIN_EVIDENCE_SIDE,
        )
        .await?;
        let id = Uuid::now_v7();
        let key =
            |s: String| ObjectKey::parse(&s).map_err(|e| OrdersError::Internal(e.to_string()));
        // The public address names the photo only: an anonymous review's photos must not
        // say whose they are (the owner is in the database, for the quota and the review).
        let display = key(format!("public/reviews/{id}/display.jpg"))?;
        let thumb = key(format!("public/reviews/{id}/thumb.jpg"))?;
        let objects = &self.infra().objects;
        let stored = objects
            .put(&display, processed.display.into(), "image/jpeg")
            .await
            .map_err(|e| OrdersError::Internal(e.to_string()))?;
        objects
            .put(&thumb, processed.thumb.into(), "image/jpeg")
            .await
            .map_err(|e| OrdersError::Internal(e.to_string()))?;
        review_photo::Entity::insert(review_photo::ActiveModel {
            id: Set(id),
            account_id: Set(account),
            display_key: Set(display.to_string()),
            thumb_key: Set(thumb.to_string()),
            sha256: Set(stored.sha256),
            review_id: Set(None),
            created_at: Set(self.now()),
        })
        .exec_without_returning(&self.infra().db)
        .await?;
        Ok(PhotoView {
            id,
            url: format!("/media/{display}"),
            thumb_url: format!("/media/{thumb}"),
        })
    }

    /// The buyer reviews a line of a received sub-order, once.
    #[tracing::instrument(skip_all, fields(line.id = %id))]
    pub async fn review(
        &self,
        actor: &Actor,
        id: OrderLineId,
        req: &ReviewRequest,
    ) -> Result<review::Model> {
        let db = &self.infra().db;
        let not_found = || OrdersError::NotFound(Missing::OrderLine);
        let l = q::line(db, id.0).await?.ok_or_else(not_found)?;
        let o = q::order(db, l.order_id)
            .await?
            .filter(|o| o.buyer_account_id == actor.account_id.as_uuid())
            .ok_or_else(not_found)?;
        let sub = q::sub_order(db, l.sub_order_id)
            .await?
            .ok_or_else(not_found)?;
        if sub_order_transition(sub.status, SubOrderMove::Review).is_err() {
            return Err(OrdersError::NotReceived);
        }
        if reviews::review_of_line(db, l.id).await?.is_some() {
            return Err(OrdersError::AlreadyReviewed);
        }
        let mut errs = ValidationErrors::new();
        let rating = errs.check("rating", domain::parse_rating(req.rating));
        let text = errs.check("text", clean_optional_text(req.text.as_deref(), 500, true));
        let mut ids: Vec<Uuid> = req.photos.iter().map(|p| p.0).collect();
        ids.dedup();
        if ids.len() > MAX_REVIEW_PHOTOS {
            errs.push(FieldError::new(
                "photos",
                "too_many",
                format!("最多 {MAX_REVIEW_PHOTOS} 张照片"),
                format!("at most {MAX_REVIEW_PHOTOS} photos"),
            ));
        }
        let photos = reviews::unused_photos(db, actor.account_id.as_uuid(), &ids).await?;
        if photos.len() != ids.len() {
            errs.push(FieldError::new(
                "photos",
                "not_found",
                "照片不存在、不是你上传的或已用于其他评价",
                "a photo is missing, not yours, or already used",
            ));
        }
        errs.finish()?;
        let (Some(rating), Some(text)) = (rating, text) else {
            return Err(OrdersError::Invalid(ValidationErrors::new()));
        };
        let photo_json: Vec<Value> = ids
            .iter()
            .filter_map(|id| photos.iter().find(|p| p.id == *id))
            .map(|p| json!({"id": p.id, "display": p.display_key, "thumb": p.thumb_key}))
            .collect();
        let review_id = Uuid::now_v7();
        let model = review::Model {
            id: review_id,
            line_id: l.id,
            order_id: o.id,
            listing_id: l.listing_id,
            seller_org_id: sub.seller_org_id,
            buyer_account_id: o.buyer_account_id,
            reviewer: domain::mask_name(&actor.display_name),
            sku_name: l.sku_name.clone(),
            rating,
            body: text,
            photos: json!(photo_json),
            created_at: self.now(),
            seller_reply: None,
            seller_replied_at: None,
            seller_replied_by: None,
            hidden_at: None,
            hidden_reason: None,
            hidden_by: None,
        };
        let txn = begin_write(db).await?;
        review::Entity::insert(review::ActiveModel::from(model.clone()))
            .exec_without_returning(&txn)
            .await
            .map_err(|e| match unique_violation(&e) {
                Some(_) => OrdersError::AlreadyReviewed,
                None => e.into(),
            })?;
        if reviews::attach_photos(&txn, &ids, review_id).await? != ids.len() as u64 {
            return Err(OrdersError::field(FieldError::new(
                "photos",
                "not_found",
                "照片不存在、不是你上传的或已用于其他评价",
                "a photo is missing, not yours, or already used",
            )));
        }
        txn.commit().await?;
        Ok(model)
    }

    /// A listing's reviews, newest first, with the star counts and average. Reviews the
    /// operator hid count in neither.
    #[tracing::instrument(skip_all, fields(listing.id = %id))]
    pub async fn listing_reviews(&self, id: ListingId, page: Page) -> Result<ListingReviews> {
        let db = &self.infra().db;
        let stars = reviews::star_counts(db, id.0).await?;
        let (rows, total) =
            reviews::reviews_of_listing(db, id.0, page.offset(), page.limit()).await?;
        let paged = Paged::new(rows.iter().map(ReviewView::of).collect(), total, page);
        Ok(ListingReviews {
            count: stars.iter().sum(),
            average: average(&stars),
            stars,
            items: paged.items,
            total: paged.total,
            limit: paged.limit,
            offset: paged.offset,
        })
    }
}
