//! Reviews: after receipt the buyer rates each line once (1–5 stars, text, up to 9 photos);
//! the listing shows them with the average.

use crate::Orders;
use crate::domain::{self, SubOrderStatus};
use crate::error::{OrdersError, Result};
use crate::store::{line, order, review, review_photo, sub_order};
use bytes::Bytes;
use farmgate_catalog::images;
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::text::clean_optional_text;
use farmgate_kernel::{FieldError, Page, Paged, ValidationErrors};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

/// At most this many photos on a review.
pub const MAX_REVIEW_PHOTOS: usize = 9;
/// Photos an account may hold that no review uses yet (uploads are not free storage).
pub const MAX_UNUSED_PHOTOS: u64 = 30;

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
    pub photos: Vec<Uuid>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PhotoView {
    pub id: Uuid,
    pub url: String,
    pub thumb_url: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: Uuid,
    pub line_id: Uuid,
    pub listing_id: Uuid,
    pub rating: i16,
    pub text: Option<String>,
    pub photos: Vec<PhotoView>,
    /// The reviewer, masked (王**).
    pub reviewer: String,
    pub sku_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
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
            line_id: r.line_id,
            listing_id: r.listing_id,
            rating: r.rating,
            text: r.body.clone(),
            photos,
            reviewer: r.reviewer.clone(),
            sku_name: r.sku_name.clone(),
            created_at: r.created_at,
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

/// The average of star counts, to one decimal (display only; nothing is computed from it).
pub fn average(stars: &[u64; 5]) -> Option<f64> {
    let count: u64 = stars.iter().sum();
    if count == 0 {
        return None;
    }
    let points: u64 = stars.iter().zip(1u64..).map(|(n, s)| n * s).sum();
    // Tenths, rounded half up, in integers.
    let tenths = (points * 100 / count + 5) / 10;
    #[expect(
        clippy::cast_precision_loss,
        reason = "at most 50, exactly representable"
    )]
    let avg = tenths as f64 / 10.0;
    Some(avg)
}

