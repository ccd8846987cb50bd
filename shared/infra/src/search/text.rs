//! How Chinese, pinyin and mixed input is understood — shared by both search engines, so that
//! they behave the same for users.
//!
//! - Documents: titles are segmented with jieba (search mode, so 五常稻花香大米 also yields 大米);
//!   every Han character is also indexed on its own (`chars`), so a single character or an
//!   unknown word still matches (橙 finds 脐橙); each word's pinyin is indexed in full, as
//!   initials, and as runs of consecutive words (`pingguo`, `pg`, `hongfushipingguo`).
//! - Traditional characters fold to simplified ([`fold_char`], OpenCC's character table in
//!   `data/ts_characters.tsv`) in queries and in documents alike, so 臍橙 finds 脐橙 and a title
//!   typed in traditional characters is found by simplified queries. The fold is one character
//!   for one character: phrase-level variants (OpenCC's TSPhrases) are not applied.
//! - Queries: normalised (full-width to half-width, lower case, control characters and query
//!   operators dropped, at most [`MAX_QUERY_CHARS`]), split into Han and Latin runs; Han runs are
//!   segmented into words; every word or run must match (AND); synonyms widen a word.
//! - Vocabulary, synonym groups, short forms, English names and the readings of polyphonic
//!   words are data ([`Lexicon`], `data/lexicon.txt`); every reading of a word is indexed, its
//!   own first. Latin syllables typed apart or with tone digits are joined (`qi cheng`).
//! - Which queries run, and in which order (homophones, relaxation), is [`super::query`].
//! - Highlighting marks the title words a query matched, escaping everything else.

use super::lexicon::Lexicon;
use super::pinyin::{full_and_initials, is_syllable, strip_tone_digits};
use jieba_rs::Jieba;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Traditional → simplified, one character each (see the header of the data file).
static TS_CHARACTERS: LazyLock<HashMap<char, char>> = LazyLock::new(|| {
    include_str!("data/ts_characters.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (t, s) = l.split_once('\t')?;
            let mut t = t.chars();
            let mut s = s.chars();
            match (t.next(), t.next(), s.next(), s.next()) {
                (Some(t), None, Some(s), None) => Some((t, s)),
                _ => None,
            }
        })
        .collect()
});

/// Text with every traditional character folded to its simplified form, nothing else changed.
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// The simplified form of a traditional character; any other character as it is.
pub fn fold_char(c: char) -> char {
    TS_CHARACTERS.get(&c).copied().unwrap_or(c)
}

/// Queries longer than this are refused by the API (and cut here, defensively).
pub const MAX_QUERY_CHARS: usize = 200;

/// One part of a query; every part must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryPart {
    /// A Chinese word (or single character), with the synonyms that may stand for it.
    Han { word: String, synonyms: Vec<String> },
    /// A run of letters and digits: pinyin (full or initials; syllables typed with spaces or
    /// tone digits already joined), or a Latin word in a title. `synonyms` holds Chinese words
    /// whose pinyin is exactly this text, or that this English word names, and their synonyms.
    /// `exact`: an English name, matched without typo tolerance.
    Latin {
        text: String,
        synonyms: Vec<String>,
        exact: bool,
    },
    /// A Chinese word also matched through its pinyin (homophone tolerance: 大咪 finds 大米).
    /// Only in the second attempt of a search (see [`super::query`]).
    Sounds { word: String, pinyin: String },
    /// A Chinese word whose characters may stand apart in the title (香米 in 稻花香大米).
    /// Only in the second attempt of a search.
    Characters { word: String },
}

impl QueryPart {
    /// The part as the shopper typed it (folded and joined), for messages.
    pub fn text(&self) -> &str {
        match self {
            QueryPart::Han { word, .. }
            | QueryPart::Sounds { word, .. }
            | QueryPart::Characters { word } => word,
            QueryPart::Latin { text, .. } => text,
        }
    }
}

/// A query, understood.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnalyzedQuery {
    pub parts: Vec<QueryPart>,
}

