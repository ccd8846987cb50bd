//! How a search is tried — one place, the same for both engines (#21). An engine only runs an
//! [`AnalyzedQuery`] with every part required ([`SearchIndex::search_analyzed`]); this module
//! decides which queries to run:
//!
//! 1. The query as typed, understood ([`Analyzer::analyze`]: folding, pinyin syllables joined,
//!    synonyms, English names). When it finds at least [`RELAX_BELOW`] listings, that is the
//!    answer.
//! 2. Homophones: Chinese words of two or more characters also matched through their pinyin
//!    (大咪 finds 大米). Tried only when step 1 found too little, so exact matches always rank
//!    above homophones.
//! 3. Characters apart: a Chinese word also matched when all its characters are in the title,
//!    not necessarily together (香米 in 稻花香大米).
//! 4. Relaxation: words are dropped, least informative first — words no listing has at all,
//!    then words the vocabulary does not know (modifiers: 正宗, 野生) before produce words it
//!    knows, the most common first (highest document frequency), later words before earlier —
//!    until enough listings match. Document frequency alone is not enough: in the demo
//!    catalogue 野生 is rarer than 蜂蜜, yet `蜂蜜 正宗 野生` is a search for honey.
//!    The response names the dropped words ([`QueryNotes`]); the search page says so.
//!
//! Whenever step 1 found too little, a spelling suggestion is offered when a typed word sounds
//! like a vocabulary word (平果 → 苹果).

use super::text::{AnalyzedQuery, Analyzer, QueryPart};
use super::{QueryNotes, SearchError, SearchIndex, SearchRequest, SearchResponse, Sort};

/// Fewer hits than this from the query as typed and the next attempts are tried.
pub const RELAX_BELOW: u64 = 1;

/// Relaxation considers at most this many words (each costs a count).
const MAX_RELAXED_PARTS: usize = 8;

impl Analyzer {
    /// Step 2: Chinese words matched through their sound too; `None` when no part changes.
    pub fn by_sound(&self, q: &AnalyzedQuery) -> Option<AnalyzedQuery> {
        let mut changed = false;
        let parts = q
            .parts
            .iter()
            .map(|p| match p {
                QueryPart::Han { word, synonyms }
                    if synonyms.is_empty() && word.chars().count() >= 2 =>
                {
                    changed = true;
                    QueryPart::Sounds {
                        word: word.clone(),
                        pinyin: self.word_pinyin(word).0,
                    }
                }
                other => other.clone(),
            })
            .collect();
        changed.then_some(AnalyzedQuery { parts })
    }

    /// Step 3: Chinese words whose characters may stand apart; `None` when no part changes.
    pub fn by_characters(&self, q: &AnalyzedQuery) -> Option<AnalyzedQuery> {
        let mut changed = false;
        let parts = q
            .parts
            .iter()
            .map(|p| match p {
                QueryPart::Han { word, synonyms }
                    if synonyms.is_empty() && word.chars().count() >= 2 =>
                {
                    changed = true;
                    QueryPart::Characters { word: word.clone() }
                }
                other => other.clone(),
            })
            .collect();
        changed.then_some(AnalyzedQuery { parts })
    }

    /// "Did you mean": each typed Chinese word the vocabulary does not know replaced by a
    /// vocabulary word that sounds the same, and pinyin by the word it spells; `None` when
    /// nothing would change.
    pub fn suggest(&self, q: &AnalyzedQuery) -> Option<String> {
        let mut changed = false;
        let words: Vec<String> = q
            .parts
            .iter()
            .map(|p| {
                let (typed, sound) = match p {
                    QueryPart::Han { word, .. } if !self.is_known(word) => {
                        (word.clone(), Some(self.word_pinyin(word).0))
                    }
                    QueryPart::Latin {
                        text, exact: false, ..
                    } => (text.clone(), Some(text.clone())),
                    other => (other.text().to_owned(), None),
                };
                match sound.and_then(|s| self.known_by_sound(&s)) {
                    Some(known) if known != typed => {
                        changed = true;
                        known
                    }
                    _ => typed,
                }
            })
            .collect();
        changed.then(|| words.join(" "))
    }
}

