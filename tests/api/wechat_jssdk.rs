//! The WeChat JS-SDK configuration (#19: share cards and address import inside WeChat):
//! `GET /api/v1/wechat/js-config?url=` against the WeChat simulator's official-account API
//! (`cgi-bin/token`, `cgi-bin/ticket/getticket`). The signature is recomputed here from the
//! simulator's ticket, not by the adapter; the ticket is fetched once for many concurrent
//! pages (and once for two replicas on a shared Redis), refreshed through a new access token
//! when WeChat says the old one is invalid, and never given for another site's page.

use farmgate_tests::pay_sim::Mode;
use farmgate_tests::pay_sim::wechat;
use farmgate_tests::prelude::*;
use sha1::{Digest, Sha1};

const SITE: &str = WECHAT_SITE;

fn config_path(url: &str) -> String {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("url", url)
        .finish();
    format!("/api/v1/wechat/js-config?{q}")
}

/// What WeChat's client checks in `wx.config`, computed here.
fn expected_signature(ticket: &str, nonce: &str, timestamp: i64, url: &str) -> String {
    let plain = format!("jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url}");
    hex::encode(Sha1::digest(plain.as_bytes()))
}

/// Asks for the configuration of `url` and checks it against the simulator's newest ticket,
/// signed over `signed` (the url without its fragment).
async fn config_checked(w: &Wx, url: &str, signed: &str) -> Value {
    let r = w.app.get(&config_path(url), None).await;
    r.expect_status(200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let c = r.body.clone();
    assert_eq!(c["app_id"], wechat::APP_ID);
    let nonce = c["nonce_str"].as_str().expect("a nonce");
    assert!(
        nonce.len() >= 16 && nonce.chars().all(|ch| ch.is_ascii_alphanumeric()),
        "{nonce}"
    );
    let timestamp = c["timestamp"].as_i64().expect("a timestamp");
    assert!(
        (timestamp - chrono::Utc::now().timestamp()).abs() < 300,
        "{timestamp}"
    );
    let ticket = w.sim.latest_ticket().expect("a ticket was fetched");
    assert_eq!(
        c["signature"].as_str(),
        Some(expected_signature(&ticket, nonce, timestamp, signed).as_str()),
        "{c}"
    );
    assert!(w.sim.js_signature_valid(
        nonce,
        timestamp,
        signed,
        c["signature"].as_str().unwrap_or("")
    ));
    assert_eq!(
        c["js_api_list"],
        json!([
            "updateAppMessageShareData",
            "updateTimelineShareData",
            "openAddress"
        ])
    );
    assert!(
        !r.text.contains(wechat::APP_SECRET) && !r.text.contains(&ticket),
        "{}",
        r.text
    );
    c
}

with_wechat! {
    async fn a_page_of_the_site_gets_a_signature_wechat_accepts(w) {
        let url = format!("{SITE}/listing.html?id=7f2c&from=share#photos");
        config_checked(&w, &url, &format!("{SITE}/listing.html?id=7f2c&from=share")).await;
        // The scan page and a page with non-ASCII (escaped) characters in its address.
        config_checked(&w, &format!("{SITE}/t/ABCDEFGH"), &format!("{SITE}/t/ABCDEFGH")).await;
        let escaped = format!("{SITE}/search.html?q=%E8%84%90%E6%A9%99");
        config_checked(&w, &escaped, &escaped).await;
        assert_eq!(w.sim.token_fetches(), 1, "one access token");
        assert_eq!(w.sim.ticket_fetches(), 1, "one ticket for every page");
    }

    async fn many_pages_at_once_cause_one_ticket_fetch(w) {
        let reqs = (0..20)
            .map(|i| w.app.http.get(w.app.url(&config_path(&format!("{SITE}/listing.html?id={i}")))))
            .collect();
        let answers = w.app.send_all(reqs).await;
        let ticket = w.sim.latest_ticket().expect("a ticket");
        let mut nonces = std::collections::HashSet::new();
        for (i, r) in answers.iter().enumerate() {
            r.expect_status(200);
            let nonce = r.body["nonce_str"].as_str().expect("nonce");
            let ts = r.body["timestamp"].as_i64().expect("timestamp");
            assert_eq!(
                r.body["signature"].as_str(),
                Some(expected_signature(&ticket, nonce, ts, &format!("{SITE}/listing.html?id={i}")).as_str())
            );
            nonces.insert(nonce.to_owned());
        }
        assert_eq!(nonces.len(), 20, "every configuration has its own nonce");
        assert_eq!(w.sim.ticket_fetches(), 1, "no stampede on WeChat's ticket API");
        assert_eq!(w.sim.token_fetches(), 1);

        // A second replica on the same shared cache uses the same ticket (with Redis; the
        // embedded stack is one process by definition).
        if w.app.settings().redis_url.is_some() {
            let replica = w.app.start_replica().await;
            let reqs = (0..10)
                .map(|i| replica.http.get(replica.url(&config_path(&format!("{SITE}/seller.html?id={i}")))))
                .collect();
            for r in replica.send_all(reqs).await {
                r.expect_status(200);
            }
            assert_eq!(w.sim.ticket_fetches(), 1, "the replica found the shared ticket");
            assert_eq!(w.sim.token_fetches(), 1);
        }
    }

    async fn an_invalidated_token_is_replaced_when_the_ticket_is_renewed(w) {
        // Tickets of two seconds are kept one second.
        w.sim.set_ticket_life(2);
        config_checked(&w, &format!("{SITE}/listing.html"), &format!("{SITE}/listing.html")).await;
        let first = w.sim.latest_ticket();
        // Another server of the same official account took a new token: ours is dead.
        w.sim.invalidate_tokens();
        tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
        config_checked(&w, &format!("{SITE}/listing.html"), &format!("{SITE}/listing.html")).await;
        assert_ne!(w.sim.latest_ticket(), first, "a new ticket");
        assert_eq!(w.sim.token_fetches(), 2, "a new token after 40001");
        assert_eq!(w.sim.ticket_fetches(), 3, "the refused ask, then the new ticket");
    }

    async fn another_sites_page_is_never_signed(w) {
        for url in [
            "https://evil.example/listing.html",
            "https://shop.example.evil.example/listing.html",
            "http://shop.example/listing.html",
            "https://shop.example:8443/listing.html",
        ] {
            let r = w.app.get(&config_path(url), None).await;
            r.expect_status(422);
            assert_eq!(r.code(), "validation_failed");
            assert_eq!(r.field_code("url"), Some("foreign_origin"), "{url}: {}", r.text);
        }
        for url in [
            "https://shop.example@evil.example/",
            "/listing.html",
            "javascript:alert(1)",
            "https://shop.example/a b",
            "",
        ] {
            let r = w.app.get(&config_path(url), None).await;
            r.expect_status(422);
            assert_eq!(r.field_code("url"), Some("invalid"), "{url:?}: {}", r.text);
        }
        let long = format!("{SITE}/search.html?q={}", "a".repeat(2100));
        let r = w.app.get(&config_path(&long), None).await;
        r.expect_status(422);
        assert_eq!(r.field_code("url"), Some("too_long"));
        // No url, or something else beside it.
        w.app.get("/api/v1/wechat/js-config", None).await.expect_status(400);
        let r = w.app.get(&format!("{}&debug=1", config_path(SITE)), None).await;
        r.expect_status(400);
        assert_eq!(r.code(), "invalid_query");
        assert_eq!(w.sim.ticket_fetches(), 0, "nothing refused reached WeChat");
    }

    async fn wechat_down_is_a_clear_503_and_the_next_ask_recovers(w) {
        w.sim.set_mode(Mode::Down);
        let r = w.app.get(&config_path(&format!("{SITE}/listing.html")), None).await;
        r.expect_status(503);
        assert_eq!(r.code(), "wechat_unavailable");
        assert!(r.header("retry-after").is_some());
        assert!(!r.text.contains(wechat::APP_SECRET));
        w.sim.set_mode(Mode::Normal);
        config_checked(&w, &format!("{SITE}/listing.html"), &format!("{SITE}/listing.html")).await;
    }

    async fn one_address_asking_in_a_loop_is_slowed_down(w) {
        let url = config_path(&format!("{SITE}/listing.html"));
        let mut limited = None;
        for i in 0..70 {
            let r = w.app.get(&url, None).await;
            if r.status == 429 {
                limited = Some((i, r));
                break;
            }
            r.expect_status(200);
        }
        let (i, r) = limited.expect("the 61st ask is refused");
        assert_eq!(i, 60);
        assert_eq!(r.code(), "too_many_attempts");
        assert!(r.header("retry-after").is_some());
        assert_eq!(w.sim.ticket_fetches(), 1);
    }
}

both_backends! {
    async fn without_an_official_account_the_sdk_is_not_offered(app) {
        let r = app.get(&config_path("http://127.0.0.1/listing.html"), None).await;
        r.expect_status(404);
        assert_eq!(r.code(), "wechat_js_unavailable");
    }

    async fn only_the_pages_that_use_the_sdk_may_load_its_script(app) {
        for page in ["/listing.html", "/seller.html", "/checkout.html", "/account.html"] {
            let r = app.get(page, None).await;
            let csp = r.header("content-security-policy").unwrap_or("").to_owned();
            assert!(csp.contains("script-src 'self' https://res.wx.qq.com;"), "{page}: {csp}");
        }
        for page in ["/", "/index.html", "/login.html", "/orders.html", "/api/v1/regions", "/news", "/t/"] {
            let r = app.get(page, None).await;
            let csp = r.header("content-security-policy").unwrap_or("").to_owned();
            assert!(csp.starts_with("default-src 'self'"), "{page}: {csp}");
            assert!(!csp.contains("wx.qq.com"), "{page}: {csp}");
        }
    }

    async fn the_scan_page_and_a_news_article_hand_their_og_tags_to_the_sdk(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.batch(&seller).await;
        let official = app.official().await;
        let draft = app
            .post(
                "/api/v1/news/articles",
                json!({"title": "春耕备耕提示", "summary": "注意农资安全。", "body_html": "<p>严格遵守安全间隔期。</p>", "category": "season"}),
                Some(&official.token),
            )
            .await;
        draft.expect_status(201);
        let article = draft.id();
        app.post_empty(&format!("/api/v1/news/articles/{article}/submit"), Some(&official.token))
            .await
            .expect_status(200);
        let op = app.operator().await;
        app.post_empty(&format!("/api/v1/news/articles/{article}/approve"), Some(&op.token))
            .await
            .expect_status(200);
        for page in [format!("/t/{}", batch.code), format!("/news/{article}")] {
            let r = app.get(&page, None).await;
            r.expect_status(200);
            let csp = r.header("content-security-policy").unwrap_or("").to_owned();
            assert!(csp.contains("script-src 'self' https://res.wx.qq.com;"), "{page}: {csp}");
            // Its og: tags, and the one small module that hands them to WeChat inside WeChat.
            assert!(r.text.contains("property=\"og:title\""), "{page}");
            assert!(
                r.text.contains("<script type=\"module\" src=\"/assets/js/share-card.js\"></script>"),
                "{page}: {}",
                r.text
            );
            assert_eq!(r.text.matches("<script").count(), 1, "{page}: one script only");
        }
        // The module is served, and loads nothing by itself outside WeChat.
        let module = app.get("/assets/js/share-card.js", None).await;
        module.expect_status(200);
        assert!(module.text.contains("MicroMessenger") && module.text.contains("import('./wechat-sdk.js')"));
        assert!(!module.text.contains("res.wx.qq.com"));
    }
}
