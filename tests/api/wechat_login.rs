//! Log in with WeChat (#19): official-account web authorisation (`snsapi_base`) against the
//! WeChat simulator, bound to an account once after a phone code; a returning WeChat user is
//! signed in without typing. Each attack is performed through the real server: a code carried
//! into another browser (login CSRF), a replayed code, WeChat's snapshot-page user, a ticket
//! raced by two accounts, a WeChat bound to two accounts, an off-site `next`.

use farmgate_tests::pay_sim::wechat::{self, WechatSim};
use farmgate_tests::prelude::*;

/// The `name=value` of a Set-Cookie for `name` in the answer, if any.
fn set_cookie(r: &Resp, name: &str) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

/// A cookie's value (`fg_x=VALUE` → VALUE).
fn value(cookie: &str) -> &str {
    cookie.split_once('=').map_or("", |(_, v)| v)
}

/// One browser's round trip: `start` (state cookie), WeChat's authorisation page (the
/// simulator answers for the WeChat user it currently acts as), back with code and state.
/// Returns the state cookie and the return path with its query.
async fn to_wechat_and_back(w: &Wx, next: &str) -> (String, String) {
    let r = w
        .app
        .get(&format!("/api/v1/auth/wechat/start?next={next}"), None)
        .await;
    r.expect_status(303);
    let state_cookie = set_cookie(&r, "fg_wxstate").expect("the state cookie");
    let to_wechat = r.header("location").expect("a location").to_owned();
    assert!(
        to_wechat.starts_with(&format!(
            "{}/connect/oauth2/authorize?appid={}",
            w.sim.base,
            wechat::APP_ID
        )),
        "{to_wechat}"
    );
    assert!(to_wechat.contains("scope=snsapi_base"), "{to_wechat}");
    assert!(!to_wechat.contains(wechat::APP_SECRET));
    let back = w.app.send(w.app.http.get(&to_wechat)).await;
    assert_eq!(back.status, 302, "{}", back.text);
    let back = back.header("location").expect("back").to_owned();
    let (origin_path, query) = back.split_once('?').expect("a query");
    assert_eq!(
        origin_path,
        format!("{WECHAT_SITE}/api/v1/auth/wechat/return")
    );
    (state_cookie, format!("/api/v1/auth/wechat/return?{query}"))
}

async fn come_back(w: &Wx, cookie: Option<&str>, path: &str) -> Resp {
    let mut req = w.app.http.get(w.app.url(path));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    w.app.send(req).await
}

/// A full round trip for an unbound WeChat: answers the ticket cookie.
async fn ticket(w: &Wx) -> String {
    let (state, back) = to_wechat_and_back(w, "/orders.html").await;
    let r = come_back(w, Some(&state), &back).await;
    r.expect_status(303);
    assert_eq!(
        r.header("location"),
        Some("/login.html?wechat=bind&next=/orders.html")
    );
    assert!(
        set_cookie(&r, "fg_session").is_none(),
        "nobody is signed in"
    );
    set_cookie(&r, "fg_wxbind").expect("the ticket cookie")
}

/// A phone-code log-in, binding the WeChat of `ticket` when given.
async fn code_login(w: &Wx, phone: &str, ticket: Option<&str>) -> Resp {
    let code = w.app.send_code(phone, "login", None).await;
    let mut req = w
        .app
        .http
        .post(w.app.url("/api/v1/auth/login/code"))
        .json(&json!({"phone": phone, "code": code, "bind_wechat": ticket.is_some()}));
    if let Some(t) = ticket {
        req = req.header("cookie", t);
    }
    w.app.send(req).await
}

async fn bound(w: &Wx, token: &str) -> bool {
    let r = w.app.get("/api/v1/auth/wechat", Some(token)).await;
    r.expect_status(200);
    assert_eq!(r.body["enabled"], true);
    r.body["bound"].as_bool().expect("bound")
}

