//! Statistics over HTTP, for county officials. Every view answers JSON, or with
//! `format=csv|xlsx` the same rows as a download, encoded row by row into the response body.

use crate::Stats;
use crate::error::StatsError;
use crate::export::{Cell, Format, TableWriter};
use crate::facts::{Dim, Grain, UNITS};
use crate::query::{
    self, By, Figures, MAX_DAYS, MAX_DAYS_BY_DAY, OnboardingReport, PriceReport, SalesReport,
    TraceReport,
};
use crate::sql::{Sql, get};
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRef, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use farmgate_aftersales::metrics::{GroupBy, QualityReport};
use farmgate_identity::{AuthUser, Identity, OrgKind};
use farmgate_infra::http::{ApiQuery, ApiResult};
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Query parameters shared by the statistics views (all optional strings: they are checked
/// here so that every mistake is a field error with a stable code).
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct StatsQuery {
    /// First day, `YYYY-MM-DD` (Asia/Shanghai).
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
    /// day | week | month, or (sales) township | village | category | category_root |
    /// seller_kind | seller | product | dest_province | dest_city | buyer_kind.
    pub by: Option<String>,
    /// Rows of a ranked breakdown (seller, product): 1–100, default 20.
    pub limit: Option<String>,
    /// json (default) | csv | xlsx.
    pub format: Option<String>,
    /// After-sales: seller_kind | category | carrier.
    pub group_by: Option<String>,
    pub township: Option<String>,
    pub village: Option<String>,
    pub category: Option<String>,
    pub category_root: Option<String>,
    pub seller_kind: Option<String>,
    pub seller: Option<String>,
    pub product: Option<String>,
    pub dest_province: Option<String>,
    pub dest_city: Option<String>,
    pub buyer_kind: Option<String>,
}

fn bad(field: &str, code: &'static str, zh: &str, en: &str) -> StatsError {
    FieldError::new(field, code, zh, en).into()
}

impl StatsQuery {
    /// `None` for JSON.
    fn format(&self) -> Result<Option<Format>, StatsError> {
        match self.format.as_deref() {
            None | Some("" | "json") => Ok(None),
            Some(s) => Format::parse(s).map(Some).ok_or_else(|| {
                bad(
                    "format",
                    "unknown",
                    "导出格式只能是 csv 或 xlsx",
                    "format is csv or xlsx",
                )
            }),
        }
    }

    fn period(&self, max: i64) -> Result<(NaiveDate, NaiveDate), StatsError> {
        Ok(query::period(
            self.from.as_deref(),
            self.to.as_deref(),
            max,
        )?)
    }

    fn grain(&self, default: Grain) -> Result<Grain, StatsError> {
        match self.by.as_deref() {
            None | Some("") => Ok(default),
            Some(s) => Grain::parse(s).ok_or_else(|| {
                bad(
                    "by",
                    "unknown",
                    "只能按日、周或月查看",
                    "by is day, week or month",
                )
            }),
        }
    }

    /// The time grain (default `default`) and the period, at most 366 days by day.
    fn series(&self, default: Grain) -> Result<(Grain, (NaiveDate, NaiveDate)), StatsError> {
        let grain = self.grain(default)?;
        let max = if grain == Grain::Day {
            MAX_DAYS_BY_DAY
        } else {
            MAX_DAYS
        };
        Ok((grain, self.period(max)?))
    }

    /// At most one filter.
    fn filter(&self) -> Result<Option<(Dim, String)>, StatsError> {
        let given: Vec<(Dim, String)> = [
            (Dim::Township, &self.township),
            (Dim::Village, &self.village),
            (Dim::Category, &self.category),
            (Dim::CategoryRoot, &self.category_root),
            (Dim::SellerKind, &self.seller_kind),
            (Dim::Seller, &self.seller),
            (Dim::Product, &self.product),
            (Dim::DestProvince, &self.dest_province),
            (Dim::DestCity, &self.dest_city),
            (Dim::BuyerKind, &self.buyer_kind),
        ]
        .into_iter()
        .filter_map(|(d, v)| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| (d, s.to_owned()))
        })
        .collect();
        if given.len() > 1 {
            return Err(bad(
                "filter",
                "one_only",
                "一次只能选择一个筛选条件",
                "choose one filter at a time",
            ));
        }
        if let Some((d, v)) = given.first()
            && v.chars().count() > 200
        {
            return Err(bad(
                d.as_str(),
                "too_long",
                "筛选值过长",
                "filter value too long",
            ));
        }
        Ok(given.into_iter().next())
    }
}

