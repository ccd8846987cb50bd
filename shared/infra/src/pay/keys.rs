//! The cryptography both providers use: RSA-SHA256 signatures (PKCS#1 v1.5, "SHA256withRSA",
//! which WeChat Pay calls `WECHATPAY2-SHA256-RSA2048` and Alipay calls `RSA2`), and for WeChat
//! Pay the AEAD_AES_256_GCM decryption of notification resources.
//!
//! Keys arrive in the shapes the providers' consoles hand out:
//! - WeChat Pay's merchant key `apiclient_key.pem` is PKCS#8 PEM (`BEGIN PRIVATE KEY`); its
//!   platform public key (`pub_key.pem`, id `PUB_KEY_ID_…`) is SPKI PEM (`BEGIN PUBLIC KEY`);
//!   the older platform certificates are X.509 PEM (`BEGIN CERTIFICATE`), whose serial number
//!   (upper-case hex) is what `Wechatpay-Serial` names.
//! - Alipay's key tool gives the application private key and the Alipay public key as bare
//!   base64 (PKCS#1 or PKCS#8 DER for the private key, SPKI DER for the public key), and some
//!   operators wrap them in PEM armour; every one of these forms is accepted.
//!
//! A key never prints: `Debug` shows only its size.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

/// A key or certificate that could not be read. Names the shape expected, never the text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the {0} is not an RSA private key (PKCS#8 or PKCS#1, PEM or bare base64 DER)")]
    Private(&'static str),
    #[error(
        "the {0} is not an RSA public key (SPKI or PKCS#1, PEM or bare base64 DER, or an X.509 certificate)"
    )]
    Public(&'static str),
    #[error("the {0} is shorter than 2048 bits, which neither provider issues")]
    TooShort(&'static str),
    #[error("could not sign: {0}")]
    Sign(String),
}

/// Our private key (WeChat Pay merchant key, Alipay application key): signs requests.
#[derive(Clone)]
pub struct PrivateKey {
    key: SigningKey<Sha256>,
    bits: usize,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey(RSA-{}, ***)", self.bits)
    }
}

impl PrivateKey {
    /// Reads PKCS#8 or PKCS#1, PEM or bare base64. `what` names the setting in errors.
    pub fn parse(text: &str, what: &'static str) -> Result<Self, KeyError> {
        let text = text.trim();
        let key = if text.starts_with("-----BEGIN PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs8_pem(text).ok()
        } else if text.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs1_pem(text).ok()
        } else {
            bare_der(text).and_then(|der| {
                RsaPrivateKey::from_pkcs8_der(&der)
                    .or_else(|_| RsaPrivateKey::from_pkcs1_der(&der))
                    .ok()
            })
        }
        .ok_or(KeyError::Private(what))?;
        Self::from_key(key, what)
    }

    /// Wraps a key already in memory (the simulators' and tests' generated keys).
    pub fn from_key(key: RsaPrivateKey, what: &'static str) -> Result<Self, KeyError> {
        let bits = key.size() * 8;
        if bits < 2048 {
            return Err(KeyError::TooShort(what));
        }
        Ok(Self {
            key: SigningKey::<Sha256>::new(key),
            bits,
        })
    }

    /// Base64 of the SHA256withRSA (PKCS#1 v1.5) signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<String, KeyError> {
        let signature: Signature = self
            .key
            .try_sign(message)
            .map_err(|e| KeyError::Sign(e.to_string()))?;
        Ok(B64.encode(signature.to_bytes()))
    }
}

/// A provider's public key (WeChat Pay platform key, Alipay public key): checks what the
/// provider signed.
#[derive(Clone)]
pub struct PublicKey {
    key: VerifyingKey<Sha256>,
    bits: usize,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey(RSA-{})", self.bits)
    }
}

impl PublicKey {
    /// Reads SPKI or PKCS#1, PEM or bare base64, or an X.509 certificate (its subject key).
    pub fn parse(text: &str, what: &'static str) -> Result<Self, KeyError> {
        let text = text.trim();
        let key = if text.starts_with("-----BEGIN CERTIFICATE-----") {
            return Ok(Certified::parse(text, what)?.key);
        } else if text.starts_with("-----BEGIN PUBLIC KEY-----") {
            RsaPublicKey::from_public_key_pem(text).ok()
        } else if text.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
            RsaPublicKey::from_pkcs1_pem(text).ok()
        } else {
            bare_der(text).and_then(|der| {
                RsaPublicKey::from_public_key_der(&der)
                    .or_else(|_| RsaPublicKey::from_pkcs1_der(&der))
                    .ok()
            })
        }
        .ok_or(KeyError::Public(what))?;
        Self::from_key(key, what)
    }

    pub fn from_key(key: RsaPublicKey, what: &'static str) -> Result<Self, KeyError> {
        let bits = key.size() * 8;
        if bits < 2048 {
            return Err(KeyError::TooShort(what));
        }
        Ok(Self {
            key: VerifyingKey::<Sha256>::new(key),
            bits,
        })
    }

    /// Whether `signature_b64` is a valid SHA256withRSA signature of `message` under this key.
    /// Unreadable base64 is simply not valid.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> bool {
        let Ok(bytes) = B64.decode(signature_b64.trim()) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        self.key.verify(message, &signature).is_ok()
    }
}

