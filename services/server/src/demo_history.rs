//! A realistic order history for the demo county and for benchmarks: back-dated orders, already
//! paid, shipped, received and now and then refunded, spread over a period the way a county
//! marketplace's orders would be.
//!
//! **This is a data generator, not the domain path.** It writes rows straight into the tables
//! (`accounts`, `addresses`, `organisations`, `memberships`, `org_reviews`, `orders`,
//! `sub_orders`, `order_lines`, `payments`, `order_events`, `shipments`, `shipment_batches`,
//! `refunds`) with multi-row INSERT statements, in one transaction per 5,000 orders, so a
//! million orders take minutes instead of the days a million checkouts would. The rows look as
//! the use cases write them (statuses, numbers, snapshots, amounts, event log), but nothing else
//! a use case does happens:
//!
//! - no stock is taken and no listing's `sales` counter moves (the shop looks as it did);
//! - no outbox event is queued (no statistics delta, no notification, no auto-receipt job):
//!   run `farmgate stats-rebuild` afterwards, which recomputes the rollups from these tables;
//! - parcels name the seller's batch of the line's listing (when one was harvested before the
//!   parcel left), but no shipping event is chained onto the batch's trace record;
//! - no reviews, claims, payment intents or logistics events.
//!
//! Buyers are new accounts (phones 170xxxxxxxx after the highest one already there, the
//! password hash copied from the first demo account without a platform role, so they log in with
//! the demo password) plus a few verified business-buyer organisations
//! (licences `91360799MH…`, reused when a previous run made them). Everything is deterministic
//! for a given seed and database: distributions come from one seeded generator, ids and
//! numbers from another salted with what the database already holds, so a second run never
//! collides with the first.
//!
//! The shape: orders per day grow over the period (doubling yearly), with a weekly cycle, an
//! autumn and winter harvest season, the run-up to the Spring Festival (and the couriers'
//! holiday after it), 618 and Double 11; products are chosen by a Zipf law over the listings'
//! popularity, modulated by their category's season (oranges in winter, tea in spring, melons
//! in summer), and their prices move a little with the season; 1–4 lines an order, about 30 %
//! of them from two or more sellers; buyers' activity is heavy-tailed and they join over time;
//! destinations lean to Guangdong, Shanghai, Zhejiang, Jiangsu, Beijing and Jiangxi; payments
//! at plausible Beijing hours; parcels leave within two days, arrive after one to five, and are
//! confirmed (or auto-received after the configured days); about 3 % of orders get a partial or
//! full refund a day or two after they arrived. Only the last days' orders are still waiting
//! for their seller or on their way (over two years about 99 % of parcels shipped and 97 %
//! received): no old order is left needing action in a seller's console.

use crate::app::AppState;
use anyhow::{Context, bail};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use farmgate_catalog::domain::{Tier, unit_price};
use farmgate_catalog::store::{category, listing, sku};
use farmgate_identity::store::{account, membership, organisation};
use farmgate_infra::db::begin_write;
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::{Money, Uscc};
use farmgate_orders::domain::start_of;
use farmgate_orders::domain::{
    Address, PaymentMethod, commission, order_number, shipping_fee, window_closes_at,
};
use farmgate_orders::store::{order, shipment};
use farmgate_trace::store::{batch, event as trace_event};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Statement, Value,
};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;
use uuid::Uuid;

/// What to generate.
#[derive(Clone, Debug)]
pub struct HistoryOptions {
    /// Paid orders in the period.
    pub orders: u64,
    /// Days in the period, ending on the Beijing date of `end`.
    pub days: u32,
    /// New consumer accounts (business buyers come on top: about one per twelve, 6 to 300).
    pub buyers: u32,
    /// Share of orders placed by business buyers (wholesale, tier prices), in percent.
    pub business_share_pct: u32,
    pub seed: u64,
    /// Every generated moment is before this.
    pub end: DateTime<Utc>,
}

impl HistoryOptions {
    /// The demo's history: half a year of a small county's orders.
    pub fn demo(end: DateTime<Utc>) -> Self {
        Self {
            orders: 1_500,
            days: 180,
            buyers: 120,
            business_share_pct: 8,
            seed: 2026,
            end,
        }
    }
}

/// What a run made.
#[derive(Clone, Debug, serde::Serialize)]
pub struct HistoryReport {
    pub orders: u64,
    pub lines: u64,
    /// Buyer accounts created (consumers and business buyers' owners).
    pub buyers: u64,
    pub refunds: u64,
    pub shipments: u64,
    pub seconds: f64,
}

/// Orders per transaction (a day's orders are never split, so a batch may be a little larger).
const BATCH_ORDERS: usize = 5_000;
/// Bound values per statement: SQLite allows 32,766.
const MAX_BINDS: usize = 30_000;
/// Rows per statement at most (a power of two), whatever the width.
const MAX_ROWS: usize = 1_024;

