//! Delivery addresses: what a request sends, and the checked copy an order keeps.

use super::divisions::Divisions;
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{Phone, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A delivery address as a request sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    /// 收货人
    pub name: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    /// 区 / 县
    pub district: String,
    /// 街道、门牌号
    pub street: String,
    #[serde(default)]
    pub is_default: bool,
}

/// A checked delivery address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Address {
    pub name: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub street: String,
    /// The district's GB/T 2260 code when the names are the standard's (the bundled
    /// revision), so figures can group by code rather than by names that repeat; absent for a
    /// name the picker does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
}

impl Address {
    /// Every field checked; errors under the field's name.
    pub fn parse(input: &AddressInput) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check("name", clean_text(&input.name, 1, 20, false));
        let phone = errs.check("phone", Phone::parse(&input.phone));
        let province = errs.check("province", clean_text(&input.province, 2, 20, false));
        let city = errs.check("city", clean_text(&input.city, 2, 20, false));
        let district = errs.check("district", clean_text(&input.district, 2, 20, false));
        let street = errs.check("street", clean_text(&input.street, 4, 120, false));
        errs.finish()?;
        match (name, phone, province, city, district, street) {
            (Some(name), Some(phone), Some(province), Some(city), Some(district), Some(street)) => {
                let region_code = Divisions::get().code_for(&province, &city, &district);
                Ok(Self {
                    name,
                    phone: phone.as_str().to_owned(),
                    province,
                    city,
                    district,
                    street,
                    region_code,
                })
            }
            _ => Err(ValidationErrors::new()),
        }
    }

    /// `江西省赣州市章贡区 红旗大道 18 号`
    pub fn one_line(&self) -> String {
        format!(
            "{}{}{} {}",
            self.province, self.city, self.district, self.street
        )
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed parse is a failed test")]
mod tests {
    use super::*;

    #[test]
    fn an_address_needs_every_part_and_a_real_phone() {
        let good = AddressInput {
            name: " 王芳 ".into(),
            phone: "138 0013 8000".into(),
            province: "江西省".into(),
            city: "赣州市".into(),
            district: "章贡区".into(),
            street: "红旗大道 18 号 3 栋 502".into(),
            is_default: true,
        };
        let a = Address::parse(&good).unwrap();
        assert_eq!(a.name, "王芳");
        assert_eq!(a.phone, "13800138000");
        assert_eq!(a.one_line(), "江西省赣州市章贡区 红旗大道 18 号 3 栋 502");
        let bad = AddressInput {
            phone: "12345".into(),
            street: "".into(),
            district: "".into(),
            ..good
        };
        let e = Address::parse(&bad).unwrap_err();
        let fields: Vec<_> = e.errors().iter().map(|f| f.field.as_str()).collect();
        assert!(
            fields.contains(&"phone") && fields.contains(&"street") && fields.contains(&"district")
        );
    }
}
