//! What identity's endpoints take and answer. Personal data is masked unless the viewer is its
//! owner or needs it (the operator).

use crate::Actor;
use crate::domain::{
    AccountStatus, InvitationStatus, OrgKind, OrgRole, OrgStatus, PlatformRole, ReviewAction,
};
use crate::service::{InvitationDetail, Member, OrgWithOwner, ReviewEntry, org_region};
use crate::store::{account, audit, organisation, session};
use chrono::{DateTime, Utc};
use farmgate_kernel::Phone;
use farmgate_kernel::Region;
use farmgate_kernel::region::RegionInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Answers

/// An account as others see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: Uuid,
    pub display_name: String,
    /// Full for yourself and the operator, masked (`138****8000`) for everyone else.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub platform_role: Option<PlatformRole>,
    pub status: AccountStatus,
    pub created_at: DateTime<Utc>,
}

fn mask_phone(p: &str) -> String {
    Phone::mask(p).unwrap_or_else(|| "***".to_owned())
}

fn mask_email(e: &str) -> String {
    farmgate_kernel::Email::parse(e)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "***".to_owned())
}

impl AccountView {
    pub fn of(a: &account::Model, full: bool) -> Self {
        Self {
            id: a.id,
            display_name: a.display_name.clone(),
            phone: a
                .phone
                .as_deref()
                .map(|p| if full { p.to_owned() } else { mask_phone(p) }),
            email: a
                .email
                .as_deref()
                .map(|e| if full { e.to_owned() } else { mask_email(e) }),
            platform_role: a.platform_role,
            status: a.status,
            created_at: a.created_at,
        }
    }
}

/// An organisation, as its members and the operator see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgView {
    pub id: Uuid,
    pub kind: OrgKind,
    pub name: String,
    /// Unified social credit code (统一社会信用代码).
    pub licence_no: String,
    pub region: Region,
    pub address: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub status: OrgStatus,
    /// Why it was rejected, for the seller to fix.
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    /// Your role in it, if you are a member.
    pub my_role: Option<OrgRole>,
}

impl OrgView {
    pub fn of(o: &organisation::Model, my_role: Option<OrgRole>) -> Self {
        Self {
            id: o.id,
            kind: o.kind,
            name: o.name.clone(),
            licence_no: o.licence_no.clone(),
            region: org_region(o),
            address: o.address.clone(),
            contact_name: o.contact_name.clone(),
            contact_phone: o.contact_phone.clone(),
            status: o.status,
            status_reason: o.status_reason.clone(),
            created_at: o.created_at,
            verified_at: o.verified_at,
            my_role,
        }
    }
}

/// An organisation in the operator's queue, with its owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrgView {
    #[serde(flatten)]
    pub org: OrgView,
    pub owner: Option<AccountView>,
}

impl AdminOrgView {
    pub fn of(o: &OrgWithOwner) -> Self {
        Self {
            org: OrgView::of(&o.org, None),
            owner: o.owner.as_ref().map(|a| AccountView::of(a, true)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    pub org: OrgView,
    pub role: OrgRole,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub account: AccountView,
    pub memberships: Vec<MembershipView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionIssuedView {
    /// Send as `Authorization: Bearer <token>`; pages use the cookie instead.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthView {
    pub account: AccountView,
    pub session: SessionIssuedView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The session this request was made with.
    pub current: bool,
}

impl SessionView {
    pub fn of(s: &session::Model, current: Uuid) -> Self {
        Self {
            id: s.id,
            created_at: s.created_at,
            expires_at: s.expires_at,
            last_seen_at: s.last_seen_at,
            user_agent: s.user_agent.clone(),
            ip: s.ip.clone(),
            current: s.id == current,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub account_id: Uuid,
    pub display_name: String,
    /// Masked, except for yourself and the operator.
    pub phone: Option<String>,
    pub role: OrgRole,
    pub joined_at: DateTime<Utc>,
}

impl MemberView {
    pub fn of(m: &Member, viewer: &Actor) -> Self {
        let full = viewer.is_operator() || viewer.account_id.as_uuid() == m.account.id;
        Self {
            account_id: m.account.id,
            display_name: m.account.display_name.clone(),
            phone: m
                .account
                .phone
                .as_deref()
                .map(|p| if full { p.to_owned() } else { mask_phone(p) }),
            role: m.membership.role,
            joined_at: m.membership.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: Uuid,
    pub org: OrgRef,
    /// The invitee's phone or e-mail, masked.
    pub login: String,
    pub role: OrgRole,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub invited_by: Option<String>,
}

impl InvitationView {
    pub fn of(d: &InvitationDetail) -> Self {
        let login = &d.invitation.login;
        Self {
            id: d.invitation.id,
            org: OrgRef {
                id: d.org.id,
                name: d.org.name.clone(),
                kind: d.org.kind,
            },
            login: if login.contains('@') {
                mask_email(login)
            } else {
                mask_phone(login)
            },
            role: d.invitation.role,
            status: d.invitation.status,
            created_at: d.invitation.created_at,
            invited_by: d.invited_by.as_ref().map(|a| a.display_name.clone()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedView {
    pub org: OrgView,
    pub role: OrgRole,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub at: DateTime<Utc>,
    pub action: ReviewAction,
    pub actor: Option<String>,
    pub reason: Option<String>,
}

impl ReviewView {
    pub fn of(e: &ReviewEntry) -> Self {
        Self {
            at: e.review.at,
            action: e.review.action,
            actor: e.actor.as_ref().map(|a| a.display_name.clone()),
            reason: e.review.reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
}

impl AuditView {
    pub fn of((row, actor): &(audit::Model, Option<account::Model>)) -> Self {
        Self {
            id: row.id,
            at: row.at,
            actor_id: row.actor_id,
            actor_name: actor.as_ref().map(|a| a.display_name.clone()),
            action: row.action.clone(),
            target_type: row.target_type.clone(),
            target_id: row.target_id.clone(),
            ip: row.ip.clone(),
            request_id: row.request_id.clone(),
            details: row.details.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Requests

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub display_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Phone number or e-mail address.
    pub login: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrgRequest {
    pub kind: OrgKind,
    pub name: String,
    pub licence_no: String,
    pub region: RegionInput,
    #[serde(default)]
    pub address: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrgRequest {
    pub name: Option<String>,
    pub licence_no: Option<String>,
    pub region: Option<RegionInput>,
    /// Send `""` to clear.
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    pub role: OrgRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Phone number or e-mail address of the person to invite.
    pub login: String,
    pub role: OrgRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Shown to the seller: say what to fix (2–500 characters).
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformRoleRequest {
    /// `null` removes the platform role.
    pub role: Option<PlatformRole>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminOrgQuery {
    pub status: Option<OrgStatus>,
    pub kind: Option<OrgKind>,
    /// Part of the name or licence number.
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Part of the phone, e-mail or name.
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}
