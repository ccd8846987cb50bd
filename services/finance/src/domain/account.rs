//! A seller's settlement bank account (结算账户): the parsed form a seller's owner submits, how
//! its number is shown to anyone but platform finance, and the review machine.
//!
//! ```text
//!   submit ──▶ pending ──verify──▶ verified ──change (phone code)──▶ pending
//!                 │  ▲                                                  │
//!               reject └───────────── change (phone code) ◀── rejected ◀┘ reject
//! ```
//!
//! Only a `verified` account is paid; a change (of a verified or rejected account) makes it
//! `pending` again, so a changed account is never paid before finance has looked at it.

use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, ValidationErrors, labelled_enum};
use serde::Deserialize;
use utoipa::ToSchema;

labelled_enum!(
    /// Where a settlement account stands.
    #[schema(as = BankAccountStatus)]
    AccountStatus {
        Pending => "pending", "待审核", "pending review";
        Verified => "verified", "已核验", "verified";
        Rejected => "rejected", "已驳回", "rejected";
    }
);

labelled_enum!(
    /// A line of an account's history.
    AccountAction {
        Submitted => "submitted", "提交", "submitted";
        Changed => "changed", "变更", "changed";
        Verified => "verified", "核验通过", "verified";
        Rejected => "rejected", "驳回", "rejected";
    }
);

/// What finance does with a pending account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Review {
    Verify,
    Reject,
}

/// Why a review cannot happen now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("only a pending account is reviewed")]
pub struct NotPending;

/// The one function that says which review moves are legal.
pub fn review(status: AccountStatus, action: Review) -> Result<AccountStatus, NotPending> {
    match (status, action) {
        (AccountStatus::Pending, Review::Verify) => Ok(AccountStatus::Verified),
        (AccountStatus::Pending, Review::Reject) => Ok(AccountStatus::Rejected),
        _ => Err(NotPending),
    }
}

/// Account numbers: 8–32 digits (mainland personal cards are 16–19, corporate accounts vary).
pub const ACCOUNT_NO_DIGITS: std::ops::RangeInclusive<usize> = 8..=32;
/// A CNAPS bank code (大额支付系统行号 / 联行号): 12 digits.
pub const CNAPS_DIGITS: usize = 12;

/// A settlement account as submitted, checked field by field.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct BankAccountInput {
    /// 账户名称: the account holder, as the bank knows it (usually the organisation's name).
    pub account_name: String,
    /// 账号: digits; spaces and dashes are ignored.
    pub account_no: String,
    /// 开户银行: the bank (中国农业银行).
    pub bank_name: String,
    /// 开户行: the branch (中国农业银行赣州章贡支行).
    pub branch: String,
    /// 联行号 (optional): the 12-digit CNAPS code of the branch.
    #[serde(default)]
    pub cnaps: Option<String>,
}

/// A valid settlement account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccount {
    pub account_name: String,
    pub account_no: String,
    pub bank_name: String,
    pub branch: String,
    pub cnaps: Option<String>,
}

fn digits_of(field: &str, s: &str) -> Result<String, FieldError> {
    let digits: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(FieldError::new(
            field,
            "not_digits",
            "只能填写数字",
            "digits only",
        ))
    }
}

