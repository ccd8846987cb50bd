//! Tracking that fills itself in (issue #19): the carrier list, a parcel of a listed carrier
//! subscribed with 快递100 once through the outbox, its signed pushes filling the buyer's
//! timeline (each line once, 签收 as delivered), and the pushes an attacker would send —
//! unsigned, forged, for an unknown waybill or another carrier, malformed, oversized — refused
//! in 快递100's words with nothing written. A seller corrects a wrong waybill on the way
//! (audited, the new one subscribed once, the old one's pushes refused); parcels shipped
//! before the carrier list get its code where their name is on it (migration 48). Against
//! the simulator in `tests/src/track_sim.rs`.

use farmgate_tests::prelude::*;
use farmgate_tests::track_sim::{KEY, Line, TrackSim, md5_upper};

const SECRET: &str = "tracking-secret-for-the-tests-0123";
const CALLBACK: &str = "https://farmgate.test/api/v1/logistics/kuaidi100";
const PUSH: &str = "/api/v1/logistics/kuaidi100";

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                super::$name(farmgate_tests::Backend::Embedded).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn production() {
                super::$name(farmgate_tests::Backend::Production).await
            }
        }
    )*};
}

on_both!(
    the_carrier_list_is_public_with_codes_and_both_names,
    a_listed_carrier_is_subscribed_once_with_its_code_and_a_salt,
    pushes_fill_the_buyers_timeline_once_and_sign_for_delivery,
    forged_unknown_malformed_and_oversized_pushes_are_refused_and_write_nothing,
    a_refusal_is_shown_to_the_seller_and_manual_entry_stays,
    an_unreachable_aggregator_is_asked_again_until_it_answers_and_never_twice,
    a_carrier_typed_by_hand_is_shown_as_typed_and_never_subscribed,
    bulk_shipping_subscribes_each_part,
    only_the_parts_seller_ships_it_and_nobody_else_subscribes_it,
    a_corrected_waybill_is_kept_beside_the_old_one_and_subscribed_once,
    the_old_waybills_pushes_are_refused_after_a_correction,
    correcting_to_a_carrier_typed_by_hand_stops_the_tracking,
    a_waybill_is_not_corrected_before_shipping_nor_after_delivery_or_receipt,
    only_the_parts_seller_corrects_its_waybill_and_bad_input_changes_nothing,
    two_corrections_at_once_leave_one_waybill_and_one_subscription,
    parcels_shipped_before_the_carrier_list_get_its_code_where_their_name_is_on_it,
);

async fn tracked(backend: Backend) -> Option<(TestApp, TrackSim)> {
    let sim = TrackSim::start().await;
    let poll = sim.poll_url();
    let app = TestApp::spawn_configured(backend, move |s| {
        s.tracking_provider = Some("kuaidi100".to_owned());
        s.kuaidi100_key = Some(KEY.to_owned());
        s.kuaidi100_poll_url = Some(poll);
        s.tracking_secret = Some(SECRET.to_owned());
        s.tracking_callback_base_url = Some("https://farmgate.test".to_owned());
    })
    .await?;
    Some((app, sim))
}

async fn ship(app: &TestApp, seller: &Session, sub: Uuid, carrier: &str, waybill: &str) -> Resp {
    app.post(
        &format!("/api/v1/sub-orders/{sub}/ship"),
        json!({"carrier": carrier, "tracking_no": waybill}),
        Some(&seller.token),
    )
    .await
}

/// A paid one-seller order: (seller, buyer, order id, sub-order id).
async fn paid(app: &TestApp) -> (SellerWithListing, Consumer, Uuid, Uuid) {
    let seller = app.seller_with_listing().await;
    let buyer = app.consumer().await;
    let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
    let sub = order.part().id;
    (seller, buyer, order.id, sub)
}

fn shipment_of(order: &Value) -> &Value {
    &order["sub_orders"][0]["shipment"]
}

async fn order_json(app: &TestApp, id: Uuid, who: &Session) -> Value {
    let r = app
        .get(&format!("/api/v1/orders/{id}"), Some(&who.token))
        .await;
    r.expect_status(200);
    r.body.clone()
}

