//! The shape of the period: seasons (the county's and each category's), festivals, the week,
//! and the hours of the day people pay at.

use super::random::normal;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::Rng;
use rand::rngs::StdRng;

/// Spring Festival (农历新年) dates: the weeks before it are the year's peak for local produce,
/// the week after it the couriers rest.
const SPRING_FESTIVALS: [(i32, u32, u32); 16] = [
    (2020, 1, 25),
    (2021, 2, 12),
    (2022, 2, 1),
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
    (2032, 2, 11),
    (2033, 1, 31),
    (2034, 2, 19),
    (2035, 2, 8),
];

/// Order volume by month (harvest autumn and winter high, high summer low).
const MONTH_VOLUME: [f64; 12] = [
    1.15, 1.0, 0.9, 0.95, 0.95, 1.0, 0.85, 0.85, 0.95, 1.1, 1.3, 1.3,
];

/// Demand by month for a category, by the leaf category's name (others are flat).
pub(super) fn category_season(name: &str) -> [f64; 12] {
    match name {
        "柑橘橙柚" => [1.8, 1.3, 0.8, 0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.8, 2.2, 2.6],
        "绿茶" => [0.6, 0.7, 2.2, 2.6, 1.5, 0.8, 0.6, 0.6, 0.7, 0.8, 0.8, 0.9],
        "红茶" | "白茶" | "花草茶及其他" => {
            [1.2, 1.3, 1.0, 1.1, 1.0, 0.8, 0.8, 0.8, 0.9, 1.0, 1.1, 1.3]
        }
        "大米" | "面粉米粉" => [1.1, 1.0, 0.9, 0.9, 0.9, 1.0, 0.9, 0.9, 1.0, 1.4, 1.3, 1.1],
        "酱菜腌腊" | "猪牛羊肉" => {
            [2.0, 1.4, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.9, 1.3, 2.2]
        }
        "干菌菇" | "笋干" => [1.4, 1.2, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.2, 1.4],
        "鲜菌菇" => [1.2, 1.1, 1.1, 1.0, 0.8, 0.6, 0.5, 0.5, 0.8, 1.1, 1.3, 1.3],
        "蜂蜜" => [1.1, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 1.0, 1.2, 1.1, 1.1],
        "根茎薯类" => [1.3, 1.1, 0.8, 0.8, 0.9, 1.0, 0.9, 0.8, 1.0, 1.5, 1.5, 1.3],
        "茄果瓜豆" => [0.4, 0.4, 0.6, 0.8, 1.2, 1.8, 2.0, 1.8, 1.3, 0.8, 0.5, 0.4],
        "瓜类" => [0.1, 0.1, 0.2, 0.4, 1.2, 2.6, 3.0, 2.4, 0.8, 0.2, 0.1, 0.1],
        "桃李杏梅" => [0.1, 0.1, 0.1, 0.2, 0.6, 2.5, 3.2, 2.0, 0.5, 0.1, 0.1, 0.1],
        "莓果葡萄" => [0.2, 0.2, 0.3, 0.5, 1.2, 2.8, 2.4, 1.2, 0.6, 0.3, 0.2, 0.2],
        "其他水果" => [0.8, 0.6, 0.4, 0.3, 0.3, 0.3, 0.3, 0.5, 1.6, 2.2, 1.8, 1.2],
        "苹果梨" => [1.3, 1.1, 0.9, 0.8, 0.7, 0.6, 0.6, 0.7, 1.0, 1.4, 1.4, 1.4],
        "虾蟹" => [0.1, 0.1, 0.3, 0.8, 2.0, 2.6, 2.4, 1.6, 0.8, 0.3, 0.1, 0.1],
        "糕点" | "坚果炒货" | "果干果脯" => {
            [1.7, 1.3, 0.8, 0.7, 0.7, 0.7, 0.7, 0.8, 0.9, 1.1, 1.3, 1.6]
        }
        "叶菜" | "葱姜蒜" => [1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0, 1.1, 1.2],
        _ => [1.0; 12],
    }
}

/// A monthly profile at a date, interpolated between mid-months so nothing jumps on the 1st.
pub(super) fn seasonal(profile: &[f64; 12], date: NaiveDate) -> f64 {
    let pos = (f64::from(date.ordinal0()) / 365.25 * 12.0 - 0.5).rem_euclid(12.0);
    let i = pos.floor() as usize % 12;
    let frac = pos - pos.floor();
    profile[i] * (1.0 - frac) + profile[(i + 1) % 12] * frac
}