/// Streams `rows` encoded as `format`: one chunk per row at most, so a long export never sits
/// in memory as a file.
fn download(
    format: Format,
    name: &str,
    (from, to): (NaiveDate, NaiveDate),
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
) -> Response {
    let mut w = TableWriter::new(format, name, &headers);
    let first = w.start();
    let mut rows = rows.into_iter();
    let mut w = Some(w);
    let stream =
        futures_util::stream::iter(std::iter::once(first).chain(std::iter::from_fn(move || {
            match rows.next() {
                Some(r) => w.as_mut().map(|w| w.row(&r)),
                None => w.take().map(TableWriter::finish),
            }
        })))
        .filter(|chunk| std::future::ready(!chunk.is_empty()))
        .map(|chunk| Ok::<_, std::convert::Infallible>(bytes::Bytes::from(chunk)));
    let filename = format!("farmgate-{name}-{from}-{to}.{}", format.extension());
    let mut resp = Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

use futures_util::StreamExt;

fn opt(v: Option<i64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Int)
}

fn money(v: Option<i64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Money)
}

fn pct(v: Option<i64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Percent)
}

const SALES_HEADERS: [&str; 19] = [
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

fn sales_cells(label: &str, f: &Figures) -> Vec<Cell> {
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

fn sales_table(r: &SalesReport) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = r
        .rows
        .iter()
        .map(|row| sales_cells(&row.label, &row.figures))
        .collect();
    if let Some(o) = &r.other
        && r.other_groups > 0
    {
        rows.push(sales_cells(
            &format!("其他（{} 组，含买家少于5位的分组）", r.other_groups),
            o,
        ));
    }
    rows.push(sales_cells("合计 Total", &r.total));
    rows
}

/// Sales: GMV (gross and net of refunds), orders, buyers, quantity by unit and weight, shipped
/// and traced value — by day/week/month or by township, village, category, seller kind,
/// seller, product, destination or buyer kind. Officials only.
#[utoipa::path(get, path = "/api/v1/stats/sales", tag = "stats", params(StatsQuery),
    responses((status = 200, body = SalesReport), (status = 401), (status = 403), (status = 422)))]
pub async fn sales(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    query::require_official(&actor)?;
    let format = q.format()?;
    let by = match q.by.as_deref() {
        None | Some("") => By::Time(Grain::Month),
        Some(s) => By::parse(s)
            .ok_or_else(|| bad("by", "unknown", "不支持这种分组", "unknown breakdown"))?,
    };
    let max = if by == By::Time(Grain::Day) {
        MAX_DAYS_BY_DAY
    } else {
        MAX_DAYS
    };
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
        errs.push(FieldError::new(
            "by",
            "unsupported",
            "选择筛选条件时只能按日、周或月查看",
            "with a filter, view by day, week or month",
        ));
    }
    let limit = match q.limit.as_deref() {
        None | Some("") => 20,
        Some(s) => match s.parse::<u32>() {
            Ok(n @ 1..=100) => n,
            _ => {
                errs.push(FieldError::new(
                    "limit",
                    "out_of_range",
                    "条数应在 1 到 100 之间",
                    "limit is 1 to 100",
                ));
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
        Some(f) => download(
            f,
            &format!("sales-{}", report.by),
            period,
            SALES_HEADERS.to_vec(),
            sales_table(&report),
        ),
    })
}

/// Price trends: quantity-weighted average and median price with the min–max band, per kg
/// where the weight is known, else per sold unit; every category over the period, or one
/// category (`category`) by day/week/month.
#[utoipa::path(get, path = "/api/v1/stats/prices", tag = "stats", params(StatsQuery),
    responses((status = 200, body = PriceReport), (status = 403), (status = 422)))]
pub async fn prices(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    query::require_official(&actor)?;
    let format = q.format()?;
    let (grain, period) = q.series(Grain::Week)?;
    let category = q.category.clone().filter(|s| !s.trim().is_empty());
    let report = stats.prices(&actor, period, grain, category).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let rows = report
                .rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.label.clone()),
                        Cell::Text(basis_label(&r.basis).to_owned()),
                        money(r.avg_fen),
                        money(r.median_fen),
                        money(r.min_fen),
                        money(r.max_fen),
                        Cell::Int(r.lines),
                    ]
                })
                .collect();
            download(
                f,
                "prices",
                period,
                vec![
                    "分组 Group",
                    "计价单位 Per",
                    "均价(元) Average",
                    "中位价(元) Median",
                    "最低(元) Min",
                    "最高(元) Max",
                    "成交笔数 Lines",
                ],
                rows,
            )
        }
    })
}