with_wechat! {
    async fn a_new_wechat_user_binds_once_with_a_phone_code_then_is_signed_in_without_typing(w) {
        let buyer = w.app.consumer().await;
        w.sim.act_as("oAliceWx0001", None);
        let t = ticket(&w).await;
        let r = code_login(&w, &buyer.phone, Some(&t)).await;
        r.expect_status(200);
        assert_eq!(r.body["account"]["id"], json!(buyer.account_id));
        assert_eq!(set_cookie(&r, "fg_wxbind").as_deref(), Some("fg_wxbind="), "the ticket is cleared");
        assert!(bound(&w, &buyer.token).await);

        // Next time in WeChat: nothing typed.
        let (state, back) = to_wechat_and_back(&w, "/orders.html").await;
        let r = come_back(&w, Some(&state), &back).await;
        r.expect_status(303);
        assert_eq!(r.header("location"), Some("/orders.html"));
        let session = set_cookie(&r, "fg_session").expect("signed in");
        let me = w.app.get("/api/v1/auth/me", Some(value(&session))).await;
        me.expect_status(200);
        assert_eq!(me.body["account"]["id"], json!(buyer.account_id));
    }

    async fn a_code_carried_into_another_browser_or_with_another_state_signs_nobody_in(w) {
        let buyer = w.app.consumer().await;
        w.sim.act_as("oBobWx0002", None);
        let t = ticket(&w).await;
        code_login(&w, &buyer.phone, Some(&t)).await.expect_status(200);

        // The attacker's browser started the trip; the victim's browser (no state cookie) is
        // sent the return link: nobody is signed in.
        let (_attacker_state, back) = to_wechat_and_back(&w, "/").await;
        let r = come_back(&w, None, &back).await;
        r.expect_status(303);
        assert_eq!(r.header("location"), Some("/login.html?wechat_error=wechat_state"));
        assert!(set_cookie(&r, "fg_session").is_none());

        // A state cookie of another round trip does not match either.
        let (other_state, _) = to_wechat_and_back(&w, "/").await;
        let (_, back) = to_wechat_and_back(&w, "/").await;
        let r = come_back(&w, Some(&other_state), &back).await;
        assert_eq!(r.header("location"), Some("/login.html?wechat_error=wechat_state"));
        assert!(set_cookie(&r, "fg_session").is_none());

        // A client that asks for JSON gets the error itself.
        let (_, back) = to_wechat_and_back(&w, "/").await;
        let r = w.app.send(w.app.http.get(w.app.url(&back)).header("accept", "application/json")).await;
        r.expect_status(403);
        assert_eq!(r.code(), "wechat_state");
        assert!(set_cookie(&r, "fg_session").is_none());
    }

    async fn a_used_code_is_refused_by_wechat_and_signs_nobody_in(w) {
        let buyer = w.app.consumer().await;
        w.sim.act_as("oCarolWx003", None);
        let t = ticket(&w).await;
        code_login(&w, &buyer.phone, Some(&t)).await.expect_status(200);
        let (state, back) = to_wechat_and_back(&w, "/").await;
        come_back(&w, Some(&state), &back).await.expect_status(303);
        let again = come_back(&w, Some(&state), &back).await;
        again.expect_status(303);
        assert_eq!(again.header("location"), Some("/login.html?wechat_error=wechat_refused"));
        assert!(set_cookie(&again, "fg_session").is_none());
        // No code at all (the person declined).
        let (state, back) = to_wechat_and_back(&w, "/").await;
        let declined = back.split("code=").next().unwrap_or("").to_owned() + "state=" + back.split("state=").nth(1).unwrap_or("");
        let r = come_back(&w, Some(&state), &declined).await;
        assert_eq!(r.header("location"), Some("/login.html?wechat_error=wechat_declined"));
    }

    async fn wechats_snapshot_page_user_is_never_bound_or_signed_in(w) {
        w.sim.act_as_snapshot_user();
        let (state, back) = to_wechat_and_back(&w, "/").await;
        let r = come_back(&w, Some(&state), &back).await;
        r.expect_status(303);
        assert_eq!(r.header("location"), Some("/login.html?wechat_error=wechat_snapshot"));
        assert!(set_cookie(&r, "fg_session").is_none());
        assert!(set_cookie(&r, "fg_wxbind").is_none());
    }

    async fn a_ticket_binds_once_only_with_a_phone_code_and_only_within_ten_minutes(w) {
        let a = w.app.consumer().await;
        let b = w.app.consumer().await;
        w.sim.act_as("oDaveWx0004", None);
        let t = ticket(&w).await;

        // A password log-in cannot bind.
        let r = w.app.send(w.app.http.post(w.app.url("/api/v1/auth/login")).header("cookie", &t)
            .json(&json!({"login": a.phone, "password": PASSWORD, "bind_wechat": true}))).await;
        assert!(matches!(r.status, 400 | 422), "{}", r.text);
        // Asking to bind without the ticket cookie: refused before the code is used.
        let code = w.app.send_code(&a.phone, "login", None).await;
        let r = w.app.post("/api/v1/auth/login/code", json!({"phone": a.phone, "code": code, "bind_wechat": true}), None).await;
        r.expect_status(409);
        assert_eq!(r.code(), "wechat_bind_expired");
        assert!(set_cookie(&r, "fg_session").is_none());

        // Two accounts race for one ticket: one binds, the other is refused whole.
        let code_a = w.app.send_code(&a.phone, "login", None).await;
        let code_b = w.app.send_code(&b.phone, "login", None).await;
        let send = |phone: String, code: String| {
            let req = w.app.http.post(w.app.url("/api/v1/auth/login/code")).header("cookie", t.clone())
                .json(&json!({"phone": phone, "code": code, "bind_wechat": true}));
            w.app.send(req)
        };
        let (ra, rb) = tokio::join!(send(a.phone.clone(), code_a), send(b.phone.clone(), code_b));
        let mut statuses = [ra.status, rb.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} / {}", ra.text, rb.text);
        let loser = if ra.status == 409 { &ra } else { &rb };
        assert_eq!(loser.code(), "wechat_bind_expired");
        assert!(set_cookie(loser, "fg_session").is_none());
        assert_ne!(bound(&w, &a.token).await, bound(&w, &b.token).await, "exactly one is bound");

        // A ticket older than ten minutes is dead.
        let c = w.app.consumer().await;
        w.sim.act_as("oErinWx0005", None);
        let late = ticket(&w).await;
        w.app.clock.advance(chrono::Duration::minutes(11));
        let r = code_login(&w, &c.phone, Some(&late)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "wechat_bind_expired");
        assert!(!bound(&w, &c.token).await);
    }

    async fn one_wechat_signs_in_to_one_account_and_an_account_has_one_wechat(w) {
        let a = w.app.consumer().await;
        let b = w.app.consumer().await;
        w.sim.act_as("oFrankWx006", None);
        let first = ticket(&w).await;
        let second = ticket(&w).await;
        code_login(&w, &a.phone, Some(&first)).await.expect_status(200);
        let r = code_login(&w, &b.phone, Some(&second)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "wechat_already_bound");
        assert!(!bound(&w, &b.token).await);

        // A's WeChat stays A's; a second WeChat for A waits for an unbind.
        w.sim.act_as("oGraceWx007", None);
        let other = ticket(&w).await;
        let r = code_login(&w, &a.phone, Some(&other)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "account_has_wechat");
        let r = w.app.delete("/api/v1/auth/wechat", Some(&a.token)).await;
        r.expect_status(204);
        w.app.delete("/api/v1/auth/wechat", Some(&a.token)).await.expect_status(404);
        w.app.delete("/api/v1/auth/wechat", None).await.expect_status(401);
        let again = ticket(&w).await;
        code_login(&w, &a.phone, Some(&again)).await.expect_status(200);

        // The unbound first WeChat no longer signs anyone in: it is asked to bind again.
        w.sim.act_as("oFrankWx006", None);
        let (state, back) = to_wechat_and_back(&w, "/").await;
        let r = come_back(&w, Some(&state), &back).await;
        assert_eq!(r.header("location"), Some("/login.html?wechat=bind&next=/"));
        assert!(set_cookie(&r, "fg_session").is_none());
    }

    async fn a_new_person_registers_and_binds_in_one_step(w) {
        w.sim.act_as("oHeidiWx008", None);
        let t = ticket(&w).await;
        let phone = "15912340008";
        let code = w.app.send_code(phone, "register", None).await;
        let r = w.app.send(w.app.http.post(w.app.url("/api/v1/auth/register")).header("cookie", &t)
            .json(&json!({"display_name": "小红", "phone": phone, "password": PASSWORD, "code": code, "bind_wechat": true}))).await;
        r.expect_status(201);
        let token = r.body["session"]["token"].as_str().expect("token").to_owned();
        assert!(bound(&w, &token).await);
    }

    async fn a_disabled_account_is_not_signed_in_by_its_wechat_and_next_stays_on_site(w) {
        let buyer = w.app.consumer().await;
        w.sim.act_as("oIvanWx0009", None);
        let t = ticket(&w).await;
        code_login(&w, &buyer.phone, Some(&t)).await.expect_status(200);

        let (state, back) = to_wechat_and_back(&w, "https://evil.example/").await;
        let r = come_back(&w, Some(&state), &back).await;
        assert_eq!(r.header("location"), Some("/"), "an off-site next goes home");
        let (state, back) = to_wechat_and_back(&w, "//evil.example/x").await;
        let r = come_back(&w, Some(&state), &back).await;
        assert_eq!(r.header("location"), Some("/"));

        let op = w.app.operator().await;
        w.app.post_empty(&format!("/api/v1/admin/accounts/{}/disable", buyer.account_id), Some(&op.token)).await.expect_status(200);
        let (state, back) = to_wechat_and_back(&w, "/").await;
        let r = come_back(&w, Some(&state), &back).await;
        assert_eq!(r.header("location"), Some("/login.html?wechat_error=account_disabled"));
        assert!(set_cookie(&r, "fg_session").is_none());
    }

    async fn erasing_an_account_forgets_its_wechat(w) {
        let buyer = w.app.consumer().await;
        w.sim.act_as("oJudyWx0010", None);
        let t = ticket(&w).await;
        code_login(&w, &buyer.phone, Some(&t)).await.expect_status(200);
        let r = w.app.post("/api/v1/me/erase", json!({"current_password": PASSWORD}), Some(&buyer.token)).await;
        r.expect_status(204);
        let (state, back) = to_wechat_and_back(&w, "/").await;
        let r = come_back(&w, Some(&state), &back).await;
        assert_eq!(r.header("location"), Some("/login.html?wechat=bind&next=/"));
    }
}

