//! What a buyer sends to ask for an invoice, and the parsing that makes it a request the rules
//! accept: the title and tax number default from the organisation and the tax number must be
//! its credit code (a GB 32100 code with a correct check character); a special invoice also
//! needs the buyer's bank, account, address and phone.

use super::InvoiceKind;
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, Uscc, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;

/// A request for an invoice on a sub-order.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceRequest {
    /// `normal` (普通发票, the default) or `special` (专用发票).
    #[serde(default)]
    pub kind: InvoiceKind,
    /// The invoice title (抬头); defaults to the organisation's name. At most 100 characters.
    #[serde(default)]
    pub title: Option<String>,
    /// The buyer's tax number (纳税人识别号): the organisation's unified social credit code;
    /// defaults to it, and anything else is refused.
    #[serde(default)]
    pub tax_no: Option<String>,
    /// Special invoices: the buyer's bank (开户行), at most 100 characters.
    #[serde(default)]
    pub bank: Option<String>,
    /// Special invoices: the account number, 6–32 digits (spaces and dashes allowed).
    #[serde(default)]
    pub bank_account: Option<String>,
    /// Special invoices: the registered address, at most 200 characters.
    #[serde(default)]
    pub address: Option<String>,
    /// Special invoices: the telephone, at most 30 characters of digits, spaces, `-`, `+`.
    #[serde(default)]
    pub phone: Option<String>,
    /// Where to send the invoice (optional), at most 100 characters.
    #[serde(default)]
    pub email: Option<String>,
}

/// The buyer's details a special invoice prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecialDetails {
    pub bank: String,
    pub bank_account: String,
    pub address: String,
    pub phone: String,
}

/// A request the rules accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedRequest {
    pub kind: InvoiceKind,
    pub title: String,
    pub tax_no: Uscc,
    pub special: Option<SpecialDetails>,
    pub email: Option<String>,
}

fn on(field: &str, e: FieldError) -> FieldError {
    e.at(field)
}

fn required_text(
    errs: &mut ValidationErrors,
    field: &str,
    v: Option<&str>,
    max: usize,
) -> Option<String> {
    match clean_text(v.unwrap_or(""), 1, max, false) {
        Ok(s) => Some(s),
        Err(e) => {
            errs.push(on(field, e));
            None
        }
    }
}

/// An email address: at most 100 characters, one `@` with something on both sides and a dot
/// in the domain; no spaces.
pub fn parse_email(v: &str) -> Result<String, FieldError> {
    let s = v.trim();
    let bad = || {
        FieldError::new(
            "email",
            "invalid_email",
            "邮箱格式不正确",
            "not an email address",
        )
    };
    if s.chars().count() > 100 {
        return Err(FieldError::new(
            "email",
            "too_long",
            "最多 100 个字",
            "at most 100 characters",
        ));
    }
    let Some((local, domain)) = s.split_once('@') else {
        return Err(bad());
    };
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.chars().all(|c| c.is_ascii_graphic());
    if ok { Ok(s.to_owned()) } else { Err(bad()) }
}

/// Why the seller refuses to issue: 2–500 characters.
pub fn parse_reason(v: &str) -> Result<String, FieldError> {
    clean_text(v, 2, 500, true).map_err(|e| on("reason", e))
}

impl InvoiceRequest {
    /// Checks the request against the buyer organisation's name and credit code.
    pub fn parse(
        &self,
        org_name: &str,
        org_credit_code: &str,
    ) -> Result<ParsedRequest, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let title = match &self.title {
            Some(t) => required_text(&mut errs, "title", Some(t), 100),
            None => Some(org_name.chars().take(100).collect()),
        };
        let tax_no = match Uscc::parse(self.tax_no.as_deref().unwrap_or(org_credit_code)) {
            Ok(code) if code.as_str() == org_credit_code.trim().to_ascii_uppercase() => Some(code),
            Ok(_) => {
                errs.push(FieldError::new(
                    "tax_no",
                    "not_the_org_credit_code",
                    "纳税人识别号须为本单位的统一社会信用代码",
                    "the tax number must be your organisation's unified social credit code",
                ));
                None
            }
            Err(e) => {
                errs.push(on("tax_no", e));
                None
            }
        };
        let special = if self.kind == InvoiceKind::Special {
            let bank = required_text(&mut errs, "bank", self.bank.as_deref(), 100);
            let account = self.bank_account.as_deref().unwrap_or("").trim();
            let digits: String = account.chars().filter(char::is_ascii_digit).collect();
            let account_ok = account
                .chars()
                .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
                && (6..=32).contains(&digits.len());
            if !account_ok {
                errs.push(FieldError::new(
                    "bank_account",
                    if account.is_empty() {
                        "required"
                    } else {
                        "invalid_bank_account"
                    },
                    "请填写 6–32 位数字的银行账号",
                    "a bank account number of 6–32 digits",
                ));
            }
            let address = required_text(&mut errs, "address", self.address.as_deref(), 200);
            let phone = required_text(&mut errs, "phone", self.phone.as_deref(), 30);
            if let Some(p) = &phone
                && !p
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+'))
            {
                errs.push(FieldError::new(
                    "phone",
                    "invalid_phone",
                    "电话只能包含数字、空格、- 和 +",
                    "a telephone number has digits, spaces, - and + only",
                ));
            }
            match (bank, address, phone) {
                (Some(bank), Some(address), Some(phone)) if account_ok => Some(SpecialDetails {
                    bank,
                    bank_account: digits,
                    address,
                    phone,
                }),
                _ => None,
            }
        } else {
            None
        };
        let email = match clean_optional_text(self.email.as_deref(), 100, false) {
            Ok(Some(e)) => match parse_email(&e) {
                Ok(e) => Some(e),
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
            Ok(None) => None,
            Err(e) => {
                errs.push(on("email", e));
                None
            }
        };
        errs.finish()?;
        match (title, tax_no) {
            (Some(title), Some(tax_no)) => Ok(ParsedRequest {
                kind: self.kind,
                title,
                tax_no,
                special,
                email,
            }),
            _ => Err(ValidationErrors::default()),
        }
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "tests")]
mod tests {
    use super::*;

