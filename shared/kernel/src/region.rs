//! Administrative regions: province → city → county → township (乡镇) → village (村).

use crate::FieldError;
use crate::text::{clean_optional_text, clean_text};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A place in China's administrative hierarchy, down to the village when known. Names, not
/// codes: they are what people read on a label and what officials group by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Region {
    /// 省 / 自治区 / 直辖市, e.g. 江西省
    pub province: String,
    /// 市 / 州, e.g. 赣州市
    pub city: String,
    /// 县 / 区 / 县级市, e.g. 青石县
    pub county: String,
    /// 乡 / 镇 / 街道
    pub township: Option<String>,
    /// 村 / 社区
    pub village: Option<String>,
}

/// What a request sends; [`Region::parse`] turns it into a [`Region`].
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionInput {
    pub province: String,
    pub city: String,
    pub county: String,
    #[serde(default)]
    pub township: Option<String>,
    #[serde(default)]
    pub village: Option<String>,
}

impl Region {
    /// Checks every level; a village needs its township. Errors are reported under
    /// `region.<level>`.
    pub fn parse(input: &RegionInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut level = |name: &str, v: Result<String, FieldError>| match v {
            Ok(v) => v,
            Err(e) => {
                errors.push(e.at(format!("region.{name}")));
                String::new()
            }
        };
        let province = level("province", clean_text(&input.province, 2, 20, false));
        let city = level("city", clean_text(&input.city, 2, 20, false));
        let county = level("county", clean_text(&input.county, 2, 20, false));
        let township = match clean_optional_text(input.township.as_deref(), 20, false) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e.at("region.township"));
                None
            }
        };
        let village = match clean_optional_text(input.village.as_deref(), 20, false) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e.at("region.village"));
                None
            }
        };
        if village.is_some() && township.is_none() {
            errors.push(FieldError::new(
                "region.township",
                "required",
                "填写村时请同时填写所属乡镇",
                "a village needs its township",
            ));
        }
        if errors.is_empty() {
            Ok(Self {
                province,
                city,
                county,
                township,
                village,
            })
        } else {
            Err(errors)
        }
    }

    /// True when `other` lies inside this region (same names down to every level this one
    /// names).
    pub fn contains(&self, other: &Region) -> bool {
        self.province == other.province
            && self.city == other.city
            && self.county == other.county
            && (self.township.is_none() || self.township == other.township)
            && (self.village.is_none() || self.village == other.village)
    }
}

impl fmt::Display for Region {
    /// `江西省赣州市青石县梅岭镇茶坑村`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.province, self.city, self.county)?;
        if let Some(t) = &self.township {
            f.write_str(t)?;
        }
        if let Some(v) = &self.village {
            f.write_str(v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(township: Option<&str>, village: Option<&str>) -> RegionInput {
        RegionInput {
            province: "江西省".into(),
            city: "赣州市".into(),
            county: "青石县".into(),
            township: township.map(Into::into),
            village: village.map(Into::into),
        }
    }

    #[test]
    fn a_full_region_reads_as_one_chinese_address() {
        let r = Region::parse(&input(Some("梅岭镇"), Some("茶坑村")));
        assert_eq!(
            r.map(|r| r.to_string()),
            Ok("江西省赣州市青石县梅岭镇茶坑村".into())
        );
    }

    #[test]
    fn a_village_without_its_township_is_refused() {
        let errs = Region::parse(&input(None, Some("茶坑村")))
            .err()
            .unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "region.township");
    }

    #[test]
    fn missing_levels_are_reported_by_name() {
        let errs = Region::parse(&RegionInput::default())
            .err()
            .unwrap_or_default();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["region.province", "region.city", "region.county"]);
    }

    #[test]
    fn a_township_contains_its_villages_but_not_its_neighbours() {
        let town = Region::parse(&input(Some("梅岭镇"), None)).ok();
        let village = Region::parse(&input(Some("梅岭镇"), Some("茶坑村"))).ok();
        let other = Region::parse(&input(Some("桃源乡"), None)).ok();
        let (Some(town), Some(village), Some(other)) = (town, village, other) else {
            panic!("test regions must parse");
        };
        assert!(town.contains(&village));
        assert!(!village.contains(&town));
        assert!(!town.contains(&other));
    }
}
