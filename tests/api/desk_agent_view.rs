//! One agent's own view of the desk (#18) through the real server: my tickets (the queue's
//! `mine=true`: assigned to me, overdue first, then the nearest deadline, each with its
//! countdown) and my figures over a period (the after-sales standard's measures over the
//! tickets assigned to me, per kind, and my claims' follow-ups) — mine only; the operator
//! sees anyone's. And the attacks: another agent's figures, a customer, a bad period.

use farmgate_tests::prelude::*;

const TICKETS: &str = "/api/v1/desk/tickets";

async fn open(app: &TestApp, who: &Session, kind: &str, subject: &str) -> Uuid {
    let r = app
        .post(
            TICKETS,
            json!({"kind": kind, "subject": subject, "body": "请尽快处理"}),
            Some(&who.token),
        )
        .await;
    r.expect_status(201);
    r.id()
}

async fn take(app: &TestApp, who: &Session, id: Uuid) {
    app.post_empty(&format!("{TICKETS}/{id}/take"), Some(&who.token))
        .await
        .expect_status(200);
}

both_backends! {
    async fn an_agent_sees_their_own_tickets_soonest_due_first_and_their_own_figures_only(app) {
        let me = app.agent().await;
        let colleague = app.staff("13900000912", farmgate_identity::PlatformRole::AfterSalesAgent).await;
        let op = app.operator().await;
        let buyer = app.consumer().await;
        let today = app.today_in_china();

        // Two of mine (a complaint and an urgent-by-kind account problem), one of a colleague.
        let slow = open(&app, &buyer, "suggestion", "建议").await;
        let soon = open(&app, &buyer, "seller_complaint", "商家不发货").await;
        let theirs = open(&app, &buyer, "other", "别的").await;
        take(&app, &me, slow).await;
        take(&app, &me, soon).await;
        take(&app, &colleague, theirs).await;

        let mine = app.get("/api/v1/desk/queue?mine=true", Some(&me.token)).await;
        mine.expect_status(200);
        assert_eq!(mine.i64("total"), 2, "{}", mine.text);
        let first = mine.i64("items.0.seconds_left");
        let second = mine.i64("items.1.seconds_left");
        assert!(first <= second, "due soonest first: {}", mine.text);
        assert!(!mine.text.contains(&theirs.to_string()));

        // Answer and close one, thirty minutes in.
        app.clock.advance(chrono::Duration::minutes(30));
        app.post(&format!("{TICKETS}/{soon}/messages"), json!({"body": "已联系商家"}), Some(&me.token)).await.expect_status(201);
        app.post_empty(&format!("{TICKETS}/{soon}/close"), Some(&me.token)).await.expect_status(200);
        app.post(&format!("{TICKETS}/{soon}/survey"), json!({"speed": 5, "attitude": 4, "result": 3}), Some(&buyer.token)).await.expect_status(200);

        let f = app.get(&format!("/api/v1/desk/agent-figures?from={today}&to={today}"), Some(&me.token)).await;
        f.expect_status(200);
        assert_eq!(f.uuid("agent_id"), me.account_id);
        assert_eq!(f.i64("total.tickets"), 2, "mine only: {}", f.text);
        assert_eq!(f.i64("total.closed"), 1);
        assert_eq!(f.i64("total.first_response_p50_minutes"), 30);
        assert_eq!(f.at("total.responded_within_limit").as_f64(), Some(1.0));
        assert_eq!(f.at("total.satisfaction.speed").as_f64(), Some(5.0));
        assert_eq!(f.at("total.follow_up_completion").as_f64(), Some(0.0), "a call is owed");
        assert_eq!(f.len_of("by_kind"), 2);
        assert_eq!(f.i64("claim_follow_ups_owed"), 0);
        // Naming oneself is the same.
        let same = app.get(&format!("/api/v1/desk/agent-figures?agent={}&from={today}&to={today}", me.account_id), Some(&me.token)).await;
        assert_eq!(same.i64("total.tickets"), 2);

        // Not a colleague's; the operator sees anyone's.
        let r = app.get(&format!("/api/v1/desk/agent-figures?agent={}&from={today}&to={today}", colleague.account_id), Some(&me.token)).await;
        r.expect_status(403);
        assert_eq!(r.code(), "forbidden");
        let theirs_seen = app.get(&format!("/api/v1/desk/agent-figures?agent={}&from={today}&to={today}", colleague.account_id), Some(&op.token)).await;
        theirs_seen.expect_status(200);
        assert_eq!(theirs_seen.i64("total.tickets"), 1);
        app.get(&format!("/api/v1/desk/agent-figures?agent={}&from={today}&to={today}", Uuid::now_v7()), Some(&op.token)).await.expect_status(404);

        // Customers have none; bad periods are refused.
        app.get(&format!("/api/v1/desk/agent-figures?from={today}&to={today}"), Some(&buyer.token)).await.expect_status(403);
        app.get(&format!("/api/v1/desk/agent-figures?from={today}&to={today}"), None).await.expect_status(401);
        let r = app.get("/api/v1/desk/agent-figures?from=2026-02-01&to=2026-01-01", Some(&me.token)).await;
        assert_eq!(r.field_code("to"), Some("out_of_range"));
        let r = app.get("/api/v1/desk/agent-figures?from=2024-01-01&to=2026-01-01", Some(&me.token)).await;
        assert_eq!(r.field_code("to"), Some("out_of_range"));
        app.get("/api/v1/desk/agent-figures?from=yesterday&to=2026-01-01", Some(&me.token)).await.expect_status(400);
        app.get(&format!("/api/v1/desk/agent-figures?agent=nobody&from={today}&to={today}"), Some(&me.token)).await.expect_status(400);
        app.get(&format!("/api/v1/desk/agent-figures?from={today}&to={today}&extra=1"), Some(&me.token)).await.expect_status(400);
    }
}
