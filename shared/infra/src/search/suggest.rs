//! Search as you type (#21): after each keystroke, the names a shopper is probably typing —
//! product names from titles, words inside titles, categories and places — by prefix of their
//! characters, their full pinyin or their initials (`qic`, `qc`, `脐` all give 脐橙), most
//! popular first.
//!
//! The embedded engine keeps a [`Suggester`] in memory beside its index: a sorted map from
//! every key (characters, pinyin, initials) to the names it starts, and per name how many
//! listings carry it and how popular they are (sales, and stock: a name of listings that are
//! in stock ranks above one that is sold out). A prefix is a range walk of the sorted map, so
//! a keystroke costs microseconds however large the catalogue (see `tests/load/search.sh`,
//! suggest mode). Listings are added and removed as the index upserts and deletes them.
//!
//! Meilisearch answers from its own prefix search ([`by_search`]): the names of the top hits.

use super::text::{Analyzer, is_han, normalize};
use super::{SearchDoc, SearchError, SearchIndex, SearchRequest, Sort};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{PoisonError, RwLock};
use uuid::Uuid;

/// Most suggestions one request may ask for.
pub const MAX_SUGGESTIONS: usize = 10;

/// Longest prefix considered, in characters (a longer input is a search, not a prefix).
pub const MAX_PREFIX_CHARS: usize = 30;

/// Keys walked per request at most, so a one-letter prefix over a million listings stays cheap.
const MAX_KEYS_WALKED: usize = 20_000;

/// Where a suggestion comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// A product name: a listing title up to its first space (赣南脐橙, without "10斤装").
    Title,
    /// A word inside titles (脐橙 in 赣南脐橙).
    Word,
    /// A category name, in Chinese or English.
    Category,
    /// A place: township, county, city, province.
    Place,
}

/// One suggestion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    /// What to put in the search box.
    pub text: String,
    pub kind: SuggestionKind,
    /// How many listings in the index carry it.
    pub listings: u64,
    /// How many leading characters of `text` the typed prefix covers, by characters, full
    /// pinyin or initials (`qic` covers 脐橙's two, `脐` one), for the page to highlight.
    pub matched: usize,
}

#[derive(Debug)]
struct Entry {
    text: String,
    kind: SuggestionKind,
    keys: Vec<String>,
    listings: u64,
    /// Popularity: the listings' sales, plus a bonus per listing in stock.
    weight: i64,
}

#[derive(Debug, Default)]
struct State {
    entries: Vec<Option<Entry>>,
    free: Vec<u32>,
    by_name: HashMap<(SuggestionKind, String), u32>,
    keys: BTreeMap<String, Vec<u32>>,
    /// What each listing contributed: its entries and its weight.
    docs: HashMap<Uuid, (Vec<u32>, i64)>,
}

/// The in-memory suggestion structure of the embedded engine. Thread-safe.
#[derive(Debug, Default)]
pub struct Suggester {
    state: RwLock<State>,
}

/// A listing's popularity as suggestions weigh it.
fn weight_of(d: &SearchDoc) -> i64 {
    1 + d.sales.clamp(0, 1_000_000) + if d.in_stock { 100 } else { 0 }
}

