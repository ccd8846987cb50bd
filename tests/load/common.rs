//! What the load benchmarks share: the demo marketplace built in process, the standard traced
//! batch, preparing the data in a child process, the real `farmgate serve` on a free port,
//! `wrk` with a script that reports its figures on one line, and percentiles. Each benchmark
//! binary includes it with `#[path = "common.rs"] mod common;` (expecting dead code: each uses part of it).

use chrono::{DateTime, Duration as Days, Utc};
use farmgate_catalog::read::demo::ApprovedListing;
use farmgate_demo::seller_actor;
use farmgate_identity::{OrgKind, PasswordCost};
use farmgate_server::settings::Settings;
use farmgate_server::{App, BuildOptions};
use farmgate_trace::Trace;
use farmgate_trace::domain::{CertificateBasis, EventKind};
use farmgate_trace::service::{
    CertificateInput, Commitments, NewBatchRequest, NewEventRequest, PlotInput, shanghai_day,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// Data, built in process

/// Empties (or makes) a data directory.
pub fn fresh_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// The marketplace of `settings` with the demo data seeded into it (into a
/// [`fresh_dir`]), and its approved listings.
pub async fn demo_marketplace(settings: &Settings) -> anyhow::Result<(App, Vec<ApprovedListing>)> {
    let app = farmgate_server::build(
        settings,
        BuildOptions {
            password_cost: PasswordCost::FAST_FOR_TESTS,
            ..BuildOptions::default()
        },
    )
    .await?;
    farmgate_demo::seed(&app.state.demo_services()).await?;
    let listings = farmgate_catalog::read::demo::approved_listings(&app.state.infra.db).await?;
    anyhow::ensure!(!listings.is_empty(), "the demo has no approved listings");
    Ok((app, listings))
}

/// Batch `i` over the listings, through the real record path: the batch with its plot and
/// certificate, then planting, harvest, a passed inspection and packing (the record a scanned
/// box usually has: five events with the creation). Returns its trace code.
pub async fn traced_batch(
    trace: &Trace,
    listings: &[ApprovedListing],
    i: usize,
    lot: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let l = &listings[i % listings.len()];
    let owner = seller_actor(l.created_by, l.seller_org_id, OrgKind::Cooperative);
    let harvested = (i % 20) as i64 + 1;
    let today = shanghai_day(now);
    let record = trace
        .create_batch(
            &owner,
            l.id,
            NewBatchRequest {
                lot: Some(format!("{lot}-{i:06}")),
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
    for (kind, occurred_at, data) in [
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
    ] {
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
    Ok(record.batch.code.clone())
}

// ---------------------------------------------------------------------------------------------
// Preparing in a child process

/// `--prepare-to FILE` among the arguments: this process is the child that prepares the data.
pub fn prepare_to() -> Option<PathBuf> {
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        if a == "--prepare-to" {
            return it.next().map(PathBuf::from);
        }
    }
    None
}

/// In the child: writes what it prepared for the parent and exits at once (the marketplace
/// built in this process never shuts down by itself).
pub fn hand_back<T: Serialize>(to: &Path, prepared: &T) -> anyhow::Result<()> {
    std::fs::write(to, serde_json::to_vec(prepared)?)?;
    std::process::exit(0)
}

/// Runs this binary again with the same arguments plus `--prepare-to` and reads what the
/// child prepared. The in-process marketplace keeps the embedded search index's writer lock
/// for as long as its process lives, and the `farmgate serve` started next needs that lock: a
/// child's exit releases it (and every other handle) for certain.
pub fn prepared_in_a_child<T: DeserializeOwned>() -> anyhow::Result<T> {
    let out = tempfile::NamedTempFile::new()?;
    let status = Command::new(std::env::current_exe()?)
        .args(std::env::args().skip(1))
        .arg("--prepare-to")
        .arg(out.path())
        .status()?;
    anyhow::ensure!(status.success(), "preparing the data failed: {status}");
    Ok(serde_json::from_slice(&std::fs::read(out.path())?)?)
}

// ---------------------------------------------------------------------------------------------
// The real server

/// A `farmgate serve` child, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    log: Option<PathBuf>,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server wrote to stderr so far, when it went to a file.
    pub fn log_text(&self) -> String {
        self.log
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `farmgate serve` on a free loopback port over `data_dir`, quiet, without Redis
/// unless `configure` sets it, with the public verify allowance lifted (wrk asks from one
/// address), and waits until `/readyz` answers. `log`: where its stderr goes.
pub async fn serve(
    farmgate: &Path,
    data_dir: &Path,
    log: Option<PathBuf>,
    configure: impl FnOnce(&mut Command),
) -> anyhow::Result<Server> {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let mut cmd = Command::new(farmgate);
    cmd.arg("serve")
        .env("FARMGATE_ADDR", format!("127.0.0.1:{port}"))
        .env("FARMGATE_DATA_DIR", data_dir)
        .env("FARMGATE_LOG", "warn")
        .env("FARMGATE_TRACE_VERIFY_PER_ADDRESS_PER_MINUTE", "100000000")
        .env_remove("FARMGATE_REDIS_URL")
        .env_remove("FARMGATE_CONFIG")
        .stdout(Stdio::null());
    if let Some(path) = &log {
        cmd.stderr(std::fs::File::create(path)?);
    }
    configure(&mut cmd);
    let mut server = Server {
        child: cmd.spawn()?,
        base: format!("http://127.0.0.1:{port}"),
        log,
    };
    let http = reqwest::Client::new();
    for _ in 0..600 {
        let ready = http.get(format!("{}/readyz", server.base)).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return Ok(server);
        }
        if let Some(status) = server.child.try_wait()? {
            anyhow::bail!("farmgate serve exited with {status}: {}", server.log_text());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("farmgate did not become ready")
}

// ---------------------------------------------------------------------------------------------
// wrk

/// What one wrk run measured.
pub struct Wrk {
    pub requests: u64,
    pub rps: f64,
    pub mib_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Non-2xx/3xx answers and socket errors.
    pub bad: u64,
}

/// The `done` every script ends with: one `FGSTAT` line (latencies in µs).
pub const DONE: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FGSTAT %d %d %.1f %.1f %.1f %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.status + e.connect + e.read + e.write + e.timeout, summary.bytes))
end
"#;

/// Runs wrk with `script` against `base`.
pub fn wrk(
    threads: usize,
    connections: usize,
    seconds: u64,
    script: &Path,
    base: &str,
) -> anyhow::Result<Wrk> {
    let out = Command::new("wrk")
        .arg(format!("-t{threads}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
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
    anyhow::ensure!(f.len() == 7, "unexpected wrk figures: {line}");
    let secs = (f[1] / 1e6).max(1e-9);
    Ok(Wrk {
        requests: f[0] as u64,
        rps: f[0] / secs,
        p50_ms: f[2] / 1000.0,
        p99_ms: f[3] / 1000.0,
        max_ms: f[4] / 1000.0,
        bad: f[5] as u64,
        mib_s: f[6] / secs / 1_048_576.0,
    })
}

/// A wrk script requesting `GET prefix .. <a random line of lines> .. suffix`, each thread
/// seeded differently.
pub fn list_script(
    dir: &Path,
    name: &str,
    lines: &[String],
    prefix: &str,
    suffix: &str,
) -> anyhow::Result<PathBuf> {
    let list = dir.join(format!("{name}.txt"));
    std::fs::write(&list, lines.join("\n") + "\n")?;
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(
        &path,
        format!(
            r#"
local items = {{}}
for line in io.lines("{}") do items[#items + 1] = line end
local n = 0
setup = function(thread) n = n + 1; thread:set("seed", n) end
init = function() math.randomseed(seed * 7919 + os.time()) end
request = function() return wrk.format("GET", "{prefix}" .. items[math.random(#items)] .. "{suffix}") end
{DONE}"#,
            list.display()
        ),
    )?;
    Ok(path)
}

// ---------------------------------------------------------------------------------------------
// Figures

/// The nearest-rank percentile of sorted values, `p` from 0 to 1.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.5), 2.0);
        assert_eq!(percentile(&v, 0.99), 4.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
