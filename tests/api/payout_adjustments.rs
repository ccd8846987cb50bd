//! Refunds after payout through the real server: a refund charged to a seller after its
//! sub-order joined a payout is taken back from the seller's next payout (once, itemised, in
//! the bank file's 用途); a payout that fails lets the sub-order be paid again at its new value,
//! so what was taken back for it is voided — or, once another payout had netted it, given back
//! by a reversal the next payout credits. Across every such history the money adds up to the
//! fen. Who may read what the next payout takes back, and the races.

use super::payouts::{BATCHES, make_batch, statement_payable, yuan};
use farmgate_tests::prelude::*;

/// A seller with a verified settlement account, a buyer and finance: the cast of every story
/// here.
struct Cast {
    seller: SellerWithListing,
    buyer: Consumer,
    finance: Session,
}

async fn cast(app: &TestApp, name: &str, product: Product) -> Cast {
    let seller = app
        .verified_seller()
        .named(name)
        .with_listing(product)
        .await;
    app.verified_bank_account(&seller).await;
    Cast {
        seller,
        buyer: app.consumer().await,
        finance: app.finance().await,
    }
}

fn oranges() -> Product {
    Product::boxes("赣南脐橙 10斤装", 5990, 100)
}

/// The id of the `i`th payout of a batch.
fn payout_of(batch: &Resp, i: usize) -> String {
    batch.body["payouts"][i]["id"].as_str().unwrap().to_owned()
}

/// A batch that must be made; returns it.
async fn batch(app: &TestApp) -> Resp {
    let r = make_batch(app).await;
    r.expect_status(201);
    r
}

/// Finance marks a payout paid with the bank's reference.
async fn paid(app: &TestApp, payout: &str, reference: &str) {
    let finance = app.finance().await;
    app.post(
        &format!("/api/v1/finance/payouts/{payout}/paid"),
        json!({"reference": reference}),
        Some(&finance.token),
    )
    .await
    .expect_status(200);
}

