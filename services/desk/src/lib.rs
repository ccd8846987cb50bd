//! The service desk (客服工单): anything that is not a parcel claim. A buyer or a seller opens a
//! ticket from any page (a complaint about a seller, a misleading listing, an account problem,
//! a suggestion, anything else), optionally pointing at an order, listing or claim they may
//! see; an agent registers a hotline call (热线登记). Each ticket gets a response and a
//! resolution deadline from its kind and urgency (stored, and scheduled in the outbox, so they
//! survive restarts and fire once across replicas); it is assigned by hand or round-robin among
//! agents on duty; agents reply, keep internal notes, use canned replies, merge duplicates and
//! close; the customer may reopen within 7 days. A closing owes a follow-up call (回访) and asks
//! the customer for a 1–5 survey, once. The figures measure agents, kinds and periods by the
//! after-sales standard; problem-customer records (劣质客户备案) show to agents on that
//! person's tickets.
//!
//! It owns the tables `desk_tickets`, `desk_messages`, `desk_ticket_events`, `desk_agents`,
//! `desk_canned_replies`, `desk_limits`, `desk_surveys`, `desk_follow_ups` and
//! `desk_customer_records`, and for conversations (咨询, `service::conversations`)
//! `desk_conversations`, `desk_conversation_messages`, `desk_conversation_reports` and
//! `desk_conversation_reads`, and `desk_attachments` (photos) and `desk_claim_follow_ups`
//! (`store`, private). It asks identity whether an account exists (`Identity::account`), checks a
//! ticket's link through orders
//! (`Orders::order_for`), the catalogue (`Catalog::listing_for`) and after-sales
//! (`Aftersales::claim_for`) — never their tables — and publishes the `desk.*` outbox topics
//! (`service::topics`) a notification room subscribes to.

pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod read;
pub mod service;
mod store;

pub use error::DeskError;
pub use jobs::{AttachmentExpiryJob, ClaimResolvedJob, DueJob};

use farmgate_aftersales::Aftersales;
use farmgate_catalog::Catalog;
use farmgate_identity::Identity;
use farmgate_infra::Infra;
use farmgate_orders::Orders;
use std::sync::Arc;

struct Inner {
    infra: Infra,
    identity: Identity,
    orders: Orders,
    catalog: Catalog,
    aftersales: Aftersales,
}

/// The service desk. Cheap to clone.
#[derive(Clone)]
pub struct Desk {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").finish_non_exhaustive()
    }
}

impl Desk {
    pub fn new(
        infra: Infra,
        identity: Identity,
        orders: Orders,
        catalog: Catalog,
        aftersales: Aftersales,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                infra,
                identity,
                orders,
                catalog,
                aftersales,
            }),
        }
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }
}
