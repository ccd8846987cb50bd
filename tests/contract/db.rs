//! The database contract, on SQLite and PostgreSQL: what the services rely on from
//! `farmgate_infra::db` — every migration applies and nothing is left pending, a conditional
//! update under concurrent write transactions never oversells, a check made after
//! `serialise` still holds when the transaction writes, a rolled-back write leaves nothing,
//! duplicate keys are recognised as such (and by which index, on both), and times and JSON
//! come back as written.

use chrono::{TimeZone, Utc};
use farmgate_infra::db;
use farmgate_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait, Value};
use std::sync::Arc;

struct Env {
    db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = db::sqlite_url_for(&dir.path().join("contract.db")).expect("url");
    let conn = db::connect(&db::DbConfig {
        url,
        max_connections: 5,
    })
    .await
    .expect("sqlite");
    Migrator::up(&conn, None).await.expect("migrate");
    Env {
        db: conn,
        _dir: Some(dir),
    }
}

async fn postgres() -> Option<Env> {
    let Some(admin) = farmgate_tests::env("FARMGATE_TEST_POSTGRES_URL") else {
        farmgate_tests::skip_or_fail("PostgreSQL (FARMGATE_TEST_POSTGRES_URL)");
        return None;
    };
    let url = farmgate_tests::pg::fresh_database(&admin).await;
    let conn = db::connect(&db::DbConfig {
        url,
        max_connections: 5,
    })
    .await
    .expect("postgres");
    Some(Env {
        db: conn,
        _dir: None,
    })
}

async fn exec(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> u64 {
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .expect(sql)
    .rows_affected()
}

async fn one_i64(db: &impl ConnectionTrait, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql)
        .expect("a row")
        .try_get::<i64>("", "n")
        .expect("n")
}

