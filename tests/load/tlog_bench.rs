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

#[path = "common.rs"]
#[expect(
    dead_code,
    reason = "each benchmark uses part of what the benchmarks share"
)]
mod common;

use common::{list_script, percentile, wrk};
use farmgate_server::settings::Settings;
use farmgate_trace::tlog::{NamedKey, PublicKey, TILE_WIDTH, TilePath};
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
    /// Events between two timed checkpoints while preparing.
    checkpoint_every: usize,
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
            // The child that prepares the data (`common::prepared_in_a_child`).
            "--prepare-to" => drop(val()),
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

#[derive(Serialize, Deserialize)]
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
    common::fresh_dir(&a.data_dir)?;
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
    let (app, listings) = common::demo_marketplace(&settings).await?;
    let trace = &app.state.trace;
    trace.checkpoint_log().await?;
    let now = trace.infra().clock.now();
    let mut codes = Vec::with_capacity(a.batches);
    let mut events = 0usize;
    let mut append_s = 0.0;
    let mut checkpoints_ms = Vec::new();
    let mut since_checkpoint = 0usize;
    for i in 0..a.batches {
        let started = Instant::now();
        codes.push(common::traced_batch(trace, &listings, i, "TLOG", now).await?);
        append_s += started.elapsed().as_secs_f64();
        events += 5;
        since_checkpoint += 5;
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

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let a = args();
    if let Some(to) = common::prepare_to() {
        eprintln!("preparing {} batches…", a.batches);
        return common::hand_back(&to, &prepare(&a).await?);
    }
    let p: Prepared = common::prepared_in_a_child()?;
    anyhow::ensure!(
        p.codes.len() == a.batches,
        "prepared {} batches, not {}",
        p.codes.len(),
        a.batches
    );
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
            list_script(dir, "healthz", &["".to_owned()], "/healthz", "")?,
        ),
        (
            "GET /t/{code}",
            list_script(dir, "scan", &p.codes, "/t/", "")?,
        ),
        (
            "GET /api/v1/trace/{code}",
            list_script(dir, "json", &p.codes, "/api/v1/trace/", "")?,
        ),
        (
            "GET /api/v1/trace/{code}/verify",
            list_script(dir, "verify", &p.codes, "/api/v1/trace/", "/verify")?,
        ),
        (
            "GET /api/v1/trace/{code}/inclusion",
            list_script(dir, "inclusion", &p.codes, "/api/v1/trace/", "/inclusion")?,
        ),
        (
            "GET /tlog/tile/0/… (full hash tile)",
            list_script(dir, "hashes", &hash_tiles, "/tlog/", "")?,
        ),
        (
            "GET /tlog/tile/entries/… (full bundle)",
            list_script(dir, "entries", &entry_tiles, "/tlog/", "")?,
        ),
        (
            "GET /tlog/checkpoint",
            list_script(dir, "checkpoint", &["".to_owned()], "/tlog/checkpoint", "")?,
        ),
    ];
    let server = common::serve(&a.farmgate, &a.data_dir, None, |_| {}).await?;

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
        let l = wrk(a.threads, a.connections, a.seconds, lua, &server.base)?;
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
