//! The search contract, on the embedded engine and on Meilisearch (when
//! `FARMGATE_TEST_MEILI_URL` and `FARMGATE_TEST_MEILI_KEY` are set). Both must behave the same
//! for users: Chinese words, single characters, pinyin and initials, mixed input, synonyms,
//! typos, filters with facet counts, sorting, highlighting and paging.

use farmgate_infra::search::embedded::EmbeddedIndex;
use farmgate_infra::search::meili::{MeiliConfig, MeiliIndex};
use farmgate_infra::search::text::Analyzer;
use farmgate_infra::search::{
    Filters, SearchDoc, SearchIndex, SearchRequest, SearchResponse, Sort,
};
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

fn analyzer() -> Arc<Analyzer> {
    static A: OnceLock<Arc<Analyzer>> = OnceLock::new();
    A.get_or_init(|| Arc::new(Analyzer::new())).clone()
}

fn cat(n: u128) -> Uuid {
    Uuid::from_u128(0xca7e_0000_0000_0000_0000_0000_0000_0000 + n)
}

const FRUIT: u128 = 1;
const CITRUS: u128 = 11;
const APPLE: u128 = 12;
const VEG: u128 = 2;
const GRAIN: u128 = 3;
const TEA: u128 = 4;
const DRY: u128 = 5;
const EGGS: u128 = 6;
const FOOD: u128 = 7;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[allow(clippy::too_many_arguments)]
fn doc(
    n: u128,
    title: &str,
    cats: &[u128],
    township: &str,
    kind: &str,
    price: i64,
    in_stock: bool,
    sales: i64,
) -> SearchDoc {
    SearchDoc {
        id: id(n),
        title: title.to_owned(),
        keywords: format!("{township} 青石县"),
        category_ids: cats.iter().map(|c| cat(*c)).collect(),
        township: Some(township.to_owned()),
        seller_id: id(1000 + n),
        seller_name: format!("卖家{n}"),
        seller_kind: kind.to_owned(),
        price_from: price,
        unit: "box".to_owned(),
        in_stock,
        sales,
        credit: 0,
        created_at: 1_790_000_000 + i64::try_from(n).unwrap_or(0) * 3600,
        thumb_url: None,
    }
}

fn fixture() -> Vec<SearchDoc> {
    vec![
        doc(
            1,
            "烟台红富士苹果 5斤装",
            &[FRUIT, APPLE],
            "梅岭镇",
            "cooperative",
            3990,
            true,
            120,
        ),
        doc(
            2,
            "农家自酿苹果醋 500ml",
            &[FOOD],
            "桃源乡",
            "family_farm",
            2800,
            true,
            30,
        ),
        doc(
            3,
            "五常稻花香大米 10斤",
            &[GRAIN],
            "龙泉镇",
            "cooperative",
            8900,
            true,
            300,
        ),
        doc(
            4,
            "赣南脐橙 10斤装",
            &[FRUIT, CITRUS],
            "梅岭镇",
            "cooperative",
            5990,
            true,
            500,
        ),
        doc(
            5,
            "本地黄心马铃薯 5斤",
            &[VEG],
            "白云乡",
            "family_farm",
            1590,
            true,
            80,
        ),
        doc(
            6,
            "自然成熟番茄 3斤",
            &[VEG],
            "白云乡",
            "family_farm",
            1290,
            true,
            60,
        ),
        doc(
            7,
            "沙地红薯 5斤",
            &[VEG],
            "桃源乡",
            "specialised_household",
            1990,
            true,
            40,
        ),
        doc(
            8,
            "甜糯玉米 10根",
            &[VEG],
            "龙泉镇",
            "cooperative",
            2490,
            true,
            20,
        ),
        doc(
            9,
            "农家落花生 2斤",
            &[DRY],
            "龙泉镇",
            "family_farm",
            2590,
            true,
            10,
        ),
        doc(
            10,
            "高山云雾绿茶 250克",
            &[TEA],
            "桃源乡",
            "cooperative",
            12800,
            true,
            90,
        ),
        doc(
            11,
            "散养土鸡蛋 30枚",
            &[EGGS],
            "白云乡",
            "family_farm",
            4500,
            true,
            200,
        ),
        doc(
            12,
            "野生干香菇 500克",
            &[DRY],
            "桃源乡",
            "family_farm",
            6800,
            false,
            70,
        ),
        doc(
            13,
            "平台自营山茶油 2.5升",
            &[FOOD],
            "青石镇",
            "platform_store",
            15800,
            true,
            15,
        ),
    ]
}

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        query: q.to_owned(),
        page: 1,
        per_page: 20,
        ..SearchRequest::default()
    }
}

fn ids(r: &SearchResponse) -> Vec<u128> {
    r.hits.iter().map(|h| h.doc.id.as_u128()).collect()
}

fn sorted(mut v: Vec<u128>) -> Vec<u128> {
    v.sort_unstable();
    v
}

async fn embedded() -> (Arc<dyn SearchIndex>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = EmbeddedIndex::open(&dir.path().join("search"), analyzer()).expect("index");
    index.upsert(fixture()).await.expect("upsert");
    (Arc::new(index), dir)
}

