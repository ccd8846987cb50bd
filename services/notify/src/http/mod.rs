//! Notifications over HTTP: the route list (all in `/api/v1/openapi.json`, tag
//! `notifications`), handlers grouped like the use cases, and the views they answer with.

mod centre;
mod preferences;
pub mod views;

use crate::Notify;
use axum::extract::FromRef;
use farmgate_identity::Identity;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Notify: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(centre::list))
        .routes(routes!(centre::unread_count))
        .routes(routes!(centre::mark_read))
        .routes(routes!(centre::mark_all_read))
        .routes(routes!(
            preferences::get_preferences,
            preferences::put_preferences
        ))
}
