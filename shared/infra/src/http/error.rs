//! `{ "error": { "code", "message", "fields"?, "request_id"? } }` — the one error shape.

use super::codes::HttpCode;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_kernel::error::{Lang, Msg};
use farmgate_kernel::{FieldError, ValidationErrors};
use serde::Serialize;
use std::borrow::Cow;

pub type ApiResult<T> = Result<T, ApiError>;

/// The `Retry-After` of a `503 unavailable`: about how long a backend blip or a failover takes.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Does the cause chain say a backend is out of reach, rather than that something is wrong?
fn backend_unreachable(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(e) = cur {
        if let Some(db) = e.downcast_ref::<sea_orm::DbErr>() {
            return crate::db::is_unavailable(db);
        }
        if e.downcast_ref::<sea_orm::error::ConnAcquireErr>().is_some() {
            return true;
        }
        if let Some(objects) = e.downcast_ref::<crate::objects::ObjectError>() {
            return matches!(objects, crate::objects::ObjectError::S3 { .. });
        }
        cur = e.source();
    }
    false
}

/// An error on its way to the client. Only the HTTP layer knows statuses; services map their
/// own error enums into this.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: Box<Msg>,
    pub fields: Option<Box<ValidationErrors>>,
    pub retry_after_secs: Option<u64>,
    /// The cause, for the log of a 5xx. Never shown to the client.
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            message: Box::new(Msg::new(zh, en)),
            fields: None,
            retry_after_secs: None,
            source: None,
        }
    }

    pub fn validation(errors: impl Into<ValidationErrors>) -> Self {
        let mut e = Self::from(HttpCode::ValidationFailed);
        e.fields = Some(Box::new(errors.into()));
        e
    }

    pub fn field(error: FieldError) -> Self {
        Self::validation(error)
    }

    pub fn not_found(zh: &str, en: &str) -> Self {
        super::codes::Answer::not_found(Msg::new(zh, en)).into()
    }

    pub fn unauthenticated() -> Self {
        Self::from(HttpCode::Unauthenticated)
    }

    pub fn forbidden() -> Self {
        Self::from(HttpCode::Forbidden)
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, zh, en)
    }

    pub fn bad_request(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, zh, en)
    }

    pub fn too_many(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            HttpCode::TooManyAttempts.status(),
            HttpCode::TooManyAttempts.code(),
            format!(
                "尝试次数过多，请 {} 分钟后再试",
                retry_after_secs.div_ceil(60).max(1)
            ),
            format!(
                "too many attempts; try again in {} minutes",
                retry_after_secs.div_ceil(60).max(1)
            ),
        );
        e.retry_after_secs = Some(retry_after_secs.max(1));
        e
    }

    /// A failure of ours. The cause goes to the log with the request id; the client gets a
    /// generic message. A cause that is a backend out of reach (the database down, hung or out
    /// of connections; the object store not answering) is no fault of the request: that is
    /// answered `503 unavailable` with `Retry-After` instead (see [`ApiError::unavailable`]).
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let source = source.into();
        if backend_unreachable(source.as_ref()) {
            return Self::unavailable(source);
        }
        let mut e = Self::from(HttpCode::Internal);
        e.source = Some(source);
        e
    }

    /// `503 unavailable` with `Retry-After`: a backend this request needs (database, search
    /// engine, object store, cache) cannot be reached just now.
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let mut e = Self::from(HttpCode::Unavailable);
        e.source = Some(source.into());
        e.retry_after_secs = Some(UNAVAILABLE_RETRY_AFTER_SECS);
        e
    }

    /// Names the fields (or query parameters) at fault, keeping this error's code and status.
    pub fn with_fields(mut self, errors: impl Into<ValidationErrors>) -> Self {
        self.fields = Some(Box::new(errors.into()));
        self
    }

    /// 503 `server_busy` with `Retry-After`: an expensive step has no free slot (see
    /// [`crate::limit`]).
    pub fn busy(retry_after_secs: u64) -> Self {
        let mut e = Self::from(HttpCode::Busy);
        e.retry_after_secs = Some(retry_after_secs.max(1));
        e
    }

    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The body in one language.
    pub fn body(&self, lang: Lang, request_id: Option<&str>) -> ErrorBody {
        self.renderable().body(lang, request_id)
    }

    /// The parts needed to re-render in another language (the response keeps these in its
    /// extensions; the error-shape middleware uses them).
    fn renderable(&self) -> RenderableError {
        RenderableError {
            code: self.code.clone(),
            message: self.message.clone(),
            fields: self.fields.clone(),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::internal(e)
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::validation(e)
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::validation(e)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message.en
        )
    }
}