fn kinds(order: &Value) -> Vec<String> {
    shipment_of(order)["events"]
        .as_array()
        .map(|es| {
            es.iter()
                .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn push_form<V: AsRef<str>>(app: &TestApp, form: &[(&str, V)]) -> Resp {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v.as_ref())))
        .collect::<Vec<_>>()
        .join("&");
    app.post_raw(
        PUSH,
        "application/x-www-form-urlencoded",
        body.into_bytes(),
        None,
    )
    .await
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn the_carrier_list_is_public_with_codes_and_both_names(backend: Backend) {
    let Some((app, _sim)) = tracked(backend).await else {
        return;
    };
    let r = app.get("/api/v1/carriers", None).await;
    r.expect_status(200);
    let list = r.body["carriers"].as_array().expect("carriers");
    let sf = list
        .iter()
        .find(|c| c["code"] == "shunfeng")
        .expect("顺丰 listed");
    assert_eq!(
        (sf["name"].as_str(), sf["name_en"].as_str()),
        (Some("顺丰速运"), Some("SF Express"))
    );
    for code in [
        "jd",
        "ems",
        "youzhengguonei",
        "zhongtong",
        "yuantong",
        "shentong",
        "yunda",
        "jtexpress",
        "debangkuaidi",
    ] {
        assert!(list.iter().any(|c| c["code"] == code), "{code} listed");
    }
    assert_eq!(r.str("other"), "other");
    assert_eq!(r.body["tracking"], json!(true));
    // Without an aggregator the list is the same, and says parcels are entered by hand.
    let Some(plain) = TestApp::spawn(backend).await else {
        return;
    };
    let r = plain.get("/api/v1/carriers", None).await;
    r.expect_status(200);
    assert_eq!(r.body["tracking"], json!(false));
}

async fn a_listed_carrier_is_subscribed_once_with_its_code_and_a_salt(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, buyer, order, sub) = paid(&app).await;
    // An old client sends the name: it is the listed carrier.
    ship(&app, &seller.owner, sub, "顺丰速运", "SF7000000001")
        .await
        .expect_status(200);
    app.outbox_drained().await;
    let subs = sim.subscriptions();
    assert_eq!(subs.len(), 1, "{subs:?}");
    let s = &subs[0];
    assert_eq!(
        (s.company.as_str(), s.number.as_str()),
        ("shunfeng", "SF7000000001")
    );
    assert_eq!(s.callbackurl, CALLBACK);
    assert_eq!(s.resultv2, "1");
    assert_eq!(s.salt.len(), 32);
    assert!(s.salt.chars().all(|c| c.is_ascii_hexdigit()));
    // 顺丰 answers only with the receiver's phone: its last four digits, nothing more.
    let phone = order_json(&app, order, &buyer).await["address"]["phone"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(s.phone.as_deref(), Some(&phone[phone.len() - 4..]));
    let view = order_json(&app, order, &seller.owner).await;
    let shipment = shipment_of(&view);
    assert_eq!(shipment["carrier"], "顺丰速运");
    assert_eq!(shipment["carrier_code"], "shunfeng");
    assert_eq!(shipment["carrier_name_en"], "SF Express");
    assert_eq!(shipment["tracking"]["status"], "subscribed", "{shipment}");
    assert_eq!(shipment["tracking"]["return_code"], "200");
    // The same shipment again (a retry) is answered with it and asks nobody again.
    ship(&app, &seller.owner, sub, "shunfeng", "SF7000000001")
        .await
        .expect_status(200);
    app.outbox_drained().await;
    assert_eq!(sim.requests(), 1);
    assert_eq!(app.count("tracking_subscriptions", "1 = 1").await, 1);
}

async fn pushes_fill_the_buyers_timeline_once_and_sign_for_delivery(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, buyer, order, sub) = paid(&app).await;
    ship(&app, &seller.owner, sub, "yunda", "YD4300000001")
        .await
        .expect_status(200);
    app.outbox_drained().await;
    let t = app.clock.now();
    let at = |s: i64| t - chrono::Duration::seconds(s);
    let picked = Line::at(at(240), "【赣州市】信丰县网点 已揽收")
        .area("江西省,赣州市,信丰县")
        .state("揽收", "103");
    let moving = Line::at(at(180), "快件已发往 南昌转运中心").state("在途", "1002");
    let (status, body) = sim
        .push(
            &app.url(""),
            "YD4300000001",
            "0",
            &[moving.clone(), picked.clone()],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"result": true, "returnCode": "200", "message": "成功"})
    );
    let view = order_json(&app, order, &buyer).await;
    assert_eq!(kinds(&view), ["picked_up", "in_transit"], "{view}");
    let first = &shipment_of(&view)["events"][0];
    assert_eq!(first["source"], "carrier");
    assert_eq!(first["location"], "江西省,赣州市,信丰县");
    assert_eq!(first["note"], "【赣州市】信丰县网点 已揽收");

    // The next push carries the whole track again, plus one line: only that one is new.
    let out = Line::at(at(120), "派件员 张师傅 正在派件").state("派件", "501");
    let track = [out.clone(), moving.clone(), picked.clone()];
    let (status, _) = sim.push(&app.url(""), "YD4300000001", "5", &track).await;
    assert_eq!(status, 200);
    // Delivered again (a redelivery): nothing new.
    let (status, body) = sim.push(&app.url(""), "YD4300000001", "5", &track).await;
    assert_eq!((status, body["result"].clone()), (200, json!(true)));
    assert_eq!(
        kinds(&order_json(&app, order, &buyer).await),
        ["picked_up", "in_transit", "out_for_delivery"]
    );

    // 签收: the newest line says nothing of its own state, the parcel's state (3) does.
    let signed = Line::at(at(60), "已签收，签收人：本人");
    let (status, _) = sim
        .push(
            &app.url(""),
            "YD4300000001",
            "3",
            &[signed, out, moving, picked],
        )
        .await;
    assert_eq!(status, 200);
    let view = order_json(&app, order, &buyer).await;
    assert_eq!(
        kinds(&view),
        ["picked_up", "in_transit", "out_for_delivery", "delivered"]
    );
    let seller_view = order_json(&app, order, &seller.owner).await;
    assert!(shipment_of(&seller_view)["tracking"]["last_push_at"].is_string());
    assert_eq!(app.count("shipment_events", "source = 'carrier'").await, 4);
    // The first 派件 told the buyer, once (the same path as the carrier callback).
    app.outbox_drained().await;
    assert_eq!(
        app.count("outbox_events", "topic = 'orders.out_for_delivery'")
            .await,
        1
    );
}

