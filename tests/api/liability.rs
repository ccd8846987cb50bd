//! Refunds charged by liability, the platform's money view, the carrier recourse, and the
//! money identity over generated histories — through the real server on both stacks.
//!
//! The identity (docs/MONEY.md), for the sub-orders paid in a period:
//! `received = refunds + commission + owed − platform_expense − carrier_recourse`.

use farmgate_tests::prelude::*;
use std::collections::HashMap;

/// The operator refunds `amount` of a part with `liability` (absent: the seller's), under `key`.
async fn refund(
    app: &TestApp,
    sub: Uuid,
    amount: i64,
    liability: Option<Value>,
    key: &str,
) -> Resp {
    let op = app.operator().await;
    let mut body = json!({"amount": amount, "reason": "运输途中压坏"});
    if let Some(l) = liability {
        body["liability"] = l;
    }
    app.send(
        app.http
            .post(app.url(&format!("/api/v1/sub-orders/{sub}/refunds")))
            .bearer_auth(&op.token)
            .header("idempotency-key", key)
            .json(&body),
    )
    .await
}

/// A claim on `quantity` units of a received part: the seller rejects it, the buyer escalates,
/// and the operator decides `amount` with these `shares`.
async fn decided_claim(
    app: &TestApp,
    parcel: &ReceivedOrder,
    quantity: i64,
    amount: i64,
    shares: Value,
) -> Resp {
    let claim = app
        .claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, quantity)
        .await;
    app.post(
        &format!("/api/v1/claims/{}/respond", claim.id),
        json!({"decision": "reject", "reason": "出库时包装完好"}),
        Some(&parcel.seller.owner.token),
    )
    .await
    .expect_status(200);
    app.post(
        &format!("/api/v1/claims/{}/escalate", claim.id),
        json!({"reason": "确实压坏了，请平台处理"}),
        Some(&parcel.buyer.token),
    )
    .await
    .expect_status(200);
    let op = app.operator().await;
    let r = app
        .post(
            &format!("/api/v1/claims/{}/decide", claim.id),
            json!({"amount": amount, "liability": shares, "note": "按照片与运单判定"}),
            Some(&op.token),
        )
        .await;
    r.expect_status(200);
    r
}

fn settlement_path(org: Uuid, day: &str) -> String {
    format!("/api/v1/orgs/{org}/settlement?from={day}&to={day}&limit=100")
}

fn money_path(day: &str) -> String {
    format!("/api/v1/platform/money?from={day}&to={day}")
}

/// The four statement totals that must agree with the platform view, and the rest.
const TOTALS: [&str; 8] = [
    "sales",
    "refunds",
    "refunds_seller",
    "refunds_platform",
    "refunds_carrier",
    "commission",
    "payable",
    "pending",
];

