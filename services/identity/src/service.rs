//! Identity's use cases. Each opens the transaction it needs, checks who may do it through the
//! [`Actor`], applies the domain rules, writes the audit log and outbox events in the same
//! transaction, and commits.

use crate::Identity;
use crate::auth::{self, Actor, Membership};
use crate::domain::{
    self, AccountStatus, InvitationStatus, NewAccount, OrgFacts, OrgFactsInput, OrgKind, OrgRole,
    OrgStatus, PlatformRole, Review, ReviewAction, ReviewError,
};
use crate::error::{IdentityError, Result};
use crate::store::queries::{self, AuditEntry};
use crate::store::{account, invitation, membership, org_review, organisation, session};
use chrono::{DateTime, Duration, Utc};
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::region::RegionInput;
use farmgate_kernel::{FieldError, LoginId, Page, Paged};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration as StdDuration;
use uuid::Uuid;

/// A session just created: the token is shown once, to its owner.
#[derive(Clone, Debug)]
pub struct IssuedSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What the cache keeps per session token, so most requests skip the sessions table.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct CachedSession {
    session_id: Uuid,
    account_id: Uuid,
    expires_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

const SESSION_CACHE_TTL: StdDuration = StdDuration::from_secs(60);
/// `last_seen_at` is refreshed at most this often, to keep reads from becoming writes.
const LAST_SEEN_GRANULARITY_MIN: i64 = 5;

fn session_cache_key(hash: &str) -> String {
    format!("sess:{hash}")
}

/// Topics identity publishes on the outbox.
pub mod topics {
    pub const ORG_SUBMITTED: &str = "identity.org.submitted";
    pub const ORG_VERIFIED: &str = "identity.org.verified";
    pub const ORG_REJECTED: &str = "identity.org.rejected";
    pub const ACCOUNT_REGISTERED: &str = "identity.account.registered";
}

/// An organisation event on the outbox.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OrgEvent {
    pub org_id: Uuid,
    pub kind: String,
    pub status: String,
    pub at: DateTime<Utc>,
}

/// Changes an owner may make to an organisation; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub licence_no: Option<String>,
    pub region: Option<RegionInput>,
    pub address: Option<Option<String>>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// Filters for the operator's organisation list.
#[derive(Clone, Debug, Default)]
pub struct OrgFilter {
    pub status: Option<OrgStatus>,
    pub kind: Option<OrgKind>,
    /// Matches name or licence number.
    pub q: Option<String>,
}

/// An organisation with the owner the operator will call.
#[derive(Clone, Debug)]
pub struct OrgWithOwner {
    pub org: organisation::Model,
    pub owner: Option<account::Model>,
}

/// A member and their account.
#[derive(Clone, Debug)]
pub struct Member {
    pub membership: membership::Model,
    pub account: account::Model,
}

/// An invitation with its organisation and inviter.
#[derive(Clone, Debug)]
pub struct InvitationDetail {
    pub invitation: invitation::Model,
    pub org: organisation::Model,
    pub invited_by: Option<account::Model>,
}

/// A history entry with its actor.
#[derive(Clone, Debug)]
pub struct ReviewEntry {
    pub review: org_review::Model,
    pub actor: Option<account::Model>,
}

/// The public facts of an organisation other services show (store name, kind, region).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgSummary {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    pub status: OrgStatus,
    pub region: farmgate_kernel::Region,
}

fn region_of(o: &organisation::Model) -> farmgate_kernel::Region {
    farmgate_kernel::Region {
        province: o.province.clone(),
        city: o.city.clone(),
        county: o.county.clone(),
        township: o.township.clone(),
        village: o.village.clone(),
    }
}

fn summary_of(o: &organisation::Model) -> Result<OrgSummary, DbErr> {
    Ok(OrgSummary {
        id: OrgId(o.id),
        kind: queries::org_kind(o)?,
        name: o.name.clone(),
        status: queries::org_status(o)?,
        region: region_of(o),
    })
}

/// The registered region of an organisation as a value.
pub fn org_region(o: &organisation::Model) -> farmgate_kernel::Region {
    region_of(o)
}

fn region_input_of(o: &organisation::Model) -> RegionInput {
    RegionInput {
        province: o.province.clone(),
        city: o.city.clone(),
        county: o.county.clone(),
        township: o.township.clone(),
        village: o.village.clone(),
    }
}

/// Turns a unique-constraint failure on organisations into a field error.
fn org_conflict(e: DbErr) -> IdentityError {
    match unique_violation(&e).as_deref() {
        Some(c) if c.contains("licence_no") => IdentityError::Taken {
            field: "licence_no",
            zh: "该统一社会信用代码已被其他组织登记",
            en: "another organisation is registered with this licence number",
        },
        _ => IdentityError::Db(e),
    }
}

fn account_conflict(e: DbErr) -> IdentityError {
    match unique_violation(&e).as_deref() {
        Some(c) if c.contains("phone") => IdentityError::Taken {
            field: "phone",
            zh: "该手机号已注册，请直接登录",
            en: "this phone number is already registered; please log in",
        },
        Some(c) if c.contains("email") => IdentityError::Taken {
            field: "email",
            zh: "该邮箱已注册，请直接登录",
            en: "this e-mail address is already registered; please log in",
        },
        _ => IdentityError::Db(e),
    }
}

