//! HTTP plumbing every service shares: the one error shape, extractors that produce it, and the
//! middleware that makes every failure (even a router 404 or a body-limit 413) speak it.

pub mod codes;
pub mod error;
pub mod extract;
pub mod layers;

pub use codes::{HttpCode, check_catalogue};
pub use error::{ApiError, ApiResult};
pub use extract::{
    ApiJson, ApiPath, ApiQuery, ClientIp, Lang, RequestLang, RequestMeta, TrustProxy,
};
