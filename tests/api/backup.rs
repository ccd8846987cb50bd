//! `farmgate backup` / `farmgate restore` (#23): a snapshot taken while the county keeps
//! working restores to a county whose records agree with themselves; a damaged archive, a newer
//! schema and an occupied data directory are refused before anything is written.
//!
//! Backups cover the embedded mode (SQLite); PostgreSQL is backed up with its own tools, so
//! most tests run on SQLite only, and the PostgreSQL one checks the refusal.

use farmgate_server::backup::{self, BackupError, Destination, Manifest};
use farmgate_server::settings::Settings;
use farmgate_tests::fixtures::inspection;
use farmgate_tests::views::{Order, Page};
use farmgate_tests::{Backend, TestApp};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A server on a fresh data directory with one seller, a batch, a buyer and a paid order.
struct County {
    app: TestApp,
    seller: farmgate_tests::fixtures::SellerWithListing,
    batch: farmgate_tests::views::Batch,
    buyer: farmgate_tests::fixtures::Consumer,
}

async fn county() -> County {
    let app = TestApp::spawn(Backend::Embedded)
        .await
        .expect("the embedded backend is always there");
    let seller = app.seller_with_listing().await;
    let batch = app.inspected_batch(&seller).await;
    let buyer = app.consumer().await;
    app.paid_order(&buyer, &[(seller.sku, 1)]).await;
    County {
        app,
        seller,
        batch,
        buyer,
    }
}

/// Settings for a second machine: the same as `from`, another (not yet existing) data dir.
fn elsewhere(from: &Settings) -> (tempfile::TempDir, Settings) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = from.clone();
    settings.data_dir = dir.path().join("data");
    (dir, settings)
}

fn archive_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

async fn backup_to(app: &TestApp, dir: &Path) -> backup::Made {
    backup::backup(app.settings(), &Destination::Dir(dir.to_path_buf()), None)
        .await
        .expect("the backup is made")
}

