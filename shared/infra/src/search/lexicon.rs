//! The search vocabulary as data: words segmentation keeps whole (with their readings), synonym
//! groups (short and colloquial names too) and English names. The defaults ship in
//! `data/lexicon.txt`; a county's additions use the same format and are merged on top
//! ([`Lexicon::merge`]). Both engines take it through the [`super::text::Analyzer`].

/// The vocabulary shipped with every installation.
pub const DEFAULT_LEXICON: &str = include_str!("data/lexicon.txt");

/// Longest word or English name accepted, in characters.
pub const MAX_WORD_CHARS: usize = 16;

/// A word to keep whole, with its reading when it has one of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LexiconWord {
    pub word: String,
    /// Pinyin syllables, lower case without tones (`["chong", "qing"]`); empty: the characters'
    /// readings.
    pub reading: Vec<String>,
}

/// English words and the Chinese words they stand for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnglishName {
    pub english: Vec<String>,
    pub chinese: Vec<String>,
}

/// A vocabulary: defaults, a county's additions, or both merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lexicon {
    pub words: Vec<LexiconWord>,
    pub synonyms: Vec<Vec<String>>,
    pub english: Vec<EnglishName>,
}

/// A line of a vocabulary file that could not be understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct LexiconError {
    pub line: usize,
    pub reason: String,
}

fn is_han_word(w: &str) -> bool {
    !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS && w.chars().all(super::text::is_han)
}

fn is_latin_word(w: &str) -> bool {
    !w.is_empty() && w.len() <= MAX_WORD_CHARS && w.chars().all(|c| c.is_ascii_lowercase())
}

impl Lexicon {
    /// The shipped defaults.
    pub fn defaults() -> Self {
        // The shipped file is tested to parse (see the tests below); a broken edit fails them.
        Self::parse(DEFAULT_LEXICON).unwrap_or_default()
    }

    /// Reads the format described in `data/lexicon.txt`. Traditional characters are folded,
    /// Latin is lower-cased.
    pub fn parse(text: &str) -> Result<Self, LexiconError> {
        #[derive(PartialEq)]
        enum Section {
            None,
            Words,
            Synonyms,
            English,
        }
        let mut out = Self::default();
        let mut section = Section::None;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let err = |reason: &str| LexiconError {
                line: i + 1,
                reason: reason.to_owned(),
            };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line {
                "[words]" => section = Section::Words,
                "[synonyms]" => section = Section::Synonyms,
                "[english]" => section = Section::English,
                _ if line.starts_with('[') => return Err(err("unknown section")),
                _ => match section {
                    Section::None => return Err(err("a line before the first [section]")),
                    Section::Words => out.words.push(Self::word_line(line).map_err(|r| err(&r))?),
                    Section::Synonyms => {
                        let group: Vec<String> =
                            line.split_whitespace().map(super::text::fold).collect();
                        if group.len() < 2 || !group.iter().all(|w| is_han_word(w)) {
                            return Err(err("a synonym group is two or more Chinese words"));
                        }
                        out.synonyms.push(group);
                    }
                    Section::English => {
                        let (en, zh) = line
                            .split_once('=')
                            .ok_or_else(|| err("english words = chinese words"))?;
                        let english: Vec<String> =
                            en.split_whitespace().map(str::to_ascii_lowercase).collect();
                        let chinese: Vec<String> =
                            zh.split_whitespace().map(super::text::fold).collect();
                        if english.is_empty()
                            || chinese.is_empty()
                            || !english.iter().all(|w| is_latin_word(w))
                            || !chinese.iter().all(|w| is_han_word(w))
                        {
                            return Err(err(
                                "English words are single words of letters; Chinese words are Han characters",
                            ));
                        }
                        out.english.push(EnglishName { english, chinese });
                    }
                },
            }
        }
        Ok(out)
    }

    fn word_line(line: &str) -> Result<LexiconWord, String> {
        let mut fields = line.split_whitespace();
        let word = super::text::fold(fields.next().unwrap_or_default());
        if !is_han_word(&word) {
            return Err(format!(
                "{word}: a word is 1 to {MAX_WORD_CHARS} Chinese characters"
            ));
        }
        let reading: Vec<String> = fields.map(str::to_ascii_lowercase).collect();
        if !reading.is_empty() {
            if reading.len() != word.chars().count() {
                return Err(format!("{word}: one syllable per character"));
            }
            if let Some(bad) = reading
                .iter()
                .find(|s| !super::pinyin::is_syllable(&s.replace('ü', "v")))
            {
                return Err(format!("{word}: {bad} is not a pinyin syllable"));
            }
        }
        Ok(LexiconWord {
            word,
            reading: reading.iter().map(|s| s.replace('ü', "v")).collect(),
        })
    }

    /// `other` added on top: its readings win, groups and names are appended.
    pub fn merge(&mut self, other: &Lexicon) {
        for w in &other.words {
            match self.words.iter_mut().find(|x| x.word == w.word) {
                Some(x) if !w.reading.is_empty() => x.reading = w.reading.clone(),
                Some(_) => {}
                None => self.words.push(w.clone()),
            }
        }
        self.synonyms.extend(other.synonyms.iter().cloned());
        self.english.extend(other.english.iter().cloned());
    }

    /// Every Chinese word the vocabulary names (words, synonyms, English names' targets).
    pub fn all_han_words(&self) -> impl Iterator<Item = &str> {
        self.words
            .iter()
            .map(|w| w.word.as_str())
            .chain(self.synonyms.iter().flatten().map(String::as_str))
            .chain(
                self.english
                    .iter()
                    .flat_map(|e| e.chinese.iter())
                    .map(String::as_str),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_vocabulary_parses() {
        let l = Lexicon::parse(DEFAULT_LEXICON).unwrap_or_else(|e| panic!("{e}"));
        assert!(l.words.len() > 50);
        assert!(l.synonyms.iter().any(|g| g.contains(&"马铃薯".to_owned())));
        let chongqing = l.words.iter().find(|w| w.word == "重庆");
        assert_eq!(
            chongqing.map(|w| w.reading.join(" ")),
            Some("chong qing".to_owned())
        );
        assert!(
            l.english
                .iter()
                .any(|e| e.english.contains(&"eggs".to_owned()))
        );
    }

    #[test]
    fn bad_lines_are_refused_with_their_number() {
        for (text, line) in [
            ("苹果", 1),
            ("[words]\n重庆 chong", 2),
            ("[words]\n重庆 chong xyz", 2),
            ("[synonyms]\n土豆", 2),
            ("[english]\n\ntea 茶", 3),
            ("[english]\ngreen-tea = 绿茶", 2),
            ("[nonsense]", 1),
            ("[words]\napple", 2),
        ] {
            assert_eq!(
                Lexicon::parse(text).map_err(|e| e.line),
                Err(line),
                "{text}"
            );
        }
    }

    #[test]
    fn additions_merge_on_top() {
        let mut l = Lexicon::defaults();
        let county = Lexicon::parse("[words]\n重庆 zhong qing\n崇义\n[synonyms]\n脐橙 橙子\n")
            .unwrap_or_else(|e| panic!("{e}"));
        l.merge(&county);
        let chongqing = l.words.iter().find(|w| w.word == "重庆");
        assert_eq!(
            chongqing.map(|w| w.reading.join("")),
            Some("zhongqing".to_owned())
        );
        assert!(l.words.iter().any(|w| w.word == "崇义"));
        assert!(l.synonyms.iter().any(|g| g.contains(&"橙子".to_owned())));
    }
}
