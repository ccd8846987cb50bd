//! What a batch must say when it is recorded: its facts and its compliance certificate
//! (承诺达标合格证), checked and cleaned before anything is hashed into event 0.

use chrono::{Duration, NaiveDate};
use farmgate_catalog::domain::Unit;
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, Phone, ValidationErrors, labelled_enum};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

labelled_enum!(
    /// On what the certificate's promise rests (承诺达标合格证 开具依据).
    CertificateBasis {
        /// 内部质量控制
        QualityControl => "quality_control", "内部质量控制", "internal quality control";
        /// 自行检测
        SelfTest => "self_test", "自行检测", "self-test";
        /// 委托检测
        CommissionedTest => "commissioned_test", "委托检测", "commissioned test";
    }
);

/// The three promises of the certificate, in the wording the rules use.
pub const COMMITMENTS_ZH: [&str; 3] = [
    "不使用禁用农药兽药、停用兽药和非法添加物",
    "遵守农药安全间隔期、兽药休药期规定",
    "销售的食用农产品符合农药兽药残留食品安全国家强制性标准",
];
pub const COMMITMENTS_EN: [&str; 3] = [
    "no banned pesticides, veterinary drugs or illegal additives were used",
    "pesticide safe intervals and veterinary withdrawal periods were respected",
    "the produce meets the national mandatory limits for pesticide and veterinary drug residues",
];

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlotInput {
    pub village: String,
    /// 地块名称, e.g. 3号果园.
    pub name: String,
    /// Degrees, WGS-84; both or neither.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lng: Option<f64>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Commitments {
    pub no_banned_substances: bool,
    pub withdrawal_respected: bool,
    pub residues_within_limits: bool,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    /// Defaults to the listing's title.
    #[serde(default)]
    pub product_name: Option<String>,
    /// Defaults to the seller's name.
    #[serde(default)]
    pub issuer: Option<String>,
    pub contact_phone: String,
    pub basis: CertificateBasis,
    pub commitments: Commitments,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatchRequest {
    /// Defaults to the harvest date and a number (`20261120-1`).
    #[serde(default)]
    pub lot: Option<String>,
    /// When the lot began (planting, flowering): no record may be earlier.
    pub started_on: NaiveDate,
    pub harvest_date: NaiveDate,
    pub quantity: i64,
    pub quantity_unit: String,
    pub plot: PlotInput,
    pub certificate: CertificateInput,
}

/// A batch's facts as they enter event 0: checked, trimmed, coordinates as integers.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchFacts {
    /// The lot the seller chose; `None` lets the use case number one.
    pub lot: Option<String>,
    pub started_on: NaiveDate,
    pub harvest_date: NaiveDate,
    pub quantity: i64,
    pub unit: Unit,
    pub village: String,
    pub plot_name: String,
    /// Micro-degrees (latitude, longitude).
    pub coords: Option<(i64, i64)>,
    pub product_name: String,
    pub issuer: String,
    pub contact: Phone,
    pub basis: CertificateBasis,
}

/// Checks a new batch, every field at once. `today` is the Beijing calendar day; the product
/// name defaults to the listing's title and the issuer to the seller's name.
pub fn parse_new_batch(
    req: &NewBatchRequest,
    today: NaiveDate,
    listing_title: &str,
    seller_name: &str,
) -> Result<BatchFacts, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let lot = match req.lot.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => {
            let ok = l.len() <= 40
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !ok {
                errs.push(FieldError::new(
                    "lot",
                    "invalid",
                    "批号只能用字母、数字和 - _ .，最多 40 位",
                    "letters, digits and - _ . only, at most 40",
                ));
            }
            Some(l.to_owned())
        }
        None => None,
    };
    if req.started_on > req.harvest_date {
        errs.push(FieldError::new(
            "started_on",
            "after_harvest",
            "开始日期不能晚于采收日期",
            "the start cannot be after the harvest",
        ));
    }
    for (field, d) in [
        ("started_on", req.started_on),
        ("harvest_date", req.harvest_date),
    ] {
        if d > today {
            errs.push(FieldError::new(
                field,
                "in_future",
                "日期不能晚于今天",
                "the date cannot be in the future",
            ));
        }
        if d < today - Duration::days(3 * 366) {
            errs.push(FieldError::new(
                field,
                "too_old",
                "日期太早（超过三年）",
                "the date is more than three years ago",
            ));
        }
    }
    let unit = Unit::parse(&req.quantity_unit);
    if unit.is_none() {
        errs.push(FieldError::new(
            "quantity_unit",
            "invalid",
            "请选择单位",
            "choose a unit",
        ));
    }
    if !(1..=100_000_000).contains(&req.quantity) {
        errs.push(FieldError::new(
            "quantity",
            "out_of_range",
            "数量须在 1 到 1 亿之间",
            "between 1 and 100,000,000",
        ));
    }
    let village = errs.check("plot.village", clean_text(&req.plot.village, 1, 20, false));
    let plot_name = errs.check("plot.name", clean_text(&req.plot.name, 1, 60, false));
    let coords = match (req.plot.lat, req.plot.lng) {
        (Some(lat), Some(lng)) => errs.check("plot.lat", micro_degrees(lat, lng)).map(Some),
        (None, None) => Some(None),
        _ => {
            errs.push(FieldError::new(
                "plot.lng",
                "required",
                "经纬度须同时填写",
                "give both latitude and longitude",
            ));
            None
        }
    };
    let c = &req.certificate;
    let product_name = errs.check(
        "certificate.product_name",
        clean_text(
            c.product_name.as_deref().unwrap_or(listing_title),
            1,
            60,
            false,
        ),
    );
    let issuer = errs.check(
        "certificate.issuer",
        clean_text(c.issuer.as_deref().unwrap_or(seller_name), 1, 100, false),
    );
    let contact = errs.check("certificate.contact_phone", Phone::parse(&c.contact_phone));
    let m = &c.commitments;
    if !(m.no_banned_substances && m.withdrawal_respected && m.residues_within_limits) {
        errs.push(FieldError::new(
            "certificate.commitments",
            "required",
            "承诺达标合格证须作出全部三项承诺",
            "the certificate makes all three promises",
        ));
    }
    errs.finish()?;
    let (
        Some(village),
        Some(plot_name),
        Some(coords),
        Some(product_name),
        Some(issuer),
        Some(contact),
        Some(unit),
    ) = (
        village,
        plot_name,
        coords,
        product_name,
        issuer,
        contact,
        unit,
    )
    else {
        return Err(ValidationErrors::new());
    };
    Ok(BatchFacts {
        lot,
        started_on: req.started_on,
        harvest_date: req.harvest_date,
        quantity: req.quantity,
        unit,
        village,
        plot_name,
        coords,
        product_name,
        issuer,
        contact,
        basis: c.basis,
    })
}

