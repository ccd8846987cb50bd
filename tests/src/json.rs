//! Typed reads of a JSON answer that fail loudly.
//!
//! `body["order"]["id"].as_str().unwrap_or_default()` turns a missing field into `""`, and the
//! test goes on with it. [`Json`] reads a field by its dotted path (`"sub_orders.0.lines.0.id"`:
//! object keys, and array indexes as numbers) and panics, at the caller's line, with the whole
//! answer when the field is missing or of another type:
//!
//! ```ignore
//! let r = app.post("/api/v1/orders", body, Some(&buyer.token)).await;
//! let order = r.id();                          // Uuid of "id"
//! let sub = r.uuid("sub_orders.0.id");         // Uuid at a path
//! let total = r.i64("total");
//! let kinds = r.strings("events", "kind");     // ["placed", "paid"]
//! let order: Order = r.json();                 // the whole answer, typed (see `views`)
//! ```
//!
//! It is implemented for [`Resp`](crate::Resp) (panics print status and body) and for
//! `serde_json::Value` (for parts of an answer already in hand).

use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

/// Typed accessors over a JSON document; every one panics (with the document) instead of
/// defaulting.
pub trait Json {
    /// The JSON document read from.
    fn document(&self) -> &Value;

    /// What to print when a read fails.
    fn describe(&self) -> String {
        format!("the document {}", self.document())
    }

    /// The value at `path` (`""` is the document itself). Present but `null` is returned.
    #[track_caller]
    fn at(&self, path: &str) -> &Value {
        let mut here = self.document();
        if path.is_empty() {
            return here;
        }
        for key in path.split('.') {
            let next = match here {
                Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                Value::Object(map) => map.get(key),
                _ => None,
            };
            match next {
                Some(v) => here = v,
                None => panic!("`{path}` is missing (no `{key}`) in {}", self.describe()),
            }
        }
        here
    }

    /// Whether `path` is present (possibly `null`).
    fn has(&self, path: &str) -> bool {
        let mut here = self.document();
        for key in path.split('.').filter(|k| !k.is_empty()) {
            let next = match here {
                Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                Value::Object(map) => map.get(key),
                _ => None,
            };
            match next {
                Some(v) => here = v,
                None => return false,
            }
        }
        true
    }

    /// The string at `path`.
    #[track_caller]
    fn str(&self, path: &str) -> &str {
        match self.at(path) {
            Value::String(s) => s,
            other => panic!("`{path}` is {other}, not a string, in {}", self.describe()),
        }
    }

    /// The string at `path`, owned.
    #[track_caller]
    fn string(&self, path: &str) -> String {
        self.str(path).to_owned()
    }

    /// The UUID at `path`.
    #[track_caller]
    fn uuid(&self, path: &str) -> Uuid {
        let s = self.str(path);
        match s.parse() {
            Ok(id) => id,
            Err(e) => panic!(
                "`{path}` = {s:?} is not a UUID ({e}) in {}",
                self.describe()
            ),
        }
    }

    /// The UUID at `"id"`: what a create answer is usually asked for first.
    #[track_caller]
    fn id(&self) -> Uuid {
        self.uuid("id")
    }

    /// The integer at `path`.
    #[track_caller]
    fn i64(&self, path: &str) -> i64 {
        match self.at(path).as_i64() {
            Some(n) => n,
            None => panic!(
                "`{path}` is {}, not an integer, in {}",
                self.at(path),
                self.describe()
            ),
        }
    }

    /// The boolean at `path`.
    #[track_caller]
    fn bool(&self, path: &str) -> bool {
        match self.at(path).as_bool() {
            Some(b) => b,
            None => panic!(
                "`{path}` is {}, not a boolean, in {}",
                self.at(path),
                self.describe()
            ),
        }
    }

    /// The array at `path`.
    #[track_caller]
    fn arr(&self, path: &str) -> &Vec<Value> {
        match self.at(path) {
            Value::Array(items) => items,
            other => panic!("`{path}` is {other}, not an array, in {}", self.describe()),
        }
    }

    /// The length of the array at `path`.
    #[track_caller]
    fn len_of(&self, path: &str) -> usize {
        self.arr(path).len()
    }

    /// The string `field` of every element of the array at `path` (each must have it).
    #[track_caller]
    fn strings(&self, path: &str, field: &str) -> Vec<String> {
        self.arr(path)
            .iter()
            .enumerate()
            .map(|(i, item)| match item.get(field) {
                Some(Value::String(s)) => s.clone(),
                other => panic!(
                    "`{path}.{i}.{field}` is {other:?}, not a string, in {}",
                    self.describe()
                ),
            })
            .collect()
    }

    /// The first element of the array at `path` whose `field` equals `value`.
    #[track_caller]
    fn find(&self, path: &str, field: &str, value: impl Into<Value>) -> &Value {
        let value = value.into();
        match self
            .arr(path)
            .iter()
            .find(|item| item.get(field) == Some(&value))
        {
            Some(item) => item,
            None => panic!(
                "no element of `{path}` has {field} = {value} in {}",
                self.describe()
            ),
        }
    }

    /// The value at `path` read into `T`.
    #[track_caller]
    fn get_as<T: DeserializeOwned>(&self, path: &str) -> T {
        match serde_json::from_value(self.at(path).clone()) {
            Ok(v) => v,
            Err(e) => panic!(
                "`{path}` is not a {}: {e}, in {}",
                std::any::type_name::<T>(),
                self.describe()
            ),
        }
    }
}

impl Json for Value {
    fn document(&self) -> &Value {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Json;
    use serde_json::json;

    #[test]
    fn paths_reach_into_objects_and_arrays() {
        let v = json!({"a": {"b": [{"c": "x"}, {"c": "y"}]}, "n": 3, "id": uuid::Uuid::nil()});
        assert_eq!(v.str("a.b.1.c"), "y");
        assert_eq!(v.i64("n"), 3);
        assert_eq!(v.id(), uuid::Uuid::nil());
        assert_eq!(v.strings("a.b", "c"), ["x", "y"]);
        assert_eq!(v.find("a.b", "c", "y")["c"], "y");
        assert!(v.has("a.b.0") && !v.has("a.b.2") && !v.has("z"));
    }

    #[test]
    #[should_panic(expected = "`a.z` is missing")]
    fn a_missing_field_fails_instead_of_becoming_empty() {
        json!({"a": {}}).str("a.z");
    }

    #[test]
    #[should_panic(expected = "not a string")]
    fn a_field_of_another_type_fails() {
        json!({"a": 1}).str("a");
    }
}
