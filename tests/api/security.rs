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
        payment_sandbox: true,
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

    async fn a_page_size_or_offset_out_of_range_is_refused_not_quietly_changed(app) {
        let op = app.operator().await;

        let big = app.get("/api/v1/admin/accounts?limit=101", Some(&op.token)).await;
        let zero = app.get("/api/v1/admin/orgs?limit=0", Some(&op.token)).await;
        let deep = app
            .get("/api/v1/admin/audit?offset=9223372036854775808", Some(&op.token))
            .await;
        let fine = app
            .get("/api/v1/admin/accounts?limit=100&offset=1000000", Some(&op.token))
            .await;

        for (r, param) in [(&big, "limit"), (&zero, "limit"), (&deep, "offset")] {
            r.expect_status(400);
            assert_eq!(r.code(), "invalid_query", "{}", r.text);
            assert!(r.field_code(param).is_some(), "{param} not named: {}", r.text);
        }
        fine.expect_status(200);
        assert_eq!(fine.body["limit"], 100);
        assert_eq!(fine.body["offset"], 1_000_000);
    }

    async fn an_array_body_is_not_read_as_the_fields_in_order(app) {
        let buyer = app.consumer().await;
        let before = app.get("/api/v1/auth/me", Some(&buyer.token)).await;

        let r = app
            .patch("/api/v1/me/account", json!(["someone else", null]), Some(&buyer.token))
            .await;

        r.expect_status(400);
        assert_eq!(r.code(), "malformed_json", "{}", r.text);
        let after = app.get("/api/v1/auth/me", Some(&buyer.token)).await;
        assert_eq!(after.body["account"]["display_name"], "王芳", "{}", after.text);
        assert_eq!(after.body, before.body);
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

/// Whether `bytes` still carry the EXIF block (and its GPS marker) of [`jpeg_with_exif`].
fn carries_exif(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == b"Exif") || bytes.windows(11).any(|w| w == b"GPSLatitude")
}

