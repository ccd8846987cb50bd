//! After-sales use cases, one file per use case or small family. Each checks who may act and
//! whose turn it is (the claim moves only through `domain::transition`), applies the domain
//! rules, and writes its change with its claim event (and outbox events) in one transaction;
//! money moves only through `Orders::refund_sub_order`, keyed by the claim or the notice, so a
//! retried or concurrent decision can never pay twice. What after-sales knows of orders and
//! batches it reads through their `read::aftersales` modules, never their tables.

mod before_receipt;
pub mod bulletin;
mod decide;
mod evidence;
mod file;
mod offer_due;
pub mod personal_data;
pub mod quality;
mod read;
pub mod recall;
mod recourse;
mod recourse_collect;
mod recourse_write_off;
mod replacement_unsent;
mod settle;
mod survey;
mod thread;

pub use crate::domain::Role;
pub use before_receipt::ClaimOptions;
pub use decide::{Basis, Decision, Escalation, SellerAnswer};
pub use evidence::{Evidence, MAX_PHOTOS, MAX_UNUSED_EVIDENCE};
pub use file::{FileClaim, LineQuantity};
pub(crate) use read::role_on;
pub use read::{ClaimLine, ClaimRecord};
pub use recourse::{CarrierTotals, CollectionView, RecourseDetail, RecourseItem, RecourseTotals};
pub use recourse_collect::CollectRequest;
pub use recourse_write_off::WriteOffRequest;
pub use survey::Satisfaction;
pub use thread::NewMessage;

use crate::Aftersales;
use chrono::{DateTime, Utc};

/// Outbox topics after-sales publishes.
pub mod topics {
    /// `{"claim_id"}`, scheduled at the response deadline.
    pub const RESPONSE_DUE: &str = "aftersales.response_due";
    /// `{"claim_id"}`: a claim was filed (statistics, notifications).
    pub const FILED: &str = "aftersales.filed";
    /// `{"claim_id"}`: a claim was resolved (statistics, the satisfaction survey).
    pub const RESOLVED: &str = "aftersales.resolved";
    /// `{"recall_id"}`: a batch was recalled (statistics, notifications).
    pub const RECALLED: &str = "aftersales.recalled";
    /// `{"claim_id"}`, scheduled at the buyer's answer deadline (`answer_by`): an offer left
    /// unanswered is accepted.
    pub const OFFER_DUE: &str = "aftersales.offer_due";
    /// `{"claim_id"}`: the seller answered (an offer, a reship or a rejection) and the buyer
    /// is to answer by `answer_by` (notifications).
    pub const ANSWERED: &str = "aftersales.answered";
    /// `{"claim_id", "party": "seller"|"buyer", "due"}`, scheduled a while before that
    /// party's deadline; a reminder only if the claim still waits for them then.
    pub const DEADLINE_NEAR: &str = "aftersales.deadline_near";
    /// `{"claim_id"}`: the claim went to the platform's arbitration (notifications to the
    /// operators and both parties).
    pub const ESCALATED: &str = "aftersales.escalated";
}

impl Aftersales {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }
}
