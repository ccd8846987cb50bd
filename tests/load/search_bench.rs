//! Search benchmark: 100,000 listings (or a million) with realistic Chinese titles, a full index
//! rebuild, then a load test of `GET /api/v1/search` through the real `farmgate` binary over
//! HTTP, with the server's memory. Run it with `tests/load/search.sh` (release build); the
//! figures it prints are what the catalogue issue asks for.
//!
//! ```text
//! search-bench --farmgate target/release/farmgate --listings 100000 --seconds 30 --clients 8
//! ```
//! With FARMGATE_MEILI_URL and FARMGATE_MEILI_KEY set, the same runs against Meilisearch.
//!
//! After that run, a second part measures, in one server on the same data (#21), what query
//! understanding (the vocabulary, synonyms, English names, homophones, relaxation) costs against
//! a plain baseline (the query segmented and every word required: no vocabulary, one attempt).
//! Both are measured **in the same phase, interleaved**: every client alternates a plain and an
//! understood request of the same query, half the clients starting with each, so whatever else
//! the machine does falls on both alike. `--rounds` such phases (3 by default) each give a p95
//! of each kind and their ratio; the median ratio is the figure. A request is plain when it
//! carries the [`PLAIN_HEADER`]: the benchmark's own middleware puts that in a task-local that
//! its own search wrapper reads — neither exists in the `farmgate` binary, so nothing a client
//! sends can switch understanding off in production. Then search as you type
//! (`GET /api/v1/search/suggest`, prefixes as typed) against `/healthz` of the same server.
//! That server runs inside this process (it needs the wrapper the binary does not have), so
//! its absolute figures include the load generator's share of the CPU. `--compare-seconds 0`
//! skips it.

#[path = "common.rs"]
#[expect(
    dead_code,
    reason = "each benchmark uses part of what the benchmarks share"
)]
mod common;

use farmgate_catalog::bulk::{self, BulkListing, BulkSku};
use farmgate_catalog::domain::Unit;
use farmgate_identity::PasswordCost;
use farmgate_identity::domain::{NewAccount, OrgFacts, OrgFactsInput, Review};
use farmgate_identity::{Actor, OrgKind, PlatformRole};
use farmgate_infra::http::RequestMeta;
use farmgate_infra::search::lexicon::Lexicon;
use farmgate_infra::search::suggest::Suggestion;
use farmgate_infra::search::text::{AnalyzedQuery, Analyzer};
use farmgate_infra::search::{SearchDoc, SearchError, SearchIndex, SearchRequest, SearchResponse};
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::region::RegionInput;
use farmgate_server::BuildOptions;
use farmgate_server::settings::Settings;
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

