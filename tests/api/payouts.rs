//! Payouts through the real server: finance makes a batch of everything payable to sellers
//! with a verified account (the others held), exports it for the bank (CSV and XLSX, read back
//! cell by cell), marks each payout paid with the bank's reference or failed (its sub-orders
//! join the next batch); sellers see their payouts — and the wrong people, bad input and races.
//! Refunds after payout and what a payout takes back or gives back: `payout_adjustments.rs`.

use farmgate_tests::prelude::*;

pub(crate) const BATCHES: &str = "/api/v1/finance/payout-batches";

/// Yuan with two decimals from fen, as the bank file says it.
pub(crate) fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// What the settlement statement says is payable to `org` today (the payout must agree).
pub(crate) async fn statement_payable(app: &TestApp, org: Uuid, who: &Session) -> i64 {
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

pub(crate) async fn make_batch(app: &TestApp) -> Resp {
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
