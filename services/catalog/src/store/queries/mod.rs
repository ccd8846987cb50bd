//! Reusable queries, one module per table family. Each function takes `&impl ConnectionTrait`:
//! the pool, or the transaction the use case opened, so a use case composes them and commits
//! once. Ids arrive typed and leave the store as the entities' plain `Uuid` columns.

pub mod categories;
pub mod drafts;
pub mod images;
pub mod listings;
pub mod revisions;
pub mod signals;
pub mod skus;
pub mod vocabulary;
