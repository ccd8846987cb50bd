//! China's administrative divisions (GB/T 2260) as the address picker walks them: provinces,
//! their cities, the cities' districts and counties — the 省/市/区 cascade of every Chinese
//! shop, and the names paste-to-recognise looks for (`recognise`).
//!
//! The codes come from the `gb2260` crate (its newest revision, 2016-07). Divisions created or
//! renamed since are not in it, so nothing here refuses an address: the picker offers what it
//! knows and the buyer may still type a name it does not (docs/API.md, "Addresses").
//!
//! Shaped for people rather than for the standard's tables:
//! - a municipality (北京, 天津, 上海, 重庆) is its own city: the standard's 市辖区 / 县
//!   placeholders become one city named like the province, holding all its districts;
//! - a county-level city directly under its province (湖北 仙桃市 under 省直辖县级行政区划) is
//!   a city of its own with nothing below it (`has_children: false`): an address names it as
//!   its district too, as buyers write 湖北省仙桃市;
//! - the placeholder 市辖区 under an ordinary city is left out.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;
use utoipa::ToSchema;

/// The revision of GB/T 2260 the tree is built from.
pub const REVISION: &str = "201607";

/// One division of the cascade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Division {
    /// Six digits, GB/T 2260 (`360703`).
    pub code: String,
    /// The name as an address writes it (`南康区`).
    pub name: String,
    /// Whether it has divisions below it in the picker.
    pub has_children: bool,
}

/// The levels of the picker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Province,
    City,
    District,
}

#[derive(Clone, Debug)]
struct Node {
    code: String,
    name: String,
    level: Level,
    parent: Option<String>,
}

/// The whole cascade, built once.
#[derive(Debug, Default)]
pub struct Divisions {
    nodes: HashMap<String, Node>,
    children: HashMap<String, Vec<String>>,
    provinces: Vec<String>,
}

fn name_of(code: &str) -> Option<&'static str> {
    gb2260::Division::get_by_revision(code, REVISION).map(|d| d.name)
}

const PLACEHOLDER_CITIES: [&str; 2] = ["市辖区", "县"];

fn directly_administered(name: &str) -> bool {
    name.ends_with("直辖县级行政区划")
}

impl Divisions {
    /// The tree of the bundled revision (built on first use: about 3,500 divisions).
    pub fn get() -> &'static Divisions {
        static TREE: OnceLock<Divisions> = OnceLock::new();
        TREE.get_or_init(Self::build)
    }

    fn build() -> Self {
        let mut t = Divisions::default();
        for p in 11..=82u32 {
            let pcode = format!("{p:02}0000");
            let Some(pname) = name_of(&pcode) else {
                continue;
            };
            t.add(&pcode, pname, Level::Province, None);
            let mut municipality_city: Option<String> = None;
            for c in 1..=99u32 {
                let ccode = format!("{p:02}{c:02}00");
                let Some(cname) = name_of(&ccode) else {
                    continue;
                };
                let districts: Vec<(String, &'static str)> = (1..=99u32)
                    .filter_map(|d| {
                        let dcode = format!("{p:02}{c:02}{d:02}");
                        name_of(&dcode)
                            .filter(|n| *n != "市辖区")
                            .map(|n| (dcode, n))
                    })
                    .collect();
                if PLACEHOLDER_CITIES.contains(&cname) {
                    // A municipality: one city named like the province.
                    let city = municipality_city
                        .get_or_insert_with(|| {
                            t.add(&ccode, pname, Level::City, Some(&pcode));
                            ccode.clone()
                        })
                        .clone();
                    for (dcode, dname) in districts {
                        t.add(&dcode, dname, Level::District, Some(&city));
                    }
                } else if directly_administered(cname) {
                    // Each county-level city is a city with nothing below it: an address
                    // names it as its district too (湖北省 仙桃市 仙桃市).
                    for (dcode, dname) in districts {
                        t.add(&dcode, dname, Level::City, Some(&pcode));
                    }
                } else {
                    t.add(&ccode, cname, Level::City, Some(&pcode));
                    for (dcode, dname) in districts {
                        t.add(&dcode, dname, Level::District, Some(&ccode));
                    }
                }
            }
        }
        t
    }

    fn add(&mut self, code: &str, name: &str, level: Level, parent: Option<&str>) {
        self.nodes.insert(
            code.to_owned(),
            Node {
                code: code.to_owned(),
                name: name.to_owned(),
                level,
                parent: parent.map(str::to_owned),
            },
        );
        match parent {
            Some(p) => self
                .children
                .entry(p.to_owned())
                .or_default()
                .push(code.to_owned()),
            None => self.provinces.push(code.to_owned()),
        }
    }

    fn division(&self, code: &str) -> Option<Division> {
        self.nodes.get(code).map(|n| Division {
            code: n.code.clone(),
            name: n.name.clone(),
            has_children: self.children.get(code).is_some_and(|c| !c.is_empty()),
        })
    }

    /// Every province, in code order.
    pub fn provinces(&self) -> Vec<Division> {
        self.provinces
            .iter()
            .filter_map(|c| self.division(c))
            .collect()
    }

    /// The divisions directly below `code` (`None`: no such division).
    pub fn children(&self, code: &str) -> Option<Vec<Division>> {
        self.nodes.get(code)?;
        Some(
            self.children
                .get(code)
                .map(|cs| cs.iter().filter_map(|c| self.division(c)).collect())
                .unwrap_or_default(),
        )
    }

    /// The division with this code, if any.
    pub fn find(&self, code: &str) -> Option<Division> {
        self.division(code)
    }

    /// The code of the district these names are (or of the city, when the city has nothing
    /// below it and the district repeats its name), if they are the standard's names.
    pub fn code_for(&self, province: &str, city: &str, district: &str) -> Option<String> {
        let below = |parent: &str, name: &str| {
            self.child_codes(parent)
                .iter()
                .find(|c| self.name(c) == Some(name))
                .cloned()
        };
        let p = self
            .provinces
            .iter()
            .find(|c| self.name(c) == Some(province))?;
        let c = below(p, city)?;
        if self.child_codes(&c).is_empty() {
            return (district == city).then_some(c);
        }
        below(&c, district)
    }

    pub(crate) fn name(&self, code: &str) -> Option<&str> {
        self.nodes.get(code).map(|n| n.name.as_str())
    }

    pub(crate) fn parent(&self, code: &str) -> Option<&str> {
        self.nodes.get(code)?.parent.as_deref()
    }

    pub(crate) fn province_codes(&self) -> &[String] {
        &self.provinces
    }

    pub(crate) fn child_codes(&self, code: &str) -> &[String] {
        self.children.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every division of a level, for the recogniser's look-ups by name.
    pub(crate) fn codes_at(&self, level: Level) -> impl Iterator<Item = &str> {
        self.nodes
            .values()
            .filter(move |n| n.level == level)
            .map(|n| n.code.as_str())
    }
}

#[cfg(test)]
#[expect(
    clippy::expect_used,
    reason = "a division missing from the tree is a failed test"
)]
mod tests {
    use super::*;

