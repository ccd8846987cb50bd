//! The sellers' ranking signals search uses (#20, #21): the shop credit level, computed by
//! statistics by its published rule and handed here by the server's credit job
//! (`farmgate_server::credit_ranking`). The catalogue keeps its copy in its own table and
//! reindexes the listings of a seller whose level changed — only those — through the outbox.

use super::topics;
use crate::Catalog;
use crate::domain::CreditSignal;
use crate::error::Result;
use crate::store::queries::signals;
use farmgate_kernel::id::OrgId;
use sea_orm::TransactionTrait;
use serde_json::json;

impl Catalog {
    /// Stores sellers' shop credit levels. A seller whose level differs from the stored one (no
    /// row: `new`) gets its new level and, in the same transaction, a
    /// `catalog.seller.ranking_changed` event that re-analyses its listings' search documents;
    /// the others are left alone, so running this with unchanged levels writes nothing.
    /// Returns the sellers whose level changed. Safe to repeat and to run from two replicas at
    /// once (both write the same row; the reindex is idempotent).
    #[tracing::instrument(skip_all, fields(sellers = levels.len()))]
    pub async fn set_credit_levels(&self, levels: &[(OrgId, CreditSignal)]) -> Result<Vec<OrgId>> {
        let db = &self.infra().db;
        let stored = signals::all_credit(db).await?;
        let mut changed = Vec::new();
        for &(org, level) in levels {
            let before = stored.get(&org.as_uuid()).copied().unwrap_or_default();
            if before == level {
                continue;
            }
            let txn = db.begin().await?;
            signals::put_credit(&txn, org.as_uuid(), level, self.now()).await?;
            self.infra()
                .outbox
                .enqueue(
                    &txn,
                    topics::SELLER_RANKING_CHANGED,
                    &json!({ "org_id": org }),
                )
                .await?;
            self.commit(txn).await?;
            changed.push(org);
        }
        if !changed.is_empty() {
            tracing::info!(
                sellers = changed.len(),
                "shop credit levels changed; reindexing their listings"
            );
        }
        Ok(changed)
    }

    /// A seller's stored credit level as search uses it (`new` when none is stored).
    pub async fn credit_signal(&self, org: OrgId) -> Result<CreditSignal> {
        Ok(signals::credit_of(&self.infra().db, &[org.as_uuid()])
            .await?
            .remove(&org.as_uuid())
            .unwrap_or_default())
    }
}
