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

/// Lets entity models hold a string-backed domain enum (declared with
/// `farmgate_kernel::wire_enum!` or `labelled_enum!`) instead of a `String`, so a status column
/// is read into its enum once, in the store, and a value nobody declared fails the read loudly
/// (`DbErr::TryIntoErr` naming the enum) instead of being compared as text later.
///
/// Invoke it in the crate that declares the enum (usually in `store`), once per type:
/// `farmgate_infra::stored_enum!(OrderStatus, SubOrderStatus);` then declare the model's field
/// as `pub status: OrderStatus` (or `Option<OrderStatus>` for a nullable column). The column
/// stays a string column; no migration is needed.
#[macro_export]
macro_rules! stored_enum {
    ($($t:ty),+ $(,)?) => {$(
        impl ::std::convert::From<$t> for ::sea_orm::Value {
            fn from(v: $t) -> Self {
                v.as_str().to_owned().into()
            }
        }

        impl ::sea_orm::TryGetable for $t {
            fn try_get_by<I: ::sea_orm::ColIdx>(
                res: &::sea_orm::QueryResult,
                idx: I,
            ) -> ::std::result::Result<Self, ::sea_orm::TryGetError> {
                let s = <String as ::sea_orm::TryGetable>::try_get_by(res, idx)?;
                <$t>::parse(&s).ok_or_else(|| {
                    ::sea_orm::TryGetError::DbErr(::sea_orm::DbErr::Type(format!(
                        "unexpected value {s:?} for {}",
                        stringify!($t)
                    )))
                })
            }
        }

        impl ::sea_orm::sea_query::ValueType for $t {
            fn try_from(
                v: ::sea_orm::Value,
            ) -> ::std::result::Result<Self, ::sea_orm::sea_query::ValueTypeErr> {
                let s = <String as ::sea_orm::sea_query::ValueType>::try_from(v)?;
                <$t>::parse(&s).ok_or(::sea_orm::sea_query::ValueTypeErr)
            }

            fn type_name() -> String {
                stringify!($t).to_owned()
            }

            fn array_type() -> ::sea_orm::sea_query::ArrayType {
                ::sea_orm::sea_query::ArrayType::String
            }

            fn column_type() -> ::sea_orm::sea_query::ColumnType {
                ::sea_orm::sea_query::ColumnType::String(::sea_orm::sea_query::StringLen::None)
            }
        }

        impl ::sea_orm::sea_query::Nullable for $t {
            fn null() -> ::sea_orm::Value {
                ::sea_orm::Value::String(None)
            }
        }

        impl ::sea_orm::IntoActiveValue<$t> for $t {
            fn into_active_value(self) -> ::sea_orm::ActiveValue<$t> {
                ::sea_orm::ActiveValue::Set(self)
            }
        }
    )+};
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

    farmgate_kernel::wire_enum!(
        /// A test status.
        Light { Red => "red", Green => "green" }
    );
    crate::stored_enum!(Light);

    #[test]
    fn a_stored_enum_round_trips_through_a_database_value_and_refuses_strangers() {
        use sea_orm::sea_query::ValueType;
        let v: sea_orm::Value = Light::Green.into();
        assert_eq!(v, sea_orm::Value::String(Some("green".to_owned())));
        assert_eq!(<Light as ValueType>::try_from(v).ok(), Some(Light::Green));
        let stranger = sea_orm::Value::String(Some("blue".to_owned()));
        assert!(<Light as ValueType>::try_from(stranger).is_err());
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
