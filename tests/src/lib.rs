//! The whole-system test harness.
//!
//! [`TestApp::spawn`] starts the real server — the same `build` and `serve` the binary uses — on
//! a random loopback port against a fresh database:
//!
//! - [`Backend::Embedded`]: a new SQLite file, the in-process cache and a local object
//!   directory, all in a temporary directory;
//! - [`Backend::Production`]: a new PostgreSQL database cloned from a migrated template, plus
//!   Redis (own key prefix) and the S3-compatible server (own bucket) when they are configured.
//!
//! Backends are configured by `FARMGATE_TEST_POSTGRES_URL`, `FARMGATE_TEST_REDIS_URL` and
//! `FARMGATE_TEST_S3_*` (`tests/run.sh` starts them). Without them the production variant of a
//! test skips — unless `FARMGATE_TEST_REQUIRE_BACKENDS=1` (CI), where a missing backend fails.
//!
//! Every test owns its data; tests run in parallel.
//!
//! What a test reads like, and where each word comes from:
//!
//! | module | gives |
//! | --- | --- |
//! | [`app`] | [`TestApp`]: `get`/`post`/… → [`Resp`], `register`, `login`, `staff`, `count` |
//! | [`fixtures`] | the world a test starts from, by name: `app.consumer()`, `app.seller_with_listing()`, `app.paid_order(..)`, `app.received_order(..)` … |
//! | [`json`] | [`Json`]: `resp.id()`, `resp.str("a.b")`, `resp.i64(..)` — a missing field fails, never becomes `""` |
//! | [`views`] | `Order`, `Listing`, `Claim`, `Batch`, `Page<T>`: answers read into types |
//! | [`both_backends!`] | one test, run on SQLite and on PostgreSQL |
//!
//! `use farmgate_tests::prelude::*;` brings all of it in.

pub mod app;
pub mod fixtures;
pub mod gate;
pub mod json;
pub mod pay_sim;
pub mod pg;
mod resp;
mod search_switch;
pub mod track_sim;
pub mod views;
pub mod wechat_msg_sim;

pub use app::{PASSWORD, PasswordCost, Session, TestApp, fresh_licence, region};
pub use json::Json;
pub use resp::Resp;
pub use search_switch::SearchSwitch;

/// Everything a test file needs: `use farmgate_tests::prelude::*;`.
pub mod prelude {
    pub use crate::fixtures::*;
    pub use crate::json::Json;
    pub use crate::views::*;
    pub use crate::{
        Backend, PASSWORD, Resp, Session, TestApp, both_backends, both_backends_configured,
        fresh_licence, region, with_wechat,
    };
    pub use serde_json::{Value, json};
    pub use uuid::Uuid;
}

/// Which stack a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, in-process cache, local objects.
    Embedded,
    /// PostgreSQL, and Redis and S3 when configured.
    Production,
}

/// Whether a missing backend is a failure (CI) or a skip (a laptop without PostgreSQL).
pub fn backends_required() -> bool {
    std::env::var("FARMGATE_TEST_REQUIRE_BACKENDS").is_ok_and(|v| v == "1" || v == "true")
}

/// An environment variable, or `None` when unset or empty.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// S3 test settings from the environment.
#[derive(Clone, Debug)]
pub struct S3Env {
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
}

pub fn s3_env() -> Option<S3Env> {
    Some(S3Env {
        endpoint: env("FARMGATE_TEST_S3_ENDPOINT")?,
        access_key: env("FARMGATE_TEST_S3_ACCESS_KEY")?,
        secret_key: env("FARMGATE_TEST_S3_SECRET_KEY")?,
        region: env("FARMGATE_TEST_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
    })
}

/// Says why a backend test does not run, or fails when backends are required.
pub fn skip_or_fail(what: &str) {
    if backends_required() {
        panic!("{what} is not configured but FARMGATE_TEST_REQUIRE_BACKENDS=1");
    }
    eprintln!("skipped: {what} is not configured (tests/run.sh starts it)");
}

/// Declares a test that runs once per backend: `<name>::embedded` and `<name>::production`.
///
/// ```ignore
/// both_backends! {
///     async fn a_consumer_can_register(app) {
///         let buyer = app.consumer().await;
///         app.get("/api/v1/auth/me", Some(&buyer.token)).await.expect_status(200);
///     }
/// }
/// ```
#[macro_export]
macro_rules! both_backends {
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                let Some($app) = $crate::TestApp::spawn($crate::Backend::Embedded).await else { return };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn production() {
                let Some($app) = $crate::TestApp::spawn($crate::Backend::Production).await else { return };
                $body
            }
        }
    )*};
}

/// As `both_backends!`, with the server's settings changed by a function first:
/// `both_backends_configured! { production_mode; async fn …(app) { … } }`.
#[macro_export]
macro_rules! both_backends_configured {
    ($configure:expr; $( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                let Some($app) = $crate::TestApp::spawn_configured($crate::Backend::Embedded, $configure).await else { return };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn production() {
                let Some($app) = $crate::TestApp::spawn_configured($crate::Backend::Production, $configure).await else { return };
                $body
            }
        }
    )*};
}
