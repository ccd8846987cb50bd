//! Asking the witnesses to cosign a checkpoint (C2SP tlog-witness `add-checkpoint`) before it
//! is published (CHAIN.md §12). A checkpoint is published only with `quorum` valid
//! cosignatures; a refusal is logged loudly and the checkpoint kept, unpublished, with what
//! each witness said.

use super::log::prove_consistency;
use crate::Trace;
use crate::WitnessConfig;
use crate::error::Result;
use crate::store::log::checkpoint;
use crate::tlog::{self, Checkpoint};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::time::Duration;

/// What one witness answered.
enum Answer {
    Cosigned(String),
    /// 409: it knows another size.
    Conflict(u64),
    Refused(String),
}

/// The `add-checkpoint` request body: `old <size>`, the proof's hashes in base64 one a line, a
/// blank line, the signed checkpoint.
fn request_body(old: u64, proof: &[tlog::Hash], note: &str) -> String {
    let mut body = format!("old {old}\n");
    for h in proof {
        body.push_str(&B64.encode(h.0));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(note);
    body
}

async fn ask(client: &reqwest::Client, w: &WitnessConfig, body: String) -> Answer {
    let url = format!("{}/add-checkpoint", w.url.trim_end_matches('/'));
    let resp = match client.post(&url).body(body).send().await {
        Ok(r) => r,
        Err(e) => return Answer::Refused(format!("unreachable: {e}")),
    };
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    match status {
        200 => Answer::Cosigned(text),
        409 => text
            .trim()
            .parse()
            .map_or_else(|_| Answer::Refused(format!("409 {text}")), Answer::Conflict),
        _ => Answer::Refused(format!("{status} {}", text.trim())),
    }
}

impl Trace {
    /// Collects cosignatures for a freshly signed checkpoint. Returns the note with every valid
    /// cosignature appended, whether the quorum was reached, and a line per witness.
    pub(super) async fn witness(
        &self,
        cp: &Checkpoint,
        note: String,
        previous: Option<&checkpoint::Model>,
    ) -> Result<(String, bool, String)> {
        let log = self.log();
        if log.witnesses.is_empty() {
            let published = log.quorum == 0;
            return Ok((
                note,
                published,
                "no witnesses configured (quorum 0): published on the log's signature alone"
                    .to_owned(),
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| crate::TraceError::Internal(format!("witness client: {e}")))?;
        let db = &self.infra().db;
        let mut lines = Vec::new();
        let mut report = Vec::new();
        let mut old = previous.map_or(0, |p| u64::try_from(p.size).unwrap_or(0));
        for w in &log.witnesses {
            let mut answer = Answer::Refused("not asked".into());
            // At most twice: the second time from the size the witness says it knows.
            for _ in 0..2 {
                let start = old.min(cp.size);
                let proof = prove_consistency(db, start, cp.size).await?;
                answer = ask(&client, w, request_body(start, &proof, &note)).await;
                match answer {
                    Answer::Conflict(known) if known != start && known <= cp.size => old = known,
                    _ => break,
                }
            }
            match answer {
                Answer::Cosigned(sigs) => {
                    // Keep only lines that verify under this witness's key.
                    let valid: Vec<String> = sigs
                        .lines()
                        .filter(|l| !l.is_empty())
                        .filter(|l| {
                            let both = format!("{}\n{l}\n", cp.text());
                            tlog::open_note(both.as_bytes(), std::slice::from_ref(&w.key))
                                .is_ok_and(|n| n.checkpoint == *cp)
                        })
                        .map(|l| format!("{l}\n"))
                        .collect();
                    if valid.is_empty() {
                        report.push(format!(
                            "{}: answered without a valid cosignature",
                            w.key.name()
                        ));
                    } else {
                        report.push(format!("{}: cosigned", w.key.name()));
                        lines.push(valid.concat());
                    }
                }
                Answer::Conflict(known) => {
                    tracing::error!(witness = %w.key.name(), known, size = cp.size,
                        "WITNESS REFUSED THE TRACE LOG CHECKPOINT: it has seen a larger tree");
                    report.push(format!(
                        "{}: refused (409), knows size {known}",
                        w.key.name()
                    ));
                }
                Answer::Refused(why) => {
                    tracing::error!(witness = %w.key.name(), why = %why, size = cp.size,
                        "WITNESS REFUSED THE TRACE LOG CHECKPOINT");
                    report.push(format!("{}: refused: {why}", w.key.name()));
                }
            }
        }
        let published = lines.len() >= log.quorum;
        let mut note = note;
        for l in &lines {
            note.push_str(l);
        }
        Ok((note, published, report.join("\n")))
    }
}
