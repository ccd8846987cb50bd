//! What "this record verifies" means, as a list of named checks (issue #17). Each check says
//! whether it passed and, in plain words in Chinese and English, what was checked and what was
//! found. The verdict passes only when every check passes.
//!
//! Adding a check is adding a [`CheckName`] and pushing one more [`Check`] where the verdict is
//! built (`service/verdict.rs`).

use crate::chain::Break;
use crate::commit::OpeningProblem;
use chrono::{DateTime, Utc};
use farmgate_kernel::clock::format_shanghai;
use serde::Serialize;

/// The checks a verdict can contain, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TraceCheckName)]
pub enum CheckName {
    /// Every event links to the one before and hashes to its stored hash; the code is event 0's.
    Chain,
    /// The batch's stored head hash and event count are those of its last event: events
    /// deleted from the end are caught.
    Head,
    /// Every attachment's stored bytes hash to the SHA-256 recorded in the chain.
    Attachments,
    /// Every event in the latest published checkpoint of the transparency log is still in the
    /// database unchanged, and the head's inclusion proof checks against the signed root
    /// (CHAIN.md §11). Recorded after that checkpoint: passes as pending.
    LogInclusion,
    /// Chain format v2 only: every salted commitment in the bodies is opened by the private
    /// salt and clear value the platform keeps (CHAIN.md §13): the personal data shown to the
    /// seller and masked on the page is the data the chain commits to.
    Commitments,
}

impl CheckName {
    /// The name as the API and the page's `data-check` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::Chain => "chain",
            CheckName::Head => "head",
            CheckName::Attachments => "attachments",
            CheckName::LogInclusion => "log_inclusion",
            CheckName::Commitments => "commitments",
        }
    }
}

/// One check and its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: CheckName,
    pub ok: bool,
    pub zh: String,
    pub en: String,
    /// The event the failure is at, when there is one.
    pub seq: Option<i64>,
}

impl Check {
    /// The transparency log's check, as the log room words it (`service/log_check.rs`).
    pub fn log_inclusion(ok: bool, zh: String, en: String) -> Self {
        if ok {
            Check::pass(CheckName::LogInclusion, zh, en)
        } else {
            Check::fail(CheckName::LogInclusion, zh, en, None)
        }
    }

    fn pass(name: CheckName, zh: String, en: String) -> Self {
        Check {
            name,
            ok: true,
            zh,
            en,
            seq: None,
        }
    }

    fn fail(name: CheckName, zh: String, en: String, seq: Option<i64>) -> Self {
        Check {
            name,
            ok: false,
            zh,
            en,
            seq,
        }
    }
}

/// Every check made of one record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    pub checks: Vec<Check>,
}

impl Verdict {
    /// Passes when every check passes (and there is at least one).
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }

    /// The first check that failed.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| !c.ok)
    }

    pub fn get(&self, name: CheckName) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// Replaces the check of the same name (or adds it).
    pub fn set(&mut self, check: Check) {
        match self.checks.iter_mut().find(|c| c.name == check.name) {
            Some(c) => *c = check,
            None => self.checks.push(check),
        }
    }
}

/// The chain check: the outcome of `chain::verify`.
pub fn chain_check(verification: &Result<String, Break>, events: usize) -> Check {
    match verification {
        Ok(_) => Check::pass(
            CheckName::Chain,
            format!("{events} 条记录逐条重算哈希，首尾相连，溯源码与首条记录相符"),
            format!(
                "all {events} records were re-hashed: each links to the one before, and the code is the first record's"
            ),
        ),
        Err(b) => {
            let (zh, en) = b.describe();
            Check::fail(CheckName::Chain, zh, en, b.seq())
        }
    }
}

/// The head check: the batch's stored head hash and event count against its events as stored
/// (`(seq, hash)` in chain order). Deleting the last events leaves a chain that verifies on its
/// own, but a head and a count that no longer match it.
pub fn head_check(stored_head: &str, stored_count: i64, events: &[(i64, &str)]) -> Check {
    let found = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let last = events.last().map(|(_, h)| *h).unwrap_or_default();
    if found < stored_count {
        let missing = stored_count - found;
        return Check::fail(
            CheckName::Head,
            format!(
                "本批次登记了 {stored_count} 条记录，现在只有 {found} 条：最后 {missing} 条记录被删除"
            ),
            format!(
                "the batch registered {stored_count} records but only {found} remain: the last {missing} were deleted"
            ),
            Some(found),
        );
    }
    if found != stored_count {
        return Check::fail(
            CheckName::Head,
            format!("本批次登记了 {stored_count} 条记录，实际有 {found} 条"),
            format!("the batch registered {stored_count} records but {found} are stored"),
            None,
        );
    }
    if stored_head != last {
        return Check::fail(
            CheckName::Head,
            "本批次登记的最新哈希与最后一条记录不符：记录或登记的哈希被改动过".into(),
            "the batch's registered head hash is not its last record's: a record or the registered hash was changed".into(),
            events.last().map(|(s, _)| *s),
        );
    }
    Check::pass(
        CheckName::Head,
        format!("登记的记录数（{stored_count}）和最新哈希与实际记录相符，末尾没有记录被删除"),
        format!(
            "the registered record count ({stored_count}) and head hash match the records: none was deleted from the end"
        ),
    )
}

