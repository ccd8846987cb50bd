//! Search relevance (#21): at least 100 queries as shoppers type them — Chinese words, pinyin
//! with and without spaces, initials, typos, English names, traditional characters, homophones
//! and extra words — with graded expected results over the demo catalogue
//! (`farmgate_demo::county::catalogue`), scored by nDCG@10 on each engine. The mean may only go
//! up: raise [`FLOOR`] when the figure does.
//!
//! Grades: 2 for a listing that is what the shopper asked for, 1 for a related one (脐橙果干 for
//! 脐橙), 0 otherwise. A grade is given by title: a title containing one of the query's `strong`
//! substrings is 2, else one containing a `weak` substring is 1.

use farmgate_catalog::seed::TREE;
use farmgate_infra::search::embedded::EmbeddedIndex;
use farmgate_infra::search::meili::{MeiliConfig, MeiliIndex};
use farmgate_infra::search::text::Analyzer;
use farmgate_infra::search::{SearchDoc, SearchIndex, SearchRequest};
use std::sync::Arc;
use uuid::Uuid;

/// The lowest mean nDCG@10 accepted (the embedded engine scored 0.958 when the set was written).
const FLOOR: f64 = 0.95;

/// (query, strong title substrings, weak title substrings)
const SET: &[(&str, &[&str], &[&str])] = &[
    // Chinese words
    ("脐橙", &["脐橙 "], &["脐橙果干", "橙皮"]),
    ("橙子", &["脐橙 ", "血橙"], &["脐橙果干", "橙皮"]),
    ("橙", &["脐橙 ", "血橙"], &["脐橙果干", "橙皮"]),
    ("赣南脐橙", &["赣南脐橙"], &["脐橙"]),
    ("沃柑", &["沃柑"], &[]),
    ("蜜柚", &["蜜柚"], &[]),
    ("柚子", &["蜜柚"], &[]),
    ("血橙", &["血橙"], &["脐橙 "]),
    ("绿茶", &["绿茶"], &["毛尖"]),
    ("红茶", &["红茶"], &[]),
    ("白茶", &["白茶"], &[]),
    ("茶叶", &["绿茶", "红茶", "白茶", "毛尖"], &["花茶"]),
    ("毛尖", &["毛尖"], &["绿茶"]),
    ("茶油", &["茶油"], &["油茶籽"]),
    ("山茶油", &["山茶油"], &["茶油"]),
    ("金银花", &["金银花"], &[]),
    ("大米", &["大米"], &["糯米", "红米", "黑米"]),
    ("稻花香", &["稻花香"], &["大米"]),
    ("糯米", &["糯米"], &[]),
    ("红米", &["红米"], &["黑米"]),
    ("黑米", &["黑米"], &["红米"]),
    ("米粉", &["米粉"], &[]),
    ("鸡蛋", &["鸡蛋"], &["鸭蛋"]),
    ("土鸡蛋", &["土鸡蛋"], &["乌鸡蛋"]),
    ("乌鸡蛋", &["乌鸡蛋"], &["土鸡蛋"]),
    ("鸭蛋", &["鸭蛋"], &[]),
    ("咸鸭蛋", &["咸鸭蛋"], &["农家鸭蛋"]),
    ("土鸡", &["土鸡 "], &["土鸡蛋"]),
    ("香菇", &["香菇"], &["花菇"]),
    ("花菇", &["花菇"], &["香菇"]),
    ("木耳", &["木耳"], &[]),
    ("黑木耳", &["木耳"], &[]),
    ("茶树菇", &["茶树菇"], &[]),
    ("笋干", &["笋干"], &["冬笋"]),
    ("冬笋", &["冬笋"], &["笋干"]),
    ("蜂蜜", &["蜂蜜"], &["桂花蜜", "蜂巢蜜"]),
    ("土蜂蜜", &["土蜂蜜"], &["蜂蜜", "桂花蜜"]),
    ("桂花蜜", &["桂花蜜"], &["蜂蜜"]),
    ("蜂巢蜜", &["蜂巢蜜"], &["蜂蜜"]),
    ("红薯", &["红薯"], &[]),
    ("地瓜", &["红薯"], &[]),
    ("马铃薯", &["马铃薯"], &[]),
    ("土豆", &["马铃薯"], &[]),
    ("玉米", &["玉米"], &[]),
    ("苞谷", &["玉米"], &[]),
    ("花生", &["花生"], &[]),
    ("番茄", &["番茄"], &[]),
    ("西红柿", &["番茄"], &[]),
    ("青菜", &["青菜"], &[]),
    ("生姜", &["老姜"], &[]),
    ("苹果", &["红富士苹果"], &["苹果醋"]),
    ("红富士", &["红富士"], &[]),
    ("苹果醋", &["苹果醋"], &[]),
    ("陈皮", &["陈皮"], &[]),
    ("腊肉", &["腊肉"], &[]),
    ("辣椒", &["辣椒"], &[]),
    ("米糕", &["米糕"], &[]),
    ("西瓜", &["西瓜"], &[]),
    ("水蜜桃", &["水蜜桃"], &[]),
    ("桃子", &["水蜜桃"], &[]),
    ("蓝莓", &["蓝莓"], &[]),
    ("猕猴桃", &["猕猴桃"], &[]),
    ("奇异果", &["猕猴桃"], &[]),
    ("鱼头", &["鱼头"], &["鱼干"]),
    ("小龙虾", &["小龙虾"], &[]),
    ("鱼干", &["鱼干"], &[]),
    ("猪肉", &["猪肉"], &["腊肉"]),
    ("黄豆", &["黄豆"], &[]),
    ("核桃", &["核桃"], &[]),
    ("果干", &["果干"], &["橙皮干"]),
    // pinyin, initials, syllables apart, tone digits, typos
    ("qicheng", &["脐橙 "], &["脐橙果干"]),
    ("qi cheng", &["脐橙 "], &["脐橙果干"]),
    ("qi2cheng2", &["脐橙 "], &["脐橙果干"]),
    ("wogan", &["沃柑"], &[]),
    ("lvcha", &["绿茶"], &[]),
    ("hongcha", &["红茶"], &[]),
    ("dami", &["大米"], &[]),
    ("da mi", &["大米"], &[]),
    ("jidan", &["鸡蛋"], &[]),
    ("tujidan", &["土鸡蛋"], &[]),
    ("xianggu", &["香菇"], &[]),
    ("sungan", &["笋干"], &[]),
    ("fengmi", &["蜂蜜"], &[]),
    ("feng mi", &["蜂蜜"], &[]),
    ("hongshu", &["红薯"], &[]),
    ("tudou", &["马铃薯"], &[]),
    ("yumi", &["玉米"], &[]),
    ("huasheng", &["花生"], &[]),
    ("fanqie", &["番茄"], &[]),
    ("pingguo", &["红富士苹果"], &["苹果醋"]),
    ("ping guo", &["红富士苹果"], &["苹果醋"]),
    ("pg", &["红富士苹果"], &["苹果醋"]),
    ("lajiao", &["辣椒"], &[]),
    ("xigua", &["西瓜"], &[]),
    ("lanmei", &["蓝莓"], &[]),
    ("mihoutao", &["猕猴桃"], &[]),
    ("xiaolongxia", &["小龙虾"], &[]),
    ("huangdou", &["黄豆"], &[]),
    ("pinguo", &["红富士苹果"], &["苹果醋"]),
    ("qichen", &["脐橙 "], &["脐橙果干"]),
    // English names
    ("orange", &["脐橙 ", "血橙"], &["脐橙果干", "橙皮"]),
    ("tea", &["绿茶", "红茶", "白茶", "毛尖"], &["花茶"]),
    ("rice", &["大米"], &["糯米", "红米", "黑米"]),
    ("eggs", &["鸡蛋"], &["鸭蛋"]),
    ("honey", &["蜂蜜"], &["桂花蜜", "蜂巢蜜"]),
    ("apple", &["红富士苹果"], &["苹果醋"]),
    ("mushroom", &["香菇", "花菇", "茶树菇"], &[]),
    ("bamboo", &["笋"], &[]),
    ("potato", &["马铃薯"], &[]),
    ("tomato", &["番茄"], &[]),
    ("corn", &["玉米"], &[]),
    ("peanut", &["花生"], &[]),
    ("kiwi", &["猕猴桃"], &[]),
    ("ginger", &["姜"], &[]),
    ("crayfish", &["小龙虾"], &[]),
    ("watermelon", &["西瓜"], &[]),
    ("blueberry", &["蓝莓"], &[]),
    // traditional characters, homophones, extra words
    ("臍橙", &["脐橙 "], &["脐橙果干"]),
    ("蘋果", &["红富士苹果"], &["苹果醋"]),
    ("土雞蛋", &["土鸡蛋"], &[]),
    ("筍乾", &["笋干"], &[]),
    ("大咪", &["大米"], &[]),
    ("平果", &["红富士苹果"], &["苹果醋"]),
    ("脐橙 新鲜 包邮", &["脐橙 "], &["脐橙果干"]),
    ("蜂蜜 正宗 野生", &["蜂蜜"], &["桂花蜜", "蜂巢蜜"]),
    ("大米 五常", &["大米"], &[]),
    ("香菇 包邮", &["香菇"], &["花菇"]),
];

