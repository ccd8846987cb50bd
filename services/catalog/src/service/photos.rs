//! Listing photos: the original kept privately (it may carry EXIF location), re-encoded copies
//! published; at most 9 per listing.

use crate::Catalog;
use crate::domain::ImageId;
use crate::error::{CatalogError, Missing, Result};
use crate::images;
use crate::store::image;
use crate::store::queries::{images as image_rows, listings};
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::id::{AccountId, ListingId};

fn is_full(count: u64) -> bool {
    usize::try_from(count).unwrap_or(usize::MAX) >= images::MAX_IMAGES_PER_LISTING
}

impl Catalog {
    /// Stores a photo a seller uploads: the original privately, re-encoded copies publicly.
    #[tracing::instrument(skip_all, fields(listing.id = %listing_id))]
    pub async fn add_image(
        &self,
        actor: &Actor,
        listing_id: ListingId,
        bytes: bytes::Bytes,
    ) -> Result<image::Model> {
        let _ = self.listing_for_seller(actor, listing_id).await?;
        // A cheap early refusal; `store_image` checks again under the listing's row lock.
        if is_full(image_rows::count(&self.infra().db, listing_id).await?) {
            return Err(CatalogError::TooManyImages);
        }
        self.store_image(listing_id, bytes, actor.account_id).await
    }

    /// Processes and stores a photo as the listing's next (also used by the demo seed). The
    /// limit is checked again inside the write transaction, with the listing row locked: of
    /// uploads sent together, only those that fit are kept (the others' files are removed).
    #[tracing::instrument(skip_all, fields(listing.id = %listing_id, image.id = tracing::field::Empty))]
    pub async fn store_image(
        &self,
        listing_id: ListingId,
        bytes: bytes::Bytes,
        uploaded_by: AccountId,
    ) -> Result<image::Model> {
        let processed = images::process_limited(
            &self.infra().limits.images,
            bytes.clone(),
            images::MIN_PHOTO_SIDE,
        )
        .await?;
        let id = ImageId::new();
        tracing::Span::current().record("image.id", tracing::field::display(id));
        let key = |s: String| ObjectKey::parse(&s).map_err(CatalogError::from);
        let original = key(format!(
            "private/listings/{listing_id}/{id}/original.{}",
            processed.kind.extension()
        ))?;
        let display = key(format!("public/listings/{listing_id}/{id}/display.jpg"))?;
        let thumb = key(format!("public/listings/{listing_id}/{id}/thumb.jpg"))?;
        let objects = &self.infra().objects;
        let stored = objects
            .put(&original, bytes, processed.kind.content_type())
            .await?;
        objects
            .put(&display, processed.display.into(), "image/jpeg")
            .await?;
        objects
            .put(&thumb, processed.thumb.into(), "image/jpeg")
            .await?;
        let txn = begin_write(&self.infra().db).await?;
        listings::lock(&txn, listing_id).await?;
        let count = image_rows::count(&txn, listing_id).await?;
        if is_full(count) {
            drop(txn);
            for k in [&original, &display, &thumb] {
                let _ = objects.delete(k).await;
            }
            return Err(CatalogError::TooManyImages);
        }
        let model = image::Model {
            id: id.as_uuid(),
            listing_id: listing_id.as_uuid(),
            position: i32::try_from(count).unwrap_or(0),
            original_key: original.to_string(),
            display_key: display.to_string(),
            thumb_key: thumb.to_string(),
            content_type: processed.kind.content_type().to_owned(),
            sha256: stored.sha256,
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            width: i32::try_from(processed.width).unwrap_or(0),
            height: i32::try_from(processed.height).unwrap_or(0),
            uploaded_by: uploaded_by.as_uuid(),
            created_at: self.now(),
        };
        image_rows::insert(&txn, &model).await?;
        self.publish(&txn, listing_id).await?;
        self.commit(txn).await?;
        Ok(model)
    }

    /// Removes a photo (its seller): the row first, then its files.
    #[tracing::instrument(skip_all, fields(listing.id = %listing_id, image.id = %image_id))]
    pub async fn delete_image(
        &self,
        actor: &Actor,
        listing_id: ListingId,
        image_id: ImageId,
    ) -> Result<()> {
        let _ = self.listing_for_seller(actor, listing_id).await?;
        let img = image_rows::in_listing(&self.infra().db, listing_id, image_id)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Image))?;
        let txn = begin_write(&self.infra().db).await?;
        image_rows::delete(&txn, image_id).await?;
        self.publish(&txn, listing_id).await?;
        self.commit(txn).await?;
        // Files go after the row: a failure here leaves an orphan file, never a broken page.
        for k in [&img.display_key, &img.thumb_key, &img.original_key] {
            if let Ok(key) = ObjectKey::parse(k)
                && let Err(e) = self.infra().objects.delete(&key).await
            {
                tracing::warn!(key = %k, error = %e, "could not delete an image file");
            }
        }
        Ok(())
    }
}
