//! Local simulators of the two payment providers, for the contract suite (`tests/contract/pay.rs`)
//! and, later, the API tests: loopback HTTP servers that speak WeChat Pay API v3 and the Alipay
//! open-platform gateway with keys generated at start, **verify our requests' signatures**
//! (refusing forged ones with the provider's own error shape), keep trades and refunds in
//! memory, sign their answers, produce signed (and for WeChat encrypted) notifications, serve
//! bills, and can be switched down.
//!
//! Their cryptography is written here against the `rsa` and `aes-gcm` crates directly, not
//! taken from the adapters in `farmgate_infra::pay`, so a mistake in an adapter cannot agree
//! with itself.

pub mod alipay;
pub mod setup;
pub mod wechat;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use std::sync::OnceLock;

/// How a simulated provider behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Checks every request and answers as the provider would.
    Normal,
    /// A gateway in front of it answers 502 with an HTML page.
    Down,
    /// Answers normally, but signs its answers with a key that is not the provider's (an
    /// impostor between us and the provider).
    ForgedAnswers,
}

/// Keys generated once per test binary (2048-bit generation is slow in debug builds):
/// [0] the merchant's / application's, [1] the provider's, [2] a stranger's.
pub fn keys() -> &'static [RsaPrivateKey; 3] {
    static KEYS: OnceLock<[RsaPrivateKey; 3]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let spawn_key = || {
            std::thread::spawn(|| {
                RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("generate a key")
            })
        };
        let handles = [spawn_key(), spawn_key(), spawn_key()];
        handles.map(|h| h.join().expect("key generation"))
    })
}

pub fn private_pem(key: &RsaPrivateKey) -> String {
    key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string()
}

pub fn public_pem(key: &RsaPrivateKey) -> String {
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("pem")
}

/// The Alipay console's form: bare base64 SPKI DER.
pub fn public_base64(key: &RsaPrivateKey) -> String {
    B64.encode(key.to_public_key().to_public_key_der().expect("der"))
}

/// Base64 SHA256withRSA.
pub fn rsa_sign(key: &RsaPrivateKey, message: &[u8]) -> String {
    let signature: Signature = SigningKey::<Sha256>::new(key.clone()).sign(message);
    B64.encode(signature.to_bytes())
}

pub fn rsa_verify(key: &RsaPublicKey, message: &[u8], signature_b64: &str) -> bool {
    let Ok(bytes) = B64.decode(signature_b64) else {
        return false;
    };
    let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(message, &signature)
        .is_ok()
}

/// Serves `router` on a random loopback port; returns `http://127.0.0.1:PORT`.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// A loopback address nothing listens on (bound, then released).
pub async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{addr}")
}

/// Random letters and digits.
pub fn random_token(len: usize) -> String {
    uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .chain(uuid::Uuid::new_v4().simple().to_string().chars())
        .take(len)
        .collect()
}

/// `1234` → `"12.34"` (the simulators' own, for the Alipay wire and the bills).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

/// `"12.34"` → `1234`; the simulators accept only what Alipay accepts: two decimals at most.
pub fn fen(yuan: &str) -> Option<i64> {
    let (whole, frac) = yuan.split_once('.').unwrap_or((yuan, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac = format!("{frac:0<2}");
    Some(whole.parse::<i64>().ok()? * 100 + frac.parse::<i64>().ok()?)
}

/// China Standard Time text, `yyyy-MM-dd HH:mm:ss`.
pub fn china_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t.naive_utc() + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}
