//! Stable error codes: how every crate declares them, the ones the HTTP plumbing itself answers,
//! and the checks each crate's catalogue must pass.
//!
//! Every crate declares its errors in one enum in its `error.rs`. Each variant is one stable
//! snake_case code a client can match (`sold_out`, `claim_window_closed` …); the enum's
//! `code()` and `message()` give the code and its zh-CN / English text, and its
//! `From<…> for ApiError` gives the status. Use cases raise variants, never strings. The
//! crate's unit test builds one example per variant (`examples()`), proves the list covers
//! every variant, and runs [`check_catalogue`] over them. The server's OpenAPI test proves
//! every operation documents the codes it can answer (in its error responses' descriptions,
//! written `` `code` ``) and that every declared code is documented somewhere.

use super::error::ApiError;
use axum::http::StatusCode;
pub use farmgate_kernel::Msg;
use farmgate_kernel::{FieldError, ValidationErrors};

/// The codes the shared HTTP plumbing answers (extractors, middleware, generic statuses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum HttpCode {
    /// Field errors; the body's `fields` names them.
    ValidationFailed,
    /// No such resource (or one the caller may not know exists).
    NotFound,
    Unauthenticated,
    Forbidden,
    TooManyAttempts,
    Internal,
    Unavailable,
    UnsupportedMediaType,
    UnreadableBody,
    PayloadTooLarge,
    MalformedJson,
    InvalidQuery,
    MethodNotAllowed,
    Timeout,
    BadRequest,
    /// A query parameter holds a control character (NUL …) or invisible formatting.
    ControlCharacters,
    /// The request line (method, address, version) is over the limit.
    UriTooLong,
    /// An expensive step (password hashing, image decoding, label drawing, an export) has no
    /// free slot within its queue time; `Retry-After` says when to try again.
    Busy,
}

impl HttpCode {
    /// Every plumbing code, for the docs and the tests.
    pub const ALL: &'static [HttpCode] = &[
        HttpCode::ValidationFailed,
        HttpCode::NotFound,
        HttpCode::Unauthenticated,
        HttpCode::Forbidden,
        HttpCode::TooManyAttempts,
        HttpCode::Internal,
        HttpCode::Unavailable,
        HttpCode::UnsupportedMediaType,
        HttpCode::UnreadableBody,
        HttpCode::PayloadTooLarge,
        HttpCode::MalformedJson,
        HttpCode::InvalidQuery,
        HttpCode::MethodNotAllowed,
        HttpCode::Timeout,
        HttpCode::BadRequest,
        HttpCode::ControlCharacters,
        HttpCode::UriTooLong,
        HttpCode::Busy,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HttpCode::ValidationFailed => "validation_failed",
            HttpCode::NotFound => "not_found",
            HttpCode::Unauthenticated => "unauthenticated",
            HttpCode::Forbidden => "forbidden",
            HttpCode::TooManyAttempts => "too_many_attempts",
            HttpCode::Internal => "internal",
            HttpCode::Unavailable => "unavailable",
            HttpCode::UnsupportedMediaType => "unsupported_media_type",
            HttpCode::UnreadableBody => "unreadable_body",
            HttpCode::PayloadTooLarge => "payload_too_large",
            HttpCode::MalformedJson => "malformed_json",
            HttpCode::InvalidQuery => "invalid_query",
            HttpCode::MethodNotAllowed => "method_not_allowed",
            HttpCode::Timeout => "timeout",
            HttpCode::BadRequest => "bad_request",
            HttpCode::ControlCharacters => "control_characters",
            HttpCode::UriTooLong => "uri_too_long",
            HttpCode::Busy => "server_busy",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            HttpCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            HttpCode::NotFound => StatusCode::NOT_FOUND,
            HttpCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            HttpCode::Forbidden => StatusCode::FORBIDDEN,
            HttpCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            HttpCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            HttpCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            HttpCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HttpCode::UnreadableBody | HttpCode::MalformedJson | HttpCode::InvalidQuery => {
                StatusCode::BAD_REQUEST
            }
            HttpCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            HttpCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            HttpCode::Timeout => StatusCode::REQUEST_TIMEOUT,
            HttpCode::BadRequest | HttpCode::ControlCharacters => StatusCode::BAD_REQUEST,
            HttpCode::UriTooLong => StatusCode::URI_TOO_LONG,
            HttpCode::Busy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The generic message; some constructors say more (which line of the JSON is broken).
    pub fn message(self) -> Msg {
        let (zh, en) = match self {
            HttpCode::ValidationFailed => {
                ("请检查填写的内容", "please check the highlighted fields")
            }
            HttpCode::NotFound => ("资源不存在", "not found"),
            HttpCode::Unauthenticated => ("请先登录", "please log in"),
            HttpCode::Forbidden => ("您没有权限执行此操作", "you are not allowed to do this"),
            HttpCode::TooManyAttempts => (
                "尝试次数过多，请稍后再试",
                "too many attempts; try again later",
            ),
            HttpCode::Internal => (
                "服务器开小差了，请稍后再试",
                "something went wrong on our side; please try again",
            ),
            HttpCode::Unavailable => (
                "服务暂时不可用，请稍后再试",
                "the service is temporarily unavailable",
            ),
            HttpCode::UnsupportedMediaType => ("不支持的内容类型", "unsupported content type"),
            HttpCode::UnreadableBody => ("无法读取请求体", "the request body could not be read"),
            HttpCode::PayloadTooLarge => ("请求内容太大", "the request body is too large"),
            HttpCode::MalformedJson => ("JSON 格式错误", "malformed JSON"),
            HttpCode::InvalidQuery => ("查询参数不正确", "invalid query parameters"),
            HttpCode::MethodNotAllowed => (
                "此接口不支持该请求方法",
                "this endpoint does not support that method",
            ),
            HttpCode::Timeout => ("请求超时，请重试", "the request timed out; please retry"),
            HttpCode::BadRequest => ("请求不正确", "bad request"),
            HttpCode::ControlCharacters => (
                "查询参数包含不可见的控制字符",
                "a query parameter contains invisible control characters",
            ),
            HttpCode::UriTooLong => ("请求地址太长", "the request address is too long"),
            HttpCode::Busy => (
                "服务器繁忙，请稍后再试",
                "the server is busy; please try again shortly",
            ),
        };
        Msg::new(zh, en)
    }
}