both_backends! {
    async fn the_operator_charges_a_refund_to_the_platform_and_the_sellers_payable_keeps_it(app) {
        let parcel = app.received_order(2).await;
        let (sub, seller) = (parcel.sub_order_id, &parcel.seller);
        let day = app.today_in_china();

        refund(&app, sub, 1000, Some(json!([{"party": "platform", "percent": 100}])), "p1").await.expect_status(200);
        refund(&app, sub, 501, Some(json!([{"party": "seller", "percent": 50}, {"party": "platform", "percent": 50}])), "m1").await.expect_status(200);
        refund(&app, sub, 300, None, "s1").await.expect_status(200);

        let st = app.get(&settlement_path(seller.org, &day), Some(&seller.owner.token)).await;
        st.expect_status(200);
        let line = &st.arr("lines")[0];
        // 5.01 halved: the left-over fen goes to the seller (the earlier party of a tie).
        assert_eq!((line.i64("refunded"), line.i64("refunded_seller"), line.i64("refunded_platform"), line.i64("refunded_carrier")),
                   (1801, 251 + 300, 1000 + 250, 0));
        let total = parcel.total;
        let commission = app.get(&format!("/api/v1/orders/{}", parcel.order_id), Some(&seller.owner.token)).await.i64("sub_orders.0.commission");
        let charged = 551;
        let kept = (commission * (total - charged) * 2 + total) / (2 * total);
        assert_eq!(line.i64("commission"), kept, "commission on the sale less the seller's refunds only");
        assert_eq!(line.i64("payable"), total - charged - kept, "the platform's ¥12.50 does not reduce the payable");
        assert_eq!(st.i64("totals.refunds_platform"), 1250);
        assert_eq!(st.i64("totals.refunds_seller"), 551);
        assert_eq!(app.scalar("SELECT SUM(seller_fen) FROM refunds").await, 551);
        assert_eq!(app.scalar("SELECT SUM(platform_fen) FROM refunds").await, 1250);
    }

    async fn a_refunds_liability_is_checked_and_the_carrier_is_charged_only_through_a_claim(app) {
        let parcel = app.received_order(1).await;
        let sub = parcel.sub_order_id;

        let r = refund(&app, sub, 100, Some(json!([{"party": "carrier", "percent": 100}])), "c1").await;
        assert_eq!(r.field_code("liability"), Some("carrier_needs_claim"), "{}", r.text);
        for bad in [json!([]), json!([{"party": "seller", "percent": 60}]), json!([{"party": "seller", "percent": 50}, {"party": "seller", "percent": 50}]),
                    json!([{"party": "platform", "percent": 0}, {"party": "seller", "percent": 100}])] {
            let r = refund(&app, sub, 100, Some(bad.clone()), "bad").await;
            assert_eq!(r.field_code("liability"), Some("invalid"), "{bad}: {}", r.text);
        }
        let r = refund(&app, sub, 100, Some(json!([{"party": "buyer", "percent": 100}])), "bad").await;
        assert_eq!(r.field_code("liability[0].party"), Some("invalid_type"), "not a party a refund is charged to");
        assert_eq!(app.count("refunds", "1=1").await, 0, "nothing refunded");
        // The same key with another liability is another refund: refused.
        refund(&app, sub, 100, None, "k").await.expect_status(200);
        let r = refund(&app, sub, 100, Some(json!([{"party": "platform", "percent": 100}])), "k").await;
        assert_eq!(r.code(), "idempotency_key_reused");
        refund(&app, sub, 100, Some(json!([{"party": "seller", "percent": 100}])), "k").await.expect_status(200);
        assert_eq!(app.count("refunds", "1=1").await, 1);
    }

    async fn a_seller_cannot_refund_a_claim_at_the_platforms_cost(app) {
        let parcel = app.received_order(2).await;
        let claim = app.claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 1).await;
        let respond = format!("/api/v1/claims/{}/respond", claim.id);

        for shares in [json!([{"party": "platform", "percent": 100}]), json!([{"party": "buyer", "percent": 50}, {"party": "seller", "percent": 50}])] {
            let r = app.post(&respond, json!({"decision": "full_refund", "liability": shares}), Some(&parcel.seller.owner.token)).await;
            assert_eq!(r.field_code("liability"), Some("not_yours_to_assign"), "{}", r.text);
        }
        assert_eq!(app.count("refunds", "1=1").await, 0);
        // Blaming the carrier is the seller's to say: a recourse follows.
        let r = app.post(&respond, json!({"decision": "full_refund", "liability": [{"party": "carrier", "percent": 100}]}), Some(&parcel.seller.owner.token)).await;
        r.expect_status(200);
        assert_eq!(app.scalar("SELECT SUM(carrier_fen) FROM refunds").await, 5990);
        assert_eq!(app.scalar("SELECT SUM(amount_fen) FROM carrier_recourse").await, 5990);
    }

    async fn the_platforms_money_is_for_the_operator_and_finance_only(app) {
        let parcel = app.received_order(1).await;
        let day = app.today_in_china();
        let agent = app.agent().await;
        let official = app.official().await;

        for who in [&parcel.seller.owner, &parcel.buyer.session, &agent, &official] {
            app.get(&money_path(&day), Some(&who.token)).await.expect_status(403);
        }
        app.get(&money_path(&day), None).await.expect_status(401);
        let r = app.get(&format!("/api/v1/platform/money?from={day}&to=2020-01-01"), Some(&app.finance().await.token)).await;
        assert_eq!(r.field_code("to"), Some("before_from"));
        let m = app.get(&money_path(&day), Some(&app.finance().await.token)).await;
        m.expect_status(200);
        assert_eq!(m.i64("received"), parcel.total);
        assert_eq!(m.arr("sellers").len(), 1);
        app.get(&money_path(&day), Some(&app.operator().await.token)).await.expect_status(200);
    }
}