async fn meili() -> Option<(Arc<dyn SearchIndex>, MeiliIndex)> {
    // Meilisearch has no package here: its suite runs where a server is configured, and is
    // never required (FARMGATE_TEST_REQUIRE_BACKENDS does not apply to it).
    let (Some(url), Some(key)) = (
        farmgate_tests::env("FARMGATE_TEST_MEILI_URL"),
        farmgate_tests::env("FARMGATE_TEST_MEILI_KEY"),
    ) else {
        eprintln!(
            "skipped: Meilisearch is not configured (FARMGATE_TEST_MEILI_URL, FARMGATE_TEST_MEILI_KEY)"
        );
        return None;
    };
    let config = MeiliConfig {
        url,
        key,
        index_prefix: format!("fgtest_{}_", Uuid::new_v4().simple()),
    };
    let index = MeiliIndex::connect(&config, analyzer())
        .await
        .expect("meilisearch");
    index.upsert(fixture()).await.expect("upsert");
    Some((Arc::new(index.clone()), index))
}

async fn chinese_words_match_inside_longer_titles(ix: Arc<dyn SearchIndex>) {
    let r = ix.search(&req("苹果")).await.expect("search");
    assert_eq!(
        sorted(ids(&r)),
        vec![1, 2],
        "苹果 finds 红富士苹果 and 苹果醋"
    );
    let r = ix.search(&req("大米")).await.expect("search");
    assert_eq!(ids(&r), vec![3], "大米 finds 五常稻花香大米");
}

async fn a_single_character_finds_the_words_containing_it(ix: Arc<dyn SearchIndex>) {
    let r = ix.search(&req("橙")).await.expect("search");
    assert_eq!(ids(&r), vec![4], "橙 finds 脐橙");
}

async fn pinyin_and_initials_find_chinese_titles(ix: Arc<dyn SearchIndex>) {
    assert_eq!(
        sorted(ids(&ix.search(&req("pingguo")).await.expect("search"))),
        vec![1, 2]
    );
    assert_eq!(
        sorted(ids(&ix.search(&req("pg")).await.expect("search"))),
        vec![1, 2]
    );
    assert_eq!(
        ids(&ix.search(&req("qicheng")).await.expect("search")),
        vec![4]
    );
    assert_eq!(
        ids(&ix.search(&req("daohuaxiang")).await.expect("search")),
        vec![3]
    );
    assert_eq!(
        ids(&ix.search(&req("fanqie")).await.expect("search")),
        vec![6],
        "番茄 reads fanqie, not fanjia"
    );
    assert_eq!(
        ids(&ix.search(&req("PINGGUO")).await.expect("search")).len(),
        2,
        "case does not matter"
    );
}

async fn mixed_chinese_and_pinyin_input_works(ix: Arc<dyn SearchIndex>) {
    assert_eq!(
        ids(&ix.search(&req("pg醋")).await.expect("search")),
        vec![2]
    );
    assert_eq!(
        ids(&ix.search(&req("红富士 pingguo")).await.expect("search")),
        vec![1]
    );
}

async fn produce_synonyms_find_each_other(ix: Arc<dyn SearchIndex>) {
    for (q, want) in [
        ("土豆", 5),
        ("洋芋", 5),
        ("西红柿", 6),
        ("地瓜", 7),
        ("番薯", 7),
        ("苞谷", 8),
        ("花生", 9),
        ("tudou", 5),
    ] {
        let r = ix.search(&req(q)).await.expect("search");
        assert!(
            ids(&r).contains(&want),
            "{q} should find #{want}, got {:?}",
            ids(&r)
        );
    }
}

/// Traditional characters (Hong Kong, Taiwan, older phone keyboards) fold to simplified on our
/// side, in the query and in the indexed text, so both engines agree (#21).
async fn traditional_characters_find_simplified_titles_and_back(ix: Arc<dyn SearchIndex>) {
    for (q, want) in [
        ("臍橙", vec![4]),
        ("贛南臍橙", vec![4]),
        ("蘋果", vec![1, 2]),
        ("土雞蛋", vec![11]),
        ("雲霧綠茶", vec![10]),
        ("馬鈴薯", vec![5]),
    ] {
        let r = ix.search(&req(q)).await.expect("search");
        assert_eq!(sorted(ids(&r)), want, "{q}");
    }
    ix.upsert(vec![doc(
        40,
        "手工筍乾禮盒 500克",
        &[DRY],
        "桃源乡",
        "cooperative",
        5990,
        true,
        3,
    )])
    .await
    .expect("upsert");
    for q in ["笋干", "筍乾", "sungan"] {
        let r = ix.search(&req(q)).await.expect("search");
        assert_eq!(ids(&r), vec![40], "{q}");
    }
}

