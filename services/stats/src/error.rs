//! Statistics errors and how they look over HTTP.
//!
//! The views answer few errors of their own: a question that does not make sense is a
//! `validation_failed` with field errors ([`Field`] lists their codes and texts), anyone but a
//! county official gets `forbidden`, and the after-sales view passes on what the after-sales
//! figures answer.

use farmgate_aftersales::AftersalesError;
use farmgate_infra::http::{ApiError, HttpCode};
use farmgate_kernel::{FieldError, Msg, ValidationErrors};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum StatsError {
    /// `validation_failed`: the fields say what is wrong (see [`Field`]).
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `forbidden`: only county officials read the statistics.
    #[error("not allowed")]
    Forbidden,
    /// `not_found`: the price board has no such category.
    #[error("no such category")]
    NotFound,
    #[error(transparent)]
    Aftersales(#[from] AftersalesError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

impl StatsError {
    /// The stable code of the errors this crate answers itself; `None` for a wrapped lower
    /// crate's error, which answers with its own crate's code.
    pub fn code(&self) -> Option<&'static str> {
        self.plumbing().map(HttpCode::code)
    }

    /// The message of the errors this crate answers itself (see [`code`](Self::code)).
    pub fn message(&self) -> Option<Msg> {
        self.plumbing().map(HttpCode::message)
    }

    fn plumbing(&self) -> Option<HttpCode> {
        match self {
            StatsError::Invalid(_) => Some(HttpCode::ValidationFailed),
            StatsError::Forbidden => Some(HttpCode::Forbidden),
            StatsError::NotFound => Some(HttpCode::NotFound),
            StatsError::Db(_) => Some(HttpCode::Internal),
            StatsError::Aftersales(_) => None,
        }
    }

    /// One value of every variant, for the catalogue test and the OpenAPI check.
    pub fn examples() -> Vec<Self> {
        vec![
            StatsError::Invalid(Field::BeforeFrom.at("to").into()),
            StatsError::Forbidden,
            StatsError::NotFound,
            StatsError::Aftersales(AftersalesError::Forbidden),
            StatsError::Db(DbErr::Custom("example".to_owned())),
        ]
    }
}

impl From<FieldError> for StatsError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<StatsError> for ApiError {
    fn from(e: StatsError) -> Self {
        match e {
            StatsError::Invalid(errs) => ApiError::validation(errs),
            StatsError::Forbidden => HttpCode::Forbidden.into(),
            StatsError::NotFound => HttpCode::NotFound.into(),
            StatsError::Aftersales(e) => e.into(),
            e @ StatsError::Db(_) => ApiError::internal(e),
        }
    }
}

pub type Result<T, E = StatsError> = std::result::Result<T, E>;

/// What can be wrong with one query parameter: the field error codes of the statistics views
/// (inside a `validation_failed` answer) and their texts. Clients match the codes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum Field {
    /// `required`: a date is missing.
    DateRequired,
    /// `invalid`: a date is not `YYYY-MM-DD`.
    DateInvalid,
    /// `before_from`: the period ends before it starts.
    BeforeFrom,
    /// `too_long`: the period is longer than the view shows.
    PeriodTooLong { max_days: i64 },
    /// `too_long`: a filter value is absurdly long.
    FilterTooLong,
    /// `unknown`: not csv or xlsx.
    UnknownFormat,
    /// `unknown`: a time grain that is not day, week or month.
    UnknownGrain,
    /// `unknown`: a sales breakdown that does not exist.
    UnknownBreakdown,
    /// `unknown`: an after-sales grouping that does not exist.
    UnknownGroupBy,
    /// `unknown`: a filter value that names no group.
    UnknownFilter,
    /// `one_only`: two filters at once.
    OneFilterOnly,
    /// `unsupported`: a filter with a breakdown that is not by time.
    FilterNeedsTime,
    /// `out_of_range`: a limit outside 1–100.
    LimitOutOfRange,
    /// `unknown`: a price board trend that is not 30, 90 or 365 days.
    UnknownTrendDays,
    /// `invalid`: a price that is not a whole number of fen from 1 to 100 000 000.
    PriceInvalid,
    /// `unknown`: a price basis that is not kg, jin, box, bag or piece.
    UnknownPer,
    /// `unknown`: a credit list sort key or order that does not exist.
    UnknownSort,
    /// `unknown`: a seller analytics download that is not series, products or provinces.
    UnknownView,
    /// `unknown`: a platform analytics download that is not series, sellers, products or claims.
    UnknownPlatformView,
}