fn basis_label(b: &str) -> &'static str {
    match b {
        "kg" => "元/公斤",
        "jin" => "元/斤",
        "box" => "元/箱",
        "bag" => "元/袋",
        "piece" => "元/个",
        _ => "",
    }
}

/// Traceability: share of shipped value packed from a traced batch, scans per day, batches
/// started and inspected.
#[utoipa::path(get, path = "/api/v1/stats/trace", tag = "stats", params(StatsQuery),
    responses((status = 200, body = TraceReport), (status = 403), (status = 422)))]
pub async fn trace(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    query::require_official(&actor)?;
    let format = q.format()?;
    let (grain, period) = q.series(Grain::Day)?;
    let report = stats.trace(&actor, period, grain).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let mut rows: Vec<Vec<Cell>> = report
                .rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.label.clone()),
                        Cell::Money(r.shipped_fen),
                        Cell::Money(r.traced_fen),
                        Cell::Percent(r.traced_share_bp),
                        Cell::Int(r.scans),
                    ]
                })
                .collect();
            let t = &report.total;
            rows.push(vec![
                Cell::Text("合计 Total".to_owned()),
                Cell::Money(t.shipped_fen),
                Cell::Money(t.traced_fen),
                Cell::Percent(t.traced_share_bp),
                Cell::Int(t.scans),
            ]);
            download(
                f,
                "trace",
                period,
                vec![
                    "日期 Period",
                    "已发货(元) Shipped",
                    "溯源发货(元) Traced",
                    "溯源占比 Traced share",
                    "扫码次数 Scans",
                ],
                rows,
            )
        }
    })
}

/// Organisations verified over time, by kind.
#[utoipa::path(get, path = "/api/v1/stats/onboarding", tag = "stats", params(StatsQuery),
    responses((status = 200, body = OnboardingReport), (status = 403), (status = 422)))]
pub async fn onboarding(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    query::require_official(&actor)?;
    let format = q.format()?;
    let (grain, period) = q.series(Grain::Month)?;
    let report = stats.onboarding(&actor, period, grain).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let mut headers = vec!["日期 Period"];
            headers.extend(OrgKind::ALL.iter().map(|k| k.label_zh()));
            let rows = report
                .rows
                .iter()
                .chain(std::iter::once(&report.total))
                .map(|r| {
                    let mut cells = vec![Cell::Text(r.label.clone())];
                    cells.extend(
                        OrgKind::ALL
                            .iter()
                            .map(|k| Cell::Int(r.kinds.get(k.as_str()).copied().unwrap_or(0))),
                    );
                    cells
                })
                .collect();
            download(f, "onboarding", period, headers, rows)
        }
    })
}

/// After-sales quality for the county: claim rate, response and resolution times, escalation,
/// satisfaction — by seller kind, category or carrier (no buyer or seller person named).
#[utoipa::path(get, path = "/api/v1/stats/aftersales", tag = "stats", params(StatsQuery),
    responses((status = 200, body = QualityReport), (status = 403), (status = 422)))]
pub async fn aftersales(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    query::require_official(&actor)?;
    let format = q.format()?;
    let group_by = match q.group_by.as_deref() {
        None | Some("" | "seller_kind") => GroupBy::SellerKind,
        Some("category") => GroupBy::Category,
        Some("carrier") => GroupBy::Carrier,
        Some(_) => {
            return Err(bad(
                "group_by",
                "unknown",
                "只能按经营主体类型、品类或物流公司分组",
                "group_by is seller_kind, category or carrier",
            )
            .into());
        }
    };
    let period = q.period(MAX_DAYS_BY_DAY)?;
    let report = stats.aftersales_quality(&actor, period, group_by).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let secs = |v: Option<i64>| v.map_or(Cell::Empty, |s| Cell::Int(s / 60));
            let rows = report
                .rows
                .iter()
                .chain(std::iter::once(&report.total))
                .map(|r| {
                    vec![
                        Cell::Text(r.label.clone()),
                        Cell::Int(i64::try_from(r.delivered).unwrap_or(0)),
                        Cell::Int(i64::try_from(r.claims).unwrap_or(0)),
                        Cell::Percent(i64::try_from(r.claim_rate_bp).unwrap_or(0)),
                        secs(r.first_response_p50_secs),
                        secs(r.first_response_p90_secs),
                        secs(r.resolution_p50_secs),
                        secs(r.resolution_p90_secs),
                        Cell::Percent(i64::try_from(r.resolution_rate_bp).unwrap_or(0)),
                        Cell::Percent(i64::try_from(r.escalation_share_bp).unwrap_or(0)),
                        Cell::Money(r.refunded),
                        r.satisfaction_x10.map_or(Cell::Empty, |s| {
                            Cell::Money(i64::try_from(s * 10).unwrap_or(0))
                        }),
                    ]
                })
                .collect();
            download(
                f,
                "aftersales",
                period,
                vec![
                    "分组 Group",
                    "签收包裹 Delivered",
                    "售后申请 Claims",
                    "售后率 Claim rate",
                    "首次响应中位(分钟) First response p50 min",
                    "首次响应P90(分钟) p90 min",
                    "处理完结中位(分钟) Resolution p50 min",
                    "处理完结P90(分钟) p90 min",
                    "解决率 Resolved",
                    "平台介入率 Escalated",
                    "退款(元) Refunded",
                    "满意度 Satisfaction",
                ],
                rows,
            )
        }
    })
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Choice {
    pub key: String,
    pub label: String,
    pub label_en: String,
    /// For a category: its top-level category's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
}