impl AnalyzedQuery {
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The query as plain words separated by spaces (what Meilisearch is sent): a word matched
    /// through its sound is sent as its pinyin (every title's pinyin is indexed), a word whose
    /// characters may stand apart as those characters.
    pub fn as_words(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                QueryPart::Han { word, .. } => word.clone(),
                QueryPart::Latin { text, .. } => text.clone(),
                QueryPart::Sounds { pinyin, .. } => pinyin.clone(),
                QueryPart::Characters { word } => {
                    word.chars().map(String::from).collect::<Vec<_>>().join(" ")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// How many typos a Latin run may have: none below 4 letters, one up to 7, two from 8.
pub fn typo_budget(text: &str) -> u8 {
    match text.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Segmentation and pinyin, built once per process (loading the dictionary takes a moment).
pub struct Analyzer {
    jieba: Jieba,
    lexicon: Lexicon,
    /// Word → its synonym group (including itself).
    synonyms: HashMap<String, Vec<String>>,
    /// Full pinyin or English word → Chinese words it stands for, and their synonyms.
    pinyin_synonyms: HashMap<String, Vec<String>>,
    /// English names (matched exactly).
    english: HashSet<String>,
    /// A vocabulary word's own reading.
    readings: HashMap<String, Vec<String>>,
    /// Every vocabulary word.
    known: HashSet<String>,
    /// Full pinyin of a vocabulary word → the word (for "did you mean").
    by_sound: HashMap<String, String>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer").finish_non_exhaustive()
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Full-width forms to half-width, lower case, and anything that is neither Han nor a letter or
/// digit (operators, quotes, control characters) to a space. At most [`MAX_QUERY_CHARS`].
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(' '),
            0x3000 => ' ',
            _ => c,
        })
        .map(|c| fold_char(c.to_ascii_lowercase()))
        .map(|c| if is_han(c) || is_latin(c) { c } else { ' ' })
        .collect()
}

/// Splits normalised text into runs of Han characters (`true`) and runs of letters and digits.
fn runs(text: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut cur: Option<(bool, String)> = None;
    for c in text.chars() {
        let kind = if is_han(c) {
            Some(true)
        } else if is_latin(c) {
            Some(false)
        } else {
            None
        };
        match (kind, cur.as_mut()) {
            (Some(k), Some((h, s))) if *h == k => s.push(c),
            (Some(k), _) => {
                out.extend(cur.take());
                cur = Some((k, c.to_string()));
            }
            (None, _) => out.extend(cur.take()),
        }
    }
    out.extend(cur);
    out
}

/// Latin runs as pinyin: tone digits dropped (`qi2cheng2` → `qicheng`), and consecutive runs
/// of one syllable each joined (`qi cheng` → `qicheng`, `da mi` → `dami`), so syllables typed
/// with spaces match the word they spell rather than unrelated words starting with each.
/// Runs of several syllables each (`daohua dami`) stay separate words.
fn join_syllables(runs: Vec<(bool, String)>) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::with_capacity(runs.len());
    let mut group: Vec<String> = Vec::new();
    let flush = |group: &mut Vec<String>, out: &mut Vec<(bool, String)>| {
        if !group.is_empty() {
            out.push((false, group.concat()));
            group.clear();
        }
    };
    for (han, run) in runs {
        let run = if han {
            run
        } else {
            strip_tone_digits(&run).unwrap_or(run)
        };
        if !han && is_syllable(&run) {
            group.push(run);
            continue;
        }
        flush(&mut group, &mut out);
        out.push((han, run));
    }
    flush(&mut group, &mut out);
    out
}

impl Analyzer {
    /// The analyzer with the shipped vocabulary.
    pub fn new() -> Self {
        Self::with_lexicon(Lexicon::defaults())
    }