const PLACES: &[&str] = &[
    "赣南",
    "梅岭",
    "龙泉",
    "桃源",
    "白云山",
    "青石",
    "五常",
    "烟台",
    "洛川",
    "安溪",
    "武夷山",
    "高山",
    "农家",
    "大别山",
    "井冈山",
    "庐山",
    "婺源",
    "信丰",
    "寻乌",
    "会昌",
    "石城",
    "宁都",
    "瑞金",
    "南丰",
    "万年",
    "鄱阳湖",
    "东北",
    "云南",
];
const DESCRIPTORS: &[&str] = &[
    "新鲜",
    "现摘",
    "当季",
    "特级",
    "精选",
    "原生态",
    "手工",
    "散养",
    "野生",
    "古法",
    "现挖",
    "有机",
    "头茬",
    "农家自产",
    "",
    "",
    "",
];
/// (product, category slug)
const PRODUCTS: &[(&str, &str)] = &[
    ("脐橙", "citrus"),
    ("红富士苹果", "apple-pear"),
    ("苹果", "apple-pear"),
    ("沃柑", "citrus"),
    ("砂糖橘", "citrus"),
    ("蜜柚", "citrus"),
    ("猕猴桃", "fruit-other"),
    ("葡萄", "berries"),
    ("草莓", "berries"),
    ("蓝莓", "berries"),
    ("西瓜", "melons"),
    ("水蜜桃", "stone-fruit"),
    ("杨梅", "stone-fruit"),
    ("稻花香大米", "rice"),
    ("大米", "rice"),
    ("糯米", "rice"),
    ("黑米", "coarse-grain"),
    ("小米", "coarse-grain"),
    ("黄豆", "coarse-grain"),
    ("米粉", "flour-noodles"),
    ("土鸡蛋", "eggs"),
    ("鸭蛋", "eggs"),
    ("咸鸭蛋", "pickles"),
    ("土鸡", "poultry"),
    ("腊肉", "pickles"),
    ("黑猪肉", "meat"),
    ("绿茶", "green-tea"),
    ("毛尖", "green-tea"),
    ("红茶", "black-tea"),
    ("白茶", "white-tea"),
    ("香菇", "dried-fungi"),
    ("花菇", "dried-fungi"),
    ("黑木耳", "dried-fungi"),
    ("茶树菇", "dried-fungi"),
    ("笋干", "bamboo-shoots"),
    ("蜂蜜", "honey"),
    ("土蜂蜜", "honey"),
    ("马铃薯", "roots"),
    ("土豆", "roots"),
    ("红薯", "roots"),
    ("地瓜", "roots"),
    ("玉米", "fruiting-veg"),
    ("番茄", "fruiting-veg"),
    ("西红柿", "fruiting-veg"),
    ("黄瓜", "fruiting-veg"),
    ("茄子", "fruiting-veg"),
    ("辣椒", "fruiting-veg"),
    ("白菜", "leafy"),
    ("菠菜", "leafy"),
    ("生姜", "alliums"),
    ("大蒜", "alliums"),
    ("花生", "nuts"),
    ("山核桃", "nuts"),
    ("板栗", "nuts"),
    ("茶油", "cooking-oil"),
    ("山茶油", "cooking-oil"),
    ("鲫鱼", "fish"),
    ("草鱼", "fish"),
    ("小龙虾", "shrimp-crab"),
    ("鱼干", "dried-seafood"),
    ("果脯", "dried-fruit"),
    ("剁辣椒", "pickles"),
    ("米糕", "pastry"),
    ("苹果醋", "drinks"),
];
const SIZES: &[&str] = &[
    "5斤装",
    "10斤",
    "3斤",
    "500克",
    "250克",
    "2.5公斤",
    "30枚",
    "整箱",
    "1斤",
    "礼盒装",
    "2斤",
    "20斤批发",
];
const TOWNSHIPS: &[&str] = &[
    "青石镇",
    "梅岭镇",
    "桃源乡",
    "龙泉镇",
    "白云乡",
    "石门乡",
    "溪口镇",
    "高山乡",
    "东岭镇",
    "南坪乡",
];
const KINDS: &[OrgKind] = &[
    OrgKind::Cooperative,
    OrgKind::FamilyFarm,
    OrgKind::FamilyFarm,
    OrgKind::SpecialisedHousehold,
    OrgKind::AgriEnterprise,
    OrgKind::PlatformStore,
];

/// A small deterministic generator (no `rand` dependency in the numbers we report).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() as usize) % items.len()]
    }
}

struct Args {
    farmgate: PathBuf,
    data_dir: PathBuf,
    listings: usize,
    seconds: u64,
    clients: usize,
    reuse: bool,
    /// Length of each interleaved round, and of the suggest and `/healthz` phases.
    compare_seconds: u64,
    rounds: usize,
}

