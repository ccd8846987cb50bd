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

#[path = "common.rs"]
#[expect(
    dead_code,
    reason = "each benchmark uses part of what the benchmarks share"
)]
mod common;

use common::{list_script, wrk};
use farmgate_server::settings::Settings;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

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
            // The child that prepares the data (`common::prepared_in_a_child`).
            "--prepare-to" => drop(val()),
            other => eprintln!("ignoring unknown argument {other}"),
        }
    }
    a
}

/// What the child prepared: the trace codes and how long the batches took.
#[derive(Serialize, Deserialize)]
struct Prepared {
    codes: Vec<String>,
    seconds: f64,
}

/// The demo data, then `n` batches over the demo sellers' approved listings, each with a
/// planting, a harvest, a passed inspection and packing (the chain a scanned box usually has).
async fn prepare(a: &Args) -> anyhow::Result<Prepared> {
    common::fresh_dir(&a.data_dir)?;
    let settings = Settings {
        data_dir: a.data_dir.clone(),
        log: "warn".to_owned(),
        ..Settings::default()
    };
    let (app, listings) = common::demo_marketplace(&settings).await?;
    let trace = &app.state.trace;
    let now = trace.infra().clock.now();
    let started = Instant::now();
    let mut codes = Vec::with_capacity(a.batches);
    for i in 0..a.batches {
        codes.push(common::traced_batch(trace, &listings, i, "BENCH", now).await?);
        if (i + 1) % 2000 == 0 {
            eprintln!("  {} batches", i + 1);
        }
    }
    Ok(Prepared {
        codes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The server over the prepared data, with Redis as the cache when given.
async fn start(a: &Args, redis: Option<&str>) -> anyhow::Result<common::Server> {
    common::serve(&a.farmgate, &a.data_dir, None, |cmd| {
        if let Some(url) = redis {
            cmd.env("FARMGATE_REDIS_URL", url);
        }
    })
    .await
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

/// The scan page over random codes, and the trivial `/healthz` beside it.
fn scripts(dir: &Path, codes: &[String]) -> anyhow::Result<(PathBuf, PathBuf)> {
    Ok((
        list_script(dir, "scan", codes, "/t/", "")?,
        list_script(dir, "healthz", &["".to_owned()], "/healthz", "")?,
    ))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let a = args();
    if let Some(to) = common::prepare_to() {
        eprintln!("preparing {} batches…", a.batches);
        return common::hand_back(&to, &prepare(&a).await?);
    }
    let Prepared {
        codes,
        seconds: prep_s,
    } = common::prepared_in_a_child()?;
    anyhow::ensure!(
        codes.len() == a.batches,
        "prepared {} batches, not {}",
        codes.len(),
        a.batches
    );
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
        let trivial = wrk(
            a.threads,
            a.connections,
            a.seconds,
            &trivial_lua,
            &server.base,
        )?;
        let scan = wrk(a.threads, a.connections, a.seconds, &scan_lua, &server.base)?;
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
