//! News and notices (资讯, #20) through the real server: an official or the operator writes,
//! another operator approves (four eyes), and only then — and only once its scheduled time has
//! come — is an article public, in the list, by its id, on its page and on the home page's
//! pinned notices. And the attacks: a consumer or a seller writing, an official approving, an
//! author approving their own, scripts and handlers in the body, an oversized body, another
//! official's draft, two approvals at once.

use farmgate_identity::PlatformRole;
use farmgate_tests::prelude::*;

const ARTICLES: &str = "/api/v1/news/articles";

fn article(title: &str) -> Value {
    json!({
        "title": title,
        "summary": "春耕在即，请注意农资安全。",
        "body_html": "<h2>安全用药</h2><p>严格遵守<strong>安全间隔期</strong>。</p>",
        "category": "season",
    })
}

fn path(id: Uuid, what: &str) -> String {
    format!("{ARTICLES}/{id}/{what}")
}

async fn drafted(app: &TestApp, who: &Session, title: &str) -> Uuid {
    let r = app.post(ARTICLES, article(title), Some(&who.token)).await;
    r.expect_status(201);
    r.id()
}

async fn submitted(app: &TestApp, who: &Session, title: &str) -> Uuid {
    let id = drafted(app, who, title).await;
    app.post_empty(&path(id, "submit"), Some(&who.token))
        .await
        .expect_status(200);
    id
}

async fn published(app: &TestApp, who: &Session, title: &str) -> Uuid {
    let id = submitted(app, who, title).await;
    let op = app.operator().await;
    app.post_empty(&path(id, "approve"), Some(&op.token))
        .await
        .expect_status(200);
    id
}

/// Nothing of the article shows anywhere public.
async fn assert_invisible(app: &TestApp, id: Uuid, title: &str) {
    app.get(&format!("/api/v1/news/{id}"), None)
        .await
        .expect_status(404);
    app.get(&format!("/news/{id}"), None)
        .await
        .expect_status(404);
    let list = app.get("/api/v1/news", None).await;
    list.expect_status(200);
    assert!(
        !list.text.contains(&id.to_string()) && !list.text.contains(title),
        "{}",
        list.text
    );
    let page = app.get("/news", None).await;
    assert!(!page.text.contains(title));
    let pinned = app.get("/api/v1/news/pinned", None).await;
    assert!(!pinned.text.contains(&id.to_string()));
}

