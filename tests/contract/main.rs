//! Adapter contract suites: one suite per trait, run against every implementation present
//! (embedded always; Redis, S3 and PostgreSQL when `tests/run.sh` started them): the database
//! (SQLite/PostgreSQL), object store, cache, outbox and search index; and the SMS senders, the
//! providers' against local simulators of their APIs.

mod cache;
mod db;
mod objects;
mod outbox;
mod search;
mod sms;
