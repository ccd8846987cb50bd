//! The carrier list: the common Chinese carriers, each with the tracking aggregator's company
//! code (快递100's `company`, lower case), its Chinese and English names and the names sellers
//! have typed for it. A shipment stores the code (`shipments.carrier_code`) and the Chinese
//! name (`shipments.carrier`, what views, statistics and recourses show and group by).
//!
//! What a seller may send as `carrier` when shipping:
//! - a code from the list (`shunfeng`): that carrier;
//! - a name or alias of one (顺丰速运, 顺丰, SF Express): the same carrier, so clients written
//!   when the carrier was free text keep working;
//! - `other`, with `carrier_name`: a carrier not on the list, stored as typed (2–20
//!   characters), with no code — shown as typed, never subscribed for tracking; the seller
//!   enters its logistics by hand.
//!
//! Anything else is refused (`unknown_carrier`), so no parcel carries a carrier name the
//! aggregator cannot be asked about by mistake.

use farmgate_kernel::FieldError;
use farmgate_kernel::text::clean_text;

/// One carrier of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Carrier {
    /// The aggregator's company code.
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// Other names sellers type for it (matched ignoring case and spaces).
    pub aliases: &'static [&'static str],
}

/// The code for a carrier that is not on the list.
pub const OTHER: &str = "other";

/// The carriers offered, most used first.
pub const CARRIERS: &[Carrier] = &[
    Carrier {
        code: "shunfeng",
        name_zh: "顺丰速运",
        name_en: "SF Express",
        aliases: &["顺丰", "顺丰快递", "SF", "sfexpress"],
    },
    Carrier {
        code: "jd",
        name_zh: "京东物流",
        name_en: "JD Logistics",
        aliases: &["京东", "京东快递", "JD"],
    },
    Carrier {
        code: "youzhengguonei",
        name_zh: "中国邮政",
        name_en: "China Post",
        aliases: &["邮政", "邮政快递包裹", "邮政包裹", "chinapost"],
    },
    Carrier {
        code: "ems",
        name_zh: "EMS",
        name_en: "EMS",
        aliases: &["中国邮政EMS", "邮政EMS", "EMS快递"],
    },
    Carrier {
        code: "zhongtong",
        name_zh: "中通快递",
        name_en: "ZTO Express",
        aliases: &["中通", "ZTO"],
    },
    Carrier {
        code: "yuantong",
        name_zh: "圆通速递",
        name_en: "YTO Express",
        aliases: &["圆通", "圆通快递", "YTO"],
    },
    Carrier {
        code: "shentong",
        name_zh: "申通快递",
        name_en: "STO Express",
        aliases: &["申通", "STO"],
    },
    Carrier {
        code: "yunda",
        name_zh: "韵达快递",
        name_en: "Yunda Express",
        aliases: &["韵达", "韵达速递"],
    },
    Carrier {
        code: "jtexpress",
        name_zh: "极兔速递",
        name_en: "J&T Express",
        aliases: &["极兔", "极兔快递", "J&T"],
    },
    Carrier {
        code: "debangkuaidi",
        name_zh: "德邦快递",
        name_en: "Deppon Express",
        aliases: &["德邦", "德邦物流", "Deppon"],
    },
    Carrier {
        code: "huitongkuaidi",
        name_zh: "百世快递",
        name_en: "Best Express",
        aliases: &["百世", "百世汇通", "汇通"],
    },
    Carrier {
        code: "zhaijisong",
        name_zh: "宅急送",
        name_en: "ZJS Express",
        aliases: &["ZJS"],
    },
];

/// A carrier by its code.
pub fn carrier_by_code(code: &str) -> Option<&'static Carrier> {
    CARRIERS.iter().find(|c| c.code == code)
}

