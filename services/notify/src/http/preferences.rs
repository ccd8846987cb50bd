//! A person's notification preferences: channels per kind and quiet hours.

use crate::Notify;
use crate::domain::hours::DayWindow;
use crate::http::views::{PreferencesInput, PreferencesView};
use crate::service::preferences::PreferencesChange;
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiResult};
use farmgate_kernel::FieldError;

/// The caller's preferences: per kind, text message and WeChat on or off, and quiet hours.
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "notifications",
    responses(
        (status = 200, description = "The caller's preferences", body = PreferencesView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn get_preferences(
    State(svc): State<Notify>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<PreferencesView>> {
    let p = svc.preferences(&actor).await?;
    Ok(Json(PreferencesView::of(&p)))
}

/// Changes the caller's preferences: the quiet hours (`null`: none) and the kinds named.
#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = "notifications",
    request_body = PreferencesInput,
    responses(
        (status = 200, description = "The preferences as saved", body = PreferencesView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie request from another site: `cross_site_request`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (quiet hours not `HH:MM-HH:MM`, a channel the kind does not use, an urgent kind's text message turned off, a kind twice): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn put_preferences(
    State(svc): State<Notify>,
    AuthUser(actor): AuthUser,
    ApiJson(input): ApiJson<PreferencesInput>,
) -> ApiResult<Json<PreferencesView>> {
    let quiet_hours = match input.quiet_hours.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(DayWindow::parse(s).map_err(|_| {
            crate::NotifyError::from(FieldError::new(
                "quiet_hours",
                "invalid",
                "免打扰时段应为 HH:MM-HH:MM，如 22:00-08:00，起止不能相同",
                "quiet hours are HH:MM-HH:MM, such as 22:00-08:00, with different start and end",
            ))
        })?),
    };
    let change = PreferencesChange {
        quiet_hours,
        kinds: input.kinds.iter().map(|k| (k.kind, k.choice())).collect(),
    };
    let p = svc.set_preferences(&actor, change).await?;
    Ok(Json(PreferencesView::of(&p)))
}
