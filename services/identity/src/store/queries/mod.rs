//! Reusable queries, one module per table family. Each function takes `&impl ConnectionTrait`
//! (the pool or the use case's transaction) and typed ids, so two ids cannot be swapped; rows
//! come back as entities whose status and role columns are already enums.

pub mod accounts;
pub mod audit;
pub mod buyer_profiles;
pub mod codes;
pub mod invitations;
pub mod members;
pub mod orgs;
pub mod restrictions;
pub mod sessions;
pub mod setup_links;
pub mod wechat;

pub use audit::AuditEntry;

/// A free-text search as the operator typed it: trimmed, at most 50 characters, `None` when
/// empty.
fn search_text(q: Option<&str>) -> Option<String> {
    q.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(50).collect())
}
