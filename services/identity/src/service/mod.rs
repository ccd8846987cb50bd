//! Identity's use cases, one file per family. Each opens the transaction it needs, checks who
//! may do it through the [`Actor`](crate::Actor), applies the domain rules, writes the audit log
//! and outbox events in the same transaction, and commits.
//!
//! - `codes.rs` — phone one-time codes: sending one within the limits, proving a phone.
//! - `accounts.rs` — registering with a code, the CLI's and the demo's accounts, reading one.
//! - `sessions.rs` — logging in (password or code) and out, the actor behind a token, one's
//!   own sessions.
//! - `passwords.rs` — changing and resetting a password, the first operator and its setup link.
//! - `self_service.rs` — one's own profile, phone, data download and erasure.
//! - `orgs.rs` — registering and editing organisations; the facts other services read.
//! - `members.rs` — members and their roles; leaving.
//! - `purchasing.rs` — a business buyer's kind and approval limit (issue #22).
//! - `invitations.rs` — inviting by phone or e-mail; accepting, declining, withdrawing.
//! - `verification.rs` — the operator's queue, verifying and rejecting, the history.
//! - `operator.rs` — the audit log, the operator's account tools, the SMS outbox.

mod accounts;
mod codes;
mod invitations;
mod members;
mod operator;
mod orgs;
mod passwords;
pub mod personal_data;
mod purchasing;
mod restrictions;
mod self_service;
mod sessions;
mod verification;
mod wechat_js;
mod wechat_login;

pub use crate::domain::OrgFilter;
pub use codes::CodeSent;
pub use invitations::InvitationDetail;
pub use members::Member;
pub use operator::SmsOutboxPage;
pub use orgs::{OrgEvent, OrgPatch, OrgSummary, TestingBody, org_region};
pub use passwords::OperatorCreated;
pub use personal_data::{PartError, PersonalDataPart};
pub use purchasing::Purchasing;
pub use restrictions::RestrictionRecord;
pub use self_service::{ERASED_NAME, ProfilePatch};
pub use sessions::IssuedSession;
pub use verification::{OrgWithOwner, ReviewEntry, parse_rejection};
pub use wechat_js::{JS_API_LIST, JsConfig, WechatJsConfig};
pub use wechat_login::{TICKET_MINUTES, WechatLoginConfig, WechatReturn};

use crate::Identity;
use crate::error::Result;
use crate::store::queries::{self, AuditEntry};
use chrono::{DateTime, Utc};
use farmgate_infra::http::RequestMeta;
use sea_orm::ConnectionTrait;

/// Topics identity publishes on the outbox.
pub mod topics {
    pub const ORG_SUBMITTED: &str = "identity.org.submitted";
    pub const ORG_VERIFIED: &str = "identity.org.verified";
    pub const ORG_REJECTED: &str = "identity.org.rejected";
    pub const ACCOUNT_REGISTERED: &str = "identity.account.registered";
    /// `{"invitation_id"}`: an owner invited a phone number to the organisation; the account
    /// holding that phone, if any, is told (`read::notify::invitation`).
    pub const INVITATION_SENT: &str = "identity.invitation.sent";
    /// `{"account_id", "at"}`: the account was erased on its owner's request; every room
    /// erases its copies of their personal data when its retention rules allow.
    pub const ACCOUNT_ERASED: &str = "identity.account.erased";
}

impl Identity {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }

    /// Appends to the audit log, inside the use case's transaction.
    async fn audit(
        &self,
        conn: &impl ConnectionTrait,
        meta: &RequestMeta,
        entry: AuditEntry,
    ) -> Result<()> {
        queries::audit::append(conn, self.now(), meta, entry).await?;
        Ok(())
    }
}
