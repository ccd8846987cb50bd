//! Paste-to-recognise (智能识别): a buyer pastes what a friend or a chat sent them —
//! "张三 138 0013 8000 江西省赣州市南康区唐江镇卢屋村8号", "收货人：李四，手机：13800138000，
//! 地址：北京市朝阳区建国路88号", "江西赣州南康 唐江镇 8号 王芳 13800138000" — and the address
//! form fills itself in. Nothing is saved: the buyer checks the form and saves it as usual.
//!
//! How it reads the text, in order:
//! 1. full-width letters, digits and punctuation become half-width; labels (收货人：, 手机：,
//!    地址：…) are dropped;
//! 2. the first mobile number (11 digits from 1[3-9], spaces or dashes inside, +86 in front
//!    allowed) is the phone; a lone six-digit number is a postcode and is dropped;
//! 3. the rest is cut into pieces at spaces, commas and semicolons; at the start of a piece it
//!    looks for a province, then one of its cities, then one of that city's districts — each by
//!    its full name or its short one (江西, 赣州, 南康) — or, without a province, for a city or a
//!    district whose full name is unique in the country;
//! 4. what follows the district, and the pieces after it that do not look like a person's name,
//!    are the street; the first piece that looks like a name (no digits, at most 10 characters,
//!    not ending like a place) is the name.

use super::divisions::{Divisions, Level};
use serde::Serialize;
use utoipa::ToSchema;

/// What the text was read as; a field not found is absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Recognised {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub street: Option<String>,
    /// GB/T 2260 codes of what was found, for the picker.
    pub province_code: Option<String>,
    pub city_code: Option<String>,
    pub district_code: Option<String>,
}

const LABELS: [&str; 17] = [
    "收货人",
    "收件人",
    "联系人",
    "姓名",
    "手机号码",
    "手机号",
    "手机",
    "联系电话",
    "电话",
    "所在地区",
    "所在地",
    "详细地址",
    "收货地址",
    "地址",
    "邮政编码",
    "邮编",
    "号码",
];

/// Endings of a piece that names a place, not a person.
const PLACE_ENDINGS: [char; 24] = [
    '省', '市', '区', '县', '镇', '乡', '村', '路', '街', '道', '号', '巷', '弄', '组', '栋', '幢',
    '楼', '室', '层', '苑', '园', '庄', '屯', '坊',
];

fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c if c.is_control() => ' ',
        c => c,
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '，' | ';' | '；' | '|' | '、' | '。')
}

/// Drops labels and the colon after them.
fn without_labels(text: &str) -> String {
    let mut out = text.to_owned();
    for label in LABELS {
        for colon in [":", "："] {
            out = out.replace(&format!("{label}{colon}"), " ");
        }
    }
    out
}

/// The first mobile number, and the text with it blanked out.
fn take_phone(chars: &mut [char]) -> Option<String> {
    let n = chars.len();
    let mut start = 0;
    while start < n {
        if chars[start] == '1' && (start == 0 || !chars[start - 1].is_ascii_digit()) {
            let mut digits = String::new();
            let mut i = start;
            while i < n && digits.len() < 11 {
                let c = chars[i];
                if c.is_ascii_digit() {
                    digits.push(c);
                } else if !(c == ' ' || c == '-') || digits.is_empty() {
                    break;
                }
                i += 1;
            }
            let second = digits.chars().nth(1).unwrap_or('0');
            let ends = i >= n || !chars[i].is_ascii_digit();
            if digits.len() == 11 && ('3'..='9').contains(&second) && ends {
                // A country code written before it goes too.
                let mut from = start;
                let before: String = chars[start.saturating_sub(4)..start].iter().collect();
                for prefix in ["+86 ", "+86-", "+86", "0086", "86 ", "86-"] {
                    if before.ends_with(prefix) {
                        from = start - prefix.chars().count();
                        break;
                    }
                }
                for c in &mut chars[from..i] {
                    *c = ' ';
                }
                return Some(digits);
            }
        }
        start += 1;
    }
    None
}