    /// The analyzer with this vocabulary (the shipped defaults merged with a county's words).
    pub fn with_lexicon(lexicon: Lexicon) -> Self {
        let mut jieba = Jieba::new();
        for w in lexicon.all_han_words() {
            jieba.add_word(w, Some(50_000), None);
        }
        let mut synonyms: HashMap<String, Vec<String>> = HashMap::new();
        for group in &lexicon.synonyms {
            for w in group {
                let entry = synonyms.entry(w.clone()).or_insert_with(|| vec![w.clone()]);
                for g in group {
                    if !entry.contains(g) {
                        entry.push(g.clone());
                    }
                }
            }
        }
        let readings: HashMap<String, Vec<String>> = lexicon
            .words
            .iter()
            .filter(|w| !w.reading.is_empty())
            .map(|w| (w.word.clone(), w.reading.clone()))
            .collect();
        let known: HashSet<String> = lexicon.all_han_words().map(str::to_owned).collect();
        let english: HashSet<String> = lexicon
            .english
            .iter()
            .flat_map(|e| e.english.iter().cloned())
            .collect();
        let mut me = Self {
            jieba,
            lexicon: Lexicon::default(),
            synonyms,
            pinyin_synonyms: HashMap::new(),
            english,
            readings,
            known,
            by_sound: HashMap::new(),
        };
        let mut pinyin_synonyms: HashMap<String, Vec<String>> = HashMap::new();
        let mut add = |key: String, words: &[String]| {
            let entry = pinyin_synonyms.entry(key).or_default();
            for w in words {
                if !entry.contains(w) {
                    entry.push(w.clone());
                }
            }
        };
        for group in &lexicon.synonyms {
            for w in group {
                add(me.word_pinyin(w).0, group);
            }
        }
        for name in &lexicon.english {
            let mut words = name.chinese.clone();
            for c in &name.chinese {
                for s in me.synonyms_of(c) {
                    if !words.contains(&s) {
                        words.push(s);
                    }
                }
            }
            for e in &name.english {
                add(e.clone(), &words);
            }
        }
        let mut by_sound = HashMap::new();
        for w in lexicon.all_han_words() {
            if w.chars().count() >= 2 {
                by_sound
                    .entry(me.word_pinyin(w).0)
                    .or_insert_with(|| w.to_owned());
            }
        }
        me.pinyin_synonyms = pinyin_synonyms;
        me.by_sound = by_sound;
        me.lexicon = lexicon;
        me
    }

    /// The vocabulary this analyzer was built with.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Synonym groups and the words each pinyin or English name stands for, as Meilisearch's
    /// synonym setting takes them (word → the words it also finds).
    pub fn synonym_map(&self) -> HashMap<String, Vec<String>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for (w, group) in self.synonyms.iter().chain(self.pinyin_synonyms.iter()) {
            let others: Vec<String> = group.iter().filter(|o| *o != w).cloned().collect();
            if !others.is_empty() {
                let entry = out.entry(w.clone()).or_default();
                for o in others {
                    if !entry.contains(&o) {
                        entry.push(o);
                    }
                }
            }
        }
        out
    }

    /// English names: matched exactly (Meilisearch is told to allow no typos on them).
    pub fn english_words(&self) -> Vec<String> {
        let mut v: Vec<String> = self.english.iter().cloned().collect();
        v.sort();
        v
    }

    /// Whether the vocabulary knows this word.
    pub fn is_known(&self, word: &str) -> bool {
        self.known.contains(word)
    }

    /// The vocabulary word (two characters or more) with this full pinyin, if any.
    pub fn known_by_sound(&self, pinyin: &str) -> Option<String> {
        self.by_sound.get(pinyin).cloned()
    }

    /// Every reading of a word, its own (from the vocabulary) first.
    pub fn word_readings(&self, word: &str) -> Vec<Vec<String>> {
        super::pinyin::word_readings(word, self.readings.get(word).map(Vec::as_slice))
    }

    /// Full pinyin and initials of a word in its preferred reading: 苹果 → ("pingguo", "pg"),
    /// 重庆 → ("chongqing", "cq"). Latin letters and digits are kept as they are in both.
    pub fn word_pinyin(&self, word: &str) -> (String, String) {
        self.word_readings(word)
            .first()
            .map(|r| full_and_initials(r))
            .unwrap_or_default()
    }

    /// Words of a text as jieba cuts it (no overlaps), Han and Latin only, lower case.
    pub fn words(&self, text: &str) -> Vec<String> {
        let norm = normalize_doc(text);
        self.jieba
            .cut(&norm, true)
            .into_iter()
            .map(|t| t.word.trim().to_owned())
            .filter(|w| w.chars().any(|c| is_han(c) || is_latin(c)))
            .collect()
    }

