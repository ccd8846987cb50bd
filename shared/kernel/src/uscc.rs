//! The unified social credit code (统一社会信用代码, GB 32100-2015): the 18-character licence
//! number every cooperative, enterprise and registered family farm carries.

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code whose check character is correct.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s: String = input
            .trim()
            .chars()
            .filter(|c| *c != ' ')
            .collect::<String>()
            .to_ascii_uppercase();
        let bad = |zh: &str, en: &str| FieldError::new("licence_no", "invalid_licence_no", zh, en);
        if s.len() != 18 || !s.is_ascii() {
            return Err(bad(
                "统一社会信用代码应为 18 位",
                "the unified social credit code has 18 characters",
            ));
        }
        let values: Option<Vec<u32>> = s.bytes().map(value_of).collect();
        let Some(values) = values else {
            return Err(bad(
                "统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）",
                "the code has characters that are never used (I, O, Z, S, V)",
            ));
        };
        if Some(values[17]) != check_value(&values[..17]) {
            return Err(bad(
                "统一社会信用代码校验位不正确，请核对",
                "the check character does not match; please re-check the code",
            ));
        }
        Ok(Self(s))
    }

    /// Completes 17 characters with their check character. Used to generate demo licences.
    pub fn with_check_char(first17: &str) -> Option<Self> {
        let values: Option<Vec<u32>> = first17.bytes().map(value_of).collect();
        let values = values.filter(|v| v.len() == 17)?;
        let check = check_value(&values)?;
        let c = char::from(*ALPHABET.get(usize::try_from(check).ok()?)?);
        Some(Self(format!("{first17}{c}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn value_of(b: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&a| a == b)
        .and_then(|p| u32::try_from(p).ok())
}

fn check_value(first17: &[u32]) -> Option<u32> {
    if first17.len() != 17 {
        return None;
    }
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    Some((31 - sum % 31) % 31)
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Uscc {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> Self {
        u.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_code_verifies() {
        // A well-known published code (a large state-owned enterprise's licence).
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
        assert!(
            Uscc::parse(" 91350100m000100y43 ").is_ok(),
            "case and spaces are forgiven"
        );
    }

    #[test]
    fn a_changed_character_fails_the_check() {
        assert_eq!(
            Uscc::parse("91350100M000100Y44").map_err(|e| e.code),
            Err("invalid_licence_no")
        );
        assert!(Uscc::parse("91350100M000100Y4").is_err(), "too short");
        assert!(
            Uscc::parse("91350100M000100I43").is_err(),
            "I is never used"
        );
    }

    #[test]
    fn generated_codes_round_trip() {
        let code = Uscc::with_check_char("93360799MA3XQ1234");
        let text = code.as_ref().map(|c| c.to_string()).unwrap_or_default();
        assert_eq!(text.len(), 18);
        assert!(Uscc::parse(&text).is_ok());
        assert!(Uscc::with_check_char("short").is_none());
    }
}
