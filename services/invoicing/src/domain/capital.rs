//! Amounts in words: the Chinese financial capital numerals (大写金额) every invoice prints
//! beside the figures (价税合计（大写）), and yuan figures from fen, exactly, in integers.

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES: [&str; 4] = ["仟", "佰", "拾", ""];

/// An amount of fen in capital numerals: `123456` → 壹仟贰佰叁拾肆元伍角陆分, `10000` →
/// 壹佰元整, `1005` → 壹拾元零伍分, `-5` → 负伍分.
pub fn capital(fen: i64) -> String {
    let sign = if fen < 0 { "负" } else { "" };
    let abs = fen.unsigned_abs();
    let yuan = abs / 100;
    let jiao = usize::try_from(abs / 10 % 10).unwrap_or(0);
    let fen = usize::try_from(abs % 10).unwrap_or(0);
    let mut out = String::from(sign);
    if yuan > 0 {
        out.push_str(&integer(yuan));
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => {
            if yuan == 0 {
                out.push_str("零元");
            }
            out.push('整');
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push_str("角整");
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    out
}

/// A positive integer in capital numerals, with 万 and 亿 (亿 repeats for larger numbers:
/// 壹万亿 is 壹万 followed by 亿).
fn integer(n: u64) -> String {
    const YI: u64 = 100_000_000;
    if n >= YI {
        let (hi, lo) = (n / YI, n % YI);
        let mut s = integer(hi);
        s.push('亿');
        if lo > 0 {
            if lo < YI / 10 {
                s.push('零');
            }
            s.push_str(&below_yi(lo));
        }
        s
    } else {
        below_yi(n)
    }
}

/// 1 ..= 9999_9999.
fn below_yi(n: u64) -> String {
    let (hi, lo) = (n / 10_000, n % 10_000);
    let mut s = String::new();
    if hi > 0 {
        s.push_str(&group(hi));
        s.push('万');
    }
    if lo > 0 {
        if hi > 0 && lo < 1_000 {
            s.push('零');
        }
        s.push_str(&group(lo));
    }
    s
}

/// 1 ..= 9999: zeros inside collapse to one 零, trailing zeros are silent.
fn group(n: u64) -> String {
    let digits = [n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10];
    let mut s = String::new();
    let mut zero_pending = false;
    for (d, place) in digits.iter().zip(PLACES) {
        let d = usize::try_from(*d).unwrap_or(0);
        if d == 0 {
            zero_pending = !s.is_empty();
            continue;
        }
        if zero_pending {
            s.push('零');
            zero_pending = false;
        }
        s.push(DIGITS[d]);
        s.push_str(place);
    }
    s
}

/// Fen as yuan with two decimals, no currency sign: `123456` → `1234.56`, `-5` → `-0.05`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_yuan_end_in_zheng() {
        assert_eq!(capital(0), "零元整");
        assert_eq!(capital(100), "壹元整");
        assert_eq!(capital(1_000), "壹拾元整");
        assert_eq!(capital(10_000), "壹佰元整");
        assert_eq!(capital(100_000_000), "壹佰万元整");
    }

    #[test]
    fn jiao_and_fen_are_named_and_a_missing_jiao_reads_ling() {
        assert_eq!(capital(123_456), "壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(capital(1_005), "壹拾元零伍分");
        assert_eq!(capital(5_990), "伍拾玖元玖角整");
        assert_eq!(capital(1), "壹分");
        assert_eq!(capital(10), "壹角整");
        assert_eq!(capital(15), "壹角伍分");
    }

    #[test]
    fn zeros_inside_collapse_to_one_ling() {
        assert_eq!(capital(101_000), "壹仟零壹拾元整");
        assert_eq!(capital(100_100), "壹仟零壹元整");
        assert_eq!(capital(10_000_100), "壹拾万零壹元整");
        assert_eq!(capital(1_000_010_000), "壹仟万零壹佰元整");
        assert_eq!(capital(1_200_000_000), "壹仟贰佰万元整");
        assert_eq!(capital(1_001_000_000), "壹仟零壹万元整");
    }

    #[test]
    fn yi_and_above() {
        assert_eq!(capital(10_000_000_000), "壹亿元整");
        assert_eq!(capital(10_001_000_000), "壹亿零壹万元整");
        assert_eq!(
            capital(11_234_567_800),
            "壹亿壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元整"
        );
        assert_eq!(capital(10_100_000_000), "壹亿零壹佰万元整");
        assert_eq!(
            capital(100_000_000_000_000),
            "壹万亿元整",
            "a trillion yuan in fen"
        );
    }

    #[test]
    fn negative_amounts_say_fu() {
        assert_eq!(capital(-5), "负伍分");
        assert_eq!(capital(-100), "负壹元整");
    }

    #[test]
    fn yuan_figures_come_from_fen_exactly() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(123_456), "1234.56");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(i64::MIN), "-92233720368547758.08");
    }
}