both_backends! {
    async fn without_configuration_wechat_log_in_is_not_offered(app) {
        let r = app.get("/api/v1/auth/wechat", None).await;
        r.expect_status(200);
        assert_eq!(r.body["enabled"], false);
        assert_eq!(r.body["bound"], Value::Null);
        let r = app.get("/api/v1/auth/wechat/start", None).await;
        r.expect_status(404);
        assert_eq!(r.code(), "wechat_login_unavailable");
        let r = app.get("/api/v1/auth/wechat/start?next=/&evil=1", None).await;
        r.expect_status(400);
        // Longer than any state or code WeChat and we make: refused before anything is read.
        let long = "0".repeat(129);
        let r = app.get(&format!("/api/v1/auth/wechat/return?state={long}"), None).await;
        r.expect_status(400);
        assert_eq!(r.code(), "invalid_query");
        let r = app.get(&format!("/api/v1/auth/wechat/return?code={long}&state=x"), None).await;
        r.expect_status(400);
        let r = app.get(&format!("/api/v1/auth/wechat/start?next=/{}", "a".repeat(300)), None).await;
        r.expect_status(400);
    }
}

mod paying {
    use super::*;
    use farmgate_tests::pay_sim::setup::GatewaySetup;

    const IN_WECHAT: &str = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN";

