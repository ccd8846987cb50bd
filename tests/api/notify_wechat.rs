//! WeChat subscription messages (#18) against the local simulator of the mini program API
//! (`farmgate_tests::wechat_msg_sim`): the simulator refuses what WeChat refuses; the adapter
//! fetches a token once and keeps it, refreshes it once when WeChat says it is invalid, skips a
//! person who refused, fails what WeChat will never take and retries what may pass later; and
//! through the real server, a paid order reaches the seller's WeChat exactly once however often
//! its event is handled, and skips a member without an openid.

use farmgate_infra::outbox::OutboxHandler;
use farmgate_kernel::Clock;
use farmgate_notify::NotifyJob;
use farmgate_notify::channels::wechat::{WechatChannel, WechatConfig, parse_templates};
use farmgate_notify::channels::{ChannelAdapter, Outgoing, SendError};
use farmgate_notify::domain::NotificationKind;
use farmgate_notify::domain::templates::render;
use farmgate_tests::prelude::*;
use farmgate_tests::wechat_msg_sim::{APP_ID, APP_SECRET, WechatMsgSim};
use sea_orm::ConnectionTrait;
use std::time::Duration;

const PAID_TEMPLATE: &str = "TPL-order-paid-0001";
const PAID_KEYS: &[&str] = &["character_string1", "thing2", "time3"];

fn config(sim: &WechatMsgSim, secret: &str) -> WechatConfig {
    WechatConfig {
        app_id: APP_ID.to_owned(),
        app_secret: secret.to_owned(),
        endpoint: sim.base.clone(),
        templates: parse_templates(&format!("order_paid={PAID_TEMPLATE};recall=TPL-unknown"))
            .expect("templates"),
        state: "formal".to_owned(),
        page: Some("pages/web/index?path={link}".to_owned()),
        timeout: Duration::from_secs(5),
    }
}

fn paid(openid: Option<&str>) -> Outgoing {
    let params = json!({"order": "FG20261206000001-1"});
    Outgoing {
        recipient: farmgate_kernel::id::AccountId::new(),
        kind: NotificationKind::OrderPaid,
        phone: None,
        openid: openid.map(str::to_owned),
        texts: render(NotificationKind::OrderPaid, &params),
        params,
        link: Some("/seller/orders.html".to_owned()),
    }
}

async fn sim() -> WechatMsgSim {
    let sim = WechatMsgSim::start().await;
    sim.template(PAID_TEMPLATE, PAID_KEYS);
    sim.template("TPL-recall", &["thing1", "character_string2", "thing3"]);
    sim
}

