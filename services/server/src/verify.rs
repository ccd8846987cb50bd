//! `farmgate verify`: make every check of the verdict — the chain, the stored head and count,
//! every cited file's bytes re-hashed, and the batch against the transparency log ("log
//! inclusion", CHAIN.md §11) — of one or every batch, and (optionally) recompute the digest
//! log, and say plainly what does not verify.

use farmgate_trace::Trace;
use farmgate_trace::chain::display_code;

/// Prints a line per batch (and per digest) and returns whether everything verified.
#[expect(clippy::print_stdout, reason = "a command-line report")]
pub async fn run(trace: &Trace, code: Option<&str>, digests: bool) -> anyhow::Result<bool> {
    let mut all_ok = true;
    let codes: Vec<String> = match code {
        Some(c) => vec![c.to_owned()],
        None => trace.all_batch_codes().await?,
    };
    let mut checked = 0;
    for c in &codes {
        // The whole verdict: the chain, the stored head and count, every cited file re-hashed.
        let Some(mut record) = trace.verify_code(c).await? else {
            // In the witnessed log but gone from the database: tampering.
            if let Some(normal) = farmgate_trace::chain::parse_code(c)
                && trace.logged_but_missing(&normal).await?
            {
                let check = trace.check_log_inclusion(&normal, &[]).await?;
                println!("{}  TAMPERED  {}", display_code(&normal), check.message_en);
            } else {
                println!("{c}  NOT FOUND (is the code typed right? the last character is a check)");
            }
            all_ok = false;
            continue;
        };
        checked += 1;
        let log = trace
            .check_log_inclusion(&record.batch.code, &record.log_view())
            .await?;
        record.set_log_check(log.clone());
        let shown = display_code(&record.batch.code);
        let ok = record.verdict.ok();
        if ok && code.is_some() {
            let head = record.verification.as_deref().unwrap_or_default();
            println!("{shown}  OK  {} records, head {head}", record.events.len());
        } else if !ok {
            all_ok = false;
            let reason = record
                .verdict
                .first_failure()
                .map(|f| f.en.clone())
                .unwrap_or_default();
            println!("{shown}  BROKEN  {reason}");
        }
        if !ok || code.is_some() {
            for check in &record.verdict.checks {
                let status = if check.ok { "ok" } else { "FAILED" };
                println!("  {status:<7} {:<13} {}", check.name.as_str(), check.en);
            }
            if let (Some(size), Some(at)) = (log.checkpoint_size, log.checkpoint_signed_at) {
                println!(
                    "  log {}: checkpoint of {size} leaves signed {} by {}",
                    log.status,
                    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    log.checkpoint_signers.join(", ")
                );
            }
        }
    }
    if code.is_none() {
        println!(
            "{checked} batches checked; {}",
            if all_ok {
                "all verify"
            } else {
                "SOME DO NOT VERIFY"
            }
        );
    }
    if digests {
        let checks = trace.verify_digests().await?;
        for d in &checks {
            let status = if d.root_matches && d.log_intact {
                "OK"
            } else {
                "MISMATCH"
            };
            println!(
                "digest #{} {}  {status}  published {}  recomputed {}{}",
                d.seq,
                d.day,
                d.published_root,
                d.recomputed_root,
                if d.log_intact {
                    ""
                } else {
                    "  (log entry does not chain)"
                }
            );
            all_ok &= d.root_matches && d.log_intact;
        }
        println!("{} digests checked", checks.len());
    }
    Ok(all_ok)
}