fn grade(title: &str, strong: &[&str], weak: &[&str]) -> u32 {
    if strong.iter().any(|s| title.contains(s)) {
        2
    } else if weak.iter().any(|s| title.contains(s)) {
        1
    } else {
        0
    }
}

/// nDCG@10 of a ranked list of grades against every grade there is.
fn ndcg10(ranked: &[u32], all: &[u32]) -> f64 {
    let dcg = |g: &[u32]| -> f64 {
        g.iter()
            .take(10)
            .enumerate()
            .map(|(i, r)| (2f64.powi(*r as i32) - 1.0) / ((i + 2) as f64).log2())
            .sum()
    };
    let mut ideal = all.to_vec();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(&ideal);
    if best == 0.0 { 1.0 } else { dcg(ranked) / best }
}

/// The demo catalogue as search documents, with category names in both languages and the
/// township as keywords, as the catalogue indexes them. `mixed_credit`: the listings' sellers
/// have every shop credit level in turn (A, B, new, C, D), as a county does; otherwise all are
/// new (neutral).
fn catalogue(mixed_credit: bool) -> Vec<SearchDoc> {
    farmgate_demo::county::catalogue()
        .enumerate()
        .map(|(n, (title, slug, township))| {
            let mut keywords = Vec::new();
            for (pslug, pzh, pen, _, children) in TREE {
                for (cslug, czh, cen) in children.iter() {
                    if *cslug == slug || *pslug == slug {
                        keywords.extend([*czh, *cen, *pzh, *pen]);
                    }
                }
            }
            keywords.push(township);
            SearchDoc {
                id: Uuid::from_u128(n as u128 + 1),
                title: title.to_owned(),
                keywords: keywords.join(" "),
                category_ids: vec![],
                township: Some(township.to_owned()),
                seller_id: Uuid::from_u128(9999),
                seller_name: "demo".to_owned(),
                seller_kind: "cooperative".to_owned(),
                price_from: 1000,
                unit: "box".to_owned(),
                in_stock: true,
                sales: 0,
                credit: if mixed_credit { 2 - (n % 5) as i64 } else { 0 },
                created_at: 1_790_000_000,
                thumb_url: None,
            }
        })
        .collect()
}