    const ORG: &str = "青石县惠民社区超市";
    const CODE: &str = "91350100M000100Y43";

    fn codes(r: Result<ParsedRequest, ValidationErrors>) -> Vec<(String, String)> {
        r.err()
            .map(|e| {
                e.errors()
                    .iter()
                    .map(|f| (f.field.clone(), f.code.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn title_and_tax_number_default_from_the_organisation() {
        let r = InvoiceRequest::default().parse(ORG, CODE).expect("valid");
        assert_eq!(r.title, ORG);
        assert_eq!(r.tax_no.as_str(), CODE);
        assert_eq!(r.kind, InvoiceKind::Normal);
        assert_eq!(r.special, None);
    }

    #[test]
    fn a_tax_number_that_is_not_the_organisations_is_refused() {
        let other = farmgate_kernel::Uscc::with_check_char("91360799MA35YL011")
            .expect("valid")
            .to_string();
        let r = InvoiceRequest {
            tax_no: Some(other),
            ..InvoiceRequest::default()
        };
        assert_eq!(
            codes(r.parse(ORG, CODE)),
            vec![("tax_no".to_owned(), "not_the_org_credit_code".to_owned())]
        );
        let r = InvoiceRequest {
            tax_no: Some("91350100M000100Y44".to_owned()),
            ..InvoiceRequest::default()
        };
        assert_eq!(
            codes(r.parse(ORG, CODE)),
            vec![("tax_no".to_owned(), "invalid_licence_no".to_owned())],
            "a wrong check character"
        );
        let r = InvoiceRequest {
            tax_no: Some(" 91350100m000100y43 ".to_owned()),
            ..InvoiceRequest::default()
        };
        assert!(r.parse(ORG, CODE).is_ok(), "spaces and lower case are fine");
    }

    #[test]
    fn a_special_invoice_needs_bank_account_address_and_phone() {
        let r = InvoiceRequest {
            kind: InvoiceKind::Special,
            ..InvoiceRequest::default()
        };
        let mut got = codes(r.parse(ORG, CODE));
        got.sort();
        assert_eq!(
            got,
            vec![
                ("address".to_owned(), "required".to_owned()),
                ("bank".to_owned(), "required".to_owned()),
                ("bank_account".to_owned(), "required".to_owned()),
                ("phone".to_owned(), "required".to_owned()),
            ]
        );
        let r = InvoiceRequest {
            kind: InvoiceKind::Special,
            bank: Some("中国农业银行青石支行".to_owned()),
            bank_account: Some("6228 4800 1234 5678 901".to_owned()),
            address: Some("青石镇东门社区惠民路 12 号".to_owned()),
            phone: Some("0797-1234567".to_owned()),
            ..InvoiceRequest::default()
        };
        let parsed = r.parse(ORG, CODE).expect("valid");
        assert_eq!(
            parsed.special.map(|s| s.bank_account),
            Some("6228480012345678901".to_owned())
        );
    }

    #[test]
    fn oversized_and_malformed_fields_are_refused() {
        let r = InvoiceRequest {
            kind: InvoiceKind::Special,
            title: Some("超".repeat(101)),
            bank: Some("银".repeat(101)),
            bank_account: Some("12ab".to_owned()),
            address: Some("址".repeat(201)),
            phone: Some("call me".to_owned()),
            email: Some("not-an-email".to_owned()),
            ..InvoiceRequest::default()
        };
        let mut got = codes(r.parse(ORG, CODE));
        got.sort();
        assert_eq!(
            got,
            vec![
                ("address".to_owned(), "too_long".to_owned()),
                ("bank".to_owned(), "too_long".to_owned()),
                ("bank_account".to_owned(), "invalid_bank_account".to_owned()),
                ("email".to_owned(), "invalid_email".to_owned()),
                ("phone".to_owned(), "invalid_phone".to_owned()),
                ("title".to_owned(), "too_long".to_owned()),
            ]
        );
        let r = InvoiceRequest {
            title: Some("惠民\u{202E}超市".to_owned()),
            ..InvoiceRequest::default()
        };
        assert_eq!(
            codes(r.parse(ORG, CODE)),
            vec![("title".to_owned(), "invisible_characters".to_owned())]
        );
    }

    #[test]
    fn emails_are_checked_and_reasons_bounded() {
        assert!(parse_email("caigou@huimin.cn").is_ok());
        assert!(parse_email("a@b").is_err());
        assert!(parse_email("a b@c.cn").is_err());
        assert!(parse_reason("x").is_err());
        assert!(parse_reason(&"长".repeat(501)).is_err());
        assert!(parse_reason("订单未完成收货").is_ok());
    }
}