impl From<HttpCode> for ApiError {
    fn from(c: HttpCode) -> Self {
        let m = c.message();
        ApiError::new(c.status(), c.code(), m.zh, m.en)
    }
}

/// One of a room's own answers: status, stable code and the text in both languages. A room's
/// error enum lists them in one `fn answer(&self) -> Answer` match (see [`room_error_answers!`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Msg,
    /// Field errors this answer names (a uniqueness conflict on one field, answered 409).
    pub fields: Option<ValidationErrors>,
}

impl Answer {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            message: Msg::new(zh, en),
            fields: None,
        }
    }

    /// The same answer, naming the field at fault (the body's `fields`).
    pub fn with_field(mut self, error: FieldError) -> Self {
        self.fields
            .get_or_insert_with(ValidationErrors::new)
            .push(error);
        self
    }

    /// `409 Conflict` with the room's own code.
    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, zh, en)
    }

    /// `not_found`, naming what is missing by its label (`订单不存在` / `order not found`).
    pub fn not_found(label: Msg) -> Self {
        Self {
            status: HttpCode::NotFound.status(),
            code: HttpCode::NotFound.code(),
            message: HttpCode::not_found_for(label),
            fields: None,
        }
    }
}

impl From<HttpCode> for Answer {
    fn from(c: HttpCode) -> Self {
        Self {
            status: c.status(),
            code: c.code(),
            message: c.message(),
            fields: None,
        }
    }
}

impl From<Answer> for ApiError {
    fn from(a: Answer) -> Self {
        let e = ApiError::new(a.status, a.code, a.message.zh, a.message.en);
        match a.fields {
            Some(fields) => e.with_fields(fields),
            None => e,
        }
    }
}

impl HttpCode {
    /// The `not_found` text naming what is missing by its label (a `labelled_enum!`'s
    /// `label()`): `{zh}不存在` / `{en} not found`.
    pub fn not_found_for(label: Msg) -> Msg {
        Msg::new(
            format!("{}不存在", label.zh),
            format!("{} not found", label.en),
        )
    }
}

/// What every room's error enum shares, written once: `code()` and `message()` (a wrapped
/// room's error answers with its own), and `From<$error> for ApiError` — field errors
/// (`Invalid(ValidationErrors)`) with their fields, the `delegates` (wrapped errors of other
/// rooms) through their own conversion, the `internal` variants as a logged 500 with the generic
/// text, and every other variant as its `answer()`. The enum writes the one list of its own
/// answers as an inherent `fn answer(&self) -> Answer` (status, code, both texts), which must
/// give something for every variant (the delegates and internal ones are never asked).
#[macro_export]
macro_rules! room_error_answers {
    ($error:ident {
        delegates: [$($wrapped:ident),* $(,)?],
        internal: [$($internal:ident),+ $(,)?] $(,)?
    }) => {
        impl $error {
            /// The stable code a client matches (another room's error answers with its own).
            pub fn code(&self) -> &'static str {
                match self {
                    $(Self::$wrapped(e) => e.code(),)*
                    own => own.answer().code,
                }
            }

            /// What the person is told, in Chinese and English (another room's error with its
            /// own text).
            pub fn message(&self) -> $crate::http::codes::Msg {
                match self {
                    $(Self::$wrapped(e) => e.message(),)*
                    own => own.answer().message,
                }
            }
        }

        impl ::core::convert::From<$error> for $crate::http::ApiError {
            fn from(e: $error) -> Self {
                match e {
                    $error::Invalid(errs) => $crate::http::ApiError::validation(errs),
                    $($error::$wrapped(e) => e.into(),)*
                    e @ ($($error::$internal(_))|+) => $crate::http::ApiError::internal(e),
                    own => own.answer().into(),
                }
            }
        }
    };
}

