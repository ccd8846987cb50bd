//! The `farmgate` server: configuration, wiring, routes, demo data and the CLI behind them.

pub mod app;
pub mod demo;
pub mod demo_history;
pub mod demo_listings;
pub mod demo_orders;
pub mod demo_trace;
pub mod routes;
pub mod settings;
pub mod telemetry;
pub mod verify;

pub use app::{App, AppState, BuildOptions, build, serve};
pub use settings::Settings;
