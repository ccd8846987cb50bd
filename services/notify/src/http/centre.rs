//! The centre: list, unread count, mark read, mark all read. Only the caller's own
//! notifications: another person's id answers `not_found`.

use crate::Notify;
use crate::domain::{NotificationId, NotificationKind};
use crate::http::views::{MarkedView, NotificationView, UnreadView};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CentreQuery {
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// Only this kind.
    #[param(inline)]
    pub kind: Option<NotificationKind>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(CentreQuery),
    responses(
        (status = 200, description = "One page of the caller's notifications", body = Paged<NotificationView>),
        (status = 400, description = "Bad query (unknown kind, not a boolean, limit out of range): `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn list(
    State(svc): State<Notify>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<CentreQuery>,
) -> ApiResult<Json<Paged<NotificationView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = svc
        .my_notifications(&actor, q.unread.unwrap_or(false), q.kind, page)
        .await?;
    Ok(Json(list.map(|n| NotificationView::of(&n))))
}

/// How many of the caller's notifications are unread: cheap, for the shell's badge to poll.
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications",
    responses(
        (status = 200, description = "The unread count", body = UnreadView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn unread_count(
    State(svc): State<Notify>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<UnreadView>> {
    let unread = svc.unread_count(&actor).await?;
    Ok(Json(UnreadView { unread }))
}

/// Marks one of the caller's notifications read (again: keeps the first time). Reading a new
/// paid order's notice acknowledges it for the 10-minute reminder.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The notification, read", body = NotificationView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie request from another site: `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such notification of the caller's, or not an id: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn mark_read(
    State(svc): State<Notify>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<NotificationId>,
) -> ApiResult<Json<NotificationView>> {
    let n = svc.mark_read(&actor, id).await?;
    Ok(Json(NotificationView::of(&n)))
}

/// Marks every unread notification of the caller read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    responses(
        (status = 200, description = "How many were marked", body = MarkedView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie request from another site: `cross_site_request`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn mark_all_read(
    State(svc): State<Notify>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<MarkedView>> {
    let marked = svc.mark_all_read(&actor).await?;
    Ok(Json(MarkedView { marked }))
}
