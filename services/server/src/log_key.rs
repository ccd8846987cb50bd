//! The trace log's signing key from settings (CHAIN.md §10): a key file in production; in
//! embedded/demo mode made once and kept in `data_dir/trace-log.key`.

use crate::settings::Settings;
use anyhow::Context;
use farmgate_trace::LogConfig;
use farmgate_trace::tlog::NamedKey;
use std::path::Path;

/// The log's origin: the setting, or the public address's host + `/trace-log`.
pub fn origin(settings: &Settings) -> String {
    if let Some(o) = &settings.trace_log_origin {
        return o.trim().to_owned();
    }
    let host = settings
        .public_url
        .as_deref()
        .and_then(|u| u.split("://").nth(1))
        .map(|rest| rest.split(['/', ':']).next().unwrap_or_default())
        .filter(|h| !h.is_empty())
        .unwrap_or("farmgate.local");
    format!("{host}/trace-log")
}

/// Writes a new key to `path` (refusing to overwrite one), readable by its owner only.
pub fn write_new(path: &Path, name: &str) -> anyhow::Result<NamedKey> {
    let key = NamedKey::generate(name).with_context(|| format!("a key named {name:?}"))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating the key file {}", path.display()))?;
    use std::io::Write;
    writeln!(file, "{}", key.to_private())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}

pub fn read(path: &Path) -> anyhow::Result<NamedKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the key file {}", path.display()))?;
    NamedKey::parse(&text).with_context(|| format!("the key file {}", path.display()))
}

/// The log's settings: its origin, its key (read, or made once outside production), the
/// checkpoint interval.
pub fn log_config(settings: &Settings) -> anyhow::Result<LogConfig> {
    let origin = origin(settings);
    let key = match &settings.trace_log_key_file {
        Some(path) => read(path)?,
        None => {
            let path = settings.data_dir.join("trace-log.key");
            if path.exists() {
                read(&path)?
            } else {
                let key = write_new(&path, &origin)?;
                tracing::warn!(file = %path.display(), vkey = %key.note_vkey(),
                    "trace log: made a signing key in the data directory (back it up; production names a key file)");
                key
            }
        }
    };
    // C2SP checkpoints are signed under the log's origin.
    if key.name() != origin {
        anyhow::bail!(
            "trace log: the key is named {:?} but the log's origin is {origin:?} (set trace_log_origin to the key's name, or make a key with that name)",
            key.name()
        );
    }
    let witnesses = witnesses(&settings.trace_witnesses)?;
    let quorum = usize::try_from(settings.trace_witness_quorum).unwrap_or(usize::MAX);
    if quorum > witnesses.len() {
        anyhow::bail!(
            "trace_witness_quorum is {quorum} but only {} witnesses are configured",
            witnesses.len()
        );
    }
    Ok(LogConfig {
        origin,
        key,
        checkpoint_every: chrono::Duration::minutes(i64::from(settings.trace_checkpoint_minutes)),
        witnesses,
        quorum,
    })
}

/// Reads `<url> <vkey>; <url> <vkey>`.
pub fn witnesses(setting: &str) -> anyhow::Result<Vec<farmgate_trace::WitnessConfig>> {
    setting
        .split(';')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            let (url, vkey) = w
                .split_once(char::is_whitespace)
                .with_context(|| format!("trace_witnesses: {w:?} is not `<url> <key>`"))?;
            let key = farmgate_trace::tlog::PublicKey::parse(vkey.trim())
                .with_context(|| format!("trace_witnesses: the key of {url}"))?;
            if !key.is_witness() {
                anyhow::bail!("trace_witnesses: the key of {url} is not a cosignature/v1 key");
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                anyhow::bail!("trace_witnesses: {url} is not an http(s) address");
            }
            Ok(farmgate_trace::WitnessConfig {
                url: url.to_owned(),
                key,
            })
        })
        .collect()
}
