//! Adapter contract suites: one suite per trait, run against every implementation present
//! (embedded always; Redis, S3 and PostgreSQL when `tests/run.sh` started them).

mod cache;
mod objects;
mod outbox;
mod search;
