//! From an outbox event to the notifications it makes: the rule's audience resolved through
//! the room that owns the event (identity's members, orders' buyers, after-sales' claims and
//! recalls), with the parameters the kind's texts use.

use super::Planned;
use crate::Notify;
use crate::domain::NotificationKind;
use crate::domain::rules::{Audience, Rule, rules_for};
use crate::error::Result;
use farmgate_aftersales::domain::ClaimStatus;
use farmgate_aftersales::read::notify as aftersales;
use farmgate_desk::domain::TicketId;
use farmgate_identity::read::notify as people;
use farmgate_infra::outbox::OutboxEvent;
use farmgate_kernel::id::{AccountId, ClaimId, OrderId, OrgId, RecallId, SubOrderId};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct OrderRef {
    order_id: OrderId,
}

#[derive(Deserialize)]
struct SubOrderRef {
    sub_order_id: SubOrderId,
}

#[derive(Deserialize)]
struct ClaimRef {
    claim_id: ClaimId,
    /// `aftersales.deadline_near`: whose deadline (`seller` or `buyer`) and when it is.
    #[serde(default)]
    party: Option<String>,
    #[serde(default)]
    due: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Deserialize)]
struct RecallRef {
    recall_id: RecallId,
}

#[derive(Deserialize)]
struct OrgRef {
    org_id: OrgId,
}

/// The fields of an `orders.credit_*` statement event this reads (the buyer is the
/// statement's own).
#[derive(Deserialize)]
struct StatementRef {
    statement_id: uuid::Uuid,
}

/// The fields of an `orders.rfq_*` event: whom to tell, about which RFQ.
#[derive(Deserialize)]
struct RfqRef {
    org_id: OrgId,
    rfq_id: uuid::Uuid,
}

#[derive(Deserialize)]
struct PayoutRef {
    payout_id: farmgate_finance::domain::PayoutId,
}

#[derive(Deserialize)]
struct RevisionRef {
    revision_id: farmgate_catalog::domain::RevisionId,
}

#[derive(Deserialize)]
struct InvitationRef {
    invitation_id: farmgate_identity::domain::InvitationId,
}

/// The fields of an `orders.review_*` event.
#[derive(Deserialize)]
struct ReviewRef {
    review_id: uuid::Uuid,
    #[serde(default)]
    moderation_id: Option<uuid::Uuid>,
}

/// The fields of an `orders.standing_*` event: the texts' parameters travel with it.
#[derive(Deserialize)]
struct StandingRef {
    standing_order_id: uuid::Uuid,
    #[serde(default)]
    org_id: Option<OrgId>,
    #[serde(default)]
    account_id: Option<AccountId>,
    #[serde(default)]
    order_id: Option<uuid::Uuid>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    order: Option<String>,
    #[serde(default)]
    lines: Option<String>,
    #[serde(default)]
    short: Option<String>,
}

/// The fields of a `desk.*` event the desk's audiences read (each topic carries some).
#[derive(Deserialize)]
struct TicketRef {
    ticket_id: TicketId,
    #[serde(default)]
    author_role: Option<String>,
    #[serde(default)]
    opener_account_id: Option<AccountId>,
    #[serde(default)]
    assignee_id: Option<AccountId>,
}

/// The fields of a `desk.conversation_message` event.
#[derive(Deserialize)]
struct ConversationRef {
    conversation_id: uuid::Uuid,
    recipient_side: String,
    #[serde(default)]
    author_account_id: Option<AccountId>,
    buyer_account_id: AccountId,
    seller_org_id: OrgId,
}

fn parse<T: serde::de::DeserializeOwned>(event: &OutboxEvent) -> Result<T> {
    event
        .parse()
        .map_err(|e| crate::NotifyError::Internal(e.to_string()))
}

impl Notify {
    /// Everything `event` makes under every rule for its topic.
    pub async fn plan(&self, event: &OutboxEvent) -> Result<Vec<Planned>> {
        let mut out = Vec::new();
        for rule in rules_for(&event.topic) {
            out.extend(self.plan_rule(rule, event).await?);
        }
        Ok(out)
    }

    /// The members of an organisation, each given the same notification.
    pub(crate) async fn to_members(
        &self,
        org: OrgId,
        kind: NotificationKind,
        subject: uuid::Uuid,
        params: &serde_json::Value,
        link: &str,
    ) -> Result<Vec<Planned>> {
        let members = people::org_members(&self.infra().db, org).await?;
        Ok(members
            .into_iter()
            .map(|m| Planned {
                recipient: m,
                kind,
                subject: Some(subject),
                params: params.clone(),
                link: Some(link.to_owned()),
            })
            .collect())
    }

