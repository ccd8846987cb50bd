//! Statistics benchmark (issue #7): how long each query of the officials' dashboard takes on a
//! large order history, measured one request at a time against a running `farmgate serve`,
//! and what exporting a year by day as XLSX and CSV costs (time, bytes, the server's peak
//! memory). Run it with `tests/load/stats.sh`, which builds in release mode, generates the
//! history (`farmgate demo-history`), rebuilds the rollups and starts the server on SQLite and
//! on PostgreSQL.
//!
//! ```text
//! stats-bench --url http://127.0.0.1:18080 --pid 12345 --warmup 5 --requests 50
//! ```
//!
//! Logs in as the demo county official (13900000003), takes a township and a category from
//! `/stats/dimensions`, then for every query: `--warmup` requests, then `--requests` timed
//! ones in a row; prints p50, p95 and max per query, response sizes, and the exports.

#[path = "common.rs"]
#[expect(
    dead_code,
    reason = "each benchmark uses part of what the benchmarks share"
)]
mod common;

use chrono::{Duration as Days, NaiveDate, Utc};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

struct Args {
    url: String,
    pid: Option<u32>,
    login: String,
    password: String,
    warmup: usize,
    requests: usize,
    /// The last day of every period (default: today in Beijing).
    to: Option<NaiveDate>,
}

fn args() -> Args {
    let mut a = Args {
        url: "http://127.0.0.1:8080".to_owned(),
        pid: None,
        login: "13900000003".to_owned(),
        password: "farmgate123".to_owned(),
        warmup: 5,
        requests: 50,
        to: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--url" => a.url = val().trim_end_matches('/').to_owned(),
            "--pid" => a.pid = val().parse().ok(),
            "--login" => a.login = val(),
            "--password" => a.password = val(),
            "--warmup" => a.warmup = val().parse().unwrap_or(a.warmup),
            "--requests" => a.requests = val().parse().unwrap_or(a.requests).max(1),
            "--to" => a.to = NaiveDate::parse_from_str(&val(), "%Y-%m-%d").ok(),
            other => eprintln!("ignoring unknown argument {other}"),
        }
    }
    a
}

