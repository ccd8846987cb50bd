//! Phone one-time codes: what they are for, how they are made, and how only a keyed hash of
//! each is kept.
//!
//! A code is six random digits, valid for five minutes and five tries, bound to one phone and
//! one purpose (a registration code does not reset a password). The database keeps
//! `HMAC-SHA256(key, purpose | phone | code)` where `key` is random per code and lives only in
//! the cache: someone who reads the database cannot try the million possible codes offline,
//! and someone who reads the cache has no hash to try them against.

use farmgate_kernel::{FieldError, Phone, labelled_enum};
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;

labelled_enum!(
    /// What a code proves the phone for. A code is accepted only for the purpose it was sent for.
    CodePurpose {
        Register => "register", "注册", "registration";
        Login => "login", "验证码登录", "logging in";
        ResetPassword => "reset_password", "找回密码", "password reset";
        ChangePhone => "change_phone", "更换或验证手机号", "changing or verifying the phone";
        AcceptInvitation => "accept_invitation", "接受组织邀请", "accepting an invitation";
        BankAccount => "bank_account", "更改结算银行账户", "changing the settlement bank account";
    }
);

impl CodePurpose {
    /// Purposes only a logged-in person may ask a code for (the others start a session).
    pub fn needs_session(self) -> bool {
        matches!(
            self,
            Self::ChangePhone | Self::AcceptInvitation | Self::BankAccount
        )
    }

    /// Purposes that only ever prove one's own phone: a code for them goes to the account's
    /// phone and nowhere else (otherwise a logged-in account could text strangers).
    pub fn own_phone_only(self) -> bool {
        matches!(self, Self::AcceptInvitation | Self::BankAccount)
    }
}

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;

/// A fresh code: six uniformly random digits (leading zeros kept).
pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// A fresh random key for one code's hash.
pub fn new_code_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rng().fill(&mut key);
    key
}

/// What the database keeps of a code: hex HMAC-SHA256 over purpose, phone and code.
pub fn code_digest(key: &[u8], purpose: CodePurpose, phone: &Phone, code: &str) -> String {
    // HMAC takes keys of any length; `new_from_slice` fails on none.
    let Ok(mut mac) = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(purpose.as_str().as_bytes());
    mac.update(b"|");
    mac.update(phone.as_str().as_bytes());
    mac.update(b"|");
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two digests in constant time (no early exit on the first difference).
pub fn digests_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A code as typed: six digits, spaces ignored. Anything else is refused before it costs a try.
pub fn parse_code(input: &str) -> Result<String, FieldError> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(FieldError::new(
            "code",
            "invalid_code",
            "请输入短信中的 6 位数字验证码",
            "enter the 6-digit code from the text message",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone() -> Phone {
        Phone::parse("13800138000").unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..200).map(|_| new_code()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(codes.len() > 190, "random, not repeating");
    }

    #[test]
    fn a_digest_depends_on_key_purpose_phone_and_code() {
        let (k1, k2) = (new_code_key(), new_code_key());
        let d = code_digest(&k1, CodePurpose::Login, &phone(), "123456");
        assert_eq!(d.len(), 64);
        assert!(
            !d.contains("123456"),
            "the code is not readable in its digest"
        );
        assert!(digests_match(
            &d,
            &code_digest(&k1, CodePurpose::Login, &phone(), "123456")
        ));
        assert!(!digests_match(
            &d,
            &code_digest(&k2, CodePurpose::Login, &phone(), "123456")
        ));
        assert!(!digests_match(
            &d,
            &code_digest(&k1, CodePurpose::Register, &phone(), "123456")
        ));
        assert!(!digests_match(
            &d,
            &code_digest(&k1, CodePurpose::Login, &phone(), "123457")
        ));
        let other = Phone::parse("13800138001").unwrap_or_else(|_| unreachable!());
        assert!(!digests_match(
            &d,
            &code_digest(&k1, CodePurpose::Login, &other, "123456")
        ));
        assert!(!digests_match("", ""), "an empty digest never matches");
    }

    #[test]
    fn a_typed_code_is_six_digits() {
        assert_eq!(parse_code(" 012 345 ").ok().as_deref(), Some("012345"));
        for bad in ["12345", "1234567", "12a456", "", "１２３４５６"] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_changing_the_phone_and_accepting_need_a_session() {
        assert!(CodePurpose::ChangePhone.needs_session());
        assert!(CodePurpose::AcceptInvitation.needs_session());
        assert!(!CodePurpose::Register.needs_session() && !CodePurpose::Login.needs_session());
        assert!(!CodePurpose::ResetPassword.needs_session());
    }
}
