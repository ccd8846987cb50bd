//! Identity's use cases, one file per family. Each opens the transaction it needs, checks who
//! may do it through the [`Actor`](crate::Actor), applies the domain rules, writes the audit log
//! and outbox events in the same transaction, and commits.
//!
//! - `accounts.rs` — registering, the CLI's accounts with a platform role, reading an account.
//! - `sessions.rs` — logging in and out, the actor behind a token, one's own sessions.
//! - `orgs.rs` — registering and editing organisations; the facts other services read.
//! - `members.rs` — members and their roles; leaving.
//! - `invitations.rs` — inviting by phone or e-mail; accepting, declining, withdrawing.
//! - `verification.rs` — the operator's queue, verifying and rejecting, the history.
//! - `operator.rs` — the audit log and the operator's account tools.

mod accounts;
mod invitations;
mod members;
mod operator;
mod orgs;
mod sessions;
mod verification;

pub use crate::domain::OrgFilter;
pub use invitations::InvitationDetail;
pub use members::Member;
pub use orgs::{OrgEvent, OrgPatch, OrgSummary, org_region};
pub use sessions::IssuedSession;
pub use verification::{OrgWithOwner, ReviewEntry, parse_rejection};

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
