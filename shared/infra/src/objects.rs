//! Files (photos, lab reports, labels): a local directory by default, S3-compatible storage in
//! production. Every stored object's SHA-256 is computed on the way in, so evidence can be
//! shown to be unchanged later.

use async_trait::async_trait;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A validated object key: `/`-separated segments of `[A-Za-z0-9._-]`, no `..`, at most 512
/// bytes. Keys never come from users verbatim; services build them from ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectKey(String);

impl ObjectKey {
    pub fn parse(key: &str) -> Result<Self, ObjectError> {
        let ok = !key.is_empty()
            && key.len() <= 512
            && key.split('/').all(|seg| {
                !seg.is_empty()
                    && seg != "."
                    && seg != ".."
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            });
        if ok {
            Ok(Self(key.to_owned()))
        } else {
            Err(ObjectError::InvalidKey(key.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What was stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    pub key: ObjectKey,
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub content_type: String,
}

/// An object read back.
#[derive(Clone, Debug)]
pub struct Object {
    pub bytes: Bytes,
    pub content_type: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("invalid object key {0:?}")]
    InvalidKey(String),
    #[error("object store I/O at {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("S3 {op} {key}: {message}")]
    S3 {
        op: &'static str,
        key: String,
        message: String,
    },
}

/// The object store contract. Writes are atomic: a reader sees the old object or the new one,
/// never half of one.
#[async_trait]
pub trait ObjectStore: Send + Sync + 'static {
    /// `"local"` or `"s3"`, for the start-up log and `/readyz`.
    fn backend(&self) -> &'static str;
    async fn put(
        &self,
        key: &ObjectKey,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<StoredObject, ObjectError>;
    async fn get(&self, key: &ObjectKey) -> Result<Option<Object>, ObjectError>;
    /// Deleting a missing object is not an error.
    async fn delete(&self, key: &ObjectKey) -> Result<(), ObjectError>;
    async fn exists(&self, key: &ObjectKey) -> Result<bool, ObjectError>;
    /// The keys under `prefix` (a folder, ending in `/`), sorted: for housekeeping and for
    /// tests that check nothing was left behind. Not for request paths (it walks the folder).
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectKey>, ObjectError>;
    /// Can we reach the store and write to it?
    async fn health(&self) -> Result<(), ObjectError>;
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

// ---------------------------------------------------------------------------------------------
// Local directory

/// Objects as files under a directory; the content type lives in a `.type` sidecar file.
#[derive(Clone, Debug)]
pub struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    pub async fn open(root: impl Into<PathBuf>) -> Result<Self, ObjectError> {
        let root = root.into();
        tokio::fs::create_dir_all(&root)
            .await
            .map_err(|source| io_err(&root, source))?;
        Ok(Self { root })
    }

    fn path_of(&self, key: &ObjectKey) -> PathBuf {
        self.root.join(key.as_str())
    }

    fn type_path(path: &Path) -> PathBuf {
        let mut p = path.as_os_str().to_owned();
        p.push(".type");
        PathBuf::from(p)
    }
}

fn io_err(path: &Path, source: std::io::Error) -> ObjectError {
    ObjectError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes through a temporary file and a rename, so readers never see a partial file.
async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ObjectError> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| io_err(dir, e))?;
    }
    let tmp = {
        let mut p = path.as_os_str().to_owned();
        p.push(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
        PathBuf::from(p)
    };
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(|e| io_err(&tmp, e))?;
    if let Err(e) = tokio::fs::rename(&tmp, path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(io_err(path, e));
    }
    Ok(())
}

#[async_trait]
impl ObjectStore for LocalDirStore {
    fn backend(&self) -> &'static str {
        "local"
    }

    async fn put(
        &self,
        key: &ObjectKey,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<StoredObject, ObjectError> {
        let path = self.path_of(key);
        let sha256 = sha256_hex(&bytes);
        write_atomically(&Self::type_path(&path), content_type.as_bytes()).await?;
        write_atomically(&path, &bytes).await?;
        Ok(StoredObject {
            key: key.clone(),
            size: bytes.len() as u64,
            sha256,
            content_type: content_type.to_owned(),
        })
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<Object>, ObjectError> {
        let path = self.path_of(key);
        let bytes = match tokio::fs::read(&path).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path, e)),
        };
        let content_type = tokio::fs::read_to_string(Self::type_path(&path))
            .await
            .unwrap_or_else(|_| "application/octet-stream".to_owned());
        Ok(Some(Object {
            bytes: Bytes::from(bytes),
            content_type,
        }))
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), ObjectError> {
        let path = self.path_of(key);
        for p in [Self::type_path(&path), path] {
            match tokio::fs::remove_file(&p).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&p, e)),
            }
        }
        Ok(())
    }

    async fn exists(&self, key: &ObjectKey) -> Result<bool, ObjectError> {
        let path = self.path_of(key);
        tokio::fs::try_exists(&path)
            .await
            .map_err(|e| io_err(&path, e))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectKey>, ObjectError> {
        let mut keys = Vec::new();
        let mut dirs = vec![self.root.join(prefix)];
        while let Some(dir) = dirs.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_err(&dir, e)),
            };
            while let Some(entry) = entries.next_entry().await.map_err(|e| io_err(&dir, e))? {
                let path = entry.path();
                let is_dir = entry
                    .file_type()
                    .await
                    .map_err(|e| io_err(&path, e))?
                    .is_dir();
                if is_dir {
                    dirs.push(path);
                    continue;
                }
                let name = path.to_string_lossy();
                // Sidecars and unfinished writes are not objects.
                if name.ends_with(".type") || name.contains(".tmp-") {
                    continue;
                }
                if let Ok(rel) = path.strip_prefix(&self.root)
                    && let Ok(key) = ObjectKey::parse(&rel.to_string_lossy())
                {
                    keys.push(key);
                }
            }
        }
        keys.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        Ok(keys)
    }

    async fn health(&self) -> Result<(), ObjectError> {
        let probe = self.root.join(".health");
        write_atomically(&probe, b"ok").await
    }
}