/// One attachment as the chain cites it, and what its stored bytes hash to now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFinding {
    pub seq: i64,
    pub name: String,
    pub key: String,
    pub recorded: String,
    /// `None`: the object is gone from the store.
    pub found: Option<String>,
}

impl FileFinding {
    pub fn ok(&self) -> bool {
        self.found.as_deref() == Some(self.recorded.as_str())
    }
}

/// The attachments check made now, by hashing every cited file's stored bytes.
pub fn attachments_check(findings: &[FileFinding]) -> Check {
    if findings.is_empty() {
        return Check::pass(
            CheckName::Attachments,
            "本批次没有附件".into(),
            "the record cites no files".into(),
        );
    }
    if let Some(bad) = findings.iter().find(|f| !f.ok()) {
        let (zh, en) = match bad.found {
            None => (
                format!("第 {} 条记录的附件“{}”已从存储中消失", bad.seq, bad.name),
                format!(
                    "the file \"{}\" of record #{} is gone from storage",
                    bad.name, bad.seq
                ),
            ),
            Some(_) => (
                format!(
                    "第 {} 条记录的附件“{}”已被替换：存储的文件与记录中的 SHA-256 不符",
                    bad.seq, bad.name
                ),
                format!(
                    "the file \"{}\" of record #{} was replaced: the stored bytes do not hash to the SHA-256 recorded",
                    bad.name, bad.seq
                ),
            ),
        };
        return Check::fail(CheckName::Attachments, zh, en, Some(bad.seq));
    }
    let n = findings.len();
    Check::pass(
        CheckName::Attachments,
        format!("{n} 个附件的文件逐一重新计算 SHA-256，与记录相符"),
        format!("the stored bytes of all {n} files were re-hashed and match the SHA-256 recorded"),
    )
}

/// What the background audit last found for one of a batch's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditFinding {
    pub key: String,
    pub ok: bool,
    pub checked_at: DateTime<Utc>,
}

/// The attachments check as the scan page makes it, without hashing anything: from the
/// audit's last findings (`cited` files are cited by the chain; `audits` what the audit found
/// for the batch's objects).
pub fn audited_attachments_check(
    cited: &[(i64, String, String)],
    audits: &[AuditFinding],
) -> Check {
    if cited.is_empty() {
        return Check::pass(
            CheckName::Attachments,
            "本批次没有附件".into(),
            "the record cites no files".into(),
        );
    }
    let mut oldest: Option<DateTime<Utc>> = None;
    let mut unchecked = 0;
    for (seq, name, key) in cited {
        match audits.iter().find(|a| &a.key == key) {
            Some(a) if !a.ok => {
                return Check::fail(
                    CheckName::Attachments,
                    format!(
                        "平台定期核对发现：第 {seq} 条记录的附件“{name}”存储的文件与记录中的 SHA-256 不符（{} 核对）",
                        format_shanghai(a.checked_at)
                    ),
                    format!(
                        "the platform's audit found that the stored file \"{name}\" of record #{seq} does not match the SHA-256 recorded (checked {})",
                        format_shanghai(a.checked_at)
                    ),
                    Some(*seq),
                );
            }
            Some(a) => oldest = Some(oldest.map_or(a.checked_at, |o| o.min(a.checked_at))),
            None => unchecked += 1,
        }
    }
    let n = cited.len();
    match (oldest, unchecked) {
        (Some(t), 0) => Check::pass(
            CheckName::Attachments,
            format!(
                "{n} 个附件的文件由平台定期重新计算 SHA-256，最近一轮核对（{}起）均与记录相符",
                format_shanghai(t)
            ),
            format!(
                "the stored bytes of all {n} files are re-hashed by the platform's audit; the latest round (since {}) found them matching the record",
                format_shanghai(t)
            ),
        ),
        _ => Check::pass(
            CheckName::Attachments,
            format!(
                "{n} 个附件中有 {unchecked} 个尚未经过定期核对；上传时已计算 SHA-256，校验接口会当场重新计算"
            ),
            format!(
                "{unchecked} of {n} files have not been audited yet; each was hashed on upload, and the verify API re-hashes them on the spot"
            ),
        ),
    }
}