    async fn a_buyer_logged_in_with_wechat_pays_inside_wechat_without_another_authorisation(
        backend: Backend,
    ) {
        let sim = WechatSim::start().await;
        let keys = tempfile::tempdir().expect("a key directory");
        let setup = GatewaySetup::write(keys.path(), Some(&sim), None);
        let Some(app) = TestApp::spawn_configured(backend, |s| {
            s.payment_sandbox = false;
            setup.apply(s);
            s.wechat_app_id = Some(wechat::APP_ID.to_owned());
            s.public_url = Some(WECHAT_SITE.to_owned());
        })
        .await
        else {
            return;
        };
        let w = Wx { app, sim };
        let seller = w.app.seller_with_listing().await;
        let buyer = w.app.consumer().await;
        w.sim.act_as("oPayerWx0011", None);
        let t = ticket(&w).await;
        code_login(&w, &buyer.phone, Some(&t))
            .await
            .expect_status(200);

        let order = w.app.checkout(&buyer, &[(seller.sku, 1)], "gateway").await;
        let r = w
            .app
            .send(
                w.app
                    .http
                    .post(
                        w.app
                            .url(&format!("/api/v1/orders/{}/pay?provider=wechat", order.id)),
                    )
                    .bearer_auth(&buyer.token)
                    .header("user-agent", IN_WECHAT),
            )
            .await;
        r.expect_status(200);
        assert_eq!(
            r.body["client_params"]["appId"],
            wechat::APP_ID,
            "{}",
            r.text
        );
        // Another buyer, who never logged in with WeChat, is still asked to authorise.
        let other = w.app.consumer().await;
        let order = w.app.checkout(&other, &[(seller.sku, 1)], "gateway").await;
        let r = w
            .app
            .send(
                w.app
                    .http
                    .post(
                        w.app
                            .url(&format!("/api/v1/orders/{}/pay?provider=wechat", order.id)),
                    )
                    .bearer_auth(&other.token)
                    .header("user-agent", IN_WECHAT),
            )
            .await;
        r.expect_status(409);
        assert_eq!(r.code(), "wechat_authorization_needed");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn embedded() {
        a_buyer_logged_in_with_wechat_pays_inside_wechat_without_another_authorisation(
            Backend::Embedded,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn production() {
        a_buyer_logged_in_with_wechat_pays_inside_wechat_without_another_authorisation(
            Backend::Production,
        )
        .await;
    }
}