/// Finance marks a payout failed with a reason; the answer.
async fn failed(app: &TestApp, payout: &str, reason: &str) -> Resp {
    let finance = app.finance().await;
    app.post(
        &format!("/api/v1/finance/payouts/{payout}/failed"),
        json!({"reason": reason}),
        Some(&finance.token),
    )
    .await
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

fn adjustments_path(org: Uuid) -> String {
    format!("/api/v1/orgs/{org}/payout-adjustments")
}

/// The platform's money for the last thirty Beijing days (every parcel of these stories).
async fn platform_money(app: &TestApp) -> Resp {
    let from = (app.clock.now() + chrono::Duration::hours(8) - chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let to = app.today_in_china();
    let m = app
        .get(
            &format!("/api/v1/platform/money?from={from}&to={to}"),
            Some(&app.finance().await.token),
        )
        .await;
    m.expect_status(200);
    m
}

/// Once every payout of the story is paid (`paid_out`, fen) and every window closed: the
/// seller was paid exactly what its statement says it is owed, nothing is left to take back or
/// give back, a batch finds nothing to pay, and received = refunds + commission + payouts +
/// pending + … to the fen.
async fn the_money_adds_up(app: &TestApp, c: &Cast, paid_out: i64) {
    assert_eq!(
        paid_out,
        statement_payable(app, c.seller.org, &c.seller.owner).await,
        "paid out = what the statement says is owed"
    );
    let open = app
        .get(&adjustments_path(c.seller.org), Some(&c.seller.owner.token))
        .await;
    assert_eq!(
        open.body,
        json!([]),
        "nothing left to take back or give back"
    );
    let none = make_batch(app).await;
    assert_eq!(
        (none.status, none.code()),
        (409, "nothing_to_pay"),
        "{}",
        none.text
    );
    let m = platform_money(app).await;
    assert_eq!(m.i64("pending"), 0);
    assert_eq!(
        m.i64("payable"),
        paid_out,
        "every payable fen paid out once"
    );
    assert_eq!(
        m.i64("received"),
        m.i64("refunds.total") + m.i64("commission") + paid_out + m.i64("pending")
            - m.i64("platform_expense")
            - m.i64("carrier_recourse"),
        "received = refunds + commission + payouts + pending − platform expense − carrier recourse: {}",
        m.text
    );
    assert_eq!(
        app.scalar("SELECT COALESCE(SUM(amount_fen), 0) FROM payouts WHERE status = 'paid'")
            .await,
        paid_out
    );
}

/// The history the reversal is for: payout P1 holds the first parcel; a refund on it is
/// recorded while P1 waits at the bank; a second parcel's payout P2 nets that refund. Returns
/// the parcels, P1, P2 and what was taken back (fen, < 0).
struct Netted {
    first: Uuid,
    second: Uuid,
    p1: String,
    p2: Value,
    taken: i64,
}

async fn refund_netted_before_the_payout_fails(app: &TestApp, c: &Cast, key: &str) -> Netted {
    let first = app.payable_parcel(&c.buyer, &c.seller, 3).await;
    let b1 = batch(app).await;
    let p1 = payout_of(&b1, 0);
    seller_refund(app, first, 1000, key).await;
    let taken = app
        .scalar("SELECT SUM(amount_fen) FROM payout_adjustments")
        .await;
    assert!(taken < 0, "taken back while P1 waits: {taken}");
    let second = app.payable_parcel(&c.buyer, &c.seller, 1).await;
    let b2 = batch(app).await;
    let p2 = b2.body["payouts"][0].clone();
    assert_eq!(p2["adjusted"].as_i64(), Some(taken), "{}", b2.text);
    assert_eq!(p2["adjustments"][0]["kind"], "refund");
    Netted {
        first,
        second,
        p1,
        p2,
        taken,
    }
}

both_backends! {
    async fn a_refund_after_payout_is_taken_back_from_the_next_payout_once(app) {
        let c = cast(&app, "青石县丁合作社", oranges()).await;
        let first = app.payable_parcel(&c.buyer, &c.seller, 3).await;
        let b1 = batch(&app).await;
        let paid_1 = b1.body["payouts"][0]["amount"].as_i64().unwrap();
        paid(&app, &payout_of(&b1, 0), "BANK-0001").await;
        assert_eq!(paid_1, statement_payable(&app, c.seller.org, &c.seller.owner).await);

        // A recall after the payout: ¥20 of the first parcel back to the buyer, the seller's to bear.
        seller_refund(&app, first, 2000, "after-payout-1").await;
        let owed_now = statement_payable(&app, c.seller.org, &c.seller.owner).await;
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
        app.payable_parcel(&c.buyer, &c.seller, 1).await;
        let b2 = batch(&app).await;
        let p2 = b2.body["payouts"][0].clone();
        let owed_total = statement_payable(&app, c.seller.org, &c.seller.owner).await;
        assert_eq!(p2["amount"].as_i64().unwrap(), owed_total - paid_1, "{}", b2.text);
        assert_eq!(p2["sub_order_count"], 1);
        assert_eq!(app.count("payout_adjustments", "payout_id IS NOT NULL").await, 1);
        // If the bank sends it back, the adjustment is open again and the next batch nets it.
        failed(&app, p2["id"].as_str().unwrap(), "账户冻结").await.expect_status(200);
        assert_eq!(app.count("payout_adjustments", "payout_id IS NULL").await, 1);
        let b3 = batch(&app).await;
        assert_eq!(b3.body["payouts"][0]["amount"].as_i64().unwrap(), owed_total - paid_1);
        paid(&app, &payout_of(&b3, 0), "BANK-0003").await;
        the_money_adds_up(&app, &c, owed_total).await;
    }

    async fn a_seller_who_owes_more_than_it_is_owed_is_held_until_it_is_not(app) {
        let c = cast(&app, "青石县戊家庭农场", Product::boxes("富硒大米 10公斤", 8800, 100)).await;
        let first = app.payable_parcel(&c.buyer, &c.seller, 2).await;
        let b1 = batch(&app).await;
        paid(&app, &payout_of(&b1, 0), "BANK-0002").await;
        // All of the first parcel back; the next parcel is worth less than that.
        seller_refund(&app, first, 2 * 8800, "after-payout-all").await;
        app.payable_parcel(&c.buyer, &c.seller, 1).await;
        let b2 = make_batch(&app).await;
        assert_eq!((b2.status, b2.code()), (409, "nothing_to_pay"), "{}", b2.text);
        assert_eq!(app.count("payout_adjustments", "payout_id IS NULL").await, 1, "still open");
    }

    async fn a_payout_itemises_the_refunds_it_takes_back_and_its_lines_less_them_make_its_amount(app) {
        let c = cast(&app, "青石县己合作社", oranges()).await;
        let (seller, buyer, finance) = (&c.seller, &c.buyer, &c.finance);
        let other = app.verified_seller().named("青石县庚合作社").with_listing(Product::boxes("富硒大米 10公斤", 8800, 100)).await;
        app.verified_bank_account(&other).await;
        let first = app.payable_parcel(buyer, seller, 3).await;
        let b1 = batch(&app).await;
        let p1 = payout_of(&b1, 0);
        assert_eq!(b1.body["payouts"][0]["adjusted"], 0);
        assert_eq!(b1.body["payouts"][0]["adjustments"], json!([]));
        paid(&app, &p1, "BANK-0101").await;

        // Two recalls after the payout, the seller's to bear; then more becomes payable.
        seller_refund(&app, first, 1500, "itemise-1").await;
        seller_refund(&app, first, 700, "itemise-2").await;
        // Before the next batch the seller sees what it will take back; another seller does not.
        let open = app.get(&adjustments_path(seller.org), Some(&seller.owner.token)).await;
        open.expect_status(200);
        assert_eq!(open.body.as_array().unwrap().len(), 2, "{}", open.text);
        assert_eq!(open.body[0]["reason"], "召回后退款");
        assert_eq!(open.body[0]["kind"], "refund");
        app.get(&adjustments_path(seller.org), Some(&other.owner.token)).await.expect_status(403);
        assert_eq!(app.get(&adjustments_path(seller.org), Some(&finance.token)).await.body, open.body);
        let second = app.payable_parcel(buyer, seller, 2).await;
        app.payable_parcel(buyer, &other, 1).await;
        let b2 = batch(&app).await;
        let none_open = app.get(&adjustments_path(seller.org), Some(&seller.owner.token)).await;
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
            assert_eq!((a["kind"].as_str(), a["failed_payout_id"].as_str()), (Some("refund"), None));
            assert!(a["amount"].as_i64().unwrap() < 0);
            assert!(a["refund_id"].as_str().is_some() && a["at"].as_str().is_some());
        }
        let adjusted: i64 = adjustments.iter().map(|a| a["amount"].as_i64().unwrap()).sum();
        assert_eq!(ours["adjusted"].as_i64().unwrap(), adjusted);
        assert_eq!(adjusted, app.scalar("SELECT SUM(amount_fen) FROM payout_adjustments").await);

        // One payout's page: its lines less what it takes back are its amount, for the seller and finance alike.
        let id = ours["id"].as_str().unwrap();
        for who in [&seller.owner, finance] {
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
        let in_batch = app.get(&format!("{BATCHES}/{batch_id}"), Some(&finance.token)).await;
        let in_batch = in_batch.body["payouts"].as_array().unwrap().iter().find(|p| p["id"] == json!(id)).unwrap().clone();
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
        failed(&app, id, "账户冻结").await.expect_status(200);
        let gone = app.get(&format!("/api/v1/payouts/{id}"), Some(&seller.owner.token)).await;
        assert_eq!((gone.body["adjusted"].as_i64(), gone.body["adjustments"].as_array().map(Vec::len)), (Some(0), Some(0)));
        let b3 = batch(&app).await;
        assert_eq!(b3.body["payouts"][0]["adjusted"].as_i64().unwrap(), adjusted);
        assert_eq!(b3.body["payouts"][0]["amount"], ours["amount"]);
    }

    async fn a_refund_while_the_payout_is_pending_and_the_payout_fails_is_taken_back_once(app) {
        let c = cast(&app, "青石县辛合作社", oranges()).await;
        let first = app.payable_parcel(&c.buyer, &c.seller, 3).await;
        let b1 = batch(&app).await;
        // Refunded while the payout waits at the bank: taken back if it is paid...
        seller_refund(&app, first, 1000, "pending-1").await;
        assert_eq!(app.count("payout_adjustments", "payout_id IS NULL").await, 1);
        // ...but it fails: the sub-order is paid again at its new value, and nothing more is taken.
        failed(&app, &payout_of(&b1, 0), "户名不符").await.expect_status(200);
        assert_eq!(app.count("payout_adjustments", "1=1").await, 0);
        let b2 = batch(&app).await;
        let p2 = &b2.body["payouts"][0];
        assert_eq!(p2["adjusted"], 0);
        assert_eq!(p2["amount"].as_i64().unwrap(), statement_payable(&app, c.seller.org, &c.seller.owner).await, "{}", b2.text);
        paid(&app, &payout_of(&b2, 0), "BANK-0201").await;
        the_money_adds_up(&app, &c, p2["amount"].as_i64().unwrap()).await;
    }
}

both_backends! {
    async fn a_refund_netted_into_a_second_payout_before_the_first_fails_is_given_back_once(app) {
        let c = cast(&app, "青石县壬合作社", oranges()).await;
        let n = refund_netted_before_the_payout_fails(&app, &c, "twice-1").await;
        // P1 fails: its parcel is payable again at its reduced value, so the refund P2 took
        // back is given back. Finance presses "failed" twice at once: one reversal.
        let url = app.url(&format!("/api/v1/finance/payouts/{}/failed", n.p1));
        let both = app.send_all(vec![
            app.http.post(&url).bearer_auth(&c.finance.token).json(&json!({"reason": "户名不符"})),
            app.http.post(&url).bearer_auth(&c.finance.token).json(&json!({"reason": "户名不符"})),
        ]).await;
        assert!(both.iter().all(|r| r.status == 200), "{:?}", both.iter().map(|r| &r.text).collect::<Vec<_>>());
        let again = failed(&app, &n.p1, "账户冻结").await;
        assert_eq!((again.status, again.code()), (409, "already_failed"));
        assert_eq!(app.count("payout_adjustments", "kind = 'reversal'").await, 1);
        assert_eq!(app.scalar("SELECT SUM(amount_fen) FROM payout_adjustments").await, 0, "taken back and given back");

        // The seller sees what its next payout gives back, and why.
        let open = app.get(&adjustments_path(c.seller.org), Some(&c.seller.owner.token)).await;
        open.expect_status(200);
        assert_eq!(open.body.as_array().unwrap().len(), 1, "{}", open.text);
        let r = &open.body[0];
        assert_eq!((r["kind"].as_str(), r["amount"].as_i64()), (Some("reversal"), Some(-n.taken)));
        assert_eq!((r["sub_order_id"].clone(), r["failed_payout_id"].clone()), (json!(n.first), json!(n.p1)));
        assert_eq!(r["reason"], "召回后退款");
        assert_eq!(r["refund_id"], n.p2["adjustments"][0]["refund_id"]);

        paid(&app, n.p2["id"].as_str().unwrap(), "BANK-0301").await;
        // The next payout pays the parcel at its new value and gives the refund back.
        let b3 = batch(&app).await;
        let p3 = b3.body["payouts"][0].clone();
        assert_eq!(p3["sub_order_count"], 1);
        assert_eq!(p3["adjusted"].as_i64(), Some(-n.taken));
        assert_eq!(p3["adjustments"][0]["kind"], "reversal");
        let one = app.get(&format!("/api/v1/payouts/{}", p3["id"].as_str().unwrap()), Some(&c.seller.owner.token)).await;
        assert_eq!(one.body["sub_orders"][0]["sub_order_id"], json!(n.first));
        let lines: i64 = one.body["sub_orders"].as_array().unwrap().iter().map(|l| l["payable"].as_i64().unwrap()).sum();
        assert_eq!(lines - n.taken, p3["amount"].as_i64().unwrap());
        let csv = app.http.get(app.url(&format!("{BATCHES}/{}/export?format=csv", b3.str("id")))).bearer_auth(&c.finance.token).send().await.unwrap();
        let text = String::from_utf8(csv.bytes().await.unwrap()[3..].to_vec()).unwrap();
        assert!(text.contains(&format!("退还多扣{}", yuan(-n.taken))), "{text}");
        paid(&app, p3["id"].as_str().unwrap(), "BANK-0302").await;

        let paid_out = n.p2["amount"].as_i64().unwrap() + p3["amount"].as_i64().unwrap();
        the_money_adds_up(&app, &c, paid_out).await;
        let _ = n.second;
    }

    async fn when_both_payouts_fail_the_refund_and_its_reversal_cancel_out(app) {
        let c = cast(&app, "青石县癸合作社", oranges()).await;
        let n = refund_netted_before_the_payout_fails(&app, &c, "both-1").await;
        failed(&app, &n.p1, "户名不符").await.expect_status(200);
        failed(&app, n.p2["id"].as_str().unwrap(), "账户冻结").await.expect_status(200);
        // Both open again: the refund and its reversal, which net to nothing.
        let open = app.get(&adjustments_path(c.seller.org), Some(&c.seller.owner.token)).await;
        let kinds: Vec<&str> = open.body.as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["refund", "reversal"], "{}", open.text);
        let b3 = batch(&app).await;
        let p3 = b3.body["payouts"][0].clone();
        assert_eq!((p3["sub_order_count"].as_i64(), p3["adjusted"].as_i64()), (Some(2), Some(0)), "{}", b3.text);
        assert_eq!(p3["adjustments"].as_array().unwrap().len(), 2, "itemised, though they cancel");
        paid(&app, p3["id"].as_str().unwrap(), "BANK-0401").await;
        the_money_adds_up(&app, &c, p3["amount"].as_i64().unwrap()).await;
        let _ = (n.first, n.second, n.taken);
    }

    async fn when_the_netting_payout_fails_first_the_refund_is_simply_voided(app) {
        let c = cast(&app, "青石县子合作社", oranges()).await;
        let n = refund_netted_before_the_payout_fails(&app, &c, "void-1").await;
        failed(&app, n.p2["id"].as_str().unwrap(), "账户冻结").await.expect_status(200);
        assert_eq!(app.count("payout_adjustments", "payout_id IS NULL").await, 1, "open again");
        failed(&app, &n.p1, "户名不符").await.expect_status(200);
        assert_eq!(app.count("payout_adjustments", "1=1").await, 0, "nobody took it back: void, nothing to reverse");
        let b3 = batch(&app).await;
        let p3 = b3.body["payouts"][0].clone();
        assert_eq!((p3["sub_order_count"].as_i64(), p3["adjusted"].as_i64()), (Some(2), Some(0)), "{}", b3.text);
        paid(&app, p3["id"].as_str().unwrap(), "BANK-0501").await;
        the_money_adds_up(&app, &c, p3["amount"].as_i64().unwrap()).await;
        let _ = (n.first, n.second, n.taken);
    }

    async fn a_later_refund_on_a_parcel_paid_again_is_taken_back_against_its_new_value(app) {
        let c = cast(&app, "青石县丑合作社", oranges()).await;
        let n = refund_netted_before_the_payout_fails(&app, &c, "later-1").await;
        failed(&app, &n.p1, "户名不符").await.expect_status(200);
        paid(&app, n.p2["id"].as_str().unwrap(), "BANK-0601").await;
        let b3 = batch(&app).await;
        let p3 = b3.body["payouts"][0].clone();
        paid(&app, p3["id"].as_str().unwrap(), "BANK-0602").await;
        // Another recall on the first parcel, now paid out again at its reduced value.
        seller_refund(&app, n.first, 500, "later-2").await;
        let open = app.get(&adjustments_path(c.seller.org), Some(&c.seller.owner.token)).await;
        assert_eq!(open.body.as_array().unwrap().len(), 1, "{}", open.text);
        assert_eq!(open.body[0]["kind"], "refund");
        app.payable_parcel(&c.buyer, &c.seller, 2).await;
        let b4 = batch(&app).await;
        let p4 = b4.body["payouts"][0].clone();
        paid(&app, p4["id"].as_str().unwrap(), "BANK-0603").await;
        let paid_out: i64 = [&n.p2, &p3, &p4].iter().map(|p| p["amount"].as_i64().unwrap()).sum();
        the_money_adds_up(&app, &c, paid_out).await;
    }

    async fn what_the_next_payout_takes_back_is_for_the_seller_finance_and_the_operator_only(app) {
        let c = cast(&app, "青石县寅合作社", oranges()).await;
        let other = app.seller_with_listing().await;
        let path = adjustments_path(c.seller.org);
        for who in [&c.seller.owner, &c.finance, &app.operator().await] {
            let r = app.get(&path, Some(&who.token)).await;
            r.expect_status(200);
            assert_eq!(r.body, json!([]));
        }
        // Another seller, a buyer, an after-sales agent, an official: forbidden.
        for who in [&other.owner, &c.buyer.session, &app.agent().await, &app.official().await] {
            let r = app.get(&path, Some(&who.token)).await;
            assert_eq!((r.status, r.code()), (403, "forbidden"), "{}", r.text);
        }
        // A seller asking about its neighbour's id is refused, not told it is empty.
        let r = app.get(&adjustments_path(other.org), Some(&c.seller.owner.token)).await;
        assert_eq!((r.status, r.code()), (403, "forbidden"));
        let r = app.get(&path, None).await;
        assert_eq!((r.status, r.code()), (401, "unauthenticated"));
        // Not an id, or no such organisation: not found, whoever asks.
        for bad in ["not-a-uuid", "1", &"9".repeat(300)] {
            let r = app.get(&format!("/api/v1/orgs/{bad}/payout-adjustments"), Some(&c.finance.token)).await;
            assert_eq!((r.status, r.code()), (404, "not_found"), "{bad}: {}", r.text);
        }
        let nobody = Uuid::now_v7();
        for who in [&c.finance, &app.operator().await] {
            let r = app.get(&adjustments_path(nobody), Some(&who.token)).await;
            assert_eq!((r.status, r.code()), (404, "not_found"), "{}", r.text);
        }
        let r = app.get(&adjustments_path(nobody), Some(&c.seller.owner.token)).await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "a seller learns nothing of other ids");
    }
}
