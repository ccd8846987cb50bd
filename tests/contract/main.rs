//! Adapter contract suites: one suite per trait, run against every implementation present
//! (embedded always; Redis, S3 and PostgreSQL when `tests/run.sh` started them): the database
//! (SQLite/PostgreSQL), object store, cache, outbox and search index; the SMS senders, the
//! providers' against local simulators of their APIs; and the payment providers (WeChat Pay,
//! Alipay) against simulators of theirs (`farmgate_tests::pay_sim`).

mod cache;
mod db;
mod objects;
mod outbox;
mod pay;
mod pay_providers;
mod search;
mod search_relevance;
mod sms;