    /// Index tokens of a text in search mode: every word and the dictionary words inside it.
    pub fn index_words(&self, text: &str) -> Vec<String> {
        let norm = normalize_doc(text);
        self.jieba
            .cut_for_search(&norm, true)
            .into_iter()
            .map(|t| t.word.trim().to_owned())
            .filter(|w| w.chars().any(|c| is_han(c) || is_latin(c)))
            .collect()
    }

    /// The Han characters of a text, space-separated (for single-character matching).
    pub fn chars(&self, text: &str) -> String {
        let cs: Vec<String> = text
            .chars()
            .filter(|c| is_han(*c))
            .map(|c| String::from(fold_char(c)))
            .collect();
        cs.join(" ")
    }

    /// Pinyin tokens of a text: per word its full pinyin and initials, and the concatenation of
    /// each run of consecutive words starting at a word (so typing several syllables without
    /// spaces, from any word on, still matches by prefix).
    pub fn pinyin_tokens(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |t: String| {
            if !t.is_empty() && !out.contains(&t) {
                out.push(t);
            }
        };
        // Every word and sub-word (search mode), so 苹果 inside 红富士苹果 has its own pinyin.
        for w in self
            .index_words(text)
            .iter()
            .filter(|w| w.chars().any(is_han))
        {
            for reading in self.word_readings(w) {
                let (full, initials) = full_and_initials(&reading);
                push(full);
                push(initials);
            }
        }
        // Runs of consecutive words, so several syllables typed together match by prefix.
        let words: Vec<(String, String)> = self
            .words(text)
            .iter()
            .filter(|w| w.chars().any(is_han))
            .map(|w| self.word_pinyin(w))
            .collect();
        let n = words.len().min(12);
        for i in 0..n.saturating_sub(1) {
            push(words[i..n].iter().map(|w| w.0.as_str()).collect());
            push(words[i..n].iter().map(|w| w.1.as_str()).collect());
        }
        // Latin words of the title (Organic, Kiwi, 5kg's unit aside) join the field typos are
        // forgiven in, so `organik` finds "Organic 富硒大米" on both engines.
        for (han, run) in runs(&normalize(text)) {
            if han {
                continue;
            }
            for w in run.split(|c: char| !c.is_ascii_alphanumeric()) {
                if w.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic()) {
                    push(w.to_ascii_lowercase());
                }
            }
        }
        out
    }

    fn synonyms_of(&self, word: &str) -> Vec<String> {
        self.synonyms
            .get(word)
            .map(|g| g.iter().filter(|w| *w != word).cloned().collect())
            .unwrap_or_default()
    }

    /// Understands a query. Empty or all-punctuation input gives an empty query.
    pub fn analyze(&self, query: &str) -> AnalyzedQuery {
        let norm = normalize(query);
        let mut parts = Vec::new();
        for (han, run) in join_syllables(runs(&norm)) {
            if han {
                for t in self.jieba.cut(&run, true) {
                    let word = t.word.to_owned();
                    if word.is_empty() {
                        continue;
                    }
                    let synonyms = self.synonyms_of(&word);
                    parts.push(QueryPart::Han { word, synonyms });
                }
            } else {
                let synonyms = self.pinyin_synonyms.get(&run).cloned().unwrap_or_default();
                let exact = self.english.contains(&run);
                parts.push(QueryPart::Latin {
                    text: run,
                    synonyms,
                    exact,
                });
            }
            if parts.len() >= 16 {
                break;
            }
        }
        AnalyzedQuery { parts }
    }

    /// The title as HTML with the words the query matched wrapped in `<mark>`, everything else
    /// escaped. Both engines use this, so highlights look the same whichever serves.
    pub fn highlight(&self, title: &str, query: &AnalyzedQuery) -> String {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        // Folded like the query, so a traditional title shows what a simplified query matched.
        let lower: String = title.to_lowercase().chars().map(fold_char).collect();
        let mark_all = |needle: &str, ranges: &mut Vec<(usize, usize)>| {
            if needle.is_empty() || lower.len() != title.len() {
                return;
            }
            let mut from = 0;
            while let Some(i) = lower[from..].find(needle) {
                let start = from + i;
                ranges.push((start, start + needle.len()));
                from = start + needle.len();
            }
        };
        // Title words with byte offsets, for pinyin matches.
        let tokens = self
            .jieba
            .tokenize(title, jieba_rs::TokenizeMode::Search, true);
        for part in &query.parts {
            match part {
                QueryPart::Han { word, synonyms } => {
                    mark_all(word, &mut ranges);
                    for s in synonyms {
                        mark_all(s, &mut ranges);
                    }
                }
                QueryPart::Latin {
                    text,
                    synonyms,
                    exact,
                } => {
                    mark_all(text, &mut ranges);
                    for s in synonyms {
                        mark_all(s, &mut ranges);
                    }
                    if *exact {
                        continue;
                    }
                    for t in &tokens {
                        if !t.word.chars().any(is_han) {
                            continue;
                        }
                        let hit = self.word_readings(t.word).iter().any(|r| {
                            let (full, initials) = full_and_initials(r);
                            full.starts_with(text.as_str())
                                || initials.starts_with(text.as_str())
                                || text.starts_with(full.as_str())
                                || (typo_budget(text) > 0
                                    && within_distance(text, &full, typo_budget(text)))
                        });
                        if hit {
                            ranges.push((t.byte_start, t.byte_end));
                        }
                    }
                }
                QueryPart::Sounds { word, pinyin } => {
                    mark_all(word, &mut ranges);
                    for t in &tokens {
                        if t.word.chars().any(is_han)
                            && self
                                .word_readings(t.word)
                                .iter()
                                .any(|r| r.concat() == *pinyin)
                        {
                            ranges.push((t.byte_start, t.byte_end));
                        }
                    }
                }
                QueryPart::Characters { word } => {
                    mark_all(word, &mut ranges);
                    let mut buf = [0u8; 4];
                    for c in word.chars() {
                        mark_all(c.encode_utf8(&mut buf), &mut ranges);
                    }
                }
            }
        }
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in ranges {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let mut out = String::with_capacity(title.len() + 16 * merged.len());
        let mut at = 0;
        for (s, e) in merged {
            if s < at || !title.is_char_boundary(s) || !title.is_char_boundary(e) {
                continue;
            }
            escape_into(&mut out, &title[at..s]);
            out.push_str("<mark>");
            escape_into(&mut out, &title[s..e]);
            out.push_str("</mark>");
            at = e;
        }
        escape_into(&mut out, &title[at..]);
        out
    }
}

