//! External reference prices (issue #20): a series another market publishes — e.g. a wholesale
//! market's daily price of a product — that the operator uploads as CSV to be shown beside the
//! platform's own prices, always labelled external and never mixed into our figures.
//!
//! The file (UTF-8, a BOM allowed, comma separated, RFC 4180 quotes) has a header row naming
//! the columns, in any order, in English or Chinese:
//!
//! | column | 中文 | value |
//! | --- | --- | --- |
//! | `date` | 日期 | `YYYY-MM-DD` (or `YYYY/MM/DD`), a Shanghai day from 2000-01-01 to today |
//! | `category` | 品类 | a category's id or exact name (中文 or English) |
//! | `product` | 品名 | optional: a product within the category, at most 60 characters |
//! | `unit` | 单位 | `jin`/斤, `kg`/公斤/千克, `box`/箱, `bag`/袋, `piece`/个 |
//! | `price` | 价格 | yuan per unit, at most two decimals, more than 0 and at most 100000 |
//! | `source` | 来源 | who publishes it, 1–60 characters |
//!
//! Every row is checked and every problem reported with its line number (the header is line 1);
//! nothing is stored unless the whole file is right. A series is (source, category, product,
//! unit); a day's price in it is replaced by a later upload, so uploading the same rows again
//! changes nothing.

use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// The most a file may hold, in bytes.
pub const MAX_BYTES: usize = 256 * 1024;
/// The most data rows a file may hold.
pub const MAX_ROWS: usize = 5_000;
/// The highest price, in fen (100 000 yuan per unit).
pub const MAX_PRICE_FEN: i64 = 10_000_000;
/// The longest source or product name, in characters.
pub const MAX_NAME: usize = 60;
/// Problems reported at most (the rest are counted).
pub const MAX_PROBLEMS: usize = 100;

/// The units a price may be quoted in (the price board's).
pub const UNITS: [&str; 5] = ["jin", "kg", "box", "bag", "piece"];

/// A category the file may name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownCategory {
    pub id: String,
    pub name: String,
    pub name_en: String,
}

/// What can be wrong with a file or one of its cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `empty`: no header, or no data row.
    Empty,
    /// `header`: a required column is missing, or a column is unknown or repeated.
    Header(String),
    /// `too_many_rows`: more than [`MAX_ROWS`] data rows.
    TooManyRows,
    /// `columns`: the row has a different number of cells than the header, or a quote is
    /// left open.
    Columns,
    /// `required`: the cell is empty.
    Required,
    /// `invalid`: not a date, not a price (yuan with at most two decimals).
    Invalid,
    /// `out_of_range`: a date before 2000 or after today.
    DateOutOfRange,
    /// `negative`: a price of zero or below.
    Negative,
    /// `too_large`: a price above 100 000 yuan.
    TooLarge,
    /// `too_long`: a name longer than 60 characters, or one holding control characters.
    TooLong,
    /// `unknown_category`: no category has this id or name.
    UnknownCategory,
    /// `unknown_unit`: not one of the units.
    UnknownUnit,
    /// `duplicate`: the same series and day earlier in the file at another price.
    Duplicate(usize),
}

