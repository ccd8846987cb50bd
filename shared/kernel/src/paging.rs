//! Offset paging with bounds every list endpoint shares.

use serde::{Deserialize, Deserializer, Serialize};

/// `?limit=&offset=`: limit 1–100 (default 20), offset 0–1 000 000 (default 0). A value out of
/// range is refused when the query is read (`400 invalid_query` naming the parameter), not
/// quietly changed: a client that asks for 500 rows learns it gets at most 100.
#[derive(Clone, Copy, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// How many items (1–100, default 20).
    #[serde(default)]
    pub limit: Option<Limit>,
    /// How many to skip (0–1 000 000, default 0).
    #[serde(default)]
    pub offset: Option<Offset>,
}

impl Page {
    pub const MAX_LIMIT: u64 = Limit::MAX;

    /// A page for code that counts for itself (jobs, the demo): out-of-range values are
    /// brought into range.
    pub fn clamped(limit: u64, offset: u64) -> Self {
        Self {
            limit: Some(Limit(limit.clamp(Limit::MIN, Limit::MAX))),
            offset: Some(Offset(offset.min(Offset::MAX))),
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit.map_or(Limit::DEFAULT, Limit::get)
    }

    pub fn offset(&self) -> u64 {
        self.offset.map_or(0, Offset::get)
    }
}

/// Defines a bounded count read from a query string: its range is checked when it is
/// deserialised and declared in the API document.
macro_rules! bounded_count {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(u64);

        impl $name {
            pub const MIN: u64 = $min;
            pub const MAX: u64 = $max;

            /// `n`, when it is in range.
            pub fn new(n: u64) -> Option<Self> {
                (Self::MIN..=Self::MAX).contains(&n).then_some(Self(n))
            }

            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let n = u64::deserialize(d)?;
                Self::new(n).ok_or_else(|| {
                    serde::de::Error::custom(format_args!(
                        "{n} is out of range: {} to {}",
                        Self::MIN,
                        Self::MAX
                    ))
                })
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int64,
                    )))
                    .minimum(Some(Self::MIN as f64))
                    .maximum(Some(Self::MAX as f64))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

bounded_count!(
    /// How many items a page holds: 1–100.
    Limit,
    1,
    100
);

bounded_count!(
    /// How many items to skip: 0–1 000 000 (deeper than that, narrow the filter instead).
    Offset,
    0,
    1_000_000
);

impl Limit {
    pub const DEFAULT: u64 = 20;
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

/// Every page of a list from the first, as one list: `fetch(page)` answers one page at a time
/// (the largest a page may be), `each` makes what is kept of an item. Stops at the total, or at
/// an empty page should the list shrink meanwhile.
pub async fn all_pages<T, U, E, Fut>(
    mut fetch: impl FnMut(Page) -> Fut,
    mut each: impl FnMut(&T) -> U,
) -> Result<Vec<U>, E>
where
    Fut: std::future::Future<Output = Result<Paged<T>, E>>,
{
    let mut all = Vec::new();
    loop {
        let page = Page::clamped(Page::MAX_LIMIT, all.len() as u64);
        let got = fetch(page).await?;
        let done = got.items.is_empty() || all.len() as u64 + got.items.len() as u64 >= got.total;
        all.extend(got.items.iter().map(&mut each));
        if done {
            return Ok(all);
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn counts_out_of_range_are_refused_when_read() {
        let read = |q: &str| serde_json::from_str::<Page>(q);
        let p = read(r#"{"limit": 100, "offset": 1000000}"#).unwrap();
        assert_eq!((p.limit(), p.offset()), (100, 1_000_000));
        for bad in [
            r#"{"limit": 0}"#,
            r#"{"limit": 101}"#,
            r#"{"offset": 1000001}"#,
            r#"{"offset": -1}"#,
            r#"{"limit": 18446744073709551616}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        let none = read("{}").unwrap();
        assert_eq!((none.limit(), none.offset()), (20, 0));
    }

    #[test]
    fn code_that_counts_for_itself_is_brought_into_range() {
        let p = Page::clamped(10_000, u64::MAX);
        assert_eq!((p.limit(), p.offset()), (100, 1_000_000));
        assert_eq!(Page::clamped(0, 0).limit(), 1);
    }
}