/// A decided claim with 70 % on the carrier: its recourse, as finance lists it.
async fn a_recourse(app: &TestApp) -> (ReceivedOrder, Value) {
    let parcel = app.received_order(3).await;
    decided_claim(
        app,
        &parcel,
        2,
        2 * 5990,
        json!([{"party": "carrier", "percent": 70}, {"party": "seller", "percent": 30}]),
    )
    .await;
    let list = app
        .get(
            "/api/v1/carrier-recourse?status=open",
            Some(&app.finance().await.token),
        )
        .await;
    list.expect_status(200);
    let item = list.arr("items")[0].clone();
    (parcel, item)
}

fn collect_body(amount: i64, day: &str, reference: &str) -> Value {
    json!({"amount": amount, "collected_on": day, "reference": reference})
}

both_backends! {
    async fn finance_collects_a_recourse_in_parts_never_beyond_what_the_carrier_owes(app) {
        let (parcel, item) = a_recourse(&app).await;
        let finance = app.finance().await;
        let id = item.uuid("id");
        let amount = 2 * 5990 * 70 / 100;
        assert_eq!((item.i64("amount"), item.i64("outstanding"), item.str("carrier")), (amount, amount, "顺丰速运"));
        assert!(item.str("claim_number").len() > 4, "the claim it came from");
        let day = app.today_in_china();
        let path = format!("/api/v1/carrier-recourse/{id}/collections");

        // Nobody but finance and the operator.
        for who in [&parcel.seller.owner, &parcel.buyer.session, &app.agent().await] {
            app.post(&path, collect_body(100, &day, "X"), Some(&who.token)).await.expect_status(403);
            app.get("/api/v1/carrier-recourse", Some(&who.token)).await.expect_status(403);
            app.get("/api/v1/carrier-recourse/totals", Some(&who.token)).await.expect_status(403);
        }
        // Out of range: more than owed, nothing, a day to come, a day before it was opened.
        let r = app.post(&path, collect_body(amount + 1, &day, "SF-1"), Some(&finance.token)).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"), "{}", r.text);
        let r = app.post(&path, collect_body(0, &day, "SF-1"), Some(&finance.token)).await;
        assert_eq!(r.field_code("amount"), Some("out_of_range"));
        let tomorrow = (chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap() + chrono::Duration::days(1)).to_string();
        let r = app.post(&path, collect_body(100, &tomorrow, "SF-1"), Some(&finance.token)).await;
        assert_eq!(r.field_code("collected_on"), Some("out_of_range"));
        let r = app.post(&path, collect_body(100, "2020-01-01", "SF-1"), Some(&finance.token)).await;
        assert_eq!(r.field_code("collected_on"), Some("out_of_range"));
        let r = app.post(&path, collect_body(100, &day, "  "), Some(&finance.token)).await;
        assert_eq!(r.field_code("reference"), Some("required"));
        app.post(&format!("/api/v1/carrier-recourse/{}/collections", Uuid::now_v7()), collect_body(100, &day, "SF-1"), Some(&finance.token)).await.expect_status(404);

        // A part, then the same collection again (answered unchanged), then the reference
        // reused for another amount.
        let r = app.post(&path, collect_body(3000, &day, "SF-1"), Some(&finance.token)).await;
        r.expect_status(200);
        assert_eq!((r.i64("recourse.collected"), r.i64("recourse.outstanding"), r.str("recourse.status")), (3000, amount - 3000, "open"));
        let again = app.post(&path, collect_body(3000, &day, "SF-1"), Some(&finance.token)).await;
        again.expect_status(200);
        assert_eq!(again.i64("recourse.collected"), 3000);
        assert_eq!(again.len_of("collections"), 1);
        let r = app.post(&path, collect_body(10, &day, "SF-1"), Some(&finance.token)).await;
        assert_eq!(r.code(), "reference_used");

        // Two collections of all that is left at once: one closes the recourse, the other is
        // refused, and never more than owed is collected.
        let left = amount - 3000;
        let reqs = ["SF-2", "SF-3"].map(|reference| app.http.post(app.url(&path)).bearer_auth(&finance.token).json(&collect_body(left, &day, reference))).into();
        let answers = app.send_all(reqs).await;
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
        assert_eq!(app.scalar("SELECT SUM(amount_fen) FROM recourse_collections").await, amount);
        let d = app.get(&format!("/api/v1/carrier-recourse/{id}"), Some(&app.operator().await.token)).await;
        assert_eq!((d.str("recourse.status"), d.i64("recourse.outstanding"), d.len_of("collections")), ("collected", 0, 2));
        let r = app.post(&format!("/api/v1/carrier-recourse/{id}/write-off"), json!({"reason": "已结清"}), Some(&finance.token)).await;
        assert_eq!(r.code(), "recourse_closed");
        let list = app.get("/api/v1/carrier-recourse?status=collected&carrier=顺丰速运", Some(&finance.token)).await;
        assert_eq!(list.i64("total"), 1);
        let none = app.get("/api/v1/carrier-recourse?carrier=中通快递", Some(&finance.token)).await;
        assert_eq!(none.i64("total"), 0);
    }

    async fn what_a_carrier_will_not_pay_is_written_off_with_a_reason_and_the_totals_say_so(app) {
        let (_, item) = a_recourse(&app).await;
        let op = app.operator().await;
        let id = item.uuid("id");
        let amount = item.i64("amount");
        let day = app.today_in_china();
        app.post(&format!("/api/v1/carrier-recourse/{id}/collections"), collect_body(1000, &day, "ZT-88"), Some(&op.token)).await.expect_status(200);
        let path = format!("/api/v1/carrier-recourse/{id}/write-off");

        let r = app.post(&path, json!({"reason": " "}), Some(&op.token)).await;
        assert_eq!(r.field_code("reason"), Some("required"));
        let r = app.post(&path, json!({"reason": "承运商拒赔，金额较小不再追讨"}), Some(&app.finance().await.token)).await;

        r.expect_status(200);
        assert_eq!((r.str("recourse.status"), r.i64("recourse.written_off"), r.i64("recourse.outstanding")), ("written_off", amount - 1000, 0));
        assert_eq!(r.str("recourse.write_off_reason"), "承运商拒赔，金额较小不再追讨");
        let again = app.post(&path, json!({"reason": "再次核销"}), Some(&op.token)).await;
        assert_eq!(again.code(), "recourse_closed");
        let t = app.get("/api/v1/carrier-recourse/totals", Some(&op.token)).await;
        t.expect_status(200);
        assert_eq!(t.str("carriers.0.carrier"), "顺丰速运");
        assert_eq!((t.i64("all.opened"), t.i64("all.collected"), t.i64("all.written_off"), t.i64("all.outstanding")), (amount, 1000, amount - 1000, 0));
    }

    async fn recourse_totals_and_the_list_take_a_period_of_beijing_days_and_refuse_a_bad_one(app) {
        let (_, first) = a_recourse(&app).await;
        let day1 = app.today_in_china();
        app.clock.advance(chrono::Duration::days(3));
        let (_, _) = a_recourse(&app).await;
        let day2 = app.today_in_china();
        let finance = app.finance().await;
        let all = app.get("/api/v1/carrier-recourse/totals", Some(&finance.token)).await;
        all.expect_status(200);
        assert_eq!(all.i64("all.recourses"), 2);
        assert_eq!(all.body["from"], Value::Null, "no period: all");

        let totals = |from: &str, to: &str| format!("/api/v1/carrier-recourse/totals?from={from}&to={to}");
        let t1 = app.get(&totals(&day1, &day1), Some(&finance.token)).await;
        t1.expect_status(200);
        assert_eq!((t1.i64("all.recourses"), t1.i64("all.opened"), t1.str("from"), t1.str("to")), (1, first.i64("amount"), day1.as_str(), day1.as_str()));
        let t2 = app.get(&totals(&day2, &day2), Some(&finance.token)).await;
        assert_eq!(t2.i64("all.recourses"), 1);
        let both = app.get(&totals(&day1, &day2), Some(&finance.token)).await;
        assert_eq!(both.i64("all.opened"), all.i64("all.opened"));
        assert_eq!(both.str("carriers.0.carrier"), "顺丰速运");
        // The list takes the same period.
        let list = app.get(&format!("/api/v1/carrier-recourse?from={day1}&to={day1}"), Some(&finance.token)).await;
        list.expect_status(200);
        assert_eq!(list.i64("total"), 1);
        assert_eq!(list.arr("items")[0]["id"], first["id"]);

        // Malformed, half, reversed and too long: 400 naming the field, on both.
        for (query, field, code) in [
            ("from=2026-13-01&to=2026-12-01", "from", None),
            ("from=yesterday&to=2026-12-01", "from", None),
            (&*format!("from={day1}"), "to", Some("required")),
            (&*format!("to={day1}"), "from", Some("required")),
            (&*format!("from={day2}&to={day1}"), "to", Some("before_from")),
            ("from=2025-01-01&to=2026-01-02", "to", Some("too_long")),
        ] {
            for path in ["/api/v1/carrier-recourse/totals", "/api/v1/carrier-recourse"] {
                let r = app.get(&format!("{path}?{query}"), Some(&finance.token)).await;
                assert_eq!((r.status, r.code()), (400, "invalid_query"), "{path}?{query}: {}", r.text);
                assert!(r.body["error"]["fields"].get(field).is_some(), "{path}?{query} names {field}: {}", r.text);
                if let Some(code) = code {
                    assert_eq!(r.field_code(field), Some(code), "{path}?{query}");
                }
            }
        }
        // A year to the day is fine; the wrong people still cannot ask.
        app.get(&totals("2025-01-02", "2026-01-02"), Some(&finance.token)).await.expect_status(200);
        let buyer = app.consumer().await;
        app.get(&totals(&day1, &day2), Some(&buyer.token)).await.expect_status(403);
    }
}

