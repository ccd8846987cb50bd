//! Identity over HTTP: thin handlers grouped like the use cases, the request and response types
//! (`views.rs`), and the router, which also yields the OpenAPI description of every route.
//! Each handler's error responses name the codes they can carry.

mod account;
mod admin;
mod members;
mod orgs;
mod restrictions;
mod sessions;
pub mod views;
mod wechat;
mod wechat_js;

pub use views::*;

use crate::Identity;
use axum::extract::FromRef;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use account::*;
use admin::*;
use members::*;
use orgs::*;
use restrictions::*;
pub use restrictions::{ApplyRestriction, LiftRestriction, RestrictionView};
use sessions::*;
use wechat::*;
use wechat_js::*;

/// Every identity route, with its OpenAPI description.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(send_code))
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(login_with_code))
        .routes(routes!(reset_password))
        .routes(routes!(use_setup_link))
        .routes(routes!(update_profile))
        .routes(routes!(change_password))
        .routes(routes!(change_phone))
        .routes(routes!(export_my_data))
        .routes(routes!(erase_account))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(create_org))
        .routes(routes!(my_orgs))
        .routes(routes!(get_org, update_org))
        .routes(routes!(get_purchasing, put_purchasing))
        .routes(routes!(members))
        .routes(routes!(set_member_role, remove_member))
        .routes(routes!(invite, org_invitations))
        .routes(routes!(revoke_invitation))
        .routes(routes!(org_history))
        .routes(routes!(my_invitations))
        .routes(routes!(accept_invitation))
        .routes(routes!(decline_invitation))
        .routes(routes!(admin_orgs))
        .routes(routes!(verify_org))
        .routes(routes!(reject_org))
        .routes(routes!(audit_log))
        .routes(routes!(admin_accounts))
        .routes(routes!(set_platform_role))
        .routes(routes!(disable_account))
        .routes(routes!(sms_outbox))
        .routes(routes!(account_restrictions, apply_restriction))
        .routes(routes!(lift_restriction))
        .routes(routes!(wechat_start))
        .routes(routes!(wechat_return))
        .routes(routes!(wechat_status, wechat_unbind))
        .routes(routes!(wechat_js_config))
        .routes(routes!(restrictions_list))
}