/// The commitments check of a v2 record: `committed` commitments in its bodies, and what did
/// not match their private openings (`(seq, problem)`). The public cannot make this check (it
/// has no openings); the platform makes it on every verdict, so a private value changed after
/// it was committed (the clear value, or its salt) shows as broken.
pub fn commitments_check(committed: usize, problems: &[(i64, OpeningProblem)]) -> Check {
    let Some((seq, problem)) = problems.first() else {
        return Check::pass(
            CheckName::Commitments,
            format!("{committed} 项个人信息的加盐承诺与平台保存的原文相符"),
            format!(
                "all {committed} salted commitments to personal data open to the values the platform keeps"
            ),
        );
    };
    let path = problem.path();
    let (zh, en) = match problem {
        OpeningProblem::Missing { .. } => (
            format!("第 {seq} 条记录的个人信息（{path}）原文丢失"),
            format!("record #{seq}: the private value committed at {path} is gone"),
        ),
        OpeningProblem::Mismatch { .. } => (
            format!("第 {seq} 条记录的个人信息（{path}）原文或盐值与链上承诺不符：被改动过"),
            format!(
                "record #{seq}: the private value or salt at {path} does not open its commitment: it was changed"
            ),
        ),
        OpeningProblem::Clear { .. } => (
            format!("第 {seq} 条记录在 {path} 处以明文记录个人信息，不符合 v2 格式"),
            format!("record #{seq} holds personal data in clear at {path}, which v2 never does"),
        ),
    };
    Check::fail(CheckName::Commitments, zh, en, Some(*seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_head_and_count_pass() {
        let c = head_check("h2", 3, &[(0, "h0"), (1, "h1"), (2, "h2")]);
        assert!(c.ok, "{c:?}");
    }

    #[test]
    fn deleting_the_last_events_is_caught_by_the_count() {
        let c = head_check("h3", 4, &[(0, "h0"), (1, "h1")]);
        assert!(!c.ok);
        assert_eq!(c.seq, Some(2));
        assert!(c.en.contains("the last 2 were deleted"), "{}", c.en);
    }

    #[test]
    fn a_changed_head_or_count_is_caught() {
        assert!(!head_check("forged", 2, &[(0, "h0"), (1, "h1")]).ok);
        assert!(!head_check("h1", 1, &[(0, "h0"), (1, "h1")]).ok);
        // Deleting the last event and moving the head back with it, but not the count.
        assert!(!head_check("h0", 2, &[(0, "h0")]).ok);
    }

    fn finding(found: Option<&str>) -> FileFinding {
        FileFinding {
            seq: 2,
            name: "报告.pdf".into(),
            key: "public/trace/b/a.pdf".into(),
            recorded: "aa".into(),
            found: found.map(str::to_owned),
        }
    }

    #[test]
    fn a_replaced_or_missing_file_fails_the_attachments_check() {
        assert!(attachments_check(&[finding(Some("aa"))]).ok);
        let replaced = attachments_check(&[finding(Some("aa")), finding(Some("bb"))]);
        assert!(!replaced.ok);
        assert!(replaced.zh.contains("已被替换"));
        let gone = attachments_check(&[finding(None)]);
        assert!(!gone.ok && gone.en.contains("gone"));
        assert!(attachments_check(&[]).ok, "nothing to check");
    }

    #[test]
    fn the_page_reads_the_audits_last_findings() {
        let t = DateTime::<Utc>::from_timestamp(1_764_000_000, 0).unwrap_or_default();
        let cited = vec![(1, "a.pdf".to_owned(), "k1".to_owned())];
        let good = AuditFinding {
            key: "k1".into(),
            ok: true,
            checked_at: t,
        };
        assert!(audited_attachments_check(&cited, std::slice::from_ref(&good)).ok);
        let bad = AuditFinding { ok: false, ..good };
        let c = audited_attachments_check(&cited, &[bad]);
        assert!(!c.ok && c.seq == Some(1));
        let unaudited = audited_attachments_check(&cited, &[]);
        assert!(unaudited.ok && unaudited.en.contains("not been audited"));
    }

    #[test]
    fn a_verdict_passes_only_when_every_check_does() {
        let mut v = Verdict::default();
        assert!(!v.ok(), "no checks is no verdict");
        v.set(chain_check(&Ok("h".into()), 1));
        v.set(head_check("h", 1, &[(0, "h")]));
        assert!(v.ok());
        v.set(attachments_check(&[finding(None)]));
        assert!(!v.ok());
        assert_eq!(
            v.first_failure().map(|c| c.name),
            Some(CheckName::Attachments)
        );
        v.set(attachments_check(&[]));
        assert!(v.ok(), "set replaces the check of the same name");
        assert_eq!(v.checks.len(), 3);
    }

    #[test]
    fn the_commitments_check_names_the_record_and_the_place_that_does_not_open() {
        let ok = commitments_check(3, &[]);
        assert!(ok.ok && ok.en.contains("all 3"));
        let bad = commitments_check(
            3,
            &[
                (
                    2,
                    OpeningProblem::Mismatch {
                        path: "/actor".into(),
                    },
                ),
                (
                    0,
                    OpeningProblem::Missing {
                        path: "/actor".into(),
                    },
                ),
            ],
        );
        assert!(!bad.ok);
        assert_eq!(bad.seq, Some(2), "the first problem is reported");
        assert!(bad.en.contains("/actor") && bad.zh.contains("被改动过"));
        let clear = commitments_check(
            1,
            &[(
                1,
                OpeningProblem::Clear {
                    path: "/data/phone".into(),
                },
            )],
        );
        assert!(clear.en.contains("in clear"));
    }
}
