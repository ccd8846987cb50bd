//! Fen ↔ yuan text, with integer arithmetic only.
//!
//! WeChat Pay API v3 speaks integer fen (`"total": 1234`) everywhere except its bill files;
//! Alipay speaks yuan strings (`"total_amount": "12.34"`, "单位为元，精确到小数点后两位，取值范围
//! [0.01,100000000]") in requests, answers, notifications and bills. A float never touches an
//! amount: `"12.34"` is read as the integer 12 and the two digits 34, and written back the same
//! way. Anything else — more than two decimals, a sign, an exponent, spaces, `"12."`, `".5"` —
//! is refused rather than rounded, because a provider that sent it is not the provider we think.

/// Why a yuan string was refused. Carries the text: an amount is not a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an amount in yuan with at most two decimals: {0:?}")]
pub struct BadAmount(pub String);

/// The largest amount we read, in fen: ten billion yuan, far above either provider's limit,
/// and far below `i64::MAX`, so sums of bill lines cannot overflow.
pub const MAX_FEN: i64 = 1_000_000_000_000;

/// `1234` → `"12.34"`, `5` → `"0.05"`, `-150` → `"-1.50"` (bills list refunds negative).
pub fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `"12.34"` → `1234`, `"12.3"` → `1230`, `"12"` → `1200`. Refuses negatives, more than two
/// decimals, exponents, signs, spaces, empty parts and amounts above [`MAX_FEN`].
pub fn yuan_to_fen(text: &str) -> Result<i64, BadAmount> {
    let bad = || BadAmount(text.to_owned());
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    if whole.is_empty() || whole.len() > 13 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let cents = match frac {
        None => 0,
        Some(f) if f.is_empty() || f.len() > 2 || !f.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(bad());
        }
        Some(f) => {
            let n: i64 = f.parse().map_err(|_| bad())?;
            if f.len() == 1 { n * 10 } else { n }
        }
    };
    let fen = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(bad)?;
    if fen > MAX_FEN {
        return Err(bad());
    }
    Ok(fen)
}

/// As [`yuan_to_fen`], with an optional leading `-`: bill files list refunds as negative
/// amounts. Requests and notifications never accept a sign.
pub fn signed_yuan_to_fen(text: &str) -> Result<i64, BadAmount> {
    match text.strip_prefix('-') {
        Some(rest) => yuan_to_fen(rest)
            .map(|f| -f)
            .map_err(|_| BadAmount(text.to_owned())),
        None => yuan_to_fen(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_are_written_with_two_decimals() {
        assert_eq!(fen_to_yuan(0), "0.00");
        assert_eq!(fen_to_yuan(1), "0.01");
        assert_eq!(fen_to_yuan(10), "0.10");
        assert_eq!(fen_to_yuan(1234), "12.34");
        assert_eq!(fen_to_yuan(10_000_000_000), "100000000.00");
        assert_eq!(fen_to_yuan(-150), "-1.50");
        assert_eq!(fen_to_yuan(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn yuan_are_read_exactly() {
        for (text, fen) in [
            ("0.01", 1),
            ("0.1", 10),
            ("12", 1200),
            ("12.3", 1230),
            ("12.34", 1234),
            ("0012.34", 1234),
            ("100000000.00", 10_000_000_000),
        ] {
            assert_eq!(yuan_to_fen(text), Ok(fen), "{text}");
            assert_eq!(yuan_to_fen(&fen_to_yuan(fen)), Ok(fen));
        }
    }

    #[test]
    fn anything_but_plain_yuan_is_refused() {
        for text in [
            "",
            ".",
            "1.",
            ".5",
            "1.234",
            "-1",
            "-0.01",
            "+1",
            "1e3",
            "1E3",
            " 1",
            "1 ",
            "1,00",
            "0x10",
            "1.2.3",
            "１２",
            "NaN",
            "inf",
            "12345678901234",
            "10000000000.01",
        ] {
            assert!(yuan_to_fen(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn bills_may_carry_a_minus() {
        assert_eq!(signed_yuan_to_fen("-1.50"), Ok(-150));
        assert_eq!(signed_yuan_to_fen("1.50"), Ok(150));
        assert!(signed_yuan_to_fen("--1").is_err());
        assert!(signed_yuan_to_fen("-").is_err());
        assert!(signed_yuan_to_fen("-1.234").is_err());
    }
}