impl Problem {
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Empty => "empty",
            Problem::Header(_) => "header",
            Problem::TooManyRows => "too_many_rows",
            Problem::Columns => "columns",
            Problem::Required => "required",
            Problem::Invalid => "invalid",
            Problem::DateOutOfRange => "out_of_range",
            Problem::Negative => "negative",
            Problem::TooLarge => "too_large",
            Problem::TooLong => "too_long",
            Problem::UnknownCategory => "unknown_category",
            Problem::UnknownUnit => "unknown_unit",
            Problem::Duplicate(_) => "duplicate",
        }
    }

    /// The text, Chinese and English.
    pub fn text(&self) -> (String, String) {
        let (zh, en): (&str, &str) = match self {
            Problem::Empty => (
                "文件为空或没有数据行",
                "the file has no header or no data row",
            ),
            Problem::Header(c) => {
                return (
                    format!(
                        "表头有误（{c}）：应为 date,category,product,unit,price,source 或 日期,品类,品名,单位,价格,来源"
                    ),
                    format!(
                        "bad header ({c}): the columns are date,category,product,unit,price,source"
                    ),
                );
            }
            Problem::TooManyRows => ("数据行不能超过5000行", "at most 5000 data rows"),
            Problem::Columns => (
                "列数与表头不符或引号未闭合",
                "the number of cells differs from the header, or a quote is not closed",
            ),
            Problem::Required => ("不能为空", "required"),
            Problem::Invalid => ("格式不对", "not readable"),
            Problem::DateOutOfRange => (
                "日期应在2000-01-01到今天之间",
                "the date is from 2000-01-01 to today",
            ),
            Problem::Negative => ("价格必须大于0", "the price must be more than 0"),
            Problem::TooLarge => ("价格不能超过100000元", "the price is at most 100000 yuan"),
            Problem::TooLong => (
                "不能超过60个字符，且不能含控制字符",
                "at most 60 characters, no control characters",
            ),
            Problem::UnknownCategory => (
                "没有这个品类（填品类编号或名称）",
                "no such category (give its id or name)",
            ),
            Problem::UnknownUnit => (
                "单位只能是 jin/斤、kg/公斤、box/箱、bag/袋、piece/个",
                "the unit is jin, kg, box, bag or piece",
            ),
            Problem::Duplicate(line) => {
                return (
                    format!("与第{line}行同一序列同一天，但价格不同"),
                    format!("same series and day as line {line} at another price"),
                );
            }
        };
        (zh.to_owned(), en.to_owned())
    }
}

/// A problem at a line (1 = the header; 0 = the file as a whole) and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub column: Option<&'static str>,
    pub problem: Problem,
}

/// What identifies a series.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesKey {
    pub source: String,
    pub category_id: String,
    /// `""`: the category as a whole.
    pub product: String,
    pub unit: &'static str,
}

/// A checked file: each series' prices by day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Upload {
    pub series: BTreeMap<SeriesKey, BTreeMap<NaiveDate, i64>>,
    /// Data rows read (rows repeating an earlier one exactly included).
    pub rows: usize,
}

/// The parse's failure: every problem found (at most [`MAX_PROBLEMS`]) and how many there were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub problems: Vec<LineProblem>,
    pub total: usize,
}

const COLUMNS: [(&str, &str); 6] = [
    ("date", "日期"),
    ("category", "品类"),
    ("product", "品名"),
    ("unit", "单位"),
    ("price", "价格"),
    ("source", "来源"),
];

/// Splits one line into cells (RFC 4180 quotes, no line break inside a quote). `None`: a quote
/// left open.
pub fn split_line(line: &str) -> Option<Vec<String>> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cell.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            cells.push(std::mem::take(&mut cell));
            at_start = true;
        } else {
            cell.push(c);
            at_start = false;
        }
    }
    if quoted {
        return None;
    }
    cells.push(cell);
    Some(cells)
}

/// Yuan with at most two decimals → fen.
pub fn parse_price(s: &str) -> Result<i64, Problem> {
    let s = s
        .trim()
        .trim_start_matches('¥')
        .trim_start_matches('￥')
        .trim();
    if s.is_empty() {
        return Err(Problem::Required);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && frac.is_empty()
        || !digits(whole)
        || !digits(frac)
        || frac.len() > 2
        || (body.contains('.') && frac.is_empty())
    {
        return Err(Problem::Invalid);
    }
    // Past eight whole digits it is too large whatever follows (and would not fit an i64
    // further on).
    let whole = whole.trim_start_matches('0');
    if whole.len() > 8 {
        return Err(if neg {
            Problem::Negative
        } else {
            Problem::TooLarge
        });
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| Problem::Invalid)?
    };
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| Problem::Invalid)? * 10,
        _ => frac.parse().map_err(|_| Problem::Invalid)?,
    };
    let fen = w * 100 + f;
    if neg || fen == 0 {
        return Err(Problem::Negative);
    }
    if fen > MAX_PRICE_FEN {
        return Err(Problem::TooLarge);
    }
    Ok(fen)
}

