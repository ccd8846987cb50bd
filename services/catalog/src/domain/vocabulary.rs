//! A county's search vocabulary (#21): entries the operator adds on top of the shipped
//! `lexicon.txt` — a word to keep whole (with its reading), a synonym group (short and
//! colloquial names too), or English names for Chinese words. An entry is one line of the
//! lexicon format in its section; parsing it here refuses what the lexicon would refuse, plus
//! the limits an operator page needs, and gives the canonical form stored and compared for
//! duplicates (folded, single-spaced, a group's words sorted).

use farmgate_infra::search::lexicon::{Lexicon, MAX_WORD_CHARS};
use farmgate_kernel::FieldError;

farmgate_kernel::wire_enum!(
    /// What an entry is.
    VocabularyKind {
        /// A word segmentation keeps whole, optionally with its reading: `崇义` or
        /// `重庆 chong qing`.
        Word => "word",
        /// Words that find each other: `米果 粄子`.
        Synonyms => "synonyms",
        /// English words and the Chinese words they stand for: `navel orange = 脐橙`.
        English => "english",
    }
);

/// Longest entry accepted, in characters.
pub const MAX_ENTRY_CHARS: usize = 200;
/// Most words in a synonym group, and most words on either side of an English entry.
pub const MAX_GROUP_WORDS: usize = 8;
/// Most entries a county may add (each one is work for every search and reindex).
pub const MAX_ENTRIES: u64 = 500;

/// An entry, parsed: its kind, its canonical line, and the Chinese words it touches (the
/// listings whose titles contain them are re-analysed when it is added or removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VocabularyEntry {
    pub kind: VocabularyKind,
    pub entry: String,
    pub words: Vec<String>,
}

fn invalid(zh: &str, en: &str) -> FieldError {
    FieldError::new("text", "invalid", zh, en)
}

impl VocabularyKind {
    fn section(self) -> &'static str {
        match self {
            VocabularyKind::Word => "[words]",
            VocabularyKind::Synonyms => "[synonyms]",
            VocabularyKind::English => "[english]",
        }
    }
}

