//! Demo data for Farmgate: the demo county (青石县) that `farmgate serve --demo` and
//! `farmgate seed-demo` create, and the order-history generator behind `farmgate demo-history`
//! and the statistics benchmark.
//!
//! What it may call: the services' public Rust APIs ([`Services`]) and, for bulk reads, their
//! documented read models (`farmgate_<room>::read::demo`); never a service's `store`. The
//! county goes through the use cases, so it obeys the same rules as real data. The history
//! generator is the one deliberate exception to "a room writes only its own tables": it writes
//! back-dated rows with raw multi-row INSERTs for speed, as its module documentation says.

pub mod county;
pub mod history;

pub use county::{
    DEMO_PASSWORD, Seeded, banner, seed, seed_with_history, seller_actor, showcase_code,
};

use farmgate_aftersales::Aftersales;
use farmgate_catalog::Catalog;
use farmgate_finance::Finance;
use farmgate_identity::Identity;
use farmgate_infra::Infra;
use farmgate_news::News;
use farmgate_orders::Orders;
use farmgate_stats::Stats;
use farmgate_trace::Trace;

/// The services the demo is made through: the server hands over its own (cheap clones).
#[derive(Clone, Debug)]
pub struct Services {
    pub infra: Infra,
    pub identity: Identity,
    pub catalog: Catalog,
    pub trace: Trace,
    pub orders: Orders,
    pub aftersales: Aftersales,
    /// Recomputes the statistics after the history is written.
    pub stats: Stats,
    /// The demo cooperative's verified settlement account.
    pub finance: Finance,
    /// The county official's news, approved by the operator.
    pub news: News,
}
