//! Verified people (#15): phone one-time codes, invitations that cannot be taken over, log-in
//! limits a stranger cannot turn against the owner, passwords, the first operator, one's own
//! data, and sessions that stay revoked. Each attack of the security review is a test here that
//! performs it through the real server and sees it refused.

use farmgate_tests::prelude::*;

/// Registers with `code` (the raw request, for refusals).
async fn register_with(app: &TestApp, phone: &str, code: &str) -> Resp {
    app.post(
        "/api/v1/auth/register",
        json!({"display_name": "王芳", "phone": phone, "password": PASSWORD, "code": code}),
        None,
    )
    .await
}

/// Logs in with a code (the raw request).
async fn login_with_code(app: &TestApp, phone: &str, code: &str) -> Resp {
    app.post(
        "/api/v1/auth/login/code",
        json!({"phone": phone, "code": code}),
        None,
    )
    .await
}

/// A six-digit code that is not `code`.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap_or(0);
    format!("{:06}", (n + 1) % 1_000_000)
}

/// Logs in as if from `ip` (the server believes `X-Forwarded-For`: `trust_proxy` is on).
async fn login_from(app: &TestApp, ip: &str, login: &str, password: &str) -> Resp {
    app.send(
        app.http
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", ip)
            .json(&json!({"login": login, "password": password})),
    )
    .await
}

fn behind_our_proxy(s: &mut farmgate_server::settings::Settings) {
    s.trust_proxy = true;
}

fn resend_after_a_minute(s: &mut farmgate_server::settings::Settings) {
    s.code_resend_secs = 60;
}

fn three_codes_per_address(s: &mut farmgate_server::settings::Settings) {
    s.codes_per_address_per_hour = 3;
}

fn two_registrations_per_address(s: &mut farmgate_server::settings::Settings) {
    s.registrations_per_address_per_hour = 2;
}

// ---- Phone codes: registration proves the phone, and nothing tells a stranger who has an account

