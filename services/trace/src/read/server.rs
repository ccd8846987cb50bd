//! What the server's command line reads of trace: `farmgate verify` with no code recomputes
//! every batch's chain, so it needs every batch code.

use crate::Trace;
use crate::store::batch;
use sea_orm::{DbErr, EntityTrait, QueryOrder, QuerySelect};

impl Trace {
    /// Every batch's trace code, in code order (so the report reads the same on every run).
    pub async fn all_batch_codes(&self) -> Result<Vec<String>, DbErr> {
        batch::Entity::find()
            .select_only()
            .column(batch::Column::Code)
            .order_by_asc(batch::Column::Code)
            .into_tuple::<String>()
            .all(&self.infra().db)
            .await
    }
}