async fn forged_unknown_malformed_and_oversized_pushes_are_refused_and_write_nothing(
    backend: Backend,
) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, _buyer, _order, sub) = paid(&app).await;
    ship(&app, &seller.owner, sub, "zhongtong", "ZT5500000001")
        .await
        .expect_status(200);
    app.outbox_drained().await;
    let salt = sim.subscriptions()[0].salt.clone();
    let t = app.clock.now() - chrono::Duration::seconds(30);
    let lines = [Line::at(t, "已签收").state("签收", "301")];
    let param = sim.param("zhongtong", "ZT5500000001", "3", &lines);
    let refused = |r: &Resp, status: u16, code: &str| {
        r.expect_status(status);
        assert_eq!(r.body["result"], json!(false), "{}", r.text);
        assert_eq!(r.str("returnCode"), code, "{}", r.text);
    };

    // Unsigned.
    refused(&push_form(&app, &[("param", &param)]).await, 400, "401");
    // Signed with a salt of our own making.
    refused(
        &push_form(
            &app,
            &[
                ("param", &param),
                ("sign", &md5_upper(&format!("{param}guess"))),
            ],
        )
        .await,
        400,
        "401",
    );
    // Signed without a salt (what an unsalted subscription would get).
    refused(
        &push_form(&app, &[("param", &param), ("sign", &md5_upper(&param))]).await,
        400,
        "401",
    );
    // A good signature over other content (the param changed after signing).
    let tampered = param.replace("已签收", "已签收 ");
    refused(
        &push_form(
            &app,
            &[
                ("param", &tampered),
                ("sign", &md5_upper(&format!("{param}{salt}"))),
            ],
        )
        .await,
        400,
        "401",
    );
    // Another parcel's salt: the salt is bound to carrier and waybill.
    let other = sim.param("zhongtong", "ZT5500000002", "3", &lines);
    refused(
        &push_form(
            &app,
            &[
                ("param", &other),
                ("sign", &md5_upper(&format!("{other}{salt}"))),
            ],
        )
        .await,
        400,
        "401",
    );

    // Correctly signed (we know the secret here) but for a waybill nobody shipped, or for our
    // waybill under another carrier: not ours.
    for (company, number) in [("zhongtong", "ZT5599999999"), ("yuantong", "ZT5500000001")] {
        let p = sim.param(company, number, "3", &lines);
        let s = app
            .state
            .orders
            .tracking_salt(company, number)
            .expect("a salt");
        refused(
            &push_form(
                &app,
                &[("param", &p), ("sign", &md5_upper(&format!("{p}{s}")))],
            )
            .await,
            404,
            "404",
        );
    }
    // Not 快递100's format.
    refused(
        &push_form(&app, &[("param", "{not json")]).await,
        400,
        "400",
    );
    refused(
        &app.post_raw(PUSH, "application/x-www-form-urlencoded", Vec::new(), None)
            .await,
        400,
        "400",
    );
    refused(
        &app.post_raw(PUSH, "application/json", br#"{"param":{}}"#.to_vec(), None)
            .await,
        400,
        "400",
    );
    let bad_time = param.replace(&lines[0].time, "yesterday");
    let s = md5_upper(&format!("{bad_time}{salt}"));
    refused(
        &push_form(&app, &[("param", &bad_time), ("sign", &s)]).await,
        400,
        "400",
    );
    // Oversized.
    let big = format!("param={}", "x".repeat(300 * 1024));
    refused(
        &app.post_raw(
            PUSH,
            "application/x-www-form-urlencoded",
            big.into_bytes(),
            None,
        )
        .await,
        413,
        "413",
    );

    assert_eq!(
        app.count("shipment_events", "1 = 1").await,
        0,
        "nothing written"
    );
    // The real push still works.
    let (status, _) = sim.push(&app.url(""), "ZT5500000001", "3", &lines).await;
    assert_eq!(status, 200);
    assert_eq!(app.count("shipment_events", "kind = 'delivered'").await, 1);
}