/// The key a text is looked up by: normalised (folded, lower case, half-width), no spaces.
fn key_of(text: &str) -> String {
    normalize(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn is_place(word: &str) -> bool {
    word.chars().count() >= 2 && word.ends_with(['省', '市', '县', '区', '镇', '乡', '村'])
}

/// The names a listing gives suggestions.
fn names_of(a: &Analyzer, d: &SearchDoc) -> Vec<(SuggestionKind, String)> {
    let mut out: Vec<(SuggestionKind, String)> = Vec::new();
    let mut push = |kind, text: String| {
        if !text.is_empty() && text.chars().count() <= 40 && !out.contains(&(kind, text.clone())) {
            out.push((kind, text));
        }
    };
    let name = d.title.split_whitespace().next().unwrap_or_default();
    push(SuggestionKind::Title, super::text::fold(name));
    // Search mode: the words inside longer ones too (脐橙 inside 赣南脐橙).
    for w in a.index_words(&d.title) {
        if w.chars().filter(|c| is_han(*c)).count() >= 2 && w.chars().all(is_han) {
            push(SuggestionKind::Word, w);
        }
    }
    if let Some(t) = &d.township {
        push(SuggestionKind::Place, super::text::fold(t));
    }
    for w in a.words(&d.keywords) {
        if w.chars().all(is_han) && w.chars().count() >= 2 {
            let kind = if is_place(&w) {
                SuggestionKind::Place
            } else {
                SuggestionKind::Category
            };
            push(kind, w);
        } else if w.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic()) {
            push(SuggestionKind::Category, w.to_ascii_lowercase());
        }
    }
    out
}

/// The keys of a name: its characters, its pinyin by words (word readings first), initials.
fn keys_of(a: &Analyzer, text: &str) -> Vec<String> {
    let mut keys = vec![key_of(text)];
    if text.chars().any(is_han) {
        let (mut full, mut initials) = (String::new(), String::new());
        for w in a.words(text) {
            let (f, i) = a.word_pinyin(&w);
            full.push_str(&f);
            initials.push_str(&i);
        }
        for k in [full, initials] {
            let k = key_of(&k);
            if !k.is_empty() && !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

impl State {
    fn entry_id(&mut self, a: &Analyzer, kind: SuggestionKind, text: &str) -> u32 {
        if let Some(id) = self.by_name.get(&(kind, text.to_owned())) {
            return *id;
        }
        let keys = keys_of(a, text);
        let entry = Entry {
            text: text.to_owned(),
            kind,
            keys: keys.clone(),
            listings: 0,
            weight: 0,
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.entries[id as usize] = Some(entry);
                id
            }
            None => {
                self.entries.push(Some(entry));
                u32::try_from(self.entries.len() - 1).unwrap_or(u32::MAX)
            }
        };
        for k in keys {
            self.keys.entry(k).or_default().push(id);
        }
        self.by_name.insert((kind, text.to_owned()), id);
        id
    }

    fn remove_doc(&mut self, id: &Uuid) {
        let Some((entries, weight)) = self.docs.remove(id) else {
            return;
        };
        for e in entries {
            let Some(Some(entry)) = self.entries.get_mut(e as usize) else {
                continue;
            };
            entry.listings = entry.listings.saturating_sub(1);
            entry.weight -= weight;
            if entry.listings == 0 {
                let entry = self.entries[e as usize].take();
                if let Some(entry) = entry {
                    for k in &entry.keys {
                        if let Some(ids) = self.keys.get_mut(k) {
                            ids.retain(|x| *x != e);
                            if ids.is_empty() {
                                self.keys.remove(k);
                            }
                        }
                    }
                    self.by_name.remove(&(entry.kind, entry.text));
                }
                self.free.push(e);
            }
        }
    }

    fn add_doc(&mut self, a: &Analyzer, d: &SearchDoc) {
        self.remove_doc(&d.id);
        let weight = weight_of(d);
        let mut ids = Vec::new();
        for (kind, text) in names_of(a, d) {
            let e = self.entry_id(a, kind, &text);
            if let Some(Some(entry)) = self.entries.get_mut(e as usize) {
                entry.listings += 1;
                entry.weight += weight;
            }
            ids.push(e);
        }
        self.docs.insert(d.id, (ids, weight));
    }
}

impl Suggester {
    /// Adds listings (or replaces them: a listing upserted again counts once).
    pub fn add(&self, a: &Analyzer, docs: &[SearchDoc]) {
        let mut s = self.state.write().unwrap_or_else(PoisonError::into_inner);
        for d in docs {
            s.add_doc(a, d);
        }
    }

    /// Removes listings; unknown ids are fine.
    pub fn remove(&self, ids: &[Uuid]) {
        let mut s = self.state.write().unwrap_or_else(PoisonError::into_inner);
        for id in ids {
            s.remove_doc(id);
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = State::default();
    }

    /// How many listings it holds.
    pub fn len(&self) -> usize {
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .docs
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Names starting with `prefix` (characters, pinyin or initials), most popular first.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        let q: String = key_of(&prefix.chars().take(MAX_PREFIX_CHARS).collect::<String>());
        if q.is_empty() || limit == 0 {
            return Vec::new();
        }
        let s = self.state.read().unwrap_or_else(PoisonError::into_inner);
        let mut found: Vec<u32> = Vec::new();
        for (k, ids) in s.keys.range(q.clone()..).take(MAX_KEYS_WALKED) {
            if !k.starts_with(&q) {
                break;
            }
            found.extend(ids.iter().copied());
        }
        found.sort_unstable();
        found.dedup();
        let mut entries: Vec<&Entry> = found
            .iter()
            .filter_map(|id| s.entries.get(*id as usize).and_then(Option::as_ref))
            .collect();
        // The most popular first; among equals the shorter name (the more general one), then
        // words and categories before whole titles.
        entries.sort_by(|a, b| {
            b.weight
                .cmp(&a.weight)
                .then(a.text.chars().count().cmp(&b.text.chars().count()))
                .then(b.kind.cmp(&a.kind))
                .then(a.text.cmp(&b.text))
        });
        let mut out: Vec<Suggestion> = Vec::with_capacity(limit);
        for e in entries {
            // The same text from two sources (a title that is one word) is shown once.
            if out.iter().any(|o| o.text == e.text) {
                continue;
            }
            out.push(Suggestion {
                text: e.text.clone(),
                kind: e.kind,
                listings: e.listings,
                matched: 0,
            });
            if out.len() >= limit {
                break;
            }
        }
        out
    }
}

/// How many leading characters of `text` the typed `prefix` covers, matched as the
/// [`Suggester`] matches (characters, full pinyin in the word's preferred reading, initials);
/// 0 when it does not start the text (Meilisearch's prefix search found it otherwise).
pub fn matched_chars(a: &Analyzer, text: &str, prefix: &str) -> usize {
    let q = key_of(&prefix.chars().take(MAX_PREFIX_CHARS).collect::<String>());
    if q.is_empty() {
        return 0;
    }
    let chars: Vec<char> = text.chars().collect();
    // What each character of the text adds to the characters' key (nothing for a space).
    let keys: Vec<String> = chars.iter().map(|c| key_of(&c.to_string())).collect();
    let mut best = covered(&keys, &q);
    if chars.iter().any(|c| is_han(*c)) {
        let (full, initials) = syllables_per_char(a, &chars, &keys);
        best = best.max(covered(&full, &q)).max(covered(&initials, &q));
    }
    best
}

/// How many leading pieces it takes for their concatenation to start with `q`; 0 when it
/// never does.
fn covered(pieces: &[String], q: &str) -> usize {
    let mut acc = String::new();
    for (i, p) in pieces.iter().enumerate() {
        acc.push_str(p);
        if acc.len() >= q.len() {
            return if acc.starts_with(q) { i + 1 } else { 0 };
        }
        if !q.starts_with(&acc) {
            return 0;
        }
    }
    0
}

/// Per character of a text, its syllable and initial in the reading [`keys_of`] uses (the
/// word's own reading first); empty for a character without one.
fn syllables_per_char(a: &Analyzer, chars: &[char], keys: &[String]) -> (Vec<String>, Vec<String>) {
    let mut full = vec![String::new(); chars.len()];
    let mut initials = vec![String::new(); chars.len()];
    let text: String = chars.iter().collect();
    let mut at = 0;
    for w in a.words(&text) {
        let mut syllables = a
            .word_readings(&w)
            .into_iter()
            .next()
            .unwrap_or_default()
            .into_iter();
        for wc in w.chars() {
            // The word's characters are the text's, folded: find this one.
            let wanted = wc.to_string();
            while at < chars.len() && keys[at] != wanted {
                at += 1;
            }
            if at >= chars.len() {
                break;
            }
            // A character without a reading (pinyin has none for it) takes no syllable.
            if (wc.is_ascii_alphanumeric() || !super::pinyin::char_readings(wc).is_empty())
                && let Some(s) = syllables.next()
            {
                initials[at] = s.chars().next().map(String::from).unwrap_or_default();
                full[at] = s;
            }
            at += 1;
        }
    }
    (full, initials)
}

/// Suggestions from an engine's own search (Meilisearch): the product names of the best hits
/// for the prefix, in their order.
pub async fn by_search<E: SearchIndex + ?Sized>(
    engine: &E,
    prefix: &str,
    limit: usize,
) -> Result<Vec<Suggestion>, SearchError> {
    let prefix: String = prefix.chars().take(MAX_PREFIX_CHARS).collect();
    let analyzer = engine.analyzer();
    let query = analyzer.analyze(&prefix);
    if query.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let request = SearchRequest {
        query: prefix,
        sort: Sort::Relevance,
        page: 1,
        per_page: (limit * 3) as u64,
        ..SearchRequest::default()
    };
    let r = engine.search_analyzed(&request, &query).await?;
    let mut out: Vec<Suggestion> = Vec::new();
    for h in r.hits {
        let name = super::text::fold(h.doc.title.split_whitespace().next().unwrap_or_default());
        let full = out.len() >= limit;
        match out.iter_mut().find(|s| s.text == name) {
            Some(s) => s.listings += 1,
            None if !full => out.push(Suggestion {
                text: name,
                kind: SuggestionKind::Title,
                listings: 1,
                matched: 0,
            }),
            None => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(n: u128, title: &str, sales: i64, in_stock: bool) -> SearchDoc {
        SearchDoc {
            id: Uuid::from_u128(n),
            title: title.to_owned(),
            keywords: "水果 Fruit 柑橘 Citrus 江西省赣州市青石县梅岭镇".to_owned(),
            category_ids: vec![],
            township: Some("梅岭镇".to_owned()),
            seller_id: Uuid::nil(),
            seller_name: String::new(),
            seller_kind: "cooperative".to_owned(),
            price_from: 100,
            unit: "box".to_owned(),
            in_stock,
            sales,
            credit: 0,
            created_at: 0,
            thumb_url: None,
        }
    }

    fn texts(s: &[Suggestion]) -> Vec<&str> {
        s.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn characters_pinyin_and_initials_find_the_same_names() {
        let a = Analyzer::new();
        let s = Suggester::default();
        s.add(
            &a,
            &[
                doc(1, "赣南脐橙 10斤装", 10, true),
                doc(2, "红富士苹果 5斤", 5, true),
            ],
        );
        for prefix in ["脐", "脐橙", "qic", "qicheng", "QC", "臍"] {
            assert!(texts(&s.suggest(prefix, 10)).contains(&"脐橙"), "{prefix}");
        }
        assert!(texts(&s.suggest("gan", 10)).contains(&"赣南脐橙"));
        assert!(texts(&s.suggest("pg", 10)).contains(&"苹果"));
        assert!(texts(&s.suggest("梅", 10)).contains(&"梅岭镇"));
        assert!(texts(&s.suggest("fru", 10)).contains(&"fruit"));
        assert!(s.suggest("", 10).is_empty());
        assert!(s.suggest("zzzz", 10).is_empty());
    }

    #[test]
    fn popular_and_in_stock_names_come_first_and_removed_listings_go() {
        let a = Analyzer::new();
        let s = Suggester::default();
        s.add(
            &a,
            &[
                doc(1, "苹果醋 1瓶", 0, false),
                doc(2, "苹果干 1袋", 500, true),
                doc(3, "苹果干 2袋", 10, true),
            ],
        );
        let got = s.suggest("苹果", 10);
        // The word all three share first, then the popular and stocked name before the
        // sold-out one.
        assert_eq!(texts(&got)[..3], ["苹果", "苹果干", "苹果醋"]);
        assert_eq!(got[1].listings, 2);
        s.remove(&[Uuid::from_u128(1)]);
        assert!(!texts(&s.suggest("苹果", 10)).contains(&"苹果醋"));
        // Upserting a listing again replaces it: still counted once.
        s.add(&a, &[doc(2, "苹果干 1袋", 500, true)]);
        assert_eq!(s.suggest("苹果干", 1).first().map(|g| g.listings), Some(2));
        assert_eq!(s.len(), 2);
        s.clear();
        assert!(s.is_empty() && s.suggest("苹果", 10).is_empty());
    }

    #[test]
    fn the_matched_part_is_counted_in_characters_whatever_was_typed() {
        let a = Analyzer::new();
        for (text, prefix, n) in [
            ("脐橙", "脐", 1),
            ("脐橙", "臍", 1),
            ("脐橙", "qic", 2),
            ("脐橙", "qi", 1),
            ("脐橙", "qicheng", 2),
            ("脐橙", "QC", 2),
            ("赣南脐橙", "gannanqi", 3),
            ("赣南脐橙", "gn", 2),
            ("重庆", "chongq", 2),
            ("fruit", "FRU", 3),
            ("梅岭镇", "梅岭镇", 3),
            ("脐橙", "xyz", 0),
            ("脐橙", "", 0),
            ("脐橙", "脐橙子", 0),
        ] {
            assert_eq!(matched_chars(&a, text, prefix), n, "{text} {prefix}");
        }
    }

    #[test]
    fn the_limit_is_kept() {
        let a = Analyzer::new();
        let s = Suggester::default();
        let docs: Vec<SearchDoc> = (0..50)
            .map(|i| doc(i, &format!("苹果{i}号 1斤"), i as i64, true))
            .collect();
        s.add(&a, &docs);
        assert_eq!(s.suggest("pg", 5).len(), 5);
    }
}
