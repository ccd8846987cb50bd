//! The desk's tables (sea-orm entities) and the queries over them. Every query function takes
//! `&impl ConnectionTrait`, so it runs on the pool or inside the use case's transaction. Only
//! this crate reads these tables; other rooms use the service's API.

mod attachments;
mod conversations;
pub mod entities;
pub mod queries;

pub use attachments::{attachment, claim_follow_up};
pub use conversations::{
    conversation, conversation_message, conversation_read, conversation_report,
};
pub use entities::*;
