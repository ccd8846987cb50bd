//! What `verify --remote` found, for people (`print`) and programs (`--json`).

use farmgate_trace::chain::display_code;
use serde::Serialize;

/// One named check and what it found.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// `log_signature`, `cosignatures`, `consistency`, `entries`, `found`, `chain_links`,
    /// `log_records`, `inclusion`, `attachments`.
    pub name: &'static str,
    pub ok: bool,
    /// The record (seq) it is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    pub detail: String,
}

impl Check {
    pub fn pass(name: &'static str, detail: impl Into<String>) -> Self {
        Check {
            name,
            ok: true,
            seq: None,
            detail: detail.into(),
        }
    }

    pub fn fail(name: &'static str, detail: impl Into<String>) -> Self {
        Check {
            name,
            ok: false,
            seq: None,
            detail: detail.into(),
        }
    }

    pub fn at(mut self, seq: i64) -> Self {
        self.seq = Some(seq);
        self
    }
}

/// A witness's cosignature that verified under a key given.
#[derive(Clone, Debug, Serialize)]
pub struct Cosigner {
    pub name: String,
    /// When the witness cosigned (from its cosignature), RFC 3339 UTC.
    pub at: String,
}

/// The checkpoint verified against.
#[derive(Clone, Debug, Serialize)]
pub struct CheckpointReport {
    pub origin: String,
    pub size: u64,
    /// The tree's root, lower-case hex.
    pub root: String,
    /// Whether the log's signature verified under `--log-key` (`None`: no log key given).
    pub log_signed: Option<bool>,
    pub cosigners: Vec<Cosigner>,
    pub quorum: usize,
}

/// One batch and its checks.
#[derive(Clone, Debug, Serialize)]
pub struct BatchReport {
    /// The canonical code (16 characters).
    pub code: String,
    pub ok: bool,
    /// Records the platform shows.
    pub records: usize,
    /// Records the log holds for this code within the checkpoint.
    pub logged: usize,
    /// Records shown that the checkpoint does not cover yet (recorded after it was signed).
    pub pending: usize,
    pub checks: Vec<Check>,
}

impl BatchReport {
    pub fn unverifiable(code: &str) -> Self {
        BatchReport {
            code: code.to_owned(),
            ok: false,
            records: 0,
            logged: 0,
            pending: 0,
            checks: vec![Check::fail(
                "log_records",
                "not verified: there is no trustworthy checkpoint to verify it against (see the log's checks)",
            )],
        }
    }
}

/// Everything a run found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub url: String,
    /// Whether every check passed.
    pub ok: bool,
    pub checkpoint: Option<CheckpointReport>,
    /// The log's checks: signature, cosignatures, consistency with `--state`, the entries.
    pub log: Vec<Check>,
    pub batches: Vec<BatchReport>,
    /// The state file written (the checkpoint remembered for the next run).
    pub state_saved: Option<String>,
}

impl Report {
    pub fn new(url: &str) -> Self {
        Report {
            url: url.to_owned(),
            ok: false,
            checkpoint: None,
            log: Vec::new(),
            batches: Vec::new(),
            state_saved: None,
        }
    }

    /// Whether the log's own checks passed (what `--state` may remember).
    pub fn log_ok(&self) -> bool {
        self.checkpoint.is_some() && self.log.iter().all(|c| c.ok)
    }

    pub(crate) fn finish(&mut self) {
        for b in &mut self.batches {
            b.ok = b.checks.iter().all(|c| c.ok);
        }
        self.ok = self.log_ok() && self.batches.iter().all(|b| b.ok);
    }

    /// Every failed check, as `<where>: <check>: <detail>` lines (for messages and tests).
    pub fn failures(&self) -> Vec<String> {
        let log = self
            .log
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("log: {}: {}", c.name, c.detail));
        let batches = self.batches.iter().flat_map(|b| {
            b.checks
                .iter()
                .filter(|c| !c.ok)
                .map(move |c| format!("{}: {}: {}", display_code(&b.code), c.name, c.detail))
        });
        log.chain(batches).collect()
    }

    /// The human report.
    #[expect(clippy::print_stdout, reason = "a command-line report")]
    pub fn print(&self) {
        let line = |c: &Check| {
            let status = if c.ok { "ok" } else { "FAILED" };
            println!("  {status:<7} {:<14} {}", c.name, c.detail);
        };
        println!("{}", self.url);
        match &self.checkpoint {
            Some(cp) => println!(
                "log {}: checkpoint of {} records, root {}",
                cp.origin, cp.size, cp.root
            ),
            None => println!("log: no checkpoint verified"),
        }
        self.log.iter().for_each(line);
        for b in &self.batches {
            let verdict = if b.ok { "OK" } else { "TAMPERED" };
            println!(
                "{}  {verdict}  {} records shown, {} in the log, {} recorded since the checkpoint",
                display_code(&b.code),
                b.records,
                b.logged,
                b.pending
            );
            b.checks.iter().for_each(line);
        }
        if let Some(path) = &self.state_saved {
            println!("checkpoint remembered in {path}");
        }
        if self.ok {
            println!("OK: everything verified");
        } else {
            println!("NOT VERIFIED:");
            for f in self.failures() {
                println!("  {f}");
            }
        }
    }
}
