//! The follow-up call (回访) after a claim (#18), through the real server: when after-sales
//! resolves a claim, the desk learns it from the `aftersales.resolved` outbox event and owes
//! one follow-up call to an agent on duty — once, however often the event is handled and by
//! however many workers — listed with the tickets' follow-ups; the agent records the outcome
//! once. And the attacks: a customer or a seller recording it, an unknown id, a bad outcome.

use farmgate_desk::ClaimResolvedJob;
use farmgate_infra::outbox::entity::event;
use farmgate_infra::outbox::{OutboxEvent, OutboxHandler};
use farmgate_tests::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// A received order whose claim the seller rejected and the buyer accepted: resolved.
async fn resolved_claim(app: &TestApp) -> (ReceivedOrder, Uuid) {
    let parcel = app.received_order(3).await;
    let claim = app
        .claim(&parcel.buyer, parcel.sub_order_id, parcel.line_id, 1)
        .await;
    app.post(
        &format!("/api/v1/claims/{}/respond", claim.id),
        json!({"decision": "reject", "reason": "签收时外箱完好，照片中橙子无破损"}),
        Some(&parcel.seller.owner.token),
    )
    .await
    .expect_status(200);
    let acc = app
        .post_empty(
            &format!("/api/v1/claims/{}/accept", claim.id),
            Some(&parcel.buyer.token),
        )
        .await;
    acc.expect_status(200);
    assert_eq!(acc.str("status"), "resolved");
    app.outbox_drained().await;
    (parcel, claim.id)
}

async fn resolved_events(app: &TestApp) -> Vec<OutboxEvent> {
    event::Entity::find()
        .filter(event::Column::Topic.eq("aftersales.resolved"))
        .all(&app.state.infra.db)
        .await
        .expect("outbox query")
        .into_iter()
        .map(|e| OutboxEvent {
            id: e.id,
            topic: e.topic,
            payload: e.payload,
            created_at: e.created_at,
            attempts: e.attempts,
        })
        .collect()
}

both_backends! {
    async fn a_resolved_claim_owes_one_follow_up_call_to_an_agent_on_duty_even_when_the_event_is_handled_again(app) {
        let agent = app.agent().await;
        app.put("/api/v1/desk/agents", json!({"on_duty": true}), Some(&agent.token)).await.expect_status(200);
        let (parcel, claim) = resolved_claim(&app).await;

        assert_eq!(app.count("desk_claim_follow_ups", "1=1").await, 1);
        let owed = app.get("/api/v1/desk/follow-ups?mine=true", Some(&agent.token)).await;
        owed.expect_status(200);
        let item = owed.find("", "source", "claim");
        assert_eq!(item.uuid("claim_id"), claim);
        assert!(item["ticket_id"].is_null());
        assert_eq!(item.uuid("agent_id"), agent.account_id, "round-robin to the agent on duty");
        assert_eq!(item.str("contact_phone"), parcel.buyer.phone.as_str(), "the agent has the number to call");

        // A worker retrying, and two workers at once: still one task.
        let events = resolved_events(&app).await;
        assert_eq!(events.len(), 1);
        let job = ClaimResolvedJob::new(app.state.desk.clone());
        let other = ClaimResolvedJob::new(app.state.desk.clone());
        job.handle(&events[0]).await.expect("handled again");
        let (a, b) = tokio::join!(job.handle(&events[0]), other.handle(&events[0]));
        a.expect("worker a");
        b.expect("worker b");
        assert_eq!(app.count("desk_claim_follow_ups", "1=1").await, 1);

        // Recorded once, by an agent.
        let id = item.uuid("id");
        let path = format!("/api/v1/desk/claim-follow-ups/{id}");
        app.post(&path, json!({"outcome": "satisfied"}), Some(&parcel.buyer.token)).await.expect_status(403);
        app.post(&path, json!({"outcome": "satisfied"}), Some(&parcel.seller.owner.token)).await.expect_status(403);
        app.post(&path, json!({"outcome": "delighted"}), Some(&agent.token)).await.expect_status(422);
        app.post(&path, json!({"outcome": "satisfied", "note": "长".repeat(1001)}), Some(&agent.token)).await.expect_status(422);
        app.post(&format!("/api/v1/desk/claim-follow-ups/{}", Uuid::now_v7()), json!({"outcome": "satisfied"}), Some(&agent.token)).await.expect_status(404);
        app.post("/api/v1/desk/claim-follow-ups/not-an-id", json!({"outcome": "satisfied"}), Some(&agent.token)).await.expect_status(404);
        assert_eq!(app.count("desk_claim_follow_ups", "done_at IS NOT NULL").await, 0, "nothing half-written");
        let done = app.post(&path, json!({"outcome": "satisfied", "note": "客户认可处理结果"}), Some(&agent.token)).await;
        done.expect_status(200);
        assert_eq!(done.str("outcome"), "satisfied");
        assert!(!done.body["done_at"].is_null());
        let again = app.post(&path, json!({"outcome": "unreachable"}), Some(&agent.token)).await;
        again.expect_status(409);
        assert_eq!(again.code(), "already_followed_up");

        // No longer owed; handling the event again makes no new task.
        let owed = app.get("/api/v1/desk/follow-ups", Some(&agent.token)).await;
        assert!(!owed.text.contains(&claim.to_string()), "{}", owed.text);
        job.handle(&events[0]).await.expect("handled again");
        assert_eq!(app.count("desk_claim_follow_ups", "1=1").await, 1);
    }

    async fn with_nobody_on_duty_the_claim_follow_up_waits_unassigned_for_any_agent(app) {
        let agent = app.agent().await;
        let (_parcel, claim) = resolved_claim(&app).await;
        let mine = app.get("/api/v1/desk/follow-ups?mine=true", Some(&agent.token)).await;
        assert!(!mine.text.contains(&claim.to_string()));
        let all = app.get("/api/v1/desk/follow-ups", Some(&agent.token)).await;
        let item = all.find("", "source", "claim");
        assert!(item["agent_id"].is_null());
        let buyer = app.consumer().await;
        app.get("/api/v1/desk/follow-ups", Some(&buyer.token)).await.expect_status(403);
    }
}
