//! Bad input of every kind gets the one error shape, the right status and a clear message.

use farmgate_tests::prelude::*;

both_backends! {
    async fn malformed_json_is_a_400_with_the_position(app) {
        let r = app.post_raw("/api/v1/auth/login", "application/json", b"{\"login\": \"13800000001\",".to_vec(), None).await;
        r.expect_status(400);
        assert_eq!(r.code(), "malformed_json");
        assert!(r.str("error.message").contains("JSON"));
    }

    async fn missing_unknown_and_mistyped_fields_are_named(app) {
        let r = app.post("/api/v1/auth/login", json!({"login": "13800000001"}), None).await;
        r.expect_status(422);
        assert!(r.field("password").is_some(), "{}", r.text);
        let r = app.post("/api/v1/auth/login", json!({"login": "13800000001", "password": "x", "remember": true}), None).await;
        r.expect_status(422);
        assert!(r.field("remember").is_some(), "{}", r.text);
        let r = app.post("/api/v1/auth/login", json!({"login": 13800000001u64, "password": "x"}), None).await;
        r.expect_status(422);
        assert!(r.field("login").is_some(), "{}", r.text);
        let r = app.post("/api/v1/auth/register", json!({"display_name": ["a"], "phone": "13800000001", "password": PASSWORD, "code": "123456"}), None).await;
        r.expect_status(422);
        assert!(r.field("display_name").is_some(), "{}", r.text);
    }

    async fn a_body_over_the_limit_is_a_413(app) {
        let big = format!("{{\"login\": \"{}\", \"password\": \"x\"}}", "a".repeat(2 * 1024 * 1024));
        let r = app.post_raw("/api/v1/auth/login", "application/json", big.into_bytes(), None).await;
        r.expect_status(413);
        assert_eq!(r.code(), "payload_too_large");
    }

    async fn a_body_that_is_not_json_is_a_415(app) {
        let r = app.post_raw("/api/v1/auth/login", "text/plain", b"login=1&password=2".to_vec(), None).await;
        r.expect_status(415);
        assert_eq!(r.code(), "unsupported_media_type");
    }

    async fn an_unknown_endpoint_or_method_gets_the_error_shape(app) {
        let r = app.get("/api/v1/nothing-here", None).await;
        r.expect_status(404);
        assert_eq!(r.code(), "not_found");
        let r = app.delete("/api/v1/auth/login", None).await;
        r.expect_status(405);
        assert_eq!(r.code(), "method_not_allowed");
    }

    async fn a_malformed_id_in_the_path_is_a_404(app) {
        let s = app.register("13600000001", "王芳").await;
        let r = app.get("/api/v1/orgs/not-a-uuid", Some(&s.token)).await;
        r.expect_status(404);
        assert_eq!(r.code(), "not_found");
    }

    async fn bad_query_parameters_are_a_400(app) {
        let op = app.operator().await;
        let r = app.get("/api/v1/admin/orgs?status=maybe", Some(&op.token)).await;
        r.expect_status(400);
        assert_eq!(r.code(), "invalid_query");
        let r = app.get("/api/v1/admin/orgs?limit=-3", Some(&op.token)).await;
        r.expect_status(400);
    }

    async fn messages_follow_accept_language(app) {
        let zh = app.send(app.http.post(app.url("/api/v1/auth/login")).header("accept-language", "zh-CN").json(&json!({"login": "13800000001", "password": "nope-nope"}))).await;
        let en = app.send(app.http.post(app.url("/api/v1/auth/login")).header("accept-language", "en-US,en;q=0.9").json(&json!({"login": "13800000001", "password": "nope-nope"}))).await;
        assert_eq!(zh.body["error"]["message"], "账号或密码错误");
        assert_eq!(en.body["error"]["message"], "wrong login or password");
        let r = app.send(app.http.post(app.url("/api/v1/auth/register")).header("accept-language", "en").json(&json!({"display_name": "x", "phone": "123", "password": PASSWORD, "code": "123456"}))).await;
        assert!(r.field("phone").is_some_and(|m| m.contains("mobile number")), "{}", r.text);
    }

    async fn a_compressed_error_body_is_really_compressed(app) {
        // Browsers ask for gzip. A re-rendered error body must not keep a stale encoding.
        let resp = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .header("accept-encoding", "gzip")
            .json(&json!({"login": "13800000001", "password": "nope-nope"}))
            .send()
            .await
            .expect("an answer");
        assert_eq!(resp.status().as_u16(), 401);
        let gzip = resp.headers().get("content-encoding").is_some_and(|v| v == "gzip");
        let bytes = resp.bytes().await.expect("a body");
        if gzip {
            assert_eq!(&bytes[..2], &[0x1f, 0x8b], "labelled gzip, so it must be gzip");
        } else {
            let body: serde_json::Value = serde_json::from_slice(&bytes).expect("plain JSON");
            assert_eq!(body["error"]["code"], "invalid_credentials");
        }
    }
}