/// Documents keep their characters but lose control characters; Latin is lower-cased.
fn normalize_doc(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                ' '
            } else {
                fold_char(c.to_ascii_lowercase())
            }
        })
        .collect()
}

/// HTML-escapes text (the five characters that matter).
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Whether `a` is within `max` edits of a prefix of `b` of about the same length (the typo
/// rule for pinyin, as a search engine's prefix-fuzzy match applies it).
fn within_distance(a: &str, b: &str, max: u8) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let max = usize::from(max);
    let mut best = usize::MAX;
    for len in a.len().saturating_sub(max)..=(a.len() + max).min(b.len()) {
        best = best.min(levenshtein(&a, &b[..len]));
    }
    best <= max
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        Analyzer::new()
    }

    #[test]
    fn full_width_operators_and_control_characters_are_normalised_away() {
        assert_eq!(normalize("ＰＩＮＧＧＵＯ　苹果"), "pingguo 苹果");
        assert_eq!(normalize("a\u{0}b\"c*d(e)-f:g"), "a b c d e  f g");
        assert_eq!(
            normalize(&"苹".repeat(10_000)).chars().count(),
            MAX_QUERY_CHARS
        );
    }

    #[test]
    fn mixed_input_splits_into_han_and_latin_parts() {
        let q = analyzer().analyze("pg醋 红富士");
        assert!(matches!(&q.parts[0], QueryPart::Latin { text, .. } if text == "pg"));
        assert!(matches!(&q.parts[1], QueryPart::Han { word, .. } if word == "醋"));
        assert!(matches!(&q.parts[2], QueryPart::Han { word, .. } if word == "红富士"));
    }

    #[test]
    fn a_synonym_widens_the_word_and_its_pinyin() {
        let a = analyzer();
        let q = a.analyze("土豆");
        let QueryPart::Han { synonyms, .. } = &q.parts[0] else {
            panic!("a Han part")
        };
        assert!(synonyms.contains(&"马铃薯".to_owned()) && synonyms.contains(&"洋芋".to_owned()));
        let q = a.analyze("tudou");
        let QueryPart::Latin { synonyms, .. } = &q.parts[0] else {
            panic!("a Latin part")
        };
        assert!(synonyms.contains(&"马铃薯".to_owned()), "{synonyms:?}");
    }

    #[test]
    fn pinyin_tokens_cover_words_initials_and_runs() {
        let t = analyzer().pinyin_tokens("烟台红富士苹果");
        for want in ["pingguo", "pg", "hongfushi", "hfs", "hongfushipingguo"] {
            assert!(t.contains(&want.to_owned()), "{want} missing from {t:?}");
        }
    }

    #[test]
    fn the_search_segmentation_finds_words_inside_longer_ones() {
        let words = analyzer().index_words("五常稻花香大米");
        assert!(words.contains(&"大米".to_owned()), "{words:?}");
    }

    #[test]
    fn highlights_mark_matched_words_and_escape_the_rest() {
        let a = analyzer();
        let h = a.highlight("烟台<红富士>苹果", &a.analyze("苹果"));
        assert_eq!(h, "烟台&lt;红富士&gt;<mark>苹果</mark>", "{h}");
        let h = a.highlight("赣南脐橙 10斤装", &a.analyze("qicheng"));
        assert!(h.contains("<mark>脐橙</mark>"), "{h}");
        let h = a.highlight("本地马铃薯", &a.analyze("土豆"));
        assert!(h.contains("<mark>马铃薯</mark>"), "{h}");
    }

    #[test]
    fn typos_are_allowed_by_length() {
        assert_eq!(typo_budget("pg"), 0);
        assert_eq!(typo_budget("pinguo"), 1);
        assert_eq!(typo_budget("hongfushipingguo"), 2);
        assert!(within_distance("pinguo", "pingguo", 1));
        assert!(!within_distance("xyzzy", "pingguo", 1));
    }

    #[test]
    fn traditional_characters_fold_to_simplified() {
        assert_eq!(normalize("臍橙"), "脐橙");
        assert_eq!(normalize("筍乾"), "笋干");
        assert_eq!(normalize("蘋果 雞蛋 蜂蜜"), "苹果 鸡蛋 蜂蜜");
        assert_eq!(fold_char('麵'), '面');
        assert_eq!(fold_char('脐'), '脐', "simplified stays");
        assert_eq!(fold_char('a'), 'a');
        assert!(TS_CHARACTERS.len() > 4000, "the whole OpenCC table loaded");
    }

    #[test]
    fn a_traditional_query_is_understood_as_its_simplified_form() {
        let a = analyzer();
        for (traditional, simplified) in [
            ("臍橙", "脐橙"),
            ("筍乾", "笋干"),
            ("贛南臍橙", "赣南脐橙"),
            ("紅富士蘋果", "红富士苹果"),
            ("農家土雞蛋", "农家土鸡蛋"),
            ("馬鈴薯", "马铃薯"),
        ] {
            assert_eq!(
                a.analyze(traditional),
                a.analyze(simplified),
                "{traditional}"
            );
        }
        let synonyms = a.analyze("馬鈴薯");
        assert!(
            matches!(&synonyms.parts[0], QueryPart::Han { synonyms, .. } if synonyms.contains(&"土豆".to_owned())),
            "synonyms of the folded word: {synonyms:?}"
        );
    }

    #[test]
    fn a_title_typed_in_traditional_characters_is_indexed_folded_and_highlighted() {
        let a = analyzer();
        assert!(a.index_words("贛南臍橙 5斤").contains(&"脐橙".to_owned()));
        assert_eq!(a.chars("臍橙"), "脐 橙");
        assert!(a.pinyin_tokens("手工筍乾").contains(&"sungan".to_owned()));
        let q = a.analyze("脐橙");
        assert_eq!(a.highlight("贛南臍橙", &q), "贛南<mark>臍橙</mark>");
    }
}
