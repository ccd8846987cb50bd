//! Checkout benchmark (issue #5): orders per second through the real `farmgate` binary on
//! PostgreSQL, side by side in the same run with pgbench's default TPC-B-like workload on the
//! same server, whose transactions per second is the ceiling. Run it with
//! `tests/load/checkout.sh` (release build; it starts PostgreSQL, creates both databases and
//! installs `wrk`); the table it prints is what the issue asks for.
//!
//! ```text
//! checkout-bench --farmgate target/release/farmgate \
//!     --database-url postgres://postgres@127.0.0.1:5499/fg_checkout \
//!     --pgbench-url postgres://postgres@127.0.0.1:5499/fg_pgbench \
//!     --clients 16 --seconds 20 --buyers 200
//! ```
//!
//! 1. `pgbench -i -s 10` on its own database; `farmgate migrate` on the farmgate one.
//! 2. Seeds through the API (the test harness's in-process server, fast password hashing):
//!    verified seller co-operatives, each with approved listings of two SKUs whose stock is the
//!    largest allowed (nothing sells out), and buyers, each with a saved address and a session.
//! 3. Starts `farmgate serve` (a second process) on that database.
//! 4. `wrk` (a third process) posts checkouts: each one order of 1–3 lines from 1–2 sellers,
//!    quantities 1–3, offline payment, a rotating buyer and a unique `Idempotency-Key`. A
//!    warm-up, then the measured run; every answer that is not 201 is counted.
//! 5. pgbench with the same number of clients for the same time (after its own warm-up).
//! 6. A short profiled checkout run with `pg_stat_statements` (when the server preloads it):
//!    which statements one checkout sends and where the database time goes.

#[path = "common.rs"]
#[expect(
    dead_code,
    reason = "each benchmark uses part of what the benchmarks share"
)]
mod common;

use farmgate_server::settings::Settings;
use farmgate_tests::{Backend, Resp, TestApp, region};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The largest stock a SKU may have: nothing sells out during the run.
const STOCK: i64 = 10_000_000;

struct Args {
    farmgate: PathBuf,
    database_url: String,
    pgbench_url: String,
    pgbench: String,
    data_dir: PathBuf,
    seconds: u64,
    warmup: u64,
    profile_seconds: u64,
    clients: usize,
    threads: usize,
    buyers: usize,
    sellers: usize,
    listings: usize,
    scale: u32,
    pool: Option<u32>,
}

fn args() -> Args {
    let mut a = Args {
        farmgate: PathBuf::from("target/release/farmgate"),
        database_url: String::new(),
        pgbench_url: String::new(),
        pgbench: "pgbench".to_owned(),
        data_dir: std::env::temp_dir().join("farmgate-checkout-bench"),
        seconds: 20,
        warmup: 5,
        profile_seconds: 5,
        clients: 16,
        threads: 2,
        buyers: 200,
        sellers: 8,
        listings: 4,
        scale: 10,
        pool: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--farmgate" => a.farmgate = PathBuf::from(val()),
            "--database-url" => a.database_url = val(),
            "--pgbench-url" => a.pgbench_url = val(),
            "--pgbench" => a.pgbench = val(),
            "--data-dir" => a.data_dir = PathBuf::from(val()),
            "--seconds" => a.seconds = val().parse().unwrap_or(a.seconds),
            "--warmup" => a.warmup = val().parse().unwrap_or(a.warmup),
            "--profile-seconds" => a.profile_seconds = val().parse().unwrap_or(a.profile_seconds),
            "--clients" => a.clients = val().parse().unwrap_or(a.clients),
            "--threads" => a.threads = val().parse().unwrap_or(a.threads),
            "--buyers" => a.buyers = val().parse().unwrap_or(a.buyers),
            "--sellers" => a.sellers = val().parse().unwrap_or(a.sellers),
            "--listings" => a.listings = val().parse().unwrap_or(a.listings),
            "--scale" => a.scale = val().parse().unwrap_or(a.scale),
            "--pool" => a.pool = val().parse().ok().filter(|n| *n > 0),
            other => eprintln!("ignoring unknown argument {other}"),
        }
    }
    a
}

// ---------------------------------------------------------------------------------------------
// Direct SQL (counts, settings, CHECKPOINT, pg_stat_statements)

fn stmt(sql: &str) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.to_owned())
}

