//! Phones and e-mail addresses: the two ways a person logs in, and personal data that is shown
//! masked to everyone but its owner and those who must contact them.

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A mainland China mobile number, normalised to its 11 digits (`13800138000`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Accepts `13800138000`, `+86 138 0013 8000`, `0086-138-0013-8000`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let bytes = digits.as_bytes();
        let ok = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if ok {
            Ok(Self(digits.to_owned()))
        } else {
            Err(FieldError::new(
                "phone",
                "invalid_phone",
                "请输入 11 位中国大陆手机号",
                "enter an 11-digit mainland China mobile number",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000`: enough to recognise, not enough to call.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }

    /// A stored phone string, masked; `None` when it is not a phone number.
    pub fn mask(raw: &str) -> Option<String> {
        Self::parse(raw).ok().map(|p| p.masked())
    }
}

impl fmt::Debug for Phone {
    // Logs never carry a full phone number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> Self {
        p.0
    }
}

/// An e-mail address, trimmed and lower-cased. Checked for shape, not deliverability.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_lowercase();
        let bad = || {
            FieldError::new(
                "email",
                "invalid_email",
                "邮箱格式不正确",
                "that is not a valid e-mail address",
            )
        };
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `w***@example.com`.
    pub fn masked(&self) -> String {
        match self.0.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".to_owned(),
        }
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.masked())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

/// What a person types in the login box: a phone number or an e-mail address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LoginId {
    Phone(Phone),
    Email(Email),
}

impl LoginId {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        if input.contains('@') {
            Email::parse(input).map(LoginId::Email)
        } else {
            Phone::parse(input).map(LoginId::Phone).map_err(|_| {
                FieldError::new(
                    "login",
                    "invalid_login",
                    "请输入手机号或邮箱",
                    "enter a phone number or an e-mail address",
                )
            })
        }
    }

    /// The normalised form, used as a rate-limit key.
    pub fn as_str(&self) -> &str {
        match self {
            LoginId::Phone(p) => p.as_str(),
            LoginId::Email(e) => e.as_str(),
        }
    }

    pub fn masked(&self) -> String {
        match self {
            LoginId::Phone(p) => p.masked(),
            LoginId::Email(e) => e.masked(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_from_common_spellings() {
        for input in [
            "13800138000",
            "+86 138 0013 8000",
            "0086-138-0013-8000",
            "(138)00138000",
        ] {
            assert_eq!(
                Phone::parse(input).map(|p| p.to_string()),
                Ok("13800138000".into()),
                "{input}"
            );
        }
    }

    #[test]
    fn landlines_short_numbers_and_letters_are_not_phones() {
        for input in [
            "",
            "1380013800",
            "138001380001",
            "12800138000",
            "0755-12345678",
            "1380013800a",
            "１３８００１３８０００",
        ] {
            assert!(Phone::parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn a_phone_never_prints_in_full_in_debug() {
        let p = Phone::parse("13800138000").map_err(|e| e.to_string());
        assert_eq!(
            p.as_ref().map(|p| format!("{p:?}")),
            Ok("Phone(138****8000)".to_owned())
        );
        assert_eq!(p.map(|p| p.masked()), Ok("138****8000".to_owned()));
    }

    #[test]
    fn emails_are_lowercased_and_checked_for_shape() {
        assert_eq!(
            Email::parse(" Wang@Example.COM ").map(|e| e.to_string()),
            Ok("wang@example.com".into())
        );
        for bad in [
            "",
            "a@",
            "@b.com",
            "a@b",
            "a b@c.com",
            "a@@b.com",
            "a@b..com",
            "a@.b.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Email::parse("wang@example.com").map(|e| e.masked()),
            Ok("w***@example.com".into())
        );
    }

    #[test]
    fn a_login_is_an_email_when_it_has_an_at_sign() {
        assert!(matches!(LoginId::parse("a@b.cn"), Ok(LoginId::Email(_))));
        assert!(matches!(
            LoginId::parse("13800138000"),
            Ok(LoginId::Phone(_))
        ));
        assert_eq!(
            LoginId::parse("nobody").map_err(|e| e.code),
            Err("invalid_login")
        );
    }
}
