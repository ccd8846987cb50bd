//! Issue #22, credit terms (账期): the operator or finance grants a verified business buyer a
//! line; the buyer pays orders on credit up to its limit (orders at the same moment never pass
//! it); refunds lower what is owed; a daily job bills each Shanghai month once on a statement
//! whose total is its orders to the fen; an overdue statement stops new orders on credit and
//! tells the buyer; finance records bank transfers against statements, never above what is
//! left; receivables and the platform's money reconcile.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use farmgate_tests::prelude::*;

/// A verified hotel (its owner orders) and a seller of eggs (¥45 a box, 20 in stock).
struct Hotel {
    org: Uuid,
    owner: Consumer,
    seller: SellerWithListing,
}

async fn hotel(app: &TestApp) -> Hotel {
    let (org, owner) = app.hotel(None).await;
    let seller = app.verified_seller().with_listing(Product::eggs()).await;
    Hotel { org, owner, seller }
}

async fn grant(app: &TestApp, who: &Session, org: Uuid, limit: i64, days: i32) -> Resp {
    app.put(
        &format!("/api/v1/orgs/{org}/credit"),
        json!({"limit_fen": limit, "terms_days": days}),
        Some(&who.token),
    )
    .await
}

/// The owner orders `boxes` of eggs (to be paid offline unless on credit); its total.
async fn order(app: &TestApp, h: &Hotel, boxes: i64) -> (Uuid, i64) {
    let o = app
        .checkout(&h.owner, &[(h.seller.sku, boxes)], "offline")
        .await;
    (o.id, o.total)
}

async fn pay_on_credit(app: &TestApp, who: &Session, order: Uuid) -> Resp {
    app.post(
        &format!("/api/v1/orders/{order}/pay-on-credit"),
        json!({}),
        Some(&who.token),
    )
    .await
}

/// The owner orders `boxes` of eggs, pays on credit, and the seller ships them (so no ship-by
/// deadline lapses while the clock moves on); the order and its total.
async fn shipped_on_credit(app: &TestApp, h: &Hotel, boxes: i64) -> (Uuid, i64) {
    let (id, total) = order(app, h, boxes).await;
    let paid = pay_on_credit(app, &h.owner, id).await;
    paid.expect_status(200);
    app.ship(&h.seller.owner, paid.uuid("sub_orders.0.id"))
        .await;
    (id, total)
}

async fn line(app: &TestApp, who: &Session, org: Uuid) -> Resp {
    app.get(&format!("/api/v1/orgs/{org}/credit"), Some(&who.token))
        .await
}

/// Moves the clock to `hours` past Shanghai midnight of the first day of next month plus
/// `extra_days`, lets the jobs due by then run, and logs the hotel's owner and the seller in
/// again (sessions last 14 days); finance's new session.
async fn to_month_after(app: &TestApp, h: &mut Hotel, extra_days: i64, hours: i64) -> Session {
    let today = NaiveDate::parse_from_str(&app.today_in_china(), "%Y-%m-%d").unwrap();
    let first = NaiveDate::from_ymd_opt(
        if today.month0() == 11 {
            today.year() + 1
        } else {
            today.year()
        },
        if today.month0() == 11 {
            1
        } else {
            today.month() + 1
        },
        1,
    )
    .unwrap();
    let midnight = first.and_hms_opt(0, 0, 0).unwrap() - Duration::hours(8);
    let at = Utc.from_utc_datetime(&midnight) + Duration::days(extra_days) + Duration::hours(hours);
    let now = app.clock.now();
    assert!(at > now);
    app.clock.advance(at - now);
    app.outbox_drained().await;
    h.owner.session = app.login_again(&h.owner).await;
    h.seller.owner = app.login_again(&h.seller.owner).await;
    app.login_again(&app.finance().await).await
}

async fn statements(app: &TestApp, who: &Session, org: Uuid) -> Resp {
    let r = app
        .get(
            &format!("/api/v1/orgs/{org}/credit/statements"),
            Some(&who.token),
        )
        .await;
    r.expect_status(200);
    r
}