async fn a_refusal_is_shown_to_the_seller_and_manual_entry_stays(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, _buyer, order, sub) = paid(&app).await;
    sim.refuse("JT0000000001");
    ship(&app, &seller.owner, sub, "jtexpress", "JT0000000001")
        .await
        .expect_status(200);
    app.outbox_drained().await;
    let view = order_json(&app, order, &seller.owner).await;
    let tracking = &shipment_of(&view)["tracking"];
    assert_eq!(tracking["status"], "refused", "{view}");
    assert_eq!(tracking["return_code"], "700");
    assert!(tracking["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(sim.subscriptions().is_empty());
    // The seller enters the parcel by hand, as before.
    app.post(
        &format!("/api/v1/sub-orders/{sub}/logistics"),
        json!({"kind": "in_transit", "location": "赣州"}),
        Some(&seller.owner.token),
    )
    .await
    .expect_status(200);
    assert_eq!(
        kinds(&order_json(&app, order, &seller.owner).await),
        ["in_transit"]
    );
    // The job delivered again asks nobody.
    let shipment_id: Uuid = serde_json::from_value(shipment_of(&view)["id"].clone()).expect("id");
    app.state
        .orders
        .subscribe_tracking(shipment_id)
        .await
        .expect("no error")
        .expect("nothing to ask");
    assert_eq!(sim.requests(), 1);
}

async fn an_unreachable_aggregator_is_asked_again_until_it_answers_and_never_twice(
    backend: Backend,
) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, _buyer, order, sub) = paid(&app).await;
    sim.set_down(true);
    ship(&app, &seller.owner, sub, "ems", "EA123456789CN")
        .await
        .expect_status(200);
    for _ in 0..100 {
        if sim.requests() >= 2 {
            break;
        }
        // The test's clock is manual: the retry falls due as it moves.
        app.clock.advance(chrono::Duration::seconds(1));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(sim.requests() >= 2, "asked again after a 502");
    let view = order_json(&app, order, &seller.owner).await;
    assert_eq!(shipment_of(&view)["tracking"]["status"], "pending");
    sim.set_down(false);
    for _ in 0..200 {
        if !sim.subscriptions().is_empty() {
            break;
        }
        // The test's clock is manual: the retry falls due as it moves.
        app.clock.advance(chrono::Duration::seconds(1));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.outbox_drained().await;
    assert_eq!(sim.subscriptions().len(), 1);
    let asked = sim.requests();
    let shipment_id: Uuid = serde_json::from_value(shipment_of(&view)["id"].clone()).expect("id");
    app.state
        .orders
        .subscribe_tracking(shipment_id)
        .await
        .expect("no error")
        .expect("nothing to ask");
    assert_eq!(
        sim.requests(),
        asked,
        "a subscribed parcel is never asked about again"
    );
    let view = order_json(&app, order, &seller.owner).await;
    assert_eq!(shipment_of(&view)["tracking"]["status"], "subscribed");
}

async fn a_carrier_typed_by_hand_is_shown_as_typed_and_never_subscribed(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, buyer, order, sub) = paid(&app).await;
    let path = format!("/api/v1/sub-orders/{sub}/ship");
    let r = ship(&app, &seller.owner, sub, "县城小马快运", "XM00000001").await;
    r.expect_status(422);
    assert_eq!(
        r.field_code("carrier"),
        Some("unknown_carrier"),
        "{}",
        r.text
    );
    let r = app
        .post(
            &path,
            json!({"carrier": "other", "tracking_no": "XM00000001"}),
            Some(&seller.owner.token),
        )
        .await;
    r.expect_status(422);
    assert!(r.field_code("carrier_name").is_some(), "{}", r.text);
    let r = app
        .post(&path, json!({"carrier": "other", "carrier_name": "x".repeat(21), "tracking_no": "XM00000001"}), Some(&seller.owner.token))
        .await;
    r.expect_status(422);
    assert_eq!(
        app.count("shipments", "1 = 1").await,
        0,
        "nothing half-written"
    );
    app.post(
        &path,
        json!({"carrier": "other", "carrier_name": "县城小马快运", "tracking_no": "XM00000001"}),
        Some(&seller.owner.token),
    )
    .await
    .expect_status(200);
    app.outbox_drained().await;
    let view = order_json(&app, order, &buyer).await;
    let shipment = shipment_of(&view);
    assert_eq!(shipment["carrier"], "县城小马快运");
    assert!(shipment["carrier_code"].is_null());
    assert!(shipment["tracking"].is_null());
    assert_eq!(sim.requests(), 0);
    assert_eq!(app.count("tracking_subscriptions", "1 = 1").await, 0);
    // A push naming it is not ours either.
    let lines = [Line::at(app.clock.now(), "已签收")];
    let p = sim.param("other", "XM00000001", "3", &lines);
    let s = app
        .state
        .orders
        .tracking_salt("other", "XM00000001")
        .expect("a salt");
    push_form(
        &app,
        &[("param", &p), ("sign", &md5_upper(&format!("{p}{s}")))],
    )
    .await
    .expect_status(404);
}

