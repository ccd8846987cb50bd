//! `GET /api/v1/analytics/sellers/{org}/sales`: a seller's own sales on its console, as JSON or
//! (`format=csv|xlsx`, `view=series|products|provinces`) a download. Members and the operator.

use super::download::{download, money};
use super::params::StatsQuery;
use crate::domain::Grain;
use crate::domain::analytics::{SalesRow, SellerSales};
use crate::error::Field;
use crate::export::Cell;
use crate::{Stats, StatsError};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrgId;
use serde::Deserialize;
use utoipa::IntoParams;

const HEADERS: [&str; 6] = [
    "分组 Group",
    "订单数 Orders",
    "件数 Lines",
    "货款(元) Goods",
    "运费(元) Shipping",
    "买家数 Buyers",
];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrgPath {
    /// The seller organisation's id.
    pub org: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SellerSalesQuery {
    /// First day, `YYYY-MM-DD` (Asia/Shanghai).
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
    /// day | week | month (default day).
    pub by: Option<String>,
    /// json (default) | csv | xlsx.
    pub format: Option<String>,
    /// What a download holds: series (default) | products | provinces.
    pub view: Option<String>,
}

/// The seller's sales paid in the period: totals, repeat buyers, a series by day/week/month,
/// and by product and destination province (gross, before refunds; no buyer named). Members
/// of the seller and the operator.
#[utoipa::path(get, path = "/api/v1/analytics/sellers/{org}/sales", tag = "market",
    params(OrgPath, SellerSalesQuery),
    responses(
        (status = 200, description = "The seller's sales; with format=csv or xlsx the chosen view's rows as a download", body = SellerSales),
        (status = 400, description = "Unreadable query string or path: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member of the seller nor the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "Not an organisation id: `not_found`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (from/to: required, invalid, before_from, too_long; by, format, view: unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn seller_sales(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiPath(path): ApiPath<OrgPath>,
    ApiQuery(q): ApiQuery<SellerSalesQuery>,
) -> ApiResult<Response> {
    let org: OrgId = path.org.parse().map_err(|_| StatsError::NotFound)?;
    let params = StatsQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        by: q.by.clone(),
        format: q.format.clone(),
        ..StatsQuery::default()
    };
    let format = params.format()?;
    let (grain, period) = params.series(Grain::Day)?;
    let view = match q.view.as_deref().map(str::trim) {
        None | Some("" | "series") => "series",
        Some("products") => "products",
        Some("provinces") => "provinces",
        Some(_) => return Err(StatsError::from(Field::UnknownView.at("view")).into()),
    };
    let report: SellerSales = stats.seller_sales(&actor, org, period, grain).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let rows: Vec<SalesRow> = match view {
                "products" => report.products,
                "provinces" => report.provinces,
                _ => report.series,
            };
            let cells = rows.into_iter().map(|r| {
                vec![
                    Cell::Text(r.label),
                    Cell::Int(r.orders),
                    Cell::Int(r.lines),
                    money(Some(r.goods_fen)),
                    money(Some(r.shipping_fen)),
                    Cell::Int(r.buyers),
                ]
            });
            download(f, &format!("seller-sales-{view}"), period, &HEADERS, cells)
        }
    })
}
