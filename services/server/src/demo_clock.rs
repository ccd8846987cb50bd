//! The demo clock (`demo_clock`, refused in production): the operator of a demo server moves
//! the platform's time forward, so a browser story can pass a ship-by deadline or make a
//! parcel overdue without waiting days. Everything that reads "now" — deadlines, the outbox's
//! scheduled jobs, countdowns — follows. Mounted only when the setting is on, outside the
//! public API document: no real deployment has it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use farmgate_identity::AuthUser;
use farmgate_infra::Infra;
use farmgate_infra::http::{ApiError, ApiJson, ApiResult};
use farmgate_kernel::FieldError;
use serde::{Deserialize, Serialize};

/// The most one call moves the clock: 30 days.
const MAX_HOURS: i64 = 720;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// Hours to move forward, 1–720.
    pub hours: i64,
}

#[derive(Debug, Serialize)]
pub struct Now {
    pub now: DateTime<Utc>,
}

/// `POST /api/v1/demo/clock` (the operator): moves the clock `hours` forward and wakes the
/// outbox worker, so what fell due runs now.
#[tracing::instrument(skip_all)]
pub async fn advance(
    State(infra): State<Infra>,
    AuthUser(actor): AuthUser,
    ApiJson(body): ApiJson<Advance>,
) -> ApiResult<Json<Now>> {
    actor.require_operator()?;
    if !infra.clock.movable() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "没有这个地址",
            "no such address",
        ));
    }
    if !(1..=MAX_HOURS).contains(&body.hours) {
        return Err(ApiError::from(FieldError::new(
            "hours",
            "out_of_range",
            format!("须为 1 到 {MAX_HOURS} 小时"),
            format!("must be 1 to {MAX_HOURS} hours"),
        )));
    }
    infra.clock.advance(chrono::Duration::hours(body.hours));
    infra.outbox.wake();
    let now = infra.clock.now();
    tracing::warn!(hours = body.hours, %now, "demo clock moved forward");
    Ok(Json(Now { now }))
}
