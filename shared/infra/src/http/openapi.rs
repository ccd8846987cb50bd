//! What the plumbing adds to every operation of the API document, once, after the rooms'
//! routers are merged: the answers that come from the shared extractors and layers rather
//! than from a handler, and how a caller authenticates.
//!
//! - An operation with a JSON body can answer `400 malformed_json` or `unreadable_body`,
//!   `413 payload_too_large`
//!   and `415 unsupported_media_type` (from [`ApiJson`](super::ApiJson) and the body limit);
//!   one with a multipart body `400 unreadable_body` and `413 payload_too_large`.
//! - An operation with query parameters can answer `400 control_characters` and
//!   `400 invalid_query` ([`ApiQuery`](super::ApiQuery)), and each of its free-text string
//!   parameters says so in its schema: a `pattern` that excludes the control characters
//!   (C0, DEL, C1) the extractor refuses, so a generated client or a schema-driven fuzzer knows
//!   before it sends.
//! - Every operation can answer `503 unavailable` with `Retry-After`: the database (or another
//!   backend it needs) is out of reach.
//! - An operation that answers `401` needs a session: it names the two ways of sending one
//!   (`Authorization: Bearer <token>`, the `fg_session` cookie) as security requirements; the
//!   public operations name none.
//!
//! A room still declares every answer its handler gives; this only adds what no handler
//! writes. The tests in `tests/api/openapi.rs` check the whole document.

use serde_json::{Map, Value, json};

/// The `pattern` of a free-text query parameter: no control character (`char::is_control`).
pub const NO_CONTROL_CHARACTERS: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

/// The security scheme names.
pub const BEARER: &str = "bearer";
pub const SESSION_COOKIE: &str = "session_cookie";

/// Adds the plumbing's answers and the security requirements to every operation of `doc`
/// (the document as JSON: utoipa's types have no editing of a declared answer in place).
pub fn complete(doc: &mut Value) {
    let error_ref = json!({ "$ref": "#/components/schemas/ErrorBody" });
    let mut secured = false;
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                if !is_method(method) {
                    continue;
                }
                if let Some(op) = op.as_object_mut() {
                    secured |= complete_operation(op, &error_ref);
                }
            }
        }
    }
    if secured {
        add_security_schemes(doc);
    }
}

fn is_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace"
    )
}

/// Completes one operation; true when it needs a session.
fn complete_operation(op: &mut Map<String, Value>, error_ref: &Value) -> bool {
    let body_kinds: Vec<String> = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let json_body = body_kinds.iter().any(|k| k.contains("json"));
    let multipart = body_kinds.iter().any(|k| k.starts_with("multipart/"));
    let mut query = false;
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for param in params.iter_mut() {
            if param.get("in").and_then(Value::as_str) == Some("query") {
                query = true;
                if let Some(schema) = param.get_mut("schema") {
                    forbid_control_characters(schema);
                }
            }
        }
    }
    let mut add = |status: &str, code: &str| add_code(op, status, code, error_ref);
    if json_body {
        add("400", "malformed_json");
        add("400", "unreadable_body");
        add("413", "payload_too_large");
        add("415", "unsupported_media_type");
    }
    if multipart {
        add("400", "unreadable_body");
        add("413", "payload_too_large");
    }
    if query {
        add("400", "control_characters");
        add("400", "invalid_query");
    }
    // Every operation reaches the database: while it is out of reach (down, hung, no free
    // connection within `database_acquire_timeout_ms`) the answer is a quick 503 with
    // `Retry-After`, never a 500 (`ApiError::internal`).
    add("503", "unavailable");
    let needs_session = op
        .get("responses")
        .and_then(Value::as_object)
        .is_some_and(|r| r.contains_key("401"));
    if needs_session && !op.contains_key("security") {
        op.insert(
            "security".to_owned(),
            json!([{ BEARER: [] }, { SESSION_COOKIE: [] }]),
        );
    }
    needs_session
}

/// Puts the pattern on a free-text string schema (not an enum, a format, or one that already
/// has a pattern); an array's items likewise.
fn forbid_control_characters(schema: &mut Value) {
    let Some(s) = schema.as_object_mut() else {
        return;
    };
    let is_string = match s.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    if is_string
        && !s.contains_key("enum")
        && !s.contains_key("format")
        && !s.contains_key("pattern")
    {
        s.insert("pattern".to_owned(), json!(NO_CONTROL_CHARACTERS));
    }
    if let Some(items) = s.get_mut("items") {
        forbid_control_characters(items);
    }
}