/// The other direction: the title has the everyday word, the shopper types another word of its
/// group. 花生 finding 农家落花生 (above) could be a plain substring match; 落花生 finding 花生
/// cannot, and 马铃薯 finding 土豆 shares no character at all.
async fn synonyms_work_both_ways_even_without_a_shared_character(ix: Arc<dyn SearchIndex>) {
    ix.upsert(vec![
        doc(
            40,
            "高山土豆 5斤",
            &[VEG],
            "白云乡",
            "family_farm",
            1490,
            true,
            5,
        ),
        doc(
            41,
            "农家花生 2斤",
            &[DRY],
            "龙泉镇",
            "family_farm",
            2290,
            true,
            5,
        ),
        doc(
            42,
            "樱桃西红柿 2斤",
            &[VEG],
            "白云乡",
            "family_farm",
            1690,
            true,
            5,
        ),
        doc(
            43,
            "黄心地瓜 5斤",
            &[VEG],
            "桃源乡",
            "family_farm",
            1790,
            true,
            5,
        ),
        doc(
            44,
            "糯苞米 10根",
            &[VEG],
            "龙泉镇",
            "cooperative",
            2190,
            true,
            5,
        ),
        doc(
            45,
            "冬菇 250克",
            &[DRY],
            "桃源乡",
            "family_farm",
            3990,
            true,
            5,
        ),
    ])
    .await
    .expect("upsert");
    for (q, want) in [
        ("马铃薯", vec![5, 40]),
        ("洋芋", vec![5, 40]),
        ("土豆", vec![5, 40]),
        ("落花生", vec![9, 41]),
        ("花生", vec![9, 41]),
        ("番茄", vec![6, 42]),
        ("西红柿", vec![6, 42]),
        ("红薯", vec![7, 43]),
        ("玉米", vec![8, 44]),
        ("香菇", vec![12, 45]),
        ("malingshu", vec![5, 40]),
        ("luohuasheng", vec![9, 41]),
    ] {
        let r = ix.search(&req(q)).await.expect("search");
        assert_eq!(sorted(ids(&r)), want, "{q}");
    }
    let r = ix.search(&req("马铃薯")).await.expect("search");
    let h = r
        .hits
        .iter()
        .find(|h| h.doc.id == id(40))
        .map(|h| h.title_highlight.clone())
        .unwrap_or_default();
    assert_eq!(
        h, "高山<mark>土豆</mark> 5斤",
        "the synonym is what is marked"
    );
    let r = ix.search(&req("落花生")).await.expect("search");
    let h = r
        .hits
        .iter()
        .find(|h| h.doc.id == id(41))
        .map(|h| h.title_highlight.clone())
        .unwrap_or_default();
    assert_eq!(h, "农家<mark>花生</mark> 2斤");
}

async fn typos_in_pinyin_are_forgiven(ix: Arc<dyn SearchIndex>) {
    for (q, want) in [
        ("pinguo", 1),          // a letter missing
        ("pingguuo", 1),        // a letter too many
        ("pingguo", 1),         // (exact, for reference)
        ("pinggou", 1),         // two letters swapped
        ("pimgguo", 1),         // a letter wrong
        ("hongfusi", 1),        // sh typed as s
        ("qichen", 4),          // the last letter missing
        ("daohuaxaing", 3),     // swapped, in a longer word
        ("hongfushipinguo", 1), // in a run of words
    ] {
        let r = ix.search(&req(q)).await.expect("search");
        assert!(
            ids(&r).contains(&want),
            "{q} should find #{want}, got {:?}",
            ids(&r)
        );
    }
    // Up to three letters nothing is forgiven: `pgx` is not a slip of `pg` (苹果).
    assert!(ids(&ix.search(&req("pgx")).await.expect("search")).is_empty());
    // Up to seven letters one slip is forgiven, not two.
    assert!(
        !ids(&ix.search(&req("pxnggxo")).await.expect("search")).contains(&1),
        "two wrong letters in a seven-letter word"
    );
}

/// Latin words in titles (brand names, `Organic`, `Kiwi`) match whole, in any case, and by
/// prefix while the shopper is still typing.
async fn latin_title_words_match_whole_or_by_prefix(ix: Arc<dyn SearchIndex>) {
    let mut organic = doc(
        50,
        "Organic 富硒大米 5kg",
        &[GRAIN],
        "龙泉镇",
        "cooperative",
        6900,
        true,
        1,
    );
    organic.keywords = String::new();
    let mut kiwi = doc(
        51,
        "Kiwi 红心猕猴桃 12个",
        &[FRUIT],
        "桃源乡",
        "family_farm",
        4990,
        true,
        1,
    );
    kiwi.keywords = String::new();
    ix.upsert(vec![organic, kiwi]).await.expect("upsert");
    for (q, want) in [
        ("organic", vec![50]),
        ("ORGANIC", vec![50]),
        ("Organ", vec![50]),
        ("kiwi", vec![51]),
        ("kiwi 猕猴桃", vec![51]),
        ("organic 大米", vec![50]),
    ] {
        let r = ix.search(&req(q)).await.expect("search");
        assert_eq!(sorted(ids(&r)), want, "{q}");
    }
    // Every word must match; when no listing has them all, the search relaxes and says so.
    let r = ix.search(&req("organic 猕猴桃")).await.expect("search");
    assert_eq!(r.notes.dropped.len(), 1, "{:?}", r.notes);
    assert_eq!(r.hits.len(), 1, "one of the two words: {:?}", ids(&r));
}