/// A small xorshift generator: the same history every run.
struct Gen(u64);

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
    fn fen(&mut self, upto: i64) -> i64 {
        1 + i64::try_from(self.below(u64::try_from(upto).unwrap())).unwrap()
    }
    fn pick<'a, T>(&mut self, of: &'a [T]) -> &'a T {
        &of[usize::try_from(self.below(of.len() as u64)).unwrap()]
    }
}

/// Checks the identity and that each seller's statement agrees with the platform's view.
async fn check_the_money(
    app: &TestApp,
    day: &str,
    sellers: &[SellerWithListing],
    paid: i64,
    refunded: i64,
    when: &str,
) {
    let m = app
        .get(&money_path(day), Some(&app.finance().await.token))
        .await;
    m.expect_status(200);
    assert_eq!(
        m.i64("received"),
        paid,
        "{when}: received is what the buyers paid"
    );
    assert_eq!(
        m.i64("refunds.total"),
        refunded,
        "{when}: every refund, whoever bears it"
    );
    assert_eq!(
        m.i64("received"),
        m.i64("refunds.total") + m.i64("commission") + m.i64("owed")
            - m.i64("platform_expense")
            - m.i64("carrier_recourse"),
        "{when}: received = refunds + commission + owed − platform expense − carrier recourse: {}",
        m.text
    );
    assert_eq!(m.i64("owed"), m.i64("payable") + m.i64("pending"));
    let by_org: HashMap<Uuid, &Value> = m
        .arr("sellers")
        .iter()
        .map(|s| (s.uuid("org_id"), s))
        .collect();
    assert_eq!(by_org.len(), sellers.len());
    for s in sellers {
        let st = app
            .get(&settlement_path(s.org, day), Some(&s.owner.token))
            .await;
        st.expect_status(200);
        for k in TOTALS {
            assert_eq!(
                st.i64(&format!("totals.{k}")),
                by_org[&s.org].i64(&format!("totals.{k}")),
                "{when}: {} {k}",
                s.name
            );
        }
        let t = |k: &str| st.i64(&format!("totals.{k}"));
        assert_eq!(
            t("sales") - t("refunds_seller") - t("commission"),
            t("payable") + t("pending"),
            "{when}: {} is owed its sales less its refunds and commission",
            s.name
        );
        assert_eq!(
            t("refunds"),
            t("refunds_seller") + t("refunds_platform") + t("refunds_carrier")
        );
    }
    let r = app
        .get(
            "/api/v1/carrier-recourse/totals",
            Some(&app.finance().await.token),
        )
        .await;
    assert_eq!(
        r.i64("all.opened"),
        m.i64("refunds.carrier"),
        "{when}: recourse opened = carrier-charged refunds"
    );
    assert_eq!(
        app.scalar("SELECT SUM(seller_fen + platform_fen + carrier_fen) FROM refunds")
            .await,
        refunded,
        "each refund's parts add up"
    );
}

