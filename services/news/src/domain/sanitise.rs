//! The article body is rich text from a browser editor. It is cleaned on the server by
//! `ammonia` (an allow-list sanitiser over html5ever's parser, the same tree a browser builds),
//! never by hand-written filtering: only the tags and attributes below survive; `<script>`
//! and `<style>` lose their content too; every `on*` handler and `style` goes; links keep only
//! `http`, `https`, `mailto` and `tel` (so no `javascript:` or `data:`) and open with
//! `rel="noopener noreferrer nofollow"`; a picture's `src` must be one of ours
//! ([`IMAGE_PATH`] and an id), so an article never loads anything from elsewhere.

use ammonia::{Builder, UrlRelative};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Where an uploaded news picture is served; the only `src` an `<img>` may have.
pub const IMAGE_PATH: &str = "/api/v1/news/images/";

const TAGS: &[&str] = &[
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "figure",
    "figcaption",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "span",
];

fn our_image(src: &str) -> Option<Uuid> {
    src.strip_prefix(IMAGE_PATH)
        .and_then(|id| Uuid::parse_str(id).ok())
}

fn builder() -> Builder<'static> {
    let mut b = Builder::empty();
    b.tags(TAGS.iter().copied().collect::<HashSet<_>>())
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href", "title"])),
            ("img", HashSet::from(["src", "alt", "width", "height"])),
            ("th", HashSet::from(["colspan", "rowspan"])),
            ("td", HashSet::from(["colspan", "rowspan"])),
        ]))
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" {
                our_image(value).map(|id| Cow::Owned(format!("{IMAGE_PATH}{id}")))
            } else {
                Some(Cow::Borrowed(value))
            }
        });
    b
}

/// The body as it may be shown: allowed markup only. CPU work (it parses the whole
/// document): call it off the async threads.
pub fn sanitise_body(html: &str) -> String {
    builder().clean(html).to_string()
}

/// The ids of our pictures a (sanitised) body shows, each once, in order.
pub fn image_ids_in(html: &str) -> Vec<Uuid> {
    let mut out = Vec::new();
    for (i, _) in html.match_indices(IMAGE_PATH) {
        let rest = &html[i + IMAGE_PATH.len()..];
        if let Some(id) = rest.get(..36).and_then(|s| Uuid::parse_str(s).ok())
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let out = sanitise_body(
            r#"<p onclick="steal()">你好<script>alert(1)</script><a href="javascript:alert(2)">点</a><img src=x onerror="alert(3)"></p><style>p{}</style>"#,
        );
        assert!(!out.contains("script") && !out.contains("alert"), "{out}");
        assert!(
            !out.contains("onclick") && !out.contains("onerror"),
            "{out}"
        );
        assert!(
            !out.contains("javascript:") && !out.contains("p{}"),
            "{out}"
        );
        assert!(out.contains("你好"), "{out}");
    }

    #[test]
    fn ordinary_formatting_and_our_pictures_are_kept() {
        let id = Uuid::now_v7();
        let out = sanitise_body(&format!(
            r#"<h2>春耕</h2><p><strong>注意</strong><a href="https://example.org/x">链接</a></p><img src="{IMAGE_PATH}{id}" alt="田"><ul><li>一</li></ul>"#
        ));
        assert!(
            out.contains("<h2>春耕</h2>") && out.contains("<strong>注意</strong>"),
            "{out}"
        );
        assert!(
            out.contains(r#"rel="noopener noreferrer nofollow""#),
            "{out}"
        );
        assert!(out.contains(&format!(r#"src="{IMAGE_PATH}{id}""#)), "{out}");
        assert_eq!(image_ids_in(&out), vec![id]);
    }

    #[test]
    fn pictures_from_elsewhere_and_data_urls_lose_their_source() {
        let out = sanitise_body(
            r#"<img src="https://tracker.example/p.gif"><img src="data:image/png;base64,AAAA"><img src="/api/v1/news/images/../../orders">"#,
        );
        assert!(
            !out.contains("tracker") && !out.contains("data:") && !out.contains("orders"),
            "{out}"
        );
        assert!(image_ids_in(&out).is_empty());
    }

    #[test]
    fn styles_classes_and_iframes_do_not_survive() {
        let out = sanitise_body(
            r#"<p style="position:fixed" class="x" id="y">a</p><iframe src="https://x"></iframe><form><input></form>"#,
        );
        assert_eq!(out, "<p>a</p>");
    }
}
