//! What a writer sends for an article, and the parsing that makes it one the rules accept.

use super::NewsCategory;
use super::sanitise::{image_ids_in, sanitise_body};
use chrono::{DateTime, Utc};
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_TITLE_CHARS: usize = 80;
pub const MAX_SUMMARY_CHARS: usize = 200;
/// The body as sent (HTML), before sanitising: a long policy text with tables fits easily.
pub const MAX_BODY_BYTES: usize = 200_000;
/// A schedule further ahead than this is a typo.
const MAX_SCHEDULE_DAYS: i64 = 366;

/// An article as its writer sends it (create and edit).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewsArticleInput)]
pub struct ArticleInput {
    /// 2–80 characters.
    pub title: String,
    /// At most 200 characters: the list and share cards show it.
    #[serde(default)]
    pub summary: Option<String>,
    /// Rich text (HTML), at most 200 000 bytes; sanitised on the server (only ordinary
    /// formatting, links and our own uploaded pictures survive).
    pub body_html: String,
    pub category: NewsCategory,
    /// A picture uploaded to `POST /api/v1/news/images`.
    #[serde(default)]
    pub cover_image_id: Option<Uuid>,
    /// Publish no earlier than this (UTC, RFC 3339); absent: on approval.
    #[serde(default)]
    pub publish_at: Option<DateTime<Utc>>,
}

/// An article the rules accept, its body sanitised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedArticle {
    pub title: String,
    pub summary: Option<String>,
    pub body_html: String,
    pub category: NewsCategory,
    pub cover_image_id: Option<Uuid>,
    pub publish_at: Option<DateTime<Utc>>,
}

impl ParsedArticle {
    /// Every picture it shows (cover first), each once.
    pub fn image_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.cover_image_id.into_iter().collect();
        for id in image_ids_in(&self.body_html) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

impl ArticleInput {
    /// Checks every field (all errors at once) and sanitises the body. CPU work for a long
    /// body: call it off the async threads.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<ParsedArticle, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let title = clean_text(&self.title, 2, MAX_TITLE_CHARS, false)
            .map_err(|e| errs.push(e.at("title")))
            .ok();
        let summary = clean_optional_text(self.summary.as_deref(), MAX_SUMMARY_CHARS, true)
            .map_err(|e| errs.push(e.at("summary")))
            .ok()
            .flatten();
        let body_html = if self.body_html.len() > MAX_BODY_BYTES {
            errs.push(FieldError::new(
                "body_html",
                "too_long",
                format!("正文最多 {} KB", MAX_BODY_BYTES / 1000),
                format!("the body is at most {} KB", MAX_BODY_BYTES / 1000),
            ));
            None
        } else {
            let clean = sanitise_body(&self.body_html);
            // A body of markup alone (or only what the sanitiser removed) says nothing.
            let text = ammonia::Builder::empty().clean(&clean).to_string();
            if text.trim().is_empty() && image_ids_in(&clean).is_empty() {
                errs.push(FieldError::new(
                    "body_html",
                    "required",
                    "请填写正文",
                    "the body is required",
                ));
                None
            } else {
                Some(clean)
            }
        };
        if let Some(at) = self.publish_at
            && at > now + chrono::Duration::days(MAX_SCHEDULE_DAYS)
        {
            errs.push(FieldError::new(
                "publish_at",
                "out_of_range",
                "定时发布最多提前一年",
                "a schedule is at most a year ahead",
            ));
        }
        match (title, body_html) {
            (Some(title), Some(body_html)) if errs.is_empty() => Ok(ParsedArticle {
                title,
                summary,
                body_html,
                category: self.category,
                cover_image_id: self.cover_image_id,
                publish_at: self.publish_at,
            }),
            _ => Err(errs),
        }
    }
}

/// A reason to reject or withdraw: 2–500 characters, shown to the author.
pub fn parse_reason(reason: &str) -> Result<String, FieldError> {
    clean_text(reason, 2, 500, true).map_err(|e| e.at("reason"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str, body: &str) -> ArticleInput {
        ArticleInput {
            title: title.to_owned(),
            summary: None,
            body_html: body.to_owned(),
            category: NewsCategory::Season,
            cover_image_id: None,
            publish_at: None,
        }
    }

    #[test]
    fn a_good_article_is_parsed_with_its_body_sanitised() {
        let a = input("春耕备耕提示", "<p>抓紧<script>x()</script>播种</p>")
            .parse(Utc::now())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(a.body_html, "<p>抓紧播种</p>");
    }

    #[test]
    fn an_oversized_body_is_refused_before_it_is_parsed() {
        let big = "<p>".to_owned() + &"稻".repeat(MAX_BODY_BYTES / 3 + 1) + "</p>";
        let e = input("标题", &big).parse(Utc::now()).err();
        assert!(format!("{e:?}").contains("body_html"));
    }

    #[test]
    fn a_body_of_nothing_but_removed_markup_is_refused() {
        let e = input("标题", "<script>alert(1)</script>")
            .parse(Utc::now())
            .err();
        assert!(format!("{e:?}").contains("required"));
    }

    #[test]
    fn a_title_too_short_and_a_schedule_years_ahead_are_both_named() {
        let mut i = input("春", "<p>正文</p>");
        i.publish_at = Some(Utc::now() + chrono::Duration::days(1000));
        let e = format!("{:?}", i.parse(Utc::now()).err());
        assert!(e.contains("title") && e.contains("publish_at"), "{e}");
    }
}