/// The short forms a division is also written by.
fn short_forms(name: &str, level: Level) -> Vec<String> {
    let mut out = Vec::new();
    let strip = |suffixes: &[&str]| {
        suffixes
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .map(str::to_owned)
    };
    let short = match level {
        Level::Province => strip(&[
            "壮族自治区",
            "回族自治区",
            "维吾尔自治区",
            "特别行政区",
            "自治区",
            "省",
            "市",
        ]),
        Level::City => {
            if name.ends_with("自治州") {
                Some(name.chars().take(2).collect())
            } else {
                strip(&["地区", "市", "盟"])
            }
        }
        Level::District => {
            if name.ends_with("自治县") {
                Some(name.chars().take(2).collect())
            } else {
                strip(&["区", "县", "市", "旗"])
            }
        }
    };
    if let Some(s) = short.filter(|s| s.chars().count() >= 2) {
        out.push(s);
    }
    out
}

/// The longest of `codes` whose full or short name starts `text[at..]`: its code and the
/// characters matched.
fn longest_at<'a>(
    t: &Divisions,
    codes: impl Iterator<Item = &'a str>,
    level: Level,
    text: &[char],
    at: usize,
    short: bool,
) -> Vec<(String, usize)> {
    let mut best: Vec<(String, usize)> = Vec::new();
    for code in codes {
        let Some(name) = t.name(code) else { continue };
        let mut forms = vec![name.to_owned()];
        if short {
            forms.extend(short_forms(name, level));
        }
        for form in forms {
            let f: Vec<char> = form.chars().collect();
            if text.len() >= at + f.len() && text[at..at + f.len()] == f[..] {
                match best.first() {
                    Some((_, len)) if *len > f.len() => {}
                    Some((_, len)) if *len == f.len() => {
                        if !best.iter().any(|(c, _)| c == code) {
                            best.push((code.to_owned(), f.len()));
                        }
                    }
                    _ => best = vec![(code.to_owned(), f.len())],
                }
            }
        }
    }
    best
}

fn skip_separators(text: &[char], mut at: usize) -> usize {
    while at < text.len() && is_separator(text[at]) {
        at += 1;
    }
    at
}

/// A region found at `at`: province, city, district codes and where it ends.
#[derive(Debug, Default)]
struct Region {
    province: Option<String>,
    city: Option<String>,
    district: Option<String>,
    end: usize,
}

fn region_at(t: &Divisions, text: &[char], at: usize) -> Option<Region> {
    let mut r = Region {
        end: at,
        ..Region::default()
    };
    // The province, by full or short name.
    if let [(p, len)] = longest_at(
        t,
        t.province_codes().iter().map(String::as_str),
        Level::Province,
        text,
        at,
        true,
    )
    .as_slice()
    {
        r.province = Some(p.clone());
        r.end = skip_separators(text, at + len);
    }
    // The city: below the province, or unique in the country by its full name.
    let cities = match &r.province {
        Some(p) => longest_at(
            t,
            t.child_codes(p).iter().map(String::as_str),
            Level::City,
            text,
            r.end,
            true,
        ),
        None => longest_at(t, t.codes_at(Level::City), Level::City, text, r.end, false),
    };
    if let [(c, len)] = cities.as_slice() {
        r.city = Some(c.clone());
        r.end = skip_separators(text, r.end + len);
        // "北京市北京市朝阳区": a municipality written twice.
        if let Some(p) = &r.province {
            let kids = t.child_codes(p);
            if kids.len() == 1 && t.name(&kids[0]) == t.name(p) {
                let again = longest_at(
                    t,
                    kids.iter().map(String::as_str),
                    Level::City,
                    text,
                    r.end,
                    true,
                );
                if let [(_, len)] = again.as_slice() {
                    r.end = skip_separators(text, r.end + len);
                }
            }
        }
    } else if let Some(p) = &r.province {
        // A municipality's one city need not be written.
        let kids = t.child_codes(p);
        if kids.len() == 1 {
            r.city = Some(kids[0].clone());
        }
    }
    // The district: below the city, below any city of the province, or unique by full name.
    let districts = match (&r.city, &r.province) {
        (Some(c), _) => longest_at(
            t,
            t.child_codes(c).iter().map(String::as_str),
            Level::District,
            text,
            r.end,
            true,
        ),
        (None, Some(p)) => longest_at(
            t,
            t.child_codes(p)
                .iter()
                .flat_map(|c| t.child_codes(c).iter().map(String::as_str)),
            Level::District,
            text,
            r.end,
            true,
        ),
        (None, None) => longest_at(
            t,
            t.codes_at(Level::District),
            Level::District,
            text,
            r.end,
            false,
        ),
    };
    if let [(d, len)] = districts.as_slice() {
        r.district = Some(d.clone());
        r.end += len;
        if r.city.is_none() {
            r.city = t.parent(d).map(str::to_owned);
        }
    }
    if r.province.is_none() {
        r.province = r
            .city
            .as_deref()
            .and_then(|c| t.parent(c))
            .map(str::to_owned);
    }
    if r.city.is_none() && r.district.is_none() {
        return None;
    }
    Some(r)
}