both_backends! {
    async fn registering_without_the_code_sent_to_the_phone_is_refused_and_creates_nothing(app) {
        let guessed = register_with(&app, "13600000001", "123456").await;
        guessed.expect_status(422);
        assert_eq!(guessed.code(), "code_expired", "no code was ever sent: {}", guessed.text);
        app.send_code("13600000001", "register", None).await;
        let sent = app.code_sent_to("13600000001").await;
        let r = register_with(&app, "13600000001", &wrong(&sent)).await;
        r.expect_status(422);
        assert_eq!(r.code(), "invalid_code");
        assert_eq!(r.field_code("code"), Some("invalid_code"));
        assert_eq!(app.count("accounts", "1=1").await, 0);
        assert_eq!(app.count("sessions", "1=1").await, 0);
    }

    async fn asking_for_a_code_answers_the_same_whether_or_not_the_phone_has_an_account(app) {
        app.register("13600000001", "王芳").await;
        // The register code just sent: wait out the second between two codes.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let ask = |phone: &'static str| app.post("/api/v1/auth/codes", json!({"phone": phone, "purpose": "register"}), None);
        let taken = ask("13600000001").await;
        let free = ask("13600000002").await;
        taken.expect_status(202);
        free.expect_status(202);
        assert_eq!(taken.str("phone"), "136****0001");
        let shape = |r: &Resp| { let mut b = r.body.clone(); b["phone"] = Value::Null; b };
        assert_eq!(shape(&taken), shape(&free), "the same answer, but for the masked number");
        for purpose in ["login", "reset_password"] {
            let taken = app.post("/api/v1/auth/codes", json!({"phone": "13600000001", "purpose": purpose}), None).await;
            let free = app.post("/api/v1/auth/codes", json!({"phone": "13600000002", "purpose": purpose}), None).await;
            assert_eq!((taken.status, shape(&taken)), (free.status, shape(&free)), "{purpose}");
        }
    }

    async fn registering_a_taken_phone_without_its_code_answers_like_a_free_one_not_409(app) {
        app.register("13600000001", "王芳").await;
        let taken = register_with(&app, "13600000001", "123456").await;
        let free = register_with(&app, "13600000002", "123456").await;
        assert_ne!(taken.status, 409, "{}", taken.text);
        assert_eq!((taken.status, taken.code()), (free.status, free.code()));
        assert_eq!(taken.body["error"]["message"], free.body["error"]["message"]);
        assert_eq!(app.count("accounts", "1=1").await, 1);
    }

    async fn only_the_holder_of_a_taken_phone_hears_it_is_taken(app) {
        app.register("13600000001", "王芳").await;
        let code = app.send_code("13600000001", "register", None).await;
        let r = register_with(&app, "13600000001", &code).await;
        r.expect_status(409);
        assert_eq!(r.code(), "phone_registered");
        assert_eq!(app.count("accounts", "1=1").await, 1);
    }

    async fn a_code_works_once(app) {
        let code = app.send_code("13600000001", "register", None).await;
        register_with(&app, "13600000001", &code).await.expect_status(201);
        let login = app.send_code("13600000001", "login", None).await;
        login_with_code(&app, "13600000001", &login).await.expect_status(200);
        let again = login_with_code(&app, "13600000001", &login).await;
        again.expect_status(422);
        assert_eq!(again.code(), "code_expired");
    }

    async fn a_code_is_dead_after_five_minutes(app) {
        app.register("13600000001", "王芳").await;
        let code = app.send_code("13600000001", "login", None).await;
        app.clock.advance(chrono::Duration::seconds(5 * 60 + 1));
        let late = login_with_code(&app, "13600000001", &code).await;
        late.expect_status(422);
        assert_eq!(late.code(), "code_expired");
    }

    async fn a_code_is_dead_after_five_wrong_tries_even_for_the_right_one(app) {
        app.register("13600000001", "王芳").await;
        let code = app.send_code("13600000001", "login", None).await;
        for i in 0..5 {
            let r = login_with_code(&app, "13600000001", &wrong(&code)).await;
            r.expect_status(422);
            assert_eq!(r.code(), if i < 4 { "invalid_code" } else { "code_expired" }, "try {i}");
        }
        let right = login_with_code(&app, "13600000001", &code).await;
        right.expect_status(422);
        assert_eq!(right.code(), "code_expired");
    }

    async fn twenty_parallel_guesses_at_a_code_get_five_tries_between_them(app) {
        app.register("13600000001", "王芳").await;
        let code = app.send_code("13600000001", "login", None).await;
        let guesses: Vec<_> = (0..20)
            .map(|i| {
                let guess = format!("{:06}", (code.parse::<u32>().unwrap_or(0) + 1 + i) % 1_000_000);
                app.http.post(app.url("/api/v1/auth/login/code")).json(&json!({"phone": "13600000001", "code": guess}))
            })
            .collect();
        let answers = app.send_all(guesses).await;
        assert!(answers.iter().all(|r| r.status == 422), "{:?}", answers.iter().map(|r| &r.text).collect::<Vec<_>>());
        let compared = answers.iter().filter(|r| r.code() == "invalid_code").count();
        assert!(compared <= 5, "{compared} guesses were compared");
        assert_eq!(app.scalar("SELECT MAX(attempts) FROM phone_codes WHERE purpose = 'login'").await, 5);
        login_with_code(&app, "13600000001", &code).await.expect_status(422);
    }

    async fn a_code_sent_for_one_purpose_does_not_serve_another(app) {
        app.register("13600000001", "王芳").await;
        let login = app.send_code("13600000001", "login", None).await;
        let r = app.post("/api/v1/auth/password/reset", json!({"phone": "13600000001", "code": login, "password": "orchard-ridge-2027"}), None).await;
        r.expect_status(422);
        assert!(["code_expired", "invalid_code"].contains(&r.code()), "{}", r.text);
        app.login("13600000001", PASSWORD).await.expect_status(200);
    }

    async fn the_codes_themselves_are_not_in_the_database(app) {
        let code = app.send_code("13600000001", "register", None).await;
        assert_eq!(app.count("phone_codes", &format!("code_hash = '{code}'")).await, 0);
        assert_eq!(app.count("phone_codes", "LENGTH(code_hash) = 64").await, 1);
    }
}

