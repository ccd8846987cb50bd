//! Every endpoint through the real server on a random port, on the embedded stack (SQLite,
//! in-process cache, local files) and the production stack (PostgreSQL, Redis, S3).

mod admin;
mod aftersales;
mod auth;
mod bank_accounts;
mod catalog;
mod demo;
mod desk;
mod errors;
mod finance_desk;
mod finance_invoices;
mod fulfilment;
mod invoices;
mod liability;
mod notify;
mod notify_wechat;
mod openapi;
mod ops;
mod orders;
mod orgs;
mod payout_adjustments;
mod payouts;
mod people;
mod providers;
mod reconcile;
mod search;
mod search_vocabulary;
mod security;
mod ship_by;
mod stats;
mod tlog;
mod trace;
mod trace_remote;
mod trace_tamper;
mod trace_v2;
