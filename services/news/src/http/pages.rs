//! The public pages, rendered on the server like the scan page and the quality bulletin: one
//! small HTML document each, CSS inline, no script, Chinese first with `?lang=en`, share tags
//! (`og:`) for WeChat, an ETag and a minute of `Cache-Control`. `/news` lists public articles
//! by category; `/news/{id}` is one article's shareable page. Every value spliced in is
//! escaped by `maud`, except the article body, which was sanitised when it was saved.

use super::cache::cached;
use super::views::public_path;
use crate::News;
use crate::domain::{ArticleId, NewsCategory};
use crate::service::PublicRecord;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_kernel::{Limit, Offset, Page};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;
use uuid::Uuid;

const PER_PAGE: u64 = 20;

#[derive(Debug, Deserialize)]
pub struct ListPageQuery {
    pub category: Option<String>,
    pub page: Option<u64>,
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ArticlePageQuery {
    pub lang: Option<String>,
}

const CSS: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.6 -apple-system,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2a1f;background:#f4f1e8}\
header{background:#2f6b3a;color:#fff;padding:10px 16px;display:flex;justify-content:space-between;align-items:center;gap:8px}header a{color:#fff}\
main{max-width:720px;margin:0 auto;padding:12px}h1{font-size:1.3rem;margin:.4em 0}\
nav.cats{display:flex;gap:6px;overflow-x:auto;padding:4px 0 8px}nav.cats a{white-space:nowrap;padding:4px 12px;border-radius:99px;background:#fff;color:#2f6b3a;text-decoration:none;border:1px solid #cfdccf}nav.cats a[aria-current]{background:#2f6b3a;color:#fff}\
.card{display:block;background:#fff;border-radius:10px;padding:12px 14px;margin:10px 0;box-shadow:0 1px 2px rgba(0,0,0,.06);color:inherit;text-decoration:none}.card h2{font-size:1.05rem;margin:0 0 .3em}\
.card img{width:100%;max-height:180px;object-fit:cover;border-radius:8px;margin-bottom:6px}\
.tag{display:inline-block;padding:0 8px;border-radius:99px;font-size:.8rem;background:#e6f0e6;color:#2f6b3a;margin-right:6px}.pin{background:#fff1d6;color:#8a5a00}\
.muted{color:#545d52;font-size:.85rem}article.full{background:#fff;border-radius:10px;padding:14px 16px}article.full img{max-width:100%;height:auto}\
article.full table{border-collapse:collapse;display:block;overflow-x:auto}article.full td,article.full th{border:1px solid #ddd;padding:4px 8px}\
.cover{width:100%;border-radius:8px}.pager{display:flex;justify-content:space-between;margin:12px 0}footer{text-align:center;padding:16px;color:#545d52;font-size:.85rem}";

struct Lang {
    en: bool,
}

impl Lang {
    fn of(q: Option<&str>) -> Self {
        Self {
            en: q == Some("en"),
        }
    }

    fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en { en } else { zh }
    }

    fn category(&self, c: NewsCategory) -> &'static str {
        if self.en { c.label_en() } else { c.label_zh() }
    }

    fn by(&self, role: &str) -> &'static str {
        match (role, self.en) {
            ("official", false) => "县级主管部门",
            ("official", true) => "County authorities",
            (_, false) => "平台运营",
            (_, true) => "Platform operator",
        }
    }

    fn suffix(&self, first: bool) -> &'static str {
        match (self.en, first) {
            (true, true) => "?lang=en",
            (true, false) => "&lang=en",
            _ => "",
        }
    }
}

fn shanghai_date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&farmgate_kernel::clock::shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn frame(
    l: &Lang,
    title: &str,
    description: &str,
    url: &str,
    image: Option<&str>,
    kind: &str,
    main: Markup,
) -> Markup {
    let other = if l.en { "?lang=zh" } else { "?lang=en" };
    html! {
        (DOCTYPE)
        html lang=(l.t("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) }
                meta name="description" content=(description);
                meta property="og:type" content=(kind);
                meta property="og:title" content=(title);
                meta property="og:description" content=(description);
                meta property="og:url" content=(url);
                meta property="og:site_name" content=(l.t("农源直供", "Farmgate"));
                @if let Some(img) = image {
                    meta property="og:image" content=(img);
                }
                // An article's og: tags become WeChat's share data inside WeChat (issue #19);
                // the CSP lets `/news/{id}` alone load WeChat's script.
                @if kind == "article" {
                    script type="module" src="/assets/js/share-card.js" {}
                }
                link rel="icon" href="data:,";
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    a href="/" { strong { (l.t("农源直供", "Farmgate")) } }
                    span {
                        a href={ "/news" (l.suffix(true)) } data-testid="news-home" { (l.t("资讯", "News")) }
                        " · "
                        a href=(other) lang=(l.t("en", "zh-CN")) { (l.t("English", "中文")) }
                    }
                }
                main id="main" { (main) }
                footer { (l.t("原产地、安全可追溯", "Origin known, safe, traceable")) }
            }
        }
    }
}

fn card(l: &Lang, p: &PublicRecord) -> Markup {
    let r = &p.revision;
    html! {
        a class="card" href={ (public_path(p.article.id)) (l.suffix(true)) } data-testid="news-card" data-id=(p.article.id.to_string()) {
            @if let Some(c) = r.cover_image_id {
                img src={ (crate::domain::IMAGE_PATH) (c) } alt="" loading="lazy";
            }
            h2 {
                @if p.article.pinned { span class="tag pin" { (l.t("置顶", "Pinned")) } }
                span class="tag" { (l.category(r.category)) }
                (r.title)
            }
            @if let Some(s) = &r.summary { p { (s) } }
            p class="muted" {
                (l.by(&p.article.author_role)) " · "
                (shanghai_date(p.article.public_from.unwrap_or(p.article.created_at)))
            }
        }
    }
}

fn html_response(headers: &HeaderMap, markup: Markup) -> Response {
    cached(
        headers,
        "text/html; charset=utf-8",
        markup.into_string().into_bytes(),
    )
}

fn error_page(status: StatusCode, l: &Lang, msg: &str) -> Response {
    let markup = frame(
        l,
        msg,
        msg,
        "/news",
        None,
        "website",
        html! { h1 { (msg) } p { a href={ "/news" (l.suffix(true)) } { (l.t("查看全部资讯", "All news")) } } },
    );
    let mut resp = (status, markup.into_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

/// `/news`: public articles by category (`?category=`, `?page=`, `?lang=en`).
pub async fn list_page(
    State(svc): State<News>,
    headers: HeaderMap,
    Query(q): Query<ListPageQuery>,
) -> Response {
    let l = Lang::of(q.lang.as_deref());
    let category = q.category.as_deref().and_then(NewsCategory::parse);
    let n = q.page.unwrap_or(1).clamp(1, 1000);
    let page = Page {
        limit: Limit::new(PER_PAGE),
        offset: Offset::new((n - 1) * PER_PAGE),
    };
    let p = match svc.public_list(category, page).await {
        Ok(p) => p,
        Err(e) => return farmgate_infra::http::ApiError::from(e).into_response(),
    };
    let title = l.t("资讯 · 农源直供", "News · Farmgate");
    let description = l.t(
        "政策、农时、培训、市场与平台公告：县域农产品平台的资讯。",
        "Policy, farming season, training, market news and notices from the county marketplace.",
    );
    let cat_q = |c: Option<NewsCategory>| {
        let mut s = String::from("/news");
        match (c, l.en) {
            (Some(c), true) => s.push_str(&format!("?category={c}&lang=en")),
            (Some(c), false) => s.push_str(&format!("?category={c}")),
            (None, true) => s.push_str("?lang=en"),
            (None, false) => {}
        }
        s
    };
    let more = p.offset + p.limit < p.total;
    let main = html! {
        h1 data-testid="news-heading" { (l.t("资讯", "News and notices")) }
        nav class="cats" aria-label=(l.t("分类", "Categories")) {
            a href=(cat_q(None)) aria-current=[category.is_none().then_some("page")] { (l.t("全部", "All")) }
            @for c in NewsCategory::ALL {
                a href=(cat_q(Some(*c))) data-category=(c.as_str()) aria-current=[(category == Some(*c)).then_some("page")] { (l.category(*c)) }
            }
        }
        @if p.items.is_empty() {
            p data-testid="news-empty" { (l.t("暂无资讯。", "Nothing published yet.")) }
        }
        @for item in &p.items { (card(&l, item)) }
        div class="pager" {
            @if n > 1 {
                a href={ (cat_q(category)) (if cat_q(category).contains('?') { "&" } else { "?" }) "page=" (n - 1) } { (l.t("上一页", "Newer")) }
            } @else { span {} }
            @if more {
                a href={ (cat_q(category)) (if cat_q(category).contains('?') { "&" } else { "?" }) "page=" (n + 1) } { (l.t("下一页", "Older")) }
            }
        }
        p class="muted" { (l.t("数据接口：", "As data: ")) a href="/api/v1/news" { "/api/v1/news" } }
    };
    let url = cat_q(category);
    html_response(
        &headers,
        frame(&l, title, description, &url, None, "website", main),
    )
}

/// `/news/{id}`: one public article (`?lang=en` for the frame; the article is as written).
pub async fn article_page(
    State(svc): State<News>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ArticlePageQuery>,
) -> Response {
    let l = Lang::of(q.lang.as_deref());
    let not_found = || {
        error_page(
            StatusCode::NOT_FOUND,
            &l,
            l.t("没有这篇资讯", "No such article"),
        )
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found();
    };
    let p = match svc.public_article(ArticleId(id)).await {
        Ok(p) => p,
        Err(crate::NewsError::NotFound(_)) => return not_found(),
        Err(e) => return farmgate_infra::http::ApiError::from(e).into_response(),
    };
    let r = &p.revision;
    let description = r.summary.clone().unwrap_or_else(|| r.title.clone());
    let cover = r
        .cover_image_id
        .map(|c| format!("{}{c}", crate::domain::IMAGE_PATH));
    let main = html! {
        article class="full" data-testid="news-article" {
            p {
                @if p.article.pinned { span class="tag pin" { (l.t("置顶", "Pinned")) } }
                span class="tag" data-testid="news-category" { (l.category(r.category)) }
            }
            h1 data-testid="news-title" { (r.title) }
            p class="muted" {
                (l.by(&p.article.author_role)) " · "
                time datetime=(p.article.public_from.unwrap_or(p.article.created_at).to_rfc3339()) {
                    (shanghai_date(p.article.public_from.unwrap_or(p.article.created_at)))
                }
            }
            @if let Some(c) = &cover { img class="cover" src=(c) alt=""; }
            @if let Some(s) = &r.summary { p { strong { (s) } } }
            div data-testid="news-body" { (PreEscaped(&r.body_html)) }
        }
        p { a href={ "/news" (l.suffix(true)) } { "← " (l.t("全部资讯", "All news")) } }
    };
    html_response(
        &headers,
        frame(
            &l,
            &r.title,
            &description,
            &public_path(p.article.id),
            cover.as_deref(),
            "article",
            main,
        ),
    )
}