fn folded(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A carrier by its code, name or an alias (ignoring case and spaces).
pub fn find_carrier(s: &str) -> Option<&'static Carrier> {
    let f = folded(s);
    if f.is_empty() {
        return None;
    }
    CARRIERS.iter().find(|c| {
        c.code == f
            || folded(c.name_zh) == f
            || folded(c.name_en) == f
            || c.aliases.iter().any(|a| folded(a) == f)
    })
}

/// The carrier a shipment names: the list's code (absent for "other") and the name shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChosenCarrier {
    pub code: Option<&'static str>,
    pub name: String,
}

/// What the seller sent as `carrier` (and `carrier_name` with `other`), as a carrier of the
/// list or a named other one.
pub fn parse_carrier_choice(
    carrier: &str,
    carrier_name: Option<&str>,
) -> Result<ChosenCarrier, FieldError> {
    if folded(carrier) == OTHER {
        let typed = carrier_name.unwrap_or_default();
        // A name that is on the list is that carrier (and is tracked).
        if let Some(c) = find_carrier(typed) {
            return Ok(ChosenCarrier {
                code: Some(c.code),
                name: c.name_zh.to_owned(),
            });
        }
        let name = clean_text(typed, 2, 20, false).map_err(|e| e.at("carrier_name"))?;
        return Ok(ChosenCarrier { code: None, name });
    }
    match find_carrier(carrier) {
        Some(c) => Ok(ChosenCarrier {
            code: Some(c.code),
            name: c.name_zh.to_owned(),
        }),
        None => Err(FieldError::new(
            "carrier",
            "unknown_carrier",
            "请从列表中选择承运商；不在列表中的请选“其他”并填写名称",
            "choose a carrier from the list; for one not on it choose “other” and type its name",
        )),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_aliases_all_find_the_same_carrier() {
        for s in ["shunfeng", "顺丰速运", " 顺丰 ", "SF Express", "sf"] {
            assert_eq!(find_carrier(s).unwrap().code, "shunfeng", "{s}");
        }
        assert_eq!(find_carrier("中国邮政").unwrap().code, "youzhengguonei");
        assert_eq!(find_carrier("中通快递").unwrap().code, "zhongtong");
        assert_eq!(find_carrier("京东物流").unwrap().code, "jd");
        assert!(find_carrier("").is_none());
        assert!(find_carrier("某某物流").is_none());
    }

    #[test]
    fn codes_are_unique_lower_case_and_no_name_means_two_carriers() {
        let mut seen = std::collections::HashSet::new();
        for c in CARRIERS {
            assert!(seen.insert(c.code), "{} twice", c.code);
            assert!(
                c.code.chars().all(|ch| ch.is_ascii_lowercase()),
                "{}",
                c.code
            );
            assert_ne!(c.code, OTHER);
            for n in std::iter::once(c.name_zh)
                .chain(std::iter::once(c.name_en))
                .chain(c.aliases.iter().copied())
            {
                assert_eq!(find_carrier(n).unwrap().code, c.code, "{n}");
            }
        }
    }

    #[test]
    fn other_keeps_the_typed_name_without_a_code_and_unknown_text_is_refused() {
        let c = parse_carrier_choice("other", Some(" 县城小马快运 ")).unwrap();
        assert_eq!((c.code, c.name.as_str()), (None, "县城小马快运"));
        // "other" naming a listed carrier is that carrier.
        let c = parse_carrier_choice("other", Some("韵达")).unwrap();
        assert_eq!((c.code, c.name.as_str()), (Some("yunda"), "韵达快递"));
        assert_eq!(
            parse_carrier_choice("other", None).unwrap_err().field,
            "carrier_name"
        );
        assert_eq!(
            parse_carrier_choice("other", Some("马")).unwrap_err().field,
            "carrier_name"
        );
        let e = parse_carrier_choice("县城小马快运", None).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("carrier", "unknown_carrier"));
        let c = parse_carrier_choice("顺丰速运", None).unwrap();
        assert_eq!((c.code, c.name.as_str()), (Some("shunfeng"), "顺丰速运"));
    }
}