    fn names(list: &[Division]) -> Vec<&str> {
        list.iter().map(|d| d.name.as_str()).collect()
    }

    #[test]
    fn every_province_region_and_municipality_is_offered_first() {
        let t = Divisions::get();
        let p = t.provinces();
        assert!(p.len() >= 34, "{}", p.len());
        for n in [
            "北京市",
            "江西省",
            "广西壮族自治区",
            "香港特别行政区",
            "台湾省",
        ] {
            assert!(names(&p).contains(&n), "{n}");
        }
    }

    #[test]
    fn a_city_holds_its_districts_and_counties_without_the_placeholder() {
        let t = Divisions::get();
        let ganzhou = t.children("360000").expect("江西省");
        let city = ganzhou.iter().find(|d| d.name == "赣州市").expect("赣州市");
        assert!(city.has_children);
        let districts = t.children(&city.code).expect("its districts");
        let n = names(&districts);
        assert!(n.contains(&"章贡区") && n.contains(&"南康区") && n.contains(&"瑞金市"));
        assert!(!n.contains(&"市辖区"));
    }

    #[test]
    fn a_municipality_is_one_city_named_like_itself() {
        let t = Divisions::get();
        let cities = t.children("110000").expect("北京市");
        assert_eq!(names(&cities), ["北京市"]);
        let districts = t.children(&cities[0].code).expect("districts");
        assert!(names(&districts).contains(&"朝阳区"));
        assert!(names(&districts).contains(&"延庆区"));
        let chongqing = t.children("500000").expect("重庆市");
        assert_eq!(names(&chongqing), ["重庆市"], "区 and 县 in one city");
        let all = t.children(&chongqing[0].code).expect("districts");
        assert!(names(&all).contains(&"渝中区") && names(&all).contains(&"巫山县"));
    }

    #[test]
    fn a_county_level_city_under_its_province_is_a_city_of_its_own() {
        let t = Divisions::get();
        let hubei = t.children("420000").expect("湖北省");
        let xiantao = hubei
            .iter()
            .find(|d| d.name == "仙桃市")
            .expect("仙桃市 as a city");
        assert!(!xiantao.has_children);
        assert_eq!(t.children(&xiantao.code), Some(vec![]));
        assert!(!names(&hubei).iter().any(|n| n.contains("直辖")));
    }

    #[test]
    fn the_standards_names_give_the_districts_code_and_others_none() {
        let t = Divisions::get();
        assert_eq!(
            t.code_for("江西省", "赣州市", "南康区").as_deref(),
            Some("360703")
        );
        assert_eq!(
            t.code_for("北京市", "北京市", "朝阳区").as_deref(),
            Some("110105")
        );
        assert_eq!(
            t.code_for("湖北省", "仙桃市", "仙桃市").as_deref(),
            Some("429004")
        );
        assert_eq!(
            t.code_for("江西省", "赣州市", "朝阳区"),
            None,
            "not in that city"
        );
        assert_eq!(
            t.code_for("江西", "赣州", "南康"),
            None,
            "short names are not the standard's"
        );
        assert_eq!(t.code_for("湖北省", "仙桃市", "别处"), None);
    }

    #[test]
    fn an_unknown_code_has_no_children() {
        let t = Divisions::get();
        assert_eq!(t.children("999999"), None);
        assert_eq!(t.children("../etc"), None);
        assert_eq!(t.children("360703"), Some(vec![]), "a district is a leaf");
    }
}