fn args() -> Args {
    let mut a = Args {
        farmgate: PathBuf::from("target/release/farmgate"),
        data_dir: std::env::temp_dir().join("farmgate-search-bench"),
        listings: 100_000,
        seconds: 30,
        clients: 8,
        reuse: false,
        compare_seconds: 20,
        rounds: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--farmgate" => a.farmgate = PathBuf::from(val()),
            "--data-dir" => a.data_dir = PathBuf::from(val()),
            "--listings" => a.listings = val().parse().unwrap_or(a.listings),
            "--seconds" => a.seconds = val().parse().unwrap_or(a.seconds),
            "--clients" => a.clients = val().parse().unwrap_or(a.clients),
            "--reuse" => a.reuse = true,
            "--compare-seconds" => a.compare_seconds = val().parse().unwrap_or(a.compare_seconds),
            "--rounds" => a.rounds = val().parse().unwrap_or(a.rounds).max(1),
            // The child that prepares the data (`common::prepared_in_a_child`).
            "--prepare-to" => {
                let _ = val();
            }
            other => eprintln!("ignoring unknown argument {other}"),
        }
    }
    a
}

/// What the child that prepared the data hands back.
#[derive(Serialize, Deserialize)]
struct Prepared {
    insert_s: f64,
    index_s: f64,
}

fn settings(data_dir: &std::path::Path) -> Settings {
    Settings {
        data_dir: data_dir.to_path_buf(),
        meili_url: std::env::var("FARMGATE_MEILI_URL").ok(),
        meili_key: std::env::var("FARMGATE_MEILI_KEY").ok(),
        meili_index_prefix: "bench_".to_owned(),
        log: "warn".to_owned(),
        ..Settings::default()
    }
}

