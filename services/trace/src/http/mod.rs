//! Traceability over HTTP: the seller's batch API ([`batches`]), QR codes and label sheets
//! ([`codes`]), the public scan pages and GS1 Digital Link ([`pages`]), and the public JSON:
//! record, verification, EPCIS export, proofs and the digest log ([`public`]). Response types
//! are in [`views`]. Handlers extract, call the service and map the result; the rules live in
//! the service and the domain.
//!
//! Each operation's OpenAPI error responses name the codes they can carry (`TraceError` and
//! the plumbing codes of `farmgate_infra::http::HttpCode`).

pub mod batches;
pub mod codes;
pub mod labs;
pub mod pages;
pub mod public;
pub mod tlog;
pub mod views;

pub use views::{
    AttachmentView, BatchSummary, BatchView, CheckView, DigestView, EventView, ListingRef,
    SellerRef, UnitView, Verification,
};

use crate::Trace;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use farmgate_identity::Identity;
use farmgate_kernel::error::Lang as KLang;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every traceability route, with its OpenAPI description.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Trace: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(batches::create_batch))
        .routes(routes!(batches::org_batches))
        .routes(routes!(batches::get_batch))
        .routes(routes!(batches::add_event))
        .routes(routes!(batches::openings))
        .routes(routes!(labs::record_check, labs::list_checks))
        .routes(routes!(codes::issue_units, codes::list_units))
        .routes(routes!(codes::qr_svg))
        .routes(routes!(codes::qr_png))
        .routes(routes!(public::public_json))
        .routes(routes!(public::verify))
        .routes(routes!(public::epcis))
        .routes(routes!(public::proof))
        .routes(routes!(public::digests))
        .routes(routes!(public::verify_digests))
        .routes(routes!(tlog::inclusion))
        .routes(routes!(tlog::consistency))
        .route("/tlog/checkpoint", get(tlog::checkpoint))
        .route("/tlog/tile/{*path}", get(tlog::tile))
        .routes(routes!(public::audit_report))
        // More specific than catalog's `/media/{*key}`: trace files are checked before serving.
        .routes(routes!(public::media))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(batches::upload))
                .routes(routes!(labs::upload_report))
                .layer(DefaultBodyLimit::max(
                    crate::service::MAX_ATTACHMENT_BYTES + 64 * 1024,
                )),
        )
        .route("/batches/{id}/labels", get(codes::labels_page))
        .route("/t", get(pages::lookup))
        .route("/t/{code}", get(pages::scan_page))
        .route("/t/{code}/seen", axum::routing::post(pages::scan_seen))
        .route("/t/{code}/seen.gif", get(pages::scan_seen_pixel))
        .route("/t/{code}/{serial}", get(pages::unit_page))
        .route("/01/{gtin}/10/{lot}", get(pages::gs1))
        .route("/01/{gtin}/10/{lot}/21/{serial}", get(pages::gs1))
}

/// The address QR codes point at: the configured public URL, or the host this request came to.
fn base_url(trace: &Trace, headers: &HeaderMap) -> String {
    if let Some(u) = &trace.config().public_url {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    // Only characters a host can have: the value ends up in printed labels.
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .collect();
    format!("http://{host}")
}

fn lang_of(headers: &HeaderMap) -> KLang {
    farmgate_infra::http::extract::lang_of(headers)
}

fn html_response(status: StatusCode, html: String) -> Response {
    let mut resp = (status, html).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}
