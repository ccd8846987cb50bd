//! Fresh PostgreSQL databases per test, cloned from a migrated template (the crates.io
//! approach): migrating once and copying is much faster than migrating per test.
//!
//! Tests run as separate processes (nextest), so the template is built under an advisory lock:
//! the first process builds it under a temporary name and renames it when complete; the
//! others wait, then clone. A template whose name carries the migration list is never stale.

use farmgate_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use std::hash::{Hash, Hasher};
use uuid::Uuid;

/// `postgres://u@h:p/postgres` with the database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

async fn connect_one(url: &str) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    Database::connect(opts)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"))
}

fn template_name() -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for m in Migrator::migrations() {
        m.name().hash(&mut h);
    }
    format!("fg_tpl_{:016x}", h.finish())
}

async fn exists(admin: &DatabaseConnection, name: &str) -> bool {
    let row = admin
        .query_one_raw(Statement::from_sql_and_values(
            admin.get_database_backend(),
            "SELECT 1 AS one FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await
        .expect("querying pg_database");
    row.is_some()
}

/// Creates a new, migrated database and returns its URL.
pub async fn fresh_database(admin_url: &str) -> String {
    let admin = connect_one(admin_url).await;
    let template = template_name();
    if !exists(&admin, &template).await {
        // One builder at a time, across processes.
        admin
            .execute_unprepared("SELECT pg_advisory_lock(727274)")
            .await
            .expect("advisory lock");
        if !exists(&admin, &template).await {
            let building = format!("{template}_building");
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {building}"))
                .await
                .expect("dropping a half-built template");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {building}"))
                .await
                .expect("creating the template");
            let db = connect_one(&with_database(admin_url, &building)).await;
            Migrator::up(&db, None)
                .await
                .expect("migrating the template");
            db.close().await.expect("closing the template connection");
            admin
                .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {template}"))
                .await
                .expect("publishing the template");
        }
        admin
            .execute_unprepared("SELECT pg_advisory_unlock(727274)")
            .await
            .expect("advisory unlock");
    }
    let name = format!("fg_test_{}", Uuid::new_v4().simple());
    // Cloning fails while another session is connected to the template; retry briefly.
    let mut last_err = None;
    for _ in 0..50 {
        match admin
            .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
        {
            Ok(_) => {
                last_err = None;
                break;
            }
            Err(e) => {
                last_err = Some(e);
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
    if let Some(e) = last_err {
        panic!("creating {name} from {template}: {e}");
    }
    let _ = admin.close().await;
    with_database(admin_url, &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_and_the_query_kept() {
        assert_eq!(
            with_database("postgres://p@127.0.0.1:5499/postgres", "x"),
            "postgres://p@127.0.0.1:5499/x"
        );
        assert_eq!(
            with_database("postgres://p@h/postgres?sslmode=disable", "x"),
            "postgres://p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://p@h", "x"), "postgres://p@h/x");
    }
}
