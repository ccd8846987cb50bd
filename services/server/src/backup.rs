//! `farmgate backup` and `farmgate restore`: the embedded deployment (SQLite, local objects) in
//! one zip archive, taken while the server keeps serving, and put back only after every part
//! has been checked.
//!
//! An archive (`farmgate-backup-20261207T230512.345Z.zip`) holds:
//!
//! | part | what |
//! | --- | --- |
//! | `farmgate.db` | a consistent snapshot of the SQLite database (`VACUUM INTO`: one read transaction, so writers carry on) |
//! | `trace-log.key` | the trace log's Ed25519 signing key (the configured file, or `data_dir/trace-log.key`) |
//! | `objects/…` | every file of the local object store (photos, lab reports, labels), except `backups/` itself; none when objects live in S3 |
//! | `manifest.json` | format, time, farmgate version, the migrations applied, each part's size and SHA-256 |
//!
//! The database is snapshotted before the objects are copied: an object a committed row names
//! was written before that row, so it is in the copy (objects written later may be too; they
//! are harmless). The search index is not in the archive: a server on the restored directory
//! rebuilds it from the database.
//!
//! **An archive holds personal data (names, phones, addresses) and the log's signing key**:
//! keep it where the database itself may be kept, never anywhere public.
//!
//! PostgreSQL deployments are backed up with PostgreSQL's own tools (deploy/README.md,
//! "Backups"); `backup` refuses and says so.

use crate::settings::Settings;
use anyhow::Context;
use chrono::{DateTime, Utc};
use farmgate_infra::db::{self, DbConfig};
use farmgate_infra::objects::{ObjectKey, ObjectStore};
use farmgate_migrations::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The archive format this build writes and reads.
pub const FORMAT: &str = "farmgate-backup/1";
/// Where archives go in the object store.
pub const PREFIX: &str = "backups/";
const NAME_PREFIX: &str = "farmgate-backup-";
const MANIFEST: &str = "manifest.json";
const DB_PART: &str = "farmgate.db";
const KEY_PART: &str = "trace-log.key";
const OBJECTS_PART: &str = "objects/";
/// A manifest larger than this is not one of ours.
const MANIFEST_LIMIT: u64 = 16 * 1024 * 1024;

/// What went wrong, in words an operator acts on. Every refusal happens before anything is
/// written to the data directory.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "farmgate backup covers the embedded mode (SQLite) only; this deployment uses PostgreSQL: back it up with pg_dump (small sites) or pg_basebackup and WAL archiving, as deploy/README.md \"Backups\" describes"
    )]
    PostgresUsesItsOwnTools,
    #[error(
        "database_url names a SQLite file outside the data directory; backup and restore cover the embedded layout (database_url unset: data_dir/farmgate.db)"
    )]
    NotEmbeddedLayout,
    #[error("there is no database at {0} to back up")]
    NoDatabase(PathBuf),
    #[error("no backup archive {0} (a file, or a name from `farmgate backup --list`)")]
    NotFound(String),
    #[error("the archive is damaged or not a farmgate backup: {0}")]
    Damaged(String),
    #[error(
        "the archive's schema is newer than this farmgate (migrations it does not know: {}); restore it with the farmgate version that made it ({version}) or a later one",
        unknown.join(", ")
    )]
    NewerSchema {
        unknown: Vec<String>,
        version: String,
    },
    #[error("the archive's database fails SQLite's integrity check: {0}")]
    Integrity(String),
    #[error(
        "the data directory {0} is not empty; stop the server, then restore with --force (the directory is moved aside, not deleted)"
    )]
    Occupied(PathBuf),
    #[error("--keep must be at least 1 (it counts the archive just made)")]
    KeepZero,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

type Result<T, E = BackupError> = std::result::Result<T, E>;

/// The archive's table of contents (`manifest.json`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    pub created_at: DateTime<Utc>,
    /// The farmgate version that made it.
    pub farmgate_version: String,
    /// Always `sqlite` in this format.
    pub database: String,
    /// The migrations applied to the database, oldest first (sea-orm's `seaql_migrations`).
    pub migrations: Vec<String>,
    /// `local` (the files are in the archive) or `s3` (they are not: keep the bucket versioned).
    pub objects: String,
    pub parts: Vec<Part>,
}