/// Problems with a crate's code catalogue (one `ApiError` per variant, in any order): codes
/// must be snake_case ASCII, each message must have a Chinese text with Chinese in it and an
/// English text with none, and one code must not mean two statuses. Empty when all is well.
pub fn check_catalogue(errors: impl IntoIterator<Item = ApiError>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: std::collections::BTreeMap<String, StatusCode> = Default::default();
    for e in errors {
        let code = e.code.to_string();
        let snake = !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !code.starts_with('_')
            && !code.ends_with('_');
        if !snake {
            problems.push(format!("{code:?} is not a snake_case code"));
        }
        let zh = &e.message.zh;
        let en = &e.message.en;
        if !zh.chars().any(is_cjk) {
            problems.push(format!(
                "{code}: the Chinese message {zh:?} has no Chinese in it"
            ));
        }
        if en.trim().is_empty() || en.chars().any(is_cjk) {
            problems.push(format!(
                "{code}: the English message {en:?} is empty or not English"
            ));
        }
        if let Some(prev) = seen.insert(code.clone(), e.status)
            && prev != e.status
        {
            problems.push(format!("{code} answers both {prev} and {}", e.status));
        }
    }
    problems
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// The codes named in an OpenAPI response description: every `` `snake_case` `` word.
pub fn codes_in_description(description: &str) -> Vec<&str> {
    description
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .collect()
}

/// The two tests every room's error catalogue carries, written once: each variant has an
/// example (`$error::examples()`, compared through strum's `$discriminants`), and the examples
/// as answers pass [`check_catalogue`]. Invoke inside the crate's `#[cfg(test)] mod tests`
/// (`use super::*;` in scope), which needs `strum` as a dev-dependency.
#[macro_export]
macro_rules! error_catalogue_tests {
    ($error:ident, $discriminants:ident) => {
        #[test]
        fn the_examples_cover_every_variant() {
            use ::strum::IntoEnumIterator as _;
            let covered: ::std::collections::HashSet<$discriminants> = $error::examples()
                .iter()
                .map($discriminants::from)
                .collect();
            for d in $discriminants::iter() {
                assert!(covered.contains(&d), "{d:?} has no example");
            }
        }

        #[test]
        fn every_code_is_snake_case_speaks_both_languages_and_has_one_status() {
            let problems = $crate::http::check_catalogue(
                $error::examples()
                    .into_iter()
                    .map($crate::http::ApiError::from),
            );
            assert!(problems.is_empty(), "{problems:#?}");
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_plumbing_code_is_listed_once_and_speaks_both_languages() {
        let listed: std::collections::HashSet<_> = HttpCode::ALL
            .iter()
            .map(|c| HttpCodeDiscriminants::from(*c))
            .collect();
        for d in HttpCodeDiscriminants::iter() {
            assert!(listed.contains(&d), "{d:?} is missing from HttpCode::ALL");
        }
        assert_eq!(listed.len(), HttpCode::ALL.len());
        let problems = check_catalogue(HttpCode::ALL.iter().map(|c| ApiError::from(*c)));
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_catalogue_with_a_bad_code_or_a_missing_language_is_refused() {
        let problems = check_catalogue([
            ApiError::new(StatusCode::CONFLICT, "Sold-Out", "卖完了", "sold out"),
            ApiError::new(StatusCode::CONFLICT, "sold_out", "sold out", "sold out"),
            ApiError::new(StatusCode::GONE, "sold_out", "卖完了", "卖完了"),
        ]);
        assert_eq!(problems.len(), 4, "{problems:#?}");
    }

    #[test]
    fn not_found_names_what_is_missing_in_both_languages() {
        let a = ApiError::from(Answer::not_found(Msg::new("付款批次", "payout batch")));
        assert_eq!(
            (a.status, a.code.as_ref()),
            (StatusCode::NOT_FOUND, "not_found")
        );
        assert_eq!(
            (a.message.zh.as_str(), a.message.en.as_str()),
            ("付款批次不存在", "payout batch not found")
        );
        let plain = ApiError::not_found("订单", "order");
        assert_eq!(plain.message.en, "order not found");
    }

    #[test]
    fn codes_are_read_from_backticks_in_a_description() {
        assert_eq!(
            codes_in_description("Conflict: `sold_out`, `price_changed` (see `Retry-After`)"),
            vec!["sold_out", "price_changed"]
        );
    }
}
