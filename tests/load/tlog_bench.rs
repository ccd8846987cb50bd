//! Transparency-log benchmark (#17): trace events appended through the real record path (each
//! event and its log leaf in one transaction), checkpoint signing with two witnesses cosigning
//! over HTTP, then `wrk` (a second process) against the real `farmgate` binary: the scan page,
//! the public JSON and the inclusion proof beside the trivial `/healthz` of the same server,
//! and tile serving; finally `verify --remote` of one code over the whole log. Run it with
//! `tests/load/tlog.sh` (release build; it installs `wrk` when missing).
//!
//! ```text
//! tlog-bench --farmgate target/release/farmgate --batches 100000 --seconds 20
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
use farmgate_trace::tlog::{NamedKey, PublicKey, TILE_WIDTH, TilePath};
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
    /// Events between two timed checkpoints while preparing.
    checkpoint_every: usize,
    /// Set in the child process that prepares the data (see [`prepared_in_a_child`]).
    prepare_to: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        farmgate: PathBuf::from("target/release/farmgate"),
        data_dir: std::env::temp_dir().join("farmgate-tlog-bench"),
        batches: 100_000,
        seconds: 20,
        threads: 2,
        connections: 32,
        checkpoint_every: 5_000,
        prepare_to: None,
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
            "--checkpoint-every" => {
                a.checkpoint_every = val().parse().unwrap_or(a.checkpoint_every);
            }
            "--prepare-to" => a.prepare_to = Some(PathBuf::from(val())),
            other => eprintln!("ignoring unknown argument {other}"),
        }
    }
    a
}

/// A witness of the log on a random loopback port: its URL and cosignature key.
async fn witness(name: &str, log: &NamedKey, dir: &Path) -> anyhow::Result<(String, String)> {
    use farmgate_server::witness::{Witness, router};
    let key = NamedKey::generate(name)?;
    let vkey = key.cosignature_vkey();
    let w = Witness::new(
        key,
        vec![PublicKey::parse(&log.note_vkey())?],
        dir.join(name),
    )?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router(std::sync::Arc::new(w))).await });
    Ok((url, vkey))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Prepared {
    codes: Vec<String>,
    events: usize,
    append_s: f64,
    /// Checkpoint latencies (ms), each signed by the log and cosigned by both witnesses.
    checkpoints_ms: Vec<f64>,
    size: u64,
}