/// One file of the archive.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Part {
    pub path: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
}

/// Where archives are written and listed.
#[derive(Clone, Debug)]
pub enum Destination {
    /// The configured object store, under `backups/`.
    Store,
    /// A directory (another disk, a mounted share).
    Dir(PathBuf),
}

/// A backup made.
#[derive(Debug)]
pub struct Made {
    /// The archive's file name.
    pub name: String,
    /// Where it is: a path, or `backups/<name>` in the object store.
    pub location: String,
    pub size: u64,
    pub manifest: Manifest,
    /// Older archives removed by `--keep`.
    pub pruned: Vec<String>,
}

/// An archive found by `--list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub location: String,
    /// Known for a directory; the object store does not say without downloading.
    pub size: Option<u64>,
}

/// A restore done.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// Migrations run on the restored database (it came from an older farmgate).
    pub migrated: Vec<String>,
    /// Where the previous contents of the data directory were moved (`--force`).
    pub moved_aside: Option<PathBuf>,
    /// The trace key went to the configured key file's place, or a note about it.
    pub key_note: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// backup

/// Takes a backup while the server may be running, writes it to `to`, and prunes older ones
/// down to `keep` (counting the new one).
pub async fn backup(settings: &Settings, to: &Destination, keep: Option<usize>) -> Result<Made> {
    if keep == Some(0) {
        return Err(BackupError::KeepZero);
    }
    let db_path = embedded_db_path(settings)?;
    if !db_path.is_file() {
        return Err(BackupError::NoDatabase(db_path));
    }
    let created_at = Utc::now();
    let name = archive_name(created_at);
    let store = match to {
        Destination::Store => Some(crate::app::object_store(settings).await?),
        Destination::Dir(_) => None,
    };

    // Scratch space beside the data, on the same disk (a snapshot can be as large as the db).
    let scratch = Scratch::new(
        settings
            .data_dir
            .join(format!(".backup-{}", uuid::Uuid::new_v4().simple())),
    )?;
    let snapshot = scratch.path.join(DB_PART);
    snapshot_sqlite(&db_path, &snapshot).await?;
    let migrations = check_database(&snapshot).await?;

    let key_path = key_path(settings);
    let objects_dir = settings
        .s3_bucket
        .is_none()
        .then(|| settings.data_dir.join("objects"));
    let zip_path = scratch.path.join(&name);
    let manifest_base = Manifest {
        format: FORMAT.to_owned(),
        created_at,
        farmgate_version: env!("CARGO_PKG_VERSION").to_owned(),
        database: "sqlite".to_owned(),
        migrations,
        objects: if objects_dir.is_some() { "local" } else { "s3" }.to_owned(),
        parts: Vec::new(),
    };
    let (manifest, size) = {
        let zip_path = zip_path.clone();
        let snapshot = snapshot.clone();
        tokio::task::spawn_blocking(move || {
            write_archive(
                &zip_path,
                manifest_base,
                &snapshot,
                key_path.as_deref(),
                objects_dir.as_deref(),
            )
        })
        .await
        .context("writing the archive")??
    };

    let location = match (to, &store) {
        (Destination::Dir(dir), _) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let target = dir.join(&name);
            move_file(&zip_path, &target)?;
            target.display().to_string()
        }
        (Destination::Store, Some(store)) => {
            let key = ObjectKey::parse(&format!("{PREFIX}{name}"))
                .map_err(|e| anyhow::anyhow!("the archive's object key: {e}"))?;
            let bytes = std::fs::read(&zip_path)
                .with_context(|| format!("reading {}", zip_path.display()))?;
            store
                .put(&key, bytes.into(), "application/zip")
                .await
                .context("writing the archive to the object store")?;
            key.to_string()
        }
        (Destination::Store, None) => {
            return Err(anyhow::anyhow!("no object store to write to").into());
        }
    };
    drop(scratch);

    let pruned = match keep {
        Some(keep) => prune(settings, to, keep).await?,
        None => Vec::new(),
    };
    tracing::info!(archive = %location, bytes = size, parts = manifest.parts.len(), "backup written");
    Ok(Made {
        name,
        location,
        size,
        manifest,
        pruned,
    })
}