async fn bulk_shipping_subscribes_each_part(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let seller = app.seller_with_listing().await;
    let buyer = app.consumer().await;
    let one = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
    let two = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
    let r = app
        .post(
            &format!("/api/v1/orgs/{}/sub-orders/ship", seller.org),
            json!({"items": [
                {"sub_order_id": one.part().id, "carrier": "jd", "tracking_no": "JDV000000001"},
                {"sub_order_id": two.part().id, "carrier": "圆通", "tracking_no": "YT0000000002"},
            ]}),
            Some(&seller.owner.token),
        )
        .await;
    r.expect_status(200);
    assert_eq!(r.i64("done"), 2, "{}", r.text);
    app.outbox_drained().await;
    let mut got: Vec<(String, String)> = sim
        .subscriptions()
        .into_iter()
        .map(|s| (s.company, s.number))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("jd".to_owned(), "JDV000000001".to_owned()),
            ("yuantong".to_owned(), "YT0000000002".to_owned())
        ]
    );
}

async fn only_the_parts_seller_ships_it_and_nobody_else_subscribes_it(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (_seller, buyer, _order, sub) = paid(&app).await;
    let stranger = app.seller_with_listing().await;
    ship(&app, &stranger.owner, sub, "shunfeng", "SF7100000001")
        .await
        .expect_status(404);
    let r = ship(&app, &buyer, sub, "shunfeng", "SF7100000001").await;
    assert!(matches!(r.status, 403 | 404), "{}", r.text);
    app.outbox_drained().await;
    assert_eq!(sim.requests(), 0);
    assert_eq!(app.count("shipments", "1 = 1").await, 0);
    assert_eq!(app.count("tracking_subscriptions", "1 = 1").await, 0);
}

async fn correct(app: &TestApp, who: &Session, sub: Uuid, body: Value) -> Resp {
    app.put(
        &format!("/api/v1/sub-orders/{sub}/shipment"),
        body,
        Some(&who.token),
    )
    .await
}

/// A parcel shipped with 韵达 under a mistyped number and subscribed: (seller, buyer, order,
/// sub-order).
async fn mistyped(app: &TestApp) -> (SellerWithListing, Consumer, Uuid, Uuid) {
    let (seller, buyer, order, sub) = paid(app).await;
    ship(app, &seller.owner, sub, "yunda", "YD4300000009")
        .await
        .expect_status(200);
    app.outbox_drained().await;
    (seller, buyer, order, sub)
}

