//! `GET /api/v1/analytics/platform`: the operator's platform analytics, as JSON or
//! (`format=csv|xlsx`, `view=series|sellers|products|claims`) a download. The operator and
//! platform finance. No export carries personal data: buyers are counted, never named;
//! sellers are businesses and products their listings.

use super::download::{download, money, opt, pct};
use super::params::StatsQuery;
use crate::domain::Grain;
use crate::error::Field;
use crate::export::Cell;
use crate::query::{PlatformReport, PlatformRow};
use crate::{Stats, StatsError};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};
use serde::Deserialize;
use utoipa::IntoParams;

const SALES_HEADERS: [&str; 11] = [
    "分组 Group",
    "订单数 Orders",
    "买家数 Buyers",
    "新买家 New buyers",
    "老买家 Returning buyers",
    "件数 Lines",
    "货款(元) Goods",
    "运费(元) Shipping",
    "成交额(元) GMV",
    "退款(元) Refunds",
    "净额(元) Net",
];

const CLAIM_HEADERS: [&str; 9] = [
    "分组 Group",
    "签收包裹 Delivered",
    "售后单 Claims",
    "售后率 Claim rate",
    "首次响应中位(秒) First response p50 (s)",
    "处理时长中位(秒) Resolution p50 (s)",
    "已处理 Resolved",
    "升级率 Escalated",
    "退款(元) Refunded",
];

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlatformQuery {
    /// First day, `YYYY-MM-DD` (Asia/Shanghai).
    pub from: Option<String>,
    /// Last day, inclusive; at most 366 days after `from`.
    pub to: Option<String>,
    /// day | week | month (default day).
    pub by: Option<String>,
    /// Top sellers and products listed, 1–100 (default 10).
    pub limit: Option<String>,
    /// json (default) | csv | xlsx.
    pub format: Option<String>,
    /// What a download holds: series (default) | sellers | products | claims.
    pub view: Option<String>,
}

/// Platform-wide sales paid in the period by day/week/month with new and returning buyers,
/// the top sellers and products, claims (rate, response and resolution times) and the service
/// desk — with no small-group suppression (the operator has a duty to see every seller) and
/// no personal data. The operator and platform finance.
#[utoipa::path(get, path = "/api/v1/analytics/platform", tag = "market",
    params(PlatformQuery),
    responses(
        (status = 200, description = "The platform's figures; with format=csv or xlsx the chosen view's rows as a download", body = PlatformReport),
        (status = 400, description = "Unreadable query string: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator nor platform finance: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (from/to: required, invalid, before_from, too_long; by, format, view: unknown; limit: out_of_range)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn platform_analytics(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PlatformQuery>,
) -> ApiResult<Response> {
    crate::query::require_operator_or_finance(&actor)?;
    let params = StatsQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        by: q.by.clone(),
        format: q.format.clone(),
        ..StatsQuery::default()
    };
    let format = params.format()?;
    let grain = match q.by.as_deref().map(str::trim) {
        None | Some("") => Grain::Day,
        Some(s) => Grain::parse(s).ok_or_else(|| StatsError::from(Field::UnknownGrain.at("by")))?,
    };
    // Claims are read for at most 366 days whatever the grain.
    let period = params.period(Grain::Day.max_days())?;
    let limit = match q.limit.as_deref().map(str::trim) {
        None | Some("") => 10,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| StatsError::from(Field::LimitOutOfRange.at("limit")))?,
    };
    let view = match q.view.as_deref().map(str::trim) {
        None | Some("" | "series") => "series",
        Some(v @ ("sellers" | "products" | "claims")) => v,
        Some(_) => return Err(StatsError::from(Field::UnknownPlatformView.at("view")).into()),
    };
    let report: PlatformReport = stats
        .platform_analytics(&actor, period, grain, limit)
        .await?;
    let Some(f) = format else {
        return Ok(Json(report).into_response());
    };
    if view == "claims" {
        let rows = std::iter::once(report.claims).chain(report.claims_by_seller_kind);
        let cells = rows.map(|r| {
            vec![
                Cell::Text(if r.label.is_empty() {
                    "全平台 Platform".to_owned()
                } else {
                    r.label
                }),
                Cell::Int(i64::try_from(r.delivered).unwrap_or(i64::MAX)),
                Cell::Int(i64::try_from(r.claims).unwrap_or(i64::MAX)),
                pct(i64::try_from(r.claim_rate_bp).ok()),
                opt(r.first_response_p50_secs),
                opt(r.resolution_p50_secs),
                Cell::Int(i64::try_from(r.resolved).unwrap_or(i64::MAX)),
                pct(i64::try_from(r.escalation_share_bp).ok()),
                money(Some(r.refunded)),
            ]
        });
        return Ok(download(
            f,
            "platform-claims",
            period,
            &CLAIM_HEADERS,
            cells,
        ));
    }
    let rows: Vec<PlatformRow> = match view {
        "sellers" => report.top_sellers,
        "products" => report.top_products,
        _ => std::iter::once(report.total).chain(report.series).collect(),
    };
    let cells = rows.into_iter().map(|r| {
        vec![
            Cell::Text(r.label),
            Cell::Int(r.orders),
            Cell::Int(r.buyers),
            opt(r.new_buyers),
            opt(r.returning_buyers),
            Cell::Int(r.lines),
            money(Some(r.goods_fen)),
            money(Some(r.shipping_fen)),
            money(Some(r.gmv_fen)),
            money(Some(r.refund_fen)),
            money(Some(r.net_fen)),
        ]
    });
    Ok(download(
        f,
        &format!("platform-{view}"),
        period,
        &SALES_HEADERS,
        cells,
    ))
}
