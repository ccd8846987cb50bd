//! News and notices (资讯): articles written by the platform operator or a county official —
//! title, summary, a sanitised rich-text body with uploaded pictures, a category (policy,
//! farming season, training, market, announcement), a cover — published only after an
//! operator who did not write it approves it (four eyes; the management rules give 48 hours,
//! and the review queue shows each item's age against them). Publishing may be scheduled
//! (public once approved *and* its time has come, decided in the query). Every edit is a new
//! revision, kept; a published article stays public as approved while its next revision waits.
//! The operator pins notices to the home page and withdraws an article with a reason.
//! Public pages `/news` and `/news/{id}` render on the server with share tags for WeChat.
//!
//! It owns the tables `news_articles`, `news_revisions` and `news_images` (`store`, private).
//! It checks pictures with `farmgate_catalog::images` (the bytes decide the type; bombs and
//! oversized uploads refused; re-encoded without EXIF) and stores them through
//! `farmgate_infra::objects`.

pub mod domain;
pub mod error;
pub mod http;
pub mod service;
mod store;

pub use error::NewsError;

use chrono::{DateTime, Utc};
use farmgate_infra::Infra;
use std::sync::Arc;

struct Inner {
    infra: Infra,
}

/// The news service. Cheap to clone.
#[derive(Clone)]
pub struct News {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for News {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("News").finish_non_exhaustive()
    }
}

impl News {
    pub fn new(infra: Infra) -> Self {
        Self {
            inner: Arc::new(Inner { infra }),
        }
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    fn now(&self) -> DateTime<Utc> {
        self.inner.infra.clock.now()
    }
}