impl Identity {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }

    // -----------------------------------------------------------------------------------------
    // Accounts and sessions

    /// Registers an account and logs it in.
    pub async fn register(
        &self,
        input: NewAccount,
        meta: &RequestMeta,
    ) -> Result<(account::Model, IssuedSession)> {
        let model = self.new_account(input, None).await?;
        let now = model.created_at;
        let txn = begin_write(&self.infra().db).await?;
        account::Entity::insert(account::ActiveModel::from(model.clone()))
            .exec_without_returning(&txn)
            .await
            .map_err(account_conflict)?;
        let issued = self.create_session(&txn, model.id, meta).await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::ACCOUNT_REGISTERED,
                &json!({ "account_id": model.id, "at": now }),
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok((model, issued))
    }

    /// Creates the account behind a demo or bootstrap user, with a platform role. Not exposed
    /// over HTTP: the CLI uses it.
    pub async fn create_account_with_role(
        &self,
        input: NewAccount,
        role: Option<PlatformRole>,
    ) -> Result<account::Model> {
        let model = self.new_account(input, role).await?;
        account::Entity::insert(account::ActiveModel::from(model.clone()))
            .exec_without_returning(&self.infra().db)
            .await
            .map_err(account_conflict)?;
        Ok(model)
    }

    /// An active account row for a registration, its password hashed (off the async threads).
    async fn new_account(
        &self,
        input: NewAccount,
        role: Option<PlatformRole>,
    ) -> Result<account::Model> {
        let hash = auth::hash_password(
            self.config().password_cost,
            input.password.expose().to_owned(),
        )
        .await?;
        let now = self.now();
        Ok(account::Model {
            id: AccountId::new().as_uuid(),
            phone: input.phone.as_ref().map(|p| p.as_str().to_owned()),
            email: input.email.as_ref().map(|e| e.as_str().to_owned()),
            display_name: input.display_name,
            password_hash: hash,
            platform_role: role.map(|r| r.as_str().to_owned()),
            status: AccountStatus::Active.as_str().to_owned(),
            created_at: now,
            updated_at: now,
        })
    }

    /// Logs in with a phone number or e-mail address. A wrong password and an unknown account
    /// give the same answer, in about the same time; repeated failures are rate limited per
    /// account and per address.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(account::Model, IssuedSession)> {
        let login = LoginId::parse(login).map_err(|e| IdentityError::field(e.at("login")))?;
        let limits = self.config().login_limits;
        let cache = &self.infra().cache;
        let id_key = format!("login:fail:{}", login.as_str());
        if let Some(ip) = meta.ip {
            let c = cache
                .incr(&format!("login:ip:{ip}"), 1, limits.window)
                .await?;
            if c.value > i64::from(limits.per_ip_attempts) {
                self.infra().metrics.event("login_rate_limited");
                return Err(IdentityError::TooManyAttempts {
                    retry_after_secs: c.expires_in.as_secs().max(1),
                });
            }
        }
        // Peek at the failure counter without bumping it.
        let failures = cache.incr(&id_key, 0, limits.window).await?;
        if failures.value >= i64::from(limits.per_login_failures) {
            self.infra().metrics.event("login_rate_limited");
            return Err(IdentityError::TooManyAttempts {
                retry_after_secs: failures.expires_in.as_secs().max(1),
            });
        }

        let found = queries::account_by_login(&self.infra().db, &login).await?;
        let (hash, account) = match found {
            Some(a) => (a.password_hash.clone(), Some(a)),
            None => (self.dummy_hash().to_owned(), None),
        };
        let ok = auth::verify_password(hash, password.to_owned()).await?;
        let account = match account {
            Some(a) if ok => a,
            _ => {
                cache.incr(&id_key, 1, limits.window).await?;
                self.infra().metrics.event("login_failed");
                tracing::info!(login = %login.masked(), "login failed");
                return Err(IdentityError::InvalidCredentials);
            }
        };
        if account.status != AccountStatus::Active.as_str() {
            return Err(IdentityError::AccountDisabled);
        }
        cache.delete(&id_key).await?;
        let txn = begin_write(&self.infra().db).await?;
        let issued = self.create_session(&txn, account.id, meta).await?;
        txn.commit().await?;
        tracing::info!(account.id = %account.id, "logged in");
        Ok((account, issued))
    }

    async fn create_session(
        &self,
        conn: &impl ConnectionTrait,
        account_id: Uuid,
        meta: &RequestMeta,
    ) -> Result<IssuedSession> {
        let token = auth::new_token();
        let now = self.now();
        let expires_at = now + self.config().session_ttl;
        session::Entity::insert(session::ActiveModel {
            id: Set(Uuid::now_v7()),
            token_hash: Set(auth::token_hash(&token)),
            account_id: Set(account_id),
            created_at: Set(now),
            expires_at: Set(expires_at),
            last_seen_at: Set(now),
            revoked_at: Set(None),
            user_agent: Set(meta.user_agent.clone()),
            ip: Set(meta.ip_string()),
        })
        .exec_without_returning(conn)
        .await?;
        Ok(IssuedSession { token, expires_at })
    }

    /// The actor behind a session token, or `None` when the token is unknown, expired or
    /// revoked.
    pub async fn actor_for_token(&self, token: &str) -> Result<Option<Actor>> {
        if token.len() > 128 {
            return Ok(None);
        }
        let hash = auth::token_hash(token);
        let key = session_cache_key(&hash);
        let now = self.now();
        let cached = match self.infra().cache.get(&key).await {
            Ok(v) => v.and_then(|b| serde_json::from_slice::<CachedSession>(&b).ok()),
            Err(e) => {
                // The cache is an optimisation: fall back to the database.
                tracing::warn!(error = %e, "session cache unavailable");
                None
            }
        };
        let sess = match cached {
            Some(c) => c,
            None => {
                let Some(s) = session::Entity::find()
                    .filter(session::Column::TokenHash.eq(hash.clone()))
                    .filter(session::Column::RevokedAt.is_null())
                    .one(&self.infra().db)
                    .await?
                else {
                    return Ok(None);
                };
                let c = CachedSession {
                    session_id: s.id,
                    account_id: s.account_id,
                    expires_at: s.expires_at,
                    last_seen_at: s.last_seen_at,
                };
                if let Ok(bytes) = serde_json::to_vec(&c) {
                    let _ = self
                        .infra()
                        .cache
                        .set(&key, &bytes, SESSION_CACHE_TTL)
                        .await;
                }
                c
            }
        };
        if sess.expires_at <= now {
            return Ok(None);
        }
        let Some(account) = queries::account_by_id(&self.infra().db, sess.account_id).await? else {
            return Ok(None);
        };
        if account.status != AccountStatus::Active.as_str() {
            return Ok(None);
        }
        if now - sess.last_seen_at > Duration::minutes(LAST_SEEN_GRANULARITY_MIN) {
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, Expr::value(now))
                .filter(session::Column::Id.eq(sess.session_id))
                .exec(&self.infra().db)
                .await?;
            let _ = self.infra().cache.delete(&key).await;
        }
        let memberships = queries::memberships_of(&self.infra().db, account.id)
            .await?
            .into_iter()
            .map(|(m, o)| {
                Ok(Membership {
                    org_id: OrgId(o.id),
                    role: queries::member_role(&m)?,
                    org_kind: queries::org_kind(&o)?,
                    org_status: queries::org_status(&o)?,
                })
            })
            .collect::<Result<Vec<_>, DbErr>>()?;
        Ok(Some(Actor {
            account_id: AccountId(account.id),
            session_id: sess.session_id,
            display_name: account.display_name.clone(),
            platform_role: queries::platform_role(&account)?,
            memberships,
        }))
    }

    /// Revokes the current session.
    pub async fn logout(&self, actor: &Actor) -> Result<()> {
        self.revoke_sessions(Condition::all().add(session::Column::Id.eq(actor.session_id)))
            .await
    }

    async fn revoke_sessions(&self, which: Condition) -> Result<()> {
        let now = self.now();
        let sessions = session::Entity::find()
            .filter(which.clone())
            .filter(session::Column::RevokedAt.is_null())
            .all(&self.infra().db)
            .await?;
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
            .filter(which)
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.infra().db)
            .await?;
        for s in sessions {
            self.infra()
                .cache
                .delete(&session_cache_key(&s.token_hash))
                .await?;
        }
        Ok(())
    }

    pub async fn account(&self, id: AccountId) -> Result<account::Model> {
        queries::account_by_id(&self.infra().db, id.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("账号", "account"))
    }

    /// The actor's memberships with their organisations.
    pub async fn memberships(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(membership::Model, organisation::Model)>> {
        Ok(queries::memberships_of(&self.infra().db, actor.account_id.as_uuid()).await?)
    }

    /// The actor's live sessions, newest first.
    pub async fn sessions(&self, actor: &Actor) -> Result<Vec<session::Model>> {
        Ok(session::Entity::find()
            .filter(session::Column::AccountId.eq(actor.account_id.as_uuid()))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(self.now()))
            .order_by_desc(session::Column::CreatedAt)
            .all(&self.infra().db)
            .await?)
    }

    /// Revokes one of the actor's own sessions (e.g. a lost phone).
    pub async fn revoke_session(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let owned = session::Entity::find_by_id(id)
            .filter(session::Column::AccountId.eq(actor.account_id.as_uuid()))
            .one(&self.infra().db)
            .await?;
        if owned.is_none() {
            return Err(IdentityError::not_found("会话", "session"));
        }
        self.revoke_sessions(Condition::all().add(session::Column::Id.eq(id)))
            .await
    }

    // -----------------------------------------------------------------------------------------
    // Organisations

    /// Registers an organisation; its creator becomes the owner and it waits for review.
    pub async fn create_org(
        &self,
        actor: &Actor,
        kind: OrgKind,
        facts: OrgFacts,
        meta: &RequestMeta,
    ) -> Result<organisation::Model> {
        if kind == OrgKind::PlatformStore && !actor.is_operator() {
            return Err(IdentityError::Forbidden);
        }
        let now = self.now();
        let model = organisation::Model {
            id: OrgId::new().as_uuid(),
            kind: kind.as_str().to_owned(),
            name: facts.name,
            licence_no: facts.licence_no.to_string(),
            province: facts.region.province,
            city: facts.region.city,
            county: facts.region.county,
            township: facts.region.township,
            village: facts.region.village,
            address: facts.address,
            contact_name: facts.contact_name,
            contact_phone: facts.contact_phone.to_string(),
            status: OrgStatus::Pending.as_str().to_owned(),
            status_reason: None,
            created_by: actor.account_id.as_uuid(),
            created_at: now,
            updated_at: now,
            verified_at: None,
        };
        let txn = begin_write(&self.infra().db).await?;
        organisation::Entity::insert(organisation::ActiveModel::from(model.clone()))
            .exec_without_returning(&txn)
            .await
            .map_err(org_conflict)?;
        membership::Entity::insert(membership::ActiveModel {
            org_id: Set(model.id),
            account_id: Set(actor.account_id.as_uuid()),
            role: Set(OrgRole::Owner.as_str().to_owned()),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        self.record_review(
            &txn,
            model.id,
            ReviewAction::Submitted,
            actor.account_id,
            None,
        )
        .await?;
        queries::append_audit(
            &txn,
            now,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id.as_uuid()),
                action: "org.create",
                target_type: "organisation",
                target_id: Some(model.id.to_string()),
                details: json!({ "kind": model.kind, "name": model.name }),
            },
        )
        .await?;
        self.publish_org(&txn, topics::ORG_SUBMITTED, &model)
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(model)
    }

    async fn record_review(
        &self,
        conn: &impl ConnectionTrait,
        org_id: Uuid,
        action: ReviewAction,
        actor: AccountId,
        reason: Option<String>,
    ) -> Result<()> {
        org_review::Entity::insert(org_review::ActiveModel {
            id: Set(Uuid::now_v7()),
            org_id: Set(org_id),
            action: Set(action.as_str().to_owned()),
            actor_id: Set(actor.as_uuid()),
            reason: Set(reason),
            at: Set(self.now()),
        })
        .exec_without_returning(conn)
        .await?;
        Ok(())
    }

    async fn publish_org(
        &self,
        conn: &impl ConnectionTrait,
        topic: &str,
        org: &organisation::Model,
    ) -> Result<()> {
        let event = OrgEvent {
            org_id: org.id,
            kind: org.kind.clone(),
            status: org.status.clone(),
            at: self.now(),
        };
        self.infra().outbox.enqueue(conn, topic, &event).await?;
        Ok(())
    }

    /// Organisations the actor belongs to, with their role.
    pub async fn my_orgs(&self, actor: &Actor) -> Result<Vec<(organisation::Model, OrgRole)>> {
        queries::memberships_of(&self.infra().db, actor.account_id.as_uuid())
            .await?
            .into_iter()
            .map(|(m, o)| Ok((o, queries::member_role(&m)?)))
            .collect::<Result<Vec<_>, DbErr>>()
            .map_err(Into::into)
    }

    /// One organisation, for its members and the operator.
    pub async fn org_for(&self, actor: &Actor, id: OrgId) -> Result<organisation::Model> {
        let org = queries::org_by_id(&self.infra().db, id.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("组织", "organisation"))?;
        actor.require_member_or_operator(id)?;
        Ok(org)
    }

    /// The public facts of an organisation, for other services (store pages, trace pages).
    pub async fn org_summary(&self, id: OrgId) -> Result<Option<OrgSummary>> {
        let Some(o) = queries::org_by_id(&self.infra().db, id.as_uuid()).await? else {
            return Ok(None);
        };
        Ok(Some(summary_of(&o)?))
    }

    /// Public facts of many organisations in one query (search indexing, result lists).
    pub async fn org_summaries(
        &self,
        ids: &[OrgId],
    ) -> Result<std::collections::HashMap<OrgId, OrgSummary>> {
        let uuids: Vec<Uuid> = ids.iter().map(OrgId::as_uuid).collect();
        let orgs = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(uuids))
            .all(&self.infra().db)
            .await?;
        orgs.iter()
            .map(|o| Ok((OrgId(o.id), summary_of(o)?)))
            .collect::<Result<_, DbErr>>()
            .map_err(Into::into)
    }

    /// Whether an organisation may sell right now: verified and of a selling kind. The shared
    /// check later services call for anything that puts goods on sale.
    pub async fn ensure_can_sell(&self, id: OrgId) -> Result<OrgSummary> {
        let summary = self
            .org_summary(id)
            .await?
            .ok_or(IdentityError::not_found("组织", "organisation"))?;
        if !summary.kind.is_seller() {
            return Err(IdentityError::Forbidden);
        }
        if summary.status != OrgStatus::Verified {
            return Err(IdentityError::conflict(
                "org_not_verified",
                "该组织尚未通过平台认证，暂不能销售",
                "this organisation is not verified yet and cannot sell",
            ));
        }
        Ok(summary)
    }

    /// The owner edits the organisation. Changing what the operator verified (name, licence,
    /// region), or editing a rejected organisation, sends it back to review.
    pub async fn update_org(
        &self,
        actor: &Actor,
        id: OrgId,
        patch: OrgPatch,
        meta: &RequestMeta,
    ) -> Result<organisation::Model> {
        actor.require_owner(id)?;
        let txn = begin_write(&self.infra().db).await?;
        let current = queries::org_by_id(&txn, id.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("组织", "organisation"))?;
        let region = patch
            .region
            .clone()
            .unwrap_or_else(|| region_input_of(&current));
        let address = match &patch.address {
            Some(a) => a.clone(),
            None => current.address.clone(),
        };
        let old_region = region_input_of(&current);
        let old = OrgFacts::parse(&OrgFactsInput {
            name: &current.name,
            licence_no: &current.licence_no,
            region: Some(&old_region),
            address: current.address.as_deref(),
            contact_name: &current.contact_name,
            contact_phone: &current.contact_phone,
        })?;
        let new = OrgFacts::parse(&OrgFactsInput {
            name: patch.name.as_deref().unwrap_or(&current.name),
            licence_no: patch.licence_no.as_deref().unwrap_or(&current.licence_no),
            region: Some(&region),
            address: address.as_deref(),
            contact_name: patch
                .contact_name
                .as_deref()
                .unwrap_or(&current.contact_name),
            contact_phone: patch
                .contact_phone
                .as_deref()
                .unwrap_or(&current.contact_phone),
        })?;
        let status = queries::org_status(&current)?;
        let resubmit = old.needs_review_after(&new) || status == OrgStatus::Rejected;
        let now = self.now();
        let mut active: organisation::ActiveModel = current.clone().into();
        active.name = Set(new.name.clone());
        active.licence_no = Set(new.licence_no.to_string());
        active.province = Set(new.region.province.clone());
        active.city = Set(new.region.city.clone());
        active.county = Set(new.region.county.clone());
        active.township = Set(new.region.township.clone());
        active.village = Set(new.region.village.clone());
        active.address = Set(new.address.clone());
        active.contact_name = Set(new.contact_name.clone());
        active.contact_phone = Set(new.contact_phone.to_string());
        active.updated_at = Set(now);
        if resubmit {
            let (next, action) =
                domain::review(status, &Review::Resubmit).map_err(review_conflict)?;
            active.status = Set(next.as_str().to_owned());
            active.status_reason = Set(None);
            active.verified_at = Set(None);
            self.record_review(&txn, current.id, action, actor.account_id, None)
                .await?;
        }
        let updated = active.update(&txn).await.map_err(org_conflict)?;
        queries::append_audit(
            &txn,
            now,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id.as_uuid()),
                action: "org.update",
                target_type: "organisation",
                target_id: Some(updated.id.to_string()),
                details: json!({ "resubmitted": resubmit }),
            },
        )
        .await?;
        if resubmit {
            self.publish_org(&txn, topics::ORG_SUBMITTED, &updated)
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(updated)
    }

    // -----------------------------------------------------------------------------------------
    // Members and invitations

    pub async fn members(&self, actor: &Actor, org: OrgId) -> Result<Vec<Member>> {
        self.org_for(actor, org).await?;
        let ms = membership::Entity::find()
            .filter(membership::Column::OrgId.eq(org.as_uuid()))
            .order_by_asc(membership::Column::CreatedAt)
            .all(&self.infra().db)
            .await?;
        let ids: Vec<Uuid> = ms.iter().map(|m| m.account_id).collect();
        let accounts = account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .all(&self.infra().db)
            .await?;
        Ok(ms
            .into_iter()
            .filter_map(|m| {
                let a = accounts.iter().find(|a| a.id == m.account_id)?.clone();
                Some(Member {
                    membership: m,
                    account: a,
                })
            })
            .collect())
    }

    /// The owner changes a member's role. The last owner cannot step down.
    pub async fn set_member_role(
        &self,
        actor: &Actor,
        org: OrgId,
        account_id: AccountId,
        role: OrgRole,
        meta: &RequestMeta,
    ) -> Result<Member> {
        actor.require_owner(org)?;
        let txn = begin_write(&self.infra().db).await?;
        let m = queries::membership(&txn, org.as_uuid(), account_id.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("成员", "member"))?;
        if queries::member_role(&m)? == OrgRole::Owner
            && role != OrgRole::Owner
            && queries::owner_count(&txn, org.as_uuid()).await? <= 1
        {
            return Err(last_owner());
        }
        let mut active: membership::ActiveModel = m.into();
        active.role = Set(role.as_str().to_owned());
        let updated = active.update(&txn).await?;
        queries::append_audit(
            &txn,
            self.now(),
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id.as_uuid()),
                action: "org.member.role",
                target_type: "organisation",
                target_id: Some(org.to_string()),
                details: json!({ "account_id": account_id, "role": role }),
            },
        )
        .await?;
        let account = queries::account_by_id(&txn, account_id.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("成员", "member"))?;
        txn.commit().await?;
        Ok(Member {
            membership: updated,
            account,
        })
    }

    /// The owner removes a member, or a member leaves. The last owner cannot leave.
    pub async fn remove_member(
        &self,
        actor: &Actor,
        org: OrgId,
        account_id: AccountId,
        meta: &RequestMeta,
    ) -> Result<()> {
        if actor.account_id != account_id {
            actor.require_owner(org)?;
        }
        let txn = begin_write(&self.infra().db).await?;
        let m = queries::membership(&txn, org.as_uuid(), account_id.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("成员", "member"))?;
        if queries::member_role(&m)? == OrgRole::Owner
            && queries::owner_count(&txn, org.as_uuid()).await? <= 1
        {
            return Err(last_owner());
        }
        membership::Entity::delete_by_id((org.as_uuid(), account_id.as_uuid()))
            .exec(&txn)
            .await?;
        queries::append_audit(
            &txn,
            self.now(),
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id.as_uuid()),
                action: if actor.account_id == account_id {
                    "org.member.leave"
                } else {
                    "org.member.remove"
                },
                target_type: "organisation",
                target_id: Some(org.to_string()),
                details: json!({ "account_id": account_id }),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The owner invites someone by phone or e-mail. They accept after logging in with that
    /// phone or e-mail (registering first if they have to).
    pub async fn invite(
        &self,
        actor: &Actor,
        org: OrgId,
        login: &str,
        role: OrgRole,
        meta: &RequestMeta,
    ) -> Result<InvitationDetail> {
        actor.require_owner(org)?;
        let login = LoginId::parse(login).map_err(|e| IdentityError::field(e.at("login")))?;
        let txn = begin_write(&self.infra().db).await?;
        let org_model = queries::org_by_id(&txn, org.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("组织", "organisation"))?;
        if let Some(existing) = queries::account_by_login(&txn, &login).await?
            && queries::membership(&txn, org.as_uuid(), existing.id)
                .await?
                .is_some()
        {
            return Err(IdentityError::Taken {
                field: "login",
                zh: "此人已是本组织成员",
                en: "this person is already a member",
            });
        }
        let pending = invitation::Entity::find()
            .filter(invitation::Column::OrgId.eq(org.as_uuid()))
            .filter(invitation::Column::Login.eq(login.as_str()))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
            .one(&txn)
            .await?;
        if pending.is_some() {
            return Err(IdentityError::Taken {
                field: "login",
                zh: "已向此人发出邀请，等待对方接受",
                en: "an invitation to this person is already waiting",
            });
        }
        let now = self.now();
        let model = invitation::Model {
            id: Uuid::now_v7(),
            org_id: org.as_uuid(),
            login: login.as_str().to_owned(),
            role: role.as_str().to_owned(),
            status: InvitationStatus::Pending.as_str().to_owned(),
            invited_by: actor.account_id.as_uuid(),
            created_at: now,
            responded_at: None,
        };
        invitation::Entity::insert(invitation::ActiveModel::from(model.clone()))
            .exec_without_returning(&txn)
            .await?;
        queries::append_audit(
            &txn,
            now,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id.as_uuid()),
                action: "org.invite",
                target_type: "organisation",
                target_id: Some(org.to_string()),
                details: json!({ "login": login.masked(), "role": role }),
            },
        )
        .await?;
        let inviter = queries::account_by_id(&txn, actor.account_id.as_uuid()).await?;
        txn.commit().await?;
        Ok(InvitationDetail {
            invitation: model,
            org: org_model,
            invited_by: inviter,
        })
    }

    async fn invitation_details(
        &self,
        list: Vec<invitation::Model>,
    ) -> Result<Vec<InvitationDetail>> {
        let org_ids: Vec<Uuid> = list.iter().map(|i| i.org_id).collect();
        let inviter_ids: Vec<Uuid> = list.iter().map(|i| i.invited_by).collect();
        let orgs = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(org_ids))
            .all(&self.infra().db)
            .await?;
        let inviters = account::Entity::find()
            .filter(account::Column::Id.is_in(inviter_ids))
            .all(&self.infra().db)
            .await?;
        Ok(list
            .into_iter()
            .filter_map(|i| {
                let org = orgs.iter().find(|o| o.id == i.org_id)?.clone();
                let invited_by = inviters.iter().find(|a| a.id == i.invited_by).cloned();
                Some(InvitationDetail {
                    invitation: i,
                    org,
                    invited_by,
                })
            })
            .collect())
    }

    pub async fn org_invitations(
        &self,
        actor: &Actor,
        org: OrgId,
    ) -> Result<Vec<InvitationDetail>> {
        actor.require_owner(org)?;
        let list = invitation::Entity::find()
            .filter(invitation::Column::OrgId.eq(org.as_uuid()))
            .order_by_desc(invitation::Column::CreatedAt)
            .limit(200)
            .all(&self.infra().db)
            .await?;
        self.invitation_details(list).await
    }

    pub async fn revoke_invitation(
        &self,
        actor: &Actor,
        org: OrgId,
        id: Uuid,
        meta: &RequestMeta,
    ) -> Result<()> {
        actor.require_owner(org)?;
        let res = invitation::Entity::update_many()
            .col_expr(
                invitation::Column::Status,
                Expr::value(InvitationStatus::Revoked.as_str()),
            )
            .col_expr(
                invitation::Column::RespondedAt,
                Expr::value(Some(self.now())),
            )
            .filter(invitation::Column::Id.eq(id))
            .filter(invitation::Column::OrgId.eq(org.as_uuid()))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
            .exec(&self.infra().db)
            .await?;
        if res.rows_affected == 0 {
            return Err(IdentityError::not_found(
                "待接受的邀请",
                "pending invitation",
            ));
        }
        queries::append_audit(
            &self.infra().db,
            self.now(),
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id.as_uuid()),
                action: "org.invite.revoke",
                target_type: "organisation",
                target_id: Some(org.to_string()),
                details: json!({ "invitation_id": id }),
            },
        )
        .await?;
        Ok(())
    }

    fn logins_of(account: &account::Model) -> Vec<String> {
        account
            .phone
            .iter()
            .chain(account.email.iter())
            .cloned()
            .collect()
    }

    /// Pending invitations addressed to the actor's phone or e-mail.
    pub async fn my_invitations(&self, actor: &Actor) -> Result<Vec<InvitationDetail>> {
        let me = self.account(actor.account_id).await?;
        let list = invitation::Entity::find()
            .filter(invitation::Column::Login.is_in(Self::logins_of(&me)))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
            .order_by_desc(invitation::Column::CreatedAt)
            .all(&self.infra().db)
            .await?;
        self.invitation_details(list).await
    }

    /// Accepts or declines an invitation addressed to the actor.
    pub async fn respond_to_invitation(
        &self,
        actor: &Actor,
        id: Uuid,
        accept: bool,
        meta: &RequestMeta,
    ) -> Result<Option<(organisation::Model, OrgRole)>> {
        let me = self.account(actor.account_id).await?;
        let txn = begin_write(&self.infra().db).await?;
        let inv = invitation::Entity::find_by_id(id)
            .filter(invitation::Column::Login.is_in(Self::logins_of(&me)))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
            .one(&txn)
            .await?
            .ok_or(IdentityError::not_found(
                "待接受的邀请",
                "pending invitation",
            ))?;
        let now = self.now();
        let status = if accept {
            InvitationStatus::Accepted
        } else {
            InvitationStatus::Declined
        };
        invitation::Entity::update_many()
            .col_expr(invitation::Column::Status, Expr::value(status.as_str()))
            .col_expr(invitation::Column::RespondedAt, Expr::value(Some(now)))
            .filter(invitation::Column::Id.eq(inv.id))
            .exec(&txn)
            .await?;
        let result = if accept {
            let role = queries::stored(&inv.role, OrgRole::parse, "invitations.role")?;
            if queries::membership(&txn, inv.org_id, me.id)
                .await?
                .is_none()
            {
                membership::Entity::insert(membership::ActiveModel {
                    org_id: Set(inv.org_id),
                    account_id: Set(me.id),
                    role: Set(role.as_str().to_owned()),
                    created_at: Set(now),
                })
                .exec_without_returning(&txn)
                .await?;
            }
            let org = queries::org_by_id(&txn, inv.org_id)
                .await?
                .ok_or(IdentityError::not_found("组织", "organisation"))?;
            Some((org, role))
        } else {
            None
        };
        queries::append_audit(
            &txn,
            now,
            meta,
            AuditEntry {
                actor_id: Some(me.id),
                action: if accept {
                    "org.invite.accept"
                } else {
                    "org.invite.decline"
                },
                target_type: "organisation",
                target_id: Some(inv.org_id.to_string()),
                details: json!({ "invitation_id": inv.id }),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(result)
    }

    // -----------------------------------------------------------------------------------------
    // The operator

    /// The verification queue and the organisation directory, for the operator.
    pub async fn admin_orgs(
        &self,
        actor: &Actor,
        filter: &OrgFilter,
        page: Page,
    ) -> Result<Paged<OrgWithOwner>> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let mut q = organisation::Entity::find();
        if let Some(s) = filter.status {
            q = q.filter(organisation::Column::Status.eq(s.as_str()));
        }
        if let Some(k) = filter.kind {
            q = q.filter(organisation::Column::Kind.eq(k.as_str()));
        }
        if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let text: String = text.chars().take(50).collect();
            q = q.filter(
                Condition::any()
                    .add(organisation::Column::Name.contains(text.clone()))
                    .add(organisation::Column::LicenceNo.contains(text.to_uppercase())),
            );
        }
        let total = q.clone().count(&self.infra().db).await?;
        // The queue is worked oldest first; the directory newest first.
        let q = if filter.status == Some(OrgStatus::Pending) {
            q.order_by_asc(organisation::Column::UpdatedAt)
        } else {
            q.order_by_desc(organisation::Column::UpdatedAt)
        };
        let orgs = q
            .order_by_asc(organisation::Column::Id)
            .offset(page.offset())
            .limit(page.limit())
            .all(&self.infra().db)
            .await?;
        let ids: Vec<Uuid> = orgs.iter().map(|o| o.id).collect();
        let owners = membership::Entity::find()
            .filter(membership::Column::OrgId.is_in(ids))
            .filter(membership::Column::Role.eq(OrgRole::Owner.as_str()))
            .order_by_asc(membership::Column::CreatedAt)
            .all(&self.infra().db)
            .await?;
        let owner_ids: Vec<Uuid> = owners.iter().map(|m| m.account_id).collect();
        let accounts = account::Entity::find()
            .filter(account::Column::Id.is_in(owner_ids))
            .all(&self.infra().db)
            .await?;
        let items = orgs
            .into_iter()
            .map(|org| {
                let owner = owners
                    .iter()
                    .find(|m| m.org_id == org.id)
                    .and_then(|m| accounts.iter().find(|a| a.id == m.account_id))
                    .cloned();
                OrgWithOwner { org, owner }
            })
            .collect();
        Ok(Paged::new(items, total, page))
    }

    /// The operator verifies or rejects an organisation.
    pub async fn review_org(
        &self,
        actor: &Actor,
        id: OrgId,
        review: Review,
        meta: &RequestMeta,
    ) -> Result<organisation::Model> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let txn = begin_write(&self.infra().db).await?;
        let current = queries::org_by_id(&txn, id.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("组织", "organisation"))?;
        let status = queries::org_status(&current)?;
        let (next, action) = domain::review(status, &review).map_err(review_conflict)?;
        let now = self.now();
        let reason = match &review {
            Review::Reject { reason } => Some(reason.clone()),
            _ => None,
        };
        let mut active: organisation::ActiveModel = current.into();
        active.status = Set(next.as_str().to_owned());
        active.status_reason = Set(reason.clone());
        active.verified_at = Set((next == OrgStatus::Verified).then_some(now));
        active.updated_at = Set(now);
        let updated = active.update(&txn).await?;
        self.record_review(&txn, updated.id, action, actor.account_id, reason.clone())
            .await?;
        queries::append_audit(
            &txn,
            now,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id.as_uuid()),
                action: if next == OrgStatus::Verified {
                    "org.verify"
                } else {
                    "org.reject"
                },
                target_type: "organisation",
                target_id: Some(updated.id.to_string()),
                details: json!({ "reason": reason }),
            },
        )
        .await?;
        let topic = if next == OrgStatus::Verified {
            topics::ORG_VERIFIED
        } else {
            topics::ORG_REJECTED
        };
        self.publish_org(&txn, topic, &updated).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        tracing::info!(org.id = %updated.id, status = %updated.status, "organisation reviewed");
        Ok(updated)
    }

    /// The verification history of an organisation, oldest first (members and the operator).
    pub async fn org_history(&self, actor: &Actor, id: OrgId) -> Result<Vec<ReviewEntry>> {
        self.org_for(actor, id).await?;
        let reviews = org_review::Entity::find()
            .filter(org_review::Column::OrgId.eq(id.as_uuid()))
            .order_by_asc(org_review::Column::At)
            .order_by_asc(org_review::Column::Id)
            .all(&self.infra().db)
            .await?;
        let ids: Vec<Uuid> = reviews.iter().map(|r| r.actor_id).collect();
        let actors = account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .all(&self.infra().db)
            .await?;
        Ok(reviews
            .into_iter()
            .map(|review| {
                let actor = actors.iter().find(|a| a.id == review.actor_id).cloned();
                ReviewEntry { review, actor }
            })
            .collect())
    }

    /// The audit log, newest first (operator only).
    pub async fn audit_log(
        &self,
        actor: &Actor,
        page: Page,
    ) -> Result<Paged<(crate::store::audit::Model, Option<account::Model>)>> {
        use crate::store::audit;
        actor.require_platform(&[PlatformRole::Operator])?;
        let total = audit::Entity::find().count(&self.infra().db).await?;
        let rows = audit::Entity::find()
            .order_by_desc(audit::Column::At)
            .order_by_desc(audit::Column::Id)
            .offset(page.offset())
            .limit(page.limit())
            .all(&self.infra().db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.actor_id).collect();
        let actors = account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .all(&self.infra().db)
            .await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let a = r
                    .actor_id
                    .and_then(|id| actors.iter().find(|a| a.id == id).cloned());
                (r, a)
            })
            .collect();
        Ok(Paged::new(items, total, page))
    }

    /// Accounts, for the operator assigning platform roles or disabling abuse.
    pub async fn admin_accounts(
        &self,
        actor: &Actor,
        q: Option<&str>,
        page: Page,
    ) -> Result<Paged<account::Model>> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let mut query = account::Entity::find();
        if let Some(text) = q.map(str::trim).filter(|t| !t.is_empty()) {
            let text: String = text.chars().take(50).collect();
            query = query.filter(
                Condition::any()
                    .add(account::Column::Phone.contains(text.clone()))
                    .add(account::Column::Email.contains(text.to_lowercase()))
                    .add(account::Column::DisplayName.contains(text)),
            );
        }
        let total = query.clone().count(&self.infra().db).await?;
        let items = query
            .order_by_desc(account::Column::CreatedAt)
            .order_by_asc(account::Column::Id)
            .offset(page.offset())
            .limit(page.limit())
            .all(&self.infra().db)
            .await?;
        Ok(Paged::new(items, total, page))
    }

    /// The operator grants or removes a platform role.
    pub async fn set_platform_role(
        &self,
        actor: &Actor,
        target: AccountId,
        role: Option<PlatformRole>,
        meta: &RequestMeta,
    ) -> Result<account::Model> {
        actor.require_platform(&[PlatformRole::Operator])?;
        if target == actor.account_id && role != Some(PlatformRole::Operator) {
            return Err(IdentityError::conflict(
                "cannot_demote_self",
                "不能取消自己的运营权限，请让另一位运营人员操作",
                "you cannot remove your own operator role; ask another operator",
            ));
        }
        let txn = begin_write(&self.infra().db).await?;
        let current = queries::account_by_id(&txn, target.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("账号", "account"))?;
        let previous = current.platform_role.clone();
        let mut active: account::ActiveModel = current.into();
        active.platform_role = Set(role.map(|r| r.as_str().to_owned()));
        active.updated_at = Set(self.now());
        let updated = active.update(&txn).await?;
        queries::append_audit(
            &txn,
            self.now(),
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id.as_uuid()),
                action: "account.platform_role",
                target_type: "account",
                target_id: Some(target.to_string()),
                details: json!({ "from": previous, "to": role }),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// The operator disables an account; its sessions end at once.
    pub async fn disable_account(
        &self,
        actor: &Actor,
        target: AccountId,
        meta: &RequestMeta,
    ) -> Result<account::Model> {
        actor.require_platform(&[PlatformRole::Operator])?;
        if target == actor.account_id {
            return Err(IdentityError::conflict(
                "cannot_disable_self",
                "不能停用自己的账号",
                "you cannot disable your own account",
            ));
        }
        let txn = begin_write(&self.infra().db).await?;
        let current = queries::account_by_id(&txn, target.as_uuid())
            .await?
            .ok_or(IdentityError::not_found("账号", "account"))?;
        let mut active: account::ActiveModel = current.into();
        active.status = Set(AccountStatus::Disabled.as_str().to_owned());
        active.updated_at = Set(self.now());
        let updated = active.update(&txn).await?;
        queries::append_audit(
            &txn,
            self.now(),
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id.as_uuid()),
                action: "account.disable",
                target_type: "account",
                target_id: Some(target.to_string()),
                details: json!({}),
            },
        )
        .await?;
        txn.commit().await?;
        self.revoke_sessions(Condition::all().add(session::Column::AccountId.eq(target.as_uuid())))
            .await?;
        Ok(updated)
    }
}

fn review_conflict(e: ReviewError) -> IdentityError {
    match e {
        ReviewError::AlreadyVerified => IdentityError::conflict(
            "invalid_state",
            "该组织已通过认证",
            "this organisation is already verified",
        ),
        ReviewError::AlreadyRejected => IdentityError::conflict(
            "invalid_state",
            "该组织已被驳回",
            "this organisation is already rejected",
        ),
    }
}

fn last_owner() -> IdentityError {
    IdentityError::conflict(
        "last_owner",
        "组织至少需要一位负责人，请先指定另一位负责人",
        "an organisation needs at least one owner; make someone else owner first",
    )
}

/// Parses a reason for a rejection, as a validation error under `reason`.
pub fn parse_rejection(reason: &str) -> Result<Review> {
    domain::parse_reason(reason)
        .map(|reason| Review::Reject { reason })
        .map_err(|e: FieldError| IdentityError::field(e))
}
