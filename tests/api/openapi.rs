//! The API document, `GET /api/v1/openapi.json`, against the committed snapshot
//! `tests/api/openapi.snapshot.json` (pretty-printed, keys sorted): any change to the HTTP API
//! — a route, a field, an error code's description — shows up as a diff of that file in review.
//!
//! When the change is intended, rewrite the snapshot and commit it with the change:
//!
//! ```sh
//! FARMGATE_UPDATE_SNAPSHOT=1 cargo nextest run -p farmgate-tests --test api -- openapi
//! ```
//!
//! It runs on the embedded stack only: the document is built from the route list, not from
//! the backends.

use farmgate_tests::prelude::*;
use std::path::Path;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/api/openapi.snapshot.json");
const UPDATE: &str = "FARMGATE_UPDATE_SNAPSHOT";
const API_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/API.md");
const HOW_TO_UPDATE: &str =
    "FARMGATE_UPDATE_SNAPSHOT=1 cargo nextest run -p farmgate-tests --test api -- openapi";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_document_matches_the_committed_snapshot() {
    let Some(app) = TestApp::spawn(Backend::Embedded).await else {
        return;
    };

    let r = app.get("/api/v1/openapi.json", None).await;

    r.expect_status(200);
    let live = sorted(&r.body);
    let live_text = pretty(&live);
    if farmgate_tests::env(UPDATE).is_some_and(|v| v == "1" || v == "true") {
        write_atomically(Path::new(SNAPSHOT), &live_text);
        eprintln!("wrote {SNAPSHOT}; review the diff and commit it");
        return;
    }
    let committed_text = std::fs::read_to_string(SNAPSHOT).unwrap_or_else(|e| {
        panic!("cannot read the snapshot {SNAPSHOT} ({e}); create it with\n    {HOW_TO_UPDATE}")
    });
    if committed_text == live_text {
        return;
    }
    let committed: Value = serde_json::from_str(&committed_text).unwrap_or_else(|e| {
        panic!("the snapshot {SNAPSHOT} is not JSON ({e}); rewrite it with\n    {HOW_TO_UPDATE}")
    });
    let mut changes = Vec::new();
    diff(&mut changes, String::new(), &sorted(&committed), &live);
    const SHOWN: usize = 60;
    let mut report = changes
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    if changes.len() > SHOWN {
        report.push_str(&format!("\n… and {} more", changes.len() - SHOWN));
    }
    if changes.is_empty() {
        report.push_str("(the same document, formatted differently)");
    }
    panic!(
        "GET /api/v1/openapi.json differs from the committed snapshot {SNAPSHOT} \
         in {} place(s) (- only in the snapshot, + only in the live document, ~ changed):\n\
         {report}\n\n\
         If the API change is intended, rewrite the snapshot and commit it with the change:\n    \
         {HOW_TO_UPDATE}",
        changes.len()
    );
}

/// The document with every object's keys in order, so the snapshot is stable and diffs well.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn pretty(v: &Value) -> String {
    let mut text = serde_json::to_string_pretty(v).expect("a JSON document");
    text.push('\n');
    text
}

/// Writes through a temporary file and a rename, so a reader never sees half a snapshot.
fn write_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).unwrap_or_else(|e| panic!("writing {}: {e}", tmp.display()));
    std::fs::rename(&tmp, path).unwrap_or_else(|e| panic!("renaming to {}: {e}", path.display()));
}

/// Where `before` and `after` differ, one line each, with JS-like paths
/// (`paths["/api/v1/orders"].post.responses["409"]`).
fn diff(out: &mut Vec<String>, at: String, before: &Value, after: &Value) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (k, bv) in b {
                let here = join(&at, k);
                match a.get(k) {
                    Some(av) => diff(out, here, bv, av),
                    None => out.push(format!("- {here}")),
                }
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("+ {}", join(&at, k)));
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for (i, (bv, av)) in b.iter().zip(a).enumerate() {
                diff(out, format!("{at}[{i}]"), bv, av);
            }
            for (i, bv) in b.iter().enumerate().skip(a.len()) {
                out.push(format!("- {at}[{i}] = {}", short(bv)));
            }
            for (i, av) in a.iter().enumerate().skip(b.len()) {
                out.push(format!("+ {at}[{i}] = {}", short(av)));
            }
        }
        (b, a) if b != a => out.push(format!("~ {at}: {} → {}", short(b), short(a))),
        _ => {}
    }
}

