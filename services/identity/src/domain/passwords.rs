//! What a new password must be: 8–128 characters, and not one an attacker tries first.
//!
//! Composition rules ("a digit and a capital") are not used: they make passwords harder to
//! remember and no harder to guess. Instead a password is refused when it is on the list of the
//! commonest passwords (`data/common-passwords.txt`, embedded in the binary), or when a rule
//! says an attacker's list would have it anyway: a phone number or a date, a run of digits
//! (`12345678`, `98765432`), a short block repeated (`123123123`, `abcabcabc`), few distinct
//! characters (`11112222`), a keyboard walk (`qwertyui`, `1qaz2wsx`), a common word or surname
//! followed by weak digits (`woaini1314`, `zhang19900101`), or the person's own phone number.

use farmgate_kernel::{FieldError, Phone};
use std::collections::HashSet;
use std::sync::LazyLock;

/// The password of every demo account. It is refused by [`NewPassword::parse`], so only the
/// demo seed (which writes it through its own path and marks the account) can use it, and the
/// server refuses to start in production mode while any account still has it.
pub const DEMO_PASSWORD: &str = "farmgate123";

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Words people put a few digits after. Surnames in pinyin are here because "surname +
/// birthday" is the commonest pattern in Chinese password leaks.
const COMMON_STEMS: &[&str] = &[
    "woaini", "iloveyou", "aini", "love", "password", "passwd", "pass", "mima", "admin", "root",
    "test", "qq", "abc", "abcd", "qwe", "qwer", "qwerty", "asd", "asdf", "zxc", "a", "aa", "aaa",
    "wo", "nihao", "hello", "baby", "dragon", "monkey", "china", "zhongguo", "beijing", "shanghai",
    "farmgate", "nongyuan", "wang", "zhang", "li", "liu", "chen", "yang", "huang", "zhao", "wu",
    "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo", "zheng", "liang",
    "xie", "song", "tang", "han", "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong",
    "pan", "yuan", "cai", "jiang", "yu", "du", "ye", "cheng", "wei", "su", "lv", "ding", "ren",
    "lu", "yao", "shen", "zhong", "cui", "tan", "fan", "jin", "shi", "hao", "kong", "bai",
];

/// Keyboard walks, forwards (reversed walks are checked too).
const WALKS: &[&str] = &[
    "1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "!@#$%^&*()_+",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
    "qazwsxedcrfvtgbyhnujmik,ol.p;/",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
    "!qaz@wsx#edc$rfv",
    "qweasdzxc",
    "123qweasdzxc",
];

/// Digit strings people add to words: love codes (5201314 "I love you for a lifetime"),
/// lucky numbers.
const LOVE_AND_LUCK: &[&str] = &[
    "520", "521", "1314", "5201314", "1314520", "666", "888", "168", "518", "6666", "8888",
    "7758521", "147", "258", "369", "159", "357",
];

/// A new password as typed, checked by [`NewPassword::parse`].
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

fn err(code: &'static str, zh: &str, en: &str) -> FieldError {
    FieldError::new("password", code, zh, en)
}

fn too_common() -> FieldError {
    err(
        "too_common",
        "这个密码太常见，很容易被猜到，请换一个（例如几个不相关的词组合）",
        "this password is too common and easy to guess; choose another (a few unrelated words work well)",
    )
}

impl NewPassword {
    /// Checks a password someone chose. `phone` is theirs: a password containing it is refused.
    pub fn parse(input: &str, phone: Option<&Phone>) -> Result<Self, FieldError> {
        let n = input.chars().count();
        if n < 8 {
            return Err(err(
                "too_short",
                "密码至少 8 位",
                "the password needs at least 8 characters",
            ));
        }
        if n > 128 {
            return Err(err(
                "too_long",
                "密码最多 128 位",
                "the password can have at most 128 characters",
            ));
        }
        let mut chars = input.chars();
        let first = chars.next();
        if chars.all(|c| Some(c) == first) {
            return Err(err(
                "too_weak",
                "密码不能是同一个字符重复",
                "the password cannot be one character repeated",
            ));
        }
        if let Some(p) = phone
            && (input.contains(p.as_str()) || input.contains(&p.as_str()[3..]))
        {
            return Err(err(
                "too_weak",
                "密码不能包含手机号",
                "the password cannot contain your phone number",
            ));
        }
        if is_guessable(input) {
            return Err(too_common());
        }
        Ok(Self(input.to_owned()))
    }

