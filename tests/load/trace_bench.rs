//! Scan-page benchmark: 10,000 batches with their records, then `wrk` (a second process) loads
//! `GET /t/{code}` over random codes through the real `farmgate` binary, and, in the same run
//! and the same server, the trivial `GET /healthz`, with the in-process cache and with Redis.
//! Run it with `tests/load/trace.sh` (release build; it installs `wrk` and starts Redis); the
//! figures it prints are what the traceability issue asks for.
//!
//! ```text
//! trace-bench --farmgate target/release/farmgate --batches 10000 --seconds 20 \
//!     --redis redis://127.0.0.1:6379/
//! ```

use chrono::Duration as Days;
use farmgate_demo::seller_actor;
use farmgate_identity::{OrgKind, PasswordCost};
use farmgate_server::BuildOptions;
use farmgate_server::settings::Settings;
use farmgate_trace::domain::{CertificateBasis, EventKind};
use farmgate_trace::service::{
    CertificateInput, Commitments, NewBatchRequest, NewEventRequest, PlotInput, shanghai_day,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Args {
    farmgate: PathBuf,
    data_dir: PathBuf,
    batches: usize,
    seconds: u64,
    threads: usize,
    connections: usize,
    redis: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        farmgate: PathBuf::from("target/release/farmgate"),
        data_dir: std::env::temp_dir().join("farmgate-trace-bench"),
        batches: 10_000,
        seconds: 20,
        threads: 2,
        connections: 32,
        redis: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--farmgate" => a.farmgate = PathBuf::from(val()),
            "--data-dir" => a.data_dir = PathBuf::from(val()),
            "--batches" => a.batches = val().parse().unwrap_or(a.batches),
            "--seconds" => a.seconds = val().parse().unwrap_or(a.seconds),
            "--threads" => a.threads = val().parse().unwrap_or(a.threads),
            "--connections" => a.connections = val().parse().unwrap_or(a.connections),
            "--redis" => a.redis = Some(val()).filter(|u| !u.is_empty()),
            other => eprintln!("ignoring unknown argument {other}"),
        }
    }
    a
}

