//! The catalogue over HTTP: thin handlers and the router (with OpenAPI).

use crate::Catalog;
use crate::domain::{ListingStatus, RevisionStatus};
use crate::error::CatalogError;
use crate::images::MAX_UPLOAD_BYTES;
use crate::index::SearchParams;
use crate::service::{
    CategoryPatch, ListingPatch, NewCategoryRequest, NewListingRequest, SkuPatch, SkuRequest,
};
use crate::views::{
    CategoryView, ImageView, ListingView, ReviewItem, RevisionView, SearchResultView,
    SellerPageView, SellerRef, SkuChangeView, SkuView,
};
use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_identity::{AuthUser, Identity, MaybeAuthUser, OrgStatus};
use farmgate_infra::http::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_infra::objects::ObjectKey;
use farmgate_infra::search::text::MAX_QUERY_CHARS;
use farmgate_infra::search::{Filters, MAX_RESULT_WINDOW, Sort};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::{FieldError, Page, Paged, ValidationErrors};
use serde::Deserialize;
use std::time::Instant;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Public

/// The category tree (roots with their children).
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog", responses((status = 200, body = Vec<CategoryView>)))]
pub async fn categories(State(catalog): State<Catalog>) -> ApiResult<Json<Vec<CategoryView>>> {
    let all = catalog.categories().await?;
    Ok(Json(CategoryView::tree(&all, false)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Chinese, pinyin (`pingguo`), initials (`pg`) or mixed; empty lists by `sort`.
    #[serde(default)]
    pub q: Option<String>,
    /// A category id; a parent category includes its children.
    pub category: Option<Uuid>,
    pub seller: Option<Uuid>,
    /// Township (乡镇) of origin.
    pub township: Option<String>,
    /// `cooperative`, `family_farm`, `specialised_household`, `agri_enterprise`, `platform_store`.
    pub seller_kind: Option<String>,
    /// Lowest price, fen.
    pub price_min: Option<i64>,
    /// Highest price, fen.
    pub price_max: Option<i64>,
    /// Only listings with stock (default true); false includes sold-out listings.
    pub in_stock: Option<bool>,
    /// `relevance` (default), `price_asc`, `price_desc`, `newest`, `sales`.
    pub sort: Option<Sort>,
    /// 1-based (default 1).
    pub page: Option<u64>,
    /// 1–50 (default 20).
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
    responses((status = 200, body = SearchResultView), (status = 422, description = "bad parameters")))]
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
    responses((status = 200, body = ListingView), (status = 404)))]
pub async fn get_listing(
    State(catalog): State<Catalog>,
    MaybeAuthUser(actor): MaybeAuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.listing_for(actor.as_ref(), id).await?;
    Ok(Json(ListingView::of(&b, actor.as_ref())?))
}

/// A verified seller's public page with its listings on sale.
#[utoipa::path(get, path = "/api/v1/sellers/{id}", tag = "catalog", params(("id" = Uuid, Path)),
    responses((status = 200, body = SellerPageView), (status = 404)))]
pub async fn seller_page(
    State(catalog): State<Catalog>,
    State(identity): State<Identity>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SellerPageView>> {
    let seller = identity
        .org_summary(OrgId(id))
        .await
        .map_err(CatalogError::from)?
        .filter(|s| s.status == OrgStatus::Verified && s.kind.is_seller())
        .ok_or_else(|| ApiError::not_found("商家", "seller"))?;
    let result = catalog
        .search(SearchParams {
            filters: Filters {
                seller: Some(id),
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
    if !key.starts_with("public/") {
        return Err(ApiError::not_found("文件", "file"));
    }
    let key = ObjectKey::parse(&key).map_err(|_| ApiError::not_found("文件", "file"))?;
    let object = catalog
        .infra()
        .objects
        .get(&key)
        .await
        .map_err(CatalogError::from)?
        .ok_or_else(|| ApiError::not_found("文件", "file"))?;
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

// ---------------------------------------------------------------------------------------------
// Sellers

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    pub status: Option<ListingStatus>,
}

/// An organisation's listings (its members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/listings", tag = "catalog", params(("id" = Uuid, Path), StatusQuery),
    responses((status = 200, body = Vec<ListingView>), (status = 403)))]
pub async fn org_listings(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> ApiResult<Json<Vec<ListingView>>> {
    let list = catalog.seller_listings(&actor, id, q.status).await?;
    Ok(Json(
        list.iter()
            .map(|b| ListingView::of(b, Some(&actor)))
            .collect::<Result<_, _>>()?,
    ))
}

/// Create a draft listing with its SKUs (members of a verified seller).
#[utoipa::path(post, path = "/api/v1/orgs/{id}/listings", tag = "catalog", params(("id" = Uuid, Path)),
    request_body = NewListingRequest,
    responses((status = 201, body = ListingView), (status = 403), (status = 409, description = "seller not verified"), (status = 422)))]
pub async fn create_listing(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
    ApiJson(req): ApiJson<NewListingRequest>,
) -> ApiResult<(StatusCode, Json<ListingView>)> {
    let b = catalog.create_listing(&actor, id, req).await?;
    Ok((
        StatusCode::CREATED,
        Json(ListingView::of(&b, Some(&actor))?),
    ))
}

/// Edit a listing. On a live listing, changing title, category or origin creates a pending
/// revision; the rest applies at once.
#[utoipa::path(patch, path = "/api/v1/listings/{id}", tag = "catalog", params(("id" = Uuid, Path)),
    request_body = ListingPatch, responses((status = 200, body = ListingView), (status = 403), (status = 422)))]