/// The archives at `from`, oldest first.
pub async fn list(settings: &Settings, from: &Destination) -> Result<Vec<Listed>> {
    match from {
        Destination::Dir(dir) => {
            let mut found = Vec::new();
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
                Err(e) => {
                    return Err(anyhow::Error::new(e)
                        .context(format!("reading {}", dir.display()))
                        .into());
                }
            };
            for entry in entries {
                let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !is_archive_name(&name) {
                    continue;
                }
                let size = entry.metadata().ok().map(|m| m.len());
                found.push(Listed {
                    location: entry.path().display().to_string(),
                    name,
                    size,
                });
            }
            found.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(found)
        }
        Destination::Store => {
            let store = crate::app::object_store(settings).await?;
            let keys = store
                .list(PREFIX)
                .await
                .context("listing the object store's backups/")?;
            let mut found: Vec<Listed> = keys
                .into_iter()
                .filter_map(|k| {
                    let name = k.as_str().strip_prefix(PREFIX)?.to_owned();
                    is_archive_name(&name).then(|| Listed {
                        name,
                        location: k.to_string(),
                        size: None,
                    })
                })
                .collect();
            found.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(found)
        }
    }
}

/// Removes all but the newest `keep` archives at `to`; returns the names removed.
async fn prune(settings: &Settings, to: &Destination, keep: usize) -> Result<Vec<String>> {
    let all = list(settings, to).await?;
    let excess = all.len().saturating_sub(keep);
    let mut removed = Vec::new();
    let store = match to {
        Destination::Store => Some(crate::app::object_store(settings).await?),
        Destination::Dir(_) => None,
    };
    for old in all.into_iter().take(excess) {
        match &store {
            Some(store) => {
                let key = ObjectKey::parse(&old.location)
                    .map_err(|e| anyhow::anyhow!("the archive's object key: {e}"))?;
                store
                    .delete(&key)
                    .await
                    .with_context(|| format!("removing {}", old.location))?;
            }
            None => std::fs::remove_file(&old.location)
                .with_context(|| format!("removing {}", old.location))?,
        }
        removed.push(old.name);
    }
    Ok(removed)
}

/// `VACUUM INTO`: a consistent copy made in one read transaction (WAL lets writers go on).
async fn snapshot_sqlite(db_path: &Path, out: &Path) -> Result<()> {
    let conn = open_sqlite(db_path).await?;
    let out_str = out
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the scratch path {} is not UTF-8", out.display()))?;
    let result = conn
        .execute_raw(Statement::from_sql_and_values(
            conn.get_database_backend(),
            "VACUUM INTO ?",
            [out_str.into()],
        ))
        .await
        .context("taking the SQLite snapshot (VACUUM INTO)");
    let _ = conn.close().await;
    result?;
    Ok(())
}

/// Opens a SQLite file that exists (never creating one).
async fn open_sqlite(path: &Path) -> Result<DatabaseConnection> {
    let url = format!("sqlite://{}?mode=rw", path.display());
    db::connect(&DbConfig {
        url,
        max_connections: 1,
    })
    .await
    .with_context(|| format!("opening {}", path.display()))
    .map_err(Into::into)
}

/// `PRAGMA integrity_check`, then the migrations the database has applied.
async fn check_database(path: &Path) -> Result<Vec<String>> {
    let conn = open_sqlite(path).await?;
    let result = async {
        let backend = conn.get_database_backend();
        let rows = conn
            .query_all_raw(Statement::from_string(backend, "PRAGMA integrity_check"))
            .await
            .map_err(|e| BackupError::Integrity(e.to_string()))?;
        let mut problems = Vec::new();
        for row in rows {
            let line: String = row
                .try_get_by_index(0)
                .map_err(|e| BackupError::Integrity(e.to_string()))?;
            if line != "ok" {
                problems.push(line);
            }
        }
        if !problems.is_empty() {
            problems.truncate(5);
            return Err(BackupError::Integrity(problems.join("; ")));
        }
        let rows = conn
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT version FROM seaql_migrations ORDER BY version",
            ))
            .await
            .map_err(|e| BackupError::Damaged(format!("no migration table: {e}")))?;
        rows.into_iter()
            .map(|r| {
                r.try_get_by_index::<String>(0)
                    .map_err(|e| BackupError::Damaged(format!("the migration table: {e}")))
            })
            .collect::<Result<Vec<_>>>()
    }
    .await;
    let _ = conn.close().await;
    result
}