    /// The demo password, for the demo seed only (it is on the refused list).
    pub(crate) fn demo() -> Self {
        Self(DEMO_PASSWORD.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Whether an attacker's first guesses would include `input`.
pub fn is_guessable(input: &str) -> bool {
    let s = input.trim().to_lowercase();
    if COMMON.contains(s.as_str()) || is_walk(&s) || is_periodic(&s) || few_distinct(&s) {
        return true;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return weak_digits(&s);
    }
    // A word followed by digits (and maybe a trailing symbol): woaini1314, zhang19900101.
    let trimmed = s.trim_end_matches(|c: char| c.is_ascii_punctuation());
    let stem_end = trimmed
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (stem, digits) = trimmed.split_at(stem_end);
    if digits.bytes().all(|b| b.is_ascii_digit())
        && (COMMON_STEMS.contains(&stem) || COMMON.contains(stem))
        && (digits.len() <= 4 || weak_digits(digits))
    {
        return true;
    }
    // Digits then a common word: 1314woaini, 123456abc.
    let lead = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, stem) = s.split_at(lead);
    !digits.is_empty()
        && (COMMON_STEMS.contains(&stem) || COMMON.contains(stem))
        && (digits.len() <= 4 || weak_digits(digits))
}

/// Digit strings an attacker tries: phone numbers, dates, runs, love codes.
fn weak_digits(d: &str) -> bool {
    let b = d.as_bytes();
    let phone_shaped = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
    phone_shaped
        || is_date(d)
        || is_run(b)
        || is_periodic(d)
        || few_distinct(d)
        || LOVE_AND_LUCK.contains(&d)
        || (d.len() <= 8 && d.len() >= 6 && is_doubled_run(b))
}

/// `yyyymmdd` or `yymmdd` (birthdays), years 1900–2099.
fn is_date(d: &str) -> bool {
    let num = |r: std::ops::Range<usize>| d.get(r).and_then(|x| x.parse::<u32>().ok());
    let month_day =
        |m: Option<u32>, day: Option<u32>| matches!(m, Some(1..=12)) && matches!(day, Some(1..=31));
    match d.len() {
        8 => matches!(num(0..4), Some(1900..=2099)) && month_day(num(4..6), num(6..8)),
        6 => month_day(num(2..4), num(4..6)),
        4 => matches!(num(0..4), Some(1900..=2099)),
        _ => false,
    }
}

/// Each character one more (or one less) than the last: 12345678, 87654321, abcdefgh.
fn is_run(b: &[u8]) -> bool {
    b.len() >= 3
        && (b.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
            || b.windows(2).all(|w| w[1] == w[0].wrapping_sub(1)))
}

/// 11223344, 99887766: a run with every step doubled.
fn is_doubled_run(b: &[u8]) -> bool {
    b.len().is_multiple_of(2)
        && b.chunks(2).all(|p| p[0] == p[1])
        && is_run(&b.iter().step_by(2).copied().collect::<Vec<_>>())
}

/// A block of at most four characters repeated: 123123123, abcabc, 12121212.
fn is_periodic(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    (1..=4.min(c.len() / 2))
        .any(|p| c.len().is_multiple_of(p) && (p..c.len()).all(|i| c[i] == c[i - p]))
}

/// Two distinct characters or fewer in eight or more: 11112222, aaaabbbb.
fn few_distinct(s: &str) -> bool {
    let distinct: HashSet<char> = s.chars().collect();
    distinct.len() <= 2
}

/// A stretch of a keyboard walk, six keys or more, either way.
fn is_walk(s: &str) -> bool {
    s.chars().count() >= 6
        && WALKS.iter().any(|w| {
            let rev: String = w.chars().rev().collect();
            w.contains(s) || rev.contains(s)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(p: &str) -> Option<&'static str> {
        NewPassword::parse(p, None).err().map(|e| e.code)
    }

    #[test]
    fn short_long_and_one_character_passwords_are_refused_with_a_reason() {
        assert_eq!(code("short"), Some("too_short"));
        assert_eq!(code(&"ab".repeat(65)), Some("too_long"));
        assert_eq!(code("aaaaaaaaaa"), Some("too_weak"));
        let phone = Phone::parse("13800138000").ok();
        assert_eq!(
            NewPassword::parse("x13800138000", phone.as_ref())
                .err()
                .map(|e| e.code),
            Some("too_weak")
        );
        assert_eq!(
            NewPassword::parse("mm00138000!", phone.as_ref())
                .err()
                .map(|e| e.code),
            Some("too_weak"),
            "the last eight digits of one's phone count too"
        );
    }

    #[test]
    fn the_chinese_favourites_are_refused() {
        for p in [
            "123456789",
            "12345678",
            "woaini1314",
            "qq123456",
            "5201314520",
            "a123456789",
            "iloveyou",
            "password1",
            "147258369",
            "woaini520!",
            "WoAiNi1314",
            "zhang19900101",
            "wang1988",
            "1314woaini",
            "abc123456",
        ] {
            assert_eq!(code(p), Some("too_common"), "{p}");
        }
    }

    #[test]
    fn phone_shaped_dates_runs_and_repeats_are_refused() {
        for p in [
            "13912345678",
            "19900101",
            "20011231",
            "87654321",
            "123123123",
            "12121212",
            "11223344",
            "abcabcabc",
            "11112222",
            "asdasdasd",
        ] {
            assert_eq!(code(p), Some("too_common"), "{p}");
        }
    }

    #[test]
    fn keyboard_walks_are_refused() {
        for p in [
            "qwertyui",
            "1qaz2wsx",
            "zxcvbnm,",
            "asdfghjkl",
            "1q2w3e4r5t",
            "poiuytre",
            "qazwsxedc",
        ] {
            assert_eq!(code(p), Some("too_common"), "{p}");
        }
    }

    #[test]
    fn the_demo_password_cannot_be_chosen() {
        assert_eq!(code(DEMO_PASSWORD), Some("too_common"));
        assert_eq!(NewPassword::demo().expose(), DEMO_PASSWORD);
    }

    #[test]
    fn ordinary_good_passwords_pass() {
        for p in [
            "梅岭脐橙真好吃呀",
            "test-pass-2026",
            "orange tree by the river",
            "Qingshi-county-7",
            "wangfang-likes-tea",
            "29471038",
            "zhangwei1990x!",
        ] {
            assert!(NewPassword::parse(p, None).is_ok(), "{p}");
        }
    }

    #[test]
    fn the_embedded_list_is_loaded_and_lower_case() {
        assert!(COMMON.len() > 200);
        assert!(
            COMMON.iter().all(|p| *p == p.to_lowercase()),
            "entries are lower case"
        );
    }
}
