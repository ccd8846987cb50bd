//! The log's checks: the checkpoint's signature and cosignatures, consistency with the
//! checkpoint verified last time (`--state`), and the entry bundles read in full.

use super::Trust;
use super::client::{Remote, TileFailure, Tiles};
use super::report::{Check, CheckpointReport, Cosigner, Report};
use anyhow::Context;
use farmgate_trace::tlog::{self, Checkpoint, Hash, Leaf, TILE_WIDTH, TilePath};
use futures_util::{StreamExt, stream};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A checkpoint that passed the log's checks, and the tiles read under its root.
pub struct Verified {
    pub checkpoint: Checkpoint,
    /// The signed note as served (what `--state` keeps).
    pub note: String,
    pub tiles: Tiles,
}

/// One leaf of a code the verifier was asked about.
#[derive(Clone, Debug)]
pub struct Logged {
    pub index: u64,
    pub seq: i64,
    pub event_hash: String,
}

fn rfc3339(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map_or_else(
            || unix.to_string(),
            |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
}

/// The checkpoint body of a signed note (its text, up to the blank line).
fn body_of(note: &str) -> Option<Checkpoint> {
    let (text, _) = note.split_once("\n\n")?;
    Checkpoint::parse(format!("{text}\n").as_bytes())
}

/// Whether any signature line of `note` is by a key name the verifier trusts.
fn names_any_key(note: &str, trust: &Trust) -> bool {
    let Some((_, sigs)) = note.split_once("\n\n") else {
        return false;
    };
    sigs.lines()
        .filter_map(|l| l.strip_prefix("— "))
        .filter_map(|l| l.split(' ').next())
        .any(|name| trust.all_keys().iter().any(|k| k.name() == name))
}

/// Fetches and checks the checkpoint; `Ok(None)` when it cannot be trusted (the reasons are in
/// `report.log`).
pub async fn check_log(
    remote: &Remote,
    trust: &Trust,
    state: Option<&Path>,
    report: &mut Report,
) -> anyhow::Result<Option<Verified>> {
    let previous = match state {
        Some(path) => read_state(path)?,
        None => None,
    };
    let answer = remote.get("/tlog/checkpoint").await?;
    if answer.status != 200 {
        let mut detail = format!(
            "{} answers {} for /tlog/checkpoint: the site publishes no checkpoint",
            remote.url(""),
            answer.status
        );
        if let Some(old) = &previous {
            detail.push_str(&format!(
                "; you verified a checkpoint of {} records before: the log has vanished",
                old.size
            ));
        }
        report.log.push(Check::fail("checkpoint", detail));
        return Ok(None);
    }
    let note = String::from_utf8_lossy(&answer.body).into_owned();
    let opened = match tlog::open_note(&answer.body, &trust.all_keys()) {
        Ok(o) => o,
        Err(_) if !names_any_key(&note, trust) => {
            // Signed by none of the keys trusted: say which signatures are missing.
            if let Some(k) = &trust.log {
                report.log.push(Check::fail(
                    "log_signature",
                    format!("the checkpoint is not signed by the log's key {}", k.name()),
                ));
            }
            if trust.quorum > 0 {
                report.log.push(Check::fail(
                    "cosignatures",
                    format!(
                        "only 0 of the {} required witness cosignature(s) (none): the witnesses did not confirm that this checkpoint extends the log they saw — it may be a rewritten log",
                        trust.quorum
                    ),
                ));
            }
            return Ok(None);
        }
        Err(e) => {
            report.log.push(Check::fail(
                "signatures",
                format!("{e} — the checkpoint is not validly signed by the keys you trust (a signature was forged or copied from another checkpoint, or none of your keys signed it)"),
            ));
            return Ok(None);
        }
    };
    let cp = opened.checkpoint.clone();
    let mut cosigners: Vec<Cosigner> = Vec::new();
    for s in opened.signers.iter().filter(|s| s.witness) {
        if !cosigners.iter().any(|c| c.name == s.name) {
            cosigners.push(Cosigner {
                name: s.name.clone(),
                at: rfc3339(s.timestamp.unwrap_or_default()),
            });
        }
    }
    let log_signed = trust.log.as_ref().map(|k| {
        opened
            .signers
            .iter()
            .any(|s| !s.witness && s.name == k.name())
    });
    report.checkpoint = Some(CheckpointReport {
        origin: cp.origin.clone(),
        size: cp.size,
        root: tlog::hex(&cp.root),
        log_signed,
        cosigners: cosigners.clone(),
        quorum: trust.quorum,
    });
    match (&trust.log, log_signed) {
        (Some(k), Some(true)) => report.log.push(Check::pass(
            "log_signature",
            format!("signed by the log's key {}", k.name()),
        )),
        (Some(k), _) => report.log.push(Check::fail(
            "log_signature",
            format!("the checkpoint is not signed by the log's key {}", k.name()),
        )),
        (None, _) => {}
    }
    let named: Vec<String> = cosigners
        .iter()
        .map(|c| format!("{} at {}", c.name, c.at))
        .collect();
    if cosigners.len() >= trust.quorum {
        if trust.quorum > 0 {
            report.log.push(Check::pass(
                "cosignatures",
                format!(
                    "{} of {} witness(es) cosigned, {} required: {}",
                    cosigners.len(),
                    trust.witnesses.len(),
                    trust.quorum,
                    named.join(", ")
                ),
            ));
        }
    } else {
        report.log.push(Check::fail(
            "cosignatures",
            format!(
                "only {} of the {} required witness cosignature(s) ({}): the witnesses did not confirm that this checkpoint extends the log they saw — it may be a rewritten log",
                cosigners.len(),
                trust.quorum,
                if named.is_empty() { "none".to_owned() } else { named.join(", ") }
            ),
        ));
    }
    let tiles = Tiles::default();
    if let Some(old) = &previous {
        report
            .log
            .push(consistency(remote, &tiles, old, &cp).await?);
    } else if let Some(path) = state {
        report.log.push(Check::pass(
            "consistency",
            format!(
                "no earlier checkpoint in {} (first run): this one is remembered for the next",
                path.display()
            ),
        ));
    }
    if report.log.iter().any(|c| !c.ok) {
        return Ok(None);
    }
    Ok(Some(Verified {
        checkpoint: cp,
        note,
        tiles,
    }))
}

/// The new checkpoint must extend the old one: a consistency proof read from the tiles.
async fn consistency(
    remote: &Remote,
    tiles: &Tiles,
    old: &Checkpoint,
    new: &Checkpoint,
) -> anyhow::Result<Check> {
    const NAME: &str = "consistency";
    if old.origin != new.origin {
        return Ok(Check::fail(
            NAME,
            format!(
                "the state file holds a checkpoint of another log ({}, not {})",
                old.origin, new.origin
            ),
        ));
    }
    if new.size < old.size {
        return Ok(Check::fail(
            NAME,
            format!(
                "the log shrank: you verified {} records before, it now shows {} — records were removed",
                old.size, new.size
            ),
        ));
    }
    if old.size == 0 {
        return Ok(Check::pass(
            NAME,
            "the checkpoint verified before was of the empty log",
        ));
    }
    if new.size == old.size {
        return Ok(if new.root == old.root {
            Check::pass(
                NAME,
                format!("the same checkpoint of {} records as last time", new.size),
            )
        } else {
            Check::fail(
                NAME,
                format!(
                    "FORK: two different checkpoints of {} records — root {} last time, {} now: the log was rewritten",
                    new.size,
                    tlog::hex(&old.root),
                    tlog::hex(&new.root)
                ),
            )
        });
    }
    let (size, old_size) = (new.size, old.size);
    let proof = tiles
        .with(remote, new.size, new.root, |r| {
            tlog_tiles::prove_tree(size, old_size, r)
        })
        .await?;
    Ok(match proof {
        Ok(proof) if tlog::check_consistency(&proof, new.size, new.root, old.size, old.root) => {
            Check::pass(
                NAME,
                format!(
                    "extends the checkpoint of {} records you verified before (consistency proof from the tiles)",
                    old.size
                ),
            )
        }
        Ok(_) => Check::fail(
            NAME,
            format!(
                "the log of {} records is not an extension of the {} records you verified before: it was rewritten",
                new.size, old.size
            ),
        ),
        Err(TileFailure::Proof(e)) => Check::fail(
            NAME,
            format!(
                "no consistency proof from the {} records you verified before to the {} now: the tiles do not hash to the signed root ({e}) — the log was rewritten",
                old.size, new.size
            ),
        ),
        Err(TileFailure::Missing(path)) => Check::fail(
            NAME,
            format!("the site does not serve {path}, a tile of its own checkpoint"),
        ),
    })
}

/// RFC 6962 root of leaves pushed one by one (a stack of complete subtrees).
#[derive(Default)]
struct Compact(Vec<(u32, Hash)>);

impl Compact {
    fn push(&mut self, mut hash: Hash) {
        let mut height = 0;
        while let Some(&(h, left)) = self.0.last() {
            if h != height {
                break;
            }
            self.0.pop();
            hash = tlog_tiles::node_hash(left, hash);
            height += 1;
        }
        self.0.push((height, hash));
    }

    fn root(&self) -> Hash {
        let mut it = self.0.iter().rev();
        let Some(&(_, mut acc)) = it.next() else {
            return tlog::EMPTY_HASH;
        };
        for &(_, left) in it {
            acc = tlog_tiles::node_hash(left, acc);
        }
        acc
    }
}

/// Reads every entry bundle of the checkpoint's tree, checks that they hash to its root, and
/// returns the leaves of `codes` (`Ok(None)` when the entries cannot be trusted; the reason is
/// in `report.log`). Reading them all is what proves a leaf is *not* there: a record deleted
/// from the database is still in the log.
pub async fn scan_entries(
    remote: &Remote,
    v: &Verified,
    codes: &[String],
    report: &mut Report,
) -> anyhow::Result<Option<HashMap<String, Vec<Logged>>>> {
    const NAME: &str = "entries";
    let size = v.checkpoint.size;
    let wanted: HashSet<&str> = codes.iter().map(String::as_str).collect();
    let bundles = size.div_ceil(TILE_WIDTH);
    let mut fetches = stream::iter((0..bundles).map(|n| {
        let width = std::cmp::min(TILE_WIDTH, size - n * TILE_WIDTH);
        let path = TilePath::Entries { index: n, width };
        async move { (n, width, path, remote.tile(path).await) }
    }))
    .buffered(8);
    let mut compact = Compact::default();
    let mut found: HashMap<String, Vec<Logged>> = HashMap::new();
    while let Some((n, width, path, bytes)) = fetches.next().await {
        let Some(bytes) = bytes? else {
            report.log.push(Check::fail(
                NAME,
                format!(
                    "the site does not serve {}, an entry bundle of its own checkpoint",
                    path.path()
                ),
            ));
            return Ok(None);
        };
        let entries = tlog::parse_entry_bundle(&bytes).unwrap_or_default();
        if (entries.len() as u64) < width {
            report.log.push(Check::fail(
                NAME,
                format!(
                    "{} is malformed or short ({} of {width} entries)",
                    path.path(),
                    entries.len()
                ),
            ));
            return Ok(None);
        }
        for (k, entry) in entries.iter().take(usize::try_from(width)?).enumerate() {
            let index = n * TILE_WIDTH + k as u64;
            compact.push(tlog_tiles::record_hash(entry));
            let Some(leaf) = Leaf::parse(entry) else {
                report.log.push(Check::fail(
                    NAME,
                    format!("entry {index} is not a trace leaf (CHAIN.md §10)"),
                ));
                return Ok(None);
            };
            if wanted.contains(leaf.code.as_str()) {
                found.entry(leaf.code).or_default().push(Logged {
                    index,
                    seq: leaf.seq,
                    event_hash: leaf.event_hash,
                });
            }
        }
    }
    let root = compact.root();
    if root != v.checkpoint.root {
        report.log.push(Check::fail(
            NAME,
            format!(
                "the {size} entries served hash to {}, not to the signed root {}: the entries were changed",
                tlog::hex(&root),
                tlog::hex(&v.checkpoint.root)
            ),
        ));
        return Ok(None);
    }
    report.log.push(Check::pass(
        NAME,
        format!(
            "all {size} entries read from {bundles} bundle(s); they hash to the signed root; {} of them are records of the code(s) asked",
            found.values().map(Vec::len).sum::<usize>()
        ),
    ));
    Ok(Some(found))
}

fn read_state(path: &Path) -> anyhow::Result<Option<Checkpoint>> {
    match std::fs::read_to_string(path) {
        Ok(text) => body_of(&text).map(Some).with_context(|| {
            format!(
                "--state {}: not a checkpoint this command wrote",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Remembers the verified checkpoint (the signed note as served), replacing the file at once.
pub fn save_state(path: &Path, note: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, note).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

#[cfg(test)]
#[expect(
    clippy::expect_used,
    reason = "a test vector that cannot be computed stops its test, with the step named"
)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_range_gives_the_rfc_6962_roots() {
        // CHAIN.md §10's vectors: the 8 RFC 6962 leaves.
        let leaves: [&[u8]; 8] = [
            b"",
            &[0x00],
            &[0x10],
            &[0x20, 0x21],
            &[0x30, 0x31],
            &[0x40, 0x41, 0x42, 0x43],
            &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
            &[
                0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
                0x6e, 0x6f,
            ],
        ];
        let mut c = Compact::default();
        assert_eq!(c.root(), tlog::EMPTY_HASH);
        let mut stored = HashMap::new();
        for (i, leaf) in leaves.iter().enumerate() {
            c.push(tlog_tiles::record_hash(leaf));
            let r = tlog::MapReader(&stored);
            let new = tlog_tiles::stored_hashes(i as u64, leaf, &r).expect("hashes");
            let first = tlog_tiles::stored_hash_index(0, i as u64);
            for (j, h) in new.into_iter().enumerate() {
                stored.insert(first + j as u64, h);
            }
            let expected =
                tlog_tiles::tree_hash(i as u64 + 1, &tlog::MapReader(&stored)).expect("root");
            assert_eq!(c.root(), expected, "size {}", i + 1);
        }
        assert_eq!(
            tlog::hex(&c.root()),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
        );
    }

    #[test]
    fn the_state_file_is_read_back_as_its_checkpoint() {
        let cp = Checkpoint {
            origin: "farmgate.example/trace-log".into(),
            size: 8,
            root: Hash([7; 32]),
        };
        let key = tlog::NamedKey::generate("farmgate.example/trace-log").expect("key");
        let note = key.sign_checkpoint(&cp).expect("signed");
        assert_eq!(body_of(&note), Some(cp));
        assert_eq!(body_of("garbage"), None);
    }
}