async fn pay_statement(
    app: &TestApp,
    who: &Session,
    id: Uuid,
    amount: i64,
    reference: &str,
) -> Resp {
    app.post(
        &format!("/api/v1/credit/statements/{id}/payments"),
        json!({"amount_fen": amount, "reference": reference}),
        Some(&who.token),
    )
    .await
}

both_backends! {
    async fn finance_grants_a_line_the_buyer_reads_it_and_every_change_is_kept_with_who_made_it(app) {
        let h = hotel(&app).await;
        let finance = app.finance().await;
        let op = app.operator().await;
        grant(&app, &finance, h.org, 100_000, 30).await.expect_status(200);
        let r = app.put(&format!("/api/v1/orgs/{}/credit", h.org),
            json!({"limit_fen": 50_000, "terms_days": 45, "status": "suspended"}), Some(&op.token)).await;
        r.expect_status(200);
        let mine = line(&app, &h.owner, h.org).await;
        mine.expect_status(200);
        assert_eq!((mine.i64("limit_fen"), mine.i64("terms_days"), mine.str("status")), (50_000, 45, "suspended"), "{}", mine.text);
        assert_eq!((mine.i64("outstanding_fen"), mine.i64("available_fen")), (0, 50_000));
        assert_eq!(mine.len_of("changes"), 0, "the buyer does not see the audit");
        let audit = line(&app, &finance, h.org).await;
        assert_eq!(audit.len_of("changes"), 2, "{}", audit.text);
        assert_eq!((audit.i64("changes.0.limit_fen"), audit.str("changes.0.status")), (50_000, "suspended"));
        assert_eq!(audit.i64("changes.1.limit_fen"), 100_000);
        assert!(!audit.str("changes.1.changed_by_name").is_empty(), "{}", audit.text);
    }

    async fn only_the_operator_and_finance_grant_and_bad_limits_terms_and_organisations_are_refused(app) {
        let h = hotel(&app).await;
        let finance = app.finance().await;
        let stranger = app.consumer().await;
        for who in [&h.owner.session, &h.seller.owner, &stranger.session, &app.official().await, &app.agent().await] {
            let r = grant(&app, who, h.org, 100_000, 30).await;
            assert_eq!(r.status, 403, "{}", r.text);
        }
        for (limit, days, field) in [(-1, 30, "limit_fen"), (1_000_000_001, 30, "limit_fen"), (i64::MAX, 30, "limit_fen"), (100, 0, "terms_days"), (100, 181, "terms_days"), (100, -5, "terms_days")] {
            let r = grant(&app, &finance, h.org, limit, days).await;
            assert_eq!((r.status, r.field_code(field)), (422, Some("out_of_range")), "{}", r.text);
        }
        let r = app.put(&format!("/api/v1/orgs/{}/credit", h.org), json!({"limit_fen": "lots", "terms_days": 30}), Some(&finance.token)).await;
        assert!(matches!(r.status, 400 | 422), "{}", r.text);
        let r = grant(&app, &finance, h.seller.org, 100_000, 30).await;
        assert_eq!((r.status, r.code()), (409, "not_business_buyer"), "{}", r.text);
        let r = grant(&app, &finance, Uuid::now_v7(), 100_000, 30).await;
        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(app.count("credit_lines", "1=1").await, 0, "nothing half-written");
        grant(&app, &finance, h.org, 100_000, 30).await.expect_status(200);
        let r = line(&app, &stranger, h.org).await;
        assert_eq!(r.status, 404, "another organisation's line is not theirs to know of: {}", r.text);
    }

    async fn an_order_paid_on_credit_is_paid_at_once_and_its_total_is_owed(app) {
        let h = hotel(&app).await;
        grant(&app, &app.finance().await, h.org, 100_000, 30).await.expect_status(200);
        let (id, total) = order(&app, &h, 2).await;
        let r = pay_on_credit(&app, &h.owner, id).await;
        r.expect_status(200);
        assert_eq!(r.str("status"), "paid", "{}", r.text);
        let l = line(&app, &h.owner, h.org).await;
        assert_eq!((l.i64("outstanding_fen"), l.i64("available_fen")), (total, 100_000 - total), "{}", l.text);
        let seller_view = app.get(&format!("/api/v1/orders/{id}"), Some(&h.seller.owner.token)).await;
        assert_eq!(seller_view.str("sub_orders.0.status"), "paid", "the seller ships as for any paid order: {}", seller_view.text);
        let again = pay_on_credit(&app, &h.owner, id).await;
        assert_eq!((again.status, again.code()), (409, "already_paid"), "{}", again.text);
        assert_eq!(line(&app, &h.owner, h.org).await.i64("outstanding_fen"), total, "owed once");
    }

    async fn consumers_buyers_without_an_active_line_and_people_other_than_the_buyer_cannot_pay_on_credit(app) {
        let h = hotel(&app).await;
        let finance = app.finance().await;
        // A consumer's order.
        let consumer = app.consumer().await;
        let o = app.checkout(&consumer, &[(h.seller.sku, 1)], "offline").await;
        let r = pay_on_credit(&app, &consumer, o.id).await;
        assert_eq!((r.status, r.code()), (409, "no_credit_line"), "{}", r.text);
        // A business buyer with no line yet.
        let (id, _) = order(&app, &h, 1).await;
        let r = pay_on_credit(&app, &h.owner, id).await;
        assert_eq!((r.status, r.code()), (409, "no_credit_line"), "{}", r.text);
        // Suspended.
        app.put(&format!("/api/v1/orgs/{}/credit", h.org), json!({"limit_fen": 100_000, "terms_days": 30, "status": "suspended"}), Some(&finance.token)).await.expect_status(200);
        let r = pay_on_credit(&app, &h.owner, id).await;
        assert_eq!((r.status, r.code()), (409, "no_credit_line"), "{}", r.text);
        grant(&app, &finance, h.org, 100_000, 30).await.expect_status(200);
        // Someone else's order: the seller, finance, the operator, a stranger.
        for who in [&h.seller.owner, &finance, &app.operator().await] {
            let r = pay_on_credit(&app, who, id).await;
            assert_eq!(r.status, 403, "{}", r.text);
        }
        let r = pay_on_credit(&app, &consumer, id).await;
        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(line(&app, &h.owner, h.org).await.i64("outstanding_fen"), 0);
        assert_eq!(app.count("credit_entries", "1=1").await, 0, "nothing half-written");
        pay_on_credit(&app, &h.owner, id).await.expect_status(200);
    }

    async fn orders_at_the_same_moment_never_pass_the_limit_and_exactly_the_limit_passes(app) {
        let h = hotel(&app).await;
        let mut orders = Vec::new();
        for _ in 0..6 {
            orders.push(order(&app, &h, 1).await);
        }
        let total = orders[0].1;
        assert!(orders.iter().all(|o| o.1 == total));
        grant(&app, &app.finance().await, h.org, 3 * total, 30).await.expect_status(200);
        let reqs = orders
            .iter()
            .map(|(id, _)| {
                app.http
                    .post(app.url(&format!("/api/v1/orders/{id}/pay-on-credit")))
                    .bearer_auth(&h.owner.token)
                    .json(&json!({}))
            })
            .collect();
        let answers = app.send_all(reqs).await;
        let paid = answers.iter().filter(|r| r.status == 200).count();
        for r in answers.iter().filter(|r| r.status != 200) {
            assert_eq!((r.status, r.code()), (409, "credit_limit_exceeded"), "{}", r.text);
        }
        assert_eq!(paid, 3, "exactly the limit: three of six");
        let l = line(&app, &h.owner, h.org).await;
        assert_eq!((l.i64("outstanding_fen"), l.i64("available_fen")), (3 * total, 0), "{}", l.text);
        assert_eq!(app.count("credit_entries", "kind = 'charge'").await, 3);
    }

    async fn a_refund_of_an_order_on_credit_lowers_what_is_owed_and_sends_no_money_back(app) {
        let h = hotel(&app).await;
        grant(&app, &app.finance().await, h.org, 100_000, 30).await.expect_status(200);
        let (id, total) = order(&app, &h, 2).await;
        let paid = pay_on_credit(&app, &h.owner, id).await;
        paid.expect_status(200);
        let sub = paid.uuid("sub_orders.0.id");
        let op = app.operator().await;
        let r = app.http.post(app.url(&format!("/api/v1/sub-orders/{sub}/refunds")))
            .bearer_auth(&op.token).header("idempotency-key", "credit-refund-1")
            .json(&json!({"amount": 1500, "reason": "一盒破损"})).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
        app.outbox_drained().await;
        assert_eq!(line(&app, &h.owner, h.org).await.i64("outstanding_fen"), total - 1500);
        assert_eq!(app.count("refunds", "provider = 'credit' AND status = 'succeeded'").await, 1);
        let rec = app.get("/api/v1/credit/receivables", Some(&app.finance().await.token)).await;
        rec.expect_status(200);
        assert_eq!((rec.i64("charged_fen"), rec.i64("refunded_fen"), rec.i64("paid_fen"), rec.i64("outstanding_fen")), (total, 1500, 0, total - 1500), "{}", rec.text);
    }

    async fn the_month_is_billed_once_on_a_statement_whose_total_is_its_orders_to_the_fen(app) {
        let mut h = hotel(&app).await;
        grant(&app, &app.finance().await, h.org, 1_000_000, 30).await.expect_status(200);
        let (_, ta) = shipped_on_credit(&app, &h, 1).await;
        let (b, tb) = shipped_on_credit(&app, &h, 3).await;
        // A refund in the month is a line of its own, taken off.
        let sub = app.order(b, &h.owner).await.part().id;
        let op = app.operator().await;
        let r = app.http.post(app.url(&format!("/api/v1/sub-orders/{sub}/refunds")))
            .bearer_auth(&op.token).header("idempotency-key", "credit-month-refund")
            .json(&json!({"amount": 1000, "reason": "少了几枚"})).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        to_month_after(&app, &mut h, 0, 1).await;
        // Two replicas run the same day at once, and the job again the next day.
        let today = NaiveDate::parse_from_str(&app.today_in_china(), "%Y-%m-%d").unwrap();
        let (x, y) = tokio::join!(app.state.orders.credit_day(today), app.state.orders.credit_day(today));
        x.unwrap();
        y.unwrap();
        app.clock.advance(Duration::days(1));
        app.outbox_drained().await;
        let list = statements(&app, &h.owner, h.org).await;
        assert_eq!(list.len_of(""), 1, "{}", list.text);
        assert_eq!(app.count("credit_statements", "1=1").await, 1);
        let id = list.uuid("0.id");
        let s = app.get(&format!("/api/v1/credit/statements/{id}"), Some(&h.owner.token)).await;
        s.expect_status(200);
        assert_eq!((s.i64("total_fen"), s.i64("left_fen"), s.str("status")), (ta + tb - 1000, ta + tb - 1000, "open"), "{}", s.text);
        assert_eq!((s.i64("charges_fen"), s.i64("refunds_fen")), (ta + tb, 1000));
        let sum: i64 = s.arr("lines").iter().map(|l| if l.str("kind") == "refund" { -l.i64("amount_fen") } else { l.i64("amount_fen") }).sum();
        assert_eq!(sum, ta + tb - 1000, "the lines add up to the total");
        assert_eq!(s.len_of("lines"), 3);
        // Due 30 days after the month's last day.
        let due = NaiveDate::parse_from_str(s.str("due_date"), "%Y-%m-%d").unwrap();
        assert_eq!(due - Duration::days(30), today - Duration::days(1), "{}", s.text);
        // An order on credit this month is on next month's statement, not this one.
        shipped_on_credit(&app, &h, 1).await;
        app.clock.advance(Duration::days(1));
        app.outbox_drained().await;
        assert_eq!(app.get(&format!("/api/v1/credit/statements/{id}"), Some(&h.owner.token)).await.len_of("lines"), 3);
    }

    async fn an_overdue_statement_stops_orders_on_credit_and_tells_the_buyer_until_it_is_paid(app) {
        let mut h = hotel(&app).await;
        let finance = app.finance().await;
        grant(&app, &finance, h.org, 1_000_000, 1).await.expect_status(200);
        let (_, ta) = shipped_on_credit(&app, &h, 1).await;
        // Due the first of next month; overdue from the second.
        let finance = to_month_after(&app, &mut h, 1, 1).await;
        let st = statements(&app, &h.owner, h.org).await;
        assert_eq!(st.str("0.status"), "overdue", "{}", st.text);
        let l = line(&app, &h.owner, h.org).await;
        assert_eq!(l.i64("overdue_fen"), ta, "{}", l.text);
        let (b, _) = order(&app, &h, 1).await;
        let r = pay_on_credit(&app, &h.owner, b).await;
        assert_eq!((r.status, r.code()), (409, "credit_overdue"), "{}", r.text);
        let n = app.get("/api/v1/notifications", Some(&h.owner.token)).await;
        n.expect_status(200);
        let told = n.arr("items").iter().filter(|i| i.str("kind") == "credit_overdue").count();
        assert_eq!(told, 1, "{}", n.text);
        // Another day: told once per statement.
        app.clock.advance(Duration::days(1));
        app.outbox_drained().await;
        let n = app.get("/api/v1/notifications", Some(&h.owner.token)).await;
        assert_eq!(n.arr("items").iter().filter(|i| i.str("kind") == "credit_overdue").count(), 1);
        // Paid: credit opens again.
        pay_statement(&app, &finance, st.uuid("0.id"), ta, "BANK-CR-1").await.expect_status(200);
        shipped_on_credit(&app, &h, 1).await;
    }

    async fn the_buyer_is_told_of_a_statement_and_before_it_falls_due_and_finance_when_it_is_overdue(app) {
        let mut h = hotel(&app).await;
        let finance = app.finance().await;
        grant(&app, &finance, h.org, 1_000_000, 5).await.expect_status(200);
        let (_, ta) = shipped_on_credit(&app, &h, 1).await;
        let kinds = |r: &Resp, kind: &str| -> Vec<Value> {
            r.arr("items").iter().filter(|i| i.str("kind") == kind).cloned().collect()
        };
        // The 1st: the statement is issued (due the 5th of next month's days after the month).
        let finance = to_month_after(&app, &mut h, 0, 1).await;
        let today = NaiveDate::parse_from_str(&app.today_in_china(), "%Y-%m-%d").unwrap();
        app.state.orders.credit_day(today).await.unwrap();
        app.outbox_drained().await;
        let n = app.get("/api/v1/notifications", Some(&h.owner.token)).await;
        let issued = kinds(&n, "credit_statement_issued");
        assert_eq!(issued.len(), 1, "told once, however often the day runs: {}", n.text);
        let money = format!("¥{}.{:02}", ta / 100, ta % 100);
        assert!(issued[0].str("body.zh").contains(&money), "what to pay: {}", n.text);
        assert!(kinds(&n, "credit_due_soon").is_empty(), "four days before: not yet");
        // Three days before its due date, once.
        app.clock.advance(Duration::days(1));
        app.outbox_drained().await;
        app.clock.advance(Duration::days(1));
        app.outbox_drained().await;
        let n = app.get("/api/v1/notifications", Some(&h.owner.token)).await;
        assert_eq!(kinds(&n, "credit_due_soon").len(), 1, "{}", n.text);
        assert!(kinds(&app.get("/api/v1/notifications", Some(&finance.token)).await, "credit_overdue_finance").is_empty());
        // Past it: the buyer and platform finance, who is told which buyer owes what.
        app.clock.advance(Duration::days(4));
        app.outbox_drained().await;
        let finance = app.login_again(&finance).await;
        let f = app.get("/api/v1/notifications", Some(&finance.token)).await;
        let chase = kinds(&f, "credit_overdue_finance");
        assert_eq!(chase.len(), 1, "{}", f.text);
        assert!(chase[0].str("title.zh").contains("青石宾馆") && chase[0].str("title.zh").contains(&money), "{}", f.text);
        // Nobody else is told the buyer's debt: not the seller.
        let seller = app.get("/api/v1/notifications", Some(&app.login_again(&h.seller.owner).await.token)).await;
        assert!(!seller.text.contains("credit_"), "{}", seller.text);
    }

    async fn finance_records_transfers_in_parts_never_above_what_is_left_and_a_reference_once(app) {
        let mut h = hotel(&app).await;
        let finance = app.finance().await;
        grant(&app, &finance, h.org, 1_000_000, 30).await.expect_status(200);
        let (_, ta) = shipped_on_credit(&app, &h, 2).await;
        let finance = to_month_after(&app, &mut h, 0, 1).await;
        let id = statements(&app, &h.owner, h.org).await.uuid("0.id");
        let op = app.login_again(&app.operator().await).await;
        for who in [&h.owner.session, &op, &h.seller.owner] {
            let r = pay_statement(&app, who, id, 100, "BANK-X-1").await;
            assert_eq!(r.status, 403, "{}", r.text);
        }
        for bad in [0, -100, ta + 1, i64::MAX] {
            let r = pay_statement(&app, &finance, id, bad, "BANK-X-2").await;
            assert_eq!((r.status, r.field_code("amount_fen")), (422, Some("out_of_range")), "{}", r.text);
        }
        let r = pay_statement(&app, &finance, id, 1000, "x").await;
        assert_eq!(r.status, 422, "{}", r.text);
        let r = pay_statement(&app, &finance, Uuid::now_v7(), 1000, "BANK-X-3").await;
        assert_eq!(r.status, 404, "{}", r.text);
        // A part, twice at once under one reference: recorded once.
        let reqs = (0..4).map(|_| app.http.post(app.url(&format!("/api/v1/credit/statements/{id}/payments")))
            .bearer_auth(&finance.token).json(&json!({"amount_fen": 1000, "reference": "BANK-P-1"}))).collect();
        for r in app.send_all(reqs).await {
            r.expect_status(200);
        }
        let s = pay_statement(&app, &finance, id, ta - 1000, "BANK-P-2").await;
        s.expect_status(200);
        assert_eq!((s.i64("paid_fen"), s.i64("left_fen"), s.str("status")), (ta, 0, "paid"), "{}", s.text);
        assert_eq!(s.len_of("payments"), 2);
        let r = pay_statement(&app, &finance, id, 1, "BANK-P-3").await;
        assert_eq!((r.status, r.code()), (409, "statement_paid"), "{}", r.text);
        let l = line(&app, &h.owner, h.org).await;
        let rec = app.get("/api/v1/credit/receivables", Some(&finance.token)).await;
        assert_eq!((l.i64("outstanding_fen"), l.i64("available_fen")), (0, 1_000_000), "{} {} ta={ta} {}", l.text, rec.text, app.scalar("SELECT COUNT(*) FROM credit_entries").await);
        let rec = app.get("/api/v1/credit/receivables", Some(&finance.token)).await;
        assert_eq!(rec.i64("charged_fen") - rec.i64("refunded_fen") - rec.i64("paid_fen"), rec.i64("outstanding_fen"), "{}", rec.text);
        assert_eq!(rec.i64("paid_fen"), ta);
    }

    async fn a_refund_after_its_statement_was_paid_is_a_credit_carried_to_the_next_statement_never_a_negative_one(app) {
        let mut h = hotel(&app).await;
        let finance = app.finance().await;
        grant(&app, &finance, h.org, 1_000_000, 30).await.expect_status(200);
        let (a, ta) = shipped_on_credit(&app, &h, 2).await;
        let finance = to_month_after(&app, &mut h, 0, 1).await;
        let first = statements(&app, &h.owner, h.org).await.uuid("0.id");
        pay_statement(&app, &finance, first, ta, "BANK-CN-1").await.expect_status(200);

        // Next month, part of that order is refunded: owed below zero, the identity still holds.
        let sub = app.order(a, &h.owner).await.part().id;
        let op = app.login_again(&app.operator().await).await;
        let r = app.http.post(app.url(&format!("/api/v1/sub-orders/{sub}/refunds")))
            .bearer_auth(&op.token).header("idempotency-key", "credit-note-refund")
            .json(&json!({"amount": 1000, "reason": "少了几枚"})).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let l = line(&app, &h.owner, h.org).await;
        assert_eq!((l.i64("outstanding_fen"), l.i64("available_fen")), (-1000, 1_001_000), "{}", l.text);
        let rec = app.get("/api/v1/credit/receivables", Some(&finance.token)).await;
        assert_eq!(rec.i64("charged_fen") - rec.i64("refunded_fen") - rec.i64("paid_fen"), rec.i64("outstanding_fen"), "{}", rec.text);

        // Its statement is a credit note: zero, paid, the credit carried on.
        let sum_of = |s: &Resp| -> i64 {
            s.arr("lines").iter().map(|l| match l.str("kind") {
                "refund" | "credit_brought" => -l.i64("amount_fen"),
                _ => l.i64("amount_fen"),
            }).sum()
        };
        to_month_after(&app, &mut h, 0, 1).await;
        let list = statements(&app, &h.owner, h.org).await;
        assert_eq!(list.len_of(""), 2, "{}", list.text);
        let note = app.get(&format!("/api/v1/credit/statements/{}", list.uuid("0.id")), Some(&h.owner.token)).await;
        assert_eq!((note.i64("total_fen"), note.i64("left_fen"), note.str("status")), (0, 0, "paid"), "{}", note.text);
        assert_eq!(sum_of(&note), 0, "{}", note.text);
        assert!(note.arr("lines").iter().any(|l| l.str("kind") == "credit_carried" && l.i64("amount_fen") == 1000), "{}", note.text);
        for s in list.arr("") {
            assert!(s.i64("total_fen") >= 0, "no statement below zero: {}", list.text);
        }

        // The next month with an order takes the credit off; a month of nothing bills nothing.
        let (_, tb) = shipped_on_credit(&app, &h, 1).await;
        let finance = to_month_after(&app, &mut h, 0, 1).await;
        let list = statements(&app, &h.owner, h.org).await;
        assert_eq!(list.len_of(""), 3, "{}", list.text);
        let third = app.get(&format!("/api/v1/credit/statements/{}", list.uuid("0.id")), Some(&h.owner.token)).await;
        assert_eq!((third.i64("charges_fen"), third.i64("total_fen")), (tb, tb - 1000), "{}", third.text);
        assert_eq!(sum_of(&third), tb - 1000, "the lines add up to the total: {}", third.text);
        pay_statement(&app, &finance, list.uuid("0.id"), tb - 1000, "BANK-CN-3").await.expect_status(200);
        let l = line(&app, &h.owner, h.org).await;
        assert_eq!(l.i64("outstanding_fen"), 0, "{}", l.text);
        to_month_after(&app, &mut h, 0, 1).await;
        assert_eq!(statements(&app, &h.owner, h.org).await.len_of(""), 3, "no statement of nothing");
        let rec = app.get("/api/v1/credit/receivables", Some(&app.login_again(&app.finance().await).await.token)).await;
        assert_eq!((rec.i64("charged_fen"), rec.i64("refunded_fen"), rec.i64("paid_fen"), rec.i64("outstanding_fen")),
                   (ta + tb, 1000, ta + tb - 1000, 0), "{}", rec.text);
    }

    async fn another_organisations_statements_are_not_found(app) {
        let mut h = hotel(&app).await;
        let other = app.business_buyer().await;
        grant(&app, &app.finance().await, h.org, 1_000_000, 30).await.expect_status(200);
        shipped_on_credit(&app, &h, 1).await;
        to_month_after(&app, &mut h, 0, 1).await;
        let id = statements(&app, &h.owner, h.org).await.uuid("0.id");
        let other = app.login_again(&other).await;
        let r = app.get(&format!("/api/v1/credit/statements/{id}"), Some(&other.token)).await;
        assert_eq!(r.status, 404, "{}", r.text);
        let r = app.get(&format!("/api/v1/orgs/{}/credit/statements", h.org), Some(&other.token)).await;
        assert_eq!(r.status, 404, "{}", r.text);
        let r = app.get("/api/v1/credit/receivables", Some(&other.token)).await;
        assert_eq!(r.status, 403, "{}", r.text);
    }

    async fn the_platforms_money_counts_orders_on_credit_as_received_and_says_how_much_is_owed(app) {
        let h = hotel(&app).await;
        let finance = app.finance().await;
        grant(&app, &finance, h.org, 1_000_000, 30).await.expect_status(200);
        let (a, ta) = order(&app, &h, 2).await;
        pay_on_credit(&app, &h.owner, a).await.expect_status(200);
        let (b, tb) = order(&app, &h, 1).await;
        app.confirm_transfer(b).await;
        let day = app.today_in_china();
        let m = app.get(&format!("/api/v1/platform/money?from={day}&to={day}"), Some(&finance.token)).await;
        m.expect_status(200);
        assert_eq!((m.i64("received"), m.i64("on_credit")), (ta + tb, ta), "{}", m.text);
        assert_eq!(
            m.i64("received"),
            m.i64("refunds.total") + m.i64("commission") + m.i64("owed") - m.i64("platform_expense") - m.i64("carrier_recourse"),
            "{}", m.text
        );
    }

    async fn a_purchasers_order_above_the_approval_limit_is_approved_before_it_is_paid_on_credit_and_staff_never_pay_on_credit(app) {
        let h = hotel(&app).await;
        app.put(&format!("/api/v1/orgs/{}/purchasing", h.org),
            json!({"buyer_kind": "hotel_restaurant", "approval_limit_fen": 5_000}), Some(&h.owner.token)).await.expect_status(200);
        grant(&app, &app.finance().await, h.org, 1_000_000, 30).await.expect_status(200);
        let purchaser = app.joined(&h.owner, h.org, "purchaser", "采购员小李").await;
        let staff = app.joined(&h.owner, h.org, "staff", "后厨小王").await;
        let big = app.checkout(&purchaser, &[(h.seller.sku, 3)], "offline").await;
        let r = pay_on_credit(&app, &purchaser, big.id).await;
        assert_eq!((r.status, r.code()), (409, "approval_pending"), "{}", r.text);
        assert_eq!(line(&app, &h.owner, h.org).await.i64("outstanding_fen"), 0);
        app.post(&format!("/api/v1/orders/{}/approve", big.id), json!({}), Some(&h.owner.token)).await.expect_status(200);
        pay_on_credit(&app, &purchaser, big.id).await.expect_status(200);
        assert_eq!(line(&app, &h.owner, h.org).await.i64("outstanding_fen"), big.total);
        let small = app.checkout(&staff, &[(h.seller.sku, 1)], "offline").await;
        let r = pay_on_credit(&app, &staff, small.id).await;
        assert_eq!(r.status, 403, "staff order but do not pay on credit: {}", r.text);
    }
}