/// Shop credit is a bounded tiebreak (`farmgate_infra::search::RANKING`): the same set scored
/// with every credit level among the sellers must stay above the floor too. Measured
/// 2026-12-07 on the embedded engine: 0.9580 with every seller new (as before the signal),
/// 0.9514 with every level — credit reorders equal text matches the set grades differently
/// (`pingguo` matches 红富士苹果 and 苹果醋 alike).
async fn score(ix: &dyn SearchIndex) -> f64 {
    score_catalogue(ix, catalogue(false)).await
}

async fn score_catalogue(ix: &dyn SearchIndex, docs: Vec<SearchDoc>) -> f64 {
    assert!(docs.len() >= 50, "the demo catalogue");
    assert!(SET.len() >= 100, "at least 100 queries: {}", SET.len());
    ix.upsert(docs.clone()).await.expect("upsert");
    let mut total = 0.0;
    let mut worst = Vec::new();
    for (q, strong, weak) in SET {
        let all: Vec<u32> = docs.iter().map(|d| grade(&d.title, strong, weak)).collect();
        assert!(
            all.contains(&2),
            "{q}: the set names something in the catalogue"
        );
        let r = ix
            .search(&SearchRequest {
                query: (*q).to_owned(),
                page: 1,
                per_page: 10,
                ..SearchRequest::default()
            })
            .await
            .expect("search");
        let ranked: Vec<u32> = r
            .hits
            .iter()
            .map(|h| grade(&h.doc.title, strong, weak))
            .collect();
        let s = ndcg10(&ranked, &all);
        if s < 0.8 {
            worst.push(format!("{q}: {s:.2}"));
        }
        total += s;
    }
    let mean = total / SET.len() as f64;
    eprintln!(
        "{}{}: nDCG@10 {mean:.4} over {} queries; below 0.8: {worst:?}",
        ix.backend(),
        if docs.iter().any(|d| d.credit != 0) {
            " (every shop credit level)"
        } else {
            ""
        },
        SET.len()
    );
    mean
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relevance_on_the_embedded_engine_stays_above_the_floor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ix = EmbeddedIndex::open(&dir.path().join("s"), Arc::new(Analyzer::new())).expect("open");
    let mean = score(&ix).await;
    assert!(mean >= FLOOR, "nDCG@10 {mean:.4} fell below {FLOOR}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relevance_with_every_shop_credit_level_on_the_embedded_engine_stays_above_the_floor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ix = EmbeddedIndex::open(&dir.path().join("s"), Arc::new(Analyzer::new())).expect("open");
    let mean = score_catalogue(&ix, catalogue(true)).await;
    assert!(mean >= FLOOR, "nDCG@10 {mean:.4} fell below {FLOOR}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relevance_on_meilisearch_stays_above_the_floor() {
    let (Some(url), Some(key)) = (
        farmgate_tests::env("FARMGATE_TEST_MEILI_URL"),
        farmgate_tests::env("FARMGATE_TEST_MEILI_KEY"),
    ) else {
        eprintln!("skipped: Meilisearch is not configured");
        return;
    };
    let config = MeiliConfig {
        url,
        key,
        index_prefix: format!("fgtest_{}_", Uuid::new_v4().simple()),
    };
    let ix = MeiliIndex::connect(&config, Arc::new(Analyzer::new()))
        .await
        .expect("meilisearch");
    let mean = score(&ix).await;
    ix.delete_index().await.expect("deleting the test index");
    assert!(mean >= FLOOR, "nDCG@10 {mean:.4} fell below {FLOOR}");
}

#[test]
fn ndcg_is_one_for_the_ideal_order_and_less_otherwise() {
    assert!((ndcg10(&[2, 1, 0], &[0, 1, 2]) - 1.0).abs() < 1e-9);
    assert!(ndcg10(&[0, 1, 2], &[0, 1, 2]) < 0.7);
    assert!((ndcg10(&[], &[0, 0]) - 1.0).abs() < 1e-9, "nothing to find");
    assert_eq!(ndcg10(&[], &[2]), 0.0);
}