both_backends_configured! { resend_after_a_minute;
    async fn a_second_code_to_the_same_phone_within_a_minute_is_refused(app) {
        app.send_code("13600000001", "register", None).await;
        let again = app.post("/api/v1/auth/codes", json!({"phone": "13600000001", "purpose": "register"}), None).await;
        again.expect_status(429);
        assert_eq!(again.code(), "resend_too_soon");
        let retry: u64 = again.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After");
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(app.count("sms_outbox", "1=1").await, 1, "one message went out");
    }
}

both_backends_configured! { three_codes_per_address;
    async fn one_address_asking_codes_for_many_phones_is_stopped(app) {
        for i in 1..=3 {
            app.post("/api/v1/auth/codes", json!({"phone": format!("1360000000{i}"), "purpose": "register"}), None).await.expect_status(202);
        }
        let fourth = app.post("/api/v1/auth/codes", json!({"phone": "13600000004", "purpose": "register"}), None).await;
        fourth.expect_status(429);
        assert_eq!(fourth.code(), "too_many_codes");
        assert!(fourth.header("retry-after").is_some());
        assert_eq!(app.count("sms_outbox", "1=1").await, 3);
    }
}

both_backends_configured! { two_registrations_per_address;
    async fn one_address_registers_only_so_many_accounts_an_hour(app) {
        app.register("13600000001", "王芳").await;
        app.register("13600000002", "李娜").await;
        let code = app.send_code("13600000003", "register", None).await;
        let third = register_with(&app, "13600000003", &code).await;
        third.expect_status(429);
        assert_eq!(third.code(), "too_many_attempts");
        assert_eq!(app.count("accounts", "1=1").await, 2);
    }
}

// ---- Invitations cannot be taken over

both_backends! {
    async fn an_account_that_only_claims_the_invited_phone_cannot_accept_without_a_code_to_it(app) {
        // An account made before codes existed (or by staff) carries the invited number
        // without ever having proven it: the attack of finding 1.
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let input = farmgate_identity::domain::NewAccount::parse("冒名者", "13800000002", PASSWORD).expect("valid");
        app.state.identity.create_account_with_role(input, None).await.expect("an unproven account");
        let r = app.login("13800000002", PASSWORD).await;
        r.expect_status(200);
        let squatter = Session { token: r.string("session.token"), account_id: r.uuid("account.id"), phone: "13800000002".into() };
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "owner"}), Some(&owner.token)).await;
        inv.expect_status(201);
        let id = inv.id();
        let mine = app.get("/api/v1/me/invitations", Some(&squatter.token)).await;
        assert_eq!(mine.body, json!([]), "an unproven phone does not even see the invitation");
        for code in ["000000", "123456", "999999"] {
            let r = app.post(&format!("/api/v1/invitations/{id}/accept"), json!({"code": code}), Some(&squatter.token)).await;
            r.expect_status(422);
        }
        let no_code = app.post_empty(&format!("/api/v1/invitations/{id}/accept"), Some(&squatter.token)).await;
        assert!(no_code.status >= 400, "{}", no_code.text);
        assert_eq!(app.count("memberships", "1=1").await, 1, "only the owner");
        let listed = app.get(&format!("/api/v1/orgs/{org}/invitations"), Some(&owner.token)).await;
        assert_eq!(listed.body[0]["status"], "pending");
    }

    async fn a_code_to_ones_own_phone_does_not_accept_an_invitation_to_another(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "owner"}), Some(&owner.token)).await;
        let id = inv.id();
        let intruder = app.register("13800000003", "陈志明").await;
        let own = app.send_code("13800000003", "accept_invitation", Some(&intruder.token)).await;
        let r = app.post(&format!("/api/v1/invitations/{id}/accept"), json!({"code": own}), Some(&intruder.token)).await;
        r.expect_status(404);
        assert_eq!(app.count("memberships", "1=1").await, 1);
    }

    async fn invitations_go_to_phones_only(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let r = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "wang@example.cn", "role": "staff"}), Some(&owner.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("login"), Some("phone_required"));
    }

    async fn a_code_for_accepting_goes_only_to_ones_own_phone(app) {
        let me = app.register("13800000003", "陈志明").await;
        let r = app.post("/api/v1/auth/codes", json!({"phone": "13800000002", "purpose": "accept_invitation"}), Some(&me.token)).await;
        r.expect_status(403);
        assert_eq!(app.count("sms_outbox", "phone = '13800000002'").await, 0);
    }

    async fn a_code_for_accepting_needs_a_session(app) {
        let r = app.post("/api/v1/auth/codes", json!({"phone": "13800000002", "purpose": "accept_invitation"}), None).await;
        r.expect_status(401);
        assert_eq!(app.count("sms_outbox", "1=1").await, 0);
    }
}

