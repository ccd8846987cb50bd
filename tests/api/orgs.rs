//! Organisations, members, invitations — and that members act only inside their own.

use farmgate_tests::prelude::*;

both_backends! {
    async fn a_cooperative_registers_and_waits_for_review(app) {
        let owner = app.register("13800000001", "李国强").await;
        let r = app.post("/api/v1/orgs", TestApp::org_body("cooperative", "青石县梅岭脐橙专业合作社"), Some(&owner.token)).await;
        r.expect_status(201);
        assert_eq!(r.body["status"], "pending");
        assert_eq!(r.body["my_role"], "owner");
        assert_eq!(r.body["region"]["village"], "茶坑村");
        let id = r.id();
        let mine = app.get("/api/v1/orgs/mine", Some(&owner.token)).await;
        mine.expect_status(200);
        assert_eq!(mine.uuid("0.id"), id);
        let me = app.get("/api/v1/auth/me", Some(&owner.token)).await;
        assert_eq!(me.body["memberships"][0]["role"], "owner");
        let history = app.get(&format!("/api/v1/orgs/{id}/history"), Some(&owner.token)).await;
        history.expect_status(200);
        assert_eq!(history.body[0]["action"], "submitted");
    }

    async fn a_bad_licence_region_or_phone_is_reported_by_field(app) {
        let owner = app.register("13800000001", "李国强").await;
        let mut body = TestApp::org_body("family_farm", "白云山土鸡家庭农场");
        body["licence_no"] = json!("93360799MA35ML0019");
        body["region"] = json!({"province": "江西省", "city": "", "county": "青石县", "village": "茶坑村"});
        body["contact_phone"] = json!("0797-1234567");
        let r = app.post("/api/v1/orgs", body, Some(&owner.token)).await;
        r.expect_status(422);
        for f in ["licence_no", "region.city", "region.township", "contact_phone"] {
            assert!(r.field(f).is_some(), "missing {f}: {}", r.text);
        }
        let r = app.post("/api/v1/orgs", json!({"kind": "ranch", "name": "x"}), Some(&owner.token)).await;
        r.expect_status(422);
        assert!(r.field("kind").is_some(), "{}", r.text);
        assert_eq!(app.count("organisations", "1=1").await, 0);
    }

    async fn a_licence_registered_twice_is_a_conflict_and_leaves_nothing_behind(app) {
        let a = app.register("13800000001", "李国强").await;
        let b = app.register("13800000002", "刘晓燕").await;
        let body = TestApp::org_body("cooperative", "第一家");
        app.post("/api/v1/orgs", body.clone(), Some(&a.token)).await.expect_status(201);
        let mut copy = body;
        copy["name"] = json!("第二家");
        let r = app.post("/api/v1/orgs", copy, Some(&b.token)).await;
        r.expect_status(409);
        assert!(r.field("licence_no").is_some(), "{}", r.text);
        assert_eq!(app.count("organisations", "1=1").await, 1);
        assert_eq!(app.count("memberships", "1=1").await, 1, "no membership for the refused org");
        assert_eq!(app.count("org_reviews", "1=1").await, 1);
        assert_eq!(app.count("audit_log", "action = 'org.create'").await, 1);
        // Besides tomorrow's trace digest, the trace log's checkpoints, the trace object
        // audit's rounds, the hourly shop-credit refresh for search and the daily credit-terms
        // run (statements), scheduled at start.
        assert_eq!(
            app.count("outbox_events", "topic NOT IN ('trace.digest.due', 'trace.log.checkpoint_due', 'trace.audit.due', 'stats.credit_ranking.due', 'orders.credit_daily')").await,
            3,
            "two registrations and one submission"
        );
    }

    async fn only_the_operator_opens_the_platform_store(app) {
        let seller = app.register("13800000001", "李国强").await;
        let r = app.post("/api/v1/orgs", TestApp::org_body("platform_store", "冒牌自营店"), Some(&seller.token)).await;
        r.expect_status(403);
        let op = app.operator().await;
        app.post("/api/v1/orgs", TestApp::org_body("platform_store", "农源直供平台自营店"), Some(&op.token)).await.expect_status(201);
    }

    async fn organisation_names_with_markup_are_stored_verbatim(app) {
        let owner = app.register("13800000001", "李国强").await;
        let name = "<img src=x onerror=alert(1)>合作社'; DROP TABLE organisations;--";
        let r = app.post("/api/v1/orgs", TestApp::org_body("cooperative", name), Some(&owner.token)).await;
        r.expect_status(201);
        let id = r.id();
        let got = app.get(&format!("/api/v1/orgs/{id}"), Some(&owner.token)).await;
        assert_eq!(got.body["name"], name);
    }

    async fn staff_cannot_edit_and_outsiders_cannot_even_look(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let staff = app.register("13800000002", "刘晓燕").await;
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "staff"}), Some(&owner.token)).await;
        inv.expect_status(201);
        let inv_id = inv.id();
        app.accept_invitation(&staff, inv_id).await.expect_status(200);

        app.get(&format!("/api/v1/orgs/{org}"), Some(&staff.token)).await.expect_status(200);
        let r = app.patch(&format!("/api/v1/orgs/{org}"), json!({"contact_name": "刘晓燕"}), Some(&staff.token)).await;
        r.expect_status(403);
        let r = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000003", "role": "staff"}), Some(&staff.token)).await;
        r.expect_status(403);

        let other = app.register("13800000005", "黄建华").await;
        let other_org = app.verified_org(&other, &op, "cooperative", "龙泉生态稻米专业合作社").await;
        for path in [format!("/api/v1/orgs/{other_org}"), format!("/api/v1/orgs/{other_org}/members"), format!("/api/v1/orgs/{other_org}/history")] {
            app.get(&path, Some(&staff.token)).await.expect_status(403);
        }
        let r = app.patch(&format!("/api/v1/orgs/{other_org}"), json!({"name": "被改名"}), Some(&owner.token)).await;
        r.expect_status(403);
        let r = app.delete(&format!("/api/v1/orgs/{other_org}/members/{}", other.account_id), Some(&owner.token)).await;
        r.expect_status(403);
        assert_eq!(app.count("memberships", "1=1").await, 3);
    }

    async fn an_owner_invites_by_phone_and_the_invitee_accepts_after_registering(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "138 0000 0002", "role": "staff"}), Some(&owner.token)).await;
        inv.expect_status(201);
        assert_eq!(inv.body["login"], "138****0002");
        let again = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "staff"}), Some(&owner.token)).await;
        again.expect_status(409);

        let staff = app.register("13800000002", "刘晓燕").await;
        let mine = app.get("/api/v1/me/invitations", Some(&staff.token)).await;
        mine.expect_status(200);
        assert_eq!(mine.body[0]["org"]["name"], "梅岭脐橙专业合作社");
        let id = mine.uuid("0.id");
        let accepted = app.accept_invitation(&staff, id).await;
        accepted.expect_status(200);
        assert_eq!(accepted.body["role"], "staff");
        let again = app.post(&format!("/api/v1/invitations/{id}/accept"), json!({"code": "000000"}), Some(&staff.token)).await;
        again.expect_status(404);

        let members = app.get(&format!("/api/v1/orgs/{org}/members"), Some(&staff.token)).await;
        members.expect_status(200);
        assert_eq!(members.len_of(""), 2);
        assert_eq!(members.find("", "role", "owner").str("phone"), "138****0001", "staff see other members' phones masked");
        assert_eq!(members.find("", "role", "staff").str("phone"), "13800000002", "and their own in full");
    }

    async fn nobody_accepts_an_invitation_meant_for_someone_else(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "owner"}), Some(&owner.token)).await;
        let id = inv.id();
        let intruder = app.register("13800000003", "陈志明").await;
        app.accept_invitation(&intruder, id).await.expect_status(404);
        assert_eq!(app.count("memberships", "1=1").await, 1, "only the owner is a member");
    }

    async fn an_owner_revokes_an_invitation_and_it_can_no_longer_be_accepted(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "family_farm", "白云山土鸡家庭农场").await;
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "staff"}), Some(&owner.token)).await;
        inv.expect_status(201);
        let id = inv.id();
        app.delete(&format!("/api/v1/orgs/{org}/invitations/{id}"), Some(&owner.token)).await.expect_status(204);
        let listed = app.get(&format!("/api/v1/orgs/{org}/invitations"), Some(&owner.token)).await;
        assert_eq!(listed.body[0]["status"], "revoked");
        let invitee = app.register("13800000002", "王").await;
        app.accept_invitation(&invitee, id).await.expect_status(404);
    }

    async fn the_last_owner_can_neither_leave_nor_step_down(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let me = owner.account_id;
        let r = app.delete(&format!("/api/v1/orgs/{org}/members/{me}"), Some(&owner.token)).await;
        r.expect_status(409);
        assert_eq!(r.code(), "last_owner");
        let r = app.patch(&format!("/api/v1/orgs/{org}/members/{me}"), json!({"role": "staff"}), Some(&owner.token)).await;
        r.expect_status(409);
        // With a second owner, the first may step down.
        let second = app.register("13800000002", "刘晓燕").await;
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "owner"}), Some(&owner.token)).await;
        let id = inv.id();
        app.accept_invitation(&second, id).await.expect_status(200);
        let r = app.patch(&format!("/api/v1/orgs/{org}/members/{me}"), json!({"role": "staff"}), Some(&owner.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["role"], "staff");
    }

    async fn an_owner_removes_a_member_who_then_loses_access(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let staff = app.register("13800000002", "刘晓燕").await;
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "staff"}), Some(&owner.token)).await;
        let id = inv.id();
        app.accept_invitation(&staff, id).await.expect_status(200);
        app.delete(&format!("/api/v1/orgs/{org}/members/{}", staff.account_id), Some(&owner.token)).await.expect_status(204);
        app.get(&format!("/api/v1/orgs/{org}"), Some(&staff.token)).await.expect_status(403);
        assert_eq!(app.count("audit_log", "action = 'org.member.remove'").await, 1);
    }

    async fn changing_the_name_sends_a_verified_org_back_to_review_but_the_contact_does_not(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let r = app.patch(&format!("/api/v1/orgs/{org}"), json!({"contact_name": "刘晓燕", "contact_phone": "13800000002"}), Some(&owner.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["status"], "verified");
        let r = app.patch(&format!("/api/v1/orgs/{org}"), json!({"region": region("桃源乡", None)}), Some(&owner.token)).await;
        r.expect_status(200);
        assert_eq!(r.body["status"], "pending");
        assert_eq!(r.body["region"]["township"], "桃源乡");
        assert_eq!(r.body["verified_at"], serde_json::Value::Null);
    }

    async fn an_invalid_edit_changes_nothing(app) {
        let owner = app.register("13800000001", "李国强").await;
        let org = app.create_org(&owner, "cooperative", "梅岭脐橙专业合作社").await;
        let r = app.patch(&format!("/api/v1/orgs/{org}"), json!({"name": "梅岭脐橙专业合作社新名", "licence_no": "bad"}), Some(&owner.token)).await;
        r.expect_status(422);
        let got = app.get(&format!("/api/v1/orgs/{org}"), Some(&owner.token)).await;
        assert_eq!(got.body["name"], "梅岭脐橙专业合作社");
        let licence = fresh_licence();
        let r = app.patch(&format!("/api/v1/orgs/{org}"), json!({"licence_no": licence}), Some(&owner.token)).await;
        r.expect_status(200);
        assert_eq!(r.str("licence_no"), licence);
    }
}

