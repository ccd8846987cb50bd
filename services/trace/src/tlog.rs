//! The trace transparency log's formats (CHAIN.md §10–§12), free of HTTP and the database:
//! what a leaf is, the C2SP tlog-tiles paths and entry bundles, tlog-checkpoint texts signed as
//! C2SP signed notes with the platform's Ed25519 key, C2SP tlog-cosignature (cosignature/v1)
//! signing and checking, and inclusion and consistency proofs.
//!
//! The RFC 6962 hashing, the stored-hash layout and the proofs are `tlog_tiles` (a port of Go's
//! `golang.org/x/mod/sumdb/tlog`); the note format is `signed_note`. Only what those crates do
//! not do is here: the leaf format, the C2SP tile *paths* (`tlog_tiles` 0.2 writes Go sumdb's
//! `tile/8/…` paths, not tlog-tiles' `tile/<L>/…`), entry bundles and cosignature/v1.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use signed_note::{Note, Signer, Verifier, VerifierList};
use std::cell::RefCell;
use std::collections::HashMap;
pub use tlog_tiles::{EMPTY_HASH, Hash, HashReader};

/// Tile height of C2SP tlog-tiles: 256 hashes or entries per full tile.
pub const TILE_HEIGHT: u8 = 8;
/// Entries (or hashes) in a full tile.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;
/// Domain separation of a leaf's bytes.
pub const LEAF_PREFIX: &str = "farmgate-trace-leaf-v1";
/// Signature type byte of an Ed25519 signed-note key.
const ALG_ED25519: u8 = 0x01;
/// Signature type byte of a cosignature/v1 key.
const ALG_COSIGNATURE_V1: u8 = 0x04;

// ---------------------------------------------------------------------------------------------
// Leaves

/// One leaf of the log: a recorded event, by its batch's code, its seq and its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// The batch's trace code, 16 characters, upper case, no hyphens.
    pub code: String,
    pub seq: i64,
    /// The event's hash (CHAIN.md §4), 64 lower-case hex digits.
    pub event_hash: String,
}

impl Leaf {
    /// The entry's bytes: `farmgate-trace-leaf-v1\n<code>\n<seq>\n<event hash>\n`, ASCII. Its
    /// RFC 6962 leaf hash is `SHA-256(0x00 || bytes)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        format!(
            "{LEAF_PREFIX}\n{}\n{}\n{}\n",
            self.code, self.seq, self.event_hash
        )
        .into_bytes()
    }

    /// Reads an entry, refusing anything [`Leaf::to_bytes`] would not have written.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let rest = text.strip_prefix(LEAF_PREFIX)?.strip_prefix('\n')?;
        let mut lines = rest.strip_suffix('\n')?.split('\n');
        let code = lines.next()?;
        let seq = lines.next()?;
        let hash = lines.next()?;
        if lines.next().is_some() {
            return None;
        }
        let leaf = Leaf {
            code: code.to_owned(),
            seq: seq.parse().ok()?,
            event_hash: hash.to_owned(),
        };
        (leaf.to_bytes() == bytes
            && code.len() == 16
            && leaf.seq >= 0
            && hash.len() == 64
            && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then_some(leaf)
    }

    pub fn hash(&self) -> Hash {
        tlog_tiles::record_hash(&self.to_bytes())
    }
}

pub fn hex(h: &Hash) -> String {
    hex::encode(h.0)
}

pub fn parse_hex(s: &str) -> Option<Hash> {
    let bytes: [u8; 32] = hex::decode(s).ok()?.try_into().ok()?;
    Some(Hash(bytes))
}

// ---------------------------------------------------------------------------------------------
// Tiles

/// A C2SP tlog-tiles resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TilePath {
    /// `tile/<L>/<N>[.p/<W>]`: the hashes at tree level 8·L, from index N·256, W of them.
    Hashes { level: u8, index: u64, width: u64 },
    /// `tile/entries/<N>[.p/<W>]`: leaves N·256 … N·256+W−1, each a big-endian u16 length and
    /// the entry's bytes.
    Entries { index: u64, width: u64 },
}

