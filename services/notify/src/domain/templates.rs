//! The texts of every kind, zh-CN and English, kept as data in `services/notify/templates.json`
//! (`{kind: {zh: {title, body}, en: {title, body}}}`, `{name}` replaced by the notification's
//! parameter of that name). A text message sends the provider's approved template with the
//! same parameters instead; a WeChat subscription message fills its template's fields.

use super::NotificationKind;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

const SOURCE: &str = include_str!("../../templates.json");

#[derive(Clone, Debug, Deserialize)]
struct Text {
    title: String,
    body: String,
}

#[derive(Clone, Debug, Deserialize)]
struct Pair {
    zh: Text,
    en: Text,
}

static TEMPLATES: LazyLock<HashMap<String, Pair>> = LazyLock::new(|| {
    serde_json::from_str(SOURCE).unwrap_or_else(|e| {
        // A unit test reads the file, so this is only reached by a broken build of it.
        tracing::error!(error = %e, "templates.json is unreadable; notifications show their kind");
        HashMap::new()
    })
});

/// A notification's title and body in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
}

fn fill(text: &str, params: &serde_json::Map<String, serde_json::Value>) -> String {
    let mut out = text.to_owned();
    for (k, v) in params {
        let value = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out = out.replace(&format!("{{{k}}}"), &value);
    }
    out
}

/// The texts of `kind` with `params` filled in.
pub fn render(kind: NotificationKind, params: &serde_json::Value) -> Rendered {
    let empty = serde_json::Map::new();
    let params = params.as_object().unwrap_or(&empty);
    match TEMPLATES.get(kind.as_str()) {
        Some(p) => Rendered {
            title_zh: fill(&p.zh.title, params),
            title_en: fill(&p.en.title, params),
            body_zh: fill(&p.zh.body, params),
            body_en: fill(&p.en.body, params),
        },
        None => Rendered {
            title_zh: kind.label_zh().to_owned(),
            title_en: kind.label_en().to_owned(),
            body_zh: String::new(),
            body_en: String::new(),
        },
    }
}

/// The parameter names a kind's texts use, in the order they first appear (zh-CN title, body).
pub fn parameters(kind: NotificationKind) -> Vec<String> {
    let Some(p) = TEMPLATES.get(kind.as_str()) else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for text in [&p.zh.title, &p.zh.body, &p.en.title, &p.en.body] {
        let mut rest = text.as_str();
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('}') else { break };
            let name = &after[..end];
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
            rest = &after[end + 1..];
        }
    }
    names
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_has_texts_in_both_languages_and_chinese_only_in_the_chinese() {
        let parsed: HashMap<String, Pair> =
            serde_json::from_str(SOURCE).expect("templates.json parses");
        for kind in NotificationKind::ALL {
            let p = parsed
                .get(kind.as_str())
                .unwrap_or_else(|| panic!("{kind} has no texts"));
            let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(han(&p.zh.title) && han(&p.zh.body), "{kind} zh");
            assert!(!han(&p.en.title) && !han(&p.en.body), "{kind} en");
        }
        assert_eq!(
            parsed.len(),
            NotificationKind::ALL.len(),
            "no texts for unknown kinds"
        );
    }

    #[test]
    fn both_languages_use_the_same_parameters() {
        for kind in NotificationKind::ALL {
            let p = TEMPLATES.get(kind.as_str()).expect("texts");
            let names = |texts: [&String; 2]| {
                let mut v: Vec<String> = texts
                    .iter()
                    .flat_map(|t| {
                        t.split('{')
                            .skip(1)
                            .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_owned()))
                    })
                    .collect();
                v.sort();
                v.dedup();
                v
            };
            assert_eq!(
                names([&p.zh.title, &p.zh.body]),
                names([&p.en.title, &p.en.body]),
                "{kind}"
            );
        }
    }

    #[test]
    fn parameters_are_filled_in() {
        let r = render(
            NotificationKind::OrderShipped,
            &json!({"order": "FG1-1", "tracking": "SF123"}),
        );
        assert_eq!(r.title_zh, "订单 FG1-1 已发货");
        assert!(r.body_en.contains("waybill SF123"), "{}", r.body_en);
        assert_eq!(
            parameters(NotificationKind::OrderShipped),
            vec!["order".to_owned(), "tracking".to_owned()]
        );
    }
}