fn corrections(order: &Value) -> Vec<Value> {
    order["events"]
        .as_array()
        .map(|es| {
            es.iter()
                .filter(|e| e["kind"] == "waybill_corrected")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

async fn a_corrected_waybill_is_kept_beside_the_old_one_and_subscribed_once(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, buyer, order, sub) = mistyped(&app).await;
    let before = order_json(&app, order, &seller.owner).await;
    assert_eq!(before["sub_orders"][0]["can_correct_waybill"], json!(true));

    let r = correct(
        &app,
        &seller.owner,
        sub,
        json!({"carrier": "zhongtong", "tracking_no": "ZT5500000077"}),
    )
    .await;
    r.expect_status(200);
    // The buyer sees the new waybill, and the order keeps both.
    let view = order_json(&app, order, &buyer).await;
    let shipment = shipment_of(&view);
    assert_eq!(
        (
            shipment["carrier"].as_str(),
            shipment["carrier_code"].as_str()
        ),
        (Some("中通快递"), Some("zhongtong"))
    );
    assert_eq!(shipment["tracking_no"], "ZT5500000077");
    let audit = corrections(&view);
    assert_eq!(audit.len(), 1, "{view}");
    let data = &audit[0]["data"];
    assert_eq!(data["old"]["tracking_no"], "YD4300000009");
    assert_eq!(data["old"]["carrier_code"], "yunda");
    assert_eq!(data["old"]["tracking"]["status"], "subscribed");
    assert_eq!(data["new"]["tracking_no"], "ZT5500000077");
    assert_eq!(data["new"]["carrier"], "中通快递");
    assert_eq!(app.count("shipments", "1 = 1").await, 1);

    // The new waybill is subscribed once, through the outbox; a retry changes nothing.
    app.outbox_drained().await;
    correct(
        &app,
        &seller.owner,
        sub,
        json!({"carrier": "中通", "tracking_no": "ZT5500000077"}),
    )
    .await
    .expect_status(200);
    app.outbox_drained().await;
    let asked: Vec<(String, String)> = sim
        .subscriptions()
        .into_iter()
        .map(|s| (s.company, s.number))
        .collect();
    assert_eq!(
        asked,
        [
            ("yunda".to_owned(), "YD4300000009".to_owned()),
            ("zhongtong".to_owned(), "ZT5500000077".to_owned())
        ]
    );
    assert_eq!(corrections(&order_json(&app, order, &buyer).await).len(), 1);
    assert_eq!(app.count("tracking_subscriptions", "1 = 1").await, 1);
    let seller_view = order_json(&app, order, &seller.owner).await;
    assert_eq!(
        shipment_of(&seller_view)["tracking"]["status"],
        "subscribed"
    );
    // The new waybill's pushes fill the timeline.
    let t = app.clock.now() - chrono::Duration::seconds(60);
    let (status, _) = sim
        .push(
            &app.url(""),
            "ZT5500000077",
            "0",
            &[Line::at(t, "快件已发往 南昌转运中心").state("在途", "1002")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        kinds(&order_json(&app, order, &buyer).await),
        ["in_transit"]
    );
}

async fn the_old_waybills_pushes_are_refused_after_a_correction(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, buyer, order, sub) = mistyped(&app).await;
    correct(
        &app,
        &seller.owner,
        sub,
        json!({"carrier": "yunda", "tracking_no": "YD4300000010"}),
    )
    .await
    .expect_status(200);
    app.outbox_drained().await;
    // 快递100 cannot be told to stop: the old waybill's pushes still come, correctly signed,
    // and find no parcel.
    let t = app.clock.now() - chrono::Duration::seconds(60);
    let (status, body) = sim
        .push(
            &app.url(""),
            "YD4300000009",
            "3",
            &[Line::at(t, "已签收，签收人：邻居").state("签收", "301")],
        )
        .await;
    assert_eq!(
        (status, body["returnCode"].clone()),
        (404, json!("404")),
        "{body}"
    );
    assert_eq!(app.count("shipment_events", "1 = 1").await, 0);
    let view = order_json(&app, order, &buyer).await;
    assert_eq!(view["sub_orders"][0]["status"], "shipped");
    assert!(kinds(&view).is_empty());
}

async fn correcting_to_a_carrier_typed_by_hand_stops_the_tracking(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, _buyer, order, sub) = mistyped(&app).await;
    correct(
        &app,
        &seller.owner,
        sub,
        json!({"carrier": "other", "carrier_name": "县城小马快运", "tracking_no": "XM20261207"}),
    )
    .await
    .expect_status(200);
    app.outbox_drained().await;
    let view = order_json(&app, order, &seller.owner).await;
    let shipment = shipment_of(&view);
    assert_eq!(shipment["carrier"], "县城小马快运");
    assert!(shipment["carrier_code"].is_null(), "{shipment}");
    assert!(shipment["tracking"].is_null(), "{shipment}");
    assert_eq!(
        sim.subscriptions().len(),
        1,
        "only the first waybill was asked"
    );
    assert_eq!(app.count("tracking_subscriptions", "1 = 1").await, 0);
}

async fn a_waybill_is_not_corrected_before_shipping_nor_after_delivery_or_receipt(
    backend: Backend,
) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let fix = json!({"carrier": "yunda", "tracking_no": "YD4300000099"});
    // Not shipped yet.
    let (seller, buyer, _order, sub) = paid(&app).await;
    let r = correct(&app, &seller.owner, sub, fix.clone()).await;
    r.expect_status(409);
    assert_eq!(r.code(), "not_shipped", "{}", r.text);

    // Signed for (签收) by the carrier: the waybill is a record now.
    let (seller, _buyer, order, sub) = mistyped(&app).await;
    let t = app.clock.now() - chrono::Duration::seconds(60);
    let (status, _) = sim
        .push(
            &app.url(""),
            "YD4300000009",
            "3",
            &[Line::at(t, "已签收").state("签收", "301")],
        )
        .await;
    assert_eq!(status, 200);
    let view = order_json(&app, order, &seller.owner).await;
    assert_eq!(view["sub_orders"][0]["can_correct_waybill"], json!(false));
    let r = correct(&app, &seller.owner, sub, fix.clone()).await;
    r.expect_status(409);
    assert_eq!(r.code(), "cannot_correct_waybill", "{}", r.text);

    // Received by the buyer.
    let seller2 = app.seller_with_listing().await;
    let order2 = app.paid_order(&buyer, &[(seller2.sku, 1)]).await;
    let sub2 = order2.part().id;
    ship(&app, &seller2.owner, sub2, "jd", "JDV000000042")
        .await
        .expect_status(200);
    app.receive(&buyer, sub2).await;
    let r = correct(&app, &seller2.owner, sub2, fix).await;
    r.expect_status(409);
    assert_eq!(r.code(), "cannot_correct_waybill", "{}", r.text);
    assert_eq!(
        app.count("order_events", "kind = 'waybill_corrected'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM shipments WHERE tracking_no = 'YD4300000099'")
            .await,
        0
    );
}

