//! Demo listings: about sixty products of the demo county's sellers, created, submitted and
//! approved through the catalogue's own use cases, each with a photo drawn at seed time (no
//! downloads). A few are left waiting for review, one as a draft and one sold out, so every
//! page has something to show.

use crate::demo::{CITY, COUNTY, PROVINCE};
use anyhow::Context;
use farmgate_catalog::Catalog;
use farmgate_catalog::domain::{Tier, Unit};
use farmgate_catalog::service::{ListingPatch, NewListingRequest, SkuRequest};
use farmgate_identity::{Actor, Membership, OrgKind, OrgRole, OrgStatus};
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::region::RegionInput;
use image::{Rgb, RgbImage};
use std::io::Cursor;
use uuid::Uuid;

/// What the demo does with a listing after creating it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Live,
    /// Submitted, waiting in the operator's queue.
    Waiting,
    Draft,
    /// Live, then every SKU sold out.
    SoldOut,
    /// Live, with a title change waiting for review.
    ChangeWaiting,
}

/// A shape for the drawn photo.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    Round,
    Eggs,
    Grains,
    Leaves,
    Jar,
    Caps,
}

struct Sku {
    name: &'static str,
    unit: Unit,
    price: i64,
    stock: i64,
    weight: i64,
    net: Option<i64>,
    /// (min quantity, price)
    tiers: &'static [(i64, i64)],
}

struct Demo {
    /// Owner phone of the selling organisation.
    seller: &'static str,
    category: &'static str,
    title: &'static str,
    description: &'static str,
    township: &'static str,
    village: Option<&'static str>,
    /// When the goods come from outside the seller's county: (province, city, county, note).
    elsewhere: Option<(&'static str, &'static str, &'static str, &'static str)>,
    season: Option<&'static str>,
    storage: Option<&'static str>,
    shelf_life_days: Option<i64>,
    skus: &'static [Sku],
    shape: Shape,
    color: [u8; 3],
    sales: i64,
    fate: Fate,
}

const ORANGE: [u8; 3] = [240, 140, 30];
const RED: [u8; 3] = [200, 40, 45];
const GREEN: [u8; 3] = [70, 150, 60];
const BROWN: [u8; 3] = [140, 90, 50];
const CREAM: [u8; 3] = [235, 215, 170];
const GOLD: [u8; 3] = [220, 170, 40];
const PURPLE: [u8; 3] = [120, 60, 120];
const WHITE: [u8; 3] = [245, 240, 230];
const DARK: [u8; 3] = [60, 50, 40];

macro_rules! sku {
    ($name:expr, $unit:ident, $price:expr, $stock:expr, $weight:expr) => {
        Sku {
            name: $name,
            unit: Unit::$unit,
            price: $price,
            stock: $stock,
            weight: $weight,
            net: None,
            tiers: &[],
        }
    };
    ($name:expr, $unit:ident, $price:expr, $stock:expr, $weight:expr, net $net:expr) => {
        Sku {
            name: $name,
            unit: Unit::$unit,
            price: $price,
            stock: $stock,
            weight: $weight,
            net: Some($net),
            tiers: &[],
        }
    };
    ($name:expr, $unit:ident, $price:expr, $stock:expr, $weight:expr, net $net:expr, tiers $tiers:expr) => {
        Sku {
            name: $name,
            unit: Unit::$unit,
            price: $price,
            stock: $stock,
            weight: $weight,
            net: Some($net),
            tiers: $tiers,
        }
    };
}

const MEILING: &str = "13800000001";
const TAOYUAN_TEA: &str = "13800000003";
const LONGQUAN_RICE: &str = "13800000005";
const CHICKEN: &str = "13800000004";
const MUSHROOM: &str = "13800000006";
const HONEY: &str = "13800000007";
const SHANGPING: &str = "13800000008";
const PLATFORM: &str = "13900000001";

/// Platform-store listings and the demo producer that grew or made them (by owner phone).
const PRODUCED_BY: &[(&str, &str)] = &[
    ("橙皮干 陈皮 250克", MEILING),
    ("青石山茶油 平台自营 2.5升", TAOYUAN_TEA),
    ("白云山水蜜桃 6个装", CHICKEN),
];