both_backends! {
    async fn an_official_s_article_is_invisible_until_an_operator_approves_it_then_public_with_share_tags(app) {
        let official = app.official().await;
        let op = app.operator().await;
        let id = drafted(&app, &official, "关于春耕备耕的通知").await;
        assert_invisible(&app, id, "关于春耕备耕的通知").await;

        app.post_empty(&path(id, "submit"), Some(&official.token)).await.expect_status(200);
        assert_invisible(&app, id, "关于春耕备耕的通知").await;
        // Pinned while unapproved: still not on the home page.
        app.post(&path(id, "pin"), json!({"pinned": true}), Some(&op.token)).await.expect_status(200);
        assert_invisible(&app, id, "关于春耕备耕的通知").await;

        let r = app.post_empty(&path(id, "approve"), Some(&op.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("status"), "approved");
        assert!(r.bool("public"));

        let one = app.get(&format!("/api/v1/news/{id}"), None).await;
        one.expect_status(200);
        assert_eq!(one.str("title"), "关于春耕备耕的通知");
        assert_eq!(one.str("author_role"), "official");
        assert!(!one.text.contains(&official.account_id.to_string()), "no person behind it is named");
        assert_eq!(one.header("cache-control"), Some("public, max-age=60"));
        let etag = one.header("etag").unwrap_or_default().to_owned();
        let again = app.send(app.http.get(app.url(&format!("/api/v1/news/{id}"))).header("if-none-match", etag)).await;
        assert_eq!(again.status, 304);

        let list = app.get("/api/v1/news?category=season", None).await;
        assert_eq!(list.find("items", "id", id.to_string())["title"], "关于春耕备耕的通知");
        let other = app.get("/api/v1/news?category=policy", None).await;
        assert!(!other.text.contains(&id.to_string()));
        let pinned = app.get("/api/v1/news/pinned", None).await;
        pinned.expect_status(200);
        assert_eq!(pinned.find("items", "id", id.to_string())["pinned"], true);

        let page = app.get(&format!("/news/{id}"), None).await;
        page.expect_status(200);
        assert!(page.text.contains("<h2>安全用药</h2>") && page.text.contains("og:title") && page.text.contains("关于春耕备耕的通知"));
        assert!(page.text.contains("property=\"og:type\" content=\"article\""));
        let listing = app.get("/news?category=season", None).await;
        assert!(listing.text.contains("关于春耕备耕的通知") && listing.text.contains("data-testid=\"news-card\""));
        let en = app.get("/news?lang=en", None).await;
        assert!(en.text.contains("News and notices"));
    }

    async fn an_author_cannot_approve_their_own_article_and_another_operator_can(app) {
        let op = app.operator().await;
        let other = app.staff("13900000910", PlatformRole::Operator).await;
        let id = submitted(&app, &op, "平台春节发货安排").await;

        let own = app.post_empty(&path(id, "approve"), Some(&op.token)).await;
        own.expect_status(403);
        assert_eq!(own.code(), "own_article");
        let own_reject = app.post(&path(id, "reject"), json!({"reason": "自己退回"}), Some(&op.token)).await;
        assert_eq!(own_reject.code(), "own_article");
        assert_invisible(&app, id, "平台春节发货安排").await;

        app.post_empty(&path(id, "approve"), Some(&other.token)).await.expect_status(200);
        app.get(&format!("/api/v1/news/{id}"), None).await.expect_status(200);
    }

    async fn consumers_and_sellers_cannot_write_and_an_official_cannot_approve_or_see_another_s_draft(app) {
        let buyer = app.consumer().await;
        let seller = app.seller_with_listing().await;
        let official = app.official().await;
        let other_official = app.staff("13900000911", PlatformRole::Official).await;
        for who in [&buyer.session, &seller.owner] {
            let r = app.post(ARTICLES, article("我想发通知"), Some(&who.token)).await;
            r.expect_status(403);
            app.get(ARTICLES, Some(&who.token)).await.expect_status(403);
            app.get("/api/v1/news/review-queue", Some(&who.token)).await.expect_status(403);
        }
        app.post(ARTICLES, article("匿名"), None).await.expect_status(401);

        let id = submitted(&app, &official, "县农技培训安排").await;
        let r = app.post_empty(&path(id, "approve"), Some(&official.token)).await;
        r.expect_status(403);
        assert_eq!(r.code(), "not_operator");
        let r = app.post_empty(&path(id, "approve"), Some(&other_official.token)).await;
        assert_eq!(r.code(), "not_operator");
        app.post_empty(&path(id, "approve"), Some(&buyer.token)).await.expect_status(403);
        app.get("/api/v1/news/review-queue", Some(&official.token)).await.expect_status(403);

        // Another official's article: it does not exist for them.
        app.get(&format!("{ARTICLES}/{id}"), Some(&other_official.token)).await.expect_status(404);
        app.put(&format!("{ARTICLES}/{id}"), article("改标题"), Some(&other_official.token)).await.expect_status(404);
        app.get(&format!("{ARTICLES}/{id}"), Some(&buyer.token)).await.expect_status(404);
        let mine = app.get(ARTICLES, Some(&other_official.token)).await;
        assert_eq!(mine.i64("total"), 0);
        assert_invisible(&app, id, "县农技培训安排").await;
    }

    async fn the_sanitiser_strips_scripts_handlers_and_javascript_urls_from_the_body(app) {
        let official = app.official().await;
        let mut body = article("含脚本的通知");
        body["body_html"] = json!(r#"<p onclick="steal()" style="color:red">通知<script>alert('x')</script><a href="javascript:alert(1)">点此</a><a href="https://example.org/a" onmouseover="x()">链接</a></p><img src="https://evil.example/t.gif" onerror="alert(2)"><iframe src="https://evil.example"></iframe>"#);
        let r = app.post(ARTICLES, body, Some(&official.token)).await;
        r.expect_status(201);
        let saved = r.str("working.body_html").to_owned();
        for bad in ["<script", "alert", "onclick", "onmouseover", "onerror", "javascript:", "style=", "iframe", "evil.example"] {
            assert!(!saved.contains(bad), "{bad} survived in {saved}");
        }
        assert!(saved.contains("通知") && saved.contains("https://example.org/a") && saved.contains("noopener"), "{saved}");

        let mut only_script = article("只有脚本");
        only_script["body_html"] = json!("<script>alert(1)</script>");
        let r = app.post(ARTICLES, only_script, Some(&official.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("body_html"), Some("required"));
    }

    async fn an_oversized_body_or_bad_fields_are_refused(app) {
        let official = app.official().await;
        let mut big = article("很长的通知");
        big["body_html"] = json!(format!("<p>{}</p>", "稻".repeat(70_000)));
        let r = app.post(ARTICLES, big, Some(&official.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("body_html"), Some("too_long"));
        let mut huge = article("更长的通知");
        huge["body_html"] = json!("a".repeat(1_100_000));
        app.post(ARTICLES, huge, Some(&official.token)).await.expect_status(413);

        let r = app.post(ARTICLES, json!({"title": "", "body_html": "<p>x</p>", "category": "weather"}), Some(&official.token)).await;
        r.expect_status(422);
        let r = app.post(ARTICLES, json!({"title": "标", "body_html": "<p>x</p>", "category": "policy", "publish_at": "2099-01-01T00:00:00Z"}), Some(&official.token)).await;
        r.expect_status(422);
        assert!(r.field("title").is_some() && r.field("publish_at").is_some(), "{}", r.text);
        let r = app.post(ARTICLES, json!({"title": "标题", "body_html": "<p>x</p>", "category": "policy", "author_id": Uuid::nil()}), Some(&official.token)).await;
        r.expect_status(422);
        app.get("/api/v1/news?limit=1000", None).await.expect_status(400);
        app.get("/api/v1/news/not-a-uuid", None).await.expect_status(404);
        assert_eq!(app.get("/news/not-a-uuid", None).await.status, 404);
    }

    async fn a_scheduled_article_stays_invisible_until_its_time_even_when_approved(app) {
        let official = app.official().await;
        let op = app.operator().await;
        let at = (app.clock.now() + chrono::Duration::hours(3)).to_rfc3339();
        let mut body = article("定时发布的通知");
        body["publish_at"] = json!(at);
        let id = app.post(ARTICLES, body, Some(&official.token)).await.id();
        app.post_empty(&path(id, "submit"), Some(&official.token)).await.expect_status(200);
        let r = app.post_empty(&path(id, "approve"), Some(&op.token)).await;
        r.expect_status(200);
        assert!(!r.bool("public"));
        app.post(&path(id, "pin"), json!({"pinned": true}), Some(&op.token)).await.expect_status(200);
        assert_invisible(&app, id, "定时发布的通知").await;

        app.clock.advance(chrono::Duration::hours(3));

        app.get(&format!("/api/v1/news/{id}"), None).await.expect_status(200);
        let pinned = app.get("/api/v1/news/pinned", None).await;
        assert!(pinned.text.contains(&id.to_string()));
    }

    async fn an_edit_keeps_the_published_text_public_until_the_new_revision_is_approved(app) {
        let official = app.official().await;
        let op = app.operator().await;
        let id = published(&app, &official, "第一版标题").await;

        let mut v2 = article("第二版标题");
        v2["body_html"] = json!("<p>修订后的正文</p>");
        let r = app.put(&format!("{ARTICLES}/{id}"), v2, Some(&official.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("status"), "draft");
        assert_eq!(r.i64("working.number"), 2);
        assert_eq!(r.str("published.title"), "第一版标题");
        let public = app.get(&format!("/api/v1/news/{id}"), None).await;
        assert_eq!(public.str("title"), "第一版标题");
        assert!(!public.text.contains("修订后的正文"));

        app.post_empty(&path(id, "submit"), Some(&official.token)).await.expect_status(200);
        // Under review: no edits.
        let r = app.put(&format!("{ARTICLES}/{id}"), article("第三版"), Some(&official.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "wrong_status");
        assert_eq!(app.get(&format!("/api/v1/news/{id}"), None).await.str("title"), "第一版标题");
        // Rejected: the published text stays.
        let r = app.post(&path(id, "reject"), json!({"reason": "请补充咨询电话"}), Some(&op.token)).await;
        assert_eq!(r.str("reject_reason"), "请补充咨询电话");
        assert_eq!(app.get(&format!("/api/v1/news/{id}"), None).await.str("title"), "第一版标题");

        let mut v3 = article("第三版标题");
        v3["body_html"] = json!("<p>修订后的正文，咨询电话见下。</p>");
        app.put(&format!("{ARTICLES}/{id}"), v3, Some(&official.token)).await.expect_status(200);
        app.post_empty(&path(id, "submit"), Some(&official.token)).await.expect_status(200);
        app.post_empty(&path(id, "approve"), Some(&op.token)).await.expect_status(200);
        let public = app.get(&format!("/api/v1/news/{id}"), None).await;
        assert_eq!(public.str("title"), "第三版标题");

        let revs = app.get(&path(id, "revisions"), Some(&official.token)).await;
        revs.expect_status(200);
        assert_eq!(revs.strings("items", "title"), vec!["第三版标题", "第二版标题", "第一版标题"]);
        assert_eq!(revs.at("items.0.published"), &json!(true));
        assert_eq!(revs.at("items.2.published"), &json!(false));
        app.get(&path(id, "revisions"), None).await.expect_status(401);
    }

    async fn two_operators_approving_at_once_publish_it_once(app) {
        let official = app.official().await;
        let op = app.operator().await;
        let other = app.staff("13900000912", PlatformRole::Operator).await;
        let id = submitted(&app, &official, "并发审核的通知").await;
        let url = app.url(&path(id, "approve"));

        let answers = app.send_all(vec![
            app.http.post(&url).bearer_auth(&op.token),
            app.http.post(&url).bearer_auth(&other.token),
            app.http.post(&url).bearer_auth(&op.token),
        ]).await;

        let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
        statuses.sort();
        assert_eq!(statuses, vec![200, 409, 409], "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
        assert!(answers.iter().filter(|a| a.status == 409).all(|a| a.code() == "wrong_status"));
        let revs = app.get(&path(id, "revisions"), Some(&official.token)).await;
        assert_eq!(revs.len_of("items"), 1);
        let a = app.get(&format!("{ARTICLES}/{id}"), Some(&op.token)).await;
        assert_eq!(a.str("status"), "approved");
        assert_eq!(app.get("/api/v1/news", None).await.strings("items", "id"), vec![id.to_string()]);
    }

    async fn the_review_queue_shows_each_item_s_age_against_48_hours_overdue_first(app) {
        let official = app.official().await;
        let op = app.operator().await;
        let old = submitted(&app, &official, "积压的通知").await;
        app.clock.advance(chrono::Duration::hours(47));
        let fresh = submitted(&app, &official, "新提交的通知").await;
        app.clock.advance(chrono::Duration::hours(2));

        let q = app.get("/api/v1/news/review-queue", Some(&op.token)).await;
        q.expect_status(200);
        assert_eq!(q.uuid("items.0.article.id"), old);
        assert_eq!(q.at("items.0.overdue"), &json!(true));
        assert_eq!(q.i64("items.0.age_minutes"), 49 * 60);
        assert_eq!(q.uuid("items.1.article.id"), fresh);
        assert_eq!(q.at("items.1.overdue"), &json!(false));

        app.post_empty(&path(old, "approve"), Some(&op.token)).await.expect_status(200);
        let q = app.get("/api/v1/news/review-queue", Some(&op.token)).await;
        assert_eq!(q.i64("total"), 1);
    }

    async fn a_withdrawn_article_disappears_with_its_reason_kept_and_returns_when_approved_again(app) {
        let official = app.official().await;
        let op = app.operator().await;
        let buyer = app.consumer().await;
        let id = published(&app, &official, "需要撤回的通知").await;
        app.post(&path(id, "withdraw"), json!({"reason": "信息有误"}), Some(&buyer.token)).await.expect_status(403);
        app.post(&path(id, "withdraw"), json!({"reason": ""}), Some(&op.token)).await.expect_status(422);

        let r = app.post(&path(id, "withdraw"), json!({"reason": "信息有误，待更正"}), Some(&op.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("withdraw_reason"), "信息有误，待更正");
        assert_invisible(&app, id, "需要撤回的通知").await;
        let twice = app.post(&path(id, "withdraw"), json!({"reason": "再撤一次"}), Some(&official.token)).await;
        assert_eq!(twice.code(), "not_published");

        app.put(&format!("{ARTICLES}/{id}"), article("更正后的通知"), Some(&official.token)).await.expect_status(200);
        app.post_empty(&path(id, "submit"), Some(&official.token)).await.expect_status(200);
        app.post_empty(&path(id, "approve"), Some(&op.token)).await.expect_status(200);
        assert_eq!(app.get(&format!("/api/v1/news/{id}"), None).await.str("title"), "更正后的通知");
    }

    async fn pictures_are_private_until_an_approved_revision_shows_them(app) {
        let official = app.official().await;
        let op = app.operator().await;
        let buyer = app.consumer().await;
        app.upload("/api/v1/news/images", &buyer, jpeg_with_exif(), "a.jpg").await.expect_status(403);
        app.upload("/api/v1/news/images", &official, b"%PDF-1.4 not a picture".to_vec(), "a.jpg").await.expect_status(415);
        let up = app.upload("/api/v1/news/images", &official, jpeg_with_exif(), "field.jpg").await;
        up.expect_status(201);
        let img = up.id();
        let url = up.string("url");
        app.get(&url, None).await.expect_status(404);
        app.get(&url, Some(&buyer.token)).await.expect_status(404);
        let own = app.get(&url, Some(&official.token)).await;
        own.expect_status(200);
        assert!(!own.text.contains("Exif"));

        // Someone else's private picture cannot be shown in an article.
        let other = app.staff("13900000913", PlatformRole::Official).await;
        let mut theirs = article("盗图");
        theirs["cover_image_id"] = json!(img);
        let r = app.post(ARTICLES, theirs, Some(&other.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("body_html"), Some("unknown_image"));

        let mut body = article("带图片的通知");
        body["cover_image_id"] = json!(img);
        body["body_html"] = json!(format!("<p>田间照片</p><img src=\"{url}\" alt=\"田\" onerror=\"x()\">"));
        let id = app.post(ARTICLES, body, Some(&official.token)).await.id();
        app.post_empty(&path(id, "submit"), Some(&official.token)).await.expect_status(200);
        app.get(&url, None).await.expect_status(404);
        app.post_empty(&path(id, "approve"), Some(&op.token)).await.expect_status(200);

        let public = app.get(&url, None).await;
        public.expect_status(200);
        assert_eq!(public.header("content-type"), Some("image/jpeg"));
        let page = app.get(&format!("/news/{id}"), None).await;
        assert!(page.text.contains(&format!("og:image\" content=\"{url}")) && !page.text.contains("onerror"));
    }
}
