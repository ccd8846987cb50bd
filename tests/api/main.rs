//! Every endpoint through the real server on a random port, on the embedded stack (SQLite,
//! in-process cache, local files) and the production stack (PostgreSQL, Redis, S3).

mod admin;
mod aftersales;
mod auth;
mod bank_accounts;
mod catalog;
mod demo;
mod errors;
mod fulfilment;
mod openapi;
mod ops;
mod orders;
mod orgs;
mod payouts;
mod people;
mod security;
mod stats;
mod trace;
