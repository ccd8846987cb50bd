//! Registration, login, sessions, logout, rate limits.

use farmgate_tests::prelude::*;

both_backends! {
    async fn a_consumer_registers_with_a_code_sent_to_the_phone_and_is_logged_in(app) {
        let code = app.send_code("+86 136-0000-0001", "register", None).await;
        let r = app
            .post("/api/v1/auth/register", json!({"display_name": "王芳", "phone": "+86 136-0000-0001", "password": PASSWORD, "code": code}), None)
            .await;
        r.expect_status(201);
        assert_eq!(r.body["account"]["phone"], "13600000001", "the phone is normalised");
        assert_eq!(r.body["account"]["platform_role"], serde_json::Value::Null);
        let cookie = r.header("set-cookie").expect("a session cookie").to_owned();
        assert!(cookie.starts_with("fg_session=fg_"), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        let token = r.string("session.token");
        let me = app.get("/api/v1/auth/me", Some(&token)).await;
        me.expect_status(200);
        assert_eq!(me.body["account"]["display_name"], "王芳");
        assert_eq!(me.body["memberships"], json!([]));
    }

    async fn registration_takes_a_phone_not_an_email(app) {
        let r = app.post("/api/v1/auth/register", json!({"display_name": "Li Na", "email": "LiNa@Example.com", "password": PASSWORD, "code": "123456"}), None).await;
        r.expect_status(422);
        assert_eq!(app.count("accounts", "1=1").await, 0);
    }

    async fn registration_reports_every_bad_field_and_creates_nothing(app) {
        let r = app.post("/api/v1/auth/register", json!({"display_name": "  ", "phone": "12345", "password": "short", "code": "123456"}), None).await;
        r.expect_status(422);
        assert_eq!(r.code(), "validation_failed");
        assert!(r.field("display_name").is_some() && r.field("phone").is_some() && r.field("password").is_some(), "{}", r.text);
        let r = app.post("/api/v1/auth/register", json!({"display_name": "无联系方式", "password": PASSWORD, "code": "123456"}), None).await;
        r.expect_status(422);
        assert_eq!(app.count("accounts", "1=1").await, 0);
        assert_eq!(app.count("sessions", "1=1").await, 0);
    }

    async fn a_password_must_be_eight_characters_and_not_the_phone(app) {
        let r = app.post("/api/v1/auth/register", json!({"display_name": "王芳", "phone": "13600000001", "password": "1234567", "code": "123456"}), None).await;
        r.expect_status(422);
        assert!(r.field("password").is_some_and(|m| m.contains('8')), "{}", r.text);
        let r = app.post("/api/v1/auth/register", json!({"display_name": "王芳", "phone": "13600000001", "password": "x13600000001", "code": "123456"}), None).await;
        r.expect_status(422);
        assert!(r.field("password").is_some(), "{}", r.text);
    }

    async fn the_commonest_passwords_are_refused_with_a_reason(app) {
        for weak in ["123456789", "password1", "woaini1314", "qwertyuiop", "zhang19900101", "88888888"] {
            let r = app.post("/api/v1/auth/register", json!({"display_name": "王芳", "phone": "13600000001", "password": weak, "code": "123456"}), None).await;
            r.expect_status(422);
            assert!(r.field_code("password").is_some(), "{weak}: {}", r.text);
        }
        assert_eq!(app.count("accounts", "1=1").await, 0);
    }

    async fn a_wrong_password_and_an_unknown_account_get_the_same_answer(app) {
        app.register("13600000001", "王芳").await;
        let wrong = app.login("13600000001", "not-the-password").await;
        let unknown = app.login("13600000009", "not-the-password").await;
        wrong.expect_status(401);
        unknown.expect_status(401);
        assert_eq!(wrong.code(), "invalid_credentials");
        assert_eq!(wrong.body["error"]["message"], unknown.body["error"]["message"]);
        assert_eq!(wrong.code(), unknown.code());
    }

    async fn five_wrong_passwords_from_one_address_stop_that_address_for_the_window(app) {
        app.register("13600000001", "王芳").await;
        for _ in 0..5 {
            app.login("13600000001", "not-the-password").await.expect_status(401);
        }
        let locked = app.login("13600000001", PASSWORD).await;
        locked.expect_status(429);
        assert_eq!(locked.code(), "too_many_attempts");
        let retry: u64 = locked.header("retry-after").and_then(|v| v.parse().ok()).expect("a Retry-After in seconds");
        assert!(retry > 0 && retry <= 15 * 60, "Retry-After {retry}");
        // Another account from the same address is not stopped by someone else's failures.
        app.register("13600000002", "李娜").await;
        app.login("13600000002", PASSWORD).await.expect_status(200);
    }

    async fn one_address_guessing_many_accounts_is_slowed_down(app) {
        let mut last = 0;
        for i in 0..31 {
            last = app.login(&format!("1360000{:04}", i), "not-the-password").await.status;
        }
        assert_eq!(last, 429, "the 31st attempt from one address in 15 minutes is refused");
    }

    async fn logging_out_revokes_the_token_at_once(app) {
        let s = app.register("13600000001", "王芳").await;
        app.get("/api/v1/auth/me", Some(&s.token)).await.expect_status(200);
        let r = app.post_empty("/api/v1/auth/logout", Some(&s.token)).await;
        r.expect_status(204);
        assert!(r.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
        let r = app.get("/api/v1/auth/me", Some(&s.token)).await;
        r.expect_status(401);
        assert_eq!(r.code(), "unauthenticated");
    }

    async fn a_made_up_or_malformed_token_is_refused(app) {
        for token in ["fg_not-a-real-token", "", &"x".repeat(5000)] {
            let r = app.get("/api/v1/auth/me", Some(token)).await;
            r.expect_status(401);
            assert_eq!(r.code(), "unauthenticated");
        }
        app.get("/api/v1/auth/me", None).await.expect_status(401);
    }

    async fn a_session_expires_after_its_lifetime(app) {
        let s = app.register("13600000001", "王芳").await;
        app.clock.advance(chrono::Duration::days(13));
        app.get("/api/v1/auth/me", Some(&s.token)).await.expect_status(200);
        app.clock.advance(chrono::Duration::days(2));
        app.get("/api/v1/auth/me", Some(&s.token)).await.expect_status(401);
    }

    async fn the_cookie_authenticates_pages_and_cross_site_writes_are_refused(app) {
        let s = app.register("13600000001", "王芳").await;
        let cookie = format!("fg_session={}", s.token);
        let me = app.send(app.http.get(app.url("/api/v1/auth/me")).header("cookie", &cookie)).await;
        me.expect_status(200);
        let host = app.base.trim_start_matches("http://").to_owned();
        let evil = app
            .send(
                app.http.post(app.url("/api/v1/orgs")).header("cookie", &cookie).header("origin", "https://evil.example")
                    .json(&farmgate_tests::TestApp::org_body("cooperative", "跨站合作社")),
            )
            .await;
        evil.expect_status(403);
        assert_eq!(evil.code(), "cross_site_request");
        let same = app
            .send(
                app.http.post(app.url("/api/v1/orgs")).header("cookie", &cookie).header("origin", format!("http://{host}"))
                    .json(&farmgate_tests::TestApp::org_body("cooperative", "本站合作社")),
            )
            .await;
        same.expect_status(201);
        assert_eq!(app.count("organisations", "name = '跨站合作社'").await, 0);
    }

    async fn a_person_sees_and_ends_their_other_sessions(app) {
        let first = app.register("13600000001", "王芳").await;
        let second = app.login("13600000001", PASSWORD).await;
        second.expect_status(200);
        let second_token = second.string("session.token");
        let list = app.get("/api/v1/auth/sessions", Some(&first.token)).await;
        list.expect_status(200);
        let sessions = list.arr("");
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
        let other = list.find("", "current", false).uuid("id");
        app.delete(&format!("/api/v1/auth/sessions/{other}"), Some(&first.token)).await.expect_status(204);
        app.get("/api/v1/auth/me", Some(&second_token)).await.expect_status(401);
        app.get("/api/v1/auth/me", Some(&first.token)).await.expect_status(200);
    }

    async fn nobody_can_end_someone_elses_session(app) {
        let a = app.register("13600000001", "王芳").await;
        let b = app.register("13600000002", "李娜").await;
        let list = app.get("/api/v1/auth/sessions", Some(&b.token)).await;
        let b_session = list.uuid("0.id");
        app.delete(&format!("/api/v1/auth/sessions/{b_session}"), Some(&a.token)).await.expect_status(404);
        app.get("/api/v1/auth/me", Some(&b.token)).await.expect_status(200);
    }

    async fn names_with_markup_or_sql_are_stored_and_returned_verbatim(app) {
        for (i, name) in ["<script>alert(1)</script>", "'); DROP TABLE accounts;--", "Robert\"); --"].iter().enumerate() {
            let s = app.register(&format!("1360000000{i}"), name).await;
            let me = app.get("/api/v1/auth/me", Some(&s.token)).await;
            assert_eq!(me.body["account"]["display_name"], *name);
        }
        assert_eq!(app.count("accounts", "1=1").await, 3, "the accounts table is still there");
    }
}