async fn one_i64(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(stmt(sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row from {sql}"))?;
    Ok(row.try_get::<i64>("", "v")?)
}

async fn one_f64(db: &DatabaseConnection, sql: &str) -> anyhow::Result<f64> {
    let row = db
        .query_one_raw(stmt(sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row from {sql}"))?;
    Ok(row.try_get::<Option<f64>>("", "v")?.unwrap_or(0.0))
}

async fn setting(db: &DatabaseConnection, name: &str) -> anyhow::Result<String> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT current_setting($1) AS v",
            [name.into()],
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no setting {name}"))?;
    Ok(row.try_get::<String>("", "v")?)
}

/// Flushes dirty pages now, so a checkpoint does not land in the middle of a measured run.
async fn checkpoint(db: &DatabaseConnection) -> anyhow::Result<()> {
    db.execute_unprepared("CHECKPOINT").await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc (clock ticks)

/// Fields of /proc/PID/stat after the command name: [0] is the state, [1] the parent PID,
/// [11] utime, [12] stime, [13] cutime and [14] cstime (children waited for).
fn proc_stat(pid: u32) -> Option<Vec<u64>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    Some(
        rest.split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect(),
    )
}

fn field_sum(f: &[u64], which: &[usize]) -> u64 {
    which.iter().map(|i| f.get(*i).copied().unwrap_or(0)).sum()
}

/// CPU ticks a process used itself.
fn pid_ticks(pid: u32) -> u64 {
    proc_stat(pid).map_or(0, |f| field_sum(&f, &[11, 12]))
}

/// CPU ticks of the children this process has waited for (wrk, pgbench).
fn own_children_ticks() -> u64 {
    proc_stat(std::process::id()).map_or(0, |f| field_sum(&f, &[13, 14]))
}

/// CPU ticks of PostgreSQL: the postmaster, every process it runs (backends, WAL writer, …),
/// and those that have exited (the postmaster waits for them, so they count as its children).
fn postgres_ticks(postmaster: u32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let live: u64 = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, proc_stat(pid)?)))
        .filter(|(pid, f)| *pid == postmaster || f.get(1).copied() == Some(u64::from(postmaster)))
        .map(|(_, f)| field_sum(&f, &[11, 12]))
        .sum();
    live + proc_stat(postmaster).map_or(0, |f| field_sum(&f, &[13, 14]))
}

/// (busy, total) ticks of the whole machine, all cores.
fn machine_ticks() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<u64> = text
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let total: u64 = f.iter().sum();
    let idle = f.get(3).copied().unwrap_or(0) + f.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle), total)
}

fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// How busy the machine is with nothing of ours running (other people's builds and tests
/// distort a benchmark; the figure is printed with the results).
async fn background_busy() -> f64 {
    let (b0, t0) = machine_ticks();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (b1, t1) = machine_ticks();
    100.0 * (b1 - b0) as f64 / (t1 - t0).max(1) as f64
}

#[derive(Clone, Copy, Default)]
struct Cpu {
    farmgate: u64,
    postgres: u64,
    /// wrk or pgbench (counted once they have exited).
    load: u64,
    busy: u64,
    total: u64,
}

fn cpu(farmgate: u32, postmaster: u32) -> Cpu {
    let (busy, total) = machine_ticks();
    Cpu {
        farmgate: pid_ticks(farmgate),
        postgres: postgres_ticks(postmaster),
        load: own_children_ticks(),
        busy,
        total,
    }
}

/// Where the CPU went between two readings, in ms per operation, and what else ran. Without
/// IRQ time accounting (this machine's kernel), interrupt work such as loopback networking is
/// charged to whichever process was running, so it is inside the processes' figures; "the
/// rest" is kernel work charged to none of them, and other programs.
fn cpu_note(x: Cpu, y: Cpu, hz: f64, ops: u64, what: &str, load: &str) -> String {
    let ms = |t: u64| 1000.0 * t as f64 / hz / ops.max(1) as f64;
    let (fg, pg, ld) = (
        y.farmgate - x.farmgate,
        y.postgres - x.postgres,
        y.load - x.load,
    );
    let busy = y.busy - x.busy;
    let total = (y.total - x.total).max(1);
    let rest = busy.saturating_sub(fg + pg + ld);
    let farmgate = if ms(fg) >= 0.01 {
        format!("farmgate {:.2} ms, ", ms(fg))
    } else {
        String::new()
    };
    format!(
        "machine {:.0} % busy ({:.2} ms of CPU per {what}): {farmgate}PostgreSQL {:.2} ms, \
         {load} {:.2} ms, the rest (kernel work charged to none of them, other programs) \
         {:.2} ms",
        100.0 * busy as f64 / total as f64,
        ms(busy),
        ms(pg),
        ms(ld),
        ms(rest)
    )
}

// ---------------------------------------------------------------------------------------------
// Seeding