fn p(db: &impl ConnectionTrait, n: usize) -> String {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

async fn scratch(env: &Env) {
    exec(
        &env.db,
        "CREATE TABLE contract_stock (id INTEGER PRIMARY KEY, n BIGINT NOT NULL, note TEXT)",
        vec![],
    )
    .await;
    exec(
        &env.db,
        "INSERT INTO contract_stock (id, n) VALUES (1, 10)",
        vec![],
    )
    .await;
}

async fn every_migration_applies_and_none_is_pending(env: Env) {
    let pending = Migrator::get_pending_migrations(&env.db)
        .await
        .expect("status");
    assert!(pending.is_empty(), "{} pending", pending.len());
    // Running them again changes nothing.
    Migrator::up(&env.db, None).await.expect("migrate again");
    for table in [
        "accounts", "listings", "batches", "orders", "claims", "recalls",
    ] {
        let n = one_i64(&env.db, &format!("SELECT COUNT(*) AS n FROM {table}")).await;
        assert_eq!(n, 0, "{table} exists and is empty");
    }
}

async fn a_conditional_update_in_write_transactions_never_oversells(env: Env) {
    scratch(&env).await;
    let db = Arc::new(env.db.clone());
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let db = Arc::clone(&db);
        tasks.push(tokio::spawn(async move {
            let txn = db::begin_write(&db).await.expect("begin");
            let sql = format!(
                "UPDATE contract_stock SET n = n - 1 WHERE id = 1 AND n >= {}",
                p(&txn, 1)
            );
            let done = exec(&txn, &sql, vec![1_i64.into()]).await;
            txn.commit().await.expect("commit");
            done
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += t.await.expect("task");
    }
    assert_eq!(won, 10, "exactly the stock there was");
    assert_eq!(
        one_i64(&env.db, "SELECT n AS n FROM contract_stock WHERE id = 1").await,
        0
    );
}

/// The claims' and payments' pattern: read, decide in Rust, write — safe only because
/// `serialise` makes the writers of one thing take turns (an advisory lock on PostgreSQL; the
/// write lock `begin_write` already holds on SQLite).
async fn a_check_after_serialise_still_holds_when_the_transaction_writes(env: Env) {
    scratch(&env).await;
    let db = Arc::new(env.db.clone());
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let db = Arc::clone(&db);
        tasks.push(tokio::spawn(async move {
            let txn = db::begin_write(&db).await.expect("begin");
            db::serialise(&txn, "contract_stock", 1)
                .await
                .expect("serialise");
            let left = one_i64(&txn, "SELECT n AS n FROM contract_stock WHERE id = 1").await;
            // Give the others every chance to read the same number.
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            let won = if left >= 1 {
                let sql = format!("UPDATE contract_stock SET n = {} WHERE id = 1", p(&txn, 1));
                exec(&txn, &sql, vec![(left - 1).into()]).await
            } else {
                0
            };
            txn.commit().await.expect("commit");
            won
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += t.await.expect("task");
    }
    assert_eq!(won, 10, "exactly the stock there was");
    assert_eq!(
        one_i64(&env.db, "SELECT n AS n FROM contract_stock WHERE id = 1").await,
        0
    );
}

async fn a_duplicate_key_names_the_index_it_broke(env: Env) {
    const KEY: db::UniqueIndex = db::UniqueIndex {
        name: "ux_contract_key",
        table: "contract_keys",
        columns: &["owner", "k"],
    };
    const NUMBER: db::UniqueIndex = db::UniqueIndex {
        name: "ux_contract_number",
        table: "contract_keys",
        columns: &["number"],
    };
    for sql in [
        "CREATE TABLE contract_keys (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, k TEXT, number TEXT NOT NULL)",
        "CREATE UNIQUE INDEX ux_contract_key ON contract_keys (owner, k)",
        "CREATE UNIQUE INDEX ux_contract_number ON contract_keys (number)",
        "INSERT INTO contract_keys VALUES (1, 'a', 'k1', 'N1')",
    ] {
        exec(&env.db, sql, vec![]).await;
    }
    let insert = |sql: &'static str| {
        let db = env.db.clone();
        async move {
            db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .expect_err(sql)
        }
    };
    let key = insert("INSERT INTO contract_keys VALUES (2, 'a', 'k1', 'N2')").await;
    assert!(
        db::violates(&key, &KEY) && !db::violates(&key, &NUMBER),
        "{key}"
    );
    let number = insert("INSERT INTO contract_keys VALUES (3, 'b', 'k1', 'N1')").await;
    assert!(
        db::violates(&number, &NUMBER) && !db::violates(&number, &KEY),
        "{number}"
    );
}

async fn a_rolled_back_write_leaves_nothing(env: Env) {
    scratch(&env).await;
    let txn = db::begin_write(&env.db).await.expect("begin");
    exec(&txn, "UPDATE contract_stock SET n = 0 WHERE id = 1", vec![]).await;
    exec(
        &txn,
        "INSERT INTO contract_stock (id, n) VALUES (2, 5)",
        vec![],
    )
    .await;
    txn.rollback().await.expect("rollback");
    assert_eq!(
        one_i64(&env.db, "SELECT n AS n FROM contract_stock WHERE id = 1").await,
        10
    );
    assert_eq!(
        one_i64(&env.db, "SELECT COUNT(*) AS n FROM contract_stock").await,
        1
    );
}

async fn a_duplicate_key_is_recognised_as_such(env: Env) {
    scratch(&env).await;
    let err = env
        .db
        .execute_raw(Statement::from_string(
            env.db.get_database_backend(),
            "INSERT INTO contract_stock (id, n) VALUES (1, 3)",
        ))
        .await
        .expect_err("a duplicate key");
    assert!(db::unique_violation(&err).is_some(), "{err}");
    // Other errors are not mistaken for it.
    let other = env
        .db
        .execute_raw(Statement::from_string(
            env.db.get_database_backend(),
            "INSERT INTO contract_stock (id) VALUES (9)",
        ))
        .await
        .expect_err("a missing NOT NULL column");
    assert!(db::unique_violation(&other).is_none(), "{other}");
}

async fn times_and_json_come_back_as_written(env: Env) {
    // Through a real table the services use, with its column types.
    let at = Utc
        .with_ymd_and_hms(2026, 11, 23, 16, 0, 0)
        .single()
        .expect("a time")
        + chrono::Duration::microseconds(123_456);
    let payload = serde_json::json!({"标题": "赣南脐橙", "n": 3, "nested": {"ok": true}});
    let id = uuid::Uuid::now_v7();
    use farmgate_infra::outbox::entity::event;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    event::ActiveModel {
        id: Set(id),
        topic: Set("contract.topic".to_owned()),
        payload: Set(payload.clone()),
        created_at: Set(at),
        available_at: Set(at),
        attempts: Set(0),
        last_error: Set(None),
        lease_owner: Set(None),
        lease_until: Set(None),
        delivered_at: Set(None),
        lane: Set("default".to_owned()),
    }
    .insert(&env.db)
    .await
    .expect("insert");
    let row = event::Entity::find_by_id(id)
        .one(&env.db)
        .await
        .expect("read")
        .expect("the row");
    assert_eq!(row.payload, payload);
    assert_eq!(row.created_at, at, "UTC, to the microsecond");
    let _ = env.db.begin().await.expect("a plain transaction too");
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case(super::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(env) = super::postgres().await {
                    super::$case(env).await;
                }
            }
        }
    )*};
}

contract!(
    every_migration_applies_and_none_is_pending,
    a_conditional_update_in_write_transactions_never_oversells,
    a_rolled_back_write_leaves_nothing,
    a_duplicate_key_is_recognised_as_such,
    a_duplicate_key_names_the_index_it_broke,
    a_check_after_serialise_still_holds_when_the_transaction_writes,
    times_and_json_come_back_as_written,
);