fn encode_index(mut n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    while n >= 1000 {
        n /= 1000;
        parts.push(format!("x{:03}", n % 1000));
    }
    parts.reverse();
    parts.join("/")
}

impl TilePath {
    /// Parses a path below `tile/` exactly as written by [`TilePath::path`] (no other spelling
    /// of the same tile is accepted: every URL of a tile is its one cacheable name).
    pub fn parse(path: &str) -> Option<Self> {
        let rest = path.strip_prefix("tile/")?;
        let (kind, rest) = rest.split_once('/')?;
        let (n_part, width) = match rest.split_once(".p/") {
            Some((n, w)) => {
                let w: u64 = w.parse().ok()?;
                if !(1..TILE_WIDTH).contains(&w) {
                    return None;
                }
                (n, w)
            }
            None => (rest, TILE_WIDTH),
        };
        let mut index: u64 = 0;
        for part in n_part.split('/') {
            let digits = part.strip_prefix('x').unwrap_or(part);
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            index = index
                .checked_mul(1000)?
                .checked_add(digits.parse::<u64>().ok()?)?;
        }
        let tile = if kind == "entries" {
            TilePath::Entries { index, width }
        } else {
            let level: u8 = kind.parse().ok()?;
            if level > 7 {
                return None;
            }
            TilePath::Hashes {
                level,
                index,
                width,
            }
        };
        (tile.path() == path).then_some(tile)
    }

    pub fn path(&self) -> String {
        let (kind, index, width) = match *self {
            TilePath::Hashes {
                level,
                index,
                width,
            } => (level.to_string(), index, width),
            TilePath::Entries { index, width } => ("entries".to_owned(), index, width),
        };
        let partial = if width == TILE_WIDTH {
            String::new()
        } else {
            format!(".p/{width}")
        };
        format!("tile/{kind}/{}{partial}", encode_index(index))
    }

    /// Whether a tree of `size` leaves holds this tile (a tile a checkpoint of that size covers;
    /// a partial tile only at exactly its width, as C2SP says, so a client is never served a
    /// partial tile another size would fill differently).
    pub fn within(&self, size: u64) -> bool {
        let (level, index, width) = match *self {
            TilePath::Hashes {
                level,
                index,
                width,
            } => (level, index, width),
            TilePath::Entries { index, width } => (0, index, width),
        };
        let at_level = size >> (u32::from(TILE_HEIGHT) * u32::from(level));
        let Some(start) = index.checked_mul(TILE_WIDTH) else {
            return false;
        };
        let Some(end) = start.checked_add(width) else {
            return false;
        };
        if width == TILE_WIDTH {
            end <= at_level
        } else {
            // A partial tile exists only as the last tile of the level.
            start + TILE_WIDTH > at_level && end <= at_level
        }
    }

    /// The stored-hash indexes a hash tile is made of, in order.
    pub fn stored_indexes(&self) -> Vec<u64> {
        match *self {
            TilePath::Hashes {
                level,
                index,
                width,
            } => (0..width)
                .map(|i| tlog_tiles::stored_hash_index(TILE_HEIGHT * level, index * TILE_WIDTH + i))
                .collect(),
            TilePath::Entries { .. } => Vec::new(),
        }
    }
}

/// An entry bundle: each entry as a big-endian u16 length followed by its bytes.
pub fn entry_bundle(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.len() + 2).sum());
    for e in entries {
        let len = u16::try_from(e.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&e[..usize::from(len)]);
    }
    out
}

