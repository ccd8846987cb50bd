//! Payouts through the real server: finance makes a batch of everything payable to sellers
//! with a verified account (the others held), exports it for the bank (CSV and XLSX, read back
//! cell by cell), marks each payout paid with the bank's reference or failed (its sub-orders
//! join the next batch); sellers see their payouts — and the wrong people, bad input and races.

use farmgate_tests::prelude::*;

const BATCHES: &str = "/api/v1/finance/payout-batches";

/// Yuan with two decimals from fen, as the bank file says it.
fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// What the settlement statement says is payable to `org` today (the payout must agree).
async fn statement_payable(app: &TestApp, org: Uuid, who: &Session) -> i64 {
    let from = (app.clock.now() + chrono::Duration::hours(8) - chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let to = app.today_in_china();
    let r = app
        .get(
            &format!("/api/v1/orgs/{org}/settlement?from={from}&to={to}"),
            Some(&who.token),
        )
        .await;
    r.expect_status(200);
    r.i64("totals.payable")
}

async fn make_batch(app: &TestApp) -> Resp {
    let finance = app.finance().await;
    app.post(
        BATCHES,
        json!({"period_end": app.today_in_china()}),
        Some(&finance.token),
    )
    .await
}

/// Two sellers with verified accounts and a payable parcel each, and one without an account.
struct World {
    /// In the order a batch lists them (by name).
    paid: Vec<SellerWithListing>,
    unpaid: SellerWithListing,
    /// The parcels of `paid[0]`, `paid[1]` and `unpaid`.
    subs: Vec<Uuid>,
}

async fn world(app: &TestApp) -> World {
    let a = app
        .verified_seller()
        .named("青石县甲合作社")
        .with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100))
        .await;
    let b = app
        .verified_seller()
        .named("青石县乙家庭农场")
        .with_listing(Product::boxes("高山云雾茶 250克", 12800, 100))
        .await;
    let c = app
        .verified_seller()
        .named("青石县丙专业大户")
        .with_listing(Product::boxes("富硒大米 10公斤", 8800, 100))
        .await;
    app.verified_bank_account(&a).await;
    app.verified_bank_account(&b).await;
    let buyer = app.consumer().await;
    let mut subs = Vec::new();
    for (s, q) in [(&a, 3), (&b, 1), (&c, 2)] {
        let parcel = app.received(&buyer, s, &[(s.sku, q)]).await;
        subs.push(parcel.sub_order_id);
    }
    app.clock.advance(chrono::Duration::days(4));
    // A batch lists its payouts in the order of the sellers' names (as stored: code points).
    let mut paid = vec![(a, subs[0]), (b, subs[1])];
    paid.sort_by(|x, y| x.0.name.cmp(&y.0.name));
    let subs = vec![paid[0].1, paid[1].1, subs[2]];
    World {
        paid: paid.into_iter().map(|(s, _)| s).collect(),
        unpaid: c,
        subs,
    }
}

