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

use super::photos::object_key;
use crate::Catalog;
use crate::error::{CatalogError, Missing, Result};
use crate::images;
use crate::store::org_document;
use crate::store::queries::drafts;
use farmgate_identity::{Actor, OrgStatus};
use farmgate_infra::db::{begin_write, serialise};
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

    pub fn parse(s: &str) -> Option<Self> {
        [DocumentKind::BusinessLicence, DocumentKind::Other]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// What an upload of `kind` does to the papers `docs` already held: the business licence it
/// replaces (an organisation has one current licence; other papers add up), or why it is
/// refused. `locked`: the organisation is verified, so what the operator approved stays.
fn plan_upload(
    docs: &[org_document::Model],
    kind: DocumentKind,
    locked: bool,
) -> Result<Vec<org_document::Model>> {
    let replaced: Vec<org_document::Model> = match kind {
        DocumentKind::BusinessLicence => docs
            .iter()
            .filter(|d| d.kind == kind.as_str())
            .cloned()
            .collect(),
        DocumentKind::Other => Vec::new(),
    };
    if locked && !replaced.is_empty() {
        return Err(CatalogError::DocumentsLocked);
    }
    if docs.len() - replaced.len() >= MAX_ORG_DOCUMENTS {
        return Err(CatalogError::TooManyDocuments);
    }
    Ok(replaced)
}

impl Catalog {
    /// Whether the organisation is verified: its papers are then what the approval rests on.
    async fn papers_locked(&self, org: OrgId) -> Result<bool> {
        let summary = self
            .identity()
            .org_summary(org)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Seller))?;
        Ok(summary.status == OrgStatus::Verified)
    }

    /// Stores a picture of the organisation's application (its owner). A business licence
    /// replaces the current one (row in the same transaction, files after), unless the
    /// organisation is verified (`documents_locked`); other papers are added, at most
    /// [`MAX_ORG_DOCUMENTS`] in all.
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
        let locked = self.papers_locked(org).await?;
        // A cheap early refusal before the picture is decoded; checked again below.
        plan_upload(&drafts::documents_of(db, org).await?, kind, locked)?;
        let doc =
            images::process_document_limited(&self.infra().limits.images, bytes.clone()).await?;
        let id = Uuid::now_v7();
        let folder = format!("private/orgs/{org}/documents/{id}");
        let original = object_key(format!("{folder}/original.{}", doc.kind.extension()))?;
        let display = object_key(format!("{folder}/display.jpg"))?;
        let stored = self
            .put_files(
                &original,
                bytes,
                doc.kind.content_type(),
                vec![(&display, doc.jpeg)],
            )
            .await?;
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
        match self.insert_document(org, &model, locked).await {
            Ok(replaced) => {
                for r in &replaced {
                    tracing::info!(document.id = %r.id, "business licence picture replaced");
                    self.delete_files(&[&r.display_key, &r.original_key]).await;
                }
                Ok(model)
            }
            Err(e) => {
                self.delete_files(&[&model.original_key, &model.display_key])
                    .await;
                Err(e)
            }
        }
    }

    /// The document's row, in place of the licence it replaces, with the organisation's
    /// papers serialised (two uploads at once cannot both pass the count). Returns the rows
    /// replaced (their files go after the commit).
    async fn insert_document(
        &self,
        org: OrgId,
        model: &org_document::Model,
        locked: bool,
    ) -> Result<Vec<org_document::Model>> {
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, "catalog.org_documents", org).await?;
        let kind = DocumentKind::parse(&model.kind).unwrap_or_default();
        let replaced = plan_upload(&drafts::documents_of(&txn, org).await?, kind, locked)?;
        for r in &replaced {
            drafts::delete_document(&txn, r.id, org).await?;
        }
        drafts::insert_document(&txn, model).await?;
        txn.commit().await?;
        Ok(replaced)
    }

    /// Removes a picture, its row then its files. The owner may while the organisation is not
    /// verified (nothing approved rests on it yet); once verified only the operator may (a
    /// wrong or expired picture), so what was approved cannot be swapped without them.
    /// Nothing is kept: a licence picture is business and personal data held for the review
    /// only; the review's history (who verified, when) stays in identity.
    #[tracing::instrument(skip_all, fields(org.id = %org, document.id = %id))]
    pub async fn delete_org_document(&self, actor: &Actor, org: OrgId, id: Uuid) -> Result<()> {
        let operator = actor.is_operator();
        if !operator {
            actor.require_owner(org)?;
        }
        let doc = drafts::documents_of(&self.infra().db, org)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or(CatalogError::NotFound(Missing::Document))?;
        if !operator && self.papers_locked(org).await? {
            return Err(CatalogError::DocumentsLocked);
        }
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, "catalog.org_documents", org).await?;
        // Gone meanwhile (replaced, or removed by a request sent together): not found.
        if !drafts::delete_document(&txn, id, org).await? {
            return Err(CatalogError::NotFound(Missing::Document));
        }
        txn.commit().await?;
        tracing::info!(by = %actor.account_id, operator, "organisation document removed");
        self.delete_files(&[&doc.display_key, &doc.original_key])
            .await;
        Ok(())
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