async fn only_the_parts_seller_corrects_its_waybill_and_bad_input_changes_nothing(
    backend: Backend,
) {
    let Some((app, _sim)) = tracked(backend).await else {
        return;
    };
    let (seller, buyer, order, sub) = mistyped(&app).await;
    let fix = json!({"carrier": "yunda", "tracking_no": "YD4300000010"});
    let stranger = app.seller_with_listing().await;
    correct(&app, &stranger.owner, sub, fix.clone())
        .await
        .expect_status(404);
    let r = correct(&app, &buyer, sub, fix.clone()).await;
    assert!(matches!(r.status, 403 | 404), "{}", r.text);
    let r = app
        .put(&format!("/api/v1/sub-orders/{sub}/shipment"), fix, None)
        .await;
    r.expect_status(401);
    for (body, field) in [
        (
            json!({"carrier": "某某物流", "tracking_no": "YD4300000010"}),
            "carrier",
        ),
        (
            json!({"carrier": "other", "tracking_no": "YD4300000010"}),
            "carrier_name",
        ),
        (
            json!({"carrier": "yunda", "tracking_no": "YD 43;--"}),
            "tracking_no",
        ),
        (
            json!({"carrier": "yunda", "tracking_no": "Y".repeat(41)}),
            "tracking_no",
        ),
    ] {
        let r = correct(&app, &seller.owner, sub, body).await;
        r.expect_status(422);
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    let r = correct(
        &app,
        &seller.owner,
        sub,
        json!({"carrier": "yunda", "tracking_no": "YD4300000010", "shipped_at": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert!(matches!(r.status, 400 | 422), "{}", r.text);
    let view = order_json(&app, order, &buyer).await;
    assert_eq!(shipment_of(&view)["tracking_no"], "YD4300000009");
    assert!(corrections(&view).is_empty());
    assert_eq!(
        app.count("tracking_subscriptions", "tracking_no = 'YD4300000009'")
            .await,
        1
    );
}

async fn two_corrections_at_once_leave_one_waybill_and_one_subscription(backend: Backend) {
    let Some((app, sim)) = tracked(backend).await else {
        return;
    };
    let (seller, buyer, order, sub) = mistyped(&app).await;
    let (a, b) = tokio::join!(
        correct(
            &app,
            &seller.owner,
            sub,
            json!({"carrier": "zhongtong", "tracking_no": "ZT5500000101"}),
        ),
        correct(
            &app,
            &seller.owner,
            sub,
            json!({"carrier": "yuantong", "tracking_no": "YT5500000102"}),
        ),
    );
    let won = [&a, &b].iter().filter(|r| r.status == 200).count();
    for r in [&a, &b] {
        assert!(
            r.status == 200 || r.code() == "concurrent_update",
            "{}",
            r.text
        );
    }
    assert!(won >= 1);
    app.outbox_drained().await;
    let view = order_json(&app, order, &buyer).await;
    let now_no = shipment_of(&view)["tracking_no"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(["ZT5500000101", "YT5500000102"].contains(&now_no.as_str()));
    // One event per correction that won; one subscription, for the waybill the parcel carries.
    assert_eq!(corrections(&view).len(), won);
    assert_eq!(app.count("tracking_subscriptions", "1 = 1").await, 1);
    assert_eq!(
        app.count(
            "tracking_subscriptions",
            &format!("tracking_no = '{now_no}' AND status = 'subscribed'")
        )
        .await,
        1
    );
    assert!(sim.subscriptions().iter().any(|s| s.number == now_no));
}

async fn parcels_shipped_before_the_carrier_list_get_its_code_where_their_name_is_on_it(
    backend: Backend,
) {
    use sea_orm::ConnectionTrait;
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let seller = app.seller_with_listing().await;
    let buyer = app.consumer().await;
    // Each as a parcel shipped before migration 45 left it: the name as typed, no code.
    let typed = [
        " 顺丰 ",
        "ZTO",
        "J&T Express",
        "中国邮政EMS",
        "县城小马快运",
    ];
    let mut orders = Vec::new();
    for (i, name) in typed.iter().enumerate() {
        let order = app.paid_order(&buyer, &[(seller.sku, 1)]).await;
        let sub = order.part().id;
        ship(&app, &seller.owner, sub, "jd", &format!("OLD00000000{i}"))
            .await
            .expect_status(200);
        app.state
            .infra
            .db
            .execute_unprepared(&format!(
                "UPDATE shipments SET carrier = '{name}', carrier_code = NULL WHERE tracking_no = 'OLD00000000{i}'"
            ))
            .await
            .expect("made old");
        orders.push(order.id);
    }
    let given = farmgate_migrations::backfill_carrier_codes(&app.state.infra.db)
        .await
        .expect("backfill");
    assert_eq!(given, 4);
    let mut got = Vec::new();
    for order in &orders {
        let view = order_json(&app, *order, &buyer).await;
        let s = shipment_of(&view);
        got.push((
            s["carrier"].as_str().unwrap_or_default().to_owned(),
            s["carrier_code"].as_str().map(str::to_owned),
        ));
    }
    let expected: Vec<(String, Option<String>)> = [
        (" 顺丰 ", Some("shunfeng")),
        ("ZTO", Some("zhongtong")),
        ("J&T Express", Some("jtexpress")),
        ("中国邮政EMS", Some("ems")),
        ("县城小马快运", None),
    ]
    .iter()
    .map(|(n, c)| ((*n).to_owned(), c.map(str::to_owned)))
    .collect();
    assert_eq!(got, expected, "names kept, codes given where on the list");
    // Running it again changes nothing, and nothing was subscribed.
    assert_eq!(
        farmgate_migrations::backfill_carrier_codes(&app.state.infra.db)
            .await
            .expect("again"),
        0
    );
    assert_eq!(app.count("tracking_subscriptions", "1 = 1").await, 0);
    // The migration's names cover every carrier of today's list, by code and both names.
    let list = app.get("/api/v1/carriers", None).await;
    for c in list.body["carriers"].as_array().expect("carriers") {
        let code = c["code"].as_str().unwrap_or_default();
        let names = farmgate_migrations::CARRIER_NAMES
            .iter()
            .find(|(k, _)| *k == code)
            .map(|(_, n)| *n)
            .unwrap_or_else(|| panic!("{code} not in migration 48"));
        for name in [&c["name"], &c["name_en"]] {
            let folded: String = name
                .as_str()
                .unwrap_or_default()
                .chars()
                .filter(|ch| !ch.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect();
            assert!(names.contains(&folded.as_str()), "{code}: {folded}");
        }
    }
}