both_backends! {
    async fn a_decompression_bomb_is_refused_before_it_is_decoded(app) {
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;

        let photo = app
            .upload(&format!("/api/v1/listings/{}/images", seller.listing), &seller.owner, png_bomb(8000, 8000), "bomb.png")
            .await;
        let review = app.upload("/api/v1/review-photos", &buyer, png_bomb(7999, 7000), "bomb.png").await;
        let evidence = app.upload("/api/v1/claim-evidence", &buyer, png_bomb(8000, 8000), "bomb.png").await;

        for r in [&photo, &review, &evidence] {
            r.expect_status(413);
            assert_eq!(r.code(), "payload_too_large", "{}", r.text);
        }
    }

    async fn a_speck_is_not_a_listing_photo(app) {
        let seller = app.seller_with_listing().await;

        let r = app
            .upload(&format!("/api/v1/listings/{}/images", seller.listing), &seller.owner, png(1, 1), "dot.png")
            .await;

        r.expect_status(422);
        assert_eq!(r.field_code("file"), Some("image_too_small"), "{}", r.text);
        let listing = app.get(&format!("/api/v1/listings/{}", seller.listing), Some(&seller.owner.token)).await;
        assert_eq!(listing.at("images"), &json!([]), "the speck was kept");
    }

    async fn a_trace_photo_is_published_without_its_gps(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.batch(&seller).await;

        let r = app
            .upload(&format!("/api/v1/batches/{}/attachments", batch.id), &seller.owner, jpeg_with_exif(), "field.jpg")
            .await;

        r.expect_status(201);
        let url = r.str("url").to_owned();
        let public = app.http.get(app.url(&url)).send().await.expect("the file answers");
        assert_eq!(public.status().as_u16(), 200, "{url}");
        let bytes = public.bytes().await.expect("its bytes");
        assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
        assert!(!carries_exif(&bytes), "the public copy still carries EXIF and GPS");
    }

    async fn review_photo_addresses_do_not_name_the_reviewer(app) {
        let buyer = app.consumer().await;

        let r = app.upload("/api/v1/review-photos", &buyer, jpeg_with_exif(), "parcel.jpg").await;

        r.expect_status(201);
        let account = buyer.account_id.to_string();
        assert!(!r.text.contains(&account), "the photo's address names its owner: {}", r.text);
    }

    async fn an_official_sees_the_certificate_phone_masked(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.batch(&seller).await;
        let official = app.official().await;

        let theirs = app.get(&format!("/api/v1/batches/{}", batch.id), Some(&official.token)).await;
        let own = app.get(&format!("/api/v1/batches/{}", batch.id), Some(&seller.owner.token)).await;
        let public = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;

        theirs.expect_status(200);
        own.expect_status(200);
        public.expect_status(200);
        let phone = own.str("facts.certificate.contact_phone").to_owned();
        assert_eq!(phone.len(), 11, "the seller sees the number they entered: {phone}");
        for (who, r) in [("official", &theirs), ("public", &public)] {
            assert!(!r.text.contains(&phone), "the {who} sees the phone unmasked: {}", r.text);
            assert!(r.str("facts.certificate.contact_phone").contains("****"), "{who}: {}", r.text);
            assert!(r.str("events.0.data.certificate.contact_phone").contains("****"), "{who}: {}", r.text);
        }
    }

    async fn box_labels_come_five_hundred_a_sheet(app) {
        let seller = app.seller_with_listing().await;
        let batch = app.batch(&seller).await;
        let owner = &seller.owner;
        app.post(&format!("/api/v1/batches/{}/units", batch.id), json!({"count": 600}), Some(&owner.token))
            .await
            .expect_status(201);
        let sheet = |page: u32| format!("/batches/{}/labels?units=true&page={page}", batch.id);

        let first = app.get(&sheet(1), Some(&owner.token)).await;
        let second = app.get(&sheet(2), Some(&owner.token)).await;
        let third = app.get(&sheet(3), Some(&owner.token)).await;
        let zeroth = app.get(&sheet(0), Some(&owner.token)).await;

        first.expect_status(200);
        second.expect_status(200);
        let labels = |r: &Resp| r.text.matches("<svg").count();
        assert_eq!(labels(&first), 500, "the first sheet");
        assert_eq!(labels(&second), 100, "the rest");
        for r in [&third, &zeroth] {
            r.expect_status(422);
            assert_eq!(r.field_code("page"), Some("out_of_range"), "{}", r.text);
        }
    }
}

/// `farmgate verify`, `digest` and `stats-rebuild` run beside the embedded server: they build
/// the app without opening the search index the server holds (finding 15).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_that_search_nothing_run_beside_the_embedded_server() {
    let Some(app) = TestApp::spawn(Backend::Embedded).await else {
        return;
    };
    let seller = app.seller_with_listing().await;
    let batch = app.batch(&seller).await;
    let beside = farmgate_server::BuildOptions {
        no_search_index: true,
        ..farmgate_server::BuildOptions::default()
    };

    let second = farmgate_server::build(app.settings(), beside).await;
    let opening_the_index =
        farmgate_server::build(app.settings(), farmgate_server::BuildOptions::default()).await;

    let second = second.unwrap_or_else(|e| panic!("a command beside the server: {e:#}"));
    let ok = farmgate_server::verify::run(&second.state.trace, Some(&batch.code), false)
        .await
        .unwrap_or_else(|e| panic!("verify beside the server: {e:#}"));
    assert!(ok, "the batch verifies");
    second
        .state
        .stats
        .rebuild()
        .await
        .unwrap_or_else(|e| panic!("stats-rebuild beside the server: {e:#}"));
    assert!(
        opening_the_index.is_err(),
        "the embedded index is locked by the running server, so this test shows the difference"
    );
}

