//! Favourites (收藏) of the signed-in account: the heart on a listing and the list under 我的.

use super::PageQuery;
use crate::Orders;
use crate::service::favourites::Favourite;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use farmgate_catalog::domain::Availability;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::Paged;
use farmgate_kernel::id::ListingId;
use serde::Serialize;
use utoipa::ToSchema;

/// One favourite as it stands now.
#[derive(Debug, Serialize, ToSchema)]
pub struct FavouriteView {
    pub listing_id: ListingId,
    /// The listing's title now, or as it was when hearted when the listing is gone.
    pub title: String,
    /// The listing's first photo (`/media/…`), when it still has one.
    pub image: Option<String>,
    /// `on_sale`, `sold_out`, or `unavailable` (withdrawn, not approved, its seller suspended,
    /// or removed): shown, but it cannot be bought.
    pub state: String,
    pub available: bool,
    pub added_at: DateTime<Utc>,
}

impl FavouriteView {
    pub(crate) fn of(f: &Favourite) -> Self {
        let state = match f.card.as_ref().map(|c| c.availability) {
            Some(Availability::OnSale) => "on_sale",
            Some(Availability::SoldOut) => "sold_out",
            _ => "unavailable",
        };
        Self {
            listing_id: ListingId(f.row.listing_id),
            title: f
                .card
                .as_ref()
                .filter(|_| f.available())
                .map_or_else(|| f.row.title.clone(), |c| c.title.clone()),
            image: f
                .card
                .as_ref()
                .and_then(|c| c.first_image_key.as_ref())
                .map(|k| format!("/media/{k}")),
            state: state.to_owned(),
            available: f.available(),
            added_at: f.row.created_at,
        }
    }
}

/// Whether the caller hearted a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct FavouriteState {
    pub listing_id: ListingId,
    pub favourite: bool,
}

/// The caller's favourites, newest first (nobody else's are ever listed).
#[utoipa::path(get, path = "/api/v1/me/favourites", tag = "orders", params(PageQuery),
    responses(
        (status = 200, description = "A page of favourites", body = Paged<FavouriteView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ))]
pub async fn my_favourites(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<FavouriteView>>> {
    let page = orders.favourites(&actor, q.page()).await?;
    Ok(Json(page.map(|f| FavouriteView::of(&f))))
}

/// Whether the caller hearted this listing.
#[utoipa::path(get, path = "/api/v1/me/favourites/{listing_id}", tag = "orders", params(("listing_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Hearted or not", body = FavouriteState),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn favourite_state(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(listing): ApiPath<ListingId>,
) -> ApiResult<Json<FavouriteState>> {
    let favourite = orders.is_favourite(&actor, listing).await?;
    Ok(Json(FavouriteState {
        listing_id: listing,
        favourite,
    }))
}

/// Heart a listing buyers can see (hearting it again changes nothing).
#[utoipa::path(put, path = "/api/v1/me/favourites/{listing_id}", tag = "orders", params(("listing_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Hearted", body = FavouriteState),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such listing, or not one buyers can see", body = ErrorBody),
        (status = 422, description = "`validation_failed`: 500 favourites already", body = ErrorBody),
    ))]
pub async fn add_favourite(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(listing): ApiPath<ListingId>,
) -> ApiResult<Json<FavouriteState>> {
    orders.add_favourite(&actor, listing).await?;
    Ok(Json(FavouriteState {
        listing_id: listing,
        favourite: true,
    }))
}

/// Take a listing out of the favourites (one not there is already out).
#[utoipa::path(delete, path = "/api/v1/me/favourites/{listing_id}", tag = "orders", params(("listing_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Not a favourite (any more)", body = FavouriteState),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn remove_favourite(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(listing): ApiPath<ListingId>,
) -> ApiResult<Json<FavouriteState>> {
    orders.remove_favourite(&actor, listing).await?;
    Ok(Json(FavouriteState {
        listing_id: listing,
        favourite: false,
    }))
}
