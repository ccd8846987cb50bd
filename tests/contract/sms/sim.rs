//! What the two provider simulators share: a loopback HTTP server, the ways a provider can be
//! down, what was "delivered", and the simulators' own hashing and encoding (written here, not
//! taken from the adapters, so a mistake in an adapter cannot agree with itself).

/// The loopback server of the payment simulators serves the SMS simulators too.
pub use farmgate_tests::pay_sim::{closed_port, serve};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How the simulated provider behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Checks every request and answers as the provider would.
    Normal,
    /// A gateway in front of it answers 503 with an HTML page.
    Down,
    /// Answers only after this long (longer than the adapter's timeout).
    Slow(Duration),
}

/// A message the simulated provider accepted: what the phone would show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// As the provider received it (`13800138000` or `+8613800138000`).
    pub phone: String,
    pub sign_name: String,
    pub template: String,
    /// The variables as the provider matched them to the template's.
    pub params: Vec<(String, String)>,
}

/// State every simulator keeps.
#[derive(Debug)]
pub struct Common {
    pub mode: Mutex<Mode>,
    pub delivered: Mutex<Vec<Delivered>>,
    /// When each number last got a message, for the per-number limit.
    pub last_sent: Mutex<HashMap<String, Instant>>,
    pub requests: Mutex<usize>,
}

impl Default for Common {
    fn default() -> Self {
        Self {
            mode: Mutex::new(Mode::Normal),
            delivered: Mutex::new(Vec::new()),
            last_sent: Mutex::new(HashMap::new()),
            requests: Mutex::new(0),
        }
    }
}

impl Common {
    pub fn mode(&self) -> Mode {
        *self.mode.lock().unwrap()
    }

    pub fn count_request(&self) {
        *self.requests.lock().unwrap() += 1;
    }

    /// Whether `phone` may get another message now, `window` after its last one; records the
    /// send when it may.
    pub fn take_slot(&self, phone: &str, window: Duration) -> bool {
        let mut last = self.last_sent.lock().unwrap();
        let now = Instant::now();
        match last.get(phone) {
            Some(t) if now.duration_since(*t) < window => false,
            _ => {
                last.insert(phone.to_owned(), now);
                true
            }
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// `%XX` sequences decoded (and `+` left alone: both providers' encoders never write it for
/// a space).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 3986: the unreserved characters stay, the rest is `%XX`.
pub fn rfc3986(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A raw query string as pairs, decoded.
pub fn query_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// A mainland mobile number a carrier could have issued. Segment 154 has never been
/// assigned, so the tests use it for a number that does not exist.
pub fn reachable_mainland(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && !digits.starts_with("154")
}

pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

#[test]
fn the_simulators_decoder_undoes_rfc3986() {
    let s = "农源 直供*{\"code\":\"1\"}~";
    assert_eq!(percent_decode(&rfc3986(s)), s);
    assert_eq!(
        query_pairs("a=1&b=%E5%86%9C&c"),
        vec![
            ("a".into(), "1".into()),
            ("b".into(), "农".into()),
            ("c".into(), String::new())
        ]
    );
}