/// The payment settings a deployment starts with when it names none.
fn payments_as_shipped(s: &mut Settings) {
    s.payment_sandbox = Settings::default().payment_sandbox;
}

both_backends_configured! { payments_as_shipped;
    async fn a_server_not_told_to_use_the_sandbox_has_no_sandbox_gateway(app) {
        // The sandbox is a demo tool (`serve --demo` turns it on): a server that was not
        // asked for it offers no online payment until a real provider is configured.
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
        let page = app.get(&format!("/api/v1/payments/sandbox/{}", Uuid::now_v7()), Some(&buyer.token)).await;

        r.expect_status(409);
        assert_eq!(r.code(), "online_payment_unavailable", "{}", r.text);
        assert_eq!(app.count("orders", "1=1").await, 0);
        page.expect_status(404);
        // Checkout offers what it accepts: offline only.
        let methods = app.get("/api/v1/payments/methods", None).await;
        methods.expect_status(200);
        assert_eq!(methods.body["methods"], json!([{
            "method": "offline", "provider": "offline", "simulated": false,
            "label_zh": "银行转账 / 货到付款（平台财务确认到账）",
            "label_en": "Bank transfer or cash on delivery (confirmed by platform finance)",
        }]), "{}", methods.text);
        let offline = app
            .post(
                "/api/v1/orders",
                json!({"address_id": buyer.address, "payment_method": "offline",
                       "items": [{"sku_id": seller.sku, "quantity": 1}]}),
                Some(&buyer.token),
            )
            .await;
        offline.expect_status(201);
    }
}

/// The demo's payment settings: the sandbox gateway on.
fn demo_payments(s: &mut Settings) {
    s.payment_sandbox = true;
}

both_backends_configured! { demo_payments;
    async fn the_sandbox_is_offered_as_a_simulated_payment(app) {
        let r = app.get("/api/v1/payments/methods", None).await;

        r.expect_status(200);
        let methods = r.arr("methods");
        let listed: Vec<(&str, bool)> = methods
            .iter()
            .map(|m| (m["method"].as_str().unwrap_or_default(), m["simulated"].as_bool().unwrap_or_default()))
            .collect();
        assert_eq!(listed, vec![("gateway", true), ("offline", false)], "{}", r.text);
        assert!(methods[0]["label_zh"].as_str().unwrap_or_default().contains("模拟支付"), "{}", r.text);
    }
}

/// A verified seller with a listing that may record batches.
async fn trace_seller(app: &TestApp) -> SellerWithListing {
    app.verified_seller()
        .with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100).without_tiers())
        .await
}

/// Behind the ingress, with three public verifications per address and minute.
fn small_verify_allowance(s: &mut Settings) {
    s.trust_proxy = true;
    s.trace_verify_per_address_per_minute = 3;
}

both_backends_configured! { small_verify_allowance;
    async fn one_address_cannot_make_the_public_verify_reread_files_without_end(app) {
        let first = app.batch(&trace_seller(&app).await).await;
        let second = app.batch(&trace_seller(&app).await).await;
        let verify = |code: &str, from: &str| {
            app.http
                .get(app.url(&format!("/api/v1/trace/{code}/verify")))
                .header("x-forwarded-for", from.to_owned())
        };

        for _ in 0..3 {
            app.send(verify(&first.code, "203.0.113.7")).await.expect_status(200);
        }
        let refused = app.send(verify(&first.code, "203.0.113.7")).await;
        // The allowance is the address's, not the code's: another code does not reset it.
        let other_code = app.send(verify(&second.code, "203.0.113.7")).await;
        let other_address = app.send(verify(&first.code, "198.51.100.20")).await;

        refused.expect_status(429);
        assert_eq!(refused.code(), "too_many_attempts", "{}", refused.text);
        let retry: u64 = refused
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!((1..=60).contains(&retry), "Retry-After within the minute: {retry}");
        other_code.expect_status(429);
        other_address.expect_status(200);
        assert_eq!(other_address.body["ok"], json!(true), "{}", other_address.text);
    }

    async fn an_ipv6_client_counts_once_for_its_whole_64(app) {
        let batch = app.batch(&trace_seller(&app).await).await;
        let path = format!("/api/v1/trace/{}/verify", batch.code);
        let from = |host: u16| {
            app.http
                .get(app.url(&path))
                .header("x-forwarded-for", format!("2001:db8:7:7::{host:x}"))
        };

        let mut statuses = Vec::new();
        for host in 1..=4u16 {
            statuses.push(app.send(from(host)).await.status);
        }
        let next_block = app
            .send(
                app.http
                    .get(app.url(&path))
                    .header("x-forwarded-for", "2001:db8:7:8::1"),
            )
            .await;

        assert_eq!(statuses, vec![200, 200, 200, 429], "four hosts of one /64");
        next_block.expect_status(200);
    }
}