    async fn plan_rule(&self, rule: &Rule, event: &OutboxEvent) -> Result<Vec<Planned>> {
        let db = &self.infra().db;
        let kind = rule.kind;
        let one =
            |recipient: AccountId, subject, params: serde_json::Value, link: String| Planned {
                recipient,
                kind,
                subject: Some(subject),
                params,
                link: Some(link),
            };
        match rule.audience {
            Audience::PaidOrderSellers => {
                let r: OrderRef = parse(event)?;
                let Some(order) = farmgate_orders::read::notify::paid_order(db, r.order_id).await?
                else {
                    return Ok(Vec::new());
                };
                let mut out = Vec::new();
                for part in order.parts {
                    let params = json!({ "order": part.number });
                    out.extend(
                        self.to_members(
                            part.seller,
                            kind,
                            part.id.0,
                            &params,
                            "/seller/orders.html",
                        )
                        .await?,
                    );
                }
                Ok(out)
            }
            Audience::SubOrderSeller | Audience::SubOrderParties => {
                let r: SubOrderRef = parse(event)?;
                let Some(sub) =
                    farmgate_orders::read::notify::sub_order(db, r.sub_order_id).await?
                else {
                    return Ok(Vec::new());
                };
                let params = json!({ "order": sub.number });
                let mut out = self
                    .to_members(sub.seller, kind, sub.id.0, &params, "/seller/orders.html")
                    .await?;
                if rule.audience == Audience::SubOrderParties {
                    out.push(one(
                        sub.buyer,
                        sub.id.0,
                        params,
                        format!("/order.html?id={}", sub.order_id),
                    ));
                }
                Ok(out)
            }
            Audience::SubOrderBuyer => {
                let r: SubOrderRef = parse(event)?;
                let Some(sub) =
                    farmgate_orders::read::notify::sub_order(db, r.sub_order_id).await?
                else {
                    return Ok(Vec::new());
                };
                let tracking = match (&sub.carrier, &sub.tracking_no) {
                    (Some(c), Some(t)) => format!("{c} {t}"),
                    (None, Some(t)) => t.clone(),
                    _ => "-".to_owned(),
                };
                Ok(vec![one(
                    sub.buyer,
                    sub.id.0,
                    json!({ "order": sub.number, "tracking": tracking }),
                    format!("/order.html?id={}", sub.order_id),
                )])
            }
            Audience::ClaimSeller
            | Audience::ClaimParties
            | Audience::ClaimBuyer
            | Audience::ClaimDeadlineParty
            | Audience::ClaimOperators => {
                let r: ClaimRef = parse(event)?;
                let Some(claim) = aftersales::claim(db, r.claim_id).await? else {
                    return Ok(Vec::new());
                };
                // A reminder only while the claim still waits for that party by that deadline
                // (an answer since, or a deadline moved, makes it moot).
                let (to_seller, to_buyer) = match rule.audience {
                    Audience::ClaimSeller => (true, false),
                    Audience::ClaimParties => (true, true),
                    Audience::ClaimBuyer => (false, true),
                    Audience::ClaimDeadlineParty => {
                        let still = |status, deadline: Option<chrono::DateTime<chrono::Utc>>| {
                            // The stored deadline may be rounded (PostgreSQL keeps
                            // microseconds): the same deadline within a second.
                            claim.status == status
                                && deadline.zip(r.due).is_some_and(|(d, due)| {
                                    (d - due).num_milliseconds().abs() < 1000
                                })
                        };
                        match r.party.as_deref() {
                            Some("seller") => (
                                still(ClaimStatus::AwaitingSeller, Some(claim.respond_by)),
                                false,
                            ),
                            Some("buyer") => {
                                (false, still(ClaimStatus::AwaitingBuyer, claim.answer_by))
                            }
                            _ => (false, false),
                        }
                    }
                    _ => (false, false),
                };
                let order = farmgate_orders::read::notify::sub_order(db, claim.sub_order)
                    .await?
                    .map(|s| s.number)
                    .unwrap_or_default();
                // `status` is for the text message template only (`claim`, `status`).
                let status = if claim.status == ClaimStatus::Resolved {
                    "已处理"
                } else {
                    "待处理"
                };
                let due = r
                    .due
                    .map(farmgate_kernel::clock::format_shanghai)
                    .unwrap_or_default();
                let params =
                    json!({ "claim": claim.number, "order": order, "status": status, "due": due });
                let mut out = Vec::new();
                if rule.audience == Audience::ClaimOperators {
                    for op in people::operators(db).await? {
                        out.push(one(
                            op,
                            claim.id.0,
                            params.clone(),
                            "/ops/claims.html".to_owned(),
                        ));
                    }
                }
                if to_seller {
                    out.extend(
                        self.to_members(
                            claim.seller,
                            kind,
                            claim.id.0,
                            &params,
                            "/seller/claims.html",
                        )
                        .await?,
                    );
                }
                if to_buyer {
                    out.push(one(
                        claim.buyer,
                        claim.id.0,
                        params,
                        format!("/claim.html?id={}", claim.id),
                    ));
                }
                Ok(out)
            }
            Audience::RecallBuyers => {
                let r: RecallRef = parse(event)?;
                let Some(recall) = aftersales::recall(db, r.recall_id).await? else {
                    return Ok(Vec::new());
                };
                Ok(recall
                    .buyers
                    .into_iter()
                    .map(|b| {
                        one(
                            b.buyer,
                            recall.id.0,
                            json!({ "product": b.product, "batch": recall.lot }),
                            "/orders.html".to_owned(),
                        )
                    })
                    .collect())
            }
            Audience::OrgMembers => {
                let r: OrgRef = parse(event)?;
                let name = self
                    .identity()
                    .org_summary(r.org_id)
                    .await?
                    .map(|o| o.name)
                    .unwrap_or_default();
                self.to_members(
                    r.org_id,
                    kind,
                    r.org_id.0,
                    &json!({ "org": name }),
                    &format!("/org.html?id={}", r.org_id),
                )
                .await
            }
            Audience::CreditStatementBuyer | Audience::CreditFinance => {
                let r: StatementRef = parse(event)?;
                let Some(st) =
                    farmgate_orders::read::notify::credit_statement(db, r.statement_id).await?
                else {
                    return Ok(Vec::new());
                };
                // Paid since the event was written: nothing to say.
                if st.left_fen == 0 {
                    return Ok(Vec::new());
                }
                let name = self
                    .identity()
                    .org_summary(st.org)
                    .await?
                    .map(|o| o.name)
                    .unwrap_or_default();
                let params = json!({
                    "org": name,
                    "month": st.month,
                    "left": farmgate_kernel::Money::from_fen(st.left_fen).to_string(),
                    "due": st.due_date.to_string(),
                });
                if rule.audience == Audience::CreditFinance {
                    return Ok(people::finance(db)
                        .await?
                        .into_iter()
                        .map(|f| {
                            one(
                                f,
                                r.statement_id,
                                params.clone(),
                                "/credit-terms.html".to_owned(),
                            )
                        })
                        .collect());
                }
                self.to_members(st.org, kind, r.statement_id, &params, "/credit-terms.html")
                    .await
            }
            Audience::RfqOrg => {
                let r: RfqRef = parse(event)?;
                let Some(rfq) = farmgate_orders::read::rfq::rfq(db, r.rfq_id).await? else {
                    return Ok(Vec::new());
                };
                self.to_members(
                    r.org_id,
                    kind,
                    r.rfq_id,
                    &json!({ "rfq": rfq.number, "title": rfq.title }),
                    &format!("/rfq.html?id={}", r.rfq_id),
                )
                .await
            }
            Audience::PayoutSeller => {
                let r: PayoutRef = parse(event)?;
                let Some(p) = farmgate_finance::read::notify::paid_payout(db, r.payout_id).await?
                else {
                    return Ok(Vec::new());
                };
                let params = json!({
                    "amount": p.amount.to_string(),
                    "batch": p.batch,
                    "reference": p.reference,
                });
                self.to_members(
                    p.seller,
                    kind,
                    p.id.as_uuid(),
                    &params,
                    "/seller/payouts.html",
                )
                .await
            }
            Audience::ListingSeller => {
                let r: RevisionRef = parse(event)?;
                let Some(d) = farmgate_catalog::read::notify::decision(db, r.revision_id).await?
                else {
                    return Ok(Vec::new());
                };
                let params = json!({
                    "listing": d.title,
                    "reason": d.reason.unwrap_or_else(|| "-".to_owned()),
                });
                self.to_members(
                    d.seller,
                    kind,
                    r.revision_id.as_uuid(),
                    &params,
                    &format!("/seller/edit.html?id={}", d.listing),
                )
                .await
            }
            Audience::Invitee => {
                let r: InvitationRef = parse(event)?;
                let Some(inv) = people::invitation(db, r.invitation_id).await? else {
                    return Ok(Vec::new());
                };
                Ok(vec![one(
                    inv.invitee,
                    inv.id.as_uuid(),
                    json!({ "org": inv.org_name }),
                    "/account.html#invitations".to_owned(),
                )])
            }
            Audience::TicketOtherParty | Audience::TicketAssignee | Audience::TicketOpener => {
                let r: TicketRef = parse(event)?;
                let recipient = match rule.audience {
                    Audience::TicketOtherParty if r.author_role.as_deref() == Some("agent") => {
                        r.opener_account_id
                    }
                    Audience::TicketOtherParty | Audience::TicketAssignee => r.assignee_id,
                    _ => r.opener_account_id,
                };
                let Some(recipient) = recipient else {
                    return Ok(Vec::new());
                };
                let Some(ticket) = farmgate_desk::read::notify::ticket(db, r.ticket_id).await?
                else {
                    return Ok(Vec::new());
                };
                // The customer reads the ticket on its page; an agent (the assignee, or the
                // other party of a customer's reply) at the desk.
                let for_customer = Some(recipient) == r.opener_account_id
                    && rule.audience != Audience::TicketAssignee;
                let link = if for_customer {
                    format!("/ticket.html?id={}", ticket.id)
                } else {
                    format!("/ops/desk.html?ticket={}", ticket.id)
                };
                Ok(vec![one(
                    recipient,
                    ticket.id.0,
                    json!({ "ticket": ticket.number, "subject": ticket.subject }),
                    link,
                )])
            }
            Audience::StandingSeller | Audience::StandingOrderer => {
                let r: StandingRef = parse(event)?;
                let dash = || "-".to_owned();
                let params = json!({
                    "period": r.period.clone().unwrap_or_else(dash),
                    "order": r.order.clone().unwrap_or_else(dash),
                    "lines": r.lines.clone().unwrap_or_else(dash),
                    "short": r.short.clone().unwrap_or_else(dash),
                });
                // One notice per period's order; the standing order itself when there is none.
                let subject = r.order_id.unwrap_or(r.standing_order_id);
                match (rule.audience, r.org_id, r.account_id) {
                    (Audience::StandingSeller, Some(org), _) => {
                        self.to_members(
                            org,
                            kind,
                            subject,
                            &params,
                            &format!("/seller/standing-orders.html?id={}", r.standing_order_id),
                        )
                        .await
                    }
                    (Audience::StandingOrderer, _, Some(account)) => Ok(vec![one(
                        account,
                        subject,
                        params,
                        format!("/standing-orders.html?id={}", r.standing_order_id),
                    )]),
                    _ => Ok(Vec::new()),
                }
            }
            Audience::ReviewAuthor => {
                let r: ReviewRef = parse(event)?;
                let Some(review) =
                    farmgate_orders::read::notify::review(db, r.review_id, r.moderation_id).await?
                else {
                    return Ok(Vec::new());
                };
                let params = json!({
                    "product": review.product,
                    "order": review.number,
                    "reason": review.reason.unwrap_or_else(|| "-".to_owned()),
                });
                // Each move is its own outbox event, so hidden, restored and hidden again are
                // three notices; a retried event is the same one.
                Ok(vec![one(
                    review.buyer,
                    review.id,
                    params,
                    format!("/order.html?id={}", review.order_id),
                )])
            }
            Audience::ConversationRecipient => {
                let r: ConversationRef = parse(event)?;
                let Some(c) =
                    farmgate_desk::read::notify::conversation(db, r.conversation_id).await?
                else {
                    return Ok(Vec::new());
                };
                if r.recipient_side == "buyer" {
                    let params = json!({ "topic": c.title, "from": c.seller_name });
                    return Ok(vec![one(
                        r.buyer_account_id,
                        c.id,
                        params,
                        format!("/conversation.html?id={}", c.id),
                    )]);
                }
                let params = json!({ "topic": c.title, "from": c.buyer_name });
                let mut out = self
                    .to_members(
                        r.seller_org_id,
                        kind,
                        c.id,
                        &params,
                        &format!("/conversation.html?id={}", c.id),
                    )
                    .await?;
                // A member who wrote is not told of their own message.
                out.retain(|p| Some(p.recipient) != r.author_account_id);
                Ok(out)
            }
        }
    }
}