/// A public key read from an X.509 certificate, with the certificate's serial number as
/// WeChat Pay writes it in `Wechatpay-Serial` (upper-case hex, no leading zero byte).
#[derive(Clone, Debug)]
pub struct Certified {
    pub key: PublicKey,
    pub serial: String,
}

impl Certified {
    pub fn parse(pem: &str, what: &'static str) -> Result<Self, KeyError> {
        let cert = Certificate::from_pem(pem.trim()).map_err(|_| KeyError::Public(what))?;
        let tbs = &cert.tbs_certificate;
        let der = tbs
            .subject_public_key_info
            .to_der()
            .map_err(|_| KeyError::Public(what))?;
        let key = RsaPublicKey::from_public_key_der(&der).map_err(|_| KeyError::Public(what))?;
        let bytes = tbs.serial_number.as_bytes();
        let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        Ok(Self {
            key: PublicKey::from_key(key, what)?,
            serial: hex::encode_upper(&bytes[first..]),
        })
    }
}

/// Base64 DER with whitespace (line breaks in a pasted key) ignored.
fn bare_der(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    B64.decode(compact).ok()
}

/// Why an AEAD_AES_256_GCM resource could not be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    #[error("the APIv3 key is not 32 bytes")]
    KeyLength,
    #[error("the nonce is not 12 bytes")]
    NonceLength,
    #[error("the ciphertext is not base64")]
    Base64,
    #[error("the ciphertext does not authenticate under our APIv3 key")]
    Authentication,
}

/// AEAD_AES_256_GCM as WeChat Pay uses it: the key is the 32-byte APIv3 key (its ASCII bytes),
/// the nonce the 12-character `nonce` string's bytes, the associated data the
/// `associated_data` string's bytes, and the base64 `ciphertext` ends with the 16-byte tag.
pub fn aes_256_gcm_open(
    api_v3_key: &[u8],
    nonce: &str,
    associated_data: &str,
    ciphertext_b64: &str,
) -> Result<Vec<u8>, DecryptError> {
    let cipher = Aes256Gcm::new_from_slice(api_v3_key).map_err(|_| DecryptError::KeyLength)?;
    let nonce = nonce_bytes(nonce)?;
    let ciphertext = B64
        .decode(ciphertext_b64)
        .map_err(|_| DecryptError::Base64)?;
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &ciphertext,
                aad: associated_data.as_bytes(),
            },
        )
        .map_err(|_| DecryptError::Authentication)
}

/// The 12-byte GCM nonce from WeChat's 12-character `nonce` string.
fn nonce_bytes(nonce: &str) -> Result<Nonce<aes_gcm::aead::consts::U12>, DecryptError> {
    let bytes: [u8; 12] = nonce
        .as_bytes()
        .try_into()
        .map_err(|_| DecryptError::NonceLength)?;
    Ok(Nonce::from(bytes))
}

/// The reverse of [`aes_256_gcm_open`], for tests and simulators that play WeChat Pay.
pub fn aes_256_gcm_seal(
    api_v3_key: &[u8],
    nonce: &str,
    associated_data: &str,
    plaintext: &[u8],
) -> Result<String, DecryptError> {
    let cipher = Aes256Gcm::new_from_slice(api_v3_key).map_err(|_| DecryptError::KeyLength)?;
    let nonce = nonce_bytes(nonce)?;
    let sealed = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: associated_data.as_bytes(),
            },
        )
        .map_err(|_| DecryptError::Authentication)?;
    Ok(B64.encode(sealed))
}

