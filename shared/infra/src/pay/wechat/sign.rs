//! WeChat Pay API v3 signatures ("签名生成", "签名验证" in the APIv3 rules).
//!
//! A request carries
//! `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`
//! where `signature` is base64 RSA-SHA256 (PKCS#1 v1.5) under the merchant private key of
//!
//! ```text
//! METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n
//! ```
//!
//! (the URL's absolute path and query exactly as sent; the body empty for GET) and
//! `serial_no` names the merchant certificate. Answers and notifications carry
//! `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature` and `Wechatpay-Serial`:
//! RSA-SHA256 under the platform key named by the serial (a `PUB_KEY_ID_…` in the "微信支付公钥"
//! mode, a certificate serial in the older platform-certificate mode) of
//!
//! ```text
//! TIMESTAMP\nNONCE\nBODY\n
//! ```
//!
//! We check, in this order: the four headers are present; the serial is one we were
//! configured with ([`PayError::WrongKeySerial`] otherwise: WeChat is rotating keys and the
//! operator must load the new one); the timestamp is within [`TOLERANCE_SECS`] of our clock
//! ([`PayError::Stale`]); the signature verifies ([`PayError::BadSignature`]). WeChat Pay
//! sometimes sends deliberately wrong signatures (prefixed `WECHATPAY/SIGNTEST/`) to probe
//! that merchants verify; they fail here like any other.

use super::super::keys::{KeyError, PrivateKey, PublicKey};
use super::super::{PayError, TOLERANCE_SECS};
use super::PROVIDER;
use chrono::{DateTime, Utc};
use http::HeaderMap;

/// The `Authorization` scheme.
pub const SCHEMA: &str = "WECHATPAY2-SHA256-RSA2048";
pub const HEADER_TIMESTAMP: &str = "wechatpay-timestamp";
pub const HEADER_NONCE: &str = "wechatpay-nonce";
pub const HEADER_SIGNATURE: &str = "wechatpay-signature";
pub const HEADER_SERIAL: &str = "wechatpay-serial";

/// The text a request signature covers.
pub fn request_message(
    method: &str,
    canonical_url: &str,
    timestamp: i64,
    nonce: &str,
    body: &str,
) -> String {
    format!("{method}\n{canonical_url}\n{timestamp}\n{nonce}\n{body}\n")
}

/// The text an answer's or notification's signature covers.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(nonce.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// Who signs: the merchant number, the merchant certificate's serial and its key.
#[derive(Clone, Debug)]
pub struct Signer {
    pub mch_id: String,
    pub serial_no: String,
    pub key: PrivateKey,
}

impl Signer {
    /// The `Authorization` header value for one request.
    pub fn authorization(
        &self,
        method: &str,
        canonical_url: &str,
        timestamp: i64,
        nonce: &str,
        body: &str,
    ) -> Result<String, KeyError> {
        let message = request_message(method, canonical_url, timestamp, nonce, body);
        let signature = self.key.sign(message.as_bytes())?;
        Ok(format!(
            "{SCHEMA} mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{}\"",
            self.mch_id, self.serial_no
        ))
    }
}

/// The platform keys we trust, by the id WeChat Pay names them with. Usually one; two while
/// a merchant moves from platform certificates to the platform public key, when WeChat signs
/// with either.
#[derive(Clone, Debug)]
pub struct PlatformKeys {
    keys: Vec<(String, PublicKey)>,
}

impl PlatformKeys {
    pub fn new(keys: Vec<(String, PublicKey)>) -> Self {
        Self { keys }
    }

    pub fn serials(&self) -> Vec<&str> {
        self.keys.iter().map(|(s, _)| s.as_str()).collect()
    }