#[tokio::test]
async fn the_simulator_refuses_what_wechat_refuses() {
    let sim = sim().await;
    sim.subscribe("o-alice", PAID_TEMPLATE, 5);
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| {
        let http = http.clone();
        async move {
            http.post(path)
                .json(&body)
                .send()
                .await
                .expect("answer")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let token_url = format!("{}/cgi-bin/stable_token", sim.base);
    let bad_secret = post(
        token_url.clone(),
        json!({"grant_type": "client_credential", "appid": APP_ID, "secret": "nope"}),
    )
    .await;
    assert_eq!(bad_secret["errcode"], 40125);
    let bad_app = post(
        token_url.clone(),
        json!({"grant_type": "client_credential", "appid": "wxother", "secret": APP_SECRET}),
    )
    .await;
    assert_eq!(bad_app["errcode"], 40013);
    let token = post(
        token_url,
        json!({"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET}),
    )
    .await;
    let token = token["access_token"].as_str().expect("a token").to_owned();
    let send = format!(
        "{}/cgi-bin/message/subscribe/send?access_token={token}",
        sim.base
    );
    let good = json!({"touser": "o-alice", "template_id": PAID_TEMPLATE,
        "data": {"character_string1": {"value": "FG1-1"}, "thing2": {"value": "新订单"}, "time3": {"value": "2026-12-06 10:00"}}});

    let cases = [
        (
            json!({"template_id": PAID_TEMPLATE, "data": good["data"]}),
            40003,
            "no touser",
        ),
        (
            json!({"touser": "o-stranger", "template_id": PAID_TEMPLATE, "data": good["data"]}),
            40003,
            "unknown openid",
        ),
        (
            json!({"touser": "o-alice", "template_id": "TPL-nope", "data": good["data"]}),
            40037,
            "unknown template",
        ),
        (
            json!({"touser": "o-alice", "template_id": PAID_TEMPLATE}),
            47003,
            "no data",
        ),
        (
            json!({"touser": "o-alice", "template_id": PAID_TEMPLATE, "data": {"character_string1": {"value": "FG1-1"}}}),
            47003,
            "a field missing",
        ),
        (
            json!({"touser": "o-alice", "template_id": PAID_TEMPLATE, "data": {"character_string1": {"value": "FG1-1"}, "thing2": {"value": "x"}, "time3": {"value": "t"}, "thing9": {"value": "extra"}}}),
            47003,
            "an extra field",
        ),
        (
            json!({"touser": "o-alice", "template_id": PAID_TEMPLATE, "data": {"character_string1": {"value": "FG1-1"}, "thing2": {"value": "长".repeat(21)}, "time3": {"value": "t"}}}),
            47003,
            "a thing over 20 characters",
        ),
        (
            json!({"touser": "o-alice", "template_id": PAID_TEMPLATE, "data": {"character_string1": {"value": ""}, "thing2": {"value": "x"}, "time3": {"value": "t"}}}),
            47003,
            "an empty value",
        ),
        (
            json!({"touser": "o-alice", "template_id": PAID_TEMPLATE, "data": good["data"], "miniprogram_state": "beta"}),
            47003,
            "a bad state",
        ),
    ];
    for (body, code, what) in cases {
        let r = post(send.clone(), body).await;
        assert_eq!(r["errcode"], code, "{what}: {r}");
    }
    let r = post(
        format!(
            "{}/cgi-bin/message/subscribe/send?access_token=forged",
            sim.base
        ),
        good.clone(),
    )
    .await;
    assert_eq!(r["errcode"], 40001);
    let r = post(
        format!("{}/cgi-bin/message/subscribe/send", sim.base),
        good.clone(),
    )
    .await;
    assert_eq!(r["errcode"], 41001);
    let r = http
        .post(&send)
        .body("not json")
        .send()
        .await
        .expect("answer")
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(r["errcode"], 47001);
    assert!(sim.sent().is_empty(), "nothing accepted so far");
    let r = post(send.clone(), good.clone()).await;
    assert_eq!(r["errcode"], 0, "{r}");
    sim.known("o-bob");
    let r = post(
        send,
        json!({"touser": "o-bob", "template_id": PAID_TEMPLATE, "data": good["data"]}),
    )
    .await;
    assert_eq!(r["errcode"], 43101, "bob never subscribed");
    assert_eq!(sim.sent().len(), 1);
}

#[tokio::test]
async fn the_adapter_keeps_its_token_and_refreshes_it_once_when_wechat_says_it_is_invalid() {
    let sim = sim().await;
    sim.subscribe("o-alice", PAID_TEMPLATE, 3);
    let wechat = WechatChannel::new(config(&sim, APP_SECRET), Clock::system()).expect("adapter");

    wechat.send(&paid(Some("o-alice"))).await.expect("sent");
    wechat.send(&paid(Some("o-alice"))).await.expect("sent");
    assert_eq!(sim.token_requests(), 1, "one token for both");
    sim.expire_tokens();
    wechat
        .send(&paid(Some("o-alice")))
        .await
        .expect("sent after a refresh");
    assert_eq!(sim.token_requests(), 2);

    let sent = sim.sent();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0].touser, "o-alice");
    assert_eq!(sent[0].template_id, PAID_TEMPLATE);
    assert_eq!(
        sent[0].data["character_string1"]["value"],
        "FG20261206000001-1"
    );
    assert_eq!(
        sent[0].page.as_deref(),
        Some("pages/web/index?path=/seller/orders.html")
    );
}

#[tokio::test]
async fn the_adapter_skips_refusals_fails_for_good_what_wechat_never_takes_and_retries_outages() {
    let sim = sim().await;
    sim.known("o-bob");
    let wechat = WechatChannel::new(config(&sim, APP_SECRET), Clock::system()).expect("adapter");

    assert!(
        matches!(
            wechat.send(&paid(Some("o-bob"))).await,
            Err(SendError::Skip(_))
        ),
        "43101: refused"
    );
    assert!(
        matches!(wechat.send(&paid(None)).await, Err(SendError::Skip(_))),
        "no openid"
    );
    let mut recall = paid(Some("o-bob"));
    recall.kind = NotificationKind::Recall;
    recall.params = json!({"product": "脐橙", "batch": "L1"});
    assert!(
        matches!(wechat.send(&recall).await, Err(SendError::Permanent(_))),
        "40037: template unknown to WeChat"
    );
    let mut shipped = paid(Some("o-bob"));
    shipped.kind = NotificationKind::OrderShipped;
    assert!(
        matches!(wechat.send(&shipped).await, Err(SendError::Skip(_))),
        "no template configured"
    );

    let wrong = WechatChannel::new(config(&sim, "wrong-secret"), Clock::system()).expect("adapter");
    assert!(
        matches!(
            wrong.send(&paid(Some("o-bob"))).await,
            Err(SendError::Permanent(_))
        ),
        "40125"
    );

    let closed = farmgate_tests::pay_sim::closed_port().await;
    let mut down = config(&sim, APP_SECRET);
    down.endpoint = closed;
    let down = WechatChannel::new(down, Clock::system()).expect("adapter");
    assert!(
        matches!(
            down.send(&paid(Some("o-bob"))).await,
            Err(SendError::Transient(_))
        ),
        "unreachable"
    );
    assert!(sim.sent().is_empty());
}

async fn a_paid_order_reaches_the_sellers_wechat_once(backend: Backend) {
    let sim = sim().await;
    let base = sim.base.clone();
    let Some(app) = TestApp::spawn_configured(backend, move |s| {
        s.notify_wechat_app_id = Some(APP_ID.to_owned());
        s.notify_wechat_app_secret = Some(APP_SECRET.to_owned());
        s.notify_wechat_endpoint = base;
        s.notify_wechat_templates = format!("order_paid={PAID_TEMPLATE}");
        s.notify_quiet_hours = String::new();
    })
    .await
    else {
        return;
    };
    let seller = app.seller_with_listing().await;
    let clerk = app
        .member(&seller.owner, seller.org, "13700137001", "李会计", "staff")
        .await;
    let db = &app.state.infra.db;
    let openid = format!("o-{}", Uuid::new_v4().simple());
    {
        // The openid WeChat authorisation would have stored (orders keep them).
        use sea_orm::{DbBackend, Statement};
        let backend = db.get_database_backend();
        let marks = if backend == DbBackend::Postgres {
            "$1, $2, $3, $4"
        } else {
            "?, ?, ?, ?"
        };
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("INSERT INTO wechat_openids (account_id, app_id, openid, created_at) VALUES ({marks})"),
            [seller.owner.account_id.into(), APP_ID.into(), openid.clone().into(), app.clock.now().into()],
        ))
        .await
        .expect("an openid for the owner");
    }
    sim.subscribe(&openid, PAID_TEMPLATE, 5);

    let buyer = app.consumer().await;
    let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
    app.outbox_drained().await;
    let paid = farmgate_infra::outbox::entity::event::Entity::find()
        .filter(farmgate_infra::outbox::entity::event::Column::Topic.eq("orders.paid"))
        .all(db)
        .await
        .expect("events");
    let event = farmgate_infra::outbox::OutboxEvent {
        id: paid[0].id,
        topic: paid[0].topic.clone(),
        payload: paid[0].payload.clone(),
        created_at: paid[0].created_at,
        attempts: 0,
    };
    let job = NotifyJob::new(app.state.notify.clone());
    let (a, b) = tokio::join!(job.handle(&event), job.handle(&event));
    a.expect("a");
    b.expect("b");
    app.state.infra.outbox.wake();
    app.outbox_drained().await;

    let sent = sim.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].touser, openid);
    assert_eq!(
        sent[0].data["character_string1"]["value"],
        order.part().number.as_str()
    );
    assert_eq!(
        count_for(
            &app,
            &seller.owner,
            "channel = 'wechat' AND kind = 'order_paid' AND status = 'sent'"
        )
        .await,
        1
    );
    assert_eq!(
        count_for(
            &app,
            &clerk,
            "channel = 'wechat' AND kind = 'order_paid' AND status = 'skipped'"
        )
        .await,
        1,
        "the clerk has no openid"
    );
}

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn count_for(app: &TestApp, who: &Session, condition: &str) -> i64 {
    use sea_orm::{DbBackend, Statement};
    let db = &app.state.infra.db;
    let backend = db.get_database_backend();
    let mark = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT COUNT(*) AS n FROM notifications WHERE recipient_id = {mark} AND {condition}"),
            [who.account_id.into()],
        ))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_order_reaches_the_sellers_wechat_once_embedded() {
    a_paid_order_reaches_the_sellers_wechat_once(Backend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_order_reaches_the_sellers_wechat_once_production() {
    a_paid_order_reaches_the_sellers_wechat_once(Backend::Production).await;
}