impl Orders {
    /// Stores a review photo (sniffed, re-encoded without EXIF, with a thumbnail).
    pub async fn upload_review_photo(&self, actor: &Actor, bytes: Bytes) -> Result<PhotoView> {
        let unused = review_photo::Entity::find()
            .filter(review_photo::Column::AccountId.eq(actor.account_id.as_uuid()))
            .filter(review_photo::Column::ReviewId.is_null())
            .count(&self.infra().db)
            .await?;
        if unused >= MAX_UNUSED_PHOTOS {
            return Err(OrdersError::conflict(
                "too_many_photos",
                "未使用的评价照片太多，请先发表评价",
                "too many photos not yet used in a review; post a review first",
            ));
        }
        let input = bytes.clone();
        let processed = tokio::task::spawn_blocking(move || images::process(&input))
            .await
            .map_err(|e| OrdersError::Internal(e.to_string()))??;
        let id = Uuid::now_v7();
        let account = actor.account_id.as_uuid();
        let key =
            |s: String| ObjectKey::parse(&s).map_err(|e| OrdersError::Internal(e.to_string()));
        let display = key(format!("public/reviews/{account}/{id}/display.jpg"))?;
        let thumb = key(format!("public/reviews/{account}/{id}/thumb.jpg"))?;
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
            created_at: Set(self.infra().clock.now()),
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
    pub async fn review(
        &self,
        actor: &Actor,
        line_id: Uuid,
        req: &ReviewRequest,
    ) -> Result<review::Model> {
        let db = &self.infra().db;
        let not_found = || OrdersError::not_found("订单商品", "order line");
        let l = line::Entity::find_by_id(line_id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        let o = order::Entity::find_by_id(l.order_id)
            .one(db)
            .await?
            .filter(|o| o.buyer_account_id == actor.account_id.as_uuid())
            .ok_or_else(not_found)?;
        let sub = sub_order::Entity::find_by_id(l.sub_order_id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        if sub.status != SubOrderStatus::Received.as_str() {
            return Err(OrdersError::conflict(
                "not_received",
                "确认收货后才能评价",
                "you can review once you have confirmed receipt",
            ));
        }
        if review::Entity::find()
            .filter(review::Column::LineId.eq(l.id))
            .one(db)
            .await?
            .is_some()
        {
            return Err(already_reviewed());
        }
        let mut errs = ValidationErrors::new();
        let rating = errs.check("rating", domain::parse_rating(req.rating));
        let text = errs.check("text", clean_optional_text(req.text.as_deref(), 500, true));
        let mut ids = req.photos.clone();
        ids.dedup();
        if ids.len() > MAX_REVIEW_PHOTOS {
            errs.push(FieldError::new(
                "photos",
                "too_many",
                format!("最多 {MAX_REVIEW_PHOTOS} 张照片"),
                format!("at most {MAX_REVIEW_PHOTOS} photos"),
            ));
        }
        let photos = if ids.is_empty() {
            Vec::new()
        } else {
            review_photo::Entity::find()
                .filter(review_photo::Column::Id.is_in(ids.clone()))
                .filter(review_photo::Column::AccountId.eq(actor.account_id.as_uuid()))
                .filter(review_photo::Column::ReviewId.is_null())
                .all(db)
                .await?
        };
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
        let id = Uuid::now_v7();
        let model = review::Model {
            id,
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
            created_at: self.infra().clock.now(),
        };
        let txn = begin_write(db).await?;
        review::Entity::insert(review::ActiveModel::from(model.clone()))
            .exec_without_returning(&txn)
            .await
            .map_err(|e| match unique_violation(&e) {
                Some(_) => already_reviewed(),
                None => e.into(),
            })?;
        if !ids.is_empty() {
            review_photo::Entity::update_many()
                .col_expr(review_photo::Column::ReviewId, Expr::value(id))
                .filter(review_photo::Column::Id.is_in(ids))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(model)
    }

    /// A listing's reviews, newest first, with the star counts and average.
    pub async fn listing_reviews(&self, listing_id: Uuid, page: Page) -> Result<ListingReviews> {
        let db = &self.infra().db;
        let counts: Vec<(i16, i64)> = review::Entity::find()
            .select_only()
            .column(review::Column::Rating)
            .column_as(review::Column::Id.count(), "n")
            .filter(review::Column::ListingId.eq(listing_id))
            .group_by(review::Column::Rating)
            .into_tuple()
            .all(db)
            .await?;
        let mut stars = [0u64; 5];
        for (rating, n) in counts {
            if let Some(slot) = usize::try_from(rating - 1)
                .ok()
                .and_then(|i| stars.get_mut(i))
            {
                *slot = u64::try_from(n).unwrap_or(0);
            }
        }
        let q = review::Entity::find()
            .filter(review::Column::ListingId.eq(listing_id))
            .order_by_desc(review::Column::CreatedAt);
        let total = q.clone().count(db).await?;
        let rows = q.offset(page.offset()).limit(page.limit()).all(db).await?;
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

fn already_reviewed() -> OrdersError {
    OrdersError::conflict(
        "already_reviewed",
        "这件商品已经评价过了",
        "this line has already been reviewed",
    )
}

#[cfg(test)]
mod tests {
    use super::average;

    #[test]
    fn the_average_is_rounded_to_a_tenth() {
        assert_eq!(average(&[0, 0, 0, 0, 0]), None);
        assert_eq!(average(&[0, 0, 0, 0, 3]), Some(5.0));
        assert_eq!(average(&[1, 0, 0, 0, 1]), Some(3.0));
        // (4 + 5 + 5) / 3 = 4.666… → 4.7
        assert_eq!(average(&[0, 0, 0, 1, 2]), Some(4.7));
        // (1 + 2) / 2 = 1.5
        assert_eq!(average(&[1, 1, 0, 0, 0]), Some(1.5));
    }
}
