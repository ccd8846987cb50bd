//! `GET /api/v1/stats/sales`.

use super::download::{download, money, opt, pct};
use super::params::StatsQuery;
use crate::Stats;
use crate::domain::{Figures, Grain, UNITS};
use crate::error::{Field, StatsError};
use crate::export::Cell;
use crate::query::{By, SalesReport, require_official};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};
use farmgate_kernel::ValidationErrors;

const HEADERS: [&str; 19] = [
    "分组 Group",
    "订单数 Orders",
    "买家数 Buyers",
    "成交额(元) GMV",
    "商品金额(元) Goods",
    "运费(元) Shipping",
    "退款(元) Refunds",
    "退款笔数 Refund count",
    "净额(元) Net",
    "重量(公斤) Weight kg",
    "斤 jin",
    "公斤 kg",
    "箱 box",
    "袋 bag",
    "个 piece",
    "已发货(元) Shipped",
    "溯源发货(元) Traced",
    "溯源占比 Traced share",
    "说明 Note",
];

fn cells(label: &str, f: &Figures) -> Vec<Cell> {
    let q = |u: &str| opt(f.quantities.as_ref().and_then(|q| q.get(u).copied()));
    let mut cells = vec![
        Cell::Text(label.to_owned()),
        opt(f.orders),
        opt(f.buyers),
        money(f.gmv_fen),
        money(f.goods_fen),
        money(f.shipping_fen),
        money(f.refund_fen),
        opt(f.refunds),
        money(f.net_fen),
        // Kilograms with three decimals are grams / 1000: written as a money-like 2-decimal
        // value would lose precision, so whole grams go out as kg rounded to 0.01.
        f.weight_grams
            .map_or(Cell::Empty, |g| Cell::Money((g + 5) / 10)),
    ];
    cells.extend(UNITS.iter().map(|u| q(u)));
    cells.extend([
        money(f.shipped_fen),
        money(f.traced_fen),
        pct(f.traced_share_bp),
        Cell::Text(if f.suppressed {
            "买家少于5位，不单独显示".to_owned()
        } else {
            String::new()
        }),
    ]);
    cells
}

/// The rows, then `other` (when it holds groups), then the total — made one at a time.
fn table(r: SalesReport) -> impl Iterator<Item = Vec<Cell>> + Send + 'static {
    let other = r.other.filter(|_| r.other_groups > 0).map(|o| {
        (
            format!("其他（{} 组，含买家少于5位的分组）", r.other_groups),
            o,
        )
    });
    let total = r.total;
    r.rows
        .into_iter()
        .map(|row| cells(&row.label, &row.figures))
        .chain(other.map(|(label, o)| cells(&label, &o)))
        .chain(std::iter::once_with(move || cells("合计 Total", &total)))
}

/// Sales: GMV (gross and net of refunds), orders, buyers, quantity by unit and weight, shipped
/// and traced value — by day/week/month or by township, village, category, seller kind,
/// seller, product, destination or buyer kind. Officials only.
#[utoipa::path(get, path = "/api/v1/stats/sales", tag = "stats", params(StatsQuery),
    responses(
        (status = 200, description = "The report; with format=csv or xlsx the same rows as a download", body = SalesReport),
        (status = 400, description = "Unreadable query string: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a county official: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (field codes: required, invalid, before_from, too_long, unknown, one_only, unsupported, out_of_range)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn sales(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    require_official(&actor)?;
    let format = q.format()?;
    let by = match q.by.as_deref() {
        None | Some("") => By::Time(Grain::Month),
        Some(s) => {
            By::parse(s).ok_or_else(|| StatsError::from(Field::UnknownBreakdown.at("by")))?
        }
    };
    let max = match by {
        By::Time(g) => g.max_days(),
        By::Dim(_) => Grain::Month.max_days(),
    };
    // Every field error at once: the period's, the filter's and the limit's.
    let mut errs = ValidationErrors::new();
    let period = match q.period(max) {
        Ok(p) => Some(p),
        Err(StatsError::Invalid(e)) => {
            for f in e.errors() {
                errs.push(f.clone());
            }
            None
        }
        Err(e) => return Err(e.into()),
    };
    let filter = q.filter()?;
    if filter.is_some() && matches!(by, By::Dim(_)) {
        errs.push(Field::FilterNeedsTime.at("by"));
    }
    let limit = match q.limit.as_deref() {
        None | Some("") => 20,
        Some(s) => match s.parse::<u32>() {
            Ok(n @ 1..=100) => n,
            _ => {
                errs.push(Field::LimitOutOfRange.at("limit"));
                20
            }
        },
    };
    let Some(period) = period.filter(|_| errs.is_empty()) else {
        return Err(StatsError::Invalid(errs).into());
    };
    let report = stats.sales(&actor, period, by, filter, limit).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let name = format!("sales-{}", report.by);
            download(f, &name, period, &HEADERS, table(report))
        }
    })
}
