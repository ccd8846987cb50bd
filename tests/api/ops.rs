//! Health, readiness, metrics, the OpenAPI document, request ids, pages.

use farmgate_tests::prelude::*;

both_backends! {
    async fn healthz_answers_ok(app) {
        let r = app.get("/healthz", None).await;
        r.expect_status(200);
        assert_eq!(r.text, "ok");
    }

    async fn readyz_reports_every_configured_backend(app) {
        let r = app.get("/readyz", None).await;
        r.expect_status(200);
        assert_eq!(r.body["status"], "ok");
        let expected_db = if app.backend == farmgate_tests::Backend::Embedded { "sqlite" } else { "postgres" };
        assert_eq!(r.body["database"]["backend"], expected_db);
        assert_eq!(r.body["database"]["ok"], true);
        assert_eq!(r.body["objects"]["ok"], true);
        assert_eq!(r.body["cache"]["ok"], true);
        if app.backend == farmgate_tests::Backend::Embedded {
            assert_eq!(r.body["objects"]["backend"], "local");
            assert_eq!(r.body["cache"]["backend"], "memory");
        }
    }

    async fn metrics_count_requests_by_route_template(app) {
        let op = app.operator().await;
        let id = uuid::Uuid::now_v7();
        app.get(&format!("/api/v1/orgs/{id}"), Some(&op.token)).await;
        let r = app.get("/metrics", None).await;
        r.expect_status(200);
        assert!(r.text.contains(r#"route="/api/v1/orgs/{id}""#), "{}", r.text);
        assert!(!r.text.contains(&id.to_string()), "ids must not become label values");
        assert!(r.text.contains("farmgate_http_request_duration_seconds_bucket"));
    }

    async fn the_openapi_document_describes_every_identity_route(app) {
        let r = app.get("/api/v1/openapi.json", None).await;
        r.expect_status(200);
        let paths = r.at("paths").as_object().expect("an object of paths");
        for p in [
            "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me",
            "/api/v1/orgs", "/api/v1/orgs/{id}", "/api/v1/orgs/{id}/members",
            "/api/v1/orgs/{id}/invitations", "/api/v1/admin/orgs", "/api/v1/admin/orgs/{id}/verify",
            "/api/v1/admin/orgs/{id}/reject", "/api/v1/admin/audit",
        ] {
            assert!(paths.contains_key(p), "missing {p} in {:?}", paths.keys().collect::<Vec<_>>());
        }
        assert!(r.body["paths"]["/api/v1/auth/login"]["post"]["requestBody"].is_object());
        assert!(r.body["components"]["schemas"]["LoginRequest"].is_object());
    }

    async fn every_answer_carries_a_request_id_that_errors_repeat(app) {
        let r = app.post("/api/v1/auth/login", json!({"login": "13800138000", "password": "wrong-password"}), None).await;
        r.expect_status(401);
        let header = r.header("x-request-id").map(str::to_owned);
        assert!(header.as_deref().is_some_and(|h| h.len() >= 32), "{:?}", r.headers);
        assert_eq!(Some(r.str("error.request_id")), header.as_deref());
    }

    async fn pages_are_served_with_security_headers(app) {
        let r = app.get("/login.html", None).await;
        r.expect_status(200);
        assert!(r.header("content-type").is_some_and(|t| t.starts_with("text/html")));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert!(r.header("content-security-policy").is_some());
        let js = app.get("/assets/js/api.js", None).await;
        js.expect_status(200);
        assert!(js.header("content-type").is_some_and(|t| t.contains("javascript")), "{:?}", js.headers);
    }

    async fn an_unknown_page_is_a_404_page_not_json(app) {
        let r = app.get("/no-such-page.html", None).await;
        r.expect_status(404);
        assert!(r.header("content-type").is_some_and(|t| t.starts_with("text/html")), "{:?}", r.headers);
    }
}

#[tokio::test]
async fn the_production_variant_uses_postgres_redis_and_s3_when_configured() {
    let Some(app) = TestApp::spawn(farmgate_tests::Backend::Production).await else {
        return;
    };
    let r = app.get("/readyz", None).await;
    r.expect_status(200);
    assert_eq!(r.body["database"]["backend"], "postgres");
    if farmgate_tests::env("FARMGATE_TEST_REDIS_URL").is_some() {
        assert_eq!(r.body["cache"]["backend"], "redis");
    }
    if farmgate_tests::s3_env().is_some() {
        assert_eq!(r.body["objects"]["backend"], "s3");
    }
}