// ---------------------------------------------------------------------------------------------
// Shapes of the period: seasons, festivals, hours

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
fn category_season(name: &str) -> [f64; 12] {
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
fn seasonal(profile: &[f64; 12], date: NaiveDate) -> f64 {
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
const CONSUMER_HOURS: [f64; 24] = [
    0.8, 0.4, 0.2, 0.1, 0.1, 0.2, 0.5, 1.2, 2.0, 3.0, 3.6, 3.4, 3.0, 2.8, 3.0, 3.1, 3.0, 2.8, 2.9,
    3.6, 4.6, 5.0, 3.8, 2.0,
];
const BUSINESS_HOURS: [f64; 24] = [
    0.05, 0.02, 0.02, 0.02, 0.02, 0.1, 0.4, 1.5, 3.5, 5.0, 5.0, 4.0, 2.0, 3.0, 4.5, 4.5, 4.0, 3.0,
    1.0, 0.6, 0.5, 0.4, 0.2, 0.1,
];

/// Share of the day's hour weights before `secs` seconds after midnight.
fn share_before(hours: &[f64; 24], secs: u32) -> f64 {
    let total: f64 = hours.iter().sum();
    let h = (secs / 3600) as usize;
    let mut s: f64 = hours.iter().take(h).sum();
    if h < 24 {
        s += hours[h] * f64::from(secs % 3600) / 3600.0;
    }
    s / total
}

/// Seconds after midnight, drawn from the hour weights, before `limit`.
fn time_of_day(rng: &mut StdRng, hours: &[f64; 24], limit: u32) -> u32 {
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

fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn secs(rng: &mut StdRng, from: i64, to: i64) -> Duration {
    Duration::seconds(rng.random_range(from..to.max(from + 1)))
}

/// A moment with sub-second digits, as the system clock gives them.
fn jitter(rng: &mut StdRng, t: DateTime<Utc>) -> DateTime<Utc> {
    t + Duration::microseconds(rng.random_range(0..1_000_000))
}

/// Draws an index by weight from a running total.
fn pick(prefix: &[f64], rng: &mut StdRng) -> Option<usize> {
    let total = *prefix.last()?;
    if total <= 0.0 {
        return None;
    }
    let x = rng.random::<f64>() * total;
    Some(prefix.partition_point(|p| *p <= x).min(prefix.len() - 1))
}

fn running_total(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            acc += w.max(0.0);
            acc
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Where buyers live

/// Province, city, weight, districts.
const DESTINATIONS: &[(&str, &str, u32, &[&str])] = &[
    (
        "广东省",
        "广州市",
        9,
        &["天河区", "越秀区", "海珠区", "番禺区", "白云区"],
    ),
    (
        "广东省",
        "深圳市",
        9,
        &["南山区", "福田区", "宝安区", "龙岗区"],
    ),
    ("广东省", "东莞市", 3, &["南城街道", "东城街道", "长安镇"]),
    ("广东省", "佛山市", 3, &["禅城区", "南海区", "顺德区"]),
    (
        "上海市",
        "上海市",
        14,
        &["浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区"],
    ),
    (
        "浙江省",
        "杭州市",
        7,
        &["西湖区", "拱墅区", "滨江区", "余杭区"],
    ),
    ("浙江省", "宁波市", 3, &["鄞州区", "海曙区"]),
    ("浙江省", "温州市", 2, &["鹿城区", "瓯海区"]),
    ("江苏省", "南京市", 5, &["鼓楼区", "玄武区", "江宁区"]),
    ("江苏省", "苏州市", 5, &["姑苏区", "吴中区", "昆山市"]),
    ("江苏省", "无锡市", 2, &["梁溪区", "滨湖区"]),
    (
        "北京市",
        "北京市",
        10,
        &["朝阳区", "海淀区", "丰台区", "东城区"],
    ),
    ("江西省", "南昌市", 6, &["红谷滩区", "东湖区", "青山湖区"]),
    ("江西省", "赣州市", 6, &["章贡区", "南康区", "青石县"]),
    ("江西省", "九江市", 2, &["濂溪区", "浔阳区"]),
    ("江西省", "吉安市", 1, &["吉州区"]),
    ("福建省", "厦门市", 2, &["思明区", "湖里区"]),
    ("福建省", "福州市", 2, &["鼓楼区", "仓山区"]),
    ("湖南省", "长沙市", 2, &["岳麓区", "芙蓉区"]),
    ("湖北省", "武汉市", 2, &["武昌区", "洪山区"]),
    ("四川省", "成都市", 2, &["武侯区", "锦江区"]),
    ("山东省", "青岛市", 1, &["市南区"]),
    ("山东省", "济南市", 1, &["历下区"]),
    ("天津市", "天津市", 1, &["南开区"]),
    ("重庆市", "重庆市", 1, &["渝北区"]),
    ("安徽省", "合肥市", 1, &["蜀山区"]),
    ("河南省", "郑州市", 1, &["金水区"]),
    ("陕西省", "西安市", 1, &["雁塔区"]),
];

/// Days a parcel travels from the county (range).
fn transit_days(province: &str) -> (i64, i64) {
    match province {
        "江西省" => (1, 2),
        "广东省" | "福建省" | "湖南省" | "浙江省" | "上海市" | "江苏省" | "湖北省" | "安徽省" => {
            (1, 4)
        }
        _ => (2, 5),
    }
}

const STREETS: &[&str] = &[
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "滨江大道",
    "文化路",
    "科技路",
    "花园路",
    "学府路",
    "迎宾大道",
    "幸福路",
    "光明街",
    "朝阳路",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "钟",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "晓燕", "志强", "海燕", "文", "欣怡", "子涵",
    "浩然", "雨萱", "俊杰", "思远", "佳琪", "梓轩", "婷婷", "建国", "红梅", "春花", "立新",
];
const BUSINESS_WORDS: &[&str] = &[
    "悦和", "禾丰", "惠邻", "鲜达", "福满", "聚源", "康泰", "一品", "金穗", "众鲜", "乐购", "百味",
    "盛景", "和顺", "嘉禾", "瑞丰", "同心", "四季", "润民", "万家",
];
const BUSINESS_KINDS: &[&str] = &[
    "餐饮管理有限公司",
    "大酒店",
    "生鲜超市",
    "团餐配送有限公司",
    "农产品贸易有限公司",
    "社区团购服务部",
    "酒楼",
    "学校食堂服务有限公司",
];

/// (carrier, waybill prefix, weight).
const CARRIERS: &[(&str, &str, u32)] = &[
    ("顺丰速运", "SF", 35),
    ("中通快递", "ZT", 20),
    ("圆通速递", "YT", 15),
    ("韵达快递", "YD", 10),
    ("京东物流", "JDV", 12),
    ("中国邮政", "EMS", 8),
];

const REFUND_REASONS: &[&str] = &[
    "运输途中挤压破损，按破损数量退款",
    "部分果实腐烂，协商部分退款",
    "实际重量不足，退差价",
    "包装破损漏液，退款",
    "收货后发现变质，全额退款",
    "商品与描述不符，全额退款",
    "发货延误，补偿部分货款",
];

const BANKS: &[&str] = &["ICBC", "ABC", "BOC", "CCB", "PSBC", "JXRCU"];

fn person_name(rng: &mut StdRng) -> String {
    let s = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let g = GIVEN[rng.random_range(0..GIVEN.len())];
    format!("{s}{g}")
}

#[derive(Clone, Debug)]
struct Place {
    province: String,
    city: String,
    district: String,
    street: String,
}

fn place(rng: &mut StdRng, prefix: &[f64]) -> Place {
    let i = pick(prefix, rng).unwrap_or(0);
    let (province, city, _, districts) = DESTINATIONS[i];
    Place {
        province: province.to_owned(),
        city: city.to_owned(),
        district: districts[rng.random_range(0..districts.len())].to_owned(),
        street: format!(
            "{} {} 号 {} 栋 {} 室",
            STREETS[rng.random_range(0..STREETS.len())],
            rng.random_range(1..400),
            rng.random_range(1..30),
            rng.random_range(1..33) * 100 + rng.random_range(1..6)
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// What is for sale

struct SkuInfo {
    id: Uuid,
    name: String,
    unit: String,
    price_fen: i64,
    weight_grams: i32,
    tiers: Vec<Tier>,
}

struct BatchInfo {
    id: Uuid,
    code: String,
    lot: String,
    /// When it could first be packed (harvest, else packing, else when it was recorded).
    ready: DateTime<Utc>,
}

struct ListingInfo {
    id: Uuid,
    seller: usize,
    category: Uuid,
    title: String,
    commission_bp: i32,
    claim_window_hours: i32,
    season: [f64; 12],
    popularity: f64,
    skus: Vec<SkuInfo>,
    batches: Vec<BatchInfo>,
}

struct SellerInfo {
    id: Uuid,
    /// Who ships and acknowledges (the owner).
    staff: Uuid,
    listings: Vec<usize>,
    carrier: usize,
}

struct Catalogue {
    listings: Vec<ListingInfo>,
    sellers: Vec<SellerInfo>,
}

async fn catalogue(db: &impl ConnectionTrait, rng: &mut StdRng) -> anyhow::Result<Catalogue> {
    let orgs: HashMap<Uuid, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Status.eq("verified"))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let categories: HashMap<Uuid, category::Model> = category::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut listings: Vec<listing::Model> = listing::Entity::find()
        .filter(listing::Column::Status.eq("approved"))
        .order_by_asc(listing::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .filter(|l| orgs.contains_key(&l.seller_org_id) && categories.contains_key(&l.category_id))
        .collect();
    // Rank by what sold best so far: the Zipf law follows the shop's own popularity.
    listings.sort_by(|a, b| b.sales.cmp(&a.sales).then(a.created_at.cmp(&b.created_at)));
    let mut skus: HashMap<Uuid, Vec<sku::Model>> = HashMap::new();
    for s in sku::Entity::find()
        .filter(sku::Column::Active.eq(true))
        .order_by_asc(sku::Column::SortOrder)
        .all(db)
        .await?
    {
        skus.entry(s.listing_id).or_default().push(s);
    }
    // Batches by listing, with the moment each could first ship.
    let mut ready: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for e in trace_event::Entity::find()
        .filter(trace_event::Column::Kind.is_in(["harvest", "packing"]))
        .all(db)
        .await?
    {
        let t = ready.entry(e.batch_id).or_insert(e.occurred_at);
        if e.kind == "harvest" || e.occurred_at < *t {
            *t = (*t).min(e.occurred_at);
        }
    }
    let mut batches: HashMap<Uuid, Vec<BatchInfo>> = HashMap::new();
    for b in batch::Entity::find()
        .order_by_asc(batch::Column::CreatedAt)
        .all(db)
        .await?
    {
        if b.status == "recalled" || b.status == "blocked" {
            continue;
        }
        batches.entry(b.listing_id).or_default().push(BatchInfo {
            id: b.id,
            ready: ready.get(&b.id).copied().unwrap_or(b.created_at),
            code: b.code,
            lot: b.lot,
        });
    }
    let mut owners: HashMap<Uuid, Uuid> = HashMap::new();
    for m in membership::Entity::find()
        .filter(membership::Column::Role.eq("owner"))
        .all(db)
        .await?
    {
        owners.insert(m.org_id, m.account_id);
    }
    let mut out = Catalogue {
        listings: Vec::new(),
        sellers: Vec::new(),
    };
    let mut seller_index: HashMap<Uuid, usize> = HashMap::new();
    let carrier_prefix = running_total(CARRIERS.iter().map(|c| f64::from(c.2)));
    for l in listings {
        let Some(list) = skus.remove(&l.id).filter(|v| !v.is_empty()) else {
            continue;
        };
        let (Some(org), Some(cat)) = (orgs.get(&l.seller_org_id), categories.get(&l.category_id))
        else {
            continue;
        };
        let seller = *seller_index.entry(org.id).or_insert_with(|| {
            out.sellers.push(SellerInfo {
                id: org.id,
                staff: owners.get(&org.id).copied().unwrap_or(org.created_by),
                listings: Vec::new(),
                carrier: pick(&carrier_prefix, rng).unwrap_or(0),
            });
            out.sellers.len() - 1
        });
        let rank = out.listings.len() as f64;
        out.sellers[seller].listings.push(out.listings.len());
        out.listings.push(ListingInfo {
            id: l.id,
            seller,
            category: l.category_id,
            title: l.title,
            commission_bp: cat.commission_bp,
            claim_window_hours: cat.claim_window_hours,
            season: category_season(&cat.name),
            popularity: 1.0 / (rank + 1.0),
            skus: list
                .into_iter()
                .map(|s| SkuInfo {
                    tiers: serde_json::from_value(s.tiers.clone()).unwrap_or_default(),
                    id: s.id,
                    name: s.name,
                    unit: s.unit,
                    price_fen: s.price_fen,
                    weight_grams: s.weight_grams,
                })
                .collect(),
            batches: batches.remove(&l.id).unwrap_or_default(),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Who buys

struct Buyer {
    account: Uuid,
    org: Option<Uuid>,
    name: String,
    phone: String,
    home: Place,
}

/// Buyers sorted by the day they joined, with a running total of how much they buy.
struct Pool {
    buyers: Vec<Buyer>,
    joined: Vec<u32>,
    prefix: Vec<f64>,
}

impl Pool {
    fn new(mut entries: Vec<(u32, f64, Buyer)>) -> Self {
        entries.sort_by_key(|(d, _, _)| *d);
        let joined = entries.iter().map(|(d, _, _)| *d).collect();
        let prefix = running_total(entries.iter().map(|(_, w, _)| *w));
        Self {
            buyers: entries.into_iter().map(|(_, _, b)| b).collect(),
            joined,
            prefix,
        }
    }

    /// Someone who had joined by `day`, by how much they buy.
    fn pick(&self, day: u32, rng: &mut StdRng) -> Option<&Buyer> {
        let k = self.joined.partition_point(|d| *d <= day);
        let i = pick(self.prefix.get(..k)?, rng)?;
        self.buyers.get(i)
    }
}

/// A heavy-tailed appetite (Pareto, α = 1.5, at most 60 times the least): most buy now and
/// then, a few every week.
fn appetite(rng: &mut StdRng) -> f64 {
    let u: f64 = rng.random();
    (1.0 - u).max(1e-9).powf(-1.0 / 1.5).min(60.0)
}

/// Rows of one table, flat (row after row, `cols` values each).
struct Rows {
    table: &'static str,
    cols: &'static [&'static str],
    values: Vec<Value>,
}

impl Rows {
    fn new(table: &'static str, cols: &'static [&'static str]) -> Self {
        Self {
            table,
            cols,
            values: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.cols.len(), "{}", self.table);
        self.values.extend(row);
    }

    /// Multi-row INSERTs, under the bound-value limit. Statements come in few shapes (full
    /// chunks, then the rest in powers of two): the driver keeps every statement it prepared
    /// per connection, and a statement of a thousand rows is a large program.
    async fn write(&mut self, c: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
        let backend = c.get_database_backend();
        let width = self.cols.len();
        let full = 1 << (MAX_BINDS / width).clamp(1, MAX_ROWS).ilog2();
        let mut sql: HashMap<usize, String> = HashMap::new();
        let values = std::mem::take(&mut self.values);
        let mut left = values.len() / width;
        let mut it = values.into_iter();
        while left > 0 {
            let rows = if left >= full {
                full
            } else {
                1 << left.ilog2()
            };
            left -= rows;
            let chunk: Vec<Value> = it.by_ref().take(rows * width).collect();
            let text = sql
                .entry(rows)
                .or_insert_with(|| insert_sql(backend, self.table, self.cols, rows))
                .clone();
            c.execute_raw(Statement::from_sql_and_values(backend, text, chunk))
                .await?;
        }
        Ok(())
    }
}

fn insert_sql(backend: DbBackend, table: &str, cols: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                DbBackend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

fn v(x: impl Into<Value>) -> Value {
    x.into()
}

const ORDER_COLS: &[&str] = &[
    "id",
    "number",
    "buyer_account_id",
    "buyer_org_id",
    "wholesale",
    "address",
    "goods_fen",
    "shipping_fen",
    "total_fen",
    "payment_method",
    "status",
    "pay_by",
    "paid_at",
    "idempotency_key",
    "request_hash",
    "note",
    "created_at",
    "refunded_fen",
];
const SUB_COLS: &[&str] = &[
    "id",
    "order_id",
    "number",
    "seller_org_id",
    "goods_fen",
    "shipping_fen",
    "total_fen",
    "commission_fen",
    "status",
    "paid_at",
    "acknowledged_at",
    "shipped_at",
    "received_at",
    "created_at",
    "auto_receive_at",
    "window_closes_at",
    "refunded_fen",
];
const LINE_COLS: &[&str] = &[
    "id",
    "order_id",
    "sub_order_id",
    "listing_id",
    "sku_id",
    "category_id",
    "title",
    "sku_name",
    "unit",
    "quantity",
    "retail_price_fen",
    "unit_price_fen",
    "line_fen",
    "commission_bp",
    "commission_fen",
    "claim_window_hours",
    "weight_grams",
];
const EVENT_COLS: &[&str] = &[
    "id",
    "order_id",
    "sub_order_id",
    "kind",
    "actor_id",
    "data",
    "at",
];
const PAYMENT_COLS: &[&str] = &[
    "id",
    "order_id",
    "provider",
    "amount_fen",
    "status",
    "reference",
    "confirmed_by",
    "created_at",
    "settled_at",
];
const SHIPMENT_COLS: &[&str] = &[
    "id",
    "order_id",
    "sub_order_id",
    "seller_org_id",
    "carrier",
    "tracking_no",
    "shipped_by",
    "shipped_at",
];
const SHIPMENT_BATCH_COLS: &[&str] = &["shipment_id", "line_id", "batch_id", "code", "lot"];
const REFUND_COLS: &[&str] = &[
    "id",
    "order_id",
    "sub_order_id",
    "amount_fen",
    "reason",
    "provider",
    "status",
    "provider_ref",
    "idempotency_key",
    "actor_id",
    "created_at",
    "settled_at",
];

/// One transaction's worth of orders. Orders and sub-orders stay structured until written, so
/// an order number already taken can still be replaced.
struct Batch {
    orders: Vec<OrderRow>,
    subs: Vec<SubRow>,
    lines: Rows,
    events: Rows,
    payments: Rows,
    shipments: Rows,
    shipment_batches: Rows,
    refunds: Rows,
}

struct OrderRow {
    number: String,
    created_at: DateTime<Utc>,
    /// Every column but the number.
    values: Vec<Value>,
}

struct SubRow {
    /// The order's index in the batch, and the sub-order's position (1, 2 …).
    order: usize,
    seq: usize,
    values: Vec<Value>,
}

impl Batch {
    fn new() -> Self {
        Self {
            orders: Vec::new(),
            subs: Vec::new(),
            lines: Rows::new("order_lines", LINE_COLS),
            events: Rows::new("order_events", EVENT_COLS),
            payments: Rows::new("payments", PAYMENT_COLS),
            shipments: Rows::new("shipments", SHIPMENT_COLS),
            shipment_batches: Rows::new("shipment_batches", SHIPMENT_BATCH_COLS),
            refunds: Rows::new("refunds", REFUND_COLS),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The generator

struct Gen {
    cat: Catalogue,
    consumers: Pool,
    businesses: Pool,
    /// Distributions: everything a person would see.
    rng: StdRng,
    /// Ids and numbers, salted with what the database holds so runs never collide.
    ids: StdRng,
    operator: Option<Uuid>,
    business_share: f64,
    dest_prefix: Vec<f64>,
    carrier_prefix: Vec<f64>,
    end: DateTime<Utc>,
    start_day: NaiveDate,
    days: u32,
    gateway_pay_within: Duration,
    offline_pay_within: Duration,
    auto_receive_after: Duration,
    gateway_provider: &'static str,
    offline_provider: &'static str,
    order_seq: u64,
    number_salt: u64,
    shipment_seq: u64,
    // what was made
    lines: u64,
    refunds: u64,
    shipments: u64,
}

/// An entry of an order's log: when, which sub-order, what, who, and its data.
type LogEntry = (
    DateTime<Utc>,
    Option<Uuid>,
    &'static str,
    Option<Uuid>,
    serde_json::Value,
);

/// A line being priced.
struct Pick {
    listing: usize,
    sku: usize,
    quantity: i64,
}

/// A version-7 id for a moment in the past (ids sort by time, as `Uuid::now_v7` would have).
fn uuid_at(ids: &mut StdRng, t: DateTime<Utc>) -> Uuid {
    let millis = u64::try_from(t.timestamp_millis()).unwrap_or(0);
    let bytes: [u8; 10] = ids.random();
    uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
}

impl Gen {
    /// Price of a SKU on a day: in season cheaper, out of season dearer, and a little lower
    /// the further back (what is on sale now is the price of the last weeks).
    fn price_factor(&self, l: &ListingInfo, date: NaiveDate) -> f64 {
        let back = (self.end.with_timezone(&shanghai()).date_naive() - date).num_days() as f64;
        let season = seasonal(&l.season, date);
        let f = (1.0 - 0.08 * (season - 1.0)).clamp(0.85, 1.15) * (1.0 - 0.04 * back / 365.0);
        let w = (back / 30.0).min(1.0);
        1.0 + w * (f - 1.0)
    }

    /// Weights of every listing on a day (popularity × season), consumers and businesses.
    fn listing_weights(&self, date: NaiveDate) -> (Vec<f64>, Vec<f64>) {
        let consumer: Vec<f64> = self
            .cat
            .listings
            .iter()
            .map(|l| l.popularity * seasonal(&l.season, date))
            .collect();
        let business = self
            .cat
            .listings
            .iter()
            .zip(&consumer)
            .map(|(l, w)| {
                let bulk = l.skus.iter().any(|s| !s.tiers.is_empty());
                w.powf(0.7) * if bulk { 4.0 } else { 1.0 }
            })
            .collect();
        (consumer, business)
    }

    fn pick_listing_of_seller(&mut self, seller: usize, weights: &[f64]) -> Option<usize> {
        let ls = &self.cat.sellers[seller].listings;
        let prefix = running_total(ls.iter().map(|i| weights[*i]));
        pick(&prefix, &mut self.rng).map(|i| ls[i])
    }

    /// How many: one or two mostly; a business buyer around a wholesale tier.
    fn quantity(&mut self, price_fen: i64, tiers: &[Tier], business: bool) -> i64 {
        let r: f64 = self.rng.random();
        if business {
            return match tiers.len() {
                0 => self.rng.random_range(3..25),
                n => {
                    let t = tiers[self.rng.random_range(0..n)].min_quantity.max(1);
                    ((t as f64) * self.rng.random_range(1.0..2.2)).round() as i64
                }
            }
            .clamp(1, 9_999);
        }
        let cheap = price_fen < 2_000;
        match r {
            r if r < 0.70 => 1,
            r if r < 0.90 => 2,
            r if r < 0.96 => 3,
            _ => self.rng.random_range(4..if cheap { 11 } else { 7 }),
        }
    }

    /// The lines of one order: 1–4 lines from one seller mostly, two or three sometimes.
    fn basket(&mut self, weights: &[f64], business: bool) -> Vec<Pick> {
        let prefix = running_total(weights.iter().copied());
        let r: f64 = self.rng.random();
        let sellers_wanted = if business {
            if r < 0.8 { 1 } else { 2 }
        } else if r < 0.70 {
            1
        } else if r < 0.97 {
            2
        } else {
            3
        };
        let r: f64 = self.rng.random();
        let lines_wanted: usize = match r {
            r if r < 0.45 => 1,
            r if r < 0.75 => 2,
            r if r < 0.90 => 3,
            _ => 4,
        }
        .max(sellers_wanted);
        let mut sellers: Vec<usize> = Vec::new();
        let mut picks: Vec<Pick> = Vec::new();
        let mut skus_taken: HashSet<(usize, usize)> = HashSet::new();
        // One listing of each seller first (sellers told apart by what they sell).
        for _ in 0..sellers_wanted * 6 {
            if sellers.len() == sellers_wanted {
                break;
            }
            let Some(l) = pick(&prefix, &mut self.rng) else {
                break;
            };
            let seller = self.cat.listings[l].seller;
            if sellers.contains(&seller) {
                continue;
            }
            sellers.push(seller);
            let sku = self.pick_sku(l);
            skus_taken.insert((l, sku));
            picks.push(Pick {
                listing: l,
                sku,
                quantity: 0,
            });
        }
        // More of the same sellers' goods.
        let mut tries = 0;
        while picks.len() < lines_wanted && tries < 12 && !sellers.is_empty() {
            tries += 1;
            let seller = sellers[self.rng.random_range(0..sellers.len())];
            let Some(l) = self.pick_listing_of_seller(seller, weights) else {
                continue;
            };
            let sku = self.pick_sku(l);
            if skus_taken.insert((l, sku)) {
                picks.push(Pick {
                    listing: l,
                    sku,
                    quantity: 0,
                });
            }
        }
        for p in &mut picks {
            let s = &self.cat.listings[p.listing].skus[p.sku];
            let (price, tiers) = (s.price_fen, s.tiers.clone());
            p.quantity = self.quantity(price, &tiers, business);
        }
        picks
    }

    fn pick_sku(&mut self, listing: usize) -> usize {
        let n = self.cat.listings[listing].skus.len();
        if n <= 1 || self.rng.random_bool(0.65) {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }

    /// One paid order, with what happened to it until `end`.
    #[expect(
        clippy::too_many_lines,
        reason = "one order's whole life, in the order it happens"
    )]
    fn order(
        &mut self,
        b: &mut Batch,
        day: u32,
        date: NaiveDate,
        limit: u32,
        weights: &(Vec<f64>, Vec<f64>),
    ) -> bool {
        let weekday = date.weekday();
        let office = !matches!(weekday, Weekday::Sat | Weekday::Sun);
        let p_business = self.business_share * if office { 1.2 } else { 0.5 };
        let business = self.rng.random_bool(p_business.clamp(0.0, 1.0));
        let pool = if business {
            &self.businesses
        } else {
            &self.consumers
        };
        let Some(buyer) = pool.pick(day, &mut self.rng).or_else(|| {
            // No business buyer had joined yet: a consumer buys instead.
            self.consumers.pick(day, &mut self.rng)
        }) else {
            return false;
        };
        let business = buyer.org.is_some();
        let hours = if business {
            &BUSINESS_HOURS
        } else {
            &CONSUMER_HOURS
        };
        let (account, org, buyer_name, buyer_phone, home) = (
            buyer.account,
            buyer.org,
            buyer.name.clone(),
            buyer.phone.clone(),
            buyer.home.clone(),
        );
        let picks = self.basket(if business { &weights.1 } else { &weights.0 }, business);
        if picks.is_empty() {
            return false;
        }
        // When: paid at a plausible hour of the day, placed a little before.
        let secs_in_day = time_of_day(&mut self.rng, hours, limit);
        let paid_at = jitter(
            &mut self.rng,
            start_of(date) + Duration::seconds(i64::from(secs_in_day)),
        )
        .min(self.end - Duration::seconds(1));
        let method = if business {
            if self.rng.random_bool(0.75) {
                PaymentMethod::Offline
            } else {
                PaymentMethod::Gateway
            }
        } else if self.rng.random_bool(0.92) {
            PaymentMethod::Gateway
        } else {
            PaymentMethod::Offline
        };
        let created_at = paid_at
            - match method {
                PaymentMethod::Gateway => secs(&mut self.rng, 15, 360),
                PaymentMethod::Offline => secs(&mut self.rng, 1_800, 20 * 3_600),
            };
        let pay_by = created_at
            + match method {
                PaymentMethod::Gateway => self.gateway_pay_within,
                PaymentMethod::Offline => self.offline_pay_within,
            };
        // Where to: home, or now and then a present to someone elsewhere.
        let (name, phone, to) = if !business && self.rng.random_bool(0.1) {
            let p = place(&mut self.rng, &self.dest_prefix);
            let phone = format!("13{:09}", self.rng.random_range(0..1_000_000_000u64));
            (person_name(&mut self.rng), phone, p)
        } else {
            (buyer_name, buyer_phone, home)
        };
        let address = Address {
            name,
            phone,
            province: to.province.clone(),
            city: to.city.clone(),
            district: to.district.clone(),
            street: to.street.clone(),
        };

        let order_id = uuid_at(&mut self.ids, created_at);
        self.order_seq += 1;
        // A bijection of the sequence onto 8 digits (the factor is prime to 10): numbers of one
        // run never repeat, and look as random as checkout's.
        let suffix = ((self.number_salt + self.order_seq) * 61_803_399 + 13_579) % 100_000_000;
        let number = order_number(created_at, suffix as u32);
        let order_index = b.orders.len();

        // Sub-orders in seller id order (as checkout numbers them).
        let mut by_seller: BTreeMap<Uuid, Vec<&Pick>> = BTreeMap::new();
        for p in &picks {
            let seller = self.cat.sellers[self.cat.listings[p.listing].seller].id;
            by_seller.entry(seller).or_default().push(p);
        }
        let (transit_lo, transit_hi) = transit_days(&to.province);
        let end = self.end;
        let (mut goods_total, mut shipping_total) = (0i64, 0i64);
        let mut events: Vec<LogEntry> = Vec::new();
        // (sub-order, its total, when it was received, its lines' amounts): for a refund.
        let mut received_subs: Vec<(Uuid, i64, DateTime<Utc>, Vec<i64>)> = Vec::new();
        let mut sub_rows: Vec<(usize, Uuid, Vec<Value>)> = Vec::new();
        for (seq, (seller_id, lines)) in by_seller.iter().enumerate() {
            let seller_ix = self.cat.listings[lines[0].listing].seller;
            let staff = self.cat.sellers[seller_ix].staff;
            let sub_id = uuid_at(&mut self.ids, created_at);
            let mut goods = 0i64;
            let mut grams = 0i64;
            let mut commission_total = 0i64;
            let mut windows: Vec<i32> = Vec::new();
            let mut line_ids: Vec<(Uuid, usize, i64)> = Vec::new();
            let mut line_fens = Vec::new();
            for p in lines {
                let l = &self.cat.listings[p.listing];
                let s = &l.skus[p.sku];
                let f = self.price_factor(l, date);
                let retail = ((s.price_fen as f64 * f / 10.0).round() as i64 * 10).max(10);
                let tiers: Vec<Tier> = s
                    .tiers
                    .iter()
                    .map(|t| Tier {
                        min_quantity: t.min_quantity,
                        price: ((t.price as f64 * f / 10.0).round() as i64 * 10).clamp(10, retail),
                    })
                    .collect();
                let unit = unit_price(Money::from_fen(retail), &tiers, p.quantity, business);
                let line_fen = unit.fen() * p.quantity;
                let cm = commission(Money::from_fen(line_fen), l.commission_bp).fen();
                let line_id = uuid_at(&mut self.ids, created_at);
                b.lines.push(vec![
                    v(line_id),
                    v(order_id),
                    v(sub_id),
                    v(l.id),
                    v(s.id),
                    v(self.category_of(p.listing)),
                    v(l.title.clone()),
                    v(s.name.clone()),
                    v(s.unit.clone()),
                    v(p.quantity),
                    v(retail),
                    v(unit.fen()),
                    v(line_fen),
                    v(l.commission_bp),
                    v(cm),
                    v(l.claim_window_hours),
                    v(s.weight_grams),
                ]);
                self.lines += 1;
                goods += line_fen;
                grams += i64::from(s.weight_grams) * p.quantity;
                commission_total += cm;
                windows.push(l.claim_window_hours);
                line_ids.push((line_id, p.listing, p.quantity));
                line_fens.push(line_fen);
            }
            let shipping = shipping_fee(Money::from_fen(goods), grams, business).fen();
            let total = goods + shipping;
            goods_total += goods;
            shipping_total += shipping;

            // The seller's part of the story: acknowledged, shipped, delivered, received.
            let separate_ack = self.rng.random_bool(0.7);
            let ack_secs = (normal(&mut self.rng) * 1.3 + 600f64.ln())
                .exp()
                .clamp(30.0, 72_000.0);
            let ack_at = paid_at
                + Duration::seconds(ack_secs as i64)
                + Duration::milliseconds(self.rng.random_range(0..1000));
            let ship_after = secs(&mut self.rng, 4 * 3_600, 52 * 3_600);
            let ship_at = jitter(
                &mut self.rng,
                (paid_at + ship_after).max(ack_at + Duration::minutes(10)),
            );
            let delivered = ship_at + secs(&mut self.rng, transit_lo * 86_400, transit_hi * 86_400);
            let auto_at = ship_at + self.auto_receive_after;
            let automatic = self.rng.random_bool(0.15);
            let received_at = if automatic {
                auto_at
            } else {
                (delivered + secs(&mut self.rng, 3_600, 72 * 3_600)).min(auto_at)
            };
            let acknowledged_at = if separate_ack { ack_at } else { ship_at };
            let shipped = ship_at < end;
            let received = shipped && received_at < end;
            let status = if received {
                "received"
            } else if shipped {
                "shipped"
            } else if separate_ack && ack_at < end {
                "acknowledged"
            } else {
                "paid"
            };
            if acknowledged_at < end {
                let mut data =
                    json!({"seconds_since_paid": (acknowledged_at - paid_at).num_seconds().max(0)});
                if !separate_ack {
                    data["with_shipment"] = json!(true);
                }
                events.push((
                    acknowledged_at,
                    Some(sub_id),
                    "acknowledged",
                    Some(staff),
                    data,
                ));
            }
            let closes = window_closes_at(received_at, windows.iter().copied());
            if shipped {
                let shipment_id = uuid_at(&mut self.ids, ship_at);
                let carrier = if self.rng.random_bool(0.7) {
                    self.cat.sellers[seller_ix].carrier
                } else {
                    pick(&self.carrier_prefix, &mut self.rng).unwrap_or(0)
                };
                let (carrier_name, prefix, _) = CARRIERS[carrier];
                self.shipment_seq += 1;
                // A bijection onto 12 digits: waybills of one run never repeat.
                let waybill =
                    100_000_000_000u64 + (self.shipment_seq * 104_729 + 7_777) % 900_000_000_000;
                let tracking = format!("{prefix}{waybill}");
                b.shipments.push(vec![
                    v(shipment_id),
                    v(order_id),
                    v(sub_id),
                    v(*seller_id),
                    v(carrier_name),
                    v(tracking.clone()),
                    v(staff),
                    v(ship_at),
                ]);
                self.shipments += 1;
                let mut codes: Vec<String> = Vec::new();
                for (line_id, listing, _) in &line_ids {
                    // The latest batch of the listing that was ready when the parcel left.
                    let Some(bt) = self.cat.listings[*listing]
                        .batches
                        .iter()
                        .filter(|bt| bt.ready <= ship_at)
                        .max_by_key(|bt| bt.ready)
                    else {
                        continue;
                    };
                    b.shipment_batches.push(vec![
                        v(shipment_id),
                        v(*line_id),
                        v(bt.id),
                        v(bt.code.clone()),
                        v(bt.lot.clone()),
                    ]);
                    if !codes.contains(&bt.code) {
                        codes.push(bt.code.clone());
                    }
                }
                events.push((
                    ship_at,
                    Some(sub_id),
                    "shipped",
                    Some(staff),
                    json!({"shipment_id": shipment_id, "carrier": carrier_name, "tracking_no": tracking, "trace_codes": codes}),
                ));
                if received {
                    events.push((
                        received_at,
                        Some(sub_id),
                        "received",
                        if automatic { None } else { Some(account) },
                        json!({"automatic": automatic, "window_closes_at": closes}),
                    ));
                    received_subs.push((sub_id, total, received_at, line_fens.clone()));
                }
            }
            sub_rows.push((
                seq + 1,
                sub_id,
                vec![
                    v(sub_id),
                    v(order_id),
                    v(*seller_id),
                    v(goods),
                    v(shipping),
                    v(total),
                    v(commission_total),
                    v(status),
                    v(Some(paid_at)),
                    v((acknowledged_at < end && (separate_ack || shipped))
                        .then_some(acknowledged_at)),
                    v(shipped.then_some(ship_at)),
                    v(received.then_some(received_at)),
                    v(created_at),
                    v(shipped.then_some(auto_at)),
                    v(received.then_some(closes)),
                    // refunded_fen, filled in below
                    v(0i64),
                ],
            ));
        }
        let total = goods_total + shipping_total;

        // About 3 % of orders: a refund of part of a line, a whole line or the whole parcel,
        // a day or two after it arrived.
        let mut refunded: HashMap<Uuid, i64> = HashMap::new();
        if !received_subs.is_empty() && self.rng.random_bool(0.031) {
            let (sub_id, sub_total, received_at, fens) =
                received_subs[self.rng.random_range(0..received_subs.len())].clone();
            let after = secs(&mut self.rng, 2 * 3_600, 40 * 3_600);
            let at = jitter(&mut self.rng, received_at + after);
            let line = fens[self.rng.random_range(0..fens.len())];
            let r: f64 = self.rng.random();
            let amount = if r < 0.6 {
                ((line as f64 * self.rng.random_range(0.2..0.6) / 10.0).round() as i64 * 10)
                    .max(100)
            } else if r < 0.85 {
                line
            } else {
                sub_total
            }
            .clamp(1, sub_total);
            if at < end && amount > 0 {
                let refund_id = uuid_at(&mut self.ids, at);
                let reason = if amount == sub_total {
                    REFUND_REASONS[4 + self.rng.random_range(0..2)]
                } else {
                    REFUND_REASONS[self.rng.random_range(0..4)]
                };
                let (provider, provider_ref) = match method {
                    PaymentMethod::Gateway => {
                        (self.gateway_provider, format!("SBXR{}", refund_id.simple()))
                    }
                    PaymentMethod::Offline => (
                        self.offline_provider,
                        format!("OFFLINE-{}", refund_id.simple()),
                    ),
                };
                b.refunds.push(vec![
                    v(refund_id),
                    v(order_id),
                    v(Some(sub_id)),
                    v(amount),
                    v(reason),
                    v(provider),
                    v("succeeded"),
                    v(Some(provider_ref)),
                    v(format!("history:{}", refund_id.simple())),
                    v(self.operator),
                    v(at),
                    v(Some(at + secs(&mut self.rng, 5, 600))),
                ]);
                self.refunds += 1;
                refunded.insert(sub_id, amount);
                events.push((
                    at,
                    Some(sub_id),
                    "refunded",
                    self.operator,
                    json!({"refund_id": refund_id, "amount_fen": amount, "reason": reason}),
                ));
            }
        }
        let order_refunded: i64 = refunded.values().sum();
        for (seq, sub_id, mut values) in sub_rows {
            if let (Some(amount), Some(slot)) = (refunded.get(&sub_id), values.get_mut(15)) {
                *slot = v(*amount);
            }
            b.subs.push(SubRow {
                order: order_index,
                seq,
                values,
            });
        }

        // The order, its payment and its log.
        let reference = match method {
            PaymentMethod::Gateway => format!("SBX{}", uuid_at(&mut self.ids, paid_at).simple()),
            PaymentMethod::Offline => format!(
                "{}-{}-{:04}",
                BANKS[self.rng.random_range(0..BANKS.len())],
                paid_at.with_timezone(&shanghai()).format("%Y%m%d"),
                self.rng.random_range(0..10_000)
            ),
        };
        let confirmed_by = match method {
            PaymentMethod::Gateway => None,
            PaymentMethod::Offline => self.operator,
        };
        b.orders.push(OrderRow {
            number,
            created_at,
            values: vec![
                v(order_id),
                v(account),
                v(org),
                v(business),
                v(json!(address)),
                v(goods_total),
                v(shipping_total),
                v(total),
                v(method.as_str()),
                v("paid"),
                v(pay_by),
                v(Some(paid_at)),
                v(None::<String>),
                v(None::<String>),
                v(None::<String>),
                v(created_at),
                v(order_refunded),
            ],
        });
        let payment_id = uuid_at(&mut self.ids, paid_at);
        b.payments.push(vec![
            v(payment_id),
            v(order_id),
            v(method.as_str()),
            v(total),
            v("succeeded"),
            v(Some(reference.clone())),
            v(confirmed_by),
            v(paid_at),
            v(Some(paid_at)),
        ]);
        events.push((
            created_at,
            None,
            "placed",
            Some(account),
            json!({"payment_method": method, "pay_by": pay_by}),
        ));
        events.push((
            paid_at,
            None,
            "paid",
            confirmed_by,
            json!({"provider": method, "reference": reference, "amount_fen": total}),
        ));
        events.sort_by_key(|e| e.0);
        for (at, sub, kind, actor, data) in events {
            let id = uuid_at(&mut self.ids, at);
            b.events.push(vec![
                v(id),
                v(order_id),
                v(sub),
                v(kind),
                v(actor),
                v(data),
                v(at),
            ]);
        }
        true
    }

    fn category_of(&self, listing: usize) -> Uuid {
        self.cat.listings[listing].category
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Replaces order numbers the database already has (another run, a real checkout).
async fn settle_numbers(
    c: &impl ConnectionTrait,
    b: &mut Batch,
    ids: &mut StdRng,
) -> anyhow::Result<()> {
    // Fixed-size lists (padded with the last number): one prepared statement for every batch.
    const LIST: usize = 1_024;
    let backend = c.get_database_backend();
    let mut sql = String::from("SELECT number FROM orders WHERE number IN (");
    for i in 0..LIST {
        if i > 0 {
            sql.push_str(", ");
        }
        match backend {
            DbBackend::Postgres => sql.push_str(&format!("${}", i + 1)),
            _ => sql.push('?'),
        }
    }
    sql.push(')');
    let mut seen: HashSet<String> = HashSet::with_capacity(b.orders.len());
    for _round in 0..10 {
        let mut taken: HashSet<String> = HashSet::new();
        for chunk in b.orders.chunks(LIST) {
            let mut values: Vec<Value> = chunk.iter().map(|o| v(o.number.clone())).collect();
            let last = chunk.last().map(|o| o.number.clone()).unwrap_or_default();
            values.resize(LIST, v(last));
            for row in c
                .query_all_raw(Statement::from_sql_and_values(backend, sql.clone(), values))
                .await?
            {
                taken.insert(row.try_get::<String>("", "number")?);
            }
        }
        // Sub-order numbers are made from these when written.
        seen.clear();
        let mut changed = false;
        for o in &mut b.orders {
            if taken.contains(&o.number) || !seen.insert(o.number.clone()) {
                o.number = order_number(o.created_at, ids.random());
                changed = true;
            }
        }
        if !changed {
            return Ok(());
        }
    }
    bail!("could not find free order numbers")
}

async fn write_batch(state: &AppState, b: &mut Batch, ids: &mut StdRng) -> anyhow::Result<()> {
    let txn = begin_write(&state.infra.db).await?;
    settle_numbers(&txn, b, ids).await?;
    let mut orders = Rows::new("orders", ORDER_COLS);
    let mut numbers: Vec<String> = Vec::with_capacity(b.orders.len());
    for o in b.orders.drain(..) {
        let mut row = o.values;
        row.insert(1, v(o.number.clone()));
        orders.push(row);
        numbers.push(o.number);
    }
    let mut subs = Rows::new("sub_orders", SUB_COLS);
    for s in b.subs.drain(..) {
        let mut row = s.values;
        let number = numbers.get(s.order).cloned().unwrap_or_default();
        row.insert(2, v(format!("{number}-{}", s.seq)));
        subs.push(row);
    }
    orders.write(&txn).await?;
    subs.write(&txn).await?;
    b.lines.write(&txn).await?;
    b.payments.write(&txn).await?;
    b.events.write(&txn).await?;
    b.shipments.write(&txn).await?;
    b.shipment_batches.write(&txn).await?;
    b.refunds.write(&txn).await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Buyers

const ACCOUNT_COLS: &[&str] = &[
    "id",
    "phone",
    "email",
    "display_name",
    "password_hash",
    "platform_role",
    "status",
    "created_at",
    "updated_at",
];
const ADDRESS_COLS: &[&str] = &[
    "id",
    "account_id",
    "name",
    "phone",
    "province",
    "city",
    "district",
    "street",
    "is_default",
    "deleted",
    "created_at",
    "updated_at",
];
const ORG_COLS: &[&str] = &[
    "id",
    "kind",
    "name",
    "licence_no",
    "province",
    "city",
    "county",
    "township",
    "village",
    "address",
    "contact_name",
    "contact_phone",
    "status",
    "status_reason",
    "created_by",
    "created_at",
    "updated_at",
    "verified_at",
];
const MEMBERSHIP_COLS: &[&str] = &["org_id", "account_id", "role", "created_at"];
const ORG_REVIEW_COLS: &[&str] = &["id", "org_id", "action", "actor_id", "reason", "at"];

/// Licence numbers of the generator's business buyers: the same ones every run, so a later run
/// buys with the organisations an earlier one verified.
fn business_licence(i: usize) -> Option<String> {
    Uscc::with_check_char(&format!("91360799MH{:07}", i + 1)).map(|u| u.as_str().to_owned())
}

struct NewRows {
    accounts: Rows,
    addresses: Rows,
    orgs: Rows,
    memberships: Rows,
    reviews: Rows,
}

struct People<'a> {
    ids: &'a mut StdRng,
    rows: NewRows,
    next_phone: u64,
    password_hash: String,
    made: u64,
}

impl People<'_> {
    /// A new buyer account with its saved address.
    fn account(
        &mut self,
        rng: &mut StdRng,
        name: &str,
        home: &Place,
        created: DateTime<Utc>,
    ) -> (Uuid, String) {
        let id = uuid_at(self.ids, created);
        let phone = self.next_phone.to_string();
        self.next_phone += 1;
        self.made += 1;
        self.rows.accounts.push(vec![
            v(id),
            v(Some(phone.clone())),
            v(None::<String>),
            v(name),
            v(self.password_hash.clone()),
            v(None::<String>),
            v("active"),
            v(created),
            v(created),
        ]);
        let at = created + secs(rng, 60, 3_600);
        self.rows.addresses.push(vec![
            v(uuid_at(self.ids, at)),
            v(id),
            v(name),
            v(phone.clone()),
            v(home.province.clone()),
            v(home.city.clone()),
            v(home.district.clone()),
            v(home.street.clone()),
            v(true),
            v(false),
            v(at),
            v(at),
        ]);
        (id, phone)
    }
}

/// Days drawn by the period's order volume (people join when the shop grows), or day 0 (they
/// were customers before the period) with probability `before`.
fn join_day(rng: &mut StdRng, day_prefix: &[f64], before: f64) -> u32 {
    if rng.random_bool(before) {
        0
    } else {
        pick(day_prefix, rng).unwrap_or(0) as u32
    }
}

#[expect(clippy::too_many_arguments, reason = "the setup's parts, used once")]
async fn make_buyers(
    db: &DatabaseConnection,
    opts: &HistoryOptions,
    rng: &mut StdRng,
    ids: &mut StdRng,
    day_prefix: &[f64],
    start_day: NaiveDate,
    operator: Option<Uuid>,
    dest_prefix: &[f64],
) -> anyhow::Result<(Pool, Pool, u64)> {
    // Phones after the highest 170 number already there (an earlier run's buyers).
    let last = account::Entity::find()
        .filter(account::Column::Phone.starts_with("170"))
        .order_by_desc(account::Column::Phone)
        .one(db)
        .await?
        .and_then(|a| a.phone)
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|p| (17_000_000_000..17_100_000_000).contains(p));
    // A demo account's hash (the first without a platform role): history buyers log in with
    // the demo password, and no hashing slows the run down.
    let template = account::Entity::find()
        .filter(account::Column::PlatformRole.is_null())
        .order_by_asc(account::Column::CreatedAt)
        .one(db)
        .await?
        .context(
            "no account to copy a password hash from: seed the demo first (farmgate seed-demo)",
        )?;
    let mut people = People {
        ids,
        rows: NewRows {
            accounts: Rows::new("accounts", ACCOUNT_COLS),
            addresses: Rows::new("addresses", ADDRESS_COLS),
            orgs: Rows::new("organisations", ORG_COLS),
            memberships: Rows::new("memberships", MEMBERSHIP_COLS),
            reviews: Rows::new("org_reviews", ORG_REVIEW_COLS),
        },
        next_phone: last.map_or(17_000_000_001, |p| p + 1),
        password_hash: template.password_hash,
        made: 0,
    };
    if people.next_phone + u64::from(opts.buyers) + 1_000 > 17_100_000_000 {
        bail!("no 170 phone numbers left for {} more buyers", opts.buyers);
    }
    let day_start = |d: u32| start_of(start_day + Duration::days(i64::from(d)));

    let mut consumers = Vec::with_capacity(opts.buyers as usize);
    for _ in 0..opts.buyers {
        let day = join_day(rng, day_prefix, 0.3);
        let created = if day == 0 {
            day_start(0) - secs(rng, 86_400, 400 * 86_400)
        } else {
            day_start(day) - secs(rng, 3_600, 3 * 86_400)
        };
        let name = person_name(rng);
        let home = place(rng, dest_prefix);
        let (account, phone) = people.account(rng, &name, &home, created);
        consumers.push((
            day,
            appetite(rng),
            Buyer {
                account,
                org: None,
                name,
                phone,
                home,
            },
        ));
    }

    // Business buyers: hotels, canteens, supermarkets, mostly in Jiangxi and the big cities.
    let mut businesses = Vec::new();
    let wanted = if opts.business_share_pct == 0 {
        0
    } else {
        (opts.buyers as usize / 12).clamp(6, 300)
    };
    let licences: Vec<String> = (0..wanted).filter_map(business_licence).collect();
    let existing: HashMap<String, organisation::Model> = if licences.is_empty() {
        HashMap::new()
    } else {
        organisation::Entity::find()
            .filter(organisation::Column::LicenceNo.is_in(licences.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.licence_no.clone(), o))
            .collect()
    };
    let owners: HashMap<Uuid, Uuid> = if existing.is_empty() {
        HashMap::new()
    } else {
        membership::Entity::find()
            .filter(
                membership::Column::OrgId
                    .is_in(existing.values().map(|o| o.id).collect::<Vec<_>>()),
            )
            .filter(membership::Column::Role.eq("owner"))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.org_id, m.account_id))
            .collect()
    };
    let business_prefix = running_total(DESTINATIONS.iter().map(|(p, _, w, _)| {
        f64::from(*w)
            * match *p {
                "江西省" => 8.0,
                "广东省" => 2.0,
                "上海市" | "浙江省" | "江苏省" => 1.5,
                _ => 0.0,
            }
    }));
    for licence in &licences {
        let appetite = 1.0 + appetite(rng) / 2.0;
        if let Some(o) = existing.get(licence) {
            if o.status != "verified" || o.kind != "business_buyer" {
                continue;
            }
            let Some(owner) = owners.get(&o.id) else {
                continue;
            };
            businesses.push((
                0,
                appetite,
                Buyer {
                    account: *owner,
                    org: Some(o.id),
                    name: o.contact_name.clone(),
                    phone: o.contact_phone.clone(),
                    home: Place {
                        province: o.province.clone(),
                        city: o.city.clone(),
                        district: o.county.clone(),
                        street: o.address.clone().unwrap_or_else(|| "（未填写）".to_owned()),
                    },
                },
            ));
            continue;
        }
        let day = join_day(rng, day_prefix, 0.4);
        let verified = day_start(day) - secs(rng, 86_400, 30 * 86_400);
        let created = verified - secs(rng, 3_600, 5 * 86_400);
        let owner_created = created - secs(rng, 600, 3 * 86_400);
        let home = place(rng, &business_prefix);
        let city = home.city.trim_end_matches('市').to_owned();
        let org_name = format!(
            "{city}{}{}",
            BUSINESS_WORDS[rng.random_range(0..BUSINESS_WORDS.len())],
            BUSINESS_KINDS[rng.random_range(0..BUSINESS_KINDS.len())]
        );
        let name = person_name(rng);
        let (owner, phone) = people.account(rng, &name, &home, owner_created);
        let org_id = uuid_at(people.ids, created);
        people.rows.orgs.push(vec![
            v(org_id),
            v("business_buyer"),
            v(org_name),
            v(licence.clone()),
            v(home.province.clone()),
            v(home.city.clone()),
            v(home.district.clone()),
            v(None::<String>),
            v(None::<String>),
            v(Some(home.street.clone())),
            v(name.clone()),
            v(phone.clone()),
            v("verified"),
            v(None::<String>),
            v(owner),
            v(created),
            v(verified),
            v(Some(verified)),
        ]);
        people
            .rows
            .memberships
            .push(vec![v(org_id), v(owner), v("owner"), v(created)]);
        for (action, actor, at) in [
            ("submitted", owner, created),
            ("verified", operator.unwrap_or(owner), verified),
        ] {
            let id = uuid_at(people.ids, at);
            people.rows.reviews.push(vec![
                v(id),
                v(org_id),
                v(action),
                v(actor),
                v(None::<String>),
                v(at),
            ]);
        }
        businesses.push((
            day,
            appetite,
            Buyer {
                account: owner,
                org: Some(org_id),
                name,
                phone,
                home,
            },
        ));
    }
    let made = people.made;
    let mut rows = people.rows;
    let txn = begin_write(db).await?;
    rows.accounts.write(&txn).await?;
    rows.addresses.write(&txn).await?;
    rows.orgs.write(&txn).await?;
    rows.memberships.write(&txn).await?;
    rows.reviews.write(&txn).await?;
    txn.commit().await?;
    Ok((Pool::new(consumers), Pool::new(businesses), made))
}

// ---------------------------------------------------------------------------------------------
// The run

/// Orders per day: growth (doubling in a year), month, festivals, weekday and a little noise;
/// the last day only up to `end`. Adds up to `total` exactly (largest remainder).
fn day_counts(
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

/// Generates the history (see the module documentation) and returns what it made.
pub async fn generate(state: &AppState, opts: &HistoryOptions) -> anyhow::Result<HistoryReport> {
    let started = Instant::now();
    if opts.orders == 0 || opts.days == 0 || opts.buyers == 0 {
        bail!("orders, days and buyers must be at least 1");
    }
    if opts.days > 3_660 {
        bail!("at most ten years (3,660 days)");
    }
    if opts.business_share_pct > 100 {
        bail!("the business share is a percentage (0 to 100)");
    }
    let db = &state.infra.db;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let cat = catalogue(db, &mut rng).await?;
    if cat.listings.is_empty() {
        bail!(
            "no approved listings of verified sellers to buy from: seed the demo county first \
             (`farmgate seed-demo`)"
        );
    }
    // Salts: what is there already, so ids and numbers of this run are new.
    let existing_orders = order::Entity::find().count(db).await?;
    let existing_shipments = shipment::Entity::find().count(db).await?;
    let mut ids = StdRng::seed_from_u64(
        opts.seed ^ existing_orders.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x00F0_0D5E_ED00,
    );
    let operator = account::Entity::find()
        .filter(account::Column::PlatformRole.eq("operator"))
        .order_by_asc(account::Column::CreatedAt)
        .one(db)
        .await?
        .map(|a| a.id);

    let end_local = opts.end.with_timezone(&shanghai());
    let end_day = end_local.date_naive();
    let start_day = end_day - Duration::days(i64::from(opts.days) - 1);
    let end_secs = end_local.num_seconds_from_midnight();
    let counts = day_counts(
        &mut rng,
        start_day,
        opts.days,
        opts.orders,
        share_before(&CONSUMER_HOURS, end_secs),
    );
    let day_prefix = running_total(counts.iter().map(|c| *c as f64 + 0.01));
    let dest_prefix = running_total(DESTINATIONS.iter().map(|d| f64::from(d.2)));
    let (consumers, businesses, buyers) = make_buyers(
        db,
        opts,
        &mut rng,
        &mut ids,
        &day_prefix,
        start_day,
        operator,
        &dest_prefix,
    )
    .await?;
    tracing::info!(
        listings = cat.listings.len(),
        sellers = cat.sellers.len(),
        consumers = consumers.buyers.len(),
        businesses = businesses.buyers.len(),
        "history: buyers ready"
    );

    let config = state.orders.config();
    let mut g = Gen {
        cat,
        consumers,
        businesses,
        rng,
        ids,
        operator,
        business_share: f64::from(opts.business_share_pct) / 100.0,
        dest_prefix,
        carrier_prefix: running_total(CARRIERS.iter().map(|c| f64::from(c.2))),
        end: opts.end,
        start_day,
        days: opts.days,
        gateway_pay_within: config.gateway_pay_within,
        offline_pay_within: config.offline_pay_within,
        auto_receive_after: config.auto_receive_after,
        gateway_provider: state.orders.provider(PaymentMethod::Gateway).name(),
        offline_provider: state.orders.provider(PaymentMethod::Offline).name(),
        order_seq: 0,
        number_salt: existing_orders,
        shipment_seq: existing_shipments,
        lines: 0,
        refunds: 0,
        shipments: 0,
    };
    let mut batch = Batch::new();
    let mut made: u64 = 0;
    let mut last_log = Instant::now();
    for (d, n) in counts.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        let day = d as u32;
        let date = g.start_day + Duration::days(i64::from(day));
        let limit = if date == end_day { end_secs } else { 86_400 };
        let weights = g.listing_weights(date);
        let (mut placed, mut tries) = (0u64, 0u64);
        while placed < *n && tries < n * 3 + 10 {
            tries += 1;
            if g.order(&mut batch, day, date, limit, &weights) {
                placed += 1;
            }
        }
        made += placed;
        if batch.orders.len() >= BATCH_ORDERS || day + 1 == g.days {
            write_batch(state, &mut batch, &mut g.ids).await?;
            if last_log.elapsed().as_secs() >= 10 {
                last_log = Instant::now();
                tracing::info!(
                    orders = made,
                    of = opts.orders,
                    day = %date,
                    seconds = started.elapsed().as_secs_f64(),
                    "history: writing"
                );
            }
        }
    }
    if !batch.orders.is_empty() {
        write_batch(state, &mut batch, &mut g.ids).await?;
    }
    Ok(HistoryReport {
        orders: made,
        lines: g.lines,
        buyers,
        refunds: g.refunds,
        shipments: g.shipments,
        seconds: started.elapsed().as_secs_f64(),
    })
}
