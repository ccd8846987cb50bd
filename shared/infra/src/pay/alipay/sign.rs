//! Alipay open-platform signatures, `sign_type=RSA2` ("自行实现签名", "自行实现验签"):
//!
//! - **Requests**: every parameter except `sign` whose value is not empty, sorted by name
//!   (byte order), joined as `name=value` with `&`, values raw (not URL-encoded); `sign` is
//!   the base64 SHA256withRSA of that text under the application private key. `sign_type`
//!   itself is signed.
//! - **Answers**: `{"alipay_trade_query_response":{…},"sign":"…"}`; the signature covers the
//!   exact text of the `…_response` member's value as it arrived (not a re-serialisation), so
//!   we cut that text out of the body ([`member_text`]) rather than parse and print it.
//! - **Notifications**: form parameters, URL-decoded; the signed text is built as for
//!   requests but without `sign` *and* `sign_type`.

use super::super::keys::{KeyError, PrivateKey};

/// The text a signature covers: non-empty parameters except those in `skip`, sorted by
/// name, `k=v` joined with `&`.
pub fn sign_content<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    skip: &[&str],
) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && !skip.contains(k))
        .collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Signs a request's parameters (everything but `sign`).
pub fn sign_request(params: &[(String, String)], key: &PrivateKey) -> Result<String, KeyError> {
    let content = sign_content(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &["sign"],
    );
    key.sign(content.as_bytes())
}

/// The exact text of the value of top-level member `name` in the JSON object `body`: the
/// bytes Alipay signed. `None` when the body is not an object or has no such member.
pub fn member_text<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    let bytes = body.as_bytes();
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_ws(bytes, i);
        match bytes.get(i)? {
            b'}' => return None,
            b'"' => {}
            _ => return None,
        }
        let key_end = string_end(bytes, i)?;
        let key: String = serde_json::from_str(body.get(i..key_end)?).ok()?;
        i = skip_ws(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(bytes, i + 1);
        let end = value_end(bytes, start)?;
        if key == name {
            return body.get(start..end);
        }
        i = skip_ws(bytes, end);
        match bytes.get(i)? {
            b',' => i += 1,
            b'}' => return None,
            _ => return None,
        }
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i
}

/// Index just past the string starting at `i` (which is a `"`).
fn string_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// Index just past the JSON value starting at `i`.
fn value_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' => string_end(bytes, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            while !matches!(
                bytes.get(i),
                None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            ) {
                i += 1;
            }
            Some(i)
        }
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::super::super::keys::PublicKey;
    use super::super::super::keys::test_keys::{private_pem, public_pem};
    use super::*;

    #[test]
    fn the_signed_text_is_sorted_and_skips_empty_values_and_sign() {
        let params = [
            ("method", "alipay.trade.query"),
            ("app_id", "2014072300007148"),
            ("sign", "xxx"),
            ("notify_url", ""),
            ("biz_content", "{\"out_trade_no\":\"20150320010101001\"}"),
            ("sign_type", "RSA2"),
            ("charset", "utf-8"),
        ];
        assert_eq!(
            sign_content(params, &["sign"]),
            "app_id=2014072300007148&biz_content={\"out_trade_no\":\"20150320010101001\"}&charset=utf-8&method=alipay.trade.query&sign_type=RSA2"
        );
        assert_eq!(
            sign_content(params, &["sign", "sign_type"]),
            "app_id=2014072300007148&biz_content={\"out_trade_no\":\"20150320010101001\"}&charset=utf-8&method=alipay.trade.query"
        );
    }

    #[test]
    fn a_request_signature_verifies_under_the_application_public_key() {
        let params = vec![
            ("app_id".to_owned(), "2021000000000001".to_owned()),
            ("method".to_owned(), "alipay.trade.close".to_owned()),
        ];
        let key = PrivateKey::parse(&private_pem(0), "app").expect("key");
        let signature = sign_request(&params, &key).expect("sign");
        let public = PublicKey::parse(&public_pem(0), "app").expect("public");
        assert!(public.verify(
            b"app_id=2021000000000001&method=alipay.trade.close",
            &signature
        ));
    }

    #[test]
    fn the_member_text_is_cut_out_exactly_as_it_arrived() {
        let body = r#"{"alipay_trade_query_response":{"code":"10000","msg":"Success","subject":"苹果 {\"5斤\"}","n":[1,{"a":"}"}]} , "sign":"abc"}"#;
        assert_eq!(
            member_text(body, "alipay_trade_query_response"),
            Some(
                r#"{"code":"10000","msg":"Success","subject":"苹果 {\"5斤\"}","n":[1,{"a":"}"}]}"#
            )
        );
        assert_eq!(member_text(body, "sign"), Some("\"abc\""));
        assert_eq!(member_text(body, "error_response"), None);
        let reordered = r#"{"sign":"abc","alipay_trade_close_response":{"code":"10000"}}"#;
        assert_eq!(
            member_text(reordered, "alipay_trade_close_response"),
            Some(r#"{"code":"10000"}"#)
        );
        assert_eq!(member_text("[1]", "a"), None);
        assert_eq!(member_text(r#"{"a":{"#, "a"), None);
        assert_eq!(member_text(r#"{"n":12,"a":true}"#, "a"), Some("true"));
        // A string ending in an escaped backslash ends there, not at the next quote.
        assert_eq!(
            member_text(r#"{"a":"x\\","b":{"c":1}}"#, "b"),
            Some(r#"{"c":1}"#)
        );
    }
}