struct Seed {
    /// (session token, address id) of each buyer.
    buyers: Vec<(String, String)>,
    /// The SKU ids of each seller.
    sellers: Vec<Vec<String>>,
    seconds: f64,
}

fn check(r: &Resp, status: u16, what: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        r.status == status,
        "{what}: expected {status}, got {} {}",
        r.status,
        r.text
    );
    Ok(())
}

fn text_at(v: &Value, pointer: &str) -> anyhow::Result<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no {pointer} in {v}"))
}

const PRODUCTS: &[(&str, i64)] = &[
    ("赣南脐橙", 5990),
    ("散养土鸡蛋 30枚", 4500),
    ("高山绿茶 250g", 8800),
    ("农家腊肉 1kg", 9800),
    ("富硒大米 10kg", 6900),
    ("野生蜂蜜 500g", 7800),
    ("甜糯玉米 10根", 3990),
    ("红心猕猴桃", 6600),
];

/// Sellers, listings and buyers through the API, the way people create them.
async fn seed(a: &Args) -> anyhow::Result<Seed> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        addr: "127.0.0.1:0".to_owned(),
        data_dir: dir.path().join("data"),
        database_url: Some(a.database_url.clone()),
        migrate_on_start: false,
        log: "warn".to_owned(),
        ..Settings::default()
    };
    let app = TestApp::start(settings, Backend::Production, dir).await;
    let op = app.operator().await;
    let tree = app.get("/api/v1/categories", None).await;
    check(&tree, 200, "the category tree")?;
    let categories: Vec<String> = tree
        .body
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|top| top["children"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    anyhow::ensure!(!categories.is_empty(), "no categories: {}", tree.text);

    let mut sellers = Vec::with_capacity(a.sellers);
    for s in 0..a.sellers {
        let owner = app.register(&format!("138{:08}", s + 1), "卖家").await;
        let org = app
            .verified_org(
                &owner,
                &op,
                "cooperative",
                &format!("青石县第{}农产品专业合作社", s + 1),
            )
            .await;
        let mut skus = Vec::new();
        for l in 0..a.listings {
            let (product, price) = PRODUCTS[(s * a.listings + l) % PRODUCTS.len()];
            let r = app
                .post(
                    &format!("/api/v1/orgs/{org}/listings"),
                    json!({
                        "category_id": categories[(s + l) % categories.len()],
                        "title": format!("{product} · 第{}社 {}号", s + 1, l + 1),
                        "origin": region("梅岭镇", Some("茶坑村")),
                        "skus": [
                            {"name": "小份", "unit": "box", "price": price, "stock": STOCK,
                             "weight_grams": 2800},
                            {"name": "大份", "unit": "box", "price": price * 2 - 500, "stock": STOCK,
                             "weight_grams": 5600,
                             "tiers": [{"min_quantity": 10, "price": price * 2 - 1500}]},
                        ],
                    }),
                    Some(&owner.token),
                )
                .await;
            check(&r, 201, "creating a listing")?;
            let listing = text_at(&r.body, "/id")?;
            for sku in r.body["skus"].as_array().into_iter().flatten() {
                skus.push(text_at(sku, "/id")?);
            }
            let sub = app
                .post_empty(
                    &format!("/api/v1/listings/{listing}/submit"),
                    Some(&owner.token),
                )
                .await;
            check(&sub, 200, "submitting a listing")?;
            let rev = text_at(&sub.body, "/revision/id")?;
            let ok = app
                .post_empty(
                    &format!("/api/v1/admin/listing-reviews/{rev}/approve"),
                    Some(&op.token),
                )
                .await;
            check(&ok, 200, "approving a listing")?;
        }
        sellers.push(skus);
    }

    let mut buyers = Vec::with_capacity(a.buyers);
    for b in 0..a.buyers {
        let phone = format!("136{:08}", b + 1);
        let who = app.register(&phone, "买家").await;
        let r = app
            .post(
                "/api/v1/me/addresses",
                json!({"name": format!("买家{}", b + 1), "phone": phone, "province": "江西省",
                       "city": "赣州市", "district": "章贡区",
                       "street": format!("红旗大道 {} 号 3 栋 502", b + 1)}),
                Some(&who.token),
            )
            .await;
        check(&r, 201, "saving an address")?;
        buyers.push((who.token, text_at(&r.body, "/id")?));
    }
    // Listings indexed, nothing left for the server's worker to do when the load starts.
    app.outbox_drained().await;
    drop(app);
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(Seed {
        buyers,
        sellers,
        seconds: started.elapsed().as_secs_f64(),
    })
}

// ---------------------------------------------------------------------------------------------
// The server

