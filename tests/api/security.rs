//! Safe to go live (issue #15): each attack found from outside, performed through the real
//! server and seen refused — production mode, the client address behind proxies, query
//! strings and request lines, spoofing characters in text.

use farmgate_server::Settings;
use farmgate_tests::prelude::*;

/// A token `/metrics` accepts in these tests (at least 32 characters, as the settings demand).
const METRICS_TOKEN: &str = "metrics-token-for-the-tests-0123456789";

/// A production deployment (the sandbox gateway off, as production refuses to start with it).
fn production_mode(s: &mut Settings) {
    s.production = true;
    s.payment_sandbox = false;
}

fn production_with_metrics_token(s: &mut Settings) {
    production_mode(s);
    s.metrics_token = Some(METRICS_TOKEN.to_owned());
}

/// Behind the ingress (one proxy of ours), with a small per-address login limit.
fn behind_one_proxy(s: &mut Settings) {
    s.trust_proxy = true;
    s.login_attempts_per_address = 3;
}

both_backends_configured! { production_mode;
    async fn production_marks_the_session_cookie_secure_and_sends_hsts(app) {
        let buyer = app.consumer().await;

        let r = app.login(&buyer.phone, PASSWORD).await;

        r.expect_status(200);
        let cookie = r.header("set-cookie").unwrap_or_default().to_owned();
        assert!(cookie.contains("fg_session="), "{cookie}");
        assert!(cookie.contains("Secure"), "the cookie may travel over plain HTTP: {cookie}");
        let hsts = r.header("strict-transport-security").unwrap_or_default();
        assert!(hsts.contains("max-age=31536000"), "no HSTS: {hsts:?}");
    }

    async fn production_serves_no_metrics_on_the_public_address(app) {
        let r = app.get("/metrics", None).await;

        r.expect_status(404);
        assert!(!r.text.contains("farmgate_"), "{}", r.text);
    }

    async fn production_readiness_names_no_backend_error(app) {
        let r = app.get("/readyz", None).await;

        r.expect_status(200);
        for backend in ["database", "objects", "cache", "search"] {
            assert_eq!(r.body[backend]["ok"], json!(true), "{}", r.text);
            assert!(r.body[backend].get("error").is_none(), "{}", r.text);
        }
    }

    async fn production_refuses_online_payment_through_the_sandbox(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;

        let r = app
            .post(
                "/api/v1/orders",
                json!({"address_id": buyer.address, "payment_method": "gateway",
                       "items": [{"sku_id": seller.sku, "quantity": 1}]}),
                Some(&buyer.token),
            )
            .await;

        r.expect_status(409);
        assert_eq!(r.code(), "online_payment_unavailable");
        let orders = app.get("/api/v1/orders", Some(&buyer.token)).await;
        orders.expect_status(200);
        assert_eq!(orders.text.matches("\"id\"").count(), 0, "an order was written: {}", orders.text);
    }

    async fn production_has_no_sandbox_gateway_page(app) {
        let buyer = app.consumer().await;

        let r = app
            .get(&format!("/api/v1/payments/sandbox/{}", Uuid::now_v7()), Some(&buyer.token))
            .await;

        r.expect_status(404);
    }
}

