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
use farmgate_infra::objects::{ObjectKey, StoredObject};
use farmgate_kernel::id::{AccountId, ListingId};

/// A photo's three files once stored (see [`Catalog::store_processed`]), with what its row
/// records of them.
pub(super) struct StoredPhoto {
    pub id: ImageId,
    pub original: ObjectKey,
    pub display: ObjectKey,
    pub thumb: ObjectKey,
    pub content_type: &'static str,
    pub sha256: String,
    pub size_bytes: i64,
    pub width: i32,
    pub height: i32,
}

impl StoredPhoto {
    /// The keys, to remove the files when the row is refused.
    pub fn keys(&self) -> [&str; 3] {
        [
            self.original.as_str(),
            self.display.as_str(),
            self.thumb.as_str(),
        ]
    }
}

pub(super) fn object_key(key: String) -> Result<ObjectKey> {
    ObjectKey::parse(&key).map_err(CatalogError::from)
}

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
        let photo = self
            .store_processed(&format!("listings/{listing_id}"), bytes)
            .await?;
        let model = image::Model {
            id: photo.id.as_uuid(),
            listing_id: listing_id.as_uuid(),
            position: 0,
            original_key: photo.original.to_string(),
            display_key: photo.display.to_string(),
            thumb_key: photo.thumb.to_string(),
            content_type: photo.content_type.to_owned(),
            sha256: photo.sha256.clone(),
            size_bytes: photo.size_bytes,
            width: photo.width,
            height: photo.height,
            uploaded_by: uploaded_by.as_uuid(),
            created_at: self.now(),
        };
        match self.insert_image(listing_id, model).await {
            Ok(model) => Ok(model),
            Err(e) => {
                self.delete_files(&photo.keys()).await;
                Err(e)
            }
        }
    }

    /// The photo's row as the listing's last, if it has room (the listing row locked).
    async fn insert_image(
        &self,
        listing_id: ListingId,
        mut model: image::Model,
    ) -> Result<image::Model> {
        let txn = begin_write(&self.infra().db).await?;
        listings::lock(&txn, listing_id).await?;
        let count = image_rows::count(&txn, listing_id).await?;
        if is_full(count) {
            return Err(CatalogError::TooManyImages);
        }
        model.position = i32::try_from(count).unwrap_or(0);
        image_rows::insert(&txn, &model).await?;
        self.publish(&txn, listing_id).await?;
        self.commit(txn).await?;
        Ok(model)
    }

    /// Checks and re-encodes a photo (the shared decoding slots) and stores its three files:
    /// the original privately (it may carry EXIF location), the display copy and the thumbnail
    /// publicly, under `private/{folder}/{id}/` and `public/{folder}/{id}/`. The one pipeline
    /// of listing photos and photos uploaded before their listing exists. If a file cannot be
    /// stored, those already stored are removed.
    pub(super) async fn store_processed(
        &self,
        folder: &str,
        bytes: bytes::Bytes,
    ) -> Result<StoredPhoto> {
        let processed = images::process_limited(
            &self.infra().limits.images,
            bytes.clone(),
            images::MIN_PHOTO_SIDE,
        )
        .await?;
        let id = ImageId::new();
        tracing::Span::current().record("image.id", tracing::field::display(id));
        let ext = processed.kind.extension();
        let content_type = processed.kind.content_type();
        let original = object_key(format!("private/{folder}/{id}/original.{ext}"))?;
        let display = object_key(format!("public/{folder}/{id}/display.jpg"))?;
        let thumb = object_key(format!("public/{folder}/{id}/thumb.jpg"))?;
        let stored = self
            .put_files(
                &original,
                bytes,
                content_type,
                vec![(&display, processed.display), (&thumb, processed.thumb)],
            )
            .await?;
        Ok(StoredPhoto {
            id,
            original,
            display,
            thumb,
            content_type,
            sha256: stored.sha256,
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            width: i32::try_from(processed.width).unwrap_or(0),
            height: i32::try_from(processed.height).unwrap_or(0),
        })
    }

    /// Puts the files of one picture: the original, then its re-encoded JPEG copies; if one
    /// fails, those already put are removed. Returns what the store says of the original (its
    /// hash and size).
    pub(super) async fn put_files(
        &self,
        original: &ObjectKey,
        bytes: bytes::Bytes,
        content_type: &str,
        copies: Vec<(&ObjectKey, Vec<u8>)>,
    ) -> Result<StoredObject> {
        let objects = &self.infra().objects;
        let stored = objects.put(original, bytes, content_type).await?;
        let mut done = vec![original.as_str()];
        for (key, jpeg) in copies {
            if let Err(e) = objects.put(key, jpeg.into(), "image/jpeg").await {
                self.delete_files(&done).await;
                return Err(e.into());
            }
            done.push(key.as_str());
        }
        Ok(stored)
    }

    /// Removes files by key, after the rows that named them are gone (or were never written):
    /// a failure leaves an orphan file, logged, never a broken page.
    pub(super) async fn delete_files(&self, keys: &[&str]) {
        for k in keys {
            if let Ok(key) = ObjectKey::parse(k)
                && let Err(e) = self.infra().objects.delete(&key).await
            {
                tracing::warn!(key = %k, error = %e, "could not delete a picture file");
            }
        }
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
        self.delete_files(&[&img.display_key, &img.thumb_key, &img.original_key])
            .await;
        Ok(())
    }
}