/// A typo in a Latin title word is not forgiven today: typo tolerance applies to pinyin only
/// (`meili.rs` turns typos off on titles "as in the embedded engine"). This case states what
/// shoppers would expect; it is ignored until both engines forgive typos in Latin words.
async fn typos_in_latin_title_words_are_forgiven(ix: Arc<dyn SearchIndex>) {
    let mut organic = doc(
        50,
        "Organic 富硒大米 5kg",
        &[GRAIN],
        "龙泉镇",
        "cooperative",
        6900,
        true,
        1,
    );
    organic.keywords = String::new();
    ix.upsert(vec![organic]).await.expect("upsert");
    for q in ["organik", "orgainc", "organc"] {
        let r = ix.search(&req(q)).await.expect("search");
        assert_eq!(ids(&r), vec![50], "{q}");
    }
}

/// Pinyin typed syllable by syllable, with spaces or tone digits, spells one word: `qi cheng`
/// is 脐橙, not everything with a syllable starting `qi` and one starting `cheng` (#21).
async fn pinyin_syllables_typed_apart_are_joined(ix: Arc<dyn SearchIndex>) {
    for (q, want) in [
        ("qi cheng", vec![4]),
        ("da mi", vec![3]),
        ("qi2 cheng2", vec![4]),
        ("da4mi3", vec![3]),
        ("ping guo", vec![1, 2]),
        ("hong fu shi", vec![1]),
        ("QI CHENG", vec![4]),
        ("ｑｉ　ｃｈｅｎｇ", vec![4]),
    ] {
        let r = ix.search(&req(q)).await.expect("search");
        assert_eq!(sorted(ids(&r)), want, "{q}");
        assert!(r.notes.dropped.is_empty(), "{q}: nothing relaxed");
    }
    // Words of several syllables typed apart stay separate words.
    assert_eq!(
        ids(&ix.search(&req("daohua dami")).await.expect("search")),
        vec![3]
    );
    let r = ix.search(&req("qi cheng")).await.expect("search");
    assert_eq!(r.hits[0].title_highlight, "赣南<mark>脐橙</mark> 10斤装");
}

fn honey_and_wild(ix_docs: &mut Vec<SearchDoc>) {
    ix_docs.extend([
        doc(
            40,
            "石门土蜂蜜 百花蜜 500克",
            &[FOOD],
            "桃源乡",
            "family_farm",
            6800,
            true,
            9,
        ),
        doc(
            41,
            "野桂花蜜 深山蜂场 500克",
            &[FOOD],
            "桃源乡",
            "family_farm",
            8800,
            true,
            9,
        ),
        doc(
            42,
            "野生猕猴桃 12个",
            &[FRUIT],
            "白云乡",
            "family_farm",
            3900,
            true,
            9,
        ),
        doc(
            43,
            "野生金银花茶 100克",
            &[TEA],
            "白云乡",
            "family_farm",
            3900,
            true,
            9,
        ),
    ]);
}

/// When no listing has every word, the least informative words are dropped — words no listing
/// has, then the most common — and the response names them (#21).
async fn too_few_hits_relax_the_least_informative_words(ix: Arc<dyn SearchIndex>) {
    let mut more = Vec::new();
    honey_and_wild(&mut more);
    ix.upsert(more).await.expect("upsert");

    let r = ix.search(&req("脐橙 新鲜 包邮")).await.expect("search");
    assert_eq!(ids(&r), vec![4]);
    assert_eq!(r.notes.dropped, ["新鲜", "包邮"]);
    assert_eq!(r.notes.kept, ["脐橙"]);

    // 正宗 is nowhere; 蜂蜜 and 野生 both exist but not together: 野生 is a modifier, 蜂蜜 the
    // product (in the demo catalogue 野生 is even the rarer word).
    let r = ix.search(&req("蜂蜜 正宗 野生")).await.expect("search");
    assert_eq!(ids(&r), vec![40]);
    assert_eq!(r.notes.dropped, ["正宗", "野生"]);
    assert_eq!(r.notes.kept, ["蜂蜜"]);
    assert!(r.hits[0].title_highlight.contains("<mark>蜂蜜</mark>"));

    // Enough hits with every word: nothing is dropped.
    let r = ix.search(&req("野生 猕猴桃")).await.expect("search");
    assert_eq!(ids(&r), vec![42]);
    assert!(r.notes.dropped.is_empty() && r.notes.suggestion.is_none());
    // Relaxation respects the filters.
    let mut filtered = req("脐橙 新鲜");
    filtered.filters.township = Some("白云乡".into());
    let r = ix.search(&filtered).await.expect("search");
    assert!(r.hits.is_empty(), "{:?}", ids(&r));
    // Nothing matches any word: nothing to show, nothing claimed.
    let r = ix.search(&req("正宗 包邮")).await.expect("search");
    assert!(r.hits.is_empty() && r.notes.dropped.is_empty());
}

