//! The service desk through the real server: tickets opened by customers (with links checked
//! through the owning rooms) and from hotline calls, deadlines scheduled in the outbox
//! (surviving restarts), round-robin and concurrent assignment, replies and internal notes,
//! merges, closing and the 7-day reopen, the follow-up call and the one survey, the figures,
//! problem-customer records — and every abuse: the wrong role, another person's ticket,
//! oversized text, malformed ids.

use farmgate_tests::prelude::*;

const TICKETS: &str = "/api/v1/desk/tickets";

fn complaint() -> Value {
    json!({"kind": "seller_complaint", "subject": "商家不回消息", "body": "下单两天了商家一直不回复，电话也打不通。", "contact_phone": "13612345678"})
}

async fn open(app: &TestApp, who: &Session, body: Value) -> Resp {
    app.post(TICKETS, body, Some(&who.token)).await
}

/// An agent of the platform, on duty (round-robin picks them).
async fn on_duty(app: &TestApp, who: &Session) {
    app.put(
        "/api/v1/desk/agents",
        json!({"on_duty": true}),
        Some(&who.token),
    )
    .await
    .expect_status(200);
}

/// Seconds a countdown shows, allowing for PostgreSQL keeping microseconds only.
fn about(seconds: i64, expected: i64) -> bool {
    (seconds - expected).abs() <= 1
}

fn ticket_path(id: Uuid, tail: &str) -> String {
    format!("{TICKETS}/{id}{tail}")
}

