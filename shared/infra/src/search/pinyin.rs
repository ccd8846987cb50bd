//! Pinyin for search: every reading of a character (the pinyin crate's heteronyms), the
//! readings of a word (its own reading from the vocabulary first), and the syllable table used
//! to understand Latin input typed with spaces or tone digits (`qi cheng`, `qi2cheng2`).

use pinyin::ToPinyinMulti;
use std::collections::HashSet;
use std::sync::LazyLock;

/// At most this many readings of one word are indexed (a word of polyphones multiplies them).
pub const MAX_READINGS: usize = 8;

/// Every plain syllable the characters of the Basic Multilingual Plane's main CJK block read as
/// (ü written v), built once from the pinyin crate's own table.
static SYLLABLES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut out = HashSet::new();
    for cp in 0x4E00u32..=0x9FFF {
        if let Some(c) = char::from_u32(cp) {
            out.extend(char_readings(c));
        }
    }
    out
});

/// Whether `s` is one pinyin syllable (`qi`, `cheng`, `lv`).
pub fn is_syllable(s: &str) -> bool {
    SYLLABLES.contains(s)
}

/// Whether `s` splits into pinyin syllables (`qicheng`, `xian`).
pub fn is_syllables(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !s.is_ascii() {
        return false;
    }
    // ok[i]: s[..i] splits. Syllables are at most 6 letters (zhuang, shuang).
    let mut ok = vec![false; b.len() + 1];
    ok[0] = true;
    for end in 1..=b.len() {
        ok[end] =
            (end.saturating_sub(6)..end).any(|start| ok[start] && is_syllable(&s[start..end]));
    }
    ok[b.len()]
}

/// Latin input with tone digits (`qi2cheng2`, `da4mi3`) as plain pinyin; `None` when the text
/// is not syllables with tone digits (a quantity such as `5kg` or `500ml` stays as it is).
pub fn strip_tone_digits(text: &str) -> Option<String> {
    let starts_with_letter = text.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let has_tone = text.chars().any(|c| ('1'..='5').contains(&c));
    let only_tones = text
        .chars()
        .all(|c| c.is_ascii_lowercase() || ('1'..='5').contains(&c));
    if !starts_with_letter || !has_tone || !only_tones {
        return None;
    }
    // Every digit ends a syllable.
    let mut plain = String::new();
    for piece in text.split(|c: char| c.is_ascii_digit()) {
        if !piece.is_empty() && !is_syllables(piece) {
            return None;
        }
        plain.push_str(piece);
    }
    Some(plain)
}

/// Every reading of a character, plain (ü as v), the dictionary's first reading first.
pub fn char_readings(c: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let plain = p.plain().replace('ü', "v");
            if !out.contains(&plain) {
                out.push(plain);
            }
        }
    }
    out
}

/// The readings of a word as syllables (Latin letters and digits kept, one piece each): the
/// vocabulary's reading first when there is one, then the characters' readings in dictionary
/// order, at most [`MAX_READINGS`]. Characters without a reading (punctuation) are left out.
pub fn word_readings(word: &str, own: Option<&[String]>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    if let Some(own) = own.filter(|r| !r.is_empty()) {
        out.push(own.to_vec());
    }
    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
    for c in word.chars() {
        let options: Vec<String> = if c.is_ascii_alphanumeric() {
            vec![c.to_ascii_lowercase().to_string()]
        } else {
            char_readings(c)
        };
        if options.is_empty() {
            continue;
        }
        let mut next = Vec::with_capacity(combos.len() * options.len());
        for combo in &combos {
            for o in &options {
                if next.len() >= MAX_READINGS {
                    break;
                }
                let mut c = combo.clone();
                c.push(o.clone());
                next.push(c);
            }
        }
        combos = next;
    }
    for c in combos {
        if !c.is_empty() && !out.contains(&c) && out.len() < MAX_READINGS {
            out.push(c);
        }
    }
    out
}

/// A reading written out in full and as initials: `["qi","cheng"]` → ("qicheng", "qc").
pub fn full_and_initials(reading: &[String]) -> (String, String) {
    let full = reading.concat();
    let initials = reading
        .iter()
        .filter_map(|s| s.chars().next())
        .collect::<String>();
    (full, initials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_come_from_the_character_table() {
        for s in ["qi", "cheng", "da", "mi", "zhuang", "lv", "a", "er"] {
            assert!(is_syllable(s), "{s}");
        }
        for s in ["q", "chen g", "kg", "ml", "egg"] {
            assert!(!is_syllable(s), "{s}");
        }
        assert!(is_syllables("qicheng") && is_syllables("xian") && is_syllables("dami"));
        assert!(!is_syllables("eggs") && !is_syllables("hf") && !is_syllables("kg"));
    }

    #[test]
    fn tone_digits_are_dropped_from_pinyin_only() {
        assert_eq!(strip_tone_digits("qi2cheng2"), Some("qicheng".to_owned()));
        assert_eq!(strip_tone_digits("da4mi3"), Some("dami".to_owned()));
        assert_eq!(strip_tone_digits("5kg"), None);
        assert_eq!(strip_tone_digits("500ml"), None);
        assert_eq!(strip_tone_digits("qicheng"), None, "nothing to strip");
        assert_eq!(strip_tone_digits("kg5"), None, "not syllables");
    }

    #[test]
    fn polyphones_have_every_reading_and_the_words_own_first() {
        let r = word_readings("重庆", Some(&["chong".to_owned(), "qing".to_owned()]));
        assert_eq!(r[0].concat(), "chongqing");
        assert!(r.iter().any(|r| r.concat() == "zhongqing"));
        let r = word_readings("长豆角", None);
        let all: Vec<String> = r.iter().map(|r| r.concat()).collect();
        assert!(all.contains(&"changdoujiao".to_owned()), "{all:?}");
        assert!(r.len() <= MAX_READINGS);
        assert_eq!(full_and_initials(&r[0]).1.len(), 3);
        let r = word_readings("5kg装", None);
        assert_eq!(r[0].concat(), "5kgzhuang");
    }
}
