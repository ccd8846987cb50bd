//! The `farmgate` server: configuration, wiring, routes and the CLI behind them. The demo data
//! lives in its own crate, `farmgate-demo`.

mod adapters;
pub mod app;
pub mod backup;
pub mod console;
pub mod demo_clock;
pub mod log_key;
pub mod payments;
pub mod remote;
pub mod routes;
pub mod settings;
pub mod telemetry;
pub mod tracking;
pub mod verify;
pub mod witness;

pub use app::{App, AppState, BuildOptions, build, serve};
pub use settings::Settings;