both_backends! {
    async fn finance_pays_every_seller_with_a_verified_account_and_holds_the_rest(app) {
        let w = world(&app).await;
        let finance = app.finance().await;
        let r = make_batch(&app).await;
        r.expect_status(201);
        let batch = r.body.clone();
        assert!(batch["number"].as_str().unwrap().starts_with("PB"));
        let payouts = batch["payouts"].as_array().unwrap();
        assert_eq!(payouts.len(), 2);
        // In the order of the sellers' names, each for what its statement says is payable.
        let mut total = 0;
        for (p, s) in payouts.iter().zip(&w.paid) {
            assert_eq!(p["org_id"], json!(s.org));
            assert_eq!(p["status"], "pending");
            assert_eq!(p["sub_order_count"], 1);
            let owed = statement_payable(&app, s.org, &s.owner).await;
            assert!(owed > 0);
            assert_eq!(p["amount"].as_i64().unwrap(), owed);
            assert!(p["account_no"].as_str().unwrap().len() >= 19, "finance reads the number whole");
            total += owed;
        }
        assert_eq!(batch["total"].as_i64().unwrap(), total);
        let held = batch["held"].as_array().unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0]["org_id"], json!(w.unpaid.org));
        assert_eq!(held[0]["reason"], "no_account");
        assert_eq!(held[0]["amount"].as_i64().unwrap(), statement_payable(&app, w.unpaid.org, &w.unpaid.owner).await);

        // Nothing is paid twice: the next batch finds nothing for them.
        let again = make_batch(&app).await;
        again.expect_status(409);
        assert_eq!(again.code(), "nothing_to_pay");
        let id = batch["id"].as_str().unwrap();
        let one = app.get(&format!("{BATCHES}/{id}"), Some(&finance.token)).await;
        one.expect_status(200);
        assert_eq!(one.body["payouts"].as_array().unwrap().len(), 2);
        let list = app.get(BATCHES, Some(&finance.token)).await;
        assert_eq!(list.i64("total"), 1);
        assert_eq!(app.count("payout_lines", "active_sub_order_id IS NOT NULL").await, 2);
        let _ = w.subs;
    }

    async fn the_bank_files_read_back_cell_by_cell(app) {
        let w = world(&app).await;
        let finance = app.finance().await;
        let batch = make_batch(&app).await.body.clone();
        let id = batch["id"].as_str().unwrap();
        let number = batch["number"].as_str().unwrap();
        let mut expected = vec![vec!["序号", "收款账户名称", "收款账号", "收款银行", "开户行", "联行号", "金额", "用途"].into_iter().map(str::to_owned).collect::<Vec<_>>()];
        for (i, p) in batch["payouts"].as_array().unwrap().iter().enumerate() {
            expected.push(vec![
                (i + 1).to_string(),
                w.paid[i].name.clone(),
                p["account_no"].as_str().unwrap().to_owned(),
                "中国农业银行".to_owned(),
                "中国农业银行股份有限公司青石县支行".to_owned(),
                "103428070015".to_owned(),
                yuan(p["amount"].as_i64().unwrap()),
                format!("农源直供货款结算 {number}"),
            ]);
        }

        let csv = app.http.get(app.url(&format!("{BATCHES}/{id}/export?format=csv"))).bearer_auth(&finance.token).send().await.unwrap();
        assert_eq!(csv.status().as_u16(), 200);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(csv.headers()["content-disposition"].to_str().unwrap().contains(&format!("{number}.csv")));
        let bytes = csv.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a UTF-8 BOM");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.ends_with("\r\n"));
        let rows: Vec<Vec<String>> = text.trim_end_matches("\r\n").split("\r\n").map(|l| l.split(',').map(str::to_owned).collect()).collect();
        assert_eq!(rows, expected);

        let xlsx = app.http.get(app.url(&format!("{BATCHES}/{id}/export?format=xlsx"))).bearer_auth(&finance.token).send().await.unwrap();
        assert_eq!(xlsx.status().as_u16(), 200);
        let bytes = xlsx.bytes().await.unwrap();
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
        assert_eq!(book.sheet_names(), vec![number.to_owned()]);
        let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
        let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| match c {
            calamine::Data::String(s) => s.clone(),
            other => panic!("every cell is text, not {other:?}"),
        }).collect()).collect();
        assert_eq!(cells, expected);

        // Bad format, wrong people.
        app.get(&format!("{BATCHES}/{id}/export?format=pdf"), Some(&finance.token)).await.expect_status(400);
        for who in [&w.paid[0].owner, &app.operator().await] {
            app.get(&format!("{BATCHES}/{id}/export?format=csv"), Some(&who.token)).await.expect_status(403);
        }
    }

    async fn a_payout_is_paid_once_with_one_reference_and_its_seller_sees_it(app) {
        let w = world(&app).await;
        let finance = app.finance().await;
        let batch = make_batch(&app).await.body.clone();
        let payout = batch["payouts"][0]["id"].as_str().unwrap().to_owned();
        let paid = format!("/api/v1/finance/payouts/{payout}/paid");
        let seller = &w.paid[0];

        for who in [&seller.owner, &app.operator().await, &app.agent().await] {
            app.post(&paid, json!({"reference": "ABC"}), Some(&who.token)).await.expect_status(403);
        }
        let r = app.post(&paid, json!({"reference": ""}), Some(&finance.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("reference"), Some("required"));
        app.post(&paid, json!({"reference": "A B"}), Some(&finance.token)).await.expect_status(422);
        app.post(&paid, json!({"reference": "R".repeat(65)}), Some(&finance.token)).await.expect_status(422);
        app.post(&paid, json!({"ref": "X"}), Some(&finance.token)).await.expect_status(422);

        // Two references at the same moment: one wins, the other is told.
        let both = app.send_all(vec![
            app.http.post(app.url(&paid)).bearer_auth(&finance.token).json(&json!({"reference": "ICBC20261206001"})),
            app.http.post(app.url(&paid)).bearer_auth(&finance.token).json(&json!({"reference": "ICBC20261206999"})),
        ]).await;
        let winner: Vec<&Resp> = both.iter().filter(|r| r.status == 200).collect();
        assert_eq!(winner.len(), 1, "{:?}", both.iter().map(|r| &r.text).collect::<Vec<_>>());
        let loser = both.iter().find(|r| r.status != 200).unwrap();
        assert_eq!((loser.status, loser.code()), (409, "already_paid"));
        let reference = winner[0].str("bank_reference").to_owned();
        // The same reference again is no change; failing a paid payout is refused.
        let again = app.post(&paid, json!({"reference": reference}), Some(&finance.token)).await;
        again.expect_status(200);
        assert_eq!(again.str("status"), "paid");
        let r = app.post(&format!("/api/v1/finance/payouts/{payout}/failed"), json!({"reason": "退票"}), Some(&finance.token)).await;
        assert_eq!((r.status, r.code()), (409, "already_paid"));

        // The seller sees it paid, with the reference and the sub-order, the number masked.
        let mine = app.get(&format!("/api/v1/orgs/{}/payouts", seller.org), Some(&seller.owner.token)).await;
        mine.expect_status(200);
        assert_eq!(mine.i64("total"), 1);
        assert_eq!(mine.body["items"][0]["status"], "paid");
        assert_eq!(mine.body["items"][0]["bank_reference"], json!(reference));
        assert!(mine.body["items"][0]["account_no"].as_str().unwrap().starts_with("****"));
        let one = app.get(&format!("/api/v1/payouts/{payout}"), Some(&seller.owner.token)).await;
        one.expect_status(200);
        assert_eq!(one.body["sub_orders"][0]["sub_order_id"], json!(w.subs[0]));
        assert_eq!(one.body["sub_orders"][0]["payable"], batch["payouts"][0]["amount"]);
        // Another seller sees neither.
        let other = &w.paid[1];
        app.get(&format!("/api/v1/payouts/{payout}"), Some(&other.owner.token)).await.expect_status(404);
        app.get(&format!("/api/v1/orgs/{}/payouts", seller.org), Some(&other.owner.token)).await.expect_status(403);
        app.get(&format!("/api/v1/orgs/{}/payouts?limit=500", seller.org), Some(&seller.owner.token)).await.expect_status(400);
    }

    async fn a_failed_payout_returns_its_sub_orders_to_the_next_batch(app) {
        let w = world(&app).await;
        let finance = app.finance().await;
        let first = make_batch(&app).await.body.clone();
        let payout = first["payouts"][1]["id"].as_str().unwrap().to_owned();
        let failed = format!("/api/v1/finance/payouts/{payout}/failed");
        app.post(&failed, json!({"reason": "x"}), Some(&finance.token)).await.expect_status(422);
        let r = app.post(&failed, json!({"reason": "收款账户已冻结"}), Some(&finance.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("status"), "failed");
        app.post(&failed, json!({"reason": "收款账户已冻结"}), Some(&finance.token)).await.expect_status(200);
        let r = app.post(&format!("/api/v1/finance/payouts/{payout}/paid"), json!({"reference": "R1"}), Some(&finance.token)).await;
        assert_eq!((r.status, r.code()), (409, "already_failed"));

        let second = make_batch(&app).await;
        second.expect_status(201);
        let payouts = second.body["payouts"].as_array().unwrap();
        assert_eq!(payouts.len(), 1);
        assert_eq!(payouts[0]["org_id"], json!(w.paid[1].org));
        assert_eq!(payouts[0]["amount"], first["payouts"][1]["amount"]);
        assert_ne!(second.str("number"), first["number"].as_str().unwrap());
        let seen = app.get(&format!("/api/v1/orgs/{}/payouts", w.paid[1].org), Some(&w.paid[1].owner.token)).await;
        let statuses: Vec<&str> = seen.body["items"].as_array().unwrap().iter().map(|p| p["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["pending", "failed"]);
    }

    async fn two_finance_staff_making_a_batch_at_once_pay_each_sub_order_once(app) {
        let w = world(&app).await;
        let finance = app.finance().await;
        let second = app.staff("13900000903", farmgate_identity::PlatformRole::Finance).await;
        let body = json!({"period_end": app.today_in_china()});
        let both = app.send_all(vec![
            app.http.post(app.url(BATCHES)).bearer_auth(&finance.token).json(&body),
            app.http.post(app.url(BATCHES)).bearer_auth(&second.token).json(&body),
        ]).await;
        let mut statuses: Vec<u16> = both.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "{:?}", both.iter().map(|r| &r.text).collect::<Vec<_>>());
        assert_eq!(app.count("payout_batches", "1=1").await, 1);
        assert_eq!(app.count("payouts", "1=1").await, 2);
        assert_eq!(app.count("payout_lines", "1=1").await, 2);
        // The database itself refuses a second active line for a sub-order.
        use sea_orm::{ConnectionTrait, DbBackend, Statement};
        let db = &app.state.infra.db;
        let backend = db.get_database_backend();
        let marks = if backend == DbBackend::Postgres { "$1, $2, $3" } else { "?, ?, ?" };
        let dup = db.execute_raw(Statement::from_sql_and_values(backend,
            format!("INSERT INTO payout_lines (payout_id, sub_order_id, active_sub_order_id, number, total_fen, refunded_fen, commission_fen, payable_fen) VALUES ({marks}, 'X', 1, 0, 0, 1)"),
            [Uuid::now_v7().into(), w.subs[0].into(), w.subs[0].into()])).await;
        assert!(dup.is_err(), "a sub-order in two active payouts");
    }

    async fn only_finance_makes_batches_for_a_closed_period(app) {
        let seller = app.seller_with_listing().await;
        app.verified_bank_account(&seller).await;
        let buyer = app.consumer().await;
        // Received, but the window is still open: nothing to pay.
        app.received(&buyer, &seller, &[(seller.sku, 1)]).await;
        let r = make_batch(&app).await;
        assert_eq!((r.status, r.code()), (409, "nothing_to_pay"));
        app.clock.advance(chrono::Duration::days(4));

        let body = json!({"period_end": app.today_in_china()});
        for who in [&seller.owner, &app.operator().await, &app.agent().await, &buyer.session] {
            app.post(BATCHES, body.clone(), Some(&who.token)).await.expect_status(403);
            app.get(BATCHES, Some(&who.token)).await.expect_status(403);
        }
        let official = app.official().await;
        app.post(BATCHES, body.clone(), Some(&official.token)).await.expect_status(403);
        app.post(BATCHES, body.clone(), None).await.expect_status(401);
        let finance = app.finance().await;
        let tomorrow = (app.clock.now() + chrono::Duration::hours(8) + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
        let r = app.post(BATCHES, json!({"period_end": tomorrow}), Some(&finance.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("period_end"), Some("in_future"));
        app.post(BATCHES, json!({"period_end": "2026-13-45"}), Some(&finance.token)).await.expect_status(422);
        app.post(BATCHES, json!({}), Some(&finance.token)).await.expect_status(422);
        // A period that ended before the window closed pays nothing yet.
        let last_week = (app.clock.now() + chrono::Duration::hours(8) - chrono::Duration::days(7)).format("%Y-%m-%d").to_string();
        let r = app.post(BATCHES, json!({"period_end": last_week}), Some(&finance.token)).await;
        assert_eq!((r.status, r.code()), (409, "nothing_to_pay"));
        app.post(BATCHES, body, Some(&finance.token)).await.expect_status(201);
        app.get(&format!("{BATCHES}/0190a0a0-0000-7000-8000-000000000000"), Some(&finance.token)).await.expect_status(404);
    }

    async fn a_changed_account_holds_the_sellers_payouts_until_finance_verifies_it(app) {
        let seller = app.seller_with_listing().await;
        let first = app.verified_bank_account(&seller).await;
        let other = app.seller_with_listing().await;
        app.verified_bank_account(&other).await;
        let buyer = app.consumer().await;
        app.received(&buyer, &seller, &[(seller.sku, 1)]).await;
        app.received(&buyer, &other, &[(other.sku, 1)]).await;
        app.clock.advance(chrono::Duration::days(4));

        let code = app.send_code(&seller.owner.phone, "bank_account", Some(&seller.owner.token)).await;
        let mut changed = bank_account_body(&app, &seller.name);
        changed["code"] = json!(code);
        app.put(&format!("/api/v1/orgs/{}/bank-account", seller.org), changed, Some(&seller.owner.token)).await.expect_status(200);

        let r = make_batch(&app).await;
        r.expect_status(201);
        assert_eq!(r.body["payouts"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["payouts"][0]["org_id"], json!(other.org));
        assert_eq!(r.body["held"][0]["org_id"], json!(seller.org));
        assert_eq!(r.body["held"][0]["reason"], "account_pending");

        let finance = app.finance().await;
        let id = first["id"].as_str().unwrap();
        app.post(&format!("/api/v1/finance/bank-accounts/{id}/verify"), json!({"version": 2}), Some(&finance.token)).await.expect_status(200);
        let r = make_batch(&app).await;
        r.expect_status(201);
        assert_eq!(r.body["payouts"][0]["org_id"], json!(seller.org));
        assert_ne!(r.body["payouts"][0]["account_no"], first["account_no"], "paid to the new account");
    }
}

/// The operator refunds `amount` of a sub-order, charged to its seller.
async fn seller_refund(app: &TestApp, sub: Uuid, amount: i64, key: &str) {
    let operator = app.operator().await;
    let req = app
        .http
        .post(app.url(&format!("/api/v1/sub-orders/{sub}/refunds")))
        .bearer_auth(&operator.token)
        .header("idempotency-key", key)
        .json(&json!({"amount": amount, "reason": "召回后退款"}));
    app.send(req).await.expect_status(200);
    app.outbox_drained().await;
}

both_backends! {
    async fn a_refund_after_payout_is_taken_back_from_the_next_payout_once(app) {
        let seller = app.verified_seller().named("青石县丁合作社").with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100)).await;
        app.verified_bank_account(&seller).await;
        let buyer = app.consumer().await;
        let finance = app.finance().await;
        let first = app.payable_parcel(&buyer, &seller, 3).await;
        let b1 = make_batch(&app).await;
        b1.expect_status(201);
        let p1 = b1.body["payouts"][0].clone();
        let paid = app.post(&format!("/api/v1/finance/payouts/{}/paid", p1["id"].as_str().unwrap()), json!({"reference": "BANK-0001"}), Some(&finance.token)).await;
        paid.expect_status(200);
        let paid_1 = p1["amount"].as_i64().unwrap();
        assert_eq!(paid_1, statement_payable(&app, seller.org, &seller.owner).await);

        // A recall after the payout: ¥20 of the first parcel back to the buyer, the seller's to bear.
        seller_refund(&app, first, 2000, "after-payout-1").await;
        let owed_now = statement_payable(&app, seller.org, &seller.owner).await;
        let taken_back = owed_now - paid_1;
        assert!(taken_back < 0, "the statement says the seller now owes back {taken_back}");
        assert_eq!(app.scalar("SELECT SUM(amount_fen) FROM payout_adjustments").await, taken_back);
        // The same event delivered again counts once.
        {
            use sea_orm::ConnectionTrait;
            app.state.infra.db.execute_unprepared("UPDATE outbox_events SET delivered_at = NULL, attempts = 0 WHERE topic = 'orders.refunded'").await.unwrap();
            app.state.infra.db.execute_unprepared("DELETE FROM outbox_deliveries WHERE handler = 'finance-refund-after-payout'").await.unwrap();
        }
        app.outbox_drained().await;
        assert_eq!(app.count("payout_adjustments", "1=1").await, 1);

        // Nothing else payable yet: a batch has nothing to pay (the adjustment waits).
        let none = make_batch(&app).await;
        assert_eq!((none.status, none.code()), (409, "nothing_to_pay"));
        // A second parcel becomes payable: its payout is what it is worth less what was taken back.
        let second = app.payable_parcel(&buyer, &seller, 1).await;
        let b2 = make_batch(&app).await;
        b2.expect_status(201);
        let p2 = b2.body["payouts"][0].clone();
        let owed_total = statement_payable(&app, seller.org, &seller.owner).await;
        assert_eq!(p2["amount"].as_i64().unwrap(), owed_total - paid_1, "{}", b2.text);
        assert_eq!(p2["sub_order_count"], 1);
        assert_eq!(app.count("payout_adjustments", "payout_id IS NOT NULL").await, 1);
        // If the bank sends it back, the adjustment is open again and the next batch nets it.
        let failed = app.post(&format!("/api/v1/finance/payouts/{}/failed", p2["id"].as_str().unwrap()), json!({"reason": "账户冻结"}), Some(&finance.token)).await;
        failed.expect_status(200);
        assert_eq!(app.count("payout_adjustments", "payout_id IS NULL").await, 1);
        let b3 = make_batch(&app).await;
        b3.expect_status(201);
        assert_eq!(b3.body["payouts"][0]["amount"].as_i64().unwrap(), owed_total - paid_1);
        let _ = second;
    }

    async fn a_seller_who_owes_more_than_it_is_owed_is_held_until_it_is_not(app) {
        let seller = app.verified_seller().named("青石县戊家庭农场").with_listing(Product::boxes("富硒大米 10公斤", 8800, 100)).await;
        app.verified_bank_account(&seller).await;
        let buyer = app.consumer().await;
        let finance = app.finance().await;
        let first = app.payable_parcel(&buyer, &seller, 2).await;
        let b1 = make_batch(&app).await;
        b1.expect_status(201);
        let id = b1.body["payouts"][0]["id"].as_str().unwrap().to_owned();
        app.post(&format!("/api/v1/finance/payouts/{id}/paid"), json!({"reference": "BANK-0002"}), Some(&finance.token)).await.expect_status(200);
        // All of the first parcel back; the next parcel is worth less than that.
        seller_refund(&app, first, 2 * 8800, "after-payout-all").await;
        app.payable_parcel(&buyer, &seller, 1).await;
        let b2 = make_batch(&app).await;
        assert_eq!((b2.status, b2.code()), (409, "nothing_to_pay"), "{}", b2.text);
        assert_eq!(app.count("payout_adjustments", "payout_id IS NULL").await, 1, "still open");
    }

    async fn a_payout_itemises_the_refunds_it_takes_back_and_its_lines_less_them_make_its_amount(app) {
        let seller = app.verified_seller().named("青石县己合作社").with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100)).await;
        let other = app.verified_seller().named("青石县庚合作社").with_listing(Product::boxes("富硒大米 10公斤", 8800, 100)).await;
        app.verified_bank_account(&seller).await;
        app.verified_bank_account(&other).await;
        let buyer = app.consumer().await;
        let finance = app.finance().await;
        let first = app.payable_parcel(&buyer, &seller, 3).await;
        let b1 = make_batch(&app).await;
        b1.expect_status(201);
        let p1 = b1.body["payouts"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(b1.body["payouts"][0]["adjusted"], 0);
        assert_eq!(b1.body["payouts"][0]["adjustments"], json!([]));
        app.post(&format!("/api/v1/finance/payouts/{p1}/paid"), json!({"reference": "BANK-0101"}), Some(&finance.token)).await.expect_status(200);

        // Two recalls after the payout, the seller's to bear; then more becomes payable.
        seller_refund(&app, first, 1500, "itemise-1").await;
        seller_refund(&app, first, 700, "itemise-2").await;
        // Before the next batch the seller sees what it will take back; another seller does not.
        let open = app.get(&format!("/api/v1/orgs/{}/payout-adjustments", seller.org), Some(&seller.owner.token)).await;
        open.expect_status(200);
        assert_eq!(open.body.as_array().unwrap().len(), 2, "{}", open.text);
        assert_eq!(open.body[0]["reason"], "召回后退款");
        app.get(&format!("/api/v1/orgs/{}/payout-adjustments", seller.org), Some(&other.owner.token)).await.expect_status(403);
        assert_eq!(app.get(&format!("/api/v1/orgs/{}/payout-adjustments", seller.org), Some(&finance.token)).await.body, open.body);
        let second = app.payable_parcel(&buyer, &seller, 2).await;
        app.payable_parcel(&buyer, &other, 1).await;
        let b2 = make_batch(&app).await;
        b2.expect_status(201);
        let none_open = app.get(&format!("/api/v1/orgs/{}/payout-adjustments", seller.org), Some(&seller.owner.token)).await;
        assert_eq!(none_open.body, json!([]), "netted into the new payout");
        let batch_id = b2.body["id"].as_str().unwrap().to_owned();
        let number = b2.body["number"].as_str().unwrap().to_owned();
        let ours = b2.body["payouts"].as_array().unwrap().iter().find(|p| p["org_id"] == json!(seller.org)).unwrap().clone();
        let theirs = b2.body["payouts"].as_array().unwrap().iter().find(|p| p["org_id"] == json!(other.org)).unwrap().clone();
        assert_eq!(theirs["adjustments"], json!([]), "another seller's refunds are not netted into its payout");
        let adjustments = ours["adjustments"].as_array().unwrap();
        assert_eq!(adjustments.len(), 2, "{}", b2.text);
        let paid_first = app.get(&format!("/api/v1/payouts/{p1}"), Some(&seller.owner.token)).await;
        let first_number = paid_first.body["sub_orders"][0]["number"].as_str().unwrap().to_owned();
        assert_eq!(paid_first.body["sub_orders"][0]["sub_order_id"], json!(first));
        for a in adjustments {
            assert_eq!(a["sub_order_id"], json!(first));
            assert_eq!(a["sub_order_number"], json!(first_number));
            assert_eq!(a["reason"], "召回后退款");
            assert!(a["amount"].as_i64().unwrap() < 0);
            assert!(a["refund_id"].as_str().is_some() && a["at"].as_str().is_some());
        }
        let adjusted: i64 = adjustments.iter().map(|a| a["amount"].as_i64().unwrap()).sum();
        assert_eq!(ours["adjusted"].as_i64().unwrap(), adjusted);
        assert_eq!(adjusted, app.scalar("SELECT SUM(amount_fen) FROM payout_adjustments").await);

        // One payout's page: its lines less what it takes back are its amount, for the seller and finance alike.
        let id = ours["id"].as_str().unwrap();
        for who in [&seller.owner, &finance] {
            let one = app.get(&format!("/api/v1/payouts/{id}"), Some(&who.token)).await;
            one.expect_status(200);
            let lines: i64 = one.body["sub_orders"].as_array().unwrap().iter().map(|l| l["payable"].as_i64().unwrap()).sum();
            assert_eq!(one.body["sub_orders"][0]["sub_order_id"], json!(second));
            assert_eq!(one.body["adjustments"].as_array().unwrap().len(), 2);
            assert_eq!(lines + one.body["adjusted"].as_i64().unwrap(), one.body["amount"].as_i64().unwrap(), "{}", one.text);
            assert_eq!(one.body["amount"], ours["amount"]);
        }
        // The seller's list and finance's batch carry them too; the other seller cannot see them.
        let list = app.get(&format!("/api/v1/orgs/{}/payouts", seller.org), Some(&seller.owner.token)).await;
        list.expect_status(200);
        assert_eq!(list.body["items"][0]["adjusted"].as_i64().unwrap(), adjusted);
        assert_eq!(list.body["items"][1]["adjustments"], json!([]), "the first payout took nothing back");
        let batch = app.get(&format!("{BATCHES}/{batch_id}"), Some(&finance.token)).await;
        let in_batch = batch.body["payouts"].as_array().unwrap().iter().find(|p| p["id"] == json!(id)).unwrap().clone();
        assert_eq!(in_batch["adjustments"], ours["adjustments"]);
        app.get(&format!("/api/v1/payouts/{id}"), Some(&other.owner.token)).await.expect_status(404);

        // The bank file says why the amount is less.
        let csv = app.http.get(app.url(&format!("{BATCHES}/{batch_id}/export?format=csv"))).bearer_auth(&finance.token).send().await.unwrap();
        let text = String::from_utf8(csv.bytes().await.unwrap()[3..].to_vec()).unwrap();
        let row = text.split("\r\n").find(|l| l.contains(&seller.name)).unwrap().to_owned();
        assert!(row.ends_with(&format!(",{},农源直供货款结算 {number} 扣回退款{}", yuan(ours["amount"].as_i64().unwrap()), yuan(-adjusted))), "{row}");
        let row = text.split("\r\n").find(|l| l.contains(&other.name)).unwrap().to_owned();
        assert!(row.ends_with(&format!(",农源直供货款结算 {number}")), "{row}");

        // Failed at the bank: the refunds are open again, and the next payout itemises them.
        app.post(&format!("/api/v1/finance/payouts/{id}/failed"), json!({"reason": "账户冻结"}), Some(&finance.token)).await.expect_status(200);
        let failed = app.get(&format!("/api/v1/payouts/{id}"), Some(&seller.owner.token)).await;
        assert_eq!((failed.body["adjusted"].as_i64(), failed.body["adjustments"].as_array().map(Vec::len)), (Some(0), Some(0)));
        let b3 = make_batch(&app).await;
        b3.expect_status(201);
        assert_eq!(b3.body["payouts"][0]["adjusted"].as_i64().unwrap(), adjusted);
        assert_eq!(b3.body["payouts"][0]["amount"], ours["amount"]);
    }

    async fn a_refund_while_the_payout_is_pending_and_the_payout_fails_is_taken_back_once(app) {
        let seller = app.verified_seller().named("青石县辛合作社").with_listing(Product::boxes("赣南脐橙 10斤装", 5990, 100)).await;
        app.verified_bank_account(&seller).await;
        let buyer = app.consumer().await;
        let finance = app.finance().await;
        let first = app.payable_parcel(&buyer, &seller, 3).await;
        let b1 = make_batch(&app).await;
        b1.expect_status(201);
        let p1 = b1.body["payouts"][0]["id"].as_str().unwrap().to_owned();
        // Refunded while the payout waits at the bank: taken back if it is paid...
        seller_refund(&app, first, 1000, "pending-1").await;
        assert_eq!(app.count("payout_adjustments", "payout_id IS NULL").await, 1);
        // ...but it fails: the sub-order is paid again at its new value, and nothing more is taken.
        app.post(&format!("/api/v1/finance/payouts/{p1}/failed"), json!({"reason": "户名不符"}), Some(&finance.token)).await.expect_status(200);
        assert_eq!(app.count("payout_adjustments", "1=1").await, 0);
        let b2 = make_batch(&app).await;
        b2.expect_status(201);
        let p2 = &b2.body["payouts"][0];
        assert_eq!(p2["adjusted"], 0);
        assert_eq!(p2["amount"].as_i64().unwrap(), statement_payable(&app, seller.org, &seller.owner).await, "{}", b2.text);
    }
}