impl BankAccount {
    /// Parses a submitted account: every field's problem at once.
    pub fn parse(input: &BankAccountInput) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check(
            "account_name",
            clean_text(&input.account_name, 2, 60, false).map_err(|e| e.at("account_name")),
        );
        let no = errs.check(
            "account_no",
            digits_of("account_no", &input.account_no).and_then(|d| {
                if ACCOUNT_NO_DIGITS.contains(&d.len()) {
                    Ok(d)
                } else {
                    Err(FieldError::new(
                        "account_no",
                        "invalid_account_no",
                        "银行账号应为 8 到 32 位数字",
                        "an account number is 8 to 32 digits",
                    ))
                }
            }),
        );
        let bank = errs.check(
            "bank_name",
            clean_text(&input.bank_name, 2, 40, false).map_err(|e| e.at("bank_name")),
        );
        let branch = errs.check(
            "branch",
            clean_text(&input.branch, 2, 60, false).map_err(|e| e.at("branch")),
        );
        let cnaps = match input.cnaps.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(c) => errs.check(
                "cnaps",
                digits_of("cnaps", c).and_then(|d| {
                    if d.len() == CNAPS_DIGITS {
                        Ok(Some(d))
                    } else {
                        Err(FieldError::new(
                            "cnaps",
                            "invalid_cnaps",
                            "联行号应为 12 位数字",
                            "a CNAPS code is 12 digits",
                        ))
                    }
                }),
            ),
        };
        errs.finish()?;
        match (name, no, bank, branch, cnaps) {
            (Some(account_name), Some(account_no), Some(bank_name), Some(branch), Some(cnaps)) => {
                Ok(Self {
                    account_name,
                    account_no,
                    bank_name,
                    branch,
                    cnaps,
                })
            }
            _ => Err(ValidationErrors::new()),
        }
    }
}

/// An account number as anyone but platform finance sees it: the last four digits.
pub fn mask_account_no(no: &str) -> String {
    let tail: String = no
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn input() -> BankAccountInput {
        BankAccountInput {
            account_name: " 青石县梅岭脐橙专业合作社 ".into(),
            account_no: "6228 4801 2345 6789 012".into(),
            bank_name: "中国农业银行".into(),
            branch: "中国农业银行青石县支行".into(),
            cnaps: Some("103428012345".into()),
        }
    }

    #[test]
    fn a_good_account_is_trimmed_and_its_number_kept_as_digits() {
        let a = BankAccount::parse(&input()).unwrap();
        assert_eq!(a.account_name, "青石县梅岭脐橙专业合作社");
        assert_eq!(a.account_no, "6228480123456789012");
        assert_eq!(a.cnaps.as_deref(), Some("103428012345"));
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut i = input();
        i.account_name = "".into();
        i.account_no = "6228-48O1".into();
        i.branch = "x".repeat(61);
        i.cnaps = Some("10342801234".into());
        let e = BankAccount::parse(&i).unwrap_err();
        let codes = e.codes_by_field();
        assert_eq!(
            codes.get("account_name").map(String::as_str),
            Some("required")
        );
        assert_eq!(
            codes.get("account_no").map(String::as_str),
            Some("not_digits")
        );
        assert_eq!(codes.get("branch").map(String::as_str), Some("too_long"));
        assert_eq!(
            codes.get("cnaps").map(String::as_str),
            Some("invalid_cnaps")
        );
        assert!(!codes.contains_key("bank_name"));
    }

    #[test]
    fn a_short_or_long_number_is_refused_and_a_blank_cnaps_is_none() {
        let mut i = input();
        i.account_no = "1234567".into();
        assert!(BankAccount::parse(&i).is_err());
        i.account_no = "1".repeat(33);
        assert!(BankAccount::parse(&i).is_err());
        i.account_no = "12345678".into();
        i.cnaps = Some("  ".into());
        assert_eq!(BankAccount::parse(&i).unwrap().cnaps, None);
    }

    #[test]
    fn only_the_last_four_digits_show() {
        assert_eq!(mask_account_no("6228480123456789012"), "****9012");
        assert_eq!(mask_account_no("123"), "****123");
    }

    #[test]
    fn only_a_pending_account_is_verified_or_rejected() {
        use AccountStatus::*;
        assert_eq!(review(Pending, Review::Verify), Ok(Verified));
        assert_eq!(review(Pending, Review::Reject), Ok(Rejected));
        for s in [Verified, Rejected] {
            assert_eq!(review(s, Review::Verify), Err(NotPending));
            assert_eq!(review(s, Review::Reject), Err(NotPending));
        }
    }
}