both_backends_configured! { behind_one_proxy;
    async fn the_scan_beacon_cannot_be_pumped_by_reloads_or_loops(app) {
        let batch = app.batch(&trace_seller(&app).await).await;
        let seen = |query: &str, from: &str| {
            app.http
                .post(app.url(&format!("/t/{}/seen{query}", batch.code)))
                .header("x-forwarded-for", from.to_owned())
        };
        let counted = |r: &farmgate_tests::Resp| r.body["counted"].as_bool();

        // One visitor counts once, however often the page is reloaded.
        let first = app.send(seen("?v=visitor-aaaa-0001", "203.0.113.7")).await;
        first.expect_status(200);
        assert_eq!((first.i64("scans"), counted(&first)), (1, Some(true)), "{}", first.text);
        for _ in 0..3 {
            let again = app.send(seen("?v=visitor-aaaa-0001", "203.0.113.7")).await;
            assert_eq!((again.i64("scans"), counted(&again)), (1, Some(false)), "{}", again.text);
            assert_eq!(again.header("cache-control"), Some("no-store"));
        }
        // Nor through the pixel.
        let pixel = app.send(app.http.get(app.url(&format!("/t/{}/seen.gif?v=visitor-aaaa-0001", batch.code)))
            .header("x-forwarded-for", "203.0.113.7")).await;
        pixel.expect_status(200);
        // Another phone behind the same address counts; an id that is no id is ignored (the
        // view counts, under the address's ceiling); a second `v` does not override the first.
        let other = app.send(seen("?v=visitor-bbbb-0002", "203.0.113.7")).await;
        assert_eq!((other.i64("scans"), counted(&other)), (2, Some(true)), "{}", other.text);
        let odd = app.send(seen("?v=%3Cscript%3E&v=visitor-aaaa-0001", "203.0.113.7")).await;
        assert_eq!((odd.i64("scans"), counted(&odd)), (3, Some(true)), "{}", odd.text);

        // A loop without an id from one address: at most 120 of them count in the hour.
        let mut admitted = 0;
        for _ in 0..130 {
            let r = app.send(seen("", "198.51.100.20")).await;
            r.expect_status(200);
            if counted(&r) == Some(true) {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 120, "the address's ceiling");
        // Its IPv6 twin: every host of one /64 shares one ceiling, the next /64 has its own.
        for host in 1..=3u16 {
            let r = app.send(seen("", &format!("2001:db8:9:9::{host:x}"))).await;
            assert_eq!(counted(&r), Some(true));
        }
        let elsewhere = app.send(seen("", "192.0.2.44")).await;
        assert_eq!(counted(&elsewhere), Some(true), "another address is not limited");

        app.state.trace.flush_scans().await.expect("flush");
        let total = app.get(&format!("/api/v1/trace/{}", batch.code), None).await;
        assert_eq!(total.i64("scans"), 3 + 120 + 3 + 1, "only the admitted views were counted");
    }
}
