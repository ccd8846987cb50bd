//! Opening a ticket: a customer from any page, or an agent registering a hotline call
//! (热线登记). The deadlines come from the kind and urgency, are stored on the ticket and
//! scheduled in the outbox; a customer's ticket goes round-robin to an agent on duty (or waits
//! in the queue), a hotline ticket to the agent who took the call.

use super::assign::next_agent;
use super::attachments::attach_all;
use super::limits::limit_for;
use super::read::{TicketRecord, Viewer};
use super::{MAX_TEXT, require_agent, topics};
use crate::Desk;
use crate::domain::{
    self, AuthorRole, DueKind, LinkKind, TicketChannel, TicketEventKind, TicketId, TicketKind,
    TicketStatus, TicketUrgency,
};
use crate::error::{DeskError, Result};
use crate::store::queries::attachments::Target;
use crate::store::queries::tickets;
use crate::store::{message, ticket};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, violates};
use farmgate_kernel::id::{ClaimId, ListingId, OrderId};
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, ValidationErrors};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

/// A ticket a customer opens.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    pub kind: TicketKind,
    /// One line, 1–100 characters.
    pub subject: String,
    /// What happened, 1–2000 characters.
    pub body: String,
    /// What the ticket is about, if anything: an order, listing or claim the opener may see.
    #[serde(default)]
    pub link_kind: Option<LinkKind>,
    #[serde(default)]
    pub link_id: Option<Uuid>,
    /// A phone to call back on (shown to agents only).
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// Photos uploaded with `POST /api/v1/desk/attachments` and not sent yet (at most 6).
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
}

/// A hotline call an agent registers.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HotlineCall {
    pub caller_name: String,
    /// A mobile or landline number.
    pub phone: String,
    pub kind: TicketKind,
    #[serde(default)]
    pub urgency: Option<TicketUrgency>,
    /// What the call was about, 1–2000 characters.
    pub summary: String,
}

/// What a new ticket is, once checked.
struct Opening {
    kind: TicketKind,
    urgency: TicketUrgency,
    channel: TicketChannel,
    opener: Option<Uuid>,
    opener_name: String,
    phone: Option<String>,
    subject: String,
    body: String,
    link: Option<(LinkKind, Uuid)>,
    /// The agent who registers a hotline call: assigned, and the call was the first response.
    agent: Option<(Uuid, String)>,
    /// The opener's `Idempotency-Key` and the hash of the request it came with.
    key: Option<(String, String)>,
    /// The opener's unsent photos, checked, sent with the first message.
    photos: Vec<Uuid>,
}

fn subject_of(summary: &str) -> String {
    let line = summary.lines().next().unwrap_or_default().trim();
    line.chars().take(100).collect()
}