// ---------------------------------------------------------------------------------------------
// S3-compatible

/// Where an S3-compatible store is. Path-style addressing is what MinIO, Garage and s3s expect.
#[derive(Clone)]
pub struct S3Config {
    pub endpoint: Option<String>,
    pub region: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    pub path_style: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("access_key", &self.access_key)
            .field("secret_key", &"***")
            .field("path_style", &self.path_style)
            .finish()
    }
}

/// Objects in one bucket of an S3-compatible server, through aws-sdk-s3.
#[derive(Clone, Debug)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Store {
    /// Builds the client (no network yet). Credentials are static: no AWS profile files,
    /// instance metadata or SSO lookups, which a county data centre does not have.
    pub fn new(config: &S3Config) -> Self {
        use aws_sdk_s3::config::{
            BehaviorVersion, Credentials, Region, RequestChecksumCalculation,
            ResponseChecksumValidation,
        };
        use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let creds = Credentials::new(
            config.access_key.clone(),
            config.secret_key.clone(),
            None,
            None,
            "farmgate-settings",
        );
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()))
            .credentials_provider(creds)
            .force_path_style(config.path_style)
            // Flexible checksums (aws-chunked bodies with trailers) are not understood by every
            // S3-compatible server; send plain signed bodies.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            // A store that is down or hangs must cost a request seconds, not the whole request
            // timeout: it is then answered `503 unavailable` and the rest of the API goes on.
            .timeout_config(
                aws_sdk_s3::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(std::time::Duration::from_secs(3))
                    .read_timeout(std::time::Duration::from_secs(20))
                    .build(),
            )
            .http_client(http);
        if let Some(endpoint) = &config.endpoint {
            builder = builder.endpoint_url(endpoint.clone());
        }
        Self {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            bucket: config.bucket.clone(),
        }
    }

    /// Creates the bucket when it does not exist. "Already exists" in either spelling is fine.
    pub async fn ensure_bucket(&self) -> Result<(), ObjectError> {
        if self
            .client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        match self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let text = format!("{}", aws_sdk_s3::error::DisplayErrorContext(&e));
                if text.contains("BucketAlreadyOwnedByYou") || text.contains("BucketAlreadyExists")
                {
                    Ok(())
                } else {
                    Err(ObjectError::S3 {
                        op: "create_bucket",
                        key: self.bucket.clone(),
                        message: text,
                    })
                }
            }
        }
    }

    fn err(op: &'static str, key: &ObjectKey, e: impl std::error::Error) -> ObjectError {
        ObjectError::S3 {
            op,
            key: key.to_string(),
            message: aws_sdk_s3::error::DisplayErrorContext(e).to_string(),
        }
    }
}

#[async_trait]
impl ObjectStore for S3Store {
    fn backend(&self) -> &'static str {
        "s3"
    }

    async fn put(
        &self,
        key: &ObjectKey,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<StoredObject, ObjectError> {
        let sha256 = sha256_hex(&bytes);
        let size = bytes.len() as u64;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .metadata("sha256", &sha256)
            .body(aws_sdk_s3::primitives::ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| Self::err("put_object", key, e))?;
        Ok(StoredObject {
            key: key.clone(),
            size,
            sha256,
            content_type: content_type.to_owned(),
        })
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<Object>, ObjectError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                if e.as_service_error().is_some_and(|se| se.is_no_such_key()) {
                    return Ok(None);
                }
                return Err(Self::err("get_object", key, e));
            }
        };
        let content_type = out
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let data = out
            .body
            .collect()
            .await
            .map_err(|e| Self::err("get_object body", key, e))?;
        Ok(Some(Object {
            bytes: data.into_bytes(),
            content_type,
        }))
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), ObjectError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map_err(|e| Self::err("delete_object", key, e))?;
        Ok(())
    }

    async fn exists(&self, key: &ObjectKey) -> Result<bool, ObjectError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) => {
                if e.as_service_error().is_some_and(|se| se.is_not_found()) {
                    Ok(false)
                } else {
                    Err(Self::err("head_object", key, e))
                }
            }
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectKey>, ObjectError> {
        let mut keys = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| ObjectError::S3 {
                op: "list_objects_v2",
                key: prefix.to_owned(),
                message: aws_sdk_s3::error::DisplayErrorContext(e).to_string(),
            })?;
            for o in page.contents() {
                if let Some(key) = o.key().and_then(|k| ObjectKey::parse(k).ok()) {
                    keys.push(key);
                }
            }
        }
        keys.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        Ok(keys)
    }

    async fn health(&self) -> Result<(), ObjectError> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| ObjectError::S3 {
                op: "head_bucket",
                key: self.bucket.clone(),
                message: aws_sdk_s3::error::DisplayErrorContext(e).to_string(),
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape_the_store() {
        for bad in [
            "", "/abs", "a//b", "../x", "a/../b", "a/./b", "a b", "a\\b", "键",
        ] {
            assert!(ObjectKey::parse(bad).is_err(), "{bad:?}");
        }
        assert!(ObjectKey::parse("listings/0193a/photo-1.webp").is_ok());
    }

    #[test]
    fn sha256_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