/// Festival effects on a day's volume.
fn festivals(date: NaiveDate) -> f64 {
    let mut f = 1.0;
    for (y, m, d) in SPRING_FESTIVALS {
        let Some(sf) = NaiveDate::from_ymd_opt(y, m, d) else {
            continue;
        };
        let off = (date - sf).num_days();
        f *= match off {
            -25..=-8 => 1.0 + 0.8 * (25 - off.abs()) as f64 / 17.0,
            -7..=-1 => 1.3,
            0..=6 => 0.35,
            7..=14 => 0.8,
            _ => 1.0,
        };
    }
    f * match (date.month(), date.day()) {
        (11, 1..=10) => 1.1,
        (11, 11) => 2.5,
        (11, 12) => 1.3,
        (6, 16 | 17 | 19) => 1.2,
        (6, 18) => 1.6,
        _ => 1.0,
    }
}

fn weekday_volume(w: Weekday) -> f64 {
    match w {
        Weekday::Mon => 1.0,
        Weekday::Tue | Weekday::Wed => 0.96,
        Weekday::Thu => 1.0,
        Weekday::Fri => 1.03,
        Weekday::Sat => 1.08,
        Weekday::Sun => 1.12,
    }
}

/// Consumers pay in the evening most; business buyers in office hours (Beijing time).
pub(super) const CONSUMER_HOURS: [f64; 24] = [
    0.8, 0.4, 0.2, 0.1, 0.1, 0.2, 0.5, 1.2, 2.0, 3.0, 3.6, 3.4, 3.0, 2.8, 3.0, 3.1, 3.0, 2.8, 2.9,
    3.6, 4.6, 5.0, 3.8, 2.0,
];
pub(super) const BUSINESS_HOURS: [f64; 24] = [
    0.05, 0.02, 0.02, 0.02, 0.02, 0.1, 0.4, 1.5, 3.5, 5.0, 5.0, 4.0, 2.0, 3.0, 4.5, 4.5, 4.0, 3.0,
    1.0, 0.6, 0.5, 0.4, 0.2, 0.1,
];

/// Share of the day's hour weights before `secs` seconds after midnight.
pub(super) fn share_before(hours: &[f64; 24], secs: u32) -> f64 {
    let total: f64 = hours.iter().sum();
    let h = (secs / 3600) as usize;
    let mut s: f64 = hours.iter().take(h).sum();
    if h < 24 {
        s += hours[h] * f64::from(secs % 3600) / 3600.0;
    }
    s / total
}

/// Seconds after midnight, drawn from the hour weights, before `limit`.
pub(super) fn time_of_day(rng: &mut StdRng, hours: &[f64; 24], limit: u32) -> u32 {
    let limit = limit.clamp(1, 86_400);
    let mass = share_before(hours, limit) * hours.iter().sum::<f64>();
    let mut x = rng.random::<f64>() * mass;
    for (h, w) in hours.iter().enumerate() {
        let start = h as u32 * 3_600;
        if start >= limit {
            break;
        }
        let span = (limit - start).min(3_600);
        let part = w * f64::from(span) / 3_600.0;
        if x < part || start + 3_600 >= limit {
            return start + rng.random_range(0..span);
        }
        x -= part;
    }
    rng.random_range(0..limit)
}

/// Orders per day: growth (doubling in a year), month, festivals, weekday and a little noise;
/// the last day only up to `end`. Adds up to `total` exactly (largest remainder).
pub(super) fn day_counts(
    rng: &mut StdRng,
    start: NaiveDate,
    days: u32,
    total: u64,
    last_share: f64,
) -> Vec<u64> {
    let weights: Vec<f64> = (0..days)
        .map(|d| {
            let date = start + Duration::days(i64::from(d));
            let mut w = (f64::from(d) / 365.0).exp2()
                * seasonal(&MONTH_VOLUME, date)
                * festivals(date)
                * weekday_volume(date.weekday())
                * (0.12 * normal(rng)).exp();
            if d + 1 == days {
                w *= last_share;
            }
            w
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; days as usize];
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut counts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let mut rest = total.saturating_sub(counts.iter().sum());
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|a, b| {
        let fa = exact[*a] - exact[*a].floor();
        let fb = exact[*b] - exact[*b].floor();
        fb.total_cmp(&fa)
    });
    for i in order.into_iter().cycle() {
        if rest == 0 {
            break;
        }
        counts[i] += 1;
        rest -= 1;
    }
    counts
}