/// Splits an entry bundle back into entries; `None` when it is malformed.
pub fn parse_entry_bundle(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len_bytes: [u8; 2] = bytes.get(..2)?.try_into().ok()?;
        let len = usize::from(u16::from_be_bytes(len_bytes));
        out.push(bytes.get(2..2 + len)?.to_vec());
        bytes = &bytes[2 + len..];
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Hash reading: the proofs of `tlog_tiles` read stored hashes synchronously; the database is
// async. Each computation runs twice: once to learn which indexes it reads (they depend only on
// the sizes, never on the hashes), then on exactly those hashes fetched in one query.

/// Records the indexes asked for and answers with zeros.
#[derive(Default)]
pub struct IndexRecorder(RefCell<Vec<u64>>);

impl IndexRecorder {
    pub fn indexes(self) -> Vec<u64> {
        let mut v = self.0.into_inner();
        v.sort_unstable();
        v.dedup();
        v
    }
}

impl HashReader for IndexRecorder {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        self.0.borrow_mut().extend_from_slice(indexes);
        Ok(vec![Hash([0; 32]); indexes.len()])
    }
}

/// Answers from hashes fetched beforehand.
pub struct MapReader<'a>(pub &'a HashMap<u64, Hash>);

impl HashReader for MapReader<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|i| {
                self.0
                    .get(i)
                    .copied()
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

/// The stored hashes to write when appending leaf `index` (it reads hashes through `r`).
pub fn stored_hashes_for(
    index: u64,
    leaf: &Leaf,
    r: &impl HashReader,
) -> Result<Vec<Hash>, tlog_tiles::Error> {
    tlog_tiles::stored_hashes(index, &leaf.to_bytes(), r)
}

/// Checks that `leaf_hash` is leaf `index` of the tree of `size` leaves with root `root`.
pub fn check_inclusion(proof: &[Hash], size: u64, root: Hash, index: u64, leaf_hash: Hash) -> bool {
    tlog_tiles::check_record(&proof.to_vec(), size, root, index, leaf_hash).is_ok()
}

/// Checks that the tree of `old_size` leaves with `old_root` is a prefix of the tree of `size`
/// leaves with `root`.
pub fn check_consistency(
    proof: &[Hash],
    size: u64,
    root: Hash,
    old_size: u64,
    old_root: Hash,
) -> bool {
    if old_size == 0 {
        return old_root == EMPTY_HASH && proof.is_empty();
    }
    if old_size == size {
        return old_root == root && proof.is_empty();
    }
    tlog_tiles::check_tree(&proof.to_vec(), size, root, old_size, old_root).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Checkpoints and signatures

/// A C2SP tlog-checkpoint body: `<origin>\n<size>\n<base64 root>\n`.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root.0)
        )
    }

    /// Reads a checkpoint body (extension lines are refused: this log writes none).
    pub fn parse(text: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(text).ok()?;
        let mut lines = text.strip_suffix('\n')?.split('\n');
        let origin = lines.next()?.to_owned();
        let size_text = lines.next()?;
        let size: u64 = size_text.parse().ok()?;
        let root: [u8; 32] = B64.decode(lines.next()?).ok()?.try_into().ok()?;
        if lines.next().is_some() || origin.is_empty() || size.to_string() != size_text {
            return None;
        }
        Some(Checkpoint {
            origin,
            size,
            root: Hash(root),
        })
    }
}

/// An Ed25519 key that signs notes (the log's) or cosignatures (a witness's), named.
#[derive(Clone)]
pub struct NamedKey {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for NamedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamedKey")
            .field("name", &self.name)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// Why a key file or a verifier key could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not a key in the signed-note format PRIVATE+KEY+<name>+<id>+<base64>")]
    Format,
    #[error("the key's name {0:?} has a space or a plus")]
    Name(String),
    #[error("the key id does not match the key")]
    Id,
}

fn name_ok(name: &str) -> bool {
    signed_note::is_key_name_valid(name)
}

