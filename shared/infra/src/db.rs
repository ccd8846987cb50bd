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

/// How long a caller waits for a pooled connection when nothing shorter is asked for (tools,
/// tests; and SQLite always: a local file is never unreachable, its waits are for its write lock).
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(15);

/// Opens the pool. SQLite gets WAL, a busy timeout and foreign keys, the settings that make a
/// single file behave under a concurrent web server.
pub async fn connect(config: &DbConfig) -> Result<DatabaseConnection, DbErr> {
    connect_with_acquire_timeout(config, DEFAULT_ACQUIRE_TIMEOUT).await
}

/// As [`connect`], with PostgreSQL's wait for a pooled connection (connecting included) cut to
/// `acquire_timeout`: when the database is down or unreachable, a request fails after that
/// long with `503 unavailable` (see [`is_unavailable`]) instead of hanging.
pub async fn connect_with_acquire_timeout(
    config: &DbConfig,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let is_sqlite = config.url.starts_with("sqlite:");
    let acquire = if is_sqlite {
        DEFAULT_ACQUIRE_TIMEOUT
    } else {
        acquire_timeout.max(Duration::from_millis(50))
    };
    let mut opts = ConnectOptions::new(config.url.clone());
    opts.max_connections(config.max_connections.max(1))
        .min_connections(if is_sqlite { 1 } else { 0 })
        .connect_timeout(acquire.min(Duration::from_secs(10)))
        .acquire_timeout(acquire)
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

/// A cheap round trip, for `/readyz`, given up after `within` (a database that hangs
/// answers nothing; the pool's own acquire timeout may be longer).
pub async fn ping(db: &DatabaseConnection, within: Duration) -> Result<(), DbErr> {
    match tokio::time::timeout(within, db.ping()).await {
        Ok(r) => r,
        Err(_) => Err(DbErr::ConnectionAcquire(
            sea_orm::error::ConnAcquireErr::Timeout,
        )),
    }
}

/// Is this failure the database being unreachable (down, hung, out of connections), rather
/// than a fault in a query? Those are answered `503 unavailable` with `Retry-After`.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let sqlx_unreachable = |e: &RuntimeErr| match e {
        RuntimeErr::SqlxError(e) => matches!(
            e.as_ref(),
            sea_orm::SqlxError::Io(_)
                | sea_orm::SqlxError::PoolTimedOut
                | sea_orm::SqlxError::PoolClosed
                | sea_orm::SqlxError::Tls(_)
                | sea_orm::SqlxError::Protocol(_)
        ),
        _ => false,
    };
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => sqlx_unreachable(e),
        _ => false,
    }
}

/// A unique index (or primary key) a store wants to recognise when a write runs into it.
///
/// The two databases name it differently in their errors: PostgreSQL gives the index's name
/// (`duplicate key value violates unique constraint "ux_orders_idempotency"`), SQLite only the
/// table and columns (`UNIQUE constraint failed: orders.buyer_account_id,
/// orders.idempotency_key`). So a store declares both, next to the migration's index, and asks
/// [`violates`] — never compares either text itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UniqueIndex {
    /// The index's name, as the migration creates it.
    pub name: &'static str,
    pub table: &'static str,
    /// Its columns, in the migration's order.
    pub columns: &'static [&'static str],
}

/// What a write that broke a unique index ran into, as far as the database says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UniqueViolation {
    /// PostgreSQL (and SQLite for an index on expressions): the index by name.
    Named(String),
    /// SQLite: the table and the columns, in the index's order.
    Columns { table: String, columns: Vec<String> },
}

impl UniqueViolation {
    /// Is it this index?
    pub fn is(&self, index: &UniqueIndex) -> bool {
        match self {
            Self::Named(name) => name == index.name,
            Self::Columns { table, columns } => {
                table == index.table
                    && columns.len() == index.columns.len()
                    && columns.iter().zip(index.columns).all(|(a, b)| a == b)
            }
        }
    }