/// Names `code` in the answer `status`: appended to its description when the answer is
/// declared (unless named already), a new answer with the error body otherwise.
fn add_code(op: &mut Map<String, Value>, status: &str, code: &str, error_ref: &Value) {
    let Some(responses) = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    else {
        return;
    };
    let named = format!("`{code}`");
    match responses.get_mut(status).and_then(Value::as_object_mut) {
        Some(answer) => {
            let description = answer
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !description.contains(&named) {
                let joined = if description.trim().is_empty() {
                    named
                } else {
                    format!("{description}; {named}")
                };
                answer.insert("description".to_owned(), json!(joined));
            }
            if !answer.contains_key("content") {
                answer.insert(
                    "content".to_owned(),
                    json!({ "application/json": { "schema": error_ref } }),
                );
            }
        }
        None => {
            responses.insert(
                status.to_owned(),
                json!({
                    "description": named,
                    "content": { "application/json": { "schema": error_ref } },
                }),
            );
        }
    }
}

fn add_security_schemes(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(components) = components {
        let schemes = components
            .entry("securitySchemes")
            .or_insert_with(|| json!({}));
        if let Some(schemes) = schemes.as_object_mut() {
            schemes.insert(
                BEARER.to_owned(),
                json!({
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The token `POST /api/v1/auth/login` returns."
                }),
            );
            schemes.insert(
                SESSION_COOKIE.to_owned(),
                json!({
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "fg_session",
                    "description": "The session cookie the pages use (set by the same log-in)."
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/a": {
                    "post": {
                        "requestBody": { "content": { "application/json": { "schema": { "type": "object" } } } },
                        "responses": {
                            "200": { "description": "ok" },
                            "400": { "description": "`bad_thing`" },
                            "401": { "description": "`unauthenticated`" }
                        }
                    },
                    "get": {
                        "parameters": [
                            { "name": "q", "in": "query", "schema": { "type": "string" } },
                            { "name": "k", "in": "query", "schema": { "type": "string", "enum": ["x"] } },
                            { "name": "d", "in": "query", "schema": { "type": "string", "format": "date" } },
                            { "name": "id", "in": "path", "schema": { "type": "string" } }
                        ],
                        "responses": { "200": { "description": "ok" } }
                    }
                }
            }
        })
    }

    #[test]
    fn a_json_body_names_the_extractors_answers_and_keeps_the_rooms() {
        let mut d = doc();
        complete(&mut d);
        let r = &d["paths"]["/a"]["post"]["responses"];
        assert_eq!(
            r["400"]["description"],
            "`bad_thing`; `malformed_json`; `unreadable_body`"
        );
        assert_eq!(r["413"]["description"], "`payload_too_large`");
        assert_eq!(r["415"]["description"], "`unsupported_media_type`");
        assert_eq!(
            r["415"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        // Twice changes nothing.
        let once = d.clone();
        complete(&mut d);
        assert_eq!(d, once);
    }

    #[test]
    fn free_text_query_parameters_refuse_control_characters_in_their_schema() {
        let mut d = doc();
        complete(&mut d);
        let p = &d["paths"]["/a"]["get"]["parameters"];
        assert_eq!(p[0]["schema"]["pattern"], NO_CONTROL_CHARACTERS);
        assert!(p[1]["schema"].get("pattern").is_none(), "enum");
        assert!(p[2]["schema"].get("pattern").is_none(), "format");
        assert!(p[3]["schema"].get("pattern").is_none(), "path");
        let r = &d["paths"]["/a"]["get"]["responses"]["400"]["description"];
        assert_eq!(r, "`control_characters`; `invalid_query`");
    }

    #[test]
    fn only_operations_that_answer_401_need_a_session() {
        let mut d = doc();
        complete(&mut d);
        assert_eq!(
            d["paths"]["/a"]["post"]["security"],
            json!([{ "bearer": [] }, { "session_cookie": [] }])
        );
        assert!(d["paths"]["/a"]["get"].get("security").is_none());
        assert_eq!(
            d["components"]["securitySchemes"]["session_cookie"]["name"],
            "fg_session"
        );
    }

    #[test]
    fn the_pattern_matches_what_the_extractor_refuses() {
        // The character classes of the pattern, read back as ranges, are exactly
        // `char::is_control`.
        let controls: Vec<u32> = (0u32..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.is_control())
            .map(u32::from)
            .collect();
        let expected: Vec<u32> = (0..=0x1F).chain(0x7F..=0x9F).collect();
        assert_eq!(controls, expected);
        assert!(NO_CONTROL_CHARACTERS.contains("\\u0000-\\u001F"));
        assert!(NO_CONTROL_CHARACTERS.contains("\\u007F-\\u009F"));
    }
}
