//! Every endpoint through the real server on a random port, on the embedded stack (SQLite,
//! in-process cache, local files) and the production stack (PostgreSQL, Redis, S3).

mod admin;
mod aftersales;
mod auth;
mod catalog;
mod demo;
mod errors;
mod fulfilment;
mod openapi;
mod ops;
mod orders;
mod orgs;
mod people;
mod providers;
mod security;
mod stats;
mod trace;