/// Chinese typed with a wrong character of the same sound finds the word it sounds like, with a
/// suggestion; exact matches are never mixed with or ranked below homophones — homophones are
/// tried only when nothing matches as typed (#21).
async fn homophones_find_what_they_sound_like_below_exact_matches(ix: Arc<dyn SearchIndex>) {
    let r = ix.search(&req("大咪")).await.expect("search");
    assert_eq!(ids(&r), vec![3]);
    assert_eq!(r.notes.suggestion.as_deref(), Some("大米"));
    assert!(
        r.hits[0].title_highlight.contains("<mark>大米</mark>"),
        "{}",
        r.hits[0].title_highlight
    );
    let r = ix.search(&req("平果")).await.expect("search");
    assert_eq!(sorted(ids(&r)), vec![1, 2]);
    assert_eq!(r.notes.suggestion.as_deref(), Some("苹果"));
    // A title that has the typed word itself answers alone.
    ix.upsert(vec![doc(
        45,
        "大咪农场 土鸡蛋 10枚",
        &[EGGS],
        "白云乡",
        "family_farm",
        1900,
        true,
        1,
    )])
    .await
    .expect("upsert");
    let r = ix.search(&req("大咪")).await.expect("search");
    assert_eq!(ids(&r), vec![45]);
    assert_eq!(r.notes.suggestion, None);
    // A two-character word whose characters are in the title, apart.
    assert_eq!(
        ids(&ix.search(&req("香米")).await.expect("search")),
        vec![3]
    );
}

/// Polyphones are indexed with every reading, the word's own first (#21).
async fn polyphones_are_found_by_the_words_reading(ix: Arc<dyn SearchIndex>) {
    ix.upsert(vec![
        doc(
            60,
            "新鲜薄荷叶 100克",
            &[VEG],
            "白云乡",
            "family_farm",
            900,
            true,
            1,
        ),
        doc(
            61,
            "农家长豆角 2斤",
            &[VEG],
            "白云乡",
            "family_farm",
            1200,
            true,
            1,
        ),
        doc(
            62,
            "重庆小面 调料",
            &[FOOD],
            "青石镇",
            "cooperative",
            1500,
            true,
            1,
        ),
        doc(
            63,
            "藏红花 5克",
            &[DRY],
            "青石镇",
            "cooperative",
            9900,
            true,
            1,
        ),
        doc(
            64,
            "蚌埠石榴 5斤",
            &[FRUIT],
            "梅岭镇",
            "cooperative",
            3900,
            true,
            1,
        ),
        doc(
            65,
            "单县羊肉汤 料包",
            &[FOOD],
            "梅岭镇",
            "cooperative",
            2900,
            true,
            1,
        ),
    ])
    .await
    .expect("upsert");
    for (q, want) in [
        ("bohe", 60),
        ("bo he", 60),
        ("changdoujiao", 61),
        ("doujiao", 61),
        ("chongqing", 62),
        ("chong qing", 62),
        ("zanghonghua", 63),
        ("bengbu", 64),
        ("shanxian", 65),
    ] {
        // First: a long pinyin may also match another title within its typo budget, below.
        let r = ix.search(&req(q)).await.expect("search");
        assert_eq!(ids(&r).first(), Some(&want), "{q}: {:?}", ids(&r));
    }
    let r = ix.search(&req("bohe")).await.expect("search");
    assert!(
        r.hits[0].title_highlight.contains("<mark>薄荷</mark>"),
        "{}",
        r.hits[0].title_highlight
    );
    // The first dictionary readings still match (a shopper who reads 重 as zhong).
    assert_eq!(
        ids(&ix.search(&req("zhongqing")).await.expect("search")),
        vec![62]
    );
}

/// English names of produce find the Chinese titles, exactly: `eggs` is no Latin typo of any
/// pinyin (it used to find 笋干) (#21).
async fn english_names_find_chinese_titles(ix: Arc<dyn SearchIndex>) {
    let mut more = Vec::new();
    honey_and_wild(&mut more);
    more.push(doc(
        46,
        "手工笋干 500克",
        &[DRY],
        "桃源乡",
        "cooperative",
        3900,
        true,
        1,
    ));
    ix.upsert(more).await.expect("upsert");
    for (q, want) in [
        ("tea", vec![10, 43]),
        ("eggs", vec![11]),
        ("egg", vec![11]),
        ("orange", vec![4]),
        ("Oranges", vec![4]),
        ("rice", vec![3]),
        ("honey", vec![40, 41]),
        ("apple", vec![1, 2]),
        ("potato", vec![5]),
        ("kiwi", vec![42]),
    ] {
        let r = ix.search(&req(q)).await.expect("search");
        assert_eq!(sorted(ids(&r)), want, "{q}");
    }
    for q in ["eggs", "egs", "tea"] {
        let r = ix.search(&req(q)).await.expect("search");
        assert!(!ids(&r).contains(&46), "{q} found 笋干");
    }
}

/// Everyday short and colloquial names find the listing titled with the full or formal one.
async fn short_and_colloquial_names_find_formal_titles(ix: Arc<dyn SearchIndex>) {
    let mut more = Vec::new();
    honey_and_wild(&mut more);
    ix.upsert(more).await.expect("upsert");
    for (q, want) in [
        ("奇异果", vec![42]),
        ("qiyiguo", vec![42]),
        ("土豆", vec![5]),
    ] {
        let r = ix.search(&req(q)).await.expect("search");
        assert_eq!(sorted(ids(&r)), want, "{q}");
    }
}