    /// A text to log or to match loosely: the name, or `table.col, table.col`.
    pub fn describe(&self) -> String {
        match self {
            Self::Named(name) => name.clone(),
            Self::Columns { table, columns } => columns
                .iter()
                .map(|c| format!("{table}.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// The unique index a failed write ran into, if that is what failed.
pub fn unique_violation_of(err: &DbErr) -> Option<UniqueViolation> {
    let text = err.to_string();
    // PostgreSQL: duplicate key value violates unique constraint "ux_accounts_phone"
    if let Some(rest) = text.split("unique constraint \"").nth(1) {
        return rest
            .split('"')
            .next()
            .map(|name| UniqueViolation::Named(name.to_owned()));
    }
    // SQLite: UNIQUE constraint failed: orders.buyer_account_id, orders.idempotency_key
    //     or: UNIQUE constraint failed: index 'ux_name'   (an index on expressions)
    let rest = text.split("UNIQUE constraint failed: ").nth(1)?.trim();
    if let Some(name) = rest.strip_prefix("index '") {
        return name
            .split('\'')
            .next()
            .map(|name| UniqueViolation::Named(name.to_owned()));
    }
    let mut table = None;
    let mut columns = Vec::new();
    for part in rest.split(',') {
        let (t, c) = part.trim().split_once('.')?;
        if table.get_or_insert(t) != &t {
            return None;
        }
        columns.push(c.to_owned());
    }
    Some(UniqueViolation::Columns {
        table: table?.to_owned(),
        columns,
    })
}

/// Did the failed write run into this unique index? The one question the stores ask: the
/// same answer on PostgreSQL and SQLite.
pub fn violates(err: &DbErr, index: &UniqueIndex) -> bool {
    unique_violation_of(err).is_some_and(|v| v.is(index))
}

/// Which unique constraint a failed insert ran into, as text to match loosely: the index's
/// name on PostgreSQL, `table.col, table.col` on SQLite. Matching an exact index name with
/// it works on PostgreSQL only (the checkout's retries were dead on SQLite for that reason):
/// use [`violates`] with a [`UniqueIndex`] instead; this stays for "is it about the phone?".
pub fn unique_violation(err: &DbErr) -> Option<String> {
    unique_violation_of(err).map(|v| v.describe())
}

/// Serialises the writers of one thing (a sub-order's claims, an order's payment) for the rest
/// of the transaction `txn`, so a check made inside it still holds when it writes: two
/// requests that both read "2 left" cannot both take 2.
///
/// On PostgreSQL it takes a transaction-scoped advisory lock on `(scope, id)`, released at
/// commit or rollback; every statement after it sees what the previous holder committed
/// (READ COMMITTED). On SQLite it does nothing: a transaction from [`begin_write`] already
/// holds the database's write lock from its first statement, so writers are serialised there
/// anyway. Call it first in a [`begin_write`] transaction, before the reads it protects, and
/// never while holding another connection's transaction (two connections waiting for each
/// other in one request is a deadlock).
pub async fn serialise(
    txn: &impl ConnectionTrait,
    scope: &str,
    id: impl std::fmt::Display,
) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    txn.execute_raw(sea_orm::Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        [format!("{scope}:{id}").into()],
    ))
    .await?;
    Ok(())
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

    /// The texts below are what the databases really say, through sea-orm (copied from
    /// failed inserts); `a_unique_violation_on_real_databases_names_its_index` checks them
    /// against live ones.
    const PG_TEXT: &str = "Execution Error: error returned from database: duplicate key value \
        violates unique constraint \"ux_orders_idempotency\"";
    const LITE_TEXT: &str = "Execution Error: error returned from database: (code: 2067) \
        UNIQUE constraint failed: orders.buyer_account_id, orders.idempotency_key";

    const IDEMPOTENCY: UniqueIndex = UniqueIndex {
        name: "ux_orders_idempotency",
        table: "orders",
        columns: &["buyer_account_id", "idempotency_key"],
    };
    const NUMBER: UniqueIndex = UniqueIndex {
        name: "ux_orders_number",
        table: "orders",
        columns: &["number"],
    };

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

    #[test]
    fn an_index_is_recognised_by_name_on_postgres_and_by_columns_on_sqlite() {
        for text in [PG_TEXT, LITE_TEXT] {
            let e = DbErr::Custom(text.into());
            assert!(violates(&e, &IDEMPOTENCY), "{text}");
            assert!(!violates(&e, &NUMBER), "{text}");
        }
        let lite_number = DbErr::Custom("UNIQUE constraint failed: orders.number".into());
        assert!(violates(&lite_number, &NUMBER));
        assert!(!violates(&lite_number, &IDEMPOTENCY));
        // The same columns in another table, or a prefix of the columns, is another index.
        let other_table = DbErr::Custom(
            "UNIQUE constraint failed: refunds.buyer_account_id, refunds.idempotency_key".into(),
        );
        assert!(!violates(&other_table, &IDEMPOTENCY));
        let prefix = DbErr::Custom("UNIQUE constraint failed: orders.buyer_account_id".into());
        assert!(!violates(&prefix, &IDEMPOTENCY));
        let by_name = DbErr::Custom("UNIQUE constraint failed: index 'ux_orders_number'".into());
        assert!(violates(&by_name, &NUMBER));
        assert!(!violates(
            &DbErr::Custom("NOT NULL constraint failed: orders.number".into()),
            &NUMBER
        ));
    }

    /// Runs against a real SQLite (in memory) and, when `FARMGATE_TEST_POSTGRES_URL` is set,
    /// a real PostgreSQL (in a schema of its own, dropped afterwards).
    #[tokio::test]
    #[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
    async fn a_unique_violation_on_real_databases_names_its_index() {
        let mut urls = vec!["sqlite::memory:".to_owned()];
        if let Ok(pg) = std::env::var("FARMGATE_TEST_POSTGRES_URL") {
            urls.push(pg);
        }
        for url in urls {
            let db = connect(&DbConfig {
                url: url.clone(),
                max_connections: 1,
            })
            .await
            .expect("connect");
            let pg = db.get_database_backend() == DbBackend::Postgres;
            let schema = format!("fg_unique_{}", uuid::Uuid::now_v7().simple());
            let run = |sql: String| {
                let db = db.clone();
                async move { db.execute_unprepared(&sql).await }
            };
            let t = if pg {
                run(format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("schema");
                format!("{schema}.orders")
            } else {
                "orders".to_owned()
            };
            run(format!(
                "CREATE TABLE {t} (id INTEGER PRIMARY KEY, number TEXT NOT NULL, \
                 buyer_account_id TEXT NOT NULL, idempotency_key TEXT)"
            ))
            .await
            .expect("table");
            run(format!(
                "CREATE UNIQUE INDEX ux_orders_number ON {t} (number)"
            ))
            .await
            .expect("index");
            run(format!(
                "CREATE UNIQUE INDEX ux_orders_idempotency ON {t} (buyer_account_id, idempotency_key)"
            ))
            .await
            .expect("index");
            run(format!("INSERT INTO {t} VALUES (1, 'A', 'b', 'k')"))
                .await
                .expect("first row");
            let same_key = run(format!("INSERT INTO {t} VALUES (2, 'B', 'b', 'k')"))
                .await
                .expect_err("same key");
            assert!(violates(&same_key, &IDEMPOTENCY), "{url}: {same_key}");
            assert!(!violates(&same_key, &NUMBER), "{url}: {same_key}");
            let same_number = run(format!("INSERT INTO {t} VALUES (3, 'A', 'b', 'other')"))
                .await
                .expect_err("same number");
            assert!(violates(&same_number, &NUMBER), "{url}: {same_number}");
            assert!(
                !violates(&same_number, &IDEMPOTENCY),
                "{url}: {same_number}"
            );
            let not_null = run(format!("INSERT INTO {t} (id, number) VALUES (4, 'C')"))
                .await
                .expect_err("missing column");
            assert!(
                unique_violation_of(&not_null).is_none(),
                "{url}: {not_null}"
            );
            if pg {
                run(format!("DROP SCHEMA {schema} CASCADE"))
                    .await
                    .expect("drop");
            }
        }
    }

    #[tokio::test]
    #[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
    async fn serialise_is_a_no_op_on_sqlite_inside_a_write_transaction() {
        let db = connect(&DbConfig {
            url: "sqlite::memory:".into(),
            max_connections: 1,
        })
        .await
        .expect("connect");
        let txn = begin_write(&db).await.expect("begin");
        serialise(&txn, "test", 1).await.expect("serialise");
        txn.commit().await.expect("commit");
    }
}