    /// Checks the four `Wechatpay-*` headers against `body`. `what` names the message in
    /// errors (`"answer"`, `"notification"`).
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: DateTime<Utc>,
        what: &'static str,
    ) -> Result<(), PayError> {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let unsigned = || PayError::BadSignature {
            provider: PROVIDER,
            what,
        };
        let (Some(timestamp), Some(nonce), Some(signature), Some(serial)) = (
            get(HEADER_TIMESTAMP),
            get(HEADER_NONCE),
            get(HEADER_SIGNATURE),
            get(HEADER_SERIAL),
        ) else {
            return Err(unsigned());
        };
        let Some((_, key)) = self.keys.iter().find(|(s, _)| s == serial) else {
            return Err(PayError::WrongKeySerial {
                provider: PROVIDER,
                got: serial.chars().take(64).collect(),
                expected: self.serials().join(","),
            });
        };
        let Ok(seconds) = timestamp.parse::<i64>() else {
            return Err(unsigned());
        };
        if (now.timestamp() - seconds).abs() > TOLERANCE_SECS {
            return Err(PayError::Stale {
                provider: PROVIDER,
                timestamp: seconds,
            });
        }
        if !key.verify(&response_message(timestamp, nonce, body), signature) {
            return Err(unsigned());
        }
        Ok(())
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::super::super::keys::test_keys::{private_pem, public_pem};
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(1_764_900_000, 0).single().expect("time")
    }

    /// Headers as WeChat Pay would send them, signed with key 1 (the platform's).
    fn signed(ts: i64, body: &[u8], serial: &str) -> HeaderMap {
        let platform = PrivateKey::parse(&private_pem(1), "platform").expect("key");
        let signature = platform
            .sign(&response_message(&ts.to_string(), "n0nce", body))
            .expect("sign");
        let mut h = HeaderMap::new();
        for (k, v) in [
            (HEADER_TIMESTAMP, ts.to_string()),
            (HEADER_NONCE, "n0nce".to_owned()),
            (HEADER_SIGNATURE, signature),
            (HEADER_SERIAL, serial.to_owned()),
        ] {
            h.insert(k, v.parse().expect("header"));
        }
        h
    }

    fn trusted() -> PlatformKeys {
        PlatformKeys::new(vec![(
            "PUB_KEY_ID_0114232134912410000000000001".to_owned(),
            PublicKey::parse(&public_pem(1), "platform").expect("public"),
        )])
    }

    const SERIAL: &str = "PUB_KEY_ID_0114232134912410000000000001";

    #[test]
    fn the_authorization_header_has_the_documented_shape_and_verifies() {
        let signer = Signer {
            mch_id: "1900009191".into(),
            serial_no: "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB".into(),
            key: PrivateKey::parse(&private_pem(0), "merchant").expect("key"),
        };
        let header = signer
            .authorization(
                "GET",
                "/v3/certificates",
                1554208460,
                "593BEC0C930BF1AFEB40B4A08C8FB242",
                "",
            )
            .expect("sign");
        let rest = header
            .strip_prefix("WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\",signature=\"")
            .expect("prefix");
        let (signature, tail) = rest.split_once('"').expect("signature");
        assert_eq!(
            tail,
            ",timestamp=\"1554208460\",serial_no=\"408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB\""
        );
        let merchant = PublicKey::parse(&public_pem(0), "merchant").expect("public");
        assert!(merchant.verify(
            b"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
            signature
        ));
    }

    #[test]
    fn a_signed_answer_verifies() {
        let body = br#"{"prepay_id":"wx1"}"#;
        trusted()
            .verify(
                &signed(now().timestamp(), body, SERIAL),
                body,
                now(),
                "answer",
            )
            .expect("verifies");
        // An empty body (204 No Content) is signed too.
        trusted()
            .verify(
                &signed(now().timestamp(), b"", SERIAL),
                b"",
                now(),
                "answer",
            )
            .expect("empty body verifies");
    }

    #[test]
    fn a_changed_body_or_signature_is_refused() {
        let body = br#"{"prepay_id":"wx1"}"#;
        let headers = signed(now().timestamp(), body, SERIAL);
        assert!(matches!(
            trusted().verify(&headers, br#"{"prepay_id":"wx2"}"#, now(), "answer"),
            Err(PayError::BadSignature { what: "answer", .. })
        ));
        let mut forged = headers.clone();
        forged.insert(
            HEADER_SIGNATURE,
            "WECHATPAY/SIGNTEST/AAAA".parse().expect("header"),
        );
        assert!(matches!(
            trusted().verify(&forged, body, now(), "answer"),
            Err(PayError::BadSignature { .. })
        ));
        // The nonce is covered too.
        let mut renonced = headers.clone();
        renonced.insert(HEADER_NONCE, "other".parse().expect("header"));
        assert!(matches!(
            trusted().verify(&renonced, body, now(), "answer"),
            Err(PayError::BadSignature { .. })
        ));
    }

    #[test]
    fn missing_headers_are_an_unsigned_message() {
        let body = b"{}";
        for missing in [
            HEADER_TIMESTAMP,
            HEADER_NONCE,
            HEADER_SIGNATURE,
            HEADER_SERIAL,
        ] {
            let mut headers = signed(now().timestamp(), body, SERIAL);
            headers.remove(missing);
            let err = trusted().verify(&headers, body, now(), "notification");
            assert!(
                matches!(err, Err(PayError::BadSignature { .. })),
                "{missing}: {err:?}"
            );
        }
    }

    #[test]
    fn another_key_serial_is_its_own_error() {
        let body = b"{}";
        let headers = signed(now().timestamp(), body, "PUB_KEY_ID_OTHER");
        assert_eq!(
            trusted().verify(&headers, body, now(), "notification"),
            Err(PayError::WrongKeySerial {
                provider: "wechat",
                got: "PUB_KEY_ID_OTHER".into(),
                expected: SERIAL.into(),
            })
        );
    }

    #[test]
    fn timestamps_more_than_five_minutes_off_are_stale() {
        let body = b"{}";
        for offset in [-301, 301, -86_400] {
            let ts = now().timestamp() + offset;
            assert_eq!(
                trusted().verify(&signed(ts, body, SERIAL), body, now(), "notification"),
                Err(PayError::Stale {
                    provider: "wechat",
                    timestamp: ts
                }),
                "{offset}"
            );
        }
        for offset in [-300, 300] {
            let ts = now().timestamp() + offset;
            trusted()
                .verify(&signed(ts, body, SERIAL), body, now(), "notification")
                .expect("inside the window");
        }
    }
}