/// Creates the sellers and inserts the listings straight into the tables (the API path is
/// tested elsewhere; here we want 100,000 rows in a minute), then rebuilds the index and times it.
async fn prepare(a: &Args) -> anyhow::Result<Prepared> {
    common::fresh_dir(&a.data_dir)?;
    let settings = settings(&a.data_dir);
    let app = farmgate_server::build(
        &settings,
        BuildOptions {
            password_cost: PasswordCost::FAST_FOR_TESTS,
            ..BuildOptions::default()
        },
    )
    .await?;
    let identity = &app.state.identity;
    let catalog = &app.state.catalog;
    let meta = RequestMeta::default();
    let op_input = NewAccount::parse("运营", "13900000001", "bench-orchard-ridge")
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let op = identity
        .create_account_with_role(op_input, Some(PlatformRole::Operator))
        .await?;
    let operator = Actor {
        account_id: AccountId(op.id),
        session_id: Uuid::nil(),
        display_name: String::new(),
        platform_role: Some(PlatformRole::Operator),
        memberships: vec![],
    };
    let mut rng = Lcg(20261123);
    let mut sellers = Vec::new();
    for i in 0..60u64 {
        let phone = format!("138{:08}", 10_000_000 + i);
        let input = NewAccount::parse("卖家", &phone, "bench-orchard-ridge")
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let account = identity.create_account_with_role(input, None).await?;
        let kind = if i == 0 {
            OrgKind::PlatformStore
        } else {
            *rng.pick(&KINDS[..5])
        };
        let actor = Actor {
            account_id: AccountId(account.id),
            session_id: Uuid::nil(),
            display_name: String::new(),
            platform_role: if kind == OrgKind::PlatformStore {
                Some(PlatformRole::Operator)
            } else {
                None
            },
            memberships: vec![],
        };
        let township = TOWNSHIPS[(i as usize) % TOWNSHIPS.len()];
        let region = RegionInput {
            province: "江西省".into(),
            city: "赣州市".into(),
            county: "青石县".into(),
            township: Some(township.into()),
            village: None,
        };
        let licence =
            farmgate_kernel::Uscc::with_check_char(&format!("93360799MA{:07}", 1_000_000 + i))
                .ok_or_else(|| anyhow::anyhow!("licence"))?;
        let facts = OrgFacts::parse(&OrgFactsInput {
            name: &format!("青石县{township}第{i}号{}", kind.label_zh()),
            licence_no: licence.as_str(),
            region: Some(&region),
            address: None,
            contact_name: "联系人",
            contact_phone: &phone,
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let org = identity.create_org(&actor, kind, facts, &meta).await?;
        identity
            .review_org(&operator, OrgId(org.id), Review::Verify, &meta)
            .await?;
        sellers.push((org.id, township, account.id));
    }
    let categories = catalog.categories().await?;
    let cat_of = |slug: &str| {
        categories
            .iter()
            .find(|c| c.slug == slug)
            .map(|c| farmgate_kernel::id::CategoryId(c.id))
    };
    let db = &app.state.infra.db;
    let started = Instant::now();
    let mut reported = Instant::now();
    let now = chrono::Utc::now();
    let mut done = 0;
    while done < a.listings {
        let n = (a.listings - done).min(500);
        let mut ls = Vec::with_capacity(n);
        for _ in 0..n {
            let (product, slug) = *rng.pick(PRODUCTS);
            let title = format!(
                "{}{}{} {}",
                rng.pick(PLACES),
                rng.pick(DESCRIPTORS),
                product,
                rng.pick(SIZES)
            );
            let (seller, township, created_by) = *rng.pick(&sellers);
            let at = now - chrono::Duration::minutes((rng.next() % 500_000) as i64);
            let skus = (0..(1 + rng.next() % 2))
                .map(|_| BulkSku {
                    name: rng.pick(SIZES).to_string(),
                    unit: Unit::Box,
                    price_fen: 500 + (rng.next() % 30_000) as i64,
                    stock: if rng.next().is_multiple_of(20) {
                        0
                    } else {
                        (rng.next() % 500) as i64
                    },
                    weight_grams: 2500,
                })
                .collect();
            ls.push(BulkListing {
                seller_org_id: OrgId(seller),
                created_by: AccountId(created_by),
                category_id: cat_of(slug).ok_or_else(|| anyhow::anyhow!("category {slug}"))?,
                title: title.chars().take(60).collect(),
                description: format!("{product}，产地直发。"),
                province: "江西省".into(),
                city: "赣州市".into(),
                county: "青石县".into(),
                township: Some(township.into()),
                shelf_life_days: Some(30),
                sales: (rng.next() % 5000) as i64,
                at,
                skus,
            });
        }
        let txn = db.begin().await?;
        bulk::insert_approved(&txn, ls).await?;
        txn.commit().await?;
        done += n;
        if reported.elapsed() > Duration::from_secs(30) {
            reported = Instant::now();
            eprintln!(
                "inserted {done} of {} listings in {:.0} s",
                a.listings,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let insert_s = started.elapsed().as_secs_f64();
    eprintln!(
        "inserted {} listings in {insert_s:.1} s; indexing them",
        a.listings
    );
    let started = Instant::now();
    let indexed = catalog.rebuild_index().await?;
    let index_s = started.elapsed().as_secs_f64();
    eprintln!(
        "inserted {} listings in {insert_s:.1} s; indexed {indexed} in {index_s:.1} s",
        a.listings
    );
    // The rebuild already indexed everything: the sellers' verification events queued while
    // seeding must not reindex 100,000 listings again while we measure.
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE outbox_events SET delivered_at = created_at WHERE delivered_at IS NULL",
    )
    .await?;
    Ok(Prepared { insert_s, index_s })
}

/// The query mix: Chinese words, pinyin, initials, synonyms, mixed, and filtered and sorted
/// searches, as a shopper on a phone types them.
fn queries(categories: &[String]) -> Vec<String> {
    let mut q: Vec<String> = [
        "q=脐橙",
        "q=苹果",
        "q=大米",
        "q=土鸡蛋",
        "q=绿茶",
        "q=香菇",
        "q=蜂蜜",
        "q=土豆",
        "q=西红柿",
        "q=地瓜",
        "q=赣南脐橙",
        "q=稻花香",
        "q=红富士苹果",
        "q=pingguo",
        "q=qicheng",
        "q=dami",
        "q=fengmi",
        "q=pg",
        "q=qc",
        "q=xg",
        "q=tudou",
        "q=pinguo",
        "q=hongfushi",
        "q=pg醋",
        "q=梅岭 qicheng",
        "q=橙",
        "q=茶",
        "q=",
        "q=&sort=sales",
        "q=&sort=newest",
        "q=脐橙&sort=price_asc",
        "q=大米&township=龙泉镇",
        "q=&seller_kind=cooperative",
        "q=&price_min=1000&price_max=5000",
        "q=蜂蜜&seller_kind=family_farm&sort=price_desc",
        "q=茶&page=3",
        "q=&township=梅岭镇&sort=sales",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for c in categories.iter().take(8) {
        q.push(format!("q=&category={c}"));
        q.push(format!("q=新鲜&category={c}"));
    }
    q
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// Prefixes as a shopper types them, keystroke by keystroke: characters, pinyin, initials.
fn prefixes() -> Vec<String> {
    let words = [
        "脐",
        "脐橙",
        "q",
        "qi",
        "qic",
        "qich",
        "qiche",
        "qicheng",
        "p",
        "pi",
        "pin",
        "ping",
        "pingg",
        "pinggu",
        "pingguo",
        "pg",
        "苹",
        "苹果",
        "d",
        "da",
        "dam",
        "dami",
        "大",
        "大米",
        "蜂",
        "蜂蜜",
        "f",
        "fe",
        "fen",
        "feng",
        "fengm",
        "红",
        "红富",
        "红富士",
        "h",
        "hf",
        "hfs",
        "梅",
        "梅岭",
        "m",
        "ml",
        "茶",
        "c",
        "ch",
        "cha",
        "土",
        "土鸡",
        "tu",
        "tuj",
        "tujid",
        "xg",
        "xiang",
        "香",
        "香菇",
        "赣",
        "赣南",
        "gn",
        "gan",
        "gann",
        "龙泉",
        "lq",
        "稻",
        "稻花",
        "dh",
        "dhx",
        "tea",
        "te",
        "fru",
        "orange",
    ];
    words
        .iter()
        .map(|w| {
            let q: String = url_encode(w);
            format!("/api/v1/search/suggest?q={q}")
        })
        .collect()
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// What one load phase measured.
#[derive(Default)]
struct Phase {
    latencies: Vec<f64>,
    errors: u64,
    with_results: u64,
    elapsed: f64,
}

impl Phase {
    fn p(&self, q: f64) -> f64 {
        common::percentile(&self.latencies, q)
    }
    fn throughput(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.max(0.001)
    }
}

/// `clients` loops over `paths` for `seconds`, each request timed.
async fn load(
    http: &reqwest::Client,
    base: &str,
    paths: Arc<Vec<String>>,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Phase> {
    // Warm up: every path once.
    for p in paths.iter() {
        let _ = http.get(format!("{base}{p}")).send().await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, paths, stop) =
            (http.clone(), base.to_owned(), paths.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut with_results = 0u64;
            let mut i = c * 7;
            while !stop.load(Ordering::Relaxed) {
                let p = &paths[i % paths.len()];
                i += 1;
                let t = Instant::now();
                match http.get(format!("{base}{p}")).send().await {
                    Ok(r) if r.status().is_success() => {
                        let body: serde_json::Value = r.json().await.unwrap_or_default();
                        let found = body["total"].as_u64().unwrap_or(0) > 0
                            || body["suggestions"]
                                .as_array()
                                .is_some_and(|a| !a.is_empty())
                            || body["status"].is_string();
                        with_results += u64::from(found);
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors, with_results)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut phase = Phase {
        latencies: Vec::new(),
        errors: 0,
        with_results: 0,
        elapsed: 0.0,
    };
    for t in tasks {
        let (lat, e, h) = t.await?;
        phase.latencies.extend(lat);
        phase.errors += e;
        phase.with_results += h;
    }
    phase.elapsed = started.elapsed().as_secs_f64();
    phase.latencies.sort_by(f64::total_cmp);
    Ok(phase)
}

/// The header that makes one request of the comparison plain (see the module comment). Only
/// the in-process server of [`compare`] knows it.
const PLAIN_HEADER: &str = "x-fg-bench-plain";

tokio::task_local! {
    /// Whether the request being handled asked for the plain baseline.
    static PLAIN: bool;
}

/// The benchmark server's middleware: a request carrying [`PLAIN_HEADER`] is handled with
/// [`PLAIN`] set (the handler runs inside this future, so the search it makes sees it).
async fn tag_plain(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let plain = req.headers().contains_key(PLAIN_HEADER);
    PLAIN.scope(plain, next.run(req)).await
}

/// The search engine with a switch: a request marked plain skips query understanding (the
/// query segmented by an analyzer without vocabulary, every word required, one attempt); any
/// other is what the server normally does.
struct PlainSwitch {
    inner: Arc<dyn SearchIndex>,
    analyzer: Arc<Analyzer>,
}

#[async_trait::async_trait]
impl SearchIndex for PlainSwitch {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        self.inner.upsert(docs).await
    }
    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), SearchError> {
        self.inner.delete(ids).await
    }
    async fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        if PLAIN.try_with(|p| *p).unwrap_or(false) {
            let q = self.analyzer.analyze(&request.query);
            self.inner.search_analyzed(request, &q).await
        } else {
            self.inner.search(request).await
        }
    }
    async fn search_analyzed(
        &self,
        request: &SearchRequest,
        query: &AnalyzedQuery,
    ) -> Result<SearchResponse, SearchError> {
        self.inner.search_analyzed(request, query).await
    }
    fn analyzer(&self) -> Arc<Analyzer> {
        self.inner.analyzer()
    }
    async fn set_analyzer(&self, analyzer: Arc<Analyzer>) -> Result<(), SearchError> {
        self.inner.set_analyzer(analyzer).await
    }
    async fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>, SearchError> {
        self.inner.suggest(prefix, limit).await
    }
    async fn clear(&self) -> Result<(), SearchError> {
        self.inner.clear().await
    }
    async fn count(&self) -> Result<u64, SearchError> {
        self.inner.count().await
    }
    async fn health(&self) -> Result<(), SearchError> {
        self.inner.health().await
    }
}

/// One interleaved round: `clients` loops over `paths` for `seconds`, every client alternating
/// a plain and an understood request of the same path (clients with an even number start
/// plain, the others understood). Returns (plain, understood).
async fn interleaved(
    http: &reqwest::Client,
    base: &str,
    paths: Arc<Vec<String>>,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<(Phase, Phase)> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, paths, stop) =
            (http.clone(), base.to_owned(), paths.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            // [plain, understood]: latencies, errors, answers with results
            let mut out: [(Vec<f64>, u64, u64); 2] = Default::default();
            let mut i = c * 14;
            while !stop.load(Ordering::Relaxed) {
                let p = &paths[(i / 2) % paths.len()];
                let plain = (i + c) % 2 == 0;
                i += 1;
                let mut request = http.get(format!("{base}{p}"));
                if plain {
                    request = request.header(PLAIN_HEADER, "1");
                }
                let slot = &mut out[usize::from(!plain)];
                let t = Instant::now();
                match request.send().await {
                    Ok(r) if r.status().is_success() => {
                        let body: serde_json::Value = r.json().await.unwrap_or_default();
                        slot.2 += u64::from(body["total"].as_u64().unwrap_or(0) > 0);
                        slot.0.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => slot.1 += 1,
                }
            }
            out
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut phases: [Phase; 2] = Default::default();
    for t in tasks {
        for (phase, (lat, errors, found)) in phases.iter_mut().zip(t.await?) {
            phase.latencies.extend(lat);
            phase.errors += errors;
            phase.with_results += found;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    for phase in &mut phases {
        phase.elapsed = elapsed;
        phase.latencies.sort_by(f64::total_cmp);
    }
    let [plain, understood] = phases;
    Ok((plain, understood))
}

fn row(name: &str, p: &Phase) -> String {
    format!(
        "| {name} | {} ({} errors; {} with results) | {:.0} req/s | {:.2} / {:.2} / {:.2} ms |",
        p.latencies.len(),
        p.errors,
        p.with_results,
        p.throughput(),
        p.p(0.5),
        p.p(0.95),
        p.p(0.99),
    )
}

/// Understood p95 over plain p95, minus one (+0.10 = understanding costs 10 % of p95).
fn cost(plain: &Phase, understood: &Phase) -> f64 {
    understood.p(0.95) / plain.p(0.95).max(0.001) - 1.0
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The second part: understanding vs plain (interleaved rounds), suggest vs `/healthz`, one
/// in-process server.
async fn compare(a: &Args, mix: Vec<String>) -> anyhow::Result<()> {
    let analyzer =
        Arc::new(tokio::task::spawn_blocking(|| Analyzer::with_lexicon(Lexicon::default())).await?);
    let wrap: farmgate_server::app::SearchWrapper = Arc::new(move |inner| {
        Arc::new(PlainSwitch {
            inner,
            analyzer: analyzer.clone(),
        }) as Arc<dyn SearchIndex>
    });
    let settings = Settings {
        log: "warn".to_owned(),
        ..settings(&a.data_dir)
    };
    let mut app = farmgate_server::build(
        &settings,
        BuildOptions {
            password_cost: PasswordCost::FAST_FOR_TESTS,
            wrap_search: Some(wrap),
            ..BuildOptions::default()
        },
    )
    .await?;
    app.router = app.router.layer(axum::middleware::from_fn(tag_plain));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(farmgate_server::serve(app, listener, stop_rx));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    // The suggestions are loaded from the index on a thread of their own: wait for them.
    let loading = Instant::now();
    loop {
        let r: serde_json::Value = match http
            .get(format!(
                "{base}/api/v1/search/suggest?q={}",
                url_encode("鄱阳湖")
            ))
            .send()
            .await
        {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        };
        let n = r["suggestions"][0]["listings"].as_u64().unwrap_or(0);
        // One title in 28 starts with this place: at least half the listings are in.
        if n * 28 >= a.listings as u64 / 2 || loading.elapsed() > Duration::from_secs(1800) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let load_s = loading.elapsed().as_secs_f64();
    let search_paths: Arc<Vec<String>> =
        Arc::new(mix.iter().map(|q| format!("/api/v1/search?{q}")).collect());
    let secs = a.compare_seconds;
    // Warm up both kinds: every query once each way.
    for p in search_paths.iter() {
        let _ = http
            .get(format!("{base}{p}"))
            .header(PLAIN_HEADER, "1")
            .send()
            .await;
        let _ = http.get(format!("{base}{p}")).send().await;
    }
    let mut rounds = Vec::new();
    for r in 0..a.rounds {
        let (plain, understood) =
            interleaved(&http, &base, search_paths.clone(), a.clients, secs).await?;
        eprintln!(
            "round {}: plain p95 {:.2} ms, understood p95 {:.2} ms ({:+.1} %)",
            r + 1,
            plain.p(0.95),
            understood.p(0.95),
            cost(&plain, &understood) * 100.0
        );
        rounds.push((plain, understood));
    }
    let suggest = load(&http, &base, Arc::new(prefixes()), a.clients, secs).await?;
    let health = load(
        &http,
        &base,
        Arc::new(vec!["/healthz".to_owned()]),
        a.clients,
        secs,
    )
    .await?;
    let _ = stop_tx.send(true);
    let _ = server.await;
    println!();
    println!(
        "## Query understanding against a plain baseline (interleaved in each round, same server)"
    );
    println!();
    println!(
        "| round | plain: requests, p50 / p95 | understood: requests, p50 / p95 | understanding vs plain, p95 |"
    );
    println!("| --- | --- | --- | --- |");
    let mut ratios = Vec::new();
    for (i, (plain, understood)) in rounds.iter().enumerate() {
        let c = cost(plain, understood);
        ratios.push(c);
        println!(
            "| {} | {} ({} errors, {} with results), {:.2} / {:.2} ms | {} ({} errors, {} with results), {:.2} / {:.2} ms | {:+.1} % |",
            i + 1,
            plain.latencies.len(),
            plain.errors,
            plain.with_results,
            plain.p(0.5),
            plain.p(0.95),
            understood.latencies.len(),
            understood.errors,
            understood.with_results,
            understood.p(0.5),
            understood.p(0.95),
            c * 100.0
        );
    }
    println!();
    println!(
        "- **median over {} rounds: understanding costs {:+.1} % of p95** (allowance: +20 %); per round {}",
        ratios.len(),
        median(&ratios) * 100.0,
        ratios
            .iter()
            .map(|r| format!("{:+.1} %", r * 100.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "- {} search queries, {} clients × {secs} s per round, each client alternating plain and understood",
        mix.len(),
        a.clients
    );
    println!();
    println!("## Search as you type (same server)");
    println!();
    println!("| phase | requests | throughput | p50 / p95 / p99 |");
    println!("| --- | --- | --- | --- |");
    println!("{}", row("suggest (prefixes as typed)", &suggest));
    println!("{}", row("/healthz (the server's floor)", &health));
    println!();
    println!(
        "- suggest p95 {:.2} ms ({:.2} × /healthz p95 {:.2} ms); suggestions loaded from the index in {load_s:.1} s; {} prefixes",
        suggest.p(0.95),
        suggest.p(0.95) / health.p(0.95).max(0.001),
        health.p(0.95),
        prefixes().len(),
    );
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let a = args();
    if let Some(to) = common::prepare_to() {
        let prepared = prepare(&a).await?;
        return common::hand_back(&to, &prepared);
    }
    let prepared: Option<Prepared> = if a.reuse {
        None
    } else {
        Some(common::prepared_in_a_child()?)
    };
    // Serve the prepared data with the real binary, as a separate process.
    let s = settings(&a.data_dir);
    let server = common::serve(&a.farmgate, &a.data_dir, None, |cmd| {
        cmd.env("FARMGATE_MEILI_INDEX_PREFIX", &s.meili_index_prefix);
    })
    .await?;
    let pid = server.pid();
    let base = server.base.clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let rss_idle = rss_kib(pid, "VmRSS:");
    let cats: Vec<String> = http
        .get(format!("{base}/api/v1/categories"))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    let mix = queries(&cats);
    let paths: Arc<Vec<String>> =
        Arc::new(mix.iter().map(|q| format!("/api/v1/search?{q}")).collect());
    let run = load(&http, &base, paths, a.clients, a.seconds).await?;
    let rss_peak = rss_kib(pid, "VmHWM:");
    let rss_now = rss_kib(pid, "VmRSS:");
    drop(server);
    let engine = if s.meili_url.is_some() {
        "meilisearch"
    } else {
        "embedded"
    };
    println!("## Search benchmark ({engine})");
    println!();
    println!("| figure | value |");
    println!("| --- | --- |");
    println!("| listings | {} |", a.listings);
    if let Some(p) = &prepared {
        println!("| insert listings + SKUs (SQLite) | {:.1} s |", p.insert_s);
        println!("| full index rebuild | {:.1} s |", p.index_s);
    }
    println!(
        "| clients × duration | {} × {:.0} s |",
        a.clients, run.elapsed
    );
    println!(
        "| requests | {} ({} errors; {} with results) |",
        run.latencies.len(),
        run.errors,
        run.with_results
    );
    println!("| throughput | {:.0} req/s |", run.throughput());
    println!(
        "| latency p50 / p95 / p99 / max | {:.2} / {:.2} / {:.2} / {:.2} ms |",
        run.p(0.5),
        run.p(0.95),
        run.p(0.99),
        run.latencies.last().copied().unwrap_or(0.0)
    );
    println!(
        "| server RSS idle / after load / peak | {} / {} / {} MiB |",
        rss_idle / 1024,
        rss_now / 1024,
        rss_peak / 1024
    );
    println!(
        "| query mix | {} distinct queries (Chinese, pinyin, initials, synonyms, mixed, filters, sorts) |",
        mix.len()
    );
    if a.compare_seconds > 0 {
        compare(&a, mix).await?;
    }
    Ok(())
}