both_backends! {
    async fn an_invitee_declines_and_the_invitation_is_closed_for_good(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let invitee = app.register("13800000002", "刘晓燕").await;
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "staff"}), Some(&owner.token)).await;
        inv.expect_status(201);
        let id = inv.id();
        assert_eq!(app.get("/api/v1/me/invitations", Some(&invitee.token)).await.len_of(""), 1);

        let r = app.post_empty(&format!("/api/v1/invitations/{id}/decline"), Some(&invitee.token)).await;
        r.expect_status(204);
        assert!(r.text.is_empty(), "204 has no body: {}", r.text);
        let mine = app.get("/api/v1/me/invitations", Some(&invitee.token)).await;
        assert_eq!(mine.body, json!([]), "no longer waiting");
        let listed = app.get(&format!("/api/v1/orgs/{org}/invitations"), Some(&owner.token)).await;
        assert_eq!(listed.body[0]["status"], "declined", "{}", listed.text);
        // Declined means declined: it can be neither accepted nor declined again.
        let r = app.accept_invitation(&invitee, id).await;
        r.expect_status(404);
        assert_eq!(r.code(), "not_found");
        app.post_empty(&format!("/api/v1/invitations/{id}/decline"), Some(&invitee.token)).await.expect_status(404);
        app.get(&format!("/api/v1/orgs/{org}"), Some(&invitee.token)).await.expect_status(403);
        assert_eq!(app.count("memberships", "1=1").await, 1, "only the owner");
        assert_eq!(app.count("audit_log", "action = 'org.invite.decline'").await, 1);
        assert_eq!(app.count("audit_log", "action = 'org.invite.accept'").await, 0);
        // The owner may invite again; the new invitation is a fresh one.
        let again = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "staff"}), Some(&owner.token)).await;
        again.expect_status(201);
        assert_ne!(again.id(), id);
    }

    async fn only_the_invitee_declines_and_only_while_the_invitation_waits(app) {
        let op = app.operator().await;
        let owner = app.register("13800000001", "李国强").await;
        let org = app.verified_org(&owner, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let invitee = app.register("13800000002", "刘晓燕").await;
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "owner"}), Some(&owner.token)).await;
        let id = inv.id();
        let path = format!("/api/v1/invitations/{id}/decline");
        app.post_empty(&path, None).await.expect_status(401);
        // Neither a stranger nor the inviting owner can decline on the invitee's behalf.
        let stranger = app.register("13800000003", "陈志明").await;
        for who in [&stranger, &owner] {
            let r = app.post_empty(&path, Some(&who.token)).await;
            r.expect_status(404);
            assert_eq!(r.code(), "not_found");
        }
        app.post_empty(&format!("/api/v1/invitations/{}/decline", uuid::Uuid::new_v4()), Some(&invitee.token)).await.expect_status(404);
        app.post_empty("/api/v1/invitations/not-a-uuid/decline", Some(&invitee.token)).await.expect_status(404);
        let listed = app.get(&format!("/api/v1/orgs/{org}/invitations"), Some(&owner.token)).await;
        assert_eq!(listed.body[0]["status"], "pending", "untouched by refused attempts");
        assert_eq!(app.count("audit_log", "action = 'org.invite.decline'").await, 0);
        // A revoked invitation cannot be declined either.
        app.delete(&format!("/api/v1/orgs/{org}/invitations/{id}"), Some(&owner.token)).await.expect_status(204);
        app.post_empty(&path, Some(&invitee.token)).await.expect_status(404);
        let listed = app.get(&format!("/api/v1/orgs/{org}/invitations"), Some(&owner.token)).await;
        assert_eq!(listed.body[0]["status"], "revoked");
        // An accepted one neither.
        let inv = app.post(&format!("/api/v1/orgs/{org}/invitations"), json!({"login": "13800000002", "role": "staff"}), Some(&owner.token)).await;
        let id = inv.id();
        app.accept_invitation(&invitee, id).await.expect_status(200);
        app.post_empty(&format!("/api/v1/invitations/{id}/decline"), Some(&invitee.token)).await.expect_status(404);
        let members = app.get(&format!("/api/v1/orgs/{org}/members"), Some(&owner.token)).await;
        assert_eq!(members.len_of(""), 2, "still a member after the refused decline");
    }

    async fn staff_and_owners_of_one_organisation_cannot_manage_another(app) {
        let op = app.operator().await;
        let owner_a = app.register("13800000001", "李国强").await;
        let org_a = app.verified_org(&owner_a, &op, "cooperative", "梅岭脐橙专业合作社").await;
        let staff_a = app.member(&owner_a, org_a, "13800000002", "刘晓燕", "staff").await;
        let owner_b = app.register("13800000005", "黄建华").await;
        let org_b = app.verified_org(&owner_b, &op, "cooperative", "龙泉生态稻米专业合作社").await;
        let staff_b = app.member(&owner_b, org_b, "13800000006", "赵敏", "staff").await;
        let waiting = app.post(&format!("/api/v1/orgs/{org_b}/invitations"), json!({"login": "13800000007", "role": "staff"}), Some(&owner_b.token)).await;
        waiting.expect_status(201);
        let waiting_id = waiting.id();
        let org_before = app.get(&format!("/api/v1/orgs/{org_b}"), Some(&owner_b.token)).await;
        let audit_before = app.count("audit_log", "1=1").await;

        for (who, token) in [("staff of A", &staff_a.token), ("owner of A", &owner_a.token)] {
            let attempts = [
                app.post(&format!("/api/v1/orgs/{org_b}/invitations"), json!({"login": "13800000008", "role": "owner"}), Some(token)).await,
                app.patch(&format!("/api/v1/orgs/{org_b}"), json!({"contact_name": "冒名顶替"}), Some(token)).await,
                app.patch(&format!("/api/v1/orgs/{org_b}/members/{}", staff_b.account_id), json!({"role": "owner"}), Some(token)).await,
                app.delete(&format!("/api/v1/orgs/{org_b}/members/{}", staff_b.account_id), Some(token)).await,
                app.delete(&format!("/api/v1/orgs/{org_b}/invitations/{waiting_id}"), Some(token)).await,
                app.get(&format!("/api/v1/orgs/{org_b}/invitations"), Some(token)).await,
            ];
            for (i, r) in attempts.iter().enumerate() {
                assert_eq!(r.status, 403, "{who}, attempt {i}: {}", r.text);
                assert_eq!(r.code(), "forbidden", "{who}, attempt {i}");
            }
        }
        // Through their own organisation's path, B's invitation and member are not found.
        let r = app.delete(&format!("/api/v1/orgs/{org_a}/invitations/{waiting_id}"), Some(&owner_a.token)).await;
        r.expect_status(404);
        let r = app.delete(&format!("/api/v1/orgs/{org_a}/members/{}", staff_b.account_id), Some(&owner_a.token)).await;
        r.expect_status(404);
        let r = app.patch(&format!("/api/v1/orgs/{org_a}/members/{}", staff_b.account_id), json!({"role": "owner"}), Some(&owner_a.token)).await;
        r.expect_status(404);
        // Staff of A cannot manage A's members either.
        let r = app.patch(&format!("/api/v1/orgs/{org_a}/members/{}", owner_a.account_id), json!({"role": "staff"}), Some(&staff_a.token)).await;
        r.expect_status(403);
        let r = app.delete(&format!("/api/v1/orgs/{org_a}/members/{}", owner_a.account_id), Some(&staff_a.token)).await;
        r.expect_status(403);

        let org_after = app.get(&format!("/api/v1/orgs/{org_b}"), Some(&owner_b.token)).await;
        assert_eq!(org_before.body, org_after.body, "organisation B is unchanged");
        let members = app.get(&format!("/api/v1/orgs/{org_b}/members"), Some(&owner_b.token)).await;
        let roles = members.strings("", "role");
        assert_eq!(roles.len(), 2);
        assert!(roles.iter().any(|r| r == "owner") && roles.iter().any(|r| r == "staff"), "{roles:?}");
        let invitations = app.get(&format!("/api/v1/orgs/{org_b}/invitations"), Some(&owner_b.token)).await;
        let mut statuses = invitations.strings("", "status");
        statuses.sort_unstable();
        assert_eq!(statuses, ["accepted", "pending"], "B's own two: none added, none revoked");
        assert_eq!(app.count("memberships", "1=1").await, 4);
        assert_eq!(app.count("audit_log", "1=1").await, audit_before, "nothing was done, so nothing was logged");
    }
}
