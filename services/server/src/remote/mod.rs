//! `farmgate verify --remote URL`: an independent verifier of a Farmgate site that trusts
//! nothing but the keys it is given (CHAIN.md §14).
//!
//! It fetches the latest checkpoint and checks the log's signature (`--log-key`) and a quorum of
//! witness cosignatures (`--witness-key`, C2SP cosignature/v1); with `--state FILE` it requires
//! the new checkpoint to extend the one it verified last (a consistency proof from the tiles;
//! the same size with another root is a fork). For each code it reads every entry bundle of the
//! log — they must hash to the signed root — to find every leaf of that code, fetches the
//! batch's public JSON, checks the chain's links, that every logged record is shown unchanged
//! and none is missing, proves each logged record's inclusion from the hash tiles, and re-hashes
//! every attachment. It never uses the server's JSON proofs.
//!
//! Exit codes: 0 everything verified, 1 something did not (tampering, or nothing to verify
//! against), 2 a usage or network error (nothing could be concluded).

mod batch;
mod client;
mod log;
mod report;

pub use report::{BatchReport, Check, CheckpointReport, Cosigner, Report};

use anyhow::Context;
use client::Remote;
use farmgate_trace::tlog::PublicKey;
use std::path::PathBuf;

/// What `farmgate verify --remote` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The site's address, e.g. `https://nongyuan.example.cn`.
    pub url: String,
    /// Verifier keys of the witnesses (cosignature/v1, `<name>+<id>+<base64>`).
    pub witness_keys: Vec<String>,
    /// How many of those must have cosigned (default: all of them).
    pub quorum: Option<usize>,
    /// The log's own verifier key (Ed25519 note key), if the verifier pins it.
    pub log_key: Option<String>,
    /// Where the last verified checkpoint is kept between runs.
    pub state: Option<PathBuf>,
    /// Trace codes to verify (any spelling).
    pub codes: Vec<String>,
}

/// The keys, parsed and checked for sense.
pub(crate) struct Trust {
    pub log: Option<PublicKey>,
    pub witnesses: Vec<PublicKey>,
    pub quorum: usize,
}

impl Trust {
    fn of(o: &Options) -> anyhow::Result<Self> {
        let log = match &o.log_key {
            Some(k) => {
                let key = PublicKey::parse(k).with_context(|| format!("--log-key {k}"))?;
                if key.is_witness() {
                    anyhow::bail!(
                        "--log-key {k}: this is a witness (cosignature) key; give it with --witness-key"
                    );
                }
                Some(key)
            }
            None => None,
        };
        let mut witnesses = Vec::new();
        for k in &o.witness_keys {
            let key = PublicKey::parse(k).with_context(|| format!("--witness-key {k}"))?;
            if !key.is_witness() {
                anyhow::bail!(
                    "--witness-key {k}: this is a log (note) key, not a witness's cosignature key; give it with --log-key"
                );
            }
            if witnesses.iter().any(|w: &PublicKey| w.name() == key.name()) {
                anyhow::bail!("--witness-key {k}: this witness is given twice");
            }
            witnesses.push(key);
        }
        let quorum = o.quorum.unwrap_or(witnesses.len());
        if quorum > witnesses.len() {
            anyhow::bail!(
                "--quorum {quorum}: only {} witness key(s) given",
                witnesses.len()
            );
        }
        if quorum == 0 && log.is_none() {
            anyhow::bail!(
                "nothing to trust: give the witnesses' keys (--witness-key, with --quorum) or at least the log's key (--log-key)"
            );
        }
        Ok(Trust {
            log,
            witnesses,
            quorum,
        })
    }

    fn all_keys(&self) -> Vec<PublicKey> {
        self.log
            .iter()
            .chain(self.witnesses.iter())
            .cloned()
            .collect()
    }
}

/// Verifies the site: `Ok(report)` whatever it found (see [`Report::ok`]); `Err` for a usage or
/// network error.
pub async fn run(o: &Options) -> anyhow::Result<Report> {
    let trust = Trust::of(o)?;
    let mut codes = Vec::with_capacity(o.codes.len());
    for c in &o.codes {
        let code = farmgate_trace::chain::parse_code(c).with_context(|| {
            format!("{c:?} is not a trace code (16 characters; the last is a check)")
        })?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let remote = Remote::new(&o.url)?;
    let mut report = Report::new(&o.url);
    let Some(verified) = log::check_log(&remote, &trust, o.state.as_deref(), &mut report).await?
    else {
        // No checkpoint to verify against: every batch is unverifiable.
        for code in &codes {
            report.batches.push(BatchReport::unverifiable(code));
        }
        report.finish();
        return Ok(report);
    };
    if !codes.is_empty() {
        let leaves = log::scan_entries(&remote, &verified, &codes, &mut report).await?;
        if let Some(leaves) = leaves {
            for code in &codes {
                let found = leaves.get(code).map(Vec::as_slice).unwrap_or_default();
                report
                    .batches
                    .push(batch::check(&remote, &verified, code, found).await?);
            }
        } else {
            for code in &codes {
                report.batches.push(BatchReport::unverifiable(code));
            }
        }
    }
    report.finish();
    if report.log_ok()
        && let Some(path) = &o.state
    {
        log::save_state(path, &verified.note)?;
        report.state_saved = Some(path.display().to_string());
    }
    Ok(report)
}