fn join(at: &str, key: &str) -> String {
    let plain = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    } else {
        format!("{at}[{key:?}]")
    }
}

/// A value cut to one readable line.
fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 100 {
        format!("{}…", text.chars().take(100).collect::<String>())
    } else {
        text
    }
}

/// Every error answer in the document names the codes a client may match, and those codes are
/// the ones the rooms declare: each 4xx response's description names at least one `` `code` ``
/// from the union of every crate's error enum and the HTTP plumbing's, and every declared code
/// of a room is named by some operation; the plumbing's codes, which any operation may answer,
/// are listed in docs/API.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_answer_names_declared_codes_and_every_code_is_documented() {
    use farmgate_infra::http::ApiError;
    use farmgate_infra::http::codes::{HttpCode, codes_in_description};
    use std::collections::BTreeSet;
    let Some(app) = TestApp::spawn(Backend::Embedded).await else {
        return;
    };
    let every: Vec<ApiError> = HttpCode::ALL
        .iter()
        .map(|c| ApiError::from(*c))
        .chain(examples(farmgate_identity::IdentityError::examples()))
        .chain(examples(farmgate_catalog::CatalogError::examples()))
        .chain(examples(farmgate_trace::TraceError::examples()))
        .chain(examples(farmgate_orders::OrdersError::examples()))
        .chain(examples(farmgate_aftersales::AftersalesError::examples()))
        .chain(examples(farmgate_desk::DeskError::examples()))
        .chain(examples(farmgate_stats::StatsError::examples()))
        .chain(examples(farmgate_invoicing::InvoicingError::examples()))
        .chain(examples(farmgate_finance::FinanceError::examples()))
        .chain(examples(farmgate_notify::NotifyError::examples()))
        .chain(examples(farmgate_news::NewsError::examples()))
        .collect();
    // One code means one thing across the whole API: the same status wherever it is answered.
    let clashes = farmgate_infra::http::check_catalogue(
        every
            .iter()
            .map(|e| ApiError::new(e.status, e.code.to_string(), "中文", "English")),
    );
    // One old clash is kept on purpose: checkout's `409 unavailable` (items off sale) came
    // before the plumbing's `503 unavailable`, and the pages and clients match it together
    // with its status. No new code may mean two statuses.
    let clashes: Vec<_> = clashes
        .into_iter()
        .filter(|c| !c.starts_with("unavailable answers both"))
        .collect();
    assert!(clashes.is_empty(), "{}", clashes.join("\n"));
    let declared: BTreeSet<String> = every.iter().map(|e| e.code.to_string()).collect();

    let doc = app.get("/api/v1/openapi.json", None).await;
    doc.expect_status(200);

    let mut problems = Vec::new();
    let mut named = BTreeSet::new();
    let paths = doc.body["paths"].as_object().cloned().unwrap_or_default();
    assert!(paths.len() > 100, "the document lists the routes");
    for (path, item) in &paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                let description = response["description"].as_str().unwrap_or_default();
                if description.trim().is_empty() {
                    problems.push(format!("{method} {path} {status}: no description"));
                }
                // A 5xx answer may name codes too (a room's own 503, e.g. `server_busy`);
                // only a 4xx must name one.
                if !status.starts_with('4') && !status.starts_with('5') {
                    continue;
                }
                let codes = codes_in_description(description);
                // A payment provider's notification is answered in that provider's words
                // (WeChat Pay's {"code":"FAIL"}, Alipay's "fail"), which carry no code of ours.
                let providers_words = description.contains("the provider's own words");
                if codes.is_empty() && status.starts_with('4') && !providers_words {
                    problems.push(format!("{method} {path} {status}: names no code"));
                }
                for c in codes {
                    if !declared.contains(c) {
                        problems.push(format!(
                            "{method} {path} {status}: `{c}` is no declared code"
                        ));
                    }
                    named.insert(c.to_owned());
                }
            }
        }
    }
    // The plumbing's codes can answer any operation: docs/API.md lists them all once.
    let api_md = std::fs::read_to_string(API_MD).unwrap_or_default();
    for c in HttpCode::ALL {
        let code = c.code();
        if !api_md.contains(&format!("| `{code}` |")) {
            problems.push(format!("`{code}` is missing from the table in {API_MD}"));
        }
    }
    let plumbing: BTreeSet<&str> = HttpCode::ALL.iter().map(|c| c.code()).collect();
    for code in &declared {
        if !plumbing.contains(code.as_str()) && !named.contains(code) {
            problems.push(format!("`{code}` is declared but no operation names it"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn examples<E: Into<farmgate_infra::http::ApiError>>(
    errors: Vec<E>,
) -> impl Iterator<Item = farmgate_infra::http::ApiError> {
    errors.into_iter().map(Into::into)
}

/// The document is one a validator and a generated client accept: every path parameter is in
/// its path's template (query parameters are declared as query parameters), and every
/// `$ref` names a schema the document holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_parameter_is_where_it_is_sent_and_every_reference_resolves() {
    let Some(app) = TestApp::spawn(Backend::Embedded).await else {
        return;
    };
    let doc = app.get("/api/v1/openapi.json", None).await;
    doc.expect_status(200);

    let mut problems = Vec::new();
    for (path, item) in doc.body["paths"].as_object().into_iter().flatten() {
        let template: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .collect();
        for (method, op) in item.as_object().into_iter().flatten() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap_or_default();
                if p["in"] == "path" && !template.contains(&name) {
                    problems.push(format!("{method} {path}: `{name}` is no path parameter"));
                }
            }
        }
    }
    let schemas = doc.body["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for reference in doc.text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap_or_default();
        if !schemas.contains_key(name) {
            problems.push(format!(
                "$ref to `{name}`, which the document does not hold"
            ));
        }
    }
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each room's router yields its own document; when two rooms give a schema the same name,
/// the merged document keeps one of them and the other room's answers no longer match what it
/// documents (it happened: `EventKind`, `EventView`, `ReviewView`, `SellerRef`). One name, one
/// schema, across the whole API.
#[test]
fn no_two_rooms_give_different_schemas_the_same_name() {
    use farmgate_server::AppState;
    let rooms: Vec<(&str, Value)> = vec![
        (
            "identity",
            room(farmgate_identity::http::router::<AppState>()),
        ),
        (
            "catalog",
            room(farmgate_catalog::http::router::<AppState>()),
        ),
        ("trace", room(farmgate_trace::http::router::<AppState>())),
        ("orders", room(farmgate_orders::http::router::<AppState>())),
        (
            "aftersales",
            room(farmgate_aftersales::http::router::<AppState>()),
        ),
        ("desk", room(farmgate_desk::http::router::<AppState>())),
        ("stats", room(farmgate_stats::http::router::<AppState>())),
        (
            "finance",
            room(farmgate_finance::http::router::<AppState>()),
        ),
        (
            "invoicing",
            room(farmgate_invoicing::http::router::<AppState>()),
        ),
        ("news", room(farmgate_news::http::router::<AppState>())),
    ];
    let mut seen: std::collections::BTreeMap<String, (&str, Value)> = Default::default();
    let mut clashes = Vec::new();
    for (name, doc) in &rooms {
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (schema_name, schema) in schemas {
            match seen.get(&schema_name) {
                Some((other, first)) if *first != schema => {
                    clashes.push(format!("{schema_name}: {other} and {name}"));
                }
                Some(_) => {}
                None => {
                    seen.insert(schema_name, (name, schema));
                }
            }
        }
    }
    assert!(
        !seen.is_empty(),
        "no room declared any schema: the test reads nothing"
    );
    assert!(
        clashes.is_empty(),
        "schemas of the same name that differ (rename one with #[schema(as = …)]):\n  {}",
        clashes.join("\n  ")
    );
}

/// Room by room, every code a room declares (its error enum's examples, 5xx aside) is named by
/// one of that room's own operations, so a client reading one room's part of the document
/// learns every code it can meet there (the whole-document check above would accept a code
/// another room happens to name).
#[test]
fn every_code_a_room_declares_is_named_by_one_of_its_own_operations() {
    use farmgate_infra::http::ApiError;
    use farmgate_infra::http::codes::codes_in_description;
    use farmgate_server::AppState;
    fn codes<E: Into<ApiError>>(errors: Vec<E>) -> Vec<String> {
        errors
            .into_iter()
            .map(|e| e.into())
            .filter(|e: &ApiError| !e.status.is_server_error())
            .map(|e| e.code.to_string())
            .collect()
    }
    let rooms: Vec<(&str, Value, Vec<String>)> = vec![
        (
            "identity",
            room(farmgate_identity::http::router::<AppState>()),
            codes(farmgate_identity::IdentityError::examples()),
        ),
        (
            "catalog",
            room(farmgate_catalog::http::router::<AppState>()),
            codes(farmgate_catalog::CatalogError::examples()),
        ),
        (
            "trace",
            room(farmgate_trace::http::router::<AppState>()),
            codes(farmgate_trace::TraceError::examples()),
        ),
        (
            "orders",
            room(farmgate_orders::http::router::<AppState>()),
            codes(farmgate_orders::OrdersError::examples()),
        ),
        (
            "aftersales",
            room(farmgate_aftersales::http::router::<AppState>()),
            codes(farmgate_aftersales::AftersalesError::examples()),
        ),
        (
            "stats",
            room(farmgate_stats::http::router::<AppState>()),
            codes(farmgate_stats::StatsError::examples()),
        ),
        (
            "finance",
            room(farmgate_finance::http::router::<AppState>()),
            codes(farmgate_finance::FinanceError::examples()),
        ),
        (
            "invoicing",
            room(farmgate_invoicing::http::router::<AppState>()),
            codes(farmgate_invoicing::InvoicingError::examples()),
        ),
        (
            "news",
            room(farmgate_news::http::router::<AppState>()),
            codes(farmgate_news::NewsError::examples()),
        ),
    ];
    // Codes a room raises only on behalf of other rooms' operations: trace's shipping refusals
    // are answered by orders' shipment endpoints, identity's `org_not_verified` by the
    // seller-side operations of catalog, trace, orders and after-sales.
    let elsewhere = [
        ("trace", "wrong_listing"),
        ("trace", "batch_recalled"),
        ("trace", "batch_blocked"),
        ("trace", "not_inspected"),
        ("trace", "chain_broken"),
        ("identity", "org_not_verified"),
    ];
    let mut problems = Vec::new();
    for (name, doc, declared) in &rooms {
        let mut named = std::collections::BTreeSet::new();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        assert!(!paths.is_empty(), "{name}: the document lists the routes");
        for item in paths.values() {
            for op in item.as_object().into_iter().flatten().map(|(_, op)| op) {
                for (status, response) in op["responses"].as_object().into_iter().flatten() {
                    if status.starts_with('4') || status.starts_with('5') {
                        let description = response["description"].as_str().unwrap_or_default();
                        named.extend(
                            codes_in_description(description)
                                .into_iter()
                                .map(str::to_owned),
                        );
                    }
                }
            }
        }
        for code in declared {
            if !named.contains(code) && !elsewhere.contains(&(*name, code.as_str())) {
                problems.push(format!(
                    "{name}: `{code}` is named by none of its operations"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn room(router: utoipa_axum::router::OpenApiRouter<farmgate_server::AppState>) -> Value {
    let (_, doc) = router.split_for_parts();
    serde_json::to_value(&doc).unwrap_or_default()
}

/// Operation ids come from the handlers' names, room by room; two rooms naming a handler alike
/// (`get_batch`: a trace batch and a payout batch) gave the merged document one id twice,
/// which OpenAPI forbids and client generators choke on.
#[test]
fn every_operation_has_its_own_id() {
    let (_, doc) = farmgate_server::routes::api();
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut clashes = Vec::new();
    for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            if let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}")) {
                clashes.push(format!("{id}: {other} and {method} {path}"));
            }
        }
    }
    assert!(seen.len() > 100, "the document lists the operations");
    assert!(clashes.is_empty(), "{}", clashes.join("\n"));
}