// ---- Log-in limits: a stranger cannot lock the owner out, parallel guesses do not slip past

both_backends_configured! { behind_our_proxy;
    async fn a_strangers_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(app) {
        app.register("13600000001", "王芳").await;
        for _ in 0..5 {
            login_from(&app, "203.0.113.66", "13600000001", "guess-guess-guess").await.expect_status(401);
        }
        let stopped = login_from(&app, "203.0.113.66", "13600000001", PASSWORD).await;
        stopped.expect_status(429);
        assert_eq!(stopped.code(), "too_many_attempts", "the stranger's address is stopped");
        login_from(&app, "198.51.100.7", "13600000001", PASSWORD).await.expect_status(200);
    }

    async fn when_guesses_come_from_everywhere_the_owner_still_logs_in_with_a_code(app) {
        app.register("13600000001", "王芳").await;
        for i in 0..25 {
            login_from(&app, &format!("203.0.113.{i}"), "13600000001", "guess-guess-guess").await;
        }
        let paused = login_from(&app, "198.51.100.7", "13600000001", PASSWORD).await;
        paused.expect_status(429);
        assert_eq!(paused.code(), "password_login_paused");
        // Not locked out: the code to the owner's phone lets them in, and lifts the pause.
        let code = app.send_code("13600000001", "login", None).await;
        login_with_code(&app, "13600000001", &code).await.expect_status(200);
        login_from(&app, "198.51.100.7", "13600000001", PASSWORD).await.expect_status(200);
    }
}

both_backends! {
    async fn twenty_parallel_wrong_passwords_get_at_most_five_checks(app) {
        app.register("13600000001", "王芳").await;
        let guesses: Vec<_> = (0..20)
            .map(|i| app.http.post(app.url("/api/v1/auth/login")).json(&json!({"login": "13600000001", "password": format!("guess-number-{i}")})))
            .collect();
        let answers = app.send_all(guesses).await;
        let checked = answers.iter().filter(|r| r.status == 401).count();
        let refused = answers.iter().filter(|r| r.status == 429).count();
        assert!(checked <= 5, "{checked} passwords were checked");
        assert_eq!(checked + refused, 20);
    }
}

// ---- Passwords