/// Writes the zip: the parts, each hashed as it is copied, then the manifest naming them.
fn write_archive(
    zip_path: &Path,
    mut manifest: Manifest,
    snapshot: &Path,
    key: Option<&Path>,
    objects: Option<&Path>,
) -> Result<(Manifest, u64)> {
    use zip::CompressionMethod::{Deflated, Stored};
    let file = std::fs::File::create_new(zip_path)
        .with_context(|| format!("creating {}", zip_path.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let add = |zip: &mut zip::ZipWriter<_>, name: &str, path: &Path, method| -> Result<Part> {
        let mut src =
            std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
        let len = src.metadata().map(|m| m.len()).unwrap_or(0);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(len >= u64::from(u32::MAX));
        zip.start_file(name, options)
            .with_context(|| format!("adding {name} to the archive"))?;
        let mut hashing = HashingWriter::new(zip);
        let size = std::io::copy(&mut src, &mut hashing)
            .with_context(|| format!("copying {} into the archive", path.display()))?;
        Ok(Part {
            path: name.to_owned(),
            size,
            sha256: hashing.hex(),
        })
    };
    manifest
        .parts
        .push(add(&mut zip, DB_PART, snapshot, Deflated)?);
    if let Some(key) = key.filter(|k| k.is_file()) {
        manifest.parts.push(add(&mut zip, KEY_PART, key, Deflated)?);
    }
    if let Some(root) = objects {
        for rel in object_files(root)? {
            let name = format!("{OBJECTS_PART}{rel}");
            // Already compressed (photos, PDFs): stored as they are.
            match add(&mut zip, &name, &root.join(&rel), Stored) {
                Ok(part) => manifest.parts.push(part),
                // Deleted since it was listed (draft-photo housekeeping): not in the snapshot's
                // world either.
                Err(BackupError::Other(e))
                    if e.chain().any(|c| {
                        c.downcast_ref::<std::io::Error>()
                            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
                    }) =>
                {
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
    }
    let json = serde_json::to_vec_pretty(&manifest).context("writing the manifest")?;
    zip.start_file(
        MANIFEST,
        zip::write::SimpleFileOptions::default().compression_method(Deflated),
    )
    .context("adding the manifest")?;
    zip.write_all(&json).context("writing the manifest")?;
    let mut inner = zip.finish().context("finishing the archive")?;
    inner.flush().context("finishing the archive")?;
    let file = inner
        .into_inner()
        .map_err(|e| anyhow::anyhow!("finishing the archive: {}", e.error()))?;
    file.sync_all().context("syncing the archive")?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((manifest, size))
}

/// The local object store's files (content-type sidecars included), relative, sorted; not
/// `backups/` (archives do not nest) nor unfinished writes.
fn object_files(root: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("reading {}", dir.display()))
                    .into());
            }
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            let path = entry.path();
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                if format!("{rel}/") != PREFIX {
                    dirs.push(path);
                }
                continue;
            }
            if rel.contains(".tmp-") || ObjectKey::parse(&rel).is_err() {
                continue;
            }
            found.push(rel);
        }
    }
    found.sort();
    Ok(found)
}

// ---------------------------------------------------------------------------------------------
// restore

