//! Wholesale prices for the product cards a business buyer's page shows (see
//! `service::wholesale`): search answers stay the same for everyone and cacheable.

use crate::Catalog;
use crate::error::CatalogError;
use crate::service::{MAX_WHOLESALE_LISTINGS, WholesalePrice};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};
use farmgate_kernel::id::ListingId;
use farmgate_kernel::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WholesaleQuery {
    /// Listing ids, comma-separated, 1 to 60.
    #[param(max_length = 2300)]
    pub listings: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WholesalePricesView {
    /// The cheapest tier of each listing asked for that has one and whose tiers the viewer may
    /// see, in the order asked; the others are left out.
    pub prices: Vec<WholesalePrice>,
}

/// Parses `a,b,c` into 1..=60 listing ids.
fn parse_ids(text: &str) -> Result<Vec<ListingId>, FieldError> {
    let err = |code, zh: String, en: String| FieldError::new("listings", code, zh, en);
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(err(
            "required",
            "请给出商品编号".into(),
            "name at least one listing".into(),
        ));
    }
    if parts.len() > MAX_WHOLESALE_LISTINGS {
        return Err(err(
            "too_many",
            format!("一次最多 {MAX_WHOLESALE_LISTINGS} 个商品"),
            format!("at most {MAX_WHOLESALE_LISTINGS} listings at once"),
        ));
    }
    parts
        .into_iter()
        .map(|p| {
            Uuid::parse_str(p).map(ListingId).map_err(|_| {
                err(
                    "invalid",
                    "商品编号格式不对".into(),
                    format!("not a listing id: {p:.40}"),
                )
            })
        })
        .collect()
}

/// The cheapest wholesale tier of each listing named, for its product card. Verified business
/// buyers see every seller's tiers, a seller's members their own, the operator all; anyone
/// else gets an empty list (retail prices are on the cards already).
#[utoipa::path(get, path = "/api/v1/wholesale-prices", tag = "catalog", params(WholesaleQuery),
    responses(
        (status = 200, description = "The tiers the viewer may see", body = WholesalePricesView),
        (status = 400, description = "`invalid_query`: no listings parameter, or an unknown one", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: no ids, more than 60, or one that is not an id", body = ErrorBody),
    ))]
pub async fn wholesale_prices(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<WholesaleQuery>,
) -> ApiResult<Response> {
    let ids = parse_ids(&q.listings).map_err(|e| CatalogError::from(ValidationErrors::from(e)))?;
    let prices = catalog.wholesale_prices(&actor, &ids).await?;
    let mut resp = Json(WholesalePricesView { prices }).into_response();
    // Per viewer: never in a shared cache.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=30"),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_bounded_and_checked() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        assert_eq!(parse_ids(&format!("{a}, {b},")).map(|v| v.len()), Ok(2));
        assert_eq!(parse_ids(" , ").map_err(|e| e.code), Err("required"));
        assert_eq!(parse_ids("x").map_err(|e| e.code), Err("invalid"));
        let many = vec![a.to_string(); MAX_WHOLESALE_LISTINGS + 1].join(",");
        assert_eq!(parse_ids(&many).map_err(|e| e.code), Err("too_many"));
        let enough = vec![a.to_string(); MAX_WHOLESALE_LISTINGS].join(",");
        assert!(parse_ids(&enough).is_ok());
    }
}