/// Runs a search the way the module comment describes, on any engine.
pub async fn run<E: SearchIndex + ?Sized>(
    engine: &E,
    request: &SearchRequest,
) -> Result<SearchResponse, SearchError> {
    let analyzer = engine.analyzer();
    let query = analyzer.analyze(&request.query);
    let first = engine.search_analyzed(request, &query).await?;
    if first.total >= RELAX_BELOW || query.is_empty() {
        return Ok(first);
    }
    let suggestion = analyzer.suggest(&query);
    let loosened = [analyzer.by_sound(&query), analyzer.by_characters(&query)];
    for loose in loosened.into_iter().flatten() {
        let mut r = engine.search_analyzed(request, &loose).await?;
        if r.total >= RELAX_BELOW {
            r.notes = QueryNotes {
                suggestion,
                ..QueryNotes::default()
            };
            return Ok(r);
        }
    }
    if let Some(mut r) = relax(engine, request, &query).await? {
        r.notes.suggestion = suggestion;
        return Ok(r);
    }
    let mut r = first;
    r.notes.suggestion = suggestion;
    Ok(r)
}

/// Step 4; `None` when no smaller query finds enough.
async fn relax<E: SearchIndex + ?Sized>(
    engine: &E,
    request: &SearchRequest,
    query: &AnalyzedQuery,
) -> Result<Option<SearchResponse>, SearchError> {
    let parts: Vec<&QueryPart> = query.parts.iter().take(MAX_RELAXED_PARTS).collect();
    if parts.len() < 2 {
        return Ok(None);
    }
    let analyzer = engine.analyzer();
    // Document frequency of each word alone, under the same filters.
    let count = SearchRequest {
        page: 1,
        per_page: 1,
        sort: Sort::Relevance,
        ..request.clone()
    };
    let mut df = Vec::with_capacity(parts.len());
    for p in &parts {
        let alone = AnalyzedQuery {
            parts: vec![(*p).clone()],
        };
        df.push(engine.search_analyzed(&count, &alone).await?.total);
    }
    let mut keep: Vec<usize> = (0..parts.len()).filter(|i| df[*i] > 0).collect();
    while !keep.is_empty() {
        if keep.len() < parts.len() {
            let kept = AnalyzedQuery {
                parts: keep.iter().map(|i| parts[*i].clone()).collect(),
            };
            let mut r = engine.search_analyzed(request, &kept).await?;
            if r.total >= RELAX_BELOW {
                r.notes = QueryNotes {
                    dropped: (0..parts.len())
                        .filter(|i| !keep.contains(i))
                        .map(|i| parts[i].text().to_owned())
                        .collect(),
                    kept: kept.parts.iter().map(|p| p.text().to_owned()).collect(),
                    suggestion: None,
                };
                return Ok(Some(r));
            }
        }
        if keep.len() <= 1 {
            break;
        }
        // Modifiers (正宗, 野生, 新鲜) before produce words the vocabulary knows, then the most
        // common, then the later.
        let least = keep
            .iter()
            .copied()
            .max_by_key(|i| (!analyzer.is_known(parts[*i].text()), df[*i], *i));
        keep.retain(|i| Some(*i) != least);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homophones_and_characters_apart_are_later_attempts() {
        let a = Analyzer::new();
        let q = a.analyze("大咪");
        let sound = a.by_sound(&q).map(|q| q.as_words());
        assert_eq!(sound.as_deref(), Some("dami"));
        let apart = a.by_characters(&a.analyze("香米")).map(|q| q.as_words());
        assert_eq!(apart.as_deref(), Some("香 米"));
        assert_eq!(
            a.by_sound(&a.analyze("橙")),
            None,
            "single characters stay exact"
        );
        assert_eq!(a.by_sound(&a.analyze("pingguo")), None);
    }

    #[test]
    fn suggestions_replace_unknown_words_by_known_ones_that_sound_the_same() {
        let a = Analyzer::new();
        assert_eq!(a.suggest(&a.analyze("平果")).as_deref(), Some("苹果"));
        assert_eq!(a.suggest(&a.analyze("大咪")).as_deref(), Some("大米"));
        assert_eq!(a.suggest(&a.analyze("苹果")), None);
        assert_eq!(a.suggest(&a.analyze("xyz")), None);
    }
}