/// Restores `archive` (a file path, or an archive name or `backups/<name>` in the object
/// store) into the configured data directory. Checks every part's size and hash, the schema
/// (a newer one is refused; an older one migrated after) and the database's integrity before
/// anything in the data directory changes; an occupied directory needs `force`, and is then
/// moved aside, not deleted.
pub async fn restore(settings: &Settings, archive: &str, force: bool) -> Result<Restored> {
    embedded_db_path(settings)?;
    let data_dir = settings.data_dir.clone();
    let parent = match data_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir_name = data_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".to_owned());
    std::fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;

    // Unpacked beside the data directory (one rename puts it in place), checked there.
    let staging = Scratch::new(parent.join(format!(
        ".{dir_name}.restore-{}",
        uuid::Uuid::new_v4().simple()
    )))?;
    let source = open_archive(settings, archive).await?;
    let manifest = {
        let staging = staging.path.clone();
        tokio::task::spawn_blocking(move || match source {
            Source::File(path) => {
                let file = std::fs::File::open(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                unpack(std::io::BufReader::new(file), &staging)
            }
            Source::Bytes(bytes) => unpack(std::io::Cursor::new(bytes), &staging),
        })
        .await
        .context("unpacking the archive")??
    };

    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let unknown: Vec<String> = manifest
        .migrations
        .iter()
        .filter(|m| !known.contains(m))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(BackupError::NewerSchema {
            unknown,
            version: manifest.farmgate_version.clone(),
        });
    }
    let applied = check_database(&staging.path.join(DB_PART)).await?;
    if applied != manifest.migrations {
        return Err(BackupError::Damaged(
            "the database's migrations differ from the manifest's".to_owned(),
        ));
    }
    let pending: Vec<String> = known
        .iter()
        .filter(|m| !applied.contains(m))
        .cloned()
        .collect();

    // Only now does the data directory change.
    let occupied = match std::fs::read_dir(&data_dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context(format!("reading {}", data_dir.display()))
                .into());
        }
    };
    let mut moved_aside = None;
    if occupied {
        if !force {
            return Err(BackupError::Occupied(data_dir));
        }
        let aside = parent.join(format!(
            "{dir_name}.before-restore-{}",
            Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        std::fs::rename(&data_dir, &aside).with_context(|| {
            format!("moving {} aside to {}", data_dir.display(), aside.display())
        })?;
        moved_aside = Some(aside);
    } else if data_dir.exists() {
        std::fs::remove_dir(&data_dir)
            .with_context(|| format!("replacing the empty {}", data_dir.display()))?;
    }
    if let Err(e) = std::fs::rename(&staging.path, &data_dir) {
        // Put the old directory back where it was (the staging copy is removed on drop).
        if let Some(aside) = &moved_aside {
            let _ = std::fs::rename(aside, &data_dir);
        }
        return Err(anyhow::Error::new(e)
            .context(format!(
                "moving the restored files into {}",
                data_dir.display()
            ))
            .into());
    }
    staging.keep();

    let key_note = place_key(settings, &data_dir)?;
    if !pending.is_empty() {
        let conn = open_sqlite(&data_dir.join(DB_PART)).await?;
        let up = Migrator::up(&conn, None)
            .await
            .context("migrating the restored database");
        let _ = conn.close().await;
        up?;
    }
    tracing::info!(data_dir = %data_dir.display(), parts = manifest.parts.len(), migrated = pending.len(), "restored");
    Ok(Restored {
        manifest,
        migrated: pending,
        moved_aside,
        key_note,
    })
}

enum Source {
    File(PathBuf),
    Bytes(Vec<u8>),
}

async fn open_archive(settings: &Settings, archive: &str) -> Result<Source> {
    let path = Path::new(archive);
    if path.is_file() {
        return Ok(Source::File(path.to_path_buf()));
    }
    let key = if archive.starts_with(PREFIX) {
        archive.to_owned()
    } else if is_archive_name(archive) {
        format!("{PREFIX}{archive}")
    } else {
        return Err(BackupError::NotFound(archive.to_owned()));
    };
    let key = ObjectKey::parse(&key).map_err(|_| BackupError::NotFound(archive.to_owned()))?;
    if settings.s3_bucket.is_none() {
        // The local store is a folder of the data directory: read it without opening the store
        // (which would create the folder, and so write the data directory before the checks).
        let path = settings.data_dir.join("objects").join(key.as_str());
        return if path.is_file() {
            Ok(Source::File(path))
        } else {
            Err(BackupError::NotFound(archive.to_owned()))
        };
    }
    let store: Arc<dyn ObjectStore> = crate::app::object_store(settings).await?;
    match store
        .get(&key)
        .await
        .context("reading the archive from the object store")?
    {
        Some(object) => Ok(Source::Bytes(object.bytes.to_vec())),
        None => Err(BackupError::NotFound(archive.to_owned())),
    }
}

/// Reads the manifest, then unpacks exactly the parts it names into `into`, each checked
/// against its size and SHA-256; any other entry, or any part missing, is damage.
fn unpack<R: Read + Seek>(reader: R, into: &Path) -> Result<Manifest> {
    let damaged = |what: String| BackupError::Damaged(what);
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| damaged(format!("not a zip ({e})")))?;
    let manifest: Manifest = {
        let entry = zip
            .by_name(MANIFEST)
            .map_err(|_| damaged("no manifest.json".to_owned()))?;
        let mut text = Vec::new();
        entry
            .take(MANIFEST_LIMIT)
            .read_to_end(&mut text)
            .map_err(|e| damaged(format!("manifest.json unreadable ({e})")))?;
        serde_json::from_slice(&text).map_err(|e| damaged(format!("manifest.json: {e}")))?
    };
    if manifest.format != FORMAT {
        return Err(damaged(format!(
            "format {:?} (this farmgate reads {FORMAT})",
            manifest.format
        )));
    }
    if manifest.database != "sqlite" {
        return Err(damaged(format!("database {:?}", manifest.database)));
    }
    let mut named = std::collections::HashSet::new();
    for part in &manifest.parts {
        check_part_path(&part.path)?;
        if !named.insert(part.path.as_str()) {
            return Err(damaged(format!("{} is listed twice", part.path)));
        }
    }
    if !named.contains(DB_PART) {
        return Err(damaged("no database in the archive".to_owned()));
    }
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| damaged(format!("entry {i}: {e}")))?;
        let name = entry.name();
        if name != MANIFEST && !named.contains(name) && !name.ends_with('/') {
            return Err(damaged(format!(
                "{} is in the archive but not in the manifest",
                name.chars().take(120).collect::<String>()
            )));
        }
    }
    for part in &manifest.parts {
        let entry = zip
            .by_name(&part.path)
            .map_err(|_| damaged(format!("{} is missing", part.path)))?;
        let target = into.join(&part.path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let out = std::fs::File::create_new(&target)
            .with_context(|| format!("creating {}", target.display()))?;
        let mut hashing = HashingWriter::new(std::io::BufWriter::new(out));
        // One byte more than promised reveals a part longer than its manifest says.
        let copied = std::io::copy(&mut entry.take(part.size.saturating_add(1)), &mut hashing)
            .map_err(|e| damaged(format!("{} unreadable ({e})", part.path)))?;
        let sha = hashing.hex();
        hashing
            .inner
            .flush()
            .with_context(|| format!("writing {}", target.display()))?;
        if copied != part.size {
            return Err(damaged(format!(
                "{} is {} bytes, the manifest says {}",
                part.path, copied, part.size
            )));
        }
        if sha != part.sha256 {
            return Err(damaged(format!(
                "{}'s SHA-256 does not match the manifest",
                part.path
            )));
        }
    }
    Ok(manifest)
}