both_backends! {
    async fn changing_the_password_needs_the_old_one_and_ends_every_other_session(app) {
        let me = app.register("13600000001", "王芳").await;
        let phone_session = app.login_again(&me).await;
        let wrong = app.post("/api/v1/me/password", json!({"current_password": "not-my-password", "new_password": "orchard-ridge-2027"}), Some(&me.token)).await;
        wrong.expect_status(422);
        assert_eq!(wrong.code(), "wrong_password");
        let weak = app.post("/api/v1/me/password", json!({"current_password": PASSWORD, "new_password": "password123"}), Some(&me.token)).await;
        weak.expect_status(422);
        app.get("/api/v1/auth/me", Some(&phone_session.token)).await.expect_status(200);

        app.post("/api/v1/me/password", json!({"current_password": PASSWORD, "new_password": "orchard-ridge-2027"}), Some(&me.token)).await.expect_status(204);
        app.get("/api/v1/auth/me", Some(&phone_session.token)).await.expect_status(401);
        app.get("/api/v1/auth/me", Some(&me.token)).await.expect_status(200);
        app.login("13600000001", PASSWORD).await.expect_status(401);
        app.login("13600000001", "orchard-ridge-2027").await.expect_status(200);
        assert_eq!(app.count("audit_log", "action = 'account.password.change'").await, 1);
    }

    async fn a_password_reset_by_code_ends_every_session(app) {
        let me = app.register("13600000001", "王芳").await;
        let code = app.send_code("13600000001", "reset_password", None).await;
        let r = app.post("/api/v1/auth/password/reset", json!({"phone": "13600000001", "code": code, "password": "orchard-ridge-2027"}), None).await;
        r.expect_status(200);
        let fresh = r.string("session.token");
        app.get("/api/v1/auth/me", Some(&me.token)).await.expect_status(401);
        app.get("/api/v1/auth/me", Some(&fresh)).await.expect_status(200);
        app.login("13600000001", "orchard-ridge-2027").await.expect_status(200);
    }

    async fn a_reset_without_the_code_changes_nothing(app) {
        app.register("13600000001", "王芳").await;
        let r = app.post("/api/v1/auth/password/reset", json!({"phone": "13600000001", "code": "123456", "password": "orchard-ridge-2027"}), None).await;
        r.expect_status(422);
        app.login("13600000001", PASSWORD).await.expect_status(200);
    }

    async fn the_first_operator_sets_a_password_through_a_one_time_link(app) {
        let made = app.state.identity.create_operator("运营", "13900000099", None, false).await.expect("an operator");
        let token = made.setup_token.expect("a setup link");
        app.login("13900000099", PASSWORD).await.expect_status(401);
        let r = app.post("/api/v1/auth/setup", json!({"token": token, "password": "orchard-ridge-2027"}), None).await;
        r.expect_status(200);
        assert_eq!(r.body["account"]["platform_role"], "operator");
        let again = app.post("/api/v1/auth/setup", json!({"token": token, "password": "another-orchard-2028"}), None).await;
        again.expect_status(404);
        app.login("13900000099", "orchard-ridge-2027").await.expect_status(200);
        app.login("13900000099", "another-orchard-2028").await.expect_status(401);
    }
}

// ---- One's own account