/// Rewrites an archive entry by entry (`edit` sees each name and may change the bytes), then
/// the manifest (`edit_manifest`), into a new file beside it.
fn rewrite(
    archive: &Path,
    edit: impl Fn(&str, Vec<u8>) -> Vec<u8>,
    edit_manifest: impl Fn(&mut Manifest),
) -> PathBuf {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    let out_path = archive.with_extension("edited.zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&out_path).unwrap());
    let mut manifest: Option<Manifest> = None;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().to_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "manifest.json" {
            manifest = Some(serde_json::from_slice(&bytes).unwrap());
            continue;
        }
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&edit(&name, bytes)).unwrap();
    }
    let mut manifest = manifest.expect("a manifest");
    edit_manifest(&mut manifest);
    out.start_file("manifest.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    out.write_all(&serde_json::to_vec(&manifest).unwrap())
        .unwrap();
    out.finish().unwrap();
    out_path
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_the_county_keeps_working_restores_a_county_that_agrees_with_itself() {
    let County {
        app,
        seller,
        batch,
        buyer,
    } = county().await;
    let archives = archive_dir();
    let written = AtomicUsize::new(0);
    let rounds = 24;

    // A seller recording inspections and a buyer placing orders, while the backup is taken
    // after the first few writes.
    let writer = async {
        for _ in 0..rounds {
            app.add_event(
                &seller.owner,
                batch.id,
                "inspection",
                &app.days_ago(1),
                inspection("pass"),
            )
            .await
            .expect_status(201);
            app.checkout(&buyer, &[(seller.sku, 1)], "offline").await;
            written.fetch_add(1, Ordering::SeqCst);
        }
    };
    let backing_up = async {
        while written.load(Ordering::SeqCst) < 4 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let before = written.load(Ordering::SeqCst);
        let made = backup_to(&app, archives.path()).await;
        (before, made)
    };
    let ((before, made), ()) = tokio::join!(backing_up, writer);
    let after = written.load(Ordering::SeqCst);
    assert_eq!(after, rounds);

    // The manifest names the database, the key and every part's hash.
    let manifest = &made.manifest;
    assert_eq!(manifest.format, backup::FORMAT);
    assert_eq!(manifest.objects, "local");
    assert!(!manifest.migrations.is_empty());
    let paths: Vec<&str> = manifest.parts.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"farmgate.db"), "{paths:?}");
    assert!(paths.contains(&"trace-log.key"), "{paths:?}");
    assert!(manifest.parts.iter().all(|p| p.sha256.len() == 64));

    // Restored on another machine, it is a county that works and agrees with itself.
    let (dir, settings) = elsewhere(app.settings());
    let restored = backup::restore(&settings, &made.location, false)
        .await
        .expect("the restore succeeds");
    assert!(restored.migrated.is_empty());
    assert!(restored.moved_aside.is_none());
    let copy = TestApp::start(settings, Backend::Embedded, dir).await;

    // Every order the buyer placed before the backup began is there (their session too).
    let mine: Page<Order> = copy
        .get("/api/v1/orders?per_page=100", Some(&buyer.token))
        .await
        .json();
    let orders = usize::try_from(mine.total).unwrap();
    assert!(
        orders > before && orders <= after + 1,
        "{orders} orders restored; {before} placed (plus the first) before the backup, {after} in all"
    );
    // The trace chain, its stored head and count and the transparency log all verify.
    let record = copy
        .state
        .trace
        .verify_code(&batch.code)
        .await
        .unwrap()
        .expect("the batch is in the copy");
    assert!(record.verdict.ok(), "{:?}", record.verdict);
    assert!(
        record.events.len() > before,
        "{} events",
        record.events.len()
    );
    // The copy signs with the same key: its log verifier key is the original's.
    let key = |s: &Settings| std::fs::read_to_string(s.data_dir.join("trace-log.key")).unwrap();
    assert_eq!(key(app.settings()), key(copy.settings()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_archive_is_refused_and_nothing_is_written() {
    let County { app, .. } = county().await;
    let archives = archive_dir();
    let made = backup_to(&app, archives.path()).await;
    let path = PathBuf::from(&made.location);
    let (_dir, settings) = elsewhere(app.settings());
    let refused = |r: Result<backup::Restored, BackupError>, what: &str| match r {
        Err(BackupError::Damaged(why)) => why,
        other => panic!("{what}: expected Damaged, got {other:?}"),
    };

    // A flipped byte in the database (the manifest left as it was).
    let flipped = rewrite(
        &path,
        |name, mut bytes| {
            if name == "farmgate.db" {
                let at = bytes.len() / 2;
                bytes[at] ^= 0x55;
            }
            bytes
        },
        |_| {},
    );
    let why = refused(
        backup::restore(&settings, flipped.to_str().unwrap(), false).await,
        "flipped byte",
    );
    assert!(why.contains("SHA-256"), "{why}");

    // A truncated file is not a zip at all.
    let bytes = std::fs::read(&path).unwrap();
    let truncated = archives.path().join("truncated.zip");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    refused(
        backup::restore(&settings, truncated.to_str().unwrap(), false).await,
        "truncated",
    );

    // A part the manifest does not name, and a part path that climbs out.
    let smuggled = rewrite(&path, |_, b| b, |_| {});
    {
        let mut zip = zip::ZipWriter::new_append(
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&smuggled)
                .unwrap(),
        )
        .unwrap();
        zip.start_file(
            "objects/extra.txt",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(b"not in the manifest").unwrap();
        zip.finish().unwrap();
    }
    let why = refused(
        backup::restore(&settings, smuggled.to_str().unwrap(), false).await,
        "smuggled part",
    );
    assert!(why.contains("not in the manifest"), "{why}");
    let climbing = rewrite(
        &path,
        |_, b| b,
        |m| {
            m.parts.push(backup::Part {
                path: "../../etc/cron.d/x".to_owned(),
                size: 1,
                sha256: sha256_hex(b"x"),
            })
        },
    );
    let why = refused(
        backup::restore(&settings, climbing.to_str().unwrap(), false).await,
        "climbing path",
    );
    assert!(why.contains("unexpected part path"), "{why}");

    // A database whose pages are garbage but whose hash was updated to match: SQLite's
    // integrity check (or the open) refuses it.
    let garbage = rewrite(
        &path,
        |name, mut bytes| {
            if name == "farmgate.db" {
                let page = 4096;
                for b in bytes.iter_mut().skip(page * 2).take(page * 4) {
                    *b = 0xA5;
                }
            }
            bytes
        },
        |m| {
            let db = m
                .parts
                .iter_mut()
                .find(|p| p.path == "farmgate.db")
                .unwrap();
            let bytes = {
                let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
                let mut entry = zip.by_name("farmgate.db").unwrap();
                let mut v = Vec::new();
                entry.read_to_end(&mut v).unwrap();
                let page = 4096;
                for b in v.iter_mut().skip(page * 2).take(page * 4) {
                    *b = 0xA5;
                }
                v
            };
            db.sha256 = sha256_hex(&bytes);
        },
    );
    match backup::restore(&settings, garbage.to_str().unwrap(), false).await {
        Err(BackupError::Integrity(_) | BackupError::Damaged(_)) => {}
        other => panic!("garbage pages: expected Integrity, got {other:?}"),
    }

    // Not one of these wrote the data directory, and no scratch was left beside it.
    assert!(!settings.data_dir.exists());
    let parent = settings.data_dir.parent().unwrap();
    assert_eq!(std::fs::read_dir(parent).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_of_a_newer_schema_is_refused() {
    let County { app, .. } = county().await;
    let archives = archive_dir();
    let made = backup_to(&app, archives.path()).await;
    let future = rewrite(
        Path::new(&made.location),
        |_, b| b,
        |m| {
            m.migrations
                .push("m20991231_000999_from_the_future".to_owned());
            m.farmgate_version = "9.0.0".to_owned();
        },
    );
    let (_dir, settings) = elsewhere(app.settings());
    match backup::restore(&settings, future.to_str().unwrap(), false).await {
        Err(BackupError::NewerSchema { unknown, version }) => {
            assert_eq!(unknown, ["m20991231_000999_from_the_future"]);
            assert_eq!(version, "9.0.0");
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert!(!settings.data_dir.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_occupied_data_directory_is_refused_without_force_and_moved_aside_with_it() {
    let County { app, buyer, .. } = county().await;
    let archives = archive_dir();
    let made = backup_to(&app, archives.path()).await;
    let (dir, settings) = elsewhere(app.settings());
    std::fs::create_dir_all(&settings.data_dir).unwrap();
    std::fs::write(
        settings.data_dir.join("farmgate.db"),
        b"someone's live database",
    )
    .unwrap();

    match backup::restore(&settings, &made.location, false).await {
        Err(BackupError::Occupied(at)) => assert_eq!(at, settings.data_dir),
        other => panic!("expected Occupied, got {other:?}"),
    }
    assert_eq!(
        std::fs::read(settings.data_dir.join("farmgate.db")).unwrap(),
        b"someone's live database"
    );

    let done = backup::restore(&settings, &made.location, true)
        .await
        .expect("--force restores");
    let aside = done.moved_aside.expect("the old contents were moved aside");
    assert_eq!(
        std::fs::read(aside.join("farmgate.db")).unwrap(),
        b"someone's live database"
    );
    // An empty directory is not occupied.
    let (_dir2, empty) = elsewhere(app.settings());
    std::fs::create_dir_all(&empty.data_dir).unwrap();
    backup::restore(&empty, &made.location, false)
        .await
        .expect("an empty directory is restored into");

    let copy = TestApp::start(settings, Backend::Embedded, dir).await;
    let mine: Page<Order> = copy.get("/api/v1/orders", Some(&buyer.token)).await.json();
    assert_eq!(mine.total, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_prunes_the_oldest_archives_and_list_shows_the_rest() {
    let County { app, .. } = county().await;

    // In a directory.
    let archives = archive_dir();
    let to = Destination::Dir(archives.path().to_path_buf());
    let mut names = Vec::new();
    for _ in 0..3 {
        let made = backup::backup(app.settings(), &to, Some(2)).await.unwrap();
        names.push(made.name);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let listed: Vec<String> = backup::list(app.settings(), &to)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(listed, names[1..]);
    assert!(!archives.path().join(&names[0]).exists());

    // In the object store, under backups/ (which the next backup does not nest).
    let store = Destination::Store;
    let first = backup::backup(app.settings(), &store, Some(1))
        .await
        .unwrap();
    assert_eq!(first.location, format!("backups/{}", first.name));
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = backup::backup(app.settings(), &store, Some(1))
        .await
        .unwrap();
    assert_eq!(second.pruned, std::slice::from_ref(&first.name));
    assert!(
        second
            .manifest
            .parts
            .iter()
            .all(|p| !p.path.starts_with("objects/backups/")),
        "an archive never holds another"
    );
    let listed = backup::list(app.settings(), &store).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, second.name);
    // A name that is not there is not found (and nothing is written).
    let (_dir, settings) = elsewhere(app.settings());
    assert!(matches!(
        backup::restore(&settings, "farmgate-backup-19990101T000000.000Z.zip", false).await,
        Err(BackupError::NotFound(_))
    ));
    assert!(!settings.data_dir.exists());

    // --keep 0 would remove the archive just made.
    assert!(matches!(
        backup::backup(app.settings(), &to, Some(0)).await,
        Err(BackupError::KeepZero)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_deployment_is_told_to_use_pg_dump() {
    let Some(app) = TestApp::spawn(Backend::Production).await else {
        return;
    };
    let archives = archive_dir();
    let r = backup::backup(
        app.settings(),
        &Destination::Dir(archives.path().to_path_buf()),
        None,
    )
    .await;
    let Err(e @ BackupError::PostgresUsesItsOwnTools) = r else {
        panic!("expected the PostgreSQL refusal, got {r:?}")
    };
    assert!(e.to_string().contains("deploy/README.md"));
    assert_eq!(std::fs::read_dir(archives.path()).unwrap().count(), 0);
    let (_dir, settings) = elsewhere(app.settings());
    assert!(matches!(
        backup::restore(&settings, "anything.zip", false).await,
        Err(BackupError::PostgresUsesItsOwnTools)
    ));
}