impl Field {
    pub fn code(&self) -> &'static str {
        match self {
            Field::DateRequired => "required",
            Field::DateInvalid => "invalid",
            Field::BeforeFrom => "before_from",
            Field::PeriodTooLong { .. } | Field::FilterTooLong => "too_long",
            Field::UnknownFormat
            | Field::UnknownGrain
            | Field::UnknownBreakdown
            | Field::UnknownGroupBy
            | Field::UnknownFilter
            | Field::UnknownTrendDays
            | Field::UnknownPer
            | Field::UnknownSort
            | Field::UnknownView
            | Field::UnknownPlatformView => "unknown",
            Field::PriceInvalid => "invalid",
            Field::OneFilterOnly => "one_only",
            Field::FilterNeedsTime => "unsupported",
            Field::LimitOutOfRange => "out_of_range",
        }
    }

    pub fn message(&self) -> Msg {
        match self {
            Field::DateRequired => Msg::new("请选择日期", "choose a date"),
            Field::DateInvalid => Msg::new("日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD"),
            Field::BeforeFrom => {
                Msg::new("结束日期不能早于开始日期", "the end is before the start")
            }
            Field::PeriodTooLong { max_days } => Msg::new(
                format!("统计期间最长 {max_days} 天，请缩短期间或改按周、月查看"),
                format!(
                    "the period is at most {max_days} days; shorten it or view by week or month"
                ),
            ),
            Field::FilterTooLong => Msg::new("筛选值过长", "filter value too long"),
            Field::UnknownFormat => Msg::new("导出格式只能是 csv 或 xlsx", "format is csv or xlsx"),
            Field::UnknownGrain => Msg::new("只能按日、周或月查看", "by is day, week or month"),
            Field::UnknownBreakdown => Msg::new("不支持这种分组", "unknown breakdown"),
            Field::UnknownGroupBy => Msg::new(
                "只能按经营主体类型、品类或物流公司分组",
                "group_by is seller_kind, category or carrier",
            ),
            Field::UnknownFilter => Msg::new(
                "没有这个筛选项（请从列表中选择）",
                "no such group (pick one from the list)",
            ),
            Field::OneFilterOnly => {
                Msg::new("一次只能选择一个筛选条件", "choose one filter at a time")
            }
            Field::FilterNeedsTime => Msg::new(
                "选择筛选条件时只能按日、周或月查看",
                "with a filter, view by day, week or month",
            ),
            Field::LimitOutOfRange => Msg::new("条数应在 1 到 100 之间", "limit is 1 to 100"),
            Field::UnknownTrendDays => {
                Msg::new("走势只能看近30、90或365天", "days is 30, 90 or 365")
            }
            Field::PriceInvalid => Msg::new(
                "价格应为 1 到 100000000 之间的整数（分）",
                "price_fen is a whole number of fen from 1 to 100000000",
            ),
            Field::UnknownView => Msg::new(
                "下载内容只能是 series、products 或 provinces",
                "view is series, products or provinces",
            ),
            Field::UnknownPlatformView => Msg::new(
                "下载内容只能是 series、sellers、products 或 claims",
                "view is series, sellers, products or claims",
            ),
            Field::UnknownSort => Msg::new(
                "不支持这种排序",
                "sort is score, rating, positive, claim_rate, on_time, response, months, orders, recalls or name; order is asc or desc",
            ),
            Field::UnknownPer => Msg::new(
                "计价单位只能是 kg、jin、box、bag 或 piece",
                "per is kg, jin, box, bag or piece",
            ),
        }
    }

    /// The problem reported on the parameter `field`.
    pub fn at(&self, field: &str) -> FieldError {
        let m = self.message();
        FieldError::new(field, self.code(), m.zh, m.en)
    }

    /// One value of every variant, for the test below.
    pub fn examples() -> Vec<Self> {
        vec![
            Field::DateRequired,
            Field::DateInvalid,
            Field::BeforeFrom,
            Field::PeriodTooLong { max_days: 366 },
            Field::FilterTooLong,
            Field::UnknownFormat,
            Field::UnknownGrain,
            Field::UnknownBreakdown,
            Field::UnknownGroupBy,
            Field::UnknownFilter,
            Field::OneFilterOnly,
            Field::FilterNeedsTime,
            Field::LimitOutOfRange,
            Field::UnknownTrendDays,
            Field::PriceInvalid,
            Field::UnknownPer,
            Field::UnknownSort,
            Field::UnknownView,
            Field::UnknownPlatformView,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use strum::IntoEnumIterator;

    farmgate_infra::error_catalogue_tests!(StatsError, StatsErrorDiscriminants);

    #[test]
    fn each_answer_carries_the_code_and_message_of_its_variant() {
        for e in StatsError::examples() {
            if let Some(code) = e.code() {
                let m = e.message();
                let api = ApiError::from(e);
                assert_eq!(api.code, code);
                assert_eq!(Some(*api.message), m);
            }
        }
    }

    #[test]
    fn every_field_problem_has_an_example_a_snake_case_code_and_both_languages() {
        let covered: HashSet<FieldDiscriminants> = Field::examples()
            .iter()
            .map(FieldDiscriminants::from)
            .collect();
        for d in FieldDiscriminants::iter() {
            assert!(covered.contains(&d), "{d:?} has no example");
        }
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for f in Field::examples() {
            let e = f.at("x");
            assert!(
                e.code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{f:?}"
            );
            assert!(cjk(&e.message.zh), "{f:?}: Chinese text");
            assert!(
                !e.message.en.is_empty() && !cjk(&e.message.en),
                "{f:?}: English text"
            );
        }
    }
}
