//! Offset paging with bounds every list endpoint shares.

use serde::{Deserialize, Serialize};

/// `?limit=&offset=`: limit defaults to 20 and is capped at 100.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// How many items (1–100, default 20).
    #[serde(default)]
    pub limit: Option<u64>,
    /// How many to skip (default 0).
    #[serde(default)]
    pub offset: Option<u64>,
}

impl Page {
    pub const MAX_LIMIT: u64 = 100;

    pub fn limit(&self) -> u64 {
        self.limit.unwrap_or(20).clamp(1, Self::MAX_LIMIT)
    }

    pub fn offset(&self) -> u64 {
        self.offset.unwrap_or(0).min(1_000_000)
    }
}

/// One page of a list, with the total so a UI can page.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

impl<T> Paged<T> {
    pub fn new(items: Vec<T>, total: u64, page: Page) -> Self {
        Self {
            items,
            total,
            limit: page.limit(),
            offset: page.offset(),
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_clamped_and_offsets_bounded() {
        let p = Page {
            limit: Some(10_000),
            offset: Some(u64::MAX),
        };
        assert_eq!(p.limit(), 100);
        assert_eq!(p.offset(), 1_000_000);
        let p = Page {
            limit: Some(0),
            offset: None,
        };
        assert_eq!(p.limit(), 1);
        assert_eq!(
            Page {
                limit: None,
                offset: None
            }
            .limit(),
            20
        );
    }
}