const DEMOS: &[Demo] = &[
    // 梅岭脐橙专业合作社
    Demo {
        seller: MEILING,
        category: "citrus",
        title: "赣南脐橙 梅岭果园直发 10斤装",
        description: "梅岭镇茶坑村合作社果园，树上自然成熟后采摘，果肉脆甜多汁。\n单果 75–85 mm，坏果包赔。",
        township: "梅岭镇",
        village: Some("茶坑村"),
        elsewhere: None,
        season: Some("11月—次年1月"),
        storage: Some("常温阴凉处，冷藏更佳"),
        shelf_life_days: Some(30),
        skus: &[
            sku!("10斤装 中果", Box, 5990, 320, 5600, net 5000, tiers &[(20, 5200), (100, 4600)]),
            sku!("5斤装 大果", Box, 3990, 200, 2900, net 2500),
        ],
        shape: Shape::Round,
        color: ORANGE,
        sales: 1860,
        fate: Fate::Live,
    },
    Demo {
        seller: MEILING,
        category: "citrus",
        title: "梅岭脐橙 精品礼盒 12枚",
        description: "精选 85 mm 以上大果，礼盒包装，适合走亲访友。",
        township: "梅岭镇",
        village: Some("茶坑村"),
        elsewhere: None,
        season: Some("11月—次年1月"),
        storage: Some("冷藏 4–8℃"),
        shelf_life_days: Some(25),
        skus: &[sku!("12枚礼盒", Box, 8800, 80, 4200, net 3600)],
        shape: Shape::Round,
        color: ORANGE,
        sales: 420,
        fate: Fate::Live,
    },
    Demo {
        seller: MEILING,
        category: "citrus",
        title: "纽荷尔脐橙 现摘现发 5斤",
        description: "纽荷尔品种，果皮光滑，酸甜适口。",
        township: "梅岭镇",
        village: Some("茶坑村"),
        elsewhere: None,
        season: Some("12月"),
        storage: Some("常温阴凉"),
        shelf_life_days: Some(25),
        skus: &[sku!("5斤装", Box, 3690, 150, 2800, net 2500)],
        shape: Shape::Round,
        color: ORANGE,
        sales: 610,
        fate: Fate::Live,
    },
    Demo {
        seller: MEILING,
        category: "citrus",
        title: "沃柑 皮薄易剥 5斤装",
        description: "合作社社员种植的沃柑，皮薄汁多，小朋友也能自己剥。",
        township: "梅岭镇",
        village: Some("茶坑村"),
        elsewhere: None,
        season: Some("2月—4月"),
        storage: Some("冷藏"),
        shelf_life_days: Some(20),
        skus: &[sku!("5斤装", Box, 3290, 120, 2800, net 2500)],
        shape: Shape::Round,
        color: ORANGE,
        sales: 240,
        fate: Fate::Live,
    },
    Demo {
        seller: MEILING,
        category: "citrus",
        title: "梅岭蜜柚 红心 2个装",
        description: "红心蜜柚，果肉细嫩，清甜不苦。",
        township: "梅岭镇",
        village: Some("茶坑村"),
        elsewhere: None,
        season: Some("10月—11月"),
        storage: Some("常温通风"),
        shelf_life_days: Some(40),
        skus: &[sku!("2个装 约5斤", Box, 3590, 90, 2800, net 2500)],
        shape: Shape::Round,
        color: [230, 180, 60],
        sales: 180,
        fate: Fate::Live,
    },
    Demo {
        seller: MEILING,
        category: "citrus",
        title: "赣南脐橙 果园批发 40斤箱",
        description: "面向社区店、超市的批发装，统一分级，整箱发货。",
        township: "梅岭镇",
        village: Some("茶坑村"),
        elsewhere: None,
        season: Some("11月—次年1月"),
        storage: Some("冷库 4℃"),
        shelf_life_days: Some(30),
        skus: &[sku!("40斤箱", Box, 19800, 60, 21000, net 20000, tiers &[(5, 18500), (20, 17200)])],
        shape: Shape::Round,
        color: ORANGE,
        sales: 95,
        fate: Fate::Live,
    },
    Demo {
        seller: MEILING,
        category: "citrus",
        title: "血橙 塔罗科 5斤",
        description: "果肉玫红，风味浓郁。今年首批试种，数量有限。",
        township: "梅岭镇",
        village: Some("茶坑村"),
        elsewhere: None,
        season: Some("1月—3月"),
        storage: Some("冷藏"),
        shelf_life_days: Some(20),
        skus: &[sku!("5斤装", Box, 4590, 40, 2800, net 2500)],
        shape: Shape::Round,
        color: RED,
        sales: 12,
        fate: Fate::Waiting,
    },
    // 桃源高山茶叶专业合作社
    Demo {
        seller: TAOYUAN_TEA,
        category: "green-tea",
        title: "高山云雾绿茶 明前特级 250克",
        description: "海拔 800 米桃花村茶园，清明前手工采摘一芽一叶。",
        township: "桃源乡",
        village: Some("桃花村"),
        elsewhere: None,
        season: Some("3月—4月采"),
        storage: Some("密封避光，冷藏更佳"),
        shelf_life_days: Some(540),
        skus: &[
            sku!("250克罐装", Bag, 12800, 200, 420, net 250),
            sku!("500克礼盒", Box, 23800, 80, 900, net 500),
        ],
        shape: Shape::Leaves,
        color: GREEN,
        sales: 530,
        fate: Fate::Live,
    },
    Demo {
        seller: TAOYUAN_TEA,
        category: "green-tea",
        title: "桃源毛尖 雨前一级 500克",
        description: "口感醇厚耐泡，日常口粮茶。",
        township: "桃源乡",
        village: Some("桃花村"),
        elsewhere: None,
        season: Some("4月—5月采"),
        storage: Some("密封避光"),
        shelf_life_days: Some(540),
        skus: &[sku!("500克袋装", Bag, 9800, 150, 600, net 500, tiers &[(10, 8800)])],
        shape: Shape::Leaves,
        color: GREEN,
        sales: 380,
        fate: Fate::Live,
    },
    Demo {
        seller: TAOYUAN_TEA,
        category: "black-tea",
        title: "高山红茶 蜜香型 250克",
        description: "夏秋茶制作的红茶，蜜香明显，汤色红亮。",
        township: "桃源乡",
        village: Some("桃花村"),
        elsewhere: None,
        season: Some("6月—9月采"),
        storage: Some("密封防潮"),
        shelf_life_days: Some(720),
        skus: &[sku!("250克", Bag, 8800, 120, 400, net 250)],
        shape: Shape::Leaves,
        color: BROWN,
        sales: 260,
        fate: Fate::Live,
    },
    Demo {
        seller: TAOYUAN_TEA,
        category: "white-tea",
        title: "高山白茶 寿眉饼 357克",
        description: "自然萎凋，压制成饼，越陈越香。",
        township: "桃源乡",
        village: Some("桃花村"),
        elsewhere: None,
        season: None,
        storage: Some("干燥通风，避免异味"),
        shelf_life_days: Some(3650),
        skus: &[sku!("357克茶饼", Piece, 16800, 60, 500, net 357)],
        shape: Shape::Leaves,
        color: CREAM,
        sales: 88,
        fate: Fate::Live,
    },
    Demo {
        seller: TAOYUAN_TEA,
        category: "cooking-oil",
        title: "高山野山茶油 压榨 2.5升",
        description: "桃源乡野生油茶籽物理压榨，适合凉拌和炒菜。",
        township: "桃源乡",
        village: Some("桃花村"),
        elsewhere: None,
        season: None,
        storage: Some("避光阴凉"),
        shelf_life_days: Some(540),
        skus: &[sku!("2.5升桶装", Piece, 29800, 70, 2600)],
        shape: Shape::Jar,
        color: GOLD,
        sales: 150,
        fate: Fate::Live,
    },
    Demo {
        seller: TAOYUAN_TEA,
        category: "tea-other",
        title: "野生金银花茶 100克",
        description: "山上采摘的金银花晒干，泡水清香。",
        township: "桃源乡",
        village: Some("桃花村"),
        elsewhere: None,
        season: Some("5月—6月"),
        storage: Some("密封防潮"),
        shelf_life_days: Some(365),
        skus: &[sku!("100克", Bag, 4500, 90, 200, net 100)],
        shape: Shape::Leaves,
        color: CREAM,
        sales: 40,
        fate: Fate::Draft,
    },
    // 龙泉生态稻米专业合作社
    Demo {
        seller: LONGQUAN_RICE,
        category: "rice",
        title: "龙泉稻花香大米 当季新米 10斤",
        description: "龙泉镇山泉水灌溉，一年一季，现碾现发。",
        township: "龙泉镇",
        village: Some("龙泉村"),
        elsewhere: None,
        season: Some("10月新米"),
        storage: Some("阴凉干燥，开袋后密封"),
        shelf_life_days: Some(180),
        skus: &[
            sku!("10斤袋", Bag, 6980, 400, 5100, net 5000, tiers &[(10, 6200), (50, 5600)]),
            sku!("20斤袋", Bag, 12800, 150, 10100, net 10000, tiers &[(10, 11500)]),
        ],
        shape: Shape::Grains,
        color: WHITE,
        sales: 2400,
        fate: Fate::Live,
    },
    Demo {
        seller: LONGQUAN_RICE,
        category: "rice",
        title: "富硒生态大米 5公斤",
        description: "土壤检测富硒，不打除草剂，稻鸭共作。",
        township: "龙泉镇",
        village: Some("龙泉村"),
        elsewhere: None,
        season: Some("10月新米"),
        storage: Some("阴凉干燥"),
        shelf_life_days: Some(180),
        skus: &[sku!("5公斤袋", Bag, 8800, 200, 5100, net 5000)],
        shape: Shape::Grains,
        color: WHITE,
        sales: 760,
        fate: Fate::Live,
    },
    Demo {
        seller: LONGQUAN_RICE,
        category: "rice",
        title: "农家糯米 包粽子专用 5斤",
        description: "长粒糯米，黏糯香甜，端午包粽子、做年糕都合适。",
        township: "龙泉镇",
        village: Some("龙泉村"),
        elsewhere: None,
        season: None,
        storage: Some("阴凉干燥"),
        shelf_life_days: Some(180),
        skus: &[sku!("5斤", Bag, 3990, 180, 2600, net 2500)],
        shape: Shape::Grains,
        color: WHITE,
        sales: 330,
        fate: Fate::Live,
    },
    Demo {
        seller: LONGQUAN_RICE,
        category: "coarse-grain",
        title: "龙泉红米 糙米 2斤",
        description: "传统老品种红米，煮粥口感软糯。",
        township: "龙泉镇",
        village: Some("龙泉村"),
        elsewhere: None,
        season: None,
        storage: Some("密封防虫"),
        shelf_life_days: Some(240),
        skus: &[sku!("2斤", Bag, 2590, 120, 1100, net 1000)],
        shape: Shape::Grains,
        color: RED,
        sales: 140,
        fate: Fate::Live,
    },
    Demo {
        seller: LONGQUAN_RICE,
        category: "coarse-grain",
        title: "黑米 五谷杂粮 2斤",
        description: "颗粒饱满，适合和大米一起煮饭。",
        township: "龙泉镇",
        village: Some("龙泉村"),
        elsewhere: None,
        season: None,
        storage: Some("密封防虫"),
        shelf_life_days: Some(240),
        skus: &[sku!("2斤", Bag, 2890, 100, 1100, net 1000)],
        shape: Shape::Grains,
        color: DARK,
        sales: 90,
        fate: Fate::Live,
    },
    Demo {
        seller: LONGQUAN_RICE,
        category: "flour-noodles",
        title: "龙泉手工米粉 2斤",
        description: "本地大米石磨水磨，晒干的干米粉，炒、煮都行。",
        township: "龙泉镇",
        village: Some("龙泉村"),
        elsewhere: None,
        season: None,
        storage: Some("干燥处"),
        shelf_life_days: Some(365),
        skus: &[sku!("2斤", Bag, 2200, 260, 1100, net 1000, tiers &[(20, 1800)])],
        shape: Shape::Grains,
        color: CREAM,
        sales: 880,
        fate: Fate::Live,
    },
    Demo {
        seller: LONGQUAN_RICE,
        category: "rice",
        title: "稻花香大米 试吃装 1斤",
        description: "新客试吃，一人限购一份。",
        township: "龙泉镇",
        village: Some("龙泉村"),
        elsewhere: None,
        season: None,
        storage: Some("阴凉干燥"),
        shelf_life_days: Some(180),
        skus: &[sku!("1斤", Bag, 990, 0, 560, net 500)],
        shape: Shape::Grains,
        color: WHITE,
        sales: 1500,
        fate: Fate::SoldOut,
    },
    // 白云山土鸡家庭农场
    Demo {
        seller: CHICKEN,
        category: "eggs",
        title: "散养土鸡蛋 白云山林下 30枚",
        description: "林下散养，吃虫子和玉米，蛋黄颜色自然。\n整箱防震包装，破损包赔。",
        township: "白云乡",
        village: Some("高山村"),
        elsewhere: None,
        season: None,
        storage: Some("冷藏 0–4℃"),
        shelf_life_days: Some(30),
        skus: &[
            sku!("30枚", Box, 4500, 300, 2200, net 1500, tiers &[(10, 4000), (50, 3600)]),
            sku!("60枚", Box, 8500, 120, 4200, net 3000),
        ],
        shape: Shape::Eggs,
        color: CREAM,
        sales: 3100,
        fate: Fate::Live,
    },
    Demo {
        seller: CHICKEN,
        category: "eggs",
        title: "乌鸡蛋 青壳 20枚",
        description: "乌骨鸡所产，个头小营养足。",
        township: "白云乡",
        village: Some("高山村"),
        elsewhere: None,
        season: None,
        storage: Some("冷藏"),
        shelf_life_days: Some(30),
        skus: &[sku!("20枚", Box, 5200, 80, 1200, net 800)],
        shape: Shape::Eggs,
        color: [170, 200, 180],
        sales: 420,
        fate: Fate::Live,
    },
    Demo {
        seller: CHICKEN,
        category: "eggs",
        title: "农家鸭蛋 30枚",
        description: "溪边放养麻鸭所产，适合腌咸蛋。",
        township: "白云乡",
        village: Some("高山村"),
        elsewhere: None,
        season: None,
        storage: Some("冷藏"),
        shelf_life_days: Some(30),
        skus: &[sku!("30枚", Box, 4800, 90, 2600, net 2000)],
        shape: Shape::Eggs,
        color: [200, 220, 210],
        sales: 160,
        fate: Fate::Live,
    },
    Demo {
        seller: CHICKEN,
        category: "poultry",
        title: "白云山散养土鸡 冰鲜整只 约3斤",
        description: "养足 300 天的散养母鸡，宰杀后冰鲜发货。",
        township: "白云乡",
        village: Some("高山村"),
        elsewhere: None,
        season: None,
        storage: Some("冷冻 -18℃"),
        shelf_life_days: Some(90),
        skus: &[sku!("整只约3斤", Piece, 16800, 40, 2200, net 1500)],
        shape: Shape::Round,
        color: [230, 200, 160],
        sales: 210,
        fate: Fate::Live,
    },
    Demo {
        seller: CHICKEN,
        category: "pickles",
        title: "流油咸鸭蛋 熟 20枚",
        description: "黄泥腌制 30 天，蒸熟真空包装，开袋即食。",
        township: "白云乡",
        village: Some("高山村"),
        elsewhere: None,
        season: None,
        storage: Some("常温"),
        shelf_life_days: Some(120),
        skus: &[sku!("20枚", Box, 5800, 110, 1600, net 1300)],
        shape: Shape::Eggs,
        color: [210, 120, 60],
        sales: 350,
        fate: Fate::Live,
    },
    // 溪口香菇家庭农场
    Demo {
        seller: MUSHROOM,
        category: "dried-fungi",
        title: "溪口椴木干香菇 500克",
        description: "椴木栽培，自然晒干，菇肉厚实，香味浓。",
        township: "桃源乡",
        village: Some("溪口村"),
        elsewhere: None,
        season: None,
        storage: Some("密封防潮"),
        shelf_life_days: Some(365),
        skus: &[sku!("500克", Bag, 6800, 180, 650, net 500, tiers &[(20, 6000)])],
        shape: Shape::Caps,
        color: BROWN,
        sales: 920,
        fate: Fate::Live,
    },
    Demo {
        seller: MUSHROOM,
        category: "dried-fungi",
        title: "花菇 特级 250克",
        description: "冬季低温生长，菇面开花纹，口感最好。",
        township: "桃源乡",
        village: Some("溪口村"),
        elsewhere: None,
        season: Some("12月—2月"),
        storage: Some("密封防潮"),
        shelf_life_days: Some(365),
        skus: &[sku!("250克", Bag, 7800, 60, 350, net 250)],
        shape: Shape::Caps,
        color: [170, 120, 80],
        sales: 300,
        fate: Fate::Live,
    },
    Demo {
        seller: MUSHROOM,
        category: "fresh-fungi",
        title: "鲜香菇 当天采摘 3斤",
        description: "早上采摘下午发货，冷链到家。",
        township: "桃源乡",
        village: Some("溪口村"),
        elsewhere: None,
        season: None,
        storage: Some("冷藏 2–4℃"),
        shelf_life_days: Some(5),
        skus: &[sku!("3斤", Box, 3600, 100, 1800, net 1500)],
        shape: Shape::Caps,
        color: [150, 100, 70],
        sales: 450,
        fate: Fate::Live,
    },
    Demo {
        seller: MUSHROOM,
        category: "dried-fungi",
        title: "秋木耳 黑木耳 250克",
        description: "肉厚无根，泡发率高。",
        township: "桃源乡",
        village: Some("溪口村"),
        elsewhere: None,
        season: None,
        storage: Some("干燥处"),
        shelf_life_days: Some(540),
        skus: &[sku!("250克", Bag, 4200, 140, 350, net 250)],
        shape: Shape::Caps,
        color: DARK,
        sales: 510,
        fate: Fate::Live,
    },
    Demo {
        seller: MUSHROOM,
        category: "dried-fungi",
        title: "茶树菇 干货 300克",
        description: "脆嫩，炖汤一绝。",
        township: "桃源乡",
        village: Some("溪口村"),
        elsewhere: None,
        season: None,
        storage: Some("密封防潮"),
        shelf_life_days: Some(365),
        skus: &[sku!("300克", Bag, 3900, 100, 400, net 300)],
        shape: Shape::Caps,
        color: BROWN,
        sales: 260,
        fate: Fate::Live,
    },
    Demo {
        seller: MUSHROOM,
        category: "bamboo-shoots",
        title: "农家笋干 高山毛竹 500克",
        description: "春笋煮熟晒干，无硫熏，红烧肉伴侣。",
        township: "桃源乡",
        village: Some("溪口村"),
        elsewhere: None,
        season: Some("4月"),
        storage: Some("干燥处"),
        shelf_life_days: Some(365),
        skus: &[sku!("500克", Bag, 5600, 90, 650, net 500)],
        shape: Shape::Leaves,
        color: [190, 160, 90],
        sales: 230,
        fate: Fate::Live,
    },
    Demo {
        seller: MUSHROOM,
        category: "fresh-fungi",
        title: "鲜冬笋 挖笋现发 5斤",
        description: "冬季山上现挖，带壳发货。",
        township: "桃源乡",
        village: Some("溪口村"),
        elsewhere: None,
        season: Some("12月—1月"),
        storage: Some("阴凉处，尽快食用"),
        shelf_life_days: Some(7),
        skus: &[sku!("5斤", Box, 4800, 70, 2800, net 2500)],
        shape: Shape::Leaves,
        color: [200, 180, 120],
        sales: 140,
        fate: Fate::Waiting,
    },
    // 石门蜂蜜家庭农场
    Demo {
        seller: HONEY,
        category: "honey",
        title: "石门土蜂蜜 百花蜜 500克",
        description: "中华蜂一年一取，自然成熟，冬季会结晶。",
        township: "龙泉镇",
        village: Some("石门村"),
        elsewhere: None,
        season: None,
        storage: Some("常温密封"),
        shelf_life_days: Some(720),
        skus: &[
            sku!("500克瓶装", Piece, 6800, 200, 800, net 500),
            sku!("1000克瓶装", Piece, 12800, 90, 1500, net 1000),
        ],
        shape: Shape::Jar,
        color: GOLD,
        sales: 1300,
        fate: Fate::Live,
    },
    Demo {
        seller: HONEY,
        category: "honey",
        title: "野桂花蜜 深山蜂场 500克",
        description: "秋季桂花蜜源，色泽浅，香气清雅。",
        township: "龙泉镇",
        village: Some("石门村"),
        elsewhere: None,
        season: Some("10月取蜜"),
        storage: Some("常温密封"),
        shelf_life_days: Some(720),
        skus: &[sku!("500克", Piece, 9800, 80, 800, net 500)],
        shape: Shape::Jar,
        color: [230, 200, 90],
        sales: 410,
        fate: Fate::Live,
    },
    Demo {
        seller: HONEY,
        category: "honey",
        title: "原蜜 蜂巢蜜 盒装 400克",
        description: "连着蜂巢一起吃，嚼完吐蜡即可。",
        township: "龙泉镇",
        village: Some("石门村"),
        elsewhere: None,
        season: None,
        storage: Some("常温"),
        shelf_life_days: Some(365),
        skus: &[sku!("400克", Box, 8800, 50, 700, net 400)],
        shape: Shape::Jar,
        color: [210, 160, 40],
        sales: 190,
        fate: Fate::Live,
    },
    Demo {
        seller: HONEY,
        category: "honey",
        title: "土蜂蜜 农家自产 1斤装 批发",
        description: "给社区店、农贸市场的整箱批发装（12瓶）。",
        township: "龙泉镇",
        village: Some("石门村"),
        elsewhere: None,
        season: None,
        storage: Some("常温"),
        shelf_life_days: Some(720),
        skus: &[sku!("12瓶整箱", Box, 69800, 30, 7800, net 6000, tiers &[(3, 64800), (10, 59800)])],
        shape: Shape::Jar,
        color: GOLD,
        sales: 35,
        fate: Fate::Live,
    },
    // 上坪脐橙种植大户 钟大山
    Demo {
        seller: SHANGPING,
        category: "citrus",
        title: "上坪脐橙 自家果园 10斤",
        description: "钟大山自家 20 亩果园，农家肥种植。",
        township: "梅岭镇",
        village: Some("上坪村"),
        elsewhere: None,
        season: Some("11月—12月"),
        storage: Some("常温阴凉"),
        shelf_life_days: Some(30),
        skus: &[sku!("10斤", Box, 5590, 150, 5600, net 5000)],
        shape: Shape::Round,
        color: ORANGE,
        sales: 700,
        fate: Fate::Live,
    },
    Demo {
        seller: SHANGPING,
        category: "roots",
        title: "沙地红薯 板栗薯 5斤",
        description: "沙地种植，蒸着吃又粉又甜。",
        township: "梅岭镇",
        village: Some("上坪村"),
        elsewhere: None,
        season: Some("9月—11月"),
        storage: Some("常温通风，勿冷藏"),
        shelf_life_days: Some(60),
        skus: &[sku!("5斤", Box, 1990, 200, 2700, net 2500)],
        shape: Shape::Round,
        color: PURPLE,
        sales: 980,
        fate: Fate::Live,
    },
    Demo {
        seller: SHANGPING,
        category: "roots",
        title: "黄心马铃薯 本地小土豆 5斤",
        description: "黄心品种，炖煮、炒丝都好吃。",
        township: "梅岭镇",
        village: Some("上坪村"),
        elsewhere: None,
        season: Some("5月—6月"),
        storage: Some("阴凉避光，防发芽"),
        shelf_life_days: Some(45),
        skus: &[sku!("5斤", Box, 1590, 300, 2700, net 2500, tiers &[(20, 1300)])],
        shape: Shape::Round,
        color: [210, 180, 110],
        sales: 1250,
        fate: Fate::Live,
    },
    Demo {
        seller: SHANGPING,
        category: "fruiting-veg",
        title: "甜糯玉米 现掰 10根",
        description: "早上现掰的鲜玉米，水煮 15 分钟。",
        township: "梅岭镇",
        village: Some("上坪村"),
        elsewhere: None,
        season: Some("6月—9月"),
        storage: Some("冷藏，尽快食用"),
        shelf_life_days: Some(4),
        skus: &[sku!("10根", Bag, 2490, 150, 3200)],
        shape: Shape::Grains,
        color: GOLD,
        sales: 620,
        fate: Fate::Live,
    },
    Demo {
        seller: SHANGPING,
        category: "nuts",
        title: "农家落花生 带壳晒干 3斤",
        description: "红皮小粒花生，炒着吃、煮着吃都香。",
        township: "梅岭镇",
        village: Some("上坪村"),
        elsewhere: None,
        season: Some("8月—9月"),
        storage: Some("干燥处"),
        shelf_life_days: Some(180),
        skus: &[sku!("3斤", Bag, 2790, 160, 1600, net 1500)],
        shape: Shape::Caps,
        color: [200, 150, 100],
        sales: 410,
        fate: Fate::Live,
    },
    Demo {
        seller: SHANGPING,
        category: "fruiting-veg",
        title: "自然成熟番茄 老品种 3斤",
        description: "露天种植的老品种西红柿，沙瓤酸甜。",
        township: "梅岭镇",
        village: Some("上坪村"),
        elsewhere: None,
        season: Some("6月—8月"),
        storage: Some("常温，熟透后冷藏"),
        shelf_life_days: Some(7),
        skus: &[sku!("3斤", Box, 1290, 120, 1700, net 1500)],
        shape: Shape::Round,
        color: RED,
        sales: 540,
        fate: Fate::Live,
    },
    Demo {
        seller: SHANGPING,
        category: "leafy",
        title: "时令青菜组合 5斤",
        description: "当天采摘的两三种时令青菜，按季节搭配。",
        township: "梅岭镇",
        village: Some("上坪村"),
        elsewhere: None,
        season: None,
        storage: Some("冷藏"),
        shelf_life_days: Some(3),
        skus: &[sku!("5斤", Box, 2590, 80, 2800, net 2500)],
        shape: Shape::Leaves,
        color: GREEN,
        sales: 300,
        fate: Fate::Live,
    },
    Demo {
        seller: SHANGPING,
        category: "alliums",
        title: "农家老姜 黄姜 3斤",
        description: "老姜辣味足，炖汤驱寒。",
        township: "梅岭镇",
        village: Some("上坪村"),
        elsewhere: None,
        season: None,
        storage: Some("阴凉通风"),
        shelf_life_days: Some(60),
        skus: &[sku!("3斤", Bag, 2290, 100, 1600, net 1500)],
        shape: Shape::Caps,
        color: [220, 190, 120],
        sales: 180,
        fate: Fate::ChangeWaiting,
    },
    // 平台自营
    Demo {
        seller: PLATFORM,
        category: "apple-pear",
        title: "烟台红富士苹果 5斤装",
        description: "平台统一采购的山东烟台红富士，脆甜多汁。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: Some((
            "山东省",
            "烟台市",
            "栖霞市",
            "平台自营统一采购，产地山东烟台栖霞",
        )),
        season: Some("10月—次年3月"),
        storage: Some("冷藏"),
        shelf_life_days: Some(30),
        skus: &[sku!("5斤装", Box, 3990, 300, 2800, net 2500)],
        shape: Shape::Round,
        color: RED,
        sales: 1450,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "drinks",
        title: "农家自酿苹果醋 500毫升",
        description: "苹果发酵酿造，兑水饮用。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("常温避光"),
        shelf_life_days: Some(540),
        skus: &[sku!("500毫升", Piece, 2800, 140, 700)],
        shape: Shape::Jar,
        color: [200, 120, 60],
        sales: 260,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "cooking-oil",
        title: "青石山茶油 平台自营 2.5升",
        description: "县内茶油厂统一灌装，检测报告可查。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("避光阴凉"),
        shelf_life_days: Some(540),
        skus: &[sku!("2.5升", Piece, 25800, 120, 2600, net 2300, tiers &[(6, 23800)])],
        shape: Shape::Jar,
        color: GOLD,
        sales: 380,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "dried-fruit",
        title: "橙皮干 陈皮 250克",
        description: "脐橙皮晒制，泡水或做菜调味。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("密封干燥"),
        shelf_life_days: Some(720),
        skus: &[sku!("250克", Bag, 3800, 100, 350, net 250)],
        shape: Shape::Leaves,
        color: ORANGE,
        sales: 150,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "pickles",
        title: "青石腊肉 烟熏五花 1斤",
        description: "传统柴火烟熏，蒸着吃最香。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: Some("12月—次年2月"),
        storage: Some("冷藏或阴凉通风"),
        shelf_life_days: Some(180),
        skus: &[sku!("1斤", Piece, 6800, 90, 600, net 500)],
        shape: Shape::Jar,
        color: [150, 60, 40],
        sales: 640,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "pickles",
        title: "农家剁辣椒 瓶装 500克",
        description: "新鲜红辣椒手工剁制，下饭神器。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("开盖后冷藏"),
        shelf_life_days: Some(365),
        skus: &[sku!("500克", Piece, 1990, 200, 750, net 500)],
        shape: Shape::Jar,
        color: RED,
        sales: 720,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "pastry",
        title: "青石米糕 手工蒸制 8个",
        description: "本地糯米做的米糕，微甜软糯。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("冷藏"),
        shelf_life_days: Some(7),
        skus: &[sku!("8个装", Box, 2600, 60, 900, net 800)],
        shape: Shape::Grains,
        color: WHITE,
        sales: 230,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "melons",
        title: "本地西瓜 沙瓤 约8斤",
        description: "县内西瓜基地直采，单个约 8 斤。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: Some("6月—8月"),
        storage: Some("常温"),
        shelf_life_days: Some(10),
        skus: &[sku!("单个约8斤", Piece, 3590, 80, 4300, net 4000)],
        shape: Shape::Round,
        color: GREEN,
        sales: 300,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "stone-fruit",
        title: "白云山水蜜桃 6个装",
        description: "高山桃园，香甜多汁，冷链发货。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: Some("7月"),
        storage: Some("冷藏"),
        shelf_life_days: Some(5),
        skus: &[sku!("6个装", Box, 4800, 70, 2000, net 1500)],
        shape: Shape::Round,
        color: [240, 160, 160],
        sales: 210,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "berries",
        title: "高山蓝莓 鲜果 125克×4盒",
        description: "县内蓝莓基地，带果霜。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: Some("6月—7月"),
        storage: Some("冷藏 0–4℃"),
        shelf_life_days: Some(7),
        skus: &[sku!("4盒装", Box, 5990, 60, 900, net 500)],
        shape: Shape::Caps,
        color: [70, 80, 150],
        sales: 190,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "fruit-other",
        title: "猕猴桃 红心 12个",
        description: "红心猕猴桃，软熟后食用最甜。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: Some("9月—11月"),
        storage: Some("冷藏，吃前常温催熟"),
        shelf_life_days: Some(30),
        skus: &[sku!("12个", Box, 4990, 100, 1500, net 1200)],
        shape: Shape::Round,
        color: [130, 100, 60],
        sales: 420,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "fish",
        title: "龙泉水库 有机鱼头 约3斤",
        description: "水库大头鱼，剁椒鱼头首选，冰鲜发货。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("冷冻"),
        shelf_life_days: Some(60),
        skus: &[sku!("约3斤", Piece, 6800, 50, 2000, net 1500)],
        shape: Shape::Round,
        color: [120, 130, 150],
        sales: 130,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "shrimp-crab",
        title: "稻田小龙虾 鲜活 3斤",
        description: "稻虾共作田里的小龙虾，鲜活发货。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: Some("5月—8月"),
        storage: Some("鲜活，尽快烹饪"),
        shelf_life_days: Some(2),
        skus: &[sku!("3斤", Box, 8900, 40, 2200, net 1500)],
        shape: Shape::Round,
        color: RED,
        sales: 90,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "dried-seafood",
        title: "水库小鱼干 香辣 200克",
        description: "水库小鱼炸制，香辣下酒。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("常温"),
        shelf_life_days: Some(180),
        skus: &[sku!("200克", Bag, 2500, 150, 300, net 200)],
        shape: Shape::Caps,
        color: [180, 100, 50],
        sales: 380,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "meat",
        title: "黑猪肉 前腿肉 2斤",
        description: "县内黑猪养殖场，冷鲜发货。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("冷藏 0–4℃"),
        shelf_life_days: Some(5),
        skus: &[sku!("2斤", Piece, 7600, 60, 1300, net 1000)],
        shape: Shape::Jar,
        color: [200, 100, 100],
        sales: 260,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "coarse-grain",
        title: "本地黄豆 做豆腐 3斤",
        description: "非转基因小黄豆，打豆浆、做豆腐。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("干燥处"),
        shelf_life_days: Some(365),
        skus: &[sku!("3斤", Bag, 1890, 140, 1600, net 1500)],
        shape: Shape::Grains,
        color: [220, 190, 110],
        sales: 210,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "nuts",
        title: "油茶籽 山核桃 500克",
        description: "手剥山核桃，奶油味。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("密封"),
        shelf_life_days: Some(180),
        skus: &[sku!("500克", Bag, 5800, 80, 650, net 500)],
        shape: Shape::Caps,
        color: BROWN,
        sales: 170,
        fate: Fate::Live,
    },
    Demo {
        seller: PLATFORM,
        category: "dried-fruit",
        title: "脐橙果干 无添加 200克",
        description: "脐橙切片低温烘干。",
        township: "青石镇",
        village: Some("东门社区"),
        elsewhere: None,
        season: None,
        storage: Some("密封干燥"),
        shelf_life_days: Some(270),
        skus: &[sku!("200克", Bag, 2990, 120, 300, net 200)],
        shape: Shape::Round,
        color: ORANGE,
        sales: 340,
        fate: Fate::Live,
    },
];