impl NamedKey {
    /// A new random key.
    pub fn generate(name: &str) -> Result<Self, KeyError> {
        if !name_ok(name) {
            return Err(KeyError::Name(name.to_owned()));
        }
        let seed: [u8; 32] = rand::random();
        Ok(NamedKey {
            name: name.to_owned(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// A new random key under a name known to be valid (a constant).
    pub(crate) fn fresh(name: &'static str) -> Self {
        NamedKey {
            name: name.to_owned(),
            key: SigningKey::from_bytes(&rand::random()),
        }
    }

    /// Reads `PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>` (Go's note format; the id is
    /// that of the Ed25519 note key).
    pub fn parse(skey: &str) -> Result<Self, KeyError> {
        let rest = skey
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(KeyError::Format)?;
        let (name, rest) = rest.split_once('+').ok_or(KeyError::Format)?;
        let (id, b64) = rest.split_once('+').ok_or(KeyError::Format)?;
        if !name_ok(name) {
            return Err(KeyError::Name(name.to_owned()));
        }
        let raw = B64.decode(b64).map_err(|_| KeyError::Format)?;
        let (&alg, seed) = raw.split_first().ok_or(KeyError::Format)?;
        let seed: [u8; 32] = seed.try_into().map_err(|_| KeyError::Format)?;
        if alg != ALG_ED25519 {
            return Err(KeyError::Format);
        }
        let key = NamedKey {
            name: name.to_owned(),
            key: SigningKey::from_bytes(&seed),
        };
        if format!("{:08x}", key.note_key_id()) != id {
            return Err(KeyError::Id);
        }
        Ok(key)
    }

    /// The private key in the format [`NamedKey::parse`] reads (keep it secret).
    pub fn to_private(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.note_key_id(),
            B64.encode(raw)
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn public_with(&self, alg: u8) -> Vec<u8> {
        let mut raw = vec![alg];
        raw.extend_from_slice(self.key.verifying_key().as_bytes());
        raw
    }

    fn note_key_id(&self) -> u32 {
        signed_note::key_id(&self.name, &self.public_with(ALG_ED25519))
    }

    /// The verifier key of this key as a note signer: `<name>+<id>+<base64(0x01 || public)>`.
    pub fn note_vkey(&self) -> String {
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.note_key_id(),
            B64.encode(self.public_with(ALG_ED25519))
        )
    }

    /// The verifier key of this key as a witness (cosignature/v1):
    /// `<name>+<id>+<base64(0x04 || public)>`.
    pub fn cosignature_vkey(&self) -> String {
        let public = self.public_with(ALG_COSIGNATURE_V1);
        format!(
            "{}+{:08x}+{}",
            self.name,
            signed_note::key_id(&self.name, &public),
            B64.encode(public)
        )
    }

    /// Signs a checkpoint as the log: the signed note, text and signature line.
    pub fn sign_checkpoint(&self, checkpoint: &Checkpoint) -> Option<String> {
        let mut note = Note::new(checkpoint.text().as_bytes(), &[]).ok()?;
        note.add_sigs(&[self as &dyn Signer]).ok()?;
        String::from_utf8(note.to_bytes()).ok()
    }

    /// A cosignature/v1 signature line over a checkpoint body, at `timestamp` (UNIX seconds).
    pub fn cosign(&self, checkpoint_text: &str, timestamp: u64) -> Option<String> {
        let cosigner = Cosigner {
            key: self,
            timestamp,
            id: signed_note::key_id(&self.name, &self.public_with(ALG_COSIGNATURE_V1)),
        };
        let mut note = Note::new(checkpoint_text.as_bytes(), &[]).ok()?;
        note.add_sigs(&[&cosigner as &dyn Signer]).ok()?;
        let bytes = String::from_utf8(note.to_bytes()).ok()?;
        bytes
            .strip_prefix(checkpoint_text)
            .and_then(|s| s.strip_prefix('\n'))
            .map(str::to_owned)
    }
}

impl Signer for NamedKey {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.note_key_id()
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        Ok(self.key.sign(msg).to_vec())
    }
}

fn cosigned_message(checkpoint_text: &[u8], timestamp: u64) -> Vec<u8> {
    let mut m = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    m.extend_from_slice(checkpoint_text);
    m
}

struct Cosigner<'a> {
    key: &'a NamedKey,
    timestamp: u64,
    id: u32,
}

impl Signer for Cosigner<'_> {
    fn name(&self) -> &str {
        &self.key.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        let sig = self.key.key.sign(&cosigned_message(msg, self.timestamp));
        let mut out = self.timestamp.to_be_bytes().to_vec();
        out.extend_from_slice(&sig.to_bytes());
        Ok(out)
    }
}

/// A public key that checks note signatures (the log's, type 0x01) or cosignatures (a
/// witness's, type 0x04), read from a verifier key `<name>+<id>+<base64>`.
#[derive(Clone, Debug)]
pub struct PublicKey {
    name: String,
    id: u32,
    cosignature: bool,
    key: VerifyingKey,
}

impl PublicKey {
    pub fn parse(vkey: &str) -> Result<Self, KeyError> {
        let (name, rest) = vkey.trim().split_once('+').ok_or(KeyError::Format)?;
        let (id, b64) = rest.split_once('+').ok_or(KeyError::Format)?;
        if !name_ok(name) {
            return Err(KeyError::Name(name.to_owned()));
        }
        let raw = B64.decode(b64).map_err(|_| KeyError::Format)?;
        if id.len() != 8
            || u32::from_str_radix(id, 16).ok() != Some(signed_note::key_id(name, &raw))
        {
            return Err(KeyError::Id);
        }
        let (&alg, public) = raw.split_first().ok_or(KeyError::Format)?;
        let public: [u8; 32] = public.try_into().map_err(|_| KeyError::Format)?;
        let cosignature = match alg {
            ALG_ED25519 => false,
            ALG_COSIGNATURE_V1 => true,
            _ => return Err(KeyError::Format),
        };
        Ok(PublicKey {
            name: name.to_owned(),
            id: signed_note::key_id(name, &raw),
            cosignature,
            key: VerifyingKey::from_bytes(&public).map_err(|_| KeyError::Format)?,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_witness(&self) -> bool {
        self.cosignature
    }
}

impl Verifier for PublicKey {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        if self.cosignature {
            let Some((ts, sig)) = sig.split_first_chunk::<8>() else {
                return false;
            };
            let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
                return false;
            };
            let ts = u64::from_be_bytes(*ts);
            self.key.verify(&cosigned_message(msg, ts), &sig).is_ok()
        } else {
            let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
                return false;
            };
            self.key.verify(msg, &sig).is_ok()
        }
    }
}

/// A signature a checked note carried, by whom and (for a cosignature) when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub name: String,
    pub witness: bool,
    /// UNIX seconds a witness put in its cosignature.
    pub timestamp: Option<u64>,
}