async fn filters_narrow_and_facets_count_every_match(ix: Arc<dyn SearchIndex>) {
    let mut r = req("");
    r.filters = Filters {
        category: Some(cat(FRUIT)),
        ..Filters::default()
    };
    assert_eq!(
        sorted(ids(&ix.search(&r).await.expect("search"))),
        vec![1, 4],
        "a parent category finds its children"
    );
    r.filters = Filters {
        township: Some("白云乡".into()),
        ..Filters::default()
    };
    let res = ix.search(&r).await.expect("search");
    assert_eq!(sorted(ids(&res)), vec![5, 6, 11]);
    assert_eq!(res.facets.township.get("白云乡"), Some(&3));
    assert_eq!(res.facets.seller_kind.get("family_farm"), Some(&3));
    r.filters = Filters {
        seller_kind: Some("cooperative".into()),
        price_min: Some(3000),
        price_max: Some(9000),
        ..Filters::default()
    };
    assert_eq!(
        sorted(ids(&ix.search(&r).await.expect("search"))),
        vec![1, 3, 4]
    );
    r.filters = Filters {
        seller: Some(id(1004)),
        ..Filters::default()
    };
    assert_eq!(
        ids(&ix.search(&r).await.expect("search")),
        vec![4],
        "a seller's storefront"
    );
    let all = ix.search(&req("")).await.expect("search");
    assert_eq!(all.total, 13);
    assert_eq!(all.facets.township.get("桃源乡"), Some(&4));
    assert_eq!(all.facets.category.get(&cat(FRUIT).to_string()), Some(&2));
    assert_eq!(all.facets.category.get(&cat(VEG).to_string()), Some(&4));
    assert_eq!(all.facets.seller_kind.get("platform_store"), Some(&1));
}

async fn sold_out_listings_are_left_out_when_asked(ix: Arc<dyn SearchIndex>) {
    let mut r = req("香菇");
    assert_eq!(ids(&ix.search(&r).await.expect("search")), vec![12]);
    r.filters.in_stock_only = true;
    assert!(ids(&ix.search(&r).await.expect("search")).is_empty());
    let mut all = req("");
    all.filters.in_stock_only = true;
    assert_eq!(ix.search(&all).await.expect("search").total, 12);
}

async fn results_sort_by_price_newness_and_sales(ix: Arc<dyn SearchIndex>) {
    let mut r = req("");
    r.per_page = 3;
    r.sort = Sort::PriceAsc;
    assert_eq!(ids(&ix.search(&r).await.expect("search")), vec![6, 5, 7]);
    r.sort = Sort::PriceDesc;
    assert_eq!(ids(&ix.search(&r).await.expect("search")), vec![13, 10, 3]);
    r.sort = Sort::Sales;
    assert_eq!(ids(&ix.search(&r).await.expect("search")), vec![4, 3, 11]);
    r.sort = Sort::Newest;
    assert_eq!(ids(&ix.search(&r).await.expect("search")), vec![13, 12, 11]);
    let mut q = req("pingguo");
    q.sort = Sort::PriceAsc;
    assert_eq!(
        ids(&ix.search(&q).await.expect("search")),
        vec![2, 1],
        "sorting applies to matches"
    );
    let mut gift = doc(
        30,
        "精品水果礼盒",
        &[FRUIT],
        "梅岭镇",
        "cooperative",
        50,
        true,
        0,
    );
    gift.keywords = "苹果 产地直发".to_owned();
    ix.upsert(vec![gift]).await.expect("upsert");
    let mut q = req("苹果");
    q.sort = Sort::PriceAsc;
    assert_eq!(
        ids(&ix.search(&q).await.expect("search")),
        vec![30, 2, 1],
        "the order asked for beats relevance (a keyword-only match is cheapest)"
    );
}

async fn matches_are_highlighted_and_titles_escaped(ix: Arc<dyn SearchIndex>) {
    let r = ix.search(&req("苹果")).await.expect("search");
    let h = r
        .hits
        .iter()
        .find(|h| h.doc.id == id(1))
        .map(|h| h.title_highlight.clone())
        .unwrap_or_default();
    assert_eq!(h, "烟台红富士<mark>苹果</mark> 5斤装");
    let r = ix.search(&req("土豆")).await.expect("search");
    assert!(
        r.hits[0].title_highlight.contains("<mark>马铃薯</mark>"),
        "{}",
        r.hits[0].title_highlight
    );
    let mut markup = doc(
        20,
        "<b>有机</b>苹果",
        &[FRUIT],
        "梅岭镇",
        "cooperative",
        100,
        true,
        0,
    );
    markup.keywords = String::new();
    ix.upsert(vec![markup]).await.expect("upsert");
    let r = ix.search(&req("有机")).await.expect("search");
    assert_eq!(
        r.hits[0].title_highlight,
        "&lt;b&gt;<mark>有机</mark>&lt;/b&gt;苹果"
    );
}