pub async fn update_listing(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<ListingPatch>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.update_listing(&actor, id, patch).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))?))
}

/// Submit a draft, rejected or delisted listing for review.
#[utoipa::path(post, path = "/api/v1/listings/{id}/submit", tag = "catalog", params(("id" = Uuid, Path)),
    responses((status = 200, body = ListingView), (status = 403), (status = 409)))]
pub async fn submit_listing(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.submit(&actor, id).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))?))
}

/// Add a SKU.
#[utoipa::path(post, path = "/api/v1/listings/{id}/skus", tag = "catalog", params(("id" = Uuid, Path)),
    request_body = SkuRequest, responses((status = 201, body = SkuView), (status = 403), (status = 422)))]
pub async fn add_sku(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SkuRequest>,
) -> ApiResult<(StatusCode, Json<SkuView>)> {
    let s = catalog.add_sku(&actor, id, req).await?;
    Ok((StatusCode::CREATED, Json(SkuView::of(&s, true))))
}

/// Change a SKU's price, stock, tiers or other facts. Applies at once and is logged.
#[utoipa::path(patch, path = "/api/v1/skus/{id}", tag = "catalog", params(("id" = Uuid, Path)),
    request_body = SkuPatch, responses((status = 200, body = SkuView), (status = 403), (status = 422)))]
pub async fn update_sku(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<SkuPatch>,
) -> ApiResult<Json<SkuView>> {
    let s = catalog.update_sku(&actor, id, patch).await?;
    Ok(Json(SkuView::of(&s, true)))
}

/// The price and stock change log of a listing.
#[utoipa::path(get, path = "/api/v1/listings/{id}/changes", tag = "catalog", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<SkuChangeView>), (status = 403)))]
pub async fn changes(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<SkuChangeView>>> {
    let list = catalog.changes(&actor, id).await?;
    Ok(Json(list.iter().map(SkuChangeView::of).collect()))
}

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct ImageUpload {
    /// JPEG, PNG or WebP, at most 8 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a photo (multipart field `file`; JPEG, PNG or WebP; ≤ 8 MB; at most 9 per listing).
#[utoipa::path(post, path = "/api/v1/listings/{id}/images", tag = "catalog", params(("id" = Uuid, Path)),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = ImageView), (status = 413), (status = 415)))]
pub async fn upload_image(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<ImageView>)> {
    let bytes = read_image_upload(multipart).await?;
    let img = catalog.add_image(&actor, id, bytes).await?;
    Ok((StatusCode::CREATED, Json(ImageView::of(&img))))
}

/// The `file` field of a photo upload, within the size limit (listing photos, review photos).
pub async fn read_image_upload(mut multipart: Multipart) -> ApiResult<bytes::Bytes> {
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e))?
    {
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(|e| multipart_error(&e))?);
            break;
        }
    }
    let bytes = file.ok_or_else(|| {
        ApiError::field(FieldError::new(
            "file",
            "required",
            "请选择要上传的图片",
            "choose a photo to upload",
        ))
    })?;
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(CatalogError::ImageTooLarge.into());
    }
    Ok(bytes)
}

fn multipart_error(e: &axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        CatalogError::ImageTooLarge.into()
    } else {
        ApiError::bad_request(
            "malformed_multipart",
            "上传内容格式不正确",
            "the upload is not valid multipart form data",
        )
    }
}

