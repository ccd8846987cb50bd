//! Bounded, trimmed human text: names, titles, reasons. Stored and shown verbatim (pages escape
//! on output), but never empty, never huge and never carrying control characters or invisible
//! formatting that changes what a reader sees.
//!
//! Refused everywhere (every room's free text goes through [`clean_text`]):
//! - control characters (C0, DEL, C1), except newlines and tabs in multi-line text;
//! - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069): U+202E before
//!   "gnp.exe" shows "exe.png", a title can be made to read as another seller's;
//! - zero-width characters (U+200B–U+200D, U+2060, U+FEFF): two titles that look identical
//!   but differ, and words split so a filter or a search does not see them.

use crate::FieldError;

/// Trims and checks a piece of human text: `min..=max` characters (not bytes), no control
/// characters except newlines when `multiline`.
pub fn clean_text(
    input: &str,
    min: usize,
    max: usize,
    multiline: bool,
) -> Result<String, FieldError> {
    let s = input.trim();
    let n = s.chars().count();
    if n < min {
        return Err(FieldError::new(
            "text",
            if n == 0 { "required" } else { "too_short" },
            if n == 0 {
                "此项必填".to_owned()
            } else {
                format!("至少 {min} 个字")
            },
            if n == 0 {
                "this field is required".to_owned()
            } else {
                format!("at least {min} characters")
            },
        ));
    }
    if n > max {
        return Err(FieldError::new(
            "text",
            "too_long",
            format!("最多 {max} 个字"),
            format!("at most {max} characters"),
        ));
    }
    if s.chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
    {
        return Err(FieldError::new(
            "text",
            "control_characters",
            "包含不可见的控制字符",
            "contains invisible control characters",
        ));
    }
    if s.chars().any(is_invisible_formatting) {
        return Err(FieldError::new(
            "text",
            "invisible_characters",
            "包含改变文字方向或不可见的字符",
            "contains characters that reverse the text direction or are invisible",
        ));
    }
    Ok(s.to_owned())
}

/// Bidirectional overrides and isolates, and zero-width characters: they change what a reader
/// sees without being seen themselves.
pub fn is_invisible_formatting(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Like [`clean_text`] for an optional field: blank means absent.
pub fn clean_optional_text(
    input: Option<&str>,
    max: usize,
    multiline: bool,
) -> Result<Option<String>, FieldError> {
    match input.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => clean_text(s, 1, max, multiline).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_counted_in_characters_not_bytes() {
        assert_eq!(
            clean_text("  梅岭脐橙  ", 2, 4, false),
            Ok("梅岭脐橙".to_owned())
        );
        assert_eq!(
            clean_text("梅岭脐橙合作社", 2, 4, false).map_err(|e| e.code),
            Err("too_long")
        );
        assert_eq!(
            clean_text("   ", 1, 4, false).map_err(|e| e.code),
            Err("required")
        );
    }

    #[test]
    fn markup_and_sql_are_ordinary_text_but_control_characters_are_not() {
        assert!(clean_text("<script>alert(1)</script>", 1, 100, false).is_ok());
        assert!(clean_text("'); DROP TABLE accounts;--", 1, 100, false).is_ok());
        assert_eq!(
            clean_text("a\u{0}b", 1, 10, false).map_err(|e| e.code),
            Err("control_characters")
        );
        assert!(clean_text("第一行\n第二行", 1, 10, true).is_ok());
        assert!(clean_text("第一行\n第二行", 1, 10, false).is_err());
    }

    #[test]
    fn bidi_overrides_and_isolates_are_refused() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}',
        ] {
            let title = format!("赣南脐橙{c}装斤01");
            assert_eq!(
                clean_text(&title, 1, 60, false).map_err(|e| e.code),
                Err("invisible_characters"),
                "U+{:04X}",
                u32::from(c)
            );
            assert!(clean_text(&title, 1, 60, true).is_err(), "multi-line too");
        }
    }

    #[test]
    fn zero_width_characters_are_refused() {
        for c in ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'] {
            let name = format!("梅岭{c}合作社");
            assert_eq!(
                clean_text(&name, 1, 60, false).map_err(|e| e.code),
                Err("invisible_characters"),
                "U+{:04X}",
                u32::from(c)
            );
            assert!(clean_optional_text(Some(&name), 60, true).is_err());
        }
    }

    #[test]
    fn ordinary_chinese_punctuation_and_emoji_stay_allowed() {
        assert!(clean_text("赣南脐橙（10斤装）·产地直发 🍊", 1, 60, false).is_ok());
        assert!(!is_invisible_formatting('·') && !is_invisible_formatting('　'));
    }

    #[test]
    fn blank_optional_text_is_absent() {
        assert_eq!(clean_optional_text(Some("  "), 10, false), Ok(None));
        assert_eq!(clean_optional_text(None, 10, false), Ok(None));
        assert_eq!(
            clean_optional_text(Some(" x "), 10, false),
            Ok(Some("x".into()))
        );
    }
}
