//! Sellers' settlement bank accounts through the real server: the owner registers one, finance
//! verifies or rejects it, the number is shown whole to finance only, a change needs a code
//! sent to the owner's own phone and holds the seller's payouts until finance verifies it
//! again — and the wrong people, bad input and races each of those meets.

use farmgate_tests::prelude::*;

fn account_path(org: Uuid) -> String {
    format!("/api/v1/orgs/{org}/bank-account")
}

both_backends! {
    async fn an_owner_registers_an_account_and_only_finance_sees_its_number_whole(app) {
        let seller = app.seller_with_listing().await;
        let body = bank_account_body(&app, &seller.name);
        let number = body["account_no"].as_str().unwrap().to_owned();
        let last4 = &number[number.len() - 4..];

        let r = app.put(&account_path(seller.org), body.clone(), Some(&seller.owner.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("status"), "pending");
        assert_eq!(r.str("account_no"), format!("****{last4}"), "the owner sees it masked too");
        assert_eq!(r.i64("version"), 1);

        let finance = app.finance().await;
        let whole = app.get(&account_path(seller.org), Some(&finance.token)).await;
        whole.expect_status(200);
        assert_eq!(whole.str("account.account_no"), number);
        assert_eq!(whole.str("account.cnaps"), "103428070015");
        let op = app.operator().await;
        let masked = app.get(&account_path(seller.org), Some(&op.token)).await;
        masked.expect_status(200);
        assert_eq!(masked.str("account.account_no"), format!("****{last4}"));
        assert!(!masked.text.contains(&number), "the operator never sees the number: {}", masked.text);
        let own = app.get(&account_path(seller.org), Some(&seller.owner.token)).await;
        assert!(!own.text.contains(&number));
        assert_eq!(own.body["history"][0]["action"], "submitted");

        // The queue: finance only, numbers whole.
        let q = app.get("/api/v1/finance/bank-accounts?status=pending", Some(&finance.token)).await;
        q.expect_status(200);
        assert_eq!(q.i64("total"), 1);
        assert_eq!(q.body["items"][0]["account_no"], json!(number));
        for who in [&op, &seller.owner] {
            app.get("/api/v1/finance/bank-accounts", Some(&who.token)).await.expect_status(403);
        }
    }

    async fn nobody_but_the_owner_registers_and_nobody_outside_reads(app) {
        let seller = app.seller_with_listing().await;
        let other = app.seller_with_listing().await;
        let staff = app.member(&seller.owner, seller.org, "13900000311", "店员", "staff").await;
        let buyer = app.consumer().await;
        let finance = app.finance().await;
        let body = bank_account_body(&app, &seller.name);

        for who in [&staff, &other.owner, &buyer.session, &finance, &app.operator().await] {
            let r = app.put(&account_path(seller.org), body.clone(), Some(&who.token)).await;
            r.expect_status(403);
        }
        assert_eq!(app.count("seller_bank_accounts", "1=1").await, 0);
        // A business buyer's owner is not a seller.
        let shop = app.business_buyer().await;
        let shop_org: Uuid = app.get("/api/v1/orgs/mine", Some(&shop.token)).await.body[0]["id"].as_str().unwrap().parse().unwrap();
        let r = app.put(&account_path(shop_org), body.clone(), Some(&shop.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "not_a_seller");

        app.put(&account_path(seller.org), body, Some(&seller.owner.token)).await.expect_status(200);
        app.get(&account_path(seller.org), Some(&staff.token)).await.expect_status(200);
        for who in [&other.owner, &buyer.session] {
            app.get(&account_path(seller.org), Some(&who.token)).await.expect_status(403);
        }
        app.get(&account_path(seller.org), None).await.expect_status(401);
    }

    async fn a_malformed_or_oversized_account_is_refused_field_by_field(app) {
        let seller = app.seller_with_listing().await;
        let path = account_path(seller.org);
        let bad = json!({"account_name": "", "account_no": "6228-48O1-2345", "bank_name": "农行",
                         "branch": "x".repeat(61), "cnaps": "10342807001"});
        let r = app.put(&path, bad, Some(&seller.owner.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("account_name"), Some("required"));
        assert_eq!(r.field_code("account_no"), Some("not_digits"));
        assert_eq!(r.field_code("branch"), Some("too_long"));
        assert_eq!(r.field_code("cnaps"), Some("invalid_cnaps"));
        let mut short = bank_account_body(&app, &seller.name);
        short["account_no"] = json!("1234567");
        let r = app.put(&path, short, Some(&seller.owner.token)).await;
        assert_eq!(r.field_code("account_no"), Some("invalid_account_no"));
        let mut rtl = bank_account_body(&app, &seller.name);
        rtl["account_name"] = json!("合作社\u{202e}gnp.exe");
        assert_eq!(app.put(&path, rtl, Some(&seller.owner.token)).await.field_code("account_name"), Some("invisible_characters"));

        let r = app.send(app.http.put(app.url(&path)).bearer_auth(&seller.owner.token)
            .header("content-type", "application/json").body("{\"account_name\": ")).await;
        r.expect_status(400);
        let r = app.send(app.http.put(app.url(&path)).bearer_auth(&seller.owner.token)
            .header("content-type", "text/plain").body("hello")).await;
        r.expect_status(415);
        let mut huge = bank_account_body(&app, &seller.name);
        // Just over the 1 MiB limit: a body far larger is cut off mid-write when the server answers
        // 413 from its Content-Length (a broken pipe instead of the answer).
        huge["branch"] = json!("支".repeat(400_000));
        let r = app.put(&path, huge, Some(&seller.owner.token)).await;
        r.expect_status(413);
        assert_eq!(r.code(), "payload_too_large");
        app.put("/api/v1/orgs/not-a-uuid/bank-account", bank_account_body(&app, "x"), Some(&seller.owner.token)).await.expect_status(404);
        assert_eq!(app.count("seller_bank_accounts", "1=1").await, 0, "nothing stored");
    }

    async fn finance_verifies_the_version_it_read_once_and_rejects_with_a_reason(app) {
        let seller = app.seller_with_listing().await;
        let r = app.put(&account_path(seller.org), bank_account_body(&app, &seller.name), Some(&seller.owner.token)).await;
        let id = r.id();
        let finance = app.finance().await;
        let verify = format!("/api/v1/finance/bank-accounts/{id}/verify");

        for who in [&app.operator().await, &seller.owner, &app.agent().await] {
            app.post(&verify, json!({"version": 1}), Some(&who.token)).await.expect_status(403);
        }
        let stale = app.post(&verify, json!({"version": 2}), Some(&finance.token)).await;
        stale.expect_status(409);
        assert_eq!(stale.code(), "account_changed");
        app.post(&verify, json!({"version": "one"}), Some(&finance.token)).await.expect_status(422);
        let reject = format!("/api/v1/finance/bank-accounts/{id}/reject");
        let r = app.post(&reject, json!({"version": 1}), Some(&finance.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("reason"), Some("required"));

        // Twice at the same moment: one verification.
        let both = app.send_all(vec![
            app.http.post(app.url(&verify)).bearer_auth(&finance.token).json(&json!({"version": 1})),
            app.http.post(app.url(&verify)).bearer_auth(&finance.token).json(&json!({"version": 1})),
        ]).await;
        let mut statuses: Vec<u16> = both.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{:?}", both.iter().map(|r| &r.text).collect::<Vec<_>>());
        assert_eq!(app.count("seller_bank_account_changes", "action = 'verified'").await, 1);
        let r = app.post(&reject, json!({"version": 1, "reason": "户名与营业执照不符"}), Some(&finance.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "not_pending");
        app.post("/api/v1/finance/bank-accounts/0190a0a0-0000-7000-8000-000000000000/verify", json!({"version": 1}), Some(&finance.token)).await.expect_status(404);
    }

    async fn a_change_needs_the_owners_phone_code_and_a_rejected_account_says_why(app) {
        let seller = app.seller_with_listing().await;
        let first = app.verified_bank_account(&seller).await;
        let id = first["id"].as_str().unwrap().to_owned();
        let path = account_path(seller.org);
        let changed = bank_account_body(&app, &seller.name);

        let r = app.put(&path, changed.clone(), Some(&seller.owner.token)).await;
        r.expect_status(422);
        assert_eq!(r.code(), "code_required");
        let mut wrong = changed.clone();
        wrong["code"] = json!("000000");
        let _ = app.send_code(&seller.owner.phone, "bank_account", Some(&seller.owner.token)).await;
        let r = app.put(&path, wrong, Some(&seller.owner.token)).await;
        r.expect_status(422);
        assert!(["invalid_code", "code_expired"].contains(&r.code()), "{}", r.text);
        // The code goes to one's own phone only, and needs a session.
        let r = app.post("/api/v1/auth/codes", json!({"phone": "13800000002", "purpose": "bank_account"}), Some(&seller.owner.token)).await;
        r.expect_status(403);
        app.post("/api/v1/auth/codes", json!({"phone": seller.owner.phone, "purpose": "bank_account"}), None).await.expect_status(401);
        // A staff member's own code changes nothing: only the owner may.
        let staff = app.member(&seller.owner, seller.org, "13900000312", "店员", "staff").await;
        let staff_code = app.send_code(&staff.phone, "bank_account", Some(&staff.token)).await;
        let mut by_staff = changed.clone();
        by_staff["code"] = json!(staff_code);
        app.put(&path, by_staff, Some(&staff.token)).await.expect_status(403);

        let code = app.send_code(&seller.owner.phone, "bank_account", Some(&seller.owner.token)).await;
        let mut good = changed.clone();
        good["code"] = json!(code);
        let r = app.put(&path, good.clone(), Some(&seller.owner.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("status"), "pending");
        assert_eq!(r.i64("version"), 2);
        // The code is used up: a replay changes nothing more.
        let mut again = good.clone();
        again["account_no"] = json!("6228480399999999999");
        let r = app.put(&path, again, Some(&seller.owner.token)).await;
        r.expect_status(422);

        let finance = app.finance().await;
        let r = app.post(&format!("/api/v1/finance/bank-accounts/{id}/reject"), json!({"version": 2, "reason": "开户行与联行号不符"}), Some(&finance.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("status"), "rejected");
        let seen = app.get(&path, Some(&seller.owner.token)).await;
        assert_eq!(seen.str("account.reject_reason"), "开户行与联行号不符");
        let actions: Vec<&str> = seen.body["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["rejected", "changed", "verified", "submitted"]);
        assert!(!seen.text.contains(changed["account_no"].as_str().unwrap()), "history is masked for the owner");
    }
}