/// Remove a photo.
#[utoipa::path(delete, path = "/api/v1/listings/{id}/images/{image_id}", tag = "catalog",
    params(("id" = Uuid, Path), ("image_id" = Uuid, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete_image(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath((id, image_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    catalog.delete_image(&actor, id, image_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// The operator

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// `pending` (default), `approved`, `rejected`.
    pub status: Option<RevisionStatus>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// The listing review queue (operator), oldest first.
#[utoipa::path(get, path = "/api/v1/admin/listing-reviews", tag = "admin", params(ReviewQuery),
    responses((status = 200, body = Paged<ReviewItem>), (status = 403)))]
pub async fn review_queue(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ReviewQuery>,
) -> ApiResult<Json<Paged<ReviewItem>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = catalog
        .review_queue(&actor, q.status.unwrap_or(RevisionStatus::Pending), page)
        .await?;
    let items = list
        .items
        .iter()
        .map(|(r, b)| {
            Ok(ReviewItem {
                revision: RevisionView::of(r, b),
                listing: ListingView::of(b, Some(&actor))?,
            })
        })
        .collect::<Result<Vec<_>, CatalogError>>()?;
    Ok(Json(Paged {
        items,
        total: list.total,
        limit: list.limit,
        offset: list.offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Shown to the seller (2–500 characters).
    pub reason: String,
}

/// Approve a pending revision (operator).
#[utoipa::path(post, path = "/api/v1/admin/listing-reviews/{id}/approve", tag = "admin", params(("id" = Uuid, Path)),
    responses((status = 200, body = ListingView), (status = 403), (status = 409)))]
pub async fn approve(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.decide(&actor, id, true, None).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))?))
}

/// Reject a pending revision with a reason (operator).
#[utoipa::path(post, path = "/api/v1/admin/listing-reviews/{id}/reject", tag = "admin", params(("id" = Uuid, Path)),
    request_body = ReasonRequest, responses((status = 200, body = ListingView), (status = 403), (status = 409), (status = 422)))]
pub async fn reject(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.decide(&actor, id, false, Some(req.reason)).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))?))
}

/// Force a listing off sale with a reason (非正常下架, operator).
#[utoipa::path(post, path = "/api/v1/admin/listings/{id}/delist", tag = "admin", params(("id" = Uuid, Path)),
    request_body = ReasonRequest, responses((status = 200, body = ListingView), (status = 403), (status = 409), (status = 422)))]
pub async fn delist(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.force_delist(&actor, id, &req.reason).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))?))
}

/// Add a category (operator).
#[utoipa::path(post, path = "/api/v1/admin/categories", tag = "admin", request_body = NewCategoryRequest,
    responses((status = 201, body = CategoryView), (status = 403), (status = 422)))]
pub async fn create_category(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<NewCategoryRequest>,
) -> ApiResult<(StatusCode, Json<CategoryView>)> {
    let c = catalog.create_category(&actor, req).await?;
    Ok((StatusCode::CREATED, Json(CategoryView::of(&c))))
}

/// Change a category (operator); its listings are reindexed.
#[utoipa::path(patch, path = "/api/v1/admin/categories/{id}", tag = "admin", params(("id" = Uuid, Path)),
    request_body = CategoryPatch, responses((status = 200, body = CategoryView), (status = 403), (status = 404), (status = 422)))]
pub async fn update_category(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<CategoryPatch>,
) -> ApiResult<Json<CategoryView>> {
    let c = catalog.update_category(&actor, id, patch).await?;
    Ok(Json(CategoryView::of(&c)))
}

/// The whole category tree including inactive categories (operator).
#[utoipa::path(get, path = "/api/v1/admin/categories", tag = "admin", responses((status = 200, body = Vec<CategoryView>), (status = 403)))]
pub async fn admin_categories(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<CategoryView>>> {
    actor
        .require_platform(&[farmgate_identity::PlatformRole::Operator])
        .map_err(CatalogError::from)?;
    let all = catalog.categories().await?;
    Ok(Json(CategoryView::tree(&all, true)))
}

/// Every catalogue route, with its OpenAPI description.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Catalog: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(categories))
        .routes(routes!(search))
        .routes(routes!(get_listing, update_listing))
        .routes(routes!(seller_page))
        .routes(routes!(org_listings, create_listing))
        .routes(routes!(submit_listing))
        .routes(routes!(add_sku))
        .routes(routes!(update_sku))
        .routes(routes!(changes))
        .routes(routes!(delete_image))
        .routes(routes!(review_queue))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(delist))
        .routes(routes!(create_category, admin_categories))
        .routes(routes!(update_category))
        // Photos are larger than JSON bodies: only the upload route gets the larger limit.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload_image))
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .route("/media/{*key}", axum::routing::get(media))
}
