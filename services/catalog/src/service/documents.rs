//! Pictures of an organisation's application (#19): its business licence, and any other paper
//! the operator asks for. The owner uploads them on the organisation page; the operator sees
//! them on the organisation check. They are checked and re-encoded like listing photos (type
//! from the bytes, size limits, turned upright, EXIF and GPS dropped), but nothing is public:
//! the original and the re-encoded copy are both private objects, served through an
//! authorised route to the operator and the organisation's own members only.
//!
//! They live here, not in identity, because the catalogue is where pictures are checked and
//! re-encoded; the table (`org_documents`) is the catalogue's, and identity is only asked who
//! may act.

use crate::Catalog;
use crate::error::{CatalogError, Missing, Result};
use crate::images;
use crate::store::org_document;
use crate::store::queries::drafts;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_infra::objects::{Object, ObjectKey};
use farmgate_kernel::id::OrgId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Pictures one organisation may hold.
pub const MAX_ORG_DOCUMENTS: usize = 5;

/// What a document picture shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 营业执照 (or the cooperative's registration certificate).
    #[default]
    BusinessLicence,
    /// Anything else the operator asked for (a production licence, a land contract …).
    Other,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::BusinessLicence => "business_licence",
            DocumentKind::Other => "other",
        }
    }
}

impl Catalog {
    /// Stores a picture of the organisation's application (its owner).
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn add_org_document(
        &self,
        actor: &Actor,
        org: OrgId,
        kind: DocumentKind,
        bytes: bytes::Bytes,
    ) -> Result<org_document::Model> {
        actor.require_owner(org)?;
        let db = &self.infra().db;
        if drafts::documents_of(db, org).await?.len() >= MAX_ORG_DOCUMENTS {
            return Err(CatalogError::TooManyDocuments);
        }
        let doc =
            images::process_document_limited(&self.infra().limits.images, bytes.clone()).await?;
        let id = Uuid::now_v7();
        let key = |s: String| ObjectKey::parse(&s).map_err(CatalogError::from);
        let original = key(format!(
            "private/orgs/{org}/documents/{id}/original.{}",
            doc.kind.extension()
        ))?;
        let display = key(format!("private/orgs/{org}/documents/{id}/display.jpg"))?;
        let objects = &self.infra().objects;
        let stored = objects
            .put(&original, bytes, doc.kind.content_type())
            .await?;
        objects.put(&display, doc.jpeg.into(), "image/jpeg").await?;
        let model = org_document::Model {
            id,
            org_id: org.as_uuid(),
            kind: kind.as_str().to_owned(),
            original_key: original.to_string(),
            display_key: display.to_string(),
            content_type: doc.kind.content_type().to_owned(),
            sha256: stored.sha256,
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            width: i32::try_from(doc.width).unwrap_or(0),
            height: i32::try_from(doc.height).unwrap_or(0),
            uploaded_by: actor.account_id.as_uuid(),
            created_at: self.now(),
        };
        let txn = begin_write(db).await?;
        if drafts::documents_of(&txn, org).await?.len() >= MAX_ORG_DOCUMENTS {
            drop(txn);
            self.delete_files(&[&model.original_key, &model.display_key])
                .await;
            return Err(CatalogError::TooManyDocuments);
        }
        drafts::insert_document(&txn, &model).await?;
        txn.commit().await?;
        Ok(model)
    }

    /// The organisation's application pictures (its members and the operator).
    pub async fn org_documents(
        &self,
        actor: &Actor,
        org: OrgId,
    ) -> Result<Vec<org_document::Model>> {
        actor.require_member_or_operator(org)?;
        Ok(drafts::documents_of(&self.infra().db, org).await?)
    }

    /// The re-encoded picture (no EXIF) of one document (its members and the operator).
    pub async fn org_document_file(&self, actor: &Actor, org: OrgId, id: Uuid) -> Result<Object> {
        let docs = self.org_documents(actor, org).await?;
        let doc = docs
            .iter()
            .find(|d| d.id == id)
            .ok_or(CatalogError::NotFound(Missing::Document))?;
        let key = ObjectKey::parse(&doc.display_key)?;
        self.infra()
            .objects
            .get(&key)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Document))
    }
}