both_backends! {
    async fn a_person_edits_their_profile_and_it_is_audited(app) {
        let me = app.register("13600000001", "王芳").await;
        let r = app.patch("/api/v1/me/account", json!({"display_name": "王芳芳", "email": "wf@example.cn"}), Some(&me.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("display_name"), "王芳芳");
        assert_eq!(app.count("audit_log", "action = 'account.profile'").await, 1);
    }

    async fn my_data_is_mine_and_holds_nobody_elses(app) {
        let me = app.register("13600000001", "王芳").await;
        app.register("13600000002", "李娜").await;
        app.get("/api/v1/me/export", None).await.expect_status(401);
        let r = app.get("/api/v1/me/export", Some(&me.token)).await;
        r.expect_status(200);
        assert!(r.header("content-disposition").is_some_and(|v| v.contains("attachment")));
        assert_eq!(r.str("account.phone"), "13600000001");
        assert!(!r.text.contains("13600000002") && !r.text.contains("李娜"), "{}", r.text);
        assert!(r.arr("codes_sent").iter().all(|c| c.get("code").is_none()), "codes are never exported");
        assert_eq!(app.count("audit_log", "action = 'account.export'").await, 1);
    }

    async fn my_data_holds_my_orders_reviews_and_claims_and_nobody_elses(app) {
        let mine = app.received_order(2).await;
        let theirs = app.received_order(1).await;
        app.post(&format!("/api/v1/order-lines/{}/review", mine.line_id), json!({"rating": 4, "text": "甜，个头匀称"}), Some(&mine.buyer.token))
            .await
            .expect_status(201);
        let claim = app.claim(&mine.buyer, mine.sub_order_id, mine.line_id, 1).await;

        let r = app.get("/api/v1/me/export", Some(&mine.buyer.token)).await;

        r.expect_status(200);
        let orders = r.arr("orders.orders");
        assert_eq!(orders.len(), 1, "{}", r.text);
        assert_eq!(orders[0]["number"], mine.order.number.as_str());
        assert!(r.text.contains("甜，个头匀称"), "the review is in the order: {}", r.text);
        assert_eq!(r.arr("orders.addresses").len(), 1);
        let claims = r.arr("aftersales.claims");
        assert_eq!(claims.len(), 1, "{}", r.text);
        assert_eq!(claims[0]["id"], claim.id.to_string());
        assert!(r.body["aftersales"]["recall_notices"].is_array());
        assert!(!r.text.contains(&theirs.order.number), "another buyer's order: {}", r.text);
        assert!(!r.text.contains(&theirs.buyer.phone), "another buyer's phone: {}", r.text);
    }

    async fn moving_to_a_new_phone_needs_a_code_sent_to_that_phone(app) {
        let me = app.register("13600000001", "王芳").await;
        let r = app.post("/api/v1/me/phone", json!({"phone": "13600000009", "code": "123456", "current_password": PASSWORD}), Some(&me.token)).await;
        r.expect_status(422);
        let code = app.send_code("13600000009", "change_phone", Some(&me.token)).await;
        let r = app.post("/api/v1/me/phone", json!({"phone": "13600000009", "code": code, "current_password": PASSWORD}), Some(&me.token)).await;
        r.expect_status(200);
        app.login("13600000001", PASSWORD).await.expect_status(401);
        app.login("13600000009", PASSWORD).await.expect_status(200);
    }

    async fn erasing_my_account_blanks_my_personal_fields_and_ends_my_sessions(app) {
        let me = app.register("13600000001", "王芳").await;
        let other = app.login_again(&me).await;
        let wrong = app.post("/api/v1/me/erase", json!({"current_password": "not-mine-at-all"}), Some(&me.token)).await;
        wrong.expect_status(422);
        app.post("/api/v1/me/erase", json!({"current_password": PASSWORD}), Some(&me.token)).await.expect_status(204);
        app.get("/api/v1/auth/me", Some(&me.token)).await.expect_status(401);
        app.get("/api/v1/auth/me", Some(&other.token)).await.expect_status(401);
        app.login("13600000001", PASSWORD).await.expect_status(401);
        assert_eq!(app.count("accounts", "phone IS NULL AND erased_at IS NOT NULL AND display_name = '已注销用户'").await, 1);
        assert_eq!(app.count("audit_log", "action = 'account.erase'").await, 1);
        // The number is free again for whoever holds it.
        app.register("13600000001", "新用户").await;
    }

    async fn an_erased_buyers_orders_stay_but_no_longer_say_who_received_them(app) {
        let parcel = app.received_order(2).await;
        let op = app.operator().await;
        let path = format!("/api/v1/orders/{}", parcel.order_id);
        let before = app.get(&path, Some(&op.token)).await;
        before.expect_status(200);
        assert!(!before.str("address.street").is_empty() && !before.str("address.phone").is_empty());
        app.post("/api/v1/me/erase", json!({"current_password": PASSWORD}), Some(&parcel.buyer.token)).await.expect_status(204);
        app.outbox_drained().await;
        let after = app.get(&path, Some(&op.token)).await;
        after.expect_status(200);
        assert_eq!(after.i64("total"), before.i64("total"), "the trade record is kept");
        for field in ["name", "phone", "street"] {
            assert_eq!(after.str(&format!("address.{field}")), "", "{field}: {}", after.text);
        }
        assert_eq!(after.str("address.city"), before.str("address.city"), "the city stays for the statistics");
        assert_eq!(app.count("addresses", "phone <> ''").await, 0, "the saved address is blanked too");
    }
}

// ---- The SMS outbox (embedded backend): the operator's, nobody else's

both_backends! {
    async fn only_the_operator_reads_the_text_messages(app) {
        let buyer = app.register("13600000001", "王芳").await;
        let official = app.official().await;
        for who in [&buyer, &official] {
            app.get("/api/v1/admin/sms", Some(&who.token)).await.expect_status(403);
        }
        app.get("/api/v1/admin/sms", None).await.expect_status(401);
        let op = app.operator().await;
        let r = app.get("/api/v1/admin/sms", Some(&op.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("backend"), "outbox");
        let msg = r.find("items", "phone", "13600000001");
        assert_eq!(msg.str("template"), "otp");
        assert_eq!(msg.str("params.code").len(), 6);
    }
}

// ---- Sessions stay revoked, whatever the cache says

/// The cache key of a session token (as identity names it).
fn session_key(token: &str) -> String {
    format!("sess:{}", farmgate_identity::auth::token_hash(token))
}

both_backends! {
    async fn a_request_that_read_the_session_just_before_logout_cannot_bring_it_back(app) {
        // Finding 10: a request reads the session, logout revokes it, then that request writes
        // its (stale) copy back into the cache.
        let me = app.register("13600000001", "王芳").await;
        app.get("/api/v1/auth/me", Some(&me.token)).await.expect_status(200);
        let cache = &app.state.infra.cache;
        let copy = cache.get(&session_key(&me.token)).await.expect("the cache").expect("the session is cached");
        app.post_empty("/api/v1/auth/logout", Some(&me.token)).await.expect_status(204);
        cache.set(&session_key(&me.token), &copy, std::time::Duration::from_secs(60)).await.expect("the cache");
        app.get("/api/v1/auth/me", Some(&me.token)).await.expect_status(401);
    }

    async fn a_logout_the_cache_never_heard_of_still_holds(app) {
        // Finding 16: the logout commits while the cache is down, so the cached copy is never
        // deleted; when the cache answers again, that copy must not be trusted.
        let me = app.register("13600000001", "王芳").await;
        let lost_phone = app.login_again(&me).await;
        app.get("/api/v1/auth/me", Some(&lost_phone.token)).await.expect_status(200);
        let cache = &app.state.infra.cache;
        let copy = cache.get(&session_key(&lost_phone.token)).await.expect("the cache").expect("cached");
        let list = app.get("/api/v1/auth/sessions", Some(&me.token)).await;
        let lost = list.find("", "current", false).uuid("id");
        app.delete(&format!("/api/v1/auth/sessions/{lost}"), Some(&me.token)).await.expect_status(204);
        // As if the delete never reached the cache.
        cache.set(&session_key(&lost_phone.token), &copy, std::time::Duration::from_secs(60)).await.expect("the cache");
        app.get("/api/v1/auth/me", Some(&lost_phone.token)).await.expect_status(401);
        app.get("/api/v1/auth/me", Some(&me.token)).await.expect_status(200);
    }
}

/// Finding 16 with Redis really gone: the server's connections to it drop (a gate between
/// them is cut) while a person ends their lost phone's session and logs out on a laptop.
/// Both succeed; when Redis returns neither ended session works again, and the person's own
/// session was never lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_ended_while_redis_is_down_stay_ended_when_it_returns() {
    use farmgate_tests::gate::{Gate, host_port};
    let Some(redis) = farmgate_tests::env("FARMGATE_TEST_REDIS_URL") else {
        farmgate_tests::skip_or_fail("Redis (FARMGATE_TEST_REDIS_URL)");
        return;
    };
    let gate = Gate::to(host_port(&redis)).await;
    let through_gate = gate.url_for(&redis);
    let Some(app) = TestApp::spawn_configured(Backend::Production, move |s| {
        s.redis_url = Some(through_gate);
    })
    .await
    else {
        return;
    };
    let me = app.register("13600000001", "王芳").await;
    let lost_phone = app.login_again(&me).await;
    let laptop = app.login_again(&me).await;
    for s in [&me, &lost_phone, &laptop] {
        app.get("/api/v1/auth/me", Some(&s.token))
            .await
            .expect_status(200);
    }
    let own = app
        .get("/api/v1/auth/sessions", Some(&lost_phone.token))
        .await;
    let lost = own.find("", "current", true).uuid("id");

    gate.cut();
    let ended = app
        .delete(&format!("/api/v1/auth/sessions/{lost}"), Some(&me.token))
        .await;
    let logged_out = app
        .post_empty("/api/v1/auth/logout", Some(&laptop.token))
        .await;
    gate.open();

    let mut back = false;
    for _ in 0..50 {
        if app.get("/api/v1/auth/me", Some(&me.token)).await.status == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        back,
        "the person's own session does not work once Redis is back"
    );
    // Ending a session is a database write: it needs no cache, so it succeeds during the
    // outage, and the copies the cache still holds are not trusted when it returns.
    for (what, r, who) in [
        ("ending the lost phone", &ended, &lost_phone),
        ("logging out", &logged_out, &laptop),
    ] {
        assert_eq!(r.status, 204, "{what} during the outage: {}", r.text);
        app.get("/api/v1/auth/me", Some(&who.token))
            .await
            .expect_status(401);
    }
}
