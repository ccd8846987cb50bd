//! The database: a SQLite file by default, PostgreSQL in production; sea-orm over both.

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::path::Path;
use std::time::Duration;

/// Where the database is and how many connections to hold.
#[derive(Clone)]
pub struct DbConfig {
    /// `sqlite://...` or `postgres://...`.
    pub url: String,
    pub max_connections: u32,
}

impl std::fmt::Debug for DbConfig {
    // A PostgreSQL URL may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((auth, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// The SQLite URL for a file, creating its directory.
pub fn sqlite_url_for(path: &Path) -> std::io::Result<String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    Ok(format!("sqlite://{}?mode=rwc", path.display()))
}

/// Opens the pool. SQLite gets WAL, a busy timeout and foreign keys, the settings that make a
/// single file behave under a concurrent web server.
pub async fn connect(config: &DbConfig) -> Result<DatabaseConnection, DbErr> {
    let is_sqlite = config.url.starts_with("sqlite:");
    let mut opts = ConnectOptions::new(config.url.clone());
    opts.max_connections(config.max_connections.max(1))
        .min_connections(if is_sqlite { 1 } else { 0 })
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(15))
        .idle_timeout(Duration::from_secs(300))
        .sqlx_logging(false)
        .record_stmt_in_spans(false);
    if is_sqlite {
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    }
    let db = Database::connect(opts).await?;
    Ok(db)
}

/// Begins a transaction that will write. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes can fail at once with
/// "database is locked" when another writer got there first, where an immediate one waits its
/// turn under the busy timeout. On PostgreSQL it is an ordinary transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// `"sqlite"` or `"postgres"`, for the start-up log and `/readyz`.
pub fn backend_name(db: &impl ConnectionTrait) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Sqlite => "sqlite",
        DbBackend::Postgres => "postgres",
        DbBackend::MySql => "mysql",
        _ => "unknown",
    }
}

/// A cheap round trip, for `/readyz`.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// The name of the unique constraint or index a failed insert ran into, if that is what failed.
/// Lets a store turn "duplicate phone" into a field error instead of a 500.
pub fn unique_violation(err: &DbErr) -> Option<String> {
    let text = err.to_string();
    // PostgreSQL: duplicate key value violates unique constraint "ux_accounts_phone"
    if let Some(rest) = text.split("unique constraint \"").nth(1) {
        return rest.split('"').next().map(str::to_owned);
    }
    // SQLite: UNIQUE constraint failed: accounts.phone
    if let Some(rest) = text.split("UNIQUE constraint failed: ").nth(1) {
        return Some(rest.trim().to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/farm"),
            "postgres://app:***@db:5432/farm"
        );
        assert_eq!(
            redact_url("postgres://app@db/farm"),
            "postgres://app@db/farm"
        );
        assert_eq!(
            redact_url("sqlite://data/farmgate.db?mode=rwc"),
            "sqlite://data/farmgate.db?mode=rwc"
        );
    }

    #[test]
    fn unique_violations_are_recognised_on_both_backends() {
        let pg = DbErr::Custom(
            "duplicate key value violates unique constraint \"ux_accounts_phone\"".into(),
        );
        assert_eq!(unique_violation(&pg).as_deref(), Some("ux_accounts_phone"));
        let lite = DbErr::Custom("UNIQUE constraint failed: accounts.phone".into());
        assert_eq!(unique_violation(&lite).as_deref(), Some("accounts.phone"));
        assert_eq!(unique_violation(&DbErr::Custom("other".into())), None);
    }
}
