//! Problem-customer restrictions (劣质客户, #18) through the real server: the operator applies
//! and lifts them with a reason (audited, kept), platform staff read them, and the rooms
//! enforce them — after-sales refuses a restricted buyer's claim without a waybill photo,
//! orders refuses a restricted buyer's offline payment at checkout. And the attacks: another
//! role, a seller, unknown kinds and accounts, a restriction lifted twice.

use farmgate_tests::prelude::*;

fn path(account: Uuid) -> String {
    format!("/api/v1/admin/accounts/{account}/restrictions")
}

async fn apply(app: &TestApp, op: &Session, account: Uuid, kind: &str) -> Resp {
    app.post(
        &path(account),
        json!({"kind": kind, "reason": "三个月内五次无面单照片索赔，经核实多为不实"}),
        Some(&op.token),
    )
    .await
}

both_backends! {
    async fn the_operator_lists_restrictions_in_force_with_names_and_who_applied_and_lifted_them(app) {
        let op = app.operator().await;
        let agent = app.agent().await;
        let buyer = app.consumer().named("孙小美").await;
        let other = app.consumer().named("周大强").await;

        let empty = app.get("/api/v1/admin/restrictions", Some(&op.token)).await;
        empty.expect_status(200);
        assert_eq!(empty.i64("total"), 0);
        // The list is the operator's: agents read one account's, never everybody's.
        for who in [&agent, &buyer] {
            app.get("/api/v1/admin/restrictions", Some(&who.token)).await.expect_status(403);
        }
        app.get("/api/v1/admin/restrictions", None).await.expect_status(401);
        app.get("/api/v1/admin/restrictions?active=maybe", Some(&op.token)).await.expect_status(400);
        app.get("/api/v1/admin/restrictions?limit=100000", Some(&op.token)).await.expect_status(400);

        let applied = apply(&app, &op, buyer.account_id, "claim_needs_waybill_photo").await;
        applied.expect_status(201);
        assert_eq!(applied.str("account_name"), "孙小美");
        assert!(applied.body["applied_by_name"].is_string(), "{}", applied.text);
        assert!(applied.body["lifted_by_name"].is_null());
        apply(&app, &op, other.account_id, "no_offline_payment").await.expect_status(201);
        let lift = format!("{}/no_offline_payment/lift", path(other.account_id));
        let lifted = app.post(&lift, json!({"reason": "申诉成立"}), Some(&op.token)).await;
        lifted.expect_status(200);
        assert_eq!(lifted.body["lifted_by_name"], applied.body["applied_by_name"]);

        // In force only, by default: the buyer's, with their name and full phone (operator).
        let list = app.get("/api/v1/admin/restrictions", Some(&op.token)).await;
        list.expect_status(200);
        assert_eq!(list.i64("total"), 1, "{}", list.text);
        assert_eq!(list.uuid("items.0.account_id"), buyer.account_id);
        assert_eq!(list.str("items.0.account_name"), "孙小美");
        assert_eq!(list.str("items.0.account_phone"), buyer.phone.as_str());
        // All of them, the lifted one with who lifted it and why.
        let all = app.get("/api/v1/admin/restrictions?active=false", Some(&op.token)).await;
        assert_eq!(all.i64("total"), 2);
        let gone = all.find("items", "account_id", other.account_id.to_string());
        assert!(!gone.bool("active"));
        assert_eq!(gone.str("lift_reason"), "申诉成立");

        // An agent reading one account sees the names but never the phone.
        let seen = app.get(&path(buyer.account_id), Some(&agent.token)).await;
        seen.expect_status(200);
        assert_eq!(seen.str("0.account_name"), "孙小美");
        assert!(seen.body[0].get("account_phone").is_none(), "{}", seen.text);
    }

    async fn the_operator_restricts_an_account_and_lifts_it_with_reasons_in_the_audit_log_and_the_record_kept(app) {
        let op = app.operator().await;
        let agent = app.agent().await;
        let buyer = app.consumer().await;
        let seller = app.seller_with_listing().await;

        // Nobody but the operator applies or lifts; platform staff read; a seller reads nothing.
        for who in [&agent, &seller.owner, &buyer] {
            let r = apply(&app, who, buyer.account_id, "no_offline_payment").await;
            assert_eq!(r.status, 403, "{}", r.text);
        }
        app.get(&path(buyer.account_id), Some(&seller.owner.token)).await.expect_status(403);
        app.get(&path(buyer.account_id), Some(&buyer.token)).await.expect_status(403);
        assert_eq!(app.count("account_restrictions", "1 = 1").await, 0, "nothing written");

        // Bad input: unknown kind, no reason, a reason too long, unknown account, not JSON-typed.
        let r = app.post(&path(buyer.account_id), json!({"kind": "no_breathing", "reason": "理由充分"}), Some(&op.token)).await;
        assert_eq!(r.status, 422, "{}", r.text);
        let r = app.post(&path(buyer.account_id), json!({"kind": "no_offline_payment", "reason": " "}), Some(&op.token)).await;
        r.expect_status(422);
        assert!(r.field("reason").is_some(), "{}", r.text);
        app.post(&path(buyer.account_id), json!({"kind": "no_offline_payment", "reason": "x".repeat(501)}), Some(&op.token)).await.expect_status(422);
        app.post(&path(buyer.account_id), json!({"kind": "no_offline_payment", "reason": 7}), Some(&op.token)).await.expect_status(422);
        apply(&app, &op, Uuid::now_v7(), "no_offline_payment").await.expect_status(404);
        app.get(&path(Uuid::now_v7()), Some(&op.token)).await.expect_status(404);
        assert_eq!(app.count("account_restrictions", "1 = 1").await, 0, "nothing half-written");

        // Applied; applied again (and twice at once) is the same one.
        let r = apply(&app, &op, buyer.account_id, "claim_needs_waybill_photo").await;
        r.expect_status(201);
        assert_eq!(r.str("kind"), "claim_needs_waybill_photo");
        assert!(r.bool("active"));
        let first = r.id();
        let again = apply(&app, &op, buyer.account_id, "claim_needs_waybill_photo").await;
        again.expect_status(200);
        assert_eq!(again.id(), first);
        let both = app.send_all(vec![
            app.http.post(app.url(&path(buyer.account_id))).bearer_auth(&op.token).json(&json!({"kind": "no_offline_payment", "reason": "多次货到付款拒收"})),
            app.http.post(app.url(&path(buyer.account_id))).bearer_auth(&op.token).json(&json!({"kind": "no_offline_payment", "reason": "多次货到付款拒收"})),
        ]).await;
        let mut statuses: Vec<u16> = both.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![200, 201], "{:?}", both.iter().map(|r| &r.text).collect::<Vec<_>>());
        assert_eq!(app.count("account_restrictions", "active_kind IS NOT NULL").await, 2);

        // The agent sees them (on the person's tickets).
        let list = app.get(&path(buyer.account_id), Some(&agent.token)).await;
        list.expect_status(200);
        assert_eq!(list.len_of(""), 2, "{}", list.text);

        // Lifted with a reason; lifting it again is not found; unknown kind not found.
        let lift = format!("{}/claim_needs_waybill_photo/lift", path(buyer.account_id));
        app.post(&lift, json!({"reason": "申诉成立"}), Some(&agent.token)).await.expect_status(403);
        app.post(&lift, json!({"reason": ""}), Some(&op.token)).await.expect_status(422);
        let r = app.post(&lift, json!({"reason": "申诉成立，解除限制"}), Some(&op.token)).await;
        r.expect_status(200);
        assert!(!r.bool("active"));
        assert_eq!(r.str("lift_reason"), "申诉成立，解除限制");
        app.post(&lift, json!({"reason": "申诉成立，解除限制"}), Some(&op.token)).await.expect_status(404);
        app.post(&format!("{}/no_breathing/lift", path(buyer.account_id)), json!({"reason": "理由充分"}), Some(&op.token)).await.expect_status(404);

        // Kept: the history has the lifted one too; the audit log names both moves.
        let list = app.get(&path(buyer.account_id), Some(&op.token)).await;
        assert_eq!(list.len_of(""), 2);
        let audit = app.get("/api/v1/admin/audit?limit=100", Some(&op.token)).await;
        audit.expect_status(200);
        let applied = audit.find("items", "action", "account.restriction.apply");
        assert_eq!(applied.uuid("target_id"), buyer.account_id);
        let lifted = audit.find("items", "action", "account.restriction.lift");
        assert_eq!(lifted.uuid("target_id"), buyer.account_id);

        // Applied anew after lifting: a new record.
        apply(&app, &op, buyer.account_id, "claim_needs_waybill_photo").await.expect_status(201);
        assert_eq!(app.count("account_restrictions", "1 = 1").await, 3);
    }

    async fn a_restricted_buyer_files_a_claim_only_with_a_waybill_photo_among_its_photos(app) {
        let op = app.operator().await;
        let parcel = app.received_order(3).await;
        let buyer = &parcel.buyer;
        let other = app.received_order(1).await;
        apply(&app, &op, buyer.account_id, "claim_needs_waybill_photo").await.expect_status(201);

        let parcel_photo = app.evidence_photo(buyer).await;
        let waybill = app.evidence_photo(buyer).await;
        let claims = format!("/api/v1/sub-orders/{}/claims", parcel.sub_order_id);
        let body = |photos: Vec<Uuid>, waybill: Option<Uuid>| {
            let mut b = json!({"kind": "damaged_in_transit", "description": "箱子被压扁，三个橙子破裂流汁",
                "lines": [{"line_id": parcel.line_id, "quantity": 1}], "photos": photos});
            if let Some(w) = waybill {
                b["waybill_photo"] = json!(w);
            }
            b
        };

        // Without the waybill photo: refused, nothing written.
        let r = app.post(&claims, body(vec![parcel_photo], None), Some(&buyer.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("waybill_photo"), Some("required"), "{}", r.text);
        // Naming a photo that is not among the claim's photos: refused.
        let r = app.post(&claims, body(vec![parcel_photo], Some(waybill)), Some(&buyer.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("waybill_photo"), Some("not_in_photos"), "{}", r.text);
        assert_eq!(app.count("claims", "1 = 1").await, 0, "nothing half-written");

        // An unrestricted buyer files as before, without naming one.
        let free = app.file_claim(&other.buyer, other.sub_order_id, other.line_id, 1, &[app.evidence_photo(&other.buyer).await]).await;
        free.expect_status(201);

        // With it: filed.
        let r = app.post(&claims, body(vec![parcel_photo, waybill], Some(waybill)), Some(&buyer.token)).await;
        r.expect_status(201);

        // Lifted: a claim without naming one goes through again.
        app.post(&format!("{}/claim_needs_waybill_photo/lift", path(buyer.account_id)), json!({"reason": "申诉成立"}), Some(&op.token)).await.expect_status(200);
        let r = app.post(&claims, body(vec![app.evidence_photo(buyer).await], None), Some(&buyer.token)).await;
        r.expect_status(201);
    }

    async fn a_restricted_buyer_cannot_pay_offline_or_on_delivery_but_can_pay_online(app) {
        let op = app.operator().await;
        let seller = app.seller_with_listing().await;
        let buyer = app.consumer().await;
        let other = app.consumer().await;
        apply(&app, &op, buyer.account_id, "no_offline_payment").await.expect_status(201);

        let orders_before = app.count("orders", "1 = 1").await;
        let r = app.post("/api/v1/orders", json!({"address_id": buyer.address, "payment_method": "offline", "items": [{"sku_id": seller.sku, "quantity": 1}]}), Some(&buyer.token)).await;
        r.expect_status(422);
        assert_eq!(r.field_code("payment_method"), Some("restricted"), "{}", r.text);
        assert_eq!(app.count("orders", "1 = 1").await, orders_before, "nothing written");

        // Online is fine; another buyer pays offline as before.
        app.checkout(&buyer, &[(seller.sku, 1)], "gateway").await;
        app.checkout(&other, &[(seller.sku, 1)], "offline").await;

        // Lifted: offline again.
        app.post(&format!("{}/no_offline_payment/lift", path(buyer.account_id)), json!({"reason": "已核实，恢复"}), Some(&op.token)).await.expect_status(200);
        app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;
    }
}
