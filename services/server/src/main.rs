//! `farmgate`: the county marketplace in one binary.

use anyhow::Context;
use clap::{Parser, Subcommand};
use farmgate_demo as demo;
use farmgate_server::app::refuse_unsafe_production;
use farmgate_server::settings::Settings;
use farmgate_server::{BuildOptions, build, remote, serve, telemetry, verify};
use std::path::PathBuf;
use tokio::sync::watch;

/// 农源直供 Farmgate — a county agricultural marketplace with origin traceability.
///
/// With no settings it runs on embedded defaults (SQLite, local files, in-process cache) under
/// ./data. Settings come from FARMGATE_* environment variables and an optional TOML file; see
/// deploy/farmgate.example.toml.
#[derive(Parser, Debug)]
#[command(name = "farmgate", version, about, long_about)]
struct Cli {
    /// TOML settings file (also FARMGATE_CONFIG). Environment variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create the platform operator (the first one, or another): with --password-stdin the
    /// password is read from standard input; without it a one-time setup link is printed,
    /// valid for setup_link_hours, which whoever holds the phone opens to choose a password.
    ///
    ///   farmgate admin create-operator --phone 13900000001 --name 周建国
    CreateOperator {
        /// The operator's mainland mobile number (they log in with it).
        #[arg(long)]
        phone: String,
        /// The name shown in the audit log and on pages.
        #[arg(long, default_value = "平台运营")]
        name: String,
        /// Read the password from standard input (one line) instead of printing a setup link.
        #[arg(long)]
        password_stdin: bool,
        /// Give the operator role to the account that already has this phone.
        #[arg(long)]
        promote: bool,
    },
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Platform administration from the command line (never over HTTP).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Run the web server (API and pages) and the background worker. Migrates the database
    /// first unless migrate_on_start is false.
    Serve {
        /// Demo mode: create the data directory, migrate, seed the demo county if the database
        /// is empty, and print the address and the demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Back up the embedded deployment while it keeps serving: a consistent SQLite snapshot,
    /// the trace log's signing key and the local object store's files, in one zip with a
    /// manifest (time, version, migrations, each part's size and SHA-256). Written to the
    /// object store under backups/, or to --to DIR. The archive holds personal data and the
    /// signing key: keep it as carefully as the database. PostgreSQL deployments use
    /// pg_dump / pg_basebackup (deploy/README.md, "Backups").
    ///
    ///   farmgate backup --to /mnt/backups --keep 14
    Backup {
        /// Write to (or list) this directory instead of the object store's backups/.
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// Then remove all but the newest N archives there (the new one counts).
        #[arg(long, value_name = "N")]
        keep: Option<usize>,
        /// List the archives instead of making one.
        #[arg(long, conflicts_with = "keep")]
        list: bool,
    },
    /// Restore a backup into the configured data directory (stop the server first). Every
    /// part's hash, the schema (newer: refused; older: migrated after) and SQLite's integrity
    /// check are verified before anything is written; a non-empty data directory is refused
    /// unless --force, which moves it aside (DIR.before-restore-TIME), never deletes it.
    ///
    ///   farmgate restore /mnt/backups/farmgate-backup-20261207T230512.345Z.zip
    Restore {
        /// An archive file, or a name from `farmgate backup --list` (in the object store).
        archive: String,
        /// Restore even though the data directory is not empty (it is moved aside).
        #[arg(long)]
        force: bool,
    },
    /// Apply pending database migrations, then exit. Safe to run repeatedly.
    Migrate,
    /// Deliver the outbox (notifications, deadlines, payment queries, index updates) and run
    /// the scheduled jobs, serving no pages: beside `serve` replicas with run_worker = false.
    /// Needs Meilisearch (the embedded search index lives in the serving process).
    Worker,
    /// Migrate, then seed the demo county (accounts, organisations, listings, orders, and on the
    /// first seed half a year of order history for the statistics) if it is not there yet.
    SeedDemo,
    /// Check trace records: one batch by its code, or every batch — the chain, the stored head
    /// and count, every cited file re-hashed; with --digests, also recompute every published
    /// daily digest. Exits non-zero when any check fails.
    ///
    /// With --remote URL it checks a site from outside, trusting only the keys given: the
    /// checkpoint's log signature and witness cosignatures, consistency with the checkpoint
    /// verified last time (--state), and each code's records against the log's tiles. Exit 0
    /// verified, 1 not verified (tampering), 2 usage or network error.
    ///
    ///   farmgate verify --remote https://nongyuan.example.cn --witness-key 'witness.scjgj.example.gov.cn+1a2b3c4d+BA…' --state county.cp 9ZFB-GPK3-BKXT-RQWU
    Verify {
        /// Trace codes (any spelling: 9ZFB-GPK3-BKXT-RQWU, 9zfbgpk3bkxtrqwu). Without --remote:
        /// none checks every batch.
        codes: Vec<String>,
        /// Also check the published digest log against the records as they are now.
        #[arg(long, conflicts_with = "remote")]
        digests: bool,
        /// Verify the site at this address from outside, over HTTP only.
        #[arg(long, value_name = "URL")]
        remote: Option<String>,
        /// A witness's verifier key (cosignature/v1); repeat for each witness you trust.
        #[arg(long = "witness-key", value_name = "VKEY", requires = "remote")]
        witness_keys: Vec<String>,
        /// How many of the witnesses given must have cosigned the checkpoint (default: all).
        #[arg(long, value_name = "N", requires = "remote")]
        quorum: Option<usize>,
        /// The log's own verifier key (its note key), to require the log's signature too.
        #[arg(long, value_name = "VKEY", requires = "remote")]
        log_key: Option<String>,
        /// A file keeping the last verified checkpoint: the next run requires the log to extend
        /// it (a rewrite or a fork fails).
        #[arg(long, value_name = "FILE", requires = "remote")]
        state: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long, requires = "remote")]
        json: bool,
    },
    /// Run a witness of the trace transparency log (C2SP tlog-witness): it cosigns each new
    /// checkpoint that extends the last one it saw, and refuses any other. Run by someone other
    /// than the platform; see deploy/WITNESS.md.
    ///
    ///   farmgate witness --key-file w.key --state-dir ./witness --log 'nongyuan.example.cn/trace-log+1a2b3c4d+AX…'
    Witness {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        addr: String,
        /// The witness's own key (`farmgate keygen`).
        #[arg(long)]
        key_file: PathBuf,
        /// Where it keeps the latest checkpoint of each log (its own disk).
        #[arg(long)]
        state_dir: PathBuf,
        /// The verifier key of a log it follows (repeat for several).
        #[arg(long = "log", required = true)]
        logs: Vec<String>,
    },
    /// Make an Ed25519 key for the trace log or a witness: writes the private key to --out
    /// (never overwriting one) and prints its public keys.
    Keygen {
        /// The key's name: the log's origin, or the witness's name (e.g. witness.scjgj.example).
        #[arg(long)]
        name: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Publish the trace digest covering everything recorded until now (normally daily, at
    /// 00:00 Beijing time, by the server).
    Digest,
    /// Rebuild the catalogue search index from the database (embedded or Meilisearch). Run it
    /// with the server stopped when the index is embedded (it is a single-process index).
    Reindex,
    /// Recompute the statistics rollups from the orders, refunds and shipments (the same
    /// numbers the live rollups hold); prints what it did and how long it took. Safe while the
    /// server runs: events from before the rebuild are skipped, later ones are added.
    StatsRebuild,
    /// Generate a realistic order history (for benchmarks and the statistics demo): back-dated
    /// orders from new buyers, paid, shipped, received and sometimes refunded, written straight
    /// into the tables in large transactions — a data generator, not the checkout path (no
    /// stock taken, no outbox events; see `farmgate_demo::history`). Needs the demo
    /// county (`farmgate seed-demo`). Prints what it made; run `farmgate stats-rebuild` after.
    ///
    ///   farmgate demo-history --orders 1000000 --days 730
    #[command(hide = true)]
    DemoHistory {
        /// Paid orders to generate.
        #[arg(long)]
        orders: u64,
        /// Days they spread over, ending now.
        #[arg(long)]
        days: u32,
        /// New consumer accounts (default: one per 20 orders, 50 to 500,000).
        #[arg(long)]
        buyers: Option<u32>,
        /// Share of orders from business buyers, in percent.
        #[arg(long, default_value_t = 8)]
        business_pct: u32,
        /// Seed of the random choices (the same seed on the same database gives the same data).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("farmgate: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Command::Verify {
        codes,
        remote: Some(url),
        witness_keys,
        quorum,
        log_key,
        state,
        json,
        ..
    } = cli.command
    {
        let options = remote::Options {
            url,
            witness_keys,
            quorum,
            log_key,
            state,
            codes,
        };
        return runtime.block_on(verify_remote(&options, json));
    }
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("farmgate: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[expect(
    clippy::print_stdout,
    reason = "`farmgate digest`, `backup` and `restore` print what they did"
)]
async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(&settings);
    match cli.command {
        Command::Migrate => {
            settings.migrate_on_start = true;
            farmgate_server::app::build_infra(&settings, &BuildOptions::default()).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Backup { to, keep, list } => {
            let dest = match to {
                Some(dir) => farmgate_server::backup::Destination::Dir(dir),
                None => farmgate_server::backup::Destination::Store,
            };
            if list {
                for found in farmgate_server::backup::list(&settings, &dest).await? {
                    match found.size {
                        Some(size) => println!("{}  {size} bytes", found.location),
                        None => println!("{}", found.location),
                    }
                }
                return Ok(());
            }
            let made = farmgate_server::backup::backup(&settings, &dest, keep).await?;
            println!(
                "backup {} ({} bytes, {} parts, {} migrations, objects: {})",
                made.location,
                made.size,
                made.manifest.parts.len(),
                made.manifest.migrations.len(),
                made.manifest.objects
            );
            for old in made.pruned {
                println!("removed {old} (--keep)");
            }
            Ok(())
        }
        Command::Restore { archive, force } => {
            let done = farmgate_server::backup::restore(&settings, &archive, force).await?;
            println!(
                "restored the backup of {} (farmgate {}, {} parts) into {}",
                done.manifest.created_at.to_rfc3339(),
                done.manifest.farmgate_version,
                done.manifest.parts.len(),
                settings.data_dir.display()
            );
            if let Some(aside) = done.moved_aside {
                println!("the previous contents are in {}", aside.display());
            }
            if !done.migrated.is_empty() {
                println!("migrated: {}", done.migrated.join(", "));
            }
            if let Some(note) = done.key_note {
                println!("{note}");
            }
            if done.manifest.objects == "s3" {
                println!(
                    "objects were in S3 and are not in the archive: the bucket (versioned) still holds them"
                );
            }
            Ok(())
        }
        Command::SeedDemo => {
            refuse_unsafe_production(&settings, true)?;
            settings.migrate_on_start = true;
            let app = build(&settings, BuildOptions::default()).await?;
            report_seed(demo::seed_with_history(&app.state.demo_services()).await?);
            Ok(())
        }
        Command::Verify { codes, digests, .. } => {
            let app = build(&settings, searching_nothing()).await?;
            let mut ok = true;
            if codes.is_empty() {
                ok = verify::run(&app.state.trace, None, digests).await?;
            }
            for (i, code) in codes.iter().enumerate() {
                ok &= verify::run(&app.state.trace, Some(code), digests && i == 0).await?;
            }
            if ok {
                Ok(())
            } else {
                anyhow::bail!("verification failed")
            }
        }
        Command::Witness {
            addr,
            key_file,
            state_dir,
            logs,
        } => {
            let key = farmgate_server::log_key::read(&key_file)?;
            let logs = logs
                .iter()
                .map(|l| {
                    farmgate_trace::tlog::PublicKey::parse(l).with_context(|| format!("--log {l}"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let w = farmgate_server::witness::Witness::new(key, logs, state_dir)?;
            farmgate_server::witness::serve(w, &addr).await
        }
        Command::Keygen { name, out } => {
            let key = farmgate_server::log_key::write_new(&out, &name)?;
            println!("log (note) verifier key:    {}", key.note_vkey());
            println!("witness (cosignature) key:  {}", key.cosignature_vkey());
            Ok(())
        }
        Command::Digest => {
            let app = build(&settings, searching_nothing()).await?;
            let now = chrono::Utc::now();
            let d = app.state.trace.publish_digest(now).await?;
            println!(
                "{} {} {} {} {}",
                d.seq, d.day, d.root, d.batch_count, d.hash
            );
            Ok(())
        }
        Command::Reindex => {
            let app = build(&settings, BuildOptions::default()).await?;
            let started = std::time::Instant::now();
            let n = app.state.catalog.rebuild_index().await?;
            tracing::info!(
                documents = n,
                seconds = started.elapsed().as_secs_f64(),
                "reindexed"
            );
            Ok(())
        }
        Command::StatsRebuild => {
            let app = build(&settings, searching_nothing()).await?;
            let r = app.state.stats.rebuild().await?;
            println!(
                "stats rebuilt: {} orders, {} refunds, {} shipments, {} parcels received; {} rollup rows, {} buyer-day rows, {} price rows; {:.1} s",
                r.orders,
                r.refunds,
                r.shipments,
                r.deliveries,
                r.sales_rows,
                r.buyer_day_rows,
                r.price_rows,
                r.seconds
            );
            Ok(())
        }
        Command::DemoHistory {
            orders,
            days,
            buyers,
            business_pct,
            seed,
        } => {
            refuse_unsafe_production(&settings, true)?;
            settings.migrate_on_start = true;
            let app = build(&settings, BuildOptions::default()).await?;
            let opts = demo::history::HistoryOptions {
                orders,
                days,
                buyers: buyers.unwrap_or_else(|| {
                    u32::try_from((orders / 20).clamp(50, 500_000)).unwrap_or(500_000)
                }),
                business_share_pct: business_pct,
                seed,
                end: app.state.infra.clock.now(),
            };
            let r = demo::history::generate(&app.state.demo_services(), &opts).await?;
            println!(
                "history generated: {} orders, {} lines, {} buyers, {} shipments, {} refunds over {} days; {:.1} s ({:.0} orders/s). Run `farmgate stats-rebuild` to update the statistics.",
                r.orders,
                r.lines,
                r.buyers,
                r.shipments,
                r.refunds,
                days,
                r.seconds,
                r.orders as f64 / r.seconds.max(1e-9)
            );
            Ok(())
        }
        Command::Admin(AdminCommand::CreateOperator {
            phone,
            name,
            password_stdin,
            promote,
        }) => {
            let password = if password_stdin {
                if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                    eprintln!(
                        "Password for the operator (it is shown as you type; pipe it in to avoid that):"
                    );
                }
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password from standard input")?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let app = build(&settings, BuildOptions::default()).await?;
            let made = app
                .state
                .identity
                .create_operator(&name, &phone, password.as_deref(), promote)
                .await
                .map_err(|e| match e {
                    farmgate_identity::IdentityError::PhoneTaken => anyhow::anyhow!(
                        "an account with this phone exists; add --promote to make it the operator"
                    ),
                    farmgate_identity::IdentityError::Invalid(errs) => anyhow::anyhow!(
                        "{}",
                        errs.by_field(farmgate_kernel::error::Lang::En)
                            .into_iter()
                            .map(|(f, m)| format!("{f}: {m}"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    other => anyhow::Error::new(other).context("creating the operator"),
                })?;
            match (&made.setup_token, made.promoted) {
                (_, true) => println!("account {} is now the operator", made.account_id),
                (Some(token), false) => {
                    let base = settings
                        .public_url
                        .clone()
                        .unwrap_or_else(|| format!("http://{}", settings.addr));
                    println!(
                        "operator {} created. Open this link once, within {} hours, to choose the password:\n{}/setup.html#token={token}",
                        made.account_id,
                        settings.setup_link_hours,
                        base.trim_end_matches('/')
                    );
                }
                (None, false) => println!(
                    "operator {} created; log in with the phone and the password",
                    made.account_id
                ),
            }
            Ok(())
        }
        Command::Worker => {
            refuse_unsafe_production(&settings, false)?;
            if settings.meili_url.is_none() {
                anyhow::bail!(
                    "farmgate worker needs meili_url: with the embedded search index, the index \
                     lives in the serving process, so `serve` must deliver the outbox itself \
                     (run_worker = true)"
                );
            }
            let app = build(&settings, BuildOptions::default()).await?;
            let (_keep, shutdown) = watch::channel(false);
            farmgate_server::app::work(app, shutdown).await
        }
        Command::Serve { demo: demo_mode } => {
            refuse_unsafe_production(&settings, demo_mode)?;
            if demo_mode {
                std::fs::create_dir_all(&settings.data_dir)
                    .with_context(|| format!("creating {}", settings.data_dir.display()))?;
                settings.migrate_on_start = true;
                // The demo's buyers pay online through the sandbox gateway (模拟支付).
                settings.payment_sandbox = true;
            }
            let options = BuildOptions {
                // Moved on by `POST /api/v1/demo/clock` (refused in production above).
                clock: if settings.demo_clock {
                    farmgate_kernel::Clock::shiftable()
                } else {
                    farmgate_kernel::Clock::system()
                },
                ..BuildOptions::default()
            };
            let app = build(&settings, options).await?;
            if demo_mode {
                report_seed(demo::seed_with_history(&app.state.demo_services()).await?);
            }
            let listener = tokio::net::TcpListener::bind(&settings.addr)
                .await
                .with_context(|| format!("listening on {}", settings.addr))?;
            let local = listener
                .local_addr()
                .context("reading the listening address")?;
            let url = format!("http://{local}");
            tracing::info!(%url, "listening");
            if demo_mode {
                let code = demo::showcase_code(&app.state.demo_services()).await;
                eprintln!("{}", demo::banner(&url, code.as_deref()));
            }
            let (_keep, shutdown) = watch::channel(false);
            serve(app, listener, shutdown).await
        }
    }
}

/// `farmgate verify --remote`: exit 0 verified, 1 not verified, 2 usage or network error.
#[expect(clippy::print_stdout, reason = "the report is the command's output")]
async fn verify_remote(options: &remote::Options, json: bool) -> std::process::ExitCode {
    match remote::run(options).await {
        Ok(report) => {
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(text) => println!("{text}"),
                    Err(e) => {
                        eprintln!("farmgate verify: {e}");
                        return std::process::ExitCode::from(2);
                    }
                }
            } else {
                report.print();
            }
            std::process::ExitCode::from(if report.ok { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("farmgate verify: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Options of a command that searches nothing and may run beside the server.
fn searching_nothing() -> BuildOptions {
    BuildOptions {
        no_search_index: true,
        ..BuildOptions::default()
    }
}

fn report_seed(outcome: demo::Seeded) {
    match outcome {
        demo::Seeded::Created {
            accounts,
            orgs,
            listings,
            orders,
        } => {
            tracing::info!(accounts, orgs, listings, orders, "demo data seeded");
        }
        demo::Seeded::AlreadyThere => tracing::info!("demo data already present; left as it is"),
    }
}