/// A part's path is one of ours: the database, the key, or an object key under `objects/`.
fn check_part_path(path: &str) -> Result<()> {
    let ok = path == DB_PART
        || path == KEY_PART
        || path
            .strip_prefix(OBJECTS_PART)
            .is_some_and(|key| ObjectKey::parse(key).is_ok());
    if ok {
        Ok(())
    } else {
        Err(BackupError::Damaged(format!(
            "unexpected part path {:?}",
            path.chars().take(120).collect::<String>()
        )))
    }
}

/// The key lands in `data_dir/trace-log.key`, where the embedded server reads it; when the
/// settings name a key file elsewhere, that file is written if missing, and a differing one is
/// left alone with a note.
fn place_key(settings: &Settings, data_dir: &Path) -> Result<Option<String>> {
    let restored = data_dir.join(KEY_PART);
    let Some(configured) = &settings.trace_log_key_file else {
        return Ok(None);
    };
    if !restored.is_file() {
        return Ok(Some(
            "the archive has no trace key; the configured key file is used".to_owned(),
        ));
    }
    let ours =
        std::fs::read(&restored).with_context(|| format!("reading {}", restored.display()))?;
    match std::fs::read(configured) {
        Ok(theirs) if theirs == ours => Ok(None),
        Ok(_) => Ok(Some(format!(
            "the configured trace key {} differs from the archive's (kept in {}): checkpoints will be signed with the configured one",
            configured.display(),
            restored.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = configured.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            std::fs::write(configured, &ours)
                .with_context(|| format!("writing {}", configured.display()))?;
            Ok(Some(format!(
                "wrote the archive's trace key to {}",
                configured.display()
            )))
        }
        Err(e) => Err(anyhow::Error::new(e)
            .context(format!("reading {}", configured.display()))
            .into()),
    }
}

// ---------------------------------------------------------------------------------------------
// helpers

/// The SQLite file of the embedded layout; PostgreSQL and other layouts are refused.
fn embedded_db_path(settings: &Settings) -> Result<PathBuf> {
    match &settings.database_url {
        None => Ok(settings.data_dir.join(DB_PART)),
        Some(url) if url.starts_with("postgres") => Err(BackupError::PostgresUsesItsOwnTools),
        Some(_) => Err(BackupError::NotEmbeddedLayout),
    }
}

/// The trace log's key file, wherever the settings keep it.
fn key_path(settings: &Settings) -> Option<PathBuf> {
    Some(
        settings
            .trace_log_key_file
            .clone()
            .unwrap_or_else(|| settings.data_dir.join(KEY_PART)),
    )
}

/// `farmgate-backup-20261207T230512.345Z.zip`: names sort by time.
fn archive_name(at: DateTime<Utc>) -> String {
    format!("{NAME_PREFIX}{}.zip", at.format("%Y%m%dT%H%M%S%.3fZ"))
}

fn is_archive_name(name: &str) -> bool {
    name.starts_with(NAME_PREFIX)
        && name.ends_with(".zip")
        && !name.contains('/')
        && ObjectKey::parse(name).is_ok()
}

fn move_file(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        return Err(anyhow::anyhow!("{} exists already", to.display()).into());
    }
    if std::fs::rename(from, to).is_err() {
        // Another disk: copy, then remove.
        std::fs::copy(from, to)
            .with_context(|| format!("copying the archive to {}", to.display()))?;
        let _ = std::fs::remove_file(from);
    }
    Ok(())
}

/// A scratch directory removed when dropped (on success and on every refusal alike), unless
/// kept.
struct Scratch {
    path: PathBuf,
    keep: bool,
}

impl Scratch {
    fn new(path: PathBuf) -> Result<Self> {
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self { path, keep: false })
    }

    /// Leaves the directory where it is (it has become the data directory).
    fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Hashes what passes through.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W> HashingWriter<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }

    fn hex(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_sort_by_time_and_are_object_keys() {
        let a = archive_name("2026-12-07T23:05:12.345Z".parse().unwrap_or_default());
        let b = archive_name("2026-12-07T23:05:12.346Z".parse().unwrap_or_default());
        assert_eq!(a, "farmgate-backup-20261207T230512.345Z.zip");
        assert!(a < b);
        assert!(is_archive_name(&a));
        assert!(!is_archive_name("farmgate-backup-x.tar"));
        assert!(!is_archive_name("../farmgate-backup-x.zip"));
    }

    #[test]
    fn only_our_part_paths_are_accepted() {
        assert!(check_part_path("farmgate.db").is_ok());
        assert!(check_part_path("trace-log.key").is_ok());
        assert!(check_part_path("objects/photos/ab/cd.jpg").is_ok());
        assert!(check_part_path("objects/../../etc/passwd").is_err());
        assert!(check_part_path("/etc/passwd").is_err());
        assert!(check_part_path("objects/").is_err());
        assert!(check_part_path("search/listings/meta.json").is_err());
    }
}
