//! "Download my data" spans rooms: identity holds the account, sessions and memberships;
//! orders the addresses, orders and reviews; aftersales the claims. Identity cannot call the
//! rooms that depend on it, so they plug their part in here at start (the server registers
//! them), and [`Identity::export_my_data`](crate::Identity::export_my_data) asks each one.

use crate::auth::Actor;
use async_trait::async_trait;
use serde_json::Value;

/// What a part's failure is, for the log (never shown to the user: the export fails as a whole
/// with `500 internal`, it is never handed out with a part missing).
pub type PartError = Box<dyn std::error::Error + Send + Sync>;

/// Another room's part of a person's data.
#[async_trait]
pub trait PersonalDataPart: Send + Sync + 'static {
    /// Its key in the export (`orders`, `claims` …); one key per part.
    fn name(&self) -> &'static str;

    /// Everything the room holds about `actor`, as they may see it themselves.
    async fn export(&self, actor: &Actor) -> Result<Value, PartError>;
}