async fn pages_walk_the_results_and_past_the_end_is_empty(ix: Arc<dyn SearchIndex>) {
    let mut r = req("");
    r.sort = Sort::PriceAsc;
    r.per_page = 5;
    let p1 = ix.search(&r).await.expect("search");
    r.page = 2;
    let p2 = ix.search(&r).await.expect("search");
    r.page = 3;
    let p3 = ix.search(&r).await.expect("search");
    assert_eq!((p1.hits.len(), p2.hits.len(), p3.hits.len()), (5, 5, 3));
    assert!(ids(&p1).iter().all(|i| !ids(&p2).contains(i)));
    r.page = 99;
    let past = ix.search(&r).await.expect("search");
    assert!(past.hits.is_empty());
    assert_eq!(past.total, 13);
}

async fn junk_and_huge_queries_are_harmless(ix: Arc<dyn SearchIndex>) {
    for q in [
        "((((",
        "AND OR NOT",
        "\u{0}\u{1}\u{7f}",
        "\"苹果",
        "title:苹果 OR 1=1",
        "*",
        "-苹果",
    ] {
        ix.search(&req(q))
            .await
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
    let huge = "苹果".repeat(5000);
    ix.search(&req(&huge))
        .await
        .expect("a 10,000-character query is cut, not an error");
}

async fn upserts_replace_deletes_remove_and_clear_empties(ix: Arc<dyn SearchIndex>) {
    let mut changed = doc(
        3,
        "五常稻花香大米 新米上市",
        &[GRAIN],
        "龙泉镇",
        "cooperative",
        8800,
        true,
        301,
    );
    changed.keywords = String::new();
    ix.upsert(vec![changed]).await.expect("upsert");
    let r = ix.search(&req("新米")).await.expect("search");
    assert_eq!(ids(&r), vec![3]);
    assert_eq!(r.hits[0].doc.price_from, 8800);
    assert_eq!(ix.count().await.expect("count"), 13, "replaced, not added");
    ix.delete(vec![id(3), id(999)]).await.expect("delete");
    assert!(ids(&ix.search(&req("大米")).await.expect("search")).is_empty());
    ix.clear().await.expect("clear");
    assert_eq!(ix.count().await.expect("count"), 0);
    ix.health().await.expect("healthy");
}

/// The county's vocabulary (#21): a synonym group the operator adds makes a query find a
/// listing it did not find before, once the listing is analysed again (the catalogue's
/// `catalog.vocabulary.changed` reindex does that).
async fn a_new_synonym_finds_a_listing_it_did_not_find_before(ix: Arc<dyn SearchIndex>) {
    let listing = doc(
        50,
        "客家米果 500克",
        &[FOOD],
        "梅岭镇",
        "cooperative",
        2990,
        true,
        3,
    );
    ix.upsert(vec![listing.clone()]).await.expect("upsert");
    assert!(
        !ids(&ix.search(&req("粄子")).await.expect("search")).contains(&50),
        "the dialect word means nothing yet"
    );
    let mut lexicon = farmgate_infra::search::lexicon::Lexicon::defaults();
    lexicon.merge(
        &farmgate_infra::search::lexicon::Lexicon::parse("[synonyms]\n米果 粄子\n")
            .expect("lexicon"),
    );
    ix.set_analyzer(Arc::new(Analyzer::with_lexicon(lexicon)))
        .await
        .expect("new vocabulary");
    ix.upsert(vec![listing]).await.expect("re-analyse");
    assert_eq!(
        ids(&ix.search(&req("粄子")).await.expect("search")),
        vec![50]
    );
    assert!(ids(&ix.search(&req("米果")).await.expect("search")).contains(&50));
    assert!(ix.analyzer().is_known("粄子"));
}

/// Search as you type: characters, pinyin and initials all complete to the same names.
async fn suggestions_complete_characters_pinyin_and_initials(ix: Arc<dyn SearchIndex>) {
    for prefix in ["苹", "苹果", "pingg", "pg", "蘋"] {
        let s = ix.suggest(prefix, 5).await.expect("suggest");
        assert!(s.iter().any(|s| s.text.contains("苹果")), "{prefix}: {s:?}");
        assert!(s.len() <= 5);
    }
    assert!(ix.suggest("", 5).await.expect("suggest").is_empty());
}

/// A listing of the ranking cases: the same text by sellers of different shop credit.
fn ranked(n: u128, title: &str, credit: i64, in_stock: bool) -> SearchDoc {
    let mut d = doc(
        n,
        title,
        &[FRUIT],
        "梅岭镇",
        "cooperative",
        2990,
        in_stock,
        5,
    );
    d.keywords = "水果 梅岭镇".to_owned();
    d.credit = credit;
    d
}

/// Shop credit orders listings the text match and stock leave equal: A, B, new, C, D.
async fn better_shop_credit_ranks_an_equal_text_match_first(ix: Arc<dyn SearchIndex>) {
    ix.upsert(vec![
        ranked(60, "奉节脐柑 5斤装", -1, true),
        ranked(61, "奉节脐柑 5斤装", 2, true),
        ranked(62, "奉节脐柑 5斤装", 0, true),
        ranked(63, "奉节脐柑 5斤装", -2, true),
        ranked(64, "奉节脐柑 5斤装", 1, true),
    ])
    .await
    .expect("upsert");
    assert_eq!(
        ids(&ix.search(&req("奉节脐柑")).await.expect("search")),
        vec![61, 64, 62, 60, 63],
        "A, B, new (neutral: below B, above C), C, D"
    );
}

/// Credit is a tiebreak: it never lifts a weaker text match over a stronger one, nor a sold-out
/// listing over one in stock.
async fn shop_credit_never_lifts_a_weaker_text_match(ix: Arc<dyn SearchIndex>) {
    // In the title beats in the keywords only, whatever the credit.
    let strong = ranked(70, "奉节脐柑 5斤装", -2, true);
    let mut weak = ranked(71, "精选水果 5斤装", 2, true);
    weak.keywords = "奉节脐柑 水果".to_owned();
    // Sold out, best credit, same text as one in stock with the worst.
    let sold_out = ranked(72, "奉节脐柑 5斤装", 2, false);
    ix.upsert(vec![weak, strong, sold_out])
        .await
        .expect("upsert");
    let mut r = req("奉节脐柑");
    r.filters.in_stock_only = false;
    let found = ids(&ix.search(&r).await.expect("search"));
    assert_eq!(found[0], 70, "the stronger text match first: {found:?}");
    assert!(
        found.iter().position(|i| *i == 72) < found.iter().position(|i| *i == 71),
        "an equal text match sold out still beats a weaker one: {found:?}"
    );
    assert_eq!(
        found.iter().position(|i| *i == 70),
        Some(0),
        "in stock before sold out at equal text, whatever the credit: {found:?}"
    );
}

/// Documents written before the signal existed read as neutral.
#[test]
fn a_document_without_credit_reads_as_neutral() {
    let mut v = serde_json::to_value(ranked(80, "奉节脐柑", 2, true)).expect("json");
    v.as_object_mut().expect("object").remove("credit");
    let d: SearchDoc = serde_json::from_value(v).expect("an older document");
    assert_eq!(d.credit, 0);
    assert_eq!(
        [
            farmgate_infra::search::credit_rank("a"),
            farmgate_infra::search::credit_rank("new"),
            farmgate_infra::search::credit_rank("d"),
            farmgate_infra::search::credit_rank("x"),
        ],
        [2, 0, -2, 0]
    );
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                let (ix, _dir) = super::embedded().await;
                super::$case(ix).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn meilisearch() {
                if let Some((ix, concrete)) = super::meili().await {
                    super::$case(ix).await;
                    // Leave the shared server as we found it.
                    concrete.delete_index().await.expect("deleting the test index");
                }
            }
        }
    )*};
}