/// The demo data, then `n` batches of five events each over the demo sellers' listings (the
/// real record path: every event appends its leaf in its transaction), a checkpoint every
/// `checkpoint_every` events, timed, with two witnesses and quorum two.
async fn prepare(a: &Args) -> anyhow::Result<Prepared> {
    if a.data_dir.exists() {
        std::fs::remove_dir_all(&a.data_dir)?;
    }
    std::fs::create_dir_all(&a.data_dir)?;
    let mut settings = Settings {
        data_dir: a.data_dir.clone(),
        log: "warn".to_owned(),
        // The demo's orders are paid through the sandbox gateway, as in `serve --demo`.
        payment_sandbox: true,
        ..Settings::default()
    };
    // The log's key where the server looks for it, made first so the witnesses know it.
    let log = farmgate_server::log_key::write_new(
        &a.data_dir.join("trace-log.key"),
        &farmgate_server::log_key::origin(&settings),
    )?;
    let wdir = a.data_dir.join("witnesses");
    let (u1, k1) = witness("witness.scjgj.example", &log, &wdir).await?;
    let (u2, k2) = witness("witness.coop-federation.example", &log, &wdir).await?;
    settings.trace_witnesses = format!("{u1} {k1}; {u2} {k2}");
    settings.trace_witness_quorum = 2;
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
    trace.checkpoint_log().await?;
    let now = trace.infra().clock.now();
    let today = shanghai_day(now);
    let mut codes = Vec::with_capacity(a.batches);
    let mut events = 0usize;
    let mut append_s = 0.0;
    let mut checkpoints_ms = Vec::new();
    let mut since_checkpoint = 0usize;
    for i in 0..a.batches {
        let l = &listings[i % listings.len()];
        let owner = seller_actor(l.created_by, l.seller_org_id, OrgKind::Cooperative);
        let harvested = (i % 20) as i64 + 1;
        let started = Instant::now();
        let record = trace
            .create_batch(
                &owner,
                l.id,
                NewBatchRequest {
                    lot: Some(format!("TLOG-{i:06}")),
                    started_on: today - Days::days(harvested + 90),
                    harvest_date: today - Days::days(harvested),
                    quantity: 500,
                    quantity_unit: "jin".to_owned(),
                    plot: PlotInput {
                        village: "茶坑村".to_owned(),
                        name: format!("{}号地块", i % 40 + 1),
                        lat: None,
                        lng: None,
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
        append_s += started.elapsed().as_secs_f64();
        events += 5;
        since_checkpoint += 5;
        codes.push(record.batch.code.clone());
        if since_checkpoint >= a.checkpoint_every || i + 1 == a.batches {
            let t = Instant::now();
            let signed = trace.checkpoint_log().await?;
            checkpoints_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(
                signed.is_some_and(|c| c.published),
                "the witnesses did not cosign a checkpoint"
            );
            since_checkpoint = 0;
        }
        if (i + 1) % 5000 == 0 {
            eprintln!("  {} batches", i + 1);
        }
    }
    let size = trace.latest_checkpoint().await?.map_or(0, |c| c.size);
    Ok(Prepared {
        codes,
        events,
        append_s,
        checkpoints_ms,
        size,
    })
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

async fn start(a: &Args) -> anyhow::Result<Server> {
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

struct Load {
    requests: u64,
    rps: f64,
    mib_s: f64,
    p50_ms: f64,
    p99_ms: f64,
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
    let secs = f[1] / 1e6;
    Ok(Load {
        requests: f[0] as u64,
        rps: f[0] / secs,
        mib_s: f[5] / secs / 1_048_576.0,
        p50_ms: f[2] / 1000.0,
        p99_ms: f[3] / 1000.0,
        bad: f[4] as u64,
    })
}

const DONE: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FGSTAT %d %d %.1f %.1f %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout, summary.bytes))
end
"#;

/// A wrk script requesting `prefix .. <a random line of the list> .. suffix`.
fn script(
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

impl Prepared {
    fn to_json(&self) -> serde_json::Value {
        json!({"codes": self.codes, "events": self.events, "append_s": self.append_s,
            "checkpoints_ms": self.checkpoints_ms, "size": self.size})
    }

    fn from_json(v: &serde_json::Value) -> anyhow::Result<Self> {
        let field = |name: &str| {
            v.get(name)
                .ok_or_else(|| anyhow::anyhow!("prepared data without {name}"))
        };
        Ok(Prepared {
            codes: serde_json::from_value(field("codes")?.clone())?,
            events: serde_json::from_value(field("events")?.clone())?,
            append_s: serde_json::from_value(field("append_s")?.clone())?,
            checkpoints_ms: serde_json::from_value(field("checkpoints_ms")?.clone())?,
            size: serde_json::from_value(field("size")?.clone())?,
        })
    }
}

/// Prepares the data in a child process of this binary and reads what it measured. The
/// in-process marketplace keeps the embedded search index's writer lock for as long as the
/// process lives, and the `farmgate serve` started next needs that lock: a child's exit
/// releases it (and every other handle) for certain.
fn prepared_in_a_child(a: &Args) -> anyhow::Result<Prepared> {
    let out = tempfile::NamedTempFile::new()?;
    let status = Command::new(std::env::current_exe()?)
        .args(std::env::args().skip(1))
        .arg("--prepare-to")
        .arg(out.path())
        .status()?;
    anyhow::ensure!(status.success(), "preparing the data failed: {status}");
    let text = std::fs::read_to_string(out.path())?;
    let prepared = Prepared::from_json(&serde_json::from_str(&text)?)?;
    anyhow::ensure!(
        prepared.codes.len() == a.batches,
        "prepared {} batches, not {}",
        prepared.codes.len(),
        a.batches
    );
    Ok(prepared)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let a = args();
    if let Some(to) = &a.prepare_to {
        eprintln!("preparing {} batches…", a.batches);
        let p = prepare(&a).await?;
        std::fs::write(to, serde_json::to_vec(&p.to_json())?)?;
        // Exit at once: the marketplace built in this process never shuts down by itself.
        std::process::exit(0);
    }
    let p = prepared_in_a_child(&a)?;
    let scratch = tempfile::tempdir()?;
    let dir = scratch.path();
    let full_tiles = p.size / TILE_WIDTH;
    anyhow::ensure!(
        full_tiles > 0,
        "fewer than 256 leaves: nothing to serve as full tiles"
    );
    let hash_tiles: Vec<String> = (0..full_tiles)
        .map(|n| {
            TilePath::Hashes {
                level: 0,
                index: n,
                width: TILE_WIDTH,
            }
            .path()
        })
        .collect();
    let entry_tiles: Vec<String> = (0..full_tiles)
        .map(|n| {
            TilePath::Entries {
                index: n,
                width: TILE_WIDTH,
            }
            .path()
        })
        .collect();
    let rows = [
        (
            "GET /healthz",
            script(dir, "healthz", &["".to_owned()], "/healthz", "")?,
        ),
        ("GET /t/{code}", script(dir, "scan", &p.codes, "/t/", "")?),
        (
            "GET /api/v1/trace/{code}",
            script(dir, "json", &p.codes, "/api/v1/trace/", "")?,
        ),
        (
            "GET /api/v1/trace/{code}/verify",
            script(dir, "verify", &p.codes, "/api/v1/trace/", "/verify")?,
        ),
        (
            "GET /api/v1/trace/{code}/inclusion",
            script(dir, "inclusion", &p.codes, "/api/v1/trace/", "/inclusion")?,
        ),
        (
            "GET /tlog/tile/0/… (full hash tile)",
            script(dir, "hashes", &hash_tiles, "/tlog/", "")?,
        ),
        (
            "GET /tlog/tile/entries/… (full bundle)",
            script(dir, "entries", &entry_tiles, "/tlog/", "")?,
        ),
        (
            "GET /tlog/checkpoint",
            script(dir, "checkpoint", &["".to_owned()], "/tlog/checkpoint", "")?,
        ),
    ];
    let server = start(&a).await?;

    println!("## Transparency log benchmark");
    println!();
    let mut cp = p.checkpoints_ms.clone();
    cp.sort_by(f64::total_cmp);
    println!(
        "- appends: {} batches × 5 events = {} events through the record path in {:.1} s: **{:.0} events/s** \
         (one writer, SQLite; each event's leaf and stored hashes in its transaction)",
        p.codes.len(),
        p.events,
        p.append_s,
        p.events as f64 / p.append_s.max(1e-9)
    );
    println!(
        "- checkpoints: {} signed and cosigned by 2 witnesses over HTTP (quorum 2), every {} events: \
         p50 {:.1} ms, max {:.1} ms; final tree {} leaves",
        cp.len(),
        a.checkpoint_every,
        percentile(&cp, 0.5),
        percentile(&cp, 1.0),
        p.size
    );
    println!(
        "- wrk -t{} -c{} -d{}s per row, random codes over all {} batches, random full tiles over {}; one server",
        a.threads,
        a.connections,
        a.seconds,
        p.codes.len(),
        full_tiles
    );
    println!();
    println!("| path | requests | req/s | MiB/s | p50 ms | p99 ms | errors | ÷ /healthz |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut trivial = None;
    for (name, lua) in &rows {
        let l = wrk(&a, &server.base, lua)?;
        let base_rps = *trivial.get_or_insert(l.rps);
        println!(
            "| {name} | {} | {:.0} | {:.1} | {:.2} | {:.2} | {} | {:.0} % |",
            l.requests,
            l.rps,
            l.mib_s,
            l.p50_ms,
            l.p99_ms,
            l.bad,
            100.0 * l.rps / base_rps
        );
    }
    // The independent verifier over the whole log: every entry bundle read and hashed.
    let options = farmgate_server::remote::Options {
        url: server.base.clone(),
        log_key: Some(
            farmgate_server::log_key::read(&a.data_dir.join("trace-log.key"))?.note_vkey(),
        ),
        codes: vec![p.codes[p.codes.len() / 2].clone()],
        ..Default::default()
    };
    let t = Instant::now();
    let report = farmgate_server::remote::run(&options).await?;
    anyhow::ensure!(report.ok, "verify --remote failed: {:?}", report.failures());
    println!();
    println!(
        "- `verify --remote` of one code over the whole log ({} leaves, {} entry bundles read and hashed): {:.2} s",
        p.size,
        p.size.div_ceil(TILE_WIDTH),
        t.elapsed().as_secs_f64()
    );
    drop(server);
    Ok(())
}
