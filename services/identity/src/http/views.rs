//! What identity's endpoints take and answer. Personal data is masked unless the viewer is its
//! owner or needs it (the operator).

use crate::Actor;
use crate::domain::{
    AccountStatus, CodePurpose, InvitationStatus, OrgKind, OrgRole, OrgStatus, PlatformRole,
    ReviewAction,
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
    /// The phone has been proven by a code (accounts made before codes existed verify it
    /// before they may accept an invitation).
    pub phone_verified: bool,
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
            phone_verified: a.phone_verified_at.is_some(),
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
    /// A testing body's CMA / CNAS accreditation number (absent for other kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accreditation_no: Option<String>,
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
            accreditation_no: o.accreditation_no.clone(),
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
#[schema(as = OrgReviewView)]
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

/// Register: a name, the phone, the code sent to it for `register`, and a password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub display_name: String,
    pub phone: String,
    /// The 6-digit code from `POST /auth/codes` with purpose `register`.
    pub code: String,
    pub password: String,
    /// Also bind the WeChat this browser just came back from (the ticket cookie
    /// `GET /api/v1/auth/wechat/return` set); refused with `wechat_bind_expired` without one.
    #[serde(default)]
    pub bind_wechat: bool,
}

/// Ask for a one-time code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The mainland mobile number the code goes to.
    pub phone: String,
    /// What the code will be used for; `change_phone` and `accept_invitation` need a session.
    pub purpose: CodePurpose,
}

/// A code is on its way (the same answer whether or not the phone has an account).
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSentView {
    /// The phone, masked.
    pub phone: String,
    pub expires_in_secs: u64,
    /// Ask again after this many seconds at the earliest.
    pub resend_after_secs: u64,
}

/// Log in with a code sent for `login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeLoginRequest {
    pub phone: String,
    pub code: String,
    /// Also bind the WeChat this browser just came back from (the ticket cookie
    /// `GET /api/v1/auth/wechat/return` set); refused with `wechat_bind_expired` without one.
    #[serde(default)]
    pub bind_wechat: bool,
}

/// Log in with WeChat: offered here? bound to my account?
#[derive(Debug, Serialize, ToSchema)]
pub struct WechatStatusView {
    /// Log in with WeChat is configured (the log-in page offers it inside WeChat).
    pub enabled: bool,
    /// Whether my account has a WeChat bound; `null` when not logged in.
    pub bound: Option<bool>,
    pub bound_at: Option<DateTime<Utc>>,
}

/// Set a new password with a code sent for `reset_password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub phone: String,
    pub code: String,
    pub password: String,
}

/// Set the first password with the one-time token of a setup link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    pub token: String,
    pub password: String,
}

/// Change my password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Move my account to a new phone (or verify the current one), with a code sent to that phone
/// for `change_phone`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePhoneRequest {
    pub phone: String,
    pub code: String,
    pub current_password: String,
}

/// Edit my profile; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    pub display_name: Option<String>,
    /// Contact e-mail (never used to log in or to receive invitations); `""` removes it.
    pub email: Option<String>,
}

/// Erase my account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    pub current_password: String,
}

/// Accept an invitation with a code sent to the invited phone for `accept_invitation`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    pub code: String,
}

/// One stored text message of the embedded SMS backend.
#[derive(Debug, Serialize, ToSchema)]
pub struct SmsView {
    pub id: Uuid,
    /// The full number (the operator sees it; the page masks it until asked).
    pub phone: String,
    pub phone_masked: String,
    /// `otp`, `order_paid`, `shipped`, `claim_update`, `recall`.
    pub template: String,
    /// The template's variables, name → value (a one-time code is `code`).
    pub params: std::collections::BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
}

impl SmsView {
    pub fn of(m: &farmgate_infra::sms::OutboxMessage) -> Self {
        Self {
            id: m.id,
            phone: m.to.as_str().to_owned(),
            phone_masked: m.to.masked(),
            template: m.template.as_str().to_owned(),
            params: m.params.iter().cloned().collect(),
            created_at: m.created_at,
        }
    }
}

/// The SMS outbox: recent messages, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SmsOutboxView {
    /// The backend that sends for real: `outbox` (nothing leaves the machine; every message is
    /// here), `aliyun` or `tencent` (nothing is kept here).
    pub backend: String,
    pub items: Vec<SmsView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
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
    /// A testing body (`testing_body`) only, and required of it: its CMA certificate or CNAS
    /// accreditation number, 6–40 letters, digits or `-`.
    #[serde(default)]
    pub accreditation_no: Option<String>,
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
    /// A testing body only: its accreditation number (a change sends it back to review).
    pub accreditation_no: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    pub role: OrgRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// The phone number of the person to invite (e-mail addresses are refused: nothing proves
    /// who holds one).
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
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Part of the phone, e-mail or name.
    pub q: Option<String>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

// ---------------------------------------------------------------------------------------------
// Purchasing (issue #22)

/// A business buyer's purchasing settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct PurchasingView {
    pub org_id: Uuid,
    /// What kind of buyer it is; `null` until the owner says.
    pub buyer_kind: Option<crate::domain::BuyerKind>,
    /// An order placed by a purchaser (or staff) whose total is above this many fen waits for
    /// a manager's or the owner's approval before it can be paid; `null`: never.
    pub approval_limit_fen: Option<i64>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl PurchasingView {
    pub fn of(p: &crate::service::Purchasing) -> Self {
        Self {
            org_id: p.org_id.as_uuid(),
            buyer_kind: p.buyer_kind,
            approval_limit_fen: p.approval_limit_fen,
            updated_at: p.updated_at,
        }
    }
}

/// The owner's purchasing settings, replaced whole (`null` or absent clears one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchasingRequest {
    #[serde(default)]
    pub buyer_kind: Option<crate::domain::BuyerKind>,
    /// 0 – 1,000,000,000 fen; `null`: no approval needed.
    #[serde(default)]
    pub approval_limit_fen: Option<i64>,
}