contract!(
    chinese_words_match_inside_longer_titles,
    a_single_character_finds_the_words_containing_it,
    pinyin_and_initials_find_chinese_titles,
    mixed_chinese_and_pinyin_input_works,
    produce_synonyms_find_each_other,
    traditional_characters_find_simplified_titles_and_back,
    synonyms_work_both_ways_even_without_a_shared_character,
    typos_in_pinyin_are_forgiven,
    latin_title_words_match_whole_or_by_prefix,
    filters_narrow_and_facets_count_every_match,
    sold_out_listings_are_left_out_when_asked,
    results_sort_by_price_newness_and_sales,
    matches_are_highlighted_and_titles_escaped,
    pages_walk_the_results_and_past_the_end_is_empty,
    junk_and_huge_queries_are_harmless,
    upserts_replace_deletes_remove_and_clear_empties,
    typos_in_latin_title_words_are_forgiven,
    pinyin_syllables_typed_apart_are_joined,
    too_few_hits_relax_the_least_informative_words,
    homophones_find_what_they_sound_like_below_exact_matches,
    polyphones_are_found_by_the_words_reading,
    english_names_find_chinese_titles,
    short_and_colloquial_names_find_formal_titles,
    a_new_synonym_finds_a_listing_it_did_not_find_before,
    suggestions_complete_characters_pinyin_and_initials,
    better_shop_credit_ranks_an_equal_text_match_first,
    shop_credit_never_lifts_a_weaker_text_match,
);

#[test]
fn an_index_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        {
            let ix = EmbeddedIndex::open(&dir.path().join("s"), analyzer()).expect("open");
            ix.upsert(fixture()).await.expect("upsert");
        }
        let ix = EmbeddedIndex::open(&dir.path().join("s"), analyzer()).expect("reopen");
        assert_eq!(ix.count().await.expect("count"), 13);
        assert_eq!(
            ids(&ix.search(&req("大米")).await.expect("search")),
            vec![3]
        );
        // Suggestions are rebuilt from the stored documents, on a thread of their own.
        let mut found = false;
        for _ in 0..100 {
            if ix
                .suggest("dami", 5)
                .await
                .expect("suggest")
                .iter()
                .any(|s| s.text == "大米")
            {
                found = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(found, "suggestions survive a reopen");
    });
}
