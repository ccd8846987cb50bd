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