both_backends_configured! { production_with_metrics_token;
    async fn production_metrics_need_the_bearer_token(app) {
        let none = app.get("/metrics", None).await;
        let wrong = app.get("/metrics", Some("metrics-token-for-the-tests-0123456780")).await;
        let right = app.get("/metrics", Some(METRICS_TOKEN)).await;

        none.expect_status(401);
        assert_eq!(none.code(), "unauthenticated");
        wrong.expect_status(401);
        right.expect_status(200);
        assert!(right.text.contains("farmgate_"), "{}", right.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_address_serves_metrics_apart_from_the_public_one() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().expect("its address").port()
    };
    let Some(app) = TestApp::spawn_configured(Backend::Embedded, |s| {
        production_mode(s);
        s.metrics_addr = Some(format!("127.0.0.1:{port}"));
    })
    .await
    else {
        return;
    };
    app.get("/healthz", None).await.expect_status(200);

    let internal = app
        .send(app.http.get(format!("http://127.0.0.1:{port}/metrics")))
        .await;
    let public = app.get("/metrics", None).await;

    internal.expect_status(200);
    assert!(
        internal.text.contains("farmgate_http_requests"),
        "{}",
        internal.text
    );
    public.expect_status(404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_to_start_naming_every_unsafe_setting() {
    let settings = Settings {
        production: true,
        ..Settings::default()
    };

    let refused = farmgate_server::app::refuse_unsafe_production(&settings, true)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();

    for setting in ["--demo", "payment_sandbox", "sms_provider", "public_url"] {
        assert!(
            refused.contains(setting),
            "{setting} not named in: {refused}"
        );
    }
    let development = Settings::default();
    assert!(farmgate_server::app::refuse_unsafe_production(&development, true).is_ok());
}

both_backends_configured! { behind_one_proxy;
    async fn a_client_cannot_escape_the_address_limit_by_writing_x_forwarded_for(app) {
        let buyer = app.consumer().await;
        let attempt = |i: usize| {
            app.http
                .post(app.url("/api/v1/auth/login"))
                // What the client wrote, then what our ingress saw: the same address each time.
                .header("x-forwarded-for", format!("10.9.8.{i}, 203.0.113.7"))
                .json(&json!({"login": buyer.phone, "password": format!("wrong-{i}")}))
        };

        let mut statuses = Vec::new();
        for i in 0..5 {
            statuses.push(app.send(attempt(i)).await.status);
        }

        assert!(
            statuses.contains(&429),
            "five guesses from one address behind the ingress were never limited: {statuses:?}"
        );
    }

    async fn the_limit_of_one_address_does_not_fall_on_another(app) {
        let buyer = app.consumer().await;
        for i in 0..5 {
            let r = app
                .send(
                    app.http
                        .post(app.url("/api/v1/auth/login"))
                        .header("x-forwarded-for", "203.0.113.7")
                        .json(&json!({"login": "13700000000", "password": format!("wrong-{i}")})),
                )
                .await;
            assert_ne!(r.status, 200);
        }

        let other = app
            .send(
                app.http
                    .post(app.url("/api/v1/auth/login"))
                    .header("x-forwarded-for", "198.51.100.20")
                    .json(&json!({"login": buyer.phone, "password": PASSWORD})),
            )
            .await;

        other.expect_status(200);
    }
}

both_backends! {
    async fn a_nul_byte_in_a_query_filter_is_a_400_not_a_500(app) {
        let op = app.operator().await;
        let official = app.official().await;

        let accounts = app.get("/api/v1/admin/accounts?q=%00", Some(&op.token)).await;
        let orgs = app.get("/api/v1/admin/orgs?q=a%00b", Some(&op.token)).await;
        let stats = app
            .get("/api/v1/stats/sales?from=2026-01-01&to=2026-01-31&township=%00", Some(&official.token))
            .await;

        for r in [&accounts, &orgs, &stats] {
            r.expect_status(400);
            assert_eq!(r.code(), "control_characters", "{}", r.text);
        }
    }

    async fn an_address_of_a_hundred_kilobytes_gets_our_error_shape(app) {
        let long = format!("/api/v1/search?q={}", "a".repeat(100 * 1024));

        let r = app.send_raw(&format!("GET {long} HTTP/1.1"), Vec::new()).await;

        r.expect_status(414);
        assert_eq!(r.code(), "uri_too_long", "{}", r.text);
    }

    async fn an_address_over_the_limit_on_a_kept_connection_gets_our_error_shape(app) {
        app.get("/healthz", None).await.expect_status(200);
        let long = format!("/api/v1/search?q={}", "a".repeat(20 * 1024));

        let r = app.get(&long, None).await;

        r.expect_status(414);
        assert_eq!(r.code(), "uri_too_long", "{}", r.text);
    }

    async fn a_title_with_a_bidi_override_is_refused(app) {
        let seller = app.seller_with_listing().await;

        let r = app
            .patch(
                &format!("/api/v1/listings/{}", seller.listing),
                json!({"title": "赣南脐橙\u{202e}橙脐南赣"}),
                Some(&seller.owner.token),
            )
            .await;

        r.expect_status(422);
        assert_eq!(r.field_code("title"), Some("invisible_characters"), "{}", r.text);
    }
}