/// A signed checkpoint, checked: the body and who among the given keys signed it.
#[derive(Clone, Debug)]
pub struct CheckedNote {
    pub checkpoint: Checkpoint,
    pub text: String,
    pub signers: Vec<Signed>,
}

/// Checks a signed note against `keys` (the log's key and the witnesses'): every signature by
/// a known key must verify (a bad one refuses the note), unknown ones are ignored. Returns the
/// checkpoint and the known signers.
pub fn open_note(note: &[u8], keys: &[PublicKey]) -> Result<CheckedNote, String> {
    let parsed = Note::from_bytes(note).map_err(|e| format!("not a signed note: {e}"))?;
    let list = VerifierList::new(
        keys.iter()
            .map(|k| Box::new(k.clone()) as Box<dyn Verifier>)
            .collect(),
    );
    let (verified, _) = parsed
        .verify(&list)
        .map_err(|e| format!("the signatures do not verify: {e}"))?;
    let checkpoint = Checkpoint::parse(parsed.text()).ok_or("not a checkpoint")?;
    let signers = verified
        .iter()
        .filter_map(|s| {
            let key = keys.iter().find(|k| k.name == s.name() && k.id == s.id())?;
            Some(Signed {
                name: s.name().to_owned(),
                witness: key.cosignature,
                timestamp: key.cosignature.then(|| {
                    s.signature()
                        .first_chunk::<8>()
                        .map_or(0, |t| u64::from_be_bytes(*t))
                }),
            })
        })
        .collect();
    Ok(CheckedNote {
        text: String::from_utf8_lossy(parsed.text()).into_owned(),
        checkpoint,
        signers,
    })
}

#[cfg(test)]
mod tests;