/// Draws a recognisable (if simple) product photo: a warm background and the product's shape.
pub(crate) fn draw(shape: Shape, color: [u8; 3], seed: u64) -> Vec<u8> {
    const W: u32 = 800;
    let mut img = RgbImage::from_fn(W, W, |x, y| {
        let t = (x + y) as f32 / (2 * W) as f32;
        Rgb([
            (250.0 - 20.0 * t) as u8,
            (246.0 - 24.0 * t) as u8,
            (235.0 - 30.0 * t) as u8,
        ])
    });
    let mut disc = |cx: f32, cy: f32, rx: f32, ry: f32, c: [u8; 3]| {
        let (x0, x1) = (
            (cx - rx).max(0.0) as u32,
            (cx + rx).min(W as f32 - 1.0) as u32,
        );
        let (y0, y1) = (
            (cy - ry).max(0.0) as u32,
            (cy + ry).min(W as f32 - 1.0) as u32,
        );
        for y in y0..=y1 {
            for x in x0..=x1 {
                let dx = (x as f32 - cx) / rx;
                let dy = (y as f32 - cy) / ry;
                let d = dx * dx + dy * dy;
                if d <= 1.0 {
                    // A little shading so shapes look round.
                    let light = 1.0 + 0.25 * (1.0 - d) - 0.15 * dx - 0.15 * dy;
                    let px = |v: u8| (f32::from(v) * light).clamp(0.0, 255.0) as u8;
                    img.put_pixel(x, y, Rgb([px(c[0]), px(c[1]), px(c[2])]));
                }
            }
        }
    };
    let jitter = |i: u64| {
        ((seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(i.wrapping_mul(1442695040888963407))
            >> 33)
            % 40) as f32
            - 20.0
    };
    match shape {
        Shape::Round => {
            disc(400.0, 430.0, 250.0, 240.0, color);
            disc(470.0, 200.0, 70.0, 30.0, [80, 140, 60]);
        }
        Shape::Eggs => {
            for (i, (x, y)) in [
                (250.0, 330.0),
                (420.0, 300.0),
                (580.0, 350.0),
                (330.0, 520.0),
                (510.0, 530.0),
            ]
            .into_iter()
            .enumerate()
            {
                disc(x + jitter(i as u64), y, 95.0, 125.0, color);
            }
        }
        Shape::Grains => {
            for i in 0..90u64 {
                let x = 140.0 + (i % 10) as f32 * 58.0 + jitter(i);
                let y = 170.0 + (i / 10) as f32 * 55.0 + jitter(i + 99);
                disc(x, y, 22.0, 12.0, color);
            }
        }
        Shape::Leaves => {
            for i in 0..7u64 {
                let x = 220.0 + (i % 4) as f32 * 120.0 + jitter(i);
                let y = 280.0 + (i / 4) as f32 * 220.0 + jitter(i + 7);
                disc(x, y, 110.0, 45.0, color);
            }
        }
        Shape::Jar => {
            disc(400.0, 470.0, 210.0, 260.0, color);
            disc(400.0, 190.0, 130.0, 45.0, [90, 70, 50]);
        }
        Shape::Caps => {
            for i in 0..6u64 {
                let x = 230.0 + (i % 3) as f32 * 170.0 + jitter(i);
                let y = 320.0 + (i / 3) as f32 * 230.0 + jitter(i + 3);
                disc(x, y, 100.0, 70.0, color);
            }
        }
    }
    let mut out = Vec::new();
    let _ = img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

/// An owner acting for a verified seller, as the demo seed and the benchmarks need one.
pub fn seller_actor(account: AccountId, org: OrgId, kind: OrgKind) -> Actor {
    Actor {
        account_id: account,
        session_id: Uuid::nil(),
        display_name: String::new(),
        platform_role: None,
        memberships: vec![Membership {
            org_id: org,
            role: OrgRole::Owner,
            org_kind: kind,
            org_status: OrgStatus::Verified,
        }],
    }
}

/// Seeds the demo listings that are missing (by seller and title); returns how many it added.
pub async fn seed(
    catalog: &Catalog,
    operator: &Actor,
    sellers: &[(&str, AccountId, OrgId, OrgKind)],
) -> anyhow::Result<usize> {
    let mut added = 0;
    for (n, d) in DEMOS.iter().enumerate() {
        let Some((_, account, org, kind)) = sellers.iter().find(|(phone, ..)| *phone == d.seller)
        else {
            continue;
        };
        let actor = seller_actor(*account, *org, *kind);
        let existing = catalog.seller_listings(&actor, *org, None).await?;
        if existing.iter().any(|b| b.listing.title == d.title) {
            continue;
        }
        let category = catalog
            .category_by_slug(d.category)
            .await?
            .with_context(|| format!("demo category {}", d.category))?;
        let (province, city, county, note) = match d.elsewhere {
            Some((p, c, k, note)) => (p, c, k, Some(note)),
            None => (PROVINCE, CITY, COUNTY, None),
        };
        let origin = RegionInput {
            province: province.into(),
            city: city.into(),
            county: county.into(),
            township: d.elsewhere.is_none().then(|| d.township.to_owned()),
            village: if d.elsewhere.is_none() {
                d.village.map(Into::into)
            } else {
                None
            },
        };
        let stock_zero = d.fate == Fate::SoldOut;
        let skus = d
            .skus
            .iter()
            .map(|s| SkuRequest {
                name: s.name.to_owned(),
                unit: s.unit,
                price: s.price,
                // A sold-out demo goes live with stock, then sells out, as in real life.
                stock: if stock_zero { 50 } else { s.stock },
                weight_grams: s.weight,
                net_weight_grams: s.net,
                gtin: Some(gtin_for(n, s.name)),
                tiers: s
                    .tiers
                    .iter()
                    .map(|&(min_quantity, price)| Tier {
                        min_quantity,
                        price,
                    })
                    .collect(),
            })
            .collect();
        let created = catalog
            .create_listing(
                &actor,
                *org,
                NewListingRequest {
                    category_id: category.id,
                    title: d.title.to_owned(),
                    description: d.description.to_owned(),
                    origin,
                    origin_note: note.map(Into::into),
                    season: d.season.map(Into::into),
                    storage: d.storage.map(Into::into),
                    shelf_life_days: d.shelf_life_days,
                    producer_org_id: PRODUCED_BY
                        .iter()
                        .find(|(title, _)| *title == d.title)
                        .and_then(|(_, phone)| sellers.iter().find(|(p, ..)| p == phone))
                        .map(|(_, _, org, _)| org.as_uuid()),
                    skus,
                },
            )
            .await
            .with_context(|| format!("creating demo listing {}", d.title))?;
        let id = created.listing.id;
        let photo = draw(d.shape, d.color, n as u64 + 1);
        catalog
            .store_image(id, photo.into(), account.as_uuid())
            .await?;
        if d.fate != Fate::Draft {
            let submitted = catalog.submit(&actor, id).await?;
            if d.fate != Fate::Waiting {
                if let Some(rev) = submitted.revision {
                    catalog.decide(operator, rev.id, true, None).await?;
                }
                catalog.set_sales(id, d.sales).await?;
            }
        }
        if d.fate == Fate::SoldOut {
            for s in &created.skus {
                catalog
                    .update_sku(
                        &actor,
                        s.id,
                        farmgate_catalog::service::SkuPatch {
                            stock: Some(0),
                            ..Default::default()
                        },
                    )
                    .await?;
            }
        }
        if d.fate == Fate::ChangeWaiting {
            catalog
                .update_listing(
                    &actor,
                    id,
                    ListingPatch {
                        title: Some(format!("{} 新姜上市", d.title)),
                        ..Default::default()
                    },
                )
                .await?;
        }
        added += 1;
    }
    Ok(added)
}

/// A valid GTIN-13 with the Chinese prefix 69, derived from the listing, so demo labels can
/// carry GS1 Digital Links.
fn gtin_for(n: usize, name: &str) -> String {
    let mut h: u64 = 1469598103934665603;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(1099511628211);
    }
    let body = format!("69{:05}{:05}", 10_000 + n, h % 100_000);
    let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_gtins_have_valid_check_digits() {
        for (i, d) in DEMOS.iter().enumerate() {
            let g = gtin_for(i, d.skus[0].name);
            assert!(farmgate_catalog::domain::parse_gtin(&g).is_ok(), "{g}");
        }
    }

    #[test]
    fn there_are_about_sixty_demo_listings_across_every_top_category() {
        assert!(DEMOS.len() >= 55, "{}", DEMOS.len());
        let roots: std::collections::HashSet<&str> = DEMOS
            .iter()
            .filter_map(|d| {
                farmgate_catalog::seed::TREE
                    .iter()
                    .find(|(_, _, _, _, children)| {
                        children.iter().any(|(slug, _, _)| *slug == d.category)
                    })
                    .map(|(slug, ..)| *slug)
            })
            .collect();
        assert_eq!(roots.len(), farmgate_catalog::seed::TREE.len(), "{roots:?}");
    }

    #[test]
    fn drawn_photos_are_images() {
        let png = draw(Shape::Round, ORANGE, 1);
        assert!(image::load_from_memory(&png).is_ok());
    }
}
