//! The query parameters every statistics view takes, checked here so that every mistake is a
//! field error with a stable code (see [`Field`]).

use crate::domain::{Dim, Grain, period};
use crate::error::{Field, StatsError};
use crate::export::Format;
use chrono::NaiveDate;
use farmgate_aftersales::metrics::GroupBy;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters shared by the statistics views (all optional strings: they are checked
/// here so that every mistake is a field error with a stable code).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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

impl StatsQuery {
    /// The download format; `None` for JSON.
    pub fn format(&self) -> Result<Option<Format>, StatsError> {
        match self.format.as_deref() {
            None | Some("" | "json") => Ok(None),
            Some(s) => Format::parse(s)
                .map(Some)
                .ok_or_else(|| Field::UnknownFormat.at("format").into()),
        }
    }

    /// The period, at most `max_days` long.
    pub fn period(&self, max_days: i64) -> Result<(NaiveDate, NaiveDate), StatsError> {
        Ok(period(self.from.as_deref(), self.to.as_deref(), max_days)?)
    }

    fn grain(&self, default: Grain) -> Result<Grain, StatsError> {
        match self.by.as_deref() {
            None | Some("") => Ok(default),
            Some(s) => Grain::parse(s).ok_or_else(|| Field::UnknownGrain.at("by").into()),
        }
    }

    /// The time grain (default `default`) and the period, at most 366 days by day.
    pub fn series(&self, default: Grain) -> Result<(Grain, (NaiveDate, NaiveDate)), StatsError> {
        let grain = self.grain(default)?;
        Ok((grain, self.period(grain.max_days())?))
    }

    /// The after-sales grouping (default seller kind).
    pub fn group_by(&self) -> Result<GroupBy, StatsError> {
        match self.group_by.as_deref() {
            None | Some("" | "seller_kind") => Ok(GroupBy::SellerKind),
            Some("category") => Ok(GroupBy::Category),
            Some("carrier") => Ok(GroupBy::Carrier),
            Some(_) => Err(Field::UnknownGroupBy.at("group_by").into()),
        }
    }

    /// At most one filter.
    pub fn filter(&self) -> Result<Option<(Dim, String)>, StatsError> {
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
            return Err(Field::OneFilterOnly.at("filter").into());
        }
        if let Some((d, v)) = given.first()
            && v.chars().count() > 200
        {
            return Err(Field::FilterTooLong.at(d.as_str()).into());
        }
        Ok(given.into_iter().next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::ParameterIn;

    #[test]
    fn every_parameter_is_documented_as_a_query_parameter() {
        let params = StatsQuery::into_params(|| None);
        assert_eq!(params.len(), 16);
        for p in params {
            assert!(
                matches!(p.parameter_in, ParameterIn::Query),
                "{} is not a query parameter",
                p.name
            );
        }
    }
}