/// A unit as written → its code.
pub fn parse_unit(s: &str) -> Option<&'static str> {
    match s.trim().to_ascii_lowercase().as_str() {
        "jin" | "斤" | "元/斤" => Some("jin"),
        "kg" | "公斤" | "千克" | "元/公斤" | "元/千克" => Some("kg"),
        "box" | "箱" => Some("box"),
        "bag" | "袋" => Some("bag"),
        "piece" | "个" | "pc" => Some("piece"),
        _ => None,
    }
}

fn parse_date(s: &str, today: NaiveDate) -> Result<NaiveDate, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Problem::Required);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .map_err(|_| Problem::Invalid)?;
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
    if d < first || d > today {
        return Err(Problem::DateOutOfRange);
    }
    Ok(d)
}

fn parse_name(s: &str, required: bool) -> Result<String, Problem> {
    let s = s.trim();
    if s.is_empty() && required {
        return Err(Problem::Required);
    }
    if s.chars().count() > MAX_NAME || s.chars().any(char::is_control) {
        return Err(Problem::TooLong);
    }
    Ok(s.to_owned())
}

/// Reads a file. `today` is the Shanghai day (no price from the future).
pub fn parse(
    text: &str,
    categories: &[KnownCategory],
    today: NaiveDate,
) -> Result<Upload, Rejected> {
    let mut problems: Vec<LineProblem> = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let whole = |problem: Problem| Rejected {
        problems: vec![LineProblem {
            line: 0,
            column: None,
            problem,
        }],
        total: 1,
    };
    let Some((header_line, header)) = lines.next() else {
        return Err(whole(Problem::Empty));
    };
    // Where each column is.
    let mut at: [Option<usize>; 6] = [None; 6];
    let head_problem = |m: String| Rejected {
        problems: vec![LineProblem {
            line: header_line,
            column: None,
            problem: Problem::Header(m),
        }],
        total: 1,
    };
    let cells = split_line(header).ok_or_else(|| head_problem("\"".to_owned()))?;
    let width = cells.len();
    for (i, c) in cells.iter().enumerate() {
        let name = c.trim().to_ascii_lowercase();
        let Some(k) = COLUMNS
            .iter()
            .position(|(en, zh)| name == *en || name == *zh)
        else {
            return Err(head_problem(c.trim().chars().take(20).collect()));
        };
        if at[k].is_some() {
            return Err(head_problem(c.trim().chars().take(20).collect()));
        }
        at[k] = Some(i);
    }
    for (k, (en, _)) in COLUMNS.iter().enumerate() {
        if at[k].is_none() && *en != "product" {
            return Err(head_problem((*en).to_owned()));
        }
    }
    let by_id: HashMap<&str, &KnownCategory> =
        categories.iter().map(|c| (c.id.as_str(), c)).collect();
    let by_name = |s: &str| {
        let matching: Vec<&KnownCategory> = categories
            .iter()
            .filter(|c| c.name == s || (!c.name_en.is_empty() && c.name_en.eq_ignore_ascii_case(s)))
            .collect();
        // A name two categories share names neither.
        if matching.len() == 1 {
            matching.first().copied()
        } else {
            None
        }
    };
    let mut upload = Upload::default();
    let mut first_line: HashMap<(SeriesKey, NaiveDate), usize> = HashMap::new();
    for (line, raw) in lines {
        upload.rows += 1;
        if upload.rows > MAX_ROWS {
            return Err(whole(Problem::TooManyRows));
        }
        let Some(cells) = split_line(raw).filter(|c| c.len() == width) else {
            problems.push(LineProblem {
                line,
                column: None,
                problem: Problem::Columns,
            });
            continue;
        };
        let mut bad = |column: &'static str, problem: Problem| {
            problems.push(LineProblem {
                line,
                column: Some(column),
                problem,
            });
        };
        let cell = |k: usize| at[k].and_then(|i| cells.get(i)).map_or("", String::as_str);
        let date = parse_date(cell(0), today).map_err(|p| bad("date", p));
        let category = {
            let s = cell(1).trim();
            if s.is_empty() {
                bad("category", Problem::Required);
                Err(())
            } else {
                by_id
                    .get(s)
                    .copied()
                    .or_else(|| by_name(s))
                    .map(|c| c.id.clone())
                    .ok_or_else(|| bad("category", Problem::UnknownCategory))
            }
        };
        let product = parse_name(cell(2), false).map_err(|p| bad("product", p));
        let unit = match cell(3).trim() {
            "" => {
                bad("unit", Problem::Required);
                Err(())
            }
            s => parse_unit(s).ok_or_else(|| bad("unit", Problem::UnknownUnit)),
        };
        let price = parse_price(cell(4)).map_err(|p| bad("price", p));
        let source = parse_name(cell(5), true).map_err(|p| bad("source", p));
        let (Ok(date), Ok(category_id), Ok(product), Ok(unit), Ok(price), Ok(source)) =
            (date, category, product, unit, price, source)
        else {
            continue;
        };
        let key = SeriesKey {
            source,
            category_id,
            product,
            unit,
        };
        let days = upload.series.entry(key.clone()).or_default();
        match days.get(&date) {
            Some(p) if *p != price => {
                let earlier = first_line.get(&(key, date)).copied().unwrap_or(0);
                bad("price", Problem::Duplicate(earlier));
            }
            Some(_) => {}
            None => {
                days.insert(date, price);
                first_line.insert((key, date), line);
            }
        }
    }
    if upload.rows == 0 {
        return Err(whole(Problem::Empty));
    }
    if !problems.is_empty() {
        let total = problems.len();
        problems.truncate(MAX_PROBLEMS);
        return Err(Rejected { problems, total });
    }
    Ok(upload)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    fn cats() -> Vec<KnownCategory> {
        vec![
            KnownCategory {
                id: "11111111-1111-1111-1111-111111111111".into(),
                name: "苹果".into(),
                name_en: "Apples".into(),
            },
            KnownCategory {
                id: "22222222-2222-2222-2222-222222222222".into(),
                name: "脐橙".into(),
                name_en: "Navel oranges".into(),
            },
        ]
    }

    fn codes(r: &Rejected) -> Vec<(usize, Option<&str>, &str)> {
        r.problems
            .iter()
            .map(|p| (p.line, p.column, p.problem.code()))
            .collect()
    }

    #[test]
    fn prices_are_read_as_exact_fen() {
        assert_eq!(parse_price("3.5"), Ok(350));
        assert_eq!(parse_price("3.05"), Ok(305));
        assert_eq!(parse_price("¥12"), Ok(1200));
        assert_eq!(parse_price("0.01"), Ok(1));
        assert_eq!(parse_price("100000"), Ok(10_000_000));
        assert_eq!(parse_price("100000.01"), Err(Problem::TooLarge));
        assert_eq!(
            parse_price("99999999999999999999999"),
            Err(Problem::TooLarge)
        );
        assert_eq!(parse_price("-3"), Err(Problem::Negative));
        assert_eq!(parse_price("0"), Err(Problem::Negative));
        assert_eq!(parse_price("1.234"), Err(Problem::Invalid));
        assert_eq!(parse_price("1e9"), Err(Problem::Invalid));
        assert_eq!(parse_price("3."), Err(Problem::Invalid));
        assert_eq!(parse_price("NaN"), Err(Problem::Invalid));
        assert_eq!(parse_price(""), Err(Problem::Required));
    }

    #[test]
    fn quoted_cells_keep_their_commas_and_quotes() {
        assert_eq!(
            split_line(r#"a,"b,c","d""e",f"#).unwrap(),
            vec!["a", "b,c", "d\"e", "f"]
        );
        assert_eq!(split_line(r#"a,"b"#), None);
    }

    #[test]
    fn a_good_file_in_chinese_or_english_headers_gives_its_series() {
        let csv = "\u{feff}日期,品类,品名,单位,价格,来源\r\n2026-12-01,苹果,红富士,斤,3.20,县批发市场\r\n2026/12/02,apples,红富士,jin,3.30,县批发市场\n\n2026-12-02,22222222-2222-2222-2222-222222222222,,kg,6,省农业农村厅\n2026-12-02,苹果,红富士,斤,3.30,县批发市场\n";
        let up = parse(csv, &cats(), today()).unwrap();
        assert_eq!(up.rows, 4);
        assert_eq!(up.series.len(), 2);
        let apples = up
            .series
            .iter()
            .find(|(k, _)| k.product == "红富士")
            .unwrap();
        assert_eq!(apples.0.unit, "jin");
        assert_eq!(
            apples.1.values().copied().collect::<Vec<_>>(),
            vec![320, 330]
        );
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_line_and_nothing_is_taken() {
        let csv = "date,category,product,unit,price,source\n\
                   2026-13-01,苹果,,斤,3,A\n\
                   2026-12-01,梨,,斤,3,A\n\
                   2026-12-01,苹果,,吨,-3,A\n\
                   2027-01-01,苹果,,斤,3,\n\
                   2026-12-01,苹果,,斤\n\
                   2026-12-02,苹果,,斤,3,A\n\
                   2026-12-02,苹果,,斤,4,A\n";
        let r = parse(csv, &cats(), today()).unwrap_err();
        assert_eq!(
            codes(&r),
            vec![
                (2, Some("date"), "invalid"),
                (3, Some("category"), "unknown_category"),
                (4, Some("unit"), "unknown_unit"),
                (4, Some("price"), "negative"),
                (5, Some("date"), "out_of_range"),
                (5, Some("source"), "required"),
                (6, None, "columns"),
                (8, Some("price"), "duplicate"),
            ]
        );
        assert_eq!(r.problems[7].problem, Problem::Duplicate(7));
        assert_eq!(r.total, 8);
    }

    #[test]
    fn a_bad_header_or_an_empty_file_is_refused_as_a_whole() {
        assert_eq!(
            codes(&parse("", &cats(), today()).unwrap_err()),
            vec![(0, None, "empty")]
        );
        assert_eq!(
            codes(&parse("date,category,unit,price,source\n", &cats(), today()).unwrap_err()),
            vec![(0, None, "empty")]
        );
        assert_eq!(
            codes(
                &parse(
                    "date,category,unit,price\n2026-12-01,苹果,斤,3\n",
                    &cats(),
                    today()
                )
                .unwrap_err()
            ),
            vec![(1, None, "header")]
        );
        assert_eq!(
            codes(&parse("date,date,category,unit,price,source\n", &cats(), today()).unwrap_err()),
            vec![(1, None, "header")]
        );
    }

    #[test]
    fn formula_looking_names_are_kept_as_text_and_long_ones_refused() {
        let csv = format!(
            "date,category,product,unit,price,source\n2026-12-01,苹果,=cmd|' /C calc'!A0,斤,3,\"=HYPERLINK(\"\"x\"\")\"\n2026-12-01,苹果,{},斤,3,A\n",
            "长".repeat(61)
        );
        let r = parse(&csv, &cats(), today()).unwrap_err();
        assert_eq!(codes(&r), vec![(3, Some("product"), "too_long")]);
        let ok = parse(
            "date,category,product,unit,price,source\n2026-12-01,苹果,=cmd,斤,3,@SUM(1)\n",
            &cats(),
            today(),
        )
        .unwrap();
        let k = ok.series.keys().next().unwrap();
        assert_eq!((k.product.as_str(), k.source.as_str()), ("=cmd", "@SUM(1)"));
    }

    #[test]
    fn more_than_the_row_limit_is_refused() {
        let mut csv = String::from("date,category,unit,price,source\n");
        for _ in 0..=MAX_ROWS {
            csv.push_str("2026-12-01,苹果,斤,3,A\n");
        }
        assert_eq!(
            codes(&parse(&csv, &cats(), today()).unwrap_err()),
            vec![(0, None, "too_many_rows")]
        );
    }

    #[test]
    fn a_name_two_categories_share_is_unknown() {
        let mut c = cats();
        c.push(KnownCategory {
            id: "33333333-3333-3333-3333-333333333333".into(),
            name: "苹果".into(),
            name_en: String::new(),
        });
        let r = parse(
            "date,category,unit,price,source\n2026-12-01,苹果,斤,3,A\n",
            &c,
            today(),
        )
        .unwrap_err();
        assert_eq!(codes(&r), vec![(2, Some("category"), "unknown_category")]);
    }
}