impl Desk {
    /// A customer opens a ticket. Agents register calls instead (`hotline`). With an
    /// `Idempotency-Key`, a retry of the same request answers with the ticket the first one
    /// opened (`false`: nothing new), even when both arrive at once; the key with another
    /// request is `idempotency_key_reused`.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn open(
        &self,
        actor: &Actor,
        n: &NewTicket,
        idempotency_key: Option<&str>,
    ) -> Result<(TicketRecord, bool)> {
        if actor.is_platform_staff() {
            return Err(DeskError::Forbidden);
        }
        let key = match idempotency_key.map(str::trim) {
            Some(k) if k.chars().count() > 80 => {
                return Err(DeskError::Invalid(
                    FieldError::new(
                        "Idempotency-Key",
                        "too_long",
                        "Idempotency-Key 最长 80 个字符",
                        "Idempotency-Key is at most 80 characters",
                    )
                    .into(),
                ));
            }
            Some(k) if !k.is_empty() => Some(k.to_owned()),
            _ => None,
        };
        let hash = hex::encode(Sha256::digest(
            serde_json::to_vec(n).unwrap_or_default().as_slice(),
        ));
        let me = actor.account_id.as_uuid();
        if let Some(k) = &key
            && let Some(found) = self.by_key(me, k, &hash).await?
        {
            return Ok((found, false));
        }
        match self.open_new(actor, n, key.as_deref(), &hash).await {
            Ok(r) => Ok((r, true)),
            // The same key committed by a request running at the same moment (which may also
            // have sent the photos this one names): answer with its ticket (or refuse, when it
            // came with another request).
            Err(e) => {
                let same_key_won = matches!(&e, DeskError::Db(db) if violates(db, &tickets::IDEMPOTENCY))
                    || (matches!(&e, DeskError::Invalid(_)) && !n.attachment_ids.is_empty());
                match key.as_deref() {
                    Some(k) if same_key_won => match self.by_key(me, k, &hash).await? {
                        Some(found) => Ok((found, false)),
                        None => Err(e),
                    },
                    _ => Err(e),
                }
            }
        }
    }

    /// The ticket `opener` opened under `key`, if the request matches the first one.
    async fn by_key(&self, opener: Uuid, key: &str, hash: &str) -> Result<Option<TicketRecord>> {
        let Some(t) = tickets::by_idempotency_key(&self.infra().db, opener, key).await? else {
            return Ok(None);
        };
        if t.request_hash.as_deref() != Some(hash) {
            return Err(DeskError::KeyReused);
        }
        Ok(Some(self.record(t, Viewer::Customer).await?))
    }

    async fn open_new(
        &self,
        actor: &Actor,
        n: &NewTicket,
        key: Option<&str>,
        hash: &str,
    ) -> Result<TicketRecord> {
        let mut errs = ValidationErrors::new();
        let subject = errs.check("subject", clean_text(&n.subject, 1, 100, false));
        let body = errs.check("body", clean_text(&n.body, 1, MAX_TEXT, true));
        let phone = errs.check(
            "contact_phone",
            match clean_optional_text(n.contact_phone.as_deref(), 20, false) {
                Ok(Some(p)) => domain::contact_phone("contact_phone", &p).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            },
        );
        let link = match (n.link_kind, n.link_id) {
            (Some(k), Some(id)) => Some((k, id)),
            (None, None) => None,
            _ => {
                errs.push(FieldError::new(
                    "link_id",
                    "required",
                    "关联记录需同时给出类型和编号",
                    "a link needs both its kind and its id",
                ));
                None
            }
        };
        errs.finish()?;
        let (Some(subject), Some(body), Some(phone)) = (subject, body, phone) else {
            return Err(DeskError::Invalid(ValidationErrors::new()));
        };
        if let Some((kind, id)) = link {
            self.check_link(actor, kind, id).await?;
        }
        let photos = self.check_attachments(actor, &n.attachment_ids).await?;
        let t = self
            .create(Opening {
                kind: n.kind,
                urgency: TicketUrgency::Normal,
                channel: TicketChannel::Web,
                opener: Some(actor.account_id.as_uuid()),
                opener_name: actor.display_name.clone(),
                phone,
                subject,
                body,
                link,
                agent: None,
                key: key.map(|k| (k.to_owned(), hash.to_owned())),
                photos,
            })
            .await?;
        self.record(t, Viewer::Customer).await
    }

    /// An agent registers a hotline call (热线登记): assigned to them, and answered (the call
    /// was the first response).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn hotline(&self, actor: &Actor, c: &HotlineCall) -> Result<TicketRecord> {
        require_agent(actor)?;
        let mut errs = ValidationErrors::new();
        let name = errs.check("caller_name", clean_text(&c.caller_name, 1, 60, false));
        let phone = errs.check("phone", domain::contact_phone("phone", &c.phone));
        let summary = errs.check("summary", clean_text(&c.summary, 1, MAX_TEXT, true));
        errs.finish()?;
        let (Some(name), Some(phone), Some(summary)) = (name, phone, summary) else {
            return Err(DeskError::Invalid(ValidationErrors::new()));
        };
        self.register_agent(actor).await?;
        let t = self
            .create(Opening {
                kind: c.kind,
                urgency: c.urgency.unwrap_or(TicketUrgency::Normal),
                channel: TicketChannel::Hotline,
                opener: None,
                opener_name: name,
                phone: Some(phone),
                subject: subject_of(&summary),
                body: summary,
                link: None,
                agent: Some((actor.account_id.as_uuid(), actor.display_name.clone())),
                key: None,
                photos: Vec::new(),
            })
            .await?;
        self.record(t, Viewer::Agent).await
    }

    /// The link must be something the opener may see, asked of the room that owns it.
    async fn check_link(&self, actor: &Actor, kind: LinkKind, id: Uuid) -> Result<()> {
        match kind {
            LinkKind::Order => {
                self.inner.orders.order_for(actor, OrderId(id)).await?;
            }
            LinkKind::Listing => {
                self.inner
                    .catalog
                    .listing_for(Some(actor), ListingId(id))
                    .await?;
            }
            LinkKind::Claim => {
                self.inner.aftersales.claim_for(actor, ClaimId(id)).await?;
            }
        }
        Ok(())
    }

    async fn create(&self, o: Opening) -> Result<ticket::Model> {
        let now = self.now();
        let id = TicketId::new();
        let db = &self.infra().db;
        let txn = begin_write(db).await?;
        let limit = limit_for(&txn, o.kind, o.urgency).await?;
        let (respond_by, resolve_by) = (now + limit.respond(), now + limit.resolve());
        let assignee = match &o.agent {
            Some((a, _)) => {
                crate::store::queries::people::touch_assigned(&txn, *a, now).await?;
                Some(*a)
            }
            None => next_agent(&txn, now).await?,
        };
        let first_response_at = o.agent.as_ref().map(|_| now);
        let status = if o.agent.is_some() {
            TicketStatus::Answered
        } else {
            TicketStatus::Open
        };
        let number = domain::ticket_number(now, rand::rng().random());
        let t = ticket::Model {
            id: id.0,
            number,
            kind: o.kind,
            urgency: o.urgency,
            channel: o.channel,
            status,
            opener_account_id: o.opener,
            opener_name: o.opener_name.clone(),
            contact_phone: o.phone,
            subject: o.subject,
            link_kind: o.link.map(|l| l.0),
            link_id: o.link.map(|l| l.1),
            assignee_id: assignee,
            assigned_at: assignee.map(|_| now),
            respond_by,
            resolve_by,
            next_due_at: domain::next_due(status, first_response_at, respond_by, resolve_by),
            first_response_at,
            closed_at: None,
            first_closed_at: None,
            response_overdue_at: None,
            resolution_overdue_at: None,
            reopen_count: 0,
            merged_into: None,
            version: 0,
            created_at: now,
            updated_at: now,
            idempotency_key: o.key.as_ref().map(|k| k.0.clone()),
            request_hash: o.key.map(|k| k.1),
        };
        tickets::insert(&txn, t.clone()).await?;
        let (author_id, author_role, author_name) = match &o.agent {
            Some((a, n)) => (Some(*a), AuthorRole::Agent, n.clone()),
            None => (o.opener, AuthorRole::Customer, o.opener_name.clone()),
        };
        let first_message = Uuid::now_v7();
        tickets::insert_message(
            &txn,
            message::Model {
                id: first_message,
                ticket_id: id.0,
                author_id,
                author_role,
                author_name,
                internal: false,
                body: o.body,
                at: now,
            },
        )
        .await?;
        if let Some(opener) = o.opener {
            attach_all(
                &txn,
                &o.photos,
                opener,
                Target::Ticket {
                    ticket: id.0,
                    message: first_message,
                },
            )
            .await?;
        }
        let actor_id = o.agent.as_ref().map(|a| a.0).or(o.opener);
        tickets::insert_event(
            &txn,
            id.0,
            TicketEventKind::Opened,
            actor_id,
            json!({"kind": o.kind, "urgency": o.urgency, "channel": o.channel, "respond_by": respond_by, "resolve_by": resolve_by}),
            now,
        )
        .await?;
        if let Some(a) = assignee {
            self.assigned(&txn, id.0, a, actor_id.filter(|_| o.agent.is_some()), now)
                .await?;
        }
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::TICKET_OPENED,
                &json!({"ticket_id": id, "number": t.number, "opener_account_id": o.opener, "assignee_id": assignee, "channel": o.channel}),
            )
            .await?;
        if first_response_at.is_none() {
            self.schedule_due(&txn, id, DueKind::Response, respond_by)
                .await?;
        }
        self.schedule_due(&txn, id, DueKind::Resolution, resolve_by)
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(t)
    }
}
