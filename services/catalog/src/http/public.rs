//! What anyone may read: the category tree, search, listing pages, seller pages, and the
//! public copies of photos.

use super::views::{CategoryView, ListingView, SearchResultView, SellerPageView, SellerRef};
use crate::Catalog;
use crate::error::{CatalogError, Missing};
use crate::index::SearchParams;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use farmgate_identity::{Identity, MaybeAuthUser, OrgStatus};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use farmgate_infra::objects::ObjectKey;
use farmgate_infra::search::text::MAX_QUERY_CHARS;
use farmgate_infra::search::{Filters, MAX_RESULT_WINDOW, Sort};
use farmgate_kernel::id::{ListingId, OrgId};
use farmgate_kernel::{FieldError, ValidationErrors};
use serde::Deserialize;
use std::time::Instant;
use utoipa::IntoParams;
use uuid::Uuid;

/// The category tree (roots with their children).
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog",
    responses((status = 200, description = "Active categories, roots with their children", body = Vec<CategoryView>)))]
pub async fn categories(State(catalog): State<Catalog>) -> ApiResult<Json<Vec<CategoryView>>> {
    let all = catalog.categories().await?;
    Ok(Json(CategoryView::tree(&all, false)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Chinese, pinyin (`pingguo`), initials (`pg`) or mixed; empty lists by `sort`.
    #[serde(default)]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// A category id; a parent category includes its children.
    pub category: Option<Uuid>,
    pub seller: Option<Uuid>,
    /// Township (乡镇) of origin.
    #[param(max_length = 20)]
    pub township: Option<String>,
    /// `cooperative`, `family_farm`, `specialised_household`, `agri_enterprise`, `platform_store`.
    pub seller_kind: Option<String>,
    /// Lowest price, fen.
    #[param(minimum = 0)]
    pub price_min: Option<i64>,
    /// Highest price, fen (not below *price_min*).
    #[param(minimum = 0)]
    pub price_max: Option<i64>,
    /// Only listings with stock (default true); false includes sold-out listings.
    pub in_stock: Option<bool>,
    /// `relevance` (default), `price_asc`, `price_desc`, `newest`, `sales`.
    pub sort: Option<Sort>,
    /// 1-based (default 1; at most 10 000 results are reachable by paging).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u64>,
    /// 1–50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub per_page: Option<u64>,
}

fn search_params(q: SearchQuery) -> Result<SearchParams, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let text = q.q.unwrap_or_default();
    if text.chars().count() > MAX_QUERY_CHARS {
        errs.push(FieldError::new(
            "q",
            "too_long",
            format!("搜索词最多 {MAX_QUERY_CHARS} 个字"),
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let page = q.page.unwrap_or(1);
    if page == 0 || page > MAX_RESULT_WINDOW {
        errs.push(FieldError::new(
            "page",
            "out_of_range",
            "页码从 1 开始",
            "pages start at 1",
        ));
    }
    let per_page = q.per_page.unwrap_or(20);
    if !(1..=50).contains(&per_page) {
        errs.push(FieldError::new(
            "per_page",
            "out_of_range",
            "每页 1 到 50 条",
            "1 to 50 per page",
        ));
    }
    for (name, v) in [("price_min", q.price_min), ("price_max", q.price_max)] {
        if v.is_some_and(|p| p < 0) {
            errs.push(FieldError::new(
                name,
                "out_of_range",
                "价格不能为负",
                "a price cannot be negative",
            ));
        }
    }
    if let (Some(lo), Some(hi)) = (q.price_min, q.price_max)
        && lo > hi
    {
        errs.push(FieldError::new(
            "price_max",
            "out_of_range",
            "最高价不能低于最低价",
            "the highest price is below the lowest",
        ));
    }
    let township = q
        .township
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    if township.as_ref().is_some_and(|t| t.chars().count() > 20) {
        errs.push(FieldError::new(
            "township",
            "too_long",
            "乡镇名太长",
            "township name too long",
        ));
    }
    errs.finish()?;
    Ok(SearchParams {
        q: text,
        filters: Filters {
            category: q.category,
            seller: q.seller,
            township,
            seller_kind: q.seller_kind.filter(|k| !k.is_empty()),
            price_min: q.price_min,
            price_max: q.price_max,
            in_stock_only: q.in_stock.unwrap_or(true),
        },
        sort: q.sort.unwrap_or_default(),
        page,
        per_page,
    })
}

/// Search the catalogue (Chinese, pinyin, initials, synonyms; filters, facets, sorting).
#[utoipa::path(get, path = "/api/v1/search", tag = "catalog", params(SearchQuery),
    responses(
        (status = 200, description = "Matching listings with facets; cached for a few seconds", body = SearchResultView),
        (status = 400, description = "Bad request: `invalid_query`", body = ErrorBody),
        (status = 422, description = "Bad parameters: `validation_failed`", body = ErrorBody),
        (status = 503, description = "Search engine down: `unavailable`", body = ErrorBody),
    ))]
pub async fn search(
    State(catalog): State<Catalog>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Response> {
    let params = search_params(q).map_err(CatalogError::from)?;
    let (page, per_page) = (params.page, params.per_page);
    let started = Instant::now();
    let result = catalog.search(params).await?;
    let took = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let body = SearchResultView::of(
        result,
        page,
        per_page,
        took,
        catalog.search_index().backend(),
    );
    let mut resp = Json(body).into_response();
    // Results change as stock and prices do; a few seconds of caching spares the engine.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=5"),
    );
    Ok(resp)
}

/// A listing: public when on sale or sold out; its seller and the operator see it at any stage.
#[utoipa::path(get, path = "/api/v1/listings/{id}", tag = "catalog", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The listing (its seller and the operator also see its status and revision)", body = ListingView),
        (status = 404, description = "No such listing, or hidden from this viewer: `not_found`", body = ErrorBody),
    ))]