fn looks_like_a_name(piece: &str) -> bool {
    let n = piece.chars().count();
    (1..=10).contains(&n)
        && !piece.chars().any(|c| c.is_ascii_digit())
        && !piece
            .chars()
            .last()
            .is_some_and(|c| PLACE_ENDINGS.contains(&c))
}

fn pieces(text: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        i = skip_separators(text, i);
        let start = i;
        while i < text.len() && !is_separator(text[i]) {
            i += 1;
        }
        if i > start {
            out.push((start, i));
        }
    }
    out
}

fn clamp(s: &str, max: usize) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.chars().take(max).collect())
}

/// Reads a pasted address.
pub fn recognise(text: &str, t: &Divisions) -> Recognised {
    let cleaned: String = without_labels(&text.chars().map(half_width).collect::<String>());
    let mut chars: Vec<char> = cleaned.chars().collect();
    let phone = take_phone(&mut chars);
    let mut out = Recognised {
        phone,
        ..Recognised::default()
    };
    let mut all = pieces(&chars);
    // A lone six-digit number is a postcode.
    all.retain(|(s, e)| !(e - s == 6 && chars[*s..*e].iter().all(char::is_ascii_digit)));

    let found = all
        .iter()
        .enumerate()
        .find_map(|(i, (s, _))| region_at(t, &chars, *s).map(|r| (i, r)));
    let mut used = vec![false; all.len()];
    if let Some((first, r)) = found {
        let name = |c: &Option<String>| c.as_deref().and_then(|c| t.name(c)).map(str::to_owned);
        out.province = name(&r.province);
        out.city = name(&r.city);
        out.district = name(&r.district).or_else(|| {
            // A city with nothing below it (仙桃市) is its own district.
            r.city
                .as_deref()
                .filter(|c| t.child_codes(c).is_empty())
                .and_then(|c| t.name(c))
                .map(str::to_owned)
        });
        out.province_code = r.province;
        out.city_code = r.city;
        out.district_code = r.district;
        // The pieces the region spans, then the street: the rest of the last one, and the
        // pieces after it up to one that looks like a name.
        let mut street = String::new();
        let mut i = first;
        while i < all.len() && all[i].0 < r.end {
            used[i] = true;
            if all[i].1 > r.end {
                street.extend(&chars[r.end..all[i].1]);
            }
            i += 1;
        }
        while i < all.len() {
            let piece: String = chars[all[i].0..all[i].1].iter().collect();
            if looks_like_a_name(&piece) && !street.is_empty() {
                break;
            }
            used[i] = true;
            street.push_str(&piece);
            i += 1;
        }
        out.street = clamp(&street, 120);
    }
    let rest: Vec<String> = all
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|((s, e), _)| chars[*s..*e].iter().collect())
        .collect();
    out.name = rest
        .iter()
        .find(|p| looks_like_a_name(p))
        .and_then(|p| clamp(p, 20));
    if out.street.is_none() {
        // No region found: the longest piece with something of an address in it.
        out.street = rest
            .iter()
            .filter(|p| Some(p.as_str()) != out.name.as_deref() && p.chars().count() >= 4)
            .max_by_key(|p| p.chars().count())
            .and_then(|p| clamp(p, 120));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Recognised {
        recognise(text, Divisions::get())
    }

    fn fields(r: &Recognised) -> [Option<&str>; 6] {
        [
            r.name.as_deref(),
            r.phone.as_deref(),
            r.province.as_deref(),
            r.city.as_deref(),
            r.district.as_deref(),
            r.street.as_deref(),
        ]
    }

    #[test]
    fn a_chat_message_in_the_usual_order_is_read_whole() {
        let r = read("张三 138 0013 8000 江西省赣州市南康区唐江镇卢屋村8号");
        assert_eq!(
            fields(&r),
            [
                Some("张三"),
                Some("13800138000"),
                Some("江西省"),
                Some("赣州市"),
                Some("南康区"),
                Some("唐江镇卢屋村8号")
            ]
        );
        assert_eq!(r.district_code.as_deref(), Some("360703"));
        assert_eq!(r.city_code.as_deref(), Some("360700"));
        assert_eq!(r.province_code.as_deref(), Some("360000"));
    }

    #[test]
    fn labels_full_width_digits_and_a_country_code_are_understood() {
        let r = read(
            "收货人：李四，手机：+86 １３８-００１３-８０００，地址：北京市朝阳区建国路88号 邮编：100020",
        );
        assert_eq!(
            fields(&r),
            [
                Some("李四"),
                Some("13800138000"),
                Some("北京市"),
                Some("北京市"),
                Some("朝阳区"),
                Some("建国路88号")
            ]
        );
    }

    #[test]
    fn short_names_spaces_and_the_name_last_are_read_too() {
        let r = read("江西 赣州 南康 唐江镇 卢屋村 8号 王芳 13800138000");
        assert_eq!(
            fields(&r),
            [
                Some("王芳"),
                Some("13800138000"),
                Some("江西省"),
                Some("赣州市"),
                Some("南康区"),
                Some("唐江镇卢屋村8号")
            ]
        );
    }

    #[test]
    fn a_city_or_district_alone_finds_its_province() {
        let r = read("赣州市章贡区红旗大道18号 王芳 13900000000");
        assert_eq!(r.province.as_deref(), Some("江西省"));
        assert_eq!(r.district.as_deref(), Some("章贡区"));
        assert_eq!(r.street.as_deref(), Some("红旗大道18号"));
        let r = read("章贡区红旗大道18号");
        assert_eq!(r.city.as_deref(), Some("赣州市"), "章贡区 is unique");
    }

    #[test]
    fn a_county_level_city_under_its_province_is_also_its_district() {
        let r = read("湖北省仙桃市沔阳大道1号 赵六 13700000000");
        assert_eq!(r.city.as_deref(), Some("仙桃市"));
        assert_eq!(r.district.as_deref(), Some("仙桃市"));
        assert_eq!(r.street.as_deref(), Some("沔阳大道1号"));
    }

    #[test]
    fn a_municipality_written_twice_is_one_city() {
        let r = read("上海市 上海市 浦东新区 世纪大道100号");
        assert_eq!(r.city.as_deref(), Some("上海市"));
        assert_eq!(r.district.as_deref(), Some("浦东新区"));
        assert_eq!(r.street.as_deref(), Some("世纪大道100号"));
    }

    #[test]
    fn nothing_recognisable_gives_what_it_can_and_never_panics() {
        assert_eq!(read(""), Recognised::default());
        assert_eq!(read("    ,,,;;;"), Recognised::default());
        let r = read("12345678901234567890");
        assert_eq!(r.phone, None, "not a mobile number");
        let r = read("小明 光明路9号");
        assert_eq!(r.name.as_deref(), Some("小明"));
        assert_eq!(r.street.as_deref(), Some("光明路9号"));
        assert_eq!(r.province, None);
        for weird in [
            "\u{0}\u{1}江西",
            "🍊🍊🍊 138",
            "江西省江西省江西省",
            "1",
            "+86",
            "北京",
        ] {
            let _ = read(weird);
        }
        let long: String = "江西省赣州市南康区".repeat(100);
        assert!(read(&long).street.is_some_and(|s| s.chars().count() <= 120));
    }

    #[test]
    fn a_landline_or_a_number_too_long_is_not_taken_as_the_mobile() {
        assert_eq!(read("0797-8888888").phone, None);
        assert_eq!(read("138001380001").phone, None, "12 digits");
        assert_eq!(
            read("12800138000").phone,
            None,
            "12x is not a mobile prefix"
        );
    }
}
