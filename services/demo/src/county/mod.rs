//! The demo county: one (fictional) county, 青石县 in 赣州市, 江西省, with its townships and
//! villages, cooperatives, family farms, a specialised household, the platform's own store,
//! business buyers, consumers and platform staff; their listings, traced batches, orders in
//! every state and a claim. Everything goes through the services' own use cases, so demo data
//! obeys the same rules as real data (and leaves the same audit trail).
//!
//! The parts, in the order they are seeded: `people.rs` (accounts and organisations),
//! `listings/` (about sixty products with drawn photos), `trace.rs` (batches with a whole
//! record), `orders.rs` (the demo's own orders), `claims.rs` (a claim waiting for its seller),
//! `bank.rs` (the demo cooperative's verified settlement account, so finance can pay it).

mod bank;
mod claims;
mod listings;
mod news;
mod orders;
mod people;
mod trace;

pub use listings::catalogue;
pub use people::{
    CITY, COUNTY, DEMO_PASSWORD, DemoUser, FINANCE_PHONE, PROVINCE, Seller, TOWNSHIPS, USERS,
    seller_actor,
};
pub use trace::SHOWCASE_LOT;

use crate::Services;
use crate::history::{self, HistoryOptions};
use anyhow::Context;

/// The county official who writes the demo's news.
const OFFICIAL_PHONE: &str = "13900000003";
use farmgate_infra::http::RequestMeta;

/// What seeding did.
#[derive(Debug, PartialEq, Eq)]
pub enum Seeded {
    Created {
        accounts: usize,
        orgs: usize,
        listings: usize,
        /// The demo's own orders (placed once, on the first seed).
        orders: usize,
    },
    AlreadyThere,
}

/// Seeds whatever part of the demo data is missing: accounts by phone, organisations by their
/// owner and licence number, listings by seller and title, batches by lot; the orders and the
/// claim once, when there are no orders. Running it again changes nothing; running it after an
/// interrupted seed completes it.
pub async fn seed(services: &Services) -> anyhow::Result<Seeded> {
    let identity = &services.identity;
    let meta = RequestMeta {
        user_agent: Some("farmgate seed-demo".to_owned()),
        ..RequestMeta::default()
    };

    let people = people::seed_accounts(identity, &services.infra.db).await?;
    let operator = people.actor(USERS[0].phone)?;
    let created_orgs =
        people::seed_organisations(identity, &services.infra.db, &people, &operator, &meta).await?;
    // Listings and batches, from the verified sellers.
    let sellers = people::verified_sellers(identity, &people).await?;
    let created_listings = listings::seed(&services.catalog, &operator, &sellers).await?;
    let created_batches = trace::seed(&services.trace, &sellers).await?.len();
    // Orders, from two consumers and the community supermarket.
    let mut buyers = Vec::new();
    for phone in ["13600000001", "13600000002", "13700000001"] {
        let (user, _) = people.find(phone)?;
        buyers.push(orders::DemoBuyer {
            address: orders::address_for(phone, user.name),
            actor: people::buyer_actor(identity, &people, phone).await?,
        });
    }
    let finance = people.actor(FINANCE_PHONE)?;
    bank::seed(&services.finance, &finance, &sellers).await?;
    let created_orders =
        orders::seed(&services.orders, &operator, &finance, &sellers, &buyers).await?;
    if created_orders > 0
        && let Some(shop) = buyers.get(2)
    {
        claims::seed(&services.aftersales, &shop.actor).await?;
    }
    if created_orders > 0
        && let Some(wang) = buyers.first()
    {
        claims::seed_decided(&services.aftersales, &wang.actor, &operator, &sellers).await?;
    }
    let official = people.actor(OFFICIAL_PHONE)?;
    let created_news = news::seed(&services.news, &official, &operator).await?;
    if people.created == 0
        && created_orgs == 0
        && created_news == 0
        && created_listings == 0
        && created_batches == 0
        && created_orders == 0
    {
        return Ok(Seeded::AlreadyThere);
    }
    Ok(Seeded::Created {
        accounts: people.created,
        orgs: created_orgs,
        listings: created_listings,
        orders: created_orders,
    })
}

/// Seeds the demo county ([`seed`]) and, on the first seed (when the demo orders are placed),
/// half a year of order history from new buyers ([`crate::history`], written straight into the
/// tables), then recomputes the statistics from it, so the officials' dashboard has a county to
/// show at once. `serve --demo` and `seed-demo` call this; [`seed`] alone leaves the demo's own
/// rows countable (its tests do).
///
/// The history ends a minute before the first demo order, so the demo's orders stay on top of
/// every newest-first list; its buyers are new accounts, and it takes no stock and moves no
/// listing's sales counter.
pub async fn seed_with_history(services: &Services) -> anyhow::Result<Seeded> {
    let seeded = seed(services).await?;
    if !matches!(seeded, Seeded::Created { orders, .. } if orders > 0) {
        return Ok(seeded);
    }
    let now = services.infra.clock.now();
    let first = farmgate_orders::read::demo::first_order_at(&services.infra.db).await?;
    let end = first.map_or(now, |t| t.min(now)) - chrono::Duration::minutes(1);
    let history = history::generate(services, &HistoryOptions::demo(end))
        .await
        .context("generating the demo's order history")?;
    let stats = services
        .stats
        .rebuild()
        .await
        .context("computing the demo's statistics")?;
    tracing::info!(
        orders = history.orders,
        buyers = history.buyers,
        seconds = history.seconds,
        rollup_seconds = stats.seconds,
        "demo order history seeded"
    );
    Ok(seeded)
}

/// The trace code of the showcase demo batch, when it exists.
pub async fn showcase_code(services: &Services) -> Option<String> {
    farmgate_trace::read::demo::code_of_lot(&services.infra.db, SHOWCASE_LOT)
        .await
        .ok()
        .flatten()
}

/// The banner `serve --demo` prints: where to go and who to log in as.
pub fn banner(url: &str, trace_code: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str("\n  农源直供 Farmgate is running with demo data\n");
    out.push_str(&format!(
        "  Open {url}/  (API: {url}/api/v1/openapi.json)\n"
    ));
    if let Some(code) = trace_code {
        out.push_str(&format!("  Scan a demo box: {url}/t/{code}\n"));
    }
    out.push_str(&format!(
        "\n  Demo logins (password for all: {DEMO_PASSWORD}):\n"
    ));
    for u in USERS {
        out.push_str(&format!("    {}  {:<4}  {}\n", u.phone, u.name, u.what));
    }
    out.push_str(&format!(
        "\n  Text messages (registration and log-in codes) are not sent: the operator reads them at {url}/ops/sms.html\n"
    ));
    out
}