impl VocabularyEntry {
    /// Parses what the operator typed.
    pub fn parse(kind: VocabularyKind, text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FieldError::new(
                "text",
                "required",
                "请填写内容",
                "required",
            ));
        }
        if text.chars().count() > MAX_ENTRY_CHARS {
            return Err(FieldError::new(
                "text",
                "too_long",
                format!("最多 {MAX_ENTRY_CHARS} 个字符"),
                format!("at most {MAX_ENTRY_CHARS} characters"),
            ));
        }
        // One line of the lexicon format: no line breaks, comments or section headers.
        if text
            .chars()
            .any(|c| c.is_control() || c == '#' || c == '[' || c == ']')
        {
            return Err(invalid(
                "不能包含换行、控制字符或 # [ ]",
                "no line breaks, control characters, # or brackets",
            ));
        }
        let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let lexicon = Lexicon::parse(&format!("{}\n{line}\n", kind.section())).map_err(|e| {
            invalid(
                &format!("格式不对：{}", e.reason),
                &format!("not understood: {}", e.reason),
            )
        })?;
        let too_many = || {
            FieldError::new(
                "text",
                "too_many_words",
                format!("每组 2 到 {MAX_GROUP_WORDS} 个词"),
                format!("2 to {MAX_GROUP_WORDS} words a group"),
            )
        };
        let dup_in_entry = || {
            FieldError::new(
                "text",
                "repeated_word",
                "同一个词写了两次",
                "a word appears twice",
            )
        };
        match kind {
            VocabularyKind::Word => {
                let w = lexicon
                    .words
                    .first()
                    .ok_or_else(|| invalid("请填写一个词", "one word"))?;
                if w.word.chars().count() < 2 {
                    return Err(invalid(
                        &format!("词为 2 到 {MAX_WORD_CHARS} 个汉字（单字总能搜到）"),
                        &format!(
                            "a word is 2 to {MAX_WORD_CHARS} Chinese characters (a single character always matches)"
                        ),
                    ));
                }
                let mut entry = w.word.clone();
                for s in &w.reading {
                    entry.push(' ');
                    entry.push_str(s);
                }
                Ok(Self {
                    kind,
                    entry,
                    words: vec![w.word.clone()],
                })
            }
            VocabularyKind::Synonyms => {
                let mut group = lexicon
                    .synonyms
                    .first()
                    .cloned()
                    .ok_or_else(|| invalid("请填写两个以上的词", "two or more words"))?;
                if group.len() > MAX_GROUP_WORDS {
                    return Err(too_many());
                }
                group.sort();
                if group.windows(2).any(|w| w[0] == w[1]) {
                    return Err(dup_in_entry());
                }
                Ok(Self {
                    kind,
                    entry: group.join(" "),
                    words: group,
                })
            }
            VocabularyKind::English => {
                let name =
                    lexicon.english.first().cloned().ok_or_else(|| {
                        invalid("英文词 = 中文词", "english words = chinese words")
                    })?;
                let (mut en, mut zh) = (name.english, name.chinese);
                if en.len() > MAX_GROUP_WORDS || zh.len() > MAX_GROUP_WORDS {
                    return Err(too_many());
                }
                en.sort();
                zh.sort();
                if en.windows(2).any(|w| w[0] == w[1]) || zh.windows(2).any(|w| w[0] == w[1]) {
                    return Err(dup_in_entry());
                }
                Ok(Self {
                    kind,
                    entry: format!("{} = {}", en.join(" "), zh.join(" ")),
                    words: zh,
                })
            }
        }
    }

    /// The entry as a lexicon of its own, to merge over the defaults.
    pub fn lexicon(&self) -> Option<Lexicon> {
        Lexicon::parse(&format!("{}\n{}\n", self.kind.section(), self.entry)).ok()
    }

    /// Whether the shipped vocabulary already says exactly this.
    pub fn is_shipped(&self, defaults: &Lexicon) -> bool {
        let Some(mine) = self.lexicon() else {
            return false;
        };
        match self.kind {
            VocabularyKind::Word => mine.words.first().is_some_and(|w| {
                defaults
                    .words
                    .iter()
                    .any(|d| d.word == w.word && (w.reading.is_empty() || d.reading == w.reading))
            }),
            VocabularyKind::Synonyms => mine.synonyms.first().is_some_and(|g| {
                defaults
                    .synonyms
                    .iter()
                    .any(|d| g.iter().all(|w| d.contains(w)))
            }),
            VocabularyKind::English => mine.english.first().is_some_and(|e| {
                defaults.english.iter().any(|d| {
                    e.english.iter().all(|w| d.english.contains(w))
                        && e.chinese.iter().all(|w| d.chinese.contains(w))
                })
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: VocabularyKind, text: &str) -> Result<String, &'static str> {
        VocabularyEntry::parse(kind, text)
            .map(|e| e.entry)
            .map_err(|e| e.code)
    }

    #[test]
    fn entries_are_stored_canonical() {
        assert_eq!(
            parse(VocabularyKind::Synonyms, "  粄子   米果 "),
            Ok("米果 粄子".to_owned())
        );
        assert_eq!(
            parse(VocabularyKind::Synonyms, "米果 粄子"),
            parse(VocabularyKind::Synonyms, "粄子 米果"),
            "a group is the same in any order"
        );
        assert_eq!(
            parse(VocabularyKind::Word, "重慶 Chong Qing"),
            Ok("重庆 chong qing".to_owned())
        );
        assert_eq!(
            parse(VocabularyKind::English, "Navel Orange = 臍橙"),
            Ok("navel orange = 脐橙".to_owned())
        );
        let e = VocabularyEntry::parse(VocabularyKind::English, "rice cake = 米果 年糕")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(e.words, ["年糕", "米果"]);
    }

    #[test]
    fn malformed_and_oversized_entries_are_refused_with_a_code() {
        let long = "米".repeat(MAX_ENTRY_CHARS + 1);
        let big_group = (0..=MAX_GROUP_WORDS)
            .map(|i| format!("米果{}", char::from_u32(0x4E00 + i as u32).unwrap_or('一')))
            .collect::<Vec<_>>()
            .join(" ");
        for (kind, text, code) in [
            (VocabularyKind::Word, "", "required"),
            (VocabularyKind::Word, "   ", "required"),
            (VocabularyKind::Word, long.as_str(), "too_long"),
            (VocabularyKind::Word, "崇义\n[english]", "invalid"),
            (VocabularyKind::Word, "崇义 # note", "invalid"),
            (VocabularyKind::Word, "apple", "invalid"),
            (VocabularyKind::Word, "米", "invalid"),
            (VocabularyKind::Word, "重庆 chong", "invalid"),
            (VocabularyKind::Word, "重庆 xx yy", "invalid"),
            (
                VocabularyKind::Word,
                "一二三四五六七八九十一二三四五六七",
                "invalid",
            ),
            (VocabularyKind::Synonyms, "米果", "invalid"),
            (VocabularyKind::Synonyms, "米果 rice", "invalid"),
            (VocabularyKind::Synonyms, "米果 米果", "repeated_word"),
            (
                VocabularyKind::Synonyms,
                big_group.as_str(),
                "too_many_words",
            ),
            (VocabularyKind::English, "tea 茶", "invalid"),
            (VocabularyKind::English, "green-tea = 绿茶", "invalid"),
            (VocabularyKind::English, "tea tea = 茶叶", "repeated_word"),
        ] {
            assert_eq!(parse(kind, text), Err(code), "{kind:?} {text:?}");
        }
    }

    #[test]
    fn what_the_shipped_vocabulary_already_says_is_recognised() {
        let defaults = Lexicon::defaults();
        let shipped = |k, t| {
            VocabularyEntry::parse(k, t)
                .map(|e| e.is_shipped(&defaults))
                .unwrap_or(false)
        };
        assert!(shipped(VocabularyKind::Word, "重庆"));
        assert!(shipped(VocabularyKind::Word, "重庆 chong qing"));
        assert!(
            !shipped(VocabularyKind::Word, "重庆 zhong qing"),
            "a new reading is new"
        );
        assert!(shipped(VocabularyKind::Synonyms, "土豆 马铃薯"));
        assert!(!shipped(VocabularyKind::Synonyms, "米果 粄子"));
        assert!(!shipped(VocabularyKind::Word, "粄子"));
    }
}