/// A field of /proc/PID/status in kB (VmHWM: peak resident memory; VmRSS: resident now).
fn proc_kb(pid: Option<u32>, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    text.lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn mb(kb: Option<u64>) -> String {
    kb.map_or_else(
        || "-".to_owned(),
        |k| format!("{:.1} MB", k as f64 / 1024.0),
    )
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    /// One GET: status, body bytes and the time to the last byte.
    async fn get(&self, path: &str) -> anyhow::Result<(u16, bytes::Bytes, Duration)> {
        let t = Instant::now();
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?;
        let status = r.status().as_u16();
        let body = r.bytes().await?;
        Ok((status, body, t.elapsed()))
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()?;
    let login = http
        .post(format!("{}/api/v1/auth/login", a.url))
        .json(&json!({"login": a.login, "password": a.password}))
        .send()
        .await?;
    let status = login.status();
    let body: Value = login.json().await?;
    let token = body["session"]["token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("login failed ({status}): {body}"))?
        .to_owned();
    let c = Client {
        http,
        base: a.url.clone(),
        token,
    };

    let to =
        a.to.unwrap_or_else(|| (Utc::now() + Days::hours(8)).date_naive());
    let year = to - Days::days(365); // 366 days, the longest by=day period
    let two = to - Days::days(729); // 730 days
    let (status, dims, took) = c.get("/api/v1/stats/dimensions").await?;
    if status != 200 {
        anyhow::bail!(
            "GET /api/v1/stats/dimensions: {status} {}",
            String::from_utf8_lossy(&dims)
        );
    }
    eprintln!("dimensions in {:.1} ms", took.as_secs_f64() * 1e3);
    let dims: Value = serde_json::from_slice(&dims)?;
    let township = dims["townships"][0]["key"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let category = dims["categories"][0]["key"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };

    let s = "/api/v1/stats";
    let queries: Vec<(String, String)> = vec![
        (
            "sales by day, 366 d".into(),
            format!("{s}/sales?from={year}&to={to}&by=day"),
        ),
        (
            "sales by week, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=week"),
        ),
        (
            "sales by month, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=month"),
        ),
        (
            "by township, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=township"),
        ),
        (
            "by village, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=village"),
        ),
        (
            "by category, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=category"),
        ),
        (
            "by seller_kind, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=seller_kind"),
        ),
        (
            "by buyer_kind, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=buyer_kind"),
        ),
        (
            "by dest_city, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=dest_city"),
        ),
        (
            "top 10 sellers, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=seller&limit=10"),
        ),
        (
            "top 10 products, 730 d".into(),
            format!("{s}/sales?from={two}&to={to}&by=product&limit=10"),
        ),
        (
            "one township by day, 366 d".into(),
            format!(
                "{s}/sales?from={year}&to={to}&by=day&township={}",
                enc(&township)
            ),
        ),
        (
            "prices, all categories, 730 d".into(),
            format!("{s}/prices?from={two}&to={to}"),
        ),
        (
            "prices, one category by week, 730 d".into(),
            format!(
                "{s}/prices?from={two}&to={to}&by=week&category={}",
                enc(&category)
            ),
        ),
        (
            "trace by day, 366 d".into(),
            format!("{s}/trace?from={year}&to={to}&by=day"),
        ),
        (
            "onboarding by month, 730 d".into(),
            format!("{s}/onboarding?from={two}&to={to}&by=month"),
        ),
        ("dimensions".into(), format!("{s}/dimensions")),
        (
            "aftersales, 366 d".into(),
            format!("{s}/aftersales?from={year}&to={to}"),
        ),
    ];

    println!(
        "\n{} warm-up + {} timed requests per query, one at a time; township {township}, category {category}; periods end {to}\n",
        a.warmup, a.requests
    );
    println!("| query | p50 ms | p95 ms | max ms | bytes | status |");
    println!("|---|---:|---:|---:|---:|---|");
    let hwm_start = proc_kb(a.pid, "VmHWM:");
    let mut slow: Vec<(f64, String)> = Vec::new();
    for (name, path) in &queries {
        let mut times = Vec::with_capacity(a.requests);
        let mut last = (0u16, 0usize);
        let mut failure = None;
        for i in 0..a.warmup + a.requests {
            let (status, body, took) = c.get(path).await?;
            if status != 200 && failure.is_none() {
                failure = Some(
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(300)
                        .collect::<String>(),
                );
            }
            last = (status, body.len());
            if i >= a.warmup {
                times.push(took.as_secs_f64() * 1e3);
            }
        }
        times.sort_by(f64::total_cmp);
        let (p50, p95, max) = (
            common::percentile(&times, 0.50),
            common::percentile(&times, 0.95),
            times.last().copied().unwrap_or(0.0),
        );
        println!(
            "| {name} | {p50:.1} | {p95:.1} | {max:.1} | {} | {} |",
            last.1, last.0
        );
        if let Some(f) = failure {
            eprintln!("  {path}: {f}");
        }
        slow.push((p50, path.clone()));
    }
    let hwm_queries = proc_kb(a.pid, "VmHWM:");

    println!(
        "\n| export (sales by day, 366 d) | seconds | bytes | status | VmHWM before | VmHWM after | VmRSS after |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|");
    for format in ["xlsx", "csv"] {
        let path = format!("{s}/sales?from={year}&to={to}&by=day&format={format}");
        let before = proc_kb(a.pid, "VmHWM:");
        let (status, body, took) = c.get(&path).await?;
        let after = proc_kb(a.pid, "VmHWM:");
        println!(
            "| {format} | {:.3} | {} | {status} | {} | {} | {} |",
            took.as_secs_f64(),
            body.len(),
            mb(before),
            mb(after),
            mb(proc_kb(a.pid, "VmRSS:"))
        );
    }
    // The heaviest export there is: a year by day for one township, and two years by product.
    for (name, path) in [
        (
            "by product, 730 d, xlsx",
            format!("{s}/sales?from={two}&to={to}&by=product&limit=100&format=xlsx"),
        ),
        (
            "prices, all categories, 730 d, xlsx",
            format!("{s}/prices?from={two}&to={to}&format=xlsx"),
        ),
    ] {
        let before = proc_kb(a.pid, "VmHWM:");
        let (status, body, took) = c.get(&path).await?;
        let after = proc_kb(a.pid, "VmHWM:");
        println!(
            "| {name} | {:.3} | {} | {status} | {} | {} | {} |",
            took.as_secs_f64(),
            body.len(),
            mb(before),
            mb(after),
            mb(proc_kb(a.pid, "VmRSS:"))
        );
    }
    println!(
        "\nserver peak memory (VmHWM): {} before the queries, {} after them, {} at the end",
        mb(hwm_start),
        mb(hwm_queries),
        mb(proc_kb(a.pid, "VmHWM:"))
    );
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("\nslowest (p50):");
    for (ms, path) in slow.iter().take(5) {
        println!("  {ms:8.1} ms  GET {path}");
    }
    Ok(())
}
