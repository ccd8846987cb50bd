//! Evidence: claim photos, kept as uploaded (privately, with their SHA-256 and upload time) and
//! re-encoded without EXIF for the parties to see.

use super::{Role, role_on};
use crate::Aftersales;
use crate::domain::EvidenceId;
use crate::error::{AftersalesError, Missing, Result};
use crate::store::evidence;
use crate::store::queries::{claims, evidence as stored};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use farmgate_catalog::images;
use farmgate_identity::Actor;
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::id::ClaimId;
use farmgate_kernel::{FieldError, ValidationErrors};

/// At most this many photos on a claim or a message.
pub const MAX_PHOTOS: usize = 9;
/// Photos an account may hold that no claim uses yet.
pub const MAX_UNUSED_EVIDENCE: u64 = 30;

/// A stored photo, as the parties to its claim see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub id: EvidenceId,
    /// Of the original, as uploaded.
    pub sha256: String,
    pub size_bytes: i64,
    pub uploaded_at: DateTime<Utc>,
}

impl From<&evidence::Model> for Evidence {
    fn from(e: &evidence::Model) -> Self {
        Self {
            id: EvidenceId(e.id),
            sha256: e.sha256.clone(),
            size_bytes: e.size_bytes,
            uploaded_at: e.uploaded_at,
        }
    }
}

fn object_key(s: &str) -> Result<ObjectKey> {
    ObjectKey::parse(s).map_err(|e| AftersalesError::Internal(e.to_string()))
}

impl Aftersales {
    /// Stores a photo: the original privately with its SHA-256 and upload time, and a copy
    /// re-encoded without EXIF for the parties to see.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn upload_evidence(&self, actor: &Actor, bytes: Bytes) -> Result<Evidence> {
        let db = &self.infra().db;
        if stored::unused_count(db, actor.account_id).await? >= MAX_UNUSED_EVIDENCE {
            return Err(AftersalesError::TooManyPhotos);
        }
        let processed = images::process_limited(
            &self.infra().limits.images,
            bytes.clone(),
            images::MIN_EVIDENCE_SIDE,
        )
        .await?;
        let id = EvidenceId::new();
        let account = actor.account_id.as_uuid();
        let original = object_key(&format!(
            "private/claims/{account}/{id}/original.{}",
            processed.kind.extension()
        ))?;
        let display = object_key(&format!("private/claims/{account}/{id}/display.jpg"))?;
        let objects = &self.infra().objects;
        let put = objects
            .put(&original, bytes, processed.kind.content_type())
            .await?;
        objects
            .put(&display, processed.display.into(), "image/jpeg")
            .await?;
        let model = evidence::Model {
            id: id.0,
            account_id: account,
            claim_id: None,
            original_key: original.to_string(),
            display_key: display.to_string(),
            content_type: processed.kind.content_type().to_owned(),
            size_bytes: i64::try_from(put.size).unwrap_or(i64::MAX),
            sha256: put.sha256,
            uploaded_at: self.now(),
        };
        let out = Evidence::from(&model);
        stored::insert(db, model).await?;
        Ok(out)
    }

    /// A photo as its uploader or a party to its claim may see it (the re-encoded copy; the
    /// original to the operator when `original`).
    #[tracing::instrument(skip_all, fields(evidence.id = %id))]
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        id: EvidenceId,
        original: bool,
    ) -> Result<(Vec<u8>, String)> {
        let db = &self.infra().db;
        let not_found = || AftersalesError::NotFound(Missing::Photo);
        let e = stored::by_id(db, id).await?.ok_or_else(not_found)?;
        let role = match e.claim_id {
            Some(cid) => claims::by_id(db, ClaimId(cid))
                .await?
                .and_then(|c| role_on(actor, &c)),
            None => (e.account_id == actor.account_id.as_uuid()).then_some(Role::Buyer),
        };
        let Some(role) = role else {
            return Err(not_found());
        };
        let key = if original && role == Role::Operator {
            &e.original_key
        } else {
            &e.display_key
        };
        let obj = self
            .infra()
            .objects
            .get(&object_key(key)?)
            .await?
            .ok_or_else(not_found)?;
        Ok((obj.bytes.to_vec(), obj.content_type))
    }

    /// Evidence ids `actor` uploaded and no claim uses yet (or `claim` uses already), sorted and
    /// without repeats; errors name `field`.
    pub(super) async fn own_unused_evidence(
        &self,
        actor: &Actor,
        ids: &[EvidenceId],
        field: &str,
        claim: Option<ClaimId>,
        errs: &mut ValidationErrors,
    ) -> Result<Vec<EvidenceId>> {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        if ids.len() > MAX_PHOTOS {
            errs.push(FieldError::new(
                field,
                "too_many",
                format!("最多 {MAX_PHOTOS} 张照片"),
                format!("at most {MAX_PHOTOS} photos"),
            ));
            return Ok(Vec::new());
        }
        if ids.is_empty() {
            return Ok(ids);
        }
        let found = stored::usable_count(&self.infra().db, &ids, actor.account_id, claim).await?;
        if usize::try_from(found).unwrap_or(0) != ids.len() {
            errs.push(FieldError::new(
                field,
                "not_found",
                "照片不存在、不是你上传的或已用于其他申请",
                "a photo is missing, not yours, or already used",
            ));
        }
        Ok(ids)
    }
}