/// Degrees to integer micro-degrees (the chain holds integers only); China's bounding box.
fn micro_degrees(lat: f64, lng: f64) -> Result<(i64, i64), FieldError> {
    let ok = (3.0..=54.0).contains(&lat) && (73.0..=136.0).contains(&lng);
    if !ok {
        return Err(FieldError::new(
            "plot.lat",
            "out_of_range",
            "坐标不在中国境内",
            "the coordinates are not in China",
        ));
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "bounded by the range check above"
    )]
    Ok(((lat * 1e6).round() as i64, (lng * 1e6).round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default()
    }

    fn request() -> NewBatchRequest {
        NewBatchRequest {
            lot: Some(" ML-20261120-01 ".into()),
            started_on: day(3, 1),
            harvest_date: day(11, 18),
            quantity: 2000,
            quantity_unit: "jin".into(),
            plot: PlotInput {
                village: "茶坑村".into(),
                name: "3号果园".into(),
                lat: Some(25.71234),
                lng: Some(115.12345),
            },
            certificate: CertificateInput {
                product_name: None,
                issuer: None,
                contact_phone: "13800000001".into(),
                basis: CertificateBasis::SelfTest,
                commitments: Commitments {
                    no_banned_substances: true,
                    withdrawal_respected: true,
                    residues_within_limits: true,
                },
            },
        }
    }

    #[test]
    fn a_good_batch_is_cleaned_and_defaults_come_from_the_listing_and_the_seller() {
        let facts = parse_new_batch(&request(), day(11, 20), "赣南脐橙", "梅岭合作社");
        let facts = facts.ok().unwrap_or_else(|| panic!("a good batch"));
        assert_eq!(facts.lot.as_deref(), Some("ML-20261120-01"));
        assert_eq!(facts.coords, Some((25_712_340, 115_123_450)));
        assert_eq!(facts.product_name, "赣南脐橙");
        assert_eq!(facts.issuer, "梅岭合作社");
        assert_eq!(facts.unit.as_str(), "jin");
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut req = request();
        req.lot = Some("批号 1".into());
        req.started_on = day(12, 30);
        req.quantity = 0;
        req.quantity_unit = "ton".into();
        req.plot.lat = Some(51.5);
        req.plot.lng = Some(-0.12);
        req.certificate.commitments.residues_within_limits = false;
        let errs = parse_new_batch(&req, day(11, 20), "赣南脐橙", "梅岭合作社")
            .err()
            .unwrap_or_default();
        let fields: Vec<&str> = errs.errors().iter().map(|e| e.field.as_str()).collect();
        for f in [
            "lot",
            "started_on",
            "quantity",
            "quantity_unit",
            "plot.lat",
            "certificate.commitments",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn half_a_coordinate_is_refused() {
        let mut req = request();
        req.plot.lng = None;
        let errs = parse_new_batch(&req, day(11, 20), "赣南脐橙", "梅岭合作社")
            .err()
            .unwrap_or_default();
        assert_eq!(errs.errors()[0].field, "plot.lng");
    }

    #[test]
    fn every_basis_keeps_its_wire_name_and_labels() {
        assert_eq!(
            CertificateBasis::ALL
                .iter()
                .map(|b| b.as_str())
                .collect::<Vec<_>>(),
            ["quality_control", "self_test", "commissioned_test"]
        );
        assert_eq!(CertificateBasis::CommissionedTest.label_zh(), "委托检测");
        assert_eq!(CertificateBasis::SelfTest.label_en(), "self-test");
    }
}
