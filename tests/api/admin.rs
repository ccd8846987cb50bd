//! The operator's verification queue, the audit log, platform roles — and that officials only
//! read.

use farmgate_identity::PlatformRole;
use farmgate_tests::prelude::*;

both_backends! {
    async fn the_queue_lists_pending_organisations_oldest_first_with_the_owner(app) {
        let op = app.operator().await;
        let a = app.register("13800000001", "李国强").await;
        let b = app.register("13800000004", "王秀英").await;
        let first = app.create_org(&a, "cooperative", "梅岭脐橙专业合作社").await;
        app.clock.advance(chrono::Duration::minutes(1));
        let second = app.create_org(&b, "family_farm", "白云山土鸡家庭农场").await;
        let r = app.get("/api/v1/admin/orgs?status=pending", Some(&op.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["total"], 2);
        assert_eq!(r.body["items"][0]["id"], first.to_string());
        assert_eq!(r.body["items"][1]["id"], second.to_string());
        assert_eq!(r.body["items"][0]["owner"]["phone"], "13800000001", "the operator sees the owner's phone to call them");
        let r = app.get("/api/v1/admin/orgs?status=pending&kind=family_farm", Some(&op.token)).await;
        assert_eq!(r.body["total"], 1);
        let r = app.get("/api/v1/admin/orgs?q=土鸡", Some(&op.token)).await;
        assert_eq!(r.body["total"], 1);
        let r = app.get("/api/v1/admin/orgs?status=pending&limit=1&offset=1", Some(&op.token)).await;
        assert_eq!(r.len_of("items"), 1);
        assert_eq!(r.body["items"][0]["id"], second.to_string());
    }

    async fn the_operator_verifies_and_the_seller_can_then_sell(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let org_id = farmgate_kernel::id::OrgId(org);
        assert!(app.state.identity.ensure_can_sell(org_id).await.is_err(), "pending sellers cannot sell");
        let r = app.post_empty(&format!("/api/v1/admin/orgs/{org}/verify"), Some(&op.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["status"], "verified");
        assert!(r.body["verified_at"].is_string());
        assert!(app.state.identity.ensure_can_sell(org_id).await.is_ok());
        let again = app.post_empty(&format!("/api/v1/admin/orgs/{org}/verify"), Some(&op.token)).await;
        again.expect_status(409);
        assert_eq!(again.code(), "invalid_state");
        let audit = app.get("/api/v1/admin/audit", Some(&op.token)).await;
        audit.expect_status(200);
        let entry = audit.find("items", "action", "org.verify");
        assert_eq!(entry.uuid("target_id"), org);
        assert_eq!(entry.str("actor_name"), "平台运营");
        assert_eq!(entry.str("ip"), "127.0.0.1", "the audit log records where from");
        assert!(entry.at("request_id").is_string());
    }

    async fn a_rejection_needs_a_reason_the_seller_then_reads_and_fixes(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let r = app.post(&format!("/api/v1/admin/orgs/{org}/reject"), json!({"reason": " "}), Some(&op.token)).await;
        r.expect_status(422);
        assert!(r.field("reason").is_some(), "{}", r.text);
        let r = app.post(&format!("/api/v1/admin/orgs/{org}/reject"), json!({"reason": "x".repeat(501)}), Some(&op.token)).await;
        r.expect_status(422);
        let r = app.post(&format!("/api/v1/admin/orgs/{org}/reject"), json!({"reason": "营业执照照片模糊"}), Some(&op.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["status"], "rejected");
        let seen = app.get(&format!("/api/v1/orgs/{org}"), Some(&owner.token)).await;
        assert_eq!(seen.body["status_reason"], "营业执照照片模糊");
        // The seller fixes it by editing; it goes back into the queue.
        let r = app.patch(&format!("/api/v1/orgs/{org}"), json!({"address": "梅岭镇茶坑村 3 组 12 号"}), Some(&owner.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["status"], "pending");
        assert_eq!(r.body["status_reason"], serde_json::Value::Null);
        let history = app.get(&format!("/api/v1/orgs/{org}/history"), Some(&op.token)).await;
        let actions = history.strings("", "action");
        assert_eq!(actions, ["submitted", "rejected", "resubmitted"]);
        assert_eq!(history.body[1]["reason"], "营业执照照片模糊");
    }

    async fn only_the_operator_uses_the_admin_endpoints(app) {
        let owner = app.register("13800000001", "李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let agent = app.staff("13900000002", PlatformRole::AfterSalesAgent).await;
        for token in [&owner.token, &agent.token] {
            app.get("/api/v1/admin/orgs", Some(token)).await.expect_status(403);
            app.get("/api/v1/admin/audit", Some(token)).await.expect_status(403);
            let r = app.post_empty(&format!("/api/v1/admin/orgs/{org}/verify"), Some(token)).await;
            r.expect_status(403);
            assert_eq!(r.code(), "forbidden");
        }
        app.post_empty(&format!("/api/v1/admin/orgs/{org}/verify"), None).await.expect_status(401);
        let still = app.get(&format!("/api/v1/orgs/{org}"), Some(&owner.token)).await;
        assert_eq!(still.body["status"], "pending");
    }

    async fn a_county_official_reads_but_never_writes(app) {
        let official = app.staff("13900000003", PlatformRole::Official).await;
        app.get("/api/v1/auth/me", Some(&official.token)).await.expect_status(200);
        let r = app.post("/api/v1/orgs", TestApp::org_body("cooperative", "官方合作社"), Some(&official.token)).await;
        r.expect_status(403);
        assert_eq!(r.code(), "read_only");
        let r = app.put(&format!("/api/v1/admin/accounts/{}/platform-role", official.account_id), json!({"role": "operator"}), Some(&official.token)).await;
        r.expect_status(403);
        assert_eq!(r.code(), "read_only");
        app.get("/api/v1/admin/orgs", Some(&official.token)).await.expect_status(403);
        app.post_empty("/api/v1/auth/logout", Some(&official.token)).await.expect_status(204);
        assert_eq!(app.count("organisations", "1=1").await, 0);
    }

    async fn the_operator_grants_platform_roles_and_disables_accounts(app) {
        let op = app.operator().await;
        let person = app.register("13600000001", "王芳").await;
        let r = app.put(&format!("/api/v1/admin/accounts/{}/platform-role", person.account_id), json!({"role": "after_sales_agent"}), Some(&op.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["platform_role"], "after_sales_agent");
        let me = app.get("/api/v1/auth/me", Some(&person.token)).await;
        assert_eq!(me.body["account"]["platform_role"], "after_sales_agent");
        let r = app.put(&format!("/api/v1/admin/accounts/{}/platform-role", op.account_id), json!({"role": null}), Some(&op.token)).await;
        r.expect_status(409);
        let found = app.get("/api/v1/admin/accounts?q=136000", Some(&op.token)).await;
        assert_eq!(found.body["total"], 1);
        let r = app.post_empty(&format!("/api/v1/admin/accounts/{}/disable", person.account_id), Some(&op.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["status"], "disabled");
        app.get("/api/v1/auth/me", Some(&person.token)).await.expect_status(401);
        let r = app.login("13600000001", farmgate_tests::PASSWORD).await;
        r.expect_status(403);
        assert_eq!(r.code(), "account_disabled");
        assert_eq!(app.count("audit_log", "action IN ('account.platform_role', 'account.disable')").await, 2);
    }

    async fn reviews_reach_the_outbox_and_are_delivered(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let verified = app.count("outbox_events", "topic = 'identity.org.verified'").await;
        assert_eq!(verified, 1);
        app.outbox_drained().await;
        assert_eq!(
            app.count("outbox_events", "delivered_at IS NULL AND topic LIKE 'identity.%'").await,
            0
        );
        let _ = org;
    }
}