/// The serialised error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case; clients match on it.
    pub code: String,
    /// For people, in the request's language (Accept-Language; Chinese by default).
    pub message: String,
    /// Field name → message, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<std::collections::BTreeMap<String, String>>,
    /// Field name → stable snake_case code (`required`, `out_of_range` ...), beside `fields`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_codes: Option<std::collections::BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Kept in the response extensions so the middleware can render the chosen language.
#[derive(Clone, Debug)]
pub struct RenderableError {
    pub code: Cow<'static, str>,
    pub message: Box<Msg>,
    pub fields: Option<Box<ValidationErrors>>,
}

impl RenderableError {
    pub fn body(&self, lang: Lang, request_id: Option<&str>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.get(lang).to_owned(),
                fields: self.fields.as_ref().map(|f| f.by_field(lang)),
                field_codes: self.fields.as_ref().map(|f| f.codes_by_field()),
                request_id: request_id.map(str::to_owned),
            },
        }
    }
}

fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    out
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            match &self.source {
                Some(src) => tracing::error!(
                    status = self.status.as_u16(), code = %self.code,
                    error = %cause_chain(src.as_ref()), "request failed"
                ),
                None => {
                    tracing::error!(status = self.status.as_u16(), code = %self.code, "request failed")
                }
            }
        }
        let mut resp = (self.status, Json(self.body(Lang::Zh, None))).into_response();
        if let Some(secs) = self.retry_after_secs
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp.extensions_mut().insert(self.renderable());
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_render_field_messages_in_the_chosen_language() {
        let e = ApiError::validation(FieldError::new(
            "phone",
            "invalid_phone",
            "手机号不对",
            "bad phone",
        ));
        let body = serde_json::to_value(e.body(Lang::En, Some("req-1"))).unwrap_or_default();
        assert_eq!(body["error"]["code"], "validation_failed");
        assert_eq!(body["error"]["fields"]["phone"], "bad phone");
        assert_eq!(body["error"]["request_id"], "req-1");
        let zh = serde_json::to_value(e.body(Lang::Zh, None)).unwrap_or_default();
        assert_eq!(zh["error"]["fields"]["phone"], "手机号不对");
        assert!(zh["error"].get("request_id").is_none());
    }

    #[derive(Debug, thiserror::Error)]
    #[error("database")]
    struct RoomError(#[source] sea_orm::DbErr);

    #[test]
    fn a_database_out_of_reach_is_unavailable_with_retry_after_not_internal() {
        let acquire = sea_orm::DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout);
        let e = ApiError::internal(RoomError(acquire));
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code, "unavailable");
        assert_eq!(e.retry_after_secs, Some(UNAVAILABLE_RETRY_AFTER_SECS));
        let resp = e.into_response();
        assert!(resp.headers().get(header::RETRY_AFTER).is_some());

        let query = ApiError::internal(RoomError(sea_orm::DbErr::Custom("bad row".into())));
        assert_eq!(
            query.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "a fault stays internal"
        );
    }

    #[test]
    fn internal_errors_never_show_their_cause() {
        let e = ApiError::internal(std::io::Error::other("disk on fire at /var/lib/secret"));
        let body = serde_json::to_string(&e.body(Lang::En, None)).unwrap_or_default();
        assert!(!body.contains("disk on fire"), "{body}");
        assert!(body.contains("internal"));
    }
}