fn migrate(a: &Args) -> anyhow::Result<f64> {
    let started = Instant::now();
    let out = Command::new(&a.farmgate)
        .arg("migrate")
        .env("FARMGATE_DATABASE_URL", &a.database_url)
        .env("FARMGATE_DATA_DIR", a.data_dir.join("migrate"))
        .env("FARMGATE_LOG", "warn")
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "farmgate migrate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(started.elapsed().as_secs_f64())
}

/// The server on the benchmark's PostgreSQL (migrated beforehand), its stderr in a file.
async fn start(a: &Args) -> anyhow::Result<common::Server> {
    let data = a.data_dir.join("serve");
    std::fs::create_dir_all(&data)?;
    let log = a.data_dir.join("farmgate.log");
    common::serve(&a.farmgate, &data, Some(log), |cmd| {
        cmd.env("FARMGATE_DATABASE_URL", &a.database_url)
            .env("FARMGATE_MIGRATE_ON_START", "false");
        match a.pool {
            Some(n) => cmd.env("FARMGATE_DATABASE_MAX_CONNECTIONS", n.to_string()),
            None => cmd.env_remove("FARMGATE_DATABASE_MAX_CONNECTIONS"),
        };
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Load: wrk with a checkout script

struct WrkStat {
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    mean_ms: f64,
    max_ms: f64,
    created: u64,
    other: u64,
    socket_errors: u64,
    first_bad: String,
}

impl WrkStat {
    fn orders_per_second(&self) -> f64 {
        self.created as f64 / self.seconds.max(1e-9)
    }
}

/// The wrk script: every request one checkout by a random buyer, with a key no other request
/// in any run has.
fn checkout_lua(dir: &Path, seed: &Seed, run: &str) -> anyhow::Result<PathBuf> {
    let buyers = dir.join("buyers.txt");
    let lines: Vec<String> = seed
        .buyers
        .iter()
        .map(|(token, address)| format!("{token} {address}"))
        .collect();
    std::fs::write(&buyers, lines.join("\n") + "\n")?;
    let skus = dir.join("skus.txt");
    let lines: Vec<String> = seed
        .sellers
        .iter()
        .enumerate()
        .flat_map(|(s, list)| list.iter().map(move |sku| format!("{} {sku}", s + 1)))
        .collect();
    std::fs::write(&skus, lines.join("\n") + "\n")?;
    let script = dir.join(format!("checkout-{run}.lua"));
    std::fs::write(
        &script,
        format!(
            r#"
local buyers = {{}}
for line in io.lines("{buyers}") do
  local token, address = line:match("^(%S+) (%S+)$")
  buyers[#buyers + 1] = {{ token, address }}
end
local sellers = {{}}
for line in io.lines("{skus}") do
  local s, sku = line:match("^(%d+) (%S+)$")
  s = tonumber(s)
  sellers[s] = sellers[s] or {{}}
  table.insert(sellers[s], sku)
end
local threads = {{}}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
created = 0
other = 0
first_bad = ""
local n = 0
init = function(args) math.randomseed(tid * 7919 + os.time()) end

-- An order of 1-3 lines from 1-2 sellers (two sellers in about a third of them).
request = function()
  n = n + 1
  local b = buyers[math.random(#buyers)]
  local two = #sellers > 1 and math.random() < 0.35
  local nlines = math.random(two and 2 or 1, 3)
  local s1 = math.random(#sellers)
  local s2 = s1
  while two and s2 == s1 do s2 = math.random(#sellers) end
  local used, items = {{}}, {{}}
  for i = 1, nlines do
    local s = s1
    if two and (i == 2 or (i == 3 and math.random(2) == 2)) then s = s2 end
    local list = sellers[s]
    local sku = list[math.random(#list)]
    for _ = 1, 20 do
      if not used[sku] then break end
      sku = list[math.random(#list)]
    end
    if not used[sku] then
      used[sku] = true
      items[#items + 1] = string.format('{{"sku_id":"%s","quantity":%d}}', sku, math.random(3))
    end
  end
  local body = string.format('{{"address_id":"%s","items":[%s],"payment_method":"offline"}}',
    b[2], table.concat(items, ","))
  return wrk.format("POST", "/api/v1/orders", {{
    ["Authorization"] = "Bearer " .. b[1],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("{run}-%d-%d", tid, n),
  }}, body)
end

response = function(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

done = function(summary, latency, requests)
  local c, o, bad = 0, 0, ""
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
    local fb = t:get("first_bad")
    if bad == "" and fb ~= nil and fb ~= "" then bad = fb end
  end
  local e = summary.errors
  io.write(string.format("FGSTAT %d %d %.1f %.1f %.1f %.1f %d %d %d\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), latency.mean, latency.max,
    c, o, e.connect + e.read + e.write + e.timeout))
  io.write("FGBAD " .. string.gsub(bad, "%s+", " ") .. "\n")
end
"#,
            buyers = buyers.display(),
            skus = skus.display(),
        ),
    )?;
    Ok(script)
}

fn wrk(a: &Args, base: &str, script: &Path, seconds: u64) -> anyhow::Result<WrkStat> {
    let out = Command::new("wrk")
        .arg(format!("-t{}", a.threads.min(a.clients).max(1)))
        .arg(format!("-c{}", a.clients))
        .arg(format!("-d{seconds}s"))
        .arg("--timeout")
        .arg("30s")
        .arg("-s")
        .arg(script)
        .arg(base)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("FGSTAT "))
        .ok_or_else(|| anyhow::anyhow!("no figures from wrk: {text}"))?;
    let f: Vec<f64> = line
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    anyhow::ensure!(f.len() == 9, "unexpected wrk figures: {line}");
    Ok(WrkStat {
        seconds: f[1] / 1e6,
        p50_ms: f[2] / 1000.0,
        p99_ms: f[3] / 1000.0,
        mean_ms: f[4] / 1000.0,
        max_ms: f[5] / 1000.0,
        created: f[6] as u64,
        other: f[7] as u64,
        socket_errors: f[8] as u64,
        first_bad: text
            .lines()
            .find_map(|l| l.strip_prefix("FGBAD "))
            .unwrap_or_default()
            .trim()
            .to_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// pgbench

struct PgbenchStat {
    tps: f64,
    transactions: u64,
    failed: u64,
    mean_ms: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn pgbench_init(a: &Args) -> anyhow::Result<f64> {
    let started = Instant::now();
    let out = Command::new(&a.pgbench)
        .args(["-i", "-q", "-s", &a.scale.to_string(), &a.pgbench_url])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "pgbench -i failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(started.elapsed().as_secs_f64())
}

/// The first number after `prefix` on the line that starts with it.
fn number_after(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.trim_end_matches(['%', ',']).parse().ok())
}

/// pgbench's default script; with `log_dir`, every transaction's latency is logged (`-l`) for
/// the percentiles pgbench itself does not print.
fn pgbench(a: &Args, seconds: u64, log_dir: Option<&Path>) -> anyhow::Result<PgbenchStat> {
    let mut cmd = Command::new(&a.pgbench);
    cmd.arg("-c")
        .arg(a.clients.to_string())
        .arg("-j")
        .arg(a.threads.min(a.clients).max(1).to_string())
        .arg("-T")
        .arg(seconds.to_string());
    if let Some(dir) = log_dir {
        std::fs::create_dir_all(dir)?;
        cmd.arg("-l").arg(format!(
            "--log-prefix={}",
            dir.join("pgbench_log").display()
        ));
    }
    let out = cmd.arg(&a.pgbench_url).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success(),
        "pgbench failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tps = text
        .lines()
        .filter(|l| l.contains("without initial connection time"))
        .find_map(|l| number_after(l, "tps ="))
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench's output: {text}"))?;
    let mut latencies = Vec::new();
    if let Some(dir) = log_dir {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            for line in std::fs::read_to_string(&path)?.lines() {
                // client_id transaction_no time_us script_no time_epoch time_us
                if let Some(us) = line
                    .split_whitespace()
                    .nth(2)
                    .and_then(|v| v.parse::<f64>().ok())
                {
                    latencies.push(us / 1000.0);
                }
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    Ok(PgbenchStat {
        tps,
        transactions: number_after(&text, "number of transactions actually processed:")
            .unwrap_or(0.0) as u64,
        failed: number_after(&text, "number of failed transactions:").unwrap_or(0.0) as u64,
        mean_ms: number_after(&text, "latency average =").unwrap_or(0.0),
        p50_ms: common::percentile(&latencies, 0.50),
        p99_ms: common::percentile(&latencies, 0.99),
        max_ms: latencies.last().copied().unwrap_or(0.0),
    })
}

// ---------------------------------------------------------------------------------------------
// Plans of the reads that follow every checkout (the order read back by id)

/// How PostgreSQL finds one order's rows in each table the answer to a checkout reads, with
/// the table's size: a sequential scan here grows with every order ever placed.
async fn read_back_plans(db: &DatabaseConnection) -> anyhow::Result<Vec<String>> {
    let row = db
        .query_one_raw(stmt("SELECT id::text AS v FROM orders LIMIT 1"))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no orders"))?;
    let id = row.try_get::<String>("", "v")?;
    let mut out = Vec::new();
    for (table, column) in [
        ("orders", "id"),
        ("sub_orders", "order_id"),
        ("order_lines", "order_id"),
        ("order_events", "order_id"),
        ("payments", "order_id"),
    ] {
        db.execute_unprepared(&format!("ANALYZE {table}")).await?;
        let rows = one_i64(db, &format!("SELECT count(*) AS v FROM {table}")).await?;
        let plan = db
            .query_all_raw(stmt(&format!(
                "EXPLAIN SELECT * FROM {table} WHERE {column} = '{id}'"
            )))
            .await?;
        let first = plan
            .first()
            .and_then(|r| r.try_get::<String>("", "QUERY PLAN").ok())
            .unwrap_or_default();
        let node = first
            .split("  (")
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        out.push(format!("{table} by {column} ({rows} rows): {node}"));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Profile: pg_stat_statements over a short checkout run

async fn statements_available(db: &DatabaseConnection) -> bool {
    let loaded = setting(db, "shared_preload_libraries")
        .await
        .unwrap_or_default();
    loaded.contains("pg_stat_statements")
        && db
            .execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .await
            .is_ok()
}

/// Turns statement tracking on or off for every session (the measured runs have it off).
async fn track_statements(db: &DatabaseConnection, on: bool) -> anyhow::Result<()> {
    let value = if on { "top" } else { "none" };
    db.execute_unprepared(&format!(
        "ALTER SYSTEM SET pg_stat_statements.track = '{value}'"
    ))
    .await?;
    db.execute_unprepared("SELECT pg_reload_conf()").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(())
}

struct Statements {
    orders: u64,
    calls: f64,
    exec_ms: f64,
    top: Vec<(f64, f64, f64, String)>,
}

async fn profile(
    a: &Args,
    db: &DatabaseConnection,
    base: &str,
    script: &Path,
) -> anyhow::Result<Statements> {
    track_statements(db, true).await?;
    db.execute_unprepared("SELECT pg_stat_statements_reset()")
        .await?;
    let run = wrk(a, base, script, a.profile_seconds);
    let rows = db
        .query_all_raw(stmt(
            "SELECT calls::float8 AS calls, total_exec_time AS ms,
                    left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS q
             FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND query NOT LIKE '%pg_stat_statements%'
             ORDER BY total_exec_time DESC",
        ))
        .await;
    track_statements(db, false).await?;
    let run = run?;
    let orders = run.created.max(1);
    let mut s = Statements {
        orders: run.created,
        calls: 0.0,
        exec_ms: 0.0,
        top: Vec::new(),
    };
    for row in rows? {
        let calls = row.try_get::<f64>("", "calls")?;
        let ms = row.try_get::<f64>("", "ms")?;
        let q = row.try_get::<String>("", "q")?;
        s.calls += calls;
        s.exec_ms += ms;
        s.top.push((
            calls / orders as f64,
            ms / orders as f64,
            ms / calls.max(1.0),
            q,
        ));
    }
    s.calls /= orders as f64;
    s.exec_ms /= orders as f64;
    Ok(s)
}

// ---------------------------------------------------------------------------------------------

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let a = args();
    anyhow::ensure!(
        !a.database_url.is_empty() && !a.pgbench_url.is_empty(),
        "--database-url and --pgbench-url are required (tests/load/checkout.sh passes them)"
    );
    anyhow::ensure!(
        a.sellers >= 2 && a.listings >= 2,
        "at least 2 sellers with 2 listings"
    );
    if a.data_dir.exists() {
        std::fs::remove_dir_all(&a.data_dir)?;
    }
    std::fs::create_dir_all(&a.data_dir)?;
    let hz = clock_ticks_per_second();

    eprintln!("pgbench -i -s {}…", a.scale);
    let pgbench_init_s = pgbench_init(&a)?;
    eprintln!("farmgate migrate…");
    let migrate_s = migrate(&a)?;
    let mut opts = sea_orm::ConnectOptions::new(a.database_url.clone());
    opts.max_connections(2).sqlx_logging(false);
    let db = Database::connect(opts).await?;
    let profiling = a.profile_seconds > 0 && statements_available(&db).await;
    if profiling {
        track_statements(&db, false).await?;
    }
    let pg_version = setting(&db, "server_version").await?;
    let durability = format!(
        "fsync={}, synchronous_commit={}, full_page_writes={}, shared_buffers={}",
        setting(&db, "fsync").await?,
        setting(&db, "synchronous_commit").await?,
        setting(&db, "full_page_writes").await?,
        setting(&db, "shared_buffers").await?,
    );
    let postmaster = {
        let backend = one_i64(&db, "SELECT pg_backend_pid()::int8 AS v").await?;
        proc_stat(u32::try_from(backend)?)
            .and_then(|f| f.get(1).copied())
            .and_then(|p| u32::try_from(p).ok())
            .unwrap_or(0)
    };

    eprintln!(
        "seeding {} sellers × {} listings and {} buyers…",
        a.sellers, a.listings, a.buyers
    );
    let seed = seed(&a).await?;
    let server = start(&a).await?;
    let farmgate_pid = server.pid();
    let pool = match a.pool {
        Some(n) => n,
        None => Settings::default().database_max_connections,
    };
    let scratch = tempfile::tempdir()?;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let tag = &tag[..8];

    // Checkout: warm-up, then the measured run.
    eprintln!("checkout: {} s warm-up…", a.warmup);
    if a.warmup > 0 {
        let w = wrk(
            &a,
            &server.base,
            &checkout_lua(scratch.path(), &seed, &format!("{tag}w"))?,
            a.warmup,
        )?;
        anyhow::ensure!(
            w.other == 0 && w.created > 0,
            "the warm-up had {} answers that were not 201 (first: {}); server log: {}",
            w.other,
            w.first_bad,
            server.log_text()
        );
    }
    let measured_script = checkout_lua(scratch.path(), &seed, &format!("{tag}m"))?;
    checkpoint(&db).await?;
    let checkout_idle = background_busy().await;
    eprintln!("checkout: {} s measured…", a.seconds);
    let orders_before = one_i64(&db, "SELECT count(*) AS v FROM orders").await?;
    let c0 = cpu(farmgate_pid, postmaster);
    let checkout = wrk(&a, &server.base, &measured_script, a.seconds)?;
    let c1 = cpu(farmgate_pid, postmaster);
    let orders_after = one_i64(&db, "SELECT count(*) AS v FROM orders").await?;
    let lines_per_order = one_f64(
        &db,
        "SELECT (SELECT count(*) FROM order_lines)::float8 / greatest(count(*), 1) AS v FROM orders",
    )
    .await?;
    let subs_per_order = one_f64(
        &db,
        "SELECT (SELECT count(*) FROM sub_orders)::float8 / greatest(count(*), 1) AS v FROM orders",
    )
    .await?;
    let two_seller_share = one_f64(
        &db,
        "SELECT avg(CASE WHEN n > 1 THEN 1.0 ELSE 0.0 END)::float8 AS v
         FROM (SELECT count(*) AS n FROM sub_orders GROUP BY order_id) t",
    )
    .await?;

    // pgbench: the same clients for the same time, after a warm-up of its own.
    eprintln!("pgbench: {} s warm-up, {} s measured…", a.warmup, a.seconds);
    if a.warmup > 0 {
        pgbench(&a, a.warmup, None)?;
    }
    checkpoint(&db).await?;
    let pgbench_idle = background_busy().await;
    let p0 = cpu(farmgate_pid, postmaster);
    let pg = pgbench(&a, a.seconds, Some(&scratch.path().join("pgbench-log")))?;
    let p1 = cpu(farmgate_pid, postmaster);

    let statements = if profiling {
        eprintln!(
            "profile: {} s of checkouts with pg_stat_statements…",
            a.profile_seconds
        );
        let script = checkout_lua(scratch.path(), &seed, &format!("{tag}p"))?;
        Some(profile(&a, &db, &server.base, &script).await?)
    } else {
        None
    };
    let plans = read_back_plans(&db).await?;
    let server_log = server.log_text();
    drop(server);

    // ---- report ----
    let ops = checkout.orders_per_second();
    let ratio = ops / pg.tps.max(1e-9);
    println!("## Checkout throughput on PostgreSQL, beside pgbench (issue #5)");
    println!();
    println!(
        "PostgreSQL {pg_version} on 127.0.0.1 ({durability}); {} CPU cores; farmgate release \
         build, pool of {pool} database connections, in-process cache; load from wrk -t{} \
         --timeout 30s (checkout) and pgbench -j{} (TPC-B-like, scale {}), {} clients each, \
         {} s warm-up then {} s measured, one after the other on the same server.",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        a.threads.min(a.clients).max(1),
        a.threads.min(a.clients).max(1),
        a.scale,
        a.clients,
        a.warmup,
        a.seconds,
    );
    println!();
    println!("| workload | clients | seconds | ops/s | p99 ms | ratio |");
    println!("| --- | --- | --- | --- | --- | --- |");
    println!(
        "| checkout: POST /api/v1/orders → farmgate → PostgreSQL (orders/s) | {} | {:.1} | {ops:.0} | {:.1} | {ratio:.3} |",
        a.clients, checkout.seconds, checkout.p99_ms
    );
    println!(
        "| pgbench default TPC-B-like, scale {} (tps, excluding connection time) | {} | {} | {:.0} | {:.1} | 1 (ceiling) |",
        a.scale, a.clients, a.seconds, pg.tps, pg.p99_ms
    );
    println!();
    let mut notes = vec![
        format!(
            "Checkout: {} orders created (201) in {:.1} s; answers that were not 201: {}; \
             socket errors and timeouts: {}; orders in the database grew by {} \
             ({:.0}/s; the difference is requests in flight when wrk stopped).",
            checkout.created,
            checkout.seconds,
            checkout.other,
            checkout.socket_errors,
            orders_after - orders_before,
            (orders_after - orders_before) as f64 / checkout.seconds.max(1e-9)
        ),
        format!(
            "Checkout latency: p50 {:.1} ms, mean {:.1} ms, p99 {:.1} ms, max {:.1} ms. \
             pgbench latency: p50 {:.1} ms, mean {:.1} ms, p99 {:.1} ms, max {:.1} ms \
             ({} transactions, {} failed; percentiles from its per-transaction log).",
            checkout.p50_ms,
            checkout.mean_ms,
            checkout.p99_ms,
            checkout.max_ms,
            pg.p50_ms,
            pg.mean_ms,
            pg.p99_ms,
            pg.max_ms,
            pg.transactions,
            pg.failed
        ),
        format!(
            "Orders as generated: {lines_per_order:.2} lines and {subs_per_order:.2} sellers \
             per order on average; {:.0} % of orders have two sellers; {} buyers with a saved \
             address each, {} sellers × {} listings × 2 SKUs, stock {STOCK} per SKU.",
            100.0 * two_seller_share,
            seed.buyers.len(),
            a.sellers,
            a.listings
        ),
        format!(
            "CPU during the checkout run: {}. During pgbench: {}.",
            cpu_note(c0, c1, hz, checkout.created, "order", "wrk"),
            cpu_note(p0, p1, hz, pg.transactions, "transaction", "pgbench"),
        ),
        format!(
            "Machine busy before each measured run with nothing of ours running (other work \
             on the machine): {checkout_idle:.0} % before checkout, {pgbench_idle:.0} % before \
             pgbench{}.",
            if checkout_idle.max(pgbench_idle) > 10.0 {
                " — the figures are disturbed; run again on a quiet machine"
            } else {
                ""
            }
        ),
        format!(
            "Preparation: pgbench -i -s {} {pgbench_init_s:.1} s; farmgate migrate \
             {migrate_s:.1} s; seeding through the API {:.1} s.",
            a.scale, seed.seconds
        ),
    ];
    if let Some(s) = &statements {
        notes.push(format!(
            "Where a checkout's database time goes (pg_stat_statements over a separate {} s \
             run of {} orders; tracking is off during the measured runs): {:.1} statements \
             per order, {:.2} ms of statement execution inside PostgreSQL per order \
             (commit's WAL flush not included) against a mean latency of {:.1} ms \
             (pgbench's transaction is 7 statements).",
            a.profile_seconds, s.orders, s.calls, s.exec_ms, checkout.mean_ms
        ));
    }
    notes.push(format!(
        "How the read-back of an order finds its rows, at the end: {}.",
        plans.join("; ")
    ));
    for n in &notes {
        println!("- {n}");
    }
    if let Some(s) = &statements {
        println!();
        println!("| statements per order | ms per order | ms per call | statement |");
        println!("| --- | --- | --- | --- |");
        for (calls, ms, per_call, q) in s.top.iter().take(20) {
            println!(
                "| {calls:.2} | {ms:.3} | {per_call:.3} | `{}` |",
                q.replace('|', "\\|").replace('`', "'")
            );
        }
    }
    let errors: Vec<&str> = server_log
        .lines()
        .filter(|l| l.contains("ERROR"))
        .take(5)
        .collect();
    if !errors.is_empty() {
        println!();
        println!("Server log errors (first {}):", errors.len());
        for e in errors {
            println!("    {e}");
        }
    }
    anyhow::ensure!(
        checkout.other == 0 && checkout.socket_errors == 0,
        "{} checkout answers were not 201 and {} failed at the socket (first: {})",
        checkout.other,
        checkout.socket_errors,
        checkout.first_bad
    );
    Ok(())
}