both_backends! {
    async fn a_consumer_opens_a_ticket_with_deadlines_and_it_goes_round_robin_to_an_agent_on_duty(app) {
        let agent = app.agent().await;
        on_duty(&app, &agent).await;
        let buyer = app.consumer().await;

        let r = open(&app, &buyer, complaint()).await;

        r.expect_status(201);
        assert_eq!(r.str("status"), "open");
        assert_eq!(r.str("urgency"), "normal");
        assert!(r.str("number").starts_with("GD"));
        assert_eq!(r.uuid("assignee.id"), agent.account_id, "round-robin to the agent on duty");
        let respond_by = chrono::DateTime::parse_from_rfc3339(r.str("respond_by")).map(|t| t.to_utc());
        let due = app.clock.now() + chrono::Duration::hours(8);
        assert!(respond_by.is_ok_and(|t| (t - due).num_seconds().abs() < 2), "normal urgency: 8 hours to answer");
        assert!(about(r.i64("seconds_left"), 8 * 3600), "{}", r.text);
        assert!(!r.bool("overdue"));
        assert!(!r.has("contact_phone"), "the customer's own phone is not echoed: {}", r.text);
        assert_eq!(r.len_of("messages"), 1);
        assert_eq!(app.count("outbox_events", "topic = 'desk.ticket_opened'").await, 1);
        assert_eq!(app.count("outbox_events", "topic = 'desk.ticket_assigned'").await, 1);
        assert_eq!(app.count("outbox_events", "topic = 'desk.due'").await, 2, "both deadlines scheduled");

        let mine = app.get(TICKETS, Some(&buyer.token)).await;
        mine.expect_status(200);
        assert_eq!(mine.i64("total"), 1);
    }

    async fn customers_see_only_their_own_tickets_and_never_phones_or_internal_notes(app) {
        let agent = app.agent().await;
        let buyer = app.consumer().await;
        let other = app.consumer().named("李四").await;
        let seller = app.seller_with_listing().await;
        let id = open(&app, &buyer, complaint()).await.id();
        let sellers = open(&app, &seller.owner, json!({"kind": "account_problem", "subject": "无法修改店铺名称", "body": "提交后一直报错"})).await;
        sellers.expect_status(201);

        // Another consumer and a seller member: not their ticket, as if it did not exist.
        app.get(&ticket_path(id, ""), Some(&other.token)).await.expect_status(404);
        app.get(&ticket_path(id, ""), Some(&seller.owner.token)).await.expect_status(404);
        app.post(&ticket_path(id, "/messages"), json!({"body": "我来插一句"}), Some(&other.token)).await.expect_status(404);
        app.post_empty(&ticket_path(id, "/close"), Some(&other.token)).await.expect_status(404);
        let theirs = app.get(TICKETS, Some(&seller.owner.token)).await;
        assert_eq!(theirs.i64("total"), 1, "a seller member sees the tickets they opened only");
        assert_eq!(theirs.uuid("items.0.id"), sellers.id());

        // The agent sees the phone and writes an internal note the customer never sees.
        let seen = app.get(&ticket_path(id, ""), Some(&agent.token)).await;
        assert_eq!(seen.str("contact_phone"), "13612345678");
        app.post(&ticket_path(id, "/messages"), json!({"body": "该商家本月第三次被投诉", "internal": true}), Some(&agent.token)).await.expect_status(201);
        let customer = app.get(&ticket_path(id, ""), Some(&buyer.token)).await;
        assert_eq!(customer.len_of("messages"), 1, "no internal note: {}", customer.text);
        assert!(!customer.has("contact_phone"));
        assert_eq!(customer.len_of("events"), 0, "the history is for agents");
        assert!(!customer.text.contains("第三次"));
        // A customer cannot write a note.
        app.post(&ticket_path(id, "/messages"), json!({"body": "x", "internal": true}), Some(&buyer.token)).await.expect_status(403);
    }

    async fn the_wrong_role_is_refused_everywhere(app) {
        let agent = app.agent().await;
        let buyer = app.consumer().await;
        let official = app.official().await;
        let id = open(&app, &buyer, complaint()).await.id();

        open(&app, &agent, complaint()).await.expect_status(403);
        for path in ["/api/v1/desk/queue", "/api/v1/desk/agents", "/api/v1/desk/canned-replies", "/api/v1/desk/limits", "/api/v1/desk/follow-ups", "/api/v1/desk/figures?from=2026-01-01&to=2026-01-31"] {
            app.get(path, Some(&buyer.token)).await.expect_status(403);
        }
        app.post("/api/v1/desk/hotline", json!({"caller_name": "张三", "phone": "13800000000", "kind": "other", "summary": "咨询"}), Some(&buyer.token)).await.expect_status(403);
        app.post_empty(&ticket_path(id, "/take"), Some(&buyer.token)).await.expect_status(403);
        app.post(&ticket_path(id, "/assign"), json!({}), Some(&buyer.token)).await.expect_status(403);
        app.post(&ticket_path(id, "/urgency"), json!({"urgency": "urgent"}), Some(&buyer.token)).await.expect_status(403);
        app.put("/api/v1/desk/limits", json!({"limits": [{"kind": "other", "urgency": "low", "respond_minutes": 1, "resolve_minutes": 2}]}), Some(&agent.token)).await.expect_status(403);
        app.post("/api/v1/desk/customer-records", json!({"account_id": buyer.account_id, "kind": "abuse", "evidence": "x", "decision": "y"}), Some(&agent.token)).await.expect_status(403);
        app.post(&ticket_path(id, "/messages"), json!({"body": "官员留言"}), Some(&official.token)).await.expect_status(403);
        app.get(TICKETS, None).await.expect_status(401);
        // The agent reopens or rates nothing: those are the customer's.
        app.post_empty(&ticket_path(id, "/close"), Some(&agent.token)).await.expect_status(200);
        app.post_empty(&ticket_path(id, "/reopen"), Some(&agent.token)).await.expect_status(403);
        app.post(&ticket_path(id, "/survey"), json!({"speed": 5, "attitude": 5, "result": 5}), Some(&agent.token)).await.expect_status(403);
    }

    async fn bad_input_is_refused_and_nothing_is_written(app) {
        let buyer = app.consumer().await;
        let other = app.consumer().named("李四").await;
        let someone_elses = app.received_order(1).await;

        let long = "很".repeat(2001);
        let r = open(&app, &buyer, json!({"kind": "other", "subject": "x", "body": long})).await;
        assert_eq!(r.field_code("body"), Some("too_long"), "{}", r.text);
        let r = open(&app, &buyer, json!({"kind": "other", "subject": "", "body": "x"})).await;
        assert_eq!(r.field_code("subject"), Some("required"));
        let r = open(&app, &buyer, json!({"kind": "other", "subject": "x", "body": "y", "contact_phone": "call me"})).await;
        assert_eq!(r.field_code("contact_phone"), Some("invalid"));
        let r = open(&app, &buyer, json!({"kind": "nonsense", "subject": "x", "body": "y"})).await;
        r.expect_status(422);
        let r = open(&app, &buyer, json!({"kind": "other", "subject": "x", "body": "y", "link_kind": "order"})).await;
        assert_eq!(r.field_code("link_id"), Some("required"));
        // Someone else's order, a listing and a claim that do not exist: not found, alike.
        let r = open(&app, &other, json!({"kind": "seller_complaint", "subject": "x", "body": "y", "link_kind": "order", "link_id": someone_elses.order_id})).await;
        assert_eq!(r.field_code("link_id"), Some("not_found"), "{}", r.text);
        for kind in ["listing", "claim", "order"] {
            let r = open(&app, &buyer, json!({"kind": "other", "subject": "x", "body": "y", "link_kind": kind, "link_id": Uuid::now_v7()})).await;
            assert_eq!(r.field_code("link_id"), Some("not_found"), "{kind}: {}", r.text);
        }
        let r = app.post(TICKETS, json!({"kind": "other", "subject": "x", "body": "y", "extra": 1}), Some(&buyer.token)).await;
        r.expect_status(422);
        assert_eq!(app.count("desk_tickets", "1=1").await, 0, "nothing half-written");

        // Malformed ids are nothing at that address.
        app.get(&format!("{TICKETS}/not-a-uuid"), Some(&buyer.token)).await.expect_status(404);
        app.post_empty(&format!("{TICKETS}/123/close"), Some(&buyer.token)).await.expect_status(404);
        app.get(&ticket_path(Uuid::now_v7(), ""), Some(&buyer.token)).await.expect_status(404);

        // The buyer's own order is a fine link.
        let ok = open(&app, &someone_elses.buyer, json!({"kind": "seller_complaint", "subject": "包装太差", "body": "箱子破了", "link_kind": "order", "link_id": someone_elses.order_id})).await;
        ok.expect_status(201);
        assert_eq!(ok.uuid("link.id"), someone_elses.order_id);
    }

    async fn an_agent_registers_a_hotline_call_which_is_theirs_and_answered(app) {
        let agent = app.agent().await;

        let r = app.post("/api/v1/desk/hotline", json!({"caller_name": "赵大爷", "phone": "0797-1234567", "kind": "account_problem", "urgency": "high", "summary": "不会登录\n孙子帮忙注册的账号忘了密码"}), Some(&agent.token)).await;

        r.expect_status(201);
        assert_eq!(r.str("channel"), "hotline");
        assert_eq!(r.str("status"), "answered", "the call was the first response");
        assert_eq!(r.str("contact_phone"), "0797-1234567");
        assert_eq!(r.str("subject"), "不会登录");
        assert_eq!(r.uuid("assignee.id"), agent.account_id);
        assert!(r.at("first_response_at").is_string());
        let bad = app.post("/api/v1/desk/hotline", json!({"caller_name": "", "phone": "abc", "kind": "other", "summary": ""}), Some(&agent.token)).await;
        bad.expect_status(422);
        assert_eq!(bad.field_code("phone"), Some("invalid"));
        assert_eq!(bad.field_code("caller_name"), Some("required"));
    }

    async fn a_conversation_a_close_a_reopen_within_seven_days_and_not_after(app) {
        let agent = app.agent().await;
        let buyer = app.consumer().await;
        let id = open(&app, &buyer, complaint()).await.id();

        let replied = app.post(&ticket_path(id, "/messages"), json!({"body": "您好，我们已联系商家，今天内给您答复。"}), Some(&agent.token)).await;
        replied.expect_status(201);
        assert_eq!(replied.str("status"), "answered");
        assert!(replied.at("first_response_at").is_string());
        assert_eq!(replied.uuid("assignee.id"), agent.account_id, "the first to answer takes it");
        let back = app.post(&ticket_path(id, "/messages"), json!({"body": "好的，谢谢"}), Some(&buyer.token)).await;
        assert_eq!(back.str("status"), "open", "the customer's answer puts it back in the queue");
        let closed = app.post_empty(&ticket_path(id, "/close"), Some(&agent.token)).await;
        closed.expect_status(200);
        assert_eq!(closed.str("status"), "closed");
        assert_eq!(closed.len_of("follow_ups"), 1, "a follow-up call is owed");
        app.post(&ticket_path(id, "/messages"), json!({"body": "还在吗"}), Some(&buyer.token)).await.expect_status(409);
        app.post_empty(&ticket_path(id, "/close"), Some(&agent.token)).await.expect_status(409);

        app.clock.advance(chrono::Duration::days(6));
        let reopened = app.post_empty(&ticket_path(id, "/reopen"), Some(&buyer.token)).await;
        reopened.expect_status(200);
        assert_eq!(reopened.str("status"), "open");
        assert_eq!(reopened.i64("reopen_count"), 1);
        app.post_empty(&ticket_path(id, "/reopen"), Some(&buyer.token)).await.expect_status(409);
        app.post_empty(&ticket_path(id, "/close"), Some(&buyer.token)).await.expect_status(200);

        app.clock.advance(chrono::Duration::days(7) + chrono::Duration::minutes(1));
        let late = app.post_empty(&ticket_path(id, "/reopen"), Some(&buyer.token)).await;
        late.expect_status(409);
        assert_eq!(late.code(), "reopen_window_passed");
        assert_eq!(app.count("outbox_events", "topic = 'desk.ticket_closed'").await, 2);
        assert_eq!(app.count("outbox_events", "topic = 'desk.ticket_replied'").await, 2);
    }

    async fn the_customer_rates_a_closed_ticket_once_and_the_agent_records_the_follow_up_once(app) {
        let agent = app.agent().await;
        let buyer = app.consumer().await;
        let id = open(&app, &buyer, complaint()).await.id();
        let survey = ticket_path(id, "/survey");
        let five = json!({"speed": 5, "attitude": 4, "result": 5, "comment": "处理很快"});

        let early = app.post(&survey, five.clone(), Some(&buyer.token)).await;
        assert_eq!(early.code(), "ticket_not_closed");
        app.post(&ticket_path(id, "/follow-up"), json!({"outcome": "satisfied"}), Some(&agent.token)).await.expect_status(404);
        app.post_empty(&ticket_path(id, "/close"), Some(&agent.token)).await.expect_status(200);
        assert_eq!(app.count("outbox_events", "topic = 'desk.survey_requested'").await, 1);
        let r = app.post(&survey, json!({"speed": 0, "attitude": 6, "result": 5}), Some(&buyer.token)).await;
        assert_eq!(r.field_code("speed"), Some("out_of_range"));
        assert_eq!(r.field_code("attitude"), Some("out_of_range"));

        let rated = app.post(&survey, five.clone(), Some(&buyer.token)).await;
        rated.expect_status(200);
        assert_eq!(rated.i64("survey.attitude"), 4);
        assert!(!rated.bool("can.rate"));
        let twice = app.post(&survey, five, Some(&buyer.token)).await;
        assert_eq!(twice.code(), "already_rated");
        assert_eq!(app.count("desk_surveys", "1=1").await, 1);

        let owed = app.get("/api/v1/desk/follow-ups?mine=true", Some(&agent.token)).await;
        owed.expect_status(200);
        assert_eq!(owed.uuid("0.ticket_id"), id);
        let done = app.post(&ticket_path(id, "/follow-up"), json!({"outcome": "satisfied", "note": "客户表示满意"}), Some(&agent.token)).await;
        done.expect_status(200);
        assert_eq!(done.str("follow_ups.0.outcome"), "satisfied");
        let again = app.post(&ticket_path(id, "/follow-up"), json!({"outcome": "unreachable"}), Some(&agent.token)).await;
        assert_eq!(again.code(), "already_followed_up");
        // The closing after a reopen owes another call, but a ticket is rated once.
        app.post_empty(&ticket_path(id, "/reopen"), Some(&buyer.token)).await.expect_status(200);
        app.post_empty(&ticket_path(id, "/close"), Some(&agent.token)).await.expect_status(200);
        assert_eq!(app.count("desk_follow_ups", "done_at IS NULL").await, 1);
        assert_eq!(app.count("outbox_events", "topic = 'desk.survey_requested'").await, 1, "asked once");
    }

    async fn two_agents_taking_one_ticket_at_once_one_wins(app) {
        let a = app.agent().await;
        let b = app.staff("13900000911", farmgate_identity::PlatformRole::AfterSalesAgent).await;
        let buyer = app.consumer().await;
        let id = open(&app, &buyer, complaint()).await.id();
        let take = ticket_path(id, "/take");

        let answers = app.send_all(vec![
            app.http.post(app.url(&take)).bearer_auth(&a.token),
            app.http.post(app.url(&take)).bearer_auth(&b.token),
        ]).await;

        let won = answers.iter().filter(|r| r.status == 200).count();
        let lost: Vec<_> = answers.iter().filter(|r| r.status == 409).map(|r| r.code().to_owned()).collect();
        assert_eq!(won, 1, "{:?}", answers.iter().map(|r| &r.text).collect::<Vec<_>>());
        assert_eq!(lost, vec!["already_assigned".to_owned()]);
        assert_eq!(app.count("desk_ticket_events", "kind = 'assigned'").await, 1);
    }

    async fn assignment_by_hand_and_round_robin_among_agents_on_duty(app) {
        let a = app.agent().await;
        let b = app.staff("13900000911", farmgate_identity::PlatformRole::AfterSalesAgent).await;
        let buyer = app.consumer().await;
        let id = open(&app, &buyer, complaint()).await.id();
        let assign = ticket_path(id, "/assign");

        let none = app.post(&assign, json!({}), Some(&a.token)).await;
        assert_eq!(none.code(), "no_agent_on_duty");
        app.post(&assign, json!({"agent_id": Uuid::now_v7()}), Some(&a.token)).await.expect_status(404);
        on_duty(&app, &a).await;
        on_duty(&app, &b).await;
        let first = app.post(&assign, json!({}), Some(&a.token)).await.uuid("assignee.id");
        let second = open(&app, &buyer, complaint()).await.uuid("assignee.id");
        assert_ne!(first, second, "round-robin gives the next ticket to the other agent");
        let by_hand = app.post(&assign, json!({"agent_id": second}), Some(&a.token)).await;
        assert_eq!(by_hand.uuid("assignee.id"), second);
        let theirs = app.get(&format!("/api/v1/desk/queue?assignee={second}"), Some(&a.token)).await;
        assert_eq!(theirs.i64("total"), 2);
        let mine = app.get("/api/v1/desk/queue?mine=true", Some(&b.token)).await;
        assert_eq!(mine.i64("total"), if second == b.account_id { 2 } else { 0 });
    }

    async fn a_missed_deadline_marks_the_ticket_overdue_once_puts_it_first_and_assigns_it(app) {
        let agent = app.agent().await;
        let buyer = app.consumer().await;
        let later = open(&app, &buyer, json!({"kind": "suggestion", "subject": "建议", "body": "增加夜间配送"})).await.id();
        let id = open(&app, &buyer, complaint()).await.id();
        on_duty(&app, &agent).await;

        app.clock.advance(chrono::Duration::hours(8) + chrono::Duration::minutes(1));
        app.outbox_drained().await;

        let t = app.get(&ticket_path(id, ""), Some(&agent.token)).await;
        assert!(t.bool("overdue"));
        assert!(t.i64("seconds_left") < 0);
        assert_eq!(t.uuid("assignee.id"), agent.account_id, "nobody took it: round-robin at the deadline");
        assert!(t.strings("events", "kind").contains(&"overdue".to_owned()));
        assert_eq!(app.count("outbox_events", "topic = 'desk.ticket_overdue'").await, 1);
        let queue = app.get("/api/v1/desk/queue", Some(&agent.token)).await;
        assert_eq!(queue.uuid("items.0.id"), id, "overdue first");
        assert_eq!(queue.uuid("items.1.id"), later);
        let overdue = app.get("/api/v1/desk/queue?overdue=true", Some(&agent.token)).await;
        assert_eq!(overdue.i64("total"), 1);
    }

    async fn deadlines_are_scheduled_in_the_database_and_survive_a_restart(app) {
        let buyer = app.consumer().await;
        let id = open(&app, &buyer, json!({"kind": "account_problem", "subject": "登录不了", "body": "验证码收不到"})).await.id();
        let mut app = app;
        app.stop().await;

        let again = app.start_on_same_database().await;
        again.clock.advance(chrono::Duration::hours(9));
        again.outbox_drained().await;

        let overdue = again.get(&ticket_path(id, ""), Some(&again.agent().await.token)).await;
        assert!(overdue.bool("overdue"));
        assert_eq!(again.count("desk_tickets", "response_overdue_at IS NOT NULL").await, 1);
        assert_eq!(again.count("outbox_events", "topic = 'desk.ticket_overdue'").await, 1);
    }

    async fn an_agent_merges_a_duplicate_of_the_same_customer_only(app) {
        let agent = app.agent().await;
        let buyer = app.consumer().await;
        let other = app.consumer().named("李四").await;
        let keep = open(&app, &buyer, complaint()).await.id();
        let dup = open(&app, &buyer, complaint()).await.id();
        let strangers = open(&app, &other, complaint()).await.id();

        let r = app.post(&ticket_path(dup, "/merge"), json!({"into": strangers}), Some(&agent.token)).await;
        assert_eq!(r.field_code("into"), Some("other_customer"));
        let r = app.post(&ticket_path(dup, "/merge"), json!({"into": dup}), Some(&agent.token)).await;
        assert_eq!(r.field_code("into"), Some("invalid"));
        let merged = app.post(&ticket_path(dup, "/merge"), json!({"into": keep}), Some(&agent.token)).await;
        merged.expect_status(200);
        assert_eq!(merged.str("status"), "merged");
        assert_eq!(merged.uuid("merged_into"), keep);
        let after = app.post(&ticket_path(dup, "/messages"), json!({"body": "还有吗"}), Some(&buyer.token)).await;
        assert_eq!(after.code(), "ticket_merged");
        let queue = app.get("/api/v1/desk/queue", Some(&agent.token)).await;
        assert_eq!(queue.i64("total"), 2, "the duplicate leaves the queue");
    }

    async fn the_operator_sets_limits_agents_keep_canned_replies_and_urgency_moves_deadlines(app) {
        let op = app.operator().await;
        let agent = app.agent().await;
        let buyer = app.consumer().await;

        let bad = app.put("/api/v1/desk/limits", json!({"limits": [{"kind": "other", "urgency": "normal", "respond_minutes": 60, "resolve_minutes": 30}]}), Some(&op.token)).await;
        assert_eq!(bad.field_code("limits[0]"), Some("out_of_range"));
        let set = app.put("/api/v1/desk/limits", json!({"limits": [{"kind": "other", "urgency": "normal", "respond_minutes": 30, "resolve_minutes": 240}]}), Some(&op.token)).await;
        set.expect_status(200);
        assert_eq!(set.len_of(""), 20);
        let t = open(&app, &buyer, json!({"kind": "other", "subject": "问题", "body": "内容"})).await;
        assert!(about(t.i64("seconds_left"), 30 * 60), "the new limit applies: {}", t.text);
        let urgent = app.post(&ticket_path(t.id(), "/urgency"), json!({"urgency": "urgent"}), Some(&agent.token)).await;
        urgent.expect_status(200);
        assert!(about(urgent.i64("seconds_left"), 60 * 60), "urgent: the default hour from the opening: {}", urgent.text);

        let c = app.post("/api/v1/desk/canned-replies", json!({"title": "已联系商家", "body": "您好，我们已联系商家，会尽快答复您。"}), Some(&agent.token)).await;
        c.expect_status(201);
        let too_long = app.post("/api/v1/desk/canned-replies", json!({"title": "x".repeat(61), "body": "y"}), Some(&agent.token)).await;
        assert_eq!(too_long.field_code("title"), Some("too_long"));
        app.put(&format!("/api/v1/desk/canned-replies/{}", c.id()), json!({"title": "已联系商家", "body": "新的内容", "active": false}), Some(&agent.token)).await.expect_status(200);
        assert_eq!(app.get("/api/v1/desk/canned-replies", Some(&agent.token)).await.len_of(""), 0);
        assert_eq!(app.get("/api/v1/desk/canned-replies?all=true", Some(&agent.token)).await.len_of(""), 1);
        app.put(&format!("/api/v1/desk/canned-replies/{}", Uuid::now_v7()), json!({"title": "a", "body": "b"}), Some(&agent.token)).await.expect_status(404);
    }

    async fn the_figures_measure_response_resolution_reopens_satisfaction_and_follow_ups(app) {
        let agent = app.agent().await;
        on_duty(&app, &agent).await;
        let buyer = app.consumer().await;
        let today = app.today_in_china();
        let a = open(&app, &buyer, complaint()).await.id();
        let b = open(&app, &buyer, json!({"kind": "suggestion", "subject": "建议", "body": "多上新品"})).await.id();
        app.clock.advance(chrono::Duration::minutes(30));
        app.post(&ticket_path(a, "/messages"), json!({"body": "收到"}), Some(&agent.token)).await.expect_status(201);
        app.post_empty(&ticket_path(a, "/close"), Some(&agent.token)).await.expect_status(200);
        app.post(&ticket_path(a, "/survey"), json!({"speed": 4, "attitude": 5, "result": 3}), Some(&buyer.token)).await.expect_status(200);
        app.post(&ticket_path(a, "/follow-up"), json!({"outcome": "satisfied"}), Some(&agent.token)).await.expect_status(200);
        app.post_empty(&ticket_path(b, "/close"), Some(&agent.token)).await.expect_status(200);
        app.post_empty(&ticket_path(b, "/reopen"), Some(&buyer.token)).await.expect_status(200);

        let f = app.get(&format!("/api/v1/desk/figures?from={today}&to={today}"), Some(&agent.token)).await;

        f.expect_status(200);
        assert_eq!(f.i64("total.tickets"), 2);
        assert_eq!(f.i64("total.first_response_p50_minutes"), 30);
        assert_eq!(f.at("total.responded_within_limit").as_f64(), Some(1.0));
        assert_eq!(f.at("total.reopen_rate").as_f64(), Some(0.5));
        assert_eq!(f.at("total.satisfaction.result").as_f64(), Some(3.0));
        assert_eq!(f.at("total.follow_up_completion").as_f64(), Some(0.5));
        assert_eq!(f.uuid("groups.0.key"), agent.account_id);
        let by_kind = app.get(&format!("/api/v1/desk/figures?from={today}&to={today}&group=kind"), Some(&agent.token)).await;
        assert_eq!(by_kind.len_of("groups"), 2);
        let r = app.get("/api/v1/desk/figures?from=2026-02-01&to=2026-01-01", Some(&agent.token)).await;
        assert_eq!(r.field_code("to"), Some("out_of_range"));
        app.get("/api/v1/desk/figures?from=yesterday&to=2026-01-01", Some(&agent.token)).await.expect_status(400);
    }

    async fn the_operators_problem_customer_record_shows_to_agents_on_that_persons_tickets(app) {
        let op = app.operator().await;
        let agent = app.agent().await;
        let buyer = app.consumer().await;
        let id = open(&app, &buyer, complaint()).await.id();

        let bad = app.post("/api/v1/desk/customer-records", json!({"account_id": Uuid::now_v7(), "kind": "malicious_claims", "evidence": "x", "decision": "y"}), Some(&op.token)).await;
        assert_eq!(bad.field_code("account_id"), Some("not_found"));
        let rec = app.post("/api/v1/desk/customer-records", json!({"account_id": buyer.account_id, "kind": "malicious_claims", "evidence": "三个月内 5 次索赔均无破损照片", "decision": "索赔需提供面单照片"}), Some(&op.token)).await;
        rec.expect_status(201);

        let seen = app.get(&ticket_path(id, ""), Some(&agent.token)).await;
        assert_eq!(seen.str("customer_records.0.kind"), "malicious_claims");
        let own = app.get(&ticket_path(id, ""), Some(&buyer.token)).await;
        assert_eq!(own.len_of("customer_records"), 0, "never shown to the customer");
        let w = app.post_empty(&format!("/api/v1/desk/customer-records/{}/withdraw", rec.id()), Some(&op.token)).await;
        w.expect_status(200);
        assert_eq!(w.uuid("withdrawn_by"), op.account_id);
        let all = app.get(&format!("/api/v1/desk/customer-records?account_id={}", buyer.account_id), Some(&agent.token)).await;
        assert_eq!(all.len_of(""), 1, "kept, marked withdrawn");
    }

    async fn my_data_holds_my_tickets_without_internal_notes_and_nobody_elses(app) {
        let agent = app.agent().await;
        let buyer = app.consumer().await;
        let other = app.consumer().named("李四").await;
        let id = open(&app, &buyer, complaint()).await.id();
        open(&app, &other, json!({"kind": "other", "subject": "别人的工单", "body": "不该出现"})).await.expect_status(201);
        app.post(&ticket_path(id, "/messages"), json!({"body": "内部：该客户多次来电", "internal": true}), Some(&agent.token)).await.expect_status(201);

        let r = app.get("/api/v1/me/export", Some(&buyer.token)).await;

        r.expect_status(200);
        let tickets = r.arr("desk.tickets");
        assert_eq!(tickets.len(), 1, "{}", r.text);
        assert_eq!(tickets[0]["id"], id.to_string());
        assert!(!r.text.contains("别人的工单") && !r.text.contains("内部：该客户"), "{}", r.text);
    }
}