pub async fn get_listing(
    State(catalog): State<Catalog>,
    MaybeAuthUser(actor): MaybeAuthUser,
    ApiPath(id): ApiPath<ListingId>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.listing_for(actor.as_ref(), id).await?;
    Ok(Json(ListingView::of(&b, actor.as_ref())))
}

/// A verified seller's public page with its listings on sale.
#[utoipa::path(get, path = "/api/v1/sellers/{id}", tag = "catalog", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The seller and its listings on sale, best-selling first", body = SellerPageView),
        (status = 404, description = "No such verified seller: `not_found`", body = ErrorBody),
        (status = 503, description = "Search engine down: `unavailable`", body = ErrorBody),
    ))]
pub async fn seller_page(
    State(catalog): State<Catalog>,
    State(identity): State<Identity>,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<SellerPageView>> {
    let seller = identity
        .org_summary(id)
        .await
        .map_err(CatalogError::from)?
        .filter(|s| s.status == OrgStatus::Verified && s.kind.is_seller())
        .ok_or(CatalogError::NotFound(Missing::Seller))?;
    let result = catalog
        .search(SearchParams {
            filters: Filters {
                seller: Some(id.as_uuid()),
                in_stock_only: true,
                ..Filters::default()
            },
            sort: Sort::Sales,
            page: 1,
            per_page: 50,
            ..SearchParams::default()
        })
        .await?;
    let view = SearchResultView::of(result, 1, 50, 0, "");
    Ok(Json(SellerPageView {
        seller: SellerRef::of(&seller),
        listings: view.hits,
    }))
}

/// Public copies of photos. Keys are unique per upload, so they cache forever.
pub async fn media(
    State(catalog): State<Catalog>,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Response> {
    // Only public copies are served; originals (which may carry EXIF location) never are.
    let missing = || CatalogError::NotFound(Missing::File);
    if !key.starts_with("public/") {
        return Err(missing().into());
    }
    let key = ObjectKey::parse(&key).map_err(|_| missing())?;
    let object = catalog
        .infra()
        .objects
        .get(&key)
        .await
        .map_err(CatalogError::from)?
        .ok_or_else(missing)?;
    let mut resp = Response::new(Body::from(object.bytes));
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&object.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(resp)
}