/// The demo data, then `n` batches over the demo sellers' approved listings, each with a
/// planting, a harvest, a passed inspection and packing (the chain a scanned box usually has).
/// Returns the trace codes and how long the batches took.
async fn prepare(a: &Args) -> anyhow::Result<(Vec<String>, f64)> {
    if a.data_dir.exists() {
        std::fs::remove_dir_all(&a.data_dir)?;
    }
    std::fs::create_dir_all(&a.data_dir)?;
    let settings = Settings {
        data_dir: a.data_dir.clone(),
        log: "warn".to_owned(),
        ..Settings::default()
    };
    let app = farmgate_server::build(
        &settings,
        BuildOptions {
            password_cost: PasswordCost::FAST_FOR_TESTS,
            ..BuildOptions::default()
        },
    )
    .await?;
    farmgate_demo::seed(&app.state.demo_services()).await?;
    let listings = farmgate_catalog::read::demo::approved_listings(&app.state.infra.db).await?;
    anyhow::ensure!(!listings.is_empty(), "the demo has no approved listings");
    let trace = &app.state.trace;
    let now = trace.infra().clock.now();
    let today = shanghai_day(now);
    let started = Instant::now();
    let mut codes = Vec::with_capacity(a.batches);
    for i in 0..a.batches {
        let l = &listings[i % listings.len()];
        let owner = seller_actor(l.created_by, l.seller_org_id, OrgKind::Cooperative);
        let harvested = (i % 20) as i64 + 1;
        let record = trace
            .create_batch(
                &owner,
                l.id,
                NewBatchRequest {
                    lot: Some(format!("BENCH-{i:05}")),
                    started_on: today - Days::days(harvested + 90),
                    harvest_date: today - Days::days(harvested),
                    quantity: 500 + (i as i64 % 50) * 10,
                    quantity_unit: "jin".to_owned(),
                    plot: PlotInput {
                        village: "茶坑村".to_owned(),
                        name: format!("{}号地块", i % 40 + 1),
                        lat: Some(25.7 + (i % 100) as f64 / 1000.0),
                        lng: Some(115.1 + (i % 70) as f64 / 1000.0),
                    },
                    certificate: CertificateInput {
                        product_name: None,
                        issuer: None,
                        contact_phone: "13800000001".to_owned(),
                        basis: CertificateBasis::SelfTest,
                        commitments: Commitments {
                            no_banned_substances: true,
                            withdrawal_respected: true,
                            residues_within_limits: true,
                        },
                    },
                },
            )
            .await?;
        let id = record.id();
        let at = |days: i64, hours: i64| now - Days::days(days) + Days::hours(hours - 12);
        let events = [
            (
                EventKind::Planting,
                at(harvested + 89, 0),
                json!({"variety": "纽荷尔脐橙"}),
            ),
            (
                EventKind::Harvest,
                at(harvested, 0),
                json!({"quantity": 500, "unit": "jin"}),
            ),
            (
                EventKind::Inspection,
                at(harvested, 4),
                json!({"lab": "青石县农产品质量安全检测站", "method": "快速检测", "items": "有机磷等 20 项", "result": "pass"}),
            ),
            (
                EventKind::Packing,
                at(harvested, 8),
                json!({"packages": 50, "spec": "10 斤装"}),
            ),
        ];
        for (kind, occurred_at, data) in events {
            trace
                .append(
                    &owner,
                    id,
                    NewEventRequest {
                        kind,
                        occurred_at,
                        data,
                        attachments: Vec::new(),
                    },
                )
                .await?;
        }
        codes.push(record.batch.code.clone());
        if (i + 1) % 2000 == 0 {
            eprintln!("  {} batches", i + 1);
        }
    }
    Ok((codes, started.elapsed().as_secs_f64()))
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(a: &Args, redis: Option<&str>) -> anyhow::Result<Server> {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let mut cmd = Command::new(&a.farmgate);
    cmd.arg("serve")
        .env("FARMGATE_ADDR", format!("127.0.0.1:{port}"))
        .env("FARMGATE_DATA_DIR", &a.data_dir)
        .env("FARMGATE_LOG", "warn")
        // wrk asks from one address far above the public per-address allowance.
        .env("FARMGATE_TRACE_VERIFY_PER_ADDRESS_PER_MINUTE", "100000000")
        .env_remove("FARMGATE_REDIS_URL")
        .stdout(Stdio::null());
    if let Some(url) = redis {
        cmd.env("FARMGATE_REDIS_URL", url);
    }
    let server = Server {
        child: cmd.spawn()?,
        base: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..600 {
        let ready = http.get(format!("{}/readyz", server.base)).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("farmgate did not become ready")
}

/// What a CDN needs from the scan page: an ETag, a public Cache-Control, and 304 on a match.
async fn check_cacheable(base: &str, code: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let r = http.get(format!("{base}/t/{code}")).send().await?;
    anyhow::ensure!(r.status() == 200, "scan page answered {}", r.status());
    let etag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no ETag on the scan page"))?;
    let cc = r
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no Cache-Control on the scan page"))?;
    anyhow::ensure!(cc.contains("public"), "Cache-Control is {cc}");
    let bytes = r.bytes().await?.len();
    let again = http
        .get(format!("{base}/t/{code}"))
        .header("if-none-match", &etag)
        .send()
        .await?;
    anyhow::ensure!(
        again.status() == 304,
        "If-None-Match gave {}",
        again.status()
    );
    Ok(format!(
        "ETag {etag}; Cache-Control: {cc}; {} KiB; If-None-Match → 304",
        bytes / 1024
    ))
}

/// Every code once, so the load measures what a popular label sees (the page cache is warm).
async fn warm(base: &str, codes: &[String]) -> anyhow::Result<f64> {
    let http = reqwest::Client::new();
    let started = Instant::now();
    for code in codes {
        let r = http.get(format!("{base}/t/{code}")).send().await?;
        anyhow::ensure!(r.status() == 200, "/t/{code} answered {}", r.status());
        r.bytes().await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

struct Load {
    requests: u64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    bad: u64,
}

/// Runs wrk with a script that reports its figures on one line (latencies in µs).
fn wrk(a: &Args, base: &str, script: &Path) -> anyhow::Result<Load> {
    let out = Command::new("wrk")
        .arg(format!("-t{}", a.threads))
        .arg(format!("-c{}", a.connections))
        .arg(format!("-d{}s", a.seconds))
        .arg("-s")
        .arg(script)
        .arg(base)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(out.status.success(), "wrk failed: {text}");
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("FGSTAT "))
        .ok_or_else(|| anyhow::anyhow!("no figures from wrk: {text}"))?;
    let f: Vec<f64> = line
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    anyhow::ensure!(f.len() == 6, "unexpected wrk figures: {line}");
    Ok(Load {
        requests: f[0] as u64,
        rps: f[0] / (f[1] / 1e6),
        p50_ms: f[2] / 1000.0,
        p99_ms: f[3] / 1000.0,
        max_ms: f[4] / 1000.0,
        bad: f[5] as u64,
    })
}

const DONE: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FGSTAT %d %d %.1f %.1f %.1f %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.status + e.connect + e.read + e.write + e.timeout))
end
"#;

fn scripts(dir: &Path, codes: &[String]) -> anyhow::Result<(PathBuf, PathBuf)> {
    let list = dir.join("codes.txt");
    std::fs::write(&list, codes.join("\n") + "\n")?;
    let scan = dir.join("scan.lua");
    std::fs::write(
        &scan,
        format!(
            r#"
local codes = {{}}
for line in io.lines("{}") do codes[#codes + 1] = line end
local n = 0
setup = function(thread) n = n + 1; thread:set("seed", n) end
init = function() math.randomseed(seed * 7919 + os.time()) end
request = function() return wrk.format("GET", "/t/" .. codes[math.random(#codes)]) end
{DONE}"#,
            list.display()
        ),
    )?;
    let trivial = dir.join("healthz.lua");
    std::fs::write(
        &trivial,
        format!("request = function() return wrk.format(\"GET\", \"/healthz\") end\n{DONE}"),
    )?;
    Ok((scan, trivial))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let a = args();
    eprintln!("preparing {} batches…", a.batches);
    let (codes, prep_s) = prepare(&a).await?;
    let scratch = tempfile::tempdir()?;
    let (scan_lua, trivial_lua) = scripts(scratch.path(), &codes)?;
    let mut modes = vec![("in-process cache", None)];
    if let Some(url) = a.redis.as_deref() {
        modes.push(("Redis", Some(url)));
    }
    println!("## Scan page benchmark");
    println!();
    println!(
        "{} batches (5 events each) prepared in {prep_s:.1} s; wrk -t{} -c{} -d{}s per row, \
         random codes over all {}; both rows of a mode hit the same server.",
        codes.len(),
        a.threads,
        a.connections,
        a.seconds,
        codes.len()
    );
    println!();
    println!(
        "| cache | path | requests | req/s | p50 ms | p99 ms | max ms | errors | scan ÷ trivial |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut notes = Vec::new();
    for (name, redis) in modes {
        let server = start(&a, redis).await?;
        let warm_s = warm(&server.base, &codes).await?;
        notes.push(format!(
            "{name}: first view of all {} pages (uncached, one client) took {warm_s:.1} s \
             ({:.2} ms each)",
            codes.len(),
            warm_s * 1000.0 / codes.len() as f64
        ));
        notes.push(format!(
            "{name}: {}",
            check_cacheable(&server.base, &codes[0]).await?
        ));
        let trivial = wrk(&a, &server.base, &trivial_lua)?;
        let scan = wrk(&a, &server.base, &scan_lua)?;
        for (path, l) in [("GET /healthz", &trivial), ("GET /t/{code}", &scan)] {
            println!(
                "| {name} | {path} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {} |",
                l.requests,
                l.rps,
                l.p50_ms,
                l.p99_ms,
                l.max_ms,
                l.bad,
                if std::ptr::eq(l, &scan) {
                    format!("{:.0} %", 100.0 * scan.rps / trivial.rps)
                } else {
                    String::new()
                }
            );
        }
        drop(server);
    }
    println!();
    for n in notes {
        println!("- {n}");
    }
    Ok(())
}
