//! What `verify --remote` fetches, and nothing it trusts: the checkpoint, C2SP tiles and entry
//! bundles, a batch's public JSON, an attachment's bytes. A transport failure (no answer, a 5xx)
//! is an [`anyhow::Error`] (exit 2: nothing could be concluded); anything the server *says* is
//! returned for the checks to judge.

use anyhow::Context;
use farmgate_trace::tlog::{Hash, TilePath};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tlog_tiles::{Tile, TileHashReader, TileReader};

/// An HTTP answer the checks judge: its status and body.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The site under verification.
pub struct Remote {
    base: String,
    http: reqwest::Client,
}

impl Remote {
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            anyhow::bail!("--remote {base}: give the site's address, https://…");
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .user_agent(concat!("farmgate-verify/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the HTTP client")?;
        Ok(Remote { base, http })
    }

    /// The address of `path` below the site root (an absolute address is taken as it is).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// GETs `path` (below the site root). A 5xx or no answer is an error; any other status is
    /// the server's answer.
    pub async fn get(&self, path: &str) -> anyhow::Result<Answer> {
        let url = self.url(path);
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let status = resp.status().as_u16();
        if status >= 500 {
            anyhow::bail!("GET {url}: the server answered {status}");
        }
        let body = resp
            .bytes()
            .await
            .with_context(|| format!("GET {url}: reading the body"))?;
        Ok(Answer {
            status,
            body: body.to_vec(),
        })
    }

    /// A C2SP tile (`tile/…`) under `/tlog/`: `Ok(None)` when the server does not serve it.
    /// A partial tile that has filled since is read from the full tile (C2SP tlog-tiles).
    pub async fn tile(&self, tile: TilePath) -> anyhow::Result<Option<Vec<u8>>> {
        let a = self.get(&format!("/tlog/{}", tile.path())).await?;
        if a.status == 200 {
            return Ok(Some(a.body));
        }
        let full = match tile {
            TilePath::Hashes {
                level,
                index,
                width,
            } if width < 256 => (
                TilePath::Hashes {
                    level,
                    index,
                    width: 256,
                },
                width * 32,
            ),
            TilePath::Entries { index, width } if width < 256 => {
                (TilePath::Entries { index, width: 256 }, width)
            }
            _ => return Ok(None),
        };
        let a = self.get(&format!("/tlog/{}", full.0.path())).await?;
        if a.status != 200 {
            return Ok(None);
        }
        Ok(Some(match full.0 {
            // Hash tiles truncate by bytes; entry bundles are cut by the caller (by count).
            TilePath::Hashes { .. } => {
                let mut body = a.body;
                body.truncate(usize::try_from(full.1)?);
                body
            }
            TilePath::Entries { .. } => a.body,
        }))
    }
}

/// Why a tile-backed computation could not finish.
pub enum TileFailure {
    /// The server does not serve a tile its checkpoint covers.
    Missing(String),
    /// The tiles served do not hash to the signed root, or the proof does not verify.
    Proof(tlog_tiles::Error),
}

/// Hash tiles fetched so far; a [`TileReader`] that notes which tiles it lacks.
#[derive(Default)]
pub struct Tiles {
    have: Mutex<HashMap<Tile, Vec<u8>>>,
    wanted: Mutex<Vec<Tile>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TileReader for Tiles {
    fn height(&self) -> u8 {
        farmgate_trace::tlog::TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        let have = lock(&self.have);
        let missing: Vec<Tile> = tiles
            .iter()
            .filter(|t| !have.contains_key(t))
            .copied()
            .collect();
        if !missing.is_empty() {
            lock(&self.wanted).extend(missing);
            return Err(tlog_tiles::Error::IndexesNotInTree);
        }
        Ok(tiles
            .iter()
            .map(|t| have.get(t).cloned().unwrap_or_default())
            .collect())
    }

    fn save_tiles(&self, _tiles: &[Tile], _data: &[Vec<u8>]) {}
}

impl Tiles {
    /// Runs `f` over the tree of `size` leaves with root `root`, reading hashes from tiles that
    /// `tlog_tiles::TileHashReader` authenticates against that root; fetches what `f` asks for
    /// and runs it again until it has every tile it needs.
    pub async fn with<T>(
        &self,
        remote: &Remote,
        size: u64,
        root: Hash,
        f: impl Fn(&TileHashReader<'_>) -> Result<T, tlog_tiles::Error>,
    ) -> anyhow::Result<Result<T, TileFailure>> {
        for _ in 0..8 {
            let result = f(&TileHashReader::new(size, root, self));
            let wanted: Vec<Tile> = std::mem::take(&mut *lock(&self.wanted));
            if wanted.is_empty() {
                return Ok(result.map_err(TileFailure::Proof));
            }
            for t in wanted {
                if lock(&self.have).contains_key(&t) {
                    continue;
                }
                let path = TilePath::Hashes {
                    level: t.level(),
                    index: t.level_index(),
                    width: u64::from(t.width()),
                };
                let Some(data) = remote.tile(path).await? else {
                    return Ok(Err(TileFailure::Missing(path.path())));
                };
                lock(&self.have).insert(t, data);
            }
        }
        anyhow::bail!("reading tiles: the computation kept asking for more")
    }
}