both_backends! {
    async fn over_a_generated_history_the_money_adds_up_to_the_fen(app) {
        let mut g = Gen(0x5EED_2026_1206_0017);
        let products = [("赣南脐橙 10斤装", 5990), ("高山土鸡蛋 30枚", 3280), ("红心猕猴桃 5斤装", 4580)];
        let mut sellers = Vec::new();
        for (i, (title, price)) in products.iter().enumerate() {
            sellers.push(app.verified_seller().named(&format!("第{}家庭农场", i + 1)).with_listing(Product::boxes(title, *price, 500)).await);
        }
        let buyers = [app.consumer().await, app.consumer().named("李娜").phone("13600001234").await];
        let day = app.today_in_china();
        let claim_shares = [
            json!([{"party": "carrier", "percent": 100}]),
            json!([{"party": "carrier", "percent": 70}, {"party": "seller", "percent": 30}]),
            json!([{"party": "carrier", "percent": 50}, {"party": "platform", "percent": 30}, {"party": "seller", "percent": 20}]),
            json!([{"party": "platform", "percent": 100}]),
            json!([{"party": "buyer", "percent": 40}, {"party": "seller", "percent": 60}]),
        ];
        let refund_shares = [
            None,
            Some(json!([{"party": "platform", "percent": 100}])),
            Some(json!([{"party": "seller", "percent": 33}, {"party": "platform", "percent": 67}])),
            Some(json!([{"party": "seller", "percent": 100}])),
        ];
        let (mut paid, mut refunded) = (0, 0);
        for k in 0..10u64 {
            let s = g.pick(&sellers).clone();
            let buyer = &buyers[usize::try_from(k % 2).unwrap()];
            let qty = i64::try_from(1 + g.below(4)).unwrap();
            // Most parcels arrive; some are still on their way (paid, refundable, pending).
            let (sub, left) = if k % 4 != 3 {
                let parcel = app.received(buyer, &s, &[(s.sku, qty)]).await;
                paid += parcel.total;
                let mut left = parcel.total;
                if g.below(2) == 0 {
                    let unit = parcel.order.part().line().unit_price;
                    let amount = g.fen(unit);
                    let r = decided_claim(&app, &parcel, 1, amount, g.pick(&claim_shares).clone()).await;
                    assert_eq!(r.i64("refunded"), amount);
                    refunded += amount;
                    left -= amount;
                }
                (parcel.sub_order_id, left)
            } else {
                let order = app.paid_order(buyer, &[(s.sku, qty)]).await;
                paid += order.total;
                (order.part().id, order.total)
            };
            // Then up to two operator refunds, partial or all that is left.
            let mut left = left;
            for n in 0..g.below(3) {
                if left == 0 {
                    break;
                }
                let amount = if g.below(4) == 0 { left } else { g.fen(left / 2 + 1) };
                let r = refund(&app, sub, amount, g.pick(&refund_shares).clone(), &format!("gen-{k}-{n}")).await;
                r.expect_status(200);
                refunded += amount;
                left -= amount;
            }
        }
        app.outbox_drained().await;
        check_the_money(&app, &day, &sellers, paid, refunded, "while windows are open").await;
        // Once the after-sales windows close, pending becomes payable; the identity holds.
        app.clock.advance(chrono::Duration::hours(72));
        check_the_money(&app, &day, &sellers, paid, refunded, "after the windows closed").await;
        // Finance pays the sellers: each payout is exactly what that seller is owed now, so
        // received = refunds + commission + paid out + still owed − platform expense − carrier.
        for s in &sellers {
            app.verified_bank_account(s).await;
        }
        let finance = app.finance().await;
        let m = app.get(&money_path(&day), Some(&finance.token)).await;
        let batch = app
            .post("/api/v1/finance/payout-batches", json!({"period_end": app.today_in_china()}), Some(&finance.token))
            .await;
        batch.expect_status(201);
        let mut paid_out = 0;
        for p in batch.arr("payouts") {
            let org = p["org_id"].as_str().unwrap_or_default().to_owned();
            let seller = m.arr("sellers").iter().find(|x| x["org_id"].as_str() == Some(org.as_str())).cloned().unwrap_or_default();
            assert_eq!(p["amount"].as_i64(), seller["totals"]["payable"].as_i64(), "a payout is what the statement says is payable: {}", batch.text);
            let id = p["id"].as_str().unwrap_or_default();
            let r = app
                .post(&format!("/api/v1/finance/payouts/{id}/paid"), json!({"reference": format!("BANK-PAYOUT-{id}")}), Some(&finance.token))
                .await;
            r.expect_status(200);
            paid_out += p["amount"].as_i64().unwrap_or_default();
        }
        assert_eq!(batch.i64("total"), paid_out);
        assert_eq!(paid_out, m.i64("payable"), "every payable fen is in the batch, once");
        let still_owed = m.i64("owed") - paid_out;
        assert_eq!(
            m.i64("received"),
            m.i64("refunds.total") + m.i64("commission") + paid_out + still_owed
                - m.i64("platform_expense")
                - m.i64("carrier_recourse"),
            "received = refunds + commission + seller payouts + pending − platform expense − carrier recourse"
        );
        assert_eq!(still_owed, m.i64("pending"), "what is not paid out is still in its window");
        let again = app
            .post("/api/v1/finance/payout-batches", json!({"period_end": app.today_in_china()}), Some(&finance.token))
            .await;
        again.expect_status(409);
        assert_eq!(again.code(), "nothing_to_pay", "nothing is paid twice");
        assert!(app.scalar("SELECT SUM(carrier_fen) FROM refunds").await > 0, "the history charged a carrier");
        assert!(app.scalar("SELECT SUM(platform_fen) FROM refunds").await > 0, "the history charged the platform");
        assert!(app.count("refunds", "seller_fen > 0 AND platform_fen > 0").await > 0, "a mixed refund");
    }
}
