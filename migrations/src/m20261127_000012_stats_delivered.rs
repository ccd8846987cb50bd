//! Parcels received per group and day (total, seller kind, category, carrier), so the
//! officials' after-sales figures (claims per delivered parcel) need not count sub-orders.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let without_rowid = match m.get_database_backend() {
            DatabaseBackend::Postgres => "",
            _ => " WITHOUT ROWID",
        };
        m.get_connection()
            .execute_unprepared(&format!(
                "CREATE TABLE stats_delivered (key_id BIGINT NOT NULL, day INTEGER NOT NULL, \
                 delivered BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (key_id, day)){without_rowid}"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        crate::util::drop_tables(m, &["stats_delivered"]).await
    }
}