/// A random string of ASCII letters and digits: request nonces, `nonceStr`.
pub fn nonce(len: usize) -> String {
    use rand::Rng as _;
    use rand::distr::Alphanumeric;
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Keys generated once per test binary (2048-bit generation is slow in debug builds).
#[cfg(test)]
pub(crate) mod test_keys {
    use rsa::RsaPrivateKey;
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    use std::sync::OnceLock;

    /// Two keys: [0] plays ours (merchant / application), [1] the provider's.
    #[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
    pub fn pair() -> &'static [RsaPrivateKey; 2] {
        static KEYS: OnceLock<[RsaPrivateKey; 2]> = OnceLock::new();
        KEYS.get_or_init(|| {
            let spawn_key = || {
                std::thread::spawn(|| {
                    RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("generate a key")
                })
            };
            let (a, b) = (spawn_key(), spawn_key());
            [a.join().expect("key a"), b.join().expect("key b")]
        })
    }

    #[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
    pub fn private_pem(i: usize) -> String {
        pair()[i]
            .to_pkcs8_pem(LineEnding::LF)
            .expect("pem")
            .to_string()
    }

    #[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
    pub fn public_pem(i: usize) -> String {
        pair()[i]
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem")
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::test_keys::{pair, private_pem, public_pem};
    use super::*;
    use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};

    #[test]
    fn a_signature_verifies_under_the_matching_key_only() {
        let ours = PrivateKey::parse(&private_pem(0), "merchant key").expect("private");
        let public = PublicKey::parse(&public_pem(0), "key").expect("public");
        let other = PublicKey::parse(&public_pem(1), "key").expect("public");
        let signature = ours.sign(b"GET\n/v3/x\n1\nn\n\n").expect("sign");
        assert!(public.verify(b"GET\n/v3/x\n1\nn\n\n", &signature));
        assert!(!public.verify(b"GET\n/v3/y\n1\nn\n\n", &signature));
        assert!(!other.verify(b"GET\n/v3/x\n1\nn\n\n", &signature));
        assert!(!public.verify(b"GET\n/v3/x\n1\nn\n\n", "not base64!"));
        assert!(!public.verify(b"GET\n/v3/x\n1\nn\n\n", "AAAA"));
    }

    #[test]
    fn every_form_the_consoles_hand_out_is_read() {
        let key = &pair()[0];
        let pkcs1_pem = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).expect("pem");
        let pkcs8_der = B64.encode(key.to_pkcs8_der().expect("der").as_bytes());
        let pkcs1_der = B64.encode(key.to_pkcs1_der().expect("der").as_bytes());
        let spki_der = B64.encode(key.to_public_key().to_public_key_der().expect("der"));
        let pkcs1_pub = key
            .to_public_key()
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .expect("pem");
        let public = PublicKey::parse(&spki_der, "k").expect("bare spki");
        for text in [pkcs1_pem.as_str(), &pkcs8_der, &pkcs1_der, &private_pem(0)] {
            let signature = PrivateKey::parse(text, "k").expect("private").sign(b"m");
            assert!(public.verify(b"m", &signature.expect("sign")));
        }
        // Line breaks inside pasted base64 are ignored.
        let wrapped: String = spki_der
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned() + "\n")
            .collect();
        PublicKey::parse(&wrapped, "k").expect("wrapped base64");
        PublicKey::parse(&pkcs1_pub, "k").expect("pkcs1 public");
    }

    #[test]
    fn garbage_and_short_keys_are_refused_without_echoing_them() {
        let err = PrivateKey::parse("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n", "merchant key")
            .expect_err("garbage");
        assert!(!err.to_string().contains("c2VjcmV0"));
        assert_eq!(err, KeyError::Private("merchant key"));
        assert!(PublicKey::parse("hello", "platform key").is_err());
        assert!(PublicKey::parse(&private_pem(0), "platform key").is_err());
        let small = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).expect("small key");
        assert_eq!(
            PrivateKey::from_key(small, "k").map(|_| ()),
            Err(KeyError::TooShort("k"))
        );
    }

    #[test]
    fn aes_gcm_opens_what_was_sealed_and_nothing_else() {
        let key = b"0123456789abcdef0123456789abcdef";
        let sealed =
            aes_256_gcm_seal(key, "abcdefghijkl", "transaction", b"{\"a\":1}").expect("seal");
        assert_eq!(
            aes_256_gcm_open(key, "abcdefghijkl", "transaction", &sealed).as_deref(),
            Ok(&b"{\"a\":1}"[..])
        );
        let wrong_key = b"0123456789abcdef0123456789abcdeX";
        assert_eq!(
            aes_256_gcm_open(wrong_key, "abcdefghijkl", "transaction", &sealed),
            Err(DecryptError::Authentication)
        );
        assert_eq!(
            aes_256_gcm_open(key, "abcdefghijkX", "transaction", &sealed),
            Err(DecryptError::Authentication)
        );
        assert_eq!(
            aes_256_gcm_open(key, "abcdefghijkl", "refund", &sealed),
            Err(DecryptError::Authentication)
        );
        let mut bytes = B64.decode(&sealed).expect("b64");
        let last = bytes.len() - 1;
        bytes[last] ^= 1; // the tag
        assert_eq!(
            aes_256_gcm_open(key, "abcdefghijkl", "transaction", &B64.encode(&bytes)),
            Err(DecryptError::Authentication)
        );
        assert_eq!(
            aes_256_gcm_open(&key[..31], "abcdefghijkl", "", &sealed),
            Err(DecryptError::KeyLength)
        );
        assert_eq!(
            aes_256_gcm_open(key, "short", "", &sealed),
            Err(DecryptError::NonceLength)
        );
        assert_eq!(
            aes_256_gcm_open(key, "abcdefghijkl", "", "%%%"),
            Err(DecryptError::Base64)
        );
    }

    #[test]
    fn nonces_are_alphanumeric_and_differ() {
        let (a, b) = (nonce(32), nonce(32));
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
