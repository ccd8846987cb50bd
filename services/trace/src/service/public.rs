//! What the public side needs beyond a record: GS1 Digital Link lookups and forgetting a
//! cached scan page.

use crate::Trace;
use crate::error::Result;
use crate::store::queries;
use farmgate_kernel::id::ListingId;

impl Trace {
    /// The batch a GS1 Digital Link names: a GTIN of one of the listing's SKUs and the lot.
    #[tracing::instrument(skip_all, fields(gtin = %gtin, lot = %lot))]
    pub async fn code_for_gs1(&self, gtin: &str, lot: &str) -> Result<Option<String>> {
        let listings = self.catalog().listings_with_gtin(gtin).await?;
        if listings.is_empty() {
            return Ok(None);
        }
        let listings = listings.iter().map(ListingId::as_uuid).collect();
        let found = queries::batches_by_lot(&self.infra().db, listings, lot).await?;
        // A GTIN belongs to one brand owner, but nothing stops two sellers typing the same
        // one: when the link is ambiguous it leads nowhere rather than to someone else's lot.
        Ok(match found.as_slice() {
            [only] => Some(only.code.clone()),
            _ => None,
        })
    }

    /// Forgets the cached public page of a batch (after its record changed).
    pub async fn forget_page(&self, code: &str) {
        for lang in ["zh", "en"] {
            let _ = self
                .infra()
                .cache
                .delete(&crate::page::cache_key(code, lang))
                .await;
        }
    }
}