/// What the filter pickers offer (groups that have sold, plus every seller kind and buyer
/// kind).
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Dimensions {
    pub townships: Vec<Choice>,
    pub villages: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub category_roots: Vec<Choice>,
    pub seller_kinds: Vec<Choice>,
    pub buyer_kinds: Vec<Choice>,
    pub dest_provinces: Vec<Choice>,
    pub dest_cities: Vec<Choice>,
}

/// The filter pickers' choices.
#[utoipa::path(get, path = "/api/v1/stats/dimensions", tag = "stats",
    responses((status = 200, body = Dimensions), (status = 403)))]
pub async fn dimensions(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Dimensions>> {
    query::require_official(&actor)?;
    let db = stats.read();
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT dim, code, label, label_en FROM stats_keys WHERE dim IN \
         ('township', 'village', 'category', 'category_root', 'dest_province', 'dest_city') \
         ORDER BY dim, label",
    );
    let mut out = Dimensions {
        seller_kinds: OrgKind::ALL
            .iter()
            .filter(|k| k.is_seller())
            .map(|k| Choice {
                key: k.as_str().to_owned(),
                label: k.label_zh().to_owned(),
                label_en: k.label_en().to_owned(),
                root: None,
            })
            .collect(),
        buyer_kinds: vec![
            Choice {
                key: "consumer".to_owned(),
                label: "个人消费者".to_owned(),
                label_en: "Consumers".to_owned(),
                root: None,
            },
            Choice {
                key: "business".to_owned(),
                label: "企业采购".to_owned(),
                label_en: "Business buyers".to_owned(),
                root: None,
            },
        ],
        ..Dimensions::default()
    };
    // Each category's top-level category, for grouping the picker.
    let parents: std::collections::HashMap<String, Option<String>> =
        farmgate_catalog::store::category::Entity::find()
            .all(db)
            .await
            .map_err(StatsError::from)?
            .into_iter()
            .map(|c| (c.id.to_string(), c.parent_id.map(|p| p.to_string())))
            .collect();
    let root_of = |key: &str| {
        let mut at = key.to_owned();
        for _ in 0..16 {
            match parents.get(&at).cloned().flatten() {
                Some(p) => at = p,
                None => break,
            }
        }
        at
    };
    for r in q.all(db).await.map_err(StatsError::from)? {
        let dim: String = get(&r, "dim").map_err(StatsError::from)?;
        let key: String = get(&r, "code").map_err(StatsError::from)?;
        let c = Choice {
            root: (dim == "category").then(|| root_of(&key)),
            key,
            label: get(&r, "label").map_err(StatsError::from)?,
            label_en: get(&r, "label_en").map_err(StatsError::from)?,
        };
        match dim.as_str() {
            "township" => out.townships.push(c),
            "village" => out.villages.push(c),
            "category" => out.categories.push(c),
            "category_root" => out.category_roots.push(c),
            "dest_province" => out.dest_provinces.push(c),
            _ => out.dest_cities.push(c),
        }
    }
    Ok(Json(out))
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Stats: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(sales))
        .routes(routes!(prices))
        .routes(routes!(trace))
        .routes(routes!(onboarding))
        .routes(routes!(aftersales))
        .routes(routes!(dimensions))
}
